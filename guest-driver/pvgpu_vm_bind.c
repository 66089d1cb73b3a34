// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: VM_BIND and bind queues.
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <linux/dma-fence.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/sched/signal.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/wait_bit.h>
#include <linux/workqueue.h>

#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_gpuvm.h>
#include <drm/drm_print.h>

#include "pvgpu_drv.h"
#include "pvgpu_gem.h"
#include "pvgpu_pt.h"
#include "pvgpu_queue.h"
#include "pvgpu_sync.h"
#include "pvgpu_userptr.h"
#include "pvgpu_userq.h"
#include "pvgpu_vm.h"

/**
 * DOC: VM_BIND
 *
 * DRM_IOCTL_PVGPU_VM_BIND turns its array of operations into one *bind
 * job* on a *bind queue*: a &struct pvgpu_queue of kind PVGPU_QUEUE_BIND
 * around a &struct pvgpu_dep_queue, whose jobs run on the CPU. Each VM has
 * a default bind queue; QUEUE_CREATE with DRM_PVGPU_ENGINE_CLASS_VM_BIND
 * makes more (pvgpu_bind_queue_create()). Jobs of one queue run in
 * submission order, after their in-syncs; queues are independent.
 *
 * **Before commit** the ioctl does everything that can fail: it copies and
 * checks the whole array, looks up the objects, gets their pages
 * (pvgpu_bo_get_sgt()), pins userptr ranges and DMA-maps them, obtains the
 * &drm_gpuvm_bo of each object, preallocates the page-table pages the
 * job may need and the &drm_gpuva objects (worst case per MAP: the new
 * mapping plus a remainder on each side of a mapping it splits; per
 * UNMAP: the two remainders), parses the syncs and adds the in-fences as
 * dependencies. Any failure releases all of it: the VM, the queue and the
 * syncs are unchanged.
 *
 * The page tables are counted per job: the sum of the operations' worst
 * cases (pvgpu_pt_prealloc_count() and its tighter variants), or, when
 * every operation maps and no two ranges overlap (a batch of new
 * mappings), at most one table per entry that the ranges touch together
 * (pvgpu_pt_prealloc_count_maps()), whichever is lower: in a four-level
 * tree, 512 one-page MAPs of one 2 MiB region reserve three tables, not
 * 1536.
 *
 * **Limits.** What one call may make the kernel allocate is bounded, each
 * bound checked before the work it bounds: a queue holding
 * max_jobs_per_queue jobs not completed takes no more (-EWOULDBLOCK,
 * pvgpu_queue_jobs_full()); the page tables one call reserves (the job's
 * worst case above, counted at PVGPU_PT_TABLE_COST each)
 * may not exceed bind_pt_max_mb (-E2BIG, checked after the lookups and
 * before any table is allocated); and the reservation may not take the
 * VM's page tables past vm_pt_max_mb (-ENOSPC, pvgpu_pt_prealloc();
 * reservations of jobs not run yet count). A job gives its unused tables
 * back when it has run, before its fence signals. The driver's
 * allocations for the call (job, operations, mappings, tables, fences)
 * are charged to the caller's memory cgroup (__GFP_ACCOUNT).
 *
 * **Commit**, under the queue's &pvgpu_dep_queue.submit_lock: arm the job,
 * hand its fence to the out-syncs, push it.
 *
 * **Execution.** &pvgpu_dep_queue_ops.run_job only appends the job to the
 * queue's &pvgpu_bind_queue.exec_list: run_job may be called by another
 * submitter (the dependency queue's bypass path, under its submit_lock),
 * which should not do the job's work. One *executor* at a time
 * (&pvgpu_bind_queue.exec_busy) takes the jobs from that list in order:
 * the queue's execution work (on &pvgpu_device.wq), or the thread that
 * committed the job, after the commit and without submit_lock, when its
 * job is the first on the list and no executor runs (as Xe does
 * immediate binds in the ioctl): no worker hop, no wake-up. A WAIT call
 * always executes its job so (normally it is first: WAIT waited for
 * everything before it); a call without WAIT only if that needs no
 * firmware request (pvgpu_bind_job_needs_no_fw(): disjoint maps into
 * empty space), since an invalidation is better left to the work, which
 * shares it among the jobs submitted meanwhile. Otherwise the job stays
 * on the list for the work. The queue's release cancels the work before
 * freeing the queue: run_job may queue it again while it runs.
 *
 * The executor takes the jobs waiting on the list as one *batch* (at
 * most PVGPU_BIND_BATCH_MAX). Inside dma_fence_begin_signalling() it
 * takes &pvgpu_vm.lock and applies each job's operations to the drm_gpuvm
 * tree in array order with drm_gpuvm_sm_map() and drm_gpuvm_sm_unmap():
 * the callbacks (sm_step_map/remap/unmap) take the preallocated objects,
 * update the tree and write or clear the page tables. The tree therefore
 * changes at execution time, in queue order, which is what makes later
 * jobs see the result of earlier ones. Then one TLB invalidation covers
 * the span of every range the batch's jobs made invalid or changed, the
 * emptied tables are freed, the lock is dropped and the jobs complete in
 * order. Only removing or changing a valid entry needs the invalidation:
 * the TLB caches neither faults nor table entries (docs/page-tables.rst),
 * so a job that only maps into empty space sends no firmware request at
 * all, and a synchronous bind pays at most one firmware round trip.
 * Nothing is freed before the invalidation it needs has completed, and no
 * fence signals before it either, so a batch is exactly as safe as its
 * jobs run one by one; it is what lets asynchronous binds queued behind a
 * running invalidation share the next one. Removed mappings (their
 * &drm_gpuvm_bo references, userptr pins) and unused &drm_gpuva
 * preallocations are released when each job is freed, by its free work:
 * not by the executor, since dropping the last reference to an object
 * takes dma-resv locks, which must not hold up the queue's later jobs.
 * The thread that committed a job and executed it in the ioctl usually
 * holds the last reference when it is done, outside the executor and
 * every lock: it releases the job itself (pvgpu_dep_job_put_may_sleep()),
 * which spares a synchronous bind the wake-up of a worker (measured: a
 * 4 KiB MAP went from 37 to 14 us under TCG, docs/latency.rst).
 *
 * DRM_PVGPU_VM_BIND_OP_UNMAP_ALL is resolved at execution time too: every
 * mapping of the object in the VM when the job runs.
 *
 * **Errors at execution.** Only the firmware failing the TLB invalidation
 * is expected; it leaves the firmware stopped (pvgpu_vm_tlb_invalidate()
 * wedges the device). The VM then becomes unusable (&pvgpu_vm.error,
 * reported by VM_GET_STATE), the fences of the jobs that invalidation
 * covered signal with the error (and with them the out-syncs), and
 * whatever those jobs unmapped stays allocated ("parked") until the VM's
 * teardown: cheap, and safe for the test hook below, which fails a job
 * without stopping the firmware. A job with a MAP that runs on an
 * unusable VM applies nothing and fails with -ECANCELED; jobs that only
 * unmap still run.
 *
 * **WAIT.** With DRM_PVGPU_VM_BIND_WAIT the ioctl waits, interruptibly,
 * for the in-syncs and the queue's last fence *before* arming the job: a
 * signal there returns -ERESTARTSYS with nothing changed, so a restart is
 * exactly a new call. It does not hold submit_lock while it waits (the
 * queue's worker takes that lock to start jobs, so no holder may wait on
 * a fence); instead it takes the lock afterwards and, if another
 * job was pushed meanwhile, drops it and waits again. Once everything has
 * signalled, under the lock, the job is armed and pushed (and starts at
 * once: the caller executes it, see above) and the ioctl waits
 * uninterruptibly for its fence, normally signalled already. That wait is
 * bounded: the job depends on nothing any more and only waits for the
 * firmware's TLB invalidation, which has the fw_timeout_ms timeout. The
 * alternative, an interruptible wait with a restart cookie so that a
 * restarted call waits for the job already committed, would need state
 * between calls for a wait of at most one firmware round trip; not worth
 * it.
 *
 * **Userptr.** MAP_USERPTR pins the user pages and DMA-maps them
 * (pvgpu_userptr_create(), pvgpu_userptr.c). The pins belong to a
 * refcounted &struct pvgpu_userptr that every &drm_gpuva piece of that
 * mapping references, so a partial unmap keeps the remaining pieces'
 * pages; they are unpinned when the last piece is gone, after the TLB
 * invalidation that removed it.
 *
 * **Device removal.** A bind job applies its operations inside
 * drm_dev_enter(), as the ioctl prepares inside it: the removal
 * (drm_dev_unplug()) waits for both before it unmaps the page tables and
 * the objects' pages, and a job that runs later fails with -ENODEV
 * without touching the tree or reading its (stale) sg tables.
 *
 * **GEM gpuva lists.** The lists a &drm_gem_object keeps of its
 * &drm_gpuvm_bo and &drm_gpuva are protected by one driver-wide mutex,
 * pvgpu_gpuva_lock, not by the object's dma-resv lock, which may not be
 * taken in the signalling path. It is taken under &pvgpu_vm.lock and never
 * held while an object could be freed (which takes the dma-resv lock).
 * Linking a mapping also puts its &drm_gpuvm_bo on the VM's external-object
 * list (every pvgpu object has its own dma-resv), where EXEC finds the
 * shared objects it synchronises with implicitly (pvgpu_exec.c).
 *
 * **Test hook** fail_vm_bind (debugfs, root; a &struct fault_attr, with
 * CONFIG_FAULT_INJECTION_DEBUG_FS): a bind job with at least one
 * operation fails at execution, when the hook says so, as if the firmware
 * had failed its TLB invalidation (-EIO), which makes the VM unusable.
 * The jobs batched before it get their own invalidation first, so only
 * the chosen job fails.
 */

