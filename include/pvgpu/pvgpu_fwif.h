/* SPDX-License-Identifier: MIT */
/*
 * pvgpu firmware interface: the boot descriptor, the shared-memory message
 * rings, the message header and every message, the capability block and the
 * firmware log buffer.
 *
 * Single definition shared by the firmware model, the QEMU device, the guest
 * driver and the tests. Specification: docs/firmware-protocol.rst.
 *
 * Everything in shared memory is little-endian. Structures have explicit
 * padding, fixed sizes (checked below) and no implicit holes, so the same
 * bytes mean the same thing on every side.
 */
#ifndef PVGPU_FWIF_H
#define PVGPU_FWIF_H

#include <linux/types.h>

/* --- Boot descriptor --------------------------------------------------- */

#define PVGPU_BOOT_MAGIC		0x544f4f42	/* "BOOT" */

/* Ring sizes: a power of two number of bytes in this range. */
#define PVGPU_RING_MIN_SIZE		0x1000
#define PVGPU_RING_MAX_SIZE		0x100000
/* Log buffer: a power of two number of bytes in this range. */
#define PVGPU_LOG_MIN_SIZE		0x1000
#define PVGPU_LOG_MAX_SIZE		0x100000

/**
 * struct pvgpu_boot_desc - what the driver hands the firmware at boot
 *
 * Lives in guest memory at a 4 KiB aligned address that the driver writes
 * to PVGPU_REG_FW_BOOT_DESC_LO/HI before setting PVGPU_FW_CTRL_BOOT. Every
 * address is guest-physical; every buffer must be 4 KiB aligned and stay
 * allocated until the firmware is reset.
 */
struct pvgpu_boot_desc {
	__le32 magic;		/* PVGPU_BOOT_MAGIC */
	__le32 iface_version;	/* PVGPU_IFACE_VERSION() the driver speaks */
	__le64 h2f_desc;	/* struct pvgpu_ring_desc of the H2F ring */
	__le64 h2f_base;	/* H2F ring buffer */
	__le64 f2h_desc;	/* struct pvgpu_ring_desc of the F2H ring */
	__le64 f2h_base;	/* F2H ring buffer */
	__le32 h2f_size;	/* bytes, power of two */
	__le32 f2h_size;	/* bytes, power of two */
	__le64 log_base;	/* struct pvgpu_log_desc, then log text */
	__le32 log_size;	/* bytes incl. the descriptor, power of two */
	__le32 caps_size;	/* bytes available at caps_base */
	__le64 caps_base;	/* firmware writes struct pvgpu_fw_caps here */
	__le32 flags;		/* must be zero */
	__le32 reserved[13];	/* must be zero */
};

/* --- Message rings ----------------------------------------------------- */

/**
 * struct pvgpu_ring_desc - shared state of one message ring
 *
 * @head and @tail are byte offsets into the ring buffer, always multiples of
 * 4 and smaller than the ring size. The producer writes messages at @tail
 * and then advances it; the consumer reads at @head and then advances it.
 * The ring is empty when head == tail and full when advancing tail by the
 * next message would make it equal head (one dword always stays free).
 * Messages wrap around the end of the buffer dword by dword.
 *
 * @status is written only by the firmware: PVGPU_RING_STATUS_* bits that
 * tell the driver why it discarded ring contents.
 */
struct pvgpu_ring_desc {
	__le32 head;
	__le32 tail;
	__le32 status;
	__le32 reserved[13];
};

#define PVGPU_RING_STATUS_MALFORMED	(1u << 0)	/* bad header: ring drained */
#define PVGPU_RING_STATUS_OVERFLOW	(1u << 1)	/* F2H full: events dropped */
#define PVGPU_RING_STATUS_BAD_POINTER	(1u << 2)	/* head/tail out of range */

/* --- Messages ---------------------------------------------------------- */

/**
 * struct pvgpu_msg_hdr - header of every message on either ring
 *
 * A message is this header followed by @len payload dwords.
 *
 * - A request (H2F, PVGPU_MSG_KIND_REQUEST) carries a driver-chosen @seqno.
 * - Its response (F2H, PVGPU_MSG_KIND_RESPONSE) repeats @opcode and @seqno
 *   and carries @status: PVGPU_STATUS_OK or a PVGPU_STATUS_* error. Every
 *   request gets exactly one response, in request order.
 * - An event (F2H, PVGPU_MSG_KIND_EVENT) is unsolicited; its @seqno counts
 *   events from 1 so the driver can notice a gap.
 */
