/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the built-in compute kernels (DISPATCH).
 *
 * Real arithmetic on buffers in GPU virtual memory, so a test can check
 * the results. Floating-point results are exactly those of the plain C
 * loops below, evaluated in binary32 with round-to-nearest and no fused
 * multiply-add (docs/commands.rst spells the order out), so a test or a
 * guest computing the same loop gets the same bits.
 *
 * Every kernel runs in chunks (kernels.h): one chunk per 4 KiB page of
 * output (VECTOR_ADD_U32, SAXPY_F32), per 4 KiB page of input (CRC32C) or
 * per row (MATMUL_F32), with its progress in ctx->cmd_progress.
 */
/* Products must be rounded before they are added: no contraction. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <string.h>

#include "fw_internal.h"
#include "kernels.h"

#define PAGE		4096u
#define MATMUL_MAX_N	256u
/* Element counts and byte lengths are limited to 32 bits. */
#define KERNEL_MAX_N	0xffffffffull

/* --- Helpers ----------------------------------------------------------- */

/* [a, a + alen) and [b, b + blen) share a byte (no wrap: checked before). */
static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static bool range_ok(uint64_t va, uint64_t len, uint64_t align)
{
	return !(va & (align - 1)) && va + len >= va;
}

/* Output elements (4 bytes) from @va to the end of its 4 KiB page. */
static uint64_t to_page_end(uint64_t va)
{
	return (PAGE - (va & (PAGE - 1))) / 4;
}

static float f32_from_le(uint32_t le)
{
	uint32_t bits = GUINT32_FROM_LE(le);
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

static uint32_t f32_to_le(float f)
{
	uint32_t bits;

	memcpy(&bits, &f, sizeof(bits));
	return GUINT32_TO_LE(bits);
}

static bool read_args(PvgpuFw *fw, FwExecCtx *ctx, uint64_t va, void *buf,
		      size_t len)
{
	return fw_gpu_read(fw, ctx->asid, va, buf, len, &ctx->fault);
}

/* --- Element-wise kernels over two u32/f32 arrays --------------------- */

/*
 * One chunk of an element-wise kernel: out[j] = op(in0[j], in1[j]) for
 * j < cnt, all little-endian dwords; out may alias in1.
 */
typedef void (*FwElementwiseOp)(const uint32_t *in0, const uint32_t *in1,
				uint32_t *out, uint64_t cnt, const void *arg);

/*
 * Drive an element-wise kernel over n dwords: dst[i] = op(src0[i], src1[i]).
 * Chunks end at a page boundary of dst (one work unit each) and progress is
 * kept in ctx->cmd_progress, so a fault or an exhausted budget resumes at
 * the first chunk not yet written. The caller has checked the ranges.
 */
static FwCmdResult elementwise(PvgpuFw *fw, FwExecCtx *ctx, uint64_t src0,
			       uint64_t src1, uint64_t dst, uint64_t n,
			       FwElementwiseOp op, const void *arg,
			       uint32_t *budget)
{
	uint32_t b0[PAGE / 4], b1[PAGE / 4];

	if (!n) {
		fw_budget_charge(budget, 1);
		return FW_CMD_DONE;
	}
	while (ctx->cmd_progress < n) {
		uint64_t i = ctx->cmd_progress;
		uint64_t cnt = MIN(n - i, to_page_end(dst + 4 * i));

		if (!*budget)
			return FW_CMD_PARTIAL;
		if (!fw_gpu_read(fw, ctx->asid, src0 + 4 * i, b0, 4 * cnt,
				 &ctx->fault) ||
		    !fw_gpu_read(fw, ctx->asid, src1 + 4 * i, b1, 4 * cnt,
				 &ctx->fault))
			return FW_CMD_FAULT;
		op(b0, b1, b1, cnt, arg);
		if (!fw_gpu_write(fw, ctx->asid, dst + 4 * i, b1, 4 * cnt,
				  PVGPU_ACCESS_WRITE, &ctx->fault))
			return FW_CMD_FAULT;
		ctx->cmd_progress = i + cnt;
		fw_budget_charge(budget, 1);
	}
	return FW_CMD_DONE;
}

/* --- VECTOR_ADD_U32 ---------------------------------------------------- */

static void add_u32(const uint32_t *a, const uint32_t *b, uint32_t *c,
		    uint64_t cnt, const void *arg)
{
	(void)arg;
	for (uint64_t j = 0; j < cnt; j++)
		c[j] = GUINT32_TO_LE(GUINT32_FROM_LE(a[j]) +
				     GUINT32_FROM_LE(b[j]));
}

static FwCmdResult vector_add(PvgpuFw *fw, FwExecCtx *ctx, uint64_t args,
			      uint32_t *budget)
{
	struct pvgpu_kargs_vector_add k;
	uint64_t a, b, c, n;

	if (!read_args(fw, ctx, args, &k, sizeof(k)))
		return FW_CMD_FAULT;
	a = GUINT64_FROM_LE(k.a);
	b = GUINT64_FROM_LE(k.b);
	c = GUINT64_FROM_LE(k.c);
	n = GUINT64_FROM_LE(k.n);
	if (n > KERNEL_MAX_N || !range_ok(a, 4 * n, 4) ||
	    !range_ok(b, 4 * n, 4) || !range_ok(c, 4 * n, 4))
		return FW_CMD_BAD_ARGS;
	/* In place (c == a or c == b) is fine; a partial overlap is not. */
	if ((c != a && overlap(c, 4 * n, a, 4 * n)) ||
	    (c != b && overlap(c, 4 * n, b, 4 * n)))
		return FW_CMD_BAD_ARGS;
	if (fw->virgl)
		return fw_virgl_elementwise(fw, ctx,
					    PVGPU_KERNEL_VECTOR_ADD_U32, 0, a,
					    b, c, n, budget);
	return elementwise(fw, ctx, a, b, c, n, add_u32, NULL, budget);
}

/* --- SAXPY_F32 --------------------------------------------------------- */

static void saxpy_f32(const uint32_t *x, const uint32_t *y, uint32_t *out,
		      uint64_t cnt, const void *arg)
{
	float alpha = *(const float *)arg;

	for (uint64_t j = 0; j < cnt; j++) {
		float xv = f32_from_le(x[j]);
		float yv = f32_from_le(y[j]);

		out[j] = f32_to_le(alpha * xv + yv);
	}
}

static FwCmdResult saxpy(PvgpuFw *fw, FwExecCtx *ctx, uint64_t args,
			 uint32_t *budget)
{
	struct pvgpu_kargs_saxpy k;
	uint64_t x, y, n;
	float alpha;

	if (!read_args(fw, ctx, args, &k, sizeof(k)))
		return FW_CMD_FAULT;
	x = GUINT64_FROM_LE(k.x);
	y = GUINT64_FROM_LE(k.y);
	n = GUINT64_FROM_LE(k.n);
	alpha = f32_from_le(k.alpha);
	if (k.reserved || n > KERNEL_MAX_N || !range_ok(x, 4 * n, 4) ||
	    !range_ok(y, 4 * n, 4))
		return FW_CMD_BAD_ARGS;
	if (x != y && overlap(x, 4 * n, y, 4 * n))
		return FW_CMD_BAD_ARGS;
	if (fw->virgl)
		return fw_virgl_elementwise(fw, ctx, PVGPU_KERNEL_SAXPY_F32,
					    GUINT32_FROM_LE(k.alpha), x, y, y,
					    n, budget);
	return elementwise(fw, ctx, x, y, y, n, saxpy_f32, &alpha, budget);
}

/* --- CRC32C ------------------------------------------------------------ */

static uint32_t crc32c_table[256];

static void crc32c_init_table(void)
{
	static gsize done;

	if (g_once_init_enter(&done)) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t crc = i;

			for (int bit = 0; bit < 8; bit++)
				crc = (crc >> 1) ^ (0x82f63b78u & -(crc & 1));
			crc32c_table[i] = crc;
		}
		g_once_init_leave(&done, 1);
	}
}

