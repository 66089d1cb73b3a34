// SPDX-License-Identifier: MIT
/*
 * pvgpu_compute: the compute engine's built-in kernels (DISPATCH;
 * docs/commands.rst, "Compute kernels"), checked element by element and bit
 * for bit against the same loops run here on the CPU. The device may run
 * them on its CPU backend or on the host's GPU (-device pvgpu,backend=virgl,
 * DRM_PVGPU_DEVICE_BACKEND_VIRGL): the results must be the same bytes, so
 * every subtest but backend-gl-error runs on both.
 *
 * Each kernel runs over several sizes (1, odd sizes, arrays that start in
 * the middle of a page, 1 MiB) and in place where the spec allows it;
 * nothing but the output may change (the whole buffer is compared with a
 * snapshot). Floating point: IEEE specials (infinities, NaN, signed zeros,
 * products that overflow or that stay just normal), and apart from them
 * subnormal inputs and results (float-subnormal), which a GPU may flush to
 * zero. Four compute queues run a different kernel each at once. Bad
 * arguments stop the queue with BAD_ARGS, an unmapped output with
 * PAGE_FAULT, a failure injected into the virgl backend with BACKEND, and
 * nothing else is harmed.
 */
/*
 * The reference loops must round every product before it is added, as the
 * device does (no fused multiply-add): no contraction. x86-64 evaluates
 * float in float (FLT_EVAL_METHOD 0, asserted below).
 */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#define _GNU_SOURCE
#include <float.h>
#include <limits.h>
#include <linux/sync_file.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "igt_lite.h"
#include "pvgpu_test.h"
#include "libpvgpu.h"
#include "pvgpu_cmds.h"
#include "pvgpu_gpu.h"
#include "pvgpu_regs.h"

_Static_assert(FLT_EVAL_METHOD == 0,
	       "the reference loops need float arithmetic rounded to float");

#define SEC		1000000000ll
#define TIMEOUT		(60 * SEC)
#define MIB		(1ull << 20)
#define PAGE		4096ull
#define DATA_VA		0x200000000ull
#define DATA_SIZE	(8 * MIB)
/* Nothing is ever bound here. */
#define UNMAPPED_VA	0x300000000ull
#define BATCH_SLOT	0x400u	/* bytes per batch in the context's BO */
/* What the data buffer holds where no input or output is. */
#define FILL_BYTE	0xa5
#define F32_ONE		0x3f800000u
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- buffers ---------------------------------------------------------- */

/* A buffer object mapped for the CPU and at @va in @vm_id. */
struct data_bo {
	uint32_t handle;
	uint8_t *map;
	uint64_t va;
	uint64_t size;
};

static void data_bo_init(int fd, uint32_t vm_id, struct data_bo *d,
			 uint64_t va, uint64_t size)
{
	d->va = va;
	d->size = size;
	igt_assert_eq(pvgpu_bo_create(fd, size, 0, &d->handle), 0);
	d->map = pvgpu_bo_map(fd, d->handle, size);
	igt_assert(d->map);
	memset(d->map, FILL_BYTE, size);
	igt_assert_eq(pvgpu_bind_map(fd, vm_id, d->handle, 0, va, size, 0), 0);
}

static void data_bo_fini(int fd, uint32_t vm_id, struct data_bo *d)
{
	pvgpu_bind_unmap(fd, vm_id, d->va, d->size);
	munmap(d->map, d->size);
	pvgpu_gem_close(fd, d->handle);
}

/* The GPU VA of a CPU pointer into @d. */
static uint64_t gva(const struct data_bo *d, const void *p)
{
	return d->va + (uint64_t)((const uint8_t *)p - d->map);
}

/*
 * Places arrays in a data buffer: each one @page_off bytes into a page of
 * its own, at least a page after the previous one ends, so what lies
 * between them shows any write out of bounds. The argument block is at
 * the start of the buffer.
 */
struct layout {
	struct data_bo *d;
	uint64_t next;
};

static void layout_init(struct layout *l, struct data_bo *d, uint64_t start)
{
	l->d = d;
	l->next = start;
}

static void *place(struct layout *l, uint64_t bytes, uint64_t page_off)
{
	uint64_t off = ((l->next + PAGE) & ~(PAGE - 1)) + page_off;

	igt_assert_lte_u64(off + bytes + PAGE, l->d->size);
	l->next = off + bytes;
	return l->d->map + off;
}

/* Bytes of @l's buffer in use, with the gap after the last array. */
static uint64_t layout_used(const struct layout *l)
{
	return l->next + PAGE;
}

/* ---- snapshots: nothing but the outputs changes ----------------------- */

static uint8_t *snapshot(const struct data_bo *d, uint64_t len)
{
	uint8_t *s = malloc(len);

	igt_assert(s);
	memcpy(s, d->map, len);
	return s;
}

/* @p (@len bytes) was checked already: its new contents are expected. */
static void snapshot_accept(const struct data_bo *d, uint8_t *snap,
			    const void *p, uint64_t len)
{
	uint64_t off = (const uint8_t *)p - d->map;

	memcpy(snap + off, p, len);
}

static void snapshot_check(const char *what, const struct data_bo *d,
			   const uint8_t *snap, uint64_t len)
{
	uint64_t i;

	if (!memcmp(snap, d->map, len))
		return;
	for (i = 0; i < len && snap[i] == d->map[i]; i++)
		;
	igt_fail_f("%s: byte %#llx of the buffer (GPU VA %#llx) changed from %#x to %#x\n",
		   what, (unsigned long long)i,
		   (unsigned long long)(d->va + i), snap[i], d->map[i]);
}

/* ---- reference values and their comparison ---------------------------- */

static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
}

/* xorshift64*: the same numbers on every run. */
static uint32_t rnd32(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static float f32(uint32_t bits)
{
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

static uint32_t bits32(float f)
{
	uint32_t bits;

	memcpy(&bits, &f, sizeof(bits));
	return bits;
}

static bool is_nan32(uint32_t bits)
{
	return (bits & 0x7fffffffu) > 0x7f800000u;
}

static bool is_subnormal32(uint32_t bits)
{
	return !(bits & 0x7f800000u) && (bits & 0x007fffffu);
}

/*
 * A normal binary32 of random sign and mantissa with exponent in
 * [emin, emax]: sums and products of such values stay far from the
 * subnormal range unless they cancel to exactly 0.
 */
static uint32_t rand_normal32(int emin, int emax)
{
	int e = emin + (int)(rnd32() % (uint32_t)(emax - emin + 1));

	return (rnd32() & 0x80000000u) | (uint32_t)(e + 127) << 23 |
	       (rnd32() & 0x007fffffu);
}

static void ref_vector_add(const uint32_t *a, const uint32_t *b, uint32_t *c,
			   uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		c[i] = a[i] + b[i];
}

/* y[i] = alpha * x[i] + y[i]: the float product rounded, then the sum. */
static void ref_saxpy(uint32_t alpha, const uint32_t *x, uint32_t *y,
		      uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		y[i] = bits32(f32(alpha) * f32(x[i]) + f32(y[i]));
}

/* Each c[i][j] summed over k = 0 .. n - 1 in order, from +0.0f. */
static void ref_matmul(const uint32_t *a, const uint32_t *b, uint32_t *c,
		       uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = 0; j < n; j++) {
			float acc = 0.0f;

			for (uint32_t k = 0; k < n; k++)
				acc += f32(a[i * n + k]) * f32(b[k * n + j]);
			c[i * n + j] = bits32(acc);
		}
}

/* CRC-32C: reflected polynomial 0x82f63b78, init and final inversion. */
static uint32_t ref_crc32c(const uint8_t *p, uint64_t n)
{
	static uint32_t table[256];
	uint32_t crc = 0xffffffffu;

	if (!table[1])
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t r = i;

			for (int bit = 0; bit < 8; bit++)
				r = (r >> 1) ^ (0x82f63b78u & -(r & 1));
			table[i] = r;
		}
	while (n--)
		crc = (crc >> 8) ^ table[(crc ^ *p++) & 0xff];
	return ~crc;
}

