# SPDX-License-Identifier: MIT
#
# Shared by userspace/Makefile and tests/guest/Makefile: how guest programs
# are built on the host. They are static binaries that need only libc, so a
# binary built on the Debian 12 host runs in the Debian sid guest.
#
#   O=DIR       output directory (binaries at its top, objects in DIR/.obj)
#   DRM_INC=DIR a directory holding drm.h (default: found below)
#   WERROR=1    turn warnings into errors

PVGPU_TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)

# drm.h, which include/uapi/drm/pvgpu_drm.h includes: libdrm-dev's copy,
# a linux-libc-dev that ships include/drm (Debian's does not), or the
# kernel's own uAPI from linux-headers-*-common (scripts/setup-host.sh
# installs it). -D__user= lets the unprocessed kernel header compile.
DRM_H := $(firstword $(wildcard \
	$(if $(DRM_INC),$(DRM_INC)/drm.h) \
	/usr/include/libdrm/drm.h \
	/usr/include/drm/drm.h \
	/usr/src/linux-headers-*-common/include/uapi/drm/drm.h \
	/usr/src/linux-headers-*/include/uapi/drm/drm.h))

CC ?= cc
CFLAGS ?= -O2 -g
PVGPU_CFLAGS := -std=gnu11 -Wall -Wextra -Wshadow -Wformat=2 -Wundef \
	-Wmissing-prototypes -Wstrict-prototypes \
	$(if $(filter 1,$(WERROR)),-Werror) \
	-D__user= \
	-I$(PVGPU_TOP)/include/uapi/drm $(if $(DRM_H),-I$(dir $(DRM_H))) \
	-I$(PVGPU_TOP)/userspace/lib -I$(PVGPU_TOP)/include/pvgpu
PVGPU_LDFLAGS := -static -pthread
PVGPU_LDLIBS := -lm

LIBPVGPU_SRCS := $(PVGPU_TOP)/userspace/lib/libpvgpu.c \
	$(PVGPU_TOP)/userspace/lib/pvgpu_gpu.c \
	$(PVGPU_TOP)/userspace/lib/pvgpu_user_queue.c
LIBPVGPU_HDRS := $(PVGPU_TOP)/userspace/lib/libpvgpu.h \
	$(PVGPU_TOP)/userspace/lib/pvgpu_gpu.h \
	$(PVGPU_TOP)/userspace/lib/pvgpu_user_queue.h \
	$(PVGPU_TOP)/userspace/lib/pvgpu_stats.h \
	$(PVGPU_TOP)/userspace/lib/pvgpu_bench_args.h \
	$(PVGPU_TOP)/userspace/lib/pvgpu_bench_json.h \
	$(PVGPU_TOP)/include/pvgpu/pvgpu_cmds.h \
	$(PVGPU_TOP)/include/pvgpu/pvgpu_cmd_emit.h \
	$(PVGPU_TOP)/include/pvgpu/pvgpu_fwif.h \
	$(PVGPU_TOP)/include/uapi/drm/pvgpu_drm.h

define pvgpu_check_drm_h
	@if [ -z "$(DRM_H)" ]; then \
		echo "drm.h not found: install libdrm-dev or linux-headers-*-common," \
		     "or pass DRM_INC=DIR" >&2; exit 1; fi
endef
