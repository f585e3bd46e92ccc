// SPDX-License-Identifier: GPL-2.0
/* See clock.h; zram_drv.c mark_slot_accessed(). */
#include <linux/timekeeping.h>

#include "clock.h"

u32 rzram_boottime_seconds(void)
{
	return (u32)ktime_get_boottime_seconds();
}
