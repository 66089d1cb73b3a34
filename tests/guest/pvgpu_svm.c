// SPDX-License-Identifier: MIT
/*
 * pvgpu_svm: recoverable GPU page faults and shared virtual memory
 * (docs/svm.rst). Fault-mode VMs (LR | FAULT_MODE) whose MAP_MIRROR
 * covers the process's address space: the GPU copies, fills and updates
 * malloc'ed, mmap'ed (anonymous, memfd, file), stack memory at its CPU
 * addresses, checked from the CPU; lazy BO maps give what eager binds
 * give; fault-mode userptr is not pinned; munmap, mremap, fork's
 * copy-on-write, MADV_DONTNEED and free/malloc are seen by the next GPU
 * access; concurrent faults of several queues and of another process;
 * PREFETCH leaves the workload nothing to fault; unresolvable faults fail
 * only their queue, with the address and access reported; a user queue
 * faults as an exec queue does; a fault storm; a process killed with
 * faults in flight; and the uAPI's error cases. The
 * VM_GET_STATE counters (faults, resolved, failed, pages populated,
 * invalidations) are checked throughout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt_lite.h"
#include "pvgpu_test.h"
#include "libpvgpu.h"
#include "pvgpu_cmds.h"
#include "pvgpu_gpu.h"
#include "pvgpu_user_queue.h"

#define SZ_4K	0x1000ull
#define SZ_64K	0x10000ull
#define SZ_1M	0x100000ull
#define SZ_2M	0x200000ull
#define SZ_1G	0x40000000ull
#define SEC	1000000000ll
#define WAIT_NS	(60 * SEC)

/*
 * The mirror covers the CPU addresses of a 47-bit x86 process; GPU-only
 * mappings go above it (the device's user VA must reach beyond 2^47).
 */
#define MIRROR_START	SZ_4K
#define MIRROR_END	(1ull << 47)
#define BATCH_VA	MIRROR_END
#define BATCH_SIZE	0x20000ull
#define BATCH_SLOT	0x1000u
#define NUM_SLOTS	((unsigned int)(BATCH_SIZE / BATCH_SLOT))
#define BO_VA		(MIRROR_END + SZ_1G)
#define NOWHERE_VA	(MIRROR_END + 4 * SZ_1G)	/* nothing mapped */
#define USERQ_RING_VA	(MIRROR_END + 2 * SZ_1G)
#define USERQ_RING_SIZE	0x10000u

#define MAX_QUEUES	8
/* dwords a pvgpu_batch holds (the builder's capacity). */
#define BATCH_DW	((unsigned int)(sizeof(((struct pvgpu_batch *)0)->dw) / 4))

#define GUILTY_RE	"exec queue .* guilty"

#define VM_FAULT	(DRM_PVGPU_VM_CREATE_LR | DRM_PVGPU_VM_CREATE_FAULT_MODE)

/* ---- helpers ---------------------------------------------------------- */

static int open_render(void)
{
	return igt_open_pvgpu_render(NULL, 0);
}

/* Skip without recoverable faults or without room above the mirror. */
static void require_svm(int fd)
{
	struct drm_pvgpu_query_device dev = pvgpu_test_query_device(fd);

	igt_require_f(dev.flags & DRM_PVGPU_DEVICE_PAGE_FAULTS,
		      "device without recoverable page faults\n");
	igt_require_f(DRM_PVGPU_USER_VA_END(dev.va_bits) > NOWHERE_VA + SZ_1G,
		      "va_bits %u: no room above a 47-bit mirror\n",
		      dev.va_bits);
}

static uint32_t word(uint32_t seed, uint64_t i)
{
	return seed * 0x9e3779b1u ^ (uint32_t)i * 0x85ebca6bu ^ (uint32_t)(i >> 32);
}

static void fill_words(volatile uint32_t *p, uint64_t bytes, uint32_t seed)
{
	for (uint64_t i = 0; i < bytes / 4; i++)
		p[i] = word(seed, i);
}

static void assert_words(const volatile uint32_t *p, uint64_t bytes,
			 uint32_t seed)
{
	for (uint64_t i = 0; i < bytes / 4; i++)
		igt_assert_f(p[i] == word(seed, i),
			     "word %llu at %p: %#x, expected %#x\n",
			     (unsigned long long)i, (const void *)&p[i], p[i],
			     word(seed, i));
}

static void assert_all(const volatile uint32_t *p, uint64_t bytes, uint32_t v)
{
	for (uint64_t i = 0; i < bytes / 4; i++)
		igt_assert_f(p[i] == v, "word %llu at %p: %#x, expected %#x\n",
			     (unsigned long long)i, (const void *)&p[i], p[i],
			     v);
}

