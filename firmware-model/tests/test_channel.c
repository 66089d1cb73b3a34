/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The message channel: ping round trips, wrap-around, full rings in both
 * directions, malformed input, error responses, the run budget and the
 * F2H interrupt.
 */
#include <stddef.h>
#include <string.h>

#include "fake_driver.h"

#define HDR_BYTES	((uint32_t)sizeof(struct pvgpu_msg_hdr))
#define PING_BYTES	(HDR_BYTES + (uint32_t)sizeof(struct pvgpu_msg_ping))

static FakePlatform *setup(FakeDriver *d, uint32_t h2f_size,
			   uint32_t f2h_size)
{
	FakePlatform *fp = fake_platform_new(NULL);

	fake_driver_init(d, fp);
	d->h2f_base = 0x100000;
	d->f2h_base = 0x200000;
	d->h2f_size = h2f_size;
	d->f2h_size = f2h_size;
	g_assert_cmpuint(fake_driver_boot(d), ==, PVGPU_FW_STATE_RUNNING);
	fake_reg_write(fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_ALL);
	fp->irqs = 0;
	return fp;
}

static void expect_ping(FakeDriver *d, uint32_t seqno, uint64_t cookie,
			uint64_t timestamp)
{
	uint32_t buf[PVGPU_MSG_MAX_PAYLOAD_DW];
	struct pvgpu_msg_ping resp;

	g_assert_cmpuint(fake_driver_expect_response(d, PVGPU_H2F_PING, seqno,
						     PVGPU_STATUS_OK, buf),
			 ==, sizeof(resp) / 4);
	memcpy(&resp, buf, sizeof(resp));
	g_assert_cmphex(GUINT64_FROM_LE(resp.cookie), ==, cookie);
	g_assert_cmpuint(GUINT64_FROM_LE(resp.fw_timestamp_ns), ==, timestamp);
}

static void expect_ring_error(FakeDriver *d, uint32_t seqno, uint32_t reason,
			      uint32_t offset, uint32_t word0, uint32_t word1)
{
	uint32_t buf[PVGPU_MSG_MAX_PAYLOAD_DW];
	struct pvgpu_evt_ring_error evt;
	struct pvgpu_msg_hdr hdr;

	g_assert_true(fake_driver_recv(d, &hdr, buf));
	g_assert_cmpuint(GUINT16_FROM_LE(hdr.kind), ==, PVGPU_MSG_KIND_EVENT);
	g_assert_cmphex(GUINT16_FROM_LE(hdr.opcode), ==,
			PVGPU_F2H_EVT_RING_ERROR);
	g_assert_cmpuint(GUINT16_FROM_LE(hdr.len), ==, sizeof(evt) / 4);
	g_assert_cmpuint(GUINT32_FROM_LE(hdr.seqno), ==, seqno);
	memcpy(&evt, buf, sizeof(evt));
	g_assert_cmphex(GUINT32_FROM_LE(evt.reason), ==, reason);
	g_assert_cmphex(GUINT32_FROM_LE(evt.offset), ==, offset);
	g_assert_cmphex(GUINT32_FROM_LE(evt.word0), ==, word0);
	g_assert_cmphex(GUINT32_FROM_LE(evt.word1), ==, word1);
}

static void queue_ping(FakeDriver *d, uint64_t cookie, uint32_t *seqno)
{
	struct pvgpu_msg_ping ping = { .cookie = GUINT64_TO_LE(cookie) };

	g_assert_true(fake_driver_send(d, PVGPU_H2F_PING, &ping,
				       sizeof(ping) / 4, seqno));
}

static void test_ping(void)
{
	FakeDriver d;
	FakePlatform *fp = setup(&d, 0x1000, 0x1000);
	const PvgpuFwStats *stats = pvgpu_fw_stats(fp->fw);
	uint32_t seqno;

	fp->now_ns = 0x123456789abcull;
	g_assert_true(fake_driver_ping(&d, 0x1122334455667788ull, &seqno));
	g_assert_cmpuint(fp->irqs, ==, 1);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==,
			PVGPU_IRQ_F2H);
	g_assert_cmpuint(fake_ring_head(&d, d.h2f_desc), ==, PING_BYTES);
	g_assert_cmpuint(fake_ring_tail(&d, d.f2h_desc), ==, PING_BYTES);
	expect_ping(&d, seqno, 0x1122334455667788ull, 0x123456789abcull);
	g_assert_false(fake_driver_recv(&d, &(struct pvgpu_msg_hdr){ 0 },
					(uint32_t[PVGPU_MSG_MAX_PAYLOAD_DW]){}));
	g_assert_cmpuint(stats->requests, ==, 1);
	g_assert_cmpuint(stats->responses, ==, 1);
	g_assert_cmpuint(stats->events, ==, 0);
	g_assert_cmpuint(fake_platform_error_count(fp), ==, 0);
	g_assert_cmpuint(fp->timer_deadline, ==, FAKE_NO_TIMER);
	fake_platform_free(fp);
}

