/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The backing device of zram's writeback: a block device opened exclusively, read and written
 * one page-sized block at a time from page-aligned buffers in the kernel's direct mapping.
 */
#ifndef RZRAM_BACKING_H
#define RZRAM_BACKING_H

#include <linux/types.h>

struct rzram_backing;

/*
 * Opens path as zram's backing_dev_store does (zram_drv.c:723): read-write and exclusive.
 * Returns NULL with *err set: filp_open's error (-EBUSY in use, -ENOENT), -ENOTBLK if not a
 * block device, -EROFS if read-only, -EINVAL if smaller than a page (an uninitialised zram or
 * rzram device, itself included), -ENOMEM.
 */
struct rzram_backing *rzram_backing_open(const char *path, int *err);
/* Closes the device; no I/O may be in flight. */
void rzram_backing_close(struct rzram_backing *backing);
/* Its size in pages, fixed at open. */
u64 rzram_backing_pages(const struct rzram_backing *backing);
/* Writes its path and a newline into buf (len bytes); returns the length or an errno. */
ssize_t rzram_backing_path(struct rzram_backing *backing, char *buf, size_t len);

/*
 * Reads block (a page) into buf, a page-aligned buffer of a page, and waits. The bio is
 * submitted from a worker of a reclaim-safe workqueue: a bio submitted inside ->submit_bio
 * only starts after it returns, so waiting there would never end. Returns 0 or an errno.
 */
int rzram_backing_read(struct rzram_backing *backing, u64 block, void *buf);

/* One page of a writeback batch: buf (page-aligned, a page) goes to block; err is its result. */
struct rzram_backing_write {
	void *buf;
	u64 block;
	int err;
};

/*
 * Writes each buffer of writes[0..n) to its block, all in flight at once, and waits for all;
 * not from inside ->submit_bio.
 */
void rzram_backing_write_batch(struct rzram_backing *backing, struct rzram_backing_write *writes,
			       unsigned int n);

/* memalloc_noio_save/restore: every allocation in between is GFP_NOIO. */
unsigned int rzram_noio_save(void);
void rzram_noio_restore(unsigned int flags);

#endif
