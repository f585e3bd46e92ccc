/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RAOE_SYSFS_H
#define RAOE_SYSFS_H

#include <linux/types.h>

/* What the disk attributes show, filled by the Rust device. */
struct raoe_disk_info {
	bool up;
	u8 mac[6];
	u8 netif[64];	/* the interfaces in use, comma-separated */
	u16 firmware_version;
	u32 payload;
};

/* Implemented in Rust: fills info for the device behind a disk's context. */
void raoe_disk_info(void *ctx, struct raoe_disk_info *info);

/* The attribute groups of an AoE disk, as aoe.ko has them (aoeblk.c:33-172). */
const struct attribute_group **raoe_disk_groups(void);

#endif
