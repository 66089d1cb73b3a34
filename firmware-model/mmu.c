/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the GPU MMU.
 *
 * - Address spaces: PvgpuFwState.as[], bound and unbound by the driver
 *   (PVGPU_H2F_AS_BIND / AS_UNBIND). Migratable; checked by post_load.
 * - The walker: PVGPU_PT_LEVELS(va_bits) levels of 512-entry tables in
 *   guest memory (include/pvgpu/pvgpu_pt_format.h), 4 KiB leaves at level 0 and
 *   2 MiB / 1 GiB leaves at levels 1 / 2 where the device supports them.
 * - The TLB: FW_TLB_SETS x FW_TLB_WAYS entries tagged with (asid, level,
 *   virtual page), filled by walks and emptied only by explicit
 *   invalidation (PVGPU_H2F_TLB_INVALIDATE, AS_UNBIND, reset), so a driver
 *   that changes a valid PTE without invalidating keeps seeing the old
 *   translation. Replacement is deterministic (free way, else LRU).
 *   Entries that would fault are never trusted: a permission failure on
 *   a cached translation drops it and walks again, so every fault the
 *   engines report was confirmed against the page tables in memory.
 *
 * Specification: docs/page-tables.rst.
 */
#include <string.h>

#include "fw_internal.h"
#include "pvgpu_pt_format.h"
#include "fw_sched_internal.h"		/* fw_sched_asid_in_use() */

#define PT_PAGE_SIZE		4096u
/* Bits 4..11 and 52..63 of an entry are reserved (must be zero). */
#define PTE_RESERVED		(0xff0ull | 0xfff0000000000000ull)
/* Largest level a leaf may be at (1 GiB pages). */
#define LEAF_MAX_LEVEL		2

/* A translation, from the TLB or a walk. */
typedef struct FwXlate {
	uint64_t pa;		/* physical base of the page */
	unsigned int level;	/* 0: 4 KiB, 1: 2 MiB, 2: 1 GiB */
	bool writable;
	bool null;
} FwXlate;

/* --- Address spaces ---------------------------------------------------- */

static const PvgpuFwAs *as_get(PvgpuFw *fw, uint32_t asid)
{
	if (asid >= fw->cfg.max_address_spaces || !fw->st.as[asid].bound)
		return NULL;
	return &fw->st.as[asid];
}

bool fw_mmu_as_bound(PvgpuFw *fw, uint32_t asid)
{
	return as_get(fw, asid) != NULL;
}

bool fw_mmu_as_faultable(PvgpuFw *fw, uint32_t asid)
{
	const PvgpuFwAs *as = as_get(fw, asid);

	return as && (as->flags & PVGPU_AS_FAULTABLE);
}

const FwMmuStats *fw_mmu_stats(PvgpuFw *fw)
{
	return &fw->mmu.stats;
}

/* --- TLB --------------------------------------------------------------- */

static unsigned int level_shift(unsigned int level)
{
	return PVGPU_PT_SHIFT + PVGPU_PT_BITS_PER_LEVEL * level;
}

/* Does the device support leaves (pages) at @level? */
static bool leaf_level_ok(const PvgpuFw *fw, unsigned int level)
{
	return level <= LEAF_MAX_LEVEL &&
	       (fw->cfg.page_sizes & (1u << level_shift(level)));
}

static unsigned int tlb_set(uint32_t asid, unsigned int level, uint64_t vpn)
{
	/* Consecutive pages go to consecutive sets. */
	return (unsigned int)(vpn ^ (vpn >> 6) ^ (asid * 7u) ^ (level * 21u)) &
	       (FW_TLB_SETS - 1);
}

