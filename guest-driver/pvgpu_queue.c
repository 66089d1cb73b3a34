// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: queues as userspace names them (ids, QUEUE_CREATE,
 * QUEUE_DESTROY, QUEUE_GET_STATE), the exec queue object, debugfs and
 * fdinfo. The firmware side is pvgpu_queue_fw.c, events pvgpu_queue_event.c.
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/capability.h>
#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include <uapi/drm/pvgpu_drm.h>

#include "pvgpu_cmds.h"
#include "pvgpu_drv.h"
#include "pvgpu_gem.h"
#include "pvgpu_queue.h"
#include "pvgpu_queue_internal.h"
#include "pvgpu_reset.h"
#include "pvgpu_regs.h"
#include "pvgpu_sync.h"
#include "pvgpu_userq.h"
#include "pvgpu_vm.h"

/**
 * DOC: Exec queues
 *
 * A queue has a per-file id (&pvgpu_file.queues, from 1) that holds the
 * queue's first reference. QUEUE_CREATE with DRM_PVGPU_ENGINE_CLASS_VM_BIND
 * makes a bind queue (pvgpu_bind_queue_create(), pvgpu_vm_bind.c); any
 * other class an exec queue, described here and in two more files:
 *
 * - pvgpu_queue.c (this file): the queue object, its creation and memory,
 *   the queue ioctls, the per-file limits, debugfs and fdinfo;
 * - pvgpu_queue_fw.c: the firmware backend: the firmware queue id and
 *   doorbell, QUEUE_REGISTER, the ring and the dependency-queue backend
 *   that writes jobs to it and rings the doorbell, job timeouts, RESET and
 *   DEREGISTER at teardown;
 * - pvgpu_queue_event.c: the firmware's queue events (completions, errors,
 *   page faults) from the interrupt handler, bans, and the recovery of
 *   events the F2H ring dropped.
 *
 * pvgpu_queue_internal.h holds what crosses between them.
 *
 * **Creation.** pvgpu_exec_queue_create() charges the file, reserves a
 * firmware id (pvgpu_exec_queue_reserve_id()), makes the ring (below),
 * registers the queue with the firmware (pvgpu_exec_queue_register()),
 * then starts its dependency queue and publishes the firmware id, which
 * lets events find the queue. The firmware ids are shared by every user:
 * one file may hold at most max_queues_per_file exec queues (module
 * parameter; 0, the default, is a quarter of the device's), counted in
 * &pvgpu_file.num_exec_queues from creation until the queue is freed;
 * beyond, -EMFILE, after waiting once for the releases of queues destroyed
 * a moment ago (pvgpu_exec_queue_charge_file()).
 * The ring (PVGPU_EXEC_RING_SIZE bytes) and the control page (descriptor,
 * pointers, fence) are coherent DMA memory that no GPU VM maps: the queue
 * is privileged (pvgpu_exec_queue_setup_ring(), docs/queues.rst).
 *
 * **Job bounds.** The jobs a queue holds submitted and not completed,
 * waiting or not, are bounded by max_jobs_per_queue
 * (pvgpu_queue_jobs_full(); EXEC and VM_BIND fail with -EWOULDBLOCK
 * beyond), and an LR queue takes a job only if the ring has room for it
 * now (pvgpu_exec_queue_lr_full()); every allocation for a queue or a job
 * is charged to the submitter's memory cgroup (__GFP_ACCOUNT), except the
 * ring and control page: coherent DMA memory, which the DMA API cannot
 * charge, bounded instead by the 1023 kernel doorbells (at most 36 MiB
 * for the whole device) and max_queues_per_file.
 *
 * **Busy time** (fdinfo drm-engine-*) is measured by the driver, not asked
 * of the firmware: a queue is busy from the start of a job (run_job) on an
 * idle queue to the completion of its latest started job. It is added to
 * &pvgpu_file.engine_busy_ns at every completion, and fdinfo adds the time
 * of the busy periods still open, so the value only grows. It counts the
 * time a job waits for a hardware slot too: it is an upper bound of the
 * time on the engine.
 *
 * **Teardown.** QUEUE_DESTROY and file close drop the id and call
 * &pvgpu_queue.destroy, which stops the dependency queue and leaves the
 * rest to a worker (pvgpu_queue_fw.c). The queue's memory is freed by the
 * dependency queue's release (pvgpu_exec_queue_free()), which cannot come
 * before the firmware let go of it.
 *
 * **Device removal.** pvgpu_queues_fini() bans every exec queue with
 * -ENODEV without a firmware request (the channel is dead); the firmware
 * is reset by pvgpu_fw_fini() before any queue memory can be freed.
 *
 * Locking: &pvgpu_exec_queue.state_lock (irqsave) protects the state the
 * interrupt handler changes, and nests inside the dependency queue's lock
 * (run_job); the dependency queue's submit_lock orders submissions;
 * &pvgpu_exec_queue.fw_lock serialises the queue's firmware requests after
 * creation (never taken in the signalling path); &pvgpu_device.objs_lock
 * protects the debugfs list.
 */

