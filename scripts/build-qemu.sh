#!/usr/bin/env bash
# Build Debian's QEMU (images/versions.env: QEMU_VERSION from
# QEMU_SOURCE_SUITE) with the pvgpu device (qemu-device/ + firmware-model/)
# in its tree, the pvgpu qtest, and pvgpu-virgl-worker (virgl-worker/), the
# process that runs the device's backend=virgl through virglrenderer.
#
# QEMU's own build files are changed by the patch series in
# images/qemu/patches/ (Kconfig, meson.build, the qtest list), applied
# once to the unpacked tarball. The device's sources (qemu-device/,
# firmware-model/, virgl-worker/, include/pvgpu/, tests/qtest/pvgpu-test.c)
# are developed here, not in the series: they are copied into
# hw/misc/pvgpu/ and tests/qtest/ on every run (only changed files get a
# new mtime), so a device change rebuilds in seconds without reconfiguring.
#
# The source tree and the build tree live in $PVGPU_CACHE/qemu-<key>/, keyed
# on the tarball, images/qemu/ (the patch series included), the configure
# flags and this script.
#
# Prints the path of qemu-system-x86_64 on stdout; progress goes to stderr.
# The pvgpu qtest binary is build/tests/qtest/pvgpu-test beside it
# (scripts/run-qtest.sh runs it), the worker
# build/hw/misc/pvgpu/pvgpu-virgl-worker (the device has its path built in,
# from hw/misc/pvgpu/pvgpu-config.h). Run from the build tree, QEMU finds its
# firmware (qboot.rom, linuxboot_dma.bin) in Debian's qemu-system-data.
# Environment: PVGPU_JOBS (default: nproc).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

JOBS=${PVGPU_JOBS:-$(nproc)}
DOWNLOADS=$PVGPU_CACHE/downloads
TARBALL=$DOWNLOADS/$QEMU_ORIG_TARBALL
PATCHES=$PVGPU_ROOT/images/qemu/patches

# Where Debian's packages put QEMU's firmware (qemu-system-data, seabios,
# ipxe-qemu); only the first is installed by scripts/setup-host.sh.
FIRMWARE_DIRS=(/usr/share/qemu /usr/share/seabios /usr/lib/ipxe/qemu)
CONFIGURE_FLAGS=(
	--target-list=x86_64-softmmu
	--without-default-devices
	--with-devices-x86_64=pvgpu
	--python=/usr/bin/python3
	--disable-download
	--disable-docs
	--disable-install-blobs
	# firmware (qboot.rom, linuxboot_dma.bin, ...) from Debian's
	# qemu-system-data; the +ds tarball has none
	"--firmwarepath=$(IFS=:; echo "${FIRMWARE_DIRS[*]}")"
	--disable-tools
	--disable-guest-agent
	--disable-plugins
	--enable-trace-backends=log
	--enable-fdt=system
	# virtio-gpu-gl-pci (the peer of `./pvgpu bench --peers`) needs
	# virglrenderer and OpenGL (epoxy; GBM is picked up with it, for
	# egl-headless); it shows its GL through SDL on an X server (Xvfb on
	# headless hosts). pvgpu-virgl-worker links the same virglrenderer.
	--enable-virglrenderer --enable-opengl --enable-sdl
	--disable-sdl-image --disable-rutabaga-gfx
	# no other UI, no host backends the VM does not use
	--disable-gtk --disable-vnc --disable-spice --disable-curses
	--disable-dbus-display
	--disable-slirp --disable-curl --disable-libusb --disable-usb-redir
	--disable-smartcard --disable-alsa --disable-pa --disable-pipewire
	--disable-jack --disable-oss --disable-sndio --disable-brlapi
	--disable-gnutls --disable-nettle --disable-gcrypt --disable-libssh
	--disable-libiscsi --disable-libnfs --disable-rbd --disable-glusterfs
	--disable-xen --disable-seccomp --disable-linux-io-uring
	--disable-vhost-user --disable-vhost-net --disable-vhost-kernel
	--disable-vhost-vdpa --disable-vhost-crypto --disable-virtfs
	--disable-capstone --disable-png --disable-zstd --disable-lzo
	--disable-snappy --disable-bzip2 --disable-libudev --disable-tpm
)

# --- The source tarball, checked against the archive's Sources index ------

# expected_sha256: the SHA256 of $QEMU_ORIG_TARBALL in apt's Sources
# index for a qemu $QEMU_VERSION+ds-* source package.
expected_sha256() {
	apt-cache showsrc --only-source qemu 2>/dev/null |
		awk -v ver="$QEMU_VERSION+ds-" -v file="$QEMU_ORIG_TARBALL" '
			/^$/ { inrec = 0; want = 0; insum = 0; next }
			/^Package: / { inrec = 1 }
			/^Version: / {
				v = $2; sub(/^[0-9]+:/, "", v)
				want = (index(v, ver) == 1)
			}
			/^[A-Za-z0-9-]+:/ { insum = ($1 == "Checksums-Sha256:"); next }
			insum && want && $3 == file { print $1 }
		' | sort -u
}

