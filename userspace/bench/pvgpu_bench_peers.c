// SPDX-License-Identifier: MIT
/*
 * pvgpu_bench_peers: pvgpu against QEMU's virtio-gpu-gl (virglrenderer
 * behind the upstream virtio_gpu driver) in one boot, so that the ratios
 * compare like with like:
 *
 *   virtio-gpu   DRM_IOCTL_VIRTGPU_EXECBUFFER of a one-dword virgl stream
 *                (a VIRGL_CCMD_NOP header) with an out-fence (sync_file):
 *                submit to the fd polling readable, and jobs/s with a
 *                window of WINDOW submissions in flight.
 *   pvgpu        per device (CPU and virgl execution backends): a no-op
 *                EXEC (num_batch 0, the bypass path) with a timeline
 *                syncobj point, submit to the wait returning; a user queue
 *                SIGNAL, doorbell to the CPU seeing the value; each also
 *                as jobs/s with the same window.
 *   kernels      each built-in compute kernel on both pvgpu devices,
 *                submit to done, checked against a CPU reference and the
 *                two devices' outputs compared bit for bit.
 *
 * A device not named is skipped (the JSON says why); a device named that
 * fails is an error: the reason goes to stderr and into the JSON's
 * conditions ("error"), and the exit status is 1.
 *
 * A benchmark prints figures; apart from the results' correctness it
 * asserts nothing about them.
 */
/* The float references must round like the kernels: no contraction. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/sync_file.h>

#include "libpvgpu.h"
#include "pvgpu_bench_args.h"
#include "pvgpu_bench_json.h"
#include "pvgpu_cmds.h"
#include "pvgpu_gpu.h"
#include "pvgpu_stats.h"
#include "pvgpu_user_queue.h"
#include "virtgpu_drm.h"

/* Submissions in flight in every jobs/s run. */
#define WINDOW		16
#define WAIT_NS		10000000000ll	/* a no-op that takes longer: broken */
#define KERNEL_WAIT_NS	120000000000ll
/* Kernel reps stop early (after KERNEL_MIN_REPS) past this much time. */
#define KERNEL_BUDGET_NS 30000000000ull
#define KERNEL_MIN_REPS	3

/*
 * DRM_VIRTGPU_CONTEXT_INIT (Linux 5.16). libdrm's copy of virtgpu_drm.h,
 * which the build may pick, predates it: the uAPI layout, under names of
 * our own so that either header works.
 */
#define PEERS_VIRTGPU_CONTEXT_INIT		0x0b
#define PEERS_VIRTGPU_PARAM_CONTEXT_INIT	6
#define PEERS_VIRTGPU_PARAM_CAPSET_IDS		7
#define PEERS_VIRTGPU_CONTEXT_PARAM_CAPSET_ID	1
#define PEERS_CAPSET_VIRGL			1
#define PEERS_CAPSET_VIRGL2			2

struct peers_virtgpu_context_set_param {
	__u64 param;
	__u64 value;
};

struct peers_virtgpu_context_init {
	__u32 num_params;
	__u32 pad;
	__u64 ctx_set_params;
};

#define PEERS_IOCTL_VIRTGPU_CONTEXT_INIT				\
	DRM_IOWR(DRM_COMMAND_BASE + PEERS_VIRTGPU_CONTEXT_INIT,		\
		 struct peers_virtgpu_context_init)

/* virglrenderer's command header: cmd | obj_type << 8 | len << 16. */
#define VIRGL_CCMD_NOP_HEADER	0u

/* pvgpu GPU addresses. The no-op VM: */
#define SIG_VA		0x200000000ull	/* the user queue's SIGNAL target */
#define RING_VA		0x300000000ull
#define RING_SIZE	0x10000u
/* The kernel VM (the context's batch buffer at PVGPU_CTX_BATCH_VA): */
#define ARR_VA(i)	(0x200000000ull + (uint64_t)(i) * 0x100000000ull)
#define ARGS_VA		0x600000000ull
#define ARGS_SIZE	4096u
#define CRC_RESULT_OFF	256u

#define MIB		(1024u * 1024u)

static struct pvgpu_bench_json *json;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A named device failed: say why, keep it in the JSON, exit 1. */
static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "pvgpu_bench_peers: %s\n", msg);
	pvgpu_bench_json_cond_str(json, "error", msg);
	pvgpu_bench_json_close(json);
	exit(1);
}

/* What runs now, so that a log shows where a run stopped. */
static void __attribute__((format(printf, 1, 2))) progress(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("--- ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	fflush(stdout);
}

static void check(int ret, const char *dev, const char *what)
{
	if (ret)
		fail("%s: %s: %s", dev, what, strerror(-ret));
}

static int open_node(const char *path, const char *label)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fail("%s: cannot open %s: %s", label, path, strerror(errno));
	return fd;
}

/* --- figures ---------------------------------------------------------- */

/* A submission path's pair of figures. */
struct noop_figs {
	int have;
	struct pvgpu_stats lat;		/* us, submit to signalled */
	long nlat;
	struct pvgpu_stats jps;		/* jobs/s, over the runs */
	long runs;
};

static void print_noop(const char *dev, const char *path,
		       const struct noop_figs *f)
{
	if (!f->have)
		return;
	printf("%-12s %-18s %9.1f %9.1f %9.1f %9.1f %11.0f %11.0f %11.0f\n",
	       dev, path, f->lat.median, f->lat.p10, f->lat.p90, f->lat.p99,
	       f->jps.median, f->jps.p10, f->jps.p90);
}

static void json_noop(const char *key, const char *label,
		      const struct noop_figs *f)
{
	char name[128], lab[160];

	if (!f->have)
		return;
	snprintf(name, sizeof(name), "%s_latency", key);
	snprintf(lab, sizeof(lab), "%s, submit to signalled", label);
	pvgpu_bench_json_figure(json, name, lab, "us", f->nlat, &f->lat);
	snprintf(name, sizeof(name), "%s_jobs", key);
	snprintf(lab, sizeof(lab), "%s, jobs/s with %d in flight", label,
		 WINDOW);
	pvgpu_bench_json_figure(json, name, lab, "jobs/s", f->runs, &f->jps);
}

/* --- virtio-gpu ------------------------------------------------------- */

static int virtgpu_param(int fd, uint64_t param, int *value)
{
	struct drm_virtgpu_getparam p = {
		.param = param,
		.value = (uintptr_t)value,
	};

	*value = 0;
	return pvgpu_ioctl(fd, DRM_IOCTL_VIRTGPU_GETPARAM, &p);
}