static unsigned int pvgpu_job_timeout_ms = 10000;
module_param_named(job_timeout_ms, pvgpu_job_timeout_ms, uint, 0644);
MODULE_PARM_DESC(job_timeout_ms,
		 "Running-job timeout of new exec queues in ms, 0 for none (default 10000)");

static unsigned int pvgpu_max_queues_per_file;
module_param_named(max_queues_per_file, pvgpu_max_queues_per_file, uint, 0644);
MODULE_PARM_DESC(max_queues_per_file,
		 "Exec queues (firmware queues and doorbells) one DRM file may hold; 0: a quarter of the device's (default 0)");

static unsigned int pvgpu_max_jobs_per_queue = 4096;
module_param_named(max_jobs_per_queue, pvgpu_max_jobs_per_queue, uint, 0644);
MODULE_PARM_DESC(max_jobs_per_queue,
		 "Jobs a queue may hold submitted and not completed, more is -EWOULDBLOCK; 0 for no limit (default 4096)");

static const struct pvgpu_engine_info *
pvgpu_engine_find(struct pvgpu_device *pvdev, u32 engine_class)
{
	const struct pvgpu_fw_info *info = &pvdev->fw.info;
	u32 i;

	for (i = 0; i < info->num_engine_classes; i++)
		if (info->engines[i].engine_class == engine_class)
			return &info->engines[i];
	return NULL;
}

static const char *pvgpu_exec_queue_name(u32 engine_class)
{
	return engine_class == DRM_PVGPU_ENGINE_CLASS_COPY ?
		"pvgpu-copy" : "pvgpu-compute";
}

/**
 * pvgpu_exec_queue_free() - free an exec queue and whatever of it exists
 * @eq: the queue, which the firmware no longer uses any part of
 *
 * The end of the dependency queue's release, and of a creation that
 * failed before the dependency queue started.
 */
void pvgpu_exec_queue_free(struct pvgpu_exec_queue *eq)
{
	struct pvgpu_device *pvdev = eq->pvdev;

	WARN_ON(eq->registered);
	if (eq->fw_id_reserved)
		xa_erase_irq(&pvdev->fw_queues, eq->fw_id);
	pvgpu_dma_free(pvdev, &eq->ctl);
	pvgpu_dma_free(pvdev, &eq->ring);
	if (eq->base.vm)
		pvgpu_vm_put(eq->base.vm);
	if (eq->file_charged)
		atomic_dec(&eq->pfile->num_exec_queues);
	pvgpu_file_put(eq->pfile);
	mutex_destroy(&eq->fw_lock);
	kfree(eq);
}

/**
 * pvgpu_exec_job_create() - allocate a job of an exec queue
 * @eq: the queue
 * @batch_va: GPU VA of the batch (ignored when @num_batch is 0)
 * @num_batch: 0 or 1
 *
 * Return: the job (one reference, for pvgpu_dep_job_push() or
 * pvgpu_dep_job_put()), or an ERR_PTR().
 */
