#!/usr/bin/env bash
# Guest kernels.
#   build-kernel.sh debug   build (or reuse) the debug kernel from Debian's
#                           linux-source-6.12 with images/kernel/debug.config
#   build-kernel.sh stock   unpack (or reuse) Debian's stock 6.12 kernel
# Prints the cache directory of the result on stdout; it holds `bzImage`,
# `release` (uname -r), and `build` (the tree modules are built against).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=${1:-debug}

debug_kernel() {
	local srcver key dir
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) ||
		die "linux-source-6.12 is not installed (run: ./pvgpu setup)"
	key=$(cache_key "$srcver" "$PVGPU_ROOT/images/kernel" "$0")
	dir="$PVGPU_CACHE/kernel-debug-$key"
	if [ -f "$dir/.complete" ]; then
		echo "$dir"
		return
	fi
	mkdir -p "$dir"
	if [ ! -f "$dir/src/Makefile" ]; then
		step "debug kernel: unpacking linux-source-6.12 $srcver"
		rm -rf "$dir/src" "$dir/src.tmp"
		mkdir -p "$dir/src.tmp"
		tar -xaf /usr/src/linux-source-6.12.tar.xz -C "$dir/src.tmp" --strip-components=1
		cat "$PVGPU_ROOT/images/kernel/pvgpu-deps.Kconfig" >>"$dir/src.tmp/drivers/gpu/drm/Kconfig"
		mv "$dir/src.tmp" "$dir/src"
	fi
	step "debug kernel: configuring"
	(
		cd "$dir/src"
		make -s x86_64_defconfig >/dev/null
		scripts/kconfig/merge_config.sh -m .config \
			"$PVGPU_ROOT/images/kernel/debug.config" >/dev/null
		scripts/config --set-str LOCALVERSION "-pvgpu-debug" \
			--disable LOCALVERSION_AUTO
		make -s olddefconfig >/dev/null
		# A fragment line the kernel silently dropped would give a debug
		# kernel that checks less than the tests assume: refuse it.
		local want missing=0
		while read -r want; do
			grep -qx "$want" .config || {
				echo "debug kernel: $want did not stick" >&2
				missing=1
			}
		done < <(grep -E '^CONFIG_[A-Z0-9_]+=y$' "$PVGPU_ROOT/images/kernel/debug.config")
		[ "$missing" = 0 ] || exit 1
	)
	step "debug kernel: building with $(nproc) jobs (long on a cold cache; log: $dir/build.log)"
	run_logged "$dir/build.log" make -C "$dir/src" -j"$(nproc)" bzImage modules
	cp "$dir/src/arch/x86/boot/bzImage" "$dir/bzImage"
	make -s -C "$dir/src" kernelrelease >"$dir/release"
	ln -sfn src "$dir/build"
	touch "$dir/.complete"
	step "debug kernel: done ($(cat "$dir/release"))"
	echo "$dir"
}

stock_kernel() {
	local pkg="linux-image-$KERNEL_ABI-amd64-unsigned"
	local key dir
	key=$(cache_key "$pkg=$KERNEL_PKG_VERSION" "$0")
	dir="$PVGPU_CACHE/kernel-stock-$key"
	if [ -f "$dir/.complete" ]; then
		echo "$dir"
		return
	fi
	step "stock kernel: fetching $pkg $KERNEL_PKG_VERSION"
	rm -rf "$dir"
	mkdir -p "$dir/deb" "$dir/root"
	(cd "$dir/deb" && apt-get download -qq -o APT::Sandbox::User=root \
		"$pkg=$KERNEL_PKG_VERSION")
	dpkg-deb -x "$dir"/deb/*.deb "$dir/root"
	# The package leaves modules.dep to its postinst: index the modules here.
	/sbin/depmod -b "$dir/root" "$KERNEL_ABI-amd64"
	cp "$dir/root/boot/vmlinuz-$KERNEL_ABI-amd64" "$dir/bzImage"
	echo "$KERNEL_ABI-amd64" >"$dir/release"
	[ -d "/usr/src/linux-headers-$KERNEL_ABI-amd64" ] ||
		die "linux-headers-$KERNEL_ABI-amd64 missing (run: ./pvgpu setup)"
	ln -sfn "/usr/src/linux-headers-$KERNEL_ABI-amd64" "$dir/build"
	rm -rf "$dir/deb"
	touch "$dir/.complete"
	echo "$dir"
}

case "$flavour" in
debug) debug_kernel ;;
stock) stock_kernel ;;
*) die "unknown kernel flavour '$flavour' (debug|stock)" ;;
esac