static void test_many_pings(void)
{
	FakeDriver d;
	FakePlatform *fp = setup(&d, 0x1000, 0x1000);
	uint32_t seqno;

	for (uint32_t i = 0; i < 1000; i++) {
		uint64_t cookie = 0xc00c1e0000000000ull + i;

		fp->now_ns += 1000 + i;
		/* Acknowledge first, then drain: every ping interrupts. */
		fake_reg_write(fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_F2H);
		g_assert_true(fake_driver_ping(&d, cookie, &seqno));
		g_assert_cmpuint(seqno, ==, i + 1);
		expect_ping(&d, seqno, cookie, fp->now_ns);
		g_assert_cmpuint(fp->irqs, ==, i + 1);
	}
	g_assert_cmpuint(pvgpu_fw_stats(fp->fw)->responses, ==, 1000);
	g_assert_cmpuint(fake_platform_error_count(fp), ==, 0);
	fake_platform_free(fp);
}

/* Boot with both rings starting near their end, then cross it often. */
static void test_wrap(void)
{
	FakePlatform *fp = fake_platform_new(NULL);
	struct pvgpu_msg_log_ctrl lc = { .level = GUINT32_TO_LE(2) };
	uint32_t seqno, h2f_wraps = 0, f2h_wraps = 0;
	FakeDriver d;

	fake_driver_init(&d, fp);
	fake_driver_write_boot_desc(&d);
	/* Empty rings may start anywhere (dword aligned). */
	fake_ram_wr32(fp, d.h2f_desc, 0xff0);
	fake_ram_wr32(fp, d.h2f_desc + 4, 0xff0);
	fake_ram_wr32(fp, d.f2h_desc, 0xff8);
	fake_ram_wr32(fp, d.f2h_desc + 4, 0xff8);
	fake_driver_start_boot(&d);
	fake_platform_run(fp);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_RUNNING);

	/* The very first request and response straddle the end. */
	g_assert_true(fake_driver_ping(&d, 0xfeedface, &seqno));
	g_assert_cmpuint(fake_ring_head(&d, d.h2f_desc), ==,
			 (0xff0 + PING_BYTES) & 0xfff);
	g_assert_cmpuint(fake_ring_tail(&d, d.f2h_desc), ==,
			 (0xff8 + PING_BYTES) & 0xfff);
	expect_ping(&d, seqno, 0xfeedface, fp->now_ns);

	/* Mixed sizes (24- and 32-byte requests) land everywhere. */
	for (uint32_t i = 0; i < 2000; i++) {
		uint32_t h2f_before = fake_ring_tail(&d, d.h2f_desc);
		uint32_t f2h_before = fake_ring_tail(&d, d.f2h_desc);

		fp->now_ns += 7;
		if (i % 3 == 0) {
			g_assert_true(fake_driver_send(&d, PVGPU_H2F_LOG_CTRL,
						       &lc, 2, &seqno));
			fake_driver_doorbell(&d);
			fake_platform_run(fp);
			g_assert_cmpuint(fake_driver_expect_response(
						 &d, PVGPU_H2F_LOG_CTRL, seqno,
						 PVGPU_STATUS_OK, NULL), ==, 0);
		} else {
			g_assert_true(fake_driver_ping(&d, i, &seqno));
			expect_ping(&d, seqno, i, fp->now_ns);
		}
		if (fake_ring_tail(&d, d.h2f_desc) < h2f_before)
			h2f_wraps++;
		if (fake_ring_tail(&d, d.f2h_desc) < f2h_before)
			f2h_wraps++;
	}
	g_assert_cmpuint(h2f_wraps, >=, 10);
	g_assert_cmpuint(f2h_wraps, >=, 10);
	g_assert_cmpuint(fake_platform_error_count(fp), ==, 0);
	fake_platform_free(fp);
}

