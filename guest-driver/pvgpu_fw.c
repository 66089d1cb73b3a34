// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: firmware boot, capabilities, log and interrupts.
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include <linux/completion.h>
#include <linux/ctype.h>
#include <linux/interrupt.h>
#include <linux/iopoll.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/string_choices.h>

#include <drm/drm_print.h>

#include "pvgpu_drv.h"
#include "pvgpu_fw.h"
#include "pvgpu_queue.h"
#include "pvgpu_regs.h"
#include "pvgpu_reset.h"

/**
 * DOC: Firmware boot, interrupts and log
 *
 * The firmware owns the device: the driver hands it shared memory at boot
 * and talks to it through the message channel (see the channel's DOC).
 *
 * **Boot** (pvgpu_fw_init()): reset the firmware if it is not off (a
 * previous driver may have left it running; bus mastering stays off until
 * it is), allocate the boot descriptor, the rings, the log buffer and the
 * capability page with dma_alloc_coherent(), install the MSI-X handler,
 * fill struct pvgpu_boot_desc, enable bus mastering, write the
 * descriptor's address to PVGPU_REG_FW_BOOT_DESC_LO/HI, unmask the
 * interrupt causes and write PVGPU_FW_CTRL_BOOT. The firmware
 * then reports PVGPU_FW_STATE_RUNNING (capabilities written) or
 * PVGPU_FW_STATE_ERROR (PVGPU_REG_FW_ERROR says why) within the
 * boot_timeout_ms module parameter; the driver waits for a
 * PVGPU_IRQ_FW_STATE interrupt and polls every 10 ms in case it is lost.
 * It then checks and prints the capabilities, opens the channel and pings
 * the firmware once.
 *
 * **Interrupts** (pvgpu_fw_irq()): one MSI-X vector carries every cause.
 * The handler acknowledges all pending causes first (only the causes
 * PVGPU_IRQ_ALL defines), then looks at the firmware state if it changed
 * and drains the F2H ring: a message that arrives after the acknowledgment
 * raises a new interrupt. The response timestamp is taken when the F2H
 * tail has been read, so it is never older than the request it answers.
 *
 * **Platform floor** (pvgpu_fw_floor(), DRM_PVGPU_FW_PING_FLOOR): writing
 * PVGPU_REG_SELFTEST_IRQ makes the device raise PVGPU_IRQ_SELFTEST inside
 * the write, with no firmware involved. The handler treats it like any
 * cause (read, acknowledge), records the time and completes
 * &pvgpu_fw.floor_done; that is all, so a self-test interrupt nobody
 * waits for is harmless. One measurement runs at a time
 * (&pvgpu_fw.floor_lock); the time stamp tells the waiter's interrupt
 * from a late one of an earlier measurement that gave up.
 *
 * **Firmware stop**: if the firmware leaves RUNNING while the channel is
 * up (crash, halt), every pending request fails with -EIO and later ones
 * with -ENODEV, and a device reset is scheduled (pvgpu_reset.c), which
 * stops the firmware for good and boots it again (pvgpu_fw_restart()).
 *
 * **Teardown** (pvgpu_fw_fini()): fail pending requests, mask interrupts,
 * reset the firmware and wait for PVGPU_FW_STATE_OFF, clear bus mastering
 * (so a firmware that does not stop cannot reach memory), free the
 * interrupt, and only then free the shared memory.
 *
 * **Log**: the firmware appends text lines to the log buffer. debugfs
 * fw_log prints it oldest first. With the fw_log_dmesg module parameter,
 * every interrupt and every PVGPU_F2H_EVT_LOG event makes a worker copy
 * the new lines to the kernel log, prefixed "fw: " (the firmware model
 * sends no log events, so the interrupt is what drives it). Both readers
 * take the write position (write_offset, wrap_count) as a pair that is
 * read again until two reads agree: the firmware updates the words one
 * after the other.
 */

#define PVGPU_LOG_TEXT_SIZE	(PVGPU_LOG_SIZE - sizeof(struct pvgpu_log_desc))

/* --- Names -------------------------------------------------------------- */

/**
 * pvgpu_fw_state_name() - name of a firmware state
 * @state: PVGPU_FW_STATE_*
 *
 * Return: a static string.
 */
const char *pvgpu_fw_state_name(u32 state)
{
	static const char * const names[] = {
		[PVGPU_FW_STATE_OFF] = "OFF",
		[PVGPU_FW_STATE_BOOTING] = "BOOTING",
		[PVGPU_FW_STATE_RUNNING] = "RUNNING",
		[PVGPU_FW_STATE_ERROR] = "ERROR",
		[PVGPU_FW_STATE_HALTED] = "HALTED",
	};

	if (state < ARRAY_SIZE(names) && names[state])
		return names[state];
	return "UNKNOWN";
}

/**
 * pvgpu_fw_error_name() - name of a firmware error code
 * @error: PVGPU_FW_ERR_*
 *
 * Return: a static string, the macro's name and its meaning.
 */
const char *pvgpu_fw_error_name(u32 error)
{
#define PVGPU_FW_ERR_NAME(name, value, desc) \
	[value] = "PVGPU_FW_ERR_" #name " (" desc ")",
	static const char * const names[] = {
		PVGPU_FW_ERR_TABLE(PVGPU_FW_ERR_NAME)
	};
#undef PVGPU_FW_ERR_NAME

	if (error < ARRAY_SIZE(names) && names[error])
		return names[error];
	return "PVGPU_FW_ERR_? (unknown error code)";
}

/**
 * pvgpu_engine_class_name() - name of an engine class
 * @engine_class: PVGPU_ENGINE_CLASS_*
 *
 * Return: a static string, "unknown" for classes this driver does not know.
 */
const char *pvgpu_engine_class_name(u32 engine_class)
{
	switch (engine_class) {
	case PVGPU_ENGINE_CLASS_COPY:
		return "copy";
	case PVGPU_ENGINE_CLASS_COMPUTE:
		return "compute";
	default:
		return "unknown";
	}
}

/* --- State and interrupts ----------------------------------------------- */

