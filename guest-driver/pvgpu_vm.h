/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvgpu guest driver: GPU virtual address spaces (VMs) on drm_gpuvm, their
 * page tables, VM_BIND and bind queues. See the DOC: sections in
 * pvgpu_vm.c, pvgpu_vm_bind.c and pvgpu_pt.c.
 *
 * Copyright (C) 2026 The pvgpu authors
 */
#ifndef PVGPU_VM_H
#define PVGPU_VM_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <drm/drm_gpuvm.h>

#include <uapi/drm/pvgpu_drm.h>

#include "pvgpu_svm.h"

struct drm_device;
struct drm_file;
struct drm_printer;
struct pvgpu_device;
struct pvgpu_file;
struct pvgpu_pt;
struct pvgpu_queue;
struct pvgpu_userptr;
struct sg_table;

/* pvgpu_vma.flags */
#define PVGPU_VMA_READONLY	BIT(0)
#define PVGPU_VMA_NULL		BIT(1)
#define PVGPU_VMA_USERPTR	BIT(2)
/*
 * Fault mode: the mapping's entries are written on the GPU's first touch
 * or by PREFETCH (pvgpu_svm.c): a BO range (LAZY, pages in @sgt), or one
 * that follows the process's address space (HMM: a MAP_MIRROR range, with
 * MIRROR, or a fault-mode MAP_USERPTR; the CPU address of the mapping's
 * start is its &drm_gpuva.gem.offset).
 */
#define PVGPU_VMA_LAZY		BIT(3)
#define PVGPU_VMA_HMM		BIT(4)
#define PVGPU_VMA_MIRROR	BIT(5)

/**
 * struct pvgpu_vma - one mapping: a &drm_gpuva and what the driver adds
 */
struct pvgpu_vma {
	/** @base: the drm_gpuva. */
	struct drm_gpuva base;
	/** @flags: PVGPU_VMA_*. */
	u32 flags;
	/** @userptr: the pinned pages of a userptr mapping (a reference). */
	struct pvgpu_userptr *userptr;
	/**
	 * @sgt: a LAZY mapping's object pages (the object's table: the
	 * &drm_gpuvm_bo reference keeps it).
	 */
	struct sg_table *sgt;
	/** @link: in a preallocation pool, a removed or a parked list. */
	struct list_head link;
};

static inline struct pvgpu_vma *to_pvgpu_vma(struct drm_gpuva *va)
{
	return container_of(va, struct pvgpu_vma, base);
}

/**
 * struct pvgpu_vm - one GPU virtual address space
 *
 * Refcounted through @refcount (pvgpu_vm_get()/pvgpu_vm_put(); do not use
 * drm_gpuvm_get() for this: every mapping in the drm_gpuvm tree holds a
 * &drm_gpuvm reference of its own, so that count never drops while
 * anything is mapped): the file's id, every queue of the VM and every
 * bind job hold a reference. The firmware address space (@asid) is bound
 * from creation until the last reference is gone; then a worker unmaps
 * everything, unbinds the address space and frees the VM (pvgpu_vm.c).
 */
struct pvgpu_vm {
	/** @base: the drm_gpuvm: VA tree, BO tracking, common resv. */
	struct drm_gpuvm base;
	/** @pvdev: the device. */
	struct pvgpu_device *pvdev;
	/**
	 * @pfile: the file that created the VM (a reference): its
	 * &pvgpu_file.num_vms counts the VM until the asid is free again.
	 */
	struct pvgpu_file *pfile;
	/** @flags: DRM_PVGPU_VM_CREATE_*. */
	u32 flags;
	/**
	 * @id: userspace's id of the VM in @pfile (events), 0 until
	 * VM_CREATE published it.
	 */
	u32 id;
	/** @asid: the firmware address space. */
	u32 asid;
	/**
	 * @lock: protects the VA tree (changes through drm_gpuvm), the page
	 * tables, @num_mappings, @error and the parked lists. Taken by bind
	 * jobs while they run, so it is inside the dma-fence signalling
	 * section: nothing may allocate memory (GFP_KERNEL) or wait on a
	 * fence under it.
	 */
	struct mutex lock;
	/** @pt: the page-table tree (pvgpu_pt.c). */
	struct pvgpu_pt *pt;
	/**
	 * @userq_lock: protects @user_queues. Held by a bind job around its
	 * page-table changes while the VM's user queues are suspended
	 * (pvgpu_userq_vm_suspend()), so inside the dma-fence signalling
	 * section and outside @lock.
	 */
	struct mutex userq_lock;
	/** @user_queues: the VM's registered user queues (pvgpu_userq.c). */
	struct list_head user_queues;
	/** @queue_lock: protects @default_bind_queue. */
	spinlock_t queue_lock;
	/**
	 * @default_bind_queue: the queue VM_BIND uses for queue_id 0 (the
	 * id's reference); NULL once VM_DESTROY dropped it. Under
	 * @queue_lock: pvgpu_vm_default_bind_queue().
	 */
	struct pvgpu_queue *default_bind_queue;
	/**
	 * @error: 0, or the negative errno of the asynchronous bind that
	 * made the VM unusable (DRM_PVGPU_VM_STATE_UNUSABLE). Set once.
	 */
	int error;
	/** @num_mappings: drm_gpuva ranges in the tree; under @lock. */
	u64 num_mappings;
	/**
	 * @binds_releasing: bind jobs that have run but whose release (by
	 * their free work, which unpins the userptr pages they unmapped) has
	 * not finished. A MAP_USERPTR over RLIMIT_MEMLOCK waits for it to
	 * reach zero (wait_var_event()) before it gives up (pvgpu_vm_bind.c).
	 */
	atomic_t binds_releasing;

