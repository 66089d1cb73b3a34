/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvgpu guest driver: user queues, rung from userspace without an ioctl
 * (pvgpu_userq.c), and the SIGNAL/WAIT bridges between them and syncobjs
 * (pvgpu_userq_bridge.c). See the DOC: sections there.
 *
 * Copyright (C) 2026 The pvgpu authors
 */
#ifndef PVGPU_USERQ_H
#define PVGPU_USERQ_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <uapi/drm/pvgpu_drm.h>

#include "pvgpu_fwif.h"
#include "pvgpu_queue.h"

struct drm_device;
struct drm_file;
struct drm_pvgpu_queue_get_state;
struct drm_printer;
struct file;
struct page;
struct pvgpu_device;
struct pvgpu_file;
struct pvgpu_msg_hdr;
struct pvgpu_vm;
struct vm_area_struct;

/* pvgpu_user_queue.state flags */
#define PVGPU_USERQ_RESET	BIT(0)	/* the firmware or the kernel reset it */
#define PVGPU_USERQ_GUILTY	BIT(1)	/* it caused the reset */
#define PVGPU_USERQ_KILLED	BIT(2)	/* destroyed by userspace */

/**
 * struct pvgpu_user_queue - a firmware queue that userspace feeds itself
 *
 * See the DOC: section of pvgpu_userq.c. Its &pvgpu_queue.dq carries the
 * fences of DRM_IOCTL_PVGPU_USERQ_SIGNAL (one job per call) and the
 * queue's lifetime.
 */
struct pvgpu_user_queue {
	/** @base: what every queue has. */
	struct pvgpu_queue base;
	/** @pvdev: the device. */
	struct pvgpu_device *pvdev;
	/** @pfile: the file that owns the doorbell page (a reference). */
	struct pvgpu_file *pfile;
	/** @fw_id: firmware queue id, reserved in &pvgpu_device.fw_queues. */
	u32 fw_id;
	/** @fw_id_reserved: @fw_id is held. */
	bool fw_id_reserved;
	/** @doorbell_index: dword in the file's doorbell page. */
	u32 doorbell_index;
	/** @doorbell_reserved: @doorbell_index is held in the file. */
	bool doorbell_reserved;
	/** @priority: firmware priority. */
	u32 priority;
	/** @timeslice_us: quantum, 0 for the firmware's default. */
	u32 timeslice_us;
	/** @ring_va: the ring, a GPU VA of the queue's VM. */
	u64 ring_va;
	/** @ring_size: bytes, a power of two. */
	u32 ring_size;
	/** @lr: a queue of a long-running VM: no bridge timeout. */
	bool lr;
	/**
	 * @vm_link: in &pvgpu_vm.user_queues from registration until
	 * destruction, under &pvgpu_vm.userq_lock.
	 */
	struct list_head vm_link;
	/**
	 * @suspended: the bind job holding &pvgpu_vm.userq_lock suspended
	 * the queue and resumes it; under that lock.
	 */
	bool suspended;
	/**
	 * @pm_suspended: system sleep holds the queue (pvgpu_pm.c); under
	 * @fw_lock.
	 */
	bool pm_suspended;
	/** @suspends: times a bind job suspended the queue (debugfs). */
	atomic64_t suspends;

	/**
	 * @status_page: struct drm_pvgpu_userq_status, which the firmware
	 * writes (read pointer, retired count) and userspace maps read-only;
	 * the mappings hold page references of their own.
	 */
	struct page *status_page;
	/** @status_dma: its bus address. */
	dma_addr_t status_dma;
	/**
	 * @rptr_cpu: the read pointer in the status page, as the firmware
	 * writes it (struct drm_pvgpu_userq_status is userspace's view).
	 */
	__le32 *rptr_cpu;
	/** @progress: the firmware's progress block in the status page. */
	struct pvgpu_queue_progress *progress;
	/** @wptr_page: the write-pointer page userspace writes. */
	struct page *wptr_page;
	/** @wptr_dma: its bus address. */
	dma_addr_t wptr_dma;

	/**
	 * @fw_lock: serialises the queue's firmware requests after creation
	 * (QUERY, RESET, PAGE_FAULT_REPLY, DEREGISTER) with @deregistered.
	 */
	struct mutex fw_lock;
	/** @registered: the firmware knows the queue (until DEREGISTER). */
	bool registered;
	/** @deregistered: DEREGISTER was sent; under @fw_lock. */
	bool deregistered;

