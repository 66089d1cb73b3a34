/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the scheduler (sched.c), the queue requests
 * (queue.c) and fault injection (inject.c), as the rest of the model sees
 * them. Specification: docs/scheduler.rst.
 */
#ifndef PVGPU_FW_SCHED_INTERNAL_H
#define PVGPU_FW_SCHED_INTERNAL_H

#include "pvgpu_fw_sched_state.h"

/* "No queue" in lists, slots and the doorbell map. */
#define FW_NIL			UINT32_MAX

/*
 * The engine work of one run (PvgpuFwRunBudget.exec_units) is shared out
 * evenly over all slots, but at least FW_SLOT_BUDGET_MIN per slot so no
 * slot starves on a device with many.
 */
#define FW_SLOT_BUDGET_MIN	8u

/*
 * A request handler's "not yet": the request stays on H2F unconsumed, and
 * the channel stops (later requests wait behind it, so responses stay in
 * order) until the scheduler wakes it: a SUSPEND or DEREGISTER of a queue
 * that is finishing a non-preemptible DELAY.
 */
#define FW_STATUS_DEFER		0xffffffffu

/* A doubly linked list of queues, threaded through FwSched.link. */
typedef struct FwList {
	uint32_t head, tail, count;
} FwList;

typedef struct FwLink {
	uint32_t prev, next;
} FwLink;

/* Derived scheduler state, rebuilt from the migratable state. */
typedef struct FwSched {
	PvgpuFwSchedState st;		/* migratable */
	PvgpuFwQueueState *q;		/* migratable: [cfg.max_queues] */
	uint32_t nq;

	FwLink *link;			/* [nq]: run list or wait list */
	/* RUNNABLE queues per engine class index and priority. */
	FwList run[PVGPU_MAX_ENGINE_CLASSES][8];
	FwList wait;			/* WAITING queues */
	uint32_t *slot[PVGPU_MAX_ENGINE_CLASSES];	/* queue id or FW_NIL */
	/*
	 * Doorbell id -> queue id or FW_NIL: [num_doorbell_ids], every
	 * dword of every doorbell page (num_doorbells pages of
	 * PVGPU_DOORBELLS_PER_PAGE). Rebuilt from the queue table.
	 */
	uint32_t *doorbell_owner;
	uint32_t num_doorbell_ids;

	/*
	 * What is in use, so that resets and AS_UNBIND cost in proportion
	 * to the registered queues, not to max_queues or the doorbell pages
	 * (docs/scheduler.rst, "Host cost"): the registered queue ids in no
	 * particular order (used[0 .. nused)), each one's index in used[]
	 * (used_at[id], valid while registered), and the registered queues
	 * of each address space. Rebuilt from the queue table by post_load.
	 */
	uint32_t *used;
	uint32_t *used_at;
	uint32_t nused;
	uint32_t as_queues[PVGPU_FW_MAX_AS];
	/*
	 * The queue table may hold entries used[] does not name: it was
	 * written from outside (a migration stream) and post_load has not
	 * rebuilt the derived state from it. The next reset clears the
	 * whole table and doorbell map.
	 */
	bool untracked;

	bool h2f_deferred;		/* a request waits for a queue to leave */
	bool more_work;			/* a slot ran out of budget: kick */
	/*
	 * The device clock when fw_sched_run() last looked at it; not
	 * migrated (0: nothing is known to have been handled). The clock
	 * moves on while the firmware runs, so a deadline after this but
	 * already past when the timer is armed is still pending.
	 */
	uint64_t last_run_ns;
} FwSched;

/* --- sched.c ----------------------------------------------------------- */

void fw_sched_init(PvgpuFw *fw);
void fw_sched_free(PvgpuFw *fw);
/*
 * Forget every queue (firmware reset, halt, boot). @device: a device
 * reset, which also clears fault injection.
 */
void fw_sched_reset(PvgpuFw *fw, bool device);
/*
 * Run queues on the slots, doing at most about @exec_units of engine work;
 * called by pvgpu_fw_run_budget() while RUNNING.
 */
void fw_sched_run(PvgpuFw *fw, uint32_t exec_units);
/* Earliest scheduler deadline after now, UINT64_MAX if none. */
uint64_t fw_sched_next_deadline(PvgpuFw *fw);
/*
 * A write to doorbell @db (a valid id other than PVGPU_DOORBELL_ID_H2F):
 * schedules the queue that owns it; a doorbell no queue owns is ignored.
 */
void fw_sched_doorbell(PvgpuFw *fw, uint32_t db, uint32_t value);
/* Is @db an id a queue may use (not H2F, inside the doorbell pages)? */
bool fw_doorbell_id_valid(const PvgpuFw *fw, uint32_t db);
/* NULL if the restored queue table is consistent (then rebuilt). */
const char *fw_sched_post_load(PvgpuFw *fw);
/*
 * Does a registered queue use address space @asid? (AS_UNBIND: EBUSY)
 * Constant time: a count per address space.
 */
