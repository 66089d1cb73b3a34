/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fault injection (pvgpu_fw_inject(), PVGPU_REG_TEST_INJECT): hung, wedged
 * and unhung engines, dropped doorbells,
 * lost and late interrupts, failed fault replies, lost page-fault events,
 * and the probabilistic variants drawn from the seeded PRNG.
 */
#include <stddef.h>
#include <string.h>

#include "sched_helpers.h"

#define US		1000ull
#define MS		1000000ull
#define COPY		PVGPU_ENGINE_CLASS_COPY
#define COMPUTE		PVGPU_ENGINE_CLASS_COMPUTE

static GArray *delays_add(unsigned int n, uint64_t ns, uint64_t off)
{
	GArray *c = gpu_cmds_new();

	for (unsigned int i = 0; i < n; i++) {
		gpu_cmd_delay(c, 0, ns);
		gpu_cmd_atomic(c, PVGPU_ATOMIC_ADD32, SH_DATA_VA + off, 1, 0, 0);
	}
	return c;
}

static uint32_t evt_u32(const ShEvent *e, unsigned int i)
{
	return GUINT32_FROM_LE(e->payload[i]);
}

/* pvgpu_evt_queue_error.flags, in dwords. */
#define QERR_FLAGS	(offsetof(struct pvgpu_evt_queue_error, flags) / 4)

/* Engine class @cls's bit in pvgpu_fw_hung_engines() (default shape). */
#define HUNG(cls)	(1u << (cls))

/*
 * An engine class hangs: the queues in its slots stop. The watchdog (or,
 * with a queue waiting for a slot, the preemption timeout) resets the
 * engine: one queue guilty, the other resident one innocent. Queues of
 * other classes and queues that were not on the engine are unharmed, and
 * the engine works again afterwards.
 */
static void test_hang_engine(gconstpointer data)
{
	bool by_preemption = GPOINTER_TO_UINT(data);
	uint32_t error = by_preemption ? PVGPU_QUEUE_ERR_PREEMPT_TIMEOUT :
					 PVGPU_QUEUE_ERR_HANG;
	PvgpuFwConfig cfg;
	const ShEvent *e[2];
	uint64_t t0;
	unsigned int guilty = 0;
	Sh *t;

	sh_config(&cfg);
	cfg.slots[0] = 1;
	cfg.slots[1] = 2;
	cfg.watchdog_ms = 30;
	t = sh_new(&cfg);
	t0 = t->fp->now_ns;
	for (uint32_t i = 0; i < 2; i++) {
		g_assert_cmpuint(sh_register_full(t, i, COMPUTE, 1, 0, 0x4000,
						  NULL), ==, PVGPU_STATUS_OK);
		sh_go(t, i, delays_add(100, (100 + 50 * i) * US, 4 * i));
	}
	g_assert_cmpuint(sh_register_full(t, 2, COPY, 1, 0, 0x4000, NULL), ==,
			 PVGPU_STATUS_OK);
	sh_go(t, 2, delays_add(100, 500 * US, 8));
	sh_run_for(t, 1050 * US);

	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_HANG_ENGINE,
					COMPUTE), ==, 0);
	/*
	 * A queue waits for a compute slot: of the same priority it asks
	 * for a preemption (the quanta are over), of a lower one it does not.
	 */
	g_assert_cmpuint(sh_register(t, 3, COMPUTE, by_preemption ? 1 : 0, 0),
			 ==, PVGPU_STATUS_OK);
	sh_go(t, 3, delays_add(10, 100 * US, 12));
	sh_run_until(t, t0 + 12 * MS);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_ERROR,
					 UINT32_MAX), ==, (by_preemption ? 2 : 0));
	sh_run_until(t, t0 + 40 * MS);
	for (uint32_t i = 0; i < 2; i++) {
		e[i] = sh_find_event(t, PVGPU_F2H_EVT_QUEUE_ERROR, i, 0);
		g_assert_nonnull(e[i]);
		g_assert_cmpuint(evt_u32(e[i], 1), ==, error);
		g_assert_cmpuint(evt_u32(e[i], 3), ==, COMPUTE);
		/* A plain hang ends with the reset: nothing to flag. */
		g_assert_cmpuint(evt_u32(e[i], QERR_FLAGS), ==, 0);
		guilty += evt_u32(e[i], 2);
		g_assert_cmpuint(sh_state(t, i), ==, PVGPU_QUEUE_STATE_ERROR);
	}
	g_assert_cmpuint(guilty, ==, 1);
	/* Exactly the two resident queues. */
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_ERROR,
					 UINT32_MAX), ==, 2);
	/* Nothing moved on the hung engine; the copy engine went on. */
	g_assert_cmpuint(sh_rd32(t, 0), <, 15);
	g_assert_cmpuint(sh_rd32(t, 8), >=, 70);
	g_assert_cmphex(pvgpu_fw_hung_engines(t->fw), ==, 0);

	/* The reset engine runs again: the waiting queue, a new one. */
	g_assert_cmpuint(sh_register(t, 4, COMPUTE, 1, 0), ==,
			 PVGPU_STATUS_OK);
	sh_go(t, 4, delays_add(5, 100 * US, 16));
	sh_settle(t, 200 * MS);
	g_assert_cmpuint(sh_rd32(t, 8), ==, 100);
	g_assert_cmpuint(sh_rd32(t, 12), ==, 10);
	g_assert_cmpuint(sh_rd32(t, 16), ==, 5);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_ERROR,
					 UINT32_MAX), ==, 2);
	sh_free(t);
}

