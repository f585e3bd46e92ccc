/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thin C glue for the page compressors of lib/ (lzo, lzo-rle, lz4, zstd), called directly as
 * zram's backends do: parameters (level, dictionary) are set up once per device and shared by
 * its contexts, one context per stream holds an algorithm's working memory.
 */
#ifndef RZRAM_COMPRESS_H
#define RZRAM_COMPRESS_H

#include <linux/limits.h>
#include <linux/types.h>

enum rzram_comp_algo {
	RZRAM_COMP_LZO,
	RZRAM_COMP_LZO_RLE,
	RZRAM_COMP_LZ4,
	RZRAM_COMP_ZSTD,
};

/* A level left to the algorithm's default (zcomp.h's ZCOMP_PARAM_NOT_SET); an enum for bindgen. */
enum { RZRAM_COMP_LEVEL_DEFAULT = INT_MIN };

struct rzram_comp_params;
struct rzram_comp;

/*
 * The parameters of algo: level (zstd: its levels; lz4: the acceleration, at least 1; lzo:
 * ignored) and a dictionary of dict_sz bytes (zstd, lz4; lzo: ignored; NULL and 0 for none),
 * which the caller keeps until the parameters are freed. NULL with *err set: -EINVAL for a
 * level or dictionary the algorithm refuses, -ENOMEM.
 */
struct rzram_comp_params *rzram_comp_params_alloc(enum rzram_comp_algo algo, int level,
						   const void *dict, size_t dict_sz, int *err);
void rzram_comp_params_free(struct rzram_comp_params *params);

/* A context for params, which must outlive it. */
struct rzram_comp *rzram_comp_alloc(const struct rzram_comp_params *params);
void rzram_comp_free(struct rzram_comp *comp);
/*
 * Compresses src_len bytes into dst, whose capacity must be at least 2 * src_len (the worst
 * case of every algorithm here for a page); returns the compressed length or a negative errno.
 */
int rzram_comp_compress(struct rzram_comp *comp, const void *src, unsigned int src_len, void *dst,
		       unsigned int dst_cap);
/* Decompresses into dst; 0 only when exactly dst_len bytes came out. */
int rzram_comp_decompress(struct rzram_comp *comp, const void *src, unsigned int src_len,
			 void *dst, unsigned int dst_len);

/*
 * Reads the dictionary file at path as zram does (kernel_read_file_from_path, so the LSMs and
 * IMA see it): its size, with *buf to free with rzram_dict_free; -EINVAL for an empty file, or
 * the read's errno.
 */
ssize_t rzram_dict_load(const char *path, void **buf);
void rzram_dict_free(void *buf);

#endif
