// SPDX-License-Identifier: MIT
/*
 * pvgpu_vm: VMs (VM_CREATE, VM_DESTROY, VM_GET_STATE), VM_BIND's argument
 * checking, its synchronous and asynchronous modes, bind queues and their
 * ordering, restart safety of a waiting bind, unusable VMs (through the
 * driver's fault-injection hook fail_vm_bind, a fault_attr in debugfs:
 * skipped in a kernel without CONFIG_FAULT_INJECTION_DEBUG_FS) and
 * teardown with work pending. Whether
 * the GPU sees the right data is pvgpu_vm_bind's business.
 *
 * Pending fences come from sw_sync (debugfs sync/sw_sync, CONFIG_SW_SYNC):
 * a sync_file imported into a syncobj is an in-sync that signals when the
 * test says so. Subtests that need it skip without it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>

#include "igt_lite.h"
#include "pvgpu_test.h"
#include "libpvgpu.h"
#include "pvgpu_gpu.h"
#include "pvgpu_pt_format.h"

#define SZ_4K	0x1000ull
#define SZ_64K	0x10000ull
#define SZ_2M	0x200000ull
#define BASE_VA	0x10000000ull
#define SZ_1G	0x40000000ull
#define NOBODY	65534

/* ---- helpers ---------------------------------------------------------- */

static int open_render(void)
{
	return igt_open_pvgpu_render(NULL, 0);
}

static uint32_t va_bits(int fd)
{
	return pvgpu_test_query_device(fd).va_bits;
}

static uint64_t user_end(int fd)
{
	return DRM_PVGPU_USER_VA_END(va_bits(fd));
}

static bool device_page_faults(int fd)
{
	return pvgpu_test_query_device(fd).flags & DRM_PVGPU_DEVICE_PAGE_FAULTS;
}

static uint32_t vm_create(int fd, uint32_t flags)
{
	uint32_t id = 0;

	igt_assert_err(pvgpu_vm_create(fd, flags, &id), 0);
	igt_assert_neq(id, 0);
	return id;
}

static struct drm_pvgpu_vm_get_state vm_state(int fd, uint32_t vm)
{
	struct drm_pvgpu_vm_get_state s;

	igt_assert_err(pvgpu_vm_get_state(fd, vm, &s), 0);
	return s;
}

static uint64_t num_mappings(int fd, uint32_t vm)
{
	return vm_state(fd, vm).num_mappings;
}

static uint32_t bo_create(int fd, uint64_t size)
{
	uint32_t h;

	igt_assert_err(pvgpu_bo_create(fd, size, 0, &h), 0);
	return h;
}

/* Raw VM_BIND (no EINTR retry): 0 or -errno. */
static int vm_bind_raw(int fd, struct drm_pvgpu_vm_bind *b)
{
	return raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_BIND, b);
}

static int bind_ops(int fd, uint32_t vm, uint32_t queue,
		    const struct drm_pvgpu_vm_bind_op *ops, uint32_t n,
		    const struct drm_pvgpu_sync *syncs, uint32_t num_syncs,
		    uint32_t flags)
{
	struct drm_pvgpu_vm_bind b = {
		.vm_id = vm, .queue_id = queue,
		.num_binds = n, .binds = (uintptr_t)ops,
		.num_syncs = num_syncs, .syncs = (uintptr_t)syncs,
		.flags = flags,
	};

	return vm_bind_raw(fd, &b);
}

static struct drm_pvgpu_vm_bind_op op_map(uint32_t h, uint64_t off,
					  uint64_t addr, uint64_t range)
{
	struct drm_pvgpu_vm_bind_op o = {
		.op = DRM_PVGPU_VM_BIND_OP_MAP, .handle = h,
		.obj_offset = off, .addr = addr, .range = range,
	};
	return o;
}

static struct drm_pvgpu_vm_bind_op op_unmap(uint64_t addr, uint64_t range)
{
	struct drm_pvgpu_vm_bind_op o = {
		.op = DRM_PVGPU_VM_BIND_OP_UNMAP, .addr = addr, .range = range,
	};
	return o;
}

static uint32_t syncobj(int fd)
{
	uint32_t h;

	igt_assert_err(pvgpu_syncobj_create(fd, 0, &h), 0);
	return h;
}

/* 1: signalled, 0: not yet. */
static int syncobj_signalled(int fd, uint32_t h)
{
	int ret = pvgpu_syncobj_wait(fd, h, 0, 0);

	if (ret == -ETIME)
		return 0;
	igt_assert_err(ret, 0);
	return 1;
}

/* The status of a syncobj's fence: 1 signalled OK, <0 its error, 0 not. */
static int syncobj_fence_status(int fd, uint32_t h)
{
	struct drm_syncobj_handle a = {
		.handle = h,
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
		.fd = -1,
	};
	struct sync_file_info info = {};
	int ret;

	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &a), 0);
	ret = raw_ioctl(a.fd, SYNC_IOC_FILE_INFO, &info);
	close(a.fd);
	igt_assert_err(ret, 0);
	return info.status;
}

/* ---- sw_sync: fences the test signals --------------------------------- */

static int sw_timeline(void)
{
	char dir[256];

	/* Mounts debugfs if needed. */
	igt_pvgpu_debugfs_dir(dir, sizeof(dir));
	return sw_sync_timeline();
}

/* A syncobj whose fence signals when sw_sync_inc() reaches @value. */
static uint32_t sw_syncobj(int fd, int tl, uint32_t value)
{
	int fence = sw_sync_fence(tl, value);
	struct drm_syncobj_handle a = {
		.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE,
	};

	a.handle = syncobj(fd);
	a.fd = fence;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &a), 0);
	close(fence);
	return a.handle;
}

/* ---- debugfs ---------------------------------------------------------- */

static void debugfs_path(char *out, size_t len, const char *name)
{
	char dir[200];

	igt_pvgpu_debugfs_dir(dir, sizeof(dir));
	snprintf(out, len, "%s/%s", dir, name);
}





/* The device's address spaces, shared by every file. */
static unsigned int device_asids(void)
{
	return igt_pvgpu_fw_cap("max_address_spaces");
}

/*
 * The VMs one file may hold (docs/driver.rst): max_vms_per_file, 0 meaning
 * a quarter of the device's address spaces (at least one).
 */
static unsigned int vms_per_file(void)
{
	unsigned long long p = igt_pvgpu_param("max_vms_per_file");
	unsigned int quarter = device_asids() / 4;

	return p ? p : (quarter ? quarter : 1);
}

/*
 * The next @n bind jobs with an operation fail at execution (the driver's
 * fault-injection hook fail_vm_bind); skips without the hook.
 */
static void inject_bind_fail(int n)
{
	igt_pvgpu_fault_inject("fail_vm_bind", n);
}

/* VMs listed by debugfs "vms" (every file's). */
static int debugfs_num_vms(void)
{
	char path[256], line[512];
	FILE *f;
	int n = 0;

	debugfs_path(path, sizeof(path), "vms");
	f = fopen(path, "r");
	igt_require_f(f, "no %s\n", path);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "vm asid", 7))
			n++;
	fclose(f);
	return n;
}

/*
 * VMs of earlier subtests go asynchronously: wait up to 30 s for none to be
 * left, then return the count.
 */
static int settled_num_vms(void)
{
	uint64_t end = igt_nsec_now() + 30000000000ull;

	while (debugfs_num_vms() && igt_nsec_now() < end)
		usleep(10000);
	return debugfs_num_vms();
}

/* Teardown is asynchronous: wait up to 30 s for the count to reach @n. */
static void wait_num_vms(int n)
{
	uint64_t end = igt_nsec_now() + 30000000000ull;

	while (debugfs_num_vms() != n && igt_nsec_now() < end)
		usleep(10000);
	igt_assert_eq(debugfs_num_vms(), n);
}

/* ---- VM objects ------------------------------------------------------- */

static void test_create_destroy(void)
{
	int fd = open_render();
	struct drm_pvgpu_vm_get_state s;
	uint32_t a = vm_create(fd, 0), b = vm_create(fd, 0);

	igt_assert_neq(a, b);
	s = vm_state(fd, a);
	igt_assert_eq(s.state, DRM_PVGPU_VM_STATE_USABLE);
	igt_assert_eq(s.error, 0);
	igt_assert_eq(s.num_mappings, 0);

	igt_assert_err(pvgpu_vm_destroy(fd, a), 0);
	igt_assert_err(pvgpu_vm_get_state(fd, a, &s), -ENOENT);
	igt_assert_err(pvgpu_vm_destroy(fd, a), -ENOENT);
	igt_assert_err(pvgpu_vm_destroy(fd, 0), -ENOENT);
	igt_assert_err(pvgpu_vm_get_state(fd, 0xdead, &s), -ENOENT);
	/* b is untouched. */
	igt_assert_eq(vm_state(fd, b).state, DRM_PVGPU_VM_STATE_USABLE);
	igt_assert_err(pvgpu_vm_destroy(fd, b), 0);

	/* Ids are per file: this file has none left. */
	{
		int fd2 = open_render();
		uint32_t c = vm_create(fd2, 0);

		igt_assert_err(pvgpu_vm_get_state(fd, c, &s), -ENOENT);
		igt_assert_err(pvgpu_vm_destroy(fd, c), -ENOENT);
		igt_assert_err(pvgpu_vm_destroy(fd2, c), 0);
		close(fd2);
	}
	close(fd);
}

