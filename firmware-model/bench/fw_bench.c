// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fw-bench: host-side benchmark of the pvgpu firmware model.
 *
 * Runs the firmware model against the unit tests' fake platform and fake
 * driver (tests/fake_platform.h, tests/fake_driver.h, tests/gpu_helpers.h)
 * and prints figures: the median and spread (p10/p90, min/max) over
 * repetitions. It never asserts on time; it asserts only that the model did
 * what was asked (queues registered, copies correct, TLB behaved as the
 * case requires), so a figure is never printed for work that did not
 * happen.
 *
 *   1. sched: host ns per scheduling decision with 1, 64, 1024 and 4096
 *      registered queues (see the text printed for what a decision is),
 *      SCHED_QUEUES_PER_PAGE queues' doorbells to each doorbell page, as
 *      user-mode queues of processes with one page each.
 *   2. copy:  COPY through the copy engine (GPU VA -> GPU VA, 4 KiB and
 *      2 MiB pages) against memcpy() of the same bytes in fake RAM.
 *   3. xlate: host ns per fw_gpu_read() of 4 bytes with TLB hits and with
 *      TLB misses, with the MMU's own counters as proof.
 *   4. reset: host time of one FW_CTRL.RESET write and of 64 AS_BIND /
 *      AS_UNBIND pairs with 64 queues registered, on the default shape
 *      and on the largest (65536 queue ids, 1024 doorbell pages): what
 *      one guest register write or request may hold the host for.
 *
 * Build it optimised and run it from the build directory:
 *
 *   meson setup build/bench --buildtype=release
 *   meson compile -C build/bench
 *   build/bench/firmware-model/bench/fw-bench [--reps=N] [--quick] \
 *       [sched] [copy] [xlate] [reset]
 *
 * Not part of `meson test`. Every figure is also printed on one
 * machine-readable line: `<name> key=value ...`.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gpu_helpers.h"
#include "mmu.h"
#include "pvgpu_fw_sched_state.h"

/* --- Options and statistics -------------------------------------------- */

static unsigned int opt_reps = 10;
static bool opt_quick;

static uint64_t clock_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

typedef struct Summary {
	double median, p10, p90, min, max;
} Summary;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Percentile @p (0..1) of sorted @v, linear between closest ranks. */
static double percentile(const double *v, unsigned int n, double p)
{
	double pos = p * (n - 1);
	unsigned int i = (unsigned int)pos;

	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (v[i + 1] - v[i]) * (pos - i);
}

static Summary summarize(const double *samples, unsigned int n)
{
	double *v = g_memdup2(samples, n * sizeof(*v));
	Summary s;

	qsort(v, n, sizeof(*v), cmp_double);
	s.median = percentile(v, n, 0.5);
	s.p10 = percentile(v, n, 0.1);
	s.p90 = percentile(v, n, 0.9);
	s.min = v[0];
	s.max = v[n - 1];
	g_free(v);
	return s;
}

/* "median [p10 .. p90] (min .. max)" with @prec decimals. */
static void print_summary(int prec, const Summary *s)
{
	printf("%.*f [p10 %.*f p90 %.*f] (min %.*f max %.*f)", prec,
	       s->median, prec, s->p10, prec, s->p90, prec, s->min, prec,
	       s->max);
}

/* The machine-readable tail of a figure line. */
static void print_machine(const Summary *s, unsigned int reps)
{
	printf(" reps=%u median=%.3f p10=%.3f p90=%.3f min=%.3f max=%.3f\n",
	       reps, s->median, s->p10, s->p90, s->min, s->max);
}

static void drain_f2h(GpuEnv *g, void (*on_event)(void *, uint16_t,
						    const uint32_t *),
		      void *opaque)
{
	uint32_t buf[PVGPU_MSG_MAX_PAYLOAD_DW];
	struct pvgpu_msg_hdr hdr;

	/* As a driver's interrupt handler: acknowledge, then read. */
	fake_reg_write(g->fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_F2H);
	g_queue_clear_full(g->events, g_free);
	while (fake_driver_recv(&g->d, &hdr, buf)) {
		uint16_t op = GUINT16_FROM_LE(hdr.opcode);

		if (GUINT16_FROM_LE(hdr.kind) != PVGPU_MSG_KIND_EVENT)
			g_error("unexpected F2H response 0x%x", op);
		if (op == PVGPU_F2H_EVT_QUEUE_ERROR ||
		    op == PVGPU_F2H_EVT_PAGE_FAULT)
			g_error("queue %u: event 0x%x (error %u): the benchmark "
				"workload is broken", GUINT32_FROM_LE(buf[0]),
				op, GUINT32_FROM_LE(buf[1]));
		if (on_event)
			on_event(opaque, op, buf);
	}
}

/* --- Queues ------------------------------------------------------------ */

