/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engines: every command of pvgpu_cmds.h, well-formed and malformed,
 * from the ring (with wrap-around) and from nested batch buffers; budgets
 * and chunking; WAIT, DELAY and preemption; faults and their replay; the
 * built-in compute kernels against references computed here; the ring
 * pointers.
 */
/* The float references must round like the kernels do: no contraction. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "gpu_helpers.h"
#include "mmu.h"

#define QID		7
#define ASID		1
#define RW		PVGPU_PTE_WRITABLE
#define RING_VA		0x10000000ull
#define RING_SIZE	0x1000u
#define DATA_VA		0x20000000ull	/* 1 MiB read-write */
#define DATA_SIZE	0x100000ull
#define RO_VA		0x30000000ull	/* 4 KiB read-only */
#define BATCH_VA	0x40000000ull	/* 64 KiB read-write */
#define HOLE_VA		0x50000000ull	/* never mapped */
#define BIG		1000000u	/* a budget that is never used up */

typedef struct Eng {
	GpuEnv *g;
	GpuVm vm;
	GpuRing r;
	FwExecCtx ctx;
	uint64_t data_pa, ro_pa;
	uint32_t left;		/* budget left by the last eng_run() */
} Eng;

static void eng_init_cfg(Eng *e, const PvgpuFwConfig *cfg, uint32_t cls)
{
	memset(e, 0, sizeof(*e));
	e->g = gpu_env_new(cfg, 0);
	gpu_vm_init(&e->vm, e->g, ASID);
	g_assert_cmpuint(gpu_vm_bind(&e->vm, PVGPU_AS_FAULTABLE), ==, 0);
	gpu_ring_init(&e->r, &e->vm, RING_VA, RING_SIZE);
	e->data_pa = gpu_vm_alloc(&e->vm, DATA_VA, DATA_SIZE, RW);
	e->ro_pa = gpu_vm_alloc(&e->vm, RO_VA, GPU_4K, 0);
	gpu_vm_alloc(&e->vm, BATCH_VA, 0x10000, RW);
	gpu_ring_exec_ctx(&e->r, cls, &e->ctx);
}

static void eng_init(Eng *e, uint32_t cls)
{
	eng_init_cfg(e, NULL, cls);
}

static void eng_free(Eng *e)
{
	g_assert_cmpuint(fake_platform_error_count(e->g->fp), ==, 0);
	gpu_env_free(e->g);
}

static FwExecStatus eng_run(Eng *e, uint32_t budget)
{
	FwExecStatus st = fw_engine_run(e->g->fw, QID, &e->ctx,
					e->g->fp->now_ns, &budget);

	e->left = budget;
	return st;
}

/* Submit @c on the ring and free it. */
static void eng_submit(Eng *e, GArray *c)
{
	gpu_ring_submit(&e->r, c);
	g_array_free(c, TRUE);
}

static void eng_batch(Eng *e, uint64_t va, GArray *c)
{
	gpu_vm_write_cmds(&e->vm, va, c);
	g_array_free(c, TRUE);
}

/* Run until idle: everything submitted completed, rptr written back. */
static void expect_idle(Eng *e)
{
	g_assert_cmpint(eng_run(e, BIG), ==, FW_EXEC_IDLE);
	g_assert_cmpuint(e->ctx.rptr, ==, e->r.tail);
	g_assert_cmpuint(gpu_ring_rptr(&e->r), ==, e->r.tail);
	g_assert_cmpuint(e->ctx.batch_depth, ==, 0);
}

static uint32_t d32(Eng *e, uint64_t off)
{
	return fake_ram_rd32(e->g->fp, e->data_pa + off);
}

static uint64_t d64(Eng *e, uint64_t off)
{
	return fake_ram_rd64(e->g->fp, e->data_pa + off);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/*
 * Make @e's queue a kernel (privileged) queue: the ring is read at its
 * guest-physical backing, and FENCE writes a guest-physical u64 that no
 * address space maps. Returns the fence's address.
 */
static uint64_t eng_privileged(Eng *e)
{
	uint64_t fence = gpu_alloc(e->g, 8, 8);

	fake_ram_wr64(e->g->fp, fence, 0);
	e->ctx.privileged = 1;
	e->ctx.ring_addr = e->r.pa;
	e->ctx.fence_addr = fence;
	return fence;
}

/* --- Simple commands ---------------------------------------------------- */

static void test_store_nop(void)
{
	Eng e;
	GArray *c = gpu_cmds_new();

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	gpu_cmd_nop(c, 1);
	gpu_cmd_nop(c, 7);
	gpu_cmd_store32(c, DATA_VA + 4, 0xdeadbeef);
	gpu_cmd_store64(c, DATA_VA + 8, 0x0123456789abcdefull);
	gpu_cmd_timestamp(c, DATA_VA + 16);
	eng_submit(&e, c);
	e.g->fp->now_ns = 0x1122334455667788ull;
	expect_idle(&e);
	g_assert_cmpuint(e.left, ==, BIG - 5);
	g_assert_cmpuint(e.ctx.commands_done, ==, 5);
	g_assert_cmphex(d32(&e, 0), ==, 0);
	g_assert_cmphex(d32(&e, 4), ==, 0xdeadbeef);
	g_assert_cmphex(d64(&e, 8), ==, 0x0123456789abcdefull);
	g_assert_cmphex(d64(&e, 16), ==, 0x1122334455667788ull);
	g_assert_cmphex(e.g->fp->ram[e.data_pa + 8], ==, 0xef);	/* LE */
	/* Idle stays idle, and costs nothing. */
	g_assert_cmpint(eng_run(&e, 5), ==, FW_EXEC_IDLE);
	g_assert_cmpuint(e.left, ==, 5);
	eng_free(&e);
}

/* A budget of n runs n one-unit commands, then stops at a boundary. */
static void test_budget(void)
{
	Eng e;
	GArray *c = gpu_cmds_new();

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	for (uint32_t i = 0; i < 10; i++)
		gpu_cmd_store32(c, DATA_VA + 4 * i, i + 1);
	eng_submit(&e, c);
	g_assert_cmpint(eng_run(&e, 0), ==, FW_EXEC_BUDGET);
	g_assert_cmpuint(e.ctx.commands_done, ==, 0);
	g_assert_cmpint(eng_run(&e, 3), ==, FW_EXEC_BUDGET);
	g_assert_cmpuint(e.left, ==, 0);
	g_assert_cmpuint(e.ctx.commands_done, ==, 3);
	g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 3 * 16);
	g_assert_cmphex(d32(&e, 8), ==, 3);
	g_assert_cmphex(d32(&e, 12), ==, 0);
	g_assert_cmpint(eng_run(&e, 7), ==, FW_EXEC_IDLE);
	g_assert_cmpuint(e.left, ==, 0);
	g_assert_cmphex(d32(&e, 36), ==, 10);
	g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 10 * 16);
	eng_free(&e);
}

/* A command that straddles the end of the ring, and wptr below rptr. */
static void test_ring_wrap(void)
{
	Eng e;
	GArray *c = gpu_cmds_new();

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	gpu_ring_set_start(&e.r, RING_SIZE - 8);
	e.ctx.rptr = RING_SIZE - 8;
	gpu_cmd_store64(c, DATA_VA, 0xfeedfacecafef00dull);	/* 20 bytes */
	gpu_cmd_store32(c, DATA_VA + 8, 0x600d);
	eng_submit(&e, c);
	g_assert_cmpuint(e.r.tail, ==, 20 - 8 + 16);
	expect_idle(&e);
	g_assert_cmphex(d64(&e, 0), ==, 0xfeedfacecafef00dull);
	g_assert_cmphex(d32(&e, 8), ==, 0x600d);

	/* Many trips round the ring. */
	for (uint32_t i = 0; i < 1000; i++) {
		c = gpu_cmds_new();
		gpu_cmd_store32(c, DATA_VA + 16, i);
		gpu_cmd_nop(c, 1 + i % 13);
		eng_submit(&e, c);
		expect_idle(&e);
		g_assert_cmpuint(d32(&e, 16), ==, i);
	}
	eng_free(&e);
}

/* --- Malformed commands ---------------------------------------------- */

typedef struct BadCase {
	const char *name;
	uint32_t error;
	uint32_t cls;
	void (*emit)(GArray *c);
} BadCase;

static void hdr(GArray *c, uint32_t op, uint32_t flags, uint32_t len)
{
	uint32_t h = PVGPU_CMD_HDR(op, flags, len), z = 0;

	g_array_append_val(c, h);
	for (uint32_t i = 1; i < len; i++)
		g_array_append_val(c, z);
}

static void bad_opcode(GArray *c) { hdr(c, 0x0d, 0, 1); }
static void bad_opcode_ff(GArray *c) { hdr(c, 0xff, 0, 4); }
static void bad_len_store(GArray *c) { hdr(c, PVGPU_CMD_STORE32, 0, 3); }
static void bad_len_long(GArray *c) { hdr(c, PVGPU_CMD_COPY, 0, 8); }
static void bad_len_zero(GArray *c) { hdr(c, PVGPU_CMD_NOP, 0, 0); }
static void bad_len_ret(GArray *c) { hdr(c, PVGPU_CMD_BATCH_RETURN, 0, 2); }
static void bad_flag_store(GArray *c) { hdr(c, PVGPU_CMD_STORE32, 1, 4); }
static void bad_flag_nop(GArray *c) { hdr(c, PVGPU_CMD_NOP, 0x80, 1); }
static void bad_flag_wait(GArray *c) { hdr(c, PVGPU_CMD_WAIT, 2, 8); }
static void bad_flag_signal(GArray *c) { hdr(c, PVGPU_CMD_SIGNAL, 4, 5); }
static void bad_flag_delay(GArray *c) { hdr(c, PVGPU_CMD_DELAY, 2, 3); }
static void past_wptr(GArray *c)
{
	/* A STORE64 header, but only 3 of its 5 dwords are submitted. */
	hdr(c, PVGPU_CMD_STORE64, 0, 3);
	g_array_index(c, uint32_t, c->len - 3) =
		PVGPU_CMD_HDR(PVGPU_CMD_STORE64, 0, 5);
}
static void ring_return(GArray *c) { gpu_cmd_batch_return(c); }
static void mis_store32(GArray *c) { gpu_cmd_store32(c, DATA_VA + 2, 1); }
static void mis_store64(GArray *c) { gpu_cmd_store64(c, DATA_VA + 4, 1); }
static void mis_fill_dst(GArray *c) { gpu_cmd_fill(c, DATA_VA + 2, 8, 1); }
static void mis_fill_size(GArray *c) { gpu_cmd_fill(c, DATA_VA, 6, 1); }
static void mis_atomic64(GArray *c)
{
	gpu_cmd_atomic(c, PVGPU_ATOMIC_ADD64, DATA_VA + 4, 1, 0, 0);
}
static void mis_atomic32(GArray *c)
{
	gpu_cmd_atomic(c, PVGPU_ATOMIC_CMPXCHG32, DATA_VA + 1, 1, 0, 0);
}
static void mis_atomic_res(GArray *c)
{
	gpu_cmd_atomic(c, PVGPU_ATOMIC_ADD32, DATA_VA, 1, 0, DATA_VA + 12);
}
static void bad_atomic_op(GArray *c)
{
	gpu_cmd_atomic(c, 4, DATA_VA, 1, 0, 0);
}
static void mis_wait64(GArray *c)
{
	gpu_cmd_wait(c, PVGPU_CMD_WAIT_64, DATA_VA + 4, 0, ~0ull,
		     PVGPU_WAIT_EQ);
}
static void mis_wait32(GArray *c)
{
	gpu_cmd_wait(c, 0, DATA_VA + 2, 0, ~0ull, PVGPU_WAIT_EQ);
}
static void bad_wait_op(GArray *c)
{
	gpu_cmd_wait(c, 0, DATA_VA, 0, ~0ull, PVGPU_WAIT_LTE + 1);
}
static void mis_signal(GArray *c) { gpu_cmd_signal(c, 0, DATA_VA + 4, 1); }
static void mis_signal32(GArray *c)
{
	gpu_cmd_signal(c, PVGPU_CMD_SIGNAL_32, DATA_VA + 2, 1);
}
static void mis_timestamp(GArray *c) { gpu_cmd_timestamp(c, DATA_VA + 4); }
static void mis_batch(GArray *c) { gpu_cmd_batch_call(c, BATCH_VA + 2); }
static void mis_dispatch(GArray *c)
{
	gpu_cmd_dispatch(c, PVGPU_KERNEL_VECTOR_ADD_U32, DATA_VA + 4);
}
static void bad_kernel(GArray *c) { gpu_cmd_dispatch(c, 0, DATA_VA); }
static void bad_kernel5(GArray *c) { gpu_cmd_dispatch(c, 5, DATA_VA); }
static void copy_overlap(GArray *c)
{
	gpu_cmd_copy(c, DATA_VA, DATA_VA + 100, 101);
}
static void copy_wrap(GArray *c) { gpu_cmd_copy(c, ~0ull - 3, DATA_VA, 8); }
static void copy_wrap_dst(GArray *c) { gpu_cmd_copy(c, DATA_VA, ~0ull, 2); }
static void fill_wrap(GArray *c) { gpu_cmd_fill(c, ~0ull - 3, 8, 0); }
static void dispatch_copy(GArray *c)
{
	gpu_cmd_dispatch(c, PVGPU_KERNEL_VECTOR_ADD_U32, DATA_VA);
}

#define COPY	PVGPU_ENGINE_CLASS_COPY
#define COMPUTE	PVGPU_ENGINE_CLASS_COMPUTE
#define ILLEGAL	PVGPU_QUEUE_ERR_ILLEGAL_CMD
#define BADARGS	PVGPU_QUEUE_ERR_BAD_ARGS

static const BadCase bad_cases[] = {
	{ "opcode-0d", ILLEGAL, COPY, bad_opcode },
	{ "opcode-ff", ILLEGAL, COPY, bad_opcode_ff },
	{ "len-short", ILLEGAL, COPY, bad_len_store },
	{ "len-long", ILLEGAL, COPY, bad_len_long },
	{ "len-zero", ILLEGAL, COPY, bad_len_zero },
	{ "len-return", ILLEGAL, COPY, bad_len_ret },
	{ "flag-store", ILLEGAL, COPY, bad_flag_store },
	{ "flag-nop", ILLEGAL, COPY, bad_flag_nop },
	{ "flag-wait", ILLEGAL, COPY, bad_flag_wait },
	{ "flag-signal", ILLEGAL, COPY, bad_flag_signal },
	{ "flag-delay", ILLEGAL, COPY, bad_flag_delay },
	{ "past-wptr", ILLEGAL, COPY, past_wptr },
	{ "return-on-ring", ILLEGAL, COPY, ring_return },
	{ "align-store32", BADARGS, COPY, mis_store32 },
	{ "align-store64", BADARGS, COPY, mis_store64 },
	{ "align-fill-dst", BADARGS, COPY, mis_fill_dst },
	{ "align-fill-size", BADARGS, COPY, mis_fill_size },
	{ "align-atomic64", BADARGS, COPY, mis_atomic64 },
	{ "align-atomic32", BADARGS, COPY, mis_atomic32 },
	{ "align-atomic-result", BADARGS, COPY, mis_atomic_res },
	{ "atomic-op", BADARGS, COPY, bad_atomic_op },
	{ "align-wait64", BADARGS, COPY, mis_wait64 },
	{ "align-wait32", BADARGS, COPY, mis_wait32 },
	{ "wait-op", BADARGS, COPY, bad_wait_op },
	{ "align-signal", BADARGS, COPY, mis_signal },
	{ "align-signal32", BADARGS, COPY, mis_signal32 },
	{ "align-timestamp", BADARGS, COPY, mis_timestamp },
	{ "align-batch", BADARGS, COPY, mis_batch },
	{ "align-dispatch", BADARGS, COMPUTE, mis_dispatch },
	{ "kernel-0", BADARGS, COMPUTE, bad_kernel },
	{ "kernel-5", BADARGS, COMPUTE, bad_kernel5 },
	{ "copy-overlap", BADARGS, COPY, copy_overlap },
	{ "copy-wrap", BADARGS, COPY, copy_wrap },
	{ "copy-wrap-dst", BADARGS, COPY, copy_wrap_dst },
	{ "fill-wrap", BADARGS, COPY, fill_wrap },
	{ "dispatch-on-copy", PVGPU_QUEUE_ERR_BAD_ENGINE, COPY,
	  dispatch_copy },
};

