/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pvgpu firmware model: the device's tunable shape, defined once.
 *
 * PVGPU_FW_CONFIG_TABLE is the single definition of every PvgpuFwConfig
 * setting a platform can change: pvgpu_fw_config_default() takes the
 * defaults from it, pvgpu_fw_config_check() the ranges, and the QEMU
 * device (qemu-device/pvgpu-pci.c) its property list. Settings no platform
 * changes (the engine classes, page sizes, timeslice bounds, address
 * spaces) are set in config.c alone.
 *
 * X(field, type, prop, member, def, min, max):
 * - field: the QEMU device's PvgpuState member holding the property;
 * - type: UINT32, UINT64 or BOOL (QEMU: DEFINE_PROP_<type>);
 * - prop: the QOM property name;
 * - member: the PvgpuFwConfig member (an lvalue after "cfg->");
 * - def: the default;
 * - min, max: the range pvgpu_fw_config_check() accepts (inclusive).
 *
 * The default configuration has the copy class at index 0 and the compute
 * class at index 1, hence slots[0] and slots[1]. The timeslice range is
 * the default of caps.timeslice_min_us .. timeslice_max_us; the check
 * compares against the configured bounds. Range checks beyond a plain
 * min..max (doorbells a power of two) stay in pvgpu_fw_config_check().
 */
#ifndef PVGPU_FW_CONFIG_H
#define PVGPU_FW_CONFIG_H

#define PVGPU_FW_CONFIG_TABLE(X)					\
	X(copy_slots,	UINT32,	"copy-slots",	slots[0],	2,	\
	  1, 64)							\
	X(compute_slots, UINT32, "compute-slots", slots[1],	4,	\
	  1, 64)							\
	X(num_priorities, UINT32, "priorities",	num_priorities,	4,	\
	  2, 8)								\
	X(max_queues,	UINT32,	"max-queues",	max_queues,	1024,	\
	  1, 65536)							\
	X(num_doorbells, UINT32, "doorbells",	num_doorbells,	64,	\
	  2, 1024)							\
	X(va_bits,	UINT32,	"va-bits",	va_bits,	48,	\
	  32, 57)							\
	X(page_faults,	BOOL,	"page-faults",	page_faults,	true,	\
	  false, true)							\
	X(timeslice_us,	UINT32,	"timeslice-us",	timeslice_default_us, 1000, \
	  100, 100000)							\
	X(watchdog_ms,	UINT32,	"watchdog-ms",	watchdog_ms,	2000,	\
	  0, 3600000)							\
	X(preempt_timeout_us, UINT32, "preempt-timeout-us",		\
	  preempt_timeout_us,	10000,	1, 10000000)			\
	X(wait_poll_us,	UINT32,	"wait-poll-us",	wait_poll_us,	20,	\
	  1, 1000000)							\
	X(seed,		UINT64,	"x-seed",	seed,		0,	\
	  0, UINT64_MAX)						\
	X(guest_inject,	BOOL,	"x-guest-inject", guest_inject,	false,	\
	  false, true)

#endif /* PVGPU_FW_CONFIG_H */
