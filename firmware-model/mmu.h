/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the GPU MMU (mmu.c).
 *
 * Address spaces (asid -> page-table root, flags) bound over the message
 * channel, a page-table walker for the format of include/pvgpu/pvgpu_pt.h,
 * and a TLB that caches translations until the driver invalidates them (so
 * a driver that forgets PVGPU_H2F_TLB_INVALIDATE sees stale translations,
 * as on real hardware). The engines access GPU memory only through
 * fw_gpu_read()/fw_gpu_write().
 */
#ifndef PVGPU_FW_MMU_H
#define PVGPU_FW_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "pvgpu_fw.h"

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
 */
bool fw_gpu_read(PvgpuFw *fw, uint32_t asid, uint64_t va, void *buf,
		 uint64_t len, FwFault *fault);
bool fw_gpu_write(PvgpuFw *fw, uint32_t asid, uint64_t va, const void *buf,
		  uint64_t len, uint32_t access, FwFault *fault);

/* Counters for tests and the benchmark. */
typedef struct FwMmuStats {
	uint64_t tlb_hits;
	uint64_t tlb_misses;
	uint64_t walks;
	uint64_t invalidations;
} FwMmuStats;
const FwMmuStats *fw_mmu_stats(PvgpuFw *fw);

#endif /* PVGPU_FW_MMU_H */
