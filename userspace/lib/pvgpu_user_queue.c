// SPDX-License-Identifier: MIT
/*
 * pvgpu_user_queue: user queues from userspace; see pvgpu_user_queue.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "pvgpu_user_queue.h"

static int userq_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && errno == EINTR);
	return ret == -1 ? -errno : 0;
}

int pvgpu_userq_create(int fd, struct drm_pvgpu_userq_create *args)
{
	return userq_ioctl(fd, DRM_IOCTL_PVGPU_USERQ_CREATE, args);
}

int pvgpu_userq_signal(int fd, uint32_t queue_id,
		       const struct drm_pvgpu_sync *syncs, uint32_t num_syncs)
{
	struct drm_pvgpu_userq_signal s = {
		.queue_id = queue_id,
		.num_syncs = num_syncs,
		.syncs = (uintptr_t)syncs,
	};

	return userq_ioctl(fd, DRM_IOCTL_PVGPU_USERQ_SIGNAL, &s);
}

int pvgpu_userq_wait(int fd, uint32_t queue_id,
		     const struct drm_pvgpu_sync *syncs, uint32_t num_syncs)
{
	struct drm_pvgpu_userq_wait w = {
		.queue_id = queue_id,
		.num_syncs = num_syncs,
		.syncs = (uintptr_t)syncs,
	};

	return userq_ioctl(fd, DRM_IOCTL_PVGPU_USERQ_WAIT, &w);
}

static void *map_page(int fd, uint64_t offset, int prot)
{
	void *p = mmap(NULL, 4096, prot, MAP_SHARED, fd, (off_t)offset);

	return p == MAP_FAILED ? NULL : p;
}

int pvgpu_userq_init(struct pvgpu_userq *uq, int fd, uint32_t vm_id,
		     uint32_t engine_class, uint64_t ring_va,
		     uint32_t ring_size)
{
	struct drm_pvgpu_userq_create c = {
		.vm_id = vm_id,
		.engine_class = engine_class,
		.ring_va = ring_va,
		.ring_size = ring_size,
	};
	void *status, *wptr;
	int ret;

	memset(uq, 0, sizeof(*uq));
	uq->fd = fd;
	uq->vm_id = vm_id;
	uq->ring_va = ring_va;
	uq->ring_size = ring_size;

	ret = pvgpu_bo_create(fd, ring_size, 0, &uq->ring_bo);
	if (ret)
		return ret;
	uq->ring = pvgpu_bo_map(fd, uq->ring_bo, ring_size);
	if (!uq->ring) {
		ret = -errno;
		goto err_bo;
	}
	ret = pvgpu_bind_map(fd, vm_id, uq->ring_bo, 0, ring_va, ring_size,
			     DRM_PVGPU_VM_BIND_FLAG_READONLY);
	if (ret)
		goto err_unmap;
	ret = pvgpu_userq_create(fd, &c);
	if (ret)
		goto err_unbind;
	uq->queue_id = c.queue_id;

	status = map_page(fd, c.status_offset, PROT_READ);
	if (!status) {
		ret = -errno;
		goto err_queue;
	}
	uq->status = status;
	wptr = map_page(fd, c.wptr_offset, PROT_READ | PROT_WRITE);
	if (!wptr) {
		ret = -errno;
		goto err_status;
	}
	uq->wptr = wptr;
	uq->doorbell_page = map_page(fd, c.doorbell_page_offset, PROT_WRITE);
	if (!uq->doorbell_page) {
		ret = -errno;
		goto err_wptr;
	}
	uq->doorbell = (volatile uint32_t *)((char *)uq->doorbell_page +
					     c.doorbell_offset);
	return 0;

err_wptr:
	munmap(wptr, 4096);
err_status:
	munmap(status, 4096);
err_queue:
	pvgpu_queue_destroy(fd, uq->queue_id);
err_unbind:
	pvgpu_bind_unmap(fd, vm_id, ring_va, ring_size);
err_unmap:
	munmap(uq->ring, ring_size);
err_bo:
	pvgpu_gem_close(fd, uq->ring_bo);
	return ret;
}

uint64_t pvgpu_userq_retired(const struct pvgpu_userq *uq)
{
	return __atomic_load_n(&uq->status->retired, __ATOMIC_ACQUIRE);
}

int pvgpu_userq_write(struct pvgpu_userq *uq, const struct pvgpu_batch *b)
{
	uint32_t mask = uq->ring_size - 1;
	uint64_t bytes = (uint64_t)b->len * 4;
	uint32_t i, off;

	/* One dword stays free: a full ring would read as an empty one. */
	if (uq->written + bytes - pvgpu_userq_retired(uq) >= uq->ring_size)
		return -ENOSPC;
	off = (uint32_t)uq->written & mask;
	for (i = 0; i < b->len; i++)
		uq->ring[((off + i * 4) & mask) / 4] = b->dw[i];
	uq->written += bytes;
	/* The commands before the pointer that publishes them. */
	__atomic_store_n(uq->wptr, (uint32_t)uq->written & mask,
			 __ATOMIC_RELEASE);
	return 0;
}

void pvgpu_userq_ring_doorbell(struct pvgpu_userq *uq)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	*uq->doorbell = 1;
}

int pvgpu_userq_submit(struct pvgpu_userq *uq, const struct pvgpu_batch *b)
{
	int ret = pvgpu_userq_write(uq, b);

	if (!ret)
		pvgpu_userq_ring_doorbell(uq);
	return ret;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int pvgpu_userq_wait_idle(struct pvgpu_userq *uq, int64_t timeout_ns)
{
	int64_t deadline = now_ns() + timeout_ns;

	while (pvgpu_userq_retired(uq) < uq->written) {
		if (now_ns() > deadline)
			return -ETIME;
		usleep(50);
	}
	return 0;
}

void pvgpu_userq_fini(struct pvgpu_userq *uq)
{
	if (uq->doorbell_page)
		munmap(uq->doorbell_page, 4096);
	if (uq->wptr)
		munmap((void *)uq->wptr, 4096);
	if (uq->status)
		munmap((void *)uq->status, 4096);
	pvgpu_queue_destroy(uq->fd, uq->queue_id);
	pvgpu_bind_unmap(uq->fd, uq->vm_id, uq->ring_va, uq->ring_size);
	munmap(uq->ring, uq->ring_size);
	pvgpu_gem_close(uq->fd, uq->ring_bo);
	memset(uq, 0, sizeof(*uq));
}
