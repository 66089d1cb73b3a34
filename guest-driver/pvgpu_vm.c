// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: GPU virtual address spaces (VMs).
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#include <drm/drm_debugfs.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>

#include "pvgpu_drv.h"
#include "pvgpu_pt.h"
#include "pvgpu_reset.h"
#include "pvgpu_queue.h"
#include "pvgpu_userptr.h"
#include "pvgpu_vm.h"

/**
 * DOC: VMs
 *
 * A &struct pvgpu_vm is one GPU virtual address space: a &drm_gpuvm that
 * tracks the mappings (its tree is changed only by bind jobs, see
 * pvgpu_vm_bind.c), the page tables the GPU walks (pvgpu_pt.c) and a
 * firmware address space (asid) bound to their root with
 * PVGPU_H2F_AS_BIND.
 *
 * **VA layout.** The drm_gpuvm covers the whole space [0, 2^va_bits). Its
 * top DRM_PVGPU_KERNEL_VA_SIZE bytes are the drm_gpuvm's reserved kernel
 * node, so no user bind can reach them. The uAPI reserves that range for
 * the kernel, but nothing is mapped there today: exec queue rings and
 * fences are coherent DMA memory that no GPU VM maps (privileged queues,
 * docs/queues.rst). User binds live in [0, DRM_PVGPU_USER_VA_END).
 *
 * **Lifetime.** &pvgpu_vm.refcount counts the users: the file's id, each
 * queue of the VM (a bind queue included: the default bind queue holds a
 * reference, and the VM points back at it, which is why VM_DESTROY
 * destroys that queue explicitly) and each bind job. The &drm_gpuvm's own
 * refcount is not used for this, because every mapping in its tree holds
 * a &drm_gpuvm reference: it would never drop while anything is mapped.
 *
 * When the last user is gone, pvgpu_vm_put() queues the teardown on
 * system_unbound_wq (it may be called from any context, and the teardown
 * sends firmware requests, which a task with a signal pending, such as a
 * process being killed while its file closes, could not do): unmap every
 * mapping and invalidate the TLB, PVGPU_H2F_AS_UNBIND (no queue uses the
 * asid any more: exec queues hold VM references, so they are deregistered
 * by then), free the page tables, free the asid, and finally drop the
 * &drm_gpuvm reference, which frees the VM. The work holds a module
 * reference, and the &drm_gpuvm holds a &drm_device reference, so the
 * device outlives it. It does not run on &pvgpu_device.wq: dropping the
 * last &drm_device reference there would destroy that workqueue from
 * inside itself.
 *
 * Because the asid is freed asynchronously, VM_CREATE that finds every
 * asid taken first waits for VMs already on their way out (it flushes
 * &pvgpu_device.wq, where queue releases run, and waits for pending
 * teardowns), so that destroying a VM and creating one right after works.
 *
 * **Limits.** The device's asids (caps.max_address_spaces, 64 on the
 * default device) are shared by every user, so one file may hold at most
 * max_vms_per_file of them (module parameter; 0, the default, means a
 * quarter of the device's, at least one): beyond, VM_CREATE fails with
 * -EMFILE, distinct from the device's -ENOSPC. A VM counts against the
 * file that created it (&pvgpu_file.num_vms) from VM_CREATE until its
 * teardown frees the asid, not just while its id exists: a VM kept alive
 * by its queues after VM_DESTROY still holds an asid. At the limit,
 * VM_CREATE waits for released VMs as above before it fails. A VM's page
 * tables are bounded by vm_pt_max_mb (taken at creation; see
 * pvgpu_pt_set_max_tables()), and every allocation a VM makes for its
 * user is charged to the user's memory cgroup (__GFP_ACCOUNT).
 *
 * Address spaces are not virtualised: each VM keeps its asid for its
 * whole life. Oversubscribing them (as the firmware oversubscribes
 * queues) would need the driver to evict a VM that has no queue running:
 * AS_UNBIND it after its queues were descheduled, rebind it to a free
 * asid before any of them runs again, rewrite the asid of every queue
 * descriptor (re-register the queues) and invalidate its TLB; the
 * firmware would have to report queues becoming idle per asid. Not done.
 *
 * **Firmware failures.** AS_BIND, AS_UNBIND and TLB_INVALIDATE are sent
 * with PVGPU_CHANNEL_MSG_COMMIT, the latter two also with
 * PVGPU_CHANNEL_MSG_NOINTR (cleanup must not fail because the caller has
 * a signal pending: the teardown worker has none, but a bind job may run
 * in the VM_BIND ioctl that committed it, see pvgpu_vm_bind.c). So a
 * failure always leaves the firmware unable to reach memory: every
 * failure of the latter two the firmware did not answer (not sent in time
 * once they held the channel, not answered, the firmware crashed or was
 * stopped) stops the device inside
 * pvgpu_channel_send() before it returns, and an error status the
 * firmware answered makes the driver wedge the device itself
 * (pvgpu_vm_fw_send()) before it frees anything. An AS_BIND that was
 * never sent (a signal, a busy channel) changed nothing; one sent and not
 * answered stopped the device. AS_BIND failing in VM_CREATE therefore
 * frees the tables without an unbind, and AS_UNBIND failing in the
 * teardown frees the tables and the asid all the same.
 *
 * **TLB invalidation.** After a failed invalidation the caller treats the
 * VM as broken all the same: it becomes unusable (&pvgpu_vm.error) and the
 * tables and pages a bind job unmapped stay allocated ("parked") until the
 * VM's teardown, which costs nothing and keeps the debugfs test hook
 * (fail_vm_bind, which fails a job without the firmware) honest.
 *
 * **Locking.** &pvgpu_vm.lock protects the tree and the page tables.
 * Bind jobs take it inside the dma-fence signalling section, so nothing
 * allocates memory under it: the table pages a bind needs are
 * preallocated before (pvgpu_vm_bind.c). &pvgpu_device.objs_lock protects
 * the device's VM list and nests outside nothing of the VM.
 */

