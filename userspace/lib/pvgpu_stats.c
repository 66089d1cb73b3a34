// SPDX-License-Identifier: MIT
/*
 * pvgpu_stats: see pvgpu_stats.h.
 */
#include <math.h>
#include <stdlib.h>

#include "pvgpu_stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Percentile by linear interpolation between closest ranks (sorted input). */
static double percentile(const double *v, size_t n, double p)
{
	double pos = p / 100.0 * (double)(n - 1);
	size_t lo = (size_t)pos;

	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (pos - (double)lo) * (v[lo + 1] - v[lo]);
}

struct pvgpu_stats pvgpu_stats_compute(double *v, size_t n)
{
	struct pvgpu_stats s = { 0 };
	double sum = 0, sq = 0;

	qsort(v, n, sizeof(*v), cmp_double);
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	s.mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		sq += (v[i] - s.mean) * (v[i] - s.mean);
	s.stddev = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
	s.min = v[0];
	s.max = v[n - 1];
	s.median = percentile(v, n, 50);
	s.p10 = percentile(v, n, 10);
	s.p90 = percentile(v, n, 90);
	s.p99 = percentile(v, n, 99);
	return s;
}