fetch_tarball() {
	local want got tmp
	want=$(expected_sha256)
	[ -n "$want" ] ||
		die "no $QEMU_ORIG_TARBALL in apt's Sources index (is deb-src for $QEMU_SOURCE_SUITE configured? run scripts/setup-host.sh)"
	[ "$(printf '%s\n' "$want" | wc -l)" = 1 ] ||
		die "apt's Sources index lists conflicting checksums for $QEMU_ORIG_TARBALL"
	mkdir -p "$DOWNLOADS"
	if [ ! -f "$TARBALL" ]; then
		step "downloading $QEMU_ORIG_TARBALL (apt-get source qemu/$QEMU_SOURCE_SUITE)"
		tmp=$(mktemp -d "$DOWNLOADS/apt-source.XXXXXX")
		# The archive answers 404 for the package's .dsc and debian.tar.xz,
		# so apt-get exits non-zero after fetching the orig tarball: only the
		# tarball (checked below) counts.
		(cd "$tmp" && apt-get source --download-only -qq \
			"qemu/$QEMU_SOURCE_SUITE" >apt-source.log 2>&1) || true
		if [ ! -f "$tmp/$QEMU_ORIG_TARBALL" ]; then
			tail -n 20 "$tmp/apt-source.log" >&2 || true
			rm -rf "$tmp"
			die "apt-get source did not fetch $QEMU_ORIG_TARBALL"
		fi
		mv "$tmp/$QEMU_ORIG_TARBALL" "$TARBALL"
		rm -rf "$tmp"
	fi
	got=$(sha256sum <"$TARBALL" | cut -d' ' -f1)
	if [ "$got" != "$want" ]; then
		rm -f "$TARBALL"
		die "$QEMU_ORIG_TARBALL: SHA256 $got does not match the Sources index ($want); removed it"
	fi
	TARBALL_SHA256=$want
}

# --- Integration of pvgpu into QEMU's tree --------------------------------