/* Protects the GEM gpuva lists of every pvgpu object (see DOC:). */
static DEFINE_MUTEX(pvgpu_gpuva_lock);

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
/* Test hook: bind jobs to fail (see DOC:). Shared by every pvgpu device. */
static DECLARE_FAULT_ATTR(pvgpu_fail_vm_bind);

static bool pvgpu_bind_job_should_fail(void)
{
	return should_fail(&pvgpu_fail_vm_bind, 1);
}
#else
static bool pvgpu_bind_job_should_fail(void)
{
	return false;
}
#endif

/* Jobs one TLB invalidation may cover (bounds the VM lock's hold time). */
#define PVGPU_BIND_BATCH_MAX	64

static unsigned int pvgpu_bind_pt_max_mb = 128;
module_param_named(bind_pt_max_mb, pvgpu_bind_pt_max_mb, uint, 0644);
MODULE_PARM_DESC(bind_pt_max_mb,
		 "Page-table memory one VM_BIND may reserve in MiB, 8 KiB per table, more is -E2BIG; 0 for no limit (default 128)");

/**
 * struct pvgpu_bind_op - one checked operation with its resources
 */
struct pvgpu_bind_op {
	/** @op: DRM_PVGPU_VM_BIND_OP_*. */
	u32 op;
	/** @flags: DRM_PVGPU_VM_BIND_FLAG_*. */
	u32 flags;
	/** @addr: GPU VA. */
	u64 addr;
	/** @range: bytes. */
	u64 range;
	/** @offset: offset into the object (MAP). */
	u64 offset;
	/** @obj: the object (MAP, UNMAP_ALL), a reference. */
	struct drm_gem_object *obj;
	/** @vm_bo: the object's &drm_gpuvm_bo in the VM, a reference. */
	struct drm_gpuvm_bo *vm_bo;
	/** @sgt: the object's pages (MAP; owned by the object). */
	struct sg_table *sgt;
	/** @userptr: MAP_USERPTR: the pinned pages, a reference. */
	struct pvgpu_userptr *userptr;
	/**
	 * @vma_flags: PVGPU_VMA_LAZY or PVGPU_VMA_HMM (| MIRROR) for a map
	 * in a fault-mode VM: no entry is written at bind time.
	 */
	u32 vma_flags;
};

/**
 * struct pvgpu_bind_ctx - what the drm_gpuvm callbacks work with
 */
struct pvgpu_bind_ctx {
	/** @vm: the VM, &pvgpu_vm.lock held while the callbacks run. */
	struct pvgpu_vm *vm;
	/** @cur: the operation being applied (MAP and MAP_USERPTR). */
	struct pvgpu_bind_op *cur;
	/** @pa: preallocated page-table pages. */
	struct pvgpu_pt_prealloc pa;
	/** @pool: preallocated &struct pvgpu_vma. */
	struct list_head pool;
	/** @removed: mappings taken out of the tree. */
	struct list_head removed;
	/** @freed: emptied page-table pages, freed after the invalidation. */
	struct list_head freed;
	/** @chunks: SVM chunks of removed ranges, freed after it too. */
	struct list_head chunks;
	/** @inv_start: start of the range to invalidate. */
	u64 inv_start;
	/** @inv_end: its end; 0 when nothing was touched. */
	u64 inv_end;
};

/**
 * struct pvgpu_bind_job - one VM_BIND call
 */
struct pvgpu_bind_job {
	/** @base: the dependency-queue job. */
	struct pvgpu_dep_job base;
	/** @vm: the VM (a reference). */
	struct pvgpu_vm *vm;
	/** @num_ops: entries in @ops. */
	u32 num_ops;
	/** @has_map: some operation maps. */
	bool has_map;
	/**
	 * @maps_disjoint: every operation maps (MAP, MAP_USERPTR) and no
	 * two ranges overlap.
	 */
	bool maps_disjoint;
	/** @releasing: counted in &pvgpu_vm.binds_releasing since it ran. */
	bool releasing;
	/** @ops: the operations: @op_inline or an array of their own. */
	struct pvgpu_bind_op *ops;
	/** @op_inline: the operation of a single-operation job. */
	struct pvgpu_bind_op op_inline;
	/** @ctx: the execution context and its preallocations. */
	struct pvgpu_bind_ctx ctx;
	/**
	 * @exec_inline: a WAIT caller will execute the job itself (see
	 * DOC:); under &pvgpu_bind_queue.exec_lock once pushed.
	 */
	bool exec_inline;
	/** @error: the job's result, set by its executor. */
	int error;
	/** @exec_link: in &pvgpu_bind_queue.exec_list, then in a batch. */
	struct list_head exec_link;
	/** @pending_link: waiting for its batch's TLB invalidation. */
	struct list_head pending_link;
	/** @free_work: releases the job outside the context of free_job. */
	struct work_struct free_work;
};

/**
 * struct pvgpu_bind_queue - a bind queue
 */
struct pvgpu_bind_queue {
	/** @base: the queue; &pvgpu_queue.dq runs the jobs. */
	struct pvgpu_queue base;
	/** @exec_lock: protects @exec_list and @exec_busy. */
	spinlock_t exec_lock;
	/** @exec_list: started jobs not executed yet, in order. */
	struct list_head exec_list;
	/**
	 * @exec_busy: an executor (@exec_work or a WAIT caller) is taking
	 * jobs from @exec_list; there is at most one.
	 */
	bool exec_busy;
	/** @exec_work: executes the jobs of @exec_list in batches. */
	struct work_struct exec_work;
	/** @destroyed: the id was dropped; VM_BIND on it is -ECANCELED. */
	bool destroyed;
};

static struct pvgpu_bind_queue *to_bind_queue(struct pvgpu_queue *q)
{
	return container_of(q, struct pvgpu_bind_queue, base);
}

static struct pvgpu_bind_job *to_bind_job(struct pvgpu_dep_job *job)
{
	return container_of(job, struct pvgpu_bind_job, base);
}

/* --- GEM gpuva lists ---------------------------------------------------- */

static void pvgpu_gpuva_lock_obj(struct drm_gem_object *obj)
{
	mutex_lock(&pvgpu_gpuva_lock);
#ifdef CONFIG_LOCKDEP
	/* Tell drm_gpuvm's lockdep checks which lock protects the lists. */
	if (!obj->gpuva.lock_dep_map)
		obj->gpuva.lock_dep_map = &pvgpu_gpuva_lock.dep_map;
#endif
}

/*
 * Drop a &drm_gpuvm_bo reference that may be the last: the object must
 * not be freed under pvgpu_gpuva_lock (freeing takes its dma-resv lock),
 * so it is held across.
 */
static void pvgpu_vm_bo_put(struct drm_gpuvm_bo *vm_bo)
{
	struct drm_gem_object *obj;

	if (!vm_bo)
		return;
	obj = vm_bo->obj;
	drm_gem_object_get(obj);
	pvgpu_gpuva_lock_obj(obj);
	drm_gpuvm_bo_put(vm_bo);
	mutex_unlock(&pvgpu_gpuva_lock);
	drm_gem_object_put(obj);
}

/* --- Mappings ----------------------------------------------------------- */

static void pvgpu_vma_release(struct pvgpu_vma *vma)
{
	pvgpu_userptr_put(vma->userptr);
	pvgpu_vm_bo_put(vma->base.vm_bo);
	kfree(vma);
}

static void pvgpu_vma_release_list(struct list_head *list)
{
	struct pvgpu_vma *vma, *next;

	list_for_each_entry_safe(vma, next, list, link) {
		list_del(&vma->link);
		pvgpu_vma_release(vma);
	}
}

static struct pvgpu_vma *pvgpu_ctx_get_vma(struct pvgpu_bind_ctx *ctx)
{
	struct pvgpu_vma *vma;

	vma = list_first_entry_or_null(&ctx->pool, struct pvgpu_vma, link);
	if (vma)
		list_del_init(&vma->link);
	return vma;
}

static void pvgpu_ctx_touch(struct pvgpu_bind_ctx *ctx, u64 start, u64 size)
{
	if (!ctx->inv_end) {
		ctx->inv_start = start;
		ctx->inv_end = start + size;
		return;
	}
	ctx->inv_start = min(ctx->inv_start, start);
	ctx->inv_end = max(ctx->inv_end, start + size);
}

/*
 * Take @vma out of the GEM lists but keep its &drm_gpuvm_bo reference, so
 * that the reference is dropped later, outside the signalling section.
 */
static void pvgpu_vma_unlink(struct pvgpu_bind_ctx *ctx, struct pvgpu_vma *vma)
{
	struct drm_gpuvm_bo *vm_bo = vma->base.vm_bo;

	if (vma->base.gem.obj) {
		pvgpu_gpuva_lock_obj(vma->base.gem.obj);
		drm_gpuvm_bo_get(vm_bo);
		drm_gpuva_unlink(&vma->base);
		mutex_unlock(&pvgpu_gpuva_lock);
		vma->base.vm_bo = vm_bo;
	}
	list_add_tail(&vma->link, &ctx->removed);
}

