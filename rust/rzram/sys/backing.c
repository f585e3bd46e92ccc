// SPDX-License-Identifier: GPL-2.0
/* See backing.h; zram_drv.c:683-800 (backing_dev), 1034-1130 (writeback), 1462-1500 (reads). */
#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/completion.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "backing.h"

struct rzram_backing {
	struct file *file;
	struct block_device *bdev;
	u64 pages;
	/* Runs the reads asked for inside ->submit_bio; has a rescuer for swap-in under reclaim. */
	struct workqueue_struct *reads;
	/* The writeback's bios, with room in front for struct rzram_backing_write_bio. */
	struct bio_set bios;
};

struct rzram_backing_batch {
	atomic_t pending;
	struct completion done;
};

/* A write bio and what its completion reports to (the front pad of the backing's bio set). */
struct rzram_backing_write_bio {
	struct rzram_backing_batch *batch;
	struct rzram_backing_write *write;
	struct bio bio;
};

struct rzram_backing *rzram_backing_open(const char *path, int *err)
{
	struct rzram_backing *backing;
	struct inode *inode;

	backing = kzalloc(sizeof(*backing), GFP_KERNEL);
	if (!backing) {
		*err = -ENOMEM;
		return NULL;
	}
	backing->file = filp_open(path, O_RDWR | O_LARGEFILE | O_EXCL, 0);
	if (IS_ERR(backing->file)) {
		*err = PTR_ERR(backing->file);
		goto free;
	}
	inode = backing->file->f_mapping->host;
	if (!S_ISBLK(inode->i_mode)) {
		*err = -ENOTBLK;
		goto close;
	}
	backing->pages = i_size_read(inode) >> PAGE_SHIFT;
	if (!backing->pages) {
		*err = -EINVAL;
		goto close;
	}
	backing->bdev = I_BDEV(inode);
	/* Beyond zram, which takes it and fails every writeback: nothing can be written there. */
	if (bdev_read_only(backing->bdev)) {
		*err = -EROFS;
		goto close;
	}
	*err = bioset_init(&backing->bios, BIO_POOL_SIZE,
			   offsetof(struct rzram_backing_write_bio, bio), BIOSET_NEED_BVECS);
	if (*err)
		goto close;
	backing->reads = alloc_workqueue("rzram_backing", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!backing->reads) {
		*err = -ENOMEM;
		goto exit_bios;
	}
	return backing;
exit_bios:
	bioset_exit(&backing->bios);
close:
	filp_close(backing->file, NULL);
free:
	kfree(backing);
	return NULL;
}

void rzram_backing_close(struct rzram_backing *backing)
{
	destroy_workqueue(backing->reads);
	bioset_exit(&backing->bios);
	filp_close(backing->file, NULL);
	kfree(backing);
}

u64 rzram_backing_pages(const struct rzram_backing *backing)
{
	return backing->pages;
}

ssize_t rzram_backing_path(struct rzram_backing *backing, char *buf, size_t len)
{
	char *path;
	size_t n;

	if (len < 2)
		return -EINVAL;
	path = file_path(backing->file, buf, len - 1);
	if (IS_ERR(path))
		return PTR_ERR(path);
	n = strlen(path);
	memmove(buf, path, n);
	buf[n++] = '\n';
	return n;
}

/* A buffer a bio may take with bio_add_virt_nofail: one page of the direct mapping. */
static bool rzram_backing_buffer_ok(const void *buf)
{
	return PAGE_ALIGNED(buf) && virt_addr_valid(buf) && !is_vmalloc_addr(buf);
}

static sector_t rzram_backing_sector(u64 block)
{
	return block << (PAGE_SHIFT - SECTOR_SHIFT);
}

struct rzram_backing_read_work {
	struct work_struct work;
	struct rzram_backing *backing;
	u64 block;
	void *buf;
	int err;
};

static void rzram_backing_read_work(struct work_struct *work)
{
	struct rzram_backing_read_work *read =
		container_of(work, struct rzram_backing_read_work, work);
	/* For a swap-in among others: the read must not wait for I/O to free memory. */
	unsigned int noio = memalloc_noio_save();

	read->err = bdev_rw_virt(read->backing->bdev, rzram_backing_sector(read->block), read->buf,
				 PAGE_SIZE, REQ_OP_READ);
	memalloc_noio_restore(noio);
}

int rzram_backing_read(struct rzram_backing *backing, u64 block, void *buf)
{
	struct rzram_backing_read_work read = {
		.backing = backing,
		.block = block,
		.buf = buf,
	};

	if (block >= backing->pages || !rzram_backing_buffer_ok(buf))
		return -EINVAL;
	INIT_WORK_ONSTACK(&read.work, rzram_backing_read_work);
	queue_work(backing->reads, &read.work);
	flush_work(&read.work);
	destroy_work_on_stack(&read.work);
	return read.err;
}

static void rzram_backing_write_end(struct bio *bio)
{
	struct rzram_backing_write_bio *wbio =
		container_of(bio, struct rzram_backing_write_bio, bio);
	struct rzram_backing_batch *batch = wbio->batch;

	wbio->write->err = blk_status_to_errno(bio->bi_status);
	bio_put(bio);
	if (atomic_dec_and_test(&batch->pending))
		complete(&batch->done);
}

void rzram_backing_write_batch(struct rzram_backing *backing, struct rzram_backing_write *writes,
			       unsigned int n)
{
	struct rzram_backing_batch batch;
	struct blk_plug plug;
	unsigned int i;

	/* One reference for the submitter: the count cannot reach zero before all are sent. */
	atomic_set(&batch.pending, 1);
	init_completion(&batch.done);
	blk_start_plug(&plug);
	for (i = 0; i < n; i++) {
		struct rzram_backing_write *write = &writes[i];
		struct rzram_backing_write_bio *wbio;
		struct bio *bio;

		if (write->block >= backing->pages || !rzram_backing_buffer_ok(write->buf)) {
			write->err = -EINVAL;
			continue;
		}
		/* From the bio set's mempool: with GFP_NOIO this waits rather than fails. */
		bio = bio_alloc_bioset(backing->bdev, 1, REQ_OP_WRITE, GFP_NOIO, &backing->bios);
		wbio = container_of(bio, struct rzram_backing_write_bio, bio);
		wbio->batch = &batch;
		wbio->write = write;
		bio->bi_iter.bi_sector = rzram_backing_sector(write->block);
		bio->bi_end_io = rzram_backing_write_end;
		bio_add_virt_nofail(bio, write->buf, PAGE_SIZE);
		atomic_inc(&batch.pending);
		submit_bio(bio);
	}
	blk_finish_plug(&plug);
	if (!atomic_dec_and_test(&batch.pending))
		wait_for_completion_io(&batch.done);
}

unsigned int rzram_noio_save(void)
{
	return memalloc_noio_save();
}

void rzram_noio_restore(unsigned int flags)
{
	memalloc_noio_restore(flags);
}
