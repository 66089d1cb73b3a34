# shellcheck shell=bash
# Common helpers of the pvgpu host pipeline: paths, cache keys, progress.
# Sourced by the pvgpu CLI and by every scripts/*.sh.

PVGPU_ROOT=${PVGPU_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
PVGPU_CACHE=${PVGPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pvgpu}
PVGPU_BUILD=${PVGPU_BUILD:-$PVGPU_ROOT/build}
# shellcheck source=../images/versions.env
. "$PVGPU_ROOT/images/versions.env"

mkdir -p "$PVGPU_CACHE" "$PVGPU_BUILD"

# step MESSAGE: a progress line on stderr, with the elapsed time of the run.
PVGPU_T0=${PVGPU_T0:-$(date +%s)}
export PVGPU_T0
step() {
	local now
	now=$(date +%s)
	printf '[pvgpu %4ds] %s\n' "$((now - PVGPU_T0))" "$*" >&2
}

die() {
	printf 'pvgpu: error: %s\n' "$*" >&2
	exit 1
}

# as_root CMD...: run CMD as root (directly when we already are).
as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# cache_key FILE|DIR|STRING...: a short hash over file contents (directories
# recursively, in sorted order) and literal strings. A cache directory named
# after this key can only be reused when every input is byte-identical.
cache_key() {
	local arg
	for arg in "$@"; do
		if [ -d "$arg" ]; then
			(cd "$arg" && find . -type f -print0 | LC_ALL=C sort -z |
				xargs -0 sha256sum)
		elif [ -f "$arg" ]; then
			printf '%s ' "$(basename "$arg")"
			sha256sum <"$arg"
		else
			printf 'str %s\n' "$arg"
		fi
	done | sha256sum | cut -c1-16
}

# debian_mirror: the Debian archive address this machine's apt already uses.
# The project never names a host itself.
debian_mirror() {
	local uri
	uri=$(grep -hoE '^(URIs:|deb) *\[?[^ ]*' /etc/apt/sources.list.d/*.sources \
		/etc/apt/sources.list 2>/dev/null |
		grep -oE '(https?|file)://[^ ]+' | grep -v -- '-security' | head -n1)
	[ -n "$uri" ] || die "no Debian archive found in this machine's apt sources"
	echo "${uri%/}"
}

# run_logged LOG CMD...: run CMD with its output in LOG; on failure show the
# log's tail so the reason is on screen.
run_logged() {
	local log=$1
	shift
	if ! "$@" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "'$*' failed (full log: $log)"
	fi
}

# cache_lock NAME: hold an exclusive lock on the cache entry NAME until this
# script exits, so two pipelines (two clones, a helper shell) never run a
# build in the same cached tree at once.
cache_lock() {
	exec 9>"$PVGPU_CACHE/$1.lock"
	if ! flock -n 9; then
		step "waiting for another pvgpu build of $1"
		flock 9
	fi
}
