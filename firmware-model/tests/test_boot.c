/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Boot handshake: success and the capability block, every boot error code,
 * BOOT in the wrong state, firmware reset and device reset.
 */
#include <stddef.h>
#include <string.h>

#include "fake_driver.h"

static bool ram_is_zero(FakePlatform *fp, uint64_t addr, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (fp->ram[addr + i])
			return false;
	}
	return true;
}

static void check_caps(FakePlatform *fp, uint64_t base,
		       const PvgpuFwConfig *cfg)
{
	struct pvgpu_fw_caps caps;

	memcpy(&caps, fp->ram + base, sizeof(caps));
	g_assert_cmpuint(GUINT32_FROM_LE(caps.size), ==, sizeof(caps));
	g_assert_cmphex(GUINT32_FROM_LE(caps.fw_version), ==,
			PVGPU_FW_MODEL_VERSION);
	g_assert_cmphex(GUINT32_FROM_LE(caps.iface_version), ==,
			PVGPU_IFACE_VERSION(PVGPU_IFACE_MAJOR,
					    PVGPU_IFACE_MINOR));
	g_assert_cmphex(GUINT32_FROM_LE(caps.flags), ==,
			cfg->page_faults ? PVGPU_FW_CAP_PAGE_FAULTS : 0);
	g_assert_cmpuint(GUINT32_FROM_LE(caps.va_bits), ==, cfg->va_bits);
	g_assert_cmphex(GUINT32_FROM_LE(caps.page_sizes), ==,
			cfg->page_sizes);
	g_assert_cmpuint(GUINT32_FROM_LE(caps.num_priorities), ==,
			 cfg->num_priorities);
	g_assert_cmpuint(GUINT32_FROM_LE(caps.max_queues), ==,
			 cfg->max_queues);
	g_assert_cmpuint(GUINT32_FROM_LE(caps.num_doorbells), ==,
			 cfg->num_doorbells);
	g_assert_cmpuint(GUINT32_FROM_LE(caps.timeslice_default_us), ==,
			 cfg->timeslice_default_us);
	g_assert_cmpuint(GUINT32_FROM_LE(caps.timeslice_min_us), ==,
			 cfg->timeslice_min_us);
	g_assert_cmpuint(GUINT32_FROM_LE(caps.timeslice_max_us), ==,
			 cfg->timeslice_max_us);
	g_assert_cmpuint(GUINT32_FROM_LE(caps.num_engine_classes), ==,
			 cfg->num_engine_classes);
	g_assert_cmpuint(GUINT32_FROM_LE(caps.watchdog_ms), ==,
			 cfg->watchdog_ms);
	g_assert_cmpuint(GUINT32_FROM_LE(caps.preempt_timeout_us), ==,
			 cfg->preempt_timeout_us);
	for (unsigned int i = 0; i < PVGPU_MAX_ENGINE_CLASSES; i++) {
		const struct pvgpu_engine_caps *e = &caps.engines[i];

		if (i < cfg->num_engine_classes) {
			g_assert_cmpuint(GUINT32_FROM_LE(e->engine_class), ==,
					 cfg->engine_class[i]);
			g_assert_cmpuint(GUINT32_FROM_LE(e->num_slots), ==,
					 cfg->slots[i]);
		} else {
			g_assert_cmpuint(e->engine_class, ==, 0);
			g_assert_cmpuint(e->num_slots, ==, 0);
		}
		g_assert_cmpuint(e->flags, ==, 0);
		g_assert_cmpuint(e->reserved, ==, 0);
	}
}