/*
 * UNHANG_ENGINE: the hung class goes on where it stopped. The queue in the
 * DELAY that was running when the class hung finishes that DELAY and the
 * rest of its commands, with no QUEUE_ERROR (the watchdog never fired:
 * the hang was shorter than it). Unhanging a healthy class is a no-op.
 */
static void test_unhang(void)
{
	PvgpuFwConfig cfg;
	uint32_t before;
	Sh *t;

	sh_config(&cfg);
	cfg.slots[1] = 1;
	cfg.watchdog_ms = 30;
	t = sh_new(&cfg);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_UNHANG_ENGINE,
					COMPUTE), ==, 0);
	g_assert_cmphex(pvgpu_fw_hung_engines(t->fw), ==, 0);
	g_assert_cmpuint(sh_register(t, 0, COMPUTE, 1, 0), ==,
			 PVGPU_STATUS_OK);
	sh_go(t, 0, delays_add(4, 2 * MS, 0));
	sh_run_for(t, 3 * MS);
	/* In the second DELAY. */
	g_assert_cmpuint(sh_rd32(t, 0), ==, 1);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_HANG_ENGINE,
					COMPUTE), ==, 0);
	g_assert_cmphex(pvgpu_fw_hung_engines(t->fw), ==, HUNG(COMPUTE));
	before = (uint32_t)sh_done(t, 0);
	sh_run_for(t, 20 * MS);
	g_assert_cmpuint(sh_rd32(t, 0), ==, 1);
	g_assert_cmpuint(sh_done(t, 0), ==, before);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_RESIDENT);

	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_UNHANG_ENGINE,
					COMPUTE), ==, 0);
	g_assert_cmphex(pvgpu_fw_hung_engines(t->fw), ==, 0);
	sh_settle(t, 100 * MS);
	g_assert_cmpuint(sh_rd32(t, 0), ==, 4);
	g_assert_cmpuint(sh_done(t, 0), ==, 8);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_IDLE);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_ERROR,
					 UINT32_MAX), ==, 0);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_IDLE, 0), ==,
			 1);
	/* A wedge ends the same way. */
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_WEDGE_ENGINE,
					COMPUTE), ==, 0);
	g_assert_cmphex(pvgpu_fw_hung_engines(t->fw), ==, HUNG(COMPUTE));
	sh_go(t, 0, delays_add(1, 1 * MS, 4));
	sh_run_for(t, 5 * MS);
	g_assert_cmpuint(sh_rd32(t, 4), ==, 0);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_UNHANG_ENGINE,
					COMPUTE), ==, 0);
	g_assert_cmpuint(pvgpu_fw_sched_state(t->fw)->wedge_mask, ==, 0);
	sh_settle(t, 100 * MS);
	g_assert_cmpuint(sh_rd32(t, 4), ==, 1);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_ERROR,
					 UINT32_MAX), ==, 0);
	g_assert_cmpuint(fake_platform_error_count(t->fp), ==, 0);
	sh_free(t);
}

/*
 * WEDGE_ENGINE: the watchdog resets the hung queue as for a hang (HANG,
 * guilty), but the class stays hung and the event says so
 * (ENGINE_RESET_FAILED): the next queue on it hangs too and is reset the
 * same way. The other class is unharmed and its events carry no flag. A
 * firmware reset ends the wedge; the next boot has healthy engines.
 */
