// SPDX-License-Identifier: MIT
/*
 * pvgpu_gem: buffer objects. DRM_IOCTL_PVGPU_GEM_CREATE and
 * DRM_IOCTL_PVGPU_GEM_MMAP_OFFSET against the uAPI header (sizes, page
 * rounding, every -EINVAL/-ENOENT with the argument left unchanged), CPU
 * mmap (coherent between mappings, files and processes), PRIME export and
 * import (self-import gives the same handle, another file gets its own
 * handle to the same pages, the dma-buf itself maps), import of a foreign
 * dma-buf (udmabuf, dma-heap), handle reuse over many create/close cycles
 * and the fdinfo memory keys.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include "igt_lite.h"
#include "pvgpu_test.h"
#include "libpvgpu.h"
#include "pvgpu_gpu.h"

/* ---- helpers ---------------------------------------------------------- */

/* Raw ioctl: 0 or -errno, no retry, so tests see exactly what came back. */
static uint64_t page_size(void)
{
	return (uint64_t)sysconf(_SC_PAGESIZE);
}

static int gem_create_raw(int fd, struct drm_pvgpu_gem_create *c)
{
	return raw_ioctl(fd, DRM_IOCTL_PVGPU_GEM_CREATE, c);
}

static int mmap_offset_raw(int fd, struct drm_pvgpu_gem_mmap_offset *m)
{
	return raw_ioctl(fd, DRM_IOCTL_PVGPU_GEM_MMAP_OFFSET, m);
}

static uint32_t gem_create(int fd, uint64_t size)
{
	struct drm_pvgpu_gem_create c = { .size = size };

	igt_assert_err(gem_create_raw(fd, &c), 0);
	igt_assert_neq(c.handle, 0);
	return c.handle;
}

static void gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c), 0);
}

static uint64_t gem_mmap_offset(int fd, uint32_t handle)
{
	struct drm_pvgpu_gem_mmap_offset m = { .handle = handle };

	igt_assert_err(mmap_offset_raw(fd, &m), 0);
	igt_assert_neq(m.offset, 0);
	igt_assert_eq(m.offset % page_size(), 0);
	return m.offset;
}

static void *gem_mmap(int fd, uint32_t handle, uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       gem_mmap_offset(fd, handle));

	igt_assert(p != MAP_FAILED);
	return p;
}

static int prime_import_raw(int fd, int dmabuf, uint32_t *handle)
{
	struct drm_prime_handle p = { .fd = dmabuf };
	int ret = raw_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);

	if (!ret)
		*handle = p.handle;
	return ret;
}

static uint32_t prime_import(int fd, int dmabuf)
{
	uint32_t handle = 0;

	igt_assert_err(prime_import_raw(fd, dmabuf, &handle), 0);
	igt_assert_neq(handle, 0);
	return handle;
}

static void dmabuf_sync(int dmabuf, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	igt_assert_err(raw_ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &s), 0);
}

/* Each 32-bit word holds seed + its index: catches moved or stale pages. */
static void fill(void *p, uint64_t size, uint32_t seed)
{
	uint32_t *w = p;

	for (uint64_t i = 0; i < size / 4; i++)
		w[i] = seed + (uint32_t)i;
}

static void check(const void *p, uint64_t size, uint32_t seed)
{
	const uint32_t *w = p;

	for (uint64_t i = 0; i < size / 4; i++)
		igt_assert_f(w[i] == seed + (uint32_t)i,
			     "word %" PRIu64 ": %#x, expected %#x\n", i, w[i],
			     seed + (uint32_t)i);
}

static uint64_t total_ram(void)
{
	struct sysinfo si;

	igt_assert_eq(sysinfo(&si), 0);
	return (uint64_t)si.totalram * si.mem_unit;
}

/*
 * One fdinfo memory key ("drm-total-memory" ...) of @fd in bytes, or -1
 * if absent. drm_print_memory_stats() writes "<n>", "<n> KiB" or "<n> MiB".
 */
