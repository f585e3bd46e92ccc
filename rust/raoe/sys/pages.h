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

#endif
