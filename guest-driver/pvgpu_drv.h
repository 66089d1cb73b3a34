/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvgpu guest driver: the device structure and what every file shares.
 *
 * Copyright (C) 2026 The pvgpu authors
 */
#ifndef PVGPU_DRV_H
#define PVGPU_DRV_H

#include <linux/atomic.h>
#include <linux/dev_printk.h>
#include <linux/idr.h>
#include <linux/io.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/ratelimit.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <drm/drm_print.h>

#include "pvgpu_event.h"
#include "pvgpu_fw.h"
#include "pvgpu_pm.h"
#include "pvgpu_reset.h"

#define PVGPU_DRIVER_NAME	"pvgpu"
#define PVGPU_DRIVER_DESC	"pvgpu paravirtual GPU"
#define PVGPU_DRIVER_DATE	"20261121"
#define PVGPU_DRIVER_MAJOR	0
#define PVGPU_DRIVER_MINOR	1
#define PVGPU_DRIVER_PATCHLEVEL	0

/**
 * struct pvgpu_device - one pvgpu PCI function
 *
 * Allocated with devm_drm_dev_alloc(), so it lives until the last reference
 * to @drm is dropped, which may be long after the PCI function was removed
 * (an open file keeps it). Everything that touches the hardware (@regs,
 * @doorbells, @fw) is only valid between probe and remove; ioctls reach it
 * inside drm_dev_enter()/drm_dev_exit().
 */
struct pvgpu_device {
	/** @drm: the DRM device, first so container_of() is free. */
	struct drm_device drm;

	/** @pdev: the PCI function. */
	struct pci_dev *pdev;

	/** @regs: BAR0 register page (PVGPU_REGS_SIZE bytes). */
	void __iomem *regs;

	/**
	 * @doorbells: the kernel's doorbell group, page
	 * PVGPU_DOORBELL_GROUP_KERNEL of BAR2. The pages of user groups are
	 * mapped into processes only (pvgpu_userq.c).
	 */
	void __iomem *doorbells;

	/** @iface_version: PVGPU_REG_VERSION as read at probe. */
	u32 iface_version;

	/** @hwcaps: PVGPU_REG_HWCAPS as read at probe. */
	u32 hwcaps;

	/** @num_doorbell_pages: PVGPU_REG_DOORBELL_COUNT as read at probe. */
	u32 num_doorbell_pages;

	/** @fw: the firmware, its shared memory and its message channel. */
	struct pvgpu_fw fw;

	/** @reset: device reset and recovery (pvgpu_reset.c). */
	struct pvgpu_reset reset;

	/** @pm: system sleep (pvgpu_pm.c). */
	struct pvgpu_pm pm;

	/** @asids: firmware address-space ids in use (pvgpu_vm.c). */
	struct ida asids;

	/**
	 * @wq: workqueue of the dependency queues (run, timeout and release
	 * work), of fault replies and queue recovery (WQ_MEM_RECLAIM: its
	 * works signal fences). User-fence writes use @ufence_write_wq.
	 */
	struct workqueue_struct *wq;

	/**
	 * @ufence_write_wq: workqueue of the user-fence writes (pvgpu_sync.c):
	 * a put_user() in the process's mm may block on a page fault (a FUSE
	 * mapping, say), so it is kept away from @wq, whose works signal
	 * fences and may be needed for memory reclaim (no WQ_MEM_RECLAIM).
	 */
	struct workqueue_struct *ufence_write_wq;
	/**
	 * @fault_wq: workqueue of the queues' GPU page-fault works, at most
	 * fault_workers of them at once (pvgpu_svm.c).
	 */
	struct workqueue_struct *fault_wq;
	/**
	 * @inject_lose_fault_events: test hook (debugfs): the next N
	 * PAGE_FAULT events are ignored, as if lost (pvgpu_queue_event.c).
	 */
	atomic_t inject_lose_fault_events;

	/**
	 * @events_lost_seen: &pvgpu_channel_stats.events_lost as the queue
	 * code last saw it; protected by the channel lock (pvgpu_queue_event.c).
	 */
	u64 events_lost_seen;

