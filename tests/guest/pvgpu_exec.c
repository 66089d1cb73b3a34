// SPDX-License-Identifier: MIT
/*
 * pvgpu_exec: exec queues, EXEC and WAIT_USER_FENCE. Jobs that store, fill,
 * copy and compute (checked from the CPU), ordering points, dependency
 * chains across queues (syncobjs, timelines) and processes (sync_file),
 * the bypass and queued submission paths, priorities, the job timeout and
 * bans, destroying busy queues, killed processes, unbinding a busy device
 * (the debugfs "queues" file, where used, must be wired), user-fence waits with
 * every op, timeouts and restarts, fdinfo, LR queues, implicit
 * synchronisation through the dma-resv of shared (PRIME) buffers, and the
 * error codes of the uAPI header.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "igt_lite.h"
#include "pvgpu_test.h"
#include "libpvgpu.h"
#include "pvgpu_cmds.h"
#include "pvgpu_gpu.h"

#define SEC		1000000000ll
#define DATA_VA		0x200000000ull
#define DATA_SIZE	0x10000u
#define BATCH_SLOT	0x400u	/* bytes per batch in the context's BO */
#define NOBODY		65534
#define TIMEOUT_PARAM	"/sys/module/pvgpu/parameters/job_timeout_ms"
/* Doorbells of the kernel's group: the exec queues a device can hold. */
#define MAX_EXEC_DOORBELLS	1023

/* ---- helpers ---------------------------------------------------------- */

/* A buffer object mapped for the CPU and at @va in @vm_id. */
struct data_bo {
	uint32_t handle;
	void *map;
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
	memset(d->map, 0, size);
	igt_assert_eq(pvgpu_bind_map(fd, vm_id, d->handle, 0, va, size, 0), 0);
}

/* The same object at the same VA in another VM. */
static void data_bo_map(int fd, uint32_t vm_id, struct data_bo *d)
{
	igt_assert_eq(pvgpu_bind_map(fd, vm_id, d->handle, 0, d->va, d->size,
				     0), 0);
}

static void data_bo_fini(int fd, uint32_t vm_id, struct data_bo *d)
{
	pvgpu_bind_unmap(fd, vm_id, d->va, d->size);
	munmap(d->map, d->size);
	pvgpu_gem_close(fd, d->handle);
}

static int open_render(void)
{
	return igt_open_pvgpu_render(NULL, 0);
}

/* Copies @b to batch slot @slot of @ctx and returns its GPU VA. */
static uint64_t put_batch(struct pvgpu_ctx *ctx, unsigned int slot,
			  const struct pvgpu_batch *b)
{
	igt_assert_lte(b->len * 4, BATCH_SLOT);
	igt_assert_lt(slot, PVGPU_CTX_BATCH_SIZE / BATCH_SLOT);
	memcpy((char *)ctx->batch_map + slot * BATCH_SLOT, b->dw, b->len * 4);
	return PVGPU_CTX_BATCH_VA + slot * BATCH_SLOT;
}

static int exec_raw(int fd, struct drm_pvgpu_exec *e)
{
	return raw_ioctl(fd, DRM_IOCTL_PVGPU_EXEC, e);
}

/* EXEC of batch slot @slot (or an ordering point for slot < 0). */
static int submit(struct pvgpu_ctx *ctx, int slot,
		  const struct drm_pvgpu_sync *syncs, uint32_t n)
{
	struct drm_pvgpu_exec e = {
		.queue_id = ctx->queue_id,
		.num_batch = slot >= 0,
		.batch_address = slot >= 0 ?
			PVGPU_CTX_BATCH_VA + (uint64_t)slot * BATCH_SLOT : 0,
		.num_syncs = n,
		.syncs = (uintptr_t)syncs,
	};

	return exec_raw(ctx->fd, &e);
}

static uint32_t new_syncobj(int fd)
{
	uint32_t h;

	igt_assert_eq(pvgpu_syncobj_create(fd, 0, &h), 0);
	return h;
}

/* The syncobj's fence as a sync_file fd. */
static int syncobj_to_sync_file(int fd, uint32_t handle)
{
	struct drm_syncobj_handle h = {
		.handle = handle,
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
		.fd = -1,
	};

	igt_assert_eq(raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h), 0);
	return h.fd;
}

/* sync_file status: 1 signalled, 0 pending, < 0 the fence's error. */
static int sync_file_status(int sf)
{
	struct sync_file_info info = { 0 };

	igt_assert_eq(raw_ioctl(sf, SYNC_IOC_FILE_INFO, &info), 0);
	return info.status;
}

static struct drm_pvgpu_queue_get_state get_state(int fd, uint32_t q)
{
	struct drm_pvgpu_queue_get_state s;

	igt_assert_eq(pvgpu_queue_get_state(fd, q, &s), 0);
	return s;
}

static uint64_t elapsed_ns(uint64_t t0)
{
	return igt_nsec_now() - t0;
}

/*
 * Reads the debugfs "queues" file into a malloc'd string; NULL (or a skip
 * if @required) when there is none.
 */
static char *read_debugfs_queues(bool required)
{
	char dir[256], path[300];
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	int fd;

	igt_assert(buf);
	igt_pvgpu_debugfs_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/queues", dir);
	fd = open(path, O_RDONLY);
	if (fd < 0 && !required) {
		free(buf);
		return NULL;
	}
	igt_require_f(fd >= 0, "no debugfs queues file\n");
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (len + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			igt_assert(buf);
		}
	}
	close(fd);
	buf[len] = 0;
	return buf;
}

/* Sum of "@key N" over the debugfs queues file. */
static uint64_t debugfs_sum(const char *key)
{
	char *buf = read_debugfs_queues(true), *p = buf;
	size_t klen = strlen(key);
	uint64_t sum = 0;

	while ((p = strstr(p, key))) {
		p += klen;
		sum += strtoull(p, &p, 10);
	}
	free(buf);
	return sum;
}

/* Occurrences of @what in the debugfs queues file, -1 without the file. */
static int debugfs_count(const char *what)
{
	char *buf = read_debugfs_queues(false), *p = buf;
	int n = 0;

	if (!buf)
		return -1;
	while ((p = strstr(p, what))) {
		p++;
		n++;
	}
	free(buf);
	return n;
}

static char saved_timeout[32];

static void restore_timeout(int sig)
{
	(void)sig;
	if (saved_timeout[0])
		igt_sysfs_write(TIMEOUT_PARAM, saved_timeout);
}

static void set_job_timeout(const char *ms)
{
	igt_require_f(igt_sysfs_read(TIMEOUT_PARAM, saved_timeout,
				     sizeof(saved_timeout)),
		      "no job_timeout_ms parameter\n");
	igt_install_exit_handler(restore_timeout);
	igt_assert_eq(igt_sysfs_write(TIMEOUT_PARAM, ms), 0);
}

/* A batch that blocks on a value that never changes. */
static void hang_batch(struct pvgpu_batch *b, uint64_t va)
{
	pvgpu_batch_reset(b);
	pvgpu_batch_wait64(b, va, 0xdead, ~0ull, PVGPU_WAIT_EQ);
	pvgpu_batch_end(b);
}

/* ---- queue creation --------------------------------------------------- */

static void test_queue_create_basic(void)
{
	int fd = open_render();
	struct drm_pvgpu_query_device dev = pvgpu_test_query_device(fd);
	struct drm_pvgpu_queue_get_state s;
	uint32_t vm, q[4];

	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	igt_assert_eq(pvgpu_queue_create(fd, vm, DRM_PVGPU_ENGINE_CLASS_COPY,
					 0, 0, &q[0]), 0);
	igt_assert_eq(pvgpu_queue_create(fd, vm, DRM_PVGPU_ENGINE_CLASS_COMPUTE,
					 1, dev.timeslice_min_us, &q[1]), 0);
	igt_assert_eq(pvgpu_queue_create(fd, vm, DRM_PVGPU_ENGINE_CLASS_COPY,
					 dev.num_priorities - 1,
					 dev.timeslice_max_us, &q[2]), 0);
	igt_assert_eq(pvgpu_queue_create(fd, vm, DRM_PVGPU_ENGINE_CLASS_VM_BIND,
					 0, 0, &q[3]), 0);
	for (int i = 0; i < 4; i++) {
		igt_assert_neq(q[i], 0);
		for (int j = 0; j < i; j++)
			igt_assert_neq(q[i], q[j]);
		s = get_state(fd, q[i]);
		igt_assert_eq(s.flags, 0);
		igt_assert_eq(s.error, 0);
		igt_assert_eq(s.jobs_submitted, 0);
		igt_assert_eq(s.jobs_completed, 0);
	}
	igt_assert(debugfs_count("exec queue fw") == 3 ||
		   debugfs_count("exec queue fw") == -1);
	for (int i = 0; i < 4; i++)
		igt_assert_eq(pvgpu_queue_destroy(fd, q[i]), 0);
	for (int i = 0; i < 4; i++) {
		igt_assert_err(pvgpu_queue_destroy(fd, q[i]), -ENOENT);
		igt_assert_err(pvgpu_queue_get_state(fd, q[i], &s), -ENOENT);
	}
	/* A queue keeps its VM: destroying the VM id first is fine. */
	igt_assert_eq(pvgpu_queue_create(fd, vm, DRM_PVGPU_ENGINE_CLASS_COPY,
					 0, 0, &q[0]), 0);
	igt_assert_eq(pvgpu_vm_destroy(fd, vm), 0);
	igt_assert_eq(pvgpu_queue_destroy(fd, q[0]), 0);
	close(fd);
	usleep(200 * 1000);
	igt_assert_lte(debugfs_count("exec queue fw"), 0);
}

static int queue_create_raw(int fd, struct drm_pvgpu_queue_create *c)
{
	return raw_ioctl(fd, DRM_IOCTL_PVGPU_QUEUE_CREATE, c);
}

static void test_queue_create_invalid(void)
{
	int fd = open_render();
	struct drm_pvgpu_query_device dev = pvgpu_test_query_device(fd);
	struct drm_pvgpu_queue_create c;
	struct drm_pvgpu_queue_destroy d = { 0 };
	struct drm_pvgpu_queue_get_state g = { 0 };
	uint32_t vm;

	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
#define RESET() (c = (struct drm_pvgpu_queue_create){ .vm_id = vm, \
		 .engine_class = DRM_PVGPU_ENGINE_CLASS_COPY })
	RESET(); c.extensions = 1;
	igt_assert_err(queue_create_raw(fd, &c), -EINVAL);
	RESET(); c.flags = 1;
	igt_assert_err(queue_create_raw(fd, &c), -EINVAL);
	RESET(); c.engine_class = 7;
	igt_assert_err(queue_create_raw(fd, &c), -EINVAL);
	RESET(); c.engine_class = 0xfe;
	igt_assert_err(queue_create_raw(fd, &c), -EINVAL);
	RESET(); c.priority = dev.num_priorities;
	igt_assert_err(queue_create_raw(fd, &c), -EINVAL);
	RESET(); c.timeslice_us = dev.timeslice_min_us - 1;
	igt_assert_err(queue_create_raw(fd, &c), -EINVAL);
	RESET(); c.timeslice_us = dev.timeslice_max_us + 1;
	igt_assert_err(queue_create_raw(fd, &c), -EINVAL);
	RESET(); c.engine_class = DRM_PVGPU_ENGINE_CLASS_VM_BIND; c.priority = 1;
	igt_assert_err(queue_create_raw(fd, &c), -EINVAL);
	RESET(); c.engine_class = DRM_PVGPU_ENGINE_CLASS_VM_BIND;
	c.timeslice_us = dev.timeslice_default_us;
	igt_assert_err(queue_create_raw(fd, &c), -EINVAL);
	RESET(); c.vm_id = vm + 100;
	igt_assert_err(queue_create_raw(fd, &c), -ENOENT);
	RESET(); c.vm_id = 0;
	igt_assert_err(queue_create_raw(fd, &c), -ENOENT);
	igt_assert_eq(c.queue_id, 0);
