// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: ioctls.
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/build_bug.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>

#include <uapi/drm/pvgpu_drm.h>

#include "pvgpu_drv.h"
#include "pvgpu_ioctl.h"
#include "pvgpu_regs.h"

/**
 * DOC: ioctl conventions
 *
 * Every pvgpu ioctl follows the conventions at the top of pvgpu_drm.h
 * (docs/uapi.rst has the full text); this is how the driver implements
 * them, and how a new ioctl must:
 *
 * - Check the input first, all of it, before anything changes: a non-zero
 *   &drm_pvgpu_query.extensions (no extension is defined yet), any
 *   non-zero pad or reserved field and any unknown flag is -EINVAL.
 * - The DRM core copies the argument struct back to userspace even when
 *   the ioctl fails, so an ioctl writes its output fields only once it
 *   can no longer fail: "an ioctl that fails changes nothing".
 * - Hardware is only touched between drm_dev_enter() and drm_dev_exit();
 *   once the device is unplugged an ioctl returns -ENODEV.
 * - Variable-size output follows the size/data pair of struct
 *   drm_pvgpu_query: size 0 asks for the size, a smaller size is -EINVAL,
 *   a larger one is trimmed to what was written; a @data pointer that
 *   cannot be written is -EFAULT.
 * - Firmware errors map to errno as pvgpu_channel_send() documents:
 *   -ENODEV firmware not running, -ETIMEDOUT no answer, -EIO refused.
 */

static_assert(DRM_PVGPU_ENGINE_CLASS_COPY == PVGPU_ENGINE_CLASS_COPY);
static_assert(DRM_PVGPU_ENGINE_CLASS_COMPUTE == PVGPU_ENGINE_CLASS_COMPUTE);

/* Output of a query: the size convention of struct drm_pvgpu_query. */
static int pvgpu_query_copy(struct drm_pvgpu_query *args, const void *src,
			    u32 size)
{
	if (!args->size) {
		args->size = size;
		return 0;
	}
	if (args->size < size)
		return -EINVAL;
	if (copy_to_user(u64_to_user_ptr(args->data), src, size))
		return -EFAULT;
	args->size = size;
	return 0;
}

static int pvgpu_query_device(struct pvgpu_device *pvdev,
			      struct drm_pvgpu_query *args)
{
	const struct pvgpu_fw_info *info = &pvdev->fw.info;
	struct drm_pvgpu_query_device out;

	memset(&out, 0, sizeof(out));
	out.pci_vendor = pvdev->pdev->vendor;
	out.pci_device = pvdev->pdev->device;
	out.pci_revision = pvdev->pdev->revision;
	out.iface_version = pvdev->iface_version;
	out.fw_version = info->fw_version;
	if (info->flags & PVGPU_FW_CAP_PAGE_FAULTS)
		out.flags |= DRM_PVGPU_DEVICE_PAGE_FAULTS;
	out.va_bits = info->va_bits;
	out.page_sizes = info->page_sizes;
	out.num_priorities = info->num_priorities;
	out.max_queues = info->max_queues;
	out.num_doorbells = info->num_doorbells;
	out.num_engine_classes = info->num_engine_classes;
	out.timeslice_default_us = info->timeslice_default_us;
	out.timeslice_min_us = info->timeslice_min_us;
	out.timeslice_max_us = info->timeslice_max_us;
	if (pvgpu_fw_is_wedged(pvdev))
		out.flags |= DRM_PVGPU_DEVICE_WEDGED;
	if (pvdev->hwcaps & PVGPU_HWCAP_BACKEND_VIRGL)
		out.flags |= DRM_PVGPU_DEVICE_BACKEND_VIRGL;
	out.reset_count = pvgpu_reset_count(pvdev);

	return pvgpu_query_copy(args, &out, sizeof(out));
}

static int pvgpu_query_engines(struct pvgpu_device *pvdev,
			       struct drm_pvgpu_query *args)
{
	const struct pvgpu_fw_info *info = &pvdev->fw.info;
	struct drm_pvgpu_query_engines *out;
	unsigned int i, n = info->num_engine_classes;
	size_t size = struct_size(out, engines, n);
	int ret;

	if (!args->size) {
		args->size = size;
		return 0;
	}

	out = kzalloc(size, GFP_KERNEL);
	if (!out)
		return -ENOMEM;

	out->num_engines = n;
	for (i = 0; i < n; i++) {
		out->engines[i].engine_class = info->engines[i].engine_class;
		out->engines[i].num_slots = info->engines[i].num_slots;
	}

	ret = pvgpu_query_copy(args, out, size);
	kfree(out);
	return ret;
}

