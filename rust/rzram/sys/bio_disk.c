// SPDX-License-Identifier: GPL-2.0
/* See bio_disk.h. */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/slab.h>

#include "bio_disk.h"

struct rzram_bio_disk {
	struct gendisk *disk;
	const struct rzram_bio_disk_ops *ops;
	void *ctx;
	const struct attribute_group **groups;
	bool added;
	bool claimed;	/* under disk->open_mutex */
};

static int rzram_bio_disk_open(struct gendisk *gd, blk_mode_t mode)
{
	struct rzram_bio_disk *disk = gd->private_data;

	return disk->claimed ? -EBUSY : 0;
}

static void rzram_bio_disk_submit(struct bio *bio)
{
	struct rzram_bio_disk *disk = bio->bi_bdev->bd_disk->private_data;

	disk->ops->submit_bio(disk->ctx, bio);
}

static void rzram_bio_disk_slot_free(struct block_device *bdev, unsigned long index)
{
	struct rzram_bio_disk *disk = bdev->bd_disk->private_data;

	disk->ops->swap_slot_free_notify(disk->ctx, index);
}

static const struct block_device_operations rzram_bio_disk_fops = {
	.owner = THIS_MODULE,
	.open = rzram_bio_disk_open,
	.submit_bio = rzram_bio_disk_submit,
	.swap_slot_free_notify = rzram_bio_disk_slot_free,
};

struct rzram_bio_disk *rzram_bio_disk_alloc(const char *name, const struct rzram_bio_disk_ops *ops,
					  void *ctx, const struct attribute_group **groups)
{
	struct queue_limits lim = {
		.logical_block_size = SZ_4K,
		.physical_block_size = PAGE_SIZE,
		.io_min = PAGE_SIZE,
		.io_opt = PAGE_SIZE,
		.max_hw_discard_sectors = UINT_MAX,
		.max_write_zeroes_sectors = UINT_MAX,
		.features = BLK_FEAT_STABLE_WRITES | BLK_FEAT_SYNCHRONOUS,
	};
	struct rzram_bio_disk *disk;
	int err;

	disk = kzalloc(sizeof(*disk), GFP_KERNEL);
	if (!disk)
		return ERR_PTR(-ENOMEM);
	disk->ops = ops;
	disk->ctx = ctx;
	disk->groups = groups;
	disk->disk = blk_alloc_disk(&lim, NUMA_NO_NODE);
	if (IS_ERR(disk->disk)) {
		err = PTR_ERR(disk->disk);
		kfree(disk);
		return ERR_PTR(err);
	}
	/* No major: add_disk gives the disk a dynamic (extended) dev_t. */
	disk->disk->flags |= GENHD_FL_NO_PART;
	disk->disk->fops = &rzram_bio_disk_fops;
	disk->disk->private_data = disk;
	strscpy(disk->disk->disk_name, name, DISK_NAME_LEN);
	set_capacity(disk->disk, 0);
	return disk;
}

int rzram_bio_disk_add(struct rzram_bio_disk *disk)
{
	int err = device_add_disk(NULL, disk->disk, disk->groups);

	disk->added = !err;
	return err;
}

void rzram_bio_disk_free(struct rzram_bio_disk *disk)
{
	/* del_gendisk waits for the bios in flight and the sysfs callbacks running. */
	if (disk->added)
		del_gendisk(disk->disk);
	put_disk(disk->disk);
	kfree(disk);
}

struct rzram_bio_disk *rzram_bio_disk_of(struct gendisk *disk)
{
	return disk->private_data;
}

void *rzram_bio_disk_ctx(struct rzram_bio_disk *disk)
{
	return disk->ctx;
}

int rzram_bio_disk_claim(struct rzram_bio_disk *disk)
{
	int err = 0;

	mutex_lock(&disk->disk->open_mutex);
	if (disk_openers(disk->disk) || disk->claimed)
		err = -EBUSY;
	else
		disk->claimed = true;
	mutex_unlock(&disk->disk->open_mutex);
	return err;
}