static unsigned int pvgpu_max_vms_per_file;
module_param_named(max_vms_per_file, pvgpu_max_vms_per_file, uint, 0644);
MODULE_PARM_DESC(max_vms_per_file,
		 "VMs (firmware address spaces) one DRM file may hold; 0: a quarter of the device's (default 0)");

static unsigned int pvgpu_vm_pt_max_mb = 256;
module_param_named(vm_pt_max_mb, pvgpu_vm_pt_max_mb, uint, 0644);
MODULE_PARM_DESC(vm_pt_max_mb,
		 "Page-table memory of a new VM in MiB, 8 KiB per table; 0 for no limit (default 256)");

/* VM teardowns queued and not finished yet (all devices). */
static atomic_t pvgpu_vm_frees_pending = ATOMIC_INIT(0);

/*
 * Firmware requests of VMs may come after the device was unplugged (a
 * teardown worker): the channel is gone then, and so is the firmware.
 */
static int pvgpu_vm_fw_send(struct pvgpu_vm *vm, struct pvgpu_channel_msg *msg,
			    const char *what)
{
	int ret, idx;

	if (!drm_dev_enter(&vm->pvdev->drm, &idx))
		return -ENODEV;
	ret = pvgpu_channel_send(&vm->pvdev->fw.ch, msg, pvgpu_fw_timeout_ms);
	/*
	 * The channel stopped the device already for every failure the
	 * firmware did not answer, except a state-creating request (AS_BIND)
	 * never sent, which changed nothing. The firmware refusing a request
	 * about our own asid is a firmware or driver bug: stopping the device
	 * is the safe way out, before the caller frees anything.
	 */
	if (ret == -EIO && msg->fw_status != PVGPU_STATUS_OK)
		pvgpu_fw_wedge(vm->pvdev, what);
	drm_dev_exit(idx);
	return ret;
}

static int pvgpu_vm_as_unbind(struct pvgpu_vm *vm)
{
	struct pvgpu_msg_as_unbind req = { .asid = cpu_to_le32(vm->asid) };
	struct pvgpu_channel_msg msg = {
		.opcode = PVGPU_H2F_AS_UNBIND,
		.flags = PVGPU_CHANNEL_MSG_COMMIT | PVGPU_CHANNEL_MSG_NOINTR,
		.req_dw = sizeof(req) / 4,
		.req = &req,
	};

	return pvgpu_vm_fw_send(vm, &msg, "AS_UNBIND refused");
}

