/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared helpers of the libFuzzer targets: an input cursor and a watchdog
 * on the work a single pvgpu_fw_run() / pvgpu_fw_timer_expired() does.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake_platform.h"

/* One call into the model taking longer than this is a finding. */
#define FZ_CALL_LIMIT_NS	(500ull * 1000 * 1000)
/* Kicks served per "run" action; the firmware must settle in far fewer. */
#define FZ_MAX_RUNS		256

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