uint32_t fw_crc32c_update(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	crc32c_init_table();
	while (len--)
		crc = (crc >> 8) ^ crc32c_table[(crc ^ *p++) & 0xff];
	return crc;
}

/*
 * cmd_progress: bytes done in bits 31..0, the CRC register in bits
 * 63..32 (meaningful once bytes done > 0).
 */
static FwCmdResult crc32c(PvgpuFw *fw, FwExecCtx *ctx, uint64_t args,
			  uint32_t *budget)
{
	struct pvgpu_kargs_crc32c k;
	uint8_t buf[PAGE];
	uint64_t src, n, result;
	uint32_t done, crc, le;

	if (!read_args(fw, ctx, args, &k, sizeof(k)))
		return FW_CMD_FAULT;
	src = GUINT64_FROM_LE(k.src);
	n = GUINT64_FROM_LE(k.n);
	result = GUINT64_FROM_LE(k.result);
	if (n > KERNEL_MAX_N || !range_ok(src, n, 1) || !range_ok(result, 4, 4))
		return FW_CMD_BAD_ARGS;

	done = (uint32_t)ctx->cmd_progress;
	crc = done ? (uint32_t)(ctx->cmd_progress >> 32) : 0xffffffffu;
	if (done > n)	/* the arguments changed under us */
		done = n;
	if (!n)
		fw_budget_charge(budget, 1);
	if (fw->virgl && done < n) {
		FwCmdResult res = fw_virgl_crc32c(fw, ctx, src, n, &done, &crc,
						  budget);

		if (res != FW_CMD_DONE)
			return res;
	}
	while (done < n) {
		uint64_t cnt = MIN(n - done, PAGE - ((src + done) & (PAGE - 1)));

		if (!*budget)
			return FW_CMD_PARTIAL;
		if (!fw_gpu_read(fw, ctx->asid, src + done, buf, cnt,
				 &ctx->fault))
			return FW_CMD_FAULT;
		crc = fw_crc32c_update(crc, buf, cnt);
		done += cnt;
		ctx->cmd_progress = ((uint64_t)crc << 32) | done;
		fw_budget_charge(budget, 1);
	}
	le = GUINT32_TO_LE(~crc);
	if (!fw_gpu_write(fw, ctx->asid, result, &le, sizeof(le),
			  PVGPU_ACCESS_WRITE, &ctx->fault))
		return FW_CMD_FAULT;
	return FW_CMD_DONE;
}

