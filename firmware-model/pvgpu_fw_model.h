/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: public interface.
 *
 * The firmware model is the device's "hardware and firmware": the BAR0
 * register block, the doorbells, the boot handshake, the message rings,
 * the scheduler, the engines and the GPU MMU. It is plain C11 + GLib and
 * knows nothing of QEMU; it reaches the outside world only through the
 * platform callbacks below. The QEMU device (qemu-device/) and the host
 * unit tests (firmware-model/tests/) are its two platforms.
 *
 * Threading: the model is not thread-safe. The platform serialises every
 * call into it (QEMU: all calls happen with the BQL held).
 *
 * Bounded work: pvgpu_fw_reg_write() and pvgpu_fw_doorbell() only latch
 * state and ask the platform to call pvgpu_fw_run() soon (platform kick);
 * the real work (DMA, message handling, engines) happens in a run, which
 * does at most one budget of it (PvgpuFwRunBudget) and kicks again if more
 * remains, the way firmware runs beside the CPU. pvgpu_fw_run() uses
 * PVGPU_FW_RUN_BUDGET_DEFERRED; a platform may instead call
 * pvgpu_fw_run_budget() with the much smaller PVGPU_FW_RUN_BUDGET_INLINE
 * right after the guest access that kicked (QEMU: inside the doorbell
 * write, see docs/latency.rst), and leave the rest to its deferred run.
 */
#ifndef PVGPU_FW_MODEL_H
#define PVGPU_FW_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pvgpu_fw_config.h"
#include "pvgpu_fwif.h"
#include "pvgpu_regs.h"

/**
 * PvgpuFwRunBudget - the most one run of the firmware may do
 *
 * @h2f_msgs: H2F requests handled.
 * @exec_units: engine work units (engine.h: one command, one 4 KiB chunk of
 *   a copy or fill, one kernel chunk), shared out over the slots but at
 *   least FW_SLOT_BUDGET_MIN per busy slot (sched.c).
 */
typedef struct PvgpuFwRunBudget {
	unsigned int h2f_msgs;
	uint32_t exec_units;
} PvgpuFwRunBudget;

/* A deferred run (QEMU: the bottom half, the timer). */
#define PVGPU_FW_RUN_BUDGET		64
#define PVGPU_FW_EXEC_BUDGET		1024u
#define PVGPU_FW_RUN_BUDGET_DEFERRED \
	((PvgpuFwRunBudget){ PVGPU_FW_RUN_BUDGET, PVGPU_FW_EXEC_BUDGET })
/*
 * A run inside a guest register write: a few requests (a ping, a TLB
 * invalidation, a queue register) and a few short jobs, some tens of
 * microseconds of host time at most (docs/latency.rst).
 */
#define PVGPU_FW_RUN_BUDGET_INLINE	((PvgpuFwRunBudget){ 4, 64 })

/**
 * PvgpuFwPlatform - what the firmware model needs from its host
 *
 * @dma_read/@dma_write: guest-physical memory access; return 0 on success,
 *   non-zero when the range is not (entirely) accessible guest memory.
 * @raise_irq: signal MSI-X vector @vector (the model has already applied
 *   the interrupt mask; the platform only delivers).
 * @clock_ns: the device clock (QEMU: virtual clock), monotonic nanoseconds.
 * @timer_arm: call pvgpu_fw_timer_expired() once the clock reaches
 *   @deadline_ns (soon, if it already has); a later call replaces the
 *   earlier deadline; UINT64_MAX cancels.
 * @kick: call pvgpu_fw_run() soon, outside the current call chain.
 * @guest_error: the guest misused the device (QEMU: LOG_GUEST_ERROR).
 * @trace: a notable event for tracing; @what is a short static name.
 */
typedef struct PvgpuFwPlatform {
	int (*dma_read)(void *opaque, uint64_t addr, void *buf, size_t len);
	int (*dma_write)(void *opaque, uint64_t addr, const void *buf,
			 size_t len);
	void (*raise_irq)(void *opaque, unsigned int vector);
	uint64_t (*clock_ns)(void *opaque);
	void (*timer_arm)(void *opaque, uint64_t deadline_ns);
	void (*kick)(void *opaque);
	void (*guest_error)(void *opaque, const char *msg);
	void (*trace)(void *opaque, const char *what, uint64_t a, uint64_t b);
} PvgpuFwPlatform;

