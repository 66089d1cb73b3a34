// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: user queues and their syncobj bridges.
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/idr.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_print.h>

#include <uapi/drm/pvgpu_drm.h>

#include "pvgpu_drv.h"
#include "pvgpu_fw.h"
#include "pvgpu_fwif.h"
#include "pvgpu_regs.h"
#include "pvgpu_reset.h"
#include "pvgpu_sync.h"
#include "pvgpu_userq.h"
#include "pvgpu_vm.h"

/**
 * DOC: User queues
 *
 * A user queue is a firmware queue that userspace feeds without the
 * kernel (DRM_IOCTL_PVGPU_USERQ_CREATE): its ring is GPU memory of the
 * process's VM, and submission is a store of commands, a store of the
 * write pointer and a store to the doorbell, all in pages the process
 * maps. The firmware runs everything a user queue holds as user commands
 * (docs/queues.rst, "Privilege"): a privileged command stops the queue.
 *
 * **Pages.** Three, each its own mmap() of the DRM file:
 *
 * - the status page: the firmware's read pointer and the retired count
 *   (struct pvgpu_queue_progress), mapped read-only with VM_MAYWRITE
 *   cleared, so userspace reads but can never write what the kernel
 *   trusts. The kernel writes the notification threshold there.
 * - the write-pointer page, read-write: the only value the firmware
 *   takes from userspace, and it checks it (a pointer outside the ring
 *   stops the queue with BAD_POINTER).
 * - the file's doorbell page: page &pvgpu_file.doorbell_group of BAR2,
 *   one dword per user queue of the file. Offsets are looked up in the
 *   file that maps them, so no other file can name, map or ring it.
 *
 * The status and write-pointer pages are ordinary pages (alloc_page(),
 * DMA-mapped for the firmware), put into the process with
 * vm_insert_page(): each mapping holds its own page reference, so a
 * destroyed queue frees nothing a mapping still shows; what the kernel
 * frees it frees only after the firmware confirmed (DEREGISTER) that it no
 * longer writes it. Mappings are VM_DONTCOPY: a child of fork() inherits
 * the file but none of the mappings, and may map the pages again through
 * the file it shares. Removal of the device zaps every mapping (later
 * accesses get SIGBUS).
 *
 * **Scheduling.** The firmware rotates more queues than it has slots and
 * reschedules a descheduled queue when its doorbell rings; nothing in the
 * kernel is involved. The firmware's watchdog resets a hung queue (the
 * error event arrives here and bans the queue's fences).
 *
 * **Bridges** to and from syncobjs: pvgpu_userq_bridge.c.
 */

static unsigned int pvgpu_max_user_queues_per_file = 64;
module_param_named(max_user_queues_per_file, pvgpu_max_user_queues_per_file,
		   uint, 0644);
MODULE_PARM_DESC(max_user_queues_per_file,
		 "User queues one DRM file may hold, at most 1024 (default: 64)");

static unsigned int pvgpu_userq_signal_timeout_ms = 5000;
module_param_named(signal_timeout_ms, pvgpu_userq_signal_timeout_ms, uint,
		   0644);
MODULE_PARM_DESC(signal_timeout_ms,
		 "How long a USERQ_SIGNAL fence may wait for its user queue, in ms (default: 5000)");

#define PVGPU_USERQ_PGOFF_BASE	(DRM_PVGPU_USERQ_MMAP_BASE >> PAGE_SHIFT)
/* Page offsets past the base: 0 the doorbell page, then two per queue. */
#define PVGPU_USERQ_PAGE_STATUS	0
#define PVGPU_USERQ_PAGE_WPTR	1
#define PVGPU_USERQ_STATUS_PROGRESS	16

/* Userspace's view of the status page is the firmware's layout. */
static_assert(offsetof(struct drm_pvgpu_userq_status, rptr) == 0);
static_assert(offsetof(struct drm_pvgpu_userq_status, retired) ==
	      PVGPU_USERQ_STATUS_PROGRESS +
	      offsetof(struct pvgpu_queue_progress, retired));
static_assert(offsetof(struct drm_pvgpu_userq_status, notify_at) ==
	      PVGPU_USERQ_STATUS_PROGRESS +
	      offsetof(struct pvgpu_queue_progress, notify_at));

static u64 pvgpu_userq_mmap_offset(u32 queue_id, u32 page)
{
	return DRM_PVGPU_USERQ_MMAP_BASE +
	       ((((u64)queue_id << 1) + page) << PAGE_SHIFT);
}

/* Frees whatever of @uq exists; the firmware no longer uses any of it. */
static void pvgpu_userq_free(struct pvgpu_user_queue *uq)
{
	struct pvgpu_device *pvdev = uq->pvdev;
	struct device *dev = pvdev->drm.dev;

	WARN_ON(uq->registered && !uq->deregistered);
	if (uq->fw_id_reserved)
		xa_erase_irq(&pvdev->fw_queues, uq->fw_id);
	/* Mappings keep their own page references. */
	if (uq->status_page) {
		if (uq->status_dma)
			dma_unmap_page(dev, uq->status_dma, PAGE_SIZE,
				       DMA_BIDIRECTIONAL);
		__free_page(uq->status_page);
	}
	if (uq->wptr_page) {
		if (uq->wptr_dma)
			dma_unmap_page(dev, uq->wptr_dma, PAGE_SIZE,
				       DMA_BIDIRECTIONAL);
		__free_page(uq->wptr_page);
	}
	if (uq->doorbell_reserved)
		ida_free(&uq->pfile->userq_doorbells, uq->doorbell_index);
	if (uq->base.vm)
		pvgpu_vm_put(uq->base.vm);
	pvgpu_file_put(uq->pfile);
	mutex_destroy(&uq->fw_lock);
	kfree(uq);
}

