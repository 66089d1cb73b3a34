// SPDX-License-Identifier: MIT
/*
 * pvgpu_vm_bind: what the GPU sees through VM_BIND's mappings. Data the
 * GPU writes (FILL, COPY, STORE) is checked from the CPU and the other way
 * round: BOs (whole, at an offset, 64 MiB with 2 MiB alignment), userptr
 * memory (malloc'ed and mmap'ed), NULL mappings (read zero, writes
 * dropped), read-only mappings (a GPU write fails the job and changes
 * nothing), splitting and merging mappings (every page read by the GPU,
 * num_mappings from VM_GET_STATE), UNMAP_ALL, faults on unmapped memory,
 * random binds against a model; userptr pins charged against
 * RLIMIT_MEMLOCK; the page sizes and table counts the driver
 * reports in debugfs "vms" (large NULL pages, splits, empty tables freed);
 * and the argument checks of VM_BIND operations, with nothing changed by a
 * failing ioctl.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/sync_file.h>

#include "igt_lite.h"
#include "pvgpu_test.h"
#include "libpvgpu.h"
#include "pvgpu_gpu.h"
#include "pvgpu_pt_format.h"

#define SZ_4K	0x1000ull
#define SZ_64K	0x10000ull
#define SZ_1M	0x100000ull
#define SZ_2M	0x200000ull
#define SZ_64M	0x4000000ull
#define SZ_1G	0x40000000ull
#define SEC	1000000000ll

#define PARAM_BIND_PT	"bind_pt_max_mb"
#define PARAM_VM_PT	"vm_pt_max_mb"
/* What the driver counts a page table at in its MiB limits. */
#define PT_TABLE_COST	8192ull

/* Data under test, and a readback buffer the GPU copies into. */
#define DATA_VA	0x200000000ull
#define RB_VA	0x300000000ull
#define RB_SIZE	(8 * SZ_1M)

#define GUILTY_RE "exec queue .* guilty"

/* ---- helpers ---------------------------------------------------------- */

static int open_render(void)
{
	return igt_open_pvgpu_render(NULL, 0);
}

static uint32_t va_bits(int fd)
{
	return pvgpu_test_query_device(fd).va_bits;
}

struct bo {
	uint32_t handle;
	uint64_t size;
	uint32_t *map;
};

static struct bo bo_new(int fd, uint64_t size)
{
	struct bo bo = { .size = size };

	igt_assert_eq(pvgpu_bo_create(fd, size, 0, &bo.handle), 0);
	bo.map = pvgpu_bo_map(fd, bo.handle, size);
	igt_assert(bo.map);
	return bo;
}

static void bo_free(int fd, struct bo *bo)
{
	munmap(bo->map, bo->size);
	pvgpu_gem_close(fd, bo->handle);
}

/* Word i of a buffer filled by fill_words(): distinct per page and seed. */
static uint32_t word(uint32_t seed, uint64_t i)
{
	return seed * 0x9e3779b1u ^ (uint32_t)i * 0x85ebca6bu ^ (uint32_t)(i >> 32);
}

static void fill_words(uint32_t *p, uint64_t bytes, uint32_t seed)
{
	for (uint64_t i = 0; i < bytes / 4; i++)
		p[i] = word(seed, i);
}

/* Index of the first word of @p that is not @v, or -1. */
static long long find_not(const uint32_t *p, uint64_t bytes, uint32_t v)
{
	for (uint64_t i = 0; i < bytes / 4; i++)
		if (p[i] != v)
			return (long long)i;
	return -1;
}

static void assert_words(const uint32_t *p, uint64_t bytes, uint32_t seed,
			 uint64_t first)
{
	for (uint64_t i = 0; i < bytes / 4; i++)
		igt_assert_f(p[i] == word(seed, first + i),
			     "word %llu: %#x, expected %#x\n",
			     (unsigned long long)i, p[i],
			     word(seed, first + i));
}

static void assert_all(const uint32_t *p, uint64_t bytes, uint32_t v)
{
	long long i = find_not(p, bytes, v);

	igt_assert_f(i < 0, "word %lld: %#x, expected %#x\n", i,
		     i < 0 ? 0 : p[i], v);
}

/* Run @b and return the job's status: 1 done, < 0 its fence's error. */
static int run(struct pvgpu_ctx *ctx, struct pvgpu_batch *b)
{
	pvgpu_batch_end(b);
	igt_assert_eq(pvgpu_ctx_run(ctx, b, 20 * SEC), 0);
	return syncobj_status(ctx->fd, ctx->syncobj);
}

static void run_ok(struct pvgpu_ctx *ctx, struct pvgpu_batch *b)
{
	igt_assert_eq(run(ctx, b), 1);
}

/*
 * Run @b expecting a fatal fault: the job fails with -EIO and the queue is
 * banned as guilty; then give the context a fresh queue.
 */
static void run_fault(struct pvgpu_ctx *ctx, struct pvgpu_batch *b)
{
	struct drm_pvgpu_queue_get_state s;

	igt_assert_eq(run(ctx, b), -EIO);
	igt_assert_eq(pvgpu_queue_get_state(ctx->fd, ctx->queue_id, &s), 0);
	igt_assert(s.flags & DRM_PVGPU_QUEUE_STATE_BANNED);
	igt_assert(s.flags & DRM_PVGPU_QUEUE_STATE_GUILTY);
	igt_assert_eq(s.error, -EIO);
	igt_assert_eq(pvgpu_ctx_replace_queue(ctx,
					      DRM_PVGPU_ENGINE_CLASS_COPY), 0);
}

static uint64_t num_mappings(int fd, uint32_t vm_id)
{
	struct drm_pvgpu_vm_get_state s;

	igt_assert_eq(pvgpu_vm_get_state(fd, vm_id, &s), 0);
	igt_assert_eq(s.state, DRM_PVGPU_VM_STATE_USABLE);
	return s.num_mappings;
}

/* A context (copy engine, own VM) with a readback BO at RB_VA. */
struct env {
	int fd;
	struct pvgpu_ctx ctx;
	struct bo rb;
	uint64_t base_mappings;
};

static void env_init(struct env *e)
{
	e->fd = open_render();
	igt_assert_eq(pvgpu_ctx_init(&e->ctx, e->fd, 0,
				     DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	e->rb = bo_new(e->fd, RB_SIZE);
	igt_assert_eq(pvgpu_bind_map(e->fd, e->ctx.vm_id, e->rb.handle, 0,
				     RB_VA, RB_SIZE, 0), 0);
	e->base_mappings = num_mappings(e->fd, e->ctx.vm_id);
}

static void env_fini(struct env *e)
{
	igt_assert_eq(pvgpu_bind_unmap(e->fd, e->ctx.vm_id, RB_VA, RB_SIZE),
		      0);
	bo_free(e->fd, &e->rb);
	pvgpu_ctx_fini(&e->ctx);
	close(e->fd);
}

/* The GPU copies [va, va + size) into the readback BO (size <= RB_SIZE). */
static void gpu_read(struct env *e, uint64_t va, uint64_t size)
{
	struct pvgpu_batch b;

	igt_assert_lte_u64(size, RB_SIZE);
	memset(e->rb.map, 0xcd, size);
	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, va, RB_VA, size);
	run_ok(&e->ctx, &b);
}

/* The GPU fills [va, va + size) with @pattern. */
static int gpu_fill(struct env *e, uint64_t va, uint64_t size,
		    uint32_t pattern)
{
	struct pvgpu_batch b;

	pvgpu_batch_reset(&b);
	pvgpu_batch_fill(&b, va, size, pattern);
	return run(&e->ctx, &b);
}

/* ---- positive tests --------------------------------------------------- */

static void test_map_bo(void)
{
	struct env e;
	struct bo bo;
	struct pvgpu_batch b;

	env_init(&e);
	bo = bo_new(e.fd, 16 * SZ_4K);
	fill_words(bo.map, bo.size, 1);
	igt_assert_eq(pvgpu_bind_map(e.fd, e.ctx.vm_id, bo.handle, 0, DATA_VA,
				     bo.size, 0), 0);
	igt_assert_eq(num_mappings(e.fd, e.ctx.vm_id), e.base_mappings + 1);

	/* CPU -> GPU: the GPU reads what the CPU wrote. */
	gpu_read(&e, DATA_VA, bo.size);
	assert_words(e.rb.map, bo.size, 1, 0);

	/* GPU -> CPU: FILL, then STORE32/STORE64 over it. */
	igt_assert_eq(gpu_fill(&e, DATA_VA, bo.size, 0x5a5a1234), 1);
	assert_all(bo.map, bo.size, 0x5a5a1234);
	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, DATA_VA + 5 * SZ_4K + 12, 0xdeadbeef);
	pvgpu_batch_store64(&b, DATA_VA + bo.size - 8, 0x0123456789abcdefull);
	run_ok(&e.ctx, &b);
	igt_assert_eq_u64(bo.map[(5 * SZ_4K + 12) / 4], 0xdeadbeef);
	igt_assert_eq_u64(*(uint64_t *)&bo.map[(bo.size - 8) / 4],
			  0x0123456789abcdefull);
	igt_assert_eq_u64(bo.map[(5 * SZ_4K + 8) / 4], 0x5a5a1234);

	igt_assert_eq(pvgpu_bind_unmap(e.fd, e.ctx.vm_id, DATA_VA, bo.size),
		      0);
	igt_assert_eq(num_mappings(e.fd, e.ctx.vm_id), e.base_mappings);
	bo_free(e.fd, &bo);
	env_fini(&e);
}