struct pvgpu_exec_job *pvgpu_exec_job_create(struct pvgpu_exec_queue *eq,
					     u64 batch_va, u32 num_batch)
{
	struct pvgpu_exec_job *job;
	int ret;

	job = kzalloc(sizeof(*job), GFP_KERNEL_ACCOUNT);
	if (!job)
		return ERR_PTR(-ENOMEM);
	job->batch_va = batch_va;
	job->num_batch = num_batch;
	job->ring_start = PVGPU_EXEC_JOB_NOT_ON_RING;
	ret = pvgpu_dep_job_init(&job->base, &eq->base.dq);
	if (ret) {
		kfree(job);
		return ERR_PTR(ret);
	}
	return job;
}

/**
 * pvgpu_queue_jobs_full() - whether a queue holds all the jobs it may
 * @queue: an exec or bind queue
 *
 * The max_jobs_per_queue module parameter (read at each call; 0: no
 * bound) bounds the jobs a queue holds submitted and not completed,
 * whether they wait for their in-syncs, for ring room or run: each is
 * kernel memory its submitter's ioctl allocated. EXEC and VM_BIND fail
 * with -EWOULDBLOCK (as Xe's EXEC on a full LR ring) while it is reached;
 * the caller waits for earlier work to complete and submits again.
 *
 * Return: true if the queue may take no job now.
 */
bool pvgpu_queue_jobs_full(struct pvgpu_queue *queue)
{
	u32 max = READ_ONCE(pvgpu_max_jobs_per_queue);

	return max && pvgpu_dep_queue_pending(&queue->dq) >= max;
}

/**
 * pvgpu_exec_queue_was_reset() - whether the queue was reset or banned
 * @eq: the queue
 *
 * Return: true once the queue got an error (WAIT_USER_FENCE's -EIO).
 */
bool pvgpu_exec_queue_was_reset(struct pvgpu_exec_queue *eq)
{
	return READ_ONCE(eq->error) || pvgpu_dep_queue_is_banned(&eq->base.dq);
}

/* --- Creation and destruction ---------------------------------------------- */

/*
 * Counts @eq against its file's max_queues_per_file. At the limit, the
 * releases of queues destroyed a moment ago may still be pending on
 * &pvgpu_device.wq (the destroy work, then the dependency queue's
 * release): they are waited for once. Return: 0, or -EMFILE.
 */
static int pvgpu_exec_queue_charge_file(struct pvgpu_exec_queue *eq)
{
	struct pvgpu_device *pvdev = eq->pvdev;
	atomic_t *count = &eq->pfile->num_exec_queues;
	u32 max = pvgpu_file_limit(READ_ONCE(pvgpu_max_queues_per_file),
				   pvgpu_exec_queue_max_ids(pvdev));

	if (!pvgpu_file_charge(count, max)) {
		/* Fault works hold queue references too. */
		flush_workqueue(pvdev->fault_wq);
		flush_workqueue(pvdev->wq);
		flush_workqueue(pvdev->wq);
		if (!pvgpu_file_charge(count, max))
			return -EMFILE;
	}
	eq->file_charged = true;
	return 0;
}

/*
 * The ring and the control page (descriptor, pointers, fence): coherent
 * DMA memory that no GPU VM maps, so no command can write what the
 * driver trusts (docs/queues.rst, "Privilege").
 */
static int pvgpu_exec_queue_setup_ring(struct pvgpu_exec_queue *eq)
{
	int ret;

	ret = pvgpu_dma_alloc(eq->pvdev, &eq->ring, PVGPU_EXEC_RING_SIZE);
	if (ret)
		return ret;
	eq->ring_size = PVGPU_EXEC_RING_SIZE;
	return pvgpu_exec_queue_setup_ctl(eq);
}

static int pvgpu_exec_queue_create(struct pvgpu_file *pfile,
				   struct pvgpu_vm *vm,
				   const struct drm_pvgpu_queue_create *args,
				   struct pvgpu_queue **out)
{
	struct pvgpu_device *pvdev = pfile->pvdev;
	struct pvgpu_exec_queue *eq;
	int ret;

