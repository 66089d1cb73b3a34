/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Configuration, crash injection, guest-memory failures while running, the
 * log buffer, determinism and migration (post_load).
 */
#include <stddef.h>
#include <string.h>

#include "fake_driver.h"

#define PING_BYTES	32u

static FakePlatform *setup(FakeDriver *d)
{
	FakePlatform *fp = fake_platform_new(NULL);

	fake_driver_init(d, fp);
	g_assert_cmpuint(fake_driver_boot(d), ==, PVGPU_FW_STATE_RUNNING);
	fake_reg_write(fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_ALL);
	fp->irqs = 0;
	return fp;
}

static void queue_ping(FakeDriver *d, uint64_t cookie, uint32_t *seqno)
{
	struct pvgpu_msg_ping ping = { .cookie = GUINT64_TO_LE(cookie) };

	g_assert_true(fake_driver_send(d, PVGPU_H2F_PING, &ping, 4, seqno));
}

static void expect_ping(FakeDriver *d, uint32_t seqno, uint64_t cookie)
{
	uint32_t buf[PVGPU_MSG_MAX_PAYLOAD_DW];
	struct pvgpu_msg_ping resp;

	g_assert_cmpuint(fake_driver_expect_response(d, PVGPU_H2F_PING, seqno,
						     PVGPU_STATUS_OK, buf),
			 ==, 4);
	memcpy(&resp, buf, sizeof(resp));
	g_assert_cmphex(GUINT64_FROM_LE(resp.cookie), ==, cookie);
}

static void ping_round_trip(FakeDriver *d, uint64_t cookie)
{
	uint32_t seqno;

	g_assert_true(fake_driver_ping(d, cookie, &seqno));
	expect_ping(d, seqno, cookie);
}

/* --- Configuration ----------------------------------------------------- */

static void test_config_default(void)
{
	PvgpuFwConfig cfg;

	memset(&cfg, 0xff, sizeof(cfg));
	pvgpu_fw_config_default(&cfg);
	g_assert_null(pvgpu_fw_config_check(&cfg));
	g_assert_cmpuint(cfg.num_engine_classes, ==, 2);
	g_assert_cmpuint(cfg.engine_class[0], ==, PVGPU_ENGINE_CLASS_COPY);
	g_assert_cmpuint(cfg.slots[0], ==, 2);
	g_assert_cmpuint(cfg.engine_class[1], ==, PVGPU_ENGINE_CLASS_COMPUTE);
	g_assert_cmpuint(cfg.slots[1], ==, 4);
	for (unsigned int i = 2; i < PVGPU_MAX_ENGINE_CLASSES; i++)
		g_assert_cmpuint(cfg.slots[i], ==, 0);
	g_assert_cmpuint(cfg.num_priorities, ==, 4);
	g_assert_cmpuint(cfg.max_queues, ==, 1024);
	g_assert_cmpuint(cfg.num_doorbells, ==, 64);
	g_assert_cmpuint(cfg.va_bits, ==, 48);
	g_assert_cmphex(cfg.page_sizes, ==,
			(1u << 12) | (1u << 21) | (1u << 30));
	g_assert_true(cfg.page_faults);
	g_assert_cmpuint(cfg.timeslice_default_us, ==, 1000);
	g_assert_cmpuint(cfg.timeslice_min_us, ==, 100);
	g_assert_cmpuint(cfg.timeslice_max_us, ==, 100000);
}