static void test_wedge_watchdog(void)
{
	PvgpuFwConfig cfg;
	const ShEvent *e;
	uint64_t t0;
	Sh *t;

	sh_config(&cfg);
	cfg.slots[1] = 1;
	cfg.watchdog_ms = 30;
	t = sh_new(&cfg);
	t0 = t->fp->now_ns;
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_WEDGE_ENGINE,
					COMPUTE), ==, 0);
	g_assert_cmphex(pvgpu_fw_hung_engines(t->fw), ==, HUNG(COMPUTE));
	for (uint32_t i = 0; i < 2; i++)
		g_assert_cmpuint(sh_register(t, i, COMPUTE, 1, 0), ==,
				 PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register(t, 2, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	sh_go(t, 0, delays_add(1, 10 * US, 0));
	sh_run_until(t, t0 + 40 * MS);
	e = sh_find_event(t, PVGPU_F2H_EVT_QUEUE_ERROR, 0, 0);
	g_assert_nonnull(e);
	g_assert_cmpuint(evt_u32(e, 1), ==, PVGPU_QUEUE_ERR_HANG);
	g_assert_cmpuint(evt_u32(e, 2), ==, 1);
	g_assert_cmpuint(evt_u32(e, 3), ==, COMPUTE);
	g_assert_cmphex(evt_u32(e, QERR_FLAGS), ==,
			PVGPU_QUEUE_ERROR_ENGINE_RESET_FAILED);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_ERROR);
	g_assert_cmpuint(sh_rd32(t, 0), ==, 0);
	g_assert_cmphex(pvgpu_fw_hung_engines(t->fw), ==, HUNG(COMPUTE));

	/* The next queue on the class hangs as well. */
	sh_go(t, 1, delays_add(1, 10 * US, 4));
	sh_run_until(t, t0 + 60 * MS);
	g_assert_cmpuint(sh_state(t, 1), ==, PVGPU_QUEUE_STATE_RESIDENT);
	g_assert_cmpuint(sh_done(t, 1), ==, 0);
	sh_run_until(t, t0 + 80 * MS);
	e = sh_find_event(t, PVGPU_F2H_EVT_QUEUE_ERROR, 1, 0);
	g_assert_nonnull(e);
	g_assert_cmpuint(evt_u32(e, 1), ==, PVGPU_QUEUE_ERR_HANG);
	g_assert_cmphex(evt_u32(e, QERR_FLAGS), ==,
			PVGPU_QUEUE_ERROR_ENGINE_RESET_FAILED);
	g_assert_cmpuint(sh_rd32(t, 4), ==, 0);
	g_assert_cmphex(pvgpu_fw_hung_engines(t->fw), ==, HUNG(COMPUTE));

	/* The copy class never hung. */
	sh_go(t, 2, delays_add(2, 10 * US, 8));
	sh_settle(t, 200 * MS);
	g_assert_cmpuint(sh_rd32(t, 8), ==, 2);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_ERROR, 2), ==,
			 0);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_ERROR,
					 UINT32_MAX), ==, 2);

	/* Only a firmware reset ends it; the reboot starts healthy. */
	fake_reg_write(t->fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	g_assert_cmphex(pvgpu_fw_hung_engines(t->fw), ==, 0);
	g_assert_cmpuint(pvgpu_fw_sched_state(t->fw)->wedge_mask, ==, 0);
	g_assert_cmpuint(fake_driver_boot(&t->g->d), ==,
			 PVGPU_FW_STATE_RUNNING);
	g_assert_cmphex(pvgpu_fw_hung_engines(t->fw), ==, 0);
	sh_free(t);
}

/*
 * QUEUE_RESET of a queue stuck on a wedged class: answered OK (the queue
 * no longer runs), QUEUE_ERROR RESET with ENGINE_RESET_FAILED; the class
 * stays hung, so the next queue on it does not move, until UNHANG_ENGINE.
 * The same request on a plain hang flags nothing.
 */
static void test_wedge_queue_reset(void)
{
	PvgpuFwConfig cfg;
	const ShEvent *e;
	Sh *t;

	sh_config(&cfg);
	cfg.slots[1] = 1;
	cfg.watchdog_ms = 0;
	t = sh_new(&cfg);
	for (uint32_t i = 0; i < 3; i++)
		g_assert_cmpuint(sh_register(t, i, COMPUTE, 1, 0), ==,
				 PVGPU_STATUS_OK);

	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_HANG_ENGINE,
					COMPUTE), ==, 0);
	sh_go(t, 0, delays_add(1, 10 * US, 0));
	sh_run_for(t, 5 * MS);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_RESIDENT);
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_RESET, 0), ==,
			 PVGPU_STATUS_OK);
	e = sh_find_event(t, PVGPU_F2H_EVT_QUEUE_ERROR, 0, 0);
	g_assert_nonnull(e);
	g_assert_cmpuint(evt_u32(e, 1), ==, PVGPU_QUEUE_ERR_RESET);
	g_assert_cmphex(evt_u32(e, QERR_FLAGS), ==, 0);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_UNHANG_ENGINE,
					COMPUTE), ==, 0);

	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_WEDGE_ENGINE,
					COMPUTE), ==, 0);
	sh_go(t, 1, delays_add(1, 10 * US, 4));
	sh_run_for(t, 5 * MS);
	g_assert_cmpuint(sh_state(t, 1), ==, PVGPU_QUEUE_STATE_RESIDENT);
	g_assert_cmpuint(sh_queue_req(t, PVGPU_H2F_QUEUE_RESET, 1), ==,
			 PVGPU_STATUS_OK);
	e = sh_find_event(t, PVGPU_F2H_EVT_QUEUE_ERROR, 1, 0);
	g_assert_nonnull(e);
	g_assert_cmpuint(evt_u32(e, 1), ==, PVGPU_QUEUE_ERR_RESET);
	g_assert_cmpuint(evt_u32(e, 2), ==, 1);
	g_assert_cmphex(evt_u32(e, QERR_FLAGS), ==,
			PVGPU_QUEUE_ERROR_ENGINE_RESET_FAILED);
	g_assert_cmpuint(sh_state(t, 1), ==, PVGPU_QUEUE_STATE_ERROR);
	g_assert_cmphex(pvgpu_fw_hung_engines(t->fw), ==, HUNG(COMPUTE));

	sh_go(t, 2, delays_add(1, 10 * US, 8));
	sh_run_for(t, 20 * MS);
	g_assert_cmpuint(sh_state(t, 2), ==, PVGPU_QUEUE_STATE_RESIDENT);
	g_assert_cmpuint(sh_rd32(t, 8), ==, 0);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_UNHANG_ENGINE,
					COMPUTE), ==, 0);
	sh_settle(t, 100 * MS);
	g_assert_cmpuint(sh_rd32(t, 8), ==, 1);
	g_assert_cmpuint(sh_state(t, 2), ==, PVGPU_QUEUE_STATE_IDLE);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_ERROR,
					 UINT32_MAX), ==, 2);
	sh_free(t);
}

