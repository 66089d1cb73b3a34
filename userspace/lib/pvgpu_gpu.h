/* SPDX-License-Identifier: MIT */
/*
 * pvgpu_gpu: thin wrappers around the buffer, VM, queue, EXEC and sync
 * ioctls, a batch-buffer builder for the commands of pvgpu_cmds.h, and a
 * small "context" (VM + exec queue + batch buffer) that runs a batch and
 * waits for it. Every function returns 0 or a negative errno (the ioctl's,
 * unchanged), so tests can assert exact error codes.
 */
#ifndef PVGPU_GPU_H
#define PVGPU_GPU_H

#include <stdint.h>

#include "pvgpu_drm.h"

/* --- buffer objects --- */
int pvgpu_bo_create(int fd, uint64_t size, uint32_t flags, uint32_t *handle);
int pvgpu_bo_mmap_offset(int fd, uint32_t handle, uint64_t *offset);
/* Maps the whole object read/write; NULL (errno set) on failure. */
void *pvgpu_bo_map(int fd, uint32_t handle, uint64_t size);
int pvgpu_gem_close(int fd, uint32_t handle);

/* --- VMs and binds --- */
int pvgpu_vm_create(int fd, uint32_t flags, uint32_t *vm_id);
int pvgpu_vm_destroy(int fd, uint32_t vm_id);
int pvgpu_vm_get_state(int fd, uint32_t vm_id,
		       struct drm_pvgpu_vm_get_state *out);
int pvgpu_vm_bind(int fd, uint32_t vm_id, uint32_t queue_id,
		  const struct drm_pvgpu_vm_bind_op *ops, uint32_t num_ops,
		  const struct drm_pvgpu_sync *syncs, uint32_t num_syncs,
		  uint32_t flags);
/* One synchronous (DRM_PVGPU_VM_BIND_WAIT) operation on the default queue. */
int pvgpu_bind_map(int fd, uint32_t vm_id, uint32_t handle,
		   uint64_t obj_offset, uint64_t addr, uint64_t range,
		   uint32_t flags);
int pvgpu_bind_userptr(int fd, uint32_t vm_id, const void *ptr,
		       uint64_t addr, uint64_t range, uint32_t flags);
int pvgpu_bind_null(int fd, uint32_t vm_id, uint64_t addr, uint64_t range);
int pvgpu_bind_unmap(int fd, uint32_t vm_id, uint64_t addr, uint64_t range);
int pvgpu_bind_unmap_all(int fd, uint32_t vm_id, uint32_t handle);

/* --- queues and EXEC --- */
int pvgpu_queue_create(int fd, uint32_t vm_id, uint32_t engine_class,
		       uint32_t priority, uint32_t timeslice_us,
		       uint32_t *queue_id);
int pvgpu_queue_destroy(int fd, uint32_t queue_id);
int pvgpu_queue_get_state(int fd, uint32_t queue_id,
			  struct drm_pvgpu_queue_get_state *out);
int pvgpu_exec(int fd, uint32_t queue_id, uint64_t batch_va,
	       const struct drm_pvgpu_sync *syncs, uint32_t num_syncs);
int pvgpu_wait_user_fence(int fd, uint64_t *addr, uint32_t op,
			  uint64_t value, uint64_t mask, int64_t timeout_ns,
			  uint32_t queue_id);

/* --- DRM core syncobjs --- */
int pvgpu_syncobj_create(int fd, uint32_t flags, uint32_t *handle);
int pvgpu_syncobj_destroy(int fd, uint32_t handle);
/* Waits for one (binary: point 0) syncobj; timeout relative, ns. */
int pvgpu_syncobj_wait(int fd, uint32_t handle, uint64_t point,
		       int64_t timeout_ns);
int pvgpu_syncobj_signal(int fd, uint32_t handle, uint64_t point);
/* Fills a drm_pvgpu_sync. */
struct drm_pvgpu_sync pvgpu_sync_syncobj(uint32_t handle, int signal);
struct drm_pvgpu_sync pvgpu_sync_timeline(uint32_t handle, uint64_t point,
					  int signal);
