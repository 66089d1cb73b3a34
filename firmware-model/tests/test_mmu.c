/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The GPU MMU: address-space binding, the page-table walk at every level
 * and in every configuration, NULL and read-only pages, every fault
 * reason, and the TLB (hits, misses, stale translations until
 * TLB_INVALIDATE, replacement), migration of the address-space table.
 */
#include <string.h>

#include "gpu_helpers.h"
#include "mmu.h"

#define ASID		3
#define RW		PVGPU_PTE_WRITABLE
#define RO		0ull

static GpuEnv *env_va(uint32_t va_bits, uint32_t page_sizes)
{
	PvgpuFwConfig cfg;

	pvgpu_fw_config_default(&cfg);
	if (va_bits)
		cfg.va_bits = va_bits;
	if (page_sizes)
		cfg.page_sizes = page_sizes;
	return gpu_env_new(&cfg, 0);
}

static void vm_new(GpuVm *vm, GpuEnv *g, uint32_t asid)
{
	gpu_vm_init(vm, g, asid);
	g_assert_cmpuint(gpu_vm_bind(vm, 0), ==, PVGPU_STATUS_OK);
}

static void fill_pattern(GpuEnv *g, uint64_t pa, uint64_t len, uint32_t seed)
{
	for (uint64_t i = 0; i < len; i += 4)
		fake_ram_wr32(g->fp, pa + i, seed + (uint32_t)i * 0x9e3779b1u);
}

static uint32_t gread32(GpuEnv *g, uint32_t asid, uint64_t va)
{
	FwFault f;
	uint32_t v;

	g_assert_true(fw_gpu_read(g->fw, asid, va, &v, 4, &f));
	return GUINT32_FROM_LE(v);
}

static void gwrite32(GpuEnv *g, uint32_t asid, uint64_t va, uint32_t v)
{
	FwFault f;

	v = GUINT32_TO_LE(v);
	g_assert_true(fw_gpu_write(g->fw, asid, va, &v, 4, PVGPU_ACCESS_WRITE,
				   &f));
}

static void expect_read_fault(GpuEnv *g, uint32_t asid, uint64_t va,
			      uint64_t len, uint64_t fault_va, uint32_t reason)
{
	uint8_t buf[64];
	FwFault f = { 0 };

	g_assert_cmpuint(len, <=, sizeof(buf));
	g_assert_false(fw_gpu_read(g->fw, asid, va, buf, len, &f));
	g_assert_cmphex(f.va, ==, fault_va);
	g_assert_cmpuint(f.access, ==, PVGPU_ACCESS_READ);
	g_assert_cmpuint(f.reason, ==, reason);
}

static void expect_write_fault(GpuEnv *g, uint32_t asid, uint64_t va,
			       uint32_t access, uint32_t reason)
{
	uint32_t v = 0xdeadbeef;
	FwFault f = { 0 };

	g_assert_false(fw_gpu_write(g->fw, asid, va, &v, 4, access, &f));
	g_assert_cmphex(f.va, ==, va);
	g_assert_cmpuint(f.access, ==, access);
	g_assert_cmpuint(f.reason, ==, reason);
}

/* --- Walks ------------------------------------------------------------- */

