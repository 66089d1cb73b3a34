// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: the dependency queue (scheduler and entity in one).
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/dma-fence.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/slab.h>

#include <drm/drm_print.h>

#include "pvgpu_dep_queue.h"

/**
 * DOC: dependency queue
 *
 * A &struct pvgpu_dep_queue is the scheduler and the entity of one queue at
 * once, after the DRM dep-queue design: jobs are pushed in order, wait for
 * their dma-fence dependencies, start in order (&pvgpu_dep_queue_ops.run_job)
 * and complete in order, each signalling its fence on the queue's timeline.
 * docs/dep-queue.rst has the full design; in short:
 *
 * Objects and references: the queue is refcounted and embedded in the
 * backend's queue; its last reference queues &pvgpu_dep_queue.release_work,
 * which calls &pvgpu_dep_queue_ops.release in process context. A job is
 * refcounted and embedded in the backend's job; it holds a queue reference.
 * The submitter's first job reference goes to the queue at push; the queue
 * drops it when the job completes, from any context (hard IRQ included), so
 * &pvgpu_dep_queue_ops.free_job must not sleep (a submitter that may sleep
 * and holds the last reference drops it with pvgpu_dep_job_put_may_sleep(),
 * which uses &pvgpu_dep_queue_ops.free_job_may_sleep). A job's fence is a
 * small object of its own that never points at the queue or the job, so
 * fences may outlive both.
 *
 * Submission: pvgpu_dep_job_init(), pvgpu_dep_job_add_dependency() (may
 * allocate), then under &pvgpu_dep_queue.submit_lock pvgpu_dep_job_arm()
 * (seqno) and pvgpu_dep_job_push(). Push runs the job right away (bypass)
 * when nothing is queued ahead, the queue runs, every dependency signalled
 * and the backend has room; otherwise the job is queued and a callback on
 * its first unsignalled dependency kicks &pvgpu_dep_queue.run_work.
 *
 * Completion: pvgpu_dep_queue_signal_upto() (the exec backend's interrupt
 * handler) or pvgpu_dep_job_done() (the bind backend, from run_job) complete
 * running jobs in seqno order, without a worker hop. A job the backend
 * finished out of order (pvgpu_dep_job_done() on a younger job, or a failed
 * run_job) is marked done and completes right after the older ones, so the
 * fences of a queue always signal in seqno order, also on ban. A pass reads
 * the clock once for the signal timestamps of all its fences (or takes
 * the caller's time, pvgpu_dep_queue_signal_upto_at()). The running-job
 * timeout is armed lazily: no timer update per job (see
 * pvgpu_dep_queue_update_timeout_locked()).
 *
 * Locking:
 *
 * - &pvgpu_dep_queue.lock (spinlock, irqsave, taken from hard IRQs)
 *   protects the lists, the state and the counters, and is held while fences
 *   signal so that concurrent completers (IRQ, ban) keep seqno order. Lock
 *   order: queue lock -> fence locks (ours and the dependencies', for
 *   dma_fence_add_callback()/remove_callback()). Nothing called under a
 *   fence lock takes a queue lock: the dependency callback only queues work.
 * - &pvgpu_dep_queue.submit_lock (mutex) orders arm + push and makes the
 *   queue have one runner at a time: the bypass path runs with the
 *   submitter holding it, the worker takes it around starting jobs, both
 *   outside the signalling critical section (the bypass path cannot do
 *   otherwise, and the two orders would be a lockdep cycle). Since the
 *   worker waits for it, no holder may allocate memory or wait on a fence
 *   under it; lockdep cannot check that rule.
 * - run_job is called without the queue lock, inside
 *   dma_fence_begin_signalling()/dma_fence_end_signalling().
 * - A job's @deps xarray is only changed before arm and by the one runner;
 *   it uses the irq lock type so that a job may be freed in hard IRQ.
 */

/*
 * A job's fence: its own lock and the timeline name, nothing that points
 * back to the queue, so that it may outlive the queue and the job.
 */
struct pvgpu_dep_fence {
	struct dma_fence base;
	spinlock_t lock;	/* the fence's lock, one per fence */
	const char *timeline_name;
};

static struct pvgpu_dep_fence *to_dep_fence(struct dma_fence *f)
{
	return container_of(f, struct pvgpu_dep_fence, base);
}

static const char *pvgpu_dep_fence_driver_name(struct dma_fence *f)
{
	return "pvgpu";
}

static const char *pvgpu_dep_fence_timeline_name(struct dma_fence *f)
{
	return to_dep_fence(f)->timeline_name;
}

