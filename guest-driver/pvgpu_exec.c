// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: EXEC and WAIT_USER_FENCE.
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/dma-resv.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/lockdep.h>
#include <linux/ktime.h>
#include <linux/mm_types.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include <drm/drm_drv.h>
#include <drm/drm_exec.h>
#include <drm/drm_gem.h>
#include <drm/drm_gpuvm.h>

#include <uapi/drm/pvgpu_drm.h>

#include "pvgpu_drv.h"
#include "pvgpu_queue.h"
#include "pvgpu_sync.h"
#include "pvgpu_vm.h"

/**
 * DOC: EXEC and WAIT_USER_FENCE
 *
 * **EXEC** turns one batch (or none: an ordering point) into a job of an
 * exec queue. Everything that can fail happens first: argument checks, the
 * queue lookup, parsing the syncs (pvgpu_syncs_parse() takes every
 * reference and allocation signalling will need), the job and its
 * dependencies. Then, under the dependency queue's submit_lock, the queue
 * is checked again (banned: -ECANCELED; holding max_jobs_per_queue jobs
 * not completed, or an LR queue's ring full: -EWOULDBLOCK, as an LR job
 * may never complete and must not be waited for; see
 * pvgpu_queue_jobs_full() and pvgpu_exec_queue_lr_full()), the job is
 * armed (it gets its seqno and fence), the out-syncs get
 * the fence and the job is pushed: from arm on nothing fails, so an EXEC
 * that returns an error changed nothing.
 *
 * The job's dependencies are its in-syncs; the dependency queue adds the
 * order of the queue itself (jobs start in submission order and the ring
 * completes them in order). A job without dependencies on an idle queue
 * is written to the ring by the submitter (the bypass path), others by the
 * queue's worker when their dependencies signal (the queued path).
 *
 * **Implicit synchronisation.** Every object mapped in a VM is on the
 * drm_gpuvm's list of external objects (pvgpu_vm_bind.c; no pvgpu object
 * shares the VM's dma-resv). An object is *shared* when it was exported
 * (&drm_gem_object.dma_buf) or imported (&drm_gem_object.import_attach);
 * for those, other drivers and dma-buf users (EXPORT_SYNC_FILE, poll)
 * expect the fences in the object's dma-resv to describe the GPU's use.
 * So an EXEC in a VM that maps shared objects locks their dma-resvs with
 * drm_exec (interruptible, one fence slot reserved each) before taking
 * submit_lock, makes the job depend on every fence of usage
 * DMA_RESV_USAGE_READ (readers and writers: conservative, the GPU work on
 * a shared buffer is serialised in submission order, as pvgpu does not
 * know what a batch reads or writes) and, once armed, adds the job's
 * fence with DMA_RESV_USAGE_WRITE; the locks are dropped after the push.
 * Private objects are not synchronised implicitly (explicit syncs only,
 * as Xe and panthor do). The lock order is dma-resv (ww) outside
 * submit_lock: nothing under submit_lock or in a run_job takes a dma-resv
 * lock, and adding a fence into a reserved slot does not allocate. A job
 * of an LR queue waits for the fences but publishes nothing: an LR job may
 * never complete, and its fence must not reach anybody who would wait for
 * it. The shared objects are found under the list's spinlock without
 * allocation (a small array on the stack; a VM with many shared objects
 * allocates one), and a VM without any skips all of this, so EXEC on
 * private buffers costs one walk of the VM's object list.
 *
 * **WAIT_USER_FENCE** (after Xe's) re-reads the 64-bit user value each
 * time it is woken. The timeout is converted once to an absolute deadline;
 * a signal returns -ERESTARTSYS with a relative @timeout rewritten to what
 * is left, so a restarted call continues the same wait. A named queue that
 * is reset or banned ends the wait with -EIO.
 *
 * **Wake-ups.** The value is user memory that a batch (a STORE), the
 * kernel (a user fence) or the CPU writes; the driver cannot know it
 * without reading it in the waiter's address space, so it wakes the
 * waiters an event *can* have satisfied and lets them re-read. A waiter
 * sleeps on its own file's &pvgpu_file.ufence_wq (struct
 * pvgpu_ufence_waiter: the queue it named, its mm and address), and each
 * wake-up carries a key (struct pvgpu_ufence_key) that
 * pvgpu_ufence_wake_fn() matches before waking anyone:
 *
 * - jobs of an exec queue completed, or the queue was banned
 *   (pvgpu_ufence_wake_queue()): the waiters that named this queue or no
 *   queue (a batch of it may have written the value);
 * - the kernel wrote a user fence of a job of the file
 *   (pvgpu_ufence_wake_addr()): the waiters of that address in that mm,
 *   whatever queue they named.
 *
 * Another file's events never reach a file's waiters: the cost of an
 * event grows with the waiters of its own file only. Xe keeps one
 * device-wide wait queue that every interrupt wakes; here one user
 * parking thousands of threads would make every other user's interrupt
 * wake them all with interrupts off.
 *
 * No wake-up happens in hard-IRQ context or under the channel lock:
 * pvgpu_exec_queue_complete() (the interrupt handler, the poll, the
 * timeout: whoever finds completions) only queues the queue's
 * &pvgpu_exec_queue.ufence_work, with a queue reference, and the work
 * wakes; completions found before it runs share that one wake-up (one
 * per queue however many jobs and interrupts). A file nobody waits on
 * costs no work at all: the completion checks wq_has_sleeper() first,
 * and a waiter joins the wait queue, then a full barrier, then reads the
 * value, so either the completion sees the waiter or the waiter sees the
 * value. Bans, device removal and user-fence writes (pvgpu_sync.c) run in
 * process context and wake directly. A wake-up walks the file's wait queue under its lock with
 * interrupts off (__wake_up()), in process context: a user who parks many
 * threads pays for them on its own events only.
 *
 * A value written by anything else (the CPU, a job of another file, a job
 * of a queue other than the named one) wakes nobody: the waiter sees it
 * at its next wake-up, or not before the deadline.
 */

