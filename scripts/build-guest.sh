#!/usr/bin/env bash
# Everything of the project that goes into the guest, for one kernel:
#   build-guest.sh KERNEL_DIR STAGE_DIR
# builds pvgpu.ko against KERNEL_DIR (from build-kernel.sh), the guest test
# programs and benchmarks, and lays them out in STAGE_DIR the way the guest
# sees them (scripts/vm.sh packs STAGE_DIR as the overlay cpio):
#   /init                          images/rootfs/init
#   /usr/lib/modules/REL/extra/    pvgpu.ko (+ the stock kernel's DRM modules
#                                  and virtio_gpu, the peer of bench --peers)
#   /opt/pvgpu/bin/                benchmarks and tools
#   /opt/pvgpu/tests/              igt_runner's test root: our tests, IGT's
#                                  driver-agnostic tests, test-list.txt
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kdir=$1
stage=$2
release=$(cat "$kdir/release")
rootfs=$("$PVGPU_ROOT/scripts/build-rootfs.sh")
igtdir=$(cat "$rootfs/igt-test-dir")

# --- the driver ----------------------------------------------------------
modbuild="$PVGPU_BUILD/guest-driver-$release"
mkdir -p "$modbuild"
rsync -a -c --delete --exclude='*.o' --exclude='*.ko' --exclude='*.mod*' \
	--exclude='.*.cmd' --exclude=Module.symvers --exclude=modules.order \
	"$PVGPU_ROOT/guest-driver/" "$modbuild/"
step "guest: building pvgpu.ko for $release"
run_logged "$PVGPU_BUILD/guest-driver-$release.log" \
	make -C "$kdir/build" M="$modbuild" PVGPU_ROOT="$PVGPU_ROOT" -j"$(nproc)" modules

# --- guest programs --------------------------------------------------------
bindir="$PVGPU_BUILD/guest-bin"
step "guest: building test programs and benchmarks"
run_logged "$PVGPU_BUILD/guest-bin.log" make -C "$PVGPU_ROOT/tests/guest" O="$bindir/tests" WERROR=1 -j"$(nproc)"
run_logged "$PVGPU_BUILD/guest-bin-userspace.log" make -C "$PVGPU_ROOT/userspace" O="$bindir/userspace" WERROR=1 -j"$(nproc)"

# --- the stage -------------------------------------------------------------
rm -rf "$stage"
moddir="$stage/usr/lib/modules/$release"
mkdir -p "$moddir/extra" "$stage/opt/pvgpu/bin" "$stage/opt/pvgpu/tests" "$stage/etc/pvgpu"
install -m 0755 "$PVGPU_ROOT/images/rootfs/init" "$stage/init"
mkdir -p "$stage/etc/profile.d"
cat >"$stage/etc/profile.d/pvgpu.sh" <<'EOP'
# pvgpu guest: the project's programs, and IGT pinned to the pvgpu device.
export PATH=/opt/pvgpu/bin:$PATH
export IGT_FORCE_DRIVER=pvgpu PVGPU_OUT=/out
EOP
install -m 0644 "$modbuild/pvgpu.ko" "$moddir/extra/"

if [ -d "$kdir/root/lib/modules/$release" ]; then
	# Stock kernel: DRM and its helpers are modules; carry pvgpu's
	# dependency closure, and virtio_gpu's: `./pvgpu bench --peers`
	# measures pvgpu against virtio-gpu-gl-pci in the same VM (the guest
	# loads it with modprobe; virtio_pci is built in). modprobe resolves the
	# closure from the kernel's own modules.dep (-d/-S: that kernel's tree,
	# -C /dev/null: none of this host's modprobe.d), printing an "insmod
	# PATH" line per module to load (each may appear more than once) and
	# "builtin NAME" for built-in ones.
	kmods="$kdir/root/lib/modules/$release"
	cp "$kmods"/modules.{order,builtin,builtin.modinfo} "$moddir/"
	mapfile -t direct < <(/sbin/modinfo -F depends "$modbuild/pvgpu.ko" | tr , '\n' | grep .)
	direct+=(virtio_gpu)
	if [ "${#direct[@]}" -gt 0 ]; then
		closure=$(/sbin/modprobe -C /dev/null -d "$kdir/root" -S "$release" \
			--show-depends -a "${direct[@]}") ||
			die "stock kernel: modprobe cannot resolve the guest's modules (${direct[*]})"
		while read -r path; do
			[[ $path == "$kmods/"* ]] ||
				die "stock kernel: modprobe named $path, outside $kmods"
			path=${path#"$kmods/"}
			mkdir -p "$moddir/$(dirname "$path")"
			cp "$kmods/$path" "$moddir/$path"
		done < <(awk '$1 == "insmod" { print $2 }' <<<"$closure" | sort -u)
	fi
elif [ -f "$kdir/build/modules.order" ]; then
	cp "$kdir/build"/modules.{order,builtin,builtin.modinfo} "$moddir/" 2>/dev/null || true
fi
/sbin/depmod -b "$stage/usr" "$release"

cp "$bindir"/userspace/* "$stage/opt/pvgpu/bin/" 2>/dev/null || true
install -m 0755 "$PVGPU_ROOT/tests/vm/guest-suite.sh" "$stage/opt/pvgpu/bin/pvgpu-guest-suite"
install -m 0644 "$PVGPU_ROOT/tests/vm/timing-sensitive.txt" "$stage/etc/pvgpu/"
for s in "$PVGPU_ROOT"/userspace/guest/*.sh; do
	install -m 0755 "$s" "$stage/opt/pvgpu/bin/$(basename "$s" .sh)"
done
tests="$stage/opt/pvgpu/tests"
: >"$tests/test-list.txt"
for t in "$bindir"/tests/*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	cp "$t" "$tests/"
	basename "$t" >>"$tests/test-list.txt"
done
while read -r t; do
	ln -s "$igtdir/$t" "$tests/$t"
	echo "$t" >>"$tests/test-list.txt"
done < <(grep -vE '^\s*(#|$)' "$PVGPU_ROOT/images/rootfs/igt-suite.txt")
step "guest: stage ready ($(wc -l <"$tests/test-list.txt") test programs)"
