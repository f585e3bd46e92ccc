# SPDX-License-Identifier: GPL-2.0
# Guest-side test helpers. A suite records its test points here and prints them as one KTAP
# document at the end; diagnostics go out live as "# " lines so a hang still leaves a trail.

SUITE=${SUITE:-unknown}
DRIVER=${DRIVER:-c}
RESULTS=${KTAP_RESULTS:-/tmp/ktap.results}
: >"$RESULTS"

diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

# Runs a command with its output shown as diagnostics; returns its status.
run() {
	"$@" 2>&1 | sed 's/^/# /'
	return "${PIPESTATUS[0]:-$?}"
}

# The guest's uptime, to show on the console where a suite spends its time.
uptime_s() {
	cut -d' ' -f1 /proc/uptime
}

pass() {
	echo "ok $*" >>"$RESULTS"
	echo "# PASS $* [$(uptime_s) s]"
}

fail() {
	local name=$1
	shift
	echo "not ok $name" >>"$RESULTS"
	echo "# FAIL $name: $* [$(uptime_s) s]"
}

skip() {
	local name=$1
	shift
	echo "ok $name # SKIP $*" >>"$RESULTS"
	echo "# SKIP $name: $* [$(uptime_s) s]"
}

# check NAME CMD...: one test point that passes when CMD succeeds.
check() {
	local name=$1 rc=0
	shift
	diag "running $name: $*"
	"$@" >/tmp/check.out 2>&1 || rc=$?
	sed 's/^/#   /' /tmp/check.out
	if [ $rc -eq 0 ]; then pass "$name"; else fail "$name" "exit $rc"; fi
	return $rc
}

# expect_eq NAME EXPECTED ACTUAL: one test point comparing two strings.
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}

# Prints the recorded test points as a KTAP document: the suite is test 1, its points are its
# subtests.
ktap_finish() {
	local n i=0 status=ok line
	n=$(wc -l <"$RESULTS")
	grep -q '^not ok' "$RESULTS" && status="not ok"
	[ "$n" -gt 0 ] || status="not ok"
	echo "KTAP version 1"
	echo "1..1"
	echo "    KTAP version 1"
	echo "    # Subtest: $SUITE-$DRIVER"
	echo "    1..$n"
	while IFS= read -r line; do
		i=$((i + 1))
		case "$line" in
		"not ok "*) echo "    not ok $i ${line#not ok }" ;;
		*) echo "    ok $i ${line#ok }" ;;
		esac
	done <"$RESULTS"
	echo "$status 1 $SUITE-$DRIVER"
}

md5() {
	md5sum "$1" | cut -d' ' -f1
}

# With kmemleak on (kmemleak.sh), every module load notes the modules' text symbols,
# "address module snapshot": kmemleak prints a trace address in a module unloaded since as bare
# hex, and a later module may have been loaded at the same address.
KMEMLEAK_SYMBOLS=/tmp/kmemleak.module-symbols
kmemleak_note_symbols() {
	awk -v snap="$(cut -d' ' -f1 /proc/uptime)" \
		'$2 ~ /^[tT]$/ && $4 ~ /^\[/ { gsub(/[][]/, "", $4); print $1, $4, snap }' /proc/kallsyms \
		>>$KMEMLEAK_SYMBOLS
}
if grep -qw kmemleak=on /proc/cmdline; then
	modprobe() { command modprobe "$@" && kmemleak_note_symbols; }
	insmod() { command insmod "$@" && kmemleak_note_symbols; }
fi

# Loads the driver under test: the C reference or our Rust module.
load_module() {
	modprobe "$1" "${@:2}" || return 1
}
