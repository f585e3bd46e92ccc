// SPDX-License-Identifier: GPL-2.0
/* See kunit.h. */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "kunit.h"

struct page *raoe_test_alloc_compound(unsigned int order)
{
	return alloc_pages(GFP_KERNEL | __GFP_COMP, order);
}

void raoe_test_free_compound(struct page *head, unsigned int order)
{
	__free_pages(head, order);
}

struct page *raoe_test_nth_page(struct page *page, unsigned int n)
{
	return folio_page(page_folio(page), n);
}

int raoe_test_folio_refs(struct page *page)
{
	return folio_ref_count(page_folio(page));
}

void *raoe_test_kmalloc(size_t len)
{
	return kmalloc(len, GFP_KERNEL);
}

struct page *raoe_test_slab_page(const void *addr)
{
	return virt_to_page(addr);
}

unsigned int raoe_test_slab_offset(const void *addr)
{
	return offset_in_page(addr);
}

void raoe_test_kfree(void *addr)
{
	kfree(addr);
}