	/*
	 * Without privileged queues a batch could forge its queue's
	 * completions: such a device runs no exec queues at all.
	 */
	if (PVGPU_IFACE_VERSION_MINOR(pvdev->iface_version) <
	    PVGPU_IFACE_MINOR_PRIV_QUEUES)
		return -EOPNOTSUPP;

	eq = kzalloc(sizeof(*eq), GFP_KERNEL_ACCOUNT);
	if (!eq)
		return -ENOMEM;
	eq->pvdev = pvdev;
	eq->pfile = pvgpu_file_get(pfile);
	eq->base.kind = PVGPU_QUEUE_EXEC;
	eq->base.vm = pvgpu_vm_get(vm);
	eq->base.engine_class = args->engine_class;
	eq->base.destroy = pvgpu_exec_queue_destroy;
	INIT_LIST_HEAD(&eq->base.link);
	eq->priority = args->priority;
	eq->timeslice_us = args->timeslice_us;
	eq->lr = pvgpu_vm_is_lr(vm);
	spin_lock_init(&eq->state_lock);
	mutex_init(&eq->fw_lock);
	INIT_WORK(&eq->destroy_work, pvgpu_exec_queue_destroy_work);
	pvgpu_exec_queue_init_events(eq);

	ret = pvgpu_exec_queue_charge_file(eq);
	if (ret)
		goto err_free;
	ret = pvgpu_exec_queue_reserve_id(eq);
	if (ret)
		goto err_free;
	ret = pvgpu_exec_queue_setup_ring(eq);
	if (ret)
		goto err_free;
	/* Registered and listed together: a device reset sees both or none. */
	ret = pvgpu_reset_read_lock(pvdev);
	if (ret)
		goto err_free;
	ret = pvgpu_exec_queue_register(eq);
	if (ret)
		goto err_unlock;

	/* From here on only the dependency queue's release frees @eq. */
	ret = pvgpu_dep_queue_init(&eq->base.dq, &pvgpu_exec_queue_ops,
				   pvgpu_exec_queue_name(args->engine_class),
				   eq->lr ? PVGPU_DEP_QUEUE_LR : 0,
				   eq->lr ? 0 : READ_ONCE(pvgpu_job_timeout_ms),
				   pvdev->wq);
	if (ret)
		goto err_deregister;

	mutex_lock(&pvdev->objs_lock);
	list_add_tail(&eq->base.link, &pvdev->queues);
	mutex_unlock(&pvdev->objs_lock);

	/* The firmware's reference; the reserved slot needs no memory. */
	pvgpu_queue_get(&eq->base);
	xa_store_irq(&pvdev->fw_queues, eq->fw_id, eq, GFP_KERNEL);
	pvgpu_reset_read_unlock(pvdev);
	*out = &eq->base;
	return 0;

err_deregister:
	/* Deregistered, or the firmware stopped (wedged if need be). */
	mutex_lock(&eq->fw_lock);
	pvgpu_exec_queue_fw_request(eq, PVGPU_H2F_QUEUE_DEREGISTER);
	mutex_unlock(&eq->fw_lock);
	eq->registered = false;
err_unlock:
	pvgpu_reset_read_unlock(pvdev);
err_free:
	pvgpu_exec_queue_free(eq);
	return ret;
}

/**
 * pvgpu_queue_lookup() - find a queue of a file by its id
 * @pfile: the file
 * @queue_id: the id
 *
 * Return: the queue with a reference (pvgpu_queue_put()), or NULL.
 */
struct pvgpu_queue *pvgpu_queue_lookup(struct pvgpu_file *pfile, u32 queue_id)
{
	struct pvgpu_queue *queue;

	xa_lock(&pfile->queues);
	queue = xa_load(&pfile->queues, queue_id);
	if (queue)
		pvgpu_queue_get(queue);
	xa_unlock(&pfile->queues);
	return queue;
}

