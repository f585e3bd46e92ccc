// SPDX-License-Identifier: GPL-2.0
/* See crc32.h. */
#include <linux/crc32.h>

#include "crc32.h"

u32 rzram_crc32c(u32 crc, const void *p, size_t len)
{
	return crc32c(crc, p, len);
}
