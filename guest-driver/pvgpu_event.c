// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: event notification.
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/eventfd.h>
#include <linux/ktime.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>

#include "pvgpu_drv.h"
#include "pvgpu_event.h"
#include "pvgpu_queue.h"
#include "pvgpu_vm.h"

/**
 * DOC: Events
 *
 * Userspace learns what happened to its queues, VMs and the device without
 * polling: it binds an eventfd to event types (and optionally one queue or
 * VM) with DRM_IOCTL_PVGPU_EVENT_SUBSCRIBE; the eventfd is a wake-up only,
 * and DRM_IOCTL_PVGPU_WAIT_EVENT returns structured records (sequence
 * number, type, queue and VM ids, timestamp, payload) from the file's
 * event ring. This is the shape of amdgpu's EVENTFD + WAIT_EVENT; watch
 * queues (Xe's RFC) are closed to a module (init_watch() is not exported
 * in 6.12), and eventfd gives what the notification thread asked for: any
 * number of listeners (one eventfd per subscription, many subscriptions
 * and files), filtering by type and object at the source, records of any
 * size read in batches, and a per-file ring whose overflow is counted and
 * reported (nothing is dropped silently).
 *
 * **Producers** (pvgpu_event_emit()) run where the condition is found,
 * the interrupt handler included (a completion pass, a firmware error
 * event): they read the file's @type_mask without a lock and return at
 * once for a type no subscription wants, so a file with no subscription
 * pays one load per event. Otherwise, under the file's spinlock (irqsave;
 * no allocation: the ring exists since the first subscription), the
 * record is put in the ring (or counted lost when it is full) if some
 * subscription's type mask and filter match, each matching subscription's
 * eventfd is signalled (eventfd_signal() is safe in hard interrupts), and
 * the readers are woken. The cost grows with the file's own
 * subscriptions, at most DRM_PVGPU_EVENT_MAX_SUBSCRIPTIONS.
 *
 * **Readers** take matching records out of the ring in order; records of
 * other types stay (the ring is compacted under the lock, at most
 * DRM_PVGPU_EVENT_RING_SIZE moves). Records are copied to userspace after
 * the lock is dropped; if that faults, they are put back at the front.
 * Sequence numbers count lost records too, so a gap shows where they were.
 *
 * **Catch-up.** Every fact an event reports is also state: the queue state
 * query (reset, guilty, banned, reason), the VM state query (unusable and
 * its error), every ioctl's -ENODEV on a wedged device. A process that
 * subscribes late reads the state, then the records.
 */

/**
 * struct pvgpu_event_sub - one subscription
 */
struct pvgpu_event_sub {
	/** @link: in &pvgpu_file_events.subs. */
	struct list_head link;
	/** @id: its id in the file, from 1. */
	u32 id;
	/** @type_mask: DRM_PVGPU_EVENT_MASK() bits. */
	u32 type_mask;
	/** @filter: DRM_PVGPU_EVENT_FILTER_* or 0. */
	u32 filter;
	/** @object_id: the queue or VM the filter names. */
	u32 object_id;
	/** @ctx: the eventfd (a reference). */
	struct eventfd_ctx *ctx;
};

/**
 * pvgpu_events_init() - initialise a new file's events
 * @ev: the file's events
 */
void pvgpu_events_init(struct pvgpu_file_events *ev)
{
	spin_lock_init(&ev->lock);
	INIT_LIST_HEAD(&ev->subs);
	init_waitqueue_head(&ev->wq);
	ev->next_sub_id = 1;
	ev->next_seqno = 1;
}

/**
 * pvgpu_events_close() - end every subscription of a closing file
 * @ev: the file's events
 *
 * Process context (postclose). Queues that outlive the file may still
 * report events; with no subscription left they keep nothing.
 */
void pvgpu_events_close(struct pvgpu_file_events *ev)
{
	struct pvgpu_event_sub *sub, *next;
	unsigned long flags;
	LIST_HEAD(subs);

	spin_lock_irqsave(&ev->lock, flags);
	list_splice_init(&ev->subs, &subs);
	ev->num_subs = 0;
	WRITE_ONCE(ev->type_mask, 0);
	spin_unlock_irqrestore(&ev->lock, flags);
	list_for_each_entry_safe(sub, next, &subs, link) {
		eventfd_ctx_put(sub->ctx);
		kfree(sub);
	}
}

