// SPDX-License-Identifier: GPL-2.0
/* See zsmalloc.h. */
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/numa.h>
#include <linux/zsmalloc.h>

#include "zsmalloc.h"

int kffi_zs_malloc(struct zs_pool *pool, size_t len, unsigned long *handle)
{
	unsigned long h = zs_malloc(pool, len, GFP_NOIO | __GFP_NOWARN | __GFP_HIGHMEM |
				    __GFP_MOVABLE, NUMA_NO_NODE);

	if (IS_ERR_VALUE(h))
		return (int)h;
	*handle = h;
	return 0;
}

unsigned long kffi_zs_pages_compacted(struct zs_pool *pool)
{
	struct zs_pool_stats stats = {};

	zs_pool_stats(pool, &stats);
	return atomic_long_read(&stats.pages_compacted);
}
