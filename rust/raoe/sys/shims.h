/* SPDX-License-Identifier: GPL-2.0 */
/* Every C shim of raoe, for bindgen (see Kbuild): the Rust side's declarations come from here. */
#include "aoechr.h"
#include "blk.h"
#include "net.h"
#include "pages.h"
#include "params.h"
#include "sysfs.h"
#include "work.h"
#include "kunit.h"
