/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu-virgl-worker: runs the built-in compute kernels on the host GPU
 * through virglrenderer, for the firmware model's virgl backend. The
 * protocol, the descriptors it is started with and the kernels' results
 * are in include/pvgpu/pvgpu_virgl_worker.h.
 *
 * The GL side: one virgl context; one PIPE_BUFFER resource the size of
 * the staging area whose backing store is the shared memory itself, so
 * the upload and the read-back are transfers between the mapping and the
 * GL buffer at the request's offsets, with no copy of ours; one compute
 * shader per kernel. A dispatch uploads the input ranges, submits
 * BIND_SHADER, the constants, SET_SHADER_BUFFERS, LAUNCH_GRID and
 * MEMORY_BARRIER, and reads the output range back (the read maps the GL
 * buffer, which waits for the grid).
 */

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <epoxy/gl.h>
#include <virgl/virglrenderer.h>

#include <linux/types.h>

#include "pvgpu_cmds.h"
#include "pvgpu_virgl_worker.h"
#include "shaders.h"
#include "virgl_cmd.h"

#define CTX_ID		1u
#define RES_ID		1u	/* the staging area */
#define RES_SCRATCH	2u	/* CRC32C pieces of long segments */
/* Shader object handles: the kernel number plus this. */
#define SHADER_HANDLE_BASE	16u
#define KERNEL_FIRST	PVGPU_KERNEL_VECTOR_ADD_U32
#define KERNEL_LAST	PVGPU_KERNEL_MATMUL_F32
#define MATMUL_MAX_N	256u
/* Command buffer: large enough for the CRC32C shader's text. */
#define CMDBUF_DWORDS	16384u

/*
 * virglrenderer.h only declares the box of a transfer; virglrenderer reads
 * it as its struct pipe_box: six ints, x y z width height depth.
 */
struct virgl_box {
	uint32_t x, y, z, w, h, d;
};

struct worker {
	int sock;
	uint8_t *shm;
	/*
	 * The resource's backing store: virglrenderer keeps the pointer to
	 * the iovec array, not a copy, so it lives as long as the resource.
	 */
	struct iovec shm_iov;
	uint32_t *scratch;
	struct iovec scratch_iov;
	bool gl_ready;		/* virglrenderer initialised */
	bool ctx_ready;		/* context, resource and shaders usable */
	char init_error[128];
	bool inject_gl_error;	/* the next dispatch submits a bad stream */
	uint32_t cmd[CMDBUF_DWORDS];
};

/* --- virglrenderer's log ----------------------------------------------- */

/*
 * virglrenderer reports some failures only in its log (a shader that
 * does not compile, a buffer it cannot map): the last line logged while a
 * request runs is kept for the reply's text, and a dispatch that logged
 * one of these fails.
 */
static char vrend_last_log[128];
static unsigned vrend_log_count;

static void vrend_log(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));

static void vrend_log(const char *fmt, va_list ap)
{
	char line[512];
	size_t len;

	vsnprintf(line, sizeof(line), fmt, ap);
	len = strlen(line);
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	fprintf(stderr, "pvgpu-virgl-worker: virgl: %s\n", line);
	/* The last line, cut to fit: what a failed dispatch reports. */
	len = len < sizeof(vrend_last_log) ? len : sizeof(vrend_last_log) - 1;
	memcpy(vrend_last_log, line, len);
	vrend_last_log[len] = '\0';
	vrend_log_count++;
}

static bool log_line_is_failure(const char *line)
{
	return strcasestr(line, "fail") || strcasestr(line, "error") ||
	       strcasestr(line, "unable") || strcasestr(line, "illegal");
}

/* --- Replies ----------------------------------------------------------- */

static void reply_init(struct pvgpu_vw_reply *r, uint32_t seq)
{
	memset(r, 0, sizeof(*r));
	r->magic = PVGPU_VW_MAGIC;
	r->seq = seq;
}

