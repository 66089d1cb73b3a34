// SPDX-License-Identifier: MIT
/*
 * pvgpu_reset: the device resets and recovers without a rebind
 * (docs/reset.rst).
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
 * user queues are lost (banned). The runner's dmesg check catches lockdep,
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

static char dbg_dir[PATH_MAX];

static void dbg_path(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dbg_dir, name);
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
	}
	igt_emit_ignore_dmesg_regex("device reset|recovered|firmware stopped|firmware failed|hung|did not recover|timed out|not sent within|failed");
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

/* The syncobj's fence: 1 signalled, 0 pending, < 0 its error. */
static int syncobj_status(int fd, uint32_t handle)
{
	struct drm_syncobj_handle h = {
		.handle = handle,
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
		.fd = -1,
	};
	struct sync_file_info info = { 0 };

	igt_assert_eq(raw_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h), 0);
	igt_assert_eq(raw_ioctl(h.fd, SYNC_IOC_FILE_INFO, &info), 0);
	close(h.fd);
	return info.status;
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

/* An EXEC of @va on @queue with an out-sync @out and an optional in-sync. */
static void exec_batch(struct world *w, uint32_t queue, uint64_t va,
		       uint32_t out, uint32_t in)
{
	struct drm_pvgpu_sync syncs[2] = { pvgpu_sync_syncobj(out, 1) };

	if (in)
		syncs[1] = pvgpu_sync_syncobj(in, 0);
	igt_assert_err(pvgpu_exec(w->fd, queue, va, syncs, in ? 2 : 1), 0);
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
	exec_batch(&w, r, increment_batch(&w, 1, OFF_COUNT_R), syn_r, 0);
	igt_assert_err(wait_syncobj(fd, syn_r, 10 * SEC), 0);

	/* P: begins, then waits in a long delay. */
	pvgpu_batch_reset(&b);
	pvgpu_batch_store64(&b, DATA_VA + OFF_FLAG, 1);
	pvgpu_batch_delay(&b, 20 * SEC, 0);
	pvgpu_batch_store64(&b, DATA_VA + OFF_AFTER, 0xbad);
	pvgpu_batch_end(&b);
	va = put_batch(&w, 0, &b);
	syn_p = new_syncobj(fd);
	exec_batch(&w, w.ctx.queue_id, va, syn_p, 0);
	for (i = 0; i < 5000 && !*dat(&w, OFF_FLAG); i++)
		usleep(1000);
	igt_assert_f(*dat(&w, OFF_FLAG) == 1, "the blocker never began\n");

	/* The copy engine stops: Q's jobs reach the ring, none begins. */
	inject(how == BY_WEDGED_ENGINE ? PVGPU_TEST_INJECT_WEDGE_ENGINE :
	       PVGPU_TEST_INJECT_HANG_ENGINE, DRM_PVGPU_ENGINE_CLASS_COPY);
	va = increment_batch(&w, 2, OFF_COUNT_Q);
	for (i = 0; i < 3; i++) {
		syn_q[i] = new_syncobj(fd);
		exec_batch(&w, q, va, syn_q[i], 0);
	}
	/* S: waits for @gate, not on the ring yet. */
	gate = new_syncobj(fd);
	syn_s = new_syncobj(fd);
	exec_batch(&w, s, increment_batch(&w, 3, OFF_COUNT_S), syn_s, gate);
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
	igt_assert_err(pvgpu_syncobj_signal(fd, gate, 0), 0);
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
	exec_batch(&w, fresh, put_batch(&w, 4, &b), syn_new, 0);
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
	uint32_t bo, vm;

	igt_assert_eq(pvgpu_ctx_init(&ctx, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY), 0);
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
	/* The queue that was idle works on. */
	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, PVGPU_CTX_BATCH_VA + 0x8000, 7);
	pvgpu_batch_end(&b);
	igt_assert_eq(pvgpu_ctx_run(&ctx, &b, 10 * SEC), 0);
	igt_assert_eq(ctx.batch_map[0x8000 / 4], 7);
	pvgpu_ctx_fini(&ctx);
	pvgpu_gem_close(fd, bo);
	close(fd);
}

struct churn {
	int fd;
	volatile int stop;
	unsigned long binds, errors;
};

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
	uint32_t syn[40];
	struct world w;
	pthread_t t;
	uint64_t va;
	int i;

	world_init(&w, fd);
	va = increment_batch(&w, 0, OFF_COUNT_Q);
	igt_assert_eq(pthread_create(&t, NULL, churn_binds, &c), 0);
	for (i = 0; i < 40; i++) {
		syn[i] = new_syncobj(fd);
		exec_batch(&w, w.ctx.queue_id, va, syn[i], 0);
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

static void test_storm_limit(void)
{
	char node[256], link[PATH_MAX], target[PATH_MAX];
	int fd = setup(false), i;
	char path[PATH_MAX + 32];
	ssize_t n;

	close(fd);
	fd = igt_open_pvgpu_render(node, sizeof(node));
	snprintf(link, sizeof(link), "/sys/class/drm/%s/device",
		 strrchr(node, '/') + 1);
	n = readlink(link, target, sizeof(target) - 1);
	igt_require(n > 0);
	target[n] = 0;
	snprintf(pci_slot, sizeof(pci_slot), "%s", strrchr(target, '/') + 1);
	igt_install_exit_handler(rebind);
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
	{ "storm-limit", test_storm_limit,
	  "more than max_resets_per_minute resets wedge the device; a rebind recovers it" },
};

IGT_LITE_MAIN("pvgpu: device reset and recovery", subtests)
