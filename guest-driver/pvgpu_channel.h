/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvgpu guest driver: the firmware message channel.
 *
 * Copyright (C) 2026 The pvgpu authors
 */
#ifndef PVGPU_CHANNEL_H
#define PVGPU_CHANNEL_H

#include <linux/atomic.h>
#include <linux/fault-inject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "pvgpu_fwif.h"

struct drm_printer;
struct pvgpu_device;

/* Ring buffer sizes; powers of two within the header's limits. */
#define PVGPU_H2F_RING_SIZE	SZ_16K
#define PVGPU_F2H_RING_SIZE	SZ_16K

/**
 * struct pvgpu_dma - one coherent DMA allocation shared with the firmware
 */
struct pvgpu_dma {
	/** @vaddr: CPU address, NULL when not allocated. */
	void *vaddr;
	/** @dma: bus address the firmware uses. */
	dma_addr_t dma;
	/** @size: bytes. */
	size_t size;
};

int pvgpu_dma_alloc(struct pvgpu_device *pvdev, struct pvgpu_dma *mem,
		    size_t size);
void pvgpu_dma_free(struct pvgpu_device *pvdev, struct pvgpu_dma *mem);

/**
 * struct pvgpu_ring - one message ring as the driver sees it
 */
struct pvgpu_ring {
	/** @name: "h2f" or "f2h", for messages. */
	const char *name;
	/** @desc: the shared struct pvgpu_ring_desc. */
	struct pvgpu_ring_desc *desc;
	/** @desc_dma: bus address of @desc. */
	dma_addr_t desc_dma;
	/** @buf: the shared ring buffer. */
	__le32 *buf;
	/** @buf_dma: bus address of @buf. */
	dma_addr_t buf_dma;
	/** @size: bytes in @buf, a power of two. */
	u32 size;
	/**
	 * @pos: the index this side owns (H2F: tail, F2H: head), in bytes.
	 * The shared copy in @desc is only ever written from here.
	 */
	u32 pos;
};

/**
 * enum pvgpu_channel_state - what the channel accepts
 * @PVGPU_CHANNEL_OFF: no rings, or rings torn down: nothing is processed.
 * @PVGPU_CHANNEL_READY: rings handed to the firmware, which is booting:
 *	the F2H ring is drained, requests are refused with -ENODEV.
 * @PVGPU_CHANNEL_UP: the firmware runs: requests are sent.
 * @PVGPU_CHANNEL_DEAD: the firmware stopped (crash, reset, halt) or the
 *	device is going away: requests are refused with -ENODEV; the
 *	requests that were waiting when it happened failed with -EIO or
 *	-ENODEV. The F2H ring is still drained.
 */
enum pvgpu_channel_state {
	PVGPU_CHANNEL_OFF,
	PVGPU_CHANNEL_READY,
	PVGPU_CHANNEL_UP,
	PVGPU_CHANNEL_DEAD,
};

/**
 * struct pvgpu_channel_stats - message channel counters
 *
 * Protected by &pvgpu_channel.lock; never reset while the device is bound.
 */
struct pvgpu_channel_stats {
	/** @requests: requests written to the H2F ring. */
	u64 requests;
	/** @responses: responses matched to a waiting request. */
	u64 responses;
	/** @fw_errors: responses whose status was not PVGPU_STATUS_OK. */
	u64 fw_errors;
	/** @events: events read from the F2H ring. */
	u64 events;
	/** @events_lost: events the firmware numbered but never delivered. */
	u64 events_lost;
	/** @log_events: PVGPU_F2H_EVT_LOG events. */
	u64 log_events;
	/** @unknown_events: events with an opcode this driver ignores. */
	u64 unknown_events;
	/** @timeouts: requests abandoned because no response came in time. */
	u64 timeouts;
	/** @interrupted: requests abandoned because a signal came. */
	u64 interrupted;
	/** @orphans: responses nobody waited for any more (dropped). */
	u64 orphans;
	/** @ring_errors: PVGPU_F2H_EVT_RING_ERROR events. */
	u64 ring_errors;
	/** @f2h_malformed: F2H ring contents this driver could not parse. */
	u64 f2h_malformed;
	/** @h2f_full: times a sender found the H2F ring full and waited. */
	u64 h2f_full;
	/** @irqs: firmware interrupts handled. */
	u64 irqs;
	/** @polled: responses found by polling after a missed interrupt. */
	u64 polled;
	/**
	 * @failed: requests failed because the firmware stopped, drained
	 * the H2F ring (PVGPU_F2H_EVT_RING_ERROR) or the device went away.
	 */
	u64 failed;
	/**
	 * @skipped: requests failed because the firmware answered a later
	 * request first (it never answers them: they were drained).
	 */
	u64 skipped;
	/**
	 * @latency_last_ns: round trip of the latest response: from just
	 * before the request was queued to the read of the F2H tail that
	 * covered the response.
	 */
	u64 latency_last_ns;
	/** @latency_max_ns: largest round trip seen. */
	u64 latency_max_ns;
	/** @latency_total_ns: sum of all round trips, for the mean. */
	u64 latency_total_ns;
};

