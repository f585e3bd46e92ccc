// SPDX-License-Identifier: GPL-2.0
/* See blk.h. */
#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/hdreg.h>
#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "blk.h"

struct raoe_mq_disk {
	struct blk_mq_tag_set tag_set;
	struct gendisk *disk;
	const struct raoe_mq_disk_ops *ops;
	void *ctx;
	const struct attribute_group **groups;
	bool added;
	bool closed;	/* no more opens: the disk is being removed; under open_mutex */
};

static blk_status_t raoe_queue_rq(struct blk_mq_hw_ctx *hctx, const struct blk_mq_queue_data *bd)
{
	struct raoe_mq_disk *disk = hctx->queue->queuedata;

	return errno_to_blk_status(disk->ops->queue_rq(disk->ctx, bd->rq));
}

static const struct blk_mq_ops raoe_mq_ops = {
	.queue_rq = raoe_queue_rq,
};

static int raoe_open(struct gendisk *gd, blk_mode_t mode)
{
	struct raoe_mq_disk *disk = gd->queue->queuedata;

	/* ->open runs under gd->open_mutex, as raoe_mq_disk_close_unless_open sets closed. */
	if (disk->closed)
		return -ENODEV;
	return disk->ops->open(disk->ctx);
}

static int raoe_ioctl(struct block_device *bdev, blk_mode_t mode, unsigned int cmd,
		      unsigned long arg)
{
	struct raoe_mq_disk *disk = bdev->bd_disk->queue->queuedata;
	u8 id[RAOE_IDENTIFY_LEN];
	int err;

	if (cmd != HDIO_GET_IDENTITY)
		return -ENOTTY;
	if (!arg)
		return -EINVAL;
	err = disk->ops->identity(disk->ctx, id);
	if (err)
		return err;
	return copy_to_user((void __user *)arg, id, sizeof(id)) ? -EFAULT : 0;
}

static int raoe_getgeo(struct gendisk *gd, struct hd_geometry *geo)
{
	struct raoe_mq_disk *disk = gd->queue->queuedata;
	u16 cylinders;
	u8 heads, sectors;
	int err = disk->ops->geometry(disk->ctx, &cylinders, &heads, &sectors);

	if (err)
		return err;
	geo->cylinders = cylinders;
	geo->heads = heads;
	geo->sectors = sectors;
	return 0;
}

/* owner: an open disk holds the module, so rmmod is refused while one is open. */
static const struct block_device_operations raoe_bdops = {
	.owner = THIS_MODULE,
	.open = raoe_open,
	.ioctl = raoe_ioctl,
	.getgeo = raoe_getgeo,
};

struct raoe_mq_disk *raoe_mq_disk_alloc(const struct raoe_mq_disk_config *config,
					 const struct raoe_mq_disk_ops *ops, void *ctx)
{
	struct queue_limits lim = {
		.logical_block_size = SECTOR_SIZE,
		.max_hw_sectors = config->max_hw_sectors,
		.features = config->write_cache ? BLK_FEAT_WRITE_CACHE : 0,
	};
	struct raoe_mq_disk *disk;
	int err;

	disk = kzalloc(sizeof(*disk), GFP_KERNEL);
	if (!disk)
		return ERR_PTR(-ENOMEM);
	disk->ops = ops;
	disk->ctx = ctx;
	disk->groups = config->groups;
	disk->tag_set.ops = &raoe_mq_ops;
	disk->tag_set.nr_hw_queues = config->nr_hw_queues;
	disk->tag_set.queue_depth = config->queue_depth;
	disk->tag_set.numa_node = NUMA_NO_NODE;
	err = blk_mq_alloc_tag_set(&disk->tag_set);
	if (err)
		goto free;
	disk->disk = blk_mq_alloc_disk(&disk->tag_set, &lim, disk);
	if (IS_ERR(disk->disk)) {
		err = PTR_ERR(disk->disk);
		goto free_tags;
	}
	disk->disk->major = config->major;
	disk->disk->first_minor = config->first_minor;
	disk->disk->minors = config->minors;
	disk->disk->fops = &raoe_bdops;
	strscpy(disk->disk->disk_name, config->name, DISK_NAME_LEN);
	set_disk_ro(disk->disk, config->read_only);
	return disk;

free_tags:
	blk_mq_free_tag_set(&disk->tag_set);
free:
	kfree(disk);
	return ERR_PTR(err);
}

