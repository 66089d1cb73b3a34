/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: shared-memory ring primitives.
 *
 * A ring is a struct pvgpu_ring_desc (head, tail, status) plus a buffer of
 * a power-of-two number of bytes. Pointers are byte offsets, multiples of 4,
 * below the size; data wraps around the end dword by dword, so every copy
 * here may be split in two. These helpers know nothing of messages.
 */
#include <stddef.h>

#include "fw_internal.h"

void fw_ring_h2f(const PvgpuFw *fw, FwRing *r)
{
	r->name = "H2F";
	r->desc = fw->st.h2f_desc;
	r->base = fw->st.h2f_base;
	r->size = fw->st.h2f_size;
}

void fw_ring_f2h(const PvgpuFw *fw, FwRing *r)
{
	r->name = "F2H";
	r->desc = fw->st.f2h_desc;
	r->base = fw->st.f2h_base;
	r->size = fw->st.f2h_size;
}

bool fw_ring_ptr_valid(const FwRing *r, uint32_t ptr)
{
	return ptr < r->size && !(ptr & 3);
}

uint32_t fw_ring_distance(const FwRing *r, uint32_t from, uint32_t to)
{
	return (to - from) & (r->size - 1);
}

uint32_t fw_ring_free(const FwRing *r, uint32_t head, uint32_t tail)
{
	return r->size - 4 - fw_ring_distance(r, head, tail);
}

bool fw_ring_read_ptrs(PvgpuFw *fw, const FwRing *r, uint32_t *head,
		       uint32_t *tail)
{
	uint32_t ptrs[2];

	/* head and tail are adjacent: one read gives a consistent pair. */
	G_STATIC_ASSERT(offsetof(struct pvgpu_ring_desc, tail) ==
			offsetof(struct pvgpu_ring_desc, head) + 4);
	if (!fw_dma_read(fw, r->desc + offsetof(struct pvgpu_ring_desc, head),
			 ptrs, sizeof(ptrs)))
		return false;
	*head = GUINT32_FROM_LE(ptrs[0]);
	*tail = GUINT32_FROM_LE(ptrs[1]);
	return true;
}

static bool write_le32(PvgpuFw *fw, uint64_t addr, uint32_t value)
{
	uint32_t le = GUINT32_TO_LE(value);

	return fw_dma_write(fw, addr, &le, sizeof(le));
}

bool fw_ring_write_head(PvgpuFw *fw, const FwRing *r, uint32_t head)
{
	return write_le32(fw, r->desc + offsetof(struct pvgpu_ring_desc, head),
			  head);
}

bool fw_ring_write_tail(PvgpuFw *fw, const FwRing *r, uint32_t tail)
{
	return write_le32(fw, r->desc + offsetof(struct pvgpu_ring_desc, tail),
			  tail);
}

/* Only the firmware writes status, so read-modify-write is race free. */
bool fw_ring_set_status(PvgpuFw *fw, const FwRing *r, uint32_t bits)
{
	uint64_t addr = r->desc + offsetof(struct pvgpu_ring_desc, status);
	uint32_t le;

	if (!fw_dma_read(fw, addr, &le, sizeof(le)))
		return false;
	return write_le32(fw, addr, GUINT32_FROM_LE(le) | bits);
}

bool fw_ring_clear_status(PvgpuFw *fw, const FwRing *r)
{
	return write_le32(fw,
			  r->desc + offsetof(struct pvgpu_ring_desc, status),
			  0);
}

bool fw_ring_copy_from(PvgpuFw *fw, const FwRing *r, uint32_t off,
		       void *buf, uint32_t len)
{
	uint32_t first;

	g_assert(off < r->size && len <= r->size);
	first = MIN(len, r->size - off);
	if (!fw_dma_read(fw, r->base + off, buf, first))
		return false;
	if (first < len &&
	    !fw_dma_read(fw, r->base, (uint8_t *)buf + first, len - first))
		return false;
	return true;
}

bool fw_ring_copy_to(PvgpuFw *fw, const FwRing *r, uint32_t off,
		     const void *buf, uint32_t len)
{
	uint32_t first;

	g_assert(off < r->size && len <= r->size);
	first = MIN(len, r->size - off);
	if (!fw_dma_write(fw, r->base + off, buf, first))
		return false;
	if (first < len &&
	    !fw_dma_write(fw, r->base, (const uint8_t *)buf + first,
			  len - first))
		return false;
	return true;
}
