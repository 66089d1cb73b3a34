// SPDX-License-Identifier: MIT
/*
 * pvgpu_bench_exec: what an exec job costs. In microseconds:
 *
 *   bypass   submit-to-signal latency of a no-op job (num_batch 0, an
 *            out-syncobj, no in-sync): EXEC ioctl start to the end of the
 *            syncobj wait. The job takes the bypass path (written to the
 *            ring by the submitter).
 *   signal   the same jobs, EXEC ioctl start to the time the kernel
 *            signalled the job's fence (its timestamp, read back through
 *            a sync_file): submit-to-signal without the waiter's wake-up.
 *   queued   the same with an in-syncobj that another queue's job,
 *            submitted just before, signals: a DELAY of GATE_NS device
 *            time, so the job waits in the dependency queue and the
 *            worker starts it (the latency includes the gate's delay;
 *            debugfs, if readable, says how many jobs really waited).
 *   ping     DRM_IOCTL_PVGPU_FW_PING round trip (needs CAP_SYS_ADMIN), the
 *            floor of any firmware interaction, in the same run for the
 *            ratio.
 *   ioctl    round trip of an EXEC that the driver refuses at its first
 *            check (an unknown flag, -EINVAL): what any ioctl costs before
 *            the driver does anything (system call, LSM hook, DRM core),
 *            the part of the bypass latency that is not the driver's.
 *
 * and jobs per second: N no-op jobs on 1 queue and spread over 16 queues,
 * first submit to the last fence.
 *
 * A benchmark prints figures; it asserts nothing about them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/sync_file.h>

#include "libpvgpu.h"
#include "pvgpu_bench_args.h"
#include "pvgpu_bench_json.h"
#include "pvgpu_stats.h"
#include "pvgpu_gpu.h"

#define EXIT_NO_DEVICE 77
#define MAX_QUEUES 16

static void print_row(const char *name, const struct pvgpu_stats *s)
{
	printf("%-10s %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f\n", name, s->median,
	       s->p10, s->p90, s->p99, s->min, s->max);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#define GATE_NS 100000
#define GATE_VA 0x100000000ull

static int exec_batch(int fd, uint32_t queue, uint64_t batch,
		      const struct drm_pvgpu_sync *s, uint32_t n)
{
	struct drm_pvgpu_exec e = {
		.queue_id = queue,
		.num_batch = !!batch,
		.batch_address = batch,
		.num_syncs = n,
		.syncs = (uintptr_t)s,
	};

	for (;;) {
		if (!ioctl(fd, DRM_IOCTL_PVGPU_EXEC, &e))
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

static int exec_noop(int fd, uint32_t queue, const struct drm_pvgpu_sync *s,
		     uint32_t n)
{
	return exec_batch(fd, queue, 0, s, n);
}

static int reset_syncobj(int fd, uint32_t h)
{
	struct drm_syncobj_array a = { .handles = (uintptr_t)&h,
				       .count_handles = 1 };

	return ioctl(fd, DRM_IOCTL_SYNCOBJ_RESET, &a) ? -errno : 0;
}

static int check(int ret, const char *what)
{
	if (ret) {
		fprintf(stderr, "%s: %s\n", what, strerror(-ret));
		exit(1);
	}
	return ret;
}

/*
 * When the kernel signalled the fence in syncobj @h (CLOCK_MONOTONIC ns,
 * the clock now_ns() reads), read back through a sync_file; 0 if unknown.
 */
static uint64_t fence_signal_ns(int fd, uint32_t h)
{
	struct drm_syncobj_handle a = {
		.handle = h,
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
		.fd = -1,
	};
	struct sync_fence_info fi = { 0 };
	struct sync_file_info info = {
		.num_fences = 1,
		.sync_fence_info = (uintptr_t)&fi,
	};
	uint64_t ts = 0;

	if (ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &a))
		return 0;
	if (!ioctl(a.fd, SYNC_IOC_FILE_INFO, &info) && fi.status == 1)
		ts = fi.timestamp_ns;
	close(a.fd);
	return ts;
}

