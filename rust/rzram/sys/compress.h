/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thin C glue for the page compressors of lib/ (lzo, lzo-rle, lz4, zstd), called directly as
 * zram's backends do: one context holds an algorithm's working memory.
 */
#ifndef KFFI_COMPRESS_H
#define KFFI_COMPRESS_H

#include <linux/types.h>

enum kffi_comp_algo {
	KFFI_COMP_LZO,
	KFFI_COMP_LZO_RLE,
	KFFI_COMP_LZ4,
	KFFI_COMP_ZSTD,
};

struct kffi_comp;

struct kffi_comp *kffi_comp_alloc(enum kffi_comp_algo algo);
void kffi_comp_free(struct kffi_comp *comp);
/*
 * Compresses src_len bytes into dst, whose capacity must be at least 2 * src_len (the worst
 * case of every algorithm here for a page); returns the compressed length or a negative errno.
 */
int kffi_comp_compress(struct kffi_comp *comp, const void *src, unsigned int src_len, void *dst,
		       unsigned int dst_cap);
/* Decompresses into dst; 0 only when exactly dst_len bytes came out. */
int kffi_comp_decompress(struct kffi_comp *comp, const void *src, unsigned int src_len,
			 void *dst, unsigned int dst_len);

#endif
