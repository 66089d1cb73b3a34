/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The firmware model's own translation (firmware-model/mmu.c, translate():
 * TLB, then the page-table walk) of one GPU virtual address, for the
 * page-table test. See fw_xlate.c.
 */
#ifndef FW_XLATE_H
#define FW_XLATE_H

#include <stdbool.h>
#include <stdint.h>

#include "pvgpu_fw_model.h"

typedef struct FwxResult {
	/* On success: the page (base address, level, attributes). */
	uint64_t pa;
	unsigned int level;	/* 0: 4 KiB, 1: 2 MiB, 2: 1 GiB */
	bool writable;
	bool null;
	/* On failure: PVGPU_FAULT_*, and for NOT_PRESENT after a walk the
	 * level of the entry that ended it (its whole span is absent). */
	uint32_t reason;
	int stop_level;		/* -1: not known (no walk) */
} FwxResult;

/* Count @fw's guest-memory reads from now on (for stop_level). */
void fwx_attach(PvgpuFw *fw);
/* Translate @va in @asid for a read: true and the page, or the fault. */
bool fwx_translate(PvgpuFw *fw, uint32_t asid, uint64_t va, FwxResult *r);

#endif /* FW_XLATE_H */