static int pvgpu_vm_as_bind(struct pvgpu_vm *vm)
{
	struct pvgpu_msg_as_bind req = {
		.asid = cpu_to_le32(vm->asid),
		.flags = cpu_to_le32(vm->flags & DRM_PVGPU_VM_CREATE_FAULT_MODE ?
				     PVGPU_AS_FAULTABLE : 0),
		.pt_root = cpu_to_le64(pvgpu_pt_root(vm->pt)),
	};
	struct pvgpu_channel_msg msg = {
		.opcode = PVGPU_H2F_AS_BIND,
		.flags = PVGPU_CHANNEL_MSG_COMMIT,
		.req_dw = sizeof(req) / 4,
		.req = &req,
	};

	return pvgpu_vm_fw_send(vm, &msg, "AS_BIND refused");
}

/**
 * pvgpu_vm_tlb_invalidate() - drop the GPU's TLB entries of a VA range
 * @vm: the VM
 * @va: start of the range
 * @size: bytes
 *
 * Sleeps (for the firmware channel, then at most the fw_timeout_ms module
 * parameter), ignoring signals. Called with &pvgpu_vm.lock held by bind jobs, so the range
 * cannot change meanwhile. On failure the firmware no longer runs (see the
 * DOC: section: the device is wedged if it was not stopped already), so
 * the caller may free what the range mapped.
 *
 * Return: 0 (also when the firmware stopped for a device reset, which
 * leaves no TLB entry); -ETIMEDOUT, -EIO (the device is wedged now) or
 * -ENODEV (the device was unplugged or wedged before).
 */
int pvgpu_vm_tlb_invalidate(struct pvgpu_vm *vm, u64 va, u64 size)
{
	struct pvgpu_msg_tlb_invalidate req = {
		.asid = cpu_to_le32(vm->asid),
		.va = cpu_to_le64(va),
		.size = cpu_to_le64(size),
	};
	struct pvgpu_channel_msg msg = {
		.opcode = PVGPU_H2F_TLB_INVALIDATE,
		.flags = PVGPU_CHANNEL_MSG_COMMIT | PVGPU_CHANNEL_MSG_NOINTR,
		.req_dw = sizeof(req) / 4,
		.req = &req,
	};

	int ret;

	ret = pvgpu_vm_fw_send(vm, &msg, "TLB invalidation refused");
	/*
	 * Failed because the firmware stopped (it is stopped now: see
	 * DOC:): a device reset boots it again with an empty TLB and binds
	 * the tables as they are, so nothing stale survives.
	 */
	if ((ret == -EIO || ret == -ENODEV) && pvgpu_reset_recovers(vm->pvdev))
		return 0;
	return ret;
}

/**
 * pvgpu_vms_reset_recover() - bind every address space again after a reset
 * @pvdev: the device, its firmware booted again
 *
 * Step 3 of a device reset (pvgpu_reset.c): every VM that was bound gets
 * its asid bound again to its page tables as they are now. Caller holds
 * &pvgpu_reset.lock for writing, so no VM is being bound or unbound.
 *
 * Return: 0, or the error of an AS_BIND that failed (the device was
 * stopped again for it, and the next reset scheduled).
 */
int pvgpu_vms_reset_recover(struct pvgpu_device *pvdev)
{
	struct pvgpu_vm *vm;
	int ret = 0;

	lockdep_assert_held_write(&pvdev->reset.lock);

	mutex_lock(&pvdev->objs_lock);
	list_for_each_entry(vm, &pvdev->vms, link) {
		if (!vm->as_bound)
			continue;
		/*
		 * A refusal (pvgpu_vm_fw_send()) or a failure without an
		 * answer (the channel) stopped the firmware already; one
		 * never sent (the channel busy past its timeout) did not.
		 * Either way the next reset binds them all again.
		 */
		ret = pvgpu_vm_as_bind(vm);
		if (ret) {
			if (pvgpu_channel_is_up(&pvdev->fw.ch))
				pvgpu_fw_wedge(pvdev,
					       "an address space was not bound again");
			break;
		}
	}
	mutex_unlock(&pvdev->objs_lock);
	return ret;
}

/**
 * pvgpu_vm_set_error() - make a VM unusable
 * @vm: the VM, &pvgpu_vm.lock held
 * @error: negative errno; only the first one is kept
 */