static uint32_t queue_register(GpuEnv *g, uint32_t id, uint32_t doorbell,
			       uint32_t engine_class, uint32_t prio,
			       GpuRing *r)
{
	struct pvgpu_msg_queue_register m = { 0 };
	struct pvgpu_queue_desc d = { 0 };
	uint64_t desc = gpu_alloc(g, sizeof(d), 64);

	d.engine_class = GUINT32_TO_LE(engine_class);
	d.priority = GUINT32_TO_LE(prio);
	d.asid = GUINT32_TO_LE(r->vm->asid);
	d.ring_addr = GUINT64_TO_LE(r->va);
	d.ring_size = GUINT32_TO_LE(r->size);
	d.doorbell = GUINT32_TO_LE(doorbell);
	d.rptr_addr = GUINT64_TO_LE(r->rptr_addr);
	d.wptr_addr = GUINT64_TO_LE(r->wptr_addr);
	memcpy(g->fp->ram + desc, &d, sizeof(d));
	m.queue_id = GUINT32_TO_LE(id);
	m.desc_addr = GUINT64_TO_LE(desc);
	return gpu_request(g, PVGPU_H2F_QUEUE_REGISTER, &m, sizeof(m) / 4,
			   NULL);
}

/* --- 1. Scheduling cost per decision ----------------------------------- */

#define SCHED_RING_VA		0x1000000000ull
/* Queue i rings dword i % this of doorbell page 1 + i / this. */
#define SCHED_QUEUES_PER_PAGE	64u
#define SCHED_RING_STRIDE	0x10000ull
#define SCHED_TIMESLICE_US	100u
#define SCHED_PRIO		1u
/* Closed loop: each submission is one DELAY longer than a timeslice. */
#define SCHED_CLOSED_DELAY_NS	150000ull
/* Rotation: one DELAY that outlasts the whole run. */
#define SCHED_ROTATE_DELAY_NS	(3600ull * 1000000000ull)

typedef enum SchedMode {
	SCHED_ROTATE,
	SCHED_CLOSED,
} SchedMode;

typedef struct SchedBench {
	SchedMode mode;
	GpuEnv *g;
	GpuVm vm;
	uint32_t n;		/* registered queues */
	uint32_t stride;	/* queue i has id i * stride */
	uint32_t *doorbells;	/* queue i's doorbell id */
	GpuRing *rings;
	GArray *work;		/* one submission */
	uint32_t *pending;	/* queues that went idle: resubmit */
	uint32_t npending;
	uint64_t fw_ns;		/* host time inside the firmware */
	uint64_t segments;	/* timed stretches (clock_gettime pairs) */
	uint64_t idle_events;
} SchedBench;

static void sched_on_event(void *opaque, uint16_t op, const uint32_t *p)
{
	SchedBench *b = opaque;
	uint32_t id = GUINT32_FROM_LE(p[0]);

	if (op != PVGPU_F2H_EVT_QUEUE_IDLE)
		return;
	g_assert_cmpuint(id % b->stride, ==, 0);
	g_assert_cmpuint(id / b->stride, <, b->n);
	g_assert_cmpuint(b->npending, <, b->n);
	b->pending[b->npending++] = id / b->stride;
	b->idle_events++;
}

static void sched_config(PvgpuFwConfig *cfg, uint32_t max_queues)
{
	pvgpu_fw_config_default(cfg);
	/* The largest doorbell BAR; 4096 queues use pages 1 .. 64 of it. */
	cfg->num_doorbells = 1024;
	cfg->max_queues = max_queues;
	cfg->timeslice_default_us = SCHED_TIMESLICE_US;
	cfg->timeslice_min_us = MIN(cfg->timeslice_min_us, SCHED_TIMESLICE_US);
	/* A DELAY is no progress: keep the watchdog out of the picture. */
	cfg->watchdog_ms = 0;
}

/* @n queues registered in a table of @max_queues, ids spread evenly. */
static SchedBench *sched_new(SchedMode mode, uint32_t n, uint32_t max_queues)
{
	SchedBench *b = g_new0(SchedBench, 1);
	PvgpuFwConfig cfg;
	uint64_t delay = mode == SCHED_CLOSED ? SCHED_CLOSED_DELAY_NS :
			 SCHED_ROTATE_DELAY_NS;

	sched_config(&cfg, max_queues);
	b->mode = mode;
	b->n = n;
	b->stride = max_queues / n;
	/* Rings 4 KiB each plus page tables: 64 MiB is plenty for 4096. */
	b->g = gpu_env_new(&cfg, 0);
	gpu_vm_init(&b->vm, b->g, 1);
	g_assert_cmpuint(gpu_vm_bind(&b->vm, 0), ==, PVGPU_STATUS_OK);
	b->rings = g_new0(GpuRing, n);
	b->pending = g_new0(uint32_t, n);
	b->doorbells = g_new0(uint32_t, n);
	b->work = gpu_cmds_new();
	gpu_cmd_delay(b->work, 0, delay);

	for (uint32_t i = 0; i < n; i++) {
		GpuRing *r = &b->rings[i];
		uint32_t st;

		gpu_ring_init(r, &b->vm, SCHED_RING_VA + i * SCHED_RING_STRIDE,
			      0x1000);
		/* Work queued before registration starts without a doorbell. */
		gpu_ring_submit(r, b->work);
		b->doorbells[i] =
			PVGPU_DOORBELL_ID(1 + i / SCHED_QUEUES_PER_PAGE,
					  i % SCHED_QUEUES_PER_PAGE);
		g_assert_cmpuint(PVGPU_DOORBELL_GROUP(b->doorbells[i]), <,
				 cfg.num_doorbells);
		st = queue_register(b->g, i * b->stride, b->doorbells[i],
				    cfg.engine_class[i % cfg.num_engine_classes],
				    SCHED_PRIO, r);
		if (st != PVGPU_STATUS_OK)
			g_error("registering queue %u of %u: status %u", i, n,
				st);
	}
	drain_f2h(b->g, sched_on_event, b);
	return b;
}

