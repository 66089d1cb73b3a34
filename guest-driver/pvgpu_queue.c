// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: queues as userspace names them, and exec queues on
 * firmware queues.
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/capability.h>
#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include <uapi/drm/pvgpu_drm.h>

#include "pvgpu_cmds.h"
#include "pvgpu_drv.h"
#include "pvgpu_gem.h"
#include "pvgpu_queue.h"
#include "pvgpu_regs.h"
#include "pvgpu_sync.h"
#include "pvgpu_vm.h"

/**
 * DOC: Exec queues
 *
 * A queue has a per-file id (&pvgpu_file.queues, from 1) that holds the
 * queue's first reference. QUEUE_CREATE with DRM_PVGPU_ENGINE_CLASS_VM_BIND
 * makes a bind queue (pvgpu_bind_queue_create(), pvgpu_vm_bind.c); any
 * other class an exec queue, described here.
 *
 * **The firmware queue.** Every exec queue is one firmware queue, for its
 * whole life. Its id comes from &pvgpu_device.fw_queues (an xarray, the
 * index is the firmware id, reserved at creation and published once the
 * queue is registered); its doorbell is the firmware id + 1 in the kernel's
 * doorbell group, so the ids the doorbell group has (1 .. 1023) bound the
 * number of exec queues as much as caps.max_queues does: -ENOSPC beyond.
 * Those ids are shared by every user: one file may hold at most
 * max_queues_per_file exec queues (module parameter; 0, the default, is a
 * quarter of the device's), counted in &pvgpu_file.num_exec_queues from
 * creation until the queue is freed; beyond, -EMFILE, after waiting once
 * for the releases of queues destroyed a moment ago
 * (pvgpu_exec_queue_charge_file()).
 * The ring (PVGPU_EXEC_RING_SIZE bytes) and one seqno page are a kernel
 * buffer object mapped into the top, kernel-owned part of the queue's VM
 * (pvgpu_vm_kernel_map()); the queue descriptor and the read and write
 * pointers share one coherent DMA page. PVGPU_H2F_QUEUE_REGISTER hands it
 * to the firmware.
 *
 * **Jobs.** The queue's dependency queue (struct pvgpu_dep_queue) orders
 * jobs and waits for their dependencies; its run_job writes
 * ``BATCH_CALL(batch)`` (nothing for an ordering point, num_batch 0) and
 * ``SIGNAL(seqno page, job seqno, IRQ)`` to the ring, moves the write
 * pointer and rings the doorbell. can_run_job says whether the ring has
 * room: a job that does not fit waits for completions. Jobs start in
 * order and the ring completes them in order, so a job's seqno in the
 * seqno page means every earlier job of the queue completed too. The jobs
 * a queue holds submitted and not completed, waiting or not, are bounded
 * by max_jobs_per_queue (pvgpu_queue_jobs_full(); EXEC and VM_BIND fail
 * with -EWOULDBLOCK beyond), and an LR queue takes a job only if the ring
 * has room for it now (pvgpu_exec_queue_lr_full(), which does not trust
 * the seqno page); every allocation for a queue or a job is charged to
 * the submitter's memory cgroup (__GFP_ACCOUNT).
 *
 * **Completion.** PVGPU_F2H_EVT_QUEUE_SIGNAL and _QUEUE_IDLE arrive in the
 * interrupt handler; the queue is looked up under RCU and the seqno page,
 * not the event, says how far the queue got (events are lost when the F2H
 * ring overflows: when the channel counts lost events, every queue is
 * looked at). pvgpu_dep_queue_signal_upto() signals the fences, and the
 * common helper (whoever found the completion) queues
 * &pvgpu_exec_queue.ufence_work, which wakes the WAIT_USER_FENCE callers
 * of the queue's file that the completion may satisfy, outside the
 * interrupt handler (pvgpu_exec.c). A lost event that no later event
 * reveals (the last jobs' events dropped) would leave fences unsignalled
 * until the job timeout (forever on LR queues), so while a queue has jobs
 * running a delayed work also looks at its seqno page every
 * PVGPU_EXEC_POLL_MS.
 *
 * Lost QUEUE_ERROR and PAGE_FAULT events show in no seqno page: when
 * events were lost &pvgpu_device.queues_recover_work asks the firmware
 * (QUEUE_QUERY) for the state of every exec queue, and when the poll sees
 * a busy queue make no progress for PVGPU_EXEC_QUERY_MS its query_work
 * asks for that queue's; a queue stopped in ERROR or FAULTED is handled
 * as the lost event would have been, as far as the query allows
 * (pvgpu_exec_queue_query()).
 *
 * Known limitation: the ring and seqno page are mapped read-write in the
 * queue's own VM and the GPU has no privilege bit, so a batch can forge
 * its own queue's completions (docs/queues.rst; the fix needs the
 * firmware to write seqnos to a guest-physical address instead).
 *
 * **Busy time** (fdinfo drm-engine-*) is measured by the driver, not asked
 * of the firmware: a queue is busy from the start of a job (run_job) on an
 * idle queue to the completion of its latest started job. It is added to
 * &pvgpu_file.engine_busy_ns at every completion, and fdinfo adds the time
 * of the busy periods still open, so the value only grows. It counts the
 * time a job waits for a hardware slot too: it is an upper bound of the
 * time on the engine.
 *
 * **Errors and bans.** A PVGPU_F2H_EVT_QUEUE_ERROR stops the firmware
 * queue for good. The queue records the error and whether it was guilty,
 * and a worker signals the jobs that completed before it and bans the
 * dependency queue: every other outstanding fence signals with
 *
 * - -ETIMEDOUT for a hang (PVGPU_QUEUE_ERR_HANG, _PREEMPT_TIMEOUT) or the
 *   driver's job timeout;
 * - -EIO for any other error of the queue itself (bad command, fatal page
 *   fault, ...);
 * - -ECANCELED for an innocent queue (reset because another queue on its
 *   engine was) and for a queue userspace destroyed.
 *
 * A banned queue stays registered (and keeps its firmware id) until it is
 * destroyed; EXEC on it returns -ECANCELED. Page faults (fault-mode VMs) are
 * not handled yet: a worker answers PVGPU_FAULT_REPLY_FAIL, which turns the
 * fault into a queue error.
 *
 * **Timeouts.** Jobs of non-LR queues have a timeout (the job_timeout_ms
 * module parameter, taken at queue creation; 0 disables it), counted for
 * the oldest running job from its start or its predecessor's completion,
 * whichever is later. When it is exceeded the driver sends
 * PVGPU_H2F_QUEUE_RESET, marks the queue reset and guilty and bans it with
 * -ETIMEDOUT.
 *
 * **Teardown.** QUEUE_DESTROY and file close drop the id and call
 * &pvgpu_queue.destroy, which stops the dependency queue and leaves the
 * rest to a worker: QUEUE_RESET (so the firmware stops touching the
 * queue's memory), ban with -ECANCELED, QUEUE_DEREGISTER, unpublish the
 * firmware id. The firmware registration holds a reference of its own:
 * the ring and the DMA page are freed by the dependency queue's release,
 * which cannot come before the firmware let go of them. RESET and
 * DEREGISTER are uninterruptible commits; one that fails with anything but
 * -ENODEV (the firmware stopped) wedges the device, which stops the
 * firmware, before any fence signals or memory is freed
 * (pvgpu_exec_queue_fw_request()).
 *
 * **Device removal.** pvgpu_queues_fini() bans every exec queue with
 * -ENODEV without a firmware request (the channel is dead); the firmware
 * is reset by pvgpu_fw_fini() before any queue memory can be freed.
 *
 * Locking: &pvgpu_exec_queue.state_lock (irqsave) protects the state the
 * interrupt handler changes, and nests inside the dependency queue's lock
 * (run_job); the dependency queue's submit_lock orders submissions;
 * &pvgpu_exec_queue.fw_lock serialises the queue's firmware requests after
 * creation (never taken in the signalling path); &pvgpu_device.objs_lock
 * protects the debugfs list.
 */

static unsigned int pvgpu_job_timeout_ms = 10000;
module_param_named(job_timeout_ms, pvgpu_job_timeout_ms, uint, 0644);
MODULE_PARM_DESC(job_timeout_ms,
		 "Running-job timeout of new exec queues in ms, 0 for none (default 10000)");

static unsigned int pvgpu_max_queues_per_file;
module_param_named(max_queues_per_file, pvgpu_max_queues_per_file, uint, 0644);
MODULE_PARM_DESC(max_queues_per_file,
		 "Exec queues (firmware queues and doorbells) one DRM file may hold; 0: a quarter of the device's (default 0)");

static unsigned int pvgpu_max_jobs_per_queue = 4096;
module_param_named(max_jobs_per_queue, pvgpu_max_jobs_per_queue, uint, 0644);
MODULE_PARM_DESC(max_jobs_per_queue,
		 "Jobs a queue may hold submitted and not completed, more is -EWOULDBLOCK; 0 for no limit (default 4096)");