/**
 * pvgpu_events_fini() - free a released file's event ring
 * @ev: the file's events, closed; nothing can reach the file any more
 */
void pvgpu_events_fini(struct pvgpu_file_events *ev)
{
	WARN_ON(!list_empty(&ev->subs));
	kvfree(ev->ring);
}

static bool pvgpu_event_sub_matches(const struct pvgpu_event_sub *sub,
				    const struct pvgpu_event_rec *rec)
{
	if (!(sub->type_mask & DRM_PVGPU_EVENT_MASK(rec->type)))
		return false;
	/* Device records name no object: every filter takes them. */
	if (!rec->queue_id && !rec->vm_id)
		return true;
	switch (sub->filter) {
	case DRM_PVGPU_EVENT_FILTER_QUEUE:
		return rec->queue_id == sub->object_id;
	case DRM_PVGPU_EVENT_FILTER_VM:
		return rec->vm_id == sub->object_id;
	default:
		return true;
	}
}

/**
 * pvgpu_event_emit() - report an event to a file
 * @pfile: the file the queue or VM belongs to
 * @rec: what happened
 *
 * Any context, hard interrupts included; allocates nothing. Nothing at all
 * happens unless a subscription of @pfile wants @rec.
 */
void pvgpu_event_emit(struct pvgpu_file *pfile,
		      const struct pvgpu_event_rec *rec)
{
	struct pvgpu_file_events *ev = &pfile->events;
	struct pvgpu_event_sub *sub;
	struct drm_pvgpu_event *out;
	unsigned long flags;
	bool kept = false;

	if (!pvgpu_event_wanted(ev, rec->type))
		return;

	spin_lock_irqsave(&ev->lock, flags);
	list_for_each_entry(sub, &ev->subs, link) {
		if (!pvgpu_event_sub_matches(sub, rec))
			continue;
		if (!kept) {
			kept = true;
			if (ev->count == DRM_PVGPU_EVENT_RING_SIZE) {
				ev->lost++;
				ev->next_seqno++;
			} else {
				out = &ev->ring[(ev->head + ev->count) %
						DRM_PVGPU_EVENT_RING_SIZE];
				out->seqno = ev->next_seqno++;
				out->timestamp_ns = ktime_get_ns();
				out->type = rec->type;
				out->flags = rec->flags;
				out->queue_id = rec->queue_id;
				out->vm_id = rec->vm_id;
				memcpy(out->data, rec->data, sizeof(out->data));
				ev->count++;
			}
		}
		eventfd_signal(sub->ctx);
	}
	spin_unlock_irqrestore(&ev->lock, flags);
	if (kept)
		wake_up_all(&ev->wq);
}

/**
 * pvgpu_event_emit_queue() - report an event of a queue to its file
 * @pfile: the file that owns @queue
 * @queue: the queue (exec or user); its VM names the record's VM
 * @type: DRM_PVGPU_EVENT_*
 * @flags: DRM_PVGPU_EVENT_GUILTY or 0
 * @d0: payload
 * @d1: payload
 * @d2: payload
 *
 * pvgpu_event_emit() for the queues' events: any context, and the record
 * is not even built unless the file subscribed to @type.
 */
void pvgpu_event_emit_queue(struct pvgpu_file *pfile,
			    const struct pvgpu_queue *queue, u32 type,
			    u32 flags, u64 d0, u64 d1, u64 d2)
{
	struct pvgpu_event_rec rec = {
		.type = type,
		.flags = flags,
		.queue_id = queue->id,
		.data = { d0, d1, d2 },
	};

	if (!pvgpu_event_wanted(&pfile->events, type))
		return;
	rec.vm_id = READ_ONCE(queue->vm->id);
	pvgpu_event_emit(pfile, &rec);
}

