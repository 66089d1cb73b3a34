/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tests of pvgpu-virgl-worker (include/pvgpu/pvgpu_virgl_worker.h): the
 * worker (its path in $PVGPU_VW_WORKER) is spawned as the backend spawns
 * it, and every kernel's output is compared bit for bit with the plain C
 * loops of firmware-model/kernels.c. Where virglrenderer cannot
 * initialise (no GL), the tests that need it are skipped.
 */
/* The reference loops: products rounded before they are added. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#define _GNU_SOURCE
#include <errno.h>
#include <float.h>
#include <gio/gio.h>
#include <glib.h>
#include <poll.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/types.h>

#include "pvgpu_cmds.h"
#include "pvgpu_virgl_worker.h"

#define SHM_SIZE	PVGPU_VW_SHM_SIZE
/* A reply takes this long at most (llvmpipe compiles on first use). */
#define REPLY_TIMEOUT_MS	120000

typedef struct Worker {
	GSubprocess *proc;
	int sock;
	uint8_t *shm;
	uint32_t seq;
} Worker;

/* The worker most tests share, and whether its GL works. */
static Worker *shared;
static char shared_skip[200];

static Worker *worker_start(bool no_gl)
{
	g_autoptr(GSubprocessLauncher) launcher = NULL;
	g_autoptr(GError) err = NULL;
	const char *path = g_getenv("PVGPU_VW_WORKER");
	Worker *w = g_new0(Worker, 1);
	int sv[2], memfd;

	g_assert_nonnull(path);
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				   sv), ==, 0);
	memfd = memfd_create("pvgpu-vw-test", MFD_CLOEXEC);
	g_assert_cmpint(memfd, >=, 0);
	g_assert_cmpint(ftruncate(memfd, SHM_SIZE), ==, 0);
	w->shm = mmap(NULL, SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      memfd, 0);
	g_assert_true(w->shm != MAP_FAILED);

	launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
	g_subprocess_launcher_take_fd(launcher, sv[1], PVGPU_VW_FD_SOCKET);
	g_subprocess_launcher_take_fd(launcher, memfd, PVGPU_VW_FD_SHM);
	/*
	 * The worker inherits the test's environment: in a sanitized build
	 * it is sanitized too, LeakSanitizer included (Mesa's llvmpipe and
	 * EGL leave nothing it reports), and a report makes its exit status
	 * non-zero, which worker_stop() checks.
	 */
	if (no_gl)
		g_subprocess_launcher_setenv(launcher, "PVGPU_VW_TEST_NO_GL",
					     "1", TRUE);
	w->proc = g_subprocess_launcher_spawn(launcher, &err, path, NULL);
	g_assert_no_error(err);
	w->sock = sv[0];
	return w;
}

/* Close the socket; the worker must then exit with status 0. */
static void worker_stop(Worker *w)
{
	gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;

	close(w->sock);
	while (g_subprocess_get_identifier(w->proc) &&
	       g_get_monotonic_time() < deadline)
		g_usleep(10000);
	if (g_subprocess_get_identifier(w->proc)) {
		g_subprocess_force_exit(w->proc);
		g_subprocess_wait(w->proc, NULL, NULL);
		g_error("the worker did not exit when its socket closed");
	}
	g_subprocess_wait(w->proc, NULL, NULL);
	g_assert_true(g_subprocess_get_if_exited(w->proc));
	g_assert_cmpint(g_subprocess_get_exit_status(w->proc), ==, 0);
	munmap(w->shm, SHM_SIZE);
	g_object_unref(w->proc);
	g_free(w);
}

/* Send @len bytes of @msg; false if no reply came within @timeout_ms. */
static bool exchange_raw(Worker *w, const void *msg, size_t len,
			 struct pvgpu_vw_reply *r, int timeout_ms)
{
	struct pollfd pfd = { .fd = w->sock, .events = POLLIN };
	ssize_t got;

	g_assert_cmpint(send(w->sock, msg, len, MSG_NOSIGNAL), ==, (int)len);
	if (poll(&pfd, 1, timeout_ms) != 1)
		return false;
	got = recv(w->sock, r, sizeof(*r), MSG_TRUNC);
	g_assert_cmpint(got, ==, sizeof(*r));
	g_assert_cmphex(r->magic, ==, PVGPU_VW_MAGIC);
	g_assert_nonnull(memchr(r->text, '\0', sizeof(r->text)));
	return true;
}

static struct pvgpu_vw_request request(Worker *w, uint32_t op)
{
	struct pvgpu_vw_request rq = {
		.magic = PVGPU_VW_MAGIC, .op = op, .seq = ++w->seq,
	};

