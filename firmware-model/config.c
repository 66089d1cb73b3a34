/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the device's shape (PvgpuFwConfig) and the
 * capability block it turns into.
 */
#include <string.h>

#include "fw_internal.h"

/*
 * The range of each PVGPU_FW_CONFIG_TABLE row, by field. Not every row's
 * range is checked here (page_faults, seed and guest_inject take any
 * value), hence G_GNUC_UNUSED: clang warns about unused static inline
 * functions in a .c.
 */
#define FW_CFG_RANGE(field, type, prop, member, def, min, max)		\
	G_GNUC_UNUSED static inline uint64_t cfg_min_##field(void)	\
	{ return (min); }						\
	G_GNUC_UNUSED static inline uint64_t cfg_max_##field(void)	\
	{ return (max); }
PVGPU_FW_CONFIG_TABLE(FW_CFG_RANGE)
#undef FW_CFG_RANGE

#define CFG_IN_RANGE(field, v)						\
	((uint64_t)(v) >= cfg_min_##field() &&				\
	 (uint64_t)(v) <= cfg_max_##field())

void pvgpu_fw_config_default(PvgpuFwConfig *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	/* PVGPU_FW_CONFIG_TABLE's slots[] rows rely on this order. */
	cfg->num_engine_classes = 2;
	cfg->engine_class[0] = PVGPU_ENGINE_CLASS_COPY;
	cfg->engine_class[1] = PVGPU_ENGINE_CLASS_COMPUTE;
	cfg->page_sizes = (1u << 12) | (1u << 21) | (1u << 30);
	cfg->timeslice_min_us = (uint32_t)cfg_min_timeslice_us();
	cfg->timeslice_max_us = (uint32_t)cfg_max_timeslice_us();
	cfg->max_address_spaces = 64;
#define FW_CFG_DEFAULT(field, type, prop, member, def, min, max)	\
	cfg->member = (def);
	PVGPU_FW_CONFIG_TABLE(FW_CFG_DEFAULT)
#undef FW_CFG_DEFAULT
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
		if (cls == PVGPU_ENGINE_CLASS_COPY ?
		    !CFG_IN_RANGE(copy_slots, cfg->slots[i]) :
		    !CFG_IN_RANGE(compute_slots, cfg->slots[i]))
			return "slots";
	}
	if (!CFG_IN_RANGE(num_priorities, cfg->num_priorities))
		return "num_priorities";
	if (!CFG_IN_RANGE(max_queues, cfg->max_queues))
		return "max_queues";
	/* Group 0 is the kernel's, so at least one more for userspace. */
	if (!CFG_IN_RANGE(num_doorbells, cfg->num_doorbells) ||
	    (cfg->num_doorbells & (cfg->num_doorbells - 1)))
		return "num_doorbells";
	if (!CFG_IN_RANGE(va_bits, cfg->va_bits))
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
	if (!CFG_IN_RANGE(watchdog_ms, cfg->watchdog_ms))
		return "watchdog_ms";
	if (!CFG_IN_RANGE(preempt_timeout_us, cfg->preempt_timeout_us))
		return "preempt_timeout_us";
	if (!CFG_IN_RANGE(wait_poll_us, cfg->wait_poll_us))
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
