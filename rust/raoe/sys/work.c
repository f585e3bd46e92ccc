// SPDX-License-Identifier: GPL-2.0
/* See work.h. */
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "work.h"

struct kffi_work {
	struct delayed_work dwork;
	void (*run)(void *ctx);
	void *ctx;
	unsigned long period;
};

static void kffi_work_fn(struct work_struct *work)
{
	struct kffi_work *w = container_of(to_delayed_work(work), struct kffi_work, dwork);

	w->run(w->ctx);
	if (w->period)
		schedule_delayed_work(&w->dwork, w->period);
}

struct kffi_work *kffi_work_alloc(void (*run)(void *ctx), void *ctx, unsigned int period_ms)
{
	struct kffi_work *w = kzalloc(sizeof(*w), GFP_KERNEL);

	if (!w)
		return NULL;
	INIT_DELAYED_WORK(&w->dwork, kffi_work_fn);
	w->run = run;
	w->ctx = ctx;
	w->period = period_ms ? max(msecs_to_jiffies(period_ms), 1UL) : 0;
	return w;
}

void kffi_work_schedule(struct kffi_work *work)
{
	schedule_delayed_work(&work->dwork, 0);
}

void kffi_work_free(struct kffi_work *work)
{
	/* Also stops a periodic work that requeues itself. */
	cancel_delayed_work_sync(&work->dwork);
	kfree(work);
}