int raoe_mq_disk_add(struct raoe_mq_disk *disk, u64 capacity)
{
	int err;

	set_capacity(disk->disk, capacity);
	err = device_add_disk(NULL, disk->disk, disk->groups);
	disk->added = !err;
	return err;
}

void raoe_mq_disk_set_capacity(struct raoe_mq_disk *disk, u64 capacity)
{
	set_capacity_and_notify(disk->disk, capacity);
}

int raoe_mq_disk_close_unless_open(struct raoe_mq_disk *disk)
{
	int err = 0;

	mutex_lock(&disk->disk->open_mutex);
	if (disk_openers(disk->disk))
		err = -EBUSY;
	else
		disk->closed = true;
	mutex_unlock(&disk->disk->open_mutex);
	return err;
}

void raoe_mq_disk_free(struct raoe_mq_disk *disk)
{
	/* del_gendisk drains the queue: every request in flight has ended when it returns. */
	if (disk->added)
		del_gendisk(disk->disk);
	put_disk(disk->disk);
	blk_mq_free_tag_set(&disk->tag_set);
	kfree(disk);
}

void *raoe_mq_disk_ctx(struct gendisk *disk)
{
	struct raoe_mq_disk *d = disk->queue->queuedata;

	return d->ctx;
}

int raoe_register_blkdev(unsigned int major, const char *name)
{
	return register_blkdev(major, name);
}

void raoe_unregister_blkdev(unsigned int major, const char *name)
{
	unregister_blkdev(major, name);
}

u64 raoe_rq_pos(struct request *rq)
{
	return blk_rq_pos(rq);
}

unsigned int raoe_rq_bytes(struct request *rq)
{
	return blk_rq_bytes(rq);
}

enum raoe_rq_op raoe_rq_op(struct request *rq)
{
	switch (req_op(rq)) {
	case REQ_OP_READ:
		return RAOE_RQ_READ;
	case REQ_OP_WRITE:
		return RAOE_RQ_WRITE;
	case REQ_OP_FLUSH:
		return RAOE_RQ_FLUSH;
	default:
		return RAOE_RQ_OTHER;
	}
}

void raoe_rq_start(struct request *rq)
{
	blk_mq_start_request(rq);
}

void raoe_rq_end(struct request *rq, int err)
{
	blk_mq_end_request(rq, errno_to_blk_status(err));
}

void raoe_frag_copy_in(const struct raoe_frag *frag, const void *src)
{
	memcpy_to_page(frag->page, frag->offset, src, frag->len);
}

int raoe_rq_frags(struct request *rq, unsigned int offset, unsigned int len,
		  struct raoe_frag *out, unsigned int max)
{
	struct req_iterator iter;
	struct bio_vec bv;
	unsigned int pos = 0, n = 0;

	/* rq_for_each_segment yields single-page pieces, tail pages of large folios included. */
	rq_for_each_segment(bv, rq, iter) {
		unsigned int skip, take;

		if (!len)
			break;
		if (pos + bv.bv_len <= offset) {
			pos += bv.bv_len;
			continue;
		}
		if (n == max)
			return -E2BIG;
		skip = offset > pos ? offset - pos : 0;
		take = min(bv.bv_len - skip, len);
		out[n].page = bv.bv_page;
		out[n].offset = bv.bv_offset + skip;
		out[n].len = take;
		n++;
		len -= take;
		offset += take;
		pos += bv.bv_len;
	}
	return len ? -EINVAL : n;
}