static int64_t fdinfo_mem(int fd, const char *key)
{
	char path[64], line[256], unit[8];
	size_t klen = strlen(key);
	int64_t val = -1;
	unsigned long long n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	igt_assert(f);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		unit[0] = 0;
		igt_assert_lte(1, sscanf(line + klen + 1, "%llu %7s", &n, unit));
		if (!strcmp(unit, "KiB"))
			n <<= 10;
		else if (!strcmp(unit, "MiB"))
			n <<= 20;
		else if (!strcmp(unit, "GiB"))
			n <<= 30;
		else
			igt_assert_f(!unit[0], "unknown unit in: %s", line);
		val = (int64_t)n;
		break;
	}
	fclose(f);
	return val;
}

/*
 * drm-resident-memory is only printed once the file has an object (the
 * key needs an object's .status to exist): absent reads as 0 here.
 */
static int64_t fdinfo_resident(int fd)
{
	int64_t v = fdinfo_mem(fd, "drm-resident-memory");

	return v < 0 ? 0 : v;
}

/* ---- create and mmap -------------------------------------------------- */

static void test_create_mmap(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	uint64_t size = 16 * page_size();
	uint32_t handle = gem_create(fd, size);
	uint32_t *p = gem_mmap(fd, handle, size);

	/* New objects read as zero. */
	for (uint64_t i = 0; i < size / 4; i++)
		igt_assert_eq(p[i], 0);
	fill(p, size, 0x1000);
	check(p, size, 0x1000);
	igt_assert_eq(munmap(p, size), 0);

	/* The pages survive the mapping: a new one sees the same data. */
	p = gem_mmap(fd, handle, size);
	check(p, size, 0x1000);
	igt_assert_eq(munmap(p, size), 0);

	gem_close(fd, handle);
	close(fd);
}

static void test_create_sizes(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	uint64_t ps = page_size();
	const uint64_t sizes[] = { 1, ps - 1, ps, ps + 1, 3 * ps + 7,
				   2ull << 20, (64ull << 20) + 1 };

	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct drm_pvgpu_gem_create c = { .size = sizes[i] };
		uint64_t want = (sizes[i] + ps - 1) / ps * ps;
		uint8_t *p;

		igt_assert_err(gem_create_raw(fd, &c), 0);
		igt_assert_eq_u64(c.size, want);
		igt_assert_neq(c.handle, 0);
		/* The whole rounded size maps; touch the first and last byte. */
		p = gem_mmap(fd, c.handle, c.size);
		igt_assert_eq(p[0], 0);
		igt_assert_eq(p[c.size - 1], 0);
		p[0] = 0x5a;
		p[c.size - 1] = 0xa5;
		igt_assert_eq(p[0], 0x5a);
		igt_assert_eq(p[c.size - 1], 0xa5);
		igt_assert_eq(munmap(p, c.size), 0);
		gem_close(fd, c.handle);
	}
	close(fd);
}

/*
 * Pages are allocated on first use: an object as large as the guest's RAM
 * can be created (one page more cannot, see create-invalid). It is never
 * mapped: a CPU mapping pins all of an object's pages at mmap() time.
 */
static void test_create_ram_sized(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	uint64_t ps = page_size();
	uint64_t ram = total_ram() / ps * ps;
	struct drm_pvgpu_gem_create c = { .size = ram };
	int64_t total0 = fdinfo_mem(fd, "drm-total-memory");

	igt_assert_err(gem_create_raw(fd, &c), 0);
	igt_assert_eq_u64(c.size, ram);
	igt_assert_eq(fdinfo_mem(fd, "drm-total-memory"), total0 + ram);
	igt_assert_eq(fdinfo_mem(fd, "drm-resident-memory"), 0);
	gem_close(fd, c.handle);
	igt_assert_eq(fdinfo_mem(fd, "drm-total-memory"), total0);
	close(fd);
}

/* The ioctl fails with @err and leaves every field as it was. */
static void create_fails(int fd, struct drm_pvgpu_gem_create c, int err)
{
	struct drm_pvgpu_gem_create orig;

	c.handle = 0xdeadbeef;
	orig = c;
	igt_assert_err(gem_create_raw(fd, &c), err);
	igt_assert(!memcmp(&c, &orig, sizeof(c)));
}

