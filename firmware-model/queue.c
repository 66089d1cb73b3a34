/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the queue requests (PVGPU_H2F_QUEUE_*,
 * PVGPU_H2F_PAGE_FAULT_REPLY).
 *
 * Handlers for msg.c's request table: they check every field of the
 * payload (and of the queue descriptor in guest memory) in the documented
 * order, answer with the first error found and change nothing on error
 * (docs/firmware-protocol.rst). The state changes themselves are sched.c's.
 *
 * SUSPEND and DEREGISTER answer only once the queue is off the hardware.
 * If it is in a non-preemptible DELAY they return FW_STATUS_DEFER: the
 * request stays on H2F and is handled again when the queue has left its
 * slot (or was reset by the preemption timeout), so responses stay in
 * request order. Both handlers are therefore idempotent.
 */
#include <string.h>

#include "fw_internal.h"

static bool pow2_in(uint64_t v, uint64_t min, uint64_t max)
{
	return v >= min && v <= max && !(v & (v - 1));
}

/*
 * Common checks of requests that name a queue: reserved zero (EINVAL),
 * id in range (EINVAL), registered (ENOENT).
 */
static uint32_t lookup(PvgpuFw *fw, const char *what, uint32_t id,
		       uint32_t reserved, PvgpuFwQueueState **out)
{
	if (reserved) {
		fw_guest_error(fw, "%s: reserved 0x%x must be zero", what,
			       reserved);
		return PVGPU_STATUS_EINVAL;
	}
	if (id >= fw->sched.nq) {
		fw_guest_error(fw, "%s: queue %u out of range (max_queues %u)",
			       what, id, fw->sched.nq);
		return PVGPU_STATUS_EINVAL;
	}
	*out = fw_queue(fw, id);
	if (!(*out)->registered) {
		fw_log(fw, PVGPU_LOG_LEVEL_WARN, "%s: queue %u not registered",
		       what, id);
		return PVGPU_STATUS_ENOENT;
	}
	return PVGPU_STATUS_OK;
}

static void parse_queue(const void *req, uint32_t *id, uint32_t *reserved)
{
	struct pvgpu_msg_queue in;

	memcpy(&in, req, sizeof(in));
	*id = GUINT32_FROM_LE(in.queue_id);
	*reserved = GUINT32_FROM_LE(in.reserved);
}

/* --- REGISTER ---------------------------------------------------------- */

static uint32_t G_GNUC_PRINTF(3, 4)
reg_fail(PvgpuFw *fw, uint32_t status, const char *fmt, ...)
{
	va_list ap;
	char *why;

	va_start(ap, fmt);
	why = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	fw_guest_error(fw, "QUEUE_REGISTER: %s", why);
	g_free(why);
	return status;
}

