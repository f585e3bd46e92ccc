#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: run-suite.sh SUITE DRIVER — runs tests/guest/suite-SUITE.sh against the C or Rust driver.
export SUITE=$1 DRIVER=${2:-c}
. /tests/guest/lib.sh
script=/tests/guest/suite-$SUITE.sh
if [ -f "$script" ]; then
	diag "suite $SUITE, driver $DRIVER, flavor ${FLAVOR:-debug}, kernel $(uname -r), $(nproc) CPUs, $(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo)"
	. "$script"
	. /tests/guest/kmemleak.sh
	kmemleak_check
else
	fail "$SUITE-exists" "no $script"
fi
ktap_finish
