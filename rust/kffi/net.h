/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thin C glue for the Rust side's packet handler, frame transmission and interface walk:
 * the static inlines and structures Rust cannot reach. Rust sees only opaque pointers.
 */
#ifndef KFFI_NET_H
#define KFFI_NET_H

#include <linux/types.h>

struct net_device;
struct kffi_packet_handler;

/* Called in softirq context with the frame from its Ethernet header on, linear. */
typedef void (*kffi_rx_fn)(void *ctx, const u8 *frame, unsigned int len, int ifindex);

struct kffi_packet_handler *kffi_packet_register(u16 ethertype, kffi_rx_fn rx, void *ctx);
void kffi_packet_unregister(struct kffi_packet_handler *handler);

/* Sends a copy of frame[0..len) (Ethernet header included) on ifindex; GFP_ATOMIC. */
int kffi_xmit_copy(int ifindex, const u8 *frame, unsigned int len);

/* Calls visit for every up Ethernet interface of init_net, under RCU (no sleeping). */
typedef void (*kffi_netdev_visit_fn)(void *ctx, int ifindex, const char *name, unsigned int mtu,
				     const u8 *mac);
void kffi_netdev_for_each(kffi_netdev_visit_fn visit, void *ctx);

#endif
