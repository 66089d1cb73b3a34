// SPDX-License-Identifier: MIT
/*
 * pvgpu_busy_workload: keeps many exec queues of several VMs busy and then
 * checks every result exactly, so that lost or repeated work shows. It is
 * the guest half of the migration tests (tests/vm/migrate.py, see
 * docs/migration.rst) and runs as well on its own, without a migration.
 *
 * Every job of work queue q (in its VM v) is one batch that
 *   - may first DELAY (preemptible): long jobs keep queues in their slots
 *     and make the scheduler timeslice and preempt;
 *   - ATOMIC-adds 1 to q's counter and 1 to v's total (which every queue
 *     of v adds to: atomicity across queues);
 *   - STOREs its own number (1, 2, ...) to q's "last" slot;
 *   - on a third of the queues, SIGNALs its number with an interrupt.
 * Queues are throttled to --inflight jobs each; a queue waits for its own
 * old jobs in one of three ways, by queue: a timeline syncobj point (its
 * jobs' out-sync), a user fence the kernel writes (USER_FENCE out-sync,
 * WAIT_USER_FENCE), or the value its batches SIGNAL (WAIT_USER_FENCE on
 * the buffer's CPU mapping). Every eighth job of a timeline queue also
 * waits (in-sync) for the last job submitted to the timeline queue before
 * it in the same VM.
 *
 * Beside them, one thread per VM churns VM_BIND: it maps a scratch buffer
 * at a moving address (async, on a bind queue of its own), has a job of a
 * bind-check queue store a known value through that mapping, unmaps it
 * (in-sync on the job) and checks the value from the CPU.
 *
 * At the end everything is waited for and checked: each queue's counter,
 * last store, signalled value and user fence equal the jobs submitted to
 * it, the kernel's QUEUE_GET_STATE counts agree and no queue was reset,
 * each VM's total is the sum of its queues' jobs, every bind check read
 * its value, each VM is usable with exactly its fixed mappings left. One
 * summary line; exit 0 only if all of it is exact (1 otherwise, 77 without
 * a pvgpu device, 2 for a bad option).
 *
 * The busy phase lasts --duration seconds, or, with --hold PATH, until a
 * line with "release" is read from PATH (a serial port the host writes
 * to), and then --after more rounds of one job per queue. The line
 * "pvgpu_busy_workload: busy" is printed once every queue has its first
 * --inflight jobs submitted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "libpvgpu.h"
#include "pvgpu_bench_args.h"
#include "pvgpu_cmds.h"
#include "pvgpu_gpu.h"

#define EXIT_NO_DEVICE	77
#define SEC		1000000000ll
/* Long enough for any wait on a loaded TCG host; a wait that ends with a
 * timeout is reported as a failure, never retried. */
#define WAIT_NS		(300 * SEC)

/* GPU VAs, the same in every VM. */
#define DATA_VA		0x200000000ull
#define BATCH_VA	0x300000000ull
#define CHURN_BATCH_VA	0x380000000ull
#define CHURN_VA	0x400000000ull

/* Data buffer of a VM: one slot per queue of the VM, the total after. */
#define SLOT_SIZE	64u
#define SLOT_COUNTER	0u	/* ATOMIC ADD 1 per job */
#define SLOT_LAST	8u	/* STORE64 of the job's number */
#define SLOT_SIGNAL	16u	/* SIGNAL of the job's number (signal queues) */
#define BATCH_SLOT	256u	/* bytes per job's batch */
#define CHURN_SIZE	0x10000u	/* the scratch buffer */
#define CHURN_PLACES	8u	/* addresses it moves between */

enum wait_kind {
	WAIT_SYNCOBJ,		/* timeline syncobj point per job */
	WAIT_UFENCE,		/* USER_FENCE out-sync, WAIT_USER_FENCE */
	WAIT_SIGNAL,		/* SIGNAL in the batch, WAIT_USER_FENCE */
};

static const char *const wait_kind_name[] = { "syncobj", "user-fence", "signal" };