static void reply_set(struct pvgpu_vw_reply *r, uint32_t status,
		      int32_t detail, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void reply_set(struct pvgpu_vw_reply *r, uint32_t status,
		      int32_t detail, const char *fmt, ...)
{
	va_list ap;

	r->status = status;
	r->detail = detail;
	va_start(ap, fmt);
	vsnprintf(r->text, sizeof(r->text), fmt, ap);
	va_end(ap);
}

/* --- GL setup ---------------------------------------------------------- */

static void write_fence(void *cookie, uint32_t fence)
{
	(void)cookie;
	(void)fence;
}

static struct virgl_renderer_callbacks vrend_cbs = {
	.version = 1,
	.write_fence = write_fence,
};

static int submit(struct vw_cmdbuf *cb)
{
	if (!vw_cmd_ok(cb))
		return -ENOBUFS;
	return virgl_renderer_submit_cmd(cb->dw, CTX_ID, (int)cb->len);
}

static void context_destroy(struct worker *w)
{
	virgl_renderer_ctx_detach_resource(CTX_ID, RES_ID);
	virgl_renderer_ctx_detach_resource(CTX_ID, RES_SCRATCH);
	virgl_renderer_context_destroy(CTX_ID);
	w->ctx_ready = false;
}

/*
 * The context with the staging resource attached and the shaders created
 * (a context virglrenderer marked bad after an error is replaced whole).
 */
static int context_setup(struct worker *w, char *err, size_t errlen)
{
	static const char name[] = "pvgpu-virgl-worker";
	struct vw_cmdbuf cb;
	int ret;

	ret = virgl_renderer_context_create(CTX_ID, sizeof(name) - 1, name);
	if (ret) {
		snprintf(err, errlen, "virgl_renderer_context_create: %d", ret);
		return ret;
	}
	virgl_renderer_ctx_attach_resource(CTX_ID, RES_ID);
	virgl_renderer_ctx_attach_resource(CTX_ID, RES_SCRATCH);
	for (uint32_t k = KERNEL_FIRST; k <= KERNEL_LAST; k++) {
		vw_cmd_init(&cb, w->cmd, CMDBUF_DWORDS);
		vw_cmd_create_shader(&cb, SHADER_HANDLE_BASE + k,
				     VW_PIPE_SHADER_COMPUTE,
				     VW_SHADER_MAX_TOKENS, vw_shader_text(k));
		ret = submit(&cb);
		if (ret) {
			snprintf(err, errlen,
				 "creating the shader of kernel %u: %d", k,
				 ret);
			context_destroy(w);
			return ret;
		}
	}
	w->ctx_ready = true;
	return 0;
}

static bool gl_init(struct worker *w)
{
	struct virgl_renderer_resource_create_args args = {
		.handle = RES_ID,
		.target = VW_PIPE_BUFFER,
		.format = VW_FORMAT_R8_UNORM,
		.bind = VW_BIND_SHADER_BUFFER,
		.width = PVGPU_VW_SHM_SIZE,
		.height = 1,
		.depth = 1,
		.array_size = 1,
	};
	char err[96];
	int ret;

	if (getenv("PVGPU_VW_TEST_NO_GL")) {
		snprintf(w->init_error, sizeof(w->init_error),
			 "virglrenderer not initialised: PVGPU_VW_TEST_NO_GL "
			 "is set");
		return false;
	}
	/*
	 * virglrenderer's callback type carries no format attribute, so
	 * QEMU's -Wsuggest-attribute=format asks for one on it.
	 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsuggest-attribute=format"
	virgl_set_debug_callback(vrend_log);
#pragma GCC diagnostic pop
	/* The cookie must not be NULL: virglrenderer then fails silently. */
	ret = virgl_renderer_init(w, VIRGL_RENDERER_USE_EGL |
				  VIRGL_RENDERER_USE_SURFACELESS, &vrend_cbs);
	if (ret) {
		snprintf(w->init_error, sizeof(w->init_error),
			 "virgl_renderer_init (EGL, surfaceless): %d%s%.80s",
			 ret, vrend_log_count ? ": " : "", vrend_last_log);
		return false;
	}
	w->gl_ready = true;
	ret = virgl_renderer_resource_create(&args, NULL, 0);
	if (!ret) {
		args.handle = RES_SCRATCH;
		ret = virgl_renderer_resource_create(&args, NULL, 0);
	}
	if (ret) {
		snprintf(w->init_error, sizeof(w->init_error),
			 "virgl_renderer_resource_create (%u-byte shader "
			 "buffer): %d", PVGPU_VW_SHM_SIZE, ret);
		return false;
	}
	/*
	 * The backing store is the shared memory: transfers copy between it
	 * and the GL buffer. (An iovec given to resource_create is recorded
	 * but never reaches the renderer's resource in 0.10.4: attach it.)
	 */
	w->shm_iov.iov_base = w->shm;
	w->shm_iov.iov_len = PVGPU_VW_SHM_SIZE;
	w->scratch = calloc(1, PVGPU_VW_SHM_SIZE);
	w->scratch_iov.iov_base = w->scratch;
	w->scratch_iov.iov_len = PVGPU_VW_SHM_SIZE;
	ret = virgl_renderer_resource_attach_iov(RES_ID, &w->shm_iov, 1);
	if (!ret)
		ret = w->scratch ? virgl_renderer_resource_attach_iov(
				RES_SCRATCH, &w->scratch_iov, 1) : -ENOMEM;
	if (ret) {
		snprintf(w->init_error, sizeof(w->init_error),
			 "virgl_renderer_resource_attach_iov: %d", ret);
		return false;
	}
	if (context_setup(w, err, sizeof(err))) {
		snprintf(w->init_error, sizeof(w->init_error), "%.96s", err);
		return false;
	}
	return true;
}

/* --- Requests ---------------------------------------------------------- */

struct range {
	uint64_t off, len;
};

static bool range_in_shm(struct range r)
{
	return !(r.off & 3) && r.off <= PVGPU_VW_SHM_SIZE &&
	       r.len <= PVGPU_VW_SHM_SIZE - r.off;
}

static bool ranges_overlap(struct range a, struct range b)
{
	return a.len && b.len && a.off < b.off + b.len &&
	       b.off < a.off + a.len;
}

/* What one dispatch reads, writes and launches. */
struct job {
	struct range in0, in1, out;
	uint32_t invocations;
	/*
	 * CRC32C: the bytes one invocation covers, and whether that is less
	 * than a segment (the results then go to the scratch resource, and
	 * the worker combines them).
	 */
	uint32_t piece;
	bool split;
	uint32_t consts[VW_CONST_DWORDS];
};

/*
 * The bytes one CRC32C invocation covers: the segment, or where that is
 * longer than a shader may loop, the largest multiple of 4 up to
 * VW_CRC_MAX_PIECE that divides it (pieces never straddle segments).
 */
static uint32_t crc_piece(uint32_t seg_bytes)
{
	uint32_t dwords = seg_bytes / 4;

	if (seg_bytes <= VW_CRC_MAX_PIECE)
		return seg_bytes;
	for (uint32_t d = VW_CRC_MAX_PIECE / 4; d > 1; d--)
		if (dwords % d == 0)
			return 4 * d;
	return 4;
}

static uint32_t crc32c_table[256];

static void crc32c_init_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t crc = i;

		for (int bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0x82f63b78u & -(crc & 1));
		crc32c_table[i] = crc;
	}
}

