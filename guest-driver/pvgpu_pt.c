// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: GPU page tables.
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/dma-mapping.h>
#include <linux/gfp.h>
#include <linux/limits.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include <drm/drm_print.h>

#include <pvgpu/pvgpu_pt_format.h>

#include "pvgpu_drv.h"
#include "pvgpu_pt.h"

/**
 * DOC: GPU page tables
 *
 * pvgpu_pt writes the page-table tree the GPU MMU walks (format:
 * include/pvgpu/pvgpu_pt_format.h, walker: firmware-model/mmu.c, specification:
 * docs/page-tables.rst, whose section "How the driver writes page tables"
 * describes this file in more detail).
 *
 * **Tables.** Every table is one zeroed page (4 KiB) from alloc_page(),
 * DMA-mapped towards the device with dma_map_page(): the firmware reads it
 * at that DMA address, the CPU writes it through page_address(). The
 * device is cache coherent, so no syncs are needed; pvgpu_pt_create()
 * refuses a device whose mappings would need them (bounce buffers). Each
 * table has a &struct pvgpu_pt_table with its level, its count of valid
 * entries (an empty table is unlinked and freed) and, above level 0, the
 * bookkeeping of its child tables, so the CPU never has to turn a DMA
 * address back into a table.
 *
 * **Writes.** Entries are written with WRITE_ONCE() of a little-endian
 * value, so the walker never sees a torn entry. A new table is filled
 * completely (with copies of the large page it replaces, or with the new
 * leaves) before a dma_wmb() and the write of the entry that links it, so
 * a walker sees either the old entry or the complete new table, never an
 * incomplete one. Unmapping clears the entry that links a table before the
 * table goes on the caller's @freed list; the caller frees the list only
 * after the TLB invalidation of the range has completed, because until
 * then the GPU may still walk those tables.
 *
 * **No allocation while writing.** pvgpu_pt_map_sgt(),
 * pvgpu_pt_map_null() and pvgpu_pt_unmap() run in bind jobs, inside the
 * dma-fence signalling section and under the VM lock, so they must not
 * allocate. Their tables come from a &struct pvgpu_pt_prealloc filled by
 * pvgpu_pt_prealloc() (GFP_KERNEL_ACCOUNT) before the job was committed,
 * sized by pvgpu_pt_prealloc_count() (or the tighter
 * pvgpu_pt_prealloc_count_null() and pvgpu_pt_prealloc_count_unmap()).
 * Running out is a bug in that count: a WARN and -ENOSPC. Spare tables
 * (unused preallocations, freed tables) go to a small per-tree pool that
 * pvgpu_pt_prealloc() takes from first, which makes small binds cheap.
 *
 * **Bounds.** Every table is allocated with __GFP_ACCOUNT, so it is
 * charged to the memory cgroup of the process whose ioctl allocated it.
 * A tree counts the tables it holds outside its pool (&pvgpu_pt.charged:
 * linked, reserved by the preallocation of a job not run yet, freed and
 * not yet given back) and pvgpu_pt_prealloc() refuses (-ENOSPC) a
 * reservation that would take it past &pvgpu_pt.max_tables
 * (pvgpu_pt_set_max_tables(), the VM's vm_pt_max_mb). Reservations count
 * when they are made, not when they are used, so jobs queued behind an
 * unsignalled fence are bounded too.
 *
 * **Large pages.** A 2 MiB or 1 GiB leaf is used where the range covers
 * the whole entry, the device supports the size (caps.page_sizes; 1 GiB
 * only together with 2 MiB, so that splitting a 1 GiB page always gives
 * 2 MiB pages), the entry holds no table, and for memory, the DMA address
 * is aligned to the size and contiguous for the whole size. A map or
 * unmap that covers part of a large page splits it: a new table of copies
 * of the large page at the level below, then the requested change.
 *
 * **Locking.** The tree has no lock of its own: the VM lock protects it
 * (&pvgpu_vm.lock, declared with pvgpu_pt_set_lock() for lockdep). Only
 * the pool has a spinlock, as pvgpu_pt_prealloc() runs without the VM
 * lock.
 *
 * **Device removal.** The trees outlive the PCI function (open files keep
 * their VMs), their DMA mappings must not: every tree is on
 * &pvgpu_device.pts and keeps every table it owns, wherever the table is
 * (tree, pool, a job's preallocation, a freed or parked list), on
 * &pvgpu_pt.all_tables. pvgpu_pt_dma_fini() unmaps them all and marks the
 * tree &pvgpu_pt.dma_dead; freeing a table unmaps it under the same
 * &pvgpu_pt.pool_lock unless the tree is dead, so each table is unmapped
 * exactly once and never after the removal. The CPU side of the tables
 * stays valid until the tree is destroyed.
 *
 * **Ranges** are checked with inclusive ends (va + size - 1), so no sum
 * can wrap whatever va_bits is (up to 64).
 */

/* The walker's page size is the CPU's: one page per table. */
#define PT_TABLE_SIZE		SZ_4K
/* Spare tables kept per tree for the next preallocation. */
#define PT_POOL_MAX		64
/* Levels a leaf can be at: 0 (4 KiB), 1 (2 MiB), 2 (1 GiB). */
#define PT_LEAF_MAX_LEVEL	2
/* Levels of a tree: PVGPU_PT_LEVELS(64). */
#define PT_MAX_LEVELS		PVGPU_PT_LEVELS(64)

/**
 * struct pvgpu_pt_table - one page table
 *
 * Either linked in the tree, or on a list: a &struct pvgpu_pt_prealloc, the
 * pool, or a @freed list of pvgpu_pt_unmap().
 */