/* Doorbells of kernel queues: ids 1 .. 1023 of group 0. */
#define PVGPU_EXEC_MAX_DOORBELL \
	PVGPU_DOORBELL_ID(PVGPU_DOORBELL_GROUP_KERNEL, \
			  PVGPU_DOORBELLS_PER_PAGE - 1)

/* Period of the completion poll while jobs run (lost events). */
#define PVGPU_EXEC_POLL_MS	50
/* A busy queue without progress this long gets its state queried. */
#define PVGPU_EXEC_QUERY_MS	500

/* Offsets in the control page. */
#define PVGPU_EXEC_CTL_DESC	0
#define PVGPU_EXEC_CTL_RPTR	64
#define PVGPU_EXEC_CTL_WPTR	128

static const struct pvgpu_engine_info *
pvgpu_engine_find(struct pvgpu_device *pvdev, u32 engine_class)
{
	const struct pvgpu_fw_info *info = &pvdev->fw.info;
	u32 i;

	for (i = 0; i < info->num_engine_classes; i++)
		if (info->engines[i].engine_class == engine_class)
			return &info->engines[i];
	return NULL;
}

static const char *pvgpu_exec_queue_name(u32 engine_class)
{
	return engine_class == DRM_PVGPU_ENGINE_CLASS_COPY ?
		"pvgpu-copy" : "pvgpu-compute";
}

static inline struct pvgpu_exec_queue *
dq_to_eq(struct pvgpu_dep_queue *dq)
{
	return to_pvgpu_exec_queue(to_pvgpu_queue(dq));
}

static inline struct pvgpu_exec_job *to_exec_job(struct pvgpu_dep_job *job)
{
	return container_of(job, struct pvgpu_exec_job, base);
}

/* The seqno of the latest job the ring completed. Any context. */
static u64 pvgpu_exec_queue_seqno(struct pvgpu_exec_queue *eq)
{
	dma_rmb();
	return le64_to_cpu(READ_ONCE(*eq->seqno_cpu));
}

/* --- Firmware requests ----------------------------------------------------- */

/*
 * Sends RESET or DEREGISTER for @eq, uninterruptibly. 0 means the
 * firmware no longer runs the queue (RESET) or knows it (DEREGISTER);
 * -ENODEV that the firmware does not run at all any more (the device was
 * stopped or removed; the channel returns only once the stop completed).
 * Any other failure (the firmware answered an error; or it drained the
 * request or did not answer, and the channel wedged the device already)
 * leaves the driver not knowing whether the firmware still reads the
 * queue's memory: the device is wedged here (if it is not yet), which
 * stops the firmware before this returns,
 * so the caller may then signal fences and free memory. The caller holds
 * no dependency-queue or state lock: pvgpu_fw_wedge() sleeps (its ban
 * runs in a work and takes them).
 */
static int pvgpu_exec_queue_fw_request(struct pvgpu_exec_queue *eq,
				       u16 opcode)
{
	struct pvgpu_device *pvdev = eq->pvdev;
	struct pvgpu_msg_queue req = {
		.queue_id = cpu_to_le32(eq->fw_id),
	};
	struct pvgpu_channel_msg msg = {
		.opcode = opcode,
		.flags = PVGPU_CHANNEL_MSG_COMMIT | PVGPU_CHANNEL_MSG_NOINTR,
		.req_dw = sizeof(req) / 4,
		.req = &req,
	};
	int ret, idx;

	lockdep_assert_held(&eq->fw_lock);
	/* The firmware no longer knows the queue: nothing to stop. */
	if (eq->deregistered)
		return 0;
	/* Removal stops the firmware before drm_dev_unplug(). */
	if (!drm_dev_enter(&pvdev->drm, &idx)) {
		eq->deregistered = true;
		return -ENODEV;
	}
	ret = pvgpu_channel_send(&pvdev->fw.ch, &msg,
				 READ_ONCE(pvgpu_fw_timeout_ms));
	if (ret && ret != -ENODEV) {
		drm_err(&pvdev->drm, "queue %u: %s failed: %d (status %s)\n",
			eq->fw_id, opcode == PVGPU_H2F_QUEUE_RESET ?
			"QUEUE_RESET" : "QUEUE_DEREGISTER", ret,
			ret == -EIO && msg.fw_status ?
			pvgpu_fw_status_name(msg.fw_status) : "none");
		pvgpu_fw_wedge(pvdev, opcode == PVGPU_H2F_QUEUE_RESET ?
			       "an exec queue could not be reset" :
			       "an exec queue could not be deregistered");
	}
	/* Either way the firmware does not touch the queue any more. */
	if (opcode == PVGPU_H2F_QUEUE_DEREGISTER)
		eq->deregistered = true;
	drm_dev_exit(idx);
	return ret;
}

/* --- Dependency-queue backend ---------------------------------------------- */

static u32 pvgpu_exec_job_bytes(struct pvgpu_exec_job *job)
{
	return (PVGPU_CMD_LEN_SIGNAL +
		(job->num_batch ? PVGPU_CMD_LEN_BATCH_CALL : 0)) * 4;
}

static bool pvgpu_exec_can_run_job(struct pvgpu_dep_job *job)
{
	struct pvgpu_exec_queue *eq = dq_to_eq(job->q);
	u32 rptr, used;
	int idx;

	lockdep_assert_held(&job->q->lock);
	/* After removal the pointers' page is freed (pvgpu_queues_hw_fini()). */
	if (!drm_dev_enter(&eq->pvdev->drm, &idx))
		return false;
	rptr = le32_to_cpu(READ_ONCE(*eq->rptr_cpu));
	drm_dev_exit(idx);
	used = (READ_ONCE(eq->wptr) - rptr) & (eq->ring_size - 1);
	/* One dword stays free: wptr == rptr means empty. */
	return eq->ring_size - 4 - used >= pvgpu_exec_job_bytes(to_exec_job(job));
}

static void pvgpu_ring_emit(struct pvgpu_exec_queue *eq, u32 *wptr, u32 dw)
{
	__le32 *ring = eq->ring_cpu;

	ring[*wptr / 4] = cpu_to_le32(dw);
	*wptr = (*wptr + 4) & (eq->ring_size - 1);
}

static void pvgpu_ring_emit64(struct pvgpu_exec_queue *eq, u32 *wptr, u64 v)
{
	pvgpu_ring_emit(eq, wptr, lower_32_bits(v));
	pvgpu_ring_emit(eq, wptr, upper_32_bits(v));
}

/*
 * Marks @job's queue busy unless @job was completed already (a ban got
 * there between its start and this run_job) or the queue is banned: then
 * it returns false and the job must not reach the ring. Under the
 * dependency queue's lock, so that a ban either comes after (and its
 * pvgpu_exec_busy_account() ends the busy period opened here) or is seen.
 */
static bool pvgpu_exec_busy_start(struct pvgpu_exec_queue *eq,
				  struct pvgpu_dep_job *job)
{
	struct pvgpu_dep_queue *dq = job->q;
	unsigned long flags;
	bool run;

	spin_lock_irqsave(&dq->lock, flags);
	run = !dq->banned &&
	      !test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &job->fence->flags);
	if (run) {
		/* state_lock nests inside the dependency queue's lock. */
		spin_lock(&eq->state_lock);
		if (!eq->busy) {
			eq->busy = true;
			eq->busy_since_ns = ktime_get_ns();
		}
		eq->last_started = job->seqno;
		spin_unlock(&eq->state_lock);
	}
	spin_unlock_irqrestore(&dq->lock, flags);
	return run;
}

static int pvgpu_exec_run_job(struct pvgpu_dep_job *dep_job)
{
	struct pvgpu_exec_job *job = to_exec_job(dep_job);
	struct pvgpu_exec_queue *eq = dq_to_eq(dep_job->q);
	struct pvgpu_device *pvdev = eq->pvdev;
	u32 wptr = eq->wptr;
	int idx;

	/* After removal the doorbell page is unmapped. */
	if (!drm_dev_enter(&pvdev->drm, &idx))
		return -ENODEV;

	/* Banned (completed) since it started: the ring stays as it is. */
	if (!pvgpu_exec_busy_start(eq, dep_job)) {
		drm_dev_exit(idx);
		return 0;
	}

	if (job->num_batch) {
		pvgpu_ring_emit(eq, &wptr,
				PVGPU_CMD_HDR(PVGPU_CMD_BATCH_CALL, 0,
					      PVGPU_CMD_LEN_BATCH_CALL));
		pvgpu_ring_emit64(eq, &wptr, job->batch_va);
	}
	pvgpu_ring_emit(eq, &wptr,
			PVGPU_CMD_HDR(PVGPU_CMD_SIGNAL, PVGPU_CMD_SIGNAL_IRQ,
				      PVGPU_CMD_LEN_SIGNAL));
	pvgpu_ring_emit64(eq, &wptr, eq->ring_va + PVGPU_EXEC_SEQNO_OFFSET);
	pvgpu_ring_emit64(eq, &wptr, dep_job->seqno);

	/* The work holds a queue reference while pending. */
	if (!delayed_work_pending(&eq->poll_work)) {
		pvgpu_queue_get(&eq->base);
		if (!queue_delayed_work(pvdev->wq, &eq->poll_work,
					msecs_to_jiffies(PVGPU_EXEC_POLL_MS)))
			pvgpu_queue_put(&eq->base);
	}

	/* The commands are visible before the write pointer says so. */
	dma_wmb();
	WRITE_ONCE(*eq->wptr_cpu, cpu_to_le32(wptr));
	WRITE_ONCE(eq->wptr, wptr);
	/* writel() orders the pointer before the doorbell. */
	writel(eq->doorbell, pvdev->doorbells + PVGPU_DOORBELL_OFFSET(eq->doorbell));
	drm_dev_exit(idx);
	return 0;
}

