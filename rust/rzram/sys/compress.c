// SPDX-License-Identifier: GPL-2.0
/* See compress.h; the calls follow drivers/block/zram/backend_{lzo,lzorle,lz4,zstd}.c. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel_read_file.h>
#include <linux/lz4.h>
#include <linux/lzo.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/zstd.h>

#include "compress.h"

struct rzram_comp_params {
	int algo;
	int level;
	const void *dict;
	size_t dict_sz;
	/* zstd: the parameters of its level; with a dictionary, its digested forms. */
	zstd_parameters zstd;
	zstd_custom_mem zstd_mem;
	zstd_cdict *cdict;
	zstd_ddict *ddict;
	/* lz4 with a dictionary: the stream that loaded it, copied before each compression. */
	LZ4_stream_t *lz4_dict;
};

struct rzram_comp {
	const struct rzram_comp_params *params;
	void *wrkmem;		/* lzo, lz4 without a dictionary; zstd's cctx without one */
	void *dwrkmem;		/* zstd's dctx without a dictionary */
	zstd_cctx *cctx;
	zstd_dctx *dctx;
	LZ4_stream_t *lz4_cstrm;
	LZ4_streamDecode_t *lz4_dstrm;
};

/* What zstd allocates for a dictionary (backend_zstd.c). */
static void *rzram_zstd_alloc(void *opaque, size_t size)
{
	return kvzalloc(size, GFP_NOIO | __GFP_NOWARN);
}

static void rzram_zstd_free(void *opaque, void *address)
{
	kvfree(address);
}

static int rzram_zstd_setup(struct rzram_comp_params *params)
{
	if (params->level == RZRAM_COMP_LEVEL_DEFAULT) {
		params->level = zstd_default_clevel();
	} else if (params->level < zstd_min_clevel() || params->level > zstd_max_clevel()) {
		pr_err("zstd: invalid compression level %d\n", params->level);
		return -EINVAL;
	}
	params->zstd = zstd_get_params(params->level, PAGE_SIZE);
	if (!params->dict_sz)
		return 0;
	params->zstd_mem.customAlloc = rzram_zstd_alloc;
	params->zstd_mem.customFree = rzram_zstd_free;
	params->cdict = zstd_create_cdict_byreference(params->dict, params->dict_sz,
			zstd_get_cparams(params->level, PAGE_SIZE, params->dict_sz),
			params->zstd_mem);
	params->ddict = zstd_create_ddict_byreference(params->dict, params->dict_sz,
						      params->zstd_mem);
	return params->cdict && params->ddict ? 0 : -EINVAL;
}

static int rzram_lz4_setup(struct rzram_comp_params *params)
{
	if (params->level == RZRAM_COMP_LEVEL_DEFAULT) {
		params->level = LZ4_ACCELERATION_DEFAULT;
	} else if (params->level < LZ4_ACCELERATION_DEFAULT) {
		pr_err("lz4: invalid compression level %d\n", params->level);
		return -EINVAL;
	}
	if (!params->dict_sz)
		return 0;
	params->lz4_dict = kzalloc(sizeof(*params->lz4_dict), GFP_KERNEL);
	if (!params->lz4_dict)
		return -ENOMEM;
	return LZ4_loadDict(params->lz4_dict, params->dict, params->dict_sz) == params->dict_sz ?
		0 : -EINVAL;
}

struct rzram_comp_params *rzram_comp_params_alloc(enum rzram_comp_algo algo, int level,
						   const void *dict, size_t dict_sz, int *err)
{
	struct rzram_comp_params *params = kzalloc(sizeof(*params), GFP_KERNEL);

	if (!params) {
		*err = -ENOMEM;
		return NULL;
	}
	params->algo = algo;
	params->level = level;
	params->dict = dict;
	params->dict_sz = dict ? dict_sz : 0;
	switch (algo) {
	case RZRAM_COMP_LZO:
	case RZRAM_COMP_LZO_RLE:
		*err = 0;
		break;
	case RZRAM_COMP_LZ4:
		*err = rzram_lz4_setup(params);
		break;
	case RZRAM_COMP_ZSTD:
		*err = rzram_zstd_setup(params);
		break;
	default:
		*err = -EINVAL;
	}
	if (*err) {
		rzram_comp_params_free(params);
		return NULL;
	}
	return params;
}

void rzram_comp_params_free(struct rzram_comp_params *params)
{
	zstd_free_cdict(params->cdict);
	zstd_free_ddict(params->ddict);
	kfree(params->lz4_dict);
	kfree(params);
}

static int rzram_zstd_alloc_contexts(struct rzram_comp *comp)
{
	const struct rzram_comp_params *params = comp->params;
	size_t size;

	if (params->dict_sz) {
		comp->cctx = zstd_create_cctx_advanced(params->zstd_mem);
		comp->dctx = zstd_create_dctx_advanced(params->zstd_mem);
		return comp->cctx && comp->dctx ? 0 : -ENOMEM;
	}
	size = zstd_cctx_workspace_bound(&params->zstd.cParams);
	comp->wrkmem = vzalloc(size);
	if (!comp->wrkmem)
		return -ENOMEM;
	comp->cctx = zstd_init_cctx(comp->wrkmem, size);
	size = zstd_dctx_workspace_bound();
	comp->dwrkmem = vzalloc(size);
	if (!comp->dwrkmem)
		return -ENOMEM;
	comp->dctx = zstd_init_dctx(comp->dwrkmem, size);
	return comp->cctx && comp->dctx ? 0 : -ENOMEM;
}

struct rzram_comp *rzram_comp_alloc(const struct rzram_comp_params *params)
{
	struct rzram_comp *comp = kzalloc(sizeof(*comp), GFP_KERNEL);
	int err = -ENOMEM;