struct work_queue {
	uint32_t id;
	unsigned int vm;	/* index into vms[] */
	unsigned int slot;	/* index among its VM's queues */
	uint32_t engine_class;
	enum wait_kind wait;
	uint32_t syncobj;	/* WAIT_SYNCOBJ: the queue's timeline */
	int prev_syncobj_queue;	/* queue whose timeline every 8th job waits on, or -1 */
	uint64_t submitted;
	uint64_t long_jobs;
	uint64_t ufence;	/* WAIT_UFENCE: written by the kernel */
};

struct vm_state {
	uint32_t id;
	unsigned int index;
	unsigned int num_queues;
	uint32_t data_bo, batch_bo, churn_bo, churn_batch_bo;
	uint8_t *data;
	uint32_t *batch;
	uint64_t *churn;
	uint32_t *churn_batch;
	uint64_t batch_size;
	/* bind churn */
	uint32_t bind_queue, check_queue;
	uint32_t sync_map, sync_job, sync_unmap;
	pthread_t thread;
	uint64_t churn_rounds;
	unsigned int churn_errors;
	char churn_error[160];
};

static int fd;
static long num_queues = 64, num_vms = 4, inflight = 4, duration_s = 10;
static long delay_us = 2000, after_rounds = 8;
static const char *hold_path;
static struct work_queue *queues;
static struct vm_state *vms;
static atomic_int stop_churn, released, hold_error;
static unsigned int failures;

#define FAIL(...)							\
	do {								\
		if (failures++ < 20)					\
			printf("pvgpu_busy_workload: FAIL: " __VA_ARGS__); \
	} while (0)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

static void usage(const char *argv0, FILE *f)
{
	fprintf(f,
		"usage: %s [-q QUEUES] [-v VMS] [-i INFLIGHT] [-t SECONDS] [--delay-us US]\n"
		"       [--hold PATH [--after ROUNDS]] [-d NODE]\n"
		"  -q  exec queues kept busy (default 64), spread over -v VMs (default 4)\n"
		"  -i  jobs in flight per queue (default 4)\n"
		"  -t  busy phase in seconds (default 10), unless --hold\n"
		"  --delay-us  DELAY of a long job (default 2000; every fourth job)\n"
		"  --hold PATH  busy until a line with \"release\" is read from PATH\n"
		"               (a tty is put in raw mode), then --after rounds\n"
		"               of one job per queue (default 8)\n",
		argv0);
}

static void *map_bo(uint32_t *handle, uint64_t size)
{
	void *p;

	if (pvgpu_bo_create(fd, size, 0, handle))
		return NULL;
	p = pvgpu_bo_map(fd, *handle, size);
	if (p)
		memset(p, 0, size);
	return p;
}

static int vm_setup(struct vm_state *v)
{
	uint64_t data_size = ((uint64_t)(v->num_queues + 1) * SLOT_SIZE + 4095) & ~4095ull;
	int ret;

	v->batch_size = ((uint64_t)v->num_queues * inflight * BATCH_SLOT + 4095) & ~4095ull;
	if (!v->batch_size)
		v->batch_size = 4096;
	ret = pvgpu_vm_create(fd, 0, &v->id);
	if (ret)
		return ret;
	v->data = map_bo(&v->data_bo, data_size);
	v->batch = map_bo(&v->batch_bo, v->batch_size);
	v->churn = map_bo(&v->churn_bo, CHURN_SIZE);
	v->churn_batch = map_bo(&v->churn_batch_bo, 4096);
	if (!v->data || !v->batch || !v->churn || !v->churn_batch)
		return -errno;
	ret = pvgpu_bind_map(fd, v->id, v->data_bo, 0, DATA_VA, data_size, 0);
	ret = ret ?: pvgpu_bind_map(fd, v->id, v->batch_bo, 0, BATCH_VA, v->batch_size, 0);
	ret = ret ?: pvgpu_bind_map(fd, v->id, v->churn_batch_bo, 0, CHURN_BATCH_VA, 4096, 0);
	ret = ret ?: pvgpu_queue_create(fd, v->id, DRM_PVGPU_ENGINE_CLASS_VM_BIND, 0, 0,
					&v->bind_queue);
	ret = ret ?: pvgpu_queue_create(fd, v->id, DRM_PVGPU_ENGINE_CLASS_COPY, 0, 0,
					&v->check_queue);
	ret = ret ?: pvgpu_syncobj_create(fd, 0, &v->sync_map);
	ret = ret ?: pvgpu_syncobj_create(fd, 0, &v->sync_job);
	ret = ret ?: pvgpu_syncobj_create(fd, 0, &v->sync_unmap);
	return ret;
}