static const struct dma_fence_ops pvgpu_dep_fence_ops = {
	.get_driver_name = pvgpu_dep_fence_driver_name,
	.get_timeline_name = pvgpu_dep_fence_timeline_name,
};

static void pvgpu_dep_queue_release_work(struct work_struct *work)
{
	struct pvgpu_dep_queue *q = container_of(work, struct pvgpu_dep_queue,
						 release_work);

	/*
	 * Every job held a reference, so none is left; the works may still
	 * be pending (a completion kicked run_work just before the last job
	 * went): they must not run on a freed queue.
	 */
	cancel_work_sync(&q->run_work);
	cancel_delayed_work_sync(&q->timeout_work);
	WARN_ON(!list_empty(&q->queued) || !list_empty(&q->running));
	dma_fence_put(q->last_fence);
	q->last_fence = NULL;
	mutex_destroy(&q->submit_lock);
	q->ops->release(q);
}

static void pvgpu_dep_queue_release(struct kref *kref)
{
	struct pvgpu_dep_queue *q = container_of(kref, struct pvgpu_dep_queue,
						 refcount);

	/* Maybe hard IRQ (a job freed at completion): teardown is async. */
	queue_work(q->wq, &q->release_work);
}

/**
 * pvgpu_dep_queue_get() - take a reference to a queue
 * @q: the queue
 *
 * Return: @q.
 */
struct pvgpu_dep_queue *pvgpu_dep_queue_get(struct pvgpu_dep_queue *q)
{
	kref_get(&q->refcount);
	return q;
}

/**
 * pvgpu_dep_queue_put() - drop a reference to a queue
 * @q: the queue, or NULL
 *
 * Any context. The last reference queues the release on &pvgpu_dep_queue.wq,
 * which calls &pvgpu_dep_queue_ops.release.
 */
void pvgpu_dep_queue_put(struct pvgpu_dep_queue *q)
{
	if (q)
		kref_put(&q->refcount, pvgpu_dep_queue_release);
}

/*
 * Arms the timeout for the oldest running job, or cancels it on a stopped
 * queue. Lazily, to keep timer updates off the path of every job: a timer
 * already pending is left alone, as is one of a queue that went idle.
 * The oldest job's deadline never comes before the one the timer was armed
 * for (jobs complete in order, and a new oldest job's clock starts at its
 * predecessor's completion at the earliest), so the timer fires on time or
 * early, and pvgpu_dep_queue_timeout_work() re-arms it for the deadline
 * of the job that is oldest then, or does nothing if none runs.
 */
static void pvgpu_dep_queue_update_timeout_locked(struct pvgpu_dep_queue *q)
{
	struct pvgpu_dep_job *job;
	unsigned long deadline;

	lockdep_assert_held(&q->lock);
	if (!q->timeout_ms)
		return;

	if (q->stopped) {
		cancel_delayed_work(&q->timeout_work);
		return;
	}
	job = list_first_entry_or_null(&q->running, struct pvgpu_dep_job, link);
	if (!job || delayed_work_pending(&q->timeout_work))
		return;
	deadline = job->started_jiffies + msecs_to_jiffies(q->timeout_ms);
	queue_delayed_work(q->wq, &q->timeout_work,
			   time_after(deadline, jiffies) ? deadline - jiffies : 0);
}

/*
 * Signals @job's fence with the time in @stamp (read now if 0) and unlinks
 * it; the queue's job reference moves to @free, to be dropped without the
 * lock.
 */
static void pvgpu_dep_job_complete_locked(struct pvgpu_dep_queue *q,
					  struct pvgpu_dep_job *job, int error,
					  ktime_t *stamp, struct list_head *free)
{
	lockdep_assert_held(&q->lock);

	if (error)
		dma_fence_set_error(job->fence, error);
	/* One clock read per pass, however many fences it signals. */
	if (!*stamp)
		*stamp = ktime_get();
	dma_fence_signal_timestamp(job->fence, *stamp);
	q->jobs_completed++;
	list_move_tail(&job->link, free);
}

/*
 * Completes the running jobs at the head that are done or <= @seqno.
 * Returns how many it completed.
 */
static unsigned int pvgpu_dep_queue_complete_locked(struct pvgpu_dep_queue *q,
						    u64 seqno, int error,
						    ktime_t *stamp,
						    struct list_head *free)
{
	struct pvgpu_dep_job *job, *next;
	unsigned int count = 0;

	lockdep_assert_held(&q->lock);

