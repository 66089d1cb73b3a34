// SPDX-License-Identifier: MIT
/*
 * pvgpu_event: event notification (include/uapi/drm/pvgpu_drm.h, "Events").
 * Subscriptions wake eventfds and keep records in the file's ring, which
 * DRM_IOCTL_PVGPU_WAIT_EVENT reads: end-of-pipe of exec and user queues,
 * queue resets (job timeout, firmware watchdog), fatal page faults, VM
 * errors and VM_RESTART, a wedged device; filters by queue, VM and type;
 * several subscribers and files; ring overflow (lost, seqno gap);
 * timeouts, signals and the memory condition; closing with records and
 * subscriptions pending; and every ioctl's negative cases.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "igt_lite.h"
#include "pvgpu_test.h"
#include "libpvgpu.h"
#include "pvgpu_cmds.h"
#include "pvgpu_fwif.h"
#include "pvgpu_gpu.h"
#include "pvgpu_user_queue.h"

#define SEC		1000000000ll
#define MSEC		1000000ll
#define DATA_VA		0x200000000ull
#define DATA_SIZE	0x10000u
#define RING_VA		0x300000000ull
#define RING_SIZE	0x1000u
#define UNBOUND_VA	0x700000000ull	/* nothing is ever bound there */
#define EOP		DRM_PVGPU_EVENT_MASK(DRM_PVGPU_EVENT_QUEUE_EOP)
#define RESET		DRM_PVGPU_EVENT_MASK(DRM_PVGPU_EVENT_QUEUE_RESET)
#define FAULT		DRM_PVGPU_EVENT_MASK(DRM_PVGPU_EVENT_FAULT_ERROR)
#define VMERR		DRM_PVGPU_EVENT_MASK(DRM_PVGPU_EVENT_VM_ERROR)
#define WEDGED		DRM_PVGPU_EVENT_MASK(DRM_PVGPU_EVENT_DEVICE_WEDGED)
#define RING		DRM_PVGPU_EVENT_RING_SIZE
#define DRIVER_DIR	"/sys/bus/pci/drivers/" PVGPU_DRIVER_NAME

/* ---- helpers ---------------------------------------------------------- */

static int open_render(void)
{
	return igt_open_pvgpu_render(NULL, 0);
}

/* A non-blocking eventfd (its count is read without waiting). */
static int new_eventfd(void)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	igt_assert(efd >= 0);
	return efd;
}

/* The eventfd's count (reset to 0), after waiting up to @ms for >= 1. */
static uint64_t eventfd_take(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t v = 0;

	if (poll(&p, 1, ms) <= 0)
		return 0;
	igt_assert_eq(read(efd, &v, sizeof(v)), sizeof(v));
	return v;
}

/*
 * Adds up the eventfd's count until it reaches @want or @ms passed (an
 * eventfd is signalled as its record is kept: a reader may see the record
 * a moment before the count); then checks that no more comes.
 */
static uint64_t eventfd_sum(int efd, uint64_t want, int ms)
{
	uint64_t deadline = igt_nsec_now() + ms * MSEC, sum = 0;

	while (sum < want && igt_nsec_now() < deadline)
		sum += eventfd_take(efd, 10);
	usleep(20 * 1000);
	return sum + eventfd_take(efd, 0);
}

static int subscribe_args(int fd, struct drm_pvgpu_event_subscribe *s)
{
	return raw_ioctl(fd, DRM_IOCTL_PVGPU_EVENT_SUBSCRIBE, s);
}

/* A subscription that must succeed; its id. */
static uint32_t subscribe(int fd, int efd, uint32_t mask, uint32_t flags,
			  uint32_t object_id)
{
	struct drm_pvgpu_event_subscribe s = {
		.eventfd = efd, .type_mask = mask, .flags = flags,
		.object_id = object_id,
	};

	igt_assert_err(subscribe_args(fd, &s), 0);
	igt_assert_neq(s.subscription_id, 0);
	return s.subscription_id;
}

static int unsubscribe(int fd, uint32_t id)
{
	struct drm_pvgpu_event_unsubscribe u = { .subscription_id = id };

	return raw_ioctl(fd, DRM_IOCTL_PVGPU_EVENT_UNSUBSCRIBE, &u);
}

/* WAIT_EVENT: 0 or -errno; *@n records taken, *@lost if not NULL. */
static int wait_event(int fd, struct drm_pvgpu_event *recs, uint32_t max,
		      uint32_t mask, int64_t timeout, uint32_t *n,
		      uint64_t *lost)
{
	struct drm_pvgpu_wait_event w = {
		.records = (uintptr_t)recs, .num_records = max,
		.type_mask = mask, .timeout = timeout,
	};
	int ret = raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_EVENT, &w);

	if (n)
		*n = ret ? 0 : w.num_records;
	if (lost)
		*lost = w.lost;
	if (!ret)
		igt_assert_lte(w.num_records, max);
	return ret;
}

/*
 * Takes records of @mask until @want are there or @ms ran out; the count.
 * Lost records are a failure here.
 */
static uint32_t collect(int fd, struct drm_pvgpu_event *recs, uint32_t want,
			uint32_t mask, int ms)
{
	uint64_t deadline = igt_nsec_now() + ms * MSEC;
	uint32_t got = 0, n;
	uint64_t lost;
	int ret;

	while (got < want) {
		int64_t left = (int64_t)(deadline - igt_nsec_now());

		if (left < 0)
			left = 0;
		ret = wait_event(fd, recs + got, want - got, mask, left, &n,
				 &lost);
		if (ret == -ETIME)
			break;
		igt_assert_err(ret, 0);
		igt_assert_eq(lost, 0);
		got += n;
	}
	return got;
}

/* No record of @mask is there now (and none was lost). */
static void assert_no_records(int fd, uint32_t mask)
{
	struct drm_pvgpu_event r;
	uint64_t lost = 0;
	uint32_t n;

	igt_assert_err(wait_event(fd, &r, 1, mask, 0, &n, &lost), -ETIME);
	igt_assert_eq(lost, 0);
}

/* A buffer object mapped for the CPU and at DATA_VA in @vm_id. */
struct data_bo {
	uint32_t handle;
	uint64_t *map;
};

static void data_bo_init(int fd, uint32_t vm_id, struct data_bo *d)
{
	igt_assert_eq(pvgpu_bo_create(fd, DATA_SIZE, 0, &d->handle), 0);
	d->map = pvgpu_bo_map(fd, d->handle, DATA_SIZE);
	igt_assert(d->map);
	memset(d->map, 0, DATA_SIZE);
	igt_assert_eq(pvgpu_bind_map(fd, vm_id, d->handle, 0, DATA_VA,
				     DATA_SIZE, 0), 0);
}

static void data_bo_fini(int fd, uint32_t vm_id, struct data_bo *d)
{
	pvgpu_bind_unmap(fd, vm_id, DATA_VA, DATA_SIZE);
	munmap(d->map, DATA_SIZE);
	pvgpu_gem_close(fd, d->handle);
}

/* An empty batch (BATCH_RETURN only) run to completion on @ctx. */
static void run_nop(struct pvgpu_ctx *ctx)
{
	struct pvgpu_batch b;

	pvgpu_batch_reset(&b);
	pvgpu_batch_end(&b);
	igt_assert_eq(pvgpu_ctx_run(ctx, &b, 5 * SEC), 0);
}