static uint64_t vm_total_va(const struct vm_state *v)
{
	return DATA_VA + (uint64_t)v->num_queues * SLOT_SIZE;
}

static uint64_t *slot_ptr(const struct work_queue *q, unsigned int field)
{
	return (uint64_t *)(vms[q->vm].data + q->slot * SLOT_SIZE + field);
}

/* Job @n (1-based) of queue @q: its batch, its syncs, its EXEC. */
static int submit_job(struct work_queue *q, uint64_t n)
{
	struct vm_state *v = &vms[q->vm];
	uint64_t slot_va = DATA_VA + (uint64_t)q->slot * SLOT_SIZE;
	uint64_t batch_off = ((uint64_t)q->slot * inflight + (n - 1) % inflight) * BATCH_SLOT;
	struct drm_pvgpu_sync syncs[2];
	struct pvgpu_batch b;
	unsigned int num_syncs = 0;
	int ret;

	pvgpu_batch_reset(&b);
	switch ((n + q->slot) % 4) {
	case 0:
		pvgpu_batch_delay(&b, (uint64_t)delay_us * 1000, 0);
		q->long_jobs++;
		break;
	case 2:
		pvgpu_batch_delay(&b, (uint64_t)delay_us * 100, 0);
		break;
	}
	pvgpu_batch_atomic(&b, PVGPU_ATOMIC_ADD64, slot_va + SLOT_COUNTER, 1, 0, 0);
	pvgpu_batch_atomic(&b, PVGPU_ATOMIC_ADD64, vm_total_va(v), 1, 0, 0);
	pvgpu_batch_store64(&b, slot_va + SLOT_LAST, n);
	if (q->wait == WAIT_SIGNAL)
		pvgpu_batch_signal(&b, slot_va + SLOT_SIGNAL, n, 1);
	pvgpu_batch_end(&b);
	if (b.len * 4 > BATCH_SLOT)
		return -E2BIG;
	memcpy((uint8_t *)v->batch + batch_off, b.dw, b.len * 4);

	if (q->wait == WAIT_SYNCOBJ)
		syncs[num_syncs++] = pvgpu_sync_timeline(q->syncobj, n, 1);
	else if (q->wait == WAIT_UFENCE)
		syncs[num_syncs++] = pvgpu_sync_user_fence(&q->ufence, n);
	if (n % 8 == 0 && q->prev_syncobj_queue >= 0) {
		struct work_queue *p = &queues[q->prev_syncobj_queue];

		if (p->submitted)
			syncs[num_syncs++] = pvgpu_sync_timeline(p->syncobj, p->submitted, 0);
	}
	do {
		ret = pvgpu_exec(fd, q->id, BATCH_VA + batch_off, syncs, num_syncs);
	} while (ret == -EINTR);
	if (!ret)
		q->submitted = n;
	return ret;
}

/* Waits until job @n of @q has completed (each queue its own way). */
static int wait_job(struct work_queue *q, uint64_t n)
{
	switch (q->wait) {
	case WAIT_SYNCOBJ:
		return pvgpu_syncobj_wait(fd, q->syncobj, n, WAIT_NS);
	case WAIT_UFENCE:
		return pvgpu_wait_user_fence(fd, &q->ufence, DRM_PVGPU_UFENCE_OP_GTE, n,
					     ~0ull, WAIT_NS, q->id);
	case WAIT_SIGNAL:
		return pvgpu_wait_user_fence(fd, slot_ptr(q, SLOT_SIGNAL),
					     DRM_PVGPU_UFENCE_OP_GTE, n, ~0ull, WAIT_NS,
					     q->id);
	}
	return -EINVAL;
}