static void test_create_invalid(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	uint64_t ps = page_size();
	uint64_t ram = total_ram() / ps * ps;

	create_fails(fd, (struct drm_pvgpu_gem_create){ .size = 0 }, -EINVAL);
	create_fails(fd, (struct drm_pvgpu_gem_create){ .size = UINT64_MAX },
		     -EINVAL);
	/* The largest sizes whose page rounding overflows. */
	create_fails(fd, (struct drm_pvgpu_gem_create){
		.size = UINT64_MAX - ps + 2 }, -EINVAL);
	create_fails(fd, (struct drm_pvgpu_gem_create){
		.size = UINT64_MAX - ps + 1 }, -EINVAL);
	create_fails(fd, (struct drm_pvgpu_gem_create){ .size = 1ull << 63 },
		     -EINVAL);
	/* More than the guest could ever back. */
	create_fails(fd, (struct drm_pvgpu_gem_create){ .size = ram + ps },
		     -EINVAL);
	create_fails(fd, (struct drm_pvgpu_gem_create){ .size = ram + 1 },
		     -EINVAL);
	create_fails(fd, (struct drm_pvgpu_gem_create){ .size = 4 * ram },
		     -EINVAL);
	for (int bit = 0; bit < 32; bit++)
		create_fails(fd, (struct drm_pvgpu_gem_create){
			.size = ps, .flags = 1u << bit }, -EINVAL);
	create_fails(fd, (struct drm_pvgpu_gem_create){
		.size = ps, .extensions = 1 }, -EINVAL);
	/* An extension pointer that does not even point anywhere. */
	create_fails(fd, (struct drm_pvgpu_gem_create){
		.size = ps, .extensions = ~0ull }, -EINVAL);
	close(fd);
}

/* ---- mmap offset ------------------------------------------------------ */

static void offset_fails(int fd, struct drm_pvgpu_gem_mmap_offset m, int err)
{
	struct drm_pvgpu_gem_mmap_offset orig;

	m.offset = 0xdeadbeefcafe;
	orig = m;
	igt_assert_err(mmap_offset_raw(fd, &m), err);
	igt_assert(!memcmp(&m, &orig, sizeof(m)));
}

static void test_mmap_offset_invalid(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	int fd2 = igt_open_pvgpu_render(NULL, 0);
	uint32_t handle = gem_create(fd, page_size());
	uint32_t closed = gem_create(fd, page_size());

	gem_close(fd, closed);
	offset_fails(fd, (struct drm_pvgpu_gem_mmap_offset){ .handle = 0 },
		     -ENOENT);
	offset_fails(fd, (struct drm_pvgpu_gem_mmap_offset){
		.handle = 0xffffffff }, -ENOENT);
	offset_fails(fd, (struct drm_pvgpu_gem_mmap_offset){
		.handle = closed }, -ENOENT);
	/* Handles are per file. */
	offset_fails(fd2, (struct drm_pvgpu_gem_mmap_offset){
		.handle = handle }, -ENOENT);
	for (int bit = 0; bit < 32; bit++)
		offset_fails(fd, (struct drm_pvgpu_gem_mmap_offset){
			.handle = handle, .flags = 1u << bit }, -EINVAL);
	offset_fails(fd, (struct drm_pvgpu_gem_mmap_offset){
		.handle = handle, .extensions = 1 }, -EINVAL);
	/* Argument checks come before the handle lookup. */
	offset_fails(fd, (struct drm_pvgpu_gem_mmap_offset){
		.handle = 0xffffffff, .flags = 1 }, -EINVAL);

	/* The offset is stable. */
	igt_assert_eq_u64(gem_mmap_offset(fd, handle),
			  gem_mmap_offset(fd, handle));
	gem_close(fd, handle);
	close(fd2);
	close(fd);
}

static void test_mmap_closed(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	uint64_t size = 4 * page_size();
	uint32_t handle = gem_create(fd, size);
	uint64_t off = gem_mmap_offset(fd, handle);
	uint32_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			   off);
	void *q;

	igt_assert(p != MAP_FAILED);
	fill(p, size, 7);
	/* The mapping keeps the object alive after its handle is gone. */
	gem_close(fd, handle);
	check(p, size, 7);
	fill(p, size, 8);
	check(p, size, 8);
	igt_assert_eq(munmap(p, size), 0);

	/* The object is gone: its offset maps nothing any more. */
	q = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	igt_assert(q == MAP_FAILED);
	igt_assert_eq(errno, EINVAL);
	close(fd);
}

