// SPDX-License-Identifier: MIT
/*
 * pvgpu_query: DRM_IOCTL_PVGPU_QUERY and DRM_IOCTL_PVGPU_FW_PING, against the
 * conventions of include/uapi/drm/pvgpu_drm.h: size probing, trimming,
 * sensible values, -EINVAL for unknown ids / flags / pad / extensions / short
 * sizes, -EFAULT for bad pointers, nothing changed by a failing ioctl,
 * pings from many threads and processes at once, on render and primary
 * nodes, and -EACCES for a ping without CAP_SYS_ADMIN (queries stay open to
 * everyone).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "igt_lite.h"
#include "pvgpu_test.h"
#include "libpvgpu.h"

#define PATTERN 0xa5
#define PVGPU_PCI_VENDOR 0x1234
#define PVGPU_PCI_DEVICE 0x9067

/* ---- helpers ---------------------------------------------------------- */

/* Raw ioctl: 0 or -errno, no retry, so tests see exactly what came back. */
static int query(int fd, struct drm_pvgpu_query *q)
{
	return raw_ioctl(fd, DRM_IOCTL_PVGPU_QUERY, q);
}

static int ping(int fd, struct drm_pvgpu_fw_ping *p)
{
	return raw_ioctl(fd, DRM_IOCTL_PVGPU_FW_PING, p);
}

static bool all_bytes(const void *buf, size_t len, uint8_t val)
{
	const uint8_t *b = buf;

	for (size_t i = 0; i < len; i++)
		if (b[i] != val)
			return false;
	return true;
}

static void *pattern_buf(size_t len)
{
	void *buf = malloc(len);

	igt_assert(buf);
	memset(buf, PATTERN, len);
	return buf;
}

/* Size the kernel asks for with size 0. */
static uint32_t query_size(int fd, uint32_t id)
{
	struct drm_pvgpu_query q = { .query = id };

	igt_assert_err(query(fd, &q), 0);
	igt_assert_neq(q.size, 0);
	return q.size;
}

static void query_device(int fd, struct drm_pvgpu_query_device *dev)
{
	struct drm_pvgpu_query q = {
		.query = DRM_PVGPU_QUERY_DEVICE,
		.size = sizeof(*dev),
		.data = (uintptr_t)dev,
	};

	memset(dev, PATTERN, sizeof(*dev));
	igt_assert_err(query(fd, &q), 0);
	igt_assert_eq(q.size, sizeof(*dev));
}

/* Queries ENGINES into a malloc'ed buffer; returns it, size in @size. */
static struct drm_pvgpu_query_engines *query_engines(int fd, uint32_t *size)
{
	uint32_t need = query_size(fd, DRM_PVGPU_QUERY_ENGINES);
	struct drm_pvgpu_query q = {
		.query = DRM_PVGPU_QUERY_ENGINES,
		.size = need,
	};
	void *buf = pattern_buf(need);

	q.data = (uintptr_t)buf;
	igt_assert_err(query(fd, &q), 0);
	igt_assert_eq(q.size, need);
	*size = need;
	return buf;
}

/*
 * Issues @tmpl (whose data points at a buffer of @len bytes, or not) and
 * checks that it fails with @err and changes nothing: neither the argument
 * struct nor the @len bytes at its data pointer (which this fills with a
 * pattern first).
 */
static void query_expect_err(int fd, const struct drm_pvgpu_query *tmpl, size_t len,
			     int err)
{
	struct drm_pvgpu_query q = *tmpl;
	void *buf = (void *)(uintptr_t)tmpl->data;
	int ret;

	if (buf && len)
		memset(buf, PATTERN, len);
	ret = query(fd, &q);
	igt_assert_f(ret == err,
		     "query id %u size %u data %#llx flags %#x pad %#x ext %#llx: got %s, expected %s\n",
		     tmpl->query, tmpl->size, (unsigned long long)tmpl->data, tmpl->flags,
		     tmpl->pad, (unsigned long long)tmpl->extensions,
		     igt_errname(ret), igt_errname(err));
	igt_assert_f(!memcmp(&q, tmpl, sizeof(q)),
		     "failing query changed its argument (size %u -> %u)\n",
		     tmpl->size, q.size);
	if (buf && len)
		igt_assert_f(all_bytes(buf, len, PATTERN),
			     "failing query (id %u, %s) wrote to the user buffer\n",
			     tmpl->query, igt_errname(err));
}