static FwTlbEntry *tlb_lookup(PvgpuFw *fw, uint32_t asid, uint64_t va)
{
	FwMmu *mmu = &fw->mmu;

	for (unsigned int level = 0; level <= LEAF_MAX_LEVEL; level++) {
		uint64_t vpn = va >> level_shift(level);
		FwTlbEntry *set;

		if (!leaf_level_ok(fw, level))
			continue;
		set = mmu->tlb[tlb_set(asid, level, vpn)];
		for (unsigned int w = 0; w < FW_TLB_WAYS; w++) {
			FwTlbEntry *e = &set[w];

			if (e->valid && e->asid == asid && e->level == level &&
			    e->vpn == vpn) {
				e->lru = ++mmu->clock;
				mmu->stats.tlb_hits++;
				return e;
			}
		}
	}
	mmu->stats.tlb_misses++;
	return NULL;
}

static void tlb_insert(PvgpuFw *fw, uint32_t asid, uint64_t va,
		       const FwXlate *x)
{
	FwMmu *mmu = &fw->mmu;
	uint64_t vpn = va >> level_shift(x->level);
	FwTlbEntry *set = mmu->tlb[tlb_set(asid, x->level, vpn)];
	FwTlbEntry *victim = &set[0];

	for (unsigned int w = 0; w < FW_TLB_WAYS; w++) {
		if (!set[w].valid) {
			victim = &set[w];
			break;
		}
		if (set[w].lru < victim->lru)
			victim = &set[w];
	}
	*victim = (FwTlbEntry){
		.vpn = vpn,
		.pa = x->pa,
		.lru = ++mmu->clock,
		.asid = asid,
		.valid = 1,
		.level = (uint8_t)x->level,
		.writable = x->writable,
		.null = x->null,
	};
}

/*
 * Drop entries overlapping [@va, @va + @size) of @asid; @all_va: every
 * entry of @asid; @all_asids: every entry at all. @va + @size must not
 * wrap unless @all_va or @all_asids.
 */
static void tlb_drop(PvgpuFw *fw, bool all_asids, uint32_t asid, bool all_va,
		     uint64_t va, uint64_t size)
{
	for (unsigned int s = 0; s < FW_TLB_SETS; s++) {
		for (unsigned int w = 0; w < FW_TLB_WAYS; w++) {
			FwTlbEntry *e = &fw->mmu.tlb[s][w];
			uint64_t start, end;

			if (!e->valid || (!all_asids && e->asid != asid))
				continue;
			start = e->vpn << level_shift(e->level);
			end = start + PVGPU_PT_LEVEL_SIZE(e->level);
			if (all_asids || all_va ||
			    (start < va + size && va < end))
				e->valid = 0;
		}
	}
}

void fw_mmu_reset(PvgpuFw *fw)
{
	memset(fw->st.as, 0, sizeof(fw->st.as));
	memset(fw->mmu.tlb, 0, sizeof(fw->mmu.tlb));
	fw->mmu.clock = 0;
}

/* --- Walker ------------------------------------------------------------ */

/* Walk the tables of @as for @va: 0 and *x, or a PVGPU_FAULT_* reason. */
static uint32_t walk(PvgpuFw *fw, const PvgpuFwAs *as, uint64_t va,
		     FwXlate *x)
{
	uint32_t va_bits = fw->cfg.va_bits;
	uint64_t table = as->pt_root;

	fw->mmu.stats.walks++;
	if (va >> va_bits)
		return PVGPU_FAULT_NOT_PRESENT;

	for (int level = PVGPU_PT_LEVELS(va_bits) - 1; level >= 0; level--) {
		uint64_t addr = table + 8 * PVGPU_PT_INDEX(va, level);
		uint64_t size = PVGPU_PT_LEVEL_SIZE(level);
		uint64_t pte;

		if (!fw_dma_read(fw, addr, &pte, sizeof(pte)))
			return PVGPU_FAULT_PT_DMA;
		pte = GUINT64_FROM_LE(pte);
		if (!(pte & PVGPU_PTE_VALID) || (pte & PTE_RESERVED))
			return PVGPU_FAULT_NOT_PRESENT;

		if (level > 0 && !(pte & PVGPU_PTE_LEAF)) {
			/* A table pointer: NULL only makes sense in a leaf. */
			if (pte & PVGPU_PTE_NULL)
				return PVGPU_FAULT_NOT_PRESENT;
			table = pte & PVGPU_PTE_ADDR_MASK;
			continue;
		}

		/* A leaf (level 0 entries always are; LEAF is ignored there). */
		if (!leaf_level_ok(fw, level))
			return PVGPU_FAULT_NOT_PRESENT;
		if (!(pte & PVGPU_PTE_NULL) &&
		    (pte & PVGPU_PTE_ADDR_MASK & (size - 1)))
			return PVGPU_FAULT_NOT_PRESENT;	/* misaligned page */
		x->pa = pte & PVGPU_PTE_ADDR_MASK & ~(size - 1);
		x->level = level;
		x->writable = pte & PVGPU_PTE_WRITABLE;
		x->null = pte & PVGPU_PTE_NULL;
		if (x->null)
			x->pa = 0;
		return 0;
	}
	g_assert_not_reached();
}

