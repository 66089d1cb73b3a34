/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The scheduler: rotation of many queues over few slots, fairness, strict
 * priority, realtime preemption, timeslices, WAIT, idle events, doorbells,
 * the watchdog and the preemption timeout (docs/scheduler.rst).
 */
#include <inttypes.h>
#include <string.h>

#include "sched_helpers.h"

#define US		1000ull
#define MS		1000000ull
#define COPY		PVGPU_ENGINE_CLASS_COPY
#define COMPUTE		PVGPU_ENGINE_CLASS_COMPUTE
#define RT		3	/* realtime with the default 4 priorities */

static PvgpuFwQueueState *qs(Sh *t, uint32_t id)
{
	uint32_t n;

	return &pvgpu_fw_queue_states(t->fw, &n)[id];
}

/* A device with @copy and @compute slots (else the helpers' default). */
static Sh *sh_slots(uint32_t copy, uint32_t compute)
{
	PvgpuFwConfig cfg;

	sh_config(&cfg);
	cfg.slots[0] = copy;
	cfg.slots[1] = compute;
	return sh_new(&cfg);
}

static GArray *delays(unsigned int n, uint64_t ns)
{
	GArray *c = gpu_cmds_new();

	for (unsigned int i = 0; i < n; i++)
		gpu_cmd_delay(c, 0, ns);
	return c;
}

static void store(GArray *c, uint64_t off, uint32_t v)
{
	gpu_cmd_store32(c, SH_DATA_VA + off, v);
}

/* No queue ever had more residents than its class has slots. */
static void check_slots(Sh *t)
{
	const PvgpuFwConfig *cfg = pvgpu_fw_config(t->fw);
	uint32_t n, resident[PVGPU_MAX_ENGINE_CLASSES] = { 0 };
	PvgpuFwQueueState *q = pvgpu_fw_queue_states(t->fw, &n);

	for (uint32_t i = 0; i < n; i++) {
		if (q[i].registered && q[i].state == PVGPU_QUEUE_STATE_RESIDENT)
			resident[q[i].ctx.engine_class]++;
	}
	for (uint32_t c = 0; c < cfg->num_engine_classes; c++)
		g_assert_cmpuint(resident[cfg->engine_class[c]], <=,
				 cfg->slots[c]);
}

/* --- Rotation ---------------------------------------------------------- */

/* @n queues on 4 compute slots; every one completes, one idle event each. */
static void test_rotation(gconstpointer data)
{
	uint32_t n = GPOINTER_TO_UINT(data);
	Sh *t = sh_slots(2, 4);
	uint32_t busy = 0;

	for (uint32_t i = 0; i < n; i++) {
		GArray *c = gpu_cmds_new();

		g_assert_cmpuint(sh_register(t, i, COMPUTE, i % 3, 0), ==,
				 PVGPU_STATUS_OK);
		gpu_cmd_delay(c, 0, 50 * US);
		store(c, i * 4, i + 1);
		gpu_cmd_delay(c, 0, 50 * US);
		store(c, 0x10000 + i * 4, 0xabc0000 + i);
		sh_go(t, i, c);
	}
	check_slots(t);
	for (uint32_t i = 0; i < n; i++)
		busy += qs(t, i)->state == PVGPU_QUEUE_STATE_RESIDENT;
	g_assert_cmpuint(busy, ==, MIN(n, 4));

	sh_run_for(t, 75 * US);
	check_slots(t);
	sh_settle(t, 100 * MS);
	for (uint32_t i = 0; i < n; i++) {
		g_assert_cmpuint(sh_rd32(t, i * 4), ==, i + 1);
		g_assert_cmpuint(sh_rd32(t, 0x10000 + i * 4), ==, 0xabc0000 + i);
		g_assert_cmpuint(sh_state(t, i), ==, PVGPU_QUEUE_STATE_IDLE);
		g_assert_cmpuint(sh_done(t, i), ==, 4);
		g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_IDLE, i),
				 ==, 1);
	}
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_ERROR,
					 UINT32_MAX), ==, 0);
	/* 100 us of DELAY per queue, 4 at a time. */
	g_assert_cmpuint(pvgpu_fw_stats(t->fw)->sched_decisions, >=, n);
	g_assert_cmpuint(fake_platform_error_count(t->fp), ==, 0);
	sh_free(t);
}

/* Equal priority: progress per queue stays within about one quantum. */
static void test_fairness(void)
{
	Sh *t = sh_slots(2, 4);
	uint64_t min = UINT64_MAX, max = 0;

	for (uint32_t i = 0; i < 16; i++) {
		g_assert_cmpuint(sh_register(t, i, COMPUTE, 1, 0), ==,
				 PVGPU_STATUS_OK);
		sh_go(t, i, delays(200, 100 * US));
	}
	for (unsigned int round = 0; round < 8; round++) {
		sh_run_for(t, 5 * MS);
		check_slots(t);
	}
	/* 40 ms x 4 slots / 16 queues = 10 ms = 100 DELAYs each. */
	for (uint32_t i = 0; i < 16; i++) {
		uint64_t d = qs(t, i)->ctx.commands_done;

		min = MIN(min, d);
		max = MAX(max, d);
	}
	g_test_message("commands done per queue: %" PRIu64 "..%" PRIu64,
		       min, max);
	g_assert_cmpuint(min, >=, 90);
	g_assert_cmpuint(max, <=, 110);
	g_assert_cmpuint(max - min, <=, 11);
	/* Rotation happened by timeslice, many times. */
	g_assert_cmpuint(pvgpu_fw_stats(t->fw)->preemptions, >=, 100);
	sh_settle(t, 200 * MS);
	for (uint32_t i = 0; i < 16; i++)
		g_assert_cmpuint(sh_done(t, i), ==, 200);
	sh_free(t);
}

/* --- Priorities -------------------------------------------------------- */

static void test_strict_priority(void)
{
	Sh *t = sh_slots(1, 4);
	uint64_t t0 = t->fp->now_ns, low_done;

	g_assert_cmpuint(sh_register(t, 0, COPY, 0, 0), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register(t, 1, COPY, 2, 0), ==, PVGPU_STATUS_OK);
	sh_go(t, 0, delays(30, 100 * US));
	sh_run_for(t, 500 * US);
	/* Not realtime: the high queue waits for the low one's quantum. */
	sh_go(t, 1, delays(30, 100 * US));
	g_assert_cmpuint(sh_state(t, 1), ==, PVGPU_QUEUE_STATE_RUNNABLE);
	sh_run_until(t, t0 + 1 * MS + 1);
	g_assert_cmpuint(sh_state(t, 1), ==, PVGPU_QUEUE_STATE_RESIDENT);
	low_done = sh_done(t, 0);
	g_assert_cmpuint(low_done, ==, 10);
	/* Its own quanta expire, but a lower priority never preempts. */
	sh_run_until(t, t0 + 3900 * US);
	g_assert_cmpuint(sh_done(t, 0), ==, low_done);
	g_assert_cmpuint(sh_done(t, 1), ==, 29);
	sh_run_until(t, t0 + 4 * MS + 1);
	g_assert_cmpuint(sh_done(t, 1), ==, 30);
	/* Not even a preemption to put it straight back. */
	g_assert_cmpuint(qs(t, 1)->preemptions, ==, 0);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_RESIDENT);
	sh_settle(t, 10 * MS);
	g_assert_cmpuint(sh_done(t, 0), ==, 30);
	g_assert_cmpuint(t->fp->now_ns, ==, t0 + 6 * MS);
	sh_free(t);
}