static void cfg_no_classes(PvgpuFwConfig *c) { c->num_engine_classes = 0; }
static void cfg_many_classes(PvgpuFwConfig *c) { c->num_engine_classes = 9; }
static void cfg_unknown_class(PvgpuFwConfig *c) { c->engine_class[1] = 2; }
static void cfg_dup_class(PvgpuFwConfig *c) { c->engine_class[1] = 0; }
static void cfg_no_slots(PvgpuFwConfig *c) { c->slots[0] = 0; }
static void cfg_many_slots(PvgpuFwConfig *c) { c->slots[1] = 65; }
static void cfg_one_prio(PvgpuFwConfig *c) { c->num_priorities = 1; }
static void cfg_many_prio(PvgpuFwConfig *c) { c->num_priorities = 9; }
static void cfg_no_queues(PvgpuFwConfig *c) { c->max_queues = 0; }
static void cfg_many_queues(PvgpuFwConfig *c) { c->max_queues = 65537; }
static void cfg_one_db(PvgpuFwConfig *c) { c->num_doorbells = 1; }
static void cfg_db_not_pow2(PvgpuFwConfig *c) { c->num_doorbells = 48; }
static void cfg_many_db(PvgpuFwConfig *c) { c->num_doorbells = 2048; }
static void cfg_va_small(PvgpuFwConfig *c) { c->va_bits = 31; }
static void cfg_va_big(PvgpuFwConfig *c) { c->va_bits = 58; }
static void cfg_no_4k(PvgpuFwConfig *c) { c->page_sizes = 1u << 21; }
static void cfg_small_page(PvgpuFwConfig *c) { c->page_sizes |= 1u << 11; }
static void cfg_ts_zero(PvgpuFwConfig *c) { c->timeslice_min_us = 0; }
static void cfg_ts_order(PvgpuFwConfig *c) { c->timeslice_default_us = 50; }
static void cfg_ts_max(PvgpuFwConfig *c) { c->timeslice_max_us = 999; }

static void test_config_check(void)
{
	static const struct {
		void (*mutate)(PvgpuFwConfig *c);
		const char *field;
	} cases[] = {
		{ cfg_no_classes, "num_engine_classes" },
		{ cfg_many_classes, "num_engine_classes" },
		{ cfg_unknown_class, "engine_class" },
		{ cfg_dup_class, "engine_class (duplicate)" },
		{ cfg_no_slots, "slots" },
		{ cfg_many_slots, "slots" },
		{ cfg_one_prio, "num_priorities" },
		{ cfg_many_prio, "num_priorities" },
		{ cfg_no_queues, "max_queues" },
		{ cfg_many_queues, "max_queues" },
		{ cfg_one_db, "num_doorbells" },
		{ cfg_db_not_pow2, "num_doorbells" },
		{ cfg_many_db, "num_doorbells" },
		{ cfg_va_small, "va_bits" },
		{ cfg_va_big, "va_bits" },
		{ cfg_no_4k, "page_sizes" },
		{ cfg_small_page, "page_sizes" },
		{ cfg_ts_zero, "timeslice" },
		{ cfg_ts_order, "timeslice" },
		{ cfg_ts_max, "timeslice" },
	};
	PvgpuFwPlatform dummy = { 0 };

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		PvgpuFwConfig cfg;
		const char *bad;

		pvgpu_fw_config_default(&cfg);
		cases[i].mutate(&cfg);
		bad = pvgpu_fw_config_check(&cfg);
		g_assert_cmpstr(bad, ==, cases[i].field);
		/* A bad shape never makes a device. */
		g_assert_null(pvgpu_fw_new(&cfg, &dummy, NULL));
	}
}

/* --- Crash injection --------------------------------------------------- */

