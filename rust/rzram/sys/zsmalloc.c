// SPDX-License-Identifier: GPL-2.0
/* See zsmalloc.h. */
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/numa.h>
#include <linux/zsmalloc.h>

#include "zsmalloc.h"

int rzram_zs_malloc(struct zs_pool *pool, size_t len, unsigned long *handle)
{
	unsigned long h = zs_malloc(pool, len, GFP_NOIO | __GFP_NOWARN | __GFP_HIGHMEM |
				    __GFP_MOVABLE, NUMA_NO_NODE);

	if (IS_ERR_VALUE(h))
		return (int)h;
	*handle = h;
	return 0;
}

unsigned long rzram_zs_pages_compacted(struct zs_pool *pool)
{
	struct zs_pool_stats stats = {};

	zs_pool_stats(pool, &stats);
	return atomic_long_read(&stats.pages_compacted);
}

struct zs_pool *rzram_zs_create_pool(const char *name)
{
	return zs_create_pool(name);
}

void rzram_zs_destroy_pool(struct zs_pool *pool)
{
	zs_destroy_pool(pool);
}

void rzram_zs_free(struct zs_pool *pool, unsigned long handle)
{
	zs_free(pool, handle);
}

void rzram_zs_obj_write(struct zs_pool *pool, unsigned long handle, void *mem, size_t len)
{
	zs_obj_write(pool, handle, mem, len);
}

void *rzram_zs_obj_read_begin(struct zs_pool *pool, unsigned long handle, size_t len,
			     void *local_copy)
{
	return zs_obj_read_begin(pool, handle, len, local_copy);
}

void rzram_zs_obj_read_end(struct zs_pool *pool, unsigned long handle, size_t len, void *mem)
{
	zs_obj_read_end(pool, handle, len, mem);
}

unsigned long rzram_zs_get_total_pages(struct zs_pool *pool)
{
	return zs_get_total_pages(pool);
}

size_t rzram_zs_huge_class_size(struct zs_pool *pool)
{
	return zs_huge_class_size(pool);
}

unsigned int rzram_zs_lookup_class_index(struct zs_pool *pool, unsigned int size)
{
	return zs_lookup_class_index(pool, size);
}

unsigned long rzram_zs_compact(struct zs_pool *pool)
{
	return zs_compact(pool);
}
