/* SPDX-License-Identifier: MIT */
/*
 * Helpers that several of pvgpu's guest tests share: device queries,
 * dma-buf export and fences from sw_sync. Each asserts (or skips) through
 * igt_lite, so a caller gets a usable result or its subtest ends.
 */
#ifndef PVGPU_TEST_H
#define PVGPU_TEST_H

#include <stdint.h>

#include "libpvgpu.h"

/* ioctl(), as 0 or -errno. */
int raw_ioctl(int fd, unsigned long req, void *arg);

/* DRM_PVGPU_QUERY_DEVICE's answer; the query must succeed. */
struct drm_pvgpu_query_device pvgpu_test_query_device(int fd);

/* The syncobj's fence: 1 signalled, 0 pending, < 0 its error. */
int syncobj_status(int fd, uint32_t handle);

/* A dma-buf fd (close-on-exec, read-write) of GEM object @handle. */
int prime_export(int fd, uint32_t handle);

/*
 * sw_sync (drivers/dma-buf/sw_sync.c, CONFIG_SW_SYNC): a timeline in
 * debugfs whose fences the test signals itself.
 */

/* A new sw_sync timeline's fd; skips without sw_sync. */
int sw_sync_timeline(void);

/* A sync_file fd of an unsignalled fence that signals at @value. */
int sw_sync_fence(int timeline, uint32_t value);

/* Advances @timeline by @n, signalling the fences it reaches. */
void sw_sync_inc(int timeline, uint32_t n);

/* Key @key's number in /proc/self/fdinfo/@fd; UINT64_MAX if absent. */
uint64_t pvgpu_test_fdinfo_value(int fd, const char *key);

/* The calling process's pinned pages (VmPin, mm->pinned_vm), in KiB. */
long long pvgpu_test_vm_pin_kb(void);

#endif /* PVGPU_TEST_H */