void rzram_bio_disk_release(struct rzram_bio_disk *disk)
{
	mutex_lock(&disk->disk->open_mutex);
	disk->claimed = false;
	mutex_unlock(&disk->disk->open_mutex);
}

void rzram_bio_disk_sync(struct rzram_bio_disk *disk)
{
	sync_blockdev(disk->disk->part0);
}

void rzram_bio_disk_set_capacity(struct rzram_bio_disk *disk, u64 sectors)
{
	set_capacity_and_notify(disk->disk, sectors);
}

enum rzram_bio_op rzram_bio_op(struct bio *bio)
{
	switch (bio_op(bio)) {
	case REQ_OP_READ:
		return RZRAM_BIO_READ;
	case REQ_OP_WRITE:
		return RZRAM_BIO_WRITE;
	case REQ_OP_DISCARD:
		return RZRAM_BIO_DISCARD;
	case REQ_OP_WRITE_ZEROES:
		return RZRAM_BIO_WRITE_ZEROES;
	default:
		return RZRAM_BIO_OTHER;
	}
}

static struct bvec_iter rzram_bvec_iter(const struct rzram_bio_iter *iter)
{
	return (struct bvec_iter) {
		.bi_sector = iter->sector,
		.bi_size = iter->size,
		.bi_idx = iter->idx,
		.bi_offset = iter->offset,
	};
}

void rzram_bio_iter_start(struct bio *bio, struct rzram_bio_iter *iter)
{
	iter->sector = bio->bi_iter.bi_sector;
	iter->size = bio->bi_iter.bi_size;
	iter->idx = bio->bi_iter.bi_idx;
	iter->offset = bio->bi_iter.bi_offset;
}

bool rzram_bio_iter_next(struct bio *bio, struct rzram_bio_iter *iter, struct rzram_bio_seg *seg)
{
	struct bvec_iter bi = rzram_bvec_iter(iter);
	u32 in_page = (bi.bi_sector & (PAGE_SECTORS - 1)) << SECTOR_SHIFT;
	struct bio_vec bv;

	if (!bi.bi_size || !bio_has_data(bio))
		return false;
	/* bio_iter_iovec splits multi-page (large folio) vectors at page boundaries. */
	bv = bio_iter_iovec(bio, bi);
	seg->page = bv.bv_page;
	seg->offset = bv.bv_offset;
	seg->len = min_t(u32, bv.bv_len, PAGE_SIZE - in_page);
	seg->sector = bi.bi_sector;
	bio_advance_iter_single(bio, &bi, seg->len);
	iter->sector = bi.bi_sector;
	iter->size = bi.bi_size;
	iter->idx = bi.bi_idx;
	iter->offset = bi.bi_offset;
	return true;
}

void rzram_bio_end(struct bio *bio, int err)
{
	bio->bi_status = errno_to_blk_status(err);
	bio_endio(bio);
}

void rzram_bio_seg_read(const struct rzram_bio_seg *seg, void *dst)
{
	memcpy_from_page(dst, seg->page, seg->offset, seg->len);
}

void rzram_bio_seg_write(const struct rzram_bio_seg *seg, const void *src)
{
	memcpy_to_page(seg->page, seg->offset, src, seg->len);
	flush_dcache_page(seg->page);
}

void *rzram_bio_seg_map(const struct rzram_bio_seg *seg)
{
	return kmap_local_page(seg->page) + seg->offset;
}

void rzram_bio_seg_unmap(const struct rzram_bio_seg *seg, void *addr)
{
	kunmap_local(addr);
	flush_dcache_page(seg->page);
}

void rzram_bio_mapped_fill(void *addr, u64 word, u32 len)
{
	memset64(addr, word, len / sizeof(u64));
}

void rzram_bio_mapped_copy(void *addr, const void *src, u32 len)
{
	memcpy(addr, src, len);
}