static void check_u32(const char *what, const uint32_t *got,
		      const uint32_t *want, uint64_t n)
{
	uint64_t bad = 0, first = 0;

	for (uint64_t i = 0; i < n; i++)
		if (got[i] != want[i] && !bad++)
			first = i;
	igt_assert_f(!bad,
		     "%s: %llu of %llu elements differ; first [%llu]: got %#x, expected %#x\n",
		     what, (unsigned long long)bad, (unsigned long long)n,
		     (unsigned long long)first, got[first], want[first]);
}

/*
 * Floats compare bit for bit, except NaN: any NaN matches an expected NaN,
 * since neither the CPU nor a GPU promises which payload (or sign) a NaN
 * result carries. Everything else, signed zeros and infinities included,
 * must be exact. The first mismatches are printed with their inputs'
 * index so a failure on one backend can be told from a flush to zero.
 */
static void check_f32(const char *what, const uint32_t *got,
		      const uint32_t *want, uint64_t n)
{
	uint64_t bad = 0, flushed = 0, first = 0;

	for (uint64_t i = 0; i < n; i++) {
		bool ok = is_nan32(want[i]) ? is_nan32(got[i]) :
			  got[i] == want[i];

		if (ok)
			continue;
		if (is_subnormal32(want[i]) && !(got[i] & 0x7fffffffu))
			flushed++;
		if (bad++ < 8)
			igt_info("%s: [%llu] got %#010x (%a), expected %#010x (%a)\n",
				 what, (unsigned long long)i, got[i],
				 f32(got[i]), want[i], f32(want[i]));
		if (bad == 1)
			first = i;
	}
	igt_assert_f(!bad,
		     "%s: %llu of %llu elements differ (%llu of them a subnormal result returned as zero); first [%llu]: got %#x, expected %#x\n",
		     what, (unsigned long long)bad, (unsigned long long)n,
		     (unsigned long long)flushed, (unsigned long long)first,
		     got[first], want[first]);
}

/* The exact subtests keep away from subnormals: a test bug otherwise. */
static void assert_no_subnormal(const char *what, const uint32_t *v,
				uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		igt_assert_f(!is_subnormal32(v[i]),
			     "%s: test bug: [%llu] = %#x is subnormal\n", what,
			     (unsigned long long)i, v[i]);
}

static void fill_normal(uint32_t *v, uint64_t n, int emin, int emax)
{
	for (uint64_t i = 0; i < n; i++)
		v[i] = rand_normal32(emin, emax);
}

static void fill_random(void *p, uint64_t bytes)
{
	uint8_t *b = p;

	for (uint64_t i = 0; i < bytes; i++)
		b[i] = rnd32();
}

/* ---- submission ------------------------------------------------------- */

static int open_render(void)
{
	return igt_open_pvgpu_render(NULL, 0);
}

/* DISPATCH of @kernel with its arguments at @args_va; the fence's status. */
static int dispatch_status(struct pvgpu_ctx *ctx, uint32_t kernel,
			   uint64_t args_va)
{
	struct pvgpu_batch b;

	pvgpu_batch_reset(&b);
	pvgpu_batch_dispatch(&b, kernel, args_va);
	pvgpu_batch_end(&b);
	igt_assert_eq(pvgpu_ctx_run(ctx, &b, TIMEOUT), 0);
	return syncobj_status(ctx->fd, ctx->syncobj);
}

static void dispatch(struct pvgpu_ctx *ctx, uint32_t kernel,
		     uint64_t args_va)
{
	igt_assert_eq(dispatch_status(ctx, kernel, args_va), 1);
}

/* Runs @b on @queue of @ctx's VM from batch slot @slot; waits for it. */
static int run_on_queue(struct pvgpu_ctx *ctx, uint32_t queue,
			unsigned int slot, const struct pvgpu_batch *b)
{
	uint64_t va = PVGPU_CTX_BATCH_VA + slot * BATCH_SLOT;
	uint32_t so;
	struct drm_pvgpu_sync out;
	int st;

	igt_assert_lte(b->len * 4, BATCH_SLOT);
	memcpy((uint8_t *)ctx->batch_map + slot * BATCH_SLOT, b->dw,
	       b->len * 4);
	igt_assert_eq(pvgpu_syncobj_create(ctx->fd, 0, &so), 0);
	out = pvgpu_sync_syncobj(so, 1);
	igt_assert_eq(pvgpu_exec(ctx->fd, queue, va, &out, 1), 0);
	igt_assert_eq(pvgpu_syncobj_wait(ctx->fd, so, 0, TIMEOUT), 0);
	st = syncobj_status(ctx->fd, so);
	pvgpu_syncobj_destroy(ctx->fd, so);
	return st;
}

static struct drm_pvgpu_queue_get_state get_state(int fd, uint32_t q)
{
	struct drm_pvgpu_queue_get_state s;

	igt_assert_eq(pvgpu_queue_get_state(fd, q, &s), 0);
	return s;
}

/*
 * The queue's state once it is banned (the fence may signal just before
 * the ban is recorded); up to 30 s.
 */
static struct drm_pvgpu_queue_get_state wait_banned(int fd, uint32_t q)
{
	struct drm_pvgpu_queue_get_state s;

	for (int i = 0; i < 3000; i++) {
		s = get_state(fd, q);
		if (s.flags & DRM_PVGPU_QUEUE_STATE_BANNED)
			return s;
		usleep(10 * 1000);
	}
	igt_fail_f("queue %u not banned after 30 s\n", q);
}

/* The queue stopped guilty with @reason; its fences -EIO. */
static struct drm_pvgpu_queue_get_state
assert_stopped(const char *what, int fd, uint32_t q, uint32_t reason)
{
	struct drm_pvgpu_queue_get_state s = wait_banned(fd, q);

	igt_assert_f(s.reason == reason, "%s: reason %u, expected %u\n",
		     what, s.reason, reason);
	igt_assert_eq(s.flags, DRM_PVGPU_QUEUE_STATE_BANNED |
		      DRM_PVGPU_QUEUE_STATE_RESET |
		      DRM_PVGPU_QUEUE_STATE_GUILTY);
	igt_assert_eq(s.error, -EIO);
	return s;
}

/* ---- argument blocks -------------------------------------------------- */

static void args_vector_add(void *p, uint64_t a, uint64_t b, uint64_t c,
			    uint64_t n)
{
	struct pvgpu_kargs_vector_add k = { .a = a, .b = b, .c = c, .n = n };

	memcpy(p, &k, sizeof(k));
}

static void args_saxpy(void *p, uint64_t x, uint64_t y, uint64_t n,
		       uint32_t alpha)
{
	struct pvgpu_kargs_saxpy k = { .x = x, .y = y, .n = n, .alpha = alpha };

	memcpy(p, &k, sizeof(k));
}

static void args_crc32c(void *p, uint64_t src, uint64_t n, uint64_t result)
{
	struct pvgpu_kargs_crc32c k = { .src = src, .n = n, .result = result };

	memcpy(p, &k, sizeof(k));
}

static void args_matmul(void *p, uint64_t a, uint64_t b, uint64_t c,
			uint32_t n)
{
	struct pvgpu_kargs_matmul k = { .a = a, .b = b, .c = c, .n = n };

	memcpy(p, &k, sizeof(k));
}

/* ---- one checked run of each kernel ----------------------------------- */

/*
 * A compute context with its data buffer at DATA_VA, the argument block at
 * its start.
 */
struct compute {
	int fd;
	struct pvgpu_ctx ctx;
	struct data_bo d;
};