	list_for_each_entry_safe(job, next, &q->running, link) {
		if (job->done)
			pvgpu_dep_job_complete_locked(q, job, job->error,
						      stamp, free);
		else if (job->seqno <= seqno)
			pvgpu_dep_job_complete_locked(q, job, error, stamp,
						      free);
		else
			break;
		count++;
	}
	if (!count)
		return 0;
	/*
	 * Jobs start (reach the ring) long before the hardware gets to them
	 * when many are queued on the ring: the new oldest job's clock starts
	 * when its predecessor completed, not when it was written, or a deep
	 * queue of short jobs would look hung.
	 */
	job = list_first_entry_or_null(&q->running, struct pvgpu_dep_job, link);
	if (job && time_before(job->started_jiffies, jiffies))
		job->started_jiffies = jiffies;
	pvgpu_dep_queue_update_timeout_locked(q);
	/* A completion may have made room for the next job. */
	if (!list_empty(&q->queued) && !q->stopped)
		queue_work(q->wq, &q->run_work);
	return count;
}

static void pvgpu_dep_jobs_put(struct list_head *free)
{
	struct pvgpu_dep_job *job, *next;

	list_for_each_entry_safe(job, next, free, link) {
		list_del_init(&job->link);
		pvgpu_dep_job_put(job);
	}
}

/**
 * pvgpu_dep_queue_signal_upto() - complete running jobs up to a seqno
 * @q: the queue
 * @seqno: the last seqno the backend completed
 * @error: error for those jobs' fences, or 0
 *
 * Any context, hard IRQ included. Completes the running jobs with a seqno
 * <= @seqno, oldest first, and frees them if that was their last reference.
 * The running job that becomes the oldest has its timeout clock restarted.
 *
 * Return: the number of jobs completed (their fences signalled).
 */
unsigned int pvgpu_dep_queue_signal_upto(struct pvgpu_dep_queue *q, u64 seqno,
					 int error)
{
	return pvgpu_dep_queue_signal_upto_at(q, seqno, error, 0);
}

/**
 * pvgpu_dep_queue_signal_upto_at() - complete running jobs up to a seqno,
 * with the time the caller read
 * @q: the queue
 * @seqno: the last seqno the backend completed
 * @error: error for those jobs' fences, or 0
 * @stamp: CLOCK_MONOTONIC time of the completion for the fences'
 *         timestamps, or 0 to read the clock (once) here
 *
 * pvgpu_dep_queue_signal_upto() for a backend that read the clock already
 * (exec queues account busy time with it): where reading the clock costs
 * an exit (a guest on an emulated timer), a completion reads it once.
 *
 * Return: the number of jobs completed (their fences signalled).
 */
unsigned int pvgpu_dep_queue_signal_upto_at(struct pvgpu_dep_queue *q,
					    u64 seqno, int error, ktime_t stamp)
{
	unsigned long flags;
	unsigned int count;
	LIST_HEAD(free);

	spin_lock_irqsave(&q->lock, flags);
	count = pvgpu_dep_queue_complete_locked(q, seqno, error, &stamp,
						&free);
	spin_unlock_irqrestore(&q->lock, flags);
	pvgpu_dep_jobs_put(&free);
	return count;
}

/**
 * pvgpu_dep_job_done() - the backend finished one job
 * @job: a running job, normally the oldest one
 * @error: the job's error, or 0
 *
 * Any context. Bind queues call it from run_job. If an older job is still
 * running (the backend finished out of order), @job completes right after
 * it, so the queue's fences still signal in order. A job that was already
 * completed (by pvgpu_dep_queue_ban()) is left alone.
 */
void pvgpu_dep_job_done(struct pvgpu_dep_job *job, int error)
{
	struct pvgpu_dep_queue *q = job->q;
	unsigned long flags;
	ktime_t stamp = 0;
	LIST_HEAD(free);

	spin_lock_irqsave(&q->lock, flags);
	/* Not running (a ban completed it): nothing left to do. */
	if (!list_empty(&job->link) && !job->done &&
	    !test_bit(DMA_FENCE_FLAG_SIGNALED_BIT, &job->fence->flags)) {
		job->done = true;
		job->error = error;
		pvgpu_dep_queue_complete_locked(q, 0, 0, &stamp, &free);
	}
	spin_unlock_irqrestore(&q->lock, flags);
	pvgpu_dep_jobs_put(&free);
}

/*
 * Drops a job's dependencies once it starts (process context: every
 * dependency has signalled and no callback is installed any more).
 */
static void pvgpu_dep_job_drop_deps(struct pvgpu_dep_job *job)
{
	struct dma_fence *fence;
	unsigned long index;

	xa_for_each(&job->deps, index, fence) {
		xa_erase_irq(&job->deps, index);
		dma_fence_put(fence);
	}
}

/*
 * Runs @job, already moved to the running list. The caller is the queue's
 * one runner: it holds submit_lock, and the job reference that
 * pvgpu_dep_queue_start_job_locked() took, which this drops.
 */
