/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GPU-side helpers for the firmware model's unit tests, on top of the fake
 * platform and the fake driver:
 *
 * - GpuEnv: a booted firmware with a bump allocator over fake guest RAM
 *   (64 MiB by default) and a request path that keeps the events it meets.
 * - GpuVm: page tables in fake RAM in the format of pvgpu_pt_format.h, built the
 *   way a driver builds them (map/unmap with 4 KiB / 2 MiB / 1 GiB pages,
 *   read-only and NULL pages), bound with PVGPU_H2F_AS_BIND, plus CPU
 *   access to GPU virtual addresses through the tables (the test's own
 *   walk, independent of the firmware's).
 * - Command streams (GArray of guint32) with one function per command of
 *   pvgpu_cmds.h (encoded by pvgpu_cmd_emit.h), written to a ring (GpuRing, with its rptr/wptr words) or
 *   to a batch buffer.
 *
 * Every helper asserts on misuse (out of RAM, a VA the tables do not map,
 * a stream that does not fit): a test bug should fail loudly.
 */
#ifndef GPU_HELPERS_H
#define GPU_HELPERS_H

#include "engine.h"
#include "fake_driver.h"
#include "pvgpu_cmd_emit.h"
#include "pvgpu_pt_format.h"

#define GPU_RAM_DEFAULT		(64ull << 20)
#define GPU_4K			0x1000ull
#define GPU_2M			0x200000ull
#define GPU_1G			0x40000000ull

typedef struct GpuEnv {
	FakePlatform *fp;
	PvgpuFw *fw;		/* fp->fw */
	FakeDriver d;
	uint64_t next_pa;	/* bump allocator: next free byte */
	GQueue *events;		/* GpuEvent *: met by gpu_request() */
} GpuEnv;

/*
 * Create a fake platform with @ram_size bytes of RAM (0: GPU_RAM_DEFAULT)
 * and device shape @cfg (NULL: default), boot the firmware (asserting
 * RUNNING) and acknowledge the boot interrupt.
 */
GpuEnv *gpu_env_new(const PvgpuFwConfig *cfg, uint64_t ram_size);
void gpu_env_free(GpuEnv *g);

/* @size zeroed bytes of guest-physical memory aligned to @align (pow2). */
uint64_t gpu_alloc(GpuEnv *g, uint64_t size, uint64_t align);

/*
 * Send a request, ring the doorbell, serve the firmware and return the
 * response status. Events that arrive first are kept for
 * gpu_next_event(). @resp (may be NULL) receives the response payload.
 */
uint32_t gpu_request(GpuEnv *g, uint16_t opcode, const void *payload,
		     uint16_t len_dw, void *resp);
uint32_t gpu_as_bind(GpuEnv *g, uint32_t asid, uint64_t pt_root,
		     uint32_t flags);
uint32_t gpu_as_unbind(GpuEnv *g, uint32_t asid);
/* TLB_INVALIDATE of [@va, @va + @size) in @asid; @size 0: ALL. */
uint32_t gpu_tlb_invalidate(GpuEnv *g, uint32_t asid, uint64_t va,
			    uint64_t size);

/*
 * Ring doorbell id @db (PVGPU_DOORBELL_ID()) as a driver or a process
 * does: a 32-bit write at offset PVGPU_DOORBELL_OFFSET(@db) of doorbell
 * page PVGPU_DOORBELL_GROUP(@db). Nothing is served.
 */
void gpu_doorbell(GpuEnv *g, uint32_t db);

/*
 * The next F2H event (kept ones first, then the ring): its opcode and up
 * to PVGPU_MSG_MAX_PAYLOAD_DW payload dwords (little-endian, as sent).
 * False if there is none. A response on F2H here is a test failure.
 */
bool gpu_next_event(GpuEnv *g, uint16_t *opcode, void *payload);

/* --- Page tables ------------------------------------------------------- */

typedef struct GpuVm {
	GpuEnv *g;
	uint64_t root;		/* guest-physical root table */
	uint32_t levels;	/* PVGPU_PT_LEVELS(cfg.va_bits) */
	uint32_t asid;
} GpuVm;

/* Allocate an empty root table for @asid (not bound yet). */
void gpu_vm_init(GpuVm *vm, GpuEnv *g, uint32_t asid);
/* PVGPU_H2F_AS_BIND of @vm with @flags (PVGPU_AS_*); returns the status. */
uint32_t gpu_vm_bind(GpuVm *vm, uint32_t flags);

/*
 * Map [@va, @va + @size) to [@pa, ...) with @page_size pages (GPU_4K,
 * GPU_2M or GPU_1G; va, pa and size aligned to it). @pte_flags: any of
 * PVGPU_PTE_WRITABLE, PVGPU_PTE_NULL (then @pa is ignored); VALID and,
 * for large pages, LEAF are added. Missing tables are allocated. No TLB
 * invalidation: that is the test's business, as it is a driver's.
 */
void gpu_vm_map(GpuVm *vm, uint64_t va, uint64_t pa, uint64_t size,
		uint64_t page_size, uint64_t pte_flags);
/* Clear the @page_size entries of [@va, @va + @size). */
void gpu_vm_unmap(GpuVm *vm, uint64_t va, uint64_t size,
		  uint64_t page_size);
/* Allocate @size bytes (4 KiB aligned) and map them at @va (4 KiB pages). */
uint64_t gpu_vm_alloc(GpuVm *vm, uint64_t va, uint64_t size,
		      uint64_t pte_flags);
/*
 * Guest-physical address of the entry at @level on the way to @va (the
 * tables above it must exist), for tests that write raw entries.
 */
uint64_t gpu_vm_pte_addr(GpuVm *vm, uint64_t va, uint32_t level);

/* CPU access to GPU VAs through the tables (mapped, non-NULL pages). */
void gpu_vm_write(GpuVm *vm, uint64_t va, const void *buf, uint64_t len);
void gpu_vm_read(GpuVm *vm, uint64_t va, void *buf, uint64_t len);
uint32_t gpu_vm_rd32(GpuVm *vm, uint64_t va);
uint64_t gpu_vm_rd64(GpuVm *vm, uint64_t va);
void gpu_vm_wr32(GpuVm *vm, uint64_t va, uint32_t v);
void gpu_vm_wr64(GpuVm *vm, uint64_t va, uint64_t v);

/* --- Command streams --------------------------------------------------- */

GArray *gpu_cmds_new(void);
/* Raw dwords (host order; stored little-endian when written). */
void gpu_cmd_raw(GArray *c, const uint32_t *dw, unsigned int n);
void gpu_cmd_nop(GArray *c, uint32_t len_dw);
void gpu_cmd_store32(GArray *c, uint64_t addr, uint32_t value);
void gpu_cmd_store64(GArray *c, uint64_t addr, uint64_t value);
void gpu_cmd_copy(GArray *c, uint64_t src, uint64_t dst, uint64_t size);
void gpu_cmd_fill(GArray *c, uint64_t dst, uint64_t size, uint32_t pattern);
void gpu_cmd_atomic(GArray *c, uint32_t op, uint64_t addr, uint64_t operand,
		    uint64_t compare, uint64_t result);
void gpu_cmd_wait(GArray *c, uint32_t flags, uint64_t addr, uint64_t value,
		  uint64_t mask, uint32_t op);
void gpu_cmd_signal(GArray *c, uint32_t flags, uint64_t addr,
		    uint64_t value);
void gpu_cmd_timestamp(GArray *c, uint64_t addr);
void gpu_cmd_batch_call(GArray *c, uint64_t addr);
void gpu_cmd_batch_return(GArray *c);
void gpu_cmd_dispatch(GArray *c, uint32_t kernel, uint64_t args);
void gpu_cmd_delay(GArray *c, uint32_t flags, uint64_t ns);
void gpu_cmd_fence(GArray *c, uint32_t flags, uint64_t value);

/* Write a stream to GPU memory at @va (a batch buffer). */
void gpu_vm_write_cmds(GpuVm *vm, uint64_t va, GArray *c);

/* --- Rings ------------------------------------------------------------- */

typedef struct GpuRing {
	GpuVm *vm;
	uint64_t va, pa;	/* ring buffer: GPU VA, backing memory */
	uint32_t size;		/* bytes, power of two */
	uint32_t tail;		/* where the next command goes */
	uint64_t rptr_addr;	/* guest-physical u32, written by the engine */
	uint64_t wptr_addr;	/* guest-physical u32, written by the test */
} GpuRing;

/* Allocate and map (read-write) a @size-byte ring at @va, and its rptr
 * and wptr words (both 0). */
void gpu_ring_init(GpuRing *r, GpuVm *vm, uint64_t va, uint32_t size);
/* Start an empty ring at offset @off: tail, rptr and wptr = @off. */
void gpu_ring_set_start(GpuRing *r, uint32_t off);
/* Copy @c at the tail, wrapping at the end; asserts it fits. */
void gpu_ring_write(GpuRing *r, GArray *c);
/* Publish the tail: wptr = tail. */
void gpu_ring_publish(GpuRing *r);
/* gpu_ring_write() + gpu_ring_publish(). */
void gpu_ring_submit(GpuRing *r, GArray *c);
uint32_t gpu_ring_rptr(GpuRing *r);
/*
 * A fresh execution context for this ring, as the scheduler would set it
 * up: asid, @engine_class, ring and pointer addresses, rptr from the rptr
 * word; everything else zero.
 */
void gpu_ring_exec_ctx(GpuRing *r, uint32_t engine_class, FwExecCtx *ctx);

/*
 * Registers @func once per value of @values (@n of them), as test
 * <@prefix><value> with GUINT_TO_POINTER(value) as its data.
 */
void gpu_test_add_uint_cases(const char *prefix, const unsigned int *values,
			     size_t n, GTestDataFunc func);

#endif /* GPU_HELPERS_H */
