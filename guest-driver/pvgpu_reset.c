// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: device reset and recovery.
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include <uapi/drm/pvgpu_drm.h>

#include "pvgpu_drv.h"
#include "pvgpu_fw.h"
#include "pvgpu_queue.h"
#include "pvgpu_reset.h"
#include "pvgpu_vm.h"

/**
 * DOC: Device reset and recovery
 *
 * A queue that hangs or faults is reset by the firmware alone (the
 * watchdog, a preemption timeout) or at the driver's request (a job
 * timeout); the other queues go on. What a queue reset cannot mend needs
 * the whole device reset: the firmware crashed (PVGPU_FW_STATE_HALTED), it
 * failed or did not answer a state-changing request (pvgpu_fw_wedge()),
 * or an engine did not recover from a queue reset (a QUEUE_ERROR event
 * with PVGPU_QUEUE_ERROR_ENGINE_RESET_FAILED). Root can ask for one too
 * (debugfs ``reset``). pvgpu_reset_schedule() queues &pvgpu_reset.work,
 * which recovers the device without a rebind, in three steps:
 *
 * 1. **Stop.** The channel fails (pending requests -EIO), the firmware is
 *    reset and the device's DMA blocked (pvgpu_fw_reset_stop()), so from
 *    here on nothing the firmware could reach is reached: a sender whose
 *    request failed may free what it named, as after any wedge.
 * 2. **Settle** (pvgpu_queues_reset_settle()). The firmware is stopped, so
 *    every queue's fence and read pointer are final. Every exec queue
 *    signals the jobs its fence covers. A queue banned before, or being
 *    destroyed, is marked deregistered (the new firmware never knows
 *    it). For every other exec queue the oldest unfinished job decides,
 *    after Xe's rule that work with partial side effects is not replayed:
 *    a job with a batch starts with a NOP, so the read pointer tells
 *    whether the firmware had begun it. *Not begun* (the read pointer
 *    still at the job's first command): the queue keeps all its jobs and
 *    the ring is replayed from there, exactly. *Begun*: the queue is
 *    banned, innocent, reason DRM_PVGPU_QUEUE_REASON_DEVICE_RESET, its
 *    fences signal -ECANCELED. A user queue's state (where it was in a
 *    batch, what it waited for) lives in the firmware and is lost: every
 *    user queue is banned the same way. The queue that made the firmware
 *    fail (a QUEUE_RESET refused, an engine that did not recover) was
 *    banned guilty before the reset, with its own reason.
 * 3. **Recover**, under &pvgpu_reset.lock for writing: the firmware boots
 *    again in the same shared memory (pvgpu_fw_restart()); every bound VM
 *    gets its address space again, with the same asid and the page tables
 *    as they are (pvgpu_vms_reset_recover()): a bind that went on during
 *    the reset is in them, and its TLB invalidation is moot, the new
 *    firmware's TLB is empty. Every surviving exec queue is registered
 *    again and its doorbell rung (pvgpu_queues_reset_recover()). Then the
 *    reset is counted (DRM_PVGPU_QUERY_DEVICE reset_count) and every open
 *    file gets DRM_PVGPU_EVENT_DEVICE_RESET.
 *
 * No fence signals success for work that was not done: only a job's FENCE
 * command, run by the firmware after the job, writes the fence the
 * completion reads, and the reset signals nothing else with success.
 *
 * **Races.** Creating or destroying a VM or a queue takes &pvgpu_reset.lock
 * for reading around its firmware request and its list entry
 * (pvgpu_reset_read_lock(), which first waits for a reset in progress),
 * so step 3 sees each object either registered or not at all. The
 * per-queue decisions are taken under the queue's fw_lock, which its
 * destruction and its job timeout hold around their requests. A request
 * that failed because of the stop in step 1 names the firmware's epoch;
 * its late pvgpu_fw_wedge() does not stop the rebooted firmware. A
 * failure while step 3 talks to the new firmware (it crashed again)
 * schedules the next reset: the work runs again. A reset requested while
 * one runs is done after it. Removal waits for a reset in progress
 * (drm_dev_unplug(): the work runs inside drm_dev_enter()) and no reset
 * boots a removed device.
 *
 * **Giving up.** With the module parameter reset_recovery off, or when
 * more than max_resets_per_minute resets completed within the last
 * minute (a reset storm: something resets the device faster than it can
 * work), or when the firmware does not boot again (PVGPU_RESET_BOOT_TRIES
 * resets in a row), the device is wedged
 * as before recovery existed: every queue is banned, DRM_PVGPU_EVENT_DEVICE_WEDGED
 * goes out, DRM_PVGPU_QUERY_DEVICE reports DRM_PVGPU_DEVICE_WEDGED, and
 * only an unbind and bind of the driver brings the device back.
 */

