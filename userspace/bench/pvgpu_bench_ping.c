// SPDX-License-Identifier: MIT
/*
 * pvgpu_bench_ping: the round trip to the firmware, the floor of every
 * firmware interaction. Sends N DRM_IOCTL_PVGPU_FW_PING and prints three
 * distributions in microseconds:
 *
 *   rtt      the kernel's own measure (rtt_ns: doorbell write to response
 *            seen, in the driver);
 *   wake     the same start to the waiting thread running again (wake_ns);
 *   syscall  clock_gettime(CLOCK_MONOTONIC) around the ioctl in userspace.
 *
 * --floor (-F) measures the platform floor instead, in the same boot:
 * DRM_PVGPU_FW_PING_FLOOR, a device register write whose interrupt the
 * device raises inside the write, no firmware involved. rtt is then the
 * write to the interrupt handler, wake the write to the woken thread.
 *
 * It also says on which CPU it ran and on which CPUs the pvgpu interrupt
 * landed meanwhile (/proc/interrupts): under TCG, an interrupt that must
 * wake another vCPU costs about ten times more. -c CPU pins it.
 *
 * A benchmark prints figures; it asserts nothing about them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libpvgpu.h"
#include "pvgpu_bench_args.h"
#include "pvgpu_bench_json.h"
#include "pvgpu_stats.h"

#define EXIT_NO_DEVICE 77
#define MAX_CPUS 1024

static void print_row(const char *name, const struct pvgpu_stats *s)
{
	printf("%-14s %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f\n", name,
	       s->median, s->p10, s->p90, s->p99, s->min, s->max, s->mean, s->stddev);
}

/* A distribution as a JSON figure and as a "NAME_us median=..." line. */
static void summarize(struct pvgpu_bench_json *json, const char *name,
		      const char *label, long n, const struct pvgpu_stats *s)
{
	pvgpu_bench_json_figure(json, name, label, "us", n, s);
	printf("%s_us median=%.3f p99=%.3f n=%ld\n", name, s->median, s->p99, n);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Per-CPU counts of the interrupt lines whose name mentions pvgpu, summed.
 * Returns the number of CPU columns, 0 if no such line.
 */
static int pvgpu_irq_counts(unsigned long long *counts, int max)
{
	char *line = NULL;
	size_t cap = 0;
	int ncpu = 0, found = 0;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return 0;
	memset(counts, 0, sizeof(*counts) * max);
	if (getline(&line, &cap, f) > 0) {	/* header: CPU0 CPU1 ... */
		for (char *p = line; (p = strstr(p, "CPU")); p += 3)
			ncpu++;
	}
	if (ncpu > max)
		ncpu = max;
	while (getline(&line, &cap, f) > 0) {
		char *p = strchr(line, ':');

		if (!p || !strstr(line, "pvgpu"))
			continue;
		p++;
		for (int c = 0; c < ncpu; c++) {
			char *end;
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p)
				break;
			counts[c] += v;
			p = end;
		}
		found = 1;
	}
	free(line);
	fclose(f);
	return found ? ncpu : 0;
}

static void usage(const char *argv0, FILE *f)
{
	fprintf(f,
		"Usage: %s [-F] [-n N] [-w W] [-c CPU] [-d NODE] [--json FILE]\n"
		"  -F, --floor  measure the platform floor (DRM_PVGPU_FW_PING_FLOOR)\n"
		"           instead of a firmware round trip\n"
		"  -n N     pings to measure (default 1000)\n"
		"  -w W     warm-up pings, not measured (default 10)\n"
		"  -c CPU   pin to CPU with sched_setaffinity\n"
		"  -d NODE  DRM node to use (default: the first pvgpu render node)\n"
		"  --json FILE  also write every figure to FILE as JSON\n",
		argv0);
}