struct pvgpu_pt_table {
	/** @link: on a prealloc, pool or freed list. */
	struct list_head link;
	/** @all: in &pvgpu_pt.all_tables, under &pvgpu_pt.pool_lock. */
	struct list_head all;
	/** @page: the table's page. */
	struct page *page;
	/** @cpu: the CPU's view of the entries. */
	__le64 *cpu;
	/** @dma: the device's address of the page. */
	dma_addr_t dma;
	/**
	 * @children: above level 0, the child table of each entry that
	 * points to one, else NULL. Every table has the array for life, all
	 * NULL at level 0: it is counted in PVGPU_PT_TABLE_COST anyway, and
	 * a table recycled from level 0 to a directory then needs no
	 * allocation (a 4 KiB MAP/UNMAP pair used to free and allocate it).
	 */
	struct pvgpu_pt_table **children;
	/** @level: the table's level (0 holds 4 KiB leaves). */
	u16 level;
	/** @valid: entries with PVGPU_PTE_VALID. */
	u16 valid;
	/**
	 * @stale: unlinked with its entries left in place (pt_collect()):
	 * its page must be zeroed before reuse. Otherwise an entry without
	 * PVGPU_PTE_VALID is always 0 (pt_set()), so a table with no valid
	 * entry is zero already.
	 */
	bool stale;
};

/**
 * struct pvgpu_pt - a page-table tree
 */
struct pvgpu_pt {
	/** @pvdev: the device. */
	struct pvgpu_device *pvdev;
	/** @dev: the DMA device. */
	struct device *dev;
	/** @lock: the lock callers hold (lockdep only), or NULL. */
	struct mutex *lock;
	/** @va_bits: VA width. */
	u32 va_bits;
	/** @levels: PVGPU_PT_LEVELS(@va_bits). */
	u32 levels;
	/** @leaf_max: highest level a leaf may be at (0, 1 or 2). */
	u32 leaf_max;
	/** @root: the root table (level @levels - 1), never freed early. */
	struct pvgpu_pt_table *root;
	/** @tables: tables linked in the tree, per level. */
	u64 tables[PT_MAX_LEVELS];
	/** @leaves: valid leaves that map memory, per level. */
	u64 leaves[PT_LEAF_MAX_LEVEL + 1];
	/** @null_leaves: valid NULL leaves, per level. */
	u64 null_leaves[PT_LEAF_MAX_LEVEL + 1];
	/** @pool_lock: protects @pool and @pool_count. */
	spinlock_t pool_lock;
	/** @pool: spare zeroed tables, at most PT_POOL_MAX. */
	struct list_head pool;
	/** @pool_count: tables on @pool. */
	u32 pool_count;
	/**
	 * @charged: under @pool_lock, the tables of the tree that are not
	 * on @pool: linked, reserved by a preallocation, or waiting on a
	 * freed or parked list. What @max_tables bounds.
	 */
	u64 charged;
	/**
	 * @max_tables: most tables @charged may reach, 0 for no bound
	 * (pvgpu_pt_set_max_tables()); pvgpu_pt_prealloc() refuses more.
	 */
	u64 max_tables;
	/**
	 * @all_tables: every table of the tree wherever it is (linked, in
	 * the pool, preallocated for a job, waiting on a freed or parked
	 * list), under @pool_lock: what pvgpu_pt_dma_fini() unmaps.
	 */
	struct list_head all_tables;
	/**
	 * @dma_dead: under @pool_lock; the tables were DMA-unmapped by
	 * pvgpu_pt_dma_fini() (device removed): freeing them only frees
	 * memory, and no table is mapped any more.
	 */
	bool dma_dead;
	/** @dev_link: in &pvgpu_device.pts, under &pvgpu_device.dma_lock. */
	struct list_head dev_link;
};

/*
 * Where map leaves point: the DMA segments of an sg_table from a cursor,
 * or nothing (NULL leaves).
 */
struct pt_src {
	/* Current DMA segment, NULL for NULL leaves. */
	struct scatterlist *sg;
	/* Bytes of @sg already used. */
	u64 off;
	/* DMA segments left, @sg included. */
	u32 left;
	/* PVGPU_PTE_WRITABLE and/or PVGPU_PTE_NULL. */
	u64 attrs;
};

static void pt_assert_held(struct pvgpu_pt *pt)
{
	if (pt->lock)
		lockdep_assert_held(pt->lock);
}

static u32 pt_shift(u32 level)
{
	return PVGPU_PT_SHIFT + PVGPU_PT_BITS_PER_LEVEL * level;
}

static u64 pt_get(struct pvgpu_pt_table *tbl, u32 idx)
{
	return le64_to_cpu(READ_ONCE(tbl->cpu[idx]));
}

static bool pte_is_table(u64 pte, u32 level)
{
	return level > 0 && (pte & PVGPU_PTE_VALID) && !(pte & PVGPU_PTE_LEAF);
}

static bool pte_is_leaf(u64 pte, u32 level)
{
	return (pte & PVGPU_PTE_VALID) && (!level || (pte & PVGPU_PTE_LEAF));
}

/* Keep @tbl's valid count and the leaf statistics for one entry. */
static void pt_account(struct pvgpu_pt *pt, struct pvgpu_pt_table *tbl,
		       u64 pte, bool add)
{
	u64 *count;

	if (!(pte & PVGPU_PTE_VALID))
		return;
	if (add)
		tbl->valid++;
	else
		tbl->valid--;
	if (!pte_is_leaf(pte, tbl->level) || tbl->level > PT_LEAF_MAX_LEVEL)
		return;
	count = (pte & PVGPU_PTE_NULL) ? &pt->null_leaves[tbl->level] :
					 &pt->leaves[tbl->level];
	if (add)
		(*count)++;
	else
		(*count)--;
}

/* Write entry @idx of a table the walker may be reading. */
static void pt_set(struct pvgpu_pt *pt, struct pvgpu_pt_table *tbl, u32 idx,
		   u64 pte)
{
	pt_account(pt, tbl, pt_get(tbl, idx), false);
	pt_account(pt, tbl, pte, true);
	WRITE_ONCE(tbl->cpu[idx], cpu_to_le64(pte));
}

/* --- Table pages ------------------------------------------------------- */

static void pt_table_free(struct pvgpu_pt *pt, struct pvgpu_pt_table *tbl)
{
	/*
	 * Under the lock pvgpu_pt_dma_fini() holds: a table is unmapped
	 * either here, before the device's removal finished, or there.
	 */
	spin_lock(&pt->pool_lock);
	list_del(&tbl->all);
	if (!pt->dma_dead)
		dma_unmap_page(pt->dev, tbl->dma, PT_TABLE_SIZE, DMA_TO_DEVICE);
	spin_unlock(&pt->pool_lock);
	__free_page(tbl->page);
	kfree(tbl->children);
	kfree(tbl);
}