/*
 * Adds the busy time up to now to the file's counter; the queue goes idle
 * when @seqno covers the latest started job, or when it is @stopped.
 */
static void pvgpu_exec_busy_account(struct pvgpu_exec_queue *eq, u64 seqno,
				    bool stopped)
{
	u32 cls = eq->base.engine_class;
	unsigned long flags;
	u64 now;

	spin_lock_irqsave(&eq->state_lock, flags);
	if (eq->busy) {
		now = ktime_get_ns();
		if (cls < PVGPU_MAX_ENGINE_CLASSES && now > eq->busy_since_ns)
			atomic64_add(now - eq->busy_since_ns,
				     &eq->pfile->engine_busy_ns[cls]);
		eq->busy_since_ns = now;
		if (stopped || seqno >= eq->last_started)
			eq->busy = false;
	}
	spin_unlock_irqrestore(&eq->state_lock, flags);
}

static void pvgpu_exec_queue_ufence_work(struct work_struct *work)
{
	struct pvgpu_exec_queue *eq = container_of(work, struct pvgpu_exec_queue,
						   ufence_work);

	pvgpu_ufence_wake_queue(eq->pfile, &eq->base);
	pvgpu_queue_put(&eq->base);
}

/*
 * Wakes, from &pvgpu_exec_queue.ufence_work, the WAIT_USER_FENCE callers
 * a completion of @eq may have satisfied (its file's, naming @eq or no
 * queue): any context, the interrupt handler included, at the cost of one
 * queue_work() whatever the number of waiters; the completions found
 * before the work runs share one wake-up. The caller holds a reference
 * to @eq (the firmware's, for a published queue), so the put below is
 * never the last.
 */
static void pvgpu_exec_queue_wake_ufences(struct pvgpu_exec_queue *eq)
{
	pvgpu_queue_get(&eq->base);
	if (!queue_work(eq->pvdev->wq, &eq->ufence_work))
		pvgpu_queue_put(&eq->base);
}

/*
 * Signals what the ring completed and accounts the busy time; any context
 * (hard IRQ included). Every path that finds completions comes here (the
 * events, the poll, the timeout), so WAIT_USER_FENCE waiters, which may
 * wait for a value a job wrote, are woken from here (deferred).
 */
static void pvgpu_exec_queue_complete(struct pvgpu_exec_queue *eq)
{
	u64 seqno = pvgpu_exec_queue_seqno(eq);

	pvgpu_exec_busy_account(eq, seqno, false);
	if (pvgpu_dep_queue_signal_upto(&eq->base.dq, seqno, 0))
		pvgpu_exec_queue_wake_ufences(eq);
}

/* Records an error and returns whether this call set it (the first one). */
static bool pvgpu_exec_queue_set_error(struct pvgpu_exec_queue *eq,
				       u32 state, int error)
{
	unsigned long flags;
	bool first;

	spin_lock_irqsave(&eq->state_lock, flags);
	first = !eq->error;
	if (first)
		eq->error = error;
	eq->state |= state;
	spin_unlock_irqrestore(&eq->state_lock, flags);
	return first;
}

/* Completes what the ring completed, then bans with the queue's error. */
static void pvgpu_exec_queue_ban(struct pvgpu_exec_queue *eq)
{
	int error = READ_ONCE(eq->error);

	pvgpu_dep_queue_signal_upto(&eq->base.dq, pvgpu_exec_queue_seqno(eq),
				    0);
	pvgpu_dep_queue_ban(&eq->base.dq, error ?: -ECANCELED);
	pvgpu_exec_busy_account(eq, 0, true);
	/* Process context (workers): waiters naming @eq end with -EIO. */
	pvgpu_ufence_wake_queue(eq->pfile, &eq->base);
}

/* Job timeout: resets (or wedges) and bans; runs on the timeout work. */
static void pvgpu_exec_timedout_job(struct pvgpu_dep_job *job)
{
	struct pvgpu_exec_queue *eq = dq_to_eq(job->q);
	struct pvgpu_device *pvdev = eq->pvdev;

	/* Completed, and its event was lost: no hang. */
	if (pvgpu_exec_queue_seqno(eq) >= job->seqno) {
		pvgpu_exec_queue_complete(eq);
		return;
	}

	if (!pvgpu_exec_queue_set_error(eq, PVGPU_EXEC_QUEUE_RESET |
					PVGPU_EXEC_QUEUE_GUILTY |
					PVGPU_EXEC_QUEUE_DRIVER_RESET,
					-ETIMEDOUT))
		return;	/* already failed some other way */

	pvgpu_info_ratelimited(&pvdev->drm,
			       "exec queue (fw %u): job %llu timed out after %u ms, resetting\n",
			       eq->fw_id, job->seqno, job->q->timeout_ms);
	/* Stopped (or the device wedged) before the fences signal. */
	mutex_lock(&eq->fw_lock);
	pvgpu_exec_queue_fw_request(eq, PVGPU_H2F_QUEUE_RESET);
	mutex_unlock(&eq->fw_lock);
	pvgpu_exec_queue_ban(eq);
}

static void pvgpu_exec_free_job(struct pvgpu_dep_job *job)
{
	kfree(to_exec_job(job));
}

/* Frees whatever of @eq exists; the firmware no longer uses any of it. */
static void pvgpu_exec_queue_free(struct pvgpu_exec_queue *eq)
{
	struct pvgpu_device *pvdev = eq->pvdev;

	WARN_ON(eq->registered);
	if (eq->fw_id_reserved)
		xa_erase_irq(&pvdev->fw_queues, eq->fw_id);
	pvgpu_dma_free(pvdev, &eq->ctl);
	/* Also after removal: the VM wants every kernel mapping gone. */
	if (eq->ring_va)
		pvgpu_vm_kernel_unmap(eq->base.vm, eq->ring_va,
				      PVGPU_EXEC_RING_BO_SIZE);
	if (eq->ring_cpu)
		pvgpu_bo_vunmap(eq->ring_bo, eq->ring_cpu);
	pvgpu_bo_put(eq->ring_bo);
	if (eq->base.vm)
		pvgpu_vm_put(eq->base.vm);
	if (eq->file_charged)
		atomic_dec(&eq->pfile->num_exec_queues);
	pvgpu_file_put(eq->pfile);
	mutex_destroy(&eq->fw_lock);
	kfree(eq);
}

static void pvgpu_exec_release(struct pvgpu_dep_queue *dq)
{
	struct pvgpu_exec_queue *eq = dq_to_eq(dq);
	struct pvgpu_device *pvdev = eq->pvdev;

	mutex_lock(&pvdev->objs_lock);
	list_del(&eq->base.link);
	/*
	 * Under the lock pvgpu_queues_hw_fini() takes: the page is freed
	 * here or there, never after the device's removal.
	 */
	pvgpu_dma_free(pvdev, &eq->ctl);
	mutex_unlock(&pvdev->objs_lock);
	pvgpu_exec_queue_free(eq);
}

static const struct pvgpu_dep_queue_ops pvgpu_exec_queue_ops = {
	.can_run_job = pvgpu_exec_can_run_job,
	.run_job = pvgpu_exec_run_job,
	.timedout_job = pvgpu_exec_timedout_job,
	.free_job = pvgpu_exec_free_job,
	.release = pvgpu_exec_release,
};

/**
 * pvgpu_exec_job_create() - allocate a job of an exec queue
 * @eq: the queue
 * @batch_va: GPU VA of the batch (ignored when @num_batch is 0)
 * @num_batch: 0 or 1
 *
 * Return: the job (one reference, for pvgpu_dep_job_push() or
 * pvgpu_dep_job_put()), or an ERR_PTR().
 */
struct pvgpu_exec_job *pvgpu_exec_job_create(struct pvgpu_exec_queue *eq,
					     u64 batch_va, u32 num_batch)
{
	struct pvgpu_exec_job *job;
	int ret;

	job = kzalloc(sizeof(*job), GFP_KERNEL_ACCOUNT);
	if (!job)
		return ERR_PTR(-ENOMEM);
	job->batch_va = batch_va;
	job->num_batch = num_batch;
	ret = pvgpu_dep_job_init(&job->base, &eq->base.dq);
	if (ret) {
		kfree(job);
		return ERR_PTR(ret);
	}
	return job;
}

