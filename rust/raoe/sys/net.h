/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thin C glue for the Rust side's packet handler, frame transmission and interface walk:
 * the static inlines and structures Rust cannot reach. Rust sees only opaque pointers.
 */
#ifndef KFFI_NET_H
#define KFFI_NET_H

#include <linux/types.h>

#include "pages.h"

struct net_device;
struct kffi_packet_handler;

/* Called in softirq context with the frame from its Ethernet header on, linear. */
typedef void (*kffi_rx_fn)(void *ctx, const u8 *frame, unsigned int len, int ifindex);

struct kffi_packet_handler *kffi_packet_register(u16 ethertype, kffi_rx_fn rx, void *ctx);
void kffi_packet_unregister(struct kffi_packet_handler *handler);

/* Sends a copy of frame[0..len) (Ethernet header included) on ifindex; GFP_ATOMIC. */
int kffi_xmit_copy(int ifindex, const u8 *frame, unsigned int len);

/*
 * Called once the network stack holds no reference to a frame's data any more; pinned is the
 * number of the caller's pages the frame had pinned, now released.
 */
typedef void (*kffi_released_fn)(void *ctx, u64 cookie, unsigned int pinned);

/* What kffi_xmit_frags did with the pages. */
struct kffi_xmit_pages {
	unsigned int pinned;	/* frags that reference the caller's page, with get_page */
	unsigned int copied;	/* frags copied because the page failed sendpage_ok() */
};

/*
 * Sends header[0..hlen) followed by the frags on ifindex, zero-copy: each frag page is pinned
 * with get_page (a compound tail pins its folio), or copied when sendpage_ok() refuses it. The
 * caller's pages need to stay valid only until this returns. On success, released(ctx, cookie)
 * runs exactly once, from any context, when the stack has dropped the frame's data; on failure
 * it never runs and no pin remains.
 */
int kffi_xmit_frags(int ifindex, const u8 *header, unsigned int hlen,
		    const struct kffi_frag *frags, unsigned int nfrags, kffi_released_fn released,
		    void *ctx, u64 cookie, struct kffi_xmit_pages *pages);

/* Calls visit for every up Ethernet interface of init_net, under RCU (no sleeping). */
typedef void (*kffi_netdev_visit_fn)(void *ctx, int ifindex, const char *name, unsigned int mtu,
				     const u8 *mac);
void kffi_netdev_for_each(kffi_netdev_visit_fn visit, void *ctx);

#endif