/* The register after @len zero bytes (a CRC is linear: this chains). */
static uint32_t crc32c_zeros(uint32_t crc, uint64_t len)
{
	while (len--)
		crc = (crc >> 8) ^ crc32c_table[crc & 0xff];
	return crc;
}

/*
 * Each segment's register from its pieces' (in the scratch), written to
 * the staging area's output: crc(a || b) = zeros(crc(a), |b|) ^ crc(b).
 */
static void crc_combine(struct worker *w, const struct pvgpu_vw_request *rq,
			const struct job *job)
{
	uint32_t *out = (uint32_t *)(w->shm + rq->out_off);
	uint32_t pieces_per_seg = rq->seg_bytes / job->piece;

	for (uint32_t p = 0, s = 0; p < job->invocations; s++) {
		uint32_t crc = 0;

		for (uint32_t k = 0; k < pieces_per_seg &&
		     p < job->invocations; k++, p++) {
			uint64_t start = (uint64_t)p * job->piece;
			uint64_t len = rq->n - start < job->piece ?
				       rq->n - start : job->piece;

			crc = crc32c_zeros(crc, len) ^ w->scratch[p];
		}
		out[s] = crc;
	}
}

/*
 * Check @rq and describe its job; false with the reply's status set when
 * it is malformed (PROTO) or names ranges outside the staging area or
 * overlapping as the kernel does not allow (ARGS).
 */
static bool job_from_request(const struct pvgpu_vw_request *rq,
			     struct job *job, struct pvgpu_vw_reply *r)
{
	uint64_t n = rq->n;

