#!/usr/bin/env bash
# The debug guest kernel: Debian's linux-source-6.12 with x86_64_defconfig +
# images/kernel/debug.config (lockdep, KASAN, kmemleak, debug objects,
# DMA-API debug, SW_SYNC). Cached in ~/.cache/pvgpu/kernel-debug-<key>, the
# key covering the source version, images/kernel/ and this script.
# Prints the cache directory on stdout; it holds `bzImage`, `release`
# (uname -r) and `build` (the tree modules are built against).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

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

debug_kernel
