/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RAOE_AOECHR_H
#define RAOE_AOECHR_H

#include <linux/types.h>

/* The nodes, in minor order from RAOE_CHR_FIRST_MINOR: err, discover, interfaces, revalidate,
 * flush (aoechr.c's chardevs). */
#define RAOE_CHR_FIRST_MINOR 2
#define RAOE_CHR_NODES 5

/* The most bytes one write may carry: aoe.ko refuses interface lists of 1024 bytes or more. */
#define RAOE_CHR_MAX_WRITE 1023
/* The most bytes one read returns. */
#define RAOE_CHR_MAX_READ 256

/*
 * What the nodes do (Rust, control.rs). node is the index from err (0) to flush (4); the
 * handlers return 0 or the length read, or a negative errno.
 */
struct raoe_chr_handler {
	void *ctx;
	int (*write)(void *ctx, unsigned int node, const u8 *buf, size_t len);
	ssize_t (*read)(void *ctx, unsigned int node, u8 *buf, size_t len, bool nonblocking);
};

/*
 * Registers char major 152 and the class "aoe" with the nodes etherd/<name>, as aoe.ko. The
 * handler is called by open files until raoe_chr_unregister() returns. While registered, a
 * second registration fails with -EBUSY and leaves the first untouched.
 */
int raoe_chr_register(const struct raoe_chr_handler *handler);

/*
 * Removes the nodes, the class and the major, then waits until every file opened on them is
 * released: once it returns, no handler call runs or starts.
 */
void raoe_chr_unregister(void);

#endif
