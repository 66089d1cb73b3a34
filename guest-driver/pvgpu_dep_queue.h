/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvgpu guest driver: the dependency queue, one object that is both the
 * scheduler and the entity of a queue (after the DRM dep-queue design).
 * See the DOC: section in pvgpu_dep_queue.c.
 *
 * Copyright (C) 2026 The pvgpu authors
 */
#ifndef PVGPU_DEP_QUEUE_H
#define PVGPU_DEP_QUEUE_H

#include <linux/dma-fence.h>
#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

struct drm_printer;
struct pvgpu_dep_job;
struct pvgpu_dep_queue;

/**
 * struct pvgpu_dep_queue_ops - what a queue's backend does
 *
 * Two backends use the queue: exec queues (a job is written to a firmware
 * ring and completes from the interrupt handler) and bind queues (a job
 * writes page tables on the CPU and completes before run_job returns).
 */
struct pvgpu_dep_queue_ops {
	/**
	 * @can_run_job: optional. Whether @job could start now (e.g. its
	 * ring has room). Called under &pvgpu_dep_queue.lock (irqsave):
	 * must not sleep. If false, the queue tries again after the next
	 * completion (pvgpu_dep_queue_signal_upto(), pvgpu_dep_job_done())
	 * or pvgpu_dep_queue_kick().
	 */
	bool (*can_run_job)(struct pvgpu_dep_job *job);

	/**
	 * @run_job: start @job; every dependency has signalled and every
	 * earlier job of the queue has started. Called in submission order,
	 * never concurrently for one queue, either by the submitting thread
	 * (the bypass path, under &pvgpu_dep_queue.submit_lock) or by the
	 * queue's worker, inside the dma-fence signalling critical section:
	 * no GFP_KERNEL allocation, no waiting on a dma-fence. It may sleep
	 * otherwise (a bind job waits for a TLB invalidation). Return 0 when
	 * started (the backend completes the job later, or already did, with
	 * pvgpu_dep_job_done() or pvgpu_dep_queue_signal_upto()); a negative
	 * errno completes the job with that error.
	 */
	int (*run_job)(struct pvgpu_dep_job *job);

	/**
	 * @timedout_job: optional. The oldest running job of the queue has
	 * run for &pvgpu_dep_queue.timeout_ms. Worker context. The backend
	 * resets the hardware queue and calls pvgpu_dep_queue_ban().
	 */
	void (*timedout_job)(struct pvgpu_dep_job *job);

	/**
	 * @free_job: the last reference to @job is gone: free the backend's
	 * job (which embeds struct pvgpu_dep_job). Any context, hard
	 * interrupt included: no sleeping.
	 */
	void (*free_job)(struct pvgpu_dep_job *job);

	/**
	 * @free_job_may_sleep: optional. Like @free_job, for a last reference
	 * dropped by pvgpu_dep_job_put_may_sleep(): process context, where
	 * a backend whose release sleeps can release at once instead of
	 * deferring it to a worker.
	 */
	void (*free_job_may_sleep)(struct pvgpu_dep_job *job);

	/**
	 * @release: the last reference to the queue is gone and every job
	 * has been freed: tear down and free the backend's queue. Called
	 * from a worker (process context), never from the context that
	 * dropped the reference: teardown is asynchronous.
	 */
	void (*release)(struct pvgpu_dep_queue *q);
};

/* pvgpu_dep_queue.flags */
/*
 * A job's dependencies may not include a fence published by an LR queue;
 * informational for debugfs.
 */
#define PVGPU_DEP_QUEUE_LR		BIT(0)

/**
 * struct pvgpu_dep_queue - a queue of jobs with dependencies
 *
 * Refcounted (pvgpu_dep_queue_get()/_put()); every job holds a reference
 * to its queue. Embedded in the backend's queue object.
 */
struct pvgpu_dep_queue {
	/** @refcount: the queue's references. */
	struct kref refcount;
	/** @ops: the backend. */
	const struct pvgpu_dep_queue_ops *ops;
	/** @name: for fences (timeline name) and messages; static string. */
	const char *name;
	/** @flags: PVGPU_DEP_QUEUE_*. */
	u32 flags;
	/** @timeout_ms: running-job timeout, 0 for none. */
	unsigned int timeout_ms;
	/** @fence_context: the queue's dma-fence timeline. */
	u64 fence_context;
	/** @wq: where the worker and the release run. */
	struct workqueue_struct *wq;

	/**
	 * @submit_lock: serialises arm + push, so seqnos follow push order.
	 * Held across pvgpu_dep_job_arm() and pvgpu_dep_job_push(). The
	 * worker takes it to start jobs, so fence signalling waits for it:
	 * whoever holds it must not allocate with GFP_KERNEL, fault on user
	 * memory nor wait on a dma-fence (call pvgpu_dep_job_init(),
	 * pvgpu_dep_job_add_dependency() and pvgpu_syncs_parse() before
	 * taking it, pvgpu_syncs_fini() after). Lockdep cannot check this.
	 */
	struct mutex submit_lock;

