/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * BAR0 register block: identity, read-only and unknown registers, access
 * sizes, scratch, timestamp latch, interrupt mask/ack/raise, doorbells.
 */
#include <string.h>

#include "fake_driver.h"

static void test_identity(void)
{
	FakePlatform *fp = fake_platform_new(NULL);
	PvgpuFwConfig cfg;

	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_ID), ==, PVGPU_ID_MAGIC);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_VERSION), ==,
			PVGPU_IFACE_VERSION(PVGPU_IFACE_MAJOR,
					    PVGPU_IFACE_MINOR));
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_HWCAPS), ==,
			PVGPU_HWCAP_MSIX | PVGPU_HWCAP_PAGE_FAULTS);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_DOORBELL_COUNT), ==, 64);
	/* Reset values. */
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==, 0);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_IRQ_MASK), ==, 0);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_CTRL), ==, 0);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_OFF);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_ERROR), ==,
			 PVGPU_FW_ERR_NONE);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_BOOT_DESC_LO), ==, 0);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_BOOT_DESC_HI), ==, 0);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_SCRATCH), ==, 0);
	g_assert_cmpuint(fake_platform_error_count(fp), ==, 0);
	g_assert_cmpuint(fp->irqs, ==, 0);
	fake_platform_free(fp);

	/* The capability registers follow the configuration. */
	pvgpu_fw_config_default(&cfg);
	cfg.page_faults = false;
	cfg.num_doorbells = 256;
	fp = fake_platform_new(&cfg);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_HWCAPS), ==,
			PVGPU_HWCAP_MSIX);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_DOORBELL_COUNT), ==, 256);
	fake_platform_free(fp);
}

static void test_read_only(void)
{
	static const struct {
		uint64_t offset;
		const char *name;
	} ro[] = {
		{ PVGPU_REG_ID, "ID" },
		{ PVGPU_REG_VERSION, "VERSION" },
		{ PVGPU_REG_HWCAPS, "HWCAPS" },
		{ PVGPU_REG_DOORBELL_COUNT, "DOORBELL_COUNT" },
		{ PVGPU_REG_IRQ_STATUS, "IRQ_STATUS" },
		{ PVGPU_REG_FW_STATUS, "FW_STATUS" },
		{ PVGPU_REG_FW_ERROR, "FW_ERROR" },
		{ PVGPU_REG_TIMESTAMP_LO, "TIMESTAMP_LO" },
		{ PVGPU_REG_TIMESTAMP_HI, "TIMESTAMP_HI" },
	};
	FakePlatform *fp = fake_platform_new(NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(ro); i++) {
		uint32_t before = fake_reg_read(fp, ro[i].offset);
		char *needle = g_strdup_printf("read-only register %s",
					       ro[i].name);

		fake_platform_clear_errors(fp);
		fake_reg_write(fp, ro[i].offset, 0xdeadbeef);
		g_assert_cmpuint(fake_platform_error_count(fp), ==, 1);
		g_assert_true(fake_platform_has_error(fp, needle));
		if (ro[i].offset != PVGPU_REG_TIMESTAMP_LO)
			g_assert_cmphex(fake_reg_read(fp, ro[i].offset), ==,
					before);
		g_free(needle);
	}
	/* Writing 1s to IRQ_STATUS must not acknowledge anything. */
	fake_reg_write(fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==,
			PVGPU_IRQ_FW_STATE);
	fake_reg_write(fp, PVGPU_REG_IRQ_STATUS, PVGPU_IRQ_ALL);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==,
			PVGPU_IRQ_FW_STATE);
	fake_platform_free(fp);
}

static void test_unknown(void)
{
	static const uint64_t offsets[] = { 0x048, 0x100, 0xffc, 0x1000,
					    0x2000, 0x3ffc };
	FakePlatform *fp = fake_platform_new(NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(offsets); i++) {
		fake_platform_clear_errors(fp);
		g_assert_cmpuint(fake_reg_read(fp, offsets[i]), ==, 0);
		g_assert_true(fake_platform_has_error(fp, "unknown register"));
		fake_platform_clear_errors(fp);
		fake_reg_write(fp, offsets[i], 0x12345678);
		g_assert_true(fake_platform_has_error(fp, "unknown register"));
		g_assert_cmpuint(fake_reg_read(fp, offsets[i]), ==, 0);
	}
	/* IRQ_ACK is write-only. */
	fake_platform_clear_errors(fp);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_IRQ_ACK), ==, 0);
	g_assert_true(fake_platform_has_error(fp, "write-only register"));
	/* So is SELFTEST_IRQ; reading it raises nothing. */
	fake_platform_clear_errors(fp);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_SELFTEST_IRQ), ==, 0);
	g_assert_true(fake_platform_has_error(fp,
					      "write-only register SELFTEST_IRQ"));
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==, 0);
	g_assert_cmpuint(fp->irqs, ==, 0);
	fake_platform_free(fp);
}