uint32_t fw_handle_queue_register(PvgpuFw *fw, const void *req, void *resp)
{
	const PvgpuFwConfig *cfg = &fw->cfg;
	struct pvgpu_msg_queue_register in;
	struct pvgpu_queue_desc d;
	PvgpuFwQueueState *q;
	uint32_t id, cls, prio, ts, asid, ring_size, db, rptr, wptr, flags;
	uint64_t desc_addr, ring_addr, rptr_addr, wptr_addr, fence_addr;
	struct pvgpu_queue_progress progress;
	uint64_t fence;
	bool priv;

	(void)resp;
	memcpy(&in, req, sizeof(in));
	id = GUINT32_FROM_LE(in.queue_id);
	desc_addr = GUINT64_FROM_LE(in.desc_addr);
	if (in.reserved)
		return reg_fail(fw, PVGPU_STATUS_EINVAL,
				"reserved 0x%x must be zero",
				GUINT32_FROM_LE(in.reserved));
	if (id >= fw->sched.nq)
		return reg_fail(fw, PVGPU_STATUS_EINVAL,
				"queue %u out of range (max_queues %u)", id,
				fw->sched.nq);
	if (fw_queue(fw, id)->registered)
		return reg_fail(fw, PVGPU_STATUS_EBUSY,
				"queue %u already registered", id);
	if (desc_addr & 63)
		return reg_fail(fw, PVGPU_STATUS_EINVAL, "descriptor at 0x%"
				PRIx64 " not 64-byte aligned", desc_addr);
	if (!fw_dma_read(fw, desc_addr, &d, sizeof(d)))
		return reg_fail(fw, PVGPU_STATUS_EFAULT, "descriptor at 0x%"
				PRIx64 " not readable", desc_addr);

	cls = GUINT32_FROM_LE(d.engine_class);
	prio = GUINT32_FROM_LE(d.priority);
	ts = GUINT32_FROM_LE(d.timeslice_us);
	asid = GUINT32_FROM_LE(d.asid);
	ring_addr = GUINT64_FROM_LE(d.ring_addr);
	ring_size = GUINT32_FROM_LE(d.ring_size);
	db = GUINT32_FROM_LE(d.doorbell);
	rptr_addr = GUINT64_FROM_LE(d.rptr_addr);
	wptr_addr = GUINT64_FROM_LE(d.wptr_addr);
	flags = GUINT32_FROM_LE(d.flags);
	fence_addr = GUINT64_FROM_LE(d.fence_addr);
	priv = flags & PVGPU_QUEUE_DESC_PRIVILEGED;

	if ((flags & ~PVGPU_QUEUE_DESC_FLAGS) || d.reserved)
		return reg_fail(fw, PVGPU_STATUS_EINVAL, "descriptor flags "
				"0x%x unknown or reserved not zero", flags);
	if (fw_class_index(fw, cls) < 0)
		return reg_fail(fw, PVGPU_STATUS_EINVAL,
				"engine class %u not on this device", cls);
	if (prio >= cfg->num_priorities)
		return reg_fail(fw, PVGPU_STATUS_EINVAL, "priority %u >= %u",
				prio, cfg->num_priorities);
	if (ts && (ts < cfg->timeslice_min_us || ts > cfg->timeslice_max_us))
		return reg_fail(fw, PVGPU_STATUS_EINVAL, "timeslice %u us "
				"outside %u..%u", ts, cfg->timeslice_min_us,
				cfg->timeslice_max_us);
	if (!fw_mmu_as_bound(fw, asid))
		return reg_fail(fw, PVGPU_STATUS_ENOENT,
				"address space %u not bound", asid);
	if (ring_addr & 0xfff)
		return reg_fail(fw, PVGPU_STATUS_EINVAL, "ring_addr 0x%" PRIx64
				" not 4 KiB aligned", ring_addr);
	if (!pow2_in(ring_size, 0x1000, 0x400000))
		return reg_fail(fw, PVGPU_STATUS_EINVAL, "ring_size 0x%x not a "
				"power of two from 4 KiB to 4 MiB", ring_size);
	if (!priv && (ring_addr + ring_size < ring_addr ||
		      (cfg->va_bits < 64 && ring_addr + ring_size >
		       (1ull << cfg->va_bits))))
		return reg_fail(fw, PVGPU_STATUS_EINVAL, "ring at 0x%" PRIx64
				" beyond the %u-bit address space", ring_addr,
				cfg->va_bits);
	/*
	 * A user queue's fence_addr is its progress block (struct
	 * pvgpu_queue_progress), or 0 for none. It must be RAM now (one that
	 * stops being RAM later is BAD_POINTER at the rptr write-back).
	 */
	if (!priv && fence_addr &&
	    ((fence_addr & 15) ||
	     !fw_dma_read(fw, fence_addr, &progress, sizeof(progress))))
		return reg_fail(fw, PVGPU_STATUS_EFAULT, "progress block "
				"0x%" PRIx64 " not 16-byte aligned guest RAM",
				fence_addr);
	/*
	 * A privileged ring is guest-physical: its first and last dwords
	 * must be RAM (a ring that stops being RAM later is BAD_POINTER at
	 * the fetch). The fence must be RAM now too.
	 */
	if (priv && (ring_addr + ring_size < ring_addr ||
		     !fw_dma_read(fw, ring_addr, &rptr, 4) ||
		     !fw_dma_read(fw, ring_addr + ring_size - 4, &rptr, 4)))
		return reg_fail(fw, PVGPU_STATUS_EFAULT, "privileged ring "
				"0x%" PRIx64 "+0x%x not guest RAM", ring_addr,
				ring_size);
	if (priv && ((fence_addr & 7) ||
		     !fw_dma_read(fw, fence_addr, &fence, sizeof(fence))))
		return reg_fail(fw, PVGPU_STATUS_EFAULT, "fence_addr 0x%"
				PRIx64 " not 8-byte aligned guest RAM",
				fence_addr);
	if (!fw_doorbell_id_valid(fw, db))
		return reg_fail(fw, PVGPU_STATUS_EINVAL, "doorbell %u outside "
				"1..%u (0 is the H2F doorbell)", db,
				fw->sched.num_doorbell_ids - 1);
	if (fw->sched.doorbell_owner[db] != FW_NIL)
		return reg_fail(fw, PVGPU_STATUS_EBUSY, "doorbell %u (group %u "
				"index %u) used by queue %u", db,
				PVGPU_DOORBELL_GROUP(db),
				PVGPU_DOORBELL_INDEX(db),
				fw->sched.doorbell_owner[db]);
	if ((rptr_addr & 3) || (wptr_addr & 3) || rptr_addr == wptr_addr)
		return reg_fail(fw, PVGPU_STATUS_EINVAL, "rptr_addr 0x%" PRIx64
				" / wptr_addr 0x%" PRIx64 " not 4-byte "
				"aligned, or the same", rptr_addr, wptr_addr);
	if (!fw_dma_read(fw, rptr_addr, &rptr, 4) ||
	    !fw_dma_read(fw, wptr_addr, &wptr, 4))
		return reg_fail(fw, PVGPU_STATUS_EFAULT, "rptr_addr 0x%" PRIx64
				" / wptr_addr 0x%" PRIx64 " not readable",
				rptr_addr, wptr_addr);
	rptr = GUINT32_FROM_LE(rptr);
	wptr = GUINT32_FROM_LE(wptr);
	if ((rptr & 3) || rptr >= ring_size)
		return reg_fail(fw, PVGPU_STATUS_EINVAL, "rptr 0x%x invalid for "
				"a 0x%x-byte ring", rptr, ring_size);
	/* The last check: the progress block starts at retired 0. */
	progress.retired = 0;
	if (!priv && fence_addr &&
	    !fw_dma_write(fw, fence_addr, &progress.retired,
			  sizeof(progress.retired)))
		return reg_fail(fw, PVGPU_STATUS_EFAULT, "progress block "
				"0x%" PRIx64 " not writable", fence_addr);

	q = fw_queue(fw, id);
	memset(q, 0, sizeof(*q));
	q->registered = 1;
	q->state = PVGPU_QUEUE_STATE_IDLE;
	q->priority = prio;
	q->timeslice_us = ts;
	q->doorbell = db;
	q->slot = PVGPU_FW_NO_SLOT;
	q->ctx.asid = asid;
	q->ctx.engine_class = cls;
	q->ctx.ring_addr = ring_addr;
	q->ctx.privileged = priv;
	q->ctx.fence_addr = fence_addr;
	q->ctx.ring_size = ring_size;
	q->ctx.rptr_addr = rptr_addr;
	q->ctx.wptr_addr = wptr_addr;
	q->ctx.rptr = rptr;
	fw_queue_registered(fw, id);
	/* Work already queued starts without a doorbell. */
	if (wptr != rptr) {
		fw_queue_make_runnable(fw, id);
		fw_kick(fw);
	}
	fw_trace(fw, "queue_register", id, db);
	fw_log(fw, PVGPU_LOG_LEVEL_DEBUG, "queue %u registered: class %u "
	       "priority %u doorbell %u (group %u index %u) asid %u %s ring 0x%"
	       PRIx64 "+0x%x", id, cls, prio, db, PVGPU_DOORBELL_GROUP(db),
	       PVGPU_DOORBELL_INDEX(db), asid, priv ? "privileged" : "user",
	       ring_addr, ring_size);
	return PVGPU_STATUS_OK;
}

