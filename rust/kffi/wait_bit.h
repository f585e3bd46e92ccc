/* SPDX-License-Identifier: GPL-2.0 */
/* Thin C glue for a sleeping lock in one bit of a word (wait_on_bit_lock and its kin). */
#ifndef KFFI_WAIT_BIT_H
#define KFFI_WAIT_BIT_H

#include <linux/types.h>

/* Takes bit 0 of *word, sleeping (uninterruptibly) while someone else holds it. */
void kffi_bit_lock(unsigned long *word);
/* Takes bit 0 of *word if it is free; never sleeps. */
bool kffi_bit_trylock(unsigned long *word);
/* Releases bit 0 of *word and wakes a waiter. */
void kffi_bit_unlock(unsigned long *word);

#endif
