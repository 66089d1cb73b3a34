// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: the firmware message channel.
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/completion.h>
#include <linux/dma-mapping.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/sched/signal.h>
#include <linux/string.h>

#include <drm/drm_print.h>

#include "pvgpu_channel.h"
#include "pvgpu_drv.h"
#include "pvgpu_regs.h"

/**
 * DOC: Firmware message channel
 *
 * The driver talks to the firmware over two rings in guest memory that the
 * boot descriptor hands over (see pvgpu_fwif.h for the exact layout):
 *
 * - the host-to-firmware (H2F) ring carries requests; the driver is the
 *   producer and owns its tail, the firmware consumes and owns its head;
 * - the firmware-to-host (F2H) ring carries responses and events; the
 *   firmware produces, the driver consumes and owns its head.
 *
 * Head and tail are byte offsets; one dword always stays free, so a ring
 * is empty when head == tail; messages (a struct pvgpu_msg_hdr and
 * &pvgpu_msg_hdr.len payload dwords) wrap around the end dword by dword.
 *
 * **Sending** (pvgpu_channel_send()): the request's timeout starts before
 * the sender takes &pvgpu_channel.send_lock and covers everything after:
 * a sender that gets the lock after its deadline gives up with -ETIMEDOUT
 * without sending. Under the lock it waits for H2F space (the firmware
 * moves the head without telling, so the wait re-checks on every
 * interrupt and every 10 ms), takes the next seqno, notes the submit time
 * and puts a waiter on &pvgpu_channel.pending, writes the message,
 * publishes the tail and rings the kernel doorbell. It then drops the lock
 * and sleeps, interruptibly, until the response arrives or the timeout
 * passes. A signal before the request is on the ring (waiting for the
 * lock or for space) returns -ERESTARTSYS with nothing sent.
 *
 * **Receiving** (pvgpu_channel_irq()): the MSI-X handler acknowledges the
 * interrupt causes first and then drains the F2H ring completely, so a
 * message that arrives after the drain raises a new interrupt. A response
 * completes the waiter with the same seqno. Its receive time is taken
 * under &pvgpu_channel.lock after the F2H tail was read, and the submit
 * time was taken under the same lock before the waiter went on the list,
 * so a round trip is never negative. Responses come in request
 * order, so a response to a later request means the earlier ones will
 * never be answered: they fail with -EIO at once instead of waiting for
 * their timeout. A response nobody waits for (its sender timed out or
 * caught a signal) is an *orphan*: counted and dropped. Events are
 * numbered from 1; a gap is counted as lost events.
 * PVGPU_F2H_EVT_RING_ERROR (the firmware drained the H2F ring) is reported
 * and fails every pending request with -EIO; the other events go to
 * pvgpu_fw_event().
 *
 * **Timeouts**: a request that sees no response in time first checks
 * whether the firmware still runs (an interrupt may have been lost), then
 * polls the F2H ring once itself; only if its response is still missing it
 * leaves the pending list and returns -ETIMEDOUT. A late response becomes
 * an orphan. A signal while waiting returns -ERESTARTSYS the same way.
 * The fault-injection hook fail_h2f_doorbell (debugfs, a &struct
 * fault_attr) makes this path run: a request whose doorbell was skipped
 * never reaches the firmware, so the poll finds nothing and it times out;
 * the next doorbell makes the firmware serve it after all, and its
 * response is an orphan.
 *
 * **Failure**: when the firmware stops (pvgpu_channel_fail()), every
 * pending request completes with the given error (-EIO on a crash, -ENODEV
 * when the device goes away) and later requests get -ENODEV.
 *
 * **State-changing requests** (PVGPU_CHANNEL_MSG_COMMIT) never fail
 * without a known outcome: either the firmware answered (done, or refused
 * with an error status and changed nothing), or the request was never
 * sent (a signal, or a busy channel, only for requests that create state:
 * the firmware never saw them), or the device is stopped with its DMA
 * blocked by the time the sender hears of the failure (pvgpu_fw_wedge(),
 * which also waits for a removal's stop in progress). Cleanup requests
 * (COMMIT with PVGPU_CHANNEL_MSG_NOINTR) take their timeout from the
 * moment they hold the channel, so a busy channel only delays them; one
 * not sent within its timeout means a firmware that does not drain its
 * ring, and stops the device. This is what lets a caller free memory the
 * firmware could reach after any failure of an unmap, an invalidation or
 * a deregistration. The debugfs test hook inject_stall_opcode makes the
 * "not sent in time" case run.
 *
 * **Locking**: &pvgpu_channel.send_lock (a mutex) serialises senders and
 * owns the H2F tail; &pvgpu_channel.lock (a spinlock, taken in hard-irq
 * context) protects the pending list, the channel state, the F2H head and
 * the statistics. send_lock is taken before lock, never the other way
 * round. Helpers named *_locked() need lock, the pvgpu_channel_h2f_*()
 * ones need send_lock; each asserts it with lockdep_assert_held(). Event
 * handlers run under lock in hard-irq context and must defer anything slow
 * to a worker.
 */

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
/*
 * Test hook, debugfs fail_h2f_doorbell: the H2F doorbell writes it fails
 * are skipped, as if the firmware had missed them (see the DOC: section).
 * Shared by every pvgpu device.
 */
DECLARE_FAULT_ATTR(pvgpu_fail_h2f_doorbell);

static bool pvgpu_channel_drop_doorbell(void)
{
	return should_fail(&pvgpu_fail_h2f_doorbell, 1);
}
#else
static bool pvgpu_channel_drop_doorbell(void)
{
	return false;
}
#endif

