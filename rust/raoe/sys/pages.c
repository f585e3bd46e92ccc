// SPDX-License-Identifier: GPL-2.0
/* See pages.h. */
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/net.h>

#include "pages.h"

int raoe_frag_hold(struct raoe_frag *frag)
{
	struct page *copy;

	if (sendpage_ok(frag->page)) {
		get_page(frag->page);
		return RAOE_FRAG_PINNED;
	}
	/* get_page would warn and take nothing. */
	copy = alloc_page(GFP_ATOMIC);
	if (!copy)
		return -ENOMEM;
	memcpy_from_page(page_address(copy), frag->page, frag->offset, frag->len);
	frag->page = copy;
	frag->offset = 0;
	return RAOE_FRAG_COPIED;
}

void raoe_frag_put(const struct raoe_frag *frag)
{
	put_page(frag->page);
}
