// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: PCI and DRM driver registration.
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_managed.h>
#include <drm/drm_prime.h>
#include <drm/drm_print.h>

#include <uapi/drm/pvgpu_drm.h>

#include "pvgpu_debugfs.h"
#include "pvgpu_drv.h"
#include "pvgpu_gem.h"
#include "pvgpu_ioctl.h"
#include "pvgpu_queue.h"
#include "pvgpu_regs.h"
#include "pvgpu_svm.h"
#include "pvgpu_userq.h"
#include "pvgpu_vm.h"

/**
 * DOC: Driver overview
 *
 * pvgpu.ko drives the pvgpu paravirtual GPU, a PCI function whose firmware
 * schedules GPU queues (docs/driver.rst describes the whole driver).
 *
 * **Probe** (pvgpu_pci_probe()), in this order, each step undone in
 * reverse on failure:
 *
 * 1. pcim_enable_device();
 * 2. devm_drm_dev_alloc() of struct pvgpu_device;
 * 3. map BAR0 (the register page) and page 0 of BAR2 (the kernel's
 *    doorbells), check PVGPU_REG_ID and the interface major;
 * 4. a 64-bit DMA mask and the MSI-X vectors;
 * 5. pvgpu_fw_init(): reset a firmware left running, shared memory,
 *    interrupt handler, bus mastering (only now: without it the device's
 *    MSI-X writes and DMA are dropped), firmware boot, capabilities,
 *    message channel;
 * 6. the debugfs files, then drm_dev_register(): the files exist before
 *    any device node does.
 *
 * **Remove** (pvgpu_pci_remove()), in this order:
 *
 * 1. pvgpu_fw_stop(): reset the firmware and block its DMA, then fail
 *    pending firmware requests so no ioctl or bind job sleeps on them (in
 *    that order: a sender may free what a failed request named);
 * 2. drm_dev_unplug(): ioctls return -ENODEV; the sections inside
 *    drm_dev_enter() have left: the parts of ioctls that create DMA
 *    mappings (VM_CREATE, QUEUE_CREATE, VM_BIND's preparation) and bind
 *    jobs writing page tables; debugfs is gone;
 * 3. pvgpu_queues_fini(): every exec queue is banned, its fences signal
 *    with -ENODEV;
 * 4. pvgpu_fw_fini(): the interrupt, the channel and the firmware's own
 *    memory (the firmware stopped in step 1);
 * 5. pvgpu_queues_hw_fini(): the queues' coherent DMA pages;
 * 6. pvgpu_vm_dma_fini(): every page-table page of every VM (in the tree,
 *    the pools, preallocated by pending jobs, freed or parked) and every
 *    userptr range is DMA-unmapped; the pages stay (CPU side, pins);
 * 7. pvgpu_gem_dma_fini(): every BO's device mapping is dropped
 *    (imports are detached from their dma-buf), waiting for BOs being
 *    freed.
 *
 * After step 7 the device has no DMA mapping, which the DMA-API debug
 * checks when the driver is released. Open files, and with them VMs,
 * queues and BOs, live on: struct pvgpu_device is freed with the last
 * reference to the DRM device (files, VMs through their &drm_gpuvm,
 * exported dma-bufs). Their later teardown (file close, queue release,
 * the VM teardown worker, BO free) sends no firmware request (each is
 * inside drm_dev_enter(), which fails) and frees memory without
 * unmapping it again (&pvgpu_device.dma_released, &pvgpu_pt.dma_dead,
 * &pvgpu_userptr.mapped, the BO list). The last &drm_device reference is
 * never dropped on &pvgpu_device.wq, whose destruction (in the DRM
 * device's release) would wait for itself: VMs drop theirs in their
 * teardown worker on system_unbound_wq. The MSI-X vectors, mappings and
 * regions are devres-managed (pcim_enable_device() makes
 * pci_alloc_irq_vectors() managed too).
 */

unsigned int pvgpu_boot_timeout_ms = 5000;
module_param_named(boot_timeout_ms, pvgpu_boot_timeout_ms, uint, 0644);
MODULE_PARM_DESC(boot_timeout_ms,
		 "Firmware boot and reset timeout in ms (default 5000)");

unsigned int pvgpu_fw_timeout_ms = 5000;
module_param_named(fw_timeout_ms, pvgpu_fw_timeout_ms, uint, 0644);
MODULE_PARM_DESC(fw_timeout_ms,
		 "Firmware request timeout in ms, incl. waiting for ring space (default 5000)");