static void test_mmap_bounds(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	int fd2 = igt_open_pvgpu_render(NULL, 0);
	uint64_t ps = page_size();
	uint32_t handle = gem_create(fd, 2 * ps);
	uint64_t off = gem_mmap_offset(fd, handle);
	void *p;

	/* Larger than the object. */
	p = mmap(NULL, 3 * ps, PROT_READ, MAP_SHARED, fd, off);
	igt_assert(p == MAP_FAILED);
	igt_assert_eq(errno, EINVAL);
	/* Another file may not map an offset it has no handle for. */
	p = mmap(NULL, ps, PROT_READ, MAP_SHARED, fd2, off);
	igt_assert(p == MAP_FAILED);
	igt_assert_eq(errno, EACCES);
	/* A part of the object, from its start, is fine. */
	p = mmap(NULL, ps, PROT_READ, MAP_SHARED, fd, off);
	igt_assert(p != MAP_FAILED);
	igt_assert_eq(munmap(p, ps), 0);
	gem_close(fd, handle);
	close(fd2);
	close(fd);
}

static void test_mmap_twice(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	uint64_t size = 8 * page_size();
	uint32_t handle = gem_create(fd, size);
	uint32_t *a = gem_mmap(fd, handle, size);
	uint32_t *b = gem_mmap(fd, handle, size);

	igt_assert(a != b);
	fill(a, size, 0x100);
	check(b, size, 0x100);
	fill(b, size, 0x200);
	check(a, size, 0x200);
	igt_assert_eq(munmap(a, size), 0);
	check(b, size, 0x200);
	igt_assert_eq(munmap(b, size), 0);
	gem_close(fd, handle);
	close(fd);
}

struct fork_arg {
	int fd;
	uint32_t handle;
	uint32_t *map;
	uint64_t size;
};

static void fork_child(int idx, void *data)
{
	struct fork_arg *a = data;
	uint32_t *own;

	/* The inherited mapping shows what the parent wrote... */
	check(a->map, a->size, 0x300);
	/* ...and a new mapping through the inherited fd too. */
	own = gem_mmap(a->fd, a->handle, a->size);
	check(own, a->size, 0x300);
	fill(a->map, a->size / 2, 0x400);
	fill((uint8_t *)own + a->size / 2, a->size / 2, 0x500);
	igt_assert_eq(munmap(own, a->size), 0);
	(void)idx;
}

static void test_mmap_fork(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	struct fork_arg a = { .fd = fd, .size = 8 * page_size() };

	a.handle = gem_create(fd, a.size);
	a.map = gem_mmap(fd, a.handle, a.size);
	fill(a.map, a.size, 0x300);
	igt_fork(fork_child, 0, &a);
	igt_waitchildren();
	/* Both halves the child wrote, through either mapping. */
	check(a.map, a.size / 2, 0x400);
	check((uint8_t *)a.map + a.size / 2, a.size / 2, 0x500);
	igt_assert_eq(munmap(a.map, a.size), 0);
	gem_close(fd, a.handle);
	close(fd);
}

/* ---- PRIME ------------------------------------------------------------ */

static void test_prime_self_import(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	uint64_t size = 4 * page_size();
	uint32_t handle = gem_create(fd, size);
	uint32_t *p = gem_mmap(fd, handle, size);
	int dmabuf, dmabuf2;
	uint32_t h;

	fill(p, size, 0x600);
	dmabuf = prime_export(fd, handle);
	igt_assert_eq(prime_import(fd, dmabuf), handle);
	/* Exporting again gives the same dma-buf: the same handle too. */
	dmabuf2 = prime_export(fd, handle);
	igt_assert_eq(prime_import(fd, dmabuf2), handle);
	close(dmabuf2);

	/* The dma-buf keeps the object alive without any handle. */
	igt_assert_eq(munmap(p, size), 0);
	gem_close(fd, handle);
	h = prime_import(fd, dmabuf);
	p = gem_mmap(fd, h, size);
	check(p, size, 0x600);
	igt_assert_eq(prime_import(fd, dmabuf), h);
	igt_assert_eq(munmap(p, size), 0);
	gem_close(fd, h);
	close(dmabuf);
	close(fd);
}