/*
 * An empty batch on another exec queue @q of @ctx's VM (its batch at the
 * context's batch buffer + 0x1000), run to completion.
 */
static void run_nop_on(struct pvgpu_ctx *ctx, uint32_t q)
{
	struct drm_pvgpu_sync out = pvgpu_sync_syncobj(ctx->syncobj, 1);
	struct pvgpu_batch b;

	pvgpu_batch_reset(&b);
	pvgpu_batch_end(&b);
	memcpy((char *)ctx->batch_map + 0x1000, b.dw, b.len * 4);
	igt_assert_eq(pvgpu_exec(ctx->fd, q, PVGPU_CTX_BATCH_VA + 0x1000,
				 &out, 1), 0);
	igt_assert_eq(pvgpu_syncobj_wait(ctx->fd, ctx->syncobj, 0, 5 * SEC), 0);
}

/* The queue's completed job count. */
static uint64_t jobs_completed(int fd, uint32_t q)
{
	struct drm_pvgpu_queue_get_state s;

	igt_assert_eq(pvgpu_queue_get_state(fd, q, &s), 0);
	return s.jobs_completed;
}

/*
 * Checks @n EOP records of exec queue @q (VM @vm): seqnos consecutive from
 * @first_seqno, timestamps monotonic within [@t0, @t1], data[0] strictly
 * increasing; returns the last data[0].
 */
static uint64_t check_exec_eop(const struct drm_pvgpu_event *r, uint32_t n,
			       uint32_t q, uint32_t vm, uint64_t first_seqno,
			       uint64_t t0, uint64_t t1)
{
	uint64_t last = 0, ts = t0;

	for (uint32_t i = 0; i < n; i++) {
		igt_assert_eq(r[i].type, DRM_PVGPU_EVENT_QUEUE_EOP);
		igt_assert_eq(r[i].flags, 0);
		igt_assert_eq(r[i].queue_id, q);
		igt_assert_eq(r[i].vm_id, vm);
		igt_assert_eq_u64(r[i].seqno, first_seqno + i);
		igt_assert_lte_u64(ts, r[i].timestamp_ns);
		igt_assert_lte_u64(r[i].timestamp_ns, t1);
		ts = r[i].timestamp_ns;
		igt_assert_lt((long long)last, (long long)r[i].data[0]);
		last = r[i].data[0];
	}
	return last;
}

/* ---- negative cases --------------------------------------------------- */

static void test_subscribe_invalid(void)
{
	int fd = open_render(), efd = new_eventfd(), pipefd[2];
	struct drm_pvgpu_event_subscribe s;
	struct drm_pvgpu_event_unsubscribe u;
	struct drm_pvgpu_wait_event w;
	struct drm_pvgpu_vm_restart vr;
	struct drm_pvgpu_event recs[2];
	struct pvgpu_ctx ctx;
	uint32_t ids[DRM_PVGPU_EVENT_MAX_SUBSCRIPTIONS], spare, n, vm;
	uint64_t aligned[2] = { 0, 0 };
	int closed;

#define SUB(field_init, err)						\
	do {								\
		s = (struct drm_pvgpu_event_subscribe){			\
			.eventfd = efd, .type_mask = EOP,		\
		};							\
		field_init;						\
		igt_assert_err(subscribe_args(fd, &s), err);		\
		igt_assert_eq(s.subscription_id, 0);			\
	} while (0)

	/* -EBADF: no open file. */
	SUB(s.eventfd = -1, -EBADF);
	closed = dup(efd);
	igt_assert(closed >= 0);
	close(closed);
	SUB(s.eventfd = closed, -EBADF);
	/* -EINVAL: a file that is no eventfd (a pipe, the DRM file). */
	igt_assert_eq(pipe(pipefd), 0);
	SUB(s.eventfd = pipefd[0], -EINVAL);
	SUB(s.eventfd = fd, -EINVAL);
	/* type_mask */
	SUB(s.type_mask = 0, -EINVAL);
	SUB(s.type_mask = 1u << DRM_PVGPU_EVENT_NUM_TYPES, -EINVAL);
	SUB(s.type_mask = EOP | (1u << 31), -EINVAL);
	/* flags and object_id */
	SUB(s.flags = 1u << 2, -EINVAL);
	SUB((s.flags = DRM_PVGPU_EVENT_FILTER_QUEUE |
	     DRM_PVGPU_EVENT_FILTER_VM, s.object_id = 1), -EINVAL);
	SUB(s.object_id = 1, -EINVAL);
	SUB(s.flags = DRM_PVGPU_EVENT_FILTER_QUEUE, -EINVAL);
	SUB(s.flags = DRM_PVGPU_EVENT_FILTER_VM, -EINVAL);
	/* pad, extensions */
	SUB(s.pad = 1, -EINVAL);
	SUB(s.extensions = 1, -EINVAL);
	SUB(s.extensions = (uintptr_t)aligned, -EINVAL);
	/* A filter's object need not exist. */
	spare = subscribe(fd, efd, EOP, DRM_PVGPU_EVENT_FILTER_QUEUE, 0x7777);
	igt_assert_err(unsubscribe(fd, spare), 0);
#undef SUB

	/* 64 subscriptions, distinct ids; the 65th -ENOSPC. */
	for (unsigned int i = 0; i < DRM_PVGPU_EVENT_MAX_SUBSCRIPTIONS; i++) {
		ids[i] = subscribe(fd, efd, RESET, 0, 0);
		for (unsigned int j = 0; j < i; j++)
			igt_assert_neq(ids[i], ids[j]);
	}
	s = (struct drm_pvgpu_event_subscribe){ .eventfd = efd, .type_mask = EOP };
	igt_assert_err(subscribe_args(fd, &s), -ENOSPC);
	/* Another file has its own. */
	{
		int fd2 = open_render();

		spare = subscribe(fd2, efd, EOP, 0, 0);
		igt_assert_err(unsubscribe(fd2, spare), 0);
		close(fd2);
	}
	/* One freed makes room for one. */
	igt_assert_err(unsubscribe(fd, ids[10]), 0);
	ids[10] = subscribe(fd, efd, RESET, 0, 0);
	igt_assert_err(subscribe_args(fd, &s), -ENOSPC);

	/* UNSUBSCRIBE: unknown ids, pad, extensions (nothing changes). */
	igt_assert_err(unsubscribe(fd, 0), -ENOENT);
	igt_assert_err(unsubscribe(fd, 0xfffffff0u), -ENOENT);
	u = (struct drm_pvgpu_event_unsubscribe){ .subscription_id = ids[0], .pad = 1 };
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_EVENT_UNSUBSCRIBE, &u), -EINVAL);
	u = (struct drm_pvgpu_event_unsubscribe){ .subscription_id = ids[0], .extensions = 1 };
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_EVENT_UNSUBSCRIBE, &u), -EINVAL);
	for (unsigned int i = 0; i < DRM_PVGPU_EVENT_MAX_SUBSCRIPTIONS; i++)
		igt_assert_err(unsubscribe(fd, ids[i]), 0);
	igt_assert_err(unsubscribe(fd, ids[0]), -ENOENT);
	/* Ids of another file are unknown here. */
	{
		int fd2 = open_render();

		spare = subscribe(fd2, efd, EOP, 0, 0);
		igt_assert_err(unsubscribe(fd, spare), -ENOENT);
		close(fd2);
	}

	/* WAIT_EVENT: each bad field is -EINVAL (never -ETIME). */
