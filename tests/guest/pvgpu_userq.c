// SPDX-License-Identifier: MIT
/*
 * pvgpu_userq: user queues. Submission by stores alone (commands, write
 * pointer, doorbell) checked by the CPU; more queues than hardware slots;
 * the mappings (read-only status page, doorbells no other file can map,
 * nothing inherited by fork); the SIGNAL bridge to syncobjs both ways with
 * exec queues and the CPU, its forward-progress timeout; WAIT bridges;
 * errors, privileged commands and faults stopping only the queue that
 * made them; limits; a killed process; and every ioctl's negative cases.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <linux/sync_file.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt_lite.h"
#include "pvgpu_test.h"
#include "libpvgpu.h"
#include "pvgpu_cmds.h"
#include "pvgpu_gpu.h"
#include "pvgpu_user_queue.h"

#define SEC		1000000000ll
#define RING_VA		0x300000000ull
#define RING_SIZE	0x1000u
#define DATA_VA		0x200000000ull
#define DATA_SIZE	0x10000u
#define PAGE		4096

static int open_render(void)
{
	return igt_open_pvgpu_render(NULL, 0);
}

/* A buffer object mapped for the CPU and at DATA_VA in @vm_id. */
struct data_bo {
	uint32_t handle;
	uint32_t *map;
};

static void data_bo_init(int fd, uint32_t vm_id, struct data_bo *d)
{
	igt_assert_eq(pvgpu_bo_create(fd, DATA_SIZE, 0, &d->handle), 0);
	d->map = pvgpu_bo_map(fd, d->handle, DATA_SIZE);
	igt_assert(d->map);
	memset(d->map, 0, DATA_SIZE);
	igt_assert_eq(pvgpu_bind_map(fd, vm_id, d->handle, 0, DATA_VA,
				     DATA_SIZE, 0), 0);
}

static void data_bo_fini(int fd, uint32_t vm_id, struct data_bo *d)
{
	pvgpu_bind_unmap(fd, vm_id, DATA_VA, DATA_SIZE);
	munmap(d->map, DATA_SIZE);
	pvgpu_gem_close(fd, d->handle);
}

static struct drm_pvgpu_queue_get_state get_state(int fd, uint32_t q)
{
	struct drm_pvgpu_queue_get_state s;

	igt_assert_eq(pvgpu_queue_get_state(fd, q, &s), 0);
	return s;
}

static struct drm_pvgpu_queue_get_state wait_banned(int fd, uint32_t q)
{
	struct drm_pvgpu_queue_get_state s;

	for (int i = 0; i < 3000; i++) {
		s = get_state(fd, q);
		if (s.flags & DRM_PVGPU_QUEUE_STATE_BANNED)
			return s;
		usleep(10 * 1000);
	}
	igt_assert_f(false, "user queue %u not banned after 30 s\n", q);
	return s;
}

/* The slots of @engine_class. */
static uint32_t engine_slots(int fd, uint32_t engine_class)
{
	struct drm_pvgpu_query_engines *q;
	uint32_t size, i, slots = 0;

	q = pvgpu_query_alloc(fd, DRM_PVGPU_QUERY_ENGINES, &size);
	igt_assert(q);
	for (i = 0; i < q->num_engines; i++)
		if (q->engines[i].engine_class == engine_class)
			slots = q->engines[i].num_slots;
	free(q);
	igt_assert_lt(0, slots);
	return slots;
}

/* ---- creation --------------------------------------------------------- */

/*
 * A new user queue is idle at position 0, unbanned; its pages map (the
 * status page read-only); destroying it frees its id.
 */
static void test_create_basic(void)
{
	int fd = open_render();
	struct drm_pvgpu_queue_get_state s;
	struct pvgpu_userq uq;
	uint32_t vm;

	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	igt_assert_eq(pvgpu_userq_init(&uq, fd, vm,
				       DRM_PVGPU_ENGINE_CLASS_COMPUTE,
				       RING_VA, RING_SIZE), 0);
	igt_assert_lt(0, uq.queue_id);
	s = get_state(fd, uq.queue_id);
	igt_assert_eq(s.flags, 0);
	igt_assert_eq(s.error, 0);
	igt_assert_eq(s.reason, 0);
	igt_assert_eq(s.fw_state, DRM_PVGPU_USERQ_STATE_IDLE);
	igt_assert_eq_u64(s.retired, 0);
	igt_assert_eq(uq.status->rptr, 0);
	igt_assert_eq_u64(uq.status->retired, 0);

	/* Not an exec queue: EXEC refuses it. */
	igt_assert_err(pvgpu_exec(fd, uq.queue_id, 0, NULL, 0), -ENOENT);

	pvgpu_userq_fini(&uq);
	igt_assert_err(pvgpu_queue_get_state(fd, uq.queue_id, &s), -ENOENT);
	pvgpu_vm_destroy(fd, vm);
	close(fd);
}

static int try_create(int fd, struct drm_pvgpu_userq_create c)
{
	int ret = pvgpu_userq_create(fd, &c);

	if (!ret)
		pvgpu_queue_destroy(fd, c.queue_id);
	return ret;
}

