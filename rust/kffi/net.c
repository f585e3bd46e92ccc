// SPDX-License-Identifier: GPL-2.0
/* See net.h. */
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/net_namespace.h>

#include "net.h"

struct kffi_packet_handler {
	struct packet_type pt;
	kffi_rx_fn rx;
	void *ctx;
};

static int kffi_packet_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt,
			   struct net_device *orig_dev)
{
	struct kffi_packet_handler *handler = container_of(pt, struct kffi_packet_handler, pt);

	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb)
		return NET_RX_DROP;
	/* The handler parses the whole frame in place: give it the MAC header on, linear. */
	skb_push(skb, skb->data - skb_mac_header(skb));
	if (skb_linearize(skb)) {
		kfree_skb(skb);
		return NET_RX_DROP;
	}
	handler->rx(handler->ctx, skb->data, skb->len, dev->ifindex);
	consume_skb(skb);
	return NET_RX_SUCCESS;
}

struct kffi_packet_handler *kffi_packet_register(u16 ethertype, kffi_rx_fn rx, void *ctx)
{
	struct kffi_packet_handler *handler = kzalloc(sizeof(*handler), GFP_KERNEL);

	if (!handler)
		return NULL;
	handler->pt.type = htons(ethertype);
	handler->pt.func = kffi_packet_rcv;
	handler->rx = rx;
	handler->ctx = ctx;
	dev_add_pack(&handler->pt);
	return handler;
}

void kffi_packet_unregister(struct kffi_packet_handler *handler)
{
	/* dev_remove_pack waits for handlers in flight (synchronize_net). */
	dev_remove_pack(&handler->pt);
	kfree(handler);
}

int kffi_xmit_copy(int ifindex, const u8 *frame, unsigned int len)
{
	struct net_device *dev;
	struct sk_buff *skb;
	int ret = -ENODEV;

	rcu_read_lock();
	dev = dev_get_by_index_rcu(&init_net, ifindex);
	if (!dev)
		goto out;
	ret = -ENOMEM;
	skb = alloc_skb(LL_RESERVED_SPACE(dev) + len, GFP_ATOMIC);
	if (!skb)
		goto out;
	skb_reserve(skb, LL_RESERVED_SPACE(dev));
	skb_put_data(skb, frame, len);
	skb_reset_mac_header(skb);
	skb_reset_network_header(skb);
	skb->dev = dev;
	skb->protocol = ((const struct ethhdr *)frame)->h_proto;
	ret = dev_queue_xmit(skb);
out:
	rcu_read_unlock();
	return ret;
}

void kffi_netdev_for_each(kffi_netdev_visit_fn visit, void *ctx)
{
	struct net_device *dev;

	rcu_read_lock();
	for_each_netdev_rcu(&init_net, dev) {
		if (dev->type != ARPHRD_ETHER || !(dev->flags & IFF_UP))
			continue;
		visit(ctx, dev->ifindex, dev->name, dev->mtu, dev->dev_addr);
	}
	rcu_read_unlock();
}
