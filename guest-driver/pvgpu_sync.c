// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: in- and out-syncs of VM_BIND and EXEC, user fences.
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/dma-fence-chain.h>
#include <linux/file.h>
#include <linux/kthread.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/sync_file.h>
#include <linux/uaccess.h>

#include <drm/drm_syncobj.h>

#include <uapi/drm/pvgpu_drm.h>

#include "pvgpu_dep_queue.h"
#include "pvgpu_drv.h"
#include "pvgpu_sync.h"

/**
 * DOC: syncs
 *
 * VM_BIND and EXEC carry an array of struct drm_pvgpu_sync. The ioctl
 * parses it first (pvgpu_syncs_parse()): every check, every lookup, every
 * reference and every allocation signalling will need happens there, so
 * that pvgpu_syncs_signal(), called once the job is armed (with the
 * queue's submit_lock held, in the dma-fence signalling path), cannot fail
 * and neither allocates nor touches user memory. Up to
 * PVGPU_SYNCS_INLINE syncs (the usual in-fence and out-syncobj) are
 * copied and parsed into &struct pvgpu_syncs itself, without allocating.
 *
 * - In-syncs (syncobj, timeline point, sync_file fd) become fences, which
 *   the ioctl adds to its job as dependencies (pvgpu_syncs_add_deps()) or
 *   waits for (pvgpu_syncs_wait_in(), VM_BIND's WAIT mode). A binary syncobj
 *   without a fence, or a timeline point never submitted, is -ENOENT (Xe
 *   says -EINVAL; pvgpu's uAPI documents -ENOENT); an fd that is no
 *   sync_file is -EBADF. A point that has signalled already is no
 *   dependency.
 * - A syncobj out-sync gets the job's fence (drm_syncobj_replace_fence());
 *   a timeline one a point, with a dma_fence_chain allocated at parse.
 * - A sync_file out-sync gets a sync_file on the signalled stub fence and
 *   a reserved fd (get_unused_fd_flags()) at parse, which also writes the
 *   fd number to the user's drm_pvgpu_sync.handle: the copy back is the
 *   last thing that can fail, so it happens before the job is committed,
 *   and a failing copy is -EFAULT that changes nothing. Signal swaps in
 *   the job's fence (nobody else can see the sync_file yet).
 *   pvgpu_syncs_fini() installs the fd (fd_install()) only once the job is
 *   committed, when nothing can fail any more; a parse that never
 *   signalled releases the fd (put_unused_fd()) and writes the caller's
 *   original @handle back, so a failing ioctl leaves neither a new fd nor
 *   a changed array. This is the order of the DRM core's own fd helpers:
 *   reserve, do everything that can fail, install.
 * - A user fence takes a reference on the process's mm at parse and checks
 *   only that the address lies in the user address space (access_ok(); no
 *   probe write, which could undo a concurrent write of the same address
 *   by the GPU or another user fence). Signal installs a callback on the
 *   job's fence; when it signals (whatever its error), a work item writes
 *   the value in the process's mm (unless the process is gone) and wakes
 *   the WAIT_USER_FENCE callers of the submitting file waiting on that
 *   address (pvgpu_ufence_wake_addr(); the user fence holds a reference
 *   to the file). If the address is not mapped writable at that
 *   time the value is not written (nobody can be told any more; a debug
 *   message says so): WAIT_USER_FENCE on it then times out or reports
 *   -EFAULT. The write may fault in user memory and so block for long
 *   (a FUSE mapping): the works run on &pvgpu_device.ufence_write_wq, not
 *   on the fence-signalling &pvgpu_device.wq.
 *
 * The user fence work refers to the device without a reference: it is
 * queued when a job's fence signals, while the job, its queue and so the
 * device live, and the device's workqueue is drained before the device is
 * freed (after which ufence_write_wq is drained and destroyed).
 */

/* A user fence on its way from parse to the write. */
struct pvgpu_user_fence {
	struct pvgpu_device *pvdev;
	/* The file of the job: its WAIT_USER_FENCE callers are woken. */
	struct pvgpu_file *pfile;
	struct dma_fence_cb cb;
	struct work_struct work;
	struct mm_struct *mm;
	u64 __user *addr;
	u64 value;
};

static void pvgpu_user_fence_free(struct pvgpu_user_fence *uf)
{
	pvgpu_file_put(uf->pfile);
	mmdrop(uf->mm);
	kfree(uf);
}