/* Shared objects EXEC handles without allocating. */
#define PVGPU_EXEC_SHARED_INLINE	8

/**
 * struct pvgpu_exec_implicit - the shared objects an EXEC synchronises with
 *
 * See "Implicit synchronisation" in the DOC: section.
 */
struct pvgpu_exec_implicit {
	/** @exec: locks the objects' dma-resvs (once @locked). */
	struct drm_exec exec;
	/** @objs: the shared objects (a reference each), @count of them. */
	struct drm_gem_object **objs;
	/** @count: entries of @objs. */
	unsigned int count;
	/** @locked: @exec was initialised and holds the locks. */
	bool locked;
	/** @inline_objs: @objs for up to PVGPU_EXEC_SHARED_INLINE objects. */
	struct drm_gem_object *inline_objs[PVGPU_EXEC_SHARED_INLINE];
};

static bool pvgpu_exec_obj_is_shared(struct drm_gem_object *obj)
{
	/* Racy against an export in progress: either order is fine. */
	return READ_ONCE(obj->dma_buf) || obj->import_attach;
}

/*
 * Take a reference to up to @max shared objects of @gpuvm into @objs.
 * The object list is walked under its spinlock rather than with
 * drm_gpuvm_prepare_objects(), whose iterator drops &drm_gpuvm_bo
 * references without the GEM gpuva lock (pvgpu_vm_bind.c), and which may
 * not run concurrently on one VM. A &drm_gpuvm_bo on the list holds its
 * object until it leaves the list, which takes the same spinlock.
 *
 * Return: how many shared objects there are (may exceed @max).
 */
static unsigned int pvgpu_exec_collect_shared(struct drm_gpuvm *gpuvm,
					      struct drm_gem_object **objs,
					      unsigned int max)
{
	struct drm_gpuvm_bo *vm_bo;
	unsigned int n = 0;

	spin_lock(&gpuvm->extobj.lock);
	list_for_each_entry(vm_bo, &gpuvm->extobj.list, list.entry.extobj) {
		if (!pvgpu_exec_obj_is_shared(vm_bo->obj))
			continue;
		if (n < max) {
			drm_gem_object_get(vm_bo->obj);
			objs[n] = vm_bo->obj;
		}
		n++;
	}
	spin_unlock(&gpuvm->extobj.lock);
	return n;
}

static void pvgpu_exec_implicit_fini(struct pvgpu_exec_implicit *im)
{
	unsigned int i;

	if (im->locked)
		drm_exec_fini(&im->exec);
	im->locked = false;
	for (i = 0; i < im->count; i++)
		drm_gem_object_put(im->objs[i]);
	if (im->objs != im->inline_objs)
		kvfree(im->objs);
	im->objs = NULL;
	im->count = 0;
}

