// SPDX-License-Identifier: MIT
/*
 * pvgpu_gpu: see pvgpu_gpu.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#include "pvgpu_cmd_emit.h"
#include "pvgpu_gpu.h"

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN) &&
		 req != DRM_IOCTL_PVGPU_EXEC);
	return ret == -1 ? -errno : 0;
}

int pvgpu_bo_create(int fd, uint64_t size, uint32_t flags, uint32_t *handle)
{
	struct drm_pvgpu_gem_create c = { .size = size, .flags = flags };
	int ret = xioctl(fd, DRM_IOCTL_PVGPU_GEM_CREATE, &c);

	if (!ret)
		*handle = c.handle;
	return ret;
}

int pvgpu_bo_mmap_offset(int fd, uint32_t handle, uint64_t *offset)
{
	struct drm_pvgpu_gem_mmap_offset m = { .handle = handle };
	int ret = xioctl(fd, DRM_IOCTL_PVGPU_GEM_MMAP_OFFSET, &m);

	if (!ret)
		*offset = m.offset;
	return ret;
}

void *pvgpu_bo_map(int fd, uint32_t handle, uint64_t size)
{
	uint64_t off;
	void *p;
	int ret = pvgpu_bo_mmap_offset(fd, handle, &off);

	if (ret) {
		errno = -ret;
		return NULL;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	return p == MAP_FAILED ? NULL : p;
}

int pvgpu_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	return xioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

int pvgpu_vm_create(int fd, uint32_t flags, uint32_t *vm_id)
{
	struct drm_pvgpu_vm_create c = { .flags = flags };
	int ret = xioctl(fd, DRM_IOCTL_PVGPU_VM_CREATE, &c);

	if (!ret)
		*vm_id = c.vm_id;
	return ret;
}

int pvgpu_vm_destroy(int fd, uint32_t vm_id)
{
	struct drm_pvgpu_vm_destroy d = { .vm_id = vm_id };

	return xioctl(fd, DRM_IOCTL_PVGPU_VM_DESTROY, &d);
}

int pvgpu_vm_get_state(int fd, uint32_t vm_id,
		       struct drm_pvgpu_vm_get_state *out)
{
	memset(out, 0, sizeof(*out));
	out->vm_id = vm_id;
	return xioctl(fd, DRM_IOCTL_PVGPU_VM_GET_STATE, out);
}

int pvgpu_vm_bind(int fd, uint32_t vm_id, uint32_t queue_id,
		  const struct drm_pvgpu_vm_bind_op *ops, uint32_t num_ops,
		  const struct drm_pvgpu_sync *syncs, uint32_t num_syncs,
		  uint32_t flags)
{
	struct drm_pvgpu_vm_bind b = {
		.vm_id = vm_id,
		.queue_id = queue_id,
		.num_binds = num_ops,
		.binds = (uintptr_t)ops,
		.num_syncs = num_syncs,
		.syncs = (uintptr_t)syncs,
		.flags = flags,
	};

	return xioctl(fd, DRM_IOCTL_PVGPU_VM_BIND, &b);
}

static int bind_one(int fd, uint32_t vm_id, uint32_t op, uint32_t flags,
		    uint32_t handle, uint64_t obj_offset, uint64_t userptr,
		    uint64_t addr, uint64_t range)
{
	struct drm_pvgpu_vm_bind_op o = {
		.op = op, .flags = flags, .handle = handle,
		.obj_offset = obj_offset, .userptr = userptr,
		.addr = addr, .range = range,
	};

	return pvgpu_vm_bind(fd, vm_id, 0, &o, 1, NULL, 0,
			     DRM_PVGPU_VM_BIND_WAIT);
}

int pvgpu_bind_map(int fd, uint32_t vm_id, uint32_t handle,
		   uint64_t obj_offset, uint64_t addr, uint64_t range,
		   uint32_t flags)
{
	return bind_one(fd, vm_id, DRM_PVGPU_VM_BIND_OP_MAP, flags, handle,
			obj_offset, 0, addr, range);
}

int pvgpu_bind_userptr(int fd, uint32_t vm_id, const void *ptr,
		       uint64_t addr, uint64_t range, uint32_t flags)
{
	return bind_one(fd, vm_id, DRM_PVGPU_VM_BIND_OP_MAP_USERPTR, flags, 0,
			0, (uintptr_t)ptr, addr, range);
}

int pvgpu_bind_null(int fd, uint32_t vm_id, uint64_t addr, uint64_t range)
{
	return bind_one(fd, vm_id, DRM_PVGPU_VM_BIND_OP_MAP,
			DRM_PVGPU_VM_BIND_FLAG_NULL, 0, 0, 0, addr, range);
}

int pvgpu_bind_unmap(int fd, uint32_t vm_id, uint64_t addr, uint64_t range)
{
	return bind_one(fd, vm_id, DRM_PVGPU_VM_BIND_OP_UNMAP, 0, 0, 0, 0,
			addr, range);
}

int pvgpu_bind_unmap_all(int fd, uint32_t vm_id, uint32_t handle)
{
	return bind_one(fd, vm_id, DRM_PVGPU_VM_BIND_OP_UNMAP_ALL, 0, handle,
			0, 0, 0, 0);
}

int pvgpu_queue_create(int fd, uint32_t vm_id, uint32_t engine_class,
		       uint32_t priority, uint32_t timeslice_us,
		       uint32_t *queue_id)
{
	struct drm_pvgpu_queue_create c = {
		.vm_id = vm_id, .engine_class = engine_class,
		.priority = priority, .timeslice_us = timeslice_us,
	};
	int ret = xioctl(fd, DRM_IOCTL_PVGPU_QUEUE_CREATE, &c);

	if (!ret)
		*queue_id = c.queue_id;
	return ret;
}

int pvgpu_queue_destroy(int fd, uint32_t queue_id)
{
	struct drm_pvgpu_queue_destroy d = { .queue_id = queue_id };

	return xioctl(fd, DRM_IOCTL_PVGPU_QUEUE_DESTROY, &d);
}

int pvgpu_queue_get_state(int fd, uint32_t queue_id,
			  struct drm_pvgpu_queue_get_state *out)
{
	memset(out, 0, sizeof(*out));
	out->queue_id = queue_id;
	return xioctl(fd, DRM_IOCTL_PVGPU_QUEUE_GET_STATE, out);
}

int pvgpu_exec(int fd, uint32_t queue_id, uint64_t batch_va,
	       const struct drm_pvgpu_sync *syncs, uint32_t num_syncs)
{
	struct drm_pvgpu_exec e = {
		.queue_id = queue_id,
		.num_batch = batch_va ? 1 : 0,
		.batch_address = batch_va,
		.num_syncs = num_syncs,
		.syncs = (uintptr_t)syncs,
	};

	return xioctl(fd, DRM_IOCTL_PVGPU_EXEC, &e);
}

int pvgpu_wait_user_fence(int fd, uint64_t *addr, uint32_t op,
			  uint64_t value, uint64_t mask, int64_t timeout_ns,
			  uint32_t queue_id)
{
	struct drm_pvgpu_wait_user_fence w = {
		.addr = (uintptr_t)addr, .op = op, .value = value,
		.mask = mask, .timeout = timeout_ns, .queue_id = queue_id,
	};

	return xioctl(fd, DRM_IOCTL_PVGPU_WAIT_USER_FENCE, &w);
}

int pvgpu_syncobj_create(int fd, uint32_t flags, uint32_t *handle)
{
	struct drm_syncobj_create c = { .flags = flags };
	int ret = xioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);

	if (!ret)
		*handle = c.handle;
	return ret;
}

int pvgpu_syncobj_destroy(int fd, uint32_t handle)
{
	struct drm_syncobj_destroy d = { .handle = handle };

	return xioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
}

static int64_t abs_timeout(int64_t rel_ns)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec + rel_ns;
}

int pvgpu_syncobj_wait(int fd, uint32_t handle, uint64_t point,
		       int64_t timeout_ns)
{
	struct drm_syncobj_timeline_wait w = {
		.handles = (uintptr_t)&handle,
		.points = (uintptr_t)&point,
		.timeout_nsec = abs_timeout(timeout_ns),
		.count_handles = 1,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};

	return xioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &w);
}

int pvgpu_syncobj_signal(int fd, uint32_t handle, uint64_t point)
{
	struct drm_syncobj_timeline_array a = {
		.handles = (uintptr_t)&handle,
		.points = (uintptr_t)&point,
		.count_handles = 1,
	};

	return xioctl(fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &a);
}

struct drm_pvgpu_sync pvgpu_sync_syncobj(uint32_t handle, int signal)
{
	struct drm_pvgpu_sync s = {
		.type = DRM_PVGPU_SYNC_SYNCOBJ,
		.flags = signal ? DRM_PVGPU_SYNC_SIGNAL : 0,
		.handle = handle,
	};

	return s;
}

struct drm_pvgpu_sync pvgpu_sync_timeline(uint32_t handle, uint64_t point,
					  int signal)
{
	struct drm_pvgpu_sync s = {
		.type = DRM_PVGPU_SYNC_TIMELINE_SYNCOBJ,
		.flags = signal ? DRM_PVGPU_SYNC_SIGNAL : 0,
		.handle = handle,
		.timeline_value = point,
	};

	return s;
}

struct drm_pvgpu_sync pvgpu_sync_user_fence(uint64_t *addr, uint64_t value)
{
	struct drm_pvgpu_sync s = {
		.type = DRM_PVGPU_SYNC_USER_FENCE,
		.flags = DRM_PVGPU_SYNC_SIGNAL,
		.addr = (uintptr_t)addr,
		.timeline_value = value,
	};

	return s;
}

/* --- batch builder --- */