/* 4 KiB, 2 MiB and 1 GiB leaves side by side, accesses across them. */
static void test_walk_levels(void)
{
	GpuEnv *g = env_va(0, 0);
	uint64_t pa4k, pa2m, pa1g = 0;
	uint64_t va4k = 0x7f1234567000ull, va2m = 0x7f1200000000ull;
	uint64_t va1g = 0x40000000ull;
	uint8_t buf[8192], ref[8192];
	GpuVm vm;
	FwFault f;

	vm_new(&vm, g, ASID);
	pa4k = gpu_alloc(g, 2 * GPU_4K, GPU_4K);
	pa2m = gpu_alloc(g, GPU_2M, GPU_2M);
	fill_pattern(g, pa4k, 2 * GPU_4K, 1);
	fill_pattern(g, pa2m, GPU_2M, 2);
	/* Two 4 KiB pages mapped in reverse order. */
	gpu_vm_map(&vm, va4k, pa4k + GPU_4K, GPU_4K, GPU_4K, RW);
	gpu_vm_map(&vm, va4k + GPU_4K, pa4k, GPU_4K, GPU_4K, RW);
	gpu_vm_map(&vm, va2m, pa2m, GPU_2M, GPU_2M, RW);
	/* A 1 GiB page of address 0: only its first 64 MiB are RAM. */
	gpu_vm_map(&vm, va1g, pa1g, GPU_1G, GPU_1G, RO);

	g_assert_cmphex(gread32(g, ASID, va4k), ==,
			fake_ram_rd32(g->fp, pa4k + GPU_4K));
	g_assert_cmphex(gread32(g, ASID, va4k + GPU_4K + 0xffc), ==,
			fake_ram_rd32(g->fp, pa4k + 0xffc));
	/* Across the two 4 KiB pages. */
	g_assert_true(fw_gpu_read(g->fw, ASID, va4k + 0x800, buf, GPU_4K, &f));
	memcpy(ref, g->fp->ram + pa4k + GPU_4K + 0x800, 0x800);
	memcpy(ref + 0x800, g->fp->ram + pa4k, 0x800);
	g_assert_cmpmem(buf, GPU_4K, ref, GPU_4K);

	/* Inside the 2 MiB page at several offsets. */
	for (uint64_t off = 0; off < GPU_2M; off += 0x3f004)
		g_assert_cmphex(gread32(g, ASID, va2m + off), ==,
				fake_ram_rd32(g->fp, pa2m + off));
	/* Across its end: the next 2 MiB is not mapped. */
	expect_read_fault(g, ASID, va2m + GPU_2M - 4, 8, va2m + GPU_2M,
			  PVGPU_FAULT_NOT_PRESENT);

	/* The 1 GiB page: VA 1 GiB + x is PA x. */
	g_assert_cmphex(gread32(g, ASID, va1g + pa2m + 0x1230), ==,
			fake_ram_rd32(g->fp, pa2m + 0x1230));
	/* Writes to it are refused (read-only)... */
	expect_write_fault(g, ASID, va1g + pa2m, PVGPU_ACCESS_WRITE,
			   PVGPU_FAULT_WRITE_PROTECT);
	/* ... and beyond RAM, the translation's PA fails DMA. */
	expect_read_fault(g, ASID, va1g + g->fp->ram_size, 4,
			  va1g + g->fp->ram_size, PVGPU_FAULT_BAD_PA);

	/* Writes reach the right place, little-endian. */
	gwrite32(g, ASID, va2m + 0x100, 0x11223344);
	g_assert_cmphex(g->fp->ram[pa2m + 0x100], ==, 0x44);
	g_assert_cmphex(g->fp->ram[pa2m + 0x103], ==, 0x11);
	/* A write across 4 KiB pages that are not contiguous in RAM. */
	memset(buf, 0xa5, 16);
	g_assert_true(fw_gpu_write(g->fw, ASID, va4k + GPU_4K - 8, buf, 16,
				   PVGPU_ACCESS_WRITE, &f));
	g_assert_cmphex(fake_ram_rd64(g->fp, pa4k + 2 * GPU_4K - 8), ==,
			0xa5a5a5a5a5a5a5a5ull);
	g_assert_cmphex(fake_ram_rd64(g->fp, pa4k), ==, 0xa5a5a5a5a5a5a5a5ull);
	g_assert_cmpuint(fake_platform_error_count(g->fp), ==, 0);
	gpu_env_free(g);
}

/* The VA widths test_va_bits() covers. */
static const unsigned int va_bits_cases[] = { 32, 39, 48, 57 };

/* The highest and lowest mappable pages of 32-, 39-, 48- and 57-bit VAs. */
static void test_va_bits(gconstpointer data)
{
	uint32_t va_bits = GPOINTER_TO_UINT(data);
	GpuEnv *g = env_va(va_bits, 0);
	uint64_t top = (1ull << va_bits) - GPU_4K;
	uint64_t pa;
	GpuVm vm;

	vm_new(&vm, g, 0);
	g_assert_cmpuint(vm.levels, ==, va_bits == 32 ? 3 : va_bits == 39 ? 3 :
			 va_bits == 48 ? 4 : 5);
	pa = gpu_vm_alloc(&vm, top, GPU_4K, RW);
	gpu_vm_map(&vm, 0, pa, GPU_4K, GPU_4K, RW);
	gwrite32(g, 0, top + 0xffc, 0xcafe0000 + va_bits);
	g_assert_cmphex(fake_ram_rd32(g->fp, pa + 0xffc), ==,
			0xcafe0000 + va_bits);
	g_assert_cmphex(gread32(g, 0, 0xffc), ==, 0xcafe0000 + va_bits);

	/* One byte past the top: a VA bit above va_bits. */
	expect_read_fault(g, 0, top + 0xffc, 8, top + GPU_4K,
			  PVGPU_FAULT_NOT_PRESENT);
	/* Sign-extended ("canonical") addresses are not special. */
	expect_read_fault(g, 0, ~0ull << va_bits, 4, ~0ull << va_bits,
			  PVGPU_FAULT_NOT_PRESENT);
	expect_read_fault(g, 0, 1ull << 63, 4, 1ull << 63,
			  PVGPU_FAULT_NOT_PRESENT);
	gpu_env_free(g);
}

/* A leaf at a level whose page size the device lacks is not present. */
static void test_unsupported_page_size(void)
{
	GpuEnv *g = env_va(0, (1u << 12) | (1u << 21));	/* no 1 GiB */
	GpuVm vm;
	uint64_t pa2m;

	vm_new(&vm, g, 0);
	pa2m = gpu_alloc(g, GPU_2M, GPU_2M);
	gpu_vm_map(&vm, GPU_2M, pa2m, GPU_2M, GPU_2M, RW);
	gpu_vm_map(&vm, GPU_1G, 0, GPU_1G, GPU_1G, RW);
	gread32(g, 0, GPU_2M + 8);
	expect_read_fault(g, 0, GPU_1G + 8, 4, GPU_1G + 8,
			  PVGPU_FAULT_NOT_PRESENT);
	gpu_env_free(g);

	g = env_va(0, 1u << 12);	/* 4 KiB only */
	vm_new(&vm, g, 0);
	pa2m = gpu_alloc(g, GPU_2M, GPU_2M);
	gpu_vm_map(&vm, GPU_2M, pa2m, GPU_2M, GPU_2M, RW);
	expect_read_fault(g, 0, GPU_2M, 4, GPU_2M, PVGPU_FAULT_NOT_PRESENT);
	/* Make it a 4 KiB-page table instead: fine (after invalidation). */
	gpu_vm_unmap(&vm, GPU_2M, GPU_2M, GPU_2M);
	gpu_vm_map(&vm, GPU_2M, pa2m, GPU_2M, GPU_4K, RW);
	g_assert_cmphex(gread32(g, 0, GPU_2M + 0x5004), ==,
			fake_ram_rd32(g->fp, pa2m + 0x5004));
	gpu_env_free(g);
}

