// SPDX-License-Identifier: GPL-2.0
/* See wait_bit.h; the lockdep annotation follows zram's slot_lock (zram_drv.c:73-101). */
#include <linux/bitops.h>
#include <linux/lockdep.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#include "wait_bit.h"

struct rzram_bit_lock_class {
	struct lockdep_map map;
};

struct rzram_bit_lock_class *rzram_bit_lock_class_alloc(void)
{
	static struct lock_class_key key;
	struct rzram_bit_lock_class *class = kzalloc(sizeof(*class), GFP_KERNEL);

	if (class)
		lockdep_init_map(&class->map, "rzram_bit_lock", &key, 0);
	return class;
}

void rzram_bit_lock_class_free(struct rzram_bit_lock_class *class)
{
	kfree(class);
}

void rzram_bit_lock(struct rzram_bit_lock_class *class, unsigned long *word)
{
	mutex_acquire(&class->map, 0, 0, _RET_IP_);
	wait_on_bit_lock(word, 0, TASK_UNINTERRUPTIBLE);
	lock_acquired(&class->map, _RET_IP_);
}

bool rzram_bit_trylock(struct rzram_bit_lock_class *class, unsigned long *word)
{
	if (test_and_set_bit_lock(0, word))
		return false;
	mutex_acquire(&class->map, 0, 1, _RET_IP_);
	lock_acquired(&class->map, _RET_IP_);
	return true;
}

void rzram_bit_unlock(struct rzram_bit_lock_class *class, unsigned long *word)
{
	mutex_release(&class->map, _RET_IP_);
	clear_and_wake_up_bit(0, word);
}