/*
 * A good command, then the bad one: the good one completes, the bad one
 * is a queue error naming it, is not consumed, and wrote nothing.
 */
static void test_bad_command(gconstpointer data)
{
	const BadCase *bc = data;
	GArray *c = gpu_cmds_new();
	uint32_t dw0;
	Eng e;

	eng_init(&e, bc->cls);
	memset(e.g->fp->ram + e.data_pa, 0x11, 64);
	gpu_cmd_store32(c, DATA_VA + 64, 0x5eed);
	bc->emit(c);
	dw0 = g_array_index(c, uint32_t, 4);
	eng_submit(&e, c);
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_ERROR);
	g_assert_cmpuint(e.ctx.error, ==, bc->error);
	g_assert_cmphex(e.ctx.error_addr, ==, RING_VA + 16);
	g_assert_cmphex(e.ctx.error_dw0, ==, dw0);
	g_assert_cmpuint(e.ctx.rptr, ==, 16);
	g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 16);
	g_assert_cmpuint(e.ctx.commands_done, ==, 1);
	g_assert_cmphex(d32(&e, 64), ==, 0x5eed);
	for (int i = 0; i < 64; i++)
		g_assert_cmphex(e.g->fp->ram[e.data_pa + i], ==, 0x11);
	/* The same again: an error is stable. */
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_ERROR);
	g_assert_cmpuint(e.ctx.error, ==, bc->error);
	/* And in a batch buffer (except what only applies to the ring). */
	if (bc->emit != ring_return && bc->emit != past_wptr) {
		uint32_t b0;

		c = gpu_cmds_new();
		gpu_cmd_store32(c, DATA_VA + 68, 1);
		bc->emit(c);
		b0 = g_array_index(c, uint32_t, 4);
		eng_batch(&e, BATCH_VA, c);
		fw_engine_reset(e.g->fw, &e.ctx, e.r.tail);
		c = gpu_cmds_new();
		gpu_cmd_batch_call(c, BATCH_VA);
		eng_submit(&e, c);
		g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_ERROR);
		g_assert_cmpuint(e.ctx.error, ==, bc->error);
		g_assert_cmphex(e.ctx.error_addr, ==, BATCH_VA + 16);
		g_assert_cmphex(e.ctx.error_dw0, ==, b0);
		g_assert_cmpuint(e.ctx.batch_depth, ==, 1);
		g_assert_cmphex(d32(&e, 68), ==, 1);
		/* Not retired: rptr is still at the BATCH_CALL. */
		g_assert_cmpuint(e.ctx.rptr, ==, (e.r.tail - 12) % RING_SIZE);
	}
	eng_free(&e);
}

/* --- Batch buffers ----------------------------------------------------- */

/*
 * Batch level i (at BATCH_VA + i * 0x1000) stores i, calls level i + 1,
 * stores 100 + i, returns.
 */
static void build_nest(Eng *e, uint32_t levels)
{
	for (uint32_t i = 0; i < levels; i++) {
		GArray *c = gpu_cmds_new();

		gpu_cmd_store32(c, DATA_VA + 4 * i, i + 1);
		if (i + 1 < levels)
			gpu_cmd_batch_call(c, BATCH_VA + (i + 1) * 0x1000ull);
		gpu_cmd_store32(c, DATA_VA + 0x100 + 4 * i, 100 + i);
		gpu_cmd_batch_return(c);
		eng_batch(e, BATCH_VA + i * 0x1000ull, c);
	}
}

static void test_batch_nesting(void)
{
	GArray *c = gpu_cmds_new();
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	build_nest(&e, FW_MAX_BATCH_DEPTH);
	gpu_cmd_batch_call(c, BATCH_VA);
	gpu_cmd_store32(c, DATA_VA + 0x200, 0xe0d);
	eng_submit(&e, c);

	/*
	 * One command at a time: the call is made (and counted) at once,
	 * but rptr stays at it until the outermost BATCH_RETURN.
	 */
	g_assert_cmpint(eng_run(&e, 1), ==, FW_EXEC_BUDGET);
	g_assert_cmpuint(e.ctx.batch_depth, ==, 1);
	g_assert_cmphex(e.ctx.batch_pc[0], ==, BATCH_VA);
	g_assert_cmpuint(e.ctx.commands_done, ==, 1);
	g_assert_cmpuint(e.ctx.rptr, ==, 0);
	g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 0);
	for (uint32_t i = 0; i < 2 * FW_MAX_BATCH_DEPTH - 1; i++)
		g_assert_cmpint(eng_run(&e, 1), ==, FW_EXEC_BUDGET);
	g_assert_cmpuint(e.ctx.batch_depth, ==, FW_MAX_BATCH_DEPTH);
	/* Each level's last store and return; the last returns to the ring. */
	for (uint32_t i = 0; i < 2 * FW_MAX_BATCH_DEPTH; i++) {
		g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 0);
		g_assert_cmpint(eng_run(&e, 1), ==, FW_EXEC_BUDGET);
	}
	g_assert_cmpuint(e.ctx.batch_depth, ==, 0);
	g_assert_cmpuint(e.ctx.rptr, ==, 12);
	g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 12);
	g_assert_cmphex(d32(&e, 0x200), ==, 0);
	expect_idle(&e);
	for (uint32_t i = 0; i < FW_MAX_BATCH_DEPTH; i++) {
		g_assert_cmpuint(d32(&e, 4 * i), ==, i + 1);
		g_assert_cmpuint(d32(&e, 0x100 + 4 * i), ==, 100 + i);
	}
	g_assert_cmphex(d32(&e, 0x200), ==, 0xe0d);
	/* 2 on the ring, 4 per level but 3 on the last (it calls nobody). */
	g_assert_cmpuint(e.ctx.commands_done, ==,
			 2 + 4 * FW_MAX_BATCH_DEPTH - 1);
	g_assert_cmpuint(e.ctx.batch_cmds, ==, 0);
	for (uint32_t i = 0; i < FW_MAX_BATCH_DEPTH; i++)
		g_assert_cmphex(e.ctx.batch_pc[i], ==, 0);
	g_assert_true(fw_engine_ctx_valid(e.g->fw, &e.ctx));
	eng_free(&e);

	/* One level more is an error at the call that goes too deep. */
	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	build_nest(&e, FW_MAX_BATCH_DEPTH + 1);
	c = gpu_cmds_new();
	gpu_cmd_batch_call(c, BATCH_VA);
	eng_submit(&e, c);
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_ERROR);
	g_assert_cmpuint(e.ctx.error, ==, PVGPU_QUEUE_ERR_BATCH_DEPTH);
	g_assert_cmphex(e.ctx.error_addr, ==,
			BATCH_VA + (FW_MAX_BATCH_DEPTH - 1) * 0x1000ull + 16);
	g_assert_cmphex(e.ctx.error_dw0, ==,
			PVGPU_CMD_HDR(PVGPU_CMD_BATCH_CALL, 0, 3));
	g_assert_cmpuint(e.ctx.batch_depth, ==, FW_MAX_BATCH_DEPTH);
	g_assert_cmpuint(d32(&e, 4 * (FW_MAX_BATCH_DEPTH - 1)), ==,
			 FW_MAX_BATCH_DEPTH);
	g_assert_cmpuint(d32(&e, 4 * FW_MAX_BATCH_DEPTH), ==, 0);
	eng_free(&e);
}

/* A batch that never returns (a NOP sled through aliased pages) is a hang. */
static void test_batch_runaway(void)
{
	GArray *c = gpu_cmds_new();
	uint32_t pages = FW_MAX_BATCH_CMDS / 1024 + 1, runs = 0;
	uint64_t sled = 0x80000000ull, pa;
	FwExecStatus st;
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	pa = gpu_alloc(e.g, GPU_4K, GPU_4K);
	for (uint32_t i = 0; i < 1024; i++)
		fake_ram_wr32(e.g->fp, pa + 4 * i,
			      PVGPU_CMD_HDR(PVGPU_CMD_NOP, 0, 1));
	for (uint32_t p = 0; p < pages; p++)
		gpu_vm_map(&e.vm, sled + p * GPU_4K, pa, GPU_4K, GPU_4K, 0);
	gpu_cmd_batch_call(c, sled);
	eng_submit(&e, c);
	do {
		st = eng_run(&e, 1u << 16);
		runs++;
	} while (st == FW_EXEC_BUDGET);
	g_assert_cmpint(st, ==, FW_EXEC_ERROR);
	g_assert_cmpuint(e.ctx.error, ==, PVGPU_QUEUE_ERR_HANG);
	g_assert_cmphex(e.ctx.error_addr, ==, sled + 4ull * FW_MAX_BATCH_CMDS);
	g_assert_cmpuint(e.ctx.commands_done, ==, 1 + FW_MAX_BATCH_CMDS);
	/* A batch that never returned never retired its call. */
	g_assert_cmpuint(e.ctx.rptr, ==, 0);
	g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 0);
	g_assert_cmpuint(runs, ==, FW_MAX_BATCH_CMDS / (1u << 16) + 1);
	eng_free(&e);
}

/* --- COPY and FILL ------------------------------------------------------ */

/* 8 MiB in 4 KiB chunks, 64 per run, from 4 KiB pages to 2 MiB pages. */
static void test_copy_chunked(void)
{
	const uint64_t size = 8ull << 20, src = 0x100000000ull;
	const uint64_t dst = 0x200000000ull;
	uint64_t src_pa, dst_pa;
	GArray *c = gpu_cmds_new();
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	src_pa = gpu_vm_alloc(&e.vm, src, size, 0);
	dst_pa = gpu_alloc(e.g, size, GPU_2M);
	gpu_vm_map(&e.vm, dst, dst_pa, size, GPU_2M, RW);
	for (uint64_t i = 0; i < size; i += 8)
		fake_ram_wr64(e.g->fp, src_pa + i, rnd());
	gpu_cmd_copy(c, src, dst, size);
	gpu_cmd_store32(c, DATA_VA, 1);
	eng_submit(&e, c);

	for (uint64_t runs = 1; runs < 32; runs++) {
		g_assert_cmpint(eng_run(&e, 64), ==, FW_EXEC_BUDGET);
		g_assert_cmpuint(e.left, ==, 0);
		g_assert_cmpuint(e.ctx.cmd_progress, ==, runs * 64 * 4096);
		g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 0);
		g_assert_cmpuint(e.ctx.commands_done, ==, 0);
		/* Exactly the chunks done so far have arrived. */
		g_assert_cmpmem(e.g->fp->ram + dst_pa, e.ctx.cmd_progress,
				e.g->fp->ram + src_pa, e.ctx.cmd_progress);
		g_assert_cmphex(fake_ram_rd64(e.g->fp, dst_pa +
					      e.ctx.cmd_progress), ==, 0);
	}
	/* 2048 chunks: the 32nd run ends the COPY, no budget for more. */
	g_assert_cmpint(eng_run(&e, 64), ==, FW_EXEC_BUDGET);
	g_assert_cmpuint(e.ctx.cmd_progress, ==, 0);
	g_assert_cmpuint(e.ctx.commands_done, ==, 1);
	g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 28);
	g_assert_cmpuint(d32(&e, 0), ==, 0);
	expect_idle(&e);
	g_assert_true(memcmp(e.g->fp->ram + dst_pa, e.g->fp->ram + src_pa,
			     size) == 0);
	g_assert_cmpuint(d32(&e, 0), ==, 1);
	eng_free(&e);
}

/* Unaligned COPY: chunks end at destination page boundaries. */
static void test_copy_unaligned(void)
{
	GArray *c = gpu_cmds_new();
	uint8_t ref[10000];
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COMPUTE);
	for (int i = 0; i < 10000; i++)
		e.g->fp->ram[e.data_pa + 1 + i] = (uint8_t)rnd();
	memcpy(ref, e.g->fp->ram + e.data_pa + 1, sizeof(ref));
	gpu_cmd_copy(c, DATA_VA + 1, DATA_VA + 0x40003, 10000);
	gpu_cmd_copy(c, DATA_VA, DATA_VA + 0x50000, 0);
	eng_submit(&e, c);
	expect_idle(&e);
	/* 4093 + 4096 + 1811 bytes: 3 units; the empty copy costs 1. */
	g_assert_cmpuint(e.left, ==, BIG - 4);
	g_assert_cmpmem(e.g->fp->ram + e.data_pa + 0x40003, 10000, ref, 10000);
	g_assert_cmphex(e.g->fp->ram[e.data_pa + 0x40002], ==, 0);
	g_assert_cmphex(e.g->fp->ram[e.data_pa + 0x40003 + 10000], ==, 0);
	eng_free(&e);
}

static void test_fill(void)
{
	GArray *c = gpu_cmds_new();
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	gpu_cmd_fill(c, DATA_VA + 0xff8, 3 * 4096 + 8, 0xa1b2c3d4);
	gpu_cmd_fill(c, DATA_VA + 0x8000, 0, 0xffffffff);
	eng_submit(&e, c);
	g_assert_cmpint(eng_run(&e, 2), ==, FW_EXEC_BUDGET);
	g_assert_cmpuint(e.ctx.cmd_progress, ==, 8 + 4096);
	expect_idle(&e);
	g_assert_cmpuint(e.left, ==, BIG - 3);	/* 2 + 2 + 1 units */
	g_assert_cmphex(d32(&e, 0xff4), ==, 0);
	for (uint64_t off = 0xff8; off < 0xff8 + 3 * 4096 + 8; off += 4)
		g_assert_cmphex(d32(&e, off), ==, 0xa1b2c3d4);
	g_assert_cmphex(d32(&e, 0xff8 + 3 * 4096 + 8), ==, 0);
	g_assert_cmphex(e.g->fp->ram[e.data_pa + 0xff8], ==, 0xd4);
	g_assert_cmphex(d32(&e, 0x8000), ==, 0);
	eng_free(&e);
}

/* --- Atomics ------------------------------------------------------------ */