/* A zeroed, mapped table with a children array (GFP_KERNEL_ACCOUNT). */
static struct pvgpu_pt_table *pt_table_alloc(struct pvgpu_pt *pt)
{
	struct pvgpu_pt_table *tbl;

	tbl = kzalloc(sizeof(*tbl), GFP_KERNEL_ACCOUNT);
	if (!tbl)
		return NULL;
	tbl->children = kcalloc(PVGPU_PT_ENTRIES, sizeof(*tbl->children),
				GFP_KERNEL_ACCOUNT);
	if (!tbl->children)
		goto err_free_tbl;
	tbl->page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!tbl->page)
		goto err_free_children;
	tbl->cpu = page_address(tbl->page);
	tbl->dma = dma_map_page(pt->dev, tbl->page, 0, PT_TABLE_SIZE,
				DMA_TO_DEVICE);
	if (dma_mapping_error(pt->dev, tbl->dma))
		goto err_free_page;
	/* Entries hold 52-bit, 4 KiB aligned addresses. */
	if (WARN_ON_ONCE(tbl->dma & ~PVGPU_PTE_ADDR_MASK))
		goto err_unmap;

	/*
	 * Allocations run inside drm_dev_enter() (ioctls), so none can
	 * follow the removal's pvgpu_pt_dma_fini(); checked all the same.
	 */
	spin_lock(&pt->pool_lock);
	if (pt->dma_dead) {
		spin_unlock(&pt->pool_lock);
		goto err_unmap;
	}
	list_add_tail(&tbl->all, &pt->all_tables);
	spin_unlock(&pt->pool_lock);
	return tbl;

err_unmap:
	dma_unmap_page(pt->dev, tbl->dma, PT_TABLE_SIZE, DMA_TO_DEVICE);
err_free_page:
	__free_page(tbl->page);
err_free_children:
	kfree(tbl->children);
err_free_tbl:
	kfree(tbl);
	return NULL;
}

/*
 * Give spare tables (zeroed, children cleared) to the pool, else free.
 * Every table on @tables was charged to the tree (see &pvgpu_pt.charged).
 */
static void pt_pool_put(struct pvgpu_pt *pt, struct list_head *tables)
{
	struct pvgpu_pt_table *tbl, *tmp;
	LIST_HEAD(spill);

	spin_lock(&pt->pool_lock);
	list_for_each_entry_safe(tbl, tmp, tables, link) {
		/* Spare or freed: no longer the tree's either way. */
		pt->charged--;
		if (pt->pool_count < PT_POOL_MAX) {
			list_move(&tbl->link, &pt->pool);
			pt->pool_count++;
		} else {
			list_move(&tbl->link, &spill);
		}
	}
	spin_unlock(&pt->pool_lock);

	list_for_each_entry_safe(tbl, tmp, &spill, link) {
		list_del(&tbl->link);
		pt_table_free(pt, tbl);
	}
}

/* Make a used table spare again: zero entries, drop child pointers. */
static void pt_table_scrub(struct pvgpu_pt_table *tbl)
{
	/*
	 * Zeroing 4 KiB costs a 4 KiB MAP/UNMAP pair a few microseconds
	 * under TCG; a table emptied entry by entry is zero already.
	 */
	if (tbl->valid || tbl->stale)
		memset(tbl->cpu, 0, PT_TABLE_SIZE);
	else if (IS_ENABLED(CONFIG_KASAN))
		/* Debug kernels (the guest suite's) check that claim. */
		WARN_ON_ONCE(memchr_inv(tbl->cpu, 0, PT_TABLE_SIZE));
	tbl->stale = false;
	/* A leaf table never points to children: its array is still zero. */
	if (tbl->level)
		memset(tbl->children, 0,
		       PVGPU_PT_ENTRIES * sizeof(*tbl->children));
	tbl->valid = 0;
	tbl->level = 0;
}

/*
 * Take a preallocated table for @level. Runs in the signalling section:
 * no allocation, so running out is a bug in the preallocation count.
 */
static struct pvgpu_pt_table *pt_table_get(struct pvgpu_pt *pt,
					   struct pvgpu_pt_prealloc *pa,
					   u32 level)
{
	struct pvgpu_pt_table *tbl;

	if (WARN_ONCE(!pa || !pa->pages.next || list_empty(&pa->pages),
		      "pvgpu: page-table preallocation too small\n"))
		return NULL;
	tbl = list_first_entry(&pa->pages, struct pvgpu_pt_table, link);
	list_del_init(&tbl->link);
	pa->count--;
	tbl->level = level;
	tbl->valid = 0;
	pt->tables[level]++;
	return tbl;
}

/* Link @child at entry @idx of @tbl, after its contents. */
static void pt_link(struct pvgpu_pt *pt, struct pvgpu_pt_table *tbl, u32 idx,
		    struct pvgpu_pt_table *child)
{
	/* The walker must see the child's entries before the pointer. */
	dma_wmb();
	tbl->children[idx] = child;
	pt_set(pt, tbl, idx, child->dma | PVGPU_PTE_VALID);
}

/*
 * Unlink the subtree at entry @idx of @tbl and put its tables on @freed.
 * The subtree's entries stay as they are: the GPU may walk them until
 * the caller's TLB invalidation completes.
 */
static void pt_collect(struct pvgpu_pt *pt, struct pvgpu_pt_table *child,
		       struct list_head *freed)
{
	u32 i;

	/* The walker may still read them until the invalidation: kept. */
	if (child->valid)
		child->stale = true;
	for (i = 0; child->valid && i < PVGPU_PT_ENTRIES; i++) {
		u64 pte = pt_get(child, i);

		if (pte_is_table(pte, child->level))
			pt_collect(pt, child->children[i], freed);
		else
			pt_account(pt, child, pte, false);
	}
	pt->tables[child->level]--;
	list_add_tail(&child->link, freed);
}

static void pt_unlink(struct pvgpu_pt *pt, struct pvgpu_pt_table *tbl,
		      u32 idx, struct list_head *freed)
{
	struct pvgpu_pt_table *child = tbl->children[idx];

	pt_set(pt, tbl, idx, 0);
	tbl->children[idx] = NULL;
	pt_collect(pt, child, freed);
}