#define WAIT(field_init, err)						\
	do {								\
		w = (struct drm_pvgpu_wait_event){			\
			.records = (uintptr_t)recs, .num_records = 1,	\
		};							\
		field_init;						\
		igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_EVENT, &w), \
			       err);					\
	} while (0)
	WAIT((void)0, -ETIME);
	WAIT(w.num_records = 0, -EINVAL);
	WAIT(w.num_records = RING + 1, -EINVAL);
	WAIT(w.num_records = UINT32_MAX, -EINVAL);
	WAIT(w.type_mask = 1u << DRM_PVGPU_EVENT_NUM_TYPES, -EINVAL);
	WAIT(w.flags = 1u << 2, -EINVAL);
	WAIT(w.flags = 1u << 31, -EINVAL);
	WAIT(w.mem_op = DRM_PVGPU_UFENCE_OP_NEQ, -EINVAL);
	WAIT(w.mem_addr = (uintptr_t)aligned, -EINVAL);
	WAIT(w.mem_value = 1, -EINVAL);
	WAIT(w.mem_mask = ~0ull, -EINVAL);
	WAIT((w.flags = DRM_PVGPU_WAIT_EVENT_MEM,
	      w.mem_addr = (uintptr_t)aligned + 4, w.mem_mask = ~0ull,
	      w.mem_value = 1), -EINVAL);
	WAIT((w.flags = DRM_PVGPU_WAIT_EVENT_MEM,
	      w.mem_addr = (uintptr_t)aligned, w.mem_op = 6,
	      w.mem_mask = ~0ull), -EINVAL);
	WAIT(w.reserved[0] = 1, -EINVAL);
	WAIT(w.reserved[1] = 1, -EINVAL);
	WAIT(w.extensions = 1, -EINVAL);
	/* An unreadable memory condition: -EFAULT. */
	WAIT((w.flags = DRM_PVGPU_WAIT_EVENT_MEM, w.mem_addr = 8,
	      w.mem_mask = ~0ull, w.mem_value = 1), -EFAULT);
	/* The condition true at the call: 0 without records. */
	WAIT((w.flags = DRM_PVGPU_WAIT_EVENT_MEM,
	      w.mem_addr = (uintptr_t)aligned, w.mem_mask = ~0ull,
	      w.mem_value = 0, w.timeout = 5 * SEC), 0);
	igt_assert_eq(w.num_records, 0);
	igt_assert_eq_u64(w.lost, 0);

	/* records not writable with a record pending: -EFAULT, kept. */
	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	spare = subscribe(fd, efd, EOP, 0, 0);
	eventfd_take(efd, 0);
	run_nop(&ctx);
	igt_assert_lt(0, eventfd_take(efd, 5000));
	WAIT((w.records = 0, w.timeout = SEC), -EFAULT);
	WAIT((w.records = 8, w.timeout = SEC), -EFAULT);
	igt_assert_err(wait_event(fd, recs, 2, 0, SEC, &n, NULL), 0);
	igt_assert_eq(n, 1);
	igt_assert_eq(recs[0].type, DRM_PVGPU_EVENT_QUEUE_EOP);
	igt_assert_eq_u64(recs[0].seqno, 1);
	igt_assert_eq(recs[0].queue_id, ctx.queue_id);
	assert_no_records(fd, 0);
	igt_assert_err(unsubscribe(fd, spare), 0);
#undef WAIT

	/* VM_RESTART: a usable VM -EINVAL, unknown -ENOENT, pad, ext. */
	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	vr = (struct drm_pvgpu_vm_restart){ .vm_id = vm };
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_RESTART, &vr), -EINVAL);
	vr = (struct drm_pvgpu_vm_restart){ .vm_id = ctx.vm_id };
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_RESTART, &vr), -EINVAL);
	vr = (struct drm_pvgpu_vm_restart){ .vm_id = 0 };
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_RESTART, &vr), -ENOENT);
	vr = (struct drm_pvgpu_vm_restart){ .vm_id = 0xdead };
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_RESTART, &vr), -ENOENT);
	vr = (struct drm_pvgpu_vm_restart){ .vm_id = vm, .pad = 1 };
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_RESTART, &vr), -EINVAL);
	vr = (struct drm_pvgpu_vm_restart){ .vm_id = vm, .extensions = 1 };
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_RESTART, &vr), -EINVAL);
	igt_assert_eq(pvgpu_vm_destroy(fd, vm), 0);
	vr = (struct drm_pvgpu_vm_restart){ .vm_id = vm };
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_RESTART, &vr), -ENOENT);

	pvgpu_ctx_fini(&ctx);
	close(pipefd[0]);
	close(pipefd[1]);
	close(efd);
	close(fd);
}

/* ---- end of pipe ------------------------------------------------------ */

#define EOP_JOBS	20

/*
 * Exec jobs run one at a time: one EOP record each (its own completion
 * pass), data[0] the queue's completed count 1..EOP_JOBS, seqnos from 1,
 * timestamps in the test's window; the eventfd counted them.
 */
static void test_eop_exec(void)
{
	int fd = open_render(), efd = new_eventfd();
	struct drm_pvgpu_event r[RING];
	struct pvgpu_ctx ctx;
	uint64_t t0, t1, last;
	uint32_t n;

	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	subscribe(fd, efd, EOP, 0, 0);
	t0 = igt_nsec_now();
	run_nop(&ctx);
	igt_assert_lte(1, eventfd_take(efd, 5000));
	for (int i = 1; i < EOP_JOBS; i++)
		run_nop(&ctx);
	n = collect(fd, r, EOP_JOBS, EOP, 5000);
	t1 = igt_nsec_now();
	igt_assert_lte(1, n);
	last = check_exec_eop(r, n, ctx.queue_id, ctx.vm_id, 1, t0, t1);
	igt_assert_eq_u64(last, EOP_JOBS);
	igt_assert_eq_u64(last, jobs_completed(fd, ctx.queue_id));
	/* Jobs waited for one by one: one pass, one record each. */
	igt_assert_eq(n, EOP_JOBS);
	assert_no_records(fd, 0);

	pvgpu_ctx_fini(&ctx);
	close(efd);
	close(fd);
}

#define USERQ_SIGNALS	8

/*
 * A user queue's SIGNAL with the IRQ flag: one EOP record each, data[1]
 * the value stored, data[0] the retired count when the kernel saw it (at
 * or past the ring position after the SIGNAL); a SIGNAL without IRQ gives
 * none.
 */