void pvgpu_vm_set_error(struct pvgpu_vm *vm, int error)
{
	lockdep_assert_held(&vm->lock);

	if (vm->error)
		return;
	/*
	 * A signal is no state of the VM: VM_GET_STATE must never report a
	 * restart code (the senders are uninterruptible; this is a safety
	 * net).
	 */
	if (WARN_ON_ONCE(error == -ERESTARTSYS || error == -EINTR))
		error = -EIO;
	WRITE_ONCE(vm->error, error);
	if (error != -ENODEV) {
		struct pvgpu_event_rec rec = {
			.type = DRM_PVGPU_EVENT_VM_ERROR,
			.vm_id = READ_ONCE(vm->id),
			.data = { (u64)(s64)error },
		};

		pvgpu_event_emit(vm->pfile, &rec);
	}
	/* The device going away is no news. */
	if (error == -ENODEV)
		drm_dbg_driver(&vm->pvdev->drm, "VM asid %u unusable: %d\n",
			       vm->asid, error);
	else
		pvgpu_info_ratelimited(&vm->pvdev->drm,
				       "VM asid %u unusable: %d\n", vm->asid,
				       error);
}

/**
 * pvgpu_vm_gpuvm_free() - &drm_gpuvm_ops.vm_free of pvgpu VMs
 * @gpuvm: the &drm_gpuvm whose last reference is gone
 *
 * Everything but the memory itself was released by the teardown work.
 */
void pvgpu_vm_gpuvm_free(struct drm_gpuvm *gpuvm)
{
	struct pvgpu_vm *vm = to_pvgpu_vm(gpuvm);

	WARN_ON(!list_empty(&vm->user_queues));
	mutex_destroy(&vm->svm.notifier_lock);
	mutex_destroy(&vm->userq_lock);
	mutex_destroy(&vm->lock);
	kfree(vm);
}

/* Give back what pvgpu_vm_alloc_asid() took: the asid, the file's count. */
static void pvgpu_vm_free_asid(struct pvgpu_vm *vm)
{
	ida_free(&vm->pvdev->asids, vm->asid);
	atomic_dec(&vm->pfile->num_vms);
	pvgpu_file_put(vm->pfile);
	vm->pfile = NULL;
}

static void pvgpu_vm_free_work(struct work_struct *work)
{
	struct pvgpu_vm *vm = container_of(work, struct pvgpu_vm, free_work);
	struct pvgpu_device *pvdev = vm->pvdev;
	int ret;

	pvgpu_vm_unmap_all(vm);
	/*
	 * After the entries are gone (an invalidation meanwhile is fine,
	 * under the VM lock), before the address space is: from here on the
	 * process's pages are no longer followed, and no entry maps them.
	 */
	pvgpu_svm_remove_notifiers(vm);

	/*
	 * Unbound and off the list together, or a reset in between would
	 * bind it again (uninterruptible: a worker has no signals).
	 */
	down_read(&pvdev->reset.lock);
	if (vm->as_bound) {
		/*
		 * Any failure leaves the firmware stopped (see DOC:): the
		 * tables and the asid can go all the same.
		 */
		ret = pvgpu_vm_as_unbind(vm);
		if (ret) {
			if (ret != -ENODEV)
				drm_err(&pvdev->drm,
					"AS_UNBIND of asid %u failed (%d)\n",
					vm->asid, ret);
		}
	}

	/* Off the list before the tables go: debugfs and resets walk it. */
	mutex_lock(&pvdev->objs_lock);
	list_del(&vm->link);
	mutex_unlock(&pvdev->objs_lock);
	up_read(&pvdev->reset.lock);

	pvgpu_vm_release_parked(vm);
	/* After AS_UNBIND: the GPU reaches no chunk's pages any more. */
	pvgpu_svm_fini(vm);
	pvgpu_pt_destroy(vm->pt);
	pvgpu_vm_free_asid(vm);

	/* Frees the VM (pvgpu_vm_gpuvm_free()). */
	drm_gpuvm_put(&vm->base);

	if (atomic_dec_and_test(&pvgpu_vm_frees_pending))
		wake_up_var(&pvgpu_vm_frees_pending);
	module_put(THIS_MODULE);
}

static void pvgpu_vm_release(struct kref *ref)
{
	struct pvgpu_vm *vm = container_of(ref, struct pvgpu_vm, refcount);

	/* Held by the work: the module's code runs it. */
	__module_get(THIS_MODULE);
	atomic_inc(&pvgpu_vm_frees_pending);
	queue_work(system_unbound_wq, &vm->free_work);
}