/**
 * pvgpu_fw_check_alive() - notice a firmware that stopped running
 * @pvdev: the device
 *
 * If the channel is up but PVGPU_REG_FW_STATUS no longer says RUNNING, the
 * firmware crashed or halted: log it once and fail every pending request
 * with -EIO. Called from the interrupt handler on PVGPU_IRQ_FW_STATE and
 * from a request that timed out (the interrupt may have been lost). Any
 * context.
 */
void pvgpu_fw_check_alive(struct pvgpu_device *pvdev)
{
	struct pvgpu_channel *ch = &pvdev->fw.ch;
	u32 state, error;

	if (!pvgpu_channel_is_up(ch))
		return;

	state = pvgpu_read(pvdev, PVGPU_REG_FW_STATUS);
	if (state == PVGPU_FW_STATE_RUNNING)
		return;

	error = pvgpu_read(pvdev, PVGPU_REG_FW_ERROR);
	if (!pvgpu_channel_fail(ch, -EIO))
		return;
	drm_err(&pvdev->drm,
		"firmware stopped: state %s (%u), error %s; its requests fail\n",
		pvgpu_fw_state_name(state), state, pvgpu_fw_error_name(error));
	/* The reset's work stops it for good first, then boots it again. */
	pvgpu_reset_schedule(pvdev, DRM_PVGPU_RESET_CAUSE_FW_CRASH);
}

static irqreturn_t pvgpu_fw_irq(int irq, void *arg)
{
	struct pvgpu_device *pvdev = arg;
	u32 status;

	status = pvgpu_read(pvdev, PVGPU_REG_IRQ_STATUS);
	if (status == ~0u)
		return IRQ_NONE;	/* the device is gone */
	/* Bits this driver does not know are not ours to acknowledge. */
	status &= PVGPU_IRQ_ALL;
	if (!status)
		return IRQ_NONE;

	/* Acknowledge first: whatever comes after the drain interrupts again. */
	pvgpu_write(pvdev, PVGPU_REG_IRQ_ACK, status);

	/* Where a ping's response time is taken too, give or take a read. */
	if (status & PVGPU_IRQ_SELFTEST) {
		WRITE_ONCE(pvdev->fw.floor_irq_time, ktime_get());
		complete(&pvdev->fw.floor_done);
	}

	if (status & PVGPU_IRQ_FW_STATE) {
		wake_up_all(&pvdev->fw.state_wq);
		pvgpu_fw_check_alive(pvdev);
	}

	/* Drained on every interrupt: cheap when empty, robust to lost ones. */
	pvgpu_channel_irq(&pvdev->fw.ch);

	/* The firmware announces no log lines: look after every interrupt. */
	if (READ_ONCE(pvgpu_fw_log_dmesg))
		queue_work(system_wq, &pvdev->fw.log_work);

	return IRQ_HANDLED;
}

/**
 * pvgpu_fw_event() - handle a firmware event the channel does not handle
 * @pvdev: the device
 * @hdr: the event's header
 * @payload: its payload, &pvgpu_msg_hdr.len dwords
 *
 * Hard-irq context, under the channel lock: defer anything slow.
 *
 * Return: true if the event's opcode is known.
 */
bool pvgpu_fw_event(struct pvgpu_device *pvdev,
		    const struct pvgpu_msg_hdr *hdr, const __le32 *payload)
{
	switch (le16_to_cpu(hdr->opcode)) {
	case PVGPU_F2H_EVT_LOG:
		if (READ_ONCE(pvgpu_fw_log_dmesg))
			queue_work(system_wq, &pvdev->fw.log_work);
		return true;
	default:
		return pvgpu_queue_fw_event(pvdev, hdr, payload);
	}
}

/* --- Reset and boot ------------------------------------------------------ */

/* Resets the firmware and waits for PVGPU_FW_STATE_OFF; sleeps. */
static int pvgpu_fw_reset_hw(struct pvgpu_device *pvdev)
{
	unsigned int timeout_ms = max(READ_ONCE(pvgpu_boot_timeout_ms), 1u);
	u32 state;
	int ret;

	state = pvgpu_read(pvdev, PVGPU_REG_FW_STATUS);
	if (state == ~0u)
		return -ENODEV;	/* the device is gone */

	pvgpu_write(pvdev, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_RESET);
	ret = readl_poll_timeout(pvdev->regs + PVGPU_REG_FW_STATUS, state,
				 state == PVGPU_FW_STATE_OFF, 1000,
				 timeout_ms * USEC_PER_MSEC);
	if (ret) {
		drm_err(&pvdev->drm,
			"firmware did not reset within %u ms: state %s (%u)\n",
			timeout_ms, pvgpu_fw_state_name(state), state);
		return ret;
	}

	pvgpu_write(pvdev, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_ALL);
	return 0;
}

/*
 * Stops the firmware for good before its memory is freed: no interrupt, no
 * DMA. If the reset fails, clearing bus mastering still blocks its DMA.
 */
static void pvgpu_fw_quiesce(struct pvgpu_device *pvdev)
{
	pvgpu_write(pvdev, PVGPU_REG_IRQ_MASK, 0);
	if (pvgpu_fw_reset_hw(pvdev))
		drm_err(&pvdev->drm, "firmware not reset; blocking its DMA\n");
	pci_clear_master(pvdev->pdev);
}

static void pvgpu_fw_wedge_work(struct work_struct *work)
{
	struct pvgpu_fw *fw = container_of(work, struct pvgpu_fw, wedge_work);
	struct pvgpu_device *pvdev = container_of(fw, struct pvgpu_device, fw);

	/* Nothing runs any more: every outstanding fence signals. */
	pvgpu_queues_fini(pvdev);
	pvgpu_event_emit_device(pvdev, DRM_PVGPU_EVENT_DEVICE_WEDGED, 0, 0);
}

/*
 * The one way the firmware stops while the driver runs, whoever asks: the
 * channel fails first, so that no path mistakes the reset below for a
 * crash (pvgpu_fw_check_alive() only looks at a channel that is up) and
 * every request waiting on the firmware returns; the firmware is then
 * reset and the device's DMA blocked. A request that failed returns to
 * its sender only after this completed: a COMMIT request's failure goes
 * through pvgpu_fw_wedge() (pvgpu_channel_send()), which takes
 * &pvgpu_fw.wedge_lock and so waits for a stop in progress.
 */