/**
 * struct pvgpu_channel - the host-to-firmware and firmware-to-host rings
 *
 * See the DOC: section in pvgpu_channel.c for the protocol and locking.
 */
struct pvgpu_channel {
	/** @pvdev: the device. */
	struct pvgpu_device *pvdev;

	/** @ctl: two pages: the H2F ring descriptor, then the F2H one. */
	struct pvgpu_dma ctl;
	/** @h2f_mem: the H2F ring buffer. */
	struct pvgpu_dma h2f_mem;
	/** @f2h_mem: the F2H ring buffer. */
	struct pvgpu_dma f2h_mem;

	/** @h2f: host-to-firmware ring; the driver produces. */
	struct pvgpu_ring h2f;
	/** @f2h: firmware-to-host ring; the driver consumes. */
	struct pvgpu_ring f2h;

	/**
	 * @send_lock: serialises senders: H2F tail, message contents and
	 * seqno allocation. Taken before @lock; may be held while waiting
	 * for ring space (bounded by the request timeout). The helpers that
	 * need it are the pvgpu_channel_h2f_*() ones; a _locked suffix
	 * means @lock.
	 */
	struct mutex send_lock;

	/**
	 * @lock: protects @state, @pending, the F2H head, @last_event_seqno,
	 * @f2h_status_seen and @stats. Taken from the interrupt handler.
	 */
	spinlock_t lock;

	/** @state: enum pvgpu_channel_state. */
	enum pvgpu_channel_state state;

	/** @pending: requests sent and waiting for their response. */
	struct list_head pending;

	/**
	 * @epoch: boots of the firmware this channel served, counted by
	 * pvgpu_channel_set_ready() under @send_lock and @lock: a request
	 * that failed in an earlier epoch talked to a firmware that was
	 * stopped and rebooted since (a device reset), and its failure says
	 * nothing about the running one (pvgpu_fw_wedge_epoch()).
	 */
	u32 epoch;

	/** @next_seqno: seqno of the next request; never 0. */
	u32 next_seqno;

	/** @last_event_seqno: seqno of the latest event, 0 before the first. */
	u32 last_event_seqno;

	/** @f2h_status_seen: F2H ring status bits already reported. */
	u32 f2h_status_seen;

	/** @h2f_status_seen: H2F ring status bits already reported. */
	u32 h2f_status_seen;

	/** @space_wq: senders waiting for H2F space; woken per interrupt. */
	wait_queue_head_t space_wq;

	/** @stats: counters, see struct pvgpu_channel_stats. */
	struct pvgpu_channel_stats stats;

	/**
	 * @inject_stall_opcode: test hook, debugfs inject_stall_opcode: 0,
	 * or a PVGPU_H2F_* opcode plus one; the next request with that
	 * opcode finds the channel busy until its timeout passes and fails
	 * unsent with -ETIMEDOUT, as if another sender held the channel or
	 * the H2F ring stayed full. Cleared when it fires.
	 *
	 * Not a &struct fault_attr like the driver's other hooks: a test
	 * stalls one chosen request (a TLB invalidation, an AS_UNBIND) among
	 * the many others the same ioctl sends, which a probability, an
	 * interval or a count of calls cannot single out.
	 */
	atomic_t inject_stall_opcode;
};

