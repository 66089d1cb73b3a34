// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: the firmware backend of exec queues.
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include <uapi/drm/pvgpu_drm.h>

#include "pvgpu_cmds.h"
#include "pvgpu_drv.h"
#include "pvgpu_gem.h"
#include "pvgpu_queue.h"
#include "pvgpu_queue_internal.h"
#include "pvgpu_regs.h"
#include "pvgpu_sync.h"
#include "pvgpu_userq.h"
#include "pvgpu_vm.h"

/**
 * DOC: Exec queues on firmware queues
 *
 * What an exec queue (pvgpu_queue.c) asks of the firmware, and how its
 * jobs reach the firmware.
 *
 * **The firmware queue.** Every exec queue is one firmware queue, for its
 * whole life. Its id comes from &pvgpu_device.fw_queues (an xarray, the
 * index is the firmware id, reserved at creation and published once the
 * queue is registered); its doorbell is the firmware id + 1 in the kernel's
 * doorbell group, so the ids the doorbell group has (1 .. 1023) bound the
 * number of exec queues as much as caps.max_queues does: -ENOSPC beyond
 * (pvgpu_exec_queue_reserve_id()). The queue descriptor and the read and
 * write pointers and the queue's fence share one coherent DMA page;
 * PVGPU_H2F_QUEUE_REGISTER hands it to the firmware
 * (pvgpu_exec_queue_register()).
 *
 * **Privilege.** The queue is registered privileged
 * (PVGPU_QUEUE_DESC_PRIVILEGED): the firmware reads its ring at its
 * guest-physical address and only the ring's own commands may be FENCE,
 * which writes the fence. No GPU VM maps the ring or the control page, and
 * a FENCE inside a batch is a queue error, so the values the driver
 * trusts (the fence for signalling, the read pointer for ring space) come
 * from the firmware alone. The device must speak interface 1.2
 * (PVGPU_IFACE_MINOR_PRIV_QUEUES); an older one gets no exec queues.
 *
 * **Jobs.** The queue's dependency queue (struct pvgpu_dep_queue) orders
 * jobs and waits for their dependencies; its run_job writes ``NOP`` and
 * ``BATCH_CALL(batch)`` (nothing for an ordering point, num_batch 0) and
 * ``FENCE(job seqno, IRQ)`` to the ring, moves the write pointer and
 * rings the doorbell. can_run_job says whether the ring has room: a job
 * that does not fit waits for completions. Jobs start in order and the
 * ring completes them in order, so a job's seqno in the fence means every
 * earlier job of the queue completed too (pvgpu_queue_event.c). An LR
 * queue takes a job only if the ring has room for it now
 * (pvgpu_exec_queue_lr_full()).
 *
 * **Timeouts.** Jobs of non-LR queues have a timeout (the job_timeout_ms
 * module parameter, taken at queue creation; 0 disables it), counted for
 * the oldest running job from its start or its predecessor's completion,
 * whichever is later. When it is exceeded the driver sends
 * PVGPU_H2F_QUEUE_RESET, marks the queue reset and guilty and bans it with
 * -ETIMEDOUT.
 *
 * **Teardown.** &pvgpu_queue.destroy (pvgpu_exec_queue_destroy()) stops
 * the dependency queue and leaves the rest to a worker: QUEUE_RESET (so
 * the firmware stops touching the queue's memory), ban with -ECANCELED,
 * QUEUE_DEREGISTER, unpublish the firmware id. The firmware registration
 * holds a reference of its own: the ring and the DMA page are freed by the
 * dependency queue's release, which cannot come before the firmware let go
 * of them. RESET and DEREGISTER are uninterruptible commits; one that
 * fails with anything but -ENODEV (the firmware stopped) wedges the
 * device, which stops the firmware, before any fence signals or memory is
 * freed (pvgpu_exec_queue_fw_request()).
 *
 * **Device reset.** The firmware forgets every queue; the driver keeps
 * the ring, the control page and the jobs, and registers the queue again
 * with its read pointer where the firmware stopped, if the oldest job had
 * not begun, or bans it (pvgpu_queues_reset_settle(),
 * pvgpu_queues_reset_recover(), and the DOC: of pvgpu_reset.c).
 */

