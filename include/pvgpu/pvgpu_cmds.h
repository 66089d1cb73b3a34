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
 */
#ifndef PVGPU_CMDS_H
#define PVGPU_CMDS_H

#include <linux/types.h>

#define PVGPU_CMD_HDR(op, flags, len_dw) \
	(((op) << 24) | (((flags) & 0xff) << 16) | ((len_dw) & 0xffff))
#define PVGPU_CMD_OPCODE(dw0)		(((dw0) >> 24) & 0xff)
#define PVGPU_CMD_FLAGS(dw0)		(((dw0) >> 16) & 0xff)
#define PVGPU_CMD_LEN(dw0)		((dw0) & 0xffff)

/* NOP: len >= 1, the len - 1 dwords after the header are skipped. */
#define PVGPU_CMD_NOP			0x00

/* STORE32: addr(64) value(32). addr 4-byte aligned. */
#define PVGPU_CMD_STORE32		0x01
#define PVGPU_CMD_LEN_STORE32		4
/* STORE64: addr(64) value(64). addr 8-byte aligned. */
#define PVGPU_CMD_STORE64		0x02
#define PVGPU_CMD_LEN_STORE64		5

/* COPY: src(64) dst(64) size(64) bytes; ranges must not overlap. */
#define PVGPU_CMD_COPY			0x03
#define PVGPU_CMD_LEN_COPY		7
/* FILL: dst(64) size(64) pattern(32); dst and size 4-byte aligned. */
#define PVGPU_CMD_FILL			0x04
#define PVGPU_CMD_LEN_FILL		6

/*
 * ATOMIC: op(32) addr(64) operand(64) compare(64) result(64).
 * Reads the old value, writes the new one, and stores the old value at
 * result unless result is 0. 32-bit ops use the low halves.
 */
#define PVGPU_CMD_ATOMIC		0x05
#define PVGPU_CMD_LEN_ATOMIC		10
#define   PVGPU_ATOMIC_ADD32		0	/* *addr += operand */
#define   PVGPU_ATOMIC_ADD64		1
#define   PVGPU_ATOMIC_CMPXCHG32	2	/* if *addr == compare: = operand */
#define   PVGPU_ATOMIC_CMPXCHG64	3

/*
 * WAIT: addr(64) value(64) mask(64) op(32). Blocks the queue until
 * (*addr & mask) <op> value; a waiting queue gives up its hardware slot.
 * Flag PVGPU_CMD_WAIT_64: compare a 64-bit value (else 32-bit).
 */
#define PVGPU_CMD_WAIT			0x06
#define PVGPU_CMD_LEN_WAIT		8
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
#define PVGPU_CMD_SIGNAL		0x07
#define PVGPU_CMD_LEN_SIGNAL		5
#define   PVGPU_CMD_SIGNAL_IRQ		(1u << 0)
#define   PVGPU_CMD_SIGNAL_32		(1u << 1)

/* TIMESTAMP: addr(64); writes the device clock in ns (64-bit). */
#define PVGPU_CMD_TIMESTAMP		0x08
#define PVGPU_CMD_LEN_TIMESTAMP		3

/*
 * BATCH_CALL: addr(64). Executes the batch buffer at addr (4-byte aligned)
 * until its BATCH_RETURN, then continues after the call. Nesting deeper
 * than 8 levels is a queue error. BATCH_RETURN on the ring is an error.
 */
#define PVGPU_CMD_BATCH_CALL		0x09
#define PVGPU_CMD_LEN_BATCH_CALL	3
#define PVGPU_CMD_BATCH_RETURN		0x0a
#define PVGPU_CMD_LEN_BATCH_RETURN	1

/*
 * DISPATCH: kernel(32) args(64). Compute engines only. Runs built-in
 * kernel `kernel` with its argument block at GPU VA args.
 */
#define PVGPU_CMD_DISPATCH		0x0b
#define PVGPU_CMD_LEN_DISPATCH		4

/*
 * DELAY: ns(64). Simulated work: the queue stays busy for ns of device
 * time. Preemptible (the rest continues later) unless
 * PVGPU_CMD_DELAY_NOPREEMPT, which models work that cannot be interrupted
 * and so exercises the preemption timeout.
 */
#define PVGPU_CMD_DELAY			0x0c
#define PVGPU_CMD_LEN_DELAY		3
#define   PVGPU_CMD_DELAY_NOPREEMPT	(1u << 0)

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
