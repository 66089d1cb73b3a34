// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: the bridges between user queues and syncobjs
 * (USERQ_SIGNAL, USERQ_WAIT) and the dependency-queue backend that carries
 * the SIGNAL fences. The queue object is pvgpu_userq.c.
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/dma-fence.h>
#include <linux/dma-fence-array.h>
#include <linux/err.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_print.h>

#include <uapi/drm/pvgpu_drm.h>

#include "pvgpu_drv.h"
#include "pvgpu_fwif.h"
#include "pvgpu_sync.h"
#include "pvgpu_userq.h"

/**
 * DOC: User-queue bridges
 *
 * USERQ_SIGNAL turns the queue's progress into a dma-fence:
 * one dependency-queue job per call whose target is the position (in
 * retired ring bytes) of the write pointer at the call. It completes when
 * the firmware's retired count, which no GPU address space maps,
 * reaches the target: the firmware raises a PROGRESS event when the count
 * passes the lowest pending target, which the kernel writes as the
 * threshold. The jobs have a timeout (signal_timeout_ms): a queue that
 * does not get there is reset and banned, and its fences signal with
 * -ETIMEDOUT, so a user queue can never hold a dma-fence forever.
 * USERQ_WAIT goes the other way: the kernel writes user fences (a value
 * the queue's WAIT command polls) once syncobj fences signalled; that
 * direction needs no timeout, as no dma-fence depends on the queue.
 */

/**
 * struct pvgpu_userq_job - one USERQ_SIGNAL: a fence on a position
 */
struct pvgpu_userq_job {
	/** @base: the dependency-queue job. */
	struct pvgpu_dep_job base;
	/** @target: retired count at which the job completes. */
	u64 target;
	/** @link: in &pvgpu_user_queue.signal_jobs once started. */
	struct list_head link;
};

static inline struct pvgpu_userq_job *to_userq_job(struct pvgpu_dep_job *job)
{
	return container_of(job, struct pvgpu_userq_job, base);
}

/* --- Progress: completing SIGNAL jobs -------------------------------------- */

/*
 * Completes the started SIGNAL jobs whose target was retired and asks the
 * firmware for an event at the lowest target left. Under state_lock.
 */
static void pvgpu_userq_progress_locked(struct pvgpu_user_queue *uq,
					struct list_head *done)
{
	struct pvgpu_userq_job *job, *next;
	u64 retired, lowest;

	lockdep_assert_held(&uq->state_lock);
	do {
		retired = pvgpu_userq_retired(uq);
		lowest = 0;
		list_for_each_entry_safe(job, next, &uq->signal_jobs, link) {
			if (job->target <= retired)
				list_move_tail(&job->link, done);
			else if (!lowest || job->target < lowest)
				lowest = job->target;
		}
		WRITE_ONCE(uq->progress->notify_at, cpu_to_le64(lowest));
		/*
		 * The firmware reads the threshold after it writes the count:
		 * a count that passed the target before the threshold was
		 * stored raises nothing, so look again.
		 */
		smp_mb();
	} while (lowest && pvgpu_userq_retired(uq) >= lowest);
}

static void pvgpu_userq_jobs_complete(struct list_head *done, int error)
{
	struct pvgpu_userq_job *job, *next;

	list_for_each_entry_safe(job, next, done, link) {
		list_del_init(&job->link);
		pvgpu_dep_job_done(&job->base, error);
		pvgpu_dep_job_put(&job->base);
	}
}

/**
 * pvgpu_userq_progress() - complete the SIGNAL fences a queue has reached
 * @uq: the queue
 *
 * Any context (the interrupt handler: a PROGRESS, IDLE or error event, or
 * the scan after lost events).
 */
void pvgpu_userq_progress(struct pvgpu_user_queue *uq)
{
	unsigned long flags;
	LIST_HEAD(done);

	spin_lock_irqsave(&uq->state_lock, flags);
	pvgpu_userq_progress_locked(uq, &done);
	spin_unlock_irqrestore(&uq->state_lock, flags);
	pvgpu_userq_jobs_complete(&done, 0);
}

