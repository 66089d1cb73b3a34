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
struct drm_file;
struct mm_struct;
struct pvgpu_dep_job;
struct pvgpu_device;
struct pvgpu_file;
struct pvgpu_queue;
struct pvgpu_sync_entry;

/* pvgpu_syncs_parse() @allow */
#define PVGPU_SYNCS_ALLOW_SYNC_FILE	BIT(0)	/* EXEC: sync_file in/out */
#define PVGPU_SYNCS_LR			BIT(1)	/* only user fences go out */

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
 * after dropping submit_lock and before the ioctl returns.
 */
struct pvgpu_syncs {
	/** @entries: one per struct drm_pvgpu_sync, in array order. */
	struct pvgpu_sync_entry *entries;
	/** @count: entries. */
	u32 count;
	/** @num_out: entries with DRM_PVGPU_SYNC_SIGNAL. */
	u32 num_out;
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