/* --- MATMUL_F32 -------------------------------------------------------- */

/* cmd_progress: rows of c done. */
static FwCmdResult matmul(PvgpuFw *fw, FwExecCtx *ctx, uint64_t args,
			  uint32_t *budget)
{
	struct pvgpu_kargs_matmul k;
	uint32_t arow[MATMUL_MAX_N], crow[MATMUL_MAX_N];
	uint64_t a, b, c, bytes;
	uint32_t n, row_cost;
	uint32_t *raw;
	float *bm;
	FwCmdResult res = FW_CMD_DONE;

	if (!read_args(fw, ctx, args, &k, sizeof(k)))
		return FW_CMD_FAULT;
	a = GUINT64_FROM_LE(k.a);
	b = GUINT64_FROM_LE(k.b);
	c = GUINT64_FROM_LE(k.c);
	n = GUINT32_FROM_LE(k.n);
	bytes = 4ull * n * n;
	if (k.reserved || n < 1 || n > MATMUL_MAX_N ||
	    !range_ok(a, bytes, 4) || !range_ok(b, bytes, 4) ||
	    !range_ok(c, bytes, 4) || overlap(c, bytes, a, bytes) ||
	    overlap(c, bytes, b, bytes))
		return FW_CMD_BAD_ARGS;
	if (ctx->cmd_progress >= n)	/* the arguments changed under us */
		return FW_CMD_DONE;
	if (fw->virgl)
		return fw_virgl_matmul(fw, ctx, a, b, c, n, budget);

	/* b is needed whole for every row: read it once per run. */
	raw = g_malloc(bytes);
	if (!fw_gpu_read(fw, ctx->asid, b, raw, bytes, &ctx->fault)) {
		g_free(raw);
		return FW_CMD_FAULT;
	}
	bm = g_new(float, n * n);
	for (uint32_t i = 0; i < n * n; i++)
		bm[i] = f32_from_le(raw[i]);
	g_free(raw);

	row_cost = (n * n + 1023) / 1024;
	while (ctx->cmd_progress < n) {
		uint64_t i = ctx->cmd_progress;

		if (!*budget) {
			res = FW_CMD_PARTIAL;
			break;
		}
		if (!fw_gpu_read(fw, ctx->asid, a + 4 * n * i, arow, 4 * n,
				 &ctx->fault)) {
			res = FW_CMD_FAULT;
			break;
		}
		for (uint32_t j = 0; j < n; j++) {
			float acc = 0.0f;

			for (uint32_t kk = 0; kk < n; kk++)
				acc += f32_from_le(arow[kk]) * bm[kk * n + j];
			crow[j] = f32_to_le(acc);
		}
		if (!fw_gpu_write(fw, ctx->asid, c + 4 * n * i, crow, 4 * n,
				  PVGPU_ACCESS_WRITE, &ctx->fault)) {
			res = FW_CMD_FAULT;
			break;
		}
		ctx->cmd_progress = i + 1;
		fw_budget_charge(budget, row_cost);
	}
	g_free(bm);
	return res;
}

/* --- Dispatch ---------------------------------------------------------- */

FwCmdResult fw_kernel_dispatch(PvgpuFw *fw, FwExecCtx *ctx, uint32_t kernel,
			       uint64_t args, uint32_t *budget)
{
	/* Every argument block has 64-bit fields. */
	if (args & 7)
		return FW_CMD_BAD_ARGS;
	switch (kernel) {
	case PVGPU_KERNEL_VECTOR_ADD_U32:
		return vector_add(fw, ctx, args, budget);
	case PVGPU_KERNEL_SAXPY_F32:
		return saxpy(fw, ctx, args, budget);
	case PVGPU_KERNEL_CRC32C:
		return crc32c(fw, ctx, args, budget);
	case PVGPU_KERNEL_MATMUL_F32:
		return matmul(fw, ctx, args, budget);
	default:
		return FW_CMD_BAD_ARGS;
	}
}