static void *map_anon(uint64_t size, int prot)
{
	void *p = mmap(NULL, size, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	igt_assert(p != MAP_FAILED);
	return p;
}

/*
 * Anonymous memory of @size (<= 2 MiB) inside one 2 MiB-aligned CPU
 * granule, so that one fault populates all of it (the driver's chunk is
 * the granule around the address, clipped to the VMA): where mmap()
 * places a plain mapping, it may straddle two granules, and the pages of
 * the one no access touches are never populated.
 */
static void *map_anon_one_granule(uint64_t size, int prot)
{
	char *p = map_anon(2 * SZ_2M, prot), *start;

	igt_assert_lte_u64(size, SZ_2M);
	start = (char *)(((uintptr_t)p + SZ_2M - 1) & ~(uintptr_t)(SZ_2M - 1));
	if (start > p)
		igt_assert_eq(munmap(p, start - p), 0);
	igt_assert_eq(munmap(start + size, p + 2 * SZ_2M - (start + size)), 0);
	return start;
}

static uint64_t va(const volatile void *p)
{
	return (uintptr_t)p;
}

static int bind_op(int fd, uint32_t vm, struct drm_pvgpu_vm_bind_op op)
{
	return pvgpu_vm_bind(fd, vm, 0, &op, 1, NULL, 0,
			     DRM_PVGPU_VM_BIND_WAIT);
}

static struct drm_pvgpu_vm_bind_op op_mirror(uint64_t addr, uint64_t range,
					     uint32_t flags)
{
	struct drm_pvgpu_vm_bind_op op = {
		.op = DRM_PVGPU_VM_BIND_OP_MAP_MIRROR, .flags = flags,
		.addr = addr, .range = range,
	};

	return op;
}

static struct drm_pvgpu_vm_bind_op op_prefetch(uint64_t addr, uint64_t range)
{
	struct drm_pvgpu_vm_bind_op op = {
		.op = DRM_PVGPU_VM_BIND_OP_PREFETCH,
		.addr = addr, .range = range,
	};

	return op;
}

static struct drm_pvgpu_vm_get_state vm_state(int fd, uint32_t vm)
{
	struct drm_pvgpu_vm_get_state s;

	igt_assert_eq(pvgpu_vm_get_state(fd, vm, &s), 0);
	igt_assert_eq(s.state, DRM_PVGPU_VM_STATE_USABLE);
	return s;
}

static void print_state(const char *what, const struct drm_pvgpu_vm_get_state *s)
{
	igt_info("%s: faults %llu resolved %llu failed %llu service %llu ns populated %llu invalidations %llu mappings %llu\n",
		 what, (unsigned long long)s->faults,
		 (unsigned long long)s->faults_resolved,
		 (unsigned long long)s->faults_failed,
		 (unsigned long long)s->fault_ns,
		 (unsigned long long)s->pages_populated,
		 (unsigned long long)s->invalidations,
		 (unsigned long long)s->num_mappings);
}

/*
 * A VM, its exec queues (copy engine) and a batch BO at BATCH_VA of
 * NUM_SLOTS slots. Each slot has a user fence in @fence, written by the
 * kernel when the job of that slot completes (LR VMs take no dma-fence
 * out-sync).
 */
struct gpu {
	int fd;
	uint32_t vm;
	uint32_t q[MAX_QUEUES];
	unsigned int num_q;
	uint32_t batch_bo;
	uint8_t *batch_map;
	uint64_t *fence;
	uint64_t seq;
};

static uint32_t new_queue(struct gpu *g)
{
	uint32_t q;

	igt_assert_eq(pvgpu_queue_create(g->fd, g->vm,
					 DRM_PVGPU_ENGINE_CLASS_COPY, 0, 0, &q),
		      0);
	return q;
}

/* @mirror: MAP_MIRROR of [MIRROR_START, MIRROR_END). */
static void gpu_init(struct gpu *g, int fd, uint32_t vm_flags, bool mirror,
		     unsigned int num_q)
{
	memset(g, 0, sizeof(*g));
	g->fd = fd;
	igt_assert_eq(pvgpu_vm_create(fd, vm_flags, &g->vm), 0);
	if (mirror)
		igt_assert_eq(bind_op(fd, g->vm,
				      op_mirror(MIRROR_START,
						MIRROR_END - MIRROR_START, 0)),
			      0);
	igt_assert_eq(pvgpu_bo_create(fd, BATCH_SIZE, 0, &g->batch_bo), 0);
	g->batch_map = pvgpu_bo_map(fd, g->batch_bo, BATCH_SIZE);
	igt_assert(g->batch_map);
	igt_assert_eq(pvgpu_bind_map(fd, g->vm, g->batch_bo, 0, BATCH_VA,
				     BATCH_SIZE, DRM_PVGPU_VM_BIND_FLAG_READONLY),
		      0);
	g->fence = map_anon(SZ_4K, PROT_READ | PROT_WRITE);
	igt_assert_lte(num_q, MAX_QUEUES);
	for (g->num_q = 0; g->num_q < num_q; g->num_q++)
		g->q[g->num_q] = new_queue(g);
}

static void gpu_fini(struct gpu *g)
{
	for (unsigned int i = 0; i < g->num_q; i++)
		pvgpu_queue_destroy(g->fd, g->q[i]);
	pvgpu_bind_unmap(g->fd, g->vm, BATCH_VA, BATCH_SIZE);
	munmap(g->batch_map, BATCH_SIZE);
	pvgpu_gem_close(g->fd, g->batch_bo);
	munmap(g->fence, SZ_4K);
	pvgpu_vm_destroy(g->fd, g->vm);
}

/* Queue @i replaced by a fresh one (after it failed). */
static void gpu_replace_queue(struct gpu *g, unsigned int i)
{
	uint32_t q = new_queue(g);

	pvgpu_queue_destroy(g->fd, g->q[i]);
	g->q[i] = q;
}

/*
 * Ends @b, puts it in slot @slot and executes it on queue @i with the
 * slot's user fence; returns the value the fence gets.
 */
static uint64_t gpu_submit(struct gpu *g, unsigned int i, unsigned int slot,
			   struct pvgpu_batch *b)
{
	struct drm_pvgpu_sync out;

	pvgpu_batch_end(b);
	igt_assert_lte(b->len, BATCH_DW);
	igt_assert_lte(b->len * 4, BATCH_SLOT);
	igt_assert_lt(slot, NUM_SLOTS);
	igt_assert_lt(i, g->num_q);
	memcpy(g->batch_map + slot * BATCH_SLOT, b->dw, b->len * 4);
	out = pvgpu_sync_user_fence(&g->fence[slot], ++g->seq);
	igt_assert_eq(pvgpu_exec(g->fd, g->q[i],
				 BATCH_VA + (uint64_t)slot * BATCH_SLOT, &out, 1),
		      0);
	return g->seq;
}

/*
 * 0 once slot @slot's fence has @seq, -EIO if queue @i was reset first.
 * The kernel writes a user fence when the job's fence signals, whatever
 * its error: a fence value alone does not say that the job succeeded.
 */
static int gpu_wait(struct gpu *g, unsigned int i, unsigned int slot,
		    uint64_t seq)
{
	return pvgpu_wait_user_fence(g->fd, &g->fence[slot],
				     DRM_PVGPU_UFENCE_OP_EQ, seq, ~0ull,
				     WAIT_NS, g->q[i]);
}

static struct drm_pvgpu_queue_get_state queue_state(struct gpu *g,
						    unsigned int i)
{
	struct drm_pvgpu_queue_get_state s;

	igt_assert_eq(pvgpu_queue_get_state(g->fd, g->q[i], &s), 0);
	return s;
}

static void print_queue(struct gpu *g, unsigned int i,
			const struct drm_pvgpu_queue_get_state *s)
{
	igt_info("queue %u: flags %#x error %d reason %u fault_addr %#llx access %u type %u\n",
		 g->q[i], s->flags, s->error, s->reason,
		 (unsigned long long)s->fault_addr, s->fault_access,
		 s->fault_type);
}

/* The job of queue @i in @slot completed, and the queue did not fail. */
static void gpu_wait_ok(struct gpu *g, unsigned int i, unsigned int slot,
			uint64_t seq)
{
	int ret = gpu_wait(g, i, slot, seq);
	struct drm_pvgpu_queue_get_state s = queue_state(g, i);

	if (ret || s.flags || s.error)
		print_queue(g, i, &s);
	igt_assert_err(ret, 0);
	igt_assert_eq(s.flags, 0);
	igt_assert_eq(s.error, 0);
}

static void gpu_run(struct gpu *g, struct pvgpu_batch *b)
{
	uint64_t seq = gpu_submit(g, 0, 0, b);

	gpu_wait_ok(g, 0, 0, seq);
}

/*
 * The job of queue @i in @slot failed on an unresolvable fault at @addr:
 * the queue is banned, guilty, with the address and access reported.
 * @type 0: any fault type.
 */
static void expect_fault(struct gpu *g, unsigned int i, unsigned int slot,
			 uint64_t seq, uint64_t addr, uint32_t access,
			 uint32_t type)
{
	struct drm_pvgpu_queue_get_state s;
	int ret = gpu_wait(g, i, slot, seq);

	igt_assert_f(ret == 0 || ret == -EIO, "wait: %d\n", ret);
	/* The ban follows the reset from a work item. */
	for (int k = 0; k < 1000; k++) {
		s = queue_state(g, i);
		if (s.flags & DRM_PVGPU_QUEUE_STATE_BANNED)
			break;
		usleep(10 * 1000);
	}
	print_queue(g, i, &s);
	igt_assert(s.flags & DRM_PVGPU_QUEUE_STATE_BANNED);
	igt_assert(s.flags & DRM_PVGPU_QUEUE_STATE_GUILTY);
	igt_assert_eq(s.error, -EIO);
	igt_assert_eq(s.reason, DRM_PVGPU_QUEUE_REASON_FAULT_FAILED);
	igt_assert_eq_u64(s.fault_addr, addr);
	igt_assert_eq(s.fault_access, access);
	if (type)
		igt_assert_eq(s.fault_type, type);
}

/* Runs @b on queue 0 expecting that fault, then replaces queue 0. */
static void gpu_run_fault(struct gpu *g, struct pvgpu_batch *b, uint64_t addr,
			  uint32_t access, uint32_t type)
{
	uint64_t seq = gpu_submit(g, 0, 0, b);

	expect_fault(g, 0, 0, seq, addr, access, type);
	gpu_replace_queue(g, 0);
}

/* Every fault so far resolved, at least @min of them. */
static void assert_resolved(const struct drm_pvgpu_vm_get_state *s,
			    uint64_t min)
{
	igt_assert_lte_u64(min, s->faults);
	igt_assert_eq_u64(s->faults_failed, 0);
	igt_assert_eq_u64(s->faults_resolved, s->faults);
	if (s->faults)
		igt_assert_lt(0, s->fault_ns);
}

/* ---- mirror of malloc'ed memory ---------------------------------------- */

/*
 * The GPU copies, fills and updates (ATOMIC) malloc'ed memory by its CPU
 * address: small heap blocks, a block spanning pages, a block malloc
 * takes from mmap that the CPU never touched.
 */
static void test_mirror_malloc(void)
{
	int fd = open_render();
	const uint64_t copy_size = 100000, fill_size = SZ_1M + 12;
	uint32_t *src, *dst, *fillbuf;
	uint64_t *counter, *old;
	struct drm_pvgpu_vm_get_state s;
	struct pvgpu_batch b;
	struct gpu g;

	require_svm(fd);
	gpu_init(&g, fd, VM_FAULT, true, 1);
	s = vm_state(fd, g.vm);
	igt_assert_eq_u64(s.faults, 0);
	igt_assert_eq_u64(s.pages_populated, 0);

	src = malloc(copy_size);
	dst = malloc(copy_size);
	fillbuf = malloc(fill_size);	/* mmap'ed by malloc, untouched */
	counter = malloc(64);
	old = malloc(64);
	igt_assert(src && dst && fillbuf && counter && old);
	fill_words(src, copy_size, 1);
	memset(dst, 0, copy_size);
	counter[0] = 1000;
	counter[1] = 5;
	memset(old, 0xff, 64);

	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, va(src), va(dst), copy_size);
	pvgpu_batch_fill(&b, va(fillbuf), fill_size, 0xc0ffee11);
	for (int i = 0; i < 10; i++)
		pvgpu_batch_atomic(&b, PVGPU_ATOMIC_ADD64, va(&counter[0]), 3,
				   0, i == 9 ? va(&old[0]) : 0);
	pvgpu_batch_atomic(&b, PVGPU_ATOMIC_CMPXCHG64, va(&counter[1]), 77, 5,
			   va(&old[1]));
	pvgpu_batch_atomic(&b, PVGPU_ATOMIC_CMPXCHG64, va(&counter[1]), 99, 5,
			   va(&old[2]));
	gpu_run(&g, &b);

	assert_words(dst, copy_size, 1);
	assert_words(src, copy_size, 1);
	assert_all(fillbuf, fill_size, 0xc0ffee11);
	igt_assert_eq_u64(counter[0], 1030);
	igt_assert_eq_u64(old[0], 1027);
	igt_assert_eq_u64(counter[1], 77);
	igt_assert_eq_u64(old[1], 5);
	igt_assert_eq_u64(old[2], 77);

	s = vm_state(fd, g.vm);
	print_state("mirror-malloc", &s);
	assert_resolved(&s, 2);
	/* At least the pages of the fill, the copy and the batch. */
	igt_assert_lte_u64((fill_size + 2 * copy_size) / SZ_4K, s.pages_populated);

	/* The CPU changes the data, the GPU sees it (no stale copy). */
	fill_words(src, copy_size, 2);
	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, va(src), va(dst), copy_size);
	gpu_run(&g, &b);
	assert_words(dst, copy_size, 2);

	free(src);
	free(dst);
	free(fillbuf);
	free(counter);
	free(old);
	gpu_fini(&g);
	close(fd);
}

/* ---- mirror of other kinds of memory ----------------------------------- */

