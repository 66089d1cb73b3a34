// SPDX-License-Identifier: MIT
/*
 * pvgpu_reset: the device resets and recovers without a rebind, and
 * survives system sleep with its queues busy (docs/reset.rst).
 *
 * Faults are injected through the device's test register
 * (PVGPU_REG_TEST_INJECT, QEMU's x-guest-inject=on), which the driver's
 * debugfs file inject_device writes: a firmware crash, an engine that
 * hangs (it executes nothing until un-hung or reset), an engine that a
 * queue reset does not mend. debugfs "reset" resets the device on request;
 * inject_stall_opcode makes a state-changing request fail unanswered.
 *
 * What every recovery must give, checked exactly: a queue whose job the
 * firmware had begun is banned, innocent, reason DEVICE_RESET, its fences
 * -ECANCELED, and nothing after its begun command ran; a queue whose jobs
 * were on the ring but not begun, or still waiting for their in-syncs,
 * runs them all, once each (atomic counters); completed work stays; VMs
 * keep their mappings; the reset is counted and reported as an event;
 * user queues are lost (banned).
 *
 * System sleep runs through /sys/power/pm_test ("devices": every device's
 * suspend and resume callbacks, no real sleep, no wake-up source needed):
 * busy queues are held and go on exactly; with the driver's hook
 * inject_pm_power_loss the resume finds the device's state lost, as QEMU's
 * S3 wake-up would, and recovers by a device reset. The runner's dmesg
 * check catches lockdep,
 * KASAN and kmemleak reports; the driver's reset messages are expected.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <linux/sync_file.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "igt_lite.h"
#include "pvgpu_test.h"
#include "libpvgpu.h"
#include "pvgpu_cmds.h"
#include "pvgpu_fwif.h"
#include "pvgpu_gpu.h"
#include "pvgpu_regs.h"

#define SEC		1000000000ll
#define MS		1000000ll
#define DATA_VA		0x200000000ull
#define DATA_SIZE	0x10000u
#define BATCH_SLOT	0x400u

/* Offsets in the data buffer. */
#define OFF_FLAG	0x000	/* the blocker began */
#define OFF_AFTER	0x008	/* written after the blocker's delay: never */
#define OFF_COUNT_Q	0x100	/* one increment per job of the waiting queue */
#define OFF_COUNT_S	0x108	/* the queue behind an in-sync */
#define OFF_COUNT_R	0x110	/* completed before the reset */
#define OFF_AFTER_RESET	0x118	/* a store of a new job after the reset */
#define OFF_UFENCE	0x120	/* written by a delayed job, waited for */

static char dbg_dir[PATH_MAX];

static void dbg_path(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dbg_dir, name);
}

/* A subtest that failed half way leaves no engine hung for the next. */
static void unhang_all(int sig)
{
	char path[PATH_MAX + 32], val[32];
	unsigned int cls;

	(void)sig;
	/* Best effort: the device may have been rebound meanwhile. */
	dbg_path(path, sizeof(path), "inject_device");
	for (cls = 0; cls <= DRM_PVGPU_ENGINE_CLASS_COMPUTE; cls++) {
		snprintf(val, sizeof(val), "%u",
			 PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_UNHANG_ENGINE, cls));
		igt_sysfs_write(path, val);
	}
}

/* Root, the debugfs files and the device's test register. */
static int setup(bool need_inject)
{
	char path[PATH_MAX + 32], buf[32];
	int fd = igt_open_pvgpu_render(NULL, 0);

	igt_require_f(geteuid() == 0, "debugfs needs root\n");
	igt_pvgpu_debugfs_dir(dbg_dir, sizeof(dbg_dir));
	dbg_path(path, sizeof(path), "reset");
	igt_require_f(access(path, W_OK) == 0, "no %s\n", path);
	if (need_inject) {
		dbg_path(path, sizeof(path), "inject_device");
		igt_require_f(igt_sysfs_read(path, buf, sizeof(buf)),
			      "the device has no test register (x-guest-inject=on)\n");
		igt_install_exit_handler(unhang_all);
	}
	/*
	 * What resets log by design; "refused to boot" is a crash injected
	 * while a reset reboots the firmware (reset-during-reset): the
	 * reset tries again.
	 */
	igt_emit_ignore_dmesg_regex("device reset|recovered|firmware stopped|firmware failed|hung|did not recover|timed out|not sent within|failed|refused to boot");
	/* The subtests reset often: only storm-limit tests the limit. */
	igt_pvgpu_param_set("max_resets_per_minute", 32);
	return fd;
}

static void inject(unsigned int op, unsigned int engine_class)
{
	char path[PATH_MAX + 32], val[32];

	dbg_path(path, sizeof(path), "inject_device");
	snprintf(val, sizeof(val), "%u", PVGPU_TEST_INJECT(op, engine_class));
	igt_assert_err(igt_sysfs_write(path, val), 0);
}

static void request_reset(void)
{
	char path[PATH_MAX + 32];

	dbg_path(path, sizeof(path), "reset");
	igt_assert_err(igt_sysfs_write(path, "1"), 0);
}

static uint64_t reset_count(int fd)
{
	return pvgpu_test_query_device(fd).reset_count;
}

/* Waits up to @ms for the reset count to reach @want. */
static void wait_reset_count(int fd, uint64_t want, int ms)
{
	for (int t = 0; t < ms; t += 10) {
		if (reset_count(fd) >= want)
			return;
		usleep(10 * 1000);
	}
	igt_assert_f(false, "reset count %llu, want %llu after %d ms\n",
		     (unsigned long long)reset_count(fd),
		     (unsigned long long)want, ms);
}