/* --- DEREGISTER, SUSPEND, RESUME --------------------------------------- */

uint32_t fw_handle_queue_deregister(PvgpuFw *fw, const void *req, void *resp)
{
	PvgpuFwQueueState *q;
	uint32_t id, reserved, status;

	(void)resp;
	parse_queue(req, &id, &reserved);
	status = lookup(fw, "QUEUE_DEREGISTER", id, reserved, &q);
	if (status != PVGPU_STATUS_OK)
		return status;
	if (q->state == PVGPU_QUEUE_STATE_RESIDENT) {
		q->flags |= PVGPU_FW_QF_DEREGISTERING;
		if (!fw_queue_preempt(fw, id, fw_clock_ns(fw)))
			return FW_STATUS_DEFER;
	}
	fw_queue_free(fw, id);
	fw_trace(fw, "queue_deregister", id, 0);
	fw_log(fw, PVGPU_LOG_LEVEL_DEBUG, "queue %u deregistered", id);
	/* Its slot may go to a waiting queue. */
	fw_kick(fw);
	return PVGPU_STATUS_OK;
}

uint32_t fw_handle_queue_suspend(PvgpuFw *fw, const void *req, void *resp)
{
	PvgpuFwQueueState *q;
	uint32_t id, reserved, status;

	(void)resp;
	parse_queue(req, &id, &reserved);
	status = lookup(fw, "QUEUE_SUSPEND", id, reserved, &q);
	if (status != PVGPU_STATUS_OK)
		return status;
	switch (q->state) {
	case PVGPU_QUEUE_STATE_ERROR:
	case PVGPU_QUEUE_STATE_SUSPENDED:
		return PVGPU_STATUS_OK;
	case PVGPU_QUEUE_STATE_RESIDENT:
		q->flags |= PVGPU_FW_QF_SUSPENDED;
		if (!fw_queue_preempt(fw, id, fw_clock_ns(fw)))
			return FW_STATUS_DEFER;
		/* fw_queue_preempt() parked it as SUSPENDED. */
		fw_kick(fw);
		break;
	default:
		fw_queue_hold(fw, id);
		break;
	}
	fw_trace(fw, "queue_suspend", id, 0);
	return PVGPU_STATUS_OK;
}

