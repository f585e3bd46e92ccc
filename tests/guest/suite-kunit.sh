# SPDX-License-Identifier: GPL-2.0
# The KUnit tests of each driver's sys/ (the wrappers over the C shims, which only the kernel can
# run): raoe and rzram built with them (/opt/kunit, Kbuild's RAOE_RZRAM_KUNIT=1) run their
# suites when they load; every KUnit case becomes a test point, named suite.case.
kunit_modules="raoe rzram"
if [ ! -d /opt/kunit ]; then
	# Debian's kernel has no CONFIG_KUNIT, and its modules come from the DKMS package.
	skip kunit "no KUnit build of the modules on this kernel"
	kunit_modules=
fi
for mod in $kunit_modules; do
	# The regular module first, so that modprobe loads what it depends on.
	modprobe "$mod" && rmmod "$mod"
	if ! insmod "/opt/kunit/$mod.ko"; then
		fail "$mod-kunit-load" "insmod /opt/kunit/$mod.ko failed"
		continue
	fi
	found=0
	for dir in /sys/kernel/debug/kunit/"${mod}"_*; do
		[ -f "$dir/results" ] || continue
		suite=${dir##*/}
		run cat "$dir/results"
		# One "ok|not_ok NAME" line per case (the suite's own line names the suite).
		sed -nE 's/^[[:space:]]*(ok|not ok) [0-9]+ ([^ #]+).*/\1 \2/p' "$dir/results" |
			sed 's/^not ok/not_ok/' >/tmp/kunit.cases
		while read -r result name; do
			[ "$name" = "$suite" ] && continue
			found=$((found + 1))
			if [ "$result" = ok ]; then pass "$suite.$name"; else fail "$suite.$name" "see the results above"; fi
		done </tmp/kunit.cases
	done
	[ "$found" -gt 0 ] || fail "$mod-kunit-cases" "no KUnit case of $mod ran"
	rmmod "$mod" || fail "$mod-kunit-unload" "rmmod $mod failed"
done
