/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: object lifecycle, firmware state machine, the run
 * loop and migration.
 */
#include <string.h>

#include "fw_internal.h"

/* --- State machine ----------------------------------------------------- */

void fw_timer_update(PvgpuFw *fw)
{
	uint64_t d = fw->retry_armed ? fw->retry_deadline : UINT64_MAX;

	d = MIN(d, fw_sched_next_deadline(fw));
	d = MIN(d, fw_inject_next_deadline(fw));
	if (d != fw->timer_deadline) {
		fw->timer_deadline = d;
		fw->plat.timer_arm(fw->opaque, d);
	}
}

void fw_retry_cancel(PvgpuFw *fw)
{
	if (fw->retry_armed) {
		fw->retry_armed = false;
		fw_timer_update(fw);
	}
}

void fw_forget_shared_memory(PvgpuFw *fw)
{
	PvgpuFwState *st = &fw->st;

	st->h2f_pending = 0;
	st->f2h_event_seqno = 0;
	st->log_write_offset = 0;
	st->log_wrap_count = 0;
	st->h2f_desc = st->h2f_base = st->f2h_desc = st->f2h_base = 0;
	st->log_base = st->caps_base = 0;
	st->h2f_size = st->f2h_size = st->log_size = st->caps_size = 0;
	fw_retry_cancel(fw);
	/* Address spaces live in guest memory too. */
	fw_mmu_reset(fw);
}

void fw_set_state(PvgpuFw *fw, uint32_t state, uint32_t err)
{
	fw->st.fw_status = state;
	fw->st.fw_error = err;
	if (state != PVGPU_FW_STATE_RUNNING) {
		/* Only a running firmware touches the shared memory. */
		fw_forget_shared_memory(fw);
	}
	/* Queues live in guest memory: every boot starts without any. */
	fw_sched_reset(fw, false);
	fw_timer_update(fw);
	fw_trace(fw, "fw_state", state, err);
	fw_irq_set(fw, PVGPU_IRQ_FW_STATE);
}

void fw_halt(PvgpuFw *fw, uint32_t err, const char *why)
{
	/* Already stopped or stopping: the first reason stands. */
	if (fw->st.fw_status != PVGPU_FW_STATE_RUNNING || fw->halting)
		return;

	fw->halting = true;
	fw_guest_error(fw, "firmware halted: %s", why);
	/*
	 * Leave a last line in the log unless the log is what failed. If the
	 * log fails too, its fw_halt() call returns at once (halting).
	 */
	if (err != PVGPU_FW_ERR_BAD_LOG)
		fw_log(fw, PVGPU_LOG_LEVEL_ERROR, "halted: %s", why);
	fw->halting = false;
	fw_set_state(fw, PVGPU_FW_STATE_HALTED, err);
}

/* --- Public API -------------------------------------------------------- */

PvgpuFw *pvgpu_fw_new(const PvgpuFwConfig *cfg, const PvgpuFwPlatform *plat,
		      void *opaque)
{
	PvgpuFw *fw;

	g_return_val_if_fail(cfg && plat, NULL);
	/* A bad shape is a user error (a property), reported by the caller. */
	if (pvgpu_fw_config_check(cfg))
		return NULL;
	g_return_val_if_fail(plat->dma_read && plat->dma_write &&
			     plat->raise_irq && plat->clock_ns &&
			     plat->timer_arm && plat->kick, NULL);

	fw = g_new0(PvgpuFw, 1);
	fw->cfg = *cfg;
	fw->plat = *plat;
	fw->opaque = opaque;
	/* Nothing is armed yet: no timer_arm() call before one is needed. */
	fw->timer_deadline = UINT64_MAX;
	fw_sched_init(fw);
	pvgpu_fw_reset(fw);
	return fw;
}

void pvgpu_fw_set_virgl(PvgpuFw *fw, FwVirgl *v)
{
	fw->virgl = v;
}

void pvgpu_fw_free(PvgpuFw *fw)
{
	fw_sched_free(fw);
	g_free(fw);
}

void pvgpu_fw_reset(PvgpuFw *fw)
{
	/* Cancel first: fw_retry_cancel() looks at retry_armed. */
	fw_retry_cancel(fw);
	memset(&fw->st, 0, sizeof(fw->st));
	fw->st.fw_status = PVGPU_FW_STATE_OFF;
	fw->st.fw_error = PVGPU_FW_ERR_NONE;
	fw->st.log_level = PVGPU_LOG_LEVEL_INFO;
	fw->f2h_written = false;
	fw->halting = false;
	fw_mmu_reset(fw);
	fw_sched_reset(fw, true);
	fw_timer_update(fw);
	fw_trace(fw, "device_reset", 0, 0);
}

void pvgpu_fw_run(PvgpuFw *fw)
{
	pvgpu_fw_run_budget(fw, PVGPU_FW_RUN_BUDGET_DEFERRED);
}