static uint32_t new_syncobj(int fd)
{
	uint32_t h;

	igt_assert_eq(pvgpu_syncobj_create(fd, 0, &h), 0);
	return h;
}

static struct drm_pvgpu_queue_get_state get_state(int fd, uint32_t q)
{
	struct drm_pvgpu_queue_get_state s;

	igt_assert_eq(pvgpu_queue_get_state(fd, q, &s), 0);
	return s;
}

/* A VM with a data buffer at DATA_VA and a batch buffer (pvgpu_ctx). */
struct world {
	int fd;
	struct pvgpu_ctx ctx;	/* a copy queue on the VM: the blocker */
	uint32_t data_bo;
	volatile uint64_t *data;
};

static void world_init(struct world *w, int fd)
{
	w->fd = fd;
	igt_assert_eq(pvgpu_ctx_init(&w->ctx, fd, 0,
				     DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	igt_assert_eq(pvgpu_bo_create(fd, DATA_SIZE, 0, &w->data_bo), 0);
	w->data = pvgpu_bo_map(fd, w->data_bo, DATA_SIZE);
	igt_assert(w->data);
	memset((void *)w->data, 0, DATA_SIZE);
	igt_assert_eq(pvgpu_bind_map(fd, w->ctx.vm_id, w->data_bo, 0, DATA_VA,
				     DATA_SIZE, 0), 0);
}

static uint64_t *dat(struct world *w, uint32_t off)
{
	return (uint64_t *)((char *)w->data + off);
}

static uint64_t put_batch(struct world *w, unsigned int slot,
			  const struct pvgpu_batch *b)
{
	igt_assert_lte(b->len * 4, BATCH_SLOT);
	memcpy((char *)w->ctx.batch_map + slot * BATCH_SLOT, b->dw, b->len * 4);
	return PVGPU_CTX_BATCH_VA + slot * BATCH_SLOT;
}

/* An EXEC of @va on @queue with an out-sync @out. */
static void exec_batch(struct world *w, uint32_t queue, uint64_t va,
		       uint32_t out)
{
	struct drm_pvgpu_sync sync = pvgpu_sync_syncobj(out, 1);

	igt_assert_err(pvgpu_exec(w->fd, queue, va, &sync, 1), 0);
}

/*
 * An EXEC of @va on @queue with an out-sync @out that waits for a new
 * sw_sync fence: the job stays off the ring until sw_sync_inc() on the
 * returned timeline.
 */
static int exec_gated(struct world *w, uint32_t queue, uint64_t va,
		      uint32_t out)
{
	int tl = sw_sync_timeline();
	struct drm_pvgpu_sync syncs[2] = {
		pvgpu_sync_syncobj(out, 1),
		{ .type = DRM_PVGPU_SYNC_SYNC_FILE,
		  .handle = sw_sync_fence(tl, 1) },
	};

	igt_assert_err(pvgpu_exec(w->fd, queue, va, syncs, 2), 0);
	close(syncs[1].handle);
	return tl;
}

/*
 * The blocker: a job on the world's own queue that stores 1 at OFF_FLAG,
 * waits @delay_ns, then adds 1 at OFF_AFTER (@counts) or stores 0xbad
 * there (a store that must never happen). Returns its out-syncobj.
 */
static uint32_t start_blocker(struct world *w, int64_t delay_ns, bool counts)
{
	struct pvgpu_batch b;
	uint32_t syn = new_syncobj(w->fd);

	pvgpu_batch_reset(&b);
	pvgpu_batch_store64(&b, DATA_VA + OFF_FLAG, 1);
	pvgpu_batch_delay(&b, delay_ns, 0);
	if (counts)
		pvgpu_batch_atomic(&b, PVGPU_ATOMIC_ADD64, DATA_VA + OFF_AFTER,
				   1, 0, 0);
	else
		pvgpu_batch_store64(&b, DATA_VA + OFF_AFTER, 0xbad);
	pvgpu_batch_end(&b);
	exec_batch(w, w->ctx.queue_id, put_batch(w, 0, &b), syn);
	return syn;
}

/* Waits until the job that stores 1 at OFF_FLAG has begun. */
static void wait_began(struct world *w)
{
	for (int i = 0; i < 5000 && !*dat(w, OFF_FLAG); i++)
		usleep(1000);
	igt_assert_f(*dat(w, OFF_FLAG) == 1, "the blocker never began\n");
}

static uint64_t increment_batch(struct world *w, unsigned int slot,
				uint32_t off)
{
	struct pvgpu_batch b;

	pvgpu_batch_reset(&b);
	pvgpu_batch_atomic(&b, PVGPU_ATOMIC_ADD64, DATA_VA + off, 1, 0, 0);
	pvgpu_batch_end(&b);
	return put_batch(w, slot, &b);
}

static int wait_syncobj(int fd, uint32_t h, int64_t ns)
{
	return pvgpu_syncobj_wait(fd, h, 0, ns);
}

/* ---- the scenario ----------------------------------------------------- */

enum trigger { BY_REQUEST, BY_CRASH, BY_WEDGED_ENGINE };

/*
 * Queue P (copy) begins a long job (a store, then a 20 s delay, then a
 * store that must never happen), then the copy engine hangs: queue Q's
 * three jobs reach its ring but never begin. Queue R (compute) completed
 * a job before; queue S (compute) has a job waiting for an in-sync. Then
 * the device resets (@how). Afterwards P is banned innocent with
 * DEVICE_RESET and -ECANCELED, Q ran each job once, S runs once its
 * in-sync signals, R's result stands, and the VM and a new queue work.
 */
static void scenario(enum trigger how)
{
	int fd = setup(true);
	uint32_t q, r, s, syn_p, syn_q[3], syn_r, syn_s, gate, syn_new, fresh;
	struct drm_pvgpu_queue_get_state st;
	uint64_t before = reset_count(fd), va;
	struct pvgpu_batch b;
	struct world w;
	int i;

	/*
	 * Only the blocker's queue gets a short job timeout (it is taken
	 * at creation): the waiting queue's jobs must not time out first.
	 */
	if (how == BY_WEDGED_ENGINE)
		igt_pvgpu_param_set("job_timeout_ms", 500);
	world_init(&w, fd);
	igt_pvgpu_param_restore();
	igt_assert_err(pvgpu_queue_create(fd, w.ctx.vm_id,
					  DRM_PVGPU_ENGINE_CLASS_COPY, 0, 0, &q), 0);
	igt_assert_err(pvgpu_queue_create(fd, w.ctx.vm_id,
					  DRM_PVGPU_ENGINE_CLASS_COMPUTE, 0, 0, &r), 0);
	igt_assert_err(pvgpu_queue_create(fd, w.ctx.vm_id,
					  DRM_PVGPU_ENGINE_CLASS_COMPUTE, 0, 0, &s), 0);

	/* R: done before anything goes wrong. */
	syn_r = new_syncobj(fd);
	exec_batch(&w, r, increment_batch(&w, 1, OFF_COUNT_R), syn_r);
	igt_assert_err(wait_syncobj(fd, syn_r, 10 * SEC), 0);

	/* P: begins, then waits in a long delay. */
	syn_p = start_blocker(&w, 20 * SEC, false);
	wait_began(&w);

	/* The copy engine stops: Q's jobs reach the ring, none begins. */
	inject(how == BY_WEDGED_ENGINE ? PVGPU_TEST_INJECT_WEDGE_ENGINE :
	       PVGPU_TEST_INJECT_HANG_ENGINE, DRM_PVGPU_ENGINE_CLASS_COPY);
	va = increment_batch(&w, 2, OFF_COUNT_Q);
	for (i = 0; i < 3; i++) {
		syn_q[i] = new_syncobj(fd);
		exec_batch(&w, q, va, syn_q[i]);
	}
	/* S: waits for a sw_sync fence, not on the ring yet. */
	syn_s = new_syncobj(fd);
	gate = exec_gated(&w, s, increment_batch(&w, 3, OFF_COUNT_S), syn_s);
	usleep(100 * 1000);
	igt_assert_eq_u64(*dat(&w, OFF_COUNT_Q), 0);

	switch (how) {
	case BY_REQUEST:
		request_reset();
		break;
	case BY_CRASH:
		inject(PVGPU_TEST_INJECT_CRASH, 0);
		break;
	case BY_WEDGED_ENGINE:
		/*
		 * The driver's job timeout resets P; its engine does not
		 * recover, the firmware says so, and the device resets.
		 */
		break;
	}
	wait_reset_count(fd, before + 1, how == BY_WEDGED_ENGINE ? 30000 : 10000);

	/* Q: every job once. */
	for (i = 0; i < 3; i++) {
		igt_assert_err(wait_syncobj(fd, syn_q[i], 10 * SEC), 0);
		igt_assert_eq(syncobj_status(fd, syn_q[i]), 1);
	}
	igt_assert_eq_u64(*dat(&w, OFF_COUNT_Q), 3);
	st = get_state(fd, q);
	igt_assert_eq(st.flags & DRM_PVGPU_QUEUE_STATE_BANNED, 0);
	igt_assert_eq_u64(st.jobs_completed, 3);

	/* P: banned; its begun work did not finish, nothing after ran. */
	igt_assert_err(wait_syncobj(fd, syn_p, 10 * SEC), 0);
	st = get_state(fd, w.ctx.queue_id);
	igt_assert(st.flags & DRM_PVGPU_QUEUE_STATE_BANNED);
	if (how == BY_WEDGED_ENGINE) {
		/* Its own job timeout: guilty, before the device reset. */
		igt_assert(st.flags & DRM_PVGPU_QUEUE_STATE_GUILTY);
		igt_assert_eq(syncobj_status(fd, syn_p), -ETIMEDOUT);
	} else {
		igt_assert_eq(st.flags & DRM_PVGPU_QUEUE_STATE_GUILTY, 0);
		igt_assert_eq(st.reason, DRM_PVGPU_QUEUE_REASON_DEVICE_RESET);
		igt_assert_eq(st.error, -ECANCELED);
		igt_assert_eq(syncobj_status(fd, syn_p), -ECANCELED);
	}
	igt_assert_eq_u64(*dat(&w, OFF_AFTER), 0);
	igt_assert_eq(pvgpu_exec(fd, w.ctx.queue_id, va, NULL, 0), -ECANCELED);

	/* S: runs once its in-sync signals. */
	igt_assert_eq(syncobj_status(fd, syn_s), 0);
	sw_sync_inc(gate, 1);
	igt_assert_err(wait_syncobj(fd, syn_s, 10 * SEC), 0);
	igt_assert_eq(syncobj_status(fd, syn_s), 1);
	igt_assert_eq_u64(*dat(&w, OFF_COUNT_S), 1);
	igt_assert_eq_u64(*dat(&w, OFF_COUNT_R), 1);

	/* The VM's mappings survived; a new queue works in it. */
	igt_assert_err(pvgpu_queue_create(fd, w.ctx.vm_id,
					  DRM_PVGPU_ENGINE_CLASS_COPY, 0, 0,
					  &fresh), 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_store64(&b, DATA_VA + OFF_AFTER_RESET, 0x600d);
	pvgpu_batch_end(&b);
	syn_new = new_syncobj(fd);
	exec_batch(&w, fresh, put_batch(&w, 4, &b), syn_new);
	igt_assert_err(wait_syncobj(fd, syn_new, 10 * SEC), 0);
	igt_assert_eq_u64(*dat(&w, OFF_AFTER_RESET), 0x600d);
	igt_assert_eq_u64(reset_count(fd), before + 1);

	close(fd);
}

static void test_requested(void)
{
	scenario(BY_REQUEST);
}

static void test_fw_crash(void)
{
	scenario(BY_CRASH);
}

static void test_engine_wedged(void)
{
	scenario(BY_WEDGED_ENGINE);
}

/* ---- events, user queues, failures, storms ------------------------------ */

/* Every open file gets DEVICE_RESET with the count and the cause. */
static void test_event(void)
{
	int fd = setup(false), efd = eventfd(0, EFD_CLOEXEC);
	struct drm_pvgpu_event_subscribe sub = {
		.eventfd = efd,
		.type_mask = DRM_PVGPU_EVENT_MASK(DRM_PVGPU_EVENT_DEVICE_RESET),
	};
	struct drm_pvgpu_event rec;
	struct drm_pvgpu_wait_event wev = {
		.records = (uintptr_t)&rec, .num_records = 1,
		.type_mask = DRM_PVGPU_EVENT_MASK(DRM_PVGPU_EVENT_DEVICE_RESET),
		.timeout = 5 * SEC,
	};
	uint64_t before = reset_count(fd);

	igt_assert(efd >= 0);
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_EVENT_SUBSCRIBE, &sub), 0);
	request_reset();
	igt_assert_eq_u64(reset_count(fd), before + 1);
	igt_assert_err(raw_ioctl(fd, DRM_IOCTL_PVGPU_WAIT_EVENT, &wev), 0);
	igt_assert_eq(wev.num_records, 1);
	igt_assert_eq(rec.type, DRM_PVGPU_EVENT_DEVICE_RESET);
	igt_assert_eq_u64(rec.data[0], before + 1);
	igt_assert_eq_u64(rec.data[1], DRM_PVGPU_RESET_CAUSE_REQUESTED);
	close(efd);
	close(fd);
}

/* A request the firmware never answers: the device resets, not wedges. */
static void test_request_timeout(void)
{
	int fd = setup(false);
	char path[PATH_MAX + 32], val[16];
	uint64_t before = reset_count(fd);
	struct pvgpu_ctx ctx;
	struct pvgpu_batch b;
	uint32_t bo, vm, data_bo;
	volatile uint32_t *data;

	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
	igt_assert_eq(pvgpu_bo_create(fd, DATA_SIZE, 0, &data_bo), 0);
	data = pvgpu_bo_map(fd, data_bo, DATA_SIZE);
	igt_assert(data);
	*data = 0;
	igt_assert_eq(pvgpu_bind_map(fd, ctx.vm_id, data_bo, 0, DATA_VA,
				     DATA_SIZE, 0), 0);
	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	igt_assert_eq(pvgpu_bo_create(fd, 0x10000, 0, &bo), 0);
	igt_assert_eq(pvgpu_bind_map(fd, vm, bo, 0, 0x200000, 0x10000, 0), 0);
	igt_pvgpu_param_set("fw_timeout_ms", 200);
	dbg_path(path, sizeof(path), "inject_stall_opcode");
	igt_require_f(access(path, W_OK) == 0, "no %s\n", path);
	snprintf(val, sizeof(val), "%u", PVGPU_H2F_AS_UNBIND + 1);
	igt_assert_err(igt_sysfs_write(path, val), 0);
	/* Its AS_UNBIND is never sent: stop, reset, recover. */
	igt_assert_err(pvgpu_vm_destroy(fd, vm), 0);
	wait_reset_count(fd, before + 1, 10000);
	igt_pvgpu_param_restore();
	igt_assert(!(pvgpu_test_query_device(fd).flags &
		     DRM_PVGPU_DEVICE_WEDGED));
	/* The queue that was idle works on, in its VM as it was. */
	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, DATA_VA, 7);
	pvgpu_batch_end(&b);
	igt_assert_eq(pvgpu_ctx_run(&ctx, &b, 10 * SEC), 0);
	igt_assert_eq(*data, 7);
	igt_assert_eq(get_state(fd, ctx.queue_id).flags, 0);
	pvgpu_ctx_fini(&ctx);
	pvgpu_gem_close(fd, bo);
	close(fd);
}