#undef RESET
	d.queue_id = 1;
	d.pad = 1;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_QUEUE_DESTROY, &d), -EINVAL);
	d.pad = 0;
	d.extensions = 1;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_QUEUE_DESTROY, &d), -EINVAL);
	d.extensions = 0;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_QUEUE_DESTROY, &d), -ENOENT);
	g.queue_id = 1;
	g.pad = 1;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_QUEUE_GET_STATE, &g), -EINVAL);
	g.pad = 0;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_QUEUE_GET_STATE, &g), -ENOENT);
	igt_assert_lte(debugfs_count("exec queue fw"), 0);
	close(fd);
}

static void unpriv_child(int idx, void *arg)
{
	int fd = *(int *)arg;
	struct drm_pvgpu_query_device dev = pvgpu_test_query_device(fd);
	uint32_t vm, q;

	(void)idx;
	igt_assert_eq(setgroups(0, NULL), 0);
	igt_assert_eq(setresgid(NOBODY, NOBODY, NOBODY), 0);
	igt_assert_eq(setresuid(NOBODY, NOBODY, NOBODY), 0);
	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	/* The top two levels need CAP_SYS_NICE. */
	igt_assert_err(pvgpu_queue_create(fd, vm, DRM_PVGPU_ENGINE_CLASS_COPY,
					  dev.num_priorities - 1, 0, &q), -EPERM);
	igt_assert_err(pvgpu_queue_create(fd, vm, DRM_PVGPU_ENGINE_CLASS_COPY,
					  dev.num_priorities - 2, 0, &q), -EPERM);
	igt_assert_eq(pvgpu_queue_create(fd, vm, DRM_PVGPU_ENGINE_CLASS_COPY,
					 dev.num_priorities - 3, 0, &q), 0);
	igt_assert_eq(pvgpu_queue_destroy(fd, q), 0);
	igt_assert_eq(pvgpu_vm_destroy(fd, vm), 0);
}

static void test_queue_priority_perm(void)
{
	int fd = open_render();
	struct drm_pvgpu_query_device dev = pvgpu_test_query_device(fd);

	igt_require(dev.num_priorities >= 3);
	igt_fork(unpriv_child, 0, &fd);
	igt_waitchildren();
	close(fd);
}

/* ---- jobs ------------------------------------------------------------- */

static void test_exec_store(void)
{
	int fd = open_render();
	struct pvgpu_ctx ctx;
	struct pvgpu_batch b;
	struct data_bo d;
	uint32_t *u32;
	uint64_t *u64;

	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	data_bo_init(fd, ctx.vm_id, &d, DATA_VA, DATA_SIZE);
	u32 = d.map;
	u64 = d.map;
	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, DATA_VA, 0x12345678);
	pvgpu_batch_store64(&b, DATA_VA + 8, 0x1122334455667788ull);
	pvgpu_batch_end(&b);
	igt_assert_eq(pvgpu_ctx_run(&ctx, &b, 5 * SEC), 0);
	igt_assert_eq_u64(u32[0], 0x12345678);
	igt_assert_eq_u64(u64[1], 0x1122334455667788ull);
	igt_assert_eq(syncobj_status(fd, ctx.syncobj), 1);
	igt_assert_eq(get_state(fd, ctx.queue_id).jobs_completed, 1);
	data_bo_fini(fd, ctx.vm_id, &d);
	pvgpu_ctx_fini(&ctx);
	close(fd);
}

static void test_exec_fill_copy(void)
{
	int fd = open_render();
	struct pvgpu_ctx ctx;
	struct pvgpu_batch b;
	struct data_bo d;
	uint32_t *u32;

	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	data_bo_init(fd, ctx.vm_id, &d, DATA_VA, DATA_SIZE);
	u32 = d.map;
	for (unsigned int i = 0; i < 1024; i++)
		u32[i] = i * 7 + 1;
	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, DATA_VA, DATA_VA + 0x4000, 4096);
	pvgpu_batch_fill(&b, DATA_VA + 0x8000, 0x2000, 0xcafef00d);
	pvgpu_batch_end(&b);
	igt_assert_eq(pvgpu_ctx_run(&ctx, &b, 5 * SEC), 0);
	for (unsigned int i = 0; i < 1024; i++)
		igt_assert_eq_u64(u32[0x1000 + i], i * 7 + 1);
	for (unsigned int i = 0; i < 0x800; i++)
		igt_assert_eq_u64(u32[0x2000 + i], 0xcafef00d);
	igt_assert_eq_u64(u32[0x2800], 0);
	data_bo_fini(fd, ctx.vm_id, &d);
	pvgpu_ctx_fini(&ctx);
	close(fd);
}

static void test_exec_vector_add(void)
{
	int fd = open_render();
	const unsigned int n = 2000;
	struct pvgpu_kargs_vector_add *args;
	struct pvgpu_ctx ctx;
	struct pvgpu_batch b;
	struct data_bo d;
	uint32_t *a, *bb, *c;

	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0,
				     DRM_PVGPU_ENGINE_CLASS_COMPUTE), 0);
	data_bo_init(fd, ctx.vm_id, &d, DATA_VA, 0x8000);
	args = d.map;
	a = (uint32_t *)((char *)d.map + 0x1000);
	bb = a + n;
	c = bb + n;
	srand(42);
	for (unsigned int i = 0; i < n; i++) {
		a[i] = rand();
		bb[i] = rand();
	}
	args->a = DATA_VA + 0x1000;
	args->b = args->a + n * 4;
	args->c = args->b + n * 4;
	args->n = n;
	pvgpu_batch_reset(&b);
	pvgpu_batch_dispatch(&b, PVGPU_KERNEL_VECTOR_ADD_U32, DATA_VA);
	pvgpu_batch_end(&b);
	igt_assert_eq(pvgpu_ctx_run(&ctx, &b, 10 * SEC), 0);
	for (unsigned int i = 0; i < n; i++)
		igt_assert_eq_u64(c[i], (uint32_t)(a[i] + bb[i]));
	data_bo_fini(fd, ctx.vm_id, &d);
	pvgpu_ctx_fini(&ctx);
	close(fd);
}

