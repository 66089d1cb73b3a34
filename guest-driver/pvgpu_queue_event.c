// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: firmware events of exec queues, and the recovery of
 * the events the firmware dropped.
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/rcupdate.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include <uapi/drm/pvgpu_drm.h>

#include "pvgpu_cmds.h"
#include "pvgpu_drv.h"
#include "pvgpu_gem.h"
#include "pvgpu_queue.h"
#include "pvgpu_queue_internal.h"
#include "pvgpu_regs.h"
#include "pvgpu_reset.h"
#include "pvgpu_sync.h"
#include "pvgpu_userq.h"
#include "pvgpu_vm.h"

/**
 * DOC: Exec queue events
 *
 * How an exec queue (pvgpu_queue.c) learns what its firmware queue
 * (pvgpu_queue_fw.c) did: completions, errors and page faults.
 *
 * **Completion.** PVGPU_F2H_EVT_QUEUE_SIGNAL and _QUEUE_IDLE arrive in the
 * interrupt handler; the queue is looked up under RCU and the fence,
 * not the event, says how far the queue got (events are lost when the F2H
 * ring overflows: when the channel counts lost events, every queue is
 * looked at). A queue gets one pass per progress of its fence, not
 * one per event: an event that finds the page where the last pass saw it
 * (&pvgpu_exec_queue.seen_seqno) costs a read of the page. A pass reads
 * the clock once, for the busy time and the fences' timestamps
 * (pvgpu_dep_queue_signal_upto_at()), and signals the fences; the
 * common helper (whoever found the completion) then queues
 * &pvgpu_exec_queue.ufence_work, which wakes the WAIT_USER_FENCE callers
 * of the queue's file that the completion may satisfy, outside the
 * interrupt handler (pvgpu_exec.c), if the file has any. A lost event that
 * no later event reveals (the last jobs' events dropped) would leave
 * fences unsignalled until the job timeout (forever on LR queues), so
 * while a queue has jobs running a delayed work also looks at its seqno
 * page every PVGPU_EXEC_POLL_MS.
 *
 * Lost QUEUE_ERROR and PAGE_FAULT events show in no fence: when
 * events were lost &pvgpu_device.queues_recover_work asks the firmware
 * (QUEUE_QUERY) for the state of every exec queue, and when the poll sees
 * a busy queue make no progress for PVGPU_EXEC_QUERY_MS its query_work
 * asks for that queue's; a queue stopped in ERROR or FAULTED is handled
 * as the lost event would have been, as far as the query allows
 * (pvgpu_exec_queue_query()).
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
 * resolved by the queue's fault work on &pvgpu_device.fault_wq
 * (pvgpu_svm.c), which answers RETRY, or FAIL for an unresolvable fault,
 * which turns it into a queue error.
 */

/* A busy queue without progress this long gets its state queried. */
#define PVGPU_EXEC_QUERY_MS	500

/* --- Completion and bans --------------------------------------------------- */

/**
 * pvgpu_exec_busy_account() - account an exec queue's busy time
 * @eq: the queue
 * @seqno: the latest completed job
 * @stopped: nothing runs on the queue any more
 *
 * Adds the busy time up to now to the file's counter; the queue goes idle
 * when @seqno covers the latest started job, or when it is @stopped. Any
 * context.
 */
void pvgpu_exec_busy_account(struct pvgpu_exec_queue *eq, u64 seqno,
			     bool stopped)
{
	pvgpu_exec_busy_account_at(eq, seqno, stopped, 0);
}

/**
 * pvgpu_exec_busy_account_at() - account an exec queue's busy time up to
 * a time the caller read
 * @eq: the queue
 * @seqno: the latest completed job
 * @stopped: nothing runs on the queue any more
 * @now: ktime_get() of the caller, or 0 to read it here (if busy)
 *
 * pvgpu_exec_busy_account() for a completion, which reads the clock once
 * for the busy time and the fences' timestamps. Any context. A @now read
 * before a racing completer's later one never moves the busy period's
 * start back.
 */
