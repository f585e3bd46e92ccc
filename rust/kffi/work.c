// SPDX-License-Identifier: GPL-2.0
/* See work.h. */
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "work.h"

struct kffi_work {
	struct work_struct work;
	void (*run)(void *ctx);
	void *ctx;
};

static void kffi_work_fn(struct work_struct *work)
{
	struct kffi_work *w = container_of(work, struct kffi_work, work);

	w->run(w->ctx);
}

struct kffi_work *kffi_work_alloc(void (*run)(void *ctx), void *ctx)
{
	struct kffi_work *w = kzalloc(sizeof(*w), GFP_KERNEL);

	if (!w)
		return NULL;
	INIT_WORK(&w->work, kffi_work_fn);
	w->run = run;
	w->ctx = ctx;
	return w;
}

void kffi_work_schedule(struct kffi_work *work)
{
	schedule_work(&work->work);
}

void kffi_work_free(struct kffi_work *work)
{
	cancel_work_sync(&work->work);
	kfree(work);
}