struct pvgpu_msg_hdr {
	__le16 opcode;		/* PVGPU_H2F_* or PVGPU_F2H_EVT_* */
	__le16 len;		/* payload length in dwords */
	__le32 seqno;
	__le16 kind;		/* PVGPU_MSG_KIND_* */
	__le16 flags;		/* must be zero */
	__le32 status;		/* responses: PVGPU_STATUS_*; else zero */
};

#define PVGPU_MSG_KIND_REQUEST		1
#define PVGPU_MSG_KIND_RESPONSE		2
#define PVGPU_MSG_KIND_EVENT		3

/* Largest payload of any message, in dwords. */
#define PVGPU_MSG_MAX_PAYLOAD_DW	60
#define PVGPU_MSG_HDR_DW		(sizeof(struct pvgpu_msg_hdr) / 4)

/*
 * The tables below are the single definition of every message and every
 * error code: each generates the constants (wire ABI: the values never
 * change); the firmware model takes its dispatch sizes and names from
 * them, the driver and the firmware their status and error names, the
 * fuzzers their message lists. Adding a message is one table row plus its
 * payload struct; see docs/firmware-protocol.rst, "Adding a message".
 *
 * Payload sizes are in dwords: PVGPU_MSG_DW(payload struct), or 0 for no
 * payload. NAME is the constant's suffix, and #NAME the name that logs
 * print.
 */
#define PVGPU_MSG_DW(type)		(sizeof(type) / 4)

/*
 * Response status codes (pvgpu_msg_hdr.status).
 * X(NAME, value, description) defines PVGPU_STATUS_<NAME>.
 */
#define PVGPU_STATUS_TABLE(X)						\
	X(OK,		0, "done")					\
	X(EINVAL,	1, "malformed payload or field")		\
	X(ENOSYS,	2, "unknown opcode")				\
	X(EBUSY,	3, "resource busy")				\
	X(ENOSPC,	4, "out of firmware resources")			\
	X(ENOENT,	5, "no such object")				\
	X(EFAULT,	6, "guest memory not accessible")

/*
 * Host-to-firmware requests.
 * X(NAME, opcode, request dwords, OK response dwords) defines
 * PVGPU_H2F_<NAME>. Error responses never carry a payload.
 */
#define PVGPU_H2F_TABLE(X)						\
	X(PING,			0x0001,					\
	  PVGPU_MSG_DW(struct pvgpu_msg_ping),				\
	  PVGPU_MSG_DW(struct pvgpu_msg_ping))				\
	X(LOG_CTRL,		0x0002,					\
	  PVGPU_MSG_DW(struct pvgpu_msg_log_ctrl), 0)			\
	X(AS_BIND,		0x0010,					\
	  PVGPU_MSG_DW(struct pvgpu_msg_as_bind), 0)			\
	X(AS_UNBIND,		0x0011,					\
	  PVGPU_MSG_DW(struct pvgpu_msg_as_unbind), 0)			\
	X(TLB_INVALIDATE,	0x0012,					\
	  PVGPU_MSG_DW(struct pvgpu_msg_tlb_invalidate), 0)		\
	X(QUEUE_REGISTER,	0x0020,					\
	  PVGPU_MSG_DW(struct pvgpu_msg_queue_register), 0)		\
	X(QUEUE_DEREGISTER,	0x0021,					\
	  PVGPU_MSG_DW(struct pvgpu_msg_queue), 0)			\
	X(QUEUE_SUSPEND,	0x0022,					\
	  PVGPU_MSG_DW(struct pvgpu_msg_queue), 0)			\
	X(QUEUE_RESUME,		0x0023,					\
	  PVGPU_MSG_DW(struct pvgpu_msg_queue), 0)			\
	X(QUEUE_SET_PRIORITY,	0x0024,					\
	  PVGPU_MSG_DW(struct pvgpu_msg_queue_set), 0)			\
	X(QUEUE_SET_TIMESLICE,	0x0025,					\
	  PVGPU_MSG_DW(struct pvgpu_msg_queue_set), 0)			\
	X(QUEUE_RESET,		0x0026,					\
	  PVGPU_MSG_DW(struct pvgpu_msg_queue), 0)			\
	X(QUEUE_QUERY,		0x0027,					\
	  PVGPU_MSG_DW(struct pvgpu_msg_queue),				\
	  PVGPU_MSG_DW(struct pvgpu_msg_queue_state))			\
	X(PAGE_FAULT_REPLY,	0x0030,					\
	  PVGPU_MSG_DW(struct pvgpu_msg_fault_reply), 0)

/*
 * Firmware-to-host events.
 * X(NAME, opcode, payload dwords) defines PVGPU_F2H_EVT_<NAME>.
 */