/* Fill the new @child with copies of the large leaf @pte (one level up). */
static void pt_split_fill(struct pvgpu_pt *pt, struct pvgpu_pt_table *child,
			  u64 pte)
{
	u64 size = PVGPU_PT_LEVEL_SIZE(child->level);
	u64 attrs = pte & (PVGPU_PTE_VALID | PVGPU_PTE_WRITABLE |
			   PVGPU_PTE_NULL);
	u64 addr = pte & PVGPU_PTE_ADDR_MASK;
	u32 i;

	if (child->level)
		attrs |= PVGPU_PTE_LEAF;
	/* A NULL page has no address: its parts have none either. */
	if (pte & PVGPU_PTE_NULL)
		size = 0;
	for (i = 0; i < PVGPU_PT_ENTRIES; i++)
		pt_set(pt, child, i, (addr + i * size) | attrs);
}

/* --- Creation ---------------------------------------------------------- */

/**
 * pvgpu_pt_create() - create an empty page-table tree
 * @pvdev: the device (its DMA device and caps.page_sizes)
 * @va_bits: the GPU VA width (32 .. 64)
 * @out: the new tree
 *
 * Allocates the root table. Large leaves are used as the device's
 * caps.page_sizes allows (1 GiB only together with 2 MiB).
 *
 * Return: 0; -EINVAL for a VA width outside 32 .. 64; -EIO when the DMA
 * mapping of a table would need syncs (bounce buffers), which the tables
 * cannot do; -ENOMEM.
 */
int pvgpu_pt_create(struct pvgpu_device *pvdev, u32 va_bits,
		    struct pvgpu_pt **out)
{
	u32 page_sizes = pvdev->fw.info.page_sizes;
	struct pvgpu_pt *pt;
	int ret;

	BUILD_BUG_ON(PAGE_SIZE != PT_TABLE_SIZE);
	if (va_bits < 32 || va_bits > 64)
		return -EINVAL;

	pt = kzalloc(sizeof(*pt), GFP_KERNEL_ACCOUNT);
	if (!pt)
		return -ENOMEM;
	pt->pvdev = pvdev;
	pt->dev = pvdev->drm.dev;
	pt->va_bits = va_bits;
	pt->levels = PVGPU_PT_LEVELS(va_bits);
	if (page_sizes & BIT(pt_shift(1))) {
		pt->leaf_max = 1;
		if (page_sizes & BIT(pt_shift(2)))
			pt->leaf_max = 2;
	}
	spin_lock_init(&pt->pool_lock);
	INIT_LIST_HEAD(&pt->pool);
	INIT_LIST_HEAD(&pt->all_tables);

	/* On the device's list before any table is mapped. */
	mutex_lock(&pvdev->dma_lock);
	if (pvdev->dma_released) {
		mutex_unlock(&pvdev->dma_lock);
		ret = -ENODEV;
		goto err_free_pt;
	}
	list_add_tail(&pt->dev_link, &pvdev->pts);
	mutex_unlock(&pvdev->dma_lock);

	pt->root = pt_table_alloc(pt);
	if (!pt->root) {
		ret = -ENOMEM;
		goto err_unlist;
	}
	if (dma_need_sync(pt->dev, pt->root->dma)) {
		drm_err(&pvdev->drm,
			"page tables need DMA syncs (bounce buffers?)\n");
		ret = -EIO;
		goto err_free_root;
	}
	pt->root->level = pt->levels - 1;
	pt->tables[pt->root->level] = 1;
	pt->charged = 1;
	*out = pt;
	return 0;

err_free_root:
	pt_table_free(pt, pt->root);
err_unlist:
	mutex_lock(&pvdev->dma_lock);
	list_del(&pt->dev_link);
	mutex_unlock(&pvdev->dma_lock);
err_free_pt:
	kfree(pt);
	return ret;
}

/**
 * pvgpu_pt_set_lock() - declare the lock callers hold
 * @pt: the tree
 * @lock: the lock (the VM lock), held by every caller of the functions that
 *	  read or change the tree; checked with lockdep
 */
void pvgpu_pt_set_lock(struct pvgpu_pt *pt, struct mutex *lock)
{
	pt->lock = lock;
}

/**
 * pvgpu_pt_set_max_tables() - bound the tree's page tables
 * @pt: the tree
 * @max: most tables the tree may hold (linked, reserved by preallocations
 *	 of pending jobs, or freed and not yet given back), the root
 *	 included; 0 for no bound
 *
 * pvgpu_pt_prealloc() refuses a reservation that would exceed it. Tables
 * already held are kept: a lower bound only refuses later reservations.
 */
void pvgpu_pt_set_max_tables(struct pvgpu_pt *pt, u64 max)
{
	spin_lock(&pt->pool_lock);
	pt->max_tables = max;
	spin_unlock(&pt->pool_lock);
}

static void pt_free_subtree(struct pvgpu_pt *pt, struct pvgpu_pt_table *tbl)
{
	u32 i;

	for (i = 0; tbl->level && i < PVGPU_PT_ENTRIES; i++)
		if (tbl->children[i])
			pt_free_subtree(pt, tbl->children[i]);
	pt_table_free(pt, tbl);
}

/**
 * pvgpu_pt_destroy() - free a tree and every table in it
 * @pt: the tree, or NULL
 *
 * The firmware must no longer use the tables: the address space is unbound
 * (or was never bound to this root), or the device was removed. Every
 * table is in the tree or the pool: the jobs that preallocated tables
 * and the lists of freed or parked tables are gone. After the device's
 * removal (pvgpu_pt_dma_fini()) the tables are only freed, not unmapped.
 */
void pvgpu_pt_destroy(struct pvgpu_pt *pt)
{
	struct pvgpu_device *pvdev;
	struct pvgpu_pt_table *tbl, *tmp;

	if (!pt)
		return;
	pvdev = pt->pvdev;
	pt_free_subtree(pt, pt->root);
	list_for_each_entry_safe(tbl, tmp, &pt->pool, link) {
		list_del(&tbl->link);
		pt_table_free(pt, tbl);
	}
	WARN_ON(!list_empty(&pt->all_tables));

	/* pvgpu_pt_dma_fini() may be looking at the tree until here. */
	mutex_lock(&pvdev->dma_lock);
	list_del(&pt->dev_link);
	mutex_unlock(&pvdev->dma_lock);
	kfree(pt);
}

