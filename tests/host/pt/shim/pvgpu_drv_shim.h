/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stand-in for guest-driver/pvgpu_drv.h, included by pt_drv.c before
 * guest-driver/pvgpu_pt.c. pvgpu_pt.c's #include "pvgpu_drv.h" finds the
 * real header next to it (the including file's directory comes first),
 * so this one claims the real header's include guard: the real one is
 * then skipped, and struct pvgpu_device is just what pvgpu_pt.c reads.
 */
#ifndef PVGPU_DRV_H
#define PVGPU_DRV_H

#include "shim.h"

struct pvgpu_device {
	struct {
		struct device *dev;
	} drm;
	struct {
		struct {
			u32 page_sizes;
		} info;
	} fw;
	struct mutex dma_lock;
	struct list_head pts;
	bool dma_released;
};

#endif /* PVGPU_DRV_H */