#define PVGPU_F2H_EVT_TABLE(X)						\
	X(LOG,		0x8001, 0)					\
	X(RING_ERROR,	0x8002, PVGPU_MSG_DW(struct pvgpu_evt_ring_error)) \
	X(QUEUE_SIGNAL,	0x8010, PVGPU_MSG_DW(struct pvgpu_evt_queue_signal)) \
	X(QUEUE_IDLE,	0x8011, PVGPU_MSG_DW(struct pvgpu_evt_queue_idle)) \
	X(QUEUE_ERROR,	0x8012, PVGPU_MSG_DW(struct pvgpu_evt_queue_error)) \
	X(PAGE_FAULT,	0x8013, PVGPU_MSG_DW(struct pvgpu_evt_page_fault))

/*
 * Why the last boot failed or the firmware halted (PVGPU_REG_FW_ERROR,
 * pvgpu_regs.h). X(NAME, value, description) defines PVGPU_FW_ERR_<NAME>;
 * values count up from 0, so PVGPU_FW_ERR_COUNT bounds them.
 */
#define PVGPU_FW_ERR_TABLE(X)						\
	X(NONE,		0, "no error")					\
	X(DESC_ALIGN,	1, "boot descriptor misaligned")		\
	X(DESC_DMA,	2, "boot descriptor not readable")		\
	X(BAD_MAGIC,	3, "boot descriptor magic wrong")		\
	X(BAD_VERSION,	4, "interface major not supported")		\
	X(BAD_RING,	5, "ring address or size invalid")		\
	X(BAD_LOG,	6, "log buffer address or size invalid")	\
	X(BAD_CAPS,	7, "caps buffer invalid or too small")		\
	X(CRASHED,	8, "firmware crashed")

#define PVGPU_STATUS_ENUM(name, value, ...)	PVGPU_STATUS_##name = (value),
#define PVGPU_H2F_ENUM(name, op, ...)		PVGPU_H2F_##name = (op),
#define PVGPU_F2H_EVT_ENUM(name, op, ...)	PVGPU_F2H_EVT_##name = (op),
#define PVGPU_FW_ERR_ENUM(name, value, ...)	PVGPU_FW_ERR_##name = (value),
#define PVGPU_FW_ERR_ONE(...)			+ 1
enum { PVGPU_STATUS_TABLE(PVGPU_STATUS_ENUM) };
enum { PVGPU_H2F_TABLE(PVGPU_H2F_ENUM) };
enum { PVGPU_F2H_EVT_TABLE(PVGPU_F2H_EVT_ENUM) };
enum { PVGPU_FW_ERR_TABLE(PVGPU_FW_ERR_ENUM) };
enum { PVGPU_FW_ERR_COUNT = 0 PVGPU_FW_ERR_TABLE(PVGPU_FW_ERR_ONE) };
#undef PVGPU_STATUS_ENUM
#undef PVGPU_H2F_ENUM
#undef PVGPU_F2H_EVT_ENUM
#undef PVGPU_FW_ERR_ENUM
#undef PVGPU_FW_ERR_ONE

/**
 * struct pvgpu_msg_ping - PVGPU_H2F_PING request and response payload
 *
 * The firmware answers with @cookie unchanged and @fw_timestamp_ns set to
 * its clock when it handled the request. It is the cheapest round trip:
 * one doorbell write and one interrupt.
 */
struct pvgpu_msg_ping {
	__le64 cookie;
	__le64 fw_timestamp_ns;
};

/**
 * struct pvgpu_msg_log_ctrl - PVGPU_H2F_LOG_CTRL request payload
 *
 * Sets the firmware's log verbosity (PVGPU_LOG_LEVEL_*); messages above it
 * are not written to the log buffer. The response has no payload.
 */
struct pvgpu_msg_log_ctrl {
	__le32 level;
	__le32 reserved;	/* must be zero */
};

#define PVGPU_LOG_LEVEL_ERROR		0
#define PVGPU_LOG_LEVEL_WARN		1
#define PVGPU_LOG_LEVEL_INFO		2
#define PVGPU_LOG_LEVEL_DEBUG		3

/**
 * struct pvgpu_evt_ring_error - PVGPU_F2H_EVT_RING_ERROR payload
 *
 * The firmware found something it could not parse on the H2F ring, drained
 * it (head = tail) and set PVGPU_RING_STATUS_MALFORMED. Requests that were
 * drained get no response.
 */
struct pvgpu_evt_ring_error {
	__le32 reason;		/* PVGPU_RING_STATUS_* bit that was set */
	__le32 offset;		/* ring offset of the bad header */
	__le32 word0;		/* the first two dwords found there */
	__le32 word1;
};

/* --- Address spaces, TLB ---------------------------------------------- */