/**
 * pvgpu_pt_dma_fini() - DMA-unmap every page table of a removed device
 * @pvdev: the device, its firmware stopped; &pvgpu_device.dma_lock held
 *
 * For pvgpu_pci_remove(): the trees live on with their VMs (open files),
 * but no mapping of the device may outlive its removal. Every table of
 * every tree is unmapped wherever it is (see &pvgpu_pt.all_tables); the
 * CPU side stays valid, so the VMs' later unmaps and teardown still work
 * and only free memory. No table is mapped afterwards.
 */
void pvgpu_pt_dma_fini(struct pvgpu_device *pvdev)
{
	struct pvgpu_pt_table *tbl;
	struct pvgpu_pt *pt;

	lockdep_assert_held(&pvdev->dma_lock);

	list_for_each_entry(pt, &pvdev->pts, dev_link) {
		spin_lock(&pt->pool_lock);
		if (!pt->dma_dead) {
			list_for_each_entry(tbl, &pt->all_tables, all)
				dma_unmap_page(pt->dev, tbl->dma,
					       PT_TABLE_SIZE, DMA_TO_DEVICE);
			pt->dma_dead = true;
		}
		spin_unlock(&pt->pool_lock);
		cond_resched();
	}
}

/**
 * pvgpu_pt_root() - the root table's address, for PVGPU_H2F_AS_BIND
 * @pt: the tree
 *
 * Return: the DMA address of the root table (4 KiB aligned, 52 bits).
 */
u64 pvgpu_pt_root(struct pvgpu_pt *pt)
{
	return pt->root->dma;
}

/* --- Preallocation ----------------------------------------------------- */

/* Is [va, va + size) a valid, 4 KiB aligned range of the tree? */
static bool pt_range_ok(struct pvgpu_pt *pt, u64 va, u64 size)
{
	u64 last = va + size - 1;

	if (!size || !IS_ALIGNED(va | size, SZ_4K) || last < va)
		return false;
	return pt->va_bits >= 64 || !(last >> pt->va_bits);
}

/* Entries at @level that [va, last] touches. */
static u64 pt_touched(u64 va, u64 last, u32 level)
{
	return (last >> pt_shift(level)) - (va >> pt_shift(level)) + 1;
}

/*
 * Tables an operation on [va, va + size) may link. Each entry of a level
 * above 0 gets at most one new table per operation, whether it is created
 * empty or by splitting a large leaf (a table, once linked, is never
 * replaced by the same operation), so the entries the range touches at
 * each level bound it. @full_needs_table: whether an entry the range
 * covers completely may need a table below the highest leaf level too
 * (memory that may not be contiguous); entries covered only in part are
 * at most two per level (the ends of the range).
 */
static u32 pt_count(struct pvgpu_pt *pt, u64 va, u64 size,
		    bool full_needs_table)
{
	u64 last = va + size - 1, count = 0;
	u32 level;

	if (!pt_range_ok(pt, va, size))
		return 0;
	for (level = 1; level < pt->levels; level++) {
		u64 n = pt_touched(va, last, level);

		if (!full_needs_table && level <= pt->leaf_max)
			n = min_t(u64, n, 2);
		count += n;
	}
	return min_t(u64, count, U32_MAX);
}

/**
 * pvgpu_pt_prealloc_count() - tables a map or unmap may need
 * @pt: the tree
 * @va: start of the range
 * @size: bytes
 *
 * A safe upper bound for any of pvgpu_pt_map_sgt(), pvgpu_pt_map_null()
 * and pvgpu_pt_unmap() on [@va, @va + @size): the number of entries the
 * range touches at each level above 0, which covers both the new tables
 * of the range and the splitting of large leaves at its ends (a split
 * table takes the place of one of those entries' tables). Independent of
 * what is mapped now, so it stays valid whatever earlier queued binds do.
 *
 * Return: the count (0 for an invalid range; saturated at U32_MAX, which
 * no allocation satisfies).
 */
u32 pvgpu_pt_prealloc_count(struct pvgpu_pt *pt, u64 va, u64 size)
{
	return pt_count(pt, va, size, true);
}

/**
 * pvgpu_pt_prealloc_count_maps() - tables a job of disjoint maps may need
 * @pt: the tree
 * @ranges: the ranges of the job's maps (memory or NULL), sorted by
 *	    address and pairwise disjoint
 * @n: entries in @ranges
 *
 * A bound for the whole job that may be far below the sum of
 * pvgpu_pt_prealloc_count() over its maps, when they share tables. A
 * table linked at an entry by one of the maps holds that map's leaves
 * until the job ends: a later map of the job, disjoint from it, clears
 * nothing outside its own range (its remap and unmap steps included), so
 * it can never empty that table. So each entry above level 0 that the
 * union of the ranges touches gets at most one new table in the job,
 * whatever the job finds mapped, and the distinct entries bound the job.
 * Not for jobs with unmaps (they may empty a table another operation
 * then links again) or overlapping maps.
 *
 * Return: the count (0 if a range is invalid; saturated at U32_MAX).
 */
u32 pvgpu_pt_prealloc_count_maps(struct pvgpu_pt *pt,
				 const struct pvgpu_pt_range *ranges, u32 n)
{
	u64 count = 0;
	u32 level, i;

	for (i = 0; i < n; i++)
		if (!pt_range_ok(pt, ranges[i].va, ranges[i].size))
			return 0;
	for (level = 1; level < pt->levels; level++) {
		u32 shift = pt_shift(level);
		u64 prev_last = 0;

		for (i = 0; i < n; i++) {
			u64 first = ranges[i].va >> shift;
			u64 last = (ranges[i].va + ranges[i].size - 1) >> shift;

			count += last - first + 1;
			/* Sorted: only the previous range can share an entry. */
			if (i && first == prev_last)
				count--;
			prev_last = last;
		}
	}
	return min_t(u64, count, U32_MAX);
}