/* Doorbells of kernel queues: ids 1 .. 1023 of group 0. */
#define PVGPU_EXEC_MAX_DOORBELL \
	PVGPU_DOORBELL_ID(PVGPU_DOORBELL_GROUP_KERNEL, \
			  PVGPU_DOORBELLS_PER_PAGE - 1)

/* Offsets in the control page. */
#define PVGPU_EXEC_CTL_DESC	0
#define PVGPU_EXEC_CTL_RPTR	64
#define PVGPU_EXEC_CTL_WPTR	128
#define PVGPU_EXEC_CTL_FENCE	192

/* --- Firmware requests ----------------------------------------------------- */

/**
 * pvgpu_exec_queue_fw_request() - send QUEUE_RESET or QUEUE_DEREGISTER
 * @eq: the queue
 * @opcode: PVGPU_H2F_QUEUE_RESET or PVGPU_H2F_QUEUE_DEREGISTER
 *
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
 * runs in a work and takes them); it holds &pvgpu_exec_queue.fw_lock.
 *
 * Return: 0, -ENODEV, or the error of the failed request.
 */
int pvgpu_exec_queue_fw_request(struct pvgpu_exec_queue *eq, u16 opcode)
{
	lockdep_assert_held(&eq->fw_lock);
	return pvgpu_fw_queue_request(eq->pvdev, eq->fw_id, opcode,
				      &eq->deregistered);
}

/**
 * pvgpu_fw_queue_request() - stop a firmware queue, or make it forget it
 * @pvdev: the device
 * @fw_id: the firmware queue id
 * @opcode: PVGPU_H2F_QUEUE_RESET or PVGPU_H2F_QUEUE_DEREGISTER
 * @deregistered: the queue's "DEREGISTER was sent" flag, under the lock
 *	that serialises the queue's firmware requests
 *
 * pvgpu_exec_queue_fw_request() for any kind of queue: the same rules
 * (0 or -ENODEV: the firmware no longer runs the queue; any other failure
 * wedged the device first).
 *
 * Return: 0, -ENODEV, or the error of the failed request.
 */
int pvgpu_fw_queue_request(struct pvgpu_device *pvdev, u32 fw_id, u16 opcode,
			   bool *deregistered)
{
	struct pvgpu_msg_queue req = {
		.queue_id = cpu_to_le32(fw_id),
	};
	struct pvgpu_channel_msg msg = {
		.opcode = opcode,
		.flags = PVGPU_CHANNEL_MSG_COMMIT | PVGPU_CHANNEL_MSG_NOINTR,
		.req_dw = sizeof(req) / 4,
		.req = &req,
	};
	int ret, idx;

	/* The firmware no longer knows the queue: nothing to stop. */
	if (*deregistered)
		return 0;
	/* Removal stops the firmware before drm_dev_unplug(). */
	if (!drm_dev_enter(&pvdev->drm, &idx)) {
		*deregistered = true;
		return -ENODEV;
	}
	ret = pvgpu_channel_send(&pvdev->fw.ch, &msg,
				 READ_ONCE(pvgpu_fw_timeout_ms));
	if (ret && ret != -ENODEV) {
		drm_err(&pvdev->drm, "queue %u: %s failed: %d (status %s)\n",
			fw_id, opcode == PVGPU_H2F_QUEUE_RESET ?
			"QUEUE_RESET" : "QUEUE_DEREGISTER", ret,
			ret == -EIO && msg.fw_status ?
			pvgpu_fw_status_name(msg.fw_status) : "none");
		pvgpu_fw_wedge(pvdev, opcode == PVGPU_H2F_QUEUE_RESET ?
			       "a queue could not be reset" :
			       "a queue could not be deregistered");
	}
	/* Either way the firmware does not touch the queue any more. */
	if (opcode == PVGPU_H2F_QUEUE_DEREGISTER)
		*deregistered = true;
	drm_dev_exit(idx);
	return ret;
}

/*
 * Sends a state-changing request about a queue, uninterruptibly
 * (COMMIT | NOINTR: a failure the firmware did not answer stops the
 * device before this returns). -ENODEV after the device's removal.
 */
