/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thin C glue for a sleeping lock in one bit of a word (wait_on_bit_lock and its kin), with a
 * lockdep map shared by a family of such locks, as zram's slot locks have.
 */
#ifndef RZRAM_WAIT_BIT_H
#define RZRAM_WAIT_BIT_H

#include <linux/types.h>

struct rzram_bit_lock_class;

/* A lockdep class for a family of bit locks that are never nested. */
struct rzram_bit_lock_class *rzram_bit_lock_class_alloc(void);
void rzram_bit_lock_class_free(struct rzram_bit_lock_class *class);

/* Takes bit 0 of *word, sleeping (uninterruptibly) while someone else holds it. */
void rzram_bit_lock(struct rzram_bit_lock_class *class, unsigned long *word);
/* Takes bit 0 of *word if it is free; never sleeps. */
bool rzram_bit_trylock(struct rzram_bit_lock_class *class, unsigned long *word);
/* Releases bit 0 of *word and wakes a waiter. */
void rzram_bit_unlock(struct rzram_bit_lock_class *class, unsigned long *word);

#endif
