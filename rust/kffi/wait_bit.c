// SPDX-License-Identifier: GPL-2.0
/* See wait_bit.h. */
#include <linux/bitops.h>
#include <linux/sched.h>
#include <linux/wait_bit.h>

#include "wait_bit.h"

void kffi_bit_lock(unsigned long *word)
{
	wait_on_bit_lock(word, 0, TASK_UNINTERRUPTIBLE);
}

bool kffi_bit_trylock(unsigned long *word)
{
	return !test_and_set_bit_lock(0, word);
}

void kffi_bit_unlock(unsigned long *word)
{
	clear_and_wake_up_bit(0, word);
}