static void test_success(void)
{
	FakePlatform *fp = fake_platform_new(NULL);
	FakeDriver d;
	char *log, *want;

	fake_driver_init(&d, fp);
	/* Junk where the caps go: the firmware must overwrite all of it. */
	memset(fp->ram + d.caps_base, 0xee, sizeof(struct pvgpu_fw_caps));
	/* Stale status bits from a previous life are cleared at boot. */
	fake_driver_write_boot_desc(&d);
	fake_ram_wr32(fp, d.h2f_desc + offsetof(struct pvgpu_ring_desc, status),
		      PVGPU_RING_STATUS_MALFORMED);

	/* The register write only latches: no DMA, state BOOTING, a kick. */
	fake_driver_start_boot(&d);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_BOOTING);
	g_assert_cmpuint(fp->kicks_pending, ==, 1);
	g_assert_cmpuint(fp->ram[d.caps_base], ==, 0xee);
	g_assert_cmpuint(fp->irqs, ==, 0);

	g_assert_cmpuint(fake_platform_run(fp), ==, 1);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_RUNNING);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_ERROR), ==,
			 PVGPU_FW_ERR_NONE);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==,
			PVGPU_IRQ_FW_STATE);
	g_assert_cmpuint(fp->irqs, ==, 1);
	check_caps(fp, d.caps_base, pvgpu_fw_config(fp->fw));
	g_assert_cmpuint(fake_ring_status(&d, d.h2f_desc), ==, 0);
	g_assert_cmpuint(fake_ring_status(&d, d.f2h_desc), ==, 0);
	g_assert_cmpuint(fake_ram_rd32(fp, d.log_base +
				       offsetof(struct pvgpu_log_desc, level)),
			 ==, PVGPU_LOG_LEVEL_INFO);
	log = fake_driver_log_text(&d);
	want = g_strdup_printf("] I firmware 0.1.0, interface %u.%u",
			       PVGPU_IFACE_MAJOR, PVGPU_IFACE_MINOR);
	g_assert_nonnull(strstr(log, want));
	g_free(want);
	g_free(log);
	g_assert_cmpuint(pvgpu_fw_stats(fp->fw)->boots, ==, 1);
	g_assert_cmpuint(fake_platform_error_count(fp), ==, 0);
	/* Nothing more to do: no further kicks or timers. */
	g_assert_cmpuint(fp->kicks_pending, ==, 0);
	g_assert_cmpuint(fp->timer_deadline, ==, FAKE_NO_TIMER);
	fake_platform_free(fp);
}

static void test_custom_config(void)
{
	PvgpuFwConfig cfg;
	FakePlatform *fp;
	FakeDriver d;

	pvgpu_fw_config_default(&cfg);
	cfg.num_engine_classes = 1;
	cfg.engine_class[0] = PVGPU_ENGINE_CLASS_COMPUTE;
	cfg.slots[0] = 8;
	cfg.engine_class[1] = 0;
	cfg.slots[1] = 0;
	cfg.num_priorities = 8;
	cfg.max_queues = 65536;
	cfg.va_bits = 57;
	cfg.page_sizes = 1u << 12;
	cfg.page_faults = false;
	cfg.timeslice_default_us = 5;
	cfg.timeslice_min_us = 5;
	cfg.timeslice_max_us = 5;
	g_assert_null(pvgpu_fw_config_check(&cfg));
	fp = fake_platform_new(&cfg);
	fake_driver_init(&d, fp);
	d.caps_size = sizeof(struct pvgpu_fw_caps);	/* exactly enough */
	g_assert_cmpuint(fake_driver_boot(&d), ==, PVGPU_FW_STATE_RUNNING);
	check_caps(fp, d.caps_base, &cfg);
	fake_platform_free(fp);
}

/* A boot that must fail: how to break the setup, and the expected code. */
typedef struct BootErrorCase {
	const char *name;
	uint32_t err;
	void (*setup)(FakeDriver *d);	/* after the defaults, before desc */
	void (*patch)(FakeDriver *d);	/* after the descriptor is written */
	uint64_t boot_at;	/* if non-zero: FW_BOOT_DESC points here */
	const char *why;	/* expected in the guest error message */
} BootErrorCase;


/* Only the last dword of the H2F ring buffer is not accessible. */
static void h2f_last_dword_in_hole(FakeDriver *d)
{
	d->fp->fail_start = d->h2f_base + d->h2f_size - 4;
	d->fp->fail_end = d->h2f_base + d->h2f_size;
}