static void test_map_bo_offset(void)
{
	struct env e;
	struct bo bo;

	env_init(&e);
	bo = bo_new(e.fd, 64 * SZ_4K);
	fill_words(bo.map, bo.size, 2);
	/* Pages 16 .. 47 of the BO at DATA_VA. */
	igt_assert_eq(pvgpu_bind_map(e.fd, e.ctx.vm_id, bo.handle, 16 * SZ_4K,
				     DATA_VA, 32 * SZ_4K, 0), 0);
	gpu_read(&e, DATA_VA, 32 * SZ_4K);
	assert_words(e.rb.map, 32 * SZ_4K, 2, 16 * SZ_4K / 4);

	/* A GPU fill of the mapping changes those pages only. */
	igt_assert_eq(gpu_fill(&e, DATA_VA, 32 * SZ_4K, 0x77777777), 1);
	assert_words(bo.map, 16 * SZ_4K, 2, 0);
	assert_all(bo.map + 16 * SZ_4K / 4, 32 * SZ_4K, 0x77777777);
	assert_words(bo.map + 48 * SZ_4K / 4, 16 * SZ_4K, 2, 48 * SZ_4K / 4);

	/* The last page alone, at another VA. */
	igt_assert_eq(pvgpu_bind_map(e.fd, e.ctx.vm_id, bo.handle, 63 * SZ_4K,
				     DATA_VA + SZ_2M, SZ_4K, 0), 0);
	gpu_read(&e, DATA_VA + SZ_2M, SZ_4K);
	assert_words(e.rb.map, SZ_4K, 2, 63 * SZ_4K / 4);
	igt_assert_eq(num_mappings(e.fd, e.ctx.vm_id), e.base_mappings + 2);

	bo_free(e.fd, &bo);
	env_fini(&e);
}

static void check_userptr(struct env *e, uint32_t *mem, uint64_t size,
			  uint32_t seed)
{
	fill_words(mem, size, seed);
	igt_assert_eq(pvgpu_bind_userptr(e->fd, e->ctx.vm_id, mem, DATA_VA,
					 size, 0), 0);
	gpu_read(e, DATA_VA, size);
	assert_words(e->rb.map, size, seed, 0);
	igt_assert_eq(gpu_fill(e, DATA_VA + SZ_4K, size - 2 * SZ_4K,
			       0xabcdef01), 1);
	assert_words(mem, SZ_4K, seed, 0);
	assert_all(mem + SZ_4K / 4, size - 2 * SZ_4K, 0xabcdef01);
	assert_words(mem + (size - SZ_4K) / 4, SZ_4K, seed,
		     (size - SZ_4K) / 4);
	igt_assert_eq(pvgpu_bind_unmap(e->fd, e->ctx.vm_id, DATA_VA, size),
		      0);
}

static void test_userptr_malloc(void)
{
	struct env e;
	uint64_t size = 40 * SZ_4K;
	uint32_t *mem = aligned_alloc(SZ_4K, size);

	igt_assert(mem);
	env_init(&e);
	check_userptr(&e, mem, size, 3);
	env_fini(&e);
	free(mem);
}

static void test_userptr_mmap(void)
{
	struct env e;
	uint64_t size = SZ_1M;
	uint32_t *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	igt_assert(mem != MAP_FAILED);
	env_init(&e);
	/* Not touched yet: the bind must fault the pages in. */
	check_userptr(&e, mem, size, 4);
	env_fini(&e);
	munmap(mem, size);
}

/* ---- userptr pins and RLIMIT_MEMLOCK ----------------------------------- */

#define NOBODY		65534
#define MEMLOCK		(16 * SZ_4K)	/* the helper's RLIMIT_MEMLOCK */

static bool has_cap_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	igt_assert_eq(syscall(SYS_capget, &hdr, data), 0);
	return data[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &
	       CAP_TO_MASK(CAP_IPC_LOCK);
}

