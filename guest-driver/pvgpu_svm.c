// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: recoverable GPU page faults and shared virtual memory.
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/dma-mapping.h>
#include <linux/hmm.h>
#include <linux/interval_tree.h>
#include <linux/ktime.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/moduleparam.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "pvgpu_drv.h"
#include "pvgpu_fwif.h"
#include "pvgpu_pt.h"
#include "pvgpu_queue.h"
#include "pvgpu_svm.h"
#include "pvgpu_vm.h"

/**
 * DOC: Page faults and shared virtual memory
 *
 * A fault-mode VM (DRM_PVGPU_VM_CREATE_FAULT_MODE, which requires LR) is
 * bound to a faultable firmware address space: a GPU access to an address
 * without a valid entry stalls only the queue that made it, and the
 * firmware reports PVGPU_F2H_EVT_PAGE_FAULT. The queue's backend
 * (pvgpu_queue_event.c, pvgpu_userq.c) records the fault in its
 * &struct pvgpu_gpu_fault and queues its fault work on
 * &pvgpu_device.fault_wq, which calls pvgpu_svm_handle_fault() and
 * answers PAGE_FAULT_REPLY: RETRY (the firmware replays the access) when
 * the fault was resolved, FAIL (the queue stops, its owner learns the
 * address and access) when it cannot be.
 *
 * **Bounded.** A queue has at most one fault outstanding (the firmware
 * stalls it), recorded in the queue itself: a fault costs no allocation
 * before it is handled, and the faults waiting are bounded by the queues,
 * which are bounded per file. fault_wq is an unbound workqueue with at
 * most fault_workers (module parameter) works running, taken in arrival
 * order: a storm from one VM delays another VM's faults by the storm's
 * share of the workers, it does not starve them. One fault's retries are
 * bounded in time (HMM_RANGE_DEFAULT_TIMEOUT, then FAIL). A fault whose
 * CPU-side fault blocks (a FUSE file whose server does not answer) holds
 * its worker as long: not bounded here (docs/security.rst). What a fault
 * allocates is charged to the faulting process's memory cgroup.
 *
 * **What a fault resolves.** The mapping at the address decides:
 *
 * - A BO range (MAP in a fault-mode VM, PVGPU_VMA_LAZY): the 2 MiB-aligned
 *   part of the mapping around the address is written from the object's
 *   pages, exactly as an eager bind would write it (2 MiB leaves where the
 *   pages allow). The object's pages are pinned while it is mapped, so
 *   the entries need no notifier.
 * - A mirror or fault-mode userptr range (PVGPU_VMA_HMM): the CPU address
 *   (the GPU address for a mirror) is looked up in the VM's process with
 *   hmm_range_fault(), which faults the pages in on the CPU side as an
 *   access of the process would. The unit is a *chunk*: the 2 MiB-aligned
 *   CPU granule around the address, clipped to the CPU VMA and to the GPU
 *   mapping, so a THP-backed, aligned chunk becomes one 2 MiB leaf. Its
 *   pages are DMA-mapped in an sg table (&struct pvgpu_svm_chunk) and
 *   mapped writable when the CPU VMA is writable and the GPU range is not
 *   READONLY (a read fault on private memory so breaks copy-on-write at
 *   once, as the GPU may write later). No page is pinned: the chunk's
 *   entries are valid only until the CPU side changes, which the
 *   notifiers report.
 * - No mapping, a NULL mapping (written at bind time in every VM, so it
 *   never faults), a write to a READONLY range or to memory the process
 *   cannot write, a CPU address without a usable VMA, or a fault reason
 *   other than NOT_PRESENT/WRITE_PROTECT: unresolvable, FAIL.
 *
 * Several queues faulting in one chunk resolve it once: a fault whose
 * address has a valid entry, or a chunk, when its worker looks is
 * answered RETRY at once.
 *
 * **Invalidation.** Each populated chunk belongs to a
 * &struct pvgpu_svm_notifier, an mmu_interval_notifier on a
 * PVGPU_SVM_NOTIFIER_SIZE-aligned span of the process's addresses,
 * created at the first fault in the span and kept until the VM goes (so
 * at most one per span that held a usable CPU mapping). When the process
 * unmaps, remaps, forks (copy-on-write protection), madvises DONTNEED,
 * migrates, reclaims or exits, the invalidation callback takes
 * &pvgpu_vm.lock, bumps the notifier's sequence, clears the entries of
 * every chunk that overlaps the range (whole chunks, so a 2 MiB leaf is
 * never split and nothing needs allocating), invalidates the GPU's TLB for
 * them and only then DMA-unmaps them and returns, letting the CPU side
 * proceed. The next GPU access faults and sees the new pages.
 *
 * **Locking** (the documented hmm protocol): the fault path reads the
 * notifier's sequence (mmu_interval_read_begin()), calls hmm_range_fault()
 * under the mmap read lock without &pvgpu_vm.lock, DMA-maps and
 * preallocates page tables, then takes &pvgpu_vm.lock and writes the
 * entries only if mmu_interval_read_retry() says no invalidation ran
 * since; otherwise it starts again (bounded by HMM_RANGE_DEFAULT_TIMEOUT).
 * &pvgpu_vm.lock is the notifier lock: it is already a lock under which
 * nothing allocates (bind jobs hold it in the dma-fence signalling
 * section), so taking it in an invalidation, which may run from
 * reclaim, is sound; lockdep checks both. The order is mmap lock, then
 * &pvgpu_vm.lock; &pvgpu_svm.notifier_lock, which may allocate, is never
 * taken by an invalidation.
 *
 * **Binds.** An UNMAP (or a MAP over it) of part of a mirror or userptr
 * range drops every chunk that overlaps the removed part, in the bind
 * job, under &pvgpu_vm.lock: their entries are cleared and covered by
 * the job's TLB invalidation, after which their DMA mappings go
 * (pvgpu_svm_drop_chunks(), pvgpu_svm_release_chunks()).
 *
 * **Prefetch.** DRM_PVGPU_VM_BIND_OP_PREFETCH runs the fault path over a
 * range in the calling thread (pvgpu_svm_prefetch()), chunk by chunk, so
 * a workload that touches only prefetched memory raises no fault.
 *
 * **Lost fault events.** A queue stalled on a fault whose event the
 * firmware could not deliver is found by the queue's stall poll, whose
 * QUEUE_QUERY reports the pending fault (interface 1.3): the fault is
 * recorded as if its event had come, resolved and replayed.
 *
 * **Counters** per VM (&struct pvgpu_svm): faults, resolved, failed,
 * total service time (event to answer), pages populated, invalidations
 * that cleared entries; in VM_GET_STATE and debugfs (vms).
 */