/*
 * The 3D context. EXECBUFFER creates one on first use with context_init 0,
 * which QEMU's virgl device makes a virgl context; where the device offers
 * CONTEXT_INIT we name the virgl capset instead, so that the context is a
 * virgl one whatever the device's default. Returns how it was created,
 * for the JSON.
 */
static const char *virtgpu_context(int fd)
{
	struct peers_virtgpu_context_set_param p = {
		.param = PEERS_VIRTGPU_CONTEXT_PARAM_CAPSET_ID,
	};
	struct peers_virtgpu_context_init init = {
		.num_params = 1,
		.ctx_set_params = (uintptr_t)&p,
	};
	int has_init, capsets;

	if (virtgpu_param(fd, PEERS_VIRTGPU_PARAM_CONTEXT_INIT, &has_init) ||
	    !has_init)
		return "implicit (first EXECBUFFER, context_init 0)";
	if (virtgpu_param(fd, PEERS_VIRTGPU_PARAM_CAPSET_IDS, &capsets))
		capsets = 0;
	if (capsets & (1 << PEERS_CAPSET_VIRGL2))
		p.value = PEERS_CAPSET_VIRGL2;
	else if (capsets & (1 << PEERS_CAPSET_VIRGL))
		p.value = PEERS_CAPSET_VIRGL;
	else
		return "implicit (no virgl capset listed)";
	if (pvgpu_ioctl(fd, PEERS_IOCTL_VIRTGPU_CONTEXT_INIT, &init))
		return "implicit (CONTEXT_INIT refused)";
	return p.value == PEERS_CAPSET_VIRGL2 ?
		"CONTEXT_INIT, capset VIRGL2" : "CONTEXT_INIT, capset VIRGL";
}

/* One NOP submission; its out-fence fd. */
static int virtgpu_nop(int fd)
{
	uint32_t cmd = VIRGL_CCMD_NOP_HEADER;
	struct drm_virtgpu_execbuffer e = {
		.flags = VIRTGPU_EXECBUF_FENCE_FD_OUT,
		.size = sizeof(cmd),
		.command = (uintptr_t)&cmd,
		.fence_fd = -1,
	};
	int ret = pvgpu_ioctl(fd, DRM_IOCTL_VIRTGPU_EXECBUFFER, &e);

	check(ret, "virtio-gpu", "EXECBUFFER");
	return e.fence_fd;
}

