# SPDX-License-Identifier: GPL-2.0
# zram's recompression (recomp_algorithm, recompress), against zram.ko (with
# CONFIG_ZRAM_MULTI_COMP, which the project's kernels set and Debian's not: there its guest
# skips) and rzram. lz4 stores the pages, zstd recompresses them: every attribute's refusals,
# the huge, idle, max_pages and threshold selections, a smaller compr_data_size, block_state's
# r and n flags, the pages read back (rzram's integrity mode checks each one's CRC), then
# recompressed pages written back compressed and read back from the backing device.
. /tests/guest/zram-lib.sh

if [ "$DRIVER" = rust ]; then
	module_args=integrity=1
fi
check module-load modprobe $ZMOD num_devices=2 $module_args || return 0
if [ ! -e $ZSYS/recomp_algorithm ]; then
	skip recompress "this $ZMOD has no recompression (CONFIG_ZRAM_MULTI_COMP unset)"
	return 0
fi
BSTATE=/sys/kernel/debug/$ZMOD/${ZMOD}0/block_state
PAGE=$(($(awk '/^KernelPageSize/ {print $2; exit}' /proc/self/smaps) * 1024))
# block_state_count FLAG: the pages whose block_state flags have FLAG.
block_state_count() {
	awk -v f="$1" 'index($3, f)' $BSTATE | wc -l
}

# --- recomp_algorithm -----------------------------------------------------------------------
expect_eq recomp-algorithm-none "" "$(cat $ZSYS/recomp_algorithm)"
for args in "algo=zstd priority=0" "algo=zstd priority=4" "algo=zstd priority=-1" algo=nosuch \
	priority=1 algo "algo=zstd priority=x"; do
	expect_write_error "recomp-algorithm-'$args'-einval" $ZSYS/recomp_algorithm "$args" "Invalid argument"
done
expect_write_error recomp-algorithm-priority-erange $ZSYS/recomp_algorithm "algo=zstd priority=99999999999" "Numerical result out of range"
expect_eq recomp-algorithm-refusals-unchanged "" "$(cat $ZSYS/recomp_algorithm)"
check comp-algorithm-lz4 sh -c "echo lz4 >$ZSYS/comp_algorithm"
check recomp-algorithm-zstd sh -c "echo 'algo=zstd priority=1' >$ZSYS/recomp_algorithm"
# Each priority's line lists the algorithms as comp_algorithm does, its own in brackets.
recomp_zstd="#1: $(tr -d '[]' <$ZSYS/comp_algorithm | sed 's/\bzstd\b/[zstd]/')"
expect_eq recomp-algorithm-shown "$recomp_zstd" "$(cat $ZSYS/recomp_algorithm)"
# algorithm_params finds an algorithm by name at any priority, and checks a given pair.
check algorithm-params-secondary-by-name sh -c "echo 'algo=zstd level=9' >$ZSYS/algorithm_params"
expect_write_error algorithm-params-wrong-priority-einval $ZSYS/algorithm_params "algo=zstd priority=2 level=3" "Invalid argument"
expect_write_error recompress-uninitialised-einval $ZSYS/recompress type=huge "Invalid argument"
check disksize sh -c "echo 64M >$ZSYS/disksize"
expect_write_error recomp-algorithm-after-init-ebusy $ZSYS/recomp_algorithm "algo=lzo priority=2" "Device or resource busy"
expect_eq recomp-algorithm-after-init-unchanged "$recomp_zstd" "$(cat $ZSYS/recomp_algorithm)"

# --- recompress refusals --------------------------------------------------------------------
for args in type=cold type "priority=2" "priority=0" "priority=4" algo=lz4 algo=lzo \
	"algo=lz4 priority=1" threshold=$PAGE \
	threshold=-1 max_pages=x; do
	expect_write_error "recompress-'$args'-einval" $ZSYS/recompress "$args" "Invalid argument"
done

# --- huge, max_pages, idle, threshold -------------------------------------------------------
make_realistic_dataset /tmp/data 16 || fail dataset "cannot build the dataset"
want=$(md5sum </tmp/data | cut -d' ' -f1)
dd if=/tmp/data of=$ZDEV bs=1M oflag=direct status=none
compr_lz4=$(mm_stat_field 2)
huge=$(mm_stat_field 8)
diag "lz4: mm_stat $(cat $ZSYS/mm_stat)"
# Every huge page is recompressed or, as random pages compress with neither, marked
# incompressible by zstd, the last algorithm.
check recompress-huge sh -c "echo type=huge >$ZSYS/recompress"
incompressible=$(block_state_count n)
recompressed=$(block_state_count r)
diag "type=huge: of $huge huge pages, $recompressed recompressed, $incompressible incompressible"
expect_eq recompress-huge-all-looked-at "$huge $((huge - recompressed))" \
	"$((incompressible + recompressed)) $(mm_stat_field 8)"
