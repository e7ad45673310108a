// SPDX-License-Identifier: GPL-2.0
/* vip_noaccept: tc ingress program for RFC 5798's Accept_Mode False.  A
 * master that does not own its virtual addresses must not accept packets
 * addressed to them: TCP, UDP, SCTP and (IPv4) ICMP to an address in the
 * vips4 / vips6 maps are dropped, and so is ICMPv6 to them except neighbour
 * discovery, MLD and error messages.  Over IPv6 the protocol is the one after
 * the extension headers (hop-by-hop, routing, fragment, destination options,
 * AH), however many there are up to IPV6_MAX_EXT; a VIP-bound packet with
 * more, or cut short inside them, is dropped.  Everything else passes: ARP and
 * neighbour discovery for the addresses, so that the master still answers for
 * them, ICMPv6 errors (Packet Too Big for what the node itself sends from a
 * VIP), VRRP itself, and all other destinations.  On a backup the
 * addresses are not local, so the drop changes nothing there: the maps can be
 * filled once, at start-up, while vrrpd still has CAP_BPF.  What passes gets
 * no verdict (TC_ACT_UNSPEC): the interface's next tc filters still run (the
 * syn-hold filter, bpf/vip_synhold.bpf.c, at the next priority; TC_ACT_OK
 * would end the classification there). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "vip_tc.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u8);
} vips4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct in6_addr);
	__type(value, __u8);
} vips6 SEC(".maps");

/* Read by vrrpd through the skeleton's memory map: no system call, so it
 * still works after vrrpd has dropped CAP_BPF. */
__u64 dropped = 0;

/* Extension headers are walked up to IPV6_MAX_EXT (vip_tc.h); Linux itself
 * accepts any number, so a VIP-bound packet with more is dropped rather than
 * let through. */

static __always_inline int drop(void)
{
	__sync_fetch_and_add(&dropped, 1);
	return TC_ACT_SHOT;
}

static __always_inline int l4_blocked(__u8 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;
}

/* ICMPv6 that the master must still take for its VIPs: errors (types below
 * 128), MLD (130-132, 143) and neighbour discovery (133-137).  Echo and the
 * other informational messages are what Accept_Mode False refuses. */
static __always_inline int icmp6_allowed(__u8 type)
{
	return type < 128 || (type >= 130 && type <= 137) || type == 143;
}

static __always_inline int ipv6_ext(__u8 next)
{
	return ipv6_ext_sized(next) || next == NEXTHDR_FRAGMENT;
}

static int ipv4(struct __sk_buff *skb)
{
	struct iphdr ip;

	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)))
		return TC_ACT_UNSPEC;
	if (!l4_blocked(ip.protocol) && ip.protocol != IPPROTO_ICMP)
		return TC_ACT_UNSPEC;
	__u32 dst = ip.daddr;
	return bpf_map_lookup_elem(&vips4, &dst) ? drop() : TC_ACT_UNSPEC;
}

/* The destination is looked up first: only VIP-bound packets are walked. */
static int ipv6(struct __sk_buff *skb)
{
	struct ipv6hdr ip6;
	__u32 off = ETH_HLEN + sizeof(ip6);
	int first_frag = 1;

	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip6, sizeof(ip6)))
		return TC_ACT_UNSPEC;
	struct in6_addr dst = ip6.daddr;
	if (!bpf_map_lookup_elem(&vips6, &dst))
		return TC_ACT_UNSPEC;
	__u8 next = ip6.nexthdr;
	for (int i = 0; i < IPV6_MAX_EXT; i++) {
		__u8 ext[2];
		if (l4_blocked(next))
			return drop();
		if (next == IPPROTO_ICMPV6) {
			__u8 type;
			/* ND and MLD are never fragmented (RFC 6980), errors
			 * fit in the minimum MTU: a later fragment is neither. */
			if (!first_frag || bpf_skb_load_bytes(skb, off, &type, 1))
				return drop();
			return icmp6_allowed(type) ? TC_ACT_UNSPEC : drop();
		}
		if (!ipv6_ext(next))
			return TC_ACT_UNSPEC; /* VRRP, ESP, no next header, ... */
		if (bpf_skb_load_bytes(skb, off, ext, sizeof(ext)))
			return drop();
		if (next == NEXTHDR_FRAGMENT) {
			__be16 frag_off;
			if (bpf_skb_load_bytes(skb, off + 2, &frag_off, sizeof(frag_off)))
				return drop();
			if (bpf_ntohs(frag_off) & 0xfff8)
				first_frag = 0;
			off += 8;
		} else {
			off += ipv6_ext_len(next, ext[1]);
		}
		next = ext[0];
	}
	/* Too many headers: what follows was not seen. */
	return l4_blocked(next) || next == IPPROTO_ICMPV6 || ipv6_ext(next) ? drop() : TC_ACT_UNSPEC;
}

SEC("tc")
int vip_noaccept(struct __sk_buff *skb)
{
	return vip_tc_by_family(skb, ipv4, ipv6);
}

char LICENSE[] SEC("license") = "GPL";