static void test_eop_userq(void)
{
	int fd = open_render(), efd = new_eventfd();
	struct drm_pvgpu_event r[USERQ_SIGNALS + 1];
	struct pvgpu_userq uq;
	struct pvgpu_batch b;
	struct data_bo d;
	uint64_t written[USERQ_SIGNALS], t0, t1;
	uint32_t vm, n;

	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	data_bo_init(fd, vm, &d);
	igt_assert_eq(pvgpu_userq_init(&uq, fd, vm,
				       DRM_PVGPU_ENGINE_CLASS_COMPUTE,
				       RING_VA, RING_SIZE), 0);
	subscribe(fd, efd, EOP, 0, 0);

	/* Without the IRQ flag: the value is stored, no record. */
	pvgpu_batch_reset(&b);
	pvgpu_batch_signal(&b, DATA_VA + 8, 0x77, 0);
	igt_assert_eq(pvgpu_userq_submit(&uq, &b), 0);
	igt_assert_eq(pvgpu_userq_wait_idle(&uq, 5 * SEC), 0);
	igt_assert_eq_u64(d.map[1], 0x77);
	usleep(100 * 1000);
	assert_no_records(fd, 0);
	igt_assert_eq_u64(eventfd_take(efd, 0), 0);

	t0 = igt_nsec_now();
	for (int i = 0; i < USERQ_SIGNALS; i++) {
		pvgpu_batch_reset(&b);
		pvgpu_batch_store64(&b, DATA_VA + 16, i);
		pvgpu_batch_signal(&b, DATA_VA, 0x1000 + i, 1);
		igt_assert_eq(pvgpu_userq_submit(&uq, &b), 0);
		written[i] = uq.written;
		igt_assert_eq(pvgpu_userq_wait_idle(&uq, 5 * SEC), 0);
		igt_assert_eq_u64(d.map[0], 0x1000 + i);
		if (!i)
			igt_assert_lte(1, eventfd_take(efd, 5000));
	}
	n = collect(fd, r, USERQ_SIGNALS, 0, 5000);
	t1 = igt_nsec_now();
	igt_assert_eq(n, USERQ_SIGNALS);
	for (uint32_t i = 0; i < n; i++) {
		igt_assert_eq(r[i].type, DRM_PVGPU_EVENT_QUEUE_EOP);
		igt_assert_eq(r[i].queue_id, uq.queue_id);
		igt_assert_eq(r[i].vm_id, vm);
		igt_assert_eq_u64(r[i].seqno, i + 1);
		igt_assert_lte_u64(t0, r[i].timestamp_ns);
		igt_assert_lte_u64(r[i].timestamp_ns, t1);
		if (i)
			igt_assert_lte_u64(r[i - 1].timestamp_ns,
					   r[i].timestamp_ns);
		igt_assert_eq_u64(r[i].data[1], 0x1000 + i);
		/*
		 * The retired count when the kernel saw the event: at least
		 * past this SIGNAL (the last command of its submission),
		 * never going backwards.
		 */
		igt_assert_lte_u64(written[i], r[i].data[0]);
		if (i)
			igt_assert_lte_u64(r[i - 1].data[0], r[i].data[0]);
	}
	assert_no_records(fd, 0);

	pvgpu_userq_fini(&uq);
	data_bo_fini(fd, vm, &d);
	pvgpu_vm_destroy(fd, vm);
	close(efd);
	close(fd);
}

/*
 * No subscription, no records; a subscription to resets only keeps no
 * EOP record either, and signals nothing.
 */
static void test_no_subscription(void)
{
	int fd = open_render(), efd = new_eventfd();
	struct pvgpu_ctx ctx;
	struct drm_pvgpu_event r;
	uint64_t lost = 1;
	uint32_t n;

	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	for (int i = 0; i < 5; i++)
		run_nop(&ctx);
	usleep(100 * 1000);
	igt_assert_err(wait_event(fd, &r, 1, 0, 0, &n, &lost), -ETIME);
	igt_assert_eq_u64(lost, 0);

	subscribe(fd, efd, RESET, 0, 0);
	for (int i = 0; i < 5; i++)
		run_nop(&ctx);
	usleep(100 * 1000);
	lost = 1;
	igt_assert_err(wait_event(fd, &r, 1, 0, 0, &n, &lost), -ETIME);
	igt_assert_eq_u64(lost, 0);
	igt_assert_eq_u64(eventfd_take(efd, 0), 0);

	pvgpu_ctx_fini(&ctx);
	close(efd);
	close(fd);
}

/* ---- filters ---------------------------------------------------------- */

/*
 * A queue filter keeps only that queue's records, a VM filter those of the
 * VM's queues; a WAIT_EVENT type mask leaves other types in the ring.
 */