static void pvgpu_dep_queue_run(struct pvgpu_dep_queue *q,
				struct pvgpu_dep_job *job)
{
	bool cookie;
	int ret;

	lockdep_assert_held(&q->submit_lock);

	pvgpu_dep_job_drop_deps(job);
	cookie = dma_fence_begin_signalling();
	ret = q->ops->run_job(job);
	dma_fence_end_signalling(cookie);
	if (ret < 0)
		pvgpu_dep_job_done(job, ret);
	pvgpu_dep_job_put(job);
}

/*
 * Moves the head of the queued list (@job) to the running list and takes
 * a reference for pvgpu_dep_queue_run(): once the lock is dropped, a ban
 * or run_job itself may complete the job and drop the queue's reference.
 */
static void pvgpu_dep_queue_start_job_locked(struct pvgpu_dep_queue *q,
					     struct pvgpu_dep_job *job)
{
	lockdep_assert_held(&q->lock);

	pvgpu_dep_job_get(job);
	job->started_jiffies = jiffies;
	list_move_tail(&job->link, &q->running);
	if (list_is_first(&job->link, &q->running))
		pvgpu_dep_queue_update_timeout_locked(q);
}

static void pvgpu_dep_job_dep_cb(struct dma_fence *fence,
				 struct dma_fence_cb *cb)
{
	struct pvgpu_dep_job *job = container_of(cb, struct pvgpu_dep_job,
						 dep_cb);

	/*
	 * Under the dependency's lock: only queue the work. The job (and so
	 * the queue) lives on: whoever frees a queued job first removes this
	 * callback, which waits for a running one (it takes the fence lock).
	 */
	queue_work(job->q->wq, &job->q->run_work);
}

/*
 * Whether every dependency of @job has signalled. If not, installs the
 * callback on the first one that has not (unless one is installed already).
 */
static bool pvgpu_dep_job_deps_ready_locked(struct pvgpu_dep_queue *q,
					    struct pvgpu_dep_job *job)
{
	struct dma_fence *fence;
	unsigned long index;

	lockdep_assert_held(&q->lock);

	if (job->dep_fence) {
		if (!dma_fence_is_signaled(job->dep_fence))
			return false;
		/* Waits for the callback if it is running right now. */
		dma_fence_remove_callback(job->dep_fence, &job->dep_cb);
		job->dep_fence = NULL;
	}

	xa_for_each(&job->deps, index, fence) {
		if (dma_fence_is_signaled(fence))
			continue;
		if (!dma_fence_add_callback(fence, &job->dep_cb,
					    pvgpu_dep_job_dep_cb)) {
			job->dep_fence = fence;
			return false;
		}
		/* -ENOENT: it signalled in the meantime. */
	}
	return true;
}

/* Removes a queued job's dependency callback (before cancelling it). */
static void pvgpu_dep_job_remove_cb_locked(struct pvgpu_dep_queue *q,
					   struct pvgpu_dep_job *job)
{
	lockdep_assert_held(&q->lock);

	if (job->dep_fence) {
		dma_fence_remove_callback(job->dep_fence, &job->dep_cb);
		job->dep_fence = NULL;
	}
}

static void pvgpu_dep_queue_run_work(struct work_struct *work)
{
	struct pvgpu_dep_queue *q = container_of(work, struct pvgpu_dep_queue,
						 run_work);
	struct pvgpu_dep_job *job;
	unsigned long flags;

	/*
	 * The bypass path enters the signalling critical section (around
	 * run_job) with submit_lock held, so the worker takes submit_lock
	 * outside it too: the other order is a lockdep cycle. Holders of
	 * submit_lock must still neither allocate nor wait on fences, since
	 * the worker waits for them; lockdep cannot see that rule.
	 */
	mutex_lock(&q->submit_lock);
	for (;;) {
		spin_lock_irqsave(&q->lock, flags);
		job = list_first_entry_or_null(&q->queued, struct pvgpu_dep_job,
					       link);
		if (!job || q->stopped ||
		    !pvgpu_dep_job_deps_ready_locked(q, job) ||
		    (q->ops->can_run_job && !q->ops->can_run_job(job))) {
			spin_unlock_irqrestore(&q->lock, flags);
			break;
		}
		pvgpu_dep_queue_start_job_locked(q, job);
		spin_unlock_irqrestore(&q->lock, flags);
		pvgpu_dep_queue_run(q, job);
	}
	mutex_unlock(&q->submit_lock);
}

