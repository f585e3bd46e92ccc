/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thin C glue for zsmalloc: the allocation flags of a swap device, the pool statistics, and
 * every zsmalloc function Rust calls, each through a wrapper compiled against
 * <linux/zsmalloc.h>, so that a changed signature fails the build.
 */
#ifndef RZRAM_ZSMALLOC_H
#define RZRAM_ZSMALLOC_H

#include <linux/types.h>

struct zs_pool;

/*
 * Allocates a len-byte object for data written on the swap-out path (no I/O, no warning,
 * movable, highmem allowed); stores its handle and returns 0, or returns a negative errno.
 */
int rzram_zs_malloc(struct zs_pool *pool, size_t len, unsigned long *handle);
/* Pages freed by compaction since the pool was created. */
unsigned long rzram_zs_pages_compacted(struct zs_pool *pool);

/* The zsmalloc functions of the same names (zs_*), unchanged. */
struct zs_pool *rzram_zs_create_pool(const char *name);
void rzram_zs_destroy_pool(struct zs_pool *pool);
void rzram_zs_free(struct zs_pool *pool, unsigned long handle);
void rzram_zs_obj_write(struct zs_pool *pool, unsigned long handle, void *mem, size_t len);
void *rzram_zs_obj_read_begin(struct zs_pool *pool, unsigned long handle, size_t len,
			     void *local_copy);
void rzram_zs_obj_read_end(struct zs_pool *pool, unsigned long handle, size_t len, void *mem);
unsigned long rzram_zs_get_total_pages(struct zs_pool *pool);
size_t rzram_zs_huge_class_size(struct zs_pool *pool);
unsigned int rzram_zs_lookup_class_index(struct zs_pool *pool, unsigned int size);
unsigned long rzram_zs_compact(struct zs_pool *pool);

#endif