/* NULL pages read zero and drop writes, at 4 KiB and 2 MiB. */
static void test_null_pages(void)
{
	GpuEnv *g = env_va(0, 0);
	uint64_t pa = gpu_alloc(g, GPU_4K, GPU_4K);
	uint8_t buf[32], zero[32] = { 0 };
	GpuVm vm;
	FwFault f;

	vm_new(&vm, g, 0);
	fill_pattern(g, pa, GPU_4K, 7);
	memset(g->fp->ram, 0xff, GPU_4K);	/* physical page 0 too */
	/* A NULL page whose address field points at real data. */
	gpu_vm_map(&vm, 0x10000, 0, GPU_4K, GPU_4K, RW | PVGPU_PTE_NULL);
	fake_ram_wr64(g->fp, gpu_vm_pte_addr(&vm, 0x10000, 0),
		      pa | PVGPU_PTE_VALID | PVGPU_PTE_WRITABLE |
		      PVGPU_PTE_NULL);
	gpu_vm_map(&vm, 0x11000, pa, GPU_4K, GPU_4K, RW);
	gpu_vm_map(&vm, GPU_2M, 0, GPU_2M, GPU_2M, RW | PVGPU_PTE_NULL);
	gpu_vm_map(&vm, 2 * GPU_2M, 0, GPU_2M, GPU_2M, RO | PVGPU_PTE_NULL);

	g_assert_true(fw_gpu_read(g->fw, 0, 0x10ff0, buf, 32, &f));
	/* 16 zero bytes, then the real page behind it. */
	g_assert_cmpmem(buf, 16, zero, 16);
	g_assert_cmpmem(buf + 16, 16, g->fp->ram + pa, 16);
	memset(buf, 0x5a, sizeof(buf));
	g_assert_true(fw_gpu_write(g->fw, 0, 0x10000, buf, 32,
				   PVGPU_ACCESS_WRITE, &f));
	g_assert_cmphex(fake_ram_rd32(g->fp, pa), ==, 7);	/* untouched */
	g_assert_cmphex(gread32(g, 0, 0x10000), ==, 0);

	g_assert_true(fw_gpu_read(g->fw, 0, GPU_2M + 0x1ffff0, buf, 16, &f));
	g_assert_cmpmem(buf, 16, zero, 16);
	g_assert_true(fw_gpu_write(g->fw, 0, GPU_2M + 8, buf, 8,
				   PVGPU_ACCESS_ATOMIC, &f));
	g_assert_true(fw_gpu_probe(g->fw, 0, GPU_2M, GPU_2M,
				   PVGPU_ACCESS_WRITE, &f));
	/* A read-only NULL page still refuses writes. */
	g_assert_cmphex(gread32(g, 0, 2 * GPU_2M + 64), ==, 0);
	expect_write_fault(g, 0, 2 * GPU_2M + 64, PVGPU_ACCESS_WRITE,
			   PVGPU_FAULT_WRITE_PROTECT);
	gpu_env_free(g);
}

static void test_read_only(void)
{
	GpuEnv *g = env_va(0, 0);
	GpuVm vm;
	uint64_t pa;
	FwFault f;

	vm_new(&vm, g, 0);
	pa = gpu_vm_alloc(&vm, 0x200000, GPU_4K, RO);
	gpu_vm_alloc(&vm, 0x1ff000, GPU_4K, RW);
	fake_ram_wr32(g->fp, pa + 16, 0x1234);
	g_assert_cmphex(gread32(g, 0, 0x200010), ==, 0x1234);
	expect_write_fault(g, 0, 0x200010, PVGPU_ACCESS_WRITE,
			   PVGPU_FAULT_WRITE_PROTECT);
	expect_write_fault(g, 0, 0x200010, PVGPU_ACCESS_ATOMIC,
			   PVGPU_FAULT_WRITE_PROTECT);
	g_assert_cmphex(fake_ram_rd32(g->fp, pa + 16), ==, 0x1234);
	/* A write that starts in the writable page faults at the boundary. */
	g_assert_false(fw_gpu_probe(g->fw, 0, 0x1ffffc, 8, PVGPU_ACCESS_WRITE,
				    &f));
	g_assert_cmphex(f.va, ==, 0x200000);
	g_assert_cmpuint(f.reason, ==, PVGPU_FAULT_WRITE_PROTECT);
	g_assert_true(fw_gpu_probe(g->fw, 0, 0x1ffffc, 8, PVGPU_ACCESS_READ,
				   &f));

	/*
	 * The driver makes it writable without invalidating: the failing
	 * cached translation is dropped and the walk finds the new entry.
	 */
	fake_ram_wr64(g->fp, gpu_vm_pte_addr(&vm, 0x200000, 0),
		      pa | PVGPU_PTE_VALID | PVGPU_PTE_WRITABLE);
	gwrite32(g, 0, 0x200010, 0x5678);
	g_assert_cmphex(fake_ram_rd32(g->fp, pa + 16), ==, 0x5678);
	gpu_env_free(g);
}