/*
 * PVGPU_REG_TEST_INJECT with guest injection on: HWCAPS says so, writes
 * hang, wedge and unhang classes and the read shows the hung ones; bad
 * ops, classes and reserved bits are guest errors that change nothing;
 * CRASH halts like pvgpu_fw_inject_crash(). It works in every firmware
 * state (OFF, RUNNING, HALTED).
 */
static void test_register(void)
{
	static const uint32_t bad[] = {
		PVGPU_TEST_INJECT(0, 0),
		PVGPU_TEST_INJECT(5, COPY),
		PVGPU_TEST_INJECT(0xff, COMPUTE),
		PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_HANG_ENGINE, 2),
		PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_WEDGE_ENGINE, 0xff),
		PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_UNHANG_ENGINE, 7),
		PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_HANG_ENGINE, COPY) | 1u << 16,
		PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_CRASH, COMPUTE),
		PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_CRASH, 0) | 1u << 31,
	};
	PvgpuFwConfig cfg;
	PvgpuFwSchedState before;
	FakePlatform *fp;
	Sh *t;

	sh_config(&cfg);
	cfg.guest_inject = true;
	t = sh_new(&cfg);
	fp = t->fp;
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_HWCAPS) &
			PVGPU_HWCAP_TEST_INJECT, ==, PVGPU_HWCAP_TEST_INJECT);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_TEST_INJECT), ==, 0);
	fake_reg_write(fp, PVGPU_REG_TEST_INJECT,
		       PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_HANG_ENGINE,
					 COMPUTE));
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_TEST_INJECT), ==,
			HUNG(COMPUTE));
	g_assert_cmphex(pvgpu_fw_sched_state(t->fw)->hang_mask, ==,
			HUNG(COMPUTE));
	fake_reg_write(fp, PVGPU_REG_TEST_INJECT,
		       PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_WEDGE_ENGINE, COPY));
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_TEST_INJECT), ==,
			HUNG(COMPUTE) | HUNG(COPY));
	g_assert_cmphex(pvgpu_fw_sched_state(t->fw)->wedge_mask, ==,
			HUNG(COPY));
	g_assert_cmpuint(fake_platform_error_count(fp), ==, 0);

	before = *pvgpu_fw_sched_state(t->fw);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		fake_platform_clear_errors(fp);
		fake_reg_write(fp, PVGPU_REG_TEST_INJECT, bad[i]);
		g_assert_cmpuint(fake_platform_error_count(fp), ==, 1);
		g_assert_true(fake_platform_has_error(fp, "TEST_INJECT"));
		g_assert_true(memcmp(&before, pvgpu_fw_sched_state(t->fw),
				     sizeof(before)) == 0);
		g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
				 PVGPU_FW_STATE_RUNNING);
	}
	fake_platform_clear_errors(fp);

	fake_reg_write(fp, PVGPU_REG_TEST_INJECT,
		       PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_UNHANG_ENGINE,
					 COMPUTE));
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_TEST_INJECT), ==,
			HUNG(COPY));
	fake_reg_write(fp, PVGPU_REG_TEST_INJECT,
		       PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_UNHANG_ENGINE, COPY));
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_TEST_INJECT), ==, 0);

	/* CRASH: halted and crashed, with the FW_STATE interrupt. */
	fake_reg_write(fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_ALL);
	fake_reg_write(fp, PVGPU_REG_TEST_INJECT,
		       PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_CRASH, 0));
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_HALTED);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_ERROR), ==,
			 PVGPU_FW_ERR_CRASHED);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS) &
			PVGPU_IRQ_FW_STATE, ==, PVGPU_IRQ_FW_STATE);

	/* HALTED and OFF: still safe, and a boot clears the hangs. */
	fake_reg_write(fp, PVGPU_REG_TEST_INJECT,
		       PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_WEDGE_ENGINE,
					 COMPUTE));
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_TEST_INJECT), ==,
			HUNG(COMPUTE));
	fake_reg_write(fp, PVGPU_REG_TEST_INJECT,
		       PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_CRASH, 0));
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_HALTED);
	fake_reg_write(fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_OFF);
	fake_reg_write(fp, PVGPU_REG_TEST_INJECT,
		       PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_HANG_ENGINE, COPY));
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_TEST_INJECT), ==,
			HUNG(COPY));
	g_assert_cmpuint(fake_driver_boot(&t->g->d), ==,
			 PVGPU_FW_STATE_RUNNING);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_TEST_INJECT), ==, 0);
	g_assert_cmpuint(fake_platform_error_count(fp), ==, 0);
	sh_free(t);
}

