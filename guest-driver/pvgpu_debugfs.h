/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvgpu guest driver: debugfs.
 *
 * Copyright (C) 2026 The pvgpu authors
 */
#ifndef PVGPU_DEBUGFS_H
#define PVGPU_DEBUGFS_H

struct pvgpu_device;

void pvgpu_debugfs_init(struct pvgpu_device *pvdev);
void pvgpu_debugfs_fini(struct pvgpu_device *pvdev);

#endif /* PVGPU_DEBUGFS_H */