static void test_prime_second_open(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	int fd2 = igt_open_pvgpu_render(NULL, 0);
	uint64_t size = 4 * page_size();
	uint32_t handle = gem_create(fd, size);
	uint32_t *p = gem_mmap(fd, handle, size);
	uint32_t *q;
	int dmabuf;
	uint32_t h2;

	fill(p, size, 0x700);
	dmabuf = prime_export(fd, handle);
	h2 = prime_import(fd2, dmabuf);
	close(dmabuf);
	/* Same pages, through the other file's own handle and offset. */
	q = gem_mmap(fd2, h2, size);
	check(q, size, 0x700);
	fill(q, size, 0x800);
	check(p, size, 0x800);

	/* The first file lets go: the second still holds the object. */
	igt_assert_eq(munmap(p, size), 0);
	gem_close(fd, handle);
	close(fd);
	check(q, size, 0x800);
	igt_assert_eq(munmap(q, size), 0);

	/* Re-export from the importer, back into a fresh file. */
	fd = igt_open_pvgpu_render(NULL, 0);
	dmabuf = prime_export(fd2, h2);
	handle = prime_import(fd, dmabuf);
	close(dmabuf);
	p = gem_mmap(fd, handle, size);
	check(p, size, 0x800);
	igt_assert_eq(munmap(p, size), 0);
	gem_close(fd, handle);
	gem_close(fd2, h2);
	close(fd2);
	close(fd);
}

static void test_prime_dmabuf_mmap(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	uint64_t size = 4 * page_size();
	uint32_t handle = gem_create(fd, size);
	uint32_t *p = gem_mmap(fd, handle, size);
	uint32_t *d;
	int dmabuf;

	fill(p, size, 0x900);
	dmabuf = prime_export(fd, handle);
	d = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, dmabuf, 0);
	igt_assert(d != MAP_FAILED);
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	check(d, size, 0x900);
	fill(d, size, 0xa00);
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	check(p, size, 0xa00);

	/* The dma-buf mapping outlives the handle, the GEM mapping and fd. */
	igt_assert_eq(munmap(p, size), 0);
	gem_close(fd, handle);
	close(dmabuf);
	close(fd);
	check(d, size, 0xa00);
	igt_assert_eq(munmap(d, size), 0);
}

static void test_prime_invalid(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	struct drm_prime_handle p = { .handle = 0xffffffff,
				      .flags = DRM_CLOEXEC, .fd = -1 };
	int memfd = memfd_create("pvgpu_gem", MFD_CLOEXEC);
	uint32_t h;

	/* No such handle. */
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p),
		       -ENOENT);
	/* Not a dma-buf, or no file at all. */
	igt_assert_lte(0, memfd);
	igt_assert_err(prime_import_raw(fd, memfd, &h), -EINVAL);
	igt_assert_err(prime_import_raw(fd, -1, &h), -EBADF);
	close(memfd);
	close(fd);
}

/*
 * A foreign dma-buf: imported, re-exported (the same dma-buf comes back),
 * counted by fdinfo, not mappable through the GEM offset.
 */