/**
 * pvgpu_queue_check_sched() - check what userspace asks of a firmware queue
 * @pvdev: the device
 * @engine_class: DRM_PVGPU_ENGINE_CLASS_COPY or _COMPUTE, on this device
 * @priority: 0 .. num_priorities - 1; the top two need CAP_SYS_NICE
 * @timeslice_us: 0, or within the firmware's bounds
 *
 * Return: 0, -EINVAL or -EPERM.
 */
int pvgpu_queue_check_sched(struct pvgpu_device *pvdev, u32 engine_class,
			    u32 priority, u32 timeslice_us)
{
	const struct pvgpu_fw_info *info = &pvdev->fw.info;

	if ((engine_class != DRM_PVGPU_ENGINE_CLASS_COPY &&
	     engine_class != DRM_PVGPU_ENGINE_CLASS_COMPUTE) ||
	    !pvgpu_engine_find(pvdev, engine_class))
		return -EINVAL;
	if (priority >= info->num_priorities)
		return -EINVAL;
	if (timeslice_us && (timeslice_us < info->timeslice_min_us ||
			     timeslice_us > info->timeslice_max_us))
		return -EINVAL;
	/* High and realtime: the top two levels, never level 0. */
	if (priority && priority + 2 >= info->num_priorities &&
	    !capable(CAP_SYS_NICE))
		return -EPERM;
	return 0;
}

/**
 * pvgpu_ioctl_queue_create() - DRM_IOCTL_PVGPU_QUEUE_CREATE
 * @drm: the DRM device
 * @data: struct drm_pvgpu_queue_create
 * @file: the DRM file
 *
 * Return: 0, or the errors listed at struct drm_pvgpu_queue_create.
 */
int pvgpu_ioctl_queue_create(struct drm_device *drm, void *data,
			     struct drm_file *file)
{
	struct pvgpu_device *pvdev = to_pvgpu_device(drm);
	struct pvgpu_file *pfile = to_pvgpu_file(file);
	struct drm_pvgpu_queue_create *args = data;
	struct pvgpu_queue *queue = NULL;
	struct pvgpu_vm *vm;
	u32 id;
	int ret, idx;

	if (args->extensions || args->flags)
		return -EINVAL;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	if (args->engine_class == DRM_PVGPU_ENGINE_CLASS_VM_BIND) {
		ret = -EINVAL;
		if (args->priority || args->timeslice_us)
			goto out_exit;
	} else {
		ret = pvgpu_queue_check_sched(pvdev, args->engine_class,
					      args->priority, args->timeslice_us);
		if (ret)
			goto out_exit;
	}

	ret = -ENOENT;
	vm = pvgpu_vm_lookup(pfile, args->vm_id);
	if (!vm)
		goto out_exit;
	/*
	 * An unusable VM's mappings are not what userspace asked for: no new
	 * work runs on it. Bind queues still come, for the UNMAPs that clean
	 * it up.
	 */
	ret = -ECANCELED;
	if (args->engine_class != DRM_PVGPU_ENGINE_CLASS_VM_BIND &&
	    READ_ONCE(vm->error))
		goto out_vm;

	/* The id first, reserved: nothing can fail after the queue exists. */
	ret = xa_alloc(&pfile->queues, &id, NULL, xa_limit_32b,
		       GFP_KERNEL_ACCOUNT);
	if (ret)
		goto out_vm;

	if (args->engine_class == DRM_PVGPU_ENGINE_CLASS_VM_BIND) {
		queue = pvgpu_bind_queue_create(vm);
		ret = IS_ERR(queue) ? PTR_ERR(queue) : 0;
	} else {
		ret = pvgpu_exec_queue_create(pfile, vm, args, &queue);
	}
	if (ret) {
		xa_erase(&pfile->queues, id);
		goto out_vm;
	}
	queue->id = id;
	xa_store(&pfile->queues, id, queue, GFP_KERNEL);
	args->queue_id = id;

out_vm:
	pvgpu_vm_put(vm);
out_exit:
	drm_dev_exit(idx);
	return ret;
}