/* A realtime queue takes the slot at the next command boundary. */
static void test_realtime_boundary(void)
{
	Sh *t = sh_slots(1, 4);
	GArray *c = gpu_cmds_new();
	uint64_t before;

	g_assert_cmpuint(sh_register_full(t, 0, COPY, 0, 0, 0x10000, NULL), ==,
			 PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register(t, 1, COPY, RT, 0), ==, PVGPU_STATUS_OK);
	for (unsigned int i = 0; i < 3000; i++)
		store(c, 0x100, i);
	sh_submit(t, 0, c);
	g_array_free(c, TRUE);
	sh_ring(t, t->q[0].doorbell);
	/* One firmware run: one budget of commands. */
	t->fp->kicks_pending = 0;
	pvgpu_fw_run(t->fw);
	before = qs(t, 0)->ctx.commands_done;
	g_assert_cmpuint(before, >, 0);
	g_assert_cmpuint(before, <, 3000);

	/* The realtime queue records how far the other one had got. */
	c = gpu_cmds_new();
	gpu_cmd_copy(c, SH_DATA_VA + 0x100, SH_DATA_VA + 0x200, 4);
	sh_submit(t, 1, c);
	g_array_free(c, TRUE);
	sh_ring(t, t->q[1].doorbell);
	t->fp->kicks_pending = 0;
	pvgpu_fw_run(t->fw);
	/* It ran before the other executed one more command. */
	g_assert_cmpuint(sh_done(t, 1), ==, 1);
	g_assert_cmpuint(sh_rd32(t, 0x200), ==, before - 1);
	g_assert_cmpuint(qs(t, 0)->preemptions, ==, 1);
	sh_settle(t, 10 * MS);
	g_assert_cmpuint(sh_done(t, 0), ==, 3000);
	g_assert_cmpuint(sh_rd32(t, 0x100), ==, 2999);
	sh_free(t);
}

/*
 * A run under the inline budget executes about its engine units (at least
 * FW_SLOT_BUDGET_MIN per slot), kicks for the rest, and a deferred run
 * then does a full budget: a long job on a doorbell costs the guest's
 * write little.
 */
static void test_inline_budget(void)
{
	Sh *t = sh_slots(1, 1);
	GArray *c = gpu_cmds_new();
	uint32_t units = PVGPU_FW_RUN_BUDGET_INLINE.exec_units;
	uint64_t inline_done, deferred_done;

	g_assert_cmpuint(units, <, PVGPU_FW_EXEC_BUDGET);
	g_assert_cmpuint(sh_register_full(t, 0, COPY, 0, 0, 0x10000, NULL), ==,
			 PVGPU_STATUS_OK);
	for (unsigned int i = 0; i < 3000; i++)
		store(c, 0x100, i);
	sh_submit(t, 0, c);
	g_array_free(c, TRUE);
	sh_ring(t, t->q[0].doorbell);
	g_assert_cmpuint(t->fp->kicks_pending, ==, 1);
	t->fp->kicks_pending = 0;

	pvgpu_fw_run_budget(t->fw, PVGPU_FW_RUN_BUDGET_INLINE);
	inline_done = qs(t, 0)->ctx.commands_done;
	/* One store is one unit; the two slots share the units. */
	g_assert_cmpuint(inline_done, ==, units / 2);
	g_assert_cmpuint(t->fp->kicks_pending, ==, 1);

	t->fp->kicks_pending = 0;
	pvgpu_fw_run(t->fw);
	deferred_done = qs(t, 0)->ctx.commands_done - inline_done;
	g_assert_cmpuint(deferred_done, >, units);
	g_assert_cmpuint(deferred_done, <=, PVGPU_FW_EXEC_BUDGET);
	sh_settle(t, 10 * MS);
	g_assert_cmpuint(sh_done(t, 0), ==, 3000);
	g_assert_cmpuint(sh_rd32(t, 0x100), ==, 2999);
	sh_free(t);
}

/* A realtime queue preempts a DELAY at once; the DELAY's rest continues. */
static void test_realtime_delay(void)
{
	Sh *t = sh_slots(1, 4);
	uint64_t t0 = t->fp->now_ns;
	GArray *c = gpu_cmds_new();

	g_assert_cmpuint(sh_register(t, 0, COPY, 0, 0), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register(t, 1, COPY, RT, 0), ==, PVGPU_STATUS_OK);
	gpu_cmd_delay(c, 0, 10 * MS);
	store(c, 0, 1);
	sh_go(t, 0, c);
	sh_run_for(t, 700 * US);
	c = gpu_cmds_new();
	gpu_cmd_timestamp(c, SH_DATA_VA + 0x100);
	sh_go(t, 1, c);
	g_assert_cmpuint(fake_ram_rd64(t->fp, t->data_pa + 0x100), ==,
			 t0 + 700 * US);
	g_assert_cmpuint(qs(t, 0)->preemptions, ==, 1);
	g_assert_cmpuint(sh_state(t, 1), ==, PVGPU_QUEUE_STATE_IDLE);
	/* 9.3 ms left of the DELAY, continued at once. */
	sh_run_until(t, t0 + 10 * MS - 1);
	g_assert_cmpuint(sh_rd32(t, 0), ==, 0);
	sh_run_until(t, t0 + 10 * MS);
	g_assert_cmpuint(sh_rd32(t, 0), ==, 1);
	sh_free(t);
}

/*
 * The device clock moves while the firmware runs (QEMU's virtual clock
 * does): a DELAY shorter than the rest of the run that started it is over
 * before the timer is armed. Its end still arms the timer (in the past:
 * it fires at once), so the DELAY completes without a doorbell or a
 * QUEUE_QUERY (sh_query() would run the firmware: not used here).
 */
static void test_short_delay_live_clock(void)
{
	Sh *t = sh_slots(1, 4);
	GArray *c = delays(1, 1 * US);

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	store(c, 0, 0x5a);
	t->fp->clock_step_ns = 1 * US;
	sh_go(t, 0, c);
	t->fp->clock_step_ns = 0;
	g_assert_cmpuint(t->fp->timer_deadline, <=, t->fp->now_ns);
	fake_platform_advance(t->fp, 0);
	g_assert_cmpuint(sh_rd32(t, 0), ==, 0x5a);
	g_assert_cmpuint(qs(t, 0)->ctx.commands_done, ==, 2);
	g_assert_cmpuint(fake_platform_error_count(t->fp), ==, 0);
	sh_free(t);
}

/* --- Timeslice --------------------------------------------------------- */

static void test_timeslice_delay(void)
{
	Sh *t = sh_slots(1, 4);
	uint64_t t0 = t->fp->now_ns;

	for (uint32_t i = 0; i < 2; i++) {
		GArray *c = gpu_cmds_new();

		g_assert_cmpuint(sh_register(t, i, COPY, 1, 1000), ==,
				 PVGPU_STATUS_OK);
		gpu_cmd_delay(c, 0, 5 * MS);
		gpu_cmd_timestamp(c, SH_DATA_VA + 8 * i);
		sh_submit(t, i, c);
		g_array_free(c, TRUE);
	}
	sh_doorbell(t, 0);
	sh_doorbell(t, 1);
	/* A: 0-1, 2-3, 4-5, 6-7, 8-9 ms; B: 1-2, ..., 9-10 ms. */
	sh_run_until(t, t0 + 9 * MS - 1);
	g_assert_cmpuint(qs(t, 0)->ctx.commands_done, ==, 0);
	sh_run_until(t, t0 + 9 * MS);
	g_assert_cmpuint(qs(t, 0)->ctx.commands_done, ==, 1);
	g_assert_cmpuint(qs(t, 1)->ctx.commands_done, ==, 0);
	/*
	 * A's quantum ended with its DELAY, before the TIMESTAMP: B's turn.
	 * Both then end at 10 ms.
	 */
	sh_settle(t, 20 * MS);
	g_assert_cmpuint(fake_ram_rd64(t->fp, t->data_pa), ==, t0 + 10 * MS);
	g_assert_cmpuint(fake_ram_rd64(t->fp, t->data_pa + 8), ==,
			 t0 + 10 * MS);
	g_assert_cmpuint(qs(t, 0)->preemptions, ==, 5);
	g_assert_cmpuint(qs(t, 1)->preemptions, ==, 5);
	g_assert_cmpuint(GUINT64_FROM_LE(sh_query(t, 0).busy_ns), ==, 5 * MS);
	g_assert_cmpuint(GUINT64_FROM_LE(sh_query(t, 1).busy_ns), ==, 5 * MS);
	sh_free(t);
}

