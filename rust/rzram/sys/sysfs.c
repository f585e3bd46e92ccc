// SPDX-License-Identifier: GPL-2.0
/*
 * The sysfs attributes of an rzram disk and its control class (/sys/class/rzram-control, or
 * zram-control in zram.ko's place), with zram's names,
 * modes and formats (zram_drv.c:2995-3050, 3194-3253), plus integrity_mode and integrity_errors
 * (not "integrity": the block layer has an integrity/ directory under every disk when
 * CONFIG_BLK_DEV_INTEGRITY=y, as in distribution kernels).
 * The values come from Rust.
 */
#include <linux/blkdev.h>
#include <linux/cpumask.h>
#include <linux/device.h>
#include <linux/module.h>
#include <linux/sysfs.h>

#include "bio_disk.h"
#include "sysfs.h"

/* The package's version (Kbuild). */
MODULE_VERSION(RAOE_RZRAM_VERSION);

static struct rzram_bio_disk *rzram_of(struct device *dev)
{
	return rzram_bio_disk_of(dev_to_disk(dev));
}

#define RZRAM_SHOW(name, id)								\
static ssize_t name##_show(struct device *dev, struct device_attribute *attr, char *buf)	\
{											\
	return rzram_attr_show(rzram_of(dev), id, buf);				\
}

#define RZRAM_STORE(name, id)								\
static ssize_t name##_store(struct device *dev, struct device_attribute *attr,		\
			    const char *buf, size_t len)				\
{											\
	return rzram_attr_store(rzram_of(dev), id, buf, len);				\
}

RZRAM_SHOW(disksize, RZRAM_ATTR_DISKSIZE)
RZRAM_STORE(disksize, RZRAM_ATTR_DISKSIZE)
RZRAM_SHOW(initstate, RZRAM_ATTR_INITSTATE)
RZRAM_STORE(reset, RZRAM_ATTR_RESET)
RZRAM_SHOW(comp_algorithm, RZRAM_ATTR_COMP_ALGORITHM)
RZRAM_STORE(comp_algorithm, RZRAM_ATTR_COMP_ALGORITHM)
RZRAM_STORE(mem_limit, RZRAM_ATTR_MEM_LIMIT)
RZRAM_STORE(mem_used_max, RZRAM_ATTR_MEM_USED_MAX)
RZRAM_STORE(compact, RZRAM_ATTR_COMPACT)
RZRAM_SHOW(mm_stat, RZRAM_ATTR_MM_STAT)
RZRAM_SHOW(io_stat, RZRAM_ATTR_IO_STAT)
RZRAM_SHOW(debug_stat, RZRAM_ATTR_DEBUG_STAT)
RZRAM_SHOW(integrity_mode, RZRAM_ATTR_INTEGRITY_MODE)
RZRAM_STORE(integrity_mode, RZRAM_ATTR_INTEGRITY_MODE)
RZRAM_SHOW(integrity_errors, RZRAM_ATTR_INTEGRITY_ERRORS)
RZRAM_STORE(algorithm_params, RZRAM_ATTR_ALGORITHM_PARAMS)
RZRAM_STORE(idle, RZRAM_ATTR_IDLE)
RZRAM_SHOW(backing_dev, RZRAM_ATTR_BACKING_DEV)
RZRAM_STORE(backing_dev, RZRAM_ATTR_BACKING_DEV)
RZRAM_STORE(writeback, RZRAM_ATTR_WRITEBACK)
RZRAM_SHOW(bd_stat, RZRAM_ATTR_BD_STAT)
RZRAM_SHOW(writeback_limit, RZRAM_ATTR_WRITEBACK_LIMIT)
RZRAM_STORE(writeback_limit, RZRAM_ATTR_WRITEBACK_LIMIT)
RZRAM_SHOW(writeback_limit_enable, RZRAM_ATTR_WRITEBACK_LIMIT_ENABLE)
RZRAM_STORE(writeback_limit_enable, RZRAM_ATTR_WRITEBACK_LIMIT_ENABLE)
RZRAM_SHOW(writeback_batch_size, RZRAM_ATTR_WRITEBACK_BATCH_SIZE)
RZRAM_STORE(writeback_batch_size, RZRAM_ATTR_WRITEBACK_BATCH_SIZE)
RZRAM_SHOW(compressed_writeback, RZRAM_ATTR_COMPRESSED_WRITEBACK)
RZRAM_STORE(compressed_writeback, RZRAM_ATTR_COMPRESSED_WRITEBACK)
RZRAM_SHOW(recomp_algorithm, RZRAM_ATTR_RECOMP_ALGORITHM)
RZRAM_STORE(recomp_algorithm, RZRAM_ATTR_RECOMP_ALGORITHM)
RZRAM_STORE(recompress, RZRAM_ATTR_RECOMPRESS)

