/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the scheduler.
 *
 * Every engine class has cfg.slots[] hardware slots. A registered queue is
 * in exactly one state (PVGPU_QUEUE_STATE_*):
 *
 *   IDLE       ring empty; on no list. A doorbell makes it RUNNABLE.
 *   RUNNABLE   on its class's run list for its priority, waiting for a slot.
 *   RESIDENT   in a slot: the engine executes it (fw_engine_run()).
 *   WAITING    blocked in a WAIT command, on the wait list, re-checked every
 *              wait_poll_us and on any doorbell; then RUNNABLE.
 *   FAULTED    stalled on a page fault until PAGE_FAULT_REPLY.
 *   SUSPENDED  held by the driver (QUEUE_SUSPEND) until QUEUE_RESUME.
 *   ERROR      stopped for good (EVT_QUEUE_ERROR sent) until deregistered.
 *
 * Policy (docs/scheduler.rst): strict priority, round robin within a
 * priority (run lists are FIFOs, a queue that leaves its slot early goes to
 * the back). A resident queue that has used its quantum while a queue of
 * the same or higher priority waits is preempted; a waiting realtime queue
 * (the highest priority) preempts a lower-priority one at once. Preemption
 * happens at a command boundary, or in a DELAY through fw_engine_preempt();
 * a non-preemptible DELAY is waited for, up to preempt_timeout_us, after
 * which the queue is reset. A queue on the GPU (RESIDENT or WAITING) whose
 * commands_done does not advance for watchdog_ms is reset as hung.
 *
 * Everything is decided from the state, the device clock and the inputs
 * (requests, doorbells, guest memory), in a fixed order (engine classes in
 * configuration order, slots in index order, lists in FIFO order), so the
 * same inputs give the same decisions and the same F2H stream.
 *
 * Sending an event can halt the firmware (F2H inaccessible), which forgets
 * every queue (fw_sched_reset()). So every operation changes state first
 * and sends its event last, and callers check running() after each event.
 */
#include <string.h>

#include "fw_internal.h"

#define NS_PER_US	1000ull
#define NS_PER_MS	1000000ull


static bool running(const PvgpuFw *fw)
{
	return fw->st.fw_status == PVGPU_FW_STATE_RUNNING;
}

/* --- Small helpers ----------------------------------------------------- */

int fw_class_index(const PvgpuFw *fw, uint32_t cls)
{
	for (uint32_t i = 0; i < fw->cfg.num_engine_classes; i++) {
		if (fw->cfg.engine_class[i] == cls)
			return (int)i;
	}
	return -1;
}

PvgpuFwQueueState *fw_queue(PvgpuFw *fw, uint32_t id)
{
	return &fw->sched.q[id];
}

static uint32_t qclass(const PvgpuFw *fw, const PvgpuFwQueueState *q)
{
	/* Checked at registration and by post_load. */
	return (uint32_t)fw_class_index(fw, q->ctx.engine_class);
}

static uint64_t timeslice_ns(const PvgpuFw *fw, const PvgpuFwQueueState *q)
{
	uint32_t us = q->timeslice_us ? q->timeslice_us :
		      fw->cfg.timeslice_default_us;

	return (uint64_t)us * NS_PER_US;
}

static uint32_t rt_prio(const PvgpuFw *fw)
{
	return fw->cfg.num_priorities - 1;
}

static uint64_t pack_decision(uint32_t c, uint32_t slot, uint32_t id)
{
	return ((uint64_t)c << 48) | ((uint64_t)(slot & 0xffff) << 32) | id;
}

/* --- Lists ------------------------------------------------------------- */

static void list_init(FwList *l)
{
	l->head = l->tail = FW_NIL;
	l->count = 0;
}

static void list_append(FwSched *s, FwList *l, uint32_t id)
{
	s->link[id].prev = l->tail;
	s->link[id].next = FW_NIL;
	if (l->tail != FW_NIL)
		s->link[l->tail].next = id;
	else
		l->head = id;
	l->tail = id;
	l->count++;
}

static void list_remove(FwSched *s, FwList *l, uint32_t id)
{
	FwLink *k = &s->link[id];

	if (k->prev != FW_NIL)
		s->link[k->prev].next = k->next;
	else
		l->head = k->next;
	if (k->next != FW_NIL)
		s->link[k->next].prev = k->prev;
	else
		l->tail = k->prev;
	k->prev = k->next = FW_NIL;
	l->count--;
}

static FwList *run_list(PvgpuFw *fw, const PvgpuFwQueueState *q)
{
	return &fw->sched.run[qclass(fw, q)][q->priority];
}

void fw_queue_unlist(PvgpuFw *fw, uint32_t id)
{
	PvgpuFwQueueState *q = fw_queue(fw, id);

	if (q->state == PVGPU_QUEUE_STATE_RUNNABLE)
		list_remove(&fw->sched, run_list(fw, q), id);
	else if (q->state == PVGPU_QUEUE_STATE_WAITING)
		list_remove(&fw->sched, &fw->sched.wait, id);
	q->run_seq = 0;
}

/* --- Watchdog bookkeeping ---------------------------------------------- */

/* The watchdog counts time on the GPU: resident, or blocked in a WAIT. */
static bool wd_counts(uint32_t state)
{
	return state == PVGPU_QUEUE_STATE_RESIDENT ||
	       state == PVGPU_QUEUE_STATE_WAITING;
}

static void set_state(PvgpuFwQueueState *q, uint32_t state, uint64_t now)
{
	bool was = wd_counts(q->state), is = wd_counts(state);

	q->state = state;
	if (was && !is) {
		q->wd_accum_ns += now - q->wd_since_ns;
		q->wd_since_ns = 0;
	} else if (!was && is) {
		q->wd_since_ns = now;
	}
}

static void wd_progress(PvgpuFwQueueState *q, uint64_t now)
{
	q->wd_commands = q->ctx.commands_done;
	q->wd_accum_ns = 0;
	if (wd_counts(q->state))
		q->wd_since_ns = now;
}

static uint64_t wd_deadline(const PvgpuFw *fw, const PvgpuFwQueueState *q)
{
	uint64_t limit = (uint64_t)fw->cfg.watchdog_ms * NS_PER_MS;

	if (!limit || !wd_counts(q->state))
		return UINT64_MAX;
	if (q->wd_accum_ns >= limit)
		return q->wd_since_ns;
	return q->wd_since_ns + (limit - q->wd_accum_ns);
}