static void compute_init(struct compute *c, uint64_t size)
{
	c->fd = open_render();
	igt_assert_eq(pvgpu_ctx_init(&c->ctx, c->fd, 0,
				     DRM_PVGPU_ENGINE_CLASS_COMPUTE), 0);
	data_bo_init(c->fd, c->ctx.vm_id, &c->d, DATA_VA, size);
}

static void compute_fini(struct compute *c)
{
	data_bo_fini(c->fd, c->ctx.vm_id, &c->d);
	pvgpu_ctx_fini(&c->ctx);
	close(c->fd);
}

enum in_place { SEPARATE, OUT_IS_IN0, OUT_IS_IN1 };

static void run_vector_add(struct compute *cc, uint64_t n, uint64_t page_off,
			   enum in_place ip)
{
	struct layout l;
	uint32_t *a, *b, *c, *want;
	uint8_t *snap;
	char what[96];

	snprintf(what, sizeof(what), "vector-add n=%llu page offset %#llx%s",
		 (unsigned long long)n, (unsigned long long)page_off,
		 ip == OUT_IS_IN0 ? " c=a" : ip == OUT_IS_IN1 ? " c=b" : "");
	memset(cc->d.map, FILL_BYTE, cc->d.size);
	layout_init(&l, &cc->d, 0);
	a = place(&l, 4 * n, page_off);
	b = place(&l, 4 * n, page_off);
	c = ip == OUT_IS_IN0 ? a : ip == OUT_IS_IN1 ? b : place(&l, 4 * n,
								  page_off);
	fill_random(a, 4 * n);
	fill_random(b, 4 * n);
	want = malloc(4 * n + 4);
	igt_assert(want);
	ref_vector_add(a, b, want, n);
	args_vector_add(cc->d.map, gva(&cc->d, a), gva(&cc->d, b),
			gva(&cc->d, c), n);
	snap = snapshot(&cc->d, layout_used(&l));

	dispatch(&cc->ctx, PVGPU_KERNEL_VECTOR_ADD_U32, cc->d.va);
	check_u32(what, c, want, n);
	snapshot_accept(&cc->d, snap, c, 4 * n);
	snapshot_check(what, &cc->d, snap, layout_used(&l));
	igt_info("%s: ok\n", what);
	free(snap);
	free(want);
}

/* Exponents of the exact subtests' random floats: no subnormal anywhere. */
#define EXACT_EMIN	-20
#define EXACT_EMAX	20

static void run_saxpy(struct compute *cc, uint64_t n, uint64_t page_off,
		      bool in_place)
{
	uint32_t alpha = rand_normal32(-3, 3);
	struct layout l;
	uint32_t *x, *y, *want;
	uint8_t *snap;
	char what[96];

	snprintf(what, sizeof(what), "saxpy n=%llu page offset %#llx%s",
		 (unsigned long long)n, (unsigned long long)page_off,
		 in_place ? " x=y" : "");
	memset(cc->d.map, FILL_BYTE, cc->d.size);
	layout_init(&l, &cc->d, 0);
	y = place(&l, 4 * n, page_off);
	x = in_place ? y : place(&l, 4 * n, page_off);
	fill_normal(x, n, EXACT_EMIN, EXACT_EMAX);
	if (!in_place)
		fill_normal(y, n, EXACT_EMIN, EXACT_EMAX);
	want = malloc(4 * n + 4);
	igt_assert(want);
	memcpy(want, y, 4 * n);
	ref_saxpy(alpha, in_place ? want : x, want, n);
	assert_no_subnormal(what, want, n);
	args_saxpy(cc->d.map, gva(&cc->d, x), gva(&cc->d, y), n, alpha);
	snap = snapshot(&cc->d, layout_used(&l));

	dispatch(&cc->ctx, PVGPU_KERNEL_SAXPY_F32, cc->d.va);
	check_f32(what, y, want, n);
	snapshot_accept(&cc->d, snap, y, 4 * n);
	snapshot_check(what, &cc->d, snap, layout_used(&l));
	igt_info("%s: ok\n", what);
	free(snap);
	free(want);
}

/* CRC-32C of @n bytes (@data, or random ones) @page_off into a page. */
static uint32_t run_crc32c(struct compute *cc, const void *data, uint64_t n,
			   uint64_t page_off)
{
	struct layout l;
	uint32_t *result, want;
	uint8_t *src, *snap;
	char what[96];

	snprintf(what, sizeof(what), "crc32c n=%llu page offset %#llx",
		 (unsigned long long)n, (unsigned long long)page_off);
	memset(cc->d.map, FILL_BYTE, cc->d.size);
	layout_init(&l, &cc->d, 0);
	src = place(&l, n, page_off);
	result = place(&l, 4, 0x7fc);
	if (data)
		memcpy(src, data, n);
	else
		fill_random(src, n);
	want = ref_crc32c(src, n);
	args_crc32c(cc->d.map, gva(&cc->d, src), n, gva(&cc->d, result));
	snap = snapshot(&cc->d, layout_used(&l));

	dispatch(&cc->ctx, PVGPU_KERNEL_CRC32C, cc->d.va);
	igt_assert_f(*result == want, "%s: got %#x, expected %#x\n", what,
		     *result, want);
	snapshot_accept(&cc->d, snap, result, 4);
	snapshot_check(what, &cc->d, snap, layout_used(&l));
	igt_info("%s: %#x ok\n", what, want);
	free(snap);
	return want;
}

/*
 * c = a x b for n x n matrices @page_off into their pages: a and b are
 * @a_in and @b_in, or random normals; @same: b is a. @exact: the expected
 * results must not be subnormal (see check_f32 for NaN).
 */
static void run_matmul(struct compute *cc, const char *name, uint32_t n,
		       uint64_t page_off, bool same, const uint32_t *a_in,
		       const uint32_t *b_in, bool exact)
{
	uint64_t bytes = 4ull * n * n;
	struct layout l;
	uint32_t *a, *b, *c, *want;
	uint8_t *snap;
	char what[96];

	snprintf(what, sizeof(what), "%s n=%u page offset %#llx%s", name, n,
		 (unsigned long long)page_off, same ? " b=a" : "");
	memset(cc->d.map, FILL_BYTE, cc->d.size);
	layout_init(&l, &cc->d, 0);
	a = place(&l, bytes, page_off);
	b = same ? a : place(&l, bytes, page_off);
	c = place(&l, bytes, page_off);
	if (a_in)
		memcpy(a, a_in, bytes);
	else
		fill_normal(a, (uint64_t)n * n, -10, 10);
	if (b_in)
		memcpy(b, b_in, bytes);
	else if (!same)
		fill_normal(b, (uint64_t)n * n, -10, 10);
	want = malloc(bytes);
	igt_assert(want);
	ref_matmul(a, b, want, n);
	if (exact)
		assert_no_subnormal(what, want, (uint64_t)n * n);
	args_matmul(cc->d.map, gva(&cc->d, a), gva(&cc->d, b), gva(&cc->d, c),
		    n);
	snap = snapshot(&cc->d, layout_used(&l));

	dispatch(&cc->ctx, PVGPU_KERNEL_MATMUL_F32, cc->d.va);
	check_f32(what, c, want, (uint64_t)n * n);
	snapshot_accept(&cc->d, snap, c, bytes);
	snapshot_check(what, &cc->d, snap, layout_used(&l));
	igt_info("%s: ok\n", what);
	free(snap);
	free(want);
}

/* ---- exact subtests --------------------------------------------------- */

static const uint64_t elems_1mib = MIB / 4;

static void test_vector_add(void)
{
	struct compute cc;

	rng_seed(1);
	compute_init(&cc, DATA_SIZE);
	run_vector_add(&cc, 0, 0, SEPARATE);	/* writes nothing */
	run_vector_add(&cc, 1, 0, SEPARATE);
	run_vector_add(&cc, 1027, 0, SEPARATE);
	run_vector_add(&cc, 4099, 0x7f4, SEPARATE);
	run_vector_add(&cc, elems_1mib, 0, SEPARATE);
	run_vector_add(&cc, elems_1mib, 0x124, SEPARATE);
	run_vector_add(&cc, 5001, 0x804, OUT_IS_IN0);
	run_vector_add(&cc, 3333, 0x10, OUT_IS_IN1);
	compute_fini(&cc);
}