	memset(job, 0, sizeof(*job));
	job->in0.off = rq->in0_off;
	job->in1.off = rq->in1_off;
	job->out.off = rq->out_off;
	switch (rq->kernel) {
	case PVGPU_KERNEL_VECTOR_ADD_U32:
	case PVGPU_KERNEL_SAXPY_F32:
		job->in0.len = job->in1.len = job->out.len = 4 * n;
		job->invocations = rq->n;
		/* In place (out == an input) works; a partial overlap not. */
		if (!range_in_shm(job->in0) || !range_in_shm(job->in1) ||
		    !range_in_shm(job->out))
			goto bad_range;
		if ((job->out.off != job->in0.off &&
		     ranges_overlap(job->out, job->in0)) ||
		    (job->out.off != job->in1.off &&
		     ranges_overlap(job->out, job->in1))) {
			reply_set(r, PVGPU_VW_ERR_ARGS, 0,
				  "output partially overlaps an input");
			return false;
		}
		break;
	case PVGPU_KERNEL_CRC32C:
		if (!rq->seg_bytes || (rq->seg_bytes & 3)) {
			reply_set(r, PVGPU_VW_ERR_PROTO, 0,
				  "CRC32C seg_bytes %u: not a positive "
				  "multiple of 4", rq->seg_bytes);
			return false;
		}
		/* Whole dwords are read: the last one may be partial. */
		job->in0.len = (n + 3) & ~3ull;
		job->out.len = 4ull * ((n + rq->seg_bytes - 1) / rq->seg_bytes);
		job->piece = crc_piece(rq->seg_bytes);
		job->split = job->piece != rq->seg_bytes;
		job->invocations = (uint32_t)((n + job->piece - 1) /
					      job->piece);
		if (!range_in_shm(job->in0) || !range_in_shm(job->out))
			goto bad_range;
		if (ranges_overlap(job->out, job->in0)) {
			reply_set(r, PVGPU_VW_ERR_ARGS, 0,
				  "output overlaps the input");
			return false;
		}
		break;
	case PVGPU_KERNEL_MATMUL_F32:
		if (n < 1 || n > MATMUL_MAX_N || rq->rows > n) {
			reply_set(r, PVGPU_VW_ERR_PROTO, 0,
				  "MATMUL_F32 n %u rows %u: need 1 <= n <= %u, "
				  "rows <= n", rq->n, rq->rows, MATMUL_MAX_N);
			return false;
		}
		job->in0.len = job->out.len = 4ull * rq->rows * n;
		job->in1.len = 4ull * n * n;
		job->invocations = rq->rows * rq->n;
		if (!range_in_shm(job->in0) || !range_in_shm(job->in1) ||
		    !range_in_shm(job->out))
			goto bad_range;
		if (ranges_overlap(job->out, job->in0) ||
		    ranges_overlap(job->out, job->in1)) {
			reply_set(r, PVGPU_VW_ERR_ARGS, 0,
				  "output overlaps an input");
			return false;
		}
		break;
	default:
		reply_set(r, PVGPU_VW_ERR_PROTO, 0, "unknown kernel %u",
			  rq->kernel);
		return false;
	}
	job->consts[0] = rq->n;
	job->consts[1] = rq->in0_off;
	job->consts[2] = rq->in1_off;
	job->consts[3] = rq->out_off;
	switch (rq->kernel) {
	case PVGPU_KERNEL_SAXPY_F32:
		job->consts[4] = rq->alpha_bits;
		break;
	case PVGPU_KERNEL_CRC32C:
		job->consts[4] = job->piece;
		job->consts[5] = job->invocations;
		if (job->split)
			job->consts[3] = 0;	/* at the scratch's start */
		break;
	case PVGPU_KERNEL_MATMUL_F32:
		job->consts[4] = rq->rows;
		break;
	}
	return true;

bad_range:
	reply_set(r, PVGPU_VW_ERR_ARGS, 0,
		  "ranges in0 %#x+%#llx in1 %#x+%#llx out %#x+%#llx: "
		  "unaligned or outside the %#x-byte staging area",
		  rq->in0_off, (unsigned long long)job->in0.len,
		  rq->in1_off, (unsigned long long)job->in1.len,
		  rq->out_off, (unsigned long long)job->out.len,
		  PVGPU_VW_SHM_SIZE);
	return false;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Move @rg between resource @res's backing store and GL. */
static int transfer(uint32_t res, struct range rg, bool to_gl)
{
	struct virgl_box box = {
		.x = (uint32_t)rg.off, .w = (uint32_t)rg.len, .h = 1, .d = 1,
	};

	if (!rg.len)
		return 0;
	if (to_gl)
		return virgl_renderer_transfer_write_iov(res, CTX_ID, 0, 0,
							 0, &box, rg.off,
							 NULL, 0);
	return virgl_renderer_transfer_read_iov(res, CTX_ID, 0, 0, 0, &box,
						rg.off, NULL, 0);
}

static void gl_failed(struct worker *w, struct pvgpu_vw_reply *r,
		      const char *what, int ret, unsigned log_before)
{
	const char *log = vrend_log_count != log_before ? vrend_last_log : "";

	reply_set(r, PVGPU_VW_ERR_GL, ret, "%s: %d%s%s", what, ret,
		  *log ? "; virgl: " : "", log);
	/* virglrenderer refuses a context it marked bad: start afresh. */
	context_destroy(w);
}

static void dispatch(struct worker *w, const struct pvgpu_vw_request *rq,
		     struct pvgpu_vw_reply *r)
{
	struct vw_ssbo ssbo[2] = {
		{ .offset = 0, .length = PVGPU_VW_SHM_SIZE,
		  .res_handle = RES_ID },
		{ .offset = 0, .length = PVGPU_VW_SHM_SIZE,
		  .res_handle = RES_ID },
	};
	struct range out;
	const uint32_t block[3] = { VW_BLOCK_WIDTH, 1, 1 };
	uint32_t grid[3] = { 0, 1, 1 };
	struct vw_cmdbuf cb;
	unsigned log_before;
	uint64_t t0;
	struct job job;
	bool inject;
	char err[96];
	int ret;

