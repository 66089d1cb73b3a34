/* SPDX-License-Identifier: MIT */
/*
 * pvgpu_stats: the summary every benchmark prints over its samples.
 */
#ifndef PVGPU_STATS_H
#define PVGPU_STATS_H

#include <stddef.h>

struct pvgpu_stats {
	double median, p10, p90, p99, min, max, mean, stddev;
};

/*
 * Sorts @v (@n >= 1 samples) in place and summarises it: percentiles by
 * linear interpolation between closest ranks, sample standard deviation.
 */
struct pvgpu_stats pvgpu_stats_compute(double *v, size_t n);

#endif /* PVGPU_STATS_H */
