/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: what the model's own files share.
 *
 * The split follows the device's real seams:
 *   fw.c      object lifecycle, state machine, pvgpu_fw_run(), migration
 *   platform.c  calls into the platform: guest memory, clock, kick, output
 *   config.c  the device's shape and its capability block
 *   regs.c    BAR0 register block and the interrupt logic
 *   boot.c    boot handshake: descriptor checks, caps, entering RUNNING
 *   ring.c    the shared-memory ring primitives (pointers, wrap-around copy)
 *   msg.c     H2F request handling and F2H responses/events
 *   log.c     the firmware log buffer
 *   sched.c   queues, hardware slots, scheduling, watchdog (fw_sched_internal.h)
 *   queue.c   the queue requests
 *   inject.c  fault injection
 * Later work (scheduler, engines, MMU) adds files beside these and new
 * entries to the request table in msg.c.
 */
#ifndef PVGPU_FW_INTERNAL_H
#define PVGPU_FW_INTERNAL_H

#include <inttypes.h>

#include <glib.h>

#include "backend_virgl.h"
#include "mmu.h"
#include "pvgpu_fw_model.h"
#include "fw_sched_internal.h"

/* While F2H has no room for a response, retry this often (device clock). */
#define FW_F2H_RETRY_NS		50000ull

/* Events one request handler may raise (see struct PvgpuFw). */
#define FW_STASHED_EVENTS	4

/* Longest log line the firmware writes, newline included. */
#define FW_LOG_LINE_MAX		192

/*
 * Where the shared memory areas are, as the driver described them at boot.
 * It is the part of PvgpuFwState that DMA addresses are computed from, so it
 * is checked (fw_layout_check()) both at boot and after migration.
 */
typedef struct FwLayout {
	uint64_t h2f_desc, h2f_base, f2h_desc, f2h_base;
	uint64_t log_base, caps_base;
	uint32_t h2f_size, f2h_size, log_size, caps_size;
} FwLayout;

/* One message ring as the firmware addresses it. */
typedef struct FwRing {
	const char *name;	/* "H2F" or "F2H", for messages */
	uint64_t desc;		/* struct pvgpu_ring_desc */
	uint64_t base;		/* ring buffer */
	uint32_t size;		/* bytes, power of two */
} FwRing;

struct PvgpuFw {
	PvgpuFwConfig cfg;
	PvgpuFwPlatform plat;
	void *opaque;

	PvgpuFwState st;	/* everything that migrates */
	PvgpuFwStats stats;
	FwMmu mmu;		/* TLB (mmu.c): derived, emptied by post_load */

	FwSched sched;		/* queues (sched.c): table migrates, rest derived */
	/*
	 * The virgl execution backend (backend_virgl.h), or NULL: kernels
	 * run on the CPU. Set by the platform; holds no migrated state.
	 */
	FwVirgl *virgl;

	/* Derived, rebuilt by pvgpu_fw_post_load(). */
	uint64_t retry_deadline;	/* F2H retry, valid while retry_armed */
	uint64_t timer_deadline;	/* what the platform timer is armed for */
	bool retry_armed;	/* F2H backpressure timer is armed */
	bool f2h_written;	/* this run wrote F2H messages: raise IRQ_F2H */
	bool halting;		/* inside fw_halt(): later failures are echoes */
	/*
	 * Events a request handler raises (a QUEUE_RESET's QUEUE_ERROR) go
	 * out right after its response: F2H room is reserved for the
	 * response only (msg.c).
	 */
	bool in_handler;
	unsigned int n_stashed;
	struct {
		uint16_t opcode, len_dw;
		uint32_t payload[PVGPU_MSG_MAX_PAYLOAD_DW];
	} stashed[FW_STASHED_EVENTS];
};

/* --- platform.c -------------------------------------------------------- */

