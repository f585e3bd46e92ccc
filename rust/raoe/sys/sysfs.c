// SPDX-License-Identifier: GPL-2.0
/*
 * The sysfs attributes of an AoE disk, with aoe.ko's names and formats (aoeblk.c:33-109) so
 * aoetools read them unchanged. The values come from the Rust device.
 */
#include <linux/blkdev.h>
#include <linux/device.h>
#include <linux/sysfs.h>

#include "blk.h"
#include "sysfs.h"

static void raoe_info(struct device *dev, struct raoe_disk_info *info)
{
	memset(info, 0, sizeof(*info));
	raoe_disk_info(raoe_mq_disk_ctx(dev_to_disk(dev)), info);
}

static ssize_t state_show(struct device *dev, struct device_attribute *attr, char *page)
{
	struct raoe_disk_info info;

	raoe_info(dev, &info);
	return sysfs_emit(page, "%s\n", info.up ? "up" : "down");
}

static ssize_t mac_show(struct device *dev, struct device_attribute *attr, char *page)
{
	struct raoe_disk_info info;

	raoe_info(dev, &info);
	return sysfs_emit(page, "%pm\n", info.mac);
}

static ssize_t netif_show(struct device *dev, struct device_attribute *attr, char *page)
{
	struct raoe_disk_info info;

	raoe_info(dev, &info);
	return sysfs_emit(page, "%.*s\n", (int)sizeof(info.netif), (const char *)info.netif);
}

static ssize_t fwver_show(struct device *dev, struct device_attribute *attr, char *page)
{
	struct raoe_disk_info info;

	raoe_info(dev, &info);
	return sysfs_emit(page, "0x%04x\n", info.firmware_version);
}

static ssize_t payload_show(struct device *dev, struct device_attribute *attr, char *page)
{
	struct raoe_disk_info info;

	raoe_info(dev, &info);
	return sysfs_emit(page, "%u\n", info.payload);
}

static DEVICE_ATTR_RO(state);
static DEVICE_ATTR_RO(mac);
static DEVICE_ATTR_RO(netif);
static struct device_attribute dev_attr_firmware_version = __ATTR(firmware-version, 0444,
								  fwver_show, NULL);
static DEVICE_ATTR_RO(payload);

static struct attribute *raoe_disk_attrs[] = {
	&dev_attr_state.attr,
	&dev_attr_mac.attr,
	&dev_attr_netif.attr,
	&dev_attr_firmware_version.attr,
	&dev_attr_payload.attr,
	NULL,
};

static const struct attribute_group raoe_disk_group = {
	.attrs = raoe_disk_attrs,
};

static const struct attribute_group *raoe_disk_group_list[] = {
	&raoe_disk_group,
	NULL,
};

const struct attribute_group **raoe_disk_groups(void)
{
	return raoe_disk_group_list;
}