struct churn {
	int fd;
	volatile int stop;
	unsigned long binds, errors;
	/* The user-fence waiter: its address, queue and result. */
	uint64_t *ufence;
	uint32_t ufence_queue;
	int ufence_ret;
};

/* WAIT_USER_FENCE for a value a delayed job stores, across the resets. */
static void *wait_ufence(void *arg)
{
	struct churn *c = arg;

	c->ufence_ret = pvgpu_wait_user_fence(c->fd, c->ufence,
					      DRM_PVGPU_UFENCE_OP_EQ, 1, ~0ull,
					      30 * SEC, c->ufence_queue);
	return NULL;
}

/* Maps and unmaps in a VM of its own until told to stop. */
static void *churn_binds(void *arg)
{
	struct churn *c = arg;
	uint32_t vm, bo;

	igt_assert_eq(pvgpu_vm_create(c->fd, 0, &vm), 0);
	igt_assert_eq(pvgpu_bo_create(c->fd, 0x10000, 0, &bo), 0);
	while (!c->stop) {
		if (pvgpu_bind_map(c->fd, vm, bo, 0, 0x400000, 0x10000, 0) ||
		    pvgpu_bind_unmap(c->fd, vm, 0x400000, 0x10000))
			c->errors++;
		c->binds++;
	}
	pvgpu_vm_destroy(c->fd, vm);
	pvgpu_gem_close(c->fd, bo);
	return NULL;
}

