/* SPDX-License-Identifier: MIT */
/*
 * pvgpu GPU page-table format: what the driver writes and the GPU MMU
 * walks. Single definition; specification: docs/page-tables.rst.
 *
 * Page tables live in guest memory, one 4 KiB page per table, 512 64-bit
 * little-endian entries each. A VA of caps.va_bits bits is translated by
 * PVGPU_PT_LEVELS(va_bits) levels, 9 VA bits per level above the 12-bit
 * page offset; the root (level LEVELS - 1) is the address space's pt_root.
 * VA bits above va_bits must be zero (else: not present).
 *
 * An entry at level 0 maps a 4 KiB page. At level 1 and 2 an entry with
 * PVGPU_PTE_LEAF maps a 2 MiB or 1 GiB page (its address aligned to that
 * size); without it, it points to the next-level table. PVGPU_PTE_NULL in
 * a valid leaf makes a sparse page: reads return zero, writes are dropped,
 * and its address is ignored.
 */
#ifndef PVGPU_PT_FORMAT_H
#define PVGPU_PT_FORMAT_H

#define PVGPU_PT_ENTRIES		512
#define PVGPU_PT_SHIFT			12
#define PVGPU_PT_BITS_PER_LEVEL		9
#define PVGPU_PT_LEVELS(va_bits) \
	(((va_bits) - PVGPU_PT_SHIFT + PVGPU_PT_BITS_PER_LEVEL - 1) / \
	 PVGPU_PT_BITS_PER_LEVEL)
/* Bytes one entry at @level maps: 4 KiB, 2 MiB, 1 GiB, 512 GiB, ... */
#define PVGPU_PT_LEVEL_SIZE(level) \
	(1ull << (PVGPU_PT_SHIFT + PVGPU_PT_BITS_PER_LEVEL * (level)))
#define PVGPU_PT_INDEX(va, level) \
	(((va) >> (PVGPU_PT_SHIFT + PVGPU_PT_BITS_PER_LEVEL * (level))) & \
	 (PVGPU_PT_ENTRIES - 1))

#define PVGPU_PTE_VALID			(1ull << 0)
#define PVGPU_PTE_WRITABLE		(1ull << 1)
#define PVGPU_PTE_LEAF			(1ull << 2)	/* level 1/2: large page */
#define PVGPU_PTE_NULL			(1ull << 3)	/* sparse page */
/* Bits 4..11 and 52..63 are reserved and must be zero. */
#define PVGPU_PTE_ADDR_MASK		0x000ffffffffff000ull

#endif /* PVGPU_PT_FORMAT_H */
