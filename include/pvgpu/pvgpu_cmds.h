/* SPDX-License-Identifier: MIT */
/*
 * pvgpu command set: what the engines execute from queue rings and batch
 * buffers. Single definition shared by the firmware model, the driver, the
 * tests and userspace; specification: docs/commands.rst.
 *
 * A command is a sequence of little-endian dwords. The first (header) dword
 * holds the opcode in bits 31..24, command flags in bits 23..16 and the
 * command's total length in dwords (header included) in bits 15..0. Every
 * 64-bit operand is two dwords, low half first. Addresses are GPU virtual
 * addresses in the queue's address space.
 *
 * A length that does not match the opcode's (PVGPU_CMD_LEN_*), an unknown
 * opcode, an unknown flag or a command the engine class does not execute is
 * a queue error, never anything worse.
 *
 * Every command is one row of PVGPU_CMD_TABLE (below); the opcodes, the
 * lengths and what the firmware accepts are generated from it. The operand
 * layouts are in the comments here and in docs/commands.rst; commands are
 * written with the emitters of pvgpu_cmd_emit.h.
 */
#ifndef PVGPU_CMDS_H
#define PVGPU_CMDS_H

#include <linux/types.h>

#include "pvgpu_fwif.h"	/* PVGPU_ENGINE_CLASS_* */

#define PVGPU_CMD_HDR(op, flags, len_dw) \
	(((op) << 24) | (((flags) & 0xff) << 16) | ((len_dw) & 0xffff))
#define PVGPU_CMD_OPCODE(dw0)		(((dw0) >> 24) & 0xff)
#define PVGPU_CMD_FLAGS(dw0)		(((dw0) >> 16) & 0xff)
#define PVGPU_CMD_LEN(dw0)		((dw0) & 0xffff)

/* --- Operands and flags of each command ------------------------------- */

/*
 * NOP: len >= 1, the len - 1 dwords after the header are skipped.
 * STORE32: addr(64) value(32). addr 4-byte aligned.
 * STORE64: addr(64) value(64). addr 8-byte aligned.
 * COPY: src(64) dst(64) size(64) bytes; ranges must not overlap.
 * FILL: dst(64) size(64) pattern(32); dst and size 4-byte aligned.
 */

/*
 * ATOMIC: op(32) addr(64) operand(64) compare(64) result(64).
 * Reads the old value, writes the new one, and stores the old value at
 * result unless result is 0. 32-bit ops use the low halves.
 */
#define   PVGPU_ATOMIC_ADD32		0	/* *addr += operand */
#define   PVGPU_ATOMIC_ADD64		1
#define   PVGPU_ATOMIC_CMPXCHG32	2	/* if *addr == compare: = operand */
#define   PVGPU_ATOMIC_CMPXCHG64	3

/*
 * WAIT: addr(64) value(64) mask(64) op(32). Blocks the queue until
 * (*addr & mask) <op> value; a waiting queue gives up its hardware slot.
 * Flag PVGPU_CMD_WAIT_64: compare a 64-bit value (else 32-bit).
 */
#define   PVGPU_CMD_WAIT_64		(1u << 0)
#define   PVGPU_WAIT_EQ			0
#define   PVGPU_WAIT_NEQ		1
#define   PVGPU_WAIT_GT			2
#define   PVGPU_WAIT_GTE		3
#define   PVGPU_WAIT_LT			4
#define   PVGPU_WAIT_LTE		5

/*
 * SIGNAL: addr(64) value(64). Writes value (64-bit, or 32-bit with
 * PVGPU_CMD_SIGNAL_32) after every earlier command of the queue completed;
 * with PVGPU_CMD_SIGNAL_IRQ also sends PVGPU_F2H_EVT_QUEUE_SIGNAL.
 */
#define   PVGPU_CMD_SIGNAL_IRQ		(1u << 0)
#define   PVGPU_CMD_SIGNAL_32		(1u << 1)

