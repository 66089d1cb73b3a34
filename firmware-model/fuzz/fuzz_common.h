/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared helpers of the libFuzzer targets: an input cursor, a watchdog on
 * the work a single pvgpu_fw_run() / pvgpu_fw_timer_expired() does, and
 * the guest RAM every input's platform reuses.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake_driver.h"

/* One call into the model taking longer than this is a finding. */
#define FZ_CALL_LIMIT_NS	(500ull * 1000 * 1000)
/* Kicks served per "run" action; the firmware must settle in far fewer. */
#define FZ_MAX_RUNS		256

/*
 * Guest RAM: one buffer for all inputs. A fresh allocation per input cost
 * more than running the input (faulting in and clearing pages, ASan
 * mapping and unmapping them), and so did clearing the whole buffer; so
 * each input starts from all-zero RAM by clearing only the pages the last
 * one wrote. The fake platform reports DMA writes and fake_ram_wr32/64();
 * the targets report what they and the helpers write to ram[] directly
 * (fz_wrote()). PVGPU_FUZZ_CHECK_RAM=1 in the environment checks that
 * the whole buffer is zero before every input (a pass over the buffer
 * per input; run it after changing how a target writes RAM).
 */
#define FZ_PAGE_SHIFT		12
/* Bookkeeping, not code under test: no coverage features, no tracing. */
#define FZ_NO_COVERAGE		__attribute__((no_sanitize("coverage")))

static uint8_t *fz_ram;
static uint64_t fz_ram_size;
static uint64_t *fz_dirty;		/* a bit per page */
static bool fz_ram_check;

static inline FZ_NO_COVERAGE void fz_wrote(uint64_t addr, uint64_t len)
{
	uint64_t first, last;

	if (!len || addr >= fz_ram_size)
		return;
	/* Most writes are a few bytes inside one page. */
	if ((addr & ((1u << FZ_PAGE_SHIFT) - 1)) + len <=
	    (1u << FZ_PAGE_SHIFT)) {
		first = addr >> FZ_PAGE_SHIFT;
		fz_dirty[first / 64] |= 1ull << (first % 64);
		return;
	}
	if (len > fz_ram_size - addr)
		len = fz_ram_size - addr;
	first = addr >> FZ_PAGE_SHIFT;
	last = (addr + len - 1) >> FZ_PAGE_SHIFT;
	for (uint64_t p = first; p <= last; p++)
		fz_dirty[p / 64] |= 1ull << (p % 64);
}

static inline FZ_NO_COVERAGE uint8_t *fz_ram_get(uint64_t size)
{
	uint64_t words = ((size >> FZ_PAGE_SHIFT) + 64) / 64;

	if (size != fz_ram_size) {
		g_free(fz_ram);
		g_free(fz_dirty);
		fz_ram = g_malloc0(size);
		fz_dirty = g_new0(uint64_t, words);
		fz_ram_size = size;
	}
	for (uint64_t w = 0; w < words; w++) {
		while (fz_dirty[w]) {
			uint64_t p = w * 64 + __builtin_ctzll(fz_dirty[w]);
			uint64_t a = p << FZ_PAGE_SHIFT;

			memset(fz_ram + a, 0, MIN(1ull << FZ_PAGE_SHIFT,
						  size - a));
			fz_dirty[w] &= fz_dirty[w] - 1;
		}
	}
	/* All zero: the first byte, and each byte equal to the next. */
	if (fz_ram_check &&
	    (fz_ram[0] || memcmp(fz_ram, fz_ram + 1, size - 1))) {
		uint64_t a = 0;

		while (!fz_ram[a])
			a++;
		fprintf(stderr, "FUZZ HARNESS BUG: guest RAM byte 0x%llx "
			"written but not reported to fz_wrote()\n",
			(unsigned long long)a);
		abort();
	}
	return fz_ram;
}

static inline void fz_ram_put(uint8_t *ram, uint64_t size)
{
	g_assert_true(ram == fz_ram && size == fz_ram_size);
}

