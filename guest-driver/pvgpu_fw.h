/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvgpu guest driver: firmware boot, capabilities, log and interrupts.
 *
 * Copyright (C) 2026 The pvgpu authors
 */
#ifndef PVGPU_FW_H
#define PVGPU_FW_H

#include <linux/completion.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "pvgpu_channel.h"
#include "pvgpu_fwif.h"

struct drm_printer;
struct pvgpu_device;
struct seq_file;

/* Shared memory sizes; each a power of two within the header's limits. */
#define PVGPU_LOG_SIZE		SZ_64K
#define PVGPU_CAPS_SIZE		SZ_4K

/**
 * struct pvgpu_engine_info - one engine class, CPU byte order
 */
struct pvgpu_engine_info {
	/** @engine_class: PVGPU_ENGINE_CLASS_*. */
	u32 engine_class;
	/** @num_slots: hardware slots of this class. */
	u32 num_slots;
};

/**
 * struct pvgpu_fw_info - the firmware's capabilities, checked, CPU byte order
 *
 * Copied from struct pvgpu_fw_caps once at boot; constant afterwards, so
 * anything may read it without a lock while the device is bound.
 */
struct pvgpu_fw_info {
	/** @fw_version: PVGPU_FW_VERSION() of the firmware. */
	u32 fw_version;
	/** @iface_version: PVGPU_IFACE_VERSION() the firmware speaks. */
	u32 iface_version;
	/** @flags: PVGPU_FW_CAP_*. */
	u32 flags;
	/** @va_bits: GPU virtual address width. */
	u32 va_bits;
	/** @page_sizes: bit n set: GPU pages of 2^n bytes. */
	u32 page_sizes;
	/** @num_priorities: priority levels. */
	u32 num_priorities;
	/** @max_queues: registered queues the firmware can hold. */
	u32 max_queues;
	/**
	 * @max_address_spaces: GPU address spaces (asids 0 .. this - 1);
	 * at least 1. Not in the uAPI (debugfs fw_caps shows it).
	 */
	u32 max_address_spaces;
	/** @num_doorbells: doorbell pages, the kernel's included. */
	u32 num_doorbells;
	/** @timeslice_default_us: default quantum. */
	u32 timeslice_default_us;
	/** @timeslice_min_us: smallest quantum. */
	u32 timeslice_min_us;
	/** @timeslice_max_us: largest quantum. */
	u32 timeslice_max_us;
	/** @watchdog_ms: a queue without progress this long is reset; 0 off. */
	u32 watchdog_ms;
	/** @caps_size: pvgpu_fw_caps.size as the firmware wrote it. */
	u32 caps_size;
	/** @num_engine_classes: valid entries in @engines. */
	u32 num_engine_classes;
	/** @engines: the engine classes. */
	struct pvgpu_engine_info engines[PVGPU_MAX_ENGINE_CLASSES];
};

/**
 * struct pvgpu_fw - the firmware as the driver sees it
 */
struct pvgpu_fw {
	/** @boot: the boot descriptor page. */
	struct pvgpu_dma boot;
	/** @log: the log buffer: struct pvgpu_log_desc, then text. */
	struct pvgpu_dma log;
	/** @caps: the page the firmware writes struct pvgpu_fw_caps to. */
	struct pvgpu_dma caps;

	/** @ch: the message channel. */
	struct pvgpu_channel ch;

	/** @info: capabilities, valid once the firmware runs. */
	struct pvgpu_fw_info info;

	/** @irq_requested: the MSI-X vector has our handler. */
	bool irq_requested;

	/** @state_wq: woken by every PVGPU_IRQ_FW_STATE interrupt. */
	wait_queue_head_t state_wq;

	/**
	 * @log_work: copies new firmware log text to the kernel log when
	 * the fw_log_dmesg module parameter is set; queued on every
	 * interrupt and on PVGPU_F2H_EVT_LOG.
	 */
	struct work_struct log_work;

	/** @log_dmesg_pos: log bytes already copied by @log_work (total). */
	u64 log_dmesg_pos;

	/**
	 * @wedge_lock: serialises stopping the firmware (pvgpu_fw_wedge(),
	 * pvgpu_fw_stop()). Held while the firmware is being stopped, so a
	 * caller that takes it after a failed request knows the stop is
	 * complete.
	 */
	struct mutex wedge_lock;

	/**
	 * @stopped: the firmware was reset and the device's DMA blocked, by
	 * pvgpu_fw_wedge(), pvgpu_fw_reset_stop() or pvgpu_fw_stop(); nothing
	 * the firmware could reach is reached any more. Under @wedge_lock;
	 * only pvgpu_fw_restart() clears it again.
	 */
	bool stopped;

	/**
	 * @wedged: the device stopped for good (recovery is off, a reset
	 * failed or resets came too often); it stays stopped until it is
	 * unbound and bound again. Under @wedge_lock; set once.
	 */
	bool wedged;

	/**
	 * @removed: pvgpu_fw_stop() stopped the firmware for removal or
	 * shutdown: no reset boots it again. Under @wedge_lock; set once.
	 */
	bool removed;

	/** @wedge_work: bans every queue after pvgpu_fw_wedge(). */
	struct work_struct wedge_work;

	/**
	 * @floor_lock: serialises pvgpu_fw_floor(): one platform floor
	 * measurement at a time, so @floor_done has one waiter.
	 */
	struct mutex floor_lock;

	/**
	 * @floor_done: completed by every PVGPU_IRQ_SELFTEST interrupt,
	 * whether or not pvgpu_fw_floor() waits for it; re-armed by
	 * pvgpu_fw_floor() before it writes the register.
	 */
	struct completion floor_done;

	/**
	 * @floor_irq_time: when the interrupt handler last saw
	 * PVGPU_IRQ_SELFTEST; written before @floor_done completes.
	 */
	ktime_t floor_irq_time;
};

int pvgpu_fw_init(struct pvgpu_device *pvdev);
void pvgpu_fw_fini(struct pvgpu_device *pvdev);
void pvgpu_fw_shutdown(struct pvgpu_device *pvdev);
void pvgpu_fw_stop(struct pvgpu_device *pvdev);
void pvgpu_fw_wedge(struct pvgpu_device *pvdev, const char *why);
void pvgpu_fw_wedge_epoch(struct pvgpu_device *pvdev, u32 epoch,
			  const char *why);
bool pvgpu_fw_reset_stop(struct pvgpu_device *pvdev, const char *why);
int pvgpu_fw_restart(struct pvgpu_device *pvdev);
bool pvgpu_fw_is_wedged(struct pvgpu_device *pvdev);

int pvgpu_fw_ping(struct pvgpu_device *pvdev, u64 cookie, u64 *fw_ts_ns,
		  u64 *rtt_ns, u64 *wake_ns);
int pvgpu_fw_floor(struct pvgpu_device *pvdev, u64 *rtt_ns, u64 *wake_ns);

void pvgpu_fw_check_alive(struct pvgpu_device *pvdev);
bool pvgpu_fw_event(struct pvgpu_device *pvdev,
		    const struct pvgpu_msg_hdr *hdr, const __le32 *payload);

const char *pvgpu_fw_state_name(u32 state);
const char *pvgpu_fw_error_name(u32 error);
const char *pvgpu_engine_class_name(u32 engine_class);

void pvgpu_fw_print_caps(struct pvgpu_device *pvdev, struct drm_printer *p);
int pvgpu_fw_print_log(struct pvgpu_device *pvdev, struct seq_file *m);

#endif /* PVGPU_FW_H */