int pvgpu_fw_log_level = -1;
module_param_named(fw_log_level, pvgpu_fw_log_level, int, 0444);
MODULE_PARM_DESC(fw_log_level,
		 "Firmware log level set at boot: 0 error .. 3 debug, -1 firmware default (default -1)");

bool pvgpu_fw_log_dmesg;
module_param_named(fw_log_dmesg, pvgpu_fw_log_dmesg, bool, 0644);
MODULE_PARM_DESC(fw_log_dmesg,
		 "Copy new firmware log lines to the kernel log (default false)");

static const struct drm_ioctl_desc pvgpu_ioctls[] = {
	DRM_IOCTL_DEF_DRV(PVGPU_QUERY, pvgpu_ioctl_query, DRM_RENDER_ALLOW),
	/*
	 * Every ping occupies the kernel's only firmware channel (send_lock
	 * and the H2F ring), which kernel-critical requests share: only
	 * CAP_SYS_ADMIN may do that, on either node.
	 */
	DRM_IOCTL_DEF_DRV(PVGPU_FW_PING, pvgpu_ioctl_fw_ping,
			  DRM_ROOT_ONLY | DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PVGPU_GEM_CREATE, pvgpu_ioctl_gem_create,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PVGPU_GEM_MMAP_OFFSET, pvgpu_ioctl_gem_mmap_offset,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PVGPU_VM_CREATE, pvgpu_ioctl_vm_create,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PVGPU_VM_DESTROY, pvgpu_ioctl_vm_destroy,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PVGPU_VM_GET_STATE, pvgpu_ioctl_vm_get_state,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PVGPU_VM_BIND, pvgpu_ioctl_vm_bind, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PVGPU_QUEUE_CREATE, pvgpu_ioctl_queue_create,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PVGPU_QUEUE_DESTROY, pvgpu_ioctl_queue_destroy,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PVGPU_QUEUE_GET_STATE, pvgpu_ioctl_queue_get_state,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PVGPU_EXEC, pvgpu_ioctl_exec, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PVGPU_WAIT_USER_FENCE, pvgpu_ioctl_wait_user_fence,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PVGPU_USERQ_CREATE, pvgpu_ioctl_userq_create,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PVGPU_USERQ_SIGNAL, pvgpu_ioctl_userq_signal,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PVGPU_USERQ_WAIT, pvgpu_ioctl_userq_wait,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PVGPU_EVENT_SUBSCRIBE, pvgpu_ioctl_event_subscribe,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PVGPU_EVENT_UNSUBSCRIBE,
			  pvgpu_ioctl_event_unsubscribe, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PVGPU_WAIT_EVENT, pvgpu_ioctl_wait_event,
			  DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(PVGPU_VM_RESTART, pvgpu_ioctl_vm_restart,
			  DRM_RENDER_ALLOW),
};

static void pvgpu_file_release(struct kref *ref)
{
	struct pvgpu_file *pfile = container_of(ref, struct pvgpu_file,
						refcount);

	pvgpu_userq_file_fini(pfile);
	pvgpu_events_fini(&pfile->events);
	xa_destroy(&pfile->vms);
	xa_destroy(&pfile->queues);
	kfree(pfile);
}

/**
 * pvgpu_file_get() - take a reference to a file's driver state
 * @pfile: the file's state
 *
 * Return: @pfile.
 */
struct pvgpu_file *pvgpu_file_get(struct pvgpu_file *pfile)
{
	kref_get(&pfile->refcount);
	return pfile;
}

/**
 * pvgpu_file_put() - drop a reference taken by pvgpu_file_get()
 * @pfile: the file's state, or NULL
 *
 * Any context.
 */
void pvgpu_file_put(struct pvgpu_file *pfile)
{
	if (pfile)
		kref_put(&pfile->refcount, pvgpu_file_release);
}

static int pvgpu_open(struct drm_device *drm, struct drm_file *file)
{
	struct pvgpu_file *pfile;

	pfile = kzalloc(sizeof(*pfile), GFP_KERNEL);
	if (!pfile)
		return -ENOMEM;

	kref_init(&pfile->refcount);
	pfile->pvdev = to_pvgpu_device(drm);
	xa_init_flags(&pfile->vms, XA_FLAGS_ALLOC1);
	xa_init_flags(&pfile->queues, XA_FLAGS_ALLOC1);
	init_waitqueue_head(&pfile->ufence_wq);
	mutex_init(&pfile->userq_lock);
	ida_init(&pfile->userq_doorbells);
	pvgpu_events_init(&pfile->events);
	file->driver_priv = pfile;
	return 0;
}

static void pvgpu_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct pvgpu_file *pfile = to_pvgpu_file(file);

	pvgpu_events_close(&pfile->events);
	/* Queues first: they hold references to the VMs. */
	pvgpu_queue_file_close(pfile);
	pvgpu_vm_file_close(pfile);
	file->driver_priv = NULL;
	pvgpu_file_put(pfile);
}