/**
 * pvgpu_event_emit_device() - report a device event to every open file
 * @pvdev: the device
 * @type: DRM_PVGPU_EVENT_DEVICE_WEDGED or _DEVICE_RESET
 * @d0: the record's data[0]
 * @d1: the record's data[1]
 *
 * Process context (it walks the DRM device's file list).
 */
void pvgpu_event_emit_device(struct pvgpu_device *pvdev, u32 type, u64 d0,
			     u64 d1)
{
	struct pvgpu_event_rec rec = { .type = type, .data = { d0, d1 } };
	struct drm_file *file;

	mutex_lock(&pvdev->drm.filelist_mutex);
	list_for_each_entry(file, &pvdev->drm.filelist, lhead) {
		struct pvgpu_file *pfile = file->driver_priv;

		/*
		 * drm_release() takes a file off the list (under the mutex)
		 * before its postclose; a listed file's state is alive.
		 */
		if (pfile)
			pvgpu_event_emit(pfile, &rec);
	}
	mutex_unlock(&pvdev->drm.filelist_mutex);
}

/* Recomputes the union of the subscriptions' masks; under the lock. */
static void pvgpu_events_update_mask(struct pvgpu_file_events *ev)
{
	struct pvgpu_event_sub *sub;
	u32 mask = 0;

	lockdep_assert_held(&ev->lock);
	list_for_each_entry(sub, &ev->subs, link)
		mask |= sub->type_mask;
	WRITE_ONCE(ev->type_mask, mask);
}

/**
 * pvgpu_ioctl_event_subscribe() - DRM_IOCTL_PVGPU_EVENT_SUBSCRIBE
 * @drm: the DRM device
 * @data: struct drm_pvgpu_event_subscribe
 * @file: the DRM file
 *
 * Return: 0, or the errors listed at struct drm_pvgpu_event_subscribe.
 */