/**
 * pvgpu_pt_prealloc_count_null() - tables a NULL map may need
 * @pt: the tree
 * @va: start of the range
 * @size: bytes
 *
 * Tighter than pvgpu_pt_prealloc_count() for pvgpu_pt_map_null() (and
 * pvgpu_pt_unmap()): NULL leaves need no contiguous memory, so an entry the
 * range covers completely takes a large leaf and needs no table at the
 * levels that have large pages.
 *
 * Return: the count (0 for an invalid range, saturated at U32_MAX).
 */
u32 pvgpu_pt_prealloc_count_null(struct pvgpu_pt *pt, u64 va, u64 size)
{
	return pt_count(pt, va, size, false);
}

/**
 * pvgpu_pt_prealloc_count_unmap() - tables an unmap may need
 * @pt: the tree
 * @va: start of the range
 * @size: bytes
 *
 * Tighter than pvgpu_pt_prealloc_count() for pvgpu_pt_unmap(): only a
 * large leaf the range covers in part, at one of its two ends, is split,
 * and an end aligned to a level's entry size lies inside no entry of that
 * level: an unmap of 1 GiB aligned ranges needs no table at all, which
 * keeps unmapping possible in a VM at its page-table bound.
 *
 * Return: the count (0 for an invalid range).
 */
u32 pvgpu_pt_prealloc_count_unmap(struct pvgpu_pt *pt, u64 va, u64 size)
{
	u64 last = va + size - 1, count = 0;
	u32 level;

	if (!pt_range_ok(pt, va, size))
		return 0;
	for (level = 1; level <= pt->leaf_max && level < pt->levels; level++) {
		u64 mask = PVGPU_PT_LEVEL_SIZE(level) - 1;
		/* last + 1 wraps to 0 at the top of a 64-bit space: aligned. */
		u64 ends = !!(va & mask) + !!((last + 1) & mask);

		count += min(pt_touched(va, last, level), ends);
	}
	return count;
}

static void pt_prealloc_init(struct pvgpu_pt_prealloc *pa)
{
	/* A zeroed &struct pvgpu_pt_prealloc is an empty one. */
	if (!pa->pages.next) {
		INIT_LIST_HEAD(&pa->pages);
		pa->count = 0;
	}
}

/**
 * pvgpu_pt_prealloc() - reserve tables for a bind job
 * @pt: the tree
 * @pa: the reservation, zeroed or used before; @count tables are added
 * @count: tables to add (pvgpu_pt_prealloc_count() summed over the job's
 *	   operations)
 *
 * Called before the job is committed, without the VM lock
 * (GFP_KERNEL_ACCOUNT: the tables are charged to the caller's memory
 * cgroup). Spare tables of the tree are used first. The @count tables
 * are charged to the tree (&pvgpu_pt.charged) until they are freed again
 * or given back unused by pvgpu_pt_prealloc_fini(); a reservation that
 * would take the tree past its bound (pvgpu_pt_set_max_tables()) is
 * refused before anything is allocated. So is one of more tables than the
 * machine has pages of RAM, which could never be allocated (the counts
 * saturate at U32_MAX for ranges no memory could back).
 *
 * Return: 0; -ENOSPC the tree's bound would be exceeded; -ENOMEM; on
 * error @pa holds what it held before.
 */
int pvgpu_pt_prealloc(struct pvgpu_pt *pt, struct pvgpu_pt_prealloc *pa,
		      u32 count)
{
	struct pvgpu_pt_table *tbl, *tmp;
	LIST_HEAD(added);
	u32 n = 0;

	pt_prealloc_init(pa);
	if ((u64)pa->count + count > totalram_pages())
		return -ENOMEM;

	spin_lock(&pt->pool_lock);
	/* Reserved at once, so concurrent callers cannot both pass. */
	if (pt->max_tables && pt->charged + count > pt->max_tables) {
		spin_unlock(&pt->pool_lock);
		return -ENOSPC;
	}
	pt->charged += count;
	while (n < count && pt->pool_count) {
		list_move_tail(pt->pool.next, &added);
		pt->pool_count--;
		n++;
	}
	spin_unlock(&pt->pool_lock);

	for (; n < count; n++) {
		tbl = pt_table_alloc(pt);
		if (!tbl)
			goto err_free;
		list_add_tail(&tbl->link, &added);
	}

	list_splice_tail(&added, &pa->pages);
	pa->count += count;
	return 0;

err_free:
	list_for_each_entry_safe(tbl, tmp, &added, link) {
		list_del(&tbl->link);
		pt_table_free(pt, tbl);
	}
	spin_lock(&pt->pool_lock);
	pt->charged -= count;
	spin_unlock(&pt->pool_lock);
	return -ENOMEM;
}

/**
 * pvgpu_pt_prealloc_fini() - give back what a bind job did not use
 * @pt: the tree
 * @pa: the reservation (zeroed, or initialised by pvgpu_pt_prealloc());
 *	empty afterwards
 *
 * May be called without the VM lock; does not sleep.
 */
void pvgpu_pt_prealloc_fini(struct pvgpu_pt *pt, struct pvgpu_pt_prealloc *pa)
{
	pt_prealloc_init(pa);
	pt_pool_put(pt, &pa->pages);
	pa->count = 0;
}

/**
 * pvgpu_pt_free_tables() - free tables unlinked by pvgpu_pt_unmap()
 * @pt: the tree
 * @freed: the list pvgpu_pt_unmap() filled; empty afterwards
 *
 * Only after the TLB invalidation of the unmapped range has completed: the
 * GPU may walk these tables until then. Does not need the VM lock.
 */
void pvgpu_pt_free_tables(struct pvgpu_pt *pt, struct list_head *freed)
{
	struct pvgpu_pt_table *tbl;

	list_for_each_entry(tbl, freed, link)
		pt_table_scrub(tbl);
	pt_pool_put(pt, freed);
}

/* --- Map --------------------------------------------------------------- */

static u64 pt_src_addr(const struct pt_src *src)
{
	return sg_dma_address(src->sg) + src->off;
}

static void pt_src_advance(struct pt_src *src, u64 bytes)
{
	if (!src->sg)
		return;
	src->off += bytes;
	while (src->left && src->off >= sg_dma_len(src->sg)) {
		src->off -= sg_dma_len(src->sg);
		src->left--;
		src->sg = src->left ? sg_next(src->sg) : NULL;
		if (!src->sg)
			break;
	}
}