/* Address-space flags (pvgpu_msg_as_bind.flags). */
#define PVGPU_AS_FAULTABLE		(1u << 0)	/* recoverable faults */

/**
 * struct pvgpu_msg_as_bind - PVGPU_H2F_AS_BIND request
 *
 * Make address space @asid (0 .. caps.max_address_spaces - 1) use the page
 * tables rooted at guest-physical @pt_root (4 KiB aligned, format in
 * pvgpu_pt_format.h). Binding an already bound @asid is EBUSY. Faults on a
 * PVGPU_AS_FAULTABLE space stall the queue and are reported with
 * PVGPU_F2H_EVT_PAGE_FAULT; on other spaces they are fatal for the queue.
 */
struct pvgpu_msg_as_bind {
	__le32 asid;
	__le32 flags;		/* PVGPU_AS_* */
	__le64 pt_root;
};

/**
 * struct pvgpu_msg_as_unbind - PVGPU_H2F_AS_UNBIND request
 *
 * EBUSY while a registered queue still uses @asid; ENOENT if unbound.
 * Unbinding drops every TLB entry of @asid.
 */
struct pvgpu_msg_as_unbind {
	__le32 asid;
	__le32 reserved;	/* must be zero */
};

#define PVGPU_TLB_INV_ALL		(1u << 0)	/* ignore va/size */

/**
 * struct pvgpu_msg_tlb_invalidate - PVGPU_H2F_TLB_INVALIDATE request
 *
 * Drop TLB entries of @asid overlapping [@va, @va + @size). The response
 * means every later GPU access of that range walks the page tables again.
 */
struct pvgpu_msg_tlb_invalidate {
	__le32 asid;
	__le32 flags;		/* PVGPU_TLB_INV_* */
	__le64 va;
	__le64 size;
};

/* --- Queues ------------------------------------------------------------ */

/**
 * struct pvgpu_queue_desc - a queue as the driver describes it
 *
 * In guest memory (64-byte aligned) at the address PVGPU_H2F_QUEUE_REGISTER
 * names; the firmware reads it once at registration. The read and write
 * pointers are guest-physical u32s (byte offsets into the ring) so the
 * driver can map them to the process that owns a user-mode queue. The
 * firmware writes @rptr_addr after each ring command completes, a ring
 * BATCH_CALL only once its batch has returned (so the read pointer never
 * passes work still to do; in a batch it stays at the BATCH_CALL); the
 * driver (or userspace) writes @wptr_addr and then rings the queue's
 * doorbell.
 *
 * **Privilege** (interface minor PVGPU_IFACE_MINOR_PRIV_QUEUES). A queue
 * registered with PVGPU_QUEUE_DESC_PRIVILEGED is a kernel queue: its ring
 * is guest-physical memory (@ring_addr, contiguous), outside every GPU
 * address space, so no command can write it; its ring-level commands may
 * use the privileged commands (PVGPU_CMD_ATTR_PRIVILEGED in pvgpu_cmds.h:
 * FENCE), which write @fence_addr, a guest-physical u64 that no GPU
 * address space maps either. Commands inside a batch, and every command of
 * a queue without the flag, are user commands: a privileged command there
 * is PVGPU_QUEUE_ERR_PRIVILEGED. The driver trusts only @rptr_addr and
 * @fence_addr. Without the flag @ring_addr is a GPU VA in @asid.
 *
 * **Progress of a user queue** (same interface minor). Without the flag,
 * @fence_addr is 0 or the guest-physical address (16-byte aligned, RAM) of
 * a struct pvgpu_queue_progress the firmware keeps for the kernel: the
 * count of ring bytes retired, which userspace cannot forge because no GPU
 * address space maps it, and a threshold at which the firmware interrupts.
 *
 * @doorbell is a doorbell id (pvgpu_regs.h): PVGPU_DOORBELL_ID(group,
 * index), the dword at byte index * 4 of doorbell page @group in BAR2.
 * Valid: 1 .. caps.num_doorbells * PVGPU_DOORBELLS_PER_PAGE - 1 (id 0 is
 * the H2F channel's), and not the doorbell of another registered queue.
 * Kernel-managed queues use ids in group 0 (1 .. 1023); user-mode queues
 * ids in their process's page (groups >= 1). Several queues may share a
 * page, each with its own dword.
 */