/* Each notifier covers an aligned span of this many bytes. */
#define PVGPU_SVM_NOTIFIER_SHIFT	26
#define PVGPU_SVM_NOTIFIER_SIZE		BIT_ULL(PVGPU_SVM_NOTIFIER_SHIFT)
/* A chunk is at most one aligned granule of this size. */
#define PVGPU_SVM_CHUNK_SIZE		SZ_2M
/*
 * A page may be in several chunks at once (memory mirrored by two VMs, or
 * at two GPU addresses), which is only sound without CPU cache
 * maintenance: pvgpu needs a DMA-coherent platform anyway (pvgpu_pt.c
 * refuses one that needs syncs), so there is none to skip.
 */
#define PVGPU_SVM_DMA_ATTRS		DMA_ATTR_SKIP_CPU_SYNC

static unsigned int pvgpu_fault_workers = 4;
module_param_named(fault_workers, pvgpu_fault_workers, uint, 0444);
MODULE_PARM_DESC(fault_workers,
		 "GPU page faults handled at once per device, 1..64 (default 4)");

/**
 * struct pvgpu_svm_notifier - an mmu_interval_notifier of a VM
 */
struct pvgpu_svm_notifier {
	/** @mni: the notifier, on [@start, @start + NOTIFIER_SIZE). */
	struct mmu_interval_notifier mni;
	/** @vm: the VM (no reference: removed before the VM is freed). */
	struct pvgpu_vm *vm;
	/** @start: the span's CPU start address. */
	unsigned long start;
	/** @chunks: its chunks by CPU address, under &pvgpu_vm.lock. */
	struct rb_root_cached chunks;
};

/**
 * struct pvgpu_svm_chunk - populated pages of a mirror or userptr range
 */
struct pvgpu_svm_chunk {
	/** @gpu: GPU address interval, in &pvgpu_svm.chunks. */
	struct interval_tree_node gpu;
	/** @cpu: CPU address interval, in &pvgpu_svm_notifier.chunks. */
	struct interval_tree_node cpu;
	/** @notifier: the notifier whose span holds it. */
	struct pvgpu_svm_notifier *notifier;
	/** @sgt: the pages, DMA-mapped while @mapped. */
	struct sg_table sgt;
	/**
	 * @mapped: @sgt is DMA-mapped, and the chunk on
	 * &pvgpu_device.svm_chunks; under &pvgpu_device.dma_lock.
	 */
	bool mapped;
	/** @dev_link: in &pvgpu_device.svm_chunks while @mapped. */
	struct list_head dev_link;
	/** @writable: mapped writable for the GPU. */
	bool writable;
	/** @link: in a release or parked list once out of the trees. */
	struct list_head link;
};

static u64 pvgpu_chunk_size(const struct pvgpu_svm_chunk *c)
{
	return c->gpu.last - c->gpu.start + 1;
}

/**
 * pvgpu_svm_init() - set up a VM's fault-mode state
 * @vm: the VM being created
 */
void pvgpu_svm_init(struct pvgpu_vm *vm)
{
	struct pvgpu_svm *svm = &vm->svm;

	mutex_init(&svm->notifier_lock);
	xa_init(&svm->notifiers);
	svm->chunks = RB_ROOT_CACHED;
	INIT_LIST_HEAD(&svm->parked);
}

/*
 * A read-only chunk may hold the shared zero page (a read of memory never
 * written) hundreds of times: the device only reads it, which DMA_TO_DEVICE
 * says (and which DMA-API debug then does not count as overlapping).
 */
static enum dma_data_direction pvgpu_chunk_dir(const struct pvgpu_svm_chunk *c)
{
	return c->writable ? DMA_BIDIRECTIONAL : DMA_TO_DEVICE;
}

/*
 * DMA-map @c's table and put it on the device's list, unless the device
 * was removed (pvgpu_svm_dma_fini() unmaps the list).
 */
static int pvgpu_chunk_dma_map(struct pvgpu_device *pvdev,
			       struct pvgpu_svm_chunk *c)
{
	int ret;

	mutex_lock(&pvdev->dma_lock);
	if (pvdev->dma_released) {
		ret = -ENODEV;
	} else {
		ret = dma_map_sgtable(pvdev->drm.dev, &c->sgt,
				      pvgpu_chunk_dir(c), PVGPU_SVM_DMA_ATTRS);
		if (!ret) {
			c->mapped = true;
			list_add_tail(&c->dev_link, &pvdev->svm_chunks);
		}
	}
	mutex_unlock(&pvdev->dma_lock);
	return ret;
}

static void pvgpu_chunk_dma_unmap_locked(struct pvgpu_device *pvdev,
					 struct pvgpu_svm_chunk *c)
{
	lockdep_assert_held(&pvdev->dma_lock);
	if (!c->mapped)
		return;
	dma_unmap_sgtable(pvdev->drm.dev, &c->sgt, pvgpu_chunk_dir(c),
			  PVGPU_SVM_DMA_ATTRS);
	list_del(&c->dev_link);
	c->mapped = false;
}

static void pvgpu_chunk_dma_unmap(struct pvgpu_device *pvdev,
				  struct pvgpu_svm_chunk *c)
{
	mutex_lock(&pvdev->dma_lock);
	pvgpu_chunk_dma_unmap_locked(pvdev, c);
	mutex_unlock(&pvdev->dma_lock);
}