/**
 * pvgpu_exec_queue_lr_full() - whether one more job would overflow the ring
 * @eq: the queue
 *
 * An LR job may never complete, so an LR queue's EXEC fails with
 * -EWOULDBLOCK instead of leaving the job to wait for ring room: a job is
 * accepted only if it, and every armed job not yet written to the ring
 * (waiting for its in-syncs), each at its largest size, fit in the room
 * the ring has now. The room comes from the firmware's read pointer, in
 * the queue's DMA page, which no GPU VM maps. The seqno page is not
 * looked at: a batch can write anything there (docs/queues.rst, "forged
 * completions"), and no value it writes can make the driver take a job
 * the ring has no room for, or refuse every job for good. The read
 * pointer only moves past commands the firmware has consumed and never
 * reads again (docs/commands.rst), so the room it shows never holds
 * anything the firmware has still to read, and it only grows until the
 * job is written: the job never waits for room.
 *
 * Caller holds the dependency queue's submit_lock (so no job is being
 * written to the ring meanwhile) and is inside drm_dev_enter() (the
 * pointers' page is freed after the device's removal).
 *
 * Return: true if the ring cannot take another job.
 */
bool pvgpu_exec_queue_lr_full(struct pvgpu_exec_queue *eq)
{
	struct pvgpu_dep_queue *dq = &eq->base.dq;
	unsigned long flags;
	u64 unwritten, last;
	u32 rptr, used;

	lockdep_assert_held(&dq->submit_lock);
	rptr = le32_to_cpu(READ_ONCE(*eq->rptr_cpu));
	used = (eq->wptr - rptr) & (eq->ring_size - 1);
	spin_lock_irqsave(&eq->state_lock, flags);
	last = eq->last_started;
	spin_unlock_irqrestore(&eq->state_lock, flags);
	/* Armed, not on the ring: both counters are the driver's own. */
	unwritten = dq->next_seqno - 1 - last;
	if (unwritten >= eq->ring_size / PVGPU_EXEC_JOB_MAX_BYTES)
		return true;
	return used + (unwritten + 1) * PVGPU_EXEC_JOB_MAX_BYTES >
	       eq->ring_size - 4;
}

/**
 * pvgpu_queue_jobs_full() - whether a queue holds all the jobs it may
 * @queue: an exec or bind queue
 *
 * The max_jobs_per_queue module parameter (read at each call; 0: no
 * bound) bounds the jobs a queue holds submitted and not completed,
 * whether they wait for their in-syncs, for ring room or run: each is
 * kernel memory its submitter's ioctl allocated. EXEC and VM_BIND fail
 * with -EWOULDBLOCK (as Xe's EXEC on a full LR ring) while it is reached;
 * the caller waits for earlier work to complete and submits again.
 *
 * Return: true if the queue may take no job now.
 */
bool pvgpu_queue_jobs_full(struct pvgpu_queue *queue)
{
	u32 max = READ_ONCE(pvgpu_max_jobs_per_queue);

	return max && pvgpu_dep_queue_pending(&queue->dq) >= max;
}

/**
 * pvgpu_exec_queue_was_reset() - whether the queue was reset or banned
 * @eq: the queue
 *
 * Return: true once the queue got an error (WAIT_USER_FENCE's -EIO).
 */
bool pvgpu_exec_queue_was_reset(struct pvgpu_exec_queue *eq)
{
	return READ_ONCE(eq->error) || pvgpu_dep_queue_is_banned(&eq->base.dq);
}

/* --- Interrupt side ---------------------------------------------------------- */

static int pvgpu_fw_error_to_errno(u32 error, bool guilty)
{
	if (!guilty)
		return -ECANCELED;
	switch (error) {
	case PVGPU_QUEUE_ERR_HANG:
	case PVGPU_QUEUE_ERR_PREEMPT_TIMEOUT:
		return -ETIMEDOUT;
	default:
		return -EIO;
	}
}

static void pvgpu_exec_queue_error_event(struct pvgpu_exec_queue *eq,
					 const struct pvgpu_evt_queue_error *evt)
{
	struct pvgpu_device *pvdev = eq->pvdev;
	u32 error = le32_to_cpu(evt->error);
	bool guilty = le32_to_cpu(evt->guilty);
	unsigned long flags;
	bool driver_reset;
	u32 state = PVGPU_EXEC_QUEUE_RESET;

	spin_lock_irqsave(&eq->state_lock, flags);
	eq->fw_error = error;
	driver_reset = eq->state & PVGPU_EXEC_QUEUE_DRIVER_RESET;
	spin_unlock_irqrestore(&eq->state_lock, flags);
	/* The answer to our own QUEUE_RESET: the sender bans. */
	if (driver_reset && error == PVGPU_QUEUE_ERR_RESET)
		return;

	if (guilty)
		state |= PVGPU_EXEC_QUEUE_GUILTY;
	pvgpu_exec_queue_set_error(eq, state,
				   pvgpu_fw_error_to_errno(error, guilty));
	pvgpu_info_ratelimited(&pvdev->drm,
			       "exec queue (fw %u) %s: error %u at 0x%llx (dw0 0x%08x)\n",
			       eq->fw_id, guilty ? "guilty" : "innocent", error,
			       le64_to_cpu(evt->cmd_va),
			       le32_to_cpu(evt->cmd_dw0));
	pvgpu_queue_get(&eq->base);
	if (!queue_work(pvdev->wq, &eq->error_work))
		pvgpu_queue_put(&eq->base);
}

static void pvgpu_exec_queue_poll_work(struct work_struct *work)
{
	struct pvgpu_exec_queue *eq = container_of(to_delayed_work(work),
						   struct pvgpu_exec_queue,
						   poll_work);
	unsigned long flags;
	u64 seqno;
	bool busy;

	pvgpu_exec_queue_complete(eq);
	spin_lock_irqsave(&eq->state_lock, flags);
	busy = eq->busy;
	spin_unlock_irqrestore(&eq->state_lock, flags);

	/*
	 * No progress for a while: the queue may have stopped (an error or
	 * page-fault event the firmware dropped). Ask the firmware; a query
	 * at most every PVGPU_EXEC_QUERY_MS per stalled queue.
	 */
	seqno = pvgpu_exec_queue_seqno(eq);
	if (seqno != eq->poll_seqno || !busy) {
		eq->poll_seqno = seqno;
		eq->poll_stalls = 0;
	} else if (++eq->poll_stalls >=
		   PVGPU_EXEC_QUERY_MS / PVGPU_EXEC_POLL_MS) {
		/* Only this queue: every stalled queue has its own poll. */
		eq->poll_stalls = 0;
		pvgpu_queue_get(&eq->base);
		if (!queue_work(eq->pvdev->wq, &eq->query_work))
			pvgpu_queue_put(&eq->base);
	}
	/* Still running: look again later, keeping the reference. */
	if (busy && !pvgpu_dep_queue_is_banned(&eq->base.dq) &&
	    queue_delayed_work(eq->pvdev->wq, &eq->poll_work,
			       msecs_to_jiffies(PVGPU_EXEC_POLL_MS)))
		return;
	pvgpu_queue_put(&eq->base);
}

static void pvgpu_exec_queue_error_work(struct work_struct *work)
{
	struct pvgpu_exec_queue *eq = container_of(work, struct pvgpu_exec_queue,
						   error_work);

	pvgpu_exec_queue_ban(eq);
	pvgpu_queue_put(&eq->base);
}

static void pvgpu_exec_queue_fault_work(struct work_struct *work)
{
	struct pvgpu_exec_queue *eq = container_of(work, struct pvgpu_exec_queue,
						   fault_work);
	struct pvgpu_device *pvdev = eq->pvdev;
	struct pvgpu_msg_fault_reply req = {
		.queue_id = cpu_to_le32(eq->fw_id),
		.action = cpu_to_le32(PVGPU_FAULT_REPLY_FAIL),
	};
	struct pvgpu_channel_msg msg = {
		.opcode = PVGPU_H2F_PAGE_FAULT_REPLY,
		.flags = PVGPU_CHANNEL_MSG_COMMIT | PVGPU_CHANNEL_MSG_NOINTR,
		.req_dw = sizeof(req) / 4,
		.req = &req,
	};
	unsigned long flags;
	int ret, idx;

	/*
	 * Under fw_lock: a state query (pvgpu_exec_queue_query()) sees
	 * either the fault still to answer here or the answer's outcome.
	 */
	mutex_lock(&eq->fw_lock);
	spin_lock_irqsave(&eq->state_lock, flags);
	req.fault_seqno = cpu_to_le32(eq->fault_seqno);
	eq->fault_seqno = 0;
	spin_unlock_irqrestore(&eq->state_lock, flags);

	if (req.fault_seqno && !eq->deregistered &&
	    drm_dev_enter(&pvdev->drm, &idx)) {
		/* The queue's error event follows and bans it. */
		ret = pvgpu_channel_send(&pvdev->fw.ch, &msg,
					 READ_ONCE(pvgpu_fw_timeout_ms));
		if (ret)
			drm_dbg_driver(&pvdev->drm,
				       "queue %u: fault reply failed: %d\n",
				       eq->fw_id, ret);
		drm_dev_exit(idx);
	}
	mutex_unlock(&eq->fw_lock);
	pvgpu_queue_put(&eq->base);
}

