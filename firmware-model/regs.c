/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the BAR0 register block, the doorbells and the
 * interrupt logic.
 *
 * Everything here runs inside a guest MMIO access, so it only changes
 * register state and latches work for pvgpu_fw_run(); it never touches
 * guest memory (exceptions: FW_CTRL.RESET and TEST_INJECT leave a line in
 * the firmware log, a single bounded write each).
 */
#include "fw_internal.h"

/* --- Interrupts -------------------------------------------------------- */

/*
 * The device raises its vector whenever a cause becomes both pending and
 * enabled that was not before. A cause that is already pending and enabled
 * raises nothing new: the driver acknowledges first and then looks at the
 * source, so anything that happens after its acknowledgement signals again.
 */
static void irq_update(PvgpuFw *fw, uint32_t active_before)
{
	uint32_t active = fw->st.irq_status & fw->st.irq_mask;

	if (active & ~active_before) {
		fw->stats.irqs_raised++;
		fw_trace(fw, "irq_raise", active, active_before);
		/* Through fault injection (inject.c): lost or late. */
		fw_irq_deliver(fw);
	}
}

void fw_irq_set(PvgpuFw *fw, uint32_t causes)
{
	uint32_t active_before = fw->st.irq_status & fw->st.irq_mask;

	fw->st.irq_status |= causes;
	irq_update(fw, active_before);
}

/*
 * SELFTEST_IRQ: the same cause/mask/ack logic as every other cause, but
 * the vector is raised here, inside the guest's register write, and never
 * through fault injection (no lost or late interrupt): it measures the
 * platform's MMIO-to-interrupt path, which the firmware's injected faults
 * are not part of. It touches nothing else, whatever the firmware state.
 */
static void write_selftest_irq(PvgpuFw *fw)
{
	uint32_t active_before = fw->st.irq_status & fw->st.irq_mask;
	uint32_t active;

	fw->stats.selftest_irqs++;
	fw->st.irq_status |= PVGPU_IRQ_SELFTEST;
	active = fw->st.irq_status & fw->st.irq_mask;
	if (active & ~active_before) {
		fw->stats.irqs_raised++;
		fw_trace(fw, "irq_raise_selftest", active, active_before);
		fw->plat.raise_irq(fw->opaque, PVGPU_MSIX_VECTOR_FW);
	}
}

/* --- Register names, for guest error messages -------------------------- */

static const char *reg_name(uint64_t offset)
{
	switch (offset) {
	case PVGPU_REG_ID:		return "ID";
	case PVGPU_REG_VERSION:		return "VERSION";
	case PVGPU_REG_HWCAPS:		return "HWCAPS";
	case PVGPU_REG_DOORBELL_COUNT:	return "DOORBELL_COUNT";
	case PVGPU_REG_IRQ_STATUS:	return "IRQ_STATUS";
	case PVGPU_REG_IRQ_MASK:	return "IRQ_MASK";
	case PVGPU_REG_IRQ_ACK:		return "IRQ_ACK";
	case PVGPU_REG_FW_CTRL:		return "FW_CTRL";
	case PVGPU_REG_FW_STATUS:	return "FW_STATUS";
	case PVGPU_REG_FW_BOOT_DESC_LO:	return "FW_BOOT_DESC_LO";
	case PVGPU_REG_FW_BOOT_DESC_HI:	return "FW_BOOT_DESC_HI";
	case PVGPU_REG_FW_ERROR:	return "FW_ERROR";
	case PVGPU_REG_SCRATCH:		return "SCRATCH";
	case PVGPU_REG_TIMESTAMP_LO:	return "TIMESTAMP_LO";
	case PVGPU_REG_TIMESTAMP_HI:	return "TIMESTAMP_HI";
	case PVGPU_REG_SELFTEST_IRQ:	return "SELFTEST_IRQ";
	case PVGPU_REG_TEST_INJECT:	return "TEST_INJECT";
	default:			return NULL;
	}
}

static bool access_ok(PvgpuFw *fw, const char *dir, uint64_t offset,
		      unsigned int size)
{
	if (size != 4 || (offset & 3)) {
		fw_guest_error(fw, "%s of %u byte(s) at BAR0 offset 0x%" PRIx64
			       ": registers take aligned 32-bit accesses only",
			       dir, size, offset);
		return false;
	}
	return true;
}