static void pvgpu_vma_link(struct pvgpu_vma *vma, struct drm_gpuvm_bo *vm_bo)
{
	if (!vma->base.gem.obj)
		return;
	pvgpu_gpuva_lock_obj(vma->base.gem.obj);
	drm_gpuva_link(&vma->base, vm_bo);
	/*
	 * Every object is external to the VM (none shares the VM's
	 * dma-resv): EXEC finds the shared ones on this list for implicit
	 * synchronisation (pvgpu_exec.c). Adding takes the list's spinlock
	 * and allocates nothing; the &drm_gpuvm_bo leaves the list when it
	 * dies.
	 */
	drm_gpuvm_bo_extobj_add(vm_bo);
	mutex_unlock(&pvgpu_gpuva_lock);
}

static int pvgpu_sm_step_map(struct drm_gpuva_op *op, void *priv)
{
	struct pvgpu_bind_ctx *ctx = priv;
	struct pvgpu_bind_op *bop = ctx->cur;
	struct pvgpu_vm *vm = ctx->vm;
	struct pvgpu_vma *vma;
	struct sg_table *sgt;
	int ret;

	lockdep_assert_held(&vm->lock);

	vma = pvgpu_ctx_get_vma(ctx);
	if (drm_WARN_ON(&vm->pvdev->drm, !vma || !bop))
		return -EINVAL;

	if (bop->flags & DRM_PVGPU_VM_BIND_FLAG_READONLY)
		vma->flags |= PVGPU_VMA_READONLY;
	if (bop->vma_flags) {
		/* Fault mode: written on first touch (pvgpu_svm.c). */
		vma->flags |= bop->vma_flags;
		if (bop->vma_flags & PVGPU_VMA_LAZY)
			vma->sgt = bop->sgt;
		ret = 0;
	} else if (bop->flags & DRM_PVGPU_VM_BIND_FLAG_NULL) {
		vma->flags |= PVGPU_VMA_NULL;
		ret = pvgpu_pt_map_null(vm->pt, &ctx->pa, op->map.va.addr,
					op->map.va.range);
	} else {
		if (bop->userptr) {
			vma->flags |= PVGPU_VMA_USERPTR;
			sgt = &bop->userptr->sgt;
		} else {
			sgt = bop->sgt;
		}
		ret = pvgpu_pt_map_sgt(vm->pt, &ctx->pa, op->map.va.addr,
				       op->map.va.range, sgt,
				       op->map.gem.offset,
				       vma->flags & PVGPU_VMA_READONLY ?
				       PVGPU_PT_MAP_READONLY : 0);
	}
	if (drm_WARN_ON(&vm->pvdev->drm, ret)) {
		vma->flags = 0;
		list_add(&vma->link, &ctx->pool);
		return ret;
	}

	if (bop->userptr) {
		kref_get(&bop->userptr->refcount);
		vma->userptr = bop->userptr;
	}
	drm_gpuva_map(&vm->base, &vma->base, &op->map);
	pvgpu_vma_link(vma, bop->vm_bo);
	vm->num_mappings++;
	/*
	 * No TLB invalidation for the new range: the tree mirrors the page
	 * tables, so what the range mapped before was removed by the
	 * remap/unmap steps of this operation, which invalidate their part.
	 * Entries made valid here were not present, and the TLB caches
	 * neither faults nor intermediate tables (docs/page-tables.rst).
	 */
	return 0;
}

static void pvgpu_vma_init_from(struct pvgpu_vma *vma, struct pvgpu_vma *from)
{
	vma->flags = from->flags;
	vma->sgt = from->sgt;
	if (from->userptr) {
		kref_get(&from->userptr->refcount);
		vma->userptr = from->userptr;
	}
}

static int pvgpu_sm_step_remap(struct drm_gpuva_op *op, void *priv)
{
	struct pvgpu_vma *old = container_of(op->remap.unmap->va,
					     struct pvgpu_vma, base);
	struct pvgpu_bind_ctx *ctx = priv;
	struct pvgpu_vm *vm = ctx->vm;
	struct pvgpu_vma *prev = NULL, *next = NULL;
	struct drm_gpuvm_bo *vm_bo = old->base.vm_bo;
	u64 start, range;
	int ret;

	lockdep_assert_held(&vm->lock);

	if (op->remap.prev) {
		prev = pvgpu_ctx_get_vma(ctx);
		if (drm_WARN_ON(&vm->pvdev->drm, !prev))
			return -EINVAL;
	}
	if (op->remap.next) {
		next = pvgpu_ctx_get_vma(ctx);
		if (drm_WARN_ON(&vm->pvdev->drm, !next)) {
			if (prev)
				list_add(&prev->link, &ctx->pool);
			return -EINVAL;
		}
	}

	/* The remainders keep their page-table entries: same pages. */
	drm_gpuva_op_remap_to_unmap_range(&op->remap, &start, &range);
	ret = pvgpu_pt_unmap(vm->pt, &ctx->pa, start, range, &ctx->freed);
	if (drm_WARN_ON(&vm->pvdev->drm, ret)) {
		if (prev)
			list_add(&prev->link, &ctx->pool);
		if (next)
			list_add(&next->link, &ctx->pool);
		return ret;
	}
	pvgpu_ctx_touch(ctx, start, range);
	if (old->flags & PVGPU_VMA_HMM)
		pvgpu_svm_drop_chunks(vm, start, range, &ctx->chunks,
				      &ctx->freed, &ctx->inv_start,
				      &ctx->inv_end);

	if (prev)
		pvgpu_vma_init_from(prev, old);
	if (next)
		pvgpu_vma_init_from(next, old);
	drm_gpuva_remap(prev ? &prev->base : NULL, next ? &next->base : NULL,
			&op->remap);
	if (prev) {
		pvgpu_vma_link(prev, vm_bo);
		vm->num_mappings++;
	}
	if (next) {
		pvgpu_vma_link(next, vm_bo);
		vm->num_mappings++;
	}
	pvgpu_vma_unlink(ctx, old);
	vm->num_mappings--;
	return 0;
}

static int pvgpu_sm_step_unmap(struct drm_gpuva_op *op, void *priv)
{
	struct pvgpu_vma *vma = container_of(op->unmap.va, struct pvgpu_vma,
					     base);
	struct pvgpu_bind_ctx *ctx = priv;
	struct pvgpu_vm *vm = ctx->vm;
	int ret;

	lockdep_assert_held(&vm->lock);

	ret = pvgpu_pt_unmap(vm->pt, &ctx->pa, vma->base.va.addr,
			     vma->base.va.range, &ctx->freed);
	if (drm_WARN_ON(&vm->pvdev->drm, ret))
		return ret;
	pvgpu_ctx_touch(ctx, vma->base.va.addr, vma->base.va.range);
	if (vma->flags & PVGPU_VMA_HMM)
		pvgpu_svm_drop_chunks(vm, vma->base.va.addr,
				      vma->base.va.range, &ctx->chunks,
				      &ctx->freed, &ctx->inv_start,
				      &ctx->inv_end);

	drm_gpuva_unmap(&op->unmap);
	pvgpu_vma_unlink(ctx, vma);
	vm->num_mappings--;
	return 0;
}

/* The drm_gpuvm callbacks of pvgpu VMs (declared in pvgpu_vm.h). */
const struct drm_gpuvm_ops pvgpu_gpuvm_ops = {
	.vm_free = pvgpu_vm_gpuvm_free,
	.sm_step_map = pvgpu_sm_step_map,
	.sm_step_remap = pvgpu_sm_step_remap,
	.sm_step_unmap = pvgpu_sm_step_unmap,
};

static void pvgpu_ctx_init(struct pvgpu_bind_ctx *ctx, struct pvgpu_vm *vm)
{
	ctx->vm = vm;
	INIT_LIST_HEAD(&ctx->pa.pages);
	INIT_LIST_HEAD(&ctx->pool);
	INIT_LIST_HEAD(&ctx->removed);
	INIT_LIST_HEAD(&ctx->freed);
	INIT_LIST_HEAD(&ctx->chunks);
}

/*
 * After the TLB invalidation that covers what @ctx touched (or none was
 * needed): free the emptied tables, or, if the invalidation or the job
 * failed (@err), park them and the removed mappings.
 */
static void pvgpu_ctx_settle(struct pvgpu_bind_ctx *ctx, int err)
{
	struct pvgpu_vm *vm = ctx->vm;

	lockdep_assert_held(&vm->lock);

	if (err) {
		pvgpu_vm_set_error(vm, err);
		list_splice_tail_init(&ctx->freed, &vm->parked_tables);
		list_splice_tail_init(&ctx->removed, &vm->parked_vmas);
	} else if (!list_empty(&ctx->freed)) {
		pvgpu_pt_free_tables(vm->pt, &ctx->freed);
	}
	pvgpu_svm_release_chunks(vm, &ctx->chunks, err);
}

/* After the tree changed: invalidate what @ctx touched, then settle. */
static int pvgpu_ctx_finish(struct pvgpu_bind_ctx *ctx, int err)
{
	struct pvgpu_vm *vm = ctx->vm;

	lockdep_assert_held(&vm->lock);

	if (!err && ctx->inv_end)
		err = pvgpu_vm_tlb_invalidate(vm, ctx->inv_start,
					      ctx->inv_end - ctx->inv_start);
	pvgpu_ctx_settle(ctx, err);
	return err;
}