static void test_h2f_full(void)
{
	FakeDriver d;
	/* F2H of the same size holds exactly as many responses. */
	FakePlatform *fp = setup(&d, 0x1000, 0x1000);
	uint32_t n = 0, seqno;

	while (fake_driver_h2f_free(&d) >= PING_BYTES) {
		queue_ping(&d, n, &seqno);
		n++;
	}
	g_assert_cmpuint(n, ==, (0x1000 - 4) / PING_BYTES);
	/* The driver side cannot add one more. */
	g_assert_false(fake_driver_send(&d, PVGPU_H2F_PING,
					(uint8_t[16]){ 0 }, 4, NULL));

	fake_driver_doorbell(&d);
	g_assert_cmpuint(fake_platform_run(fp), ==, 2);
	g_assert_cmpuint(fake_ring_head(&d, d.h2f_desc), ==,
			 fake_ring_tail(&d, d.h2f_desc));
	g_assert_cmpuint(fake_driver_f2h_used(&d), ==, n * PING_BYTES);
	for (uint32_t i = 0; i < n; i++)
		expect_ping(&d, i + 1, i, fp->now_ns);
	g_assert_cmpuint(fp->timer_deadline, ==, FAKE_NO_TIMER);
	g_assert_cmpuint(pvgpu_fw_stats(fp->fw)->events_dropped, ==, 0);
	fake_platform_free(fp);
}

static void test_f2h_backpressure(void)
{
	FakeDriver d;
	FakePlatform *fp = setup(&d, 0x4000, 0x1000);
	const PvgpuFwStats *stats = pvgpu_fw_stats(fp->fw);
	const uint32_t fit = (0x1000 - 4) / PING_BYTES;	/* 127 */
	uint32_t received = 0;
	uint64_t t0;

	for (uint32_t i = 0; i < 200; i++)
		queue_ping(&d, 1000 + i, NULL);
	t0 = fp->now_ns;
	fake_driver_doorbell(&d);
	fake_platform_run(fp);

	/* F2H is full: the firmware stopped consuming and polls. */
	g_assert_cmpuint(stats->responses, ==, fit);
	g_assert_cmpuint(fake_ring_head(&d, d.h2f_desc), ==, fit * PING_BYTES);
	g_assert_cmpuint(fp->timer_deadline, ==, t0 + 50000);
	g_assert_cmpuint(fp->kicks_pending, ==, 0);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==,
			PVGPU_IRQ_F2H);
	g_assert_cmpuint(fp->irqs, ==, 1);

	/* Nothing drained: the retry finds no room and re-arms. */
	fake_platform_advance(fp, 50000);
	g_assert_cmpuint(stats->responses, ==, fit);
	g_assert_cmpuint(fp->timer_deadline, ==, t0 + 100000);

	/* Drain ten: after the next retry exactly ten more are served. */
	for (uint32_t i = 0; i < 10; i++, received++)
		expect_ping(&d, received + 1, 1000 + received, t0);
	fake_platform_advance(fp, 49999);
	g_assert_cmpuint(stats->responses, ==, fit);
	fake_platform_advance(fp, 1);
	g_assert_cmpuint(stats->responses, ==, fit + 10);
	g_assert_cmpuint(fp->timer_deadline, ==, t0 + 150000);

	/* Drain everything and ring: served at once, no timer needed. */
	while (received < fit + 10) {
		expect_ping(&d, received + 1, 1000 + received,
			    received < fit ? t0 : t0 + 100000);
		received++;
	}
	fake_driver_doorbell(&d);
	fake_platform_run(fp);
	g_assert_cmpuint(stats->responses, ==, 200);
	g_assert_cmpuint(fp->timer_deadline, ==, FAKE_NO_TIMER);
	while (received < 200) {
		expect_ping(&d, received + 1, 1000 + received, t0 + 100000);
		received++;
	}
	g_assert_cmpuint(fake_driver_f2h_used(&d), ==, 0);
	g_assert_cmpuint(stats->events_dropped, ==, 0);
	g_assert_cmpuint(fake_ring_status(&d, d.f2h_desc), ==, 0);
	g_assert_cmpuint(fake_platform_error_count(fp), ==, 0);

	/* A stale timer firing later does no harm. */
	pvgpu_fw_timer_expired(fp->fw);
	g_assert_cmpuint(stats->responses, ==, 200);
	fake_platform_free(fp);
}

static const uint32_t garbage_header[4] = {
	/* opcode PING, len 4, seqno 0x77, kind 0 */
	0x00040001, 0x77, 0x0, 0x0,
};

