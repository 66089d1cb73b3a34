/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "fake_platform.h"

/* A firmware that kicks itself forever is a bug: stop and fail. */
#define FAKE_MAX_RUNS		100000

static const FakeRamSource *ram_source;

static void ram_wrote(uint64_t addr, uint64_t len)
{
	if (ram_source && ram_source->wrote)
		ram_source->wrote(addr, len);
}

static bool dma_ok(FakePlatform *fp, uint64_t addr, size_t len)
{
	if (addr + len < addr || addr + len > fp->ram_size)
		return false;
	if (addr < fp->fail_end && fp->fail_start < addr + len)
		return false;
	return true;
}

static int fake_dma_read(void *opaque, uint64_t addr, void *buf, size_t len)
{
	FakePlatform *fp = opaque;

	if (!dma_ok(fp, addr, len)) {
		fp->dma_failures++;
		return -1;
	}
	memcpy(buf, fp->ram + addr, len);
	fp->dma_reads++;
	return 0;
}

static int fake_dma_write(void *opaque, uint64_t addr, const void *buf,
			  size_t len)
{
	FakePlatform *fp = opaque;

	if (!dma_ok(fp, addr, len)) {
		fp->dma_failures++;
		return -1;
	}
	memcpy(fp->ram + addr, buf, len);
	ram_wrote(addr, len);
	fp->dma_writes++;
	return 0;
}

static void fake_raise_irq(void *opaque, unsigned int vector)
{
	FakePlatform *fp = opaque;

	fp->irqs++;
	if (vector != PVGPU_MSIX_VECTOR_FW)
		fp->bad_vectors++;
}

static uint64_t fake_clock_ns(void *opaque)
{
	FakePlatform *fp = opaque;
	uint64_t now = fp->now_ns;

	fp->now_ns += fp->clock_step_ns;
	return now;
}

static void fake_timer_arm(void *opaque, uint64_t deadline_ns)
{
	FakePlatform *fp = opaque;

	fp->timer_deadline = deadline_ns;
	if (deadline_ns != FAKE_NO_TIMER)
		fp->timer_arms++;
}

static void fake_kick(void *opaque)
{
	FakePlatform *fp = opaque;

	fp->kicks_pending++;
	fp->kicks_total++;
}

static void fake_guest_error(void *opaque, const char *msg)
{
	FakePlatform *fp = opaque;

	g_assert_nonnull(msg);
	g_assert_cmpuint(strlen(msg), >, 0);
	if (fp->echo_errors)
		g_test_message("guest error: %s", msg);
	g_ptr_array_add(fp->errors, g_strdup(msg));
}

static void fake_trace(void *opaque, const char *what, uint64_t a, uint64_t b)
{
	FakePlatform *fp = opaque;

	g_assert_nonnull(what);
	if (fp->trace)
		g_string_append_printf(fp->trace, "%s %" G_GINT64_MODIFIER
				       "x %" G_GINT64_MODIFIER "x\n", what,
				       a, b);
}

static const PvgpuFwPlatform fake_ops = {
	.dma_read = fake_dma_read,
	.dma_write = fake_dma_write,
	.raise_irq = fake_raise_irq,
	.clock_ns = fake_clock_ns,
	.timer_arm = fake_timer_arm,
	.kick = fake_kick,
	.guest_error = fake_guest_error,
	.trace = fake_trace,
};

void fake_platform_set_ram_source(const FakeRamSource *src)
{
	ram_source = src;
}

FakePlatform *fake_platform_new(const PvgpuFwConfig *cfg)
{
	return fake_platform_new_sized(cfg, FAKE_RAM_SIZE);
}

/*
 * PVGPU_TEST_VIRGL_WORKER=<path of pvgpu-virgl-worker>: every fake
 * firmware runs its kernels on the virgl backend, all on one worker for
 * the whole test program (meson test fw-engine-virgl runs fw-engine so):
 * the same tests expect the same bytes from both backends.
 */
static FwVirgl *shared_virgl;
static char *shared_virgl_error;

FwVirgl *fake_platform_virgl(const char **why)
{
	static bool tried;
	const char *path = g_getenv("PVGPU_TEST_VIRGL_WORKER");

	if (!tried && path) {
		tried = true;
		shared_virgl = fw_virgl_new(path, FAKE_VIRGL_TIMEOUT_MS,
					    &shared_virgl_error);
	}
	if (why)
		*why = path ? shared_virgl_error : "PVGPU_TEST_VIRGL_WORKER unset";
	return shared_virgl;
}

