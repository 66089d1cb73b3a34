/* SPDX-License-Identifier: MIT */
/*
 * pvgpu command emitters: one static inline function per command of
 * pvgpu_cmds.h, writing it into a caller's buffer. Plain C11 (stdint,
 * stdbool), no allocation, no GLib, no kernel headers beyond what
 * pvgpu_cmds.h needs: shared by the firmware model's tests, the qtest,
 * libpvgpu and the fuzzers, so that every command is encoded in one place.
 *
 * The dwords are written in host order; the caller stores each one
 * little-endian when it copies them to GPU memory (a plain copy on a
 * little-endian CPU).
 *
 * Bounds: a command that does not fit the rest of the buffer is not
 * written at all; the emitter returns false and the stream remembers it
 * (s->overflow), so a caller may emit a whole sequence and check once.
 * Emitters do not check operands or flags: tests emit malformed commands
 * on purpose, and the engine is what rejects them.
 */
#ifndef PVGPU_CMD_EMIT_H
#define PVGPU_CMD_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pvgpu_cmds.h"

/* A caller's buffer being filled with commands. */
struct pvgpu_cmd_stream {
	uint32_t *dw;		/* host-order dwords */
	uint32_t cap;		/* dwords dw holds */
	uint32_t len;		/* dwords written */
	bool overflow;		/* a command did not fit (not written) */
};

static inline void pvgpu_cmd_stream_init(struct pvgpu_cmd_stream *s,
					 uint32_t *dw, uint32_t cap)
{
	s->dw = dw;
	s->cap = cap;
	s->len = 0;
	s->overflow = false;
}

/*
 * Room for @n more dwords? If not, mark the stream overflowed. The
 * comparison cannot wrap: len <= cap always.
 */
static inline bool pvgpu_cmd_room(struct pvgpu_cmd_stream *s, uint32_t n)
{
	if (n > s->cap - s->len) {
		s->overflow = true;
		return false;
	}
	return true;
}

/*
 * Any command: header (@op, @flags, @len_dw), then the @len_dw - 1 dwords
 * of @args (may be NULL when there are none). @len_dw 0 writes nothing but
 * a header of length 0 (a malformed command, for tests).
 */
static inline bool pvgpu_emit_cmd(struct pvgpu_cmd_stream *s, uint32_t op,
				  uint32_t flags, uint32_t len_dw,
				  const uint32_t *args)
{
	uint32_t n = len_dw ? len_dw : 1;

	if (!pvgpu_cmd_room(s, n))
		return false;
	s->dw[s->len] = PVGPU_CMD_HDR(op, flags, len_dw);
	for (uint32_t i = 1; i < n; i++)
		s->dw[s->len + i] = args[i - 1];
	s->len += n;
	return true;
}

/* 64-bit operands: two dwords, low half first. */
#define PVGPU_EMIT_LO_(v)	((uint32_t)(uint64_t)(v))
#define PVGPU_EMIT_HI_(v)	((uint32_t)((uint64_t)(v) >> 32))
#define PVGPU_EMIT_U64_(v)	PVGPU_EMIT_LO_(v), PVGPU_EMIT_HI_(v)

/*
 * Body of a fixed-length emitter: the operands, checked at compile time
 * against the table's length.
 */