struct pvgpu_queue_desc {
	__le32 engine_class;	/* PVGPU_ENGINE_CLASS_* */
	__le32 priority;	/* 0 .. caps.num_priorities - 1; highest: realtime */
	__le32 timeslice_us;	/* 0: caps default; else within caps min..max */
	__le32 asid;		/* bound address space */
	__le64 ring_addr;	/* 4 KiB aligned: GPU VA, or guest-physical if
				 * PVGPU_QUEUE_DESC_PRIVILEGED */
	__le32 ring_size;	/* bytes, power of two, 4 KiB .. 4 MiB */
	__le32 doorbell;	/* doorbell id, PVGPU_DOORBELL_ID(); not 0 */
	__le64 rptr_addr;	/* guest-physical, 4-byte aligned */
	__le64 wptr_addr;	/* guest-physical, 4-byte aligned */
	__le32 flags;		/* PVGPU_QUEUE_DESC_* */
	__le32 reserved;	/* must be zero */
	__le64 fence_addr;	/* PRIVILEGED: guest-physical u64, 8-byte
				 * aligned; else 0 or guest-physical struct
				 * pvgpu_queue_progress, 16-byte aligned */
};

/**
 * struct pvgpu_queue_progress - a user queue's progress, for the kernel
 *
 * At pvgpu_queue_desc.fence_addr of a queue registered without
 * PVGPU_QUEUE_DESC_PRIVILEGED. The firmware sets @retired to 0 at
 * registration (it ignores the value found there) and, each time it
 * writes the queue's read pointer, first adds the bytes the read pointer
 * advanced by to @retired, so @retired never goes backwards (and, for a
 * queue registered at rptr 0, @retired mod ring_size == rptr): a 64-bit
 * position in the queue's command stream, everything before which has
 * completed. Like the read pointer, it passes a ring BATCH_CALL only at
 * the BATCH_RETURN that ends its batch, not when the call is made.
 *
 * The driver writes @notify_at. Each time @retired advances from old to
 * new with old < @notify_at <= new, the firmware raises
 * PVGPU_F2H_EVT_QUEUE_SIGNAL with PVGPU_EVT_SIGNAL_PROGRESS (addr:
 * fence_addr, value: new @retired). 0 never notifies. A driver that
 * moves @notify_at reads @retired again afterwards (after a full barrier):
 * a position already retired raises nothing.
 */
struct pvgpu_queue_progress {
	__le64 retired;		/* firmware writes */
	__le64 notify_at;	/* driver writes */
};

/* pvgpu_queue_desc.flags */
#define PVGPU_QUEUE_DESC_PRIVILEGED	(1u << 0)	/* kernel queue */
#define PVGPU_QUEUE_DESC_FLAGS		PVGPU_QUEUE_DESC_PRIVILEGED

/** struct pvgpu_msg_queue_register - PVGPU_H2F_QUEUE_REGISTER request */
struct pvgpu_msg_queue_register {
	__le32 queue_id;	/* 0 .. caps.max_queues - 1, unused */
	__le32 reserved;	/* must be zero */
	__le64 desc_addr;	/* struct pvgpu_queue_desc, guest-physical */
};

/** struct pvgpu_msg_queue - requests that only name a queue */
struct pvgpu_msg_queue {
	__le32 queue_id;
	__le32 reserved;	/* must be zero */
};

/** struct pvgpu_msg_queue_set - SET_PRIORITY / SET_TIMESLICE requests */
struct pvgpu_msg_queue_set {
	__le32 queue_id;
	__le32 value;		/* priority, or timeslice in us (0: default) */
};

/* Queue states (pvgpu_msg_queue_state.state). */
#define PVGPU_QUEUE_STATE_IDLE		0	/* ring empty */
#define PVGPU_QUEUE_STATE_RUNNABLE	1	/* work, waiting for a slot */
#define PVGPU_QUEUE_STATE_RESIDENT	2	/* in a hardware slot */
#define PVGPU_QUEUE_STATE_WAITING	3	/* blocked in a WAIT command */
#define PVGPU_QUEUE_STATE_FAULTED	4	/* stalled on a page fault */
#define PVGPU_QUEUE_STATE_SUSPENDED	5	/* suspended by the driver */
#define PVGPU_QUEUE_STATE_ERROR		6	/* stopped after an error */

/**
 * struct pvgpu_msg_queue_state - PVGPU_H2F_QUEUE_QUERY response payload
 *
 * The fault_* fields (interface minor PVGPU_IFACE_MINOR_FAULT_QUERY) are
 * the queue's fault not answered yet, so a driver that lost its
 * PVGPU_F2H_EVT_PAGE_FAULT can still reply; all zero when there is none.
 * An older firmware sends only the dwords up to busy_ns.
 */
struct pvgpu_msg_queue_state {
	__le32 queue_id;
	__le32 state;		/* PVGPU_QUEUE_STATE_* */
	__le32 rptr;
	__le32 slot;		/* hardware slot, or ~0 when not resident */
	__le64 commands_done;
	__le64 busy_ns;		/* time spent resident */
	__le32 fault_seqno;	/* what PAGE_FAULT_REPLY must name, 0: none */
	__le32 fault_access;	/* PVGPU_ACCESS_* */
	__le64 fault_va;
	__le32 fault_reason;	/* PVGPU_FAULT_* */
	__le32 fault_reserved;	/* 0 */
};

