# SPDX-License-Identifier: GPL-2.0
# Each driver module of the selected side loads and unloads cleanly, three times.
if [ "$DRIVER" = rust ]; then mods="raoe rzram"; else mods="aoe zram"; fi
for mod in $mods; do
	ok=1
	for round in 1 2 3; do
		modprobe "$mod" || { ok=0; diag "modprobe $mod failed (round $round)"; break; }
		grep -q "^$mod " /proc/modules || { ok=0; diag "$mod not in /proc/modules"; break; }
		rmmod "$mod" || { ok=0; diag "rmmod $mod failed (round $round)"; break; }
	done
	if [ $ok = 1 ]; then pass "$mod-load-unload"; else fail "$mod-load-unload" "see above"; fi
done