	/** @refcount: the users of the VM, see above. */
	struct kref refcount;
	/** @free_work: the teardown after the last pvgpu_vm_put(). */
	struct work_struct free_work;
	/** @link: in &pvgpu_device.vms, under &pvgpu_device.objs_lock. */
	struct list_head link;
	/** @as_bound: PVGPU_H2F_AS_BIND succeeded; AS_UNBIND is owed. */
	bool as_bound;
	/**
	 * @parked_vmas: mappings removed by a bind whose TLB invalidation
	 * failed: the GPU may still reach their pages, so their pages (and
	 * userptr pins) stay until AS_UNBIND drops every TLB entry.
	 */
	struct list_head parked_vmas;
	/** @parked_tables: page-table pages parked for the same reason. */
	struct list_head parked_tables;
	/** @svm: fault mode: populated ranges, notifiers, counters. */
	struct pvgpu_svm svm;
};

static inline struct pvgpu_vm *to_pvgpu_vm(struct drm_gpuvm *gpuvm)
{
	return container_of(gpuvm, struct pvgpu_vm, base);
}

static inline bool pvgpu_vm_is_lr(struct pvgpu_vm *vm)
{
	return vm->flags & DRM_PVGPU_VM_CREATE_LR;
}

static inline bool pvgpu_vm_is_fault_mode(struct pvgpu_vm *vm)
{
	return vm->flags & DRM_PVGPU_VM_CREATE_FAULT_MODE;
}

struct pvgpu_vm *pvgpu_vm_lookup(struct pvgpu_file *pfile, u32 vm_id);
struct pvgpu_vm *pvgpu_vm_get(struct pvgpu_vm *vm);
void pvgpu_vm_put(struct pvgpu_vm *vm);

struct pvgpu_queue *pvgpu_bind_queue_create(struct pvgpu_vm *vm);

void pvgpu_vm_file_close(struct pvgpu_file *pfile);
void pvgpu_vm_dma_fini(struct pvgpu_device *pvdev);
void pvgpu_vm_debugfs_print(struct pvgpu_device *pvdev, struct drm_printer *p);
void pvgpu_vm_debugfs_init(struct pvgpu_device *pvdev);

/* Between pvgpu_vm.c and pvgpu_vm_bind.c. */
extern const struct drm_gpuvm_ops pvgpu_gpuvm_ops;
void pvgpu_vm_gpuvm_free(struct drm_gpuvm *gpuvm);
void pvgpu_vm_unmap_all(struct pvgpu_vm *vm);
void pvgpu_vm_release_parked(struct pvgpu_vm *vm);
struct pvgpu_queue *pvgpu_vm_default_bind_queue(struct pvgpu_vm *vm);
void pvgpu_vm_bind_debugfs_init(struct pvgpu_device *pvdev);
int pvgpu_vms_reset_recover(struct pvgpu_device *pvdev);
int pvgpu_vm_tlb_invalidate(struct pvgpu_vm *vm, u64 va, u64 size);
void pvgpu_vm_set_error(struct pvgpu_vm *vm, int error);

int pvgpu_ioctl_vm_create(struct drm_device *drm, void *data,
			  struct drm_file *file);
int pvgpu_ioctl_vm_destroy(struct drm_device *drm, void *data,
			   struct drm_file *file);
int pvgpu_ioctl_vm_restart(struct drm_device *drm, void *data,
			   struct drm_file *file);
int pvgpu_ioctl_vm_get_state(struct drm_device *drm, void *data,
			     struct drm_file *file);
int pvgpu_ioctl_vm_bind(struct drm_device *drm, void *data,
			struct drm_file *file);

#endif /* PVGPU_VM_H */
