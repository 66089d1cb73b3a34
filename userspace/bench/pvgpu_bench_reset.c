// SPDX-License-Identifier: MIT
/*
 * pvgpu_bench_reset: how long the device takes from a failure to doing
 * work again (docs/reset.rst). N times: a copy queue and a compute queue
 * of one VM are busy with long jobs and a third queue has a job waiting on
 * its ring, then the firmware crashes (the device's test register, through
 * debugfs inject_device: QEMU's x-guest-inject=on, root). Three
 * distributions in microseconds:
 *
 *   detect     the crash write to DRM_PVGPU_QUERY_DEVICE reset_count
 *              moving (the driver noticed, reset, rebooted, recovered);
 *   driver     the driver's own request-to-recovered time (debugfs
 *              reset_state last_ns);
 *   usable     the crash write to a new job's completion on a queue that
 *              was idle before the crash;
 *   baseline   the same job on the same queue before any crash.
 *
 * Then, with --pm N (default 10; 0: none), N system suspend/resume round
 * trips through /sys/power/pm_test "devices" (every device's callbacks,
 * no real sleep) while 16 queues of one VM are busy:
 *
 *   pm_cycle    the write to /sys/power/state, whole (freezing tasks and
 *               every device's callbacks included);
 *   pm_suspend  the driver's suspend callback (debugfs reset_state);
 *   pm_resume   the driver's resume callback.
 *
 * The driver's reset-storm limit is raised to 32 a minute for the run
 * (module parameter max_resets_per_minute, put back to 10 at the end).
 * A benchmark prints figures; it asserts nothing about them. Exit 77 when
 * the device has no test register or debugfs is not writable.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libpvgpu.h"
#include "pvgpu_bench_args.h"
#include "pvgpu_bench_json.h"
#include "pvgpu_cmds.h"
#include "pvgpu_gpu.h"
#include "pvgpu_regs.h"
#include "pvgpu_stats.h"

#define EXIT_NO_DEVICE	77
#define MAX_RESETS	"/sys/module/pvgpu/parameters/max_resets_per_minute"
#define SEC		1000000000ll
#define DATA_VA		0x200000000ull

static char dbg[PATH_MAX];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int write_file(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	int ret = 0;

	if (!f)
		return -errno;
	if (fputs(val, f) < 0)
		ret = -EIO;
	if (fclose(f))
		ret = -errno;
	return ret;
}

/* The debugfs directory of the device whose render node is @node. */
static int find_debugfs(const char *node)
{
	int minor = atoi(strrchr(node, 'D') + 1);
	char path[PATH_MAX + 32];

	/* render minors are 128 + the primary's; debugfs is by primary. */
	snprintf(dbg, sizeof(dbg), "/sys/kernel/debug/dri/%d", minor - 128);
	snprintf(path, sizeof(path), "%s/inject_device", dbg);
	return access(path, W_OK) ? -errno : 0;
}

static uint64_t query_resets(int fd)
{
	struct drm_pvgpu_query_device dev;
	uint32_t size = sizeof(dev);
	void *p = pvgpu_query_alloc(fd, DRM_PVGPU_QUERY_DEVICE, &size);

	if (!p)
		return 0;
	memcpy(&dev, p, sizeof(dev));
	free(p);
	return dev.reset_count;
}

static void row(struct pvgpu_bench_json *json, const char *name,
		const char *label, double *v, long n)
{
	struct pvgpu_stats s = pvgpu_stats_compute(v, n);

	printf("%-8s median %9.1f us  p10 %9.1f  p90 %9.1f  min %9.1f  max %9.1f\n",
	       name, s.median, s.p10, s.p90, s.min, s.max);
	pvgpu_bench_json_figure(json, name, label, "us", n, &s);
}

/* A "NAME: N" line of debugfs reset_state, 0 if missing. */
static uint64_t reset_state(const char *name)
{
	char path[PATH_MAX + 32], line[128];
	size_t len = strlen(name);
	uint64_t v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/reset_state", dbg);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, len) && line[len] == ':')
			v = strtoull(line + len + 1, NULL, 10);
	fclose(f);
	return v;
}

/* A job on the queue that was idle before the crash; 0 if it ran right. */
static int run_idle(int fd, struct pvgpu_ctx *idle, const struct pvgpu_batch *b,
		    long i)
{
	struct drm_pvgpu_queue_get_state st = { 0 };
	int rc = pvgpu_ctx_run(idle, b, 10 * SEC);

	pvgpu_queue_get_state(fd, idle->queue_id, &st);
	/* Done, and done right: the queue was not reset. */
	if (!rc && st.flags)
		rc = st.error ? st.error : -EIO;
	if (rc)
		fprintf(stderr, "the idle queue did not run after reset %ld: %d (flags %#x, reason %u, error %d)\n",
			i, rc, st.flags, st.reason, st.error);
	return rc;
}