/* SET_TIMESLICE changes the quantum; SET_PRIORITY can make realtime. */
static void test_set_timeslice_priority(void)
{
	Sh *t = sh_slots(1, 4);
	uint64_t t0 = t->fp->now_ns;

	for (uint32_t i = 0; i < 2; i++) {
		g_assert_cmpuint(sh_register(t, i, COPY, 1, 0), ==,
				 PVGPU_STATUS_OK);
		g_assert_cmpuint(sh_queue_set(t, PVGPU_H2F_QUEUE_SET_TIMESLICE,
					      i, 100), ==, PVGPU_STATUS_OK);
	}
	sh_go(t, 0, delays(10, 100 * US));
	sh_go(t, 1, delays(10, 100 * US));
	sh_run_until(t, t0 + 1 * MS);
	g_assert_cmpuint(qs(t, 0)->preemptions, >=, 4);
	g_assert_cmpuint(sh_done(t, 0), ==, 5);
	g_assert_cmpuint(sh_done(t, 1), ==, 5);
	/* Queue 1 realtime, default quantum for 0: 1 runs to its end. */
	g_assert_cmpuint(sh_queue_set(t, PVGPU_H2F_QUEUE_SET_TIMESLICE, 0, 0),
			 ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_queue_set(t, PVGPU_H2F_QUEUE_SET_PRIORITY, 1, RT),
			 ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_state(t, 1), ==, PVGPU_QUEUE_STATE_RESIDENT);
	sh_run_until(t, t0 + 1500 * US);
	g_assert_cmpuint(sh_done(t, 1), ==, 10);
	g_assert_cmpuint(sh_done(t, 0), ==, 5);
	sh_settle(t, 10 * MS);
	g_assert_cmpuint(sh_done(t, 0), ==, 10);

	g_assert_cmpuint(sh_queue_set(t, PVGPU_H2F_QUEUE_SET_PRIORITY, 1, 4),
			 ==, PVGPU_STATUS_EINVAL);
	g_assert_cmpuint(sh_queue_set(t, PVGPU_H2F_QUEUE_SET_TIMESLICE, 1, 99),
			 ==, PVGPU_STATUS_EINVAL);
	g_assert_cmpuint(sh_queue_set(t, PVGPU_H2F_QUEUE_SET_TIMESLICE, 1,
				      100001), ==, PVGPU_STATUS_EINVAL);
	g_assert_cmpuint(sh_queue_set(t, PVGPU_H2F_QUEUE_SET_PRIORITY, 7, 1),
			 ==, PVGPU_STATUS_ENOENT);
	sh_free(t);
}

/* --- Idle, WAIT, doorbells --------------------------------------------- */

static void test_idle_events(void)
{
	Sh *t = sh_slots(1, 4);
	GArray *c = gpu_cmds_new();
	const ShEvent *e;

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	/* A doorbell without work: no busy->idle transition, no event. */
	sh_doorbell(t, 0);
	sh_pump(t);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_IDLE, 0), ==,
			 0);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_IDLE);

	store(c, 0, 1);
	store(c, 4, 2);
	sh_go(t, 0, c);
	sh_pump(t);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_IDLE, 0), ==,
			 1);
	e = sh_find_event(t, PVGPU_F2H_EVT_QUEUE_IDLE, 0, 0);
	g_assert_cmpuint(e->len, ==, 2);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[1]), ==, 32);
	g_assert_cmpuint(gpu_ring_rptr(&t->q[0].ring), ==, 32);
	sh_doorbell(t, 0);
	sh_doorbell(t, 0);
	sh_pump(t);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_IDLE, 0), ==,
			 1);
	/* Work across several runs and a DELAY: still one event. */
	c = delays(3, 10 * US);
	store(c, 8, 3);
	sh_go(t, 0, c);
	sh_settle(t, 1 * MS);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_IDLE, 0), ==,
			 2);
	g_assert_cmpuint(sh_rd32(t, 8), ==, 3);
	sh_free(t);
}

/* WAIT yields the slot; memory written by another queue wakes it. */
static void test_wait_yields(void)
{
	Sh *t = sh_slots(1, 4);
	uint64_t t0 = t->fp->now_ns;
	GArray *c = gpu_cmds_new();

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register(t, 1, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	gpu_cmd_wait(c, 0, SH_DATA_VA, 1, 0xffffffff, PVGPU_WAIT_EQ);
	gpu_cmd_timestamp(c, SH_DATA_VA + 0x100);
	sh_go(t, 0, c);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_WAITING);

	c = gpu_cmds_new();
	gpu_cmd_delay(c, 0, 300 * US);
	store(c, 0, 1);
	gpu_cmd_timestamp(c, SH_DATA_VA + 0x108);
	sh_go(t, 1, c);
	/* The waiting queue left the slot: the other one runs. */
	g_assert_cmpuint(sh_state(t, 1), ==, PVGPU_QUEUE_STATE_RESIDENT);
	sh_run_for(t, 200 * US);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_WAITING);
	g_assert_cmpuint(pvgpu_fw_stats(t->fw)->wait_polls, >=, 9);
	sh_settle(t, 1 * MS);
	g_assert_cmpuint(fake_ram_rd64(t->fp, t->data_pa + 0x108), ==,
			 t0 + 300 * US);
	/* Re-checked within one poll interval (20 us). */
	g_assert_cmpuint(fake_ram_rd64(t->fp, t->data_pa + 0x100), >,
			 t0 + 300 * US);
	g_assert_cmpuint(fake_ram_rd64(t->fp, t->data_pa + 0x100), <=,
			 t0 + 320 * US);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_IDLE);

	/* A doorbell re-checks at once, without waiting for the poll. */
	c = gpu_cmds_new();
	gpu_cmd_wait(c, 0, SH_DATA_VA + 4, 5, 0xffffffff, PVGPU_WAIT_GTE);
	store(c, 8, 0x77);
	sh_go(t, 0, c);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_WAITING);
	sh_wr32(t, 4, 9);
	sh_doorbell(t, 1);
	g_assert_cmphex(sh_rd32(t, 8), ==, 0x77);
	sh_free(t);
}

/* A doorbell on a queue that is not resident still gets it scheduled. */
static void test_doorbell_nonresident(void)
{
	Sh *t = sh_slots(1, 4);
	uint64_t t0 = t->fp->now_ns;
	GArray *c;

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register(t, 1, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	sh_go(t, 0, delays(1, 5 * MS));
	c = gpu_cmds_new();
	gpu_cmd_timestamp(c, SH_DATA_VA);
	sh_go(t, 1, c);
	g_assert_cmpuint(sh_state(t, 1), ==, PVGPU_QUEUE_STATE_RUNNABLE);
	sh_settle(t, 10 * MS);
	g_assert_cmpuint(fake_ram_rd64(t->fp, t->data_pa), ==, t0 + 1 * MS);
	g_assert_cmpuint(sh_done(t, 0), ==, 1);
	g_assert_cmpuint(t->fp->now_ns, ==, t0 + 5 * MS);

	/* A doorbell nobody owns is ignored: no error, nothing runs. */
	sh_ring(t, PVGPU_DOORBELL_ID(77, 0));
	g_assert_cmpuint(fake_platform_error_count(t->fp), ==, 0);
	g_assert_cmpuint(t->fp->kicks_pending, ==, 0);
	sh_free(t);
}

/*
 * Three queues with doorbells in one page (group 3: dwords 0, 5, 1023),
 * two of them on the single copy slot: each dword schedules its own
 * queue and no other; the value written does not matter.
 */
static void test_doorbell_shared_page(void)
{
	Sh *t = sh_slots(1, 4);
	GArray *c;

	g_assert_cmpuint(sh_register_db(t, 0, COPY, PVGPU_DOORBELL_ID(3, 0)),
			 ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register_db(t, 1, COPY, PVGPU_DOORBELL_ID(3, 5)),
			 ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register_db(t, 2, COMPUTE,
					PVGPU_DOORBELL_ID(3, 1023)), ==,
			 PVGPU_STATUS_OK);
	c = delays(1, 1 * MS);
	store(c, 0, 0xa0);
	sh_submit(t, 0, c);
	g_array_free(c, TRUE);
	c = gpu_cmds_new();
	store(c, 4, 0xa1);
	sh_submit(t, 1, c);
	g_array_free(c, TRUE);
	c = gpu_cmds_new();
	store(c, 8, 0xa2);
	sh_submit(t, 2, c);
	g_array_free(c, TRUE);
	/* Dword 5 of page 3: queue 1 only. */
	pvgpu_fw_doorbell(t->fw, 3, 5 * 4, 0xdeadbeef);
	fake_platform_run(t->fp);
	g_assert_cmphex(sh_rd32(t, 4), ==, 0xa1);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_IDLE);
	g_assert_cmpuint(sh_state(t, 2), ==, PVGPU_QUEUE_STATE_IDLE);
	/* Dword 0: queue 0, which takes the copy slot. */
	pvgpu_fw_doorbell(t->fw, 3, 0, 0);
	fake_platform_run(t->fp);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_RESIDENT);
	g_assert_cmpuint(sh_state(t, 2), ==, PVGPU_QUEUE_STATE_IDLE);
	/* Queue 1 again, now behind queue 0 on the slot: RUNNABLE. */
	c = gpu_cmds_new();
	store(c, 12, 0xb1);
	sh_submit(t, 1, c);
	g_array_free(c, TRUE);
	pvgpu_fw_doorbell(t->fw, 3, 5 * 4, 1);
	fake_platform_run(t->fp);
	g_assert_cmpuint(sh_state(t, 1), ==, PVGPU_QUEUE_STATE_RUNNABLE);
	/* The last dword of the page: queue 2. */
	pvgpu_fw_doorbell(t->fw, 3, PVGPU_DOORBELL_PAGE_SIZE - 4, 7);
	fake_platform_run(t->fp);
	g_assert_cmphex(sh_rd32(t, 8), ==, 0xa2);

	sh_settle(t, 10 * MS);
	g_assert_cmphex(sh_rd32(t, 0), ==, 0xa0);
	g_assert_cmphex(sh_rd32(t, 12), ==, 0xb1);
	for (uint32_t i = 0; i < 3; i++)
		g_assert_cmpuint(sh_state(t, i), ==, PVGPU_QUEUE_STATE_IDLE);
	g_assert_cmpuint(fake_platform_error_count(t->fp), ==, 0);
	sh_free(t);
}