static void pvgpu_chunk_free(struct pvgpu_vm *vm, struct pvgpu_svm_chunk *c)
{
	pvgpu_chunk_dma_unmap(vm->pvdev, c);
	sg_free_table(&c->sgt);
	kfree(c);
}

/* Take @c out of both trees (&pvgpu_vm.lock held). */
static void pvgpu_chunk_unlink(struct pvgpu_vm *vm, struct pvgpu_svm_chunk *c)
{
	lockdep_assert_held(&vm->lock);
	interval_tree_remove(&c->gpu, &vm->svm.chunks);
	interval_tree_remove(&c->cpu, &c->notifier->chunks);
}

/*
 * Clear @c's entries and take it out of the trees (&pvgpu_vm.lock held):
 * whole chunks, so no 2 MiB leaf is split and no table is needed. The
 * emptied tables go to @freed; the caller invalidates [*inv_start,
 * *inv_end) before it frees them or the chunk.
 */
static void pvgpu_chunk_clear(struct pvgpu_vm *vm, struct pvgpu_svm_chunk *c,
			      struct list_head *freed, u64 *inv_start,
			      u64 *inv_end)
{
	u64 start = c->gpu.start, size = pvgpu_chunk_size(c);

	lockdep_assert_held(&vm->lock);
	drm_WARN_ON(&vm->pvdev->drm,
		    pvgpu_pt_unmap(vm->pt, NULL, start, size, freed));
	pvgpu_chunk_unlink(vm, c);
	if (!*inv_end) {
		*inv_start = start;
		*inv_end = start + size;
	} else {
		*inv_start = min(*inv_start, start);
		*inv_end = max(*inv_end, start + size);
	}
}

/* --- Invalidation ------------------------------------------------------ */

static bool pvgpu_svm_invalidate(struct mmu_interval_notifier *mni,
				 const struct mmu_notifier_range *range,
				 unsigned long cur_seq)
{
	struct pvgpu_svm_notifier *n = container_of(mni, struct pvgpu_svm_notifier,
						    mni);
	struct pvgpu_vm *vm = n->vm;
	struct interval_tree_node *node;
	u64 inv_start = 0, inv_end = 0;
	LIST_HEAD(removed);
	LIST_HEAD(freed);
	int err = 0;

	/*
	 * Not blockable (the OOM reaper): fine if nothing of ours is in the
	 * range; clearing entries needs the firmware, which sleeps.
	 */
	if (!mmu_notifier_range_blockable(range)) {
		if (!mutex_trylock(&vm->lock))
			return false;
		if (interval_tree_iter_first(&n->chunks, range->start,
					     range->end - 1)) {
			mutex_unlock(&vm->lock);
			return false;
		}
		mmu_interval_set_seq(mni, cur_seq);
		mutex_unlock(&vm->lock);
		return true;
	}

	mutex_lock(&vm->lock);
	mmu_interval_set_seq(mni, cur_seq);
	node = interval_tree_iter_first(&n->chunks, range->start,
					range->end - 1);
	while (node) {
		struct pvgpu_svm_chunk *c = container_of(node,
							 struct pvgpu_svm_chunk,
							 cpu);

		node = interval_tree_iter_next(node, range->start,
					       range->end - 1);
		pvgpu_chunk_clear(vm, c, &freed, &inv_start, &inv_end);
		list_add_tail(&c->link, &removed);
	}
	if (inv_end) {
		atomic64_inc(&vm->svm.invalidations);
		/*
		 * On failure the firmware no longer runs (the device is
		 * wedged): nothing can reach the pages any more.
		 */
		err = pvgpu_vm_tlb_invalidate(vm, inv_start,
					      inv_end - inv_start);
		if (err)
			list_splice_tail_init(&freed, &vm->parked_tables);
		else if (!list_empty(&freed))
			pvgpu_pt_free_tables(vm->pt, &freed);
	}
	pvgpu_svm_release_chunks(vm, &removed, err);
	mutex_unlock(&vm->lock);
	return true;
}

static const struct mmu_interval_notifier_ops pvgpu_svm_notifier_ops = {
	.invalidate = pvgpu_svm_invalidate,
};

/**
 * pvgpu_svm_drop_chunks() - remove the chunks of a GPU range being unmapped
 * @vm: the VM, &pvgpu_vm.lock held (a bind job)
 * @start: the range's start
 * @size: its size
 * @removed: the chunks go here, for pvgpu_svm_release_chunks() after the
 *	     TLB invalidation
 * @freed: emptied page tables go here, freed after that invalidation
 * @inv_start: widened to cover the chunks (with @inv_end)
 * @inv_end: 0 when nothing is to be invalidated yet
 *
 * Return: true if a chunk was removed.
 */
bool pvgpu_svm_drop_chunks(struct pvgpu_vm *vm, u64 start, u64 size,
			   struct list_head *removed, struct list_head *freed,
			   u64 *inv_start, u64 *inv_end)
{
	struct interval_tree_node *node;
	bool any = false;

	lockdep_assert_held(&vm->lock);

	node = interval_tree_iter_first(&vm->svm.chunks, start,
					start + size - 1);
	while (node) {
		struct pvgpu_svm_chunk *c = container_of(node,
							 struct pvgpu_svm_chunk,
							 gpu);

		node = interval_tree_iter_next(node, start, start + size - 1);
		pvgpu_chunk_clear(vm, c, freed, inv_start, inv_end);
		list_add_tail(&c->link, removed);
		any = true;
	}
	return any;
}

/**
 * pvgpu_svm_release_chunks() - free chunks taken out of the trees
 * @vm: the VM
 * @removed: the chunks
 * @err: the TLB invalidation that covered them failed: the GPU may still
 *	 reach their pages, so their DMA mappings are parked until the VM's
 *	 teardown
 */