/*
 * As zram before 6.15 (zram_drv.c of 6.14), which had one compression stream per CPU too: the
 * value is the online CPUs and a write changes nothing. Old fstabs write it, zramctl's STREAMS
 * column and Android's fs_mgr read it.
 */
static ssize_t max_comp_streams_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", num_online_cpus());
}

static ssize_t max_comp_streams_store(struct device *dev, struct device_attribute *attr,
				      const char *buf, size_t len)
{
	return len;
}

static DEVICE_ATTR_RW(disksize);
static DEVICE_ATTR_RO(initstate);
static DEVICE_ATTR_WO(reset);
static DEVICE_ATTR_RW(comp_algorithm);
static DEVICE_ATTR_WO(mem_limit);
static DEVICE_ATTR_WO(mem_used_max);
static DEVICE_ATTR_WO(compact);
static DEVICE_ATTR_RO(mm_stat);
static DEVICE_ATTR_RO(io_stat);
static DEVICE_ATTR_RO(debug_stat);
static DEVICE_ATTR_RW(max_comp_streams);
static DEVICE_ATTR_WO(algorithm_params);
static DEVICE_ATTR_WO(idle);
/* Writeback (zram_drv.c:3007-3013). */
static DEVICE_ATTR_RO(bd_stat);
static DEVICE_ATTR_RW(backing_dev);
static DEVICE_ATTR_WO(writeback);
static DEVICE_ATTR_RW(writeback_limit);
static DEVICE_ATTR_RW(writeback_limit_enable);
static DEVICE_ATTR_RW(writeback_batch_size);
static DEVICE_ATTR_RW(compressed_writeback);
/* Recompression (zram_drv.c:3016-3017). */
static DEVICE_ATTR_RW(recomp_algorithm);
static DEVICE_ATTR_WO(recompress);
/* Beyond zram: integrity mode and the reads it failed. */
static DEVICE_ATTR_RW(integrity_mode);
static DEVICE_ATTR_RO(integrity_errors);

static struct attribute *rzram_disk_attrs[] = {
	&dev_attr_disksize.attr,
	&dev_attr_initstate.attr,
	&dev_attr_reset.attr,
	&dev_attr_comp_algorithm.attr,
	&dev_attr_mem_limit.attr,
	&dev_attr_mem_used_max.attr,
	&dev_attr_compact.attr,
	&dev_attr_mm_stat.attr,
	&dev_attr_io_stat.attr,
	&dev_attr_debug_stat.attr,
	&dev_attr_max_comp_streams.attr,
	&dev_attr_algorithm_params.attr,
	&dev_attr_idle.attr,
	&dev_attr_bd_stat.attr,
	&dev_attr_backing_dev.attr,
	&dev_attr_writeback.attr,
	&dev_attr_writeback_limit.attr,
	&dev_attr_writeback_limit_enable.attr,
	&dev_attr_writeback_batch_size.attr,
	&dev_attr_compressed_writeback.attr,
	&dev_attr_recomp_algorithm.attr,
	&dev_attr_recompress.attr,
	&dev_attr_integrity_mode.attr,
	&dev_attr_integrity_errors.attr,
	NULL,
};

static const struct attribute_group rzram_disk_group = {
	.attrs = rzram_disk_attrs,
};

static const struct attribute_group *rzram_disk_group_list[] = {
	&rzram_disk_group,
	NULL,
};

const struct attribute_group **rzram_disk_groups(void)
{
	return rzram_disk_group_list;
}

static void *rzram_control_ctx;

static ssize_t hot_add_show(const struct class *class, const struct class_attribute *attr,
			    char *buf)
{
	int id = rzram_hot_add(rzram_control_ctx);

	return id < 0 ? id : sysfs_emit(buf, "%d\n", id);
}
/* Reading creates a device: root only, as zram (0400, so not CLASS_ATTR_RO). */
static struct class_attribute class_attr_hot_add = __ATTR(hot_add, 0400, hot_add_show, NULL);

static ssize_t hot_remove_store(const struct class *class, const struct class_attribute *attr,
				const char *buf, size_t count)
{
	int err = rzram_hot_remove(rzram_control_ctx, buf, count);

	return err ? err : count;
}
static CLASS_ATTR_WO(hot_remove);

static struct attribute *rzram_control_class_attrs[] = {
	&class_attr_hot_add.attr,
	&class_attr_hot_remove.attr,
	NULL,
};
ATTRIBUTE_GROUPS(rzram_control_class);

static struct class rzram_control_class = {
	.class_groups = rzram_control_class_groups,
};

int rzram_control_register(const char *name, void *ctx)
{
	rzram_control_class.name = name;
	rzram_control_ctx = ctx;
	return class_register(&rzram_control_class);
}

void rzram_control_unregister(void)
{
	/* Waits for the callbacks running. */
	class_unregister(&rzram_control_class);
}