/*
 * Records why the queue stopped, once. Return: true if this call did (the
 * caller then bans it).
 */
bool pvgpu_userq_set_reset(struct pvgpu_user_queue *uq, u32 state, u32 reason)
{
	unsigned long flags;
	bool first;

	spin_lock_irqsave(&uq->state_lock, flags);
	first = !(uq->state & PVGPU_USERQ_RESET);
	if (first) {
		uq->state |= PVGPU_USERQ_RESET | state;
		uq->reason = reason;
	}
	spin_unlock_irqrestore(&uq->state_lock, flags);
	return first;
}

/*
 * Signals every pending SIGNAL fence with @error: the firmware no longer
 * runs the queue (it stopped it, or the kernel reset it).
 */
void pvgpu_userq_ban(struct pvgpu_user_queue *uq, int error)
{
	unsigned long flags;
	LIST_HEAD(dropped);

	spin_lock_irqsave(&uq->state_lock, flags);
	list_splice_init(&uq->signal_jobs, &dropped);
	spin_unlock_irqrestore(&uq->state_lock, flags);
	pvgpu_userq_jobs_complete(&dropped, error);
	pvgpu_dep_queue_ban(&uq->base.dq, error);
	pvgpu_ufence_wake_queue(uq->pfile, &uq->base);
}

/* --- Dependency-queue backend: SIGNAL jobs --------------------------------- */

static int pvgpu_userq_run_job(struct pvgpu_dep_job *dep_job)
{
	struct pvgpu_user_queue *uq = dq_to_uq(dep_job->q);
	struct pvgpu_userq_job *job = to_userq_job(dep_job);
	unsigned long flags;
	LIST_HEAD(done);

	spin_lock_irqsave(&uq->state_lock, flags);
	if (uq->state & PVGPU_USERQ_RESET) {
		spin_unlock_irqrestore(&uq->state_lock, flags);
		return -EIO;
	}
	list_add_tail(&job->link, &uq->signal_jobs);
	pvgpu_dep_job_get(dep_job);
	pvgpu_userq_progress_locked(uq, &done);
	spin_unlock_irqrestore(&uq->state_lock, flags);
	pvgpu_userq_jobs_complete(&done, 0);
	return 0;
}

static void pvgpu_userq_timedout_job(struct pvgpu_dep_job *dep_job)
{
	struct pvgpu_user_queue *uq = dq_to_uq(dep_job->q);
	struct pvgpu_device *pvdev = uq->pvdev;

	/* Reached, and the event was lost: no hang. */
	pvgpu_userq_progress(uq);
	if (test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &dep_job->fence->flags))
		return;
	if (!pvgpu_userq_set_reset(uq, PVGPU_USERQ_GUILTY,
				   DRM_PVGPU_QUEUE_REASON_SIGNAL_TIMEOUT))
		return;
	pvgpu_userq_emit(uq, DRM_PVGPU_EVENT_QUEUE_RESET, DRM_PVGPU_EVENT_GUILTY,
			 DRM_PVGPU_QUEUE_REASON_SIGNAL_TIMEOUT,
			 (u64)(s64)-ETIMEDOUT, 0);
	pvgpu_info_ratelimited(&pvdev->drm,
			       "user queue (fw %u): SIGNAL fence %llu not reached after %u ms (retired %llu of %llu), resetting\n",
			       uq->fw_id, dep_job->seqno, dep_job->q->timeout_ms,
			       pvgpu_userq_retired(uq),
			       to_userq_job(dep_job)->target);
	/* Stopped (or the device wedged) before the fences signal. */
	mutex_lock(&uq->fw_lock);
	pvgpu_fw_queue_request(pvdev, uq->fw_id, PVGPU_H2F_QUEUE_RESET,
			       &uq->deregistered);
	mutex_unlock(&uq->fw_lock);
	pvgpu_userq_ban(uq, -ETIMEDOUT);
}

