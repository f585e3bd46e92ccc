// SPDX-License-Identifier: GPL-2.0
/* See compress.h; the calls follow drivers/block/zram/backend_{lzo,lzorle,lz4,zstd}.c. */
#include <linux/lz4.h>
#include <linux/lzo.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/zstd.h>

#include "compress.h"

struct rzram_comp {
	int algo;
	void *wrkmem;	/* lzo, lz4 */
	zstd_cctx *cctx;	/* in wrkmem */
	zstd_dctx *dctx;	/* in dwrkmem */
	void *dwrkmem;
	zstd_parameters params;
};

struct rzram_comp *rzram_comp_alloc(enum rzram_comp_algo algo)
{
	struct rzram_comp *comp = kzalloc(sizeof(*comp), GFP_KERNEL);
	size_t size;

	if (!comp)
		return NULL;
	comp->algo = algo;
	switch (algo) {
	case RZRAM_COMP_LZO:
	case RZRAM_COMP_LZO_RLE:
		comp->wrkmem = vzalloc(LZO1X_1_MEM_COMPRESS);
		if (!comp->wrkmem)
			goto free;
		return comp;
	case RZRAM_COMP_LZ4:
		comp->wrkmem = vzalloc(LZ4_MEM_COMPRESS);
		if (!comp->wrkmem)
			goto free;
		return comp;
	case RZRAM_COMP_ZSTD:
		comp->params = zstd_get_params(zstd_default_clevel(), PAGE_SIZE);
		size = zstd_cctx_workspace_bound(&comp->params.cParams);
		comp->wrkmem = vzalloc(size);
		if (!comp->wrkmem)
			goto free;
		comp->cctx = zstd_init_cctx(comp->wrkmem, size);
		size = zstd_dctx_workspace_bound();
		comp->dwrkmem = vzalloc(size);
		if (!comp->dwrkmem)
			goto free;
		comp->dctx = zstd_init_dctx(comp->dwrkmem, size);
		if (!comp->cctx || !comp->dctx)
			goto free;
		return comp;
	}
free:
	rzram_comp_free(comp);
	return NULL;
}

void rzram_comp_free(struct rzram_comp *comp)
{
	vfree(comp->wrkmem);
	vfree(comp->dwrkmem);
	kfree(comp);
}

int rzram_comp_compress(struct rzram_comp *comp, const void *src, unsigned int src_len, void *dst,
		       unsigned int dst_cap)
{
	size_t len = dst_cap;
	int ret;

	/* lzo1x_1_compress does not bound its output: make sure its worst case fits. */
	if (dst_cap < lzo1x_worst_compress(src_len))
		return -EINVAL;
	switch (comp->algo) {
	case RZRAM_COMP_LZO:
		ret = lzo1x_1_compress(src, src_len, dst, &len, comp->wrkmem);
		return ret == LZO_E_OK ? (int)len : -EINVAL;
	case RZRAM_COMP_LZO_RLE:
		ret = lzorle1x_1_compress(src, src_len, dst, &len, comp->wrkmem);
		return ret == LZO_E_OK ? (int)len : -EINVAL;
	case RZRAM_COMP_LZ4:
		ret = LZ4_compress_default(src, dst, src_len, dst_cap, comp->wrkmem);
		return ret > 0 ? ret : -EINVAL;
	case RZRAM_COMP_ZSTD:
		len = zstd_compress_cctx(comp->cctx, dst, dst_cap, src, src_len, &comp->params);
		return zstd_is_error(len) ? -EINVAL : (int)len;
	}
	return -EINVAL;
}

int rzram_comp_decompress(struct rzram_comp *comp, const void *src, unsigned int src_len,
			 void *dst, unsigned int dst_len)
{
	size_t len = dst_len;
	int ret;

	switch (comp->algo) {
	case RZRAM_COMP_LZO:
	case RZRAM_COMP_LZO_RLE:
		ret = lzo1x_decompress_safe(src, src_len, dst, &len);
		return ret == LZO_E_OK && len == dst_len ? 0 : -EINVAL;
	case RZRAM_COMP_LZ4:
		ret = LZ4_decompress_safe(src, dst, src_len, dst_len);
		return ret == (int)dst_len ? 0 : -EINVAL;
	case RZRAM_COMP_ZSTD:
		len = zstd_decompress_dctx(comp->dctx, dst, dst_len, src, src_len);
		return !zstd_is_error(len) && len == dst_len ? 0 : -EINVAL;
	}
	return -EINVAL;
}