	/**
	 * @state_lock: protects @state, @reason, @fault,
	 * @base.fatal_fault and @signal_jobs; taken from the interrupt
	 * handler (irqsave).
	 */
	spinlock_t state_lock;
	/** @state: PVGPU_USERQ_* flags. */
	u32 state;
	/** @reason: DRM_PVGPU_QUEUE_REASON_* of the reset, 0 before. */
	u32 reason;
	/** @fault: the page fault to answer (seqno 0: none). */
	struct pvgpu_gpu_fault fault;
	/** @ban_error: the errno @error_work bans the queue with. */
	int ban_error;
	/**
	 * @signal_jobs: started SIGNAL jobs waiting for the retired count,
	 * each holding a job reference.
	 */
	struct list_head signal_jobs;

	/** @error_work: resets and bans the queue after an error. */
	struct work_struct error_work;
	/**
	 * @fault_work: resolves the page fault and answers it, on
	 * &pvgpu_device.fault_wq (pvgpu_svm_handle_fault()).
	 */
	struct work_struct fault_work;
	/** @ufence_work: wakes WAIT_USER_FENCE callers after a SIGNAL IRQ. */
	struct work_struct ufence_work;
	/** @destroy_work: resets and deregisters a destroyed queue. */
	struct work_struct destroy_work;
};

static inline struct pvgpu_user_queue *
to_pvgpu_user_queue(struct pvgpu_queue *queue)
{
	return container_of(queue, struct pvgpu_user_queue, base);
}

static inline struct pvgpu_user_queue *dq_to_uq(struct pvgpu_dep_queue *dq)
{
	return to_pvgpu_user_queue(to_pvgpu_queue(dq));
}

/* The firmware's retired count, from the status page. Any context. */
static inline u64 pvgpu_userq_retired(struct pvgpu_user_queue *uq)
{
	return le64_to_cpu(READ_ONCE(uq->progress->retired));
}

/* Between pvgpu_userq.c and pvgpu_userq_bridge.c. */
extern const struct pvgpu_dep_queue_ops pvgpu_userq_ops;
void pvgpu_userq_release(struct pvgpu_dep_queue *dq);
bool pvgpu_userq_set_reset(struct pvgpu_user_queue *uq, u32 state, u32 reason);
void pvgpu_userq_ban(struct pvgpu_user_queue *uq, int error);
void pvgpu_userq_emit(struct pvgpu_user_queue *uq, u32 type, u32 flags,
		      u64 d0, u64 d1, u64 d2);

int pvgpu_userq_mmap(struct file *filp, struct vm_area_struct *vma);
void pvgpu_userq_fw_event(struct pvgpu_user_queue *uq, u16 opcode,
			  const __le32 *payload);
void pvgpu_userq_progress(struct pvgpu_user_queue *uq);
void pvgpu_userq_fini(struct pvgpu_user_queue *uq);
void pvgpu_userq_debugfs_print(struct pvgpu_user_queue *uq,
			       struct drm_printer *p);
void pvgpu_userq_get_state(struct pvgpu_user_queue *uq,
			   struct drm_pvgpu_queue_get_state *args);
void pvgpu_userq_file_fini(struct pvgpu_file *pfile);
void pvgpu_userq_zap_mappings(struct pvgpu_device *pvdev);
bool pvgpu_userq_vm_suspend(struct pvgpu_vm *vm);
void pvgpu_userq_vm_resume(struct pvgpu_vm *vm);

int pvgpu_ioctl_userq_create(struct drm_device *drm, void *data,
			     struct drm_file *file);
int pvgpu_ioctl_userq_signal(struct drm_device *drm, void *data,
			     struct drm_file *file);
int pvgpu_ioctl_userq_wait(struct drm_device *drm, void *data,
			   struct drm_file *file);

bool pvgpu_userq_reset_lost(struct pvgpu_user_queue *uq);
void pvgpu_userq_pm_suspend(struct pvgpu_user_queue *uq);
void pvgpu_userq_pm_resume(struct pvgpu_user_queue *uq, bool lost);

#endif /* PVGPU_USERQ_H */
