/* What the tc ingress programs on virtual addresses (vip_noaccept.bpf.c,
 * vip_synhold.bpf.c) share: the entry that sends IPv4 and IPv6 to their
 * own functions, and the walk over IPv6 extension headers.  Each program
 * decides itself what a chain too long, cut short or fragmented means. */
#ifndef BPF_VIP_TC_H
#define BPF_VIP_TC_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* Extension headers walked before giving up. */
#define IPV6_MAX_EXT 8

#define NEXTHDR_HOP 0
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_AUTH 51
#define NEXTHDR_DEST 60

/* An extension header whose second byte says its length: hop-by-hop,
 * routing, destination options, AH (not the fragment header: 8 bytes). */
static __always_inline int ipv6_ext_sized(__u8 next)
{
	return next == NEXTHDR_HOP || next == NEXTHDR_ROUTING || next == NEXTHDR_DEST || next == NEXTHDR_AUTH;
}

/* The length of such a header from that byte (AH counts 4-byte words
 * minus 2, the others 8-byte units minus 1). */
static __always_inline __u32 ipv6_ext_len(__u8 next, __u8 hdrlen)
{
	return next == NEXTHDR_AUTH ? ((__u32)hdrlen + 2) * 4 : ((__u32)hdrlen + 1) * 8;
}

/* A program's verdict: ipv4() or ipv6() by the frame's protocol, no verdict
 * (TC_ACT_UNSPEC) for anything else. */
static __always_inline int vip_tc_by_family(struct __sk_buff *skb, int (*ipv4)(struct __sk_buff *),
					    int (*ipv6)(struct __sk_buff *))
{
	if (skb->protocol == bpf_htons(ETH_P_IP))
		return ipv4(skb);
	if (skb->protocol == bpf_htons(ETH_P_IPV6))
		return ipv6(skb);
	return TC_ACT_UNSPEC;
}

#endif
