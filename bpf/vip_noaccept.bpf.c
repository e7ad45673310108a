// SPDX-License-Identifier: GPL-2.0
/* vip_noaccept: tc ingress program for RFC 5798's Accept_Mode False.  A
 * master that does not own its virtual addresses must not accept packets
 * addressed to them: TCP, UDP, SCTP and (IPv4) ICMP to an address in the
 * vips4 / vips6 maps are dropped.  Everything else passes: ARP and IPv6
 * neighbour discovery (ICMPv6) for the addresses, so that the master still
 * answers for them, VRRP itself, and all other destinations.  On a backup the
 * addresses are not local, so the drop changes nothing there: the maps can be
 * filled once, at start-up, while vrrpd still has CAP_BPF. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

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

static __always_inline int proto_blocked(__u8 proto, int v6)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP ||
	       (!v6 && proto == IPPROTO_ICMP);
}

static __always_inline int drop(void)
{
	__sync_fetch_and_add(&dropped, 1);
	return TC_ACT_SHOT;
}

SEC("tc")
int vip_noaccept(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return TC_ACT_OK;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end || !proto_blocked(ip->protocol, 0))
			return TC_ACT_OK;
		__u32 dst = ip->daddr;
		return bpf_map_lookup_elem(&vips4, &dst) ? drop() : TC_ACT_OK;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end || !proto_blocked(ip6->nexthdr, 1))
			return TC_ACT_OK;
		struct in6_addr dst = ip6->daddr;
		return bpf_map_lookup_elem(&vips6, &dst) ? drop() : TC_ACT_OK;
	}
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
