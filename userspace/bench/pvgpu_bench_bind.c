// SPDX-License-Identifier: MIT
/*
 * pvgpu_bench_bind: the cost of VM_BIND. Prints, as median with p10/p90
 * and min/max over repetitions or samples:
 *
 *   pairs/s sync    4 KiB MAP + UNMAP pairs per second, each bind waiting
 *                   (DRM_PVGPU_VM_BIND_WAIT);
 *   pairs/s async   the same without WAIT, every bind with a syncobj
 *                   out-sync, one wait at the end;
 *   map/unmap us    the latency of one synchronous MAP and one UNMAP of
 *                   4 KiB, 2 MiB (a BO) and 1 GiB (a NULL mapping, and a
 *                   BO if the guest has the memory for one);
 *   4K in big VM    the same 4 KiB MAP/UNMAP latency in a VM that already
 *                   holds -m mappings (100,000 by default), of the BO of
 *                   those mappings, of another BO, and NULL; and, as a
 *                   control, in an empty VM while the big one exists.
 *
 * A benchmark prints figures; it asserts nothing about them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libpvgpu.h"
#include "pvgpu_bench_args.h"
#include "pvgpu_bench_json.h"
#include "pvgpu_stats.h"
#include "pvgpu_gpu.h"

#define EXIT_NO_DEVICE 77

#define SZ_4K	0x1000ull
#define SZ_2M	0x200000ull
#define SZ_1G	0x40000000ull
#define BASE_VA	0x100000000ull	/* 4 GiB */
#define BIG_VA	0x4000000000ull	/* 256 GiB: 1 GiB mappings */
#define BATCH	512		/* operations per ioctl when filling a VM */

/* Where every printed figure also goes with --json, else NULL. */
static struct pvgpu_bench_json *json;

static void print_header(void)
{
	printf("%-24s %11s %11s %11s %11s %11s %5s\n", "", "median", "p10",
	       "p90", "min", "max", "n");
}

/* A row of the table, and figure @key in @unit of the JSON result. */
static void print_row(const char *name, const char *key, const char *unit,
		      double *v, size_t n)
{
	struct pvgpu_stats s = pvgpu_stats_compute(v, n);

	printf("%-24s %11.1f %11.1f %11.1f %11.1f %11.1f %5zu\n", name,
	       s.median, s.p10, s.p90, s.min, s.max, n);
	fflush(stdout);
	pvgpu_bench_json_figure(json, key, name, unit, n, &s);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, int ret)
{
	fprintf(stderr, "pvgpu_bench_bind: %s: %s\n", what, strerror(-ret));
	exit(1);
}

static void check(const char *what, int ret)
{
	if (ret)
		die(what, ret);
}

/* Asynchronous single-op bind with a syncobj out-sync. */
static int bind_async(int fd, uint32_t vm, uint32_t op, uint32_t flags,
		      uint32_t handle, uint64_t addr, uint64_t range,
		      uint32_t syncobj)
{
	struct drm_pvgpu_vm_bind_op o = {
		.op = op, .flags = flags, .handle = handle,
		.addr = addr, .range = range,
	};
	struct drm_pvgpu_sync s = pvgpu_sync_syncobj(syncobj, 1);

	return pvgpu_vm_bind(fd, vm, 0, &o, 1, &s, 1, 0);
}

/* Pairs per second, synchronous or not, one value per repetition. */
static void bench_pairs(int fd, uint32_t bo, long reps, long pairs,
			bool async)
{
	double *v = calloc(reps, sizeof(*v));
	uint32_t vm, syncobj;

	check("vm create", pvgpu_vm_create(fd, 0, &vm));
	check("syncobj create", pvgpu_syncobj_create(fd, 0, &syncobj));
	for (long r = 0; r < reps; r++) {
		uint64_t t0 = now_ns();

		for (long i = 0; i < pairs; i++) {
			uint64_t va = BASE_VA + (uint64_t)(i % 64) * SZ_4K;

			if (async) {
				check("map", bind_async(fd, vm,
					DRM_PVGPU_VM_BIND_OP_MAP, 0, bo, va,
					SZ_4K, syncobj));
				check("unmap", bind_async(fd, vm,
					DRM_PVGPU_VM_BIND_OP_UNMAP, 0, 0, va,
					SZ_4K, syncobj));
			} else {
				check("map", pvgpu_bind_map(fd, vm, bo, 0, va,
							    SZ_4K, 0));
				check("unmap", pvgpu_bind_unmap(fd, vm, va,
								SZ_4K));
			}
		}
		if (async)
			check("wait", pvgpu_syncobj_wait(fd, syncobj, 0,
							 60000000000ll));
		v[r] = (double)pairs * 1e9 / (double)(now_ns() - t0);
	}
	print_row(async ? "pairs/s async 4K" : "pairs/s sync 4K",
		  async ? "bind_pairs_async_4k" : "bind_pairs_sync_4k",
		  "pairs/s", v, reps);
	pvgpu_syncobj_destroy(fd, syncobj);
	pvgpu_vm_destroy(fd, vm);
	free(v);
}

