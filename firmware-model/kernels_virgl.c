/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the built-in kernels on the virgl backend.
 *
 * The firmware stays the only one that touches guest memory: it walks the
 * GPU page tables (mmu.c) to stage a request's inputs page by page into the
 * worker's staging area, the worker runs the kernel as a compute shader on
 * the host GPU (virgl-worker/), and the firmware writes the outputs back
 * through the page tables. Faults, budgets and progress are therefore
 * exactly the CPU loops' (kernels.c): a request covers the chunks the
 * budget allows (one per 4 KiB output page, input page or matrix row),
 * stops gathering at the first chunk that faults, and its outputs go back
 * chunk by chunk, advancing ctx->cmd_progress as the CPU loop does. So
 * preemption, timeslices and the watchdog see the same units of work, a
 * migration between any two chunks resumes on either backend, and a fault
 * replays only its own chunk.
 *
 * CRC-32C is sequential; the worker computes each 4 KiB segment's register
 * from 0 in parallel and the chain is joined here: by linearity,
 * update(crc, seg) = update(crc, zeros(|seg|)) ^ update(0, seg), and
 * "feed 4096 zero bytes" is a fixed 32x32 bit matrix.
 */
#include <string.h>

#include "backend_virgl.h"
#include "fw_internal.h"
#include "kernels.h"

#define PAGE			4096u
/* One operand's room in the staging area; three operands fit. */
#define FW_VIRGL_OPERAND_MAX	(PVGPU_VW_SHM_SIZE / 4)
#define STAGE_IN0		0u
#define STAGE_IN1		FW_VIRGL_OPERAND_MAX
#define STAGE_OUT		(2 * FW_VIRGL_OPERAND_MAX)
#define CRC_SEGMENT		PAGE

/*
 * Fail the command with PVGPU_QUEUE_ERR_BACKEND. The detail travels in
 * ctx->fault (the QUEUE_ERROR event's fault_reason and fault_va), the text
 * to the firmware log, where the driver's debugfs shows it.
 */
static FwCmdResult backend_error(PvgpuFw *fw, FwExecCtx *ctx,
				 const FwVirglError *e)
{
	ctx->fault.va = (uint64_t)(int64_t)e->detail;
	ctx->fault.access = PVGPU_ACCESS_READ;
	ctx->fault.reason = e->code;
	fw_log(fw, PVGPU_LOG_LEVEL_ERROR, "compute backend: %s", e->text);
	fw_trace(fw, "virgl_error", e->code, (uint64_t)(int64_t)e->detail);
	return FW_CMD_BACKEND_ERROR;
}

static FwCmdResult run(PvgpuFw *fw, FwExecCtx *ctx,
		       struct pvgpu_vw_request *req)
{
	FwVirglError e;

	if (!fw_virgl_dispatch(fw->virgl, req, &e))
		return backend_error(fw, ctx, &e);
	return FW_CMD_DONE;
}

/* Output elements (4 bytes) from @va to the end of its 4 KiB page. */
static uint64_t to_page_end(uint64_t va)
{
	return (PAGE - (va & (PAGE - 1))) / 4;
}

/* --- Element-wise kernels -------------------------------------------- */