static void test_bad_access(void)
{
	static const struct {
		uint64_t offset;
		unsigned int size;
	} bad[] = {
		{ PVGPU_REG_SCRATCH, 1 },
		{ PVGPU_REG_SCRATCH, 2 },
		{ PVGPU_REG_SCRATCH, 8 },
		{ PVGPU_REG_SCRATCH + 1, 4 },
		{ PVGPU_REG_SCRATCH + 2, 2 },
		{ PVGPU_REG_SCRATCH, 0 },
	};
	FakePlatform *fp = fake_platform_new(NULL);

	fake_reg_write(fp, PVGPU_REG_SCRATCH, 0x11223344);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		fake_platform_clear_errors(fp);
		g_assert_cmpuint(pvgpu_fw_reg_read(fp->fw, bad[i].offset,
						   bad[i].size), ==, 0);
		g_assert_cmpuint(fake_platform_error_count(fp), ==, 1);
		g_assert_true(fake_platform_has_error(fp, "aligned 32-bit"));
		pvgpu_fw_reg_write(fp->fw, bad[i].offset, 0xffffffff,
				   bad[i].size);
		g_assert_cmpuint(fake_platform_error_count(fp), ==, 2);
		g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_SCRATCH), ==,
				0x11223344);
	}
	/* A sub-word read of ID does not leak the magic either. */
	g_assert_cmpuint(pvgpu_fw_reg_read(fp->fw, PVGPU_REG_ID, 2), ==, 0);
	/* A bad-sized FW_CTRL write must not boot or reset anything. */
	pvgpu_fw_reg_write(fp->fw, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET, 2);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==, 0);
	fake_platform_free(fp);
}

static void test_scratch(void)
{
	static const uint32_t patterns[] = { 0, 0xffffffff, 0xa5a5a5a5,
					     0x5a5a5a5a, 0x00000001,
					     0x80000000 };
	FakePlatform *fp = fake_platform_new(NULL);

	for (size_t i = 0; i < G_N_ELEMENTS(patterns); i++) {
		fake_reg_write(fp, PVGPU_REG_SCRATCH, patterns[i]);
		g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_SCRATCH), ==,
				patterns[i]);
	}
	/* No side effects anywhere. */
	g_assert_cmpuint(fp->irqs, ==, 0);
	g_assert_cmpuint(fp->kicks_total, ==, 0);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==, 0);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_OFF);
	g_assert_cmpuint(fake_platform_error_count(fp), ==, 0);
	fake_platform_free(fp);
}

static void test_timestamp(void)
{
	FakePlatform *fp = fake_platform_new(NULL);

	fp->now_ns = 0x00000003fffffff0ull;
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_TIMESTAMP_LO), ==,
			0xfffffff0);
	/* The clock crosses a 2^32 boundary between the two reads. */
	fp->now_ns = 0x0000000400000010ull;
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_TIMESTAMP_HI), ==, 3);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_TIMESTAMP_HI), ==, 3);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_TIMESTAMP_LO), ==, 0x10);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_TIMESTAMP_HI), ==, 4);

	fp->now_ns = 0x123456789abcdef0ull;
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_TIMESTAMP_LO), ==,
			0x9abcdef0);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_TIMESTAMP_HI), ==,
			0x12345678);
	g_assert_cmpuint(fake_platform_error_count(fp), ==, 0);
	fake_platform_free(fp);
}