static void test_saxpy(void)
{
	struct compute cc;

	rng_seed(2);
	compute_init(&cc, DATA_SIZE);
	run_saxpy(&cc, 0, 0, false);
	run_saxpy(&cc, 1, 0, false);
	run_saxpy(&cc, 1027, 0, false);
	run_saxpy(&cc, 4099, 0x7f4, false);
	run_saxpy(&cc, elems_1mib, 0, false);
	run_saxpy(&cc, elems_1mib, 0x124, false);
	run_saxpy(&cc, 5001, 0x804, true);
	compute_fini(&cc);
}

static void test_crc32c(void)
{
	static const char check[] = "123456789";
	struct compute cc;

	rng_seed(3);
	compute_init(&cc, DATA_SIZE);
	/* The check value of CRC-32C (and the reference's own check). */
	igt_assert_eq_u64(run_crc32c(&cc, check, 9, 0), 0xe3069283u);
	igt_assert_eq_u64(run_crc32c(&cc, check, 9, 0xffb), 0xe3069283u);
	igt_assert_eq_u64(run_crc32c(&cc, NULL, 0, 0), 0);
	run_crc32c(&cc, NULL, 1, 0);
	run_crc32c(&cc, NULL, 1, 0xfff);
	run_crc32c(&cc, NULL, 1027, 0xffd);	/* odd, across a page */
	run_crc32c(&cc, NULL, 3 * PAGE + 7, 0x7ff);
	run_crc32c(&cc, NULL, MIB, 0);
	run_crc32c(&cc, NULL, MIB, 0x3);
	compute_fini(&cc);
}

static void test_matmul(void)
{
	struct compute cc;

	rng_seed(4);
	compute_init(&cc, DATA_SIZE);
	run_matmul(&cc, "matmul", 1, 0, false, NULL, NULL, true);
	run_matmul(&cc, "matmul", 7, 0, false, NULL, NULL, true);
	run_matmul(&cc, "matmul", 7, 0x84c, false, NULL, NULL, true);
	run_matmul(&cc, "matmul", 64, 0, false, NULL, NULL, true);
	run_matmul(&cc, "matmul", 64, 0x10, true, NULL, NULL, true);
	run_matmul(&cc, "matmul", 256, 0, false, NULL, NULL, true);
	run_matmul(&cc, "matmul", 256, 0xff0, false, NULL, NULL, true);
	compute_fini(&cc);
}

/* ---- IEEE specials ---------------------------------------------------- */

/*
 * Specials and values whose products overflow (FLT_MAX * (1 + 2^-23),
 * 2^64 * 2^64), stay just normal (2^-63 * 2^-63 = FLT_MIN, 2^63 * 2^64 =
 * 2^127) or vanish below the subnormals (2^-100 * 2^-63). No subnormal.
 */
static const uint32_t specials[] = {
	0x00000000, 0x80000000,			/* +0, -0 */
	0x7f800000, 0xff800000,			/* +inf, -inf */
	0x7fc00000, 0xffc00000, 0x7fc12345,	/* quiet NaNs */
	0x7f800001,				/* signalling NaN */
	0x3f800000, 0xbf800000, 0x40400000, 0xbf400000,	/* 1, -1, 3, -0.75 */
	0x3f800001, 0x3f7fffff,			/* 1 + 2^-23, 1 - 2^-24 */
	0x7f7fffff, 0xff7fffff,			/* +-FLT_MAX */
	0x00800000, 0x80800000,			/* +-FLT_MIN */
	0x20000000, 0xa0000000, 0x20400000,	/* +-2^-63, 1.5 * 2^-63 */
	0x5f800000, 0xdf800000, 0x5f000000,	/* +-2^64, 2^63 */
	0x71800000, 0x0d800000, 0x8d800000,	/* 2^100, +-2^-100 */
	0x4b000001, 0x33800000,			/* 2^23 + 1, 2^-24 */
};

#define NUM_SPECIALS	ARRAY_SIZE(specials)

/*
 * Whether @a * @b, rounded, stays out of the range where a GPU that
 * flushes subnormals may differ: the exact product is 0, at least FLT_MIN,
 * or below 2^-150 (IEEE rounds it to a zero of its sign, and so does a
 * flush to zero). The double product of two floats is exact.
 */
static bool product_clean(uint32_t a, uint32_t b)
{
	double p = fabs((double)f32(a) * (double)f32(b));

	if (is_subnormal32(a) || is_subnormal32(b))
		return false;
	return isnan(p) || p == 0 || p >= FLT_MIN || p < 0x1p-150;
}

/* One SAXPY element and every step of it away from subnormals. */
static bool saxpy_clean(uint32_t alpha, uint32_t x, uint32_t y)
{
	return product_clean(alpha, x) && !is_subnormal32(y) &&
	       !is_subnormal32(bits32(f32(alpha) * f32(x) + f32(y)));
}

/* Row @i of a x b, every product and partial sum, away from subnormals. */
static bool matmul_row_clean(const uint32_t *a, const uint32_t *b, uint32_t n,
			     uint32_t i)
{
	for (uint32_t j = 0; j < n; j++) {
		float acc = 0.0f;

		for (uint32_t k = 0; k < n; k++) {
			uint32_t x = a[i * n + k], y = b[k * n + j];

			if (!product_clean(x, y))
				return false;
			acc += f32(x) * f32(y);
			if (is_subnormal32(bits32(acc)))
				return false;
		}
	}
	return true;
}

/*
 * SAXPY of every alpha of @pool over every (x, y) pair of it that @keep
 * accepts, in one DISPATCH per alpha.
 */
static void saxpy_pool(struct compute *cc, const char *name,
		       const uint32_t *pool, unsigned int num,
		       bool (*keep)(uint32_t, uint32_t, uint32_t))
{
	uint32_t *x = malloc(4 * num * num), *y = malloc(4 * num * num);
	uint32_t *want = malloc(4 * num * num);
	uint64_t total = 0;
	char what[96];

	igt_assert(x && y && want);
	for (unsigned int ai = 0; ai < num; ai++) {
		uint32_t alpha = pool[ai];
		struct layout l;
		uint32_t *gx, *gy;
		uint64_t n = 0;
		uint8_t *snap;

		for (unsigned int i = 0; i < num; i++)
			for (unsigned int j = 0; j < num; j++)
				if (keep(alpha, pool[i], pool[j])) {
					x[n] = pool[i];
					y[n++] = pool[j];
				}
		if (!n)
			continue;
		snprintf(what, sizeof(what), "%s saxpy alpha=%#010x (%a)",
			 name, alpha, f32(alpha));
		memset(cc->d.map, FILL_BYTE, cc->d.size);
		layout_init(&l, &cc->d, 0);
		gx = place(&l, 4 * n, 0x40);
		gy = place(&l, 4 * n, 0x40);
		memcpy(gx, x, 4 * n);
		memcpy(gy, y, 4 * n);
		memcpy(want, y, 4 * n);
		ref_saxpy(alpha, x, want, n);
		args_saxpy(cc->d.map, gva(&cc->d, gx), gva(&cc->d, gy), n,
			   alpha);
		snap = snapshot(&cc->d, layout_used(&l));
		dispatch(&cc->ctx, PVGPU_KERNEL_SAXPY_F32, cc->d.va);
		check_f32(what, gy, want, n);
		snapshot_accept(&cc->d, snap, gy, 4 * n);
		snapshot_check(what, &cc->d, snap, layout_used(&l));
		total += n;
	}
	igt_info("%s saxpy: %llu elements over %u alphas ok\n", name,
		 (unsigned long long)total, num);
	free(want);
	free(y);
	free(x);
}

