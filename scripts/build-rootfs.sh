#!/usr/bin/env bash
# The guest's base image: a Debian sid minbase with IGT, packed as an
# uncompressed newc cpio (the kernel unpacks it into its root tmpfs faster
# than it could decompress anything under TCG). The project's own files go
# into a small overlay cpio per boot (scripts/vm.sh), so this one is built
# once per package list.
# Prints the cache directory on stdout; it holds base.cpio and manifest.txt.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgfile="$PVGPU_ROOT/images/rootfs/packages.txt"
keepfile="$PVGPU_ROOT/images/rootfs/igt-tests.txt"
key=$(cache_key "$ROOTFS_SUITE" "$pkgfile" "$keepfile" "$0")
dir="$PVGPU_CACHE/rootfs-$key"
if [ -f "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

rm -rf "$dir"
mkdir -p "$dir"
root="$dir/root"
packages=$(grep -vE '^\s*(#|$)' "$pkgfile" | paste -sd, -)
mirror=$(debian_mirror)
step "rootfs: mmdebstrap $ROOTFS_SUITE minbase + $packages"
# sid's Release file in this archive is past its Valid-Until date.
run_logged "$dir/mmdebstrap.log" as_root mmdebstrap --mode=root --variant=minbase \
	--aptopt='Acquire::Check-Valid-Until "false"' \
	--aptopt='Acquire::Languages "none"' \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--include="$packages" \
	"$ROOTFS_SUITE" "$root" "$mirror"

igtdir=$(dirname "$(find "$root/usr" -name core_getversion -type f | head -n1)")
[ -n "$igtdir" ] || die "rootfs: IGT tests not found in the image"
step "rootfs: keeping the IGT tests listed in images/rootfs/igt-tests.txt"
# igt-gpu-tools-tests ships hundreds of tests for other drivers; the image
# keeps only the driver-agnostic ones the suite runs, so it boots faster.
find "$igtdir" -maxdepth 1 -type f -printf '%f\n' | while read -r t; do
	grep -qx "$t" <(grep -vE '^\s*(#|$)' "$keepfile") || rm -f "$igtdir/$t"
done
find "$igtdir" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
rm -rf "$root/var/cache/apt" "$root/var/lib/apt/lists" "$root"/usr/share/{doc,man,locale,info}
echo "${igtdir#"$root"}" >"$dir/igt-test-dir"
as_root chroot "$root" dpkg-query -W -f='${Package} ${Version}\n' >"$dir/manifest.txt"

step "rootfs: packing base.cpio"
(cd "$root" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet >"$dir/base.cpio")
as_root rm -rf "$root"
touch "$dir/.complete"
step "rootfs: $(du -h "$dir/base.cpio" | cut -f1) image, $(wc -l <"$dir/manifest.txt") packages"
echo "$dir"