static void pvgpu_exec_queue_fault_event(struct pvgpu_exec_queue *eq,
					 const struct pvgpu_evt_page_fault *evt)
{
	struct pvgpu_device *pvdev = eq->pvdev;
	unsigned long flags;

	pvgpu_info_ratelimited(&pvdev->drm,
			       "exec queue (fw %u): page fault at 0x%llx (reason %u), not handled: failing it\n",
			       eq->fw_id, le64_to_cpu(evt->va),
			       le32_to_cpu(evt->reason));
	spin_lock_irqsave(&eq->state_lock, flags);
	eq->fault_seqno = le32_to_cpu(evt->fault_seqno);
	spin_unlock_irqrestore(&eq->state_lock, flags);
	pvgpu_queue_get(&eq->base);
	if (!queue_work(pvdev->wq, &eq->fault_work))
		pvgpu_queue_put(&eq->base);
}

/*
 * Asks the firmware what state @eq is in, to recover an error or page-fault
 * event it dropped (F2H full). Process context, a queue reference held.
 *
 * The firmware puts an event on the F2H ring before the response to any
 * later request, and the interrupt handler reads the ring in order: if the
 * error (or fault) event had arrived, the handler recorded it before this
 * request's response was matched. So a queue in ERROR with no error
 * recorded lost its event; one FAULTED with no fault to answer, too.
 */
static void pvgpu_exec_queue_query(struct pvgpu_exec_queue *eq)
{
	struct pvgpu_device *pvdev = eq->pvdev;
	struct pvgpu_msg_queue req = {
		.queue_id = cpu_to_le32(eq->fw_id),
	};
	struct pvgpu_msg_queue_state resp = { };
	struct pvgpu_channel_msg msg = {
		.opcode = PVGPU_H2F_QUEUE_QUERY,
		.flags = PVGPU_CHANNEL_MSG_NOINTR,
		.req_dw = sizeof(req) / 4,
		.req = &req,
		.resp_dw = sizeof(resp) / 4,
		.resp = &resp,
	};
	unsigned long flags;
	bool ban = false;
	u32 state;
	int ret, idx;

	if (pvgpu_dep_queue_is_banned(&eq->base.dq))
		return;

	mutex_lock(&eq->fw_lock);
	if (eq->deregistered || !drm_dev_enter(&pvdev->drm, &idx))
		goto out_unlock;
	ret = pvgpu_channel_send(&pvdev->fw.ch, &msg,
				 READ_ONCE(pvgpu_fw_timeout_ms));
	drm_dev_exit(idx);
	if (ret || msg.resp_dw < sizeof(resp) / 4) {
		drm_dbg_driver(&pvdev->drm, "queue %u: query failed: %d\n",
			       eq->fw_id, ret);
		goto out_unlock;
	}

	state = le32_to_cpu(resp.state);
	switch (state) {
	case PVGPU_QUEUE_STATE_ERROR:
		/*
		 * The lost event's error code and guilt are gone: -EIO, and
		 * guilty (the queue stopped; nothing says another one did it).
		 */
		if (!pvgpu_exec_queue_set_error(eq, PVGPU_EXEC_QUEUE_RESET |
						PVGPU_EXEC_QUEUE_GUILTY, -EIO))
			break;	/* known: the event, or our own reset */
		drm_info(&pvdev->drm,
			 "exec queue (fw %u): stopped by an error whose event was lost\n",
			 eq->fw_id);
		ban = true;
		break;
	case PVGPU_QUEUE_STATE_FAULTED:
		spin_lock_irqsave(&eq->state_lock, flags);
		/* Its event came: fault_work answers it. */
		if (eq->fault_seqno) {
			spin_unlock_irqrestore(&eq->state_lock, flags);
			break;
		}
		spin_unlock_irqrestore(&eq->state_lock, flags);
		/*
		 * PAGE_FAULT_REPLY must name the fault's fault_seqno, which
		 * only the lost event carried (QUEUE_QUERY does not give it,
		 * and the firmware refuses any other): the fault cannot be
		 * failed as the event would have been. The queue is reset
		 * instead, which stops it as FAIL would (and wedges the
		 * device if the firmware will not).
		 */
		if (!pvgpu_exec_queue_set_error(eq, PVGPU_EXEC_QUEUE_RESET |
						PVGPU_EXEC_QUEUE_GUILTY |
						PVGPU_EXEC_QUEUE_DRIVER_RESET,
						-EIO))
			break;
		drm_info(&pvdev->drm,
			 "exec queue (fw %u): page fault whose event was lost, resetting\n",
			 eq->fw_id);
		pvgpu_exec_queue_fw_request(eq, PVGPU_H2F_QUEUE_RESET);
		ban = true;
		break;
	}
out_unlock:
	mutex_unlock(&eq->fw_lock);
	if (ban)
		pvgpu_exec_queue_ban(eq);
}

static void pvgpu_exec_queue_query_work(struct work_struct *work)
{
	struct pvgpu_exec_queue *eq = container_of(work, struct pvgpu_exec_queue,
						   query_work);

	pvgpu_exec_queue_query(eq);
	pvgpu_queue_put(&eq->base);
}

/**
 * pvgpu_queues_recover_work() - &pvgpu_device.queues_recover_work
 * @work: the work
 *
 * Queued when the firmware dropped events (F2H full): completions show in
 * the seqno pages, but a dropped QUEUE_ERROR or PAGE_FAULT would leave a
 * queue stopped for good (an LR queue has no timeout). Asks the firmware
 * for the state of every registered exec queue (pvgpu_exec_queue_query()).
 * A busy queue that makes no progress for PVGPU_EXEC_QUERY_MS is queried
 * on its own (&pvgpu_exec_queue.query_work), which also catches events
 * lost with no later event to show the gap.
 */
void pvgpu_queues_recover_work(struct work_struct *work)
{
	struct pvgpu_device *pvdev = container_of(work, struct pvgpu_device,
						  queues_recover_work);
	struct pvgpu_exec_queue *eq;
	unsigned long id = 0;

	for (;;) {
		/*
		 * A published queue holds the firmware's reference until
		 * after an RCU grace period (pvgpu_exec_queue_unpublish()).
		 */
		rcu_read_lock();
		eq = xa_find(&pvdev->fw_queues, &id, ULONG_MAX, XA_PRESENT);
		if (eq)
			pvgpu_queue_get(&eq->base);
		rcu_read_unlock();
		if (!eq)
			break;
		pvgpu_exec_queue_query(eq);
		pvgpu_queue_put(&eq->base);
		id++;
	}
}

/*
 * Events lost to an F2H overflow may have been any queue's completions:
 * look at every queue's seqno page. They may also have been error or
 * page-fault events, which no seqno page shows: the firmware is asked
 * (pvgpu_queues_recover_work()).
 */
static void pvgpu_queues_scan(struct pvgpu_device *pvdev)
{
	struct pvgpu_exec_queue *eq;
	unsigned long id;

	xa_for_each(&pvdev->fw_queues, id, eq)
		pvgpu_exec_queue_complete(eq);
	queue_work(pvdev->wq, &pvdev->queues_recover_work);
}

/**
 * pvgpu_queue_fw_event() - handle a queue event of the firmware
 * @pvdev: the device
 * @hdr: the event's header
 * @payload: its payload
 *
 * Called by pvgpu_fw_event() in hard-interrupt context under the channel
 * lock: nothing here sleeps; firmware requests go to workers.
 *
 * Return: true if the opcode is a queue event (known), even if the queue
 * it names is gone.
 */
bool pvgpu_queue_fw_event(struct pvgpu_device *pvdev,
			  const struct pvgpu_msg_hdr *hdr,
			  const __le32 *payload)
{
	u16 opcode = le16_to_cpu(hdr->opcode);
	u32 len_bytes = le16_to_cpu(hdr->len) * 4;
	struct pvgpu_exec_queue *eq;
	u64 lost;
	u32 id;

	lockdep_assert_held(&pvdev->fw.ch.lock);
	switch (opcode) {
	case PVGPU_F2H_EVT_QUEUE_SIGNAL:
		if (len_bytes < sizeof(struct pvgpu_evt_queue_signal))
			return true;
		break;
	case PVGPU_F2H_EVT_QUEUE_IDLE:
		if (len_bytes < sizeof(struct pvgpu_evt_queue_idle))
			return true;
		break;
	case PVGPU_F2H_EVT_QUEUE_ERROR:
		if (len_bytes < sizeof(struct pvgpu_evt_queue_error))
			return true;
		break;
	case PVGPU_F2H_EVT_PAGE_FAULT:
		if (len_bytes < sizeof(struct pvgpu_evt_page_fault))
			return true;
		break;
	default:
		return false;
	}
	/* Every queue event starts with the queue id. */
	id = le32_to_cpu(payload[0]);

	rcu_read_lock();
	/* Both under the channel lock. */
	lost = pvdev->fw.ch.stats.events_lost;
	if (lost != pvdev->events_lost_seen) {
		pvdev->events_lost_seen = lost;
		pvgpu_queues_scan(pvdev);
	}

	eq = xa_load(&pvdev->fw_queues, id);
	if (eq) {
		switch (opcode) {
		case PVGPU_F2H_EVT_QUEUE_SIGNAL:
			pvgpu_exec_queue_complete(eq);
			/*
			 * Also a batch's own SIGNAL with SIGNAL_IRQ, in the
			 * middle of a job: a value it stored may be what a
			 * waiter waits for (progress of an LR job).
			 */
			pvgpu_exec_queue_wake_ufences(eq);
			break;
		case PVGPU_F2H_EVT_QUEUE_IDLE:
			pvgpu_exec_queue_complete(eq);
			break;
		case PVGPU_F2H_EVT_QUEUE_ERROR:
			pvgpu_exec_queue_complete(eq);
			pvgpu_exec_queue_error_event(eq, (const void *)payload);
			break;
		case PVGPU_F2H_EVT_PAGE_FAULT:
			pvgpu_exec_queue_fault_event(eq, (const void *)payload);
			break;
		}
	}
	rcu_read_unlock();
	return true;
}