/* &pvgpu_dep_queue_ops.release of user queues (pvgpu_userq_bridge.c). */
void pvgpu_userq_release(struct pvgpu_dep_queue *dq)
{
	struct pvgpu_user_queue *uq = dq_to_uq(dq);
	struct pvgpu_device *pvdev = uq->pvdev;

	mutex_lock(&pvdev->objs_lock);
	list_del(&uq->base.link);
	mutex_unlock(&pvdev->objs_lock);
	pvgpu_userq_free(uq);
}

/* --- Firmware events -------------------------------------------------------- */

/**
 * pvgpu_userq_emit() - report an event of a user queue to its file
 * @uq: the queue
 * @type: DRM_PVGPU_EVENT_*
 * @flags: DRM_PVGPU_EVENT_GUILTY or 0
 * @d0: payload
 * @d1: payload
 * @d2: payload
 *
 * Any context; see pvgpu_event_emit_queue().
 */
void pvgpu_userq_emit(struct pvgpu_user_queue *uq, u32 type, u32 flags,
		      u64 d0, u64 d1, u64 d2)
{
	pvgpu_event_emit_queue(uq->pfile, &uq->base, type, flags, d0, d1, d2);
}

static void pvgpu_userq_error_work(struct work_struct *work)
{
	struct pvgpu_user_queue *uq = container_of(work, struct pvgpu_user_queue,
						   error_work);

	pvgpu_userq_ban(uq, uq->ban_error);
	pvgpu_queue_put(&uq->base);
}

/* On &pvgpu_device.fault_wq: resolve the page fault and answer it. */
static void pvgpu_userq_fault_work(struct work_struct *work)
{
	struct pvgpu_user_queue *uq = container_of(work, struct pvgpu_user_queue,
						   fault_work);

	pvgpu_gpu_fault_answer(uq->pvdev, uq->base.vm, uq->fw_id,
			       &uq->state_lock, &uq->fault, &uq->fw_lock,
			       &uq->deregistered);
	pvgpu_queue_put(&uq->base);
}

/*
 * Record a fault (its event's, or with @lost a lost one's from
 * QUEUE_QUERY, only if none is recorded) and queue its work.
 */
static void pvgpu_userq_record_fault(struct pvgpu_user_queue *uq, u32 seqno,
				     u64 va, u32 access, u32 reason, bool lost)
{
	if (!pvgpu_gpu_fault_record(&uq->state_lock, &uq->fault, seqno, va,
				    access, reason, lost))
		return;
	pvgpu_queue_get(&uq->base);
	if (!queue_work(uq->pvdev->fault_wq, &uq->fault_work))
		pvgpu_queue_put(&uq->base);
}

static void pvgpu_userq_ufence_work(struct work_struct *work)
{
	struct pvgpu_user_queue *uq = container_of(work, struct pvgpu_user_queue,
						   ufence_work);

	pvgpu_ufence_wake_queue(uq->pfile, &uq->base);
	pvgpu_queue_put(&uq->base);
}

/* Queues @work with a queue reference (the caller holds the firmware's). */
static void pvgpu_userq_queue_work(struct pvgpu_user_queue *uq,
				   struct work_struct *work)
{
	pvgpu_queue_get(&uq->base);
	if (!queue_work(uq->pvdev->wq, work))
		pvgpu_queue_put(&uq->base);
}

/**
 * pvgpu_userq_fw_event() - a firmware event naming a user queue
 * @uq: the queue (published: the firmware's reference holds it)
 * @opcode: PVGPU_F2H_EVT_QUEUE_*, PVGPU_F2H_EVT_PAGE_FAULT
 * @payload: the event's payload, long enough for its opcode
 *
 * Hard-interrupt context under the channel lock, from
 * pvgpu_queue_fw_event().
 */