static void test_crash(void)
{
	FakeDriver d;
	FakePlatform *fp = setup(&d);
	uint8_t *snapshot;
	char *log;

	ping_round_trip(&d, 1);
	/* A request the crashed firmware will never answer. */
	queue_ping(&d, 2, NULL);
	fake_driver_doorbell(&d);

	pvgpu_fw_inject_crash(fp->fw);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_HALTED);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_ERROR), ==,
			 PVGPU_FW_ERR_CRASHED);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS) &
			PVGPU_IRQ_FW_STATE, ==, PVGPU_IRQ_FW_STATE);
	g_assert_cmpuint(fp->irqs, ==, 2);
	log = fake_driver_log_text(&d);
	g_assert_nonnull(strstr(log, "E crash injected\n"));
	g_free(log);

	/* Halted: no DMA at all, whatever the driver does. */
	snapshot = g_memdup2(fp->ram, FAKE_RAM_SIZE);
	fake_platform_run(fp);
	fake_driver_doorbell(&d);
	fake_platform_run(fp);
	fake_platform_advance(fp, 10000000);
	g_assert_true(memcmp(snapshot, fp->ram, FAKE_RAM_SIZE) == 0);
	g_free(snapshot);

	/* BOOT is refused until a RESET. */
	fake_platform_clear_errors(fp);
	fake_reg_write(fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_BOOT);
	g_assert_true(fake_platform_has_error(fp, "while halted"));
	fake_platform_run(fp);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_HALTED);

	fake_reg_write(fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_OFF);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_ERROR), ==,
			 PVGPU_FW_ERR_NONE);
	fake_driver_init(&d, fp);
	g_assert_cmpuint(fake_driver_boot(&d), ==, PVGPU_FW_STATE_RUNNING);
	ping_round_trip(&d, 3);
	fake_platform_free(fp);
}

static void test_crash_other_states(void)
{
	FakePlatform *fp = fake_platform_new(NULL);
	FakeDriver d;

	/* While OFF. */
	pvgpu_fw_inject_crash(fp->fw);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_HALTED);
	fake_reg_write(fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);

	/* While BOOTING: the boot never happens. */
	fake_driver_init(&d, fp);
	fake_driver_write_boot_desc(&d);
	fake_driver_start_boot(&d);
	pvgpu_fw_inject_crash(fp->fw);
	fake_platform_run(fp);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_HALTED);
	g_assert_cmpuint(pvgpu_fw_stats(fp->fw)->boots, ==, 0);
	g_assert_cmpuint(fake_ram_rd32(fp, d.caps_base), ==, 0);

	/* Twice: still halted, still CRASHED. */
	pvgpu_fw_inject_crash(fp->fw);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_ERROR), ==,
			 PVGPU_FW_ERR_CRASHED);
	fake_reg_write(fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	g_assert_cmpuint(fake_driver_boot(&d), ==, PVGPU_FW_STATE_RUNNING);
	fake_platform_free(fp);
}

/* --- Guest memory failing while running -------------------------------- */

typedef struct DmaFailCase {
	const char *name;
	size_t base_field;	/* offsetof(FakeDriver, ...) of the area */
	uint32_t len;		/* bytes of it that fail */
	bool log_ctrl;		/* send LOG_CTRL instead of PING */
	uint32_t err;
	const char *why;
	bool log_has_why;	/* the log still records the halt */
} DmaFailCase;

static const DmaFailCase dma_fail_cases[] = {
	{ "h2f-desc", offsetof(FakeDriver, h2f_desc), 64, false,
	  PVGPU_FW_ERR_BAD_RING, "H2F ring descriptor not accessible", true },
	{ "h2f-buffer", offsetof(FakeDriver, h2f_base), 0x1000, false,
	  PVGPU_FW_ERR_BAD_RING, "H2F ring not accessible", true },
	{ "h2f-payload", offsetof(FakeDriver, h2f_base) , 0, false,
	  PVGPU_FW_ERR_BAD_RING, "H2F ring not accessible", true },
	{ "f2h-desc", offsetof(FakeDriver, f2h_desc), 64, false,
	  PVGPU_FW_ERR_BAD_RING, "F2H ring descriptor not accessible", true },
	{ "f2h-buffer", offsetof(FakeDriver, f2h_base), 0x1000, false,
	  PVGPU_FW_ERR_BAD_RING, "F2H ring not accessible", true },
	{ "log", offsetof(FakeDriver, log_base), 0x1000, true,
	  PVGPU_FW_ERR_BAD_LOG, "log buffer not accessible", false },
};

