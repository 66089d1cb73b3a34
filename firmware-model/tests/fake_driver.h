/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A tiny "driver" for the firmware model's unit tests: it lays out the
 * shared memory in fake guest RAM, boots the firmware and exchanges
 * messages exactly as docs/firmware-protocol.rst tells a real driver to.
 */
#ifndef FAKE_DRIVER_H
#define FAKE_DRIVER_H

#include "fake_platform.h"

typedef struct FakeDriver {
	FakePlatform *fp;
	uint64_t boot_desc;
	uint64_t h2f_desc, h2f_base, f2h_desc, f2h_base;
	uint64_t log_base, caps_base;
	uint32_t h2f_size, f2h_size, log_size, caps_size;
	uint32_t next_seqno;
} FakeDriver;

/* Default layout: 4 KiB rings and log, everything in separate pages. */
void fake_driver_init(FakeDriver *d, FakePlatform *fp);
/* Write the boot descriptor and empty ring descriptors to RAM. */
void fake_driver_write_boot_desc(FakeDriver *d);
/* Program the registers and set FW_CTRL.BOOT; does not serve the kick. */
void fake_driver_start_boot(FakeDriver *d);
/* Write descriptor, boot, serve kicks; returns FW_STATUS afterwards. */
uint32_t fake_driver_boot(FakeDriver *d);

/* Ring descriptor fields. */
uint32_t fake_ring_head(FakeDriver *d, uint64_t desc);
uint32_t fake_ring_tail(FakeDriver *d, uint64_t desc);
uint32_t fake_ring_status(FakeDriver *d, uint64_t desc);

/* Free bytes on H2F for the driver (one dword always stays free). */
uint32_t fake_driver_h2f_free(FakeDriver *d);
/*
 * Append raw bytes (a multiple of 4) at the H2F tail if they fit, then
 * publish the new tail. No doorbell.
 */
bool fake_driver_put_raw(FakeDriver *d, const void *msg, uint32_t bytes);
/* Queue a request (no doorbell); the seqno used goes to *seqno. */
bool fake_driver_send(FakeDriver *d, uint16_t opcode, const void *payload,
		      uint16_t len_dw, uint32_t *seqno);
void fake_driver_doorbell(FakeDriver *d);
/* Queue a PING, ring the doorbell, serve kicks. */
bool fake_driver_ping(FakeDriver *d, uint64_t cookie, uint32_t *seqno);

/*
 * Take the next F2H message, checking the firmware kept to the protocol.
 * Returns false when F2H is empty. @payload holds up to
 * PVGPU_MSG_MAX_PAYLOAD_DW dwords.
 */
bool fake_driver_recv(FakeDriver *d, struct pvgpu_msg_hdr *hdr,
		      void *payload);
/* Expect a response to @seqno/@opcode with @status next; returns len. */
uint32_t fake_driver_expect_response(FakeDriver *d, uint16_t opcode,
				     uint32_t seqno, uint32_t status,
				     void *payload);
/* Number of bytes of unread data on F2H. */
uint32_t fake_driver_f2h_used(FakeDriver *d);

/* Copy the log text (in order, oldest first) into a new string. */
char *fake_driver_log_text(FakeDriver *d);

#endif /* FAKE_DRIVER_H */