static void test_irq(void)
{
	FakePlatform *fp = fake_platform_new(NULL);

	/* Masked cause: pending, no interrupt. */
	fake_reg_write(fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==,
			PVGPU_IRQ_FW_STATE);
	g_assert_cmpuint(fp->irqs, ==, 0);

	/* Enabling another cause does not signal the pending one. */
	fake_reg_write(fp, PVGPU_REG_IRQ_MASK, PVGPU_IRQ_F2H);
	g_assert_cmpuint(fp->irqs, ==, 0);

	/* Unmasking the pending cause signals it at once. */
	fake_reg_write(fp, PVGPU_REG_IRQ_MASK, PVGPU_IRQ_ALL);
	g_assert_cmpuint(fp->irqs, ==, 1);
	g_assert_cmpuint(fp->bad_vectors, ==, 0);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_MASK), ==,
			PVGPU_IRQ_ALL);

	/* Re-writing the same mask signals nothing new. */
	fake_reg_write(fp, PVGPU_REG_IRQ_MASK, PVGPU_IRQ_ALL);
	g_assert_cmpuint(fp->irqs, ==, 1);

	/* Still pending and enabled: a new occurrence raises nothing. */
	fake_reg_write(fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	g_assert_cmpuint(fp->irqs, ==, 1);

	/* Acknowledging an unrelated cause leaves it pending. */
	fake_reg_write(fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_F2H);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==,
			PVGPU_IRQ_FW_STATE);

	/* After the acknowledgement, the next occurrence signals again. */
	fake_reg_write(fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_FW_STATE);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==, 0);
	g_assert_cmpuint(fp->irqs, ==, 1);
	fake_reg_write(fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	g_assert_cmpuint(fp->irqs, ==, 2);

	/* Unknown bits: reported, known ones applied. */
	fake_platform_clear_errors(fp);
	fake_reg_write(fp, PVGPU_REG_IRQ_MASK, 0xffffffff);
	g_assert_true(fake_platform_has_error(fp, "IRQ_MASK"));
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_MASK), ==,
			PVGPU_IRQ_ALL);
	fake_platform_clear_errors(fp);
	fake_reg_write(fp, PVGPU_REG_IRQ_ACK, 0xffffffff);
	g_assert_true(fake_platform_has_error(fp, "IRQ_ACK"));
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==, 0);

	/* Masking everything stops delivery; the cause stays visible. */
	fake_reg_write(fp, PVGPU_REG_IRQ_MASK, 0);
	fake_reg_write(fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	g_assert_cmpuint(fp->irqs, ==, 2);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==,
			PVGPU_IRQ_FW_STATE);
	g_assert_cmpuint(pvgpu_fw_stats(fp->fw)->irqs_raised, ==, 2);
	fake_platform_free(fp);
}

/* One SELFTEST_IRQ write: nothing but the cause bit and the vector. */
static void selftest_write_check(FakePlatform *fp, unsigned int irqs_expected)
{
	unsigned int kicks = fp->kicks_total, runs = fp->runs;
	unsigned int dma_r = fp->dma_reads, dma_w = fp->dma_writes;
	uint32_t fw_status = fake_reg_read(fp, PVGPU_REG_FW_STATUS);

	fake_reg_write(fp, PVGPU_REG_SELFTEST_IRQ, 0x5e1f7e57);
	/* Raised inside the write: nothing deferred, no run served. */
	g_assert_cmpuint(fp->irqs, ==, irqs_expected);
	g_assert_cmpuint(fp->bad_vectors, ==, 0);
	g_assert_cmpuint(fp->kicks_total, ==, kicks);
	g_assert_cmpuint(fp->runs, ==, runs);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS) &
			PVGPU_IRQ_SELFTEST, ==, PVGPU_IRQ_SELFTEST);
	/* Harmless: no DMA, no firmware state change, no timer. */
	fake_platform_run(fp);
	g_assert_cmpuint(fp->dma_reads, ==, dma_r);
	g_assert_cmpuint(fp->dma_writes, ==, dma_w);
	g_assert_cmpuint(fp->dma_failures, ==, 0);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==, fw_status);
	g_assert_cmpuint(fake_platform_error_count(fp), ==, 0);
}