/* --- Moving queues between states -------------------------------------- */

static void wake_h2f(PvgpuFw *fw)
{
	if (fw->sched.h2f_deferred) {
		fw->sched.h2f_deferred = false;
		fw->st.h2f_pending = 1;
		fw_kick(fw);
	}
}

void fw_sched_h2f_deferred(PvgpuFw *fw)
{
	fw->sched.h2f_deferred = true;
}

/*
 * Put a queue that is in no slot and on no list into @want (RUNNABLE,
 * WAITING, IDLE or FAULTED), unless the driver holds it (SUSPENDED).
 */
static void park(PvgpuFw *fw, uint32_t id, uint32_t want, uint64_t now)
{
	FwSched *s = &fw->sched;
	PvgpuFwQueueState *q = fw_queue(fw, id);

	if (want == PVGPU_QUEUE_STATE_FAULTED)
		q->flags |= PVGPU_FW_QF_FAULTED;
	if (q->flags & (PVGPU_FW_QF_SUSPENDED | PVGPU_FW_QF_DEREGISTERING)) {
		set_state(q, PVGPU_QUEUE_STATE_SUSPENDED, now);
		return;
	}
	switch (want) {
	case PVGPU_QUEUE_STATE_RUNNABLE:
		q->run_seq = ++s->st.run_seq;
		set_state(q, want, now);
		list_append(s, run_list(fw, q), id);
		break;
	case PVGPU_QUEUE_STATE_WAITING:
		q->run_seq = ++s->st.run_seq;
		set_state(q, want, now);
		list_append(s, &s->wait, id);
		/* The first waiter starts the polling (a stale time or none). */
		if (s->wait.count == 1)
			s->st.next_poll_ns = now + fw->cfg.wait_poll_us * NS_PER_US;
		break;
	default:
		set_state(q, want, now);
		break;
	}
}

void fw_queue_make_runnable(PvgpuFw *fw, uint32_t id)
{
	park(fw, id, PVGPU_QUEUE_STATE_RUNNABLE, fw_clock_ns(fw));
}

void fw_queue_hold(PvgpuFw *fw, uint32_t id)
{
	PvgpuFwQueueState *q = fw_queue(fw, id);

	g_assert(q->state != PVGPU_QUEUE_STATE_RESIDENT);
	fw_queue_unlist(fw, id);
	q->flags |= PVGPU_FW_QF_SUSPENDED;
	set_state(q, PVGPU_QUEUE_STATE_SUSPENDED, fw_clock_ns(fw));
}

void fw_queue_release(PvgpuFw *fw, uint32_t id)
{
	PvgpuFwQueueState *q = fw_queue(fw, id);
	uint64_t now = fw_clock_ns(fw);

	if (q->flags & PVGPU_FW_QF_FAULTED) {
		park(fw, id, PVGPU_QUEUE_STATE_FAULTED, now);
	} else {
		/* The engine finds out whether work is left. */
		set_state(q, PVGPU_QUEUE_STATE_IDLE, now);
		park(fw, id, PVGPU_QUEUE_STATE_RUNNABLE, now);
	}
}

static void place(PvgpuFw *fw, uint32_t c, uint32_t slot, uint32_t id,
		  uint64_t now)
{
	PvgpuFwQueueState *q = fw_queue(fw, id);

	list_remove(&fw->sched, run_list(fw, q), id);
	q->run_seq = 0;
	fw->sched.slot[c][slot] = id;
	q->slot = slot;
	q->resident_since_ns = now;
	q->exec_status = FW_EXEC_BUDGET;
	set_state(q, PVGPU_QUEUE_STATE_RESIDENT, now);
	fw->stats.sched_decisions++;
	fw_trace(fw, "sched_place", pack_decision(c, slot, id), now);
}

/* Take a RESIDENT queue off its slot; the caller parks it. */
static void slot_leave(PvgpuFw *fw, uint32_t id, uint64_t now)
{
	PvgpuFwQueueState *q = fw_queue(fw, id);
	uint32_t c = qclass(fw, q);

	fw->sched.slot[c][q->slot] = FW_NIL;
	q->slot = PVGPU_FW_NO_SLOT;
	q->busy_ns += now - q->resident_since_ns;
	q->resident_since_ns = 0;
	q->exec_status = FW_EXEC_BUDGET;
	q->flags &= ~PVGPU_FW_QF_PREEMPT;
	q->preempt_deadline_ns = 0;
	/* Leaving the RESIDENT state proper is the caller's set_state(). */
	if (q->flags & (PVGPU_FW_QF_SUSPENDED | PVGPU_FW_QF_DEREGISTERING))
		wake_h2f(fw);
}

/* Can the queue in this slot stop now? (At a boundary, or a DELAY.) */
static bool try_preempt(PvgpuFw *fw, PvgpuFwQueueState *q, uint32_t c,
			uint64_t now)
{
	/* A hung engine does not answer preemption requests. */
	if (fw_inject_engine_hung(fw, c))
		return false;
	if (q->exec_status == FW_EXEC_DELAY) {
		if (!fw_engine_preempt(fw, &q->ctx, now))
			return false;
		q->exec_status = FW_EXEC_BUDGET;
	}
	return true;
}

bool fw_queue_preempt(PvgpuFw *fw, uint32_t id, uint64_t now)
{
	PvgpuFwQueueState *q = fw_queue(fw, id);
	uint32_t c = qclass(fw, q);

	if (try_preempt(fw, q, c, now)) {
		fw_trace(fw, "sched_preempted", pack_decision(c, q->slot, id),
			 now);
		slot_leave(fw, id, now);
		q->preemptions++;
		fw->stats.preemptions++;
		park(fw, id, PVGPU_QUEUE_STATE_RUNNABLE, now);
		return true;
	}
	if (!(q->flags & PVGPU_FW_QF_PREEMPT)) {
		q->flags |= PVGPU_FW_QF_PREEMPT;
		q->preempt_deadline_ns = now + (uint64_t)
			fw->cfg.preempt_timeout_us * NS_PER_US;
		fw_trace(fw, "sched_preempt_wait", pack_decision(c, q->slot, id),
			 q->preempt_deadline_ns);
	}
	return false;
}