static void test_dma_failure(gconstpointer data)
{
	const DmaFailCase *c = data;
	FakeDriver d;
	FakePlatform *fp = setup(&d);
	uint64_t base = *(uint64_t *)((uint8_t *)&d + c->base_field);
	struct pvgpu_msg_log_ctrl lc = { .level = GUINT32_TO_LE(3) };
	char *log;

	ping_round_trip(&d, 1);
	if (c->len) {
		fp->fail_start = base;
		fp->fail_end = base + c->len;
	} else {
		/* Only the payload of the next request is unreadable. */
		fp->fail_start = base + PING_BYTES + 16;
		fp->fail_end = base + PING_BYTES + 20;
	}
	if (c->log_ctrl)
		g_assert_true(fake_driver_send(&d, PVGPU_H2F_LOG_CTRL, &lc, 2,
					       NULL));
	else
		queue_ping(&d, 2, NULL);
	fake_driver_doorbell(&d);
	fake_platform_run(fp);

	g_assert_cmpuint(fp->dma_failures, >, 0);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_HALTED);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_ERROR), ==, c->err);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS) &
			PVGPU_IRQ_FW_STATE, ==, PVGPU_IRQ_FW_STATE);
	g_assert_true(fake_platform_has_error(fp, "firmware halted"));
	g_assert_true(fake_platform_has_error(fp, c->why));
	g_assert_cmpuint(pvgpu_fw_stats(fp->fw)->responses, ==, 1);
	g_assert_cmpuint(fp->timer_deadline, ==, FAKE_NO_TIMER);

	/* Bring the memory back, reset, boot: all is well again. */
	fp->fail_start = fp->fail_end = 0;
	log = fake_driver_log_text(&d);
	g_assert_true((strstr(log, c->why) != NULL) == c->log_has_why);
	g_free(log);
	fake_reg_write(fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	fake_driver_init(&d, fp);
	g_assert_cmpuint(fake_driver_boot(&d), ==, PVGPU_FW_STATE_RUNNING);
	ping_round_trip(&d, 3);
	fake_platform_free(fp);
}

/* Ring and log both gone: the first failure is the one reported. */
static void test_dma_failure_first_reason(void)
{
	FakeDriver d;
	FakePlatform *fp = setup(&d);

	fp->fail_start = d.h2f_base;
	fp->fail_end = d.log_base + d.log_size;
	queue_ping(&d, 1, NULL);
	fake_driver_doorbell(&d);
	fake_platform_run(fp);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_HALTED);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_ERROR), ==,
			 PVGPU_FW_ERR_BAD_RING);
	/* The log failing on the way down is not a second halt. */
	g_assert_cmpuint(fake_platform_count_errors(fp, "firmware halted"),
			 ==, 1);
	fake_platform_free(fp);
}

static void test_f2h_bad_pointer(void)
{
	static const struct {
		size_t field;
		uint32_t value;
	} cases[] = {
		{ offsetof(struct pvgpu_ring_desc, head), 0x1000 },
		{ offsetof(struct pvgpu_ring_desc, head), 0x2 },
		{ offsetof(struct pvgpu_ring_desc, tail), 0x8001 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		FakeDriver d;
		FakePlatform *fp = setup(&d);

		fake_ram_wr32(fp, d.f2h_desc + cases[i].field, cases[i].value);
		queue_ping(&d, 1, NULL);
		fake_driver_doorbell(&d);
		fake_platform_run(fp);
		g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
				 PVGPU_FW_STATE_HALTED);
		g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_ERROR), ==,
				 PVGPU_FW_ERR_BAD_RING);
		g_assert_cmphex(fake_ring_status(&d, d.f2h_desc), ==,
				PVGPU_RING_STATUS_BAD_POINTER);
		g_assert_true(fake_platform_has_error(fp, "F2H head"));
		/* The request stays unconsumed. */
		g_assert_cmpuint(fake_ring_head(&d, d.h2f_desc), ==, 0);
		fake_platform_free(fp);
	}
}

/* --- Log buffer -------------------------------------------------------- */