static void set_memlock(uint64_t bytes)
{
	struct rlimit rl = { .rlim_cur = bytes, .rlim_max = bytes };

	igt_assert_eq(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
}

struct memlock_arg {
	int fd;			/* opened by the parent, as root */
	uint32_t vm;
	int to_helper[2];	/* pipes: the parent's and the helper's steps */
	int to_parent[2];
};

static void step_send(int fd)
{
	igt_assert_eq(write(fd, "s", 1), 1);
}

static void step_wait(int fd)
{
	char c;

	igt_assert_eq(read(fd, &c, 1), 1);
}

/*
 * Over the limit, nothing is pinned or mapped: -ENOMEM, VmPin and the VM's
 * mappings as they were. The attempt also waits for the unmaps of the VM
 * that completed to give their pins back, which makes VmPin exact after it.
 */
static void memlock_refused(struct memlock_arg *a, const void *mem,
			    uint64_t va, uint64_t size, long long pin_kb,
			    uint64_t mappings)
{
	igt_assert_err(pvgpu_bind_userptr(a->fd, a->vm, mem, va, size, 0),
		       -ENOMEM);
	igt_assert_eq(pvgpu_test_vm_pin_kb(), pin_kb);
	igt_assert_eq(num_mappings(a->fd, a->vm), mappings);
}

/* An unprivileged process, RLIMIT_MEMLOCK 64 KiB, on its parent's file. */
static void memlock_helper(int idx, void *data)
{
	struct memlock_arg *a = data;
	const long long lim_kb = MEMLOCK / 1024;
	uint8_t *mem = mmap(NULL, 4 * MEMLOCK, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long long base;

	(void)idx;
	close(a->to_parent[0]);
	close(a->to_helper[1]);
	igt_assert(mem != MAP_FAILED);
	memset(mem, 0x5a, 4 * MEMLOCK);
	set_memlock(MEMLOCK);
	igt_assert_eq(setgroups(0, NULL), 0);
	igt_assert_eq(setresgid(NOBODY, NOBODY, NOBODY), 0);
	igt_assert_eq(setresuid(NOBODY, NOBODY, NOBODY), 0);
	igt_assert_f(!has_cap_ipc_lock(), "CAP_IPC_LOCK still effective\n");
	/* Waits for the parent's unmap (above its limit) to be released. */
	base = pvgpu_test_vm_pin_kb();
	memlock_refused(a, mem, DATA_VA, 4 * MEMLOCK, base, 0);
	igt_assert_eq(base, 0);
	memlock_refused(a, mem, DATA_VA, MEMLOCK + SZ_4K, base, 0);

	/* Up to the limit it works, and the allowance comes back each time. */
	for (int i = 0; i < 8; i++) {
		igt_assert_eq(pvgpu_bind_userptr(a->fd, a->vm, mem, DATA_VA,
						 MEMLOCK, 0), 0);
		igt_assert_eq(pvgpu_test_vm_pin_kb(), base + lim_kb);
		igt_assert_eq(num_mappings(a->fd, a->vm), 1);
		memlock_refused(a, mem + MEMLOCK, DATA_VA + SZ_2M, SZ_4K,
				base + lim_kb, 1);
		igt_assert_eq(pvgpu_bind_unmap(a->fd, a->vm, DATA_VA, MEMLOCK),
			      0);
		igt_assert_eq(num_mappings(a->fd, a->vm), 0);
	}
	memlock_refused(a, mem, DATA_VA, 2 * MEMLOCK, base, 0);

	/* Pins stay charged while any piece of their mapping is left. */
	igt_assert_eq(pvgpu_bind_userptr(a->fd, a->vm, mem, DATA_VA, MEMLOCK,
					 0), 0);
	igt_assert_eq(pvgpu_bind_unmap(a->fd, a->vm, DATA_VA, MEMLOCK / 2), 0);
	memlock_refused(a, mem + MEMLOCK, DATA_VA + SZ_2M, SZ_4K,
			base + lim_kb, 1);
	igt_assert_eq(pvgpu_bind_unmap(a->fd, a->vm, DATA_VA + MEMLOCK / 2,
				       MEMLOCK / 2), 0);
	memlock_refused(a, mem, DATA_VA, 2 * MEMLOCK, base, 0);

	/* Two half-size ranges fill the limit as well as one. */
	igt_assert_eq(pvgpu_bind_userptr(a->fd, a->vm, mem, DATA_VA,
					 MEMLOCK / 2, 0), 0);
	igt_assert_eq(pvgpu_bind_userptr(a->fd, a->vm, mem + MEMLOCK,
					 DATA_VA + SZ_2M, MEMLOCK / 2, 0), 0);
	igt_assert_eq(pvgpu_test_vm_pin_kb(), base + lim_kb);
	memlock_refused(a, mem + 2 * MEMLOCK, DATA_VA + 2 * SZ_2M, SZ_4K,
			base + lim_kb, 2);
	igt_assert_eq(pvgpu_bind_unmap(a->fd, a->vm, DATA_VA, 2 * SZ_2M), 0);
	memlock_refused(a, mem, DATA_VA, 2 * MEMLOCK, base, 0);

	/* Another process unmaps: the charge still comes back to this one. */
	igt_assert_eq(pvgpu_bind_userptr(a->fd, a->vm, mem, DATA_VA, MEMLOCK,
					 0), 0);
	step_send(a->to_parent[1]);
	step_wait(a->to_helper[0]);
	memlock_refused(a, mem, DATA_VA, 2 * MEMLOCK, base, 0);

	/* Exit with a mapping left: the parent unmaps it after the mm died. */
	igt_assert_eq(pvgpu_bind_userptr(a->fd, a->vm, mem, DATA_VA, MEMLOCK,
					 0), 0);
	igt_assert_eq(pvgpu_test_vm_pin_kb(), base + lim_kb);
}

/*
 * MAP_USERPTR charges the pinned pages to the calling process's VmPin
 * against its RLIMIT_MEMLOCK: root with CAP_IPC_LOCK is counted but not
 * limited; an unprivileged process gets -ENOMEM above its limit with
 * nothing pinned or mapped, maps up to it as often as it unmaps, and gets
 * its charge back whoever unmaps (another process, after it has exited).
 */
static void test_userptr_memlock(void)
{
	struct memlock_arg a;
	uint8_t *mem;
	long long base;

	igt_require_f(geteuid() == 0 && has_cap_ipc_lock(),
		      "needs root with CAP_IPC_LOCK to drop it\n");
	a.fd = open_render();
	igt_assert_eq(pvgpu_vm_create(a.fd, 0, &a.vm), 0);
	igt_assert_eq(pipe(a.to_helper), 0);
	igt_assert_eq(pipe(a.to_parent), 0);

	/* CAP_IPC_LOCK: counted, not limited. */
	mem = mmap(NULL, 4 * MEMLOCK, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(mem != MAP_FAILED);
	set_memlock(MEMLOCK);
	base = pvgpu_test_vm_pin_kb();
	igt_assert_eq(pvgpu_bind_userptr(a.fd, a.vm, mem, DATA_VA, 4 * MEMLOCK,
					 0), 0);
	igt_assert_eq(pvgpu_test_vm_pin_kb(), base + 4 * MEMLOCK / 1024);
	igt_assert_eq(pvgpu_bind_unmap(a.fd, a.vm, DATA_VA, 4 * MEMLOCK), 0);

	igt_fork(memlock_helper, 0, &a);
	/* A helper that fails closes its end: no wait forever. */
	close(a.to_parent[1]);
	step_wait(a.to_parent[0]);
	/* The helper's mapping, unmapped here: charged to the helper. */
	igt_assert_eq(num_mappings(a.fd, a.vm), 1);
	igt_assert_eq(pvgpu_bind_unmap(a.fd, a.vm, DATA_VA, MEMLOCK), 0);
	step_send(a.to_helper[1]);
	igt_waitchildren();
	/* Its last mapping outlived it (KASAN checks the uncharge). */
	igt_assert_eq(num_mappings(a.fd, a.vm), 1);
	igt_assert_eq(pvgpu_bind_unmap(a.fd, a.vm, DATA_VA, MEMLOCK), 0);
	igt_assert_eq(num_mappings(a.fd, a.vm), 0);
	/* The helper's first refusal waited for this process's unmap. */
	igt_assert_eq(pvgpu_test_vm_pin_kb(), base);

	munmap(mem, 4 * MEMLOCK);
	pvgpu_vm_destroy(a.fd, a.vm);
	close(a.fd);
}

static void test_null(void)
{
	struct env e;
	struct pvgpu_batch b;
	uint64_t size = 2 * SZ_2M + 3 * SZ_4K;

	env_init(&e);
	/* Unaligned start and end: 4 KiB and 2 MiB NULL leaves. */
	igt_assert_eq(pvgpu_bind_null(e.fd, e.ctx.vm_id, DATA_VA + SZ_2M -
				      SZ_4K, size), 0);
	igt_assert_eq(num_mappings(e.fd, e.ctx.vm_id), e.base_mappings + 1);
	gpu_read(&e, DATA_VA + SZ_2M - SZ_4K, size);
	assert_all(e.rb.map, size, 0);

	/* Writes are dropped, without a fault. */
	igt_assert_eq(gpu_fill(&e, DATA_VA + SZ_2M - SZ_4K, size, 0xffffffff),
		      1);
	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, DATA_VA + SZ_2M + 64, 1);
	run_ok(&e.ctx, &b);
	gpu_read(&e, DATA_VA + SZ_2M - SZ_4K, size);
	assert_all(e.rb.map, size, 0);

	/* 1 GiB of NULL, aligned: read its first and last MiB. */
	igt_assert_eq(pvgpu_bind_null(e.fd, e.ctx.vm_id, 0x4000000000ull,
				      1ull << 30), 0);
	gpu_read(&e, 0x4000000000ull, SZ_1M);
	assert_all(e.rb.map, SZ_1M, 0);
	gpu_read(&e, 0x4000000000ull + (1ull << 30) - SZ_1M, SZ_1M);
	assert_all(e.rb.map, SZ_1M, 0);
	igt_assert_eq(num_mappings(e.fd, e.ctx.vm_id), e.base_mappings + 2);
	env_fini(&e);
}

static void test_readonly(void)
{
	struct env e;
	struct bo bo;
	struct pvgpu_batch b;

	igt_emit_ignore_dmesg_regex(GUILTY_RE);
	env_init(&e);
	bo = bo_new(e.fd, 8 * SZ_4K);
	fill_words(bo.map, bo.size, 5);
	igt_assert_eq(pvgpu_bind_map(e.fd, e.ctx.vm_id, bo.handle, 0, DATA_VA,
				     bo.size, DRM_PVGPU_VM_BIND_FLAG_READONLY),
		      0);
	gpu_read(&e, DATA_VA, bo.size);
	assert_words(e.rb.map, bo.size, 5, 0);

	pvgpu_batch_reset(&b);
	pvgpu_batch_fill(&b, DATA_VA, bo.size, 0);
	run_fault(&e.ctx, &b);
	assert_words(bo.map, bo.size, 5, 0);

	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, DATA_VA + 3 * SZ_4K, 0);
	run_fault(&e.ctx, &b);
	assert_words(bo.map, bo.size, 5, 0);

	/* Mapped again writable, the same write works. */
	igt_assert_eq(pvgpu_bind_map(e.fd, e.ctx.vm_id, bo.handle, 0, DATA_VA,
				     bo.size, 0), 0);
	igt_assert_eq(gpu_fill(&e, DATA_VA, bo.size, 0x12121212), 1);
	assert_all(bo.map, bo.size, 0x12121212);

	/* Read-only userptr too. */
	{
		uint32_t *mem = aligned_alloc(SZ_4K, 4 * SZ_4K);

		igt_assert(mem);
		fill_words(mem, 4 * SZ_4K, 6);
		igt_assert_eq(pvgpu_bind_userptr(e.fd, e.ctx.vm_id, mem,
						 DATA_VA + SZ_2M, 4 * SZ_4K,
						 DRM_PVGPU_VM_BIND_FLAG_READONLY),
			      0);
		pvgpu_batch_reset(&b);
		pvgpu_batch_fill(&b, DATA_VA + SZ_2M, 4 * SZ_4K, 0);
		run_fault(&e.ctx, &b);
		assert_words(mem, 4 * SZ_4K, 6, 0);
		igt_assert_eq(pvgpu_bind_unmap(e.fd, e.ctx.vm_id,
					       DATA_VA + SZ_2M, 4 * SZ_4K), 0);
		free(mem);
	}
	bo_free(e.fd, &bo);
	env_fini(&e);
}

/*
 * Expected content of page @i of the split/merge range: which BO (seed)
 * and which of its pages, or 0 seed for a hole.
 */
struct page_src {
	uint32_t seed;
	uint32_t page;
};

static void check_pages(struct env *e, const struct page_src *pages,
			unsigned int n)
{
	struct pvgpu_batch b;

	/* Every page that is mapped, read by the GPU in one job. */
	memset(e->rb.map, 0xcd, n * SZ_4K);
	pvgpu_batch_reset(&b);
	for (unsigned int i = 0; i < n; i++)
		if (pages[i].seed)
			pvgpu_batch_copy(&b, DATA_VA + i * SZ_4K,
					 RB_VA + i * SZ_4K, SZ_4K);
	run_ok(&e->ctx, &b);
	for (unsigned int i = 0; i < n; i++) {
		const uint32_t *p = e->rb.map + i * SZ_4K / 4;

		if (!pages[i].seed)
			continue;
		igt_assert_f(p[0] == word(pages[i].seed, pages[i].page * 1024ull) &&
			     p[1023] == word(pages[i].seed,
					     pages[i].page * 1024ull + 1023),
			     "page %u: %#x, expected seed %u page %u\n", i,
			     p[0], pages[i].seed, pages[i].page);
	}
	/* Each hole faults. */
	for (unsigned int i = 0; i < n; i++) {
		if (pages[i].seed)
			continue;
		pvgpu_batch_reset(&b);
		pvgpu_batch_copy(&b, DATA_VA + i * SZ_4K, RB_VA, 4);
		run_fault(&e->ctx, &b);
	}
}

static void test_split_merge(void)
{
	struct env e;
	struct bo a, c;
	struct page_src pages[16];
	uint32_t vm;

	igt_emit_ignore_dmesg_regex(GUILTY_RE);
	env_init(&e);
	vm = e.ctx.vm_id;
	a = bo_new(e.fd, 16 * SZ_4K);
	c = bo_new(e.fd, 8 * SZ_4K);
	fill_words(a.map, a.size, 7);
	fill_words(c.map, c.size, 8);

	igt_assert_eq(pvgpu_bind_map(e.fd, vm, a.handle, 0, DATA_VA, a.size,
				     0), 0);
	for (unsigned int i = 0; i < 16; i++)
		pages[i] = (struct page_src){ 7, i };
	igt_assert_eq(num_mappings(e.fd, vm), e.base_mappings + 1);
	check_pages(&e, pages, 16);

	/* C's pages 2..5 over pages 6..9: A splits in two. */
	igt_assert_eq(pvgpu_bind_map(e.fd, vm, c.handle, 2 * SZ_4K,
				     DATA_VA + 6 * SZ_4K, 4 * SZ_4K, 0), 0);
	for (unsigned int i = 6; i < 10; i++)
		pages[i] = (struct page_src){ 8, i - 4 };
	igt_assert_eq(num_mappings(e.fd, vm), e.base_mappings + 3);
	check_pages(&e, pages, 16);

	/* A hole in the middle of C's mapping, one in A's head. */
	igt_assert_eq(pvgpu_bind_unmap(e.fd, vm, DATA_VA + 7 * SZ_4K,
				       2 * SZ_4K), 0);
	pages[7].seed = pages[8].seed = 0;
	igt_assert_eq(num_mappings(e.fd, vm), e.base_mappings + 4);
	igt_assert_eq(pvgpu_bind_unmap(e.fd, vm, DATA_VA + 2 * SZ_4K, SZ_4K),
		      0);
	pages[2].seed = 0;
	igt_assert_eq(num_mappings(e.fd, vm), e.base_mappings + 5);
	check_pages(&e, pages, 16);

	/* An unmap across mapping boundaries: pages 5..11. */
	igt_assert_eq(pvgpu_bind_unmap(e.fd, vm, DATA_VA + 5 * SZ_4K,
				       7 * SZ_4K), 0);
	for (unsigned int i = 5; i < 12; i++)
		pages[i].seed = 0;
	/* [0,1] [3,4] [12..15] */
	igt_assert_eq(num_mappings(e.fd, vm), e.base_mappings + 3);
	check_pages(&e, pages, 16);

	/* Remap everything from A again: one mapping. */
	igt_assert_eq(pvgpu_bind_map(e.fd, vm, a.handle, 0, DATA_VA, a.size,
				     0), 0);
	for (unsigned int i = 0; i < 16; i++)
		pages[i] = (struct page_src){ 7, i };
	igt_assert_eq(num_mappings(e.fd, vm), e.base_mappings + 1);
	check_pages(&e, pages, 16);

	/* Unmapping where nothing is mapped is fine. */
	igt_assert_eq(pvgpu_bind_unmap(e.fd, vm, DATA_VA + SZ_2M, SZ_2M), 0);
	igt_assert_eq(num_mappings(e.fd, vm), e.base_mappings + 1);

	bo_free(e.fd, &a);
	bo_free(e.fd, &c);
	env_fini(&e);
}

static void test_unmap_all(void)
{
	struct env e;
	struct bo bo, other;
	struct pvgpu_batch b;
	uint32_t vm;

	igt_emit_ignore_dmesg_regex(GUILTY_RE);
	env_init(&e);
	vm = e.ctx.vm_id;
	bo = bo_new(e.fd, 4 * SZ_4K);
	other = bo_new(e.fd, SZ_4K);
	fill_words(bo.map, bo.size, 9);
	fill_words(other.map, other.size, 10);
	for (unsigned int i = 0; i < 3; i++)
		igt_assert_eq(pvgpu_bind_map(e.fd, vm, bo.handle, i * SZ_4K,
					     DATA_VA + i * SZ_2M,
					     bo.size - i * SZ_4K, 0), 0);
	igt_assert_eq(pvgpu_bind_map(e.fd, vm, other.handle, 0,
				     DATA_VA + 3 * SZ_2M, SZ_4K, 0), 0);
	igt_assert_eq(num_mappings(e.fd, vm), e.base_mappings + 4);
	gpu_read(&e, DATA_VA + 2 * SZ_2M, SZ_4K);
	assert_words(e.rb.map, SZ_4K, 9, 2 * 1024);

	igt_assert_eq(pvgpu_bind_unmap_all(e.fd, vm, bo.handle), 0);
	igt_assert_eq(num_mappings(e.fd, vm), e.base_mappings + 1);
	for (unsigned int i = 0; i < 3; i++) {
		pvgpu_batch_reset(&b);
		pvgpu_batch_copy(&b, DATA_VA + i * SZ_2M, RB_VA, 4);
		run_fault(&e.ctx, &b);
	}
	gpu_read(&e, DATA_VA + 3 * SZ_2M, SZ_4K);
	assert_words(e.rb.map, SZ_4K, 10, 0);

	/* Nothing left of it: a second UNMAP_ALL is a no-op. */
	igt_assert_eq(pvgpu_bind_unmap_all(e.fd, vm, bo.handle), 0);
	igt_assert_eq(num_mappings(e.fd, vm), e.base_mappings + 1);
	bo_free(e.fd, &bo);
	bo_free(e.fd, &other);
	env_fini(&e);
}

static void test_large_bo(void)
{
	struct env e;
	struct bo bo;
	uint64_t va = DATA_VA + 64 * SZ_2M;	/* 2 MiB (and 128 MiB) aligned */
	struct pvgpu_batch b;

	env_init(&e);
	bo = bo_new(e.fd, SZ_64M);
	igt_assert_eq(pvgpu_bind_map(e.fd, e.ctx.vm_id, bo.handle, 0, va,
				     bo.size, 0), 0);
	igt_assert_eq(gpu_fill(&e, va, bo.size, 0x3c3c3c3c), 1);
	assert_all(bo.map, bo.size, 0x3c3c3c3c);

	/* A STORE into every 2 MiB, read by the CPU; then the GPU reads. */
	pvgpu_batch_reset(&b);
	for (uint64_t off = 0; off < bo.size; off += SZ_2M)
		pvgpu_batch_store32(&b, va + off + SZ_2M - 4,
				    (uint32_t)(off >> 21));
	run_ok(&e.ctx, &b);
	for (uint64_t off = 0; off < bo.size; off += SZ_2M)
		igt_assert_eq_u64(bo.map[(off + SZ_2M - 4) / 4], off >> 21);

	fill_words(bo.map + (SZ_64M - RB_SIZE) / 4, RB_SIZE, 11);
	gpu_read(&e, va + SZ_64M - RB_SIZE, RB_SIZE);
	assert_words(e.rb.map, RB_SIZE, 11, 0);

	/* A 4 KiB hole in the middle of a 2 MiB region, then refilled. */
	igt_assert_eq(pvgpu_bind_unmap(e.fd, e.ctx.vm_id, va + 5 * SZ_2M +
				       SZ_64K, SZ_4K), 0);
	igt_assert_eq(num_mappings(e.fd, e.ctx.vm_id), e.base_mappings + 2);
	igt_assert_eq(gpu_fill(&e, va + 5 * SZ_2M, SZ_64K, 0x11111111), 1);
	igt_assert_eq(gpu_fill(&e, va + 5 * SZ_2M + SZ_64K + SZ_4K,
			       SZ_2M - SZ_64K - SZ_4K, 0x11111111), 1);
	assert_all(bo.map + 5 * SZ_2M / 4, SZ_64K, 0x11111111);
	assert_all(bo.map + (5 * SZ_2M + SZ_64K) / 4, SZ_4K, 0x3c3c3c3c);
	igt_assert_eq(pvgpu_bind_map(e.fd, e.ctx.vm_id, bo.handle,
				     5 * SZ_2M + SZ_64K,
				     va + 5 * SZ_2M + SZ_64K, SZ_4K, 0), 0);
	igt_assert_eq(gpu_fill(&e, va + 5 * SZ_2M, SZ_2M, 0x22222222), 1);
	assert_all(bo.map + 5 * SZ_2M / 4, SZ_2M, 0x22222222);
	/* The next 2 MiB kept the fill and its STORE (6) at the end. */
	assert_all(bo.map + 6 * SZ_2M / 4, SZ_2M - 4, 0x3c3c3c3c);
	igt_assert_eq_u64(bo.map[(7 * SZ_2M - 4) / 4], 6);

	igt_assert_eq(pvgpu_bind_unmap(e.fd, e.ctx.vm_id, va, bo.size), 0);
	igt_assert_eq(num_mappings(e.fd, e.ctx.vm_id), e.base_mappings);
	bo_free(e.fd, &bo);
	env_fini(&e);
}

static void test_unmapped_fault(void)
{
	struct env e;
	struct bo bo;
	struct pvgpu_batch b;

	igt_emit_ignore_dmesg_regex(GUILTY_RE);
	env_init(&e);
	bo = bo_new(e.fd, SZ_4K);
	fill_words(bo.map, bo.size, 12);

	/* Read, write, and a copy running off the end of a mapping. */
	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, DATA_VA, RB_VA, 64);
	run_fault(&e.ctx, &b);
	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, DATA_VA, 1);
	run_fault(&e.ctx, &b);

	igt_assert_eq(pvgpu_bind_map(e.fd, e.ctx.vm_id, bo.handle, 0, DATA_VA,
				     SZ_4K, 0), 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, DATA_VA, RB_VA, 2 * SZ_4K);
	run_fault(&e.ctx, &b);

	/* Unmapped again: the TLB must not keep the old page. */
	gpu_read(&e, DATA_VA, SZ_4K);
	assert_words(e.rb.map, SZ_4K, 12, 0);
	igt_assert_eq(pvgpu_bind_unmap(e.fd, e.ctx.vm_id, DATA_VA, SZ_4K), 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, DATA_VA, 1);
	run_fault(&e.ctx, &b);
	assert_words(bo.map, SZ_4K, 12, 0);

	bo_free(e.fd, &bo);
	env_fini(&e);
}

