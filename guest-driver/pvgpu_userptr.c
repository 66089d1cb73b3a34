// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: userptr ranges, the pinned user memory of
 * DRM_PVGPU_VM_BIND_OP_MAP_USERPTR.
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/dma-mapping.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#include "pvgpu_drv.h"
#include "pvgpu_userptr.h"
#include "pvgpu_vm.h"

/**
 * DOC: Userptr
 *
 * MAP_USERPTR (pvgpu_vm_bind.c) pins the pages with pin_user_pages_fast()
 * (FOLL_LONGTERM, FOLL_WRITE unless READONLY) and DMA-maps them. The pins
 * belong to a refcounted &struct pvgpu_userptr that every &drm_gpuva piece
 * of that mapping references, so a partial unmap keeps the remaining
 * pieces' pages; the pages are unpinned when the last piece is gone, after
 * the TLB invalidation that removed it, and marked dirty unless READONLY
 * (the GPU may have written them). A range of more pages than RAM is
 * -EINVAL. The pins are charged, before pinning, to the calling process's
 * &mm_struct.pinned_vm (VmPin in /proc/PID/status) against its
 * RLIMIT_MEMLOCK, as RDMA does: over the limit is -ENOMEM and pins
 * nothing, unless the caller has CAP_IPC_LOCK (counted, not limited, as
 * __account_locked_vm() does). The charge stays with that process's mm,
 * held by mmgrab(), and is returned when the pages are unpinned, by
 * whichever process or worker drops the last piece: for an unmap, the
 * job's free work, shortly after its fence signalled. So that an unmap the
 * caller has seen complete always counts, a charge over the limit first
 * waits (interruptibly) for the release of every bind job of the VM that
 * has run (&pvgpu_vm.binds_releasing) and is judged again. When the
 * device is removed,
 * pvgpu_userptr_dma_fini() DMA-unmaps every range at once (they are on
 * &pvgpu_device.userptrs) but keeps the pages pinned: the mappings using
 * them live on in the VM's tree until it is torn down, and unpinning
 * stays with the last reference, which then unmaps nothing.
 */

/*
 * Charge @npages long-term pins to @mm's &mm_struct.pinned_vm against the
 * caller's RLIMIT_MEMLOCK, as RDMA's ib_umem_get() does. A caller with
 * CAP_IPC_LOCK is counted but not limited, as in __account_locked_vm().
 */
static bool pvgpu_userptr_try_charge(struct mm_struct *mm,
				     unsigned long npages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	unsigned long pinned;

	pinned = atomic64_add_return(npages, &mm->pinned_vm);
	if (pinned <= limit || capable(CAP_IPC_LOCK))
		return true;
	atomic64_sub(npages, &mm->pinned_vm);
	return false;
}

/*
 * Charge a userptr range of @npages pages of the calling process, for @vm.
 * Return: 0 with a mmgrab() reference in *@out for pvgpu_userptr_uncharge();
 * -ENOMEM over RLIMIT_MEMLOCK (what account_locked_vm() returns), or
 * -ERESTARTSYS, with nothing charged.
 */
static int pvgpu_userptr_charge(struct pvgpu_vm *vm, unsigned long npages,
				struct mm_struct **out)
{
	struct mm_struct *mm = current->mm;

	if (!pvgpu_userptr_try_charge(mm, npages)) {
		/*
		 * The pages that this VM's completed bind jobs unmapped are
		 * unpinned and uncharged by the jobs' free work, after their
		 * fences signalled: wait for those, so that an unmap the
		 * caller saw complete has given its charge back, and judge
		 * again. Only jobs that ran are waited for.
		 */
		if (wait_var_event_interruptible(&vm->binds_releasing,
						 !atomic_read(&vm->binds_releasing)))
			return -ERESTARTSYS;
		if (!pvgpu_userptr_try_charge(mm, npages))
			return -ENOMEM;
	}
	mmgrab(mm);
	*out = mm;
	return 0;
}

/* Return what pvgpu_userptr_charge() charged to @mm, and the reference. */
static void pvgpu_userptr_uncharge(struct mm_struct *mm, unsigned long npages)
{
	atomic64_sub(npages, &mm->pinned_vm);
	mmdrop(mm);
}

static void pvgpu_userptr_release(struct kref *ref)
{
	struct pvgpu_userptr *up = container_of(ref, struct pvgpu_userptr,
						refcount);
	struct pvgpu_device *pvdev = up->pvdev;

	/* Unmapped here or by the device's removal, never after it. */
	mutex_lock(&pvdev->dma_lock);
	list_del(&up->dev_link);
	if (up->mapped)
		dma_unmap_sgtable(pvdev->drm.dev, &up->sgt,
				  DMA_BIDIRECTIONAL, DMA_ATTR_SKIP_CPU_SYNC);
	mutex_unlock(&pvdev->dma_lock);
	sg_free_table(&up->sgt);
	/* The GPU may have written writable pages: mark them dirty. */
	unpin_user_pages_dirty_lock(up->pages, up->npages, !up->readonly);
	pvgpu_userptr_uncharge(up->mm, up->npages);
	kvfree(up->pages);
	kfree(up);
}

/**
 * pvgpu_userptr_put() - drop a reference to a userptr range
 * @up: the range, or NULL
 *
 * The last reference unpins the pages (dirtied unless read-only), returns
 * their charge and frees the range.
 */
void pvgpu_userptr_put(struct pvgpu_userptr *up)
{
	if (up)
		kref_put(&up->refcount, pvgpu_userptr_release);
}

