// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: GEM buffer objects.
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_prime.h>
#include <drm/drm_vma_manager.h>

#include <uapi/drm/pvgpu_drm.h>

#include "pvgpu_drv.h"
#include "pvgpu_gem.h"

/**
 * DOC: GEM buffer objects
 *
 * Every pvgpu buffer object (struct pvgpu_bo) is a shmem GEM object
 * (drm_gem_shmem helpers): its pages come from a shmem file, are allocated
 * on first use (CPU mmap, pvgpu_bo_get_sgt() for a GPU mapping, a PRIME
 * importer's attachment or kernel vmap) and can be swapped out while
 * nothing pins them.
 *
 * **Creation.** Userspace creates objects with DRM_IOCTL_PVGPU_GEM_CREATE
 * (or as dumb buffers); the kernel makes none of its own (exec queue rings
 * are coherent DMA memory, pvgpu_queue.c). Creation goes through
 * drm_gem_shmem_create(), which calls pvgpu_gem_create_object() (the
 * &drm_driver.gem_create_object hook) to allocate the larger struct
 * pvgpu_bo. Objects imported from another driver's dma-buf take the same
 * hook, through drm_gem_shmem_prime_import_sg_table().
 *
 * **Lifetime.** An object lives while a reference exists: a GEM handle, a
 * CPU mapping, an exported dma-buf, a GPU VA mapping (the VM code holds a
 * reference per &drm_gpuvm_bo) or a kernel user. pvgpu_bo_get_sgt() pins
 * the pages and DMA-maps them once; they stay pinned and mapped until the
 * object is freed, or until the device is removed, whichever comes first.
 * The object's &drm_gpuva list belongs to the VM code, which protects it
 * with its own lock (pvgpu_vm_bind.c): the dma_resv lock may not be taken
 * where binds execute.
 *
 * **Caching.** The device is cache coherent with the CPU (it snoops), so
 * objects are mapped write-back everywhere (&drm_gem_shmem_object.map_wc
 * false): CPU mmap, kernel vmap, and the device needs no flushes. Only
 * dma-buf mappings handed to other drivers follow the exporter's rules.
 *
 * **CPU mmap.** DRM_IOCTL_PVGPU_GEM_MMAP_OFFSET returns the fake offset of
 * the object's &drm_vma_offset_node (created with the object); mmap(2) of
 * the DRM file at that offset maps the object. The shmem helpers allocate
 * and pin all of its pages at mmap() time (page table entries are filled
 * on fault) and release them with the last mapping. An imported object
 * has no such offset (-EINVAL): userspace maps the dma-buf it imported
 * instead, which the exporter serves.
 *
 * **PRIME.** Export and import are the DRM core's (drm_gem_prime_export(),
 * drm_gem_prime_import()): importing a dma-buf this device exported gives
 * the same object back, so a file importing its own export gets its own
 * handle again; a foreign dma-buf is attached and mapped for this device,
 * and its sg_table becomes the object's backing.
 *
 * **Device removal.** No DMA mapping may outlive the PCI function, but
 * objects outlive it (open files, exported dma-bufs). Every object with a
 * device mapping is on &pvgpu_device.bos; pvgpu_gem_dma_fini(), called by
 * pvgpu_pci_remove() once the firmware is stopped, drops each one's
 * mapping under its dma_resv lock, the way drm_gem_shmem_free() would
 * (unmap, free the table, put the pages' pin). An import is detached from
 * its dma-buf then (drm_prime_gem_destroy(), as its free would): unmapping
 * the attachment is not enough, exporters that cache the mapping (udmabuf,
 * dynamic exporters) unmap it only at detach. The object stays, empty: no
 * pages, no attachment. The free path
 * (pvgpu_gem_free()) drops the mapping itself before the object leaves
 * the list, so the removal, which waits for objects being freed, never
 * returns with one still mapped. Later users get -ENODEV: the GPU-side
 * users (VM_BIND, queue creation) run inside drm_dev_enter(), and bind
 * jobs, the only other readers of an object's table (through
 * &pvgpu_bind_op.sgt; mappings keep no table), write page tables only
 * inside drm_dev_enter() too.
 *
 * **fdinfo.** .status and .rss report objects with pages as resident, so
 * the drm-total-memory and drm-resident-memory keys of the file's fdinfo
 * (drm_show_memory_stats()) count them.
 */