/**
 * pvgpu_ioctl_queue_destroy() - DRM_IOCTL_PVGPU_QUEUE_DESTROY
 * @drm: the DRM device
 * @data: struct drm_pvgpu_queue_destroy
 * @file: the DRM file
 *
 * Return: 0, or the errors listed at struct drm_pvgpu_queue_destroy.
 */
int pvgpu_ioctl_queue_destroy(struct drm_device *drm, void *data,
			      struct drm_file *file)
{
	struct pvgpu_file *pfile = to_pvgpu_file(file);
	struct drm_pvgpu_queue_destroy *args = data;
	struct pvgpu_queue *queue;

	if (args->extensions || args->pad)
		return -EINVAL;

	xa_lock(&pfile->queues);
	/* A reserved id (a queue being created) loads as NULL. */
	queue = xa_load(&pfile->queues, args->queue_id);
	if (queue)
		__xa_erase(&pfile->queues, args->queue_id);
	xa_unlock(&pfile->queues);
	if (!queue)
		return -ENOENT;
	queue->destroy(queue);
	return 0;
}

/**
 * pvgpu_ioctl_queue_get_state() - DRM_IOCTL_PVGPU_QUEUE_GET_STATE
 * @drm: the DRM device
 * @data: struct drm_pvgpu_queue_get_state
 * @file: the DRM file
 *
 * Return: 0, or the errors listed at struct drm_pvgpu_queue_get_state.
 */
int pvgpu_ioctl_queue_get_state(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	struct pvgpu_file *pfile = to_pvgpu_file(file);
	struct drm_pvgpu_queue_get_state *args = data;
	struct pvgpu_queue *queue;
	struct pvgpu_dep_queue *dq;
	unsigned long flags;
	u32 state = 0;
	int error;

	if (args->extensions || args->pad)
		return -EINVAL;
	queue = pvgpu_queue_lookup(pfile, args->queue_id);
	if (!queue)
		return -ENOENT;
	dq = &queue->dq;

	spin_lock_irqsave(&dq->lock, flags);
	args->jobs_submitted = dq->jobs_submitted;
	args->jobs_completed = dq->jobs_completed;
	error = dq->banned ? dq->error : 0;
	spin_unlock_irqrestore(&dq->lock, flags);
	args->flags = error ? DRM_PVGPU_QUEUE_STATE_BANNED : 0;

	if (queue->kind == PVGPU_QUEUE_EXEC) {
		struct pvgpu_exec_queue *eq = to_pvgpu_exec_queue(queue);

		spin_lock_irqsave(&eq->state_lock, flags);
		state = eq->state;
		if (eq->error)
			error = eq->error;
		args->fault_addr = queue->fatal_fault.va;
		args->fault_access = queue->fatal_fault.access;
		args->fault_type = queue->fatal_fault.reason;
		spin_unlock_irqrestore(&eq->state_lock, flags);
		if (state & PVGPU_EXEC_QUEUE_RESET)
			args->flags |= DRM_PVGPU_QUEUE_STATE_RESET;
		if (state & PVGPU_EXEC_QUEUE_GUILTY)
			args->flags |= DRM_PVGPU_QUEUE_STATE_GUILTY;
		if (pvgpu_dep_queue_is_banned(dq))
			args->flags |= DRM_PVGPU_QUEUE_STATE_BANNED;
		/* A job timeout is the driver's reset: no firmware code. */
		if (state & PVGPU_EXEC_QUEUE_RESET)
			args->reason = READ_ONCE(eq->fw_error) ?:
				       DRM_PVGPU_QUEUE_REASON_RESET;
	}
	if (queue->kind == PVGPU_QUEUE_USER)
		pvgpu_userq_get_state(to_pvgpu_user_queue(queue), args);
	else
		args->error = error;
	pvgpu_queue_put(queue);
	return 0;
}

/**
 * pvgpu_queue_file_close() - destroy every queue of a closing file
 * @pfile: the file
 *
 * Queues are killed or drained without waiting (&pvgpu_queue.destroy).
 */