/*
 * A doorbell write that is not at a dword boundary is a guest error and
 * rings nothing: not the queue whose dword it falls in, not H2F.
 */
static void test_doorbell_unaligned(void)
{
	Sh *t = sh_slots(1, 4);
	GArray *c = gpu_cmds_new();
	struct pvgpu_msg_ping ping = { 0 };
	uint32_t seq;

	g_assert_cmpuint(sh_register_db(t, 0, COPY, PVGPU_DOORBELL_ID(2, 1)),
			 ==, PVGPU_STATUS_OK);
	store(c, 0, 0x55);
	sh_submit(t, 0, c);
	g_array_free(c, TRUE);
	for (uint32_t off = 5; off < 8; off++) {
		pvgpu_fw_doorbell(t->fw, 2, off, 1);
		g_assert_true(fake_platform_has_error(t->fp, "unaligned"));
		fake_platform_clear_errors(t->fp);
	}
	g_assert_cmpuint(t->fp->kicks_pending, ==, 0);
	fake_platform_run(t->fp);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_IDLE);
	g_assert_cmphex(sh_rd32(t, 0), ==, 0);

	/* In group 0 it does not ring the H2F doorbell either. */
	g_assert_true(fake_driver_send(&t->g->d, PVGPU_H2F_PING, &ping,
				       sizeof(ping) / 4, &seq));
	pvgpu_fw_doorbell(t->fw, PVGPU_DOORBELL_GROUP_KERNEL,
			  PVGPU_DOORBELL_H2F + 2, 1);
	g_assert_true(fake_platform_has_error(t->fp, "doorbell write at "
					      "unaligned offset 0x2 of "
					      "group 0"));
	g_assert_cmpuint(t->fp->kicks_pending, ==, 0);
	g_assert_false(sh_response(t, seq, NULL, NULL));

	/* The aligned write at offset 4 of page 2 rings it. */
	pvgpu_fw_doorbell(t->fw, 2, 4, 1);
	fake_platform_run(t->fp);
	g_assert_cmphex(sh_rd32(t, 0), ==, 0x55);
	/* And the kernel's real doorbell gets the PING served. */
	fake_driver_doorbell(&t->g->d);
	g_assert_true(sh_response(t, seq, NULL, NULL));
	sh_free(t);
}

/*
 * A doorbell id no queue owns (an unused kernel doorbell, a dword of a
 * process's page it has no queue on, the very last id, a freed one) is
 * ignored: traced, no guest error, no firmware work.
 */
static void test_doorbell_unused(void)
{
	static const uint32_t unused[] = {
		PVGPU_DOORBELL_ID(0, 2), PVGPU_DOORBELL_ID(0, 1023),
		PVGPU_DOORBELL_ID(9, 0), PVGPU_DOORBELL_ID(9, 4),
		PVGPU_DOORBELL_ID(1023, 1023),
	};
	Sh *t = sh_slots(1, 4);
	const PvgpuFwStats *st = pvgpu_fw_stats(t->fw);
	uint64_t rung;
	GArray *c;

	g_assert_cmpuint(sh_register_db(t, 0, COPY, PVGPU_DOORBELL_ID(0, 1)),
			 ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register_db(t, 1, COPY, PVGPU_DOORBELL_ID(9, 3)),
			 ==, PVGPU_STATUS_OK);
	c = gpu_cmds_new();
	store(c, 0, 0x66);
	sh_submit(t, 1, c);
	g_array_free(c, TRUE);
	t->fp->trace = g_string_new(NULL);
	t->fp->kicks_pending = 0;
	rung = st->doorbells;
	for (size_t i = 0; i < G_N_ELEMENTS(unused); i++) {
		char *line = g_strdup_printf("doorbell_unused %x 0",
					     unused[i]);

		sh_ring(t, unused[i]);
		g_assert_nonnull(strstr(t->fp->trace->str, line));
		g_free(line);
	}
	g_assert_cmpuint(st->doorbells - rung, ==, G_N_ELEMENTS(unused));
	g_assert_cmpuint(fake_platform_error_count(t->fp), ==, 0);
	g_assert_cmpuint(t->fp->kicks_pending, ==, 0);
	g_assert_cmpuint(sh_state(t, 1), ==, PVGPU_QUEUE_STATE_IDLE);

	/* Deregistered: its doorbell is unused again. */
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_DEREGISTER, 0), ==,
			 PVGPU_STATUS_OK);
	t->fp->kicks_pending = 0;
	sh_ring(t, PVGPU_DOORBELL_ID(0, 1));
	g_assert_nonnull(strstr(t->fp->trace->str, "doorbell_unused 1 0"));
	g_assert_cmpuint(t->fp->kicks_pending, ==, 0);
	g_assert_cmpuint(fake_platform_error_count(t->fp), ==, 0);

	/* The owned dword between them still works. */
	sh_doorbell(t, 1);
	g_assert_cmphex(sh_rd32(t, 0), ==, 0x66);
	sh_free(t);
}

/* --- Suspend, resume, deregister, reset -------------------------------- */

static void test_suspend_resume(void)
{
	Sh *t = sh_slots(1, 4);
	GArray *c;

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register(t, 1, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	c = delays(10, 100 * US);
	store(c, 0, 0xa);
	sh_go(t, 0, c);
	c = delays(3, 100 * US);
	store(c, 4, 0xb);
	sh_go(t, 1, c);
	sh_run_for(t, 250 * US);
	g_assert_cmpuint(sh_done(t, 0), ==, 2);

	/* Resident in a preemptible DELAY: off the slot before the reply. */
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_SUSPEND, 0), ==,
			 PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_SUSPENDED);
	g_assert_cmpuint(sh_state(t, 1), ==, PVGPU_QUEUE_STATE_RESIDENT);
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_SUSPEND, 0), ==,
			 PVGPU_STATUS_OK);
	sh_doorbell(t, 0);
	sh_run_for(t, 5 * MS);
	g_assert_cmphex(sh_rd32(t, 4), ==, 0xb);
	g_assert_cmpuint(sh_done(t, 0), ==, 2);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_SUSPENDED);
	/* Suspended time is not watchdog time: nothing was reset. */
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_RESUME, 0), ==,
			 PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_RESUME, 0), ==,
			 PVGPU_STATUS_EINVAL);
	sh_settle(t, 5 * MS);
	g_assert_cmphex(sh_rd32(t, 0), ==, 0xa);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_IDLE, 0), ==,
			 1);

	/* An idle queue: a doorbell does not run it until RESUME. */
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_SUSPEND, 1), ==,
			 PVGPU_STATUS_OK);
	c = gpu_cmds_new();
	store(c, 4, 0xc);
	sh_go(t, 1, c);
	g_assert_cmphex(sh_rd32(t, 4), ==, 0xb);
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_RESUME, 1), ==,
			 PVGPU_STATUS_OK);
	g_assert_cmphex(sh_rd32(t, 4), ==, 0xc);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_ERROR,
					 UINT32_MAX), ==, 0);
	sh_free(t);
}

/*
 * A queue taken off its slot in the middle of a batch (SUSPEND in a DELAY
 * there; another queue runs meanwhile) continues in the batch after
 * RESUME, the DELAY with the time it had left; rptr
 * stays at the ring BATCH_CALL all along and passes it only once the batch
 * has returned.
 */