/* Memory access kinds (faults). */
#define PVGPU_ACCESS_READ		0
#define PVGPU_ACCESS_WRITE		1
#define PVGPU_ACCESS_ATOMIC		2

/* Fault reasons. */
#define PVGPU_FAULT_NOT_PRESENT		1	/* no valid translation */
#define PVGPU_FAULT_WRITE_PROTECT	2	/* write to a read-only page */
#define PVGPU_FAULT_PT_DMA		3	/* page table not readable */
#define PVGPU_FAULT_NO_AS		4	/* address space not bound */
#define PVGPU_FAULT_BAD_PA		5	/* translation points outside RAM */

/** struct pvgpu_evt_queue_signal - PVGPU_F2H_EVT_QUEUE_SIGNAL payload */
struct pvgpu_evt_queue_signal {
	__le32 queue_id;
	__le32 flags;		/* PVGPU_EVT_SIGNAL_* */
	__le64 addr;		/* GPU VA the SIGNAL wrote; FENCE: fence_addr */
	__le64 value;		/* the value it wrote */
};

/*
 * pvgpu_evt_queue_signal.flags: what sent it. None: a SIGNAL command;
 * FENCE: a FENCE command; PROGRESS: a user queue's retired position passed
 * its notify_at (struct pvgpu_queue_progress).
 */
#define PVGPU_EVT_SIGNAL_FENCE		(1u << 0)
#define PVGPU_EVT_SIGNAL_PROGRESS	(1u << 1)

/** struct pvgpu_evt_queue_idle - PVGPU_F2H_EVT_QUEUE_IDLE payload */
struct pvgpu_evt_queue_idle {
	__le32 queue_id;
	__le32 rptr;
};

/* Queue errors (pvgpu_evt_queue_error.error). */
#define PVGPU_QUEUE_ERR_ILLEGAL_CMD	1	/* unknown opcode / bad length */
#define PVGPU_QUEUE_ERR_BAD_ENGINE	2	/* command not for this engine */
#define PVGPU_QUEUE_ERR_PAGE_FAULT	3	/* fatal fault (see fault fields) */
#define PVGPU_QUEUE_ERR_BATCH_DEPTH	4	/* BATCH_CALL nesting too deep */
#define PVGPU_QUEUE_ERR_BAD_ARGS	5	/* command arguments invalid */
#define PVGPU_QUEUE_ERR_HANG		6	/* watchdog: no progress */
#define PVGPU_QUEUE_ERR_PREEMPT_TIMEOUT	7	/* did not yield in time */
#define PVGPU_QUEUE_ERR_FAULT_FAILED	8	/* driver answered FAIL */
#define PVGPU_QUEUE_ERR_RESET		9	/* driver asked (QUEUE_RESET) */
#define PVGPU_QUEUE_ERR_BAD_POINTER	10	/* wptr/rptr/ring unreadable or bad */
#define PVGPU_QUEUE_ERR_PRIVILEGED	11	/* privileged command from a batch
						 * or a user queue */
#define PVGPU_QUEUE_ERR_BACKEND		12	/* the execution backend failed
						 * (host side; interface 1.5) */
#define PVGPU_QUEUE_ERR_MAX		PVGPU_QUEUE_ERR_BACKEND

/*
 * Why the execution backend failed a command (PVGPU_QUEUE_ERR_BACKEND): in
 * pvgpu_evt_queue_error.fault_reason, with the backend's own code (a
 * negative errno or a virglrenderer return value) in fault_va's low 32 bits,
 * sign-extended. The firmware log has the text.
 */
#define PVGPU_BACKEND_ERR_GL		1	/* virglrenderer / GL error */
#define PVGPU_BACKEND_ERR_TIMEOUT	2	/* no answer within the deadline */
#define PVGPU_BACKEND_ERR_WORKER_DIED	3	/* the worker process died */
#define PVGPU_BACKEND_ERR_INIT		4	/* a new worker did not start */
#define PVGPU_BACKEND_ERR_PROTOCOL	5	/* worker and firmware disagree */

/**
 * struct pvgpu_evt_queue_error - PVGPU_F2H_EVT_QUEUE_ERROR payload
 *
 * The queue stopped (state ERROR) and stays stopped until deregistered.
 * @guilty is 1 for the queue that caused the reset, 0 for a queue that was
 * reset only because it shared the engine (innocent: it may be resubmitted).
 */
