/* SPDX-License-Identifier: GPL-2.0 */
/* A piece of one page, as a request segment yields it and an skb frag takes it. */
#ifndef RAOE_PAGES_H
#define RAOE_PAGES_H

struct page;

struct raoe_frag {
	struct page *page;
	unsigned int offset;
	unsigned int len;
};

/* The most frags one frame carries; MAX_SKB_FRAGS is at least this. */
#define RAOE_MAX_FRAGS 17

/* What raoe_frag_hold took. */
enum raoe_frag_held {
	RAOE_FRAG_PINNED = 0,	/* a reference on the frag's own page (a compound tail pins its folio) */
	RAOE_FRAG_COPIED = 1,	/* a new page holding a copy: the page failed sendpage_ok() */
};

/*
 * Takes a reference for a frame on the page of *frag, which must be valid for the call: the
 * page's own with get_page, or, when sendpage_ok() refuses the page (slab memory, refcount 0),
 * a new page holding a copy of the piece, *frag then naming the copy at offset 0. Returns a
 * raoe_frag_held, or -ENOMEM (nothing held). Any context.
 */
int raoe_frag_hold(struct raoe_frag *frag);

/* Drops the reference raoe_frag_hold took. Any context. */
void raoe_frag_put(const struct raoe_frag *frag);

#endif