/* Outside the signalling section: what the context still holds. */
static void pvgpu_ctx_fini(struct pvgpu_bind_ctx *ctx)
{
	pvgpu_vma_release_list(&ctx->removed);
	pvgpu_vma_release_list(&ctx->pool);
	if (!list_empty(&ctx->pa.pages))
		pvgpu_pt_prealloc_fini(ctx->vm->pt, &ctx->pa);
}

/**
 * pvgpu_vm_unmap_all() - remove every user mapping of a dying VM
 * @vm: the VM; no bind job can run any more (they hold references)
 *
 * Needs no preallocation: whole mappings are removed, nothing is split.
 */
void pvgpu_vm_unmap_all(struct pvgpu_vm *vm)
{
	struct pvgpu_bind_ctx ctx = {};
	u32 va_bits = vm->pvdev->fw.info.va_bits;
	bool cookie;
	int ret;

	pvgpu_ctx_init(&ctx, vm);
	cookie = dma_fence_begin_signalling();
	mutex_lock(&vm->lock);
	ret = drm_gpuvm_sm_unmap(&vm->base, &ctx, 0,
				 DRM_PVGPU_USER_VA_END(va_bits));
	pvgpu_ctx_finish(&ctx, ret);
	mutex_unlock(&vm->lock);
	dma_fence_end_signalling(cookie);
	pvgpu_ctx_fini(&ctx);
}

/**
 * pvgpu_vm_release_parked() - free what failed bind jobs parked
 * @vm: the dying VM, its address space unbound (no TLB entry left)
 */
void pvgpu_vm_release_parked(struct pvgpu_vm *vm)
{
	LIST_HEAD(tables);
	LIST_HEAD(vmas);

	mutex_lock(&vm->lock);
	list_splice_init(&vm->parked_tables, &tables);
	list_splice_init(&vm->parked_vmas, &vmas);
	if (!list_empty(&tables))
		pvgpu_pt_free_tables(vm->pt, &tables);
	mutex_unlock(&vm->lock);
	pvgpu_vma_release_list(&vmas);
}

/* --- Jobs --------------------------------------------------------------- */

static void pvgpu_bind_job_release(struct pvgpu_bind_job *job)
{
	u32 i;

	pvgpu_ctx_fini(&job->ctx);
	for (i = 0; i < job->num_ops; i++) {
		struct pvgpu_bind_op *bop = &job->ops[i];

		pvgpu_userptr_put(bop->userptr);
		pvgpu_vm_bo_put(bop->vm_bo);
		if (bop->obj)
			drm_gem_object_put(bop->obj);
	}
	if (job->ops != &job->op_inline)
		kvfree(job->ops);
	/* Its userptr pins are gone (unless parked): see the DOC: section. */
	if (job->releasing &&
	    atomic_dec_and_test(&job->vm->binds_releasing))
		wake_up_var(&job->vm->binds_releasing);
	pvgpu_vm_put(job->vm);
	kfree(job);
}

static void pvgpu_bind_job_free_work(struct work_struct *work)
{
	pvgpu_bind_job_release(container_of(work, struct pvgpu_bind_job,
					    free_work));
}

static void pvgpu_bind_job_free(struct pvgpu_dep_job *dep_job)
{
	struct pvgpu_bind_job *job = to_bind_job(dep_job);

	/* Any context, and releasing sleeps: a worker does it. */
	queue_work(job->vm->pvdev->wq, &job->free_work);
}

/* The submitter's last reference, in the ioctl: no worker to wake. */
static void pvgpu_bind_job_free_may_sleep(struct pvgpu_dep_job *dep_job)
{
	pvgpu_bind_job_release(to_bind_job(dep_job));
}

static int pvgpu_bind_job_apply(struct pvgpu_bind_job *job)
{
	struct pvgpu_bind_ctx *ctx = &job->ctx;
	struct pvgpu_vm *vm = job->vm;
	int ret = 0;
	u32 i;

	lockdep_assert_held(&vm->lock);

	for (i = 0; i < job->num_ops && !ret; i++) {
		struct pvgpu_bind_op *bop = &job->ops[i];
		struct drm_gpuva *va;

		ctx->cur = bop;
		switch (bop->op) {
		case DRM_PVGPU_VM_BIND_OP_MAP:
		case DRM_PVGPU_VM_BIND_OP_MAP_USERPTR:
		case DRM_PVGPU_VM_BIND_OP_MAP_MIRROR:
			ret = drm_gpuvm_sm_map(&vm->base, ctx, bop->addr,
					       bop->range, bop->obj,
					       bop->offset);
			break;
		case DRM_PVGPU_VM_BIND_OP_UNMAP:
			ret = drm_gpuvm_sm_unmap(&vm->base, ctx, bop->addr,
						 bop->range);
			break;
		case DRM_PVGPU_VM_BIND_OP_UNMAP_ALL:
			for (;;) {
				u64 addr = 0, range = 0;

				pvgpu_gpuva_lock_obj(bop->obj);
				va = list_first_entry_or_null(&bop->vm_bo->list.gpuva,
							      struct drm_gpuva,
							      gem.entry);
				if (va) {
					addr = va->va.addr;
					range = va->va.range;
				}
				mutex_unlock(&pvgpu_gpuva_lock);
				if (!va)
					break;
				ret = drm_gpuvm_sm_unmap(&vm->base, ctx, addr,
							 range);
				if (ret)
					break;
			}
			break;
		}
	}
	ctx->cur = NULL;
	/* Only a bug gets here: the preallocation was too small. */
	drm_WARN_ON(&vm->pvdev->drm, ret);
	return ret;
}

/*
 * The jobs of a batch whose operations are applied and which wait for
 * the batch's one TLB invalidation (see DOC:).
 */
struct pvgpu_bind_pending {
	/* Jobs (&pvgpu_bind_job.pending_link), in queue order. */
	struct list_head jobs;
	/* The span of what they touched, as &pvgpu_bind_ctx.inv_start/end. */
	u64 inv_start;
	u64 inv_end;
};

/* Invalidate for the pending jobs, then settle each with the result. */
static void pvgpu_bind_pending_flush(struct pvgpu_vm *vm,
				     struct pvgpu_bind_pending *pend)
{
	struct pvgpu_bind_job *job, *tmp;
	int err = 0;

	lockdep_assert_held(&vm->lock);

	if (pend->inv_end)
		err = pvgpu_vm_tlb_invalidate(vm, pend->inv_start,
					      pend->inv_end - pend->inv_start);
	list_for_each_entry_safe(job, tmp, &pend->jobs, pending_link) {
		list_del_init(&job->pending_link);
		pvgpu_ctx_settle(&job->ctx, err);
		job->error = err;
	}
	pend->inv_start = 0;
	pend->inv_end = 0;
}

/* Apply one job of a batch; it joins @pend unless it failed at once. */
static void pvgpu_bind_job_apply_batched(struct pvgpu_bind_job *job,
					 struct pvgpu_bind_pending *pend)
{
	struct pvgpu_bind_ctx *ctx = &job->ctx;
	struct pvgpu_vm *vm = job->vm;
	bool fail;
	int ret;

	lockdep_assert_held(&vm->lock);

	if (job->has_map && vm->error) {
		job->error = -ECANCELED;
		return;
	}
	if (!job->num_ops)
		return;

	/*
	 * The test hook fails this job alone, as a failed invalidation of
	 * its own would: the jobs before it get theirs first.
	 */
	fail = pvgpu_bind_job_should_fail();
	if (fail)
		pvgpu_bind_pending_flush(vm, pend);

	ret = pvgpu_bind_job_apply(job);
	if (!ret && fail)
		ret = -EIO;
	if (ret) {
		pvgpu_ctx_settle(ctx, ret);
		job->error = ret;
		return;
	}

	list_add_tail(&job->pending_link, &pend->jobs);
	if (!ctx->inv_end)
		return;
	if (!pend->inv_end) {
		pend->inv_start = ctx->inv_start;
		pend->inv_end = ctx->inv_end;
	} else {
		pend->inv_start = min(pend->inv_start, ctx->inv_start);
		pend->inv_end = max(pend->inv_end, ctx->inv_end);
	}
}

static bool pvgpu_bind_job_needs_no_fw(struct pvgpu_bind_job *job);

/*
 * Does executing @batch change what the VM maps (not only add fresh
 * mappings to empty ranges)? Then its user queues are suspended around
 * it. A user queue created after the unlocked look at the list runs
 * through the change like any queue would without suspension: nothing it
 * can reach is freed before the TLB invalidation.
 */
static bool pvgpu_bind_batch_changes_vm(struct pvgpu_vm *vm,
					struct list_head *batch)
{
	struct pvgpu_bind_job *job;

	if (list_empty(&vm->user_queues))
		return false;
	list_for_each_entry(job, batch, exec_link)
		if (!pvgpu_bind_job_needs_no_fw(job))
			return true;
	return false;
}

/*
 * Execute a batch of started jobs of one queue (&pvgpu_bind_job.exec_link
 * on @batch, in queue order, each holding the reference run_job took):
 * apply them in order, one TLB invalidation for all, complete them in
 * order, drop the references.
 */
static void pvgpu_bind_batch_execute(struct pvgpu_vm *vm,
				     struct list_head *batch)
{
	struct pvgpu_bind_pending pend = {
		.jobs = LIST_HEAD_INIT(pend.jobs),
	};
	struct pvgpu_bind_job *job, *tmp;
	bool cookie, held;
	int idx;

