/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thin C glue for the page compressors of lib/ (lzo, lzo-rle, lz4, zstd), called directly as
 * zram's backends do: one context holds an algorithm's working memory.
 */
#ifndef RZRAM_COMPRESS_H
#define RZRAM_COMPRESS_H

#include <linux/types.h>

enum rzram_comp_algo {
	RZRAM_COMP_LZO,
	RZRAM_COMP_LZO_RLE,
	RZRAM_COMP_LZ4,
	RZRAM_COMP_ZSTD,
};

struct rzram_comp;

struct rzram_comp *rzram_comp_alloc(enum rzram_comp_algo algo);
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

#endif