	if (!job_from_request(rq, &job, r))
		return;
	if (!w->ctx_ready && context_setup(w, err, sizeof(err))) {
		reply_set(r, PVGPU_VW_ERR_GL, -EIO, "context lost: %s", err);
		return;
	}
	inject = w->inject_gl_error;
	w->inject_gl_error = false;
	if (!job.invocations && !inject)
		return;		/* nothing to compute */
	grid[0] = (job.invocations + VW_BLOCK_WIDTH - 1) / VW_BLOCK_WIDTH;

	log_before = vrend_log_count;
	t0 = now_ns();
	ret = transfer(RES_ID, job.in0, true);
	if (!ret)
		ret = transfer(RES_ID, job.in1, true);
	if (ret) {
		gl_failed(w, r, "virgl_renderer_transfer_write_iov", ret,
			  log_before);
		return;
	}
	vw_cmd_init(&cb, w->cmd, CMDBUF_DWORDS);
	vw_cmd_bind_shader(&cb, SHADER_HANDLE_BASE + rq->kernel,
			   VW_PIPE_SHADER_COMPUTE);
	vw_cmd_set_constants(&cb, VW_PIPE_SHADER_COMPUTE, job.consts,
			     VW_CONST_DWORDS);
	out = job.out;
	if (job.split) {
		ssbo[1].res_handle = RES_SCRATCH;
		out.off = 0;
		out.len = 4ull * job.invocations;
	}
	vw_cmd_set_shader_buffers(&cb, VW_PIPE_SHADER_COMPUTE, 0, ssbo, 2);
	/* The injected error: a LAUNCH_GRID one dword short. */
	vw_cmd_launch_grid(&cb, block, grid,
			   inject ? VW_LAUNCH_GRID_LEN - 1 :
				    VW_LAUNCH_GRID_LEN);
	vw_cmd_memory_barrier(&cb, VW_PIPE_BARRIER_ALL);
	ret = submit(&cb);
	if (ret) {
		gl_failed(w, r, inject ?
			  "virgl_renderer_submit_cmd (injected bad LAUNCH_GRID)" :
			  "virgl_renderer_submit_cmd", ret, log_before);
		return;
	}
	ret = transfer(ssbo[1].res_handle, out, false);
	if (ret) {
		gl_failed(w, r, "virgl_renderer_transfer_read_iov", ret,
			  log_before);
		return;
	}
	if (job.split)
		crc_combine(w, rq, &job);
	r->gpu_ns = now_ns() - t0;
	if (vrend_log_count != log_before &&
	    log_line_is_failure(vrend_last_log)) {
		gl_failed(w, r, "virglrenderer logged a failure", -EIO,
			  log_before);
		r->gpu_ns = 0;
	}
}

static void handle(struct worker *w, const void *msg, ssize_t len,
		   struct pvgpu_vw_reply *r)
{
	struct pvgpu_vw_request rq;