	/**
	 * @lock: protects the lists, @last_fence, @stopped, @banned,
	 * @error and the counters; taken from hard interrupts (irqsave).
	 */
	spinlock_t lock;
	/** @queued: pushed jobs that have not started, in order. */
	struct list_head queued;
	/** @running: started jobs that have not completed, in order. */
	struct list_head running;
	/** @last_fence: fence of the latest pushed job, or NULL. */
	struct dma_fence *last_fence;
	/** @next_seqno: seqno of the next armed job; starts at 1. */
	u64 next_seqno;
	/** @stopped: no job starts (pvgpu_dep_queue_stop()). */
	bool stopped;
	/** @banned: jobs are cancelled instead of run. */
	bool banned;
	/** @error: the error banned jobs complete with. */
	int error;
	/** @jobs_submitted: jobs pushed. */
	u64 jobs_submitted;
	/** @jobs_completed: jobs whose fence signalled. */
	u64 jobs_completed;
	/** @jobs_bypassed: jobs started by the submitter (bypass path). */
	u64 jobs_bypassed;

	/** @run_work: starts queued jobs whose dependencies signalled. */
	struct work_struct run_work;
	/** @timeout_work: runs &pvgpu_dep_queue_ops.timedout_job. */
	struct delayed_work timeout_work;
	/** @release_work: the asynchronous teardown. */
	struct work_struct release_work;
};

/**
 * struct pvgpu_dep_job - one job of a dependency queue
 *
 * Embedded in the backend's job. Refcounted: the submitter holds the first
 * reference until pvgpu_dep_job_push() takes it over; the queue holds one
 * while the job is queued or running.
 */
struct pvgpu_dep_job {
	/** @refcount: the job's references. */
	struct kref refcount;
	/** @q: the queue (a reference). */
	struct pvgpu_dep_queue *q;
	/** @link: in &pvgpu_dep_queue.queued or .running. */
	struct list_head link;
	/** @fence: the job's fence, on the queue's timeline. */
	struct dma_fence *fence;
	/** @seqno: position on the queue's timeline, once armed. */
	u64 seqno;
	/** @deps: dependencies not yet known to have signalled. */
	struct xarray deps;
	/** @dep_cb: callback on the dependency being waited for. */
	struct dma_fence_cb dep_cb;
	/** @armed: pvgpu_dep_job_arm() was called. */
	bool armed;
	/** @started_jiffies: when it started running. */
	unsigned long started_jiffies;
	/**
	 * @dep_fence: the dependency @dep_cb is installed on, or NULL;
	 * borrowed from @deps (no reference of its own). Protected by
	 * &pvgpu_dep_queue.lock.
	 */
	struct dma_fence *dep_fence;
	/**
	 * @done: the backend finished the job (pvgpu_dep_job_done() or a
	 * failed run_job) but an older job is still running: the job
	 * completes, with @error, right after it. Protected by
	 * &pvgpu_dep_queue.lock.
	 */
	bool done;
	/** @error: the error @done completes the job with. */
	int error;
};

int pvgpu_dep_queue_init(struct pvgpu_dep_queue *q,
			 const struct pvgpu_dep_queue_ops *ops,
			 const char *name, u32 flags, unsigned int timeout_ms,
			 struct workqueue_struct *wq);
struct pvgpu_dep_queue *pvgpu_dep_queue_get(struct pvgpu_dep_queue *q);
void pvgpu_dep_queue_put(struct pvgpu_dep_queue *q);

void pvgpu_dep_queue_stop(struct pvgpu_dep_queue *q);
void pvgpu_dep_queue_start(struct pvgpu_dep_queue *q);
void pvgpu_dep_queue_ban(struct pvgpu_dep_queue *q, int error);
bool pvgpu_dep_queue_is_banned(struct pvgpu_dep_queue *q);
u64 pvgpu_dep_queue_pending(struct pvgpu_dep_queue *q);
void pvgpu_dep_queue_kick(struct pvgpu_dep_queue *q);
struct pvgpu_dep_job *pvgpu_dep_queue_oldest_running(struct pvgpu_dep_queue *q);
void pvgpu_dep_queue_restart_timeout(struct pvgpu_dep_queue *q);
struct dma_fence *pvgpu_dep_queue_last_fence(struct pvgpu_dep_queue *q);
unsigned int pvgpu_dep_queue_signal_upto(struct pvgpu_dep_queue *q, u64 seqno,
					 int error);
unsigned int pvgpu_dep_queue_signal_upto_at(struct pvgpu_dep_queue *q,
					    u64 seqno, int error, ktime_t stamp);
void pvgpu_dep_queue_print(struct pvgpu_dep_queue *q, struct drm_printer *p);

int pvgpu_dep_job_init(struct pvgpu_dep_job *job, struct pvgpu_dep_queue *q);
int pvgpu_dep_job_add_dependency(struct pvgpu_dep_job *job,
				 struct dma_fence *fence);
void pvgpu_dep_job_arm(struct pvgpu_dep_job *job);
void pvgpu_dep_job_push(struct pvgpu_dep_job *job);
void pvgpu_dep_job_done(struct pvgpu_dep_job *job, int error);
struct pvgpu_dep_job *pvgpu_dep_job_get(struct pvgpu_dep_job *job);
void pvgpu_dep_job_put(struct pvgpu_dep_job *job);
void pvgpu_dep_job_put_may_sleep(struct pvgpu_dep_job *job);

#endif /* PVGPU_DEP_QUEUE_H */