void fw_queue_set_priority(PvgpuFw *fw, uint32_t id, uint32_t prio)
{
	PvgpuFwQueueState *q = fw_queue(fw, id);

	if (q->state == PVGPU_QUEUE_STATE_RUNNABLE) {
		/* A new priority is a new place: the back of that list. */
		list_remove(&fw->sched, run_list(fw, q), id);
		q->priority = prio;
		q->run_seq = ++fw->sched.st.run_seq;
		list_append(&fw->sched, run_list(fw, q), id);
	} else {
		q->priority = prio;
	}
}

/* Registered queue @id is in use: used[], its address space's count. */
static void track(FwSched *s, uint32_t id)
{
	s->used_at[id] = s->nused;
	s->used[s->nused++] = id;
	s->as_queues[s->q[id].ctx.asid]++;
}

static void untrack(FwSched *s, uint32_t id)
{
	uint32_t at = s->used_at[id], last = s->used[--s->nused];

	g_assert(at <= s->nused && s->used[at] == id &&
		 s->as_queues[s->q[id].ctx.asid]);
	s->used[at] = last;
	s->used_at[last] = at;
	s->as_queues[s->q[id].ctx.asid]--;
}

void fw_queue_registered(PvgpuFw *fw, uint32_t id)
{
	fw->sched.doorbell_owner[fw_queue(fw, id)->doorbell] = id;
	track(&fw->sched, id);
}

void fw_queue_free(PvgpuFw *fw, uint32_t id)
{
	PvgpuFwQueueState *q = fw_queue(fw, id);

	g_assert(q->state != PVGPU_QUEUE_STATE_RESIDENT);
	fw_queue_unlist(fw, id);
	fw->sched.doorbell_owner[q->doorbell] = FW_NIL;
	untrack(&fw->sched, id);
	memset(q, 0, sizeof(*q));
}

/*
 * Address of the command the queue is at (GPU VA; guest-physical on a
 * privileged ring), and its first dword if readable.
 */
static void current_cmd(PvgpuFw *fw, const PvgpuFwQueueState *q,
			uint64_t *va, uint32_t *dw0)
{
	const FwExecCtx *x = &q->ctx;
	FwFault f;
	uint32_t dw = 0;
	bool ok;

	if (x->batch_depth && x->batch_depth <= FW_MAX_BATCH_DEPTH) {
		*va = x->batch_pc[x->batch_depth - 1];
		ok = fw_gpu_read(fw, x->asid, *va, &dw, 4, &f);
	} else {
		*va = x->ring_addr + x->rptr;
		/* A privileged ring is guest-physical (engine.h). */
		ok = x->privileged ? fw_dma_read(fw, *va, &dw, 4) :
				     fw_gpu_read(fw, x->asid, *va, &dw, 4, &f);
	}
	*dw0 = ok ? GUINT32_FROM_LE(dw) : 0;
}

static void queue_error(PvgpuFw *fw, uint32_t id, uint32_t error,
			bool guilty, uint32_t how)
{
	PvgpuFwQueueState *q = fw_queue(fw, id);
	struct pvgpu_evt_queue_error evt = { 0 };
	uint64_t now = fw_clock_ns(fw), va;
	uint32_t dw0;

	if (how & FW_QERR_ENGINE) {
		va = q->ctx.error_addr;
		dw0 = q->ctx.error_dw0;
	} else {
		current_cmd(fw, q, &va, &dw0);
	}
	evt.queue_id = GUINT32_TO_LE(id);
	evt.error = GUINT32_TO_LE(error);
	evt.guilty = GUINT32_TO_LE(guilty ? 1 : 0);
	evt.engine_class = GUINT32_TO_LE(q->ctx.engine_class);
	evt.cmd_va = GUINT64_TO_LE(va);
	evt.cmd_dw0 = GUINT32_TO_LE(dw0);
	evt.rptr = GUINT32_TO_LE(q->ctx.rptr);
	if (how & FW_QERR_FAULT) {
		evt.fault_va = GUINT64_TO_LE(q->ctx.fault.va);
		evt.fault_access = GUINT32_TO_LE(q->ctx.fault.access);
		evt.fault_reason = GUINT32_TO_LE(q->ctx.fault.reason);
	}
	evt.asid = GUINT32_TO_LE(q->ctx.asid);
	/*
	 * Whatever stopped the queue, a wedged class stays hung: the driver
	 * learns that resetting queues will not bring it back.
	 */
	if (fw_inject_engine_wedged(fw, qclass(fw, q)))
		evt.flags = GUINT32_TO_LE(PVGPU_QUEUE_ERROR_ENGINE_RESET_FAILED);

	if (q->state == PVGPU_QUEUE_STATE_RESIDENT)
		slot_leave(fw, id, now);
	else
		fw_queue_unlist(fw, id);
	q->flags &= PVGPU_FW_QF_DEREGISTERING;
	set_state(q, PVGPU_QUEUE_STATE_ERROR, now);
	if (how & FW_QERR_RESET_CTX) {
		uint32_t wptr;

		if (!fw_dma_read(fw, q->ctx.wptr_addr, &wptr, 4))
			wptr = GUINT32_TO_LE(q->ctx.rptr);
		wptr = GUINT32_FROM_LE(wptr) & (q->ctx.ring_size - 1) & ~3u;
		fw_engine_reset(fw, &q->ctx, wptr);
	}
	fw->stats.queue_resets++;
	fw_trace(fw, "queue_error", id, ((uint64_t)error << 1) | !!guilty);
	fw_log(fw, PVGPU_LOG_LEVEL_WARN, "queue %u: error %u (%s) at 0x%"
	       PRIx64, id, error, guilty ? "guilty" : "innocent", va);
	if (running(fw))
		fw_f2h_event(fw, PVGPU_F2H_EVT_QUEUE_ERROR, &evt,
			     sizeof(evt) / 4);
}

void fw_queue_error(PvgpuFw *fw, uint32_t id, uint32_t error, bool guilty,
		    uint32_t how)
{
	queue_error(fw, id, error, guilty, how);
}

