/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: what engine.c and kernels.c share.
 *
 * Commands that do more than a fixed amount of work (COPY, FILL, DISPATCH)
 * run in chunks, each costing one budget unit (MATMUL: one row, costing
 * ceil(n * n / 1024) units), and record how far they got in
 * FwExecCtx.cmd_progress, so a run stops at a chunk boundary when its
 * budget is used up, and a fault replays only the chunk that faulted.
 * A chunk writes its output to one 4 KiB page (MATMUL: one row of c, which
 * overlaps no input), so replaying it is idempotent.
 */
#ifndef PVGPU_FW_KERNELS_H
#define PVGPU_FW_KERNELS_H

#include "engine.h"

/* How far one command got in a run. */
typedef enum FwCmdResult {
	FW_CMD_DONE,		/* complete: consume it */
	FW_CMD_PARTIAL,		/* budget used up; cmd_progress says where */
	FW_CMD_FAULT,		/* ctx->fault says where */
	FW_CMD_BAD_ARGS,	/* PVGPU_QUEUE_ERR_BAD_ARGS */
	FW_CMD_BAD_POINTER,	/* PVGPU_QUEUE_ERR_BAD_POINTER: guest-physical
				 * memory of the queue not RAM */
	FW_CMD_BACKEND_ERROR,	/* PVGPU_QUEUE_ERR_BACKEND: ctx->fault.reason
				 * is the PVGPU_BACKEND_ERR_*, fault.va the
				 * backend's detail (kernels_virgl.c) */
} FwCmdResult;

/* Take @units from *budget, stopping at zero. */
static inline void fw_budget_charge(uint32_t *budget, uint32_t units)
{
	*budget = *budget > units ? *budget - units : 0;
}

/*
 * DISPATCH of built-in @kernel with its argument block at GPU VA @args in
 * ctx->asid. Called with *budget > 0; charges what it does.
 */
FwCmdResult fw_kernel_dispatch(PvgpuFw *fw, FwExecCtx *ctx, uint32_t kernel,
			       uint64_t args, uint32_t *budget);

/* CRC-32C register update (no init/final inversion): for tests of it. */
uint32_t fw_crc32c_update(uint32_t crc, const void *buf, size_t len);

/*
 * The virgl backend's chunk loops (kernels_virgl.c), called by kernels.c
 * after it validated the arguments when the firmware has a virgl backend.
 * They keep the CPU loops' contract: the same chunks, the same budget
 * charges, the same progress in ctx->cmd_progress, the same fault
 * address; only where the arithmetic runs differs. A chunk's inputs are
 * read before any of its outputs are written (per request of up to
 * FW_VIRGL_OPERAND_MAX bytes per operand), which differs from the CPU loop
 * only for an output aliased to an input through different GPU addresses,
 * whose result no backend defines (docs/commands.rst).
 */
FwCmdResult fw_virgl_elementwise(PvgpuFw *fw, FwExecCtx *ctx, uint32_t kernel,
				 uint32_t alpha_bits, uint64_t src0,
				 uint64_t src1, uint64_t dst, uint64_t n,
				 uint32_t *budget);
/* *done and *crc: bytes done and the CRC register so far (in and out). */
FwCmdResult fw_virgl_crc32c(PvgpuFw *fw, FwExecCtx *ctx, uint64_t src,
			    uint64_t n, uint32_t *done, uint32_t *crc,
			    uint32_t *budget);
FwCmdResult fw_virgl_matmul(PvgpuFw *fw, FwExecCtx *ctx, uint64_t a,
			    uint64_t b, uint64_t c, uint32_t n,
			    uint32_t *budget);

#endif /* PVGPU_FW_KERNELS_H */