static void test_mirror_kinds(void)
{
	const uint64_t size = 16 * SZ_4K;
	int fd = open_render();
	volatile uint64_t stack_words[512];
	struct drm_pvgpu_vm_get_state s;
	uint32_t *anon, *out, *shm, *back;
	char path[] = "/tmp/pvgpu_svm_XXXXXX";
	struct pvgpu_batch b;
	struct gpu g;
	int memfd, file;

	require_svm(fd);
	gpu_init(&g, fd, VM_FAULT, true, 1);
	out = map_anon(size, PROT_READ | PROT_WRITE);
	back = malloc(size);
	igt_assert(back);

	/* Anonymous mmap: CPU-written data copied, the rest filled. */
	anon = map_anon(2 * size, PROT_READ | PROT_WRITE);
	fill_words(anon, size, 3);
	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, va(anon), va(out), size);
	pvgpu_batch_fill(&b, va(anon) + size, size, 0xa11a11a1);
	pvgpu_batch_store32(&b, va(anon) + 4, 0x12345678);
	gpu_run(&g, &b);
	assert_words(out, size, 3);
	assert_all(anon + size / 4, size, 0xa11a11a1);
	igt_assert_eq(anon[1], 0x12345678);
	igt_assert_eq(anon[0], word(3, 0));
	igt_assert_eq(anon[2], word(3, 2));

	/* A memfd mapped shared: the GPU's writes land in the file. */
	memfd = memfd_create("pvgpu_svm", 0);
	igt_assert_lte(0, memfd);
	igt_assert_eq(ftruncate(memfd, size), 0);
	shm = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	igt_assert(shm != MAP_FAILED);
	fill_words(shm, size, 4);
	pvgpu_batch_reset(&b);
	pvgpu_batch_fill(&b, va(shm), size / 2, 0x5eed0004);
	pvgpu_batch_copy(&b, va(shm) + size / 2, va(out), size / 2);
	gpu_run(&g, &b);
	assert_all(shm, size / 2, 0x5eed0004);
	for (uint64_t i = 0; i < size / 8; i++)
		igt_assert_eq(out[i], word(4, size / 8 + i));
	igt_assert_eq(pread(memfd, back, size, 0), (long long)size);
	assert_all(back, size / 2, 0x5eed0004);
	for (uint64_t i = size / 8; i < size / 4; i++)
		igt_assert_eq(back[i], word(4, i));
	munmap(shm, size);
	close(memfd);

	/* A regular file in /tmp mapped shared: the same. */
	file = mkstemp(path);
	igt_assert_lte(0, file);
	unlink(path);
	igt_assert_eq(ftruncate(file, size), 0);
	shm = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
	igt_assert(shm != MAP_FAILED);
	fill_words(shm, size, 5);
	pvgpu_batch_reset(&b);
	pvgpu_batch_fill(&b, va(shm), size / 2, 0x5eed0005);
	pvgpu_batch_copy(&b, va(shm) + size / 2, va(out), size / 2);
	gpu_run(&g, &b);
	assert_all(shm, size / 2, 0x5eed0005);
	for (uint64_t i = 0; i < size / 8; i++)
		igt_assert_eq(out[i], word(5, size / 8 + i));
	igt_assert_eq(msync(shm, size, MS_SYNC), 0);
	igt_assert_eq(pread(file, back, size, 0), (long long)size);
	assert_all(back, size / 2, 0x5eed0005);
	for (uint64_t i = size / 8; i < size / 4; i++)
		igt_assert_eq(back[i], word(5, i));
	munmap(shm, size);
	close(file);

	/* This function's stack. */
	for (int i = 0; i < 512; i++)
		stack_words[i] = i;
	pvgpu_batch_reset(&b);
	for (int i = 0; i < 512; i += 37)
		pvgpu_batch_store64(&b, va(&stack_words[i]),
				    0xfeed000000000000ull | i);
	pvgpu_batch_fill(&b, va(&stack_words[256]), 128 * 8, 0x0b0b0b0b);
	gpu_run(&g, &b);
	for (int i = 0; i < 512; i++) {
		uint64_t want = i;

		if (i >= 256 && i < 384)
			want = 0x0b0b0b0b0b0b0b0bull;
		else if (i % 37 == 0)
			want = 0xfeed000000000000ull | i;
		igt_assert_f(stack_words[i] == want,
			     "stack word %d: %#llx, expected %#llx\n", i,
			     (unsigned long long)stack_words[i],
			     (unsigned long long)want);
	}

	s = vm_state(fd, g.vm);
	print_state("mirror-kinds", &s);
	assert_resolved(&s, 5);

	free(back);
	munmap(anon, 2 * size);
	munmap(out, size);
	gpu_fini(&g);
	close(fd);
}

/* ---- first touch of BO and userptr mappings ---------------------------- */

#define FT_BO_SIZE	(4 * SZ_1M)

/* The same commands on a BO at BO_VA, both 2 MiB halves touched. */
static void first_touch_batch(struct pvgpu_batch *b)
{
	pvgpu_batch_reset(b);
	pvgpu_batch_fill(b, BO_VA + SZ_64K, 3 * SZ_64K + 8, 0x7e57f111);
	pvgpu_batch_copy(b, BO_VA, BO_VA + SZ_2M + SZ_4K, 5 * SZ_4K + 4);
	for (int i = 0; i < 16; i++)
		pvgpu_batch_store32(b, BO_VA + SZ_1M + i * 0x21000ull,
				    0xabc00000 | i);
	pvgpu_batch_atomic(b, PVGPU_ATOMIC_ADD64, BO_VA + FT_BO_SIZE - 8, 7, 0,
			   BO_VA + FT_BO_SIZE - 16);
}

/*
 * Runs first_touch_batch() on a BO (CPU-filled with seed 6) bound at
 * BO_VA of a VM created with @vm_flags; returns the BO's contents.
 */
static uint32_t *first_touch_run(int fd, uint32_t vm_flags,
				 struct drm_pvgpu_vm_get_state *st)
{
	uint32_t *contents = malloc(FT_BO_SIZE), *map, bo;
	struct pvgpu_batch b;
	struct gpu g;

	igt_assert(contents);
	gpu_init(&g, fd, vm_flags, false, 1);
	igt_assert_eq(pvgpu_bo_create(fd, FT_BO_SIZE, 0, &bo), 0);
	map = pvgpu_bo_map(fd, bo, FT_BO_SIZE);
	igt_assert(map);
	fill_words(map, FT_BO_SIZE, 6);
	igt_assert_eq(pvgpu_bind_map(fd, g.vm, bo, 0, BO_VA, FT_BO_SIZE, 0), 0);
	first_touch_batch(&b);
	gpu_run(&g, &b);
	memcpy(contents, map, FT_BO_SIZE);
	*st = vm_state(fd, g.vm);
	pvgpu_bind_unmap(fd, g.vm, BO_VA, FT_BO_SIZE);
	munmap(map, FT_BO_SIZE);
	pvgpu_gem_close(fd, bo);
	gpu_fini(&g);
	return contents;
}

/*
 * In a fault-mode VM a BO MAP writes no entry: the first GPU touch of
 * each 2 MiB part faults it in, with the same result as an eager bind.
 */
static void test_first_touch_bo(void)
{
	int fd = open_render();
	struct drm_pvgpu_vm_get_state lazy_st, eager_st;
	uint32_t *lazy, *eager, *model;
	uint64_t old;

	require_svm(fd);
	lazy = first_touch_run(fd, VM_FAULT, &lazy_st);
	eager = first_touch_run(fd, DRM_PVGPU_VM_CREATE_LR, &eager_st);
	print_state("lazy", &lazy_st);
	print_state("eager", &eager_st);

	/* What the commands do, computed on the CPU. */
	model = malloc(FT_BO_SIZE);
	igt_assert(model);
	fill_words(model, FT_BO_SIZE, 6);
	for (uint64_t i = 0; i < (3 * SZ_64K + 8) / 4; i++)
		model[(SZ_64K / 4) + i] = 0x7e57f111;
	memmove((char *)model + SZ_2M + SZ_4K, model, 5 * SZ_4K + 4);
	for (int i = 0; i < 16; i++)
		model[(SZ_1M + i * 0x21000ull) / 4] = 0xabc00000 | i;
	memcpy(&old, (char *)model + FT_BO_SIZE - 8, 8);
	memcpy((char *)model + FT_BO_SIZE - 16, &old, 8);
	old += 7;
	memcpy((char *)model + FT_BO_SIZE - 8, &old, 8);

	for (uint64_t i = 0; i < FT_BO_SIZE / 4; i++) {
		igt_assert_f(eager[i] == model[i],
			     "eager bind, word %llu: %#x, expected %#x\n",
			     (unsigned long long)i, eager[i], model[i]);
		igt_assert_f(lazy[i] == eager[i],
			     "lazy bind, word %llu: %#x, eager bind %#x\n",
			     (unsigned long long)i, lazy[i], eager[i]);
	}

	/* The batch BO and both halves of the data BO. */
	assert_resolved(&lazy_st, 3);
	igt_assert_lte_u64(BATCH_SIZE / SZ_4K + FT_BO_SIZE / SZ_4K,
			   lazy_st.pages_populated);
	igt_assert_eq_u64(lazy_st.invalidations, 0);
	igt_assert_eq_u64(eager_st.faults, 0);
	igt_assert_eq_u64(eager_st.pages_populated, 0);
	free(lazy);
	free(eager);
	free(model);
	close(fd);
}

/*
 * Fault-mode MAP_USERPTR: mmap'ed memory at a GPU address that is not
 * its CPU address, faulted in on first touch and never pinned.
 */
static void test_first_touch_userptr(void)
{
	const uint64_t size = SZ_1M, q = size / 4;
	int fd = open_render();
	struct drm_pvgpu_vm_get_state s;
	struct pvgpu_batch b;
	long long pin0;
	uint32_t *mem;
	struct gpu g;

	require_svm(fd);
	gpu_init(&g, fd, VM_FAULT, false, 1);
	mem = map_anon_one_granule(size, PROT_READ | PROT_WRITE);
	igt_assert_neq_u64(va(mem), BO_VA);
	fill_words(mem, q, 7);
	pin0 = pvgpu_test_vm_pin_kb();
	igt_assert_eq(pvgpu_bind_userptr(fd, g.vm, mem, BO_VA, size, 0), 0);
	igt_assert_eq(pvgpu_test_vm_pin_kb(), pin0);
	s = vm_state(fd, g.vm);
	igt_assert_eq_u64(s.faults, 0);

	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, BO_VA, BO_VA + q, q);
	pvgpu_batch_fill(&b, BO_VA + 2 * q, q, 0x05e49742);
	pvgpu_batch_store64(&b, BO_VA + 3 * q + 8, 0x1122334455667788ull);
	gpu_run(&g, &b);
	assert_words(mem, q, 7);
	assert_words(mem + q / 4, q, 7);
	assert_all(mem + 2 * q / 4, q, 0x05e49742);
	igt_assert_eq_u64(*(uint64_t *)((char *)mem + 3 * q + 8),
			  0x1122334455667788ull);
	igt_assert_eq(mem[3 * q / 4], 0);
	igt_assert_eq(pvgpu_test_vm_pin_kb(), pin0);

	/* The CPU's later writes are what the GPU reads. */
	fill_words(mem, q, 8);
	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, BO_VA, BO_VA + q, q);
	gpu_run(&g, &b);
	assert_words(mem + q / 4, q, 8);

	s = vm_state(fd, g.vm);
	print_state("first-touch-userptr", &s);
	/* One granule: the first access populated all of it. */
	assert_resolved(&s, 1);
	igt_assert_lte_u64(size / SZ_4K, s.pages_populated);
	igt_assert_eq(pvgpu_test_vm_pin_kb(), pin0);

	pvgpu_bind_unmap(fd, g.vm, BO_VA, size);
	munmap(mem, size);
	gpu_fini(&g);
	close(fd);
}

/* ---- CPU-side changes ------------------------------------------------- */

/*
 * munmap: the GPU entries go; a GPU access there fails the queue with the
 * address; new memory mapped at the same address is what a new queue
 * sees.
 */
