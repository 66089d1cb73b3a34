/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the engines.
 *
 * fw_engine_run() executes one queue's commands (include/pvgpu/
 * pvgpu_cmds.h, docs/commands.rst) from its ring and from batch buffers,
 * in the queue's GPU address space, until the budget is used up, the ring
 * is empty, or the queue blocks (WAIT, DELAY), faults or fails.
 *
 * The rules that make preemption, fault replay and migration work:
 * - A command is consumed (rptr or batch pc advanced, rptr written back,
 *   commands_done incremented) only once it has completed. A command that
 *   blocks, faults or fails stays where it is. A ring BATCH_CALL is
 *   counted when the call is made but rptr passes it only when its batch
 *   has returned: rptr (and a user queue's retired) never runs ahead of
 *   work still to do.
 * - All execution state is in FwExecCtx. Commands that take long are cut
 *   into chunks (kernels.h) whose progress is in ctx->cmd_progress; a
 *   replayed command continues after its last completed chunk, and a
 *   chunk is idempotent.
 * - Nothing a guest writes can make the engine crash or run unbounded: the
 *   checks are in the order documented in docs/commands.rst.
 */
#include <stddef.h>
#include <string.h>

#include "fw_internal.h"
#include "kernels.h"

#define CHUNK			4096u
#define RING_MIN_SIZE		0x1000u
#define RING_MAX_SIZE		0x400000u
/* Longest fixed-length command, in dwords. */
#define CMD_MAX_DW		PVGPU_CMD_MAX_LEN
/* Engine classes FwCmdInfo.engines has a bit for. */
#define CMD_ENGINE_CLASSES	8u

/* What the engine knows of an opcode: its row of PVGPU_CMD_TABLE. */
typedef struct FwCmdInfo {
	uint16_t len;		/* dwords; the minimum if varlen */
	uint8_t flags;		/* flags it accepts */
	uint8_t engines;	/* PVGPU_CMD_ENGINE() of its classes */
	bool varlen;		/* NOP: len >= 1, operands skipped */
	bool chunked;		/* cmd_progress kept across runs */
	bool privileged;	/* privileged rings only */
	bool known;
} FwCmdInfo;

#define CMD_INFO(name, op, len_dw, acc_flags, engine_mask, attrs)	\
	[PVGPU_CMD_##name] = {						\
		.len = (len_dw),					\
		.flags = (acc_flags),					\
		.engines = (engine_mask),				\
		.varlen = (attrs) & PVGPU_CMD_ATTR_VARLEN,		\
		.chunked = (attrs) & PVGPU_CMD_ATTR_CHUNKED,		\
		.privileged = (attrs) & PVGPU_CMD_ATTR_PRIVILEGED,	\
		.known = true,						\
	},
static const FwCmdInfo cmd_info[256] = {	/* every 8-bit opcode */
	PVGPU_CMD_TABLE(CMD_INFO)
};
#undef CMD_INFO

/*
 * Two rows with one opcode (spelt alike, 0xNN): "redeclaration of
 * enumerator".
 */
#define CMD_OPCODE_ONCE(name, op, len_dw, acc_flags, engine_mask, attrs) \
	CMD_OPCODE_TAKEN_##op,
enum { PVGPU_CMD_TABLE(CMD_OPCODE_ONCE) };
#undef CMD_OPCODE_ONCE

/*
 * config.c allows no engine class above COMPUTE; fw_engine_run() treats
 * any class without a bit as one that executes nothing.
 */
G_STATIC_ASSERT(PVGPU_ENGINE_CLASS_COMPUTE < CMD_ENGINE_CLASSES);

/* One fetched command. */
typedef struct FwCmd {
	uint64_t va;		/* GPU VA of its header */
	uint32_t dw[CMD_MAX_DW];	/* host order; NOP: header only */
	uint32_t op, flags, len;
	const FwCmdInfo *info;	/* cmd_info[op] */
	bool from_ring;
} FwCmd;

static uint64_t arg64(const FwCmd *c, unsigned int i)
{
	return c->dw[i] | ((uint64_t)c->dw[i + 1] << 32);
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/*
 * What must hold before the context can be used at all (a corrupted one
 * must not make the engine index out of bounds).
 */
static bool ctx_sane(const FwExecCtx *ctx)
{
	return ctx->ring_size >= 4 && !(ctx->ring_size & (ctx->ring_size - 1)) &&
	       ctx->rptr < ctx->ring_size && !(ctx->rptr & 3) &&
	       ctx->batch_depth <= FW_MAX_BATCH_DEPTH;
}

/* Where the next command is. */
static uint64_t cur_va(const FwExecCtx *ctx)
{
	if (ctx->batch_depth)
		return ctx->batch_pc[ctx->batch_depth - 1];
	return ctx->ring_addr + ctx->rptr;
}

static bool delay_active(const FwExecCtx *ctx)
{
	return ctx->delay_until_ns || ctx->delay_remaining_ns;
}

static void clear_delay(FwExecCtx *ctx)
{
	ctx->delay_until_ns = 0;
	ctx->delay_remaining_ns = 0;
	ctx->delay_flags = 0;
}

static FwExecStatus exec_error(FwExecCtx *ctx, uint32_t err, uint64_t va,
			       uint32_t dw0)
{
	ctx->error = err;
	ctx->error_addr = va;
	ctx->error_dw0 = dw0;
	return FW_EXEC_ERROR;
}

/* ctx->fault is already set; the command stays unconsumed. */
static FwExecStatus exec_fault(FwExecCtx *ctx, uint64_t va, uint32_t dw0)
{
	ctx->error = PVGPU_QUEUE_ERR_PAGE_FAULT;
	ctx->error_addr = va;
	ctx->error_dw0 = dw0;
	return FW_EXEC_FAULT;
}

/* --- Ring pointers ----------------------------------------------------- */

static bool read_wptr(PvgpuFw *fw, const FwExecCtx *ctx, uint32_t *wptr)
{
	uint32_t le;

	if ((ctx->wptr_addr & 3) ||
	    !fw_dma_read(fw, ctx->wptr_addr, &le, sizeof(le)))
		return false;
	*wptr = GUINT32_FROM_LE(le);
	return *wptr < ctx->ring_size && !(*wptr & 3);
}

/* A user queue with a progress block (struct pvgpu_queue_progress)? */
static bool has_progress(const FwExecCtx *ctx)
{
	return !ctx->privileged && ctx->fence_addr;
}

/*
 * rptr moved forward from @old_rptr to ctx->rptr: write it back. On a
 * user queue with a progress block, retired first, advanced by the same
 * bytes, so a driver that sees the new rptr sees retired past it too.
 * Then *@notify says whether retired crossed the driver's notify_at
 * (old < notify_at <= new). False if a write or the read failed (memory
 * that stopped being RAM): the queue stops with BAD_POINTER.
 */
static bool write_rptr(PvgpuFw *fw, FwExecCtx *ctx, uint32_t old_rptr,
		       bool *notify)
{
	uint32_t le = GUINT32_TO_LE(ctx->rptr);
	uint64_t old = ctx->retired, le64, notify_at;

	*notify = false;
	if (has_progress(ctx)) {
		ctx->retired += (ctx->rptr - old_rptr) & (ctx->ring_size - 1);
		le64 = GUINT64_TO_LE(ctx->retired);
		if ((ctx->fence_addr & 15) ||
		    !fw_dma_write(fw, ctx->fence_addr, &le64, sizeof(le64)))
			return false;
	}
	if ((ctx->rptr_addr & 3) ||
	    !fw_dma_write(fw, ctx->rptr_addr, &le, sizeof(le)))
		return false;
	if (!has_progress(ctx))
		return true;
	if (!fw_dma_read(fw, ctx->fence_addr +
			 offsetof(struct pvgpu_queue_progress, notify_at),
			 &le64, sizeof(le64)))
		return false;
	notify_at = GUINT64_FROM_LE(le64);
	*notify = old < notify_at && notify_at <= ctx->retired;
	return true;
}

/* --- Fetch ------------------------------------------------------------- */

/*
 * Read @len bytes of the ring at offset @off, wrapping at its end: a
 * privileged ring from guest-physical memory, any other through the
 * queue's GPU address space (a failure there sets ctx->fault).
 */
static bool ring_read_at(PvgpuFw *fw, FwExecCtx *ctx, uint32_t off,
			 void *buf, uint32_t len)
{
	if (ctx->privileged)
		return fw_dma_read(fw, ctx->ring_addr + off, buf, len);
	return fw_gpu_read(fw, ctx->asid, ctx->ring_addr + off, buf, len,
			   &ctx->fault);
}

static bool ring_read(PvgpuFw *fw, FwExecCtx *ctx, uint32_t off, void *buf,
		      uint32_t len)
{
	uint32_t first = MIN(len, ctx->ring_size - off);

	return ring_read_at(fw, ctx, off, buf, first) &&
	       (first == len ||
		ring_read_at(fw, ctx, 0, (uint8_t *)buf + first, len - first));
}

/*
 * A fetch that could not read: a page fault, or on a privileged ring
 * (guest-physical, no translation) memory that stopped being RAM.
 */
static FwExecStatus fetch_failed(FwExecCtx *ctx, const FwCmd *c)
{
	if (c->from_ring && ctx->privileged)
		return exec_error(ctx, PVGPU_QUEUE_ERR_BAD_POINTER, c->va,
				  c->dw[0]);
	return exec_fault(ctx, c->va, c->dw[0]);
}

/*
 * Fetch and decode the command at the current position. @avail: bytes
 * the ring holds before wptr (ignored in a batch). False with *st set if
 * it cannot be executed.
 */
static bool fetch(PvgpuFw *fw, FwExecCtx *ctx, uint32_t avail, FwCmd *c,
		  FwExecStatus *st)
{
	uint32_t le[CMD_MAX_DW];
	const FwCmdInfo *info;
	bool ok;

	memset(c, 0, sizeof(*c));
	c->va = cur_va(ctx);
	c->from_ring = !ctx->batch_depth;
	ok = c->from_ring ? ring_read(fw, ctx, ctx->rptr, le, 4) :
			    fw_gpu_read(fw, ctx->asid, c->va, le, 4,
					&ctx->fault);
	if (!ok) {
		*st = fetch_failed(ctx, c);
		return false;
	}
	c->dw[0] = GUINT32_FROM_LE(le[0]);
	c->op = PVGPU_CMD_OPCODE(c->dw[0]);
	c->flags = PVGPU_CMD_FLAGS(c->dw[0]);
	c->len = PVGPU_CMD_LEN(c->dw[0]);

	info = &cmd_info[c->op];
	if (!info->known || !c->len ||
	    (info->varlen ? c->len < info->len : c->len != info->len) ||
	    (c->from_ring && c->len * 4ull > avail) ||
	    (c->flags & ~info->flags)) {
		*st = exec_error(ctx, PVGPU_QUEUE_ERR_ILLEGAL_CMD, c->va,
				 c->dw[0]);
		return false;
	}
	/* User commands: in a batch, or on a queue the kernel does not own. */
	if (info->privileged && !(c->from_ring && ctx->privileged)) {
		*st = exec_error(ctx, PVGPU_QUEUE_ERR_PRIVILEGED, c->va,
				 c->dw[0]);
		return false;
	}
	c->info = info;
	if (info->varlen || c->len == 1)
		return true;

	ok = c->from_ring ?
	     ring_read(fw, ctx, (ctx->rptr + 4) & (ctx->ring_size - 1),
		       &le[1], (c->len - 1) * 4) :
	     fw_gpu_read(fw, ctx->asid, c->va + 4, &le[1], (c->len - 1) * 4,
			 &ctx->fault);
	if (!ok) {
		*st = fetch_failed(ctx, c);
		return false;
	}
	for (uint32_t i = 1; i < c->len; i++)
		c->dw[i] = GUINT32_FROM_LE(le[i]);
	return true;
}

/* --- Commands ---------------------------------------------------------- */

static bool gpu_write32(PvgpuFw *fw, FwExecCtx *ctx, uint64_t va,
			uint32_t v)
{
	uint32_t le = GUINT32_TO_LE(v);

	return fw_gpu_write(fw, ctx->asid, va, &le, sizeof(le),
			    PVGPU_ACCESS_WRITE, &ctx->fault);
}

static bool gpu_write64(PvgpuFw *fw, FwExecCtx *ctx, uint64_t va,
			uint64_t v)
{
	uint64_t le = GUINT64_TO_LE(v);

	return fw_gpu_write(fw, ctx->asid, va, &le, sizeof(le),
			    PVGPU_ACCESS_WRITE, &ctx->fault);
}

/* Source/destination ranges of COPY and FILL: no wrap, no overlap. */
static bool ranges_ok(uint64_t src, uint64_t dst, uint64_t size, bool copy)
{
	if (dst + size < dst || (copy && src + size < src))
		return false;
	return !copy || !size || src >= dst + size || dst >= src + size;
}

/*
 * COPY (@copy) or FILL, in chunks that end at 4 KiB boundaries of the
 * destination; cmd_progress counts the bytes done.
 */
static FwCmdResult copy_fill(PvgpuFw *fw, FwExecCtx *ctx, bool copy,
			     uint64_t src, uint64_t dst, uint64_t size,
			     uint32_t pattern, uint32_t *budget)
{
	uint32_t buf[CHUNK / 4];

	if (!size) {
		fw_budget_charge(budget, 1);
		return FW_CMD_DONE;
	}
	if (!copy) {
		for (unsigned int i = 0; i < CHUNK / 4; i++)
			buf[i] = GUINT32_TO_LE(pattern);
	}
	while (ctx->cmd_progress < size) {
		uint64_t done = ctx->cmd_progress;
		uint64_t n = MIN(size - done, CHUNK - ((dst + done) & (CHUNK - 1)));

		if (!*budget)
			return FW_CMD_PARTIAL;
		if (copy && !fw_gpu_read(fw, ctx->asid, src + done, buf, n,
					 &ctx->fault))
			return FW_CMD_FAULT;
		if (!fw_gpu_write(fw, ctx->asid, dst + done, buf, n,
				  PVGPU_ACCESS_WRITE, &ctx->fault))
			return FW_CMD_FAULT;
		ctx->cmd_progress = done + n;
		fw_budget_charge(budget, 1);
	}
	return FW_CMD_DONE;
}

static FwCmdResult cmd_atomic(PvgpuFw *fw, FwExecCtx *ctx, const FwCmd *c)
{
	uint32_t op = c->dw[1];
	uint64_t addr = arg64(c, 2), operand = arg64(c, 4);
	uint64_t compare = arg64(c, 6), result = arg64(c, 8);
	bool wide = op == PVGPU_ATOMIC_ADD64 || op == PVGPU_ATOMIC_CMPXCHG64;
	uint32_t size = wide ? 8 : 4;
	uint64_t old, val;
	uint8_t buf[8];
	bool store = true;

	if (op > PVGPU_ATOMIC_CMPXCHG64 || (addr & (size - 1)) ||
	    (result & 7))
		return FW_CMD_BAD_ARGS;
	/*
	 * Check every target before changing anything, so a fault leaves
	 * memory as it was and the replay does the operation exactly once.
	 */
	if (!fw_gpu_probe(fw, ctx->asid, addr, size, PVGPU_ACCESS_ATOMIC,
			  &ctx->fault))
		return FW_CMD_FAULT;
	if (result) {
		uint8_t keep[8];

		/*
		 * A probe only translates; a page that translates to
		 * something that is not RAM (PVGPU_FAULT_BAD_PA) shows only
		 * on a real access. Read and write back what is there, so
		 * that fault comes before the operation, not after it.
		 */
		if (!fw_gpu_read(fw, ctx->asid, result, keep, 8, &ctx->fault)) {
			/* result is a write target, whatever tripped first */
			ctx->fault.access = PVGPU_ACCESS_WRITE;
			return FW_CMD_FAULT;
		}
		if (!fw_gpu_write(fw, ctx->asid, result, keep, 8,
				  PVGPU_ACCESS_WRITE, &ctx->fault))
			return FW_CMD_FAULT;
	}
	if (!fw_gpu_read(fw, ctx->asid, addr, buf, size, &ctx->fault)) {
		ctx->fault.access = PVGPU_ACCESS_ATOMIC;
		return FW_CMD_FAULT;
	}
	if (wide) {
		uint64_t le64;

		memcpy(&le64, buf, 8);
		old = GUINT64_FROM_LE(le64);
	} else {
		uint32_t le32;

		memcpy(&le32, buf, 4);
		old = GUINT32_FROM_LE(le32);
	}

	switch (op) {
	case PVGPU_ATOMIC_ADD32:
		val = (uint32_t)(old + operand);
		break;
	case PVGPU_ATOMIC_ADD64:
		val = old + operand;
		break;
	case PVGPU_ATOMIC_CMPXCHG32:
		store = (uint32_t)old == (uint32_t)compare;
		val = (uint32_t)operand;
		break;
	default: /* PVGPU_ATOMIC_CMPXCHG64 */
		store = old == compare;
		val = operand;
		break;
	}
	if (store) {
		if (wide) {
			uint64_t le64 = GUINT64_TO_LE(val);

			memcpy(buf, &le64, 8);
		} else {
			uint32_t le32 = GUINT32_TO_LE((uint32_t)val);

			memcpy(buf, &le32, 4);
		}
		if (!fw_gpu_write(fw, ctx->asid, addr, buf, size,
				  PVGPU_ACCESS_ATOMIC, &ctx->fault))
			return FW_CMD_FAULT;
	}
	if (result && !gpu_write64(fw, ctx, result, old))
		return FW_CMD_FAULT;
	return FW_CMD_DONE;
}

static bool wait_compare(uint64_t v, uint64_t value, uint32_t op)
{
	switch (op) {
	case PVGPU_WAIT_EQ:
		return v == value;
	case PVGPU_WAIT_NEQ:
		return v != value;
	case PVGPU_WAIT_GT:
		return v > value;
	case PVGPU_WAIT_GTE:
		return v >= value;
	case PVGPU_WAIT_LT:
		return v < value;
	default: /* PVGPU_WAIT_LTE */
		return v <= value;
	}
}

/*
 * Evaluate a WAIT: FW_CMD_DONE if the condition holds, FW_CMD_PARTIAL if
 * not (yet), FW_CMD_FAULT, FW_CMD_BAD_ARGS.
 */
static FwCmdResult wait_eval(PvgpuFw *fw, FwExecCtx *ctx, const FwCmd *c)
{
	bool wide = c->flags & PVGPU_CMD_WAIT_64;
	uint64_t addr = arg64(c, 1), value = arg64(c, 3), mask = arg64(c, 5);
	uint32_t op = c->dw[7];
	uint64_t v = 0;

	if (op > PVGPU_WAIT_LTE || (addr & (wide ? 7 : 3)))
		return FW_CMD_BAD_ARGS;
	if (!fw_gpu_read(fw, ctx->asid, addr, &v, wide ? 8 : 4, &ctx->fault))
		return FW_CMD_FAULT;
	if (wide) {
		v = GUINT64_FROM_LE(v) & mask;
	} else {
		uint32_t v32;

		memcpy(&v32, &v, sizeof(v32));
		v = GUINT32_FROM_LE(v32) & (uint32_t)mask;
		value = (uint32_t)value;
	}
	return wait_compare(v, value, op) ? FW_CMD_DONE : FW_CMD_PARTIAL;
}

/*
 * SIGNAL: write the value. The PVGPU_CMD_SIGNAL_IRQ event is not sent here
 * but by the run loop once the command is consumed (see signal_event()).
 */
static FwCmdResult cmd_signal(PvgpuFw *fw, FwExecCtx *ctx, const FwCmd *c)
{
	bool narrow = c->flags & PVGPU_CMD_SIGNAL_32;
	uint64_t addr = arg64(c, 1), value = arg64(c, 3);
	bool ok;

	if (addr & (narrow ? 3 : 7))
		return FW_CMD_BAD_ARGS;
	if (narrow)
		ok = gpu_write32(fw, ctx, addr, (uint32_t)value);
	else
		ok = gpu_write64(fw, ctx, addr, value);
	return ok ? FW_CMD_DONE : FW_CMD_FAULT;
}

/*
 * FENCE (privileged, checked at the fetch): the queue's fence_addr is
 * guest-physical, outside every GPU address space. Not RAM any more (the
 * driver freed it under a live queue) is BAD_POINTER, like rptr.
 */
static FwCmdResult cmd_fence(PvgpuFw *fw, FwExecCtx *ctx, const FwCmd *c)
{
	uint64_t le = GUINT64_TO_LE(arg64(c, 1));

	return fw_dma_write(fw, ctx->fence_addr, &le, sizeof(le)) ?
	       FW_CMD_DONE : FW_CMD_BAD_POINTER;
}

/* Does the consumed command @c send PVGPU_F2H_EVT_QUEUE_SIGNAL? */
static bool signals_event(const FwCmd *c)
{
	return (c->op == PVGPU_CMD_SIGNAL && (c->flags & PVGPU_CMD_SIGNAL_IRQ)) ||
	       (c->op == PVGPU_CMD_FENCE && (c->flags & PVGPU_CMD_FENCE_IRQ));
}

/*
 * Send the event of a consumed SIGNAL with PVGPU_CMD_SIGNAL_IRQ or FENCE
 * with PVGPU_CMD_FENCE_IRQ. It goes out after the rptr write-back, so a
 * driver that sees the event also sees the queue past the command.
 * Sending can halt the firmware (an F2H ring the driver corrupted), which
 * resets every queue, @ctx included: returns false then, and the caller
 * must not touch @ctx again.
 */
static bool signal_event(PvgpuFw *fw, uint32_t queue_id,
			 const FwExecCtx *ctx, const FwCmd *c)
{
	struct pvgpu_evt_queue_signal evt = {
		.queue_id = GUINT32_TO_LE(queue_id),
	};
	uint64_t addr, value;

	if (c->op == PVGPU_CMD_FENCE) {
		evt.flags = GUINT32_TO_LE(PVGPU_EVT_SIGNAL_FENCE);
		addr = ctx->fence_addr;
		value = arg64(c, 1);
	} else {
		addr = arg64(c, 1);
		value = arg64(c, 3);
		if (c->flags & PVGPU_CMD_SIGNAL_32)
			value = (uint32_t)value;
	}
	evt.addr = GUINT64_TO_LE(addr);
	evt.value = GUINT64_TO_LE(value);
	fw_f2h_event(fw, PVGPU_F2H_EVT_QUEUE_SIGNAL, &evt, sizeof(evt) / 4);
	return fw->st.fw_status == PVGPU_FW_STATE_RUNNING;
}

/*
 * Send PVGPU_EVT_SIGNAL_PROGRESS: the rptr write-back took a user queue's
 * retired to or past its notify_at. Like signal_event(), false if that
 * halted the firmware (@ctx is gone then).
 */
static bool progress_event(PvgpuFw *fw, uint32_t queue_id,
			   const FwExecCtx *ctx)
{
	struct pvgpu_evt_queue_signal evt = {
		.queue_id = GUINT32_TO_LE(queue_id),
		.flags = GUINT32_TO_LE(PVGPU_EVT_SIGNAL_PROGRESS),
		.addr = GUINT64_TO_LE(ctx->fence_addr),
		.value = GUINT64_TO_LE(ctx->retired),
	};

	fw_f2h_event(fw, PVGPU_F2H_EVT_QUEUE_SIGNAL, &evt, sizeof(evt) / 4);
	return fw->st.fw_status == PVGPU_FW_STATE_RUNNING;
}

/*
 * DELAY: FW_CMD_DONE once over, else FW_CMD_PARTIAL (the caller returns
 * FW_EXEC_DELAY).
 */
static FwCmdResult cmd_delay(FwExecCtx *ctx, const FwCmd *c,
			     uint64_t now_ns)
{
	uint64_t ns = arg64(c, 1);

	if (!delay_active(ctx)) {
		if (!ns)
			return FW_CMD_DONE;
		ctx->delay_until_ns = sat_add(now_ns, ns);
		ctx->delay_flags = c->flags;
		return FW_CMD_PARTIAL;
	}
	if (ctx->delay_remaining_ns) {
		/* Resumed after preemption: the rest starts now. */
		ctx->delay_until_ns = sat_add(now_ns, ctx->delay_remaining_ns);
		ctx->delay_remaining_ns = 0;
	}
	return now_ns >= ctx->delay_until_ns ? FW_CMD_DONE : FW_CMD_PARTIAL;
}

/* --- The run loop ------------------------------------------------------ */

/*
 * The command completed: count it, advance past it at its own level, and
 * enter or leave a batch for BATCH_CALL and BATCH_RETURN. rptr (and a
 * progress block's retired) moves past a ring command once it is retired
 * and is then written back (*@notify: see write_rptr()): a ring
 * BATCH_CALL is retired only by the BATCH_RETURN that ends its batch
 * (batch_depth back to 0), so until then rptr stays at the BATCH_CALL and
 * a driver never sees the call's work as done while it runs. (While
 * batch_depth > 0 the ring position is not used: the batch pc is.)
 */
static bool consume(PvgpuFw *fw, FwExecCtx *ctx, const FwCmd *c,
		    bool *notify)
{
	uint32_t old_rptr = ctx->rptr, retire = c->len * 4;

	*notify = false;
	ctx->cmd_progress = 0;
	clear_delay(ctx);
	ctx->commands_done++;
	if (!c->from_ring) {
		ctx->batch_pc[ctx->batch_depth - 1] += c->len * 4;
		ctx->batch_cmds++;
	}
	if (c->op == PVGPU_CMD_BATCH_CALL) {
		if (c->from_ring)
			ctx->batch_cmds = 0;
		ctx->batch_pc[ctx->batch_depth++] = arg64(c, 1);
		return true;	/* the ring call retires at the return */
	}
	if (c->op == PVGPU_CMD_BATCH_RETURN) {
		ctx->batch_pc[--ctx->batch_depth] = 0;
		if (ctx->batch_depth)
			return true;
		ctx->batch_cmds = 0;
		/* Back on the ring: retire the BATCH_CALL at rptr. */
		retire = PVGPU_CMD_LEN_BATCH_CALL * 4;
	} else if (!c->from_ring) {
		return true;
	}
	ctx->rptr = (ctx->rptr + retire) & (ctx->ring_size - 1);
	return write_rptr(fw, ctx, old_rptr, notify);
}

FwExecStatus fw_engine_run(PvgpuFw *fw, uint32_t queue_id, FwExecCtx *ctx,
			   uint64_t now_ns, uint32_t *budget)
{
	uint32_t wptr;

	if (!ctx_sane(ctx))
		return exec_error(ctx, PVGPU_QUEUE_ERR_BAD_POINTER,
				  ctx->ring_addr, 0);
	if (!read_wptr(fw, ctx, &wptr))
		return exec_error(ctx, PVGPU_QUEUE_ERR_BAD_POINTER,
				  cur_va(ctx), 0);

	for (;;) {
		FwCmdResult res = FW_CMD_DONE;
		FwExecStatus st;
		bool notify;
		FwCmd c;

		if (!ctx->batch_depth && ctx->rptr == wptr)
			return FW_EXEC_IDLE;
		if (!*budget)
			return FW_EXEC_BUDGET;
		if (ctx->batch_depth && ctx->batch_cmds >= FW_MAX_BATCH_CMDS)
			return exec_error(ctx, PVGPU_QUEUE_ERR_HANG,
					  cur_va(ctx), 0);
		if (!fetch(fw, ctx, (wptr - ctx->rptr) & (ctx->ring_size - 1),
			   &c, &st))
			return st;

		/* State left by a different command (memory rewritten). */
		if (c.op != PVGPU_CMD_DELAY && delay_active(ctx))
			clear_delay(ctx);
		if (!c.info->chunked)
			ctx->cmd_progress = 0;
		if (ctx->engine_class >= CMD_ENGINE_CLASSES ||
		    !(c.info->engines & PVGPU_CMD_ENGINE(ctx->engine_class)))
			return exec_error(ctx, PVGPU_QUEUE_ERR_BAD_ENGINE,
					  c.va, c.dw[0]);

		switch (c.op) {
		case PVGPU_CMD_NOP:
			break;
		case PVGPU_CMD_STORE32:
			if (arg64(&c, 1) & 3)
				res = FW_CMD_BAD_ARGS;
			else if (!gpu_write32(fw, ctx, arg64(&c, 1), c.dw[3]))
				res = FW_CMD_FAULT;
			break;
		case PVGPU_CMD_STORE64:
			if (arg64(&c, 1) & 7)
				res = FW_CMD_BAD_ARGS;
			else if (!gpu_write64(fw, ctx, arg64(&c, 1),
					      arg64(&c, 3)))
				res = FW_CMD_FAULT;
			break;
		case PVGPU_CMD_COPY:
			if (!ranges_ok(arg64(&c, 1), arg64(&c, 3), arg64(&c, 5),
				       true))
				res = FW_CMD_BAD_ARGS;
			else
				res = copy_fill(fw, ctx, true, arg64(&c, 1),
						arg64(&c, 3), arg64(&c, 5), 0,
						budget);
			break;
		case PVGPU_CMD_FILL:
			if ((arg64(&c, 1) & 3) || (arg64(&c, 3) & 3) ||
			    !ranges_ok(0, arg64(&c, 1), arg64(&c, 3), false))
				res = FW_CMD_BAD_ARGS;
			else
				res = copy_fill(fw, ctx, false, 0,
						arg64(&c, 1), arg64(&c, 3),
						c.dw[5], budget);
			break;
		case PVGPU_CMD_ATOMIC:
			res = cmd_atomic(fw, ctx, &c);
			break;
		case PVGPU_CMD_WAIT:
			res = wait_eval(fw, ctx, &c);
			if (res == FW_CMD_PARTIAL)
				return FW_EXEC_WAITING;
			break;
		case PVGPU_CMD_SIGNAL:
			res = cmd_signal(fw, ctx, &c);
			break;
		case PVGPU_CMD_TIMESTAMP:
			if (arg64(&c, 1) & 7)
				res = FW_CMD_BAD_ARGS;
			else if (!gpu_write64(fw, ctx, arg64(&c, 1), now_ns))
				res = FW_CMD_FAULT;
			break;
		case PVGPU_CMD_BATCH_CALL:
			if (arg64(&c, 1) & 3)
				res = FW_CMD_BAD_ARGS;
			else if (ctx->batch_depth == FW_MAX_BATCH_DEPTH)
				return exec_error(ctx,
						  PVGPU_QUEUE_ERR_BATCH_DEPTH,
						  c.va, c.dw[0]);
			break;
		case PVGPU_CMD_BATCH_RETURN:
			if (c.from_ring)
				return exec_error(ctx,
						  PVGPU_QUEUE_ERR_ILLEGAL_CMD,
						  c.va, c.dw[0]);
			break;
		case PVGPU_CMD_DISPATCH:
			res = fw_kernel_dispatch(fw, ctx, c.dw[1],
						 arg64(&c, 2), budget);
			break;
		case PVGPU_CMD_DELAY:
			res = cmd_delay(ctx, &c, now_ns);
			if (res == FW_CMD_PARTIAL)
				return FW_EXEC_DELAY;
			break;
		case PVGPU_CMD_FENCE:
			res = cmd_fence(fw, ctx, &c);
			break;
		default:
			g_assert_not_reached();	/* fetch() knows them all */
		}

		switch (res) {
		case FW_CMD_DONE:
			break;
		case FW_CMD_PARTIAL:
			return FW_EXEC_BUDGET;
		case FW_CMD_FAULT:
			return exec_fault(ctx, c.va, c.dw[0]);
		case FW_CMD_BAD_ARGS:
			return exec_error(ctx, PVGPU_QUEUE_ERR_BAD_ARGS, c.va,
					  c.dw[0]);
		case FW_CMD_BAD_POINTER:
			return exec_error(ctx, PVGPU_QUEUE_ERR_BAD_POINTER,
					  c.va, c.dw[0]);
		case FW_CMD_BACKEND_ERROR:
			return exec_error(ctx, PVGPU_QUEUE_ERR_BACKEND, c.va,
					  c.dw[0]);
		}

		/* Chunked commands charged per chunk; the rest cost 1. */
		if (!c.info->chunked)
			fw_budget_charge(budget, 1);
		if (!consume(fw, ctx, &c, &notify))
			return exec_error(ctx, PVGPU_QUEUE_ERR_BAD_POINTER,
					  c.va, c.dw[0]);
		if (signals_event(&c) && !signal_event(fw, queue_id, ctx, &c))
			return FW_EXEC_IDLE;	/* firmware stopped; ctx is gone */
		if (notify && !progress_event(fw, queue_id, ctx))
			return FW_EXEC_IDLE;	/* likewise */
	}
}

bool fw_engine_wait_ready(PvgpuFw *fw, FwExecCtx *ctx)
{
	FwExecCtx tmp = *ctx;	/* looking changes nothing */
	FwExecStatus st;
	FwCmd c;

	/*
	 * Anything but a well-formed WAIT whose condition is false (a fault,
	 * a bad command, memory rewritten) is "ready": fw_engine_run() will
	 * find out and report it.
	 */
	if (!ctx_sane(&tmp) || !fetch(fw, &tmp, tmp.ring_size, &c, &st))
		return true;
	if (c.op != PVGPU_CMD_WAIT)
		return true;
	return wait_eval(fw, &tmp, &c) != FW_CMD_PARTIAL;
}

bool fw_engine_preempt(PvgpuFw *fw, FwExecCtx *ctx, uint64_t now_ns)
{
	(void)fw;
	if (!ctx->delay_until_ns)
		return true;	/* not in DELAY, or already preempted */
	if (ctx->delay_flags & PVGPU_CMD_DELAY_NOPREEMPT)
		return false;
	if (now_ns < ctx->delay_until_ns) {
		ctx->delay_remaining_ns = ctx->delay_until_ns - now_ns;
		ctx->delay_until_ns = 0;
	}
	/* else: over already; the next run completes it. */
	return true;
}

void fw_engine_reset(PvgpuFw *fw, FwExecCtx *ctx, uint32_t wptr)
{
	(void)fw;
	ctx->rptr = ctx->ring_size ? wptr & (ctx->ring_size - 1) & ~3u : 0;
	ctx->batch_depth = 0;
	memset(ctx->batch_pc, 0, sizeof(ctx->batch_pc));
	ctx->batch_cmds = 0;
	ctx->cmd_progress = 0;
	clear_delay(ctx);
	memset(&ctx->fault, 0, sizeof(ctx->fault));
	ctx->error = 0;
	ctx->error_addr = 0;
	ctx->error_dw0 = 0;
}

bool fw_engine_ctx_valid(const PvgpuFw *fw, const FwExecCtx *ctx)
{
	const PvgpuFwConfig *cfg = &fw->cfg;
	bool class_ok = false;

	for (uint32_t i = 0; i < cfg->num_engine_classes; i++)
		class_ok |= cfg->engine_class[i] == ctx->engine_class;
	if (!class_ok || ctx->asid >= cfg->max_address_spaces)
		return false;
	if (ctx->ring_size < RING_MIN_SIZE || ctx->ring_size > RING_MAX_SIZE ||
	    (ctx->ring_size & (ctx->ring_size - 1)) ||
	    (ctx->ring_addr & (RING_MIN_SIZE - 1)))
		return false;
	/*
	 * A privileged ring is guest-physical: no VA bound applies. A user
	 * queue's fence_addr is its progress block, if any; only that
	 * counts retired.
	 */
	if (ctx->privileged > 1 ||
	    (ctx->privileged ? (ctx->fence_addr & 7) ||
			       ctx->ring_addr + ctx->ring_size < ctx->ring_addr :
			       (ctx->fence_addr & 15) ||
			       (ctx->ring_addr >> cfg->va_bits) ||
			       ((ctx->ring_addr + ctx->ring_size - 1) >>
				cfg->va_bits)) ||
	    (!has_progress(ctx) && ctx->retired))
		return false;
	if ((ctx->rptr_addr & 3) || (ctx->wptr_addr & 3) ||
	    ctx->rptr >= ctx->ring_size || (ctx->rptr & 3))
		return false;

	if (ctx->batch_depth > FW_MAX_BATCH_DEPTH ||
	    ctx->batch_cmds > FW_MAX_BATCH_CMDS ||
	    (!ctx->batch_depth && ctx->batch_cmds))
		return false;
	for (uint32_t i = 0; i < FW_MAX_BATCH_DEPTH; i++) {
		if (i < ctx->batch_depth ? (ctx->batch_pc[i] & 3) :
					   ctx->batch_pc[i] != 0)
			return false;
	}

	if (ctx->delay_until_ns && ctx->delay_remaining_ns)
		return false;
	if ((ctx->delay_flags & ~PVGPU_CMD_DELAY_NOPREEMPT) ||
	    (ctx->delay_flags && !delay_active(ctx)))
		return false;

	if (ctx->fault.access > PVGPU_ACCESS_ATOMIC ||
	    ctx->fault.reason > PVGPU_FAULT_BAD_PA ||
	    ctx->error > PVGPU_QUEUE_ERR_MAX)
		return false;
	return true;
}