/* Every way an entry can be malformed reads as "not present". */
static void test_bad_entries(void)
{
	GpuEnv *g = env_va(0, 0);
	uint64_t va = 0x123456789000ull, pa, leaf, table;
	GpuVm vm;

	vm_new(&vm, g, 0);
	pa = gpu_vm_alloc(&vm, va, GPU_4K, RW);
	leaf = gpu_vm_pte_addr(&vm, va, 0);
	table = gpu_vm_pte_addr(&vm, va, 1);	/* points to the leaf's table */
	gread32(g, 0, va);

	for (int bit = 0; bit < 64; bit++) {
		uint64_t good = pa | PVGPU_PTE_VALID | PVGPU_PTE_WRITABLE;
		bool reserved = (bit >= 4 && bit <= 11) || bit >= 52;
		uint64_t tgood = fake_ram_rd64(g->fp, table);

		if (!reserved)
			continue;
		fake_ram_wr64(g->fp, leaf, good | (1ull << bit));
		g_assert_cmpuint(gpu_tlb_invalidate(g, 0, 0, 0), ==, 0);
		expect_read_fault(g, 0, va, 4, va, PVGPU_FAULT_NOT_PRESENT);
		fake_ram_wr64(g->fp, leaf, good);

		fake_ram_wr64(g->fp, table, tgood | (1ull << bit));
		expect_read_fault(g, 0, va, 4, va, PVGPU_FAULT_NOT_PRESENT);
		fake_ram_wr64(g->fp, table, tgood);
		gread32(g, 0, va);
	}

	gpu_tlb_invalidate(g, 0, 0, 0);
	/* Not VALID. */
	fake_ram_wr64(g->fp, leaf, pa | PVGPU_PTE_WRITABLE);
	expect_read_fault(g, 0, va, 4, va, PVGPU_FAULT_NOT_PRESENT);
	/* LEAF is ignored at level 0. */
	fake_ram_wr64(g->fp, leaf, pa | PVGPU_PTE_VALID | PVGPU_PTE_LEAF);
	gread32(g, 0, va);
	gpu_tlb_invalidate(g, 0, 0, 0);
	/* NULL in a table entry. */
	fake_ram_wr64(g->fp, table, fake_ram_rd64(g->fp, table) |
		      PVGPU_PTE_NULL);
	expect_read_fault(g, 0, va, 4, va, PVGPU_FAULT_NOT_PRESENT);
	/* A 2 MiB leaf whose address is not 2 MiB aligned. */
	fake_ram_wr64(g->fp, table, 0x201000 | PVGPU_PTE_VALID |
		      PVGPU_PTE_LEAF);
	expect_read_fault(g, 0, va, 4, va, PVGPU_FAULT_NOT_PRESENT);
	fake_ram_wr64(g->fp, table, 0x200000 | PVGPU_PTE_VALID |
		      PVGPU_PTE_LEAF);
	gread32(g, 0, va);
	/* A leaf at level 3 (512 GiB pages do not exist). */
	fake_ram_wr64(g->fp, vm.root + 8 * PVGPU_PT_INDEX(0x8000000000ull, 3),
		      PVGPU_PTE_VALID | PVGPU_PTE_LEAF);
	expect_read_fault(g, 0, 0x8000000000ull, 4, 0x8000000000ull,
			  PVGPU_FAULT_NOT_PRESENT);
	gpu_env_free(g);
}

/* Unreadable page tables and untranslatable PAs. */
static void test_dma_faults(void)
{
	GpuEnv *g = env_va(0, 0);
	uint64_t va = 0x40000000ull, table;
	GpuVm vm;

	vm_new(&vm, g, 0);
	gpu_vm_alloc(&vm, va, GPU_4K, RW);
	table = gpu_vm_pte_addr(&vm, va, 1);

	/* The level-1 entry points outside RAM. */
	fake_ram_wr64(g->fp, table, (g->fp->ram_size + GPU_4K) |
		      PVGPU_PTE_VALID);
	expect_read_fault(g, 0, va, 4, va, PVGPU_FAULT_PT_DMA);
	/* The root itself becomes inaccessible (fault injection). */
	g->fp->fail_start = vm.root;
	g->fp->fail_end = vm.root + GPU_4K;
	expect_read_fault(g, 0, va + 4, 4, va + 4, PVGPU_FAULT_PT_DMA);
	expect_write_fault(g, 0, va, PVGPU_ACCESS_WRITE, PVGPU_FAULT_PT_DMA);
	g->fp->fail_start = g->fp->fail_end = 0;

	/* A leaf whose page is beyond RAM. */
	gpu_vm_map(&vm, 0x50000000ull, g->fp->ram_size, GPU_4K, GPU_4K, RW);
	expect_read_fault(g, 0, 0x50000010ull, 4, 0x50000010ull,
			  PVGPU_FAULT_BAD_PA);
	expect_write_fault(g, 0, 0x50000010ull, PVGPU_ACCESS_WRITE,
			   PVGPU_FAULT_BAD_PA);
	gpu_env_free(g);
}