void pvgpu_userq_fw_event(struct pvgpu_user_queue *uq, u16 opcode,
			  const __le32 *payload)
{
	struct pvgpu_device *pvdev = uq->pvdev;
	const struct pvgpu_evt_queue_signal *sig = (const void *)payload;
	const struct pvgpu_evt_queue_error *err = (const void *)payload;
	const struct pvgpu_evt_page_fault *fault = (const void *)payload;
	unsigned long flags;
	u32 reason, guilty;

	switch (opcode) {
	case PVGPU_F2H_EVT_QUEUE_SIGNAL:
		pvgpu_userq_progress(uq);
		if (le32_to_cpu(sig->flags) & PVGPU_EVT_SIGNAL_PROGRESS)
			break;
		/* A SIGNAL command's interrupt: the queue's end of pipe. */
		pvgpu_userq_emit(uq, DRM_PVGPU_EVENT_QUEUE_EOP, 0,
				 pvgpu_userq_retired(uq), le64_to_cpu(sig->value),
				 0);
		if (wq_has_sleeper(&uq->pfile->ufence_wq))
			pvgpu_userq_queue_work(uq, &uq->ufence_work);
		break;
	case PVGPU_F2H_EVT_QUEUE_IDLE:
		pvgpu_userq_progress(uq);
		break;
	case PVGPU_F2H_EVT_QUEUE_ERROR:
		pvgpu_userq_progress(uq);
		reason = le32_to_cpu(err->error);
		guilty = le32_to_cpu(err->guilty);
		if (!pvgpu_userq_set_reset(uq, guilty ? PVGPU_USERQ_GUILTY : 0,
					   reason))
			break;
		uq->ban_error = pvgpu_fw_error_to_errno(reason, guilty);
		if (reason == PVGPU_QUEUE_ERR_PAGE_FAULT ||
		    reason == PVGPU_QUEUE_ERR_FAULT_FAILED) {
			spin_lock_irqsave(&uq->state_lock, flags);
			uq->base.fatal_fault.va = le64_to_cpu(err->fault_va);
			uq->base.fatal_fault.access =
				le32_to_cpu(err->fault_access);
			uq->base.fatal_fault.reason =
				le32_to_cpu(err->fault_reason);
			spin_unlock_irqrestore(&uq->state_lock, flags);
		}
		if (reason == PVGPU_QUEUE_ERR_PAGE_FAULT ||
		    reason == PVGPU_QUEUE_ERR_FAULT_FAILED)
			pvgpu_userq_emit(uq, DRM_PVGPU_EVENT_FAULT_ERROR, 0,
					 le64_to_cpu(err->fault_va),
					 le32_to_cpu(err->fault_access),
					 le32_to_cpu(err->fault_reason));
		pvgpu_userq_emit(uq, DRM_PVGPU_EVENT_QUEUE_RESET,
				 guilty ? DRM_PVGPU_EVENT_GUILTY : 0, reason,
				 (u64)(s64)uq->ban_error, 0);
		pvgpu_info_ratelimited(&pvdev->drm,
				       "user queue (fw %u): stopped by the firmware, error %u at 0x%llx\n",
				       uq->fw_id, reason,
				       le64_to_cpu(err->cmd_va));
		pvgpu_userq_queue_work(uq, &uq->error_work);
		break;
	case PVGPU_F2H_EVT_PAGE_FAULT:
		pvgpu_userq_record_fault(uq, le32_to_cpu(fault->fault_seqno),
					 le64_to_cpu(fault->va),
					 le32_to_cpu(fault->access),
					 le32_to_cpu(fault->reason), false);
		break;
	}
}

/* --- Creation and destruction ---------------------------------------------- */

/*
 * The file's doorbell page, allocated at its first user queue and kept
 * until the file goes (pvgpu_userq_file_fini()).
 */
static int pvgpu_userq_file_doorbells(struct pvgpu_file *pfile)
{
	struct pvgpu_device *pvdev = pfile->pvdev;
	u32 pages = pvdev->fw.info.num_doorbells;
	int ret = 0;

	mutex_lock(&pfile->userq_lock);
	if (!pfile->doorbell_group) {
		ret = pages < 2 ? -ENOSPC :
		      ida_alloc_range(&pvdev->doorbell_groups, 1, pages - 1,
				      GFP_KERNEL);
		if (ret > 0) {
			pfile->doorbell_group = ret;
			ret = 0;
		}
	}
	mutex_unlock(&pfile->userq_lock);
	return ret;
}

/*
 * A dword in the file's doorbell page. Destroyed queues free theirs at
 * their release (the firmware must have forgotten the doorbell first):
 * at the limit, those a moment ago are waited for once.
 */
static int pvgpu_userq_reserve_doorbell(struct pvgpu_user_queue *uq)
{
	u32 max = clamp_t(u32, READ_ONCE(pvgpu_max_user_queues_per_file), 1,
			  PVGPU_DOORBELLS_PER_PAGE);
	struct ida *ida = &uq->pfile->userq_doorbells;
	int ret;

	ret = ida_alloc_max(ida, max - 1, GFP_KERNEL);
	if (ret == -ENOSPC) {
		flush_workqueue(uq->pvdev->fault_wq);
		flush_workqueue(uq->pvdev->wq);
		flush_workqueue(uq->pvdev->wq);
		ret = ida_alloc_max(ida, max - 1, GFP_KERNEL);
	}
	if (ret < 0)
		return ret;
	uq->doorbell_index = ret;
	uq->doorbell_reserved = true;
	return 0;
}

static int pvgpu_userq_alloc_page(struct pvgpu_user_queue *uq,
				  struct page **page, dma_addr_t *dma)
{
	struct device *dev = uq->pvdev->drm.dev;
	dma_addr_t addr;

	*page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!*page)
		return -ENOMEM;
	addr = dma_map_page(dev, *page, 0, PAGE_SIZE, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(dev, addr))
		return -ENOMEM;
	*dma = addr;
	return 0;
}

static u32 pvgpu_userq_doorbell(struct pvgpu_user_queue *uq)
{
	return PVGPU_DOORBELL_ID(uq->pfile->doorbell_group, uq->doorbell_index);
}

/*
 * QUEUE_REGISTER: a user queue (no PRIVILEGED flag), its ring in the VM,
 * its pointers and progress in the two pages. The descriptor goes in
 * memory of its own, which the firmware reads once, before answering.
 */