static bool fault_at(FwFault *fault, uint64_t va, uint32_t access,
		     uint32_t reason)
{
	fault->va = va;
	fault->access = access;
	fault->reason = reason;
	return false;
}

static bool translate(PvgpuFw *fw, uint32_t asid, uint64_t va,
		      uint32_t access, FwXlate *x, FwFault *fault)
{
	bool write = access != PVGPU_ACCESS_READ;
	const PvgpuFwAs *as = as_get(fw, asid);
	FwTlbEntry *e;
	uint32_t reason;

	if (!as)
		return fault_at(fault, va, access, PVGPU_FAULT_NO_AS);

	e = tlb_lookup(fw, asid, va);
	if (e) {
		if (!write || e->writable) {
			x->pa = e->pa;
			x->level = e->level;
			x->writable = e->writable;
			x->null = e->null;
			return true;
		}
		/* Confirm a fault against memory: drop the entry, walk. */
		e->valid = 0;
	}

	reason = walk(fw, as, va, x);
	if (reason)
		return fault_at(fault, va, access, reason);
	tlb_insert(fw, asid, va, x);
	if (write && !x->writable)
		return fault_at(fault, va, access, PVGPU_FAULT_WRITE_PROTECT);
	return true;
}

/*
 * The common loop: @rbuf (read), @wbuf (write) or neither (probe).
 */
static bool gpu_access(PvgpuFw *fw, uint32_t asid, uint64_t va, void *rbuf,
		       const void *wbuf, uint64_t len, uint32_t access,
		       FwFault *fault)
{
	uint8_t *r = rbuf;
	const uint8_t *w = wbuf;

	while (len) {
		uint64_t off, n;
		FwXlate x;
		bool ok = true;

		if (!translate(fw, asid, va, access, &x, fault))
			return false;
		off = va & (PVGPU_PT_LEVEL_SIZE(x.level) - 1);
		n = MIN(len, PVGPU_PT_LEVEL_SIZE(x.level) - off);
		if (x.null) {
			if (r)
				memset(r, 0, n);	/* writes are dropped */
		} else if (r) {
			ok = fw_dma_read(fw, x.pa + off, r, n);
		} else if (w) {
			ok = fw_dma_write(fw, x.pa + off, w, n);
		}
		if (!ok) {
			tlb_drop(fw, false, asid, false, va, 1);
			return fault_at(fault, va, access, PVGPU_FAULT_BAD_PA);
		}
		/* va < 2^57 after a translation: no wrap. */
		va += n;
		len -= n;
		if (r)
			r += n;
		if (w)
			w += n;
	}
	return true;
}

bool fw_gpu_read(PvgpuFw *fw, uint32_t asid, uint64_t va, void *buf,
		 uint64_t len, FwFault *fault)
{
	return gpu_access(fw, asid, va, buf, NULL, len, PVGPU_ACCESS_READ,
			  fault);
}

bool fw_gpu_write(PvgpuFw *fw, uint32_t asid, uint64_t va, const void *buf,
		  uint64_t len, uint32_t access, FwFault *fault)
{
	g_assert(access != PVGPU_ACCESS_READ);
	return gpu_access(fw, asid, va, NULL, buf, len, access, fault);
}