static void fence_wait(int fence)
{
	struct pollfd p = { .fd = fence, .events = POLLIN };
	int ret;

	do {
		ret = poll(&p, 1, (int)(WAIT_NS / 1000000));
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		fail("virtio-gpu: poll on the out-fence: %s", strerror(errno));
	if (ret == 0)
		fail("virtio-gpu: NOP fence not signalled after %lld s",
		     WAIT_NS / 1000000000ll);
}

/* The fence's status: 1 signalled, < 0 signalled with an error. */
static int fence_status(int fence)
{
	struct sync_file_info info = { 0 };

	if (ioctl(fence, SYNC_IOC_FILE_INFO, &info))
		return -errno;
	return info.status;
}

static void virtgpu_bench(const char *path, long reps, long jobs, long runs,
			  struct noop_figs *f)
{
	double *lat = calloc(reps, sizeof(double));
	double *jps = calloc(runs, sizeof(double));
	char driver[64];
	int fd = open_node(path, "virtio-gpu");
	int has3d, fence, st;

	if (!lat || !jps)
		fail("out of memory");
	progress("virtio-gpu %s: NOP execbuffer latency and jobs/s", path);
	check(pvgpu_driver_name(fd, driver, sizeof(driver)), "virtio-gpu",
	      "DRM_IOCTL_VERSION");
	if (strcmp(driver, "virtio_gpu"))
		fail("virtio-gpu: %s is driven by %s, not virtio_gpu", path,
		     driver);
	check(virtgpu_param(fd, VIRTGPU_PARAM_3D_FEATURES, &has3d),
	      "virtio-gpu", "GETPARAM 3D_FEATURES");
	if (!has3d)
		fail("virtio-gpu: %s has no virgl 3D (not virtio-gpu-gl?)", path);
	pvgpu_bench_json_cond_str(json, "virtio_gpu_context",
				  virtgpu_context(fd));

	/* The first one also checks that the host ran the stream. */
	fence = virtgpu_nop(fd);
	fence_wait(fence);
	st = fence_status(fence);
	close(fence);
	if (st != 1)
		fail("virtio-gpu: NOP fence status %d (%s)", st,
		     st < 0 ? strerror(-st) : "not signalled");

	/* Warm-up, then the samples. */
	for (long i = 0; i < reps / 10 + 1; i++) {
		fence = virtgpu_nop(fd);
		fence_wait(fence);
		close(fence);
	}
	for (long i = 0; i < reps; i++) {
		uint64_t t0 = now_ns();

		fence = virtgpu_nop(fd);
		fence_wait(fence);
		lat[i] = (double)(now_ns() - t0) / 1000.0;
		close(fence);
	}

	/*
	 * Jobs/s: WINDOW in flight; a context's fences signal in order, so
	 * the oldest is the one to wait for.
	 */
	for (long r = 0; r < runs; r++) {
		int ring[WINDOW];
		long head = 0, tail = 0;
		uint64_t t0 = now_ns();

		for (long i = 0; i < jobs; i++) {
			if (tail - head == WINDOW) {
				fence_wait(ring[head % WINDOW]);
				close(ring[head++ % WINDOW]);
			}
			ring[tail++ % WINDOW] = virtgpu_nop(fd);
		}
		while (head < tail) {
			fence_wait(ring[head % WINDOW]);
			close(ring[head++ % WINDOW]);
		}
		jps[r] = (double)jobs * 1e9 / (double)(now_ns() - t0);
	}

	f->lat = pvgpu_stats_compute(lat, reps);
	f->nlat = reps;
	f->jps = pvgpu_stats_compute(jps, runs);
	f->runs = runs;
	f->have = 1;
	free(lat);
	free(jps);
	close(fd);
}

/* --- pvgpu devices ---------------------------------------------------- */

enum kcase_id {
	K_VADD_1M, K_VADD_64M, K_SAXPY_1M, K_SAXPY_64M, K_CRC_1M, K_CRC_64M,
	K_MATMUL_128, K_MATMUL_256, NUM_KCASES
};

struct kcase {
	uint32_t kernel;	/* PVGPU_KERNEL_* */
	const char *name;	/* for the JSON */
	const char *size_name;
	uint64_t size;		/* bytes of each array; MATMUL: n */
	int big;		/* skipped with --quick */
};

static const struct kcase kcases[NUM_KCASES] = {
	[K_VADD_1M] = { PVGPU_KERNEL_VECTOR_ADD_U32, "vector_add_u32", "1mib", MIB, 0 },
	[K_VADD_64M] = { PVGPU_KERNEL_VECTOR_ADD_U32, "vector_add_u32", "64mib", 64 * MIB, 1 },
	[K_SAXPY_1M] = { PVGPU_KERNEL_SAXPY_F32, "saxpy_f32", "1mib", MIB, 0 },
	[K_SAXPY_64M] = { PVGPU_KERNEL_SAXPY_F32, "saxpy_f32", "64mib", 64 * MIB, 1 },
	[K_CRC_1M] = { PVGPU_KERNEL_CRC32C, "crc32c", "1mib", MIB, 0 },
	[K_CRC_64M] = { PVGPU_KERNEL_CRC32C, "crc32c", "64mib", 64 * MIB, 1 },
	[K_MATMUL_128] = { PVGPU_KERNEL_MATMUL_F32, "matmul_f32", "n128", 128, 0 },
	[K_MATMUL_256] = { PVGPU_KERNEL_MATMUL_F32, "matmul_f32", "n256", 256, 0 },
};

struct kres {
	int have;
	struct pvgpu_stats time;	/* us */
	struct pvgpu_stats rate;	/* GB/s; MATMUL: GFLOP/s */
	long reps;
};

struct pdev {
	const char *label;	/* "pvgpu-cpu" */
	const char *key;	/* "pvgpu_cpu" */
	const char *path;
	int virgl;		/* the virgl execution backend expected */
	int fd;
	struct noop_figs exec, userq;
	/* The compute context, and a timeline its jobs signal. */
	struct pvgpu_ctx kctx;
	uint32_t ktl;
	uint64_t kpoint;
	struct kres k[NUM_KCASES];
};

/*
 * Which execution backend the device says it has: a device given for the
 * other one would make the backend comparison a lie. Also notes the
 * firmware version.
 */
static void pdev_check_backend(struct pdev *d)
{
	struct drm_pvgpu_query_device *q;
	char key[64], ver[32];
	uint32_t size;

	q = pvgpu_query_alloc(d->fd, DRM_PVGPU_QUERY_DEVICE, &size);
	if (!q)
		check(-errno, d->label, "QUERY_DEVICE");
	snprintf(key, sizeof(key), "%s_fw_version", d->key);
	snprintf(ver, sizeof(ver), "%u.%u.%u", q->fw_version >> 16,
		 q->fw_version >> 8 & 0xff, q->fw_version & 0xff);
	pvgpu_bench_json_cond_str(json, key, ver);
	if (!(q->flags & DRM_PVGPU_DEVICE_BACKEND_VIRGL) != !d->virgl)
		fail("%s: %s reports the %s execution backend", d->label,
		     d->path, d->virgl ? "CPU" : "virgl");
	snprintf(key, sizeof(key), "%s_backend", d->key);
	pvgpu_bench_json_cond_str(json, key,
				  d->virgl ? "virgl (device flag checked)" :
					     "cpu (device flag checked)");
	free(q);
}

static void pdev_open(struct pdev *d)
{
	int ret;

	d->fd = open_node(d->path, d->label);
	ret = pvgpu_fd_is_pvgpu(d->fd);
	if (ret < 0)
		check(ret, d->label, "DRM_IOCTL_VERSION");
	if (!ret)
		fail("%s: %s is not a pvgpu node", d->label, d->path);
	pdev_check_backend(d);
}

/* EXEC of a no-op (no batch) on @q that signals point @p of @tl. */
static void exec_noop(struct pdev *d, uint32_t q, uint32_t tl, uint64_t p)
{
	struct drm_pvgpu_sync s = pvgpu_sync_timeline(tl, p, 1);
	int ret;

	/* Refused while the queue holds its maximum of jobs: retry. */
	while ((ret = pvgpu_exec(d->fd, q, 0, &s, 1)) == -EWOULDBLOCK)
		usleep(20);
	check(ret, d->label, "EXEC");
}

static void exec_wait(struct pdev *d, uint32_t tl, uint64_t p)
{
	check(pvgpu_syncobj_wait(d->fd, tl, p, WAIT_NS), d->label,
	      "wait for a no-op EXEC");
}

static void exec_bench(struct pdev *d, uint32_t vm, long reps, long jobs,
		       long runs)
{
	double *lat = calloc(reps, sizeof(double));
	double *jps = calloc(runs, sizeof(double));
	uint32_t q, tl;
	uint64_t p = 0;

	if (!lat || !jps)
		fail("out of memory");
	check(pvgpu_queue_create(d->fd, vm, DRM_PVGPU_ENGINE_CLASS_COPY, 0, 0,
				 &q), d->label, "queue create");
	check(pvgpu_syncobj_create(d->fd, 0, &tl), d->label, "syncobj");
	for (long i = 0; i < reps / 10 + 1; i++) {
		exec_noop(d, q, tl, ++p);
		exec_wait(d, tl, p);
	}
	for (long i = 0; i < reps; i++) {
		uint64_t t0 = now_ns();

		exec_noop(d, q, tl, ++p);
		exec_wait(d, tl, p);
		lat[i] = (double)(now_ns() - t0) / 1000.0;
	}
	for (long r = 0; r < runs; r++) {
		uint64_t base = p, t0 = now_ns();

		for (long i = 0; i < jobs; i++) {
			if (i >= WINDOW)
				exec_wait(d, tl, base + (uint64_t)(i - WINDOW) + 1);
			exec_noop(d, q, tl, ++p);
		}
		exec_wait(d, tl, p);
		jps[r] = (double)jobs * 1e9 / (double)(now_ns() - t0);
	}
	d->exec.lat = pvgpu_stats_compute(lat, reps);
	d->exec.nlat = reps;
	d->exec.jps = pvgpu_stats_compute(jps, runs);
	d->exec.runs = runs;
	d->exec.have = 1;
	pvgpu_syncobj_destroy(d->fd, tl);
	pvgpu_queue_destroy(d->fd, q);
	free(lat);
	free(jps);
}

/* A SIGNAL of @v to SIG_VA on the user queue: stores and a doorbell. */
static void userq_signal(struct pdev *d, struct pvgpu_userq *uq, uint64_t v)
{
	struct pvgpu_batch b;
	int ret;

	pvgpu_batch_reset(&b);
	pvgpu_batch_signal(&b, SIG_VA, v, 0);
	while ((ret = pvgpu_userq_submit(uq, &b)) == -ENOSPC)
		;
	check(ret, d->label, "user queue submit");
}

static void userq_poll(struct pdev *d, const uint64_t *sig, uint64_t v)
{
	uint64_t t0 = now_ns();

	while (__atomic_load_n(sig, __ATOMIC_ACQUIRE) < v) {
		if (now_ns() - t0 > (uint64_t)WAIT_NS)
			fail("%s: user queue SIGNAL %llu not seen after %lld s",
			     d->label, (unsigned long long)v,
			     WAIT_NS / 1000000000ll);
	}
}

static void userq_bench(struct pdev *d, uint32_t vm, long reps, long jobs,
			long runs)
{
	double *lat = calloc(reps, sizeof(double));
	double *jps = calloc(runs, sizeof(double));
	struct pvgpu_userq uq;
	uint32_t bo;
	uint64_t *sig, v = 0;

	if (!lat || !jps)
		fail("out of memory");
	check(pvgpu_bo_create(d->fd, 4096, 0, &bo), d->label, "bo create");
	sig = pvgpu_bo_map(d->fd, bo, 4096);
	if (!sig)
		check(-errno, d->label, "bo map");
	*sig = 0;
	check(pvgpu_bind_map(d->fd, vm, bo, 0, SIG_VA, 4096, 0), d->label,
	      "bind");
	check(pvgpu_userq_init(&uq, d->fd, vm, DRM_PVGPU_ENGINE_CLASS_COPY,
			       RING_VA, RING_SIZE), d->label,
	      "user queue create");

	for (long i = 0; i < reps / 10 + 1; i++) {
		userq_signal(d, &uq, ++v);
		userq_poll(d, sig, v);
	}
	for (long i = 0; i < reps; i++) {
		uint64_t t0 = now_ns();

		userq_signal(d, &uq, ++v);
		userq_poll(d, sig, v);
		lat[i] = (double)(now_ns() - t0) / 1000.0;
	}
	for (long r = 0; r < runs; r++) {
		uint64_t base = v, t0 = now_ns();

		for (long i = 0; i < jobs; i++) {
			if (i >= WINDOW)
				userq_poll(d, sig, base + (uint64_t)(i - WINDOW) + 1);
			userq_signal(d, &uq, ++v);
		}
		userq_poll(d, sig, v);
		jps[r] = (double)jobs * 1e9 / (double)(now_ns() - t0);
	}
	d->userq.lat = pvgpu_stats_compute(lat, reps);
	d->userq.nlat = reps;
	d->userq.jps = pvgpu_stats_compute(jps, runs);
	d->userq.runs = runs;
	d->userq.have = 1;
	pvgpu_userq_fini(&uq);
	pvgpu_bind_unmap(d->fd, vm, SIG_VA, 4096);
	munmap(sig, 4096);
	pvgpu_gem_close(d->fd, bo);
	free(lat);
	free(jps);
}

static void pdev_noop_bench(struct pdev *d, long reps, long jobs, long runs)
{
	uint32_t vm;

	progress("%s %s: no-op EXEC and user queue SIGNAL latency and jobs/s",
		 d->label, d->path);
	check(pvgpu_vm_create(d->fd, 0, &vm), d->label, "vm create");
	exec_bench(d, vm, reps, jobs, runs);
	userq_bench(d, vm, reps, jobs, runs);
	pvgpu_vm_destroy(d->fd, vm);
}

/* --- compute kernels -------------------------------------------------- */

/* Deterministic inputs, regenerated by the checks instead of stored. */
static uint32_t mix32(uint64_t i, uint32_t seed)
{
	uint32_t x = (uint32_t)i * 0x9e3779b1u ^ (uint32_t)(i >> 32) ^ seed;

	x ^= x >> 16;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	x *= 0xc2b2ae35u;
	x ^= x >> 16;
	return x;
}

/* A float in [-1, 1), exactly representable (24 significant bits). */
static float gen_float(uint64_t i, uint32_t seed)
{
	return ((float)(mix32(i, seed) >> 8) - 8388608.0f) / 8388608.0f;
}

static uint32_t float_bits(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

#define SEED_A		0x1234u
#define SEED_B		0xabcdu
#define SAXPY_ALPHA	0.7f

static uint32_t crc32c_table[256];

static uint32_t crc32c(const uint8_t *p, uint64_t n)
{
	uint32_t crc = 0xffffffffu;

	if (!crc32c_table[1]) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? c >> 1 ^ 0x82f63b78u : c >> 1;
			crc32c_table[i] = c;
		}
	}
	while (n--)
		crc = crc >> 8 ^ crc32c_table[(crc ^ *p++) & 0xff];
	return crc ^ 0xffffffffu;
}