static void pvgpu_fw_stop_locked(struct pvgpu_device *pvdev, int err)
{
	struct pvgpu_fw *fw = &pvdev->fw;

	lockdep_assert_held(&fw->wedge_lock);

	pvgpu_channel_fail(&fw->ch, err);
	if (fw->stopped)
		return;
	pvgpu_fw_quiesce(pvdev);
	fw->stopped = true;
}

/*
 * The device stays stopped until it is rebound: every queue is banned
 * (asynchronously: the caller may hold queue locks).
 */
static void pvgpu_fw_set_wedged_locked(struct pvgpu_device *pvdev,
				       const char *why)
{
	struct pvgpu_fw *fw = &pvdev->fw;

	lockdep_assert_held(&fw->wedge_lock);

	if (fw->wedged || fw->removed)
		return;
	drm_err(&pvdev->drm,
		"device wedged: %s; device stopped, rebind it to recover\n",
		why);
	pvgpu_fw_stop_locked(pvdev, -EIO);
	fw->wedged = true;
	queue_work(pvdev->wq, &fw->wedge_work);
}

/**
 * pvgpu_fw_wedge_epoch() - stop a device whose firmware state is unknown
 * @pvdev: the device
 * @epoch: &pvgpu_channel.epoch of the firmware the failed request went to
 * @why: what happened, for the log
 *
 * A state-changing request failed without an answer (not sent in time,
 * not answered in time, skipped, drained, or the firmware crashed), or the
 * firmware refused to stop a queue or an address space: the driver no
 * longer knows what the firmware runs or reads. The channel fails (every
 * request -EIO, later ones -ENODEV), then the firmware is reset and the
 * device's DMA blocked, all *before* this returns, so a caller may then
 * free whatever the firmware could reach. Then the device is reset and
 * recovers (pvgpu_reset_schedule(), docs/reset.rst); where recovery is off
 * or gave up, every queue is banned and the device stays stopped until it
 * is unbound and bound again. If the device was stopped already (removal,
 * an earlier wedge, a reset in progress), or @epoch is older than the
 * running firmware's (a reset rebooted it since the request failed), this
 * only waits until a stop in progress is complete. Process context;
 * idempotent.
 */
void pvgpu_fw_wedge_epoch(struct pvgpu_device *pvdev, u32 epoch,
			  const char *why)
{
	struct pvgpu_fw *fw = &pvdev->fw;

	/*
	 * A second caller waits for the first: every caller may free what
	 * the firmware could reach as soon as this returns.
	 */
	mutex_lock(&fw->wedge_lock);
	if (!fw->stopped && epoch == READ_ONCE(fw->ch.epoch)) {
		if (pvgpu_reset_schedule(pvdev, DRM_PVGPU_RESET_CAUSE_FW_ERROR)) {
			drm_err(&pvdev->drm,
				"firmware failed: %s; resetting the device\n",
				why);
			pvgpu_fw_stop_locked(pvdev, -EIO);
		} else {
			pvgpu_fw_set_wedged_locked(pvdev, why);
		}
	}
	mutex_unlock(&fw->wedge_lock);
}

/**
 * pvgpu_fw_wedge() - pvgpu_fw_wedge_epoch() for the running firmware
 * @pvdev: the device
 * @why: what happened, for the log
 */
void pvgpu_fw_wedge(struct pvgpu_device *pvdev, const char *why)
{
	pvgpu_fw_wedge_epoch(pvdev, READ_ONCE(pvdev->fw.ch.epoch), why);
}

/**
 * pvgpu_fw_stop() - stop the firmware for removal or shutdown
 * @pvdev: the device
 *
 * Pending and later requests fail with -ENODEV; the firmware is reset and
 * its DMA blocked before this returns (see pvgpu_fw_stop_locked() for the
 * order, and why a sender never frees memory before the stop completed).
 * No device reset restarts it afterwards. Sleeps; idempotent.
 */
void pvgpu_fw_stop(struct pvgpu_device *pvdev)
{
	struct pvgpu_fw *fw = &pvdev->fw;

	mutex_lock(&fw->wedge_lock);
	fw->removed = true;
	pvgpu_fw_stop_locked(pvdev, -ENODEV);
	mutex_unlock(&fw->wedge_lock);
}

/**
 * pvgpu_fw_reset_stop() - stop the firmware for a device reset
 * @pvdev: the device
 * @why: why the reset gives up, for the log, or NULL to go on
 *
 * Stops the firmware if it runs (as pvgpu_fw_wedge() does); with @why
 * the device is wedged instead (the reset gives up).
 *
 * Return: true if the firmware is stopped and may be rebooted; false if
 * the device was removed or is (now) wedged.
 */
bool pvgpu_fw_reset_stop(struct pvgpu_device *pvdev, const char *why)
{
	struct pvgpu_fw *fw = &pvdev->fw;
	bool ok;

	mutex_lock(&fw->wedge_lock);
	if (why)
		pvgpu_fw_set_wedged_locked(pvdev, why);
	ok = !fw->wedged && !fw->removed;
	if (ok)
		pvgpu_fw_stop_locked(pvdev, -EIO);
	mutex_unlock(&fw->wedge_lock);
	return ok;
}

/**
 * pvgpu_fw_is_wedged() - whether the device stopped for good
 * @pvdev: the device
 *
 * Return: true after a wedge that no reset follows (until a rebind).
 */
bool pvgpu_fw_is_wedged(struct pvgpu_device *pvdev)
{
	return READ_ONCE(pvdev->fw.wedged);
}

