// SPDX-License-Identifier: MIT
/*
 * pvgpu_sync: the syncs of VM_BIND and EXEC (struct drm_pvgpu_sync) and the
 * dependency queue behind them, seen from userspace: every -EINVAL/-ENOENT/
 * -EBADF/-EFAULT case of every field, a failing ioctl changing no sync,
 * VM_BIND with no operations as an ordering point (in-syncs, the queue's
 * order, out-syncobjs, timeline points, user fences), a pending in-fence
 * from sw_sync holding jobs back, EXEC ordering points with sync_file in
 * and out (an out fd exists only if the call succeeds, even when the copy
 * back faults), and the LR rule (only user fences go out). Also: a user fence's
 * address is not probed at parse (only its range is checked), the job
 * timeout is per job (a deep ring of short jobs is no hang), and a stalled
 * LR queue is queried from the firmware and left alone while it waits.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "igt_lite.h"
#include "pvgpu_test.h"
#include "libpvgpu.h"
#include "pvgpu_cmds.h"
#include "pvgpu_gpu.h"

#define NSEC_PER_MSEC 1000000ll
#define NSEC_PER_SEC 1000000000ll

/* ---- helpers ---------------------------------------------------------- */

/* VM_BIND on the default queue, no operations, the given syncs. */
static int bind_syncs(int fd, uint32_t vm, const struct drm_pvgpu_sync *s,
		      uint32_t n, uint32_t flags)
{
	struct drm_pvgpu_vm_bind b = {
		.vm_id = vm,
		.num_syncs = n,
		.syncs = (uintptr_t)s,
		.flags = flags,
	};

	return raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_BIND, &b);
}

static int bind_one_sync(int fd, uint32_t vm, struct drm_pvgpu_sync s)
{
	return bind_syncs(fd, vm, &s, 1, 0);
}

/* A render fd and a VM whose VM_BIND works, else the subtest fails. */
static int open_with_vm(uint32_t flags, uint32_t *vm)
{
	int fd = igt_open_pvgpu_render(NULL, 0);

	igt_assert_err(pvgpu_vm_create(fd, flags, vm), 0);
	igt_assert_err(bind_syncs(fd, *vm, NULL, 0, 0), 0);
	return fd;
}

static uint32_t syncobj(int fd, uint32_t flags)
{
	uint32_t h;

	igt_assert_err(pvgpu_syncobj_create(fd, flags, &h), 0);
	return h;
}

/* Whether a syncobj (point) has a signalled fence right now. */
static bool syncobj_signalled(int fd, uint32_t h, uint64_t point)
{
	return pvgpu_syncobj_wait(fd, h, point, 0) == 0;
}

static void wait_syncobj(int fd, uint32_t h, uint64_t point)
{
	igt_assert_err(pvgpu_syncobj_wait(fd, h, point, 10 * NSEC_PER_SEC), 0);
}

/* No fence in the syncobj at all (never submitted). */
static bool syncobj_empty(int fd, uint32_t h)
{
	struct drm_syncobj_handle a = {
		.handle = h,
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
	};

	/* Exporting a syncobj without fence as sync_file is -EINVAL. */
	if (raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &a) == 0) {
		close(a.fd);
		return false;
	}
	return true;
}

static bool wait_u64(volatile uint64_t *p, uint64_t v, int64_t timeout_ns)
{
	struct timespec ts = { 0, NSEC_PER_MSEC };
	int64_t waited = 0;

	while (*p != v && waited < timeout_ns) {
		nanosleep(&ts, NULL);
		waited += NSEC_PER_MSEC;
	}
	return *p == v;
}

/* Puts @sync_file's fence into binary syncobj @h. */
static void syncobj_import(int fd, uint32_t h, int sync_file)
{
	struct drm_syncobj_handle a = {
		.handle = h,
		.fd = sync_file,
		.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE,
	};

	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &a), 0);
}

