#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Usage: qemu-run.sh KERNEL INITRD LOG [mem=MiB] [cpus=N] [timeout=SECONDS] [-- KERNEL ARGS...]
# Boots one guest under TCG (QEMU_ACCEL=kvm to opt in to KVM, which hangs on this machine kind),
# shows the serial console and keeps it in LOG. Exits 124 when the guest overran its timeout.
. "$(dirname "$0")/lib.sh"

kernel=${1:?KERNEL}
initrd=${2:?INITRD}
log=${3:?LOG}
shift 3
mem=512 cpus=2 timeout=600
while [ $# -gt 0 ]; do
	case "$1" in
	mem=*) mem=${1#mem=} ;;
	cpus=*) cpus=${1#cpus=} ;;
	timeout=*) timeout=${1#timeout=} ;;
	--) shift; break ;;
	*) die "unknown option $1" ;;
	esac
	shift
done
accel=${QEMU_ACCEL:-tcg}

# panic=-1 plus oops=panic: a crashed guest exits at once instead of waiting for its timeout.
# The hung-task detector fires well inside the suite timeouts.
cmdline="console=ttyS0 panic=-1 oops=panic sysctl.kernel.hung_task_timeout_secs=60 $*"
mkdir -p "$(dirname "$log")"
rc=0
timeout --foreground -k 10 "$timeout" qemu-system-x86_64 -accel "$accel" -cpu max -smp "$cpus" \
	-m "$mem" -display none -monitor none -serial stdio -no-reboot \
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline" </dev/null 2>&1 | tee "$log" | sed -u 's/^/  | /' || rc=${PIPESTATUS[0]}
[ "$rc" -ne 124 ] || echo "TIMEOUT: guest killed after ${timeout}s" | tee -a "$log"
exit "$rc"