/* An address with nothing mapped at it (a page mapped, then unmapped). */
static void *unmapped_address(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	void *p = mmap(NULL, pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	igt_assert(p != MAP_FAILED);
	igt_assert_eq(munmap(p, pg), 0);
	return p;
}

static const uint32_t query_ids[] = { DRM_PVGPU_QUERY_DEVICE, DRM_PVGPU_QUERY_ENGINES };

/* ---- DEVICE query ----------------------------------------------------- */

static void test_query_device_size_probe(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	struct drm_pvgpu_query q = { .query = DRM_PVGPU_QUERY_DEVICE };
	uint8_t *buf;

	/* size 0, no buffer: the kernel says how much it needs */
	igt_assert_err(query(fd, &q), 0);
	igt_assert_eq(q.size, sizeof(struct drm_pvgpu_query_device));
	igt_assert_eq_u64(q.data, 0);
	igt_assert_eq(q.flags, 0);
	igt_assert_eq(q.pad, 0);

	/* size 0 with a buffer: the buffer is not touched */
	buf = pattern_buf(4096);
	memset(&q, 0, sizeof(q));
	q.query = DRM_PVGPU_QUERY_DEVICE;
	q.data = (uintptr_t)buf;
	igt_assert_err(query(fd, &q), 0);
	igt_assert_eq(q.size, sizeof(struct drm_pvgpu_query_device));
	igt_assert_f(all_bytes(buf, 4096, PATTERN), "size probe wrote to the buffer\n");

	/* size 0 with a pointer to nothing: still only a probe */
	memset(&q, 0, sizeof(q));
	q.query = DRM_PVGPU_QUERY_DEVICE;
	q.data = (uintptr_t)unmapped_address();
	igt_assert_err(query(fd, &q), 0);
	igt_assert_eq(q.size, sizeof(struct drm_pvgpu_query_device));

	free(buf);
	close(fd);
}

static void test_query_device_exact(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	struct drm_pvgpu_query_device dev;
	uint64_t pattern;

	query_device(fd, &dev);
	/* every byte was written: the pattern left no trace in pad/reserved */
	igt_assert_eq(dev.pad, 0);
	for (size_t i = 0; i < sizeof(dev.reserved) / sizeof(dev.reserved[0]); i++)
		igt_assert_eq_u64(dev.reserved[i], 0);
	/* Written too (a count, whatever resets ran before). */
	memset(&pattern, PATTERN, sizeof(pattern));
	igt_assert(dev.reset_count != pattern);
	close(fd);
}

static void test_query_device_larger(void)
{
	static const uint32_t extra[] = { 1, 8, 100, 4096 };
	int fd = igt_open_pvgpu_render(NULL, 0);
	const size_t need = sizeof(struct drm_pvgpu_query_device);

	for (unsigned i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		size_t len = need + extra[i];
		uint8_t *buf = pattern_buf(len);
		struct drm_pvgpu_query q = {
			.query = DRM_PVGPU_QUERY_DEVICE,
			.size = len,
			.data = (uintptr_t)buf,
		};
		struct drm_pvgpu_query_device *dev = (void *)buf;

		igt_assert_err(query(fd, &q), 0);
		igt_assert_f(q.size == need, "size %zu trimmed to %u, expected %zu\n",
			     len, q.size, need);
		igt_assert_f(all_bytes(buf + need, extra[i], PATTERN),
			     "query wrote past the %zu bytes it reported\n", need);
		igt_assert_eq(dev->pci_vendor, PVGPU_PCI_VENDOR);
		free(buf);
	}
	close(fd);
}

static void check_device(const struct drm_pvgpu_query_device *d)
{
	igt_info("pci %04x:%04x rev %u, iface %u.%u, fw %u.%u.%u, flags %#x\n",
		 d->pci_vendor, d->pci_device, d->pci_revision,
		 d->iface_version >> 16, d->iface_version & 0xffff,
		 d->fw_version >> 16, (d->fw_version >> 8) & 0xff, d->fw_version & 0xff,
		 d->flags);
	igt_info("va_bits %u, page_sizes %#llx, priorities %u, max_queues %u, doorbells %u\n",
		 d->va_bits, (unsigned long long)d->page_sizes, d->num_priorities,
		 d->max_queues, d->num_doorbells);
	igt_info("engine classes %u, timeslice min/default/max %u/%u/%u us\n",
		 d->num_engine_classes, d->timeslice_min_us, d->timeslice_default_us,
		 d->timeslice_max_us);

	igt_assert_eq(d->pci_vendor, PVGPU_PCI_VENDOR);
	igt_assert_eq(d->pci_device, PVGPU_PCI_DEVICE);
	igt_assert_gte(d->va_bits, 32);
	igt_assert_lte(d->va_bits, 57);
	igt_assert_f(d->page_sizes & (1ull << 12), "4 KiB pages not supported: %#llx\n",
		     (unsigned long long)d->page_sizes);
	igt_assert_f(!(d->page_sizes & ((1ull << 12) - 1)),
		     "page sizes below 4 KiB: %#llx\n", (unsigned long long)d->page_sizes);
	igt_assert_f(!(d->page_sizes >> d->va_bits) || d->va_bits >= 64,
		     "page sizes beyond the VA space: %#llx\n",
		     (unsigned long long)d->page_sizes);
	igt_assert_f(!(d->flags & ~(DRM_PVGPU_DEVICE_PAGE_FAULTS |
				     DRM_PVGPU_DEVICE_BACKEND_VIRGL)),
		     "undefined device flags %#x\n", d->flags);
	igt_assert_gte(d->num_engine_classes, 2);
	igt_assert_gte(d->num_priorities, 1);
	igt_assert_gte(d->max_queues, 1);
	igt_assert_gte(d->num_doorbells, 1);
	igt_assert_gt(d->timeslice_min_us, 0);
	igt_assert_lte(d->timeslice_min_us, d->timeslice_default_us);
	igt_assert_lte(d->timeslice_default_us, d->timeslice_max_us);
	igt_assert_eq(d->pad, 0);
	for (int i = 0; i < 4; i++)
		igt_assert_eq_u64(d->reserved[i], 0);
}

static void test_query_device_values(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	struct drm_pvgpu_query_device dev;

	query_device(fd, &dev);
	check_device(&dev);
	close(fd);
}

static void test_query_device_stable(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	int fd2 = igt_open_pvgpu_render(NULL, 0);
	struct drm_pvgpu_query_device a, b;

	query_device(fd, &a);
	for (int i = 0; i < 100; i++) {
		query_device(i & 1 ? fd2 : fd, &b);
		igt_assert_f(!memcmp(&a, &b, sizeof(a)), "device query %d differs\n", i);
	}
	close(fd2);
	close(fd);
}

/* ---- ENGINES query ---------------------------------------------------- */

static void test_query_engines_size_probe(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	struct drm_pvgpu_query_device dev;
	uint32_t size;

	query_device(fd, &dev);
	size = query_size(fd, DRM_PVGPU_QUERY_ENGINES);
	igt_assert_eq(size, sizeof(struct drm_pvgpu_query_engines) +
			    dev.num_engine_classes * sizeof(struct drm_pvgpu_engine_info));
	close(fd);
}

static void test_query_engines(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	struct drm_pvgpu_query_device dev;
	struct drm_pvgpu_query_engines *e;
	bool copy = false, compute = false;
	uint32_t size;

	query_device(fd, &dev);
	e = query_engines(fd, &size);

	igt_assert_eq(e->num_engines, dev.num_engine_classes);
	igt_assert_eq(e->pad, 0);
	for (uint32_t i = 0; i < e->num_engines; i++) {
		const struct drm_pvgpu_engine_info *info = &e->engines[i];

		igt_info("engine class %u: %u slots\n", info->engine_class, info->num_slots);
		igt_assert_gte(info->num_slots, 1);
		igt_assert_eq_u64(info->reserved[0], 0);
		igt_assert_eq_u64(info->reserved[1], 0);
		for (uint32_t j = 0; j < i; j++)
			igt_assert_f(e->engines[j].engine_class != info->engine_class,
				     "engine class %u listed twice\n", info->engine_class);
		if (info->engine_class == DRM_PVGPU_ENGINE_CLASS_COPY)
			copy = true;
		if (info->engine_class == DRM_PVGPU_ENGINE_CLASS_COMPUTE)
			compute = true;
	}
	igt_assert_f(copy, "no copy engine class\n");
	igt_assert_f(compute, "no compute engine class\n");

	free(e);
	close(fd);
}

static void test_query_engines_larger(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	uint32_t need = query_size(fd, DRM_PVGPU_QUERY_ENGINES);
	size_t len = need + 4096;
	uint8_t *buf = pattern_buf(len);
	struct drm_pvgpu_query q = {
		.query = DRM_PVGPU_QUERY_ENGINES,
		.size = len,
		.data = (uintptr_t)buf,
	};

	igt_assert_err(query(fd, &q), 0);
	igt_assert_eq(q.size, need);
	igt_assert_f(all_bytes(buf + need, len - need, PATTERN),
		     "engines query wrote past the %u bytes it reported\n", need);
	igt_assert_eq(((struct drm_pvgpu_query_engines *)buf)->num_engines,
		      (need - sizeof(struct drm_pvgpu_query_engines)) /
		      sizeof(struct drm_pvgpu_engine_info));
	free(buf);
	close(fd);
}

/* ---- invalid arguments: -EINVAL, nothing changed ---------------------- */

static void test_query_invalid_id(void)
{
	static const uint32_t bad[] = { 2, 3, 16, 0x100, 0x7fffffff, 0x80000000, 0xffffffff };
	int fd = igt_open_pvgpu_render(NULL, 0);
	uint8_t *buf = pattern_buf(4096);

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct drm_pvgpu_query q = { .query = bad[i] };

		query_expect_err(fd, &q, 0, -EINVAL);		/* probe */
		q.size = 4096;
		q.data = (uintptr_t)buf;
		query_expect_err(fd, &q, 4096, -EINVAL);
	}
	free(buf);
	close(fd);
}