/* Every bad argument is refused with its documented error. */
static void test_create_invalid(void)
{
	int fd = open_render();
	struct drm_pvgpu_query_device dev = pvgpu_test_query_device(fd);
	uint64_t top = DRM_PVGPU_USER_VA_END(dev.va_bits);
	struct drm_pvgpu_userq_create good = {
		.engine_class = DRM_PVGPU_ENGINE_CLASS_COMPUTE,
		.ring_va = RING_VA,
		.ring_size = RING_SIZE,
	}, c;
	uint32_t vm;

	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	good.vm_id = vm;

	c = good; c.extensions = 1;
	igt_assert_err(try_create(fd, c), -EINVAL);
	c = good; c.flags = 1;
	igt_assert_err(try_create(fd, c), -EINVAL);
	c = good; c.ring_size = 0;
	igt_assert_err(try_create(fd, c), -EINVAL);
	c = good; c.ring_size = 3 * PAGE;
	igt_assert_err(try_create(fd, c), -EINVAL);
	c = good; c.ring_size = 2048;
	igt_assert_err(try_create(fd, c), -EINVAL);
	c = good; c.ring_size = 8 << 20;
	igt_assert_err(try_create(fd, c), -EINVAL);
	c = good; c.ring_va = RING_VA + 4;
	igt_assert_err(try_create(fd, c), -EINVAL);
	c = good; c.ring_va = top;
	igt_assert_err(try_create(fd, c), -EINVAL);
	c = good; c.ring_va = top - PAGE; c.ring_size = 2 * PAGE;
	igt_assert_err(try_create(fd, c), -EINVAL);
	c = good; c.ring_va = ~0ull & ~0xfffull;
	igt_assert_err(try_create(fd, c), -EINVAL);
	c = good; c.engine_class = DRM_PVGPU_ENGINE_CLASS_VM_BIND;
	igt_assert_err(try_create(fd, c), -EINVAL);
	c = good; c.engine_class = 77;
	igt_assert_err(try_create(fd, c), -EINVAL);
	c = good; c.priority = 1000;
	igt_assert_err(try_create(fd, c), -EINVAL);
	c = good; c.timeslice_us = 1;
	igt_assert_err(try_create(fd, c), -EINVAL);
	c = good; c.vm_id = vm + 100;
	igt_assert_err(try_create(fd, c), -ENOENT);
	c = good; c.vm_id = 0;
	igt_assert_err(try_create(fd, c), -ENOENT);

	/* Nothing of the failures is left: a good one works. */
	igt_assert_eq(try_create(fd, good), 0);
	pvgpu_vm_destroy(fd, vm);
	close(fd);
}

/* ---- submission --------------------------------------------------------- */

/*
 * Stores only: commands, write pointer, doorbell. 3000 submissions wrap
 * a 4 KiB ring many times; every value lands, and the status page's
 * retired count equals what was written.
 */
static void test_doorbell_submit(void)
{
	int fd = open_render();
	struct pvgpu_userq uq;
	struct pvgpu_batch b;
	struct data_bo d;
	uint32_t vm, i;
	int ret;

	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	data_bo_init(fd, vm, &d);
	igt_assert_eq(pvgpu_userq_init(&uq, fd, vm,
				       DRM_PVGPU_ENGINE_CLASS_COPY,
				       RING_VA, RING_SIZE), 0);
	for (i = 0; i < 3000; i++) {
		pvgpu_batch_reset(&b);
		pvgpu_batch_store32(&b, DATA_VA + (i % 1024) * 4, i + 1);
		pvgpu_batch_store32(&b, DATA_VA + 8192, i + 1);
		while ((ret = pvgpu_userq_submit(&uq, &b)) == -ENOSPC)
			usleep(100);
		igt_assert_eq(ret, 0);
	}
	igt_assert_eq(pvgpu_userq_wait_idle(&uq, 30 * SEC), 0);
	igt_assert_eq_u64(pvgpu_userq_retired(&uq), uq.written);
	igt_assert_eq(uq.status->rptr, (uint32_t)uq.written & (RING_SIZE - 1));
	igt_assert_eq(d.map[8192 / 4], 3000);
	/* Slot j last got the largest i < 3000 with i % 1024 == j. */
	for (i = 0; i < 1024; i++)
		igt_assert_eq(d.map[i], i + 1024 * ((2999 - i) / 1024) + 1);
	igt_assert_eq_u64(get_state(fd, uq.queue_id).retired, uq.written);

	pvgpu_userq_fini(&uq);
	data_bo_fini(fd, vm, &d);
	pvgpu_vm_destroy(fd, vm);
	close(fd);
}

/*
 * Commands written without the doorbell do not run; the doorbell runs
 * them. A batch called from the ring runs before the ring moves on.
 */
static void test_doorbell_needed(void)
{
	int fd = open_render();
	struct pvgpu_userq uq;
	struct pvgpu_batch b;
	struct data_bo d;
	uint32_t vm;

	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	data_bo_init(fd, vm, &d);
	igt_assert_eq(pvgpu_userq_init(&uq, fd, vm,
				       DRM_PVGPU_ENGINE_CLASS_COPY,
				       RING_VA, RING_SIZE), 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, DATA_VA, 7);
	igt_assert_eq(pvgpu_userq_write(&uq, &b), 0);
	usleep(200 * 1000);
	igt_assert_eq(d.map[0], 0);
	igt_assert_eq_u64(pvgpu_userq_retired(&uq), 0);
	pvgpu_userq_ring_doorbell(&uq);
	igt_assert_eq(pvgpu_userq_wait_idle(&uq, 10 * SEC), 0);
	igt_assert_eq(d.map[0], 7);

	pvgpu_userq_fini(&uq);
	data_bo_fini(fd, vm, &d);
	pvgpu_vm_destroy(fd, vm);
	close(fd);
}

/*
 * Four times as many user queues as the engine has slots, each with work
 * that takes a while (DELAYs): the firmware rotates them, every queue
 * completes every store exactly.
 */
static void test_many_queues(void)
{
	int fd = open_render();
	uint32_t slots = engine_slots(fd, DRM_PVGPU_ENGINE_CLASS_COMPUTE);
	uint32_t n = 4 * slots, vm, i, k;
	struct pvgpu_userq *uq;
	struct pvgpu_batch b;
	struct data_bo d;

	igt_require(n <= 64);
	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	data_bo_init(fd, vm, &d);
	uq = calloc(n, sizeof(*uq));
	igt_assert(uq);
	for (i = 0; i < n; i++)
		igt_assert_eq(pvgpu_userq_init(&uq[i], fd, vm,
					       DRM_PVGPU_ENGINE_CLASS_COMPUTE,
					       RING_VA + i * RING_SIZE,
					       RING_SIZE), 0);
	for (k = 0; k < 20; k++) {
		for (i = 0; i < n; i++) {
			pvgpu_batch_reset(&b);
			pvgpu_batch_delay(&b, 200 * 1000, 0);
			pvgpu_batch_store32(&b, DATA_VA + i * 128, k + 1);
			pvgpu_batch_store32(&b, DATA_VA + i * 128 + 4 + k * 4,
					    i + 1);
			igt_assert_eq(pvgpu_userq_submit(&uq[i], &b), 0);
		}
	}
	for (i = 0; i < n; i++)
		igt_assert_eq(pvgpu_userq_wait_idle(&uq[i], 60 * SEC), 0);
	for (i = 0; i < n; i++) {
		igt_assert_eq(d.map[i * 32], 20);
		for (k = 0; k < 20; k++)
			igt_assert_eq(d.map[i * 32 + 1 + k], i + 1);
		igt_assert_eq(get_state(fd, uq[i].queue_id).flags, 0);
	}
	igt_info("%u user queues on %u slots\n", n, slots);
	for (i = 0; i < n; i++)
		pvgpu_userq_fini(&uq[i]);
	free(uq);
	data_bo_fini(fd, vm, &d);
	pvgpu_vm_destroy(fd, vm);
	close(fd);
}

