/* SPDX-License-Identifier: MIT */
/*
 * pvgpu uAPI: the ioctls of the pvgpu DRM driver.
 *
 * Specification: docs/uapi.rst. Conventions every ioctl follows:
 *
 * - Each argument struct begins with @extensions, a user pointer to a chain
 *   of struct drm_pvgpu_user_extension (0 for none). An unknown extension
 *   name is -EINVAL. Structs only ever grow at their end; the DRM core
 *   zero-fills what an older userspace did not pass.
 * - Every @pad and @reserved field must be zero, and every flag not defined
 *   here must be clear: otherwise -EINVAL and nothing changes.
 * - Pointers userspace passes that cannot be read or written: -EFAULT.
 * - An ioctl that fails changes nothing.
 * - Variable-size output (queries) uses a size/data pair: size 0 asks the
 *   kernel for the size it needs; a smaller non-zero size is -EINVAL; a
 *   larger one is trimmed to the size written.
 * - A privileged ioctl called without CAP_SYS_ADMIN: -EACCES, before the
 *   argument is looked at.
 * - The device or firmware not running: -ENODEV; the firmware not answering
 *   within its timeout (which covers the wait for the firmware channel):
 *   -ETIMEDOUT; the firmware refusing a request: -EIO.
 * - A signal while the ioctl waits: -EINTR, or a transparent restart with
 *   SA_RESTART. If it came before the request was sent, nothing happened;
 *   if after, the request may still be served and its answer is dropped.
 */
#ifndef _PVGPU_DRM_H_
#define _PVGPU_DRM_H_

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

#define DRM_PVGPU_QUERY			0x00
#define DRM_PVGPU_FW_PING		0x01

#define DRM_IOCTL_PVGPU_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PVGPU_QUERY, struct drm_pvgpu_query)
#define DRM_IOCTL_PVGPU_FW_PING \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_PVGPU_FW_PING, struct drm_pvgpu_fw_ping)

/**
 * struct drm_pvgpu_user_extension - head of every ioctl extension
 *
 * No extension is defined yet: any non-zero @extensions pointer is -EINVAL.
 */
struct drm_pvgpu_user_extension {
	/** @next_extension: user pointer to the next extension, or 0. */
	__u64 next_extension;
	/** @name: which extension this is. */
	__u32 name;
	/** @pad: must be zero. */
	__u32 pad;
};

/* Query ids of struct drm_pvgpu_query. */
#define DRM_PVGPU_QUERY_DEVICE		0
#define DRM_PVGPU_QUERY_ENGINES		1

/**
 * struct drm_pvgpu_query - DRM_IOCTL_PVGPU_QUERY argument
 *
 * Copies the description @query names to @data. See the size convention at
 * the top of this file.
 *
 * Open to every caller (no privilege needed).
 *
 * Errors: -EINVAL unknown @query, non-zero @flags/@pad/@extensions, or @size
 * smaller than needed; -EFAULT @data not writable; -ENODEV the device is
 * gone; -ENOMEM no memory for the engine list.
 */
struct drm_pvgpu_query {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @query: DRM_PVGPU_QUERY_*. */
	__u32 query;
	/** @size: in: bytes at @data (0: ask); out: bytes needed or written. */
	__u32 size;
	/** @data: user pointer to the output buffer. */
	__u64 data;
	/** @flags: must be zero. */
	__u32 flags;
	/** @pad: must be zero. */
	__u32 pad;
};

/* drm_pvgpu_query_device.flags */
#define DRM_PVGPU_DEVICE_PAGE_FAULTS	(1 << 0)

/**
 * struct drm_pvgpu_query_device - DRM_PVGPU_QUERY_DEVICE output
 */