static void test_log_wrap(void)
{
	FakeDriver d;
	FakePlatform *fp = setup(&d);
	struct pvgpu_msg_log_ctrl lc = { .level = GUINT32_TO_LE(3) };
	const uint32_t text_size = d.log_size - sizeof(struct pvgpu_log_desc);
	PvgpuFwState *st = pvgpu_fw_state(fp->fw);
	uint32_t seqno, wraps = 0, prev_off;
	char **lines;
	char *log;

	g_assert_true(fake_driver_send(&d, PVGPU_H2F_LOG_CTRL, &lc, 2, &seqno));
	fake_driver_doorbell(&d);
	fake_platform_run(fp);
	fake_driver_expect_response(&d, PVGPU_H2F_LOG_CTRL, seqno,
				    PVGPU_STATUS_OK, NULL);

	prev_off = fake_ram_rd32(fp, d.log_base);
	for (uint32_t i = 0; i < 1000; i++) {
		uint32_t off;

		fp->now_ns += 1234567;
		ping_round_trip(&d, i);
		off = fake_ram_rd32(fp, d.log_base);
		g_assert_cmpuint(off, <, text_size);
		if (off < prev_off)
			wraps++;
		prev_off = off;
	}
	g_assert_cmpuint(wraps, >=, 3);
	g_assert_cmpuint(fake_ram_rd32(fp, d.log_base + 4), ==, wraps);
	g_assert_cmpuint(st->log_wrap_count, ==, wraps);
	g_assert_cmpuint(st->log_write_offset, ==, prev_off);

	/* Oldest first: a partial line, then whole lines, newest last. */
	log = fake_driver_log_text(&d);
	g_assert_cmpuint(strlen(log), ==, text_size);
	g_assert_true(g_str_has_suffix(log, "] D ping\n"));
	lines = g_strsplit(strchr(log, '\n') + 1, "\n", -1);
	for (guint i = 0; lines[i] && lines[i][0]; i++) {
		g_assert_true(g_str_has_prefix(lines[i], "["));
		g_assert_true(g_str_has_suffix(lines[i], "] D ping"));
	}
	g_strfreev(lines);
	g_free(log);
	fake_platform_free(fp);
}

/* --- Determinism ------------------------------------------------------- */

static const uint32_t garbage[4] = { 0x00ff0001, 1, 1, 0 };

/* Everything the model does, driven only by the fake clock. */
static uint8_t *run_scenario(uint64_t clock_step, PvgpuFwState *st_out,
			     PvgpuFwStats *stats_out)
{
	FakePlatform *fp = fake_platform_new(NULL);
	struct pvgpu_msg_log_ctrl lc = { .level = GUINT32_TO_LE(3) };
	struct pvgpu_msg_hdr hdr;
	uint32_t payload[PVGPU_MSG_MAX_PAYLOAD_DW];
	FakeDriver d;
	uint8_t *ram;

	fake_driver_init(&d, fp);
	d.h2f_size = 0x4000;
	d.f2h_base = 0x30000;
	g_assert_cmpuint(fake_driver_boot(&d), ==, PVGPU_FW_STATE_RUNNING);
	g_assert_true(fake_driver_send(&d, PVGPU_H2F_LOG_CTRL, &lc, 2, NULL));
	for (uint32_t i = 0; i < 300; i++) {
		fp->now_ns += clock_step;
		queue_ping(&d, i * 0x9e3779b97f4a7c15ull, NULL);
		if (i % 7 == 0)
			fake_driver_doorbell(&d);
		if (i % 50 == 0)
			g_assert_true(fake_driver_put_raw(&d, garbage,
							  sizeof(garbage)));
		fake_platform_advance(fp, clock_step);
		if (i % 3 == 0) {
			while (fake_driver_recv(&d, &hdr, payload))
				;
		}
	}
	fake_driver_doorbell(&d);
	for (uint32_t i = 0; i < 100; i++) {
		fake_platform_advance(fp, 10000);
		while (fake_driver_recv(&d, &hdr, payload))
			;
	}
	/* F2H full of responses, then a malformed header: event dropped. */
	for (uint32_t i = 0; i < (0x1000 - 4) / PING_BYTES; i++)
		queue_ping(&d, i, NULL);
	fake_driver_doorbell(&d);
	fake_platform_advance(fp, clock_step);
	g_assert_true(fake_driver_put_raw(&d, garbage, sizeof(garbage)));
	fake_driver_doorbell(&d);
	fake_platform_advance(fp, clock_step);
	/* Still full: more requests wait for the retry timer. */
	for (uint32_t i = 0; i < 5; i++)
		queue_ping(&d, i, NULL);
	fake_driver_doorbell(&d);
	fake_platform_advance(fp, clock_step);
	while (fake_driver_recv(&d, &hdr, payload))
		;
	fake_platform_advance(fp, 50000);
	while (fake_driver_recv(&d, &hdr, payload))
		;
	ping_round_trip(&d, 0xabcdef);

	g_assert_cmpuint(pvgpu_fw_stats(fp->fw)->events_dropped, >, 0);
	g_assert_cmpuint(pvgpu_fw_stats(fp->fw)->events, >, 0);
	g_assert_cmpuint(fp->timer_arms, >, 0);

	*st_out = *pvgpu_fw_state(fp->fw);
	*stats_out = *pvgpu_fw_stats(fp->fw);
	ram = g_memdup2(fp->ram, FAKE_RAM_SIZE);
	fake_platform_free(fp);
	return ram;
}