	/**
	 * @queues_recover_work: asks the firmware for the state of every exec
	 * queue, to recover error and page-fault events the firmware dropped
	 * (pvgpu_queue_event.c). Runs on @wq.
	 */
	struct work_struct queues_recover_work;

	/**
	 * @fw_queues: firmware queue id -> exec queue (pvgpu_queue_fw.c); the
	 * interrupt handler looks queues up under RCU. Holds the ids of user
	 * queues too, reserved (an empty entry).
	 */
	struct xarray fw_queues;
	/**
	 * @fw_user_queues: firmware queue id -> user queue (pvgpu_userq.c),
	 * looked up as @fw_queues is.
	 */
	struct xarray fw_user_queues;
	/**
	 * @doorbell_groups: doorbell pages of BAR2 given to files with user
	 * queues (1 .. num_doorbells - 1; page 0 is the kernel's).
	 */
	struct ida doorbell_groups;

	/** @objs_lock: protects @vms and @queues (debugfs lists). */
	struct mutex objs_lock;
	/** @vms: every live struct pvgpu_vm, for debugfs. */
	struct list_head vms;
	/** @queues: every live exec, bind and user queue, for debugfs. */
	struct list_head queues;

	/*
	 * DMA mappings of the device, released by pvgpu_pci_remove() while
	 * files (and so VMs, queues and BOs) may live on.
	 */
	/**
	 * @dma_lock: protects @pts, @userptrs, @svm_chunks and
	 * @dma_released.
	 */
	struct mutex dma_lock;
	/** @pts: every page-table tree (struct pvgpu_pt, pvgpu_pt.c). */
	struct list_head pts;
	/** @userptrs: every pinned userptr range (pvgpu_userptr.c). */
	struct list_head userptrs;
	/** @svm_chunks: every DMA-mapped SVM chunk (pvgpu_svm.c). */
	struct list_head svm_chunks;
	/**
	 * @dma_released: set under @dma_lock by pvgpu_pci_remove() once the
	 * firmware is stopped: the page tables and userptr ranges were
	 * DMA-unmapped, and none is mapped any more.
	 */
	bool dma_released;
	/** @bo_lock: protects @bos and @bos_released; inside dma_resv locks. */
	struct mutex bo_lock;
	/** @bos: every BO with a device mapping (pvgpu_gem.c). */
	struct list_head bos;
	/** @bos_wq: woken when a BO being freed leaves @bos after removal. */
	wait_queue_head_t bos_wq;
	/** @bos_released: as @dma_released, for the BOs' mappings. */
	bool bos_released;
};

/**
 * struct pvgpu_file - what the driver keeps per open DRM file
 *
 * Refcounted: the DRM file holds the first reference; an exec queue holds
 * one for its fdinfo accounting, which may outlive the file.
 */
struct pvgpu_file {
	/** @refcount: see above. */
	struct kref refcount;
	/** @pvdev: the device. */
	struct pvgpu_device *pvdev;
	/** @vms: vm_id -> struct pvgpu_vm (ids from 1). */
	struct xarray vms;
	/** @queues: queue_id -> struct pvgpu_queue (ids from 1). */
	struct xarray queues;
	/**
	 * @engine_busy_ns: per engine class, ns the file's exec jobs spent
	 * on the engine (fdinfo drm-engine-*), updated at job completion.
	 */
	atomic64_t engine_busy_ns[PVGPU_MAX_ENGINE_CLASSES];
	/**
	 * @faults: GPU page faults of the file's VMs, @faults_failed the
	 * unresolvable ones, @fault_ns their total service time (fdinfo,
	 * pvgpu_svm.c); they outlive the VMs.
	 */
	atomic64_t faults;
	/** @faults_failed: see @faults. */
	atomic64_t faults_failed;
	/** @fault_ns: see @faults. */
	atomic64_t fault_ns;
	/**
	 * @ufence_wq: where DRM_IOCTL_PVGPU_WAIT_USER_FENCE callers of this
	 * file sleep. Woken in process context, with a key saying what
	 * happened, by the events of this file's exec queues and the writes
	 * of user fences of this file's jobs; each sleeper is woken only if
	 * the event can satisfy it (pvgpu_exec.c).
	 */
	wait_queue_head_t ufence_wq;
	/**
	 * @num_vms: VMs the file created that still hold their firmware
	 * address space (until their teardown, whether or not the id is
	 * still there): at most max_vms_per_file (pvgpu_vm.c).
	 */
	atomic_t num_vms;
	/**
	 * @num_exec_queues: exec queues the file created that still hold
	 * their firmware queue id and doorbell (until their release): at
	 * most max_queues_per_file (pvgpu_queue.c).
	 */
	atomic_t num_exec_queues;
	/** @events: subscriptions and the event ring (pvgpu_event.c). */
	struct pvgpu_file_events events;
	/** @userq_lock: protects @doorbell_group. */
	struct mutex userq_lock;
	/**
	 * @doorbell_group: the file's doorbell page (pvgpu_userq.c), 0 until
	 * its first user queue; freed with the file.
	 */
	u32 doorbell_group;
	/**
	 * @userq_doorbells: dwords of @doorbell_group held by the file's user
	 * queues (at most max_user_queues_per_file).
	 */
	struct ida userq_doorbells;
};