/*
 * @cnt values: each from @pool with probability @pct %, else a random
 * normal of exponent 0 .. 20 (at least 1 in magnitude, so its products
 * with the pools' tiny values stay normal or vanish).
 */
static void fill_pool(uint32_t *v, uint64_t cnt, const uint32_t *pool,
		      unsigned int num, unsigned int pct)
{
	for (uint64_t i = 0; i < cnt; i++)
		v[i] = rnd32() % 100 < pct ? pool[rnd32() % num] :
		       rand_normal32(0, 20);
}

/*
 * A random n x n matrix pair from @pool whose rows of a x b come nowhere
 * near a subnormal: rows of a are drawn again until they do not.
 */
static void matmul_clean_inputs(uint32_t *a, uint32_t *b, uint32_t n,
				const uint32_t *pool, unsigned int num,
				unsigned int pct)
{
	fill_pool(b, (uint64_t)n * n, pool, num, pct);
	for (uint32_t i = 0; i < n; i++) {
		int tries = 0;

		do {
			igt_assert_f(tries++ < 10000,
				     "test bug: no clean row %u\n", i);
			fill_pool(a + i * n, n, pool, num, pct);
		} while (!matmul_row_clean(a, b, n, i));
	}
}

static bool keep_clean(uint32_t alpha, uint32_t x, uint32_t y)
{
	return saxpy_clean(alpha, x, y);
}

static void test_float_specials(void)
{
	/*
	 * Signed zeros and order: row 0 sums -0 products from +0 (+0, not
	 * -0), row 1 overflows before it would cancel (FLT_MAX + FLT_MAX -
	 * FLT_MAX is inf), row 2 rounds 1 + 2^-24 + 2^-24 to 1 step by step
	 * (1 + 2^-23 if the small terms were added first).
	 */
	static const uint32_t order_a[9] = {
		0x80000000, 0x80000000, 0x80000000,
		0x7f7fffff, 0x7f7fffff, 0xff7fffff,
		0x3f800000, 0x33800000, 0x33800000,
	};
	static const uint32_t order_b[9] = {
		0x3f800000, 0xbf800000, 0x80000000,
		0x3f800000, 0x3f800000, 0x00000000,
		0x3f800000, 0x40000000, 0x7f800000,
	};
	uint32_t order_c[9];
	uint32_t a[16 * 16], b[16 * 16];
	struct compute cc;

	/* The reference itself follows the spec's order (sanity). */
	ref_matmul(order_a, order_b, order_c, 3);
	igt_assert_eq_u64(order_c[0], 0x00000000);	/* +0 */
	igt_assert_eq_u64(order_c[3], 0x7f800000);	/* inf */
	igt_assert_eq_u64(order_c[6], 0x3f800000);	/* 1 */
	for (unsigned int i = 0; i < NUM_SPECIALS; i++)
		igt_assert(!is_subnormal32(specials[i]));

	rng_seed(5);
	compute_init(&cc, DATA_SIZE);
	saxpy_pool(&cc, "specials", specials, NUM_SPECIALS, keep_clean);
	run_matmul(&cc, "specials matmul order", 3, 0, false, order_a,
		   order_b, true);
	/*
	 * Ordinary values with more and more specials (a NaN or infinity
	 * in b spoils its column: these keep most results finite).
	 */
	matmul_clean_inputs(a, b, 16, specials, NUM_SPECIALS, 5);
	run_matmul(&cc, "specials matmul", 16, 0x20, false, a, b, true);
	matmul_clean_inputs(a, b, 8, specials, NUM_SPECIALS, 20);
	run_matmul(&cc, "specials matmul", 8, 0x20, false, a, b, true);
	matmul_clean_inputs(a, b, 4, specials, NUM_SPECIALS, 50);
	run_matmul(&cc, "specials matmul", 4, 0x20, false, a, b, true);
	compute_fini(&cc);
}

/*
 * Subnormals (the smallest, the largest, in between, both signs) and the
 * values around them that make subnormal products and sums, or products
 * that round up to FLT_MIN. A GPU that flushes subnormals to zero fails
 * this subtest; check_f32 counts the results it returned as zero.
 */
static const uint32_t subnormals[] = {
	0x00000001, 0x80000001, 0x00000002, 0x00000003,
	0x007fffff, 0x807fffff, 0x00400000, 0x80400000, 0x00012345,
	0x00800000, 0x80800000, 0x00800001,	/* FLT_MIN, FLT_MIN + ulp */
	/* (SUBNORMALS_TINY: the entries above) */
	0x00000000, 0x80000000,
	0x3f800000, 0xbf800000, 0x3f000000,	/* 1, -1, 0.5 */
	0x3f7fffff, 0x3f800001,			/* 1 - 2^-24, 1 + 2^-23 */
	0x33800000, 0x3a800000,			/* 2^-24, 2^-10 */
	0x4b000000, 0x20000000, 0x1e800000,	/* 2^23, 2^-63, 2^-66 */
	0x0d800000, 0x40400000,			/* 2^-100, 3 */
};

#define NUM_SUBNORMALS	ARRAY_SIZE(subnormals)
#define SUBNORMALS_TINY	12

static bool keep_all(uint32_t alpha, uint32_t x, uint32_t y)
{
	(void)alpha;
	(void)x;
	(void)y;
	return true;
}

static void test_float_subnormal(void)
{
	uint32_t a[16 * 16], b[16 * 16];
	volatile float tiny = f32(0x20000000);	/* computed at run time */
	struct compute cc;

	/* This CPU keeps subnormals: 2^-63 * 2^-66 = 2^-129, not 0. */
	tiny *= f32(0x1e800000);
	igt_assert_eq_u64(bits32(tiny), 0x00100000);

	rng_seed(6);
	compute_init(&cc, DATA_SIZE);
	saxpy_pool(&cc, "subnormal", subnormals, NUM_SUBNORMALS, keep_all);
	/* a only subnormals and FLT_MIN: every row sums tiny products. */
	fill_pool(a, 16 * 16, subnormals, SUBNORMALS_TINY, 100);
	fill_pool(b, 16 * 16, subnormals, NUM_SUBNORMALS, 100);
	run_matmul(&cc, "subnormal matmul", 16, 0x20, false, a, b, false);
	fill_pool(a, 16 * 16, subnormals, NUM_SUBNORMALS, 100);
	fill_pool(b, 16 * 16, subnormals, NUM_SUBNORMALS, 100);
	run_matmul(&cc, "subnormal matmul", 16, 0x20, false, a, b, false);
	compute_fini(&cc);
}

/* ---- concurrency ------------------------------------------------------ */

#define CONC_REGION	(4 * MIB)
#define CONC_GATE	0x800	/* u64 the batches wait for, in region 0 */

/*
 * Four compute queues of one VM, each a different kernel over 1 MiB (the
 * matmul: its largest, n = 256), started together: each batch waits for a
 * gate the CPU opens once all four are submitted.
 */