/* The CPU's c = a x b, in the order docs/commands.rst gives. */
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

/* A case's buffers on one device: arrays 0..narr-1 and the arguments. */
struct kbufs {
	int narr;
	uint64_t arr_size;
	uint32_t bo[3];
	void *map[3];
	uint32_t args_bo;
	uint8_t *args;
};

static void *kbo(struct pdev *d, uint64_t size, uint64_t va, uint32_t *bo)
{
	void *map;

	check(pvgpu_bo_create(d->fd, size, 0, bo), d->label, "bo create");
	map = pvgpu_bo_map(d->fd, *bo, size);
	if (!map)
		check(-errno, d->label, "bo map");
	check(pvgpu_bind_map(d->fd, d->kctx.vm_id, *bo, 0, va, size, 0),
	      d->label, "bind");
	return map;
}

static void kbo_free(struct pdev *d, uint32_t bo, void *map, uint64_t size,
		     uint64_t va)
{
	pvgpu_bind_unmap(d->fd, d->kctx.vm_id, va, size);
	munmap(map, size);
	pvgpu_gem_close(d->fd, bo);
}

static void kbufs_free(struct pdev *d, struct kbufs *kb)
{
	for (int i = 0; i < kb->narr; i++)
		kbo_free(d, kb->bo[i], kb->map[i], kb->arr_size, ARR_VA(i));
	kbo_free(d, kb->args_bo, kb->args, ARGS_SIZE, ARGS_VA);
}