/*
 * Called under the file's table_lock spinlock by drm_show_memory_stats():
 * reads only, no locks. An imported object's pages are the exporter's and
 * always present while attached.
 */
static enum drm_gem_object_status pvgpu_gem_status(struct drm_gem_object *obj)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);

	/* An import's attachment goes at device removal (see DOC:). */
	if (READ_ONCE(obj->import_attach) || READ_ONCE(shmem->pages))
		return DRM_GEM_OBJECT_RESIDENT;
	return 0;
}

static size_t pvgpu_gem_rss(struct drm_gem_object *obj)
{
	return pvgpu_gem_status(obj) & DRM_GEM_OBJECT_RESIDENT ? obj->size : 0;
}

/*
 * Drop the device mapping of a created object, as drm_gem_shmem_free()
 * would: unmap, free the table and put the pin pvgpu_bo_get_sgt_locked()
 * took. The pages stay if something else (a CPU or kernel mapping) uses
 * them.
 */
static void pvgpu_bo_drop_sgt_locked(struct pvgpu_bo *bo)
{
	struct drm_gem_shmem_object *shmem = &bo->base;
	struct drm_gem_object *obj = &shmem->base;

	dma_resv_assert_held(obj->resv);

	if (!shmem->sgt)
		return;
	dma_unmap_sgtable(obj->dev->dev, shmem->sgt, DMA_BIDIRECTIONAL, 0);
	sg_free_table(shmem->sgt);
	kfree(shmem->sgt);
	shmem->sgt = NULL;
	drm_gem_shmem_unpin_locked(shmem);
}

/*
 * Release an imported object's attachment now rather than when the object
 * is freed: unmapping the attachment is not enough, as exporters that
 * cache the mapping (&dma_buf_ops.cache_sgt_mapping, udmabuf for one, or
 * a dynamic exporter) only unmap it when the attachment is detached.
 * drm_prime_gem_destroy() unmaps, detaches and drops the dma-buf
 * reference of the import; the object then becomes an empty shmem object
 * without pages or backing file (no import_attach, its own dma_resv
 * again), which drm_gem_shmem_free() frees like any other. Nothing can
 * ask it for pages any more: after the removal the ioctls and mmap() of
 * the DRM file fail with -ENODEV and pvgpu_bo_get_sgt() refuses. The
 * caller holds no dma_resv lock (the detach takes the dma-buf's).
 */
static void pvgpu_bo_import_release(struct pvgpu_bo *bo)
{
	struct drm_gem_shmem_object *shmem = &bo->base;
	struct drm_gem_object *obj = &shmem->base;

	drm_prime_gem_destroy(obj, shmem->sgt);
	shmem->sgt = NULL;
	WRITE_ONCE(obj->import_attach, NULL);
	obj->resv = &obj->_resv;
}

/* Release the device mapping of @bo (a reference or its free holds it). */
static void pvgpu_bo_release_dma(struct pvgpu_bo *bo)
{
	struct drm_gem_object *obj = &bo->base.base;

	if (obj->import_attach) {
		pvgpu_bo_import_release(bo);
		return;
	}
	dma_resv_lock(obj->resv, NULL);
	pvgpu_bo_drop_sgt_locked(bo);
	dma_resv_unlock(obj->resv);
}

/*
 * &drm_gem_object_funcs.free: off &pvgpu_device.bos, then the shmem
 * helpers' free. The mapping goes before the object leaves the list, so
 * a removal waiting for the list to empty sees it unmapped (DOC:).
 */
static void pvgpu_gem_free(struct drm_gem_object *obj)
{
	struct pvgpu_device *pvdev = to_pvgpu_device(obj->dev);
	struct pvgpu_bo *bo = to_pvgpu_bo(obj);
	bool released;

	/* Nobody else touches the link of an object without references. */
	if (!list_empty(&bo->dma_link)) {
		pvgpu_bo_release_dma(bo);

		mutex_lock(&pvdev->bo_lock);
		list_del_init(&bo->dma_link);
		released = pvdev->bos_released;
		mutex_unlock(&pvdev->bo_lock);
		if (released)
			wake_up_all(&pvdev->bos_wq);
	}
	drm_gem_shmem_free(&bo->base);
}

