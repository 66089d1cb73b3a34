/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvgpu guest driver: the device structure and what every file shares.
 *
 * Copyright (C) 2026 The pvgpu authors
 */
#ifndef PVGPU_DRV_H
#define PVGPU_DRV_H

#include <linux/dev_printk.h>
#include <linux/io.h>
#include <linux/pci.h>
#include <linux/types.h>

#include <drm/drm_device.h>
#include <drm/drm_print.h>

#include "pvgpu_fw.h"

#define PVGPU_DRIVER_NAME	"pvgpu"
#define PVGPU_DRIVER_DESC	"pvgpu paravirtual GPU"
#define PVGPU_DRIVER_DATE	"20261121"
#define PVGPU_DRIVER_MAJOR	0
#define PVGPU_DRIVER_MINOR	1
#define PVGPU_DRIVER_PATCHLEVEL	0

/**
 * struct pvgpu_device - one pvgpu PCI function
 *
 * Allocated with devm_drm_dev_alloc(), so it lives until the last reference
 * to @drm is dropped, which may be long after the PCI function was removed
 * (an open file keeps it). Everything that touches the hardware (@regs,
 * @doorbells, @fw) is only valid between probe and remove; ioctls reach it
 * inside drm_dev_enter()/drm_dev_exit().
 */
struct pvgpu_device {
	/** @drm: the DRM device, first so container_of() is free. */
	struct drm_device drm;

	/** @pdev: the PCI function. */
	struct pci_dev *pdev;

	/** @regs: BAR0 register page (PVGPU_REGS_SIZE bytes). */
	void __iomem *regs;

	/**
	 * @doorbells: the kernel's doorbell group, page
	 * PVGPU_DOORBELL_GROUP_KERNEL of BAR2. User groups are mapped later,
	 * by the issue that adds user queues.
	 */
	void __iomem *doorbells;

	/** @iface_version: PVGPU_REG_VERSION as read at probe. */
	u32 iface_version;

	/** @hwcaps: PVGPU_REG_HWCAPS as read at probe. */
	u32 hwcaps;

	/** @num_doorbell_pages: PVGPU_REG_DOORBELL_COUNT as read at probe. */
	u32 num_doorbell_pages;

	/** @fw: the firmware, its shared memory and its message channel. */
	struct pvgpu_fw fw;
};

/*
 * drm_print.h of 6.12 has drm_err_ratelimited() but no warn flavour: the
 * public dev_ helper, with the "[drm] " prefix drm_warn() would print.
 */
#define pvgpu_warn_ratelimited(drm, fmt, ...) \
	dev_warn_ratelimited((drm)->dev, "[drm] " fmt, ##__VA_ARGS__)

static inline struct pvgpu_device *to_pvgpu_device(struct drm_device *drm)
{
	return container_of(drm, struct pvgpu_device, drm);
}

static inline u32 pvgpu_read(struct pvgpu_device *pvdev, u32 reg)
{
	return readl(pvdev->regs + reg);
}

static inline void pvgpu_write(struct pvgpu_device *pvdev, u32 reg, u32 val)
{
	writel(val, pvdev->regs + reg);
}

/* Module parameters (pvgpu_drv.c). */
extern unsigned int pvgpu_boot_timeout_ms;
extern unsigned int pvgpu_fw_timeout_ms;
extern int pvgpu_fw_log_level;
extern bool pvgpu_fw_log_dmesg;

#endif /* PVGPU_DRV_H */