/* Buffers, inputs and the argument block of case @kc on @d. */
static void kcase_setup(struct pdev *d, const struct kcase *kc,
			struct kbufs *kb)
{
	uint64_t n;

	memset(kb, 0, sizeof(*kb));
	switch (kc->kernel) {
	case PVGPU_KERNEL_CRC32C:
		kb->narr = 1;
		kb->arr_size = kc->size;
		break;
	case PVGPU_KERNEL_SAXPY_F32:
		kb->narr = 2;
		kb->arr_size = kc->size;
		break;
	case PVGPU_KERNEL_MATMUL_F32:
		kb->narr = 3;
		kb->arr_size = kc->size * kc->size * 4;
		break;
	default:
		kb->narr = 3;
		kb->arr_size = kc->size;
		break;
	}
	for (int i = 0; i < kb->narr; i++)
		kb->map[i] = kbo(d, kb->arr_size, ARR_VA(i), &kb->bo[i]);
	kb->args = kbo(d, ARGS_SIZE, ARGS_VA, &kb->args_bo);
	memset(kb->args, 0, ARGS_SIZE);

	n = kb->arr_size / 4;
	switch (kc->kernel) {
	case PVGPU_KERNEL_VECTOR_ADD_U32: {
		struct pvgpu_kargs_vector_add *a = (void *)kb->args;
		uint32_t *x = kb->map[0], *y = kb->map[1];

		for (uint64_t i = 0; i < n; i++) {
			x[i] = mix32(i, SEED_A);
			y[i] = mix32(i, SEED_B);
		}
		memset(kb->map[2], 0, kb->arr_size);
		a->a = ARR_VA(0);
		a->b = ARR_VA(1);
		a->c = ARR_VA(2);
		a->n = n;
		break;
	}
	case PVGPU_KERNEL_SAXPY_F32: {
		struct pvgpu_kargs_saxpy *a = (void *)kb->args;
		float *x = kb->map[0], *y = kb->map[1];

		for (uint64_t i = 0; i < n; i++) {
			x[i] = gen_float(i, SEED_A);
			y[i] = gen_float(i, SEED_B);
		}
		a->x = ARR_VA(0);
		a->y = ARR_VA(1);
		a->n = n;
		a->alpha = float_bits(SAXPY_ALPHA);
		break;
	}
	case PVGPU_KERNEL_CRC32C: {
		struct pvgpu_kargs_crc32c *a = (void *)kb->args;
		uint32_t *x = kb->map[0];

		for (uint64_t i = 0; i < n; i++)
			x[i] = mix32(i, SEED_A);
		a->src = ARR_VA(0);
		a->n = kb->arr_size;
		a->result = ARGS_VA + CRC_RESULT_OFF;
		break;
	}
	case PVGPU_KERNEL_MATMUL_F32: {
		struct pvgpu_kargs_matmul *a = (void *)kb->args;
		float *x = kb->map[0], *y = kb->map[1];

		for (uint64_t i = 0; i < n; i++) {
			x[i] = gen_float(i, SEED_A);
			y[i] = gen_float(i, SEED_B);
		}
		memset(kb->map[2], 0, kb->arr_size);
		a->a = ARR_VA(0);
		a->b = ARR_VA(1);
		a->c = ARR_VA(2);
		a->n = (uint32_t)kc->size;
		break;
	}
	}
}

/* The output the devices must agree on: where it is and its size. */
static const void *kcase_output(const struct kcase *kc, const struct kbufs *kb,
				size_t *len)
{
	switch (kc->kernel) {
	case PVGPU_KERNEL_CRC32C:
		*len = 4;
		return kb->args + CRC_RESULT_OFF;
	case PVGPU_KERNEL_SAXPY_F32:
		*len = kb->arr_size;
		return kb->map[1];
	default:
		*len = kb->arr_size;
		return kb->map[2];
	}
}

/*
 * Checks the output of the first run against the CPU's (inputs
 * regenerated); exits with the first difference. @ref: MATMUL's
 * reference, computed once per case.
 */
static void kcase_verify(const struct pdev *d, const struct kcase *kc,
			 const struct kbufs *kb, const float *ref)
{
	uint64_t n = kb->arr_size / 4;

	switch (kc->kernel) {
	case PVGPU_KERNEL_VECTOR_ADD_U32: {
		const uint32_t *c = kb->map[2];

		for (uint64_t i = 0; i < n; i++) {
			uint32_t want = mix32(i, SEED_A) + mix32(i, SEED_B);

			if (c[i] != want)
				fail("%s: %s %s: c[%llu] = 0x%08x, the CPU says 0x%08x",
				     d->label, kc->name, kc->size_name,
				     (unsigned long long)i, c[i], want);
		}
		break;
	}
	case PVGPU_KERNEL_SAXPY_F32: {
		const float *y = kb->map[1];

		for (uint64_t i = 0; i < n; i++) {
			float p = SAXPY_ALPHA * gen_float(i, SEED_A);
			float want = p + gen_float(i, SEED_B);

			if (float_bits(y[i]) != float_bits(want))
				fail("%s: %s %s: y[%llu] = 0x%08x, the CPU says 0x%08x",
				     d->label, kc->name, kc->size_name,
				     (unsigned long long)i, float_bits(y[i]),
				     float_bits(want));
		}
		break;
	}
	case PVGPU_KERNEL_CRC32C: {
		uint32_t got, want = crc32c(kb->map[0], kb->arr_size);

		memcpy(&got, kb->args + CRC_RESULT_OFF, 4);
		if (got != want)
			fail("%s: %s %s: 0x%08x, the CPU says 0x%08x", d->label,
			     kc->name, kc->size_name, got, want);
		break;
	}
	case PVGPU_KERNEL_MATMUL_F32: {
		const float *c = kb->map[2];

		for (uint64_t i = 0; i < n; i++)
			if (float_bits(c[i]) != float_bits(ref[i]))
				fail("%s: %s %s: c[%llu] = 0x%08x, the CPU says 0x%08x",
				     d->label, kc->name, kc->size_name,
				     (unsigned long long)i, float_bits(c[i]),
				     float_bits(ref[i]));
		break;
	}
	}
}