/*
 * TIMESTAMP: addr(64); writes the device clock in ns (64-bit).
 *
 * BATCH_CALL: addr(64). Executes the batch buffer at addr (4-byte aligned)
 * until its BATCH_RETURN, then continues after the call. Nesting deeper
 * than 8 levels is a queue error. BATCH_RETURN on the ring is an error.
 *
 * DISPATCH: kernel(32) args(64). Compute engines only. Runs built-in
 * kernel `kernel` with its argument block at GPU VA args.
 *
 * DELAY: ns(64). Simulated work: the queue stays busy for ns of device
 * time. Preemptible (the rest continues later) unless
 * PVGPU_CMD_DELAY_NOPREEMPT, which models work that cannot be interrupted
 * and so exercises the preemption timeout.
 */
#define   PVGPU_CMD_DELAY_NOPREEMPT	(1u << 0)

/*
 * FENCE: value(64). Privileged: only on the ring of a privileged (kernel)
 * queue (pvgpu_fwif.h, struct pvgpu_queue_desc); anywhere else
 * PVGPU_QUEUE_ERR_PRIVILEGED. Writes value to the queue's guest-physical
 * fence_addr after every earlier command of the queue completed; with
 * PVGPU_CMD_FENCE_IRQ also sends PVGPU_F2H_EVT_QUEUE_SIGNAL with
 * PVGPU_EVT_SIGNAL_FENCE. The kernel signals its dma-fences from this
 * value, which no GPU command can write.
 */
#define   PVGPU_CMD_FENCE_IRQ		(1u << 0)

/* --- The command table ------------------------------------------------ */

/* Engine classes a command runs on (bit PVGPU_ENGINE_CLASS_*). */
#define PVGPU_CMD_ENGINE(cls)		(1u << (cls))
#define PVGPU_CMD_ENGINES_ALL		0xffu

/*
 * Attributes. VARLEN: len_dw is the minimum length, and the engine skips
 * the operands (NOP). CHUNKED: runs in chunks of 1 work unit each,
 * preemptible and replayed from chunk boundaries (docs/commands.rst).
 * PRIVILEGED: only on the ring of a privileged queue, else
 * PVGPU_QUEUE_ERR_PRIVILEGED (checked after the length and flags).
 */
#define PVGPU_CMD_ATTR_VARLEN		(1u << 0)
#define PVGPU_CMD_ATTR_CHUNKED		(1u << 1)
#define PVGPU_CMD_ATTR_PRIVILEGED	(1u << 2)

/*
 * The single definition of the commands: one X(name, opcode, len_dw,
 * flags, engines, attrs) per command, in opcode order.
 *   name     PVGPU_CMD_<name> is the opcode, PVGPU_CMD_LEN_<name> the
 *            length (generated below)
 *   opcode   0x00..0xff, never reused (wire ABI)
 *   len_dw   total length in dwords, header included
 *   flags    every header flag the command accepts; others: ILLEGAL_CMD
 *   engines  PVGPU_CMD_ENGINE() of each engine class that executes it;
 *            others: BAD_ENGINE
 *   attrs    PVGPU_CMD_ATTR_*
 * Adding a command: a row here, its operands and flags above, its case in
 * firmware-model/engine.c, its emitter in pvgpu_cmd_emit.h, its section in
 * docs/commands.rst, and tests (docs/commands.rst, "Adding a command").
 */
#define PVGPU_CMD_TABLE(X)						\
	X(NOP, 0x00, 1, 0,						\
	  PVGPU_CMD_ENGINES_ALL, PVGPU_CMD_ATTR_VARLEN)			\
	X(STORE32, 0x01, 4, 0,						\
	  PVGPU_CMD_ENGINES_ALL, 0)					\
	X(STORE64, 0x02, 5, 0,						\
	  PVGPU_CMD_ENGINES_ALL, 0)					\
	X(COPY, 0x03, 7, 0,						\
	  PVGPU_CMD_ENGINES_ALL, PVGPU_CMD_ATTR_CHUNKED)		\
	X(FILL, 0x04, 6, 0,						\
	  PVGPU_CMD_ENGINES_ALL, PVGPU_CMD_ATTR_CHUNKED)		\
	X(ATOMIC, 0x05, 10, 0,						\
	  PVGPU_CMD_ENGINES_ALL, 0)					\
	X(WAIT, 0x06, 8, PVGPU_CMD_WAIT_64,				\
	  PVGPU_CMD_ENGINES_ALL, 0)					\
	X(SIGNAL, 0x07, 5, PVGPU_CMD_SIGNAL_IRQ | PVGPU_CMD_SIGNAL_32,	\
	  PVGPU_CMD_ENGINES_ALL, 0)					\
	X(TIMESTAMP, 0x08, 3, 0,					\
	  PVGPU_CMD_ENGINES_ALL, 0)					\
	X(BATCH_CALL, 0x09, 3, 0,					\
	  PVGPU_CMD_ENGINES_ALL, 0)					\
	X(BATCH_RETURN, 0x0a, 1, 0,					\
	  PVGPU_CMD_ENGINES_ALL, 0)					\
	X(DISPATCH, 0x0b, 4, 0,						\
	  PVGPU_CMD_ENGINE(PVGPU_ENGINE_CLASS_COMPUTE),			\
	  PVGPU_CMD_ATTR_CHUNKED)					\
	X(DELAY, 0x0c, 3, PVGPU_CMD_DELAY_NOPREEMPT,			\
	  PVGPU_CMD_ENGINES_ALL, 0)					\
	X(FENCE, 0x0d, 3, PVGPU_CMD_FENCE_IRQ,				\
	  PVGPU_CMD_ENGINES_ALL, PVGPU_CMD_ATTR_PRIVILEGED)