/**
 * pvgpu_userptr_create() - pin and DMA-map a range of the caller's memory
 * @vm: the VM the range is for (its device; its bind jobs' releases)
 * @addr: start of the range, page-aligned
 * @size: bytes, page-aligned, not 0
 * @readonly: pin without FOLL_WRITE (the GPU only reads it)
 * @out: the range, with one reference, on success
 *
 * Charges the pins to the calling process (see the DOC: section), then
 * pins and DMA-maps the pages. Called inside drm_dev_enter().
 *
 * Return: 0; -EINVAL for more pages than RAM; -ENOMEM over RLIMIT_MEMLOCK
 * or short of memory; -EFAULT if the range cannot be pinned whole;
 * -ERESTARTSYS; -ENODEV after the device's removal.
 */
int pvgpu_userptr_create(struct pvgpu_vm *vm, u64 addr, u64 size,
			 bool readonly, struct pvgpu_userptr **out)
{
	unsigned int gup = FOLL_LONGTERM | (readonly ? 0 : FOLL_WRITE);
	struct pvgpu_device *pvdev = vm->pvdev;
	struct pvgpu_userptr *up;
	unsigned long npages = size >> PAGE_SHIFT;
	int pinned, ret;

	/* More pages than RAM could never be pinned. */
	if (npages > totalram_pages())
		return -EINVAL;
	/*
	 * On a huge machine the page array could still exceed what
	 * kvmalloc() takes (INT_MAX bytes, which also bounds the int count
	 * of pin_user_pages_fast()): too much to pin at once.
	 */
	if (npages > INT_MAX / sizeof(*up->pages))
		return -ENOMEM;

	up = kzalloc(sizeof(*up), GFP_KERNEL_ACCOUNT);
	if (!up)
		return -ENOMEM;
	/* Charged before pinning: over RLIMIT_MEMLOCK nothing is pinned. */
	ret = pvgpu_userptr_charge(vm, npages, &up->mm);
	if (ret)
		goto err_free;
	kref_init(&up->refcount);
	up->pvdev = pvdev;
	up->readonly = readonly;
	INIT_LIST_HEAD(&up->dev_link);
	/* Sized by the caller: fail quietly when memory is short. */
	up->pages = kvmalloc_array(npages, sizeof(*up->pages),
				   GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!up->pages) {
		ret = -ENOMEM;
		goto err_uncharge;
	}

	pinned = pin_user_pages_fast(addr, npages, gup, up->pages);
	if (pinned < 0) {
		ret = pinned == -ENOMEM ? -ENOMEM : -EFAULT;
		goto err_pages;
	}
	up->npages = pinned;
	if (pinned != npages) {
		ret = -EFAULT;
		goto err_unpin;
	}

	ret = sg_alloc_table_from_pages_segment(&up->sgt, up->pages, npages,
						0, size,
						dma_get_max_seg_size(pvdev->drm.dev),
						GFP_KERNEL_ACCOUNT);
	if (ret)
		goto err_unpin;
	/*
	 * The device snoops the CPU caches: no sync needed. That also makes
	 * the same pages mapped by several userptr binds (overlapping DMA
	 * mappings) harmless, which DMA-API debugging only accepts then.
	 */
	/*
	 * VM_BIND prepares inside drm_dev_enter(), so this cannot follow the
	 * device's removal (pvgpu_userptr_dma_fini()); checked all the same.
	 */
	mutex_lock(&pvdev->dma_lock);
	if (pvdev->dma_released) {
		ret = -ENODEV;
		goto err_unlock;
	}
	ret = dma_map_sgtable(pvdev->drm.dev, &up->sgt, DMA_BIDIRECTIONAL,
			      DMA_ATTR_SKIP_CPU_SYNC);
	if (ret)
		goto err_unlock;
	up->mapped = true;
	list_add_tail(&up->dev_link, &pvdev->userptrs);
	mutex_unlock(&pvdev->dma_lock);

	*out = up;
	return 0;

err_unlock:
	mutex_unlock(&pvdev->dma_lock);
	sg_free_table(&up->sgt);
err_unpin:
	unpin_user_pages(up->pages, up->npages);
err_pages:
	kvfree(up->pages);
err_uncharge:
	pvgpu_userptr_uncharge(up->mm, npages);
err_free:
	kfree(up);
	return ret;
}

/**
 * pvgpu_userptr_dma_fini() - DMA-unmap every userptr range of a removed device
 * @pvdev: the device, its firmware stopped; &pvgpu_device.dma_lock held
 *
 * The pages stay pinned, and the &struct pvgpu_userptr alive, until the
 * last mapping using them goes (a bind job, the VM's teardown): only the
 * DMA mapping must not outlive the device. Bind jobs no longer write page
 * tables then (they run inside drm_dev_enter()), so nothing reads the
 * stale DMA addresses; pvgpu_userptr_release() does not unmap again.
 */
void pvgpu_userptr_dma_fini(struct pvgpu_device *pvdev)
{
	struct pvgpu_userptr *up;

	lockdep_assert_held(&pvdev->dma_lock);

	list_for_each_entry(up, &pvdev->userptrs, dev_link) {
		if (!up->mapped)
			continue;
		dma_unmap_sgtable(pvdev->drm.dev, &up->sgt, DMA_BIDIRECTIONAL,
				  DMA_ATTR_SKIP_CPU_SYNC);
		up->mapped = false;
	}
}