static const struct drm_gem_object_funcs pvgpu_gem_funcs = {
	.free = pvgpu_gem_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.status = pvgpu_gem_status,
	.rss = pvgpu_gem_rss,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

/**
 * pvgpu_gem_create_object() - &drm_driver.gem_create_object hook
 * @drm: the DRM device
 * @size: the object's size in bytes (page-aligned by the caller)
 *
 * Allocates a struct pvgpu_bo for the shmem helpers, which initialise the
 * embedded GEM object; used for created and imported objects alike.
 *
 * Return: the embedded &drm_gem_object, or ERR_PTR(-ENOMEM).
 */
struct drm_gem_object *pvgpu_gem_create_object(struct drm_device *drm,
					       size_t size)
{
	struct pvgpu_bo *bo;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL_ACCOUNT);
	if (!bo)
		return ERR_PTR(-ENOMEM);

	bo->base.base.funcs = &pvgpu_gem_funcs;
	INIT_LIST_HEAD(&bo->dma_link);
	/* The device snoops the CPU caches: no write-combining needed. */
	bo->base.map_wc = false;
	/*
	 * CPU mappings are PFN maps and device writes are DMA: the page
	 * cache sees neither, so pages must be marked dirty when they are
	 * released, or reclaim would drop their data instead of swapping it.
	 */
	bo->base.pages_mark_dirty_on_put = true;
	return &bo->base.base;
}

/**
 * pvgpu_gem_prime_import() - &drm_driver.gem_prime_import hook
 * @drm: the DRM device
 * @dma_buf: the dma-buf to import
 *
 * drm_gem_prime_import(), then a foreign dma-buf's object (attached and
 * mapped for this device) goes on &pvgpu_device.bos, so that the device's
 * removal unmaps it (see the DOC: section).
 *
 * Return: the object, or an ERR_PTR(): what drm_gem_prime_import()
 * returns, or -ENODEV if the device was removed meanwhile.
 */
struct drm_gem_object *pvgpu_gem_prime_import(struct drm_device *drm,
					      struct dma_buf *dma_buf)
{
	struct pvgpu_device *pvdev = to_pvgpu_device(drm);
	struct drm_gem_object *obj;
	struct pvgpu_bo *bo;
	bool released;

	obj = drm_gem_prime_import(drm, dma_buf);
	/* Our own export comes back as the same object, not an import. */
	if (IS_ERR(obj) || !obj->import_attach)
		return obj;

	bo = to_pvgpu_bo(obj);
	mutex_lock(&pvdev->bo_lock);
	released = pvdev->bos_released;
	if (!released && list_empty(&bo->dma_link))
		list_add_tail(&bo->dma_link, &pvdev->bos);
	mutex_unlock(&pvdev->bo_lock);
	if (released) {
		/* Unmaps and detaches (drm_prime_gem_destroy()). */
		drm_gem_object_put(obj);
		return ERR_PTR(-ENODEV);
	}
	return obj;
}

/**
 * pvgpu_gem_dma_fini() - drop every object's device mapping
 * @pvdev: the device being removed, its firmware stopped
 *
 * For pvgpu_pci_remove(); see the DOC: section. Objects live on, without
 * a mapping (imports: detached); pvgpu_bo_get_sgt() fails with -ENODEV
 * from now on. Objects
 * being freed meanwhile unmap themselves: this waits for them.
 */
void pvgpu_gem_dma_fini(struct pvgpu_device *pvdev)
{
	struct pvgpu_bo *bo;
	bool found;

	mutex_lock(&pvdev->bo_lock);
	WRITE_ONCE(pvdev->bos_released, true);
	for (;;) {
		/* An object without references is being freed: skipped. */
		found = false;
		list_for_each_entry(bo, &pvdev->bos, dma_link) {
			if (kref_get_unless_zero(&bo->base.base.refcount)) {
				found = true;
				break;
			}
		}
		if (!found)
			break;
		list_del_init(&bo->dma_link);
		/* The dma_resv lock nests outside bo_lock. */
		mutex_unlock(&pvdev->bo_lock);

		pvgpu_bo_release_dma(bo);
		drm_gem_object_put(&bo->base.base);
		cond_resched();

		mutex_lock(&pvdev->bo_lock);
	}
	mutex_unlock(&pvdev->bo_lock);

	/*
	 * Only objects being freed are left; they leave the list once
	 * unmapped (pvgpu_gem_free()), and no object joins it any more.
	 */
	wait_event(pvdev->bos_wq, list_empty(&pvdev->bos));
}

