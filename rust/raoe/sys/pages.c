// SPDX-License-Identifier: GPL-2.0
/* See pages.h. */
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/net.h>

#include "pages.h"

int kffi_frag_hold(struct kffi_frag *frag)
{
	struct page *copy;

	if (sendpage_ok(frag->page)) {
		get_page(frag->page);
		return KFFI_FRAG_PINNED;
	}
	/* get_page would warn and take nothing. */
	copy = alloc_page(GFP_ATOMIC);
	if (!copy)
		return -ENOMEM;
	memcpy_from_page(page_address(copy), frag->page, frag->offset, frag->len);
	frag->page = copy;
	frag->offset = 0;
	return KFFI_FRAG_COPIED;
}

void kffi_frag_put(const struct kffi_frag *frag)
{
	put_page(frag->page);
}