static void test_concurrent(void)
{
	static const uint32_t kernels[4] = {
		PVGPU_KERNEL_VECTOR_ADD_U32, PVGPU_KERNEL_SAXPY_F32,
		PVGPU_KERNEL_CRC32C, PVGPU_KERNEL_MATMUL_F32,
	};
	const uint64_t n = elems_1mib;
	const uint32_t mn = 256, alpha = 0x3fc00000;	/* 1.5 */
	struct compute cc;
	struct data_bo region[4];
	struct layout l[4];
	uint32_t queue[4], so[4], *in0[4], *in1[4], *out[4], *want[4];
	uint64_t out_len[4], args[4];
	uint8_t *snap;
	uint64_t used = 4 * CONC_REGION;

	rng_seed(7);
	compute_init(&cc, 4 * CONC_REGION);
	queue[0] = cc.ctx.queue_id;
	for (int k = 1; k < 4; k++)
		igt_assert_eq(pvgpu_queue_create(cc.fd, cc.ctx.vm_id,
						 DRM_PVGPU_ENGINE_CLASS_COMPUTE,
						 0, 0, &queue[k]), 0);
	__atomic_store_n((uint64_t *)(cc.d.map + CONC_GATE), 0,
			 __ATOMIC_SEQ_CST);

	for (int k = 0; k < 4; k++) {
		/* Each kernel's quarter of the buffer, as a buffer of its own. */
		uint8_t *argp;

		region[k] = cc.d;
		region[k].map += k * CONC_REGION;
		region[k].va += k * CONC_REGION;
		region[k].size = CONC_REGION;
		layout_init(&l[k], &region[k], 0);
		argp = region[k].map;
		args[k] = region[k].va;
		switch (kernels[k]) {
		case PVGPU_KERNEL_VECTOR_ADD_U32:
			in0[k] = place(&l[k], 4 * n, 0);
			in1[k] = place(&l[k], 4 * n, 0);
			out[k] = place(&l[k], 4 * n, 0);
			out_len[k] = 4 * n;
			fill_random(in0[k], 4 * n);
			fill_random(in1[k], 4 * n);
			want[k] = malloc(4 * n);
			igt_assert(want[k]);
			ref_vector_add(in0[k], in1[k], want[k], n);
			args_vector_add(argp, gva(&region[k], in0[k]),
					gva(&region[k], in1[k]),
					gva(&region[k], out[k]), n);
			break;
		case PVGPU_KERNEL_SAXPY_F32:
			in0[k] = place(&l[k], 4 * n, 0);
			out[k] = place(&l[k], 4 * n, 0);
			out_len[k] = 4 * n;
			fill_normal(in0[k], n, EXACT_EMIN, EXACT_EMAX);
			fill_normal(out[k], n, EXACT_EMIN, EXACT_EMAX);
			want[k] = malloc(4 * n);
			igt_assert(want[k]);
			memcpy(want[k], out[k], 4 * n);
			ref_saxpy(alpha, in0[k], want[k], n);
			args_saxpy(argp, gva(&region[k], in0[k]),
				   gva(&region[k], out[k]), n, alpha);
			break;
		case PVGPU_KERNEL_CRC32C:
			in0[k] = place(&l[k], MIB, 0);
			out[k] = place(&l[k], 4, 0);
			out_len[k] = 4;
			fill_random(in0[k], MIB);
			want[k] = malloc(4);
			igt_assert(want[k]);
			want[k][0] = ref_crc32c((uint8_t *)in0[k], MIB);
			args_crc32c(argp, gva(&region[k], in0[k]), MIB,
				    gva(&region[k], out[k]));
			break;
		default:
			in0[k] = place(&l[k], 4ull * mn * mn, 0);
			in1[k] = place(&l[k], 4ull * mn * mn, 0);
			out[k] = place(&l[k], 4ull * mn * mn, 0);
			out_len[k] = 4ull * mn * mn;
			fill_normal(in0[k], mn * mn, -10, 10);
			fill_normal(in1[k], mn * mn, -10, 10);
			want[k] = malloc(out_len[k]);
			igt_assert(want[k]);
			ref_matmul(in0[k], in1[k], want[k], mn);
			args_matmul(argp, gva(&region[k], in0[k]),
				    gva(&region[k], in1[k]),
				    gva(&region[k], out[k]), mn);
			break;
		}
	}
	snap = snapshot(&cc.d, used);

	for (int k = 0; k < 4; k++) {
		struct pvgpu_batch b;
		struct drm_pvgpu_sync sync;

		pvgpu_batch_reset(&b);
		pvgpu_batch_wait64(&b, DATA_VA + CONC_GATE, 1, ~0ull,
				   PVGPU_WAIT_EQ);
		pvgpu_batch_dispatch(&b, kernels[k], args[k]);
		pvgpu_batch_end(&b);
		memcpy((uint8_t *)cc.ctx.batch_map + k * BATCH_SLOT, b.dw,
		       b.len * 4);
		igt_assert_eq(pvgpu_syncobj_create(cc.fd, 0, &so[k]), 0);
		sync = pvgpu_sync_syncobj(so[k], 1);
		igt_assert_eq(pvgpu_exec(cc.fd, queue[k], PVGPU_CTX_BATCH_VA +
					 k * BATCH_SLOT, &sync, 1), 0);
	}
	/* Let every queue reach its WAIT, then start them together. */
	usleep(100 * 1000);
	for (int k = 0; k < 4; k++)
		igt_assert_eq(syncobj_status(cc.fd, so[k]), 0);
	__atomic_store_n((uint64_t *)(cc.d.map + CONC_GATE), 1,
			 __ATOMIC_SEQ_CST);
	for (int k = 0; k < 4; k++) {
		igt_assert_eq(pvgpu_syncobj_wait(cc.fd, so[k], 0, TIMEOUT), 0);
		igt_assert_eq(syncobj_status(cc.fd, so[k]), 1);
	}

	check_u32("concurrent vector-add", out[0], want[0], n);
	check_f32("concurrent saxpy", out[1], want[1], n);
	igt_assert_f(out[2][0] == want[2][0],
		     "concurrent crc32c: got %#x, expected %#x\n", out[2][0],
		     want[2][0]);
	check_f32("concurrent matmul", out[3], want[3], (uint64_t)mn * mn);
	for (int k = 0; k < 4; k++)
		snapshot_accept(&cc.d, snap, out[k], out_len[k]);
	snapshot_accept(&cc.d, snap, cc.d.map + CONC_GATE, 8);
	snapshot_check("concurrent", &cc.d, snap, used);

	for (int k = 0; k < 4; k++) {
		igt_assert_eq(get_state(cc.fd, queue[k]).flags, 0);
		pvgpu_syncobj_destroy(cc.fd, so[k]);
		if (k)
			pvgpu_queue_destroy(cc.fd, queue[k]);
		free(want[k]);
	}
	free(snap);
	compute_fini(&cc);
}

/* ---- errors ----------------------------------------------------------- */

/* Arrays of the error subtests, in a 64 KiB buffer at DATA_VA. */
#define ERR_SIZE	0x10000ull
#define ERR_A		(DATA_VA + 0x1000)
#define ERR_B		(DATA_VA + 0x2000)
#define ERR_C		(DATA_VA + 0x3000)
#define ERR_R		(DATA_VA + 0x4000)

/* An argument block as the device reads it: little-endian qwords. */
struct raw_args {
	const char *what;
	uint32_t kernel;
	uint32_t args_off;	/* from DATA_VA */
	uint64_t q[4];
};

#define K_VADD		PVGPU_KERNEL_VECTOR_ADD_U32
#define K_SAXPY		PVGPU_KERNEL_SAXPY_F32
#define K_CRC		PVGPU_KERNEL_CRC32C
#define K_MATMUL	PVGPU_KERNEL_MATMUL_F32
/* SAXPY's last qword: alpha (1.0) and reserved. */
#define ALPHA1(rsvd)	(F32_ONE | (uint64_t)(rsvd) << 32)
/* MATMUL's last qword: n and reserved. */
#define N_RSVD(n, rsvd)	((n) | (uint64_t)(rsvd) << 32)

