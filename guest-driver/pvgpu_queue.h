/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvgpu guest driver: queues as userspace names them (exec queues and bind
 * queues), exec queues on firmware queues, EXEC and WAIT_USER_FENCE.
 * See the DOC: sections in pvgpu_queue.c and pvgpu_exec.c.
 *
 * Copyright (C) 2026 The pvgpu authors
 */
#ifndef PVGPU_QUEUE_H
#define PVGPU_QUEUE_H

#include <linux/types.h>

#include "pvgpu_dep_queue.h"

struct drm_device;
struct drm_file;
struct drm_printer;
struct pvgpu_device;
struct pvgpu_file;
struct pvgpu_msg_hdr;
struct pvgpu_vm;

/**
 * enum pvgpu_queue_kind - what runs a queue's jobs
 * @PVGPU_QUEUE_EXEC: a firmware queue of an engine class (pvgpu_queue.c).
 * @PVGPU_QUEUE_BIND: the CPU, writing page tables (pvgpu_vm_bind.c).
 */
enum pvgpu_queue_kind {
	PVGPU_QUEUE_EXEC,
	PVGPU_QUEUE_BIND,
};

/**
 * struct pvgpu_queue - what exec queues and bind queues share
 *
 * Embedded in the backend's queue; its lifetime is the embedded dependency
 * queue's (@dq's refcount; pvgpu_queue_get()/_put()).
 */
struct pvgpu_queue {
	/** @dq: the dependency queue: jobs, fences, refcount. */
	struct pvgpu_dep_queue dq;
	/** @kind: enum pvgpu_queue_kind. */
	enum pvgpu_queue_kind kind;
	/** @vm: the VM the queue's jobs run in (a reference). */
	struct pvgpu_vm *vm;
	/** @engine_class: DRM_PVGPU_ENGINE_CLASS_* (VM_BIND for binds). */
	u32 engine_class;
	/**
	 * @destroy: called once, when userspace's id is dropped (QUEUE_DESTROY
	 * or file close) or the VM of a default bind queue goes: kill or
	 * drain, then drop the id's reference. Must not block.
	 */
	void (*destroy)(struct pvgpu_queue *queue);
};

static inline struct pvgpu_queue *to_pvgpu_queue(struct pvgpu_dep_queue *dq)
{
	return container_of(dq, struct pvgpu_queue, dq);
}

static inline struct pvgpu_queue *pvgpu_queue_get(struct pvgpu_queue *queue)
{
	pvgpu_dep_queue_get(&queue->dq);
	return queue;
}

static inline void pvgpu_queue_put(struct pvgpu_queue *queue)
{
	if (queue)
		pvgpu_dep_queue_put(&queue->dq);
}

struct pvgpu_queue *pvgpu_queue_lookup(struct pvgpu_file *pfile, u32 queue_id);

void pvgpu_queues_fini(struct pvgpu_device *pvdev);
void pvgpu_queue_file_close(struct pvgpu_file *pfile);
bool pvgpu_queue_fw_event(struct pvgpu_device *pvdev,
			  const struct pvgpu_msg_hdr *hdr,
			  const __le32 *payload);
void pvgpu_queue_debugfs_print(struct pvgpu_device *pvdev,
			       struct drm_printer *p);
void pvgpu_queue_show_fdinfo(struct pvgpu_file *pfile, struct drm_printer *p);

int pvgpu_ioctl_queue_create(struct drm_device *drm, void *data,
			     struct drm_file *file);
int pvgpu_ioctl_queue_destroy(struct drm_device *drm, void *data,
			      struct drm_file *file);
int pvgpu_ioctl_queue_get_state(struct drm_device *drm, void *data,
				struct drm_file *file);
int pvgpu_ioctl_exec(struct drm_device *drm, void *data,
		     struct drm_file *file);
int pvgpu_ioctl_wait_user_fence(struct drm_device *drm, void *data,
				struct drm_file *file);

#endif /* PVGPU_QUEUE_H */