void pvgpu_svm_release_chunks(struct pvgpu_vm *vm, struct list_head *removed,
			      int err)
{
	struct pvgpu_svm_chunk *c, *next;

	if (err) {
		list_splice_tail_init(removed, &vm->svm.parked);
		return;
	}
	list_for_each_entry_safe(c, next, removed, link) {
		list_del(&c->link);
		pvgpu_chunk_free(vm, c);
		cond_resched();
	}
}

/* --- Notifiers ----------------------------------------------------------- */

/**
 * pvgpu_svm_bind_mm() - check or set the process a VM mirrors
 * @vm: a fault-mode VM
 *
 * Called by MAP_MIRROR and fault-mode MAP_USERPTR at ioctl time.
 *
 * Return: 0, or -EINVAL when the VM follows another process.
 */
int pvgpu_svm_bind_mm(struct pvgpu_vm *vm)
{
	struct pvgpu_svm *svm = &vm->svm;
	int ret = 0;

	mutex_lock(&svm->notifier_lock);
	if (!svm->mm) {
		mmgrab(current->mm);
		svm->mm = current->mm;
	} else if (svm->mm != current->mm) {
		ret = -EINVAL;
	}
	mutex_unlock(&svm->notifier_lock);
	return ret;
}

static struct pvgpu_svm_notifier *pvgpu_svm_notifier(struct pvgpu_vm *vm,
						     unsigned long addr)
{
	struct pvgpu_svm *svm = &vm->svm;
	unsigned long index = addr >> PVGPU_SVM_NOTIFIER_SHIFT;
	struct pvgpu_svm_notifier *n;
	int ret;

	mutex_lock(&svm->notifier_lock);
	n = xa_load(&svm->notifiers, index);
	if (n)
		goto out;

	n = kzalloc(sizeof(*n), GFP_KERNEL_ACCOUNT);
	if (!n) {
		n = ERR_PTR(-ENOMEM);
		goto out;
	}
	n->vm = vm;
	n->start = index << PVGPU_SVM_NOTIFIER_SHIFT;
	n->chunks = RB_ROOT_CACHED;
	ret = xa_err(xa_store(&svm->notifiers, index, n, GFP_KERNEL_ACCOUNT));
	if (ret) {
		kfree(n);
		n = ERR_PTR(ret);
		goto out;
	}
	ret = mmu_interval_notifier_insert(&n->mni, svm->mm, n->start,
					   PVGPU_SVM_NOTIFIER_SIZE,
					   &pvgpu_svm_notifier_ops);
	if (ret) {
		xa_erase(&svm->notifiers, index);
		kfree(n);
		n = ERR_PTR(ret);
	}
out:
	mutex_unlock(&svm->notifier_lock);
	return n;
}

/**
 * pvgpu_svm_remove_notifiers() - stop following the process
 * @vm: a dying VM: no queue runs in it any more
 *
 * After this no invalidation runs; the chunks stay mapped until
 * pvgpu_svm_fini(), after the address space is unbound.
 */
void pvgpu_svm_remove_notifiers(struct pvgpu_vm *vm)
{
	struct pvgpu_svm_notifier *n;
	unsigned long index;

	xa_for_each(&vm->svm.notifiers, index, n)
		mmu_interval_notifier_remove(&n->mni);
}

/**
 * pvgpu_svm_fini() - free what fault mode holds
 * @vm: a dying VM, its mappings removed and its address space unbound
 */
void pvgpu_svm_fini(struct pvgpu_vm *vm)
{
	struct pvgpu_svm *svm = &vm->svm;
	struct pvgpu_svm_notifier *n;
	struct interval_tree_node *node;
	unsigned long index;
	LIST_HEAD(removed);

	mutex_lock(&vm->lock);
	while ((node = interval_tree_iter_first(&svm->chunks, 0, ULLONG_MAX))) {
		struct pvgpu_svm_chunk *c = container_of(node,
							 struct pvgpu_svm_chunk,
							 gpu);

		pvgpu_chunk_unlink(vm, c);
		list_add_tail(&c->link, &removed);
		cond_resched();
	}
	list_splice_tail_init(&svm->parked, &removed);
	pvgpu_svm_release_chunks(vm, &removed, 0);
	mutex_unlock(&vm->lock);

	xa_for_each(&svm->notifiers, index, n)
		kfree(n);
	xa_destroy(&svm->notifiers);
	if (svm->mm)
		mmdrop(svm->mm);
	/* The lock goes with the VM (pvgpu_vm_gpuvm_free()). */
}

/**
 * pvgpu_svm_dma_fini() - DMA-unmap every SVM chunk of a removed device
 * @pvdev: the device, &pvgpu_device.dma_lock held; its firmware no longer
 *	   runs
 *
 * The chunks stay in their VMs' trees, unmapped, until the VMs go.
 */
void pvgpu_svm_dma_fini(struct pvgpu_device *pvdev)
{
	struct pvgpu_svm_chunk *c, *next;

	lockdep_assert_held(&pvdev->dma_lock);
	list_for_each_entry_safe(c, next, &pvdev->svm_chunks, dev_link)
		pvgpu_chunk_dma_unmap_locked(pvdev, c);
}

/* --- Resolution ---------------------------------------------------------- */

/* The mapping at @va, &pvgpu_vm.lock held. */
static struct pvgpu_vma *pvgpu_svm_find_vma(struct pvgpu_vm *vm, u64 va)
{
	struct drm_gpuva *gva;

	lockdep_assert_held(&vm->lock);
	gva = drm_gpuva_find_first(&vm->base, va, 1);
	return gva ? to_pvgpu_vma(gva) : NULL;
}

/* A snapshot of a mapping, to see whether it changed while unlocked. */
struct pvgpu_svm_target {
	u64 start;
	u64 end;
	u64 offset;
	u32 flags;
	struct sg_table *sgt;
};

static void pvgpu_svm_target(struct pvgpu_vma *vma, struct pvgpu_svm_target *t)
{
	t->start = vma->base.va.addr;
	t->end = vma->base.va.addr + vma->base.va.range;
	t->offset = vma->base.gem.offset;
	t->flags = vma->flags;
	t->sgt = vma->sgt;
}