static void test_atomics(void)
{
	GArray *c = gpu_cmds_new();
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	fake_ram_wr64(e.g->fp, e.data_pa + 0, 0x77777777fffffffeull);
	fake_ram_wr64(e.g->fp, e.data_pa + 8, 0xfffffffffffffff0ull);
	fake_ram_wr32(e.g->fp, e.data_pa + 16, 5);
	fake_ram_wr64(e.g->fp, e.data_pa + 24, 0x100000005ull);
	fake_ram_wr64(e.g->fp, e.data_pa + 0x100, ~0ull);
	/* add32 wraps in 32 bits and leaves the next dword alone. */
	gpu_cmd_atomic(c, PVGPU_ATOMIC_ADD32, DATA_VA, 3, 0, DATA_VA + 0x100);
	/* add64 carries into the high half. */
	gpu_cmd_atomic(c, PVGPU_ATOMIC_ADD64, DATA_VA + 8, 0x20, 0,
		       DATA_VA + 0x108);
	/* cmpxchg32: fails (5 != 6), then succeeds. */
	gpu_cmd_atomic(c, PVGPU_ATOMIC_CMPXCHG32, DATA_VA + 16, 9, 6,
		       DATA_VA + 0x110);
	gpu_cmd_atomic(c, PVGPU_ATOMIC_CMPXCHG32, DATA_VA + 16, 9,
		       0xabcd00000005ull, DATA_VA + 0x118);
	/* cmpxchg64 compares all 64 bits: fails, then succeeds. */
	gpu_cmd_atomic(c, PVGPU_ATOMIC_CMPXCHG64, DATA_VA + 24, 1, 5,
		       DATA_VA + 0x120);
	gpu_cmd_atomic(c, PVGPU_ATOMIC_CMPXCHG64, DATA_VA + 24, 1,
		       0x100000005ull, DATA_VA + 0x128);
	/* result 0: no old value stored anywhere. */
	gpu_cmd_atomic(c, PVGPU_ATOMIC_ADD64, DATA_VA + 32, 7, 0, 0);
	eng_submit(&e, c);
	expect_idle(&e);
	g_assert_cmphex(d64(&e, 0), ==, 0x7777777700000001ull);
	g_assert_cmphex(d64(&e, 0x100), ==, 0xfffffffeull);
	g_assert_cmphex(d64(&e, 8), ==, 0x10ull);
	g_assert_cmphex(d64(&e, 0x108), ==, 0xfffffffffffffff0ull);
	g_assert_cmphex(d32(&e, 16), ==, 9);
	g_assert_cmphex(d64(&e, 0x110), ==, 5);
	g_assert_cmphex(d64(&e, 0x118), ==, 5);
	g_assert_cmphex(d64(&e, 24), ==, 1);
	g_assert_cmphex(d64(&e, 0x120), ==, 0x100000005ull);
	g_assert_cmphex(d64(&e, 0x128), ==, 0x100000005ull);
	g_assert_cmphex(d64(&e, 32), ==, 7);
	g_assert_cmpuint(e.ctx.commands_done, ==, 7);
	eng_free(&e);
}

/*
 * An atomic whose target or result page faults changes nothing; after the
 * page is mapped the replay does the operation exactly once.
 */
/*
 * The result of an ATOMIC translates to something that is not RAM: the
 * fault must come before the operation, so every RETRY finds memory as it
 * was and the operation happens once (it did not: each replay added again).
 */
static void test_atomic_bad_pa_result(void)
{
	GArray *c = gpu_cmds_new();
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	fake_ram_wr32(e.g->fp, e.data_pa, 10);
	gpu_vm_map(&e.vm, HOLE_VA, 0x7f000000ull, GPU_4K, GPU_4K, RW);
	gpu_cmd_atomic(c, PVGPU_ATOMIC_ADD32, DATA_VA, 5, 0, HOLE_VA);
	eng_submit(&e, c);
	for (int i = 0; i < 3; i++) {
		g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_FAULT);
		g_assert_cmpuint(e.ctx.fault.reason, ==, PVGPU_FAULT_BAD_PA);
		g_assert_cmphex(e.ctx.fault.va, ==, HOLE_VA);
		g_assert_cmpuint(fake_ram_rd32(e.g->fp, e.data_pa), ==, 10);
	}
	eng_free(&e);
}

static void test_atomic_fault_replay(void)
{
	GArray *c = gpu_cmds_new();
	uint64_t pa;
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	fake_ram_wr32(e.g->fp, e.ro_pa, 40);
	fake_ram_wr32(e.g->fp, e.data_pa, 10);
	gpu_cmd_atomic(c, PVGPU_ATOMIC_ADD32, RO_VA, 2, 0, 0);
	gpu_cmd_atomic(c, PVGPU_ATOMIC_ADD32, DATA_VA, 1, 0, HOLE_VA + 8);
	eng_submit(&e, c);

	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_FAULT);
	g_assert_cmphex(e.ctx.fault.va, ==, RO_VA);
	g_assert_cmpuint(e.ctx.fault.access, ==, PVGPU_ACCESS_ATOMIC);
	g_assert_cmpuint(e.ctx.fault.reason, ==, PVGPU_FAULT_WRITE_PROTECT);
	g_assert_cmpuint(e.ctx.error, ==, PVGPU_QUEUE_ERR_PAGE_FAULT);
	g_assert_cmphex(e.ctx.error_addr, ==, RING_VA);
	g_assert_cmpuint(e.ctx.rptr, ==, 0);
	g_assert_cmpuint(fake_ram_rd32(e.g->fp, e.ro_pa), ==, 40);
	/* Still faulting: the same answer. */
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_FAULT);
	g_assert_cmpuint(fake_ram_rd32(e.g->fp, e.ro_pa), ==, 40);

	/* The driver makes it writable (and invalidates), and retries. */
	gpu_vm_map(&e.vm, RO_VA, e.ro_pa, GPU_4K, GPU_4K, RW);
	g_assert_cmpuint(gpu_tlb_invalidate(e.g, ASID, RO_VA, GPU_4K), ==, 0);
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_FAULT);
	g_assert_cmpuint(fake_ram_rd32(e.g->fp, e.ro_pa), ==, 42);
	g_assert_cmphex(e.ctx.fault.va, ==, HOLE_VA + 8);
	g_assert_cmpuint(e.ctx.fault.access, ==, PVGPU_ACCESS_WRITE);
	g_assert_cmpuint(e.ctx.fault.reason, ==, PVGPU_FAULT_NOT_PRESENT);
	g_assert_cmphex(e.ctx.error_addr, ==, RING_VA + 40);
	g_assert_cmpuint(fake_ram_rd32(e.g->fp, e.data_pa), ==, 10);

	pa = gpu_vm_alloc(&e.vm, HOLE_VA, GPU_4K, RW);
	expect_idle(&e);
	g_assert_cmpuint(fake_ram_rd32(e.g->fp, e.data_pa), ==, 11);
	g_assert_cmpuint(fake_ram_rd64(e.g->fp, pa + 8), ==, 10);
	g_assert_cmpuint(fake_ram_rd32(e.g->fp, e.ro_pa), ==, 42);
	eng_free(&e);
}

/* --- WAIT --------------------------------------------------------------- */

typedef struct WaitCase {
	uint32_t op;
	bool wide;
	uint64_t value, mask;
	uint64_t not_ready, ready;	/* memory contents */
} WaitCase;

static const WaitCase wait_cases[] = {
	{ PVGPU_WAIT_EQ, false, 5, ~0ull, 4, 5 },
	/* 32-bit: the value's high half and memory's next dword ignored */
	{ PVGPU_WAIT_EQ, false, 0xffffffff00000007ull, ~0ull,
	  0x0000000800000006ull, 0xdead000000000007ull },
	{ PVGPU_WAIT_NEQ, false, 0, ~0ull, 0, 1 },
	{ PVGPU_WAIT_GT, false, 1, ~0ull, 1, 0xffffffffull },	/* unsigned */
	{ PVGPU_WAIT_GTE, false, 10, ~0ull, 9, 10 },
	{ PVGPU_WAIT_LT, false, 10, ~0ull, 10, 9 },
	{ PVGPU_WAIT_LTE, false, 10, ~0ull, 11, 10 },
	{ PVGPU_WAIT_EQ, false, 0x30, 0xf0, 0x2f, 0xabc3f },	/* mask */
	{ PVGPU_WAIT_EQ, true, 0x100000000ull, ~0ull, 0, 0x100000000ull },
	{ PVGPU_WAIT_NEQ, true, 5, ~0ull, 5, 0x100000005ull },
	{ PVGPU_WAIT_GT, true, 0x100000000ull, ~0ull, 0xffffffffull,
	  0x100000001ull },
	{ PVGPU_WAIT_GT, true, 1, ~0ull, 1, 0x8000000000000000ull },
	{ PVGPU_WAIT_GTE, true, ~0ull - 1, ~0ull, ~0ull - 2, ~0ull },
	{ PVGPU_WAIT_LT, true, 0x100000000ull, ~0ull, 0x100000000ull,
	  0xffffffffull },
	{ PVGPU_WAIT_LTE, true, 3, ~0ull, 0x8000000000000000ull, 3 },
	{ PVGPU_WAIT_GTE, true, 0x500000000ull, 0xff00000000ull,
	  0xff04ffffffffull, 0x0005000000000000ull | 0x500000000ull },
};

static void test_wait(gconstpointer data)
{
	const WaitCase *wc = data;
	GArray *c = gpu_cmds_new();
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	fake_ram_wr64(e.g->fp, e.data_pa + 8, wc->not_ready);
	gpu_cmd_store32(c, DATA_VA, 1);
	gpu_cmd_wait(c, wc->wide ? PVGPU_CMD_WAIT_64 : 0, DATA_VA + 8,
		     wc->value, wc->mask, wc->op);
	gpu_cmd_store32(c, DATA_VA + 4, 2);
	eng_submit(&e, c);

	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_WAITING);
	g_assert_cmpuint(e.left, ==, BIG - 1);	/* waiting costs nothing */
	g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 16);
	g_assert_cmpuint(e.ctx.commands_done, ==, 1);
	g_assert_false(fw_engine_wait_ready(e.g->fw, &e.ctx));
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_WAITING);
	g_assert_cmpuint(d32(&e, 4), ==, 0);

	fake_ram_wr64(e.g->fp, e.data_pa + 8, wc->ready);
	g_assert_true(fw_engine_wait_ready(e.g->fw, &e.ctx));
	g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 16);	/* looked only */
	expect_idle(&e);
	g_assert_cmpuint(d32(&e, 4), ==, 2);
	g_assert_cmpuint(e.ctx.commands_done, ==, 3);
	eng_free(&e);
}

/* A WAIT on an unmapped address faults; wait_ready says "run it". */
static void test_wait_fault(void)
{
	GArray *c = gpu_cmds_new();
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	g_assert_true(fw_engine_wait_ready(e.g->fw, &e.ctx));	/* empty */
	gpu_cmd_wait(c, 0, HOLE_VA, 1, ~0ull, PVGPU_WAIT_EQ);
	eng_submit(&e, c);
	g_assert_true(fw_engine_wait_ready(e.g->fw, &e.ctx));
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_FAULT);
	g_assert_cmphex(e.ctx.fault.va, ==, HOLE_VA);
	g_assert_cmpuint(e.ctx.fault.access, ==, PVGPU_ACCESS_READ);
	gpu_vm_alloc(&e.vm, HOLE_VA, GPU_4K, 0);
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_WAITING);
	g_assert_false(fw_engine_wait_ready(e.g->fw, &e.ctx));
	eng_free(&e);
}

/* --- SIGNAL, TIMESTAMP -------------------------------------------------- */

/*
 * FENCE on a privileged ring writes the guest-physical fence and, with
 * the IRQ flag, sends a SIGNAL event marked FENCE after the rptr write.
 */
static void test_fence_privileged(void)
{
	uint32_t payload[PVGPU_MSG_MAX_PAYLOAD_DW];
	struct pvgpu_evt_queue_signal evt;
	GArray *c = gpu_cmds_new();
	uint64_t fence;
	uint16_t op;
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	fence = eng_privileged(&e);
	gpu_cmd_store32(c, DATA_VA, 7);
	gpu_cmd_fence(c, 0, 1);
	gpu_cmd_fence(c, PVGPU_CMD_FENCE_IRQ, 0x1122334455667788ull);
	eng_submit(&e, c);
	expect_idle(&e);
	g_assert_cmpuint(d32(&e, 0), ==, 7);
	g_assert_cmphex(fake_ram_rd64(e.g->fp, fence), ==,
			0x1122334455667788ull);
	g_assert_true(gpu_next_event(e.g, &op, payload));
	g_assert_cmphex(op, ==, PVGPU_F2H_EVT_QUEUE_SIGNAL);
	memcpy(&evt, payload, sizeof(evt));
	g_assert_cmpuint(GUINT32_FROM_LE(evt.queue_id), ==, QID);
	g_assert_cmphex(GUINT32_FROM_LE(evt.flags), ==,
			PVGPU_EVT_SIGNAL_FENCE);
	g_assert_cmphex(GUINT64_FROM_LE(evt.addr), ==, fence);
	g_assert_cmphex(GUINT64_FROM_LE(evt.value), ==,
			0x1122334455667788ull);
	g_assert_false(gpu_next_event(e.g, &op, payload));

	/* A SIGNAL still writes through the GPU MMU, unmarked. */
	c = gpu_cmds_new();
	gpu_cmd_signal(c, PVGPU_CMD_SIGNAL_IRQ, DATA_VA + 8, 5);
	eng_submit(&e, c);
	expect_idle(&e);
	g_assert_cmpuint(d64(&e, 8), ==, 5);
	g_assert_true(gpu_next_event(e.g, &op, payload));
	memcpy(&evt, payload, sizeof(evt));
	g_assert_cmphex(GUINT32_FROM_LE(evt.flags), ==, 0);
	eng_free(&e);
}

/*
 * A FENCE is refused (PVGPU_QUEUE_ERR_PRIVILEGED, nothing written, no
 * event) inside a batch of a privileged queue and anywhere on a user
 * queue: a user batch cannot forge the value the kernel trusts.
 */
static void test_fence_refused(void)
{
	uint32_t payload[PVGPU_MSG_MAX_PAYLOAD_DW];
	GArray *c, *b;
	uint64_t fence;
	uint16_t op;
	Eng e;

	for (int on_ring = 0; on_ring < 2; on_ring++) {
		eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
		fence = eng_privileged(&e);
		c = gpu_cmds_new();
		if (on_ring) {
			/* A user queue: the same ring, not privileged. */
			gpu_ring_exec_ctx(&e.r, PVGPU_ENGINE_CLASS_COPY,
					  &e.ctx);
			gpu_cmd_fence(c, PVGPU_CMD_FENCE_IRQ, 99);
		} else {
			b = gpu_cmds_new();
			gpu_cmd_store32(b, DATA_VA, 1);
			gpu_cmd_fence(b, PVGPU_CMD_FENCE_IRQ, 99);
			gpu_cmd_batch_return(b);
			eng_batch(&e, BATCH_VA, b);
			gpu_cmd_batch_call(c, BATCH_VA);
		}
		eng_submit(&e, c);
		g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_ERROR);
		g_assert_cmpuint(e.ctx.error, ==, PVGPU_QUEUE_ERR_PRIVILEGED);
		g_assert_cmphex(e.ctx.error_addr, ==,
				on_ring ? RING_VA : BATCH_VA + 16);
		g_assert_cmpuint(PVGPU_CMD_OPCODE(e.ctx.error_dw0), ==,
				 PVGPU_CMD_FENCE);
		g_assert_cmphex(fake_ram_rd64(e.g->fp, fence), ==, 0);
		g_assert_false(gpu_next_event(e.g, &op, payload));
		g_assert_cmpuint(d32(&e, 0), ==, on_ring ? 0 : 1);
		eng_free(&e);
	}
}