/*
 * The watchdog or a preemption timeout fired for resident queue @id. On a
 * healthy engine that is the queue's own doing: only it is reset. On an
 * engine that hangs (fault injection), the whole engine class is reset:
 * @id is guilty, every other queue in its slots innocent. That ends an
 * injected hang, not a wedge: the class stays hung, and the queues'
 * QUEUE_ERROR events say so (queue_error()).
 */
static void reset_resident(PvgpuFw *fw, uint32_t c, uint32_t id,
			   uint32_t error)
{
	if (!fw_inject_engine_hung(fw, c)) {
		queue_error(fw, id, error, true, FW_QERR_RESET_CTX);
		return;
	}
	fw->sched.st.hang_mask &= ~(1u << c);
	if (fw_inject_engine_wedged(fw, c))
		fw_log(fw, PVGPU_LOG_LEVEL_WARN, "engine class %u hung: "
		       "reset failed, still hung", fw->cfg.engine_class[c]);
	else
		fw_log(fw, PVGPU_LOG_LEVEL_WARN, "engine class %u hung: reset",
		       fw->cfg.engine_class[c]);
	if (!running(fw))
		return;
	queue_error(fw, id, error, true, FW_QERR_RESET_CTX);
	for (uint32_t i = 0; i < fw->cfg.slots[c] && running(fw); i++) {
		uint32_t other = fw->sched.slot[c][i];

		if (other != FW_NIL)
			queue_error(fw, other, error, false, FW_QERR_RESET_CTX);
	}
}

static void queue_fault(PvgpuFw *fw, uint32_t id, uint64_t now)
{
	PvgpuFwQueueState *q = fw_queue(fw, id);
	struct pvgpu_evt_page_fault evt = { 0 };

	if (!fw->cfg.page_faults || !fw_mmu_as_faultable(fw, q->ctx.asid)) {
		queue_error(fw, id, PVGPU_QUEUE_ERR_PAGE_FAULT, true,
			    FW_QERR_ENGINE | FW_QERR_FAULT);
		return;
	}
	slot_leave(fw, id, now);
	if (++q->fault_seqno == 0)
		q->fault_seqno = 1;
	park(fw, id, PVGPU_QUEUE_STATE_FAULTED, now);
	evt.queue_id = GUINT32_TO_LE(id);
	evt.fault_seqno = GUINT32_TO_LE(q->fault_seqno);
	evt.va = GUINT64_TO_LE(q->ctx.fault.va);
	evt.access = GUINT32_TO_LE(q->ctx.fault.access);
	evt.reason = GUINT32_TO_LE(q->ctx.fault.reason);
	evt.asid = GUINT32_TO_LE(q->ctx.asid);
	evt.engine_class = GUINT32_TO_LE(q->ctx.engine_class);
	fw->stats.page_faults++;
	fw_trace(fw, "queue_fault", id, q->ctx.fault.va);
	fw_log(fw, PVGPU_LOG_LEVEL_DEBUG, "queue %u: page fault %u at 0x%"
	       PRIx64 " (access %u reason %u)", id, q->fault_seqno,
	       q->ctx.fault.va, q->ctx.fault.access, q->ctx.fault.reason);
	if (!running(fw))
		return;
	/*
	 * Lost without a trace (no F2H overflow, no sequence gap): only
	 * QUEUE_QUERY still shows the fault.
	 */
	if (fw_inject_drop_fault_event(fw)) {
		fw_trace(fw, "fault_event_dropped", id, q->fault_seqno);
		fw_log(fw, PVGPU_LOG_LEVEL_WARN, "injected: page fault %u "
		       "event of queue %u dropped", q->fault_seqno, id);
		return;
	}
	fw_f2h_event(fw, PVGPU_F2H_EVT_PAGE_FAULT, &evt, sizeof(evt) / 4);
}

/* --- Choosing ---------------------------------------------------------- */

static uint32_t free_slot(PvgpuFw *fw, uint32_t c)
{
	for (uint32_t i = 0; i < fw->cfg.slots[c]; i++) {
		if (fw->sched.slot[c][i] == FW_NIL)
			return i;
	}
	return FW_NIL;
}

/* Residents that will leave without a new decision (QF_PREEMPT). */
static uint32_t leaving(PvgpuFw *fw, uint32_t c)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < fw->cfg.slots[c]; i++) {
		uint32_t id = fw->sched.slot[c][i];

		if (id != FW_NIL &&
		    (fw_queue(fw, id)->flags & PVGPU_FW_QF_PREEMPT))
			n++;
	}
	return n;
}

/*
 * Priority of the @skip-th (from 0) runnable queue in pick order (highest
 * priority first, FIFO within one), or -1 if there are not that many.
 */
static int candidate_prio(PvgpuFw *fw, uint32_t c, uint32_t skip)
{
	for (int p = (int)fw->cfg.num_priorities - 1; p >= 0; p--) {
		uint32_t n = fw->sched.run[c][p].count;

		if (skip < n)
			return p;
		skip -= n;
	}
	return -1;
}

/* May a waiting queue of priority @p take resident @v's slot now? */
static bool may_preempt(PvgpuFw *fw, const PvgpuFwQueueState *v, uint32_t p,
			uint64_t now)
{
	if (p == rt_prio(fw) && v->priority < p)
		return true;
	return v->priority <= p &&
	       now - v->resident_since_ns >= timeslice_ns(fw, v);
}

/*
 * The resident queue a waiting queue of priority @p takes the slot of:
 * the lowest priority, then the longest resident, then the lowest slot.
 */
static uint32_t pick_victim(PvgpuFw *fw, uint32_t c, uint32_t p,
			    uint64_t now)
{
	uint32_t best = FW_NIL;

	for (uint32_t i = 0; i < fw->cfg.slots[c]; i++) {
		uint32_t id = fw->sched.slot[c][i];
		const PvgpuFwQueueState *v, *b;

		if (id == FW_NIL)
			continue;
		v = fw_queue(fw, id);
		if ((v->flags & PVGPU_FW_QF_PREEMPT) ||
		    !may_preempt(fw, v, p, now))
			continue;
		if (best == FW_NIL) {
			best = id;
			continue;
		}
		b = fw_queue(fw, best);
		if (v->priority < b->priority ||
		    (v->priority == b->priority &&
		     v->resident_since_ns < b->resident_since_ns))
			best = id;
	}
	return best;
}