static void test_suspend_mid_batch(void)
{
	Sh *t = sh_slots(1, 4);
	const uint64_t bva = SH_DATA_VA + 0x8000;
	GArray *c = gpu_cmds_new(), *b = gpu_cmds_new();
	const ShEvent *e;

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register(t, 1, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	for (uint32_t i = 0; i < 4; i++)
		gpu_cmd_delay(b, 0, 100 * US);
	store(b, 8, 3);
	gpu_cmd_batch_return(b);
	gpu_vm_write_cmds(&t->vm, bva, b);
	g_array_free(b, TRUE);
	store(c, 0, 1);				/* [0, 16) */
	gpu_cmd_batch_call(c, bva);		/* [16, 28) */
	store(c, 4, 2);				/* [28, 44) */
	sh_go(t, 0, c);
	sh_run_for(t, 150 * US);
	/* In the second DELAY: the call counted, not retired. */
	g_assert_cmpuint(sh_done(t, 0), ==, 3);
	g_assert_cmpuint(qs(t, 0)->ctx.batch_depth, ==, 1);
	g_assert_cmpuint(sh_query(t, 0).rptr, ==, 16);
	g_assert_cmpuint(gpu_ring_rptr(&t->q[0].ring), ==, 16);

	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_SUSPEND, 0), ==,
			 PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_SUSPENDED);
	/* Queue 1 takes the slot meanwhile. */
	c = delays(4, 100 * US);
	store(c, 12, 4);
	sh_go(t, 1, c);
	sh_run_for(t, 1 * MS);
	g_assert_cmphex(sh_rd32(t, 12), ==, 4);
	g_assert_cmpuint(gpu_ring_rptr(&t->q[0].ring), ==, 16);
	g_assert_cmpuint(sh_done(t, 0), ==, 3);

	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_RESUME, 0), ==,
			 PVGPU_STATUS_OK);
	/* The rest of the second DELAY and part of the third. */
	sh_run_for(t, 100 * US);
	g_assert_cmpuint(sh_done(t, 0), ==, 4);
	g_assert_cmpuint(qs(t, 0)->ctx.batch_depth, ==, 1);
	g_assert_cmpuint(gpu_ring_rptr(&t->q[0].ring), ==, 16);
	g_assert_cmphex(sh_rd32(t, 8), ==, 0);

	sh_settle(t, 5 * MS);
	g_assert_cmphex(sh_rd32(t, 8), ==, 3);
	g_assert_cmphex(sh_rd32(t, 4), ==, 2);
	g_assert_cmpuint(gpu_ring_rptr(&t->q[0].ring), ==, 44);
	/* 3 on the ring, 6 in the batch. */
	g_assert_cmpuint(sh_done(t, 0), ==, 9);
	e = sh_find_event(t, PVGPU_F2H_EVT_QUEUE_IDLE, 0, 0);
	g_assert_nonnull(e);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[1]), ==, 44);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_ERROR,
					 UINT32_MAX), ==, 0);
	sh_free(t);
}

/* SUSPEND of a queue in a NOPREEMPT DELAY answers when the DELAY ends. */
static void test_suspend_nopreempt(void)
{
	Sh *t = sh_slots(1, 4);
	struct pvgpu_msg_queue m = { .queue_id = 0 };
	struct pvgpu_msg_ping ping = { .cookie = 7 };
	uint64_t t0 = t->fp->now_ns;
	uint32_t s_suspend, s_ping, st;
	GArray *c = gpu_cmds_new();
	const ShEvent *e;

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	gpu_cmd_delay(c, PVGPU_CMD_DELAY_NOPREEMPT, 2 * MS);
	store(c, 0, 1);
	sh_go(t, 0, c);
	sh_run_for(t, 500 * US);
	s_suspend = sh_send(t, PVGPU_H2F_QUEUE_SUSPEND, &m, 2);
	s_ping = sh_send(t, PVGPU_H2F_PING, &ping, 4);
	g_assert_false(sh_response(t, s_suspend, NULL, NULL));
	sh_run_until(t, t0 + 2 * MS - 1);
	g_assert_false(sh_response(t, s_suspend, NULL, NULL));
	g_assert_cmpuint(qs(t, 0)->state, ==, PVGPU_QUEUE_STATE_RESIDENT);
	sh_run_until(t, t0 + 2 * MS);
	g_assert_true(sh_response(t, s_suspend, &st, NULL));
	g_assert_cmpuint(st, ==, PVGPU_STATUS_OK);
	g_assert_true(sh_response(t, s_ping, &st, NULL));
	/* The DELAY completed, the STORE after it did not run. */
	g_assert_cmpuint(sh_done(t, 0), ==, 1);
	g_assert_cmpuint(sh_rd32(t, 0), ==, 0);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_SUSPENDED);
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_RESUME, 0), ==,
			 PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_rd32(t, 0), ==, 1);

	/* Longer than the preemption timeout (10 ms): reset, then answer. */
	c = gpu_cmds_new();
	gpu_cmd_delay(c, PVGPU_CMD_DELAY_NOPREEMPT, 50 * MS);
	store(c, 0, 2);
	sh_go(t, 0, c);
	t0 = t->fp->now_ns;
	s_suspend = sh_send(t, PVGPU_H2F_QUEUE_SUSPEND, &m, 2);
	sh_run_until(t, t0 + 10 * MS - 1);
	g_assert_false(sh_response(t, s_suspend, NULL, NULL));
	sh_run_until(t, t0 + 10 * MS);
	g_assert_true(sh_response(t, s_suspend, &st, NULL));
	g_assert_cmpuint(st, ==, PVGPU_STATUS_OK);
	e = sh_find_event(t, PVGPU_F2H_EVT_QUEUE_ERROR, 0, 0);
	g_assert_nonnull(e);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[1]), ==,
			 PVGPU_QUEUE_ERR_PREEMPT_TIMEOUT);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[2]), ==, 1);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_ERROR);
	sh_settle(t, 100 * MS);
	g_assert_cmpuint(sh_rd32(t, 0), ==, 1);
	sh_free(t);
}

static void test_deregister(void)
{
	Sh *t = sh_slots(1, 4);
	struct pvgpu_msg_queue m = { .queue_id = 0 };
	uint32_t seq, st;
	GArray *c;

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register(t, 1, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	sh_go(t, 0, delays(100, 100 * US));
	c = gpu_cmds_new();
	store(c, 0, 0x11);
	sh_go(t, 1, c);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_RESIDENT);
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_DEREGISTER, 0), ==,
			 PVGPU_STATUS_OK);
	/* Its slot went to the waiting queue at once. */
	g_assert_cmphex(sh_rd32(t, 0), ==, 0x11);
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_QUERY, 0), ==,
			 PVGPU_STATUS_ENOENT);
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_DEREGISTER, 0), ==,
			 PVGPU_STATUS_ENOENT);
	/* Its doorbell is free: ringing it is ignored, not an error. */
	fake_platform_clear_errors(t->fp);
	sh_ring(t, t->q[0].doorbell);
	fake_platform_run(t->fp);
	g_assert_cmpuint(fake_platform_error_count(t->fp), ==, 0);
	/* Id and doorbell can be used again. */
	t->q[0].registered = false;
	gpu_ring_set_start(&t->q[0].ring, 0);
	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	c = gpu_cmds_new();
	store(c, 4, 0x22);
	sh_go(t, 0, c);
	g_assert_cmphex(sh_rd32(t, 4), ==, 0x22);

	/* In a NOPREEMPT DELAY: the response waits for the DELAY's end. */
	c = gpu_cmds_new();
	gpu_cmd_delay(c, PVGPU_CMD_DELAY_NOPREEMPT, 1 * MS);
	sh_go(t, 0, c);
	seq = sh_send(t, PVGPU_H2F_QUEUE_DEREGISTER, &m, 2);
	g_assert_false(sh_response(t, seq, NULL, NULL));
	sh_run_for(t, 1 * MS);
	g_assert_true(sh_response(t, seq, &st, NULL));
	g_assert_cmpuint(st, ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_QUERY, 0), ==,
			 PVGPU_STATUS_ENOENT);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_ERROR,
					 UINT32_MAX), ==, 0);
	sh_free(t);
}