/*
 * A privileged ring is not in the queue's address space: a batch that
 * stores to the GPU VA the ring used to have (and to the VA equal to its
 * guest-physical address) changes other memory or faults, never the ring.
 */
static void test_privileged_ring_unreachable(void)
{
	GArray *c = gpu_cmds_new(), *b = gpu_cmds_new();
	uint64_t fence, ring_pa;
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	fence = eng_privileged(&e);
	ring_pa = e.r.pa;
	/* The ring's VA now maps a data page, not the ring. */
	gpu_vm_unmap(&e.vm, RING_VA, RING_SIZE, GPU_4K);
	gpu_vm_map(&e.vm, RING_VA, e.data_pa + 0x1000, RING_SIZE, GPU_4K, RW);
	/* The batch overwrites where the next ring command will be. */
	for (uint32_t i = 0; i < 64; i++)
		gpu_cmd_store32(b, RING_VA + 0x40 + 4 * i, 0xffffffff);
	gpu_cmd_batch_return(b);
	eng_batch(&e, BATCH_VA, b);
	gpu_cmd_batch_call(c, BATCH_VA);
	while (c->len * 4 < 0x40)
		gpu_cmd_nop(c, 1);
	gpu_cmd_fence(c, PVGPU_CMD_FENCE_IRQ, 3);
	eng_submit(&e, c);
	expect_idle(&e);
	g_assert_cmphex(fake_ram_rd64(e.g->fp, fence), ==, 3);
	g_assert_cmphex(d32(&e, 0x1040), ==, 0xffffffff);
	g_assert_cmphex(fake_ram_rd32(e.g->fp, ring_pa + 0x40) >> 24, ==,
			PVGPU_CMD_FENCE);
	eng_free(&e);
}

/* The next event is a FENCE signal of @fence with @value. */
static void expect_fence_event(Eng *e, uint64_t fence, uint64_t value)
{
	uint32_t payload[PVGPU_MSG_MAX_PAYLOAD_DW];
	struct pvgpu_evt_queue_signal evt;
	uint16_t op;

	g_assert_true(gpu_next_event(e->g, &op, payload));
	g_assert_cmphex(op, ==, PVGPU_F2H_EVT_QUEUE_SIGNAL);
	memcpy(&evt, payload, sizeof(evt));
	g_assert_cmphex(GUINT32_FROM_LE(evt.flags), ==,
			PVGPU_EVT_SIGNAL_FENCE);
	g_assert_cmphex(GUINT64_FROM_LE(evt.addr), ==, fence);
	g_assert_cmpuint(GUINT64_FROM_LE(evt.value), ==, value);
}

/*
 * A kernel job on a privileged ring, BATCH_CALL then FENCE: rptr stays at
 * the call while the batch runs or blocks (a WAIT), passes it at the
 * batch's return, and the FENCE lands (with its event) only after that.
 */
static void test_fence_after_batch(void)
{
	uint32_t payload[PVGPU_MSG_MAX_PAYLOAD_DW];
	GArray *c = gpu_cmds_new(), *b = gpu_cmds_new();
	uint64_t fence;
	uint16_t op;
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	fence = eng_privileged(&e);
	gpu_cmd_store32(b, DATA_VA, 1);
	gpu_cmd_wait(b, 0, DATA_VA + 8, 1, ~0ull, PVGPU_WAIT_EQ);
	gpu_cmd_store32(b, DATA_VA + 4, 2);
	gpu_cmd_batch_return(b);
	eng_batch(&e, BATCH_VA, b);
	for (uint32_t job = 1; job <= 2; job++) {
		gpu_cmd_batch_call(c, BATCH_VA);		/* 12 bytes */
		gpu_cmd_fence(c, PVGPU_CMD_FENCE_IRQ, job);	/* 12 */
	}
	eng_submit(&e, c);

	/* Job 1 blocks in its batch: not retired, no fence. */
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_WAITING);
	g_assert_cmpuint(e.ctx.batch_depth, ==, 1);
	g_assert_false(fw_engine_wait_ready(e.g->fw, &e.ctx));
	g_assert_cmpuint(d32(&e, 0), ==, 1);
	g_assert_cmpuint(e.ctx.rptr, ==, 0);
	g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 0);
	g_assert_cmphex(fake_ram_rd64(e.g->fp, fence), ==, 0);
	g_assert_false(gpu_next_event(e.g, &op, payload));

	gpu_vm_wr32(&e.vm, DATA_VA + 8, 1);
	g_assert_true(fw_engine_wait_ready(e.g->fw, &e.ctx));
	/* WAIT, STORE: still in the batch. */
	for (uint32_t i = 0; i < 2; i++) {
		g_assert_cmpint(eng_run(&e, 1), ==, FW_EXEC_BUDGET);
		g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 0);
	}
	/* The return retires the call; the FENCE has not run. */
	g_assert_cmpint(eng_run(&e, 1), ==, FW_EXEC_BUDGET);
	g_assert_cmpuint(e.ctx.batch_depth, ==, 0);
	g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 12);
	g_assert_cmphex(fake_ram_rd64(e.g->fp, fence), ==, 0);
	g_assert_false(gpu_next_event(e.g, &op, payload));
	g_assert_cmpint(eng_run(&e, 1), ==, FW_EXEC_BUDGET);
	g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 24);
	g_assert_cmphex(fake_ram_rd64(e.g->fp, fence), ==, 1);
	expect_fence_event(&e, fence, 1);
	g_assert_false(gpu_next_event(e.g, &op, payload));

	/* Job 2 blocks too, then completes to idle. */
	gpu_vm_wr32(&e.vm, DATA_VA + 8, 0);
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_WAITING);
	g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 24);
	g_assert_cmphex(fake_ram_rd64(e.g->fp, fence), ==, 1);
	gpu_vm_wr32(&e.vm, DATA_VA + 8, 1);
	expect_idle(&e);
	g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 48);
	g_assert_cmphex(fake_ram_rd64(e.g->fp, fence), ==, 2);
	expect_fence_event(&e, fence, 2);
	g_assert_false(gpu_next_event(e.g, &op, payload));
	/* 2 + 4 per job. */
	g_assert_cmpuint(e.ctx.commands_done, ==, 2 * 6);
	eng_free(&e);
}

/*
 * A privileged ring or fence that is not guest RAM is BAD_POINTER, not a
 * page fault (there is no translation to fault on, and no replay).
 */
static void test_privileged_bad_memory(void)
{
	GArray *c;
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	eng_privileged(&e);
	c = gpu_cmds_new();
	gpu_cmd_fence(c, 0, 1);
	eng_submit(&e, c);
	e.ctx.fence_addr = 0x7ffffffff000ull;
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_ERROR);
	g_assert_cmpuint(e.ctx.error, ==, PVGPU_QUEUE_ERR_BAD_POINTER);
	g_assert_cmphex(e.ctx.error_addr, ==, e.r.pa);
	g_assert_cmpuint(e.ctx.rptr, ==, 0);
	eng_free(&e);

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	eng_privileged(&e);
	c = gpu_cmds_new();
	gpu_cmd_store32(c, DATA_VA, 1);
	eng_submit(&e, c);
	e.ctx.ring_addr = 0x7ffffffff000ull;
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_ERROR);
	g_assert_cmpuint(e.ctx.error, ==, PVGPU_QUEUE_ERR_BAD_POINTER);
	g_assert_cmpuint(e.ctx.fault.reason, ==, 0);
	g_assert_cmpuint(d32(&e, 0), ==, 0);
	eng_free(&e);
}

/* --- Progress of a user queue ----------------------------------------- */

/*
 * Give @e's (user) queue a progress block with @notify_at, retired 0 as
 * registration leaves it. Returns its address.
 */
static uint64_t eng_progress(Eng *e, uint64_t notify_at)
{
	uint64_t p = gpu_alloc(e->g, sizeof(struct pvgpu_queue_progress), 16);

	fake_ram_wr64(e->g->fp, p, 0);
	fake_ram_wr64(e->g->fp, p + 8, notify_at);
	e->ctx.fence_addr = p;
	return p;
}

/* The next event is a PROGRESS signal of @p with @value. */
static void expect_progress_event(Eng *e, uint64_t p, uint64_t value)
{
	uint32_t payload[PVGPU_MSG_MAX_PAYLOAD_DW];
	struct pvgpu_evt_queue_signal evt;
	uint16_t op;

	g_assert_true(gpu_next_event(e->g, &op, payload));
	g_assert_cmphex(op, ==, PVGPU_F2H_EVT_QUEUE_SIGNAL);
	memcpy(&evt, payload, sizeof(evt));
	g_assert_cmpuint(GUINT32_FROM_LE(evt.queue_id), ==, QID);
	g_assert_cmphex(GUINT32_FROM_LE(evt.flags), ==,
			PVGPU_EVT_SIGNAL_PROGRESS);
	g_assert_cmphex(GUINT64_FROM_LE(evt.addr), ==, p);
	g_assert_cmpuint(GUINT64_FROM_LE(evt.value), ==, value);
}

static void expect_no_event(Eng *e)
{
	uint32_t payload[PVGPU_MSG_MAX_PAYLOAD_DW];
	uint16_t op;

	g_assert_false(gpu_next_event(e->g, &op, payload));
}

/*
 * retired advances by exactly the bytes of the ring commands completed
 * (not by batch commands), with every rptr write-back, and never
 * notifies with notify_at 0.
 */
static void test_progress_retired(void)
{
	GArray *c = gpu_cmds_new(), *b = gpu_cmds_new();
	uint64_t p;
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	p = eng_progress(&e, 0);
	gpu_cmd_store32(c, DATA_VA, 1);			/* 16 bytes */
	gpu_cmd_store64(c, DATA_VA + 8, 2);		/* 20 */
	gpu_cmd_nop(c, 3);				/* 12 */
	gpu_cmd_batch_call(c, BATCH_VA);		/* 12 */
	gpu_cmd_store32(b, DATA_VA + 16, 3);
	gpu_cmd_store32(b, DATA_VA + 20, 4);
	gpu_cmd_batch_return(b);
	eng_batch(&e, BATCH_VA, b);
	eng_submit(&e, c);
	g_assert_cmpint(eng_run(&e, 1), ==, FW_EXEC_BUDGET);
	g_assert_cmpuint(fake_ram_rd64(e.g->fp, p), ==, 16);
	g_assert_cmpuint(e.ctx.retired, ==, 16);
	g_assert_cmpint(eng_run(&e, 1), ==, FW_EXEC_BUDGET);
	g_assert_cmpuint(fake_ram_rd64(e.g->fp, p), ==, 36);
	expect_idle(&e);
	g_assert_cmpuint(d32(&e, 20), ==, 4);
	g_assert_cmpuint(fake_ram_rd64(e.g->fp, p), ==, 60);
	g_assert_cmpuint(e.ctx.retired, ==, 60);
	g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 60);
	/* The driver's notify_at is only read, never written. */
	g_assert_cmpuint(fake_ram_rd64(e.g->fp, p + 8), ==, 0);
	expect_no_event(&e);
	g_assert_true(fw_engine_ctx_valid(e.g->fw, &e.ctx));
	eng_free(&e);
}

/*
 * Across ring wraps retired keeps counting: a 64-bit position whose low
 * bits are rptr.
 */
static void test_progress_wrap(void)
{
	uint64_t p, total = 0;
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	p = eng_progress(&e, 0);
	for (uint32_t round = 0; round < 5; round++) {
		GArray *c = gpu_cmds_new();

		/* 100 commands of 20 bytes: the ring wraps mid-command. */
		for (uint32_t i = 0; i < 100; i++)
			gpu_cmd_store64(c, DATA_VA + 8 * i, round * 100 + i);
		total += c->len * 4;
		eng_submit(&e, c);
		expect_idle(&e);
		g_assert_cmpuint(fake_ram_rd64(e.g->fp, p), ==, total);
		g_assert_cmpuint(total % RING_SIZE, ==, gpu_ring_rptr(&e.r));
	}
	g_assert_cmpuint(total, >, 2 * RING_SIZE);
	g_assert_cmpuint(e.ctx.retired, ==, total);
	g_assert_cmpuint(d64(&e, 8 * 99), ==, 499);
	expect_no_event(&e);
	eng_free(&e);
}

/*
 * notify_at: crossing it (old < notify_at <= new) sends exactly one
 * PROGRESS signal, after the rptr write-back, with the retired value of
 * that write-back; a notify_at already passed, or 0, sends nothing.
 */
static void test_progress_notify(void)
{
	GArray *c;
	uint64_t p;
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	/* Inside the second STORE32 [16, 32): notified when it retires. */
	p = eng_progress(&e, 20);
	c = gpu_cmds_new();
	for (uint32_t i = 0; i < 4; i++)
		gpu_cmd_store32(c, DATA_VA + 4 * i, i + 1);
	eng_submit(&e, c);
	expect_idle(&e);
	g_assert_cmpuint(fake_ram_rd64(e.g->fp, p), ==, 64);
	expect_progress_event(&e, p, 32);
	expect_no_event(&e);

	/* Exactly at a command's end, after a SIGNAL's own event. */
	fake_ram_wr64(e.g->fp, p + 8, 64 + 16 + 20);
	c = gpu_cmds_new();
	gpu_cmd_store32(c, DATA_VA, 5);				/* 16 */
	gpu_cmd_signal(c, PVGPU_CMD_SIGNAL_IRQ, DATA_VA + 8, 9);	/* 20 */
	gpu_cmd_store32(c, DATA_VA, 6);
	eng_submit(&e, c);
	expect_idle(&e);
	{
		uint32_t payload[PVGPU_MSG_MAX_PAYLOAD_DW];
		struct pvgpu_evt_queue_signal evt;
		uint16_t op;

		g_assert_true(gpu_next_event(e.g, &op, payload));
		memcpy(&evt, payload, sizeof(evt));
		g_assert_cmphex(GUINT32_FROM_LE(evt.flags), ==, 0);
		g_assert_cmpuint(GUINT64_FROM_LE(evt.value), ==, 9);
	}
	expect_progress_event(&e, p, 100);
	expect_no_event(&e);

	/* Already passed: nothing. */
	fake_ram_wr64(e.g->fp, p + 8, 50);
	c = gpu_cmds_new();
	gpu_cmd_store32(c, DATA_VA, 7);
	eng_submit(&e, c);
	expect_idle(&e);
	g_assert_cmpuint(fake_ram_rd64(e.g->fp, p), ==, 132);
	expect_no_event(&e);

	/* 0 never notifies. */
	fake_ram_wr64(e.g->fp, p + 8, 0);
	c = gpu_cmds_new();
	gpu_cmd_nop(c, 64);
	eng_submit(&e, c);
	expect_idle(&e);
	g_assert_cmpuint(fake_ram_rd64(e.g->fp, p), ==, 132 + 256);
	expect_no_event(&e);
	eng_free(&e);
}