FwCmdResult fw_virgl_elementwise(PvgpuFw *fw, FwExecCtx *ctx, uint32_t kernel,
				 uint32_t alpha_bits, uint64_t src0,
				 uint64_t src1, uint64_t dst, uint64_t n,
				 uint32_t *budget)
{
	if (!n) {
		fw_budget_charge(budget, 1);
		return FW_CMD_DONE;
	}
	while (ctx->cmd_progress < n) {
		uint64_t start = ctx->cmd_progress, i = start;
		struct pvgpu_vw_request req = { .kernel = kernel,
						.alpha_bits = alpha_bits,
						.in0_off = STAGE_IN0,
						.in1_off = STAGE_IN1,
						.out_off = STAGE_OUT };
		uint32_t chunks = 0;
		bool faulted = false;
		FwVirglError e;
		FwFault fault;
		FwCmdResult res;
		uint8_t *stage;

		if (!*budget)
			return FW_CMD_PARTIAL;
		stage = fw_virgl_staging(fw->virgl, &e);
		if (!stage)
			return backend_error(fw, ctx, &e);
		while (i < n && chunks < *budget) {
			uint64_t cnt = MIN(n - i, to_page_end(dst + 4 * i));
			uint64_t off = 4 * (i - start);

			if (off + 4 * cnt > FW_VIRGL_OPERAND_MAX)
				break;
			if (!fw_gpu_read(fw, ctx->asid, src0 + 4 * i,
					 stage + STAGE_IN0 + off, 4 * cnt,
					 &ctx->fault) ||
			    !fw_gpu_read(fw, ctx->asid, src1 + 4 * i,
					 stage + STAGE_IN1 + off, 4 * cnt,
					 &ctx->fault)) {
				faulted = true;
				fault = ctx->fault;
				break;
			}
			i += cnt;
			chunks++;
		}
		if (i > start) {
			req.n = (uint32_t)(i - start);
			res = run(fw, ctx, &req);
			if (res != FW_CMD_DONE)
				return res;
			for (uint64_t j = start; j < i;) {
				uint64_t cnt = MIN(i - j, to_page_end(dst + 4 * j));

				if (!fw_gpu_write(fw, ctx->asid, dst + 4 * j,
						  stage + STAGE_OUT +
						  4 * (j - start), 4 * cnt,
						  PVGPU_ACCESS_WRITE,
						  &ctx->fault))
					return FW_CMD_FAULT;
				j += cnt;
				ctx->cmd_progress = j;
				fw_budget_charge(budget, 1);
			}
		}
		if (faulted) {
			ctx->fault = fault;
			return FW_CMD_FAULT;
		}
	}
	return FW_CMD_DONE;
}

/* --- CRC32C ------------------------------------------------------------ */

/* zero4k[i]: the register 1 << i after 4096 zero bytes. */
static uint32_t zero4k[32];

static void init_zero4k(void)
{
	static gsize done;

	if (g_once_init_enter(&done)) {
		static const uint8_t zeros[CRC_SEGMENT];

		for (int i = 0; i < 32; i++)
			zero4k[i] = fw_crc32c_update(1u << i, zeros,
						     sizeof(zeros));
		g_once_init_leave(&done, 1);
	}
}

/* The register @crc after @len zero bytes. */
static uint32_t crc_shift(uint32_t crc, uint32_t len)
{
	static const uint8_t zeros[CRC_SEGMENT];
	uint32_t r = 0;

	if (len != CRC_SEGMENT)
		return fw_crc32c_update(crc, zeros, len);
	init_zero4k();
	for (int i = 0; i < 32; i++)
		if (crc & (1u << i))
			r ^= zero4k[i];
	return r;
}

