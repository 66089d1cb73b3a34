/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvgpu guest driver: system sleep (suspend, hibernation).
 *
 * Copyright (C) 2026 The pvgpu authors
 */
#ifndef PVGPU_PM_H
#define PVGPU_PM_H

#include <linux/atomic.h>
#include <linux/pm.h>
#include <linux/types.h>

/**
 * struct pvgpu_pm - system sleep state (pvgpu_pm.c)
 */
struct pvgpu_pm {
	/** @suspends: suspend callbacks run (debugfs reset_state). */
	atomic64_t suspends;
	/** @resumes: resume callbacks run. */
	atomic64_t resumes;
	/** @suspend_ns: how long the latest suspend callback took. */
	u64 suspend_ns;
	/** @resume_ns: how long the latest resume callback took. */
	u64 resume_ns;
	/**
	 * @inject_power_loss: test hook (debugfs inject_pm_power_loss): the
	 * next resume finds the device's state lost.
	 */
	atomic_t inject_power_loss;
};

extern const struct dev_pm_ops pvgpu_pm_ops;

#endif /* PVGPU_PM_H */