static void test_filters(void)
{
	int fd = open_render(), efd = new_eventfd();
	struct drm_pvgpu_event r[16];
	struct pvgpu_ctx a, c;
	uint32_t qb, sub, n;

	/* Queues A and B on one VM, C on another. */
	igt_assert_eq(pvgpu_ctx_init(&a, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	igt_assert_eq(pvgpu_queue_create(fd, a.vm_id,
					 DRM_PVGPU_ENGINE_CLASS_COPY, 0, 0,
					 &qb), 0);
	igt_assert_eq(pvgpu_ctx_init(&c, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);

	/* Queue A only. */
	sub = subscribe(fd, efd, EOP, DRM_PVGPU_EVENT_FILTER_QUEUE, a.queue_id);
	for (int i = 0; i < 3; i++) {
		run_nop_on(&a, qb);
		run_nop(&c);
		run_nop(&a);
	}
	n = collect(fd, r, 16, 0, 1000);
	igt_assert_eq(n, 3);
	for (uint32_t i = 0; i < n; i++) {
		igt_assert_eq(r[i].queue_id, a.queue_id);
		igt_assert_eq(r[i].vm_id, a.vm_id);
		igt_assert_eq_u64(r[i].data[0], i + 1);
	}
	igt_assert_eq_u64(eventfd_sum(efd, 3, 1000), 3);
	igt_assert_err(unsubscribe(fd, sub), 0);

	/* VM of A and B: both queues, not C. */
	sub = subscribe(fd, efd, EOP, DRM_PVGPU_EVENT_FILTER_VM, a.vm_id);
	for (int i = 0; i < 2; i++) {
		run_nop(&c);
		run_nop(&a);
		run_nop_on(&a, qb);
	}
	n = collect(fd, r, 16, 0, 1000);
	igt_assert_eq(n, 4);
	for (uint32_t i = 0; i < n; i++) {
		igt_assert_eq(r[i].vm_id, a.vm_id);
		igt_assert_eq(r[i].queue_id, i % 2 ? qb : a.queue_id);
	}
	igt_assert_eq_u64(eventfd_sum(efd, 4, 1000), 4);
	igt_assert_err(unsubscribe(fd, sub), 0);

	/* Records already kept stay after UNSUBSCRIBE. */
	sub = subscribe(fd, efd, EOP, 0, 0);
	run_nop(&c);
	igt_assert_lte(1, eventfd_take(efd, 5000));
	igt_assert_err(unsubscribe(fd, sub), 0);
	run_nop(&c);
	usleep(100 * 1000);
	igt_assert_eq_u64(eventfd_take(efd, 0), 0);
	n = collect(fd, r, 16, 0, 200);
	igt_assert_eq(n, 1);
	igt_assert_eq(r[0].queue_id, c.queue_id);

	/*
	 * A type mask in WAIT_EVENT: EOP records wait while resets are
	 * asked for, and are there afterwards.
	 */
	subscribe(fd, efd, EOP | RESET, 0, 0);
	run_nop(&a);
	run_nop(&a);
	igt_assert_lte(1, eventfd_take(efd, 5000));
	usleep(100 * 1000);
	assert_no_records(fd, RESET | FAULT);
	n = collect(fd, r, 2, EOP, 1000);
	igt_assert_eq(n, 2);
	igt_assert_eq(r[0].type, DRM_PVGPU_EVENT_QUEUE_EOP);
	igt_assert_eq(r[1].type, DRM_PVGPU_EVENT_QUEUE_EOP);
	igt_assert_lt((long long)r[0].seqno, (long long)r[1].seqno);
	assert_no_records(fd, 0);

	pvgpu_queue_destroy(fd, qb);
	pvgpu_ctx_fini(&c);
	pvgpu_ctx_fini(&a);
	close(efd);
	close(fd);
}

/* ---- several subscribers ---------------------------------------------- */

#define NUM_EFDS	8
#define NUM_FILES	4
#define MANY_JOBS	5

/*
 * Eight subscriptions of one file: each eventfd counts every record, the
 * record is kept once. Four files each get their own records.
 */
static void test_many_subscribers(void)
{
	int fd = open_render(), efd[NUM_EFDS], ffd[NUM_FILES], fefd[NUM_FILES];
	struct drm_pvgpu_event r[RING];
	struct pvgpu_ctx ctx, fctx[NUM_FILES];
	uint32_t n;

	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	for (int i = 0; i < NUM_EFDS; i++) {
		efd[i] = new_eventfd();
		subscribe(fd, efd[i], EOP, 0, 0);
	}
	for (int j = 0; j < MANY_JOBS; j++)
		run_nop(&ctx);
	n = collect(fd, r, RING, 0, 1000);
	igt_assert_eq(n, MANY_JOBS);
	for (uint32_t i = 0; i < n; i++)
		igt_assert_eq_u64(r[i].seqno, i + 1);
	for (int i = 0; i < NUM_EFDS; i++)
		igt_assert_eq_u64(eventfd_sum(efd[i], MANY_JOBS, 1000),
				  MANY_JOBS);

	for (int f = 0; f < NUM_FILES; f++) {
		ffd[f] = open_render();
		fefd[f] = new_eventfd();
		subscribe(ffd[f], fefd[f], EOP, 0, 0);
		igt_assert_eq(pvgpu_ctx_init(&fctx[f], ffd[f], 0,
					     DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	}
	for (int j = 0; j < MANY_JOBS; j++)
		for (int f = 0; f < NUM_FILES; f++)
			run_nop(&fctx[f]);
	for (int f = 0; f < NUM_FILES; f++) {
		n = collect(ffd[f], r, RING, 0, 1000);
		igt_assert_eq(n, MANY_JOBS);
		check_exec_eop(r, n, fctx[f].queue_id, fctx[f].vm_id, 1, 0,
			       igt_nsec_now());
		igt_assert_eq_u64(eventfd_sum(fefd[f], MANY_JOBS, 1000),
				  MANY_JOBS);
	}
	/* The first file saw none of theirs. */
	assert_no_records(fd, 0);
	for (int i = 0; i < NUM_EFDS; i++)
		igt_assert_eq_u64(eventfd_take(efd[i], 0), 0);

	for (int f = 0; f < NUM_FILES; f++) {
		pvgpu_ctx_fini(&fctx[f]);
		close(ffd[f]);
		close(fefd[f]);
	}
	pvgpu_ctx_fini(&ctx);
	for (int i = 0; i < NUM_EFDS; i++)
		close(efd[i]);
	close(fd);
}

/* ---- overflow --------------------------------------------------------- */

#define OVERFLOW_JOBS	400

/*
 * 400 records into a ring of 256: the first 256 stay (consecutive
 * seqnos), 144 are lost and reported once; the next record's seqno skips
 * the lost ones.
 */
static void test_overflow(void)
{
	int fd = open_render(), efd = new_eventfd();
	static struct drm_pvgpu_event r[RING];
	struct pvgpu_ctx ctx;
	uint64_t lost = 0;
	uint32_t n;

	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	subscribe(fd, efd, EOP, 0, 0);
	/* Each job waited for: one completion pass, one record each. */
	for (int i = 0; i < OVERFLOW_JOBS; i++)
		run_nop(&ctx);
	igt_assert_eq_u64(jobs_completed(fd, ctx.queue_id), OVERFLOW_JOBS);
	/* The last record is made in the pass that signalled the job. */
	usleep(200 * 1000);

	igt_assert_err(wait_event(fd, r, RING, 0, SEC, &n, &lost), 0);
	igt_info("overflow: %u records, %llu lost\n", n,
		 (unsigned long long)lost);
	igt_assert_eq_u64(lost, OVERFLOW_JOBS - RING);
	igt_assert_eq(n, RING);
	for (uint32_t i = 0; i < n; i++) {
		igt_assert_eq(r[i].type, DRM_PVGPU_EVENT_QUEUE_EOP);
		igt_assert_eq_u64(r[i].seqno, r[0].seqno + i);
	}
	igt_assert_eq_u64(r[0].seqno, 1);
	igt_assert_eq_u64(r[0].data[0], 1);
	igt_assert_eq_u64(r[RING - 1].data[0], RING);

	/* Reported once. */
	lost = 1;
	igt_assert_err(wait_event(fd, r, RING, 0, 0, &n, &lost), -ETIME);
	igt_assert_eq_u64(lost, 0);

	/* The next record follows the gap. */
	run_nop(&ctx);
	lost = 1;
	igt_assert_err(wait_event(fd, r, RING, 0, 5 * SEC, &n, &lost), 0);
	igt_assert_eq(n, 1);
	igt_assert_eq_u64(lost, 0);
	igt_assert_eq_u64(r[0].seqno, OVERFLOW_JOBS + 1);
	igt_assert_eq_u64(r[0].data[0], OVERFLOW_JOBS + 1);

	pvgpu_ctx_fini(&ctx);
	close(efd);
	close(fd);
}

/* ---- resets and faults ------------------------------------------------ */

/* Takes the one record of type @type (waiting up to 10 s). */
static struct drm_pvgpu_event take_one(int fd, uint32_t type)
{
	struct drm_pvgpu_event r;
	uint32_t n;

	n = collect(fd, &r, 1, DRM_PVGPU_EVENT_MASK(type), 10000);
	igt_assert_f(n == 1, "no event of type %u\n", type);
	igt_assert_eq(r.type, type);
	return r;
}

/*
 * The kernel's job timeout resets an exec queue: QUEUE_RESET, reason
 * RESET, -ETIMEDOUT, guilty. The firmware watchdog stops a user queue:
 * reason HANG, -ETIMEDOUT, guilty.
 */
static void test_reset_hang(void)
{
	int fd = open_render(), efd = new_eventfd();
	unsigned long long watchdog_ms;
	struct drm_pvgpu_event r;
	struct pvgpu_ctx ctx;
	struct pvgpu_userq uq;
	struct pvgpu_batch b;
	struct data_bo d;
	uint32_t vm;

	igt_emit_ignore_dmesg_regex("timed out after|user queue .* stopped|exec queue .* guilty");
	igt_pvgpu_param_set("job_timeout_ms", 300);
	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	subscribe(fd, efd, RESET, 0, 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_wait64(&b, PVGPU_CTX_BATCH_VA + PVGPU_CTX_BATCH_SIZE - 8,
			   0xdead, ~0ull, PVGPU_WAIT_EQ);
	pvgpu_batch_end(&b);
	igt_assert_eq(pvgpu_ctx_run(&ctx, &b, 10 * SEC), 0);
	r = take_one(fd, DRM_PVGPU_EVENT_QUEUE_RESET);
	igt_assert_eq(r.queue_id, ctx.queue_id);
	igt_assert_eq(r.vm_id, ctx.vm_id);
	igt_assert_eq_u64(r.data[0], DRM_PVGPU_QUEUE_REASON_RESET);
	igt_assert_eq_u64(r.data[1], (uint64_t)(int64_t)-ETIMEDOUT);
	igt_assert_eq(r.flags, DRM_PVGPU_EVENT_GUILTY);
	igt_assert_eq_u64(r.seqno, 1);
	igt_assert_lte(1, eventfd_take(efd, 1000));
	igt_pvgpu_param_restore();
	pvgpu_ctx_fini(&ctx);
	assert_no_records(fd, 0);

	watchdog_ms = igt_pvgpu_fw_cap("watchdog_ms");
	igt_require_f(watchdog_ms && watchdog_ms <= 10000,
		      "watchdog %llu ms\n", watchdog_ms);
	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	data_bo_init(fd, vm, &d);
	igt_assert_eq(pvgpu_userq_init(&uq, fd, vm,
				       DRM_PVGPU_ENGINE_CLASS_COMPUTE,
				       RING_VA, RING_SIZE), 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_delay(&b, (watchdog_ms + 2000) * 1000 * 1000ull, 0);
	pvgpu_batch_store32(&b, DATA_VA, 1);
	igt_assert_eq(pvgpu_userq_submit(&uq, &b), 0);
	{
		struct drm_pvgpu_event rr;
		uint32_t n = collect(fd, &rr, 1, RESET, watchdog_ms + 20000);

		igt_assert_f(n == 1, "no reset of the hung user queue\n");
		r = rr;
	}
	igt_assert_eq(r.queue_id, uq.queue_id);
	igt_assert_eq(r.vm_id, vm);
	igt_assert_eq_u64(r.data[0], DRM_PVGPU_QUEUE_REASON_HANG);
	igt_assert_eq_u64(r.data[1], (uint64_t)(int64_t)-ETIMEDOUT);
	igt_assert_eq(r.flags, DRM_PVGPU_EVENT_GUILTY);
	igt_assert_eq_u64(r.seqno, 2);

	/* Destroying a queue is no reset. */
	pvgpu_userq_fini(&uq);
	data_bo_fini(fd, vm, &d);
	pvgpu_vm_destroy(fd, vm);
	usleep(100 * 1000);
	assert_no_records(fd, 0);
	close(efd);
	close(fd);
}

/*
 * A batch storing to an unbound address stops its queue: FAULT_ERROR
 * (the address's page, a write, not present) and QUEUE_RESET (PAGE_FAULT,
 * guilty).
 */
static void test_fault_error(void)
{
	int fd = open_render(), efd = new_eventfd();
	const uint64_t addr = UNBOUND_VA + 0x1238;
	struct drm_pvgpu_event r;
	struct pvgpu_ctx ctx;
	struct pvgpu_batch b;

	igt_emit_ignore_dmesg_regex("exec queue .* guilty|page fault|fault");
	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	subscribe(fd, efd, FAULT | RESET, 0, 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, addr, 0xbad);
	pvgpu_batch_end(&b);
	igt_assert_eq(pvgpu_ctx_run(&ctx, &b, 10 * SEC), 0);

	r = take_one(fd, DRM_PVGPU_EVENT_FAULT_ERROR);
	igt_assert_eq(r.queue_id, ctx.queue_id);
	igt_assert_eq(r.vm_id, ctx.vm_id);
	igt_assert_eq_u64(r.data[0] & ~0xfffull, addr & ~0xfffull);
	igt_assert_eq_u64(r.data[1], 1);
	igt_assert_eq_u64(r.data[2], 1);

	r = take_one(fd, DRM_PVGPU_EVENT_QUEUE_RESET);
	igt_assert_eq(r.queue_id, ctx.queue_id);
	igt_assert_eq(r.vm_id, ctx.vm_id);
	igt_assert_eq_u64(r.data[0], DRM_PVGPU_QUEUE_REASON_PAGE_FAULT);
	igt_assert_lt((int64_t)r.data[1], 0);
	igt_assert_eq(r.flags, DRM_PVGPU_EVENT_GUILTY);
	igt_assert_lte(2, eventfd_sum(efd, 2, 1000));
	assert_no_records(fd, 0);

	/* A new queue on the same VM runs. */
	igt_assert_eq(pvgpu_ctx_replace_queue(&ctx, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	run_nop(&ctx);
	pvgpu_ctx_fini(&ctx);
	close(efd);
	close(fd);
}

/*
 * An asynchronous bind that fails: VM_ERROR (vm_id, the errno), the VM
 * unusable; VM_RESTART makes it usable, and a new queue runs in it.
 */
static void test_vm_error_restart(void)
{
	int fd = open_render(), efd = new_eventfd();
	struct drm_pvgpu_vm_bind_op op = {
		.op = DRM_PVGPU_VM_BIND_OP_MAP, .addr = DATA_VA,
		.range = DATA_SIZE,
	};
	struct drm_pvgpu_vm_restart vr = { 0 };
	struct drm_pvgpu_vm_get_state st;
	struct drm_pvgpu_event r;
	struct drm_pvgpu_sync sync;
	struct pvgpu_ctx ctx;
	struct pvgpu_batch b;
	uint32_t bo, s, q;

	igt_pvgpu_fault_require("fail_vm_bind");
	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	igt_assert_eq(pvgpu_bo_create(fd, DATA_SIZE, 0, &bo), 0);
	igt_assert_eq(pvgpu_syncobj_create(fd, 0, &s), 0);
	subscribe(fd, efd, VMERR, DRM_PVGPU_EVENT_FILTER_VM, ctx.vm_id);

	igt_emit_ignore_dmesg_regex("unusable");
	igt_pvgpu_fault_inject("fail_vm_bind", 1);
	op.handle = bo;
	sync = pvgpu_sync_syncobj(s, 1);
	igt_assert_err(pvgpu_vm_bind(fd, ctx.vm_id, 0, &op, 1, &sync, 1, 0), 0);
	igt_assert_err(pvgpu_syncobj_wait(fd, s, 0, 5 * SEC), 0);
	igt_pvgpu_fault_disable("fail_vm_bind");

	r = take_one(fd, DRM_PVGPU_EVENT_VM_ERROR);
	igt_assert_eq(r.vm_id, ctx.vm_id);
	igt_assert_lt((int64_t)r.data[0], 0);
	igt_assert_lte(1, eventfd_take(efd, 1000));
	igt_assert_eq(pvgpu_vm_get_state(fd, ctx.vm_id, &st), 0);
	igt_assert_eq(st.state, DRM_PVGPU_VM_STATE_UNUSABLE);
	igt_assert_eq((int64_t)r.data[0], st.error);
	igt_assert_err(pvgpu_queue_create(fd, ctx.vm_id,
					  DRM_PVGPU_ENGINE_CLASS_COPY, 0, 0, &q),
		       -ECANCELED);

	vr.vm_id = ctx.vm_id;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_RESTART, &vr), 0);
	igt_assert_eq(pvgpu_vm_get_state(fd, ctx.vm_id, &st), 0);
	igt_assert_eq(st.state, DRM_PVGPU_VM_STATE_USABLE);
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_VM_RESTART, &vr), -EINVAL);

	/* Binds and a new queue's job work again. */
	igt_assert_eq(pvgpu_bind_map(fd, ctx.vm_id, bo, 0, DATA_VA, DATA_SIZE,
				     0), 0);
	igt_assert_eq(pvgpu_ctx_replace_queue(&ctx, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	{
		uint32_t *map = pvgpu_bo_map(fd, bo, DATA_SIZE);

		igt_assert(map);
		pvgpu_batch_reset(&b);
		pvgpu_batch_store32(&b, DATA_VA + 4, 0x5e5e);
		pvgpu_batch_end(&b);
		igt_assert_eq(pvgpu_ctx_run(&ctx, &b, 5 * SEC), 0);
		igt_assert_eq(map[1], 0x5e5e);
		munmap(map, DATA_SIZE);
	}
	assert_no_records(fd, 0);

	pvgpu_bind_unmap(fd, ctx.vm_id, DATA_VA, DATA_SIZE);
	pvgpu_syncobj_destroy(fd, s);
	pvgpu_gem_close(fd, bo);
	pvgpu_ctx_fini(&ctx);
	close(efd);
	close(fd);
}

/* ---- a wedged device -------------------------------------------------- */

static char pci_slot[64];
static char stall_path[PATH_MAX + 32];

static void rebind(int sig)
{
	char path[PATH_MAX];

	(void)sig;
	if (stall_path[0] && !access(stall_path, W_OK))
		igt_sysfs_write(stall_path, "0");
	if (!pci_slot[0])
		return;
	snprintf(path, sizeof(path), DRIVER_DIR "/%s", pci_slot);
	if (!access(path, F_OK))
		igt_sysfs_write(DRIVER_DIR "/unbind", pci_slot);
	igt_sysfs_write(DRIVER_DIR "/bind", pci_slot);
}

/*
 * The device stops (an AS_UNBIND never sent, with the test hook
 * inject_stall_opcode and a short fw_timeout_ms, as pvgpu_fw_timeout
 * does) with recovery off (reset_recovery=0): every subscribed file gets
 * DEVICE_WEDGED, filtered or not. The device is rebound afterwards.
 */
static void test_device_wedged(void)
{
	char node[256], link[PATH_MAX], target[PATH_MAX], dir[PATH_MAX];
	char val[16];
	int fd, vfd, efd = new_eventfd(), efd2 = new_eventfd();
	struct drm_pvgpu_event r;
	uint32_t vm, bo;
	ssize_t len;

	fd = igt_open_pvgpu_render(node, sizeof(node));
	igt_require_f(geteuid() == 0, "debugfs and sysfs need root\n");
	igt_pvgpu_debugfs_dir(dir, sizeof(dir));
	snprintf(stall_path, sizeof(stall_path), "%s/inject_stall_opcode", dir);
	igt_require_f(access(stall_path, W_OK) == 0,
		      "no writable %s: driver without the test hook\n",
		      stall_path);
	snprintf(link, sizeof(link), "/sys/class/drm/%s/device",
		 strrchr(node, '/') + 1);
	len = readlink(link, target, sizeof(target) - 1);
	igt_require_f(len > 0, "no %s\n", link);
	target[len] = 0;
	snprintf(pci_slot, sizeof(pci_slot), "%s", strrchr(target, '/') + 1);
	igt_require(access(DRIVER_DIR "/unbind", W_OK) == 0);
	igt_install_exit_handler(rebind);
	igt_emit_ignore_dmesg_regex("timed out|not sent within|wedged|failed");

	vfd = open_render();
	subscribe(fd, efd, WEDGED, 0, 0);
	/* A VM filter matches device records too. */
	subscribe(vfd, efd2, WEDGED | EOP, DRM_PVGPU_EVENT_FILTER_VM, 0x4242);
	igt_assert_err(pvgpu_vm_create(vfd, 0, &vm), 0);
	igt_assert_err(pvgpu_bo_create(vfd, 0x10000, 0, &bo), 0);
	igt_assert_err(pvgpu_bind_map(vfd, vm, bo, 0, 0x200000, 0x10000, 0), 0);

	/* Recovery would reset the device instead (pvgpu_reset). */
	igt_pvgpu_param_set("reset_recovery", 0);
	igt_pvgpu_param_set("fw_timeout_ms", 200);
	snprintf(val, sizeof(val), "%u", PVGPU_H2F_AS_UNBIND + 1);
	igt_assert_err(igt_sysfs_write(stall_path, val), 0);
	igt_assert_err(pvgpu_vm_destroy(vfd, vm), 0);

	r = take_one(fd, DRM_PVGPU_EVENT_DEVICE_WEDGED);
	igt_assert_eq(r.queue_id, 0);
	igt_assert_eq(r.vm_id, 0);
	igt_assert_lte(1, eventfd_take(efd, 1000));
	r = take_one(vfd, DRM_PVGPU_EVENT_DEVICE_WEDGED);
	igt_assert_lte(1, eventfd_take(efd2, 1000));
	igt_sysfs_write(stall_path, "0");
	igt_pvgpu_param_restore();

	close(vfd);
	close(fd);
	igt_assert_err(igt_sysfs_write(DRIVER_DIR "/unbind", pci_slot), 0);
	igt_assert_err(igt_sysfs_write(DRIVER_DIR "/bind", pci_slot), 0);
	pci_slot[0] = 0;
	stall_path[0] = 0;
	fd = open_render();
	{
		struct pvgpu_ctx ctx;

		igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0,
					     DRM_PVGPU_ENGINE_CLASS_COPY), 0);
		run_nop(&ctx);
		pvgpu_ctx_fini(&ctx);
	}
	close(fd);
	close(efd);
	close(efd2);
}

/* ---- waiting ---------------------------------------------------------- */

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * Relative and absolute timeouts end with -ETIME, not early; a signal
 * ends the wait with -EINTR and a smaller relative timeout; the memory
 * condition ends it once a user fence wrote the value.
 */
static void test_wait_deadline_restart(void)
{
	int fd = open_render(), efd = new_eventfd();
	struct drm_pvgpu_event r[4];
	struct drm_pvgpu_wait_event w;
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { .tv_usec = 100 * 1000 } };
	struct drm_pvgpu_sync out[2];
	struct pvgpu_ctx ctx;
	struct pvgpu_batch b;
	uint64_t t0, dt, *fence;
	uint32_t eop;
	int ret;

	subscribe(fd, efd, EOP, 0, 0);

	/* Relative: 200 ms (a jiffy of slack at HZ=100). */
	t0 = igt_nsec_now();
	w = (struct drm_pvgpu_wait_event){
		.records = (uintptr_t)r, .num_records = 4,
		.timeout = 200 * MSEC,
	};
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_EVENT, &w), -ETIME);
	dt = igt_nsec_now() - t0;
	igt_assert_lte(190 * MSEC, dt);
	igt_assert_lt(dt, 2 * SEC);

	/* Absolute. */
	t0 = igt_nsec_now();
	w = (struct drm_pvgpu_wait_event){
		.records = (uintptr_t)r, .num_records = 4,
		.flags = DRM_PVGPU_WAIT_EVENT_ABSTIME,
		.timeout = t0 + 200 * MSEC,
	};
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_EVENT, &w), -ETIME);
	dt = igt_nsec_now() - t0;
	igt_assert_lte(190 * MSEC, dt);
	igt_assert_lt(dt, 2 * SEC);
	/* An absolute time already past: -ETIME at once. */
	w.timeout = 1;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_EVENT, &w), -ETIME);

	/* A signal (no SA_RESTART): -EINTR, the relative timeout smaller. */
	sigemptyset(&sa.sa_mask);
	igt_assert_eq(sigaction(SIGALRM, &sa, NULL), 0);
	igt_assert_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
	t0 = igt_nsec_now();
	w = (struct drm_pvgpu_wait_event){
		.records = (uintptr_t)r, .num_records = 4, .timeout = 5 * SEC,
	};
	ret = raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_EVENT, &w);
	dt = igt_nsec_now() - t0;
	igt_assert_err(ret, -EINTR);
	igt_assert_lt(dt, 4 * SEC);
	igt_assert_lt(0, w.timeout);
	igt_assert_lt(w.timeout, 5 * SEC - 50 * MSEC);
	igt_assert_lte(5 * SEC - (int64_t)dt - 50 * MSEC, w.timeout);
	/* The restarted wait goes on for about what was left. */
	t0 = igt_nsec_now();
	w.timeout = 300 * MSEC;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_EVENT, &w), -ETIME);
	igt_assert_lte(290 * MSEC, igt_nsec_now() - t0);

	/* The memory condition, written by a user fence after a delay. */
	fence = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	igt_assert(fence != MAP_FAILED);
	*fence = 0;
	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	w = (struct drm_pvgpu_wait_event){
		.records = (uintptr_t)r, .num_records = 4,
		.flags = DRM_PVGPU_WAIT_EVENT_MEM, .mem_op = DRM_PVGPU_UFENCE_OP_EQ,
		.mem_addr = (uintptr_t)fence, .mem_value = 0xfeed,
		.mem_mask = ~0ull, .timeout = 0,
	};
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_EVENT, &w), -ETIME);

	pvgpu_batch_reset(&b);
	pvgpu_batch_delay(&b, 300 * MSEC, 0);
	pvgpu_batch_end(&b);
	memcpy(ctx.batch_map, b.dw, b.len * 4);
	out[0] = pvgpu_sync_user_fence(fence, 0xfeed);
	out[1] = pvgpu_sync_syncobj(ctx.syncobj, 1);
	t0 = igt_nsec_now();
	igt_assert_eq(pvgpu_exec(fd, ctx.queue_id, PVGPU_CTX_BATCH_VA, out, 2),
		      0);
	/*
	 * Until the value is written: each return is the condition or an
	 * EOP record (the condition is checked at each record; the
	 * completion's record may come just before the fence's write, and
	 * the next call then sees the value at once).
	 */
	eop = 0;
	for (;;) {
		w = (struct drm_pvgpu_wait_event){
			.records = (uintptr_t)r, .num_records = 4,
			.flags = DRM_PVGPU_WAIT_EVENT_MEM,
			.mem_op = DRM_PVGPU_UFENCE_OP_EQ,
			.mem_addr = (uintptr_t)fence, .mem_value = 0xfeed,
			.mem_mask = ~0ull, .timeout = 500 * MSEC,
		};
		ret = raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_EVENT, &w);
		igt_assert_f(ret == 0 || ret == -ETIME, "%s\n", igt_errname(ret));
		igt_assert_eq_u64(w.lost, 0);
		for (uint32_t i = 0; !ret && i < w.num_records; i++) {
			igt_assert_eq(r[i].type, DRM_PVGPU_EVENT_QUEUE_EOP);
			igt_assert_eq(r[i].queue_id, ctx.queue_id);
			eop++;
		}
		if (*fence == 0xfeed)
			break;
		igt_assert_lt(igt_nsec_now() - t0, 10 * SEC);
	}
	dt = igt_nsec_now() - t0;
	igt_assert_lte(250 * MSEC, dt);
	igt_assert_eq(pvgpu_syncobj_wait(fd, ctx.syncobj, 0, 5 * SEC), 0);
	/* Written: the condition holds at the call, no waiting. */
	t0 = igt_nsec_now();
	w.timeout = 5 * SEC;
	w.num_records = 4;
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_EVENT, &w), 0);
	igt_assert_lt(igt_nsec_now() - t0, SEC);
	eop += w.num_records;
	/* The job's EOP record came too. */
	eop += collect(fd, r, 1, EOP, eop ? 0 : 5000);
	igt_assert_eq(eop, 1);

	pvgpu_ctx_fini(&ctx);
	munmap(fence, 4096);
	close(efd);
	close(fd);
}