/**
 * PvgpuFwConfig - the device's shape, fixed at creation
 *
 * Reported to the driver in struct pvgpu_fw_caps. pvgpu_fw_config_check()
 * says what is wrong with a configuration before it is used.
 */
typedef struct PvgpuFwConfig {
	uint32_t num_engine_classes;	/* 1..PVGPU_MAX_ENGINE_CLASSES */
	uint32_t engine_class[PVGPU_MAX_ENGINE_CLASSES];
	uint32_t slots[PVGPU_MAX_ENGINE_CLASSES];	/* 1..64 each */
	uint32_t num_priorities;	/* 2..8 */
	uint32_t max_queues;		/* 1..65536 */
	uint32_t num_doorbells;		/* pages: 2..1024, power of two;
					 * 1024 doorbells each */
	uint32_t va_bits;		/* 32..57 */
	uint32_t page_sizes;		/* bitmask of log2 sizes, incl. bit 12 */
	bool page_faults;
	uint32_t timeslice_default_us;
	uint32_t timeslice_min_us;
	uint32_t timeslice_max_us;
	uint32_t max_address_spaces;	/* 1..PVGPU_FW_MAX_AS */
	/* Scheduler (docs/scheduler.rst). */
	uint32_t watchdog_ms;		/* no progress this long: reset; 0 = off */
	uint32_t preempt_timeout_us;	/* 1..10000000 */
	uint32_t wait_poll_us;		/* re-check WAITs this often, 1..1000000 */
	uint64_t seed;			/* PRNG seed (probabilistic injection) */
	/* PVGPU_REG_TEST_INJECT works (PVGPU_HWCAP_TEST_INJECT). */
	bool guest_inject;
} PvgpuFwConfig;

/* Firmware version this model reports. */
#define PVGPU_FW_MODEL_VERSION		PVGPU_FW_VERSION(0, 1, 0)

/**
 * PvgpuFwStats - counters for tracing, tests and benchmarks
 */
typedef struct PvgpuFwStats {
	uint64_t requests;		/* H2F requests handled */
	uint64_t responses;		/* F2H responses written */
	uint64_t events;		/* F2H events written */
	uint64_t events_dropped;	/* F2H ring full */
	uint64_t malformed;		/* H2F ring drains */
	uint64_t irqs_raised;		/* vector raised (SELFTEST_IRQ too) */
	uint64_t selftest_irqs;		/* PVGPU_REG_SELFTEST_IRQ writes */
	uint64_t doorbells;
	uint64_t boots;
	/* Scheduler. */
	uint64_t sched_runs;		/* scheduler passes (pvgpu_fw_run) */
	uint64_t sched_decisions;	/* slot placements and preemptions */
	uint64_t preemptions;		/* queues taken off a slot early */
	uint64_t queue_resets;		/* EVT_QUEUE_ERROR sent (guilty or not) */
	uint64_t page_faults;		/* EVT_PAGE_FAULT sent */
	uint64_t wait_polls;		/* re-checks of WAITING queues */
	/* Fault injection. */
	uint64_t doorbells_dropped;
	uint64_t irqs_lost;
	uint64_t irqs_delayed;
	/*
	 * Entries of the queue table, the doorbell map and the per-address-
	 * space queue counts that resets, AS_UNBIND and post_load visited:
	 * what proves their cost follows the queues in use, not the shape
	 * (docs/scheduler.rst, "Host cost").
	 */
	uint64_t table_visits;
} PvgpuFwStats;

/* Most GPU address spaces a device can be configured with. */
#define PVGPU_FW_MAX_AS			256

/**
 * PvgpuFwAs - one GPU address space (PVGPU_H2F_AS_BIND), migratable
 *
 * @bound is 0 or 1; an unbound entry is all zero. @flags: PVGPU_AS_*.
 */
typedef struct PvgpuFwAs {
	uint64_t pt_root;		/* guest-physical, 4 KiB aligned */
	uint32_t flags;
	uint32_t bound;
} PvgpuFwAs;