/* Only the descriptor's last dword is not accessible. */
static void desc_partly_in_hole(FakeDriver *d)
{
	d->fp->fail_start = d->boot_desc + sizeof(struct pvgpu_boot_desc) - 4;
	d->fp->fail_end = d->boot_desc + 0x1000;
}

static void desc_wr32(FakeDriver *d, size_t off, uint32_t v)
{
	fake_ram_wr32(d->fp, d->boot_desc + off, v);
}

static void bad_magic(FakeDriver *d)
{
	desc_wr32(d, offsetof(struct pvgpu_boot_desc, magic), 0x544f4f43);
}

static void bad_major(FakeDriver *d)
{
	desc_wr32(d, offsetof(struct pvgpu_boot_desc, iface_version),
		  PVGPU_IFACE_VERSION(PVGPU_IFACE_MAJOR + 1, 0));
}

static void old_major(FakeDriver *d)
{
	desc_wr32(d, offsetof(struct pvgpu_boot_desc, iface_version),
		  PVGPU_IFACE_VERSION(0, 9));
}

static void flags_set(FakeDriver *d)
{
	desc_wr32(d, offsetof(struct pvgpu_boot_desc, flags), 1);
}

static void reserved_set(FakeDriver *d)
{
	desc_wr32(d, offsetof(struct pvgpu_boot_desc, reserved) + 12 * 4,
		  0x80000000);
}

static void h2f_small(FakeDriver *d) { d->h2f_size = 0x800; }
static void h2f_not_pow2(FakeDriver *d) { d->h2f_size = 0x3000; }
static void f2h_too_big(FakeDriver *d) { d->f2h_size = 0x200000; }
static void f2h_zero(FakeDriver *d) { d->f2h_size = 0; }
static void h2f_base_misaligned(FakeDriver *d) { d->h2f_base += 0x100; }
static void h2f_desc_misaligned(FakeDriver *d) { d->h2f_desc += 0x40; }
static void f2h_desc_outside(FakeDriver *d) { d->f2h_desc = FAKE_RAM_SIZE; }
static void f2h_base_partly_outside(FakeDriver *d)
{
	/* Starts inside RAM, ends outside: the whole range must be there. */
	d->f2h_base = FAKE_RAM_SIZE - 0x1000;
	d->f2h_size = 0x2000;
}
static void rings_share_buffer(FakeDriver *d) { d->f2h_base = d->h2f_base; }
static void rings_partly_overlap(FakeDriver *d)
{
	d->h2f_size = 0x4000;
	d->f2h_base = d->h2f_base + 0x3000;
}
static void desc_in_ring(FakeDriver *d) { d->f2h_desc = d->h2f_base + 0x1000;
					  d->h2f_size = 0x2000; }
static void ring_wraps_address_space(FakeDriver *d)
{
	d->h2f_base = 0xfffffffffffff000ull;
	d->h2f_size = 0x2000;
}

static void h2f_not_empty(FakeDriver *d)
{
	fake_ram_wr32(d->fp, d->h2f_desc + offsetof(struct pvgpu_ring_desc,
						     tail), 16);
}

static void f2h_head_out_of_range(FakeDriver *d)
{
	fake_ram_wr32(d->fp, d->f2h_desc + offsetof(struct pvgpu_ring_desc,
						     head), 0x1000);
	fake_ram_wr32(d->fp, d->f2h_desc + offsetof(struct pvgpu_ring_desc,
						     tail), 0x1000);
}

static void h2f_ptrs_misaligned(FakeDriver *d)
{
	fake_ram_wr32(d->fp, d->h2f_desc + offsetof(struct pvgpu_ring_desc,
						     head), 2);
	fake_ram_wr32(d->fp, d->h2f_desc + offsetof(struct pvgpu_ring_desc,
						     tail), 2);
}

static void log_small(FakeDriver *d) { d->log_size = 0x800; }
static void log_not_pow2(FakeDriver *d) { d->log_size = 0x1800; }
static void log_too_big(FakeDriver *d) { d->log_size = 0x200000; }
static void log_misaligned(FakeDriver *d) { d->log_base += 8; }
static void log_outside(FakeDriver *d) { d->log_base = FAKE_RAM_SIZE; }
static void log_overlaps_ring(FakeDriver *d) { d->log_base = d->f2h_base; }
static void log_overlaps_desc(FakeDriver *d) { d->log_base = d->h2f_desc; }