/*
 * The rest of @b as a stream for one pvgpu_cmd_emit.h emitter, and back:
 * a command that does not fit makes len > capacity, which
 * pvgpu_ctx_run() refuses.
 */
#define BATCH_CAP	((uint32_t)(sizeof(((struct pvgpu_batch *)0)->dw) / 4))

static struct pvgpu_cmd_stream batch_stream(struct pvgpu_batch *b)
{
	struct pvgpu_cmd_stream s;

	pvgpu_cmd_stream_init(&s, b->dw, BATCH_CAP);
	s.len = b->len < BATCH_CAP ? b->len : BATCH_CAP;
	s.overflow = b->len > BATCH_CAP;
	return s;
}

static void batch_done(struct pvgpu_batch *b,
		       const struct pvgpu_cmd_stream *s)
{
	b->len = s->overflow ? BATCH_CAP + 1 : s->len;
}

#define BATCH_EMIT(b, cmd, ...)						\
	do {								\
		struct pvgpu_cmd_stream s_ = batch_stream(b);		\
									\
		pvgpu_emit_##cmd(&s_, ##__VA_ARGS__);			\
		batch_done(b, &s_);					\
	} while (0)

void pvgpu_batch_reset(struct pvgpu_batch *b)
{
	b->len = 0;
}