/*
 * Random binds over a 4 MiB window (BO pages, NULL, unmaps), checked
 * against a model: every few operations the GPU copies every mapped page
 * into the readback BO, and num_mappings must be the number of runs of
 * pages mapped by the same operation.
 */
#define RND_PAGES	1024u

struct rnd_page {
	uint32_t op;	/* operation that mapped it, 0: unmapped */
	uint32_t src;	/* BO page + 1, or 0: NULL */
};

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (uint32_t)(rnd_state % n);
}

static void rnd_check(struct env *e, const struct rnd_page *m)
{
	struct pvgpu_batch b;
	uint64_t runs = 0;
	unsigned int cmds = 0;

	memset(e->rb.map, 0xcd, RND_PAGES * SZ_4K);
	pvgpu_batch_reset(&b);
	for (unsigned int i = 0; i < RND_PAGES;) {
		unsigned int j = i;

		if (!m[i].op) {
			i++;
			continue;
		}
		while (j < RND_PAGES && m[j].op)
			j++;
		pvgpu_batch_copy(&b, DATA_VA + i * SZ_4K, RB_VA + i * SZ_4K,
				 (j - i) * SZ_4K);
		if (++cmds == 100) {
			run_ok(&e->ctx, &b);
			pvgpu_batch_reset(&b);
			cmds = 0;
		}
		i = j;
	}
	if (cmds)
		run_ok(&e->ctx, &b);
	for (unsigned int i = 0; i < RND_PAGES; i++) {
		const uint32_t *p = e->rb.map + i * SZ_4K / 4;
		uint32_t first = 0xcdcdcdcd, last = 0xcdcdcdcd;

		if (m[i].op && m[i].src) {
			first = word(13, (m[i].src - 1) * 1024ull);
			last = word(13, (m[i].src - 1) * 1024ull + 1023);
		} else if (m[i].op) {
			first = last = 0;
		}
		igt_assert_f(p[0] == first && p[1023] == last,
			     "page %u (op %u src %u): %#x..%#x, expected %#x..%#x\n",
			     i, m[i].op, m[i].src, p[0], p[1023], first, last);
		if (m[i].op && (!i || m[i - 1].op != m[i].op))
			runs++;
	}
	igt_assert_eq(num_mappings(e->fd, e->ctx.vm_id),
		      e->base_mappings + runs);
}