/**
 * struct pvgpu_channel_waiter - a request waiting for its response
 * @link: entry in &pvgpu_channel.pending; empty once completed.
 * @done: completed when @result is final.
 * @seqno: the request's seqno.
 * @opcode: the request's opcode, checked against the response.
 * @resp: where the response payload goes.
 * @resp_max_dw: room at @resp in dwords.
 * @resp_dw: payload dwords the firmware sent.
 * @fw_status: the response's PVGPU_STATUS_* code.
 * @refused: the response to this request answered an error status.
 * @result: 0 or a negative errno.
 * @t_submit: taken under &pvgpu_channel.lock just before the waiter goes
 *	on the pending list, so before the request can be answered.
 * @rtt_ns: round trip, set with the response: from @t_submit to the read
 *	of the F2H tail that covered it.
 *
 * Lives on the sender's stack. Once it is off the pending list (under
 * &pvgpu_channel.lock) nothing but the sender touches it.
 */
struct pvgpu_channel_waiter {
	struct list_head link;
	struct completion done;
	u32 seqno;
	u16 opcode;
	void *resp;
	u16 resp_max_dw;
	u16 resp_dw;
	u32 fw_status;
	bool refused;
	int result;
	ktime_t t_submit;
	u64 rtt_ns;
};

/**
 * pvgpu_dma_alloc() - allocate memory shared with the firmware
 * @pvdev: the device
 * @mem: filled in on success
 * @size: bytes, a multiple of 4 KiB
 *
 * The memory is zeroed, coherent and page aligned, as the firmware
 * interface requires 4 KiB alignment of every buffer.
 *
 * Return: 0 or -ENOMEM.
 */
int pvgpu_dma_alloc(struct pvgpu_device *pvdev, struct pvgpu_dma *mem,
		    size_t size)
{
	mem->vaddr = dma_alloc_coherent(&pvdev->pdev->dev, size, &mem->dma,
					GFP_KERNEL);
	if (!mem->vaddr)
		return -ENOMEM;
	mem->size = size;

	if (WARN_ON(!IS_ALIGNED(mem->dma, SZ_4K))) {
		pvgpu_dma_free(pvdev, mem);
		return -ENOMEM;
	}
	return 0;
}

/**
 * pvgpu_dma_free() - free memory from pvgpu_dma_alloc()
 * @pvdev: the device
 * @mem: the allocation; nothing happens if it was never made
 *
 * The firmware must have been reset first: it may write to the memory up
 * to then.
 */
void pvgpu_dma_free(struct pvgpu_device *pvdev, struct pvgpu_dma *mem)
{
	if (!mem->vaddr)
		return;
	dma_free_coherent(&pvdev->pdev->dev, mem->size, mem->vaddr, mem->dma);
	mem->vaddr = NULL;
}

/* --- Ring arithmetic ---------------------------------------------------- */

static u32 pvgpu_ring_used(const struct pvgpu_ring *r, u32 head, u32 tail)
{
	return (tail - head) & (r->size - 1);
}

static u32 pvgpu_ring_free(const struct pvgpu_ring *r, u32 head, u32 tail)
{
	/* One dword always stays free. */
	return (head - tail - 4) & (r->size - 1);
}

static u32 pvgpu_ring_advance(const struct pvgpu_ring *r, u32 pos, u32 bytes)
{
	return (pos + bytes) & (r->size - 1);
}

static bool pvgpu_ring_pos_valid(const struct pvgpu_ring *r, u32 pos)
{
	return pos < r->size && IS_ALIGNED(pos, 4);
}

static u32 pvgpu_ring_shared_head(const struct pvgpu_ring *r)
{
	return le32_to_cpu(READ_ONCE(r->desc->head));
}

static u32 pvgpu_ring_shared_tail(const struct pvgpu_ring *r)
{
	return le32_to_cpu(READ_ONCE(r->desc->tail));
}

static u32 pvgpu_ring_shared_status(const struct pvgpu_ring *r)
{
	return le32_to_cpu(READ_ONCE(r->desc->status));
}

/* Copies @n dwords to the ring at @pos, wrapping; returns the new pos. */
static u32 pvgpu_ring_write(struct pvgpu_ring *r, u32 pos, const __le32 *src,
			    u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		WRITE_ONCE(r->buf[pos / 4], src[i]);
		pos = pvgpu_ring_advance(r, pos, 4);
	}
	return pos;
}

/* Copies @n dwords from the ring at @pos, wrapping; returns the new pos. */
static u32 pvgpu_ring_read(const struct pvgpu_ring *r, u32 pos, __le32 *dst,
			   u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		dst[i] = READ_ONCE(r->buf[pos / 4]);
		pos = pvgpu_ring_advance(r, pos, 4);
	}
	return pos;
}

static void pvgpu_ring_setup(struct pvgpu_ring *r, const char *name,
			     struct pvgpu_dma *ctl, unsigned int page,
			     struct pvgpu_dma *mem)
{
	r->name = name;
	r->desc = ctl->vaddr + page * SZ_4K;
	r->desc_dma = ctl->dma + page * SZ_4K;
	r->buf = mem->vaddr;
	r->buf_dma = mem->dma;
	r->size = mem->size;
	r->pos = 0;
}

/* --- Names -------------------------------------------------------------- */

/**
 * pvgpu_fw_status_name() - name of a response status code
 * @status: PVGPU_STATUS_*
 *
 * Return: a static string.
 */
const char *pvgpu_fw_status_name(u32 status)
{
#define PVGPU_STATUS_NAME(name, value, ...) \
	[value] = #name,
	static const char * const names[] = {
		PVGPU_STATUS_TABLE(PVGPU_STATUS_NAME)
	};
#undef PVGPU_STATUS_NAME

	if (status < ARRAY_SIZE(names) && names[status])
		return names[status];
	return "unknown";
}

static const char *pvgpu_ring_status_name(u32 bit)
{
	switch (bit) {
	case PVGPU_RING_STATUS_MALFORMED:
		return "malformed message";
	case PVGPU_RING_STATUS_OVERFLOW:
		return "overflow";
	case PVGPU_RING_STATUS_BAD_POINTER:
		return "head/tail out of range";
	default:
		return "unknown reason";
	}
}