static void pvgpu_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	pvgpu_queue_show_fdinfo(to_pvgpu_file(file), p);
	drm_show_memory_stats(p, file);
}

/* GEM objects, or beyond them the pages of user queues. */
static int pvgpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff >= DRM_PVGPU_USERQ_MMAP_BASE >> PAGE_SHIFT)
		return pvgpu_userq_mmap(filp, vma);
	return drm_gem_mmap(filp, vma);
}

/* DRM_GEM_FOPS with the mmap above and show_fdinfo (fdinfo needs it). */
static const struct file_operations pvgpu_drm_fops = {
	.owner = THIS_MODULE,
	.open = drm_open,
	.release = drm_release,
	.unlocked_ioctl = drm_ioctl,
	.compat_ioctl = drm_compat_ioctl,
	.poll = drm_poll,
	.read = drm_read,
	.llseek = noop_llseek,
	.mmap = pvgpu_mmap,
	.fop_flags = FOP_UNSIGNED_OFFSET,
	.show_fdinfo = drm_show_fdinfo,
};

static const struct drm_driver pvgpu_drm_driver = {
	.driver_features = DRIVER_RENDER | DRIVER_GEM | DRIVER_GEM_GPUVA |
			   DRIVER_SYNCOBJ | DRIVER_SYNCOBJ_TIMELINE,
	.open = pvgpu_open,
	.postclose = pvgpu_postclose,
	.show_fdinfo = pvgpu_show_fdinfo,
	.gem_create_object = pvgpu_gem_create_object,
	.gem_prime_import = pvgpu_gem_prime_import,
	.gem_prime_import_sg_table = drm_gem_shmem_prime_import_sg_table,
	.dumb_create = pvgpu_gem_dumb_create,
	.ioctls = pvgpu_ioctls,
	.num_ioctls = ARRAY_SIZE(pvgpu_ioctls),
	.fops = &pvgpu_drm_fops,
	.name = PVGPU_DRIVER_NAME,
	.desc = PVGPU_DRIVER_DESC,
	.date = PVGPU_DRIVER_DATE,
	.major = PVGPU_DRIVER_MAJOR,
	.minor = PVGPU_DRIVER_MINOR,
	.patchlevel = PVGPU_DRIVER_PATCHLEVEL,
};

static void pvgpu_objs_fini(struct drm_device *drm, void *arg)
{
	struct pvgpu_device *pvdev = to_pvgpu_device(drm);

	/* Every queue and VM is gone: the device is released. */
	pvgpu_fault_wq_fini(pvdev);
	/* Before @wq: a reset bans queues, whose works run there. */
	pvgpu_reset_fini(pvdev);
	destroy_workqueue(pvdev->wq);
	/* After @wq: its works signal fences, which queue user-fence writes. */
	destroy_workqueue(pvdev->ufence_write_wq);
	WARN_ON(!xa_empty(&pvdev->fw_queues));
	xa_destroy(&pvdev->fw_queues);
	WARN_ON(!xa_empty(&pvdev->fw_user_queues));
	xa_destroy(&pvdev->fw_user_queues);
	ida_destroy(&pvdev->doorbell_groups);
	ida_destroy(&pvdev->asids);
	mutex_destroy(&pvdev->bo_lock);
	mutex_destroy(&pvdev->dma_lock);
	mutex_destroy(&pvdev->objs_lock);
}

/*
 * What queues and VMs need; lives as long as the DRM device, which open
 * files (and so queues and VMs) may keep beyond the PCI function's removal.
 */