bool fw_gpu_probe(PvgpuFw *fw, uint32_t asid, uint64_t va, uint64_t len,
		  uint32_t access, FwFault *fault)
{
	return gpu_access(fw, asid, va, NULL, NULL, len, access, fault);
}

/* --- Requests ---------------------------------------------------------- */

uint32_t fw_mmu_handle_as_bind(PvgpuFw *fw, const void *req, void *resp)
{
	struct pvgpu_msg_as_bind in;
	uint64_t page[PT_PAGE_SIZE / 8];
	uint32_t asid, flags;
	uint64_t root;

	(void)resp;
	memcpy(&in, req, sizeof(in));
	asid = GUINT32_FROM_LE(in.asid);
	flags = GUINT32_FROM_LE(in.flags);
	root = GUINT64_FROM_LE(in.pt_root);

	if (asid >= fw->cfg.max_address_spaces) {
		fw_guest_error(fw, "AS_BIND: asid %u out of range (%u address "
			       "spaces)", asid, fw->cfg.max_address_spaces);
		return PVGPU_STATUS_EINVAL;
	}
	if (flags & ~PVGPU_AS_FAULTABLE) {
		fw_guest_error(fw, "AS_BIND: asid %u: unknown flags 0x%x", asid,
			       flags & ~PVGPU_AS_FAULTABLE);
		return PVGPU_STATUS_EINVAL;
	}
	if ((flags & PVGPU_AS_FAULTABLE) && !fw->cfg.page_faults) {
		fw_guest_error(fw, "AS_BIND: asid %u: FAULTABLE, but the device "
			       "has no recoverable page faults", asid);
		return PVGPU_STATUS_EINVAL;
	}
	if (root & ~PVGPU_PTE_ADDR_MASK) {
		fw_guest_error(fw, "AS_BIND: asid %u: pt_root 0x%" PRIx64
			       " not a 4 KiB aligned 52-bit address", asid,
			       root);
		return PVGPU_STATUS_EINVAL;
	}
	if (fw->st.as[asid].bound) {
		fw_log(fw, PVGPU_LOG_LEVEL_WARN, "AS_BIND: asid %u already "
		       "bound", asid);
		return PVGPU_STATUS_EBUSY;
	}
	if (!fw_dma_read(fw, root, page, sizeof(page))) {
		fw_log(fw, PVGPU_LOG_LEVEL_WARN, "AS_BIND: asid %u: pt_root "
		       "0x%" PRIx64 " is not guest memory", asid, root);
		return PVGPU_STATUS_EFAULT;
	}

	fw->st.as[asid] = (PvgpuFwAs){
		.pt_root = root, .flags = flags, .bound = 1,
	};
	/* Nothing of an earlier binding may survive. */
	tlb_drop(fw, false, asid, true, 0, 0);
	fw_trace(fw, "as_bind", asid, root);
	fw_log(fw, PVGPU_LOG_LEVEL_DEBUG, "asid %u bound, root 0x%" PRIx64
	       "%s", asid, root,
	       (flags & PVGPU_AS_FAULTABLE) ? ", faultable" : "");
	return PVGPU_STATUS_OK;
}