static void test_munmap(void)
{
	const uint64_t size = 16 * SZ_4K;
	int fd = open_render();
	struct drm_pvgpu_vm_get_state s0, s;
	uint32_t *p, *p2, *out;
	struct pvgpu_batch b;
	struct gpu g;

	igt_emit_ignore_dmesg_regex(GUILTY_RE);
	require_svm(fd);
	gpu_init(&g, fd, VM_FAULT, true, 1);
	out = map_anon(size, PROT_READ | PROT_WRITE);
	p = map_anon(size, PROT_READ | PROT_WRITE);

	pvgpu_batch_reset(&b);
	pvgpu_batch_fill(&b, va(p), size, 0xaaaa5555);
	gpu_run(&g, &b);
	assert_all(p, size, 0xaaaa5555);
	s0 = vm_state(fd, g.vm);

	igt_assert_eq(munmap(p, size), 0);
	s = vm_state(fd, g.vm);
	print_state("after munmap", &s);
	igt_assert_lt(s0.invalidations, s.invalidations);

	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, va(p), 0xdead);
	gpu_run_fault(&g, &b, va(p), DRM_PVGPU_FAULT_ACCESS_WRITE,
		      DRM_PVGPU_FAULT_TYPE_NOT_PRESENT);
	s = vm_state(fd, g.vm);
	igt_assert_eq_u64(s.faults_failed, 1);

	/* New memory at the same address: its contents, not the old. */
	p2 = mmap(p, size, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	igt_assert(p2 == p);
	fill_words(p2, size, 9);
	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, va(p2), va(out), size);
	gpu_run(&g, &b);
	assert_words(out, size, 9);
	pvgpu_batch_reset(&b);
	pvgpu_batch_fill(&b, va(p2), size / 2, 0x600d600d);
	gpu_run(&g, &b);
	assert_all(p2, size / 2, 0x600d600d);
	for (uint64_t i = size / 8; i < size / 4; i++)
		igt_assert_eq(p2[i], word(9, i));

	s = vm_state(fd, g.vm);
	print_state("munmap", &s);
	igt_assert_eq_u64(s.faults_failed, 1);
	igt_assert_eq_u64(s.faults_resolved + 1, s.faults);
	munmap(p2, size);
	munmap(out, size);
	gpu_fini(&g);
	close(fd);
}

/*
 * mremap moves memory: the GPU sees it (and writes it) at the new address,
 * and the old one faults unresolvably.
 */
static void test_mremap(void)
{
	const uint64_t size = 16 * SZ_4K;
	int fd = open_render();
	struct drm_pvgpu_vm_get_state s0, s;
	uint32_t *p, *target, *moved, *out;
	struct pvgpu_batch b;
	struct gpu g;

	igt_emit_ignore_dmesg_regex(GUILTY_RE);
	require_svm(fd);
	gpu_init(&g, fd, VM_FAULT, true, 1);
	out = map_anon(size, PROT_READ | PROT_WRITE);
	p = map_anon(size, PROT_READ | PROT_WRITE);
	target = map_anon(2 * size, PROT_NONE);	/* a place to move to */
	fill_words(p, size, 10);

	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, va(p), va(out), size);
	gpu_run(&g, &b);
	assert_words(out, size, 10);
	s0 = vm_state(fd, g.vm);

	moved = mremap(p, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, target);
	igt_assert(moved == target);
	s = vm_state(fd, g.vm);
	print_state("after mremap", &s);
	igt_assert_lt(s0.invalidations, s.invalidations);

	memset(out, 0, size);
	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, va(moved), va(out), size);
	pvgpu_batch_store32(&b, va(moved) + 8, 0x0e0e0e0e);
	gpu_run(&g, &b);
	assert_words(out, size, 10);
	igt_assert_eq(moved[2], 0x0e0e0e0e);
	igt_assert_eq(moved[3], word(10, 3));

	/* Nothing is left at the old address. */
	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, va(p), va(out), SZ_4K);
	gpu_run_fault(&g, &b, va(p), DRM_PVGPU_FAULT_ACCESS_READ,
		      DRM_PVGPU_FAULT_TYPE_NOT_PRESENT);

	s = vm_state(fd, g.vm);
	print_state("mremap", &s);
	igt_assert_eq_u64(s.faults_failed, 1);
	munmap(target, 2 * size);
	munmap(out, size);
	gpu_fini(&g);
	close(fd);
}

/*
 * fork: the parent's private pages become copy-on-write; the parent's
 * GPU writes after the fork go to the parent's (new) pages, the child
 * keeps what was there at the fork.
 */
static void test_fork_cow(void)
{
	const uint64_t size = 16 * SZ_4K;
	int fd = open_render();
	struct drm_pvgpu_vm_get_state s0, s;
	int go[2], status;
	struct pvgpu_batch b;
	uint32_t *p;
	struct gpu g;
	pid_t pid;

	require_svm(fd);
	gpu_init(&g, fd, VM_FAULT, true, 1);
	p = map_anon(size, PROT_READ | PROT_WRITE);
	fill_words(p, size, 11);
	/* The GPU maps the pages writable: it writes half of them. */
	pvgpu_batch_reset(&b);
	pvgpu_batch_fill(&b, va(p), size / 2, 0x1111aaaa);
	gpu_run(&g, &b);
	assert_all(p, size / 2, 0x1111aaaa);
	s0 = vm_state(fd, g.vm);

	igt_assert_eq(pipe(go), 0);
	fflush(stdout);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		char c;
		int bad = 0;

		if (read(go[0], &c, 1) != 1)
			_exit(2);
		/* The child's view: what was there at the fork. */
		for (uint64_t i = 0; i < size / 4; i++)
			if (p[i] != (i < size / 8 ? 0x1111aaaa : word(11, i)))
				bad++;
		_exit(bad ? 1 : 0);
	}

	s = vm_state(fd, g.vm);
	print_state("after fork", &s);
	igt_assert_lt(s0.invalidations, s.invalidations);

	pvgpu_batch_reset(&b);
	pvgpu_batch_fill(&b, va(p), size, 0x2222bbbb);
	gpu_run(&g, &b);
	assert_all(p, size, 0x2222bbbb);

	igt_assert_eq(write(go[1], "g", 1), 1);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "child's copy changed (status %#x)\n", status);

	s = vm_state(fd, g.vm);
	print_state("fork-cow", &s);
	assert_resolved(&s, 2);
	close(go[0]);
	close(go[1]);
	munmap(p, size);
	gpu_fini(&g);
	close(fd);
}

/* MADV_DONTNEED drops the pages: the GPU then reads zeros. */
static void test_madvise_dontneed(void)
{
	const uint64_t size = 16 * SZ_4K;
	int fd = open_render();
	struct drm_pvgpu_vm_get_state s0, s;
	struct pvgpu_batch b;
	uint32_t *p, *out;
	struct gpu g;

	require_svm(fd);
	gpu_init(&g, fd, VM_FAULT, true, 1);
	out = map_anon(size, PROT_READ | PROT_WRITE);
	p = map_anon(size, PROT_READ | PROT_WRITE);
	fill_words(p, size, 12);
	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, va(p), va(out), size);
	gpu_run(&g, &b);
	assert_words(out, size, 12);
	s0 = vm_state(fd, g.vm);

	igt_assert_eq(madvise(p, size, MADV_DONTNEED), 0);
	s = vm_state(fd, g.vm);
	print_state("after madvise", &s);
	igt_assert_lt(s0.invalidations, s.invalidations);

	memset(out, 0xff, size);
	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, va(p), va(out), size);
	gpu_run(&g, &b);
	assert_all(out, size, 0);
	assert_all(p, size, 0);

	s = vm_state(fd, g.vm);
	print_state("madvise-dontneed", &s);
	assert_resolved(&s, 2);
	munmap(p, size);
	munmap(out, size);
	gpu_fini(&g);
	close(fd);
}

/*
 * free() then malloc(): heap blocks (reused in place) and mmap'ed blocks
 * (unmapped, mapped again): the GPU reads the new contents.
 */
static void test_free_and_reuse(void)
{
	const uint64_t small = 3000, big = 2 * SZ_1M;
	int fd = open_render();
	struct drm_pvgpu_vm_get_state s0, s;
	uint32_t *a, *a2, *out;
	struct pvgpu_batch b;
	struct gpu g;
	uint64_t old;
	int round;

	require_svm(fd);
	/* No dynamic threshold: big blocks stay mmap'ed. */
	igt_assert(mallopt(M_MMAP_THRESHOLD, 128 * 1024));
	gpu_init(&g, fd, VM_FAULT, true, 1);
	out = map_anon(big, PROT_READ | PROT_WRITE);

	for (round = 0; round < 2; round++) {
		uint64_t size = round ? big : small;
		uint32_t seed = 13 + round;

		a = malloc(size);
		igt_assert(a);
		pvgpu_batch_reset(&b);
		pvgpu_batch_fill(&b, va(a), size, 0xf1f1f1f1);
		gpu_run(&g, &b);
		assert_all(a, size, 0xf1f1f1f1);
		s0 = vm_state(fd, g.vm);
		old = va(a);
		free(a);

		a2 = malloc(size);
		igt_assert(a2);
		igt_info("%s block: %#llx, then %#llx\n",
			 round ? "mmap'ed" : "heap", (unsigned long long)old,
			 (unsigned long long)va(a2));
		if (round) {
			/* The old block was unmapped. */
			s = vm_state(fd, g.vm);
			igt_assert_lt(s0.invalidations, s.invalidations);
		}
		fill_words(a2, size, seed);
		pvgpu_batch_reset(&b);
		pvgpu_batch_copy(&b, va(a2), va(out), size);
		gpu_run(&g, &b);
		assert_words(out, size, seed);
		free(a2);
	}

	s = vm_state(fd, g.vm);
	print_state("free-and-reuse", &s);
	assert_resolved(&s, 2);
	munmap(out, big);
	gpu_fini(&g);
	close(fd);
}

/*
 * A CPU mapping that grows inside a 2 MiB granule the GPU already touched
 * (mprotect, brk, a neighbouring mmap merged into the VMA): the GPU
 * access to the new part resolves like any other.
 */
