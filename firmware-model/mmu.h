/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the GPU MMU (mmu.c).
 *
 * Address spaces (asid -> page-table root, flags) bound over the message
 * channel, a page-table walker for the format of include/pvgpu/pvgpu_pt_format.h,
 * and a TLB that caches translations until the driver invalidates them (so
 * a driver that forgets PVGPU_H2F_TLB_INVALIDATE sees stale translations,
 * as on real hardware). The engines access GPU memory only through
 * fw_gpu_read()/fw_gpu_write(). Specification: docs/page-tables.rst.
 *
 * The address-space table is migratable state (PvgpuFwState.as); the TLB
 * is derived state (FwMmu in struct PvgpuFw), emptied by post_load.
 */
#ifndef PVGPU_FW_MMU_H
#define PVGPU_FW_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "pvgpu_fw_model.h"

/* Drop every address space and TLB entry (firmware reset / boot). */
void fw_mmu_reset(PvgpuFw *fw);

bool fw_mmu_as_bound(PvgpuFw *fw, uint32_t asid);
bool fw_mmu_as_faultable(PvgpuFw *fw, uint32_t asid);

/*
 * GPU virtual memory access in address space @asid, crossing pages as
 * needed. NULL (sparse) pages read as zero and drop writes. On failure
 * nothing is guaranteed about partially written bytes, @fault says where
 * and why, and false is returned. @access is PVGPU_ACCESS_* (an atomic's
 * read-modify-write is checked as PVGPU_ACCESS_ATOMIC, i.e. needs write).
 *
 * Pages are translated and accessed in address order, so bytes in pages
 * before the faulting one have been transferred; a write that stays
 * within one 4 KiB page either happens completely or not at all (unless
 * the platform's DMA itself fails half-way: PVGPU_FAULT_BAD_PA).
 */
bool fw_gpu_read(PvgpuFw *fw, uint32_t asid, uint64_t va, void *buf,
		 uint64_t len, FwFault *fault);
bool fw_gpu_write(PvgpuFw *fw, uint32_t asid, uint64_t va, const void *buf,
		  uint64_t len, uint32_t access, FwFault *fault);
/*
 * Translate every page of [@va, @va + @len) for @access without moving
 * data (so a command can check all its targets before it changes
 * anything). Same faults as an access would give, except BAD_PA.
 */
bool fw_gpu_probe(PvgpuFw *fw, uint32_t asid, uint64_t va, uint64_t len,
		  uint32_t access, FwFault *fault);

/* Counters for tests and the benchmark. */
typedef struct FwMmuStats {
	uint64_t tlb_hits;
	uint64_t tlb_misses;
	uint64_t walks;
	uint64_t invalidations;	/* invalidation operations (any kind) */
} FwMmuStats;
const FwMmuStats *fw_mmu_stats(PvgpuFw *fw);

/* --- MMU state inside struct PvgpuFw (derived, not migrated) ----------- */

/* 64 sets x 4 ways; replacement: first free way, else least recently used. */
#define FW_TLB_SETS		64
#define FW_TLB_WAYS		4

typedef struct FwTlbEntry {
	uint64_t vpn;		/* va >> (page shift of @level) */
	uint64_t pa;		/* physical base of the page */
	uint64_t lru;		/* FwMmu.clock at the last use */
	uint32_t asid;
	uint8_t valid;
	uint8_t level;		/* 0: 4 KiB, 1: 2 MiB, 2: 1 GiB */
	uint8_t writable;
	uint8_t null;		/* sparse page */
} FwTlbEntry;

typedef struct FwMmu {
	FwTlbEntry tlb[FW_TLB_SETS][FW_TLB_WAYS];
	uint64_t clock;
	FwMmuStats stats;
} FwMmu;

/*
 * After PvgpuFwState was restored: NULL if the address-space table is
 * consistent (and the TLB is then emptied), else what is wrong.
 */
const char *fw_mmu_post_load(PvgpuFw *fw);

/*
 * Request handlers for msg.c's table (payload/response as there):
 * PVGPU_H2F_AS_BIND, PVGPU_H2F_AS_UNBIND, PVGPU_H2F_TLB_INVALIDATE.
 */
uint32_t fw_mmu_handle_as_bind(PvgpuFw *fw, const void *req, void *resp);
uint32_t fw_mmu_handle_as_unbind(PvgpuFw *fw, const void *req, void *resp);
uint32_t fw_mmu_handle_tlb_invalidate(PvgpuFw *fw, const void *req,
				      void *resp);

#endif /* PVGPU_FW_MMU_H */