static void check_foreign_import(int dmabuf, void *cpu, uint64_t size)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	struct drm_pvgpu_gem_mmap_offset m = { .offset = 0x1234 };
	int64_t total0 = fdinfo_mem(fd, "drm-total-memory");
	uint32_t handle, *d;
	int out;

	fill(cpu, size, 0xb00);
	handle = prime_import(fd, dmabuf);
	igt_assert_eq(prime_import(fd, dmabuf), handle);
	igt_assert_eq(fdinfo_mem(fd, "drm-total-memory"), total0 + size);
	igt_assert_eq(fdinfo_resident(fd), size);

	m.handle = handle;
	igt_assert_err(mmap_offset_raw(fd, &m), -EINVAL);
	igt_assert_eq_u64(m.offset, 0x1234);

	/* Export of an imported object hands back the original dma-buf. */
	out = prime_export(fd, handle);
	d = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, out, 0);
	igt_assert(d != MAP_FAILED);
	dmabuf_sync(out, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	check(d, size, 0xb00);
	fill(d, size, 0xc00);
	dmabuf_sync(out, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	check(cpu, size, 0xc00);
	igt_assert_eq(munmap(d, size), 0);
	close(out);

	gem_close(fd, handle);
	igt_assert_eq(fdinfo_mem(fd, "drm-total-memory"), total0);
	close(fd);
}

static void test_prime_import_udmabuf(void)
{
	uint64_t size = 8 * page_size();
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC,
				    .size = size };
	int dev, memfd, dmabuf;
	void *cpu;

	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	igt_require_f(dev >= 0, "no /dev/udmabuf (CONFIG_UDMABUF): %s\n",
		      strerror(errno));
	memfd = memfd_create("pvgpu_gem", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	igt_assert_lte(0, memfd);
	igt_assert_eq(ftruncate(memfd, size), 0);
	igt_assert_eq(fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	cpu = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	igt_assert(cpu != MAP_FAILED);

	c.memfd = memfd;
	dmabuf = ioctl(dev, UDMABUF_CREATE, &c);
	igt_assert_f(dmabuf >= 0, "UDMABUF_CREATE: %s\n", strerror(errno));
	check_foreign_import(dmabuf, cpu, size);
	close(dmabuf);
	igt_assert_eq(munmap(cpu, size), 0);
	close(memfd);
	close(dev);
}

static void test_prime_import_dma_heap(void)
{
	uint64_t size = 8 * page_size();
	struct dma_heap_allocation_data a = {
		.len = size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};
	int heap;
	void *cpu;

	heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
	igt_require_f(heap >= 0,
		      "no /dev/dma_heap/system (CONFIG_DMABUF_HEAPS_SYSTEM): %s\n",
		      strerror(errno));
	igt_assert_err(raw_ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &a), 0);
	cpu = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, a.fd, 0);
	igt_assert(cpu != MAP_FAILED);
	dmabuf_sync(a.fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	check_foreign_import(a.fd, cpu, size);
	dmabuf_sync(a.fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	igt_assert_eq(munmap(cpu, size), 0);
	close(a.fd);
	close(heap);
}

/* ---- the device's view ----------------------------------------------- */

#define GPU_VA		0x200000000ull
#define SEC		1000000000ll

/*
 * A copy-engine context; any failure (-EOPNOTSUPP included: the driver
 * always has the VM and queue stack) fails the subtest.
 */
static void gpu_ctx_init(struct pvgpu_ctx *ctx, int fd)
{
	igt_assert_err(pvgpu_ctx_init(ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
}

/*
 * The device reads what the CPU wrote through the GEM mapping and the CPU
 * reads what the device wrote, with no flush (write-back, coherent).
 */
static void test_gpu_coherency(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	uint64_t size = 64 << 10, half = size / 2;
	struct pvgpu_batch b;
	struct pvgpu_ctx ctx;
	uint32_t handle, *p;

	gpu_ctx_init(&ctx, fd);
	handle = gem_create(fd, size);
	p = gem_mmap(fd, handle, size);
	fill(p, half, 0xe00);
	igt_assert_err(pvgpu_bind_map(fd, ctx.vm_id, handle, 0, GPU_VA, size,
				      0), 0);
	/* The handle may go: the binding keeps the object. */
	gem_close(fd, handle);

	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, GPU_VA, GPU_VA + half, half);
	pvgpu_batch_store32(&b, GPU_VA, 0x600dcafe);
	pvgpu_batch_end(&b);
	igt_assert_err(pvgpu_ctx_run(&ctx, &b, 10 * SEC), 0);
	check((uint8_t *)p + half, half, 0xe00);
	igt_assert_eq_u64(p[0], 0x600dcafe);
	check(p + 1, half - 4, 0xe01);

	igt_assert_err(pvgpu_bind_unmap(fd, ctx.vm_id, GPU_VA, size), 0);
	igt_assert_eq(munmap(p, size), 0);
	pvgpu_ctx_fini(&ctx);
	close(fd);
}

/* A foreign dma-buf (udmabuf) bound into a VM: the device writes its pages. */
static void test_gpu_foreign_dmabuf(void)
{
	uint64_t size = 16 * page_size();
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC,
				    .size = size };
	int fd, dev, memfd, dmabuf;
	struct pvgpu_batch b;
	struct pvgpu_ctx ctx;
	uint32_t handle, *cpu;

	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	igt_require_f(dev >= 0, "no /dev/udmabuf (CONFIG_UDMABUF): %s\n",
		      strerror(errno));
	fd = igt_open_pvgpu_render(NULL, 0);
	gpu_ctx_init(&ctx, fd);

	memfd = memfd_create("pvgpu_gem", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	igt_assert_lte(0, memfd);
	igt_assert_eq(ftruncate(memfd, size), 0);
	igt_assert_eq(fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
	cpu = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	igt_assert(cpu != MAP_FAILED);
	fill(cpu, size, 0xf00);
	c.memfd = memfd;
	dmabuf = ioctl(dev, UDMABUF_CREATE, &c);
	igt_assert_f(dmabuf >= 0, "UDMABUF_CREATE: %s\n", strerror(errno));
	handle = prime_import(fd, dmabuf);
	close(dmabuf);

	igt_assert_err(pvgpu_bind_map(fd, ctx.vm_id, handle, 0, GPU_VA, size,
				      0), 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_copy(&b, GPU_VA, GPU_VA + size / 2, size / 2);
	pvgpu_batch_fill(&b, GPU_VA, 4096, 0x5eed5eed);
	pvgpu_batch_end(&b);
	igt_assert_err(pvgpu_ctx_run(&ctx, &b, 10 * SEC), 0);
	for (unsigned int i = 0; i < 1024; i++)
		igt_assert_eq_u64(cpu[i], 0x5eed5eed);
	check((uint8_t *)cpu + size / 2, size / 2, 0xf00);
	check((uint8_t *)cpu + 4096, size / 2 - 4096, 0xf00 + 1024);

	igt_assert_err(pvgpu_bind_unmap(fd, ctx.vm_id, GPU_VA, size), 0);
	gem_close(fd, handle);
	pvgpu_ctx_fini(&ctx);
	igt_assert_eq(munmap(cpu, size), 0);
	close(memfd);
	close(dev);
	close(fd);
}

/* ---- dumb buffers ----------------------------------------------------- */

static void test_dumb(void)
{
	int fd = igt_open_pvgpu_primary(NULL, 0);
	int rfd = igt_open_pvgpu_render(NULL, 0);
	struct drm_mode_create_dumb c = { .width = 100, .height = 30,
					  .bpp = 32 };
	struct drm_mode_map_dumb m = { 0 };
	struct drm_mode_destroy_dumb d = { 0 };
	uint64_t ps = page_size();
	uint32_t *p;

	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c), 0);
	igt_assert_eq(c.pitch, 400);
	igt_assert_eq_u64(c.size, (400 * 30 + ps - 1) / ps * ps);
	igt_assert_neq(c.handle, 0);

	m.handle = c.handle;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m), 0);
	p = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 m.offset);
	igt_assert(p != MAP_FAILED);
	fill(p, c.size, 0xd00);
	check(p, c.size, 0xd00);
	igt_assert_eq(munmap(p, c.size), 0);
	/* A dumb buffer is a pvgpu object like any other. */
	p = gem_mmap(fd, c.handle, c.size);
	check(p, c.size, 0xd00);
	igt_assert_eq(munmap(p, c.size), 0);

	d.handle = c.handle;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d), 0);
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m), -ENOENT);

	/* Invalid dimensions are the core's -EINVAL. */
	c = (struct drm_mode_create_dumb){ .width = 100, .height = 0,
					   .bpp = 32 };
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c), -EINVAL);
	/* Larger than the guest's memory (the core caps it at 4 GiB). */
	if (total_ram() < (4ull << 30) - (64ull << 20)) {
		c = (struct drm_mode_create_dumb){ .width = 32768,
						   .height = 32767,
						   .bpp = 32 };
		igt_assert_err(raw_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c),
			       -EINVAL);
	}
	/* Dumb buffers belong to the primary node, as on every driver. */
	c = (struct drm_mode_create_dumb){ .width = 16, .height = 16,
					   .bpp = 32 };
	igt_assert_err(raw_ioctl(rfd, DRM_IOCTL_MODE_CREATE_DUMB, &c),
		       -EACCES);
	close(rfd);
	close(fd);
}