/*
 * Resets back to back (a storm below the limit) while another thread
 * maps and unmaps and this one submits: every job's fence signals, with
 * success only when its increment happened, every bind succeeds, and the
 * VM is never marked unusable.
 */
static void test_storm(void)
{
	int fd = setup(false);
	struct churn c = { .fd = fd };
	struct drm_pvgpu_vm_get_state vs;
	uint64_t before = reset_count(fd), done = 0;
	uint32_t syn[40], syn_w;
	struct pvgpu_batch b;
	struct world w;
	pthread_t t, tw;
	uint64_t va;
	int i;

	world_init(&w, fd);
	va = increment_batch(&w, 0, OFF_COUNT_Q);

	/* A WAIT in flight: for a store after a delay, on a queue of its own. */
	igt_assert_err(pvgpu_queue_create(fd, w.ctx.vm_id,
					  DRM_PVGPU_ENGINE_CLASS_COMPUTE, 0, 0,
					  &c.ufence_queue), 0);
	pvgpu_batch_reset(&b);
	pvgpu_batch_delay(&b, 300 * MS, 0);
	pvgpu_batch_store64(&b, DATA_VA + OFF_UFENCE, 1);
	pvgpu_batch_end(&b);
	syn_w = new_syncobj(fd);
	c.ufence = dat(&w, OFF_UFENCE);
	exec_batch(&w, c.ufence_queue, put_batch(&w, 1, &b), syn_w);
	igt_assert_eq(pthread_create(&tw, NULL, wait_ufence, &c), 0);

	igt_assert_eq(pthread_create(&t, NULL, churn_binds, &c), 0);
	for (i = 0; i < 40; i++) {
		syn[i] = new_syncobj(fd);
		exec_batch(&w, w.ctx.queue_id, va, syn[i]);
		if (i % 8 == 7)
			request_reset();
	}
	for (i = 0; i < 40; i++) {
		igt_assert_err(wait_syncobj(fd, syn[i], 20 * SEC), 0);
		if (syncobj_status(fd, syn[i]) == 1)
			done++;
		else
			igt_assert_eq(syncobj_status(fd, syn[i]), -ECANCELED);
	}
	c.stop = 1;
	pthread_join(t, NULL);
	pthread_join(tw, NULL);
	igt_assert_err(wait_syncobj(fd, syn_w, 20 * SEC), 0);
	/* Done and seen, or lost to a reset and reported: never half. */
	if (c.ufence_ret == 0) {
		igt_assert_eq_u64(*dat(&w, OFF_UFENCE), 1);
		igt_assert_eq(syncobj_status(fd, syn_w), 1);
	} else {
		igt_assert_eq(c.ufence_ret, -EIO);
		igt_assert_eq_u64(*dat(&w, OFF_UFENCE), 0);
		igt_assert_eq(syncobj_status(fd, syn_w), -ECANCELED);
		igt_assert_eq(get_state(fd, c.ufence_queue).reason,
			      DRM_PVGPU_QUEUE_REASON_DEVICE_RESET);
	}
	igt_info("user-fence wait: %d\n", c.ufence_ret);
	igt_info("%llu of 40 jobs done, %lu binds, %llu resets\n",
		 (unsigned long long)done, c.binds,
		 (unsigned long long)(reset_count(fd) - before));
	/* An increment is never lost nor done twice: fences tell the truth. */
	igt_assert_eq_u64(*dat(&w, OFF_COUNT_Q), done);
	igt_assert_eq_u64(reset_count(fd), before + 5);
	igt_assert_eq(c.errors, 0);
	igt_assert_eq(pvgpu_vm_get_state(fd, w.ctx.vm_id, &vs), 0);
	igt_assert_eq(vs.error, 0);
	close(fd);
}