static void test_queue_reset(void)
{
	Sh *t = sh_slots(1, 4);
	const ShEvent *e;
	GArray *c;

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register(t, 1, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	c = delays(1, 5 * MS);
	store(c, 0, 1);
	sh_go(t, 0, c);
	c = gpu_cmds_new();
	store(c, 4, 2);
	sh_go(t, 1, c);
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_RESET, 0), ==,
			 PVGPU_STATUS_OK);
	e = sh_find_event(t, PVGPU_F2H_EVT_QUEUE_ERROR, 0, 0);
	g_assert_nonnull(e);
	g_assert_cmpuint(e->len, ==, 14);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[1]), ==,
			 PVGPU_QUEUE_ERR_RESET);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[2]), ==, 1);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[3]), ==, COPY);
	/* cmd_va: the DELAY at the ring's start; cmd_dw0 its header. */
	g_assert_cmphex(GUINT32_FROM_LE(e->payload[4]), ==,
			(uint32_t)t->q[0].ring.va);
	g_assert_cmphex(GUINT32_FROM_LE(e->payload[6]), ==,
			PVGPU_CMD_HDR(PVGPU_CMD_DELAY, 0, 3));
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[12]), ==, 1);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_ERROR);
	g_assert_cmpuint(sh_rd32(t, 4), ==, 2);
	/* Once stopped, a second RESET changes nothing. */
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_RESET, 0), ==,
			 PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_ERROR, 0), ==,
			 1);
	/* Doorbells of a queue in ERROR do nothing. */
	sh_doorbell(t, 0);
	sh_settle(t, 10 * MS);
	g_assert_cmpuint(sh_rd32(t, 0), ==, 0);
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_DEREGISTER, 0), ==,
			 PVGPU_STATUS_OK);
	sh_free(t);
}

static void test_query(void)
{
	Sh *t = sh_slots(1, 4);
	struct pvgpu_msg_queue_state s;

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	s = sh_query(t, 0);
	g_assert_cmpuint(GUINT32_FROM_LE(s.state), ==, PVGPU_QUEUE_STATE_IDLE);
	g_assert_cmphex(GUINT32_FROM_LE(s.slot), ==, 0xffffffff);
	g_assert_cmpuint(GUINT64_FROM_LE(s.busy_ns), ==, 0);
	sh_go(t, 0, delays(2, 300 * US));
	sh_run_for(t, 400 * US);
	s = sh_query(t, 0);
	g_assert_cmpuint(GUINT32_FROM_LE(s.state), ==,
			 PVGPU_QUEUE_STATE_RESIDENT);
	g_assert_cmpuint(GUINT32_FROM_LE(s.slot), ==, 0);
	g_assert_cmpuint(GUINT32_FROM_LE(s.rptr), ==, 12);
	g_assert_cmpuint(GUINT64_FROM_LE(s.commands_done), ==, 1);
	g_assert_cmpuint(GUINT64_FROM_LE(s.busy_ns), ==, 400 * US);
	sh_settle(t, 1 * MS);
	s = sh_query(t, 0);
	g_assert_cmpuint(GUINT64_FROM_LE(s.busy_ns), ==, 600 * US);
	g_assert_cmpuint(GUINT32_FROM_LE(s.rptr), ==, 24);
	sh_free(t);
}

/* --- Watchdog and preemption timeout ----------------------------------- */

/* A queue that never progresses is reset; the others finish correctly. */
static void test_watchdog(gconstpointer data)
{
	bool use_wait = GPOINTER_TO_UINT(data);
	PvgpuFwConfig cfg;
	Sh *t;
	uint64_t t0;
	GArray *c;
	const ShEvent *e;

	sh_config(&cfg);
	cfg.watchdog_ms = 10;
	t = sh_new(&cfg);
	t0 = t->fp->now_ns;
	g_assert_cmpuint(sh_register(t, 0, COMPUTE, 1, 0), ==,
			 PVGPU_STATUS_OK);
	c = gpu_cmds_new();
	if (use_wait)
		gpu_cmd_wait(c, 0, SH_DATA_VA + 0x800, 1, 0xffffffff,
			     PVGPU_WAIT_EQ);
	else
		gpu_cmd_delay(c, 0, 1000 * MS);
	store(c, 0x804, 0xbad);
	sh_go(t, 0, c);
	/* Six honest queues on the remaining slots, 25 ms of work each. */
	for (uint32_t i = 1; i <= 6; i++) {
		g_assert_cmpuint(sh_register(t, i, COMPUTE, 1, 0), ==,
				 PVGPU_STATUS_OK);
		c = gpu_cmds_new();
		for (uint32_t k = 0; k < 50; k++) {
			gpu_cmd_delay(c, 0, 500 * US);
			gpu_cmd_atomic(c, PVGPU_ATOMIC_ADD32,
				       SH_DATA_VA + 4 * i, i, 0, 0);
		}
		sh_go(t, i, c);
	}
	sh_run_until(t, t0 + 10 * MS - 1);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_ERROR,
					 UINT32_MAX), ==, 0);
	sh_settle(t, 200 * MS);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_ERROR,
					 UINT32_MAX), ==, 1);
	e = sh_find_event(t, PVGPU_F2H_EVT_QUEUE_ERROR, 0, 0);
	g_assert_nonnull(e);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[1]), ==,
			 PVGPU_QUEUE_ERR_HANG);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[2]), ==, 1);
	g_assert_cmphex(GUINT32_FROM_LE(e->payload[6]), ==, use_wait ?
			PVGPU_CMD_HDR(PVGPU_CMD_WAIT, 0, 8) :
			PVGPU_CMD_HDR(PVGPU_CMD_DELAY, 0, 3));
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_ERROR);
	g_assert_cmpuint(sh_rd32(t, 0x804), ==, 0);
	for (uint32_t i = 1; i <= 6; i++) {
		g_assert_cmpuint(sh_rd32(t, 4 * i), ==, 50 * i);
		g_assert_cmpuint(sh_state(t, i), ==, PVGPU_QUEUE_STATE_IDLE);
	}
	/* It stays stopped until deregistered. */
	sh_wr32(t, 0x800, 1);
	sh_doorbell(t, 0);
	sh_settle(t, 10 * MS);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_ERROR);
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_DEREGISTER, 0), ==,
			 PVGPU_STATUS_OK);
	sh_free(t);
}

/* Slow but steady is not hung: progress restarts the watchdog. */
static void test_watchdog_progress(void)
{
	PvgpuFwConfig cfg;
	Sh *t;

	sh_config(&cfg);
	cfg.watchdog_ms = 10;
	t = sh_new(&cfg);
	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	sh_go(t, 0, delays(10, 9 * MS));
	sh_settle(t, 200 * MS);
	g_assert_cmpuint(sh_done(t, 0), ==, 10);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_ERROR,
					 UINT32_MAX), ==, 0);
	sh_free(t);
}

/* A NOPREEMPT DELAY holds off a realtime queue up to the timeout. */
static void test_preempt_timeout(void)
{
	Sh *t = sh_slots(1, 4);
	uint64_t t0 = t->fp->now_ns;
	GArray *c = gpu_cmds_new();
	const ShEvent *e;

	g_assert_cmpuint(sh_register(t, 0, COPY, 0, 0), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register(t, 1, COPY, RT, 0), ==, PVGPU_STATUS_OK);
	/* Short enough: the realtime queue waits for the DELAY's end. */
	gpu_cmd_delay(c, PVGPU_CMD_DELAY_NOPREEMPT, 3 * MS);
	store(c, 0, 1);
	sh_go(t, 0, c);
	sh_run_for(t, 1 * MS);
	c = gpu_cmds_new();
	gpu_cmd_timestamp(c, SH_DATA_VA + 0x100);
	sh_go(t, 1, c);
	sh_settle(t, 10 * MS);
	g_assert_cmpuint(fake_ram_rd64(t->fp, t->data_pa + 0x100), ==,
			 t0 + 3 * MS);
	g_assert_cmpuint(sh_rd32(t, 0), ==, 1);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_ERROR,
					 UINT32_MAX), ==, 0);

	/* Too long: reset after preempt_timeout_us (10 ms). */
	t0 = t->fp->now_ns;
	c = gpu_cmds_new();
	gpu_cmd_delay(c, PVGPU_CMD_DELAY_NOPREEMPT, 50 * MS);
	store(c, 0, 2);
	sh_go(t, 0, c);
	sh_run_for(t, 1 * MS);
	c = gpu_cmds_new();
	gpu_cmd_timestamp(c, SH_DATA_VA + 0x100);
	sh_go(t, 1, c);
	sh_settle(t, 100 * MS);
	g_assert_cmpuint(fake_ram_rd64(t->fp, t->data_pa + 0x100), ==,
			 t0 + 11 * MS);
	e = sh_find_event(t, PVGPU_F2H_EVT_QUEUE_ERROR, 0, 0);
	g_assert_nonnull(e);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[1]), ==,
			 PVGPU_QUEUE_ERR_PREEMPT_TIMEOUT);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[2]), ==, 1);
	g_assert_cmpuint(sh_rd32(t, 0), ==, 1);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_ERROR);
	g_assert_cmpuint(sh_state(t, 1), ==, PVGPU_QUEUE_STATE_IDLE);
	sh_free(t);
}