struct drm_pvgpu_sync pvgpu_sync_user_fence(uint64_t *addr, uint64_t value);

/* --- batch builder (pvgpu_cmds.h commands) --- */
struct pvgpu_batch {
	uint32_t dw[1024];
	uint32_t len;		/* dwords used */
};

void pvgpu_batch_reset(struct pvgpu_batch *b);
void pvgpu_batch_store32(struct pvgpu_batch *b, uint64_t va, uint32_t v);
void pvgpu_batch_store64(struct pvgpu_batch *b, uint64_t va, uint64_t v);
void pvgpu_batch_copy(struct pvgpu_batch *b, uint64_t src, uint64_t dst,
		      uint64_t size);
void pvgpu_batch_fill(struct pvgpu_batch *b, uint64_t dst, uint64_t size,
		      uint32_t pattern);
/* WAIT: 64-bit compare of (*va & mask) <op> value (PVGPU_WAIT_*). */
void pvgpu_batch_wait64(struct pvgpu_batch *b, uint64_t va, uint64_t value,
			uint64_t mask, uint32_t op);
void pvgpu_batch_delay(struct pvgpu_batch *b, uint64_t ns, int nopreempt);
/*
 * SIGNAL: stores the 64-bit @value at @va once every earlier command of the
 * queue completed; @irq: with PVGPU_CMD_SIGNAL_IRQ (the firmware sends a
 * queue-signal event, which a user queue reports as DRM_PVGPU_EVENT_QUEUE_EOP).
 */
void pvgpu_batch_signal(struct pvgpu_batch *b, uint64_t va, uint64_t value,
			int irq);
void pvgpu_batch_dispatch(struct pvgpu_batch *b, uint32_t kernel,
			  uint64_t args_va);
void pvgpu_batch_end(struct pvgpu_batch *b);	/* BATCH_RETURN */
/* ATOMIC @op (PVGPU_ATOMIC_*) on @va; @result 0: no old value stored. */
void pvgpu_batch_atomic(struct pvgpu_batch *b, uint32_t op, uint64_t va,
			uint64_t operand, uint64_t compare, uint64_t result);
/* BATCH_CALL of the batch at @va (ended by BATCH_RETURN). */
void pvgpu_batch_call(struct pvgpu_batch *b, uint64_t va);
/*
 * FENCE: a privileged command (kernel rings only). In a batch it is a
 * queue error: for tests that check exactly that.
 */
void pvgpu_batch_fence(struct pvgpu_batch *b, uint64_t value);

/*
 * A context: a VM (or a given one), an exec queue of @engine_class and a
 * 64 KiB batch buffer mapped at PVGPU_CTX_BATCH_VA, with its CPU mapping.
 * pvgpu_ctx_run() copies @b (ended with BATCH_RETURN) into the batch
 * buffer, executes it with a syncobj out-sync and waits for it (up to
 * @timeout_ns); it returns the wait's result, 0 when the job completed.
 * The batch buffer's VA is fixed: two contexts on one VM would map their
 * batch buffers over each other (create further queues on that VM with
 * pvgpu_queue_create() and put their batches elsewhere instead).
 */
#define PVGPU_CTX_BATCH_VA	0x100000000ull
#define PVGPU_CTX_BATCH_SIZE	0x10000u

struct pvgpu_ctx {
	int fd;
	uint32_t vm_id;
	int own_vm;
	uint32_t queue_id;
	uint32_t batch_bo;
	uint32_t *batch_map;
	uint32_t syncobj;
};

int pvgpu_ctx_init(struct pvgpu_ctx *ctx, int fd, uint32_t vm_id,
		   uint32_t engine_class);
int pvgpu_ctx_run(struct pvgpu_ctx *ctx, const struct pvgpu_batch *b,
		  int64_t timeout_ns);
void pvgpu_ctx_fini(struct pvgpu_ctx *ctx);
/*
 * Replaces the context's exec queue (e.g. banned after a fault) by a new
 * one of @engine_class on the same VM; the batch buffer stays.
 */
int pvgpu_ctx_replace_queue(struct pvgpu_ctx *ctx, uint32_t engine_class);

#endif /* PVGPU_GPU_H */