static void test_f2h_event_overflow(void)
{
	FakeDriver d;
	FakePlatform *fp = setup(&d, 0x4000, 0x1000);
	const PvgpuFwStats *stats = pvgpu_fw_stats(fp->fw);
	const uint32_t fit = (0x1000 - 4) / PING_BYTES;
	uint32_t bad_at, f2h_tail, seqno;

	for (uint32_t i = 0; i < fit; i++)
		queue_ping(&d, i, NULL);
	fake_driver_doorbell(&d);
	fake_platform_run(fp);
	g_assert_cmpuint(stats->responses, ==, fit);
	f2h_tail = fake_ring_tail(&d, d.f2h_desc);

	/* F2H has 28 bytes left; a RING_ERROR event needs 32: dropped. */
	bad_at = fake_ring_tail(&d, d.h2f_desc);
	g_assert_true(fake_driver_put_raw(&d, garbage_header,
					  sizeof(garbage_header)));
	fake_driver_doorbell(&d);
	fake_platform_run(fp);
	g_assert_cmpuint(stats->malformed, ==, 1);
	g_assert_cmpuint(stats->events, ==, 0);
	g_assert_cmpuint(stats->events_dropped, ==, 1);
	g_assert_cmphex(fake_ring_status(&d, d.f2h_desc), ==,
			PVGPU_RING_STATUS_OVERFLOW);
	g_assert_cmphex(fake_ring_status(&d, d.h2f_desc), ==,
			PVGPU_RING_STATUS_MALFORMED);
	g_assert_cmpuint(fake_ring_tail(&d, d.f2h_desc), ==, f2h_tail);
	g_assert_cmpuint(fake_ring_head(&d, d.h2f_desc), ==,
			 fake_ring_tail(&d, d.h2f_desc));
	/* Events never block: nothing waits for a retry. */
	g_assert_cmpuint(fp->timer_deadline, ==, FAKE_NO_TIMER);

	/* The responses were not touched. */
	for (uint32_t i = 0; i < fit; i++)
		expect_ping(&d, i + 1, i, fp->now_ns);

	/* The next event carries seqno 2: the gap shows the lost one. */
	bad_at = fake_ring_tail(&d, d.h2f_desc);
	g_assert_true(fake_driver_put_raw(&d, garbage_header,
					  sizeof(garbage_header)));
	fake_driver_doorbell(&d);
	fake_platform_run(fp);
	expect_ring_error(&d, 2, PVGPU_RING_STATUS_MALFORMED, bad_at,
			  garbage_header[0], garbage_header[1]);
	/* Status bits are sticky until the next boot. */
	g_assert_cmphex(fake_ring_status(&d, d.f2h_desc), ==,
			PVGPU_RING_STATUS_OVERFLOW);
	g_assert_cmpuint(stats->events, ==, 1);

	g_assert_true(fake_driver_ping(&d, 42, &seqno));
	expect_ping(&d, seqno, 42, fp->now_ns);
	fake_platform_free(fp);
}

typedef struct MalformedCase {
	const char *name;
	uint32_t words[8];
	uint32_t nwords;
	uint32_t extra_bytes;		/* zero payload bytes after words */
	bool ping_after;		/* queue a ping behind it */
	const char *why;
} MalformedCase;

static const MalformedCase malformed_cases[] = {
	{ "len-too-big", { 0x003d0001, 9, 1, 0 }, 4, 61 * 4, true,
	  "longer than the maximum" },
	{ "len-huge", { 0xffff0001, 9, 1, 0 }, 4, 0, true,
	  "longer than the maximum" },
	{ "len-past-tail", { 0x00080001, 9, 1, 0 }, 4, 16, false,
	  "payload runs past the tail" },
	{ "len-one-dword-short", { 0x00040001, 9, 1, 0 }, 4, 12, false,
	  "payload runs past the tail" },
	{ "header-past-tail", { 0x00040001, 9 }, 2, 0, false,
	  "header runs past the tail" },
	{ "header-one-dword", { 0x00040001 }, 1, 0, false,
	  "header runs past the tail" },
	{ "kind-zero", { 0x00000001, 9, 0, 0 }, 4, 0, true,
	  "kind is not REQUEST" },
	{ "kind-response", { 0x00000001, 9, PVGPU_MSG_KIND_RESPONSE, 0 }, 4,
	  0, true, "kind is not REQUEST" },
	{ "kind-event", { 0x00000001, 9, PVGPU_MSG_KIND_EVENT, 0 }, 4, 0,
	  true, "kind is not REQUEST" },
	{ "kind-ffff", { 0x00000001, 9, 0xffff, 0 }, 4, 0, true,
	  "kind is not REQUEST" },
};

