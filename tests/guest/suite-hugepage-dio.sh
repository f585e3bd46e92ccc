# SPDX-License-Identifier: GPL-2.0
# O_DIRECT I/O to the AoE device from hugetlbfs- and THP-backed buffers at offsets unaligned to
# huge pages, every byte verified (tests/tools/hugepage-dio).
. /tests/guest/aoe-lib.sh

if ! aoe_setup 48; then
	fail discovery "target e$AOE_SHELF.$AOE_SLOT not found"
	return 0
fi
pass discovery

# Two 8 MiB buffers of 2 MiB pages, plus slack.
echo 20 >/proc/sys/vm/nr_hugepages
diag "hugetlb pages reserved: $(cat /proc/sys/vm/nr_hugepages)"
echo madvise >/sys/kernel/mm/transparent_hugepage/enabled

check hugetlb-direct-io hugepage-dio --device $AOE_DEV --source hugetlb --iterations 16 --seed 11
check thp-direct-io hugepage-dio --device $AOE_DEV --source thp --iterations 16 --seed 12
check thp-direct-io-split hugepage-dio --device $AOE_DEV --source thp --iterations 8 --seed 13 --split

# The target's image must equal what the device returns after all of the above.
expect_eq device-equals-image "$(md5 $AOE_IMG)" "$(dd if=$AOE_DEV bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1)"

echo 0 >/proc/sys/vm/nr_hugepages
aoe_teardown && pass module-unload || fail module-unload "rmmod $(aoe_module) failed"
[ "$DRIVER" != rust ] || check_pins_balance
