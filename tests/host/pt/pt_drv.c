// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The driver side of the page-table test (see pt_drv.h): the real
 * guest-driver/pvgpu_pt.c, compiled in place in this translation unit so
 * that the checks below can read its private structures (valid counts,
 * child pointers, counters), against the kernel shim in shim/.
 */
#include "pvgpu_drv_shim.h"

#include "../../../guest-driver/pvgpu_pt.c"

#include <stdarg.h>

#include "pt_drv.h"

_Static_assert(sizeof(struct ptd_seg) == sizeof(struct scatterlist) &&
	       offsetof(struct ptd_seg, addr) ==
	       offsetof(struct scatterlist, addr) &&
	       offsetof(struct ptd_seg, len) ==
	       offsetof(struct scatterlist, len),
	       "ptd_seg must be the shim's scatterlist");
_Static_assert(PTD_MAP_READONLY == PVGPU_PT_MAP_READONLY, "flag");

int shim_warns;
long shim_allocs;
char shim_print_buf[4096];

static struct ptd_mem_ops mem_ops;

struct ptd {
	struct device dev;
	struct pvgpu_device pvdev;
	struct pvgpu_pt *pt;
	struct pvgpu_pt_prealloc pa;
	struct list_head freed;
};

/* --- Shim functions that need state ------------------------------------ */

struct page *alloc_page(int gfp)
{
	struct page *p = kzalloc(sizeof(*p), gfp);

	if (!p)
		return NULL;
	if (mem_ops.alloc) {
		uint64_t dma = 0;

		p->mem = mem_ops.alloc(mem_ops.ctx, &dma);
		p->dma = dma;
	} else {
		p->mem = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
		if (p->mem) {
			memset(p->mem, 0, PAGE_SIZE);
			p->dma = (uintptr_t)p->mem;
		}
	}
	if (!p->mem) {
		kfree(p);
		return NULL;
	}
	shim_allocs++;
	return p;
}

void __free_page(struct page *p)
{
	if (mem_ops.free)
		mem_ops.free(mem_ops.ctx, p->mem, p->dma);
	else
		free(p->mem);
	shim_allocs--;
	kfree(p);
}