void pvgpu_fw_run_budget(PvgpuFw *fw, PvgpuFwRunBudget run_budget)
{
	PvgpuFwState *st = &fw->st;

	fw->f2h_written = false;

	if (st->boot_pending)
		fw_boot_run(fw);

	if (st->fw_status == PVGPU_FW_STATE_RUNNING && st->h2f_pending) {
		unsigned int budget = run_budget.h2f_msgs;
		FwServeResult res;

		/*
		 * Clear before serving: a doorbell rung while we serve sets it
		 * again, and we may stop before seeing that message.
		 */
		st->h2f_pending = 0;
		res = fw_h2f_serve(fw, &budget);
		switch (res) {
		case FW_SERVE_BUDGET:
			st->h2f_pending = 1;
			fw_kick(fw);
			break;
		case FW_SERVE_BLOCKED:
			/*
			 * Nothing tells us when the driver drains F2H (there is
			 * no doorbell for that), so poll on the device clock.
			 */
			st->h2f_pending = 1;
			fw->retry_armed = true;
			fw->retry_deadline = fw_clock_ns(fw) + FW_F2H_RETRY_NS;
			fw_trace(fw, "f2h_blocked", 0, 0);
			break;
		case FW_SERVE_DEFERRED:
			/* The scheduler serves H2F again when it can answer. */
			st->h2f_pending = 1;
			fw->retry_armed = false;
			fw_sched_h2f_deferred(fw);
			break;
		case FW_SERVE_IDLE:
			fw_retry_cancel(fw);
			break;
		case FW_SERVE_STOPPED:
			break;
		}
	}

	fw_sched_run(fw, run_budget.exec_units);

	if (fw->f2h_written) {
		fw->f2h_written = false;
		fw_irq_set(fw, PVGPU_IRQ_F2H);
	}
	fw_timer_update(fw);
}

void pvgpu_fw_timer_expired(PvgpuFw *fw)
{
	uint64_t now = fw_clock_ns(fw);

	/* The platform's timer is one-shot: nothing is armed now. */
	fw->timer_deadline = UINT64_MAX;
	if (fw->retry_armed && now >= fw->retry_deadline)
		fw->retry_armed = false;
	fw_inject_timer(fw, now);
	/*
	 * Whatever was due (F2H retry, DELAY end, timeslice, watchdog, ...)
	 * is found by looking: we are in the platform's timer callback, not
	 * in a guest access.
	 */
	pvgpu_fw_run(fw);
}

void pvgpu_fw_inject_crash(PvgpuFw *fw)
{
	if (fw->st.fw_status == PVGPU_FW_STATE_RUNNING)
		fw_log(fw, PVGPU_LOG_LEVEL_ERROR, "crash injected");
	fw->st.boot_pending = 0;
	fw_set_state(fw, PVGPU_FW_STATE_HALTED, PVGPU_FW_ERR_CRASHED);
}

PvgpuFwState *pvgpu_fw_state(PvgpuFw *fw)
{
	return &fw->st;
}

const PvgpuFwStats *pvgpu_fw_stats(const PvgpuFw *fw)
{
	return &fw->stats;
}

const PvgpuFwConfig *pvgpu_fw_config(const PvgpuFw *fw)
{
	return &fw->cfg;
}

void pvgpu_fw_pre_load(PvgpuFw *fw)
{
	fw_sched_table_loaded(fw);
}

/*
 * The state came from a migration stream, which may be corrupted or hostile:
 * before anything uses it to compute guest addresses, check every field the
 * way boot checked the original.
 */
int pvgpu_fw_post_load(PvgpuFw *fw)
{
	PvgpuFwState *st = &fw->st;
	const char *why = NULL;
	char layout_why[128];

	/* The stream replaced the queue table: what tracked it is stale. */
	fw_sched_table_loaded(fw);
	if (st->fw_status > PVGPU_FW_STATE_HALTED)
		why = "fw_status out of range";
	else if (st->fw_error >= PVGPU_FW_ERR_COUNT)
		why = "fw_error out of range";
	else if (st->irq_status & ~PVGPU_IRQ_ALL)
		why = "unknown irq_status bits";
	else if (st->irq_mask & ~PVGPU_IRQ_ALL)
		why = "unknown irq_mask bits";
	else if (st->log_level > PVGPU_LOG_LEVEL_DEBUG)
		why = "log_level out of range";
	else if (st->boot_pending > 1 || st->h2f_pending > 1)
		why = "pending flag not 0/1";
	else if (!!st->boot_pending !=
		 (st->fw_status == PVGPU_FW_STATE_BOOTING))
		why = "boot_pending does not match BOOTING";
	else if (st->h2f_pending && st->fw_status != PVGPU_FW_STATE_RUNNING)
		why = "h2f_pending while not RUNNING";

	if (!why && st->fw_status == PVGPU_FW_STATE_RUNNING) {
		FwLayout l;

		fw_layout_from_state(st, &l);
		if (st->fw_error != PVGPU_FW_ERR_NONE)
			why = "RUNNING with an error code";
		else if (fw_layout_check(&l, layout_why, sizeof(layout_why)) !=
			 PVGPU_FW_ERR_NONE)
			why = layout_why;
		else if (st->log_write_offset >= fw_log_text_size(l.log_size))
			why = "log_write_offset beyond the log";
	}
	if (!why)
		why = fw_mmu_post_load(fw);
	if (!why)
		why = fw_sched_post_load(fw);

	if (why) {
		fw_trace(fw, "post_load_invalid", st->fw_status, 0);
		fw_guest_error(fw, "migrated firmware state rejected: %s", why);
		/*
		 * Nothing of the rejected queue table may reach the queue
		 * code: cleared whole (untracked), with its derived state.
		 */
		fw_sched_reset(fw, false);
		return -1;
	}

	/* Timers and kicks do not migrate: restart whatever was in flight. */
	fw->retry_armed = false;
	fw->f2h_written = false;
	if (st->boot_pending || st->h2f_pending)
		fw_kick(fw);
	/* Deadlines are in the state (device clock): arm for the first. */
	fw->timer_deadline = 0;
	fw_timer_update(fw);
	return 0;
}