/* ---- mappings ----------------------------------------------------------- */

static int try_mmap(int fd, uint64_t offset, size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, (off_t)offset);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, len);
	return 0;
}

/*
 * The status page is never writable (not mapped so, not mprotect()ed so);
 * mappings are one page, never executable; unknown offsets fail.
 */
static void test_mmap_rules(void)
{
	int fd = open_render();
	struct drm_pvgpu_userq_create c = {
		.engine_class = DRM_PVGPU_ENGINE_CLASS_COMPUTE,
		.ring_va = RING_VA,
		.ring_size = RING_SIZE,
	};
	uint32_t vm;
	void *p;

	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	/* No user queue yet: no doorbell page. */
	igt_assert_err(try_mmap(fd, DRM_PVGPU_USERQ_MMAP_BASE, PAGE,
				PROT_WRITE), -EINVAL);
	c.vm_id = vm;
	igt_assert_eq(pvgpu_userq_create(fd, &c), 0);

	igt_assert_err(try_mmap(fd, c.status_offset, PAGE,
				PROT_READ | PROT_WRITE), -EPERM);
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, c.status_offset);
	igt_assert(p != MAP_FAILED);
	igt_assert_eq(mprotect(p, PAGE, PROT_READ | PROT_WRITE), -1);
	igt_assert_eq(errno, EACCES);
	munmap(p, PAGE);

	igt_assert_err(try_mmap(fd, c.status_offset, 2 * PAGE, PROT_READ),
		       -EINVAL);
	igt_assert_err(try_mmap(fd, c.wptr_offset, PAGE,
				PROT_READ | PROT_EXEC), -EPERM);
	igt_assert_err(try_mmap(fd, c.doorbell_page_offset, PAGE,
				PROT_WRITE | PROT_EXEC), -EPERM);
	igt_assert_eq(try_mmap(fd, c.wptr_offset, PAGE,
			       PROT_READ | PROT_WRITE), 0);
	igt_assert_eq(try_mmap(fd, c.doorbell_page_offset, PAGE,
			       PROT_READ | PROT_WRITE), 0);
	/* A queue id that does not exist, and past every id. */
	igt_assert_err(try_mmap(fd, c.status_offset + 64 * PAGE, PAGE,
				PROT_READ), -EINVAL);
	igt_assert_err(try_mmap(fd, DRM_PVGPU_USERQ_MMAP_BASE +
				(1ull << 45), PAGE, PROT_READ), -EINVAL);

	/* The pages outlive the queue, unchanged, until unmapped. */
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, c.status_offset);
	igt_assert(p != MAP_FAILED);
	igt_assert_eq(pvgpu_queue_destroy(fd, c.queue_id), 0);
	usleep(100 * 1000);
	igt_assert_eq(((volatile uint32_t *)p)[0], 0);
	munmap(p, PAGE);
	igt_assert_err(try_mmap(fd, c.status_offset, PAGE, PROT_READ),
		       -EINVAL);

	pvgpu_vm_destroy(fd, vm);
	close(fd);
}

/*
 * Another file (of this process or another) cannot map a file's queue
 * pages, and its own doorbell page is another page: writing its doorbell
 * dword at the same offset does not run the first file's queue. A child
 * of fork() inherits none of the mappings.
 */
static void test_doorbell_isolation(void)
{
	int fd = open_render(), fd2 = open_render();
	struct drm_pvgpu_userq_create c = {
		.engine_class = DRM_PVGPU_ENGINE_CLASS_COPY,
		.ring_va = RING_VA + 4 * RING_SIZE,
		.ring_size = RING_SIZE,
	};
	struct pvgpu_userq uq, uq2;
	struct pvgpu_batch b;
	struct data_bo d;
	uint32_t vm, vm2;
	int status;
	pid_t pid;

	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	igt_assert_eq(pvgpu_vm_create(fd2, 0, &vm2), 0);
	data_bo_init(fd, vm, &d);
	igt_assert_eq(pvgpu_userq_init(&uq, fd, vm,
				       DRM_PVGPU_ENGINE_CLASS_COPY,
				       RING_VA, RING_SIZE), 0);
	igt_assert_eq(pvgpu_userq_init(&uq2, fd2, vm2,
				       DRM_PVGPU_ENGINE_CLASS_COPY,
				       RING_VA, RING_SIZE), 0);
	/*
	 * Same ids and offsets in both files, each naming its own queue; a
	 * queue only the first file has cannot be mapped through the other.
	 */
	igt_assert_eq(uq.queue_id, uq2.queue_id);
	c.vm_id = vm;
	igt_assert_eq(pvgpu_userq_create(fd, &c), 0);
	igt_assert_eq(try_mmap(fd, c.status_offset, PAGE, PROT_READ), 0);
	igt_assert_err(try_mmap(fd2, c.status_offset, PAGE, PROT_READ),
		       -EINVAL);
	igt_assert_err(try_mmap(fd2, c.wptr_offset, PAGE, PROT_WRITE),
		       -EINVAL);
	igt_assert_eq(pvgpu_queue_destroy(fd, c.queue_id), 0);

	/* Queue 1's commands and pointer, queue 2's doorbell dword. */
	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, DATA_VA, 0x51);
	igt_assert_eq(pvgpu_userq_write(&uq, &b), 0);
	pvgpu_userq_ring_doorbell(&uq2);
	usleep(200 * 1000);
	igt_assert_eq(d.map[0], 0);
	igt_assert_eq_u64(pvgpu_userq_retired(&uq), 0);

	/* fork(): the child has none of the mappings. */
	pid = fork();
	igt_assert(pid >= 0);
	if (!pid) {
		signal(SIGSEGV, SIG_DFL);
		*uq.doorbell = 1;
		_exit(0);
	}
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert(WIFSIGNALED(status));
	igt_assert_eq(WTERMSIG(status), SIGSEGV);
	usleep(100 * 1000);
	igt_assert_eq(d.map[0], 0);

	pvgpu_userq_ring_doorbell(&uq);
	igt_assert_eq(pvgpu_userq_wait_idle(&uq, 10 * SEC), 0);
	igt_assert_eq(d.map[0], 0x51);

	pvgpu_userq_fini(&uq2);
	pvgpu_userq_fini(&uq);
	data_bo_fini(fd, vm, &d);
	pvgpu_vm_destroy(fd2, vm2);
	pvgpu_vm_destroy(fd, vm);
	close(fd2);
	close(fd);
}