static void pvgpu_dep_queue_timeout_work(struct work_struct *work)
{
	struct pvgpu_dep_queue *q = container_of(to_delayed_work(work),
						 struct pvgpu_dep_queue,
						 timeout_work);
	struct pvgpu_dep_job *job;
	unsigned long deadline;
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	job = list_first_entry_or_null(&q->running, struct pvgpu_dep_job, link);
	if (!job || q->stopped || q->banned) {
		spin_unlock_irqrestore(&q->lock, flags);
		return;
	}
	deadline = job->started_jiffies + msecs_to_jiffies(q->timeout_ms);
	if (time_before(jiffies, deadline)) {
		/* A younger job became the oldest: its own deadline. */
		mod_delayed_work(q->wq, &q->timeout_work, deadline - jiffies);
		spin_unlock_irqrestore(&q->lock, flags);
		return;
	}
	/* The backend may ban the queue, which completes (frees) the job. */
	pvgpu_dep_job_get(job);
	spin_unlock_irqrestore(&q->lock, flags);

	if (q->ops->timedout_job)
		q->ops->timedout_job(job);
	pvgpu_dep_job_put(job);
}

/**
 * pvgpu_dep_queue_init() - initialise a dependency queue
 * @q: the queue (embedded in the backend's queue)
 * @ops: the backend (&pvgpu_dep_queue_ops.run_job, .free_job and .release
 *       are required)
 * @name: static string: the fences' timeline name
 * @flags: PVGPU_DEP_QUEUE_*
 * @timeout_ms: running-job timeout, 0 for none
 * @wq: workqueue of the run, timeout and release work
 *
 * The caller holds the one reference.
 *
 * Return: 0, or -EINVAL for missing ops.
 */
int pvgpu_dep_queue_init(struct pvgpu_dep_queue *q,
			 const struct pvgpu_dep_queue_ops *ops,
			 const char *name, u32 flags, unsigned int timeout_ms,
			 struct workqueue_struct *wq)
{
	if (WARN_ON(!ops || !ops->run_job || !ops->free_job ||
		    !ops->release || !wq))
		return -EINVAL;

	kref_init(&q->refcount);
	q->ops = ops;
	q->name = name;
	q->flags = flags;
	q->timeout_ms = timeout_ms;
	q->fence_context = dma_fence_context_alloc(1);
	q->wq = wq;
	mutex_init(&q->submit_lock);
	spin_lock_init(&q->lock);
	INIT_LIST_HEAD(&q->queued);
	INIT_LIST_HEAD(&q->running);
	q->last_fence = NULL;
	q->next_seqno = 1;
	q->stopped = false;
	q->banned = false;
	q->error = 0;
	q->jobs_submitted = 0;
	q->jobs_completed = 0;
	q->jobs_bypassed = 0;
	INIT_WORK(&q->run_work, pvgpu_dep_queue_run_work);
	INIT_DELAYED_WORK(&q->timeout_work, pvgpu_dep_queue_timeout_work);
	INIT_WORK(&q->release_work, pvgpu_dep_queue_release_work);

	return 0;
}

/**
 * pvgpu_dep_queue_stop() - start no more jobs
 * @q: the queue
 *
 * Any context. A job the worker or a submitter is starting right now may
 * still start; hold &pvgpu_dep_queue.submit_lock around the call for a
 * barrier. The timeout does not fire while stopped.
 */
void pvgpu_dep_queue_stop(struct pvgpu_dep_queue *q)
{
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	q->stopped = true;
	pvgpu_dep_queue_update_timeout_locked(q);
	spin_unlock_irqrestore(&q->lock, flags);
}

/**
 * pvgpu_dep_queue_start() - start jobs again after pvgpu_dep_queue_stop()
 * @q: the queue
 *
 * Any context. No effect on a banned queue.
 */
void pvgpu_dep_queue_start(struct pvgpu_dep_queue *q)
{
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	if (!q->banned) {
		q->stopped = false;
		/* The oldest job's clock keeps running from its start. */
		pvgpu_dep_queue_update_timeout_locked(q);
		queue_work(q->wq, &q->run_work);
	}
	spin_unlock_irqrestore(&q->lock, flags);
}

/**
 * pvgpu_dep_queue_ban() - stop a queue for good and cancel its jobs
 * @q: the queue
 * @error: negative errno every cancelled and later job completes with
 *
 * Any context. Completes every running job, then every queued job, in
 * order, with @error; later pushes complete at once with @error. Call it
 * only when the hardware no longer touches the running jobs. Idempotent.
 */