/* Can the next @size bytes of @src be one page of that size? */
static bool pt_src_block(const struct pt_src *src, u64 size)
{
	struct scatterlist *sg = src->sg;
	u32 left = src->left;
	u64 off = src->off, expect, need = size;

	if (!sg)
		return true;	/* NULL leaves */
	expect = pt_src_addr(src);
	if (!IS_ALIGNED(expect, size))
		return false;
	while (left && sg) {
		u64 seg = sg_dma_len(sg) - off;

		if (sg_dma_address(sg) + off != expect)
			return false;
		if (seg >= need)
			return true;
		need -= seg;
		expect += seg;
		off = 0;
		left--;
		sg = left ? sg_next(sg) : NULL;
	}
	return false;
}

/*
 * Point @src at @offset bytes into @sgt's DMA segments and check that
 * @size bytes follow, every segment page aligned.
 */
static int pt_src_init(struct pt_src *src, struct sg_table *sgt, u64 offset,
		       u64 size)
{
	struct scatterlist *sg = sgt->sgl;
	u32 left = sgt->nents;
	u64 have = 0;

	if (!IS_ALIGNED(offset, SZ_4K))
		return -EINVAL;
	while (left && sg && offset >= sg_dma_len(sg)) {
		offset -= sg_dma_len(sg);
		left--;
		sg = left ? sg_next(sg) : NULL;
	}
	if (!left || !sg)
		return -EINVAL;
	src->sg = sg;
	src->off = offset;
	src->left = left;

	have = 0;
	offset = src->off;
	while (left && sg && have < size) {
		u64 addr = sg_dma_address(sg), len = sg_dma_len(sg);

		/* Page aligned, and every page has a 52-bit address. */
		if (!IS_ALIGNED(addr | len, SZ_4K) ||
		    ((addr + len - 1) & ~(PVGPU_PTE_ADDR_MASK | (SZ_4K - 1))))
			return -EINVAL;
		have += len - offset;
		offset = 0;
		left--;
		sg = left ? sg_next(sg) : NULL;
	}
	return have >= size ? 0 : -EINVAL;
}

static u64 pt_leaf_pte(struct pt_src *src, u32 level)
{
	u64 pte = src->attrs | PVGPU_PTE_VALID;

	if (level)
		pte |= PVGPU_PTE_LEAF;
	if (src->sg)
		pte |= pt_src_addr(src);
	return pte;
}

/* Map [va, last] (inside @tbl's reach) from @src. */
static int pt_map_level(struct pvgpu_pt *pt, struct pvgpu_pt_prealloc *pa,
			struct pvgpu_pt_table *tbl, u64 va, u64 last,
			struct pt_src *src)
{
	u32 level = tbl->level;
	u64 size = PVGPU_PT_LEVEL_SIZE(level);
	int ret = 0;

	for (;;) {
		u64 start = va & ~(size - 1), end = start + (size - 1);
		u64 sub_last = min(last, end);
		u32 idx = PVGPU_PT_INDEX(va, level);
		u64 old = pt_get(tbl, idx);
		bool full = va == start && sub_last == end;
		struct pvgpu_pt_table *child;

		if (!level ||
		    (full && level <= pt->leaf_max &&
		     !pte_is_table(old, level) && pt_src_block(src, size))) {
			pt_set(pt, tbl, idx, pt_leaf_pte(src, level));
			pt_src_advance(src, size);
		} else if (pte_is_table(old, level)) {
			ret = pt_map_level(pt, pa, tbl->children[idx], va,
					   sub_last, src);
		} else {
			child = pt_table_get(pt, pa, level - 1);
			if (!child)
				return -ENOSPC;
			/* Keep the rest of a large page we map over. */
			if (!full && pte_is_leaf(old, level))
				pt_split_fill(pt, child, old);
			ret = pt_map_level(pt, pa, child, va, sub_last, src);
			/* Even after an error: its entries are consistent. */
			pt_link(pt, tbl, idx, child);
		}
		if (ret || sub_last == last)
			return ret;
		va = sub_last + 1;
	}
}

/**
 * pvgpu_pt_map_sgt() - map memory
 * @pt: the tree
 * @pa: preallocated tables, for new tables and for splitting large leaves
 * @va: start of the range (4 KiB aligned)
 * @size: bytes (4 KiB aligned, not 0)
 * @sgt: DMA-mapped memory
 * @sgt_offset: where in @sgt's DMA segments the range starts (4 KiB aligned)
 * @flags: PVGPU_PT_MAP_*
 *
 * Maps [@va, @va + @size) to @sgt, replacing whatever was mapped there,
 * with 2 MiB and 1 GiB leaves where VA and DMA address allow (see the DOC:
 * section). Never allocates; the caller holds the VM lock and invalidates
 * the TLB for the range if anything was mapped there before.
 *
 * Return: 0; -EINVAL for a bad range, unknown flags or an @sgt shorter
 * than @sgt_offset + @size (nothing written); -ENOSPC if @pa ran out (a
 * bug; the range is then partly mapped).
 */
int pvgpu_pt_map_sgt(struct pvgpu_pt *pt, struct pvgpu_pt_prealloc *pa,
		     u64 va, u64 size, struct sg_table *sgt, u64 sgt_offset,
		     u32 flags)
{
	struct pt_src src = { };
	int ret;

	pt_assert_held(pt);
	if ((flags & ~PVGPU_PT_MAP_READONLY) || !pt_range_ok(pt, va, size))
		return -EINVAL;
	ret = pt_src_init(&src, sgt, sgt_offset, size);
	if (WARN_ON_ONCE(ret))
		return ret;
	if (!(flags & PVGPU_PT_MAP_READONLY))
		src.attrs = PVGPU_PTE_WRITABLE;
	return pt_map_level(pt, pa, pt->root, va, va + size - 1, &src);
}

/**
 * pvgpu_pt_map_null() - map a sparse (NULL) range
 * @pt: the tree
 * @pa: preallocated tables
 * @va: start of the range (4 KiB aligned)
 * @size: bytes (4 KiB aligned, not 0)
 *
 * NULL leaves, as large as alignment allows: reads return zero, writes are
 * dropped (the leaves are WRITABLE, else a write would fault). Otherwise
 * as pvgpu_pt_map_sgt().
 *
 * Return: 0; -EINVAL for a bad range; -ENOSPC if @pa ran out (a bug).
 */
