/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the message channel.
 *
 * The firmware consumes requests from the H2F ring and produces responses
 * and events on the F2H ring. Two rules shape this file:
 *
 * - Every request gets exactly one response. The firmware therefore takes
 *   a request off H2F only once F2H has room for the largest response that
 *   request can produce; otherwise it leaves the request where it is and
 *   retries later (backpressure). Events, in contrast, are dropped when F2H
 *   is full; the drop is counted and flagged (PVGPU_RING_STATUS_OVERFLOW)
 *   and shows as a gap in the event sequence numbers.
 *
 * - Nothing on H2F is trusted. A header that cannot be parsed means the
 *   firmware can no longer find the next message boundary, so it discards
 *   everything up to the tail (drains the ring), says so in the ring status
 *   and with a PVGPU_F2H_EVT_RING_ERROR event, and carries on. A request
 *   whose header is sound but whose contents are wrong gets an error
 *   response instead.
 *
 * A guest-memory access that fails while serving halts the firmware
 * (fw_halt()): the driver has taken memory away that it promised to keep.
 */
#include <string.h>

#include "fw_internal.h"

#define MSG_HDR_BYTES	((uint32_t)sizeof(struct pvgpu_msg_hdr))
#define MSG_MAX_BYTES	(MSG_HDR_BYTES + PVGPU_MSG_MAX_PAYLOAD_DW * 4)

/* --- Requests ---------------------------------------------------------- */

/*
 * One kind of request. @handle gets the payload (exactly @req_dw dwords,
 * little-endian) and fills the response payload (@resp_dw dwords) when it
 * returns PVGPU_STATUS_OK; error responses carry no payload. Handlers must
 * not write to F2H themselves: the room for their response is reserved
 * before they run, and events they raise (fw_f2h_event()) are held back
 * and sent right after the response. A handler that cannot answer yet
 * returns FW_STATUS_DEFER (fw_sched_internal.h): the request stays on H2F and the
 * channel waits until the scheduler wakes it.
 */
typedef struct FwRequestType {
	uint16_t opcode;
	const char *name;
	uint16_t req_dw;
	uint16_t resp_dw;
	uint32_t (*handle)(PvgpuFw *fw, const void *req, void *resp);
} FwRequestType;

static uint32_t handle_ping(PvgpuFw *fw, const void *req, void *resp)
{
	struct pvgpu_msg_ping in, out;

	memcpy(&in, req, sizeof(in));
	/* The cookie is opaque to us: echo its bytes unchanged. */
	out.cookie = in.cookie;
	out.fw_timestamp_ns = GUINT64_TO_LE(fw_clock_ns(fw));
	memcpy(resp, &out, sizeof(out));
	fw_log(fw, PVGPU_LOG_LEVEL_DEBUG, "ping");
	return PVGPU_STATUS_OK;
}

static uint32_t handle_log_ctrl(PvgpuFw *fw, const void *req, void *resp)
{
	struct pvgpu_msg_log_ctrl in;
	uint32_t level;

	(void)resp;
	memcpy(&in, req, sizeof(in));
	level = GUINT32_FROM_LE(in.level);
	if (in.reserved || level > PVGPU_LOG_LEVEL_DEBUG) {
		fw_guest_error(fw, "LOG_CTRL: level %u / reserved 0x%x invalid",
			       level, GUINT32_FROM_LE(in.reserved));
		return PVGPU_STATUS_EINVAL;
	}
	fw->st.log_level = level;
	fw_log_sync_level(fw);
	fw_log(fw, PVGPU_LOG_LEVEL_INFO, "log level set to %u", level);
	return PVGPU_STATUS_OK;
}

/*
 * The handler of each PVGPU_H2F_TABLE row, by name: address spaces and
 * TLB in mmu.c, queues in queue.c (sched.c schedules them).
 */