static void sched_free(SchedBench *b)
{
	g_array_free(b->work, TRUE);
	g_free(b->doorbells);
	g_free(b->pending);
	g_free(b->rings);
	gpu_env_free(b->g);
	g_free(b);
}

/*
 * One step of device time: move the fake clock to the firmware's next
 * deadline and fire the timer (serving the kicks it causes); in the closed
 * loop, then give every queue that went idle its next submission and ring
 * its doorbell. Only the firmware's part is timed.
 */
static bool sched_step(SchedBench *b, bool timed)
{
	FakePlatform *fp = b->g->fp;
	uint64_t deadline = fp->timer_deadline, t0;

	if (deadline == FAKE_NO_TIMER)
		return false;
	t0 = timed ? clock_now() : 0;
	fake_platform_advance(fp, deadline > fp->now_ns ?
			      deadline - fp->now_ns : 0);
	if (timed) {
		b->fw_ns += clock_now() - t0;
		b->segments++;
	}
	if (b->mode != SCHED_CLOSED)
		return true;

	drain_f2h(b->g, sched_on_event, b);
	if (!b->npending)
		return true;
	for (uint32_t i = 0; i < b->npending; i++)
		gpu_ring_submit(&b->rings[b->pending[i]], b->work);
	t0 = timed ? clock_now() : 0;
	for (uint32_t i = 0; i < b->npending; i++)
		gpu_doorbell(b->g, b->doorbells[b->pending[i]]);
	fake_platform_run(fp);
	if (timed) {
		b->fw_ns += clock_now() - t0;
		b->segments++;
	}
	b->npending = 0;
	drain_f2h(b->g, sched_on_event, b);
	return true;
}

typedef struct SchedRep {
	uint64_t decisions, preemptions, runs, sim_ns, fw_ns, segments;
} SchedRep;

/* Run until at least @decisions more decisions; false if none happen. */
static bool sched_rep(SchedBench *b, uint64_t decisions, SchedRep *rep)
{
	const PvgpuFwStats *st = pvgpu_fw_stats(b->g->fw);
	uint64_t d0 = st->sched_decisions, p0 = st->preemptions;
	uint64_t r0 = st->sched_runs, s0 = b->g->fp->now_ns, t0 = 0;
	/* Rotation has no driver work: time the whole loop at once. */
	bool whole = b->mode == SCHED_ROTATE;

	b->fw_ns = 0;
	b->segments = whole ? 1 : 0;
	if (whole)
		t0 = clock_now();
	while (st->sched_decisions - d0 < decisions) {
		if (!sched_step(b, !whole))
			return false;
	}
	if (whole)
		b->fw_ns = clock_now() - t0;
	rep->decisions = st->sched_decisions - d0;
	rep->preemptions = st->preemptions - p0;
	rep->runs = st->sched_runs - r0;
	rep->sim_ns = b->g->fp->now_ns - s0;
	rep->fw_ns = b->fw_ns;
	rep->segments = b->segments;
	return true;
}

static double clock_cost_ns;

static void sched_case(SchedMode mode, uint32_t n, uint32_t max_queues)
{
	const char *name = mode == SCHED_CLOSED ? "closed" : "rotate";
	uint64_t per_rep = opt_quick ? 2000 : MAX(100000, 64ull * n);
	double *ns = g_new0(double, opt_reps);
	SchedRep tot = { 0 }, rep;
	SchedBench *b;
	Summary s;

	b = sched_new(mode, n, max_queues);
	/* Warm-up: every queue through the slots at least once. */
	if (!sched_rep(b, per_rep, &rep)) {
		printf("  %-6s queues=%-5u no decisions: every queue has a "
		       "slot of its own, nothing rotates\n", name, n);
		printf("sched_ns_per_decision scenario=%s queues=%u "
		       "max_queues=%u skipped=no_contention\n", name, n,
		       max_queues);
		sched_free(b);
		g_free(ns);
		return;
	}
	for (unsigned int i = 0; i < opt_reps; i++) {
		g_assert_true(sched_rep(b, per_rep, &rep));
		ns[i] = (double)rep.fw_ns / rep.decisions;
		tot.decisions += rep.decisions;
		tot.preemptions += rep.preemptions;
		tot.runs += rep.runs;
		tot.sim_ns += rep.sim_ns;
		tot.fw_ns += rep.fw_ns;
		tot.segments += rep.segments;
	}
	s = summarize(ns, opt_reps);
	printf("  %-6s queues=%-5u max_queues=%-5u ns/decision ", name, n,
	       max_queues);
	print_summary(0, &s);
	printf("\n         %" PRIu64 " decisions/rep, %.0f%% preemptions, "
	       "%.2f scheduler passes/decision, %.0f ns/pass, "
	       "%.1f device-us/decision,\n         %.2f timed stretches/decision "
	       "(~%.0f ns/decision of it is clock_gettime())\n",
	       tot.decisions / opt_reps,
	       100.0 * tot.preemptions / tot.decisions,
	       (double)tot.runs / tot.decisions,
	       (double)tot.fw_ns / tot.runs,
	       (double)tot.sim_ns / 1000.0 / tot.decisions,
	       (double)tot.segments / tot.decisions,
	       clock_cost_ns * tot.segments / tot.decisions);
	printf("sched_ns_per_decision scenario=%s queues=%u max_queues=%u "
	       "decisions_per_rep=%" PRIu64 " preempt_frac=%.3f "
	       "passes_per_decision=%.3f", name, n, max_queues,
	       tot.decisions / opt_reps,
	       (double)tot.preemptions / tot.decisions,
	       (double)tot.runs / tot.decisions);
	print_machine(&s, opt_reps);
	if (pvgpu_fw_stats(b->g->fw)->events_dropped)
		printf("  WARNING: %" PRIu64 " F2H events dropped\n",
		       pvgpu_fw_stats(b->g->fw)->events_dropped);
	sched_free(b);
	g_free(ns);
}

