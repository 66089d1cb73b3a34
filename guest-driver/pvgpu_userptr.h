/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvgpu guest driver: userptr ranges, the pinned user memory that
 * MAP_USERPTR binds map. See the DOC: section in pvgpu_userptr.c.
 *
 * Copyright (C) 2026 The pvgpu authors
 */
#ifndef PVGPU_USERPTR_H
#define PVGPU_USERPTR_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

struct mm_struct;
struct page;
struct pvgpu_device;
struct pvgpu_vm;

/**
 * struct pvgpu_userptr - pinned user pages of one MAP_USERPTR
 */
struct pvgpu_userptr {
	/** @refcount: one per &struct pvgpu_vma piece, plus the op's. */
	struct kref refcount;
	/** @pvdev: for the DMA device. */
	struct pvgpu_device *pvdev;
	/** @pages: the pinned pages. */
	struct page **pages;
	/** @npages: entries in @pages. */
	unsigned long npages;
	/**
	 * @mm: the process whose &mm_struct.pinned_vm counts @npages (a
	 * mmgrab() reference): the pins are uncharged from it at release,
	 * whichever process or worker drops the last reference.
	 */
	struct mm_struct *mm;
	/** @readonly: pinned without FOLL_WRITE; else dirtied at unpin. */
	bool readonly;
	/** @sgt: the pages, DMA-mapped when @mapped. */
	struct sg_table sgt;
	/**
	 * @mapped: @sgt is DMA-mapped; cleared by pvgpu_userptr_dma_fini()
	 * when the device is removed. Under &pvgpu_device.dma_lock.
	 */
	bool mapped;
	/** @dev_link: in &pvgpu_device.userptrs, under its dma_lock. */
	struct list_head dev_link;
};

int pvgpu_userptr_create(struct pvgpu_vm *vm, u64 addr, u64 size,
			 bool readonly, struct pvgpu_userptr **out);
void pvgpu_userptr_put(struct pvgpu_userptr *up);
void pvgpu_userptr_dma_fini(struct pvgpu_device *pvdev);

#endif /* PVGPU_USERPTR_H */
