#!/usr/bin/env bash
# Boot a pvgpu VM (q35, qboot, TCG) and either give a shell or run a command.
#
#   vm.sh [options] --shell
#   vm.sh [options] -- COMMAND [ARGS...]
#
# Options:
#   --kernel debug|stock   guest kernel (default: stock)
#   --device PROPS         extra pvgpu properties, e.g. copy-slots=4 (given
#                          to every pvgpu device)
#   --pvgpu PROPS          a pvgpu device with these properties, e.g.
#                          addr=0x06,backend=cpu; repeatable, one device
#                          each (default: one device, no properties)
#   --display SPEC         QEMU's -display (default none); sdl,gl=on needs
#                          an X server in DISPLAY (./pvgpu bench --peers)
#   --module-args ARGS     pvgpu.ko parameters
#   --no-module            do not load pvgpu.ko at boot
#   --out DIR              where the guest's /out comes back (default build/vm/out)
#   --timeout SECONDS      give up on the VM after this long (default 1800)
#   --quiet                do not echo the guest console (it is still logged)
#   --smp N / --mem MiB    vCPUs (default 2) and memory
#   --qemu-arg ARG         extra QEMU argument (repeatable)
# The exit status is the command's, 124 on timeout, 125 if the VM died
# before reporting one. The console log is build/vm/console.log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

flavour=stock mode=run device_props="" module=1 module_args="" quiet=0
out="$PVGPU_BUILD/vm/out" timeout_s=1800 smp=2 mem="" extra=() pvgpus=()
display=none
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) flavour=$2; shift 2 ;;
	--device) device_props=",$2"; shift 2 ;;
	--pvgpu) pvgpus+=("$2"); shift 2 ;;
	--display) display=$2; shift 2 ;;
	--module-args) module_args=$2; shift 2 ;;
	--no-module) module=0; shift ;;
	--out) out=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--quiet) quiet=1; shift ;;
	--shell) mode=shell; shift ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--qemu-arg) extra+=("$2"); shift 2 ;;
	--) shift; break ;;
	*) die "vm.sh: unknown option '$1'" ;;
	esac
done
[ "$mode" = shell ] || [ $# -gt 0 ] || die "vm.sh: give --shell or -- COMMAND"
[ -n "$mem" ] || { [ "$flavour" = debug ] && mem=3072 || mem=2048; }

qemu=$("$PVGPU_ROOT/scripts/build-qemu.sh")
kdir=$("$PVGPU_ROOT/scripts/build-kernel.sh" "$flavour")
rootfs=$("$PVGPU_ROOT/scripts/build-rootfs.sh")
vmdir="$PVGPU_BUILD/vm"
stage="$vmdir/stage-$flavour"
mkdir -p "$vmdir"
# One VM at a time per build tree: the stages, initrd, console log and the
# guest's /out all live in $vmdir, and two boots would mix them (a second
# run waits here instead of reading the first one's results).
exec 9>"$vmdir/.lock"
flock -n 9 || { step "waiting for the other VM of this tree to finish"; flock 9; }
"$PVGPU_ROOT/scripts/build-guest.sh" "$kdir" "$stage"

{
	echo "PVGPU_MODE=$mode"
	echo "PVGPU_MODULE=$module"
	printf 'PVGPU_MODULE_ARGS=%q\n' "$module_args"
} >"$stage/etc/pvgpu/config"
if [ "$mode" = run ]; then
	printf '%q ' "$@" >"$stage/etc/pvgpu/cmd"
	echo >>"$stage/etc/pvgpu/cmd"
fi
(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --quiet) >"$vmdir/overlay.cpio"
cat "$rootfs/base.cpio" "$vmdir/overlay.cpio" >"$vmdir/initrd.cpio"

log="$vmdir/console.log"
outraw="$vmdir/out.raw"
rm -f "$log" "$outraw"
# no_timer_check: under TCG a loaded host can make the IO-APIC timer check
# fail and panic the stock kernel.
append="console=ttyS0 panic=-1 no_hash_pointers no_timer_check"
[ "$mode" = shell ] || append+=" quiet"
[ "$flavour" = debug ] && append+=" kasan.fault=report"

if [ "$mode" = shell ]; then
	console=(-chardev "stdio,id=con,mux=on,logfile=$log" -serial chardev:con
		-mon chardev=con,mode=readline)
else
	console=(-chardev "stdio,id=con,logfile=$log" -serial chardev:con)
fi
[ "${#pvgpus[@]}" -gt 0 ] || pvgpus=("")
devices=()
for props in "${pvgpus[@]}"; do
	devices+=(-device "pvgpu${props:+,$props}$device_props")
done
# la57=off: with TCG's 5-level paging the KASAN debug kernel once reported a
# wild access in an interrupt taken during early boot (identify_cpu), before
# any pvgpu code ran; 4-level paging is what the kernel is usually run with.
cmd=("$qemu" -machine q35 -accel tcg -cpu max,la57=off -smp "$smp" -m "$mem"
	-bios /usr/share/qemu/qboot.rom -L /usr/share/qemu
	-nodefaults -vga none -display "$display" -no-reboot
	"${console[@]}" -chardev "file,id=out,path=$outraw" -serial chardev:out
	-kernel "$kdir/bzImage" -initrd "$vmdir/initrd.cpio" -append "$append"
	"${devices[@]}" "${extra[@]}")
echo "${cmd[*]}" >"$vmdir/qemu-cmdline"
step "booting the VM ($flavour kernel $(cat "$kdir/release"), $smp vCPUs, TCG)"

rc=0
if [ "$mode" = shell ]; then
	"${cmd[@]}" || rc=$?
	exit "$rc"
fi
if [ "$quiet" = 1 ]; then
	timeout -k 10 "$timeout_s" "${cmd[@]}" 9>&- </dev/null >/dev/null 2>"$vmdir/qemu.stderr" || rc=$?
else
	timeout -k 10 "$timeout_s" "${cmd[@]}" 9>&- </dev/null 2>"$vmdir/qemu.stderr" || rc=$?
fi
[ -s "$vmdir/qemu.stderr" ] && sed 's/^/qemu: /' "$vmdir/qemu.stderr" >&2

rm -rf "$out"
mkdir -p "$out"
if [ -s "$outraw" ] && grep -q PVGPU-OUT-END "$outraw"; then
	sed -n '/PVGPU-OUT-BEGIN/,/PVGPU-OUT-END/p' "$outraw" | sed '1d;$d' |
		base64 -d -i | tar -xzf - -C "$out" || step "warning: could not unpack the guest's /out"
fi
status=""
# (no console log when QEMU refused its command line)
[ -f "$log" ] &&
	status=$(tr -d '\r' <"$log" | sed -n 's/^PVGPU_EXIT_STATUS=\([0-9]*\)$/\1/p' | tail -n1)
if [ -n "$status" ]; then
	exit "$status"
elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	step "the VM did not finish within ${timeout_s}s"
	exit 124
fi
step "the VM stopped without reporting an exit status (QEMU exit $rc); see $log"
exit 125