static void pvgpu_user_fence_work(struct work_struct *work)
{
	struct pvgpu_user_fence *uf = container_of(work, struct pvgpu_user_fence,
						   work);
	struct pvgpu_device *pvdev = uf->pvdev;

	/* A process that has exited has nobody left to see the value. */
	if (mmget_not_zero(uf->mm)) {
		kthread_use_mm(uf->mm);
		if (put_user(uf->value, uf->addr))
			drm_dbg(&pvdev->drm, "user fence at %p not writable\n",
				uf->addr);
		kthread_unuse_mm(uf->mm);
		mmput(uf->mm);
	}
	/*
	 * Waiters re-read the value: wake them only after the write, and
	 * only those of this address (of the job's file).
	 */
	pvgpu_ufence_wake_addr(uf->pfile, uf->mm, uf->addr);
	pvgpu_user_fence_free(uf);
}

static void pvgpu_user_fence_cb(struct dma_fence *fence,
				struct dma_fence_cb *cb)
{
	struct pvgpu_user_fence *uf = container_of(cb, struct pvgpu_user_fence,
						   cb);

	/* Fence lock held, maybe hard IRQ: the write needs the mm. */
	queue_work(uf->pvdev->ufence_write_wq, &uf->work);
}

static struct pvgpu_user_fence *
pvgpu_user_fence_create(struct pvgpu_device *pvdev, struct pvgpu_file *pfile,
			u64 addr, u64 value)
{
	u64 __user *ptr = u64_to_user_ptr(addr);
	struct pvgpu_user_fence *uf;

	/*
	 * Only the range is checked (as Xe does): writing the current value
	 * back as a probe would race with the GPU or an earlier user fence
	 * writing the same address and undo their write. Whether the page is
	 * mapped and writable is only known when the fence signals; if not,
	 * the value is not written (see the DOC: section).
	 */
	if (!access_ok(ptr, sizeof(*ptr)))
		return ERR_PTR(-EFAULT);

	uf = kzalloc(sizeof(*uf), GFP_KERNEL_ACCOUNT);
	if (!uf)
		return ERR_PTR(-ENOMEM);
	uf->pvdev = pvdev;
	uf->pfile = pvgpu_file_get(pfile);
	INIT_WORK(&uf->work, pvgpu_user_fence_work);
	uf->addr = ptr;
	uf->value = value;
	uf->mm = current->mm;
	mmgrab(uf->mm);
	return uf;
}

/* The in-fence of a syncobj at @point (0: binary), or -ENOENT. */
static int pvgpu_sync_in_syncobj(struct drm_file *file, u32 handle, u64 point,
				 struct dma_fence **out)
{
	struct drm_syncobj *syncobj;
	struct dma_fence *fence;
	int ret;

	syncobj = drm_syncobj_find(file, handle);
	if (!syncobj)
		return -ENOENT;
	fence = drm_syncobj_fence_get(syncobj);
	drm_syncobj_put(syncobj);
	if (!fence)
		return -ENOENT;

	/* Point 0 keeps the fence; a NULL result: the point signalled. */
	ret = dma_fence_chain_find_seqno(&fence, point);
	if (ret) {
		dma_fence_put(fence);
		return -ENOENT;
	}
	*out = fence;
	return 0;
}