static bool sync_file_signalled(int sf)
{
	struct pollfd p = { .fd = sf, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

/* ---- invalid syncs (VM_BIND) ------------------------------------------ */

static void test_invalid_count(void)
{
	struct drm_pvgpu_sync s[DRM_PVGPU_MAX_SYNCS + 1];
	uint32_t vm;
	int fd = open_with_vm(0, &vm);
	uint32_t h = syncobj(fd, 0);

	for (int i = 0; i <= DRM_PVGPU_MAX_SYNCS; i++)
		s[i] = pvgpu_sync_syncobj(h, 1);
	igt_assert_err(bind_syncs(fd, vm, s, DRM_PVGPU_MAX_SYNCS + 1, 0),
		       -EINVAL);
	igt_assert(syncobj_empty(fd, h));
	/* An unreadable array. */
	igt_assert_err(bind_syncs(fd, vm, (void *)8, 1, 0), -EFAULT);
	/* The maximum is fine: 64 out-syncs, all signal. */
	igt_assert_err(bind_syncs(fd, vm, s, DRM_PVGPU_MAX_SYNCS, 0), 0);
	wait_syncobj(fd, h, 0);
	close(fd);
}

static void test_invalid_fields(void)
{
	uint64_t ufence = 0;
	struct drm_pvgpu_sync s;
	uint32_t vm;
	int fd = open_with_vm(0, &vm);
	uint32_t h = syncobj(fd, 0);

	s = pvgpu_sync_syncobj(h, 1);
	s.flags |= 1u << 1;
	igt_assert_err(bind_one_sync(fd, vm, s), -EINVAL);
	s = pvgpu_sync_syncobj(h, 1);
	s.flags = ~0u;
	igt_assert_err(bind_one_sync(fd, vm, s), -EINVAL);
	s = pvgpu_sync_syncobj(h, 1);
	s.pad = 1;
	igt_assert_err(bind_one_sync(fd, vm, s), -EINVAL);
	s = pvgpu_sync_syncobj(h, 1);
	s.reserved[0] = 1;
	igt_assert_err(bind_one_sync(fd, vm, s), -EINVAL);
	s = pvgpu_sync_syncobj(h, 1);
	s.reserved[1] = 1;
	igt_assert_err(bind_one_sync(fd, vm, s), -EINVAL);
	/* Unknown types. */
	s = pvgpu_sync_syncobj(h, 1);
	s.type = 4;
	igt_assert_err(bind_one_sync(fd, vm, s), -EINVAL);
	s.type = ~0u;
	igt_assert_err(bind_one_sync(fd, vm, s), -EINVAL);
	/* Fields a binary syncobj does not use. */
	s = pvgpu_sync_syncobj(h, 1);
	s.addr = (uintptr_t)&ufence;
	igt_assert_err(bind_one_sync(fd, vm, s), -EINVAL);
	s = pvgpu_sync_syncobj(h, 1);
	s.timeline_value = 1;
	igt_assert_err(bind_one_sync(fd, vm, s), -EINVAL);
	/* SYNC_FILE is for EXEC only, in or out. */
	s = (struct drm_pvgpu_sync){ .type = DRM_PVGPU_SYNC_SYNC_FILE,
				     .flags = DRM_PVGPU_SYNC_SIGNAL };
	igt_assert_err(bind_one_sync(fd, vm, s), -EINVAL);
	s.flags = 0;
	s.handle = 0;
	igt_assert_err(bind_one_sync(fd, vm, s), -EINVAL);

	igt_assert(syncobj_empty(fd, h));
	close(fd);
}

static void test_invalid_timeline(void)
{
	struct drm_pvgpu_sync s;
	uint32_t vm;
	int fd = open_with_vm(0, &vm);
	uint32_t t = syncobj(fd, 0);

	/* Point 0, in and out. */
	s = pvgpu_sync_timeline(t, 0, 1);
	igt_assert_err(bind_one_sync(fd, vm, s), -EINVAL);
	s = pvgpu_sync_timeline(t, 0, 0);
	igt_assert_err(bind_one_sync(fd, vm, s), -EINVAL);
	s = pvgpu_sync_timeline(t, 1, 1);
	s.addr = 8;
	igt_assert_err(bind_one_sync(fd, vm, s), -EINVAL);
	/* A point never submitted is no fence to wait for. */
	s = pvgpu_sync_timeline(t, 1, 0);
	igt_assert_err(bind_one_sync(fd, vm, s), -ENOENT);
	igt_assert_err(pvgpu_syncobj_signal(fd, t, 2), 0);
	s = pvgpu_sync_timeline(t, 3, 0);
	igt_assert_err(bind_one_sync(fd, vm, s), -ENOENT);
	/* Submitted (and signalled) points are fine. */
	s = pvgpu_sync_timeline(t, 2, 0);
	igt_assert_err(bind_one_sync(fd, vm, s), 0);
	s = pvgpu_sync_timeline(t, 1, 0);
	igt_assert_err(bind_one_sync(fd, vm, s), 0);
	close(fd);
}

static void test_invalid_handles(void)
{
	struct drm_pvgpu_sync s;
	uint32_t vm;
	int fd = open_with_vm(0, &vm);
	uint32_t h = syncobj(fd, 0);
	uint32_t other_fd_h;
	int fd2 = igt_open_pvgpu_render(NULL, 0);

	other_fd_h = syncobj(fd2, 0);
	igt_assert_err(pvgpu_syncobj_destroy(fd, h), 0);

	/* A destroyed handle, in and out, binary and timeline. */
	igt_assert_err(bind_one_sync(fd, vm, pvgpu_sync_syncobj(h, 1)),
		       -ENOENT);
	igt_assert_err(bind_one_sync(fd, vm, pvgpu_sync_syncobj(h, 0)),
		       -ENOENT);
	igt_assert_err(bind_one_sync(fd, vm, pvgpu_sync_timeline(h, 1, 1)),
		       -ENOENT);
	igt_assert_err(bind_one_sync(fd, vm, pvgpu_sync_timeline(h, 1, 0)),
		       -ENOENT);
	igt_assert_err(bind_one_sync(fd, vm, pvgpu_sync_syncobj(0, 1)),
		       -ENOENT);
	/* Handles are per file. */
	s = pvgpu_sync_syncobj(other_fd_h, 1);
	if (other_fd_h != h)
		igt_assert_err(bind_one_sync(fd, vm, s), -ENOENT);
	/* A binary in-syncobj without fence. */
	h = syncobj(fd, 0);
	igt_assert_err(bind_one_sync(fd, vm, pvgpu_sync_syncobj(h, 0)),
		       -ENOENT);
	/* Signalled at creation: fine. */
	h = syncobj(fd, DRM_SYNCOBJ_CREATE_SIGNALED);
	igt_assert_err(bind_one_sync(fd, vm, pvgpu_sync_syncobj(h, 0)), 0);
	close(fd2);
	close(fd);
}

static void test_invalid_user_fence(void)
{
	uint64_t *ufence = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t *ro = mmap(NULL, 4096, PROT_READ,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct drm_pvgpu_sync s;
	uint32_t vm;
	int fd = open_with_vm(0, &vm);

	igt_assert(ufence != MAP_FAILED && ro != MAP_FAILED);
	/* Not as in-sync. */
	s = pvgpu_sync_user_fence(ufence, 1);
	s.flags = 0;
	igt_assert_err(bind_one_sync(fd, vm, s), -EINVAL);
	/* Unaligned. */
	for (int off = 1; off < 8; off++) {
		s = pvgpu_sync_user_fence(ufence, 1);
		s.addr += off;
		igt_assert_err(bind_one_sync(fd, vm, s), -EINVAL);
	}
	/* A handle it does not use. */
	s = pvgpu_sync_user_fence(ufence, 1);
	s.handle = 1;
	igt_assert_err(bind_one_sync(fd, vm, s), -EINVAL);
	/* Outside the user address space: -EFAULT. */
	s = pvgpu_sync_user_fence((uint64_t *)(uintptr_t)0xffff888000000000ull,
				  1);
	igt_assert_err(bind_one_sync(fd, vm, s), -EFAULT);
	s = pvgpu_sync_user_fence((uint64_t *)(uintptr_t)~7ull, 1);
	igt_assert_err(bind_one_sync(fd, vm, s), -EFAULT);
	/*
	 * Not probed: read-only, NULL and unmapped addresses are taken, and
	 * not written when the operation completes. A later user fence (same
	 * queue, so its fence signals after theirs) shows the queue went on.
	 */
	s = pvgpu_sync_user_fence(ro, 1);
	igt_assert_err(bind_one_sync(fd, vm, s), 0);
	s = pvgpu_sync_user_fence(NULL, 1);
	igt_assert_err(bind_one_sync(fd, vm, s), 0);
	s = pvgpu_sync_user_fence(&ufence[1], 2);
	igt_assert_err(bind_one_sync(fd, vm, s), 0);
	igt_assert(wait_u64(&ufence[1], 2, 10 * NSEC_PER_SEC));
	igt_assert_eq_u64(*ro, 0);
	igt_assert(munmap(ro, 4096) == 0);
	s = pvgpu_sync_user_fence(ro, 1);
	igt_assert_err(bind_one_sync(fd, vm, s), 0);
	s = pvgpu_sync_user_fence(&ufence[2], 3);
	igt_assert_err(bind_one_sync(fd, vm, s), 0);
	igt_assert(wait_u64(&ufence[2], 3, 10 * NSEC_PER_SEC));
	/* Nothing the failing ioctls named was written. */
	igt_assert_eq_u64(*ufence, 0);
	close(fd);
}

/*
 * Parse does not write the user fence's address: a value written there
 * after the ioctl (while the job waits for an in-fence) is not undone, and
 * only the fence's own write replaces it.
 */
static void test_user_fence_no_probe(void)
{
	uint64_t *ufence = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct drm_pvgpu_sync s[2];
	int timeline = sw_sync_timeline();
	uint32_t vm, h;
	int fd = open_with_vm(0, &vm);

	igt_assert(ufence != MAP_FAILED);
	h = syncobj(fd, 0);
	syncobj_import(fd, h, sw_sync_fence(timeline, 1));
	ufence[0] = 5;
	s[0] = pvgpu_sync_syncobj(h, 0);
	s[1] = pvgpu_sync_user_fence(&ufence[0], 9);
	igt_assert_err(bind_syncs(fd, vm, s, 2, 0), 0);
	/* The parse left it alone; the job has not run. */
	igt_assert_eq_u64(ufence[0], 5);
	ufence[0] = 6;
	usleep(50000);
	igt_assert_eq_u64(ufence[0], 6);
	sw_sync_inc(timeline, 1);
	igt_assert(wait_u64(&ufence[0], 9, 10 * NSEC_PER_SEC));
	close(timeline);
	close(fd);
}

/* A failing VM_BIND signals none of its valid out-syncs. */
static void test_error_changes_nothing(void)
{
	uint64_t *ufence = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct drm_pvgpu_sync s[4];
	uint32_t vm;
	int fd = open_with_vm(0, &vm);
	uint32_t h = syncobj(fd, 0), t = syncobj(fd, 0);

	igt_assert(ufence != MAP_FAILED);
	s[0] = pvgpu_sync_syncobj(h, 1);
	s[1] = pvgpu_sync_timeline(t, 5, 1);
	s[2] = pvgpu_sync_user_fence(ufence, 42);
	s[3] = pvgpu_sync_syncobj(h, 1);
	s[3].pad = 1;
	igt_assert_err(bind_syncs(fd, vm, s, 4, 0), -EINVAL);
	s[3] = pvgpu_sync_syncobj(h + t + 100, 0);
	igt_assert_err(bind_syncs(fd, vm, s, 4, 0), -ENOENT);
	/* An unknown VM_BIND flag, valid syncs. */
	igt_assert_err(bind_syncs(fd, vm, s, 3, 1u << 31), -EINVAL);

	usleep(100000);
	igt_assert(syncobj_empty(fd, h));
	igt_assert(syncobj_empty(fd, t));
	igt_assert_eq_u64(*ufence, 0);

	/* The same syncs, valid: now they all signal. */
	igt_assert_err(bind_syncs(fd, vm, s, 3, 0), 0);
	wait_syncobj(fd, h, 0);
	wait_syncobj(fd, t, 5);
	igt_assert(wait_u64(ufence, 42, 10 * NSEC_PER_SEC));
	close(fd);
}

/* ---- ordering points --------------------------------------------------- */

static void test_ordering_point(void)
{
	uint32_t vm;
	int fd = open_with_vm(0, &vm);
	uint32_t in = syncobj(fd, DRM_SYNCOBJ_CREATE_SIGNALED);
	uint32_t out = syncobj(fd, 0);
	struct drm_pvgpu_sync s[2] = {
		pvgpu_sync_syncobj(in, 0),
		pvgpu_sync_syncobj(out, 1),
	};

	igt_assert_err(bind_syncs(fd, vm, s, 2, 0), 0);
	wait_syncobj(fd, out, 0);

	/* WAIT mode: signalled by the time the ioctl returns. */
	igt_assert_err(pvgpu_syncobj_destroy(fd, out), 0);
	out = syncobj(fd, 0);
	s[1] = pvgpu_sync_syncobj(out, 1);
	igt_assert_err(bind_syncs(fd, vm, s, 2, DRM_PVGPU_VM_BIND_WAIT), 0);
	igt_assert(syncobj_signalled(fd, out, 0));

	/* The out-fence of one bind is the in-fence of the next. */
	for (int i = 0; i < 16; i++) {
		uint32_t next = syncobj(fd, 0);

		s[0] = pvgpu_sync_syncobj(out, 0);
		s[1] = pvgpu_sync_syncobj(next, 1);
		igt_assert_err(bind_syncs(fd, vm, s, 2, 0), 0);
		out = next;
	}
	wait_syncobj(fd, out, 0);
	close(fd);
}

static void test_timeline_points(void)
{
	uint64_t *ufence = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct drm_pvgpu_sync s[3];
	uint32_t vm;
	int fd = open_with_vm(0, &vm);
	uint32_t t = syncobj(fd, 0);
	uint64_t value = 0;
	struct drm_syncobj_timeline_array q = {
		.handles = (uintptr_t)&t,
		.points = (uintptr_t)&value,
		.count_handles = 1,
	};

	igt_assert(ufence != MAP_FAILED);
	s[0] = pvgpu_sync_timeline(t, 1, 1);
	igt_assert_err(bind_syncs(fd, vm, s, 1, 0), 0);
	/* Point 1 in, point 3 out, a user fence too. */
	s[0] = pvgpu_sync_timeline(t, 1, 0);
	s[1] = pvgpu_sync_timeline(t, 3, 1);
	s[2] = pvgpu_sync_user_fence(&ufence[1], 3);
	igt_assert_err(bind_syncs(fd, vm, s, 3, 0), 0);
	wait_syncobj(fd, t, 3);
	igt_assert(wait_u64(&ufence[1], 3, 10 * NSEC_PER_SEC));
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_QUERY, &q), 0);
	igt_assert_eq_u64(value, 3);
	/* Point 2 was never added: point 3 covers it. */
	wait_syncobj(fd, t, 2);
	/* Many points, one per bind, in and out on one timeline. */
	for (uint64_t p = 4; p < 36; p++) {
		s[0] = pvgpu_sync_timeline(t, p - 1, 0);
		s[1] = pvgpu_sync_timeline(t, p, 1);
		igt_assert_err(bind_syncs(fd, vm, s, 2, 0), 0);
	}
	wait_syncobj(fd, t, 35);
	close(fd);
}

static void test_user_fence(void)
{
	uint64_t *ufence = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct drm_pvgpu_sync s[8];
	uint32_t vm;
	int fd = open_with_vm(0, &vm);
	int ret;

	igt_assert(ufence != MAP_FAILED);
	for (int i = 0; i < 8; i++)
		s[i] = pvgpu_sync_user_fence(&ufence[i], 0x1234567890ull + i);
	igt_assert_err(bind_syncs(fd, vm, s, 8, 0), 0);
	for (int i = 0; i < 8; i++)
		igt_assert(wait_u64(&ufence[i], 0x1234567890ull + i,
				    10 * NSEC_PER_SEC));
	/* Bytes around the fences are untouched. */
	igt_assert_eq_u64(ufence[8], 0);

	/* WAIT_USER_FENCE wakes for it, where implemented. */
	s[0] = pvgpu_sync_user_fence(&ufence[9], 77);
	igt_assert_err(bind_syncs(fd, vm, s, 1, 0), 0);
	ret = pvgpu_wait_user_fence(fd, &ufence[9], DRM_PVGPU_UFENCE_OP_EQ, 77,
				    ~0ull, 10 * NSEC_PER_SEC, 0);
	if (ret != -EOPNOTSUPP)
		igt_assert_err(ret, 0);
	igt_assert(wait_u64(&ufence[9], 77, 10 * NSEC_PER_SEC));
	close(fd);
}

/* A pending in-fence holds its job and every later job of the queue. */
static void test_pending_in_fence(void)
{
	uint64_t *ufence = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct drm_pvgpu_sync s[3];
	uint32_t vm;
	int fd = open_with_vm(0, &vm);
	int tl = sw_sync_timeline();
	uint32_t in = syncobj(fd, 0), a = syncobj(fd, 0), b = syncobj(fd, 0);
	int sf = sw_sync_fence(tl, 1);

	igt_assert(ufence != MAP_FAILED);
	syncobj_import(fd, in, sf);
	close(sf);

	s[0] = pvgpu_sync_syncobj(in, 0);
	s[1] = pvgpu_sync_syncobj(a, 1);
	s[2] = pvgpu_sync_user_fence(ufence, 1);
	igt_assert_err(bind_syncs(fd, vm, s, 3, 0), 0);
	/* No in-sync, but behind the first job on the default queue. */
	s[0] = pvgpu_sync_syncobj(b, 1);
	s[1] = pvgpu_sync_user_fence(&ufence[1], 2);
	igt_assert_err(bind_syncs(fd, vm, s, 2, 0), 0);

	usleep(200000);
	igt_assert(!syncobj_signalled(fd, a, 0));
	igt_assert(!syncobj_signalled(fd, b, 0));
	igt_assert_eq_u64(ufence[0], 0);
	igt_assert_eq_u64(ufence[1], 0);

	sw_sync_inc(tl, 1);
	wait_syncobj(fd, a, 0);
	wait_syncobj(fd, b, 0);
	igt_assert(wait_u64(&ufence[0], 1, 10 * NSEC_PER_SEC));
	igt_assert(wait_u64(&ufence[1], 2, 10 * NSEC_PER_SEC));
	close(tl);
	close(fd);
}

/* Closing the file while jobs wait for a fence that never signals. */
static void test_close_with_pending(void)
{
	struct drm_pvgpu_sync s[2];
	uint32_t vm;
	int fd = open_with_vm(0, &vm);
	int tl = sw_sync_timeline();
	uint32_t in = syncobj(fd, 0), out = syncobj(fd, 0);
	int sf = sw_sync_fence(tl, 1);

	syncobj_import(fd, in, sf);
	s[0] = pvgpu_sync_syncobj(in, 0);
	s[1] = pvgpu_sync_syncobj(out, 1);
	for (int i = 0; i < 8; i++)
		igt_assert_err(bind_syncs(fd, vm, s, 2, 0), 0);
	/* The VM, its bind queue and 8 waiting jobs go with the file. */
	close(fd);
	/* The fence signals after everything was torn down. */
	usleep(100000);
	sw_sync_inc(tl, 1);
	igt_assert(sync_file_signalled(sf));
	close(sf);
	close(tl);
}

/* A WAIT bind interrupted while it waits for its in-fences. */
static void alarm_handler(int sig)
{
	(void)sig;
}

static void test_wait_interrupted(void)
{
	struct sigaction sa = { .sa_handler = alarm_handler };
	struct drm_pvgpu_sync s[2];
	uint32_t vm;
	int fd = open_with_vm(0, &vm);
	int tl = sw_sync_timeline();
	uint32_t in = syncobj(fd, 0), out = syncobj(fd, 0);
	int sf = sw_sync_fence(tl, 1);
	int ret;

	syncobj_import(fd, in, sf);
	close(sf);
	/* No SA_RESTART: the ioctl returns -EINTR. */
	igt_assert(sigaction(SIGALRM, &sa, NULL) == 0);
	s[0] = pvgpu_sync_syncobj(in, 0);
	s[1] = pvgpu_sync_syncobj(out, 1);
	alarm(1);
	ret = bind_syncs(fd, vm, s, 2, DRM_PVGPU_VM_BIND_WAIT);
	igt_assert_err(ret, -EINTR);
	/* Nothing committed. */
	igt_assert(syncobj_empty(fd, out));
	sw_sync_inc(tl, 1);
	igt_assert_err(bind_syncs(fd, vm, s, 2, DRM_PVGPU_VM_BIND_WAIT), 0);
	igt_assert(syncobj_signalled(fd, out, 0));
	close(tl);
	close(fd);
}

/* LR VMs: only user fences go out. */
static void test_lr(void)
{
	uint64_t *ufence = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t vm;
	int fd = open_with_vm(DRM_PVGPU_VM_CREATE_LR, &vm);
	uint32_t h = syncobj(fd, 0);
	uint32_t in = syncobj(fd, DRM_SYNCOBJ_CREATE_SIGNALED);

	igt_assert(ufence != MAP_FAILED);
	igt_assert_err(bind_one_sync(fd, vm, pvgpu_sync_syncobj(h, 1)),
		       -EINVAL);
	igt_assert_err(bind_one_sync(fd, vm, pvgpu_sync_timeline(h, 1, 1)),
		       -EINVAL);
	/* In-syncobjs are fine. */
	igt_assert_err(bind_one_sync(fd, vm, pvgpu_sync_syncobj(in, 0)), 0);
	igt_assert_err(bind_one_sync(fd, vm, pvgpu_sync_user_fence(ufence, 9)),
		       0);
	igt_assert(wait_u64(ufence, 9, 10 * NSEC_PER_SEC));
	igt_assert(syncobj_empty(fd, h));
	close(fd);
}

/* ---- EXEC ordering points: sync_file in and out ----------------------- */

static int exec_syncs(int fd, uint32_t queue, const struct drm_pvgpu_sync *s,
		      uint32_t n)
{
	struct drm_pvgpu_exec e = {
		.queue_id = queue,
		.num_batch = 0,
		.num_syncs = n,
		.syncs = (uintptr_t)s,
	};

	return raw_ioctl(fd, DRM_IOCTL_PVGPU_EXEC, &e);
}

static void test_exec_sync_file(void)
{
	struct drm_pvgpu_sync s[2];
	uint32_t vm, queue;
	int fd = open_with_vm(0, &vm);
	int tl = sw_sync_timeline();
	int in_sf = sw_sync_fence(tl, 1);
	int ret, out_sf;

	ret = pvgpu_queue_create(fd, vm, DRM_PVGPU_ENGINE_CLASS_COPY, 0, 0,
				 &queue);
	igt_assert_err(ret, 0);
	igt_assert_err(exec_syncs(fd, queue, NULL, 0), 0);

	/* Invalid fds and fields. */
	s[0] = (struct drm_pvgpu_sync){ .type = DRM_PVGPU_SYNC_SYNC_FILE,
					.handle = 9999 };
	igt_assert_err(exec_syncs(fd, queue, s, 1), -EBADF);
	s[0].handle = fd;	/* an fd, but no sync_file */
	igt_assert_err(exec_syncs(fd, queue, s, 1), -EBADF);
	s[0].handle = in_sf;
	s[0].timeline_value = 1;
	igt_assert_err(exec_syncs(fd, queue, s, 1), -EINVAL);
	s[0].timeline_value = 0;
	s[0].addr = 8;
	igt_assert_err(exec_syncs(fd, queue, s, 1), -EINVAL);

	/* In: a pending sw_sync fence; out: a new sync_file fd. */
	s[0] = (struct drm_pvgpu_sync){ .type = DRM_PVGPU_SYNC_SYNC_FILE,
					.handle = in_sf };
	s[1] = (struct drm_pvgpu_sync){ .type = DRM_PVGPU_SYNC_SYNC_FILE,
					.flags = DRM_PVGPU_SYNC_SIGNAL,
					.handle = ~0u };
	igt_assert_err(exec_syncs(fd, queue, s, 2), 0);
	out_sf = (int)s[1].handle;
	igt_assert(out_sf >= 0 && out_sf != in_sf);
	igt_assert(fcntl(out_sf, F_GETFD) & FD_CLOEXEC);
	usleep(100000);
	igt_assert(!sync_file_signalled(out_sf));
	sw_sync_inc(tl, 1);
	{
		struct pollfd p = { .fd = out_sf, .events = POLLIN };

		igt_assert_eq(poll(&p, 1, 10000), 1);
	}
	close(out_sf);
	close(in_sf);
	close(tl);
	pvgpu_queue_destroy(fd, queue);
	close(fd);
}

/* ---- sync_file out-syncs: an fd only for a call that succeeds ---------- */

#define SENTINEL	0x7eadbeefu

/* The fd the kernel hands out next (the lowest free one). */
static int next_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	igt_assert(fd >= 0);
	close(fd);
	return fd;
}

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/* Entries of /proc/self/fd (the directory's own fd included). */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	igt_assert(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static uint32_t exec_queue(int fd, uint32_t vm)
{
	uint32_t queue;
	int ret;

	ret = pvgpu_queue_create(fd, vm, DRM_PVGPU_ENGINE_CLASS_COPY, 0, 0,
				 &queue);
	igt_assert_err(ret, 0);
	return queue;
}

/*
 * An EXEC that fails after its sync_file out-sync was prepared leaves no
 * new fd (none in /proc/self/fd, the next fd still free) and changes
 * nothing: not the syncs array (its handle is put back), not an out
 * syncobj. The fd goes back to userspace before commit, so a syncs array
 * the kernel can read but not write is -EFAULT.
 */
static void test_exec_sync_file_fault(void)
{
	const size_t sz = sizeof(struct drm_pvgpu_sync);
	struct drm_pvgpu_sync *s, copy[3];
	uint32_t vm, queue, h;
	int fd = open_with_vm(0, &vm);
	int nfds, nf, out_sf;
	uint8_t *pages;

	queue = exec_queue(fd, vm);
	h = syncobj(fd, 0);
	pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(pages != MAP_FAILED);

	/* Read-only: the copy back faults. */
	s = (struct drm_pvgpu_sync *)pages;
	s[0] = pvgpu_sync_syncobj(h, 1);
	s[1] = (struct drm_pvgpu_sync){ .type = DRM_PVGPU_SYNC_SYNC_FILE,
					.flags = DRM_PVGPU_SYNC_SIGNAL,
					.handle = SENTINEL };
	memcpy(copy, s, 2 * sz);
	igt_assert_eq(mprotect(pages, 4096, PROT_READ), 0);
	nfds = count_fds();
	nf = next_fd();
	igt_assert_err(exec_syncs(fd, queue, s, 2), -EFAULT);
	igt_assert_eq(count_fds(), nfds);
	igt_assert(!fd_open(nf));
	igt_assert(!memcmp(s, copy, 2 * sz));
	igt_assert(syncobj_empty(fd, h));
	igt_assert_eq(mprotect(pages, 4096, PROT_READ | PROT_WRITE), 0);

	/*
	 * The fd written back, then a later entry fails: the fd is released
	 * and the handle put back, whatever the failure. The third case has
	 * its last entry, a second sync_file, on a read-only page.
	 */
	s = (struct drm_pvgpu_sync *)(pages + 4096 - 2 * sz);
	for (int i = 0; i < 3; i++) {
		s[0] = (struct drm_pvgpu_sync){ .type = DRM_PVGPU_SYNC_SYNC_FILE,
						.flags = DRM_PVGPU_SYNC_SIGNAL,
						.handle = SENTINEL };
		s[1] = pvgpu_sync_syncobj(h, 1);
		s[2] = pvgpu_sync_syncobj(h + 100, 0);	/* -ENOENT */
		if (i == 1)
			s[2] = (struct drm_pvgpu_sync){
				.type = DRM_PVGPU_SYNC_SYNC_FILE,
				.handle = 9999 };		/* -EBADF */
		if (i == 2)
			s[2] = s[0];
		memcpy(copy, s, 3 * sz);
		if (i == 2)
			igt_assert_eq(mprotect(pages + 4096, 4096, PROT_READ), 0);
		nfds = count_fds();
		nf = next_fd();
		igt_assert_err(exec_syncs(fd, queue, s, 3),
			       i == 0 ? -ENOENT : i == 1 ? -EBADF : -EFAULT);
		igt_assert_eq(count_fds(), nfds);
		igt_assert(!fd_open(nf));
		igt_assert(!memcmp(s, copy, 3 * sz));
		igt_assert(syncobj_empty(fd, h));
		igt_assert_eq(mprotect(pages + 4096, 4096,
				       PROT_READ | PROT_WRITE), 0);
	}

	/* The same array, valid: two fds, the next ones, and no others. */
	s[2] = s[0];
	nfds = count_fds();
	nf = next_fd();
	igt_assert_err(exec_syncs(fd, queue, s, 3), 0);
	out_sf = (int)s[0].handle;
	igt_assert_eq(out_sf, nf);
	igt_assert_neq(s[2].handle, SENTINEL);
	igt_assert(fd_open(out_sf) && fd_open((int)s[2].handle));
	igt_assert_eq(count_fds(), nfds + 2);
	{
		struct pollfd p = { .fd = out_sf, .events = POLLIN };

		igt_assert_eq(poll(&p, 1, 10000), 1);
	}
	wait_syncobj(fd, h, 0);
	close((int)s[2].handle);
	close(out_sf);
	munmap(pages, 8192);
	pvgpu_queue_destroy(fd, queue);
	close(fd);
}

struct toggler {
	void *page;
	volatile bool stop;
	unsigned long flips;
};

static void *toggle_thread(void *data)
{
	struct toggler *t = data;

	while (!t->stop) {
		igt_assert_eq(mprotect(t->page, 4096, PROT_READ), 0);
		igt_assert_eq(mprotect(t->page, 4096, PROT_READ | PROT_WRITE), 0);
		t->flips++;
	}
	return NULL;
}

/*
 * The syncs array flips between read-only and writable while EXECs with a
 * sync_file out-sync run: each either succeeds with the fd written back
 * (and that fd is the only new one) or fails with -EFAULT, no new fd and
 * the array unchanged; never a success whose fd the caller does not learn
 * (a copy back that faults after the job was committed).
 */
static void test_exec_sync_file_fault_race(void)
{
	const unsigned long max_iter = 20000, enough = 200;
	struct drm_pvgpu_sync *rw, *flipping;
	unsigned long ok = 0, faulted = 0, i;
	struct toggler t = { 0 };
	uint32_t vm, queue, h;
	int fd = open_with_vm(0, &vm);
	int mfd, nfds, nf, ret;
	pthread_t thr;

	queue = exec_queue(fd, vm);
	h = syncobj(fd, 0);
	/* One page mapped twice: the test writes one, the kernel gets the other. */
	mfd = memfd_create("pvgpu-syncs", MFD_CLOEXEC);
	igt_assert(mfd >= 0);
	igt_assert_eq(ftruncate(mfd, 4096), 0);
	rw = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	flipping = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	igt_assert(rw != MAP_FAILED && flipping != MAP_FAILED);
	close(mfd);
	rw[0] = (struct drm_pvgpu_sync){ .type = DRM_PVGPU_SYNC_SYNC_FILE,
					 .flags = DRM_PVGPU_SYNC_SIGNAL };

	nfds = count_fds();
	t.page = flipping;
	igt_assert_eq(pthread_create(&thr, NULL, toggle_thread, &t), 0);
	for (i = 0; i < max_iter && (ok < enough || faulted < enough); i++) {
		/* Let the queue drain now and then (max_jobs_per_queue). */
		if (i % 256 == 255) {
			struct drm_pvgpu_sync done = pvgpu_sync_syncobj(h, 1);

			igt_assert_err(exec_syncs(fd, queue, &done, 1), 0);
			wait_syncobj(fd, h, 0);
		}
		rw[0].handle = SENTINEL;
		nf = next_fd();
		ret = exec_syncs(fd, queue, flipping, 1);
		if (ret == 0) {
			igt_assert_f(rw[0].handle == (uint32_t)nf,
				     "EXEC succeeded, fd %d not written back (handle %#x)\n",
				     nf, rw[0].handle);
			igt_assert(fd_open(nf));
			close(nf);
			ok++;
		} else {
			igt_assert_err(ret, -EFAULT);
			igt_assert_eq(rw[0].handle, SENTINEL);
			igt_assert(!fd_open(nf));
			faulted++;
		}
	}
	t.stop = true;
	igt_assert_eq(pthread_join(thr, NULL), 0);
	igt_info("%lu EXECs: %lu succeeded, %lu -EFAULT; %lu flips\n", i, ok,
		 faulted, t.flips);
	igt_assert_eq(count_fds(), nfds);

	munmap(flipping, 4096);
	munmap(rw, 4096);
	pvgpu_queue_destroy(fd, queue);
	close(fd);
}

#define TIMEOUT_PARAM	"/sys/module/pvgpu/parameters/job_timeout_ms"

static char saved_timeout[32];

static void restore_timeout(int sig)
{
	(void)sig;
	if (saved_timeout[0])
		igt_sysfs_write(TIMEOUT_PARAM, saved_timeout);
}

/*
 * The job timeout is per job, not per ring: many short jobs queued on one
 * ring together run far longer than the timeout, and none is a hang. The
 * timeout clock of a job restarts when the job before it completes.
 */
static void test_deep_queue_timeout(void)
{
	const int n = 40;	/* 40 x 25 ms: 1 s, the timeout is 300 ms */
	int fd = igt_open_pvgpu_render(NULL, 0);
	struct drm_pvgpu_queue_get_state st = { 0 };
	struct drm_pvgpu_sync out;
	struct pvgpu_batch b;
	struct pvgpu_ctx ctx;
	int ret;

	igt_require_f(igt_sysfs_read(TIMEOUT_PARAM, saved_timeout,
				     sizeof(saved_timeout)),
		      "no job_timeout_ms parameter\n");
	igt_install_exit_handler(restore_timeout);
	igt_assert_eq(igt_sysfs_write(TIMEOUT_PARAM, "300"), 0);
	ret = pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COMPUTE);
	igt_assert_err(ret, 0);
	/* The queue took the timeout at creation. */
	restore_timeout(0);

	pvgpu_batch_reset(&b);
	pvgpu_batch_delay(&b, 25 * NSEC_PER_MSEC, 0);
	pvgpu_batch_end(&b);
	memcpy(ctx.batch_map, b.dw, b.len * 4);
	out = pvgpu_sync_syncobj(ctx.syncobj, 1);
	for (int i = 0; i < n; i++)
		igt_assert_err(pvgpu_exec(fd, ctx.queue_id, PVGPU_CTX_BATCH_VA,
					  &out, i == n - 1), 0);
	wait_syncobj(fd, ctx.syncobj, 0);

	st.queue_id = ctx.queue_id;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_QUEUE_GET_STATE, &st), 0);
	igt_assert_eq(st.flags, 0);
	igt_assert_eq(st.error, 0);
	igt_assert_eq_u64(st.jobs_submitted, n);
	igt_assert_eq_u64(st.jobs_completed, n);
	pvgpu_ctx_fini(&ctx);
	close(fd);
}

