// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: VM_BIND and bind queues. (Being written.)
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include "pvgpu_drv.h"
#include "pvgpu_vm.h"

int pvgpu_ioctl_vm_bind(struct drm_device *drm, void *data,
			struct drm_file *file)
{
	return -EOPNOTSUPP;
}