/* A user queue's state is lost: it is banned with DEVICE_RESET. */
static void test_user_queue_lost(void)
{
	int fd = setup(false);
	struct drm_pvgpu_userq_create uc = {
		.engine_class = DRM_PVGPU_ENGINE_CLASS_COMPUTE,
		.ring_va = 0x300000000ull,
		.ring_size = 0x1000,
	};
	struct drm_pvgpu_queue_get_state st;
	uint32_t vm, ring;

	igt_assert_eq(pvgpu_vm_create(fd, 0, &vm), 0);
	igt_assert_eq(pvgpu_bo_create(fd, 0x1000, 0, &ring), 0);
	igt_assert_eq(pvgpu_bind_map(fd, vm, ring, 0, uc.ring_va, 0x1000, 0), 0);
	uc.vm_id = vm;
	igt_require_f(raw_ioctl(fd, DRM_IOCTL_PVGPU_USERQ_CREATE, &uc) == 0,
		      "no user queues\n");
	request_reset();
	st = get_state(fd, uc.queue_id);
	igt_assert(st.flags & DRM_PVGPU_QUEUE_STATE_BANNED);
	igt_assert_eq(st.reason, DRM_PVGPU_QUEUE_REASON_DEVICE_RESET);
	igt_assert_eq(st.flags & DRM_PVGPU_QUEUE_STATE_GUILTY, 0);
	close(fd);
}

