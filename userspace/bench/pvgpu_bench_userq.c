// SPDX-License-Identifier: MIT
/*
 * pvgpu_bench_userq: what submission costs on a user queue against the
 * kernel path, in one run. In microseconds, each sample the time from the
 * start of a submission to the CPU seeing the value the job stored
 * (polling the memory, no system call on the way):
 *
 *   userq    a user queue: the STORE64 written to the ring, the write
 *            pointer stored, the doorbell written.
 *   exec     an exec queue: EXEC of a batch with the same STORE64, no
 *            sync (the bypass path: the submitter writes the kernel ring).
 *   ping     DRM_IOCTL_PVGPU_FW_PING round trip (needs CAP_SYS_ADMIN), the
 *            floor of any firmware interaction.
 *
 * and small jobs per second (a STORE32 each), first submission to the CPU
 * seeing the last value, on 1 and 16 user queues against 1 and 16 exec
 * queues.
 *
 * A benchmark prints figures; it asserts nothing about them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "libpvgpu.h"
#include "pvgpu_bench_args.h"
#include "pvgpu_bench_json.h"
#include "pvgpu_gpu.h"
#include "pvgpu_stats.h"
#include "pvgpu_user_queue.h"

#define EXIT_NO_DEVICE	77
#define MAX_QUEUES	16
#define RING_VA		0x300000000ull
#define RING_SIZE	0x10000u
#define DATA_VA		0x200000000ull
#define DATA_SIZE	0x10000u
#define BATCH_VA	0x400000000ull
#define BATCH_SIZE	0x200000u
#define BATCH_SLOT	0x40u	/* one STORE + BATCH_RETURN */
/* Batch slots: a throughput run never reuses one (-j at most this). */
#define BATCH_SLOTS	(BATCH_SIZE / BATCH_SLOT)
#define POLL_NS		10000000000ull

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void check(int ret, const char *what)
{
	if (ret) {
		fprintf(stderr, "pvgpu_bench_userq: %s: %s\n", what,
			strerror(-ret));
		exit(1);
	}
}

/* Spins until the 64-bit word at @p holds @v; the time it took, or exits. */
static void poll_for(const volatile uint64_t *p, uint64_t v, uint64_t t0)
{
	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) != v) {
		if (now_ns() - t0 > POLL_NS) {
			fprintf(stderr, "pvgpu_bench_userq: value %llu not seen after 10 s\n",
				(unsigned long long)v);
			exit(1);
		}
	}
}

struct bench {
	int fd;
	uint32_t vm;
	uint32_t data_bo, batch_bo;
	volatile uint64_t *data;
	uint32_t *batch;
	struct pvgpu_userq uq[MAX_QUEUES];
	uint32_t eq[MAX_QUEUES];
};

static void setup(struct bench *b)
{
	check(pvgpu_vm_create(b->fd, 0, &b->vm), "vm create");
	check(pvgpu_bo_create(b->fd, DATA_SIZE, 0, &b->data_bo), "bo create");
	b->data = pvgpu_bo_map(b->fd, b->data_bo, DATA_SIZE);
	if (!b->data)
		check(-errno, "bo map");
	check(pvgpu_bind_map(b->fd, b->vm, b->data_bo, 0, DATA_VA, DATA_SIZE,
			     0), "bind");
	check(pvgpu_bo_create(b->fd, BATCH_SIZE, 0, &b->batch_bo), "bo create");
	b->batch = pvgpu_bo_map(b->fd, b->batch_bo, BATCH_SIZE);
	if (!b->batch)
		check(-errno, "bo map");
	check(pvgpu_bind_map(b->fd, b->vm, b->batch_bo, 0, BATCH_VA,
			     BATCH_SIZE, DRM_PVGPU_VM_BIND_FLAG_READONLY),
	      "bind");
	for (int i = 0; i < MAX_QUEUES; i++) {
		check(pvgpu_userq_init(&b->uq[i], b->fd, b->vm,
				       DRM_PVGPU_ENGINE_CLASS_COPY,
				       RING_VA + (uint64_t)i * RING_SIZE,
				       RING_SIZE), "user queue create");
		check(pvgpu_queue_create(b->fd, b->vm,
					 DRM_PVGPU_ENGINE_CLASS_COPY, 0, 0,
					 &b->eq[i]), "exec queue create");
	}
}