static const char *pvgpu_channel_state_name(enum pvgpu_channel_state state)
{
	switch (state) {
	case PVGPU_CHANNEL_OFF:
		return "off";
	case PVGPU_CHANNEL_READY:
		return "ready";
	case PVGPU_CHANNEL_UP:
		return "up";
	case PVGPU_CHANNEL_DEAD:
		return "dead";
	}
	return "unknown";
}

/* --- Setup and state ---------------------------------------------------- */

/**
 * pvgpu_channel_init() - allocate the rings
 * @ch: the channel, zeroed
 * @pvdev: the device
 *
 * The channel starts in PVGPU_CHANNEL_OFF.
 *
 * Return: 0 or -ENOMEM.
 */
int pvgpu_channel_init(struct pvgpu_channel *ch, struct pvgpu_device *pvdev)
{
	int ret;

	ch->pvdev = pvdev;
	mutex_init(&ch->send_lock);
	spin_lock_init(&ch->lock);
	INIT_LIST_HEAD(&ch->pending);
	init_waitqueue_head(&ch->space_wq);
	ch->state = PVGPU_CHANNEL_OFF;
	ch->next_seqno = 1;
	atomic_set(&ch->inject_stall_opcode, 0);

	ret = pvgpu_dma_alloc(pvdev, &ch->ctl, 2 * SZ_4K);
	if (ret)
		goto err_destroy;
	ret = pvgpu_dma_alloc(pvdev, &ch->h2f_mem, PVGPU_H2F_RING_SIZE);
	if (ret)
		goto err_free_ctl;
	ret = pvgpu_dma_alloc(pvdev, &ch->f2h_mem, PVGPU_F2H_RING_SIZE);
	if (ret)
		goto err_free_h2f;

	pvgpu_ring_setup(&ch->h2f, "h2f", &ch->ctl, 0, &ch->h2f_mem);
	pvgpu_ring_setup(&ch->f2h, "f2h", &ch->ctl, 1, &ch->f2h_mem);
	return 0;

err_free_h2f:
	pvgpu_dma_free(pvdev, &ch->h2f_mem);
err_free_ctl:
	pvgpu_dma_free(pvdev, &ch->ctl);
err_destroy:
	mutex_destroy(&ch->send_lock);
	return ret;
}

/**
 * pvgpu_channel_fini() - free the rings
 * @ch: the channel
 *
 * The firmware must be reset and the interrupt handler gone: both may
 * touch the rings until then.
 */
void pvgpu_channel_fini(struct pvgpu_channel *ch)
{
	spin_lock_irq(&ch->lock);
	WARN_ON(!list_empty(&ch->pending));
	ch->state = PVGPU_CHANNEL_OFF;
	spin_unlock_irq(&ch->lock);

	pvgpu_dma_free(ch->pvdev, &ch->f2h_mem);
	pvgpu_dma_free(ch->pvdev, &ch->h2f_mem);
	pvgpu_dma_free(ch->pvdev, &ch->ctl);
	mutex_destroy(&ch->send_lock);
}

/**
 * pvgpu_channel_set_ready() - reset the rings before (re)booting firmware
 * @ch: the channel
 *
 * Both rings become empty at offset 0 and event numbering restarts. The
 * F2H ring is drained from now on; requests are still refused.
 */
void pvgpu_channel_set_ready(struct pvgpu_channel *ch)
{
	mutex_lock(&ch->send_lock);
	spin_lock_irq(&ch->lock);
	WARN_ON(!list_empty(&ch->pending));
	memset(ch->h2f.desc, 0, sizeof(*ch->h2f.desc));
	memset(ch->f2h.desc, 0, sizeof(*ch->f2h.desc));
	ch->h2f.pos = 0;
	ch->f2h.pos = 0;
	ch->last_event_seqno = 0;
	ch->h2f_status_seen = 0;
	ch->f2h_status_seen = 0;
	WRITE_ONCE(ch->epoch, ch->epoch + 1);
	ch->state = PVGPU_CHANNEL_READY;
	spin_unlock_irq(&ch->lock);
	mutex_unlock(&ch->send_lock);
}

/**
 * pvgpu_channel_set_up() - start accepting requests
 * @ch: the channel, in PVGPU_CHANNEL_READY
 */
void pvgpu_channel_set_up(struct pvgpu_channel *ch)
{
	spin_lock_irq(&ch->lock);
	if (!WARN_ON(ch->state != PVGPU_CHANNEL_READY))
		ch->state = PVGPU_CHANNEL_UP;
	spin_unlock_irq(&ch->lock);
}

/**
 * pvgpu_channel_is_up() - whether requests are accepted
 * @ch: the channel
 *
 * Return: true in PVGPU_CHANNEL_UP. Only a hint: the state may change
 * right after.
 */
bool pvgpu_channel_is_up(struct pvgpu_channel *ch)
{
	return READ_ONCE(ch->state) == PVGPU_CHANNEL_UP;
}

static bool pvgpu_channel_fail_locked(struct pvgpu_channel *ch, int err)
{
	struct pvgpu_channel_waiter *w, *tmp;
	bool was_live;

	lockdep_assert_held(&ch->lock);

	was_live = ch->state == PVGPU_CHANNEL_UP ||
		   ch->state == PVGPU_CHANNEL_READY;
	if (was_live)
		ch->state = PVGPU_CHANNEL_DEAD;

	list_for_each_entry_safe(w, tmp, &ch->pending, link) {
		list_del_init(&w->link);
		w->result = err;
		ch->stats.failed++;
		complete(&w->done);
	}
	return was_live;
}

/**
 * pvgpu_channel_fail() - the firmware stopped, or the device is going away
 * @ch: the channel
 * @err: what the pending requests fail with (-EIO, -ENODEV)
 *
 * Fails every pending request with @err and refuses new ones with -ENODEV.
 * The F2H ring is still drained until the channel is torn down. Any
 * context; idempotent.
 *
 * Return: true if this call stopped a live channel.
 */
bool pvgpu_channel_fail(struct pvgpu_channel *ch, int err)
{
	unsigned long flags;
	bool stopped;

	spin_lock_irqsave(&ch->lock, flags);
	stopped = pvgpu_channel_fail_locked(ch, err);
	spin_unlock_irqrestore(&ch->lock, flags);

	wake_up_all(&ch->space_wq);
	return stopped;
}