/**
 * struct pvgpu_channel_msg - one request and its response
 *
 * Payloads are in the firmware's byte order (little-endian), exactly as
 * they travel on the rings.
 */
struct pvgpu_channel_msg {
	/** @opcode: PVGPU_H2F_*. */
	u16 opcode;
	/** @flags: PVGPU_CHANNEL_MSG_*. */
	u16 flags;
	/** @req_dw: request payload length in dwords. */
	u16 req_dw;
	/** @resp_dw: in: room at @resp in dwords; out: dwords received. */
	u16 resp_dw;
	/** @req: request payload, or NULL when @req_dw is 0. */
	const void *req;
	/** @resp: response payload buffer, or NULL when @resp_dw is 0. */
	void *resp;
	/**
	 * @fw_status: out: the PVGPU_STATUS_* error the firmware answered
	 * (the call returned -EIO: the firmware refused the request and
	 * changed nothing), else PVGPU_STATUS_OK.
	 */
	u32 fw_status;
	/**
	 * @rtt_ns: out: from just before the request was queued to the read
	 * of the F2H tail that covered the response; 0 on failure.
	 */
	u64 rtt_ns;
	/**
	 * @wake_ns: out: from the same start as @rtt_ns to the sender
	 * running again after its wait for the response; 0 on failure.
	 */
	u64 wake_ns;
};

/*
 * The request changes firmware state (an address space, a queue, a TLB):
 * once it is on the ring the sender waits for the response uninterruptibly.
 * Its failure has a known outcome: the firmware refused it (-EIO with
 * &pvgpu_channel_msg.fw_status set) and changed nothing; or it was never
 * sent, only possible without PVGPU_CHANNEL_MSG_NOINTR (a signal, or the
 * channel busy past the timeout: a request that creates state, which the
 * firmware never saw); or the device is stopped (pvgpu_fw_wedge(): the
 * channel failed, the firmware reset, bus mastering cleared) before the
 * call returns: not answered in time, skipped, drained, the firmware
 * crashed, -ENODEV (the device was stopped or is being removed; the call
 * waits until that stop is complete), or, with PVGPU_CHANNEL_MSG_NOINTR,
 * not sent within the timeout counted from when it held the channel (the
 * firmware does not drain its ring). So after a failed cleanup request
 * that the firmware did not refuse, nothing the firmware could reach is
 * reached any more, and the caller may free it.
 */
#define PVGPU_CHANNEL_MSG_COMMIT	BIT(0)
/*
 * No signal interrupts the request at all, not even while it waits for the
 * channel: for cleanup paths that must not fail because the caller has a
 * signal pending. The waits stay bounded by the timeout; with
 * PVGPU_CHANNEL_MSG_COMMIT the timeout starts once the request holds the
 * channel (every holder's wait is bounded, so the wait for it is too).
 */
#define PVGPU_CHANNEL_MSG_NOINTR	BIT(1)

int pvgpu_channel_init(struct pvgpu_channel *ch, struct pvgpu_device *pvdev);
void pvgpu_channel_fini(struct pvgpu_channel *ch);
void pvgpu_channel_set_ready(struct pvgpu_channel *ch);
void pvgpu_channel_set_up(struct pvgpu_channel *ch);
bool pvgpu_channel_fail(struct pvgpu_channel *ch, int err);
bool pvgpu_channel_is_up(struct pvgpu_channel *ch);

int pvgpu_channel_send(struct pvgpu_channel *ch, struct pvgpu_channel_msg *msg,
		       unsigned int timeout_ms);

void pvgpu_channel_irq(struct pvgpu_channel *ch);

void pvgpu_channel_print(struct pvgpu_channel *ch, struct drm_printer *p);

const char *pvgpu_fw_status_name(u32 status);

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
/* Test hook: H2F doorbell writes to drop (debugfs fail_h2f_doorbell). */
extern struct fault_attr pvgpu_fail_h2f_doorbell;
#endif

#endif /* PVGPU_CHANNEL_H */
