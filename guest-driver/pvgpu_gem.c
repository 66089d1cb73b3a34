// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: GEM buffer objects. (Being written.)
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <drm/drm_device.h>
#include <drm/drm_file.h>

#include "pvgpu_drv.h"
#include "pvgpu_gem.h"

struct drm_gem_object *pvgpu_gem_create_object(struct drm_device *drm,
					       size_t size)
{
	return ERR_PTR(-EOPNOTSUPP);
}

int pvgpu_ioctl_gem_create(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	return -EOPNOTSUPP;
}

int pvgpu_ioctl_gem_mmap_offset(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	return -EOPNOTSUPP;
}