static void teardown(struct bench *b)
{
	for (int i = 0; i < MAX_QUEUES; i++) {
		pvgpu_userq_fini(&b->uq[i]);
		pvgpu_queue_destroy(b->fd, b->eq[i]);
	}
	pvgpu_vm_destroy(b->fd, b->vm);
}

/* Submits a STORE64 of @v to slot @slot of the data buffer on user queue @q. */
static void userq_store(struct bench *b, int q, int slot, uint64_t v)
{
	struct pvgpu_batch cmd;
	int ret;

	pvgpu_batch_reset(&cmd);
	pvgpu_batch_store64(&cmd, DATA_VA + slot * 8, v);
	while ((ret = pvgpu_userq_submit(&b->uq[q], &cmd)) == -ENOSPC)
		;
	check(ret, "user queue submit");
}

/*
 * The same as an EXEC, from batch slot @n of the batch buffer. Slots are
 * reused round robin: a latency sample's job completed before the next
 * one is written, and a throughput run (at most BATCH_SLOTS jobs, all
 * seen complete before the next run) uses each slot once.
 */
static void exec_store(struct bench *b, int q, long n, int slot, uint64_t v)
{
	uint32_t off = (uint32_t)(n % BATCH_SLOTS) * BATCH_SLOT;
	struct pvgpu_batch cmd;
	int ret;

	pvgpu_batch_reset(&cmd);
	pvgpu_batch_store64(&cmd, DATA_VA + slot * 8, v);
	pvgpu_batch_end(&cmd);
	memcpy((char *)b->batch + off, cmd.dw, cmd.len * 4);
	while ((ret = pvgpu_exec(b->fd, b->eq[q], BATCH_VA + off, NULL, 0)) ==
	       -EWOULDBLOCK)
		usleep(20);
	check(ret, "exec");
}

/* Latency samples (us): submission start to the CPU seeing the value. */
static void latency(struct bench *b, int user, long n, double *out)
{
	for (long i = 0; i < n; i++) {
		uint64_t v = (uint64_t)(user ? 1 : 2) << 40 | (uint64_t)i;
		uint64_t t0 = now_ns();

		if (user)
			userq_store(b, 0, 0, v);
		else
			exec_store(b, 0, i, 0, v);
		poll_for(&b->data[0], v, t0);
		out[i] = (double)(now_ns() - t0) / 1000.0;
	}
}

/*
 * Jobs per second: @jobs STORE32 jobs round robin over @nq queues, each
 * queue's last one storing a marker the CPU polls for.
 */
static double throughput(struct bench *b, int user, int nq, long jobs,
			 uint64_t tag)
{
	uint64_t t0 = now_ns(), dt;
	long i;

	for (i = 0; i < jobs; i++) {
		int q = (int)(i % nq);
		uint64_t v = tag | (uint64_t)i;

		if (user)
			userq_store(b, q, 1 + q, v);
		else
			exec_store(b, q, i, 1 + q, v);
	}
	for (int q = 0; q < nq; q++) {
		long last = jobs - nq + q;

		poll_for(&b->data[1 + q], tag | (uint64_t)last, t0);
	}
	dt = now_ns() - t0;
	return (double)jobs * 1e9 / (double)dt;
}

static void print_row(const char *name, const struct pvgpu_stats *s)
{
	printf("%-10s %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f\n", name, s->median,
	       s->p10, s->p90, s->p99, s->min, s->max);
}

static void usage(const char *argv0, FILE *f)
{
	fprintf(f,
		"Usage: %s [-n N] [-j JOBS] [-d NODE] [--json FILE]\n"
		"  -n N     latency samples per path and pings (default 1000)\n"
		"  -j JOBS  jobs for the throughput runs (default 20000, at most 32768)\n"
		"  -d NODE  DRM node (default: the first pvgpu render node)\n"
		"  --json FILE  also write every figure to FILE as JSON\n",
		argv0);
}

