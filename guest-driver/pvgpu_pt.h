/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvgpu guest driver: GPU page tables in the format of pvgpu_pt_format.h
 * (include/pvgpu), written by the CPU. See the DOC: section in pvgpu_pt.c.
 *
 * Copyright (C) 2026 The pvgpu authors
 */
#ifndef PVGPU_PT_H
#define PVGPU_PT_H

#include <linux/list.h>
#include <linux/sizes.h>
#include <linux/types.h>

struct drm_printer;
struct mutex;
struct pvgpu_device;
struct pvgpu_pt;
struct sg_table;

/**
 * struct pvgpu_pt_prealloc - page-table pages reserved for one bind job
 *
 * Everything a map or unmap may need is allocated here before the job is
 * committed, so writing the tables (inside the dma-fence signalling
 * section) never allocates. A zeroed one is empty; pvgpu_pt_prealloc()
 * may add to it several times; pvgpu_pt_prealloc_fini() gives back what
 * is left.
 */
struct pvgpu_pt_prealloc {
	/** @pages: free, zeroed, DMA-mapped table pages. */
	struct list_head pages;
	/** @count: pages on @pages. */
	u32 count;
};

/* Leaf attributes of pvgpu_pt_map_sgt(). */
#define PVGPU_PT_MAP_READONLY	BIT(0)

int pvgpu_pt_create(struct pvgpu_device *pvdev, u32 va_bits,
		    struct pvgpu_pt **out);
void pvgpu_pt_destroy(struct pvgpu_pt *pt);
void pvgpu_pt_dma_fini(struct pvgpu_device *pvdev);
u64 pvgpu_pt_root(struct pvgpu_pt *pt);
/* Optional: the lock (the VM lock) callers hold, checked by lockdep. */
void pvgpu_pt_set_lock(struct pvgpu_pt *pt, struct mutex *lock);
void pvgpu_pt_set_max_tables(struct pvgpu_pt *pt, u64 max);

/*
 * Memory one page table is counted at by the limits in MiB (vm_pt_max_mb,
 * bind_pt_max_mb): its 4 KiB page plus, above level 0, its 4 KiB array of
 * child pointers.
 */
#define PVGPU_PT_TABLE_COST	SZ_8K

/* Safe for any map or unmap; the two below are tighter for their ops. */
u32 pvgpu_pt_prealloc_count(struct pvgpu_pt *pt, u64 va, u64 size);
u32 pvgpu_pt_prealloc_count_null(struct pvgpu_pt *pt, u64 va, u64 size);
u32 pvgpu_pt_prealloc_count_unmap(struct pvgpu_pt *pt, u64 va, u64 size);

/**
 * struct pvgpu_pt_range - a VA range for pvgpu_pt_prealloc_count_maps()
 */
struct pvgpu_pt_range {
	/** @va: start. */
	u64 va;
	/** @size: bytes. */
	u64 size;
};

u32 pvgpu_pt_prealloc_count_maps(struct pvgpu_pt *pt,
				 const struct pvgpu_pt_range *ranges, u32 n);
int pvgpu_pt_prealloc(struct pvgpu_pt *pt, struct pvgpu_pt_prealloc *pa,
		      u32 count);
void pvgpu_pt_prealloc_fini(struct pvgpu_pt *pt, struct pvgpu_pt_prealloc *pa);

int pvgpu_pt_map_sgt(struct pvgpu_pt *pt, struct pvgpu_pt_prealloc *pa,
		     u64 va, u64 size, struct sg_table *sgt, u64 sgt_offset,
		     u32 flags);
int pvgpu_pt_map_null(struct pvgpu_pt *pt, struct pvgpu_pt_prealloc *pa,
		      u64 va, u64 size);
int pvgpu_pt_unmap(struct pvgpu_pt *pt, struct pvgpu_pt_prealloc *pa,
		   u64 va, u64 size, struct list_head *freed);
void pvgpu_pt_free_tables(struct pvgpu_pt *pt, struct list_head *freed);

int pvgpu_pt_lookup(struct pvgpu_pt *pt, u64 va, u64 *pte, u32 *level);
void pvgpu_pt_print_stats(struct pvgpu_pt *pt, struct drm_printer *p);

#endif /* PVGPU_PT_H */