static void test_malformed(gconstpointer data)
{
	const MalformedCase *c = data;
	FakeDriver d;
	FakePlatform *fp = setup(&d, 0x1000, 0x1000);
	const PvgpuFwStats *stats = pvgpu_fw_stats(fp->fw);
	uint8_t raw[32 + 61 * 4] = { 0 };
	uint32_t s1, s3, bad_at, bytes;

	queue_ping(&d, 111, &s1);
	bad_at = fake_ring_tail(&d, d.h2f_desc);
	for (uint32_t i = 0; i < c->nwords; i++) {
		uint32_t le = GUINT32_TO_LE(c->words[i]);

		memcpy(raw + 4 * i, &le, 4);
	}
	bytes = c->nwords * 4 + c->extra_bytes;
	g_assert_true(fake_driver_put_raw(&d, raw, bytes));
	if (c->ping_after)
		queue_ping(&d, 222, NULL);
	fake_driver_doorbell(&d);
	fake_platform_run(fp);

	/* The good request before it is answered... */
	expect_ping(&d, s1, 111, fp->now_ns);
	/* ...then the error event; whatever followed got no response. */
	expect_ring_error(&d, 1, PVGPU_RING_STATUS_MALFORMED, bad_at,
			  c->words[0], c->nwords > 1 ? c->words[1] : 0);
	g_assert_cmpuint(fake_driver_f2h_used(&d), ==, 0);
	g_assert_cmpuint(fake_ring_head(&d, d.h2f_desc), ==,
			 fake_ring_tail(&d, d.h2f_desc));
	g_assert_cmphex(fake_ring_status(&d, d.h2f_desc), ==,
			PVGPU_RING_STATUS_MALFORMED);
	g_assert_cmpuint(stats->malformed, ==, 1);
	g_assert_cmpuint(stats->requests, ==, 1);
	g_assert_true(fake_platform_has_error(fp, c->why));
	g_assert_true(fake_platform_has_error(fp, "ring drained"));
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==,
			PVGPU_IRQ_F2H);
	g_assert_cmpuint(fp->irqs, ==, 1);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_FW_STATUS), ==,
			 PVGPU_FW_STATE_RUNNING);

	/* The firmware carries on. */
	g_assert_true(fake_driver_ping(&d, 333, &s3));
	expect_ping(&d, s3, 333, fp->now_ns);
	fake_platform_free(fp);
}

typedef struct BadPointerCase {
	const char *name;
	uint32_t head, tail;	/* UINT32_MAX: leave as is */
	uint32_t new_head;	/* UINT32_MAX: the current tail */
} BadPointerCase;

static const BadPointerCase bad_pointer_cases[] = {
	{ "head-out-of-range", 0x1000, UINT32_MAX, UINT32_MAX },
	{ "head-far-out", 0xfffffff0, UINT32_MAX, UINT32_MAX },
	{ "head-misaligned", 6, UINT32_MAX, UINT32_MAX },
	{ "tail-out-of-range", UINT32_MAX, 0x1004, 0 },
	{ "tail-misaligned", UINT32_MAX, 0x22, 0 },
	{ "both", 0x3001, 0x5000, 0 },
};

static void test_bad_pointer(gconstpointer data)
{
	const BadPointerCase *c = data;
	FakeDriver d;
	FakePlatform *fp = setup(&d, 0x1000, 0x1000);
	uint32_t head, tail, new_head, seqno;

	queue_ping(&d, 1, NULL);
	if (c->head != UINT32_MAX)
		fake_ram_wr32(fp, d.h2f_desc, c->head);
	if (c->tail != UINT32_MAX)
		fake_ram_wr32(fp, d.h2f_desc + 4, c->tail);
	head = fake_ring_head(&d, d.h2f_desc);
	tail = fake_ring_tail(&d, d.h2f_desc);
	new_head = c->new_head == UINT32_MAX ? tail : c->new_head;
	fake_driver_doorbell(&d);
	fake_platform_run(fp);

	expect_ring_error(&d, 1, PVGPU_RING_STATUS_BAD_POINTER, head, head,
			  tail);
	g_assert_false(fake_driver_recv(&d, &(struct pvgpu_msg_hdr){ 0 },
					(uint32_t[PVGPU_MSG_MAX_PAYLOAD_DW]){}));
	g_assert_cmphex(fake_ring_head(&d, d.h2f_desc), ==, new_head);
	/* The firmware never writes the producer's pointer. */
	g_assert_cmphex(fake_ring_tail(&d, d.h2f_desc), ==, tail);
	g_assert_cmphex(fake_ring_status(&d, d.h2f_desc), ==,
			PVGPU_RING_STATUS_BAD_POINTER);
	g_assert_true(fake_platform_has_error(fp, "invalid for a 0x1000-byte"));
	g_assert_cmpuint(pvgpu_fw_stats(fp->fw)->malformed, ==, 1);
	g_assert_cmpuint(pvgpu_fw_stats(fp->fw)->requests, ==, 0);

	/* Driver recovery: resynchronise tail to the firmware's head. */
	fake_ram_wr32(fp, d.h2f_desc + 4, fake_ring_head(&d, d.h2f_desc));
	g_assert_true(fake_driver_ping(&d, 77, &seqno));
	expect_ping(&d, seqno, 77, fp->now_ns);
	fake_platform_free(fp);
}

