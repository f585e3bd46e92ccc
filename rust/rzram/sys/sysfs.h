/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RZRAM_SYSFS_H
#define RZRAM_SYSFS_H

#include <linux/types.h>

struct rzram_bio_disk;

/* The disk attributes, numbered for the Rust side. */
enum rzram_attr {
	RZRAM_ATTR_DISKSIZE,
	RZRAM_ATTR_INITSTATE,
	RZRAM_ATTR_RESET,
	RZRAM_ATTR_COMP_ALGORITHM,
	RZRAM_ATTR_MEM_LIMIT,
	RZRAM_ATTR_MEM_USED_MAX,
	RZRAM_ATTR_COMPACT,
	RZRAM_ATTR_MM_STAT,
	RZRAM_ATTR_IO_STAT,
	RZRAM_ATTR_DEBUG_STAT,
	RZRAM_ATTR_INTEGRITY_MODE,
	RZRAM_ATTR_INTEGRITY_ERRORS,
	RZRAM_ATTR_ALGORITHM_PARAMS,
	RZRAM_ATTR_IDLE,
	RZRAM_ATTR_BACKING_DEV,
	RZRAM_ATTR_WRITEBACK,
	RZRAM_ATTR_BD_STAT,
	RZRAM_ATTR_WRITEBACK_LIMIT,
	RZRAM_ATTR_WRITEBACK_LIMIT_ENABLE,
	RZRAM_ATTR_WRITEBACK_BATCH_SIZE,
	RZRAM_ATTR_COMPRESSED_WRITEBACK,
	RZRAM_ATTR_RECOMP_ALGORITHM,
	RZRAM_ATTR_RECOMPRESS,
};

/* Implemented in Rust: show fills a PAGE_SIZE buffer; both return a length or an errno. */
ssize_t rzram_attr_show(struct rzram_bio_disk *disk, enum rzram_attr attr, char *buf);
ssize_t rzram_attr_store(struct rzram_bio_disk *disk, enum rzram_attr attr, const char *buf,
			 size_t len);
/* Implemented in Rust: creates a device and returns its id, or removes the id in buf. */
int rzram_hot_add(void *ctx);
int rzram_hot_remove(void *ctx, const char *buf, size_t len);

/* The attribute groups of an rzram disk, with zram's names and modes. */
const struct attribute_group **rzram_disk_groups(void);
/* Registers /sys/class/<name> (a static string), whose callbacks get ctx. */
int rzram_control_register(const char *name, void *ctx);
void rzram_control_unregister(void);

#endif