/* Beyond max_resets_per_minute the device wedges; a rebind recovers it. */
static char pci_slot[64];

static void rebind(int sig)
{
	(void)sig;
	if (!pci_slot[0])
		return;
	igt_sysfs_write("/sys/bus/pci/drivers/pvgpu/unbind", pci_slot);
	igt_sysfs_write("/sys/bus/pci/drivers/pvgpu/bind", pci_slot);
	pci_slot[0] = 0;
}

static void find_pci_slot(void)
{
	char node[256], link[PATH_MAX], target[PATH_MAX];
	int fd = igt_open_pvgpu_render(node, sizeof(node));
	ssize_t n;

	close(fd);
	snprintf(link, sizeof(link), "/sys/class/drm/%s/device",
		 strrchr(node, '/') + 1);
	n = readlink(link, target, sizeof(target) - 1);
	igt_require(n > 0);
	target[n] = 0;
	snprintf(pci_slot, sizeof(pci_slot), "%s", strrchr(target, '/') + 1);
	igt_require(access("/sys/bus/pci/drivers/pvgpu/unbind", W_OK) == 0);
	igt_install_exit_handler(rebind);
}

static void test_storm_limit(void)
{
	int fd = setup(false), i;
	char path[PATH_MAX + 32];

	find_pci_slot();
	igt_emit_ignore_dmesg_regex("device reset|recovered|wedged|too often");

	/* Two more than allowed in a minute (those before count too). */
	igt_pvgpu_param_set("max_resets_per_minute", 2);
	dbg_path(path, sizeof(path), "reset");
	for (i = 0; i < 3 && !(pvgpu_test_query_device(fd).flags &
			       DRM_PVGPU_DEVICE_WEDGED); i++)
		igt_sysfs_write(path, "1");
	igt_assert(pvgpu_test_query_device(fd).flags & DRM_PVGPU_DEVICE_WEDGED);
	igt_assert_err(igt_sysfs_write(path, "1"), -EIO);
	close(fd);
	igt_pvgpu_param_restore();
	rebind(0);
	fd = igt_open_pvgpu_render(NULL, 0);
	igt_assert(!(pvgpu_test_query_device(fd).flags &
		     DRM_PVGPU_DEVICE_WEDGED));
	close(fd);
}

static void *reset_thread(void *arg)
{
	(void)arg;
	for (int i = 0; i < 3; i++)
		request_reset();
	return NULL;
}

/*
 * Resets asked for from two threads while the firmware crashes twice,
 * some of it while a reset is under way: the device ends up working, the
 * count says how many resets ran (each request and crash is served, some
 * by the same reset), and a job submitted before runs exactly once.
 */
static void test_reset_during_reset(void)
{
	int fd = setup(true), tl;
	uint64_t before = reset_count(fd), after;
	struct drm_pvgpu_queue_get_state st;
	struct pvgpu_batch b;
	struct world w;
	uint32_t syn;
	pthread_t t;

	world_init(&w, fd);
	/* Waits for an in-sync through it all: it has not begun. */
	syn = new_syncobj(fd);
	tl = exec_gated(&w, w.ctx.queue_id, increment_batch(&w, 0, OFF_COUNT_Q),
			syn);
	igt_assert_eq(pthread_create(&t, NULL, reset_thread, NULL), 0);
	inject(PVGPU_TEST_INJECT_CRASH, 0);
	request_reset();
	inject(PVGPU_TEST_INJECT_CRASH, 0);
	pthread_join(t, NULL);
	request_reset();
	sw_sync_inc(tl, 1);
	close(tl);
	igt_assert_err(wait_syncobj(fd, syn, 10 * SEC), 0);
	igt_assert_eq(syncobj_status(fd, syn), 1);
	igt_assert_eq_u64(*dat(&w, OFF_COUNT_Q), 1);
	st = get_state(fd, w.ctx.queue_id);
	igt_assert_eq(st.flags, 0);
	after = reset_count(fd);
	igt_info("%llu resets\n", (unsigned long long)(after - before));
	igt_assert_lte(2, after - before);
	igt_assert(!(pvgpu_test_query_device(fd).flags &
		     DRM_PVGPU_DEVICE_WEDGED));
	pvgpu_batch_reset(&b);
	pvgpu_batch_store64(&b, DATA_VA + OFF_AFTER_RESET, 0x600d);
	pvgpu_batch_end(&b);
	igt_assert_eq(pvgpu_ctx_run(&w.ctx, &b, 10 * SEC), 0);
	igt_assert_eq_u64(*dat(&w, OFF_AFTER_RESET), 0x600d);
	close(fd);
}

/*
 * The firmware crashes with a job running and the driver is unbound while
 * it resets: the unbind waits for the reset (or stops it), the open file's
 * fences all signal, nothing leaks; a rebind gives a working device.
 */