struct pvgpu_file *pvgpu_file_get(struct pvgpu_file *pfile);
void pvgpu_file_put(struct pvgpu_file *pfile);

/*
 * A per-file limit from its module parameter: the parameter if it is not
 * 0, else a quarter of what the device has (at least 1), so that one file
 * never takes everything.
 */
static inline u32 pvgpu_file_limit(unsigned int param, u32 device_total)
{
	return param ? param : max_t(u32, device_total / 4, 1);
}

/*
 * Take one unit of a per-file count (&pvgpu_file.num_vms, ...) unless it
 * is at @max already: then return false and take nothing.
 */
static inline bool pvgpu_file_charge(atomic_t *count, u32 max)
{
	int old = atomic_read(count);

	do {
		if (old < 0 || (u32)old >= max)
			return false;
	} while (!atomic_try_cmpxchg(count, &old, old + 1));
	return true;
}

static inline struct pvgpu_file *to_pvgpu_file(struct drm_file *file)
{
	return file->driver_priv;
}

/*
 * drm_print.h of 6.12 has drm_err_ratelimited() but no warn flavour: the
 * public dev_ helper, with the "[drm] " prefix drm_warn() would print.
 */
#define pvgpu_warn_ratelimited(drm, fmt, ...) \
	dev_warn_ratelimited((drm)->dev, "[drm] " fmt, ##__VA_ARGS__)

/*
 * What userspace makes the GPU do wrong (a faulting or hung job, a bind the
 * firmware failed) is news for the log, not a kernel warning: info level,
 * rate-limited without the "callbacks suppressed" warning the default rate
 * limit prints (RATELIMIT_MSG_ON_RELEASE on a state never released).
 */
#define pvgpu_info_ratelimited(drm, fmt, ...)					\
({										\
	static struct ratelimit_state _rs =					\
		RATELIMIT_STATE_INIT_FLAGS(_rs, DEFAULT_RATELIMIT_INTERVAL,	\
					   DEFAULT_RATELIMIT_BURST,		\
					   RATELIMIT_MSG_ON_RELEASE);		\
										\
	if (__ratelimit(&_rs))							\
		dev_info((drm)->dev, "[drm] " fmt, ##__VA_ARGS__);		\
})

static inline struct pvgpu_device *to_pvgpu_device(struct drm_device *drm)
{
	return container_of(drm, struct pvgpu_device, drm);
}

static inline u32 pvgpu_read(struct pvgpu_device *pvdev, u32 reg)
{
	return readl(pvdev->regs + reg);
}

static inline void pvgpu_write(struct pvgpu_device *pvdev, u32 reg, u32 val)
{
	writel(val, pvdev->regs + reg);
}

/* Module parameters (pvgpu_drv.c). */
extern unsigned int pvgpu_boot_timeout_ms;
extern unsigned int pvgpu_fw_timeout_ms;
extern int pvgpu_fw_log_level;
extern bool pvgpu_fw_log_dmesg;

#endif /* PVGPU_DRV_H */
