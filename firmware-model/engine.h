/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the contract between the scheduler (sched.c,
 * queue.c) and the execution side (engine.c, kernels.c, mmu.c).
 *
 * The scheduler owns queues and hardware slots and decides which queue runs
 * where and for how long. The engine executes one queue's commands (ring
 * and batch buffers, include/pvgpu/pvgpu_cmds.h) in that queue's GPU
 * address space (mmu.c, include/pvgpu/pvgpu_pt_format.h) until it runs out of
 * budget, of commands, or is blocked, and says which with FwExecStatus.
 * Everything a queue needs to continue later - in another slot, after
 * preemption, after migration - is in its FwExecCtx, so preemption at a
 * command boundary is just "stop calling fw_engine_run() for this queue".
 */
#ifndef PVGPU_FW_ENGINE_H
#define PVGPU_FW_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "pvgpu_cmds.h"
#include "pvgpu_fw_model.h"

/* Deepest batch-buffer nesting; one more BATCH_CALL is a queue error. */
#define FW_MAX_BATCH_DEPTH	8
/*
 * Most commands executed in batch buffers (all levels together) on behalf
 * of one BATCH_CALL on the ring; one more is PVGPU_QUEUE_ERR_HANG. Batch
 * buffers have no wptr, so this bounds a runaway batch (e.g. a NOP sled
 * through aliased mappings) that would otherwise look like progress.
 */
#define FW_MAX_BATCH_CMDS	(1u << 20)

/* Why fw_engine_run() returned. */
typedef enum FwExecStatus {
	FW_EXEC_BUDGET,		/* budget used up; more commands may follow */
	FW_EXEC_IDLE,		/* ring empty: rptr == wptr, not in a batch */
	FW_EXEC_WAITING,	/* blocked in WAIT: fw_engine_wait_ready() */
	FW_EXEC_DELAY,		/* in DELAY until ctx->delay_until_ns */
	FW_EXEC_FAULT,		/* page fault: ctx->fault says where */
	FW_EXEC_ERROR,		/* queue error: ctx->error says why */
} FwExecStatus;

/* A GPU page fault, as reported to the driver. */
typedef struct FwFault {
	uint64_t va;
	uint32_t access;	/* PVGPU_ACCESS_* (pvgpu_fwif.h) */
	uint32_t reason;	/* PVGPU_FAULT_* (pvgpu_fwif.h) */
} FwFault;

/*
 * The execution state of one queue. Plain fixed-size data: it migrates as
 * part of the queue. The engine is the only writer of everything below
 * except the "set by the scheduler" fields.
 */
typedef struct FwExecCtx {
	/* Set by the scheduler from the queue descriptor. */
	uint32_t asid;			/* address space the queue runs in */
	uint32_t engine_class;		/* PVGPU_ENGINE_CLASS_* */
	uint64_t ring_addr;		/* ring: GPU VA, or guest-physical */
	uint32_t ring_size;		/* bytes, power of two */
	/*
	 * 1: a kernel queue (PVGPU_QUEUE_DESC_PRIVILEGED): the ring is at
	 * guest-physical ring_addr and ring-level commands may be
	 * privileged (FENCE, which writes the u64 at guest-physical
	 * fence_addr). 0: a user queue; fence_addr is 0 or the
	 * guest-physical struct pvgpu_queue_progress (16-byte aligned) the
	 * rptr write-back keeps up to date.
	 */
	uint32_t privileged;
	uint64_t rptr_addr;		/* guest-physical u32 the engine updates */
	uint64_t wptr_addr;		/* guest-physical u32 the driver updates */
	uint64_t fence_addr;

	/* Engine state. */
	/*
	 * Ring offset of the next ring command; while batch_depth > 0, of
	 * the ring BATCH_CALL whose batch runs (retired at its return).
	 */
	uint32_t rptr;
	uint32_t batch_depth;		/* 0: executing from the ring */
	uint64_t batch_pc[FW_MAX_BATCH_DEPTH];	/* next command per level */
	uint32_t batch_cmds;		/* run in batches, FW_MAX_BATCH_CMDS */
	uint64_t cmd_progress;		/* chunked COPY/FILL/DISPATCH (kernels.h) */
	uint64_t delay_until_ns;	/* FW_EXEC_DELAY: when DELAY ends */
	uint64_t delay_remaining_ns;	/* a preempted DELAY's rest */
	uint32_t delay_flags;		/* PVGPU_CMD_DELAY_* of the DELAY */
	uint64_t commands_done;		/* progress counter (watchdog) */
	/*
	 * Ring bytes rptr advanced by since registration: the retired
	 * field of the progress block. Counted only by a user queue with
	 * one (fence_addr); 0 otherwise.
	 */
	uint64_t retired;

	/* Result of FW_EXEC_FAULT / FW_EXEC_ERROR. */
	FwFault fault;
	uint32_t error;			/* PVGPU_QUEUE_ERR_* (pvgpu_fwif.h) */
	uint64_t error_addr;		/* GPU VA of the offending command
					 * (guest-physical on a privileged
					 * ring) */
	uint32_t error_dw0;		/* its header dword */
} FwExecCtx;

/*
 * Execute commands of @ctx starting at its current position. @budget is in
 * work units (a command costs 1, a COPY/FILL 1 per started 4 KiB, a
 * DISPATCH by its size) and is decremented; the engine stops at the first
 * command boundary after it reaches 0. Large COPY/FILL are chunked through
 * ctx->cmd_progress, so a run never does more than about one budget of
 * work. @now_ns is the device clock, for DELAY and TIMESTAMP.
 *
 * Side effects: guest memory writes through the MMU, the rptr write-back
 * to ctx->rptr_addr after each completed ring command, for a ring
 * BATCH_CALL once its batch has returned (preceded by the progress
 * block's retired on a user queue that has one), and SIGNAL with
 * PVGPU_CMD_SIGNAL_IRQ, FENCE with PVGPU_CMD_FENCE_IRQ and a progress
 * block's notify_at reached queue PVGPU_F2H_EVT_QUEUE_SIGNAL for
 * @queue_id.
 */
FwExecStatus fw_engine_run(PvgpuFw *fw, uint32_t queue_id, FwExecCtx *ctx,
			   uint64_t now_ns, uint32_t *budget);

/* A WAIT-blocked queue: is its condition now true? (Reads guest memory.) */
bool fw_engine_wait_ready(PvgpuFw *fw, FwExecCtx *ctx);

/*
 * Preempt a queue in DELAY at @now_ns: remember the rest of the delay so
 * the next fw_engine_run() continues it. Returns false if the DELAY is
 * PVGPU_CMD_DELAY_NOPREEMPT (the scheduler then waits for it to end, up to
 * its preemption timeout).
 */
bool fw_engine_preempt(PvgpuFw *fw, FwExecCtx *ctx, uint64_t now_ns);

/* Forget the in-flight command (queue reset): ctx points at wptr, idle. */
void fw_engine_reset(PvgpuFw *fw, FwExecCtx *ctx, uint32_t wptr);

/* Check a restored context (migration); false if inconsistent. */
bool fw_engine_ctx_valid(const PvgpuFw *fw, const FwExecCtx *ctx);

#endif /* PVGPU_FW_ENGINE_H */