/* ---- bridges ------------------------------------------------------------ */

/*
 * The CPU waits on a timeline point of a user queue: the point signals
 * only once the commands written before USERQ_SIGNAL ran, a batch they
 * call included, and successive points in order.
 */
static void test_signal_timeline(void)
{
	int fd = open_render();
	struct drm_pvgpu_sync out;
	struct pvgpu_userq uq;
	struct pvgpu_batch b;
	struct data_bo d;
	uint32_t vm, tl;

	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	data_bo_init(fd, vm, &d);
	igt_assert_eq(pvgpu_userq_init(&uq, fd, vm,
				       DRM_PVGPU_ENGINE_CLASS_COMPUTE,
				       RING_VA, RING_SIZE), 0);
	igt_assert_eq(pvgpu_syncobj_create(fd, 0, &tl), 0);

	/* A batch in the data buffer: a delay, then a store. */
	pvgpu_batch_reset(&b);
	pvgpu_batch_delay(&b, 100 * 1000 * 1000ull, 0);
	pvgpu_batch_store32(&b, DATA_VA, 1);
	pvgpu_batch_end(&b);
	memcpy((char *)d.map + 0x8000, b.dw, b.len * 4);

	pvgpu_batch_reset(&b);
	pvgpu_batch_call(&b, DATA_VA + 0x8000);
	igt_assert_eq(pvgpu_userq_write(&uq, &b), 0);
	out = pvgpu_sync_timeline(tl, 1, 1);
	igt_assert_eq(pvgpu_userq_signal(fd, uq.queue_id, &out, 1), 0);

	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, DATA_VA + 4, 2);
	igt_assert_eq(pvgpu_userq_write(&uq, &b), 0);
	out = pvgpu_sync_timeline(tl, 2, 1);
	igt_assert_eq(pvgpu_userq_signal(fd, uq.queue_id, &out, 1), 0);

	/* Nothing rang the doorbell: nothing signals. */
	igt_assert_err(pvgpu_syncobj_wait(fd, tl, 1, 200 * 1000 * 1000ll),
		       -ETIME);
	pvgpu_userq_ring_doorbell(&uq);
	igt_assert_eq(pvgpu_syncobj_wait(fd, tl, 1, 10 * SEC), 0);
	igt_assert_eq(d.map[0], 1);
	igt_assert_eq(pvgpu_syncobj_wait(fd, tl, 2, 10 * SEC), 0);
	igt_assert_eq(d.map[1], 2);
	igt_assert_eq(get_state(fd, uq.queue_id).jobs_completed, 2);

	pvgpu_syncobj_destroy(fd, tl);
	pvgpu_userq_fini(&uq);
	data_bo_fini(fd, vm, &d);
	pvgpu_vm_destroy(fd, vm);
	close(fd);
}

/*
 * Both ways with an exec queue: an EXEC waits (syncobj) for a user queue's
 * store, and a user queue waits (USERQ_WAIT, a user fence its WAIT command
 * polls) for an EXEC's store; each copies what the other wrote.
 */
static void test_bridge_exec(void)
{
	int fd = open_render();
	struct drm_pvgpu_sync syncs[2];
	struct pvgpu_userq uq;
	struct pvgpu_batch b;
	struct pvgpu_ctx ctx;
	uint32_t vm, s_user, s_exec;
	struct data_bo d;
	uint64_t *flag;

	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	data_bo_init(fd, vm, &d);
	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, vm, DRM_PVGPU_ENGINE_CLASS_COPY),
		      0);
	igt_assert_eq(pvgpu_userq_init(&uq, fd, vm,
				       DRM_PVGPU_ENGINE_CLASS_COMPUTE,
				       RING_VA, RING_SIZE), 0);
	igt_assert_eq(pvgpu_syncobj_create(fd, 0, &s_user), 0);
	igt_assert_eq(pvgpu_syncobj_create(fd, 0, &s_exec), 0);

	/* User queue -> EXEC: the user queue stores 0xaa after 100 ms. */
	pvgpu_batch_reset(&b);
	pvgpu_batch_delay(&b, 100 * 1000 * 1000ull, 0);
	pvgpu_batch_store32(&b, DATA_VA, 0xaa);
	igt_assert_eq(pvgpu_userq_submit(&uq, &b), 0);
	syncs[0] = pvgpu_sync_syncobj(s_user, 1);
	igt_assert_eq(pvgpu_userq_signal(fd, uq.queue_id, syncs, 1), 0);
	/* The EXEC copies it once the user queue is past the store. */
	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, DATA_VA, DATA_VA + 4, 4);
	pvgpu_batch_end(&b);
	memcpy(ctx.batch_map, b.dw, b.len * 4);
	syncs[0] = pvgpu_sync_syncobj(s_user, 0);
	syncs[1] = pvgpu_sync_syncobj(ctx.syncobj, 1);
	igt_assert_eq(pvgpu_exec(fd, ctx.queue_id, PVGPU_CTX_BATCH_VA, syncs,
				 2), 0);
	igt_assert_eq(pvgpu_syncobj_wait(fd, ctx.syncobj, 0, 10 * SEC), 0);
	igt_assert_eq(d.map[1], 0xaa);

	/* EXEC -> user queue: the EXEC stores 0xbb after 100 ms. */
	pvgpu_batch_reset(&b);
	pvgpu_batch_delay(&b, 100 * 1000 * 1000ull, 0);
	pvgpu_batch_store32(&b, DATA_VA + 8, 0xbb);
	pvgpu_batch_end(&b);
	memcpy(ctx.batch_map, b.dw, b.len * 4);
	syncs[0] = pvgpu_sync_syncobj(s_exec, 1);
	igt_assert_eq(pvgpu_exec(fd, ctx.queue_id, PVGPU_CTX_BATCH_VA, syncs,
				 1), 0);
	/* The user queue waits for the flag, then copies. */
	flag = (uint64_t *)((char *)d.map + 0x100);
	pvgpu_batch_reset(&b);
	pvgpu_batch_wait64(&b, DATA_VA + 0x100, 1, ~0ull, PVGPU_WAIT_GTE);
	pvgpu_batch_copy(&b, DATA_VA + 8, DATA_VA + 12, 4);
	igt_assert_eq(pvgpu_userq_submit(&uq, &b), 0);
	syncs[0] = pvgpu_sync_syncobj(s_exec, 0);
	syncs[1] = pvgpu_sync_user_fence(flag, 1);
	igt_assert_eq(pvgpu_userq_wait(fd, uq.queue_id, syncs, 2), 0);
	igt_assert_eq(pvgpu_userq_wait_idle(&uq, 10 * SEC), 0);
	igt_assert_eq(*flag, 1);
	igt_assert_eq(d.map[3], 0xbb);

	pvgpu_syncobj_destroy(fd, s_exec);
	pvgpu_syncobj_destroy(fd, s_user);
	pvgpu_userq_fini(&uq);
	pvgpu_ctx_fini(&ctx);
	data_bo_fini(fd, vm, &d);
	pvgpu_vm_destroy(fd, vm);
	close(fd);
}