/* ---- leaks and accounting -------------------------------------------- */

static void test_handle_leak(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	uint64_t ps = page_size();
	int64_t total0 = fdinfo_mem(fd, "drm-total-memory");
	uint32_t first, h;
	int dmabuf;

	igt_assert_lte(0, total0);
	first = gem_create(fd, ps);
	gem_close(fd, first);
	for (int i = 0; i < 10000; i++) {
		h = gem_create(fd, ps);
		/* Closed handles are reused: nothing is left behind. */
		igt_assert_eq(h, first);
		if (i % 1000 == 0) {
			/* Now and then through a dma-buf and back. */
			dmabuf = prime_export(fd, h);
			igt_assert_eq(prime_import(fd, dmabuf), h);
			close(dmabuf);
		}
		gem_close(fd, h);
	}
	igt_assert_eq(fdinfo_mem(fd, "drm-total-memory"), total0);
	close(fd);
}

static void test_fdinfo_memory(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	uint64_t size = 1 << 20;
	int64_t total0 = fdinfo_mem(fd, "drm-total-memory");
	uint32_t handle;
	uint8_t *p;

	igt_assert_f(total0 == 0, "drm-total-memory of a new file: %" PRId64 "\n",
		     total0);
	igt_assert_eq(fdinfo_resident(fd), 0);

	handle = gem_create(fd, size);
	igt_assert_eq(fdinfo_mem(fd, "drm-total-memory"), size);
	/* No pages until first use; the key is there now. */
	igt_assert_eq(fdinfo_mem(fd, "drm-resident-memory"), 0);

	/* A CPU mapping allocates and pins all pages. */
	p = gem_mmap(fd, handle, size);
	igt_assert_eq(fdinfo_mem(fd, "drm-resident-memory"), size);
	for (uint64_t i = 0; i < size; i += page_size())
		p[i] = 1;
	igt_assert_eq(fdinfo_mem(fd, "drm-resident-memory"), size);
	igt_assert_eq(munmap(p, size), 0);
	/* Unpinned and released with the last mapping (no GPU user). */
	igt_assert_lte(fdinfo_mem(fd, "drm-resident-memory"), size);

	gem_close(fd, handle);
	igt_assert_eq(fdinfo_mem(fd, "drm-total-memory"), 0);
	igt_assert_eq(fdinfo_resident(fd), 0);
	close(fd);
}