void pvgpu_batch_store32(struct pvgpu_batch *b, uint64_t va, uint32_t v)
{
	BATCH_EMIT(b, store32, va, v);
}

void pvgpu_batch_store64(struct pvgpu_batch *b, uint64_t va, uint64_t v)
{
	BATCH_EMIT(b, store64, va, v);
}

void pvgpu_batch_copy(struct pvgpu_batch *b, uint64_t src, uint64_t dst,
		      uint64_t size)
{
	BATCH_EMIT(b, copy, src, dst, size);
}

void pvgpu_batch_fill(struct pvgpu_batch *b, uint64_t dst, uint64_t size,
		      uint32_t pattern)
{
	BATCH_EMIT(b, fill, dst, size, pattern);
}

void pvgpu_batch_wait64(struct pvgpu_batch *b, uint64_t va, uint64_t value,
			uint64_t mask, uint32_t op)
{
	BATCH_EMIT(b, wait, PVGPU_CMD_WAIT_64, va, value, mask, op);
}

void pvgpu_batch_delay(struct pvgpu_batch *b, uint64_t ns, int nopreempt)
{
	BATCH_EMIT(b, delay, nopreempt ? PVGPU_CMD_DELAY_NOPREEMPT : 0, ns);
}

void pvgpu_batch_dispatch(struct pvgpu_batch *b, uint32_t kernel,
			  uint64_t args_va)
{
	BATCH_EMIT(b, dispatch, kernel, args_va);
}

void pvgpu_batch_signal(struct pvgpu_batch *b, uint64_t va, uint64_t value,
			int irq)
{
	BATCH_EMIT(b, signal, irq ? PVGPU_CMD_SIGNAL_IRQ : 0, va, value);
}

void pvgpu_batch_fence(struct pvgpu_batch *b, uint64_t value)
{
	BATCH_EMIT(b, fence, PVGPU_CMD_FENCE_IRQ, value);
}

void pvgpu_batch_end(struct pvgpu_batch *b)
{
	BATCH_EMIT(b, batch_return);
}

void pvgpu_batch_atomic(struct pvgpu_batch *b, uint32_t op, uint64_t va,
			uint64_t operand, uint64_t compare, uint64_t result)
{
	BATCH_EMIT(b, atomic, op, va, operand, compare, result);
}