	if (!comp)
		return NULL;
	comp->params = params;
	switch (params->algo) {
	case RZRAM_COMP_LZO:
	case RZRAM_COMP_LZO_RLE:
		comp->wrkmem = vzalloc(LZO1X_1_MEM_COMPRESS);
		err = comp->wrkmem ? 0 : -ENOMEM;
		break;
	case RZRAM_COMP_LZ4:
		if (params->dict_sz) {
			comp->lz4_cstrm = kzalloc(sizeof(*comp->lz4_cstrm), GFP_KERNEL);
			comp->lz4_dstrm = kzalloc(sizeof(*comp->lz4_dstrm), GFP_KERNEL);
			err = comp->lz4_cstrm && comp->lz4_dstrm ? 0 : -ENOMEM;
		} else {
			comp->wrkmem = vzalloc(LZ4_MEM_COMPRESS);
			err = comp->wrkmem ? 0 : -ENOMEM;
		}
		break;
	case RZRAM_COMP_ZSTD:
		err = rzram_zstd_alloc_contexts(comp);
		break;
	}
	if (err) {
		rzram_comp_free(comp);
		return NULL;
	}
	return comp;
}

void rzram_comp_free(struct rzram_comp *comp)
{
	/* With a dictionary zstd's contexts are its own allocations, else in wrkmem/dwrkmem. */
	if (comp->params->dict_sz && comp->params->algo == RZRAM_COMP_ZSTD) {
		zstd_free_cctx(comp->cctx);
		zstd_free_dctx(comp->dctx);
	}
	vfree(comp->wrkmem);
	vfree(comp->dwrkmem);
	kfree(comp->lz4_cstrm);
	kfree(comp->lz4_dstrm);
	kfree(comp);
}

int rzram_comp_compress(struct rzram_comp *comp, const void *src, unsigned int src_len, void *dst,
		       unsigned int dst_cap)
{
	const struct rzram_comp_params *params = comp->params;
	size_t len = dst_cap;
	int ret;

	/* lzo1x_1_compress does not bound its output: make sure its worst case fits. */
	if (dst_cap < lzo1x_worst_compress(src_len))
		return -EINVAL;
	switch (params->algo) {
	case RZRAM_COMP_LZO:
		ret = lzo1x_1_compress(src, src_len, dst, &len, comp->wrkmem);
		return ret == LZO_E_OK ? (int)len : -EINVAL;
	case RZRAM_COMP_LZO_RLE:
		ret = lzorle1x_1_compress(src, src_len, dst, &len, comp->wrkmem);
		return ret == LZO_E_OK ? (int)len : -EINVAL;
	case RZRAM_COMP_LZ4:
		if (!params->dict_sz) {
			ret = LZ4_compress_fast(src, dst, src_len, dst_cap, params->level,
						comp->wrkmem);
		} else {
			/* Every page starts from the loaded dictionary. */
			memcpy(comp->lz4_cstrm, params->lz4_dict, sizeof(*comp->lz4_cstrm));
			ret = LZ4_compress_fast_continue(comp->lz4_cstrm, src, dst, src_len, dst_cap,
							 params->level);
		}
		return ret > 0 ? ret : -EINVAL;
	case RZRAM_COMP_ZSTD:
		if (!params->dict_sz)
			len = zstd_compress_cctx(comp->cctx, dst, dst_cap, src, src_len,
						 &params->zstd);
		else
			len = zstd_compress_using_cdict(comp->cctx, dst, dst_cap, src, src_len,
							params->cdict);
		return zstd_is_error(len) ? -EINVAL : (int)len;
	}
	return -EINVAL;
}

int rzram_comp_decompress(struct rzram_comp *comp, const void *src, unsigned int src_len,
			 void *dst, unsigned int dst_len)
{
	const struct rzram_comp_params *params = comp->params;
	size_t len = dst_len;
	int ret;

	switch (params->algo) {
	case RZRAM_COMP_LZO:
	case RZRAM_COMP_LZO_RLE:
		ret = lzo1x_decompress_safe(src, src_len, dst, &len);
		return ret == LZO_E_OK && len == dst_len ? 0 : -EINVAL;
	case RZRAM_COMP_LZ4:
		if (!params->dict_sz) {
			ret = LZ4_decompress_safe(src, dst, src_len, dst_len);
		} else {
			if (!LZ4_setStreamDecode(comp->lz4_dstrm, params->dict, params->dict_sz))
				return -EINVAL;
			ret = LZ4_decompress_safe_continue(comp->lz4_dstrm, src, dst, src_len,
							   dst_len);
		}
		return ret == (int)dst_len ? 0 : -EINVAL;
	case RZRAM_COMP_ZSTD:
		if (!params->dict_sz)
			len = zstd_decompress_dctx(comp->dctx, dst, dst_len, src, src_len);
		else
			len = zstd_decompress_using_ddict(comp->dctx, dst, dst_len, src, src_len,
							  params->ddict);
		return !zstd_is_error(len) && len == dst_len ? 0 : -EINVAL;
	}
	return -EINVAL;
}

ssize_t rzram_dict_load(const char *path, void **buf)
{
	ssize_t size;

	*buf = NULL;
	size = kernel_read_file_from_path(path, 0, buf, INT_MAX, NULL, READING_POLICY);
	if (size < 0) {
		pr_err("failed to load dictionary %s (err=%zd)\n", path, size);
		return size;
	}
	if (size == 0) {
		pr_err("failed to load dictionary %s (empty file)\n", path);
		vfree(*buf);
		*buf = NULL;
		return -EINVAL;
	}
	return size;
}

void rzram_dict_free(void *buf)
{
	vfree(buf);
}