static void test_random(void)
{
	static struct rnd_page m[RND_PAGES];
	struct env e;
	struct bo bo;

	env_init(&e);
	bo = bo_new(e.fd, RND_PAGES * SZ_4K);
	fill_words(bo.map, bo.size, 13);
	for (uint32_t op = 1; op <= 120; op++) {
		/* Sizes from a page to the whole window, often 2M aligned. */
		uint32_t n = rnd(4) ? 1 + rnd(64) : 1 + rnd(RND_PAGES);
		uint32_t first = rnd(RND_PAGES - n + 1), kind = rnd(3);
		uint32_t off;

		if (rnd(3) == 0) {
			first &= ~511u;
			n = n < 512 ? 512 : n & ~511u;
			if (first + n > RND_PAGES)
				first = RND_PAGES - n;
		}
		off = rnd(RND_PAGES - n + 1);
		if (kind == 0) {
			igt_assert_eq(pvgpu_bind_map(e.fd, e.ctx.vm_id,
						     bo.handle, off * SZ_4K,
						     DATA_VA + first * SZ_4K,
						     n * SZ_4K, 0), 0);
		} else if (kind == 1) {
			igt_assert_eq(pvgpu_bind_null(e.fd, e.ctx.vm_id,
						      DATA_VA + first * SZ_4K,
						      n * SZ_4K), 0);
		} else {
			igt_assert_eq(pvgpu_bind_unmap(e.fd, e.ctx.vm_id,
						       DATA_VA + first * SZ_4K,
						       n * SZ_4K), 0);
		}
		for (uint32_t i = 0; i < n; i++)
			m[first + i] = (struct rnd_page){
				.op = kind == 2 ? 0 : op,
				.src = kind == 0 ? off + i + 1 : 0,
			};
		if (op % 8 == 0)
			rnd_check(&e, m);
	}
	igt_assert_eq(pvgpu_bind_unmap(e.fd, e.ctx.vm_id, DATA_VA,
				       RND_PAGES * SZ_4K), 0);
	igt_assert_eq(num_mappings(e.fd, e.ctx.vm_id), e.base_mappings);
	bo_free(e.fd, &bo);
	env_fini(&e);
}

/* ---- page-table statistics (debugfs "vms") ------------------------------ */

/*
 * The page-table statistics of the only VM in debugfs "vms" whose mapping
 * count is @mappings: tables in use, and the 4K/2M/1G memory and NULL
 * pages. Returns false if there is no such VM (or more than one).
 */
struct pt_stats {
	unsigned long long tables, pages[3], null_pages[3];
	unsigned long long charged, max_tables;
};