static void test_determinism(void)
{
	PvgpuFwState st1, st2, st3;
	PvgpuFwStats stats1, stats2, stats3;
	uint8_t *ram1 = run_scenario(1000, &st1, &stats1);
	uint8_t *ram2 = run_scenario(1000, &st2, &stats2);
	uint8_t *ram3 = run_scenario(1001, &st3, &stats3);

	/* Same inputs: the same bytes everywhere, F2H ring included. */
	g_assert_true(memcmp(ram1, ram2, FAKE_RAM_SIZE) == 0);
	g_assert_true(memcmp(&st1, &st2, sizeof(st1)) == 0);
	g_assert_true(memcmp(&stats1, &stats2, sizeof(stats1)) == 0);
	g_assert_cmpuint(stats1.responses, >, 300);
	/* The comparison can tell: another clock gives other timestamps. */
	g_assert_false(memcmp(ram1 + 0x30000, ram3 + 0x30000, 0x1000) == 0);
	g_free(ram1);
	g_free(ram2);
	g_free(ram3);
}

/* --- Migration --------------------------------------------------------- */

/* Move firmware state and guest RAM to a fresh device; post_load result. */
static int migrate(FakePlatform *src, FakePlatform *dst)
{
	memcpy(dst->ram, src->ram, FAKE_RAM_SIZE);
	*pvgpu_fw_state(dst->fw) = *pvgpu_fw_state(src->fw);
	return pvgpu_fw_post_load(dst->fw);
}

