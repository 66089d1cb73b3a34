/* SPDX-License-Identifier: MIT */
/*
 * pvgpu_bench_json: a benchmark's figures as a JSON file (--json FILE), for
 * scripts/bench-report.py. The layout (docs/pipeline.rst, "Benchmarks"):
 *
 *   { "schema": "pvgpu-bench/1", "benchmark": NAME,
 *     "conditions": { "timestamp", "kernel_release", "machine",
 *                     "cpus_online", "cpu_pinned", "options": {...}, ... },
 *     "figures": [ { "name", "label", "unit", "n", "median", "p10", "p90",
 *                    "p99", "min", "max", "mean", "stddev" }, ... ] }
 *
 * Every function accepts a NULL result and then does nothing, so that a
 * benchmark run without --json needs no test around each call.
 */
#ifndef PVGPU_BENCH_JSON_H
#define PVGPU_BENCH_JSON_H

#include <stddef.h>

#include "pvgpu_bench_args.h"
#include "pvgpu_stats.h"

struct pvgpu_bench_json;

/*
 * Creates @path (truncating it) for the results of @benchmark and notes
 * the time. NULL if @path is NULL, or, with the reason on stderr, if it
 * cannot be created. Nothing is written to it before
 * pvgpu_bench_json_close().
 */
struct pvgpu_bench_json *pvgpu_bench_json_open(const char *path,
					       const char *benchmark);

/*
 * Records the options the benchmark ran with: each of @opts as "-<letter>"
 * (or "--<name>") with its number, string (null if unset) or flag.
 */
void pvgpu_bench_json_options(struct pvgpu_bench_json *j,
			      const struct pvgpu_bench_opt *opts, size_t n_opts);

/* A further run condition, @key (not one of the standard ones) = @value. */
void pvgpu_bench_json_cond_str(struct pvgpu_bench_json *j, const char *key,
			       const char *value);
void pvgpu_bench_json_cond_long(struct pvgpu_bench_json *j, const char *key,
				long value);
/* @key = { "cpu<i>": @counts[i], ... } for each i < @n with a count. */
void pvgpu_bench_json_cond_per_cpu(struct pvgpu_bench_json *j, const char *key,
				   const unsigned long long *counts, size_t n);

/*
 * A figure: @name (stable, for scripts), @label (the row of the printed
 * table), @unit ("us", "jobs/s", ...), @n samples summarised by @s.
 */
void pvgpu_bench_json_figure(struct pvgpu_bench_json *j, const char *name,
			     const char *label, const char *unit, size_t n,
			     const struct pvgpu_stats *s);

/* A figure measured once: n 1, every statistic @value, stddev 0. */
void pvgpu_bench_json_value(struct pvgpu_bench_json *j, const char *name,
			    const char *label, const char *unit, double value);

/*
 * Adds the conditions known at the end (kernel, CPUs online, the CPU the
 * process is pinned to), writes the file and frees @j. Returns 0, or
 * -errno with the reason on stderr.
 */
int pvgpu_bench_json_close(struct pvgpu_bench_json *j);

#endif /* PVGPU_BENCH_JSON_H */