static void test_unbind_during_reset(void)
{
	int fd = setup(true), sf;
	struct pvgpu_batch b;
	struct world w;
	uint32_t syn;

	find_pci_slot();
	world_init(&w, fd);
	pvgpu_batch_reset(&b);
	pvgpu_batch_delay(&b, 5 * SEC, 0);
	pvgpu_batch_end(&b);
	syn = new_syncobj(fd);
	exec_batch(&w, w.ctx.queue_id, put_batch(&w, 0, &b), syn);
	/* Its fence, which must outlive the device's file descriptors. */
	{
		struct drm_syncobj_handle h = {
			.handle = syn,
			.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
			.fd = -1,
		};

		igt_assert_eq(raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h), 0);
		sf = h.fd;
	}
	usleep(20 * 1000);
	inject(PVGPU_TEST_INJECT_CRASH, 0);
	igt_assert_err(igt_sysfs_write("/sys/bus/pci/drivers/pvgpu/unbind",
				       pci_slot), 0);
	/* The device is gone: the job's fence signalled with an error. */
	{
		struct pollfd p = { .fd = sf, .events = POLLIN };
		struct sync_file_info info = { 0 };

		igt_assert_eq(poll(&p, 1, 10000), 1);
		igt_assert_eq(raw_ioctl(sf, SYNC_IOC_FILE_INFO, &info), 0);
		igt_assert_lt(info.status, 0);
		close(sf);
	}
	close(fd);
	igt_assert_err(igt_sysfs_write("/sys/bus/pci/drivers/pvgpu/bind",
				       pci_slot), 0);
	pci_slot[0] = 0;
	fd = igt_open_pvgpu_render(NULL, 0);
	world_init(&w, fd);
	pvgpu_batch_reset(&b);
	pvgpu_batch_store64(&b, DATA_VA + OFF_AFTER_RESET, 0x600d);
	pvgpu_batch_end(&b);
	igt_assert_eq(pvgpu_ctx_run(&w.ctx, &b, 10 * SEC), 0);
	igt_assert_eq_u64(*dat(&w, OFF_AFTER_RESET), 0x600d);
	close(fd);
}

/* ---- system sleep ------------------------------------------------------ */

#define PM_TEST		"/sys/power/pm_test"
#define PM_TEST_DELAY	"/sys/module/suspend/parameters/pm_test_delay"

static void pm_test_off(int sig)
{
	(void)sig;
	igt_sysfs_write(PM_TEST, "none");
}

/* One system suspend and resume of the devices (pm_test "devices"). */
static void pm_cycle(const char *state)
{
	igt_assert_err(igt_sysfs_write(PM_TEST, "devices"), 0);
	igt_assert_err(igt_sysfs_write("/sys/power/state", state), 0);
	igt_assert_err(igt_sysfs_write(PM_TEST, "none"), 0);
}

/* A "NAME: N" line of debugfs reset_state. */
static uint64_t reset_state(const char *name)
{
	char path[PATH_MAX + 32], line[128];
	size_t len = strlen(name);
	uint64_t found = ~0ull;
	FILE *f;

	dbg_path(path, sizeof(path), "reset_state");
	f = fopen(path, "r");
	igt_assert(f);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':')
			found = strtoull(line + len + 1, NULL, 10);
	fclose(f);
	igt_assert_f(found != ~0ull, "no %s in reset_state\n", name);
	return found;
}

static void pm_setup(void)
{
	char buf[64];

	igt_require_f(igt_sysfs_read(PM_TEST, buf, sizeof(buf)),
		      "no %s (CONFIG_PM_DEBUG)\n", PM_TEST);
	igt_install_exit_handler(pm_test_off);
	/* No 5 s pause in the middle of each cycle. */
	igt_sysfs_write(PM_TEST_DELAY, "0");
	igt_emit_ignore_dmesg_regex("PM: |suspend|resume|Freezing|Restarting|OOM killer|lost its state|device reset|recovered");
}

/*
 * A queue in the middle of a long job and a queue with jobs behind it
 * through three suspend/resume cycles (@state "mem" or "freeze"): the
 * callbacks ran, nothing was reset, every job ran exactly once, in order.
 */
static void pm_busy(const char *state)
{
	int fd = setup(false), i;
	uint64_t resets = reset_count(fd), suspends;
	uint32_t q, syn_p, syn_q[20];
	struct pvgpu_batch b;
	struct world w;

	pm_setup();
	world_init(&w, fd);
	igt_assert_err(pvgpu_queue_create(fd, w.ctx.vm_id,
					  DRM_PVGPU_ENGINE_CLASS_COMPUTE, 0, 0,
					  &q), 0);
	syn_p = start_blocker(&w, 1 * SEC, true);
	pvgpu_batch_reset(&b);
	pvgpu_batch_delay(&b, 20 * MS, 0);
	pvgpu_batch_atomic(&b, PVGPU_ATOMIC_ADD64, DATA_VA + OFF_COUNT_Q, 1, 0, 0);
	pvgpu_batch_end(&b);
	for (i = 0; i < 20; i++) {
		syn_q[i] = new_syncobj(fd);
		exec_batch(&w, q, put_batch(&w, 1, &b), syn_q[i]);
	}
	wait_began(&w);

	suspends = reset_state("pm_suspends");
	for (i = 0; i < 3; i++)
		pm_cycle(state);
	igt_assert_eq_u64(reset_state("pm_suspends"), suspends + 3);
	igt_assert_eq_u64(reset_state("pm_resumes"), suspends + 3);

	igt_assert_err(wait_syncobj(fd, syn_p, 20 * SEC), 0);
	igt_assert_eq(syncobj_status(fd, syn_p), 1);
	igt_assert_eq_u64(*dat(&w, OFF_AFTER), 1);
	for (i = 0; i < 20; i++) {
		igt_assert_err(wait_syncobj(fd, syn_q[i], 20 * SEC), 0);
		igt_assert_eq(syncobj_status(fd, syn_q[i]), 1);
	}
	igt_assert_eq_u64(*dat(&w, OFF_COUNT_Q), 20);
	igt_assert_eq(get_state(fd, q).flags, 0);
	igt_assert_eq(get_state(fd, w.ctx.queue_id).flags, 0);
	igt_assert_eq_u64(reset_count(fd), resets);
	close(fd);
}