/*
 * A user queue that never gets there (a WAIT on memory nobody writes)
 * cannot hold a fence forever: after signal_timeout_ms the fence signals
 * with -ETIMEDOUT, the queue is reset and banned with the reason; another
 * user queue goes on.
 */
static void test_signal_timeout(void)
{
	int fd = open_render();
	struct drm_pvgpu_queue_get_state s;
	struct drm_pvgpu_sync out;
	struct pvgpu_userq uq, other;
	struct pvgpu_batch b;
	struct data_bo d;
	uint32_t vm, so;

	igt_emit_ignore_dmesg_regex("user queue .* not reached");
	igt_pvgpu_param_set("signal_timeout_ms", 300);
	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	data_bo_init(fd, vm, &d);
	igt_assert_eq(pvgpu_userq_init(&uq, fd, vm,
				       DRM_PVGPU_ENGINE_CLASS_COMPUTE,
				       RING_VA, RING_SIZE), 0);
	igt_assert_eq(pvgpu_userq_init(&other, fd, vm,
				       DRM_PVGPU_ENGINE_CLASS_COMPUTE,
				       RING_VA + RING_SIZE, RING_SIZE), 0);
	igt_assert_eq(pvgpu_syncobj_create(fd, 0, &so), 0);

	pvgpu_batch_reset(&b);
	pvgpu_batch_wait64(&b, DATA_VA + 0x100, 1, ~0ull, PVGPU_WAIT_EQ);
	igt_assert_eq(pvgpu_userq_submit(&uq, &b), 0);
	out = pvgpu_sync_syncobj(so, 1);
	igt_assert_eq(pvgpu_userq_signal(fd, uq.queue_id, &out, 1), 0);
	igt_assert_eq(pvgpu_syncobj_wait(fd, so, 0, 30 * SEC), 0);
	igt_assert_eq(syncobj_status(fd, so), -ETIMEDOUT);

	s = wait_banned(fd, uq.queue_id);
	igt_assert_eq(s.flags, DRM_PVGPU_QUEUE_STATE_BANNED |
		      DRM_PVGPU_QUEUE_STATE_RESET |
		      DRM_PVGPU_QUEUE_STATE_GUILTY);
	igt_assert_eq(s.reason, DRM_PVGPU_QUEUE_REASON_SIGNAL_TIMEOUT);
	igt_assert_eq(s.error, -ETIMEDOUT);
	igt_assert_eq(s.fw_state, DRM_PVGPU_USERQ_STATE_STOPPED);
	igt_assert_err(pvgpu_userq_signal(fd, uq.queue_id, &out, 1),
		       -ECANCELED);

	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, DATA_VA, 3);
	igt_assert_eq(pvgpu_userq_submit(&other, &b), 0);
	igt_assert_eq(pvgpu_userq_wait_idle(&other, 10 * SEC), 0);
	igt_assert_eq(d.map[0], 3);
	igt_assert_eq(get_state(fd, other.queue_id).flags, 0);

	pvgpu_syncobj_destroy(fd, so);
	pvgpu_userq_fini(&other);
	pvgpu_userq_fini(&uq);
	data_bo_fini(fd, vm, &d);
	pvgpu_vm_destroy(fd, vm);
	close(fd);
}