/*
 * Latency samples (us) of @n no-op jobs on @q, gated by @gate if non-0:
 * to the waiter woken in @out, to the fence's signal time in @signal (if
 * not NULL; *@nsignal samples, those whose time could be read).
 */
static void latency(int fd, uint32_t q, uint32_t gate, long n, double *out,
		    double *signal, long *nsignal)
{
	uint32_t done, g;
	struct drm_pvgpu_sync s[2];

	check(pvgpu_syncobj_create(fd, 0, &done), "syncobj");
	check(pvgpu_syncobj_create(fd, 0, &g), "syncobj");
	for (long i = 0; i < n; i++) {
		uint32_t ns = 0;
		uint64_t t0;

		check(reset_syncobj(fd, done), "reset");
		if (gate) {
			check(reset_syncobj(fd, g), "reset");
			s[0] = pvgpu_sync_syncobj(g, 1);
			check(exec_batch(fd, gate, GATE_VA, s, 1), "gate exec");
			s[ns++] = pvgpu_sync_syncobj(g, 0);
		}
		s[ns++] = pvgpu_sync_syncobj(done, 1);
		t0 = now_ns();
		check(exec_noop(fd, q, s, ns), "exec");
		check(pvgpu_syncobj_wait(fd, done, 0, 10000000000ll), "wait");
		out[i] = (double)(now_ns() - t0) / 1000.0;
		if (signal) {
			uint64_t ts = fence_signal_ns(fd, done);

			if (ts > t0)
				signal[(*nsignal)++] = (double)(ts - t0) / 1000.0;
		}
	}
	pvgpu_syncobj_destroy(fd, done);
	pvgpu_syncobj_destroy(fd, g);
}

/*
 * A submission the queue refused because it holds max_jobs_per_queue jobs
 * (-EWOULDBLOCK) is retried after a short sleep: the throughput runs
 * submit faster than a queue may fill. Counted in *@full.
 */
static int exec_noop_retry(int fd, uint32_t queue,
			   const struct drm_pvgpu_sync *s, uint32_t n, long *full)
{
	int ret;

	while ((ret = exec_noop(fd, queue, s, n)) == -EWOULDBLOCK) {
		(*full)++;
		usleep(50);
	}
	return ret;
}

/* Jobs per second: @jobs no-op jobs round-robin over @nq queues. */
static double throughput(int fd, const uint32_t *queues, int nq, long jobs,
			 long *full)
{
	uint32_t tl;
	uint64_t t0, dt;

	check(pvgpu_syncobj_create(fd, 0, &tl), "syncobj");
	t0 = now_ns();
	for (long i = 0; i < jobs; i++) {
		int q = i % nq;
		/* The last job of each queue signals its own point. */
		if (i >= jobs - nq) {
			struct drm_pvgpu_sync s =
				pvgpu_sync_timeline(tl, i - (jobs - nq) + 1, 1);

			check(exec_noop_retry(fd, queues[q], &s, 1, full),
			      "exec");
		} else {
			check(exec_noop_retry(fd, queues[q], NULL, 0, full),
			      "exec");
		}
	}
	for (int q = 0; q < nq; q++)
		check(pvgpu_syncobj_wait(fd, tl, q + 1, 60000000000ll), "wait");
	dt = now_ns() - t0;
	pvgpu_syncobj_destroy(fd, tl);
	return (double)jobs * 1e9 / (double)dt;
}

/*
 * Jobs started by their submitter (bypass path) so far, summed over every
 * queue of every pvgpu device from debugfs; -1 if it cannot be read.
 */
static long long debugfs_bypassed(void)
{
	long long sum = -1;
	char path[64], line[256];

	for (int minor = 0; minor < 64; minor++) {
		FILE *f;

		snprintf(path, sizeof(path), "/sys/kernel/debug/dri/%d/queues", minor);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (sum < 0)
			sum = 0;
		while (fgets(line, sizeof(line), f)) {
			char *p = strstr(line, "bypassed ");

			if (p)
				sum += strtoll(p + 9, NULL, 10);
		}
		fclose(f);
	}
	return sum;
}