/* --- Creation and destruction ---------------------------------------------- */

/* Exec queues the device can hold: firmware ids with a doorbell. */
static u32 pvgpu_exec_queue_max_ids(struct pvgpu_device *pvdev)
{
	return min_t(u32, pvdev->fw.info.max_queues, PVGPU_EXEC_MAX_DOORBELL);
}

/*
 * Counts @eq against its file's max_queues_per_file. At the limit, the
 * releases of queues destroyed a moment ago may still be pending on
 * &pvgpu_device.wq (the destroy work, then the dependency queue's
 * release): they are waited for once. Return: 0, or -EMFILE.
 */
static int pvgpu_exec_queue_charge_file(struct pvgpu_exec_queue *eq)
{
	struct pvgpu_device *pvdev = eq->pvdev;
	atomic_t *count = &eq->pfile->num_exec_queues;
	u32 max = pvgpu_file_limit(READ_ONCE(pvgpu_max_queues_per_file),
				   pvgpu_exec_queue_max_ids(pvdev));

	if (!pvgpu_file_charge(count, max)) {
		flush_workqueue(pvdev->wq);
		flush_workqueue(pvdev->wq);
		if (!pvgpu_file_charge(count, max))
			return -EMFILE;
	}
	eq->file_charged = true;
	return 0;
}

/* Reserves the lowest free firmware id (and so doorbell). */
static int pvgpu_exec_queue_reserve_id(struct pvgpu_exec_queue *eq)
{
	struct pvgpu_device *pvdev = eq->pvdev;
	u32 max = pvgpu_exec_queue_max_ids(pvdev);
	u32 id;
	int ret;

	for (id = 0; id < max; id++) {
		ret = xa_insert_irq(&pvdev->fw_queues, id, NULL, GFP_KERNEL);
		if (ret == -EBUSY)
			continue;
		if (ret)
			return ret;
		eq->fw_id = id;
		eq->doorbell = PVGPU_DOORBELL_ID(PVGPU_DOORBELL_GROUP_KERNEL,
						 id + 1);
		eq->fw_id_reserved = true;
		return 0;
	}
	return -ENOSPC;
}

static int pvgpu_exec_queue_setup_ring(struct pvgpu_exec_queue *eq)
{
	struct sg_table *sgt;
	int ret;

	eq->ring_bo = pvgpu_bo_create(eq->pvdev, PVGPU_EXEC_RING_BO_SIZE);
	if (IS_ERR(eq->ring_bo)) {
		ret = PTR_ERR(eq->ring_bo);
		eq->ring_bo = NULL;
		return ret;
	}
	eq->ring_cpu = pvgpu_bo_vmap(eq->ring_bo);
	if (IS_ERR(eq->ring_cpu)) {
		ret = PTR_ERR(eq->ring_cpu);
		eq->ring_cpu = NULL;
		return ret;
	}
	memset(eq->ring_cpu, 0, PVGPU_EXEC_RING_BO_SIZE);
	eq->seqno_cpu = eq->ring_cpu + PVGPU_EXEC_SEQNO_OFFSET;
	eq->ring_size = PVGPU_EXEC_RING_SIZE;

	sgt = pvgpu_bo_get_sgt(eq->ring_bo);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	return pvgpu_vm_kernel_map(eq->base.vm, sgt, PVGPU_EXEC_RING_BO_SIZE,
				   &eq->ring_va);
}

static int pvgpu_exec_queue_register(struct pvgpu_exec_queue *eq)
{
	struct pvgpu_device *pvdev = eq->pvdev;
	struct pvgpu_queue_desc *desc;
	struct pvgpu_msg_queue_register req = {
		.queue_id = cpu_to_le32(eq->fw_id),
	};
	struct pvgpu_channel_msg msg = {
		.opcode = PVGPU_H2F_QUEUE_REGISTER,
		.flags = PVGPU_CHANNEL_MSG_COMMIT,
		.req_dw = sizeof(req) / 4,
		.req = &req,
	};
	int ret;

	ret = pvgpu_dma_alloc(pvdev, &eq->ctl, SZ_4K);
	if (ret)
		return ret;
	desc = eq->ctl.vaddr + PVGPU_EXEC_CTL_DESC;
	eq->rptr_cpu = eq->ctl.vaddr + PVGPU_EXEC_CTL_RPTR;
	eq->wptr_cpu = eq->ctl.vaddr + PVGPU_EXEC_CTL_WPTR;

	desc->engine_class = cpu_to_le32(eq->base.engine_class);
	desc->priority = cpu_to_le32(eq->priority);
	desc->timeslice_us = cpu_to_le32(eq->timeslice_us);
	desc->asid = cpu_to_le32(eq->base.vm->asid);
	desc->ring_va = cpu_to_le64(eq->ring_va);
	desc->ring_size = cpu_to_le32(eq->ring_size);
	desc->doorbell = cpu_to_le32(eq->doorbell);
	desc->rptr_addr = cpu_to_le64(eq->ctl.dma + PVGPU_EXEC_CTL_RPTR);
	desc->wptr_addr = cpu_to_le64(eq->ctl.dma + PVGPU_EXEC_CTL_WPTR);
	req.desc_addr = cpu_to_le64(eq->ctl.dma + PVGPU_EXEC_CTL_DESC);

	/*
	 * Interruptible (an ioctl), and no wedge on failure: a signal stops
	 * it only before it is sent; an error status means the firmware
	 * did not register the queue; not sent before the timeout (a busy
	 * channel) means the firmware never saw it; every other failure (not
	 * answered in time, a drained ring, -ENODEV) stopped the device
	 * before the call returned (COMMIT). In every case the firmware does
	 * not use the queue's memory, and the caller frees it.
	 */
	ret = pvgpu_channel_send(&pvdev->fw.ch, &msg,
				 READ_ONCE(pvgpu_fw_timeout_ms));
	if (ret == -EIO && msg.fw_status == PVGPU_STATUS_ENOSPC)
		ret = -ENOSPC;
	if (!ret)
		eq->registered = true;
	return ret;
}

/* Drops the firmware's hold on @eq: no event can find it afterwards. */
static void pvgpu_exec_queue_unpublish(struct pvgpu_exec_queue *eq)
{
	struct pvgpu_device *pvdev = eq->pvdev;

	if (!eq->fw_id_reserved)
		return;
	xa_erase_irq(&pvdev->fw_queues, eq->fw_id);
	eq->fw_id_reserved = false;
	/* An interrupt handler may still be looking at it. */
	synchronize_rcu();
	eq->registered = false;
	pvgpu_queue_put(&eq->base);
}

static void pvgpu_exec_queue_destroy_work(struct work_struct *work)
{
	struct pvgpu_exec_queue *eq = container_of(work, struct pvgpu_exec_queue,
						   destroy_work);

	pvgpu_exec_queue_set_error(eq, PVGPU_EXEC_QUEUE_KILLED |
				   PVGPU_EXEC_QUEUE_DRIVER_RESET, -ECANCELED);
	/*
	 * The firmware stops (or the device is wedged, which stops it) before
	 * the fences say the work is over.
	 */
	mutex_lock(&eq->fw_lock);
	pvgpu_exec_queue_fw_request(eq, PVGPU_H2F_QUEUE_RESET);
	pvgpu_exec_queue_ban(eq);
	/*
	 * Banned, the poll does not re-arm; a pending one goes now with its
	 * reference, so that draining the workqueue (device release) is
	 * enough to see the queue gone: a pending timer is not drained.
	 */
	if (cancel_delayed_work(&eq->poll_work))
		pvgpu_queue_put(&eq->base);

	/*
	 * Deregistered, or the firmware stopped: -ENODEV means it stopped
	 * before the channel failed (removal, or a wedge), and any other
	 * failure wedged the device before returning. Either way the
	 * firmware touches none of the queue's memory any more, and the
	 * release may free it.
	 */
	pvgpu_exec_queue_fw_request(eq, PVGPU_H2F_QUEUE_DEREGISTER);
	mutex_unlock(&eq->fw_lock);
	pvgpu_exec_queue_unpublish(eq);
	/* The id's reference, handed over by pvgpu_exec_queue_destroy(). */
	pvgpu_queue_put(&eq->base);
}