/* A DISPATCH on the copy engine is a queue error: guilty, -EIO. */
static void test_exec_bad_engine(void)
{
	int fd = open_render();
	struct pvgpu_ctx ctx, other;
	struct pvgpu_batch b;
	struct drm_pvgpu_queue_get_state s;
	struct drm_pvgpu_sync out;

	igt_emit_ignore_dmesg_regex("exec queue .* guilty");
	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	/* Each context its own VM: they map their batch at the same VA. */
	igt_assert_eq(pvgpu_ctx_init(&other, fd, 0,
				     DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_dispatch(&b, PVGPU_KERNEL_VECTOR_ADD_U32, DATA_VA);
	pvgpu_batch_end(&b);
	igt_assert_eq(pvgpu_ctx_run(&ctx, &b, 5 * SEC), 0);
	igt_assert_eq(syncobj_status(fd, ctx.syncobj), -EIO);
	usleep(100 * 1000);
	s = get_state(fd, ctx.queue_id);
	igt_assert_eq(s.flags, DRM_PVGPU_QUEUE_STATE_BANNED |
		      DRM_PVGPU_QUEUE_STATE_RESET | DRM_PVGPU_QUEUE_STATE_GUILTY);
	igt_assert_eq(s.error, -EIO);
	out = pvgpu_sync_syncobj(ctx.syncobj, 1);
	igt_assert_err(submit(&ctx, -1, &out, 1), -ECANCELED);
	/* The other queue of the same VM goes on. */
	pvgpu_batch_reset(&b);
	pvgpu_batch_end(&b);
	igt_assert_eq(pvgpu_ctx_run(&other, &b, 5 * SEC), 0);
	igt_assert_eq(syncobj_status(fd, other.syncobj), 1);
	pvgpu_ctx_fini(&other);
	pvgpu_ctx_fini(&ctx);
	close(fd);
}

static void test_exec_ordering_point(void)
{
	int fd = open_render();
	struct pvgpu_ctx ctx;
	struct pvgpu_batch b;
	struct data_bo d;
	uint32_t s1 = new_syncobj(fd), s2 = new_syncobj(fd);
	struct drm_pvgpu_sync o1 = pvgpu_sync_syncobj(s1, 1);
	struct drm_pvgpu_sync o2 = pvgpu_sync_syncobj(s2, 1);
	uint32_t *u32;

	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	data_bo_init(fd, ctx.vm_id, &d, DATA_VA, DATA_SIZE);
	u32 = d.map;
	pvgpu_batch_reset(&b);
	pvgpu_batch_delay(&b, 100 * 1000 * 1000ull, 0);
	pvgpu_batch_store32(&b, DATA_VA, 1);
	pvgpu_batch_end(&b);
	put_batch(&ctx, 0, &b);
	igt_assert_eq(submit(&ctx, 0, &o1, 1), 0);
	igt_assert_eq(submit(&ctx, -1, &o2, 1), 0);
	igt_assert_eq(pvgpu_syncobj_wait(fd, s2, 0, 5 * SEC), 0);
	/* The ordering point completed after the job before it. */
	igt_assert_eq(syncobj_status(fd, s1), 1);
	igt_assert_eq_u64(u32[0], 1);
	igt_assert_eq(get_state(fd, ctx.queue_id).jobs_completed, 2);
	data_bo_fini(fd, ctx.vm_id, &d);
	pvgpu_ctx_fini(&ctx);
	close(fd);
}

/*
 * More jobs than the ring holds: the ring wraps, jobs wait for room in the
 * driver, up to max_jobs_per_queue of them; beyond that EXEC is
 * -EWOULDBLOCK and the test waits for what it submitted before going on.
 */
static void test_exec_many(void)
{
	int fd = open_render();
	const unsigned int n = 5000;
	struct drm_pvgpu_queue_get_state s;
	struct drm_pvgpu_sync out;
	struct pvgpu_ctx ctx;
	struct pvgpu_batch b;
	struct data_bo d;
	uint32_t *u32;
	uint32_t so = new_syncobj(fd);

	/* One event per job: the F2H ring may overflow, the driver copes. */
	igt_emit_ignore_dmesg_regex("flagged the F2H ring|firmware event [0-9]+, expected");
	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	data_bo_init(fd, ctx.vm_id, &d, DATA_VA, DATA_SIZE);
	u32 = d.map;
	for (unsigned int i = 0; i < 64; i++) {
		pvgpu_batch_reset(&b);
		pvgpu_batch_store32(&b, DATA_VA + i * 4, i + 1);
		pvgpu_batch_end(&b);
		put_batch(&ctx, i, &b);
	}
	for (unsigned int i = 0; i < n; i++) {
		int ret;

		out = pvgpu_sync_timeline(so, i + 1, 1);
		ret = submit(&ctx, i % 64, &out, 1);
		if (ret == -EWOULDBLOCK && i) {
			/* max_jobs_per_queue: wait for the jobs so far. */
			igt_assert_eq(pvgpu_syncobj_wait(fd, so, i, 60 * SEC),
				      0);
			ret = submit(&ctx, i % 64, &out, 1);
		}
		igt_assert_eq(ret, 0);
	}
	igt_assert_eq(pvgpu_syncobj_wait(fd, so, n, 60 * SEC), 0);
	for (unsigned int i = 0; i < 64; i++)
		igt_assert_eq_u64(u32[i], i + 1);
	s = get_state(fd, ctx.queue_id);
	igt_assert_eq(s.jobs_submitted, n);
	igt_assert_eq(s.jobs_completed, n);
	igt_assert_eq(s.flags, 0);
	data_bo_fini(fd, ctx.vm_id, &d);
	pvgpu_ctx_fini(&ctx);
	close(fd);
}

/* ---- dependencies ----------------------------------------------------- */

/*
 * Queue A (delayed) writes a value, queue B copies it once A's fence
 * signalled: B's copy holds A's value only if B waited.
 */
static void test_chain_syncobj(void)
{
	int fd = open_render();
	struct pvgpu_ctx a, bq;
	struct pvgpu_batch b;
	struct data_bo d;
	uint32_t s = new_syncobj(fd), done = new_syncobj(fd);
	struct drm_pvgpu_sync sa = pvgpu_sync_syncobj(s, 1);
	struct drm_pvgpu_sync sb[2] = { pvgpu_sync_syncobj(s, 0),
					pvgpu_sync_syncobj(done, 1) };
	uint32_t *u32;

	igt_assert_eq(pvgpu_ctx_init(&a, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	igt_assert_eq(pvgpu_ctx_init(&bq, fd, 0,
				     DRM_PVGPU_ENGINE_CLASS_COMPUTE), 0);
	data_bo_init(fd, a.vm_id, &d, DATA_VA, DATA_SIZE);
	data_bo_map(fd, bq.vm_id, &d);
	u32 = d.map;

	pvgpu_batch_reset(&b);
	pvgpu_batch_delay(&b, 200 * 1000 * 1000ull, 0);
	pvgpu_batch_store32(&b, DATA_VA, 0xabcd);
	pvgpu_batch_end(&b);
	put_batch(&a, 0, &b);
	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, DATA_VA, DATA_VA + 4, 4);
	pvgpu_batch_end(&b);
	put_batch(&bq, 0, &b);

	igt_assert_eq(submit(&a, 0, &sa, 1), 0);
	igt_assert_eq(submit(&bq, 0, sb, 2), 0);
	igt_assert_eq(pvgpu_syncobj_wait(fd, done, 0, 10 * SEC), 0);
	igt_assert_eq_u64(u32[1], 0xabcd);

	pvgpu_bind_unmap(fd, bq.vm_id, DATA_VA, DATA_SIZE);
	data_bo_fini(fd, a.vm_id, &d);
	pvgpu_ctx_fini(&bq);
	pvgpu_ctx_fini(&a);
	close(fd);
}

/* Timeline points: A signals points 1 and 2, B waits for point 2. */
static void test_chain_timeline(void)
{
	int fd = open_render();
	struct pvgpu_ctx a, bq;
	struct pvgpu_batch b;
	struct data_bo d;
	uint32_t tl = new_syncobj(fd), done = new_syncobj(fd);
	struct drm_pvgpu_sync p1 = pvgpu_sync_timeline(tl, 1, 1);
	struct drm_pvgpu_sync p2 = pvgpu_sync_timeline(tl, 2, 1);
	struct drm_pvgpu_sync sb[2] = { pvgpu_sync_timeline(tl, 2, 0),
					pvgpu_sync_syncobj(done, 1) };
	uint32_t *u32;

	igt_assert_eq(pvgpu_ctx_init(&a, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	igt_assert_eq(pvgpu_ctx_init(&bq, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	data_bo_init(fd, a.vm_id, &d, DATA_VA, DATA_SIZE);
	data_bo_map(fd, bq.vm_id, &d);
	u32 = d.map;

	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, DATA_VA, 1);
	pvgpu_batch_end(&b);
	put_batch(&a, 0, &b);
	pvgpu_batch_reset(&b);
	pvgpu_batch_delay(&b, 200 * 1000 * 1000ull, 0);
	pvgpu_batch_store32(&b, DATA_VA, 2);
	pvgpu_batch_end(&b);
	put_batch(&a, 1, &b);
	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, DATA_VA, DATA_VA + 4, 4);
	pvgpu_batch_end(&b);
	put_batch(&bq, 0, &b);

	igt_assert_eq(submit(&a, 0, &p1, 1), 0);
	igt_assert_eq(submit(&a, 1, &p2, 1), 0);
	igt_assert_eq(submit(&bq, 0, sb, 2), 0);
	igt_assert_eq(pvgpu_syncobj_wait(fd, done, 0, 10 * SEC), 0);
	igt_assert_eq_u64(u32[1], 2);
	igt_assert_eq(pvgpu_syncobj_wait(fd, tl, 2, 0), 0);

	pvgpu_bind_unmap(fd, bq.vm_id, DATA_VA, DATA_SIZE);
	data_bo_fini(fd, a.vm_id, &d);
	pvgpu_ctx_fini(&bq);
	pvgpu_ctx_fini(&a);
	close(fd);
}

struct sf_arg {
	int sync_file;
};

/* Another process: its job waits for the parent's sync_file. */
static void sync_file_child(int idx, void *data)
{
	struct sf_arg *arg = data;
	int fd = open_render();
	struct pvgpu_ctx ctx;
	struct pvgpu_batch b;
	uint32_t done = new_syncobj(fd);
	struct drm_pvgpu_sync s[2] = {
		{ .type = DRM_PVGPU_SYNC_SYNC_FILE, .handle = arg->sync_file },
		pvgpu_sync_syncobj(done, 1),
	};

	(void)idx;
	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_end(&b);
	put_batch(&ctx, 0, &b);
	igt_assert_eq(sync_file_status(arg->sync_file), 0);
	igt_assert_eq(submit(&ctx, 0, s, 2), 0);
	igt_assert_eq(pvgpu_syncobj_wait(fd, done, 0, 10 * SEC), 0);
	/* Completed, so the parent's job had. */
	igt_assert_eq(sync_file_status(arg->sync_file), 1);
	pvgpu_ctx_fini(&ctx);
	close(fd);
}

static void test_chain_sync_file_fork(void)
{
	int fd = open_render();
	struct pvgpu_ctx ctx;
	struct pvgpu_batch b;
	struct drm_pvgpu_sync out = {
		.type = DRM_PVGPU_SYNC_SYNC_FILE,
		.flags = DRM_PVGPU_SYNC_SIGNAL,
	};
	struct sf_arg arg;

	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_delay(&b, 300 * 1000 * 1000ull, 0);
	pvgpu_batch_end(&b);
	put_batch(&ctx, 0, &b);
	igt_assert_eq(submit(&ctx, 0, &out, 1), 0);
	igt_assert_gte((int)out.handle, 0);
	arg.sync_file = out.handle;
	igt_fork(sync_file_child, 0, &arg);
	igt_waitchildren();
	igt_assert_eq(sync_file_status(arg.sync_file), 1);
	close(arg.sync_file);
	pvgpu_ctx_fini(&ctx);
	close(fd);
}

/*
 * A job without dependencies on an idle queue takes the bypass path; one
 * with an unsignalled in-syncobj is queued and started by the worker.
 */
static void test_bypass_and_queued(void)
{
	int fd = open_render();
	struct pvgpu_ctx ctx, gate;
	struct pvgpu_batch b;
	uint32_t g = new_syncobj(fd), done = new_syncobj(fd);
	struct drm_pvgpu_sync og = pvgpu_sync_syncobj(g, 1);
	struct drm_pvgpu_sync s[2] = { pvgpu_sync_syncobj(g, 0),
				       pvgpu_sync_syncobj(done, 1) };
	uint64_t byp0, byp1, byp2;

	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	igt_assert_eq(pvgpu_ctx_init(&gate, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_end(&b);
	byp0 = debugfs_sum("bypassed ");
	igt_assert_eq(pvgpu_ctx_run(&ctx, &b, 5 * SEC), 0);
	byp1 = debugfs_sum("bypassed ");
	igt_assert_eq(byp1, byp0 + 1);

	pvgpu_batch_reset(&b);
	pvgpu_batch_delay(&b, 200 * 1000 * 1000ull, 0);
	pvgpu_batch_end(&b);
	put_batch(&gate, 0, &b);
	igt_assert_eq(submit(&gate, 0, &og, 1), 0);
	byp1 = debugfs_sum("bypassed ");
	pvgpu_batch_reset(&b);
	pvgpu_batch_end(&b);
	put_batch(&ctx, 1, &b);
	igt_assert_eq(submit(&ctx, 1, s, 2), 0);
	igt_assert_eq(syncobj_status(fd, done), 0);
	igt_assert_eq(pvgpu_syncobj_wait(fd, done, 0, 10 * SEC), 0);
	igt_assert_eq(syncobj_status(fd, g), 1);
	byp2 = debugfs_sum("bypassed ");
	/* The gated job was not bypassed. */
	igt_assert_eq(byp2, byp1);
	igt_assert_eq(get_state(fd, ctx.queue_id).jobs_completed, 2);
	pvgpu_ctx_fini(&gate);
	pvgpu_ctx_fini(&ctx);
	close(fd);
}

/* ---- priorities ------------------------------------------------------- */

/*
 * Normal queues keep the copy engine's slots busy; then a normal and a
 * realtime queue each submit a short job that takes a ticket (atomic add,
 * the old value stored): the realtime job, submitted last, gets the earlier
 * ticket. Completion order, not times.
 */
static void atomic_ticket(struct pvgpu_batch *b, uint64_t counter,
			  uint64_t result)
{
	b->dw[b->len++] = PVGPU_CMD_HDR(PVGPU_CMD_ATOMIC, 0,
					PVGPU_CMD_LEN_ATOMIC);
	b->dw[b->len++] = PVGPU_ATOMIC_ADD32;
	b->dw[b->len++] = (uint32_t)counter;
	b->dw[b->len++] = (uint32_t)(counter >> 32);
	b->dw[b->len++] = 1;
	b->dw[b->len++] = 0;
	b->dw[b->len++] = 0;
	b->dw[b->len++] = 0;
	b->dw[b->len++] = (uint32_t)result;
	b->dw[b->len++] = (uint32_t)(result >> 32);
}

static void test_priority_realtime(void)
{
	int fd = open_render();
	struct drm_pvgpu_query_device dev = pvgpu_test_query_device(fd);
	enum { LOAD = 4 };
	struct pvgpu_ctx load[LOAD], normal, rt;
	struct pvgpu_batch b;
	struct data_bo d;
	uint32_t dn = new_syncobj(fd), dr = new_syncobj(fd);
	struct drm_pvgpu_sync on = pvgpu_sync_syncobj(dn, 1);
	struct drm_pvgpu_sync orr = pvgpu_sync_syncobj(dr, 1);
	uint64_t *u64;

	/* Each context its own VM (the batch VA is the same), one data BO. */
	igt_assert_eq(pvgpu_ctx_init(&normal, fd, 0,
				     DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	data_bo_init(fd, normal.vm_id, &d, DATA_VA, DATA_SIZE);
	u64 = d.map;
	for (int i = 0; i < LOAD; i++) {
		igt_assert_eq(pvgpu_ctx_init(&load[i], fd, 0,
					     DRM_PVGPU_ENGINE_CLASS_COPY), 0);
		pvgpu_batch_reset(&b);
		pvgpu_batch_delay(&b, 20 * 1000 * 1000ull, 0);
		pvgpu_batch_end(&b);
		put_batch(&load[i], 0, &b);
		for (int j = 0; j < 20; j++)
			igt_assert_eq(submit(&load[i], 0, NULL, 0), 0);
	}
	/* pvgpu_ctx makes priority 0 queues: replace rt's queue. */
	igt_assert_eq(pvgpu_ctx_init(&rt, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	data_bo_map(fd, rt.vm_id, &d);
	igt_assert_eq(pvgpu_queue_destroy(fd, rt.queue_id), 0);
	igt_assert_eq(pvgpu_queue_create(fd, rt.vm_id,
					 DRM_PVGPU_ENGINE_CLASS_COPY,
					 dev.num_priorities - 1, 0,
					 &rt.queue_id), 0);

	/*
	 * Both do 50 ms of work first: sharing the slots round-robin with
	 * the load, the normal job needs well over 100 ms; the realtime one
	 * preempts a load queue and runs alone.
	 */
	for (int i = 0; i < 2; i++) {
		pvgpu_batch_reset(&b);
		pvgpu_batch_delay(&b, 50 * 1000 * 1000ull, 0);
		atomic_ticket(&b, DATA_VA, DATA_VA + 8 + i * 8);
		pvgpu_batch_end(&b);
		put_batch(i ? &rt : &normal, 0, &b);
	}
	usleep(10 * 1000);
	igt_assert_eq(submit(&normal, 0, &on, 1), 0);
	usleep(5 * 1000);
	igt_assert_eq(submit(&rt, 0, &orr, 1), 0);
	igt_assert_eq(pvgpu_syncobj_wait(fd, dn, 0, 30 * SEC), 0);
	igt_assert_eq(pvgpu_syncobj_wait(fd, dr, 0, 30 * SEC), 0);
	igt_info("tickets: normal %llu realtime %llu\n",
		 (unsigned long long)u64[1], (unsigned long long)u64[2]);
	igt_assert_eq(u64[0], 2);
	igt_assert_lt(u64[2], u64[1]);

	pvgpu_bind_unmap(fd, rt.vm_id, DATA_VA, DATA_SIZE);
	pvgpu_ctx_fini(&rt);
	for (int i = 0; i < LOAD; i++)
		pvgpu_ctx_fini(&load[i]);
	data_bo_fini(fd, normal.vm_id, &d);
	pvgpu_ctx_fini(&normal);
	close(fd);
}

/* ---- timeouts, bans, teardown ----------------------------------------- */

static void test_job_timeout(void)
{
	int fd = open_render();
	struct pvgpu_ctx hung, ok;
	struct pvgpu_batch b;
	struct drm_pvgpu_queue_get_state s;
	struct drm_pvgpu_sync out;
	struct data_bo d;
	uint64_t t0;
	int ret;

	igt_emit_ignore_dmesg_regex("timed out after");
	set_job_timeout("500");
	igt_assert_eq(pvgpu_ctx_init(&hung, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	igt_assert_eq(pvgpu_ctx_init(&ok, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	data_bo_init(fd, hung.vm_id, &d, DATA_VA, DATA_SIZE);
	hang_batch(&b, DATA_VA);
	put_batch(&hung, 0, &b);
	out = pvgpu_sync_syncobj(hung.syncobj, 1);
	igt_assert_eq(submit(&hung, 0, &out, 1), 0);
	/* A job queued behind the hung one is cancelled with it. */
	out = pvgpu_sync_syncobj(ok.syncobj, 1);
	igt_assert_eq(submit(&hung, -1, &out, 1), 0);

	/* WAIT_USER_FENCE naming the hung queue ends with -EIO. */
	t0 = igt_nsec_now();
	{
		struct drm_pvgpu_wait_user_fence w = {
			.addr = (uintptr_t)d.map, .op = DRM_PVGPU_UFENCE_OP_EQ,
			.value = 1, .mask = ~0ull, .timeout = 10 * SEC,
			.queue_id = hung.queue_id,
		};

		ret = raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_USER_FENCE, &w);
	}
	igt_assert_err(ret, -EIO);
	igt_assert_lt(elapsed_ns(t0), 5 * SEC);
	igt_assert_eq(pvgpu_syncobj_wait(fd, hung.syncobj, 0, 5 * SEC), 0);
	igt_assert_eq(syncobj_status(fd, hung.syncobj), -ETIMEDOUT);
	igt_assert_eq(pvgpu_syncobj_wait(fd, ok.syncobj, 0, 5 * SEC), 0);
	igt_assert_lt(syncobj_status(fd, ok.syncobj), 0);
	s = get_state(fd, hung.queue_id);
	igt_assert_eq(s.flags, DRM_PVGPU_QUEUE_STATE_BANNED |
		      DRM_PVGPU_QUEUE_STATE_RESET | DRM_PVGPU_QUEUE_STATE_GUILTY);
	igt_assert_eq(s.error, -ETIMEDOUT);
	igt_assert_eq(s.jobs_submitted, 2);
	igt_assert_eq(s.jobs_completed, 2);
	out = pvgpu_sync_syncobj(hung.syncobj, 1);
	igt_assert_err(submit(&hung, -1, &out, 1), -ECANCELED);

	/* Another queue is unaffected. */
	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, DATA_VA + 0x100, 77);
	pvgpu_batch_end(&b);
	data_bo_map(fd, ok.vm_id, &d);
	igt_assert_eq(pvgpu_ctx_run(&ok, &b, 5 * SEC), 0);
	igt_assert_eq(syncobj_status(fd, ok.syncobj), 1);
	igt_assert_eq_u64(((uint32_t *)d.map)[0x40], 77);
	igt_assert_eq(get_state(fd, ok.queue_id).flags, 0);

	pvgpu_bind_unmap(fd, ok.vm_id, DATA_VA, DATA_SIZE);
	data_bo_fini(fd, hung.vm_id, &d);
	pvgpu_ctx_fini(&ok);
	pvgpu_ctx_fini(&hung);
	close(fd);
}

static void test_destroy_inflight(void)
{
	int fd = open_render();
	struct pvgpu_ctx ctx;
	struct pvgpu_batch b;
	struct drm_pvgpu_sync out[3];
	uint32_t s[3];
	uint64_t t0;

	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	hang_batch(&b, PVGPU_CTX_BATCH_VA + PVGPU_CTX_BATCH_SIZE - 8);
	put_batch(&ctx, 0, &b);
	for (int i = 0; i < 3; i++) {
		s[i] = new_syncobj(fd);
		out[i] = pvgpu_sync_syncobj(s[i], 1);
		igt_assert_eq(submit(&ctx, i == 1 ? -1 : 0, &out[i], 1), 0);
	}
	usleep(50 * 1000);
	igt_assert_eq(syncobj_status(fd, s[0]), 0);
	t0 = igt_nsec_now();
	igt_assert_eq(pvgpu_queue_destroy(fd, ctx.queue_id), 0);
	igt_assert_lt(elapsed_ns(t0), SEC / 10);
	for (int i = 0; i < 3; i++) {
		igt_assert_eq(pvgpu_syncobj_wait(fd, s[i], 0, 5 * SEC), 0);
		igt_assert_eq(syncobj_status(fd, s[i]), -ECANCELED);
	}
	ctx.queue_id = 0;
	pvgpu_ctx_fini(&ctx);
	close(fd);
	usleep(200 * 1000);
	igt_assert_lte(debugfs_count("exec queue fw"), 0);
}

static void killed_child(int idx, void *data)
{
	int *pipefd = data;
	int fd = open_render();
	struct pvgpu_ctx ctx[4];
	struct pvgpu_batch b;
	uint32_t s = new_syncobj(fd);

	(void)idx;
	for (int i = 0; i < 4; i++) {
		igt_assert_eq(pvgpu_ctx_init(&ctx[i], fd, 0,
					     DRM_PVGPU_ENGINE_CLASS_COPY), 0);
		hang_batch(&b, PVGPU_CTX_BATCH_VA + PVGPU_CTX_BATCH_SIZE - 8);
		put_batch(&ctx[i], 0, &b);
		pvgpu_batch_reset(&b);
		pvgpu_batch_end(&b);
		put_batch(&ctx[i], 1, &b);
	}
	igt_assert_eq(write(pipefd[1], "x", 1), 1);
	for (unsigned int n = 0;; n++) {
		struct drm_pvgpu_sync out = pvgpu_sync_timeline(s, n + 1, 1);

		submit(&ctx[n % 4], n % 8 ? 1 : 0, &out, 1);
	}
}

static void test_kill_process(void)
{
	int pipefd[2];
	char c;
	pid_t pid;
	int status;

	/* Skip here, not in the child, which the parent would wait for. */
	close(open_render());
	igt_assert_eq(pipe(pipefd), 0);
	pid = fork();
	igt_assert(pid >= 0);
	if (!pid) {
		killed_child(0, pipefd);
		_exit(0);
	}
	igt_assert_eq(read(pipefd[0], &c, 1), 1);
	usleep(300 * 1000);
	igt_require_f(debugfs_count("exec queue fw") >= 0,
		      "no debugfs queues file\n");
	igt_assert(debugfs_count("exec queue fw") >= 4);
	kill(pid, SIGKILL);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	for (int i = 0; i < 50 && debugfs_count("exec queue fw") > 0; i++)
		usleep(100 * 1000);
	igt_assert_lte(debugfs_count("exec queue fw"), 0);
	close(pipefd[0]);
	close(pipefd[1]);
}

/* ---- device removal --------------------------------------------------- */

#define DRIVER_DIR "/sys/bus/pci/drivers/pvgpu"
static char unbound_slot[64];

static void rebind(int sig)
{
	(void)sig;
	if (unbound_slot[0])
		igt_sysfs_write(DRIVER_DIR "/bind", unbound_slot);
}

/* The PCI address of the render node @path belongs to. */
static void pci_slot_of(const char *path, char *out, size_t len)
{
	char link[PATH_MAX], target[PATH_MAX];
	const char *base = strrchr(path, '/');
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/class/drm/%s/device", base + 1);
	n = readlink(link, target, sizeof(target) - 1);
	igt_require_f(n > 0, "no %s\n", link);
	target[n] = 0;
	snprintf(out, len, "%s", strrchr(target, '/') + 1);
}

/*
 * Unbinding the device with a hung job and a queued one: both fences
 * signal with -ENODEV, closing the file afterwards is clean, and the
 * device works again after a rebind.
 */
static void test_unbind_busy(void)
{
	char path[256], slot[64];
	int fd = igt_open_pvgpu_render(path, sizeof(path));
	struct pvgpu_ctx ctx;
	struct pvgpu_batch b;
	uint32_t s[2];
	int sf[2];

	pci_slot_of(path, slot, sizeof(slot));
	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	hang_batch(&b, PVGPU_CTX_BATCH_VA + PVGPU_CTX_BATCH_SIZE - 8);
	put_batch(&ctx, 0, &b);
	for (int i = 0; i < 2; i++) {
		struct drm_pvgpu_sync out;

		s[i] = new_syncobj(fd);
		out = pvgpu_sync_syncobj(s[i], 1);
		igt_assert_eq(submit(&ctx, i ? -1 : 0, &out, 1), 0);
		sf[i] = syncobj_to_sync_file(fd, s[i]);
	}
	usleep(50 * 1000);
	igt_assert_eq(sync_file_status(sf[0]), 0);

	snprintf(unbound_slot, sizeof(unbound_slot), "%s", slot);
	igt_install_exit_handler(rebind);
	igt_assert_eq(igt_sysfs_write(DRIVER_DIR "/unbind", slot), 0);
	for (int i = 0; i < 2; i++) {
		struct pollfd pfd = { .fd = sf[i], .events = POLLIN };

		igt_assert_eq(poll(&pfd, 1, 5000), 1);
		igt_assert_eq(sync_file_status(sf[i]), -ENODEV);
		close(sf[i]);
	}
	close(fd);
	igt_assert_eq(igt_sysfs_write(DRIVER_DIR "/bind", slot), 0);
	unbound_slot[0] = 0;

	fd = open_render();
	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_end(&b);
	igt_assert_eq(pvgpu_ctx_run(&ctx, &b, 5 * SEC), 0);
	igt_assert_eq(syncobj_status(fd, ctx.syncobj), 1);
	pvgpu_ctx_fini(&ctx);
	close(fd);
}

/* ---- WAIT_USER_FENCE -------------------------------------------------- */

static int wait_ufence(int fd, void *addr, uint32_t op, uint64_t value,
		       uint64_t mask, int64_t timeout)
{
	struct drm_pvgpu_wait_user_fence w = {
		.addr = (uintptr_t)addr, .op = op, .value = value,
		.mask = mask, .timeout = timeout,
	};

	return raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_USER_FENCE, &w);
}

static void test_ufence_ops(void)
{
	int fd = open_render();
	static const struct {
		uint32_t op;
		uint64_t yes, no;
	} c[] = {
		{ DRM_PVGPU_UFENCE_OP_EQ, 5, 6 },
		{ DRM_PVGPU_UFENCE_OP_NEQ, 6, 5 },
		{ DRM_PVGPU_UFENCE_OP_GT, 4, 5 },
		{ DRM_PVGPU_UFENCE_OP_GTE, 5, 6 },
		{ DRM_PVGPU_UFENCE_OP_LT, 6, 5 },
		{ DRM_PVGPU_UFENCE_OP_LTE, 5, 4 },
	};
	struct pvgpu_ctx ctx;
	struct pvgpu_batch b;
	struct data_bo d;
	uint64_t *v;

	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	data_bo_init(fd, ctx.vm_id, &d, DATA_VA, DATA_SIZE);
	v = d.map;
	/* The GPU writes the value the waits compare with. */
	pvgpu_batch_reset(&b);
	pvgpu_batch_delay(&b, 100 * 1000 * 1000ull, 0);
	pvgpu_batch_store64(&b, DATA_VA, 0xff00000000000005ull);
	pvgpu_batch_end(&b);
	put_batch(&ctx, 0, &b);
	igt_assert_eq(submit(&ctx, 0, NULL, 0), 0);
	igt_assert_eq(wait_ufence(fd, v, DRM_PVGPU_UFENCE_OP_EQ, 5, 0xff,
				  5 * SEC), 0);
	for (unsigned int i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		igt_assert_eq(wait_ufence(fd, v, c[i].op, c[i].yes, 0xffff, 0), 0);
		igt_assert_err(wait_ufence(fd, v, c[i].op, c[i].no, 0xffff, 0),
			       -ETIME);
	}
	/* The mask applies to both sides. */
	igt_assert_eq(wait_ufence(fd, v, DRM_PVGPU_UFENCE_OP_EQ,
				  0xff00000000000005ull, ~0ull, 0), 0);
	igt_assert_eq(wait_ufence(fd, v, DRM_PVGPU_UFENCE_OP_EQ, 0x105, 0xff, 0),
		      0);
	data_bo_fini(fd, ctx.vm_id, &d);
	pvgpu_ctx_fini(&ctx);
	close(fd);
}

/* The EXEC user-fence out-sync wakes a waiter. */
static void test_ufence_sync(void)
{
	int fd = open_render();
	uint64_t *v = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct drm_pvgpu_sync out;
	struct pvgpu_ctx ctx;
	struct pvgpu_batch b;

	igt_assert(v != MAP_FAILED);
	*v = 0;
	out = pvgpu_sync_user_fence(v, 42);
	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_delay(&b, 100 * 1000 * 1000ull, 0);
	pvgpu_batch_end(&b);
	put_batch(&ctx, 0, &b);
	igt_assert_eq(submit(&ctx, 0, &out, 1), 0);
	igt_assert_eq(wait_ufence(fd, v, DRM_PVGPU_UFENCE_OP_EQ, 42, ~0ull,
				  5 * SEC), 0);
	igt_assert_eq_u64(*v, 42);
	pvgpu_ctx_fini(&ctx);
	munmap(v, 4096);
	close(fd);
}

static void test_ufence_timeout(void)
{
	int fd = open_render();
	uint64_t v = 0;
	struct timespec ts;
	struct drm_pvgpu_wait_user_fence w = {
		.addr = (uintptr_t)&v, .op = DRM_PVGPU_UFENCE_OP_EQ,
		.value = 1, .mask = ~0ull,
		.flags = DRM_PVGPU_UFENCE_WAIT_ABSTIME,
	};
	uint64_t t0, dt;

	t0 = igt_nsec_now();
	igt_assert_err(wait_ufence(fd, &v, DRM_PVGPU_UFENCE_OP_EQ, 1, ~0ull,
				   100 * 1000 * 1000), -ETIME);
	dt = elapsed_ns(t0);
	igt_assert_lte_u64(100 * 1000 * 1000, dt);
	igt_assert_lt(dt, 2 * SEC);

	/* Absolute CLOCK_MONOTONIC deadline. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	w.timeout = ts.tv_sec * SEC + ts.tv_nsec + 100 * 1000 * 1000;
	t0 = igt_nsec_now();
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_USER_FENCE, &w), -ETIME);
	dt = elapsed_ns(t0);
	igt_assert_lte_u64(90 * 1000 * 1000, dt);
	igt_assert_lt(dt, 2 * SEC);
	/* A deadline in the past checks once. */
	w.timeout = 1;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_USER_FENCE, &w), -ETIME);
	v = 1;
	igt_assert_eq(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_USER_FENCE, &w), 0);
	close(fd);
}

static void sigusr1(int sig)
{
	(void)sig;
}

static void signaller(int idx, void *data)
{
	pid_t parent = *(pid_t *)data;

	(void)idx;
	usleep(200 * 1000);
	kill(parent, SIGUSR1);
}

static void test_ufence_restart(void)
{
	int fd = open_render();
	struct sigaction sa = { .sa_handler = sigusr1 };	/* no SA_RESTART */
	uint64_t v = 0;
	struct drm_pvgpu_wait_user_fence w = {
		.addr = (uintptr_t)&v, .op = DRM_PVGPU_UFENCE_OP_EQ,
		.value = 1, .mask = ~0ull, .timeout = 3 * SEC,
	};
	pid_t self = getpid();
	uint64_t t0;
	int ret;

	igt_assert_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	igt_fork(signaller, 0, &self);
	t0 = igt_nsec_now();
	ret = raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_USER_FENCE, &w);
	igt_assert_err(ret, -EINTR);
	igt_waitchildren();
	/* The timeout now says what was left. */
	igt_info("left after %llu ms: %lld ms\n",
		 (unsigned long long)elapsed_ns(t0) / 1000000,
		 (long long)w.timeout / 1000000);
	igt_assert_lt(w.timeout, 3 * SEC - 100 * 1000 * 1000);
	igt_assert_gt(w.timeout, SEC);
	/* The restarted wait continues: it times out with what was left. */
	w.timeout = 100 * 1000 * 1000;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_USER_FENCE, &w), -ETIME);
	signal(SIGUSR1, SIG_DFL);
	close(fd);
}

static void test_ufence_invalid(void)
{
	int fd = open_render(), fd2 = open_render();
	uint64_t v[2] = { 0, 0 };
	struct drm_pvgpu_wait_user_fence w;
	struct pvgpu_ctx other;

#define RESET() (w = (struct drm_pvgpu_wait_user_fence){ \
		 .addr = (uintptr_t)&v[0], .mask = ~0ull })
	RESET(); w.op = DRM_PVGPU_UFENCE_OP_LTE + 1;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_USER_FENCE, &w), -EINVAL);
	RESET(); w.flags = 2;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_USER_FENCE, &w), -EINVAL);
	RESET(); w.addr += 4;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_USER_FENCE, &w), -EINVAL);
	RESET(); w.pad = 1;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_USER_FENCE, &w), -EINVAL);
	RESET(); w.reserved[1] = 1;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_USER_FENCE, &w), -EINVAL);
	RESET(); w.extensions = 1;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_USER_FENCE, &w), -EINVAL);
	RESET(); w.queue_id = 1234;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_USER_FENCE, &w), -ENOENT);
	/* Queue ids are per file: another file's queue is none of this one. */
	igt_assert_eq(pvgpu_ctx_init(&other, fd2, 0,
				     DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	RESET(); w.queue_id = other.queue_id;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_USER_FENCE, &w), -ENOENT);
	pvgpu_ctx_fini(&other);
	RESET(); w.addr = 8;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_USER_FENCE, &w), -EFAULT);
	RESET();
	igt_assert_eq(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_USER_FENCE, &w), 0);