void shim_printf(const char *fmt, ...)
{
	size_t used = strlen(shim_print_buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(shim_print_buf + used, sizeof(shim_print_buf) - used, fmt,
		  ap);
	va_end(ap);
}

/* --- The API of pt_drv.h ----------------------------------------------- */

void ptd_set_mem(const struct ptd_mem_ops *mem)
{
	memset(&mem_ops, 0, sizeof(mem_ops));
	if (mem)
		mem_ops = *mem;
}

struct ptd *ptd_create(uint32_t va_bits, uint32_t page_sizes, int *err)
{
	struct ptd *d = calloc(1, sizeof(*d));
	int ret;

	if (!d) {
		*err = -ENOMEM;
		return NULL;
	}
	d->pvdev.drm.dev = &d->dev;
	d->pvdev.fw.info.page_sizes = page_sizes;
	INIT_LIST_HEAD(&d->freed);
	INIT_LIST_HEAD(&d->pvdev.pts);
	ret = pvgpu_pt_create(&d->pvdev, va_bits, &d->pt);
	if (ret) {
		free(d);
		*err = ret;
		return NULL;
	}
	*err = 0;
	return d;
}

void ptd_destroy(struct ptd *d)
{
	if (!d)
		return;
	pvgpu_pt_prealloc_fini(d->pt, &d->pa);
	pvgpu_pt_free_tables(d->pt, &d->freed);
	pvgpu_pt_destroy(d->pt);
	free(d);
}

uint64_t ptd_root(struct ptd *d)
{
	return pvgpu_pt_root(d->pt);
}

uint32_t ptd_count(struct ptd *d, enum ptd_count_kind kind, uint64_t va,
		   uint64_t size)
{
	switch (kind) {
	case PTD_COUNT_NULL:
		return pvgpu_pt_prealloc_count_null(d->pt, va, size);
	case PTD_COUNT_UNMAP:
		return pvgpu_pt_prealloc_count_unmap(d->pt, va, size);
	default:
		return pvgpu_pt_prealloc_count(d->pt, va, size);
	}
}

int ptd_prealloc(struct ptd *d, uint32_t count)
{
	return pvgpu_pt_prealloc(d->pt, &d->pa, count);
}

uint32_t ptd_prealloc_left(struct ptd *d)
{
	return d->pa.pages.next ? d->pa.count : 0;
}

void ptd_prealloc_fini(struct ptd *d)
{
	pvgpu_pt_prealloc_fini(d->pt, &d->pa);
}

int ptd_map_sgt(struct ptd *d, uint64_t va, uint64_t size,
		const struct ptd_seg *segs, uint32_t nsegs, uint64_t offset,
		uint32_t flags)
{
	struct sg_table sgt = {
		.sgl = (struct scatterlist *)segs,
		.nents = nsegs,
		.orig_nents = nsegs,
	};

	return pvgpu_pt_map_sgt(d->pt, &d->pa, va, size, &sgt, offset, flags);
}

int ptd_map_null(struct ptd *d, uint64_t va, uint64_t size)
{
	return pvgpu_pt_map_null(d->pt, &d->pa, va, size);
}

int ptd_unmap(struct ptd *d, uint64_t va, uint64_t size)
{
	return pvgpu_pt_unmap(d->pt, &d->pa, va, size, &d->freed);
}

uint32_t ptd_freed_count(struct ptd *d)
{
	struct pvgpu_pt_table *tbl;
	uint32_t n = 0;

	list_for_each_entry(tbl, &d->freed, link)
		n++;
	return n;
}

void ptd_free_tables(struct ptd *d)
{
	pvgpu_pt_free_tables(d->pt, &d->freed);
	INIT_LIST_HEAD(&d->freed);
}

int ptd_lookup(struct ptd *d, uint64_t va, uint64_t *pte, uint32_t *level)
{
	u64 e = 0;
	u32 l = 0;
	int ret = pvgpu_pt_lookup(d->pt, va, &e, &l);

	if (pte)
		*pte = e;
	if (level)
		*level = l;
	return ret;
}

const char *ptd_print_stats(struct ptd *d)
{
	shim_print_buf[0] = 0;
	pvgpu_pt_print_stats(d->pt, NULL);
	return shim_print_buf;
}

/* --- Consistency of the bookkeeping ------------------------------------ */

struct ptd_walk {
	struct ptd_stats *st;
	char *msg;
	size_t len;
};

/* Levels struct ptd_stats has room for. */
#define ARRAY_SIZE_ST	(sizeof(((struct ptd_stats *)0)->tables) / sizeof(u64))

#define WALK_FAIL(w, ...) ({ snprintf((w)->msg, (w)->len, __VA_ARGS__); false; })

static bool check_table(struct ptd_walk *w, struct pvgpu_pt_table *t,
			bool is_root)
{
	u32 valid = 0, i;

	if (t->level >= ARRAY_SIZE_ST)
		return WALK_FAIL(w, "table level %u", t->level);
	w->st->tables[t->level]++;
	if (t->dma != t->page->dma || (void *)t->cpu != t->page->mem)
		return WALK_FAIL(w, "table at L%u: dma/cpu not its page's",
				 t->level);
	if (t->level && !t->children)
		return WALK_FAIL(w, "L%u table without children array",
				 t->level);
	for (i = 0; i < PVGPU_PT_ENTRIES; i++) {
		u64 e = pt_get(t, i);
		struct pvgpu_pt_table *c = t->children ? t->children[i] : NULL;

		if (!(e & PVGPU_PTE_VALID)) {
			if (c)
				return WALK_FAIL(w, "L%u[%u]: invalid entry with a child",
						 t->level, i);
			continue;
		}
		valid++;
		if (pte_is_table(e, t->level)) {
			if (!c || c->dma != (e & PVGPU_PTE_ADDR_MASK))
				return WALK_FAIL(w, "L%u[%u]: entry %#llx, child dma %#llx",
						 t->level, i, e,
						 c ? c->dma : 0ull);
			if (c->level != t->level - 1)
				return WALK_FAIL(w, "L%u[%u]: child at L%u",
						 t->level, i, c->level);
			if (!check_table(w, c, false))
				return false;
		} else {
			if (c)
				return WALK_FAIL(w, "L%u[%u]: leaf with a child",
						 t->level, i);
			if (t->level > PT_LEAF_MAX_LEVEL)
				return WALK_FAIL(w, "leaf at L%u", t->level);
			if (e & PVGPU_PTE_NULL)
				w->st->null_leaves[t->level]++;
			else
				w->st->leaves[t->level]++;
		}
	}
	if (valid != t->valid)
		return WALK_FAIL(w, "L%u table: %u valid entries, counted %u",
				 t->level, valid, t->valid);
	if (!is_root && !valid)
		return WALK_FAIL(w, "empty L%u table linked", t->level);
	return true;
}

bool ptd_check(struct ptd *d, struct ptd_stats *st, char *msg, size_t len)
{
	struct ptd_walk w = { .st = st, .msg = msg, .len = len };
	struct pvgpu_pt *pt = d->pt;
	u32 l;

	memset(st, 0, sizeof(*st));
	st->levels = pt->levels;
	st->pool = pt->pool_count;
	if (pt->levels > ARRAY_SIZE_ST)
		return WALK_FAIL(&w, "%u levels", pt->levels);
	if (pt->root->level != pt->levels - 1)
		return WALK_FAIL(&w, "root at L%u", pt->root->level);
	if (!check_table(&w, pt->root, true))
		return false;
	for (l = 0; l < pt->levels; l++)
		if (st->tables[l] != pt->tables[l])
			return WALK_FAIL(&w, "L%u: %llu tables linked, counter %llu",
					 l, (u64)st->tables[l], pt->tables[l]);
	for (l = 0; l <= PT_LEAF_MAX_LEVEL; l++)
		if (st->leaves[l] != pt->leaves[l] ||
		    st->null_leaves[l] != pt->null_leaves[l])
			return WALK_FAIL(&w, "L%u leaves %llu/%llu null %llu/%llu (tables/counter)",
					 l, (u64)st->leaves[l], pt->leaves[l],
					 (u64)st->null_leaves[l],
					 pt->null_leaves[l]);
	return true;
}

int ptd_take_warns(void)
{
	int n = shim_warns;

	shim_warns = 0;
	return n;
}

long ptd_allocs(void)
{
	return shim_allocs;
}