static int pvgpu_userq_register(struct pvgpu_user_queue *uq)
{
	struct pvgpu_device *pvdev = uq->pvdev;
	struct pvgpu_msg_queue_register req = {
		.queue_id = cpu_to_le32(uq->fw_id),
	};
	struct pvgpu_channel_msg msg = {
		.opcode = PVGPU_H2F_QUEUE_REGISTER,
		.flags = PVGPU_CHANNEL_MSG_COMMIT,
		.req_dw = sizeof(req) / 4,
		.req = &req,
	};
	struct pvgpu_queue_desc *desc;
	struct pvgpu_dma mem = { };
	int ret;

	ret = pvgpu_dma_alloc(pvdev, &mem, SZ_4K);
	if (ret)
		return ret;
	desc = mem.vaddr;
	desc->engine_class = cpu_to_le32(uq->base.engine_class);
	desc->priority = cpu_to_le32(uq->priority);
	desc->timeslice_us = cpu_to_le32(uq->timeslice_us);
	desc->asid = cpu_to_le32(uq->base.vm->asid);
	desc->ring_addr = cpu_to_le64(uq->ring_va);
	desc->ring_size = cpu_to_le32(uq->ring_size);
	desc->doorbell = cpu_to_le32(pvgpu_userq_doorbell(uq));
	desc->rptr_addr = cpu_to_le64(uq->status_dma);
	desc->wptr_addr = cpu_to_le64(uq->wptr_dma);
	desc->fence_addr = cpu_to_le64(uq->status_dma +
				       PVGPU_USERQ_STATUS_PROGRESS);
	req.desc_addr = cpu_to_le64(mem.dma);

	/*
	 * As for exec queues (pvgpu_exec_queue_register()): whatever the
	 * outcome, the firmware uses none of this memory afterwards unless
	 * it answered OK.
	 */
	ret = pvgpu_channel_send(&pvdev->fw.ch, &msg,
				 READ_ONCE(pvgpu_fw_timeout_ms));
	if (ret == -EIO && msg.fw_status == PVGPU_STATUS_ENOSPC)
		ret = -ENOSPC;
	if (!ret)
		uq->registered = true;
	pvgpu_dma_free(pvdev, &mem);
	return ret;
}

static void pvgpu_userq_destroy_work(struct work_struct *work)
{
	struct pvgpu_user_queue *uq = container_of(work, struct pvgpu_user_queue,
						   destroy_work);
	struct pvgpu_device *pvdev = uq->pvdev;

	pvgpu_userq_set_reset(uq, PVGPU_USERQ_KILLED,
			      DRM_PVGPU_QUEUE_REASON_RESET);
	/* No bind job suspends or resumes it any more. */
	mutex_lock(&uq->base.vm->userq_lock);
	list_del_init(&uq->vm_link);
	mutex_unlock(&uq->base.vm->userq_lock);
	/* The firmware stops it (or the device wedges) before the fences. */
	mutex_lock(&uq->fw_lock);
	pvgpu_fw_queue_request(pvdev, uq->fw_id, PVGPU_H2F_QUEUE_RESET,
			       &uq->deregistered);
	pvgpu_userq_ban(uq, -ECANCELED);
	pvgpu_fw_queue_request(pvdev, uq->fw_id, PVGPU_H2F_QUEUE_DEREGISTER,
			       &uq->deregistered);
	mutex_unlock(&uq->fw_lock);

	/* No event finds it any more; the firmware's reference goes. */
	xa_erase_irq(&pvdev->fw_user_queues, uq->fw_id);
	synchronize_rcu();
	pvgpu_queue_put(&uq->base);
	/* The id's reference, handed over by pvgpu_userq_destroy(). */
	pvgpu_queue_put(&uq->base);
}

/* &pvgpu_queue.destroy: does not block, the rest is destroy_work's. */
static void pvgpu_userq_destroy(struct pvgpu_queue *queue)
{
	struct pvgpu_user_queue *uq = to_pvgpu_user_queue(queue);

	pvgpu_dep_queue_stop(&queue->dq);
	queue_work(uq->pvdev->wq, &uq->destroy_work);
}

