/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvgpu guest driver: queues as userspace names them (exec queues and bind
 * queues), exec queues on firmware queues, EXEC and WAIT_USER_FENCE.
 * See the DOC: sections in pvgpu_queue.c, pvgpu_queue_fw.c,
 * pvgpu_queue_event.c and pvgpu_exec.c.
 *
 * Copyright (C) 2026 The pvgpu authors
 */
#ifndef PVGPU_QUEUE_H
#define PVGPU_QUEUE_H

#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "pvgpu_channel.h"
#include "pvgpu_cmds.h"
#include "pvgpu_dep_queue.h"
#include "pvgpu_svm.h"

struct drm_device;
struct drm_file;
struct drm_printer;
struct pvgpu_device;
struct pvgpu_file;
struct pvgpu_bo;
struct pvgpu_msg_hdr;
struct pvgpu_vm;

/**
 * enum pvgpu_queue_kind - what runs a queue's jobs
 * @PVGPU_QUEUE_EXEC: a firmware queue of an engine class (pvgpu_queue.c).
 * @PVGPU_QUEUE_BIND: the CPU, writing page tables (pvgpu_vm_bind.c).
 * @PVGPU_QUEUE_USER: a firmware queue userspace feeds (pvgpu_userq.c);
 *	its jobs are the fences of USERQ_SIGNAL.
 */
enum pvgpu_queue_kind {
	PVGPU_QUEUE_EXEC,
	PVGPU_QUEUE_BIND,
	PVGPU_QUEUE_USER,
};

/**
 * struct pvgpu_queue - what exec queues and bind queues share
 *
 * Embedded in the backend's queue; its lifetime is the embedded dependency
 * queue's (@dq's refcount; pvgpu_queue_get()/_put()).
 */
struct pvgpu_queue {
	/** @dq: the dependency queue: jobs, fences, refcount. */
	struct pvgpu_dep_queue dq;
	/** @kind: enum pvgpu_queue_kind. */
	enum pvgpu_queue_kind kind;
	/** @vm: the VM the queue's jobs run in (a reference). */
	struct pvgpu_vm *vm;
	/** @engine_class: DRM_PVGPU_ENGINE_CLASS_* (VM_BIND for binds). */
	u32 engine_class;
	/**
	 * @id: userspace's id of the queue in its file (events), set before
	 * the id is published; 0 for a VM's default bind queue.
	 */
	u32 id;
	/**
	 * @destroy: called once, when userspace's id is dropped (QUEUE_DESTROY
	 * or file close) or the VM of a default bind queue goes: kill or
	 * drain, then drop the id's reference. Must not block.
	 */
	void (*destroy)(struct pvgpu_queue *queue);
	/**
	 * @fatal_fault: the fault that stopped the queue (QUEUE_GET_STATE),
	 * under the backend's state lock.
	 */
	struct pvgpu_fault_info fatal_fault;
	/**
	 * @link: in &pvgpu_device.queues (under &pvgpu_device.objs_lock),
	 * for debugfs; exec queues are added by pvgpu_queue.c, a bind queue
	 * backend may add its own (INIT_LIST_HEAD() it otherwise).
	 */
	struct list_head link;
};

static inline struct pvgpu_queue *to_pvgpu_queue(struct pvgpu_dep_queue *dq)
{
	return container_of(dq, struct pvgpu_queue, dq);
}

static inline struct pvgpu_queue *pvgpu_queue_get(struct pvgpu_queue *queue)
{
	pvgpu_dep_queue_get(&queue->dq);
	return queue;
}

static inline void pvgpu_queue_put(struct pvgpu_queue *queue)
{
	if (queue)
		pvgpu_dep_queue_put(&queue->dq);
}

/* QUEUE_QUERY response dwords before interface 1.3 added the fault fields. */
#define PVGPU_QUEUE_STATE_V12_DW \
	(offsetof(struct pvgpu_msg_queue_state, fault_seqno) / 4)