static void schedule_class(PvgpuFw *fw, uint32_t c, uint64_t now)
{
	/* Each round places or preempts; a cap guards against a logic bug. */
	uint32_t rounds = 4 * fw->cfg.slots[c] + 16;

	while (rounds--) {
		uint32_t slot = free_slot(fw, c), victim;
		int p = candidate_prio(fw, c, 0);

		if (p < 0)
			return;
		if (slot != FW_NIL) {
			place(fw, c, slot, fw->sched.run[c][p].head, now);
			continue;
		}
		/* Slots full: the first queue no leaving one is for. */
		p = candidate_prio(fw, c, leaving(fw, c));
		if (p < 0)
			return;
		victim = pick_victim(fw, c, (uint32_t)p, now);
		if (victim == FW_NIL)
			return;
		fw->stats.sched_decisions++;
		fw_trace(fw, "sched_preempt",
			 pack_decision(c, fw_queue(fw, victim)->slot, victim),
			 now);
		fw_queue_preempt(fw, victim, now);
	}
	fw_guest_error(fw, "scheduler: class %u did not settle", c);
}

/* --- Executing --------------------------------------------------------- */

static bool exec_ready(PvgpuFw *fw, uint32_t c, const PvgpuFwQueueState *q,
		       uint64_t now)
{
	if (fw_inject_engine_hung(fw, c))
		return false;
	return !(q->exec_status == FW_EXEC_DELAY &&
		 now < q->ctx.delay_until_ns);
}

/* Run one resident queue; true if it left its slot. */
static bool exec_slot(PvgpuFw *fw, uint32_t id, uint64_t now,
		      uint32_t *budget)
{
	PvgpuFwQueueState *q = fw_queue(fw, id);
	/* A queue on its way out only finishes its current command. */
	uint32_t b = (q->flags & PVGPU_FW_QF_PREEMPT) ? 1 : *budget;
	uint32_t b0 = b, used;
	FwExecStatus st;
	bool was_busy;

	st = fw_engine_run(fw, id, &q->ctx, now, &b);
	if (!running(fw))
		return true;
	used = b < b0 ? b0 - b : 1;
	*budget -= MIN(used, *budget);
	q->exec_status = st;
	if (st != FW_EXEC_IDLE)
		q->flags |= PVGPU_FW_QF_BUSY;
	if (q->ctx.commands_done != q->wd_commands) {
		q->flags |= PVGPU_FW_QF_BUSY;
		wd_progress(q, now);
	}

	switch (st) {
	case FW_EXEC_BUDGET:
	case FW_EXEC_DELAY:
		if (q->flags & PVGPU_FW_QF_PREEMPT)
			return fw_queue_preempt(fw, id, now);
		if (st == FW_EXEC_BUDGET)
			fw->sched.more_work = true;
		return false;
	case FW_EXEC_IDLE:
		was_busy = q->flags & PVGPU_FW_QF_BUSY;
		q->flags &= ~PVGPU_FW_QF_BUSY;
		slot_leave(fw, id, now);
		park(fw, id, PVGPU_QUEUE_STATE_IDLE, now);
		if (was_busy) {
			struct pvgpu_evt_queue_idle evt = {
				.queue_id = GUINT32_TO_LE(id),
				.rptr = GUINT32_TO_LE(q->ctx.rptr),
			};

			fw_trace(fw, "queue_idle", id, q->ctx.rptr);
			fw_f2h_event(fw, PVGPU_F2H_EVT_QUEUE_IDLE, &evt,
				     sizeof(evt) / 4);
		}
		return true;
	case FW_EXEC_WAITING:
		slot_leave(fw, id, now);
		park(fw, id, PVGPU_QUEUE_STATE_WAITING, now);
		return true;
	case FW_EXEC_FAULT:
		queue_fault(fw, id, now);
		return true;
	case FW_EXEC_ERROR:
	default:
		/* A backend failure's cause travels in the fault fields. */
		queue_error(fw, id, q->ctx.error, true,
			    FW_QERR_ENGINE |
			    (q->ctx.error == PVGPU_QUEUE_ERR_BACKEND ?
			     FW_QERR_FAULT : 0));
		return true;
	}
}

static uint32_t slot_budget(const PvgpuFw *fw, uint32_t exec_units)
{
	uint32_t slots = 0;

	for (uint32_t c = 0; c < fw->cfg.num_engine_classes; c++)
		slots += fw->cfg.slots[c];
	return MAX(exec_units / slots, FW_SLOT_BUDGET_MIN);
}

/*
 * Fill the slots of class @c and run them, refilling slots that empty;
 * each slot does at most @per work units.
 */
static void run_class(PvgpuFw *fw, uint32_t c, uint64_t now, uint32_t per)
{
	uint32_t budget[64];

	for (uint32_t i = 0; i < fw->cfg.slots[c]; i++)
		budget[i] = per;
	/*
	 * A DELAY that is over completes before any decision: the queue is
	 * then at the boundary after it (its next command does not start).
	 */
	for (uint32_t i = 0; i < fw->cfg.slots[c]; i++) {
		uint32_t id = fw->sched.slot[c][i], one = 1;

		if (id == FW_NIL ||
		    fw_queue(fw, id)->exec_status != FW_EXEC_DELAY ||
		    !exec_ready(fw, c, fw_queue(fw, id), now))
			continue;
		exec_slot(fw, id, now, &one);
		budget[i]--;
		if (!running(fw))
			return;
	}
	for (;;) {
		bool left = false;

		schedule_class(fw, c, now);
		for (uint32_t i = 0; i < fw->cfg.slots[c]; i++) {
			uint32_t id = fw->sched.slot[c][i];

			if (id == FW_NIL ||
			    !exec_ready(fw, c, fw_queue(fw, id), now))
				continue;
			if (!budget[i]) {
				fw->sched.more_work = true;
				continue;
			}
			if (exec_slot(fw, id, now, &budget[i]))
				left = true;
			if (!running(fw))
				return;
		}
		if (!left)
			return;
	}
}