/* --- Receiving ---------------------------------------------------------- */

static void pvgpu_channel_complete_locked(struct pvgpu_channel *ch,
					  const struct pvgpu_msg_hdr *hdr,
					  const __le32 *payload, ktime_t now)
{
	struct drm_device *drm = &ch->pvdev->drm;
	u32 seqno = le32_to_cpu(hdr->seqno);
	u16 opcode = le16_to_cpu(hdr->opcode);
	u16 len = le16_to_cpu(hdr->len);
	struct pvgpu_channel_waiter *w, *tmp;
	s64 rtt;

	lockdep_assert_held(&ch->lock);

	list_for_each_entry(w, &ch->pending, link)
		if (w->seqno == seqno)
			goto found;

	ch->stats.orphans++;
	drm_dbg_driver(drm, "orphan response: opcode %#x seqno %u\n",
		       opcode, seqno);
	return;

found:
	/* Responses come in request order: earlier requests were dropped. */
	list_for_each_entry_safe(w, tmp, &ch->pending, link) {
		if (w->seqno == seqno)
			break;
		drm_err_ratelimited(drm,
				    "firmware skipped request %u (opcode %#x)\n",
				    w->seqno, w->opcode);
		list_del_init(&w->link);
		w->result = -EIO;
		ch->stats.skipped++;
		complete(&w->done);
	}

	w->fw_status = le32_to_cpu(hdr->status);
	w->resp_dw = min(len, w->resp_max_dw);
	if (w->resp_dw)
		memcpy(w->resp, payload, w->resp_dw * 4);

	if (opcode != w->opcode) {
		drm_err_ratelimited(drm,
				    "response %u has opcode %#x, request had %#x\n",
				    seqno, opcode, w->opcode);
		w->result = -EIO;
	} else if (w->fw_status != PVGPU_STATUS_OK) {
		ch->stats.fw_errors++;
		w->refused = true;
		w->result = -EIO;
	} else {
		w->result = 0;
	}

	/*
	 * Both times are taken under ch->lock, t_submit before the request
	 * could be answered and now after the tail that covers the answer
	 * was read: never negative. Clamped all the same, as a u64 holds it.
	 */
	rtt = max_t(s64, ktime_to_ns(ktime_sub(now, w->t_submit)), 0);
	w->rtt_ns = rtt;
	ch->stats.responses++;
	ch->stats.latency_last_ns = rtt;
	ch->stats.latency_total_ns += rtt;
	ch->stats.latency_max_ns = max_t(u64, ch->stats.latency_max_ns, rtt);

	list_del_init(&w->link);
	complete(&w->done);
}

static void pvgpu_channel_ring_error_locked(struct pvgpu_channel *ch,
					    const struct pvgpu_msg_hdr *hdr,
					    const __le32 *payload)
{
	struct pvgpu_evt_ring_error evt = {};
	struct pvgpu_channel_waiter *w, *tmp;

	lockdep_assert_held(&ch->lock);

	ch->stats.ring_errors++;
	memcpy(&evt, payload,
	       min_t(size_t, le16_to_cpu(hdr->len) * 4, sizeof(evt)));
	drm_err_ratelimited(&ch->pvdev->drm,
			    "firmware rejected the H2F ring: %s at offset %#x (words %#010x %#010x); pending requests fail\n",
			    pvgpu_ring_status_name(le32_to_cpu(evt.reason)),
			    le32_to_cpu(evt.offset), le32_to_cpu(evt.word0),
			    le32_to_cpu(evt.word1));

	/*
	 * The firmware drained what was queued: those requests will never be
	 * answered. Requests written after the drain are served normally, but
	 * they cannot be told apart from here; they fail too and their
	 * responses become orphans. The H2F tail stays where it is: after a
	 * drain the firmware's head is at or behind it, never ahead.
	 */
	list_for_each_entry_safe(w, tmp, &ch->pending, link) {
		list_del_init(&w->link);
		w->result = -EIO;
		ch->stats.failed++;
		complete(&w->done);
	}
}

static void pvgpu_channel_event_locked(struct pvgpu_channel *ch,
				       const struct pvgpu_msg_hdr *hdr,
				       const __le32 *payload)
{
	struct drm_device *drm = &ch->pvdev->drm;
	u32 seqno = le32_to_cpu(hdr->seqno);
	u32 expected = ch->last_event_seqno + 1;
	u16 opcode = le16_to_cpu(hdr->opcode);

	lockdep_assert_held(&ch->lock);

	ch->stats.events++;
	if (seqno != expected) {
		/* Only forward gaps are losses; anything else is noise. */
		if ((s32)(seqno - expected) > 0)
			ch->stats.events_lost += seqno - expected;
		/* Lost events are recovered (see pvgpu_queue.c). */
		pvgpu_info_ratelimited(drm, "firmware event %u, expected %u\n",
				       seqno, expected);
	}
	ch->last_event_seqno = seqno;

	switch (opcode) {
	case PVGPU_F2H_EVT_RING_ERROR:
		pvgpu_channel_ring_error_locked(ch, hdr, payload);
		return;
	case PVGPU_F2H_EVT_LOG:
		ch->stats.log_events++;
		break;
	}

	if (!pvgpu_fw_event(ch->pvdev, hdr, payload)) {
		ch->stats.unknown_events++;
		drm_dbg_driver(drm, "ignored firmware event %#x\n", opcode);
	}
}

