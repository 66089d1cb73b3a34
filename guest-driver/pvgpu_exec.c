// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: EXEC and WAIT_USER_FENCE. (Being written.)
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include "pvgpu_drv.h"
#include "pvgpu_queue.h"

int pvgpu_ioctl_exec(struct drm_device *drm, void *data,
		     struct drm_file *file)
{
	return -EOPNOTSUPP;
}

int pvgpu_ioctl_wait_user_fence(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	return -EOPNOTSUPP;
}