static void test_no_as(void)
{
	GpuEnv *g = env_va(0, 0);
	GpuVm vm;

	gpu_vm_init(&vm, g, 5);
	gpu_vm_alloc(&vm, 0x1000, GPU_4K, RW);
	g_assert_false(fw_mmu_as_bound(g->fw, 5));
	expect_read_fault(g, 5, 0x1000, 4, 0x1000, PVGPU_FAULT_NO_AS);
	expect_write_fault(g, 5, 0x1000, PVGPU_ACCESS_WRITE,
			   PVGPU_FAULT_NO_AS);
	expect_read_fault(g, 64, 0x1000, 4, 0x1000, PVGPU_FAULT_NO_AS);
	expect_read_fault(g, UINT32_MAX, 0x1000, 4, 0x1000, PVGPU_FAULT_NO_AS);
	g_assert_cmpuint(gpu_vm_bind(&vm, 0), ==, PVGPU_STATUS_OK);
	g_assert_true(fw_mmu_as_bound(g->fw, 5));
	g_assert_false(fw_mmu_as_faultable(g->fw, 5));
	gread32(g, 5, 0x1000);
	g_assert_cmpuint(gpu_as_unbind(g, 5), ==, PVGPU_STATUS_OK);
	expect_read_fault(g, 5, 0x1000, 4, 0x1000, PVGPU_FAULT_NO_AS);
	gpu_env_free(g);
}

/* --- TLB --------------------------------------------------------------- */

static void test_tlb_counting(void)
{
	GpuEnv *g = env_va(0, 0);
	const FwMmuStats *s = fw_mmu_stats(g->fw);
	FwMmuStats before;
	uint8_t buf[3 * 4096];
	GpuVm vm;
	FwFault f;

	vm_new(&vm, g, 0);
	gpu_vm_alloc(&vm, 0x100000, 4 * GPU_4K, RW);
	gpu_vm_map(&vm, GPU_2M, gpu_alloc(g, GPU_2M, GPU_2M), GPU_2M, GPU_2M,
		   RW);

	before = *s;
	gread32(g, 0, 0x100000);		/* miss, walk */
	gread32(g, 0, 0x100ffc);		/* hit */
	g_assert_cmpuint(s->tlb_misses - before.tlb_misses, ==, 1);
	g_assert_cmpuint(s->walks - before.walks, ==, 1);
	g_assert_cmpuint(s->tlb_hits - before.tlb_hits, ==, 1);

	before = *s;
	/* Pages 0 (hit), 1, 2 (misses) of a 3-page read from 0x100800. */
	g_assert_true(fw_gpu_read(g->fw, 0, 0x100800, buf, 2 * GPU_4K + 4,
				  &f));
	g_assert_cmpuint(s->tlb_hits - before.tlb_hits, ==, 1);
	g_assert_cmpuint(s->tlb_misses - before.tlb_misses, ==, 2);
	g_assert_cmpuint(s->walks - before.walks, ==, 2);

	/* One 2 MiB entry serves every 4 KiB page in it. */
	before = *s;
	for (uint64_t off = 0; off < GPU_2M; off += GPU_4K)
		gread32(g, 0, GPU_2M + off);
	g_assert_cmpuint(s->tlb_misses - before.tlb_misses, ==, 1);
	g_assert_cmpuint(s->tlb_hits - before.tlb_hits, ==, 511);

	/* Faults are not cached: each one walks. */
	before = *s;
	expect_read_fault(g, 0, 0x900000, 4, 0x900000,
			  PVGPU_FAULT_NOT_PRESENT);
	expect_read_fault(g, 0, 0x900000, 4, 0x900000,
			  PVGPU_FAULT_NOT_PRESENT);
	g_assert_cmpuint(s->walks - before.walks, ==, 2);

	/* Invalidation makes the next access walk again. */
	before = *s;
	g_assert_cmpuint(gpu_tlb_invalidate(g, 0, 0x100000, 1), ==, 0);
	gread32(g, 0, 0x100000);
	gread32(g, 0, 0x101000);
	g_assert_cmpuint(s->walks - before.walks, ==, 1);
	g_assert_cmpuint(s->invalidations - before.invalidations, ==, 1);
	gpu_env_free(g);
}