static void pvgpu_channel_check_status_locked(struct pvgpu_channel *ch)
{
	struct drm_device *drm = &ch->pvdev->drm;
	u32 h2f = pvgpu_ring_shared_status(&ch->h2f);
	u32 f2h = pvgpu_ring_shared_status(&ch->f2h);
	u32 new_h2f = h2f & ~ch->h2f_status_seen;
	u32 new_f2h = f2h & ~ch->f2h_status_seen;

	lockdep_assert_held(&ch->lock);

	if (new_h2f)
		drm_err(drm, "firmware flagged the H2F ring: status %#x (%s)\n",
			h2f, pvgpu_ring_status_name(new_h2f & -new_h2f));
	/*
	 * A full F2H ring under a burst of completions is expected: the
	 * events it drops are recovered (queues' fences, QUEUE_QUERY,
	 * the gap in event numbers), so only say so.
	 */
	if (new_f2h == PVGPU_RING_STATUS_OVERFLOW)
		drm_info(drm, "firmware dropped events (F2H ring full); recovering\n");
	else if (new_f2h)
		drm_err(drm, "firmware flagged the F2H ring: status %#x (%s)\n",
			f2h, pvgpu_ring_status_name(new_f2h & -new_f2h));
	ch->h2f_status_seen |= h2f;
	ch->f2h_status_seen |= f2h;
}

static void pvgpu_channel_dispatch_locked(struct pvgpu_channel *ch,
					  const struct pvgpu_msg_hdr *hdr,
					  const __le32 *payload, ktime_t now)
{
	lockdep_assert_held(&ch->lock);

	switch (le16_to_cpu(hdr->kind)) {
	case PVGPU_MSG_KIND_RESPONSE:
		pvgpu_channel_complete_locked(ch, hdr, payload, now);
		break;
	case PVGPU_MSG_KIND_EVENT:
		pvgpu_channel_event_locked(ch, hdr, payload);
		break;
	default:
		ch->stats.f2h_malformed++;
		drm_err_ratelimited(&ch->pvdev->drm,
				    "F2H message of kind %u, opcode %#x dropped\n",
				    le16_to_cpu(hdr->kind),
				    le16_to_cpu(hdr->opcode));
		break;
	}
}

/*
 * Drains the F2H ring: every complete message up to the tail the firmware
 * published. Returns the number of messages handled.
 */
static unsigned int pvgpu_channel_process_f2h_locked(struct pvgpu_channel *ch)
{
	__le32 payload[PVGPU_MSG_MAX_PAYLOAD_DW];
	struct pvgpu_ring *r = &ch->f2h;
	struct pvgpu_msg_hdr hdr;
	unsigned int count = 0;
	u32 head, tail, used, len, pos;
	ktime_t now;

	lockdep_assert_held(&ch->lock);

	if (ch->state == PVGPU_CHANNEL_OFF)
		return 0;

	pvgpu_channel_check_status_locked(ch);

	head = r->pos;
	tail = pvgpu_ring_shared_tail(r);
	if (!pvgpu_ring_pos_valid(r, tail)) {
		ch->stats.f2h_malformed++;
		drm_err_ratelimited(&ch->pvdev->drm,
				    "F2H tail %#x out of range\n", tail);
		return 0;
	}
	/*
	 * The receive time of every response up to this tail: taken after
	 * the tail was read, so never before a request that it answers was
	 * queued (see pvgpu_channel_send()).
	 */
	now = ktime_get();
	/*
	 * The firmware writes a message, then the tail (coherent memory):
	 * read the messages only after the tail that covers them.
	 */
	dma_rmb();

	while (head != tail) {
		used = pvgpu_ring_used(r, head, tail);
		if (used < sizeof(hdr))
			goto malformed;
		pos = pvgpu_ring_read(r, head, (__le32 *)&hdr,
				      PVGPU_MSG_HDR_DW);
		len = le16_to_cpu(hdr.len);
		if (len > PVGPU_MSG_MAX_PAYLOAD_DW ||
		    (PVGPU_MSG_HDR_DW + len) * 4 > used)
			goto malformed;
		pvgpu_ring_read(r, pos, payload, len);
		head = pvgpu_ring_advance(r, head,
					  (PVGPU_MSG_HDR_DW + len) * 4);
		pvgpu_channel_dispatch_locked(ch, &hdr, payload, now);
		count++;
	}
	goto publish;

malformed:
	ch->stats.f2h_malformed++;
	drm_err_ratelimited(&ch->pvdev->drm,
			    "malformed F2H message at %#x (head %#x tail %#x): ring drained\n",
			    head, r->pos, tail);
	head = tail;

publish:
	if (head == r->pos)
		return count;
	r->pos = head;
	/*
	 * The head tells the firmware it may overwrite the messages: finish
	 * reading them (coherent memory) first. Reads before a write need
	 * the full barrier; dma_rmb() and dma_wmb() order only one kind.
	 */
	dma_mb();
	WRITE_ONCE(r->desc->head, cpu_to_le32(head));
	return count;
}

/**
 * pvgpu_channel_irq() - handle a firmware interrupt for the channel
 * @ch: the channel
 *
 * Called from the MSI-X handler after the interrupt causes were
 * acknowledged: drains the F2H ring and wakes senders waiting for space.
 */
void pvgpu_channel_irq(struct pvgpu_channel *ch)
{
	spin_lock(&ch->lock);
	ch->stats.irqs++;
	pvgpu_channel_process_f2h_locked(ch);
	spin_unlock(&ch->lock);

	if (wq_has_sleeper(&ch->space_wq))
		wake_up_all(&ch->space_wq);
}

/* --- Sending ------------------------------------------------------------ */

static bool pvgpu_channel_h2f_has_space(struct pvgpu_channel *ch, u32 bytes)
{
	u32 head = pvgpu_ring_shared_head(&ch->h2f);

	lockdep_assert_held(&ch->send_lock);

	/* A bad head is reported by pvgpu_channel_h2f_wait_space(). */
	return !pvgpu_ring_pos_valid(&ch->h2f, head) ||
	       pvgpu_ring_free(&ch->h2f, head, ch->h2f.pos) >= bytes;
}

/* Room for @bytes, or no point waiting for it any more. */
static bool pvgpu_channel_h2f_ready(struct pvgpu_channel *ch, u32 bytes)
{
	return pvgpu_channel_h2f_has_space(ch, bytes) ||
	       READ_ONCE(ch->state) != PVGPU_CHANNEL_UP;
}