/**
 * pvgpu_ioctl_query() - DRM_IOCTL_PVGPU_QUERY
 * @drm: the DRM device
 * @data: struct drm_pvgpu_query
 * @file: the caller
 *
 * Copies the description &drm_pvgpu_query.query names to
 * &drm_pvgpu_query.data. The descriptions were read from the firmware at
 * probe and never change while the device is bound.
 *
 * Return: 0; -EINVAL for an unknown query, a non-zero extensions, flags or
 * pad field, or a size smaller than needed; -EFAULT if data cannot be
 * written; -ENODEV once the device is gone; -ENOMEM.
 */
int pvgpu_ioctl_query(struct drm_device *drm, void *data,
		      struct drm_file *file)
{
	struct pvgpu_device *pvdev = to_pvgpu_device(drm);
	struct drm_pvgpu_query *args = data;
	int ret, idx;

	if (args->extensions || args->flags || args->pad)
		return -EINVAL;

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	switch (args->query) {
	case DRM_PVGPU_QUERY_DEVICE:
		ret = pvgpu_query_device(pvdev, args);
		break;
	case DRM_PVGPU_QUERY_ENGINES:
		ret = pvgpu_query_engines(pvdev, args);
		break;
	default:
		ret = -EINVAL;
		break;
	}

	drm_dev_exit(idx);
	return ret;
}

/**
 * pvgpu_ioctl_fw_ping() - DRM_IOCTL_PVGPU_FW_PING
 * @drm: the DRM device
 * @data: struct drm_pvgpu_fw_ping
 * @file: the caller
 *
 * Sends PVGPU_H2F_PING with &drm_pvgpu_fw_ping.cookie and waits for the
 * answer. &drm_pvgpu_fw_ping.rtt_ns is measured in the kernel, from just
 * before the request is queued on the H2F ring to the interrupt handler's
 * read of the F2H tail that covered the response; &drm_pvgpu_fw_ping.wake_ns
 * from the same start to the caller running again after its wait.
 *
 * With DRM_PVGPU_FW_PING_FLOOR, pvgpu_fw_floor() measures the platform
 * instead (self-test register write to interrupt handler, and to the
 * caller running again); the cookie is left alone and
 * &drm_pvgpu_fw_ping.fw_timestamp_ns is 0.
 *
 * The ioctl table makes it DRM_ROOT_ONLY: the DRM core refuses callers
 * without CAP_SYS_ADMIN with -EACCES before this runs. A caller built
 * before &drm_pvgpu_fw_ping.wake_ns passes the shorter struct, which the
 * DRM core zero-extends (and copies back only as much as it passed).
 *
 * Return: 0; -EINVAL for a non-zero extensions or pad field or an unknown
 * flag; -EOPNOTSUPP for a floor measurement on a device older than
 * interface minor PVGPU_IFACE_MINOR_SELFTEST_IRQ; -ENODEV if the firmware
 * does not run (a floor measurement: the device was stopped) or the device
 * is gone; -ETIMEDOUT if the firmware
 * (the interrupt, for a floor measurement) did not answer within the
 * fw_timeout_ms module parameter (which covers the wait for the channel
 * too); -EIO if it answered wrongly or stopped meanwhile; -ERESTARTSYS if
 * a signal came while waiting for the channel (nothing sent) or for the
 * answer (a late answer is dropped); neither has a side effect, so both
 * are safe to restart.
 */
int pvgpu_ioctl_fw_ping(struct drm_device *drm, void *data,
			struct drm_file *file)
{
	struct pvgpu_device *pvdev = to_pvgpu_device(drm);
	struct drm_pvgpu_fw_ping *args = data;
	u64 fw_ts = 0, rtt, wake;
	int ret, idx;

	if (args->extensions || args->pad ||
	    (args->flags & ~DRM_PVGPU_FW_PING_FLOOR))
		return -EINVAL;

	/* A device older than the self-test register would never answer. */
	if ((args->flags & DRM_PVGPU_FW_PING_FLOOR) &&
	    PVGPU_IFACE_VERSION_MINOR(pvdev->iface_version) <
	    PVGPU_IFACE_MINOR_SELFTEST_IRQ)
		return -EOPNOTSUPP;

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;
	if (args->flags & DRM_PVGPU_FW_PING_FLOOR)
		ret = pvgpu_fw_floor(pvdev, &rtt, &wake);
	else
		ret = pvgpu_fw_ping(pvdev, args->cookie, &fw_ts, &rtt, &wake);
	drm_dev_exit(idx);
	if (ret)
		return ret;

	args->fw_timestamp_ns = fw_ts;
	args->rtt_ns = rtt;
	args->wake_ns = wake;
	return 0;
}