	/* Before their fences signal: see pvgpu_userptr_charge(). */
	list_for_each_entry(job, batch, exec_link) {
		job->releasing = true;
		atomic_inc(&vm->binds_releasing);
	}
	cookie = dma_fence_begin_signalling();
	/*
	 * Page-table writes happen inside drm_dev_enter(): the device's
	 * removal waits for running jobs (drm_dev_unplug()) before it
	 * DMA-unmaps the tables and the objects' pages, and jobs that run
	 * after it change nothing: the sg tables they hold are stale.
	 */
	if (!drm_dev_enter(&vm->pvdev->drm, &idx)) {
		list_for_each_entry(job, batch, exec_link)
			job->error = -ENODEV;
		goto done;
	}
	/* The VM's user queues stay off the hardware while it changes. */
	held = pvgpu_bind_batch_changes_vm(vm, batch) &&
	       pvgpu_userq_vm_suspend(vm);
	mutex_lock(&vm->lock);
	list_for_each_entry(job, batch, exec_link)
		pvgpu_bind_job_apply_batched(job, &pend);
	pvgpu_bind_pending_flush(vm, &pend);
	mutex_unlock(&vm->lock);
	if (held)
		pvgpu_userq_vm_resume(vm);
	/*
	 * Unused tables go back before the fences signal (this frees, it
	 * does not allocate): the VM's page-table bound counts them until
	 * then, and a caller that waited for a fence finds them back.
	 */
	list_for_each_entry(job, batch, exec_link)
		pvgpu_pt_prealloc_fini(vm->pt, &job->ctx.pa);
	drm_dev_exit(idx);
done:
	list_for_each_entry(job, batch, exec_link)
		pvgpu_dep_job_done(&job->base, job->error);
	dma_fence_end_signalling(cookie);
	/*
	 * What the jobs removed and did not use is released by
	 * pvgpu_bind_job_free_work(), not here: dropping the last reference
	 * to an object takes dma-resv locks (its own, an exporter's), which
	 * must not hold up the later jobs of this queue, whose fences EXECs
	 * wait for.
	 */
	list_for_each_entry_safe(job, tmp, batch, exec_link) {
		list_del_init(&job->exec_link);
		pvgpu_dep_job_put(&job->base);
	}
}

/*
 * The queue's execution work, the executor while it runs (see DOC:):
 * execute the started jobs in batches until none is left.
 */
static void pvgpu_bind_queue_exec_work(struct work_struct *work)
{
	struct pvgpu_bind_queue *bq = container_of(work, struct pvgpu_bind_queue,
						   exec_work);
	struct pvgpu_bind_job *job;
	u32 n;

	/*
	 * The queue's release waits for this work (pvgpu_bind_queue_release()),
	 * so the queue outlives it even once its jobs are freed. An
	 * executor already running (a caller executing its own job) queues
	 * this work again when it is done if jobs are left.
	 */
	spin_lock(&bq->exec_lock);
	if (bq->exec_busy) {
		spin_unlock(&bq->exec_lock);
		return;
	}
	bq->exec_busy = true;
	for (;;) {
		LIST_HEAD(batch);

		for (n = 0; n < PVGPU_BIND_BATCH_MAX; n++) {
			job = list_first_entry_or_null(&bq->exec_list,
						       struct pvgpu_bind_job,
						       exec_link);
			if (!job)
				break;
			list_move_tail(&job->exec_link, &batch);
		}
		if (!n)
			break;
		spin_unlock(&bq->exec_lock);
		pvgpu_bind_batch_execute(bq->base.vm, &batch);
		spin_lock(&bq->exec_lock);
	}
	bq->exec_busy = false;
	spin_unlock(&bq->exec_lock);
}

/*
 * Would executing @job now need no firmware request? True for a job
 * without operations, a MAP job on an unusable VM (it is cancelled), and
 * a job of disjoint maps into ranges the tree has nothing in: the TLB
 * caches no not-present entry. A hint only: the executor invalidates
 * whatever the job really touched.
 */
static bool pvgpu_bind_job_needs_no_fw(struct pvgpu_bind_job *job)
{
	struct pvgpu_vm *vm = job->vm;
	bool cheap = true;
	u32 i;

	if (!job->num_ops)
		return true;
	if (!job->maps_disjoint)
		return false;
	mutex_lock(&vm->lock);
	if (!vm->error) {
		for (i = 0; i < job->num_ops && cheap; i++)
			cheap = drm_gpuvm_interval_empty(&vm->base,
							 job->ops[i].addr,
							 job->ops[i].range);
	}
	mutex_unlock(&vm->lock);
	return cheap;
}

/*
 * After the commit: execute the caller's job right here if it is the
 * queue's next and no executor runs (see DOC:), else leave it to the
 * work. With @cheap_only (no WAIT), only if that needs no firmware round
 * trip: an invalidation is better shared by a batch of the work. The
 * caller holds a reference to @job and to the queue.
 */
static void pvgpu_bind_queue_execute_inline(struct pvgpu_bind_queue *bq,
					    struct pvgpu_bind_job *job,
					    bool cheap_only)
{
	LIST_HEAD(batch);
	bool mine, kick;

	spin_lock(&bq->exec_lock);
	mine = !bq->exec_busy &&
	       list_first_entry_or_null(&bq->exec_list, struct pvgpu_bind_job,
					exec_link) == job;
	if (mine) {
		bq->exec_busy = true;
		list_move_tail(&job->exec_link, &batch);
	}
	/* From now on, run_job of this job hands it to the work. */
	job->exec_inline = false;
	kick = !mine && !bq->exec_busy && !list_empty(&bq->exec_list);
	spin_unlock(&bq->exec_lock);

	if (!mine) {
		if (kick)
			queue_work(job->vm->pvdev->wq, &bq->exec_work);
		return;
	}

	if (!cheap_only || pvgpu_bind_job_needs_no_fw(job)) {
		/* Drops the reference run_job took: ours keeps the job. */
		pvgpu_bind_batch_execute(job->vm, &batch);
		spin_lock(&bq->exec_lock);
	} else {
		/* Back to the head of the list, for the work. */
		spin_lock(&bq->exec_lock);
		list_move(&job->exec_link, &bq->exec_list);
	}
	bq->exec_busy = false;
	kick = !list_empty(&bq->exec_list);
	spin_unlock(&bq->exec_lock);
	if (kick)
		queue_work(job->vm->pvdev->wq, &bq->exec_work);
}

static int pvgpu_bind_run_job(struct pvgpu_dep_job *dep_job)
{
	struct pvgpu_bind_queue *bq = to_bind_queue(to_pvgpu_queue(dep_job->q));
	struct pvgpu_bind_job *job = to_bind_job(dep_job);
	bool kick;

	/*
	 * See DOC: the job is executed by the queue's work, or by the WAIT
	 * caller that committed it (exec_inline), never here: run_job may
	 * be called by another submitter (the bypass path).
	 */
	pvgpu_dep_job_get(dep_job);
	spin_lock(&bq->exec_lock);
	list_add_tail(&job->exec_link, &bq->exec_list);
	kick = !job->exec_inline && !bq->exec_busy;
	spin_unlock(&bq->exec_lock);
	if (kick)
		queue_work(job->vm->pvdev->wq, &bq->exec_work);
	return 0;
}

static void pvgpu_bind_queue_release(struct pvgpu_dep_queue *dq)
{
	struct pvgpu_queue *queue = to_pvgpu_queue(dq);
	struct pvgpu_bind_queue *bq = to_bind_queue(queue);

	/*
	 * Every job is freed, but the execution work may still be queued:
	 * run_job() of a job queues it again while it runs, and the running
	 * instance may execute (and free) that job before the queued one
	 * starts, which would then find the queue freed.
	 * The release runs in its own work (pvgpu_dep_queue's release_work),
	 * never inside this one, so waiting for it cannot deadlock.
	 */
	cancel_work_sync(&bq->exec_work);
	pvgpu_vm_put(queue->vm);
	kfree(bq);
}

static const struct pvgpu_dep_queue_ops pvgpu_bind_queue_ops = {
	.run_job = pvgpu_bind_run_job,
	.free_job = pvgpu_bind_job_free,
	.free_job_may_sleep = pvgpu_bind_job_free_may_sleep,
	.release = pvgpu_bind_queue_release,
};

static void pvgpu_bind_queue_destroy(struct pvgpu_queue *queue)
{
	/* Jobs already pushed hold the queue and finish. */
	WRITE_ONCE(to_bind_queue(queue)->destroyed, true);
	pvgpu_queue_put(queue);
}

/**
 * pvgpu_bind_queue_create() - create a bind queue of a VM
 * @vm: the VM; the queue takes a reference
 *
 * For the VM's default bind queue and for QUEUE_CREATE with
 * DRM_PVGPU_ENGINE_CLASS_VM_BIND. The caller owns the returned reference
 * (the id's); &pvgpu_queue.destroy drops it.
 *
 * Return: the queue, or an ERR_PTR().
 */
struct pvgpu_queue *pvgpu_bind_queue_create(struct pvgpu_vm *vm)
{
	struct pvgpu_bind_queue *bq;
	int ret;

	bq = kzalloc(sizeof(*bq), GFP_KERNEL_ACCOUNT);
	if (!bq)
		return ERR_PTR(-ENOMEM);