#undef RESET
	close(fd2);
	close(fd);
}

/*
 * Wake-ups of WAIT_USER_FENCE: only the waiters an event can satisfy are
 * woken. Threads parked on a value nobody writes are counted by their
 * voluntary context switches (each wake-up is one), not timed.
 */
#define PARKED		64	/* threads, half of them naming a queue */
#define STORM_JOBS	1000	/* jobs that must not wake them */
#define STORM_SLACK	8	/* wake-ups allowed for other reasons */

struct parked {
	pthread_t thr;
	int fd;
	uint64_t *addr;
	uint32_t queue_id;
	volatile pid_t tid;
	volatile int ret;	/* 1 while waiting */
};

static void *park_thread(void *arg)
{
	struct parked *p = arg;
	struct drm_pvgpu_wait_user_fence w = {
		.addr = (uintptr_t)p->addr, .op = DRM_PVGPU_UFENCE_OP_EQ,
		.value = 1, .mask = ~0ull, .timeout = -1,
		.queue_id = p->queue_id,
	};

	p->tid = syscall(SYS_gettid);
	p->ret = raw_ioctl(p->fd, DRM_IOCTL_PVGPU_WAIT_USER_FENCE, &w);
	return NULL;
}

/* Field @key of /proc/self/task/@tid/status, or state ('S' = 83) for NULL. */
static uint64_t task_status(pid_t tid, const char *key)
{
	char path[64], line[256];
	size_t klen = key ? strlen(key) : 0;
	uint64_t val = UINT64_MAX;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	f = fopen(path, "r");
	igt_assert(f);
	while (fgets(line, sizeof(line), f)) {
		if (!key && !strncmp(line, "State:", 6)) {
			char *c = line + 6;

			while (*c == ' ' || *c == '\t')
				c++;
			val = (unsigned char)*c;
		} else if (key && !strncmp(line, key, klen) &&
			   line[klen] == ':') {
			val = strtoull(line + klen + 1, NULL, 10);
		}
	}
	fclose(f);
	return val;
}

