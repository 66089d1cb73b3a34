/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: fault injection (pvgpu_fw_inject()).
 *
 * Injections no real GPU offers, so a driver's recovery paths can be tested
 * on demand: an engine class that hangs (and may stay hung across queue
 * resets: wedged), doorbells that are dropped,
 * interrupts that are lost or arrive late, page-fault replies that fail,
 * page-fault events that are lost.
 * Counted injections ("the next N") are exact; probabilistic ones draw
 * from an xorshift64 generator seeded with cfg.seed, which is part of the
 * migrated state, so a run is reproducible from its seed and its inputs.
 * Specification: docs/scheduler.rst.
 */
#include "fw_internal.h"

#define PPM	1000000u

/* splitmix64: turns any seed (0 included) into a good xorshift state. */
static uint64_t seed_state(uint64_t seed)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return z ? z : 0x2545f4914f6cdd1dull;
}

static uint64_t prng_next(PvgpuFw *fw)
{
	uint64_t x = fw->sched.st.prng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	fw->sched.st.prng = x;
	return x;
}

/* True with probability @ppm / 1e6; draws only when 0 < ppm < 1e6. */
static bool chance(PvgpuFw *fw, uint32_t ppm)
{
	if (!ppm)
		return false;
	if (ppm >= PPM)
		return true;
	return prng_next(fw) % PPM < ppm;
}

void fw_inject_reset(PvgpuFw *fw)
{
	PvgpuFwSchedState *st = &fw->sched.st;

	st->hang_mask = 0;
	st->wedge_mask = 0;
	st->drop_doorbells = 0;
	st->lose_irqs = 0;
	st->fail_fault_replies = 0;
	st->drop_fault_events = 0;
	st->drop_doorbell_ppm = 0;
	st->lose_irq_ppm = 0;
	st->irq_delay_ns = 0;
	st->irq_due_ns = 0;
	st->prng = seed_state(fw->cfg.seed);
}

/* Index of engine class @arg, -1 if the device lacks it. */
static int class_arg(const PvgpuFw *fw, uint64_t arg)
{
	return arg <= UINT32_MAX ? fw_class_index(fw, (uint32_t)arg) : -1;
}

int pvgpu_fw_inject(PvgpuFw *fw, PvgpuFwInject what, uint64_t arg)
{
	PvgpuFwSchedState *st = &fw->sched.st;
	uint32_t bit;
	int c;

	switch (what) {
	case PVGPU_FW_INJECT_HANG_ENGINE:
		c = class_arg(fw, arg);
		if (c < 0)
			return -1;
		st->hang_mask |= 1u << c;
		fw_log(fw, PVGPU_LOG_LEVEL_WARN, "injected: engine class %u "
		       "hangs", (uint32_t)arg);
		break;
	case PVGPU_FW_INJECT_WEDGE_ENGINE:
		c = class_arg(fw, arg);
		if (c < 0)
			return -1;
		st->wedge_mask |= 1u << c;
		fw_log(fw, PVGPU_LOG_LEVEL_WARN, "injected: engine class %u "
		       "wedged (hangs until a firmware reset)", (uint32_t)arg);
		break;
	case PVGPU_FW_INJECT_UNHANG_ENGINE:
		c = class_arg(fw, arg);
		if (c < 0)
			return -1;
		bit = 1u << c;
		/*
		 * Nothing is reset: the slots simply execute again, from the
		 * command each queue was at (sched.c asks the engine only
		 * while the class is not hung).
		 */
		if ((st->hang_mask | st->wedge_mask) & bit)
			fw_log(fw, PVGPU_LOG_LEVEL_WARN, "injected: engine "
			       "class %u hangs no more", (uint32_t)arg);
		st->hang_mask &= ~bit;
		st->wedge_mask &= ~bit;
		break;
	case PVGPU_FW_INJECT_DROP_DOORBELLS:
		if (arg > UINT32_MAX)
			return -1;
		st->drop_doorbells = (uint32_t)arg;
		break;
	case PVGPU_FW_INJECT_DELAY_IRQS:
		/* Up to 10 s: longer is a lost interrupt (LOSE_IRQS). */
		if (arg > 10000000000ull)
			return -1;
		st->irq_delay_ns = arg;
		break;
	case PVGPU_FW_INJECT_LOSE_IRQS:
		if (arg > UINT32_MAX)
			return -1;
		st->lose_irqs = (uint32_t)arg;
		break;
	case PVGPU_FW_INJECT_FAIL_FAULT_REPLIES:
		if (arg > UINT32_MAX)
			return -1;
		st->fail_fault_replies = (uint32_t)arg;
		break;
	case PVGPU_FW_INJECT_DROP_FAULT_EVENTS:
		if (arg > UINT32_MAX)
			return -1;
		st->drop_fault_events = (uint32_t)arg;
		break;
	case PVGPU_FW_INJECT_DROP_DOORBELL_PPM:
		if (arg > PPM)
			return -1;
		st->drop_doorbell_ppm = (uint32_t)arg;
		break;
	case PVGPU_FW_INJECT_LOSE_IRQ_PPM:
		if (arg > PPM)
			return -1;
		st->lose_irq_ppm = (uint32_t)arg;
		break;
	default:
		return -1;
	}
	fw_trace(fw, "inject", what, arg);
	/* A hang or a new delay changes what the timer waits for. */
	fw_kick(fw);
	return 0;
}