static void pvgpu_fw_fill_boot_desc(struct pvgpu_device *pvdev)
{
	struct pvgpu_fw *fw = &pvdev->fw;
	struct pvgpu_boot_desc *desc = fw->boot.vaddr;

	memset(desc, 0, sizeof(*desc));
	desc->magic = cpu_to_le32(PVGPU_BOOT_MAGIC);
	desc->iface_version = cpu_to_le32(PVGPU_IFACE_VERSION(PVGPU_IFACE_MAJOR,
							      PVGPU_IFACE_MINOR));
	desc->h2f_desc = cpu_to_le64(fw->ch.h2f.desc_dma);
	desc->h2f_base = cpu_to_le64(fw->ch.h2f.buf_dma);
	desc->h2f_size = cpu_to_le32(fw->ch.h2f.size);
	desc->f2h_desc = cpu_to_le64(fw->ch.f2h.desc_dma);
	desc->f2h_base = cpu_to_le64(fw->ch.f2h.buf_dma);
	desc->f2h_size = cpu_to_le32(fw->ch.f2h.size);
	desc->log_base = cpu_to_le64(fw->log.dma);
	desc->log_size = cpu_to_le32(fw->log.size);
	desc->caps_base = cpu_to_le64(fw->caps.dma);
	desc->caps_size = cpu_to_le32(fw->caps.size);

	/* Stale capabilities must not pass for new ones. */
	memset(fw->caps.vaddr, 0, fw->caps.size);
}

static bool pvgpu_fw_boot_done(struct pvgpu_device *pvdev, u32 *state)
{
	*state = pvgpu_read(pvdev, PVGPU_REG_FW_STATUS);
	return *state != PVGPU_FW_STATE_OFF &&
	       *state != PVGPU_FW_STATE_BOOTING;
}

static int pvgpu_fw_wait_boot(struct pvgpu_device *pvdev)
{
	struct drm_device *drm = &pvdev->drm;
	unsigned int timeout_ms = max(READ_ONCE(pvgpu_boot_timeout_ms), 1u);
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);
	u32 state, error;

	while (!pvgpu_fw_boot_done(pvdev, &state)) {
		if (time_after_eq(jiffies, deadline)) {
			drm_err(drm,
				"firmware did not boot within %u ms: state %s (%u)\n",
				timeout_ms, pvgpu_fw_state_name(state), state);
			return -ETIMEDOUT;
		}
		/* The interrupt wakes us; the 10 ms poll covers a lost one. */
		wait_event_timeout(pvdev->fw.state_wq,
				   pvgpu_fw_boot_done(pvdev, &state),
				   min_t(unsigned long, deadline - jiffies,
					 msecs_to_jiffies(10)));
	}

	if (state == PVGPU_FW_STATE_RUNNING)
		return 0;

	error = pvgpu_read(pvdev, PVGPU_REG_FW_ERROR);
	drm_err(drm, "firmware refused to boot: state %s (%u), error %s (%u)\n",
		pvgpu_fw_state_name(state), state, pvgpu_fw_error_name(error),
		error);
	return -EIO;
}

static const char *pvgpu_fw_check_engines(const struct pvgpu_fw_info *info)
{
	u32 seen = 0, engine_class;
	unsigned int i;

	if (!info->num_engine_classes ||
	    info->num_engine_classes > PVGPU_MAX_ENGINE_CLASSES)
		return "number of engine classes out of range";
	for (i = 0; i < info->num_engine_classes; i++) {
		engine_class = info->engines[i].engine_class;
		if (engine_class != PVGPU_ENGINE_CLASS_COPY &&
		    engine_class != PVGPU_ENGINE_CLASS_COMPUTE)
			return "unknown engine class";
		if (seen & BIT(engine_class))
			return "engine class listed twice";
		seen |= BIT(engine_class);
		if (!info->engines[i].num_slots)
			return "engine class without slots";
	}
	return NULL;
}

static const char *pvgpu_fw_check_caps(struct pvgpu_device *pvdev)
{
	const struct pvgpu_fw_info *info = &pvdev->fw.info;
	const char *why;

	if (info->caps_size < sizeof(struct pvgpu_fw_caps) ||
	    info->caps_size > pvdev->fw.caps.size)
		return "size out of range";
	if (PVGPU_IFACE_VERSION_MAJOR(info->iface_version) != PVGPU_IFACE_MAJOR)
		return "interface major not supported";
	why = pvgpu_fw_check_engines(info);
	if (why)
		return why;
	if (info->va_bits < 32 || info->va_bits > 57)
		return "VA bits out of range";
	/* page_sizes is a mask of log2(size): bit 12 is 4 KiB. */
	if (!(info->page_sizes & BIT(12)))
		return "no 4 KiB pages";
	if (!info->num_priorities)
		return "no priorities";
	if (!info->max_queues)
		return "no queues";
	if (!info->max_address_spaces)
		return "no address spaces";
	if (!info->num_doorbells ||
	    info->num_doorbells > pvdev->num_doorbell_pages)
		return "doorbell count out of range";
	if (info->timeslice_min_us > info->timeslice_default_us ||
	    info->timeslice_default_us > info->timeslice_max_us)
		return "timeslice range inconsistent";
	return NULL;
}

static int pvgpu_fw_read_caps(struct pvgpu_device *pvdev)
{
	const struct pvgpu_fw_caps *caps = pvdev->fw.caps.vaddr;
	struct pvgpu_fw_info *info = &pvdev->fw.info;
	const char *why;
	unsigned int i, n;

	/*
	 * The firmware wrote the block (coherent memory) before it reported
	 * RUNNING. The readl() of FW_STATUS already orders later reads of
	 * coherent memory after it; the dma_rmb() keeps that dependency
	 * explicit here, at no cost worth counting at boot.
	 */
	dma_rmb();

	memset(info, 0, sizeof(*info));
	info->caps_size = le32_to_cpu(caps->size);
	info->fw_version = le32_to_cpu(caps->fw_version);
	info->iface_version = le32_to_cpu(caps->iface_version);
	info->flags = le32_to_cpu(caps->flags);
	info->va_bits = le32_to_cpu(caps->va_bits);
	info->page_sizes = le32_to_cpu(caps->page_sizes);
	info->num_priorities = le32_to_cpu(caps->num_priorities);
	info->max_queues = le32_to_cpu(caps->max_queues);
	info->num_doorbells = le32_to_cpu(caps->num_doorbells);
	info->timeslice_default_us = le32_to_cpu(caps->timeslice_default_us);
	info->timeslice_min_us = le32_to_cpu(caps->timeslice_min_us);
	info->timeslice_max_us = le32_to_cpu(caps->timeslice_max_us);
	info->watchdog_ms = le32_to_cpu(caps->watchdog_ms);
	info->num_engine_classes = le32_to_cpu(caps->num_engine_classes);
	info->max_address_spaces = le32_to_cpu(caps->max_address_spaces);

	n = min_t(u32, info->num_engine_classes, PVGPU_MAX_ENGINE_CLASSES);
	for (i = 0; i < n; i++) {
		info->engines[i].engine_class =
			le32_to_cpu(caps->engines[i].engine_class);
		info->engines[i].num_slots =
			le32_to_cpu(caps->engines[i].num_slots);
	}

	why = pvgpu_fw_check_caps(pvdev);
	if (why) {
		drm_err(&pvdev->drm, "firmware capabilities rejected: %s\n",
			why);
		return -EPROTO;
	}
	return 0;
}

