/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the device's shape (PvgpuFwConfig) and the
 * capability block it turns into.
 */
#include <string.h>

#include "fw_internal.h"

void pvgpu_fw_config_default(PvgpuFwConfig *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->num_engine_classes = 2;
	cfg->engine_class[0] = PVGPU_ENGINE_CLASS_COPY;
	cfg->slots[0] = 2;
	cfg->engine_class[1] = PVGPU_ENGINE_CLASS_COMPUTE;
	cfg->slots[1] = 4;
	cfg->num_priorities = 4;
	cfg->max_queues = 1024;
	cfg->num_doorbells = 64;
	cfg->va_bits = 48;
	cfg->page_sizes = (1u << 12) | (1u << 21) | (1u << 30);
	cfg->page_faults = true;
	cfg->timeslice_default_us = 1000;
	cfg->timeslice_min_us = 100;
	cfg->timeslice_max_us = 100000;
	cfg->max_address_spaces = 64;
	cfg->watchdog_ms = 2000;
	cfg->preempt_timeout_us = 10000;
	cfg->wait_poll_us = 20;
	cfg->seed = 0;
}

const char *pvgpu_fw_config_check(const PvgpuFwConfig *cfg)
{
	uint32_t seen_classes = 0;

	if (cfg->num_engine_classes < 1 ||
	    cfg->num_engine_classes > PVGPU_MAX_ENGINE_CLASSES)
		return "num_engine_classes";
	for (uint32_t i = 0; i < cfg->num_engine_classes; i++) {
		uint32_t cls = cfg->engine_class[i];

		/* Only classes the engines can execute. */
		if (cls > PVGPU_ENGINE_CLASS_COMPUTE)
			return "engine_class";
		if (seen_classes & (1u << cls))
			return "engine_class (duplicate)";
		seen_classes |= 1u << cls;
		if (cfg->slots[i] < 1 || cfg->slots[i] > 64)
			return "slots";
	}
	if (cfg->num_priorities < 2 || cfg->num_priorities > 8)
		return "num_priorities";
	if (cfg->max_queues < 1 || cfg->max_queues > 65536)
		return "max_queues";
	/* Group 0 is the kernel's, so at least one more for userspace. */
	if (cfg->num_doorbells < 2 || cfg->num_doorbells > 1024 ||
	    (cfg->num_doorbells & (cfg->num_doorbells - 1)))
		return "num_doorbells";
	if (cfg->va_bits < 32 || cfg->va_bits > 57)
		return "va_bits";
	/*
	 * 4 KiB pages always, nothing smaller. A 32-bit mask cannot name a
	 * page as large as a >= 32-bit address space, so no upper check.
	 */
	if (!(cfg->page_sizes & (1u << 12)) ||
	    (cfg->page_sizes & ((1u << 12) - 1)))
		return "page_sizes";
	if (cfg->timeslice_min_us < 1 ||
	    cfg->timeslice_min_us > cfg->timeslice_default_us ||
	    cfg->timeslice_default_us > cfg->timeslice_max_us)
		return "timeslice";
	if (cfg->max_address_spaces < 1 ||
	    cfg->max_address_spaces > PVGPU_FW_MAX_AS)
		return "max_address_spaces";
	if (cfg->watchdog_ms > 3600000)
		return "watchdog_ms";
	if (cfg->preempt_timeout_us < 1 || cfg->preempt_timeout_us > 10000000)
		return "preempt_timeout_us";
	if (cfg->wait_poll_us < 1 || cfg->wait_poll_us > 1000000)
		return "wait_poll_us";
	return NULL;
}

void fw_caps_fill(const PvgpuFwConfig *cfg, struct pvgpu_fw_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	caps->size = GUINT32_TO_LE(sizeof(*caps));
	caps->fw_version = GUINT32_TO_LE(PVGPU_FW_MODEL_VERSION);
	caps->iface_version = GUINT32_TO_LE(
		PVGPU_IFACE_VERSION(PVGPU_IFACE_MAJOR, PVGPU_IFACE_MINOR));
	caps->flags = GUINT32_TO_LE(cfg->page_faults ?
				    PVGPU_FW_CAP_PAGE_FAULTS : 0);
	caps->va_bits = GUINT32_TO_LE(cfg->va_bits);
	caps->page_sizes = GUINT32_TO_LE(cfg->page_sizes);
	caps->num_priorities = GUINT32_TO_LE(cfg->num_priorities);
	caps->max_queues = GUINT32_TO_LE(cfg->max_queues);
	caps->num_doorbells = GUINT32_TO_LE(cfg->num_doorbells);
	caps->timeslice_default_us = GUINT32_TO_LE(cfg->timeslice_default_us);
	caps->timeslice_min_us = GUINT32_TO_LE(cfg->timeslice_min_us);
	caps->timeslice_max_us = GUINT32_TO_LE(cfg->timeslice_max_us);
	caps->num_engine_classes = GUINT32_TO_LE(cfg->num_engine_classes);
	caps->max_address_spaces = GUINT32_TO_LE(cfg->max_address_spaces);
	caps->watchdog_ms = GUINT32_TO_LE(cfg->watchdog_ms);
	caps->preempt_timeout_us = GUINT32_TO_LE(cfg->preempt_timeout_us);
	for (uint32_t i = 0; i < cfg->num_engine_classes; i++) {
		caps->engines[i].engine_class =
			GUINT32_TO_LE(cfg->engine_class[i]);
		caps->engines[i].num_slots = GUINT32_TO_LE(cfg->slots[i]);
	}
}