/*
 * Without guest injection (the default) the register reads 0, and a write
 * is a guest error that injects nothing; HWCAPS does not announce it.
 */
static void test_register_disabled(void)
{
	Sh *t = sh_new(NULL);
	FakePlatform *fp = t->fp;

	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_HWCAPS) &
			PVGPU_HWCAP_TEST_INJECT, ==, 0);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_HANG_ENGINE,
					COPY), ==, 0);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_TEST_INJECT), ==, 0);
	g_assert_cmpuint(fake_platform_error_count(fp), ==, 0);
	fake_reg_write(fp, PVGPU_REG_TEST_INJECT,
		       PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_UNHANG_ENGINE, COPY));
	fake_reg_write(fp, PVGPU_REG_TEST_INJECT,
		       PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_WEDGE_ENGINE,
					 COMPUTE));
	fake_reg_write(fp, PVGPU_REG_TEST_INJECT,
		       PVGPU_TEST_INJECT(PVGPU_TEST_INJECT_CRASH, 0));
	g_assert_cmpuint(fake_platform_count_errors(fp, "disabled"), ==, 3);
	g_assert_cmphex(pvgpu_fw_hung_engines(t->fw), ==, HUNG(COPY));
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_RUNNING);
	sh_free(t);
}

/*
 * Two queues with doorbells in one page (group 4, dwords 0 and 1): the
 * next N doorbells of queues are dropped whichever queue they ring;
 * doorbells no queue owns do not count.
 */
static void test_drop_doorbells(void)
{
	Sh *t = sh_new(NULL);
	GArray *c = gpu_cmds_new();

	g_assert_cmpuint(sh_register_db(t, 0, COPY, PVGPU_DOORBELL_ID(4, 0)),
			 ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register_db(t, 1, COMPUTE,
					PVGPU_DOORBELL_ID(4, 1)), ==,
			 PVGPU_STATUS_OK);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_DROP_DOORBELLS,
					2), ==, 0);
	gpu_cmd_store32(c, SH_DATA_VA, 1);
	sh_submit(t, 0, c);
	g_array_free(c, TRUE);
	c = gpu_cmds_new();
	gpu_cmd_store32(c, SH_DATA_VA + 4, 2);
	sh_submit(t, 1, c);
	g_array_free(c, TRUE);
	sh_ring(t, PVGPU_DOORBELL_ID(4, 2));
	sh_doorbell(t, 0);
	/* The kernel's H2F doorbell is never dropped. */
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_IDLE);
	sh_doorbell(t, 1);
	g_assert_cmpuint(sh_state(t, 1), ==, PVGPU_QUEUE_STATE_IDLE);
	g_assert_cmpuint(sh_rd32(t, 0), ==, 0);
	g_assert_cmpuint(sh_rd32(t, 4), ==, 0);
	g_assert_cmpuint(pvgpu_fw_stats(t->fw)->doorbells_dropped, ==, 2);
	sh_doorbell(t, 0);
	g_assert_cmpuint(sh_rd32(t, 0), ==, 1);
	g_assert_cmpuint(sh_rd32(t, 4), ==, 0);
	sh_doorbell(t, 1);
	g_assert_cmpuint(sh_rd32(t, 4), ==, 2);
	g_assert_cmpuint(pvgpu_fw_stats(t->fw)->doorbells_dropped, ==, 2);
	g_assert_cmpuint(fake_platform_error_count(t->fp), ==, 0);
	sh_free(t);
}

/* An interrupt-raising event: a queue going idle. */
static void make_event(Sh *t, uint32_t v)
{
	GArray *c = gpu_cmds_new();

	gpu_cmd_store32(c, SH_DATA_VA, v);
	gpu_ring_submit(&t->q[0].ring, c);
	g_array_free(c, TRUE);
	sh_ring(t, t->q[0].doorbell);
	fake_platform_run(t->fp);
}

static void test_lose_irqs(void)
{
	Sh *t = sh_new(NULL);
	unsigned int irqs;

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	sh_pump(t);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_LOSE_IRQS, 1),
			==, 0);
	irqs = t->fp->irqs;
	make_event(t, 1);
	/* The cause is pending, the vector never came. */
	g_assert_cmphex(fake_reg_read(t->fp, PVGPU_REG_IRQ_STATUS) &
			PVGPU_IRQ_F2H, ==, PVGPU_IRQ_F2H);
	g_assert_cmpuint(t->fp->irqs, ==, irqs);
	g_assert_cmpuint(pvgpu_fw_stats(t->fw)->irqs_lost, ==, 1);
	sh_pump(t);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_IDLE, 0), ==,
			 1);
	make_event(t, 2);
	g_assert_cmpuint(t->fp->irqs, ==, irqs + 1);
	sh_free(t);
}

