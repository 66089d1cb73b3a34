#!/usr/bin/env bash
# Install everything the pvgpu pipeline needs on a Debian 12 host, from
# Debian's archive only. Idempotent: a second run installs nothing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

HOST_PACKAGES=(
	# toolchain and kernel build
	build-essential gcc make bc bison flex libelf-dev libssl-dev cpio kmod
	xz-utils rsync perl python3 python3-venv pkg-config
	# drm.h for the guest programs (include/uapi/drm/pvgpu_drm.h includes it)
	libdrm-dev
	# QEMU build (meson and pycotap come from bookworm-backports below)
	ninja-build libglib2.0-dev libpixman-1-dev zlib1g-dev libfdt-dev
	device-tree-compiler
	# virtio-gpu-gl-pci and pvgpu-virgl-worker (scripts/build-qemu.sh
	# configures QEMU with virglrenderer, OpenGL through epoxy, GBM and SDL)
	libvirglrenderer-dev libepoxy-dev libgbm-dev libsdl2-dev
	# ... and at run time (`./pvgpu bench --peers`): an X server for QEMU's
	# SDL GL display on a headless host, and Mesa's llvmpipe behind GLX
	# (Xvfb, QEMU) and EGL (virglrenderer in the worker)
	xvfb libgl1-mesa-dri libglx-mesa0 libegl-mesa0
	# guest image
	mmdebstrap debian-archive-keyring
	# kernels: source for the debug kernel, headers for the stock one
	"linux-source-6.12=$KERNEL_PKG_VERSION"
	"linux-headers-$KERNEL_ABI-amd64=$KERNEL_PKG_VERSION"
	# style check of the driver (scripts/check-guest-build.sh): the
	# kernel's semantic checker (C=2), clang's uninitialised-variable analysis
	sparse clang
	# the documentation build (scripts/build-docs.sh): Sphinx runs the
	# kernel's kernel-doc extension over the uAPI header
	python3-sphinx
)
BACKPORTS_PACKAGES=(meson python3-pycotap qemu-system-data)

sources=/etc/apt/sources.list.d/pvgpu-backports.sources
stamp="$PVGPU_CACHE/setup-host.$(cache_key "$0" "$PVGPU_ROOT/images/versions.env")"
if [ -f "$stamp" ]; then
	step "host dependencies already installed"
	exit 0
fi

if [ ! -f "$sources" ]; then
	step "adding bookworm-backports (binary and source) to apt"
	mirror=$(debian_mirror)
	as_root tee "$sources" >/dev/null <<EOS
# Added by pvgpu's scripts/setup-host.sh: meson >= 1.5, python3-pycotap and
# the QEMU 10 source tarball come from bookworm-backports.
Types: deb deb-src
URIs: $mirror
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOS
fi

step "apt-get update"
as_root apt-get update -qq
step "installing host packages (${#HOST_PACKAGES[@]} + ${#BACKPORTS_PACKAGES[@]})"
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	--no-install-recommends "${HOST_PACKAGES[@]}" >/dev/null
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	--no-install-recommends -t bookworm-backports "${BACKPORTS_PACKAGES[@]}" >/dev/null

meson_version=$(meson --version)
dpkg --compare-versions "$meson_version" ge 1.5 ||
	die "meson $meson_version is too old (need >= 1.5 from bookworm-backports)"
touch "$stamp"
step "host dependencies installed"
