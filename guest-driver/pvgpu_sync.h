/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvgpu guest driver: in- and out-syncs of VM_BIND and EXEC (struct
 * drm_pvgpu_sync), and user fences. See the DOC: section in pvgpu_sync.c.
 *
 * Copyright (C) 2026 The pvgpu authors
 */
#ifndef PVGPU_SYNC_H
#define PVGPU_SYNC_H

#include <linux/types.h>

struct dma_fence;
struct dma_fence_chain;
struct drm_file;
struct drm_syncobj;
struct mm_struct;
struct pvgpu_dep_job;
struct pvgpu_device;
struct pvgpu_file;
struct pvgpu_queue;
struct pvgpu_user_fence;
struct sync_file;

/* pvgpu_syncs_parse() @allow */
#define PVGPU_SYNCS_ALLOW_SYNC_FILE	BIT(0)	/* EXEC: sync_file in/out */
#define PVGPU_SYNCS_LR			BIT(1)	/* only user fences go out */

/**
 * struct pvgpu_sync_entry - one parsed struct drm_pvgpu_sync
 *
 * Private to pvgpu_sync.c; here only so that &struct pvgpu_syncs can hold
 * a few inline.
 */
struct pvgpu_sync_entry {
	/** @type: DRM_PVGPU_SYNC_*. */
	u32 type;
	/** @signal: an out-sync (DRM_PVGPU_SYNC_SIGNAL). */
	bool signal;
	/** @point: timeline point (TIMELINE_SYNCOBJ). */
	u64 point;
	/** @syncobj: the syncobj (a reference), out-syncs only. */
	struct drm_syncobj *syncobj;
	/** @fence: in-sync: the fence to wait for (a reference), or NULL. */
	struct dma_fence *fence;
	/** @chain: timeline out-sync: the point's node, until consumed. */
	struct dma_fence_chain *chain;
	/** @sync_file: sync_file out-sync, until its fd is installed. */
	struct sync_file *sync_file;
	/** @fd: the fd reserved for @sync_file, or -1. */
	int fd;
	/** @user_handle: where the fd goes in the user's array. */
	u32 __user *user_handle;
	/** @old_handle: the caller's @user_handle, put back on error. */
	u32 old_handle;
	/** @written: @fd was written to @user_handle. */
	bool written;
	/** @signalled: pvgpu_syncs_signal() gave @sync_file its fence. */
	bool signalled;
	/** @ufence: user fence, until handed to the fence callback. */
	struct pvgpu_user_fence *ufence;
};

/*
 * Syncs an ioctl parses without allocating: a job usually has one or two
 * (an in-fence, an out-syncobj).
 */
#define PVGPU_SYNCS_INLINE	2

/**
 * struct pvgpu_syncs - the parsed syncs of one ioctl
 *
 * pvgpu_syncs_parse() checks every entry and takes every reference and
 * allocation signalling will need, and writes the reserved sync_file fds
 * back to userspace; pvgpu_syncs_signal() then cannot fail, allocates
 * nothing and touches no user memory (it may run under the dep queue's
 * submit_lock). pvgpu_syncs_fini() releases what is left, on success and
 * error paths; after a signal it installs the new sync_file fds, without
 * one it releases them and puts the caller's handles back, so call it
 * after dropping submit_lock and before the ioctl returns. @entries may
 * point into the structure itself: never copy it.
 */
struct pvgpu_syncs {
	/**
	 * @entries: one per struct drm_pvgpu_sync, in array order;
	 * @inline_entries or an allocation.
	 */
	struct pvgpu_sync_entry *entries;
	/** @count: entries. */
	u32 count;
	/** @num_out: entries with DRM_PVGPU_SYNC_SIGNAL. */
	u32 num_out;
	/** @inline_entries: @entries for up to PVGPU_SYNCS_INLINE syncs. */
	struct pvgpu_sync_entry inline_entries[PVGPU_SYNCS_INLINE];
};

int pvgpu_syncs_parse(struct pvgpu_device *pvdev, struct drm_file *file,
		      u64 user_syncs, u32 num_syncs, u32 allow,
		      struct pvgpu_syncs *syncs);
int pvgpu_syncs_add_deps(struct pvgpu_syncs *syncs, struct pvgpu_dep_job *job);
int pvgpu_syncs_wait_in(struct pvgpu_syncs *syncs, bool intr);
void pvgpu_syncs_signal(struct pvgpu_syncs *syncs, struct dma_fence *fence);
void pvgpu_syncs_fini(struct pvgpu_syncs *syncs);

void pvgpu_ufence_wake_queue(struct pvgpu_file *pfile,
			     const struct pvgpu_queue *queue);
void pvgpu_ufence_wake_addr(struct pvgpu_file *pfile,
			    const struct mm_struct *mm, const u64 __user *addr);

#endif /* PVGPU_SYNC_H */