/* ---- teardown --------------------------------------------------------- */

/*
 * A file closed with records and subscriptions pending frees them
 * (kmemleak in the suite); an eventfd closed before the DRM file is held
 * by its subscription: records still signal it.
 */
static void test_close_pending(void)
{
	int fd = open_render(), efd = new_eventfd(), efd2, dup_efd;
	struct drm_pvgpu_event r[8];
	struct pvgpu_ctx ctx;
	uint32_t n;

	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	subscribe(fd, efd, EOP, 0, 0);
	subscribe(fd, efd, EOP | RESET, DRM_PVGPU_EVENT_FILTER_QUEUE,
		  ctx.queue_id);
	for (int i = 0; i < 5; i++)
		run_nop(&ctx);
	igt_assert_lte(1, eventfd_take(efd, 5000));
	pvgpu_ctx_fini(&ctx);
	close(fd);
	close(efd);

	/* The eventfd closed first: the subscription keeps it. */
	fd = open_render();
	efd2 = new_eventfd();
	dup_efd = dup(efd2);
	igt_assert(dup_efd >= 0);
	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	subscribe(fd, efd2, EOP, 0, 0);
	close(efd2);
	for (int i = 0; i < 3; i++)
		run_nop(&ctx);
	/* The same eventfd, seen through a second descriptor. */
	igt_assert_lte(1, eventfd_take(dup_efd, 5000));
	close(dup_efd);
	/* Nothing holds it in userspace now: records still come. */
	run_nop(&ctx);
	n = collect(fd, r, 4, EOP, 5000);
	igt_assert_eq(n, 4);
	run_nop(&ctx);
	/* Closed with the last record unread and the subscription active. */
	pvgpu_ctx_fini(&ctx);
	close(fd);
}