/*
 * A ring BATCH_CALL retires when its batch has returned, not when the call
 * is made: rptr and retired stay at the call while the batch runs (a
 * nested return changes nothing), then pass it together at the outermost
 * BATCH_RETURN, and a notify_at just past the call fires there.
 */
static void test_progress_batch(void)
{
	GArray *c = gpu_cmds_new(), *b = gpu_cmds_new(), *n = gpu_cmds_new();
	uint64_t p;
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	gpu_cmd_store32(c, DATA_VA, 1);			/* [0, 16) */
	gpu_cmd_batch_call(c, BATCH_VA);		/* [16, 28) */
	gpu_cmd_store32(c, DATA_VA + 4, 2);		/* [28, 44) */
	p = eng_progress(&e, 28);
	gpu_cmd_store32(b, DATA_VA + 8, 3);
	gpu_cmd_batch_call(b, BATCH_VA + 0x1000);
	gpu_cmd_store32(b, DATA_VA + 16, 5);
	gpu_cmd_batch_return(b);
	eng_batch(&e, BATCH_VA, b);
	gpu_cmd_store32(n, DATA_VA + 12, 4);
	gpu_cmd_batch_return(n);
	eng_batch(&e, BATCH_VA + 0x1000, n);
	eng_submit(&e, c);

	g_assert_cmpint(eng_run(&e, 1), ==, FW_EXEC_BUDGET);
	g_assert_cmpuint(fake_ram_rd64(e.g->fp, p), ==, 16);
	/* The call, the batch up to its own return: nothing retires. */
	for (uint32_t i = 0; i < 6; i++) {
		g_assert_cmpint(eng_run(&e, 1), ==, FW_EXEC_BUDGET);
		g_assert_cmpuint(e.ctx.batch_depth, >, 0);
		g_assert_cmpuint(e.ctx.rptr, ==, 16);
		g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 16);
		g_assert_cmpuint(e.ctx.retired, ==, 16);
		g_assert_cmpuint(fake_ram_rd64(e.g->fp, p), ==, 16);
		expect_no_event(&e);
	}
	g_assert_cmpuint(d32(&e, 16), ==, 5);
	g_assert_cmpuint(e.ctx.commands_done, ==, 7);
	/* The return: rptr and retired past the call, then the signal. */
	g_assert_cmpint(eng_run(&e, 1), ==, FW_EXEC_BUDGET);
	g_assert_cmpuint(e.ctx.batch_depth, ==, 0);
	g_assert_cmpuint(e.ctx.commands_done, ==, 8);
	g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 28);
	g_assert_cmpuint(fake_ram_rd64(e.g->fp, p), ==, 28);
	g_assert_cmpuint(d32(&e, 4), ==, 0);
	expect_progress_event(&e, p, 28);
	expect_no_event(&e);
	expect_idle(&e);
	g_assert_cmpuint(d32(&e, 4), ==, 2);
	g_assert_cmpuint(fake_ram_rd64(e.g->fp, p), ==, 44);
	g_assert_cmpuint(e.ctx.retired, ==, 44);
	expect_no_event(&e);
	g_assert_true(fw_engine_ctx_valid(e.g->fw, &e.ctx));
	eng_free(&e);
}

/*
 * A progress block that stops being RAM under a live queue is
 * BAD_POINTER at the write-back, like rptr; a privileged queue's fence is
 * no progress block: FENCE writes it, the write-back does not.
 */
static void test_progress_bad_memory(void)
{
	GArray *c;
	uint64_t fence;
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	eng_progress(&e, 0);
	e.ctx.fence_addr = 0x7ffffffff000ull;
	c = gpu_cmds_new();
	gpu_cmd_store32(c, DATA_VA, 1);
	eng_submit(&e, c);
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_ERROR);
	g_assert_cmpuint(e.ctx.error, ==, PVGPU_QUEUE_ERR_BAD_POINTER);
	g_assert_cmphex(e.ctx.error_addr, ==, RING_VA);
	g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 0);
	eng_free(&e);

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	fence = eng_privileged(&e);
	c = gpu_cmds_new();
	gpu_cmd_store32(c, DATA_VA, 1);
	gpu_cmd_fence(c, 0, 5);
	gpu_cmd_store32(c, DATA_VA, 2);
	eng_submit(&e, c);
	expect_idle(&e);
	g_assert_cmpuint(fake_ram_rd64(e.g->fp, fence), ==, 5);
	g_assert_cmpuint(e.ctx.retired, ==, 0);
	expect_no_event(&e);
	eng_free(&e);
}

static void test_signal(void)
{
	GArray *c = gpu_cmds_new();
	uint32_t payload[PVGPU_MSG_MAX_PAYLOAD_DW];
	struct pvgpu_evt_queue_signal evt;
	uint16_t op;
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	fake_ram_wr64(e.g->fp, e.data_pa + 16, ~0ull);
	gpu_cmd_signal(c, 0, DATA_VA, 0x1122334455667788ull);
	gpu_cmd_signal(c, PVGPU_CMD_SIGNAL_IRQ, DATA_VA + 8, 42);
	gpu_cmd_signal(c, PVGPU_CMD_SIGNAL_32 | PVGPU_CMD_SIGNAL_IRQ,
		       DATA_VA + 16, 0xaaaabbbbccccddddull);
	gpu_cmd_signal(c, PVGPU_CMD_SIGNAL_32, DATA_VA + 28, 3);
	eng_submit(&e, c);
	expect_idle(&e);
	g_assert_cmphex(d64(&e, 0), ==, 0x1122334455667788ull);
	g_assert_cmphex(d64(&e, 8), ==, 42);
	g_assert_cmphex(d64(&e, 16), ==, 0xffffffffccccddddull);
	g_assert_cmphex(d32(&e, 28), ==, 3);

	/* Exactly two events, in order. */
	g_assert_true(gpu_next_event(e.g, &op, payload));
	g_assert_cmphex(op, ==, PVGPU_F2H_EVT_QUEUE_SIGNAL);
	memcpy(&evt, payload, sizeof(evt));
	g_assert_cmpuint(GUINT32_FROM_LE(evt.queue_id), ==, QID);
	g_assert_cmphex(GUINT64_FROM_LE(evt.addr), ==, DATA_VA + 8);
	g_assert_cmphex(GUINT64_FROM_LE(evt.value), ==, 42);
	g_assert_true(gpu_next_event(e.g, &op, payload));
	memcpy(&evt, payload, sizeof(evt));
	g_assert_cmphex(GUINT64_FROM_LE(evt.addr), ==, DATA_VA + 16);
	g_assert_cmphex(GUINT64_FROM_LE(evt.value), ==, 0xccccddddull);
	g_assert_false(gpu_next_event(e.g, &op, payload));

	/* A SIGNAL that faults sends nothing; its replay sends once. */
	c = gpu_cmds_new();
	gpu_cmd_signal(c, PVGPU_CMD_SIGNAL_IRQ, RO_VA, 1);
	eng_submit(&e, c);
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_FAULT);
	g_assert_cmpuint(e.ctx.fault.reason, ==, PVGPU_FAULT_WRITE_PROTECT);
	g_assert_false(gpu_next_event(e.g, &op, payload));
	gpu_vm_map(&e.vm, RO_VA, e.ro_pa, GPU_4K, GPU_4K, RW);
	expect_idle(&e);
	g_assert_true(gpu_next_event(e.g, &op, payload));
	g_assert_false(gpu_next_event(e.g, &op, payload));
	eng_free(&e);
}

/* --- DELAY --------------------------------------------------------------- */

static void test_delay(void)
{
	GArray *c = gpu_cmds_new();
	uint64_t t0;
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	gpu_cmd_delay(c, 0, 0);			/* no time at all */
	gpu_cmd_delay(c, 0, 1000);
	gpu_cmd_store32(c, DATA_VA, 1);
	eng_submit(&e, c);
	t0 = e.g->fp->now_ns;

	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_DELAY);
	g_assert_cmpuint(e.ctx.commands_done, ==, 1);
	g_assert_cmpuint(e.ctx.delay_until_ns, ==, t0 + 1000);
	g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 12);
	e.g->fp->now_ns += 400;
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_DELAY);
	g_assert_cmpuint(e.ctx.delay_until_ns, ==, t0 + 1000);

	/* Preempted at 400: 600 left, counted from the next run. */
	g_assert_true(fw_engine_preempt(e.g->fw, &e.ctx, e.g->fp->now_ns));
	g_assert_cmpuint(e.ctx.delay_remaining_ns, ==, 600);
	g_assert_cmpuint(e.ctx.delay_until_ns, ==, 0);
	g_assert_true(fw_engine_ctx_valid(e.g->fw, &e.ctx));
	g_assert_true(fw_engine_preempt(e.g->fw, &e.ctx, e.g->fp->now_ns));
	g_assert_cmpuint(e.ctx.delay_remaining_ns, ==, 600);
	e.g->fp->now_ns += 50000;
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_DELAY);
	g_assert_cmpuint(e.ctx.delay_until_ns, ==, e.g->fp->now_ns + 600);
	g_assert_cmpuint(e.ctx.delay_remaining_ns, ==, 0);
	e.g->fp->now_ns += 599;
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_DELAY);
	g_assert_cmpuint(d32(&e, 0), ==, 0);
	e.g->fp->now_ns += 1;
	expect_idle(&e);
	g_assert_cmpuint(d32(&e, 0), ==, 1);
	g_assert_cmpuint(e.ctx.delay_until_ns, ==, 0);
	g_assert_cmpuint(e.ctx.delay_flags, ==, 0);
	g_assert_cmpuint(e.ctx.commands_done, ==, 3);

	/* NOPREEMPT: preemption refused, the delay runs its course. */
	c = gpu_cmds_new();
	gpu_cmd_delay(c, PVGPU_CMD_DELAY_NOPREEMPT, 5000);
	eng_submit(&e, c);
	t0 = e.g->fp->now_ns;
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_DELAY);
	g_assert_cmpuint(e.ctx.delay_flags, ==, PVGPU_CMD_DELAY_NOPREEMPT);
	e.g->fp->now_ns += 100;
	g_assert_false(fw_engine_preempt(e.g->fw, &e.ctx, e.g->fp->now_ns));
	g_assert_cmpuint(e.ctx.delay_until_ns, ==, t0 + 5000);
	g_assert_cmpuint(e.ctx.delay_remaining_ns, ==, 0);
	e.g->fp->now_ns = t0 + 5000;
	expect_idle(&e);

	/* Preempted after it ended: nothing left, the next run ends it. */
	c = gpu_cmds_new();
	gpu_cmd_delay(c, 0, 10);
	eng_submit(&e, c);
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_DELAY);
	e.g->fp->now_ns += 20;
	g_assert_true(fw_engine_preempt(e.g->fw, &e.ctx, e.g->fp->now_ns));
	g_assert_cmpuint(e.ctx.delay_remaining_ns, ==, 0);
	expect_idle(&e);

	/* Not in a DELAY: preemption is always fine. */
	g_assert_true(fw_engine_preempt(e.g->fw, &e.ctx, e.g->fp->now_ns));
	/* A huge DELAY saturates instead of wrapping. */
	c = gpu_cmds_new();
	gpu_cmd_delay(c, 0, ~0ull);
	eng_submit(&e, c);
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_DELAY);
	g_assert_cmpuint(e.ctx.delay_until_ns, ==, UINT64_MAX);
	eng_free(&e);
}

/* --- Faults and replay --------------------------------------------------- */

/* COPY and FILL fault half-way and resume where they stopped. */
static void test_fault_replay(void)
{
	const uint64_t src = 0x60000000ull, dst = 0x70000000ull;
	const uint64_t size = 16 * GPU_4K + 100;
	uint64_t src_pa, dst_pa, hole_pa;
	GArray *c = gpu_cmds_new();
	const FwMmuStats *s;
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	s = fw_mmu_stats(e.g->fw);
	src_pa = gpu_vm_alloc(&e.vm, src, size, 0);
	dst_pa = gpu_alloc(e.g, 17 * GPU_4K, GPU_4K);
	for (uint64_t i = 0; i < size; i++)
		e.g->fp->ram[src_pa + i] = (uint8_t)rnd();
	/* Destination page 5 missing, source page 9 missing. */
	for (uint64_t p = 0; p < 17; p++)
		if (p != 5)
			gpu_vm_map(&e.vm, dst + p * GPU_4K,
				   dst_pa + p * GPU_4K, GPU_4K, GPU_4K, RW);
	gpu_vm_unmap(&e.vm, src + 9 * GPU_4K, GPU_4K, GPU_4K);
	hole_pa = src_pa + 9 * GPU_4K;
	gpu_vm_alloc(&e.vm, HOLE_VA - GPU_4K, GPU_4K, RW);
	gpu_cmd_copy(c, src, dst + 12, size - 12);
	gpu_cmd_fill(c, HOLE_VA - 8, 24, 0x0f0f0f0f);
	eng_submit(&e, c);

	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_FAULT);
	g_assert_cmphex(e.ctx.fault.va, ==, dst + 5 * GPU_4K);
	g_assert_cmpuint(e.ctx.fault.access, ==, PVGPU_ACCESS_WRITE);
	g_assert_cmpuint(e.ctx.fault.reason, ==, PVGPU_FAULT_NOT_PRESENT);
	g_assert_cmphex(e.ctx.error_addr, ==, RING_VA);
	g_assert_cmpuint(e.ctx.cmd_progress, ==, 5 * GPU_4K - 12);
	g_assert_cmpuint(e.left, ==, BIG - 5);
	g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 0);
	g_assert_true(fw_engine_ctx_valid(e.g->fw, &e.ctx));

	/* Map it; the replay reads the source from where it stopped. */
	gpu_vm_map(&e.vm, dst + 5 * GPU_4K, dst_pa + 5 * GPU_4K, GPU_4K,
		   GPU_4K, RW);
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_FAULT);
	g_assert_cmphex(e.ctx.fault.va, ==, src + 9 * GPU_4K);
	g_assert_cmpuint(e.ctx.fault.access, ==, PVGPU_ACCESS_READ);
	gpu_vm_map(&e.vm, src + 9 * GPU_4K, hole_pa, GPU_4K, GPU_4K, 0);

	/* The FILL's second page faults: its first chunk is done. */
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_FAULT);
	g_assert_cmphex(e.ctx.fault.va, ==, HOLE_VA);
	g_assert_cmpuint(e.ctx.cmd_progress, ==, 8);
	g_assert_cmphex(e.ctx.error_addr, ==, RING_VA + 28);
	g_assert_cmpuint(e.ctx.commands_done, ==, 1);
	gpu_vm_alloc(&e.vm, HOLE_VA, GPU_4K, RW);
	expect_idle(&e);
	g_assert_cmpmem(e.g->fp->ram + dst_pa + 12, size - 12,
			e.g->fp->ram + src_pa, size - 12);
	g_assert_cmphex(gpu_vm_rd32(&e.vm, HOLE_VA - 4), ==, 0x0f0f0f0f);
	g_assert_cmphex(gpu_vm_rd32(&e.vm, HOLE_VA + 12), ==, 0x0f0f0f0f);
	g_assert_cmphex(gpu_vm_rd32(&e.vm, HOLE_VA + 16), ==, 0);
	g_assert_cmpuint(s->walks, >, 0);
	eng_free(&e);
}