/* A changed PTE is not seen until the TLB entry is invalidated. */
static void test_tlb_stale(void)
{
	GpuEnv *g = env_va(0, 0);
	uint64_t va = 0x7000000000ull, pa1, pa2, pa3;
	GpuVm vm, vm2;

	vm_new(&vm, g, 1);
	vm_new(&vm2, g, 2);
	pa1 = gpu_vm_alloc(&vm, va, GPU_4K, RW);
	pa2 = gpu_alloc(g, GPU_4K, GPU_4K);
	pa3 = gpu_vm_alloc(&vm2, va, GPU_4K, RW);
	fake_ram_wr32(g->fp, pa1, 111);
	fake_ram_wr32(g->fp, pa2, 222);
	fake_ram_wr32(g->fp, pa3, 333);
	gpu_vm_alloc(&vm, va + GPU_4K, GPU_4K, RW);

	g_assert_cmpuint(gread32(g, 1, va), ==, 111);
	g_assert_cmpuint(gread32(g, 2, va), ==, 333);	/* per asid */
	gpu_vm_map(&vm, va, pa2, GPU_4K, GPU_4K, RW);
	g_assert_cmpuint(gread32(g, 1, va), ==, 111);	/* stale */
	gwrite32(g, 1, va + 4, 0xabc);			/* stale too */
	g_assert_cmphex(fake_ram_rd32(g->fp, pa1 + 4), ==, 0xabc);

	/* Ranges that do not cover the page, or another asid: no effect. */
	g_assert_cmpuint(gpu_tlb_invalidate(g, 1, va + GPU_4K, GPU_4K), ==, 0);
	g_assert_cmpuint(gpu_tlb_invalidate(g, 1, va - 16, 16), ==, 0);
	g_assert_cmpuint(gpu_tlb_invalidate(g, 2, 0, 0), ==, 0);
	g_assert_cmpuint(gread32(g, 1, va), ==, 111);
	/* One byte of overlap is enough. */
	g_assert_cmpuint(gpu_tlb_invalidate(g, 1, va + GPU_4K - 1, 2), ==, 0);
	g_assert_cmpuint(gread32(g, 1, va), ==, 222);

	/* Unmapped but cached: still visible; ALL drops it. */
	gpu_vm_unmap(&vm, va, GPU_4K, GPU_4K);
	g_assert_cmpuint(gread32(g, 1, va), ==, 222);
	g_assert_cmpuint(gpu_tlb_invalidate(g, 1, 0, 0), ==, 0);
	expect_read_fault(g, 1, va, 4, va, PVGPU_FAULT_NOT_PRESENT);
	g_assert_cmpuint(gread32(g, 2, va), ==, 333);

	/* A large page replaced by small ones, and the reverse. */
	gpu_vm_map(&vm, GPU_1G, 0, GPU_1G, GPU_1G, RW);
	g_assert_cmpuint(gread32(g, 1, GPU_1G + pa1), ==, 111);
	gpu_vm_unmap(&vm, GPU_1G, GPU_1G, GPU_1G);
	gpu_vm_map(&vm, GPU_1G + pa1, pa2, GPU_4K, GPU_4K, RW);
	g_assert_cmpuint(gread32(g, 1, GPU_1G + pa1), ==, 111);
	g_assert_cmpuint(gpu_tlb_invalidate(g, 1, GPU_1G + pa1, 4), ==, 0);
	g_assert_cmpuint(gread32(g, 1, GPU_1G + pa1), ==, 222);
	gpu_env_free(g);
}

/* The TLB is finite: touching many pages evicts, deterministically. */
static void test_tlb_replacement(void)
{
	uint64_t stats[2][3];

	for (int run = 0; run < 2; run++) {
		GpuEnv *g = env_va(0, 0);
		const FwMmuStats *s = fw_mmu_stats(g->fw);
		uint64_t pa, pa2;
		GpuVm vm;

		vm_new(&vm, g, 0);
		pa = gpu_vm_alloc(&vm, 0, 1024 * GPU_4K, RW);
		pa2 = gpu_alloc(g, GPU_4K, GPU_4K);
		fake_ram_wr32(g->fp, pa2, 0x77);
		for (int pass = 0; pass < 2; pass++)
			for (uint64_t p = 0; p < 1024; p++)
				gread32(g, 0, p * GPU_4K);
		/* 1024 pages > 256 entries: the second pass missed too. */
		g_assert_cmpuint(s->tlb_misses, >=, 2048 - 256);
		/* Page 0 was evicted long ago: its new PTE is seen. */
		gpu_vm_map(&vm, 0, pa2, GPU_4K, GPU_4K, RW);
		g_assert_cmphex(gread32(g, 0, 0), ==, 0x77);
		/* The page just used is still cached. */
		gpu_vm_map(&vm, 1023 * GPU_4K, pa2, GPU_4K, GPU_4K, RW);
		g_assert_cmphex(gread32(g, 0, 1023 * GPU_4K), ==,
				fake_ram_rd32(g->fp, pa + 1023 * GPU_4K));
		stats[run][0] = s->tlb_hits;
		stats[run][1] = s->tlb_misses;
		stats[run][2] = s->walks;
		gpu_env_free(g);
	}
	g_assert_cmpmem(stats[0], sizeof(stats[0]), stats[1], sizeof(stats[1]));
}

/* --- Requests ---------------------------------------------------------- */

static uint32_t bind_raw(GpuEnv *g, uint32_t asid, uint32_t flags,
			 uint64_t root)
{
	return gpu_as_bind(g, asid, root, flags);
}

static uint32_t tlb_inv_raw(GpuEnv *g, uint32_t asid, uint32_t flags,
			    uint64_t va, uint64_t size)
{
	struct pvgpu_msg_tlb_invalidate m = {
		.asid = GUINT32_TO_LE(asid),
		.flags = GUINT32_TO_LE(flags),
		.va = GUINT64_TO_LE(va),
		.size = GUINT64_TO_LE(size),
	};

	return gpu_request(g, PVGPU_H2F_TLB_INVALIDATE, &m, sizeof(m) / 4,
			   NULL);
}