static void test_query_invalid_flags(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	uint8_t *buf = pattern_buf(4096);

	for (unsigned id = 0; id < 2; id++) {
		uint32_t need = query_size(fd, query_ids[id]);

		for (int bit = 0; bit < 32; bit++) {
			struct drm_pvgpu_query q = {
				.query = query_ids[id],
				.flags = 1u << bit,
			};

			query_expect_err(fd, &q, 0, -EINVAL);
			q.size = need;
			q.data = (uintptr_t)buf;
			query_expect_err(fd, &q, 4096, -EINVAL);
		}
		struct drm_pvgpu_query q = {
			.query = query_ids[id], .flags = ~0u, .size = need,
			.data = (uintptr_t)buf,
		};
		query_expect_err(fd, &q, 4096, -EINVAL);
	}
	free(buf);
	close(fd);
}

static void test_query_invalid_pad(void)
{
	static const uint32_t bad[] = { 1, 2, 0x80, 0x80000000, 0xffffffff };
	int fd = igt_open_pvgpu_render(NULL, 0);
	uint8_t *buf = pattern_buf(4096);

	for (unsigned id = 0; id < 2; id++) {
		uint32_t need = query_size(fd, query_ids[id]);

		for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct drm_pvgpu_query q = { .query = query_ids[id], .pad = bad[i] };

			query_expect_err(fd, &q, 0, -EINVAL);
			q.size = need;
			q.data = (uintptr_t)buf;
			query_expect_err(fd, &q, 4096, -EINVAL);
		}
	}
	free(buf);
	close(fd);
}

static void test_query_invalid_extensions(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	uint8_t *buf = pattern_buf(4096);
	struct drm_pvgpu_user_extension ext0 = { 0 }, ext1 = { .name = 1 },
		ext_chain = { .next_extension = (uintptr_t)&ext0, .name = 0x1234 };
	const uint64_t bad[] = {
		(uintptr_t)&ext0,		/* well-formed, name 0 */
		(uintptr_t)&ext1,		/* unknown name */
		(uintptr_t)&ext_chain,		/* a chain */
		(uintptr_t)unmapped_address(),	/* "any non-zero pointer" */
		1, 8, ~0ull,
	};

	for (unsigned id = 0; id < 2; id++) {
		uint32_t need = query_size(fd, query_ids[id]);

		for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct drm_pvgpu_query q = {
				.query = query_ids[id], .extensions = bad[i],
			};

			query_expect_err(fd, &q, 0, -EINVAL);
			q.size = need;
			q.data = (uintptr_t)buf;
			query_expect_err(fd, &q, 4096, -EINVAL);
		}
	}
	free(buf);
	close(fd);
}

static void test_query_size_too_small(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	uint8_t *buf = pattern_buf(4096);

	for (unsigned id = 0; id < 2; id++) {
		uint32_t need = query_size(fd, query_ids[id]);
		uint32_t sizes[] = {
			1, 4, need / 2, need - 1,
			(uint32_t)sizeof(struct drm_pvgpu_query_engines),	/* header only */
			need - (uint32_t)sizeof(struct drm_pvgpu_engine_info),	/* one short */
		};

		igt_assert_lte(need, 4096);
		for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			struct drm_pvgpu_query q = {
				.query = query_ids[id],
				.size = sizes[i],
				.data = (uintptr_t)buf,
			};

			if (sizes[i] == 0 || sizes[i] >= need)
				continue;
			query_expect_err(fd, &q, 4096, -EINVAL);
		}
	}
	free(buf);
	close(fd);
}

/* ---- bad data pointers: -EFAULT, nothing changed ---------------------- */

static void efault_all_ids(int fd, uint64_t data, void *watch, size_t watch_len)
{
	for (unsigned id = 0; id < 2; id++) {
		uint32_t need = query_size(fd, query_ids[id]);
		struct drm_pvgpu_query q = {
			.query = query_ids[id], .size = need, .data = data,
		};
		struct drm_pvgpu_query copy = q;
		int ret = query(fd, &copy);

		igt_assert_f(ret == -EFAULT, "query id %u data %#llx: got %s, expected EFAULT\n",
			     q.query, (unsigned long long)data, igt_errname(ret));
		igt_assert_f(!memcmp(&copy, &q, sizeof(q)),
			     "failing query changed its argument (size %u -> %u)\n",
			     q.size, copy.size);
		if (watch)
			igt_assert_f(all_bytes(watch, watch_len, PATTERN),
				     "EFAULT query changed the memory it could read\n");
	}
}