	if (len != (ssize_t)sizeof(rq)) {
		/* Echo what looks like the sequence number, if any. */
		if (len >= 12)
			memcpy(&r->seq, (const uint8_t *)msg + 8, 4);
		reply_set(r, PVGPU_VW_ERR_PROTO, (int32_t)len,
			  "request of %zd bytes, expected %zu", len,
			  sizeof(rq));
		return;
	}
	memcpy(&rq, msg, sizeof(rq));
	r->seq = rq.seq;
	if (rq.magic != PVGPU_VW_MAGIC || rq.reserved) {
		reply_set(r, PVGPU_VW_ERR_PROTO, 0,
			  "bad magic %#x or reserved %#x", rq.magic,
			  rq.reserved);
		return;
	}
	if (rq.op < PVGPU_VW_OP_HELLO || rq.op > PVGPU_VW_OP_INJECT_HANG) {
		reply_set(r, PVGPU_VW_ERR_PROTO, 0, "unknown op %u", rq.op);
		return;
	}
	if (!w->gl_ready || (w->init_error[0] && !w->ctx_ready)) {
		reply_set(r, PVGPU_VW_ERR_INIT, 0, "%s", w->init_error);
		return;
	}
	switch (rq.op) {
	case PVGPU_VW_OP_HELLO: {
		const char *renderer = (const char *)glGetString(GL_RENDERER);

		reply_set(r, PVGPU_VW_OK, 0, "%s",
			  renderer ? renderer : "(unknown GL renderer)");
		break;
	}
	case PVGPU_VW_OP_DISPATCH:
		dispatch(w, &rq, r);
		break;
	case PVGPU_VW_OP_INJECT_GL_ERROR:
		w->inject_gl_error = true;
		break;
	}
}

/* INJECT_HANG: answer nothing more; leave when the backend hangs up. */
static int hang(int sock)
{
	char buf[256];

	for (;;) {
		ssize_t len = recv(sock, buf, sizeof(buf), 0);

		if (len == 0)
			return 0;
		if (len < 0 && errno != EINTR)
			return 1;
	}
}

int main(void)
{
	static struct worker w;
	union {
		struct pvgpu_vw_request rq;
		uint8_t bytes[256];
	} msg;
	struct stat st;

	w.sock = PVGPU_VW_FD_SOCKET;
	if (fstat(PVGPU_VW_FD_SHM, &st) || st.st_size < PVGPU_VW_SHM_SIZE) {
		fprintf(stderr, "pvgpu-virgl-worker: fd %d: not a staging "
			"area of %u bytes\n", PVGPU_VW_FD_SHM,
			PVGPU_VW_SHM_SIZE);
		return 2;
	}
	w.shm = mmap(NULL, PVGPU_VW_SHM_SIZE, PROT_READ | PROT_WRITE,
		     MAP_SHARED, PVGPU_VW_FD_SHM, 0);
	if (w.shm == MAP_FAILED) {
		perror("pvgpu-virgl-worker: mmap of the staging area");
		return 2;
	}
	crc32c_init_table();
	if (!gl_init(&w))
		fprintf(stderr, "pvgpu-virgl-worker: %s\n", w.init_error);

	for (;;) {
		struct pvgpu_vw_reply r;
		ssize_t len;

		len = recv(w.sock, &msg, sizeof(msg), MSG_TRUNC);
		if (len == 0)
			break;
		if (len < 0) {
			if (errno == EINTR)
				continue;
			perror("pvgpu-virgl-worker: recv");
			return 1;
		}
		reply_init(&r, 0);
		if (len == (ssize_t)sizeof(msg.rq) &&
		    msg.rq.magic == PVGPU_VW_MAGIC &&
		    msg.rq.op == PVGPU_VW_OP_INJECT_HANG)
			return hang(w.sock);
		handle(&w, &msg, len, &r);
		if (send(w.sock, &r, sizeof(r), MSG_NOSIGNAL) !=
		    (ssize_t)sizeof(r)) {
			if (errno == EPIPE || errno == ECONNRESET)
				break;
			perror("pvgpu-virgl-worker: send");
			return 1;
		}
	}
	if (w.gl_ready) {
		if (w.ctx_ready)
			context_destroy(&w);
		virgl_renderer_resource_unref(RES_ID);
		virgl_renderer_resource_unref(RES_SCRATCH);
		virgl_renderer_cleanup(&w);
	}
	free(w.scratch);
	munmap(w.shm, PVGPU_VW_SHM_SIZE);
	return 0;
}