/* One DISPATCH job (the batch is in place): submit to the wait's return. */
static uint64_t kcase_run(struct pdev *d, const struct kcase *kc)
{
	struct drm_pvgpu_sync s = pvgpu_sync_timeline(d->ktl, ++d->kpoint, 1);
	struct drm_pvgpu_queue_get_state st;
	uint64_t t0 = now_ns(), dt;
	int ret;

	while ((ret = pvgpu_exec(d->fd, d->kctx.queue_id, PVGPU_CTX_BATCH_VA,
				 &s, 1)) == -EWOULDBLOCK)
		usleep(20);
	check(ret, d->label, "EXEC of a DISPATCH");
	ret = pvgpu_syncobj_wait(d->fd, d->ktl, d->kpoint, KERNEL_WAIT_NS);
	dt = now_ns() - t0;
	if (ret)
		fail("%s: %s %s: wait: %s", d->label, kc->name, kc->size_name,
		     strerror(-ret));
	/* A job the firmware failed signals too: the queue says so. */
	check(pvgpu_queue_get_state(d->fd, d->kctx.queue_id, &st), d->label,
	      "queue state");
	if (st.reason == DRM_PVGPU_QUEUE_REASON_BACKEND)
		fail("%s: %s %s: the execution backend failed on the host (error %d; the firmware log says why)",
		     d->label, kc->name, kc->size_name, st.error);
	if (st.error || st.reason)
		fail("%s: %s %s: the queue failed (error %d, reason %u)",
		     d->label, kc->name, kc->size_name, st.error, st.reason);
	return dt;
}

/* Bytes the kernel reads and writes; MATMUL: its floating-point operations. */
static double kcase_work(const struct kcase *kc)
{
	switch (kc->kernel) {
	case PVGPU_KERNEL_VECTOR_ADD_U32:
	case PVGPU_KERNEL_SAXPY_F32:
		return 3.0 * (double)kc->size;
	case PVGPU_KERNEL_CRC32C:
		return (double)kc->size;
	default:
		return 2.0 * (double)kc->size * (double)kc->size *
		       (double)kc->size;
	}
}

/*
 * Case @kc on @d: a checked first run (also the warm-up), then up to
 * @reps timed ones. The output is saved in *@saved if that is NULL, else
 * compared with it (device @first's).
 */
static void kcase_bench(struct pdev *d, const struct kcase *kc, long reps,
			const float *ref, void **saved, const char *first,
			struct kres *r)
{
	double *t = calloc(reps, sizeof(double));
	double *rate = calloc(reps, sizeof(double));
	double work = kcase_work(kc);
	struct kbufs kb;
	const void *out;
	uint64_t spent = 0;
	size_t len;
	long i;

	if (!t || !rate)
		fail("out of memory");
	kcase_setup(d, kc, &kb);
	{
		struct pvgpu_batch b;

		pvgpu_batch_reset(&b);
		pvgpu_batch_dispatch(&b, kc->kernel, ARGS_VA);
		pvgpu_batch_end(&b);
		memcpy(d->kctx.batch_map, b.dw, b.len * 4);
	}
	kcase_run(d, kc);
	out = kcase_output(kc, &kb, &len);
	/*
	 * The first device's output is checked against the CPU's and kept;
	 * a later device's equal to it needs no second (slow, in a guest)
	 * CPU pass, and one that differs gets it, to say who is wrong.
	 */
	if (!*saved) {
		kcase_verify(d, kc, &kb, ref);
		*saved = malloc(len);
		if (!*saved)
			fail("out of memory");
		memcpy(*saved, out, len);
	} else if (memcmp(*saved, out, len)) {
		kcase_verify(d, kc, &kb, ref);
		fail("%s: %s %s: the output differs from %s's, which the CPU agreed with",
		     d->label, kc->name, kc->size_name, first);
	}

	for (i = 0; i < reps; i++) {
		uint64_t dt = kcase_run(d, kc);

		t[i] = (double)dt / 1000.0;
		rate[i] = work / (double)dt;	/* per ns: G per s */
		spent += dt;
		if (i + 1 >= KERNEL_MIN_REPS && spent > KERNEL_BUDGET_NS) {
			i++;
			break;
		}
	}
	r->time = pvgpu_stats_compute(t, i);
	r->rate = pvgpu_stats_compute(rate, i);
	r->reps = i;
	r->have = 1;
	kbufs_free(d, &kb);
	free(t);
	free(rate);
}

static void kernels_bench(struct pdev **devs, int ndev, long kreps, int quick)
{
	for (int d = 0; d < ndev; d++) {
		check(pvgpu_ctx_init(&devs[d]->kctx, devs[d]->fd, 0,
				     DRM_PVGPU_ENGINE_CLASS_COMPUTE),
		      devs[d]->label, "compute context");
		check(pvgpu_syncobj_create(devs[d]->fd, 0, &devs[d]->ktl),
		      devs[d]->label, "syncobj");
	}
	for (int c = 0; c < NUM_KCASES; c++) {
		const struct kcase *kc = &kcases[c];
		float *ref = NULL;
		void *saved = NULL;

		if (quick && kc->big)
			continue;
		progress("kernel %s %s", kc->name, kc->size_name);
		if (kc->kernel == PVGPU_KERNEL_MATMUL_F32) {
			uint64_t n = kc->size * kc->size;
			float *a = malloc(n * 4), *b = malloc(n * 4);

			ref = malloc(n * 4);
			if (!a || !b || !ref)
				fail("out of memory");
			for (uint64_t i = 0; i < n; i++) {
				a[i] = gen_float(i, SEED_A);
				b[i] = gen_float(i, SEED_B);
			}
			matmul_ref(a, b, ref, (uint32_t)kc->size);
			free(a);
			free(b);
		}
		for (int d = 0; d < ndev; d++)
			kcase_bench(devs[d], kc, kreps, ref, &saved,
				    devs[0]->label, &devs[d]->k[c]);
		free(saved);
		free(ref);
	}
	for (int d = 0; d < ndev; d++) {
		pvgpu_syncobj_destroy(devs[d]->fd, devs[d]->ktl);
		pvgpu_ctx_fini(&devs[d]->kctx);
	}
}

/* --- report ----------------------------------------------------------- */

static const char *kcase_rate_unit(const struct kcase *kc)
{
	return kc->kernel == PVGPU_KERNEL_MATMUL_F32 ? "GFLOP/s" : "GB/s";
}

static void kcase_label(const struct kcase *kc, char *buf, size_t len)
{
	if (kc->kernel == PVGPU_KERNEL_MATMUL_F32)
		snprintf(buf, len, "n=%llu", (unsigned long long)kc->size);
	else
		snprintf(buf, len, "%llu MiB",
			 (unsigned long long)(kc->size / MIB));
}