static void test_enosys(void)
{
	static const struct {
		uint16_t opcode;
		uint16_t len;
	} cases[] = {
		{ 0x7777, 0 }, { 0x0000, 0 }, { 0x0100, 5 },
		{ PVGPU_F2H_EVT_LOG, 2 }, { 0xffff, PVGPU_MSG_MAX_PAYLOAD_DW },
	};
	FakeDriver d;
	FakePlatform *fp = setup(&d, 0x1000, 0x1000);
	uint32_t payload[PVGPU_MSG_MAX_PAYLOAD_DW] = { 0 };

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		uint32_t seqno;

		g_assert_true(fake_driver_send(&d, cases[i].opcode, payload,
					       cases[i].len, &seqno));
		fake_driver_doorbell(&d);
		fake_platform_run(fp);
		g_assert_cmpuint(fake_driver_expect_response(
					 &d, cases[i].opcode, seqno,
					 PVGPU_STATUS_ENOSYS, NULL), ==, 0);
	}
	/* Probing is not an error. */
	g_assert_cmpuint(fake_platform_error_count(fp), ==, 0);
	g_assert_cmpuint(pvgpu_fw_stats(fp->fw)->requests, ==, 5);
	fake_platform_free(fp);
}

static void send_hdr(FakeDriver *d, uint16_t opcode, uint16_t len,
		     uint16_t flags, uint32_t status, const void *payload,
		     uint32_t seqno)
{
	uint8_t msg[HDR_BYTES + PVGPU_MSG_MAX_PAYLOAD_DW * 4] = { 0 };
	struct pvgpu_msg_hdr hdr = {
		.opcode = GUINT16_TO_LE(opcode),
		.len = GUINT16_TO_LE(len),
		.seqno = GUINT32_TO_LE(seqno),
		.kind = GUINT16_TO_LE(PVGPU_MSG_KIND_REQUEST),
		.flags = GUINT16_TO_LE(flags),
		.status = GUINT32_TO_LE(status),
	};

	memcpy(msg, &hdr, HDR_BYTES);
	if (payload)
		memcpy(msg + HDR_BYTES, payload, len * 4);
	g_assert_true(fake_driver_put_raw(d, msg, HDR_BYTES + len * 4));
}

static void test_einval(void)
{
	static const struct {
		uint16_t opcode, len, flags;
		uint32_t status;
		uint32_t payload[8];
	} cases[] = {
		{ PVGPU_H2F_PING, 3, 0, 0, { 0 } },
		{ PVGPU_H2F_PING, 5, 0, 0, { 0 } },
		{ PVGPU_H2F_PING, 0, 0, 0, { 0 } },
		{ PVGPU_H2F_PING, 4, 1, 0, { 0 } },
		{ PVGPU_H2F_PING, 4, 0x8000, 0, { 0 } },
		{ PVGPU_H2F_PING, 4, 0, 7, { 0 } },
		{ PVGPU_H2F_LOG_CTRL, 2, 0, 0, { 4, 0 } },
		{ PVGPU_H2F_LOG_CTRL, 2, 0, 0, { 0xffffffff, 0 } },
		{ PVGPU_H2F_LOG_CTRL, 2, 0, 0, { 1, 1 } },
		{ PVGPU_H2F_LOG_CTRL, 1, 0, 0, { 1 } },
		{ PVGPU_H2F_LOG_CTRL, 3, 0, 0, { 1, 0, 0 } },
		/* Unknown opcode with bad flags: the flags are checked first. */
		{ 0x7777, 0, 2, 0, { 0 } },
	};
	FakeDriver d;
	FakePlatform *fp = setup(&d, 0x1000, 0x1000);

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		uint32_t payload[8];

		for (size_t j = 0; j < 8; j++)
			payload[j] = GUINT32_TO_LE(cases[i].payload[j]);
		fake_platform_clear_errors(fp);
		send_hdr(&d, cases[i].opcode, cases[i].len, cases[i].flags,
			 cases[i].status, payload, 100 + i);
		fake_driver_doorbell(&d);
		fake_platform_run(fp);
		g_assert_cmpuint(fake_driver_expect_response(
					 &d, cases[i].opcode, 100 + i,
					 PVGPU_STATUS_EINVAL, NULL), ==, 0);
		g_assert_cmpuint(fake_platform_error_count(fp), ==, 1);
	}
	/* No LOG_CTRL took effect. */
	g_assert_cmpuint(pvgpu_fw_state(fp->fw)->log_level, ==,
			 PVGPU_LOG_LEVEL_INFO);
	g_assert_cmpuint(fake_ram_rd32(fp, d.log_base + 8), ==,
			 PVGPU_LOG_LEVEL_INFO);
	g_assert_cmpuint(pvgpu_fw_stats(fp->fw)->malformed, ==, 0);
	fake_platform_free(fp);
}

