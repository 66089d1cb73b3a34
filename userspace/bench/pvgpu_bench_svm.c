// SPDX-License-Identifier: MIT
/*
 * pvgpu_bench_svm: what a recoverable GPU page fault costs in a fault-mode
 * VM (docs/svm.rst), against the guest CPU's own first-touch fault, in one
 * run. Every GPU job runs on a user queue of an LR | FAULT_MODE VM whose
 * MAP_MIRROR covers the process's address space; the job ends with a
 * STORE64 to a marker word in a buffer object the CPU polls, so a sample
 * is the time from the doorbell to the CPU seeing the marker (the job's
 * earlier commands, fault and replay included, are complete then).
 *
 *   fault-4k      one STORE64 to a page of a fresh single-page mapping
 *                 (guard pages around it: its own CPU VMA, so the fault's
 *                 chunk is that page) that the CPU never touched: the
 *                 driver's hmm lookup also faults the page in on the CPU.
 *   fault-4k-cpu  the same, the CPU having written the page first.
 *   fault-2m-thp  one STORE64 into a 2 MiB-aligned MADV_HUGEPAGE range the
 *                 CPU touched first (a THP there): one fault maps 2 MiB.
 *   populated     the same STORE64 again, the page now mapped: the
 *                 per-repetition baseline. "cost" rows are the fault's
 *                 sample minus its repetition's baseline; "driver" rows
 *                 are VM_GET_STATE's fault_ns / faults over the sample
 *                 (fault event to answer, measured by the driver).
 *   cpu-touch     the CPU's own first write to a page of fresh anonymous
 *                 memory (MADV_NOHUGEPAGE), per page, the reference.
 *
 * Faults per second: one STORE64 to each of -p single-page mappings in one
 * job (every store a fault, serialised: the queue stalls on each), and a
 * FILL of a fresh -s MiB MADV_NOHUGEPAGE range, where a fault maps its
 * whole 2 MiB chunk (512 pages, faulted in on the CPU side by hmm).
 *
 * First-touch throughput of a -s MiB GPU FILL: a fresh mirror range
 * (NOHUGEPAGE, and HUGEPAGE untouched by the CPU), the same after a
 * PREFETCH (the FILL alone, and PREFETCH + FILL), and a buffer object
 * bound eagerly in a non-fault LR VM.
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
#define PAGE		4096ul
#define SZ_2M		(2ul << 20)
/*
 * The mirror covers the CPU addresses of a 47-bit x86-64 process; the
 * buffer objects live above it (va_bits 48 leaves room there).
 */
#define MIRROR_START	SZ_2M
#define MIRROR_END	(1ull << 47)
#define RING_VA		(MIRROR_END)
#define RING_SIZE	0x10000u
#define MARKER_VA	(MIRROR_END + SZ_2M)
#define MARKER_SIZE	0x1000u
#define LR_FILL_VA	(MIRROR_END + 0x40000000ull)
#define POLL_NS		20000000000ull
/* STORE64s per batch builder (5 dwords each, the marker's included). */
#define STORES_PER_CMD	128

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void check(int ret, const char *what)
{
	if (ret) {
		fprintf(stderr, "pvgpu_bench_svm: %s: %s\n", what,
			strerror(-ret));
		exit(1);
	}
}

static void *xmmap(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		check(-errno, "mmap");
	return p;
}

static void xmadvise(void *p, size_t len, int advice)
{
	if (madvise(p, len, advice))
		check(-errno, "madvise");
}

/* A VM with a user queue and a marker word the CPU polls. */
struct gpu_vm {
	int fd;
	uint32_t vm;
	struct pvgpu_userq uq;
	uint32_t marker_bo;
	volatile uint64_t *marker;
	uint64_t tag;
};