static void caps_small(FakeDriver *d)
{
	d->caps_size = sizeof(struct pvgpu_fw_caps) - 4;
}
static void caps_misaligned(FakeDriver *d) { d->caps_base += 0x80; }
static void caps_outside(FakeDriver *d) { d->caps_base = FAKE_RAM_SIZE; }
static void caps_overlaps_log(FakeDriver *d) { d->caps_base = d->log_base; }
static void caps_overlaps_desc(FakeDriver *d) { d->caps_base = d->f2h_desc; }

static const BootErrorCase boot_errors[] = {
	{ "desc-misaligned", PVGPU_FW_ERR_DESC_ALIGN, NULL, NULL, 0x10040,
	  "not 4 KiB aligned" },
	{ "desc-misaligned-high", PVGPU_FW_ERR_DESC_ALIGN, NULL, NULL,
	  (1ull << 40) + 0x800,
	  "boot descriptor at 0x10000000800" },
	{ "desc-outside-ram", PVGPU_FW_ERR_DESC_DMA, NULL, NULL,
	  FAKE_RAM_SIZE,
	  "not readable" },
	{ "desc-partly-in-hole", PVGPU_FW_ERR_DESC_DMA, desc_partly_in_hole,
	  NULL, 0,
	  "not readable" },
	{ "desc-high", PVGPU_FW_ERR_DESC_DMA, NULL, NULL, 1ull << 40,
	  "not readable" },
	{ "bad-magic", PVGPU_FW_ERR_BAD_MAGIC, NULL, bad_magic, 0,
	  "magic 0x544f4f43" },
	{ "bad-major", PVGPU_FW_ERR_BAD_VERSION, NULL, bad_major, 0,
	  "interface 2.0" },
	{ "old-major", PVGPU_FW_ERR_BAD_VERSION, NULL, old_major, 0,
	  "interface 0.9" },
	{ "flags", PVGPU_FW_ERR_BAD_VERSION, NULL, flags_set, 0,
	  "flags 0x00000001" },
	{ "reserved", PVGPU_FW_ERR_BAD_VERSION, NULL, reserved_set, 0,
	  "reserved[12]" },
	{ "h2f-small", PVGPU_FW_ERR_BAD_RING, h2f_small, NULL, 0,
	  "H2F ring buffer size 0x800" },
	{ "h2f-not-pow2", PVGPU_FW_ERR_BAD_RING, h2f_not_pow2, NULL, 0,
	  "H2F ring buffer size 0x3000" },
	{ "f2h-too-big", PVGPU_FW_ERR_BAD_RING, f2h_too_big, NULL, 0,
	  "F2H ring buffer size 0x200000" },
	{ "f2h-zero", PVGPU_FW_ERR_BAD_RING, f2h_zero, NULL, 0,
	  "F2H ring buffer size 0x0" },
	{ "h2f-base-misaligned", PVGPU_FW_ERR_BAD_RING, h2f_base_misaligned,
	  NULL, 0,
	  "H2F ring buffer at 0x20100 is not 4 KiB aligned" },
	{ "h2f-desc-misaligned", PVGPU_FW_ERR_BAD_RING, h2f_desc_misaligned,
	  NULL, 0,
	  "H2F ring descriptor at 0x11040 is not 4 KiB" },
	{ "f2h-desc-outside", PVGPU_FW_ERR_BAD_RING, f2h_desc_outside, NULL, 0,
	  "F2H ring descriptor at 0x1000000 (0x40 bytes) is not accessible" },
	{ "f2h-base-partly-outside", PVGPU_FW_ERR_BAD_RING,
	  f2h_base_partly_outside, NULL, 0,
	  "F2H ring buffer at 0xfff000 (0x2000 bytes) is not accessible" },
	{ "h2f-last-dword-in-hole", PVGPU_FW_ERR_BAD_RING,
	  h2f_last_dword_in_hole, NULL, 0,
	  "H2F ring buffer at 0x20000 (0x1000 bytes) is not accessible" },
	{ "rings-share-buffer", PVGPU_FW_ERR_BAD_RING, rings_share_buffer,
	  NULL, 0,
	  "F2H ring buffer at 0x20000 overlaps the H2F ring buffer" },
	{ "rings-partly-overlap", PVGPU_FW_ERR_BAD_RING, rings_partly_overlap,
	  NULL, 0,
	  "F2H ring buffer at 0x23000 overlaps the H2F ring buffer" },
	{ "desc-in-ring", PVGPU_FW_ERR_BAD_RING, desc_in_ring, NULL, 0,
	  "F2H ring descriptor at 0x21000 overlaps the H2F ring buffer" },
	{ "ring-wraps", PVGPU_FW_ERR_BAD_RING, ring_wraps_address_space,
	  NULL, 0,
	  "wraps the address space" },
	{ "h2f-not-empty", PVGPU_FW_ERR_BAD_RING, NULL, h2f_not_empty, 0,
	  "H2F ring not empty at boot (head 0x0, tail 0x10)" },
	{ "f2h-head-out-of-range", PVGPU_FW_ERR_BAD_RING, NULL,
	  f2h_head_out_of_range, 0,
	  "F2H ring head 0x1000 / tail 0x1000 invalid" },
	{ "h2f-ptrs-misaligned", PVGPU_FW_ERR_BAD_RING, NULL,
	  h2f_ptrs_misaligned, 0,
	  "H2F ring head 0x2 / tail 0x2 invalid" },
	{ "log-small", PVGPU_FW_ERR_BAD_LOG, log_small, NULL, 0,
	  "log buffer size 0x800" },
	{ "log-not-pow2", PVGPU_FW_ERR_BAD_LOG, log_not_pow2, NULL, 0,
	  "log buffer size 0x1800" },
	{ "log-too-big", PVGPU_FW_ERR_BAD_LOG, log_too_big, NULL, 0,
	  "log buffer size 0x200000" },
	{ "log-misaligned", PVGPU_FW_ERR_BAD_LOG, log_misaligned, NULL, 0,
	  "log buffer at 0x60008 is not 4 KiB aligned" },
	{ "log-outside", PVGPU_FW_ERR_BAD_LOG, log_outside, NULL, 0,
	  "log buffer at 0x1000000 (0x1000 bytes) is not accessible" },
	{ "log-overlaps-ring", PVGPU_FW_ERR_BAD_LOG, log_overlaps_ring, NULL, 0,
	  "log buffer at 0x40000 overlaps the F2H ring buffer" },
	{ "log-overlaps-desc", PVGPU_FW_ERR_BAD_LOG, log_overlaps_desc, NULL, 0,
	  "log buffer at 0x11000 overlaps the H2F ring descriptor" },
	{ "caps-small", PVGPU_FW_ERR_BAD_CAPS, caps_small, NULL, 0,
	  "caps buffer size 0xbc" },
	{ "caps-misaligned", PVGPU_FW_ERR_BAD_CAPS, caps_misaligned, NULL, 0,
	  "caps buffer at 0x13080 is not 4 KiB aligned" },
	{ "caps-outside", PVGPU_FW_ERR_BAD_CAPS, caps_outside, NULL, 0,
	  "caps buffer at 0x1000000 (0xc0 bytes) is not accessible" },
	{ "caps-overlaps-log", PVGPU_FW_ERR_BAD_CAPS, caps_overlaps_log,
	  NULL, 0,
	  "caps buffer at 0x60000 overlaps the log buffer" },
	{ "caps-overlaps-desc", PVGPU_FW_ERR_BAD_CAPS, caps_overlaps_desc,
	  NULL, 0,
	  "caps buffer at 0x12000 overlaps the F2H ring descriptor" },
};