static const struct raw_args bad_args[] = {
	{ "vector-add a misaligned",
	  K_VADD, 0, { ERR_A + 2, ERR_B, ERR_C, 16 } },
	{ "vector-add b misaligned",
	  K_VADD, 0, { ERR_A, ERR_B + 1, ERR_C, 16 } },
	{ "vector-add c misaligned",
	  K_VADD, 0, { ERR_A, ERR_B, ERR_C + 2, 16 } },
	{ "vector-add c overlaps a partially",
	  K_VADD, 0, { ERR_A, ERR_B, ERR_A + 4, 16 } },
	{ "vector-add c overlaps b partially",
	  K_VADD, 0, { ERR_A, ERR_B, ERR_B - 8, 16 } },
	{ "vector-add n above 2^32 - 1",
	  K_VADD, 0, { ERR_A, ERR_B, ERR_C, 1ull << 32 } },
	{ "vector-add a wraps past 2^64",
	  K_VADD, 0, { 0xfffffffffffff000ull, ERR_B, ERR_C, 0x1000 } },
	{ "saxpy x misaligned",
	  K_SAXPY, 0, { ERR_A + 2, ERR_C, 16, ALPHA1(0) } },
	{ "saxpy y misaligned",
	  K_SAXPY, 0, { ERR_A, ERR_C + 2, 16, ALPHA1(0) } },
	{ "saxpy y overlaps x partially",
	  K_SAXPY, 0, { ERR_A, ERR_A + 4, 16, ALPHA1(0) } },
	{ "saxpy reserved != 0",
	  K_SAXPY, 0, { ERR_A, ERR_C, 16, ALPHA1(1) } },
	{ "saxpy reserved != 0 (top bit)",
	  K_SAXPY, 0, { ERR_A, ERR_C, 16, ALPHA1(0x80000000u) } },
	{ "crc32c result misaligned",
	  K_CRC, 0, { ERR_A, 16, ERR_R + 2, 0 } },
	{ "crc32c n above 2^32 - 1",
	  K_CRC, 0, { ERR_A, 1ull << 32, ERR_R, 0 } },
	{ "matmul n = 0",
	  K_MATMUL, 0, { ERR_A, ERR_B, ERR_C, N_RSVD(0, 0) } },
	{ "matmul n = 257",
	  K_MATMUL, 0, { ERR_A, ERR_B, ERR_C, N_RSVD(257, 0) } },
	{ "matmul reserved != 0",
	  K_MATMUL, 0, { ERR_A, ERR_B, ERR_C, N_RSVD(4, 1) } },
	{ "matmul a misaligned",
	  K_MATMUL, 0, { ERR_A + 2, ERR_B, ERR_C, N_RSVD(4, 0) } },
	{ "matmul c misaligned",
	  K_MATMUL, 0, { ERR_A, ERR_B, ERR_C + 1, N_RSVD(4, 0) } },
	{ "matmul c overlaps a partially",
	  K_MATMUL, 0, { ERR_A, ERR_B, ERR_A + 32, N_RSVD(4, 0) } },
	{ "matmul c is b",
	  K_MATMUL, 0, { ERR_A, ERR_B, ERR_B, N_RSVD(4, 0) } },
	{ "unknown kernel 0", 0, 0, { ERR_A, ERR_B, ERR_C, 16 } },
	{ "unknown kernel 5", 5, 0, { ERR_A, ERR_B, ERR_C, 16 } },
	{ "argument block misaligned (8 bytes needed)",
	  K_VADD, 0x104, { ERR_A, ERR_B, ERR_C, 16 } },
};

static void err_setup(struct compute *cc, uint32_t *other)
{
	compute_init(cc, ERR_SIZE);
	fill_random(cc->d.map + 0x1000, 0x4000);
	/* A queue that sees every error of its VM's other queues. */
	igt_assert_eq(pvgpu_queue_create(cc->fd, cc->ctx.vm_id,
					 DRM_PVGPU_ENGINE_CLASS_COMPUTE, 0, 0,
					 other), 0);
}

static void write_raw_args(struct compute *cc, const struct raw_args *r)
{
	memcpy(cc->d.map + r->args_off, r->q, sizeof(r->q));
}

/* After the errors: @queue still computes (a vector add, checked). */
static void assert_queue_works(struct compute *cc, uint32_t queue,
			       unsigned int slot)
{
	uint32_t *a = (uint32_t *)(cc->d.map + 0x1000);
	uint32_t *b = (uint32_t *)(cc->d.map + 0x2000);
	uint32_t *c = (uint32_t *)(cc->d.map + 0x5000);
	uint32_t want[1024];
	struct pvgpu_batch batch;

	ref_vector_add(a, b, want, 1024);
	memset(c, 0, 4096);
	args_vector_add(cc->d.map + 0x800, ERR_A, ERR_B, DATA_VA + 0x5000,
			1024);
	pvgpu_batch_reset(&batch);
	pvgpu_batch_dispatch(&batch, PVGPU_KERNEL_VECTOR_ADD_U32,
			     DATA_VA + 0x800);
	pvgpu_batch_end(&batch);
	igt_assert_eq(run_on_queue(&cc->ctx, queue, slot, &batch), 1);
	check_u32("vector-add after the errors", c, want, 1024);
}

static void test_bad_args(void)
{
	struct compute cc;
	uint32_t other;

	igt_emit_ignore_dmesg_regex("exec queue .* guilty");
	rng_seed(8);
	err_setup(&cc, &other);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad_args); i++) {
		const struct raw_args *r = &bad_args[i];
		uint8_t *snap;

		write_raw_args(&cc, r);
		snap = snapshot(&cc.d, cc.d.size);
		igt_assert_f(dispatch_status(&cc.ctx, r->kernel,
					     DATA_VA + r->args_off) == -EIO,
			     "%s: the fence did not fail with -EIO\n",
			     r->what);
		assert_stopped(r->what, cc.fd, cc.ctx.queue_id,
			       DRM_PVGPU_QUEUE_REASON_BAD_ARGS);
		/* Arguments are checked before anything is written. */
		snapshot_check(r->what, &cc.d, snap, cc.d.size);
		free(snap);
		igt_assert_eq(get_state(cc.fd, other).flags, 0);
		igt_info("%s: BAD_ARGS\n", r->what);
		igt_assert_eq(pvgpu_ctx_replace_queue(&cc.ctx,
						      DRM_PVGPU_ENGINE_CLASS_COMPUTE),
			      0);
	}
	assert_queue_works(&cc, other, 1);
	assert_queue_works(&cc, cc.ctx.queue_id, 2);
	pvgpu_queue_destroy(cc.fd, other);
	compute_fini(&cc);
}

/*
 * The output is not mapped: a fatal page fault (the VM is not in fault
 * mode) at its first byte. SAXPY's output is also an input, read first.
 */
static void test_unmapped_output(void)
{
	static const struct {
		struct raw_args r;
		uint32_t access;
	} cases[] = {
		{ { "vector-add c unmapped",
		    K_VADD, 0, { ERR_A, ERR_B, UNMAPPED_VA, 16 } },
		  DRM_PVGPU_FAULT_ACCESS_WRITE },
		{ { "saxpy y unmapped",
		    K_SAXPY, 0, { ERR_A, UNMAPPED_VA, 16, ALPHA1(0) } },
		  DRM_PVGPU_FAULT_ACCESS_READ },
		{ { "crc32c result unmapped",
		    K_CRC, 0, { ERR_A, 16, UNMAPPED_VA, 0 } },
		  DRM_PVGPU_FAULT_ACCESS_WRITE },
		{ { "matmul c unmapped",
		    K_MATMUL, 0, { ERR_A, ERR_B, UNMAPPED_VA, N_RSVD(4, 0) } },
		  DRM_PVGPU_FAULT_ACCESS_WRITE },
	};
	struct compute cc;
	uint32_t other;

	igt_emit_ignore_dmesg_regex("exec queue .* guilty|page fault|fault");
	rng_seed(9);
	err_setup(&cc, &other);
	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct raw_args *r = &cases[i].r;
		struct drm_pvgpu_queue_get_state s;
		uint8_t *snap;

		write_raw_args(&cc, r);
		snap = snapshot(&cc.d, cc.d.size);
		igt_assert_f(dispatch_status(&cc.ctx, r->kernel,
					     DATA_VA + r->args_off) == -EIO,
			     "%s: the fence did not fail with -EIO\n",
			     r->what);
		s = assert_stopped(r->what, cc.fd, cc.ctx.queue_id,
				   DRM_PVGPU_QUEUE_REASON_PAGE_FAULT);
		igt_assert_eq_u64(s.fault_addr, UNMAPPED_VA);
		igt_assert_eq(s.fault_access, cases[i].access);
		igt_assert_eq(s.fault_type, DRM_PVGPU_FAULT_TYPE_NOT_PRESENT);
		snapshot_check(r->what, &cc.d, snap, cc.d.size);
		free(snap);
		igt_assert_eq(get_state(cc.fd, other).flags, 0);
		igt_info("%s: PAGE_FAULT at %#llx\n", r->what,
			 (unsigned long long)s.fault_addr);
		igt_assert_eq(pvgpu_ctx_replace_queue(&cc.ctx,
						      DRM_PVGPU_ENGINE_CLASS_COMPUTE),
			      0);
	}
	assert_queue_works(&cc, other, 1);
	assert_queue_works(&cc, cc.ctx.queue_id, 2);
	pvgpu_queue_destroy(cc.fd, other);
	compute_fini(&cc);
}