/*
 * Ring of an exec queue: 32 KiB of commands (1170 jobs), contiguous
 * coherent DMA memory that the firmware reads at its guest-physical
 * address (a privileged queue, pvgpu_fwif.h): no GPU VM maps it.
 */
#define PVGPU_EXEC_RING_SIZE		SZ_32K
/*
 * Largest job on the ring: NOP + BATCH_CALL + FENCE, in bytes. The NOP
 * tells a device reset whether the firmware began the job (pvgpu_reset.c).
 */
#define PVGPU_EXEC_JOB_MAX_BYTES \
	((PVGPU_CMD_LEN_NOP + PVGPU_CMD_LEN_BATCH_CALL + \
	  PVGPU_CMD_LEN_FENCE) * 4)

/* pvgpu_exec_queue.state flags */
#define PVGPU_EXEC_QUEUE_RESET		BIT(0)	/* the firmware reset it */
#define PVGPU_EXEC_QUEUE_GUILTY		BIT(1)	/* it caused the reset */
#define PVGPU_EXEC_QUEUE_KILLED		BIT(2)	/* destroyed by userspace */
#define PVGPU_EXEC_QUEUE_DRIVER_RESET	BIT(3)	/* the driver sent RESET */

/**
 * struct pvgpu_exec_queue - an exec queue: a firmware queue the kernel feeds
 *
 * See the DOC: section of pvgpu_queue.c. Freed by the dependency queue's
 * release (a worker), once userspace's id, the firmware's registration and
 * every job have let go of it.
 */
struct pvgpu_exec_queue {
	/** @base: what every queue has; @base.dq is the dependency queue. */
	struct pvgpu_queue base;
	/** @pvdev: the device. */
	struct pvgpu_device *pvdev;
	/** @pfile: the file whose fdinfo counts the busy time (a reference). */
	struct pvgpu_file *pfile;
	/** @fw_id: firmware queue id; also the slot in &pvgpu_device.fw_queues. */
	u32 fw_id;
	/** @doorbell: doorbell id in the kernel's group (@fw_id + 1). */
	u32 doorbell;
	/** @priority: firmware priority. */
	u32 priority;
	/** @timeslice_us: quantum, 0 for the firmware's default. */
	u32 timeslice_us;
	/** @lr: a queue of a long-running VM: no timeout, no dma-fence out. */
	bool lr;
	/** @fw_id_reserved: @fw_id is held in &pvgpu_device.fw_queues. */
	bool fw_id_reserved;
	/**
	 * @file_charged: counted in @pfile's &pvgpu_file.num_exec_queues
	 * (max_queues_per_file) until the queue is freed.
	 */
	bool file_charged;
	/** @registered: the firmware knows the queue (until DEREGISTER). */
	bool registered;
	/**
	 * @fw_lock: serialises the queue's firmware requests after creation
	 * (RESET, QUERY, DEREGISTER) with @deregistered, so that none goes
	 * out for a queue the firmware no longer knows: its error answer
	 * would wedge the device. Never held by the signalling path.
	 */
	struct mutex fw_lock;
	/**
	 * @deregistered: DEREGISTER was sent (or the device wedged while
	 * sending it); protected by @fw_lock.
	 */
	bool deregistered;
	/**
	 * @pm_suspended: system sleep holds the queue (pvgpu_pm.c); under
	 * @fw_lock.
	 */
	bool pm_suspended;

