// SPDX-License-Identifier: MIT
/* Helpers shared by pvgpu's guest tests; see pvgpu_test.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/sync_file.h>

#include "igt_lite.h"
#include "pvgpu_test.h"

/* sw_sync's debugfs interface (drivers/dma-buf/sw_sync.c). */
struct sw_sync_create_fence_data {
	uint32_t value;
	char name[32];
	int32_t fence;
};

#define SW_SYNC_IOC_CREATE_FENCE _IOWR('W', 0, struct sw_sync_create_fence_data)
#define SW_SYNC_IOC_INC _IOW('W', 1, uint32_t)

int raw_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) ? -errno : 0;
}

struct drm_pvgpu_query_device pvgpu_test_query_device(int fd)
{
	struct drm_pvgpu_query_device dev = { 0 };
	struct drm_pvgpu_query q = {
		.query = DRM_PVGPU_QUERY_DEVICE,
		.size = sizeof(dev),
		.data = (uintptr_t)&dev,
	};

	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_QUERY, &q), 0);
	return dev;
}

int prime_export(int fd, uint32_t handle)
{
	struct drm_prime_handle p = {
		.handle = handle,
		.flags = DRM_CLOEXEC | DRM_RDWR,
		.fd = -1,
	};

	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p), 0);
	igt_assert_lte(0, p.fd);
	return p.fd;
}

int sw_sync_timeline(void)
{
	int fd = open("/sys/kernel/debug/sync/sw_sync", O_RDWR);

	igt_require_f(fd >= 0, "no sw_sync (CONFIG_SW_SYNC, debugfs)\n");
	return fd;
}

int sw_sync_fence(int timeline, uint32_t value)
{
	struct sw_sync_create_fence_data d = { .value = value };

	strcpy(d.name, "pvgpu_test");
	igt_assert_err(raw_ioctl(timeline, SW_SYNC_IOC_CREATE_FENCE, &d), 0);
	return d.fence;
}

void sw_sync_inc(int timeline, uint32_t n)
{
	igt_assert_err(raw_ioctl(timeline, SW_SYNC_IOC_INC, &n), 0);
}

uint64_t pvgpu_test_fdinfo_value(int fd, const char *key)
{
	char path[64], line[256];
	uint64_t val = UINT64_MAX;
	size_t klen = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	igt_assert(f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ':')
			val = strtoull(line + klen + 1, NULL, 10);
	fclose(f);
	return val;
}

long long pvgpu_test_vm_pin_kb(void)
{
	char line[256];
	long long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	igt_assert(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %lld kB", &kb) == 1)
			break;
	fclose(f);
	igt_assert_f(kb >= 0, "no VmPin in /proc/self/status\n");
	return kb;
}

int syncobj_status(int fd, uint32_t handle)
{
	struct drm_syncobj_handle h = {
		.handle = handle,
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
		.fd = -1,
	};
	struct sync_file_info info = { 0 };

	igt_assert_eq(raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h), 0);
	igt_assert_eq(raw_ioctl(h.fd, SYNC_IOC_FILE_INFO, &info), 0);
	close(h.fd);
	return info.status;
}