static void gpu_vm_init(struct gpu_vm *g, int fd, uint32_t flags, int mirror)
{
	memset(g, 0, sizeof(*g));
	g->fd = fd;
	check(pvgpu_vm_create(fd, flags, &g->vm), "vm create");
	if (mirror) {
		struct drm_pvgpu_vm_bind_op o = {
			.op = DRM_PVGPU_VM_BIND_OP_MAP_MIRROR,
			.addr = MIRROR_START,
			.range = MIRROR_END - MIRROR_START,
		};

		check(pvgpu_vm_bind(fd, g->vm, 0, &o, 1, NULL, 0,
				    DRM_PVGPU_VM_BIND_WAIT), "bind mirror");
	}
	check(pvgpu_bo_create(fd, MARKER_SIZE, 0, &g->marker_bo), "bo create");
	g->marker = pvgpu_bo_map(fd, g->marker_bo, MARKER_SIZE);
	if (!g->marker)
		check(-errno, "bo map");
	check(pvgpu_bind_map(fd, g->vm, g->marker_bo, 0, MARKER_VA,
			     MARKER_SIZE, 0), "bind marker");
	check(pvgpu_userq_init(&g->uq, fd, g->vm, DRM_PVGPU_ENGINE_CLASS_COPY,
			       RING_VA, RING_SIZE), "user queue create");
}

static void gpu_vm_fini(struct gpu_vm *g)
{
	pvgpu_userq_fini(&g->uq);
	pvgpu_vm_destroy(g->fd, g->vm);
}

/* Why the marker never came: the queue's state, then exit. */
static void stuck(struct gpu_vm *g)
{
	struct drm_pvgpu_queue_get_state st;

	memset(&st, 0, sizeof(st));
	if (pvgpu_queue_get_state(g->fd, g->uq.queue_id, &st) == 0)
		fprintf(stderr, "pvgpu_bench_svm: job not complete after %llu s: queue flags 0x%x reason %u fault_addr 0x%llx access %u type %u\n",
			POLL_NS / 1000000000ull, st.flags, st.reason,
			(unsigned long long)st.fault_addr, st.fault_access,
			st.fault_type);
	else
		fprintf(stderr, "pvgpu_bench_svm: job not complete after %llu s\n",
			POLL_NS / 1000000000ull);
	exit(1);
}

/* Spins on the marker for @tag, as pvgpu_bench_userq does. */
static void wait_marker(struct gpu_vm *g, uint64_t tag, uint64_t t0)
{
	while (__atomic_load_n(g->marker, __ATOMIC_ACQUIRE) != tag)
		if (now_ns() - t0 > POLL_NS)
			stuck(g);
}

/* Writes @cmd (no doorbell), waiting for ring room. */
static void ring_write(struct gpu_vm *g, const struct pvgpu_batch *cmd,
		       uint64_t t0)
{
	int ret;

	while ((ret = pvgpu_userq_write(&g->uq, cmd)) == -ENOSPC) {
		pvgpu_userq_ring_doorbell(&g->uq);
		if (now_ns() - t0 > POLL_NS)
			stuck(g);
	}
	check(ret, "user queue write");
}

/*
 * Runs @cmd (ring commands, not ended; room left for one STORE64) and the
 * marker store after it; the time (ns) from before the write to the CPU
 * seeing the marker.
 */
static uint64_t gpu_run(struct gpu_vm *g, struct pvgpu_batch *cmd)
{
	uint64_t tag = ++g->tag, t0;

	pvgpu_batch_store64(cmd, MARKER_VA, tag);
	t0 = now_ns();
	ring_write(g, cmd, t0);
	pvgpu_userq_ring_doorbell(&g->uq);
	wait_marker(g, tag, t0);
	return now_ns() - t0;
}

static uint64_t gpu_store(struct gpu_vm *g, uint64_t va, uint64_t v)
{
	struct pvgpu_batch cmd;

	pvgpu_batch_reset(&cmd);
	pvgpu_batch_store64(&cmd, va, v);
	return gpu_run(g, &cmd);
}

static uint64_t gpu_fill(struct gpu_vm *g, uint64_t va, uint64_t size,
			 uint32_t pattern)
{
	struct pvgpu_batch cmd;

	pvgpu_batch_reset(&cmd);
	pvgpu_batch_fill(&cmd, va, size, pattern);
	return gpu_run(g, &cmd);
}