static void test_create_flags(void)
{
	int fd = open_render();
	bool faults = device_page_faults(fd);
	struct drm_pvgpu_vm_create c;
	uint32_t id;

	id = vm_create(fd, DRM_PVGPU_VM_CREATE_LR);
	igt_assert_err(pvgpu_vm_destroy(fd, id), 0);

	memset(&c, 0, sizeof(c));
	c.flags = DRM_PVGPU_VM_CREATE_LR | DRM_PVGPU_VM_CREATE_FAULT_MODE;
	c.vm_id = 0x5a5a;
	if (faults) {
		igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_CREATE, &c), 0);
		igt_assert_err(pvgpu_vm_destroy(fd, c.vm_id), 0);
	} else {
		igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_CREATE, &c),
			       -EOPNOTSUPP);
		igt_assert_eq(c.vm_id, 0x5a5a);
	}

	/* Fault mode needs LR. */
	memset(&c, 0, sizeof(c));
	c.flags = DRM_PVGPU_VM_CREATE_FAULT_MODE;
	c.vm_id = 0x5a5a;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_CREATE, &c), -EINVAL);
	igt_assert_eq(c.vm_id, 0x5a5a);

	/* Every unknown flag. */
	for (int bit = 2; bit < 32; bit++) {
		memset(&c, 0, sizeof(c));
		c.flags = 1u << bit;
		igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_CREATE, &c),
			       -EINVAL);
		c.flags |= DRM_PVGPU_VM_CREATE_LR;
		igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_CREATE, &c),
			       -EINVAL);
	}

	memset(&c, 0, sizeof(c));
	c.extensions = 1;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_CREATE, &c), -EINVAL);
	close(fd);
}

static void test_invalid_args(void)
{
	int fd = open_render();
	uint32_t vm = vm_create(fd, 0);
	struct drm_pvgpu_vm_destroy d = { .vm_id = vm, .pad = 1 };
	struct drm_pvgpu_vm_get_state s = { .vm_id = vm, .pad = 1 };

	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_DESTROY, &d), -EINVAL);
	d.pad = 0;
	d.extensions = 1;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_DESTROY, &d), -EINVAL);
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_GET_STATE, &s),
		       -EINVAL);
	s.pad = 0;
	s.extensions = 1;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_GET_STATE, &s),
		       -EINVAL);
	/* Still there. */
	igt_assert_eq(vm_state(fd, vm).state, DRM_PVGPU_VM_STATE_USABLE);
	igt_assert_err(pvgpu_vm_destroy(fd, vm), 0);
	close(fd);
}

/*
 * The device's address spaces run out (-ENOSPC) only across files: one
 * file stops at its limit (-EMFILE), so as many files as it takes fill
 * the device. A destroyed VM's asid is free again at once; closing a
 * file frees all of its.
 */
static void test_asid_exhaustion(void)
{
	unsigned int total = device_asids(), per = vms_per_file();
	int fds[1100], nfd = 0, held = 0, n = 0, ret = 0, full_fd = -1;
	uint32_t ids[1100], extra;

	igt_info("%u address spaces, %u per file\n", total, per);
	igt_assert_lt(total, 1100);
	/* Every file takes VMs until its limit or the device's. */
	while (full_fd < 0) {
		igt_assert_lt(nfd, 1100);
		fds[nfd] = open_render();
		for (n = 0;; n++, held++) {
			igt_assert_lt(held, 1100);
			ret = pvgpu_vm_create(fds[nfd], n & 1 ?
					      DRM_PVGPU_VM_CREATE_LR : 0,
					      &ids[held]);
			if (ret)
				break;
		}
		if (ret == -EMFILE) {
			igt_assert_eq(n, per);
		} else {
			igt_assert_err(ret, -ENOSPC);
			igt_assert_lt(n, per);
			full_fd = fds[nfd];
		}
		nfd++;
	}
	igt_info("%d VMs in %d files before -ENOSPC\n", held, nfd);
	/* The device's asids limit the total, nothing else. */
	igt_assert_eq(held, total);
	igt_assert_err(pvgpu_vm_create(full_fd, DRM_PVGPU_VM_CREATE_LR, &extra),
		       -ENOSPC);

	/* A destroyed VM's address space is free again at once. */
	igt_assert_err(pvgpu_vm_destroy(fds[0], ids[0]), 0);
	igt_assert_err(pvgpu_vm_create(full_fd, 0, &extra), 0);
	/* (At its limit now, the file's own -EMFILE comes first.) */
	igt_assert_err(pvgpu_vm_create(full_fd, 0, &extra),
		       full_fd != fds[0] && n + 1 == (int)per ?
		       -EMFILE : -ENOSPC);

	/* Closing the files frees them all. */
	for (int i = 0; i < nfd; i++)
		close(fds[i]);
	fds[0] = open_render();
	for (unsigned int i = 0; i < per && i < total; i++)
		igt_assert_err(pvgpu_vm_create(fds[0], 0, &ids[i]), 0);
	close(fds[0]);
}

/* The last point submitted on a timeline syncobj. */
static uint64_t timeline_last_submitted(int fd, uint32_t h)
{
	uint64_t point = 0;
	struct drm_syncobj_timeline_array a = {
		.handles = (uintptr_t)&h,
		.points = (uintptr_t)&point,
		.count_handles = 1,
		.flags = DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED,
	};

	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_QUERY, &a), 0);
	return point;
}

static void drop_privileges(uid_t uid)
{
	igt_assert_eq(setgroups(0, NULL), 0);
	igt_assert_eq(setresgid(uid, uid, uid), 0);
	igt_assert_eq(setresuid(uid, uid, uid), 0);
}

struct per_file_arg {
	int fd;
	unsigned int per;
};

/*
 * As nobody: take every VM file A may hold (-EMFILE beyond). A VM kept
 * alive by a queue after VM_DESTROY still holds its address space and
 * counts; once the queue is gone the next VM_CREATE waits for the VM's
 * teardown and gets its place.
 */
static void per_file_user_a(int idx, void *arg)
{
	struct per_file_arg *a = arg;
	uint32_t ids[1100], q, extra;
	unsigned int n;
	int ret;

	(void)idx;
	drop_privileges(NOBODY);
	for (n = 0;; n++) {
		igt_assert_lte(n, a->per);
		ret = pvgpu_vm_create(a->fd, n & 1 ? DRM_PVGPU_VM_CREATE_LR : 0,
				      &ids[n]);
		if (ret)
			break;
	}
	igt_assert_err(ret, -EMFILE);
	igt_assert_eq(n, a->per);

	igt_assert_err(pvgpu_queue_create(a->fd, ids[0],
					  DRM_PVGPU_ENGINE_CLASS_VM_BIND, 0, 0,
					  &q), 0);
	igt_assert_err(pvgpu_vm_destroy(a->fd, ids[0]), 0);
	igt_assert_err(pvgpu_vm_create(a->fd, 0, &extra), -EMFILE);
	igt_assert_err(pvgpu_queue_destroy(a->fd, q), 0);
	igt_assert_err(pvgpu_vm_create(a->fd, 0, &ids[0]), 0);
	igt_assert_err(pvgpu_vm_create(a->fd, 0, &extra), -EMFILE);
}

/* Another user, file B: VMs, a queue and binds work. */
static void per_file_user_b(int idx, void *arg)
{
	struct per_file_arg *b = arg;
	uint32_t vm, q;

	(void)idx;
	drop_privileges(NOBODY - 1);
	igt_assert_err(pvgpu_vm_create(b->fd, 0, &vm), 0);
	igt_assert_err(pvgpu_queue_create(b->fd, vm,
					  DRM_PVGPU_ENGINE_CLASS_COPY, 0, 0, &q),
		       0);
	igt_assert_err(pvgpu_bind_null(b->fd, vm, BASE_VA, SZ_2M), 0);
	igt_assert_eq(num_mappings(b->fd, vm), 1);
	igt_assert_err(pvgpu_queue_destroy(b->fd, q), 0);
	igt_assert_err(pvgpu_vm_destroy(b->fd, vm), 0);
}

/*
 * An unprivileged user's file holds at most max_vms_per_file VMs
 * (-EMFILE), so while it holds them all another user's file still gets
 * address spaces.
 */
static void test_vm_per_file_limit(void)
{
	unsigned int per = vms_per_file(), total = device_asids();
	struct per_file_arg a = { .per = per }, b = { .per = per };

	igt_require_f(per < total,
		      "max_vms_per_file %u is not below the device's %u\n",
		      per, total);
	igt_info("%u address spaces, %u per file\n", total, per);
	a.fd = open_render();
	b.fd = open_render();
	igt_fork(per_file_user_a, 0, &a);
	igt_waitchildren();
	/* File A keeps its VMs: they are the file's, not the process's. */
	igt_fork(per_file_user_b, 0, &b);
	igt_waitchildren();
	close(a.fd);
	close(b.fd);
}