FakePlatform *fake_platform_new_sized(const PvgpuFwConfig *cfg,
				      uint64_t ram_size)
{
	FakePlatform *fp = g_new0(FakePlatform, 1);
	PvgpuFwConfig def;

	if (!cfg) {
		pvgpu_fw_config_default(&def);
		cfg = &def;
	}
	fp->ram_size = ram_size;
	fp->ram = ram_source ? ram_source->get(ram_size) : g_malloc0(ram_size);
	fp->errors = g_ptr_array_new_with_free_func(g_free);
	fp->timer_deadline = FAKE_NO_TIMER;
	/* Any clock value works; a large one catches 32-bit truncation. */
	fp->now_ns = 5000000000ull;
	fp->echo_errors = g_test_verbose();
	fp->fw = pvgpu_fw_new(cfg, &fake_ops, fp);
	g_assert_nonnull(fp->fw);
	pvgpu_fw_set_virgl(fp->fw, fake_platform_virgl(NULL));
	return fp;
}

void fake_platform_free(FakePlatform *fp)
{
	pvgpu_fw_free(fp->fw);
	if (fp->trace)
		g_string_free(fp->trace, TRUE);
	g_ptr_array_unref(fp->errors);
	if (ram_source)
		ram_source->put(fp->ram, fp->ram_size);
	else
		g_free(fp->ram);
	g_free(fp);
}

unsigned int fake_platform_run(FakePlatform *fp)
{
	unsigned int runs = 0;

	while (fp->kicks_pending) {
		/* Several kicks before a run collapse into one, like a BH. */
		fp->kicks_pending = 0;
		pvgpu_fw_run(fp->fw);
		runs++;
		fp->runs++;
		g_assert_cmpuint(runs, <, FAKE_MAX_RUNS);
	}
	return runs;
}

void fake_platform_advance(FakePlatform *fp, uint64_t ns)
{
	fp->now_ns += ns;
	if (fp->timer_deadline != FAKE_NO_TIMER &&
	    fp->timer_deadline <= fp->now_ns) {
		fp->timer_deadline = FAKE_NO_TIMER;
		pvgpu_fw_timer_expired(fp->fw);
	}
	fake_platform_run(fp);
}

unsigned int fake_platform_error_count(const FakePlatform *fp)
{
	return fp->errors->len;
}

unsigned int fake_platform_count_errors(const FakePlatform *fp,
					const char *needle)
{
	unsigned int n = 0;

	for (guint i = 0; i < fp->errors->len; i++) {
		if (strstr(g_ptr_array_index(fp->errors, i), needle))
			n++;
	}
	return n;
}

bool fake_platform_has_error(const FakePlatform *fp, const char *needle)
{
	return fake_platform_count_errors(fp, needle) > 0;
}

void fake_platform_clear_errors(FakePlatform *fp)
{
	g_ptr_array_set_size(fp->errors, 0);
}

uint32_t fake_ram_rd32(const FakePlatform *fp, uint64_t addr)
{
	uint32_t v;

	g_assert_cmpuint(addr + 4, <=, fp->ram_size);
	memcpy(&v, fp->ram + addr, 4);
	return GUINT32_FROM_LE(v);
}

void fake_ram_wr32(FakePlatform *fp, uint64_t addr, uint32_t value)
{
	uint32_t v = GUINT32_TO_LE(value);

	g_assert_cmpuint(addr + 4, <=, fp->ram_size);
	memcpy(fp->ram + addr, &v, 4);
	ram_wrote(addr, 4);
}

/* Little-endian: the low word at @addr, the high one after it. */
uint64_t fake_ram_rd64(const FakePlatform *fp, uint64_t addr)
{
	return fake_ram_rd32(fp, addr) |
	       (uint64_t)fake_ram_rd32(fp, addr + 4) << 32;
}

void fake_ram_wr64(FakePlatform *fp, uint64_t addr, uint64_t value)
{
	fake_ram_wr32(fp, addr, (uint32_t)value);
	fake_ram_wr32(fp, addr + 4, (uint32_t)(value >> 32));
}

uint32_t fake_reg_read(FakePlatform *fp, uint64_t offset)
{
	return pvgpu_fw_reg_read(fp->fw, offset, 4);
}

void fake_reg_write(FakePlatform *fp, uint64_t offset, uint32_t value)
{
	pvgpu_fw_reg_write(fp->fw, offset, value, 4);
}
