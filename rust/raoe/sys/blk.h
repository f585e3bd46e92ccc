/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thin C glue for a blk-mq disk driven from Rust: the tag set and gendisk with their queue
 * limits, and the request accessors that are static inlines or macros in C.
 */
#ifndef RAOE_BLK_H
#define RAOE_BLK_H

#include <linux/types.h>

#include "pages.h"

struct attribute_group;
struct gendisk;
struct request;
struct raoe_mq_disk;

/* What the Rust driver does for a disk; ctx is the one given at allocation. */
/* The size of the ATA IDENTIFY data HDIO_GET_IDENTITY copies out. */
#define RAOE_IDENTIFY_LEN 512

struct raoe_mq_disk_ops {
	/* Returns 0 when the driver took the request (it ends it later), else an errno. */
	int (*queue_rq)(void *ctx, struct request *rq);
	/* Returns 0 when the disk may be opened, else an errno. */
	int (*open)(void *ctx);
	/* Fills RAOE_IDENTIFY_LEN bytes of ATA IDENTIFY data (HDIO_GET_IDENTITY); 0 or an errno. */
	int (*identity)(void *ctx, u8 *id);
	/* Fills cylinders, heads and sectors per track for HDIO_GETGEO; 0 or an errno. */
	int (*geometry)(void *ctx, u16 *cylinders, u8 *heads, u8 *sectors);
};

struct raoe_mq_disk_config {
	const char *name;	/* disk_name; '!' becomes '/' under /dev */
	unsigned int major;
	int first_minor;
	int minors;
	unsigned int nr_hw_queues;
	unsigned int queue_depth;
	unsigned int max_hw_sectors;
	bool read_only;
	bool write_cache;	/* advertise a volatile write cache: flushes reach the driver */
	const struct attribute_group **groups;	/* sysfs attributes of the disk, or NULL */
};

struct raoe_mq_disk *raoe_mq_disk_alloc(const struct raoe_mq_disk_config *config,
					 const struct raoe_mq_disk_ops *ops, void *ctx);
int raoe_mq_disk_add(struct raoe_mq_disk *disk, u64 capacity);
void raoe_mq_disk_set_capacity(struct raoe_mq_disk *disk, u64 capacity);
/* Refuses every later open and returns 0, or -EBUSY if the disk is open. */
int raoe_mq_disk_close_unless_open(struct raoe_mq_disk *disk);
void raoe_mq_disk_free(struct raoe_mq_disk *disk);

/* The ctx given at allocation, for a disk of ours (in sysfs show functions). */
void *raoe_mq_disk_ctx(struct gendisk *disk);

int raoe_register_blkdev(unsigned int major, const char *name);
void raoe_unregister_blkdev(unsigned int major, const char *name);

enum raoe_rq_op { RAOE_RQ_READ, RAOE_RQ_WRITE, RAOE_RQ_FLUSH, RAOE_RQ_OTHER };

u64 raoe_rq_pos(struct request *rq);
unsigned int raoe_rq_bytes(struct request *rq);
enum raoe_rq_op raoe_rq_op(struct request *rq);
void raoe_rq_start(struct request *rq);
void raoe_rq_end(struct request *rq, int err);
/*
 * Fills out[] with the pages holding the request's bytes [offset, offset + len), one entry per
 * page piece; returns the number of entries or -E2BIG when max is too few. Reads copy replies
 * into these pieces, writes send them.
 */
/* Copies frag->len bytes from src into the piece of page frag names. */
void raoe_frag_copy_in(const struct raoe_frag *frag, const void *src);

int raoe_rq_frags(struct request *rq, unsigned int offset, unsigned int len,
		  struct raoe_frag *out, unsigned int max);

#endif