static void churn_fail(struct vm_state *v, const char *what, int err)
{
	if (!v->churn_errors++)
		snprintf(v->churn_error, sizeof(v->churn_error), "%s: %s", what,
			 strerror(-err));
}

/* One VM's bind churn: map, store through the mapping, unmap, check. */
static void *churn_thread(void *arg)
{
	struct vm_state *v = arg;

	while (!atomic_load(&stop_churn)) {
		uint64_t i = v->churn_rounds + 1;
		uint64_t va = CHURN_VA + (i % CHURN_PLACES) * 2 * CHURN_SIZE;
		uint64_t word = i % (CHURN_SIZE / 8);
		uint64_t value = ((uint64_t)(v->index + 1) << 48) | i;
		struct drm_pvgpu_vm_bind_op op = {
			.op = DRM_PVGPU_VM_BIND_OP_MAP, .handle = v->churn_bo,
			.addr = va, .range = CHURN_SIZE,
		};
		struct drm_pvgpu_sync s_map = pvgpu_sync_syncobj(v->sync_map, 1);
		struct drm_pvgpu_sync s_job[2] = {
			pvgpu_sync_syncobj(v->sync_map, 0),
			pvgpu_sync_syncobj(v->sync_job, 1),
		};
		struct drm_pvgpu_sync s_unmap[2] = {
			pvgpu_sync_syncobj(v->sync_job, 0),
			pvgpu_sync_syncobj(v->sync_unmap, 1),
		};
		struct pvgpu_batch b;
		int ret;

		ret = pvgpu_vm_bind(fd, v->id, v->bind_queue, &op, 1, &s_map, 1, 0);
		if (ret) {
			churn_fail(v, "VM_BIND map", ret);
			break;
		}
		pvgpu_batch_reset(&b);
		pvgpu_batch_store64(&b, va + word * 8, value);
		pvgpu_batch_end(&b);
		memcpy(v->churn_batch, b.dw, b.len * 4);
		do {
			ret = pvgpu_exec(fd, v->check_queue, CHURN_BATCH_VA, s_job, 2);
		} while (ret == -EINTR);
		if (ret) {
			churn_fail(v, "EXEC of the bind check", ret);
			break;
		}
		op = (struct drm_pvgpu_vm_bind_op){
			.op = DRM_PVGPU_VM_BIND_OP_UNMAP, .addr = va, .range = CHURN_SIZE,
		};
		ret = pvgpu_vm_bind(fd, v->id, v->bind_queue, &op, 1, s_unmap, 2, 0);
		if (ret) {
			churn_fail(v, "VM_BIND unmap", ret);
			break;
		}
		ret = pvgpu_syncobj_wait(fd, v->sync_unmap, 0, WAIT_NS);
		if (ret) {
			churn_fail(v, "wait for the unmap", ret);
			break;
		}
		if (v->churn[word] != value) {
			if (!v->churn_errors++)
				snprintf(v->churn_error, sizeof(v->churn_error),
					 "round %llu read 0x%llx, not 0x%llx",
					 (unsigned long long)i,
					 (unsigned long long)v->churn[word],
					 (unsigned long long)value);
		}
		v->churn_rounds = i;
	}
	return NULL;
}