static bool pvgpu_svm_target_same(struct pvgpu_vma *vma,
				  const struct pvgpu_svm_target *t)
{
	struct pvgpu_svm_target now;

	if (!vma)
		return false;
	pvgpu_svm_target(vma, &now);
	/* Field by field: the structure has padding. */
	return now.start == t->start && now.end == t->end &&
	       now.offset == t->offset && now.flags == t->flags &&
	       now.sgt == t->sgt;
}

/*
 * A LAZY BO mapping: write the entries of the 2 MiB-aligned part of the
 * mapping around @va. Called and returns with &pvgpu_vm.lock held; drops
 * it to preallocate.
 */
static int pvgpu_svm_populate_bo(struct pvgpu_vm *vm, struct pvgpu_vma *vma,
				 u64 va, u64 *next)
{
	struct pvgpu_pt_prealloc pa = { .pages = LIST_HEAD_INIT(pa.pages) };
	struct pvgpu_svm_target t;
	u64 start, end;
	int ret, idx;
	u32 count;

	pvgpu_svm_target(vma, &t);
	start = max(ALIGN_DOWN(va, PVGPU_SVM_CHUNK_SIZE), t.start);
	end = min(ALIGN_DOWN(va, PVGPU_SVM_CHUNK_SIZE) + PVGPU_SVM_CHUNK_SIZE,
		  t.end);
	*next = end;

	/* Another fault (or PREFETCH) did it. */
	if (!pvgpu_pt_lookup(vm->pt, va, NULL, NULL))
		return 0;

	count = pvgpu_pt_prealloc_count(vm->pt, start, end - start);
	mutex_unlock(&vm->lock);
	ret = count ? pvgpu_pt_prealloc(vm->pt, &pa, count) : 0;
	mutex_lock(&vm->lock);
	if (ret)
		goto out;

	/* The mapping may have changed while the lock was dropped. */
	vma = pvgpu_svm_find_vma(vm, va);
	if (!pvgpu_svm_target_same(vma, &t)) {
		ret = -EAGAIN;
		goto out;
	}
	if (!drm_dev_enter(&vm->pvdev->drm, &idx)) {
		ret = -ENODEV;
		goto out;
	}
	/*
	 * Over entries another fault may have written meanwhile: the same
	 * translation, so no invalidation is needed.
	 */
	ret = pvgpu_pt_map_sgt(vm->pt, &pa, start, end - start, t.sgt,
			       t.offset + (start - t.start),
			       t.flags & PVGPU_VMA_READONLY ?
			       PVGPU_PT_MAP_READONLY : 0);
	drm_dev_exit(idx);
	if (!ret)
		atomic64_add((end - start) >> PAGE_SHIFT,
			     &vm->svm.pages_populated);
out:
	if (!list_empty(&pa.pages)) {
		mutex_unlock(&vm->lock);
		pvgpu_pt_prealloc_fini(vm->pt, &pa);
		mutex_lock(&vm->lock);
	}
	return ret;
}

/* The chunk of @vm holding GPU address @va, &pvgpu_vm.lock held. */
static struct pvgpu_svm_chunk *pvgpu_svm_chunk_at(struct pvgpu_vm *vm, u64 va)
{
	struct interval_tree_node *node;

	node = interval_tree_iter_first(&vm->svm.chunks, va, va);
	return node ? container_of(node, struct pvgpu_svm_chunk, gpu) : NULL;
}

/*
 * The GPU range a new chunk around @va may take (&pvgpu_vm.lock held, no
 * chunk holds @va): its granule (starting at GPU address @granule), within
 * the mapping @t, between the chunks the granule already has. A granule
 * can hold several chunks: its CPU VMA may have grown (a merged
 * neighbour, brk, mprotect) after a chunk was made, and two chunks must
 * never map one address.
 */
static void pvgpu_svm_gap(struct pvgpu_vm *vm, u64 va, u64 granule,
			  const struct pvgpu_svm_target *t, u64 *lo, u64 *hi)
{
	struct interval_tree_node *node;

	lockdep_assert_held(&vm->lock);
	*lo = max(granule, t->start);
	*hi = min(granule + PVGPU_SVM_CHUNK_SIZE, t->end);
	for (node = interval_tree_iter_first(&vm->svm.chunks, *lo, *hi - 1);
	     node; node = interval_tree_iter_next(node, *lo, *hi - 1)) {
		if (node->last < va)
			*lo = max(*lo, node->last + 1);
		else
			*hi = min(*hi, node->start);
	}
}

/*
 * Under the mmap read lock: the CPU range of the chunk around @cpu (the
 * granule's gap [@glo, @ghi) in CPU addresses, clipped to the VMA; one
 * page if @one_page), whether it can be writable, then hmm_range_fault()
 * on it. The VMA lookup and the fault share one lock section, so the
 * range cannot go stale in between. *@next: where PREFETCH goes on.
 */
static int pvgpu_svm_hmm_fault(struct mm_struct *mm, struct hmm_range *range,
			       unsigned long cpu, unsigned long glo,
			       unsigned long ghi, bool readonly, bool write,
			       bool one_page, bool *writable, s64 delta,
			       u64 gpu_end, u64 *next)
{
	struct vm_area_struct *cvma;
	int ret;

	mmap_read_lock(mm);
	/* The first VMA that ends above @cpu: the one holding it, or next. */
	cvma = find_vma(mm, cpu);
	if (!cvma || cvma->vm_start > cpu ||
	    (cvma->vm_flags & (VM_IO | VM_PFNMAP))) {
		/* Where PREFETCH goes on: the next usable CPU mapping. */
		if (cvma)
			*next = min_t(u64, gpu_end,
				      (cvma->vm_start > cpu ? cvma->vm_start :
				       cvma->vm_end) - delta);
		ret = -EFAULT;
		goto out;
	}
	*writable = (cvma->vm_flags & VM_WRITE) && !readonly;
	if (write && !*writable) {
		ret = -EACCES;
		goto out;
	}
	if (one_page) {
		range->start = ALIGN_DOWN(cpu, PAGE_SIZE);
		range->end = range->start + PAGE_SIZE;
	} else {
		range->start = max(cvma->vm_start, glo);
		range->end = min(cvma->vm_end, ghi);
	}
	range->default_flags = HMM_PFN_REQ_FAULT |
			       (*writable ? HMM_PFN_REQ_WRITE : 0);
	ret = hmm_range_fault(range);
out:
	mmap_read_unlock(mm);
	return ret;
}