	/** @ring: the ring (coherent DMA memory, in no GPU VM). */
	struct pvgpu_dma ring;
	/**
	 * @seqno_cpu: the queue's fence (in @ctl), the seqno of the latest
	 * completed job: only the jobs' FENCE commands, which the firmware
	 * runs from the ring alone, write it.
	 */
	__le64 *seqno_cpu;
	/** @ring_size: bytes of commands, a power of two. */
	u32 ring_size;
	/**
	 * @wptr: the driver's write offset; only run_job writes it (never
	 * concurrently), can_run_job reads it under the dep queue's lock.
	 */
	u32 wptr;
	/** @ctl: DMA page: struct pvgpu_queue_desc, rptr, wptr, the fence. */
	struct pvgpu_dma ctl;
	/** @rptr_cpu: the firmware's read offset (in @ctl). */
	__le32 *rptr_cpu;
	/** @wptr_cpu: the write offset the firmware reads (in @ctl). */
	__le32 *wptr_cpu;

	/**
	 * @state_lock: protects @state, @error, @fw_error, @fault,
	 * @base.fatal_fault and the busy-time fields; taken from the
	 * interrupt handler (irqsave).
	 */
	spinlock_t state_lock;
	/** @state: PVGPU_EXEC_QUEUE_* flags. */
	u32 state;
	/** @error: negative errno of the ban, 0 while usable. */
	int error;
	/** @fw_error: PVGPU_QUEUE_ERR_* of the firmware's error event. */
	u32 fw_error;
	/** @fault: the page fault to answer (seqno 0: none). */
	struct pvgpu_gpu_fault fault;
	/** @busy: a job was started and has not completed. */
	bool busy;
	/** @busy_since_ns: when the busy time was last accounted. */
	u64 busy_since_ns;
	/** @last_started: seqno of the latest job written to the ring. */
	u64 last_started;
	/**
	 * @seen_seqno: the fence's value at the latest completion pass
	 * (pvgpu_exec_queue_complete()); an event that finds the page
	 * unchanged has nothing to signal. Written with WRITE_ONCE() by the
	 * completers, which may race: a stale value costs one more pass.
	 */
	u64 seen_seqno;

	/**
	 * @poll_seqno: the seqno @poll_work saw last; only @poll_work uses
	 * it (and @poll_stalls).
	 */
	u64 poll_seqno;
	/**
	 * @poll_stalls: consecutive polls of a busy queue without progress;
	 * after PVGPU_EXEC_QUERY_MS worth of them @query_work asks the
	 * firmware whether the queue stopped (an error or fault event it
	 * dropped).
	 */
	u32 poll_stalls;

	/** @error_work: bans the queue after a firmware error event. */
	struct work_struct error_work;
	/**
	 * @fault_work: resolves the page fault and answers it, on
	 * &pvgpu_device.fault_wq (pvgpu_svm_handle_fault()).
	 */
	struct work_struct fault_work;
	/** @destroy_work: resets, bans and deregisters a killed queue. */
	struct work_struct destroy_work;
	/**
	 * @ufence_work: wakes the WAIT_USER_FENCE callers of @pfile that a
	 * completion may have satisfied, outside the interrupt handler
	 * (pvgpu_exec_queue_wake_ufences()); holds a queue reference while
	 * pending.
	 */
	struct work_struct ufence_work;
	/**
	 * @query_work: asks the firmware for the state of this queue, which
	 * @poll_work found busy without progress (pvgpu_exec_queue_query());
	 * holds a queue reference while pending.
	 */
	struct work_struct query_work;
	/**
	 * @poll_work: while jobs run, looks at the fence every
	 * PVGPU_EXEC_POLL_MS: the completion of a job whose event the F2H
	 * ring dropped, with no later event to reveal the gap.
	 */
	struct delayed_work poll_work;
};

/**
 * struct pvgpu_exec_job - one EXEC: a job of an exec queue
 */
struct pvgpu_exec_job {
	/** @base: the dependency-queue job. */
	struct pvgpu_dep_job base;
	/** @batch_va: GPU VA of the batch buffer (if @num_batch). */
	u64 batch_va;
	/** @num_batch: 0 (only the SIGNAL) or 1. */
	u32 num_batch;
	/**
	 * @ring_start: ring offset of the job's first command, written by
	 * run_job (WRITE_ONCE()); PVGPU_EXEC_JOB_NOT_ON_RING before.
	 */
	u32 ring_start;
};