/*
 * Find the shared objects of @vm, lock them and make @job depend on all
 * their fences. On error everything is undone by
 * pvgpu_exec_implicit_fini() (the job's dependencies go with the job).
 */
static int pvgpu_exec_implicit_prepare(struct pvgpu_exec_implicit *im,
				       struct pvgpu_vm *vm,
				       struct pvgpu_exec_job *job)
{
	struct drm_gpuvm *gpuvm = &vm->base;
	unsigned int cap = PVGPU_EXEC_SHARED_INLINE;
	struct dma_resv_iter cursor;
	struct dma_fence *fence;
	unsigned int n, i;
	int ret;

	im->objs = im->inline_objs;
	n = pvgpu_exec_collect_shared(gpuvm, im->objs, cap);
	while (n > cap) {
		/* Too many for the array: drop them, allocate, again. */
		for (i = 0; i < cap; i++)
			drm_gem_object_put(im->objs[i]);
		if (im->objs != im->inline_objs)
			kvfree(im->objs);
		cap = n + PVGPU_EXEC_SHARED_INLINE;
		im->objs = kvmalloc_array(cap, sizeof(*im->objs),
					  GFP_KERNEL_ACCOUNT);
		if (!im->objs) {
			im->objs = im->inline_objs;
			return -ENOMEM;
		}
		n = pvgpu_exec_collect_shared(gpuvm, im->objs, cap);
	}
	im->count = n;
	if (!n)
		return 0;

	drm_exec_init(&im->exec, DRM_EXEC_INTERRUPTIBLE_WAIT |
		      DRM_EXEC_IGNORE_DUPLICATES, n);
	im->locked = true;
	drm_exec_until_all_locked(&im->exec) {
		for (i = 0; i < n; i++) {
			ret = drm_exec_prepare_obj(&im->exec, im->objs[i], 1);
			drm_exec_retry_on_contention(&im->exec);
			if (ret)
				return ret;
		}
	}