static struct drm_pvgpu_vm_get_state vm_state(struct gpu_vm *g)
{
	struct drm_pvgpu_vm_get_state s;

	memset(&s, 0, sizeof(s));
	check(pvgpu_vm_get_state(g->fd, g->vm, &s), "vm get state");
	return s;
}

static uint64_t prefetch(struct gpu_vm *g, const void *p, uint64_t size)
{
	struct drm_pvgpu_vm_bind_op o = {
		.op = DRM_PVGPU_VM_BIND_OP_PREFETCH,
		.addr = (uintptr_t)p,
		.range = size,
	};
	uint64_t t0 = now_ns();

	check(pvgpu_vm_bind(g->fd, g->vm, 0, &o, 1, NULL, 0,
			    DRM_PVGPU_VM_BIND_WAIT), "prefetch");
	return now_ns() - t0;
}

/*
 * @n single-page mappings, each its own CPU VMA (PROT_NONE pages between
 * them), from one reservation of 2 * @n + 1 pages; the first at *@first,
 * the next 2 pages on. Returns the reservation (munmap 2 * @n + 1 pages).
 */
static char *single_pages(long n, char **first)
{
	size_t len = (2 * n + 1) * PAGE;
	char *base = xmmap(len, PROT_NONE);

	for (long i = 0; i < n; i++)
		if (mprotect(base + (2 * i + 1) * PAGE, PAGE,
			     PROT_READ | PROT_WRITE))
			check(-errno, "mprotect");
	*first = base + PAGE;
	return base;
}