/* The channel's "requests:" counter, or -1 without debugfs. */
static long long fw_requests(void)
{
	char buf[4096], *p;
	long long n = -1;
	FILE *f = NULL;

	for (int minor = 128; minor < 192 && !f; minor++) {
		snprintf(buf, sizeof(buf), "/sys/kernel/debug/dri/%d/fw_channel",
			 minor);
		f = fopen(buf, "r");
	}
	for (int minor = 0; minor < 64 && !f; minor++) {
		snprintf(buf, sizeof(buf), "/sys/kernel/debug/dri/%d/fw_channel",
			 minor);
		f = fopen(buf, "r");
	}
	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f)) {
		p = strstr(buf, "requests:");
		if (p == buf) {
			n = atoll(p + strlen("requests:"));
			break;
		}
	}
	fclose(f);
	return n;
}

/*
 * An LR job blocked in a WAIT makes no progress for long: the driver asks
 * the firmware for the queue's state (a lost error or fault event would
 * look the same), finds it WAITING and leaves it alone; the job completes
 * when the value comes.
 */
static void test_lr_stall_query(void)
{
	uint64_t *v = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const uint64_t wait_va = PVGPU_CTX_BATCH_VA + PVGPU_CTX_BATCH_SIZE - 8;
	struct drm_pvgpu_queue_get_state st = { 0 };
	struct timespec ts = { 1, 200 * NSEC_PER_MSEC };
	int fd = igt_open_pvgpu_render(NULL, 0);
	struct drm_pvgpu_sync out;
	struct pvgpu_batch b;
	struct pvgpu_ctx ctx;
	long long before, after;
	uint32_t vm;
	int ret;

	igt_assert(v != MAP_FAILED);
	ret = pvgpu_vm_create(fd, DRM_PVGPU_VM_CREATE_LR, &vm);
	igt_assert_err(ret, 0);
	igt_assert_err(pvgpu_ctx_init(&ctx, fd, vm,
				      DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_wait64(&b, wait_va, 1, ~0ull, PVGPU_WAIT_EQ);
	pvgpu_batch_end(&b);
	memcpy(ctx.batch_map, b.dw, b.len * 4);
	ctx.batch_map[(PVGPU_CTX_BATCH_SIZE - 8) / 4] = 0;
	ctx.batch_map[(PVGPU_CTX_BATCH_SIZE - 4) / 4] = 0;

	before = fw_requests();
	out = pvgpu_sync_user_fence(v, 5);
	igt_assert_err(pvgpu_exec(fd, ctx.queue_id, PVGPU_CTX_BATCH_VA,
				  &out, 1), 0);
	nanosleep(&ts, NULL);
	after = fw_requests();
	igt_assert_eq_u64(*v, 0);
	/* At least one QUEUE_QUERY (about every 500 ms while stalled). */
	if (before >= 0)
		igt_assert_f(after > before, "no firmware request: %lld -> %lld\n",
			     before, after);
	st.queue_id = ctx.queue_id;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_QUEUE_GET_STATE, &st), 0);
	igt_assert_eq(st.flags, 0);

	ctx.batch_map[(PVGPU_CTX_BATCH_SIZE - 8) / 4] = 1;
	igt_assert(wait_u64(v, 5, 10 * NSEC_PER_SEC));
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_QUEUE_GET_STATE, &st), 0);
	igt_assert_eq(st.flags, 0);
	igt_assert_eq_u64(st.jobs_completed, 1);
	pvgpu_ctx_fini(&ctx);
	pvgpu_vm_destroy(fd, vm);
	munmap(v, 4096);
	close(fd);
}