void pvgpu_exec_busy_account_at(struct pvgpu_exec_queue *eq, u64 seqno,
				bool stopped, ktime_t now)
{
	u32 cls = eq->base.engine_class;
	unsigned long flags;
	u64 now_ns;

	spin_lock_irqsave(&eq->state_lock, flags);
	if (eq->busy) {
		now_ns = now ? ktime_to_ns(now) : ktime_get_ns();
		if (now_ns > eq->busy_since_ns) {
			if (cls < PVGPU_MAX_ENGINE_CLASSES)
				atomic64_add(now_ns - eq->busy_since_ns,
					     &eq->pfile->engine_busy_ns[cls]);
			eq->busy_since_ns = now_ns;
		}
		if (stopped || seqno >= eq->last_started)
			eq->busy = false;
	}
	spin_unlock_irqrestore(&eq->state_lock, flags);
}

/* Reports an event of @eq to its file (pvgpu_event_emit_queue()). */
static void pvgpu_exec_queue_emit(struct pvgpu_exec_queue *eq, u32 type,
				  u32 flags, u64 d0, u64 d1, u64 d2)
{
	pvgpu_event_emit_queue(eq->pfile, &eq->base, type, flags, d0, d1, d2);
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
 * before the work runs share one wake-up. A file nobody waits on costs a
 * memory barrier and no work at all: wq_has_sleeper() pairs with the
 * barrier WAIT_USER_FENCE puts between joining the wait queue and reading
 * the value (pvgpu_ioctl_wait_user_fence()), so a waiter either is seen
 * here or sees the value this completion made. The caller holds a
 * reference to @eq (the firmware's, for a published queue), so the put
 * below is never the last.
 */
static void pvgpu_exec_queue_wake_ufences(struct pvgpu_exec_queue *eq)
{
	if (!wq_has_sleeper(&eq->pfile->ufence_wq))
		return;
	pvgpu_queue_get(&eq->base);
	if (!queue_work(eq->pvdev->wq, &eq->ufence_work))
		pvgpu_queue_put(&eq->base);
}

/**
 * pvgpu_exec_queue_seqno() - how far the ring of a queue got
 * @eq: the queue
 *
 * The seqno of the latest job the ring completed, from the queue's fence,
 * which only the FENCE commands of its ring write (no batch can: a
 * privileged command, docs/queues.rst). Any context. The fence is in the
 * control page, which is freed once the device is removed
 * (pvgpu_queues_hw_fini()); from then on this is the last value a pass saw.
 *
 * Return: the seqno.
 */
u64 pvgpu_exec_queue_seqno(struct pvgpu_exec_queue *eq)
{
	u64 seqno;
	int idx;

	if (!drm_dev_enter(&eq->pvdev->drm, &idx))
		return READ_ONCE(eq->seen_seqno);
	dma_rmb();
	seqno = le64_to_cpu(READ_ONCE(*eq->seqno_cpu));
	drm_dev_exit(idx);
	return seqno;
}

/*
 * Signals what the ring of @eq completed since the last pass and accounts
 * the busy time; returns the number of fences signalled. Any context.
 *
 * Unless @force, a pass happens only when the fence moved since the last
 * one (&pvgpu_exec_queue.seen_seqno): the events of one interrupt that
 * name a queue the first pass already covered (QUEUE_IDLE after
 * QUEUE_SIGNAL, one event per job of a burst) cost a read of the fence.
 * Skipping is safe: whoever stored the value signals up to it, and
 * concurrent passes are ordered by the dependency queue's lock, so a
 * stale store costs at most one more pass. The job timeout forces a pass
 * all the same (pvgpu_exec_queue_complete_timedout()), so that no race of
 * this kind can ever cost a reset. The clock is read once per pass, for
 * the busy time and the fences' timestamps.
 */
static unsigned int pvgpu_exec_queue_signal_completed(struct pvgpu_exec_queue *eq,
						      bool force)
{
	u64 seqno = pvgpu_exec_queue_seqno(eq);
	unsigned int count;
	ktime_t now;

	if (!force && seqno == READ_ONCE(eq->seen_seqno))
		return 0;
	WRITE_ONCE(eq->seen_seqno, seqno);
	now = ktime_get();
	pvgpu_exec_busy_account_at(eq, seqno, false, now);
	count = pvgpu_dep_queue_signal_upto_at(&eq->base.dq, seqno, 0, now);
	if (count)
		pvgpu_exec_queue_emit(eq, DRM_PVGPU_EVENT_QUEUE_EOP, 0, seqno,
				      0, 0);
	return count;
}

/**
 * pvgpu_exec_queue_complete() - signal what the ring of a queue completed
 * @eq: the queue
 *
 * Signals what the ring completed and accounts the busy time; any context
 * (hard IRQ included). Every path that finds completions comes here (the
 * events, the poll, the timeout), so WAIT_USER_FENCE waiters, which may
 * wait for a value a job wrote, are woken from here (deferred, and only
 * if the queue's file has any).
 */
void pvgpu_exec_queue_complete(struct pvgpu_exec_queue *eq)
{
	if (pvgpu_exec_queue_signal_completed(eq, false))
		pvgpu_exec_queue_wake_ufences(eq);
}

/**
 * pvgpu_exec_queue_complete_timedout() - signal what the ring of a queue
 * completed, for the job timeout
 * @eq: the queue
 *
 * pvgpu_exec_queue_complete() with a pass even if the fence did not move
 * since the last pass saw it: a completion is never lost to a stale
 * &pvgpu_exec_queue.seen_seqno before a reset. Process context.
 */
void pvgpu_exec_queue_complete_timedout(struct pvgpu_exec_queue *eq)
{
	if (pvgpu_exec_queue_signal_completed(eq, true))
		pvgpu_exec_queue_wake_ufences(eq);
}

/**
 * pvgpu_exec_queue_set_error() - record an error of an exec queue
 * @eq: the queue
 * @state: PVGPU_EXEC_QUEUE_* flags to set
 * @error: negative errno of the ban, kept if the queue has none yet
 *
 * Any context.
 *
 * Return: whether this call set the error (the first one).
 */
bool pvgpu_exec_queue_set_error(struct pvgpu_exec_queue *eq, u32 state,
				int error)
{
	unsigned long flags;
	u32 reason;
	bool first;

	spin_lock_irqsave(&eq->state_lock, flags);
	first = !eq->error;
	if (first)
		eq->error = error;
	eq->state |= state;
	reason = eq->fw_error ?: DRM_PVGPU_QUEUE_REASON_RESET;
	spin_unlock_irqrestore(&eq->state_lock, flags);
	/* A reset (not a destroy, not removal) is news for its owner. */
	if (first && (state & PVGPU_EXEC_QUEUE_RESET))
		pvgpu_exec_queue_emit(eq, DRM_PVGPU_EVENT_QUEUE_RESET,
				      state & PVGPU_EXEC_QUEUE_GUILTY ?
				      DRM_PVGPU_EVENT_GUILTY : 0,
				      reason, (u64)(s64)error, 0);
	return first;
}

/**
 * pvgpu_exec_queue_ban() - ban an exec queue with its error
 * @eq: the queue
 *
 * Completes what the ring completed, then bans with the queue's error
 * (-ECANCELED if it has none). Process context.
 */
void pvgpu_exec_queue_ban(struct pvgpu_exec_queue *eq)
{
	int error = READ_ONCE(eq->error);

	pvgpu_dep_queue_signal_upto(&eq->base.dq, pvgpu_exec_queue_seqno(eq),
				    0);
	pvgpu_dep_queue_ban(&eq->base.dq, error ?: -ECANCELED);
	pvgpu_exec_busy_account(eq, 0, true);
	/* Process context (workers): waiters naming @eq end with -EIO. */
	pvgpu_ufence_wake_queue(eq->pfile, &eq->base);
}

/* --- Interrupt side -------------------------------------------------------- */

/**
 * pvgpu_fw_error_to_errno() - what the fences of a stopped queue get
 * @error: the firmware's PVGPU_QUEUE_ERR_*
 * @guilty: the queue caused it
 *
 * Return: -ECANCELED for an innocent queue, -ETIMEDOUT for a hang, else
 * -EIO.
 */
int pvgpu_fw_error_to_errno(u32 error, bool guilty)
{
	/* DRM_PVGPU_QUEUE_REASON_* below 64 are the firmware's codes. */
	static_assert(DRM_PVGPU_QUEUE_REASON_BACKEND == PVGPU_QUEUE_ERR_BACKEND);
	static_assert(DRM_PVGPU_QUEUE_REASON_PRIVILEGED ==
		      PVGPU_QUEUE_ERR_PRIVILEGED);

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
	if (error == PVGPU_QUEUE_ERR_PAGE_FAULT ||
	    error == PVGPU_QUEUE_ERR_FAULT_FAILED) {
		spin_lock_irqsave(&eq->state_lock, flags);
		eq->base.fatal_fault.va = le64_to_cpu(evt->fault_va);
		eq->base.fatal_fault.access = le32_to_cpu(evt->fault_access);
		eq->base.fatal_fault.reason = le32_to_cpu(evt->fault_reason);
		spin_unlock_irqrestore(&eq->state_lock, flags);
	}
	if (error == PVGPU_QUEUE_ERR_PAGE_FAULT ||
	    error == PVGPU_QUEUE_ERR_FAULT_FAILED)
		pvgpu_exec_queue_emit(eq, DRM_PVGPU_EVENT_FAULT_ERROR, 0,
				      le64_to_cpu(evt->fault_va),
				      le32_to_cpu(evt->fault_access),
				      le32_to_cpu(evt->fault_reason));
	pvgpu_exec_queue_set_error(eq, state,
				   pvgpu_fw_error_to_errno(error, guilty));
	/* Not the guest's doing: say what failed on the host. */
	if (error == PVGPU_QUEUE_ERR_BACKEND)
		pvgpu_info_ratelimited(&pvdev->drm,
				       "exec queue (fw %u): compute backend failed (cause %u, detail %lld); see the firmware log\n",
				       eq->fw_id, le32_to_cpu(evt->fault_reason),
				       (s64)le64_to_cpu(evt->fault_va));
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

/* On &pvgpu_device.fault_wq: resolve the page fault and answer it. */
static void pvgpu_exec_queue_fault_work(struct work_struct *work)
{
	struct pvgpu_exec_queue *eq = container_of(work, struct pvgpu_exec_queue,
						   fault_work);

	pvgpu_gpu_fault_answer(eq->pvdev, eq->base.vm, eq->fw_id,
			       &eq->state_lock, &eq->fault, &eq->fw_lock,
			       &eq->deregistered);
	pvgpu_queue_put(&eq->base);
}

/* Record a fault (its event's, or a lost one's) and queue its work. */
static void pvgpu_exec_queue_record_fault(struct pvgpu_exec_queue *eq,
					  u32 seqno, u64 va, u32 access,
					  u32 reason)
{
	pvgpu_gpu_fault_record(&eq->state_lock, &eq->fault, seqno, va, access,
			       reason, false);
	pvgpu_queue_get(&eq->base);
	if (!queue_work(eq->pvdev->fault_wq, &eq->fault_work))
		pvgpu_queue_put(&eq->base);
}

static void pvgpu_exec_queue_fault_event(struct pvgpu_exec_queue *eq,
					 const struct pvgpu_evt_page_fault *evt)
{
	pvgpu_exec_queue_record_fault(eq, le32_to_cpu(evt->fault_seqno),
				      le64_to_cpu(evt->va),
				      le32_to_cpu(evt->access),
				      le32_to_cpu(evt->reason));
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
	/* Before interface 1.3 the response ends before the fault fields. */
	if (ret || msg.resp_dw < PVGPU_QUEUE_STATE_V12_DW) {
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
		if (eq->fault.seqno) {
			spin_unlock_irqrestore(&eq->state_lock, flags);
			break;
		}
		spin_unlock_irqrestore(&eq->state_lock, flags);
		/*
		 * Interface 1.3 reports the pending fault: handle it as its
		 * event would have been (resolved and replayed).
		 */
		if (msg.resp_dw >= sizeof(resp) / 4 && resp.fault_seqno) {
			drm_dbg_driver(&pvdev->drm,
				       "exec queue (fw %u): page fault at 0x%llx whose event was lost\n",
				       eq->fw_id, le64_to_cpu(resp.fault_va));
			pvgpu_exec_queue_record_fault(eq,
						      le32_to_cpu(resp.fault_seqno),
						      le64_to_cpu(resp.fault_va),
						      le32_to_cpu(resp.fault_access),
						      le32_to_cpu(resp.fault_reason));
			break;
		}
		/*
		 * Before 1.3, PAGE_FAULT_REPLY must name the fault's
		 * fault_seqno, which only the lost event carried: the fault
		 * cannot be answered. The queue is reset instead, which stops
		 * it as FAIL would (and wedges the device if the firmware
		 * will not).
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
 * the fences, but a dropped QUEUE_ERROR or PAGE_FAULT would leave a
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
 * look at every queue's fence. They may also have been error or
 * page-fault events, which no fence shows: the firmware is asked
 * (pvgpu_queues_recover_work()).
 */
static void pvgpu_queues_scan(struct pvgpu_device *pvdev)
{
	struct pvgpu_user_queue *uq;
	struct pvgpu_exec_queue *eq;
	unsigned long id;

	xa_for_each(&pvdev->fw_queues, id, eq)
		pvgpu_exec_queue_complete(eq);
	xa_for_each(&pvdev->fw_user_queues, id, uq)
		pvgpu_userq_progress(uq);
	queue_work(pvdev->wq, &pvdev->queues_recover_work);
}

/*
 * The queue's engine did not recover from its reset: only a device reset
 * mends it (the queue itself is banned as usual, guilty). Without
 * recovery the engine stays hung; the job timeouts of its queues report
 * it. Hard-interrupt context.
 */
static void pvgpu_queue_check_engine(struct pvgpu_device *pvdev,
				     const struct pvgpu_evt_queue_error *evt)
{
	if (!(le32_to_cpu(evt->flags) & PVGPU_QUEUE_ERROR_ENGINE_RESET_FAILED))
		return;
	if (!pvgpu_reset_schedule(pvdev, DRM_PVGPU_RESET_CAUSE_ENGINE))
		pvgpu_warn_ratelimited(&pvdev->drm,
				       "engine class %u did not recover from a queue reset\n",
				       le32_to_cpu(evt->engine_class));
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

	if (opcode == PVGPU_F2H_EVT_QUEUE_ERROR)
		pvgpu_queue_check_engine(pvdev, (const void *)payload);

	/*
	 * Test hook (debugfs inject_lose_fault_events): forget the event as
	 * if the firmware had never delivered it; the stall poll's
	 * QUEUE_QUERY must find the fault (pvgpu_exec_queue_query()).
	 */
	if (opcode == PVGPU_F2H_EVT_PAGE_FAULT &&
	    atomic_add_unless(&pvdev->inject_lose_fault_events, -1, 0))
		return true;

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
			pvgpu_exec_queue_signal_completed(eq, false);
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
	} else {
		struct pvgpu_user_queue *uq;

		uq = xa_load(&pvdev->fw_user_queues, id);
		if (uq)
			pvgpu_userq_fw_event(uq, opcode, payload);
	}
	rcu_read_unlock();
	return true;
}

/**
 * pvgpu_exec_queue_init_events() - initialise the works of a queue's events
 * @eq: the queue being created
 *
 * The works that ban, answer page faults, wake user-fence waiters, query
 * the firmware and poll the fence for @eq.
 */
void pvgpu_exec_queue_init_events(struct pvgpu_exec_queue *eq)
{
	INIT_WORK(&eq->error_work, pvgpu_exec_queue_error_work);
	INIT_WORK(&eq->fault_work, pvgpu_exec_queue_fault_work);
	INIT_WORK(&eq->ufence_work, pvgpu_exec_queue_ufence_work);
	INIT_WORK(&eq->query_work, pvgpu_exec_queue_query_work);
	INIT_DELAYED_WORK(&eq->poll_work, pvgpu_exec_queue_poll_work);
}
