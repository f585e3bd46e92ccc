/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thin C glue for a sleeping lock in one bit of a word (wait_on_bit_lock and its kin), with a
 * lockdep map shared by a family of such locks, as zram's slot locks have.
 */
#ifndef KFFI_WAIT_BIT_H
#define KFFI_WAIT_BIT_H

#include <linux/types.h>

struct kffi_bit_lock_class;

/* A lockdep class for a family of bit locks that are never nested. */
struct kffi_bit_lock_class *kffi_bit_lock_class_alloc(void);
void kffi_bit_lock_class_free(struct kffi_bit_lock_class *class);

/* Takes bit 0 of *word, sleeping (uninterruptibly) while someone else holds it. */
void kffi_bit_lock(struct kffi_bit_lock_class *class, unsigned long *word);
/* Takes bit 0 of *word if it is free; never sleeps. */
bool kffi_bit_trylock(struct kffi_bit_lock_class *class, unsigned long *word);
/* Releases bit 0 of *word and wakes a waiter. */
void kffi_bit_unlock(struct kffi_bit_lock_class *class, unsigned long *word);

#endif
