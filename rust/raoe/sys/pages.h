/* SPDX-License-Identifier: GPL-2.0 */
/* A piece of one page, as a request segment yields it and an skb frag takes it. */
#ifndef KFFI_PAGES_H
#define KFFI_PAGES_H

struct page;

struct kffi_frag {
	struct page *page;
	unsigned int offset;
	unsigned int len;
};

/* The most frags one frame carries; MAX_SKB_FRAGS is at least this. */
#define KFFI_MAX_FRAGS 17

/* What kffi_frag_hold took. */
enum kffi_frag_held {
	KFFI_FRAG_PINNED = 0,	/* a reference on the frag's own page (a compound tail pins its folio) */
	KFFI_FRAG_COPIED = 1,	/* a new page holding a copy: the page failed sendpage_ok() */
};

/*
 * Takes a reference for a frame on the page of *frag, which must be valid for the call: the
 * page's own with get_page, or, when sendpage_ok() refuses the page (slab memory, refcount 0),
 * a new page holding a copy of the piece, *frag then naming the copy at offset 0. Returns a
 * kffi_frag_held, or -ENOMEM (nothing held). Any context.
 */
int kffi_frag_hold(struct kffi_frag *frag);

/* Drops the reference kffi_frag_hold took. Any context. */
void kffi_frag_put(const struct kffi_frag *frag);

#endif