#define PM_QUEUES	16

/*
 * @n pm_test round trips with PM_QUEUES queues of @ctx's VM busy with one
 * long job each (its batch at offset 0x8000 of @ctx's batch buffer); 0, or
 * 1 on error.
 */
static int bench_pm(int fd, struct pvgpu_ctx *ctx, long n,
		    struct pvgpu_bench_json *json)
{
	uint32_t queues[PM_QUEUES];
	struct pvgpu_batch longb;
	double *cycle, *susp, *res;
	long i;
	int q;

	cycle = calloc(n, sizeof(*cycle));
	susp = calloc(n, sizeof(*susp));
	res = calloc(n, sizeof(*res));
	if (!cycle || !susp || !res)
		return 1;
	pvgpu_batch_reset(&longb);
	pvgpu_batch_delay(&longb, 60 * SEC, 0);
	pvgpu_batch_end(&longb);
	memcpy((char *)ctx->batch_map + 0x8000, longb.dw, longb.len * 4);
	for (q = 0; q < PM_QUEUES; q++) {
		if (pvgpu_queue_create(fd, ctx->vm_id, q % 2 ?
				       DRM_PVGPU_ENGINE_CLASS_COMPUTE :
				       DRM_PVGPU_ENGINE_CLASS_COPY, 0, 0,
				       &queues[q])) {
			perror("busy queue");
			return 1;
		}
		pvgpu_exec(fd, queues[q], PVGPU_CTX_BATCH_VA + 0x8000, NULL, 0);
	}
	write_file("/sys/module/suspend/parameters/pm_test_delay", "0");
	if (write_file("/sys/power/pm_test", "devices")) {
		fprintf(stderr, "no /sys/power/pm_test (CONFIG_PM_DEBUG)\n");
		return 1;
	}
	for (i = 0; i < n; i++) {
		uint64_t t0 = now_ns();

		if (write_file("/sys/power/state", "mem")) {
			perror("/sys/power/state");
			write_file("/sys/power/pm_test", "none");
			return 1;
		}
		cycle[i] = (now_ns() - t0) / 1000.0;
		susp[i] = reset_state("pm_suspend_ns") / 1000.0;
		res[i] = reset_state("pm_resume_ns") / 1000.0;
	}
	write_file("/sys/power/pm_test", "none");
	printf("pvgpu_bench_reset: %ld suspend/resume round trips (pm_test devices, mem), %d busy queues\n",
	       n, PM_QUEUES);
	row(json, "pm_cycle", "suspend/resume round trip, whole", cycle, n);
	row(json, "pm_suspend", "driver suspend callback", susp, n);
	row(json, "pm_resume", "driver resume callback", res, n);
	for (q = 0; q < PM_QUEUES; q++)
		pvgpu_queue_destroy(fd, queues[q]);
	free(cycle);
	free(susp);
	free(res);
	return 0;
}

static void usage(const char *argv0, FILE *f)
{
	fprintf(f,
		"Usage: %s [-n N] [--pm N] [-d NODE] [--json FILE]\n"
		"  -n N     injected crashes (default 20, at most 32)\n"
		"  --pm N   suspend/resume round trips (default 10, 0: none)\n"
		"  -d NODE  DRM node to use (default: the first pvgpu render node)\n"
		"  --json FILE  also write every figure to FILE as JSON\n",
		argv0);
}

