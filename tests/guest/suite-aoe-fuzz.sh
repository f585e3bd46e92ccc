# SPDX-License-Identifier: GPL-2.0
# Forged AoE responses from the target's side of the link (aoe-fuzz on veth1) while direct-I/O
# loops write, read back and verify: no byte corrupted, no I/O error, the device still answers,
# and raoe counted the frames it dropped.
. /tests/guest/aoe-lib.sh

FUZZ_FRAMES=100000
FUZZ_SEED=1
FUZZ_OUT=/tmp/aoe-fuzz.out
FUZZ_DONE=/tmp/aoe-fuzz.done
RAOE_DROPS=/sys/kernel/debug/raoe/drops
LOOPS="big-1m:1M:4:8192 small-64k:64k:32:20484 tail-1m:1M:2:61440"

# verify_loop NAME BS COUNT OFFSET_KIB: write/read/verify rounds until the fuzzer is done, at
# least one; keeps "ROUNDS FAILED" in /tmp/loop-NAME.result and each failure in its .log.
verify_loop() {
	local name=$1 bs=$2 count=$3 at=$(($4 * 1024)) rounds=0 failed=0 msg
	: >"/tmp/loop-$name.log"
	while :; do
		rounds=$((rounds + 1))
		if ! msg=$(write_read_verify "$bs" "$count" "$at" "/tmp/src-$name" 2>&1); then
			failed=$((failed + 1))
			echo "round $rounds: $msg" >>"/tmp/loop-$name.log"
		fi
		echo "$rounds $failed" >"/tmp/loop-$name.result"
		[ -e $FUZZ_DONE ] && break
	done
}

# fuzz_total FIELD: a count from the fuzzer's "total" line.
fuzz_total() {
	awk -v field="$1" '$1 == "total" { for (i = 2; i < NF; i += 2) if ($i == field) print $(i + 1) }' $FUZZ_OUT
}

raoe_drops_total() {
	awk '$1 == "total" { print $2 }' $RAOE_DROPS 2>/dev/null
}

if ! aoe_setup 64; then
	fail discovery "target e$AOE_SHELF.$AOE_SLOT not found"
	return 0
fi
pass discovery

# The flood shares veth0's receive backlog with the target's real answers: room for both, so
# that no real answer is lost and none of its tag's copies can find the request still waiting.
echo 100000 >/proc/sys/net/core/netdev_max_backlog
# aoe.ko logs each unknown-command frame at KERN_INFO (aoenet.c:178-181): keep them off the slow
# serial console; warnings and worse still print there.
read -r console_level _ </proc/sys/kernel/printk
echo 5 >/proc/sys/kernel/printk

if [ "$DRIVER" = rust ]; then
	fuzz_mode=
	drops_before=$(raoe_drops_total)
else
	# aoe.ko fails the request on a malformed answer to a live tag, as designed; see aoe-fuzz.
	fuzz_mode=--no-live-tags
fi

rm -f $FUZZ_DONE
loop_pids=
for spec in $LOOPS; do
	IFS=: read -r name bs count at_kib <<<"$spec"
	verify_loop "$name" "$bs" "$count" "$at_kib" &
	loop_pids="$loop_pids $!"
done
diag "aoe-fuzz --interface veth1 --frames $FUZZ_FRAMES --seed $FUZZ_SEED $fuzz_mode"
start=$(date +%s)
aoe-fuzz --interface veth1 --frames $FUZZ_FRAMES --seed $FUZZ_SEED $fuzz_mode >$FUZZ_OUT 2>&1 &
fuzz_pid=$!
# config_bad_length copies a real config response: have aoe.ko query the target once the
# fuzzer listens. raoe queries only when it loads.
if [ "$DRIVER" = c ]; then
	sleep 2
	aoe-discover
fi
wait $fuzz_pid
fuzz_rc=$?
touch $FUZZ_DONE
diag "aoe-fuzz exit $fuzz_rc after $(($(date +%s) - start)) s"
wait $loop_pids
echo "$console_level" >/proc/sys/kernel/printk
sed 's/^/# /' $FUZZ_OUT
diag "veth0 backlog drops per CPU (softnet_stat column 2, hex): $(awk '{printf "%s ", $2}' /proc/net/softnet_stat)"
diag "$(aoe_module)'s most frequent kernel log messages, numbers as N:"
dmesg | grep "$(aoe_module)" | sed 's/^\[[^]]*\] //; s/0x[0-9a-f][0-9a-f]*/N/g; s/[0-9a-f]*[0-9][0-9a-f]*/N/g' | sort | uniq -c | sort -rn | head -n 8 | sed 's/^/#   /'
[ "$DRIVER" = c ] && diag "aoe debugfs: $(tr '\n\t' '  ' </sys/kernel/debug/aoe/e$AOE_SHELF.$AOE_SLOT)"

sent=$(fuzz_total sent)
if [ $fuzz_rc -eq 0 ] && [ "${sent:-0}" -ge $FUZZ_FRAMES ]; then
	pass fuzzer-sent-100k
else
	fail fuzzer-sent-100k "exit $fuzz_rc, sent '$sent'"
fi

for spec in $LOOPS; do
	name=${spec%%:*}
	read -r rounds failed <"/tmp/loop-$name.result"
	diag "loop $name: $rounds rounds, $failed failed"
	if [ "$failed" -eq 0 ] && [ "$rounds" -gt 0 ]; then
		pass "loop-$name-verified"
	else
		fail "loop-$name-verified" "$failed of $rounds rounds: $(head -n 3 "/tmp/loop-$name.log")"
	fi
done

expect_eq device-equals-image "$(md5 $AOE_IMG)" "$(dd if=$AOE_DEV bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1)"

if [ "$DRIVER" = rust ] && [ ! -e $RAOE_DROPS ]; then
	fail raoe-drops-counted "no $RAOE_DROPS"
elif [ "$DRIVER" = rust ]; then
	# Every frame is dropped but the late copies of real answers, which only raoe's record of
	# answered tags tells from the target's.
	diag "raoe drops: $(tr '\n' ' ' <$RAOE_DROPS)"
	drops=$(($(raoe_drops_total) - ${drops_before:-0}))
	accepted=$(fuzz_total possibly_accepted)
	diag "raoe dropped $drops frames; the fuzzer sent $sent, $accepted possibly accepted;" \
		"raoe's wire.rs gives a reason for $(fuzz_total expected_drops), $(fuzz_total error_responses) are error responses"
	if [ "$drops" -ge $((sent - accepted)) ]; then
		pass raoe-drops-counted
	else
		fail raoe-drops-counted "dropped $drops < sent $sent - possibly accepted $accepted"
	fi
fi

aoe_teardown && pass module-unload || fail module-unload "rmmod $(aoe_module) failed"