/* The ring or a batch buffer itself faults: a READ fault at the command. */
static void test_fetch_fault(void)
{
	GArray *c = gpu_cmds_new();
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	gpu_cmd_batch_call(c, HOLE_VA + 0x10);
	gpu_cmd_store32(c, DATA_VA, 5);
	eng_submit(&e, c);
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_FAULT);
	g_assert_cmphex(e.ctx.fault.va, ==, HOLE_VA + 0x10);
	g_assert_cmpuint(e.ctx.fault.access, ==, PVGPU_ACCESS_READ);
	g_assert_cmphex(e.ctx.error_addr, ==, HOLE_VA + 0x10);
	g_assert_cmpuint(e.ctx.batch_depth, ==, 1);
	c = gpu_cmds_new();
	gpu_cmd_store32(c, DATA_VA + 4, 6);
	gpu_cmd_batch_return(c);
	gpu_vm_alloc(&e.vm, HOLE_VA, GPU_4K, 0);
	eng_batch(&e, HOLE_VA + 0x10, c);
	expect_idle(&e);
	g_assert_cmpuint(d32(&e, 0), ==, 5);
	g_assert_cmpuint(d32(&e, 4), ==, 6);

	/* The ring page is unmapped. */
	gpu_vm_unmap(&e.vm, RING_VA, GPU_4K, GPU_4K);
	g_assert_cmpuint(gpu_tlb_invalidate(e.g, ASID, 0, 0), ==, 0);
	c = gpu_cmds_new();
	gpu_cmd_nop(c, 1);
	eng_submit(&e, c);
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_FAULT);
	g_assert_cmphex(e.ctx.fault.va, ==, RING_VA + e.ctx.rptr);
	g_assert_cmphex(e.ctx.error_dw0, ==, 0);

	/* Unbound address space. */
	gpu_vm_map(&e.vm, RING_VA, e.r.pa, GPU_4K, GPU_4K, RW);
	e.ctx.asid = 9;
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_FAULT);
	g_assert_cmpuint(e.ctx.fault.reason, ==, PVGPU_FAULT_NO_AS);
	e.ctx.asid = ASID;
	expect_idle(&e);
	eng_free(&e);
}

/* --- Ring pointers ------------------------------------------------------ */

static void test_bad_pointers(void)
{
	GArray *c = gpu_cmds_new();
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	gpu_cmd_store32(c, DATA_VA, 1);
	eng_submit(&e, c);

	fake_ram_wr32(e.g->fp, e.r.wptr_addr, 6);	/* misaligned */
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_ERROR);
	g_assert_cmpuint(e.ctx.error, ==, PVGPU_QUEUE_ERR_BAD_POINTER);
	g_assert_cmphex(e.ctx.error_addr, ==, RING_VA);
	fake_ram_wr32(e.g->fp, e.r.wptr_addr, RING_SIZE);	/* too big */
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_ERROR);
	g_assert_cmpuint(e.ctx.error, ==, PVGPU_QUEUE_ERR_BAD_POINTER);
	e.ctx.wptr_addr = e.g->fp->ram_size;		/* not RAM */
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_ERROR);
	g_assert_cmpuint(e.ctx.error, ==, PVGPU_QUEUE_ERR_BAD_POINTER);
	e.ctx.wptr_addr = e.r.wptr_addr + 2;		/* misaligned */
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_ERROR);
	g_assert_cmpuint(d32(&e, 0), ==, 0);

	/* A corrupted context is refused, not followed. */
	e.ctx.wptr_addr = e.r.wptr_addr;
	gpu_ring_publish(&e.r);
	e.ctx.rptr = RING_SIZE;
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_ERROR);
	g_assert_cmpuint(e.ctx.error, ==, PVGPU_QUEUE_ERR_BAD_POINTER);
	g_assert_true(fw_engine_wait_ready(e.g->fw, &e.ctx));
	e.ctx.rptr = 0;
	e.ctx.batch_depth = FW_MAX_BATCH_DEPTH + 1;
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_ERROR);
	g_assert_true(fw_engine_wait_ready(e.g->fw, &e.ctx));
	e.ctx.batch_depth = 0;
	g_assert_cmpuint(d32(&e, 0), ==, 0);

	/* rptr cannot be written back: the command ran, then the error. */
	e.ctx.wptr_addr = e.r.wptr_addr;
	gpu_ring_publish(&e.r);
	e.ctx.rptr_addr = e.g->fp->ram_size;
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_ERROR);
	g_assert_cmpuint(e.ctx.error, ==, PVGPU_QUEUE_ERR_BAD_POINTER);
	g_assert_cmpuint(d32(&e, 0), ==, 1);
	fake_platform_clear_errors(e.g->fp);
	eng_free(&e);
}

/* fw_engine_reset() and fw_engine_ctx_valid(). */
static void test_reset_and_valid(void)
{
	GArray *c = gpu_cmds_new();
	FwExecCtx good;
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COPY);
	build_nest(&e, 2);
	gpu_cmd_batch_call(c, BATCH_VA);
	eng_submit(&e, c);
	g_assert_cmpint(eng_run(&e, 2), ==, FW_EXEC_BUDGET);
	g_assert_cmpuint(e.ctx.batch_depth, ==, 1);
	g_assert_true(fw_engine_ctx_valid(e.g->fw, &e.ctx));
	good = e.ctx;

#define BAD_CTX(stmt)							\
	do {								\
		e.ctx = good;						\
		stmt;							\
		g_assert_false(fw_engine_ctx_valid(e.g->fw, &e.ctx));	\
	} while (0)

	BAD_CTX(e.ctx.engine_class = 5);
	BAD_CTX(e.ctx.asid = 64);
	BAD_CTX(e.ctx.ring_size = 0x1800);
	BAD_CTX(e.ctx.ring_size = 0x800);
	BAD_CTX(e.ctx.ring_size = 0x800000);
	BAD_CTX(e.ctx.ring_addr = RING_VA + 4);
	BAD_CTX(e.ctx.ring_addr = 1ull << 48);
	BAD_CTX(e.ctx.ring_addr = ~0ull << 12);
	BAD_CTX(e.ctx.rptr = RING_SIZE);
	BAD_CTX(e.ctx.rptr = 2);
	BAD_CTX(e.ctx.rptr_addr = 2);
	BAD_CTX(e.ctx.wptr_addr = 1);
	BAD_CTX(e.ctx.batch_depth = FW_MAX_BATCH_DEPTH + 1);
	BAD_CTX(e.ctx.batch_pc[0] = BATCH_VA + 2);
	BAD_CTX(e.ctx.batch_pc[3] = BATCH_VA);
	BAD_CTX(e.ctx.batch_cmds = FW_MAX_BATCH_CMDS + 1);
	BAD_CTX((e.ctx.batch_depth = 0, e.ctx.batch_pc[0] = 0));
	BAD_CTX((e.ctx.delay_until_ns = 5, e.ctx.delay_remaining_ns = 5));
	BAD_CTX((e.ctx.delay_until_ns = 5, e.ctx.delay_flags = 2));
	BAD_CTX(e.ctx.delay_flags = PVGPU_CMD_DELAY_NOPREEMPT);
	BAD_CTX(e.ctx.fault.access = 3);
	BAD_CTX(e.ctx.fault.reason = 6);
	BAD_CTX(e.ctx.error = PVGPU_QUEUE_ERR_MAX + 1);
	BAD_CTX(e.ctx.privileged = 2);
	BAD_CTX(e.ctx.fence_addr = 8);	/* a progress block: 16-aligned */
	BAD_CTX(e.ctx.retired = 4);	/* counted with a progress block */
	BAD_CTX((e.ctx.privileged = 1, e.ctx.fence_addr = 8,
		 e.ctx.retired = 4));
	BAD_CTX((e.ctx.privileged = 1, e.ctx.fence_addr = 4));
	BAD_CTX((e.ctx.privileged = 1, e.ctx.ring_addr = ~0ull << 12,
		 e.ctx.fence_addr = 8));
#undef BAD_CTX
	/* A privileged ring is guest-physical: no VA bound applies. */
	e.ctx = good;
	e.ctx.privileged = 1;
	e.ctx.ring_addr = 1ull << 50;
	e.ctx.fence_addr = 8;
	g_assert_true(fw_engine_ctx_valid(e.g->fw, &e.ctx));
	/* A user queue's progress block, any retired. */
	e.ctx = good;
	e.ctx.fence_addr = 16;
	e.ctx.retired = ~0ull;
	g_assert_true(fw_engine_ctx_valid(e.g->fw, &e.ctx));
	e.ctx = good;

	/* Reset: back on the ring at wptr, nothing in flight. */
	e.ctx.cmd_progress = 77;
	e.ctx.error = 3;
	fw_engine_reset(e.g->fw, &e.ctx, e.r.tail);
	g_assert_cmpuint(e.ctx.rptr, ==, e.r.tail);
	g_assert_cmpuint(e.ctx.batch_depth, ==, 0);
	g_assert_cmphex(e.ctx.batch_pc[0], ==, 0);
	g_assert_cmpuint(e.ctx.cmd_progress, ==, 0);
	g_assert_cmpuint(e.ctx.error, ==, 0);
	g_assert_cmpuint(e.ctx.commands_done, ==, good.commands_done);
	g_assert_true(fw_engine_ctx_valid(e.g->fw, &e.ctx));
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_IDLE);
	g_assert_cmpuint(d32(&e, 0x100), ==, 0);	/* never finished */
	eng_free(&e);
}

/* --- Compute kernels ---------------------------------------------------- */

static uint64_t put_args(Eng *e, uint64_t off, const void *args, size_t len)
{
	gpu_vm_write(&e->vm, DATA_VA + off, args, len);
	return DATA_VA + off;
}

/* fw-engine-virgl's backends-agree: dispatch() moves to virgl after a run. */
static bool switch_after_first_run;

/* Dispatch @args, running with @budget per run; returns runs. */
static uint32_t dispatch(Eng *e, uint32_t kernel, uint64_t args,
			 uint32_t budget)
{
	GArray *c = gpu_cmds_new();
	uint32_t runs = 1;

	gpu_cmd_dispatch(c, kernel, args);
	eng_submit(e, c);
	while (eng_run(e, budget) == FW_EXEC_BUDGET) {
		runs++;
		/* As a migration to a device with the other backend would. */
		if (switch_after_first_run && runs == 2)
			pvgpu_fw_set_virgl(e->g->fw, fake_platform_virgl(NULL));
	}
	g_assert_cmpint(eng_run(e, budget), ==, FW_EXEC_IDLE);
	g_assert_cmpuint(e->ctx.rptr, ==, e->r.tail);
	return runs;
}

static void expect_dispatch_error(Eng *e, uint32_t kernel, uint64_t args)
{
	GArray *c = gpu_cmds_new();

	gpu_cmd_dispatch(c, kernel, args);
	eng_submit(e, c);
	g_assert_cmpint(eng_run(e, BIG), ==, FW_EXEC_ERROR);
	g_assert_cmpuint(e->ctx.error, ==, PVGPU_QUEUE_ERR_BAD_ARGS);
	fw_engine_reset(e->g->fw, &e->ctx, e->r.tail);
}

static void test_vector_add(void)
{
	const uint64_t n = 3000;
	struct pvgpu_kargs_vector_add k;
	uint32_t *a = g_new(uint32_t, n), *b = g_new(uint32_t, n);
	uint64_t args;
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COMPUTE);
	for (uint64_t i = 0; i < n; i++) {
		a[i] = (uint32_t)rnd();
		b[i] = (uint32_t)rnd();
		gpu_vm_wr32(&e.vm, DATA_VA + 0x10000 + 4 * i, a[i]);
		gpu_vm_wr32(&e.vm, DATA_VA + 0x20000 + 4 * i, b[i]);
	}
	k = (struct pvgpu_kargs_vector_add){
		.a = GUINT64_TO_LE(DATA_VA + 0x10000),
		.b = GUINT64_TO_LE(DATA_VA + 0x20000),
		.c = GUINT64_TO_LE(DATA_VA + 0x30008),
		.n = GUINT64_TO_LE(n),
	};
	args = put_args(&e, 0, &k, sizeof(k));
	/* c starts 8 bytes into a page: 1022 + 1024 + 954 elements. */
	g_assert_cmpuint(dispatch(&e, PVGPU_KERNEL_VECTOR_ADD_U32, args, 1),
			 ==, 3);
	for (uint64_t i = 0; i < n; i++)
		g_assert_cmphex(gpu_vm_rd32(&e.vm, DATA_VA + 0x30008 + 4 * i),
				==, a[i] + b[i]);
	g_assert_cmphex(gpu_vm_rd32(&e.vm, DATA_VA + 0x30008 + 4 * n), ==, 0);

	/* In place: c == a. */
	k.c = k.a;
	put_args(&e, 0, &k, sizeof(k));
	dispatch(&e, PVGPU_KERNEL_VECTOR_ADD_U32, args, 2);
	for (uint64_t i = 0; i < n; i++)
		g_assert_cmphex(gpu_vm_rd32(&e.vm, DATA_VA + 0x10000 + 4 * i),
				==, a[i] + b[i]);

	/* Partial overlap, misalignment, too many elements: BAD_ARGS. */
	k.c = GUINT64_TO_LE(DATA_VA + 0x10004);
	put_args(&e, 0, &k, sizeof(k));
	expect_dispatch_error(&e, PVGPU_KERNEL_VECTOR_ADD_U32, args);
	k.c = GUINT64_TO_LE(DATA_VA + 0x30002);
	put_args(&e, 0, &k, sizeof(k));
	expect_dispatch_error(&e, PVGPU_KERNEL_VECTOR_ADD_U32, args);
	k.c = GUINT64_TO_LE(DATA_VA + 0x30000);
	k.n = GUINT64_TO_LE(1ull << 32);
	put_args(&e, 0, &k, sizeof(k));
	expect_dispatch_error(&e, PVGPU_KERNEL_VECTOR_ADD_U32, args);
	/* n = 0: nothing, one unit. */
	k.n = 0;
	put_args(&e, 0, &k, sizeof(k));
	dispatch(&e, PVGPU_KERNEL_VECTOR_ADD_U32, args, 1);
	g_free(a);
	g_free(b);
	eng_free(&e);
}

static float rnd_float(void)
{
	return (float)((int64_t)(rnd() % 2000001) - 1000000) / 4096.0f;
}

static uint32_t fbits(float f)
{
	uint32_t u;

	memcpy(&u, &f, 4);
	return u;
}

