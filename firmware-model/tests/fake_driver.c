/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stddef.h>
#include <string.h>

#include "fake_driver.h"

#define HDR_BYTES	sizeof(struct pvgpu_msg_hdr)

void fake_driver_init(FakeDriver *d, FakePlatform *fp)
{
	memset(d, 0, sizeof(*d));
	d->fp = fp;
	d->boot_desc = 0x10000;
	d->h2f_desc = 0x11000;
	d->f2h_desc = 0x12000;
	d->caps_base = 0x13000;
	d->h2f_base = 0x20000;
	d->f2h_base = 0x40000;
	d->log_base = 0x60000;
	d->h2f_size = 0x1000;
	d->f2h_size = 0x1000;
	d->log_size = 0x1000;
	d->caps_size = 0x1000;
	d->next_seqno = 1;
}

void fake_driver_write_boot_desc(FakeDriver *d)
{
	struct pvgpu_boot_desc desc = { 0 };

	desc.magic = GUINT32_TO_LE(PVGPU_BOOT_MAGIC);
	desc.iface_version = GUINT32_TO_LE(
		PVGPU_IFACE_VERSION(PVGPU_IFACE_MAJOR, PVGPU_IFACE_MINOR));
	desc.h2f_desc = GUINT64_TO_LE(d->h2f_desc);
	desc.h2f_base = GUINT64_TO_LE(d->h2f_base);
	desc.f2h_desc = GUINT64_TO_LE(d->f2h_desc);
	desc.f2h_base = GUINT64_TO_LE(d->f2h_base);
	desc.h2f_size = GUINT32_TO_LE(d->h2f_size);
	desc.f2h_size = GUINT32_TO_LE(d->f2h_size);
	desc.log_base = GUINT64_TO_LE(d->log_base);
	desc.log_size = GUINT32_TO_LE(d->log_size);
	desc.caps_base = GUINT64_TO_LE(d->caps_base);
	desc.caps_size = GUINT32_TO_LE(d->caps_size);
	g_assert_cmpuint(d->boot_desc + sizeof(desc), <=, FAKE_RAM_SIZE);
	memcpy(d->fp->ram + d->boot_desc, &desc, sizeof(desc));

	/* Empty rings; the driver owns this memory until boot. */
	if (d->h2f_desc + sizeof(struct pvgpu_ring_desc) <= FAKE_RAM_SIZE)
		memset(d->fp->ram + d->h2f_desc, 0,
		       sizeof(struct pvgpu_ring_desc));
	if (d->f2h_desc + sizeof(struct pvgpu_ring_desc) <= FAKE_RAM_SIZE)
		memset(d->fp->ram + d->f2h_desc, 0,
		       sizeof(struct pvgpu_ring_desc));
}

void fake_driver_start_boot(FakeDriver *d)
{
	fake_reg_write(d->fp, PVGPU_REG_IRQ_MASK, PVGPU_IRQ_ALL);
	fake_reg_write(d->fp, PVGPU_REG_FW_BOOT_DESC_LO, (uint32_t)d->boot_desc);
	fake_reg_write(d->fp, PVGPU_REG_FW_BOOT_DESC_HI,
		       (uint32_t)(d->boot_desc >> 32));
	fake_reg_write(d->fp, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_BOOT);
}

uint32_t fake_driver_boot(FakeDriver *d)
{
	fake_driver_write_boot_desc(d);
	fake_driver_start_boot(d);
	fake_platform_run(d->fp);
	return fake_reg_read(d->fp, PVGPU_REG_FW_STATUS);
}

uint32_t fake_ring_head(FakeDriver *d, uint64_t desc)
{
	return fake_ram_rd32(d->fp, desc + offsetof(struct pvgpu_ring_desc,
						    head));
}

uint32_t fake_ring_tail(FakeDriver *d, uint64_t desc)
{
	return fake_ram_rd32(d->fp, desc + offsetof(struct pvgpu_ring_desc,
						    tail));
}

uint32_t fake_ring_status(FakeDriver *d, uint64_t desc)
{
	return fake_ram_rd32(d->fp, desc + offsetof(struct pvgpu_ring_desc,
						    status));
}

uint32_t fake_driver_h2f_free(FakeDriver *d)
{
	uint32_t head = fake_ring_head(d, d->h2f_desc);
	uint32_t tail = fake_ring_tail(d, d->h2f_desc);

	return d->h2f_size - 4 - ((tail - head) & (d->h2f_size - 1));
}

bool fake_driver_put_raw(FakeDriver *d, const void *msg, uint32_t bytes)
{
	uint32_t tail = fake_ring_tail(d, d->h2f_desc);
	const uint8_t *src = msg;

	g_assert_cmpuint(bytes % 4, ==, 0);
	if (bytes > fake_driver_h2f_free(d))
		return false;
	/* Dword by dword, wrapping at the end, as the protocol says. */
	for (uint32_t i = 0; i < bytes; i += 4) {
		memcpy(d->fp->ram + d->h2f_base + tail, src + i, 4);
		tail = (tail + 4) & (d->h2f_size - 1);
	}
	fake_ram_wr32(d->fp, d->h2f_desc + offsetof(struct pvgpu_ring_desc,
						    tail), tail);
	return true;
}