static void pvgpu_userq_free_job(struct pvgpu_dep_job *dep_job)
{
	kfree(to_userq_job(dep_job));
}

const struct pvgpu_dep_queue_ops pvgpu_userq_ops = {
	.run_job = pvgpu_userq_run_job,
	.timedout_job = pvgpu_userq_timedout_job,
	.free_job = pvgpu_userq_free_job,
	.release = pvgpu_userq_release,
};

/* --- Bridges ---------------------------------------------------------------- */

static struct pvgpu_user_queue *
pvgpu_userq_lookup(struct pvgpu_file *pfile, u32 queue_id)
{
	struct pvgpu_queue *queue = pvgpu_queue_lookup(pfile, queue_id);

	if (queue && queue->kind != PVGPU_QUEUE_USER) {
		pvgpu_queue_put(queue);
		queue = NULL;
	}
	return queue ? to_pvgpu_user_queue(queue) : NULL;
}

/*
 * The position of the write pointer: the retired count plus what lies
 * between the read and write pointers. The write pointer is the
 * process's; a wrong one only moves its own fence (and a pointer the
 * firmware refuses stops the queue, which fails the fence).
 */
static u64 pvgpu_userq_wptr_position(struct pvgpu_user_queue *uq)
{
	u32 wptr = le32_to_cpu(READ_ONCE(*(__le32 *)page_address(uq->wptr_page)));
	u64 retired = pvgpu_userq_retired(uq);

	return retired + ((wptr - (u32)retired) & (uq->ring_size - 1));
}

/**
 * pvgpu_ioctl_userq_signal() - DRM_IOCTL_PVGPU_USERQ_SIGNAL
 * @drm: the DRM device
 * @data: struct drm_pvgpu_userq_signal
 * @file: the DRM file
 *
 * Return: 0, or the errors listed at struct drm_pvgpu_userq_signal.
 */
int pvgpu_ioctl_userq_signal(struct drm_device *drm, void *data,
			     struct drm_file *file)
{
	struct pvgpu_device *pvdev = to_pvgpu_device(drm);
	struct drm_pvgpu_userq_signal *args = data;
	struct pvgpu_syncs syncs = { };
	struct pvgpu_user_queue *uq;
	struct pvgpu_userq_job *job;
	struct pvgpu_dep_queue *dq;
	int ret, idx;

	if (args->extensions || args->flags || args->pad ||
	    args->reserved[0] || args->reserved[1] ||
	    args->num_syncs > DRM_PVGPU_MAX_SYNCS)
		return -EINVAL;
	uq = pvgpu_userq_lookup(to_pvgpu_file(file), args->queue_id);
	if (!uq)
		return -ENOENT;
	dq = &uq->base.dq;
	ret = -ECANCELED;
	if (pvgpu_dep_queue_is_banned(dq))
		goto out_put;
	ret = -ENODEV;
	if (!drm_dev_enter(drm, &idx))
		goto out_put;

	ret = pvgpu_syncs_parse(pvdev, file, args->syncs, args->num_syncs,
				uq->lr ? PVGPU_SYNCS_LR : 0, &syncs);
	if (ret)
		goto out_syncs;
	job = kzalloc(sizeof(*job), GFP_KERNEL_ACCOUNT);
	ret = -ENOMEM;
	if (!job)
		goto out_syncs;
	INIT_LIST_HEAD(&job->link);
	ret = pvgpu_dep_job_init(&job->base, dq);
	if (ret) {
		kfree(job);
		goto out_syncs;
	}
	ret = pvgpu_syncs_add_deps(&syncs, &job->base);
	if (ret)
		goto out_job;