/**
 * pvgpu_vm_get() - take a reference to a VM
 * @vm: the VM
 *
 * Return: @vm.
 */
struct pvgpu_vm *pvgpu_vm_get(struct pvgpu_vm *vm)
{
	kref_get(&vm->refcount);
	return vm;
}

/**
 * pvgpu_vm_put() - drop a reference taken by pvgpu_vm_get()
 * @vm: the VM, or NULL
 *
 * Any context: the teardown after the last reference runs in a worker.
 */
void pvgpu_vm_put(struct pvgpu_vm *vm)
{
	if (vm)
		kref_put(&vm->refcount, pvgpu_vm_release);
}

/**
 * pvgpu_vm_lookup() - find a VM of a file by id
 * @pfile: the file
 * @vm_id: the id VM_CREATE returned
 *
 * Return: the VM with a reference (pvgpu_vm_put()), or NULL.
 */
struct pvgpu_vm *pvgpu_vm_lookup(struct pvgpu_file *pfile, u32 vm_id)
{
	struct pvgpu_vm *vm;

	xa_lock(&pfile->vms);
	vm = xa_load(&pfile->vms, vm_id);
	if (vm)
		pvgpu_vm_get(vm);
	xa_unlock(&pfile->vms);
	return vm;
}

/*
 * Wait until VMs already released have given their asids back. Return:
 * 0, or -ERESTARTSYS.
 */
static int pvgpu_vm_wait_frees(struct pvgpu_device *pvdev)
{
	/*
	 * Queue releases (which drop VM references) run on pvdev->wq; a
	 * release may queue another (a job's cleanup, then its queue's).
	 */
	flush_workqueue(pvdev->fault_wq);
	flush_workqueue(pvdev->wq);
	flush_workqueue(pvdev->wq);
	return wait_var_event_interruptible(&pvgpu_vm_frees_pending,
				!atomic_read(&pvgpu_vm_frees_pending));
}

/*
 * Charge @vm to @pfile (max_vms_per_file), then give it an asid; either
 * may first wait once for VMs already released (see DOC:). Return: 0;
 * -EMFILE the file holds its limit; -ENOSPC every asid is taken;
 * -ERESTARTSYS.
 */
static int pvgpu_vm_alloc_asid(struct pvgpu_vm *vm, struct pvgpu_file *pfile)
{
	struct pvgpu_device *pvdev = vm->pvdev;
	u32 max = pvdev->fw.info.max_address_spaces;
	u32 file_max = pvgpu_file_limit(READ_ONCE(pvgpu_max_vms_per_file),
					max);
	bool waited = false;
	int asid, ret;

	if (!max)
		return -ENOSPC;
	if (!pvgpu_file_charge(&pfile->num_vms, file_max)) {
		ret = pvgpu_vm_wait_frees(pvdev);
		if (ret)
			return ret;
		waited = true;
		if (!pvgpu_file_charge(&pfile->num_vms, file_max))
			return -EMFILE;
	}

	asid = ida_alloc_max(&pvdev->asids, max - 1, GFP_KERNEL);
	if (asid == -ENOSPC && !waited) {
		ret = pvgpu_vm_wait_frees(pvdev);
		asid = ret ?: ida_alloc_max(&pvdev->asids, max - 1, GFP_KERNEL);
	}
	if (asid < 0) {
		atomic_dec(&pfile->num_vms);
		return asid;
	}
	vm->asid = asid;
	vm->pfile = pvgpu_file_get(pfile);
	return 0;
}

static int pvgpu_vm_create(struct pvgpu_device *pvdev,
			   struct pvgpu_file *pfile, u32 flags,
			   struct pvgpu_vm **out)
{
	u32 va_bits = pvdev->fw.info.va_bits;
	u64 va_end = 1ull << va_bits;
	struct drm_gem_object *r_obj;
	struct pvgpu_queue *bq;
	struct pvgpu_vm *vm;
	int ret;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;