/* USERQ_SIGNAL and USERQ_WAIT refuse what they must. */
static void test_bridge_invalid(void)
{
	int fd = open_render();
	struct drm_pvgpu_userq_signal sig;
	struct drm_pvgpu_userq_wait wt;
	struct drm_pvgpu_sync syncs[2];
	struct pvgpu_userq uq;
	uint32_t vm, so, done, eq;
	uint64_t flag = 0;

	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	igt_assert_eq(pvgpu_userq_init(&uq, fd, vm,
				       DRM_PVGPU_ENGINE_CLASS_COMPUTE,
				       RING_VA, RING_SIZE), 0);
	igt_assert_eq(pvgpu_queue_create(fd, vm, DRM_PVGPU_ENGINE_CLASS_COPY,
					 0, 0, &eq), 0);
	igt_assert_eq(pvgpu_syncobj_create(fd, 0, &so), 0);
	syncs[0] = pvgpu_sync_syncobj(so, 1);

	igt_assert_err(pvgpu_userq_signal(fd, 0, syncs, 1), -ENOENT);
	igt_assert_err(pvgpu_userq_signal(fd, eq, syncs, 1), -ENOENT);
	igt_assert_err(pvgpu_userq_signal(fd, uq.queue_id + 50, syncs, 1),
		       -ENOENT);
	memset(&sig, 0, sizeof(sig));
	sig.queue_id = uq.queue_id;
	sig.flags = 1;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_USERQ_SIGNAL, &sig),
		       -EINVAL);
	sig.flags = 0;
	sig.pad = 1;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_USERQ_SIGNAL, &sig),
		       -EINVAL);
	sig.pad = 0;
	sig.reserved[1] = 1;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_USERQ_SIGNAL, &sig),
		       -EINVAL);
	sig.reserved[1] = 0;
	sig.extensions = 1;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_USERQ_SIGNAL, &sig),
		       -EINVAL);
	sig.extensions = 0;
	sig.num_syncs = 1;
	sig.syncs = 8;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_USERQ_SIGNAL, &sig),
		       -EFAULT);
	syncs[1] = pvgpu_sync_syncobj(so + 100, 1);
	igt_assert_err(pvgpu_userq_signal(fd, uq.queue_id, &syncs[1], 1),
		       -ENOENT);
	/* Nothing was submitted by the failures. */
	igt_assert_eq(get_state(fd, uq.queue_id).jobs_submitted, 0);

	/* WAIT: user fences out only, at least one. */
	igt_assert_err(pvgpu_userq_wait(fd, uq.queue_id, syncs, 1), -EINVAL);
	igt_assert_eq(pvgpu_syncobj_create(fd, DRM_SYNCOBJ_CREATE_SIGNALED,
					   &done), 0);
	syncs[0] = pvgpu_sync_syncobj(done, 0);
	igt_assert_err(pvgpu_userq_wait(fd, uq.queue_id, syncs, 1), -EINVAL);
	syncs[1] = pvgpu_sync_user_fence(&flag, 5);
	igt_assert_err(pvgpu_userq_wait(fd, eq, syncs, 2), -ENOENT);
	/* An in-syncobj without a fence, as for EXEC. */
	syncs[0] = pvgpu_sync_syncobj(so, 0);
	igt_assert_err(pvgpu_userq_wait(fd, uq.queue_id, syncs, 2), -ENOENT);
	memset(&wt, 0, sizeof(wt));
	wt.queue_id = uq.queue_id;
	wt.flags = 1;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_USERQ_WAIT, &wt),
		       -EINVAL);
	igt_assert_eq(flag, 0);
	/* A signalled in-fence: the user fence is written at once. */
	igt_assert_eq(pvgpu_syncobj_signal(fd, so, 0), 0);
	igt_assert_eq(pvgpu_userq_wait(fd, uq.queue_id, syncs, 2), 0);
	igt_assert_eq(pvgpu_wait_user_fence(fd, &flag, DRM_PVGPU_UFENCE_OP_EQ,
					    5, ~0ull, 10 * SEC, 0), 0);

	pvgpu_syncobj_destroy(fd, done);
	pvgpu_syncobj_destroy(fd, so);
	pvgpu_queue_destroy(fd, eq);
	pvgpu_userq_fini(&uq);
	pvgpu_vm_destroy(fd, vm);
	close(fd);
}

/* ---- errors ------------------------------------------------------------- */

/*
 * What stops a user queue, and only it: a privileged FENCE (a user queue
 * is never trusted with one; its retired count does not pass it), an
 * unknown command, an unbound ring. The reason is reported; the pending
 * SIGNAL fence signals with -EIO.
 */
static void test_errors(void)
{
	static const struct {
		const char *what;
		uint32_t reason;
	} cases[] = {
		{ "fence", DRM_PVGPU_QUEUE_REASON_PRIVILEGED },
		{ "illegal", DRM_PVGPU_QUEUE_REASON_ILLEGAL_CMD },
		{ "unbound-ring", DRM_PVGPU_QUEUE_REASON_PAGE_FAULT },
	};
	int fd = open_render();
	struct drm_pvgpu_queue_get_state s;
	struct drm_pvgpu_sync out;
	struct pvgpu_userq uq, other;
	struct pvgpu_batch b;
	struct data_bo d;
	uint32_t vm, so, i;

	igt_emit_ignore_dmesg_regex("user queue .* (stopped|page fault)");
	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	data_bo_init(fd, vm, &d);
	igt_assert_eq(pvgpu_userq_init(&other, fd, vm,
				       DRM_PVGPU_ENGINE_CLASS_COMPUTE,
				       RING_VA + 16 * RING_SIZE, RING_SIZE), 0);
	igt_assert_eq(pvgpu_syncobj_create(fd, 0, &so), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		igt_info("case %s\n", cases[i].what);
		igt_assert_eq(pvgpu_userq_init(&uq, fd, vm,
					       DRM_PVGPU_ENGINE_CLASS_COMPUTE,
					       RING_VA, RING_SIZE), 0);
		pvgpu_batch_reset(&b);
		pvgpu_batch_store32(&b, DATA_VA, i + 1);
		if (i == 0) {
			pvgpu_batch_fence(&b, 1);
		} else if (i == 1) {
			b.dw[b.len++] = PVGPU_CMD_HDR(0xfe, 0, 1);
		} else {
			igt_assert_eq(pvgpu_bind_unmap(fd, vm, RING_VA,
						       RING_SIZE), 0);
		}
		igt_assert_eq(pvgpu_userq_write(&uq, &b), 0);
		out = pvgpu_sync_syncobj(so, 1);
		igt_assert_eq(pvgpu_userq_signal(fd, uq.queue_id, &out, 1), 0);
		pvgpu_userq_ring_doorbell(&uq);
		s = wait_banned(fd, uq.queue_id);
		igt_assert_eq(s.reason, cases[i].reason);
		igt_assert_eq(s.flags & DRM_PVGPU_QUEUE_STATE_RESET,
			      DRM_PVGPU_QUEUE_STATE_RESET);
		igt_assert_eq(s.error, -EIO);
		igt_assert_eq(syncobj_status(fd, so), -EIO);
		if (i < 2) {
			/* The store before it ran, the bad command did not. */
			igt_assert_eq(d.map[0], i + 1);
			igt_assert_eq_u64(s.retired, PVGPU_CMD_LEN_STORE32 * 4);
		} else {
			igt_assert_eq_u64(s.retired, 0);
		}
		if (i == 2)
			igt_assert_eq(pvgpu_bind_map(fd, vm, uq.ring_bo, 0,
						     RING_VA, RING_SIZE,
						     DRM_PVGPU_VM_BIND_FLAG_READONLY),
				      0);
		pvgpu_userq_fini(&uq);

		/* The other queue is untouched. */
		pvgpu_batch_reset(&b);
		pvgpu_batch_store32(&b, DATA_VA + 0x40, 100 + i);
		igt_assert_eq(pvgpu_userq_submit(&other, &b), 0);
		igt_assert_eq(pvgpu_userq_wait_idle(&other, 10 * SEC), 0);
		igt_assert_eq(d.map[0x10], 100 + i);
		igt_assert_eq(get_state(fd, other.queue_id).flags, 0);
	}
	pvgpu_syncobj_destroy(fd, so);
	pvgpu_userq_fini(&other);
	data_bo_fini(fd, vm, &d);
	pvgpu_vm_destroy(fd, vm);
	close(fd);
}