/*
 * Largest object the guest could ever back: all of its RAM. A larger
 * object could only ever fail at fault or bind time, so it is refused when
 * it is created.
 */
static u64 pvgpu_gem_max_size(void)
{
	return (u64)totalram_pages() << PAGE_SHIFT;
}

/**
 * pvgpu_bo_get_sgt_locked() - pvgpu_bo_get_sgt() with the object's dma_resv
 * lock held
 * @bo: the object
 *
 * For callers that already hold the reservation (a drm_exec loop in
 * VM_BIND); see pvgpu_bo_get_sgt().
 *
 * Return: the table, or an ERR_PTR(): -ENOMEM, -ENODEV (the device was
 * removed), or what the DMA mapping returns.
 */
struct sg_table *pvgpu_bo_get_sgt_locked(struct pvgpu_bo *bo)
{
	struct drm_gem_shmem_object *shmem = &bo->base;
	struct drm_gem_object *obj = &shmem->base;
	struct pvgpu_device *pvdev = to_pvgpu_device(obj->dev);
	struct sg_table *sgt;
	int ret;

	dma_resv_assert_held(obj->resv);

	/* An imported object's table is the exporter's, set at import. */
	if (shmem->sgt)
		return shmem->sgt;
	/* Unmapped by the device's removal (pvgpu_gem_dma_fini()). */
	if (READ_ONCE(pvdev->bos_released))
		return ERR_PTR(-ENODEV);
	if (WARN_ON(obj->import_attach))
		return ERR_PTR(-EINVAL);

	/* The pin is dropped by drm_gem_shmem_free(), with the table. */
	ret = drm_gem_shmem_pin_locked(shmem);
	if (ret)
		return ERR_PTR(ret);

	sgt = drm_gem_shmem_get_sg_table(shmem);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto err_unpin;
	}

	ret = dma_map_sgtable(obj->dev->dev, sgt, DMA_BIDIRECTIONAL, 0);
	if (ret)
		goto err_free_sgt;

	/*
	 * Callers are inside drm_dev_enter(), so this cannot follow the
	 * removal's pvgpu_gem_dma_fini(); checked under the lock all the same.
	 */
	mutex_lock(&pvdev->bo_lock);
	if (pvdev->bos_released) {
		mutex_unlock(&pvdev->bo_lock);
		ret = -ENODEV;
		goto err_unmap;
	}
	list_add_tail(&bo->dma_link, &pvdev->bos);
	shmem->sgt = sgt;
	mutex_unlock(&pvdev->bo_lock);
	return sgt;

err_unmap:
	dma_unmap_sgtable(obj->dev->dev, sgt, DMA_BIDIRECTIONAL, 0);
err_free_sgt:
	sg_free_table(sgt);
	kfree(sgt);
err_unpin:
	drm_gem_shmem_unpin_locked(shmem);
	return ERR_PTR(ret);
}

/**
 * pvgpu_bo_get_sgt() - pin an object's pages and DMA-map them for the device
 * @bo: the object
 *
 * The first call allocates the pages, pins them and maps them for the
 * device; later calls return the same table. It stays valid, and the pages
 * pinned, until the object is freed: a caller that needs it longer than
 * its own reference to @bo keeps one. The device's removal unmaps it too:
 * a caller must be inside drm_dev_enter() while it uses the table (see the
 * DOC: section). For an imported object it is the table the exporter gave
 * at import.
 *
 * Takes the object's dma_resv lock: a caller that holds it uses
 * pvgpu_bo_get_sgt_locked(). May sleep and allocate: not for the
 * dma-fence signalling path.
 *
 * Return: the table, or an ERR_PTR(): -ENOMEM, -ENODEV, -ERESTARTSYS
 * (signal while waiting for the lock: nothing changed, so the ioctl may be
 * restarted), or what the DMA mapping returns.
 */
struct sg_table *pvgpu_bo_get_sgt(struct pvgpu_bo *bo)
{
	struct sg_table *sgt;
	int ret;

	/* -EINTR from the lock: nothing was done, a restart is safe. */
	ret = dma_resv_lock_interruptible(bo->base.base.resv, NULL);
	if (ret == -EINTR)
		ret = -ERESTARTSYS;
	if (ret)
		return ERR_PTR(ret);
	sgt = pvgpu_bo_get_sgt_locked(bo);
	dma_resv_unlock(bo->base.base.resv);
	return sgt;
}