	/* Every object is locked now (duplicates cannot occur). */
	for (i = 0; i < n; i++) {
		dma_resv_assert_held(im->objs[i]->resv);
		dma_resv_for_each_fence(&cursor, im->objs[i]->resv,
					DMA_RESV_USAGE_READ, fence) {
			ret = pvgpu_dep_job_add_dependency(&job->base,
							   dma_fence_get(fence));
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* Publish the armed job's fence in every shared object's dma-resv. */
static void pvgpu_exec_implicit_publish(struct pvgpu_exec_implicit *im,
					struct pvgpu_exec_job *job)
{
	struct dma_fence *fence = job->base.fence;
	unsigned int i;

	lockdep_assert_held(&job->base.q->submit_lock);
	if (!im->locked)
		return;
	/* A slot each was reserved: no allocation under submit_lock. */
	for (i = 0; i < im->count; i++)
		dma_resv_add_fence(im->objs[i]->resv, fence,
				   DMA_RESV_USAGE_WRITE);
}

/**
 * pvgpu_ioctl_exec() - DRM_IOCTL_PVGPU_EXEC
 * @drm: the DRM device
 * @data: struct drm_pvgpu_exec
 * @file: the DRM file
 *
 * Return: 0, or the errors listed at struct drm_pvgpu_exec.
 */
int pvgpu_ioctl_exec(struct drm_device *drm, void *data,
		     struct drm_file *file)
{
	struct pvgpu_device *pvdev = to_pvgpu_device(drm);
	struct pvgpu_file *pfile = to_pvgpu_file(file);
	struct drm_pvgpu_exec *args = data;
	struct pvgpu_exec_implicit im = { };
	struct pvgpu_syncs syncs = { };
	struct pvgpu_exec_queue *eq;
	struct pvgpu_queue *queue;
	struct pvgpu_exec_job *job;
	struct pvgpu_dep_queue *dq;
	u32 allow;
	int ret, idx;

	if (args->extensions || args->reserved[0] || args->reserved[1])
		return -EINVAL;
	if (args->flags & ~DRM_PVGPU_EXEC_WAIT)
		return -EINVAL;
	if (args->num_batch > 1 || args->num_syncs > DRM_PVGPU_MAX_SYNCS)
		return -EINVAL;
	if (args->num_batch) {
		if (!IS_ALIGNED(args->batch_address, 4) ||
		    args->batch_address >=
		    DRM_PVGPU_USER_VA_END(pvdev->fw.info.va_bits))
			return -EINVAL;
	} else if (args->batch_address) {
		return -EINVAL;
	}
	if (args->flags & DRM_PVGPU_EXEC_WAIT)
		return -EOPNOTSUPP;

	queue = pvgpu_queue_lookup(pfile, args->queue_id);
	if (!queue)
		return -ENOENT;
	ret = -ENOENT;
	if (queue->kind != PVGPU_QUEUE_EXEC)
		goto out_put;
	eq = to_pvgpu_exec_queue(queue);
	dq = &queue->dq;
	ret = -ECANCELED;
	if (pvgpu_dep_queue_is_banned(dq))
		goto out_put;
	/* No new work on a VM whose mappings are not what was asked for. */
	if (READ_ONCE(queue->vm->error))
		goto out_put;
	ret = -ENODEV;
	if (!drm_dev_enter(drm, &idx))
		goto out_put;

	allow = PVGPU_SYNCS_ALLOW_SYNC_FILE;
	if (eq->lr)
		allow |= PVGPU_SYNCS_LR;
	/* A failed parse leaves half-parsed entries for pvgpu_syncs_fini(). */
	ret = pvgpu_syncs_parse(pvdev, file, args->syncs, args->num_syncs,
				allow, &syncs);
	if (ret)
		goto out_syncs;

	job = pvgpu_exec_job_create(eq, args->batch_address, args->num_batch);
	if (IS_ERR(job)) {
		ret = PTR_ERR(job);
		goto out_syncs;
	}
	ret = pvgpu_syncs_add_deps(&syncs, &job->base);
	if (ret)
		goto out_job;
	/* dma-resv locks nest outside submit_lock. */
	ret = pvgpu_exec_implicit_prepare(&im, queue->vm, job);
	if (ret) {
		/* Nothing is committed: a signal restarts the call. */
		if (ret == -EINTR)
			ret = -ERESTARTSYS;
		goto out_job;
	}

	if (mutex_lock_interruptible(&dq->submit_lock)) {
		ret = -ERESTARTSYS;
		goto out_job;
	}
	if (pvgpu_dep_queue_is_banned(dq)) {
		ret = -ECANCELED;
		goto out_unlock;
	}
	if (pvgpu_queue_jobs_full(queue) ||
	    (eq->lr && pvgpu_exec_queue_lr_full(eq))) {
		ret = -EWOULDBLOCK;
		goto out_unlock;
	}
	/* Nothing fails from here on. */
	pvgpu_dep_job_arm(&job->base);
	pvgpu_syncs_signal(&syncs, job->base.fence);
	/* An LR job may never complete: its fence stays out of resvs. */
	if (!eq->lr)
		pvgpu_exec_implicit_publish(&im, job);
	pvgpu_dep_job_push(&job->base);
	mutex_unlock(&dq->submit_lock);
	job = NULL;
	goto out_syncs;

out_unlock:
	mutex_unlock(&dq->submit_lock);
out_job:
	pvgpu_dep_job_put(&job->base);
out_syncs:
	pvgpu_exec_implicit_fini(&im);
	pvgpu_syncs_fini(&syncs);
	drm_dev_exit(idx);
out_put:
	pvgpu_queue_put(queue);
	return ret;
}

/**
 * struct pvgpu_ufence_waiter - a WAIT_USER_FENCE caller asleep
 *
 * On &pvgpu_file.ufence_wq of the caller's file. pvgpu_ufence_wake_fn()
 * wakes it only for an event that can have satisfied it (see "Wake-ups"
 * in the DOC: section).
 */
struct pvgpu_ufence_waiter {
	/** @entry: on &pvgpu_file.ufence_wq; @entry.private is the task. */
	struct wait_queue_entry entry;
	/** @queue: the queue the caller named, or NULL. */
	const struct pvgpu_queue *queue;
	/** @mm: the caller's address space, where @addr lies. */
	const struct mm_struct *mm;
	/** @addr: the user address of the value. */
	const u64 __user *addr;
};

/**
 * struct pvgpu_ufence_key - what woke &pvgpu_file.ufence_wq
 *
 * Either an event of @queue (jobs completed, a ban), which can satisfy the
 * waiters naming @queue or no queue, or the write of a user fence at @addr
 * in @mm (@queue NULL), which can satisfy only the waiters of that value.
 */
struct pvgpu_ufence_key {
	/** @queue: the queue of the event; NULL for a user-fence write. */
	const struct pvgpu_queue *queue;
	/** @mm: the address space of the user-fence write. */
	const struct mm_struct *mm;
	/** @addr: the user address of the user-fence write. */
	const u64 __user *addr;
};

/* Called by __wake_up() for each sleeper, under the wait queue's lock. */
static int pvgpu_ufence_wake_fn(struct wait_queue_entry *entry,
				unsigned int mode, int sync, void *key)
{
	const struct pvgpu_ufence_waiter *w =
		container_of(entry, struct pvgpu_ufence_waiter, entry);
	const struct pvgpu_ufence_key *k = key;

	if (k && k->queue && w->queue && w->queue != k->queue)
		return 0;
	if (k && !k->queue && (w->mm != k->mm || w->addr != k->addr))
		return 0;
	return woken_wake_function(entry, mode, sync, key);
}

/**
 * pvgpu_ufence_wake_queue() - wake the waiters an event of a queue may
 * satisfy
 * @pfile: the file of @queue
 * @queue: the queue: jobs of it completed, or it was banned
 *
 * Wakes the WAIT_USER_FENCE callers of @pfile that named @queue or no
 * queue. Process context with interrupts on: the cost grows with the
 * waiters of @pfile, so the interrupt handler defers this to a work item
 * (pvgpu_queue.c).
 */
void pvgpu_ufence_wake_queue(struct pvgpu_file *pfile,
			     const struct pvgpu_queue *queue)
{
	struct pvgpu_ufence_key key = { .queue = queue };

	lockdep_assert_irqs_enabled();
	__wake_up(&pfile->ufence_wq, TASK_NORMAL, 0, &key);
}

/**
 * pvgpu_ufence_wake_addr() - wake the waiters of a value the kernel wrote
 * @pfile: the file of the job whose user fence was written
 * @mm: the address space written
 * @addr: the user address written
 *
 * Wakes the WAIT_USER_FENCE callers of @pfile waiting on @addr in @mm,
 * whichever queue they named. Process context with interrupts on (the
 * user-fence write work, pvgpu_sync.c).
 */
void pvgpu_ufence_wake_addr(struct pvgpu_file *pfile,
			    const struct mm_struct *mm, const u64 __user *addr)
{
	struct pvgpu_ufence_key key = { .mm = mm, .addr = addr };

	lockdep_assert_irqs_enabled();
	__wake_up(&pfile->ufence_wq, TASK_NORMAL, 0, &key);
}

/**
 * pvgpu_wait_check() - whether an interruptible wait goes on, and how long
 * @deadline: its CLOCK_MONOTONIC deadline, KTIME_MAX for none
 * @remaining: out: the jiffies to sleep at most
 *
 * One step of the waits of WAIT_USER_FENCE and WAIT_EVENT, after their
 * condition was found false.
 *
 * Return: 0 (sleep for *@remaining), -ERESTARTSYS on a pending signal,
 * -ETIME past the deadline.
 */
int pvgpu_wait_check(ktime_t deadline, long *remaining)
{
	s64 left_ns;

	if (signal_pending(current))
		return -ERESTARTSYS;
	if (deadline == KTIME_MAX) {
		*remaining = MAX_SCHEDULE_TIMEOUT;
		return 0;
	}
	left_ns = ktime_to_ns(ktime_sub(deadline, ktime_get()));
	if (left_ns <= 0)
		return -ETIME;
	*remaining = nsecs_to_jiffies(left_ns) + 1;
	return 0;
}

/**
 * pvgpu_ufence_compare() - the condition of a user-fence wait
 * @v: the value read
 * @value: the value to compare with
 * @mask: the bits that count
 * @op: DRM_PVGPU_UFENCE_OP_*
 *
 * Return: whether (@v & @mask) @op (@value & @mask) holds, unsigned.
 */
bool pvgpu_ufence_compare(u64 v, u64 value, u64 mask, u32 op)
{
	v &= mask;
	value &= mask;
	switch (op) {
	case DRM_PVGPU_UFENCE_OP_EQ:
		return v == value;
	case DRM_PVGPU_UFENCE_OP_NEQ:
		return v != value;
	case DRM_PVGPU_UFENCE_OP_GT:
		return v > value;
	case DRM_PVGPU_UFENCE_OP_GTE:
		return v >= value;
	case DRM_PVGPU_UFENCE_OP_LT:
		return v < value;
	case DRM_PVGPU_UFENCE_OP_LTE:
	default:
		return v <= value;
	}
}

/**
 * pvgpu_ioctl_wait_user_fence() - DRM_IOCTL_PVGPU_WAIT_USER_FENCE
 * @drm: the DRM device
 * @data: struct drm_pvgpu_wait_user_fence
 * @file: the DRM file
 *
 * Return: 0 when the condition holds, or the errors listed at struct
 * drm_pvgpu_wait_user_fence.
 */
int pvgpu_ioctl_wait_user_fence(struct drm_device *drm, void *data,
				struct drm_file *file)
{
	struct pvgpu_file *pfile = to_pvgpu_file(file);
	struct drm_pvgpu_wait_user_fence *args = data;
	u64 __user *uaddr = u64_to_user_ptr(args->addr);
	struct pvgpu_ufence_waiter wait = {
		.mm = current->mm,
		.addr = uaddr,
	};
	struct pvgpu_exec_queue *eq = NULL;
	struct pvgpu_queue *queue = NULL;
	bool forever = args->timeout < 0;
	ktime_t deadline = 0;
	long remaining;
	u64 v;
	int ret;

	if (args->extensions || args->pad || args->reserved[0] ||
	    args->reserved[1])
		return -EINVAL;
	if (args->op > DRM_PVGPU_UFENCE_OP_LTE ||
	    args->flags & ~DRM_PVGPU_UFENCE_WAIT_ABSTIME)
		return -EINVAL;
	if (!IS_ALIGNED(args->addr, 8))
		return -EINVAL;

	if (args->queue_id) {
		queue = pvgpu_queue_lookup(pfile, args->queue_id);
		if (!queue)
			return -ENOENT;
		if (queue->kind == PVGPU_QUEUE_EXEC)
			eq = to_pvgpu_exec_queue(queue);
	}

	if (!forever) {
		if (args->flags & DRM_PVGPU_UFENCE_WAIT_ABSTIME)
			deadline = ns_to_ktime(args->timeout);
		else
			deadline = ktime_add_safe(ktime_get(),
						  ns_to_ktime(args->timeout));
	}

	/* Woken only by what can satisfy it: see "Wake-ups" above. */
	wait.queue = queue;
	init_waitqueue_func_entry(&wait.entry, pvgpu_ufence_wake_fn);
	wait.entry.private = current;
	add_wait_queue(&pfile->ufence_wq, &wait.entry);
	/*
	 * On the queue before reading the value: pairs with wq_has_sleeper()
	 * in the completion path, which wakes nobody on a file without
	 * waiters (pvgpu_queue_event.c). Later reads follow wait_woken(),
	 * whose barriers order them.
	 */
	smp_mb();
	for (;;) {
		if (get_user(v, uaddr)) {
			ret = -EFAULT;
			break;
		}
		if (pvgpu_ufence_compare(v, args->value, args->mask, args->op)) {
			ret = 0;
			break;
		}
		if (eq && pvgpu_exec_queue_was_reset(eq)) {
			ret = -EIO;
			break;
		}
		if (!eq && queue && pvgpu_dep_queue_is_banned(&queue->dq)) {
			ret = -EIO;
			break;
		}
		ret = pvgpu_wait_check(forever ? KTIME_MAX : deadline,
				       &remaining);
		if (ret)
			break;
		wait_woken(&wait.entry, TASK_INTERRUPTIBLE, remaining);
	}
	remove_wait_queue(&pfile->ufence_wq, &wait.entry);

	/* A restart continues the same relative wait. */
	if (ret == -ERESTARTSYS && !forever &&
	    !(args->flags & DRM_PVGPU_UFENCE_WAIT_ABSTIME)) {
		s64 left = ktime_to_ns(ktime_sub(deadline, ktime_get()));

		args->timeout = max_t(s64, left, 0);
	}

	pvgpu_queue_put(queue);
	return ret;
}