int main(int argc, char **argv)
{
	long n = 1000, jobs = 20000, pings = 0;
	const char *node = NULL, *json_path = NULL;
	struct pvgpu_bench_json *json;
	struct pvgpu_stats su, se, sp;
	double *user, *exec, *ping;
	double u1, u16, e1, e16;
	const struct pvgpu_bench_opt opts[] = {
		{ .letter = 'n', .value = &n },
		{ .letter = 'j', .value = &jobs },
		{ .name = "json", .str = &json_path },
	};
	static struct bench b;
	char path[256];
	int fd;

	fd = pvgpu_bench_args(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
			      &node, usage);
	if (fd >= 0)
		return fd;
	if (n < 1 || jobs < MAX_QUEUES || jobs > (long)BATCH_SLOTS) {
		usage(argv[0], stderr);
		return 2;
	}
	fd = pvgpu_bench_open_render(node, path, sizeof(path));
	if (fd < 0)
		return EXIT_NO_DEVICE;
	json = pvgpu_bench_json_open(json_path, "pvgpu_bench_userq");
	if (json_path && !json)
		return 1;
	pvgpu_bench_json_options(json, opts, sizeof(opts) / sizeof(opts[0]));
	pvgpu_bench_json_cond_str(json, "device", path);

	b.fd = fd;
	setup(&b);
	user = calloc(n, sizeof(double));
	exec = calloc(n, sizeof(double));
	ping = calloc(n, sizeof(double));
	if (!user || !exec || !ping)
		return 1;

	/* Warm-up, then the measured runs, interleaved per path. */
	latency(&b, 1, n / 10 + 1, user);
	latency(&b, 0, n / 10 + 1, exec);
	latency(&b, 1, n, user);
	latency(&b, 0, n, exec);
	for (long i = 0; i < n; i++) {
		struct drm_pvgpu_fw_ping p;
		uint64_t t0 = now_ns();

		if (pvgpu_fw_ping(fd, i, &p))
			break;
		ping[pings++] = (double)(now_ns() - t0) / 1000.0;
	}
	u1 = throughput(&b, 1, 1, jobs, 3ull << 40);
	e1 = throughput(&b, 0, 1, jobs, 4ull << 40);
	u16 = throughput(&b, 1, MAX_QUEUES, jobs, 5ull << 40);
	e16 = throughput(&b, 0, MAX_QUEUES, jobs, 6ull << 40);

	su = pvgpu_stats_compute(user, n);
	se = pvgpu_stats_compute(exec, n);
	printf("pvgpu_bench_userq on %s: %ld samples, submission to the stored value seen by the CPU\n",
	       path, n);
	printf("%-10s %9s %9s %9s %9s %9s %9s   (us)\n", "", "median", "p10",
	       "p90", "p99", "min", "max");
	print_row("userq", &su);
	print_row("exec", &se);
	pvgpu_bench_json_figure(json, "userq_store_seen", "userq", "us", n,
				&su);
	pvgpu_bench_json_figure(json, "userq_exec_store_seen", "exec", "us", n,
				&se);
	printf("ratio exec/userq %.2f (medians)\n", se.median / su.median);
	pvgpu_bench_json_value(json, "userq_exec_per_userq",
			       "ratio exec/userq", "ratio",
			       se.median / su.median);
	if (pings) {
		sp = pvgpu_stats_compute(ping, pings);
		print_row("fw-ping", &sp);
		printf("ratio userq/ping %.2f, exec/ping %.2f (medians)\n",
		       su.median / sp.median, se.median / sp.median);
		pvgpu_bench_json_figure(json, "userq_fw_ping", "fw-ping", "us",
					pings, &sp);
		pvgpu_bench_json_value(json, "userq_per_ping",
				       "ratio userq/ping", "ratio",
				       su.median / sp.median);
	} else {
		printf("fw-ping    not measured (needs CAP_SYS_ADMIN)\n");
	}
	printf("throughput (%ld STORE32 jobs): user queues %.0f jobs/s on 1, %.0f on %d;\n"
	       "                               exec queues %.0f jobs/s on 1, %.0f on %d\n",
	       jobs, u1, u16, MAX_QUEUES, e1, e16, MAX_QUEUES);
	pvgpu_bench_json_value(json, "userq_jobs_1q", "user queue jobs, 1 queue",
			       "jobs/s", u1);
	pvgpu_bench_json_value(json, "userq_jobs_16q",
			       "user queue jobs, 16 queues", "jobs/s", u16);
	pvgpu_bench_json_value(json, "userq_exec_jobs_1q",
			       "exec jobs, 1 queue", "jobs/s", e1);
	pvgpu_bench_json_value(json, "userq_exec_jobs_16q",
			       "exec jobs, 16 queues", "jobs/s", e16);

	teardown(&b);
	close(fd);
	return pvgpu_bench_json_close(json) ? 1 : 0;
}