static bool read_pt_stats(unsigned long long mappings, struct pt_stats *out)
{
	char line[512];
	unsigned long long m;
	int found = 0, want = 0;
	FILE *f = igt_pvgpu_debugfs_fopen("vms");

	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, " mappings ");

		if (!strncmp(line, "vm asid", 7) && p) {
			want = sscanf(p, " mappings %llu", &m) == 1 &&
			       m == mappings;
			found += want;
			continue;
		}
		if (!want)
			continue;
		if (!strncmp(line, "page tables:", 12))
			sscanf(line, "page tables: %llu", &out->tables);
		if (!strncmp(line, "pages:", 6))
			sscanf(line, "pages: 4K %llu, 2M %llu, 1G %llu; null 4K %llu, 2M %llu, 1G %llu",
			       &out->pages[0], &out->pages[1], &out->pages[2],
			       &out->null_pages[0], &out->null_pages[1],
			       &out->null_pages[2]);
		if (!strncmp(line, "page-table budget:", 18))
			sscanf(line, "page-table budget: charged %llu max %llu",
			       &out->charged, &out->max_tables);
	}
	fclose(f);
	return found == 1;
}

static void test_pt_stats(void)
{
	int fd = open_render();
	struct pt_stats st;
	uint32_t vm, h;
	/* 1 GiB aligned, so 1 GiB NULL pages are possible. */
	uint64_t va = 0x4000000000ull;

	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	/* Something no other VM has: 7 mappings. */
	igt_assert_eq(pvgpu_bind_null(fd, vm, va, 1ull << 30), 0);
	igt_assert_eq(pvgpu_bind_null(fd, vm, va + (2ull << 30) - SZ_4K,
				      SZ_4K + SZ_2M + SZ_4K), 0);
	igt_assert_eq(pvgpu_bo_create(fd, SZ_2M, 0, &h), 0);
	for (unsigned int i = 0; i < 5; i++)
		igt_assert_eq(pvgpu_bind_map(fd, vm, h, i * SZ_4K,
					     va + (4ull << 30) + i * SZ_2M,
					     SZ_4K, 0), 0);
	igt_assert_eq(num_mappings(fd, vm), 7);
	igt_assert(read_pt_stats(7, &st));
	igt_info("tables %llu; pages 4K %llu 2M %llu 1G %llu; null 4K %llu 2M %llu 1G %llu\n",
		 st.tables, st.pages[0], st.pages[1], st.pages[2],
		 st.null_pages[0], st.null_pages[1], st.null_pages[2]);
	/* NULL: one 1 GiB page; 4K + 2M + 4K around a 1 GiB boundary. */
	igt_assert_eq(st.null_pages[2], 1);
	igt_assert_eq(st.null_pages[1], 1);
	igt_assert_eq(st.null_pages[0], 2);
	igt_assert_eq(st.pages[0], 5);

	/* Unmapping the tail of the NULL range splits its 2 MiB page. */
	igt_assert_eq(pvgpu_bind_unmap(fd, vm, va + (2ull << 30) + SZ_2M -
				       SZ_64K, SZ_64K + SZ_4K), 0);
	igt_assert_eq(num_mappings(fd, vm), 7);
	igt_assert(read_pt_stats(7, &st));
	igt_assert_eq(st.null_pages[1], 0);
	igt_assert_eq(st.null_pages[0], 1 + 512 - 16);

	/* Everything unmapped: every table but the root is freed. */
	igt_assert_eq(pvgpu_bind_unmap(fd, vm, va, 8ull << 30), 0);
	igt_assert_eq(num_mappings(fd, vm), 0);
	igt_assert(read_pt_stats(0, &st));
	igt_assert_eq(st.tables, 1);
	igt_assert_eq(st.pages[0] + st.pages[1] + st.pages[2] +
		      st.null_pages[0] + st.null_pages[1] + st.null_pages[2], 0);

	pvgpu_gem_close(fd, h);
	pvgpu_vm_destroy(fd, vm);
	close(fd);
}

/* ---- argument checks -------------------------------------------------- */

static int bind_ops(int fd, uint32_t vm, struct drm_pvgpu_vm_bind_op *ops,
		    uint32_t n)
{
	return pvgpu_vm_bind(fd, vm, 0, ops, n, NULL, 0,
			     DRM_PVGPU_VM_BIND_WAIT);
}

static int bind_op(int fd, uint32_t vm, struct drm_pvgpu_vm_bind_op op)
{
	return bind_ops(fd, vm, &op, 1);
}

static struct drm_pvgpu_vm_bind_op op_map(uint32_t handle, uint64_t offset,
					  uint64_t addr, uint64_t range)
{
	return (struct drm_pvgpu_vm_bind_op){
		.op = DRM_PVGPU_VM_BIND_OP_MAP, .handle = handle,
		.obj_offset = offset, .addr = addr, .range = range,
	};
}