static void test_boot_error(gconstpointer data)
{
	const BootErrorCase *c = data;
	FakePlatform *fp = fake_platform_new(NULL);
	FakeDriver d;

	fake_driver_init(&d, fp);
	if (c->setup)
		c->setup(&d);
	/* A valid descriptor in RAM, even when the address points elsewhere. */
	fake_driver_write_boot_desc(&d);
	if (c->patch)
		c->patch(&d);
	if (c->boot_at)
		d.boot_desc = c->boot_at;
	fake_driver_start_boot(&d);
	fake_platform_run(fp);

	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_ERROR);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_ERROR), ==, c->err);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==,
			PVGPU_IRQ_FW_STATE);
	g_assert_cmpuint(fp->irqs, ==, 1);
	g_assert_cmpuint(fake_platform_error_count(fp), ==, 1);
	g_assert_true(fake_platform_has_error(fp, "boot refused"));
	g_assert_true(fake_platform_has_error(fp, c->why));
	/* A refused boot writes nothing: no caps, no log. */
	g_assert_true(ram_is_zero(fp, 0x13000, sizeof(struct pvgpu_fw_caps)));
	g_assert_true(ram_is_zero(fp, 0x60000, 0x1000));
	g_assert_cmpuint(pvgpu_fw_stats(fp->fw)->boots, ==, 0);
	/* A doorbell now does nothing. */
	fake_driver_doorbell(&d);
	g_assert_cmpuint(fake_platform_run(fp), ==, 0);

	/* ERROR accepts a new BOOT: fix the setup and try again. */
	fake_reg_write(fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_ALL);
	memset(fp->ram, 0, FAKE_RAM_SIZE);
	fp->fail_start = fp->fail_end = 0;
	fake_driver_init(&d, fp);
	g_assert_cmpuint(fake_driver_boot(&d), ==, PVGPU_FW_STATE_RUNNING);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_ERROR), ==,
			 PVGPU_FW_ERR_NONE);
	g_assert_cmpuint(fp->irqs, ==, 2);
	fake_platform_free(fp);
}