struct drm_pvgpu_query_device {
	/** @pci_vendor: PCI vendor id. */
	__u16 pci_vendor;
	/** @pci_device: PCI device id. */
	__u16 pci_device;
	/** @pci_revision: PCI revision id. */
	__u32 pci_revision;
	/** @iface_version: hardware interface, major << 16 | minor. */
	__u32 iface_version;
	/** @fw_version: firmware, major << 16 | minor << 8 | patch. */
	__u32 fw_version;
	/** @flags: DRM_PVGPU_DEVICE_*. */
	__u32 flags;
	/** @va_bits: GPU virtual address width in bits. */
	__u32 va_bits;
	/** @page_sizes: bit n set: GPU pages of 2^n bytes are supported. */
	__u64 page_sizes;
	/** @num_priorities: priority levels; the highest is realtime. */
	__u32 num_priorities;
	/** @max_queues: queues the firmware can hold registered. */
	__u32 max_queues;
	/**
	 * @num_doorbells: doorbell pages, the kernel's own included;
	 * 1024 doorbells (one dword each) per page.
	 */
	__u32 num_doorbells;
	/** @num_engine_classes: entries DRM_PVGPU_QUERY_ENGINES returns. */
	__u32 num_engine_classes;
	/** @timeslice_default_us: default scheduling quantum. */
	__u32 timeslice_default_us;
	/** @timeslice_min_us: smallest quantum a queue may ask for. */
	__u32 timeslice_min_us;
	/** @timeslice_max_us: largest quantum a queue may ask for. */
	__u32 timeslice_max_us;
	/** @pad: zero. */
	__u32 pad;
	/** @reserved: zero. */
	__u64 reserved[4];
};

/* drm_pvgpu_engine_info.engine_class */
#define DRM_PVGPU_ENGINE_CLASS_COPY	0
#define DRM_PVGPU_ENGINE_CLASS_COMPUTE	1

/**
 * struct drm_pvgpu_engine_info - one engine class
 */
struct drm_pvgpu_engine_info {
	/** @engine_class: DRM_PVGPU_ENGINE_CLASS_*. */
	__u32 engine_class;
	/** @num_slots: hardware slots the firmware schedules queues onto. */
	__u32 num_slots;
	/** @reserved: zero. */
	__u64 reserved[2];
};

/**
 * struct drm_pvgpu_query_engines - DRM_PVGPU_QUERY_ENGINES output
 */
struct drm_pvgpu_query_engines {
	/** @num_engines: entries in @engines. */
	__u32 num_engines;
	/** @pad: zero. */
	__u32 pad;
	/** @engines: one per engine class. */
	struct drm_pvgpu_engine_info engines[];
};

/**
 * struct drm_pvgpu_fw_ping - DRM_IOCTL_PVGPU_FW_PING argument
 *
 * One request/response round trip to the firmware: the floor of every
 * firmware interaction (one doorbell write, one interrupt).
 *
 * Privileged: needs CAP_SYS_ADMIN, on the render node as on the primary
 * node. Every ping occupies the kernel's only firmware channel, which the
 * kernel's own requests share.
 *
 * Errors: -EACCES the caller lacks CAP_SYS_ADMIN; -EINVAL non-zero
 * @flags/@pad/@extensions; -ENODEV the device is gone or the firmware does
 * not run; -ETIMEDOUT no answer in time (the wait for the firmware channel
 * included); -EIO the firmware answered wrongly or stopped while the ping
 * waited; -EINTR a signal came while waiting (-ERESTARTSYS in the kernel:
 * with SA_RESTART the ping is sent again; an answer to the interrupted one
 * is dropped by the driver).
 */
struct drm_pvgpu_fw_ping {
	/** @extensions: must be zero. */
	__u64 extensions;
	/** @cookie: in: echoed by the firmware; out: the echo. */
	__u64 cookie;
	/**
	 * @rtt_ns: out: request queued to response seen by the interrupt
	 * handler, measured in the kernel.
	 */
	__u64 rtt_ns;
	/** @fw_timestamp_ns: out: firmware clock when it handled the ping. */
	__u64 fw_timestamp_ns;
	/** @flags: must be zero. */
	__u32 flags;
	/** @pad: must be zero. */
	__u32 pad;
};

#if defined(__cplusplus)
}
#endif

#endif /* _PVGPU_DRM_H_ */