static struct pvgpu_user_queue *
pvgpu_userq_create(struct pvgpu_file *pfile, struct pvgpu_vm *vm,
		   const struct drm_pvgpu_userq_create *args)
{
	struct pvgpu_device *pvdev = pfile->pvdev;
	struct pvgpu_user_queue *uq;
	int ret;

	uq = kzalloc(sizeof(*uq), GFP_KERNEL_ACCOUNT);
	if (!uq)
		return ERR_PTR(-ENOMEM);
	uq->pvdev = pvdev;
	uq->pfile = pvgpu_file_get(pfile);
	uq->base.kind = PVGPU_QUEUE_USER;
	uq->base.vm = pvgpu_vm_get(vm);
	uq->base.engine_class = args->engine_class;
	uq->base.destroy = pvgpu_userq_destroy;
	INIT_LIST_HEAD(&uq->base.link);
	uq->priority = args->priority;
	uq->timeslice_us = args->timeslice_us;
	uq->ring_va = args->ring_va;
	uq->ring_size = args->ring_size;
	uq->lr = pvgpu_vm_is_lr(vm);
	mutex_init(&uq->fw_lock);
	spin_lock_init(&uq->state_lock);
	INIT_LIST_HEAD(&uq->signal_jobs);
	INIT_LIST_HEAD(&uq->vm_link);
	INIT_WORK(&uq->error_work, pvgpu_userq_error_work);
	INIT_WORK(&uq->fault_work, pvgpu_userq_fault_work);
	INIT_WORK(&uq->ufence_work, pvgpu_userq_ufence_work);
	INIT_WORK(&uq->destroy_work, pvgpu_userq_destroy_work);

	ret = pvgpu_userq_file_doorbells(pfile);
	if (ret)
		goto err_free;
	ret = pvgpu_userq_reserve_doorbell(uq);
	if (ret)
		goto err_free;
	ret = pvgpu_fw_queue_reserve_id(pvdev, true, &uq->fw_id);
	if (ret)
		goto err_free;
	uq->fw_id_reserved = true;
	ret = pvgpu_userq_alloc_page(uq, &uq->status_page, &uq->status_dma);
	if (ret)
		goto err_free;
	uq->rptr_cpu = page_address(uq->status_page);
	uq->progress = page_address(uq->status_page) +
		       PVGPU_USERQ_STATUS_PROGRESS;
	ret = pvgpu_userq_alloc_page(uq, &uq->wptr_page, &uq->wptr_dma);
	if (ret)
		goto err_free;
	/* Registered and listed together: a device reset sees both or none. */
	ret = pvgpu_reset_read_lock(pvdev);
	if (ret)
		goto err_free;
	ret = pvgpu_userq_register(uq);
	if (ret)
		goto err_unlock;

	/* From here on only the dependency queue's release frees @uq. */
	ret = pvgpu_dep_queue_init(&uq->base.dq, &pvgpu_userq_ops,
				   "pvgpu-user", uq->lr ? PVGPU_DEP_QUEUE_LR : 0,
				   uq->lr ? 0 :
				   READ_ONCE(pvgpu_userq_signal_timeout_ms),
				   pvdev->wq);
	if (ret)
		goto err_deregister;

	mutex_lock(&pvdev->objs_lock);
	list_add_tail(&uq->base.link, &pvdev->queues);
	mutex_unlock(&pvdev->objs_lock);
	mutex_lock(&vm->userq_lock);
	list_add_tail(&uq->vm_link, &vm->user_queues);
	mutex_unlock(&vm->userq_lock);
	/* The firmware's reference. */
	pvgpu_queue_get(&uq->base);
	xa_store_irq(&pvdev->fw_user_queues, uq->fw_id, uq, GFP_KERNEL);
	pvgpu_reset_read_unlock(pvdev);
	return uq;

err_deregister:
	mutex_lock(&uq->fw_lock);
	pvgpu_fw_queue_request(pvdev, uq->fw_id, PVGPU_H2F_QUEUE_DEREGISTER,
			       &uq->deregistered);
	mutex_unlock(&uq->fw_lock);
err_unlock:
	pvgpu_reset_read_unlock(pvdev);
err_free:
	pvgpu_userq_free(uq);
	return ERR_PTR(ret);
}

static int pvgpu_userq_check_args(struct pvgpu_device *pvdev,
				  const struct drm_pvgpu_userq_create *args)
{
	u64 va_end = DRM_PVGPU_USER_VA_END(pvdev->fw.info.va_bits);

	if (args->extensions || args->flags)
		return -EINVAL;
	if (args->ring_size < SZ_4K || args->ring_size > SZ_4M ||
	    !is_power_of_2(args->ring_size))
		return -EINVAL;
	if (!IS_ALIGNED(args->ring_va, SZ_4K) || args->ring_va >= va_end ||
	    args->ring_size > va_end - args->ring_va)
		return -EINVAL;
	return pvgpu_queue_check_sched(pvdev, args->engine_class,
				       args->priority, args->timeslice_us);
}

/**
 * pvgpu_ioctl_userq_create() - DRM_IOCTL_PVGPU_USERQ_CREATE
 * @drm: the DRM device
 * @data: struct drm_pvgpu_userq_create
 * @file: the DRM file
 *
 * Return: 0, or the errors listed at struct drm_pvgpu_userq_create.
 */
int pvgpu_ioctl_userq_create(struct drm_device *drm, void *data,
			     struct drm_file *file)
{
	struct pvgpu_device *pvdev = to_pvgpu_device(drm);
	struct pvgpu_file *pfile = to_pvgpu_file(file);
	struct drm_pvgpu_userq_create *args = data;
	struct pvgpu_user_queue *uq;
	struct pvgpu_vm *vm;
	u32 id;
	int ret, idx;

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;
	ret = pvgpu_userq_check_args(pvdev, args);
	if (ret)
		goto out_exit;
	/* A user queue needs the retired count only the firmware writes. */
	ret = -EOPNOTSUPP;
	if (PVGPU_IFACE_VERSION_MINOR(pvdev->iface_version) <
	    PVGPU_IFACE_MINOR_PRIV_QUEUES)
		goto out_exit;

	ret = -ENOENT;
	vm = pvgpu_vm_lookup(pfile, args->vm_id);
	if (!vm)
		goto out_exit;
	ret = -ECANCELED;
	if (READ_ONCE(vm->error))
		goto out_vm;

	ret = xa_alloc(&pfile->queues, &id, NULL, xa_limit_31b,
		       GFP_KERNEL_ACCOUNT);
	if (ret)
		goto out_vm;
	uq = pvgpu_userq_create(pfile, vm, args);
	if (IS_ERR(uq)) {
		ret = PTR_ERR(uq);
		xa_erase(&pfile->queues, id);
		goto out_vm;
	}
	uq->base.id = id;
	xa_store(&pfile->queues, id, &uq->base, GFP_KERNEL);
	args->queue_id = id;
	args->doorbell_offset = uq->doorbell_index * PVGPU_DOORBELL_SIZE;
	args->status_offset = pvgpu_userq_mmap_offset(id,
						      PVGPU_USERQ_PAGE_STATUS);
	args->wptr_offset = pvgpu_userq_mmap_offset(id, PVGPU_USERQ_PAGE_WPTR);
	args->doorbell_page_offset = DRM_PVGPU_USERQ_MMAP_BASE;

out_vm:
	pvgpu_vm_put(vm);
out_exit:
	drm_dev_exit(idx);
	return ret;
}