static void test_delay_irqs(void)
{
	Sh *t = sh_new(NULL);
	unsigned int irqs;
	uint64_t t0;

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	sh_pump(t);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_DELAY_IRQS,
					50 * US), ==, 0);
	irqs = t->fp->irqs;
	t0 = t->fp->now_ns;
	make_event(t, 1);
	g_assert_cmpuint(t->fp->irqs, ==, irqs);
	g_assert_cmpuint(t->fp->timer_deadline, ==, t0 + 50 * US);
	fake_platform_advance(t->fp, 50 * US - 1);
	g_assert_cmpuint(t->fp->irqs, ==, irqs);
	fake_platform_advance(t->fp, 1);
	g_assert_cmpuint(t->fp->irqs, ==, irqs + 1);
	g_assert_cmpuint(pvgpu_fw_stats(t->fw)->irqs_delayed, ==, 1);
	g_assert_cmpuint(t->fp->timer_deadline, ==, FAKE_NO_TIMER);
	/* Acknowledged before it arrives: nothing to deliver. */
	sh_pump(t);
	make_event(t, 2);
	fake_reg_write(t->fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_ALL);
	fake_platform_advance(t->fp, 50 * US);
	g_assert_cmpuint(t->fp->irqs, ==, irqs + 1);
	/* Back to on time. */
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_DELAY_IRQS, 0),
			==, 0);
	sh_pump(t);
	make_event(t, 3);
	g_assert_cmpuint(t->fp->irqs, ==, irqs + 2);
	sh_free(t);
}

static void test_fail_fault_reply(void)
{
	Sh *t = sh_new(NULL);
	struct pvgpu_msg_fault_reply fr = {
		.queue_id = 0,
		.fault_seqno = GUINT32_TO_LE(1),
		.action = PVGPU_FAULT_REPLY_RETRY,
	};
	const ShEvent *e;
	GArray *c = gpu_cmds_new();

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	g_assert_cmpint(pvgpu_fw_inject(t->fw,
					PVGPU_FW_INJECT_FAIL_FAULT_REPLIES, 1),
			==, 0);
	gpu_cmd_store32(c, SH_DATA_VA + 0x200000, 1);
	sh_go(t, 0, c);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_FAULTED);
	gpu_vm_alloc(&t->vm, SH_DATA_VA + 0x200000, 0x1000,
		     PVGPU_PTE_WRITABLE);
	g_assert_cmpuint(sh_request(t, PVGPU_H2F_PAGE_FAULT_REPLY, &fr, 4,
				    NULL), ==, PVGPU_STATUS_OK);
	e = sh_find_event(t, PVGPU_F2H_EVT_QUEUE_ERROR, 0, 0);
	g_assert_nonnull(e);
	g_assert_cmpuint(evt_u32(e, 1), ==, PVGPU_QUEUE_ERR_FAULT_FAILED);
	g_assert_cmpuint(sh_state(t, 0), ==, PVGPU_QUEUE_STATE_ERROR);
	sh_free(t);
}

/*
 * A lost PAGE_FAULT event: the queue still stalls FAULTED and QUEUE_QUERY
 * names the fault (seqno, address, access, reason), but F2H shows nothing
 * -- no event, no overflow, no dropped-event count, no sequence gap. The
 * driver answers from the query alone and the queue completes its work;
 * then the query shows no fault. Faults that are fatal (an address space
 * without recoverable faults) use up no count, and once the count is used
 * up the events come again.
 */