/* Report a guest error through the platform, prefixed "pvgpu: ". */
void fw_guest_error(PvgpuFw *fw, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void fw_trace(PvgpuFw *fw, const char *what, uint64_t a, uint64_t b);
uint64_t fw_clock_ns(PvgpuFw *fw);
/* Ask the platform to call pvgpu_fw_run() soon (outside the caller). */
void fw_kick(PvgpuFw *fw);

/*
 * Guest memory access. They return false when the range is not accessible;
 * the caller decides what that means (boot error, halt).
 */
bool fw_dma_read(PvgpuFw *fw, uint64_t addr, void *buf, size_t len);
bool fw_dma_write(PvgpuFw *fw, uint64_t addr, const void *buf, size_t len);

/* --- fw.c -------------------------------------------------------------- */

/* Enter @state with FW_ERROR @err and signal PVGPU_IRQ_FW_STATE. */
void fw_set_state(PvgpuFw *fw, uint32_t state, uint32_t err);
/*
 * Stop serving because guest memory the firmware relies on failed it:
 * state HALTED, FW_ERROR @err. Only the first reason counts.
 */
void fw_halt(PvgpuFw *fw, uint32_t err, const char *why);
/* Forget the boot descriptor and everything derived from it. */
void fw_forget_shared_memory(PvgpuFw *fw);
/* Cancel the F2H retry timer if it is armed. */
void fw_retry_cancel(PvgpuFw *fw);
/*
 * Arm the platform's one timer for the earliest deadline of all: F2H
 * retry, scheduler (sched.c), delayed interrupt (inject.c).
 */
void fw_timer_update(PvgpuFw *fw);

/* --- config.c ---------------------------------------------------------- */

void fw_caps_fill(const PvgpuFwConfig *cfg, struct pvgpu_fw_caps *caps);

/* --- regs.c ------------------------------------------------------------ */

/* Set interrupt cause(s) and deliver the vector if that unmasks new ones. */
void fw_irq_set(PvgpuFw *fw, uint32_t causes);

/* --- boot.c ------------------------------------------------------------ */

/* FW_CTRL.BOOT: latch only; the work happens in fw_boot_run(). */
void fw_boot_request(PvgpuFw *fw);
void fw_boot_run(PvgpuFw *fw);
/*
 * Check a layout without touching guest memory. Returns PVGPU_FW_ERR_NONE
 * or the error code of the first bad area; @why (@why_len bytes) says what
 * was wrong.
 */
uint32_t fw_layout_check(const FwLayout *l, char *why, size_t why_len);
void fw_layout_from_state(const PvgpuFwState *st, FwLayout *l);

/* --- ring.c ------------------------------------------------------------ */

void fw_ring_h2f(const PvgpuFw *fw, FwRing *r);
void fw_ring_f2h(const PvgpuFw *fw, FwRing *r);
bool fw_ring_ptr_valid(const FwRing *r, uint32_t ptr);
/* Bytes between @from and @to going forward around the ring. */
uint32_t fw_ring_distance(const FwRing *r, uint32_t from, uint32_t to);
/* Bytes a producer may still write (one dword always stays free). */
uint32_t fw_ring_free(const FwRing *r, uint32_t head, uint32_t tail);
bool fw_ring_read_ptrs(PvgpuFw *fw, const FwRing *r, uint32_t *head,
		       uint32_t *tail);
bool fw_ring_write_head(PvgpuFw *fw, const FwRing *r, uint32_t head);
bool fw_ring_write_tail(PvgpuFw *fw, const FwRing *r, uint32_t tail);
bool fw_ring_set_status(PvgpuFw *fw, const FwRing *r, uint32_t bits);
bool fw_ring_clear_status(PvgpuFw *fw, const FwRing *r);
/* Copy @len bytes at ring offset @off, wrapping at the end of the buffer. */
bool fw_ring_copy_from(PvgpuFw *fw, const FwRing *r, uint32_t off,
		       void *buf, uint32_t len);
bool fw_ring_copy_to(PvgpuFw *fw, const FwRing *r, uint32_t off,
		     const void *buf, uint32_t len);

/* --- msg.c ------------------------------------------------------------- */

typedef enum FwServeResult {
	FW_SERVE_IDLE,		/* H2F ring empty */
	FW_SERVE_BUDGET,	/* budget used up, maybe more to do */
	FW_SERVE_BLOCKED,	/* F2H has no room for the next response */
	FW_SERVE_STOPPED,	/* the firmware left RUNNING */
	FW_SERVE_DEFERRED,	/* a request waits for the scheduler */
} FwServeResult;

/* Handle up to *budget H2F messages, decrementing it. */
FwServeResult fw_h2f_serve(PvgpuFw *fw, unsigned int *budget);
/*
 * Queue an event on F2H; dropped (and counted) when F2H is full. @payload
 * is already little-endian.
 */
void fw_f2h_event(PvgpuFw *fw, uint16_t opcode, const void *payload,
		  uint16_t len_dw);

/* --- log.c ------------------------------------------------------------- */

/* Initialise the log descriptor at boot; false on DMA failure. */
bool fw_log_init(PvgpuFw *fw, const FwLayout *l);
/* Write the current level into the log descriptor. */
void fw_log_sync_level(PvgpuFw *fw);
void fw_log(PvgpuFw *fw, uint32_t level, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);
uint32_t fw_log_text_size(uint32_t log_size);

#endif /* PVGPU_FW_INTERNAL_H */