uint32_t fw_mmu_handle_as_unbind(PvgpuFw *fw, const void *req, void *resp)
{
	struct pvgpu_msg_as_unbind in;
	uint32_t asid;

	(void)resp;
	memcpy(&in, req, sizeof(in));
	asid = GUINT32_FROM_LE(in.asid);
	if (in.reserved) {
		fw_guest_error(fw, "AS_UNBIND: reserved 0x%x must be zero",
			       GUINT32_FROM_LE(in.reserved));
		return PVGPU_STATUS_EINVAL;
	}
	if (asid >= fw->cfg.max_address_spaces) {
		fw_guest_error(fw, "AS_UNBIND: asid %u out of range (%u address "
			       "spaces)", asid, fw->cfg.max_address_spaces);
		return PVGPU_STATUS_EINVAL;
	}
	if (!fw->st.as[asid].bound) {
		fw_log(fw, PVGPU_LOG_LEVEL_WARN, "AS_UNBIND: asid %u not bound",
		       asid);
		return PVGPU_STATUS_ENOENT;
	}
	if (fw_sched_asid_in_use(fw, asid)) {
		fw_log(fw, PVGPU_LOG_LEVEL_WARN, "AS_UNBIND: asid %u still has "
		       "queues", asid);
		return PVGPU_STATUS_EBUSY;
	}

	memset(&fw->st.as[asid], 0, sizeof(fw->st.as[asid]));
	tlb_drop(fw, false, asid, true, 0, 0);
	fw->mmu.stats.invalidations++;
	fw_trace(fw, "as_unbind", asid, 0);
	fw_log(fw, PVGPU_LOG_LEVEL_DEBUG, "asid %u unbound", asid);
	return PVGPU_STATUS_OK;
}

uint32_t fw_mmu_handle_tlb_invalidate(PvgpuFw *fw, const void *req,
				      void *resp)
{
	struct pvgpu_msg_tlb_invalidate in;
	uint32_t asid, flags;
	uint64_t va, size;

	(void)resp;
	memcpy(&in, req, sizeof(in));
	asid = GUINT32_FROM_LE(in.asid);
	flags = GUINT32_FROM_LE(in.flags);
	va = GUINT64_FROM_LE(in.va);
	size = GUINT64_FROM_LE(in.size);

	if (asid >= fw->cfg.max_address_spaces) {
		fw_guest_error(fw, "TLB_INVALIDATE: asid %u out of range (%u "
			       "address spaces)", asid,
			       fw->cfg.max_address_spaces);
		return PVGPU_STATUS_EINVAL;
	}
	if (flags & ~PVGPU_TLB_INV_ALL) {
		fw_guest_error(fw, "TLB_INVALIDATE: unknown flags 0x%x",
			       flags & ~PVGPU_TLB_INV_ALL);
		return PVGPU_STATUS_EINVAL;
	}
	if (!(flags & PVGPU_TLB_INV_ALL) && (!size || va + size < va)) {
		fw_guest_error(fw, "TLB_INVALIDATE: asid %u: range 0x%" PRIx64
			       " + 0x%" PRIx64 " empty or wrapping", asid, va,
			       size);
		return PVGPU_STATUS_EINVAL;
	}

	/* An unbound asid has no entries: nothing to do, and that is fine. */
	tlb_drop(fw, false, asid, flags & PVGPU_TLB_INV_ALL, va, size);
	fw->mmu.stats.invalidations++;
	fw_trace(fw, "tlb_invalidate", asid, va);
	return PVGPU_STATUS_OK;
}

/* --- Migration --------------------------------------------------------- */

const char *fw_mmu_post_load(PvgpuFw *fw)
{
	static const PvgpuFwAs unbound;

	/* The TLB is derived state: start empty, refill from the tables. */
	memset(fw->mmu.tlb, 0, sizeof(fw->mmu.tlb));
	fw->mmu.clock = 0;

	for (uint32_t asid = 0; asid < PVGPU_FW_MAX_AS; asid++) {
		const PvgpuFwAs *as = &fw->st.as[asid];

		if (!as->bound) {
			if (memcmp(as, &unbound, sizeof(*as)))
				return "unbound address space not zero";
			continue;
		}
		if (as->bound != 1)
			return "address space bound flag not 0/1";
		if (fw->st.fw_status != PVGPU_FW_STATE_RUNNING)
			return "address space bound while not RUNNING";
		if (asid >= fw->cfg.max_address_spaces)
			return "bound asid beyond max_address_spaces";
		if (as->flags & ~PVGPU_AS_FAULTABLE)
			return "unknown address space flags";
		if ((as->flags & PVGPU_AS_FAULTABLE) && !fw->cfg.page_faults)
			return "faultable address space without page faults";
		if (as->pt_root & ~PVGPU_PTE_ADDR_MASK)
			return "address space pt_root misaligned";
	}
	return NULL;
}
