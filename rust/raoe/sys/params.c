// SPDX-License-Identifier: GPL-2.0
/*
 * The module parameters aoetools read in /sys/module/<name>/parameters, and the module's
 * version: 7.3's Rust module parameters are integers only and not in sysfs. `aoe_iflist` is a
 * string, as in aoe.ko (aoenet.c:32-34); `aoe_dyndevs` is aoe.ko's (aoedev.c:21-23).
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "params.h"

static char aoe_iflist[RAOE_IFLIST_SIZE];
module_param_string(aoe_iflist, aoe_iflist, sizeof(aoe_iflist), 0600);
MODULE_PARM_DESC(aoe_iflist, "aoe_iflist=dev1[,dev2...]: the interfaces AoE uses (all if empty)");

/* aoe-mkdevs and aoe-mkshelf refuse to make nodes while it is 1. */
static int aoe_dyndevs = 1;
module_param(aoe_dyndevs, int, 0644);
MODULE_PARM_DESC(aoe_dyndevs, "Use dynamic minor numbers for devices (default 1; 0: (shelf * 16 + slot) * 16)");

/*
 * aoe-version prints this. It sorts after aoe.ko's "85", whose interface raoe keeps, so DKMS
 * installs raoe built as aoe in aoe.ko's place.
 */
MODULE_VERSION("85+raoe-" RAOE_RZRAM_VERSION);

int raoe_dyndevs(void)
{
	return READ_ONCE(aoe_dyndevs);
}

void raoe_iflist_copy(char *buf, size_t len)
{
	kernel_param_lock(THIS_MODULE);
	strscpy(buf, aoe_iflist, len);
	kernel_param_unlock(THIS_MODULE);
}

int raoe_iflist_set(const char *buf, size_t len)
{
	if (len >= sizeof(aoe_iflist))
		return -EINVAL;
	kernel_param_lock(THIS_MODULE);
	memcpy(aoe_iflist, buf, len);
	aoe_iflist[len] = '\0';
	kernel_param_unlock(THIS_MODULE);
	return 0;
}