int main(int argc, char **argv)
{
	static unsigned long long irq_before[MAX_CPUS], irq_after[MAX_CPUS];
	static unsigned long long cpu_hist[MAX_CPUS];
	long n = 1000, warmup = 10, pin = -1;
	const char *node = NULL, *json_path = NULL;
	struct pvgpu_bench_json *json;
	char path[256] = "";
	double *rtt, *wake, *sys;
	int rc, fd, ncpu_irq, cpu_start, migrations = 0, last_cpu, floor_mode = 0;
	struct pvgpu_stats srtt, swake, ssys;
	const char *what;
	const struct pvgpu_bench_opt opts[] = {
		{ .letter = 'F', .name = "floor", .flag = &floor_mode },
		{ .letter = 'n', .value = &n },
		{ .letter = 'w', .value = &warmup },
		{ .letter = 'c', .value = &pin },
		{ .name = "json", .str = &json_path },
	};

	rc = pvgpu_bench_args(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
			      &node, usage);
	if (rc >= 0)
		return rc;
	if (n < 1 || warmup < 0 || pin >= MAX_CPUS) {
		usage(argv[0], stderr);
		return 2;
	}

	if (pin >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(pin, &set);
		if (sched_setaffinity(0, sizeof(set), &set)) {
			fprintf(stderr, "sched_setaffinity(CPU %ld): %s\n", pin, strerror(errno));
			return 1;
		}
	}

	if (node) {
		fd = pvgpu_open_sibling(node, PVGPU_NODE_RENDER, 0, path, sizeof(path));
		if (fd < 0)	/* maybe a primary node was meant as is */
			fd = pvgpu_open_sibling(node, PVGPU_NODE_PRIMARY, 0, path, sizeof(path));
	} else {
		fd = pvgpu_open_node(PVGPU_NODE_RENDER, 0, path, sizeof(path));
	}
	if (fd < 0) {
		fprintf(stderr, "no pvgpu device%s%s: %s\n", node ? " at " : "",
			node ? node : "", strerror(-fd));
		return EXIT_NO_DEVICE;
	}
	json = pvgpu_bench_json_open(json_path, "pvgpu_bench_ping");
	if (json_path && !json)
		return 1;
	pvgpu_bench_json_options(json, opts, sizeof(opts) / sizeof(opts[0]));
	pvgpu_bench_json_cond_str(json, "device", path);

	what = floor_mode ? "floor" : "ping";
	rtt = calloc(n, sizeof(*rtt));
	wake = calloc(n, sizeof(*wake));
	sys = calloc(n, sizeof(*sys));
	if (!rtt || !wake || !sys) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}

	for (long i = 0; i < warmup; i++) {
		struct drm_pvgpu_fw_ping p = {
			.cookie = (uint64_t)i,
			.flags = floor_mode ? DRM_PVGPU_FW_PING_FLOOR : 0,
		};
		int ret = pvgpu_ioctl(fd, DRM_IOCTL_PVGPU_FW_PING, &p);

		if (ret) {
			fprintf(stderr, "warm-up %s %ld: %s\n", what, i, strerror(-ret));
			return 1;
		}
	}

	ncpu_irq = pvgpu_irq_counts(irq_before, MAX_CPUS);
	cpu_start = last_cpu = sched_getcpu();
	for (long i = 0; i < n; i++) {
		/* A floor measurement leaves the cookie alone: checked as well. */
		struct drm_pvgpu_fw_ping p = {
			.cookie = 0x5000000000000000ull | (uint64_t)i,
			.flags = floor_mode ? DRM_PVGPU_FW_PING_FLOOR : 0,
		};
		uint64_t t0, t1;
		int ret, cpu;

		t0 = now_ns();
		ret = pvgpu_ioctl(fd, DRM_IOCTL_PVGPU_FW_PING, &p);
		t1 = now_ns();
		if (ret) {
			fprintf(stderr, "%s %ld: %s\n", what, i, strerror(-ret));
			return 1;
		}
		if (p.cookie != (0x5000000000000000ull | (uint64_t)i)) {
			fprintf(stderr, "%s %ld: wrong cookie %#llx\n", what, i,
				(unsigned long long)p.cookie);
			return 1;
		}
		rtt[i] = (double)p.rtt_ns / 1000.0;
		wake[i] = (double)p.wake_ns / 1000.0;
		sys[i] = (double)(t1 - t0) / 1000.0;

		cpu = sched_getcpu();
		if (cpu >= 0 && cpu < MAX_CPUS)
			cpu_hist[cpu]++;
		if (cpu != last_cpu)
			migrations++;
		last_cpu = cpu;
	}
	pvgpu_irq_counts(irq_after, MAX_CPUS);

	srtt = pvgpu_stats_compute(rtt, n);
	swake = pvgpu_stats_compute(wake, n);
	ssys = pvgpu_stats_compute(sys, n);

	printf("pvgpu_bench_ping: %s, %ld %s (+%ld warm-up), %ld CPUs online\n",
	       path, n, floor_mode ? "floor measurements (DRM_PVGPU_FW_PING_FLOOR)" :
	       "pings", warmup, sysconf(_SC_NPROCESSORS_ONLN));
	if (pin >= 0)
		printf("pinned to CPU %ld; ", pin);
	else
		printf("not pinned; ");
	printf("ran on CPU %d at start, %d at end, %d migrations; samples per CPU:",
	       cpu_start, last_cpu, migrations);
	for (int i = 0; i < MAX_CPUS; i++)
		if (cpu_hist[i])
			printf(" cpu%d=%llu", i, cpu_hist[i]);
	printf("\n");
	pvgpu_bench_json_cond_long(json, "cpu_start", cpu_start);
	pvgpu_bench_json_cond_long(json, "cpu_end", last_cpu);
	pvgpu_bench_json_cond_long(json, "migrations", migrations);
	pvgpu_bench_json_cond_per_cpu(json, "samples_per_cpu", cpu_hist, MAX_CPUS);
	if (ncpu_irq) {
		printf("pvgpu interrupts during the run, per CPU:");
		for (int i = 0; i < ncpu_irq; i++)
			if (irq_after[i] != irq_before[i])
				printf(" cpu%d=%llu", i, irq_after[i] - irq_before[i]);
		printf("\n");
		for (int i = 0; i < ncpu_irq; i++)
			irq_after[i] -= irq_before[i];
		pvgpu_bench_json_cond_per_cpu(json, "irqs_per_cpu", irq_after,
					      ncpu_irq);
	} else {
		printf("pvgpu interrupts: no pvgpu line in /proc/interrupts\n");
	}
	printf("%-14s %9s %9s %9s %9s %9s %9s %9s %9s   (us; stddev: sample)\n", "",
	       "median", "p10", "p90", "p99", "min", "max", "mean", "stddev");
	print_row("rtt (kernel)", &srtt);
	print_row("wake (kernel)", &swake);
	print_row("syscall", &ssys);
	summarize(json, floor_mode ? "floor_handler" : "ping_rtt", "rtt (kernel)",
		  n, &srtt);
	summarize(json, floor_mode ? "floor_wake" : "ping_wake", "wake (kernel)",
		  n, &swake);
	summarize(json, floor_mode ? "floor_syscall" : "ping_syscall", "syscall",
		  n, &ssys);

	free(rtt);
	free(wake);
	free(sys);
	close(fd);
	return pvgpu_bench_json_close(json) ? 1 : 0;
}
