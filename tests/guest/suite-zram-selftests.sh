# SPDX-License-Identifier: GPL-2.0
# The Linux tree's own zram selftests (tools/testing/selftests/zram: zram.sh runs zram01.sh,
# ext4 on a device filled with zeros and its compression ratio, and zram02.sh, swap on a
# device), unchanged: scripts/mkinitramfs.sh copies them from the kernel source the harness
# builds from to /opt/kselftest/zram, as kselftest installs them. They run as kselftest's runner
# runs them: from their directory, ./zram.sh, output and errors together, under a timeout (the
# runner's default is 45 s; TCG needs more). They `modprobe zram`: zram.ko, or rzram in its
# place with zram's names (the package's /etc/modprobe.d/rzram-as-zram.conf uncommented).
# Test points: each "zram01 : [PASS]" result line; each step the scripts report with ": OK",
# which fails when the scripts printed a "FAIL ..." line within it (they print one, then OK,
# and still pass: their own verdict is only zram01's compression ratio); any other "FAIL" line;
# zram.sh's exit status, as the runner judges it. Both drivers must give the same results; they
# do on our kernel. Debian's zram.ko is built without lzo (CONFIG_ZRAM_BACKEND_LZO unset), which
# zram01 asks for: there its algorithm step fails for zram.ko alone (not in DISTRO_SUITES).
KSFT_DIR=/opt/kselftest/zram
KSFT_TIMEOUT=300

if [ "$DRIVER" = rust ]; then
	sed -i 's/^#\(alias\|options\) /\1 /' /etc/modprobe.d/rzram-as-zram.conf
	ZMOD=rzram
else
	ZMOD=zram
fi
# What `modprobe zram` loads (the last module it inserts).
expect_eq modprobe-zram-loads "$ZMOD" \
	"$(modprobe --show-depends zram 2>&1 | awk '$1 == "insmod" {m = $2} END {print m}' | sed 's|.*/||; s|\.ko.*||')"
# zram01 mounts ext4 with busybox mount and no -t, which tries the types in /proc/filesystems:
# ext4 is built into our kernel, a module in Debian's (a distribution's mount probes the type
# and the kernel loads it).
check ext4-available modprobe ext4

# The scripts, in the order zram.sh runs them.
tcids=$(grep -o '\./zram[0-9]*\.sh' $KSFT_DIR/zram.sh | sed 's|^\./||; s|\.sh$||' | xargs)
diag "kselftest zram: $tcids, from $(ls $KSFT_DIR | xargs)"
out=/tmp/zram-selftests.out
start=$(uptime_s)
# PATH: busybox's dd (/bin) before coreutils' (/usr/bin). zram01 runs dd once per KiB it writes
# (about 1900 times): under TCG the static busybox starts in 11 ms, the dynamic one in 45 ms.
(cd $KSFT_DIR && PATH=/bin:$PATH timeout $KSFT_TIMEOUT ./zram.sh 2>&1) | tee $out | sed 's/^/#   /'
rc=${PIPESTATUS[0]}
diag "zram.sh exit $rc after $(echo "$(uptime_s) - $start" | bc) s"

# slug TEXT: a test point name from a line of the scripts (numbers of a ratio dropped).
slug() {
	printf '%s' "$1" | sed 's/: [0-9.]*:1$//; s/^zram //' | tr 'A-Z' 'a-z' | tr -cs 'a-z0-9' '-' |
		sed 's/^-*//; s/-*$//'
}
# The FAIL lines, and all lines, since the last step or result.
fails=/tmp/zram-selftests.fails
lines=/tmp/zram-selftests.lines
: >$fails
: >$lines
# The script that printed the line: the first of those that have not printed their result yet.
remaining=$tcids
current=${remaining%% *}
while IFS= read -r line; do
	printf '%s\n' "$line" >>$lines
	case "$line" in
	FAIL\ *)
		printf '%s\n' "$line" >>$fails
		;;
	*": OK")
		name=$current-$(slug "${line%: OK}")
		if [ -s $fails ]; then
			diag "$name: the step's output: $(paste -sd'|' $lines)"
			fail "$name" "the selftest printed: $(paste -sd'|' $fails)"
		else
			pass "$name"
		fi
		: >$fails
		: >$lines
		;;
	*" : [PASS]" | *" : [FAIL]")
		tcid=${line%% *}
		while IFS= read -r f; do
			fail "$tcid-$(slug "${f#FAIL }")" "$f"
		done <$fails
		: >$fails
		: >$lines
		case "$line" in
		*PASS*) pass "$tcid" ;;
		*) fail "$tcid" "$line" ;;
		esac
		remaining=$(printf '%s\n' $remaining | grep -vx "$tcid" | xargs)
		current=${remaining%% *}
		[ -n "$current" ] || current=zram.sh
		;;
	esac
done <$out
[ ! -s $fails ] || fail zram.sh-fail-lines "$(paste -sd'|' $fails)"
for tcid in $remaining; do
	fail "$tcid" "no '$tcid : [PASS]' or '$tcid : [FAIL]' line"
done
case $rc in
0) pass zram.sh-exit-status ;;
4) skip zram.sh-exit-status "kselftest skip (exit 4)" ;;
124) fail zram.sh-exit-status "timeout after $KSFT_TIMEOUT s" ;;
*) fail zram.sh-exit-status "exit $rc" ;;
esac

# zram01's cleanup unloads the driver with `rmmod zram` (and zram02's, when it loaded it):
# zram.ko goes, rzram (its module's name) stays; then zram02 hot-adds a device beside zram0.
if [ -d /sys/module/$ZMOD ]; then
	diag "$ZMOD still loaded after the selftests: $(grep "^$ZMOD " /proc/modules)"
	run rmmod $ZMOD
fi
expect_eq unloaded "" "$(grep -E '^r?zram ' /proc/modules)"
