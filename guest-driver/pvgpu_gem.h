/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvgpu guest driver: GEM buffer objects (shmem-backed), mmap and PRIME.
 * See the DOC: section in pvgpu_gem.c.
 *
 * Copyright (C) 2026 The pvgpu authors
 */
#ifndef PVGPU_GEM_H
#define PVGPU_GEM_H

#include <drm/drm_gem_shmem_helper.h>

struct dma_buf;
struct drm_device;
struct drm_file;
struct drm_mode_create_dumb;
struct pvgpu_device;
struct sg_table;

/**
 * struct pvgpu_bo - a pvgpu buffer object
 *
 * A shmem GEM object, write-back cached (the device is coherent). The
 * &drm_gpuva list of the GEM object is protected by the VM code's lock
 * (pvgpu_vm_bind.c), not by the dma_resv lock.
 * See the DOC: section of pvgpu_gem.c.
 */
struct pvgpu_bo {
	/** @base: the shmem GEM object. */
	struct drm_gem_shmem_object base;
	/**
	 * @dma_link: in &pvgpu_device.bos (under its bo_lock) while the
	 * object has a device mapping (&drm_gem_shmem_object.sgt), else
	 * empty.
	 */
	struct list_head dma_link;
};

static inline struct pvgpu_bo *to_pvgpu_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct pvgpu_bo, base);
}

struct drm_gem_object *pvgpu_gem_create_object(struct drm_device *drm,
					       size_t size);
struct drm_gem_object *pvgpu_gem_prime_import(struct drm_device *drm,
					      struct dma_buf *dma_buf);
void pvgpu_gem_dma_fini(struct pvgpu_device *pvdev);
struct sg_table *pvgpu_bo_get_sgt(struct pvgpu_bo *bo);
struct sg_table *pvgpu_bo_get_sgt_locked(struct pvgpu_bo *bo);

int pvgpu_ioctl_gem_create(struct drm_device *drm, void *data,
			   struct drm_file *file);
int pvgpu_ioctl_gem_mmap_offset(struct drm_device *drm, void *data,
				struct drm_file *file);
int pvgpu_gem_dumb_create(struct drm_file *file, struct drm_device *drm,
			  struct drm_mode_create_dumb *args);

#endif /* PVGPU_GEM_H */