static void test_pm_suspend_busy(void)
{
	pm_busy("mem");
}

static void test_pm_freeze_busy(void)
{
	pm_busy("freeze");
}

/*
 * The device loses its state in sleep (debugfs inject_pm_power_loss, as
 * QEMU's S3 wake-up resets it): the resume resets the device. The queue
 * held in the middle of its job is banned (DEVICE_RESET), the jobs that
 * waited for an in-sync run once, the VM keeps its mappings.
 */
static void test_pm_power_loss(void)
{
	int fd = setup(false), tl;
	uint64_t resets = reset_count(fd);
	char path[PATH_MAX + 32];
	struct drm_pvgpu_queue_get_state st;
	uint32_t q, syn_p, syn_q;
	struct world w;

	pm_setup();
	world_init(&w, fd);
	igt_assert_err(pvgpu_queue_create(fd, w.ctx.vm_id,
					  DRM_PVGPU_ENGINE_CLASS_COMPUTE, 0, 0,
					  &q), 0);
	syn_p = start_blocker(&w, 20 * SEC, false);
	syn_q = new_syncobj(fd);
	tl = exec_gated(&w, q, increment_batch(&w, 1, OFF_COUNT_Q), syn_q);
	wait_began(&w);

	dbg_path(path, sizeof(path), "inject_pm_power_loss");
	igt_assert_err(igt_sysfs_write(path, "1"), 0);
	pm_cycle("mem");
	igt_assert_eq_u64(reset_count(fd), resets + 1);

	igt_assert_err(wait_syncobj(fd, syn_p, 10 * SEC), 0);
	igt_assert_eq(syncobj_status(fd, syn_p), -ECANCELED);
	st = get_state(fd, w.ctx.queue_id);
	igt_assert_eq(st.reason, DRM_PVGPU_QUEUE_REASON_DEVICE_RESET);
	igt_assert_eq_u64(*dat(&w, OFF_AFTER), 0);
	sw_sync_inc(tl, 1);
	close(tl);
	igt_assert_err(wait_syncobj(fd, syn_q, 10 * SEC), 0);
	igt_assert_eq(syncobj_status(fd, syn_q), 1);
	igt_assert_eq_u64(*dat(&w, OFF_COUNT_Q), 1);
	igt_assert_eq(get_state(fd, q).flags, 0);
	close(fd);
}

static const struct igt_lite_subtest subtests[] = {
	{ "requested", test_requested,
	  "debugfs reset with a begun job, jobs on the ring of a hung engine and a job behind an in-sync: the begun queue is banned (DEVICE_RESET, -ECANCELED), every other job runs exactly once, the VM keeps its mappings" },
	{ "fw-crash", test_fw_crash,
	  "the same with a firmware crash (test register): the driver resets the device by itself" },
	{ "engine-wedged", test_engine_wedged,
	  "an engine a queue reset does not mend: the job timeout bans the hung queue (guilty), the firmware reports the engine, the device resets, the waiting queue's jobs run exactly once" },
	{ "event", test_event,
	  "DEVICE_RESET reaches a subscribed file with the reset count and the cause" },
	{ "request-timeout", test_request_timeout,
	  "an AS_UNBIND that is never sent resets the device instead of wedging it; an idle queue works on" },
	{ "storm", test_storm,
	  "five resets while binds and EXECs run: every fence tells the truth (increments == successful fences), no bind fails, the VM stays usable" },
	{ "user-queue-lost", test_user_queue_lost,
	  "a user queue is banned with DEVICE_RESET by a reset" },
	{ "reset-during-reset", test_reset_during_reset,
	  "resets requested from two threads and two firmware crashes, some during a reset: the device works after, a job waiting through it all runs once" },
	{ "unbind-during-reset", test_unbind_during_reset,
	  "the firmware crashes with a job running and the driver is unbound during the reset: fences signal with an error, a rebind works" },
	{ "pm-suspend-busy", test_pm_suspend_busy,
	  "three suspend/resume cycles (pm_test devices, mem) with a queue mid-job and one with jobs behind: the callbacks ran, no reset, every job ran exactly once" },
	{ "pm-freeze-busy", test_pm_freeze_busy,
	  "the same with suspend-to-idle (freeze)" },
	{ "pm-power-loss", test_pm_power_loss,
	  "the device loses its state in sleep (inject_pm_power_loss): the resume resets it, the held queue mid-job is banned (DEVICE_RESET), the job that waited for an in-sync runs once" },
	{ "storm-limit", test_storm_limit,
	  "more than max_resets_per_minute resets wedge the device; a rebind recovers it" },
};

IGT_LITE_MAIN("pvgpu: device reset and recovery", subtests)