/*
 * Bind jobs reserve their page tables when they are submitted: async MAPs
 * queued behind an unsignalled fence reach the VM's vm_pt_max_mb before
 * any of them ran (-ENOSPC, nothing queued); once they ran, each gave back
 * what it did not use.
 */
static void test_pt_limit_queued(void)
{
	int fd = open_render(), tl = sw_timeline();
	unsigned int per = PVGPU_PT_LEVELS(va_bits(fd)) - 1;
	unsigned int max_tables = 0x100000 / 8192;	/* 1 MiB at 8 KiB */
	struct drm_pvgpu_sync syncs[2];
	struct drm_pvgpu_vm_bind_op op;
	uint32_t vm, h, out = syncobj(fd);
	unsigned int n;
	int ret = 0;

	igt_pvgpu_param("vm_pt_max_mb");
	igt_pvgpu_param_set("vm_pt_max_mb", 1);
	vm = vm_create(fd, 0);
	igt_pvgpu_param_restore();	/* the VM took it at creation */
	h = bo_create(fd, SZ_4K);
	syncs[0] = pvgpu_sync_syncobj(sw_syncobj(fd, tl, 1), 0);
	for (n = 0; n < max_tables; n++) {
		op = op_map(h, 0, (n + 1) * SZ_1G, SZ_4K);
		syncs[1] = pvgpu_sync_timeline(out, n + 1, 1);
		ret = bind_ops(fd, vm, 0, &op, 1, syncs, 2, 0);
		if (ret)
			break;
	}
	igt_info("%u MAPs queued (%u tables each) within %u tables\n", n,
		 per, max_tables);
	igt_assert_err(ret, -ENOSPC);
	/* The root table, and a worst-case reservation per queued job. */
	igt_assert_eq(n, (max_tables - 1) / per);
	igt_assert_eq(num_mappings(fd, vm), 0);

	sw_sync_inc(tl, 1);
	igt_assert_err(pvgpu_syncobj_wait(fd, out, n, 60 * 1000000000ll), 0);
	igt_assert_eq(num_mappings(fd, vm), n);
	/* Only what the tree holds counts now: there is room again. */
	igt_assert_err(pvgpu_bind_map(fd, vm, h, 0, (n + 1) * SZ_1G, SZ_4K, 0),
		       0);
	igt_assert_eq(num_mappings(fd, vm), n + 1);
	pvgpu_vm_destroy(fd, vm);
	close(tl);
	close(fd);
}

/*
 * A bind queue holds at most max_jobs_per_queue jobs not completed:
 * beyond, VM_BIND is -EWOULDBLOCK with nothing changed, while another
 * bind queue of the VM works; once the jobs ran there is room again.
 */
static void test_bind_queue_max_jobs(void)
{
	int fd = open_render(), tl = sw_timeline();
	unsigned long long max = igt_pvgpu_param("max_jobs_per_queue"), n;
	struct drm_pvgpu_sync syncs[2];
	uint32_t vm, q, h, out = syncobj(fd);
	int ret = 0;

	/* Keep the test short; a bound of 0 is none. */
	if (!max || max > 8192) {
		igt_pvgpu_param_set("max_jobs_per_queue", 1024);
		max = 1024;
	}
	vm = vm_create(fd, 0);
	h = bo_create(fd, SZ_4K);
	syncs[0] = pvgpu_sync_syncobj(sw_syncobj(fd, tl, 1), 0);
	for (n = 0; n <= max; n++) {
		syncs[1] = pvgpu_sync_timeline(out, n + 1, 1);
		ret = bind_ops(fd, vm, 0, NULL, 0, syncs, 2, 0);
		if (ret)
			break;
	}
	igt_assert_err(ret, -EWOULDBLOCK);
	igt_assert_eq(n, max);
	/* The failed call published nothing. */
	igt_assert_eq(timeline_last_submitted(fd, out), max);

	/* Another bind queue is not held up. */
	igt_assert_err(pvgpu_queue_create(fd, vm, DRM_PVGPU_ENGINE_CLASS_VM_BIND,
					  0, 0, &q), 0);
	{
		struct drm_pvgpu_vm_bind_op op = op_map(h, 0, BASE_VA, SZ_4K);

		igt_assert_err(bind_ops(fd, vm, q, &op, 1, NULL, 0,
					DRM_PVGPU_VM_BIND_WAIT), 0);
	}
	igt_assert_eq(num_mappings(fd, vm), 1);

	sw_sync_inc(tl, 1);
	igt_assert_err(pvgpu_syncobj_wait(fd, out, max, 60 * 1000000000ll), 0);
	igt_assert_err(bind_ops(fd, vm, 0, NULL, 0, NULL, 0,
				DRM_PVGPU_VM_BIND_WAIT), 0);
	pvgpu_queue_destroy(fd, q);
	pvgpu_vm_destroy(fd, vm);
	close(tl);
	close(fd);
}

