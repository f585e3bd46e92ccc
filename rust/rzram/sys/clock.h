/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RZRAM_CLOCK_H
#define RZRAM_CLOCK_H

#include <linux/types.h>

/* Seconds since boot, suspend included, as zram keeps a page's access time (a u32). */
u32 rzram_boottime_seconds(void);

#endif