static void test_invalid(void)
{
	int fd = open_render();
	uint64_t end = DRM_PVGPU_USER_VA_END(va_bits(fd));
	struct drm_pvgpu_vm_bind_op op, ops[2];
	struct drm_pvgpu_vm_get_state st;
	struct drm_pvgpu_vm_bind bind;
	uint32_t vm, h;
	uint64_t big;
	void *hole;

	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	igt_assert_eq(pvgpu_bo_create(fd, 16 * SZ_4K, 0, &h), 0);
	/* One good mapping, to see that failures change nothing. */
	igt_assert_eq(bind_op(fd, vm, op_map(h, 0, DATA_VA, SZ_4K)), 0);

	/* Handles. */
	igt_assert_err(bind_op(fd, vm, op_map(h + 100, 0, DATA_VA, SZ_4K)),
		       -ENOENT);
	op = (struct drm_pvgpu_vm_bind_op){
		.op = DRM_PVGPU_VM_BIND_OP_UNMAP_ALL, .handle = h + 100,
	};
	igt_assert_err(bind_op(fd, vm, op), -ENOENT);

	/* Alignment, size, overflow. */
	igt_assert_err(bind_op(fd, vm, op_map(h, 0, DATA_VA + 1, SZ_4K)),
		       -EINVAL);
	igt_assert_err(bind_op(fd, vm, op_map(h, 0, DATA_VA, SZ_4K + 8)),
		       -EINVAL);
	igt_assert_err(bind_op(fd, vm, op_map(h, 512, DATA_VA, SZ_4K)),
		       -EINVAL);
	igt_assert_err(bind_op(fd, vm, op_map(h, 0, DATA_VA, 0)), -EINVAL);
	igt_assert_err(bind_op(fd, vm, op_map(h, 0, ~0ull & ~(SZ_4K - 1),
					      2 * SZ_4K)), -EINVAL);
	igt_assert_err(bind_op(fd, vm, op_map(h, 0, DATA_VA,
					      ~0ull & ~(SZ_4K - 1))), -EINVAL);
	op = (struct drm_pvgpu_vm_bind_op){
		.op = DRM_PVGPU_VM_BIND_OP_UNMAP, .addr = SZ_4K,
		.range = ~0ull & ~(SZ_4K - 1),
	};
	igt_assert_err(bind_op(fd, vm, op), -EINVAL);

	/* Outside the user VA space. */
	igt_assert_err(bind_op(fd, vm, op_map(h, 0, end, SZ_4K)), -EINVAL);
	igt_assert_err(bind_op(fd, vm, op_map(h, 0, end - SZ_4K, 2 * SZ_4K)),
		       -EINVAL);
	igt_assert_err(pvgpu_bind_null(fd, vm, end - SZ_2M, 2 * SZ_2M),
		       -EINVAL);
	igt_assert_err(pvgpu_bind_unmap(fd, vm, end, SZ_4K), -EINVAL);
	/* ... but its last page is fine. */
	igt_assert_eq(pvgpu_bind_null(fd, vm, end - SZ_4K, SZ_4K), 0);
	igt_assert_eq(pvgpu_bind_unmap(fd, vm, end - SZ_4K, SZ_4K), 0);

	/* Beyond the object. */
	igt_assert_err(bind_op(fd, vm, op_map(h, 16 * SZ_4K, DATA_VA, SZ_4K)),
		       -EINVAL);
	igt_assert_err(bind_op(fd, vm, op_map(h, 8 * SZ_4K, DATA_VA,
					      9 * SZ_4K)), -EINVAL);
	igt_assert_err(bind_op(fd, vm, op_map(h, ~0ull & ~(SZ_4K - 1), DATA_VA,
					      2 * SZ_4K)), -EINVAL);

	/* Ops, flags, fields the op does not take, pad, reserved. */
	op = op_map(h, 0, DATA_VA, SZ_4K);
	op.op = 4;
	igt_assert_err(bind_op(fd, vm, op), -EINVAL);
	op = op_map(h, 0, DATA_VA, SZ_4K);
	op.flags = 1 << 7;
	igt_assert_err(bind_op(fd, vm, op), -EINVAL);
	op = op_map(h, 0, DATA_VA, SZ_4K);
	op.flags = DRM_PVGPU_VM_BIND_FLAG_NULL;	/* NULL with a handle */
	igt_assert_err(bind_op(fd, vm, op), -EINVAL);
	/* NULL drops writes: READONLY could not make them fault. */
	op = (struct drm_pvgpu_vm_bind_op){
		.op = DRM_PVGPU_VM_BIND_OP_MAP, .addr = DATA_VA,
		.range = SZ_2M,
		.flags = DRM_PVGPU_VM_BIND_FLAG_NULL |
			 DRM_PVGPU_VM_BIND_FLAG_READONLY,
	};
	igt_assert_err(bind_op(fd, vm, op), -EINVAL);
	op = op_map(h, 0, DATA_VA, SZ_4K);
	op.userptr = SZ_4K;
	igt_assert_err(bind_op(fd, vm, op), -EINVAL);
	op = op_map(h, 0, DATA_VA, SZ_4K);
	op.pad = 1;
	igt_assert_err(bind_op(fd, vm, op), -EINVAL);
	op = op_map(h, 0, DATA_VA, SZ_4K);
	op.reserved[1] = 1;
	igt_assert_err(bind_op(fd, vm, op), -EINVAL);
	op = (struct drm_pvgpu_vm_bind_op){
		.op = DRM_PVGPU_VM_BIND_OP_UNMAP, .handle = h,
		.addr = DATA_VA, .range = SZ_4K,
	};
	igt_assert_err(bind_op(fd, vm, op), -EINVAL);
	op.handle = 0;
	op.flags = DRM_PVGPU_VM_BIND_FLAG_READONLY;
	igt_assert_err(bind_op(fd, vm, op), -EINVAL);
	op = (struct drm_pvgpu_vm_bind_op){
		.op = DRM_PVGPU_VM_BIND_OP_UNMAP_ALL, .handle = h,
		.addr = DATA_VA,
	};
	igt_assert_err(bind_op(fd, vm, op), -EINVAL);
	op = (struct drm_pvgpu_vm_bind_op){
		.op = DRM_PVGPU_VM_BIND_OP_MAP_USERPTR, .handle = h,
		.userptr = SZ_64K * 16, .addr = DATA_VA, .range = SZ_4K,
	};
	igt_assert_err(bind_op(fd, vm, op), -EINVAL);

	/* The ioctl's own fields. */
	op = op_map(h, 0, DATA_VA + SZ_2M, SZ_4K);
	bind = (struct drm_pvgpu_vm_bind){
		.vm_id = vm, .num_binds = 1, .binds = (uintptr_t)&op,
		.flags = DRM_PVGPU_VM_BIND_WAIT,
	};
	bind.pad = 1;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_BIND, &bind), -EINVAL);
	bind.pad = 0;
	bind.reserved[0] = 1;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_BIND, &bind), -EINVAL);
	bind.reserved[0] = 0;
	bind.extensions = 1;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_BIND, &bind), -EINVAL);
	bind.extensions = 0;
	bind.flags = 1 << 5;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_BIND, &bind), -EINVAL);
	bind.flags = DRM_PVGPU_VM_BIND_WAIT;
	bind.vm_id = vm + 100;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_BIND, &bind), -ENOENT);

	/* Userptr to memory that is not mapped. */
	hole = mmap(NULL, 4 * SZ_4K, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(hole != MAP_FAILED);
	munmap(hole, 4 * SZ_4K);
	igt_assert_err(pvgpu_bind_userptr(fd, vm, hole, DATA_VA + SZ_2M,
					  4 * SZ_4K, 0), -EFAULT);

	/*
	 * Userptr ranges larger than RAM: twice the machine's memory, and
	 * 4 TiB (whose page array alone would exceed what kvmalloc takes).
	 */
	big = (uint64_t)sysconf(_SC_PHYS_PAGES) * SZ_4K * 2;
	big = (big + SZ_2M - 1) & ~((uint64_t)SZ_2M - 1);
	op = (struct drm_pvgpu_vm_bind_op){
		.op = DRM_PVGPU_VM_BIND_OP_MAP_USERPTR,
		.userptr = 1ull << 30, .addr = 1ull << 40, .range = big,
	};
	igt_assert_err(bind_op(fd, vm, op), -EINVAL);
	op.range = 4ull << 40;
	igt_assert_err(bind_op(fd, vm, op), -EINVAL);

	/* One bad op fails the whole array: the good one is not applied. */
	ops[0] = op_map(h, 0, DATA_VA + 2 * SZ_2M, SZ_4K);
	ops[1] = op_map(h, 0, DATA_VA + 3 * SZ_2M, SZ_4K + 1);
	igt_assert_err(bind_ops(fd, vm, ops, 2), -EINVAL);

	igt_assert_eq(pvgpu_vm_get_state(fd, vm, &st), 0);
	igt_assert_eq(st.state, DRM_PVGPU_VM_STATE_USABLE);
	igt_assert_eq(st.num_mappings, 1);

	pvgpu_gem_close(fd, h);
	pvgpu_vm_destroy(fd, vm);
	close(fd);
}

/*
 * Bind queues destroyed while their jobs run: the queue is freed after its
 * last job, while its execution work may be queued again (each job's
 * run_job queues it); KASAN would catch a use after free.
 */
static void test_queue_destroy_busy(void)
{
	int fd = open_render();
	struct drm_pvgpu_vm_get_state st;
	struct drm_pvgpu_vm_bind_op op;
	uint32_t vm, h, q;
	int i, j;

	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	igt_assert_eq(pvgpu_bo_create(fd, SZ_4K, 0, &h), 0);
	for (i = 0; i < 64; i++) {
		igt_assert_eq(pvgpu_queue_create(fd, vm,
						 DRM_PVGPU_ENGINE_CLASS_VM_BIND,
						 0, 0, &q), 0);
		for (j = 0; j < 8; j++) {
			op = op_map(h, 0, DATA_VA + (uint64_t)(i * 8 + j) * SZ_4K,
				    SZ_4K);
			if (j & 1)
				op = (struct drm_pvgpu_vm_bind_op){
					.op = DRM_PVGPU_VM_BIND_OP_UNMAP,
					.addr = op.addr - SZ_4K,
					.range = SZ_4K,
				};
			igt_assert_eq(pvgpu_vm_bind(fd, vm, q, &op, 1, NULL, 0,
						    0), 0);
		}
		igt_assert_eq(pvgpu_queue_destroy(fd, q), 0);
	}
	/* Every queue's jobs ran: 64 * 4 maps, each unmapped again. */
	for (i = 0; i < 1000; i++) {
		igt_assert_eq(pvgpu_vm_get_state(fd, vm, &st), 0);
		if (!st.num_mappings)
			break;
		usleep(10000);
	}
	igt_assert_eq(st.state, DRM_PVGPU_VM_STATE_USABLE);
	igt_assert_eq(st.num_mappings, 0);

	pvgpu_gem_close(fd, h);
	pvgpu_vm_destroy(fd, vm);
	close(fd);
}

/* ---- page-table limits ------------------------------------------------- */

/*
 * One VM_BIND may reserve at most bind_pt_max_mb of page tables, the
 * worst case of the job (one-page MAPs, each in an entry of its own just
 * below the root: one table at each level above 0 per MAP): one operation
 * more than the bound allows is -E2BIG with nothing changed, not even a
 * table reserved; at the bound it works. Disjoint MAPs that share tables
 * reserve only the tables they may need together: the call refused
 * above works with its MAPs 2 MiB apart.
 */