/* WAITING queues whose condition holds become RUNNABLE. */
static void poll_waiting(PvgpuFw *fw, uint64_t now)
{
	FwSched *s = &fw->sched;
	uint32_t id, next;

	s->st.poll_now = 0;
	if (s->wait.count)
		fw->stats.wait_polls++;
	for (id = s->wait.head; id != FW_NIL; id = next) {
		next = s->link[id].next;
		if (fw_engine_wait_ready(fw, &fw_queue(fw, id)->ctx)) {
			list_remove(s, &s->wait, id);
			park(fw, id, PVGPU_QUEUE_STATE_RUNNABLE, now);
		}
	}
	s->st.next_poll_ns = s->wait.count ?
		now + fw->cfg.wait_poll_us * NS_PER_US : 0;
}

/* Preemption timeouts and the watchdog; true if a queue was reset. */
static bool check_timeouts(PvgpuFw *fw, uint64_t now)
{
	FwSched *s = &fw->sched;
	bool reset = false;
	uint32_t id, next;

	for (uint32_t c = 0; c < fw->cfg.num_engine_classes; c++) {
		for (uint32_t i = 0; i < fw->cfg.slots[c]; i++) {
			PvgpuFwQueueState *q;

			id = s->slot[c][i];
			if (id == FW_NIL)
				continue;
			q = fw_queue(fw, id);
			if ((q->flags & PVGPU_FW_QF_PREEMPT) &&
			    now >= q->preempt_deadline_ns) {
				fw_trace(fw, "preempt_timeout", id, now);
				reset_resident(fw, c, id,
					       PVGPU_QUEUE_ERR_PREEMPT_TIMEOUT);
				reset = true;
			} else if (now >= wd_deadline(fw, q)) {
				fw_trace(fw, "watchdog", id, now);
				reset_resident(fw, c, id, PVGPU_QUEUE_ERR_HANG);
				reset = true;
			}
			if (!running(fw))
				return true;
		}
	}
	for (id = s->wait.head; id != FW_NIL; id = next) {
		next = s->link[id].next;
		if (now >= wd_deadline(fw, fw_queue(fw, id))) {
			fw_trace(fw, "watchdog", id, now);
			queue_error(fw, id, PVGPU_QUEUE_ERR_HANG, true,
				    FW_QERR_RESET_CTX);
			reset = true;
			if (!running(fw))
				return true;
		}
	}
	return reset;
}

void fw_sched_run(PvgpuFw *fw, uint32_t exec_units)
{
	FwSched *s = &fw->sched;
	uint32_t per = slot_budget(fw, exec_units);
	uint64_t now;

	if (!running(fw))
		return;
	now = fw_clock_ns(fw);
	s->last_run_ns = now;
	s->more_work = false;
	fw->stats.sched_runs++;

	if (s->st.poll_now || (s->st.next_poll_ns && now >= s->st.next_poll_ns))
		poll_waiting(fw, now);
	for (uint32_t c = 0; c < fw->cfg.num_engine_classes; c++) {
		run_class(fw, c, now, per);
		if (!running(fw))
			return;
	}
	if (check_timeouts(fw, now)) {
		/* Slots were freed: fill them. */
		for (uint32_t c = 0; c < fw->cfg.num_engine_classes; c++) {
			if (!running(fw))
				return;
			run_class(fw, c, now, per);
		}
	}
	if (running(fw) && s->more_work)
		fw_kick(fw);
}

static void consider(uint64_t *d, uint64_t since, uint64_t t)
{
	if (t > since && t < *d)
		*d = t;
}

uint64_t fw_sched_next_deadline(PvgpuFw *fw)
{
	FwSched *s = &fw->sched;
	uint64_t since, d = UINT64_MAX;

	if (!running(fw))
		return UINT64_MAX;
	/*
	 * Only deadlines after the last run: what was due then, that run
	 * handled. Not after the clock's current value: the clock moved
	 * while the run went on, and a deadline that fell due since (a
	 * short DELAY set up in that run) is still to be acted on; the
	 * platform fires a timer armed in the past at once.
	 */
	since = s->last_run_ns;
#define CONSIDER(t) consider(&d, since, (t))

	for (uint32_t c = 0; c < fw->cfg.num_engine_classes; c++) {
		bool hung = fw_inject_engine_hung(fw, c);
		int p = candidate_prio(fw, c, leaving(fw, c));

		for (uint32_t i = 0; i < fw->cfg.slots[c]; i++) {
			uint32_t id = s->slot[c][i];
			const PvgpuFwQueueState *q;

			if (id == FW_NIL)
				continue;
			q = fw_queue(fw, id);
			if (!hung && q->exec_status == FW_EXEC_DELAY)
				CONSIDER(q->ctx.delay_until_ns);
			if (q->flags & PVGPU_FW_QF_PREEMPT)
				CONSIDER(q->preempt_deadline_ns);
			else if (p >= 0 && q->priority <= (uint32_t)p)
				CONSIDER(q->resident_since_ns +
					 timeslice_ns(fw, q));
			CONSIDER(wd_deadline(fw, q));
		}
	}
	if (s->wait.count) {
		CONSIDER(s->st.next_poll_ns);
		for (uint32_t id = s->wait.head; id != FW_NIL;
		     id = s->link[id].next)
			CONSIDER(wd_deadline(fw, fw_queue(fw, id)));
	}
#undef CONSIDER
	return d;
}

/* --- Doorbells --------------------------------------------------------- */

bool fw_doorbell_id_valid(const PvgpuFw *fw, uint32_t db)
{
	return db != PVGPU_DOORBELL_ID_H2F && db < fw->sched.num_doorbell_ids;
}

void fw_sched_doorbell(PvgpuFw *fw, uint32_t db, uint32_t value)
{
	FwSched *s = &fw->sched;
	uint32_t id;

	(void)value;
	g_assert(fw_doorbell_id_valid(fw, db));
	/*
	 * Only a running firmware has queues. A doorbell no queue owns is
	 * not an error: a process may write anywhere in its page, and a
	 * queue may just have been deregistered.
	 */
	id = s->doorbell_owner[db];
	if (id == FW_NIL || !running(fw)) {
		fw_trace(fw, "doorbell_unused", db, 0);
		return;
	}
	if (fw_inject_drop_doorbell(fw)) {
		fw->stats.doorbells_dropped++;
		fw_trace(fw, "doorbell_dropped", db, id);
		return;
	}
	/* Memory may have changed: WAITs are re-checked at the next run. */
	if (s->wait.count)
		s->st.poll_now = 1;
	if (fw_queue(fw, id)->state == PVGPU_QUEUE_STATE_IDLE)
		park(fw, id, PVGPU_QUEUE_STATE_RUNNABLE, fw_clock_ns(fw));
	fw_kick(fw);
}

