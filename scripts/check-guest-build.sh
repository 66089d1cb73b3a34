#!/usr/bin/env bash
# Static checks of the guest driver, stricter than its normal build:
#   check-guest-build.sh [KERNEL_BUILD_DIR...]
# For each kernel tree (default: the linux-headers tree that
# scripts/setup-host.sh installs; the debug kernel's tree checks the code
# under CONFIG_LOCKDEP and friends too) builds a copy of guest-driver/ with
#   - W=1: the kernel's extra compiler warnings, plus -Wmaybe-uninitialized,
#     which only W=2 turns on;
#   - C=2: sparse on every file (__user/__iomem address spaces, endianness,
#     lock context, ...);
# then runs each file's compile command through clang -fsyntax-only with
# -Wconditional-uninitialized (scripts/kbuild-clang-check.py): gcc 12 does
# not see a variable that one path leaves unset when the paths that set and
# read it test the same condition, clang's analysis does.
# Fails if the build fails or any of them reports a warning or error in a
# file of the pvgpu tree (the driver, include/). Logs:
# build/check-guest-build-RELEASE.log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || set -- "/usr/src/linux-headers-$KERNEL_ABI-amd64"
command -v sparse >/dev/null || die "sparse is not installed (run: ./pvgpu setup)"
command -v clang >/dev/null || die "clang is not installed (run: ./pvgpu setup)"

# ere_quote STRING: STRING as a literal in an extended regular expression
# (kernel releases hold '+').
ere_quote() {
	printf '%s' "$1" | sed 's/[][\\.*^$+?(){}|]/\\&/g'
}

rc=0
for kdir in "$@"; do
	[ -f "$kdir/Makefile" ] || die "no kernel build tree at $kdir"
	release=$(make -s -C "$kdir" kernelrelease 2>/dev/null) || release=$(basename "$kdir")
	modbuild="$PVGPU_BUILD/check-guest-driver-$release"
	log="$PVGPU_BUILD/check-guest-build-$release.log"
	rm -rf "$modbuild"
	mkdir -p "$modbuild"
	cp -a "$PVGPU_ROOT"/guest-driver/. "$modbuild/"
	find "$modbuild" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' \
		-o -name '.*.cmd' -o -name Module.symvers -o -name modules.order \) -delete
	step "check: guest driver with W=1, sparse and clang against $release"
	build_rc=0
	make -C "$kdir" M="$modbuild" PVGPU_ROOT="$PVGPU_ROOT" W=1 C=2 \
		KCFLAGS=-Wmaybe-uninitialized -j"$(nproc)" modules >"$log" 2>&1 || build_rc=$?
	if [ "$build_rc" = 0 ]; then
		mapfile -t cmds < <(find "$modbuild" -maxdepth 1 -name '.pvgpu_*.o.cmd' | sort)
		"$(dirname "$0")/kbuild-clang-check.py" "$kdir" "${cmds[@]}" -- \
			-Wuninitialized -Wsometimes-uninitialized \
			-Wconditional-uninitialized >>"$log" 2>&1 || build_rc=$?
	fi
	# Diagnostics located in the pvgpu tree (the copy or include/), and
	# modpost's about the module.
	ours="($(ere_quote "$modbuild")|$(ere_quote "$PVGPU_ROOT"))/"
	found=$(grep -E "^$ours[^:]*:[0-9]+(:[0-9]+)?: (warning|error)|clang exit status|^WARNING: modpost" "$log" || true)
	if [ "$build_rc" != 0 ] || [ -n "$found" ]; then
		[ -n "$found" ] && printf '%s\n' "${found//$modbuild\//guest-driver/}" >&2
		[ "$build_rc" != 0 ] && tail -n 20 "$log" >&2
		echo "check-guest-build: $release: FAILED (log: $log)" >&2
		rc=1
	fi
done
exit "$rc"