expect_eq recompress-huge-random-incompressible 1 "$([ "$incompressible" -gt 0 ] && echo 1)"
check recompress-huge-again sh -c "echo type=huge >$ZSYS/recompress"
expect_eq recompress-huge-again-unchanged "$incompressible $recompressed" \
	"$(block_state_count n) $(block_state_count r)"
huge_recompressed=$recompressed
check idle-all sh -c "echo all >$ZSYS/idle"
check recompress-max-pages sh -c "echo 'type=idle max_pages=100' >$ZSYS/recompress"
recompressed=$(($(block_state_count r) - huge_recompressed))
diag "max_pages=100: $recompressed pages recompressed"
expect_eq recompress-max-pages-bounded 1 "$([ "$recompressed" -gt 0 ] && [ "$recompressed" -le 100 ] && echo 1)"
# Objects under the threshold stay, and a result must come under it: the big ones only.
check recompress-threshold sh -c "echo 'threshold=2000 algo=zstd' >$ZSYS/recompress"
after_threshold=$(($(block_state_count r) - huge_recompressed))
diag "threshold=2000: $after_threshold pages recompressed in all"
expect_eq recompress-threshold-took-more 1 "$([ "$after_threshold" -gt "$recompressed" ] && echo 1)"
check recompress-all sh -c "echo 'priority=1' >$ZSYS/recompress"
compr_zstd=$(mm_stat_field 2)
all_recompressed=$(block_state_count r)
diag "zstd over lz4: compr_data_size $compr_lz4 -> $compr_zstd ($all_recompressed pages recompressed, $(block_state_count n) incompressible); mm_stat $(cat $ZSYS/mm_stat)"
expect_eq recompress-smaller 1 "$([ "$compr_zstd" -lt "$compr_lz4" ] && echo 1)"
expect_eq recompress-read-back "$want" \
	"$(dd if=$ZDEV bs=1M count=16 iflag=direct status=none | md5sum | cut -d' ' -f1)"
[ "$DRIVER" = c ] || expect_eq recompress-integrity-errors-none 0 "$(cat $ZSYS/integrity_errors)"
expect_eq recompress-io-stat-no-failures "0 0" "$(awk '{print $1, $2}' $ZSYS/io_stat)"
# Rewritten pages are compressed by the primary again.
dd if=/tmp/data of=$ZDEV bs=1M count=1 oflag=direct status=none
expect_eq rewrite-primary-again 0 "$(awk -v n=$(((1 << 20) / PAGE)) 'index($3, "r") && $1 < n' $BSTATE | wc -l)"
check reset sh -c "echo 1 >$ZSYS/reset"
expect_eq reset-clears-recomp-algorithm "" "$(cat $ZSYS/recomp_algorithm)"

# --- recompressed pages written back compressed, read back ----------------------------------
BSYS=/sys/block/${ZMOD}1
if [ -e $ZSYS/backing_dev ]; then
	check backing-init sh -c "echo 32M >$BSYS/disksize"
	check compressed-writeback-set-up sh -c "echo lz4 >$ZSYS/comp_algorithm && \
echo 'algo=zstd priority=1' >$ZSYS/recomp_algorithm && echo 1 >$ZSYS/compressed_writeback && \
echo /dev/${ZMOD}1 >$ZSYS/backing_dev && echo 64M >$ZSYS/disksize"
	dd if=/tmp/data of=$ZDEV bs=1M oflag=direct status=none
	check recompress-before-writeback sh -c "echo 'priority=1' >$ZSYS/recompress"
	check idle-before-writeback sh -c "echo all >$ZSYS/idle && echo idle >$ZSYS/writeback"
	diag "written back: bd_stat $(cat $ZSYS/bd_stat), recompressed and written back: $(block_state_count w) w, $(awk 'index($3, "w") && index($3, "r")' $BSTATE | wc -l) wr"
	expect_eq recompressed-written-back 1 "$([ "$(awk 'index($3, "w") && index($3, "r")' $BSTATE | wc -l)" -gt 0 ] && echo 1)"
	expect_eq recompressed-written-back-read-back "$want" \
		"$(dd if=$ZDEV bs=1M count=16 iflag=direct status=none | md5sum | cut -d' ' -f1)"
	[ "$DRIVER" = c ] || expect_eq written-back-integrity-errors-none 0 "$(cat $ZSYS/integrity_errors)"
	check reset-written-back sh -c "echo 1 >$ZSYS/reset && echo 1 >$BSYS/reset && echo 0 >$ZSYS/compressed_writeback"
fi