static void test_drop_fault_events(void)
{
	Sh *t = sh_new(NULL);
	const PvgpuFwSchedState *st = pvgpu_fw_sched_state(t->fw);
	const PvgpuFwStats *stats = pvgpu_fw_stats(t->fw);
	const uint64_t hole = SH_DATA_VA + 0x200000;
	struct pvgpu_msg_queue_state qs;
	struct pvgpu_msg_fault_reply fr = {
		.queue_id = 0,
		.action = GUINT32_TO_LE(PVGPU_FAULT_REPLY_RETRY),
	};
	GArray *c;
	char *log;

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(sh_register_full(t, 1, COPY, 1, 0, 0, &t->vm_nf), ==,
			 PVGPU_STATUS_OK);
	g_assert_cmpint(pvgpu_fw_inject(t->fw,
					PVGPU_FW_INJECT_DROP_FAULT_EVENTS, 1),
			==, 0);
	g_assert_cmpuint(st->drop_fault_events, ==, 1);

	/* Not recoverable: QUEUE_ERROR as ever, the count stays. */
	c = gpu_cmds_new();
	gpu_cmd_store32(c, hole, 7);
	sh_go(t, 1, c);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_QUEUE_ERROR, 1), ==,
			 1);
	g_assert_cmpuint(st->drop_fault_events, ==, 1);

	/* The running queue has no fault to report. */
	qs = sh_query(t, 0);
	g_assert_cmpuint(qs.fault_seqno, ==, 0);
	g_assert_cmpuint(qs.fault_access, ==, 0);
	g_assert_cmpuint(qs.fault_va, ==, 0);
	g_assert_cmpuint(qs.fault_reason, ==, 0);
	g_assert_cmpuint(qs.fault_reserved, ==, 0);

	c = gpu_cmds_new();
	gpu_cmd_store32(c, SH_DATA_VA, 1);
	gpu_cmd_atomic(c, PVGPU_ATOMIC_ADD32, hole + 0x24, 5, 0, 0);
	gpu_cmd_store32(c, SH_DATA_VA + 4, 2);
	sh_go(t, 0, c);
	g_assert_cmpuint(sh_rd32(t, 0), ==, 1);
	g_assert_cmpuint(sh_rd32(t, 4), ==, 0);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_PAGE_FAULT,
					 UINT32_MAX), ==, 0);
	g_assert_cmpuint(st->drop_fault_events, ==, 0);
	g_assert_cmpuint(stats->page_faults, ==, 1);
	g_assert_cmpuint(stats->events_dropped, ==, 0);
	g_assert_cmphex(fake_ring_status(&t->g->d, t->g->d.f2h_desc) &
			PVGPU_RING_STATUS_OVERFLOW, ==, 0);
	/* A silent loss: the event numbers the driver sees have no gap. */
	for (guint i = 1; i < t->events->len; i++)
		g_assert_cmpuint(g_array_index(t->events, ShEvent, i).seqno,
				 ==, g_array_index(t->events, ShEvent,
						   i - 1).seqno + 1);

	qs = sh_query(t, 0);
	g_assert_cmpuint(GUINT32_FROM_LE(qs.state), ==,
			 PVGPU_QUEUE_STATE_FAULTED);
	g_assert_cmpuint(GUINT32_FROM_LE(qs.fault_seqno), ==, 1);
	g_assert_cmphex(GUINT64_FROM_LE(qs.fault_va), ==, hole + 0x24);
	g_assert_cmpuint(GUINT32_FROM_LE(qs.fault_access), ==,
			 PVGPU_ACCESS_ATOMIC);
	g_assert_cmpuint(GUINT32_FROM_LE(qs.fault_reason), ==,
			 PVGPU_FAULT_NOT_PRESENT);
	g_assert_cmpuint(qs.fault_reserved, ==, 0);
	log = fake_driver_log_text(&t->g->d);
	g_assert_nonnull(strstr(log, "injected: page fault 1 event of queue 0 "
				"dropped"));
	g_free(log);

	/* The driver maps the page and answers the queried fault. */
	gpu_vm_alloc(&t->vm, hole, 0x1000, PVGPU_PTE_WRITABLE);
	g_assert_cmpuint(gpu_tlb_invalidate(t->g, 1, hole, 0x1000), ==,
			 PVGPU_STATUS_OK);
	fr.fault_seqno = qs.fault_seqno;
	g_assert_cmpuint(sh_request(t, PVGPU_H2F_PAGE_FAULT_REPLY, &fr, 4,
				    NULL), ==, PVGPU_STATUS_OK);
	sh_settle(t, 1 * MS);
	g_assert_cmpuint(gpu_vm_rd32(&t->vm, hole + 0x24), ==, 5);
	g_assert_cmpuint(sh_rd32(t, 4), ==, 2);
	qs = sh_query(t, 0);
	g_assert_cmpuint(GUINT32_FROM_LE(qs.state), ==, PVGPU_QUEUE_STATE_IDLE);
	g_assert_cmpuint(GUINT64_FROM_LE(qs.commands_done), ==, 3);
	g_assert_cmpuint(qs.fault_seqno, ==, 0);
	g_assert_cmpuint(qs.fault_access, ==, 0);
	g_assert_cmpuint(qs.fault_va, ==, 0);
	g_assert_cmpuint(qs.fault_reason, ==, 0);

	/* Used up: the next fault is reported again. */
	c = gpu_cmds_new();
	gpu_cmd_store32(c, hole + 0x1000, 3);
	sh_go(t, 0, c);
	g_assert_cmpuint(sh_count_events(t, PVGPU_F2H_EVT_PAGE_FAULT, 0), ==,
			 1);
	g_assert_cmpuint(evt_u32(sh_find_event(t, PVGPU_F2H_EVT_PAGE_FAULT,
					       0, 0), 1), ==, 2);
	g_assert_cmpuint(GUINT32_FROM_LE(sh_query(t, 0).fault_seqno), ==, 2);
	g_assert_cmpuint(fake_platform_error_count(t->fp), ==, 0);
	sh_free(t);
}

/* Doorbells dropped with probability p: reproducible from the seed. */
static unsigned int dropped_with(uint64_t seed, uint32_t ppm)
{
	PvgpuFwConfig cfg;
	unsigned int n;
	Sh *t;

	sh_config(&cfg);
	cfg.seed = seed;
	t = sh_new(&cfg);
	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	g_assert_cmpint(pvgpu_fw_inject(t->fw,
					PVGPU_FW_INJECT_DROP_DOORBELL_PPM, ppm),
			==, 0);
	for (unsigned int i = 0; i < 1000; i++)
		sh_ring(t, t->q[0].doorbell);
	fake_platform_run(t->fp);
	n = (unsigned int)pvgpu_fw_stats(t->fw)->doorbells_dropped;
	sh_free(t);
	return n;
}