struct pvgpu_evt_queue_error {
	__le32 queue_id;
	__le32 error;		/* PVGPU_QUEUE_ERR_* */
	__le32 guilty;
	__le32 engine_class;
	__le64 cmd_va;		/* GPU VA of the command that failed */
	__le32 cmd_dw0;		/* its first dword */
	__le32 rptr;		/* in a batch: its ring BATCH_CALL's offset */
	__le64 fault_va;	/* PAGE_FAULT: the address */
	__le32 fault_access;	/* PVGPU_ACCESS_* */
	__le32 fault_reason;	/* PVGPU_FAULT_* */
	__le32 asid;
	__le32 flags;		/* PVGPU_QUEUE_ERROR_*; was reserved (0) before 1.4 */
};

/*
 * pvgpu_evt_queue_error.flags. ENGINE_RESET_FAILED: the queue's engine
 * class did not recover from the reset that stopped this queue (it is
 * wedged, see docs/scheduler.rst): every queue that runs on it hangs too,
 * and only a device or firmware reset (PVGPU_FW_CTRL_RESET) clears it.
 */
#define PVGPU_QUEUE_ERROR_ENGINE_RESET_FAILED	(1u << 0)

/**
 * struct pvgpu_evt_page_fault - PVGPU_F2H_EVT_PAGE_FAULT payload
 *
 * A queue on a faultable address space stalled at @va. It stays stalled
 * (only it: other queues keep running) until the driver answers with
 * PVGPU_H2F_PAGE_FAULT_REPLY naming @queue_id and @fault_seqno.
 */
struct pvgpu_evt_page_fault {
	__le32 queue_id;
	__le32 fault_seqno;	/* per queue, from 1 */
	__le64 va;
	__le32 access;		/* PVGPU_ACCESS_* */
	__le32 reason;		/* PVGPU_FAULT_* */
	__le32 asid;
	__le32 engine_class;
};

#define PVGPU_FAULT_REPLY_RETRY		0	/* mapped now: replay the access */
#define PVGPU_FAULT_REPLY_FAIL		1	/* fail the queue */

/** struct pvgpu_msg_fault_reply - PVGPU_H2F_PAGE_FAULT_REPLY request */
struct pvgpu_msg_fault_reply {
	__le32 queue_id;
	__le32 fault_seqno;
	__le32 action;		/* PVGPU_FAULT_REPLY_* */
	__le32 reserved;	/* must be zero */
};

/* --- Capabilities ------------------------------------------------------ */

#define PVGPU_MAX_ENGINE_CLASSES	8

#define PVGPU_ENGINE_CLASS_COPY		0
#define PVGPU_ENGINE_CLASS_COMPUTE	1

/**
 * struct pvgpu_engine_caps - one engine class of the device
 */
struct pvgpu_engine_caps {
	__le32 engine_class;	/* PVGPU_ENGINE_CLASS_* */
	__le32 num_slots;	/* hardware queue slots of this class */
	__le32 flags;		/* reserved, zero */
	__le32 reserved;
};

#define PVGPU_FW_CAP_PAGE_FAULTS	(1u << 0)	/* recoverable faults */

/**
 * struct pvgpu_fw_caps - what the firmware reports at boot
 *
 * Written by the firmware to pvgpu_boot_desc.caps_base before it enters
 * PVGPU_FW_STATE_RUNNING. @size is sizeof this structure as the firmware
 * knows it, so a newer firmware can grow it without breaking older drivers.
 */
struct pvgpu_fw_caps {
	__le32 size;
	__le32 fw_version;	/* major << 16 | minor << 8 | patch */
	__le32 iface_version;	/* PVGPU_IFACE_VERSION() the firmware speaks */
	__le32 flags;		/* PVGPU_FW_CAP_* */
	__le32 va_bits;		/* GPU virtual address width */
	__le32 page_sizes;	/* bit n set: pages of 2^n bytes supported */
	__le32 num_priorities;	/* priority levels, the highest is realtime */
	__le32 max_queues;	/* registered queues the firmware can hold */
	__le32 num_doorbells;	/* pages incl. group 0, 1024 doorbells each */
	__le32 timeslice_default_us;
	__le32 timeslice_min_us;
	__le32 timeslice_max_us;
	__le32 num_engine_classes;
	__le32 max_address_spaces;	/* asids 0 .. this - 1 */
	__le32 watchdog_ms;		/* queue reset after no progress; 0: off */
	__le32 preempt_timeout_us;	/* queue reset if it does not yield */
	struct pvgpu_engine_caps engines[PVGPU_MAX_ENGINE_CLASSES];
};

