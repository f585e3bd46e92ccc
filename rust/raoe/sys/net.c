// SPDX-License-Identifier: GPL-2.0
/* See net.h. */
#include <linux/if_arp.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/net_namespace.h>

#include "net.h"

struct raoe_packet_handler {
	struct packet_type pt;
	raoe_rx_fn rx;
	void *ctx;
};

static int raoe_packet_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt,
			   struct net_device *orig_dev)
{
	struct raoe_packet_handler *handler = container_of(pt, struct raoe_packet_handler, pt);

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

struct raoe_packet_handler *raoe_packet_register(u16 ethertype, raoe_rx_fn rx, void *ctx)
{
	struct raoe_packet_handler *handler = kzalloc(sizeof(*handler), GFP_KERNEL);

	if (!handler)
		return NULL;
	handler->pt.type = htons(ethertype);
	handler->pt.func = raoe_packet_rcv;
	handler->rx = rx;
	handler->ctx = ctx;
	dev_add_pack(&handler->pt);
	return handler;
}

void raoe_packet_unregister(struct raoe_packet_handler *handler)
{
	/* dev_remove_pack waits for handlers in flight (synchronize_net). */
	dev_remove_pack(&handler->pt);
	kfree(handler);
}

int raoe_xmit_copy(int ifindex, const u8 *frame, unsigned int len)
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

/* The release notification of one zero-copy frame. */
struct raoe_zerocopy {
	struct ubuf_info ubuf;
	raoe_released_fn released;
	void *ctx;
	u64 cookie;
	unsigned int pinned;
};

/*
 * Runs when the last skb sharing the frame's data frees it (skb_release_data), or when the
 * stack copies the frags away (skb_copy_ubufs): either way nothing reads our pages after this.
 */
static void raoe_zerocopy_complete(struct sk_buff *skb, struct ubuf_info *uarg, bool success)
{
	struct raoe_zerocopy *zc = container_of(uarg, struct raoe_zerocopy, ubuf);

	if (!refcount_dec_and_test(&uarg->refcnt))
		return;
	zc->released(zc->ctx, zc->cookie, zc->pinned);
	kfree(zc);
}

static const struct ubuf_info_ops raoe_zerocopy_ops = {
	.complete = raoe_zerocopy_complete,
};

int raoe_xmit_frags(int ifindex, const u8 *header, unsigned int hlen,
		    const struct raoe_frag *frags, unsigned int nfrags, unsigned int pinned,
		    raoe_released_fn released, void *ctx, u64 cookie)
{
	struct raoe_zerocopy *zc;
	struct net_device *dev;
	struct sk_buff *skb;
	unsigned int i;
	int ret;

	BUILD_BUG_ON(RAOE_MAX_FRAGS > MAX_SKB_FRAGS);
	if (nfrags > RAOE_MAX_FRAGS)
		return -E2BIG;
	zc = kzalloc(sizeof(*zc), GFP_ATOMIC);
	if (!zc)
		return -ENOMEM;
	zc->ubuf.ops = &raoe_zerocopy_ops;
	zc->ubuf.flags = SKBFL_ZEROCOPY_FRAG;
	refcount_set(&zc->ubuf.refcnt, 1);

	rcu_read_lock();
	dev = dev_get_by_index_rcu(&init_net, ifindex);
	ret = -ENODEV;
	if (!dev)
		goto free_zc;
	skb = alloc_skb(LL_RESERVED_SPACE(dev) + hlen, GFP_ATOMIC);
	ret = -ENOMEM;
	if (!skb)
		goto free_zc;
	skb_reserve(skb, LL_RESERVED_SPACE(dev));
	skb_put_data(skb, header, hlen);
	/* From here the skb owns the frags' page references: freeing it puts them. */
	for (i = 0; i < nfrags; i++) {
		skb_fill_page_desc(skb, i, frags[i].page, frags[i].offset, frags[i].len);
		skb->len += frags[i].len;
		skb->data_len += frags[i].len;
		skb->truesize += frags[i].len;
	}
	skb_reset_mac_header(skb);
	skb_reset_network_header(skb);
	skb->dev = dev;
	skb->protocol = ((const struct ethhdr *)header)->h_proto;
	/* And zc: freeing the skb, even on error, calls released. */
	zc->released = released;
	zc->ctx = ctx;
	zc->cookie = cookie;
	zc->pinned = pinned;
	skb_zcopy_init(skb, &zc->ubuf);
	dev_queue_xmit(skb);
	rcu_read_unlock();
	return 0;

free_zc:
	rcu_read_unlock();
	kfree(zc);
	return ret;
}

void raoe_netdev_for_each(raoe_netdev_visit_fn visit, void *ctx)
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
