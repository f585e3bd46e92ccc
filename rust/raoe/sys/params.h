/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RAOE_PARAMS_H
#define RAOE_PARAMS_H

#include <linux/types.h>

/* As aoe.ko: the list must stay under 1024 bytes (aoenet.c:98-110). */
#define RAOE_IFLIST_SIZE 1024

/* Copies the aoe_iflist parameter, NUL-terminated, into buf. */
void raoe_iflist_copy(char *buf, size_t len);

/* Replaces aoe_iflist with the len bytes at buf, as a write to /dev/etherd/interfaces does. */
int raoe_iflist_set(const char *buf, size_t len);

/* The aoe_dyndevs parameter: 0 gives disks fixed minors, anything else the lowest free. */
int raoe_dyndevs(void);

#endif