# apply_patches SRC: apply images/qemu/patches/, the series (git
# format-patch) that changes QEMU's own build files to hook pvgpu in, to
# the freshly unpacked tree, in order. Any patch that does not apply
# exactly (no fuzz) stops the build.
apply_patches() {
	local src=$1 p name log=$dir/patch.log
	compgen -G "$PATCHES/[0-9][0-9][0-9][0-9]-*.patch" >/dev/null ||
		die "no patches in $PATCHES"
	for p in "$PATCHES"/[0-9][0-9][0-9][0-9]-*.patch; do
		name=${p#"$PVGPU_ROOT/"}
		step "applying $name"
		if ! patch -d "$src" -p1 --forward --batch --fuzz=0 \
			--no-backup-if-mismatch <"$p" >"$log" 2>&1; then
			cat "$log" >&2
			die "$name does not apply to QEMU $QEMU_VERSION ($QEMU_ORIG_TARBALL): refresh the series against that tarball (see docs/pipeline.rst)"
		fi
	done
	rm -f "$log"
}

# write_if_changed FILE: stdin to FILE, keeping FILE's mtime if equal.
write_if_changed() {
	local tmp
	tmp=$(mktemp "$1.XXXXXX")
	cat >"$tmp"
	if cmp -s "$tmp" "$1"; then
		rm -f "$tmp"
	else
		mv "$tmp" "$1"
	fi
}

# sync_device SRC: copy the project's device, firmware model, virglrenderer
# worker, interface headers and qtest into QEMU's tree. rsync -c leaves
# unchanged files (and their mtimes) alone, so ninja rebuilds only what
# changed.
sync_device() {
	local src=$1 dst=$1/hw/misc/pvgpu fwsrcs vwsrcs vwdir
	compgen -G "$PVGPU_ROOT/firmware-model/*.c" >/dev/null ||
		die "firmware-model/ has no .c files yet: nothing to link the device with"
	mkdir -p "$dst/firmware-model" "$dst/virgl-worker" "$dst/include"
	rsync -rc --delete --filter='P /firmware-model/' \
		--filter='P /virgl-worker/' --filter='P /include/' \
		"$PVGPU_ROOT/qemu-device/" "$dst/"
	rsync -rc --delete --filter='P /meson.build' \
		--include='*.c' --include='*.h' --exclude='*' \
		"$PVGPU_ROOT/firmware-model/" "$dst/firmware-model/"
	# The worker (a program of its own, not linked into QEMU) may not
	# exist yet: its list is then empty and the device builds without it.
	vwdir=$PVGPU_ROOT/virgl-worker
	if [ ! -d "$vwdir" ]; then
		vwdir=$PVGPU_BUILD/empty
		mkdir -p "$vwdir"
	fi
	rsync -rc --delete --filter='P /meson.build' \
		--include='*.c' --include='*.h' --exclude='*' \
		"$vwdir/" "$dst/virgl-worker/"
	rsync -rc --delete --include='*.h' --exclude='*' \
		"$PVGPU_ROOT/include/pvgpu/" "$dst/include/"
	rsync -c "$PVGPU_ROOT/tests/qtest/pvgpu-test.c" "$src/tests/qtest/pvgpu-test.c"
	fwsrcs=$(cd "$dst/firmware-model" && export LC_ALL=C &&
		printf "  '%s',\n" *.c)
	write_if_changed "$dst/firmware-model/meson.build" <<EOF
# Generated by pvgpu's scripts/build-qemu.sh: the firmware model's sources.
pvgpu_fw_files = files(
$fwsrcs
)
EOF
	vwsrcs=$(find "$dst/virgl-worker" -maxdepth 1 -name '*.c' \
		-printf "  '%f',\n" | LC_ALL=C sort)
	write_if_changed "$dst/virgl-worker/meson.build" <<EOF
# Generated by pvgpu's scripts/build-qemu.sh: pvgpu-virgl-worker's sources
# (none while virgl-worker/ has no .c files).
pvgpu_virgl_worker_files = files(
$vwsrcs
)
EOF
}

# --- Main -------------------------------------------------------------------

cache_lock qemu
fetch_tarball
key=$(cache_key "$TARBALL_SHA256" "$PVGPU_ROOT/images/qemu" \
	"${CONFIGURE_FLAGS[*]}" "$0")
dir=$PVGPU_CACHE/qemu-$key
src=$dir/src
build=$dir/build

if [ ! -f "$dir/.unpacked" ]; then
	step "unpacking $QEMU_ORIG_TARBALL into $dir"
	rm -rf "$dir"
	mkdir -p "$src"
	tar -xf "$TARBALL" -C "$src" --strip-components=1
	apply_patches "$src"
	touch "$dir/.unpacked"
fi
install -m 644 -C "$PVGPU_ROOT/images/qemu/x86_64-pvgpu.mak" \
	"$src/configs/devices/x86_64-softmmu/pvgpu.mak"
sync_device "$src"

if [ ! -f "$dir/.configured" ]; then
	step "configuring QEMU $QEMU_VERSION (log: $dir/configure.log)"
	rm -rf "$build"
	mkdir -p "$build"
	(cd "$build" && run_logged "$dir/configure.log" \
		../src/configure "${CONFIGURE_FLAGS[@]}")
	touch "$dir/.configured"
fi

# Run from the build tree, QEMU looks for everything below
# build/qemu-bundle/: point the configured firmware path there at the real
# directories, so qemu-system-x86_64 -bios qboot.rom works as installed.
for fwdir in "${FIRMWARE_DIRS[@]}"; do
	if [ -d "$fwdir" ] && [ ! -e "$build/qemu-bundle$fwdir" ]; then
		mkdir -p "$(dirname "$build/qemu-bundle$fwdir")"
		ln -sfn "$fwdir" "$build/qemu-bundle$fwdir"
	fi
done

# pvgpu-virgl-worker is a target only once virgl-worker/ has sources (and
# virglrenderer was found): regenerate build.ninja first (the synced
# meson.build files may have changed), then ask whether it is one.
targets=(qemu-system-x86_64 tests/qtest/pvgpu-test)
worker=hw/misc/pvgpu/pvgpu-virgl-worker
run_logged "$dir/regenerate.log" ninja -C "$build" build.ninja
if ninja -C "$build" -t query "$worker" >/dev/null 2>&1; then
	targets+=("$worker")
else
	step "no pvgpu-virgl-worker in this build (no virgl-worker/*.c): the device has no backend=virgl"
fi
step "building ${targets[*]} (-j$JOBS, log: $dir/build.log)"
run_logged "$dir/build.log" ninja -C "$build" -j "$JOBS" "${targets[@]}"
if grep -q "warning:" "$dir/build.log"; then
	step "compiler warnings (see $dir/build.log):"
	grep -A3 "warning:" "$dir/build.log" | head -n 40 >&2
fi
# Every change of the configure inputs (or of this script) makes a new
# ~600 MB tree: keep this one and the most recently used other one.
touch "$dir/.used"
# shellcheck disable=SC2012 # names are qemu-<hex key>
for old in $(ls -1dt "$PVGPU_CACHE"/qemu-*/.used 2>/dev/null | tail -n +3); do
	old=$(dirname "$old")
	[ "$old" = "$dir" ] && continue
	step "removing the stale QEMU tree $old"
	rm -rf "$old"
done
step "QEMU ready"
echo "$build/qemu-system-x86_64"