static int pvgpu_fw_queue_commit(struct pvgpu_device *pvdev, u16 opcode,
				 const void *req, u32 req_dw)
{
	struct pvgpu_channel_msg msg = {
		.opcode = opcode,
		.flags = PVGPU_CHANNEL_MSG_COMMIT | PVGPU_CHANNEL_MSG_NOINTR,
		.req_dw = req_dw,
		.req = req,
	};
	int ret, idx;

	if (!drm_dev_enter(&pvdev->drm, &idx))
		return -ENODEV;
	ret = pvgpu_channel_send(&pvdev->fw.ch, &msg,
				 READ_ONCE(pvgpu_fw_timeout_ms));
	drm_dev_exit(idx);
	return ret;
}

/**
 * pvgpu_fw_queue_reply_fault() - answer a queue's page fault
 * @pvdev: the device
 * @fw_id: the firmware queue id
 * @fault_seqno: the fault's fault_seqno (its event's, or QUEUE_QUERY's)
 * @action: PVGPU_FAULT_REPLY_RETRY (replay the access) or _FAIL (the
 *	    queue's error event follows and bans it)
 *
 * Process context; the caller holds the lock that serialises the queue's
 * firmware requests and knows the queue is registered.
 */
void pvgpu_fw_queue_reply_fault(struct pvgpu_device *pvdev, u32 fw_id,
				u32 fault_seqno, u32 action)
{
	struct pvgpu_msg_fault_reply req = {
		.queue_id = cpu_to_le32(fw_id),
		.fault_seqno = cpu_to_le32(fault_seqno),
		.action = cpu_to_le32(action),
	};
	int ret;

	ret = pvgpu_fw_queue_commit(pvdev, PVGPU_H2F_PAGE_FAULT_REPLY, &req,
				    sizeof(req) / 4);
	if (ret && ret != -ENODEV)
		drm_dbg_driver(&pvdev->drm, "queue %u: fault reply failed: %d\n",
			       fw_id, ret);
}

/* --- Dependency-queue backend ---------------------------------------------- */