static void log_ctrl(FakeDriver *d, uint32_t level)
{
	struct pvgpu_msg_log_ctrl lc = { .level = GUINT32_TO_LE(level) };
	uint32_t seqno;

	g_assert_true(fake_driver_send(d, PVGPU_H2F_LOG_CTRL, &lc, 2, &seqno));
	fake_driver_doorbell(d);
	fake_platform_run(d->fp);
	g_assert_cmpuint(fake_driver_expect_response(d, PVGPU_H2F_LOG_CTRL,
						     seqno, PVGPU_STATUS_OK,
						     NULL), ==, 0);
}

static void test_log_ctrl(void)
{
	FakeDriver d;
	FakePlatform *fp = setup(&d, 0x1000, 0x1000);
	uint32_t off, seqno;
	char *log;

	/* At the default INFO level a ping leaves no trace. */
	off = fake_ram_rd32(fp, d.log_base);
	fake_driver_ping(&d, 1, &seqno);
	expect_ping(&d, seqno, 1, fp->now_ns);
	g_assert_cmpuint(fake_ram_rd32(fp, d.log_base), ==, off);

	log_ctrl(&d, PVGPU_LOG_LEVEL_DEBUG);
	g_assert_cmpuint(fake_ram_rd32(fp, d.log_base + 8), ==,
			 PVGPU_LOG_LEVEL_DEBUG);
	fp->now_ns = 7123456789ull;
	fake_driver_ping(&d, 2, &seqno);
	expect_ping(&d, seqno, 2, fp->now_ns);
	log = fake_driver_log_text(&d);
	g_assert_nonnull(strstr(log, "I log level set to 3\n"));
	g_assert_nonnull(strstr(log, "[7.123456] D ping\n"));
	g_free(log);

	log_ctrl(&d, PVGPU_LOG_LEVEL_ERROR);
	g_assert_cmpuint(fake_ram_rd32(fp, d.log_base + 8), ==,
			 PVGPU_LOG_LEVEL_ERROR);
	off = fake_ram_rd32(fp, d.log_base);
	fake_driver_ping(&d, 3, NULL);
	g_assert_cmpuint(fake_ram_rd32(fp, d.log_base), ==, off);
	fake_platform_free(fp);
}

static void test_budget(void)
{
	FakeDriver d;
	FakePlatform *fp = setup(&d, 0x4000, 0x4000);
	const PvgpuFwStats *stats = pvgpu_fw_stats(fp->fw);
	const uint32_t n = 2 * PVGPU_FW_RUN_BUDGET + 22;

	for (uint32_t i = 0; i < n; i++)
		queue_ping(&d, i, NULL);
	fake_driver_doorbell(&d);
	g_assert_cmpuint(fp->kicks_pending, ==, 1);

	/* Serve the kicks by hand, one run at a time. */
	for (uint32_t run = 1; run <= 3; run++) {
		fp->kicks_pending = 0;
		pvgpu_fw_run(fp->fw);
		g_assert_cmpuint(stats->responses, ==,
				 MIN(run * PVGPU_FW_RUN_BUDGET, n));
		/* More left: the firmware asks to run again. */
		g_assert_cmpuint(fp->kicks_pending, ==, run < 3 ? 1 : 0);
		/* One interrupt per run, not per message. */
		g_assert_cmpuint(fp->irqs, ==, run);
		fake_reg_write(fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_F2H);
	}
	for (uint32_t i = 0; i < n; i++)
		expect_ping(&d, i + 1, i, fp->now_ns);
	g_assert_cmpuint(fp->timer_deadline, ==, FAKE_NO_TIMER);
	fake_platform_free(fp);
}

/*
 * A run under the inline budget (what QEMU does inside the doorbell write)
 * handles that many requests, interrupts once for them, and leaves the
 * rest to a deferred run through a kick.
 */
