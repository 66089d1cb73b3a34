#!/usr/bin/env bash
# Guest kernels: build-kernel.sh debug|stock (default debug) runs
# build-kernel-debug.sh or build-kernel-stock.sh and prints the cache
# directory of the result.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

case "${1:-debug}" in
debug) exec "$PVGPU_ROOT/scripts/build-kernel-debug.sh" ;;
stock) exec "$PVGPU_ROOT/scripts/build-kernel-stock.sh" ;;
*) die "unknown kernel flavour '$1' (debug|stock)" ;;
esac