/**
 * pvgpu_userq_file_fini() - give back a released file's doorbell page
 * @pfile: the file, whose queues are all gone (each held a reference)
 */
void pvgpu_userq_file_fini(struct pvgpu_file *pfile)
{
	if (pfile->doorbell_group)
		ida_free(&pfile->pvdev->doorbell_groups, pfile->doorbell_group);
	ida_destroy(&pfile->userq_doorbells);
	mutex_destroy(&pfile->userq_lock);
}

/**
 * pvgpu_userq_fini() - a user queue of a device being removed
 * @uq: the queue
 *
 * From pvgpu_queues_fini(): the firmware is stopped; every pending SIGNAL
 * fence signals with -ENODEV.
 */
void pvgpu_userq_fini(struct pvgpu_user_queue *uq)
{
	pvgpu_userq_set_reset(uq, 0, DRM_PVGPU_QUEUE_REASON_RESET);
	pvgpu_userq_ban(uq, -ENODEV);
}

/* --- mmap ------------------------------------------------------------------- */

static int pvgpu_userq_mmap_doorbell(struct pvgpu_file *pfile,
				     struct vm_area_struct *vma)
{
	struct pvgpu_device *pvdev = pfile->pvdev;
	resource_size_t base;
	u32 group;

	mutex_lock(&pfile->userq_lock);
	group = pfile->doorbell_group;
	mutex_unlock(&pfile->userq_lock);
	/* No user queue yet: no page of its own to map. */
	if (!group)
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	base = pci_resource_start(pvdev->pdev, PVGPU_BAR_DOORBELLS) +
	       (resource_size_t)group * PVGPU_DOORBELL_PAGE_SIZE;
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTCOPY | VM_DONTEXPAND |
		     VM_DONTDUMP);
	vm_flags_clear(vma, VM_MAYEXEC);
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	return io_remap_pfn_range(vma, vma->vm_start, PHYS_PFN(base),
				  PAGE_SIZE, vma->vm_page_prot);
}

static int pvgpu_userq_mmap_page(struct pvgpu_file *pfile,
				 struct vm_area_struct *vma, u32 queue_id,
				 u32 which)
{
	struct pvgpu_user_queue *uq;
	struct pvgpu_queue *queue;
	struct page *page;
	int ret;

	queue = pvgpu_queue_lookup(pfile, queue_id);
	if (!queue)
		return -EINVAL;
	ret = -EINVAL;
	if (queue->kind != PVGPU_QUEUE_USER)
		goto out_put;
	uq = to_pvgpu_user_queue(queue);

	ret = -EPERM;
	if (vma->vm_flags & VM_EXEC)
		goto out_put;
	if (which == PVGPU_USERQ_PAGE_STATUS) {
		/* What the kernel trusts is never writable by the process. */
		if (vma->vm_flags & VM_WRITE)
			goto out_put;
		vm_flags_clear(vma, VM_MAYWRITE);
		page = uq->status_page;
	} else {
		page = uq->wptr_page;
	}
	vm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_DONTDUMP);
	vm_flags_clear(vma, VM_MAYEXEC);
	/* The mapping takes a page reference of its own. */
	ret = vm_insert_page(vma, vma->vm_start, page);
out_put:
	pvgpu_queue_put(queue);
	return ret;
}

/**
 * pvgpu_userq_mmap() - map a page of a user queue of the file
 * @filp: the DRM file
 * @vma: the mapping, at or beyond DRM_PVGPU_USERQ_MMAP_BASE, one page
 *
 * Return: 0, -EINVAL (not one page, not a page of a user queue of this
 * file, no doorbell page yet), -EPERM (writable status page, executable
 * mapping) or the error of inserting the page.
 */
int pvgpu_userq_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct drm_file *file = filp->private_data;
	struct pvgpu_file *pfile = to_pvgpu_file(file);
	unsigned long pgoff = vma->vm_pgoff - PVGPU_USERQ_PGOFF_BASE;
	int ret, idx;

	if (vma->vm_end - vma->vm_start != PAGE_SIZE)
		return -EINVAL;
	/* Queue ids are 31-bit: two pages each, past the doorbell page. */
	if (pgoff > (u64)U32_MAX * 2 + 1)
		return -EINVAL;
	if (!drm_dev_enter(file->minor->dev, &idx))
		return -ENODEV;
	if (!pgoff)
		ret = pvgpu_userq_mmap_doorbell(pfile, vma);
	else
		ret = pvgpu_userq_mmap_page(pfile, vma, pgoff >> 1,
					    pgoff & 1);
	drm_dev_exit(idx);
	return ret;
}

/**
 * pvgpu_userq_zap_mappings() - unmap every user-queue page of a device
 * @pvdev: the device, unplugged
 *
 * Its doorbell BAR goes with the device: no process may write it after.
 */
void pvgpu_userq_zap_mappings(struct pvgpu_device *pvdev)
{
	struct address_space *mapping = pvdev->drm.anon_inode->i_mapping;

	unmap_mapping_range(mapping, DRM_PVGPU_USERQ_MMAP_BASE, 0, 1);
}