	return rq;
}

static struct pvgpu_vw_reply exchange(Worker *w,
				      const struct pvgpu_vw_request *rq)
{
	struct pvgpu_vw_reply r;

	if (!exchange_raw(w, rq, sizeof(*rq), &r, REPLY_TIMEOUT_MS))
		g_error("no reply to op %u within %d ms", rq->op,
			REPLY_TIMEOUT_MS);
	g_assert_cmpuint(r.seq, ==, rq->seq);
	return r;
}

/* The shared worker, or NULL when GL is unavailable (the test skipped). */
static Worker *need_gl(void)
{
	if (shared_skip[0]) {
		g_test_skip(shared_skip);
		return NULL;
	}
	return shared;
}

static void expect_ok(const struct pvgpu_vw_reply *r)
{
	if (r->status != PVGPU_VW_OK)
		g_error("status %u detail %d: %s", r->status, r->detail,
			r->text);
}

/* --- Reference kernels (firmware-model/kernels.c's loops) --------------- */

static float f32(uint32_t bits)
{
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

static uint32_t bits32(float f)
{
	uint32_t b;

	memcpy(&b, &f, sizeof(b));
	return b;
}

static void ref_saxpy(uint32_t alpha, const uint32_t *x, const uint32_t *y,
		      uint32_t *out, uint32_t n)
{
	float a = f32(alpha);

	for (uint32_t i = 0; i < n; i++)
		out[i] = bits32(a * f32(x[i]) + f32(y[i]));
}

static void ref_matmul(const uint32_t *a, const uint32_t *b, uint32_t *c,
		       uint32_t rows, uint32_t n)
{
	for (uint32_t i = 0; i < rows; i++)
		for (uint32_t j = 0; j < n; j++) {
			float acc = 0.0f;

			for (uint32_t k = 0; k < n; k++)
				acc += f32(a[i * n + k]) * f32(b[k * n + j]);
			c[i * n + j] = bits32(acc);
		}
}

static uint32_t crc32c_update(uint32_t crc, const uint8_t *p, size_t len)
{
	while (len--) {
		crc ^= *p++;
		for (int bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0x82f63b78u & -(crc & 1));
	}
	return crc;
}

/*
 * Where two NaNs meet in one operation, IEEE 754 leaves open which one's
 * payload the result carries, and so does C: the compiler may swap the
 * operands of a commutative multiplication (it does in ref_saxpy), and
 * llvmpipe returns the first operand's. So the tests of special values
 * accept, for each result, any of the values the plain loop can give
 * with either NaN chosen: the set of candidates below. Where at most one
 * NaN is involved there is one candidate, the exact result.
 */
#define MAX_CANDS	16

typedef struct Cands {
	uint32_t v[MAX_CANDS];
	unsigned n;
} Cands;

static bool is_nan32(uint32_t b)
{
	return (b & 0x7fffffffu) > 0x7f800000u;
}

static void cands_add(Cands *c, uint32_t v)
{
	for (unsigned i = 0; i < c->n; i++)
		if (c->v[i] == v)
			return;
	g_assert_cmpuint(c->n, <, MAX_CANDS);
	c->v[c->n++] = v;
}

static Cands cands_one(uint32_t v)
{
	Cands c = { .v = { v }, .n = 1 };

	return c;
}

/* p (op) q for every pair of candidates: a NaN operand propagates quieted. */
static Cands cands_op(const Cands *p, const Cands *q, bool mul)
{
	Cands out = { .n = 0 };

	for (unsigned i = 0; i < p->n; i++)
		for (unsigned j = 0; j < q->n; j++) {
			uint32_t a = p->v[i], b = q->v[j];

			if (is_nan32(a) || is_nan32(b)) {
				if (is_nan32(a))
					cands_add(&out, a | 0x00400000u);
				if (is_nan32(b))
					cands_add(&out, b | 0x00400000u);
			} else {
				cands_add(&out, bits32(mul ? f32(a) * f32(b) :
							    f32(a) + f32(b)));
			}
		}
	return out;
}

static bool cands_has(const Cands *c, uint32_t v)
{
	for (unsigned i = 0; i < c->n; i++)
		if (c->v[i] == v)
			return true;
	return false;
}

/* --- Helpers ----------------------------------------------------------- */

static uint32_t *shm_u32(Worker *w, uint32_t off)
{
	return (uint32_t *)(w->shm + off);
}

static void fill_random(uint32_t *p, size_t n, bool floats)
{
	for (size_t i = 0; i < n; i++) {
		if (floats) {
			/* Full mantissas over a range of exponents. */
			float f = (float)g_test_rand_double_range(-1.0, 1.0) *
				  (float)(1u << g_test_rand_int_range(0, 20));

			p[i] = bits32(f);
		} else {
			p[i] = (uint32_t)g_test_rand_int();
		}
	}
}

/*
 * Compare @n words; the first few differences are printed. Returns how
 * many differ.
 */
static size_t compare(const char *what, const uint32_t *got,
		      const uint32_t *want, size_t n)
{
	size_t bad = 0;

	for (size_t i = 0; i < n; i++) {
		if (got[i] == want[i])
			continue;
		if (bad++ < 8)
			g_test_message("%s[%zu]: got %#010x want %#010x", what,
				       i, got[i], want[i]);
	}
	if (bad)
		g_test_message("%s: %zu of %zu differ", what, bad, n);
	return bad;
}

/* --- Tests ------------------------------------------------------------- */

static void test_hello(void)
{
	Worker *w = need_gl();
	struct pvgpu_vw_request rq;
	struct pvgpu_vw_reply r;

	if (!w)
		return;
	rq = request(w, PVGPU_VW_OP_HELLO);
	r = exchange(w, &rq);
	expect_ok(&r);
	g_test_message("renderer: %s", r.text);
	g_assert_cmpuint(strlen(r.text), >, 0);
}

static struct pvgpu_vw_reply elementwise(Worker *w, uint32_t kernel,
					 uint32_t n, uint32_t alpha,
					 uint32_t in0, uint32_t in1,
					 uint32_t out)
{
	struct pvgpu_vw_request rq = request(w, PVGPU_VW_OP_DISPATCH);

	rq.kernel = kernel;
	rq.n = n;
	rq.alpha_bits = alpha;
	rq.in0_off = in0;
	rq.in1_off = in1;
	rq.out_off = out;
	return exchange(w, &rq);
}

static const uint32_t sizes[] = { 1, 3, 17, 64, 65, 1000, 4097, 262144 };

static void test_vector_add(void)
{
	Worker *w = need_gl();

	if (!w)
		return;
	for (size_t s = 0; s < G_N_ELEMENTS(sizes); s++) {
		uint32_t n = sizes[s];
		/* Odd placements: in1 right after in0, out at the end. */
		uint32_t in0 = 4 * 3, in1 = in0 + 4 * n;
		uint32_t out = SHM_SIZE - 4 * n;
		g_autofree uint32_t *want = g_new(uint32_t, n);
		struct pvgpu_vw_reply r;

		fill_random(shm_u32(w, in0), n, false);
		fill_random(shm_u32(w, in1), n, false);
		memset(shm_u32(w, out), 0xa5, 4 * n);
		for (uint32_t i = 0; i < n; i++)
			want[i] = shm_u32(w, in0)[i] + shm_u32(w, in1)[i];
		r = elementwise(w, PVGPU_KERNEL_VECTOR_ADD_U32, n, 0, in0, in1,
				out);
		expect_ok(&r);
		g_assert_cmpuint(compare("vector_add", shm_u32(w, out), want,
					 n), ==, 0);
		g_test_message("VECTOR_ADD_U32 n=%u: gpu_ns %" G_GUINT64_FORMAT,
			       n, r.gpu_ns);
	}
}

/* SAXPY of @x and @y (n each) with alpha; in place when @in_place. */
/*
 * Results that differ from the plain loop's but are among its candidates
 * (another NaN's payload); the subtests of special values print them.
 */
static size_t nan_choice_diffs;

/* The differences not explained by the choice of NaN (see Cands). */
static size_t compare_nan_choice(const char *what, const uint32_t *got,
				 const uint32_t *want, const Cands *cands,
				 size_t n)
{
	size_t bad = 0;

	for (size_t i = 0; i < n; i++) {
		if (got[i] == want[i])
			continue;
		if (cands_has(&cands[i], got[i])) {
			nan_choice_diffs++;
			continue;
		}
		if (bad++ < 8)
			g_test_message("%s[%zu]: got %#010x want %#010x", what,
				       i, got[i], want[i]);
	}
	return bad;
}

static size_t saxpy_check(Worker *w, uint32_t alpha, const uint32_t *x,
			  const uint32_t *y, uint32_t n, bool in_place,
			  uint64_t *gpu_ns)
{
	uint32_t in0 = 0, in1 = 4 * n, out = in_place ? in1 : 8 * n + 4;
	g_autofree uint32_t *want = g_new(uint32_t, n);
	struct pvgpu_vw_reply r;

	memcpy(shm_u32(w, in0), x, 4 * n);
	memcpy(shm_u32(w, in1), y, 4 * n);
	ref_saxpy(alpha, x, y, want, n);
	r = elementwise(w, PVGPU_KERNEL_SAXPY_F32, n, alpha, in0, in1, out);
	expect_ok(&r);
	if (gpu_ns) {
		*gpu_ns = r.gpu_ns;
	} else {
		/* Special values: the choice of NaN is free. */
		g_autofree Cands *c = g_new(Cands, n);
		Cands ca = cands_one(alpha);

		for (uint32_t i = 0; i < n; i++) {
			Cands cx = cands_one(x[i]), cy = cands_one(y[i]);
			Cands p = cands_op(&ca, &cx, true);

			c[i] = cands_op(&p, &cy, false);
		}
		return compare_nan_choice("saxpy", shm_u32(w, out), want, c,
					  n);
	}
	return compare("saxpy", shm_u32(w, out), want, n);
}

static void test_saxpy(void)
{
	Worker *w = need_gl();

	if (!w)
		return;
	for (size_t s = 0; s < G_N_ELEMENTS(sizes); s++) {
		uint32_t n = sizes[s];
		g_autofree uint32_t *x = g_new(uint32_t, n);
		g_autofree uint32_t *y = g_new(uint32_t, n);
		uint32_t alpha;
		uint64_t ns;

		fill_random(x, n, true);
		fill_random(y, n, true);
		fill_random(&alpha, 1, true);
		g_assert_cmpuint(saxpy_check(w, alpha, x, y, n, false, &ns),
				 ==, 0);
		g_test_message("SAXPY_F32 n=%u: gpu_ns %" G_GUINT64_FORMAT, n,
			       ns);
		g_assert_cmpuint(saxpy_check(w, alpha, x, y, n, true, &ns),
				 ==, 0);
	}
}

/*
 * Values without subnormals whose products and sums (with each other)
 * are never subnormal either: zeros, infinities, NaNs (quiet and
 * signalling, either sign, with payloads), and normals far from the
 * subnormal range.
 */
static const uint32_t special[] = {
	0x00000000, 0x80000000,			/* +0, -0 */
	0x7f800000, 0xff800000,			/* +inf, -inf */
	0x7fc00000, 0xffc00000,			/* default NaNs */
	0x7fc12345, 0xffd54321,			/* quiet NaNs, payloads */
	0x7f800001, 0xff812345,			/* signalling NaNs */
	0x3f800000, 0xbf800000,			/* 1, -1 */
	0x3fc00000, 0xc0400000,			/* 1.5, -3 */
	0x7f7fffff, 0xff7fffff,			/* +-FLT_MAX */
	0x5f000000, 0x3f7fffff,			/* 2^63, 1 - 2^-24 */
};

/* Subnormals, and normals whose products with these are subnormal. */
static const uint32_t subnormal[] = {
	0x00000001, 0x80000001,			/* +-smallest subnormal */
	0x007fffff, 0x807fffff,			/* +-largest subnormal */
	0x00400000, 0x00012345,
	0x00800000, 0x80800000,			/* +-FLT_MIN */
	0x3f000000, 0x3e800000,			/* 0.5, 0.25 */
	0x00000000, 0x80000000, 0x3f800000, 0x7fc00000,
};

/* Every (alpha, x, y) from @vals; the differences found. */
static size_t saxpy_table(Worker *w, const uint32_t *vals, size_t nv)
{
	size_t n = nv * nv, bad = 0;
	g_autofree uint32_t *x = g_new(uint32_t, n);
	g_autofree uint32_t *y = g_new(uint32_t, n);

	for (size_t i = 0; i < n; i++) {
		x[i] = vals[i / nv];
		y[i] = vals[i % nv];
	}
	for (size_t a = 0; a < nv; a++) {
		size_t d = saxpy_check(w, vals[a], x, y, (uint32_t)n, false,
				       NULL);

		if (d)
			g_test_message("  (alpha %#010x)", vals[a]);
		bad += d;
	}
	return bad;
}

static void test_saxpy_special(void)
{
	Worker *w = need_gl();

	if (!w)
		return;
	nan_choice_diffs = 0;
	g_assert_cmpuint(saxpy_table(w, special, G_N_ELEMENTS(special)), ==, 0);
	g_test_message("results with another NaN's payload than the plain "
		       "loop's: %zu", nan_choice_diffs);
}

static void test_saxpy_subnormal(void)
{
	Worker *w = need_gl();

	if (!w)
		return;
	nan_choice_diffs = 0;
	g_assert_cmpuint(saxpy_table(w, subnormal, G_N_ELEMENTS(subnormal)), ==, 0);
	g_test_message("results with another NaN's payload than the plain "
		       "loop's: %zu", nan_choice_diffs);
}

static size_t matmul_check(Worker *w, const uint32_t *a, const uint32_t *b,
			   uint32_t rows, uint32_t n, uint64_t *gpu_ns)
{
	struct pvgpu_vw_request rq = request(w, PVGPU_VW_OP_DISPATCH);
	g_autofree uint32_t *want = g_new(uint32_t, rows * n + 1);
	struct pvgpu_vw_reply r;

	rq.kernel = PVGPU_KERNEL_MATMUL_F32;
	rq.n = n;
	rq.rows = rows;
	rq.in1_off = 0x100;
	rq.in0_off = rq.in1_off + 4 * n * n;
	rq.out_off = SHM_SIZE - 4 * rows * n;
	memcpy(shm_u32(w, rq.in0_off), a, 4 * rows * n);
	memcpy(shm_u32(w, rq.in1_off), b, 4 * n * n);
	ref_matmul(a, b, want, rows, n);
	r = exchange(w, &rq);
	expect_ok(&r);
	if (gpu_ns) {
		*gpu_ns = r.gpu_ns;
	} else {
		/* Special values: the choice of NaN is free. */
		g_autofree Cands *c = g_new(Cands, rows * n);

		for (uint32_t i = 0; i < rows; i++)
			for (uint32_t j = 0; j < n; j++) {
				Cands acc = cands_one(0);

				for (uint32_t k = 0; k < n; k++) {
					Cands ca = cands_one(a[i * n + k]);
					Cands cb = cands_one(b[k * n + j]);
					Cands p = cands_op(&ca, &cb, true);

					acc = cands_op(&acc, &p, false);
				}
				c[i * n + j] = acc;
			}
		return compare_nan_choice("matmul", shm_u32(w, rq.out_off),
					  want, c, rows * n);
	}
	return compare("matmul", shm_u32(w, rq.out_off), want, rows * n);
}

static void test_matmul(void)
{
	static const uint32_t dims[][2] = {	/* rows, n */
		{ 1, 1 }, { 2, 2 }, { 7, 7 }, { 5, 33 }, { 64, 64 },
		{ 255, 255 }, { 256, 256 }, { 1, 256 },
	};
	Worker *w = need_gl();

	if (!w)
		return;
	for (size_t d = 0; d < G_N_ELEMENTS(dims); d++) {
		uint32_t rows = dims[d][0], n = dims[d][1];
		g_autofree uint32_t *a = g_new(uint32_t, rows * n);
		g_autofree uint32_t *b = g_new(uint32_t, n * n);
		uint64_t ns;

		fill_random(a, rows * n, true);
		fill_random(b, n * n, true);
		g_assert_cmpuint(matmul_check(w, a, b, rows, n, &ns), ==, 0);
		g_test_message("MATMUL_F32 %ux%u: gpu_ns %" G_GUINT64_FORMAT,
			       rows, n, ns);
	}
}

/* Matrices drawn from @vals (and random normals), several sizes. */
static size_t matmul_table(Worker *w, const uint32_t *vals, size_t nv)
{
	static const uint32_t ns[] = { 1, 2, 3, 8, 17 };
	size_t bad = 0;

	for (size_t s = 0; s < G_N_ELEMENTS(ns); s++)
		for (int round = 0; round < 20; round++) {
			uint32_t n = ns[s];
			g_autofree uint32_t *a = g_new(uint32_t, n * n);
			g_autofree uint32_t *b = g_new(uint32_t, n * n);

			for (uint32_t i = 0; i < n * n; i++) {
				a[i] = vals[g_test_rand_int_range(0, nv)];
				b[i] = vals[g_test_rand_int_range(0, nv)];
			}
			bad += matmul_check(w, a, b, n, n, NULL);
		}
	return bad;
}

static void test_matmul_special(void)
{
	Worker *w = need_gl();

	if (!w)
		return;
	nan_choice_diffs = 0;
	g_assert_cmpuint(matmul_table(w, special, G_N_ELEMENTS(special)), ==, 0);
	g_test_message("results with another NaN's payload than the plain "
		       "loop's: %zu", nan_choice_diffs);
}

static void test_matmul_subnormal(void)
{
	Worker *w = need_gl();

	if (!w)
		return;
	nan_choice_diffs = 0;
	g_assert_cmpuint(matmul_table(w, subnormal, G_N_ELEMENTS(subnormal)), ==, 0);
	g_test_message("results with another NaN's payload than the plain "
		       "loop's: %zu", nan_choice_diffs);
}

/*
 * The register after feeding @len zero bytes to @crc: what the backend
 * does to chain segments (a CRC is linear: crc(c, data) = crc(0, data)
 * ^ crc(c, zeros)).
 */
static uint32_t crc32c_zeros(uint32_t crc, size_t len)
{
	static const uint8_t zeros[4096];

	while (len) {
		size_t k = MIN(len, sizeof(zeros));

		crc = crc32c_update(crc, zeros, k);
		len -= k;
	}
	return crc;
}

static void crc_check(Worker *w, const uint8_t *data, uint32_t n,
		      uint32_t seg_bytes, uint64_t *gpu_ns)
{
	struct pvgpu_vw_request rq = request(w, PVGPU_VW_OP_DISPATCH);
	uint32_t segs = (n + seg_bytes - 1) / seg_bytes;
	uint32_t crc = 0xffffffffu;
	struct pvgpu_vw_reply r;
	uint32_t *out;

	rq.kernel = PVGPU_KERNEL_CRC32C;
	rq.n = n;
	rq.seg_bytes = seg_bytes;
	rq.in0_off = 4;
	rq.out_off = (4 + n + 3 + 64) & ~3u;
	memcpy(w->shm + rq.in0_off, data, n);
	/* Bytes after the input must not count. */
	memset(w->shm + rq.in0_off + n, 0x5a, 3);
	r = exchange(w, &rq);
	expect_ok(&r);
	if (gpu_ns)
		*gpu_ns = r.gpu_ns;
	out = shm_u32(w, rq.out_off);
	for (uint32_t s = 0; s < segs; s++) {
		uint32_t off = s * seg_bytes;
		uint32_t len = MIN(seg_bytes, n - off);

		g_assert_cmphex(out[s], ==,
				crc32c_update(0, data + off, len));
		crc = out[s] ^ crc32c_zeros(crc, len);
	}
	g_assert_cmphex(~crc, ==, ~crc32c_update(0xffffffffu, data, n));
}

static void test_crc32c(void)
{
	static const uint32_t lens[] = { 1, 3, 4, 5, 63, 4099, 1u << 20 };
	static const uint32_t segs[] = { 4, 64, 4096, 1u << 20 };
	Worker *w = need_gl();
	g_autofree uint8_t *data = g_malloc(1u << 20);

	if (!w)
		return;
	/* The check value of CRC-32C. */
	crc_check(w, (const uint8_t *)"123456789", 9, 8, NULL);
	g_assert_cmphex(~crc32c_update(~0u, (const uint8_t *)"123456789", 9),
			==, 0xe3069283);
	for (size_t i = 0; i < (1u << 20); i++)
		data[i] = (uint8_t)g_test_rand_int();
	for (size_t l = 0; l < G_N_ELEMENTS(lens); l++)
		for (size_t s = 0; s < G_N_ELEMENTS(segs); s++) {
			uint64_t ns;

			if (lens[l] == (1u << 20) && segs[s] == 4)
				continue;	/* slow in the reference */
			crc_check(w, data, lens[l], segs[s], &ns);
			if (lens[l] == (1u << 20))
				g_test_message("CRC32C %u bytes, segments of "
					       "%u: gpu_ns %" G_GUINT64_FORMAT,
					       lens[l], segs[s], ns);
		}
}

static void expect_status(Worker *w, const struct pvgpu_vw_request *rq,
			  uint32_t status)
{
	struct pvgpu_vw_reply r = exchange(w, rq);

	if (r.status != status)
		g_error("status %u (%s), expected %u", r.status, r.text,
			status);
	g_test_message("status %u: %s", r.status, r.text);
}

/* A VECTOR_ADD_U32 of 5 elements that must work. */
static void expect_working(Worker *w)
{
	struct pvgpu_vw_reply r;

	for (uint32_t i = 0; i < 5; i++) {
		shm_u32(w, 0)[i] = i;
		shm_u32(w, 64)[i] = 100 * i;
		shm_u32(w, 128)[i] = 0;
	}
	r = elementwise(w, PVGPU_KERNEL_VECTOR_ADD_U32, 5, 0, 0, 64, 128);
	expect_ok(&r);
	for (uint32_t i = 0; i < 5; i++)
		g_assert_cmpuint(shm_u32(w, 128)[i], ==, 101 * i);
}

static void test_malformed(void)
{
	Worker *w = need_gl();
	struct pvgpu_vw_request rq;
	struct pvgpu_vw_reply r;
	uint8_t big[sizeof(rq) + 16];

	if (!w)
		return;
	/* The wrong size: too short, too long. */
	rq = request(w, PVGPU_VW_OP_HELLO);
	g_assert_true(exchange_raw(w, &rq, 12, &r, REPLY_TIMEOUT_MS));
	g_assert_cmpuint(r.status, ==, PVGPU_VW_ERR_PROTO);
	g_assert_cmpuint(r.seq, ==, rq.seq);
	memset(big, 0, sizeof(big));
	memcpy(big, &rq, sizeof(rq));
	g_assert_true(exchange_raw(w, big, sizeof(big), &r, REPLY_TIMEOUT_MS));
	g_assert_cmpuint(r.status, ==, PVGPU_VW_ERR_PROTO);

	rq = request(w, PVGPU_VW_OP_HELLO);
	rq.magic ^= 1;
	expect_status(w, &rq, PVGPU_VW_ERR_PROTO);
	rq = request(w, PVGPU_VW_OP_HELLO);
	rq.reserved = 1;
	expect_status(w, &rq, PVGPU_VW_ERR_PROTO);
	rq = request(w, 99);
	expect_status(w, &rq, PVGPU_VW_ERR_PROTO);
	rq = request(w, PVGPU_VW_OP_DISPATCH);
	rq.kernel = 9;
	rq.n = 1;
	expect_status(w, &rq, PVGPU_VW_ERR_PROTO);

	/* Ranges outside the staging area, unaligned, overlapping. */
	rq = request(w, PVGPU_VW_OP_DISPATCH);
	rq.kernel = PVGPU_KERNEL_VECTOR_ADD_U32;
	rq.n = 2;
	rq.in0_off = SHM_SIZE - 4;
	expect_status(w, &rq, PVGPU_VW_ERR_ARGS);
	rq.seq = ++w->seq;
	rq.in0_off = 0xfffffffcu;
	expect_status(w, &rq, PVGPU_VW_ERR_ARGS);
	rq.seq = ++w->seq;
	rq.in0_off = 0;
	rq.out_off = 0x102;
	expect_status(w, &rq, PVGPU_VW_ERR_ARGS);
	rq.seq = ++w->seq;
	rq.out_off = 0x100;
	rq.n = 0xffffffffu;
	expect_status(w, &rq, PVGPU_VW_ERR_ARGS);
	rq.seq = ++w->seq;
	rq.n = 8;
	rq.in1_off = 0x200;
	rq.out_off = 4;		/* partially over in0 */
	expect_status(w, &rq, PVGPU_VW_ERR_ARGS);

	/* MATMUL_F32 limits. */
	rq = request(w, PVGPU_VW_OP_DISPATCH);
	rq.kernel = PVGPU_KERNEL_MATMUL_F32;
	rq.n = 257;
	rq.rows = 1;
	rq.in1_off = 0x100000;
	rq.out_off = 0x400000;
	expect_status(w, &rq, PVGPU_VW_ERR_PROTO);
	rq.seq = ++w->seq;
	rq.n = 0;
	expect_status(w, &rq, PVGPU_VW_ERR_PROTO);
	rq.seq = ++w->seq;
	rq.n = 4;
	rq.rows = 5;
	expect_status(w, &rq, PVGPU_VW_ERR_PROTO);
	rq.seq = ++w->seq;
	rq.n = 256;
	rq.rows = 256;
	rq.out_off = SHM_SIZE - 0x40000 + 4;	/* one dword too far */
	expect_status(w, &rq, PVGPU_VW_ERR_ARGS);

	/* CRC32C segments. */
	rq = request(w, PVGPU_VW_OP_DISPATCH);
	rq.kernel = PVGPU_KERNEL_CRC32C;
	rq.n = 100;
	rq.out_off = 0x1000;
	rq.seg_bytes = 0;
	expect_status(w, &rq, PVGPU_VW_ERR_PROTO);
	rq.seq = ++w->seq;
	rq.seg_bytes = 6;
	expect_status(w, &rq, PVGPU_VW_ERR_PROTO);
	rq.seq = ++w->seq;
	rq.seg_bytes = 4;
	rq.out_off = 96;	/* over the input */
	expect_status(w, &rq, PVGPU_VW_ERR_ARGS);

	expect_working(w);
}

static void test_inject_gl_error(void)
{
	Worker *w = need_gl();
	struct pvgpu_vw_request rq;
	struct pvgpu_vw_reply r;

	if (!w)
		return;
	rq = request(w, PVGPU_VW_OP_INJECT_GL_ERROR);
	r = exchange(w, &rq);
	expect_ok(&r);
	/* The next dispatch fails once, with what virglrenderer said. */
	for (uint32_t i = 0; i < 5; i++)
		shm_u32(w, 128)[i] = 0xdeadbeef;
	r = elementwise(w, PVGPU_KERNEL_VECTOR_ADD_U32, 5, 0, 0, 64, 128);
	g_assert_cmpuint(r.status, ==, PVGPU_VW_ERR_GL);
	g_assert_cmpint(r.detail, !=, 0);
	g_test_message("injected: detail %d: %s", r.detail, r.text);
	g_assert_cmpuint(strlen(r.text), >, 0);
	expect_working(w);
	/* Every kernel works in the new context. */
	test_saxpy_special();
}

static void test_inject_hang(void)
{
	Worker *w;
	struct pvgpu_vw_request rq;
	struct pvgpu_vw_reply r;

	if (shared_skip[0]) {
		g_test_skip(shared_skip);
		return;
	}
	w = worker_start(false);
	rq = request(w, PVGPU_VW_OP_HELLO);
	r = exchange(w, &rq);
	expect_ok(&r);
	rq = request(w, PVGPU_VW_OP_INJECT_HANG);
	g_assert_false(exchange_raw(w, &rq, sizeof(rq), &r, 1000));
	rq = request(w, PVGPU_VW_OP_HELLO);
	g_assert_false(exchange_raw(w, &rq, sizeof(rq), &r, 500));
	worker_stop(w);
}

static void test_exit_on_close(void)
{
	Worker *w;
	struct pvgpu_vw_request rq;
	struct pvgpu_vw_reply r;

	if (shared_skip[0]) {
		g_test_skip(shared_skip);
		return;
	}
	w = worker_start(false);
	rq = request(w, PVGPU_VW_OP_HELLO);
	r = exchange(w, &rq);
	expect_ok(&r);
	worker_stop(w);
}

/* Without virglrenderer every request gets ERR_INIT and a reason. */
static void test_init_failure(void)
{
	Worker *w = worker_start(true);
	struct pvgpu_vw_request rq;
	struct pvgpu_vw_reply r;

	for (uint32_t op = PVGPU_VW_OP_HELLO; op <= PVGPU_VW_OP_DISPATCH;
	     op++) {
		rq = request(w, op);
		rq.kernel = PVGPU_KERNEL_VECTOR_ADD_U32;
		rq.n = 1;
		r = exchange(w, &rq);
		g_assert_cmpuint(r.status, ==, PVGPU_VW_ERR_INIT);
		g_assert_nonnull(strstr(r.text, "PVGPU_VW_TEST_NO_GL"));
	}
	worker_stop(w);
}

int main(int argc, char **argv)
{
	struct pvgpu_vw_request rq;
	struct pvgpu_vw_reply r;
	int ret;

	g_test_init(&argc, &argv, NULL);

	shared = worker_start(false);
	rq = request(shared, PVGPU_VW_OP_HELLO);
	r = exchange(shared, &rq);
	if (r.status == PVGPU_VW_ERR_INIT)
		snprintf(shared_skip, sizeof(shared_skip),
			 "virglrenderer did not initialise: %s", r.text);
	else
		expect_ok(&r);

	g_test_add_func("/virgl-worker/hello", test_hello);
	g_test_add_func("/virgl-worker/vector-add", test_vector_add);
	g_test_add_func("/virgl-worker/saxpy", test_saxpy);
	g_test_add_func("/virgl-worker/saxpy-special", test_saxpy_special);
	g_test_add_func("/virgl-worker/saxpy-subnormal", test_saxpy_subnormal);
	g_test_add_func("/virgl-worker/crc32c", test_crc32c);
	g_test_add_func("/virgl-worker/matmul", test_matmul);
	g_test_add_func("/virgl-worker/matmul-special", test_matmul_special);
	g_test_add_func("/virgl-worker/matmul-subnormal",
			test_matmul_subnormal);
	g_test_add_func("/virgl-worker/malformed", test_malformed);
	g_test_add_func("/virgl-worker/inject-gl-error", test_inject_gl_error);
	g_test_add_func("/virgl-worker/inject-hang", test_inject_hang);
	g_test_add_func("/virgl-worker/exit-on-close", test_exit_on_close);
	g_test_add_func("/virgl-worker/init-failure", test_init_failure);
	ret = g_test_run();
	worker_stop(shared);
	return ret;
}
