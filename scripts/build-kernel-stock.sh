#!/usr/bin/env bash
# The stock guest kernel: Debian's linux-image-6.12 (unsigned) unpacked, not
# installed, into ~/.cache/pvgpu/kernel-stock-<key>; modules build against
# the matching linux-headers package that scripts/setup-host.sh installs.
# Prints the cache directory on stdout; it holds `bzImage`, `release`
# (uname -r), `build` (the headers) and `root/` (the package's files).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

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

stock_kernel
