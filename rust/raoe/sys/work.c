// SPDX-License-Identifier: GPL-2.0
/* See work.h. */
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "work.h"

struct raoe_work {
	struct delayed_work dwork;
	void (*run)(void *ctx);
	void *ctx;
	unsigned long period;
};

static void raoe_work_fn(struct work_struct *work)
{
	struct raoe_work *w = container_of(to_delayed_work(work), struct raoe_work, dwork);

	w->run(w->ctx);
	if (w->period)
		schedule_delayed_work(&w->dwork, w->period);
}

struct raoe_work *raoe_work_alloc(void (*run)(void *ctx), void *ctx, unsigned int period_ms)
{
	struct raoe_work *w = kzalloc(sizeof(*w), GFP_KERNEL);

	if (!w)
		return NULL;
	INIT_DELAYED_WORK(&w->dwork, raoe_work_fn);
	w->run = run;
	w->ctx = ctx;
	w->period = period_ms ? max(msecs_to_jiffies(period_ms), 1UL) : 0;
	return w;
}

void raoe_work_schedule(struct raoe_work *work)
{
	schedule_delayed_work(&work->dwork, 0);
}

void raoe_work_free(struct raoe_work *work)
{
	/* Also stops a periodic work that requeues itself. */
	cancel_delayed_work_sync(&work->dwork);
	kfree(work);
}