static void test_boot_wrong_state(void)
{
	FakePlatform *fp = fake_platform_new(NULL);
	FakeDriver d;

	fake_driver_init(&d, fp);
	fake_driver_write_boot_desc(&d);
	fake_driver_start_boot(&d);
	/* BOOT while BOOTING. */
	fake_reg_write(fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_BOOT);
	g_assert_true(fake_platform_has_error(fp, "already booting"));
	/* The address must hold still while booting. */
	fake_reg_write(fp, PVGPU_REG_FW_BOOT_DESC_LO, 0x777000);
	g_assert_true(fake_platform_has_error(fp, "while the firmware is "
					      "booting"));
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_FW_BOOT_DESC_LO), ==,
			d.boot_desc);
	g_assert_cmpuint(fake_platform_run(fp), ==, 1);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_RUNNING);

	/* BOOT while RUNNING: ignored. */
	fake_platform_clear_errors(fp);
	fake_reg_write(fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_BOOT);
	g_assert_true(fake_platform_has_error(fp, "while running"));
	g_assert_cmpuint(fake_platform_run(fp), ==, 0);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_RUNNING);
	g_assert_cmpuint(pvgpu_fw_stats(fp->fw)->boots, ==, 1);
	fake_platform_free(fp);
}

static void test_fw_reset(void)
{
	FakePlatform *fp = fake_platform_new(NULL);
	uint32_t seqno, off_before;
	uint8_t *snapshot;
	FakeDriver d;
	char *log;

	fake_driver_init(&d, fp);
	g_assert_cmpuint(fake_driver_boot(&d), ==, PVGPU_FW_STATE_RUNNING);
	g_assert_true(fake_driver_ping(&d, 1, &seqno));
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==,
			PVGPU_IRQ_F2H | PVGPU_IRQ_FW_STATE);
	fake_reg_write(fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_FW_STATE);

	/* Queue a request, then reset before the firmware serves it. */
	g_assert_true(fake_driver_send(&d, PVGPU_H2F_PING, "0123456789abcdef",
				       4, &seqno));
	fake_driver_doorbell(&d);
	off_before = fake_ram_rd32(fp, d.log_base);
	fake_reg_write(fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	/* Immediate: OFF, FW_STATE raised, the rings' F2H cause dropped. */
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_OFF);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==,
			PVGPU_IRQ_FW_STATE);
	log = fake_driver_log_text(&d);
	g_assert_nonnull(strstr(log, "reset requested by the driver"));
	g_free(log);
	g_assert_cmpuint(fake_ram_rd32(fp, d.log_base), >, off_before);

	/* After the reset the firmware never touches guest memory. */
	snapshot = g_memdup2(fp->ram, FAKE_RAM_SIZE);
	fake_platform_run(fp);
	fake_driver_doorbell(&d);
	fake_platform_run(fp);
	fake_platform_advance(fp, 1000000);
	g_assert_true(memcmp(snapshot, fp->ram, FAKE_RAM_SIZE) == 0);
	g_free(snapshot);

	/* And boots again, with fresh rings and a fresh log. */
	fake_driver_init(&d, fp);
	d.h2f_base = 0x80000;	/* somewhere else this time */
	g_assert_cmpuint(fake_driver_boot(&d), ==, PVGPU_FW_STATE_RUNNING);
	g_assert_true(fake_driver_ping(&d, 2, &seqno));
	fake_driver_expect_response(&d, PVGPU_H2F_PING, seqno,
				    PVGPU_STATUS_OK, NULL);
	g_assert_cmpuint(pvgpu_fw_stats(fp->fw)->boots, ==, 2);

	/* RESET and BOOT in one write: reset, then boot. */
	fake_driver_write_boot_desc(&d);
	fake_reg_write(fp, PVGPU_REG_FW_CTRL,
		       PVGPU_FW_CTRL_RESET | PVGPU_FW_CTRL_BOOT);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_BOOTING);
	fake_platform_run(fp);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_RUNNING);
	g_assert_cmpuint(pvgpu_fw_stats(fp->fw)->boots, ==, 3);

	/* RESET during BOOTING cancels the boot. */
	fake_reg_write(fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	fake_driver_write_boot_desc(&d);
	fake_driver_start_boot(&d);
	fake_reg_write(fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	fake_platform_run(fp);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_OFF);
	g_assert_cmpuint(pvgpu_fw_stats(fp->fw)->boots, ==, 3);
	g_assert_cmpuint(fake_platform_error_count(fp), ==, 0);
	fake_platform_free(fp);
}