bool fw_inject_engine_hung(const PvgpuFw *fw, uint32_t class_idx)
{
	return pvgpu_fw_hung_engines(fw) & (1u << class_idx);
}

bool fw_inject_engine_wedged(const PvgpuFw *fw, uint32_t class_idx)
{
	return fw->sched.st.wedge_mask & (1u << class_idx);
}

uint32_t pvgpu_fw_hung_engines(const PvgpuFw *fw)
{
	return fw->sched.st.hang_mask | fw->sched.st.wedge_mask;
}

bool fw_inject_drop_doorbell(PvgpuFw *fw)
{
	PvgpuFwSchedState *st = &fw->sched.st;

	if (st->drop_doorbells) {
		st->drop_doorbells--;
		return true;
	}
	return chance(fw, st->drop_doorbell_ppm);
}

bool fw_inject_fail_fault_reply(PvgpuFw *fw)
{
	PvgpuFwSchedState *st = &fw->sched.st;

	if (st->fail_fault_replies) {
		st->fail_fault_replies--;
		return true;
	}
	return false;
}

bool fw_inject_drop_fault_event(PvgpuFw *fw)
{
	PvgpuFwSchedState *st = &fw->sched.st;

	if (st->drop_fault_events) {
		st->drop_fault_events--;
		return true;
	}
	return false;
}

/* --- Interrupts -------------------------------------------------------- */

static void raise_now(PvgpuFw *fw)
{
	fw->plat.raise_irq(fw->opaque, PVGPU_MSIX_VECTOR_FW);
}

void fw_irq_deliver(PvgpuFw *fw)
{
	PvgpuFwSchedState *st = &fw->sched.st;

	if (st->lose_irqs || chance(fw, st->lose_irq_ppm)) {
		if (st->lose_irqs)
			st->lose_irqs--;
		fw->stats.irqs_lost++;
		fw_trace(fw, "irq_lost", fw->st.irq_status, 0);
		return;
	}
	if (st->irq_delay_ns) {
		/* One message in flight at a time: later ones merge into it. */
		if (!st->irq_due_ns) {
			st->irq_due_ns = fw_clock_ns(fw) + st->irq_delay_ns;
			fw->stats.irqs_delayed++;
			fw_trace(fw, "irq_delayed", st->irq_due_ns, 0);
			fw_timer_update(fw);
		}
		return;
	}
	raise_now(fw);
}

void fw_inject_timer(PvgpuFw *fw, uint64_t now)
{
	PvgpuFwSchedState *st = &fw->sched.st;

	if (st->irq_due_ns && now >= st->irq_due_ns) {
		st->irq_due_ns = 0;
		/* Only if a cause is still pending and enabled. */
		if (fw->st.irq_status & fw->st.irq_mask)
			raise_now(fw);
	}
}

uint64_t fw_inject_next_deadline(PvgpuFw *fw)
{
	return fw->sched.st.irq_due_ns ? fw->sched.st.irq_due_ns : UINT64_MAX;
}

const char *fw_inject_post_load(PvgpuFw *fw)
{
	const PvgpuFwSchedState *st = &fw->sched.st;

	if (st->hang_mask >> fw->cfg.num_engine_classes)
		return "hang_mask names a missing engine class";
	if (st->wedge_mask >> fw->cfg.num_engine_classes)
		return "wedge_mask names a missing engine class";
	if (st->reserved)
		return "reserved scheduler field not zero";
	if (st->drop_doorbell_ppm > PPM || st->lose_irq_ppm > PPM)
		return "injection probability above 1";
	if (st->irq_delay_ns > 10000000000ull)
		return "interrupt delay too long";
	if (!st->prng)
		return "PRNG state zero";
	return NULL;
}
