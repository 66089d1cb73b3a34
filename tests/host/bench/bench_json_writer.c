// SPDX-License-Identifier: MIT
/*
 * Drives userspace/lib/pvgpu_bench_json.c for test_bench_json.py, which
 * parses what it writes with Python's json module and checks every value.
 *
 *   bench_json_writer full FILE    options of each kind, awkward strings,
 *                                  a NaN, pinned to its first allowed CPU
 *   bench_json_writer empty FILE   no options, conditions or figures
 *   bench_json_writer null         the no-op calls on a NULL result, and
 *                                  an uncreatable file; exit 0 if right
 */
#define _GNU_SOURCE
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "pvgpu_bench_json.h"

static int full(const char *path)
{
	double samples[] = { 5, 1, 4, 2, 3 };
	const unsigned long long per_cpu[] = { 0, 2000, 0, 1ull << 40 };
	long n = 7;
	int floor_mode = 1, other = 0;
	const char *file = path, *unset = NULL;
	const struct pvgpu_bench_opt opts[] = {
		{ .letter = 'n', .value = &n },
		{ .name = "json", .str = &file },
		{ .name = "floor", .flag = &floor_mode },
		{ .name = "other", .flag = &other },
		{ .name = "label", .str = &unset },
	};
	struct pvgpu_stats s = pvgpu_stats_compute(samples, 5);
	struct pvgpu_bench_json *j;
	cpu_set_t set;

	/* Pinned to one CPU: the first one it may run on. */
	if (!sched_getaffinity(0, sizeof(set), &set)) {
		for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
			if (CPU_ISSET(cpu, &set)) {
				CPU_ZERO(&set);
				CPU_SET(cpu, &set);
				sched_setaffinity(0, sizeof(set), &set);
				break;
			}
		}
	}
	j = pvgpu_bench_json_open(path, "bench \"quoted\"");
	if (!j)
		return 1;
	pvgpu_bench_json_options(j, opts, sizeof(opts) / sizeof(opts[0]));
	pvgpu_bench_json_cond_str(j, "device", "/dev/dri/renderD128");
	/* quote, backslash, controls, DEL, UTF-8 e-acute, a stray byte */
	pvgpu_bench_json_cond_str(j, "odd", "a\"b\\c\n\t\x01\x7f \xc3\xa9 \xff!");
	pvgpu_bench_json_cond_long(j, "negative", -3);
	pvgpu_bench_json_cond_per_cpu(j, "per_cpu", per_cpu, 4);
	pvgpu_bench_json_cond_per_cpu(j, "per_cpu_none", per_cpu, 1);
	pvgpu_bench_json_figure(j, "fig_spread", "row\twith tab", "us", 5, &s);
	pvgpu_bench_json_value(j, "fig_value", NULL, "jobs/s", 1234567.891);
	pvgpu_bench_json_value(j, "fig_nan", "nan", "ratio", NAN);
	pvgpu_bench_json_value(j, "fig_inf", "inf", "ratio", INFINITY);
	return pvgpu_bench_json_close(j) ? 1 : 0;
}

static int empty(const char *path)
{
	struct pvgpu_bench_json *j = pvgpu_bench_json_open(path, "empty");

	return j && !pvgpu_bench_json_close(j) ? 0 : 1;
}

static int null_result(void)
{
	struct pvgpu_stats s = { 0 };
	struct pvgpu_bench_json *j = pvgpu_bench_json_open(NULL, "x");

	if (j)
		return 1;
	pvgpu_bench_json_options(NULL, NULL, 3);
	pvgpu_bench_json_cond_str(NULL, "k", "v");
	pvgpu_bench_json_cond_long(NULL, "k", 1);
	pvgpu_bench_json_figure(NULL, "f", "f", "us", 1, &s);
	pvgpu_bench_json_value(NULL, "f", "f", "us", 1);
	if (pvgpu_bench_json_close(NULL))
		return 1;
	/* Refused at open, with the reason on stderr. */
	return pvgpu_bench_json_open("/nonexistent-dir/x.json", "x") ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "full"))
		return full(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "empty"))
		return empty(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "null"))
		return null_result();
	fprintf(stderr, "usage: %s full|empty FILE | null\n", argv[0]);
	return 2;
}