/* --- Faults and engine errors ------------------------------------------ */

#define HOLE_VA		(SH_DATA_VA + 0x200000)

static void reply(Sh *t, uint32_t id, uint32_t seqno, uint32_t action,
		  uint32_t expect)
{
	struct pvgpu_msg_fault_reply m = {
		.queue_id = GUINT32_TO_LE(id),
		.fault_seqno = GUINT32_TO_LE(seqno),
		.action = GUINT32_TO_LE(action),
	};

	g_assert_cmpuint(sh_request(t, PVGPU_H2F_PAGE_FAULT_REPLY, &m, 4,
				    NULL), ==, expect);
}

/* QUEUE_QUERY's pending fault: @seqno 0 means none (all fields zero). */
static void check_queried_fault(Sh *t, uint32_t id, uint32_t seqno,
				uint64_t va, uint32_t access, uint32_t reason)
{
	struct pvgpu_msg_queue_state s = sh_query(t, id);

	g_assert_cmpuint(GUINT32_FROM_LE(s.fault_seqno), ==, seqno);
	g_assert_cmphex(GUINT64_FROM_LE(s.fault_va), ==, va);
	g_assert_cmpuint(GUINT32_FROM_LE(s.fault_access), ==, access);
	g_assert_cmpuint(GUINT32_FROM_LE(s.fault_reason), ==, reason);
	g_assert_cmpuint(s.fault_reserved, ==, 0);
}

static void test_fault_retry(void)
{
	Sh *t = sh_slots(1, 4);
	const ShEvent *e;
	GArray *c = gpu_cmds_new();

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register(t, 1, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	check_queried_fault(t, 0, 0, 0, 0, 0);
	store(c, 0, 1);
	gpu_cmd_store32(c, HOLE_VA + 0x10, 0xfeed);
	store(c, 4, 2);
	sh_go(t, 0, c);
	e = sh_find_event(t, PVGPU_F2H_EVT_PAGE_FAULT, 0, 0);
	g_assert_nonnull(e);
	g_assert_cmpuint(e->len, ==, 8);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[1]), ==, 1);
	g_assert_cmphex(e->payload[2] | (uint64_t)e->payload[3] << 32, ==,
			HOLE_VA + 0x10);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[4]), ==,
			 PVGPU_ACCESS_WRITE);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[5]), ==,
			 PVGPU_FAULT_NOT_PRESENT);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[6]), ==, 1);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[7]), ==, COPY);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_FAULTED);
	g_assert_cmpuint(sh_rd32(t, 0), ==, 1);
	/* QUEUE_QUERY tells the same as the event. */
	check_queried_fault(t, 0, 1, HOLE_VA + 0x10, PVGPU_ACCESS_WRITE,
			    PVGPU_FAULT_NOT_PRESENT);
	check_queried_fault(t, 1, 0, 0, 0, 0);

	/* Only the faulting queue stalls: the other one has the slot. */
	c = gpu_cmds_new();
	store(c, 8, 3);
	sh_go(t, 1, c);
	g_assert_cmpuint(sh_rd32(t, 8), ==, 3);

	/* Wrong replies change nothing. */
	reply(t, 0, 2, PVGPU_FAULT_REPLY_RETRY, PVGPU_STATUS_EINVAL);
	reply(t, 1, 1, PVGPU_FAULT_REPLY_RETRY, PVGPU_STATUS_EINVAL);
	reply(t, 0, 1, 2, PVGPU_STATUS_EINVAL);
	reply(t, 9, 1, PVGPU_FAULT_REPLY_RETRY, PVGPU_STATUS_ENOENT);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_FAULTED);

	/* The driver maps the page and retries: the store is replayed. */
	gpu_vm_alloc(&t->vm, HOLE_VA, 0x1000, PVGPU_PTE_WRITABLE);
	g_assert_cmpuint(gpu_tlb_invalidate(t->g, 1, HOLE_VA, 0x1000), ==,
			 PVGPU_STATUS_OK);
	reply(t, 0, 1, PVGPU_FAULT_REPLY_RETRY, PVGPU_STATUS_OK);
	sh_settle(t, 1 * MS);
	g_assert_cmphex(gpu_vm_rd32(&t->vm, HOLE_VA + 0x10), ==, 0xfeed);
	g_assert_cmpuint(sh_rd32(t, 4), ==, 2);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_IDLE);
	check_queried_fault(t, 0, 0, 0, 0, 0);
	reply(t, 0, 1, PVGPU_FAULT_REPLY_RETRY, PVGPU_STATUS_EINVAL);

	/* Faulted and suspended: RETRY waits for RESUME. */
	c = gpu_cmds_new();
	gpu_cmd_store32(c, HOLE_VA + 0x2000, 5);
	sh_go(t, 0, c);
	e = sh_find_event(t, PVGPU_F2H_EVT_PAGE_FAULT, 0, 1);
	g_assert_nonnull(e);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[1]), ==, 2);
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_SUSPEND, 0), ==,
			 PVGPU_STATUS_OK);
	/* SUSPENDED, yet the fault is still pending: the query shows it. */
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_SUSPENDED);
	check_queried_fault(t, 0, 2, HOLE_VA + 0x2000, PVGPU_ACCESS_WRITE,
			    PVGPU_FAULT_NOT_PRESENT);
	gpu_vm_alloc(&t->vm, HOLE_VA + 0x2000, 0x1000, PVGPU_PTE_WRITABLE);
	reply(t, 0, 2, PVGPU_FAULT_REPLY_RETRY, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_SUSPENDED);
	check_queried_fault(t, 0, 0, 0, 0, 0);
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_RESUME, 0), ==,
			 PVGPU_STATUS_OK);
	sh_settle(t, 1 * MS);
	g_assert_cmpuint(gpu_vm_rd32(&t->vm, HOLE_VA + 0x2000), ==, 5);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_ERROR,
					 UINT32_MAX), ==, 0);
	sh_free(t);
}

static void test_fault_fail(void)
{
	Sh *t = sh_slots(1, 4);
	const ShEvent *e;
	GArray *c = gpu_cmds_new();

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	gpu_cmd_store32(c, HOLE_VA, 1);
	sh_go(t, 0, c);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_FAULTED);
	reply(t, 0, 1, PVGPU_FAULT_REPLY_FAIL, PVGPU_STATUS_OK);
	e = sh_find_event(t, PVGPU_F2H_EVT_QUEUE_ERROR, 0, 0);
	g_assert_nonnull(e);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[1]), ==,
			 PVGPU_QUEUE_ERR_FAULT_FAILED);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[2]), ==, 1);
	g_assert_cmphex(e->payload[8] | (uint64_t)e->payload[9] << 32, ==,
			HOLE_VA);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[10]), ==,
			 PVGPU_ACCESS_WRITE);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[11]), ==,
			 PVGPU_FAULT_NOT_PRESENT);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_ERROR);
	/* Answered (with FAIL): nothing pending any more. */
	check_queried_fault(t, 0, 0, 0, 0, 0);
	sh_free(t);
}

