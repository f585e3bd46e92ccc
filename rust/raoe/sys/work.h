/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A work item, one-shot or periodic, whose owner can cancel it synchronously: the Rust
 * workqueue in 7.3 cannot.
 */
#ifndef RAOE_WORK_H
#define RAOE_WORK_H

struct raoe_work;

/* With period_ms > 0 the work requeues itself that long after each run. */
struct raoe_work *raoe_work_alloc(void (*run)(void *ctx), void *ctx, unsigned int period_ms);
void raoe_work_schedule(struct raoe_work *work);
/* Cancels the work, waiting for a run in progress, and frees it. */
void raoe_work_free(struct raoe_work *work);

#endif