static void report_kernels(struct pdev **devs, int ndev)
{
	printf("\ncompute kernels, submit to done (EXEC of one DISPATCH to the syncobj wait)\n"
	       "  GB/s: bytes read + written (VECTOR_ADD, SAXPY: 3 arrays of the size; CRC32C: 1);\n"
	       "  MATMUL: 2 n^3 FLOP; n is at most 256, so n=128 and n=256 stand in for the sizes\n");
	printf("%-15s %-8s %-12s %5s %10s %10s %10s %9s %9s %9s\n", "kernel",
	       "size", "device", "reps", "median us", "p10", "p90", "rate",
	       "p10", "p90");
	for (int c = 0; c < NUM_KCASES; c++) {
		const struct kcase *kc = &kcases[c];
		char size[32], name[128], lab[160];

		kcase_label(kc, size, sizeof(size));
		for (int d = 0; d < ndev; d++) {
			const struct kres *r = &devs[d]->k[c];

			if (!r->have)
				continue;
			printf("%-15s %-8s %-12s %5ld %10.1f %10.1f %10.1f %9.3f %9.3f %9.3f %s\n",
			       kc->name, size, devs[d]->label, r->reps,
			       r->time.median, r->time.p10, r->time.p90,
			       r->rate.median, r->rate.p10, r->rate.p90,
			       kcase_rate_unit(kc));
			snprintf(name, sizeof(name), "%s_%s_%s_time",
				 devs[d]->key, kc->name, kc->size_name);
			snprintf(lab, sizeof(lab), "%s %s %s, submit to done",
				 devs[d]->label, kc->name, size);
			pvgpu_bench_json_figure(json, name, lab, "us", r->reps,
						&r->time);
			snprintf(name, sizeof(name), "%s_%s_%s_rate",
				 devs[d]->key, kc->name, kc->size_name);
			snprintf(lab, sizeof(lab), "%s %s %s, %s",
				 devs[d]->label, kc->name, size,
				 kcase_rate_unit(kc));
			pvgpu_bench_json_figure(json, name, lab,
						kcase_rate_unit(kc), r->reps,
						&r->rate);
		}
	}
}

static void ratio(const char *name, const char *label, double num, double den)
{
	printf("  %-58s %8.3f\n", label, num / den);
	pvgpu_bench_json_value(json, name, label, "ratio", num / den);
}

static void report_ratios(const struct noop_figs *vg, struct pdev **devs,
			  int ndev)
{
	char name[128], lab[160];

	if (!(vg->have && ndev) && ndev < 2)
		return;
	printf("\nratios (of medians)\n");
	for (int d = 0; d < ndev && vg->have; d++) {
		const struct pdev *p = devs[d];

		snprintf(name, sizeof(name), "%s_exec_per_virtio_gpu_latency",
			 p->key);
		snprintf(lab, sizeof(lab), "%s EXEC / virtio-gpu latency",
			 p->label);
		ratio(name, lab, p->exec.lat.median, vg->lat.median);
		snprintf(name, sizeof(name), "%s_exec_per_virtio_gpu_jobs",
			 p->key);
		snprintf(lab, sizeof(lab), "%s EXEC / virtio-gpu jobs/s",
			 p->label);
		ratio(name, lab, p->exec.jps.median, vg->jps.median);
		snprintf(name, sizeof(name), "%s_userq_per_virtio_gpu_latency",
			 p->key);
		snprintf(lab, sizeof(lab), "%s user queue / virtio-gpu latency",
			 p->label);
		ratio(name, lab, p->userq.lat.median, vg->lat.median);
		snprintf(name, sizeof(name), "%s_userq_per_virtio_gpu_jobs",
			 p->key);
		snprintf(lab, sizeof(lab), "%s user queue / virtio-gpu jobs/s",
			 p->label);
		ratio(name, lab, p->userq.jps.median, vg->jps.median);
	}
	if (ndev < 2)
		return;
	for (int c = 0; c < NUM_KCASES; c++) {
		const struct kcase *kc = &kcases[c];
		const struct kres *cpu = &devs[0]->k[c], *vgl = &devs[1]->k[c];
		char size[32];

		if (!cpu->have || !vgl->have)
			continue;
		kcase_label(kc, size, sizeof(size));
		snprintf(name, sizeof(name), "virgl_per_cpu_%s_%s_time",
			 kc->name, kc->size_name);
		snprintf(lab, sizeof(lab), "virgl / cpu backend time, %s %s",
			 kc->name, size);
		ratio(name, lab, vgl->time.median, cpu->time.median);
	}
}

static void usage(const char *argv0, FILE *f)
{
	fprintf(f,
		"Usage: %s [--virtio-gpu NODE] [--pvgpu-cpu NODE] [--pvgpu-virgl NODE]\n"
		"          [--json FILE] [--reps N] [--jobs J] [--runs R] [--kernel-reps K] [--quick]\n"
		"  --virtio-gpu NODE   virtio-gpu-gl's render node (virtio_gpu driver)\n"
		"  --pvgpu-cpu NODE    the pvgpu device with the CPU execution backend\n"
		"  --pvgpu-virgl NODE  the pvgpu device with the virgl execution backend\n"
		"                      (a device not given is skipped)\n"
		"  --reps N        latency samples per submission path (default 1000, --quick 100)\n"
		"  --jobs J        jobs per jobs/s run, %d in flight (default 5000, --quick 1000)\n"
		"  --runs R        jobs/s runs per path (default 5, --quick 3)\n"
		"  --kernel-reps K timed runs per kernel and size after a checked one\n"
		"                  (default 10, --quick 3; fewer past %llu s, at least %d)\n"
		"  --quick         the defaults above, and no 64 MiB kernel runs\n"
		"  --json FILE     also write every figure to FILE as JSON\n",
		argv0, WINDOW, KERNEL_BUDGET_NS / 1000000000ull,
		KERNEL_MIN_REPS);
}