static void test_saxpy(void)
{
	const uint64_t n = 5000;
	struct pvgpu_kargs_saxpy k;
	float *x = g_new(float, n), *y = g_new(float, n);
	float alpha = 1.7f;
	uint64_t args;
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COMPUTE);
	for (uint64_t i = 0; i < n; i++) {
		x[i] = rnd_float();
		y[i] = rnd_float();
		gpu_vm_wr32(&e.vm, DATA_VA + 0x10000 + 4 * i, fbits(x[i]));
		gpu_vm_wr32(&e.vm, DATA_VA + 0x20000 + 4 * i, fbits(y[i]));
	}
	k = (struct pvgpu_kargs_saxpy){
		.x = GUINT64_TO_LE(DATA_VA + 0x10000),
		.y = GUINT64_TO_LE(DATA_VA + 0x20000),
		.n = GUINT64_TO_LE(n),
		.alpha = GUINT32_TO_LE(fbits(alpha)),
	};
	args = put_args(&e, 0, &k, sizeof(k));
	g_assert_cmpuint(dispatch(&e, PVGPU_KERNEL_SAXPY_F32, args, 2), ==, 3);
	for (uint64_t i = 0; i < n; i++) {
		float ref = alpha * x[i] + y[i];

		g_assert_cmphex(gpu_vm_rd32(&e.vm, DATA_VA + 0x20000 + 4 * i),
				==, fbits(ref));
	}

	/* x == y: y = alpha * y + y. */
	k.x = k.y;
	put_args(&e, 0, &k, sizeof(k));
	dispatch(&e, PVGPU_KERNEL_SAXPY_F32, args, BIG);
	for (uint64_t i = 0; i < n; i++) {
		float y1 = alpha * x[i] + y[i];
		float ref = alpha * y1 + y1;

		g_assert_cmphex(gpu_vm_rd32(&e.vm, DATA_VA + 0x20000 + 4 * i),
				==, fbits(ref));
	}

	k.reserved = 1;
	put_args(&e, 0, &k, sizeof(k));
	expect_dispatch_error(&e, PVGPU_KERNEL_SAXPY_F32, args);
	k.reserved = 0;
	k.x = GUINT64_TO_LE(DATA_VA + 0x20004);
	put_args(&e, 0, &k, sizeof(k));
	expect_dispatch_error(&e, PVGPU_KERNEL_SAXPY_F32, args);
	g_free(x);
	g_free(y);
	eng_free(&e);
}

/* A bitwise CRC-32C, independent of the firmware's table. */
static uint32_t crc32c_ref(const uint8_t *p, size_t n)
{
	uint32_t crc = ~0u;

	while (n--) {
		crc ^= *p++;
		for (int i = 0; i < 8; i++)
			crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78u : crc >> 1;
	}
	return ~crc;
}

static void test_crc32c(void)
{
	static const char check[] = "123456789";
	const size_t n = 100003;
	struct pvgpu_kargs_crc32c k;
	uint8_t *buf = g_malloc(n);
	uint64_t args;
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COMPUTE);
	g_assert_cmphex(crc32c_ref((const uint8_t *)check, 9), ==, 0xe3069283);
	gpu_vm_write(&e.vm, DATA_VA + 0x1001, check, 9);
	k = (struct pvgpu_kargs_crc32c){
		.src = GUINT64_TO_LE(DATA_VA + 0x1001),
		.n = GUINT64_TO_LE(9),
		.result = GUINT64_TO_LE(DATA_VA + 0x100),
	};
	args = put_args(&e, 0, &k, sizeof(k));
	dispatch(&e, PVGPU_KERNEL_CRC32C, args, 1);
	g_assert_cmphex(gpu_vm_rd32(&e.vm, DATA_VA + 0x100), ==, 0xe3069283);

	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)rnd();
	gpu_vm_write(&e.vm, DATA_VA + 0x10003, buf, n);
	k.src = GUINT64_TO_LE(DATA_VA + 0x10003);
	k.n = GUINT64_TO_LE(n);
	put_args(&e, 0, &k, sizeof(k));
	/* 4093 bytes to the first page end, then 23 pages, then 1702. */
	g_assert_cmpuint(dispatch(&e, PVGPU_KERNEL_CRC32C, args, 1), ==, 25);
	g_assert_cmphex(gpu_vm_rd32(&e.vm, DATA_VA + 0x100), ==,
			crc32c_ref(buf, n));

	/* Empty: CRC 0. Bad: misaligned result, n >= 2^32. */
	k.n = 0;
	put_args(&e, 0, &k, sizeof(k));
	dispatch(&e, PVGPU_KERNEL_CRC32C, args, 1);
	g_assert_cmphex(gpu_vm_rd32(&e.vm, DATA_VA + 0x100), ==, 0);
	k.result = GUINT64_TO_LE(DATA_VA + 0x102);
	put_args(&e, 0, &k, sizeof(k));
	expect_dispatch_error(&e, PVGPU_KERNEL_CRC32C, args);
	k.result = GUINT64_TO_LE(DATA_VA + 0x100);
	k.n = GUINT64_TO_LE(1ull << 32);
	put_args(&e, 0, &k, sizeof(k));
	expect_dispatch_error(&e, PVGPU_KERNEL_CRC32C, args);

	/* A fault on the source half-way: the replay continues the CRC. */
	k.src = GUINT64_TO_LE(HOLE_VA - 5000);
	k.n = GUINT64_TO_LE(9000);
	put_args(&e, 0, &k, sizeof(k));
	gpu_vm_alloc(&e.vm, HOLE_VA - 2 * GPU_4K, 2 * GPU_4K, RW);
	gpu_vm_write(&e.vm, HOLE_VA - 5000, buf, 5000);
	{
		GArray *c = gpu_cmds_new();

		gpu_cmd_dispatch(c, PVGPU_KERNEL_CRC32C, args);
		eng_submit(&e, c);
	}
	g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_FAULT);
	g_assert_cmphex(e.ctx.fault.va, ==, HOLE_VA);
	g_assert_cmpuint((uint32_t)e.ctx.cmd_progress, ==, 5000);
	gpu_vm_alloc(&e.vm, HOLE_VA, 2 * GPU_4K, RW);
	gpu_vm_write(&e.vm, HOLE_VA, buf + 5000, 4000);
	expect_idle(&e);
	g_assert_cmphex(gpu_vm_rd32(&e.vm, DATA_VA + 0x100), ==,
			crc32c_ref(buf, 9000));
	g_free(buf);
	eng_free(&e);
}

static void matmul_ref(const float *a, const float *b, float *c, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = 0; j < n; j++) {
			float acc = 0.0f;

			for (uint32_t k = 0; k < n; k++)
				acc += a[i * n + k] * b[k * n + j];
			c[i * n + j] = acc;
		}
}

/* The n of the n x n matmul cases (test_matmul's data). */
static const unsigned int matmul_sizes[] = { 1, 7, 64, 256 };

static void test_matmul(gconstpointer data)
{
	uint32_t n = GPOINTER_TO_UINT(data), row_cost, rows_per_run;
	uint64_t bytes = 4ull * n * n;
	uint64_t va_a = 0x100000000ull, va_b = 0x110000000ull;
	uint64_t va_c = 0x120000000ull;
	float *a = g_new(float, n * n), *b = g_new(float, n * n);
	float *ref = g_new(float, n * n);
	struct pvgpu_kargs_matmul k;
	uint64_t args;
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COMPUTE);
	gpu_vm_alloc(&e.vm, va_a, bytes, 0);
	gpu_vm_alloc(&e.vm, va_b, bytes, 0);
	gpu_vm_alloc(&e.vm, va_c, bytes + 4, RW);
	for (uint32_t i = 0; i < n * n; i++) {
		a[i] = rnd_float();
		b[i] = rnd_float();
		gpu_vm_wr32(&e.vm, va_a + 4 * i, fbits(a[i]));
		gpu_vm_wr32(&e.vm, va_b + 4 * i, fbits(b[i]));
	}
	matmul_ref(a, b, ref, n);
	k = (struct pvgpu_kargs_matmul){
		.a = GUINT64_TO_LE(va_a),
		.b = GUINT64_TO_LE(va_b),
		.c = GUINT64_TO_LE(va_c),
		.n = GUINT32_TO_LE(n),
	};
	args = put_args(&e, 0, &k, sizeof(k));
	/*
	 * A row costs ceil(n * n / 1024) units, and a run goes on with rows
	 * while it has budget left.
	 */
	row_cost = (n * n + 1023) / 1024;
	rows_per_run = (100 + row_cost - 1) / row_cost;
	g_assert_cmpuint(dispatch(&e, PVGPU_KERNEL_MATMUL_F32, args, 100), ==,
			 (n + rows_per_run - 1) / rows_per_run);
	for (uint32_t i = 0; i < n * n; i++)
		g_assert_cmphex(gpu_vm_rd32(&e.vm, va_c + 4 * i), ==,
				fbits(ref[i]));
	g_assert_cmphex(gpu_vm_rd32(&e.vm, va_c + bytes), ==, 0);

	if (n == 7) {
		k.n = 0;
		put_args(&e, 0, &k, sizeof(k));
		expect_dispatch_error(&e, PVGPU_KERNEL_MATMUL_F32, args);
		k.n = GUINT32_TO_LE(257);
		put_args(&e, 0, &k, sizeof(k));
		expect_dispatch_error(&e, PVGPU_KERNEL_MATMUL_F32, args);
		k.n = GUINT32_TO_LE(n);
		k.reserved = 1;
		put_args(&e, 0, &k, sizeof(k));
		expect_dispatch_error(&e, PVGPU_KERNEL_MATMUL_F32, args);
		k.reserved = 0;
		k.c = GUINT64_TO_LE(va_b + 4);	/* c overlaps b */
		put_args(&e, 0, &k, sizeof(k));
		expect_dispatch_error(&e, PVGPU_KERNEL_MATMUL_F32, args);
		k.c = k.a;
		put_args(&e, 0, &k, sizeof(k));
		expect_dispatch_error(&e, PVGPU_KERNEL_MATMUL_F32, args);
		/* c read-only: faults at the first row, nothing done. */
		k.c = GUINT64_TO_LE(va_a + 0x10000);
		gpu_vm_alloc(&e.vm, va_a + 0x10000, GPU_4K, 0);
		put_args(&e, 0, &k, sizeof(k));
		{
			GArray *c = gpu_cmds_new();

			gpu_cmd_dispatch(c, PVGPU_KERNEL_MATMUL_F32, args);
			eng_submit(&e, c);
		}
		g_assert_cmpint(eng_run(&e, BIG), ==, FW_EXEC_FAULT);
		g_assert_cmpuint(e.ctx.fault.reason, ==,
				 PVGPU_FAULT_WRITE_PROTECT);
		g_assert_cmpuint(e.ctx.cmd_progress, ==, 0);
	}
	g_free(a);
	g_free(b);
	g_free(ref);
	eng_free(&e);
}

/* --- Chunked commands (PVGPU_CMD_ATTR_CHUNKED) ---------------------------- */

/*
 * One instance of a chunked command that takes several chunks: what it
 * needs in the data area, then the command; its effect lands in
 * [out_off, out_off + out_len) of the data area.
 */
typedef struct ChunkedCase {
	uint32_t op;
	uint32_t cls;
	void (*setup)(Eng *e, GArray *c);
	uint64_t out_off, out_len;
} ChunkedCase;

/* From an unaligned source to an unaligned destination: 4 chunks. */
static void chunked_copy(Eng *e, GArray *c)
{
	for (uint64_t i = 0; i < 0x4000; i++)
		e->g->fp->ram[e->data_pa + i] = (uint8_t)rnd();
	gpu_cmd_copy(c, DATA_VA + 1, DATA_VA + 0x40003, 3 * 4096 + 100);
}

/* Over three page boundaries, around bytes it must keep: 4 chunks. */
static void chunked_fill(Eng *e, GArray *c)
{
	memset(e->g->fp->ram + e->data_pa + 0x40000, 0x5a, 0x5000);
	gpu_cmd_fill(c, DATA_VA + 0x40ff8, 3 * 4096 + 8, (uint32_t)rnd());
}

/* 3000 elements, c 8 bytes into a page: 3 chunks. */
static void chunked_dispatch(Eng *e, GArray *c)
{
	struct pvgpu_kargs_vector_add k = {
		.a = GUINT64_TO_LE(DATA_VA + 0x10000),
		.b = GUINT64_TO_LE(DATA_VA + 0x20000),
		.c = GUINT64_TO_LE(DATA_VA + 0x40008),
		.n = GUINT64_TO_LE(3000),
	};

	for (uint64_t i = 0; i < 2 * 0x10000; i += 4)
		gpu_vm_wr32(&e->vm, DATA_VA + 0x10000 + i, (uint32_t)rnd());
	gpu_cmd_dispatch(c, PVGPU_KERNEL_VECTOR_ADD_U32,
			 put_args(e, 0, &k, sizeof(k)));
}

static const ChunkedCase chunked_cases[] = {
	{ PVGPU_CMD_COPY, PVGPU_ENGINE_CLASS_COPY, chunked_copy,
	  0x40000, 0x4000 },
	{ PVGPU_CMD_FILL, PVGPU_ENGINE_CLASS_COPY, chunked_fill,
	  0x40000, 0x5000 },
	{ PVGPU_CMD_DISPATCH, PVGPU_ENGINE_CLASS_COMPUTE, chunked_dispatch,
	  0x40000, 0x4000 },
};

/* A fresh engine with the case's command on the ring (same data each time). */
static void chunked_start(Eng *e, const ChunkedCase *cc)
{
	GArray *c = gpu_cmds_new();

	eng_init(e, cc->cls);
	rng_state = 0x2545f4914f6cdd1dull;
	cc->setup(e, c);
	g_assert_cmpuint(PVGPU_CMD_OPCODE(g_array_index(c, uint32_t, 0)), ==,
			 cc->op);
	eng_submit(e, c);
}

/*
 * What every chunked command (each row of PVGPU_CMD_TABLE with
 * PVGPU_CMD_ATTR_CHUNKED, test data: its opcode) must do: cost one unit
 * per chunk; with a budget of one unit run one chunk at a time, keeping
 * its progress in cmd_progress and staying unconsumed until the last; end
 * with what it writes when run at once; and, all its state being in
 * FwExecCtx, end the same again when the context and memory saved between
 * two chunks (as a migration saves them) are put back.
 */