static void usage(const char *argv0, FILE *f)
{
	fprintf(f,
		"Usage: %s [-n N] [-j JOBS] [-d NODE] [--json FILE]\n"
		"  -n N     latency samples per path and pings (default 1000)\n"
		"  -j JOBS  jobs for the throughput runs (default 20000)\n"
		"  -d NODE  DRM node (default: the first pvgpu render node)\n"
		"  --json FILE  also write every figure to FILE as JSON\n",
		argv0);
}

int main(int argc, char **argv)
{
	long n = 1000, jobs = 20000;
	const char *node = NULL, *json_path = NULL;
	struct pvgpu_bench_json *json;
	uint32_t vm, queues[MAX_QUEUES], gate;
	double *bypass, *queued, *ping, *signal, *nullio;
	long nsignal = 0;
	struct pvgpu_stats sb, sq, sp;
	double jps1, jps16;
	long full1 = 0, full16 = 0;
	long pings = 0;
	long long byp0, byp1;
	const struct pvgpu_bench_opt opts[] = {
		{ .letter = 'n', .value = &n },
		{ .letter = 'j', .value = &jobs },
		{ .name = "json", .str = &json_path },
	};
	char path[256];
	int fd;

	fd = pvgpu_bench_args(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
			      &node, usage);
	if (fd >= 0)
		return fd;
	if (n < 1 || jobs < MAX_QUEUES) {
		usage(argv[0], stderr);
		return 2;
	}
	fd = pvgpu_bench_open_render(node, path, sizeof(path));
	if (fd < 0)
		return EXIT_NO_DEVICE;
	json = pvgpu_bench_json_open(json_path, "pvgpu_bench_exec");
	if (json_path && !json)
		return 1;
	pvgpu_bench_json_options(json, opts, sizeof(opts) / sizeof(opts[0]));
	pvgpu_bench_json_cond_str(json, "device", path);

	check(pvgpu_vm_create(fd, 0, &vm), "vm create");
	for (int i = 0; i < MAX_QUEUES; i++)
		check(pvgpu_queue_create(fd, vm, DRM_PVGPU_ENGINE_CLASS_COPY, 0, 0,
					 &queues[i]), "queue create");
	check(pvgpu_queue_create(fd, vm, DRM_PVGPU_ENGINE_CLASS_COPY, 0, 0,
				 &gate), "queue create");
	{
		struct pvgpu_batch b;
		uint32_t bo;
		void *map;

		check(pvgpu_bo_create(fd, 4096, 0, &bo), "bo create");
		map = pvgpu_bo_map(fd, bo, 4096);
		if (!map)
			check(-errno, "bo map");
		pvgpu_batch_reset(&b);
		pvgpu_batch_delay(&b, GATE_NS, 0);
		pvgpu_batch_end(&b);
		memcpy(map, b.dw, b.len * 4);
		check(pvgpu_bind_map(fd, vm, bo, 0, GATE_VA, 4096,
				     DRM_PVGPU_VM_BIND_FLAG_READONLY), "bind");
	}

	bypass = calloc(n, sizeof(double));
	queued = calloc(n, sizeof(double));
	ping = calloc(n, sizeof(double));
	signal = calloc(n, sizeof(double));
	nullio = calloc(n, sizeof(double));
	if (!bypass || !queued || !ping || !signal || !nullio)
		return 1;

	/* Warm-up, then the measured runs. */
	latency(fd, queues[0], 0, n / 10 + 1, bypass, NULL, NULL);
	latency(fd, queues[0], 0, n, bypass, signal, &nsignal);
	byp0 = debugfs_bypassed();
	latency(fd, queues[0], gate, n, queued, NULL, NULL);
	byp1 = debugfs_bypassed();
	for (long i = 0; i < n; i++) {
		struct drm_pvgpu_fw_ping p;
		uint64_t t0 = now_ns();

		if (pvgpu_fw_ping(fd, i, &p))
			break;
		ping[pings++] = (double)(now_ns() - t0) / 1000.0;
	}
	for (long i = 0; i < n; i++) {
		struct drm_pvgpu_exec e = {
			.queue_id = queues[0],
			.flags = 1u << 31,	/* unknown: refused first */
		};
		uint64_t t0 = now_ns();

		if (ioctl(fd, DRM_IOCTL_PVGPU_EXEC, &e) != -1 || errno != EINVAL) {
			fprintf(stderr, "refused EXEC: expected EINVAL\n");
			return 1;
		}
		nullio[i] = (double)(now_ns() - t0) / 1000.0;
	}
	jps1 = throughput(fd, queues, 1, jobs, &full1);
	jps16 = throughput(fd, queues, MAX_QUEUES, jobs, &full16);

	sb = pvgpu_stats_compute(bypass, n);
	sq = pvgpu_stats_compute(queued, n);
	printf("pvgpu_bench_exec on %s: %ld samples, no-op jobs (num_batch 0)\n",
	       path, n);
	printf("%-10s %9s %9s %9s %9s %9s %9s   (us)\n", "", "median", "p10",
	       "p90", "p99", "min", "max");
	print_row("bypass", &sb);
	if (nsignal) {
		struct pvgpu_stats ss = pvgpu_stats_compute(signal, nsignal);

		print_row("signal", &ss);
		pvgpu_bench_json_figure(json, "exec_bypass_signal", "signal",
					"us", nsignal, &ss);
	} else {
		printf("signal     not measured (no sync_file timestamp)\n");
	}
	print_row("queued", &sq);
	pvgpu_bench_json_figure(json, "exec_bypass", "bypass", "us", n, &sb);
	pvgpu_bench_json_figure(json, "exec_queued", "queued", "us", n, &sq);
	printf("           (signal: the bypass jobs to their fence's signal time;\n"
	       "            queued: includes the gate job's %u us DELAY)\n",
	       GATE_NS / 1000);
	if (pings) {
		sp = pvgpu_stats_compute(ping, pings);
		print_row("fw-ping", &sp);
		printf("ratio bypass/ping %.2f, queued/ping %.2f (medians)\n",
		       sb.median / sp.median, sq.median / sp.median);
		pvgpu_bench_json_figure(json, "exec_fw_ping", "fw-ping", "us",
					pings, &sp);
		pvgpu_bench_json_value(json, "exec_bypass_per_ping",
				       "ratio bypass/ping", "ratio",
				       sb.median / sp.median);
		pvgpu_bench_json_value(json, "exec_queued_per_ping",
				       "ratio queued/ping", "ratio",
				       sq.median / sp.median);
	} else {
		printf("fw-ping    not measured (needs CAP_SYS_ADMIN)\n");
	}
	{
		struct pvgpu_stats sn = pvgpu_stats_compute(nullio, n);

		print_row("ioctl", &sn);
		printf("           (ioctl: an EXEC refused at its first check)\n");
		pvgpu_bench_json_figure(json, "exec_refused_ioctl",
					"ioctl refused at its first check",
					"us", n, &sn);
	}
	/* Every gate job is bypassed (its queue idles); the rest are ours. */
	if (byp0 >= 0 && byp1 >= 0) {
		printf("queued path: %lld of %ld gated jobs waited for their in-fence (debugfs)\n",
		       n - (byp1 - byp0 - n), n);
		pvgpu_bench_json_value(json, "exec_queued_waited",
				       "queued path: gated jobs that waited",
				       "jobs", (double)(n - (byp1 - byp0 - n)));
	}
	printf("throughput: %ld jobs on 1 queue: %.0f jobs/s; on %d queues: %.0f jobs/s\n",
	       jobs, jps1, MAX_QUEUES, jps16);
	printf("            (submissions refused by a full queue and retried: %ld, %ld)\n",
	       full1, full16);
	pvgpu_bench_json_value(json, "exec_jobs_1q", "throughput, 1 queue",
			       "jobs/s", jps1);
	pvgpu_bench_json_value(json, "exec_jobs_16q", "throughput, 16 queues",
			       "jobs/s", jps16);

	for (int i = 0; i < MAX_QUEUES; i++)
		pvgpu_queue_destroy(fd, queues[i]);
	pvgpu_queue_destroy(fd, gate);
	pvgpu_vm_destroy(fd, vm);
	close(fd);
	return pvgpu_bench_json_close(json) ? 1 : 0;
}