/*
 * Fault in, DMA-map and map the chunk of an HMM mapping around @va.
 * Called and returns with &pvgpu_vm.lock held; drops it for the work.
 * @deadline bounds the retries of one fault, whatever makes them.
 */
static int pvgpu_svm_populate_hmm(struct pvgpu_vm *vm, struct pvgpu_vma *vma,
				  u64 va, bool write, unsigned long deadline,
				  u64 *next)
{
	struct pvgpu_pt_prealloc pa = { .pages = LIST_HEAD_INIT(pa.pages) };
	struct mm_struct *mm = vm->svm.mm;
	struct pvgpu_svm_chunk *c = NULL, *have;
	struct mem_cgroup *memcg = NULL, *old_memcg = NULL;
	unsigned long cpu, cstart, cend, npages, i;
	struct hmm_range range = { };
	struct pvgpu_svm_notifier *n;
	struct pvgpu_svm_target t;
	unsigned long *pfns = NULL;
	struct page **pages = NULL;
	bool writable = false, one_page = false;
	u64 glo, ghi;
	s64 delta;
	u32 count;
	int ret, idx;

	pvgpu_svm_target(vma, &t);
	*next = t.end;
	if (write && (t.flags & PVGPU_VMA_READONLY))
		return -EACCES;
	have = pvgpu_svm_chunk_at(vm, va);
	if (have) {
		*next = have->gpu.last + 1;
		/* Resolved meanwhile, or mapped read-only: not writable. */
		return write && !have->writable ? -EACCES : 0;
	}
	/* CPU address = GPU address + delta. */
	delta = (s64)(t.offset - t.start);
	cpu = va + delta;
	pvgpu_svm_gap(vm, va, ALIGN_DOWN(cpu, PVGPU_SVM_CHUNK_SIZE) - delta, &t,
		      &glo, &ghi);
	*next = ghi;

	mutex_unlock(&vm->lock);
	if (!mm || !mmget_not_zero(mm)) {
		/* The process is gone (exiting): nothing to map. */
		ret = -EFAULT;
		goto relock;
	}
	/*
	 * What is allocated for the process's fault is charged to its
	 * memory cgroup, not to the worker's (none).
	 */
	memcg = get_mem_cgroup_from_mm(mm);
	old_memcg = set_active_memcg(memcg);

	/* The granule's span: one notifier whatever the chunk's bounds. */
	n = pvgpu_svm_notifier(vm, glo + delta);
	if (IS_ERR(n)) {
		ret = PTR_ERR(n);
		goto put_mm;
	}
	npages = (ghi - glo) >> PAGE_SHIFT;
	pfns = kvmalloc_array(npages, sizeof(*pfns), GFP_KERNEL_ACCOUNT);
	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	c = kzalloc(sizeof(*c), GFP_KERNEL_ACCOUNT);
	if (!pfns || !pages || !c) {
		ret = -ENOMEM;
		goto put_mm;
	}
	/* Tables for the whole gap: the chunk is never larger. */
	if (!drm_dev_enter(&vm->pvdev->drm, &idx)) {
		ret = -ENODEV;
		goto put_mm;
	}
	count = pvgpu_pt_prealloc_count(vm->pt, glo, ghi - glo);
	ret = count ? pvgpu_pt_prealloc(vm->pt, &pa, count) : 0;
	drm_dev_exit(idx);
	if (ret)
		goto put_mm;

	range.notifier = &n->mni;
	range.hmm_pfns = pfns;
again:
	if (time_after(jiffies, deadline)) {
		ret = -EBUSY;
		goto put_mm;
	}
	range.notifier_seq = mmu_interval_read_begin(&n->mni);
	ret = pvgpu_svm_hmm_fault(mm, &range, cpu, glo + delta, ghi + delta,
				  t.flags & PVGPU_VMA_READONLY, write, one_page,
				  &writable, delta, t.end, next);
	if (ret == -EBUSY)
		goto again;
	/*
	 * A page of the chunk other than the faulting one may be unusable
	 * (SIGBUS past a file's end, a write refused): the access itself
	 * may still be fine, so try its page alone before failing.
	 */
	if ((ret == -EFAULT || ret == -EPERM) && !one_page &&
	    range.start && range.end - range.start > PAGE_SIZE) {
		one_page = true;
		goto again;
	}
	if (ret)
		goto put_mm;
	cstart = range.start;
	cend = range.end;
	npages = (cend - cstart) >> PAGE_SHIFT;
	*next = cend - delta;

	for (i = 0; i < npages; i++)
		pages[i] = hmm_pfn_to_page(pfns[i]);
	/* A retry: the previous attempt's table is stale. */
	pvgpu_chunk_dma_unmap(vm->pvdev, c);
	c->writable = writable;
	sg_free_table(&c->sgt);
	ret = sg_alloc_table_from_pages(&c->sgt, pages, npages, 0,
					npages << PAGE_SHIFT,
					GFP_KERNEL_ACCOUNT);
	if (ret)
		goto put_mm;
	ret = pvgpu_chunk_dma_map(vm->pvdev, c);
	if (ret)
		goto put_mm;

	mutex_lock(&vm->lock);
	if (mmu_interval_read_retry(&n->mni, range.notifier_seq)) {
		mutex_unlock(&vm->lock);
		goto again;
	}
	vma = pvgpu_svm_find_vma(vm, va);
	if (!pvgpu_svm_target_same(vma, &t)) {
		/* Rebound meanwhile: look again. */
		ret = -EAGAIN;
		goto put_locked;
	}
	have = pvgpu_svm_chunk_at(vm, va);
	if (have || interval_tree_iter_first(&vm->svm.chunks, cstart - delta,
					     cend - delta - 1)) {
		/* Another fault mapped it first. */
		ret = have && (!write || have->writable) ? 0 : -EAGAIN;
		goto put_locked;
	}
	if (!drm_dev_enter(&vm->pvdev->drm, &idx)) {
		ret = -ENODEV;
		goto put_locked;
	}
	ret = pvgpu_pt_map_sgt(vm->pt, &pa, cstart - delta, cend - cstart,
			       &c->sgt, 0,
			       writable ? 0 : PVGPU_PT_MAP_READONLY);
	drm_dev_exit(idx);
	if (drm_WARN_ON(&vm->pvdev->drm, ret)) {
		/* Partly mapped (a bug): clear it, nothing was valid before. */
		LIST_HEAD(freed);

		pvgpu_pt_unmap(vm->pt, NULL, cstart - delta, cend - cstart,
			       &freed);
		list_splice_tail(&freed, &vm->parked_tables);
		goto put_locked;
	}
	c->gpu.start = cstart - delta;
	c->gpu.last = cend - delta - 1;
	c->cpu.start = cstart;
	c->cpu.last = cend - 1;
	c->notifier = n;
	interval_tree_insert(&c->gpu, &vm->svm.chunks);
	interval_tree_insert(&c->cpu, &n->chunks);
	atomic64_add(npages, &vm->svm.pages_populated);
	c = NULL;

put_locked:
	/* &pvgpu_vm.lock is held here, as the caller expects. */
	set_active_memcg(old_memcg);
	mem_cgroup_put(memcg);
	mmput_async(mm);
	goto out;
put_mm:
	set_active_memcg(old_memcg);
	mem_cgroup_put(memcg);
	mmput_async(mm);
relock:
	mutex_lock(&vm->lock);
out:
	kvfree(pfns);
	kvfree(pages);
	if (c || !list_empty(&pa.pages)) {
		mutex_unlock(&vm->lock);
		if (c)
			pvgpu_chunk_free(vm, c);
		if (!list_empty(&pa.pages))
			pvgpu_pt_prealloc_fini(vm->pt, &pa);
		mutex_lock(&vm->lock);
	}
	return ret;
}