#define PVGPU_FW_VERSION(maj, min, patch) (((maj) << 16) | ((min) << 8) | (patch))

/* --- Firmware log ------------------------------------------------------ */

/**
 * struct pvgpu_log_desc - head of the firmware log buffer
 *
 * The firmware appends text lines to the byte area after this header (size
 * pvgpu_boot_desc.log_size - sizeof(struct pvgpu_log_desc)), wrapping at its
 * end. @write_offset is where the next byte goes; @wrap_count counts how
 * often it wrapped, so a reader can tell how much it missed. The driver
 * only reads.
 */
struct pvgpu_log_desc {
	__le32 write_offset;
	__le32 wrap_count;
	__le32 level;		/* current verbosity, PVGPU_LOG_LEVEL_* */
	__le32 reserved[13];
};

/* --- Layout checks, wherever a compiler sees this header --------------- */

#ifdef __cplusplus
#define PVGPU_STATIC_ASSERT static_assert
#else
#define PVGPU_STATIC_ASSERT _Static_assert
#endif
PVGPU_STATIC_ASSERT(sizeof(struct pvgpu_boot_desc) == 128, "boot desc size");
PVGPU_STATIC_ASSERT(sizeof(struct pvgpu_ring_desc) == 64, "ring desc size");
PVGPU_STATIC_ASSERT(sizeof(struct pvgpu_msg_hdr) == 16, "msg hdr size");
PVGPU_STATIC_ASSERT(sizeof(struct pvgpu_msg_ping) == 16, "ping size");
PVGPU_STATIC_ASSERT(sizeof(struct pvgpu_evt_ring_error) == 16, "ring err size");
PVGPU_STATIC_ASSERT(sizeof(struct pvgpu_fw_caps) == 64 + 16 * PVGPU_MAX_ENGINE_CLASSES,
		    "caps size");
PVGPU_STATIC_ASSERT(sizeof(struct pvgpu_log_desc) == 64, "log desc size");
PVGPU_STATIC_ASSERT(sizeof(struct pvgpu_msg_as_bind) == 16, "as bind size");
PVGPU_STATIC_ASSERT(sizeof(struct pvgpu_queue_progress) == 16, "progress size");
PVGPU_STATIC_ASSERT(sizeof(struct pvgpu_msg_tlb_invalidate) == 24, "tlb inv size");
PVGPU_STATIC_ASSERT(sizeof(struct pvgpu_queue_desc) == 64, "queue desc size");
PVGPU_STATIC_ASSERT(sizeof(struct pvgpu_msg_queue_register) == 16, "q reg size");
PVGPU_STATIC_ASSERT(sizeof(struct pvgpu_msg_queue_state) == 56, "q state size");
PVGPU_STATIC_ASSERT(sizeof(struct pvgpu_evt_queue_signal) == 24, "signal size");
PVGPU_STATIC_ASSERT(sizeof(struct pvgpu_evt_queue_error) == 56, "q error size");
PVGPU_STATIC_ASSERT(sizeof(struct pvgpu_evt_page_fault) == 32, "fault size");
PVGPU_STATIC_ASSERT(sizeof(struct pvgpu_msg_fault_reply) == 16, "reply size");

/*
 * Table rows: every payload fits a message, requests and events use their
 * own opcode ranges, and FW_ERR values count up from 0 (distinct values
 * below the count of rows).
 */
#define PVGPU_H2F_CHECK(name, op, req_dw, resp_dw)			\
	PVGPU_STATIC_ASSERT((op) < 0x8000 &&				\
			    (req_dw) <= PVGPU_MSG_MAX_PAYLOAD_DW &&	\
			    (resp_dw) <= PVGPU_MSG_MAX_PAYLOAD_DW,	\
			    "H2F " #name);
#define PVGPU_F2H_EVT_CHECK(name, op, dw)				\
	PVGPU_STATIC_ASSERT((op) >= 0x8000 &&				\
			    (dw) <= PVGPU_MSG_MAX_PAYLOAD_DW,		\
			    "F2H_EVT " #name);
#define PVGPU_FW_ERR_CHECK(name, value, desc)				\
	PVGPU_STATIC_ASSERT((value) < PVGPU_FW_ERR_COUNT, "FW_ERR " #name);
PVGPU_H2F_TABLE(PVGPU_H2F_CHECK)
PVGPU_F2H_EVT_TABLE(PVGPU_F2H_EVT_CHECK)
PVGPU_FW_ERR_TABLE(PVGPU_FW_ERR_CHECK)
#undef PVGPU_H2F_CHECK
#undef PVGPU_F2H_EVT_CHECK
#undef PVGPU_FW_ERR_CHECK

#endif /* PVGPU_FWIF_H */