	spin_lock_init(&bq->exec_lock);
	INIT_LIST_HEAD(&bq->exec_list);
	INIT_WORK(&bq->exec_work, pvgpu_bind_queue_exec_work);
	bq->base.kind = PVGPU_QUEUE_BIND;
	bq->base.engine_class = DRM_PVGPU_ENGINE_CLASS_VM_BIND;
	bq->base.destroy = pvgpu_bind_queue_destroy;

	ret = pvgpu_dep_queue_init(&bq->base.dq, &pvgpu_bind_queue_ops,
				   "pvgpu-bind",
				   pvgpu_vm_is_lr(vm) ? PVGPU_DEP_QUEUE_LR : 0,
				   0, vm->pvdev->wq);
	if (ret) {
		kfree(bq);
		return ERR_PTR(ret);
	}
	bq->base.vm = pvgpu_vm_get(vm);
	return &bq->base;
}

/* --- The ioctl ---------------------------------------------------------- */

static bool pvgpu_bind_range_ok(u64 addr, u64 range, u64 end)
{
	return range && IS_ALIGNED(addr | range, SZ_4K) &&
	       addr < end && range <= end - addr;
}

/* Checks that need no lookup. */
static int pvgpu_bind_op_check(const struct drm_pvgpu_vm_bind_op *uop,
			       u64 user_end)
{
	if (uop->pad || uop->reserved[0] || uop->reserved[1])
		return -EINVAL;

	switch (uop->op) {
	case DRM_PVGPU_VM_BIND_OP_MAP:
		if (uop->flags & ~(DRM_PVGPU_VM_BIND_FLAG_READONLY |
				   DRM_PVGPU_VM_BIND_FLAG_NULL))
			return -EINVAL;
		if (uop->userptr || !IS_ALIGNED(uop->obj_offset, SZ_4K))
			return -EINVAL;
		/*
		 * A NULL mapping drops writes: READONLY would promise
		 * faults it cannot give.
		 */
		if ((uop->flags & DRM_PVGPU_VM_BIND_FLAG_NULL) &&
		    (uop->handle || uop->obj_offset ||
		     uop->flags & DRM_PVGPU_VM_BIND_FLAG_READONLY))
			return -EINVAL;
		break;
	case DRM_PVGPU_VM_BIND_OP_UNMAP:
		if (uop->flags || uop->handle || uop->obj_offset ||
		    uop->userptr)
			return -EINVAL;
		break;
	case DRM_PVGPU_VM_BIND_OP_UNMAP_ALL:
		if (uop->flags || uop->addr || uop->range || uop->obj_offset ||
		    uop->userptr)
			return -EINVAL;
		return 0;
	case DRM_PVGPU_VM_BIND_OP_MAP_USERPTR:
		if (uop->flags & ~DRM_PVGPU_VM_BIND_FLAG_READONLY)
			return -EINVAL;
		if (uop->handle || uop->obj_offset ||
		    !IS_ALIGNED(uop->userptr, PAGE_SIZE) ||
		    !IS_ALIGNED(uop->range, PAGE_SIZE) ||
		    uop->userptr + uop->range < uop->userptr)
			return -EINVAL;
		break;
	case DRM_PVGPU_VM_BIND_OP_MAP_MIRROR:
		if (uop->flags & ~DRM_PVGPU_VM_BIND_FLAG_READONLY)
			return -EINVAL;
		if (uop->handle || uop->obj_offset || uop->userptr)
			return -EINVAL;
		break;
	case DRM_PVGPU_VM_BIND_OP_PREFETCH:
		if (uop->flags || uop->handle || uop->obj_offset ||
		    uop->userptr)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	if (!pvgpu_bind_range_ok(uop->addr, uop->range, user_end))
		return -EINVAL;
	return 0;
}

/*
 * What one operation may need: page tables (the worst case, whatever the
 * VM maps when the job runs) and &struct pvgpu_vma objects. UNMAP_ALL
 * removes whole mappings only: no split, no table. A MAP's own unmapping
 * of what it replaces lies in its range.
 */
static void pvgpu_bind_op_count(struct pvgpu_vm *vm,
				const struct drm_pvgpu_vm_bind_op *uop,
				u64 *pt_pages, u32 *vmas)
{
	switch (uop->op) {
	case DRM_PVGPU_VM_BIND_OP_MAP:
	case DRM_PVGPU_VM_BIND_OP_MAP_USERPTR:
	case DRM_PVGPU_VM_BIND_OP_MAP_MIRROR:
		*vmas += 3;
		/*
		 * Fault mode writes no entry at bind time: only the removal
		 * of what the range mapped before may split a leaf.
		 */
		if (pvgpu_vm_is_fault_mode(vm) &&
		    !(uop->flags & DRM_PVGPU_VM_BIND_FLAG_NULL))
			*pt_pages += pvgpu_pt_prealloc_count_unmap(vm->pt,
								   uop->addr,
								   uop->range);
		else if (uop->flags & DRM_PVGPU_VM_BIND_FLAG_NULL)
			*pt_pages += pvgpu_pt_prealloc_count_null(vm->pt,
								  uop->addr,
								  uop->range);
		else
			*pt_pages += pvgpu_pt_prealloc_count(vm->pt, uop->addr,
							     uop->range);
		break;
	case DRM_PVGPU_VM_BIND_OP_UNMAP:
		*vmas += 2;
		*pt_pages += pvgpu_pt_prealloc_count_unmap(vm->pt, uop->addr,
							   uop->range);
		break;
	}
}

/* Lookups and pins of one operation. */
static int pvgpu_bind_op_prepare(struct pvgpu_bind_job *job,
				 struct drm_file *file,
				 const struct drm_pvgpu_vm_bind_op *uop,
				 struct pvgpu_bind_op *bop)
{
	struct pvgpu_vm *vm = job->vm;
	struct drm_gpuvm_bo *vm_bo;
	int ret;

	bop->op = uop->op;
	bop->flags = uop->flags;
	bop->addr = uop->addr;
	bop->range = uop->range;
	bop->offset = uop->obj_offset;

	if (uop->op == DRM_PVGPU_VM_BIND_OP_MAP ||
	    uop->op == DRM_PVGPU_VM_BIND_OP_MAP_USERPTR ||
	    uop->op == DRM_PVGPU_VM_BIND_OP_MAP_MIRROR) {
		if (READ_ONCE(vm->error))
			return -ECANCELED;
		job->has_map = true;
	}

	if (pvgpu_vm_is_fault_mode(vm)) {
		switch (uop->op) {
		case DRM_PVGPU_VM_BIND_OP_MAP:
			if (!(uop->flags & DRM_PVGPU_VM_BIND_FLAG_NULL))
				bop->vma_flags = PVGPU_VMA_LAZY;
			break;
		case DRM_PVGPU_VM_BIND_OP_MAP_MIRROR:
			bop->vma_flags = PVGPU_VMA_MIRROR;
			fallthrough;
		case DRM_PVGPU_VM_BIND_OP_MAP_USERPTR:
			/* Followed through hmm: the CPU address is the offset. */
			bop->vma_flags |= PVGPU_VMA_HMM;
			bop->offset = uop->op == DRM_PVGPU_VM_BIND_OP_MAP_MIRROR ?
				      uop->addr : uop->userptr;
			return pvgpu_svm_bind_mm(vm);
		}
	} else if (uop->op == DRM_PVGPU_VM_BIND_OP_MAP_MIRROR ||
		   uop->op == DRM_PVGPU_VM_BIND_OP_PREFETCH) {
		return -EINVAL;
	}

	if (uop->op == DRM_PVGPU_VM_BIND_OP_UNMAP_ALL ||
	    (uop->op == DRM_PVGPU_VM_BIND_OP_MAP &&
	     !(uop->flags & DRM_PVGPU_VM_BIND_FLAG_NULL))) {
		/* Handle 0 is no object: -ENOENT like any unknown handle. */
		bop->obj = drm_gem_object_lookup(file, uop->handle);
		if (!bop->obj)
			return -ENOENT;
		if (uop->op == DRM_PVGPU_VM_BIND_OP_MAP &&
		    (bop->offset >= bop->obj->size ||
		     bop->range > bop->obj->size - bop->offset))
			return -EINVAL;
	}

	if (uop->op == DRM_PVGPU_VM_BIND_OP_MAP && bop->obj) {
		bop->sgt = pvgpu_bo_get_sgt(to_pvgpu_bo(bop->obj));
		if (IS_ERR(bop->sgt)) {
			ret = PTR_ERR(bop->sgt);
			bop->sgt = NULL;
			return ret;
		}
	}
	if (bop->obj) {
		/* Mostly there already: no allocation then. */
		pvgpu_gpuva_lock_obj(bop->obj);
		bop->vm_bo = drm_gpuvm_bo_find(&vm->base, bop->obj);
		mutex_unlock(&pvgpu_gpuva_lock);
	}
	if (bop->obj && !bop->vm_bo) {
		vm_bo = drm_gpuvm_bo_create(&vm->base, bop->obj);
		if (!vm_bo)
			return -ENOMEM;
		pvgpu_gpuva_lock_obj(bop->obj);
		bop->vm_bo = drm_gpuvm_bo_obtain_prealloc(vm_bo);
		mutex_unlock(&pvgpu_gpuva_lock);
	}

	if (uop->op == DRM_PVGPU_VM_BIND_OP_MAP_USERPTR) {
		ret = pvgpu_userptr_create(vm, uop->userptr, uop->range,
					   uop->flags &
					   DRM_PVGPU_VM_BIND_FLAG_READONLY,
					   &bop->userptr);
		if (ret)
			return ret;
	}
	return 0;
}

static int pvgpu_pt_range_cmp(const void *a, const void *b)
{
	const struct pvgpu_pt_range *ra = a, *rb = b;

	if (ra->va != rb->va)
		return ra->va < rb->va ? -1 : 1;
	return 0;
}

/*
 * The job's page-table bound when every operation maps and no two
 * ranges overlap (a batch of fresh mappings; sets
 * &pvgpu_bind_job.maps_disjoint): the distinct entries the ranges touch
 * (pvgpu_pt_prealloc_count_maps()), or @sum, the sum of the operations'
 * own bounds, if that is lower or the job is of another kind.
 */
static u64 pvgpu_bind_job_pt_bound(struct pvgpu_bind_job *job, u64 sum)
{
	struct pvgpu_pt_range *ranges;
	u64 bound = sum;
	u32 i;

	for (i = 0; i < job->num_ops; i++)
		if (job->ops[i].op != DRM_PVGPU_VM_BIND_OP_MAP &&
		    job->ops[i].op != DRM_PVGPU_VM_BIND_OP_MAP_USERPTR &&
		    job->ops[i].op != DRM_PVGPU_VM_BIND_OP_MAP_MIRROR)
			return sum;
	if (job->num_ops < 2) {
		job->maps_disjoint = job->num_ops;
		return sum;
	}

	/* Only a tighter bound: without memory for it, keep the sum. */
	ranges = kvmalloc_array(job->num_ops, sizeof(*ranges),
				GFP_KERNEL_ACCOUNT);
	if (!ranges)
		return sum;
	for (i = 0; i < job->num_ops; i++) {
		ranges[i].va = job->ops[i].addr;
		ranges[i].size = job->ops[i].range;
	}
	sort(ranges, job->num_ops, sizeof(*ranges), pvgpu_pt_range_cmp, NULL);
	for (i = 1; i < job->num_ops; i++)
		if (ranges[i].va < ranges[i - 1].va + ranges[i - 1].size)
			goto out;
	job->maps_disjoint = true;
	bound = min_t(u64, sum,
		      pvgpu_pt_prealloc_count_maps(job->vm->pt, ranges,
						   job->num_ops));
out:
	kvfree(ranges);
	return bound;
}

static int pvgpu_bind_job_prepare(struct pvgpu_bind_job *job,
				  struct drm_file *file,
				  const struct drm_pvgpu_vm_bind_op *uops)
{
	struct pvgpu_vm *vm = job->vm;
	u64 pt_pages = 0, max_pt;
	u32 i, vmas = 0;
	int ret;

	for (i = 0; i < job->num_ops; i++) {
		ret = pvgpu_bind_op_prepare(job, file, &uops[i], &job->ops[i]);
		if (ret)
			return ret;
		pvgpu_bind_op_count(vm, &uops[i], &pt_pages, &vmas);
	}
	pt_pages = pvgpu_bind_job_pt_bound(job, pt_pages);

	/*
	 * bind_pt_max_mb: before any table is allocated, after the lookups
	 * (an operation that cannot work is reported as such first).
	 */
	max_pt = (u64)READ_ONCE(pvgpu_bind_pt_max_mb) *
		 (SZ_1M / PVGPU_PT_TABLE_COST);
	if (max_pt && pt_pages > max_pt)
		return -E2BIG;

	for (i = 0; i < vmas; i++) {
		struct pvgpu_vma *vma = kzalloc(sizeof(*vma),
						GFP_KERNEL_ACCOUNT);

		if (!vma)
			return -ENOMEM;
		list_add(&vma->link, &job->ctx.pool);
	}

	/*
	 * More table pages than memory could hold: no allocation would do
	 * (pvgpu_pt_prealloc() refuses it too; checked here before the sum
	 * is narrowed to its u32 count).
	 */
	if (pt_pages > totalram_pages() || pt_pages > U32_MAX)
		return -ENOMEM;
	if (pt_pages)
		return pvgpu_pt_prealloc(vm->pt, &job->ctx.pa, pt_pages);
	return 0;
}

static struct pvgpu_queue *pvgpu_bind_get_queue(struct pvgpu_file *pfile,
						struct pvgpu_vm *vm,
						u32 queue_id)
{
	struct pvgpu_queue *queue;

	if (!queue_id)
		return pvgpu_vm_default_bind_queue(vm);

	queue = pvgpu_queue_lookup(pfile, queue_id);
	if (queue && (queue->kind != PVGPU_QUEUE_BIND || queue->vm != vm)) {
		pvgpu_queue_put(queue);
		queue = NULL;
	}
	return queue;
}

/*
 * WAIT: wait, interruptibly and without submit_lock (the queue's worker
 * takes it to start jobs, and no holder may wait on a fence), for the
 * in-syncs and the queue's last job. Return: 0 once they have signalled,
 * or -ERESTARTSYS with nothing changed.
 */
static int pvgpu_bind_wait_before(struct pvgpu_dep_queue *dq,
				  struct pvgpu_syncs *syncs)
{
	struct dma_fence *last;
	long t;
	int ret;

	ret = pvgpu_syncs_wait_in(syncs, true);
	if (ret)
		return ret;
	last = pvgpu_dep_queue_last_fence(dq);
	/* The common case, an idle queue, takes no fence lock. */
	t = dma_fence_is_signaled(last) ? 0 : dma_fence_wait(last, true);
	dma_fence_put(last);
	return t < 0 ? t : 0;
}

/* Under submit_lock: has everything the job waits for signalled? */
static bool pvgpu_bind_ready(struct pvgpu_dep_queue *dq)
{
	struct dma_fence *last = pvgpu_dep_queue_last_fence(dq);
	bool ready = dma_fence_is_signaled(last);

	dma_fence_put(last);
	return ready;
}

/* Commit (and with WAIT, the waits before and after it). */
static int pvgpu_bind_job_commit(struct pvgpu_bind_job *job,
				 struct pvgpu_queue *queue,
				 struct pvgpu_syncs *syncs, bool wait,
				 bool *committed)
{
	struct pvgpu_bind_queue *bq = to_bind_queue(queue);
	struct pvgpu_dep_queue *dq = &queue->dq;
	struct dma_fence *fence;
	int ret;

	for (;;) {
		if (wait) {
			/* Restart-safe: nothing is committed yet. */
			ret = pvgpu_bind_wait_before(dq, syncs);
			if (ret)
				return ret;
		}
		/* Nothing is committed yet: a restart is a new call. */
		if (mutex_lock_interruptible(&dq->submit_lock))
			return -ERESTARTSYS;
		if (READ_ONCE(bq->destroyed)) {
			mutex_unlock(&dq->submit_lock);
			return -ECANCELED;
		}
		/*
		 * Another job may have been pushed since the wait: wait for
		 * it too, so that the job starts at once (the in-syncs
		 * stay signalled) and the wait after commit stays bounded.
		 */
		if (!wait || pvgpu_bind_ready(dq))
			break;
		mutex_unlock(&dq->submit_lock);
	}

	pvgpu_dep_job_arm(&job->base);
	fence = dma_fence_get(job->base.fence);
	pvgpu_syncs_signal(syncs, fence);
	/* Executed below by this thread, if it can be: see DOC:. */
	job->exec_inline = true;
	pvgpu_dep_job_get(&job->base);
	pvgpu_dep_job_push(&job->base);
	mutex_unlock(&dq->submit_lock);
	/* The queue owns the job now; our reference keeps it. */
	*committed = true;
	pvgpu_bind_queue_execute_inline(bq, job, !wait);
	/* Usually the last reference (executed above): then freed here. */
	pvgpu_dep_job_put_may_sleep(&job->base);

	/* Asynchronous: committed is success; the job reports by its fence. */
	ret = 0;
	if (wait) {
		/* Bounded by the firmware timeout: see DOC:. */
		if (!dma_fence_is_signaled(fence))
			dma_fence_wait(fence, false);
		ret = dma_fence_get_status(fence);
		ret = ret < 0 ? ret : 0;
	}
	dma_fence_put(fence);
	return ret;
}

/*
 * PREFETCH: once the in-syncs and the queue's earlier jobs have signalled
 * (interruptibly, as WAIT waits), populate the ranges in this thread.
 */
static int pvgpu_bind_prefetch(struct pvgpu_vm *vm, struct pvgpu_queue *queue,
			       struct pvgpu_syncs *syncs,
			       const struct drm_pvgpu_vm_bind_op *uops, u32 n)
{
	int ret;
	u32 i;

	ret = pvgpu_bind_wait_before(&queue->dq, syncs);
	for (i = 0; i < n && !ret; i++)
		ret = pvgpu_svm_prefetch(vm, uops[i].addr, uops[i].range);
	return ret;
}

/**
 * pvgpu_ioctl_vm_bind() - DRM_IOCTL_PVGPU_VM_BIND
 * @drm: the DRM device
 * @data: struct drm_pvgpu_vm_bind
 * @file: the caller
 *
 * See the DOC: section and the uAPI comment.
 *
 * Return: 0, or a negative errno as struct drm_pvgpu_vm_bind lists.
 */
int pvgpu_ioctl_vm_bind(struct drm_device *drm, void *data,
			struct drm_file *file)
{
	struct pvgpu_device *pvdev = to_pvgpu_device(drm);
	struct pvgpu_file *pfile = to_pvgpu_file(file);
	struct drm_pvgpu_vm_bind *args = data;
	/* Up to this many operations are copied to the stack. */
	struct drm_pvgpu_vm_bind_op uops_small[2];
	struct drm_pvgpu_vm_bind_op *uops = NULL;
	struct pvgpu_syncs syncs = {};
	struct pvgpu_bind_job *job;
	struct pvgpu_queue *queue;
	struct pvgpu_vm *vm;
	bool job_inited = false, committed = false;
	u32 i, num_prefetch = 0;
	u64 user_end;
	int ret, idx;

	if (args->extensions || args->pad || args->reserved[0] ||
	    args->reserved[1] || args->flags & ~DRM_PVGPU_VM_BIND_WAIT ||
	    args->num_binds > DRM_PVGPU_MAX_BINDS ||
	    args->num_syncs > DRM_PVGPU_MAX_SYNCS)
		return -EINVAL;

	user_end = DRM_PVGPU_USER_VA_END(pvdev->fw.info.va_bits);
	if (args->num_binds <= ARRAY_SIZE(uops_small)) {
		uops = uops_small;
	} else {
		uops = kvmalloc_array(args->num_binds, sizeof(*uops),
				      GFP_KERNEL_ACCOUNT);
		if (!uops)
			return -ENOMEM;
	}
	if (args->num_binds) {
		if (copy_from_user(uops, u64_to_user_ptr(args->binds),
				   array_size(args->num_binds,
					      sizeof(*uops)))) {
			ret = -EFAULT;
			goto out_uops;
		}
		for (i = 0; i < args->num_binds; i++) {
			ret = pvgpu_bind_op_check(&uops[i], user_end);
			if (ret)
				goto out_uops;
			num_prefetch += uops[i].op ==
					DRM_PVGPU_VM_BIND_OP_PREFETCH;
		}
		/* PREFETCH runs in this thread, not in a job: alone. */
		if (num_prefetch && num_prefetch != args->num_binds) {
			ret = -EINVAL;
			goto out_uops;
		}
	}

	vm = pvgpu_vm_lookup(pfile, args->vm_id);
	if (!vm) {
		ret = -ENOENT;
		goto out_uops;
	}
	if (num_prefetch && !pvgpu_vm_is_fault_mode(vm)) {
		ret = -EINVAL;
		goto out_vm;
	}
	queue = pvgpu_bind_get_queue(pfile, vm, args->queue_id);
	if (!queue) {
		ret = -ENOENT;
		goto out_vm;
	}
	/*
	 * max_jobs_per_queue, before anything is allocated. Without the
	 * queue's submit_lock: concurrent callers may pass it together, each
	 * by one job.
	 */
	if (pvgpu_queue_jobs_full(queue)) {
		ret = -EWOULDBLOCK;
		goto out_queue;
	}

	job = kzalloc(sizeof(*job), GFP_KERNEL_ACCOUNT);
	if (!job) {
		ret = -ENOMEM;
		goto out_queue;
	}
	job->vm = pvgpu_vm_get(vm);
	pvgpu_ctx_init(&job->ctx, vm);
	INIT_LIST_HEAD(&job->exec_link);
	INIT_LIST_HEAD(&job->pending_link);
	INIT_WORK(&job->free_work, pvgpu_bind_job_free_work);
	if (args->num_binds == 1 && !num_prefetch) {
		/* The common case: no allocation of its own. */
		job->ops = &job->op_inline;
		job->num_ops = 1;
	} else if (args->num_binds && !num_prefetch) {
		job->ops = kvcalloc(args->num_binds, sizeof(*job->ops),
				    GFP_KERNEL_ACCOUNT);
		if (!job->ops) {
			ret = -ENOMEM;
			goto out_job;
		}
		job->num_ops = args->num_binds;
	}

	/*
	 * Pins and DMA mappings only while the device is there: its removal
	 * waits for this section, then unmaps what exists (pvgpu_pci_remove()).
	 */
	if (!drm_dev_enter(drm, &idx)) {
		ret = -ENODEV;
		goto out_job;
	}
	ret = pvgpu_bind_job_prepare(job, file, uops);
	drm_dev_exit(idx);
	if (ret)
		goto out_job;

	ret = pvgpu_syncs_parse(pvdev, file, args->syncs, args->num_syncs,
				pvgpu_vm_is_lr(vm) ? PVGPU_SYNCS_LR : 0,
				&syncs);
	if (ret)
		goto out_syncs;

	ret = pvgpu_dep_job_init(&job->base, &queue->dq);
	if (ret)
		goto out_syncs;
	job_inited = true;

	ret = pvgpu_syncs_add_deps(&syncs, &job->base);
	if (ret)
		goto out_syncs;

	if (num_prefetch) {
		ret = pvgpu_bind_prefetch(vm, queue, &syncs, uops,
					  num_prefetch);
		if (ret)
			goto out_syncs;
	}

	/* After a PREFETCH, an empty job: out-syncs in queue order. */
	ret = pvgpu_bind_job_commit(job, queue, &syncs,
				    num_prefetch ||
				    args->flags & DRM_PVGPU_VM_BIND_WAIT,
				    &committed);
	if (committed)
		job = NULL;

out_syncs:
	pvgpu_syncs_fini(&syncs);
out_job:
	if (job) {
		if (job_inited)
			pvgpu_dep_job_put(&job->base);
		else
			pvgpu_bind_job_release(job);
	}
out_queue:
	pvgpu_queue_put(queue);
out_vm:
	pvgpu_vm_put(vm);
out_uops:
	if (uops != uops_small)
		kvfree(uops);
	return ret;
}

/**
 * pvgpu_vm_bind_debugfs_init() - the bind test hook in debugfs
 * @pvdev: the device
 *
 * The fault_attr directory fail_vm_bind (see the DOC: section), in a
 * kernel with CONFIG_FAULT_INJECTION_DEBUG_FS; nothing otherwise. Shared
 * by every pvgpu device.
 */
void pvgpu_vm_bind_debugfs_init(struct pvgpu_device *pvdev)
{
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	fault_create_debugfs_attr("fail_vm_bind", pvdev->drm.debugfs_root,
				  &pvgpu_fail_vm_bind);
#endif
}

/* Waits, interruptibly, for the last job of @queue when called. */
static int pvgpu_bind_queue_wait_last(struct pvgpu_queue *queue)
{
	struct dma_fence *fence = pvgpu_dep_queue_last_fence(&queue->dq);
	long ret;

	ret = dma_fence_wait(fence, true);
	dma_fence_put(fence);
	return ret;
}

/*
 * Waits for every bind submitted to @vm before the call: the last job of
 * its default bind queue and of each bind queue of @pfile on it.
 */
static int pvgpu_vm_wait_binds(struct pvgpu_file *pfile, struct pvgpu_vm *vm)
{
	struct pvgpu_queue *queue;
	unsigned long id;
	int ret = 0;

	queue = pvgpu_vm_default_bind_queue(vm);
	if (queue) {
		ret = pvgpu_bind_queue_wait_last(queue);
		pvgpu_queue_put(queue);
	}
	xa_for_each(&pfile->queues, id, queue) {
		if (ret)
			break;
		/* A reference of our own: the entry may go meanwhile. */
		queue = pvgpu_queue_lookup(pfile, id);
		if (!queue)
			continue;
		if (queue->kind == PVGPU_QUEUE_BIND && queue->vm == vm)
			ret = pvgpu_bind_queue_wait_last(queue);
		pvgpu_queue_put(queue);
	}
	return ret;
}

/**
 * pvgpu_ioctl_vm_restart() - DRM_IOCTL_PVGPU_VM_RESTART
 * @drm: the DRM device
 * @data: struct drm_pvgpu_vm_restart
 * @file: the caller
 *
 * Once the binds submitted before have completed, the whole VM's TLB is
 * invalidated (the failed bind's changes were not: see DOC:, "Errors at
 * execution") and the error cleared. What the failed bind removed stays
 * parked until the VM goes (cheap, and nothing to prove about it).
 *
 * Return: 0, or the errors listed at struct drm_pvgpu_vm_restart.
 */
int pvgpu_ioctl_vm_restart(struct drm_device *drm, void *data,
			   struct drm_file *file)
{
	struct pvgpu_device *pvdev = to_pvgpu_device(drm);
	struct pvgpu_file *pfile = to_pvgpu_file(file);
	struct drm_pvgpu_vm_restart *args = data;
	struct pvgpu_vm *vm;
	int ret, idx;

	if (args->extensions || args->pad)
		return -EINVAL;
	vm = pvgpu_vm_lookup(pfile, args->vm_id);
	if (!vm)
		return -ENOENT;
	ret = -EINVAL;
	if (!READ_ONCE(vm->error))
		goto out_put;
	ret = pvgpu_vm_wait_binds(pfile, vm);
	if (ret)
		goto out_put;
	ret = -ENODEV;
	if (!drm_dev_enter(drm, &idx))
		goto out_put;
	mutex_lock(&vm->lock);
	if (vm->error) {
		/* A device that is gone or wedged stays so: nothing to restart. */
		ret = pvgpu_vm_tlb_invalidate(vm, 0,
					      DRM_PVGPU_USER_VA_END(pvdev->fw.info.va_bits));
		if (!ret)
			WRITE_ONCE(vm->error, 0);
	} else {
		ret = 0;
	}
	mutex_unlock(&vm->lock);
	drm_dev_exit(idx);
out_put:
	pvgpu_vm_put(vm);
	return ret;
}