#define handle_PING			handle_ping
#define handle_LOG_CTRL			handle_log_ctrl
#define handle_AS_BIND			fw_mmu_handle_as_bind
#define handle_AS_UNBIND		fw_mmu_handle_as_unbind
#define handle_TLB_INVALIDATE		fw_mmu_handle_tlb_invalidate
#define handle_QUEUE_REGISTER		fw_handle_queue_register
#define handle_QUEUE_DEREGISTER		fw_handle_queue_deregister
#define handle_QUEUE_SUSPEND		fw_handle_queue_suspend
#define handle_QUEUE_RESUME		fw_handle_queue_resume
#define handle_QUEUE_SET_PRIORITY	fw_handle_queue_set_priority
#define handle_QUEUE_SET_TIMESLICE	fw_handle_queue_set_timeslice
#define handle_QUEUE_RESET		fw_handle_queue_reset
#define handle_QUEUE_QUERY		fw_handle_queue_query
#define handle_PAGE_FAULT_REPLY		fw_handle_page_fault_reply

/* Opcodes, names and sizes: the table in pvgpu_fwif.h. */
#define FW_REQUEST(name, op, req, resp) \
	{ PVGPU_H2F_##name, #name, req, resp, handle_##name },
static const FwRequestType fw_requests[] = {
	PVGPU_H2F_TABLE(FW_REQUEST)
};
#undef FW_REQUEST

static const FwRequestType *request_type(uint16_t opcode)
{
	for (size_t i = 0; i < G_N_ELEMENTS(fw_requests); i++) {
		if (fw_requests[i].opcode == opcode)
			return &fw_requests[i];
	}
	return NULL;
}

/* --- F2H --------------------------------------------------------------- */

static bool running(const PvgpuFw *fw)
{
	return fw->st.fw_status == PVGPU_FW_STATE_RUNNING;
}

/*
 * Read the F2H pointers. The firmware is the producer, yet both pointers
 * live in guest memory the driver can scribble over; if they make no sense
 * the firmware cannot produce anything safely and halts.
 */
static bool f2h_ptrs(PvgpuFw *fw, const FwRing *f2h, uint32_t *head,
		     uint32_t *tail)
{
	if (!fw_ring_read_ptrs(fw, f2h, head, tail)) {
		fw_halt(fw, PVGPU_FW_ERR_BAD_RING,
			"F2H ring descriptor not accessible");
		return false;
	}
	if (!fw_ring_ptr_valid(f2h, *head) || !fw_ring_ptr_valid(f2h, *tail)) {
		char *why = g_strdup_printf("F2H head 0x%x / tail 0x%x invalid "
					    "for a 0x%x-byte ring", *head,
					    *tail, f2h->size);

		/* Best effort: we are halting whether this works or not. */
		fw_ring_set_status(fw, f2h, PVGPU_RING_STATUS_BAD_POINTER);
		fw_halt(fw, PVGPU_FW_ERR_BAD_RING, why);
		g_free(why);
		return false;
	}
	return true;
}

/* Write one message at @tail and publish it by advancing the tail. */
static bool f2h_put(PvgpuFw *fw, const FwRing *f2h, uint32_t tail,
		    const struct pvgpu_msg_hdr *hdr, const void *payload,
		    uint32_t len_dw)
{
	uint8_t msg[MSG_MAX_BYTES];
	uint32_t bytes = MSG_HDR_BYTES + len_dw * 4;

	memcpy(msg, hdr, MSG_HDR_BYTES);
	if (len_dw)
		memcpy(msg + MSG_HDR_BYTES, payload, len_dw * 4);
	/* Message first, tail second: the driver trusts what tail covers. */
	if (!fw_ring_copy_to(fw, f2h, tail, msg, bytes) ||
	    !fw_ring_write_tail(fw, f2h, (tail + bytes) & (f2h->size - 1))) {
		fw_halt(fw, PVGPU_FW_ERR_BAD_RING,
			"F2H ring not accessible");
		return false;
	}
	fw->f2h_written = true;
	return true;
}

void fw_f2h_event(PvgpuFw *fw, uint16_t opcode, const void *payload,
		  uint16_t len_dw)
{
	struct pvgpu_msg_hdr hdr = { 0 };
	uint32_t head, tail, seqno;
	FwRing f2h;

	if (!running(fw))
		return;
	g_assert(len_dw <= PVGPU_MSG_MAX_PAYLOAD_DW);
	if (fw->in_handler) {
		/* After the response, which has the room reserved for it. */
		g_assert(fw->n_stashed < FW_STASHED_EVENTS);
		fw->stashed[fw->n_stashed].opcode = opcode;
		fw->stashed[fw->n_stashed].len_dw = len_dw;
		memcpy(fw->stashed[fw->n_stashed].payload, payload, len_dw * 4);
		fw->n_stashed++;
		return;
	}
	fw_ring_f2h(fw, &f2h);
	/* Dropped events use up their number too, so the driver sees a gap. */
	seqno = ++fw->st.f2h_event_seqno;
	if (!f2h_ptrs(fw, &f2h, &head, &tail))
		return;

	if (fw_ring_free(&f2h, head, tail) < MSG_HDR_BYTES + len_dw * 4u) {
		fw->stats.events_dropped++;
		fw_trace(fw, "f2h_event_dropped", opcode, seqno);
		if (!fw_ring_set_status(fw, &f2h, PVGPU_RING_STATUS_OVERFLOW)) {
			fw_halt(fw, PVGPU_FW_ERR_BAD_RING,
				"F2H ring descriptor not accessible");
			return;
		}
		fw_log(fw, PVGPU_LOG_LEVEL_WARN,
		       "F2H full: event 0x%04x seqno %u dropped", opcode, seqno);
		return;
	}

	hdr.opcode = GUINT16_TO_LE(opcode);
	hdr.len = GUINT16_TO_LE(len_dw);
	hdr.seqno = GUINT32_TO_LE(seqno);
	hdr.kind = GUINT16_TO_LE(PVGPU_MSG_KIND_EVENT);
	if (f2h_put(fw, &f2h, tail, &hdr, payload, len_dw)) {
		fw->stats.events++;
		fw_trace(fw, "f2h_event", opcode, seqno);
	}
}

/* Send the events the last request handler raised. */
static void flush_stashed(PvgpuFw *fw)
{
	unsigned int n = fw->n_stashed;

	fw->n_stashed = 0;
	for (unsigned int i = 0; i < n; i++)
		fw_f2h_event(fw, fw->stashed[i].opcode, fw->stashed[i].payload,
			     fw->stashed[i].len_dw);
}

/* --- H2F --------------------------------------------------------------- */

static void ring_error_event(PvgpuFw *fw, uint32_t reason, uint32_t offset,
			     uint32_t word0_le, uint32_t word1_le)
{
	struct pvgpu_evt_ring_error evt = {
		.reason = GUINT32_TO_LE(reason),
		.offset = GUINT32_TO_LE(offset),
		.word0 = word0_le,	/* raw ring contents, already LE */
		.word1 = word1_le,
	};

	fw_f2h_event(fw, PVGPU_F2H_EVT_RING_ERROR, &evt, sizeof(evt) / 4);
}

/*
 * Discard everything the driver has queued: head = @new_head. The status
 * bit tells a driver that polls instead of reading events.
 */
static bool h2f_drain(PvgpuFw *fw, const FwRing *h2f, uint32_t new_head,
		      uint32_t reason)
{
	fw->stats.malformed++;
	fw_trace(fw, "h2f_drain", reason, new_head);
	if (!fw_ring_write_head(fw, h2f, new_head) ||
	    !fw_ring_set_status(fw, h2f, reason)) {
		fw_halt(fw, PVGPU_FW_ERR_BAD_RING,
			"H2F ring descriptor not accessible");
		return false;
	}
	return true;
}

/*
 * head or tail is out of range or misaligned. If tail is sane, drain to it;
 * otherwise restart at 0. The firmware never writes the H2F tail: that is
 * the producer's, and the driver resynchronises its tail to our head.
 */
static void h2f_bad_pointer(PvgpuFw *fw, const FwRing *h2f, uint32_t head,
			    uint32_t tail)
{
	uint32_t new_head = fw_ring_ptr_valid(h2f, tail) ? tail : 0;

	fw_guest_error(fw, "H2F head 0x%x / tail 0x%x invalid for a 0x%x-byte "
		       "ring: ring drained", head, tail, h2f->size);
	if (!h2f_drain(fw, h2f, new_head, PVGPU_RING_STATUS_BAD_POINTER))
		return;
	fw_log(fw, PVGPU_LOG_LEVEL_ERROR,
	       "H2F bad pointer: head 0x%x tail 0x%x, drained", head, tail);
	ring_error_event(fw, PVGPU_RING_STATUS_BAD_POINTER, head,
			 GUINT32_TO_LE(head), GUINT32_TO_LE(tail));
}

static void h2f_malformed(PvgpuFw *fw, const FwRing *h2f, uint32_t head,
			  uint32_t tail, const struct pvgpu_msg_hdr *hdr,
			  const char *why)
{
	uint32_t words[2];

	memcpy(words, hdr, sizeof(words));
	fw_guest_error(fw, "H2F message at offset 0x%x: %s (opcode 0x%x len "
		       "%u kind %u): ring drained", head, why,
		       GUINT16_FROM_LE(hdr->opcode), GUINT16_FROM_LE(hdr->len),
		       GUINT16_FROM_LE(hdr->kind));
	if (!h2f_drain(fw, h2f, tail, PVGPU_RING_STATUS_MALFORMED))
		return;
	fw_log(fw, PVGPU_LOG_LEVEL_ERROR,
	       "H2F malformed at 0x%x (%s), drained to 0x%x", head, why, tail);
	ring_error_event(fw, PVGPU_RING_STATUS_MALFORMED, head, words[0],
			 words[1]);
}

/* Why a header cannot be trusted, or NULL if it can. */
static const char *header_problem(const struct pvgpu_msg_hdr *hdr,
				  uint32_t avail)
{
	uint32_t len = GUINT16_FROM_LE(hdr->len);

	if (avail < MSG_HDR_BYTES)
		return "header runs past the tail";
	if (GUINT16_FROM_LE(hdr->kind) != PVGPU_MSG_KIND_REQUEST)
		return "kind is not REQUEST";
	if (len > PVGPU_MSG_MAX_PAYLOAD_DW)
		return "payload longer than the maximum";
	if (MSG_HDR_BYTES + len * 4 > avail)
		return "payload runs past the tail";
	return NULL;
}

/*
 * Decide a well-framed request. Returns the status; on PVGPU_STATUS_OK
 * *resp_dw payload dwords are in @resp.
 */
static uint32_t dispatch(PvgpuFw *fw, const FwRequestType *type,
			 const struct pvgpu_msg_hdr *hdr, const void *req,
			 void *resp, uint32_t *resp_dw)
{
	uint16_t opcode = GUINT16_FROM_LE(hdr->opcode);
	uint32_t len = GUINT16_FROM_LE(hdr->len);
	uint32_t status;

	*resp_dw = 0;
	if (hdr->flags || hdr->status) {
		fw_guest_error(fw, "H2F request 0x%x: flags 0x%x / status 0x%x "
			       "must be zero", opcode,
			       GUINT16_FROM_LE(hdr->flags),
			       GUINT32_FROM_LE(hdr->status));
		return PVGPU_STATUS_EINVAL;
	}
	if (!type) {
		/* Not a guest error: a newer driver may probe for features. */
		fw_log(fw, PVGPU_LOG_LEVEL_WARN, "unknown request 0x%04x",
		       opcode);
		return PVGPU_STATUS_ENOSYS;
	}
	if (len != type->req_dw) {
		fw_guest_error(fw, "H2F %s: payload %u dwords, expected %u",
			       type->name, len, type->req_dw);
		return PVGPU_STATUS_EINVAL;
	}
	fw->in_handler = true;
	status = type->handle(fw, req, resp);
	fw->in_handler = false;
	if (status == PVGPU_STATUS_OK)
		*resp_dw = type->resp_dw;
	return status;
}

FwServeResult fw_h2f_serve(PvgpuFw *fw, unsigned int *budget)
{
	FwRing h2f, f2h;

	fw_ring_h2f(fw, &h2f);
	fw_ring_f2h(fw, &f2h);

	while (*budget > 0) {
		struct pvgpu_msg_hdr hdr, rhdr = { 0 };
		/* uint64_t: payload structs hold 64-bit fields. */
		uint64_t req[PVGPU_MSG_MAX_PAYLOAD_DW / 2];
		uint64_t resp[PVGPU_MSG_MAX_PAYLOAD_DW / 2];
		uint32_t head, tail, fhead, ftail, len, status, resp_dw;
		const FwRequestType *type;
		const char *problem;

		if (!running(fw))
			return FW_SERVE_STOPPED;
		if (!fw_ring_read_ptrs(fw, &h2f, &head, &tail)) {
			fw_halt(fw, PVGPU_FW_ERR_BAD_RING,
				"H2F ring descriptor not accessible");
			return FW_SERVE_STOPPED;
		}
		if (!fw_ring_ptr_valid(&h2f, head) ||
		    !fw_ring_ptr_valid(&h2f, tail)) {
			(*budget)--;
			h2f_bad_pointer(fw, &h2f, head, tail);
			/* Nothing left to read until the driver rings again. */
			return running(fw) ? FW_SERVE_IDLE : FW_SERVE_STOPPED;
		}
		if (head == tail)
			return FW_SERVE_IDLE;

		if (!fw_ring_copy_from(fw, &h2f, head, &hdr, sizeof(hdr))) {
			fw_halt(fw, PVGPU_FW_ERR_BAD_RING,
				"H2F ring not accessible");
			return FW_SERVE_STOPPED;
		}
		problem = header_problem(&hdr, fw_ring_distance(&h2f, head,
								 tail));
		if (problem) {
			(*budget)--;
			h2f_malformed(fw, &h2f, head, tail, &hdr, problem);
			continue;
		}

		/* Reserve room for the largest response before consuming. */
		type = request_type(GUINT16_FROM_LE(hdr.opcode));
		if (!f2h_ptrs(fw, &f2h, &fhead, &ftail))
			return FW_SERVE_STOPPED;
		if (fw_ring_free(&f2h, fhead, ftail) <
		    MSG_HDR_BYTES + (type ? type->resp_dw * 4u : 0))
			return FW_SERVE_BLOCKED;

		len = GUINT16_FROM_LE(hdr.len);
		if (len && !fw_ring_copy_from(fw, &h2f,
					      (head + MSG_HDR_BYTES) &
					      (h2f.size - 1), req, len * 4)) {
			fw_halt(fw, PVGPU_FW_ERR_BAD_RING,
				"H2F ring not accessible");
			return FW_SERVE_STOPPED;
		}
		fw_trace(fw, "h2f_request", GUINT16_FROM_LE(hdr.opcode),
			 GUINT32_FROM_LE(hdr.seqno));
		status = dispatch(fw, type, &hdr, req, resp, &resp_dw);
		if (!running(fw)) {
			fw->n_stashed = 0;
			return FW_SERVE_STOPPED;	/* halted inside */
		}
		/* Not yet: leave it on H2F, later requests wait behind it. */
		if (status == FW_STATUS_DEFER) {
			flush_stashed(fw);
			return FW_SERVE_DEFERRED;
		}
		fw->stats.requests++;
		(*budget)--;

		rhdr.opcode = hdr.opcode;
		rhdr.len = GUINT16_TO_LE(resp_dw);
		rhdr.seqno = hdr.seqno;
		rhdr.kind = GUINT16_TO_LE(PVGPU_MSG_KIND_RESPONSE);
		rhdr.status = GUINT32_TO_LE(status);
		if (!f2h_put(fw, &f2h, ftail, &rhdr, resp, resp_dw)) {
			fw->n_stashed = 0;
			return FW_SERVE_STOPPED;
		}
		fw->stats.responses++;
		fw_trace(fw, "f2h_response", GUINT16_FROM_LE(hdr.opcode),
			 status);

		/* Consume the request only once its response is out. */
		if (!fw_ring_write_head(fw, &h2f,
					(head + MSG_HDR_BYTES + len * 4) &
					(h2f.size - 1))) {
			fw->n_stashed = 0;
			fw_halt(fw, PVGPU_FW_ERR_BAD_RING,
				"H2F ring descriptor not accessible");
			return FW_SERVE_STOPPED;
		}
		flush_stashed(fw);
	}
	return FW_SERVE_BUDGET;
}