static int pvgpu_sync_entry_check(const struct drm_pvgpu_sync *s, u32 allow)
{
	bool signal = s->flags & DRM_PVGPU_SYNC_SIGNAL;

	if (s->flags & ~DRM_PVGPU_SYNC_SIGNAL || s->pad ||
	    s->reserved[0] || s->reserved[1])
		return -EINVAL;

	switch (s->type) {
	case DRM_PVGPU_SYNC_SYNCOBJ:
		if (s->addr || s->timeline_value)
			return -EINVAL;
		break;
	case DRM_PVGPU_SYNC_TIMELINE_SYNCOBJ:
		if (s->addr || !s->timeline_value)
			return -EINVAL;
		break;
	case DRM_PVGPU_SYNC_SYNC_FILE:
		if (!(allow & PVGPU_SYNCS_ALLOW_SYNC_FILE) ||
		    s->addr || s->timeline_value)
			return -EINVAL;
		break;
	case DRM_PVGPU_SYNC_USER_FENCE:
		if (!signal || s->handle || !IS_ALIGNED(s->addr, 8))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	/* An LR job's fence never signals in bounded time: no dma-fences. */
	if ((allow & PVGPU_SYNCS_LR) && signal &&
	    s->type != DRM_PVGPU_SYNC_USER_FENCE)
		return -EINVAL;
	return 0;
}

static int pvgpu_sync_entry_parse(struct pvgpu_device *pvdev,
				  struct drm_file *file,
				  struct drm_pvgpu_sync __user *user,
				  const struct drm_pvgpu_sync *s,
				  struct pvgpu_sync_entry *e)
{
	struct sync_file *sf;
	struct dma_fence *stub;

	e->type = s->type;
	e->signal = s->flags & DRM_PVGPU_SYNC_SIGNAL;
	e->point = s->timeline_value;
	e->fd = -1;

	switch (s->type) {
	case DRM_PVGPU_SYNC_SYNCOBJ:
	case DRM_PVGPU_SYNC_TIMELINE_SYNCOBJ:
		if (!e->signal)
			return pvgpu_sync_in_syncobj(file, s->handle,
						     e->point, &e->fence);
		e->syncobj = drm_syncobj_find(file, s->handle);
		if (!e->syncobj)
			return -ENOENT;
		if (s->type == DRM_PVGPU_SYNC_TIMELINE_SYNCOBJ) {
			e->chain = dma_fence_chain_alloc();
			if (!e->chain)
				return -ENOMEM;
		}
		return 0;

	case DRM_PVGPU_SYNC_SYNC_FILE:
		if (!e->signal) {
			e->fence = sync_file_get_fence(s->handle);
			return e->fence ? 0 : -EBADF;
		}
		stub = dma_fence_get_stub();
		sf = sync_file_create(stub);
		dma_fence_put(stub);
		if (!sf)
			return -ENOMEM;
		e->sync_file = sf;
		e->fd = get_unused_fd_flags(O_CLOEXEC);
		if (e->fd < 0)
			return e->fd;
		/*
		 * The fd goes back in @handle now, while failing changes
		 * nothing; fini installs it once the job is committed.
		 */
		e->user_handle = &user->handle;
		e->old_handle = s->handle;
		if (put_user(e->fd, e->user_handle))
			return -EFAULT;
		e->written = true;
		return 0;

	case DRM_PVGPU_SYNC_USER_FENCE:
		e->ufence = pvgpu_user_fence_create(pvdev, to_pvgpu_file(file),
						    s->addr,
						    s->timeline_value);
		if (IS_ERR(e->ufence)) {
			int ret = PTR_ERR(e->ufence);

			e->ufence = NULL;
			return ret;
		}
		return 0;
	}
	return -EINVAL;
}

/**
 * pvgpu_syncs_parse() - check and look up an ioctl's syncs
 * @pvdev: the device
 * @file: the caller's DRM file (syncobj handles)
 * @user_syncs: user pointer to struct drm_pvgpu_sync[@num_syncs]
 * @num_syncs: entries
 * @allow: PVGPU_SYNCS_*: what the ioctl accepts
 * @syncs: filled in; pvgpu_syncs_fini() it also on error
 *
 * Takes every reference and makes every allocation that
 * pvgpu_syncs_signal() will need.
 *
 * Return: 0 or a negative errno as documented at struct drm_pvgpu_sync:
 * -EINVAL (also for more than DRM_PVGPU_MAX_SYNCS entries), -ENOENT,
 * -EBADF, -EFAULT, -ENOMEM, -EMFILE.
 */
int pvgpu_syncs_parse(struct pvgpu_device *pvdev, struct drm_file *file,
		      u64 user_syncs, u32 num_syncs, u32 allow,
		      struct pvgpu_syncs *syncs)
{
	struct drm_pvgpu_sync __user *user = u64_to_user_ptr(user_syncs);
	struct drm_pvgpu_sync inline_in[PVGPU_SYNCS_INLINE];
	struct drm_pvgpu_sync *in = inline_in;
	u32 i;
	int ret;

	syncs->entries = NULL;
	syncs->count = 0;
	syncs->num_out = 0;
	if (num_syncs > DRM_PVGPU_MAX_SYNCS)
		return -EINVAL;
	if (!num_syncs)
		return 0;

	/* The usual one or two syncs cost no allocation. */
	if (num_syncs <= PVGPU_SYNCS_INLINE) {
		if (copy_from_user(in, user, num_syncs * sizeof(*in)))
			return -EFAULT;
	} else {
		in = memdup_array_user(user, num_syncs, sizeof(*in));
		if (IS_ERR(in))
			return PTR_ERR(in);
	}

	/* All checks first, so a malformed entry fails before lookups. */
	for (i = 0; i < num_syncs; i++) {
		ret = pvgpu_sync_entry_check(&in[i], allow);
		if (ret)
			goto out_free;
	}

	if (num_syncs <= PVGPU_SYNCS_INLINE) {
		memset(syncs->inline_entries, 0,
		       num_syncs * sizeof(*syncs->entries));
		syncs->entries = syncs->inline_entries;
	} else {
		syncs->entries = kcalloc(num_syncs, sizeof(*syncs->entries),
					 GFP_KERNEL_ACCOUNT);
	}
	if (!syncs->entries) {
		ret = -ENOMEM;
		goto out_free;
	}

	for (i = 0; i < num_syncs; i++) {
		/* Count first: fini cleans up a half-parsed entry too. */
		syncs->count++;
		ret = pvgpu_sync_entry_parse(pvdev, file, &user[i], &in[i],
					     &syncs->entries[i]);
		if (ret)
			goto out_free;
		if (syncs->entries[i].signal)
			syncs->num_out++;
	}
	ret = 0;
out_free:
	if (in != inline_in)
		kfree(in);
	return ret;
}

/**
 * pvgpu_syncs_add_deps() - make a job depend on the in-syncs
 * @syncs: parsed syncs
 * @job: the job, not armed yet
 *
 * Return: 0 or -ENOMEM.
 */
int pvgpu_syncs_add_deps(struct pvgpu_syncs *syncs, struct pvgpu_dep_job *job)
{
	u32 i;
	int ret;

	for (i = 0; i < syncs->count; i++) {
		struct dma_fence *fence = syncs->entries[i].fence;

		if (!fence)
			continue;
		ret = pvgpu_dep_job_add_dependency(job, dma_fence_get(fence));
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * pvgpu_syncs_wait_in() - wait for every in-sync
 * @syncs: parsed syncs
 * @intr: interruptible
 *
 * Return: 0, or -ERESTARTSYS when interrupted.
 */
int pvgpu_syncs_wait_in(struct pvgpu_syncs *syncs, bool intr)
{
	u32 i;
	long ret;

	for (i = 0; i < syncs->count; i++) {
		struct dma_fence *fence = syncs->entries[i].fence;

		if (!fence)
			continue;
		ret = dma_fence_wait(fence, intr);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/**
 * pvgpu_syncs_signal() - attach the job's fence to every out-sync
 * @syncs: parsed syncs
 * @fence: the job's (armed) fence
 *
 * Cannot fail; allocates nothing and touches no user memory, so it may be
 * called with the queue's submit_lock held. Call it once. The sync_file fds
 * are installed by pvgpu_syncs_fini().
 */
void pvgpu_syncs_signal(struct pvgpu_syncs *syncs, struct dma_fence *fence)
{
	u32 i;

	for (i = 0; i < syncs->count; i++) {
		struct pvgpu_sync_entry *e = &syncs->entries[i];

		if (!e->signal)
			continue;

		switch (e->type) {
		case DRM_PVGPU_SYNC_SYNCOBJ:
			drm_syncobj_replace_fence(e->syncobj, fence);
			break;
		case DRM_PVGPU_SYNC_TIMELINE_SYNCOBJ:
			/* The timeline takes over the chain node. */
			drm_syncobj_add_point(e->syncobj, e->chain, fence,
					      e->point);
			e->chain = NULL;
			break;
		case DRM_PVGPU_SYNC_SYNC_FILE: {
			/* Nobody can see the sync_file before fd_install. */
			struct dma_fence *stub = e->sync_file->fence;

			e->sync_file->fence = dma_fence_get(fence);
			dma_fence_put(stub);
			e->signalled = true;
			break;
		}
		case DRM_PVGPU_SYNC_USER_FENCE: {
			struct pvgpu_user_fence *uf = e->ufence;

			/* The callback (or the work) frees it now. */
			e->ufence = NULL;
			if (dma_fence_add_callback(fence, &uf->cb,
						   pvgpu_user_fence_cb))
				queue_work(uf->pvdev->ufence_write_wq,
					   &uf->work);
			break;
		}
		}
	}
}

/**
 * pvgpu_syncs_fini() - install sync_file fds, release the rest
 * @syncs: parsed syncs (maybe only partly, after a parse error)
 *
 * Process context, no locks held. After pvgpu_syncs_signal() (the job is
 * committed) installs each sync_file's fd, which parse already wrote to the
 * user's drm_pvgpu_sync.handle: nothing can fail here. Without it (the
 * ioctl fails) releases the reserved fds and puts the caller's handles
 * back. Drops every reference and allocation pvgpu_syncs_signal() did not
 * consume.
 */
void pvgpu_syncs_fini(struct pvgpu_syncs *syncs)
{
	u32 i;

	for (i = 0; i < syncs->count; i++) {
		struct pvgpu_sync_entry *e = &syncs->entries[i];

		if (e->sync_file && e->fd >= 0 && e->signalled) {
			fd_install(e->fd, e->sync_file->file);
		} else {
			/* Best effort: the caller may have unmapped it. */
			if (e->written && put_user(e->old_handle, e->user_handle))
				pr_debug("pvgpu: sync_file handle not restored\n");
			if (e->fd >= 0)
				put_unused_fd(e->fd);
			if (e->sync_file)
				fput(e->sync_file->file);
		}
		if (e->syncobj)
			drm_syncobj_put(e->syncobj);
		dma_fence_put(e->fence);
		dma_fence_chain_free(e->chain);
		if (e->ufence)
			pvgpu_user_fence_free(e->ufence);
	}
	if (syncs->entries != syncs->inline_entries)
		kfree(syncs->entries);
	syncs->entries = NULL;
	syncs->count = 0;
	syncs->num_out = 0;
}