	vm->pvdev = pvdev;
	vm->flags = flags;
	mutex_init(&vm->lock);
	mutex_init(&vm->userq_lock);
	INIT_LIST_HEAD(&vm->user_queues);
	spin_lock_init(&vm->queue_lock);
	kref_init(&vm->refcount);
	INIT_WORK(&vm->free_work, pvgpu_vm_free_work);
	INIT_LIST_HEAD(&vm->link);
	INIT_LIST_HEAD(&vm->parked_vmas);
	INIT_LIST_HEAD(&vm->parked_tables);
	pvgpu_svm_init(vm);
	if (IS_ENABLED(CONFIG_LOCKDEP) && (flags & DRM_PVGPU_VM_CREATE_FAULT_MODE)) {
		/*
		 * Invalidations, which reclaim may run, take the VM lock:
		 * teach lockdep now, so that an allocation under the lock is
		 * reported even if no test makes reclaim invalidate.
		 */
		fs_reclaim_acquire(GFP_KERNEL);
		might_lock(&vm->lock);
		fs_reclaim_release(GFP_KERNEL);
	}

	ret = pvgpu_vm_alloc_asid(vm, pfile);
	if (ret)
		goto err_free;

	ret = pvgpu_pt_create(pvdev, va_bits, &vm->pt);
	if (ret)
		goto err_asid;
	/* The tree's writers assert that they hold the VM lock. */
	pvgpu_pt_set_lock(vm->pt, &vm->lock);
	/* MiB of page tables, each counted at PVGPU_PT_TABLE_COST. */
	pvgpu_pt_set_max_tables(vm->pt, (u64)READ_ONCE(pvgpu_vm_pt_max_mb) *
				(SZ_1M / PVGPU_PT_TABLE_COST));

	r_obj = drm_gpuvm_resv_object_alloc(&pvdev->drm);
	if (!r_obj) {
		ret = -ENOMEM;
		goto err_pt;
	}
	drm_gpuvm_init(&vm->base, "pvgpu-vm", 0, &pvdev->drm, r_obj, 0,
		       va_end, DRM_PVGPU_USER_VA_END(va_bits),
		       DRM_PVGPU_KERNEL_VA_SIZE, &pvgpu_gpuvm_ops);
	drm_gem_object_put(r_obj);

	/*
	 * From here on the teardown work undoes everything: it knows what
	 * was set up (as_bound, the VM list).
	 */
	mutex_lock(&pvdev->objs_lock);
	list_add_tail(&vm->link, &pvdev->vms);
	mutex_unlock(&pvdev->objs_lock);

	/*
	 * A failure leaves nothing bound that the firmware could walk: it
	 * refused the bind, or it was stopped (see DOC:), so the teardown
	 * frees the tables without AS_UNBIND.
	 */
	ret = pvgpu_reset_read_lock(pvdev);
	if (ret)
		goto err_put;
	ret = pvgpu_vm_as_bind(vm);
	if (!ret)
		vm->as_bound = true;
	pvgpu_reset_read_unlock(pvdev);
	if (ret)
		goto err_put;

	bq = pvgpu_bind_queue_create(vm);
	if (IS_ERR(bq)) {
		ret = PTR_ERR(bq);
		goto err_put;
	}
	vm->default_bind_queue = bq;

	*out = vm;
	return 0;

err_put:
	pvgpu_vm_put(vm);
	return ret;
err_pt:
	pvgpu_pt_destroy(vm->pt);
err_asid:
	pvgpu_vm_free_asid(vm);
err_free:
	mutex_destroy(&vm->svm.notifier_lock);
	mutex_destroy(&vm->userq_lock);
	mutex_destroy(&vm->lock);
	kfree(vm);
	return ret;
}

/*
 * Drops what the file's id holds: the default bind queue (which holds a VM
 * reference back) and the id's VM reference.
 */
static void pvgpu_vm_destroy(struct pvgpu_vm *vm)
{
	struct pvgpu_queue *bq;

	spin_lock(&vm->queue_lock);
	bq = vm->default_bind_queue;
	vm->default_bind_queue = NULL;
	spin_unlock(&vm->queue_lock);

	if (bq)
		bq->destroy(bq);
	pvgpu_vm_put(vm);
}

/**
 * pvgpu_vm_default_bind_queue() - the VM's default bind queue
 * @vm: the VM
 *
 * Return: the queue with a reference (pvgpu_queue_put()), or NULL once
 * VM_DESTROY has dropped it.
 */
struct pvgpu_queue *pvgpu_vm_default_bind_queue(struct pvgpu_vm *vm)
{
	struct pvgpu_queue *bq;

