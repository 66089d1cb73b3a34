/* SPDX-License-Identifier: MIT */
/*
 * libpvgpu: a few helpers for userspace programs that talk to the pvgpu
 * DRM driver through its uAPI (include/uapi/drm/pvgpu_drm.h). Plain C11 and
 * libc only, so programs built with it can be linked statically on the host
 * and run in any guest.
 */
#ifndef LIBPVGPU_H
#define LIBPVGPU_H

#include <stddef.h>
#include <stdint.h>

#include "pvgpu_drm.h"

#define PVGPU_DRIVER_NAME "pvgpu"

enum pvgpu_node {
	PVGPU_NODE_PRIMARY,	/* /dev/dri/cardN */
	PVGPU_NODE_RENDER,	/* /dev/dri/renderDN */
};

/*
 * Returns 1 if @fd is a DRM node whose driver is pvgpu, 0 if it is another
 * driver's, -errno if DRM_IOCTL_VERSION fails.
 */
int pvgpu_fd_is_pvgpu(int fd);

/*
 * Writes the name of the driver behind the DRM node @fd into @name (NUL
 * terminated, truncated to @len). Returns 0 or -errno.
 */
int pvgpu_driver_name(int fd, char *name, size_t len);

/*
 * Opens the first pvgpu node of kind @kind under /dev/dri (in name order),
 * with open(2) @flags (O_RDWR | O_CLOEXEC when 0). Writes its path to @path
 * when @path is not NULL. Returns the fd, -ENODEV if there is no pvgpu node
 * of that kind, or another -errno.
 */
int pvgpu_open_node(enum pvgpu_node kind, int flags, char *path, size_t path_len);

/*
 * Opens the node of kind @kind that belongs to the same device as the DRM
 * node at @dev_path (e.g. the render node of /dev/dri/card0), found through
 * /sys/dev/char/MAJ:MIN/device/drm/. @dev_path may also be a sysfs device
 * directory (/sys/devices/...). Returns the fd or -errno.
 */
int pvgpu_open_sibling(const char *dev_path, enum pvgpu_node kind, int flags,
		       char *path, size_t path_len);

/* Minor number of the DRM node @fd, or -errno. */
int pvgpu_node_minor(int fd);

/* ioctl(2) that retries on EINTR and EAGAIN (as libdrm's drmIoctl does).
 * Returns 0 or -errno. */
int pvgpu_ioctl(int fd, unsigned long request, void *arg);

/*
 * DRM_IOCTL_PVGPU_QUERY: asks for the size of query @query, allocates it
 * and fills it. Returns the buffer (free() it) and its size in @size, or
 * NULL with errno set.
 */
void *pvgpu_query_alloc(int fd, uint32_t query, uint32_t *size);

/* One DRM_IOCTL_PVGPU_FW_PING with @cookie. Returns 0 or -errno. */
int pvgpu_fw_ping(int fd, uint64_t cookie, struct drm_pvgpu_fw_ping *out);

#endif /* LIBPVGPU_H */