uint32_t fw_handle_queue_resume(PvgpuFw *fw, const void *req, void *resp)
{
	PvgpuFwQueueState *q;
	uint32_t id, reserved, status;

	(void)resp;
	parse_queue(req, &id, &reserved);
	status = lookup(fw, "QUEUE_RESUME", id, reserved, &q);
	if (status != PVGPU_STATUS_OK)
		return status;
	if (q->state != PVGPU_QUEUE_STATE_SUSPENDED) {
		fw_guest_error(fw, "QUEUE_RESUME: queue %u is not suspended "
			       "(state %u)", id, q->state);
		return PVGPU_STATUS_EINVAL;
	}
	q->flags &= ~PVGPU_FW_QF_SUSPENDED;
	fw_queue_release(fw, id);
	fw_kick(fw);
	fw_trace(fw, "queue_resume", id, 0);
	return PVGPU_STATUS_OK;
}

/* --- SET_PRIORITY, SET_TIMESLICE --------------------------------------- */

uint32_t fw_handle_queue_set_priority(PvgpuFw *fw, const void *req,
				      void *resp)
{
	struct pvgpu_msg_queue_set in;
	PvgpuFwQueueState *q;
	uint32_t id, value, status;

	(void)resp;
	memcpy(&in, req, sizeof(in));
	id = GUINT32_FROM_LE(in.queue_id);
	value = GUINT32_FROM_LE(in.value);
	status = lookup(fw, "QUEUE_SET_PRIORITY", id, 0, &q);
	if (status != PVGPU_STATUS_OK)
		return status;
	if (value >= fw->cfg.num_priorities) {
		fw_guest_error(fw, "QUEUE_SET_PRIORITY: priority %u >= %u",
			       value, fw->cfg.num_priorities);
		return PVGPU_STATUS_EINVAL;
	}
	fw_queue_set_priority(fw, id, value);
	fw_trace(fw, "queue_set_priority", id, value);
	/* A raised priority may preempt now. */
	fw_kick(fw);
	return PVGPU_STATUS_OK;
}

uint32_t fw_handle_queue_set_timeslice(PvgpuFw *fw, const void *req,
				       void *resp)
{
	const PvgpuFwConfig *cfg = &fw->cfg;
	struct pvgpu_msg_queue_set in;
	PvgpuFwQueueState *q;
	uint32_t id, value, status;

	(void)resp;
	memcpy(&in, req, sizeof(in));
	id = GUINT32_FROM_LE(in.queue_id);
	value = GUINT32_FROM_LE(in.value);
	status = lookup(fw, "QUEUE_SET_TIMESLICE", id, 0, &q);
	if (status != PVGPU_STATUS_OK)
		return status;
	if (value && (value < cfg->timeslice_min_us ||
		      value > cfg->timeslice_max_us)) {
		fw_guest_error(fw, "QUEUE_SET_TIMESLICE: %u us outside %u..%u",
			       value, cfg->timeslice_min_us,
			       cfg->timeslice_max_us);
		return PVGPU_STATUS_EINVAL;
	}
	q->timeslice_us = value;
	fw_trace(fw, "queue_set_timeslice", id, value);
	fw_kick(fw);
	return PVGPU_STATUS_OK;
}

/* --- RESET, QUERY ------------------------------------------------------ */