/* --- Reads ------------------------------------------------------------- */

uint32_t pvgpu_fw_reg_read(PvgpuFw *fw, uint64_t offset, unsigned int size)
{
	PvgpuFwState *st = &fw->st;
	uint64_t now;

	if (!access_ok(fw, "read", offset, size))
		return 0;

	switch (offset) {
	case PVGPU_REG_ID:
		return PVGPU_ID_MAGIC;
	case PVGPU_REG_VERSION:
		return PVGPU_IFACE_VERSION(PVGPU_IFACE_MAJOR, PVGPU_IFACE_MINOR);
	case PVGPU_REG_HWCAPS:
		return PVGPU_HWCAP_MSIX |
		       (fw->cfg.page_faults ? PVGPU_HWCAP_PAGE_FAULTS : 0) |
		       (fw->cfg.guest_inject ? PVGPU_HWCAP_TEST_INJECT : 0) |
		       (fw->virgl ? PVGPU_HWCAP_BACKEND_VIRGL : 0);
	case PVGPU_REG_DOORBELL_COUNT:
		return fw->cfg.num_doorbells;
	case PVGPU_REG_IRQ_STATUS:
		return st->irq_status;
	case PVGPU_REG_IRQ_MASK:
		return st->irq_mask;
	case PVGPU_REG_FW_CTRL:
		return 0;	/* commands are self-clearing */
	case PVGPU_REG_FW_STATUS:
		return st->fw_status;
	case PVGPU_REG_FW_BOOT_DESC_LO:
		return st->boot_desc_lo;
	case PVGPU_REG_FW_BOOT_DESC_HI:
		return st->boot_desc_hi;
	case PVGPU_REG_FW_ERROR:
		return st->fw_error;
	case PVGPU_REG_SCRATCH:
		return st->scratch;
	case PVGPU_REG_TIMESTAMP_LO:
		/* Latch the upper half so LO-then-HI is one 64-bit sample. */
		now = fw_clock_ns(fw);
		st->timestamp_hi_latch = (uint32_t)(now >> 32);
		return (uint32_t)now;
	case PVGPU_REG_TIMESTAMP_HI:
		return st->timestamp_hi_latch;
	case PVGPU_REG_IRQ_ACK:
		fw_guest_error(fw, "read of write-only register IRQ_ACK");
		return 0;
	case PVGPU_REG_SELFTEST_IRQ:
		fw_guest_error(fw, "read of write-only register SELFTEST_IRQ");
		return 0;
	case PVGPU_REG_TEST_INJECT:
		/* Disabled it reads 0 quietly, like a device without it. */
		return fw->cfg.guest_inject ? pvgpu_fw_hung_engines(fw) : 0;
	default:
		fw_guest_error(fw, "read of unknown register at BAR0 offset 0x%"
			       PRIx64, offset);
		return 0;
	}
}

/* --- Writes ------------------------------------------------------------ */

static void write_irq_mask(PvgpuFw *fw, uint32_t value)
{
	uint32_t active_before = fw->st.irq_status & fw->st.irq_mask;

	if (value & ~PVGPU_IRQ_ALL)
		fw_guest_error(fw, "IRQ_MASK: unknown cause bits 0x%x ignored",
			       value & ~PVGPU_IRQ_ALL);
	fw->st.irq_mask = value & PVGPU_IRQ_ALL;
	/* Unmasking a cause that is already pending signals it now. */
	irq_update(fw, active_before);
}

static void write_irq_ack(PvgpuFw *fw, uint32_t value)
{
	if (value & ~PVGPU_IRQ_ALL)
		fw_guest_error(fw, "IRQ_ACK: unknown cause bits 0x%x ignored",
			       value & ~PVGPU_IRQ_ALL);
	fw->st.irq_status &= ~value;
}

