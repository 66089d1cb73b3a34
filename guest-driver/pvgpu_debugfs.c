// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: debugfs.
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/seq_file.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "pvgpu_debugfs.h"
#include "pvgpu_drv.h"
#include "pvgpu_queue.h"
#include "pvgpu_regs.h"
#include "pvgpu_reset.h"
#include "pvgpu_vm.h"

/**
 * DOC: debugfs
 *
 * The files live in the DRM device's debugfs directory,
 * /sys/kernel/debug/dri/<PCI address>/ (also reachable through the
 * minor's link, e.g. /sys/kernel/debug/dri/0/). DRM creates that directory
 * in devm_drm_dev_alloc(); the files go into it once the firmware runs and
 * before drm_dev_register(), so they exist before any device node does.
 * drm_dev_unplug() removes them with the directory, before the firmware
 * memory they read is freed; pvgpu_debugfs_fini() does it when probe fails
 * after they were created. Read-only:
 *
 * - fw_log: the firmware log text, oldest line first. If the log wrapped,
 *   the first line is "[pvgpu: N bytes lost to wrap]".
 * - fw_channel: firmware state registers, the channel state, the ring
 *   head/tail/status words and the channel statistics, one "key: value"
 *   per line.
 * - fw_caps: the firmware's capabilities, one "key: value" per line,
 *   max_address_spaces included (which the uAPI does not report).
 * - queues: every exec and bind queue: its firmware queue, its dependency
 *   queue's seqnos and counters (submitted, completed, bypassed), state.
 * - vms: every VM: asid, flags, mappings, page-table statistics
 *   (pvgpu_vm.c).
 *
 * Fault-injection hooks, directories of the kernel's fault-injection
 * framework (a &struct fault_attr each: probability, interval, times,
 * verbose...; Documentation/fault-injection/fault-injection.rst), only in
 * a kernel with CONFIG_FAULT_INJECTION_DEBUG_FS, shared by every pvgpu
 * device:
 *
 * - fail_h2f_doorbell: the H2F doorbell writes it fails are skipped. The
 *   requests stay on the ring, so they time out unless a later doorbell
 *   makes the firmware serve them in time; their late responses become
 *   orphans (pvgpu_channel.c).
 * - fail_vm_bind: the bind jobs it fails fail at execution as if their
 *   TLB invalidation had failed (pvgpu_vm_bind.c).
 *
 * Test hook, read-write, root only:
 *
 * - inject_stall_opcode: 0, or a PVGPU_H2F_* opcode plus one: the next
 *   request with that opcode finds the channel busy until its timeout
 *   (fw_timeout_ms) passes and is never sent, as if the H2F ring stayed
 *   full; it resets to 0 when it fires. A state-changing request so
 *   stalled stops (wedges) the device: the firmware never confirmed it.
 * - inject_lose_fault_events: N: the next N PAGE_FAULT events are ignored
 *   when they arrive, as if the firmware had lost them (the device's own
 *   x-inject-drop-fault-events is QMP-only); the queue's stall poll finds
 *   the fault with QUEUE_QUERY and resolves it (docs/svm.rst).
 *
 * Device reset (pvgpu_reset.c, docs/reset.rst), root only:
 *
 * - reset_state (read): resets completed, whether one is pending, whether
 *   the device is wedged, the cause and the request-to-recovered time of
 *   the latest one, queues resubmitted and banned by all of them, system
 *   suspends and resumes.
 * - reset (write-only): any write resets the device now, as a failure
 *   would, and returns when the reset is done (cause REQUESTED); -EIO if
 *   the device is wedged or recovery is off.
 * - inject_device (read-write): a write passes the value to the device's
 *   PVGPU_REG_TEST_INJECT register (PVGPU_TEST_INJECT(op, class): crash
 *   the firmware, hang, wedge or un-hang an engine class, fail the virgl
 *   backend's next kernel chunk); a read returns
 *   the engine classes hung now. -EOPNOTSUPP unless the device offers it
 *   (PVGPU_HWCAP_TEST_INJECT, QEMU's x-guest-inject=on).
 * - inject_pm_power_loss (read-write): N > 0: the next system resume
 *   finds the device's state lost, as after S3 (pvgpu_pm.c).
 */

static struct pvgpu_device *pvgpu_debugfs_dev(struct seq_file *m)
{
	struct drm_debugfs_entry *entry = m->private;