void pvgpu_queue_file_close(struct pvgpu_file *pfile)
{
	struct pvgpu_queue *queue;
	unsigned long id;

	xa_for_each(&pfile->queues, id, queue) {
		xa_erase(&pfile->queues, id);
		queue->destroy(queue);
	}
}

/**
 * pvgpu_queues_fini() - stop every exec queue of a device being removed
 * @pvdev: the device
 *
 * After drm_dev_unplug() and with the channel failed, or from the work of
 * pvgpu_fw_wedge(): the firmware is stopped, no firmware request is sent.
 * Every outstanding fence signals with -ENODEV and the busy periods end;
 * the queues themselves go when their files close.
 */
void pvgpu_queues_fini(struct pvgpu_device *pvdev)
{
	struct pvgpu_queue *queue;

	mutex_lock(&pvdev->objs_lock);
	list_for_each_entry(queue, &pvdev->queues, link) {
		struct pvgpu_exec_queue *eq;

		if (queue->kind == PVGPU_QUEUE_USER)
			pvgpu_userq_fini(to_pvgpu_user_queue(queue));
		if (queue->kind != PVGPU_QUEUE_EXEC)
			continue;
		eq = to_pvgpu_exec_queue(queue);
		pvgpu_exec_queue_set_error(eq, 0, -ENODEV);
		pvgpu_dep_queue_ban(&queue->dq, -ENODEV);
		/* Nothing runs any more: the busy period ends. */
		pvgpu_exec_busy_account(eq, 0, true);
		/* Waiters naming it end with -EIO (process context). */
		pvgpu_ufence_wake_queue(eq->pfile, queue);
	}
	mutex_unlock(&pvdev->objs_lock);
}

/**
 * pvgpu_queues_hw_fini() - free the DMA memory of every exec queue
 * @pvdev: the device, removed, its firmware stopped (pvgpu_fw_fini())
 *
 * Coherent DMA memory belongs to the bound PCI function: the descriptor
 * and pointer page and the ring of every queue still alive (its file
 * still open) are freed here, now that the firmware can no longer write it, rather than
 * when the queue goes. Nothing reads it any more: every reader is inside
 * drm_dev_enter(), which fails after drm_dev_unplug().
 */
void pvgpu_queues_hw_fini(struct pvgpu_device *pvdev)
{
	struct pvgpu_queue *queue;

	mutex_lock(&pvdev->objs_lock);
	list_for_each_entry(queue, &pvdev->queues, link) {
		struct pvgpu_exec_queue *eq;

		if (queue->kind != PVGPU_QUEUE_EXEC)
			continue;
		eq = to_pvgpu_exec_queue(queue);
		pvgpu_dma_free(pvdev, &eq->ctl);
		pvgpu_dma_free(pvdev, &eq->ring);
	}
	mutex_unlock(&pvdev->objs_lock);
}

/* --- debugfs and fdinfo ---------------------------------------------------- */

/**
 * pvgpu_queue_debugfs_print() - the debugfs "queues" file
 * @pvdev: the device
 * @p: where to print
 *
 * One block per live queue: its firmware side (exec queues) and its
 * dependency queue.
 */
void pvgpu_queue_debugfs_print(struct pvgpu_device *pvdev,
			       struct drm_printer *p)
{
	struct pvgpu_queue *queue;