static int pvgpu_channel_h2f_wait_space(struct pvgpu_channel *ch, u32 bytes,
					unsigned long deadline, bool intr)
{
	struct pvgpu_ring *r = &ch->h2f;
	unsigned long wait;
	bool counted = false;
	long ret;
	u32 head;

	lockdep_assert_held(&ch->send_lock);

	for (;;) {
		if (READ_ONCE(ch->state) != PVGPU_CHANNEL_UP)
			return -ENODEV;

		head = pvgpu_ring_shared_head(r);
		if (!pvgpu_ring_pos_valid(r, head)) {
			drm_err_ratelimited(&ch->pvdev->drm,
					    "H2F head %#x out of range\n",
					    head);
			return -EIO;
		}
		if (pvgpu_ring_free(r, head, r->pos) >= bytes)
			return 0;

		if (!counted) {
			spin_lock_irq(&ch->lock);
			ch->stats.h2f_full++;
			spin_unlock_irq(&ch->lock);
			counted = true;
		}
		if (time_after_eq(jiffies, deadline)) {
			pvgpu_warn_ratelimited(&ch->pvdev->drm,
					       "H2F ring full (head %#x tail %#x)\n",
					       head, r->pos);
			return -ETIMEDOUT;
		}

		/* The firmware moves the head silently: poll as well. */
		wait = min_t(unsigned long, deadline - jiffies,
			     msecs_to_jiffies(10));
		if (intr)
			ret = wait_event_interruptible_timeout(ch->space_wq,
							       pvgpu_channel_h2f_ready(ch, bytes),
							       wait);
		else
			ret = wait_event_timeout(ch->space_wq,
						 pvgpu_channel_h2f_ready(ch, bytes),
						 wait);
		if (ret < 0)
			return ret;
	}
}

/* Writes the message and rings the doorbell; send_lock held. */
static void pvgpu_channel_h2f_write(struct pvgpu_channel *ch,
				    const struct pvgpu_channel_waiter *w,
				    const struct pvgpu_channel_msg *msg)
{
	struct pvgpu_ring *r = &ch->h2f;
	struct pvgpu_msg_hdr hdr = {
		.opcode = cpu_to_le16(msg->opcode),
		.len = cpu_to_le16(msg->req_dw),
		.seqno = cpu_to_le32(w->seqno),
		.kind = cpu_to_le16(PVGPU_MSG_KIND_REQUEST),
	};
	u32 pos;

	lockdep_assert_held(&ch->send_lock);

	pos = pvgpu_ring_write(r, r->pos, (const __le32 *)&hdr,
			       PVGPU_MSG_HDR_DW);
	pos = pvgpu_ring_write(r, pos, msg->req, msg->req_dw);
	r->pos = pos;

	/*
	 * The firmware reads the tail, then the message (coherent memory):
	 * the message must be visible to it before the tail that covers it.
	 */
	dma_wmb();
	WRITE_ONCE(r->desc->tail, cpu_to_le32(pos));

	/* Test hook: the request waits on the ring for the next doorbell. */
	if (pvgpu_channel_drop_doorbell()) {
		drm_dbg_driver(&ch->pvdev->drm,
			       "request %u: doorbell dropped (injected)\n",
			       w->seqno);
		return;
	}

	/*
	 * writel() orders earlier writes to coherent memory (the tail)
	 * before the MMIO write, so no further barrier is needed.
	 */
	writel(pos, ch->pvdev->doorbells + PVGPU_DOORBELL_H2F);
}

/* A request got no response in time: look once more, then give up. */
static void pvgpu_channel_timeout(struct pvgpu_channel *ch,
				  struct pvgpu_channel_waiter *w)
{
	pvgpu_fw_check_alive(ch->pvdev);

	spin_lock_irq(&ch->lock);
	if (!list_empty(&w->link) &&
	    pvgpu_channel_process_f2h_locked(ch) &&
	    list_empty(&w->link)) {
		ch->stats.polled++;
		pvgpu_warn_ratelimited(&ch->pvdev->drm,
				       "firmware response %u found by polling: interrupt lost?\n",
				       w->seqno);
	}
	if (!list_empty(&w->link)) {
		list_del_init(&w->link);
		w->result = -ETIMEDOUT;
		ch->stats.timeouts++;
		pvgpu_warn_ratelimited(&ch->pvdev->drm,
				       "firmware request %u (opcode %#x) timed out\n",
				       w->seqno, w->opcode);
	}
	spin_unlock_irq(&ch->lock);
}

static void pvgpu_channel_interrupted(struct pvgpu_channel *ch,
				      struct pvgpu_channel_waiter *w, int err)
{
	spin_lock_irq(&ch->lock);
	if (!list_empty(&w->link)) {
		list_del_init(&w->link);
		w->result = err;
		ch->stats.interrupted++;
	}
	spin_unlock_irq(&ch->lock);
}

/*
 * A COMMIT request failed. The firmware answering an error status refused
 * it (it checks a request before it changes anything): its state is as it
 * was, and the caller decides. A signal can only have stopped it before it
 * was sent. A request that creates state (PVGPU_CHANNEL_MSG_NOINTR not
 * set) and was never sent changed nothing either: the firmware never saw
 * it, so its caller may free what it named. Any other failure leaves the
 * firmware's state unknown, or the firmware not draining its ring or not
 * running: a cleanup request not sent within its timeout once it held the
 * channel, a request not answered in time, skipped, drained by a ring
 * error, failed because the firmware crashed, or -ENODEV because the
 * device was stopped. In every one of those cases the device is stopped
 * with its DMA blocked before the caller hears of it (pvgpu_fw_wedge()
 * waits for a stop already in progress and does nothing more after
 * removal), so that no caller frees memory the firmware may still reach.
 * A failure in an earlier @epoch than the channel's came from a firmware
 * that a device reset stopped and rebooted since: the running one never
 * saw the request, and it is not stopped for it.
 */
