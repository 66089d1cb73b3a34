// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: queues. (Being written.)
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include "pvgpu_drv.h"
#include "pvgpu_queue.h"

void pvgpu_queues_fini(struct pvgpu_device *pvdev)
{
}

void pvgpu_queue_file_close(struct pvgpu_file *pfile)
{
}

bool pvgpu_queue_fw_event(struct pvgpu_device *pvdev,
			  const struct pvgpu_msg_hdr *hdr,
			  const __le32 *payload)
{
	return false;
}

void pvgpu_queue_show_fdinfo(struct pvgpu_file *pfile, struct drm_printer *p)
{
}

int pvgpu_ioctl_queue_create(struct drm_device *drm, void *data,
			     struct drm_file *file)
{
	return -EOPNOTSUPP;
}

int pvgpu_ioctl_queue_destroy(struct drm_device *drm, void *data,
			      struct drm_file *file)
{
	return -EOPNOTSUPP;
}

int pvgpu_ioctl_queue_get_state(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	return -EOPNOTSUPP;
}