	mutex_lock(&pvdev->objs_lock);
	list_for_each_entry(queue, &pvdev->queues, link) {
		struct pvgpu_exec_queue *eq;
		unsigned long flags;
		u32 state, fw_error;
		int error;

		if (queue->kind == PVGPU_QUEUE_USER) {
			pvgpu_userq_debugfs_print(to_pvgpu_user_queue(queue), p);
			continue;
		}
		if (queue->kind != PVGPU_QUEUE_EXEC) {
			drm_printf(p, "bind queue:\n");
			pvgpu_dep_queue_print(&queue->dq, p);
			continue;
		}
		eq = to_pvgpu_exec_queue(queue);
		spin_lock_irqsave(&eq->state_lock, flags);
		state = eq->state;
		error = eq->error;
		fw_error = eq->fw_error;
		spin_unlock_irqrestore(&eq->state_lock, flags);
		drm_printf(p, "exec queue fw %u: %s%s priority %u timeslice %u us doorbell %u\n",
			   eq->fw_id, pvgpu_engine_class_name(queue->engine_class),
			   eq->lr ? " lr" : "", eq->priority, eq->timeslice_us,
			   eq->doorbell);
		drm_printf(p, "  ring %pad+0x%x wptr 0x%x rptr 0x%x seqno %llu\n",
			   &eq->ring.dma, eq->ring_size, READ_ONCE(eq->wptr),
			   /* objs_lock keeps pvgpu_queues_hw_fini() out. */
			   eq->ctl.vaddr ? le32_to_cpu(READ_ONCE(*eq->rptr_cpu)) : 0,
			   pvgpu_exec_queue_seqno(eq));
		drm_printf(p, "  state%s%s%s%s error %d fw_error %u\n",
			   state & PVGPU_EXEC_QUEUE_RESET ? " reset" : "",
			   state & PVGPU_EXEC_QUEUE_GUILTY ? " guilty" : "",
			   state & PVGPU_EXEC_QUEUE_KILLED ? " killed" : "",
			   state ? "" : " ok", error, fw_error);
		pvgpu_dep_queue_print(&queue->dq, p);
	}
	mutex_unlock(&pvdev->objs_lock);
}

/**
 * pvgpu_queue_show_fdinfo() - the file's engine utilisation for fdinfo
 * @pfile: the file
 * @p: where to print
 *
 * drm-engine-<class>: busy ns (see the DOC: section on busy time) and
 * drm-engine-capacity-<class> when the class has more than one slot
 * (Documentation/gpu/drm-usage-stats.rst); the driver's own keys
 * pvgpu-faults, pvgpu-faults-failed and pvgpu-fault-time (GPU page faults
 * of the file's VMs, docs/svm.rst).
 */
void pvgpu_queue_show_fdinfo(struct pvgpu_file *pfile, struct drm_printer *p)
{
	const struct pvgpu_fw_info *info = &pfile->pvdev->fw.info;
	u64 busy[PVGPU_MAX_ENGINE_CLASSES] = { };
	u64 now = ktime_get_ns();
	struct pvgpu_queue *queue;
	unsigned long id;
	u32 i;

	/* Open busy periods; the queues in the xarray hold their id's ref. */
	xa_lock(&pfile->queues);
	xa_for_each(&pfile->queues, id, queue) {
		struct pvgpu_exec_queue *eq;
		unsigned long flags;

		if (queue->kind != PVGPU_QUEUE_EXEC ||
		    queue->engine_class >= PVGPU_MAX_ENGINE_CLASSES)
			continue;
		eq = to_pvgpu_exec_queue(queue);
		spin_lock_irqsave(&eq->state_lock, flags);
		if (eq->busy && now > eq->busy_since_ns)
			busy[queue->engine_class] += now - eq->busy_since_ns;
		spin_unlock_irqrestore(&eq->state_lock, flags);
	}
	xa_unlock(&pfile->queues);

	for (i = 0; i < info->num_engine_classes; i++) {
		const struct pvgpu_engine_info *e = &info->engines[i];
		const char *name = pvgpu_engine_class_name(e->engine_class);

		if (e->engine_class >= PVGPU_MAX_ENGINE_CLASSES)
			continue;
		drm_printf(p, "drm-engine-%s:\t%llu ns\n", name,
			   atomic64_read(&pfile->engine_busy_ns[e->engine_class]) +
			   busy[e->engine_class]);
		if (e->num_slots > 1)
			drm_printf(p, "drm-engine-capacity-%s:\t%u\n", name,
				   e->num_slots);
	}
	drm_printf(p, "pvgpu-faults:\t%lld\n", atomic64_read(&pfile->faults));
	drm_printf(p, "pvgpu-faults-failed:\t%lld\n",
		   atomic64_read(&pfile->faults_failed));
	drm_printf(p, "pvgpu-fault-time:\t%lld ns\n",
		   atomic64_read(&pfile->fault_ns));
}
