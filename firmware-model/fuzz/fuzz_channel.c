/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_channel: a firmware booted by the fake driver, then the input as a
 * sequence of guest actions on the message channel and the registers.
 */
#include "fuzz_common.h"
#include "fake_driver.h"

#define MAX_ACTIONS	128
#define SCRATCH		0x80000ull	/* input-filled area for descriptors */
#define SCRATCH_SIZE	0x10000ull

/* Every request the firmware knows: the table in pvgpu_fwif.h. */
#define H2F_OPCODE(name, op, req_dw, resp_dw)	PVGPU_H2F_##name,
static const uint16_t opcodes[] = {
	PVGPU_H2F_TABLE(H2F_OPCODE)
};
#undef H2F_OPCODE

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	fz_init();
	return 0;
}

/* Append at the guest-visible tail (masked: the fuzzer's own safety). */
static void put(FakeDriver *d, const uint8_t *msg, uint32_t bytes)
{
	uint32_t tail = fake_ring_tail(d, d->h2f_desc) & (d->h2f_size - 4);

	for (uint32_t i = 0; i < bytes; i += 4) {
		memcpy(d->fp->ram + d->h2f_base + tail, msg + i, 4);
		tail = (tail + 4) & (d->h2f_size - 1);
	}
	fake_ram_wr32(d->fp, d->h2f_desc + offsetof(struct pvgpu_ring_desc,
						    tail), tail);
}

static void send(FakeDriver *d, Fz *f)
{
	uint8_t msg[sizeof(struct pvgpu_msg_hdr) + 4 * 64] = { 0 };
	struct pvgpu_msg_hdr hdr = { 0 };
	uint8_t sel = fz_u8(f);
	uint32_t len = fz_u8(f) % 17;
	uint32_t payload[16];

	hdr.opcode = (sel & 0x80) ? fz_u16(f) :
		opcodes[sel % G_N_ELEMENTS(opcodes)];
	hdr.kind = (sel & 0x40) ? fz_u16(f) : PVGPU_MSG_KIND_REQUEST;
	hdr.len = len;
	hdr.seqno = d->next_seqno++;
	fz_bytes(f, payload, len * 4);
	/* Point a QUEUE_REGISTER/AS_BIND address into the scratch area. */
	if ((sel & 0x20) && len >= 4) {
		uint64_t a = SCRATCH + (fz_u16(f) & (SCRATCH_SIZE - 1) & ~63u);

		memcpy(&payload[2], &a, 8);
	}
	memcpy(msg, &hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), payload, len * 4);
	put(d, msg, sizeof(hdr) + len * 4);
	if (!(sel & 0x10))
		fake_driver_doorbell(d);
}

static void ack_f2h(FakeDriver *d)
{
	uint32_t tail = fake_ring_tail(d, d->f2h_desc);

	fake_ram_wr32(d->fp, d->f2h_desc + offsetof(struct pvgpu_ring_desc,
						    head), tail);
	fake_reg_write(d->fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_ALL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Fz f = { data, size };
	FakePlatform *fp;
	FakeDriver d;
	static const unsigned int sizes[] = { 1, 2, 4, 8, 3, 0, 16, 4 };
	PvgpuFwConfig cfg;

	/* Small tables: the firmware clears them at every (re-)boot. */
	pvgpu_fw_config_default(&cfg);
	cfg.max_queues = 64;
	cfg.num_doorbells = 4;
	/* Register writes reach TEST_INJECT too (hang, wedge, crash). */
	cfg.guest_inject = true;
	fp = fake_platform_new(&cfg);

	fake_driver_init(&d, fp);
	fake_driver_boot(&d);

	for (unsigned int i = 0; i < MAX_ACTIONS && f.n; i++) {
		uint8_t op = fz_u8(&f);

		switch (op % 14) {
		case 0: {	/* raw bytes into the H2F ring buffer */
			uint32_t off = fz_u16(&f) & (d.h2f_size - 1);
			uint32_t len = fz_u8(&f) % 65;

			if (off + len > d.h2f_size)
				len = d.h2f_size - off;
			fz_bytes(&f, fp->ram + d.h2f_base + off, len);
			break;
		}
		case 1: {	/* a ring/log/boot descriptor dword */
			uint64_t b[4] = { d.h2f_desc, d.f2h_desc, d.log_base,
					  d.boot_desc };
			uint8_t which = fz_u8(&f);
			uint32_t off = (fz_u8(&f) % 128) & ~3u;

			fake_ram_wr32(fp, b[which % 4] + off, fz_u32(&f));
			break;
		}
		case 2: {	/* scratch area (queue/AS descriptors) */
			uint32_t off = fz_u16(&f) & (SCRATCH_SIZE - 1);
			uint32_t len = fz_u8(&f) % 65;

			if (off + len > SCRATCH_SIZE)
				len = SCRATCH_SIZE - off;
			fz_bytes(&f, fp->ram + SCRATCH + off, len);
			break;
		}
		case 3: {	/* register write, any offset and size */
			uint64_t off = fz_u16(&f) % (PVGPU_BAR0_SIZE + 64);
			uint32_t v = fz_u32(&f);

			if (op & 0x80)
				off = fz_u64(&f);
			pvgpu_fw_reg_write(fp->fw, off, v,
					   sizes[fz_u8(&f) & 7]);
			break;
		}
		case 4: {	/* register read */
			uint64_t off = fz_u16(&f) % (PVGPU_BAR0_SIZE + 64);

			pvgpu_fw_reg_read(fp->fw, off, sizes[fz_u8(&f) & 7]);
			break;
		}
		case 5: {	/* doorbell at any (group, offset) */
			uint32_t g = fz_u16(&f), o = fz_u16(&f);

			if (op & 0x80) {
				g = fz_u32(&f);
				o = fz_u32(&f);
			}
			pvgpu_fw_doorbell(fp->fw, g, o, fz_u32(&f));
			break;
		}
		case 6:
			fz_advance(fp, fz_u32(&f));
			break;
		case 7:
			fz_fire(fp);
			break;
		case 8:
			fz_run(fp);
			break;
		case 9:
		case 10:
			send(&d, &f);
			fz_run(fp);
			break;
		case 11:
			ack_f2h(&d);
			break;
		case 12: {	/* a well-formed re-boot, or reset */
			uint8_t k = fz_u8(&f) % 5;

			if (k == 0) {
				pvgpu_fw_reset(fp->fw);
			} else if (k == 1) {
				d.next_seqno = 1;
				fake_driver_boot(&d);
			} else if (k == 4) {
				/* Boot from the (fuzzed) descriptor in RAM. */
				fake_driver_start_boot(&d);
			} else if (k == 2) {
				pvgpu_fw_inject(fp->fw, fz_u8(&f) % 12,
						fz_u32(&f));
			} else {
				pvgpu_fw_inject_crash(fp->fw);
			}
			fz_run(fp);
			break;
		}
		case 13:	/* the doorbell alone */
			fake_driver_doorbell(&d);
			fz_run(fp);
			break;
		}
	}
	fz_run(fp);
	fz_fire(fp);
	/* RAM written directly (not through fake_ram_wr*). */
	fz_wrote_driver(&d);
	fz_wrote(SCRATCH, SCRATCH_SIZE);
	fake_platform_free(fp);
	return 0;
}
