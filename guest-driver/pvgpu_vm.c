// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: VMs. (Being written.)
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include "pvgpu_drv.h"
#include "pvgpu_vm.h"

void pvgpu_vm_file_close(struct pvgpu_file *pfile)
{
}

int pvgpu_ioctl_vm_create(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	return -EOPNOTSUPP;
}

int pvgpu_ioctl_vm_destroy(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	return -EOPNOTSUPP;
}

int pvgpu_ioctl_vm_get_state(struct drm_device *drm, void *data,
			     struct drm_file *file)
{
	return -EOPNOTSUPP;
}