static void pvgpu_channel_commit_failed(struct pvgpu_channel *ch,
					struct pvgpu_channel_msg *msg, int err,
					bool sent, u32 epoch)
{
	if (err == -ERESTARTSYS ||
	    (err == -EIO && msg->fw_status != PVGPU_STATUS_OK))
		return;
	if (!sent && !(msg->flags & PVGPU_CHANNEL_MSG_NOINTR))
		return;
	/* What the wedge's own message cannot say. */
	pvgpu_warn_ratelimited(&ch->pvdev->drm,
			       "request (opcode %#x) failed %s: %d (firmware boot %u, now %u)\n",
			       msg->opcode, sent ? "sent" : "unsent", err, epoch,
			       READ_ONCE(ch->epoch));
	pvgpu_fw_wedge_epoch(ch->pvdev, epoch, err == -ETIMEDOUT ?
		       "a state-changing request was not completed in time" :
		       "a state-changing request failed without an answer");
}

/*
 * The firmware boot a request that was not sent is a failure of: the
 * running one, or while a device reset boots the next one (READY) the one
 * that was stopped before the rings were reset -- not the one booting,
 * which never saw the request. Under send_lock, so the state cannot move
 * to READY meanwhile.
 */
static u32 pvgpu_channel_unsent_epoch(struct pvgpu_channel *ch)
{
	u32 epoch;

	lockdep_assert_held(&ch->send_lock);
	spin_lock_irq(&ch->lock);
	epoch = ch->epoch - (ch->state == PVGPU_CHANNEL_READY);
	spin_unlock_irq(&ch->lock);
	return epoch;
}

/**
 * pvgpu_channel_send() - send a request and wait for its response
 * @ch: the channel
 * @msg: the request; on return the response's status, payload and the
 *	round-trip time
 * @timeout_ms: how long to wait for &pvgpu_channel.send_lock, for H2F
 *	space and for the response, all together; at least one jiffy
 *
 * Sleeps interruptibly. -ETIMEDOUT and -ERESTARTSYS come in two kinds:
 *
 * - before the request is on the ring (waiting for send_lock or for H2F
 *   space): nothing was sent, nothing happened; a restart is safe;
 * - after it was sent (waiting for the response): the firmware may still
 *   serve it; its response, if it comes, is dropped as an orphan and
 *   never answers another request. A restart sends it again, so a caller
 *   whose request is not idempotent must not return -ERESTARTSYS as is.
 *
 * With PVGPU_CHANNEL_MSG_COMMIT in &pvgpu_channel_msg.flags the second
 * kind does not exist: the wait for the response is uninterruptible, and
 * every failure but a refusal or a state-creating request that was never
 * sent stops the device before the call returns (see
 * PVGPU_CHANNEL_MSG_COMMIT).
 *
 * Return: 0 when the firmware answered PVGPU_STATUS_OK; -EIO when it
 * answered another status (see &pvgpu_channel_msg.fw_status), answered
 * nonsense, or stopped while the request was pending; -ENODEV when the
 * firmware does not run or the device is going away; -ETIMEDOUT; -EINVAL
 * for a payload larger than PVGPU_MSG_MAX_PAYLOAD_DW; -ERESTARTSYS.
 */
int pvgpu_channel_send(struct pvgpu_channel *ch, struct pvgpu_channel_msg *msg,
		       unsigned int timeout_ms)
{
	struct pvgpu_channel_waiter w = {
		.opcode = msg->opcode,
		.resp = msg->resp,
		.resp_max_dw = msg->resp_dw,
	};
	u32 bytes = (PVGPU_MSG_HDR_DW + msg->req_dw) * 4;
	unsigned long timeout = max(msecs_to_jiffies(timeout_ms), 1UL);
	bool cleanup = (msg->flags & PVGPU_CHANNEL_MSG_COMMIT) &&
		       (msg->flags & PVGPU_CHANNEL_MSG_NOINTR);
	/* Of the firmware the request went to: pvgpu_channel_commit_failed(). */
	u32 epoch;
	bool sent = false;
	unsigned long deadline;
	ktime_t t_woken;
	long left;
	int ret;

	if (msg->req_dw > PVGPU_MSG_MAX_PAYLOAD_DW ||
	    (msg->req_dw && !msg->req) || (msg->resp_dw && !msg->resp))
		return -EINVAL;

	INIT_LIST_HEAD(&w.link);
	init_completion(&w.done);
	/* The timeout covers the wait for send_lock too ... */
	deadline = jiffies + timeout;

	/*
	 * -ERESTARTSYS like every other wait here (the mutex says -EINTR):
	 * nothing was sent, so restarting the call is safe.
	 */
	if (msg->flags & PVGPU_CHANNEL_MSG_NOINTR)
		mutex_lock(&ch->send_lock);
	else if (mutex_lock_interruptible(&ch->send_lock))
		return -ERESTARTSYS;

	/*
	 * ... except for a state-changing cleanup request (an unmap, an
	 * invalidation, a deregistration), which may not fail unsent without
	 * stopping the device: however many senders queue for the channel
	 * (each holds it for a bounded time), it gets its whole timeout once
	 * it holds the channel, so that only a firmware that does not drain
	 * its ring for that long stops the device, never a busy channel.
	 */
	if (cleanup)
		deadline = jiffies + timeout;

	/*
	 * Test hook: the channel stays busy for this request until its
	 * deadline, as if another sender held it or the H2F ring stayed full.
	 */
	if (atomic_cmpxchg(&ch->inject_stall_opcode, msg->opcode + 1, 0) ==
	    msg->opcode + 1) {
		drm_dbg_driver(&ch->pvdev->drm,
			       "request (opcode %#x): channel stalled (injected)\n",
			       msg->opcode);
		while (time_before(jiffies, deadline))
			schedule_timeout_uninterruptible(deadline - jiffies);
	}

	if (time_after_eq(jiffies, deadline)) {
		pvgpu_warn_ratelimited(&ch->pvdev->drm,
				       "firmware channel busy: request (opcode %#x) not sent within %u ms\n",
				       msg->opcode, timeout_ms);
		ret = -ETIMEDOUT;
		goto out_unlock;
	}

	ret = pvgpu_channel_h2f_wait_space(ch, bytes, deadline,
					   !(msg->flags & PVGPU_CHANNEL_MSG_NOINTR));
	if (ret)
		goto out_unlock;

	spin_lock_irq(&ch->lock);
	if (ch->state != PVGPU_CHANNEL_UP) {
		spin_unlock_irq(&ch->lock);
		ret = -ENODEV;
		goto out_unlock;
	}
	epoch = ch->epoch;
	w.seqno = ch->next_seqno++;
	if (!ch->next_seqno)
		ch->next_seqno = 1;
	/*
	 * Under the lock the interrupt handler takes its receive time in,
	 * and before the request can be answered: the round trip is never
	 * negative, whatever the device does.
	 */
	w.t_submit = ktime_get();
	/* Before the tail moves, so the response always finds it. */
	list_add_tail(&w.link, &ch->pending);
	ch->stats.requests++;
	spin_unlock_irq(&ch->lock);

	pvgpu_channel_h2f_write(ch, &w, msg);
	mutex_unlock(&ch->send_lock);
	sent = true;

	left = max_t(long, (long)(deadline - jiffies), 1);
	if (msg->flags & (PVGPU_CHANNEL_MSG_COMMIT | PVGPU_CHANNEL_MSG_NOINTR))
		left = wait_for_completion_timeout(&w.done, left);
	else
		left = wait_for_completion_interruptible_timeout(&w.done, left);
	/* The sender runs again: the end of what wake_ns measures. */
	t_woken = ktime_get();
	if (left == 0)
		pvgpu_channel_timeout(ch, &w);
	else if (left < 0)
		pvgpu_channel_interrupted(ch, &w, left);

	/* Off the list now: nobody else touches w any more. */
	msg->fw_status = w.refused ? w.fw_status : PVGPU_STATUS_OK;
	msg->resp_dw = w.resp_dw;
	msg->rtt_ns = w.result ? 0 : w.rtt_ns;
	/* After the handler's receive time (complete() came after it). */
	msg->wake_ns = w.result ? 0 :
		       max_t(s64, ktime_to_ns(ktime_sub(t_woken, w.t_submit)),
			     w.rtt_ns);
	ret = w.result;
	goto out_checked;

out_unlock:
	epoch = pvgpu_channel_unsent_epoch(ch);
	mutex_unlock(&ch->send_lock);
	msg->fw_status = PVGPU_STATUS_OK;
out_checked:
	if (ret && (msg->flags & PVGPU_CHANNEL_MSG_COMMIT))
		pvgpu_channel_commit_failed(ch, msg, ret, sent, epoch);
	return ret;
}