static void test_selftest_irq(void)
{
	FakePlatform *fp = fake_platform_new(NULL);
	const PvgpuFwStats *stats = pvgpu_fw_stats(fp->fw);
	FakeDriver d;

	/* Masked (reset value): pending, not raised. */
	selftest_write_check(fp, 0);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==,
			PVGPU_IRQ_SELFTEST);
	g_assert_cmpuint(stats->selftest_irqs, ==, 1);
	g_assert_cmpuint(stats->irqs_raised, ==, 0);

	/* Unmasking the pending cause signals it, as for any cause. */
	fake_reg_write(fp, PVGPU_REG_IRQ_MASK, PVGPU_IRQ_ALL);
	g_assert_cmpuint(fp->irqs, ==, 1);

	/* Still pending and enabled: a new write raises nothing new. */
	selftest_write_check(fp, 1);

	/* The acknowledgement clears it; the next write raises again. */
	fake_reg_write(fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_SELFTEST);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==, 0);
	selftest_write_check(fp, 2);
	fake_reg_write(fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_SELFTEST);
	g_assert_cmpuint(stats->selftest_irqs, ==, 3);
	g_assert_cmpuint(stats->irqs_raised, ==, 2);

	/* Masked again: pending only. */
	fake_reg_write(fp, PVGPU_REG_IRQ_MASK, PVGPU_IRQ_ALL &
		       ~PVGPU_IRQ_SELFTEST);
	selftest_write_check(fp, 2);
	fake_reg_write(fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_SELFTEST);
	fake_reg_write(fp, PVGPU_REG_IRQ_MASK, PVGPU_IRQ_ALL);

	/*
	 * Firmware fault injection does not apply: the self-test measures
	 * the platform, not the firmware.
	 */
	g_assert_cmpint(pvgpu_fw_inject(fp->fw, PVGPU_FW_INJECT_LOSE_IRQS, 5),
			==, 0);
	selftest_write_check(fp, 3);
	fake_reg_write(fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_SELFTEST);
	g_assert_cmpint(pvgpu_fw_inject(fp->fw, PVGPU_FW_INJECT_LOSE_IRQS, 0),
			==, 0);
	g_assert_cmpint(pvgpu_fw_inject(fp->fw, PVGPU_FW_INJECT_DELAY_IRQS,
					1000000), ==, 0);
	selftest_write_check(fp, 4);
	fake_reg_write(fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_SELFTEST);
	g_assert_cmpuint(stats->irqs_lost, ==, 0);
	g_assert_cmpuint(stats->irqs_delayed, ==, 0);
	g_assert_cmpint(pvgpu_fw_inject(fp->fw, PVGPU_FW_INJECT_DELAY_IRQS, 0),
			==, 0);

	/* RUNNING: the rings stay as they were, nothing is read or written. */
	fake_driver_init(&d, fp);
	g_assert_cmpuint(fake_driver_boot(&d), ==, PVGPU_FW_STATE_RUNNING);
	fake_reg_write(fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_ALL);
	selftest_write_check(fp, fp->irqs + 1);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==,
			PVGPU_IRQ_SELFTEST);
	g_assert_cmpuint(fake_driver_f2h_used(&d), ==, 0);
	fake_reg_write(fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_SELFTEST);

	/* HALTED: still works. */
	pvgpu_fw_inject_crash(fp->fw);
	fake_platform_run(fp);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_HALTED);
	fake_reg_write(fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_ALL);
	selftest_write_check(fp, fp->irqs + 1);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==,
			PVGPU_IRQ_SELFTEST);
	fake_platform_free(fp);
}

static void test_fw_ctrl(void)
{
	FakePlatform *fp = fake_platform_new(NULL);

	fake_reg_write(fp, PVGPU_REG_FW_CTRL, 0x4 | PVGPU_FW_CTRL_BOOT);
	g_assert_true(fake_platform_has_error(fp, "unknown command bits"));
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_OFF);
	g_assert_cmpuint(fp->kicks_total, ==, 0);
	/* Command bits read back as zero. */
	fake_reg_write(fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_CTRL), ==, 0);
	/* Boot descriptor address registers hold what was written. */
	fake_reg_write(fp, PVGPU_REG_FW_BOOT_DESC_LO, 0xabcde000);
	fake_reg_write(fp, PVGPU_REG_FW_BOOT_DESC_HI, 0x12);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_FW_BOOT_DESC_LO), ==,
			0xabcde000);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_FW_BOOT_DESC_HI), ==,
			0x12);
	fake_platform_free(fp);
}