/* --- Lifecycle --------------------------------------------------------- */

void fw_sched_init(PvgpuFw *fw)
{
	FwSched *s = &fw->sched;

	s->nq = fw->cfg.max_queues;
	s->q = g_new0(PvgpuFwQueueState, s->nq);
	s->link = g_new(FwLink, s->nq);
	s->used = g_new(uint32_t, s->nq);
	s->used_at = g_new(uint32_t, s->nq);
	for (uint32_t c = 0; c < fw->cfg.num_engine_classes; c++)
		s->slot[c] = g_new(uint32_t, fw->cfg.slots[c]);
	s->num_doorbell_ids = fw->cfg.num_doorbells * PVGPU_DOORBELLS_PER_PAGE;
	s->doorbell_owner = g_new(uint32_t, s->num_doorbell_ids);
	memset(&s->st, 0, sizeof(s->st));
	fw_sched_reset(fw, true);
}

void fw_sched_free(PvgpuFw *fw)
{
	FwSched *s = &fw->sched;

	g_free(s->q);
	g_free(s->link);
	g_free(s->used);
	g_free(s->used_at);
	for (uint32_t c = 0; c < PVGPU_MAX_ENGINE_CLASSES; c++)
		g_free(s->slot[c]);
	g_free(s->doorbell_owner);
	memset(s, 0, sizeof(*s));
}

/*
 * Empty lists, slots, doorbell map and what is in use (derived state).
 * @whole: every link and doorbell-map entry, whatever the table holds
 * (a migration stream wrote it); else the caller has cleared those of
 * the queues in used[], the only ones set.
 */
static void clear_derived(PvgpuFw *fw, bool whole)
{
	FwSched *s = &fw->sched;

	if (whole) {
		for (uint32_t i = 0; i < s->nq; i++)
			s->link[i].prev = s->link[i].next = FW_NIL;
		/* FW_NIL is all ones. */
		memset(s->doorbell_owner, 0xff, (size_t)s->num_doorbell_ids *
		       sizeof(*s->doorbell_owner));
		fw->stats.table_visits += s->nq + s->num_doorbell_ids;
	}
	s->nused = 0;
	/* A fixed size (PVGPU_FW_MAX_AS), whatever the shape. */
	memset(s->as_queues, 0, sizeof(s->as_queues));
	for (uint32_t c = 0; c < PVGPU_MAX_ENGINE_CLASSES; c++) {
		for (uint32_t p = 0; p < G_N_ELEMENTS(s->run[c]); p++)
			list_init(&s->run[c][p]);
	}
	list_init(&s->wait);
	for (uint32_t c = 0; c < fw->cfg.num_engine_classes; c++) {
		for (uint32_t i = 0; i < fw->cfg.slots[c]; i++)
			s->slot[c][i] = FW_NIL;
	}
	s->h2f_deferred = false;
	s->more_work = false;
}

/*
 * A firmware reset (FW_CTRL.RESET, boot, halt) costs in proportion to the
 * queues in use: only their entries are cleared. A device reset, or one
 * after the table came from a migration stream that post_load did not
 * accept, clears the whole table: it may hold entries used[] does not
 * name (a device reset also follows a migration that failed before
 * post_load ran).
 */
void fw_sched_reset(PvgpuFw *fw, bool device)
{
	FwSched *s = &fw->sched;
	bool whole = device || s->untracked;

	if (!s->q)
		return;
	if (whole) {
		memset(s->q, 0, (size_t)s->nq * sizeof(*s->q));
		fw->stats.table_visits += s->nq;
	} else {
		/* Unregistered entries are zero already (fw_queue_free()). */
		for (uint32_t i = 0; i < s->nused; i++) {
			uint32_t id = s->used[i];

			s->link[id].prev = s->link[id].next = FW_NIL;
			s->doorbell_owner[s->q[id].doorbell] = FW_NIL;
			memset(&s->q[id], 0, sizeof(s->q[id]));
		}
		fw->stats.table_visits += s->nused;
	}
	clear_derived(fw, whole);
	s->untracked = false;
	s->st.run_seq = 0;
	s->st.next_poll_ns = 0;
	s->st.poll_now = 0;
	/* Resetting the firmware resets the engines, wedged ones too. */
	s->st.hang_mask = 0;
	s->st.wedge_mask = 0;
	if (device)
		fw_inject_reset(fw);
}

bool fw_sched_asid_in_use(PvgpuFw *fw, uint32_t asid)
{
	fw->stats.table_visits++;
	return asid < G_N_ELEMENTS(fw->sched.as_queues) &&
	       fw->sched.as_queues[asid] != 0;
}

void fw_sched_table_loaded(PvgpuFw *fw)
{
	fw->sched.untracked = true;
	/* The loaded deadlines were never looked at by a run here. */
	fw->sched.last_run_ns = 0;
}

PvgpuFwQueueState *pvgpu_fw_queue_states(PvgpuFw *fw, uint32_t *n)
{
	*n = fw->sched.nq;
	return fw->sched.q;
}

PvgpuFwSchedState *pvgpu_fw_sched_state(PvgpuFw *fw)
{
	return &fw->sched.st;
}

/* --- Migration --------------------------------------------------------- */

static bool all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++) {
		if (b[i])
			return false;
	}
	return true;
}

static bool pow2_in(uint64_t v, uint64_t min, uint64_t max)
{
	return v >= min && v <= max && !(v & (v - 1));
}

