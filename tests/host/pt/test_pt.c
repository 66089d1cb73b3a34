/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host test of the guest driver's page-table writer (guest-driver/
 * pvgpu_pt.c) against the firmware model's MMU (firmware-model/mmu.c).
 *
 * The driver code is the real file, compiled in place against a kernel
 * shim (pt_drv.c, shim/); its table pages live in the fake platform's
 * guest RAM (firmware-model/tests/fake_platform.c), so the addresses it
 * writes into the tables are the ones the firmware reads. The address
 * space is bound with a real PVGPU_H2F_AS_BIND, and after every operation
 * the TLB is invalidated with a real PVGPU_H2F_TLB_INVALIDATE and the
 * pages around the operation (every FULL_CHECK_EVERY operations: every
 * page of the scenario's window of the VA space) are translated by the
 * firmware's own translate() (fw_xlate.c) and compared with a model of
 * what should be mapped there (address, read-only, NULL). Checking the
 * whole window every time through the firmware (TLB lookup, walk through
 * the platform's DMA) cost over a minute under ASan; a change outside an
 * operation's range still shows at the next full check.
 *
 * Random scenarios: map_sgt (contiguous, 2 MiB chunks, scattered 4 KiB
 * pages, random segment lengths; read-only or writable), map_null and
 * unmap of random ranges, each given exactly its preallocation bound
 * (pvgpu_pt_prealloc_count*()): running out would WARN and fail with
 * -ENOSPC. After each one the tree's bookkeeping is checked too (valid
 * counts, counters, no empty table linked). Seeds are fixed.
 *
 * Freed table pages are poisoned for ASan, so a walk (firmware) or write
 * (driver) into a freed table is a sanitizer report.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fw_xlate.h"
#include "gpu_helpers.h"
#include "pt_drv.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(a, s)		((void)(a), (void)(s))
#define ASAN_UNPOISON_MEMORY_REGION(a, s)	((void)(a), (void)(s))
#endif

#define ASID		1
#define SZ_4K		0x1000ull
#define SZ_2M		0x200000ull
#define SZ_1G		0x40000000ull
#define PS_4K		(1u << 12)
#define PS_2M		(1u << 21)
#define PS_1G		(1u << 30)
/* Guest RAM of the fake platform, and the part that holds page tables. */
#define RAM_SIZE	(64ull << 20)
#define TABLE_PAGES	8192u
/*
 * After each operation the firmware checks the pages of its range and of
 * the largest pages around it (where splits happen); after every
 * FULL_CHECK_EVERY-th operation, and at the end, the whole window.
 */
#define FULL_CHECK_EVERY	8
/* Model entry of one 4 KiB page: address | PVGPU_PTE_WRITABLE/NULL | 1. */
#define M_MAPPED	1ull

typedef struct Scenario {
	const char *path;
	uint32_t va_bits;
	uint32_t page_sizes;
	uint64_t w0, wsize;	/* the window: ranges and checks stay in it */
	unsigned int ops;
	uint64_t seed;
	bool want_2m, want_1g;	/* such leaves must have been seen */
} Scenario;

typedef struct Ctx {
	GpuEnv *g;
	struct ptd *d;
	uint32_t va_bits, page_sizes;
	/* Table pages: a region of guest RAM, a stack of free pages. */
	uint64_t tbl_base;
	uint32_t *free_pages;
	uint32_t nfree;
	/* The model of the window. */
	uint64_t w0, wsize, npages;
	uint64_t *model;
	uint64_t rnd;
	/* Leaves the firmware resolved to, per level (first page in window). */
	uint64_t seen[3];
	uint32_t max_used;
	unsigned int ops;	/* operations so far */
	struct ptd_seg *segs;
	uint32_t max_segs;
} Ctx;

#define FAIL(...) ({ g_test_fail_printf(__VA_ARGS__); false; })

/* --- Table pages in guest RAM ------------------------------------------ */

static void *tbl_alloc(void *ctx, uint64_t *dma)
{
	Ctx *c = ctx;
	uint64_t pa;
	void *cpu;

	if (!c->nfree)
		return NULL;
	pa = c->tbl_base + (uint64_t)c->free_pages[--c->nfree] * SZ_4K;
	cpu = c->g->fp->ram + pa;
	ASAN_UNPOISON_MEMORY_REGION(cpu, SZ_4K);
	memset(cpu, 0, SZ_4K);
	*dma = pa;
	return cpu;
}

static void tbl_free(void *ctx, void *cpu, uint64_t dma)
{
	Ctx *c = ctx;

	g_assert_true(cpu == c->g->fp->ram + dma);
	g_assert_cmpuint(dma, >=, c->tbl_base);
	g_assert_cmpuint(c->nfree, <, TABLE_PAGES);
	c->free_pages[c->nfree++] = (uint32_t)((dma - c->tbl_base) / SZ_4K);
	ASAN_POISON_MEMORY_REGION(cpu, SZ_4K);
}

static uint64_t rnd(Ctx *c)
{
	c->rnd ^= c->rnd << 13;
	c->rnd ^= c->rnd >> 7;
	c->rnd ^= c->rnd << 17;
	return c->rnd;
}

static uint64_t rndn(Ctx *c, uint64_t n)
{
	return n ? rnd(c) % n : 0;
}

/*
 * A booted firmware with @va_bits and @page_sizes, a tree whose tables
 * are in its RAM, bound as ASID. @w0/@wsize: the window to model (0: none).
 */
static void ctx_init(Ctx *c, uint32_t va_bits, uint32_t page_sizes,
		     uint64_t w0, uint64_t wsize, uint64_t seed)
{
	struct ptd_mem_ops mem = {
		.alloc = tbl_alloc, .free = tbl_free, .ctx = c,
	};
	PvgpuFwConfig cfg;
	int err;

	memset(c, 0, sizeof(*c));
	pvgpu_fw_config_default(&cfg);
	cfg.va_bits = va_bits;
	cfg.page_sizes = page_sizes;
	c->va_bits = va_bits;
	c->page_sizes = page_sizes;
	c->g = gpu_env_new(&cfg, RAM_SIZE);
	fwx_attach(c->g->fw);
	c->tbl_base = gpu_alloc(c->g, TABLE_PAGES * SZ_4K, SZ_4K);
	c->free_pages = g_new(uint32_t, TABLE_PAGES);
	/* Lowest pages first, so tables are easy to read in a dump. */
	for (uint32_t i = 0; i < TABLE_PAGES; i++)
		c->free_pages[i] = TABLE_PAGES - 1 - i;
	c->nfree = TABLE_PAGES;
	ASAN_POISON_MEMORY_REGION(c->g->fp->ram + c->tbl_base,
				  TABLE_PAGES * SZ_4K);
	ptd_set_mem(&mem);
	(void)ptd_take_warns();

	c->d = ptd_create(va_bits, page_sizes, &err);
	g_assert_cmpint(err, ==, 0);
	g_assert_nonnull(c->d);
	g_assert_cmpuint(gpu_as_bind(c->g, ASID, ptd_root(c->d), 0), ==,
			 PVGPU_STATUS_OK);

	c->w0 = w0;
	c->wsize = wsize;
	c->npages = wsize / SZ_4K;
	c->model = g_new0(uint64_t, c->npages ? c->npages : 1);
	c->rnd = seed ? seed : 88172645463325252ull;
}

/*
 * Destroy the tree (the address space is unbound first, as the driver
 * does) and check that nothing leaked: kernel allocations and table pages.
 */
static bool ctx_fini(Ctx *c)
{
	bool ok = true;
	long allocs;
	uint32_t nfree;

	g_assert_cmpuint(gpu_as_unbind(c->g, ASID), ==, PVGPU_STATUS_OK);
	ptd_destroy(c->d);
	allocs = ptd_allocs();
	nfree = c->nfree;
	ptd_set_mem(NULL);
	ASAN_UNPOISON_MEMORY_REGION(c->g->fp->ram + c->tbl_base,
				    TABLE_PAGES * SZ_4K);
	g_assert_cmpuint(fake_platform_error_count(c->g->fp), ==, 0);
	gpu_env_free(c->g);
	g_free(c->free_pages);
	g_free(c->model);
	g_free(c->segs);
	if (allocs)
		ok = FAIL("%ld kernel allocations left after destroy", allocs);
	if (nfree != TABLE_PAGES)
		ok = FAIL("%u table pages left after destroy",
			  TABLE_PAGES - nfree);
	if (ptd_take_warns())
		ok = FAIL("WARN during teardown");
	return ok;
}

/* --- Checks ------------------------------------------------------------ */

static const char *describe(uint64_t m)
{
	static char buf[64];

	if (!(m & M_MAPPED))
		return "unmapped";
	if (m & PVGPU_PTE_NULL)
		return "NULL";
	snprintf(buf, sizeof(buf), "%#" G_GINT64_MODIFIER "x %s",
		 (uint64_t)(m & PVGPU_PTE_ADDR_MASK),
		 (m & PVGPU_PTE_WRITABLE) ? "rw" : "ro");
	return buf;
}

/*
 * Pages [@i, @stop) of the window as the firmware translates them, against
 * the model. A leaf or an absent entry is translated once: all pages of
 * its span resolve through the same entries.
 */
static bool check_pages(Ctx *c, uint64_t i, uint64_t stop)
{
	while (i < stop) {
		uint64_t va = c->w0 + i * SZ_4K, span, base, end, n;
		FwxResult r;

		if (!fwx_translate(c->g->fw, ASID, va, &r)) {
			if (r.reason != PVGPU_FAULT_NOT_PRESENT ||
			    r.stop_level < 0)
				return FAIL("va %#" G_GINT64_MODIFIER "x: fault %u",
					    va, r.reason);
			span = PVGPU_PT_LEVEL_SIZE(r.stop_level);
		} else {
			span = PVGPU_PT_LEVEL_SIZE(r.level);
		}
		base = va & ~(span - 1);
		end = MIN(base + span - c->w0, c->wsize) / SZ_4K;
		if (base == va && r.level && !r.reason)
			c->seen[r.level]++;
		for (n = i; n < end; n++) {
			uint64_t m = c->model[n], pva = c->w0 + n * SZ_4K;
			uint64_t want;

			if (r.reason) {
				if (m & M_MAPPED) {
					uint64_t pte = 0;
					uint32_t l = 0;
					int lr = ptd_lookup(c->d, pva, &pte, &l);

					return FAIL("va %#" G_GINT64_MODIFIER
						    "x: not present (walk ended at L%d), model: %s; driver's walk: %d, L%u entry %#"
						    G_GINT64_MODIFIER "x",
						    pva, r.stop_level,
						    describe(m), lr, l, pte);
				}
				continue;
			}
			if (!(m & M_MAPPED))
				return FAIL("va %#" G_GINT64_MODIFIER
					    "x: mapped (L%u leaf %#" G_GINT64_MODIFIER
					    "x%s), model: unmapped", pva,
					    r.level, r.pa,
					    r.null ? " NULL" : "");
			want = (pva - base) + r.pa;
			if (r.null != !!(m & PVGPU_PTE_NULL) ||
			    r.writable != !!(m & PVGPU_PTE_WRITABLE) ||
			    (!r.null && want != (m & PVGPU_PTE_ADDR_MASK)))
				return FAIL("va %#" G_GINT64_MODIFIER
					    "x: %#" G_GINT64_MODIFIER
					    "x%s%s (L%u), model: %s", pva,
					    r.null ? 0 : want,
					    r.null ? " NULL" : "",
					    r.writable ? " rw" : " ro", r.level,
					    describe(m));
		}
		i = end;
	}
	return true;
}

static bool check_window(Ctx *c)
{
	return check_pages(c, 0, c->npages);
}

static bool check_tree(Ctx *c, struct ptd_stats *st)
{
	char msg[200];

	if (!ptd_check(c->d, st, msg, sizeof(msg)))
		return FAIL("tree bookkeeping: %s", msg);
	return true;
}

static uint64_t table_count(const struct ptd_stats *st)
{
	uint64_t t = 0;

	for (uint32_t l = 0; l < st->levels; l++)
		t += st->tables[l];
	return t;
}

/*
 * The window page at or below @va's enclosing largest-page span (the
 * entries an operation may split), and at or above for @end.
 */
static uint64_t page_floor(Ctx *c, uint64_t va)
{
	uint64_t span = (c->page_sizes & PS_1G) && (c->page_sizes & PS_2M) ?
			SZ_1G : SZ_2M;

	va &= ~(span - 1);
	return va <= c->w0 ? 0 : (va - c->w0) / SZ_4K;
}

static uint64_t page_ceil(Ctx *c, uint64_t end)
{
	uint64_t span = (c->page_sizes & PS_1G) && (c->page_sizes & PS_2M) ?
			SZ_1G : SZ_2M;

	end = (end - 1) | (span - 1);
	return MIN(end - c->w0 + 1, c->wsize) / SZ_4K;
}

/*
 * After an operation: its return value, no WARN, the bookkeeping, then
 * the TLB invalidation the driver would send, pvgpu_pt_free_tables(), and
 * the firmware's view of the whole window.
 */
static bool after_op(Ctx *c, const char *what, uint64_t va, uint64_t size,
		     int ret, uint32_t count)
{
	struct ptd_stats st;
	int warns = ptd_take_warns();

	if (ret || warns)
		return FAIL("%s %#" G_GINT64_MODIFIER "x+%#" G_GINT64_MODIFIER
			    "x: ret %d, %d WARNs (preallocated %u, left %u)",
			    what, va, size, ret, warns, count,
			    ptd_prealloc_left(c->d));
	c->max_used = MAX(c->max_used, count - ptd_prealloc_left(c->d));
	ptd_prealloc_fini(c->d);
	if (!check_tree(c, &st))
		return false;
	if (gpu_tlb_invalidate(c->g, ASID, 0, 0) != PVGPU_STATUS_OK)
		return FAIL("TLB_INVALIDATE failed");
	ptd_free_tables(c->d);
	c->ops++;
	if (c->ops % FULL_CHECK_EVERY == 0 || !size)
		return check_window(c);
	return check_pages(c, page_floor(c, va), page_ceil(c, va + size));
}

static bool do_prealloc(Ctx *c, enum ptd_count_kind kind, uint64_t va,
			uint64_t size, uint32_t *count)
{
	int ret;

	*count = ptd_count(c->d, kind, va, size);
	ret = ptd_prealloc(c->d, *count);
	if (ret)
		return FAIL("prealloc of %u tables: %d", *count, ret);
	return true;
}

static bool op_map_null(Ctx *c, uint64_t va, uint64_t size)
{
	uint32_t count;

	if (!do_prealloc(c, PTD_COUNT_NULL, va, size, &count))
		return false;
	for (uint64_t p = 0; p < size / SZ_4K; p++)
		c->model[(va - c->w0) / SZ_4K + p] =
			M_MAPPED | PVGPU_PTE_NULL | PVGPU_PTE_WRITABLE;
	return after_op(c, "map_null", va, size, ptd_map_null(c->d, va, size),
			count);
}

static bool op_unmap(Ctx *c, uint64_t va, uint64_t size)
{
	uint32_t count;

	if (!do_prealloc(c, PTD_COUNT_UNMAP, va, size, &count))
		return false;
	memset(&c->model[(va - c->w0) / SZ_4K], 0, size / SZ_4K * 8);
	return after_op(c, "unmap", va, size, ptd_unmap(c->d, va, size),
			count);
}

static void add_seg(Ctx *c, uint32_t *n, uint64_t addr, uint64_t len)
{
	if (*n == c->max_segs) {
		c->max_segs = MAX(1024u, c->max_segs * 2);
		c->segs = g_renew(struct ptd_seg, c->segs, c->max_segs);
	}
	c->segs[*n].addr = addr;
	c->segs[*n].len = (uint32_t)len;
	(*n)++;
}

/*
 * Memory of @bytes in @mode, at addresses that are no RAM at all: the
 * firmware translates without touching the data, and the test never
 * reads it. Returns the number of segments in c->segs.
 */
static uint32_t build_segs(Ctx *c, uint64_t bytes, int mode)
{
	uint64_t base = (1ull << 40) + (rndn(c, 1 << 10) << 30), done = 0;
	uint32_t n = 0;

	while (done < bytes) {
		uint64_t len, addr;

		switch (mode) {
		case 0:	/* contiguous, 1 GiB aligned, as few segments as can be */
			len = bytes;
			addr = base + done;
			break;
		case 1:	/* 2 MiB chunks, scattered */
			len = SZ_2M;
			addr = (1ull << 41) + (rndn(c, 1 << 18) << 21);
			break;
		case 2:	/* 4 KiB pages, scattered */
			len = SZ_4K;
			addr = (1ull << 42) + (rndn(c, 1 << 28) << 12);
			break;
		default: /* contiguous, in segments of random length */
			len = (1 + rndn(c, 700)) << 12;
			addr = base + done;
			break;
		}
		/* A segment holds at most 4 GiB - 4 KiB (u32 length). */
		len = MIN(MIN(len, bytes - done), 0xfffff000ull);
		add_seg(c, &n, addr, len);
		done += len;
	}
	return n;
}

/* Map [@va, @va + @size) to memory of @mode (-1: random; build_segs()). */
static bool op_map_sgt(Ctx *c, uint64_t va, uint64_t size, int mode)
{
	uint32_t nsegs, count, si = 0;
	uint64_t off, so;
	bool ro;

	if (mode < 0) {
		mode = (int)rndn(c, 4);
		/*
		 * Scattered memory (and memory whose offset does not match
		 * the VA's) gives 4 KiB leaves, each a translation per
		 * check: keep those mappings smaller.
		 */
		if (mode == 1)
			size = MIN(size, 128ull << 20);
		else if (mode == 2)
			size = MIN(size, 8ull << 20);
		else if (mode == 3)
			size = MIN(size, 32ull << 20);
	}
	off = mode == 0 ? (va & (SZ_1G - 1)) : rndn(c, 4) << 12;
	ro = rndn(c, 4) == 0;

	nsegs = build_segs(c, off + size + rndn(c, 3) * SZ_4K, mode);
	if (!do_prealloc(c, PTD_COUNT_ANY, va, size, &count))
		return false;
	so = off;
	while (so >= c->segs[si].len)
		so -= c->segs[si++].len;
	for (uint64_t p = 0; p < size / SZ_4K; p++) {
		c->model[(va - c->w0) / SZ_4K + p] = (c->segs[si].addr + so) |
			M_MAPPED | (ro ? 0 : PVGPU_PTE_WRITABLE);
		so += SZ_4K;
		if (so >= c->segs[si].len) {
			so = 0;
			si++;
		}
	}
	return after_op(c, ro ? "map_sgt(ro)" : "map_sgt", va, size,
			ptd_map_sgt(c->d, va, size, c->segs, nsegs, off,
				    ro ? PTD_MAP_READONLY : 0), count);
}

/* A random range of the window, often aligned to a large page. */
static void rand_range(Ctx *c, uint64_t *va, uint64_t *size)
{
	static const uint64_t aligns[] = { SZ_4K, SZ_4K, SZ_2M, SZ_1G };
	uint64_t align = aligns[rndn(c, 4)];
	uint64_t maxsz[] = { 64ull << 10, 8ull << 20, c->wsize / 16,
			     c->wsize / 4 * 3 };
	uint64_t s = (1 + rndn(c, maxsz[rndn(c, 4)] >> 12)) << 12, v;

	if (rndn(c, 2))
		s = (s + align - 1) & ~(align - 1);
	s = MIN(s, c->wsize);
	v = c->w0 + (rndn(c, ((c->wsize - s) >> 12) + 1) << 12);
	v &= ~(align - 1);
	if (v < c->w0)
		v += align;
	if (v >= c->w0 + c->wsize)
		v = c->w0 + c->wsize - SZ_4K;
	if (v + s > c->w0 + c->wsize)
		s = c->w0 + c->wsize - v;
	*va = v;
	*size = s;
}

/* Unmap the whole VA space; only the (empty) root may be left. */
static bool unmap_all(Ctx *c)
{
	uint64_t top = c->va_bits >= 64 ? 0 : 1ull << c->va_bits;
	struct ptd_stats st;
	uint32_t count;
	int ret;

	if (!do_prealloc(c, PTD_COUNT_UNMAP, 0, top, &count))
		return false;
	ret = ptd_unmap(c->d, 0, top);
	memset(c->model, 0, c->npages * 8);
	if (!after_op(c, "unmap everything", 0, top, ret, count) ||
	    !check_window(c))
		return false;
	if (!check_tree(c, &st))
		return false;
	if (table_count(&st) != 1)
		return FAIL("%" G_GUINT64_FORMAT " tables left after unmapping everything",
			    table_count(&st));
	return true;
}

/* --- Random scenarios -------------------------------------------------- */

static void test_random(gconstpointer data)
{
	const Scenario *s = data;
	struct ptd_stats st;
	Ctx c;
	bool ok = true;

	ctx_init(&c, s->va_bits, s->page_sizes, s->w0, s->wsize, s->seed);
	ok = check_window(&c);
	/*
	 * First one page of the largest size the driver may use, contiguous
	 * and aligned, in the middle of the window: the random operations
	 * then split it, map over it and unmap parts of it.
	 */
	if (ok && (s->want_2m || s->want_1g)) {
		uint64_t big = s->want_1g ? SZ_1G : SZ_2M;
		uint64_t va = (s->w0 + s->wsize / 2 - big / 2 + big - 1) &
			      ~(big - 1);

		g_assert_cmpuint(va + big, <=, s->w0 + s->wsize);
		ok = op_map_sgt(&c, va, big, 0);
	}
	for (unsigned int it = 0; ok && it < s->ops; it++) {
		uint64_t va, size;
		int op = (int)rndn(&c, 3);

		rand_range(&c, &va, &size);
		if (op == 0)
			ok = op_map_sgt(&c, va, size, -1);
		else if (op == 1)
			ok = op_map_null(&c, va, size);
		else
			ok = op_unmap(&c, va, size);
		if (!ok)
			g_test_message("operation %u of seed %" G_GUINT64_FORMAT,
				       it, s->seed);
	}
	if (ok)
		ok = check_window(&c);
	if (ok) {
		g_test_message("%s", ptd_print_stats(c.d));
		g_test_message("most tables one operation used: %u; leaves "
			       "seen: 2M %" G_GUINT64_FORMAT ", 1G %"
			       G_GUINT64_FORMAT, c.max_used, c.seen[1],
			       c.seen[2]);
		if (!(s->page_sizes & PS_2M) || !(s->page_sizes & PS_1G))
			ok = c.seen[2] ? FAIL("1 GiB leaf without 2 MiB and 1 GiB support") : ok;
		if (!(s->page_sizes & PS_2M))
			ok = c.seen[1] ? FAIL("2 MiB leaf without support") : ok;
		if (s->want_2m && !c.seen[1])
			ok = FAIL("no 2 MiB leaf seen");
		if (s->want_1g && !c.seen[2])
			ok = FAIL("no 1 GiB leaf seen");
	}
	if (ok)
		ok = unmap_all(&c) && check_tree(&c, &st);
	ctx_fini(&c);
}

#define TOP(bits)	((bits) >= 64 ? 0 : 1ull << (bits))

static const Scenario scenarios[] = {
	{ "/pt/random/4k/va48/seed1", 48, PS_4K,
	  5 * SZ_1G - 64 * SZ_2M, 128 * SZ_2M, 120, 1, false, false },
	{ "/pt/random/4k/va32-top/seed2", 32, PS_4K,
	  TOP(32) - 64 * SZ_2M, 64 * SZ_2M, 120, 2, false, false },
	{ "/pt/random/4k-2m/va48/seed1", 48, PS_4K | PS_2M,
	  (1ull << 39) - SZ_1G / 2, SZ_1G, 120, 1, true, false },
	{ "/pt/random/4k-2m/va57-top/seed3", 57, PS_4K | PS_2M,
	  TOP(57) - SZ_1G, SZ_1G, 100, 3, true, false },
	{ "/pt/random/4k-1g-no-2m/va48/seed1", 48, PS_4K | PS_1G,
	  SZ_1G, 2 * SZ_1G, 40, 1, false, false },
	{ "/pt/random/4k-2m-1g/va48/seed1", 48, PS_4K | PS_2M | PS_1G,
	  (1ull << 39) - 2 * SZ_1G, 4 * SZ_1G, 120, 1, true, true },
	{ "/pt/random/4k-2m-1g/va48/seed2", 48, PS_4K | PS_2M | PS_1G,
	  (1ull << 39) - 2 * SZ_1G, 4 * SZ_1G, 120, 2, true, true },
	{ "/pt/random/4k-2m-1g/va48-top/seed5", 48, PS_4K | PS_2M | PS_1G,
	  TOP(48) - 4 * SZ_1G, 4 * SZ_1G, 80, 5, true, true },
	{ "/pt/random/4k-2m-1g/va32-all/seed4", 32, PS_4K | PS_2M | PS_1G,
	  0, 4 * SZ_1G, 80, 4, true, true },
	{ "/pt/random/4k-2m-1g/va57-top/seed6", 57, PS_4K | PS_2M | PS_1G,
	  TOP(57) - 4 * SZ_1G, 4 * SZ_1G, 80, 6, true, true },
};

/* --- Fixed cases ------------------------------------------------------- */

/*
 * The last 2 GiB + 8 KiB of a @va_bits space as NULL pages: the firmware
 * sees them up to the last page and nothing below; a range past the top
 * is refused; unmapping all of it leaves only the root.
 */
static void test_top(gconstpointer data)
{
	uint32_t va_bits = GPOINTER_TO_UINT(data);
	uint64_t top = TOP(va_bits), sz = 2 * SZ_1G + 2 * SZ_4K;
	uint64_t v = top - sz;
	struct ptd_stats st;
	FwxResult r;
	Ctx c;

	ctx_init(&c, va_bits, PS_4K | PS_2M | PS_1G, v - SZ_2M, sz + SZ_2M, 7);
	if (!op_map_null(&c, v, sz))
		goto out;
	g_assert_true(fwx_translate(c.g->fw, ASID, top - SZ_4K, &r));
	g_assert_true(r.null && r.writable);
	g_assert_true(fwx_translate(c.g->fw, ASID, v, &r));
	g_assert_cmpuint(r.level, ==, 0);
	g_assert_false(fwx_translate(c.g->fw, ASID, v - SZ_4K, &r));
	g_assert_cmpuint(r.reason, ==, PVGPU_FAULT_NOT_PRESENT);
	/* One page past the top, and a range that wraps: nothing changes. */
	g_assert_cmpuint(ptd_count(c.d, PTD_COUNT_ANY, top - SZ_4K, 2 * SZ_4K),
			 ==, 0);
	g_assert_cmpint(ptd_map_null(c.d, top - SZ_4K, 2 * SZ_4K), ==,
			-EINVAL);
	g_assert_cmpint(ptd_unmap(c.d, top - SZ_4K, 2 * SZ_4K), ==,
			-EINVAL);
	g_assert_cmpint(ptd_take_warns(), ==, 0);
	g_assert_true(check_window(&c));
	/* Everything but the first page, then everything. */
	if (!op_unmap(&c, v + SZ_4K, sz - SZ_4K))
		goto out;
	g_assert_true(fwx_translate(c.g->fw, ASID, v, &r));
	g_assert_false(fwx_translate(c.g->fw, ASID, v + SZ_4K, &r));
	if (!op_unmap(&c, v, sz))
		goto out;
	g_assert_true(check_tree(&c, &st));
	g_assert_cmpuint(table_count(&st), ==, 1);
out:
	ctx_fini(&c);
}

/*
 * va_bits 64: beyond what the firmware model supports (57), so only the
 * driver's own walk (pvgpu_pt_lookup()) and bookkeeping are checked: the
 * very top of the space, where va + size wraps to 0.
 */
static void test_top_va64(void)
{
	uint64_t sz = 2 * SZ_1G + 2 * SZ_4K, v = 0 - sz, pte;
	struct ptd_stats st;
	uint32_t level;
	struct ptd *d;
	char msg[200];
	int err;

	ptd_set_mem(NULL);
	d = ptd_create(64, PS_4K | PS_2M | PS_1G, &err);
	g_assert_nonnull(d);
	g_assert_cmpint(ptd_prealloc(d, ptd_count(d, PTD_COUNT_NULL, v, sz)),
			==, 0);
	g_assert_cmpint(ptd_map_null(d, v, sz), ==, 0);
	ptd_prealloc_fini(d);
	g_assert_cmpint(ptd_lookup(d, 0 - SZ_4K, &pte, &level), ==, 0);
	g_assert_cmpint(ptd_lookup(d, v, &pte, &level), ==, 0);
	g_assert_cmpuint(level, ==, 0);
	g_assert_cmpint(ptd_lookup(d, v - SZ_4K, &pte, &level), ==,
			-ENOENT);
	g_assert_true(ptd_check(d, &st, msg, sizeof(msg)));
	g_assert_cmpuint(st.null_leaves[2], ==, 2);
	g_assert_cmpint(ptd_prealloc(d, ptd_count(d, PTD_COUNT_UNMAP, v, sz)),
			==, 0);
	g_assert_cmpint(ptd_unmap(d, v, sz), ==, 0);
	ptd_prealloc_fini(d);
	ptd_free_tables(d);
	g_assert_true(ptd_check(d, &st, msg, sizeof(msg)));
	g_assert_cmpuint(table_count(&st), ==, 1);
	g_assert_cmpint(ptd_take_warns(), ==, 0);
	ptd_destroy(d);
	g_assert_cmpint(ptd_allocs(), ==, 0);
}

/* Bad arguments are refused and change nothing; running out WARNs. */
static void test_errors(void)
{
	struct ptd_seg segs[2] = {
		{ .addr = 0x100000000ull, .len = SZ_4K },
		{ .addr = 0x200000000ull, .len = SZ_4K },
	};
	struct ptd_stats st;
	uint64_t pte;
	uint32_t level;
	int err;
	Ctx c;

	g_assert_null(ptd_create(31, PS_4K, &err));
	g_assert_cmpint(err, ==, -EINVAL);
	g_assert_null(ptd_create(65, PS_4K, &err));
	g_assert_cmpint(err, ==, -EINVAL);

	ctx_init(&c, 48, PS_4K | PS_2M | PS_1G, 0, 4 * SZ_1G, 9);
	g_assert_cmpint(ptd_map_null(c.d, 0, 0), ==, -EINVAL);
	g_assert_cmpint(ptd_map_null(c.d, SZ_4K, 100), ==, -EINVAL);
	g_assert_cmpint(ptd_map_null(c.d, 0x800, SZ_4K), ==,
			-EINVAL);
	g_assert_cmpint(ptd_map_null(c.d, 1ull << 48, SZ_4K), ==,
			-EINVAL);
	g_assert_cmpint(ptd_unmap(c.d, ~0ull << 12, 2 * SZ_4K), ==,
			-EINVAL);
	g_assert_cmpint(ptd_map_sgt(c.d, 0, SZ_4K, segs, 2, 0, 2), ==,
			-EINVAL);
	g_assert_cmpuint(ptd_count(c.d, PTD_COUNT_ANY, ~0ull << 12, 2 * SZ_4K),
			 ==, 0);
	g_assert_cmpint(ptd_take_warns(), ==, 0);
	/* An sg_table shorter than the range: refused, with a WARN. */
	g_assert_cmpint(ptd_map_sgt(c.d, 0, 3 * SZ_4K, segs, 2, 0, 0), ==,
			-EINVAL);
	g_assert_cmpint(ptd_take_warns(), ==, 1);
	/* No preallocation: -ENOSPC and a WARN (a bug in the count). */
	g_assert_cmpint(ptd_map_null(c.d, SZ_4K, SZ_4K), ==, -ENOSPC);
	g_assert_cmpint(ptd_take_warns(), ==, 1);
	g_assert_cmpint(ptd_lookup(c.d, SZ_4K, &pte, &level), ==,
			-ENOENT);
	g_assert_cmpint(ptd_lookup(c.d, 1ull << 48, &pte, &level), ==,
			-EINVAL);
	/* Nothing of that is visible, and nothing was left half-built. */
	g_assert_true(check_tree(&c, &st));
	g_assert_cmpuint(table_count(&st), ==, 1);
	g_assert_cmpuint(gpu_tlb_invalidate(c.g, ASID, 0, 0), ==,
			 PVGPU_STATUS_OK);
	g_assert_true(check_window(&c));
	/* A 1 GiB NULL range aligned to 1 GiB: one 1 GiB leaf. */
	g_assert_true(op_map_null(&c, SZ_1G, SZ_1G));
	g_assert_cmpint(ptd_lookup(c.d, SZ_1G + 8192, &pte, &level), ==, 0);
	g_assert_cmpuint(level, ==, 2);
	g_assert_true(check_tree(&c, &st));
	g_assert_cmpuint(st.null_leaves[2], ==, 1);
	ctx_fini(&c);
}

/*
 * Create, fill, empty and destroy trees of every shape: nothing of the
 * kernel's (kzalloc, pages) or of the table RAM stays allocated.
 */
static void test_no_leaks(void)
{
	static const uint32_t bits[] = { 32, 39, 48, 57 };
	static const uint32_t sizes[] = {
		PS_4K, PS_4K | PS_2M, PS_4K | PS_2M | PS_1G
	};

	for (unsigned int b = 0; b < G_N_ELEMENTS(bits); b++) {
		for (unsigned int s = 0; s < G_N_ELEMENTS(sizes); s++) {
			uint64_t top = TOP(bits[b]);
			Ctx c;
			bool ok;

			ctx_init(&c, bits[b], sizes[s], top - 64 * SZ_2M / 2,
				 64 * SZ_2M / 2, 11 + b * 3 + s);
			ok = op_map_null(&c, top - 24 * SZ_2M + SZ_4K,
					 20 * SZ_2M);
			for (unsigned int i = 0; ok && i < 8; i++) {
				uint64_t va, size;

				rand_range(&c, &va, &size);
				ok = i & 1 ? op_unmap(&c, va, size) :
					     op_map_sgt(&c, va, size, -1);
			}
			/* Tables left in the tree and the pool: destroy
			 * must free them all (checked by ctx_fini). */
			if (!ctx_fini(&c) || !ok)
				return;
		}
	}
}

/* Fill a window, then unmap all of the VA space in one call. */
static void test_unmap_all(gconstpointer data)
{
	uint32_t va_bits = GPOINTER_TO_UINT(data);
	uint64_t top = TOP(va_bits);
	Ctx c;
	bool ok;

	ctx_init(&c, va_bits, PS_4K | PS_2M | PS_1G, top - 4 * SZ_1G,
		 4 * SZ_1G, 13);
	ok = op_map_null(&c, top - 3 * SZ_1G - SZ_4K, SZ_1G + 2 * SZ_4K);
	for (unsigned int i = 0; ok && i < 12; i++) {
		uint64_t va, size;

		rand_range(&c, &va, &size);
		ok = op_map_sgt(&c, va, size, -1);
	}
	if (ok)
		ok = unmap_all(&c);
	ctx_fini(&c);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (unsigned int i = 0; i < G_N_ELEMENTS(scenarios); i++)
		g_test_add_data_func(scenarios[i].path, &scenarios[i],
				     test_random);
	g_test_add_data_func("/pt/top/va32", GUINT_TO_POINTER(32), test_top);
	g_test_add_data_func("/pt/top/va48", GUINT_TO_POINTER(48), test_top);
	g_test_add_data_func("/pt/top/va57", GUINT_TO_POINTER(57), test_top);
	g_test_add_func("/pt/top/va64-driver-walk-only", test_top_va64);
	g_test_add_func("/pt/errors", test_errors);
	g_test_add_data_func("/pt/unmap-everything-leaves-only-root/va48",
			     GUINT_TO_POINTER(48), test_unmap_all);
	g_test_add_data_func("/pt/unmap-everything-leaves-only-root/va57",
			     GUINT_TO_POINTER(57), test_unmap_all);
	g_test_add_func("/pt/no-leaks", test_no_leaks);
	return g_test_run();
}
