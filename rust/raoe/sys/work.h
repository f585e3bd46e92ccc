/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A work item, one-shot or periodic, whose owner can cancel it synchronously: the Rust
 * workqueue in 7.3 cannot.
 */
#ifndef KFFI_WORK_H
#define KFFI_WORK_H

struct kffi_work;

/* With period_ms > 0 the work requeues itself that long after each run. */
struct kffi_work *kffi_work_alloc(void (*run)(void *ctx), void *ctx, unsigned int period_ms);
void kffi_work_schedule(struct kffi_work *work);
/* Cancels the work, waiting for a run in progress, and frees it. */
void kffi_work_free(struct kffi_work *work);

#endif
