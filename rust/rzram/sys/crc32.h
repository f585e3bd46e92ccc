/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RZRAM_CRC32_H
#define RZRAM_CRC32_H

#include <linux/types.h>

/* crc32c() of <linux/crc32.h>, through a wrapper compiled against it. */
u32 rzram_crc32c(u32 crc, const void *p, size_t len);

#endif