void pvgpu_dep_queue_ban(struct pvgpu_dep_queue *q, int error)
{
	struct pvgpu_dep_job *job, *next;
	unsigned long flags;
	ktime_t stamp = 0;
	LIST_HEAD(free);

	spin_lock_irqsave(&q->lock, flags);
	if (!q->banned) {
		q->banned = true;
		q->stopped = true;
		q->error = error;
	}
	list_for_each_entry_safe(job, next, &q->running, link)
		pvgpu_dep_job_complete_locked(q, job, q->error, &stamp, &free);
	list_for_each_entry_safe(job, next, &q->queued, link) {
		pvgpu_dep_job_remove_cb_locked(q, job);
		pvgpu_dep_job_complete_locked(q, job, q->error, &stamp, &free);
	}
	pvgpu_dep_queue_update_timeout_locked(q);
	spin_unlock_irqrestore(&q->lock, flags);
	pvgpu_dep_jobs_put(&free);
}

/**
 * pvgpu_dep_queue_is_banned() - whether pvgpu_dep_queue_ban() was called
 * @q: the queue
 *
 * Return: true if banned.
 */
bool pvgpu_dep_queue_is_banned(struct pvgpu_dep_queue *q)
{
	return READ_ONCE(q->banned);
}

/**
 * pvgpu_dep_queue_pending() - jobs pushed and not completed
 * @q: the queue
 *
 * Any context. Queued and running jobs alike; what a bound on the jobs a
 * queue may hold counts (see max_jobs_per_queue, pvgpu_queue.c).
 *
 * Return: &pvgpu_dep_queue.jobs_submitted - &pvgpu_dep_queue.jobs_completed.
 */
u64 pvgpu_dep_queue_pending(struct pvgpu_dep_queue *q)
{
	unsigned long flags;
	u64 n;

	spin_lock_irqsave(&q->lock, flags);
	n = q->jobs_submitted - q->jobs_completed;
	spin_unlock_irqrestore(&q->lock, flags);
	return n;
}

/**
 * pvgpu_dep_queue_oldest_running() - the oldest job started and not completed
 * @q: the queue
 *
 * Any context.
 *
 * Return: the job with a reference (pvgpu_dep_job_put()), or NULL.
 */
struct pvgpu_dep_job *pvgpu_dep_queue_oldest_running(struct pvgpu_dep_queue *q)
{
	struct pvgpu_dep_job *job;
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	job = list_first_entry_or_null(&q->running, struct pvgpu_dep_job, link);
	if (job)
		pvgpu_dep_job_get(job);
	spin_unlock_irqrestore(&q->lock, flags);
	return job;
}

/**
 * pvgpu_dep_queue_restart_timeout() - start the oldest job's timeout again
 * @q: the queue
 *
 * For a backend that had to replay the job from its start (a device
 * reset): its clock counts from now. Process context.
 */
void pvgpu_dep_queue_restart_timeout(struct pvgpu_dep_queue *q)
{
	struct pvgpu_dep_job *job;
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	job = list_first_entry_or_null(&q->running, struct pvgpu_dep_job, link);
	if (job && q->timeout_ms && !q->stopped && !q->banned) {
		job->started_jiffies = jiffies;
		mod_delayed_work(q->wq, &q->timeout_work,
				 msecs_to_jiffies(q->timeout_ms));
	}
	spin_unlock_irqrestore(&q->lock, flags);
}

/**
 * pvgpu_dep_queue_kick() - try again to start queued jobs
 * @q: the queue
 *
 * Any context; for a backend whose &pvgpu_dep_queue_ops.can_run_job said no
 * and that now has room.
 */
void pvgpu_dep_queue_kick(struct pvgpu_dep_queue *q)
{
	queue_work(q->wq, &q->run_work);
}

/**
 * pvgpu_dep_queue_last_fence() - the fence of the last pushed job
 * @q: the queue
 *
 * Return: a reference to the last pushed job's fence, or to a signalled
 * stub fence when no job was pushed yet.
 */
struct dma_fence *pvgpu_dep_queue_last_fence(struct pvgpu_dep_queue *q)
{
	struct dma_fence *fence;
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	fence = dma_fence_get(q->last_fence);
	spin_unlock_irqrestore(&q->lock, flags);

	return fence ?: dma_fence_get_stub();
}

/**
 * pvgpu_dep_queue_print() - print a queue's state (debugfs)
 * @q: the queue
 * @p: where to
 */
