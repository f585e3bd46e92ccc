/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What kunit.rs needs of the page allocator to test PinnedFrags: defined in kunit.c, which is
 * built only with Kbuild's RAOE_RZRAM_KUNIT=1 (the tests that call these are built only then).
 */
#ifndef RAOE_KUNIT_H
#define RAOE_KUNIT_H

#include <linux/types.h>

struct page;

/* A compound page of order `order` (GFP_KERNEL | __GFP_COMP), or NULL. */
struct page *raoe_test_alloc_compound(unsigned int order);
void raoe_test_free_compound(struct page *head, unsigned int order);
/* Page `n` of the folio holding `page`. */
struct page *raoe_test_nth_page(struct page *page, unsigned int n);
/* The reference count of the folio holding `page`. */
int raoe_test_folio_refs(struct page *page);
/* `len` bytes of slab memory, or NULL; the page and offset they lie in. */
void *raoe_test_kmalloc(size_t len);
struct page *raoe_test_slab_page(const void *addr);
unsigned int raoe_test_slab_offset(const void *addr);
void raoe_test_kfree(void *addr);

#endif