bool fake_driver_send(FakeDriver *d, uint16_t opcode, const void *payload,
		      uint16_t len_dw, uint32_t *seqno)
{
	uint8_t msg[HDR_BYTES + PVGPU_MSG_MAX_PAYLOAD_DW * 4];
	struct pvgpu_msg_hdr hdr = { 0 };

	g_assert_cmpuint(len_dw, <=, PVGPU_MSG_MAX_PAYLOAD_DW);
	hdr.opcode = GUINT16_TO_LE(opcode);
	hdr.len = GUINT16_TO_LE(len_dw);
	hdr.seqno = GUINT32_TO_LE(d->next_seqno);
	hdr.kind = GUINT16_TO_LE(PVGPU_MSG_KIND_REQUEST);
	memcpy(msg, &hdr, HDR_BYTES);
	if (len_dw)
		memcpy(msg + HDR_BYTES, payload, len_dw * 4);
	if (!fake_driver_put_raw(d, msg, HDR_BYTES + len_dw * 4))
		return false;
	if (seqno)
		*seqno = d->next_seqno;
	d->next_seqno++;
	return true;
}

void fake_driver_doorbell(FakeDriver *d)
{
	pvgpu_fw_doorbell(d->fp->fw, PVGPU_DOORBELL_GROUP_KERNEL,
			  PVGPU_DOORBELL_H2F, 1);
}

bool fake_driver_ping(FakeDriver *d, uint64_t cookie, uint32_t *seqno)
{
	struct pvgpu_msg_ping ping = { .cookie = GUINT64_TO_LE(cookie) };

	if (!fake_driver_send(d, PVGPU_H2F_PING, &ping, sizeof(ping) / 4,
			      seqno))
		return false;
	fake_driver_doorbell(d);
	fake_platform_run(d->fp);
	return true;
}

uint32_t fake_driver_f2h_used(FakeDriver *d)
{
	uint32_t head = fake_ring_head(d, d->f2h_desc);
	uint32_t tail = fake_ring_tail(d, d->f2h_desc);

	return (tail - head) & (d->f2h_size - 1);
}

static void f2h_copy(FakeDriver *d, uint32_t off, void *buf, uint32_t len)
{
	uint8_t *dst = buf;

	for (uint32_t i = 0; i < len; i += 4) {
		memcpy(dst + i, d->fp->ram + d->f2h_base + off, 4);
		off = (off + 4) & (d->f2h_size - 1);
	}
}

bool fake_driver_recv(FakeDriver *d, struct pvgpu_msg_hdr *hdr,
		      void *payload)
{
	uint32_t head = fake_ring_head(d, d->f2h_desc);
	uint32_t tail = fake_ring_tail(d, d->f2h_desc);
	uint32_t used, len, kind;

	g_assert_cmpuint(head % 4, ==, 0);
	g_assert_cmpuint(tail % 4, ==, 0);
	g_assert_cmpuint(head, <, d->f2h_size);
	g_assert_cmpuint(tail, <, d->f2h_size);
	if (head == tail)
		return false;

	used = (tail - head) & (d->f2h_size - 1);
	g_assert_cmpuint(used, >=, HDR_BYTES);
	f2h_copy(d, head, hdr, HDR_BYTES);
	len = GUINT16_FROM_LE(hdr->len);
	kind = GUINT16_FROM_LE(hdr->kind);
	g_assert_cmpuint(len, <=, PVGPU_MSG_MAX_PAYLOAD_DW);
	g_assert_cmpuint(HDR_BYTES + len * 4, <=, used);
	g_assert_true(kind == PVGPU_MSG_KIND_RESPONSE ||
		      kind == PVGPU_MSG_KIND_EVENT);
	g_assert_cmpuint(GUINT16_FROM_LE(hdr->flags), ==, 0);
	if (kind == PVGPU_MSG_KIND_EVENT)
		g_assert_cmpuint(GUINT32_FROM_LE(hdr->status), ==, 0);
	f2h_copy(d, (head + HDR_BYTES) & (d->f2h_size - 1), payload, len * 4);
	head = (head + HDR_BYTES + len * 4) & (d->f2h_size - 1);
	fake_ram_wr32(d->fp, d->f2h_desc + offsetof(struct pvgpu_ring_desc,
						    head), head);
	return true;
}

uint32_t fake_driver_expect_response(FakeDriver *d, uint16_t opcode,
				     uint32_t seqno, uint32_t status,
				     void *payload)
{
	struct pvgpu_msg_hdr hdr;
	uint32_t buf[PVGPU_MSG_MAX_PAYLOAD_DW];

	g_assert_true(fake_driver_recv(d, &hdr, payload ? payload : buf));
	g_assert_cmpuint(GUINT16_FROM_LE(hdr.kind), ==,
			 PVGPU_MSG_KIND_RESPONSE);
	g_assert_cmphex(GUINT16_FROM_LE(hdr.opcode), ==, opcode);
	g_assert_cmpuint(GUINT32_FROM_LE(hdr.seqno), ==, seqno);
	g_assert_cmpuint(GUINT32_FROM_LE(hdr.status), ==, status);
	return GUINT16_FROM_LE(hdr.len);
}

char *fake_driver_log_text(FakeDriver *d)
{
	uint64_t text = d->log_base + sizeof(struct pvgpu_log_desc);
	uint32_t size = d->log_size - sizeof(struct pvgpu_log_desc);
	uint32_t off = fake_ram_rd32(d->fp, d->log_base +
				     offsetof(struct pvgpu_log_desc,
					      write_offset));
	uint32_t wraps = fake_ram_rd32(d->fp, d->log_base +
				       offsetof(struct pvgpu_log_desc,
						wrap_count));
	GString *s = g_string_new(NULL);

	g_assert_cmpuint(off, <, size);
	if (wraps)
		g_string_append_len(s, (char *)d->fp->ram + text + off,
				    size - off);
	g_string_append_len(s, (char *)d->fp->ram + text, off);
	return g_string_free(s, FALSE);
}