/* The process's AnonHugePages (kB), -1 if unknown. */
static long anon_huge_kb(void)
{
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	char line[256];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* A fresh @size range aligned to 2 MiB (the rest unmapped), @advice'd. */
static char *aligned_range(size_t size, int advice)
{
	char *raw = xmmap(size + SZ_2M, PROT_READ | PROT_WRITE);
	char *p = (char *)(((uintptr_t)raw + SZ_2M - 1) & ~(SZ_2M - 1));
	size_t head = p - raw;

	if (head)
		munmap(raw, head);
	if (SZ_2M - head)
		munmap(p + size, SZ_2M - head);
	xmadvise(p, size, advice);
	return p;
}

/* One fault sample: the fault, the baseline, the driver's figures. */
struct fault_sample {
	double fault_us, populated_us, driver_us;
	uint64_t faults, pages;
};

/* The fault of a STORE64 to @p, then the same store again. */
static struct fault_sample fault_at(struct gpu_vm *g, void *p, uint64_t v)
{
	struct drm_pvgpu_vm_get_state s0, s1;
	struct fault_sample r;
	uint64_t t;

	s0 = vm_state(g);
	t = gpu_store(g, (uintptr_t)p, v);
	s1 = vm_state(g);
	r.fault_us = t / 1000.0;
	r.populated_us = gpu_store(g, (uintptr_t)p, v + 1) / 1000.0;
	r.faults = s1.faults - s0.faults;
	r.pages = s1.pages_populated - s0.pages_populated;
	r.driver_us = r.faults ?
		      (double)(s1.fault_ns - s0.fault_ns) / r.faults / 1000.0 :
		      0.0;
	if (*(volatile uint64_t *)p != v + 1) {
		fprintf(stderr, "pvgpu_bench_svm: %p holds 0x%llx, not the GPU's 0x%llx\n",
			p, (unsigned long long)*(volatile uint64_t *)p,
			(unsigned long long)(v + 1));
		exit(1);
	}
	return r;
}

/* A set of fault samples and what was odd about them. */
struct fault_run {
	const char *name;	/* figure name suffix */
	const char *label;
	long n;
	double *fault, *populated, *cost, *driver;
	long not_one_fault;	/* samples whose store raised != 1 fault */
	uint64_t pages;		/* pages populated, all samples */
	long thp_missing;	/* THP runs: no huge page after the touch */
};

static void fault_run_alloc(struct fault_run *fr, const char *name,
			    const char *label, long n)
{
	memset(fr, 0, sizeof(*fr));
	fr->name = name;
	fr->label = label;
	fr->n = n;
	fr->fault = calloc(n, sizeof(double));
	fr->populated = calloc(n, sizeof(double));
	fr->cost = calloc(n, sizeof(double));
	fr->driver = calloc(n, sizeof(double));
	if (!fr->fault || !fr->populated || !fr->cost || !fr->driver)
		check(-ENOMEM, "calloc");
}

static void fault_run_add(struct fault_run *fr, long i,
			  const struct fault_sample *s)
{
	fr->fault[i] = s->fault_us;
	fr->populated[i] = s->populated_us;
	fr->cost[i] = s->fault_us - s->populated_us;
	fr->driver[i] = s->driver_us;
	fr->pages += s->pages;
	if (s->faults != 1)
		fr->not_one_fault++;
}

/* 4 KiB faults: fresh single-page mappings, @cpu_first: the CPU wrote it. */
static void faults_4k(struct gpu_vm *g, struct fault_run *fr, int cpu_first)
{
	for (long i = 0; i < fr->n; i++) {
		struct fault_sample s;
		char *page, *base = single_pages(1, &page);

		if (cpu_first)
			*(volatile char *)page = 1;
		s = fault_at(g, page, (uint64_t)(cpu_first ? 2 : 1) << 40 | i);
		fault_run_add(fr, i, &s);
		munmap(base, 3 * PAGE);
	}
}

/* 2 MiB THP faults: the CPU touched the aligned range first. */
static void faults_thp(struct gpu_vm *g, struct fault_run *fr)
{
	for (long i = 0; i < fr->n; i++) {
		struct fault_sample s;
		long kb0 = anon_huge_kb(), kb1;
		char *p = aligned_range(SZ_2M, MADV_HUGEPAGE);

		*(volatile char *)p = 1;
		kb1 = anon_huge_kb();
		if (kb0 < 0 || kb1 - kb0 < (long)(SZ_2M >> 10))
			fr->thp_missing++;
		s = fault_at(g, p + SZ_2M / 2, 3ull << 40 | i);
		fault_run_add(fr, i, &s);
		munmap(p, SZ_2M);
	}
}

/*
 * Faults per second, one STORE64 to each of @pages single-page mappings
 * in one job. Also the driver's mean service time (us) into *@driver_us.
 */
static double faults_per_page(struct gpu_vm *g, long pages, double *driver_us,
			      uint64_t *faults)
{
	struct drm_pvgpu_vm_get_state s0, s1;
	uint64_t tag = ++g->tag, t0, dt;
	struct pvgpu_batch cmd;
	char *first, *base = single_pages(pages, &first);

	s0 = vm_state(g);
	t0 = now_ns();
	pvgpu_batch_reset(&cmd);
	for (long i = 0; i < pages; i++) {
		pvgpu_batch_store64(&cmd, (uintptr_t)(first + 2 * i * PAGE),
				    4ull << 40 | i);
		if (cmd.len >= STORES_PER_CMD * 5) {
			ring_write(g, &cmd, t0);
			pvgpu_userq_ring_doorbell(&g->uq);
			pvgpu_batch_reset(&cmd);
		}
	}
	pvgpu_batch_store64(&cmd, MARKER_VA, tag);
	ring_write(g, &cmd, t0);
	pvgpu_userq_ring_doorbell(&g->uq);
	wait_marker(g, tag, t0);
	dt = now_ns() - t0;
	s1 = vm_state(g);
	munmap(base, (2 * pages + 1) * PAGE);
	*faults = s1.faults - s0.faults;
	*driver_us = *faults ? (double)(s1.fault_ns - s0.fault_ns) /
			       *faults / 1000.0 : 0.0;
	return (double)*faults * 1e9 / (double)dt;
}

/* A GPU FILL of a fresh mirror range, and what it faulted. */
struct fill_sample {
	double mbps;		/* the FILL alone */
	double total_mbps;	/* PREFETCH + FILL */
	uint64_t faults, pages, fault_ns;
	double seconds;
};

/*
 * FILL of a fresh @size range (@advice), after a PREFETCH if @pre. The
 * CPU checks a word per page afterwards.
 */
static struct fill_sample fill_mirror(struct gpu_vm *g, size_t size,
				      int advice, int pre, uint32_t pattern)
{
	struct drm_pvgpu_vm_get_state s0, s1;
	char *p = aligned_range(size, advice);
	struct fill_sample r;
	uint64_t tp = 0, tf;

	s0 = vm_state(g);
	if (pre)
		tp = prefetch(g, p, size);
	tf = gpu_fill(g, (uintptr_t)p, size, pattern);
	s1 = vm_state(g);
	for (size_t off = 0; off < size; off += PAGE)
		if (*(volatile uint32_t *)(p + off) != pattern) {
			fprintf(stderr, "pvgpu_bench_svm: FILL missing at %p\n",
				p + off);
			exit(1);
		}
	munmap(p, size);
	r.mbps = (double)size / (1 << 20) / (tf / 1e9);
	r.total_mbps = (double)size / (1 << 20) / ((tp + tf) / 1e9);
	r.faults = s1.faults - s0.faults;
	r.pages = s1.pages_populated - s0.pages_populated;
	r.fault_ns = s1.fault_ns - s0.fault_ns;
	r.seconds = tf / 1e9;
	return r;
}

/* The CPU's first write per page of fresh NOHUGEPAGE memory, us/page. */
static double cpu_first_touch(size_t size)
{
	char *p = aligned_range(size, MADV_NOHUGEPAGE);
	uint64_t t0 = now_ns(), dt;

	for (size_t off = 0; off < size; off += PAGE)
		*(volatile char *)(p + off) = 1;
	dt = now_ns() - t0;
	munmap(p, size);
	return (double)dt / 1000.0 / (double)(size / PAGE);
}

static void print_row(const char *name, const struct pvgpu_stats *s)
{
	printf("%-22s %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f\n", name, s->median,
	       s->p10, s->p90, s->p99, s->min, s->max);
}

static void print_mbps_row(const char *name, const struct pvgpu_stats *s)
{
	printf("%-34s %9.1f %9.1f %9.1f   (MB/s)\n", name, s->median, s->min,
	       s->max);
}

/* Prints and records one set of samples (@v is sorted). */
static struct pvgpu_stats figure(struct pvgpu_bench_json *json,
				 const char *name, const char *label,
				 const char *unit, double *v, long n)
{
	struct pvgpu_stats s = pvgpu_stats_compute(v, n);

	if (!strcmp(unit, "us"))
		print_row(label, &s);
	else
		print_mbps_row(label, &s);
	pvgpu_bench_json_figure(json, name, label, unit, n, &s);
	return s;
}

static struct pvgpu_stats fault_run_report(struct pvgpu_bench_json *json,
					   struct fault_run *fr)
{
	char name[64], label[64];
	struct pvgpu_stats cost;

	snprintf(name, sizeof(name), "svm_%s", fr->name);
	figure(json, name, fr->label, "us", fr->fault, fr->n);
	snprintf(name, sizeof(name), "svm_%s_populated", fr->name);
	snprintf(label, sizeof(label), "  populated");
	figure(json, name, label, "us", fr->populated, fr->n);
	snprintf(name, sizeof(name), "svm_%s_cost", fr->name);
	snprintf(label, sizeof(label), "  cost");
	cost = figure(json, name, label, "us", fr->cost, fr->n);
	snprintf(name, sizeof(name), "svm_%s_driver", fr->name);
	snprintf(label, sizeof(label), "  driver");
	figure(json, name, label, "us", fr->driver, fr->n);
	if (fr->not_one_fault)
		printf("  note: %ld of %ld samples raised other than one fault\n",
		       fr->not_one_fault, fr->n);
	printf("  pages populated per sample: %.1f\n",
	       (double)fr->pages / (double)fr->n);
	if (fr->thp_missing)
		printf("  note: %ld of %ld samples had no THP after the CPU touch\n",
		       fr->thp_missing, fr->n);
	return cost;
}

static void usage(const char *argv0, FILE *f)
{
	fprintf(f,
		"Usage: %s [-n N] [-t N] [-r N] [-p PAGES] [-s MIB] [-d NODE] [--json FILE]\n"
		"  -n N      4 KiB fault samples, each kind (default 200)\n"
		"  -t N      2 MiB THP fault samples (default 40)\n"
		"  -r N      repetitions of the throughput runs (default 5)\n"
		"  -p PAGES  single-page mappings per faults/s run (default 256)\n"
		"  -s MIB    FILL and CPU first-touch size (default 16)\n"
		"  -d NODE   DRM node (default: the first pvgpu render node)\n"
		"  --json FILE  also write every figure to FILE as JSON\n",
		argv0);
}

static void thp_mode(char *buf, size_t len)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	snprintf(buf, len, "unknown");
	if (f) {
		if (fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = 0;
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	long n = 200, thp_n = 40, reps = 5, pages = 256, mib = 16;
	const char *node = NULL, *json_path = NULL;
	const struct pvgpu_bench_opt opts[] = {
		{ .letter = 'n', .value = &n },
		{ .letter = 't', .value = &thp_n },
		{ .letter = 'r', .value = &reps },
		{ .letter = 'p', .value = &pages },
		{ .letter = 's', .value = &mib },
		{ .name = "json", .str = &json_path },
	};
	double *cpu, *fps, *fps_drv, *fill_fps, *pps;
	double *mb_first, *mb_thp, *mb_pre, *mb_pre_total, *mb_bo;
	struct pvgpu_stats cost4k, cost4k_drv, cpu_s;
	struct drm_pvgpu_query_device *dev;
	struct fault_run f4k, f4k_cpu, f2m;
	struct pvgpu_bench_json *json;
	static struct gpu_vm g, lr;
	uint64_t fill_faults = 0;
	char path[256], thp[128];
	uint32_t size, lr_bo;
	size_t bytes;
	uint64_t t0;
	int fd;

	fd = pvgpu_bench_args(argc, argv, opts, sizeof(opts) / sizeof(opts[0]),
			      &node, usage);
	if (fd >= 0)
		return fd;
	if (n < 1 || thp_n < 1 || reps < 1 || pages < 1 || pages > 30000 ||
	    mib < 2 || mib > 1024 || mib % 2) {
		usage(argv[0], stderr);
		return 2;
	}
	bytes = (size_t)mib << 20;
	fd = pvgpu_bench_open_render(node, path, sizeof(path));
	if (fd < 0)
		return EXIT_NO_DEVICE;
	dev = pvgpu_query_alloc(fd, DRM_PVGPU_QUERY_DEVICE, &size);
	if (!dev)
		check(-errno, "query device");
	if (!(dev->flags & DRM_PVGPU_DEVICE_PAGE_FAULTS) ||
	    DRM_PVGPU_USER_VA_END(dev->va_bits) < LR_FILL_VA + bytes) {
		fprintf(stderr, "pvgpu_bench_svm: %s: needs page faults and a 48-bit GPU VA (flags 0x%x, va_bits %u)\n",
			path, dev->flags, dev->va_bits);
		return EXIT_NO_DEVICE;
	}
	free(dev);
	json = pvgpu_bench_json_open(json_path, "pvgpu_bench_svm");
	if (json_path && !json)
		return 1;
	pvgpu_bench_json_options(json, opts, sizeof(opts) / sizeof(opts[0]));
	pvgpu_bench_json_cond_str(json, "device", path);
	thp_mode(thp, sizeof(thp));
	pvgpu_bench_json_cond_str(json, "transparent_hugepage", thp);

	cpu = calloc(reps, sizeof(double));
	fps = calloc(reps, sizeof(double));
	fps_drv = calloc(reps, sizeof(double));
	fill_fps = calloc(reps, sizeof(double));
	pps = calloc(reps, sizeof(double));
	mb_first = calloc(reps, sizeof(double));
	mb_thp = calloc(reps, sizeof(double));
	mb_pre = calloc(reps, sizeof(double));
	mb_pre_total = calloc(reps, sizeof(double));
	mb_bo = calloc(reps, sizeof(double));
	if (!cpu || !fps || !fps_drv || !fill_fps || !pps || !mb_first ||
	    !mb_thp || !mb_pre || !mb_pre_total || !mb_bo)
		return 1;
	fault_run_alloc(&f4k, "fault_4k", "fault-4k", n);
	fault_run_alloc(&f4k_cpu, "fault_4k_cpu", "fault-4k-cpu", n);
	fault_run_alloc(&f2m, "fault_2m_thp", "fault-2m-thp", thp_n);

	t0 = now_ns();
	gpu_vm_init(&g, fd, DRM_PVGPU_VM_CREATE_LR |
		    DRM_PVGPU_VM_CREATE_FAULT_MODE, 1);
	/* Warm-up: the ring's and marker's lazy mappings, a first mirror fault. */
	for (int i = 0; i < 10; i++)
		gpu_store(&g, MARKER_VA + 8, i);
	{
		struct fault_run warm;

		fault_run_alloc(&warm, "warm", "warm", 5);
		faults_4k(&g, &warm, 0);
		free(warm.fault);
		free(warm.populated);
		free(warm.cost);
		free(warm.driver);
	}

	for (long i = 0; i < reps; i++)
		cpu[i] = cpu_first_touch(bytes);
	faults_4k(&g, &f4k, 0);
	faults_4k(&g, &f4k_cpu, 1);
	faults_thp(&g, &f2m);

	for (long i = 0; i < reps; i++) {
		uint64_t faults;
		struct fill_sample f;

		fps[i] = faults_per_page(&g, pages, &fps_drv[i], &faults);
		f = fill_mirror(&g, bytes, MADV_NOHUGEPAGE, 0, 0x5a5a0000u + i);
		mb_first[i] = f.mbps;
		fill_fps[i] = f.faults / f.seconds;
		pps[i] = f.pages / f.seconds;
		fill_faults += f.faults;
		mb_thp[i] = fill_mirror(&g, bytes, MADV_HUGEPAGE, 0,
					0x6b6b0000u + i).mbps;
		f = fill_mirror(&g, bytes, MADV_NOHUGEPAGE, 1, 0x7c7c0000u + i);
		mb_pre[i] = f.mbps;
		mb_pre_total[i] = f.total_mbps;
	}
	gpu_vm_fini(&g);

	/* Pre-bound memory: an eager BO bind in a non-fault LR VM. */
	gpu_vm_init(&lr, fd, DRM_PVGPU_VM_CREATE_LR, 0);
	check(pvgpu_bo_create(fd, bytes, 0, &lr_bo), "bo create");
	check(pvgpu_bind_map(fd, lr.vm, lr_bo, 0, LR_FILL_VA, bytes, 0),
	      "bind fill bo");
	gpu_store(&lr, MARKER_VA + 8, 0);
	for (long i = 0; i < reps; i++) {
		uint64_t t = gpu_fill(&lr, LR_FILL_VA, bytes, 0x8d8d0000u + i);

		mb_bo[i] = (double)bytes / (1 << 20) / (t / 1e9);
	}
	gpu_vm_fini(&lr);
	pvgpu_gem_close(fd, lr_bo);

	printf("pvgpu_bench_svm on %s: fault-mode VM, user queue, STORE64 then a marker the CPU polls (THP: %s)\n",
	       path, thp);
	printf("%-22s %9s %9s %9s %9s %9s %9s   (us)\n", "", "median", "p10",
	       "p90", "p99", "min", "max");
	cost4k = fault_run_report(json, &f4k);
	{
		double *d = malloc(n * sizeof(double));

		if (!d)
			return 1;
		memcpy(d, f4k.driver, n * sizeof(double));
		cost4k_drv = pvgpu_stats_compute(d, n);
		free(d);
	}
	fault_run_report(json, &f4k_cpu);
	fault_run_report(json, &f2m);
	cpu_s = figure(json, "svm_cpu_first_touch", "cpu-touch (per page)",
		       "us", cpu, reps);
	printf("ratio 4 KiB GPU fault / CPU first-touch fault: %.1f (cost medians), %.1f (driver's service time)\n",
	       cost4k.median / cpu_s.median, cost4k_drv.median / cpu_s.median);
	pvgpu_bench_json_value(json, "svm_fault_4k_per_cpu_fault",
			       "ratio 4k GPU fault cost / CPU first touch",
			       "ratio", cost4k.median / cpu_s.median);
	pvgpu_bench_json_value(json, "svm_fault_4k_driver_per_cpu_fault",
			       "ratio 4k GPU fault driver time / CPU first touch",
			       "ratio", cost4k_drv.median / cpu_s.median);

	printf("\nfaults per second (%ld runs)%*s %9s %9s %9s\n", reps, 7, "",
	       "median", "min", "max");
	{
		struct pvgpu_stats s;

		s = pvgpu_stats_compute(fps, reps);
		printf("%-34s %9.0f %9.0f %9.0f   (faults/s, %ld single-page mappings)\n",
		       "per-page stores", s.median, s.min, s.max, pages);
		pvgpu_bench_json_figure(json, "svm_faults_per_s_4k",
					"faults/s, one store per single-page mapping",
					"faults/s", reps, &s);
		s = pvgpu_stats_compute(fps_drv, reps);
		printf("%-34s %9.1f %9.1f %9.1f   (us, driver's mean service time)\n",
		       "  driver", s.median, s.min, s.max);
		pvgpu_bench_json_figure(json, "svm_faults_per_s_4k_driver",
					"driver's mean service time, per-page run",
					"us", reps, &s);
		s = pvgpu_stats_compute(fill_fps, reps);
		printf("%-34s %9.0f %9.0f %9.0f   (faults/s, %.1f faults per %ld MiB FILL)\n",
		       "FILL, NOHUGEPAGE", s.median, s.min, s.max,
		       (double)fill_faults / reps, mib);
		pvgpu_bench_json_figure(json, "svm_faults_per_s_fill",
					"faults/s, FILL of a fresh NOHUGEPAGE range",
					"faults/s", reps, &s);
		s = pvgpu_stats_compute(pps, reps);
		printf("%-34s %9.0f %9.0f %9.0f   (pages/s populated)\n",
		       "  pages", s.median, s.min, s.max);
		pvgpu_bench_json_figure(json, "svm_pages_per_s_fill",
					"pages/s populated, FILL of a fresh NOHUGEPAGE range",
					"pages/s", reps, &s);
	}

	printf("\nGPU FILL of %ld MiB (%ld runs)%*s %9s %9s %9s\n", mib, reps,
	       mib >= 100 ? 6 : 7, "", "median", "min", "max");
	figure(json, "svm_fill_mirror_first_touch", "mirror first touch, NOHUGEPAGE",
	       "MB/s", mb_first, reps);
	figure(json, "svm_fill_mirror_first_touch_thp", "mirror first touch, HUGEPAGE",
	       "MB/s", mb_thp, reps);
	figure(json, "svm_fill_mirror_prefetched", "mirror after PREFETCH (FILL)",
	       "MB/s", mb_pre, reps);
	figure(json, "svm_fill_mirror_prefetch_total", "mirror PREFETCH + FILL",
	       "MB/s", mb_pre_total, reps);
	figure(json, "svm_fill_bo_lr_eager", "BO, eager bind, non-fault LR VM",
	       "MB/s", mb_bo, reps);
	printf("whole run %.1f s\n", (now_ns() - t0) / 1e9);

	close(fd);
	return pvgpu_bench_json_close(json) ? 1 : 0;
}