/**
 * pvgpu_userq_reset_lost() - a device reset lost a user queue's state
 * @uq: the queue
 *
 * The firmware that held where the queue was (in a batch, in a WAIT) was
 * reset: the queue is banned with reason DRM_PVGPU_QUEUE_REASON_DEVICE_RESET
 * and -ECANCELED, and marked deregistered, so that no request names it to
 * the new firmware. Step 2 of a device reset (pvgpu_reset.c).
 *
 * Return: true if this banned the queue (it was live).
 */
bool pvgpu_userq_reset_lost(struct pvgpu_user_queue *uq)
{
	bool lost = false;

	mutex_lock(&uq->fw_lock);
	if (uq->registered && !uq->deregistered) {
		uq->deregistered = true;
		if (pvgpu_userq_set_reset(uq, 0,
					  DRM_PVGPU_QUEUE_REASON_DEVICE_RESET)) {
			pvgpu_userq_emit(uq, DRM_PVGPU_EVENT_QUEUE_RESET, 0,
					 DRM_PVGPU_QUEUE_REASON_DEVICE_RESET,
					 (u64)(s64)-ECANCELED, 0);
			lost = true;
		}
		pvgpu_userq_ban(uq, -ECANCELED);
	}
	mutex_unlock(&uq->fw_lock);
	return lost;
}

/* --- Suspension around changes of the VM ------------------------------------ */

/* SUSPEND or RESUME; true if the firmware did it. Under fw_lock. */
static bool pvgpu_userq_fw_hold(struct pvgpu_user_queue *uq, u16 opcode)
{
	lockdep_assert_held(&uq->fw_lock);
	return !uq->deregistered &&
	       !pvgpu_fw_queue_hold(uq->pvdev, uq->fw_id, opcode);
}

/**
 * pvgpu_userq_vm_suspend() - take a VM's user queues off the hardware
 * @vm: the VM whose mappings a bind job is about to change
 *
 * Each user queue of @vm is suspended; the firmware answers once it is
 * off its slot (at a command boundary), so none runs while the page
 * tables change. Called by bind jobs, inside the dma-fence signalling
 * section: it sends firmware requests and allocates nothing. Memory
 * safety does not rest on it -- pages are freed only after the TLB
 * invalidation -- but a queue never sees a half-changed VM.
 *
 * Return: true with &pvgpu_vm.userq_lock held if the VM has user queues
 * (pvgpu_userq_vm_resume() must follow), false if it has none.
 */
bool pvgpu_userq_vm_suspend(struct pvgpu_vm *vm)
{
	struct pvgpu_user_queue *uq;

	mutex_lock(&vm->userq_lock);
	if (list_empty(&vm->user_queues)) {
		mutex_unlock(&vm->userq_lock);
		return false;
	}
	list_for_each_entry(uq, &vm->user_queues, vm_link) {
		mutex_lock(&uq->fw_lock);
		uq->suspended = pvgpu_userq_fw_hold(uq,
						    PVGPU_H2F_QUEUE_SUSPEND);
		mutex_unlock(&uq->fw_lock);
	}
	return true;
}

/**
 * pvgpu_userq_vm_resume() - undo pvgpu_userq_vm_suspend()
 * @vm: the VM, its &pvgpu_vm.userq_lock held by the suspend
 *
 * Resumes the queues it suspended (doorbells rung meanwhile take effect
 * now) and drops the lock.
 */
void pvgpu_userq_vm_resume(struct pvgpu_vm *vm)
{
	struct pvgpu_user_queue *uq;

	lockdep_assert_held(&vm->userq_lock);
	list_for_each_entry(uq, &vm->user_queues, vm_link) {
		if (!uq->suspended)
			continue;
		mutex_lock(&uq->fw_lock);
		/* System sleep holds it too: its resume lets it go. */
		if (!uq->pm_suspended)
			pvgpu_userq_fw_hold(uq, PVGPU_H2F_QUEUE_RESUME);
		mutex_unlock(&uq->fw_lock);
		uq->suspended = false;
		atomic64_inc(&uq->suspends);
	}
	mutex_unlock(&vm->userq_lock);
}

/* --- System sleep ------------------------------------------------------------ */

/**
 * pvgpu_userq_pm_suspend() - hold a user queue for system sleep
 * @uq: the queue
 *
 * The firmware takes it off the hardware at a command boundary and keeps
 * where it was (pvgpu_pm.c). A queue a bind job holds already is held
 * once more, harmlessly (SUSPEND of a suspended queue changes nothing).
 */
void pvgpu_userq_pm_suspend(struct pvgpu_user_queue *uq)
{
	mutex_lock(&uq->fw_lock);
	if (uq->registered)
		uq->pm_suspended = pvgpu_userq_fw_hold(uq,
						       PVGPU_H2F_QUEUE_SUSPEND);
	mutex_unlock(&uq->fw_lock);
}

/**
 * pvgpu_userq_pm_resume() - undo pvgpu_userq_pm_suspend()
 * @uq: the queue
 * @lost: the firmware lost the queue (a device reset ran)
 *
 * Resumes the queue unless a bind job still holds it (its
 * pvgpu_userq_vm_resume() does then); with @lost the firmware lost it
 * (a device reset ran) and only the flag goes.
 */
void pvgpu_userq_pm_resume(struct pvgpu_user_queue *uq, bool lost)
{
	mutex_lock(&uq->base.vm->userq_lock);
	mutex_lock(&uq->fw_lock);
	if (uq->pm_suspended && !lost && !uq->suspended)
		pvgpu_userq_fw_hold(uq, PVGPU_H2F_QUEUE_RESUME);
	uq->pm_suspended = false;
	mutex_unlock(&uq->fw_lock);
	mutex_unlock(&uq->base.vm->userq_lock);
}