static void test_vma_grow(void)
{
	int fd = open_render();
	struct drm_pvgpu_vm_get_state s;
	struct pvgpu_batch b;
	char *res, *base;
	struct gpu g;

	require_svm(fd);
	gpu_init(&g, fd, VM_FAULT, true, 1);
	res = map_anon(2 * SZ_2M, PROT_NONE);
	base = (char *)(((uintptr_t)res + SZ_2M - 1) & ~(SZ_2M - 1));
	igt_assert_eq(mprotect(base, SZ_64K, PROT_READ | PROT_WRITE), 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_fill(&b, va(base), SZ_64K, 0x01010101);
	gpu_run(&g, &b);
	assert_all((uint32_t *)base, SZ_64K, 0x01010101);

	/* The VMA now covers both 64 KiB parts. */
	igt_assert_eq(mprotect(base + SZ_64K, SZ_64K, PROT_READ | PROT_WRITE),
		      0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_fill(&b, va(base) + SZ_64K, SZ_64K, 0x02020202);
	gpu_run(&g, &b);
	assert_all((uint32_t *)(base + SZ_64K), SZ_64K, 0x02020202);
	assert_all((uint32_t *)base, SZ_64K, 0x01010101);

	s = vm_state(fd, g.vm);
	print_state("vma-grow", &s);
	assert_resolved(&s, 2);
	munmap(res, 2 * SZ_2M);
	gpu_fini(&g);
	close(fd);
}

/* ---- concurrency ------------------------------------------------------ */

#define CC_QUEUES	4
#define CC_REGION	SZ_2M
#define CC_STORES	64
#define CC_ADDS		16

/*
 * @nq queues of @g fault at once: each stores into its own 2 MiB region
 * of fresh memory (own chunks), all add to one counter and store into one
 * page (the same chunk), all run from one batch BO part.
 */
static void concurrent_run(struct gpu *g, unsigned int nq, int ready_fd,
			   int go_fd)
{
	uint32_t *region = map_anon(nq * CC_REGION, PROT_READ | PROT_WRITE);
	uint64_t *shared = map_anon(SZ_4K, PROT_READ | PROT_WRITE);
	uint64_t seq[CC_QUEUES];
	struct drm_pvgpu_vm_get_state s;
	struct pvgpu_batch b;
	char c;

	igt_assert_lte(nq, CC_QUEUES);
	/* The batches are written before the first is submitted. */
	for (unsigned int i = 0; i < nq; i++) {
		uint64_t base = va(region) + i * CC_REGION;

		pvgpu_batch_reset(&b);
		for (unsigned int k = 0; k < CC_STORES; k++)
			pvgpu_batch_store32(&b, base + k * (CC_REGION / CC_STORES) +
					    4 * i, (i << 24) | k);
		for (unsigned int k = 0; k < CC_ADDS; k++)
			pvgpu_batch_atomic(&b, PVGPU_ATOMIC_ADD64, va(&shared[0]),
					   1, 0, 0);
		pvgpu_batch_store64(&b, va(&shared[8 + i]), 0xc0c0000000ull + i);
		pvgpu_batch_end(&b);
		memcpy(g->batch_map + i * BATCH_SLOT, b.dw, b.len * 4);
	}
	if (ready_fd >= 0)
		igt_assert_eq(write(ready_fd, "r", 1), 1);
	if (go_fd >= 0)
		igt_assert_eq(read(go_fd, &c, 1), 1);
	for (unsigned int i = 0; i < nq; i++) {
		struct drm_pvgpu_sync out =
			pvgpu_sync_user_fence(&g->fence[i], seq[i] = ++g->seq);

		igt_assert_eq(pvgpu_exec(g->fd, g->q[i],
					 BATCH_VA + (uint64_t)i * BATCH_SLOT,
					 &out, 1), 0);
	}
	for (unsigned int i = 0; i < nq; i++)
		gpu_wait_ok(g, i, i, seq[i]);

	igt_assert_eq_u64(shared[0], nq * CC_ADDS);
	for (unsigned int i = 0; i < nq; i++) {
		const uint32_t *r = region + i * CC_REGION / 4;

		igt_assert_eq_u64(shared[8 + i], 0xc0c0000000ull + i);
		for (uint64_t w = 0; w < CC_REGION / 4; w++) {
			uint32_t want = 0;

			if (w % (CC_REGION / CC_STORES / 4) == i)
				want = (i << 24) | (uint32_t)(w / (CC_REGION / CC_STORES / 4));
			igt_assert_f(r[w] == want,
				     "queue %u, word %llu: %#x, expected %#x\n",
				     i, (unsigned long long)w, r[w], want);
		}
	}
	s = vm_state(g->fd, g->vm);
	print_state(ready_fd >= 0 ? "concurrent (other process)" : "concurrent",
		    &s);
	/* One region each at least. */
	assert_resolved(&s, nq);
	munmap(region, nq * CC_REGION);
	munmap(shared, SZ_4K);
}

struct cc_pipes {
	int ready[2];
	int go[2];
};

static void concurrent_helper(int idx, void *arg)
{
	struct cc_pipes *p = arg;
	int fd = open_render();
	struct gpu g;

	(void)idx;
	gpu_init(&g, fd, VM_FAULT, true, 2);
	concurrent_run(&g, 2, p->ready[1], p->go[0]);
	gpu_fini(&g);
	close(fd);
}

static void test_concurrent(void)
{
	int fd = open_render();
	struct cc_pipes p;
	struct gpu g;
	char c;

	require_svm(fd);
	igt_assert_eq(pipe(p.ready), 0);
	igt_assert_eq(pipe(p.go), 0);
	igt_fork(concurrent_helper, 0, &p);
	gpu_init(&g, fd, VM_FAULT, true, CC_QUEUES);
	/* Both processes submit at the same moment. */
	igt_assert_eq(read(p.ready[0], &c, 1), 1);
	igt_assert_eq(write(p.go[1], "g", 1), 1);
	concurrent_run(&g, CC_QUEUES, -1, -1);
	igt_waitchildren();
	gpu_fini(&g);
	close(fd);
}

/* ---- PREFETCH ---------------------------------------------------------- */

static void test_prefetch(void)
{
	const uint64_t size = 4 * SZ_1M;
	int fd = open_render();
	struct drm_pvgpu_vm_get_state s0, s1, s;
	struct drm_pvgpu_vm_bind_op ops[2];
	uint32_t *mem, *map, bo;
	struct pvgpu_batch b;
	struct gpu g, lr;

	require_svm(fd);
	gpu_init(&g, fd, VM_FAULT, true, 1);
	igt_assert_eq(pvgpu_bo_create(fd, size, 0, &bo), 0);
	map = pvgpu_bo_map(fd, bo, size);
	igt_assert(map);
	memset(map, 0, size);
	igt_assert_eq(pvgpu_bind_map(fd, g.vm, bo, 0, BO_VA, size, 0), 0);
	mem = map_anon(size, PROT_READ | PROT_WRITE);	/* not touched */

	/* The batch BO is faulted in by a first, empty job. */
	pvgpu_batch_reset(&b);
	gpu_run(&g, &b);
	s0 = vm_state(fd, g.vm);
	assert_resolved(&s0, 1);

	ops[0] = op_prefetch(va(mem), size);
	ops[1] = op_prefetch(BO_VA, size);
	igt_assert_eq(pvgpu_vm_bind(fd, g.vm, 0, ops, 2, NULL, 0, 0), 0);
	s1 = vm_state(fd, g.vm);
	print_state("after prefetch", &s1);
	igt_assert_eq_u64(s1.faults, s0.faults);
	igt_assert_lte_u64(s0.pages_populated + 2 * size / SZ_4K,
			   s1.pages_populated);
	igt_assert_eq_u64(s1.num_mappings, s0.num_mappings);

	pvgpu_batch_reset(&b);
	pvgpu_batch_fill(&b, va(mem), size / 2, 0x9e9e9e9e);
	pvgpu_batch_fill(&b, BO_VA + size / 2, size / 2, 0x8d8d8d8d);
	pvgpu_batch_copy(&b, va(mem), BO_VA, size / 2);
	pvgpu_batch_copy(&b, BO_VA + size / 2, va(mem) + size / 2, size / 2);
	gpu_run(&g, &b);
	assert_all(mem, size / 2, 0x9e9e9e9e);
	assert_all(mem + size / 8, size / 2, 0x8d8d8d8d);
	assert_all(map, size / 2, 0x9e9e9e9e);
	assert_all(map + size / 8, size / 2, 0x8d8d8d8d);
	s = vm_state(fd, g.vm);
	print_state("prefetch", &s);
	igt_assert_eq_u64(s.faults, s0.faults);
	assert_resolved(&s, 1);

	/* PREFETCH alone, in fault-mode VMs, without handle or flags. */
	ops[0] = op_prefetch(va(mem), size);
	ops[1] = op_mirror(va(mem), size, 0);
	igt_assert_err(pvgpu_vm_bind(fd, g.vm, 0, ops, 2, NULL, 0,
				     DRM_PVGPU_VM_BIND_WAIT), -EINVAL);
	ops[0] = op_mirror(va(mem), size, 0);
	ops[1] = op_prefetch(va(mem), size);
	igt_assert_err(pvgpu_vm_bind(fd, g.vm, 0, ops, 2, NULL, 0,
				     DRM_PVGPU_VM_BIND_WAIT), -EINVAL);
	ops[0] = op_prefetch(va(mem), size);
	ops[1] = (struct drm_pvgpu_vm_bind_op){
		.op = DRM_PVGPU_VM_BIND_OP_MAP, .handle = bo,
		.addr = BO_VA, .range = size,
	};
	igt_assert_err(pvgpu_vm_bind(fd, g.vm, 0, ops, 2, NULL, 0,
				     DRM_PVGPU_VM_BIND_WAIT), -EINVAL);
	ops[0] = op_prefetch(BO_VA, size);
	ops[0].handle = bo;
	igt_assert_err(bind_op(fd, g.vm, ops[0]), -EINVAL);
	ops[0] = op_prefetch(BO_VA, size);
	ops[0].flags = DRM_PVGPU_VM_BIND_FLAG_READONLY;
	igt_assert_err(bind_op(fd, g.vm, ops[0]), -EINVAL);
	ops[0] = op_prefetch(BO_VA, size);
	ops[0].obj_offset = SZ_4K;
	igt_assert_err(bind_op(fd, g.vm, ops[0]), -EINVAL);
	ops[0] = op_prefetch(va(mem), size);
	ops[0].userptr = va(mem);
	igt_assert_err(bind_op(fd, g.vm, ops[0]), -EINVAL);
	igt_assert_eq_u64(vm_state(fd, g.vm).num_mappings, s.num_mappings);

	gpu_init(&lr, fd, DRM_PVGPU_VM_CREATE_LR, false, 1);
	igt_assert_eq(pvgpu_bind_map(fd, lr.vm, bo, 0, BO_VA, size, 0), 0);
	s0 = vm_state(fd, lr.vm);
	igt_assert_err(bind_op(fd, lr.vm, op_prefetch(BO_VA, size)), -EINVAL);
	igt_assert_err(bind_op(fd, lr.vm, op_prefetch(BO_VA, SZ_4K)), -EINVAL);
	s = vm_state(fd, lr.vm);
	igt_assert_eq_u64(s.num_mappings, s0.num_mappings);
	igt_assert_eq_u64(s.pages_populated, 0);
	pvgpu_bind_unmap(fd, lr.vm, BO_VA, size);
	gpu_fini(&lr);

	pvgpu_bind_unmap(fd, g.vm, BO_VA, size);
	munmap(map, size);
	pvgpu_gem_close(fd, bo);
	munmap(mem, size);
	gpu_fini(&g);
	close(fd);
}

/* ---- unresolvable faults ------------------------------------------------ */


/* The value of key @key in /proc/self/fdinfo/@fd; fails if absent. */
static long long fdinfo_value(int fd, const char *key)
{
	uint64_t v = pvgpu_test_fdinfo_value(fd, key);

	igt_assert_f(v <= INT64_MAX, "no %s in fd %d's fdinfo\n", key, fd);
	return (long long)v;
}

/* Queue 1 of @g still runs jobs: a store into malloc'ed memory. */
static void other_queue_works(struct gpu *g, uint32_t value)
{
	struct drm_pvgpu_queue_get_state st;
	uint32_t *v = malloc(64);
	struct pvgpu_batch b;
	uint64_t seq;

	igt_assert(v);
	v[0] = 0;
	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, va(v), value);
	seq = gpu_submit(g, 1, 1, &b);
	gpu_wait_ok(g, 1, 1, seq);
	igt_assert_eq(v[0], value);
	igt_assert_eq(pvgpu_queue_get_state(g->fd, g->q[1], &st), 0);
	igt_assert_eq(st.flags, 0);
	free(v);
}

static void test_violations(void)
{
	const uint64_t size = 16 * SZ_4K;
	int fd = open_render();
	uint32_t *ro, *ro2, *pr, *hole, *out;
	struct drm_pvgpu_vm_get_state s;
	struct pvgpu_batch b;
	uint64_t failed = 0;
	struct gpu g;

	igt_emit_ignore_dmesg_regex(GUILTY_RE);
	require_svm(fd);
	gpu_init(&g, fd, VM_FAULT, true, 2);
	out = map_anon(size, PROT_READ | PROT_WRITE);
	ro = map_anon(size, PROT_READ | PROT_WRITE);
	ro2 = map_anon(size, PROT_READ | PROT_WRITE);
	pr = map_anon(size, PROT_READ);
	hole = map_anon(size, PROT_READ | PROT_WRITE);
	igt_assert_eq(munmap(hole, size), 0);
	fill_words(ro, size, 15);
	igt_assert_eq(bind_op(fd, g.vm, op_mirror(va(ro), size,
						  DRM_PVGPU_VM_BIND_FLAG_READONLY)),
		      0);

	/* READONLY mirror range: read, then a write faults. */
	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, va(ro), va(out), size);
	gpu_run(&g, &b);
	assert_words(out, size, 15);
	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, va(ro) + SZ_4K, 0xbad);
	gpu_run_fault(&g, &b, va(ro) + SZ_4K, DRM_PVGPU_FAULT_ACCESS_WRITE,
		      DRM_PVGPU_FAULT_TYPE_WRITE_PROTECT);
	assert_words(ro, size, 15);
	igt_assert_eq_u64(vm_state(fd, g.vm).faults_failed, ++failed);
	other_queue_works(&g, 1);

	/* ... also when an atomic is the first touch of such a range. */
	fill_words(ro2, size, 16);
	igt_assert_eq(bind_op(fd, g.vm, op_mirror(va(ro2), size,
						  DRM_PVGPU_VM_BIND_FLAG_READONLY)),
		      0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_atomic(&b, PVGPU_ATOMIC_ADD32, va(ro2) + 2 * SZ_4K, 1, 0,
			   0);
	gpu_run_fault(&g, &b, va(ro2) + 2 * SZ_4K,
		      DRM_PVGPU_FAULT_ACCESS_ATOMIC, 0);
	assert_words(ro2, size, 16);
	igt_assert_eq_u64(vm_state(fd, g.vm).faults_failed, ++failed);
	other_queue_works(&g, 5);

	/* PROT_READ memory: the GPU reads it (zeros), a write faults. */
	pvgpu_batch_reset(&b);
	memset(out, 0xff, size);
	pvgpu_batch_copy(&b, va(pr), va(out), size);
	gpu_run(&g, &b);
	assert_all(out, size, 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_fill(&b, va(pr), size, 0xbad);
	gpu_run_fault(&g, &b, va(pr), DRM_PVGPU_FAULT_ACCESS_WRITE,
		      DRM_PVGPU_FAULT_TYPE_WRITE_PROTECT);
	igt_assert_eq_u64(vm_state(fd, g.vm).faults_failed, ++failed);
	other_queue_works(&g, 2);

	/* No CPU mapping at the address. */
	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, va(hole), va(out), SZ_4K);
	gpu_run_fault(&g, &b, va(hole), DRM_PVGPU_FAULT_ACCESS_READ,
		      DRM_PVGPU_FAULT_TYPE_NOT_PRESENT);
	igt_assert_eq_u64(vm_state(fd, g.vm).faults_failed, ++failed);
	other_queue_works(&g, 3);

	/* No GPU mapping at the address. */
	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, NOWHERE_VA, 0xbad);
	gpu_run_fault(&g, &b, NOWHERE_VA, DRM_PVGPU_FAULT_ACCESS_WRITE,
		      DRM_PVGPU_FAULT_TYPE_NOT_PRESENT);
	igt_assert_eq_u64(vm_state(fd, g.vm).faults_failed, ++failed);
	other_queue_works(&g, 4);

	s = vm_state(fd, g.vm);
	print_state("violations", &s);
	igt_assert_eq_u64(s.faults_failed, failed);
	igt_assert_eq_u64(s.faults_resolved + failed, s.faults);
	/* The file's fdinfo counts the same faults (its only VM). */
	igt_assert_eq_u64(fdinfo_value(fd, "pvgpu-faults"), s.faults);
	igt_assert_eq_u64(fdinfo_value(fd, "pvgpu-faults-failed"), failed);
	igt_assert_lt(0, fdinfo_value(fd, "pvgpu-fault-time"));
	munmap(ro, size);
	munmap(ro2, size);
	munmap(pr, size);
	munmap(out, size);
	gpu_fini(&g);
	close(fd);
}