FwCmdResult fw_virgl_crc32c(PvgpuFw *fw, FwExecCtx *ctx, uint64_t src,
			    uint64_t n, uint32_t *done, uint32_t *crc,
			    uint32_t *budget)
{
	while (*done < n) {
		uint64_t start = *done, i = start;
		struct pvgpu_vw_request req = { .kernel = PVGPU_KERNEL_CRC32C,
						.seg_bytes = CRC_SEGMENT,
						.in0_off = STAGE_IN0,
						.out_off = STAGE_OUT };
		uint32_t chunks = 0, reg = *crc;
		bool faulted = false;
		const uint32_t *segs;
		FwVirglError e;
		FwFault fault;
		FwCmdResult res;
		uint8_t *stage;

		if (!*budget)
			return FW_CMD_PARTIAL;
		stage = fw_virgl_staging(fw->virgl, &e);
		if (!stage)
			return backend_error(fw, ctx, &e);
		while (i < n && chunks < *budget) {
			uint64_t cnt = MIN(n - i, PAGE - ((src + i) & (PAGE - 1)));

			if (i - start + cnt > FW_VIRGL_OPERAND_MAX)
				break;
			if (!fw_gpu_read(fw, ctx->asid, src + i,
					 stage + STAGE_IN0 + (i - start), cnt,
					 &ctx->fault)) {
				faulted = true;
				fault = ctx->fault;
				break;
			}
			i += cnt;
			chunks++;
		}
		if (i > start) {
			uint32_t len = (uint32_t)(i - start);

			req.n = len;
			res = run(fw, ctx, &req);
			if (res != FW_CMD_DONE)
				return res;
			segs = (const uint32_t *)(stage + STAGE_OUT);
			for (uint32_t s = 0, off = 0; off < len;
			     s++, off += CRC_SEGMENT) {
				uint32_t seg_len = MIN(len - off, CRC_SEGMENT);

				reg = crc_shift(reg, seg_len) ^ segs[s];
			}
			*done = (uint32_t)i;
			*crc = reg;
			ctx->cmd_progress = ((uint64_t)reg << 32) | *done;
			fw_budget_charge(budget, chunks);
		}
		if (faulted) {
			ctx->fault = fault;
			return FW_CMD_FAULT;
		}
	}
	return FW_CMD_DONE;
}

/* --- MATMUL_F32 -------------------------------------------------------- */

FwCmdResult fw_virgl_matmul(PvgpuFw *fw, FwExecCtx *ctx, uint64_t a,
			    uint64_t b, uint64_t c, uint32_t n,
			    uint32_t *budget)
{
	uint32_t row_bytes = 4 * n, row_cost = (n * n + 1023) / 1024;
	FwVirglError e;
	uint8_t *stage;

	stage = fw_virgl_staging(fw->virgl, &e);
	if (!stage)
		return backend_error(fw, ctx, &e);
	/* b is needed whole for every row: read it once per run. */
	if (!fw_gpu_read(fw, ctx->asid, b, stage + STAGE_IN1,
			 (size_t)row_bytes * n, &ctx->fault))
		return FW_CMD_FAULT;
	while (ctx->cmd_progress < n) {
		uint32_t r0 = (uint32_t)ctx->cmd_progress, r = r0;
		uint32_t left = *budget;
		struct pvgpu_vw_request req = { .kernel = PVGPU_KERNEL_MATMUL_F32,
						.n = n,
						.in0_off = STAGE_IN0,
						.in1_off = STAGE_IN1,
						.out_off = STAGE_OUT };
		bool faulted = false;
		FwFault fault;
		FwCmdResult res;

		if (!*budget)
			return FW_CMD_PARTIAL;
		/* As many rows as the CPU loop would start with this budget. */
		while (r < n && left) {
			if (!fw_gpu_read(fw, ctx->asid,
					 a + (uint64_t)row_bytes * r,
					 stage + STAGE_IN0 +
					 (size_t)row_bytes * (r - r0),
					 row_bytes, &ctx->fault)) {
				faulted = true;
				fault = ctx->fault;
				break;
			}
			r++;
			fw_budget_charge(&left, row_cost);
		}
		if (r > r0) {
			req.rows = r - r0;
			res = run(fw, ctx, &req);
			if (res != FW_CMD_DONE)
				return res;
			for (uint32_t row = r0; row < r; row++) {
				if (!fw_gpu_write(fw, ctx->asid,
						  c + (uint64_t)row_bytes * row,
						  stage + STAGE_OUT +
						  (size_t)row_bytes * (row - r0),
						  row_bytes, PVGPU_ACCESS_WRITE,
						  &ctx->fault))
					return FW_CMD_FAULT;
				ctx->cmd_progress = row + 1;
				fw_budget_charge(budget, row_cost);
			}
		}
		if (faulted) {
			ctx->fault = fault;
			return FW_CMD_FAULT;
		}
	}
	return FW_CMD_DONE;
}