/* "4K,64K,2M": the page sizes of a PVGPU caps page_sizes mask. */
static void pvgpu_format_page_sizes(char *buf, size_t len, u32 sizes)
{
	static const char * const units[] = { "", "K", "M", "G" };
	size_t n = 0;
	unsigned int bit;

	buf[0] = '\0';
	for (bit = 0; bit < 32; bit++)
		if (sizes & BIT(bit))
			n += scnprintf(buf + n, len - n, "%s%lu%s",
				       n ? "," : "", BIT(bit % 10),
				       units[bit / 10]);
}

static void pvgpu_fw_print_running(struct pvgpu_device *pvdev)
{
	const struct pvgpu_fw_info *info = &pvdev->fw.info;
	char engines[PVGPU_MAX_ENGINE_CLASSES * 20];
	char pages[64];
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < info->num_engine_classes; i++)
		n += scnprintf(engines + n, sizeof(engines) - n, "%s%s:%u",
			       i ? " " : "",
			       pvgpu_engine_class_name(info->engines[i].engine_class),
			       info->engines[i].num_slots);
	pvgpu_format_page_sizes(pages, sizeof(pages), info->page_sizes);

	drm_info(&pvdev->drm,
		 "firmware %u.%u.%u running: iface %u.%u, engines %s, priorities %u, va-bits %u, pages %s, max-queues %u, doorbells %u, page-faults %s\n",
		 (info->fw_version >> 16) & 0xff, (info->fw_version >> 8) & 0xff,
		 info->fw_version & 0xff,
		 PVGPU_IFACE_VERSION_MAJOR(info->iface_version),
		 PVGPU_IFACE_VERSION_MINOR(info->iface_version), engines,
		 info->num_priorities, info->va_bits, pages, info->max_queues,
		 info->num_doorbells,
		 str_yes_no(info->flags & PVGPU_FW_CAP_PAGE_FAULTS));
}

static int pvgpu_fw_set_log_level(struct pvgpu_device *pvdev, u32 level)
{
	struct pvgpu_msg_log_ctrl req = { .level = cpu_to_le32(level) };
	struct pvgpu_channel_msg msg = {
		.opcode = PVGPU_H2F_LOG_CTRL,
		.req = &req,
		.req_dw = sizeof(req) / 4,
	};

	return pvgpu_channel_send(&pvdev->fw.ch, &msg,
				  READ_ONCE(pvgpu_fw_timeout_ms));
}

static int pvgpu_fw_boot(struct pvgpu_device *pvdev)
{
	struct pvgpu_fw *fw = &pvdev->fw;
	int level = READ_ONCE(pvgpu_fw_log_level);
	u64 fw_ts, rtt, wake;
	int ret;

	pvgpu_channel_set_ready(&fw->ch);
	pvgpu_fw_fill_boot_desc(pvdev);

	/*
	 * The firmware is off (reset, or never started): from here on its
	 * DMA and MSI-X writes must reach memory. pvgpu_fw_quiesce() clears
	 * this again.
	 */
	pci_set_master(pvdev->pdev);

	/*
	 * writel() orders the descriptor and the rings (coherent memory)
	 * before the register writes, so no dma_wmb() is needed here.
	 */
	pvgpu_write(pvdev, PVGPU_REG_FW_BOOT_DESC_LO, lower_32_bits(fw->boot.dma));
	pvgpu_write(pvdev, PVGPU_REG_FW_BOOT_DESC_HI, upper_32_bits(fw->boot.dma));
	pvgpu_write(pvdev, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_ALL);
	pvgpu_write(pvdev, PVGPU_REG_IRQ_MASK, PVGPU_IRQ_ALL);
	pvgpu_write(pvdev, PVGPU_REG_FW_CTRL, PVGPU_FW_CTRL_BOOT);

	ret = pvgpu_fw_wait_boot(pvdev);
	if (ret)
		return ret;

	ret = pvgpu_fw_read_caps(pvdev);
	if (ret)
		return ret;
	pvgpu_fw_print_running(pvdev);

	pvgpu_channel_set_up(&fw->ch);
	/* A crash between RUNNING and now raised no failure yet. */
	pvgpu_fw_check_alive(pvdev);

	if (level >= 0) {
		ret = pvgpu_fw_set_log_level(pvdev, level);
		if (ret)
			drm_warn(&pvdev->drm,
				 "firmware log level %d not set: %d\n",
				 level, ret);
	}

	/*
	 * A channel that does not work is reported, not fatal: debug it.
	 * One that failed because the firmware stopped meanwhile was
	 * reported as that (pvgpu_fw_check_alive()).
	 */
	ret = pvgpu_fw_ping(pvdev, 0x7076677075ull, &fw_ts, &rtt, &wake);
	if (ret && pvgpu_channel_is_up(&fw->ch))
		drm_err(&pvdev->drm, "firmware does not answer a ping: %d\n",
			ret);
	else if (!ret)
		drm_dbg_driver(&pvdev->drm, "firmware ping: %llu ns\n", rtt);

	return 0;
}

/* --- Log ----------------------------------------------------------------- */

static void pvgpu_fw_log_pos_once(struct pvgpu_fw *fw, u32 *offset,
				  u32 *wraps)
{
	const struct pvgpu_log_desc *desc = fw->log.vaddr;

	*offset = le32_to_cpu(READ_ONCE(desc->write_offset));
	*wraps = le32_to_cpu(READ_ONCE(desc->wrap_count));
}

/*
 * Reads the log's write position. The firmware updates write_offset and
 * wrap_count one after the other, so the two words are read again until
 * two reads in a row agree.
 *
 * Return: 0; -EAGAIN if the position never held still; -ERANGE if the
 * firmware wrote an offset outside the text area (*offset says which).
 */