/**
 * pvgpu_channel_print() - print the channel's state and statistics
 * @ch: the channel
 * @p: where to
 */
void pvgpu_channel_print(struct pvgpu_channel *ch, struct drm_printer *p)
{
	struct pvgpu_channel_stats s;
	enum pvgpu_channel_state state;
	unsigned int pending = 0;
	struct pvgpu_channel_waiter *w;
	u32 next_seqno, event_seqno, f2h_pos;

	spin_lock_irq(&ch->lock);
	s = ch->stats;
	state = ch->state;
	next_seqno = ch->next_seqno;
	event_seqno = ch->last_event_seqno;
	f2h_pos = ch->f2h.pos;
	list_for_each_entry(w, &ch->pending, link)
		pending++;
	spin_unlock_irq(&ch->lock);

	drm_printf(p, "state: %s\n", pvgpu_channel_state_name(state));
	drm_printf(p, "pending: %u\n", pending);
	drm_printf(p, "next_seqno: %u\n", next_seqno);
	drm_printf(p, "last_event_seqno: %u\n", event_seqno);
	if (state != PVGPU_CHANNEL_OFF) {
		drm_printf(p, "h2f: size %#x head %#x tail %#x status %#x\n",
			   ch->h2f.size, pvgpu_ring_shared_head(&ch->h2f),
			   pvgpu_ring_shared_tail(&ch->h2f),
			   pvgpu_ring_shared_status(&ch->h2f));
		drm_printf(p, "f2h: size %#x head %#x tail %#x status %#x\n",
			   ch->f2h.size, f2h_pos,
			   pvgpu_ring_shared_tail(&ch->f2h),
			   pvgpu_ring_shared_status(&ch->f2h));
	}
	drm_printf(p, "requests: %llu\n", s.requests);
	drm_printf(p, "responses: %llu\n", s.responses);
	drm_printf(p, "fw_errors: %llu\n", s.fw_errors);
	drm_printf(p, "timeouts: %llu\n", s.timeouts);
	drm_printf(p, "interrupted: %llu\n", s.interrupted);
	drm_printf(p, "orphans: %llu\n", s.orphans);
	drm_printf(p, "failed: %llu\n", s.failed);
	drm_printf(p, "skipped: %llu\n", s.skipped);
	drm_printf(p, "events: %llu\n", s.events);
	drm_printf(p, "events_lost: %llu\n", s.events_lost);
	drm_printf(p, "log_events: %llu\n", s.log_events);
	drm_printf(p, "unknown_events: %llu\n", s.unknown_events);
	drm_printf(p, "ring_errors: %llu\n", s.ring_errors);
	drm_printf(p, "f2h_malformed: %llu\n", s.f2h_malformed);
	drm_printf(p, "h2f_full: %llu\n", s.h2f_full);
	drm_printf(p, "irqs: %llu\n", s.irqs);
	drm_printf(p, "polled: %llu\n", s.polled);
	drm_printf(p, "latency_last_ns: %llu\n", s.latency_last_ns);
	drm_printf(p, "latency_max_ns: %llu\n", s.latency_max_ns);
	drm_printf(p, "latency_avg_ns: %llu\n",
		   s.responses ? div64_u64(s.latency_total_ns, s.responses) : 0);
}
