// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The firmware side of the page-table test: firmware-model/mmu.c compiled
 * into this translation unit, so the test can call its static translate()
 * (TLB lookup, then walk()) and get the page it resolved to, not just the
 * data behind it. This object then defines every external symbol of
 * mmu.c, so the linker never takes mmu.o from the pvgpu-fw archive: the
 * rest of the firmware uses this copy of the same code.
 *
 * A NOT_PRESENT fault does not say where the walk stopped; counting the
 * walk's guest-memory reads does (one entry per level), and the whole span
 * of that entry is then absent, which lets the test skip it.
 */
#include "mmu.c"

#include "fw_xlate.h"

static PvgpuFwPlatform fwx_orig;
static PvgpuFw *fwx_fw;
static unsigned int fwx_reads;

static int fwx_dma_read(void *opaque, uint64_t addr, void *buf, size_t len)
{
	fwx_reads++;
	return fwx_orig.dma_read(opaque, addr, buf, len);
}

void fwx_attach(PvgpuFw *fw)
{
	fwx_orig = fw->plat;
	fwx_fw = fw;
	fw->plat.dma_read = fwx_dma_read;
}

bool fwx_translate(PvgpuFw *fw, uint32_t asid, uint64_t va, FwxResult *r)
{
	FwXlate x = { 0 };
	FwFault f = { 0 };

	g_assert_true(fw == fwx_fw);
	*r = (FwxResult){ .stop_level = -1 };
	fwx_reads = 0;
	if (translate(fw, asid, va, PVGPU_ACCESS_READ, &x, &f)) {
		r->pa = x.pa;
		r->level = x.level;
		r->writable = x.writable;
		r->null = x.null;
		return true;
	}
	r->reason = f.reason;
	if (f.reason == PVGPU_FAULT_NOT_PRESENT && fwx_reads)
		r->stop_level = (int)PVGPU_PT_LEVELS(fw->cfg.va_bits) -
				(int)fwx_reads;
	return false;
}