static void pvgpu_exec_queue_destroy(struct pvgpu_queue *queue)
{
	struct pvgpu_exec_queue *eq = to_pvgpu_exec_queue(queue);

	/* No job starts any more; the rest must not block the caller. */
	pvgpu_dep_queue_stop(&queue->dq);
	queue_work(eq->pvdev->wq, &eq->destroy_work);
}

static int pvgpu_exec_queue_create(struct pvgpu_file *pfile,
				   struct pvgpu_vm *vm,
				   const struct drm_pvgpu_queue_create *args,
				   struct pvgpu_queue **out)
{
	struct pvgpu_device *pvdev = pfile->pvdev;
	struct pvgpu_exec_queue *eq;
	int ret;

	eq = kzalloc(sizeof(*eq), GFP_KERNEL_ACCOUNT);
	if (!eq)
		return -ENOMEM;
	eq->pvdev = pvdev;
	eq->pfile = pvgpu_file_get(pfile);
	eq->base.kind = PVGPU_QUEUE_EXEC;
	eq->base.vm = pvgpu_vm_get(vm);
	eq->base.engine_class = args->engine_class;
	eq->base.destroy = pvgpu_exec_queue_destroy;
	INIT_LIST_HEAD(&eq->base.link);
	eq->priority = args->priority;
	eq->timeslice_us = args->timeslice_us;
	eq->lr = pvgpu_vm_is_lr(vm);
	spin_lock_init(&eq->state_lock);
	mutex_init(&eq->fw_lock);
	INIT_WORK(&eq->error_work, pvgpu_exec_queue_error_work);
	INIT_WORK(&eq->fault_work, pvgpu_exec_queue_fault_work);
	INIT_WORK(&eq->destroy_work, pvgpu_exec_queue_destroy_work);
	INIT_WORK(&eq->ufence_work, pvgpu_exec_queue_ufence_work);
	INIT_WORK(&eq->query_work, pvgpu_exec_queue_query_work);
	INIT_DELAYED_WORK(&eq->poll_work, pvgpu_exec_queue_poll_work);

	ret = pvgpu_exec_queue_charge_file(eq);
	if (ret)
		goto err_free;
	ret = pvgpu_exec_queue_reserve_id(eq);
	if (ret)
		goto err_free;
	ret = pvgpu_exec_queue_setup_ring(eq);
	if (ret)
		goto err_free;
	ret = pvgpu_exec_queue_register(eq);
	if (ret)
		goto err_free;

	/* From here on only the dependency queue's release frees @eq. */
	ret = pvgpu_dep_queue_init(&eq->base.dq, &pvgpu_exec_queue_ops,
				   pvgpu_exec_queue_name(args->engine_class),
				   eq->lr ? PVGPU_DEP_QUEUE_LR : 0,
				   eq->lr ? 0 : READ_ONCE(pvgpu_job_timeout_ms),
				   pvdev->wq);
	if (ret)
		goto err_deregister;

	mutex_lock(&pvdev->objs_lock);
	list_add_tail(&eq->base.link, &pvdev->queues);
	mutex_unlock(&pvdev->objs_lock);

	/* The firmware's reference; the reserved slot needs no memory. */
	pvgpu_queue_get(&eq->base);
	xa_store_irq(&pvdev->fw_queues, eq->fw_id, eq, GFP_KERNEL);
	*out = &eq->base;
	return 0;

err_deregister:
	/* Deregistered, or the firmware stopped (wedged if need be). */
	mutex_lock(&eq->fw_lock);
	pvgpu_exec_queue_fw_request(eq, PVGPU_H2F_QUEUE_DEREGISTER);
	mutex_unlock(&eq->fw_lock);
	eq->registered = false;
err_free:
	pvgpu_exec_queue_free(eq);
	return ret;
}

/**
 * pvgpu_queue_lookup() - find a queue of a file by its id
 * @pfile: the file
 * @queue_id: the id
 *
 * Return: the queue with a reference (pvgpu_queue_put()), or NULL.
 */
struct pvgpu_queue *pvgpu_queue_lookup(struct pvgpu_file *pfile, u32 queue_id)
{
	struct pvgpu_queue *queue;

	xa_lock(&pfile->queues);
	queue = xa_load(&pfile->queues, queue_id);
	if (queue)
		pvgpu_queue_get(queue);
	xa_unlock(&pfile->queues);
	return queue;
}

/**
 * pvgpu_ioctl_queue_create() - DRM_IOCTL_PVGPU_QUEUE_CREATE
 * @drm: the DRM device
 * @data: struct drm_pvgpu_queue_create
 * @file: the DRM file
 *
 * Return: 0, or the errors listed at struct drm_pvgpu_queue_create.
 */
int pvgpu_ioctl_queue_create(struct drm_device *drm, void *data,
			     struct drm_file *file)
{
	struct pvgpu_device *pvdev = to_pvgpu_device(drm);
	struct pvgpu_file *pfile = to_pvgpu_file(file);
	const struct pvgpu_fw_info *info = &pvdev->fw.info;
	struct drm_pvgpu_queue_create *args = data;
	struct pvgpu_queue *queue = NULL;
	struct pvgpu_vm *vm;
	u32 id;
	int ret, idx;

	if (args->extensions || args->flags)
		return -EINVAL;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	if (args->engine_class == DRM_PVGPU_ENGINE_CLASS_VM_BIND) {
		ret = -EINVAL;
		if (args->priority || args->timeslice_us)
			goto out_exit;
	} else {
		ret = -EINVAL;
		if ((args->engine_class != DRM_PVGPU_ENGINE_CLASS_COPY &&
		     args->engine_class != DRM_PVGPU_ENGINE_CLASS_COMPUTE) ||
		    !pvgpu_engine_find(pvdev, args->engine_class))
			goto out_exit;
		if (args->priority >= info->num_priorities)
			goto out_exit;
		if (args->timeslice_us &&
		    (args->timeslice_us < info->timeslice_min_us ||
		     args->timeslice_us > info->timeslice_max_us))
			goto out_exit;
		/* High and realtime: the top two levels, never level 0. */
		ret = -EPERM;
		if (args->priority && args->priority + 2 >= info->num_priorities &&
		    !capable(CAP_SYS_NICE))
			goto out_exit;
	}

	ret = -ENOENT;
	vm = pvgpu_vm_lookup(pfile, args->vm_id);
	if (!vm)
		goto out_exit;
	/*
	 * An unusable VM's mappings are not what userspace asked for: no new
	 * work runs on it. Bind queues still come, for the UNMAPs that clean
	 * it up.
	 */
	ret = -ECANCELED;
	if (args->engine_class != DRM_PVGPU_ENGINE_CLASS_VM_BIND &&
	    READ_ONCE(vm->error))
		goto out_vm;

	/* The id first, reserved: nothing can fail after the queue exists. */
	ret = xa_alloc(&pfile->queues, &id, NULL, xa_limit_32b,
		       GFP_KERNEL_ACCOUNT);
	if (ret)
		goto out_vm;

	if (args->engine_class == DRM_PVGPU_ENGINE_CLASS_VM_BIND) {
		queue = pvgpu_bind_queue_create(vm);
		ret = IS_ERR(queue) ? PTR_ERR(queue) : 0;
	} else {
		ret = pvgpu_exec_queue_create(pfile, vm, args, &queue);
	}
	if (ret) {
		xa_erase(&pfile->queues, id);
		goto out_vm;
	}
	xa_store(&pfile->queues, id, queue, GFP_KERNEL);
	args->queue_id = id;

out_vm:
	pvgpu_vm_put(vm);
out_exit:
	drm_dev_exit(idx);
	return ret;
}

/**
 * pvgpu_ioctl_queue_destroy() - DRM_IOCTL_PVGPU_QUEUE_DESTROY
 * @drm: the DRM device
 * @data: struct drm_pvgpu_queue_destroy
 * @file: the DRM file
 *
 * Return: 0, or the errors listed at struct drm_pvgpu_queue_destroy.
 */
int pvgpu_ioctl_queue_destroy(struct drm_device *drm, void *data,
			      struct drm_file *file)
{
	struct pvgpu_file *pfile = to_pvgpu_file(file);
	struct drm_pvgpu_queue_destroy *args = data;
	struct pvgpu_queue *queue;

	if (args->extensions || args->pad)
		return -EINVAL;

	xa_lock(&pfile->queues);
	/* A reserved id (a queue being created) loads as NULL. */
	queue = xa_load(&pfile->queues, args->queue_id);
	if (queue)
		__xa_erase(&pfile->queues, args->queue_id);
	xa_unlock(&pfile->queues);
	if (!queue)
		return -ENOENT;
	queue->destroy(queue);
	return 0;
}

/**
 * pvgpu_ioctl_queue_get_state() - DRM_IOCTL_PVGPU_QUEUE_GET_STATE
 * @drm: the DRM device
 * @data: struct drm_pvgpu_queue_get_state
 * @file: the DRM file
 *
 * Return: 0, or the errors listed at struct drm_pvgpu_queue_get_state.
 */