static void write_fw_ctrl(PvgpuFw *fw, uint32_t value)
{
	const uint32_t known = PVGPU_FW_CTRL_BOOT | PVGPU_FW_CTRL_RESET;

	if (value & ~known) {
		fw_guest_error(fw, "FW_CTRL: unknown command bits 0x%x, "
			       "write ignored", value & ~known);
		return;
	}

	/* RESET then BOOT lets a driver restart the firmware in one write. */
	if (value & PVGPU_FW_CTRL_RESET) {
		if (fw->st.fw_status == PVGPU_FW_STATE_RUNNING)
			fw_log(fw, PVGPU_LOG_LEVEL_INFO,
			       "reset requested by the driver");
		fw->st.boot_pending = 0;
		/* The rings are forgotten; their interrupt with them. */
		fw->st.irq_status &= ~PVGPU_IRQ_F2H;
		fw_set_state(fw, PVGPU_FW_STATE_OFF, PVGPU_FW_ERR_NONE);
	}
	if (value & PVGPU_FW_CTRL_BOOT)
		fw_boot_request(fw);
}

static void write_boot_desc(PvgpuFw *fw, uint32_t *reg, const char *name,
			    uint32_t value)
{
	/* The address is read when the boot is served: it must hold still. */
	if (fw->st.fw_status == PVGPU_FW_STATE_BOOTING) {
		fw_guest_error(fw, "%s written while the firmware is booting, "
			       "ignored", name);
		return;
	}
	*reg = value;
}

/*
 * TEST_INJECT: the fault injections a driver's reset tests need, from the
 * guest itself. They act at once, whatever the firmware state: CRASH is
 * pvgpu_fw_inject_crash() (a halt, like FW_CTRL.RESET's state change), the
 * engine ones only change the scheduler's masks and kick. An engine hang
 * set outside RUNNING is cleared by the next boot like any other.
 */
static void write_test_inject(PvgpuFw *fw, uint32_t value)
{
	uint32_t op = PVGPU_TEST_INJECT_OP(value);
	uint32_t cls = PVGPU_TEST_INJECT_CLASS(value);
	PvgpuFwInject what;

	if (!fw->cfg.guest_inject) {
		fw_guest_error(fw, "write of 0x%x to TEST_INJECT ignored: test "
			       "injection is disabled (HWCAPS.TEST_INJECT "
			       "clear)", value);
		return;
	}
	if (value & PVGPU_TEST_INJECT_RESERVED) {
		fw_guest_error(fw, "TEST_INJECT: reserved bits 0x%x set, write "
			       "of 0x%x ignored",
			       value & PVGPU_TEST_INJECT_RESERVED, value);
		return;
	}
	switch (op) {
	case PVGPU_TEST_INJECT_CRASH:
		if (cls) {
			fw_guest_error(fw, "TEST_INJECT: CRASH takes engine "
				       "class 0, not %u: ignored", cls);
			return;
		}
		fw_trace(fw, "test_inject", op, cls);
		pvgpu_fw_inject_crash(fw);
		return;
	case PVGPU_TEST_INJECT_BACKEND_GL_ERROR:
		if (cls || !fw->virgl) {
			fw_guest_error(fw, "TEST_INJECT: BACKEND_GL_ERROR needs "
				       "class 0 and the virgl backend (HWCAPS."
				       "BACKEND_VIRGL): write of 0x%x ignored",
				       value);
			return;
		}
		fw_trace(fw, "test_inject", op, cls);
		if (!fw_virgl_inject(fw->virgl, PVGPU_VW_OP_INJECT_GL_ERROR))
			fw_log(fw, PVGPU_LOG_LEVEL_WARN,
			       "TEST_INJECT: the virgl worker did not take "
			       "BACKEND_GL_ERROR");
		return;
	case PVGPU_TEST_INJECT_HANG_ENGINE:
		what = PVGPU_FW_INJECT_HANG_ENGINE;
		break;
	case PVGPU_TEST_INJECT_UNHANG_ENGINE:
		what = PVGPU_FW_INJECT_UNHANG_ENGINE;
		break;
	case PVGPU_TEST_INJECT_WEDGE_ENGINE:
		what = PVGPU_FW_INJECT_WEDGE_ENGINE;
		break;
	default:
		fw_guest_error(fw, "TEST_INJECT: unknown op %u, write of 0x%x "
			       "ignored", op, value);
		return;
	}
	if (fw_class_index(fw, cls) < 0) {
		fw_guest_error(fw, "TEST_INJECT: no engine class %u, write of "
			       "0x%x ignored", cls, value);
		return;
	}
	fw_trace(fw, "test_inject", op, cls);
	/* The class was checked: it cannot fail. */
	if (pvgpu_fw_inject(fw, what, cls) < 0)
		g_assert_not_reached();
}