/* --hold: waits for "release" on @hold_path. */
static void *hold_thread(void *arg)
{
	char line[256];
	size_t len = 0;
	struct termios saved, t;
	int tty, is_tty;

	(void)arg;
	tty = open(hold_path, O_RDONLY | O_NOCTTY);
	if (tty < 0) {
		printf("pvgpu_busy_workload: cannot open %s: %s\n", hold_path, strerror(errno));
		atomic_store(&hold_error, 1);
		atomic_store(&released, 1);
		return NULL;
	}
	/* Raw: no echo back to the host, bytes as they come. */
	is_tty = !tcgetattr(tty, &saved);
	if (is_tty) {
		t = saved;
		cfmakeraw(&t);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		tcsetattr(tty, TCSANOW, &t);
	}
	for (;;) {
		char c;
		ssize_t n = read(tty, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			printf("pvgpu_busy_workload: %s ended before \"release\"\n", hold_path);
			atomic_store(&hold_error, 1);
			break;
		}
		if (c != '\n' && c != '\r') {
			if (len < sizeof(line) - 1)
				line[len++] = c;
			continue;
		}
		line[len] = 0;
		len = 0;
		if (strstr(line, "release"))
			break;
	}
	/* The console's output processing (\n to \r\n) back for what follows. */
	if (is_tty)
		tcsetattr(tty, TCSANOW, &saved);
	close(tty);
	atomic_store(&released, 1);
	return NULL;
}

static int setup(void)
{
	unsigned int vi, qi;
	int ret, last_syncobj[256];

	vms = calloc(num_vms, sizeof(*vms));
	queues = calloc(num_queues, sizeof(*queues));
	if (!vms || !queues)
		return -ENOMEM;
	for (qi = 0; qi < num_queues; qi++)
		vms[qi % num_vms].num_queues++;
	for (vi = 0; vi < num_vms; vi++) {
		vms[vi].index = vi;
		ret = vm_setup(&vms[vi]);
		if (ret) {
			printf("pvgpu_busy_workload: VM %u setup: %s\n", vi, strerror(-ret));
			return ret;
		}
		last_syncobj[vi] = -1;
	}
	for (qi = 0; qi < num_queues; qi++) {
		struct work_queue *q = &queues[qi];
		struct vm_state *v = &vms[qi % num_vms];

		q->vm = v->index;
		q->slot = qi / num_vms;
		q->engine_class = qi % 3 == 2 ? DRM_PVGPU_ENGINE_CLASS_COPY :
						DRM_PVGPU_ENGINE_CLASS_COMPUTE;
		q->wait = (enum wait_kind)((qi / num_vms) % 3);
		q->prev_syncobj_queue = -1;
		ret = pvgpu_queue_create(fd, v->id, q->engine_class, 0, 0, &q->id);
		if (ret) {
			printf("pvgpu_busy_workload: queue %u: %s\n", qi, strerror(-ret));
			return ret;
		}
		if (q->wait == WAIT_SYNCOBJ) {
			ret = pvgpu_syncobj_create(fd, 0, &q->syncobj);
			if (ret)
				return ret;
			q->prev_syncobj_queue = last_syncobj[v->index];
			last_syncobj[v->index] = (int)qi;
		}
	}
	return 0;
}