/* Voluntary context switches of parked threads [@first, @first + @n). */
static void parked_switches(const struct parked *p, unsigned int first,
			    unsigned int n, uint64_t *out)
{
	for (unsigned int i = first; i < first + n; i++) {
		out[i] = task_status(p[i].tid, "voluntary_ctxt_switches");
		igt_assert_neq_u64(out[i], UINT64_MAX);
	}
}

/* The most wake-ups one of the threads [@first, @first + @n) had. */
static uint64_t parked_wakeups(const struct parked *p, unsigned int first,
			       unsigned int n, const uint64_t *base,
			       uint64_t *now)
{
	uint64_t max = 0;

	parked_switches(p, first, n, now);
	for (unsigned int i = first; i < first + n; i++)
		if (now[i] - base[i] > max)
			max = now[i] - base[i];
	return max;
}

/*
 * 64 threads of file A sleep in WAIT_USER_FENCE on a value nobody writes
 * (32 name A's queue QA1, 32 no queue). 1000 jobs of another file, then
 * 1000 jobs of A's other queue QA2, must not wake the waiters they cannot
 * satisfy: before per-file wake-ups every interrupt woke every waiter of
 * the device. A user fence of QA2's job then writes the value: the kernel
 * wakes every waiter of that address, whichever queue it names.
 */
