// SPDX-License-Identifier: GPL-2.0
/*
 * pvgpu guest driver: pvgpu_sync. (Being written.)
 *
 * Copyright (C) 2026 The pvgpu authors
 */

#include "pvgpu_drv.h"
