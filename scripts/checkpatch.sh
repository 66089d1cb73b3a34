#!/usr/bin/env bash
# checkpatch.pl --strict over every guest-driver source file, using the
# checkpatch of Debian's linux-source-6.12 (unpacked once into the cache).
#   checkpatch.sh          check; exit status is checkpatch's
#   checkpatch.sh --path   print the checkpatch.pl path (empty if unavailable)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) || srcver=""
dir="$PVGPU_CACHE/checkpatch-$srcver"
if [ -n "$srcver" ] && [ ! -f "$dir/scripts/checkpatch.pl" ]; then
	mkdir -p "$dir"
	tar -xaf /usr/src/linux-source-6.12.tar.xz -C "$dir" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch'
fi
cp="$dir/scripts/checkpatch.pl"
if [ "${1:-}" = --path ]; then
	[ -f "$cp" ] && echo "$cp"
	exit 0
fi
[ -f "$cp" ] || die "checkpatch.pl unavailable (run: ./pvgpu setup)"
cd "$PVGPU_ROOT/guest-driver"
files=$(ls ./*.c ./*.h 2>/dev/null)
[ -n "$files" ] || die "no guest-driver sources"
# shellcheck disable=SC2086
perl "$cp" --no-tree --strict --terse --show-types -f $files