/**
 * PvgpuFwState - the model's migratable state
 *
 * Plain fixed-size fields so the QEMU device can describe it with
 * VMSTATE_* macros. Everything else the model holds is derived from this
 * and from guest memory (see pvgpu_fw_post_load()).
 */
typedef struct PvgpuFwState {
	uint32_t irq_status;
	uint32_t irq_mask;
	uint32_t fw_status;		/* PVGPU_FW_STATE_* */
	uint32_t fw_error;		/* PVGPU_FW_ERR_* */
	uint32_t scratch;
	uint32_t timestamp_hi_latch;
	uint32_t boot_desc_lo;
	uint32_t boot_desc_hi;
	uint32_t log_level;
	uint32_t h2f_pending;		/* doorbell rung, not yet served */
	uint32_t boot_pending;		/* BOOT written, not yet served */
	uint32_t f2h_event_seqno;	/* last event seqno used */
	uint32_t log_write_offset;
	uint32_t log_wrap_count;
	/* Copy of the validated boot descriptor (valid when RUNNING). */
	uint64_t h2f_desc, h2f_base, f2h_desc, f2h_base;
	uint64_t log_base, caps_base;
	uint32_t h2f_size, f2h_size, log_size, caps_size;
	/* GPU address spaces (mmu.c); all unbound unless RUNNING. */
	PvgpuFwAs as[PVGPU_FW_MAX_AS];
} PvgpuFwState;

typedef struct PvgpuFw PvgpuFw;

/* Returns NULL on success, else a static string naming the bad field. */
const char *pvgpu_fw_config_check(const PvgpuFwConfig *cfg);
/* The default shape: copy + compute, 2 and 4 slots, 4 priorities, ... */
void pvgpu_fw_config_default(PvgpuFwConfig *cfg);

PvgpuFw *pvgpu_fw_new(const PvgpuFwConfig *cfg, const PvgpuFwPlatform *plat,
		      void *opaque);
void pvgpu_fw_free(PvgpuFw *fw);

/*
 * Run the compute kernels on the virgl backend @v (backend_virgl.h), or on
 * the CPU with NULL. The caller keeps @v and frees it after the firmware;
 * set it before the guest can see the device (HWCAPS reports it).
 */
typedef struct FwVirgl FwVirgl;
void pvgpu_fw_set_virgl(PvgpuFw *fw, FwVirgl *v);

/* Device reset: back to PVGPU_FW_STATE_OFF, registers to their defaults. */
void pvgpu_fw_reset(PvgpuFw *fw);

/* BAR0 register access at byte @offset; @size is the access size in bytes. */
uint32_t pvgpu_fw_reg_read(PvgpuFw *fw, uint64_t offset, unsigned int size);
void pvgpu_fw_reg_write(PvgpuFw *fw, uint64_t offset, uint32_t value,
			unsigned int size);

/*
 * A write of @value at byte @offset of doorbell page @group (BAR2 offset
 * group * PVGPU_DOORBELL_PAGE_SIZE + offset): rings doorbell id
 * PVGPU_DOORBELL_ID(group, offset / 4). An unaligned @offset or one
 * outside the pages is a guest error; a doorbell no queue owns is ignored.
 */
void pvgpu_fw_doorbell(PvgpuFw *fw, uint32_t group, uint32_t offset,
		       uint32_t value);

/* Do pending work (platform kick), up to PVGPU_FW_RUN_BUDGET_DEFERRED. */
void pvgpu_fw_run(PvgpuFw *fw);
/*
 * Do pending work up to @budget; kicks the platform if work is left. A
 * platform that calls it from inside a guest access must make that kick
 * defer (it may not call back in from the same call chain).
 */
void pvgpu_fw_run_budget(PvgpuFw *fw, PvgpuFwRunBudget budget);
/* The deadline given to timer_arm has passed. */
void pvgpu_fw_timer_expired(PvgpuFw *fw);

/* Fault injection: the firmware stops (PVGPU_FW_STATE_HALTED). */
void pvgpu_fw_inject_crash(PvgpuFw *fw);

