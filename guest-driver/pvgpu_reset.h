/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvgpu guest driver: device reset and recovery.
 *
 * Copyright (C) 2026 The pvgpu authors
 */
#ifndef PVGPU_RESET_H
#define PVGPU_RESET_H

#include <linux/atomic.h>
#include <linux/ktime.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

struct pvgpu_device;
struct seq_file;

/* Resets remembered for the storm limit (max_resets_per_minute). */
#define PVGPU_RESET_HISTORY	32

/**
 * struct pvgpu_reset - device reset and recovery state (pvgpu_reset.c)
 */
struct pvgpu_reset {
	/**
	 * @lock: held for writing while the firmware is rebooted and told
	 * again about every address space and queue; for reading by the
	 * paths that add an address space or a queue to the firmware and to
	 * the device's lists, or take one away (pvgpu_reset_read_lock()),
	 * so that recovery sees each either before or after.
	 */
	struct rw_semaphore lock;
	/** @wq: ordered workqueue of @work (WQ_MEM_RECLAIM: it signals fences). */
	struct workqueue_struct *wq;
	/** @work: the reset (pvgpu_reset_work()). */
	struct work_struct work;
	/** @done_wq: woken when a reset finished (or gave up). */
	wait_queue_head_t done_wq;
	/** @requested: resets asked for so far (pvgpu_reset_schedule()). */
	atomic_t requested;
	/** @handled: @requested as the last finished reset saw it. */
	atomic_t handled;
	/** @cause: DRM_PVGPU_RESET_CAUSE_* of the first request not handled. */
	atomic_t cause;
	/** @requested_at: when that request came (ktime_get()). */
	ktime_t requested_at;
	/** @count: device resets completed (DRM_PVGPU_QUERY_DEVICE). */
	atomic64_t count;
	/** @last_cause: cause of the latest completed reset. */
	u32 last_cause;
	/** @last_ns: request-to-recovered time of the latest reset. */
	u64 last_ns;
	/** @queues_resubmitted: exec queues re-registered, all resets. */
	u64 queues_resubmitted;
	/** @queues_banned: queues banned by resets (begun work, lost). */
	u64 queues_banned;
	/** @history: completion times of the latest resets (a ring). */
	ktime_t history[PVGPU_RESET_HISTORY];
	/** @history_pos: next slot of @history. */
	unsigned int history_pos;
	/** @boot_failures: resets in a row whose firmware did not boot. */
	unsigned int boot_failures;
};

int pvgpu_reset_init(struct pvgpu_device *pvdev);
void pvgpu_reset_fini(struct pvgpu_device *pvdev);
bool pvgpu_reset_schedule(struct pvgpu_device *pvdev, u32 cause);
bool pvgpu_reset_pending(struct pvgpu_device *pvdev);
bool pvgpu_reset_recovers(struct pvgpu_device *pvdev);
int pvgpu_reset_wait(struct pvgpu_device *pvdev);
int pvgpu_reset_read_lock(struct pvgpu_device *pvdev);
void pvgpu_reset_read_unlock(struct pvgpu_device *pvdev);
u64 pvgpu_reset_count(struct pvgpu_device *pvdev);
void pvgpu_reset_print(struct pvgpu_device *pvdev, struct seq_file *m);

#endif /* PVGPU_RESET_H */