int pvgpu_pt_map_null(struct pvgpu_pt *pt, struct pvgpu_pt_prealloc *pa,
		      u64 va, u64 size)
{
	struct pt_src src = {
		.attrs = PVGPU_PTE_NULL | PVGPU_PTE_WRITABLE,
	};

	pt_assert_held(pt);
	if (!pt_range_ok(pt, va, size))
		return -EINVAL;
	return pt_map_level(pt, pa, pt->root, va, va + size - 1, &src);
}

/* --- Unmap ------------------------------------------------------------- */

static int pt_unmap_level(struct pvgpu_pt *pt, struct pvgpu_pt_prealloc *pa,
			  struct pvgpu_pt_table *tbl, u64 va, u64 last,
			  struct list_head *freed)
{
	u32 level = tbl->level;
	u64 size = PVGPU_PT_LEVEL_SIZE(level);
	int ret = 0;

	for (;;) {
		u64 start = va & ~(size - 1), end = start + (size - 1);
		u64 sub_last = min(last, end);
		u32 idx = PVGPU_PT_INDEX(va, level);
		u64 old = pt_get(tbl, idx);
		bool full = va == start && sub_last == end;
		struct pvgpu_pt_table *child;

		if (!(old & PVGPU_PTE_VALID)) {
			/* Nothing mapped here. */
		} else if (pte_is_table(old, level)) {
			child = tbl->children[idx];
			if (!full)
				ret = pt_unmap_level(pt, pa, child, va,
						     sub_last, freed);
			if (full || !child->valid)
				pt_unlink(pt, tbl, idx, freed);
		} else if (full) {
			pt_set(pt, tbl, idx, 0);
		} else {
			/* Part of a large leaf: split it, then unmap. */
			child = pt_table_get(pt, pa, level - 1);
			if (!child)
				return -ENOSPC;
			pt_split_fill(pt, child, old);
			ret = pt_unmap_level(pt, pa, child, va, sub_last,
					     freed);
			pt_link(pt, tbl, idx, child);
		}
		if (ret || sub_last == last)
			return ret;
		va = sub_last + 1;
	}
}

/**
 * pvgpu_pt_unmap() - unmap a range
 * @pt: the tree
 * @pa: preallocated tables, for splitting large leaves at partial edges
 * @va: start of the range (4 KiB aligned)
 * @size: bytes (4 KiB aligned, not 0)
 * @freed: tables that became empty are unlinked and added here (initialised
 *	   by the caller); free them with pvgpu_pt_free_tables() once the
 *	   TLB invalidation of the range has completed
 *
 * Clears every leaf in [@va, @va + @size); unmapping nothing is fine.
 * Never allocates; the caller holds the VM lock and invalidates the TLB.
 *
 * Return: 0; -EINVAL for a bad range; -ENOSPC if @pa ran out (a bug).
 */
int pvgpu_pt_unmap(struct pvgpu_pt *pt, struct pvgpu_pt_prealloc *pa,
		   u64 va, u64 size, struct list_head *freed)
{
	pt_assert_held(pt);
	if (!pt_range_ok(pt, va, size))
		return -EINVAL;
	return pt_unmap_level(pt, pa, pt->root, va, va + size - 1, freed);
}

/* --- Inspection -------------------------------------------------------- */

/**
 * pvgpu_pt_lookup() - translate a VA the way the GPU would
 * @pt: the tree
 * @va: the address
 * @pte: the leaf entry, or the entry that stopped the walk; may be NULL
 * @level: the level of *@pte; may be NULL
 *
 * A software walk of the tables (no TLB), for debugfs and tests.
 *
 * Return: 0 if @va has a valid leaf; -ENOENT if not present; -EINVAL if
 * @va is beyond the VA width.
 */
int pvgpu_pt_lookup(struct pvgpu_pt *pt, u64 va, u64 *pte, u32 *level)
{
	struct pvgpu_pt_table *tbl = pt->root;
	u64 e;

	pt_assert_held(pt);
	if (pt->va_bits < 64 && va >> pt->va_bits)
		return -EINVAL;
	for (;;) {
		u32 idx = PVGPU_PT_INDEX(va, tbl->level);

		e = pt_get(tbl, idx);
		if (pte)
			*pte = e;
		if (level)
			*level = tbl->level;
		if (!(e & PVGPU_PTE_VALID))
			return -ENOENT;
		if (!pte_is_table(e, tbl->level))
			return 0;
		tbl = tbl->children[idx];
	}
}

/**
 * pvgpu_pt_print_stats() - print the tree's statistics
 * @pt: the tree
 * @p: where to
 *
 * Tables in use per level, and pages mapped per page size (memory and
 * NULL). Plain counters, written under the VM lock; read without it they
 * may be a moment old. Then the tables charged to the tree and its bound
 * (see pvgpu_pt_set_max_tables(); 0: none).
 */
void pvgpu_pt_print_stats(struct pvgpu_pt *pt, struct drm_printer *p)
{
	u64 total = 0;
	u32 level;

	for (level = 0; level < pt->levels; level++)
		total += READ_ONCE(pt->tables[level]);
	drm_printf(p, "page tables: %llu (%llu KiB)", total,
		   total * (PT_TABLE_SIZE / SZ_1K));
	for (level = pt->levels; level-- > 0;)
		drm_printf(p, " L%u %llu", level, READ_ONCE(pt->tables[level]));
	drm_printf(p, ", spare %u\n", READ_ONCE(pt->pool_count));
	drm_printf(p, "pages: 4K %llu, 2M %llu, 1G %llu; null 4K %llu, 2M %llu, 1G %llu\n",
		   READ_ONCE(pt->leaves[0]), READ_ONCE(pt->leaves[1]),
		   READ_ONCE(pt->leaves[2]), READ_ONCE(pt->null_leaves[0]),
		   READ_ONCE(pt->null_leaves[1]),
		   READ_ONCE(pt->null_leaves[2]));
	drm_printf(p, "page-table budget: charged %llu max %llu\n",
		   READ_ONCE(pt->charged), READ_ONCE(pt->max_tables));
}