static void bench_sched(void)
{
	static const uint32_t counts[] = { 1, 64, 1024, 4096 };
	PvgpuFwConfig cfg;
	uint64_t t0, t1;

	sched_config(&cfg, 1024);
	t0 = clock_now();
	for (int i = 0; i < 1000; i++)
		(void)clock_now();
	t1 = clock_now();
	clock_cost_ns = (double)(t1 - t0) / 1000;

	printf("\n== 1. Scheduling cost per decision ==\n");
	printf("A decision is one increment of PvgpuFwStats.sched_decisions: "
	       "the scheduler placing\na queue on a free hardware slot "
	       "(sched.c place()) or choosing a resident queue\nto preempt "
	       "for a waiting one (schedule_class()). ns/decision = host "
	       "time spent\ninside the firmware (pvgpu_fw_timer_expired(), "
	       "pvgpu_fw_doorbell() and the\npvgpu_fw_run() calls they kick, "
	       "engine execution of the commands included)\ndivided by the "
	       "decisions made meanwhile. Driver-side work (writing rings,\n"
	       "reading F2H) is not timed.\n");
	printf("Device: %u engine classes (copy %u slots, compute %u slots), "
	       "queues alternate\nbetween them, all at priority %u, "
	       "timeslice %u us, watchdog off.\n",
	       cfg.num_engine_classes, cfg.slots[0], cfg.slots[1], SCHED_PRIO,
	       SCHED_TIMESLICE_US);
	printf("  rotate: every queue has one DELAY that outlasts the run; "
	       "the slots rotate only\n          by timeslice expiry "
	       "(preempt + place); no driver involvement.\n");
	printf("  closed: every queue has one DELAY of %" PRIu64 " us at a "
	       "time; when it goes idle\n          (EVT_QUEUE_IDLE) the "
	       "driver submits the next and rings its doorbell.\n",
	       (uint64_t)(SCHED_CLOSED_DELAY_NS / 1000));
	printf("clock_gettime() costs %.0f ns; about one call per timed "
	       "stretch is in the figure.\n", clock_cost_ns);

	printf("max_queues is the size of the firmware's queue table "
	       "(default 1024); queue ids\nare spread evenly over it. Every "
	       "queue is registered. Doorbells: %u queues to\na doorbell page "
	       "(groups 1 .. %u for 4096 queues), one dword each.\n",
	       SCHED_QUEUES_PER_PAGE, 4096 / SCHED_QUEUES_PER_PAGE);
	for (unsigned int m = 0; m < 2; m++) {
		SchedMode mode = m == 0 ? SCHED_ROTATE : SCHED_CLOSED;

		for (unsigned int i = 0; i < G_N_ELEMENTS(counts); i++) {
			uint32_t n = counts[i];

			sched_case(mode, n, MAX(n, cfg.max_queues));
		}
	}
}

/* --- 2. Copy-engine throughput ----------------------------------------- */

#define COPY_SRC_VA_4K		0x100000000ull
#define COPY_DST_VA_4K		0x200000000ull
#define COPY_SRC_VA_2M		0x300000000ull
#define COPY_DST_VA_2M		0x400000000ull
#define COPY_RING_VA		0x10000000ull
#define COPY_RING2_VA		0x10010000ull

typedef struct CopyBench {
	GpuEnv *g;
	GpuVm vm;
	GpuRing ring;		/* registered copy queue 0 */
	GpuRing ring2;		/* not registered: fw_engine_run() directly */
	uint64_t size, src_pa, dst_pa;
} CopyBench;

/* The copy queue's doorbell: a kernel-managed queue's, in group 0. */
#define COPY_DOORBELL \
	PVGPU_DOORBELL_ID(PVGPU_DOORBELL_GROUP_KERNEL, 1)

