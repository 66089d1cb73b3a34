/* SPDX-License-Identifier: MIT */
/*
 * pvgpu_user_queue: a user queue as a program drives it (docs/queues.rst, "User
 * queues"): a ring buffer object bound in the VM, the status, write-pointer
 * and doorbell pages mapped, and submission by stores alone. Functions
 * return 0 or a negative errno (the ioctl's, unchanged).
 */
#ifndef PVGPU_USERQ_LIB_H
#define PVGPU_USERQ_LIB_H

#include <stdint.h>

#include "pvgpu_drm.h"
#include "pvgpu_gpu.h"

struct pvgpu_userq {
	int fd;
	uint32_t vm_id;
	uint32_t queue_id;
	uint32_t ring_bo;
	uint32_t *ring;			/* CPU mapping of the ring */
	uint64_t ring_va;
	uint32_t ring_size;
	/* The status page: the firmware's rptr and retired count. */
	const volatile struct drm_pvgpu_userq_status *status;
	volatile uint32_t *wptr;	/* the write-pointer page */
	void *doorbell_page;
	volatile uint32_t *doorbell;	/* this queue's dword in it */
	/* Ring bytes written since creation (the next write's position). */
	uint64_t written;
};

/*
 * A user queue of @engine_class on @vm_id with a @ring_size ring (a buffer
 * object bound at @ring_va), every page mapped.
 */
int pvgpu_userq_init(struct pvgpu_userq *uq, int fd, uint32_t vm_id,
		     uint32_t engine_class, uint64_t ring_va,
		     uint32_t ring_size);
/*
 * Appends @b's commands (ring-level: no BATCH_RETURN) to the ring, stores
 * the write pointer and rings the doorbell; no ioctl. -ENOSPC if the ring
 * has not room for them now (the firmware has not retired enough).
 */
int pvgpu_userq_submit(struct pvgpu_userq *uq, const struct pvgpu_batch *b);
/* The same, without the doorbell: the commands wait for one. */
int pvgpu_userq_write(struct pvgpu_userq *uq, const struct pvgpu_batch *b);
void pvgpu_userq_ring_doorbell(struct pvgpu_userq *uq);
/* The firmware's retired count (ring bytes), from the status page. */
uint64_t pvgpu_userq_retired(const struct pvgpu_userq *uq);
/*
 * Polls the status page until everything written retired: 0, or -ETIME
 * after @timeout_ns.
 */
int pvgpu_userq_wait_idle(struct pvgpu_userq *uq, int64_t timeout_ns);
/* Destroys the queue, unmaps its pages and frees the ring. */
void pvgpu_userq_fini(struct pvgpu_userq *uq);

int pvgpu_userq_create(int fd, struct drm_pvgpu_userq_create *args);
int pvgpu_userq_signal(int fd, uint32_t queue_id,
		       const struct drm_pvgpu_sync *syncs, uint32_t num_syncs);
int pvgpu_userq_wait(int fd, uint32_t queue_id,
		     const struct drm_pvgpu_sync *syncs, uint32_t num_syncs);

#endif /* PVGPU_USERQ_LIB_H */
