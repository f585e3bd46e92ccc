/* SPDX-License-Identifier: GPL-2.0 */
/* Every C shim of rzram, for bindgen (see Kbuild): the Rust side's declarations come from here. */
#include "backing.h"
#include "bio_disk.h"
#include "clock.h"
#include "compress.h"
#include "crc32.h"
#include "sysfs.h"
#include "wait_bit.h"
#include "zsmalloc.h"