static int pvgpu_objs_init(struct pvgpu_device *pvdev)
{
	pvdev->wq = alloc_workqueue("pvgpu", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!pvdev->wq)
		return -ENOMEM;
	/* User-fence writes may fault in user memory: no WQ_MEM_RECLAIM. */
	pvdev->ufence_write_wq = alloc_workqueue("pvgpu-ufence", WQ_UNBOUND, 0);
	if (!pvdev->ufence_write_wq) {
		destroy_workqueue(pvdev->wq);
		return -ENOMEM;
	}
	/* GPU page faults: bounded workers (pvgpu_svm.c). */
	if (pvgpu_fault_wq_init(pvdev)) {
		destroy_workqueue(pvdev->ufence_write_wq);
		destroy_workqueue(pvdev->wq);
		return -ENOMEM;
	}
	if (pvgpu_reset_init(pvdev)) {
		pvgpu_fault_wq_fini(pvdev);
		destroy_workqueue(pvdev->ufence_write_wq);
		destroy_workqueue(pvdev->wq);
		return -ENOMEM;
	}
	INIT_WORK(&pvdev->queues_recover_work, pvgpu_queues_recover_work);
	ida_init(&pvdev->asids);
	xa_init_flags(&pvdev->fw_queues, XA_FLAGS_LOCK_IRQ);
	xa_init_flags(&pvdev->fw_user_queues, XA_FLAGS_LOCK_IRQ);
	ida_init(&pvdev->doorbell_groups);
	mutex_init(&pvdev->objs_lock);
	INIT_LIST_HEAD(&pvdev->vms);
	INIT_LIST_HEAD(&pvdev->queues);
	mutex_init(&pvdev->dma_lock);
	INIT_LIST_HEAD(&pvdev->pts);
	INIT_LIST_HEAD(&pvdev->userptrs);
	INIT_LIST_HEAD(&pvdev->svm_chunks);
	mutex_init(&pvdev->bo_lock);
	INIT_LIST_HEAD(&pvdev->bos);
	init_waitqueue_head(&pvdev->bos_wq);
	return drmm_add_action_or_reset(&pvdev->drm, pvgpu_objs_fini, NULL);
}

static int pvgpu_map_bars(struct pvgpu_device *pvdev)
{
	struct pci_dev *pdev = pvdev->pdev;
	struct drm_device *drm = &pvdev->drm;
	int ret;

	if (!(pci_resource_flags(pdev, PVGPU_BAR_REGS) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, PVGPU_BAR_REGS) < PVGPU_BAR0_SIZE ||
	    !(pci_resource_flags(pdev, PVGPU_BAR_DOORBELLS) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, PVGPU_BAR_DOORBELLS) <
	    PVGPU_DOORBELL_PAGE_SIZE) {
		drm_err(drm, "unexpected BAR layout\n");
		return -ENODEV;
	}

	ret = pcim_request_all_regions(pdev, PVGPU_DRIVER_NAME);
	if (ret) {
		drm_err(drm, "cannot claim the BARs: %d\n", ret);
		return ret;
	}

	pvdev->regs = pcim_iomap_range(pdev, PVGPU_BAR_REGS, 0,
				       PVGPU_REGS_SIZE);
	if (IS_ERR(pvdev->regs))
		return PTR_ERR(pvdev->regs);

	pvdev->doorbells = pcim_iomap_range(pdev, PVGPU_BAR_DOORBELLS,
					    PVGPU_DOORBELL_GROUP_KERNEL *
					    PVGPU_DOORBELL_PAGE_SIZE,
					    PVGPU_DOORBELL_PAGE_SIZE);
	if (IS_ERR(pvdev->doorbells))
		return PTR_ERR(pvdev->doorbells);

	return 0;
}

static int pvgpu_check_hw(struct pvgpu_device *pvdev)
{
	struct drm_device *drm = &pvdev->drm;
	u32 id = pvgpu_read(pvdev, PVGPU_REG_ID);
	u64 bar_pages;

	if (id != PVGPU_ID_MAGIC) {
		drm_err(drm, "not a pvgpu: ID register %#010x\n", id);
		return -ENODEV;
	}

	pvdev->iface_version = pvgpu_read(pvdev, PVGPU_REG_VERSION);
	if (PVGPU_IFACE_VERSION_MAJOR(pvdev->iface_version) !=
	    PVGPU_IFACE_MAJOR) {
		drm_err(drm, "interface %u.%u not supported (driver: %u.%u)\n",
			PVGPU_IFACE_VERSION_MAJOR(pvdev->iface_version),
			PVGPU_IFACE_VERSION_MINOR(pvdev->iface_version),
			PVGPU_IFACE_MAJOR, PVGPU_IFACE_MINOR);
		return -ENODEV;
	}

	pvdev->hwcaps = pvgpu_read(pvdev, PVGPU_REG_HWCAPS);
	if (!(pvdev->hwcaps & PVGPU_HWCAP_MSIX)) {
		drm_err(drm, "device without MSI-X not supported\n");
		return -ENODEV;
	}

	pvdev->num_doorbell_pages = pvgpu_read(pvdev, PVGPU_REG_DOORBELL_COUNT);
	bar_pages = pci_resource_len(pvdev->pdev, PVGPU_BAR_DOORBELLS) /
		    PVGPU_DOORBELL_PAGE_SIZE;
	if (!pvdev->num_doorbell_pages ||
	    pvdev->num_doorbell_pages > bar_pages) {
		drm_err(drm, "%u doorbell pages, but BAR2 holds %llu\n",
			pvdev->num_doorbell_pages, bar_pages);
		return -ENODEV;
	}

	return 0;
}