uint32_t fw_handle_queue_reset(PvgpuFw *fw, const void *req, void *resp)
{
	PvgpuFwQueueState *q;
	uint32_t id, reserved, status;

	(void)resp;
	parse_queue(req, &id, &reserved);
	status = lookup(fw, "QUEUE_RESET", id, reserved, &q);
	if (status != PVGPU_STATUS_OK)
		return status;
	/* Already stopped: nothing to reset, no second event. */
	if (q->state == PVGPU_QUEUE_STATE_ERROR)
		return PVGPU_STATUS_OK;
	fw_queue_error(fw, id, PVGPU_QUEUE_ERR_RESET, true, FW_QERR_RESET_CTX);
	fw_kick(fw);
	return PVGPU_STATUS_OK;
}

uint32_t fw_handle_queue_query(PvgpuFw *fw, const void *req, void *resp)
{
	struct pvgpu_msg_queue_state out = { 0 };
	PvgpuFwQueueState *q;
	uint32_t id, reserved, status;
	uint64_t busy;

	parse_queue(req, &id, &reserved);
	status = lookup(fw, "QUEUE_QUERY", id, reserved, &q);
	if (status != PVGPU_STATUS_OK)
		return status;
	busy = q->busy_ns;
	if (q->state == PVGPU_QUEUE_STATE_RESIDENT)
		busy += fw_clock_ns(fw) - q->resident_since_ns;
	out.queue_id = GUINT32_TO_LE(id);
	out.state = GUINT32_TO_LE(q->state);
	out.rptr = GUINT32_TO_LE(q->ctx.rptr);
	out.slot = GUINT32_TO_LE(q->state == PVGPU_QUEUE_STATE_RESIDENT ?
				 q->slot : UINT32_MAX);
	out.commands_done = GUINT64_TO_LE(q->ctx.commands_done);
	out.busy_ns = GUINT64_TO_LE(busy);
	/*
	 * The fault not answered yet, also while the queue is SUSPENDED: a
	 * driver whose PAGE_FAULT event was lost learns from here what to
	 * map and which fault_seqno to reply to. ctx.fault stays as the
	 * engine reported it until the reply lets the queue run again.
	 */
	if (q->flags & PVGPU_FW_QF_FAULTED) {
		out.fault_seqno = GUINT32_TO_LE(q->fault_seqno);
		out.fault_access = GUINT32_TO_LE(q->ctx.fault.access);
		out.fault_va = GUINT64_TO_LE(q->ctx.fault.va);
		out.fault_reason = GUINT32_TO_LE(q->ctx.fault.reason);
	}
	memcpy(resp, &out, sizeof(out));
	return PVGPU_STATUS_OK;
}

/* --- PAGE_FAULT_REPLY -------------------------------------------------- */

uint32_t fw_handle_page_fault_reply(PvgpuFw *fw, const void *req, void *resp)
{
	struct pvgpu_msg_fault_reply in;
	PvgpuFwQueueState *q;
	uint32_t id, seqno, action, status;

	(void)resp;
	memcpy(&in, req, sizeof(in));
	id = GUINT32_FROM_LE(in.queue_id);
	seqno = GUINT32_FROM_LE(in.fault_seqno);
	action = GUINT32_FROM_LE(in.action);
	status = lookup(fw, "PAGE_FAULT_REPLY", id,
			GUINT32_FROM_LE(in.reserved), &q);
	if (status != PVGPU_STATUS_OK)
		return status;
	if (action > PVGPU_FAULT_REPLY_FAIL) {
		fw_guest_error(fw, "PAGE_FAULT_REPLY: action %u unknown",
			       action);
		return PVGPU_STATUS_EINVAL;
	}
	if (!(q->flags & PVGPU_FW_QF_FAULTED) || seqno != q->fault_seqno) {
		fw_guest_error(fw, "PAGE_FAULT_REPLY: queue %u has no "
			       "outstanding fault %u", id, seqno);
		return PVGPU_STATUS_EINVAL;
	}
	if (fw_inject_fail_fault_reply(fw)) {
		fw_trace(fw, "fault_reply_failed", id, seqno);
		action = PVGPU_FAULT_REPLY_FAIL;
	}
	q->flags &= ~PVGPU_FW_QF_FAULTED;
	fw_trace(fw, "fault_reply", id, action);
	if (action == PVGPU_FAULT_REPLY_FAIL) {
		/* The event carries the fault again (ctx.fault). */
		fw_queue_error(fw, id, PVGPU_QUEUE_ERR_FAULT_FAILED, true,
			       FW_QERR_FAULT);
		return PVGPU_STATUS_OK;
	}
	/* The engine replays the access that faulted (unless suspended). */
	if (q->state == PVGPU_QUEUE_STATE_FAULTED) {
		fw_queue_release(fw, id);
		fw_kick(fw);
	}
	return PVGPU_STATUS_OK;
}