/*
 * Latency (us) of synchronous MAP and UNMAP of @size at @va: of @bo, or
 * NULL when @bo is 0. Rows "map us @name", figures bind_map_@key.
 */
static void bench_latency(int fd, uint32_t vm, const char *name,
			  const char *key, uint32_t bo, uint64_t va,
			  uint64_t size, long n)
{
	double *map = calloc(n, sizeof(*map)), *unmap = calloc(n, sizeof(*unmap));
	char row[64], fig[64];

	for (long i = 0; i < n; i++) {
		uint64_t t0 = now_ns(), t1;

		if (bo)
			check(name, pvgpu_bind_map(fd, vm, bo, 0, va, size, 0));
		else
			check(name, pvgpu_bind_null(fd, vm, va, size));
		t1 = now_ns();
		check(name, pvgpu_bind_unmap(fd, vm, va, size));
		map[i] = (double)(t1 - t0) / 1000.0;
		unmap[i] = (double)(now_ns() - t1) / 1000.0;
	}
	snprintf(row, sizeof(row), "map us %s", name);
	snprintf(fig, sizeof(fig), "bind_map_%s", key);
	print_row(row, fig, "us", map, n);
	snprintf(row, sizeof(row), "unmap us %s", name);
	snprintf(fig, sizeof(fig), "bind_unmap_%s", key);
	print_row(row, fig, "us", unmap, n);
	free(map);
	free(unmap);
}