int main(int argc, char **argv)
{
	long reps = -1, jobs = -1, runs = -1, kreps = -1;
	int quick = 0;
	const char *vg_path = NULL, *json_path = NULL, *node = NULL;
	struct pdev cpu = { .label = "pvgpu-cpu", .key = "pvgpu_cpu", .fd = -1 };
	struct pdev vgl = { .label = "pvgpu-virgl", .key = "pvgpu_virgl",
			    .virgl = 1, .fd = -1 };
	const struct pvgpu_bench_opt opts[] = {
		{ .name = "virtio-gpu", .str = &vg_path },
		{ .name = "pvgpu-cpu", .str = &cpu.path },
		{ .name = "pvgpu-virgl", .str = &vgl.path },
		{ .name = "json", .str = &json_path },
		{ .name = "reps", .value = &reps },
		{ .name = "jobs", .value = &jobs },
		{ .name = "runs", .value = &runs },
		{ .name = "kernel-reps", .value = &kreps },
		{ .name = "quick", .flag = &quick },
	};
	const size_t n_opts = sizeof(opts) / sizeof(opts[0]);
	struct noop_figs vg = { 0 };
	struct pdev *devs[2];
	int ndev = 0, ret;

	ret = pvgpu_bench_args(argc, argv, opts, n_opts, &node, usage);
	if (ret >= 0)
		return ret;
	if (node || optind < argc) {
		usage(argv[0], stderr);
		return 2;
	}
	if (reps < 0)
		reps = quick ? 100 : 1000;
	if (jobs < 0)
		jobs = quick ? 1000 : 5000;
	if (runs < 0)
		runs = quick ? 3 : 5;
	if (kreps < 0)
		kreps = quick ? 3 : 10;
	if (reps < 1 || jobs < WINDOW || runs < 1 || kreps < 1) {
		usage(argv[0], stderr);
		return 2;
	}
	json = pvgpu_bench_json_open(json_path, "pvgpu_bench_peers");
	if (json_path && !json)
		return 1;
	pvgpu_bench_json_options(json, opts, n_opts);
	pvgpu_bench_json_cond_long(json, "window", WINDOW);
	pvgpu_bench_json_cond_str(json, "kernel_sizes",
				  quick ? "1 MiB; MATMUL n=128, n=256 (--quick: no 64 MiB)" :
					  "1 MiB, 64 MiB; MATMUL n=128, n=256");
	pvgpu_bench_json_cond_str(json, "kernel_rate",
				  "GB/s: bytes read + written per run (1e9 B/s); MATMUL: GFLOP/s, 2 n^3");
	pvgpu_bench_json_cond_str(json, "virtio_gpu_submission",
				  "EXECBUFFER of 1 dword (VIRGL_CCMD_NOP header), FENCE_FD_OUT, poll(POLLIN)");
	pvgpu_bench_json_cond_str(json, "pvgpu_exec_submission",
				  "EXEC num_batch 0 on a copy queue, timeline syncobj point, SYNCOBJ_TIMELINE_WAIT");
	pvgpu_bench_json_cond_str(json, "pvgpu_userq_submission",
				  "user queue SIGNAL (no IRQ) + doorbell, CPU polls the value");
	pvgpu_bench_json_cond_str(json, "virtio_gpu", vg_path);
	pvgpu_bench_json_cond_str(json, "pvgpu_cpu", cpu.path);
	pvgpu_bench_json_cond_str(json, "pvgpu_virgl", vgl.path);
	if (!vg_path)
		pvgpu_bench_json_cond_str(json, "virtio_gpu_skipped",
					  "no --virtio-gpu node given");
	if (!cpu.path)
		pvgpu_bench_json_cond_str(json, "pvgpu_cpu_skipped",
					  "no --pvgpu-cpu node given");
	if (!vgl.path)
		pvgpu_bench_json_cond_str(json, "pvgpu_virgl_skipped",
					  "no --pvgpu-virgl node given");
	if (!cpu.path || !vgl.path)
		pvgpu_bench_json_cond_str(json, "backend_comparison_skipped",
					  "needs both --pvgpu-cpu and --pvgpu-virgl");

	if (cpu.path)
		devs[ndev++] = &cpu;
	if (vgl.path)
		devs[ndev++] = &vgl;
	for (int d = 0; d < ndev; d++)
		pdev_open(devs[d]);

	if (vg_path)
		virtgpu_bench(vg_path, reps, jobs, runs, &vg);
	for (int d = 0; d < ndev; d++)
		pdev_noop_bench(devs[d], reps, jobs, runs);
	if (ndev)
		kernels_bench(devs, ndev, kreps, quick);

	printf("\npvgpu_bench_peers: %ld latency samples, jobs/s: %ld runs of %ld jobs, %d in flight\n",
	       reps, runs, jobs, WINDOW);
	printf("  virtio-gpu %s, pvgpu-cpu %s, pvgpu-virgl %s\n",
	       vg_path ? vg_path : "(skipped)", cpu.path ? cpu.path : "(skipped)",
	       vgl.path ? vgl.path : "(skipped)");
	printf("\nno-op submission to signalled fence\n");
	printf("%-12s %-18s %9s %9s %9s %9s %11s %11s %11s\n", "device",
	       "path", "median us", "p10", "p90", "p99", "jobs/s", "p10",
	       "p90");
	print_noop("virtio-gpu", "EXECBUFFER NOP", &vg);
	json_noop("virtio_gpu_nop", "virtio-gpu EXECBUFFER NOP", &vg);
	for (int d = 0; d < ndev; d++) {
		char key[64], lab[64];

		print_noop(devs[d]->label, "EXEC no-op", &devs[d]->exec);
		print_noop(devs[d]->label, "user queue SIGNAL", &devs[d]->userq);
		snprintf(key, sizeof(key), "%s_exec_noop", devs[d]->key);
		snprintf(lab, sizeof(lab), "%s EXEC no-op", devs[d]->label);
		json_noop(key, lab, &devs[d]->exec);
		snprintf(key, sizeof(key), "%s_userq_signal", devs[d]->key);
		snprintf(lab, sizeof(lab), "%s user queue SIGNAL",
			 devs[d]->label);
		json_noop(key, lab, &devs[d]->userq);
	}
	printf("  (EXEC: SYNCOBJ wait returns; user queue: the CPU polls the SIGNAL's value;\n"
	       "   virtio-gpu: the out-fence fd polls readable)\n");
	if (ndev)
		report_kernels(devs, ndev);
	if (ndev == 2)
		printf("  pvgpu-cpu and pvgpu-virgl outputs: bit-identical, and equal to the CPU's\n");
	else if (ndev)
		printf("  outputs equal to the CPU's (one pvgpu device: no cross-device comparison)\n");
	report_ratios(&vg, devs, ndev);
	if (!vg.have && ndev)
		printf("  (no virtio-gpu: no pvgpu / virtio-gpu ratios)\n");

	for (int d = 0; d < ndev; d++)
		close(devs[d]->fd);
	return pvgpu_bench_json_close(json) ? 1 : 0;
}