void pvgpu_fw_reg_write(PvgpuFw *fw, uint64_t offset, uint32_t value,
			unsigned int size)
{
	PvgpuFwState *st = &fw->st;
	const char *name;

	if (!access_ok(fw, "write", offset, size))
		return;

	fw_trace(fw, "reg_write", offset, value);
	switch (offset) {
	case PVGPU_REG_IRQ_MASK:
		write_irq_mask(fw, value);
		return;
	case PVGPU_REG_IRQ_ACK:
		write_irq_ack(fw, value);
		return;
	case PVGPU_REG_FW_CTRL:
		write_fw_ctrl(fw, value);
		return;
	case PVGPU_REG_FW_BOOT_DESC_LO:
		write_boot_desc(fw, &st->boot_desc_lo, "FW_BOOT_DESC_LO", value);
		return;
	case PVGPU_REG_FW_BOOT_DESC_HI:
		write_boot_desc(fw, &st->boot_desc_hi, "FW_BOOT_DESC_HI", value);
		return;
	case PVGPU_REG_SCRATCH:
		st->scratch = value;
		return;
	case PVGPU_REG_SELFTEST_IRQ:
		write_selftest_irq(fw);
		return;
	case PVGPU_REG_TEST_INJECT:
		write_test_inject(fw, value);
		return;
	default:
		name = reg_name(offset);
		if (name)
			fw_guest_error(fw, "write of 0x%x to read-only register "
				       "%s ignored", value, name);
		else
			fw_guest_error(fw, "write of 0x%x to unknown register "
				       "at BAR0 offset 0x%" PRIx64 " ignored",
				       value, offset);
		return;
	}
}

/* --- Doorbells --------------------------------------------------------- */

G_STATIC_ASSERT(PVGPU_DOORBELLS_PER_PAGE * PVGPU_DOORBELL_SIZE ==
		PVGPU_DOORBELL_PAGE_SIZE);
G_STATIC_ASSERT(PVGPU_DOORBELL_ID(PVGPU_DOORBELL_GROUP_KERNEL,
				  PVGPU_DOORBELL_H2F / PVGPU_DOORBELL_SIZE) ==
		PVGPU_DOORBELL_ID_H2F);

void pvgpu_fw_doorbell(PvgpuFw *fw, uint32_t group, uint32_t offset,
		       uint32_t value)
{
	uint32_t db;

	fw->stats.doorbells++;
	fw_trace(fw, "doorbell", group, offset);

	if (group >= fw->cfg.num_doorbells ||
	    offset >= PVGPU_DOORBELL_PAGE_SIZE) {
		fw_guest_error(fw, "doorbell write outside the doorbell pages "
			       "(group %u, offset 0x%x)", group, offset);
		return;
	}
	if (offset % PVGPU_DOORBELL_SIZE) {
		fw_guest_error(fw, "doorbell write at unaligned offset 0x%x "
			       "of group %u ignored", offset, group);
		return;
	}
	db = PVGPU_DOORBELL_ID(group, offset / PVGPU_DOORBELL_SIZE);
	if (db != PVGPU_DOORBELL_ID_H2F) {
		/* A queue's doorbell, or nobody's (sched.c). */
		fw_sched_doorbell(fw, db, value);
		return;
	}
	/*
	 * The value carries no meaning. A doorbell while the firmware is not
	 * running is not necessarily a driver bug (the firmware may have just
	 * halted), so it is only traced.
	 */
	if (fw->st.fw_status != PVGPU_FW_STATE_RUNNING) {
		fw_trace(fw, "doorbell_not_running", fw->st.fw_status, 0);
		return;
	}
	fw->st.h2f_pending = 1;
	fw_kick(fw);
}