void pvgpu_batch_call(struct pvgpu_batch *b, uint64_t va)
{
	BATCH_EMIT(b, batch_call, va);
}

/* --- context --- */

int pvgpu_ctx_init(struct pvgpu_ctx *ctx, int fd, uint32_t vm_id,
		   uint32_t engine_class)
{
	int ret;

	memset(ctx, 0, sizeof(*ctx));
	ctx->fd = fd;
	if (!vm_id) {
		ret = pvgpu_vm_create(fd, 0, &vm_id);
		if (ret)
			return ret;
		ctx->own_vm = 1;
	}
	ctx->vm_id = vm_id;

	ret = pvgpu_bo_create(fd, PVGPU_CTX_BATCH_SIZE, 0, &ctx->batch_bo);
	if (ret)
		goto err_vm;
	ctx->batch_map = pvgpu_bo_map(fd, ctx->batch_bo, PVGPU_CTX_BATCH_SIZE);
	if (!ctx->batch_map) {
		ret = -errno;
		goto err_bo;
	}
	ret = pvgpu_bind_map(fd, vm_id, ctx->batch_bo, 0, PVGPU_CTX_BATCH_VA,
			     PVGPU_CTX_BATCH_SIZE, DRM_PVGPU_VM_BIND_FLAG_READONLY);
	if (ret)
		goto err_unmap;
	ret = pvgpu_queue_create(fd, vm_id, engine_class, 0, 0,
				 &ctx->queue_id);
	if (ret)
		goto err_unbind;
	ret = pvgpu_syncobj_create(fd, 0, &ctx->syncobj);
	if (ret)
		goto err_queue;
	return 0;

err_queue:
	pvgpu_queue_destroy(fd, ctx->queue_id);
err_unbind:
	pvgpu_bind_unmap(fd, vm_id, PVGPU_CTX_BATCH_VA, PVGPU_CTX_BATCH_SIZE);
err_unmap:
	munmap(ctx->batch_map, PVGPU_CTX_BATCH_SIZE);
err_bo:
	pvgpu_gem_close(fd, ctx->batch_bo);
err_vm:
	if (ctx->own_vm)
		pvgpu_vm_destroy(fd, vm_id);
	return ret;
}

int pvgpu_ctx_run(struct pvgpu_ctx *ctx, const struct pvgpu_batch *b,
		  int64_t timeout_ns)
{
	struct drm_pvgpu_sync out = pvgpu_sync_syncobj(ctx->syncobj, 1);
	uint32_t handle = ctx->syncobj;
	struct drm_syncobj_array arr = {
		.handles = (uintptr_t)&handle, .count_handles = 1,
	};
	int ret;

	if (b->len * 4 > PVGPU_CTX_BATCH_SIZE ||
	    b->len > sizeof(b->dw) / sizeof(b->dw[0]))
		return -E2BIG;
	memcpy(ctx->batch_map, b->dw, b->len * 4);
	ret = xioctl(ctx->fd, DRM_IOCTL_SYNCOBJ_RESET, &arr);
	if (ret)
		return ret;
	ret = pvgpu_exec(ctx->fd, ctx->queue_id, PVGPU_CTX_BATCH_VA, &out, 1);
	if (ret)
		return ret;
	return pvgpu_syncobj_wait(ctx->fd, ctx->syncobj, 0, timeout_ns);
}

void pvgpu_ctx_fini(struct pvgpu_ctx *ctx)
{
	pvgpu_syncobj_destroy(ctx->fd, ctx->syncobj);
	pvgpu_queue_destroy(ctx->fd, ctx->queue_id);
	pvgpu_bind_unmap(ctx->fd, ctx->vm_id, PVGPU_CTX_BATCH_VA,
			 PVGPU_CTX_BATCH_SIZE);
	munmap(ctx->batch_map, PVGPU_CTX_BATCH_SIZE);
	pvgpu_gem_close(ctx->fd, ctx->batch_bo);
	if (ctx->own_vm)
		pvgpu_vm_destroy(ctx->fd, ctx->vm_id);
}

int pvgpu_ctx_replace_queue(struct pvgpu_ctx *ctx, uint32_t engine_class)
{
	uint32_t queue_id;
	int ret;

	ret = pvgpu_queue_create(ctx->fd, ctx->vm_id, engine_class, 0, 0,
				 &queue_id);
	if (ret)
		return ret;
	pvgpu_queue_destroy(ctx->fd, ctx->queue_id);
	ctx->queue_id = queue_id;
	return 0;
}