/* Through the queue: doorbell -> scheduler -> copy engine, to idle. */
static uint64_t copy_via_queue(CopyBench *c, uint64_t src, uint64_t dst)
{
	GArray *cmds = gpu_cmds_new();
	uint64_t t0, t1;

	gpu_cmd_copy(cmds, src, dst, c->size);
	gpu_ring_submit(&c->ring, cmds);
	g_array_free(cmds, TRUE);
	t0 = clock_now();
	gpu_doorbell(c->g, COPY_DOORBELL);
	fake_platform_run(c->g->fp);
	t1 = clock_now();
	g_assert_cmpuint(gpu_ring_rptr(&c->ring), ==, c->ring.tail);
	drain_f2h(c->g, NULL, NULL);
	return t1 - t0;
}

/* The engine alone: one fw_engine_run() with an unlimited budget. */
static uint64_t copy_direct(CopyBench *c, uint64_t src, uint64_t dst)
{
	GArray *cmds = gpu_cmds_new();
	uint32_t budget = UINT32_MAX;
	FwExecStatus st;
	FwExecCtx ctx;
	uint64_t t0, t1;

	gpu_cmd_copy(cmds, src, dst, c->size);
	gpu_ring_exec_ctx(&c->ring2, PVGPU_ENGINE_CLASS_COPY, &ctx);
	gpu_ring_submit(&c->ring2, cmds);
	g_array_free(cmds, TRUE);
	t0 = clock_now();
	st = fw_engine_run(c->g->fw, 1000, &ctx, c->g->fp->now_ns, &budget);
	t1 = clock_now();
	g_assert_cmpint(st, ==, FW_EXEC_IDLE);
	return t1 - t0;
}

static uint64_t copy_memcpy(CopyBench *c)
{
	uint64_t t0 = clock_now();

	memcpy(c->g->fp->ram + c->dst_pa, c->g->fp->ram + c->src_pa, c->size);
	return clock_now() - t0;
}

static void copy_check(CopyBench *c, const char *what)
{
	if (memcmp(c->g->fp->ram + c->dst_pa, c->g->fp->ram + c->src_pa,
		   c->size))
		g_error("copy: %s: destination differs from source", what);
	memset(c->g->fp->ram + c->dst_pa, 0, c->size);
}

enum { CP_MEMCPY, CP_Q4K, CP_Q2M, CP_D4K, CP_D2M, CP_N };

static void bench_copy(void)
{
	static const char *const names[CP_N] = {
		"host memcpy", "queue, 4 KiB pages", "queue, 2 MiB pages",
		"engine only, 4 KiB", "engine only, 2 MiB",
	};
	static const char *const keys[CP_N] = {
		"memcpy", "engine_4k", "engine_2m", "engine_direct_4k",
		"engine_direct_2m",
	};
	CopyBench c = { 0 };
	PvgpuFwConfig cfg;
	double *gbs[CP_N];
	FwMmuStats before, after[CP_N];
	Summary s[CP_N];
	uint32_t *src;

	c.size = opt_quick ? (8ull << 20) : (64ull << 20);
	pvgpu_fw_config_default(&cfg);
	c.g = gpu_env_new(&cfg, 2 * c.size + (16ull << 20));
	gpu_vm_init(&c.vm, c.g, 1);
	g_assert_cmpuint(gpu_vm_bind(&c.vm, 0), ==, PVGPU_STATUS_OK);
	c.src_pa = gpu_alloc(c.g, c.size, GPU_2M);
	c.dst_pa = gpu_alloc(c.g, c.size, GPU_2M);
	gpu_vm_map(&c.vm, COPY_SRC_VA_4K, c.src_pa, c.size, GPU_4K, 0);
	gpu_vm_map(&c.vm, COPY_DST_VA_4K, c.dst_pa, c.size, GPU_4K,
		   PVGPU_PTE_WRITABLE);
	gpu_vm_map(&c.vm, COPY_SRC_VA_2M, c.src_pa, c.size, GPU_2M, 0);
	gpu_vm_map(&c.vm, COPY_DST_VA_2M, c.dst_pa, c.size, GPU_2M,
		   PVGPU_PTE_WRITABLE);
	gpu_ring_init(&c.ring, &c.vm, COPY_RING_VA, 0x1000);
	gpu_ring_init(&c.ring2, &c.vm, COPY_RING2_VA, 0x1000);
	g_assert_cmpuint(queue_register(c.g, 0, COPY_DOORBELL,
					PVGPU_ENGINE_CLASS_COPY, 1, &c.ring),
			 ==, PVGPU_STATUS_OK);
	src = (uint32_t *)(c.g->fp->ram + c.src_pa);
	for (uint64_t i = 0; i < c.size / 4; i++)
		src[i] = (uint32_t)(i * 2654435761u);
	for (unsigned int k = 0; k < CP_N; k++)
		gbs[k] = g_new0(double, opt_reps);

	/* Rep -1 warms up and checks; variants interleave to share drift. */
	for (int rep = -1; rep < (int)opt_reps; rep++) {
		for (unsigned int k = 0; k < CP_N; k++) {
			uint64_t ns;

			before = *fw_mmu_stats(c.g->fw);
			switch (k) {
			case CP_MEMCPY:
				ns = copy_memcpy(&c);
				break;
			case CP_Q4K:
				ns = copy_via_queue(&c, COPY_SRC_VA_4K,
						    COPY_DST_VA_4K);
				break;
			case CP_Q2M:
				ns = copy_via_queue(&c, COPY_SRC_VA_2M,
						    COPY_DST_VA_2M);
				break;
			case CP_D4K:
				ns = copy_direct(&c, COPY_SRC_VA_4K,
						 COPY_DST_VA_4K);
				break;
			default:
				ns = copy_direct(&c, COPY_SRC_VA_2M,
						 COPY_DST_VA_2M);
				break;
			}
			after[k] = *fw_mmu_stats(c.g->fw);
			after[k].tlb_hits -= before.tlb_hits;
			after[k].tlb_misses -= before.tlb_misses;
			after[k].walks -= before.walks;
			if (rep < 0)
				copy_check(&c, names[k]);
			else
				gbs[k][rep] = (double)c.size / ns;
		}
	}

	printf("\n== 2. Copy-engine throughput ==\n");
	printf("COPY of %" PRIu64 " MiB GPU VA -> GPU VA (same physical "
	       "buffers in fake RAM for every\nvariant; the engine works in "
	       "4 KiB chunks, each a fw_gpu_read() into a bounce\nbuffer and "
	       "a fw_gpu_write()). 'queue': doorbell of a registered copy "
	       "queue until\nthe ring is idle (scheduler passes included). "
	       "'engine only': one fw_engine_run()\nwith an unlimited "
	       "budget. GB/s = 10^9 bytes per second.\n",
	       c.size >> 20);
	for (unsigned int k = 0; k < CP_N; k++) {
		s[k] = summarize(gbs[k], opt_reps);
		printf("  %-20s GB/s ", names[k]);
		print_summary(2, &s[k]);
		if (k != CP_MEMCPY)
			printf("  x%.3f of memcpy\n        MMU per copy: "
			       "%" PRIu64 " TLB hits, %" PRIu64 " misses, "
			       "%" PRIu64 " walks",
			       s[k].median / s[CP_MEMCPY].median,
			       after[k].tlb_hits, after[k].tlb_misses,
			       after[k].walks);
		printf("\n");
	}
	for (unsigned int k = 0; k < CP_N; k++) {
		printf("copy_gbps variant=%s size_mib=%" PRIu64, keys[k],
		       c.size >> 20);
		if (k != CP_MEMCPY)
			printf(" ratio_vs_memcpy=%.3f tlb_misses=%" PRIu64
			       " walks=%" PRIu64,
			       s[k].median / s[CP_MEMCPY].median,
			       after[k].tlb_misses, after[k].walks);
		print_machine(&s[k], opt_reps);
	}
	for (unsigned int k = 0; k < CP_N; k++)
		g_free(gbs[k]);
	gpu_env_free(c.g);
}

