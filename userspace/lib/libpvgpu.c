// SPDX-License-Identifier: MIT
/*
 * libpvgpu: see libpvgpu.h.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "libpvgpu.h"

int pvgpu_ioctl(int fd, unsigned long request, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, request, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));

	return ret == -1 ? -errno : 0;
}

int pvgpu_driver_name(int fd, char *name, size_t len)
{
	struct drm_version v;
	char buf[64];
	int ret;

	memset(&v, 0, sizeof(v));
	memset(buf, 0, sizeof(buf));
	v.name = buf;
	v.name_len = sizeof(buf) - 1;
	ret = pvgpu_ioctl(fd, DRM_IOCTL_VERSION, &v);
	if (ret)
		return ret;
	if (v.name_len < sizeof(buf))
		buf[v.name_len] = '\0';
	if (len) {
		strncpy(name, buf, len - 1);
		name[len - 1] = '\0';
	}
	return 0;
}

int pvgpu_fd_is_pvgpu(int fd)
{
	char name[64];
	int ret;

	ret = pvgpu_driver_name(fd, name, sizeof(name));
	if (ret)
		return ret;
	return strcmp(name, PVGPU_DRIVER_NAME) == 0;
}

int pvgpu_node_minor(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (!S_ISCHR(st.st_mode))
		return -ENOTTY;
	return (int)minor(st.st_rdev);
}

static const char *node_prefix(enum pvgpu_node kind)
{
	return kind == PVGPU_NODE_RENDER ? "renderD" : "card";
}

/* Does @name look like "<prefix><digits>"? Returns the number or -1. */
static long node_number(const char *name, const char *prefix)
{
	size_t plen = strlen(prefix);
	char *end;
	long n;

	if (strncmp(name, prefix, plen) || !name[plen])
		return -1;
	errno = 0;
	n = strtol(name + plen, &end, 10);
	if (errno || *end || n < 0)
		return -1;
	return n;
}

/* Collects the node numbers of @kind in directory @dir, sorted. */
static int list_nodes(const char *dir, enum pvgpu_node kind, long *nums, int max)
{
	const char *prefix = node_prefix(kind);
	struct dirent *de;
	DIR *d;
	int n = 0;

	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d)) != NULL && n < max) {
		long num = node_number(de->d_name, prefix);

		if (num >= 0)
			nums[n++] = num;
	}
	closedir(d);

	/* insertion sort: a handful of entries */
	for (int i = 1; i < n; i++) {
		long x = nums[i];
		int j = i - 1;

		while (j >= 0 && nums[j] > x) {
			nums[j + 1] = nums[j];
			j--;
		}
		nums[j + 1] = x;
	}
	return n;
}

static int open_checked(const char *path, int flags)
{
	int fd, ret;

	fd = open(path, flags);
	if (fd < 0)
		return -errno;
	ret = pvgpu_fd_is_pvgpu(fd);
	if (ret != 1) {
		close(fd);
		return ret < 0 ? ret : -ENODEV;
	}
	return fd;
}

static void copy_path(char *dst, size_t len, const char *src)
{
	if (dst && len) {
		strncpy(dst, src, len - 1);
		dst[len - 1] = '\0';
	}
}

int pvgpu_open_node(enum pvgpu_node kind, int flags, char *path, size_t path_len)
{
	long nums[256];
	char p[PATH_MAX];
	int n, fd, err = -ENODEV;

	if (!flags)
		flags = O_RDWR | O_CLOEXEC;

	n = list_nodes("/dev/dri", kind, nums, 256);
	if (n < 0)
		return n == -ENOENT ? -ENODEV : n;

	for (int i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "/dev/dri/%s%ld", node_prefix(kind), nums[i]);
		fd = open_checked(p, flags);
		if (fd >= 0) {
			copy_path(path, path_len, p);
			return fd;
		}
		/* Remember a real error (EACCES...) over "not ours". */
		if (fd != -ENODEV && fd != -ENOTTY && fd != -EINVAL)
			err = fd;
	}
	return err;
}

int pvgpu_open_sibling(const char *dev_path, enum pvgpu_node kind, int flags,
		       char *path, size_t path_len)
{
	char dir[PATH_MAX], p[PATH_MAX];
	struct stat st;
	long nums[16];
	int n, fd;

	if (!flags)
		flags = O_RDWR | O_CLOEXEC;

	if (stat(dev_path, &st))
		return -errno;
	if (S_ISCHR(st.st_mode))
		snprintf(dir, sizeof(dir), "/sys/dev/char/%u:%u/device/drm",
			 major(st.st_rdev), minor(st.st_rdev));
	else if (S_ISDIR(st.st_mode))
		snprintf(dir, sizeof(dir), "%s/drm", dev_path);
	else
		return -ENOTTY;

	n = list_nodes(dir, kind, nums, 16);
	if (n < 0)
		return n;
	if (n == 0)
		return -ENODEV;

	snprintf(p, sizeof(p), "/dev/dri/%s%ld", node_prefix(kind), nums[0]);
	fd = open_checked(p, flags);
	if (fd >= 0)
		copy_path(path, path_len, p);
	return fd;
}

void *pvgpu_query_alloc(int fd, uint32_t query, uint32_t *size)
{
	struct drm_pvgpu_query q;
	void *buf;
	int ret;

	memset(&q, 0, sizeof(q));
	q.query = query;
	ret = pvgpu_ioctl(fd, DRM_IOCTL_PVGPU_QUERY, &q);
	if (ret) {
		errno = -ret;
		return NULL;
	}
	buf = calloc(1, q.size ? q.size : 1);
	if (!buf)
		return NULL;
	q.data = (uintptr_t)buf;
	ret = pvgpu_ioctl(fd, DRM_IOCTL_PVGPU_QUERY, &q);
	if (ret) {
		free(buf);
		errno = -ret;
		return NULL;
	}
	if (size)
		*size = q.size;
	return buf;
}

int pvgpu_fw_ping(int fd, uint64_t cookie, struct drm_pvgpu_fw_ping *out)
{
	struct drm_pvgpu_fw_ping p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.cookie = cookie;
	ret = pvgpu_ioctl(fd, DRM_IOCTL_PVGPU_FW_PING, &p);
	if (!ret && out)
		*out = p;
	return ret;
}