#define PVGPU_EXEC_JOB_NOT_ON_RING	U32_MAX

/**
 * struct pvgpu_reset_stats - what a device reset did with the queues
 */
struct pvgpu_reset_stats {
	/** @resubmitted: exec queues registered again with their jobs. */
	unsigned int resubmitted;
	/** @banned: queues banned because their state was lost. */
	unsigned int banned;
};

static inline struct pvgpu_exec_queue *
to_pvgpu_exec_queue(struct pvgpu_queue *queue)
{
	return container_of(queue, struct pvgpu_exec_queue, base);
}

struct pvgpu_exec_job *pvgpu_exec_job_create(struct pvgpu_exec_queue *eq,
					     u64 batch_va, u32 num_batch);
bool pvgpu_exec_queue_lr_full(struct pvgpu_exec_queue *eq);
bool pvgpu_queue_jobs_full(struct pvgpu_queue *queue);
bool pvgpu_exec_queue_was_reset(struct pvgpu_exec_queue *eq);

struct pvgpu_queue *pvgpu_queue_lookup(struct pvgpu_file *pfile, u32 queue_id);
int pvgpu_queue_check_sched(struct pvgpu_device *pvdev, u32 engine_class,
			    u32 priority, u32 timeslice_us);

/* pvgpu_queue_fw.c: what every firmware queue needs, exec or user */
int pvgpu_fw_queue_reserve_id(struct pvgpu_device *pvdev, bool user, u32 *id);
int pvgpu_fw_queue_request(struct pvgpu_device *pvdev, u32 fw_id, u16 opcode,
			   bool *deregistered);
void pvgpu_fw_queue_reply_fault(struct pvgpu_device *pvdev, u32 fw_id,
				u32 fault_seqno, u32 action);
int pvgpu_fw_error_to_errno(u32 error, bool guilty);

void pvgpu_queues_fini(struct pvgpu_device *pvdev);
void pvgpu_queues_reset_settle(struct pvgpu_device *pvdev,
			       struct pvgpu_reset_stats *stats);
int pvgpu_queues_reset_recover(struct pvgpu_device *pvdev,
			       struct pvgpu_reset_stats *stats);
void pvgpu_queues_pm_suspend(struct pvgpu_device *pvdev);
void pvgpu_queues_pm_resume(struct pvgpu_device *pvdev, bool lost);
int pvgpu_fw_queue_hold(struct pvgpu_device *pvdev, u32 fw_id, u16 opcode);
void pvgpu_queues_recover_work(struct work_struct *work);
void pvgpu_queues_hw_fini(struct pvgpu_device *pvdev);
void pvgpu_queue_file_close(struct pvgpu_file *pfile);
bool pvgpu_queue_fw_event(struct pvgpu_device *pvdev,
			  const struct pvgpu_msg_hdr *hdr,
			  const __le32 *payload);
void pvgpu_queue_debugfs_print(struct pvgpu_device *pvdev,
			       struct drm_printer *p);
void pvgpu_queue_show_fdinfo(struct pvgpu_file *pfile, struct drm_printer *p);

int pvgpu_ioctl_queue_create(struct drm_device *drm, void *data,
			     struct drm_file *file);
int pvgpu_ioctl_queue_destroy(struct drm_device *drm, void *data,
			      struct drm_file *file);
int pvgpu_ioctl_queue_get_state(struct drm_device *drm, void *data,
				struct drm_file *file);
int pvgpu_ioctl_exec(struct drm_device *drm, void *data,
		     struct drm_file *file);
int pvgpu_ioctl_wait_user_fence(struct drm_device *drm, void *data,
				struct drm_file *file);
bool pvgpu_ufence_compare(u64 v, u64 value, u64 mask, u32 op);
int pvgpu_wait_check(ktime_t deadline, long *remaining);

#endif /* PVGPU_QUEUE_H */