static const struct igt_lite_subtest subtests[] = {
	{ "create-mmap", test_create_mmap,
	  "create, map, write, read back, remap, close" },
	{ "create-sizes", test_create_sizes,
	  "sizes round up to pages; the whole rounded size maps" },
	{ "create-ram-sized", test_create_ram_sized,
	  "an object as large as the guest's RAM can be created" },
	{ "create-invalid", test_create_invalid,
	  "size 0, overflow, > RAM, flags, extensions: -EINVAL, struct unchanged" },
	{ "mmap-offset-invalid", test_mmap_offset_invalid,
	  "bad/closed/foreign handle -ENOENT, flags/extensions -EINVAL" },
	{ "mmap-closed", test_mmap_closed,
	  "a mapping outlives the handle; a freed object's offset maps nothing" },
	{ "mmap-bounds", test_mmap_bounds,
	  "no mapping beyond the object, none through another file" },
	{ "mmap-twice", test_mmap_twice,
	  "two mappings of one object share its pages" },
	{ "mmap-fork", test_mmap_fork,
	  "a forked child sees and writes the same pages" },
	{ "prime-self-import", test_prime_self_import,
	  "export then import in the same file gives the same handle" },
	{ "prime-second-open", test_prime_second_open,
	  "import in another file: its own handle, the same pages" },
	{ "prime-dmabuf-mmap", test_prime_dmabuf_mmap,
	  "mmap of the exported dma-buf sees the object's pages" },
	{ "prime-invalid", test_prime_invalid,
	  "PRIME of a bad handle, a non-dma-buf fd, no fd" },
	{ "prime-import-udmabuf", test_prime_import_udmabuf,
	  "import a udmabuf: no GEM mmap offset, the pages shared" },
	{ "prime-import-dma-heap", test_prime_import_dma_heap,
	  "import a system dma-heap buffer: no GEM mmap offset, the pages shared" },
	{ "gpu-coherency", test_gpu_coherency,
	  "the device and CPU mappings see each other's writes, no flush" },
	{ "gpu-foreign-dmabuf", test_gpu_foreign_dmabuf,
	  "a bound udmabuf import is read and written by the device" },
	{ "dumb", test_dumb,
	  "DRM_IOCTL_MODE_CREATE_DUMB / MAP_DUMB / DESTROY_DUMB on the primary node" },
	{ "handle-leak", test_handle_leak,
	  "10000 create/close cycles reuse one handle and leave no memory" },
	{ "fdinfo-memory", test_fdinfo_memory,
	  "drm-total-memory / drm-resident-memory follow an object's life" },
};

IGT_LITE_MAIN("pvgpu_gem: buffer objects, mmap and PRIME", subtests)