int pvgpu_ioctl_event_subscribe(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	struct pvgpu_file_events *ev = &to_pvgpu_file(file)->events;
	struct drm_pvgpu_event_subscribe *args = data;
	struct drm_pvgpu_event *ring = NULL;
	struct pvgpu_event_sub *sub;
	struct eventfd_ctx *ctx;
	unsigned long flags;
	int ret;

	if (args->extensions || args->pad)
		return -EINVAL;
	if (!args->type_mask || args->type_mask & ~DRM_PVGPU_EVENT_ALL)
		return -EINVAL;
	switch (args->flags) {
	case 0:
		if (args->object_id)
			return -EINVAL;
		break;
	case DRM_PVGPU_EVENT_FILTER_QUEUE:
	case DRM_PVGPU_EVENT_FILTER_VM:
		if (!args->object_id)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	ctx = eventfd_ctx_fdget(args->eventfd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	sub = kzalloc(sizeof(*sub), GFP_KERNEL_ACCOUNT);
	if (!sub) {
		ret = -ENOMEM;
		goto err_ctx;
	}
	sub->type_mask = args->type_mask;
	sub->filter = args->flags;
	sub->object_id = args->object_id;
	sub->ctx = ctx;
	if (!READ_ONCE(ev->ring)) {
		ring = kvcalloc(DRM_PVGPU_EVENT_RING_SIZE, sizeof(*ring),
				GFP_KERNEL_ACCOUNT);
		if (!ring) {
			ret = -ENOMEM;
			goto err_sub;
		}
	}

	spin_lock_irqsave(&ev->lock, flags);
	if (ev->num_subs == DRM_PVGPU_EVENT_MAX_SUBSCRIPTIONS) {
		spin_unlock_irqrestore(&ev->lock, flags);
		ret = -ENOSPC;
		goto err_ring;
	}
	if (!ev->ring) {
		ev->ring = ring;
		ring = NULL;
	}
	sub->id = ev->next_sub_id++;
	list_add_tail(&sub->link, &ev->subs);
	ev->num_subs++;
	pvgpu_events_update_mask(ev);
	spin_unlock_irqrestore(&ev->lock, flags);
	/* Another subscriber's ring won the race. */
	kvfree(ring);
	args->subscription_id = sub->id;
	return 0;

err_ring:
	kvfree(ring);
err_sub:
	kfree(sub);
err_ctx:
	eventfd_ctx_put(ctx);
	return ret;
}

/**
 * pvgpu_ioctl_event_unsubscribe() - DRM_IOCTL_PVGPU_EVENT_UNSUBSCRIBE
 * @drm: the DRM device
 * @data: struct drm_pvgpu_event_unsubscribe
 * @file: the DRM file
 *
 * Return: 0, or the errors listed at struct drm_pvgpu_event_unsubscribe.
 */
int pvgpu_ioctl_event_unsubscribe(struct drm_device *drm, void *data,
				  struct drm_file *file)
{
	struct pvgpu_file_events *ev = &to_pvgpu_file(file)->events;
	struct drm_pvgpu_event_unsubscribe *args = data;
	struct pvgpu_event_sub *sub, *found = NULL;
	unsigned long flags;

	if (args->extensions || args->pad)
		return -EINVAL;
	spin_lock_irqsave(&ev->lock, flags);
	list_for_each_entry(sub, &ev->subs, link) {
		if (sub->id == args->subscription_id) {
			found = sub;
			list_del(&sub->link);
			ev->num_subs--;
			pvgpu_events_update_mask(ev);
			break;
		}
	}
	spin_unlock_irqrestore(&ev->lock, flags);
	if (!found)
		return -ENOENT;
	/* No producer holds it: they signal only under the lock. */
	eventfd_ctx_put(found->ctx);
	kfree(found);
	return 0;
}

/*
 * Moves up to @max records of @type_mask from the ring to @out, compacting
 * the rest; takes the lost count. Under the lock.
 */
static u32 pvgpu_events_take(struct pvgpu_file_events *ev, u32 type_mask,
			     struct drm_pvgpu_event *out, u32 max, u64 *lost)
{
	u32 i, n = 0, kept = 0;

	lockdep_assert_held(&ev->lock);
	*lost = ev->lost;
	ev->lost = 0;
	for (i = 0; i < ev->count; i++) {
		struct drm_pvgpu_event *r =
			&ev->ring[(ev->head + i) % DRM_PVGPU_EVENT_RING_SIZE];

		if (n < max && (type_mask & DRM_PVGPU_EVENT_MASK(r->type))) {
			out[n++] = *r;
			continue;
		}
		if (kept != i)
			ev->ring[(ev->head + kept) % DRM_PVGPU_EVENT_RING_SIZE] = *r;
		kept++;
	}
	ev->count = kept;
	return n;
}

/*
 * Puts records taken by pvgpu_events_take() back at the front (their
 * copy to userspace failed), with the lost count. Records produced
 * meanwhile stay behind them; if the ring filled up meanwhile, the newest
 * are dropped and counted lost. Under the lock.
 */
static void pvgpu_events_untake(struct pvgpu_file_events *ev,
				const struct drm_pvgpu_event *recs, u32 n,
				u64 lost)
{
	u32 room = DRM_PVGPU_EVENT_RING_SIZE - ev->count;
	u32 i;

	lockdep_assert_held(&ev->lock);
	ev->lost += lost;
	if (n > room) {
		ev->lost += n - room;
		ev->count -= min(ev->count, n - room);
		room = DRM_PVGPU_EVENT_RING_SIZE - ev->count;
	}
	for (i = n; i-- > 0;) {
		ev->head = (ev->head + DRM_PVGPU_EVENT_RING_SIZE - 1) %
			   DRM_PVGPU_EVENT_RING_SIZE;
		ev->ring[ev->head] = recs[i];
		ev->count++;
	}
}

static int pvgpu_wait_event_check(const struct drm_pvgpu_wait_event *args)
{
	bool mem = args->flags & DRM_PVGPU_WAIT_EVENT_MEM;

	if (args->extensions || args->reserved[0] || args->reserved[1])
		return -EINVAL;
	if (!args->num_records ||
	    args->num_records > DRM_PVGPU_EVENT_RING_SIZE)
		return -EINVAL;
	if (args->type_mask & ~DRM_PVGPU_EVENT_ALL)
		return -EINVAL;
	if (args->flags & ~(DRM_PVGPU_WAIT_EVENT_ABSTIME |
			    DRM_PVGPU_WAIT_EVENT_MEM))
		return -EINVAL;
	if (!mem && (args->mem_op || args->mem_addr || args->mem_value ||
		     args->mem_mask))
		return -EINVAL;
	if (mem && (args->mem_op > DRM_PVGPU_UFENCE_OP_LTE ||
		    !IS_ALIGNED(args->mem_addr, 8)))
		return -EINVAL;
	return 0;
}

/*
 * The memory condition of @args: 1 met, 0 not, -EFAULT unreadable. In the
 * caller's context (a get_user()).
 */
static int pvgpu_wait_event_mem(const struct drm_pvgpu_wait_event *args)
{
	u64 v;

	if (get_user(v, (u64 __user *)u64_to_user_ptr(args->mem_addr)))
		return -EFAULT;
	return pvgpu_ufence_compare(v, args->mem_value, args->mem_mask,
				    args->mem_op);
}

/**
 * pvgpu_ioctl_wait_event() - DRM_IOCTL_PVGPU_WAIT_EVENT
 * @drm: the DRM device
 * @data: struct drm_pvgpu_wait_event
 * @file: the DRM file
 *
 * Return: 0, or the errors listed at struct drm_pvgpu_wait_event.
 */
int pvgpu_ioctl_wait_event(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct pvgpu_file_events *ev = &to_pvgpu_file(file)->events;
	struct drm_pvgpu_wait_event *args = data;
	bool mem = args->flags & DRM_PVGPU_WAIT_EVENT_MEM;
	u32 type_mask = args->type_mask ?: DRM_PVGPU_EVENT_ALL;
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct drm_pvgpu_event *recs;
	ktime_t deadline = KTIME_MAX;
	bool forever = args->timeout < 0;
	unsigned long flags;
	u32 n = 0;
	u64 lost = 0;
	int ret;

	ret = pvgpu_wait_event_check(args);
	if (ret)
		return ret;
	recs = kvmalloc_array(args->num_records, sizeof(*recs),
			      GFP_KERNEL_ACCOUNT);
	if (!recs)
		return -ENOMEM;
	if (!forever)
		deadline = args->flags & DRM_PVGPU_WAIT_EVENT_ABSTIME ?
			   ns_to_ktime(args->timeout) :
			   ktime_add_safe(ktime_get(),
					  ns_to_ktime(args->timeout));

	add_wait_queue(&ev->wq, &wait);
	for (;;) {
		long remaining;

		spin_lock_irqsave(&ev->lock, flags);
		if (ev->ring)
			n = pvgpu_events_take(ev, type_mask, recs,
					      args->num_records, &lost);
		spin_unlock_irqrestore(&ev->lock, flags);
		if (n || lost)
			break;
		if (mem) {
			ret = pvgpu_wait_event_mem(args);
			if (ret) {
				ret = ret < 0 ? ret : 0;
				break;
			}
		}
		ret = pvgpu_wait_check(deadline, &remaining);
		if (ret)
			break;
		wait_woken(&wait, TASK_INTERRUPTIBLE, remaining);
	}
	remove_wait_queue(&ev->wq, &wait);

	if (n && copy_to_user(u64_to_user_ptr(args->records), recs,
			      n * sizeof(*recs))) {
		spin_lock_irqsave(&ev->lock, flags);
		pvgpu_events_untake(ev, recs, n, lost);
		spin_unlock_irqrestore(&ev->lock, flags);
		kvfree(recs);
		return -EFAULT;
	}
	kvfree(recs);
	if (ret == -ERESTARTSYS && !forever &&
	    !(args->flags & DRM_PVGPU_WAIT_EVENT_ABSTIME)) {
		s64 left = ktime_to_ns(ktime_sub(deadline, ktime_get()));

		/* The restart continues the same wait. */
		args->timeout = max_t(s64, 0, left);
	}
	if (ret)
		return ret;
	args->num_records = n;
	args->lost = lost;
	return 0;
}