/*
 * A hung user queue (one DELAY longer than the firmware's watchdog, no
 * progress) is reset by the watchdog: reason HANG, guilty, banned; another
 * user queue of the same process runs on.
 */
static void test_hang_watchdog(void)
{
	int fd = open_render();
	unsigned long long watchdog_ms = igt_pvgpu_fw_cap("watchdog_ms");
	struct drm_pvgpu_queue_get_state s;
	struct pvgpu_userq uq, other;
	struct pvgpu_batch b;
	struct data_bo d;
	uint32_t vm;

	igt_require_f(watchdog_ms && watchdog_ms <= 10000,
		      "watchdog %llu ms\n", watchdog_ms);
	igt_emit_ignore_dmesg_regex("user queue .* stopped");
	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	data_bo_init(fd, vm, &d);
	igt_assert_eq(pvgpu_userq_init(&uq, fd, vm,
				       DRM_PVGPU_ENGINE_CLASS_COMPUTE,
				       RING_VA, RING_SIZE), 0);
	igt_assert_eq(pvgpu_userq_init(&other, fd, vm,
				       DRM_PVGPU_ENGINE_CLASS_COMPUTE,
				       RING_VA + RING_SIZE, RING_SIZE), 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_delay(&b, (watchdog_ms + 2000) * 1000 * 1000ull, 0);
	pvgpu_batch_store32(&b, DATA_VA, 1);
	igt_assert_eq(pvgpu_userq_submit(&uq, &b), 0);

	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, DATA_VA + 4, 2);
	igt_assert_eq(pvgpu_userq_submit(&other, &b), 0);
	igt_assert_eq(pvgpu_userq_wait_idle(&other, 10 * SEC), 0);

	s = wait_banned(fd, uq.queue_id);
	igt_assert_eq(s.reason, DRM_PVGPU_QUEUE_REASON_HANG);
	igt_assert_eq(s.error, -ETIMEDOUT);
	igt_assert_eq(s.flags, DRM_PVGPU_QUEUE_STATE_BANNED |
		      DRM_PVGPU_QUEUE_STATE_RESET |
		      DRM_PVGPU_QUEUE_STATE_GUILTY);
	igt_assert_eq(s.fw_state, DRM_PVGPU_USERQ_STATE_STOPPED);
	igt_assert_eq_u64(s.retired, 0);
	igt_assert_eq(d.map[0], 0);
	igt_assert_eq(d.map[1], 2);
	igt_assert_eq(get_state(fd, other.queue_id).flags, 0);

	pvgpu_userq_fini(&other);
	pvgpu_userq_fini(&uq);
	data_bo_fini(fd, vm, &d);
	pvgpu_vm_destroy(fd, vm);
	close(fd);
}

/* ---- limits and lifetime ------------------------------------------------ */

/*
 * max_user_queues_per_file bounds a file's user queues: one more is
 * -ENOSPC, never a warning; a destroyed one makes room; another file has
 * its own.
 */
static void test_per_file_limit(void)
{
	int fd = open_render(), fd2;
	struct drm_pvgpu_userq_create c = {
		.engine_class = DRM_PVGPU_ENGINE_CLASS_COPY,
		.ring_va = RING_VA,
		.ring_size = RING_SIZE,
	};
	uint32_t vm, vm2, ids[4], i;

	igt_pvgpu_param_set("max_user_queues_per_file", 4);
	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	c.vm_id = vm;
	for (i = 0; i < 4; i++) {
		igt_assert_eq(pvgpu_userq_create(fd, &c), 0);
		ids[i] = c.queue_id;
	}
	igt_assert_err(pvgpu_userq_create(fd, &c), -ENOSPC);
	igt_assert_eq(pvgpu_queue_destroy(fd, ids[1]), 0);
	igt_assert_eq(pvgpu_userq_create(fd, &c), 0);
	ids[1] = c.queue_id;
	igt_assert_err(pvgpu_userq_create(fd, &c), -ENOSPC);

	fd2 = open_render();
	igt_assert_eq(pvgpu_vm_create(fd2, 0, &vm2), 0);
	c.vm_id = vm2;
	igt_assert_eq(pvgpu_userq_create(fd2, &c), 0);
	close(fd2);

	for (i = 0; i < 4; i++)
		pvgpu_queue_destroy(fd, ids[i]);
	pvgpu_vm_destroy(fd, vm);
	close(fd);
}

static int debugfs_count(const char *prefix)
{
	FILE *f = igt_pvgpu_debugfs_fopen("queues");
	char line[256];
	int n = 0;

	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, prefix, strlen(prefix)))
			n++;
	fclose(f);
	return n;
}

/*
 * SIGKILL of a process with busy user queues (long DELAYs, pending
 * SIGNAL fences, mapped pages) leaves no queue behind.
 */
static void test_kill_process(void)
{
	int pipefd[2], status, before;
	pid_t pid;
	char c;

	before = debugfs_count("user queue fw");
	igt_assert_eq(pipe(pipefd), 0);
	pid = fork();
	igt_assert(pid >= 0);
	if (!pid) {
		int fd = open_render();
		struct drm_pvgpu_sync out;
		struct pvgpu_userq uq[4];
		struct pvgpu_batch b;
		uint32_t vm, so, i;

		igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
		igt_assert_eq(pvgpu_syncobj_create(fd, 0, &so), 0);
		for (i = 0; i < 4; i++) {
			igt_assert_eq(pvgpu_userq_init(&uq[i], fd, vm,
						       DRM_PVGPU_ENGINE_CLASS_COMPUTE,
						       RING_VA + i * RING_SIZE,
						       RING_SIZE), 0);
			pvgpu_batch_reset(&b);
			pvgpu_batch_delay(&b, 500 * 1000 * 1000ull, 0);
			pvgpu_batch_delay(&b, 500 * 1000 * 1000ull, 0);
			igt_assert_eq(pvgpu_userq_submit(&uq[i], &b), 0);
			out = pvgpu_sync_syncobj(so, 1);
			igt_assert_eq(pvgpu_userq_signal(fd, uq[i].queue_id,
							 &out, 1), 0);
		}
		igt_assert_eq(write(pipefd[1], "x", 1), 1);
		pause();
		_exit(0);
	}
	igt_assert_eq(read(pipefd[0], &c, 1), 1);
	igt_assert_eq(debugfs_count("user queue fw"), before + 4);
	kill(pid, SIGKILL);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	for (int i = 0; i < 50 && debugfs_count("user queue fw") > before; i++)
		usleep(100 * 1000);
	igt_assert_eq(debugfs_count("user queue fw"), before);
	close(pipefd[0]);
	close(pipefd[1]);
}

