/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thin C glue for a bio-based RAM disk driven from Rust: the gendisk with its queue limits and
 * fops, and the bio accessors that are static inlines or macros in C.
 */
#ifndef RZRAM_BIO_DISK_H
#define RZRAM_BIO_DISK_H

#include <linux/types.h>

struct attribute_group;
struct bio;
struct gendisk;
struct page;
struct rzram_bio_disk;

struct rzram_bio_disk_ops {
	void (*submit_bio)(void *ctx, struct bio *bio);
	/* Called with swap_lock held: must not sleep. */
	void (*swap_slot_free_notify)(void *ctx, unsigned long index);
};

/*
 * A disk of PAGE_SIZE blocks with stable writes, synchronous I/O, discard and write-zeroes,
 * named `name` and not yet visible; groups are its sysfs attributes (may be NULL).
 */
struct rzram_bio_disk *rzram_bio_disk_alloc(const char *name, const struct rzram_bio_disk_ops *ops,
					  void *ctx, const struct attribute_group **groups);
int rzram_bio_disk_add(struct rzram_bio_disk *disk);
void rzram_bio_disk_free(struct rzram_bio_disk *disk);

/* Our disk behind a gendisk (in sysfs callbacks), and the ctx given at allocation. */
struct rzram_bio_disk *rzram_bio_disk_of(struct gendisk *disk);
void *rzram_bio_disk_ctx(struct rzram_bio_disk *disk);

/* Refuses opens until released; -EBUSY when the disk is open or already claimed. */
int rzram_bio_disk_claim(struct rzram_bio_disk *disk);
void rzram_bio_disk_release(struct rzram_bio_disk *disk);
/* Writes back and waits for the disk's dirty page cache. */
void rzram_bio_disk_sync(struct rzram_bio_disk *disk);
void rzram_bio_disk_set_capacity(struct rzram_bio_disk *disk, u64 sectors);

enum rzram_bio_op {
	RZRAM_BIO_READ,
	RZRAM_BIO_WRITE,
	RZRAM_BIO_DISCARD,
	RZRAM_BIO_WRITE_ZEROES,
	RZRAM_BIO_OTHER,
};

/* Where an iteration over a bio's data stands (the fields of a struct bvec_iter). */
struct rzram_bio_iter {
	u64 sector;
	u32 size;
	u32 idx;
	u32 offset;
};

/* One piece of a bio's data within one page. */
struct rzram_bio_seg {
	struct page *page;
	u32 offset;
	u32 len;
	u64 sector;
};

enum rzram_bio_op rzram_bio_op(struct bio *bio);
void rzram_bio_iter_start(struct bio *bio, struct rzram_bio_iter *iter);
/*
 * Fills seg with the next piece of data, which crosses no page boundary in memory nor on the
 * disk, and advances past it; returns false at the end and for bios without data.
 */
bool rzram_bio_iter_next(struct bio *bio, struct rzram_bio_iter *iter, struct rzram_bio_seg *seg);
void rzram_bio_end(struct bio *bio, int err);

/* Copies a piece's bytes out of, or into, its page. */
void rzram_bio_seg_read(const struct rzram_bio_seg *seg, void *dst);
void rzram_bio_seg_write(const struct rzram_bio_seg *seg, const void *src);

/*
 * Maps a piece for the driver to fill in place (kmap_local: unmap in reverse order), and
 * fills or copies into such a mapping; len is the piece's, a multiple of 8 for a fill.
 */
void *rzram_bio_seg_map(const struct rzram_bio_seg *seg);
void rzram_bio_seg_unmap(const struct rzram_bio_seg *seg, void *addr);
void rzram_bio_mapped_fill(void *addr, u64 word, u32 len);
void rzram_bio_mapped_copy(void *addr, const void *src, u32 len);

#endif