	/*
	 * Not under &pvgpu_vm.lock: every VM_BIND comes here, and a bind
	 * executor holds that lock across its TLB invalidation.
	 */
	spin_lock(&vm->queue_lock);
	bq = vm->default_bind_queue;
	if (bq)
		pvgpu_queue_get(bq);
	spin_unlock(&vm->queue_lock);
	return bq;
}

/**
 * pvgpu_ioctl_vm_create() - DRM_IOCTL_PVGPU_VM_CREATE
 * @drm: the DRM device
 * @data: struct drm_pvgpu_vm_create
 * @file: the caller
 *
 * Return: 0; -EINVAL bad flags, pad or extensions; -EOPNOTSUPP fault mode
 * on a device without page faults; -EMFILE the file holds max_vms_per_file
 * VMs; -ENOSPC no free firmware address space; -ENOMEM; -ENODEV,
 * -ETIMEDOUT, -EIO from AS_BIND; -ERESTARTSYS.
 */
int pvgpu_ioctl_vm_create(struct drm_device *drm, void *data,
			  struct drm_file *file)
{
	struct pvgpu_device *pvdev = to_pvgpu_device(drm);
	struct pvgpu_file *pfile = to_pvgpu_file(file);
	struct drm_pvgpu_vm_create *args = data;
	struct pvgpu_vm *vm;
	u32 id;
	int ret, idx;

	if (args->extensions ||
	    args->flags & ~(DRM_PVGPU_VM_CREATE_LR |
			    DRM_PVGPU_VM_CREATE_FAULT_MODE))
		return -EINVAL;
	if ((args->flags & DRM_PVGPU_VM_CREATE_FAULT_MODE) &&
	    !(args->flags & DRM_PVGPU_VM_CREATE_LR))
		return -EINVAL;
	if ((args->flags & DRM_PVGPU_VM_CREATE_FAULT_MODE) &&
	    !(pvdev->fw.info.flags & PVGPU_FW_CAP_PAGE_FAULTS))
		return -EOPNOTSUPP;

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	ret = pvgpu_vm_create(pvdev, pfile, args->flags, &vm);
	if (ret)
		goto out;

	/* Reserved first: the id is in the VM before userspace can name it. */
	ret = xa_alloc(&pfile->vms, &id, NULL, xa_limit_32b,
		       GFP_KERNEL_ACCOUNT);
	if (ret) {
		pvgpu_vm_destroy(vm);
		goto out;
	}
	WRITE_ONCE(vm->id, id);
	xa_store(&pfile->vms, id, vm, GFP_KERNEL);
	args->vm_id = id;
out:
	drm_dev_exit(idx);
	return ret;
}

/**
 * pvgpu_ioctl_vm_destroy() - DRM_IOCTL_PVGPU_VM_DESTROY
 * @drm: the DRM device
 * @data: struct drm_pvgpu_vm_destroy
 * @file: the caller
 *
 * Drops the id; the VM goes once its queues and pending binds are gone.
 *
 * Return: 0; -EINVAL non-zero pad or extensions; -ENOENT no such VM.
 */
int pvgpu_ioctl_vm_destroy(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct pvgpu_file *pfile = to_pvgpu_file(file);
	struct drm_pvgpu_vm_destroy *args = data;
	struct pvgpu_vm *vm;

	if (args->extensions || args->pad)
		return -EINVAL;

	vm = xa_erase(&pfile->vms, args->vm_id);
	if (!vm)
		return -ENOENT;
	pvgpu_vm_destroy(vm);
	return 0;
}

/**
 * pvgpu_ioctl_vm_get_state() - DRM_IOCTL_PVGPU_VM_GET_STATE
 * @drm: the DRM device
 * @data: struct drm_pvgpu_vm_get_state
 * @file: the caller
 *
 * Return: 0; -EINVAL non-zero pad or extensions; -ENOENT no such VM.
 */
int pvgpu_ioctl_vm_get_state(struct drm_device *drm, void *data,
			     struct drm_file *file)
{
	struct drm_pvgpu_vm_get_state *args = data;
	struct pvgpu_vm *vm;
	u64 num;
	int err;

	if (args->extensions || args->pad)
		return -EINVAL;

	vm = pvgpu_vm_lookup(to_pvgpu_file(file), args->vm_id);
	if (!vm)
		return -ENOENT;

	mutex_lock(&vm->lock);
	err = vm->error;
	num = vm->num_mappings;
	mutex_unlock(&vm->lock);