static int pvgpu_fw_log_pos(struct pvgpu_fw *fw, u32 *offset, u32 *wraps)
{
	u32 offset2, wraps2;
	unsigned int tries;

	pvgpu_fw_log_pos_once(fw, offset, wraps);
	for (tries = 0; tries < 4; tries++) {
		/* The device writes the pair: read it again, really after. */
		dma_rmb();
		pvgpu_fw_log_pos_once(fw, &offset2, &wraps2);
		if (offset2 == *offset && wraps2 == *wraps)
			return *offset < PVGPU_LOG_TEXT_SIZE ? 0 : -ERANGE;
		*offset = offset2;
		*wraps = wraps2;
	}
	return -EAGAIN;
}

static void pvgpu_fw_log_work(struct work_struct *work)
{
	struct pvgpu_fw *fw = container_of(work, struct pvgpu_fw, log_work);
	struct pvgpu_device *pvdev = container_of(fw, struct pvgpu_device, fw);
	const char *text = fw->log.vaddr + sizeof(struct pvgpu_log_desc);
	u64 total, pos, done;
	u32 offset, wraps, idx;
	char line[160];
	size_t n = 0;
	char c;

	/* Moving or nonsense: the next interrupt queues this again. */
	if (pvgpu_fw_log_pos(fw, &offset, &wraps))
		return;
	total = (u64)wraps * PVGPU_LOG_TEXT_SIZE + offset;

	pos = fw->log_dmesg_pos;
	if (pos > total)	/* the firmware restarted its log */
		pos = 0;
	if (total - pos > PVGPU_LOG_TEXT_SIZE) {
		drm_info(&pvdev->drm, "fw: [%llu bytes lost]\n",
			 total - PVGPU_LOG_TEXT_SIZE - pos);
		pos = total - PVGPU_LOG_TEXT_SIZE;
	}

	/* The text up to the position read above, not older bytes. */
	dma_rmb();
	done = pos;
	div_u64_rem(pos, PVGPU_LOG_TEXT_SIZE, &idx);
	while (pos < total) {
		c = READ_ONCE(text[idx]);
		pos++;
		if (++idx == PVGPU_LOG_TEXT_SIZE)
			idx = 0;
		if (c == '\n' || c == '\0' || n == sizeof(line) - 1) {
			line[n] = '\0';
			if (n)
				drm_info(&pvdev->drm, "fw: %s\n", line);
			n = 0;
			if (c == '\n' || c == '\0') {
				done = pos;
				continue;
			}
			/* A long line goes out in pieces; c starts the next. */
			done = pos - 1;
		}
		line[n++] = isprint(c) ? c : '?';
	}
	/* An unfinished line waits for its end. */
	fw->log_dmesg_pos = done;
}

/**
 * pvgpu_fw_print_log() - print the firmware log, oldest line first
 * @pvdev: the device
 * @m: where to
 *
 * If the log wrapped, the first line says how many bytes were lost.
 *
 * Return: 0 or -ENOMEM.
 */
int pvgpu_fw_print_log(struct pvgpu_device *pvdev, struct seq_file *m)
{
	struct pvgpu_fw *fw = &pvdev->fw;
	const char *text = fw->log.vaddr + sizeof(struct pvgpu_log_desc);
	u32 offset, wraps, offset2, wraps2;
	size_t size = PVGPU_LOG_TEXT_SIZE;
	unsigned int tries;
	const char *nl;
	size_t skip;
	char *buf;
	int ret;

	buf = kvmalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	/* The firmware may write meanwhile: take a consistent snapshot. */
	for (tries = 0; ; tries++) {
		ret = pvgpu_fw_log_pos(fw, &offset, &wraps);
		if (ret == -ERANGE) {
			seq_printf(m, "[pvgpu: log write offset %#x out of range]\n",
				   offset);
			goto out;
		}
		if (ret) {
			seq_puts(m, "[pvgpu: log write position does not hold still]\n");
			goto out;
		}
		/* The text after the position that covers it. */
		dma_rmb();
		memcpy(buf, text, size);
		/* The position again, after the text: did it move meanwhile? */
		dma_rmb();
		pvgpu_fw_log_pos_once(fw, &offset2, &wraps2);
		if ((offset == offset2 && wraps == wraps2) || tries == 2)
			break;
	}

	if (!wraps) {
		seq_write(m, buf, offset);
		goto out;
	}

	/* Oldest bytes start at the write offset; skip the torn line. */
	nl = memchr(buf + offset, '\n', size - offset);
	skip = nl ? nl + 1 - (buf + offset) : 0;
	seq_printf(m, "[pvgpu: %llu bytes lost to wrap]\n",
		   (u64)wraps * size + offset - size + skip);
	seq_write(m, buf + offset + skip, size - offset - skip);
	seq_write(m, buf, offset);
out:
	kvfree(buf);
	return 0;
}

/* --- Public -------------------------------------------------------------- */

/**
 * pvgpu_fw_ping() - one round trip to the firmware
 * @pvdev: the device
 * @cookie: echoed by the firmware
 * @fw_ts_ns: out: the firmware's clock when it answered
 * @rtt_ns: out: doorbell write to response seen by the interrupt handler
 * @wake_ns: out: from the same start to this thread running again
 *
 * Return: 0, or an error of pvgpu_channel_send(); -EIO if the firmware
 * echoed a different cookie.
 */
int pvgpu_fw_ping(struct pvgpu_device *pvdev, u64 cookie, u64 *fw_ts_ns,
		  u64 *rtt_ns, u64 *wake_ns)
{
	struct pvgpu_msg_ping req = { .cookie = cpu_to_le64(cookie) };
	struct pvgpu_msg_ping resp = {};
	struct pvgpu_channel_msg msg = {
		.opcode = PVGPU_H2F_PING,
		.req = &req,
		.req_dw = sizeof(req) / 4,
		.resp = &resp,
		.resp_dw = sizeof(resp) / 4,
	};
	int ret;

	ret = pvgpu_channel_send(&pvdev->fw.ch, &msg,
				 READ_ONCE(pvgpu_fw_timeout_ms));
	if (ret)
		return ret;

	if (msg.resp_dw < sizeof(resp) / 4 ||
	    le64_to_cpu(resp.cookie) != cookie) {
		drm_err_ratelimited(&pvdev->drm,
				    "bad ping response: %u dwords, cookie %#llx instead of %#llx\n",
				    msg.resp_dw, le64_to_cpu(resp.cookie),
				    cookie);
		return -EIO;
	}

	*fw_ts_ns = le64_to_cpu(resp.fw_timestamp_ns);
	*rtt_ns = msg.rtt_ns;
	*wake_ns = msg.wake_ns;
	return 0;
}