int pvgpu_ioctl_queue_get_state(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	struct pvgpu_file *pfile = to_pvgpu_file(file);
	struct drm_pvgpu_queue_get_state *args = data;
	struct pvgpu_queue *queue;
	struct pvgpu_dep_queue *dq;
	unsigned long flags;
	u32 state = 0;
	int error;

	if (args->extensions || args->pad)
		return -EINVAL;
	queue = pvgpu_queue_lookup(pfile, args->queue_id);
	if (!queue)
		return -ENOENT;
	dq = &queue->dq;

	spin_lock_irqsave(&dq->lock, flags);
	args->jobs_submitted = dq->jobs_submitted;
	args->jobs_completed = dq->jobs_completed;
	error = dq->banned ? dq->error : 0;
	spin_unlock_irqrestore(&dq->lock, flags);
	args->flags = error ? DRM_PVGPU_QUEUE_STATE_BANNED : 0;

	if (queue->kind == PVGPU_QUEUE_EXEC) {
		struct pvgpu_exec_queue *eq = to_pvgpu_exec_queue(queue);

		spin_lock_irqsave(&eq->state_lock, flags);
		state = eq->state;
		if (eq->error)
			error = eq->error;
		spin_unlock_irqrestore(&eq->state_lock, flags);
		if (state & PVGPU_EXEC_QUEUE_RESET)
			args->flags |= DRM_PVGPU_QUEUE_STATE_RESET;
		if (state & PVGPU_EXEC_QUEUE_GUILTY)
			args->flags |= DRM_PVGPU_QUEUE_STATE_GUILTY;
		if (pvgpu_dep_queue_is_banned(dq))
			args->flags |= DRM_PVGPU_QUEUE_STATE_BANNED;
	}
	args->error = error;
	pvgpu_queue_put(queue);
	return 0;
}

/**
 * pvgpu_queue_file_close() - destroy every queue of a closing file
 * @pfile: the file
 *
 * Queues are killed or drained without waiting (&pvgpu_queue.destroy).
 */
void pvgpu_queue_file_close(struct pvgpu_file *pfile)
{
	struct pvgpu_queue *queue;
	unsigned long id;

	xa_for_each(&pfile->queues, id, queue) {
		xa_erase(&pfile->queues, id);
		queue->destroy(queue);
	}
}

/**
 * pvgpu_queues_fini() - stop every exec queue of a device being removed
 * @pvdev: the device
 *
 * After drm_dev_unplug() and with the channel failed, or from the work of
 * pvgpu_fw_wedge(): the firmware is stopped, no firmware request is sent.
 * Every outstanding fence signals with -ENODEV and the busy periods end;
 * the queues themselves go when their files close.
 */
void pvgpu_queues_fini(struct pvgpu_device *pvdev)
{
	struct pvgpu_queue *queue;

	mutex_lock(&pvdev->objs_lock);
	list_for_each_entry(queue, &pvdev->queues, link) {
		struct pvgpu_exec_queue *eq;

		if (queue->kind != PVGPU_QUEUE_EXEC)
			continue;
		eq = to_pvgpu_exec_queue(queue);
		pvgpu_exec_queue_set_error(eq, 0, -ENODEV);
		pvgpu_dep_queue_ban(&queue->dq, -ENODEV);
		/* Nothing runs any more: the busy period ends. */
		pvgpu_exec_busy_account(eq, 0, true);
		/* Waiters naming it end with -EIO (process context). */
		pvgpu_ufence_wake_queue(eq->pfile, queue);
	}
	mutex_unlock(&pvdev->objs_lock);
}

/**
 * pvgpu_queues_hw_fini() - free the DMA memory of every exec queue
 * @pvdev: the device, removed, its firmware stopped (pvgpu_fw_fini())
 *
 * Coherent DMA memory belongs to the bound PCI function: the descriptor
 * and pointer page of every queue still alive (its file still open) is
 * freed here, now that the firmware can no longer write it, rather than
 * when the queue goes. Nothing reads it any more: every reader is inside
 * drm_dev_enter(), which fails after drm_dev_unplug().
 */
void pvgpu_queues_hw_fini(struct pvgpu_device *pvdev)
{
	struct pvgpu_queue *queue;

	mutex_lock(&pvdev->objs_lock);
	list_for_each_entry(queue, &pvdev->queues, link) {
		if (queue->kind == PVGPU_QUEUE_EXEC)
			pvgpu_dma_free(pvdev, &to_pvgpu_exec_queue(queue)->ctl);
	}
	mutex_unlock(&pvdev->objs_lock);
}

/* --- debugfs and fdinfo ---------------------------------------------------- */

/**
 * pvgpu_queue_debugfs_print() - the debugfs "queues" file
 * @pvdev: the device
 * @p: where to print
 *
 * One block per live queue: its firmware side (exec queues) and its
 * dependency queue.
 */
void pvgpu_queue_debugfs_print(struct pvgpu_device *pvdev,
			       struct drm_printer *p)
{
	struct pvgpu_queue *queue;

	mutex_lock(&pvdev->objs_lock);
	list_for_each_entry(queue, &pvdev->queues, link) {
		struct pvgpu_exec_queue *eq;
		unsigned long flags;
		u32 state, fw_error;
		int error;

		if (queue->kind != PVGPU_QUEUE_EXEC) {
			drm_printf(p, "bind queue:\n");
			pvgpu_dep_queue_print(&queue->dq, p);
			continue;
		}
		eq = to_pvgpu_exec_queue(queue);
		spin_lock_irqsave(&eq->state_lock, flags);
		state = eq->state;
		error = eq->error;
		fw_error = eq->fw_error;
		spin_unlock_irqrestore(&eq->state_lock, flags);
		drm_printf(p, "exec queue fw %u: %s%s priority %u timeslice %u us doorbell %u\n",
			   eq->fw_id, pvgpu_engine_class_name(queue->engine_class),
			   eq->lr ? " lr" : "", eq->priority, eq->timeslice_us,
			   eq->doorbell);
		drm_printf(p, "  ring 0x%llx+0x%x wptr 0x%x rptr 0x%x seqno %llu\n",
			   eq->ring_va, eq->ring_size, READ_ONCE(eq->wptr),
			   /* objs_lock keeps pvgpu_queues_hw_fini() out. */
			   eq->ctl.vaddr ? le32_to_cpu(READ_ONCE(*eq->rptr_cpu)) : 0,
			   pvgpu_exec_queue_seqno(eq));
		drm_printf(p, "  state%s%s%s%s error %d fw_error %u\n",
			   state & PVGPU_EXEC_QUEUE_RESET ? " reset" : "",
			   state & PVGPU_EXEC_QUEUE_GUILTY ? " guilty" : "",
			   state & PVGPU_EXEC_QUEUE_KILLED ? " killed" : "",
			   state ? "" : " ok", error, fw_error);
		pvgpu_dep_queue_print(&queue->dq, p);
	}
	mutex_unlock(&pvdev->objs_lock);
}

/**
 * pvgpu_queue_show_fdinfo() - the file's engine utilisation for fdinfo
 * @pfile: the file
 * @p: where to print
 *
 * drm-engine-<class>: busy ns (see the DOC: section on busy time) and
 * drm-engine-capacity-<class> when the class has more than one slot
 * (Documentation/gpu/drm-usage-stats.rst).
 */
void pvgpu_queue_show_fdinfo(struct pvgpu_file *pfile, struct drm_printer *p)
{
	const struct pvgpu_fw_info *info = &pfile->pvdev->fw.info;
	u64 busy[PVGPU_MAX_ENGINE_CLASSES] = { };
	u64 now = ktime_get_ns();
	struct pvgpu_queue *queue;
	unsigned long id;
	u32 i;

	/* Open busy periods; the queues in the xarray hold their id's ref. */
	xa_lock(&pfile->queues);
	xa_for_each(&pfile->queues, id, queue) {
		struct pvgpu_exec_queue *eq;
		unsigned long flags;

		if (queue->kind != PVGPU_QUEUE_EXEC ||
		    queue->engine_class >= PVGPU_MAX_ENGINE_CLASSES)
			continue;
		eq = to_pvgpu_exec_queue(queue);
		spin_lock_irqsave(&eq->state_lock, flags);
		if (eq->busy && now > eq->busy_since_ns)
			busy[queue->engine_class] += now - eq->busy_since_ns;
		spin_unlock_irqrestore(&eq->state_lock, flags);
	}
	xa_unlock(&pfile->queues);

	for (i = 0; i < info->num_engine_classes; i++) {
		const struct pvgpu_engine_info *e = &info->engines[i];
		const char *name = pvgpu_engine_class_name(e->engine_class);

		if (e->engine_class >= PVGPU_MAX_ENGINE_CLASSES)
			continue;
		drm_printf(p, "drm-engine-%s:\t%llu ns\n", name,
			   atomic64_read(&pfile->engine_busy_ns[e->engine_class]) +
			   busy[e->engine_class]);
		if (e->num_slots > 1)
			drm_printf(p, "drm-engine-capacity-%s:\t%u\n", name,
				   e->num_slots);
	}
}