static void test_as_requests(void)
{
	GpuEnv *g = env_va(0, 0);
	uint64_t root = gpu_alloc(g, GPU_4K, GPU_4K);
	uint64_t root2 = gpu_alloc(g, GPU_4K, GPU_4K);
	struct pvgpu_msg_as_unbind ub = { .asid = 0, .reserved = 1 };
	GpuVm vm;

	/* Field checks. */
	g_assert_cmpuint(bind_raw(g, 64, 0, root), ==, PVGPU_STATUS_EINVAL);
	g_assert_cmpuint(bind_raw(g, 0, 2, root), ==, PVGPU_STATUS_EINVAL);
	g_assert_cmpuint(bind_raw(g, 0, 0, root + 8), ==, PVGPU_STATUS_EINVAL);
	g_assert_cmpuint(bind_raw(g, 0, 0, root | (1ull << 52)), ==,
			 PVGPU_STATUS_EINVAL);
	g_assert_cmpuint(bind_raw(g, 0, 0, g->fp->ram_size), ==,
			 PVGPU_STATUS_EFAULT);
	g_assert_false(fw_mmu_as_bound(g->fw, 0));
	g_assert_cmpuint(fake_platform_count_errors(g->fp, "AS_BIND"), ==, 4);

	/* Bind, bind again, unbind, unbind again. */
	g_assert_cmpuint(bind_raw(g, 63, PVGPU_AS_FAULTABLE, root), ==, 0);
	g_assert_true(fw_mmu_as_faultable(g->fw, 63));
	g_assert_cmpuint(bind_raw(g, 63, 0, root2), ==, PVGPU_STATUS_EBUSY);
	g_assert_true(fw_mmu_as_faultable(g->fw, 63));
	g_assert_cmphex(pvgpu_fw_state(g->fw)->as[63].pt_root, ==, root);
	g_assert_cmpuint(gpu_request(g, PVGPU_H2F_AS_UNBIND, &ub,
				     sizeof(ub) / 4, NULL), ==,
			 PVGPU_STATUS_EINVAL);
	g_assert_cmpuint(gpu_as_unbind(g, 64), ==, PVGPU_STATUS_EINVAL);
	g_assert_cmpuint(gpu_as_unbind(g, 62), ==, PVGPU_STATUS_ENOENT);
	g_assert_cmpuint(gpu_as_unbind(g, 63), ==, PVGPU_STATUS_OK);
	g_assert_cmpuint(gpu_as_unbind(g, 63), ==, PVGPU_STATUS_ENOENT);
	g_assert_false(fw_mmu_as_bound(g->fw, 63));
	g_assert_cmpuint(pvgpu_fw_state(g->fw)->as[63].pt_root, ==, 0);

	/* TLB_INVALIDATE checks; an unbound asid is fine. */
	g_assert_cmpuint(tlb_inv_raw(g, 64, PVGPU_TLB_INV_ALL, 0, 0), ==,
			 PVGPU_STATUS_EINVAL);
	g_assert_cmpuint(tlb_inv_raw(g, 0, 2, 0, 4096), ==,
			 PVGPU_STATUS_EINVAL);
	g_assert_cmpuint(tlb_inv_raw(g, 0, 0, 4096, 0), ==,
			 PVGPU_STATUS_EINVAL);
	g_assert_cmpuint(tlb_inv_raw(g, 0, 0, ~0ull - 10, 11), ==,
			 PVGPU_STATUS_EINVAL);
	g_assert_cmpuint(tlb_inv_raw(g, 0, 0, ~0ull - 10, 10), ==, 0);
	g_assert_cmpuint(tlb_inv_raw(g, 0, PVGPU_TLB_INV_ALL, 5, 0), ==, 0);
	g_assert_cmpuint(tlb_inv_raw(g, 9, 0, 0, 4096), ==, 0);

	/* Unbind drops the TLB entries: a rebind sees the new tables. */
	vm_new(&vm, g, 7);
	gpu_vm_alloc(&vm, 0x1000, GPU_4K, RW);
	gwrite32(g, 7, 0x1000, 1);
	g_assert_cmpuint(gpu_as_unbind(g, 7), ==, 0);
	gpu_vm_init(&vm, g, 7);
	g_assert_cmpuint(gpu_vm_bind(&vm, 0), ==, 0);
	expect_read_fault(g, 7, 0x1000, 4, 0x1000, PVGPU_FAULT_NOT_PRESENT);
	gpu_env_free(g);
}

/* FAULTABLE needs a device with recoverable faults. */
static void test_as_faultable_needs_caps(void)
{
	PvgpuFwConfig cfg;
	GpuEnv *g;

	pvgpu_fw_config_default(&cfg);
	cfg.page_faults = false;
	g = gpu_env_new(&cfg, 0);
	g_assert_cmpuint(bind_raw(g, 0, PVGPU_AS_FAULTABLE,
				  gpu_alloc(g, GPU_4K, GPU_4K)), ==,
			 PVGPU_STATUS_EINVAL);
	g_assert_cmpuint(bind_raw(g, 0, 0, gpu_alloc(g, GPU_4K, GPU_4K)), ==,
			 0);
	gpu_env_free(g);
}