/**
 * pvgpu_fw_floor() - measure the platform's MMIO-write-to-interrupt floor
 * @pvdev: the device
 * @rtt_ns: out: from just before the PVGPU_REG_SELFTEST_IRQ write to the
 *	interrupt handler seeing PVGPU_IRQ_SELFTEST
 * @wake_ns: out: from the same start to this thread running again
 *
 * The device raises the interrupt inside the register write, in every
 * firmware state, with no firmware message and no DMA. One measurement
 * runs at a time; others wait for &pvgpu_fw.floor_lock. Sleeps.
 *
 * Return: 0; -ENODEV if the driver stopped the device (its interrupts are
 * masked); -ETIMEDOUT if no interrupt came within the fw_timeout_ms module
 * parameter; -ERESTARTSYS if a signal came (a measurement changes
 * nothing: safe to restart).
 */
int pvgpu_fw_floor(struct pvgpu_device *pvdev, u64 *rtt_ns, u64 *wake_ns)
{
	unsigned int timeout_ms = READ_ONCE(pvgpu_fw_timeout_ms);
	struct pvgpu_fw *fw = &pvdev->fw;
	ktime_t t_write, t_irq, t_woken;
	unsigned long deadline;
	long left;
	int ret;

	if (mutex_lock_interruptible(&fw->floor_lock))
		return -ERESTARTSYS;

	/* Set once, after the interrupts were masked for good. */
	if (READ_ONCE(fw->stopped)) {
		ret = -ENODEV;
		goto out_unlock;
	}

	reinit_completion(&fw->floor_done);
	deadline = jiffies + max(msecs_to_jiffies(timeout_ms), 1UL);
	t_write = ktime_get();
	pvgpu_write(pvdev, PVGPU_REG_SELFTEST_IRQ, 1);

	for (;;) {
		left = max_t(long, (long)(deadline - jiffies), 1);
		left = wait_for_completion_interruptible_timeout(&fw->floor_done,
								 left);
		t_woken = ktime_get();
		if (left < 0) {
			ret = left;
			goto out_unlock;
		}
		if (!left)
			break;
		/* Not the late interrupt of a measurement that gave up. */
		t_irq = READ_ONCE(fw->floor_irq_time);
		if (ktime_compare(t_irq, t_write) >= 0) {
			*rtt_ns = ktime_to_ns(ktime_sub(t_irq, t_write));
			*wake_ns = max_t(s64, ktime_to_ns(ktime_sub(t_woken,
								    t_write)),
					 *rtt_ns);
			ret = 0;
			goto out_unlock;
		}
	}

	/*
	 * No interrupt: a cause still pending signals nothing new, so clear
	 * it for the next measurement. Stopped meanwhile: say so.
	 */
	pvgpu_write(pvdev, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_SELFTEST);
	ret = READ_ONCE(fw->stopped) ? -ENODEV : -ETIMEDOUT;
	if (ret == -ETIMEDOUT)
		pvgpu_warn_ratelimited(&pvdev->drm,
				       "no self-test interrupt within %u ms\n",
				       timeout_ms);
out_unlock:
	mutex_unlock(&fw->floor_lock);
	return ret;
}

/**
 * pvgpu_fw_init() - boot the firmware
 * @pvdev: the device, registers mapped, MSI-X vectors allocated
 *
 * Allocates the shared memory, installs the interrupt handler, boots the
 * firmware, checks its capabilities and opens the message channel. On
 * failure everything is undone and the firmware is reset.
 *
 * Return: 0, -ENOMEM, -ETIMEDOUT (no boot in time), -EIO (boot refused),
 * -EPROTO (capabilities rejected) or an error of pci_request_irq().
 */
int pvgpu_fw_init(struct pvgpu_device *pvdev)
{
	struct pci_dev *pdev = pvdev->pdev;
	struct pvgpu_fw *fw = &pvdev->fw;
	int ret;

	init_waitqueue_head(&fw->state_wq);
	/* Not destroyed: late teardown paths may still look at it. */
	mutex_init(&fw->wedge_lock);
	mutex_init(&fw->floor_lock);
	init_completion(&fw->floor_done);
	INIT_WORK(&fw->log_work, pvgpu_fw_log_work);
	INIT_WORK(&fw->wedge_work, pvgpu_fw_wedge_work);
	fw->wedged = false;
	fw->removed = false;
	fw->stopped = false;

	/*
	 * A previous driver may have left it running: no interrupt, and no
	 * DMA into memory that is no longer its own, until it is reset.
	 * Bus mastering comes back on just before the boot (pvgpu_fw_boot()).
	 */
	pvgpu_write(pvdev, PVGPU_REG_IRQ_MASK, 0);
	if (pvgpu_read(pvdev, PVGPU_REG_FW_STATUS) != PVGPU_FW_STATE_OFF) {
		pci_clear_master(pdev);
		ret = pvgpu_fw_reset_hw(pvdev);
		if (ret)
			return ret;
	}
	pvgpu_write(pvdev, PVGPU_REG_IRQ_ACK, PVGPU_IRQ_ALL);

	ret = pvgpu_dma_alloc(pvdev, &fw->boot, SZ_4K);
	if (ret)
		return ret;
	ret = pvgpu_dma_alloc(pvdev, &fw->log, PVGPU_LOG_SIZE);
	if (ret)
		goto err_free_boot;
	ret = pvgpu_dma_alloc(pvdev, &fw->caps, PVGPU_CAPS_SIZE);
	if (ret)
		goto err_free_log;
	ret = pvgpu_channel_init(&fw->ch, pvdev);
	if (ret)
		goto err_free_caps;

	ret = pci_request_irq(pdev, PVGPU_MSIX_VECTOR_FW, pvgpu_fw_irq, NULL,
			      pvdev, "%s-fw", PVGPU_DRIVER_NAME);
	if (ret)
		goto err_channel_fini;
	fw->irq_requested = true;

	ret = pvgpu_fw_boot(pvdev);
	if (ret)
		goto err_quiesce;
	return 0;

err_quiesce:
	pvgpu_channel_fail(&fw->ch, -ENODEV);
	pvgpu_fw_quiesce(pvdev);
	pci_free_irq(pdev, PVGPU_MSIX_VECTOR_FW, pvdev);
	fw->irq_requested = false;
	cancel_work_sync(&fw->log_work);
err_channel_fini:
	pvgpu_channel_fini(&fw->ch);
err_free_caps:
	pvgpu_dma_free(pvdev, &fw->caps);
err_free_log:
	pvgpu_dma_free(pvdev, &fw->log);
err_free_boot:
	pvgpu_dma_free(pvdev, &fw->boot);
	return ret;
}