static void test_file_close(void)
{
	int base, fd;
	uint32_t bo, vm;
	void *mem;

	fd = open_render();
	base = settled_num_vms();
	bo = bo_create(fd, SZ_2M);
	mem = mmap(NULL, SZ_64K, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(mem != MAP_FAILED);
	memset(mem, 1, SZ_64K);

	for (int i = 0; i < 8; i++) {
		vm = vm_create(fd, i & 1 ? DRM_PVGPU_VM_CREATE_LR : 0);
		igt_assert_err(pvgpu_bind_map(fd, vm, bo, 0, BASE_VA, SZ_2M, 0),
			       0);
		igt_assert_err(pvgpu_bind_map(fd, vm, bo, SZ_64K,
					      BASE_VA + SZ_64K, SZ_64K, 0), 0);
		igt_assert_err(pvgpu_bind_userptr(fd, vm, mem, 4 * SZ_2M,
						  SZ_64K, 0), 0);
		igt_assert_err(pvgpu_bind_null(fd, vm, 8 * SZ_2M, SZ_2M), 0);
		igt_assert_eq(num_mappings(fd, vm), 5);
	}
	igt_assert_eq(debugfs_num_vms(), base + 8);
	close(fd);
	wait_num_vms(base);
	munmap(mem, SZ_64K);
}

/* ---- VM_BIND arguments ------------------------------------------------ */

struct bad_op {
	const char *what;
	struct drm_pvgpu_vm_bind_op op;
	int err;
};

static void test_bind_invalid_ops(void)
{
	int fd = open_render();
	uint64_t end = user_end(fd);
	uint32_t vm = vm_create(fd, 0);
	uint32_t bo = bo_create(fd, SZ_64K);
	uint32_t other;
	int fd2 = open_render();
	static char unaligned_mem[SZ_4K * 2];
	const uint32_t MAP = DRM_PVGPU_VM_BIND_OP_MAP;
	const uint32_t UNMAP = DRM_PVGPU_VM_BIND_OP_UNMAP;
	const uint32_t ALL = DRM_PVGPU_VM_BIND_OP_UNMAP_ALL;
	const uint32_t UPTR = DRM_PVGPU_VM_BIND_OP_MAP_USERPTR;
	void *hole;
	struct bad_op *t;
	size_t n;

	/* A handle of another file is no object of this one. */
	other = bo_create(fd2, SZ_64K * 4);
	while (other == bo)
		other = bo_create(fd2, SZ_64K * 4);

	hole = mmap(NULL, SZ_64K, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		    0);
	igt_assert(hole != MAP_FAILED);
	munmap(hole, SZ_64K);

	struct bad_op tests[] = {
		{ "unknown op", { .op = 4, .handle = bo, .addr = BASE_VA, .range = SZ_4K }, -EINVAL },
		{ "unknown op ~0", { .op = ~0u, .addr = BASE_VA, .range = SZ_4K }, -EINVAL },
		{ "unknown flag", { .op = MAP, .flags = 1u << 2, .handle = bo, .addr = BASE_VA, .range = SZ_4K }, -EINVAL },
		{ "pad", { .op = MAP, .handle = bo, .pad = 1, .addr = BASE_VA, .range = SZ_4K }, -EINVAL },
		{ "reserved0", { .op = MAP, .handle = bo, .addr = BASE_VA, .range = SZ_4K, .reserved = { 1, 0 } }, -EINVAL },
		{ "reserved1", { .op = MAP, .handle = bo, .addr = BASE_VA, .range = SZ_4K, .reserved = { 0, 1 } }, -EINVAL },
		{ "map range 0", { .op = MAP, .handle = bo, .addr = BASE_VA }, -EINVAL },
		{ "map unaligned addr", { .op = MAP, .handle = bo, .addr = BASE_VA + 8, .range = SZ_4K }, -EINVAL },
		{ "map unaligned range", { .op = MAP, .handle = bo, .addr = BASE_VA, .range = 100 }, -EINVAL },
		{ "map unaligned offset", { .op = MAP, .handle = bo, .obj_offset = 512, .addr = BASE_VA, .range = SZ_4K }, -EINVAL },
		{ "map past object", { .op = MAP, .handle = bo, .obj_offset = SZ_4K, .addr = BASE_VA, .range = SZ_64K }, -EINVAL },
		{ "map offset past object", { .op = MAP, .handle = bo, .obj_offset = SZ_64K, .addr = BASE_VA, .range = SZ_4K }, -EINVAL },
		{ "map offset overflow", { .op = MAP, .handle = bo, .obj_offset = ~0xfffull, .addr = BASE_VA, .range = SZ_4K }, -EINVAL },
		{ "map in kernel range", { .op = MAP, .handle = bo, .addr = end, .range = SZ_4K }, -EINVAL },
		{ "map across user end", { .op = MAP, .handle = bo, .addr = end - SZ_4K, .range = 2 * SZ_4K }, -EINVAL },
		{ "map addr overflow", { .op = MAP, .handle = bo, .addr = ~0xfffull, .range = 2 * SZ_4K }, -EINVAL },
		{ "map with userptr", { .op = MAP, .handle = bo, .userptr = SZ_4K, .addr = BASE_VA, .range = SZ_4K }, -EINVAL },
		{ "map bad handle", { .op = MAP, .handle = 0xdead, .addr = BASE_VA, .range = SZ_4K }, -ENOENT },
		{ "map handle 0", { .op = MAP, .addr = BASE_VA, .range = SZ_4K }, -ENOENT },
		{ "map other file's handle", { .op = MAP, .handle = other, .addr = BASE_VA, .range = SZ_4K * 20 }, -ENOENT },
		{ "null with handle", { .op = MAP, .flags = DRM_PVGPU_VM_BIND_FLAG_NULL, .handle = bo, .addr = BASE_VA, .range = SZ_4K }, -EINVAL },
		{ "null with offset", { .op = MAP, .flags = DRM_PVGPU_VM_BIND_FLAG_NULL, .obj_offset = SZ_4K, .addr = BASE_VA, .range = SZ_4K }, -EINVAL },
		{ "unmap with handle", { .op = UNMAP, .handle = bo, .addr = BASE_VA, .range = SZ_4K }, -EINVAL },
		{ "unmap with offset", { .op = UNMAP, .obj_offset = SZ_4K, .addr = BASE_VA, .range = SZ_4K }, -EINVAL },
		{ "unmap with userptr", { .op = UNMAP, .userptr = SZ_4K, .addr = BASE_VA, .range = SZ_4K }, -EINVAL },
		{ "unmap with flag", { .op = UNMAP, .flags = DRM_PVGPU_VM_BIND_FLAG_READONLY, .addr = BASE_VA, .range = SZ_4K }, -EINVAL },
		{ "unmap range 0", { .op = UNMAP, .addr = BASE_VA }, -EINVAL },
		{ "unmap kernel range", { .op = UNMAP, .addr = end, .range = SZ_4K }, -EINVAL },
		{ "unmap_all with addr", { .op = ALL, .handle = bo, .addr = BASE_VA }, -EINVAL },
		{ "unmap_all with range", { .op = ALL, .handle = bo, .range = SZ_4K }, -EINVAL },
		{ "unmap_all with offset", { .op = ALL, .handle = bo, .obj_offset = SZ_4K }, -EINVAL },
		{ "unmap_all with flag", { .op = ALL, .handle = bo, .flags = DRM_PVGPU_VM_BIND_FLAG_NULL }, -EINVAL },
		{ "unmap_all bad handle", { .op = ALL, .handle = 0xdead }, -ENOENT },
		{ "userptr with handle", { .op = UPTR, .handle = bo, .userptr = (uintptr_t)unaligned_mem, .addr = BASE_VA, .range = SZ_4K }, -EINVAL },
		{ "userptr null flag", { .op = UPTR, .flags = DRM_PVGPU_VM_BIND_FLAG_NULL, .userptr = SZ_4K * 16, .addr = BASE_VA, .range = SZ_4K }, -EINVAL },
		{ "userptr unaligned", { .op = UPTR, .userptr = ((uintptr_t)unaligned_mem | 0xfff) + 1 + 8, .addr = BASE_VA, .range = SZ_4K }, -EINVAL },
		{ "userptr with offset", { .op = UPTR, .obj_offset = SZ_4K, .userptr = SZ_4K * 16, .addr = BASE_VA, .range = SZ_4K }, -EINVAL },
		{ "userptr unmapped", { .op = UPTR, .userptr = (uintptr_t)hole, .addr = BASE_VA, .range = SZ_64K }, -EFAULT },
		{ "userptr overflow", { .op = UPTR, .userptr = ~0xfffull, .addr = BASE_VA, .range = 2 * SZ_4K }, -EINVAL },
	};

	/* Something mapped, so "unchanged" means something. */
	igt_assert_err(pvgpu_bind_map(fd, vm, bo, 0, BASE_VA + SZ_2M, SZ_64K,
				      0), 0);
	n = sizeof(tests) / sizeof(tests[0]);
	for (t = tests; t < tests + n; t++) {
		int ret;

		ret = bind_ops(fd, vm, 0, &t->op, 1, NULL, 0,
			       DRM_PVGPU_VM_BIND_WAIT);
		igt_assert_f(ret == t->err, "%s: got %s, expected %s\n",
			     t->what, igt_errname(ret), igt_errname(t->err));
		ret = bind_ops(fd, vm, 0, &t->op, 1, NULL, 0, 0);
		igt_assert_f(ret == t->err, "%s (async): got %s, expected %s\n",
			     t->what, igt_errname(ret), igt_errname(t->err));
		igt_assert_eq(num_mappings(fd, vm), 1);
	}
	igt_assert_eq(vm_state(fd, vm).state, DRM_PVGPU_VM_STATE_USABLE);
	close(fd2);
	close(fd);
}

static void test_bind_invalid_args(void)
{
	int fd = open_render();
	uint32_t vm = vm_create(fd, 0), vm2 = vm_create(fd, 0);
	uint32_t bo = bo_create(fd, SZ_64K);
	struct drm_pvgpu_vm_bind_op op = op_map(bo, 0, BASE_VA, SZ_64K);
	struct drm_pvgpu_vm_bind_op *many;
	struct drm_pvgpu_sync syncs[DRM_PVGPU_MAX_SYNCS + 1];
	struct drm_pvgpu_vm_bind b;
	uint32_t q2, s = syncobj(fd);
	int ret;

#define BIND(field, val, err)	do {					\
		memset(&b, 0, sizeof(b));					\
		b.vm_id = vm; b.num_binds = 1; b.binds = (uintptr_t)&op;	\
		b.flags = DRM_PVGPU_VM_BIND_WAIT;				\
		b.field = val;							\
		igt_assert_f((ret = vm_bind_raw(fd, &b)) == (err),		\
			     #field "=" #val ": %s\n", igt_errname(ret));	\
		igt_assert_eq(num_mappings(fd, vm), 0);				\
	} while (0)

	BIND(extensions, 1, -EINVAL);
	BIND(pad, 1, -EINVAL);
	BIND(reserved[0], 1, -EINVAL);
	BIND(reserved[1], 1, -EINVAL);
	BIND(flags, 2, -EINVAL);
	BIND(flags, 0x80000000u, -EINVAL);
	BIND(num_binds, DRM_PVGPU_MAX_BINDS + 1, -EINVAL);
	BIND(num_binds, ~0u, -EINVAL);
	BIND(num_syncs, DRM_PVGPU_MAX_SYNCS + 1, -EINVAL);
	BIND(vm_id, 0, -ENOENT);
	BIND(vm_id, 0xdead, -ENOENT);
	BIND(queue_id, 0xdead, -ENOENT);
	BIND(binds, 8, -EFAULT);

	/* A bad syncs pointer with syncs to read. */
	memset(&b, 0, sizeof(b));
	b.vm_id = vm; b.num_binds = 1; b.binds = (uintptr_t)&op;
	b.num_syncs = 1; b.syncs = 8;
	igt_assert_err(vm_bind_raw(fd, &b), -EFAULT);
	igt_assert_eq(num_mappings(fd, vm), 0);

	/* Sync errors. */
	memset(syncs, 0, sizeof(syncs));
	syncs[0].type = DRM_PVGPU_SYNC_SYNC_FILE;
	syncs[0].handle = 0;
	igt_assert_err(bind_ops(fd, vm, 0, &op, 1, syncs, 1, 0), -EINVAL);
	syncs[0] = pvgpu_sync_syncobj(0xdead, 1);
	igt_assert_err(bind_ops(fd, vm, 0, &op, 1, syncs, 1, 0), -ENOENT);
	/* A binary in-syncobj without a fence. */
	syncs[0] = pvgpu_sync_syncobj(s, 0);
	igt_assert_err(bind_ops(fd, vm, 0, &op, 1, syncs, 1, 0), -ENOENT);
	syncs[0] = pvgpu_sync_syncobj(s, 1);
	syncs[0].pad = 1;
	igt_assert_err(bind_ops(fd, vm, 0, &op, 1, syncs, 1, 0), -EINVAL);
	igt_assert_eq(num_mappings(fd, vm), 0);
	igt_assert_eq(syncobj_signalled(fd, s), 0);

	/* A queue of another VM, and an exec queue, are not bind queues. */
	if (pvgpu_queue_create(fd, vm2, DRM_PVGPU_ENGINE_CLASS_VM_BIND, 0, 0,
			       &q2) == 0) {
		BIND(queue_id, q2, -ENOENT);
		igt_assert_err(pvgpu_queue_destroy(fd, q2), 0);
		BIND(queue_id, q2, -ENOENT);
	}
	if (pvgpu_queue_create(fd, vm, DRM_PVGPU_ENGINE_CLASS_COPY, 0, 0,
			       &q2) == 0) {
		BIND(queue_id, q2, -ENOENT);
		igt_assert_err(pvgpu_queue_destroy(fd, q2), 0);
	}

	/* The last of many operations fails: none is applied. */
	many = calloc(DRM_PVGPU_MAX_BINDS, sizeof(*many));
	igt_assert(many);
	for (int i = 0; i < DRM_PVGPU_MAX_BINDS; i++)
		many[i] = op_map(bo, 0, BASE_VA + i * SZ_64K, SZ_64K);
	many[DRM_PVGPU_MAX_BINDS - 1].handle = 0xdead;
	igt_assert_err(bind_ops(fd, vm, 0, many, DRM_PVGPU_MAX_BINDS, NULL, 0,
				DRM_PVGPU_VM_BIND_WAIT), -ENOENT);
	igt_assert_eq(num_mappings(fd, vm), 0);
	many[DRM_PVGPU_MAX_BINDS - 1].handle = bo;
	many[DRM_PVGPU_MAX_BINDS - 1].range = 0;
	igt_assert_err(bind_ops(fd, vm, 0, many, DRM_PVGPU_MAX_BINDS, NULL, 0,
				0), -EINVAL);
	igt_assert_eq(num_mappings(fd, vm), 0);
	/* And all of them at once work. */
	many[DRM_PVGPU_MAX_BINDS - 1].range = SZ_64K;
	igt_assert_err(bind_ops(fd, vm, 0, many, DRM_PVGPU_MAX_BINDS, NULL, 0,
				DRM_PVGPU_VM_BIND_WAIT), 0);
	igt_assert_eq(num_mappings(fd, vm), DRM_PVGPU_MAX_BINDS);
	free(many);
	close(fd);
#undef BIND
}

/* ---- VM_BIND behaviour ------------------------------------------------ */

static void test_bind_sync_basic(void)
{
	int fd = open_render();
	uint32_t vm = vm_create(fd, 0);
	uint32_t bo = bo_create(fd, SZ_2M), bo2 = bo_create(fd, SZ_64K);
	void *mem = mmap(NULL, SZ_64K, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct drm_pvgpu_vm_bind_op ops[3];

	igt_assert(mem != MAP_FAILED);
	memset(mem, 0, SZ_64K);

	igt_assert_err(pvgpu_bind_map(fd, vm, bo, 0, BASE_VA, SZ_2M, 0), 0);
	igt_assert_eq(num_mappings(fd, vm), 1);
	/* A MAP in the middle splits it in three. */
	igt_assert_err(pvgpu_bind_map(fd, vm, bo2, 0, BASE_VA + SZ_64K, SZ_64K,
				      DRM_PVGPU_VM_BIND_FLAG_READONLY), 0);
	igt_assert_eq(num_mappings(fd, vm), 3);
	/* An UNMAP across the split points: head and tail pieces stay. */
	igt_assert_err(pvgpu_bind_unmap(fd, vm, BASE_VA + SZ_4K, SZ_64K * 2),
		       0);
	igt_assert_eq(num_mappings(fd, vm), 2);
	/* Nothing mapped there: fine. */
	igt_assert_err(pvgpu_bind_unmap(fd, vm, BASE_VA + SZ_4K, SZ_64K), 0);
	igt_assert_eq(num_mappings(fd, vm), 2);
	igt_assert_err(pvgpu_bind_unmap(fd, vm, 0, user_end(fd)), 0);
	igt_assert_eq(num_mappings(fd, vm), 0);

	/* NULL and userptr mappings, and the same range mapped again. */
	igt_assert_err(pvgpu_bind_null(fd, vm, BASE_VA, SZ_2M), 0);
	igt_assert_err(pvgpu_bind_null(fd, vm, BASE_VA, SZ_2M), 0);
	igt_assert_eq(num_mappings(fd, vm), 1);
	igt_assert_err(pvgpu_bind_userptr(fd, vm, mem, BASE_VA + SZ_2M, SZ_64K,
					  0), 0);
	igt_assert_err(pvgpu_bind_userptr(fd, vm, mem, BASE_VA + 2 * SZ_2M,
					  SZ_64K,
					  DRM_PVGPU_VM_BIND_FLAG_READONLY), 0);
	igt_assert_eq(num_mappings(fd, vm), 3);
	/* Partial unmap of a userptr keeps the rest. */
	igt_assert_err(pvgpu_bind_unmap(fd, vm, BASE_VA + SZ_2M + SZ_4K, SZ_4K),
		       0);
	igt_assert_eq(num_mappings(fd, vm), 4);
	munmap(mem, SZ_64K);	/* still pinned by the VM: harmless */

	/* UNMAP_ALL: every mapping of that object, none other. */
	igt_assert_err(pvgpu_bind_map(fd, vm, bo2, 0, 0x40000000, SZ_64K, 0),
		       0);
	igt_assert_err(pvgpu_bind_map(fd, vm, bo2, 0, 0x50000000, SZ_4K, 0), 0);
	igt_assert_err(pvgpu_bind_map(fd, vm, bo, 0, 0x60000000, SZ_4K, 0), 0);
	igt_assert_eq(num_mappings(fd, vm), 7);
	igt_assert_err(pvgpu_bind_unmap_all(fd, vm, bo2), 0);
	igt_assert_eq(num_mappings(fd, vm), 5);
	igt_assert_err(pvgpu_bind_unmap_all(fd, vm, bo2), 0);
	igt_assert_eq(num_mappings(fd, vm), 5);

	/* Several operations in one call apply in order. */
	ops[0] = op_map(bo, 0, 0x70000000, SZ_2M);
	ops[1] = op_unmap(0x70000000, SZ_64K);
	ops[2] = op_map(bo2, 0, 0x70000000, SZ_4K);
	igt_assert_err(bind_ops(fd, vm, 0, ops, 3, NULL, 0,
				DRM_PVGPU_VM_BIND_WAIT), 0);
	igt_assert_eq(num_mappings(fd, vm), 7);

	/* A closed handle: its mappings live on until unmapped. */
	igt_assert_err(pvgpu_gem_close(fd, bo), 0);
	igt_assert_eq(num_mappings(fd, vm), 7);
	igt_assert_err(pvgpu_vm_destroy(fd, vm), 0);
	close(fd);
}

static void test_bind_async_syncobj(void)
{
	int fd = open_render();
	uint32_t vm = vm_create(fd, 0);
	uint32_t bo = bo_create(fd, SZ_2M);
	uint32_t s = syncobj(fd), t;
	struct drm_pvgpu_vm_bind_op op = op_map(bo, 0, BASE_VA, SZ_2M);
	struct drm_pvgpu_sync sync = pvgpu_sync_syncobj(s, 1), ts[2];

	igt_assert_err(bind_ops(fd, vm, 0, &op, 1, &sync, 1, 0), 0);
	igt_assert_err(pvgpu_syncobj_wait(fd, s, 0, 5000000000ll), 0);
	igt_assert_eq(syncobj_fence_status(fd, s), 1);
	igt_assert_eq(num_mappings(fd, vm), 1);

	/* A timeline point as out-sync, then as in-sync of the next one. */
	igt_assert_err(pvgpu_syncobj_create(fd, 0, &t), 0);
	ts[0] = pvgpu_sync_timeline(t, 5, 1);
	op = op_unmap(BASE_VA, SZ_64K);
	igt_assert_err(bind_ops(fd, vm, 0, &op, 1, ts, 1, 0), 0);
	ts[0] = pvgpu_sync_timeline(t, 5, 0);
	ts[1] = pvgpu_sync_syncobj(s, 1);
	op = op_unmap(BASE_VA, SZ_2M);
	igt_assert_err(bind_ops(fd, vm, 0, &op, 1, ts, 2, 0), 0);
	igt_assert_err(pvgpu_syncobj_wait(fd, s, 0, 5000000000ll), 0);
	igt_assert_eq(num_mappings(fd, vm), 0);
	/* Timeline value 0 is invalid. */
	ts[0] = pvgpu_sync_timeline(t, 0, 1);
	igt_assert_err(bind_ops(fd, vm, 0, &op, 1, ts, 1, 0), -EINVAL);
	close(fd);
}

static void test_bind_lr_syncs(void)
{
	int fd = open_render();
	uint32_t vm = vm_create(fd, DRM_PVGPU_VM_CREATE_LR);
	uint32_t bo = bo_create(fd, SZ_64K), s = syncobj(fd), t = syncobj(fd);
	struct drm_pvgpu_vm_bind_op op = op_map(bo, 0, BASE_VA, SZ_64K);
	struct drm_pvgpu_sync sync = pvgpu_sync_syncobj(s, 1);
	static uint64_t ufence __attribute__((aligned(8)));

	igt_assert_err(bind_ops(fd, vm, 0, &op, 1, &sync, 1, 0), -EINVAL);
	sync = pvgpu_sync_timeline(t, 1, 1);
	igt_assert_err(bind_ops(fd, vm, 0, &op, 1, &sync, 1, 0), -EINVAL);
	igt_assert_eq(num_mappings(fd, vm), 0);
	igt_assert_eq(syncobj_signalled(fd, s), 0);

	/* A user fence is fine. */
	ufence = 0;
	sync = pvgpu_sync_user_fence(&ufence, 42);
	igt_assert_err(bind_ops(fd, vm, 0, &op, 1, &sync, 1, 0), 0);
	igt_assert_err(pvgpu_wait_user_fence(fd, &ufence,
					     DRM_PVGPU_UFENCE_OP_EQ, 42, ~0ull,
					     5000000000ll, 0), 0);
	igt_assert_eq(num_mappings(fd, vm), 1);
	close(fd);
}

static void test_bind_queues_ordering(void)
{
	int fd = open_render(), tl = sw_timeline();
	uint32_t vm = vm_create(fd, 0), qa, qb;
	uint32_t bo = bo_create(fd, SZ_64K);
	uint32_t in = sw_syncobj(fd, tl, 1);
	uint32_t sa = syncobj(fd), sa2 = syncobj(fd), sb = syncobj(fd);
	struct drm_pvgpu_vm_bind_op op;
	struct drm_pvgpu_sync syncs[2];
	int ret;

	ret = pvgpu_queue_create(fd, vm, DRM_PVGPU_ENGINE_CLASS_VM_BIND, 0, 0,
				 &qa);
	igt_require_f(ret == 0, "bind queues: %s\n", igt_errname(ret));
	igt_assert_err(pvgpu_queue_create(fd, vm,
					  DRM_PVGPU_ENGINE_CLASS_VM_BIND, 0, 0,
					  &qb), 0);

	/* A1 waits for the sw_sync fence; A2 (no in-sync) waits for A1. */
	op = op_map(bo, 0, BASE_VA, SZ_64K);
	syncs[0] = pvgpu_sync_syncobj(in, 0);
	syncs[1] = pvgpu_sync_syncobj(sa, 1);
	igt_assert_err(bind_ops(fd, vm, qa, &op, 1, syncs, 2, 0), 0);
	op = op_unmap(BASE_VA, SZ_4K);
	syncs[0] = pvgpu_sync_syncobj(sa2, 1);
	igt_assert_err(bind_ops(fd, vm, qa, &op, 1, syncs, 1, 0), 0);

	/* B runs meanwhile, synchronously even. */
	op = op_map(bo, 0, BASE_VA + SZ_2M, SZ_64K);
	syncs[0] = pvgpu_sync_syncobj(sb, 1);
	igt_assert_err(bind_ops(fd, vm, qb, &op, 1, syncs, 1, 0), 0);
	igt_assert_err(pvgpu_syncobj_wait(fd, sb, 0, 5000000000ll), 0);
	igt_assert_err(pvgpu_bind_map(fd, vm, bo, 0, BASE_VA + 2 * SZ_2M,
				      SZ_64K, 0), 0);
	usleep(100000);
	igt_assert_eq(syncobj_signalled(fd, sa), 0);
	igt_assert_eq(syncobj_signalled(fd, sa2), 0);
	igt_assert_eq(num_mappings(fd, vm), 2);

	/* Release A1: A1 then A2 run, in order. */
	sw_sync_inc(tl, 1);
	igt_assert_err(pvgpu_syncobj_wait(fd, sa2, 0, 5000000000ll), 0);
	igt_assert_eq(syncobj_signalled(fd, sa), 1);
	/* A1's map then A2's unmap of its first page: split in two. */
	igt_assert_eq(num_mappings(fd, vm), 3);

	igt_assert_err(pvgpu_queue_destroy(fd, qa), 0);
	igt_assert_err(pvgpu_queue_destroy(fd, qb), 0);
	close(tl);
	close(fd);
}

static void test_bind_zero_ops(void)
{
	int fd = open_render(), tl = sw_timeline();
	uint32_t vm = vm_create(fd, 0);
	uint32_t bo = bo_create(fd, SZ_64K);
	uint32_t in = sw_syncobj(fd, tl, 1), s1 = syncobj(fd), s2 = syncobj(fd);
	struct drm_pvgpu_vm_bind_op op = op_map(bo, 0, BASE_VA, SZ_64K);
	struct drm_pvgpu_sync syncs[2];

	/* No operation, no sync: a no-op that works, also with WAIT. */
	igt_assert_err(bind_ops(fd, vm, 0, NULL, 0, NULL, 0, 0), 0);
	igt_assert_err(bind_ops(fd, vm, 0, NULL, 0, NULL, 0,
				DRM_PVGPU_VM_BIND_WAIT), 0);

	/* A map held back by the sw fence, then an ordering point. */
	syncs[0] = pvgpu_sync_syncobj(in, 0);
	igt_assert_err(bind_ops(fd, vm, 0, &op, 1, syncs, 1, 0), 0);
	syncs[0] = pvgpu_sync_syncobj(s1, 1);
	igt_assert_err(bind_ops(fd, vm, 0, NULL, 0, syncs, 1, 0), 0);
	usleep(100000);
	igt_assert_eq(syncobj_signalled(fd, s1), 0);
	igt_assert_eq(num_mappings(fd, vm), 0);
	sw_sync_inc(tl, 1);
	igt_assert_err(pvgpu_syncobj_wait(fd, s1, 0, 5000000000ll), 0);
	/* The ordering point signalled after the map completed. */
	igt_assert_eq(num_mappings(fd, vm), 1);

	/* Ordering point with an in-sync only: forwards it. */
	syncs[0] = pvgpu_sync_syncobj(s1, 0);
	syncs[1] = pvgpu_sync_syncobj(s2, 1);
	igt_assert_err(bind_ops(fd, vm, 0, NULL, 0, syncs, 2, 0), 0);
	igt_assert_err(pvgpu_syncobj_wait(fd, s2, 0, 5000000000ll), 0);
	close(tl);
	close(fd);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void set_alarm_handler(bool restart)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	igt_assert_err(sigaction(SIGALRM, &sa, NULL), 0);
}

static void start_alarms(long usec)
{
	struct itimerval it = {
		.it_value = { .tv_usec = usec },
		.it_interval = { .tv_usec = usec },
	};

	alarms = 0;
	igt_assert_err(setitimer(ITIMER_REAL, &it, NULL), 0);
}

static void stop_alarms(void)
{
	struct itimerval it = {};

	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_IGN);
}

static void stop_alarms_handler(int sig)
{
	(void)sig;
	stop_alarms();
}

struct delayed_inc {
	int tl;
	long usec;
};

static void *delayed_inc_thread(void *arg)
{
	struct delayed_inc *d = arg;

	usleep(d->usec);
	sw_sync_inc(d->tl, 1);
	return NULL;
}

static void test_bind_wait_interrupted(void)
{
	int fd = open_render(), tl = sw_timeline();
	uint32_t vm = vm_create(fd, 0);
	uint32_t bo = bo_create(fd, SZ_64K);
	uint32_t in = sw_syncobj(fd, tl, 1), out = syncobj(fd);
	struct drm_pvgpu_vm_bind_op op = op_map(bo, 0, BASE_VA, SZ_64K);
	struct drm_pvgpu_sync syncs[2] = {
		pvgpu_sync_syncobj(in, 0), pvgpu_sync_syncobj(out, 1),
	};
	struct delayed_inc d = { .tl = tl, .usec = 300000 };
	pthread_t thr;
	int ret;

	igt_install_exit_handler(stop_alarms_handler);

	/* Without SA_RESTART: -EINTR, and nothing happened. */
	set_alarm_handler(false);
	start_alarms(50000);
	ret = bind_ops(fd, vm, 0, &op, 1, syncs, 2, DRM_PVGPU_VM_BIND_WAIT);
	stop_alarms();
	igt_assert_err(ret, -EINTR);
	igt_assert_gt(alarms, 0);
	igt_assert_eq(num_mappings(fd, vm), 0);
	igt_assert_eq(syncobj_signalled(fd, out), 0);

	/* A later job on the same queue is not blocked by the interrupted one. */
	igt_assert_err(pvgpu_bind_map(fd, vm, bo, 0, BASE_VA + SZ_2M, SZ_64K,
				      0), 0);
	igt_assert_eq(num_mappings(fd, vm), 1);

	/* With SA_RESTART: restarts until the in-sync signals, then binds. */
	set_alarm_handler(true);
	igt_assert_err(pthread_create(&thr, NULL, delayed_inc_thread, &d), 0);
	start_alarms(20000);
	ret = bind_ops(fd, vm, 0, &op, 1, syncs, 2, DRM_PVGPU_VM_BIND_WAIT);
	stop_alarms();
	pthread_join(thr, NULL);
	igt_assert_err(ret, 0);
	igt_assert_gt(alarms, 1);
	igt_assert_eq(num_mappings(fd, vm), 2);
	igt_assert_eq(syncobj_signalled(fd, out), 1);
	close(tl);
	close(fd);
}

static void test_bind_unusable_vm(void)
{
	int fd = open_render();
	uint32_t vm = vm_create(fd, 0), vm2 = vm_create(fd, 0);
	uint32_t bo = bo_create(fd, SZ_2M), s = syncobj(fd), s2 = syncobj(fd);
	struct drm_pvgpu_vm_bind_op op = op_map(bo, 0, BASE_VA, SZ_64K);
	struct drm_pvgpu_sync sync = pvgpu_sync_syncobj(s, 1);
	struct drm_pvgpu_vm_get_state st;
	uint32_t eq, q;

	igt_assert_err(pvgpu_bind_map(fd, vm, bo, 0, BASE_VA + SZ_2M, SZ_2M, 0),
		       0);
	igt_assert_err(pvgpu_queue_create(fd, vm, DRM_PVGPU_ENGINE_CLASS_COPY,
					  0, 0, &eq), 0);
	igt_assert_err(pvgpu_exec(fd, eq, 0, NULL, 0), 0);

	igt_emit_ignore_dmesg_regex("unusable");
	inject_bind_fail(1);
	/* Asynchronous: the ioctl succeeds, the job fails. */
	igt_assert_err(bind_ops(fd, vm, 0, &op, 1, &sync, 1, 0), 0);
	igt_assert_err(pvgpu_syncobj_wait(fd, s, 0, 5000000000ll), 0);
	igt_assert_eq(syncobj_fence_status(fd, s), -EIO);

	st = vm_state(fd, vm);
	igt_assert_eq(st.state, DRM_PVGPU_VM_STATE_UNUSABLE);
	igt_assert_eq(st.error, -EIO);

	/* No new work: EXEC and exec queues refused, bind queues still come. */
	igt_assert_err(pvgpu_exec(fd, eq, 0, NULL, 0), -ECANCELED);
	igt_assert_err(pvgpu_queue_create(fd, vm, DRM_PVGPU_ENGINE_CLASS_COPY,
					  0, 0, &q), -ECANCELED);
	igt_assert_err(pvgpu_queue_create(fd, vm, DRM_PVGPU_ENGINE_CLASS_VM_BIND,
					  0, 0, &q), 0);
	igt_assert_err(pvgpu_queue_destroy(fd, q), 0);
	igt_assert_err(pvgpu_queue_destroy(fd, eq), 0);

	/* MAP refused, UNMAP still works, the state stays. */
	igt_assert_err(pvgpu_bind_map(fd, vm, bo, 0, BASE_VA + 8 * SZ_2M,
				      SZ_64K, 0), -ECANCELED);
	igt_assert_err(pvgpu_bind_null(fd, vm, BASE_VA + 8 * SZ_2M, SZ_64K),
		       -ECANCELED);
	igt_assert_err(pvgpu_bind_unmap(fd, vm, BASE_VA + SZ_2M, SZ_2M), 0);
	igt_assert_err(pvgpu_bind_unmap_all(fd, vm, bo), 0);
	igt_assert_eq(num_mappings(fd, vm), 0);
	sync = pvgpu_sync_syncobj(s2, 1);
	igt_assert_err(bind_ops(fd, vm, 0, NULL, 0, &sync, 1, 0), 0);
	igt_assert_err(pvgpu_syncobj_wait(fd, s2, 0, 5000000000ll), 0);
	st = vm_state(fd, vm);
	igt_assert_eq(st.state, DRM_PVGPU_VM_STATE_UNUSABLE);
	igt_assert_eq(st.error, -EIO);

	/* Other VMs are fine. */
	igt_assert_err(pvgpu_bind_map(fd, vm2, bo, 0, BASE_VA, SZ_64K, 0), 0);
	igt_assert_eq(vm_state(fd, vm2).state, DRM_PVGPU_VM_STATE_USABLE);

	/* A synchronous bind that fails reports the job's error. */
	inject_bind_fail(1);
	igt_assert_err(pvgpu_bind_map(fd, vm2, bo, 0, BASE_VA + SZ_2M, SZ_64K,
				      0), -EIO);
	igt_assert_eq(vm_state(fd, vm2).state, DRM_PVGPU_VM_STATE_UNUSABLE);

	igt_assert_err(pvgpu_vm_destroy(fd, vm), 0);
	igt_assert_err(pvgpu_vm_destroy(fd, vm2), 0);
	close(fd);
}

static void test_destroy_pending_binds(void)
{
	int fd = open_render(), tl = sw_timeline();
	int base = settled_num_vms();
	uint32_t vm = vm_create(fd, 0), q;
	uint32_t bo = bo_create(fd, SZ_2M);
	uint32_t in = sw_syncobj(fd, tl, 1), s1 = syncobj(fd), s2 = syncobj(fd);
	struct drm_pvgpu_vm_bind_op op = op_map(bo, 0, BASE_VA, SZ_2M);
	struct drm_pvgpu_sync syncs[2] = {
		pvgpu_sync_syncobj(in, 0), pvgpu_sync_syncobj(s1, 1),
	};
	bool have_q;

	igt_assert_err(bind_ops(fd, vm, 0, &op, 1, syncs, 2, 0), 0);
	have_q = pvgpu_queue_create(fd, vm, DRM_PVGPU_ENGINE_CLASS_VM_BIND,
				    0, 0, &q) == 0;
	if (have_q) {
		syncs[1] = pvgpu_sync_syncobj(s2, 1);
		op = op_map(bo, 0, BASE_VA + SZ_2M * 4, SZ_2M);
		igt_assert_err(bind_ops(fd, vm, q, &op, 1, syncs, 2, 0), 0);
		/* The queue's id goes, its pending job stays. */
		igt_assert_err(pvgpu_queue_destroy(fd, q), 0);
		igt_assert_err(bind_ops(fd, vm, q, &op, 1, NULL, 0, 0), -ENOENT);
	}
	igt_assert_err(pvgpu_vm_destroy(fd, vm), 0);
	igt_assert_err(bind_ops(fd, vm, 0, &op, 1, NULL, 0, 0), -ENOENT);
	usleep(50000);
	igt_assert_eq(syncobj_signalled(fd, s1), 0);
	igt_assert_eq(debugfs_num_vms(), base + 1);

	/* The pending binds run, then the VM goes. */
	sw_sync_inc(tl, 1);
	igt_assert_err(pvgpu_syncobj_wait(fd, s1, 0, 5000000000ll), 0);
	igt_assert_eq(syncobj_fence_status(fd, s1), 1);
	if (have_q) {
		igt_assert_err(pvgpu_syncobj_wait(fd, s2, 0, 5000000000ll), 0);
		igt_assert_eq(syncobj_fence_status(fd, s2), 1);
	}
	wait_num_vms(base);
	close(tl);
	close(fd);
}

static void test_close_pending_binds(void)
{
	int fd = open_render(), fd2 = open_render(), tl = sw_timeline();
	int base = settled_num_vms();
	uint32_t vm = vm_create(fd, 0);
	uint32_t bo = bo_create(fd, SZ_2M);
	uint32_t in = sw_syncobj(fd, tl, 1);
	struct drm_pvgpu_vm_bind_op op = op_map(bo, 0, BASE_VA, SZ_2M);
	struct drm_pvgpu_sync sync = pvgpu_sync_syncobj(in, 0);

	for (int i = 0; i < 16; i++) {
		op.addr = BASE_VA + i * SZ_2M;
		igt_assert_err(bind_ops(fd, vm, 0, &op, 1, &sync, 1, 0), 0);
	}
	close(fd);
	usleep(50000);
	igt_assert_eq(debugfs_num_vms(), base + 1);
	sw_sync_inc(tl, 1);
	wait_num_vms(base);
	/* The device still works. */
	vm = vm_create(fd2, 0);
	igt_assert_err(pvgpu_vm_destroy(fd2, vm), 0);
	close(tl);
	close(fd2);
}

/* ---- unbind with VMs alive ------------------------------------------- */

#define PVGPU_DRIVER_DIR	"/sys/bus/pci/drivers/pvgpu"

static char pci_slot[64];

static void rebind(int sig)
{
	char path[256];

	(void)sig;
	snprintf(path, sizeof(path), PVGPU_DRIVER_DIR "/%s", pci_slot);
	if (pci_slot[0] && access(path, F_OK))
		igt_sysfs_write(PVGPU_DRIVER_DIR "/bind", pci_slot);
}

static void test_unbind_with_vms(void)
{
	char node[256], link[512], target[512];
	int fd, tl = -1, n;
	uint32_t vm, bo, in = 0, out = 0;
	struct drm_pvgpu_vm_bind_op op;
	struct drm_pvgpu_sync syncs[2];
	struct drm_pvgpu_vm_get_state st;
	void *mem;

	fd = igt_open_pvgpu_render(node, sizeof(node));
	snprintf(link, sizeof(link), "/sys/class/drm/%s/device",
		 strrchr(node, '/') + 1);
	n = readlink(link, target, sizeof(target) - 1);
	igt_require_f(n > 0, "no %s\n", link);
	target[n] = 0;
	snprintf(pci_slot, sizeof(pci_slot), "%s", strrchr(target, '/') + 1);
	igt_require(access(PVGPU_DRIVER_DIR "/unbind", W_OK) == 0);
	if (access("/sys/kernel/debug/sync/sw_sync", R_OK) == 0)
		tl = sw_timeline();

	mem = mmap(NULL, SZ_64K, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(mem != MAP_FAILED);
	memset(mem, 1, SZ_64K);
	bo = bo_create(fd, SZ_2M);
	for (int i = 0; i < 3; i++) {
		vm = vm_create(fd, 0);
		igt_assert_err(pvgpu_bind_map(fd, vm, bo, 0, BASE_VA, SZ_2M, 0),
			       0);
		igt_assert_err(pvgpu_bind_userptr(fd, vm, mem, 4 * SZ_2M,
						  SZ_64K, 0), 0);
		igt_assert_err(pvgpu_bind_null(fd, vm, 8 * SZ_2M, SZ_2M), 0);
	}
	if (tl >= 0) {
		/* A bind still waiting when the device goes. */
		in = sw_syncobj(fd, tl, 1);
		out = syncobj(fd);
		syncs[0] = pvgpu_sync_syncobj(in, 0);
		syncs[1] = pvgpu_sync_syncobj(out, 1);
		op = op_map(bo, 0, 16 * SZ_2M, SZ_2M);
		igt_assert_err(bind_ops(fd, vm, 0, &op, 1, syncs, 2, 0), 0);
	}

	igt_install_exit_handler(rebind);
	igt_assert_err(igt_sysfs_write(PVGPU_DRIVER_DIR "/unbind", pci_slot),
		       0);
	igt_assert_err(pvgpu_vm_get_state(fd, vm, &st), -ENODEV);
	igt_assert_err(pvgpu_vm_create(fd, 0, &vm), -ENODEV);
	if (tl >= 0) {
		/* The pending bind runs and fails: no firmware any more. */
		sw_sync_inc(tl, 1);
		igt_assert_err(pvgpu_syncobj_wait(fd, out, 0, 10000000000ll),
			       -ENODEV);
		close(tl);
	}
	close(fd);
	munmap(mem, SZ_64K);

	/* The device comes back and works. */
	igt_assert_err(igt_sysfs_write(PVGPU_DRIVER_DIR "/bind", pci_slot), 0);
	fd = open_render();
	vm = vm_create(fd, 0);
	bo = bo_create(fd, SZ_64K);
	igt_assert_err(pvgpu_bind_map(fd, vm, bo, 0, BASE_VA, SZ_64K, 0), 0);
	igt_assert_eq(num_mappings(fd, vm), 1);
	close(fd);
}

/* Whether kmemleak reports an object allocated by pvgpu code. */
static bool kmemleak_pvgpu(void)
{
	char line[512];
	bool found = false;
	FILE *f;

	igt_assert_err(igt_sysfs_write("/sys/kernel/debug/kmemleak", "scan"), 0);
	f = fopen("/sys/kernel/debug/kmemleak", "r");
	igt_assert(f);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "pvgpu")) {
			igt_info("kmemleak: %s", line);
			found = true;
		}
	}
	fclose(f);
	return found;
}