/* ---- the execution backend -------------------------------------------- */

static const char *backend_name(uint32_t flags)
{
	return flags & DRM_PVGPU_DEVICE_BACKEND_VIRGL ? "virgl" : "cpu";
}

static void test_backend_flag(void)
{
	const uint32_t known = DRM_PVGPU_DEVICE_PAGE_FAULTS |
			       DRM_PVGPU_DEVICE_WEDGED |
			       DRM_PVGPU_DEVICE_BACKEND_VIRGL;
	int fd = open_render();
	struct drm_pvgpu_query_device dev = pvgpu_test_query_device(fd);

	igt_info("compute backend: %s (device flags %#x, interface %u.%u)\n",
		 backend_name(dev.flags), dev.flags,
		 PVGPU_IFACE_VERSION_MAJOR(dev.iface_version),
		 PVGPU_IFACE_VERSION_MINOR(dev.iface_version));
	igt_assert_f(!(dev.flags & ~known), "unknown device flags %#x\n",
		     dev.flags & ~known);
	/* The flag came with interface 1.5. */
	if (dev.flags & DRM_PVGPU_DEVICE_BACKEND_VIRGL)
		igt_assert_gte(PVGPU_IFACE_VERSION_MINOR(dev.iface_version),
			       PVGPU_IFACE_MINOR_BACKEND);
	close(fd);
}

/*
 * A failure of the host's GL stack (injected through the device's test
 * register) stops the queue that ran the kernel with BACKEND, before it
 * wrote anything; the backend goes on: a new queue runs the same kernel.
 */
static void test_backend_gl_error(void)
{
	const uint64_t n = 64 * 1024;	/* 256 KiB: several chunks */
	const uint32_t alpha = 0xc0200000;	/* -2.5 */
	struct drm_pvgpu_query_device dev;
	char dir[PATH_MAX], path[PATH_MAX + 32], val[32], buf[32];
	struct compute cc;
	struct layout l;
	uint32_t *x, *y, *want;
	uint8_t *snap;
	uint64_t used;
	int fd;

	fd = open_render();
	dev = pvgpu_test_query_device(fd);
	close(fd);
	igt_require_f(dev.flags & DRM_PVGPU_DEVICE_BACKEND_VIRGL,
		      "the device runs its kernels on the CPU backend, not virgl (-device pvgpu,backend=virgl)\n");
	igt_require_f(geteuid() == 0, "writing debugfs inject_device needs root\n");
	igt_pvgpu_debugfs_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/inject_device", dir);
	igt_require_f(igt_sysfs_read(path, buf, sizeof(buf)),
		      "no %s: the device has no test register (x-guest-inject=on)\n",
		      path);
	igt_emit_ignore_dmesg_regex("compute backend failed|exec queue .* guilty");

	rng_seed(10);
	compute_init(&cc, DATA_SIZE);
	layout_init(&l, &cc.d, 0);
	x = place(&l, 4 * n, 0);
	y = place(&l, 4 * n, 0);
	fill_normal(x, n, EXACT_EMIN, EXACT_EMAX);
	fill_normal(y, n, EXACT_EMIN, EXACT_EMAX);
	want = malloc(4 * n);
	igt_assert(want);
	memcpy(want, y, 4 * n);
	ref_saxpy(alpha, x, want, n);
	args_saxpy(cc.d.map, gva(&cc.d, x), gva(&cc.d, y), n, alpha);
	used = layout_used(&l);
	snap = snapshot(&cc.d, used);

	snprintf(val, sizeof(val), "%u",
		 PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_BACKEND_GL_ERROR, 0));
	igt_assert_err(igt_sysfs_write(path, val), 0);
	igt_assert_eq(dispatch_status(&cc.ctx, PVGPU_KERNEL_SAXPY_F32,
				      cc.d.va), -EIO);
	assert_stopped("injected GL error", cc.fd, cc.ctx.queue_id,
		       DRM_PVGPU_QUEUE_REASON_BACKEND);
	snapshot_check("injected GL error: output untouched", &cc.d, snap,
		       used);

	igt_assert_eq(pvgpu_ctx_replace_queue(&cc.ctx,
					      DRM_PVGPU_ENGINE_CLASS_COMPUTE),
		      0);
	dispatch(&cc.ctx, PVGPU_KERNEL_SAXPY_F32, cc.d.va);
	check_f32("saxpy on a new queue", y, want, n);
	snapshot_accept(&cc.d, snap, y, 4 * n);
	snapshot_check("saxpy on a new queue", &cc.d, snap, used);
	free(snap);
	free(want);
	compute_fini(&cc);
}

static const struct igt_lite_subtest subtests[] = {
	{ "vector-add", test_vector_add,
	  "VECTOR_ADD_U32 over n = 0, 1, odd sizes, mid-page arrays and 1 MiB, and in place (c = a, c = b): every element as the CPU loop, nothing else written" },
	{ "saxpy", test_saxpy,
	  "SAXPY_F32 over n = 0, 1, odd sizes, mid-page arrays and 1 MiB, and in place (x = y): bit-exact binary32 (product rounded, then the sum), nothing else written" },
	{ "crc32c", test_crc32c,
	  "CRC32C of \"123456789\" is 0xe3069283, of nothing 0; of 1 byte, odd sizes at odd addresses across pages and 1 MiB as the CPU's" },
	{ "matmul", test_matmul,
	  "MATMUL_F32 for n = 1, 7, 64, 256 (mid-page too, and b = a): bit-exact against the spec's loop (k in order from +0.0f, no FMA)" },
	{ "float-specials", test_float_specials,
	  "SAXPY and MATMUL with infinities, NaN (any NaN matches), signed zeros, overflowing and just-normal products and order-sensitive sums: bit-exact, no subnormal involved" },
	{ "float-subnormal", test_float_subnormal,
	  "SAXPY and MATMUL with subnormal inputs, products and results: bit-exact (a backend that flushes subnormals to zero fails)" },
	{ "concurrent", test_concurrent,
	  "four compute queues, each a different kernel over 1 MiB (matmul n = 256), released together: all correct" },
	{ "bad-args", test_bad_args,
	  "misaligned, partially overlapping, out of range (matmul n = 0, 257), reserved != 0, unknown kernel: BAD_ARGS, fence -EIO, nothing written, the VM's other queue works" },
	{ "unmapped-output", test_unmapped_output,
	  "each kernel's output unmapped: PAGE_FAULT at its address, fence -EIO, nothing written, the VM's other queue works" },
	{ "backend-gl-error", test_backend_gl_error,
	  "virgl backend: an injected GL error stops the queue with BACKEND, fence -EIO, output untouched; a new queue computes correctly" },
	{ "backend-flag", test_backend_flag,
	  "DRM_PVGPU_QUERY_DEVICE has only known flags; logs which backend runs the kernels" },
};

IGT_LITE_MAIN("the compute engine's built-in kernels, bit-exact on every backend, and their errors",
	      subtests)