/*
 * Resolve the fault of an access to @va (@write: it writes). *@next is
 * where the next unit starts (PREFETCH). Retries while the mapping
 * changes under it, which only a racing bind causes.
 */
static int pvgpu_svm_populate(struct pvgpu_vm *vm, u64 va, bool write,
			      u64 *next)
{
	unsigned long deadline = jiffies +
				 msecs_to_jiffies(HMM_RANGE_DEFAULT_TIMEOUT);
	struct pvgpu_vma *vma;
	int ret, tries = 0;

	mutex_lock(&vm->lock);
	do {
		vma = pvgpu_svm_find_vma(vm, va);
		if (!vma) {
			struct drm_gpuva *gva;

			/* The next mapping, for PREFETCH. */
			gva = drm_gpuva_find_first(&vm->base, va,
						   U64_MAX - va);
			*next = gva ? gva->va.addr : U64_MAX;
			ret = -ENOENT;
		} else if (vma->flags & PVGPU_VMA_HMM) {
			ret = pvgpu_svm_populate_hmm(vm, vma, va, write,
						     deadline, next);
		} else if (vma->flags & PVGPU_VMA_LAZY) {
			ret = write && (vma->flags & PVGPU_VMA_READONLY) ?
			      -EACCES : pvgpu_svm_populate_bo(vm, vma, va,
							       next);
		} else {
			/*
			 * An eager mapping (NULL): it has its entries, so only
			 * a replay that raced a bind can land here.
			 */
			*next = vma->base.va.addr + vma->base.va.range;
			ret = !pvgpu_pt_lookup(vm->pt, va, NULL, NULL) &&
			      !(write && (vma->flags & PVGPU_VMA_READONLY)) ?
			      0 : -EACCES;
		}
	} while (ret == -EAGAIN && ++tries < 16 &&
		 time_before(jiffies, deadline));
	mutex_unlock(&vm->lock);
	return ret;
}

/**
 * pvgpu_svm_handle_fault() - resolve a queue's GPU page fault
 * @vm: the queue's VM
 * @fault: the fault
 *
 * Process context, no lock held (the fault work of the queue).
 *
 * Return: 0 if the access may be replayed (PAGE_FAULT_REPLY RETRY), else
 * a negative errno: the fault is unresolvable, answer FAIL.
 */
int pvgpu_svm_handle_fault(struct pvgpu_vm *vm,
			   const struct pvgpu_gpu_fault *fault)
{
	struct pvgpu_svm *svm = &vm->svm;
	u64 next, ns;
	int ret;

	atomic64_inc(&svm->faults);
	if (!pvgpu_vm_is_fault_mode(vm))
		ret = -EFAULT;
	else if (fault->reason != PVGPU_FAULT_NOT_PRESENT &&
		 fault->reason != PVGPU_FAULT_WRITE_PROTECT)
		ret = -EFAULT;	/* no page table, no address space, bad PA */
	else
		ret = pvgpu_svm_populate(vm, fault->va,
					 fault->access != PVGPU_ACCESS_READ,
					 &next);
	ns = ktime_get_ns() - fault->raised_ns;
	atomic64_inc(ret ? &svm->faults_failed : &svm->faults_resolved);
	atomic64_add(ns, &svm->fault_ns);
	/* The file's totals for fdinfo (the VM holds a file reference). */
	atomic64_inc(&vm->pfile->faults);
	if (ret)
		atomic64_inc(&vm->pfile->faults_failed);
	atomic64_add(ns, &vm->pfile->fault_ns);
	return ret;
}