/* Config range, caps, and what a firmware reset does to the table. */
static void test_as_config_and_reset(void)
{
	PvgpuFwConfig cfg;
	struct pvgpu_fw_caps caps;
	GpuEnv *g;

	pvgpu_fw_config_default(&cfg);
	g_assert_cmpuint(cfg.max_address_spaces, ==, 64);
	cfg.max_address_spaces = 0;
	g_assert_cmpstr(pvgpu_fw_config_check(&cfg), ==, "max_address_spaces");
	cfg.max_address_spaces = PVGPU_FW_MAX_AS + 1;
	g_assert_cmpstr(pvgpu_fw_config_check(&cfg), ==, "max_address_spaces");
	cfg.max_address_spaces = PVGPU_FW_MAX_AS;
	g_assert_null(pvgpu_fw_config_check(&cfg));

	g = gpu_env_new(&cfg, 0);
	memcpy(&caps, g->fp->ram + g->d.caps_base, sizeof(caps));
	g_assert_cmpuint(GUINT32_FROM_LE(caps.max_address_spaces), ==,
			 PVGPU_FW_MAX_AS);
	g_assert_cmpuint(bind_raw(g, 255, 0, gpu_alloc(g, GPU_4K, GPU_4K)),
			 ==, 0);
	g_assert_true(fw_mmu_as_bound(g->fw, 255));

	/* FW_CTRL.RESET forgets every address space; so does a new boot. */
	fake_reg_write(g->fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	g_assert_false(fw_mmu_as_bound(g->fw, 255));
	g_assert_cmpuint(pvgpu_fw_state(g->fw)->as[255].bound, ==, 0);
	g_assert_cmpuint(fake_driver_boot(&g->d), ==, PVGPU_FW_STATE_RUNNING);
	g_assert_false(fw_mmu_as_bound(g->fw, 255));
	g_assert_cmpuint(bind_raw(g, 255, 0, gpu_alloc(g, GPU_4K, GPU_4K)),
			 ==, 0);
	/* A crash (halt) too. */
	pvgpu_fw_inject_crash(g->fw);
	g_assert_false(fw_mmu_as_bound(g->fw, 255));
	gpu_env_free(g);
}

/* post_load: the table is checked, the TLB starts empty. */
static void test_post_load(void)
{
	GpuEnv *g = env_va(0, 0);
	PvgpuFwState *st = pvgpu_fw_state(g->fw);
	PvgpuFwState saved;
	uint64_t pa2 = gpu_alloc(g, GPU_4K, GPU_4K);
	GpuVm vm;

	vm_new(&vm, g, 4);
	gpu_vm_alloc(&vm, 0x1000, GPU_4K, RW);
	fake_ram_wr32(g->fp, pa2, 0x99);
	gread32(g, 4, 0x1000);
	gpu_vm_map(&vm, 0x1000, pa2, GPU_4K, GPU_4K, RW);
	g_assert_cmphex(gread32(g, 4, 0x1000), !=, 0x99);	/* stale */
	g_assert_cmpint(pvgpu_fw_post_load(g->fw), ==, 0);
	g_assert_cmphex(gread32(g, 4, 0x1000), ==, 0x99);	/* refilled */
	saved = *st;

#define BAD_STATE(stmt, needle)						\
	do {								\
		*st = saved;						\
		stmt;							\
		fake_platform_clear_errors(g->fp);			\
		g_assert_cmpint(pvgpu_fw_post_load(g->fw), ==, -1);	\
		g_assert_true(fake_platform_has_error(g->fp, needle));	\
	} while (0)

	BAD_STATE(st->as[4].bound = 2, "bound flag");
	BAD_STATE(st->as[5].pt_root = 0x1000, "unbound address space");
	BAD_STATE(st->as[5].flags = 1, "unbound address space");
	BAD_STATE((st->as[64] = (PvgpuFwAs){ 0x1000, 0, 1 }),
		  "beyond max_address_spaces");
	BAD_STATE(st->as[4].flags = 2, "flags");
	BAD_STATE(st->as[4].pt_root |= 0x800, "pt_root");
	BAD_STATE(st->as[4].pt_root |= 1ull << 60, "pt_root");
	BAD_STATE((st->fw_status = PVGPU_FW_STATE_OFF,
		   memset(&st->h2f_desc, 0, 6 * 8 + 4 * 4)),
		  "while not RUNNING");
#undef BAD_STATE

	*st = saved;
	g_assert_cmpint(pvgpu_fw_post_load(g->fw), ==, 0);
	g_assert_cmphex(gread32(g, 4, 0x1000), ==, 0x99);
	gpu_env_free(g);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/mmu/walk/levels", test_walk_levels);
	gpu_test_add_uint_cases("/mmu/walk/va-bits-", va_bits_cases,
				G_N_ELEMENTS(va_bits_cases), test_va_bits);
	g_test_add_func("/mmu/walk/unsupported-page-size",
			test_unsupported_page_size);
	g_test_add_func("/mmu/walk/null-pages", test_null_pages);
	g_test_add_func("/mmu/walk/read-only", test_read_only);
	g_test_add_func("/mmu/walk/bad-entries", test_bad_entries);
	g_test_add_func("/mmu/walk/dma-faults", test_dma_faults);
	g_test_add_func("/mmu/walk/no-as", test_no_as);
	g_test_add_func("/mmu/tlb/counting", test_tlb_counting);
	g_test_add_func("/mmu/tlb/stale", test_tlb_stale);
	g_test_add_func("/mmu/tlb/replacement", test_tlb_replacement);
	g_test_add_func("/mmu/as/requests", test_as_requests);
	g_test_add_func("/mmu/as/faultable-needs-caps",
			test_as_faultable_needs_caps);
	g_test_add_func("/mmu/as/config-and-reset", test_as_config_and_reset);
	g_test_add_func("/mmu/as/post-load", test_post_load);
	return g_test_run();
}
