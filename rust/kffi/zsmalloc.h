/* SPDX-License-Identifier: GPL-2.0 */
/* Thin C glue for zsmalloc: the allocation flags of a swap device and the pool statistics. */
#ifndef KFFI_ZSMALLOC_H
#define KFFI_ZSMALLOC_H

#include <linux/types.h>

struct zs_pool;

/*
 * Allocates a len-byte object for data written on the swap-out path (no I/O, no warning,
 * movable, highmem allowed); stores its handle and returns 0, or returns a negative errno.
 */
int kffi_zs_malloc(struct zs_pool *pool, size_t len, unsigned long *handle);
/* Pages freed by compaction since the pool was created. */
unsigned long kffi_zs_pages_compacted(struct zs_pool *pool);

#endif