/* Boots that may fail in a row before the device is wedged. */
#define PVGPU_RESET_BOOT_TRIES	3

static bool pvgpu_reset_recovery = true;
module_param_named(reset_recovery, pvgpu_reset_recovery, bool, 0644);
MODULE_PARM_DESC(reset_recovery,
		 "Reset and recover the device when its firmware fails; off: wedge it until rebound (default on)");

static unsigned int pvgpu_max_resets_per_minute = 10;
module_param_named(max_resets_per_minute, pvgpu_max_resets_per_minute, uint,
		   0644);
MODULE_PARM_DESC(max_resets_per_minute,
		 "Device resets within a minute beyond which the device is wedged instead (at most 32; default 10)");

static const char *pvgpu_reset_cause_name(u32 cause)
{
	switch (cause) {
	case DRM_PVGPU_RESET_CAUSE_REQUESTED:
		return "requested";
	case DRM_PVGPU_RESET_CAUSE_FW_CRASH:
		return "firmware crashed";
	case DRM_PVGPU_RESET_CAUSE_FW_ERROR:
		return "firmware request failed";
	case DRM_PVGPU_RESET_CAUSE_ENGINE:
		return "engine did not recover";
	case DRM_PVGPU_RESET_CAUSE_POWER_LOSS:
		return "state lost in system sleep";
	default:
		return "unknown";
	}
}

/**
 * pvgpu_reset_schedule() - reset the device and recover it
 * @pvdev: the device
 * @cause: DRM_PVGPU_RESET_CAUSE_*
 *
 * Queues the reset work (see the DOC: section); a reset asked for while
 * one is pending is the same reset, one asked for while one runs is the
 * next. Any context.
 *
 * Return: true if a reset will run; false if recovery is off or the device
 * is wedged (the caller wedges it then).
 */
bool pvgpu_reset_schedule(struct pvgpu_device *pvdev, u32 cause)
{
	struct pvgpu_reset *r = &pvdev->reset;

	if (!READ_ONCE(pvgpu_reset_recovery) || pvgpu_fw_is_wedged(pvdev))
		return false;
	if (!atomic_cmpxchg(&r->cause, 0, cause))
		r->requested_at = ktime_get();
	atomic_inc(&r->requested);
	queue_work(r->wq, &r->work);
	return true;
}

/**
 * pvgpu_reset_recovers() - whether a stopped firmware is booted again
 * @pvdev: the device
 *
 * Return: true unless recovery is off, the device is wedged or was
 * removed: every stop of the firmware is then followed by a reset that
 * boots it again (one is pending, or ran since).
 */
bool pvgpu_reset_recovers(struct pvgpu_device *pvdev)
{
	return READ_ONCE(pvgpu_reset_recovery) && !pvgpu_fw_is_wedged(pvdev) &&
	       !READ_ONCE(pvdev->fw.removed);
}

/**
 * pvgpu_reset_pending() - whether a reset was asked for and is not done
 * @pvdev: the device
 *
 * Return: true from pvgpu_reset_schedule() until its work finished.
 */