static void test_query_efault_null(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);

	efault_all_ids(fd, 0, NULL, 0);
	close(fd);
}

static void test_query_efault_unmapped(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	long pg = sysconf(_SC_PAGESIZE);
	void *none;

	efault_all_ids(fd, (uintptr_t)unmapped_address(), NULL, 0);

	none = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(none != MAP_FAILED);
	efault_all_ids(fd, (uintptr_t)none, NULL, 0);
	munmap(none, pg);
	close(fd);
}

static void test_query_efault_readonly(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *ro;

	ro = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(ro != MAP_FAILED);
	memset(ro, PATTERN, pg);
	igt_assert_eq(mprotect(ro, pg, PROT_READ), 0);
	efault_all_ids(fd, (uintptr_t)ro, ro, pg);
	munmap(ro, pg);
	close(fd);
}

static void test_query_efault_kernel_address(void)
{
	static const uint64_t bad[] = {
		0xffffffff81000000ull,	/* kernel text */
		0xffff888000000000ull,	/* direct map */
		0x8000000000000000ull,	/* non-canonical */
		0xfffffffffffff000ull,
	};
	int fd = igt_open_pvgpu_render(NULL, 0);

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		efault_all_ids(fd, bad[i], NULL, 0);
	close(fd);
}

/* A buffer whose tail runs into an unmapped page: -EFAULT. (What was
 * written into the mapped head cannot be taken back, so that is not
 * checked.) */
static void test_query_efault_partial(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *map;

	map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(map != MAP_FAILED);
	igt_assert_eq(munmap(map + pg, pg), 0);

	for (unsigned id = 0; id < 2; id++) {
		uint32_t need = query_size(fd, query_ids[id]);
		struct drm_pvgpu_query q = {
			.query = query_ids[id],
			.size = need,
			.data = (uintptr_t)(map + pg - need / 2),
		};
		int ret = query(fd, &q);

		igt_assert_f(ret == -EFAULT, "query id %u straddling a hole: got %s\n",
			     query_ids[id], igt_errname(ret));
		igt_assert_eq(q.size, need);
	}
	munmap(map, pg);
	close(fd);
}

/* ---- primary node ----------------------------------------------------- */

static void test_query_primary(void)
{
	int rfd = igt_open_pvgpu_render(NULL, 0);
	int pfd = igt_open_pvgpu_primary(NULL, 0);
	struct drm_pvgpu_query_device r, p;
	struct drm_pvgpu_query_engines *re, *pe;
	uint32_t rs, ps;

	query_device(rfd, &r);
	query_device(pfd, &p);
	igt_assert_f(!memcmp(&r, &p, sizeof(r)), "render and primary nodes differ\n");
	check_device(&p);

	re = query_engines(rfd, &rs);
	pe = query_engines(pfd, &ps);
	igt_assert_eq(rs, ps);
	igt_assert(!memcmp(re, pe, rs));

	free(re);
	free(pe);
	close(pfd);
	close(rfd);
}

/* ---- FW_PING ---------------------------------------------------------- */

static void ping_ok(int fd, uint64_t cookie, struct drm_pvgpu_fw_ping *out)
{
	struct drm_pvgpu_fw_ping p = { .cookie = cookie };
	int ret = ping(fd, &p);

	igt_assert_f(ret == 0, "ping with cookie %#llx: %s\n",
		     (unsigned long long)cookie, igt_errname(ret));
	igt_assert_f(p.cookie == cookie, "cookie %#llx came back as %#llx\n",
		     (unsigned long long)cookie, (unsigned long long)p.cookie);
	igt_assert_f(p.rtt_ns > 0, "rtt_ns is 0\n");
	igt_assert_f(p.wake_ns >= p.rtt_ns, "wake_ns %llu < rtt_ns %llu\n",
		     (unsigned long long)p.wake_ns, (unsigned long long)p.rtt_ns);
	igt_assert_eq_u64(p.extensions, 0);
	igt_assert_eq(p.flags, 0);
	igt_assert_eq(p.pad, 0);
	if (out)
		*out = p;
}

/* One DRM_PVGPU_FW_PING_FLOOR measurement: 0 or -errno; checks a success. */
static int floor_once(int fd, struct drm_pvgpu_fw_ping *out)
{
	struct drm_pvgpu_fw_ping p = {
		.cookie = 0xf100f100f100f100ull,
		.fw_timestamp_ns = 0xa5a5a5a5a5a5a5a5ull,
		.flags = DRM_PVGPU_FW_PING_FLOOR,
	};
	int ret = ping(fd, &p);

	if (ret)
		return ret;
	igt_assert_f(p.rtt_ns > 0, "floor: rtt_ns is 0\n");
	igt_assert_f(p.wake_ns >= p.rtt_ns, "floor: wake_ns %llu < rtt_ns %llu\n",
		     (unsigned long long)p.wake_ns, (unsigned long long)p.rtt_ns);
	/* A second is far beyond any floor, even under TCG on a busy host. */
	igt_assert_f(p.wake_ns < 1000000000ull, "floor: wake_ns %llu\n",
		     (unsigned long long)p.wake_ns);
	igt_assert_eq_u64(p.cookie, 0xf100f100f100f100ull);
	igt_assert_eq_u64(p.fw_timestamp_ns, 0);
	igt_assert_eq(p.flags, DRM_PVGPU_FW_PING_FLOOR);
	igt_assert_eq(p.pad, 0);
	igt_assert_eq_u64(p.extensions, 0);
	if (out)
		*out = p;
	return 0;
}

static void floor_ok(int fd, struct drm_pvgpu_fw_ping *out)
{
	int ret = floor_once(fd, out);

	igt_assert_f(ret == 0, "floor: %s\n", igt_errname(ret));
}

static void test_ping_basic(void)
{
	static const uint64_t cookies[] = {
		0, 1, 0x8000000000000000ull, 0xdeadbeefcafef00dull, ~0ull,
	};
	int fd = igt_open_pvgpu_render(NULL, 0);
	struct drm_pvgpu_fw_ping p;
	uint64_t x = 0x9e3779b97f4a7c15ull;

	for (unsigned i = 0; i < sizeof(cookies) / sizeof(cookies[0]); i++) {
		ping_ok(fd, cookies[i], &p);
		igt_info("cookie %#018llx: rtt %llu ns, fw time %llu ns\n",
			 (unsigned long long)cookies[i], (unsigned long long)p.rtt_ns,
			 (unsigned long long)p.fw_timestamp_ns);
	}
	/* distinct pseudo-random cookies, back to back */
	for (int i = 0; i < 256; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		ping_ok(fd, x, NULL);
	}
	close(fd);
}