/* MemAvailable in bytes, 0 if unknown. */
static uint64_t mem_available(void)
{
	unsigned long long kb = 0;
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

/* Fill @vm with @count 4 KiB mappings of @bo, BATCH per ioctl. */
static void fill_vm(int fd, uint32_t vm, uint32_t bo, long count)
{
	static struct drm_pvgpu_vm_bind_op ops[BATCH];

	for (long done = 0; done < count;) {
		uint32_t n = count - done < BATCH ? count - done : BATCH;

		for (uint32_t i = 0; i < n; i++)
			ops[i] = (struct drm_pvgpu_vm_bind_op){
				.op = DRM_PVGPU_VM_BIND_OP_MAP, .handle = bo,
				/* every other page: separate mappings */
				.addr = BASE_VA + SZ_1G +
					(uint64_t)(done + i) * 2 * SZ_4K,
				.range = SZ_4K,
			};
		check("fill", pvgpu_vm_bind(fd, vm, 0, ops, n, NULL, 0,
					    DRM_PVGPU_VM_BIND_WAIT));
		done += n;
	}
}

static void usage(const char *argv0, FILE *f)
{
	fprintf(f,
		"Usage: %s [-r R] [-n N] [-l L] [-m M] [-d NODE] [--json FILE]\n"
		"  -r R     repetitions of the pairs/s figures (default 5)\n"
		"  -n N     MAP+UNMAP pairs per repetition (default 1000)\n"
		"  -l L     latency samples per size (default 50; 1 GiB BO: L/5)\n"
		"  -m M     mappings in the big VM (default 100000; 0: skip)\n"
		"  -d NODE  DRM node to use (default: the first pvgpu render node)\n"
		"  --json FILE  also write every figure to FILE as JSON\n",
		argv0);
}

int main(int argc, char **argv)
{
	long reps = 5, pairs = 1000, lat = 50, big = 100000;
	const char *node = NULL, *json_path = NULL;
	char path[256] = "";
	const struct pvgpu_bench_opt opts[] = {
		{ .letter = 'r', .value = &reps },
		{ .letter = 'n', .value = &pairs },
		{ .letter = 'l', .value = &lat },
		{ .letter = 'm', .value = &big },
		{ .name = "json", .str = &json_path },
	};
	uint32_t bo4k, bo2m, bo1g = 0, vm;
	int fd, ret;

	ret = pvgpu_bench_args(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
			       &node, usage);
	if (ret >= 0)
		return ret;
	if (reps < 1 || pairs < 1 || lat < 1 || big < 0) {
		usage(argv[0], stderr);
		return 2;
	}

	fd = pvgpu_bench_open_render(node, path, sizeof(path));
	if (fd < 0)
		return EXIT_NO_DEVICE;
	json = pvgpu_bench_json_open(json_path, "pvgpu_bench_bind");
	if (json_path && !json)
		return 1;
	pvgpu_bench_json_options(json, opts, sizeof(opts) / sizeof(opts[0]));
	pvgpu_bench_json_cond_str(json, "device", path);
	printf("pvgpu_bench_bind: %s, %ld repetitions of %ld pairs, %ld latency samples\n",
	       path, reps, pairs, lat);

	check("bo 4K", pvgpu_bo_create(fd, SZ_4K, 0, &bo4k));
	check("bo 2M", pvgpu_bo_create(fd, SZ_2M, 0, &bo2m));
	print_header();
	bench_pairs(fd, bo4k, reps, pairs, false);
	bench_pairs(fd, bo4k, reps, pairs, true);

	check("vm create", pvgpu_vm_create(fd, 0, &vm));
	bench_latency(fd, vm, "4K", "4k", bo4k, BASE_VA, SZ_4K, lat);
	bench_latency(fd, vm, "4K NULL", "4k_null", 0, BASE_VA, SZ_4K, lat);
	bench_latency(fd, vm, "2M", "2m", bo2m, BASE_VA + SZ_2M, SZ_2M, lat);
	bench_latency(fd, vm, "1G NULL", "1g_null", 0, BIG_VA, SZ_1G, lat);
	if (mem_available() >= SZ_1G + SZ_1G / 2 &&
	    !pvgpu_bo_create(fd, SZ_1G, 0, &bo1g)) {
		bench_latency(fd, vm, "1G BO", "1g_bo", bo1g, BIG_VA, SZ_1G,
			      lat / 5 ? lat / 5 : 1);
		pvgpu_gem_close(fd, bo1g);
	} else {
		printf("(1 GiB BO skipped: %llu MiB available)\n",
		       (unsigned long long)(mem_available() >> 20));
		pvgpu_bench_json_cond_long(json, "skipped_1g_bo_mib_available",
					   (long)(mem_available() >> 20));
	}
	pvgpu_vm_destroy(fd, vm);

	if (big) {
		struct drm_pvgpu_vm_get_state st;
		uint64_t t0;
		double secs;
		char row[64];

		check("vm create", pvgpu_vm_create(fd, 0, &vm));
		t0 = now_ns();
		fill_vm(fd, vm, bo4k, big);
		ret = pvgpu_vm_get_state(fd, vm, &st);
		check("vm get state", ret);
		secs = (double)(now_ns() - t0) / 1e9;
		printf("(filled a VM with %llu mappings in %.2f s, %d per ioctl)\n",
		       (unsigned long long)st.num_mappings, secs, BATCH);
		pvgpu_bench_json_cond_long(json, "big_vm_mappings",
					   (long)st.num_mappings);
		pvgpu_bench_json_value(json, "bind_fill_big_vm",
				       "fill the big VM", "s", secs);
		/* The BO of all those mappings, another BO, NULL. */
		snprintf(row, sizeof(row), "4K in %ldk VM", big / 1000);
		bench_latency(fd, vm, row, "4k_big_vm", bo4k, BASE_VA, SZ_4K,
			      lat);
		snprintf(row, sizeof(row), "4K in %ldk VM, BO2", big / 1000);
		bench_latency(fd, vm, row, "4k_big_vm_bo2", bo2m, BASE_VA,
			      SZ_4K, lat);
		snprintf(row, sizeof(row), "4K in %ldk VM, NULL", big / 1000);
		bench_latency(fd, vm, row, "4k_big_vm_null", 0, BASE_VA,
			      SZ_4K, lat);
		/* The control: an empty VM, while the big one exists. */
		{
			uint32_t vm2;

			check("vm create", pvgpu_vm_create(fd, 0, &vm2));
			bench_latency(fd, vm2, "4K, empty VM beside",
				      "4k_empty_vm_beside", bo2m, BASE_VA,
				      SZ_4K, lat);
			pvgpu_vm_destroy(fd, vm2);
		}
		t0 = now_ns();
		pvgpu_vm_destroy(fd, vm);
		secs = (double)(now_ns() - t0) / 1e9;
		printf("(VM_DESTROY returned after %.1f ms)\n", secs * 1e3);
		pvgpu_bench_json_value(json, "bind_destroy_big_vm",
				       "VM_DESTROY of the big VM", "ms",
				       secs * 1e3);
	}
	pvgpu_gem_close(fd, bo2m);
	pvgpu_gem_close(fd, bo4k);
	close(fd);
	return pvgpu_bench_json_close(json) ? 1 : 0;
}