/* What is wrong with registered queue @q, or NULL. */
static const char *queue_problem(PvgpuFw *fw, const PvgpuFwQueueState *q,
				 uint64_t now)
{
	const PvgpuFwConfig *cfg = &fw->cfg;
	const uint32_t active = PVGPU_QUEUE_STATE_RESIDENT;
	int c;

	if (q->registered != 1)
		return "registered not 0/1";
	c = fw_class_index(fw, q->ctx.engine_class);
	if (c < 0)
		return "engine class not on this device";
	if (q->priority >= cfg->num_priorities)
		return "priority out of range";
	if (q->timeslice_us && (q->timeslice_us < cfg->timeslice_min_us ||
				q->timeslice_us > cfg->timeslice_max_us))
		return "timeslice out of range";
	if (!fw_doorbell_id_valid(fw, q->doorbell))
		return "doorbell out of range";
	if (q->state > PVGPU_QUEUE_STATE_ERROR)
		return "state out of range";
	if (q->flags & ~PVGPU_FW_QF_ALL)
		return "unknown flags";
	if (q->exec_status > FW_EXEC_ERROR)
		return "exec_status out of range";
	if (q->reserved)
		return "reserved not zero";
	if (q->state == active) {
		if (q->slot >= cfg->slots[c])
			return "slot out of range";
		if (q->resident_since_ns > now)
			return "resident in the future";
	} else if (q->slot != PVGPU_FW_NO_SLOT || q->exec_status ||
		   q->resident_since_ns) {
		return "slot state of a queue that is not resident";
	}
	if ((q->flags & PVGPU_FW_QF_PREEMPT) && q->state != active)
		return "preemption pending outside a slot";
	if (!(q->flags & PVGPU_FW_QF_PREEMPT) && q->preempt_deadline_ns)
		return "preemption deadline without preemption";
	if (q->state == PVGPU_QUEUE_STATE_SUSPENDED &&
	    !(q->flags & (PVGPU_FW_QF_SUSPENDED | PVGPU_FW_QF_DEREGISTERING)))
		return "SUSPENDED without a reason";
	if ((q->flags & (PVGPU_FW_QF_SUSPENDED | PVGPU_FW_QF_DEREGISTERING)) &&
	    q->state != PVGPU_QUEUE_STATE_SUSPENDED && q->state != active &&
	    q->state != PVGPU_QUEUE_STATE_ERROR)
		return "suspend flag in a running state";
	if ((q->flags & PVGPU_FW_QF_FAULTED) !=
	    (q->state == PVGPU_QUEUE_STATE_FAULTED ? PVGPU_FW_QF_FAULTED : 0) &&
	    q->state != PVGPU_QUEUE_STATE_SUSPENDED)
		return "fault flag does not match the state";
	if ((q->state == PVGPU_QUEUE_STATE_RUNNABLE ||
	     q->state == PVGPU_QUEUE_STATE_WAITING) ?
	    (!q->run_seq || q->run_seq > fw->sched.st.run_seq) : q->run_seq)
		return "run_seq inconsistent";
	if (wd_counts(q->state) ? q->wd_since_ns > now : q->wd_since_ns)
		return "watchdog interval inconsistent";
	if (q->ctx.commands_done < q->wd_commands)
		return "commands_done went backwards";
	if (q->ctx.ring_addr & 0xfff ||
	    !pow2_in(q->ctx.ring_size, 0x1000, 0x400000) ||
	    (q->ctx.rptr_addr & 3) || (q->ctx.wptr_addr & 3))
		return "ring description invalid";
	if (!fw_mmu_as_bound(fw, q->ctx.asid))
		return "address space not bound";
	if (!fw_engine_ctx_valid(fw, &q->ctx))
		return "execution context invalid";
	return NULL;
}

static int cmp_run_seq(const void *a, const void *b, void *data)
{
	const PvgpuFwQueueState *q = data;
	uint64_t x = q[*(const uint32_t *)a].run_seq;
	uint64_t y = q[*(const uint32_t *)b].run_seq;

	return x < y ? -1 : x > y;
}

const char *fw_sched_post_load(PvgpuFw *fw)
{
	FwSched *s = &fw->sched;
	const char *why;
	GArray *order;
	uint64_t now = fw_clock_ns(fw);

	/* Nothing derived is trusted until rebuilt from the loaded table. */
	s->untracked = true;
	why = fw_inject_post_load(fw);
	if (why)
		return why;
	if (s->st.poll_now > 1)
		return "scheduler state invalid";
	if (!running(fw)) {
		/* Outside RUNNING there are no queues, whatever came along. */
		fw_sched_reset(fw, false);
		return NULL;
	}

	clear_derived(fw, true);
	order = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	why = NULL;
	fw->stats.table_visits += s->nq;
	for (uint32_t id = 0; id < s->nq && !why; id++) {
		PvgpuFwQueueState *q = &s->q[id];
		uint32_t c;

		if (!q->registered) {
			if (!all_zero(q, sizeof(*q)))
				why = "free queue entry not zero";
			continue;
		}
		why = queue_problem(fw, q, now);
		if (why)
			break;
		c = qclass(fw, q);
		if (s->doorbell_owner[q->doorbell] != FW_NIL) {
			why = "doorbell used twice";
			break;
		}
		s->doorbell_owner[q->doorbell] = id;
		/* Its address space is bound (queue_problem()): in range. */
		track(s, id);
		if (q->state == PVGPU_QUEUE_STATE_RESIDENT) {
			if (s->slot[c][q->slot] != FW_NIL) {
				why = "slot used twice";
				break;
			}
			s->slot[c][q->slot] = id;
		}
		if (q->state == PVGPU_QUEUE_STATE_RUNNABLE ||
		    q->state == PVGPU_QUEUE_STATE_WAITING)
			g_array_append_val(order, id);
	}
	if (!why) {
		/* Lists in their original order: run_seq is unique. */
		g_array_sort_with_data(order, cmp_run_seq, s->q);
		for (guint i = 0; i < order->len; i++) {
			uint32_t id = g_array_index(order, uint32_t, i);
			PvgpuFwQueueState *q = &s->q[id];

			if (i && q->run_seq ==
			    s->q[g_array_index(order, uint32_t, i - 1)].run_seq) {
				why = "run_seq used twice";
				break;
			}
			if (q->state == PVGPU_QUEUE_STATE_RUNNABLE)
				list_append(s, run_list(fw, q), id);
			else
				list_append(s, &s->wait, id);
		}
	}
	g_array_free(order, TRUE);
	if (!why && s->wait.count && !s->st.next_poll_ns)
		why = "WAITING queues without a poll";
	if (why)
		clear_derived(fw, true);
	else
		s->untracked = false;
	return why;
}