static void test_ping_timestamp_monotonic(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	struct drm_pvgpu_fw_ping p;
	uint64_t first, last;

	ping_ok(fd, 0, &p);
	first = last = p.fw_timestamp_ns;
	for (int i = 1; i <= 200; i++) {
		ping_ok(fd, i, &p);
		igt_assert_f(p.fw_timestamp_ns >= last,
			     "ping %d: fw timestamp went back from %llu to %llu\n", i,
			     (unsigned long long)last, (unsigned long long)p.fw_timestamp_ns);
		last = p.fw_timestamp_ns;
	}
	igt_info("fw clock advanced %llu ns over 200 pings\n",
		 (unsigned long long)(last - first));
	igt_assert_f(last > first, "fw timestamp did not advance over 200 pings (%llu)\n",
		     (unsigned long long)first);
	close(fd);
}

/* A ping that must fail with -EINVAL and leave its argument alone. */
static void ping_expect_einval(int fd, const struct drm_pvgpu_fw_ping *tmpl)
{
	struct drm_pvgpu_fw_ping p = *tmpl;
	int ret = ping(fd, &p);

	igt_assert_f(ret == -EINVAL, "ping flags %#x pad %#x ext %#llx: got %s, expected EINVAL\n",
		     tmpl->flags, tmpl->pad, (unsigned long long)tmpl->extensions,
		     igt_errname(ret));
	igt_assert_f(!memcmp(&p, tmpl, sizeof(p)),
		     "failing ping changed its argument (cookie %#llx -> %#llx, rtt %#llx)\n",
		     (unsigned long long)tmpl->cookie, (unsigned long long)p.cookie,
		     (unsigned long long)p.rtt_ns);
}

#define PING_TEMPLATE { .cookie = 0x1122334455667788ull,			\
			.rtt_ns = 0xa5a5a5a5a5a5a5a5ull,			\
			.fw_timestamp_ns = 0xa5a5a5a5a5a5a5a5ull }

static void test_ping_invalid_flags(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);

	for (int bit = 0; bit < 32; bit++) {
		struct drm_pvgpu_fw_ping p = PING_TEMPLATE;

		if ((1u << bit) == DRM_PVGPU_FW_PING_FLOOR)
			continue;
		p.flags = 1u << bit;
		ping_expect_einval(fd, &p);
		/* A known flag does not make an unknown one acceptable. */
		p.flags |= DRM_PVGPU_FW_PING_FLOOR;
		ping_expect_einval(fd, &p);
	}
	struct drm_pvgpu_fw_ping p = PING_TEMPLATE;
	p.flags = ~0u;
	ping_expect_einval(fd, &p);
	ping_ok(fd, 42, NULL);	/* and the device still answers */
	floor_ok(fd, NULL);
	close(fd);
}

static void test_ping_invalid_pad(void)
{
	static const uint32_t bad[] = { 1, 2, 0x80, 0x80000000, 0xffffffff };
	int fd = igt_open_pvgpu_render(NULL, 0);

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct drm_pvgpu_fw_ping p = PING_TEMPLATE;

		p.pad = bad[i];
		ping_expect_einval(fd, &p);
	}
	ping_ok(fd, 42, NULL);
	close(fd);
}

static void test_ping_invalid_extensions(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	struct drm_pvgpu_user_extension ext0 = { 0 }, ext1 = { .name = 1 };
	const uint64_t bad[] = {
		(uintptr_t)&ext0, (uintptr_t)&ext1, (uintptr_t)unmapped_address(),
		1, ~0ull,
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct drm_pvgpu_fw_ping p = PING_TEMPLATE;

		p.extensions = bad[i];
		ping_expect_einval(fd, &p);
	}
	ping_ok(fd, 42, NULL);
	close(fd);
}

/*
 * An older userspace's shorter struct (extensions, cookie, rtt_ns): the DRM
 * core zero-fills the rest, so it is a valid ping, and only those 24 bytes
 * are written back.
 */
static void test_ping_short_struct(void)
{
	const size_t short_size = offsetof(struct drm_pvgpu_fw_ping, fw_timestamp_ns);
	const unsigned long req = _IOC(_IOC_READ | _IOC_WRITE, DRM_IOCTL_BASE,
				       DRM_COMMAND_BASE + DRM_PVGPU_FW_PING, short_size);
	int fd = igt_open_pvgpu_render(NULL, 0);
	struct drm_pvgpu_fw_ping p;

	memset(&p, PATTERN, sizeof(p));
	p.extensions = 0;
	p.cookie = 0x5151515151515151ull;
	p.rtt_ns = 0;
	igt_assert_err(raw_ioctl(fd, req, &p), 0);
	igt_assert_eq_u64(p.cookie, 0x5151515151515151ull);
	igt_assert_f(p.rtt_ns > 0, "rtt_ns is 0\n");
	igt_assert_f(all_bytes((uint8_t *)&p + short_size, sizeof(p) - short_size, PATTERN),
		     "ping wrote past the %zu bytes userspace passed\n", short_size);
	close(fd);
}

/*
 * A binary built before wake_ns passes the 40-byte struct: it works, ping
 * and floor alike, and nothing past those 40 bytes is written.
 */
static void test_ping_old_struct(void)
{
	const size_t old_size = offsetof(struct drm_pvgpu_fw_ping, wake_ns);
	const unsigned long req = _IOC(_IOC_READ | _IOC_WRITE, DRM_IOCTL_BASE,
				       DRM_COMMAND_BASE + DRM_PVGPU_FW_PING, old_size);
	int fd = igt_open_pvgpu_render(NULL, 0);
	struct drm_pvgpu_fw_ping p;

	igt_assert_eq(old_size, 40);
	for (int floor = 0; floor < 2; floor++) {
		memset(&p, PATTERN, sizeof(p));
		p.extensions = 0;
		p.cookie = 0x0123456789abcdefull;
		p.rtt_ns = 0;
		p.flags = floor ? DRM_PVGPU_FW_PING_FLOOR : 0;
		p.pad = 0;
		igt_assert_err(raw_ioctl(fd, req, &p), 0);
		igt_assert_eq_u64(p.cookie, 0x0123456789abcdefull);
		igt_assert_f(p.rtt_ns > 0, "rtt_ns is 0\n");
		igt_assert_f(all_bytes((uint8_t *)&p + old_size, sizeof(p) - old_size,
				       PATTERN),
			     "ping wrote past the %zu bytes userspace passed\n", old_size);
	}
	close(fd);
}

