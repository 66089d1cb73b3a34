/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the scheduler's migratable state.
 *
 * The queue table (one PvgpuFwQueueState per possible queue id, max_queues
 * entries) and the scheduler's global state (PvgpuFwSchedState) are plain
 * fixed-size structures so the QEMU device can describe them with VMSTATE_*
 * macros, like PvgpuFwState. Everything else the scheduler holds (run
 * lists, the slot table, the doorbell map, the queues in use and each
 * address space's queue count, timer deadlines) is derived from them and
 * rebuilt by pvgpu_fw_post_load(), which also checks every field: a
 * migration stream is never trusted.
 *
 * Specification: docs/scheduler.rst.
 */
#ifndef PVGPU_FW_SCHED_STATE_H
#define PVGPU_FW_SCHED_STATE_H

#include "engine.h"
#include "pvgpu_fw_model.h"

/* PvgpuFwQueueState.slot of a queue that is not in a hardware slot. */
#define PVGPU_FW_NO_SLOT		UINT32_MAX

/* PvgpuFwQueueState.flags */
#define PVGPU_FW_QF_BUSY		(1u << 0)	/* had work since its last idle event */
#define PVGPU_FW_QF_SUSPENDED		(1u << 1)	/* suspended by the driver */
#define PVGPU_FW_QF_DEREGISTERING	(1u << 2)	/* DEREGISTER waits for its slot */
#define PVGPU_FW_QF_PREEMPT		(1u << 3)	/* must leave its slot (NOPREEMPT DELAY) */
#define PVGPU_FW_QF_FAULTED		(1u << 4)	/* waits for a PAGE_FAULT_REPLY */
#define PVGPU_FW_QF_ALL			0x1fu

/**
 * PvgpuFwQueueState - one entry of the queue table (migratable)
 *
 * An entry with @registered == 0 is entirely zero. Times are device-clock
 * nanoseconds. @ctx is the engine's execution context (engine.h): where
 * the queue is in its ring and batch buffers, a preempted DELAY's rest.
 */
typedef struct PvgpuFwQueueState {
	uint32_t registered;		/* 0 or 1 */
	uint32_t state;			/* PVGPU_QUEUE_STATE_* */
	uint32_t flags;			/* PVGPU_FW_QF_* */
	uint32_t priority;		/* 0 .. num_priorities - 1 */
	uint32_t timeslice_us;		/* as the driver set it: 0 = default */
	uint32_t doorbell;		/* doorbell id (not 0, the H2F one) */
	uint32_t slot;			/* RESIDENT: slot in its class; else NO_SLOT */
	uint32_t exec_status;		/* last FwExecStatus while resident */
	uint32_t fault_seqno;		/* last page fault reported (from 1) */
	uint32_t reserved;		/* zero */
	uint64_t run_seq;		/* RUNNABLE/WAITING: order in its list */
	uint64_t resident_since_ns;	/* RESIDENT: when it got its slot */
	uint64_t preempt_deadline_ns;	/* QF_PREEMPT: reset it after this */
	uint64_t wd_since_ns;		/* RESIDENT/WAITING: watchdog interval start */
	uint64_t wd_accum_ns;		/* time on the GPU without progress */
	uint64_t wd_commands;		/* ctx.commands_done at the last progress */
	uint64_t busy_ns;		/* time spent resident (completed intervals) */
	uint64_t preemptions;		/* times it was taken off its slot early */
	FwExecCtx ctx;
} PvgpuFwQueueState;

/**
 * PvgpuFwSchedState - the scheduler's global state (migratable)
 *
 * Fault-injection settings (pvgpu_fw_inject()) are part of it: an injected
 * hang or a pending "lose the next N interrupts" survives migration.
 */
typedef struct PvgpuFwSchedState {
	uint64_t run_seq;		/* next run-list sequence number */
	uint64_t next_poll_ns;		/* next re-check of WAITING queues, 0: none */
	uint64_t prng;			/* xorshift64 state, never 0 */
	uint64_t irq_delay_ns;		/* inject: delay every interrupt */
	uint64_t irq_due_ns;		/* a delayed interrupt is due, 0: none */
	uint32_t poll_now;		/* re-check WAITING queues at the next run */
	uint32_t hang_mask;		/* inject: hung engine classes (by index) */
	uint32_t drop_doorbells;	/* inject: queue doorbells still to drop */
	uint32_t lose_irqs;		/* inject: interrupts still to lose */
	uint32_t fail_fault_replies;	/* inject: fault replies still to fail */
	uint32_t drop_doorbell_ppm;	/* inject: probability, parts per million */
	uint32_t lose_irq_ppm;
	/*
	 * inject: PAGE_FAULT events still to lose. It took the place of a
	 * reserved field that was always zero, so older streams carry 0.
	 */
	uint32_t drop_fault_events;
	/*
	 * inject: wedged engine classes (by index): hung like hang_mask,
	 * but queue resets do not clear them, only a firmware reset or
	 * PVGPU_FW_INJECT_UNHANG_ENGINE. Migrated in a subsection of its
	 * own, sent only while one is wedged.
	 */
	uint32_t wedge_mask;
	uint32_t reserved;		/* zero: no implicit padding */
} PvgpuFwSchedState;

/* The queue table: *@n entries (the configuration's max_queues). */
PvgpuFwQueueState *pvgpu_fw_queue_states(PvgpuFw *fw, uint32_t *n);
PvgpuFwSchedState *pvgpu_fw_sched_state(PvgpuFw *fw);

#endif /* PVGPU_FW_SCHED_STATE_H */