static int pvgpu_pci_probe(struct pci_dev *pdev,
			   const struct pci_device_id *id)
{
	struct pvgpu_device *pvdev;
	int ret;

	/* Bus mastering waits for pvgpu_fw_init(): see there. */
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;

	pvdev = devm_drm_dev_alloc(&pdev->dev, &pvgpu_drm_driver,
				   struct pvgpu_device, drm);
	if (IS_ERR(pvdev))
		return PTR_ERR(pvdev);
	pvdev->pdev = pdev;
	pci_set_drvdata(pdev, pvdev);

	ret = pvgpu_map_bars(pvdev);
	if (ret)
		return ret;
	ret = pvgpu_check_hw(pvdev);
	if (ret)
		return ret;

	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret) {
		drm_err(&pvdev->drm, "no usable DMA mask: %d\n", ret);
		return ret;
	}
	/*
	 * The GPU MMU maps page by page: a buffer's scatterlist segments may
	 * be as long as the pages are contiguous (the default is 64 KiB).
	 */
	dma_set_max_seg_size(&pdev->dev, UINT_MAX);

	/* Freed by devres: pcim_enable_device() made them managed. */
	ret = pci_alloc_irq_vectors(pdev, PVGPU_MSIX_VECTORS,
				    PVGPU_MSIX_VECTORS, PCI_IRQ_MSIX);
	if (ret < 0) {
		drm_err(&pvdev->drm, "cannot allocate MSI-X vectors: %d\n",
			ret);
		return ret;
	}

	ret = pvgpu_objs_init(pvdev);
	if (ret)
		return ret;

	ret = pvgpu_fw_init(pvdev);
	if (ret)
		return ret;

	/* Before the device nodes appear, so they never lack their files. */
	pvgpu_debugfs_init(pvdev);

	ret = drm_dev_register(&pvdev->drm, 0);
	if (ret)
		goto err_debugfs_fini;
	return 0;

err_debugfs_fini:
	/* The files read firmware memory: gone before it is freed. */
	pvgpu_debugfs_fini(pvdev);
	pvgpu_fw_fini(pvdev);
	return ret;
}

static void pvgpu_pci_remove(struct pci_dev *pdev)
{
	struct pvgpu_device *pvdev = pci_get_drvdata(pdev);

	/*
	 * The firmware stops touching memory first; then nobody may sleep on
	 * it while unplug waits for ioctls (a request failing with -ENODEV
	 * lets its sender free what the firmware could reach).
	 */
	pvgpu_fw_stop(pvdev);
	drm_dev_unplug(&pvdev->drm);
	/* No process writes the doorbell BAR of a gone device. */
	pvgpu_userq_zap_mappings(pvdev);
	/* Every queue stops; outstanding fences signal with -ENODEV. */
	pvgpu_queues_fini(pvdev);
	pvgpu_fw_fini(pvdev);
	/* The firmware is stopped: the queues' DMA pages can go. */
	pvgpu_queues_hw_fini(pvdev);
	/*
	 * And every other DMA mapping of the device: page tables, userptr
	 * ranges, then the objects' pages. Files keep the objects; nothing
	 * maps again, nothing unmaps again (see the DOC: above).
	 */
	pvgpu_vm_dma_fini(pvdev);
	pvgpu_gem_dma_fini(pvdev);
	/* Devres frees the MSI-X vectors, the mappings and the regions. */
}

static void pvgpu_pci_shutdown(struct pci_dev *pdev)
{
	struct pvgpu_device *pvdev = pci_get_drvdata(pdev);

	/* Keep the firmware from writing to memory the next kernel owns. */
	pvgpu_fw_shutdown(pvdev);
}

static const struct pci_device_id pvgpu_pci_ids[] = {
	{ PCI_DEVICE(PVGPU_PCI_VENDOR_ID, PVGPU_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, pvgpu_pci_ids);

static struct pci_driver pvgpu_pci_driver = {
	.name = PVGPU_DRIVER_NAME,
	.id_table = pvgpu_pci_ids,
	.probe = pvgpu_pci_probe,
	.remove = pvgpu_pci_remove,
	.shutdown = pvgpu_pci_shutdown,
	.driver.pm = pm_sleep_ptr(&pvgpu_pm_ops),
};
module_pci_driver(pvgpu_pci_driver);

MODULE_AUTHOR("The pvgpu authors");
MODULE_DESCRIPTION(PVGPU_DRIVER_DESC " driver");
MODULE_LICENSE("GPL");