	if (mutex_lock_interruptible(&dq->submit_lock)) {
		ret = -ERESTARTSYS;
		goto out_job;
	}
	ret = -ECANCELED;
	if (pvgpu_dep_queue_is_banned(dq))
		goto out_unlock;
	ret = -EWOULDBLOCK;
	if (pvgpu_queue_jobs_full(&uq->base))
		goto out_unlock;
	/* Everything written before the call, in call order. */
	job->target = pvgpu_userq_wptr_position(uq);
	pvgpu_dep_job_arm(&job->base);
	pvgpu_syncs_signal(&syncs, job->base.fence);
	pvgpu_dep_job_push(&job->base);
	mutex_unlock(&dq->submit_lock);
	ret = 0;
	job = NULL;
	goto out_syncs;

out_unlock:
	mutex_unlock(&dq->submit_lock);
out_job:
	pvgpu_dep_job_put(&job->base);
out_syncs:
	pvgpu_syncs_fini(&syncs);
	drm_dev_exit(idx);
out_put:
	pvgpu_queue_put(&uq->base);
	return ret;
}

/**
 * pvgpu_ioctl_userq_wait() - DRM_IOCTL_PVGPU_USERQ_WAIT
 * @drm: the DRM device
 * @data: struct drm_pvgpu_userq_wait
 * @file: the DRM file
 *
 * Return: 0, or the errors listed at struct drm_pvgpu_userq_wait.
 */
int pvgpu_ioctl_userq_wait(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct pvgpu_device *pvdev = to_pvgpu_device(drm);
	struct drm_pvgpu_userq_wait *args = data;
	struct pvgpu_syncs syncs = { };
	struct dma_fence **fences = NULL;
	struct dma_fence *merged = NULL;
	struct pvgpu_user_queue *uq;
	u32 i, n = 0;
	int ret, idx;

	if (args->extensions || args->flags || args->pad ||
	    args->reserved[0] || args->reserved[1] ||
	    args->num_syncs > DRM_PVGPU_MAX_SYNCS)
		return -EINVAL;
	uq = pvgpu_userq_lookup(to_pvgpu_file(file), args->queue_id);
	if (!uq)
		return -ENOENT;
	ret = -ECANCELED;
	if (pvgpu_dep_queue_is_banned(&uq->base.dq))
		goto out_put;
	ret = -ENODEV;
	if (!drm_dev_enter(drm, &idx))
		goto out_put;

	/* Out-syncs: user fences only (the LR rule), at least one. */
	ret = pvgpu_syncs_parse(pvdev, file, args->syncs, args->num_syncs,
				PVGPU_SYNCS_LR, &syncs);
	if (ret)
		goto out_syncs;
	ret = -EINVAL;
	if (!syncs.num_out)
		goto out_syncs;

	ret = -ENOMEM;
	fences = kmalloc_array(syncs.count, sizeof(*fences),
			       GFP_KERNEL_ACCOUNT);
	if (!fences)
		goto out_syncs;
	for (i = 0; i < syncs.count; i++)
		if (!syncs.entries[i].signal && syncs.entries[i].fence)
			fences[n++] = dma_fence_get(syncs.entries[i].fence);
	if (!n) {
		merged = dma_fence_get_stub();
	} else if (n == 1) {
		merged = fences[0];
	} else {
		struct dma_fence_array *array;

		/* The array takes over @fences and their references. */
		array = dma_fence_array_create(n, fences,
					       dma_fence_context_alloc(1), 1,
					       false);
		if (!array)
			goto out_syncs;
		fences = NULL;
		merged = &array->base;
	}
	pvgpu_syncs_signal(&syncs, merged);
	ret = 0;

out_syncs:
	dma_fence_put(merged);
	/* @fences still holds references only if the array was not made. */
	if (fences && !merged)
		while (n)
			dma_fence_put(fences[--n]);
	kfree(fences);
	pvgpu_syncs_fini(&syncs);
	drm_dev_exit(idx);
out_put:
	pvgpu_queue_put(&uq->base);
	return ret;
}