#define CONC_PINGS 100
#define CONC_FLOORS 100

struct thread_arg {
	int fd;
	int idx;
	int errors;
	pthread_t thread;
};

static void *ping_thread(void *data)
{
	struct thread_arg *a = data;

	for (int i = 0; i < CONC_PINGS; i++) {
		uint64_t cookie = (uint64_t)(a->idx + 1) << 32 | (uint64_t)i;
		struct drm_pvgpu_fw_ping p = { .cookie = cookie };
		int ret = ping(a->fd, &p);

		if (ret || p.cookie != cookie || !p.rtt_ns) {
			fprintf(stderr, "thread %d ping %d: ret %s, cookie %#llx -> %#llx, rtt %llu\n",
				a->idx, i, igt_errname(ret), (unsigned long long)cookie,
				(unsigned long long)p.cookie, (unsigned long long)p.rtt_ns);
			a->errors++;
		}
	}
	return NULL;
}

static void test_ping_concurrent_threads(void)
{
	enum { N = 16 };
	int fd = igt_open_pvgpu_render(NULL, 0);
	int fd2 = igt_open_pvgpu_render(NULL, 0);
	struct thread_arg args[N];
	int errors = 0;

	for (int i = 0; i < N; i++) {
		args[i] = (struct thread_arg){ .fd = i % 4 ? fd : fd2, .idx = i };
		igt_assert_eq(pthread_create(&args[i].thread, NULL, ping_thread, &args[i]), 0);
	}
	for (int i = 0; i < N; i++) {
		pthread_join(args[i].thread, NULL);
		errors += args[i].errors;
	}
	igt_assert_f(errors == 0, "%d of %d pings from %d threads went wrong\n",
		     errors, N * CONC_PINGS, N);
	close(fd2);
	close(fd);
}

static void ping_process(int idx, void *arg)
{
	int shared_fd = *(int *)arg;
	int fd = idx & 1 ? igt_open_pvgpu_render(NULL, 0) : shared_fd;

	for (int i = 0; i < CONC_PINGS; i++)
		ping_ok(fd, (uint64_t)(idx + 1) << 48 | (uint64_t)getpid() << 16 | (uint64_t)i,
			NULL);
}

static void test_ping_concurrent_processes(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);

	for (int i = 0; i < 8; i++)
		igt_fork(ping_process, i, &fd);
	ping_process(100, &fd);		/* and the parent too */
	igt_waitchildren();
	close(fd);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * Signals arriving while pings wait for the firmware: each ping either
 * completes with its own cookie or returns -EINTR, and a response dropped
 * by an interrupted ping never shows up as the answer to a later one.
 */
static void test_ping_interrupted(void)
{
	static const long interval_us[] = { 20, 100, 500, 2000 };
	int fd = igt_open_pvgpu_render(NULL, 0);
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval it = { 0 };
	int ok = 0, eintr = 0;
	uint64_t cookie = 0;

	igt_assert_eq(sigaction(SIGALRM, &sa, NULL), 0);
	for (unsigned r = 0; r < 4 * 4; r++) {
		long us = interval_us[r % 4];

		it.it_interval.tv_usec = us;
		it.it_value.tv_usec = us;
		igt_assert_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
		for (int i = 0; i < 100; i++) {
			struct drm_pvgpu_fw_ping p = { .cookie = ++cookie };
			int ret = ping(fd, &p);

			if (ret == -EINTR) {
				eintr++;
				continue;
			}
			igt_assert_f(ret == 0, "ping %llu: %s\n",
				     (unsigned long long)cookie, igt_errname(ret));
			igt_assert_f(p.cookie == cookie,
				     "ping %llu answered with cookie %llu (a stale response?)\n",
				     (unsigned long long)cookie, (unsigned long long)p.cookie);
			ok++;
		}
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	igt_info("%d pings completed, %d interrupted\n", ok, eintr);

	for (int i = 0; i < 50; i++)
		ping_ok(fd, ++cookie, NULL);
	close(fd);
}

static void test_ping_floor(void)
{
	int fd = igt_open_pvgpu_render(NULL, 0);
	int pfd = igt_open_pvgpu_primary(NULL, 0);
	struct drm_pvgpu_fw_ping f, p;
	uint64_t fmin = ~0ull, pmin = ~0ull;

	for (int i = 0; i < 200; i++) {
		floor_ok(i & 1 ? pfd : fd, &f);
		ping_ok(fd, i, &p);
		if (f.rtt_ns < fmin)
			fmin = f.rtt_ns;
		if (p.rtt_ns < pmin)
			pmin = p.rtt_ns;
	}
	igt_info("last floor: rtt %llu ns wake %llu ns; last ping: rtt %llu ns wake %llu ns\n",
		 (unsigned long long)f.rtt_ns, (unsigned long long)f.wake_ns,
		 (unsigned long long)p.rtt_ns, (unsigned long long)p.wake_ns);
	igt_info("fastest of 200: floor %llu ns, ping %llu ns\n",
		 (unsigned long long)fmin, (unsigned long long)pmin);
	/* Invalid arguments with the flag set: -EINVAL, nothing changed. */
	struct drm_pvgpu_fw_ping t = PING_TEMPLATE;
	t.flags = DRM_PVGPU_FW_PING_FLOOR;
	t.pad = 1;
	ping_expect_einval(fd, &t);
	t.pad = 0;
	t.extensions = 1;
	ping_expect_einval(fd, &t);
	close(pfd);
	close(fd);
}

struct floor_arg {
	int fd;
	int errors;
	pthread_t thread;
};

static void *floor_thread(void *data)
{
	struct floor_arg *a = data;

	for (int i = 0; i < CONC_FLOORS; i++) {
		int ret = floor_once(a->fd, NULL);

		if (ret) {
			fprintf(stderr, "floor %d: %s\n", i, igt_errname(ret));
			a->errors++;
		}
	}
	return NULL;
}

/*
 * Floors from several threads (serialised by the driver) and pings at the
 * same time: every one completes; then floors under a signal storm either
 * complete or return -EINTR, and the next ones still work.
 */
static void test_ping_floor_concurrent(void)
{
	enum { N = 4 };
	static const long interval_us[] = { 20, 100, 500 };
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	int fd = igt_open_pvgpu_render(NULL, 0);
	struct floor_arg args[N];
	struct thread_arg pinger = { .fd = fd, .idx = N };
	struct itimerval it = { 0 };
	int errors = 0, ok = 0, eintr = 0;

	for (int i = 0; i < N; i++) {
		args[i] = (struct floor_arg){ .fd = fd };
		igt_assert_eq(pthread_create(&args[i].thread, NULL, floor_thread, &args[i]), 0);
	}
	igt_assert_eq(pthread_create(&pinger.thread, NULL, ping_thread, &pinger), 0);
	for (int i = 0; i < N; i++) {
		pthread_join(args[i].thread, NULL);
		errors += args[i].errors;
	}
	pthread_join(pinger.thread, NULL);
	igt_assert_f(errors == 0 && pinger.errors == 0,
		     "%d floors, %d pings went wrong\n", errors, pinger.errors);

	igt_assert_eq(sigaction(SIGALRM, &sa, NULL), 0);
	for (unsigned r = 0; r < 3; r++) {
		it.it_interval.tv_usec = interval_us[r];
		it.it_value.tv_usec = interval_us[r];
		igt_assert_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
		for (int i = 0; i < 100; i++) {
			int ret = floor_once(fd, NULL);

			if (ret == -EINTR) {
				eintr++;
				continue;
			}
			igt_assert_f(ret == 0, "floor: %s\n", igt_errname(ret));
			ok++;
		}
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	igt_info("%d floors completed, %d interrupted\n", ok, eintr);
	for (int i = 0; i < 20; i++)
		floor_ok(fd, NULL);
	ping_ok(fd, 7, NULL);
	close(fd);
}

static void test_ping_primary(void)
{
	int pfd = igt_open_pvgpu_primary(NULL, 0);
	int rfd = igt_open_pvgpu_render(NULL, 0);

	for (int i = 0; i < 50; i++) {
		ping_ok(pfd, 0x1000 + i, NULL);
		ping_ok(rfd, 0x2000 + i, NULL);
	}
	close(rfd);
	close(pfd);
}

/*
 * FW_PING is DRM_ROOT_ONLY (every ping occupies the kernel's only firmware
 * channel); QUERY is for everyone. A helper process gives up CAP_SYS_ADMIN,
 * either by becoming nobody (idx 0) or by dropping just that capability and
 * staying uid 0 (idx 1), and uses files its parent opened as root: the DRM
 * core checks the capability at each ioctl, not at open.
 */

#define NOBODY 65534

static bool has_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	igt_assert_eq(syscall(SYS_capget, &hdr, data), 0);
	return data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective & CAP_TO_MASK(CAP_SYS_ADMIN);
}

static void drop_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	const unsigned int i = CAP_TO_INDEX(CAP_SYS_ADMIN);

	igt_assert_eq(syscall(SYS_capget, &hdr, data), 0);
	data[i].effective &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	data[i].permitted &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	data[i].inheritable &= ~CAP_TO_MASK(CAP_SYS_ADMIN);
	igt_assert_eq(syscall(SYS_capset, &hdr, data), 0);
}

