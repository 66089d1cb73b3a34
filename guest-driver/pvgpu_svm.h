/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvgpu guest driver: recoverable GPU page faults and shared virtual memory
 * (CPU-address mirror, fault-mode userptr, prefetch). See the DOC: section
 * in pvgpu_svm.c.
 *
 * Copyright (C) 2026 The pvgpu authors
 */
#ifndef PVGPU_SVM_H
#define PVGPU_SVM_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/xarray.h>

struct drm_printer;
struct mm_struct;
struct pvgpu_device;
struct pvgpu_vm;
struct pvgpu_vma;
struct sg_table;

/**
 * struct pvgpu_gpu_fault - a queue's GPU page fault waiting for its answer
 *
 * Recorded from the firmware's PAGE_FAULT event (or, when that event was
 * lost, from QUEUE_QUERY) under the queue's state lock; a queue has at
 * most one, since the firmware stalls it until the answer.
 */
struct pvgpu_gpu_fault {
	/** @va: the GPU virtual address of the access. */
	u64 va;
	/** @raised_ns: when the driver learnt of it (ktime_get_ns()). */
	u64 raised_ns;
	/** @seqno: what PAGE_FAULT_REPLY must name; 0 for no fault. */
	u32 seqno;
	/** @access: PVGPU_ACCESS_*. */
	u32 access;
	/** @reason: PVGPU_FAULT_*. */
	u32 reason;
};

/**
 * struct pvgpu_fault_info - the fatal fault a queue was stopped by
 */
struct pvgpu_fault_info {
	/** @va: its GPU virtual address, 0 for none. */
	u64 va;
	/** @access: PVGPU_ACCESS_*. */
	u32 access;
	/** @reason: PVGPU_FAULT_*. */
	u32 reason;
};

/**
 * struct pvgpu_svm - a VM's fault-mode state
 */
struct pvgpu_svm {
	/**
	 * @mm: the process whose address space MAP_MIRROR and fault-mode
	 * MAP_USERPTR ranges follow (an mmgrab() reference), set by the
	 * first such bind under @notifier_lock; NULL before.
	 */
	struct mm_struct *mm;
	/**
	 * @notifier_lock: protects @notifiers and the setting of @mm. Never
	 * taken by an invalidation: it may be held while allocating.
	 */
	struct mutex notifier_lock;
	/**
	 * @notifiers: the VM's &struct pvgpu_svm_notifier, indexed by CPU
	 * address >> PVGPU_SVM_NOTIFIER_SHIFT; they live until the VM goes.
	 */
	struct xarray notifiers;
	/**
	 * @chunks: the populated &struct pvgpu_svm_chunk of the VM's
	 * mirror and userptr ranges, an interval tree by GPU address, under
	 * &pvgpu_vm.lock.
	 */
	struct rb_root_cached chunks;
	/**
	 * @parked: chunks whose TLB invalidation failed (DMA mapping kept
	 * until the VM's teardown), under &pvgpu_vm.lock.
	 */
	struct list_head parked;

	/** @faults: GPU page faults reported on the VM's queues. */
	atomic64_t faults;
	/** @faults_resolved: answered RETRY. */
	atomic64_t faults_resolved;
	/** @faults_failed: answered FAIL. */
	atomic64_t faults_failed;
	/** @fault_ns: sum of event-to-answer times. */
	atomic64_t fault_ns;
	/** @pages_populated: 4 KiB pages mapped by faults and PREFETCH. */
	atomic64_t pages_populated;
	/** @invalidations: notifier calls that cleared GPU entries. */
	atomic64_t invalidations;
};

void pvgpu_svm_init(struct pvgpu_vm *vm);
void pvgpu_svm_remove_notifiers(struct pvgpu_vm *vm);
void pvgpu_svm_fini(struct pvgpu_vm *vm);
void pvgpu_svm_dma_fini(struct pvgpu_device *pvdev);
int pvgpu_svm_bind_mm(struct pvgpu_vm *vm);

int pvgpu_svm_handle_fault(struct pvgpu_vm *vm,
			   const struct pvgpu_gpu_fault *fault);
bool pvgpu_gpu_fault_record(spinlock_t *state_lock,
			    struct pvgpu_gpu_fault *pending, u32 seqno, u64 va,
			    u32 access, u32 reason, bool lost);
void pvgpu_gpu_fault_answer(struct pvgpu_device *pvdev, struct pvgpu_vm *vm,
			    u32 fw_id, spinlock_t *state_lock,
			    struct pvgpu_gpu_fault *pending,
			    struct mutex *fw_lock, const bool *deregistered);
int pvgpu_svm_prefetch(struct pvgpu_vm *vm, u64 addr, u64 range);

/* The bind path, under &pvgpu_vm.lock (pvgpu_vm_bind.c). */
bool pvgpu_svm_drop_chunks(struct pvgpu_vm *vm, u64 start, u64 size,
			   struct list_head *removed, struct list_head *freed,
			   u64 *inv_start, u64 *inv_end);
void pvgpu_svm_release_chunks(struct pvgpu_vm *vm, struct list_head *removed,
			      int err);

void pvgpu_svm_print(struct pvgpu_vm *vm, struct drm_printer *p);

int pvgpu_fault_wq_init(struct pvgpu_device *pvdev);
void pvgpu_fault_wq_fini(struct pvgpu_device *pvdev);

#endif /* PVGPU_SVM_H */