#define PVGPU_EMIT_FIXED_(s, name, flags, ...)				\
	do {								\
		const uint32_t args_[] = { __VA_ARGS__ };		\
									\
		PVGPU_STATIC_ASSERT(sizeof(args_) / 4 ==		\
				    PVGPU_CMD_LEN_##name - 1,		\
				    "operands of " #name);		\
		return pvgpu_emit_cmd(s, PVGPU_CMD_##name, flags,	\
				      PVGPU_CMD_LEN_##name, args_);	\
	} while (0)

/* NOP of @len_dw dwords in all (>= 1; 0 is malformed), operands zero. */
static inline bool pvgpu_emit_nop(struct pvgpu_cmd_stream *s,
				  uint32_t len_dw)
{
	uint32_t n = len_dw ? len_dw : 1;

	if (!pvgpu_cmd_room(s, n))
		return false;
	s->dw[s->len] = PVGPU_CMD_HDR(PVGPU_CMD_NOP, 0, len_dw);
	for (uint32_t i = 1; i < n; i++)
		s->dw[s->len + i] = 0;
	s->len += n;
	return true;
}

static inline bool pvgpu_emit_store32(struct pvgpu_cmd_stream *s,
				      uint64_t addr, uint32_t value)
{
	PVGPU_EMIT_FIXED_(s, STORE32, 0, PVGPU_EMIT_U64_(addr), value);
}

static inline bool pvgpu_emit_store64(struct pvgpu_cmd_stream *s,
				      uint64_t addr, uint64_t value)
{
	PVGPU_EMIT_FIXED_(s, STORE64, 0, PVGPU_EMIT_U64_(addr),
			  PVGPU_EMIT_U64_(value));
}

static inline bool pvgpu_emit_copy(struct pvgpu_cmd_stream *s, uint64_t src,
				   uint64_t dst, uint64_t size)
{
	PVGPU_EMIT_FIXED_(s, COPY, 0, PVGPU_EMIT_U64_(src),
			  PVGPU_EMIT_U64_(dst), PVGPU_EMIT_U64_(size));
}

static inline bool pvgpu_emit_fill(struct pvgpu_cmd_stream *s, uint64_t dst,
				   uint64_t size, uint32_t pattern)
{
	PVGPU_EMIT_FIXED_(s, FILL, 0, PVGPU_EMIT_U64_(dst),
			  PVGPU_EMIT_U64_(size), pattern);
}

/* @op: PVGPU_ATOMIC_*; @result: 0 or where the old value goes. */
static inline bool pvgpu_emit_atomic(struct pvgpu_cmd_stream *s, uint32_t op,
				     uint64_t addr, uint64_t operand,
				     uint64_t compare, uint64_t result)
{
	PVGPU_EMIT_FIXED_(s, ATOMIC, 0, op, PVGPU_EMIT_U64_(addr),
			  PVGPU_EMIT_U64_(operand), PVGPU_EMIT_U64_(compare),
			  PVGPU_EMIT_U64_(result));
}

/* @flags: PVGPU_CMD_WAIT_64 or 0; @op: PVGPU_WAIT_*. */
static inline bool pvgpu_emit_wait(struct pvgpu_cmd_stream *s, uint32_t flags,
				   uint64_t addr, uint64_t value,
				   uint64_t mask, uint32_t op)
{
	PVGPU_EMIT_FIXED_(s, WAIT, flags, PVGPU_EMIT_U64_(addr),
			  PVGPU_EMIT_U64_(value), PVGPU_EMIT_U64_(mask), op);
}

/* @flags: PVGPU_CMD_SIGNAL_IRQ, PVGPU_CMD_SIGNAL_32. */
static inline bool pvgpu_emit_signal(struct pvgpu_cmd_stream *s,
				     uint32_t flags, uint64_t addr,
				     uint64_t value)
{
	PVGPU_EMIT_FIXED_(s, SIGNAL, flags, PVGPU_EMIT_U64_(addr),
			  PVGPU_EMIT_U64_(value));
}

static inline bool pvgpu_emit_timestamp(struct pvgpu_cmd_stream *s,
					uint64_t addr)
{
	PVGPU_EMIT_FIXED_(s, TIMESTAMP, 0, PVGPU_EMIT_U64_(addr));
}

static inline bool pvgpu_emit_batch_call(struct pvgpu_cmd_stream *s,
					 uint64_t addr)
{
	PVGPU_EMIT_FIXED_(s, BATCH_CALL, 0, PVGPU_EMIT_U64_(addr));
}

static inline bool pvgpu_emit_batch_return(struct pvgpu_cmd_stream *s)
{
	PVGPU_STATIC_ASSERT(PVGPU_CMD_LEN_BATCH_RETURN == 1,
			    "BATCH_RETURN has no operands");
	return pvgpu_emit_cmd(s, PVGPU_CMD_BATCH_RETURN, 0,
			      PVGPU_CMD_LEN_BATCH_RETURN, NULL);
}

/* @kernel: PVGPU_KERNEL_*; @args: GPU VA of its argument block. */
static inline bool pvgpu_emit_dispatch(struct pvgpu_cmd_stream *s,
				       uint32_t kernel, uint64_t args)
{
	PVGPU_EMIT_FIXED_(s, DISPATCH, 0, kernel, PVGPU_EMIT_U64_(args));
}

/* @flags: PVGPU_CMD_DELAY_NOPREEMPT or 0. */
static inline bool pvgpu_emit_delay(struct pvgpu_cmd_stream *s,
				    uint32_t flags, uint64_t ns)
{
	PVGPU_EMIT_FIXED_(s, DELAY, flags, PVGPU_EMIT_U64_(ns));
}

/* @flags: PVGPU_CMD_FENCE_IRQ or 0. Privileged: kernel rings only. */
static inline bool pvgpu_emit_fence(struct pvgpu_cmd_stream *s,
				    uint32_t flags, uint64_t value)
{
	PVGPU_EMIT_FIXED_(s, FENCE, flags, PVGPU_EMIT_U64_(value));
}

#endif /* PVGPU_CMD_EMIT_H */