/*
 * A user object of @size bytes (page-aligned, not 0) with a handle in
 * @file. Nothing is visible to userspace unless this succeeds.
 */
static int pvgpu_gem_create_with_handle(struct drm_device *drm,
					struct drm_file *file, u64 size,
					u32 *handle)
{
	struct drm_gem_shmem_object *shmem;
	int ret;

	if (size > pvgpu_gem_max_size() || size > SIZE_MAX)
		return -EINVAL;

	shmem = drm_gem_shmem_create(drm, size);
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);

	ret = drm_gem_handle_create(file, &shmem->base, handle);
	/* The handle holds the object now, or creating it failed. */
	drm_gem_object_put(&shmem->base);
	return ret;
}

/**
 * pvgpu_ioctl_gem_create() - DRM_IOCTL_PVGPU_GEM_CREATE
 * @drm: the DRM device
 * @data: struct drm_pvgpu_gem_create
 * @file: the DRM file
 *
 * Return: 0, or the errors listed at struct drm_pvgpu_gem_create; on
 * error @data is unchanged.
 */
int pvgpu_ioctl_gem_create(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct drm_pvgpu_gem_create *args = data;
	u64 size;
	u32 handle;
	int ret;

	if (args->extensions || args->flags)
		return -EINVAL;
	if (!args->size || args->size > U64_MAX - PAGE_SIZE + 1)
		return -EINVAL;
	size = PAGE_ALIGN(args->size);

	ret = pvgpu_gem_create_with_handle(drm, file, size, &handle);
	if (ret)
		return ret;

	args->size = size;
	args->handle = handle;
	return 0;
}

/**
 * pvgpu_gem_dumb_create() - &drm_driver.dumb_create hook
 * @file: the DRM file
 * @drm: the DRM device
 * @args: width, height and bpp in; handle, pitch and size out
 *
 * Dumb buffers are ordinary pvgpu objects with a linear layout: the pitch
 * is the packed line size. The device has no display, so they only serve
 * generic userspace (and IGT) that allocates CPU-mapped buffers through
 * DRM_IOCTL_MODE_CREATE_DUMB on the primary node; DRM_IOCTL_MODE_MAP_DUMB
 * is the core's drm_gem_dumb_map_offset(). The core has checked that
 * pitch * height fits 32 bits; the size limit of GEM_CREATE applies.
 *
 * Return: 0, -EINVAL for a buffer larger than the guest's memory, -ENOMEM.
 */
int pvgpu_gem_dumb_create(struct drm_file *file, struct drm_device *drm,
			  struct drm_mode_create_dumb *args)
{
	u32 pitch = DIV_ROUND_UP(args->bpp, 8) * args->width;
	u64 size = PAGE_ALIGN((u64)pitch * args->height);
	u32 handle;
	int ret;

	ret = pvgpu_gem_create_with_handle(drm, file, size, &handle);
	if (ret)
		return ret;

	args->pitch = pitch;
	args->size = size;
	args->handle = handle;
	return 0;
}

/**
 * pvgpu_ioctl_gem_mmap_offset() - DRM_IOCTL_PVGPU_GEM_MMAP_OFFSET
 * @drm: the DRM device
 * @data: struct drm_pvgpu_gem_mmap_offset
 * @file: the DRM file
 *
 * Return: 0, or the errors listed at struct drm_pvgpu_gem_mmap_offset; on
 * error @data is unchanged.
 */
int pvgpu_ioctl_gem_mmap_offset(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	struct drm_pvgpu_gem_mmap_offset *args = data;
	struct drm_gem_object *obj;
	int ret;

	if (args->extensions || args->flags)
		return -EINVAL;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;

	/* The exporter owns an imported object's pages: map the dma-buf. */
	if (obj->import_attach) {
		ret = -EINVAL;
		goto out_put;
	}

	/* Created with the object; idempotent, cheap insurance. */
	ret = drm_gem_create_mmap_offset(obj);
	if (ret)
		goto out_put;

	args->offset = drm_vma_node_offset_addr(&obj->vma_node);
out_put:
	drm_gem_object_put(obj);
	return ret;
}
