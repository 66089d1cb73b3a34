// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: system sleep (suspend, hibernation).
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/ktime.h>
#include <linux/pci.h>
#include <linux/pm.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include <uapi/drm/pvgpu_drm.h>

#include "pvgpu_drv.h"
#include "pvgpu_fw.h"
#include "pvgpu_pm.h"
#include "pvgpu_queue.h"
#include "pvgpu_regs.h"
#include "pvgpu_reset.h"

/**
 * DOC: System sleep
 *
 * One pair of callbacks serves every system sleep transition
 * (suspend/resume, freeze/thaw, poweroff/restore):
 *
 * **Suspend** (pvgpu_pm_suspend()) waits for a device reset in progress,
 * then holds every live exec and user queue in the firmware
 * (PVGPU_H2F_QUEUE_SUSPEND, pvgpu_queues_pm_suspend()): each leaves the
 * hardware at a command boundary, and the firmware keeps where it was --
 * a DELAY's rest, the position in a batch, a WAIT. Nothing runs while the
 * guest sleeps, busy or not; jobs the dependency queues start meanwhile
 * only reach the rings.
 *
 * **Resume** (pvgpu_pm_resume()) looks whether the firmware still runs the
 * boot this driver gave it (PVGPU_FW_STATE_RUNNING and the boot
 * descriptor's address in PVGPU_REG_FW_BOOT_DESC_LO/HI). Then every held
 * queue is resumed and goes on exactly where it stopped
 * (pvgpu_queues_pm_resume()); the oldest job of each exec queue gets its
 * timeout from now. Suspend-to-idle and hibernation's freeze/thaw keep the
 * device powered, and so do QEMU's: this is their path.
 *
 * If the device lost its state (QEMU resets every device when it wakes a
 * guest from S3; a hibernation image restored after a power cycle finds
 * the firmware of the kernel that restored it), a device reset with cause
 * DRM_PVGPU_RESET_CAUSE_POWER_LOSS recovers what the policy of
 * pvgpu_reset.c allows: jobs the firmware had not begun run, a queue whose
 * begun job was held mid-way is banned (DEVICE_RESET, -ECANCELED), user
 * queues are lost. The resume waits for that reset. The debugfs hook
 * inject_pm_power_loss makes the next resume take this path as if the
 * state was lost (the test VMs cannot resume from S3: their firmware,
 * qboot, has no resume path).
 *
 * Runtime PM is not implemented: the device has no PCI power-management
 * capability, so an idle device could not be put in a lower power state.
 */

static struct pvgpu_device *pvgpu_pm_dev(struct device *dev)
{
	return pci_get_drvdata(to_pci_dev(dev));
}

static int pvgpu_pm_suspend(struct device *dev)
{
	struct pvgpu_device *pvdev = pvgpu_pm_dev(dev);
	ktime_t start = ktime_get();
	int idx;

	if (!drm_dev_enter(&pvdev->drm, &idx))
		return 0;
	/* A reset half done would register queues behind our back. */
	flush_workqueue(pvdev->reset.wq);
	pvgpu_queues_pm_suspend(pvdev);
	atomic64_inc(&pvdev->pm.suspends);
	WRITE_ONCE(pvdev->pm.suspend_ns, ktime_to_ns(ktime_sub(ktime_get(), start)));
	drm_dev_exit(idx);
	return 0;
}

/* Whether the firmware still runs the boot this driver gave it. */
static bool pvgpu_pm_fw_kept(struct pvgpu_device *pvdev)
{
	u64 desc = pvgpu_read(pvdev, PVGPU_REG_FW_BOOT_DESC_LO) |
		   (u64)pvgpu_read(pvdev, PVGPU_REG_FW_BOOT_DESC_HI) << 32;

	return pvgpu_read(pvdev, PVGPU_REG_FW_STATUS) ==
	       PVGPU_FW_STATE_RUNNING && desc == pvdev->fw.boot.dma;
}

static int pvgpu_pm_resume(struct device *dev)
{
	struct pvgpu_device *pvdev = pvgpu_pm_dev(dev);
	ktime_t start = ktime_get();
	bool lost;
	int idx;

	if (!drm_dev_enter(&pvdev->drm, &idx))
		return 0;
	lost = atomic_xchg(&pvdev->pm.inject_power_loss, 0) ||
	       !pvgpu_pm_fw_kept(pvdev);
	if (lost && !pvgpu_fw_is_wedged(pvdev)) {
		drm_info(&pvdev->drm, "the device lost its state in sleep\n");
		if (pvgpu_reset_schedule(pvdev, DRM_PVGPU_RESET_CAUSE_POWER_LOSS))
			flush_workqueue(pvdev->reset.wq);
		else
			pvgpu_fw_wedge(pvdev, "the device lost its state in sleep");
	}
	pvgpu_queues_pm_resume(pvdev, lost);
	atomic64_inc(&pvdev->pm.resumes);
	WRITE_ONCE(pvdev->pm.resume_ns, ktime_to_ns(ktime_sub(ktime_get(), start)));
	drm_dev_exit(idx);
	return 0;
}

/* The callbacks of every system sleep transition (struct pci_driver). */
DEFINE_SIMPLE_DEV_PM_OPS(pvgpu_pm_ops, pvgpu_pm_suspend, pvgpu_pm_resume);