/**
 * pvgpu_gpu_fault_record() - record a queue's fault for its fault work
 * @state_lock: the queue's state lock (taken here, irqsave)
 * @pending: the queue's &struct pvgpu_gpu_fault
 * @seqno: the fault's fault_seqno
 * @va: its address
 * @access: PVGPU_ACCESS_*
 * @reason: PVGPU_FAULT_*
 * @lost: a lost fault reported by QUEUE_QUERY: recorded only if none is
 *	  (an event that did come was recorded first, the F2H ring being in
 *	  order before the query's response)
 *
 * Any context. The caller queues the fault work on
 * &pvgpu_device.fault_wq when this returns true.
 *
 * Return: true if the fault was recorded.
 */
bool pvgpu_gpu_fault_record(spinlock_t *state_lock,
			    struct pvgpu_gpu_fault *pending, u32 seqno, u64 va,
			    u32 access, u32 reason, bool lost)
{
	unsigned long flags;
	bool record;

	spin_lock_irqsave(state_lock, flags);
	record = !lost || !pending->seqno;
	if (record) {
		pending->seqno = seqno;
		pending->va = va;
		pending->access = access;
		pending->reason = reason;
		pending->raised_ns = ktime_get_ns();
	}
	spin_unlock_irqrestore(state_lock, flags);
	return record;
}

/**
 * pvgpu_gpu_fault_answer() - resolve a queue's recorded fault, answer it
 * @pvdev: the device
 * @vm: the queue's VM
 * @fw_id: the queue's firmware id
 * @state_lock: the queue's state lock, protecting @pending
 * @pending: the queue's &struct pvgpu_gpu_fault
 * @fw_lock: the lock serialising the queue's firmware requests
 * @deregistered: the queue's "DEREGISTER was sent", under @fw_lock
 *
 * The body of exec and user queues' fault works (process context, the
 * caller holds a queue reference). Resolution runs without the queue's
 * locks: it may take long. The answer is sent under @fw_lock, so a state
 * query sees either the fault still to answer or the answer's outcome.
 */
void pvgpu_gpu_fault_answer(struct pvgpu_device *pvdev, struct pvgpu_vm *vm,
			    u32 fw_id, spinlock_t *state_lock,
			    struct pvgpu_gpu_fault *pending,
			    struct mutex *fw_lock, const bool *deregistered)
{
	struct pvgpu_gpu_fault fault;
	unsigned long flags;
	bool answer;
	u32 action;

	spin_lock_irqsave(state_lock, flags);
	fault = *pending;
	spin_unlock_irqrestore(state_lock, flags);
	if (!fault.seqno)
		return;

	action = pvgpu_svm_handle_fault(vm, &fault) ?
		 PVGPU_FAULT_REPLY_FAIL : PVGPU_FAULT_REPLY_RETRY;

	mutex_lock(fw_lock);
	spin_lock_irqsave(state_lock, flags);
	answer = pending->seqno == fault.seqno;
	if (answer)
		pending->seqno = 0;
	spin_unlock_irqrestore(state_lock, flags);
	if (answer && !*deregistered)
		pvgpu_fw_queue_reply_fault(pvdev, fw_id, fault.seqno, action);
	mutex_unlock(fw_lock);
}

/**
 * pvgpu_svm_prefetch() - populate a range of a fault-mode VM now
 * @vm: the VM
 * @addr: start (page aligned)
 * @range: bytes
 *
 * DRM_PVGPU_VM_BIND_OP_PREFETCH, in the calling thread: what a fault at
 * each address would map, skipping what cannot be mapped.
 *
 * Return: 0; -ERESTARTSYS on a signal; -ENOMEM, -ENOSPC (the VM's page
 * tables at vm_pt_max_mb) or -ENODEV (device removed), which stop it.
 * What was mapped before stays.
 */
int pvgpu_svm_prefetch(struct pvgpu_vm *vm, u64 addr, u64 range)
{
	u64 va = addr, end = addr + range, next;
	int ret, idx;

	while (va < end) {
		if (signal_pending(current))
			return -ERESTARTSYS;
		/* Per unit: a device removal waits for one unit at most. */
		if (!drm_dev_enter(&vm->pvdev->drm, &idx))
			return -ENODEV;
		next = va + PAGE_SIZE;
		ret = pvgpu_svm_populate(vm, va, false, &next);
		drm_dev_exit(idx);
		/* Out of memory or of page tables: stop and say so. */
		if (ret == -ENOMEM || ret == -ENOSPC || ret == -ENODEV)
			return ret;
		va = max(next, va + PAGE_SIZE);
		cond_resched();
	}
	return 0;
}

/**
 * pvgpu_svm_print() - the VM's fault counters, for debugfs
 * @vm: the VM
 * @p: where to print
 */
void pvgpu_svm_print(struct pvgpu_vm *vm, struct drm_printer *p)
{
	struct pvgpu_svm *svm = &vm->svm;

	if (!pvgpu_vm_is_fault_mode(vm))
		return;
	drm_printf(p, "  faults %lld resolved %lld failed %lld service_ns %lld",
		   atomic64_read(&svm->faults),
		   atomic64_read(&svm->faults_resolved),
		   atomic64_read(&svm->faults_failed),
		   atomic64_read(&svm->fault_ns));
	drm_printf(p, " populated_pages %lld invalidations %lld\n",
		   atomic64_read(&svm->pages_populated),
		   atomic64_read(&svm->invalidations));
}

/**
 * pvgpu_fault_wq_init() - the device's fault workqueue
 * @pvdev: the device
 *
 * Return: 0 or -ENOMEM.
 */
int pvgpu_fault_wq_init(struct pvgpu_device *pvdev)
{
	pvdev->fault_wq = alloc_workqueue("pvgpu-fault", WQ_UNBOUND,
					  clamp(READ_ONCE(pvgpu_fault_workers),
						1U, 64U));
	return pvdev->fault_wq ? 0 : -ENOMEM;
}

/**
 * pvgpu_fault_wq_fini() - flush and free the fault workqueue
 * @pvdev: the device
 */
void pvgpu_fault_wq_fini(struct pvgpu_device *pvdev)
{
	destroy_workqueue(pvdev->fault_wq);
}