static void test_kmemleak(void)
{
	int fd, tl = -1, base;
	uint32_t vm, bo, q, in = 0;
	struct drm_pvgpu_sync sync;
	struct drm_pvgpu_vm_bind_op op;
	void *mem;

	igt_require_f(access("/sys/kernel/debug/kmemleak", W_OK) == 0,
		      "no kmemleak\n");
	/* Forget what was reported before. */
	igt_sysfs_write("/sys/kernel/debug/kmemleak", "scan");
	igt_sysfs_write("/sys/kernel/debug/kmemleak", "clear");

	fd = open_render();
	base = settled_num_vms();
	if (access("/sys/kernel/debug/sync/sw_sync", R_OK) == 0)
		tl = sw_timeline();
	mem = mmap(NULL, SZ_64K, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(mem != MAP_FAILED);
	memset(mem, 1, SZ_64K);
	bo = bo_create(fd, SZ_2M);
	for (int i = 0; i < 4; i++) {
		vm = vm_create(fd, i & 1 ? DRM_PVGPU_VM_CREATE_LR : 0);
		igt_assert_err(pvgpu_bind_map(fd, vm, bo, 0, BASE_VA, SZ_2M, 0),
			       0);
		igt_assert_err(pvgpu_bind_unmap(fd, vm, BASE_VA + SZ_64K,
						SZ_64K), 0);
		igt_assert_err(pvgpu_bind_userptr(fd, vm, mem, 4 * SZ_2M,
						  SZ_64K, 0), 0);
		igt_assert_err(pvgpu_bind_null(fd, vm, 8 * SZ_2M, SZ_2M), 0);
		if (pvgpu_queue_create(fd, vm, DRM_PVGPU_ENGINE_CLASS_VM_BIND,
				       0, 0, &q) == 0 && tl >= 0) {
			/* A job still pending when the file closes. */
			in = sw_syncobj(fd, tl, i + 1);
			sync = pvgpu_sync_syncobj(in, 0);
			op = op_map(bo, 0, 16 * SZ_2M, SZ_2M);
			igt_assert_err(bind_ops(fd, vm, q, &op, 1, &sync, 1, 0),
				       0);
		}
		if (i & 2)
			igt_assert_err(pvgpu_vm_destroy(fd, vm), 0);
	}
	close(fd);
	if (tl >= 0) {
		for (int i = 0; i < 4; i++)
			sw_sync_inc(tl, 1);
		close(tl);
	}
	wait_num_vms(base);
	munmap(mem, SZ_64K);
	/* kmemleak only reports objects a few seconds old. */
	sleep(6);
	igt_assert(!kmemleak_pvgpu());
}

static const struct igt_lite_subtest subtests[] = {
	{ "vm-create-destroy", test_create_destroy,
	  "create, state, destroy; -ENOENT for unknown and destroyed ids" },
	{ "vm-create-flags", test_create_flags,
	  "LR, LR|FAULT_MODE (or -EOPNOTSUPP), FAULT_MODE alone and unknown flags -EINVAL" },
	{ "vm-invalid-args", test_invalid_args,
	  "pad and extensions of VM_DESTROY and VM_GET_STATE are -EINVAL" },
	{ "vm-asid-exhaustion", test_asid_exhaustion,
	  "files take VMs until -EMFILE, then -ENOSPC; destroying one makes room for one; close frees all" },
	{ "vm-per-file-limit", test_vm_per_file_limit,
	  "an unprivileged file stops at max_vms_per_file (-EMFILE) while another user's file still gets VMs" },
	{ "vm-pt-limit-queued", test_pt_limit_queued,
	  "async binds queued behind a fence reserve their page tables: -ENOSPC at vm_pt_max_mb before any ran" },
	{ "bind-queue-max-jobs", test_bind_queue_max_jobs,
	  "a bind queue holding max_jobs_per_queue jobs refuses more with -EWOULDBLOCK, another queue works" },
	{ "vm-file-close", test_file_close,
	  "a file closed with mapped VMs leaves no VM behind" },
	{ "bind-invalid-ops", test_bind_invalid_ops,
	  "every malformed operation fails with its errno and changes nothing" },
	{ "bind-invalid-args", test_bind_invalid_args,
	  "malformed VM_BIND arguments and syncs fail, a late failure applies nothing" },
	{ "bind-sync-basic", test_bind_sync_basic,
	  "MAP/UNMAP/NULL/USERPTR/UNMAP_ALL with WAIT: split and merge counts" },
	{ "bind-async-syncobj", test_bind_async_syncobj,
	  "asynchronous binds signal binary and timeline out-syncobjs" },
	{ "bind-lr-syncs", test_bind_lr_syncs,
	  "an LR VM refuses syncobj out-syncs and takes user fences" },
	{ "bind-queues-ordering", test_bind_queues_ordering,
	  "jobs of one bind queue run in order, another queue is not held up" },
	{ "bind-zero-ops", test_bind_zero_ops,
	  "num_binds 0 is an ordering point" },
	{ "bind-wait-interrupted", test_bind_wait_interrupted,
	  "a WAIT bind interrupted before commit is -EINTR and changes nothing; SA_RESTART completes it" },
	{ "bind-unusable-vm", test_bind_unusable_vm,
	  "a failed asynchronous bind makes the VM unusable: -ECANCELED maps, EXECs and exec queue creation, working unmaps and bind queues, error in the fence" },
	{ "vm-destroy-pending-binds", test_destroy_pending_binds,
	  "VM and bind queue destroyed with binds pending: they run, then the VM goes" },
	{ "vm-close-pending-binds", test_close_pending_binds,
	  "file closed with binds pending: they run, then the VM goes" },
	{ "vm-unbind-with-vms", test_unbind_with_vms,
	  "unbind the device with VMs, mappings and a pending bind: they go, the rebound device works" },
	{ "vm-kmemleak", test_kmemleak,
	  "VMs with every kind of mapping, pending binds and bind queues leave nothing kmemleak finds" },
};

IGT_LITE_MAIN("pvgpu: VMs, VM_BIND and bind queues", subtests)