static void test_ufence_no_storm(void)
{
	int fd_a = open_render(), fd_b = open_render();
	uint64_t *v = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static struct parked p[PARKED];
	static uint64_t base[PARKED], now[PARKED];
	struct pvgpu_ctx qa1, qa2, qb;
	struct drm_pvgpu_sync out;
	struct pvgpu_batch b;
	uint64_t max;
	unsigned int i;

	igt_assert(v != MAP_FAILED);
	*v = 0;
	igt_assert_eq(pvgpu_ctx_init(&qa1, fd_a, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	igt_assert_eq(pvgpu_ctx_init(&qa2, fd_a, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	igt_assert_eq(pvgpu_ctx_init(&qb, fd_b, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_end(&b);

	for (i = 0; i < PARKED; i++) {
		p[i] = (struct parked){ .fd = fd_a, .addr = v, .ret = 1,
					.queue_id = i < PARKED / 2 ?
						    qa1.queue_id : 0 };
		igt_assert_err(pthread_create(&p[i].thr, NULL, park_thread,
					      &p[i]), 0);
	}
	/* Parked: asleep (in the ioctl, as nothing else blocks them). */
	for (i = 0; i < PARKED; i++) {
		while (!p[i].tid)
			usleep(1000);
		while (task_status(p[i].tid, NULL) != 'S')
			usleep(1000);
	}
	parked_switches(p, 0, PARKED, base);

	/* Another file's jobs wake nobody of A. */
	for (i = 0; i < STORM_JOBS; i++)
		igt_assert_eq(pvgpu_ctx_run(&qb, &b, 5 * SEC), 0);
	max = parked_wakeups(p, 0, PARKED, base, now);
	igt_info("after %u jobs of another file: at most %llu wake-ups\n",
		 STORM_JOBS, (unsigned long long)max);
	igt_assert_lte_u64(max, STORM_SLACK);

	/* A's other queue wakes none of the waiters naming QA1. */
	memcpy(base, now, sizeof(base));
	for (i = 0; i < STORM_JOBS; i++)
		igt_assert_eq(pvgpu_ctx_run(&qa2, &b, 5 * SEC), 0);
	max = parked_wakeups(p, 0, PARKED / 2, base, now);
	igt_info("after %u jobs of another queue: at most %llu wake-ups\n",
		 STORM_JOBS, (unsigned long long)max);
	igt_assert_lte_u64(max, STORM_SLACK);
	for (i = 0; i < PARKED; i++)
		igt_assert_eq(p[i].ret, 1);	/* still waiting */

	/* A user fence of QA2's job ends every wait on its address. */
	out = pvgpu_sync_user_fence(v, 1);
	put_batch(&qa2, 0, &b);
	igt_assert_eq(submit(&qa2, 0, &out, 1), 0);
	for (i = 0; i < PARKED; i++) {
		pthread_join(p[i].thr, NULL);
		igt_assert_eq(p[i].ret, 0);
	}
	igt_assert_eq_u64(*v, 1);

	pvgpu_ctx_fini(&qb);
	pvgpu_ctx_fini(&qa2);
	pvgpu_ctx_fini(&qa1);
	munmap(v, 4096);
	close(fd_b);
	close(fd_a);
}

/* ---- EXEC errors ------------------------------------------------------ */

static void test_exec_invalid(void)
{
	int fd = open_render();
	struct drm_pvgpu_query_device dev = pvgpu_test_query_device(fd);
	struct drm_pvgpu_sync syncs[DRM_PVGPU_MAX_SYNCS + 1];
	struct drm_pvgpu_exec e;
	struct pvgpu_ctx ctx;
	struct pvgpu_batch b;
	uint32_t bindq, so = new_syncobj(fd);

	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	igt_assert_eq(pvgpu_queue_create(fd, ctx.vm_id,
					 DRM_PVGPU_ENGINE_CLASS_VM_BIND, 0, 0,
					 &bindq), 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_end(&b);
	put_batch(&ctx, 0, &b);
	memset(syncs, 0, sizeof(syncs));

#define RESET() (e = (struct drm_pvgpu_exec){ .queue_id = ctx.queue_id, \
		 .num_batch = 1, .batch_address = PVGPU_CTX_BATCH_VA, \
		 .syncs = (uintptr_t)syncs })
	RESET(); e.queue_id = 999;
	igt_assert_err(exec_raw(fd, &e), -ENOENT);
	RESET(); e.queue_id = 0;
	igt_assert_err(exec_raw(fd, &e), -ENOENT);
	RESET(); e.queue_id = bindq;
	igt_assert_err(exec_raw(fd, &e), -ENOENT);
	RESET(); e.flags = 2;
	igt_assert_err(exec_raw(fd, &e), -EINVAL);
	RESET(); e.flags = DRM_PVGPU_EXEC_WAIT;
	igt_assert_err(exec_raw(fd, &e), -EOPNOTSUPP);
	RESET(); e.extensions = 1;
	igt_assert_err(exec_raw(fd, &e), -EINVAL);
	RESET(); e.reserved[0] = 1;
	igt_assert_err(exec_raw(fd, &e), -EINVAL);
	RESET(); e.num_batch = 2;
	igt_assert_err(exec_raw(fd, &e), -EINVAL);
	RESET(); e.batch_address += 2;
	igt_assert_err(exec_raw(fd, &e), -EINVAL);
	RESET(); e.batch_address = DRM_PVGPU_USER_VA_END(dev.va_bits);
	igt_assert_err(exec_raw(fd, &e), -EINVAL);
	RESET(); e.num_batch = 0;
	igt_assert_err(exec_raw(fd, &e), -EINVAL);
	RESET(); e.num_syncs = DRM_PVGPU_MAX_SYNCS + 1;
	igt_assert_err(exec_raw(fd, &e), -EINVAL);
	/* Bad syncs. */
	RESET(); e.num_syncs = 1;
	syncs[0] = pvgpu_sync_syncobj(so, 1);
	syncs[0].type = 9;
	igt_assert_err(exec_raw(fd, &e), -EINVAL);
	syncs[0] = pvgpu_sync_syncobj(so, 1);
	syncs[0].flags = 4;
	igt_assert_err(exec_raw(fd, &e), -EINVAL);
	syncs[0] = pvgpu_sync_syncobj(so, 1);
	syncs[0].pad = 1;
	igt_assert_err(exec_raw(fd, &e), -EINVAL);
	syncs[0] = pvgpu_sync_syncobj(so, 1);
	syncs[0].reserved[0] = 1;
	igt_assert_err(exec_raw(fd, &e), -EINVAL);
	syncs[0] = pvgpu_sync_syncobj(so + 100, 1);
	igt_assert_err(exec_raw(fd, &e), -ENOENT);
	/* A binary in-syncobj without a fence. */
	syncs[0] = pvgpu_sync_syncobj(so, 0);
	igt_assert_err(exec_raw(fd, &e), -ENOENT);
	syncs[0] = pvgpu_sync_timeline(so, 0, 1);
	igt_assert_err(exec_raw(fd, &e), -EINVAL);
	syncs[0] = (struct drm_pvgpu_sync){ .type = DRM_PVGPU_SYNC_SYNC_FILE,
					    .handle = 1000 };
	igt_assert_err(exec_raw(fd, &e), -EBADF);
	syncs[0] = pvgpu_sync_user_fence((uint64_t *)8, 1);
	syncs[0].addr = 12;
	igt_assert_err(exec_raw(fd, &e), -EINVAL);
	syncs[0] = (struct drm_pvgpu_sync){ .type = DRM_PVGPU_SYNC_SYNCOBJ,
					    .handle = so };
	RESET(); e.num_syncs = 1; e.syncs = 8;
	igt_assert_err(exec_raw(fd, &e), -EFAULT);
#undef RESET
	/* Nothing was submitted. */
	igt_assert_eq(get_state(fd, ctx.queue_id).jobs_submitted, 0);
	igt_assert_eq(pvgpu_ctx_run(&ctx, &b, 5 * SEC), 0);
	igt_assert_eq(get_state(fd, ctx.queue_id).jobs_submitted, 1);
	igt_assert_eq(pvgpu_queue_destroy(fd, bindq), 0);
	pvgpu_ctx_fini(&ctx);
	close(fd);
}

/* ---- LR queues -------------------------------------------------------- */

static void test_lr_queue(void)
{
	int fd = open_render();
	uint64_t *v = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct drm_pvgpu_sync out;
	struct pvgpu_ctx ctx;
	struct pvgpu_batch b;
	uint32_t vm, so = new_syncobj(fd);
	unsigned int n;
	int ret;

	igt_assert(v != MAP_FAILED);
	igt_assert_eq(pvgpu_vm_create(fd, DRM_PVGPU_VM_CREATE_LR, &vm), 0);
	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, vm, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_end(&b);
	put_batch(&ctx, 1, &b);
	/* No dma-fence out of an LR queue. */
	out = pvgpu_sync_syncobj(so, 1);
	igt_assert_err(submit(&ctx, 1, &out, 1), -EINVAL);
	out = pvgpu_sync_user_fence(v, 7);
	igt_assert_eq(submit(&ctx, 1, &out, 1), 0);
	igt_assert_eq(wait_ufence(fd, v, DRM_PVGPU_UFENCE_OP_EQ, 7, ~0ull,
				  5 * SEC), 0);

	/* A full ring is -EWOULDBLOCK, not a wait. */
	hang_batch(&b, PVGPU_CTX_BATCH_VA + PVGPU_CTX_BATCH_SIZE - 8);
	put_batch(&ctx, 0, &b);
	igt_assert_eq(submit(&ctx, 0, NULL, 0), 0);
	for (n = 0; n < 10000; n++) {
		ret = submit(&ctx, 1, NULL, 0);
		if (ret)
			break;
	}
	igt_info("LR ring full after %u jobs\n", n + 1);
	igt_assert_err(ret, -EWOULDBLOCK);
	igt_assert_lt(n, 10000);
	pvgpu_ctx_fini(&ctx);
	pvgpu_vm_destroy(fd, vm);
	munmap(v, 4096);
	close(fd);
}

/* ---- fdinfo ----------------------------------------------------------- */

static void test_fdinfo(void)
{
	int fd = open_render();
	struct pvgpu_ctx ctx;
	struct pvgpu_batch b;
	uint64_t before, after, copy;

	before = pvgpu_test_fdinfo_value(fd, "drm-engine-compute");
	igt_assert_eq_u64(before, 0);
	igt_assert_neq_u64(pvgpu_test_fdinfo_value(fd, "drm-engine-capacity-compute"),
			   UINT64_MAX);
	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0,
				     DRM_PVGPU_ENGINE_CLASS_COMPUTE), 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_delay(&b, 50 * 1000 * 1000ull, 0);
	pvgpu_batch_end(&b);
	igt_assert_eq(pvgpu_ctx_run(&ctx, &b, 5 * SEC), 0);
	after = pvgpu_test_fdinfo_value(fd, "drm-engine-compute");
	copy = pvgpu_test_fdinfo_value(fd, "drm-engine-copy");
	igt_info("compute busy %llu ns, copy %llu ns\n",
		 (unsigned long long)after, (unsigned long long)copy);
	igt_assert_lte_u64(40 * 1000 * 1000ull, after);
	igt_assert_eq_u64(copy, 0);
	pvgpu_ctx_fini(&ctx);
	close(fd);
}

/* ---- implicit synchronisation ----------------------------------------- */

#define SHARED_PATTERN	0x5ea1ed00u
#define PRIVATE_VA	(DATA_VA + 0x1000000ull)

static uint32_t prime_import(int fd, int dmabuf)
{
	struct drm_prime_handle p = { .fd = dmabuf };

	igt_assert_eq(raw_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p), 0);
	return p.handle;
}

/* The dma-buf's fences of @flags (DMA_BUF_SYNC_*) as a sync_file. */
static int dmabuf_export_sync_file(int dmabuf, uint32_t flags)
{
	struct dma_buf_export_sync_file e = { .flags = flags, .fd = -1 };

	igt_assert_eq(raw_ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &e), 0);
	igt_assert_lte(0, e.fd);
	return e.fd;
}

static void dmabuf_import_sync_file(int dmabuf, int sf, uint32_t flags)
{
	struct dma_buf_import_sync_file i = { .flags = flags, .fd = sf };

	igt_assert_eq(raw_ioctl(dmabuf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &i), 0);
}

/*
 * Two files, each with its own VM and copy queue: A owns and exports a
 * buffer (mapped at DATA_VA in A's VM), B imports it and maps it at the
 * same VA in its VM, next to a private buffer at PRIVATE_VA.
 */
struct shared_setup {
	int fd_a, fd_b, dmabuf;
	struct pvgpu_ctx a, b;
	struct data_bo shared;		/* A's handle and CPU map */
	uint32_t b_handle;		/* B's handle of the same object */
	struct data_bo priv;		/* B's private buffer */
};

static void shared_setup_init(struct shared_setup *t)
{
	t->fd_a = open_render();
	t->fd_b = open_render();
	igt_assert_eq(pvgpu_ctx_init(&t->a, t->fd_a, 0,
				     DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	igt_assert_eq(pvgpu_ctx_init(&t->b, t->fd_b, 0,
				     DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	data_bo_init(t->fd_a, t->a.vm_id, &t->shared, DATA_VA, DATA_SIZE);
	t->dmabuf = prime_export(t->fd_a, t->shared.handle);
	t->b_handle = prime_import(t->fd_b, t->dmabuf);
	igt_assert_eq(pvgpu_bind_map(t->fd_b, t->b.vm_id, t->b_handle, 0,
				     DATA_VA, DATA_SIZE, 0), 0);
	data_bo_init(t->fd_b, t->b.vm_id, &t->priv, PRIVATE_VA, DATA_SIZE);
}

static void shared_setup_fini(struct shared_setup *t)
{
	data_bo_fini(t->fd_b, t->b.vm_id, &t->priv);
	pvgpu_bind_unmap(t->fd_b, t->b.vm_id, DATA_VA, DATA_SIZE);
	pvgpu_gem_close(t->fd_b, t->b_handle);
	close(t->dmabuf);
	data_bo_fini(t->fd_a, t->a.vm_id, &t->shared);
	pvgpu_ctx_fini(&t->b);
	pvgpu_ctx_fini(&t->a);
	close(t->fd_b);
	close(t->fd_a);
}

/* Batch slot 0 of @ctx: a delay of @delay_ms, then FILL of @va. */
static void put_delay_fill(struct pvgpu_ctx *ctx, unsigned int delay_ms,
			   uint64_t va, uint32_t pattern)
{
	struct pvgpu_batch b;

	pvgpu_batch_reset(&b);
	if (delay_ms)
		pvgpu_batch_delay(&b, delay_ms * 1000 * 1000ull, 0);
	pvgpu_batch_fill(&b, va, 0x1000, pattern);
	pvgpu_batch_end(&b);
	put_batch(ctx, 0, &b);
}

static void copy_batch(struct pvgpu_batch *b, uint64_t src, uint64_t dst)
{
	pvgpu_batch_reset(b);
	pvgpu_batch_copy(b, src, dst, 0x1000);
	pvgpu_batch_end(b);
}

/*
 * A's delayed FILL of the shared buffer, then B's COPY out of it without
 * any explicit sync: B's job waits for A's through the buffer's dma-resv.
 * The dma-buf's exported sync_file is pending until A's job completes.
 */
static void test_implicit_sync_prime(void)
{
	struct shared_setup t;
	struct pvgpu_batch b;
	struct pollfd pfd;
	uint32_t *priv;
	int sf, sf_read;

	shared_setup_init(&t);
	priv = t.priv.map;

	put_delay_fill(&t.a, 200, DATA_VA, SHARED_PATTERN);
	igt_assert_eq(submit(&t.a, 0, NULL, 0), 0);
	sf = dmabuf_export_sync_file(t.dmabuf, DMA_BUF_SYNC_WRITE);
	sf_read = dmabuf_export_sync_file(t.dmabuf, DMA_BUF_SYNC_READ);
	igt_assert_eq(sync_file_status(sf), 0);
	igt_assert_eq(sync_file_status(sf_read), 0);

	copy_batch(&b, DATA_VA, PRIVATE_VA);
	igt_assert_eq(pvgpu_ctx_run(&t.b, &b, 5 * SEC), 0);
	for (unsigned int i = 0; i < 0x400; i++)
		igt_assert_eq_u64(priv[i], SHARED_PATTERN);

	pfd = (struct pollfd){ .fd = sf, .events = POLLIN };
	igt_assert_eq(poll(&pfd, 1, 5000), 1);
	igt_assert_eq(sync_file_status(sf), 1);
	igt_assert_eq(sync_file_status(sf_read), 1);
	close(sf_read);
	close(sf);

	/* Once idle, the exported fences are signalled at once. */
	sf = dmabuf_export_sync_file(t.dmabuf, DMA_BUF_SYNC_WRITE);
	igt_assert_eq(sync_file_status(sf), 1);
	close(sf);
	shared_setup_fini(&t);
}

/*
 * An unsignalled sw_sync fence imported into the shared buffer's dma-resv
 * holds back every EXEC of every VM that maps it, until the timeline
 * advances.
 */
static void test_implicit_sync_import(void)
{
	struct drm_pvgpu_sync out_a = pvgpu_sync_syncobj(0, 1);
	struct drm_pvgpu_sync out_b = pvgpu_sync_syncobj(0, 1);
	struct shared_setup t;
	struct pvgpu_batch b;
	uint32_t *priv, *shared;
	int timeline, fence;

	timeline = sw_sync_timeline();
	shared_setup_init(&t);
	priv = t.priv.map;
	shared = t.shared.map;
	for (unsigned int i = 0; i < 0x400; i++)
		shared[i] = i;

	fence = sw_sync_fence(timeline, 1);
	dmabuf_import_sync_file(t.dmabuf, fence, DMA_BUF_SYNC_WRITE);
	close(fence);

	out_a.handle = new_syncobj(t.fd_a);
	out_b.handle = new_syncobj(t.fd_b);
	/* A fills another part of the shared buffer: it waits as well. */
	put_delay_fill(&t.a, 0, DATA_VA + 0x4000, SHARED_PATTERN);
	igt_assert_eq(submit(&t.a, 0, &out_a, 1), 0);
	copy_batch(&b, DATA_VA, PRIVATE_VA);
	put_batch(&t.b, 0, &b);
	igt_assert_eq(submit(&t.b, 0, &out_b, 1), 0);

	usleep(300 * 1000);
	igt_assert_eq(syncobj_status(t.fd_a, out_a.handle), 0);
	igt_assert_eq(syncobj_status(t.fd_b, out_b.handle), 0);
	igt_assert_eq_u64(priv[1], 0);

	sw_sync_inc(timeline, 1);
	igt_assert_eq(pvgpu_syncobj_wait(t.fd_a, out_a.handle, 0, 5 * SEC), 0);
	igt_assert_eq(pvgpu_syncobj_wait(t.fd_b, out_b.handle, 0, 5 * SEC), 0);
	for (unsigned int i = 0; i < 0x400; i++)
		igt_assert_eq_u64(priv[i], i);
	igt_assert_eq_u64(shared[0x1000], SHARED_PATTERN);

	pvgpu_syncobj_destroy(t.fd_a, out_a.handle);
	pvgpu_syncobj_destroy(t.fd_b, out_b.handle);
	shared_setup_fini(&t);
	close(timeline);
}

/*
 * A job of a VM that maps no shared buffer is not held back by an
 * unsignalled fence in the dma-resv of another VM's shared buffer.
 */
static void test_private_no_implicit(void)
{
	struct shared_setup t;
	struct pvgpu_ctx c;
	struct pvgpu_batch b;
	struct data_bo d;
	uint32_t *u32;
	int timeline, fence;

	timeline = sw_sync_timeline();
	shared_setup_init(&t);
	fence = sw_sync_fence(timeline, 1);
	dmabuf_import_sync_file(t.dmabuf, fence, DMA_BUF_SYNC_WRITE);
	close(fence);

	/* A third VM, in A's file, with a private buffer only. */
	igt_assert_eq(pvgpu_ctx_init(&c, t.fd_a, 0,
				     DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	data_bo_init(t.fd_a, c.vm_id, &d, DATA_VA, DATA_SIZE);
	u32 = d.map;
	pvgpu_batch_reset(&b);
	pvgpu_batch_fill(&b, DATA_VA, 0x1000, SHARED_PATTERN);
	pvgpu_batch_end(&b);
	igt_assert_eq(pvgpu_ctx_run(&c, &b, 5 * SEC), 0);
	igt_assert_eq_u64(u32[0x3ff], SHARED_PATTERN);

	sw_sync_inc(timeline, 1);
	data_bo_fini(t.fd_a, c.vm_id, &d);
	pvgpu_ctx_fini(&c);
	shared_setup_fini(&t);
	close(timeline);
}

/* ---- limits ----------------------------------------------------------- */





/* A per-file limit: its parameter, 0 meaning a quarter of @total. */
static unsigned int per_file_limit(const char *param, unsigned int total)
{
	unsigned long long p = igt_pvgpu_param(param);

	return p ? p : (total / 4 ? total / 4 : 1);
}

static void drop_privileges(uid_t uid)
{
	igt_assert_eq(setgroups(0, NULL), 0);
	igt_assert_eq(setresgid(uid, uid, uid), 0);
	igt_assert_eq(setresuid(uid, uid, uid), 0);
}

struct limits_arg {
	int fd;
	unsigned int vms, queues;
};

/*
 * User A (nobody) takes every VM and every exec queue its file may hold:
 * -EMFILE beyond each. Bind queues do not count; a destroyed exec queue
 * makes room for one (the create waits for its release).
 */
static void limits_user_a(int idx, void *arg)
{
	struct limits_arg *a = arg;
	uint32_t vms[1100], queues[1100], q;
	unsigned int n;
	int ret;

	(void)idx;
	drop_privileges(NOBODY);
	for (n = 0;; n++) {
		igt_assert_lte(n, a->vms);
		ret = pvgpu_vm_create(a->fd, 0, &vms[n]);
		if (ret)
			break;
	}
	igt_assert_err(ret, -EMFILE);
	igt_assert_eq(n, a->vms);

	for (n = 0;; n++) {
		igt_assert_lte(n, a->queues);
		ret = pvgpu_queue_create(a->fd, vms[n % a->vms], n & 1 ?
					 DRM_PVGPU_ENGINE_CLASS_COMPUTE :
					 DRM_PVGPU_ENGINE_CLASS_COPY, 0, 0,
					 &queues[n]);
		if (ret)
			break;
	}
	igt_assert_err(ret, -EMFILE);
	igt_assert_eq(n, a->queues);

	igt_assert_eq(pvgpu_queue_create(a->fd, vms[0],
					 DRM_PVGPU_ENGINE_CLASS_VM_BIND, 0, 0,
					 &q), 0);
	igt_assert_eq(pvgpu_queue_destroy(a->fd, queues[0]), 0);
	igt_assert_eq(pvgpu_queue_create(a->fd, vms[0],
					 DRM_PVGPU_ENGINE_CLASS_COPY, 0, 0,
					 &queues[0]), 0);
	igt_assert_err(pvgpu_queue_create(a->fd, vms[0],
					  DRM_PVGPU_ENGINE_CLASS_COPY, 0, 0, &q),
		       -EMFILE);
}

/* User B (another uid, another file): a VM, a queue, a job that runs. */
static void limits_user_b(int idx, void *arg)
{
	struct limits_arg *b = arg;
	struct pvgpu_ctx ctx;
	struct pvgpu_batch pb;
	struct data_bo d;

	(void)idx;
	drop_privileges(NOBODY - 1);
	igt_assert_eq(pvgpu_ctx_init(&ctx, b->fd, 0,
				     DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	data_bo_init(b->fd, ctx.vm_id, &d, DATA_VA, DATA_SIZE);
	pvgpu_batch_reset(&pb);
	pvgpu_batch_store32(&pb, DATA_VA, 0xc0ffee);
	pvgpu_batch_end(&pb);
	igt_assert_eq(pvgpu_ctx_run(&ctx, &pb, 10 * SEC), 0);
	igt_assert_eq(((uint32_t *)d.map)[0], 0xc0ffee);
	data_bo_fini(b->fd, ctx.vm_id, &d);
	pvgpu_ctx_fini(&ctx);
}

/*
 * An unprivileged user hitting every per-file limit (VMs, exec queues)
 * gets -EMFILE, and another user's file still gets a VM and a queue and
 * runs a job while the first file holds all it may.
 */
static void test_per_file_limits(void)
{
	int fd = open_render();
	struct drm_pvgpu_query_device dev = pvgpu_test_query_device(fd);
	unsigned int asids = igt_pvgpu_fw_cap("max_address_spaces");
	unsigned int qtotal = dev.max_queues < MAX_EXEC_DOORBELLS ?
			      dev.max_queues : MAX_EXEC_DOORBELLS;
	struct limits_arg a = {
		.vms = per_file_limit("max_vms_per_file", asids),
		.queues = per_file_limit("max_queues_per_file", qtotal),
	};
	struct limits_arg b = a;

	igt_info("per file: %u of %u VMs, %u of %u exec queues\n", a.vms,
		 asids, a.queues, qtotal);
	igt_require_f(a.vms < asids && a.queues < qtotal,
		      "per-file limits not below the device's\n");
	a.fd = fd;
	b.fd = open_render();
	igt_fork(limits_user_a, 0, &a);
	igt_waitchildren();
	/* File A still holds them: they are the file's, not the process's. */
	igt_fork(limits_user_b, 0, &b);
	igt_waitchildren();
	close(b.fd);
	close(fd);
}

/*
 * A non-LR queue holds at most max_jobs_per_queue jobs submitted and not
 * completed: with its first job waiting for a fence that has not
 * signalled (so every job waits in the driver), EXEC number max + 1 is
 * -EWOULDBLOCK and changes nothing; another queue is not affected, and
 * once the jobs complete there is room again.
 */
static void test_exec_max_jobs(void)
{
	int fd = open_render();
	unsigned long long max = igt_pvgpu_param("max_jobs_per_queue"), n;
	struct drm_pvgpu_queue_get_state s;
	struct drm_pvgpu_sync syncs[2];
	struct pvgpu_ctx ctx;
	struct pvgpu_batch b;
	uint32_t so = new_syncobj(fd), q2;
	char dir[256];
	int tl, ret = 0;

	/* Keep the test short; a bound of 0 is none. */
	if (!max || max > 8192) {
		igt_pvgpu_param_set("max_jobs_per_queue", 1024);
		max = 1024;
	}
	igt_pvgpu_debugfs_dir(dir, sizeof(dir));	/* mounts debugfs */
	tl = sw_sync_timeline();
	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_end(&b);
	put_batch(&ctx, 0, &b);

	/* The first job waits for the sw_sync fence, the rest behind it. */
	syncs[0] = (struct drm_pvgpu_sync){
		.type = DRM_PVGPU_SYNC_SYNC_FILE,
		.handle = sw_sync_fence(tl, 1),
	};
	for (n = 0; n <= max; n++) {
		syncs[1] = pvgpu_sync_timeline(so, n + 1, 1);
		ret = n ? submit(&ctx, 0, &syncs[1], 1) :
			  submit(&ctx, 0, syncs, 2);
		if (ret)
			break;
	}
	igt_info("%llu jobs accepted, max_jobs_per_queue %llu\n", n, max);
	igt_assert_err(ret, -EWOULDBLOCK);
	igt_assert_eq(n, max);
	/* An ordering point is a job too; nothing changed. */
	igt_assert_err(submit(&ctx, -1, NULL, 0), -EWOULDBLOCK);
	s = get_state(fd, ctx.queue_id);
	igt_assert_eq(s.jobs_submitted, max);
	igt_assert_eq(s.jobs_completed, 0);
	igt_assert_eq(s.flags, 0);

	/* Another queue of the file runs. */
	igt_assert_eq(pvgpu_queue_create(fd, ctx.vm_id,
					 DRM_PVGPU_ENGINE_CLASS_COMPUTE, 0, 0,
					 &q2), 0);
	syncs[1] = pvgpu_sync_syncobj(ctx.syncobj, 1);
	igt_assert_eq(pvgpu_exec(fd, q2, PVGPU_CTX_BATCH_VA, &syncs[1], 1), 0);
	igt_assert_eq(pvgpu_syncobj_wait(fd, ctx.syncobj, 0, 30 * SEC), 0);

	/* The fence signals: every job completes, and there is room again. */
	sw_sync_inc(tl, 1);
	igt_assert_eq(pvgpu_syncobj_wait(fd, so, max, 60 * SEC), 0);
	syncs[1] = pvgpu_sync_timeline(so, max + 1, 1);
	igt_assert_eq(submit(&ctx, 0, &syncs[1], 1), 0);
	igt_assert_eq(pvgpu_syncobj_wait(fd, so, max + 1, 30 * SEC), 0);
	igt_assert_eq(get_state(fd, ctx.queue_id).jobs_completed, max + 1);

	close((int)syncs[0].handle);
	close(tl);
	pvgpu_queue_destroy(fd, q2);
	pvgpu_ctx_fini(&ctx);
	close(fd);
}

/* A batch of LONG_DELAYS DELAYs of 500 ms at the end of the batch BO. */
#define LONG_DELAYS	300
#define LONG_BATCH_SIZE	0x1000u
#define LONG_BATCH_OFF	(PVGPU_CTX_BATCH_SIZE - LONG_BATCH_SIZE)

/* Wait up to 30 s for @queue to be banned; its state then. */
static struct drm_pvgpu_queue_get_state wait_banned(int fd, uint32_t queue)
{
	struct drm_pvgpu_queue_get_state s;

	for (int i = 0; i < 3000; i++) {
		s = get_state(fd, queue);
		if (s.flags & DRM_PVGPU_QUEUE_STATE_BANNED)
			return s;
		usleep(10 * 1000);
	}
	igt_assert_f(false, "queue %u not banned after 30 s\n", queue);
	return s;
}

/*
 * A batch cannot forge its queue's completions (docs/queues.rst,
 * "Privilege"): the ring and the fence the driver signals from are in no
 * GPU VM, and FENCE, the one command that writes the fence, is refused
 * outside a kernel ring. Queue A of an LR VM runs a job for minutes with
 * its ring full behind it. On two other queues of the same VM, a batch
 * whose FENCE claims that every job of A completed fails (-EIO, banned,
 * guilty), and a batch that stores the claim over the top of the VM
 * (where the kernel once mapped rings) faults and fails the same way.
 * Meanwhile A completes nothing and its EXEC stays -EWOULDBLOCK (ring room
 * comes from the firmware's read pointer), and A goes away cleanly.
 */
static void test_forged_completion(void)
{
	int fd = open_render();
	struct drm_pvgpu_query_device dev = pvgpu_test_query_device(fd);
	uint64_t top = DRM_PVGPU_USER_VA_END(dev.va_bits), submitted;
	struct drm_pvgpu_queue_get_state s;
	struct pvgpu_ctx ctx;
	struct pvgpu_batch b;
	uint32_t vm, q[2];
	unsigned int n, k;
	int ret = 0;

	igt_emit_ignore_dmesg_regex("exec queue .* guilty");
	igt_assert_eq(pvgpu_vm_create(fd, DRM_PVGPU_VM_CREATE_LR, &vm), 0);
	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, vm, DRM_PVGPU_ENGINE_CLASS_COPY),
		      0);
	for (k = 0; k < 2; k++)
		igt_assert_eq(pvgpu_queue_create(fd, vm,
						 DRM_PVGPU_ENGINE_CLASS_COMPUTE,
						 0, 0, &q[k]), 0);

	/*
	 * The first job runs for minutes, in steps shorter than the
	 * firmware's watchdog (it makes progress, it is no hang).
	 */
	pvgpu_batch_reset(&b);
	for (k = 0; k < LONG_DELAYS; k++)
		pvgpu_batch_delay(&b, 500 * 1000 * 1000ull, 0);
	pvgpu_batch_end(&b);
	igt_assert_lte(b.len * 4, LONG_BATCH_SIZE);
	memcpy((char *)ctx.batch_map + LONG_BATCH_OFF, b.dw, b.len * 4);
	igt_assert_eq(pvgpu_exec(fd, ctx.queue_id,
				 PVGPU_CTX_BATCH_VA + LONG_BATCH_OFF, NULL, 0),
		      0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_end(&b);
	put_batch(&ctx, 1, &b);
	for (n = 0; n < 10000; n++) {
		ret = submit(&ctx, 1, NULL, 0);
		if (ret)
			break;
	}
	igt_assert_err(ret, -EWOULDBLOCK);
	submitted = get_state(fd, ctx.queue_id).jobs_submitted;
	igt_info("LR ring full after %llu jobs\n",
		 (unsigned long long)submitted);
	igt_assert_eq(submitted, n + 1);

	for (k = 0; k < 2; k++) {
		pvgpu_batch_reset(&b);
		if (k == 0) {
			pvgpu_batch_fence(&b, submitted);
		} else {
			/* Where ring, seqno page and ring + 32 KiB were. */
			pvgpu_batch_store64(&b, top + 0x8000, submitted);
			pvgpu_batch_store64(&b, top, submitted);
		}
		pvgpu_batch_end(&b);
		put_batch(&ctx, 2 + k, &b);
		igt_assert_eq(pvgpu_exec(fd, q[k], PVGPU_CTX_BATCH_VA +
					 (2 + k) * BATCH_SLOT, NULL, 0), 0);
		s = wait_banned(fd, q[k]);
		igt_assert_eq(s.flags, DRM_PVGPU_QUEUE_STATE_BANNED |
			      DRM_PVGPU_QUEUE_STATE_RESET |
			      DRM_PVGPU_QUEUE_STATE_GUILTY);
		igt_assert_eq(s.error, -EIO);

		/* A is where it was: nothing completed, still full. */
		s = get_state(fd, ctx.queue_id);
		igt_assert_eq(s.flags, 0);
		igt_assert_eq(s.jobs_completed, 0);
		igt_assert_eq(s.jobs_submitted, submitted);
		igt_assert_err(submit(&ctx, 1, NULL, 0), -EWOULDBLOCK);
		igt_assert_err(submit(&ctx, -1, NULL, 0), -EWOULDBLOCK);
	}

	for (k = 0; k < 2; k++)
		pvgpu_queue_destroy(fd, q[k]);
	pvgpu_ctx_fini(&ctx);
	pvgpu_vm_destroy(fd, vm);
	close(fd);
}

static const struct igt_lite_subtest subtests[] = {
	{ "queue-create-basic", test_queue_create_basic,
	  "copy, compute and bind queues get distinct ids, a clean state, and go" },
	{ "queue-create-invalid", test_queue_create_invalid,
	  "bad class, priority, timeslice, flags, VM; bad destroy/get_state" },
	{ "queue-priority-perm", test_queue_priority_perm,
	  "high and realtime priorities need CAP_SYS_NICE (-EPERM)" },
	{ "exec-store", test_exec_store,
	  "STORE32/STORE64 land in a BO; the out-syncobj signals" },
	{ "exec-fill-copy", test_exec_fill_copy,
	  "FILL and COPY on the copy engine, checked from the CPU" },
	{ "exec-vector-add", test_exec_vector_add,
	  "VECTOR_ADD_U32 on the compute engine matches a CPU loop" },
	{ "exec-bad-engine", test_exec_bad_engine,
	  "a queue error bans the queue (guilty, -EIO); others go on" },
	{ "exec-ordering-point", test_exec_ordering_point,
	  "num_batch 0 signals after the queue's previous job" },
	{ "exec-many", test_exec_many,
	  "5000 jobs on one queue: the ring wraps, every timeline point signals" },
	{ "chain-syncobj", test_chain_syncobj,
	  "a job on another queue waits for an in-syncobj" },
	{ "chain-timeline", test_chain_timeline,
	  "a job waits for timeline point 2 of another queue" },
	{ "chain-sync-file-fork", test_chain_sync_file_fork,
	  "sync_file out, passed to another process, sync_file in" },
	{ "bypass-and-queued", test_bypass_and_queued,
	  "no deps: bypass path; an unsignalled in-sync: the queued path" },
	{ "priority-realtime", test_priority_realtime,
	  "a realtime queue overtakes a normal one on a loaded engine" },
	{ "job-timeout", test_job_timeout,
	  "a hung job is reset by the timeout: -ETIMEDOUT, banned+reset+guilty, -EIO for WAIT_USER_FENCE" },
	{ "destroy-inflight", test_destroy_inflight,
	  "QUEUE_DESTROY with a hung job returns at once, fences get -ECANCELED" },
	{ "kill-process", test_kill_process,
	  "SIGKILL mid-submission leaves no queue behind" },
	{ "unbind-busy", test_unbind_busy,
	  "unbinding the device signals outstanding fences with -ENODEV; rebind works" },
	{ "ufence-ops", test_ufence_ops,
	  "every compare op and the mask, on a value the GPU wrote" },
	{ "ufence-sync", test_ufence_sync,
	  "an EXEC user-fence out-sync wakes the waiter" },
	{ "ufence-timeout", test_ufence_timeout,
	  "relative and absolute timeouts end with -ETIME" },
	{ "ufence-restart", test_ufence_restart,
	  "a signal returns -EINTR with the remaining timeout written back" },
	{ "ufence-invalid", test_ufence_invalid,
	  "bad op, flags, alignment, pad, reserved, queue (another file's too), address" },
	{ "ufence-no-storm", test_ufence_no_storm,
	  "jobs of another file or queue wake no parked WAIT_USER_FENCE waiter; a user fence wakes all on its address" },
	{ "exec-invalid", test_exec_invalid,
	  "bad queue, bind queue, flags, WAIT, num_batch, address, syncs" },
	{ "lr-queue", test_lr_queue,
	  "LR: only user fences go out, a full ring is -EWOULDBLOCK" },
	{ "forged-completion", test_forged_completion,
	  "a batch's FENCE, or stores over the top of the VM, fail its queue; a busy full LR queue completes nothing early" },
	{ "exec-max-jobs", test_exec_max_jobs,
	  "a queue holding max_jobs_per_queue jobs refuses EXEC with -EWOULDBLOCK, changing nothing" },
	{ "per-file-limits", test_per_file_limits,
	  "an unprivileged file at max_vms_per_file and max_queues_per_file gets -EMFILE; another user still works" },
	{ "fdinfo", test_fdinfo,
	  "drm-engine-compute counts a job's busy time" },
	{ "implicit-sync-prime", test_implicit_sync_prime,
	  "an importer's job waits for the exporter's through the dma-resv; EXPORT_SYNC_FILE" },
	{ "implicit-sync-import", test_implicit_sync_import,
	  "a sw_sync fence imported into a shared BO holds back every VM mapping it" },
	{ "private-no-implicit", test_private_no_implicit,
	  "a VM without shared BOs ignores another VM's shared BO's fences" },
};

IGT_LITE_MAIN("pvgpu_exec", subtests)
