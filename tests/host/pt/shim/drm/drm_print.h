/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Userspace stand-in for the kernel header: see ../shim.h. */
#include "shim.h"