/* Every queue's next job, after waiting for its job that many back. */
static int round_robin(void)
{
	for (long qi = 0; qi < num_queues; qi++) {
		struct work_queue *q = &queues[qi];
		uint64_t n = q->submitted + 1;
		int ret;

		if (n > (uint64_t)inflight) {
			ret = wait_job(q, n - inflight);
			if (ret) {
				FAIL("queue %ld (%s): wait for job %llu: %s\n", qi,
				     wait_kind_name[q->wait],
				     (unsigned long long)(n - inflight), strerror(-ret));
				return ret;
			}
		}
		ret = submit_job(q, n);
		if (ret) {
			FAIL("queue %ld: EXEC of job %llu: %s\n", qi, (unsigned long long)n,
			     strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static void check_results(void)
{
	uint64_t vm_jobs[256] = { 0 };

	for (long qi = 0; qi < num_queues; qi++) {
		struct work_queue *q = &queues[qi];
		struct drm_pvgpu_queue_get_state st;
		uint64_t n = q->submitted;
		int ret;

		vm_jobs[q->vm] += n;
		if (*slot_ptr(q, SLOT_COUNTER) != n)
			FAIL("queue %ld: counter %llu, %llu jobs submitted\n", qi,
			     (unsigned long long)*slot_ptr(q, SLOT_COUNTER),
			     (unsigned long long)n);
		if (*slot_ptr(q, SLOT_LAST) != n)
			FAIL("queue %ld: last store %llu, not %llu\n", qi,
			     (unsigned long long)*slot_ptr(q, SLOT_LAST), (unsigned long long)n);
		if (q->wait == WAIT_SIGNAL && *slot_ptr(q, SLOT_SIGNAL) != n)
			FAIL("queue %ld: signalled %llu, not %llu\n", qi,
			     (unsigned long long)*slot_ptr(q, SLOT_SIGNAL),
			     (unsigned long long)n);
		if (q->wait == WAIT_UFENCE && q->ufence != n)
			FAIL("queue %ld: user fence %llu, not %llu\n", qi,
			     (unsigned long long)q->ufence, (unsigned long long)n);
		ret = pvgpu_queue_get_state(fd, q->id, &st);
		if (ret)
			FAIL("queue %ld: QUEUE_GET_STATE: %s\n", qi, strerror(-ret));
		else if (st.jobs_submitted != n || st.jobs_completed != n || st.flags ||
			 st.error || st.reason)
			FAIL("queue %ld: kernel says %llu submitted, %llu completed, flags 0x%x, error %d, reason %u; %llu submitted\n",
			     qi, (unsigned long long)st.jobs_submitted,
			     (unsigned long long)st.jobs_completed, st.flags, st.error,
			     st.reason, (unsigned long long)n);
	}
	for (long vi = 0; vi < num_vms; vi++) {
		struct vm_state *v = &vms[vi];
		uint64_t total = *(uint64_t *)(v->data + v->num_queues * SLOT_SIZE);
		struct drm_pvgpu_vm_get_state vs;
		struct drm_pvgpu_queue_get_state st;
		int ret;

		if (total != vm_jobs[vi])
			FAIL("VM %ld: total %llu, its queues ran %llu jobs\n", vi,
			     (unsigned long long)total, (unsigned long long)vm_jobs[vi]);
		if (v->churn_errors)
			FAIL("VM %ld: %u bind checks failed, first: %s\n", vi, v->churn_errors,
			     v->churn_error);
		ret = pvgpu_vm_get_state(fd, v->id, &vs);
		if (ret)
			FAIL("VM %ld: VM_GET_STATE: %s\n", vi, strerror(-ret));
		else if (vs.state != DRM_PVGPU_VM_STATE_USABLE || vs.num_mappings != 3)
			FAIL("VM %ld: state %u (error %d), %llu mappings, not 3\n", vi, vs.state,
			     vs.error, (unsigned long long)vs.num_mappings);
		ret = pvgpu_queue_get_state(fd, v->check_queue, &st);
		if (ret)
			FAIL("VM %ld: bind-check queue: %s\n", vi, strerror(-ret));
		else if ((!v->churn_errors && st.jobs_submitted != v->churn_rounds) ||
			 st.jobs_completed != st.jobs_submitted || st.flags)
			FAIL("VM %ld: bind-check queue: %llu jobs submitted, %llu completed, flags 0x%x; %llu rounds checked\n",
			     vi, (unsigned long long)st.jobs_submitted,
			     (unsigned long long)st.jobs_completed, st.flags,
			     (unsigned long long)v->churn_rounds);
	}
}

int main(int argc, char **argv)
{
	const struct pvgpu_bench_opt opts[] = {
		{ .letter = 'q', .value = &num_queues },
		{ .letter = 'v', .value = &num_vms },
		{ .letter = 'i', .value = &inflight },
		{ .letter = 't', .value = &duration_s },
		{ .value = &delay_us, .name = "delay-us" },
		{ .name = "hold", .str = &hold_path },
		{ .value = &after_rounds, .name = "after" },
	};
	const char *node = NULL;
	pthread_t holder;
	uint64_t t0, t_busy, jobs = 0, long_jobs = 0, jobs_at_release = 0;
	uint64_t churn = 0, rounds = 0, extra = 0;
	char path[64];
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = pvgpu_bench_args(argc, argv, opts, sizeof(opts) / sizeof(opts[0]), &node,
			       usage);
	if (ret >= 0)
		return ret;
	if (num_queues < 1 || num_queues > 1024 || num_vms < 1 || num_vms > 16 ||
	    num_vms > num_queues || inflight < 1 || inflight > 64 || duration_s < 0 ||
	    delay_us < 0 || after_rounds < 0) {
		usage(argv[0], stderr);
		return 2;
	}
	fd = pvgpu_bench_open_render(node, path, sizeof(path));
	if (fd < 0)
		return EXIT_NO_DEVICE;
	ret = setup();
	if (ret) {
		printf("pvgpu_busy_workload: FAIL: setup: %s\n", strerror(-ret));
		return 1;
	}
	if (hold_path && pthread_create(&holder, NULL, hold_thread, NULL)) {
		printf("pvgpu_busy_workload: FAIL: no thread\n");
		return 1;
	}
	for (long vi = 0; vi < num_vms; vi++)
		if (pthread_create(&vms[vi].thread, NULL, churn_thread, &vms[vi])) {
			printf("pvgpu_busy_workload: FAIL: no thread\n");
			return 1;
		}

	t0 = now_ns();
	t_busy = 0;
	for (;;) {
		ret = round_robin();
		if (ret)
			break;
		rounds++;
		if (rounds == (uint64_t)inflight) {
			t_busy = now_ns();
			printf("pvgpu_busy_workload: busy: %ld queues on %ld VMs, %ld jobs in flight each\n",
			       num_queues, num_vms, inflight);
		}
		if (rounds < (uint64_t)inflight)
			continue;
		if (!hold_path) {
			if (now_ns() - t_busy >= (uint64_t)duration_s * SEC)
				break;
			continue;
		}
		if (!atomic_load(&released))
			continue;
		if (!extra++) {
			for (long qi = 0; qi < num_queues; qi++)
				jobs_at_release += queues[qi].submitted;
			printf("pvgpu_busy_workload: released after %llu jobs; %ld more rounds\n",
			       (unsigned long long)jobs_at_release, after_rounds);
		}
		if (extra > (uint64_t)after_rounds)
			break;
	}
	printf("pvgpu_busy_workload: draining\n");
	for (long qi = 0; qi < num_queues; qi++) {
		struct work_queue *q = &queues[qi];
		int err;

		if (!q->submitted)
			continue;
		err = wait_job(q, q->submitted);
		if (err)
			FAIL("queue %ld (%s): wait for its last job %llu: %s\n", qi,
			     wait_kind_name[q->wait], (unsigned long long)q->submitted,
			     strerror(-err));
	}
	atomic_store(&stop_churn, 1);
	for (long vi = 0; vi < num_vms; vi++)
		pthread_join(vms[vi].thread, NULL);
	if (hold_path && atomic_load(&released))
		pthread_join(holder, NULL);
	if (hold_path && atomic_load(&hold_error))
		FAIL("the hold file failed before \"release\"\n");
	check_results();

	for (long qi = 0; qi < num_queues; qi++) {
		jobs += queues[qi].submitted;
		long_jobs += queues[qi].long_jobs;
	}
	for (long vi = 0; vi < num_vms; vi++)
		churn += vms[vi].churn_rounds;
	printf("pvgpu_busy_workload: %s: %ld queues on %ld VMs, %llu jobs (%llu long), "
	       "%llu bind map/store/unmap checks, %u mismatches, %.1f s%s\n",
	       failures || ret ? "FAIL" : "PASS", num_queues, num_vms,
	       (unsigned long long)jobs, (unsigned long long)long_jobs,
	       (unsigned long long)churn, failures, (now_ns() - t0) / 1e9,
	       hold_path ? (extra ? "" : " (never released)") : "");
	return failures || ret ? 1 : 0;
}