static void test_inline_budget(void)
{
	FakeDriver d;
	FakePlatform *fp = setup(&d, 0x4000, 0x4000);
	const PvgpuFwStats *stats = pvgpu_fw_stats(fp->fw);
	const unsigned int inline_msgs = PVGPU_FW_RUN_BUDGET_INLINE.h2f_msgs;
	const uint32_t n = 3 * inline_msgs + 1;

	g_assert_cmpuint(inline_msgs, >=, 1);
	g_assert_cmpuint(inline_msgs, <, PVGPU_FW_RUN_BUDGET);
	for (uint32_t i = 0; i < n; i++)
		queue_ping(&d, i, NULL);
	fake_driver_doorbell(&d);
	g_assert_cmpuint(fp->kicks_pending, ==, 1);
	fp->kicks_pending = 0;

	pvgpu_fw_run_budget(fp->fw, PVGPU_FW_RUN_BUDGET_INLINE);
	g_assert_cmpuint(stats->responses, ==, inline_msgs);
	g_assert_cmpuint(fp->irqs, ==, 1);
	g_assert_cmpuint(fp->kicks_pending, ==, 1);

	/* The deferred run does the rest in one go. */
	fake_reg_write(fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_F2H);
	fp->kicks_pending = 0;
	pvgpu_fw_run(fp->fw);
	g_assert_cmpuint(stats->responses, ==, n);
	g_assert_cmpuint(fp->irqs, ==, 2);
	g_assert_cmpuint(fp->kicks_pending, ==, 0);
	for (uint32_t i = 0; i < n; i++)
		expect_ping(&d, i + 1, i, fp->now_ns);
	fake_platform_free(fp);
}

static void test_f2h_irq(void)
{
	FakeDriver d;
	FakePlatform *fp = setup(&d, 0x1000, 0x1000);

	for (uint32_t i = 0; i < 10; i++)
		queue_ping(&d, i, NULL);
	fake_driver_doorbell(&d);
	fake_platform_run(fp);
	g_assert_cmpuint(fp->irqs, ==, 1);

	/* Not acknowledged: the cause is still pending, no new interrupt. */
	fake_driver_ping(&d, 10, NULL);
	g_assert_cmpuint(fp->irqs, ==, 1);

	/* Acknowledged: a message written afterwards interrupts again. */
	fake_reg_write(fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_F2H);
	fake_driver_ping(&d, 11, NULL);
	g_assert_cmpuint(fp->irqs, ==, 2);

	/* Masked: pending but silent; unmasking delivers it. */
	fake_reg_write(fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_F2H);
	fake_reg_write(fp, PVGPU_REG_IRQ_MASK, PVGPU_IRQ_FW_STATE);
	fake_driver_ping(&d, 12, NULL);
	g_assert_cmpuint(fp->irqs, ==, 2);
	g_assert_cmphex(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==,
			PVGPU_IRQ_F2H);
	fake_reg_write(fp, PVGPU_REG_IRQ_MASK, PVGPU_IRQ_ALL);
	g_assert_cmpuint(fp->irqs, ==, 3);

	/* A doorbell with nothing queued writes nothing and raises nothing. */
	fake_reg_write(fp, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_F2H);
	for (uint32_t i = 0; i < 13; i++)
		expect_ping(&d, i + 1, i, fp->now_ns);
	fake_driver_doorbell(&d);
	fake_platform_run(fp);
	g_assert_cmpuint(fp->irqs, ==, 3);
	g_assert_cmpuint(fake_reg_read(fp, PVGPU_REG_IRQ_STATUS), ==, 0);
	fake_platform_free(fp);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/channel/ping", test_ping);
	g_test_add_func("/channel/many-pings", test_many_pings);
	g_test_add_func("/channel/wrap", test_wrap);
	g_test_add_func("/channel/h2f-full", test_h2f_full);
	g_test_add_func("/channel/f2h-backpressure", test_f2h_backpressure);
	g_test_add_func("/channel/f2h-event-overflow",
			test_f2h_event_overflow);
	for (size_t i = 0; i < G_N_ELEMENTS(malformed_cases); i++) {
		char *path = g_strdup_printf("/channel/malformed/%s",
					     malformed_cases[i].name);

		g_test_add_data_func(path, &malformed_cases[i],
				     test_malformed);
		g_free(path);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad_pointer_cases); i++) {
		char *path = g_strdup_printf("/channel/bad-pointer/%s",
					     bad_pointer_cases[i].name);

		g_test_add_data_func(path, &bad_pointer_cases[i],
				     test_bad_pointer);
		g_free(path);
	}
	g_test_add_func("/channel/enosys", test_enosys);
	g_test_add_func("/channel/einval", test_einval);
	g_test_add_func("/channel/log-ctrl", test_log_ctrl);
	g_test_add_func("/channel/budget", test_budget);
	g_test_add_func("/channel/inline-budget", test_inline_budget);
	g_test_add_func("/channel/f2h-irq", test_f2h_irq);
	return g_test_run();
}