/* --- State ------------------------------------------------------------------ */

/* The firmware's state of @uq, DRM_PVGPU_USERQ_STATE_*, or 0 if unknown. */
static u32 pvgpu_userq_query(struct pvgpu_user_queue *uq)
{
	struct pvgpu_device *pvdev = uq->pvdev;
	struct pvgpu_msg_queue req = {
		.queue_id = cpu_to_le32(uq->fw_id),
	};
	struct pvgpu_msg_queue_state resp = { };
	struct pvgpu_channel_msg msg = {
		.opcode = PVGPU_H2F_QUEUE_QUERY,
		.req_dw = sizeof(req) / 4,
		.req = &req,
		.resp_dw = sizeof(resp) / 4,
		.resp = &resp,
	};
	int ret = -ENODEV, idx;

	mutex_lock(&uq->fw_lock);
	if (!uq->deregistered && drm_dev_enter(&pvdev->drm, &idx)) {
		ret = pvgpu_channel_send(&pvdev->fw.ch, &msg,
					 READ_ONCE(pvgpu_fw_timeout_ms));
		drm_dev_exit(idx);
	}
	/*
	 * A fault whose event was lost (interface 1.3 reports it): handle
	 * it as the event would have been. Still under fw_lock, so the fault
	 * work cannot have answered it meanwhile; an event that did come was
	 * recorded before this response (the F2H ring is in order).
	 */
	if (!ret && le32_to_cpu(resp.state) == PVGPU_QUEUE_STATE_FAULTED &&
	    msg.resp_dw >= sizeof(resp) / 4 && resp.fault_seqno)
		pvgpu_userq_record_fault(uq, le32_to_cpu(resp.fault_seqno),
					 le64_to_cpu(resp.fault_va),
					 le32_to_cpu(resp.fault_access),
					 le32_to_cpu(resp.fault_reason), true);
	mutex_unlock(&uq->fw_lock);
	if (ret || msg.resp_dw < PVGPU_QUEUE_STATE_V12_DW)
		return 0;

	switch (le32_to_cpu(resp.state)) {
	case PVGPU_QUEUE_STATE_IDLE:
		return DRM_PVGPU_USERQ_STATE_IDLE;
	case PVGPU_QUEUE_STATE_SUSPENDED:
		return DRM_PVGPU_USERQ_STATE_SUSPENDED;
	case PVGPU_QUEUE_STATE_ERROR:
		return DRM_PVGPU_USERQ_STATE_STOPPED;
	default:
		return DRM_PVGPU_USERQ_STATE_RUNNING;
	}
}

/**
 * pvgpu_userq_get_state() - DRM_IOCTL_PVGPU_QUEUE_GET_STATE of a user queue
 * @uq: the queue
 * @args: the ioctl's argument, the dependency queue's fields filled in
 */
void pvgpu_userq_get_state(struct pvgpu_user_queue *uq,
			   struct drm_pvgpu_queue_get_state *args)
{
	unsigned long flags;
	u32 state, reason;

	spin_lock_irqsave(&uq->state_lock, flags);
	state = uq->state;
	reason = uq->reason;
	args->fault_addr = uq->base.fatal_fault.va;
	args->fault_access = uq->base.fatal_fault.access;
	args->fault_type = uq->base.fatal_fault.reason;
	spin_unlock_irqrestore(&uq->state_lock, flags);

	if (state & PVGPU_USERQ_RESET)
		args->flags |= DRM_PVGPU_QUEUE_STATE_RESET;
	if (state & PVGPU_USERQ_GUILTY)
		args->flags |= DRM_PVGPU_QUEUE_STATE_GUILTY;
	if (pvgpu_dep_queue_is_banned(&uq->base.dq))
		args->flags |= DRM_PVGPU_QUEUE_STATE_BANNED;
	args->reason = reason;
	args->error = args->flags & DRM_PVGPU_QUEUE_STATE_BANNED ?
		      uq->base.dq.error : 0;
	args->fw_state = pvgpu_userq_query(uq);
	args->retired = pvgpu_userq_retired(uq);
}

/**
 * pvgpu_userq_debugfs_print() - a user queue in the debugfs "queues" file
 * @uq: the queue
 * @p: where to print
 */
void pvgpu_userq_debugfs_print(struct pvgpu_user_queue *uq,
			       struct drm_printer *p)
{
	drm_printf(p, "user queue fw %u: %s%s priority %u timeslice %u us doorbell %u\n",
		   uq->fw_id, pvgpu_engine_class_name(uq->base.engine_class),
		   uq->lr ? " lr" : "", uq->priority, uq->timeslice_us,
		   pvgpu_userq_doorbell(uq));
	drm_printf(p, "  ring 0x%llx+0x%x rptr 0x%x retired %llu notify %llu\n",
		   uq->ring_va, uq->ring_size,
		   le32_to_cpu(READ_ONCE(*uq->rptr_cpu)),
		   pvgpu_userq_retired(uq),
		   le64_to_cpu(READ_ONCE(uq->progress->notify_at)));
	drm_printf(p, "  state 0x%x reason %u suspends %lld\n",
		   READ_ONCE(uq->state), READ_ONCE(uq->reason),
		   atomic64_read(&uq->suspends));
	pvgpu_dep_queue_print(&uq->base.dq, p);
}