#define PVGPU_CMD_ENUM_OPCODE_(name, op, len, flags, engines, attrs) \
	PVGPU_CMD_##name = (op),
#define PVGPU_CMD_ENUM_LEN_(name, op, len, flags, engines, attrs) \
	PVGPU_CMD_LEN_##name = (len),
enum pvgpu_cmd_opcode {
	PVGPU_CMD_TABLE(PVGPU_CMD_ENUM_OPCODE_)
};

enum pvgpu_cmd_len {
	PVGPU_CMD_TABLE(PVGPU_CMD_ENUM_LEN_)
};

/* sizeof(): the longest command's length, in dwords. */
#define PVGPU_CMD_LEN_MEMBER_(name, op, len, flags, engines, attrs) \
	char len_##name##_[len];
union pvgpu_cmd_lens_ {
	PVGPU_CMD_TABLE(PVGPU_CMD_LEN_MEMBER_)
};

#define PVGPU_CMD_MAX_LEN	sizeof(union pvgpu_cmd_lens_)

#ifndef PVGPU_STATIC_ASSERT
#ifdef __cplusplus
#define PVGPU_STATIC_ASSERT static_assert
#else
#define PVGPU_STATIC_ASSERT _Static_assert
#endif
#endif
/* Each row fits the header's fields (opcode unique: firmware engine.c). */
#define PVGPU_CMD_CHECK_ROW_(name, op, len, flags, engines, attrs)	\
	PVGPU_STATIC_ASSERT((op) >= 0 && (op) <= 0xff &&		\
			    (len) >= 1 && (len) <= 0xffff &&		\
			    ((flags) & ~0xffu) == 0 && (engines) != 0 &&	\
			    ((attrs) & ~7u) == 0,				\
			    "PVGPU_CMD_TABLE row " #name);
PVGPU_CMD_TABLE(PVGPU_CMD_CHECK_ROW_)

/* --- Built-in compute kernels (DISPATCH) ------------------------------ */

/* c[i] = a[i] + b[i] for i < n (u32 elements). */
#define PVGPU_KERNEL_VECTOR_ADD_U32	1
struct pvgpu_kargs_vector_add {
	__le64 a, b, c;
	__le64 n;
};

/* y[i] = alpha * x[i] + y[i] for i < n (IEEE-754 binary32). */
#define PVGPU_KERNEL_SAXPY_F32		2
struct pvgpu_kargs_saxpy {
	__le64 x, y;
	__le64 n;
	__le32 alpha;		/* binary32 bit pattern */
	__le32 reserved;
};

/* *result = CRC-32C (Castagnoli, reflected, init ~0, final ~0) of n bytes. */
#define PVGPU_KERNEL_CRC32C		3
struct pvgpu_kargs_crc32c {
	__le64 src;
	__le64 n;
	__le64 result;		/* u32 written here */
};

/* c = a x b, n x n row-major binary32 matrices, 1 <= n <= 256. */
#define PVGPU_KERNEL_MATMUL_F32		4
struct pvgpu_kargs_matmul {
	__le64 a, b, c;
	__le32 n;
	__le32 reserved;
};

#endif /* PVGPU_CMDS_H */