static void test_probability(void)
{
	unsigned int a = dropped_with(7, 250000), b = dropped_with(7, 250000);
	unsigned int c = dropped_with(8, 250000);

	g_test_message("dropped: %u, %u, %u of 1000", a, b, c);
	g_assert_cmpuint(a, ==, b);
	g_assert_cmpuint(a, !=, c);
	g_assert_cmpuint(a, >, 180);
	g_assert_cmpuint(a, <, 320);
	g_assert_cmpuint(dropped_with(7, 0), ==, 0);
	g_assert_cmpuint(dropped_with(7, 1000000), ==, 1000);
}

static void test_bad_args(void)
{
	Sh *t = sh_new(NULL);
	PvgpuFwSchedState before = *pvgpu_fw_sched_state(t->fw);

	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_HANG_ENGINE, 2),
			==, -1);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_HANG_ENGINE,
					1ull << 32), ==, -1);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_UNHANG_ENGINE,
					2), ==, -1);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_WEDGE_ENGINE,
					2), ==, -1);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_WEDGE_ENGINE,
					1ull << 32), ==, -1);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_DROP_DOORBELLS,
					1ull << 32), ==, -1);
	g_assert_cmpint(pvgpu_fw_inject(t->fw,
					PVGPU_FW_INJECT_DROP_FAULT_EVENTS,
					1ull << 32), ==, -1);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_DELAY_IRQS,
					10000000001ull), ==, -1);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_LOSE_IRQ_PPM,
					1000001), ==, -1);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, (PvgpuFwInject)99, 1), ==, -1);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, (PvgpuFwInject)0, 1), ==, -1);
	g_assert_true(memcmp(&before, pvgpu_fw_sched_state(t->fw),
			     sizeof(before)) == 0);
	sh_free(t);
}

/* A device reset ends every injection; a firmware reset ends hangs. */
static void test_reset_clears(void)
{
	Sh *t = sh_new(NULL);
	PvgpuFwSchedState *st = pvgpu_fw_sched_state(t->fw);

	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_HANG_ENGINE,
					COPY), ==, 0);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_WEDGE_ENGINE,
					COMPUTE), ==, 0);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_LOSE_IRQS, 5),
			==, 0);
	g_assert_cmpint(pvgpu_fw_inject(t->fw,
					PVGPU_FW_INJECT_DROP_FAULT_EVENTS, 3),
			==, 0);
	fake_reg_write(t->fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	g_assert_cmpuint(st->hang_mask, ==, 0);
	g_assert_cmpuint(st->wedge_mask, ==, 0);
	/* The reset's own FW_STATE interrupt was the first one lost. */
	g_assert_cmpuint(st->lose_irqs, ==, 4);
	g_assert_cmpuint(st->drop_fault_events, ==, 3);
	g_assert_cmpint(pvgpu_fw_inject(t->fw, PVGPU_FW_INJECT_WEDGE_ENGINE,
					COPY), ==, 0);
	pvgpu_fw_reset(t->fw);
	g_assert_cmpuint(st->wedge_mask, ==, 0);
	g_assert_cmpuint(st->lose_irqs, ==, 0);
	g_assert_cmpuint(st->drop_fault_events, ==, 0);
	g_assert_cmpuint(st->prng, !=, 0);
	sh_free(t);
}

/* A crash forgets the queues; RESET and BOOT start empty. */
static void test_crash_with_queues(void)
{
	Sh *t = sh_new(NULL);
	uint32_t n;

	g_assert_cmpuint(sh_register(t, 0, COPY, 1, 0), ==, PVGPU_STATUS_OK);
	sh_go(t, 0, delays_add(10, 1 * MS, 0));
	pvgpu_fw_inject_crash(t->fw);
	g_assert_cmpuint(fake_reg_read(t->fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_HALTED);
	g_assert_cmpuint(pvgpu_fw_queue_states(t->fw, &n)[0].registered, ==,
			 0);
	g_assert_cmpuint(t->fp->timer_deadline, ==, FAKE_NO_TIMER);
	sh_free(t);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_data_func("/inject/hang-engine/watchdog",
			     GUINT_TO_POINTER(0), test_hang_engine);
	g_test_add_data_func("/inject/hang-engine/preempt-timeout",
			     GUINT_TO_POINTER(1), test_hang_engine);
	g_test_add_func("/inject/unhang", test_unhang);
	g_test_add_func("/inject/wedge/watchdog", test_wedge_watchdog);
	g_test_add_func("/inject/wedge/queue-reset", test_wedge_queue_reset);
	g_test_add_func("/inject/register", test_register);
	g_test_add_func("/inject/register-disabled", test_register_disabled);
	g_test_add_func("/inject/drop-doorbells", test_drop_doorbells);
	g_test_add_func("/inject/lose-irqs", test_lose_irqs);
	g_test_add_func("/inject/delay-irqs", test_delay_irqs);
	g_test_add_func("/inject/fail-fault-reply", test_fail_fault_reply);
	g_test_add_func("/inject/drop-fault-events", test_drop_fault_events);
	g_test_add_func("/inject/probability", test_probability);
	g_test_add_func("/inject/bad-args", test_bad_args);
	g_test_add_func("/inject/reset", test_reset_clears);
	g_test_add_func("/inject/crash", test_crash_with_queues);
	return g_test_run();
}