/* --- 3. Translation cost ----------------------------------------------- */

#define XL_VA			0x80000000ull
#define XL_PAGES		4096u	/* 16 MiB of 4 KiB pages */
#define XL_TLB_REACH		(FW_TLB_SETS * FW_TLB_WAYS)

typedef struct XlCase {
	const char *name, *key, *what;
	uint32_t pages;		/* cycled over in order */
	bool expect_hits;
} XlCase;

static void bench_xlate(void)
{
	static const XlCase cases[] = {
		{ "hit, same page", "hit_same_page",
		  "every read in one 4 KiB page", 1, true },
		{ "hit, TLB reach", "hit_tlb_reach",
		  "cycling over 256 pages = the 64x4 TLB", XL_TLB_REACH, true },
		{ "miss, beyond reach", "miss_beyond_reach",
		  "cycling over 4096 pages: LRU evicts each first", XL_PAGES,
		  false },
	};
	uint64_t reads = opt_quick ? (1u << 16) : (1u << 21);
	PvgpuFwConfig cfg;
	GpuEnv *g;
	GpuVm vm;
	uint64_t pa;
	volatile uint32_t sink = 0;

	pvgpu_fw_config_default(&cfg);
	g = gpu_env_new(&cfg, 0);
	gpu_vm_init(&vm, g, 1);
	g_assert_cmpuint(gpu_vm_bind(&vm, 0), ==, PVGPU_STATUS_OK);
	pa = gpu_alloc(g, (uint64_t)XL_PAGES * GPU_4K, GPU_4K);
	gpu_vm_map(&vm, XL_VA, pa, (uint64_t)XL_PAGES * GPU_4K, GPU_4K, 0);
	g_assert_cmpuint(XL_TLB_REACH, ==, 256);

	printf("\n== 3. Translation cost ==\n");
	printf("fw_gpu_read() of 4 bytes (one translation + a 4-byte DMA "
	       "read of fake RAM) in\na bound address space of 4 KiB pages "
	       "(%u-level tables), %" PRIu64 " reads per rep;\nthe page "
	       "varies with the read's index, the offset in the page too.\n",
	       PVGPU_PT_LEVELS(cfg.va_bits), reads);

	for (unsigned int k = 0; k < G_N_ELEMENTS(cases); k++) {
		const XlCase *xc = &cases[k];
		double *ns = g_new0(double, opt_reps);
		FwMmuStats st0 = { 0 }, st1 = { 0 };
		Summary s;

		/* Start cold, as after an invalidation of everything. */
		g_assert_cmpuint(gpu_tlb_invalidate(g, 1, 0, 0), ==,
				 PVGPU_STATUS_OK);
		for (int rep = -1; rep < (int)opt_reps; rep++) {
			uint64_t t0;

			st0 = *fw_mmu_stats(g->fw);
			t0 = clock_now();
			for (uint64_t i = 0; i < reads; i++) {
				uint64_t va = XL_VA +
					(i % xc->pages) * GPU_4K +
					((i * 68) & 0xffc);
				uint32_t v;
				FwFault f;

				if (!fw_gpu_read(g->fw, 1, va, &v, 4, &f))
					g_error("xlate: fault at 0x%" PRIx64,
						va);
				sink += v;
			}
			if (rep >= 0)
				ns[rep] = (double)(clock_now() - t0) / reads;
			st1 = *fw_mmu_stats(g->fw);
		}
		st1.tlb_hits -= st0.tlb_hits;
		st1.tlb_misses -= st0.tlb_misses;
		st1.walks -= st0.walks;
		/* Prove the case measured what it says (last rep). */
		if (xc->expect_hits ? st1.tlb_misses != 0 :
		    st1.tlb_hits != 0)
			g_error("xlate: %s: %" PRIu64 " hits / %" PRIu64
				" misses", xc->name, st1.tlb_hits,
				st1.tlb_misses);
		s = summarize(ns, opt_reps);
		printf("  %-20s ns/translation ", xc->name);
		print_summary(1, &s);
		printf("\n        %s; MMU per rep: %" PRIu64 " TLB hits, "
		       "%" PRIu64 " misses, %" PRIu64 " walks\n", xc->what,
		       st1.tlb_hits, st1.tlb_misses, st1.walks);
		printf("xlate_ns case=%s pages=%u tlb_hits=%" PRIu64
		       " tlb_misses=%" PRIu64 " walks=%" PRIu64, xc->key,
		       xc->pages, st1.tlb_hits, st1.tlb_misses, st1.walks);
		print_machine(&s, opt_reps);
		g_free(ns);
	}
	(void)sink;
	gpu_env_free(g);
}