static const struct igt_lite_subtest subtests[] = {
	{ "invalid-count", test_invalid_count,
	  "more than DRM_PVGPU_MAX_SYNCS syncs, unreadable array" },
	{ "invalid-fields", test_invalid_fields,
	  "flags, pad, reserved, type, unused fields, SYNC_FILE on VM_BIND" },
	{ "invalid-timeline", test_invalid_timeline,
	  "timeline point 0, points never submitted" },
	{ "invalid-handles", test_invalid_handles,
	  "unknown syncobjs, binary in-syncobj without fence" },
	{ "invalid-user-fence", test_invalid_user_fence,
	  "user fence as in-sync, unaligned, unwritable" },
	{ "user-fence-no-probe", test_user_fence_no_probe,
	  "parse does not write a user fence's address" },
	{ "error-changes-nothing", test_error_changes_nothing,
	  "a failing VM_BIND signals none of its out-syncs" },
	{ "ordering-point", test_ordering_point,
	  "VM_BIND without operations: syncobj in/out, WAIT mode, chains" },
	{ "timeline-points", test_timeline_points,
	  "timeline syncobj points in and out" },
	{ "user-fence", test_user_fence, "user fences are written" },
	{ "pending-in-fence", test_pending_in_fence,
	  "a pending in-fence holds its job and the queue's later jobs" },
	{ "close-with-pending", test_close_with_pending,
	  "file closed while jobs wait for a fence" },
	{ "wait-interrupted", test_wait_interrupted,
	  "VM_BIND WAIT interrupted before commit changes nothing" },
	{ "lr", test_lr, "LR VM: only user fences as out-syncs" },
	{ "deep-queue-timeout", test_deep_queue_timeout,
	  "many short jobs on one ring outlast the job timeout, no ban" },
	{ "lr-stall-query", test_lr_stall_query,
	  "a stalled LR queue is queried, found waiting and left alone" },
	{ "exec-sync-file", test_exec_sync_file,
	  "EXEC ordering point with sync_file in and out" },
	{ "exec-sync-file-fault", test_exec_sync_file_fault,
	  "an EXEC failing after its sync_file out-sync was prepared (copy back faults, later entry bad) leaves no fd and changes nothing" },
	{ "exec-sync-file-fault-race", test_exec_sync_file_fault_race,
	  "syncs flipping read-only/writable: each EXEC succeeds with its fd written back or is -EFAULT with no fd, never a fd the caller does not learn" },
};

IGT_LITE_MAIN("syncs of VM_BIND and EXEC, and the dependency queue", subtests)