void pvgpu_dep_queue_print(struct pvgpu_dep_queue *q, struct drm_printer *p)
{
	struct pvgpu_dep_job *job;
	unsigned int queued = 0, running = 0;
	u64 last_seqno = 0, oldest = 0;
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	list_for_each_entry(job, &q->queued, link)
		queued++;
	list_for_each_entry(job, &q->running, link) {
		if (!running)
			oldest = job->seqno;
		running++;
	}
	if (q->last_fence)
		last_seqno = q->last_fence->seqno;
	drm_printf(p, "dep-queue %s: context %llu next_seqno %llu ",
		   q->name, q->fence_context, q->next_seqno);
	drm_printf(p, "last_pushed %llu oldest_running %llu\n",
		   last_seqno, oldest);
	drm_printf(p, "  queued %u running %u submitted %llu completed %llu bypassed %llu\n",
		   queued, running, q->jobs_submitted, q->jobs_completed,
		   q->jobs_bypassed);
	drm_printf(p, "  stopped %d banned %d error %d timeout_ms %u flags %#x\n",
		   q->stopped, q->banned, q->error, q->timeout_ms, q->flags);
	spin_unlock_irqrestore(&q->lock, flags);
}

/**
 * pvgpu_dep_job_init() - initialise a job
 * @job: the job (embedded in the backend's job)
 * @q: its queue
 *
 * Allocates the job's fence and takes a queue reference; the caller holds
 * the job's one reference (drop it with pvgpu_dep_job_put() if the job is
 * never armed). Call it without &pvgpu_dep_queue.submit_lock held.
 *
 * Return: 0, or -ENOMEM (nothing to undo).
 */
int pvgpu_dep_job_init(struct pvgpu_dep_job *job, struct pvgpu_dep_queue *q)
{
	struct pvgpu_dep_fence *f;

	/* For the caller's ioctl: charged to its memory cgroup. */
	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	spin_lock_init(&f->lock);
	f->timeline_name = q->name;

	kref_init(&job->refcount);
	job->q = pvgpu_dep_queue_get(q);
	INIT_LIST_HEAD(&job->link);
	job->fence = &f->base;
	job->seqno = 0;
	/* Irq lock type: a cancelled job may be freed in hard IRQ. */
	xa_init_flags(&job->deps, XA_FLAGS_ALLOC | XA_FLAGS_LOCK_IRQ);
	job->armed = false;
	job->started_jiffies = 0;
	job->dep_fence = NULL;
	job->done = false;
	job->error = 0;
	return 0;
}

/**
 * pvgpu_dep_job_add_dependency() - make a job wait for a fence
 * @job: the job, not armed yet
 * @fence: the fence (the reference is consumed, also on error), or NULL
 *
 * Signalled fences and fences of the job's own queue (ordered anyway) are
 * dropped; of several fences of one foreign context only the latest is
 * kept. May allocate: call it without &pvgpu_dep_queue.submit_lock.
 *
 * Return: 0, -EINVAL after arm, or -ENOMEM.
 */
int pvgpu_dep_job_add_dependency(struct pvgpu_dep_job *job,
				 struct dma_fence *fence)
{
	struct dma_fence *entry;
	unsigned long index;
	u32 id;
	int ret;

	if (!fence)
		return 0;
	if (WARN_ON(job->armed)) {
		dma_fence_put(fence);
		return -EINVAL;
	}
	if (fence->context == job->q->fence_context ||
	    dma_fence_is_signaled(fence)) {
		dma_fence_put(fence);
		return 0;
	}

	xa_for_each(&job->deps, index, entry) {
		if (entry->context != fence->context)
			continue;
		if (dma_fence_is_later(fence, entry)) {
			/* Replacing an entry allocates nothing. */
			xa_store_irq(&job->deps, index, fence, GFP_KERNEL);
			dma_fence_put(entry);
		} else {
			dma_fence_put(fence);
		}
		return 0;
	}

	ret = xa_alloc_irq(&job->deps, &id, fence, xa_limit_32b,
			   GFP_KERNEL_ACCOUNT);
	if (ret)
		dma_fence_put(fence);
	return ret;
}

/**
 * pvgpu_dep_job_arm() - give a job its seqno and initialise its fence
 * @job: the job
 *
 * Caller holds &pvgpu_dep_queue.submit_lock and must push the job before
 * dropping it. From here on the fence may be published (syncobjs).
 */
void pvgpu_dep_job_arm(struct pvgpu_dep_job *job)
{
	struct pvgpu_dep_queue *q = job->q;
	struct pvgpu_dep_fence *f = to_dep_fence(job->fence);

	lockdep_assert_held(&q->submit_lock);
	if (WARN_ON(job->armed))
		return;

	job->seqno = q->next_seqno++;
	dma_fence_init(&f->base, &pvgpu_dep_fence_ops, &f->lock,
		       q->fence_context, job->seqno);
	job->armed = true;
}

/**
 * pvgpu_dep_job_push() - hand an armed job to its queue
 * @job: the job; the caller's reference goes to the queue
 *
 * Caller holds &pvgpu_dep_queue.submit_lock. On a banned queue the job
 * completes at once with the queue's error. Otherwise it runs right here
 * (bypass) if nothing is queued ahead, the queue is not stopped, every
 * dependency signalled and the backend can take it, else it is queued and
 * started later by the worker.
 */