/* On an address space without recoverable faults, a fault is fatal. */
static void test_fault_fatal(void)
{
	Sh *t = sh_slots(1, 4);
	const ShEvent *e;
	GArray *c = gpu_cmds_new();

	g_assert_cmpuint(sh_register_full(t, 0, COPY, 1, 0, 0, &t->vm_nf), ==,
			 PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register(t, 1, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	store(c, 0, 1);
	gpu_cmd_store32(c, HOLE_VA + 8, 2);
	sh_go(t, 0, c);
	c = gpu_cmds_new();
	store(c, 4, 3);
	sh_go(t, 1, c);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_PAGE_FAULT,
					 UINT32_MAX), ==, 0);
	e = sh_find_event(t, PVGPU_F2H_EVT_QUEUE_ERROR, 0, 0);
	g_assert_nonnull(e);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[1]), ==,
			 PVGPU_QUEUE_ERR_PAGE_FAULT);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[2]), ==, 1);
	/* The second command (16 bytes into the ring) faulted. */
	g_assert_cmphex(GUINT32_FROM_LE(e->payload[4]), ==,
			(uint32_t)(t->q[0].ring.va + 16));
	g_assert_cmphex(GUINT32_FROM_LE(e->payload[6]), ==,
			PVGPU_CMD_HDR(PVGPU_CMD_STORE32, 0, 4));
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[7]), ==, 16);
	g_assert_cmphex(e->payload[8] | (uint64_t)e->payload[9] << 32, ==,
			HOLE_VA + 8);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[10]), ==,
			 PVGPU_ACCESS_WRITE);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[11]), ==,
			 PVGPU_FAULT_NOT_PRESENT);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[12]), ==, 2);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_ERROR);
	g_assert_cmpuint(sh_rd32(t, 0), ==, 1);
	g_assert_cmpuint(sh_rd32(t, 4), ==, 3);
	reply(t, 0, 0, PVGPU_FAULT_REPLY_RETRY, PVGPU_STATUS_EINVAL);
	sh_free(t);
}

static void test_engine_error(void)
{
	Sh *t = sh_slots(1, 4);
	const ShEvent *e;
	GArray *c = gpu_cmds_new();
	uint32_t bad = 0xff000001;

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	gpu_cmd_nop(c, 1);
	gpu_cmd_raw(c, &bad, 1);
	sh_go(t, 0, c);
	e = sh_find_event(t, PVGPU_F2H_EVT_QUEUE_ERROR, 0, 0);
	g_assert_nonnull(e);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[1]), ==,
			 PVGPU_QUEUE_ERR_ILLEGAL_CMD);
	g_assert_cmphex(GUINT32_FROM_LE(e->payload[4]), ==,
			(uint32_t)(t->q[0].ring.va + 4));
	g_assert_cmphex(GUINT32_FROM_LE(e->payload[6]), ==, bad);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[7]), ==, 4);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_ERROR);

	/* In a batch: the command's VA, rptr still at the ring BATCH_CALL. */
	g_assert_cmpuint(sh_register(t, 1, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	c = gpu_cmds_new();
	gpu_cmd_nop(c, 1);
	gpu_cmd_raw(c, &bad, 1);
	gpu_vm_write_cmds(&t->vm, SH_DATA_VA + 0x8000, c);
	g_array_free(c, TRUE);
	c = gpu_cmds_new();
	gpu_cmd_nop(c, 2);
	gpu_cmd_batch_call(c, SH_DATA_VA + 0x8000);
	sh_go(t, 1, c);
	e = sh_find_event(t, PVGPU_F2H_EVT_QUEUE_ERROR, 1, 0);
	g_assert_nonnull(e);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[1]), ==,
			 PVGPU_QUEUE_ERR_ILLEGAL_CMD);
	g_assert_cmphex(GUINT32_FROM_LE(e->payload[4]) |
			(uint64_t)GUINT32_FROM_LE(e->payload[5]) << 32, ==,
			SH_DATA_VA + 0x8004);
	g_assert_cmphex(GUINT32_FROM_LE(e->payload[6]), ==, bad);
	g_assert_cmpuint(GUINT32_FROM_LE(e->payload[7]), ==, 8);
	sh_free(t);
}

/*
 * A SIGNAL's event cannot be sent because the driver corrupted the F2H
 * ring: the firmware halts, which resets every queue while the engine is in
 * the middle of one. The engine must not touch that queue afterwards (it
 * wrote rptr to guest address 0 from a ring, and far out of bounds from a
 * batch buffer).
 */
static void signal_halts(bool batch)
{
	Sh *t = sh_new(NULL);
	GArray *c = gpu_cmds_new();
	uint64_t bva = SH_DATA_VA + 0x8000;

	g_assert_cmpuint(sh_register(t, 0, PVGPU_ENGINE_CLASS_COPY, 1, 0), ==, 0);
	if (batch) {
		GArray *b = gpu_cmds_new();

		gpu_cmd_signal(b, PVGPU_CMD_SIGNAL_IRQ, SH_DATA_VA, 1);
		gpu_cmd_batch_return(b);
		gpu_vm_write_cmds(&t->vm, bva, b);
		g_array_free(b, TRUE);
		gpu_cmd_batch_call(c, bva);
	} else {
		gpu_cmd_signal(c, PVGPU_CMD_SIGNAL_IRQ, SH_DATA_VA, 1);
	}
	sh_submit(t, 0, c);
	g_array_free(c, TRUE);
	fake_ram_wr32(t->fp, 0, 0xdeadbeef);
	/* An unaligned F2H head: the firmware can write no event. */
	fake_ram_wr32(t->fp, t->g->d.f2h_desc, 2);
	sh_ring(t, sh_default_doorbell(0));
	pvgpu_fw_run(t->fw);
	g_assert_cmpuint(pvgpu_fw_state(t->fw)->fw_status, ==,
			 PVGPU_FW_STATE_HALTED);
	g_assert_cmphex(fake_ram_rd32(t->fp, 0), ==, 0xdeadbeef);
	/* The value itself was written before the event. */
	g_assert_cmpuint(sh_rd32(t, 0), ==, 1);
	sh_free(t);
}

static void test_signal_halts_ring(void)
{
	signal_halts(false);
}

static void test_signal_halts_batch(void)
{
	signal_halts(true);
}

int main(int argc, char **argv)
{
	static const uint32_t counts[] = { 1, 4, 16, 256 };

	g_test_init(&argc, &argv, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(counts); i++) {
		char *path = g_strdup_printf("/sched/rotation/%u-queues",
					     counts[i]);

		g_test_add_data_func(path, GUINT_TO_POINTER(counts[i]),
				     test_rotation);
		g_free(path);
	}
	g_test_add_func("/sched/fairness", test_fairness);
	g_test_add_func("/sched/priority/strict", test_strict_priority);
	g_test_add_func("/sched/priority/realtime-boundary",
			test_realtime_boundary);
	g_test_add_func("/sched/priority/realtime-delay", test_realtime_delay);
	g_test_add_func("/sched/delay/short-live-clock",
			test_short_delay_live_clock);
	g_test_add_func("/sched/inline-budget", test_inline_budget);
	g_test_add_func("/sched/timeslice/delay", test_timeslice_delay);
	g_test_add_func("/sched/timeslice/set", test_set_timeslice_priority);
	g_test_add_func("/sched/idle-events", test_idle_events);
	g_test_add_func("/sched/wait", test_wait_yields);
	g_test_add_func("/sched/doorbell/non-resident",
			test_doorbell_nonresident);
	g_test_add_func("/sched/doorbell/shared-page",
			test_doorbell_shared_page);
	g_test_add_func("/sched/doorbell/unaligned", test_doorbell_unaligned);
	g_test_add_func("/sched/doorbell/unused", test_doorbell_unused);
	g_test_add_func("/sched/suspend/resume", test_suspend_resume);
	g_test_add_func("/sched/suspend/nopreempt", test_suspend_nopreempt);
	g_test_add_func("/sched/suspend/mid-batch", test_suspend_mid_batch);
	g_test_add_func("/sched/deregister", test_deregister);
	g_test_add_func("/sched/reset", test_queue_reset);
	g_test_add_func("/sched/query", test_query);
	g_test_add_data_func("/sched/watchdog/wait", GUINT_TO_POINTER(1),
			     test_watchdog);
	g_test_add_data_func("/sched/watchdog/delay", GUINT_TO_POINTER(0),
			     test_watchdog);
	g_test_add_func("/sched/watchdog/progress", test_watchdog_progress);
	g_test_add_func("/sched/preempt-timeout", test_preempt_timeout);
	g_test_add_func("/sched/fault/retry", test_fault_retry);
	g_test_add_func("/sched/fault/fail", test_fault_fail);
	g_test_add_func("/sched/fault/fatal", test_fault_fatal);
	g_test_add_func("/sched/engine-error", test_engine_error);
	g_test_add_func("/sched/signal-halts-firmware/ring",
			test_signal_halts_ring);
	g_test_add_func("/sched/signal-halts-firmware/batch",
			test_signal_halts_batch);
	return g_test_run();
}
