/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thin C glue for the Rust side's packet handler, frame transmission and interface walk:
 * the static inlines and structures Rust cannot reach. Rust sees only opaque pointers.
 */
#ifndef RAOE_NET_H
#define RAOE_NET_H

#include <linux/types.h>

#include "pages.h"

struct net_device;
struct raoe_packet_handler;

/* Called in softirq context with the frame from its Ethernet header on, linear. */
typedef void (*raoe_rx_fn)(void *ctx, const u8 *frame, unsigned int len, int ifindex);

struct raoe_packet_handler *raoe_packet_register(u16 ethertype, raoe_rx_fn rx, void *ctx);
void raoe_packet_unregister(struct raoe_packet_handler *handler);

/* Sends a copy of frame[0..len) (Ethernet header included) on ifindex; GFP_ATOMIC. */
int raoe_xmit_copy(int ifindex, const u8 *frame, unsigned int len);

/*
 * Called once the network stack holds no reference to a frame's data any more; pinned is the
 * number of the caller's pages the frame had pinned, now released.
 */
typedef void (*raoe_released_fn)(void *ctx, u64 cookie, unsigned int pinned);

/*
 * Sends header[0..hlen) followed by the frags on ifindex, zero-copy. Each frag holds a page
 * reference (raoe_frag_hold); pinned of them are the caller's own pages. On success the
 * references pass to the frame, and released(ctx, cookie, pinned) runs exactly once, from any
 * context, when the stack has dropped the frame's data; on failure it never runs and the
 * caller keeps the references.
 */
int raoe_xmit_frags(int ifindex, const u8 *header, unsigned int hlen,
		    const struct raoe_frag *frags, unsigned int nfrags, unsigned int pinned,
		    raoe_released_fn released, void *ctx, u64 cookie);

/* Calls visit for every up Ethernet interface of init_net, under RCU (no sleeping). */
typedef void (*raoe_netdev_visit_fn)(void *ctx, int ifindex, const char *name, unsigned int mtu,
				     const u8 *mac);
void raoe_netdev_for_each(raoe_netdev_visit_fn visit, void *ctx);

#endif
