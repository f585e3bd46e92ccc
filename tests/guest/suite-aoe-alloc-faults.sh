# SPDX-License-Identifier: GPL-2.0
# Allocations fail under the AoE initiator (failslab, fail_page_alloc; tests/guest/faults-lib.sh)
# during verified O_DIRECT I/O from hugetlb and THP buffers on a link that loses 1 % of its
# frames, so the failures land on first transmissions and retransmissions alike. Expected: every
# failure surfaces as a retransmission (raoe) or an I/O error, no byte read back differs from what was
# written (a failed write is not verified, a failed read verifies nothing), then the device works
# again, equals the target's image, and every pinned page was released.
. /tests/guest/aoe-lib.sh
. /tests/guest/faults-lib.sh

# Each frame makes several allocations under the initiator (its skb, the zero-copy context);
# a frame whose skb fails is lost until the retransmission timeout, which shrinks the window.
FAULT_PERCENT=${FAULT_PERCENT:-3}

if ! fault_available; then
	skip fault-injection "this kernel has no failslab/fail_page_alloc with a stack-trace filter"
	return 0
fi
if ! aoe_setup 64; then
	fail discovery "target e$AOE_SHELF.$AOE_SLOT not found"
	return 0
fi
pass discovery
echo 20 >/proc/sys/vm/nr_hugepages
echo madvise >/sys/kernel/mm/transparent_hugepage/enabled
for dev in veth0 veth1; do
	tc qdisc add dev $dev root netem loss 1% limit 10000 || fail netem "tc netem on $dev failed"
done

# dio_under_faults NAME SOURCE SEED: hugepage-dio counting I/O errors; the test point passes
# when nothing read back differs. Adds the run's I/O errors to io_errors.
io_errors=0
dio_under_faults() {
	local out rc=0
	out=$(hugepage-dio --device $AOE_DEV --source "$2" --iterations 6 --max-io-kib 4096 \
		--seed "$3" --allow-io-errors 2>&1) || rc=$?
	printf '%s\n' "$out" | grep -v '^# reread' | tail -n 6 | sed 's/^/#   /'
	io_errors=$((io_errors + $(printf '%s\n' "$out" | sed -n 's/.* io_errors=\([0-9]*\).*/\1/p' | tail -n 1)))
	if [ $rc -eq 0 ]; then pass "$1"; else fail "$1" "hugepage-dio exit $rc"; fi
}

fault_arm "$(aoe_module)" "$FAULT_PERCENT" || fail fault-arm "cannot arm the fault injection"
dio_under_faults hugetlb-direct-io-under-faults hugetlb 31
dio_under_faults thp-direct-io-under-faults thp 32
injected=$(fault_disarm)
total=$(fault_total "$injected")
diag "injected: $injected; surfaced as: $io_errors I/O errors (of 12 writes and their reads)$(
	[ "$DRIVER" != rust ] || echo ", send_failures $(raoe_stat send_failures), retransmits $(raoe_stat retransmits), drops $(raoe_stat drops)")"
# raoe treats a frame it could not allocate like a lost one: the retransmission timeout sends
# it, so failed allocations cost time, not I/O errors.
[ "$DRIVER" != rust ] || expect_eq no-io-errors-under-faults 0 "$io_errors"
# A few hundred, as the issue asks: enough to reach the rare paths (a retransmission's skb).
if [ "$total" -ge 200 ]; then pass failures-injected; else fail failures-injected "only $total: $injected"; fi

for dev in veth0 veth1; do tc qdisc del dev $dev root 2>/dev/null; done
# Recovered: the device works again and returns exactly what the target holds.
check hugetlb-direct-io-after-faults hugepage-dio --device $AOE_DEV --source hugetlb --iterations 4 --seed 33
expect_eq device-equals-image "$(md5 $AOE_IMG)" "$(dd if=$AOE_DEV bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1)"
echo 0 >/proc/sys/vm/nr_hugepages
aoe_teardown && pass module-unload || fail module-unload "rmmod $(aoe_module) failed"
[ "$DRIVER" != rust ] || check_pins_balance