static void test_chunked(gconstpointer data)
{
	uint32_t op = GPOINTER_TO_UINT(data);
	const ChunkedCase *cc = NULL;
	uint8_t *ref, *saved_mem = NULL;
	uint32_t chunks;
	FwExecCtx saved;
	Eng e;

	for (size_t i = 0; i < G_N_ELEMENTS(chunked_cases); i++)
		if (chunked_cases[i].op == op)
			cc = &chunked_cases[i];
	g_assert_nonnull(cc);	/* a new chunked command needs a case */

	/* All at once. */
	chunked_start(&e, cc);
	expect_idle(&e);
	chunks = BIG - e.left;
	g_assert_cmpuint(chunks, >=, 3);
	g_assert_cmpuint(e.ctx.commands_done, ==, 1);
	ref = g_memdup2(e.g->fp->ram + e.data_pa + cc->out_off, cc->out_len);
	eng_free(&e);

	/* One chunk per run. */
	chunked_start(&e, cc);
	for (uint32_t i = 1; i < chunks; i++) {
		uint64_t before = e.ctx.cmd_progress;

		g_assert_cmpint(eng_run(&e, 1), ==, FW_EXEC_BUDGET);
		g_assert_cmpuint(e.left, ==, 0);
		g_assert_cmpuint(e.ctx.cmd_progress, >, before);
		g_assert_cmpuint(e.ctx.commands_done, ==, 0);
		g_assert_cmpuint(e.ctx.rptr, ==, 0);
		g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, 0);
		g_assert_true(fw_engine_ctx_valid(e.g->fw, &e.ctx));
		if (i == 1) {
			saved = e.ctx;
			saved_mem = g_memdup2(e.g->fp->ram + e.data_pa,
					      DATA_SIZE);
		}
	}
	g_assert_cmpint(eng_run(&e, 1), ==, FW_EXEC_IDLE);
	g_assert_cmpuint(e.left, ==, 0);
	g_assert_cmpuint(e.ctx.cmd_progress, ==, 0);
	g_assert_cmpuint(e.ctx.commands_done, ==, 1);
	g_assert_cmpuint(gpu_ring_rptr(&e.r), ==, e.r.tail);
	g_assert_cmpmem(e.g->fp->ram + e.data_pa + cc->out_off, cc->out_len,
			ref, cc->out_len);

	/* Again from after the first chunk: the same chunks, the same end. */
	e.ctx = saved;
	memcpy(e.g->fp->ram + e.data_pa, saved_mem, DATA_SIZE);
	g_free(saved_mem);
	expect_idle(&e);
	g_assert_cmpuint(BIG - e.left, ==, chunks - 1);
	g_assert_cmpuint(e.ctx.commands_done, ==, 1);
	g_assert_cmpmem(e.g->fp->ram + e.data_pa + cc->out_off, cc->out_len,
			ref, cc->out_len);
	g_free(ref);
	eng_free(&e);
}

/* --- The virgl backend (fw-engine-virgl only) -------------------------- */

/*
 * One random DISPATCH of @kernel on @e, run with budget @budget per run;
 * its output region is [out_va, out_va + *out_len). Returns the runs.
 */
static uint32_t random_dispatch(Eng *e, uint32_t kernel, uint32_t seed,
				uint32_t budget, uint64_t *out_va,
				uint64_t *out_len)
{
	uint64_t in0 = DATA_VA + 0x10000, in1 = DATA_VA + 0x50000;
	uint64_t out = DATA_VA + 0x90000 + 4 * (seed % 1024);
	uint32_t n = 1 + seed % 60000, runs;
	uint8_t blob[0x40];

	uint32_t *words = g_new(uint32_t, 0x80000 / 4);

	for (uint32_t i = 0; i < 0x80000 / 4; i++)
		words[i] = GUINT32_TO_LE(kernel == PVGPU_KERNEL_SAXPY_F32 ||
					 kernel == PVGPU_KERNEL_MATMUL_F32 ?
					 fbits(rnd_float()) : (uint32_t)rnd());
	gpu_vm_write(&e->vm, in0, words, 0x80000);
	g_free(words);
	memset(blob, 0, sizeof(blob));
	switch (kernel) {
	case PVGPU_KERNEL_VECTOR_ADD_U32: {
		struct pvgpu_kargs_vector_add k = {
			.a = GUINT64_TO_LE(in0), .b = GUINT64_TO_LE(in1),
			.c = GUINT64_TO_LE(out), .n = GUINT64_TO_LE(n) };

		memcpy(blob, &k, sizeof(k));
		*out_len = 4ull * n;
		break;
	}
	case PVGPU_KERNEL_SAXPY_F32: {
		struct pvgpu_kargs_saxpy k = {
			.x = GUINT64_TO_LE(in0), .y = GUINT64_TO_LE(in1),
			.n = GUINT64_TO_LE(n),
			.alpha = GUINT32_TO_LE(fbits(rnd_float())) };

		memcpy(blob, &k, sizeof(k));
		out = in1;
		*out_len = 4ull * n;
		break;
	}
	case PVGPU_KERNEL_CRC32C: {
		struct pvgpu_kargs_crc32c k = {
			.src = GUINT64_TO_LE(in0 + seed % 4096),
			.n = GUINT64_TO_LE(4 * n),
			.result = GUINT64_TO_LE(out) };

		memcpy(blob, &k, sizeof(k));
		*out_len = 4;
		break;
	}
	default: {
		uint32_t dim = 1 + seed % 128;
		struct pvgpu_kargs_matmul k = {
			.a = GUINT64_TO_LE(in0), .b = GUINT64_TO_LE(in1),
			.c = GUINT64_TO_LE(out), .n = GUINT32_TO_LE(dim) };

		memcpy(blob, &k, sizeof(k));
		*out_len = 4ull * dim * dim;
		break;
	}
	}
	*out_va = out;
	runs = dispatch(e, kernel, put_args(e, 0, blob, sizeof(blob)),
			budget);
	return runs;
}

/*
 * Both backends, the same random work and budgets: the same bytes in the
 * same number of runs (the virgl loops keep the CPU loops' chunks).
 */
static void test_backends_agree(void)
{
	static const uint32_t kernels[] = {
		PVGPU_KERNEL_VECTOR_ADD_U32, PVGPU_KERNEL_SAXPY_F32,
		PVGPU_KERNEL_CRC32C, PVGPU_KERNEL_MATMUL_F32,
	};

	for (uint32_t round = 0; round < 24; round++) {
		uint32_t kernel = kernels[round % 4];
		uint32_t seed = (uint32_t)rnd();
		uint32_t budget = round < 8 ? BIG : 1 + (uint32_t)(rnd() % 40);
		uint64_t state = rng_state, out_va[3], out_len[3];
		uint32_t runs[3];
		uint8_t *bytes[3];

		/* CPU, virgl, and CPU for the first run then virgl. */
		for (int b = 0; b < 3; b++) {
			Eng e;

			rng_state = state;
			eng_init(&e, PVGPU_ENGINE_CLASS_COMPUTE);
			if (b != 1)
				pvgpu_fw_set_virgl(e.g->fw, NULL);
			switch_after_first_run = b == 2;
			runs[b] = random_dispatch(&e, kernel, seed, budget,
						  &out_va[b], &out_len[b]);
			bytes[b] = g_malloc(out_len[b]);
			gpu_vm_read(&e.vm, out_va[b], bytes[b], out_len[b]);
			eng_free(&e);
		}
		switch_after_first_run = false;
		for (int b = 1; b < 3; b++) {
			g_assert_cmpuint(runs[0], ==, runs[b]);
			g_assert_cmpmem(bytes[0], out_len[0], bytes[b],
					out_len[b]);
		}
		for (int b = 0; b < 3; b++)
			g_free(bytes[b]);
	}
}

/* Set up a 3000-element VECTOR_ADD on @e whose output c starts zeroed. */
static uint64_t backend_add_args(Eng *e)
{
	struct pvgpu_kargs_vector_add k = {
		.a = GUINT64_TO_LE(DATA_VA + 0x10000),
		.b = GUINT64_TO_LE(DATA_VA + 0x20000),
		.c = GUINT64_TO_LE(DATA_VA + 0x30000),
		.n = GUINT64_TO_LE(3000),
	};

	for (uint64_t i = 0; i < 3000; i++) {
		gpu_vm_wr32(&e->vm, DATA_VA + 0x10000 + 4 * i, (uint32_t)i);
		gpu_vm_wr32(&e->vm, DATA_VA + 0x20000 + 4 * i, 7);
	}
	return put_args(e, 0, &k, sizeof(k));
}

/* The DISPATCH at the ring's head fails with BACKEND @code, writing nothing. */
static void expect_backend_error(Eng *e, uint64_t args, uint32_t code)
{
	GArray *c = gpu_cmds_new();

	gpu_cmd_dispatch(c, PVGPU_KERNEL_VECTOR_ADD_U32, args);
	eng_submit(e, c);
	g_assert_cmpint(eng_run(e, BIG), ==, FW_EXEC_ERROR);
	g_assert_cmpuint(e->ctx.error, ==, PVGPU_QUEUE_ERR_BACKEND);
	g_assert_cmpuint(e->ctx.fault.reason, ==, code);
	g_assert_true(fw_engine_ctx_valid(e->g->fw, &e->ctx));
	g_assert_cmphex(gpu_vm_rd32(&e->vm, DATA_VA + 0x30000), ==, 0);
	fw_engine_reset(e->g->fw, &e->ctx, e->r.tail);
}

/* The same DISPATCH now works: the backend recovered. */
static void expect_backend_works(Eng *e, uint64_t args)
{
	dispatch(e, PVGPU_KERNEL_VECTOR_ADD_U32, args, BIG);
	for (uint64_t i = 0; i < 3000; i++)
		g_assert_cmphex(gpu_vm_rd32(&e->vm, DATA_VA + 0x30000 + 4 * i),
				==, (uint32_t)i + 7);
}

/* A virglrenderer error fails that queue's command; the next one works. */
static void test_backend_gl_error(void)
{
	FwVirgl *v = fake_platform_virgl(NULL);
	uint64_t args;
	Eng e;

	eng_init(&e, PVGPU_ENGINE_CLASS_COMPUTE);
	args = backend_add_args(&e);
	g_assert_true(fw_virgl_inject(v, PVGPU_VW_OP_INJECT_GL_ERROR));
	expect_backend_error(&e, args, PVGPU_BACKEND_ERR_GL);
	expect_backend_works(&e, args);
	eng_free(&e);
}

/*
 * A worker that stops answering, or dies, costs the command it ran: the
 * deadline (or the closed socket) ends the wait, and a new worker runs
 * the next one.
 */
static void test_backend_hang_and_death(void)
{
	const char *path = g_getenv("PVGPU_TEST_VIRGL_WORKER");
	FwVirglStats st;
	char *err = NULL;
	uint64_t args;
	FwVirgl *v;
	Eng e;

	v = fw_virgl_new(path, 300, &err);
	g_assert_null(err);
	eng_init(&e, PVGPU_ENGINE_CLASS_COMPUTE);
	pvgpu_fw_set_virgl(e.g->fw, v);
	args = backend_add_args(&e);

	g_assert_true(fw_virgl_inject(v, PVGPU_VW_OP_INJECT_HANG));
	expect_backend_error(&e, args, PVGPU_BACKEND_ERR_TIMEOUT);
	g_assert_cmpint(fw_virgl_worker_pid(v), ==, 0);
	expect_backend_works(&e, args);

	g_assert_cmpint(fw_virgl_worker_pid(v), >, 0);
	g_assert_cmpint(kill(fw_virgl_worker_pid(v), SIGKILL), ==, 0);
	for (uint64_t i = 0; i < 3000; i++)
		gpu_vm_wr32(&e.vm, DATA_VA + 0x30000 + 4 * i, 0);
	expect_backend_error(&e, args, PVGPU_BACKEND_ERR_WORKER_DIED);
	expect_backend_works(&e, args);

	fw_virgl_stats(v, &st);
	g_assert_cmpuint(st.restarts, ==, 2);
	g_assert_cmpuint(st.failures, ==, 2);
	eng_free(&e);
	fw_virgl_free(v);
}

int main(int argc, char **argv)
{
	const char *why;

	/*
	 * fw-engine-virgl: every test below on the virgl backend, plus the
	 * backend's own; a host without GL skips them all, saying why.
	 */
	if (g_getenv("PVGPU_TEST_VIRGL_WORKER") && !fake_platform_virgl(&why)) {
		printf("1..0 # SKIP virgl backend unavailable: %s\n", why);
		return 0;
	}
	g_test_init(&argc, &argv, NULL);
	if (fake_platform_virgl(NULL)) {
		g_test_add_func("/engine/virgl/backends-agree",
				test_backends_agree);
		g_test_add_func("/engine/virgl/gl-error",
				test_backend_gl_error);
		g_test_add_func("/engine/virgl/hang-and-death",
				test_backend_hang_and_death);
	}
	g_test_add_func("/engine/store-nop-timestamp", test_store_nop);
	g_test_add_func("/engine/budget", test_budget);
	g_test_add_func("/engine/ring-wrap", test_ring_wrap);
	for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
		char *path = g_strdup_printf("/engine/bad/%s",
					     bad_cases[i].name);

		g_test_add_data_func(path, &bad_cases[i], test_bad_command);
		g_free(path);
	}
	g_test_add_func("/engine/batch/nesting", test_batch_nesting);
	g_test_add_func("/engine/batch/runaway", test_batch_runaway);
	g_test_add_func("/engine/copy/chunked-8m", test_copy_chunked);
	g_test_add_func("/engine/copy/unaligned", test_copy_unaligned);
	g_test_add_func("/engine/fill", test_fill);
	g_test_add_func("/engine/atomic/ops", test_atomics);
	g_test_add_func("/engine/atomic/bad-pa-result",
			test_atomic_bad_pa_result);
	g_test_add_func("/engine/atomic/fault-replay",
			test_atomic_fault_replay);
	for (size_t i = 0; i < G_N_ELEMENTS(wait_cases); i++) {
		char *path = g_strdup_printf("/engine/wait/%zu", i);

		g_test_add_data_func(path, &wait_cases[i], test_wait);
		g_free(path);
	}
	g_test_add_func("/engine/wait/fault", test_wait_fault);
	g_test_add_func("/engine/signal", test_signal);
	g_test_add_func("/engine/privileged/fence", test_fence_privileged);
	g_test_add_func("/engine/privileged/fence-after-batch",
			test_fence_after_batch);
	g_test_add_func("/engine/privileged/fence-refused",
			test_fence_refused);
	g_test_add_func("/engine/privileged/ring-unreachable",
			test_privileged_ring_unreachable);
	g_test_add_func("/engine/privileged/bad-memory",
			test_privileged_bad_memory);
	g_test_add_func("/engine/progress/retired", test_progress_retired);
	g_test_add_func("/engine/progress/wrap", test_progress_wrap);
	g_test_add_func("/engine/progress/notify", test_progress_notify);
	g_test_add_func("/engine/progress/batch", test_progress_batch);
	g_test_add_func("/engine/progress/bad-memory",
			test_progress_bad_memory);
	g_test_add_func("/engine/delay", test_delay);
	g_test_add_func("/engine/fault/replay", test_fault_replay);
	g_test_add_func("/engine/fault/fetch", test_fetch_fault);
	g_test_add_func("/engine/pointers", test_bad_pointers);
	g_test_add_func("/engine/reset-and-valid", test_reset_and_valid);
	g_test_add_func("/engine/kernel/vector-add", test_vector_add);
	g_test_add_func("/engine/kernel/saxpy", test_saxpy);
	g_test_add_func("/engine/kernel/crc32c", test_crc32c);
	gpu_test_add_uint_cases("/engine/kernel/matmul-", matmul_sizes,
				G_N_ELEMENTS(matmul_sizes), test_matmul);
#define ADD_CHUNKED_TEST(name, op, len_dw, flags, engines, attrs)	\
	if ((attrs) & PVGPU_CMD_ATTR_CHUNKED)				\
		g_test_add_data_func("/engine/chunked/" #name,		\
				     GUINT_TO_POINTER(op), test_chunked);
	PVGPU_CMD_TABLE(ADD_CHUNKED_TEST)
#undef ADD_CHUNKED_TEST
	return g_test_run();
}