/**
 * PvgpuFwInject - what pvgpu_fw_inject() injects (docs/scheduler.rst)
 *
 * @PVGPU_FW_INJECT_HANG_ENGINE: @arg = engine class (PVGPU_ENGINE_CLASS_*):
 *   its slots stop executing until the watchdog or a preemption timeout
 *   resets the engine.
 * @PVGPU_FW_INJECT_UNHANG_ENGINE: @arg = engine class: its hang or wedge
 *   ends, the engine goes on where it stopped (nothing is reset). A class
 *   that does not hang is left as it is.
 * @PVGPU_FW_INJECT_WEDGE_ENGINE: @arg = engine class: it hangs like
 *   HANG_ENGINE, but the queue resets (watchdog, preemption timeout,
 *   QUEUE_RESET) do not end it: their QUEUE_ERROR events carry
 *   PVGPU_QUEUE_ERROR_ENGINE_RESET_FAILED and every queue that runs on
 *   the class hangs, until a firmware reset or UNHANG_ENGINE.
 * @PVGPU_FW_INJECT_DROP_DOORBELLS: ignore the next @arg queue doorbells
 *   (writes to a doorbell id a registered queue owns; the kernel's H2F
 *   doorbell is never dropped, unused doorbells are ignored anyway).
 * @PVGPU_FW_INJECT_DELAY_IRQS: deliver every interrupt @arg ns late
 *   (0: on time again).
 * @PVGPU_FW_INJECT_LOSE_IRQS: the next @arg interrupts set their
 *   IRQ_STATUS bits but raise no vector.
 * @PVGPU_FW_INJECT_FAIL_FAULT_REPLIES: treat the next @arg
 *   PAGE_FAULT_REPLYs as FAIL.
 * @PVGPU_FW_INJECT_DROP_FAULT_EVENTS: the next @arg PAGE_FAULT events are
 *   lost: the queue still stalls FAULTED and QUEUE_QUERY reports the
 *   fault, but nothing reaches F2H and no dropped event is counted.
 * @PVGPU_FW_INJECT_DROP_DOORBELL_PPM / @PVGPU_FW_INJECT_LOSE_IRQ_PPM: drop
 *   each queue doorbell / lose each interrupt with probability @arg parts
 *   per million (0..1000000), drawn from a PRNG seeded with cfg.seed.
 */
typedef enum PvgpuFwInject {
	PVGPU_FW_INJECT_HANG_ENGINE = 1,
	PVGPU_FW_INJECT_DROP_DOORBELLS,
	PVGPU_FW_INJECT_DELAY_IRQS,
	PVGPU_FW_INJECT_LOSE_IRQS,
	PVGPU_FW_INJECT_FAIL_FAULT_REPLIES,
	PVGPU_FW_INJECT_DROP_DOORBELL_PPM,
	PVGPU_FW_INJECT_LOSE_IRQ_PPM,
	PVGPU_FW_INJECT_DROP_FAULT_EVENTS,
	PVGPU_FW_INJECT_UNHANG_ENGINE,
	PVGPU_FW_INJECT_WEDGE_ENGINE,
} PvgpuFwInject;

/* Returns 0, or -1 (nothing changed) if @what or @arg is invalid. */
int pvgpu_fw_inject(PvgpuFw *fw, PvgpuFwInject what, uint64_t arg);
/*
 * The engine classes that hang now, injected hang or wedge: bit i = class
 * index i (cfg.engine_class[i]), as PVGPU_REG_TEST_INJECT reads it.
 */
uint32_t pvgpu_fw_hung_engines(const PvgpuFw *fw);

PvgpuFwState *pvgpu_fw_state(PvgpuFw *fw);
/*
 * A migration stream is about to overwrite the migratable state (QEMU:
 * pre_load). Until pvgpu_fw_post_load() accepts what came, what the model
 * derived from the old state is not trusted: a reset then clears whole
 * tables, so a load that fails half way leaves nothing behind.
 */
void pvgpu_fw_pre_load(PvgpuFw *fw);
/* Rebuild derived state after PvgpuFwState was restored (migration). */
int pvgpu_fw_post_load(PvgpuFw *fw);
const PvgpuFwStats *pvgpu_fw_stats(const PvgpuFw *fw);
const PvgpuFwConfig *pvgpu_fw_config(const PvgpuFw *fw);

#endif /* PVGPU_FW_MODEL_H */
