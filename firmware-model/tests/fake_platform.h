/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fake platform for the firmware model's unit tests: guest RAM as a byte
 * array, a clock the test moves by hand, one timer, kicks that the test
 * serves explicitly, and a record of interrupts and guest errors.
 */
#ifndef FAKE_PLATFORM_H
#define FAKE_PLATFORM_H

#include <glib.h>

#include "backend_virgl.h"
#include "pvgpu_fw_model.h"

/*
 * Guest RAM is [0, FAKE_RAM_SIZE) (or the size given to
 * fake_platform_new_sized()); DMA anywhere else fails.
 */
#define FAKE_RAM_SIZE		(16u << 20)
#define FAKE_NO_TIMER		UINT64_MAX

typedef struct FakePlatform {
	PvgpuFw *fw;
	uint8_t *ram;
	uint64_t ram_size;		/* bytes */

	/* DMA to any byte of [fail_start, fail_end) fails (fault injection). */
	uint64_t fail_start, fail_end;

	uint64_t now_ns;
	/*
	 * Each clock read moves now_ns on by this much afterwards: time
	 * passing while the firmware runs, as QEMU's virtual clock does.
	 * 0 (the default): the clock only moves when the test moves it.
	 */
	uint64_t clock_step_ns;
	uint64_t timer_deadline;	/* FAKE_NO_TIMER when disarmed */
	unsigned int timer_arms;

	unsigned int kicks_pending;	/* kicks not yet served */
	unsigned int kicks_total;
	unsigned int runs;

	unsigned int irqs;		/* raise_irq calls */
	unsigned int bad_vectors;	/* raise_irq with a vector != FW */
	unsigned int dma_reads;		/* successful dma_read calls */
	unsigned int dma_writes;	/* successful dma_write calls */
	unsigned int dma_failures;
	GPtrArray *errors;		/* guest_error messages */
	bool echo_errors;		/* print them (g_test_message) */
	/* If set by a test: every trace call, one "what a b" line each. */
	GString *trace;
} FakePlatform;

FakePlatform *fake_platform_new(const PvgpuFwConfig *cfg);
/* The same with @ram_size bytes of guest RAM instead of FAKE_RAM_SIZE. */
FakePlatform *fake_platform_new_sized(const PvgpuFwConfig *cfg,
				      uint64_t ram_size);

/*
 * The virgl backend every fake firmware of this program uses, when
 * PVGPU_TEST_VIRGL_WORKER names a worker; NULL (kernels on the CPU) when
 * it does not or the worker did not start, with *@why (if non-NULL) saying
 * which.
 */
#define FAKE_VIRGL_TIMEOUT_MS	10000
FwVirgl *fake_platform_virgl(const char **why);

/*
 * Where platforms take guest RAM from. By default each gets a fresh zeroed
 * allocation; the fuzzers, which create a platform per input, install a
 * source that hands out one long-lived buffer and clears only what the
 * last platform wrote: allocating, faulting in and clearing fresh RAM
 * dominated their run time. @get returns @size zeroed bytes; @put takes
 * them back; @wrote (optional) hears of every DMA write and every
 * fake_ram_wr32/64() (direct writes to ram[] are the caller's to track).
 */
typedef struct FakeRamSource {
	uint8_t *(*get)(uint64_t size);
	void (*put)(uint8_t *ram, uint64_t size);
	void (*wrote)(uint64_t addr, uint64_t len);
} FakeRamSource;

/* Install @src (NULL: the default) while no platform exists. */
void fake_platform_set_ram_source(const FakeRamSource *src);

void fake_platform_free(FakePlatform *fp);

/* Serve kicks the way an event loop would; returns the pvgpu_fw_run calls. */
unsigned int fake_platform_run(FakePlatform *fp);
/* Move the clock forward, fire the timer if due, then serve kicks. */
void fake_platform_advance(FakePlatform *fp, uint64_t ns);

unsigned int fake_platform_error_count(const FakePlatform *fp);
/* Is there a guest error containing @needle? */
bool fake_platform_has_error(const FakePlatform *fp, const char *needle);
/* How many guest errors contain @needle? */
unsigned int fake_platform_count_errors(const FakePlatform *fp,
					const char *needle);
void fake_platform_clear_errors(FakePlatform *fp);

/* Fake guest RAM access from the test (little-endian). */
uint32_t fake_ram_rd32(const FakePlatform *fp, uint64_t addr);
void fake_ram_wr32(FakePlatform *fp, uint64_t addr, uint32_t value);
uint64_t fake_ram_rd64(const FakePlatform *fp, uint64_t addr);
void fake_ram_wr64(FakePlatform *fp, uint64_t addr, uint64_t value);

/* Aligned 32-bit BAR0 access. */
uint32_t fake_reg_read(FakePlatform *fp, uint64_t offset);
void fake_reg_write(FakePlatform *fp, uint64_t offset, uint32_t value);

#endif /* FAKE_PLATFORM_H */