	return to_pvgpu_device(entry->dev);
}

static int pvgpu_debugfs_fw_log(struct seq_file *m, void *data)
{
	return pvgpu_fw_print_log(pvgpu_debugfs_dev(m), m);
}

static int pvgpu_debugfs_fw_channel(struct seq_file *m, void *data)
{
	struct pvgpu_device *pvdev = pvgpu_debugfs_dev(m);
	struct drm_printer p = drm_seq_file_printer(m);
	u32 state = pvgpu_read(pvdev, PVGPU_REG_FW_STATUS);
	u32 error = pvgpu_read(pvdev, PVGPU_REG_FW_ERROR);

	drm_printf(&p, "fw_state: %s (%u)\n", pvgpu_fw_state_name(state),
		   state);
	drm_printf(&p, "fw_error: %s\n", pvgpu_fw_error_name(error));
	drm_printf(&p, "irq_status: %#x\n",
		   pvgpu_read(pvdev, PVGPU_REG_IRQ_STATUS));
	drm_printf(&p, "irq_mask: %#x\n", pvgpu_read(pvdev, PVGPU_REG_IRQ_MASK));
	pvgpu_channel_print(&pvdev->fw.ch, &p);
	return 0;
}

static int pvgpu_debugfs_fw_caps(struct seq_file *m, void *data)
{
	struct drm_printer p = drm_seq_file_printer(m);

	pvgpu_fw_print_caps(pvgpu_debugfs_dev(m), &p);
	return 0;
}

static int pvgpu_debugfs_queues(struct seq_file *m, void *data)
{
	struct drm_printer p = drm_seq_file_printer(m);

	pvgpu_queue_debugfs_print(pvgpu_debugfs_dev(m), &p);
	return 0;
}

static int pvgpu_debugfs_reset_state(struct seq_file *m, void *data)
{
	pvgpu_reset_print(pvgpu_debugfs_dev(m), m);
	return 0;
}

static ssize_t pvgpu_debugfs_reset_write(struct file *file,
					 const char __user *buf, size_t count,
					 loff_t *ppos)
{
	struct pvgpu_device *pvdev = file->private_data;
	int ret, idx;

	if (!drm_dev_enter(&pvdev->drm, &idx))
		return -ENODEV;
	ret = pvgpu_reset_schedule(pvdev, DRM_PVGPU_RESET_CAUSE_REQUESTED) ?
	      0 : -EIO;
	drm_dev_exit(idx);
	if (!ret)
		ret = pvgpu_reset_wait(pvdev);
	if (!ret && pvgpu_fw_is_wedged(pvdev))
		ret = -EIO;
	return ret ?: count;
}

static const struct file_operations pvgpu_debugfs_reset_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = pvgpu_debugfs_reset_write,
	.llseek = noop_llseek,
};

static int pvgpu_debugfs_inject_get(void *data, u64 *val)
{
	struct pvgpu_device *pvdev = data;
	int idx;

	if (!(pvdev->hwcaps & PVGPU_HWCAP_TEST_INJECT))
		return -EOPNOTSUPP;
	if (!drm_dev_enter(&pvdev->drm, &idx))
		return -ENODEV;
	*val = pvgpu_read(pvdev, PVGPU_REG_TEST_INJECT);
	drm_dev_exit(idx);
	return 0;
}