struct unpriv_arg {
	int fds[2];	/* render, primary; opened as root */
	struct drm_pvgpu_query_device dev;	/* root's answer */
	struct drm_pvgpu_query_engines *engines;
	uint32_t engines_size;
};

static void unprivileged_process(int idx, void *data)
{
	struct unpriv_arg *a = data;

	if (idx == 0) {
		igt_assert_eq(setgroups(0, NULL), 0);
		igt_assert_eq(setresgid(NOBODY, NOBODY, NOBODY), 0);
		igt_assert_eq(setresuid(NOBODY, NOBODY, NOBODY), 0);
		igt_assert_eq(geteuid(), NOBODY);
	} else {
		drop_cap_sys_admin();
		igt_assert_eq(geteuid(), 0);
	}
	igt_assert_f(!has_cap_sys_admin(), "CAP_SYS_ADMIN still effective\n");

	for (int n = 0; n < 2; n++) {
		const char *node = n ? "primary" : "render";
		struct drm_pvgpu_fw_ping tmpl = PING_TEMPLATE, p;
		struct drm_pvgpu_fw_ping ftmpl = PING_TEMPLATE;
		struct drm_pvgpu_query_device dev;
		struct drm_pvgpu_query_engines *e;
		uint32_t size;
		int ret;

		for (int i = 0; i < 10; i++) {
			p = tmpl;
			ret = ping(a->fds[n], &p);
			igt_assert_f(ret == -EACCES,
				     "unprivileged ping on the %s node: got %s, expected EACCES\n",
				     node, igt_errname(ret));
			igt_assert_f(!memcmp(&p, &tmpl, sizeof(p)),
				     "refused ping on the %s node changed its argument\n", node);
		}

		/* Arguments are not even looked at: no -EINVAL either. */
		p = tmpl;
		p.flags = ~0u;
		igt_assert_err(ping(a->fds[n], &p), -EACCES);

		/* Nor a floor measurement. */
		ftmpl.flags = DRM_PVGPU_FW_PING_FLOOR;
		p = ftmpl;
		igt_assert_err(ping(a->fds[n], &p), -EACCES);
		igt_assert_f(!memcmp(&p, &ftmpl, sizeof(p)),
			     "refused floor on the %s node changed its argument\n", node);

		query_device(a->fds[n], &dev);
		igt_assert_f(!memcmp(&dev, &a->dev, sizeof(dev)),
			     "unprivileged device query on the %s node differs\n", node);
		e = query_engines(a->fds[n], &size);
		igt_assert_eq(size, a->engines_size);
		igt_assert_f(!memcmp(e, a->engines, size),
			     "unprivileged engines query on the %s node differs\n", node);
		free(e);
	}
}

