/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvgpu guest driver: ioctls.
 *
 * Copyright (C) 2026 The pvgpu authors
 */
#ifndef PVGPU_IOCTL_H
#define PVGPU_IOCTL_H

struct drm_device;
struct drm_file;

int pvgpu_ioctl_query(struct drm_device *drm, void *data,
		      struct drm_file *file);
int pvgpu_ioctl_fw_ping(struct drm_device *drm, void *data,
			struct drm_file *file);

#endif /* PVGPU_IOCTL_H */