bool fw_sched_asid_in_use(PvgpuFw *fw, uint32_t asid);
/*
 * The queue table is being written from outside (pvgpu_fw_pre_load(), or
 * pvgpu_fw_post_load() about to check it): until post_load has rebuilt
 * the derived state from it, a reset clears the whole table.
 */
void fw_sched_table_loaded(PvgpuFw *fw);
/* The H2F channel stopped at a FW_STATUS_DEFER request. */
void fw_sched_h2f_deferred(PvgpuFw *fw);

/* Engine class index of class id @cls, or -1 if the device lacks it. */
int fw_class_index(const PvgpuFw *fw, uint32_t cls);

/* For queue.c: state changes with all their bookkeeping. */
PvgpuFwQueueState *fw_queue(PvgpuFw *fw, uint32_t id);
/* An IDLE queue gets work: RUNNABLE. */
void fw_queue_make_runnable(PvgpuFw *fw, uint32_t id);
/* Off run/wait list (not a slot). */
void fw_queue_unlist(PvgpuFw *fw, uint32_t id);
/* A queue that is not RESIDENT: SUSPENDED (QUEUE_SUSPEND). */
void fw_queue_hold(PvgpuFw *fw, uint32_t id);
/*
 * A SUSPENDED or FAULTED queue may go on (RESUME, fault RETRY): FAULTED if
 * a fault is still outstanding, SUSPENDED if still suspended, else
 * RUNNABLE.
 */
void fw_queue_release(PvgpuFw *fw, uint32_t id);
/*
 * Take a RESIDENT queue off its slot at the next command boundary:
 * true if it left (its state is then RUNNABLE or SUSPENDED by its flags),
 * false if it is in a non-preemptible DELAY (QF_PREEMPT is then set and
 * the preemption timeout runs).
 */
bool fw_queue_preempt(PvgpuFw *fw, uint32_t id, uint64_t now);
/* What fw_queue_error() does and reports besides the error code. */
#define FW_QERR_RESET_CTX	(1u << 0)	/* forget the in-flight command */
#define FW_QERR_ENGINE		(1u << 1)	/* cmd_va/dw0 from ctx.error_* */
#define FW_QERR_FAULT		(1u << 2)	/* fault fields from ctx.fault */

/*
 * Stop a queue: state ERROR, off slot and lists, EVT_QUEUE_ERROR (sent
 * last: check that the firmware still runs afterwards).
 */
void fw_queue_error(PvgpuFw *fw, uint32_t id, uint32_t error,
		    bool guilty, uint32_t how);
void fw_queue_set_priority(PvgpuFw *fw, uint32_t id, uint32_t prio);
void fw_queue_free(PvgpuFw *fw, uint32_t id);
/*
 * Entry @id was just filled in by QUEUE_REGISTER: it owns its doorbell,
 * counts for its address space and is in use.
 */
void fw_queue_registered(PvgpuFw *fw, uint32_t id);

/* --- queue.c: request handlers for msg.c's table ------------------------ */

uint32_t fw_handle_queue_register(PvgpuFw *fw, const void *req, void *resp);
uint32_t fw_handle_queue_deregister(PvgpuFw *fw, const void *req,
				    void *resp);
uint32_t fw_handle_queue_suspend(PvgpuFw *fw, const void *req, void *resp);
uint32_t fw_handle_queue_resume(PvgpuFw *fw, const void *req, void *resp);
uint32_t fw_handle_queue_set_priority(PvgpuFw *fw, const void *req,
				      void *resp);
uint32_t fw_handle_queue_set_timeslice(PvgpuFw *fw, const void *req,
				       void *resp);
uint32_t fw_handle_queue_reset(PvgpuFw *fw, const void *req, void *resp);
uint32_t fw_handle_queue_query(PvgpuFw *fw, const void *req, void *resp);
uint32_t fw_handle_page_fault_reply(PvgpuFw *fw, const void *req,
				    void *resp);

/* --- inject.c ---------------------------------------------------------- */

/* Raise the firmware's vector, unless injection loses or delays it. */
void fw_irq_deliver(PvgpuFw *fw);
/* Timer: deliver a delayed interrupt that is due. */
void fw_inject_timer(PvgpuFw *fw, uint64_t now);
uint64_t fw_inject_next_deadline(PvgpuFw *fw);
/*
 * Consume one injected doorbell drop / fault-reply failure / lost
 * page-fault event if armed.
 */
bool fw_inject_drop_doorbell(PvgpuFw *fw);
bool fw_inject_fail_fault_reply(PvgpuFw *fw);
bool fw_inject_drop_fault_event(PvgpuFw *fw);
/* Does class index @class_idx hang now (injected hang or wedge)? */
bool fw_inject_engine_hung(const PvgpuFw *fw, uint32_t class_idx);
/* Is it wedged: do queue resets leave it hung? */
bool fw_inject_engine_wedged(const PvgpuFw *fw, uint32_t class_idx);
/* Seed the PRNG from cfg.seed. */
void fw_inject_reset(PvgpuFw *fw);
const char *fw_inject_post_load(PvgpuFw *fw);

#endif /* PVGPU_FW_SCHED_INTERNAL_H */
