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

struct drm_device;
struct drm_file;
struct pvgpu_device;
struct sg_table;

/**
 * struct pvgpu_bo - a pvgpu buffer object
 */
struct pvgpu_bo {
	/** @base: the shmem GEM object. */
	struct drm_gem_shmem_object base;
};

static inline struct pvgpu_bo *to_pvgpu_bo(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct pvgpu_bo, base);
}

struct drm_gem_object *pvgpu_gem_create_object(struct drm_device *drm,
					       size_t size);
struct pvgpu_bo *pvgpu_bo_create(struct pvgpu_device *pvdev, size_t size);
struct sg_table *pvgpu_bo_get_sgt(struct pvgpu_bo *bo);

int pvgpu_ioctl_gem_create(struct drm_device *drm, void *data,
			   struct drm_file *file);
int pvgpu_ioctl_gem_mmap_offset(struct drm_device *drm, void *data,
				struct drm_file *file);

#endif /* PVGPU_GEM_H */