/* ---- a storm of faults ------------------------------------------------- */

#define STORM_FILL	(64 * SZ_1M)
#define STORM_STORES	(16 * SZ_1M)
#define STORM_QUEUES	4

/* Word of page @pg that the store storm writes, and its value. */
static uint64_t storm_word(uint64_t pg)
{
	return pg * (SZ_4K / 4) + pg % (SZ_4K / 4);
}

static uint32_t storm_value(uint64_t pg)
{
	return 0x57000000u ^ (uint32_t)pg * 2654435761u;
}

/*
 * One FILL over 64 MiB of untouched malloc'ed memory, then 4 queues
 * storing into every page of 16 MiB at once: exact results, every fault
 * counted and resolved. The times are printed, not judged.
 */
static void test_fault_storm(void)
{
	const uint64_t pages = STORM_STORES / SZ_4K;
	const unsigned int per_batch = (BATCH_DW - 1) /
				       PVGPU_CMD_LEN_STORE32;
	int fd = open_render();
	struct drm_pvgpu_vm_get_state s0, s1, s;
	uint64_t last_seq[STORM_QUEUES] = { 0 };
	unsigned int last_slot[STORM_QUEUES] = { 0 }, slot = 0;
	uint32_t *fill, *st;
	struct pvgpu_batch b;
	uint64_t t0, t1;
	struct gpu g;

	require_svm(fd);
	gpu_init(&g, fd, VM_FAULT, true, STORM_QUEUES);
	pvgpu_batch_reset(&b);
	gpu_run(&g, &b);	/* the batch BO */
	s0 = vm_state(fd, g.vm);

	fill = malloc(STORM_FILL);
	igt_assert(fill);
	t0 = igt_nsec_now();
	pvgpu_batch_reset(&b);
	pvgpu_batch_fill(&b, va(fill), STORM_FILL, 0x5707a000);
	gpu_run(&g, &b);
	t1 = igt_nsec_now();
	s1 = vm_state(fd, g.vm);
	igt_info("fill of 64 MiB: %.3f s, %llu faults, %llu pages, %llu us of service\n",
		 (t1 - t0) / 1e9,
		 (unsigned long long)(s1.faults - s0.faults),
		 (unsigned long long)(s1.pages_populated - s0.pages_populated),
		 (unsigned long long)((s1.fault_ns - s0.fault_ns) / 1000));
	assert_all(fill, STORM_FILL, 0x5707a000);
	assert_resolved(&s1, s0.faults + STORM_FILL / SZ_2M);
	igt_assert_lte_u64(s0.pages_populated + STORM_FILL / SZ_4K,
			   s1.pages_populated);
	free(fill);

	st = map_anon(STORM_STORES, PROT_READ | PROT_WRITE);
	t0 = igt_nsec_now();
	for (unsigned int q = 0; q < STORM_QUEUES; q++) {
		uint64_t first = q * pages / STORM_QUEUES;
		uint64_t end = (q + 1) * pages / STORM_QUEUES;

		pvgpu_batch_reset(&b);
		for (uint64_t pg = first; pg < end; pg++) {
			pvgpu_batch_store32(&b, va(st) + storm_word(pg) * 4,
					    storm_value(pg));
			if ((pg - first + 1) % per_batch && pg + 1 < end)
				continue;
			igt_assert_lt(slot, NUM_SLOTS);
			last_slot[q] = slot;
			last_seq[q] = gpu_submit(&g, q, slot++, &b);
			pvgpu_batch_reset(&b);
		}
	}
	for (unsigned int q = 0; q < STORM_QUEUES; q++)
		gpu_wait_ok(&g, q, last_slot[q], last_seq[q]);
	t1 = igt_nsec_now();
	s = vm_state(fd, g.vm);
	igt_info("%llu stores on %u queues: %.3f s, %llu faults, %llu pages\n",
		 (unsigned long long)pages, STORM_QUEUES, (t1 - t0) / 1e9,
		 (unsigned long long)(s.faults - s1.faults),
		 (unsigned long long)(s.pages_populated - s1.pages_populated));
	for (uint64_t w = 0; w < STORM_STORES / 4; w++) {
		uint64_t pg = w / (SZ_4K / 4);
		uint32_t want = w == storm_word(pg) ? storm_value(pg) : 0;

		igt_assert_f(st[w] == want, "word %llu: %#x, expected %#x\n",
			     (unsigned long long)w, st[w], want);
	}
	print_state("fault-storm", &s);
	assert_resolved(&s, s1.faults + STORM_STORES / SZ_2M);
	igt_assert_lte_u64(s1.pages_populated + STORM_STORES / SZ_4K,
			   s.pages_populated);
	munmap(st, STORM_STORES);
	gpu_fini(&g);
	close(fd);
}