static u32 pvgpu_exec_job_bytes(struct pvgpu_exec_job *job)
{
	return (PVGPU_CMD_LEN_FENCE +
		(job->num_batch ? PVGPU_CMD_LEN_NOP +
		 PVGPU_CMD_LEN_BATCH_CALL : 0)) * 4;
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
	__le32 *ring = eq->ring.vaddr;

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

	WRITE_ONCE(job->ring_start, wptr);
	if (job->num_batch) {
		/*
		 * The NOP retires before the batch begins: a read pointer
		 * past it says the firmware began the job (a device reset
		 * does not replay it, pvgpu_queues_reset_settle()).
		 */
		pvgpu_ring_emit(eq, &wptr,
				PVGPU_CMD_HDR(PVGPU_CMD_NOP, 0, PVGPU_CMD_LEN_NOP));
		pvgpu_ring_emit(eq, &wptr,
				PVGPU_CMD_HDR(PVGPU_CMD_BATCH_CALL, 0,
					      PVGPU_CMD_LEN_BATCH_CALL));
		pvgpu_ring_emit64(eq, &wptr, job->batch_va);
	}
	pvgpu_ring_emit(eq, &wptr,
			PVGPU_CMD_HDR(PVGPU_CMD_FENCE, PVGPU_CMD_FENCE_IRQ,
				      PVGPU_CMD_LEN_FENCE));
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

/* Job timeout: resets (or wedges) and bans; runs on the timeout work. */
static void pvgpu_exec_timedout_job(struct pvgpu_dep_job *job)
{
	struct pvgpu_exec_queue *eq = dq_to_eq(job->q);
	struct pvgpu_device *pvdev = eq->pvdev;

	/* Completed, and its event was lost: no hang. */
	if (pvgpu_exec_queue_seqno(eq) >= job->seqno) {
		pvgpu_exec_queue_complete_timedout(eq);
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

/* The dependency-queue backend of exec queues (pvgpu_exec_queue_create()). */
const struct pvgpu_dep_queue_ops pvgpu_exec_queue_ops = {
	.can_run_job = pvgpu_exec_can_run_job,
	.run_job = pvgpu_exec_run_job,
	.timedout_job = pvgpu_exec_timedout_job,
	.free_job = pvgpu_exec_free_job,
	.release = pvgpu_exec_release,
};

/**
 * pvgpu_exec_queue_lr_full() - whether one more job would overflow the ring
 * @eq: the queue
 *
 * An LR job may never complete, so an LR queue's EXEC fails with
 * -EWOULDBLOCK instead of leaving the job to wait for ring room: a job is
 * accepted only if it, and every armed job not yet written to the ring
 * (waiting for its in-syncs), each at its largest size, fit in the room
 * the ring has now. The room comes from the firmware's read pointer, in
 * the queue's DMA page, which no GPU VM maps. The read
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

/* --- Firmware id, registration and teardown -------------------------------- */

/**
 * pvgpu_exec_queue_max_ids() - how many exec queues the device can hold
 * @pvdev: the device
 *
 * Return: the number of firmware queue ids that have a doorbell.
 */
u32 pvgpu_exec_queue_max_ids(struct pvgpu_device *pvdev)
{
	return min_t(u32, pvdev->fw.info.max_queues, PVGPU_EXEC_MAX_DOORBELL);
}

/**
 * pvgpu_exec_queue_reserve_id() - reserve a firmware queue id and doorbell
 * @eq: the queue being created
 *
 * Reserves the lowest free firmware id (and so doorbell) in
 * &pvgpu_device.fw_queues; pvgpu_exec_queue_free() lets it go.
 *
 * Return: 0, -ENOSPC if every id is taken, or -ENOMEM.
 */
int pvgpu_exec_queue_reserve_id(struct pvgpu_exec_queue *eq)
{
	int ret;

	ret = pvgpu_fw_queue_reserve_id(eq->pvdev, false, &eq->fw_id);
	if (ret)
		return ret;
	eq->doorbell = PVGPU_DOORBELL_ID(PVGPU_DOORBELL_GROUP_KERNEL,
					 eq->fw_id + 1);
	eq->fw_id_reserved = true;
	return 0;
}

/**
 * pvgpu_fw_queue_reserve_id() - reserve a firmware queue id
 * @pvdev: the device
 * @user: for a user queue: from the top of the firmware's ids down, so
 *	that the low ids, which have a doorbell in the kernel's group, stay
 *	for exec queues; else the lowest free id with such a doorbell
 * @id: out: the id, held in &pvgpu_device.fw_queues (with no entry yet)
 *
 * Return: 0, -ENOSPC if every id is taken, or -ENOMEM.
 */
int pvgpu_fw_queue_reserve_id(struct pvgpu_device *pvdev, bool user, u32 *id)
{
	u32 max = user ? pvdev->fw.info.max_queues :
		  pvgpu_exec_queue_max_ids(pvdev);
	u32 i;
	int ret;

	for (i = 0; i < max; i++) {
		u32 candidate = user ? max - 1 - i : i;

		ret = xa_insert_irq(&pvdev->fw_queues, candidate, NULL,
				    GFP_KERNEL);
		if (ret == -EBUSY)
			continue;
		if (ret)
			return ret;
		*id = candidate;
		return 0;
	}
	return -ENOSPC;
}

/**
 * pvgpu_fw_queue_hold() - send QUEUE_SUSPEND or QUEUE_RESUME
 * @pvdev: the device
 * @fw_id: the firmware queue id, registered
 * @opcode: PVGPU_H2F_QUEUE_SUSPEND or PVGPU_H2F_QUEUE_RESUME
 *
 * Uninterruptible. A failure the firmware did not answer stopped the
 * device (COMMIT); a refusal changed nothing. The caller holds the lock
 * that serialises the queue's firmware requests.
 *
 * Return: 0 if the firmware did it, else the error.
 */
int pvgpu_fw_queue_hold(struct pvgpu_device *pvdev, u32 fw_id, u16 opcode)
{
	struct pvgpu_msg_queue req = {
		.queue_id = cpu_to_le32(fw_id),
	};
	int ret;

	ret = pvgpu_fw_queue_commit(pvdev, opcode, &req, sizeof(req) / 4);
	if (ret)
		drm_dbg_driver(&pvdev->drm, "queue %u: %s failed: %d\n",
			       fw_id, opcode == PVGPU_H2F_QUEUE_SUSPEND ?
			       "QUEUE_SUSPEND" : "QUEUE_RESUME", ret);
	return ret;
}

/**
 * pvgpu_exec_queue_setup_ctl() - allocate the control page of a queue
 * @eq: the queue being created
 *
 * One coherent DMA page for the queue descriptor, the ring pointers and
 * the fence, none of which any GPU VM maps.
 *
 * Return: 0 or -ENOMEM.
 */
int pvgpu_exec_queue_setup_ctl(struct pvgpu_exec_queue *eq)
{
	int ret;

	ret = pvgpu_dma_alloc(eq->pvdev, &eq->ctl, SZ_4K);
	if (ret)
		return ret;
	eq->rptr_cpu = eq->ctl.vaddr + PVGPU_EXEC_CTL_RPTR;
	eq->wptr_cpu = eq->ctl.vaddr + PVGPU_EXEC_CTL_WPTR;
	eq->seqno_cpu = eq->ctl.vaddr + PVGPU_EXEC_CTL_FENCE;
	return 0;
}

/**
 * pvgpu_exec_queue_register() - QUEUE_REGISTER a queue being created
 * @eq: the queue, its firmware id reserved, its ring and control page
 *	allocated
 *
 * Fills the descriptor of a privileged queue (the ring at its
 * guest-physical address, the fence in the control page) and hands it to
 * the firmware.
 *
 * Return: 0 (the queue is registered), -ENOSPC if the firmware has no
 * room, or another error of the request; on error the firmware does not
 * use the queue's memory.
 */
int pvgpu_exec_queue_register(struct pvgpu_exec_queue *eq)
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

	desc = eq->ctl.vaddr + PVGPU_EXEC_CTL_DESC;

	desc->engine_class = cpu_to_le32(eq->base.engine_class);
	desc->priority = cpu_to_le32(eq->priority);
	desc->timeslice_us = cpu_to_le32(eq->timeslice_us);
	desc->asid = cpu_to_le32(eq->base.vm->asid);
	desc->ring_addr = cpu_to_le64(eq->ring.dma);
	desc->ring_size = cpu_to_le32(eq->ring_size);
	desc->doorbell = cpu_to_le32(eq->doorbell);
	desc->rptr_addr = cpu_to_le64(eq->ctl.dma + PVGPU_EXEC_CTL_RPTR);
	desc->wptr_addr = cpu_to_le64(eq->ctl.dma + PVGPU_EXEC_CTL_WPTR);
	desc->flags = cpu_to_le32(PVGPU_QUEUE_DESC_PRIVILEGED);
	desc->fence_addr = cpu_to_le64(eq->ctl.dma + PVGPU_EXEC_CTL_FENCE);
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

/**
 * pvgpu_exec_queue_destroy_work() - &pvgpu_exec_queue.destroy_work
 * @work: the work
 *
 * Resets, bans and deregisters a queue userspace destroyed, then drops
 * the firmware's reference and the id's.
 */
void pvgpu_exec_queue_destroy_work(struct work_struct *work)
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

/**
 * pvgpu_exec_queue_destroy() - &pvgpu_queue.destroy of an exec queue
 * @queue: the queue, its id dropped
 *
 * Stops the dependency queue and leaves the rest to
 * &pvgpu_exec_queue.destroy_work; does not block.
 */
void pvgpu_exec_queue_destroy(struct pvgpu_queue *queue)
{
	struct pvgpu_exec_queue *eq = to_pvgpu_exec_queue(queue);

	/* No job starts any more; the rest must not block the caller. */
	pvgpu_dep_queue_stop(&queue->dq);
	queue_work(eq->pvdev->wq, &eq->destroy_work);
}

/* --- Device reset ------------------------------------------------------------ */

/*
 * The device reset took the queue's work: banned, innocent, with reason
 * DRM_PVGPU_QUEUE_REASON_DEVICE_RESET and -ECANCELED; the firmware no
 * longer has it. Under &pvgpu_exec_queue.fw_lock.
 */
static void pvgpu_exec_queue_reset_lost(struct pvgpu_exec_queue *eq)
{
	unsigned long flags;

	lockdep_assert_held(&eq->fw_lock);
	eq->deregistered = true;
	spin_lock_irqsave(&eq->state_lock, flags);
	if (!eq->error)
		eq->fw_error = DRM_PVGPU_QUEUE_REASON_DEVICE_RESET;
	spin_unlock_irqrestore(&eq->state_lock, flags);
	pvgpu_exec_queue_set_error(eq, PVGPU_EXEC_QUEUE_RESET, -ECANCELED);
	pvgpu_exec_queue_ban(eq);
}

/*
 * Under &pvgpu_exec_queue.fw_lock, the firmware stopped: signal what the
 * fence covers, then keep the queue (true) if its oldest unfinished job
 * had not begun, else ban it.
 */
static bool pvgpu_exec_queue_reset_settle(struct pvgpu_exec_queue *eq)
{
	struct pvgpu_dep_job *job;
	bool begun = false;
	u32 rptr, start;

	lockdep_assert_held(&eq->fw_lock);

	pvgpu_exec_queue_complete(eq);
	job = pvgpu_dep_queue_oldest_running(&eq->base.dq);
	if (job) {
		start = READ_ONCE(to_exec_job(job)->ring_start);
		rptr = le32_to_cpu(READ_ONCE(*eq->rptr_cpu));
		/* Not on the ring yet: nothing of it (or later) began. */
		begun = start != PVGPU_EXEC_JOB_NOT_ON_RING && rptr != start &&
			job->seqno > pvgpu_exec_queue_seqno(eq);
		pvgpu_dep_job_put(job);
	}
	if (!begun)
		return true;
	pvgpu_exec_queue_reset_lost(eq);
	return false;
}

/**
 * pvgpu_queues_reset_settle() - step 2 of a device reset
 * @pvdev: the device, its firmware stopped
 * @stats: counts what was banned
 *
 * Every exec queue signals what its fence covers and is kept for
 * pvgpu_queues_reset_recover() or banned; every user queue is banned
 * (see the DOC: of pvgpu_reset.c). A queue the firmware no longer has
 * is marked deregistered, so that no later request names it.
 */
void pvgpu_queues_reset_settle(struct pvgpu_device *pvdev,
			       struct pvgpu_reset_stats *stats)
{
	struct pvgpu_queue *queue;

	mutex_lock(&pvdev->objs_lock);
	list_for_each_entry(queue, &pvdev->queues, link) {
		struct pvgpu_exec_queue *eq;

		if (queue->kind == PVGPU_QUEUE_USER) {
			if (pvgpu_userq_reset_lost(to_pvgpu_user_queue(queue)))
				stats->banned++;
			continue;
		}
		if (queue->kind != PVGPU_QUEUE_EXEC)
			continue;
		eq = to_pvgpu_exec_queue(queue);
		mutex_lock(&eq->fw_lock);
		/*
		 * Live on the firmware: banned before (the new firmware never
		 * has it), or kept, or banned now.
		 */
		if (eq->registered && !eq->deregistered) {
			if (READ_ONCE(eq->error))
				eq->deregistered = true;
			else if (!pvgpu_exec_queue_reset_settle(eq))
				stats->banned++;
		}
		mutex_unlock(&eq->fw_lock);
	}
	mutex_unlock(&pvdev->objs_lock);
}

/**
 * pvgpu_queues_reset_recover() - step 3 of a device reset, for exec queues
 * @pvdev: the device, its firmware booted again
 * @stats: counts the queues registered again
 *
 * Registers every exec queue the settle kept, with its read pointer where
 * the old firmware stopped, restarts its oldest job's timeout and rings
 * its doorbell. Caller holds &pvgpu_reset.lock for writing.
 *
 * Return: 0, or the error of a request that failed (the device was
 * stopped again for it and the next reset is scheduled).
 */
int pvgpu_queues_reset_recover(struct pvgpu_device *pvdev,
			       struct pvgpu_reset_stats *stats)
{
	struct pvgpu_queue *queue;
	int ret = 0;

	mutex_lock(&pvdev->objs_lock);
	list_for_each_entry(queue, &pvdev->queues, link) {
		struct pvgpu_exec_queue *eq;

		if (queue->kind != PVGPU_QUEUE_EXEC)
			continue;
		eq = to_pvgpu_exec_queue(queue);
		mutex_lock(&eq->fw_lock);
		if (!eq->registered || eq->deregistered ||
		    READ_ONCE(eq->error)) {
			mutex_unlock(&eq->fw_lock);
			continue;
		}
		ret = pvgpu_exec_queue_register(eq);
		if (ret && !pvgpu_channel_is_up(&pvdev->fw.ch)) {
			/* The firmware stopped again: the next reset. */
			mutex_unlock(&eq->fw_lock);
			break;
		}
		if (ret) {
			/* Refused (no room): the queue's work is lost. */
			pvgpu_exec_queue_reset_lost(eq);
			stats->banned++;
			mutex_unlock(&eq->fw_lock);
			ret = 0;
			continue;
		}
		stats->resubmitted++;
		pvgpu_dep_queue_restart_timeout(&eq->base.dq);
		/* Whatever the ring holds beyond the read pointer runs now. */
		writel(eq->doorbell,
		       pvdev->doorbells + PVGPU_DOORBELL_OFFSET(eq->doorbell));
		mutex_unlock(&eq->fw_lock);
	}
	mutex_unlock(&pvdev->objs_lock);
	return ret;
}

/* --- System sleep -------------------------------------------------------------- */

/**
 * pvgpu_queues_pm_suspend() - hold every queue for system sleep
 * @pvdev: the device
 *
 * Every live exec and user queue is suspended in the firmware: it leaves
 * the hardware at a command boundary and the firmware keeps where it was
 * (a DELAY's rest, a batch's position), so pvgpu_queues_pm_resume() goes
 * on exactly (pvgpu_pm.c).
 */
void pvgpu_queues_pm_suspend(struct pvgpu_device *pvdev)
{
	struct pvgpu_queue *queue;

	mutex_lock(&pvdev->objs_lock);
	list_for_each_entry(queue, &pvdev->queues, link) {
		struct pvgpu_exec_queue *eq;

		if (queue->kind == PVGPU_QUEUE_USER) {
			pvgpu_userq_pm_suspend(to_pvgpu_user_queue(queue));
			continue;
		}
		if (queue->kind != PVGPU_QUEUE_EXEC)
			continue;
		eq = to_pvgpu_exec_queue(queue);
		mutex_lock(&eq->fw_lock);
		if (eq->registered && !eq->deregistered && !READ_ONCE(eq->error))
			eq->pm_suspended =
				!pvgpu_fw_queue_hold(pvdev, eq->fw_id,
						     PVGPU_H2F_QUEUE_SUSPEND);
		mutex_unlock(&eq->fw_lock);
	}
	mutex_unlock(&pvdev->objs_lock);
}

/**
 * pvgpu_queues_pm_resume() - let the queues go after system sleep
 * @pvdev: the device
 * @lost: the firmware lost its state and a device reset ran since the
 *	  suspend: the queues it kept are registered afresh, not held
 *
 * Resumes what pvgpu_queues_pm_suspend() held; the oldest job of each exec
 * queue gets its timeout from now (the sleep is no hang).
 */
void pvgpu_queues_pm_resume(struct pvgpu_device *pvdev, bool lost)
{
	struct pvgpu_queue *queue;

	mutex_lock(&pvdev->objs_lock);
	list_for_each_entry(queue, &pvdev->queues, link) {
		struct pvgpu_exec_queue *eq;

		if (queue->kind == PVGPU_QUEUE_USER) {
			pvgpu_userq_pm_resume(to_pvgpu_user_queue(queue), lost);
			continue;
		}
		if (queue->kind != PVGPU_QUEUE_EXEC)
			continue;
		eq = to_pvgpu_exec_queue(queue);
		mutex_lock(&eq->fw_lock);
		if (eq->pm_suspended && !lost && !eq->deregistered)
			pvgpu_fw_queue_hold(pvdev, eq->fw_id,
					    PVGPU_H2F_QUEUE_RESUME);
		eq->pm_suspended = false;
		pvgpu_dep_queue_restart_timeout(&eq->base.dq);
		mutex_unlock(&eq->fw_lock);
	}
	mutex_unlock(&pvdev->objs_lock);
}