static void test_device_reset(void)
{
	FakePlatform *fp = fake_platform_new(NULL);
	PvgpuFwState *st = pvgpu_fw_state(fp->fw);
	FakeDriver d;

	fake_driver_init(&d, fp);
	g_assert_cmpuint(fake_driver_boot(&d), ==, PVGPU_FW_STATE_RUNNING);
	fake_reg_write(fp, PVGPU_REG_SCRATCH, 0x1234);
	fake_driver_ping(&d, 3, NULL);
	pvgpu_fw_reset(fp->fw);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_OFF);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==, 0);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_IRQ_MASK), ==, 0);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_SCRATCH), ==, 0);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_BOOT_DESC_LO), ==, 0);
	g_assert_cmpuint(st->h2f_base, ==, 0);
	g_assert_cmpuint(st->log_level, ==, PVGPU_LOG_LEVEL_INFO);
	g_assert_cmpuint(fake_driver_boot(&d), ==, PVGPU_FW_STATE_RUNNING);
	fake_platform_free(fp);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/boot/success", test_success);
	g_test_add_func("/boot/custom-config", test_custom_config);
	for (size_t i = 0; i < G_N_ELEMENTS(boot_errors); i++) {
		char *path = g_strdup_printf("/boot/error/%s",
					     boot_errors[i].name);

		g_test_add_data_func(path, &boot_errors[i], test_boot_error);
		g_free(path);
	}
	g_test_add_func("/boot/wrong-state", test_boot_wrong_state);
	g_test_add_func("/boot/fw-reset", test_fw_reset);
	g_test_add_func("/boot/device-reset", test_device_reset);
	return g_test_run();
}