/* ---- a process killed with faults in flight ---------------------------- */

/*
 * Queue 0 fills 32 MiB of untouched memory and then waits for a value
 * that never comes; queues 1 and 2 store into every page of 8 MiB each
 * in a loop of jobs. Then the parent is told, and the process is killed.
 */
static void exiting_child(int pipe_fd)
{
	const uint64_t fill_size = 32 * SZ_1M, st_size = 8 * SZ_1M;
	int fd = open_render();
	uint64_t *never = map_anon(SZ_4K, PROT_READ | PROT_WRITE);
	void *fill = map_anon(fill_size, PROT_READ | PROT_WRITE);
	struct pvgpu_batch b;
	struct gpu g;

	gpu_init(&g, fd, VM_FAULT, true, 3);
	pvgpu_batch_reset(&b);
	pvgpu_batch_fill(&b, va(fill), fill_size, 0xdeadbeef);
	pvgpu_batch_wait64(&b, va(never), 1, ~0ull, PVGPU_WAIT_EQ);
	gpu_submit(&g, 0, 0, &b);
	for (unsigned int q = 1; q < 3; q++) {
		char *st = map_anon(st_size, PROT_READ | PROT_WRITE);

		pvgpu_batch_reset(&b);
		for (uint64_t off = 0; off < st_size; off += 32 * SZ_4K)
			pvgpu_batch_store32(&b, va(st) + off, q);
		gpu_submit(&g, q, q, &b);
		/* The same batch again, as long as the ring takes it. */
		for (int k = 0; k < 30; k++)
			if (pvgpu_exec(fd, g.q[q], BATCH_VA + q * BATCH_SLOT,
				       NULL, 0))
				break;
	}
	if (write(pipe_fd, "r", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

static void test_exit_in_flight(void)
{
	int fd = open_render();
	int pipefd[2], status;
	struct drm_pvgpu_vm_get_state s;
	struct pvgpu_batch b;
	uint32_t *v;
	struct gpu g;
	pid_t pid;
	char c;

	require_svm(fd);
	igt_assert_eq(pipe(pipefd), 0);
	fflush(stdout);
	pid = fork();
	igt_assert(pid >= 0);
	if (pid == 0) {
		close(pipefd[0]);
		exiting_child(pipefd[1]);
		_exit(0);
	}
	close(pipefd[1]);
	igt_assert_eq(read(pipefd[0], &c, 1), 1);
	usleep(50 * 1000);	/* faults in flight */
	igt_assert_eq(kill(pid, SIGKILL), 0);
	igt_assert_eq(waitpid(pid, &status, 0), pid);
	igt_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(pipefd[0]);

	/* The device still works for this process. */
	gpu_init(&g, fd, VM_FAULT, true, 1);
	v = malloc(SZ_64K);
	igt_assert(v);
	pvgpu_batch_reset(&b);
	pvgpu_batch_fill(&b, va(v), SZ_64K, 0xa1a1a1a1);
	gpu_run(&g, &b);
	assert_all(v, SZ_64K, 0xa1a1a1a1);
	s = vm_state(fd, g.vm);
	assert_resolved(&s, 1);
	free(v);
	gpu_fini(&g);
	close(fd);
}

/* ---- uAPI errors -------------------------------------------------------- */

struct other_process_arg {
	int fd;
	uint32_t vm;
	uint64_t mappings;
};

/* Another process (same file, same VM): its mirror and userptr refused. */
static void other_process_mirror(int idx, void *data)
{
	struct other_process_arg *a = data;
	void *mem = map_anon(SZ_64K, PROT_READ | PROT_WRITE);

	(void)idx;
	igt_assert_err(bind_op(a->fd, a->vm,
			       op_mirror(va(mem), SZ_64K, 0)), -EINVAL);
	igt_assert_err(bind_op(a->fd, a->vm,
			       op_mirror(MIRROR_START,
					 MIRROR_END - MIRROR_START, 0)),
		       -EINVAL);
	igt_assert_err(pvgpu_bind_userptr(a->fd, a->vm, mem, BO_VA, SZ_64K, 0),
		       -EINVAL);
	igt_assert_eq_u64(vm_state(a->fd, a->vm).num_mappings, a->mappings);
}

static void test_negative(void)
{
	int fd = open_render();
	struct drm_pvgpu_query_device dev;
	struct drm_pvgpu_vm_bind_op op;
	struct other_process_arg arg;
	uint32_t vm_plain, vm_lr, vm_fault, bo;
	uint64_t m_plain, m_lr, m_fault;
	void *mem = map_anon(SZ_64K, PROT_READ | PROT_WRITE);

	require_svm(fd);
	dev = pvgpu_test_query_device(fd);
	igt_assert_err(pvgpu_vm_create(fd, DRM_PVGPU_VM_CREATE_FAULT_MODE,
				       &vm_plain), -EINVAL);
	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm_plain), 0);
	igt_assert_eq(pvgpu_vm_create(fd, DRM_PVGPU_VM_CREATE_LR, &vm_lr), 0);
	igt_assert_eq(pvgpu_vm_create(fd, VM_FAULT, &vm_fault), 0);
	igt_assert_eq(pvgpu_bo_create(fd, SZ_64K, 0, &bo), 0);
	m_plain = vm_state(fd, vm_plain).num_mappings;
	m_lr = vm_state(fd, vm_lr).num_mappings;

	/* No mirror without fault mode. */
	igt_assert_err(bind_op(fd, vm_plain, op_mirror(va(mem), SZ_64K, 0)),
		       -EINVAL);
	igt_assert_err(bind_op(fd, vm_lr, op_mirror(va(mem), SZ_64K, 0)),
		       -EINVAL);
	igt_assert_err(bind_op(fd, vm_lr, op_mirror(MIRROR_START,
						    MIRROR_END - MIRROR_START,
						    0)), -EINVAL);
	igt_assert_eq_u64(vm_state(fd, vm_plain).num_mappings, m_plain);
	igt_assert_eq_u64(vm_state(fd, vm_lr).num_mappings, m_lr);

	/* Fields a mirror does not take. */
	m_fault = vm_state(fd, vm_fault).num_mappings;
	op = op_mirror(va(mem), SZ_64K, 0);
	op.handle = bo;
	igt_assert_err(bind_op(fd, vm_fault, op), -EINVAL);
	op = op_mirror(va(mem), SZ_64K, 0);
	op.obj_offset = SZ_4K;
	igt_assert_err(bind_op(fd, vm_fault, op), -EINVAL);
	op = op_mirror(va(mem), SZ_64K, 0);
	op.userptr = va(mem);
	igt_assert_err(bind_op(fd, vm_fault, op), -EINVAL);
	op = op_mirror(va(mem), SZ_64K, DRM_PVGPU_VM_BIND_FLAG_NULL);
	igt_assert_err(bind_op(fd, vm_fault, op), -EINVAL);
	op = op_mirror(va(mem), SZ_64K, 1u << 7);
	igt_assert_err(bind_op(fd, vm_fault, op), -EINVAL);
	op = op_mirror(va(mem), SZ_64K, 0);
	op.pad = 1;
	igt_assert_err(bind_op(fd, vm_fault, op), -EINVAL);
	/* Ranges: unaligned, empty, beyond the user VA space. */
	igt_assert_err(bind_op(fd, vm_fault, op_mirror(va(mem) + 8, SZ_64K, 0)),
		       -EINVAL);
	igt_assert_err(bind_op(fd, vm_fault, op_mirror(va(mem), 0, 0)),
		       -EINVAL);
	igt_assert_err(bind_op(fd, vm_fault,
			       op_mirror(SZ_4K,
					 DRM_PVGPU_USER_VA_END(dev.va_bits), 0)),
		       -EINVAL);
	igt_assert_eq_u64(vm_state(fd, vm_fault).num_mappings, m_fault);

	/* The VM follows the process of its first mirror. */
	igt_assert_eq(bind_op(fd, vm_fault, op_mirror(MIRROR_START,
						      MIRROR_END - MIRROR_START,
						      0)), 0);
	arg.fd = fd;
	arg.vm = vm_fault;
	arg.mappings = vm_state(fd, vm_fault).num_mappings;
	igt_assert_eq_u64(arg.mappings, m_fault + 1);
	igt_fork(other_process_mirror, 0, &arg);
	igt_waitchildren();
	igt_assert_eq_u64(vm_state(fd, vm_fault).num_mappings, arg.mappings);
	/* ... and still takes this process's. */
	igt_assert_eq(bind_op(fd, vm_fault,
			      op_mirror(va(mem), SZ_64K,
					DRM_PVGPU_VM_BIND_FLAG_READONLY)), 0);

	pvgpu_gem_close(fd, bo);
	pvgpu_vm_destroy(fd, vm_plain);
	pvgpu_vm_destroy(fd, vm_lr);
	pvgpu_vm_destroy(fd, vm_fault);
	munmap(mem, SZ_64K);
	close(fd);
}

/* ---- a user queue ----------------------------------------------------- */

static struct drm_pvgpu_queue_get_state userq_state(struct pvgpu_userq *uq)
{
	struct drm_pvgpu_queue_get_state s;

	igt_assert_eq(pvgpu_queue_get_state(uq->fd, uq->queue_id, &s), 0);
	return s;
}

static void print_userq(const struct pvgpu_userq *uq,
			const struct drm_pvgpu_queue_get_state *s)
{
	igt_info("user queue %u: flags %#x error %d reason %u retired %llu fault_addr %#llx access %u type %u\n",
		 uq->queue_id, s->flags, s->error, s->reason,
		 (unsigned long long)s->retired,
		 (unsigned long long)s->fault_addr, s->fault_access,
		 s->fault_type);
}

/*
 * A user queue faults as an exec queue does, with no ioctl on its path:
 * its FILL and STOREs into fresh malloc'ed and mmap'ed memory (and its
 * lazily mapped ring) are resolved; a store to an
 * address without a CPU mapping bans it with FAULT_FAILED at that address.
 */
static void test_user_queue(void)
{
	const uint64_t fill_size = 3 * SZ_64K + 20;	/* malloc mmaps it */
	const uint64_t anon_size = 4 * SZ_4K;
	int fd = open_render();
	struct drm_pvgpu_queue_get_state qs;
	struct drm_pvgpu_vm_get_state s;
	uint32_t vm, *fillbuf, *anon, *hole;
	struct pvgpu_userq uq;
	struct pvgpu_batch b;
	uint64_t *heap, retired;
	int ret;

	igt_emit_ignore_dmesg_regex("user queue .* stopped");
	require_svm(fd);
	igt_assert_eq(pvgpu_vm_create(fd, VM_FAULT, &vm), 0);
	igt_assert_eq(bind_op(fd, vm, op_mirror(MIRROR_START,
						MIRROR_END - MIRROR_START, 0)),
		      0);
	igt_assert_eq(pvgpu_userq_init(&uq, fd, vm,
				       DRM_PVGPU_ENGINE_CLASS_COPY,
				       USERQ_RING_VA, USERQ_RING_SIZE), 0);
	fillbuf = malloc(fill_size);
	heap = malloc(64);
	igt_assert(fillbuf && heap);
	heap[0] = 0;
	anon = map_anon(anon_size, PROT_READ | PROT_WRITE);
	hole = map_anon(SZ_4K, PROT_READ | PROT_WRITE);
	igt_assert_eq(munmap(hole, SZ_4K), 0);

	pvgpu_batch_reset(&b);
	pvgpu_batch_fill(&b, va(fillbuf), fill_size, 0x05e1f111);
	for (unsigned int i = 0; i < anon_size / SZ_4K; i++)
		pvgpu_batch_store32(&b, va(anon) + i * SZ_4K + i * 8,
				    0x5a5a0000 + i);
	pvgpu_batch_store64(&b, va(heap), 0x1234567876543210ull);
	igt_assert_eq(pvgpu_userq_submit(&uq, &b), 0);
	ret = pvgpu_userq_wait_idle(&uq, WAIT_NS);
	qs = userq_state(&uq);
	if (ret || qs.flags)
		print_userq(&uq, &qs);
	igt_assert_err(ret, 0);
	igt_assert_eq(qs.flags, 0);
	assert_all(fillbuf, fill_size, 0x05e1f111);
	for (unsigned int i = 0; i < anon_size / SZ_4K; i++)
		igt_assert_eq(anon[i * SZ_4K / 4 + i * 2], 0x5a5a0000 + i);
	igt_assert_eq_u64(heap[0], 0x1234567876543210ull);
	s = vm_state(fd, vm);
	print_state("user-queue", &s);
	assert_resolved(&s, 1);
	igt_assert_lte_u64(fill_size / SZ_4K + anon_size / SZ_4K,
			   s.pages_populated);

	/* A good store, then one where nothing is mapped: only that fails. */
	retired = pvgpu_userq_retired(&uq);
	pvgpu_batch_reset(&b);
	pvgpu_batch_store64(&b, va(heap) + 8, 0xabcdef01ull);
	pvgpu_batch_store32(&b, va(hole) + 0x48, 0xbad);
	igt_assert_eq(pvgpu_userq_submit(&uq, &b), 0);
	for (int k = 0; k < 3000; k++) {
		qs = userq_state(&uq);
		if (qs.flags & DRM_PVGPU_QUEUE_STATE_BANNED)
			break;
		usleep(10 * 1000);
	}
	print_userq(&uq, &qs);
	igt_assert_eq(qs.flags, DRM_PVGPU_QUEUE_STATE_BANNED |
		      DRM_PVGPU_QUEUE_STATE_GUILTY |
		      DRM_PVGPU_QUEUE_STATE_RESET);
	igt_assert_eq(qs.error, -EIO);
	igt_assert_eq(qs.reason, DRM_PVGPU_QUEUE_REASON_FAULT_FAILED);
	igt_assert_eq_u64(qs.fault_addr, va(hole) + 0x48);
	igt_assert_eq(qs.fault_access, DRM_PVGPU_FAULT_ACCESS_WRITE);
	igt_assert_eq(qs.fault_type, DRM_PVGPU_FAULT_TYPE_NOT_PRESENT);
	igt_assert_eq_u64(qs.retired, retired + PVGPU_CMD_LEN_STORE64 * 4);
	igt_assert_eq_u64(heap[1], 0xabcdef01ull);
	s = vm_state(fd, vm);
	print_state("user-queue banned", &s);
	igt_assert_eq_u64(s.faults_failed, 1);
	igt_assert_eq_u64(s.faults_resolved + 1, s.faults);

	pvgpu_userq_fini(&uq);
	munmap(anon, anon_size);
	free(heap);
	free(fillbuf);
	pvgpu_vm_destroy(fd, vm);
	close(fd);
}

/* ---- a lost fault event ------------------------------------------------ */

/*
 * The driver's test hook inject_lose_fault_events makes it ignore the next
 * PAGE_FAULT event as if the firmware had lost it: the queue stays
 * stalled until the driver's stall poll asks the firmware (QUEUE_QUERY,
 * which reports the pending fault since interface 1.3), and then the fault
 * is resolved and replayed, not answered by resetting the queue.
 */
static void test_lost_event(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], val[16] = "";
	int fd = open_render(), hook;
	struct drm_pvgpu_vm_get_state s0, s;
	struct pvgpu_batch b;
	struct gpu g;
	uint32_t *p;

	require_svm(fd);
	igt_require_f(geteuid() == 0, "debugfs needs root\n");
	igt_pvgpu_debugfs_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/inject_lose_fault_events", dir);
	hook = open(path, O_RDWR);
	igt_require_f(hook >= 0, "no %s: driver without the test hook\n",
		      path);

	gpu_init(&g, fd, VM_FAULT, true, 1);
	p = map_anon(SZ_64K, PROT_READ | PROT_WRITE);
	s0 = vm_state(fd, g.vm);

	/* debugfs attribute files do not seek: write, then reopen to read. */
	igt_assert_eq(write(hook, "1", 1), 1);
	close(hook);
	pvgpu_batch_reset(&b);
	pvgpu_batch_fill(&b, va(p), SZ_64K, 0x10571057);
	gpu_run(&g, &b);
	assert_all(p, SZ_64K, 0x10571057);

	/* The hook fired: the event was ignored, the fault still resolved. */
	hook = open(path, O_RDONLY);
	igt_assert_lte(0, hook);
	igt_assert_lt(0, read(hook, val, sizeof(val) - 1));
	igt_assert_eq(atoi(val), 0);
	s = vm_state(fd, g.vm);
	print_state("lost-event", &s);
	assert_resolved(&s, s0.faults + 1);

	close(hook);
	munmap(p, SZ_64K);
	gpu_fini(&g);
	close(fd);
}