static const struct igt_lite_subtest subtests[] = {
	{ "subscribe-invalid", test_subscribe_invalid,
	  "SUBSCRIBE, UNSUBSCRIBE, WAIT_EVENT, VM_RESTART: every error case" },
	{ "eop-exec", test_eop_exec,
	  "exec jobs: EOP records (queue, VM, count, seqno, time) and eventfd" },
	{ "eop-userq", test_eop_userq,
	  "user queue SIGNAL with IRQ: EOP records with retired count and value" },
	{ "no-subscription-no-records", test_no_subscription,
	  "no subscription or another type: no record, no signal" },
	{ "filters", test_filters,
	  "queue and VM filters, WAIT_EVENT type mask leaves other types" },
	{ "many-subscribers", test_many_subscribers,
	  "8 eventfds on one file each count; 4 files get their own records" },
	{ "overflow", test_overflow,
	  "400 records into 256: lost 144 reported once, seqno gap" },
	{ "reset-hang", test_reset_hang,
	  "QUEUE_RESET of a job timeout (RESET) and a hung user queue (HANG)" },
	{ "fault-error", test_fault_error,
	  "a store to an unbound address: FAULT_ERROR and QUEUE_RESET" },
	{ "vm-error-restart", test_vm_error_restart,
	  "a failed async bind: VM_ERROR; VM_RESTART makes the VM usable" },
	{ "device-wedged", test_device_wedged,
	  "a stopped device: DEVICE_WEDGED to every subscribed file, rebind" },
	{ "wait-deadline-restart", test_wait_deadline_restart,
	  "timeouts, -EINTR with the time left, the memory condition" },
	{ "close-pending", test_close_pending,
	  "close with records and subscriptions; eventfd closed first" },
};

IGT_LITE_MAIN("pvgpu_event", subtests)
