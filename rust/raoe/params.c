// SPDX-License-Identifier: GPL-2.0
/*
 * raoe's string module parameter: Rust module parameters are integers only in 7.3, and
 * aoetools expect `aoe_iflist` to be a string, as in aoe.ko (aoenet.c:32-34).
 */
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "params.h"

static char aoe_iflist[RAOE_IFLIST_SIZE];
module_param_string(aoe_iflist, aoe_iflist, sizeof(aoe_iflist), 0600);
MODULE_PARM_DESC(aoe_iflist, "aoe_iflist=dev1[,dev2...]: the interfaces AoE uses (all if empty)");

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
