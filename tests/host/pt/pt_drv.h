/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The driver side of the page-table test: guest-driver/pvgpu_pt.c compiled
 * against the kernel shim (pt_drv.c), behind an API in plain C types so
 * that the test itself (GLib, firmware model) never sees kernel types.
 * Each function is the pvgpu_pt_* function of the same name on the tree
 * @d wraps, with one preallocation (@d's) and one @freed list (@d's).
 */
#ifndef PT_DRV_H
#define PT_DRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where table pages come from: zeroed 4 KiB pages and their DMA address. */
struct ptd_mem_ops {
	void *(*alloc)(void *ctx, uint64_t *dma);
	void (*free)(void *ctx, void *cpu, uint64_t dma);
	void *ctx;
};

/* One DMA segment of a mapping (struct scatterlist of the shim). */
struct ptd_seg {
	uint64_t addr;
	uint32_t len;
};

enum ptd_count_kind { PTD_COUNT_ANY, PTD_COUNT_NULL, PTD_COUNT_UNMAP };

/* Counters of pvgpu_pt (per level) as walked by ptd_check(). */
struct ptd_stats {
	uint64_t tables[8];
	uint64_t leaves[3];
	uint64_t null_leaves[3];
	uint32_t levels;
	uint32_t pool;
};

#define PTD_MAP_READONLY	1u	/* PVGPU_PT_MAP_READONLY */

struct ptd;

/*
 * Table pages from @mem (NULL: host memory); set before a tree is created
 * and kept until every tree is destroyed.
 */
void ptd_set_mem(const struct ptd_mem_ops *mem);

/* pvgpu_pt_create(): NULL and *@err the error on failure. */
struct ptd *ptd_create(uint32_t va_bits, uint32_t page_sizes, int *err);
void ptd_destroy(struct ptd *d);
uint64_t ptd_root(struct ptd *d);

uint32_t ptd_count(struct ptd *d, enum ptd_count_kind kind, uint64_t va,
		   uint64_t size);
int ptd_prealloc(struct ptd *d, uint32_t count);
uint32_t ptd_prealloc_left(struct ptd *d);
/* Give back what is left of @d's preallocation (to the tree's pool). */
void ptd_prealloc_fini(struct ptd *d);

int ptd_map_sgt(struct ptd *d, uint64_t va, uint64_t size,
		const struct ptd_seg *segs, uint32_t nsegs, uint64_t offset,
		uint32_t flags);
int ptd_map_null(struct ptd *d, uint64_t va, uint64_t size);
int ptd_unmap(struct ptd *d, uint64_t va, uint64_t size);
/* Tables on the freed list, and pvgpu_pt_free_tables() of the list. */
uint32_t ptd_freed_count(struct ptd *d);
void ptd_free_tables(struct ptd *d);

int ptd_lookup(struct ptd *d, uint64_t va, uint64_t *pte, uint32_t *level);
/* pvgpu_pt_print_stats() output. */
const char *ptd_print_stats(struct ptd *d);

/*
 * Check the tree's bookkeeping against its tables: every linked table is
 * reachable once, at the right level, with its DMA address in its parent's
 * entry and its valid count right; no empty table but the root; per-level
 * table, leaf and NULL-leaf counters equal what is in the tables. Fills
 * @st; false and a message in @msg if anything is off.
 */
bool ptd_check(struct ptd *d, struct ptd_stats *st, char *msg, size_t len);

/* WARNs so far (and reset them), kernel allocations outstanding. */
int ptd_take_warns(void);
long ptd_allocs(void);

#endif /* PT_DRV_H */