/**
 * pvgpu_fw_restart() - boot the firmware again after a device reset
 * @pvdev: the device, its firmware stopped by pvgpu_fw_reset_stop()
 *
 * The same boot as at probe, into the same shared memory: the rings start
 * empty (a new &pvgpu_channel.epoch), the log goes on. The firmware
 * knows no address space and no queue afterwards; the caller tells it.
 * Called by the reset work only.
 *
 * Return: 0; -ENODEV if the device was removed or wedged meanwhile; or
 * the boot's error (the firmware is stopped again then).
 */
int pvgpu_fw_restart(struct pvgpu_device *pvdev)
{
	struct pvgpu_fw *fw = &pvdev->fw;
	int ret;

	mutex_lock(&fw->wedge_lock);
	if (fw->removed || fw->wedged || WARN_ON(!fw->stopped)) {
		ret = -ENODEV;
		goto out_unlock;
	}
	/* It may have crashed again while stopped (a test can make it). */
	if (pvgpu_read(pvdev, PVGPU_REG_FW_STATUS) != PVGPU_FW_STATE_OFF) {
		ret = pvgpu_fw_reset_hw(pvdev);
		if (ret)
			goto out_unlock;
	}
	ret = pvgpu_fw_boot(pvdev);
	if (ret) {
		pvgpu_channel_fail(&fw->ch, -EIO);
		pvgpu_fw_quiesce(pvdev);
		goto out_unlock;
	}
	fw->stopped = false;
out_unlock:
	mutex_unlock(&fw->wedge_lock);
	return ret;
}

/**
 * pvgpu_fw_fini() - stop the firmware and free what pvgpu_fw_init() made
 * @pvdev: the device
 *
 * Pending requests fail with -ENODEV; the firmware is reset (and its DMA
 * blocked) before its memory is freed.
 */
void pvgpu_fw_fini(struct pvgpu_device *pvdev)
{
	struct pvgpu_fw *fw = &pvdev->fw;

	pvgpu_fw_stop(pvdev);
	if (fw->irq_requested) {
		pci_free_irq(pvdev->pdev, PVGPU_MSIX_VECTOR_FW, pvdev);
		fw->irq_requested = false;
	}
	cancel_work_sync(&fw->log_work);

	pvgpu_channel_fini(&fw->ch);
	pvgpu_dma_free(pvdev, &fw->caps);
	pvgpu_dma_free(pvdev, &fw->log);
	pvgpu_dma_free(pvdev, &fw->boot);
}

/**
 * pvgpu_fw_shutdown() - stop the firmware at system shutdown or kexec
 * @pvdev: the device
 *
 * Like pvgpu_fw_fini() but frees nothing.
 */
void pvgpu_fw_shutdown(struct pvgpu_device *pvdev)
{
	pvgpu_fw_stop(pvdev);
}

/**
 * pvgpu_fw_print_caps() - print the firmware's capabilities
 * @pvdev: the device
 * @p: where to
 */
void pvgpu_fw_print_caps(struct pvgpu_device *pvdev, struct drm_printer *p)
{
	const struct pvgpu_fw_info *info = &pvdev->fw.info;
	char pages[64];
	unsigned int i;

	pvgpu_format_page_sizes(pages, sizeof(pages), info->page_sizes);

	drm_printf(p, "caps_size: %u\n", info->caps_size);
	drm_printf(p, "fw_version: %u.%u.%u\n", (info->fw_version >> 16) & 0xff,
		   (info->fw_version >> 8) & 0xff, info->fw_version & 0xff);
	drm_printf(p, "iface_version: %u.%u\n",
		   PVGPU_IFACE_VERSION_MAJOR(info->iface_version),
		   PVGPU_IFACE_VERSION_MINOR(info->iface_version));
	drm_printf(p, "flags: %#x\n", info->flags);
	drm_printf(p, "page_faults: %s\n",
		   str_yes_no(info->flags & PVGPU_FW_CAP_PAGE_FAULTS));
	drm_printf(p, "va_bits: %u\n", info->va_bits);
	drm_printf(p, "page_sizes: %#x (%s)\n", info->page_sizes, pages);
	drm_printf(p, "num_priorities: %u\n", info->num_priorities);
	drm_printf(p, "max_queues: %u\n", info->max_queues);
	drm_printf(p, "max_address_spaces: %u\n", info->max_address_spaces);
	drm_printf(p, "num_doorbells: %u\n", info->num_doorbells);
	drm_printf(p, "timeslice_default_us: %u\n", info->timeslice_default_us);
	drm_printf(p, "timeslice_min_us: %u\n", info->timeslice_min_us);
	drm_printf(p, "timeslice_max_us: %u\n", info->timeslice_max_us);
	drm_printf(p, "watchdog_ms: %u\n", info->watchdog_ms);
	drm_printf(p, "num_engine_classes: %u\n", info->num_engine_classes);
	for (i = 0; i < info->num_engine_classes; i++)
		drm_printf(p, "engine%u: class %u (%s) slots %u\n", i,
			   info->engines[i].engine_class,
			   pvgpu_engine_class_name(info->engines[i].engine_class),
			   info->engines[i].num_slots);
}