/* --- 4. Host cost of a firmware reset and of address-space checks ------- */

#define RC_QUEUES		64u
#define RC_PAIRS		64u
#define RC_RING_VA		0x1000000000ull

typedef struct ResetBench {
	GpuEnv *g;
	GpuVm vm;		/* asid 1: every queue's */
	GpuVm vm2;		/* asid 2: bound and unbound by the AS case */
	GpuRing ring;		/* one ring for all: they only register */
	uint32_t max_queues;
	uint32_t ids[RC_QUEUES];
} ResetBench;

/* Bind asid 1 and register the queues (after a boot). */
static void reset_setup(ResetBench *b)
{
	const PvgpuFwConfig *cfg = pvgpu_fw_config(b->g->fw);

	g_assert_cmpuint(gpu_vm_bind(&b->vm, 0), ==, PVGPU_STATUS_OK);
	for (uint32_t i = 0; i < RC_QUEUES; i++) {
		/* Dword i of a page of its own (group 0 is the kernel's). */
		uint32_t page = 1 + i % (cfg->num_doorbells - 1);
		uint32_t db = PVGPU_DOORBELL_ID(page, i);
		uint32_t st = queue_register(b->g, b->ids[i], db,
					     cfg->engine_class[i % 2], 1,
					     &b->ring);

		if (st != PVGPU_STATUS_OK)
			g_error("reset: registering queue %u: status %u",
				b->ids[i], st);
	}
}