static const struct igt_lite_subtest subtests[] = {
	{ "mirror-malloc", test_mirror_malloc,
	  "COPY, FILL, ATOMIC on malloc'ed memory at its CPU address through a mirror of the whole user VA; faults counted and resolved" },
	{ "mirror-kinds", test_mirror_kinds,
	  "anonymous mmap, memfd and /tmp file mapped shared (the file holds the GPU's writes), stack memory" },
	{ "first-touch-bo", test_first_touch_bo,
	  "a lazy BO map in a fault-mode VM gives what an eager bind gives; its 2 MiB parts fault in" },
	{ "first-touch-userptr", test_first_touch_userptr,
	  "fault-mode MAP_USERPTR at another GPU address: GPU and CPU see each other's writes, VmPin does not grow" },
	{ "munmap", test_munmap,
	  "after munmap the GPU access fails the queue at that address; new memory mapped there is what a new queue sees" },
	{ "mremap", test_mremap,
	  "moved memory is seen at its new address, the old one fails" },
	{ "fork-cow", test_fork_cow,
	  "after fork the parent's GPU writes go to the parent's pages; the child's copy is unchanged" },
	{ "madvise-dontneed", test_madvise_dontneed,
	  "after MADV_DONTNEED the GPU reads zeros" },
	{ "free-and-reuse", test_free_and_reuse,
	  "free() then malloc(), in the heap and mmap'ed: the GPU reads the new contents" },
	{ "vma-grow", test_vma_grow,
	  "a CPU mapping grown inside a 2 MiB granule the GPU touched before: the new part resolves" },
	{ "concurrent", test_concurrent,
	  "4 queues and a second process's VM fault at once on different and shared pages; exact results" },
	{ "prefetch", test_prefetch,
	  "PREFETCH of a mirror and a lazy BO range leaves the workload no fault; PREFETCH's error cases" },
	{ "violations", test_violations,
	  "writes to READONLY mirror ranges and PROT_READ memory, accesses without CPU or GPU mapping fail only their queue, with address and access" },
	{ "fault-storm", test_fault_storm,
	  "one FILL over 64 MiB and stores into every page of 16 MiB from 4 queues; exact, counted" },
	{ "exit-in-flight", test_exit_in_flight,
	  "a process killed with queues faulting and stalled; the device works afterwards" },
	{ "lost-event", test_lost_event,
	  "a PAGE_FAULT event the driver never sees (test hook): the stall poll's QUEUE_QUERY finds the fault, which is resolved and replayed" },
	{ "user-queue", test_user_queue,
	  "a user queue's FILL and STOREs fault in malloc'ed and mmap'ed memory through the mirror; a store without CPU mapping bans it with FAULT_FAILED at that address" },
	{ "negative", test_negative,
	  "MAP_MIRROR without fault mode, with fields it does not take, bad ranges, from another process: -EINVAL, nothing changed" },
};

IGT_LITE_MAIN("recoverable GPU page faults and shared virtual memory", subtests)