static int pvgpu_debugfs_inject_set(void *data, u64 val)
{
	struct pvgpu_device *pvdev = data;
	int idx;

	if (!(pvdev->hwcaps & PVGPU_HWCAP_TEST_INJECT))
		return -EOPNOTSUPP;
	if (val > U32_MAX)
		return -EINVAL;
	if (!drm_dev_enter(&pvdev->drm, &idx))
		return -ENODEV;
	pvgpu_write(pvdev, PVGPU_REG_TEST_INJECT, val);
	drm_dev_exit(idx);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(pvgpu_debugfs_inject_fops, pvgpu_debugfs_inject_get,
			 pvgpu_debugfs_inject_set, "0x%llx\n");

static const struct drm_debugfs_info pvgpu_debugfs_files[] = {
	{ "fw_log", pvgpu_debugfs_fw_log, 0 },
	{ "reset_state", pvgpu_debugfs_reset_state, 0 },
	{ "fw_channel", pvgpu_debugfs_fw_channel, 0 },
	{ "fw_caps", pvgpu_debugfs_fw_caps, 0 },
	{ "queues", pvgpu_debugfs_queues, 0 },
};

#define PVGPU_DEBUGFS_FAIL_H2F_DOORBELL		"fail_h2f_doorbell"
#define PVGPU_DEBUGFS_INJECT_STALL_OPCODE	"inject_stall_opcode"
#define PVGPU_DEBUGFS_INJECT_LOSE_FAULTS	"inject_lose_fault_events"
#define PVGPU_DEBUGFS_RESET			"reset"
#define PVGPU_DEBUGFS_INJECT_DEVICE		"inject_device"
#define PVGPU_DEBUGFS_INJECT_POWER_LOSS		"inject_pm_power_loss"

/**
 * pvgpu_debugfs_init() - create the debugfs files
 * @pvdev: the device, firmware running, not registered yet
 *
 * The DRM device's directory exists from devm_drm_dev_alloc() on, and
 * drm_debugfs_add_files() creates the files in it at once, so calling this
 * before drm_dev_register() leaves no window in which a device node exists
 * without its files. drm_dev_unplug() removes them with the directory.
 */
void pvgpu_debugfs_init(struct pvgpu_device *pvdev)
{
	drm_debugfs_add_files(&pvdev->drm, pvgpu_debugfs_files,
			      ARRAY_SIZE(pvgpu_debugfs_files));

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	fault_create_debugfs_attr(PVGPU_DEBUGFS_FAIL_H2F_DOORBELL,
				  pvdev->drm.debugfs_root,
				  &pvgpu_fail_h2f_doorbell);
#endif
	debugfs_create_atomic_t(PVGPU_DEBUGFS_INJECT_STALL_OPCODE, 0600,
				pvdev->drm.debugfs_root,
				&pvdev->fw.ch.inject_stall_opcode);
	debugfs_create_atomic_t(PVGPU_DEBUGFS_INJECT_LOSE_FAULTS, 0600,
				pvdev->drm.debugfs_root,
				&pvdev->inject_lose_fault_events);
	debugfs_create_file(PVGPU_DEBUGFS_RESET, 0200, pvdev->drm.debugfs_root,
			    pvdev, &pvgpu_debugfs_reset_fops);
	debugfs_create_file_unsafe(PVGPU_DEBUGFS_INJECT_DEVICE, 0600,
				   pvdev->drm.debugfs_root, pvdev,
				   &pvgpu_debugfs_inject_fops);
	debugfs_create_atomic_t(PVGPU_DEBUGFS_INJECT_POWER_LOSS, 0600,
				pvdev->drm.debugfs_root,
				&pvdev->pm.inject_power_loss);

	pvgpu_vm_debugfs_init(pvdev);
}

/**
 * pvgpu_debugfs_fini() - remove the debugfs files of a failed probe
 * @pvdev: the device, never registered
 *
 * Only for the probe path that fails after pvgpu_debugfs_init(): the
 * directory itself goes with the DRM device, later than the firmware
 * memory the files read. Waits for readers to leave.
 */
void pvgpu_debugfs_fini(struct pvgpu_device *pvdev)
{
	struct dentry *root = pvdev->drm.debugfs_root;
	unsigned int i;

	if (IS_ERR_OR_NULL(root))
		return;
	for (i = 0; i < ARRAY_SIZE(pvgpu_debugfs_files); i++)
		debugfs_lookup_and_remove(pvgpu_debugfs_files[i].name, root);
	/* Directories (fault_attr) go with their files. */
	debugfs_lookup_and_remove(PVGPU_DEBUGFS_FAIL_H2F_DOORBELL, root);
	debugfs_lookup_and_remove(PVGPU_DEBUGFS_INJECT_STALL_OPCODE, root);
	debugfs_lookup_and_remove(PVGPU_DEBUGFS_INJECT_LOSE_FAULTS, root);
	debugfs_lookup_and_remove(PVGPU_DEBUGFS_RESET, root);
	debugfs_lookup_and_remove(PVGPU_DEBUGFS_INJECT_DEVICE, root);
	debugfs_lookup_and_remove(PVGPU_DEBUGFS_INJECT_POWER_LOSS, root);
	debugfs_lookup_and_remove("vms", root);
	debugfs_lookup_and_remove("fail_vm_bind", root);
}