bool pvgpu_reset_pending(struct pvgpu_device *pvdev)
{
	return atomic_read(&pvdev->reset.requested) !=
	       atomic_read(&pvdev->reset.handled);
}

/**
 * pvgpu_reset_wait() - wait until no reset is pending
 * @pvdev: the device
 *
 * Return: 0, or -ERESTARTSYS on a signal.
 */
int pvgpu_reset_wait(struct pvgpu_device *pvdev)
{
	return wait_event_interruptible(pvdev->reset.done_wq,
					!pvgpu_reset_pending(pvdev));
}

/**
 * pvgpu_reset_read_lock() - keep device resets out of a registration
 * @pvdev: the device
 *
 * For the paths that add an address space or a queue to the firmware and
 * to the device's lists, or take one away: waits for a reset in progress,
 * then takes &pvgpu_reset.lock for reading. A reset that starts meanwhile
 * makes the caller's request fail (-EIO, -ENODEV) as any firmware stop
 * does; it is recovered only once the caller unlocked.
 *
 * Return: 0 with the lock held, or -ERESTARTSYS.
 */
int pvgpu_reset_read_lock(struct pvgpu_device *pvdev)
{
	int ret;

	ret = pvgpu_reset_wait(pvdev);
	if (ret)
		return ret;
	if (down_read_interruptible(&pvdev->reset.lock))
		return -ERESTARTSYS;
	return 0;
}

/**
 * pvgpu_reset_read_unlock() - undo pvgpu_reset_read_lock()
 * @pvdev: the device
 */
void pvgpu_reset_read_unlock(struct pvgpu_device *pvdev)
{
	up_read(&pvdev->reset.lock);
}

/**
 * pvgpu_reset_count() - device resets completed
 * @pvdev: the device
 *
 * Return: the count DRM_PVGPU_QUERY_DEVICE reports.
 */
u64 pvgpu_reset_count(struct pvgpu_device *pvdev)
{
	return atomic64_read(&pvdev->reset.count);
}

/* Whether another reset now would exceed max_resets_per_minute. */
static bool pvgpu_reset_storm(struct pvgpu_reset *r)
{
	unsigned int limit = min_t(unsigned int,
				   READ_ONCE(pvgpu_max_resets_per_minute),
				   PVGPU_RESET_HISTORY);
	ktime_t oldest;

	if (!limit)
		return true;
	/* The limit-th latest reset, if it was less than a minute ago. */
	oldest = r->history[(r->history_pos + PVGPU_RESET_HISTORY - limit) %
			    PVGPU_RESET_HISTORY];
	return oldest && ktime_ms_delta(ktime_get(), oldest) < 60 * MSEC_PER_SEC;
}