static void test_ping_unprivileged(void)
{
	struct unpriv_arg a;

	a.fds[0] = igt_open_pvgpu_render(NULL, 0);
	a.fds[1] = igt_open_pvgpu_primary(NULL, 0);
	igt_require_f(geteuid() == 0 && has_cap_sys_admin(),
		      "needs root with CAP_SYS_ADMIN to drop it\n");
	query_device(a.fds[0], &a.dev);
	a.engines = query_engines(a.fds[0], &a.engines_size);

	ping_ok(a.fds[0], 0xacce55, NULL);	/* root may */
	igt_fork(unprivileged_process, 0, &a);
	igt_fork(unprivileged_process, 1, &a);
	igt_waitchildren();
	ping_ok(a.fds[0], 0xacce56, NULL);	/* and still may */
	ping_ok(a.fds[1], 0xacce57, NULL);
	floor_ok(a.fds[0], NULL);

	free(a.engines);
	close(a.fds[1]);
	close(a.fds[0]);
}

/* ---- open/close ------------------------------------------------------- */

static void test_open_close_1000(void)
{
	char rpath[256], ppath[256];
	int fd;

	fd = igt_open_pvgpu_render(rpath, sizeof(rpath));
	close(fd);
	fd = igt_open_pvgpu_primary(ppath, sizeof(ppath));
	close(fd);

	for (int i = 0; i < 1000; i++) {
		fd = open(i & 1 ? ppath : rpath, O_RDWR | O_CLOEXEC);
		igt_assert_f(fd >= 0, "open %d of %s failed\n", i, i & 1 ? ppath : rpath);
		if (i % 100 == 0)
			ping_ok(fd, i, NULL);
		igt_assert_eq(close(fd), 0);
	}

	fd = igt_open_pvgpu_render(NULL, 0);
	ping_ok(fd, 1000, NULL);
	close(fd);
}

static const struct igt_lite_subtest subtests[] = {
	{ "query-device-size-probe", test_query_device_size_probe,
	  "size 0 returns the size of struct drm_pvgpu_query_device and writes nothing" },
	{ "query-device-exact", test_query_device_exact,
	  "the exact size succeeds and writes every byte" },
	{ "query-device-larger", test_query_device_larger,
	  "a larger size is trimmed to the size written, nothing past it changes" },
	{ "query-device-values", test_query_device_values,
	  "ids 1234:9067, va_bits 32..57, 4 KiB pages, >= 2 engine classes, timeslice min <= default <= max" },
	{ "query-device-stable", test_query_device_stable,
	  "repeated device queries on two fds agree" },
	{ "query-engines-size-probe", test_query_engines_size_probe,
	  "size 0 returns header + num_engine_classes entries" },
	{ "query-engines", test_query_engines,
	  "engine count matches the device query; copy and compute present, each with >= 1 slot" },
	{ "query-engines-larger", test_query_engines_larger,
	  "a larger size is trimmed for the engines query" },
	{ "query-invalid-id", test_query_invalid_id,
	  "unknown query ids are -EINVAL and change nothing" },
	{ "query-invalid-flags", test_query_invalid_flags,
	  "every non-zero flag bit is -EINVAL and changes nothing" },
	{ "query-invalid-pad", test_query_invalid_pad,
	  "non-zero pad is -EINVAL and changes nothing" },
	{ "query-invalid-extensions", test_query_invalid_extensions,
	  "any non-zero extensions pointer is -EINVAL and changes nothing" },
	{ "query-size-too-small", test_query_size_too_small,
	  "a non-zero size below the size needed (1, size-1, ...) is -EINVAL and changes nothing" },
	{ "query-efault-null", test_query_efault_null,
	  "data NULL with a non-zero size is -EFAULT" },
	{ "query-efault-unmapped", test_query_efault_unmapped,
	  "data pointing at unmapped or PROT_NONE memory is -EFAULT" },
	{ "query-efault-readonly", test_query_efault_readonly,
	  "data pointing at read-only memory is -EFAULT and the memory is unchanged" },
	{ "query-efault-kernel-address", test_query_efault_kernel_address,
	  "data pointing at kernel or non-canonical addresses is -EFAULT" },
	{ "query-efault-partial", test_query_efault_partial,
	  "a buffer running into an unmapped page is -EFAULT" },
	{ "query-primary", test_query_primary,
	  "queries on the primary node match the render node's" },
	{ "ping-basic", test_ping_basic,
	  "cookies come back, rtt_ns > 0, wake_ns >= rtt_ns" },
	{ "ping-timestamp-monotonic", test_ping_timestamp_monotonic,
	  "the firmware timestamp never goes back and advances" },
	{ "ping-invalid-flags", test_ping_invalid_flags,
	  "non-zero flags are -EINVAL and change nothing" },
	{ "ping-invalid-pad", test_ping_invalid_pad,
	  "non-zero pad is -EINVAL and changes nothing" },
	{ "ping-invalid-extensions", test_ping_invalid_extensions,
	  "non-zero extensions are -EINVAL and change nothing" },
	{ "ping-short-struct", test_ping_short_struct,
	  "an older, shorter argument struct is zero-extended and works" },
	{ "ping-old-struct", test_ping_old_struct,
	  "the struct before wake_ns (40 bytes) works for ping and floor, nothing written past it" },
	{ "ping-floor", test_ping_floor,
	  "DRM_PVGPU_FW_PING_FLOOR: rtt_ns > 0, wake_ns >= rtt_ns, cookie kept, fw_timestamp_ns 0; pad/extensions still -EINVAL" },
	{ "ping-floor-concurrent", test_ping_floor_concurrent,
	  "floors from 4 threads beside pings all complete; under a signal storm they complete or return -EINTR" },
	{ "ping-concurrent-threads", test_ping_concurrent_threads,
	  "16 threads on two fds ping at once, each gets its own cookies" },
	{ "ping-concurrent-processes", test_ping_concurrent_processes,
	  "9 processes (shared and own fds) ping at once, each gets its own cookies" },
	{ "ping-interrupted", test_ping_interrupted,
	  "pings under a signal storm complete or return -EINTR, never a stale answer" },
	{ "ping-primary", test_ping_primary,
	  "pings work on the primary node as on the render node" },
	{ "ping-unprivileged", test_ping_unprivileged,
	  "without CAP_SYS_ADMIN (nobody, or uid 0 without it) a ping or floor is -EACCES on both nodes and changes nothing; queries still work" },
	{ "open-close-1000", test_open_close_1000,
	  "open and close the render and primary nodes 1000 times" },
};

IGT_LITE_MAIN("pvgpu: DRM_IOCTL_PVGPU_QUERY and DRM_IOCTL_PVGPU_FW_PING", subtests)