static void test_pt_call_limit(void)
{
	int fd = open_render();
	unsigned int levels = PVGPU_PT_LEVELS(va_bits(fd));
	unsigned long long per_op = levels - 1;
	unsigned long long mb = igt_pvgpu_param(PARAM_BIND_PT), vm_mb, tables, n;
	/* One entry of the level below the root per MAP. */
	uint64_t stride = PVGPU_PT_LEVEL_SIZE(levels - 1), base = stride;
	struct drm_pvgpu_vm_bind_op *ops;
	struct pt_stats before, after;
	uint32_t vm, h;

	/* 4096 one-page MAPs must be able to exceed the bound. */
	if (!mb || mb * (SZ_1M / PT_TABLE_COST) / per_op >= DRM_PVGPU_MAX_BINDS) {
		igt_pvgpu_param_set(PARAM_BIND_PT, 1);
		mb = 1;
	}
	tables = mb * (SZ_1M / PT_TABLE_COST);
	n = tables / per_op;	/* the most one-page MAPs within the bound */
	vm_mb = igt_pvgpu_param(PARAM_VM_PT);
	igt_require_f(!vm_mb || vm_mb > 2 * mb,
		      "vm_pt_max_mb %llu too small for this test\n", vm_mb);
	igt_info("bind_pt_max_mb %llu: %llu tables, %llu per MAP, %llu MAPs\n",
		 mb, tables, per_op, n);
	igt_require_f((n + 2) * stride <= DRM_PVGPU_USER_VA_END(va_bits(fd)),
		      "VA too small for %llu MAPs %#llx apart\n", n + 1,
		      (unsigned long long)stride);

	ops = calloc(n + 1, sizeof(*ops));
	igt_assert(ops);
	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	igt_assert_eq(pvgpu_bo_create(fd, SZ_4K, 0, &h), 0);
	/* Three mappings, a count debugfs finds this VM by. */
	for (int i = 0; i < 3; i++)
		igt_assert_eq(bind_op(fd, vm, op_map(h, 0, DATA_VA + i * SZ_2M,
						     SZ_4K)), 0);
	/* An entry below the root each: every MAP needs tables of its own. */
	for (unsigned long long i = 0; i <= n; i++)
		ops[i] = op_map(h, 0, base + i * stride, SZ_4K);

	igt_assert(read_pt_stats(3, &before));
	igt_assert_err(bind_ops(fd, vm, ops, n + 1), -E2BIG);
	igt_assert_eq(num_mappings(fd, vm), 3);
	igt_assert(read_pt_stats(3, &after));
	igt_assert_eq(after.tables, before.tables);
	igt_assert_eq(after.charged, before.charged);

	/* At the bound: one call maps them all. */
	igt_assert_eq(bind_ops(fd, vm, ops, n), 0);
	igt_assert_eq(num_mappings(fd, vm), 3 + n);
	igt_assert_eq(pvgpu_bind_unmap(fd, vm, base, (n + 1) * stride), 0);
	igt_assert_eq(num_mappings(fd, vm), 3);

	/*
	 * 2 MiB apart: a level-0 table each, the tables above shared, so
	 * the job needs about n + levels - 1 tables, not (n + 1) * per_op.
	 */
	for (unsigned long long i = 0; i <= n; i++)
		ops[i] = op_map(h, 0, base + i * SZ_2M, SZ_4K);
	igt_assert_eq(bind_ops(fd, vm, ops, n + 1), 0);
	igt_assert_eq(num_mappings(fd, vm), 3 + n + 1);
	igt_assert_eq(pvgpu_bind_unmap(fd, vm, base, (n + 1) * SZ_2M), 0);
	igt_assert_eq(num_mappings(fd, vm), 3);

	free(ops);
	pvgpu_gem_close(fd, h);
	pvgpu_vm_destroy(fd, vm);
	close(fd);
}

/*
 * A VM's page tables are bounded by vm_pt_max_mb (taken when the VM is
 * created): one-page MAPs one GiB apart (two new tables each) fail with
 * -ENOSPC once the bound is reached, changing nothing; another VM is not
 * affected, and unmapping gives the room back.
 */
static void test_pt_vm_limit(void)
{
	int fd = open_render();
	uint64_t base = 0x8000000000ull;	/* 512 GiB */
	unsigned long long max_tables;
	struct pt_stats st;
	uint32_t small, other, h;
	int ret = 0, i, j;

	igt_require(PVGPU_PT_LEVELS(va_bits(fd)) >= 4);
	igt_pvgpu_param(PARAM_VM_PT);
	igt_pvgpu_param_set(PARAM_VM_PT, 1);
	max_tables = SZ_1M / PT_TABLE_COST;
	igt_assert_eq(pvgpu_vm_create(fd, 0, &small), 0);
	igt_pvgpu_param_restore();
	/* Created with the default: a VM's bound is its own. */
	igt_assert_eq(pvgpu_vm_create(fd, 0, &other), 0);
	igt_assert_eq(pvgpu_bo_create(fd, SZ_4K, 0, &h), 0);

	for (i = 0; i < (int)max_tables; i++) {
		ret = bind_op(fd, small, op_map(h, 0, base + i * SZ_1G, SZ_4K));
		if (ret)
			break;
	}
	igt_info("%d one-page MAPs 1 GiB apart within %llu tables\n", i,
		 max_tables);
	igt_assert_err(ret, -ENOSPC);
	igt_assert_gt(i, 0);
	/*
	 * Two tables a MAP, plus the root and one table below it: refused
	 * only when the next MAP's worst case (a table at each level above
	 * 0) no longer fits.
	 */
	igt_assert_lte(2 * i + 2, (int)max_tables);
	igt_assert_gt(2 * i + 2 + (int)PVGPU_PT_LEVELS(va_bits(fd)) - 1,
		      (int)max_tables);
	igt_assert_eq(num_mappings(fd, small), i);

	if (read_pt_stats(i, &st)) {
		igt_assert_eq(st.max_tables, max_tables);
		igt_assert_lte(st.charged, max_tables);
	}

	/* The other VM maps the same and more. */
	for (j = 0; j < i + 8; j++)
		igt_assert_eq(bind_op(fd, other, op_map(h, 0, base + j * SZ_1G,
							SZ_4K)), 0);
	igt_assert_eq(num_mappings(fd, other), i + 8);

	/* Unmapping frees tables: the failed MAP fits now. */
	igt_assert_eq(pvgpu_bind_unmap(fd, small, base, 4 * SZ_1G), 0);
	igt_assert_eq(bind_op(fd, small, op_map(h, 0, base + i * SZ_1G,
						SZ_4K)), 0);
	igt_assert_eq(num_mappings(fd, small), i - 4 + 1);

	pvgpu_gem_close(fd, h);
	pvgpu_vm_destroy(fd, small);
	pvgpu_vm_destroy(fd, other);
	close(fd);
}

static const struct igt_lite_subtest subtests[] = {
	{ "map-bo", test_map_bo,
	  "GPU reads what the CPU wrote into a mapped BO and the other way round" },
	{ "map-bo-offset", test_map_bo_offset,
	  "a mapping at a BO offset sees and changes those pages only" },
	{ "userptr-malloc", test_userptr_malloc,
	  "MAP_USERPTR of malloc'ed memory, both directions" },
	{ "userptr-mmap", test_userptr_mmap,
	  "MAP_USERPTR of untouched anonymous mmap memory, both directions" },
	{ "userptr-memlock", test_userptr_memlock,
	  "userptr pins count against RLIMIT_MEMLOCK (VmPin): -ENOMEM above it with nothing pinned or mapped, the charge back on unmap by anyone" },
	{ "null", test_null,
	  "NULL mappings read zero, writes are dropped without a fault" },
	{ "readonly", test_readonly,
	  "a GPU write to a read-only mapping fails the job, data unchanged" },
	{ "split-merge", test_split_merge,
	  "maps over and holes in mappings: every page read by the GPU, num_mappings" },
	{ "unmap-all", test_unmap_all,
	  "UNMAP_ALL removes every mapping of a BO and only those" },
	{ "large-bo", test_large_bo,
	  "a 64 MiB BO at a 2 MiB aligned VA: filled, stored, holes punched" },
	{ "unmapped-fault", test_unmapped_fault,
	  "access to unmapped memory fails the job; unmap reaches the TLB" },
	{ "random", test_random,
	  "random maps, NULL maps and unmaps checked by GPU reads and num_mappings" },
	{ "pt-stats", test_pt_stats,
	  "page sizes and table counts the driver reports (debugfs vms)" },
	{ "bind-queue-destroy-busy", test_queue_destroy_busy,
	  "bind queues destroyed with their async jobs still running" },
	{ "invalid", test_invalid,
	  "argument checks of VM_BIND operations; failures change nothing" },
	{ "pt-call-limit", test_pt_call_limit,
	  "a VM_BIND reserving more page tables than bind_pt_max_mb is -E2BIG and changes nothing" },
	{ "pt-vm-limit", test_pt_vm_limit,
	  "a VM's page tables stop at vm_pt_max_mb (-ENOSPC, nothing changed); other VMs unaffected" },
};

IGT_LITE_MAIN("pvgpu_vm_bind: GPU-verified VM_BIND mappings", subtests)