	args->state = err ? DRM_PVGPU_VM_STATE_UNUSABLE :
			    DRM_PVGPU_VM_STATE_USABLE;
	args->error = err;
	args->num_mappings = num;
	args->faults = atomic64_read(&vm->svm.faults);
	args->faults_resolved = atomic64_read(&vm->svm.faults_resolved);
	args->faults_failed = atomic64_read(&vm->svm.faults_failed);
	args->fault_ns = atomic64_read(&vm->svm.fault_ns);
	args->pages_populated = atomic64_read(&vm->svm.pages_populated);
	args->invalidations = atomic64_read(&vm->svm.invalidations);
	pvgpu_vm_put(vm);
	return 0;
}

/**
 * pvgpu_vm_file_close() - drop every VM id of a closing file
 * @pfile: the file
 *
 * The file's queues are gone already (pvgpu_postclose()); the VMs go once
 * their pending binds have run.
 */
void pvgpu_vm_file_close(struct pvgpu_file *pfile)
{
	struct pvgpu_vm *vm;
	unsigned long id;

	xa_for_each(&pfile->vms, id, vm) {
		xa_erase(&pfile->vms, id);
		pvgpu_vm_destroy(vm);
	}
}

/**
 * pvgpu_vm_dma_fini() - release the VMs' DMA mappings of a removed device
 * @pvdev: the device; its firmware is stopped (pvgpu_fw_fini()), so the
 *	   GPU walks no table and reaches no page any more
 *
 * Called by pvgpu_pci_remove(): the VMs live on while their files are
 * open, but none of their DMA mappings may outlive the device. Unmaps
 * every page-table page (pvgpu_pt_dma_fini(): trees, pools, the
 * preallocations of pending jobs, freed and parked tables) and every
 * userptr range (pvgpu_userptr_dma_fini(); the pages stay pinned until
 * their mappings go) and every SVM chunk (pvgpu_svm_dma_fini()).
 * From here on nothing maps anything for the device:
 * the ioctls that would are past drm_dev_enter() or refused, and the
 * checks against &pvgpu_device.dma_released refuse the rest. Whatever
 * frees a table or a userptr later only frees memory.
 */
void pvgpu_vm_dma_fini(struct pvgpu_device *pvdev)
{
	mutex_lock(&pvdev->dma_lock);
	pvdev->dma_released = true;
	pvgpu_userptr_dma_fini(pvdev);
	pvgpu_svm_dma_fini(pvdev);
	pvgpu_pt_dma_fini(pvdev);
	mutex_unlock(&pvdev->dma_lock);
}

/**
 * pvgpu_vm_debugfs_print() - the "vms" debugfs file
 * @pvdev: the device
 * @p: where to print
 */
void pvgpu_vm_debugfs_print(struct pvgpu_device *pvdev, struct drm_printer *p)
{
	struct pvgpu_vm *vm;

	mutex_lock(&pvdev->objs_lock);
	list_for_each_entry(vm, &pvdev->vms, link) {
		drm_printf(p,
			   "vm asid %u: flags %#x refs %u mappings %llu error %d%s\n",
			   vm->asid, vm->flags, kref_read(&vm->refcount),
			   READ_ONCE(vm->num_mappings), READ_ONCE(vm->error),
			   kref_read(&vm->refcount) ? "" : " (dying)");
		pvgpu_pt_print_stats(vm->pt, p);
		pvgpu_svm_print(vm, p);
	}
	mutex_unlock(&pvdev->objs_lock);
}

static int pvgpu_vm_debugfs_vms(struct seq_file *m, void *data)
{
	struct drm_debugfs_entry *entry = m->private;
	struct drm_printer p = drm_seq_file_printer(m);

	pvgpu_vm_debugfs_print(to_pvgpu_device(entry->dev), &p);
	return 0;
}

/**
 * pvgpu_vm_debugfs_init() - the VM files in the device's debugfs directory
 * @pvdev: the device
 *
 * "vms": every VM of the device (asid, flags, references, mappings,
 * error, page-table statistics). "fail_vm_bind": test hook, see
 * pvgpu_vm_bind.c.
 */
void pvgpu_vm_debugfs_init(struct pvgpu_device *pvdev)
{
	drm_debugfs_add_file(&pvdev->drm, "vms", pvgpu_vm_debugfs_vms, NULL);
	pvgpu_vm_bind_debugfs_init(pvdev);
}