static void test_doorbell_errors(void)
{
	FakePlatform *fp = fake_platform_new(NULL);
	FakeDriver d;

	/* Before boot: traced only, nothing happens. */
	pvgpu_fw_doorbell(fp->fw, 0, PVGPU_DOORBELL_H2F, 1);
	g_assert_cmpuint(fake_platform_error_count(fp), ==, 0);
	g_assert_cmpuint(fp->kicks_total, ==, 0);

	/* Outside BAR2 (64 pages by default), or unaligned: guest errors. */
	pvgpu_fw_doorbell(fp->fw, 64, 0, 1);
	g_assert_true(fake_platform_has_error(fp, "outside the doorbell"));
	fake_platform_clear_errors(fp);
	pvgpu_fw_doorbell(fp->fw, 0, PVGPU_DOORBELL_PAGE_SIZE, 1);
	g_assert_true(fake_platform_has_error(fp, "outside the doorbell"));
	fake_platform_clear_errors(fp);
	pvgpu_fw_doorbell(fp->fw, 3, 2, 1);
	g_assert_true(fake_platform_has_error(fp, "unaligned offset 0x2 of "
					      "group 3"));
	fake_platform_clear_errors(fp);
	pvgpu_fw_doorbell(fp->fw, 0, PVGPU_DOORBELL_H2F + 1, 1);
	g_assert_true(fake_platform_has_error(fp, "unaligned offset 0x1 of "
					      "group 0"));
	fake_platform_clear_errors(fp);
	/* Doorbells no queue owns, user or kernel: ignored, no error. */
	pvgpu_fw_doorbell(fp->fw, 3, 0, 1);
	pvgpu_fw_doorbell(fp->fw, 0, 4, 1);
	pvgpu_fw_doorbell(fp->fw, 63, PVGPU_DOORBELL_PAGE_SIZE - 4, 1);
	g_assert_cmpuint(fake_platform_error_count(fp), ==, 0);
	g_assert_cmpuint(fp->kicks_total, ==, 0);

	fake_driver_init(&d, fp);
	g_assert_cmpuint(fake_driver_boot(&d), ==, PVGPU_FW_STATE_RUNNING);
	fake_platform_clear_errors(fp);
	fp->kicks_total = 0;
	fp->trace = g_string_new(NULL);
	pvgpu_fw_doorbell(fp->fw, 0, 4, 1);
	pvgpu_fw_doorbell(fp->fw, 1, 0, 1);
	g_assert_cmpuint(fake_platform_error_count(fp), ==, 0);
	g_assert_nonnull(strstr(fp->trace->str, "doorbell_unused 1 0\n"));
	g_assert_nonnull(strstr(fp->trace->str, "doorbell_unused 400 0\n"));
	pvgpu_fw_doorbell(fp->fw, 0, 6, 1);
	g_assert_cmpuint(fake_platform_error_count(fp), ==, 1);
	g_assert_cmpuint(fp->kicks_total, ==, 0);
	/* The real one kicks. */
	pvgpu_fw_doorbell(fp->fw, 0, PVGPU_DOORBELL_H2F, 0);
	g_assert_cmpuint(fp->kicks_total, ==, 1);
	g_assert_cmpuint(pvgpu_fw_stats(fp->fw)->doorbells, ==, 12);
	fake_platform_free(fp);
}

/* The doorbell id macros of pvgpu_regs.h. */
static void test_doorbell_ids(void)
{
	g_assert_cmpuint(PVGPU_DOORBELLS_PER_PAGE, ==, 1024);
	g_assert_cmpuint(PVGPU_DOORBELLS_PER_PAGE * PVGPU_DOORBELL_SIZE, ==,
			 PVGPU_DOORBELL_PAGE_SIZE);
	g_assert_cmpuint(PVGPU_DOORBELL_ID_H2F, ==,
			 PVGPU_DOORBELL_ID(PVGPU_DOORBELL_GROUP_KERNEL, 0));
	g_assert_cmpuint(PVGPU_DOORBELL_ID(0, 1), ==, 1);
	g_assert_cmpuint(PVGPU_DOORBELL_ID(1, 0), ==, 1024);
	g_assert_cmpuint(PVGPU_DOORBELL_ID(3, 5), ==, 3077);
	g_assert_cmpuint(PVGPU_DOORBELL_GROUP(3077), ==, 3);
	g_assert_cmpuint(PVGPU_DOORBELL_INDEX(3077), ==, 5);
	g_assert_cmphex(PVGPU_DOORBELL_OFFSET(3077), ==, 0x14);
	g_assert_cmphex(PVGPU_DOORBELL_BAR_OFFSET(3077), ==, 0x3014);
	g_assert_cmphex(PVGPU_DOORBELL_BAR_OFFSET(3077), ==,
			PVGPU_DOORBELL_GROUP(3077) * PVGPU_DOORBELL_PAGE_SIZE +
			PVGPU_DOORBELL_OFFSET(3077));
	g_assert_cmpuint(PVGPU_DOORBELL_GROUP(1024 * 1024 - 1), ==, 1023);
	g_assert_cmpuint(PVGPU_DOORBELL_INDEX(1024 * 1024 - 1), ==, 1023);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/regs/identity", test_identity);
	g_test_add_func("/regs/read-only", test_read_only);
	g_test_add_func("/regs/unknown", test_unknown);
	g_test_add_func("/regs/bad-access", test_bad_access);
	g_test_add_func("/regs/scratch", test_scratch);
	g_test_add_func("/regs/timestamp", test_timestamp);
	g_test_add_func("/regs/irq", test_irq);
	g_test_add_func("/regs/selftest-irq", test_selftest_irq);
	g_test_add_func("/regs/fw-ctrl", test_fw_ctrl);
	g_test_add_func("/regs/doorbell-errors", test_doorbell_errors);
	g_test_add_func("/regs/doorbell-ids", test_doorbell_ids);
	return g_test_run();
}