int main(int argc, char **argv)
{
	long n = 20, pm = 10;
	const char *node = NULL, *json_path = NULL;
	const struct pvgpu_bench_opt opts[] = {
		{ .letter = 'n', .value = &n },
		{ .name = "pm", .value = &pm },
		{ .name = "json", .str = &json_path },
	};
	struct pvgpu_bench_json *json;
	double *detect, *driver, *usable, *baseline;
	struct pvgpu_ctx busy_copy, busy_comp, idle;
	char path[256] = "", inj[PATH_MAX + 32], val[32];
	struct pvgpu_batch b;
	uint32_t data_bo;
	int rc, fd;
	long i;

	rc = pvgpu_bench_args(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
			      &node, usage);
	if (rc >= 0)
		return rc;
	if (n < 1 || pm < 0) {
		usage(argv[0], stderr);
		return 2;
	}
	fd = pvgpu_bench_open_render(node, path, sizeof(path));
	if (fd < 0)
		return EXIT_NO_DEVICE;
	if (find_debugfs(path)) {
		fprintf(stderr, "no writable %s/inject_device: needs root and x-guest-inject=on\n",
			dbg);
		return EXIT_NO_DEVICE;
	}
	snprintf(inj, sizeof(inj), "%s/inject_device", dbg);
	snprintf(val, sizeof(val), "%u", PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_CRASH, 0));

	/* The crashes come faster than the driver allows by default. */
	if (n > 32 || write_file(MAX_RESETS, "32")) {
		fprintf(stderr, "-n above 32, or %s not writable\n", MAX_RESETS);
		return 2;
	}
	detect = calloc(n, sizeof(*detect));
	driver = calloc(n, sizeof(*driver));
	usable = calloc(n, sizeof(*usable));
	baseline = calloc(n, sizeof(*baseline));
	if (!detect || !driver || !usable || !baseline)
		return 1;
	json = pvgpu_bench_json_open(json_path, "pvgpu_bench_reset");
	pvgpu_bench_json_options(json, opts, sizeof(opts) / sizeof(opts[0]));

	if (pvgpu_ctx_init(&idle, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY)) {
		perror("context");
		return 1;
	}
	/* A store into a buffer of its own (the batch buffer is read-only). */
	if (pvgpu_bo_create(fd, 0x1000, 0, &data_bo) ||
	    pvgpu_bind_map(fd, idle.vm_id, data_bo, 0, DATA_VA, 0x1000, 0)) {
		perror("data buffer");
		return 1;
	}
	pvgpu_batch_reset(&b);
	pvgpu_batch_store32(&b, DATA_VA, 1);
	pvgpu_batch_end(&b);

	/* The same job on the same queue with nothing failing, for scale. */
	for (i = 0; i < n; i++) {
		uint64_t t0 = now_ns();

		if (run_idle(fd, &idle, &b, -1))
			return 1;
		baseline[i] = (now_ns() - t0) / 1000.0;
	}

	for (i = 0; i < n; i++) {
		struct pvgpu_batch longb;
		uint64_t before = query_resets(fd), t0, t;

		/* Busy queues, created anew: a crash bans the ones that ran. */
		if (pvgpu_ctx_init(&busy_copy, fd, 0, DRM_PVGPU_ENGINE_CLASS_COPY) ||
		    pvgpu_ctx_init(&busy_comp, fd, 0, DRM_PVGPU_ENGINE_CLASS_COMPUTE)) {
			perror("busy contexts");
			return 1;
		}
		pvgpu_batch_reset(&longb);
		pvgpu_batch_delay(&longb, 5 * SEC, 0);
		pvgpu_batch_end(&longb);
		memcpy(busy_copy.batch_map, longb.dw, longb.len * 4);
		memcpy(busy_comp.batch_map, longb.dw, longb.len * 4);
		pvgpu_exec(fd, busy_copy.queue_id, PVGPU_CTX_BATCH_VA, NULL, 0);
		pvgpu_exec(fd, busy_comp.queue_id, PVGPU_CTX_BATCH_VA, NULL, 0);
		usleep(20 * 1000);

		t0 = now_ns();
		if (write_file(inj, val)) {
			perror("inject");
			return 1;
		}
		while (query_resets(fd) == before) {
			if (now_ns() - t0 > 30 * SEC) {
				fprintf(stderr, "no reset within 30 s\n");
				return 1;
			}
			usleep(50);
		}
		t = now_ns();
		detect[i] = (t - t0) / 1000.0;
		driver[i] = reset_state("last_ns") / 1000.0;
		if (run_idle(fd, &idle, &b, i))
			return 1;
		usable[i] = (now_ns() - t0) / 1000.0;
		pvgpu_ctx_fini(&busy_copy);
		pvgpu_ctx_fini(&busy_comp);
	}

	printf("pvgpu_bench_reset: %ld injected firmware crashes, 2 busy queues each\n", n);
	row(json, "detect", "crash to reset_count moved", detect, n);
	row(json, "driver", "driver request to recovered", driver, n);
	row(json, "usable", "crash to a new job done", usable, n);
	row(json, "baseline", "the same job, no crash", baseline, n);
	if (pm && bench_pm(fd, &idle, pm, json))
		return 1;
	write_file(MAX_RESETS, "10");
	pvgpu_bench_json_close(json);
	pvgpu_ctx_fini(&idle);
	close(fd);
	return 0;
}