static void test_post_load(void)
{
	FakeDriver d;
	FakePlatform *src = setup(&d);
	FakePlatform *dst = fake_platform_new(NULL);

	ping_round_trip(&d, 1);
	g_assert_cmpint(migrate(src, dst), ==, 0);
	g_assert_cmpuint(dst->kicks_pending, ==, 0);
	d.fp = dst;
	ping_round_trip(&d, 2);
	g_assert_cmpuint(fake_reg_read(dst, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_RUNNING);
	g_assert_cmpuint(fake_platform_error_count(dst), ==, 0);
	fake_platform_free(src);
	fake_platform_free(dst);
}

/* Migrate while F2H is full and requests wait: nothing is lost. */
static void test_post_load_pending(void)
{
	FakeDriver d;
	FakePlatform *src = setup(&d);
	FakePlatform *dst = fake_platform_new(NULL);
	const uint32_t fit = (0x1000 - 4) / PING_BYTES;
	uint32_t n = 0;

	while (fake_driver_h2f_free(&d) >= PING_BYTES)
		queue_ping(&d, n++, NULL);
	fake_driver_doorbell(&d);
	fake_platform_run(src);
	/* F2H had room for all: make it block by leaving the responses. */
	g_assert_cmpuint(pvgpu_fw_stats(src->fw)->responses, ==, fit);
	for (uint32_t i = 0; i < 20; i++)
		queue_ping(&d, n++, NULL);
	fake_driver_doorbell(&d);
	fake_platform_run(src);
	g_assert_cmpuint(pvgpu_fw_state(src->fw)->h2f_pending, ==, 1);
	g_assert_cmpuint(src->timer_deadline, !=, FAKE_NO_TIMER);

	g_assert_cmpint(migrate(src, dst), ==, 0);
	/* Timers do not migrate: post_load restarts the work by a kick. */
	g_assert_cmpuint(dst->kicks_pending, ==, 1);
	d.fp = dst;
	fake_platform_run(dst);
	g_assert_cmpuint(dst->timer_deadline, !=, FAKE_NO_TIMER);
	for (uint32_t i = 0; i < fit; i++)
		expect_ping(&d, i + 1, i);
	fake_platform_advance(dst, 50000);
	for (uint32_t i = fit; i < n; i++)
		expect_ping(&d, i + 1, i);
	g_assert_cmpuint(dst->timer_deadline, ==, FAKE_NO_TIMER);
	fake_platform_free(src);
	fake_platform_free(dst);

	/* Migrate between BOOT and its service: the boot completes. */
	src = fake_platform_new(NULL);
	dst = fake_platform_new(NULL);
	fake_driver_init(&d, src);
	fake_driver_write_boot_desc(&d);
	fake_driver_start_boot(&d);
	g_assert_cmpint(migrate(src, dst), ==, 0);
	g_assert_cmpuint(dst->kicks_pending, ==, 1);
	fake_platform_run(dst);
	g_assert_cmpuint(fake_reg_read(dst, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_RUNNING);
	fake_platform_free(src);
	fake_platform_free(dst);
}

typedef struct CorruptCase {
	const char *name;
	void (*corrupt)(PvgpuFwState *st);
} CorruptCase;

#define CORRUPT(n, body) \
	static void corrupt_##n(PvgpuFwState *st) { body; }
CORRUPT(status, st->fw_status = 5)
CORRUPT(error, st->fw_error = 9)
CORRUPT(running_with_error, st->fw_error = PVGPU_FW_ERR_CRASHED)
CORRUPT(irq_status, st->irq_status = 0x8)
CORRUPT(irq_mask, st->irq_mask = 0x80000000)
CORRUPT(log_level, st->log_level = 4)
CORRUPT(boot_pending_running, st->boot_pending = 1)
CORRUPT(h2f_pending_2, st->h2f_pending = 2)
CORRUPT(booting_no_pending, st->fw_status = PVGPU_FW_STATE_BOOTING)
CORRUPT(off_h2f_pending, st->fw_status = PVGPU_FW_STATE_OFF;
	st->h2f_pending = 1)
CORRUPT(h2f_size, st->h2f_size = 0x1800)
CORRUPT(f2h_size_zero, st->f2h_size = 0)
CORRUPT(log_size, st->log_size = 0x2000000)
CORRUPT(caps_size, st->caps_size = 4)
CORRUPT(h2f_base, st->h2f_base += 0x10)
CORRUPT(h2f_desc, st->h2f_desc = 0x11008)
CORRUPT(desc_overlap, st->f2h_desc = st->h2f_desc)
CORRUPT(log_overlap, st->log_base = st->f2h_base)
CORRUPT(caps_overlap, st->caps_base = st->log_base)
CORRUPT(ring_wraps, st->f2h_base = 0xfffffffffffff000ull;
	st->f2h_size = 0x2000)
CORRUPT(log_offset_end, st->log_write_offset = st->log_size - 64)
CORRUPT(log_offset_huge, st->log_write_offset = 0xfffffff0)
CORRUPT(log_base_huge, st->log_base = 0xfffffffffffff000ull)

static const CorruptCase corrupt_cases[] = {
#define C(n) { #n, corrupt_##n }
	C(status), C(error), C(running_with_error), C(irq_status),
	C(irq_mask), C(log_level), C(boot_pending_running), C(h2f_pending_2),
	C(booting_no_pending), C(off_h2f_pending), C(h2f_size),
	C(f2h_size_zero), C(log_size), C(caps_size), C(h2f_base), C(h2f_desc),
	C(desc_overlap), C(log_overlap), C(caps_overlap), C(ring_wraps),
	C(log_offset_end), C(log_offset_huge), C(log_base_huge),
#undef C
};

static void test_post_load_corrupt(gconstpointer data)
{
	const CorruptCase *c = data;
	FakeDriver d;
	FakePlatform *src = setup(&d);
	FakePlatform *dst = fake_platform_new(NULL);
	PvgpuFwState st;

	ping_round_trip(&d, 1);
	st = *pvgpu_fw_state(src->fw);
	c->corrupt(&st);
	memcpy(dst->ram, src->ram, FAKE_RAM_SIZE);
	*pvgpu_fw_state(dst->fw) = st;
	g_assert_cmpint(pvgpu_fw_post_load(dst->fw), ==, -1);
	g_assert_true(fake_platform_has_error(dst, "migrated firmware state "
					      "rejected"));
	g_assert_cmpuint(dst->kicks_pending, ==, 0);
	fake_platform_free(src);
	fake_platform_free(dst);
}

/* Outside RUNNING the copy is unused, so stale values are harmless. */
static void test_post_load_halted(void)
{
	FakeDriver d;
	FakePlatform *src = setup(&d);
	FakePlatform *dst = fake_platform_new(NULL);
	PvgpuFwState *st;

	pvgpu_fw_inject_crash(src->fw);
	st = pvgpu_fw_state(src->fw);
	g_assert_cmpuint(st->h2f_base, ==, 0);
	st->h2f_base = 0x123;
	g_assert_cmpint(migrate(src, dst), ==, 0);
	fake_reg_write(dst, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	d.fp = dst;
	g_assert_cmpuint(fake_driver_boot(&d), ==, PVGPU_FW_STATE_RUNNING);
	ping_round_trip(&d, 5);
	fake_platform_free(src);
	fake_platform_free(dst);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/lifecycle/config/default", test_config_default);
	g_test_add_func("/lifecycle/config/check", test_config_check);
	g_test_add_func("/lifecycle/crash/running", test_crash);
	g_test_add_func("/lifecycle/crash/other-states",
			test_crash_other_states);
	for (size_t i = 0; i < G_N_ELEMENTS(dma_fail_cases); i++) {
		char *path = g_strdup_printf("/lifecycle/dma-failure/%s",
					     dma_fail_cases[i].name);

		g_test_add_data_func(path, &dma_fail_cases[i],
				     test_dma_failure);
		g_free(path);
	}
	g_test_add_func("/lifecycle/dma-failure/first-reason",
			test_dma_failure_first_reason);
	g_test_add_func("/lifecycle/f2h-bad-pointer", test_f2h_bad_pointer);
	g_test_add_func("/lifecycle/log-wrap", test_log_wrap);
	g_test_add_func("/lifecycle/determinism", test_determinism);
	g_test_add_func("/lifecycle/post-load/ok", test_post_load);
	g_test_add_func("/lifecycle/post-load/pending",
			test_post_load_pending);
	g_test_add_func("/lifecycle/post-load/halted", test_post_load_halted);
	for (size_t i = 0; i < G_N_ELEMENTS(corrupt_cases); i++) {
		char *path = g_strdup_printf("/lifecycle/post-load/corrupt/%s",
					     corrupt_cases[i].name);

		g_test_add_data_func(path, &corrupt_cases[i],
				     test_post_load_corrupt);
		g_free(path);
	}
	return g_test_run();
}