static void pvgpu_reset_work(struct work_struct *work)
{
	struct pvgpu_reset *r = container_of(work, struct pvgpu_reset, work);
	struct pvgpu_device *pvdev = container_of(r, struct pvgpu_device,
						  reset);
	struct pvgpu_reset_stats stats = { };
	int seq = atomic_read(&r->requested);
	ktime_t requested_at = r->requested_at;
	u32 cause = atomic_xchg(&r->cause, 0);
	int idx, ret;

	if (!drm_dev_enter(&pvdev->drm, &idx))
		goto out;

	/* 1. Stop (or give up). */
	if (!pvgpu_fw_reset_stop(pvdev, pvgpu_reset_storm(r) ?
				 "device resets came too often" : NULL))
		goto out_exit;
	drm_info(&pvdev->drm, "device reset: %s\n",
		 pvgpu_reset_cause_name(cause));

	/* 2. Settle what the stopped firmware left. */
	pvgpu_queues_reset_settle(pvdev, &stats);

	/* 3. Boot, and tell the firmware again what exists. */
	down_write(&r->lock);
	ret = pvgpu_fw_restart(pvdev);
	if (ret) {
		up_write(&r->lock);
		/* Once more (a crash in the middle), then give up. */
		if (ret != -ENODEV &&
		    (++r->boot_failures > PVGPU_RESET_BOOT_TRIES ||
		     !pvgpu_reset_schedule(pvdev, cause)))
			pvgpu_fw_reset_stop(pvdev, "the firmware did not boot again");
		goto out_exit;
	}
	r->boot_failures = 0;
	ret = pvgpu_vms_reset_recover(pvdev);
	if (!ret)
		ret = pvgpu_queues_reset_recover(pvdev, &stats);
	up_write(&r->lock);
	/* A request of step 3 failed: that scheduled the next reset. */
	if (ret)
		goto out_exit;

	r->history[r->history_pos] = ktime_get();
	r->history_pos = (r->history_pos + 1) % PVGPU_RESET_HISTORY;
	r->last_cause = cause;
	r->last_ns = ktime_to_ns(ktime_sub(ktime_get(), requested_at));
	r->queues_resubmitted += stats.resubmitted;
	r->queues_banned += stats.banned;
	atomic64_inc(&r->count);
	drm_info(&pvdev->drm,
		 "device recovered in %llu us: %u queues resubmitted, %u banned\n",
		 div_u64(r->last_ns, NSEC_PER_USEC), stats.resubmitted,
		 stats.banned);
	pvgpu_event_emit_device(pvdev, DRM_PVGPU_EVENT_DEVICE_RESET,
				atomic64_read(&r->count), cause);
out_exit:
	drm_dev_exit(idx);
out:
	atomic_set(&r->handled, seq);
	wake_up_all(&r->done_wq);
}

/**
 * pvgpu_reset_print() - debugfs reset_state
 * @pvdev: the device
 * @m: where to
 */
void pvgpu_reset_print(struct pvgpu_device *pvdev, struct seq_file *m)
{
	struct pvgpu_reset *r = &pvdev->reset;

	seq_printf(m, "resets: %llu\n", atomic64_read(&r->count));
	seq_printf(m, "pending: %s\n",
		   pvgpu_reset_pending(pvdev) ? "yes" : "no");
	seq_printf(m, "wedged: %s\n",
		   pvgpu_fw_is_wedged(pvdev) ? "yes" : "no");
	seq_printf(m, "last_cause: %s\n", pvgpu_reset_cause_name(r->last_cause));
	seq_printf(m, "last_ns: %llu\n", r->last_ns);
	seq_printf(m, "queues_resubmitted: %llu\n", r->queues_resubmitted);
	seq_printf(m, "queues_banned: %llu\n", r->queues_banned);
	seq_printf(m, "pm_suspends: %lld\n", atomic64_read(&pvdev->pm.suspends));
	seq_printf(m, "pm_resumes: %lld\n", atomic64_read(&pvdev->pm.resumes));
	seq_printf(m, "pm_suspend_ns: %llu\n", READ_ONCE(pvdev->pm.suspend_ns));
	seq_printf(m, "pm_resume_ns: %llu\n", READ_ONCE(pvdev->pm.resume_ns));
}

/**
 * pvgpu_reset_init() - set up device resets
 * @pvdev: the device
 *
 * Return: 0 or -ENOMEM.
 */
int pvgpu_reset_init(struct pvgpu_device *pvdev)
{
	struct pvgpu_reset *r = &pvdev->reset;

	init_rwsem(&r->lock);
	init_waitqueue_head(&r->done_wq);
	INIT_WORK(&r->work, pvgpu_reset_work);
	atomic_set(&r->requested, 0);
	atomic_set(&r->handled, 0);
	atomic_set(&r->cause, 0);
	atomic64_set(&r->count, 0);
	r->wq = alloc_ordered_workqueue("pvgpu-reset", WQ_MEM_RECLAIM);
	return r->wq ? 0 : -ENOMEM;
}

/**
 * pvgpu_reset_fini() - wait for a reset in progress and free the workqueue
 * @pvdev: the device, no longer able to schedule resets
 */
void pvgpu_reset_fini(struct pvgpu_device *pvdev)
{
	destroy_workqueue(pvdev->reset.wq);
}