static const FakeRamSource fz_ram_source = {
	.get = fz_ram_get,
	.put = fz_ram_put,
	.wrote = fz_wrote,
};

/* What the fake driver writes to ram[] directly: boot descriptor, H2F. */
static inline void fz_wrote_driver(const FakeDriver *d)
{
	fz_wrote(d->boot_desc, sizeof(struct pvgpu_boot_desc));
	fz_wrote(d->h2f_base, d->h2f_size);
}

static inline void fz_quiet(const gchar *d, GLogLevelFlags l, const gchar *m,
			    gpointer u)
{
	(void)d; (void)l; (void)m; (void)u;
}

/* From LLVMFuzzerInitialize(): no log output, the shared guest RAM. */
static inline void fz_init(void)
{
	const char *check = getenv("PVGPU_FUZZ_CHECK_RAM");

	g_log_set_default_handler(fz_quiet, NULL);
	fz_ram_check = check && *check && strcmp(check, "0");
	fake_platform_set_ram_source(&fz_ram_source);
}

typedef struct Fz {
	const uint8_t *p;
	size_t n;
} Fz;

static inline uint8_t fz_u8(Fz *f)
{
	uint8_t v = 0;

	if (f->n) {
		v = *f->p++;
		f->n--;
	}
	return v;
}

static inline uint16_t fz_u16(Fz *f)
{
	return fz_u8(f) | (uint16_t)fz_u8(f) << 8;
}

static inline uint32_t fz_u32(Fz *f)
{
	return fz_u16(f) | (uint32_t)fz_u16(f) << 16;
}

static inline uint64_t fz_u64(Fz *f)
{
	return fz_u32(f) | (uint64_t)fz_u32(f) << 32;
}

static inline void fz_bytes(Fz *f, void *dst, size_t len)
{
	size_t k = len < f->n ? len : f->n;

	memcpy(dst, f->p, k);
	memset((uint8_t *)dst + k, 0, len - k);
	f->p += k;
	f->n -= k;
}

static inline uint64_t fz_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static inline void fz_check_time(uint64_t t0, const char *what)
{
	uint64_t dt = fz_now() - t0;

	if (dt > FZ_CALL_LIMIT_NS) {
		fprintf(stderr, "FINDING: one %s took %llu ms\n", what,
			(unsigned long long)(dt / 1000000));
		abort();
	}
}

/* Serve kicks, at most FZ_MAX_RUNS runs; each run is timed. */
static inline void fz_run(FakePlatform *fp)
{
	for (unsigned int i = 0; i < FZ_MAX_RUNS && fp->kicks_pending; i++) {
		uint64_t t0 = fz_now();

		fp->kicks_pending = 0;
		pvgpu_fw_run(fp->fw);
		fp->runs++;
		fz_check_time(t0, "pvgpu_fw_run");
	}
	/* Drop what is left: the next iteration starts fresh anyway. */
}

/* Move the clock by @ns, fire the timer if due (timed), serve kicks. */
static inline void fz_advance(FakePlatform *fp, uint64_t ns)
{
	fp->now_ns += ns;
	if (fp->timer_deadline != FAKE_NO_TIMER &&
	    fp->timer_deadline <= fp->now_ns) {
		uint64_t t0 = fz_now();

		fp->timer_deadline = FAKE_NO_TIMER;
		pvgpu_fw_timer_expired(fp->fw);
		fz_check_time(t0, "pvgpu_fw_timer_expired");
	}
	fz_run(fp);
}

/* Jump to the armed deadline (if any, and not too far) and fire it. */
static inline void fz_fire(FakePlatform *fp)
{
	if (fp->timer_deadline == FAKE_NO_TIMER)
		return;
	if (fp->timer_deadline > fp->now_ns)
		fz_advance(fp, fp->timer_deadline - fp->now_ns);
	else
		fz_advance(fp, 0);
}

#endif /* FUZZ_COMMON_H */