void pvgpu_dep_job_push(struct pvgpu_dep_job *job)
{
	struct pvgpu_dep_queue *q = job->q;
	struct dma_fence *old_fence;
	unsigned long flags;
	bool bypass = false;
	ktime_t stamp = 0;
	LIST_HEAD(free);

	lockdep_assert_held(&q->submit_lock);
	WARN_ON(!job->armed);

	spin_lock_irqsave(&q->lock, flags);
	old_fence = q->last_fence;
	q->last_fence = dma_fence_get(job->fence);
	q->jobs_submitted++;

	if (q->banned) {
		/* Every older job completed when the ban came: in order. */
		list_add_tail(&job->link, &q->queued);
		pvgpu_dep_job_complete_locked(q, job, q->error, &stamp, &free);
	} else if (!q->stopped && list_empty(&q->queued) &&
		   pvgpu_dep_job_deps_ready_locked(q, job) &&
		   (!q->ops->can_run_job || q->ops->can_run_job(job))) {
		list_add_tail(&job->link, &q->queued);
		pvgpu_dep_queue_start_job_locked(q, job);
		q->jobs_bypassed++;
		bypass = true;
	} else {
		list_add_tail(&job->link, &q->queued);
		/*
		 * The callback (installed by deps_ready above, or now)
		 * kicks the worker once the first unsignalled dependency
		 * signals; with all signalled, a completion, a kick or
		 * pvgpu_dep_queue_start() does.
		 */
		if (!q->stopped && pvgpu_dep_job_deps_ready_locked(q, job) &&
		    list_is_first(&job->link, &q->queued))
			queue_work(q->wq, &q->run_work);
	}
	spin_unlock_irqrestore(&q->lock, flags);

	dma_fence_put(old_fence);
	pvgpu_dep_jobs_put(&free);
	if (bypass)
		pvgpu_dep_queue_run(q, job);
}

static void pvgpu_dep_job_free(struct pvgpu_dep_job *job, bool may_sleep)
{
	struct pvgpu_dep_queue *q = job->q;
	struct dma_fence *fence;
	unsigned long index;

	/* Any context: the deps xarray takes its lock irqsave. */
	WARN_ON(job->dep_fence);
	xa_for_each(&job->deps, index, fence)
		dma_fence_put(fence);
	xa_destroy(&job->deps);
	if (job->armed)
		dma_fence_put(job->fence);
	else
		kfree(to_dep_fence(job->fence));
	if (may_sleep && q->ops->free_job_may_sleep)
		q->ops->free_job_may_sleep(job);
	else
		q->ops->free_job(job);
	pvgpu_dep_queue_put(q);
}

static void pvgpu_dep_job_release(struct kref *kref)
{
	pvgpu_dep_job_free(container_of(kref, struct pvgpu_dep_job, refcount),
			   false);
}

static void pvgpu_dep_job_release_may_sleep(struct kref *kref)
{
	pvgpu_dep_job_free(container_of(kref, struct pvgpu_dep_job, refcount),
			   true);
}

/**
 * pvgpu_dep_job_get() - take a reference to a job
 * @job: the job
 *
 * Return: @job.
 */
struct pvgpu_dep_job *pvgpu_dep_job_get(struct pvgpu_dep_job *job)
{
	kref_get(&job->refcount);
	return job;
}

/**
 * pvgpu_dep_job_put() - drop a reference to a job
 * @job: the job, or NULL
 *
 * Any context. The last reference frees the job's dependencies and fence
 * reference, calls &pvgpu_dep_queue_ops.free_job and drops the job's queue
 * reference.
 */
void pvgpu_dep_job_put(struct pvgpu_dep_job *job)
{
	if (job)
		kref_put(&job->refcount, pvgpu_dep_job_release);
}

/**
 * pvgpu_dep_job_put_may_sleep() - drop a reference in process context
 * @job: the job, or NULL
 *
 * Like pvgpu_dep_job_put(), for a caller that may sleep: if this is the
 * last reference, the backend's &pvgpu_dep_queue_ops.free_job_may_sleep
 * (if it has one) releases the job in this thread. A synchronous VM_BIND
 * uses it so that its job is gone when the ioctl returns, without waking
 * a worker to free it.
 */
void pvgpu_dep_job_put_may_sleep(struct pvgpu_dep_job *job)
{
	might_sleep();
	if (job)
		kref_put(&job->refcount, pvgpu_dep_job_release_may_sleep);
}