static void reset_case(uint32_t max_queues, uint32_t doorbell_pages)
{
	unsigned int reps = opt_reps;
	double *reset_us = g_new0(double, reps);
	double *as_ms = g_new0(double, reps);
	ResetBench b = { .max_queues = max_queues };
	PvgpuFwQueueState *q;
	PvgpuFwConfig cfg;
	Summary sr, sa;
	uint32_t n;

	pvgpu_fw_config_default(&cfg);
	cfg.max_queues = max_queues;
	cfg.num_doorbells = doorbell_pages;
	b.g = gpu_env_new(&cfg, 0);
	gpu_vm_init(&b.vm, b.g, 1);
	gpu_vm_init(&b.vm2, b.g, 2);
	gpu_ring_init(&b.ring, &b.vm, RC_RING_VA, 0x1000);
	/* Ids spread over the whole table, the last one included. */
	for (uint32_t i = 0; i < RC_QUEUES; i++)
		b.ids[i] = (uint32_t)((uint64_t)(max_queues - 1) * i /
				      (RC_QUEUES - 1));
	reset_setup(&b);
	q = pvgpu_fw_queue_states(b.g->fw, &n);
	g_assert_cmpuint(n, ==, max_queues);

	/* Rep -1 warms up. */
	for (int rep = -1; rep < (int)reps; rep++) {
		uint64_t t0, t1;

		/* 64 AS_BIND/AS_UNBIND of a space no queue uses. */
		t0 = clock_now();
		for (uint32_t i = 0; i < RC_PAIRS; i++) {
			if (gpu_vm_bind(&b.vm2, 0) != PVGPU_STATUS_OK ||
			    gpu_as_unbind(b.g, 2) != PVGPU_STATUS_OK)
				g_error("reset: AS_BIND/AS_UNBIND failed");
		}
		t1 = clock_now();
		/* The check still sees the queues of asid 1. */
		if (gpu_as_unbind(b.g, 1) != PVGPU_STATUS_EBUSY)
			g_error("reset: AS_UNBIND of a space in use succeeded");
		if (rep >= 0)
			as_ms[rep] = (double)(t1 - t0) / 1e6;

		/* One FW_CTRL.RESET with the queues registered. */
		t0 = clock_now();
		fake_reg_write(b.g->fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
		t1 = clock_now();
		if (fake_reg_read(b.g->fp, PVGPU_REG_FW_STATUS) !=
		    PVGPU_FW_STATE_OFF)
			g_error("reset: FW_CTRL.RESET did not stop the "
				"firmware");
		for (uint32_t i = 0; i < RC_QUEUES; i++) {
			if (q[b.ids[i]].registered)
				g_error("reset: queue %u survived", b.ids[i]);
		}
		if (rep >= 0)
			reset_us[rep] = (double)(t1 - t0) / 1e3;
		/* Not timed: boot again, queues back. */
		if (fake_driver_boot(&b.g->d) != PVGPU_FW_STATE_RUNNING)
			g_error("reset: boot after RESET failed");
		fake_reg_write(b.g->fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_ALL);
		reset_setup(&b);
	}

	sr = summarize(reset_us, reps);
	sa = summarize(as_ms, reps);
	printf("  max_queues=%-5u doorbell pages=%-4u\n", max_queues,
	       doorbell_pages);
	printf("    FW_CTRL.RESET us ");
	print_summary(1, &sr);
	printf("\n    %u x AS_BIND+AS_UNBIND ms ", RC_PAIRS);
	print_summary(3, &sa);
	printf("\n");
	printf("reset_cost op=fw_ctrl_reset unit=us queues=%u max_queues=%u "
	       "doorbell_pages=%u", RC_QUEUES, max_queues, doorbell_pages);
	print_machine(&sr, reps);
	printf("reset_cost op=as_bind_unbind_x%u unit=ms queues=%u "
	       "max_queues=%u doorbell_pages=%u", RC_PAIRS, RC_QUEUES,
	       max_queues, doorbell_pages);
	print_machine(&sa, reps);
	g_free(reset_us);
	g_free(as_ms);
	gpu_env_free(b.g);
}

static void bench_reset(void)
{
	printf("\n== 4. Host cost of FW_CTRL.RESET and AS_UNBIND's check ==\n");
	printf("%u queues registered (ids spread over the table, the last one "
	       "included; doorbells\nin %u pages), all on asid 1. "
	       "'FW_CTRL.RESET': one register write (the\nfirmware forgets "
	       "every queue and address space), timed alone; boot and\n"
	       "re-registration are not timed. '%u x AS_BIND+AS_UNBIND': "
	       "%u request pairs on\nasid 2 (no queue uses it), each a full "
	       "H2F/F2H round trip of the fake driver;\nAS_UNBIND checks that "
	       "no queue uses the space.\n", RC_QUEUES, RC_QUEUES, RC_PAIRS,
	       RC_PAIRS);
	reset_case(1024, 64);
	reset_case(65536, 1024);
}

/* --- Main -------------------------------------------------------------- */

static void usage(const char *argv0)
{
	printf("usage: %s [--reps=N] [--quick] [sched] [copy] [xlate] "
	       "[reset]\n"
	       "  Runs the named parts (default: all) and prints median and\n"
	       "  spread over N repetitions (default 10, at least 3).\n"
	       "  --quick: small sizes, for a smoke run (e.g. under ASan).\n",
	       argv0);
}

int main(int argc, char **argv)
{
	bool run_sched = false, run_copy = false, run_xlate = false;
	bool run_reset = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strncmp(a, "--reps=", 7)) {
			opt_reps = (unsigned int)strtoul(a + 7, NULL, 10);
			if (opt_reps < 3 || opt_reps > 1000) {
				usage(argv[0]);
				return 2;
			}
		} else if (!strcmp(a, "--quick")) {
			opt_quick = true;
		} else if (!strcmp(a, "sched")) {
			run_sched = true;
		} else if (!strcmp(a, "copy")) {
			run_copy = true;
		} else if (!strcmp(a, "xlate")) {
			run_xlate = true;
		} else if (!strcmp(a, "reset")) {
			run_reset = true;
		} else {
			usage(argv[0]);
			return !strcmp(a, "--help") ? 0 : 2;
		}
	}
	if (!run_sched && !run_copy && !run_xlate && !run_reset)
		run_sched = run_copy = run_xlate = run_reset = true;

	printf("pvgpu firmware model benchmark (host time; %u repetitions "
	       "per figure%s)\n", opt_reps, opt_quick ? ", --quick" : "");
	printf("Figures: median [p10 p90] (min max). Build with "
	       "--buildtype=release for\nmeaningful numbers.\n");
	fflush(stdout);
	if (run_sched)
		bench_sched();
	fflush(stdout);
	if (run_copy)
		bench_copy();
	fflush(stdout);
	if (run_xlate)
		bench_xlate();
	fflush(stdout);
	if (run_reset)
		bench_reset();
	return 0;
}