/* ---- suspension around VM changes ------------------------------------- */

struct binder {
	int fd;
	uint32_t vm_id;
	uint32_t bo;
	volatile int stop;
	unsigned int cycles;
	int error;
};

#define SCRATCH_VA	0x500000000ull

static void *binder_thread(void *arg)
{
	struct binder *bd = arg;

	while (!bd->stop && !bd->error) {
		bd->error = pvgpu_bind_map(bd->fd, bd->vm_id, bd->bo, 0,
					   SCRATCH_VA, 0x10000, 0);
		if (!bd->error)
			bd->error = pvgpu_bind_unmap(bd->fd, bd->vm_id,
						     SCRATCH_VA, 0x10000);
		bd->cycles++;
	}
	return NULL;
}

/* The sum of "suspends N" over the debugfs "queues" file. */
static long long debugfs_suspends(void)
{
	FILE *f = igt_pvgpu_debugfs_fopen("queues");
	char line[256], *p;
	long long n = 0;

	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, " suspends ");
		if (p)
			n += strtoll(p + 10, NULL, 10);
	}
	fclose(f);
	return n;
}

/*
 * While a user queue runs 400 increments (ATOMIC, each followed by a
 * preemptible DELAY), another thread maps and unmaps memory of the same
 * VM: every unmap suspends the queue (the firmware takes it off its slot
 * at a command boundary, cutting the DELAY) and resumes it after the
 * tables changed. Nothing is lost or repeated: the counter ends at 400.
 */
static void test_suspend_under_binds(void)
{
	int fd = open_render();
	struct binder bd = { .fd = fd };
	struct pvgpu_userq uq;
	struct pvgpu_batch b;
	struct data_bo d;
	long long before;
	pthread_t thread;
	uint32_t vm, i;
	int ret;

	igt_require_f(debugfs_suspends() >= 0, "no debugfs queues file\n");
	before = debugfs_suspends();
	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	data_bo_init(fd, vm, &d);
	igt_assert_eq(pvgpu_bo_create(fd, 0x10000, 0, &bd.bo), 0);
	bd.vm_id = vm;
	igt_assert_eq(pvgpu_userq_init(&uq, fd, vm,
				       DRM_PVGPU_ENGINE_CLASS_COMPUTE,
				       RING_VA, RING_SIZE), 0);
	igt_assert_eq(pthread_create(&thread, NULL, binder_thread, &bd), 0);
	for (i = 0; i < 400; i++) {
		pvgpu_batch_reset(&b);
		pvgpu_batch_atomic(&b, PVGPU_ATOMIC_ADD32, DATA_VA, 1, 0, 0);
		pvgpu_batch_delay(&b, 300 * 1000, 0);
		pvgpu_batch_store32(&b, DATA_VA + 4, i + 1);
		while ((ret = pvgpu_userq_submit(&uq, &b)) == -ENOSPC)
			usleep(200);
		igt_assert_eq(ret, 0);
	}
	igt_assert_eq(pvgpu_userq_wait_idle(&uq, 60 * SEC), 0);
	bd.stop = 1;
	pthread_join(thread, NULL);
	igt_assert_eq(bd.error, 0);
	igt_info("%u map/unmap cycles, %lld suspensions\n", bd.cycles,
		 debugfs_suspends() - before);
	igt_assert_eq(d.map[0], 400);
	igt_assert_eq(d.map[1], 400);
	igt_assert_eq(get_state(fd, uq.queue_id).flags, 0);
	igt_assert_lt(before, debugfs_suspends());

	pvgpu_userq_fini(&uq);
	pvgpu_gem_close(fd, bd.bo);
	data_bo_fini(fd, vm, &d);
	pvgpu_vm_destroy(fd, vm);
	close(fd);
}

static const struct igt_lite_subtest subtests[] = {
	{ "create-basic", test_create_basic,
	  "a new user queue is idle at position 0; EXEC refuses it; destroy frees its id" },
	{ "create-invalid", test_create_invalid,
	  "bad ring size, address, class, priority, timeslice, flags, VM" },
	{ "doorbell-submit", test_doorbell_submit,
	  "3000 submissions by stores alone wrap the ring; every value lands" },
	{ "doorbell-needed", test_doorbell_needed,
	  "commands run at the doorbell, not before" },
	{ "many-queues", test_many_queues,
	  "4x as many user queues as slots all complete exactly" },
	{ "mmap-rules", test_mmap_rules,
	  "status page read-only for good, one page, no exec; pages outlive the queue" },
	{ "doorbell-isolation", test_doorbell_isolation,
	  "another file cannot map or ring a file's queue; fork inherits no mapping" },
	{ "signal-timeline", test_signal_timeline,
	  "USERQ_SIGNAL points signal after the work written before them, in order" },
	{ "bridge-exec", test_bridge_exec,
	  "an EXEC waits for a user queue and a user queue for an EXEC" },
	{ "signal-timeout", test_signal_timeout,
	  "a queue that never gets there: -ETIMEDOUT, reset and banned; others go on" },
	{ "bridge-invalid", test_bridge_invalid,
	  "USERQ_SIGNAL/USERQ_WAIT negative cases change nothing" },
	{ "errors", test_errors,
	  "FENCE, a bad command, an unbound ring stop only that queue, with the reason" },
	{ "hang-watchdog", test_hang_watchdog,
	  "the firmware watchdog resets a hung user queue (reason HANG); another runs on" },
	{ "per-file-limit", test_per_file_limit,
	  "max_user_queues_per_file: -ENOSPC, room again after a destroy" },
	{ "suspend-under-binds", test_suspend_under_binds,
	  "unmaps in the VM suspend and resume a busy user queue: nothing lost or repeated" },
	{ "kill-process", test_kill_process,
	  "SIGKILL with busy user queues leaves nothing behind" },
};

IGT_LITE_MAIN("pvgpu_userq", subtests)
