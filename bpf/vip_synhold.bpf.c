// SPDX-License-Identifier: GPL-2.0
/* vip_synhold: tc ingress program that turns "connection refused" into
 * "try again" while a virtual address moves.  When lbd dies on the master,
 * the kernel answers SYNs to the VIP with RST until vrrpd's track sees it
 * and the VIP moves (1-2 s): clients that do not retry a refused connection
 * (the OpenTelemetry JS SDK) lose what they were sending.  A SYN dropped
 * instead is sent again by the client's kernel (after 1 s, 3 s, ...), and
 * once the VIP has moved the retransmission reaches the new master.
 *
 * A TCP SYN (SYN set, ACK clear) to an address and port in the `held` map
 * (or to an address with port 0 there: every port) is looked up in the
 * socket table of the packet's network namespace (bpf_skc_lookup_tcp, what
 * the kernel's own receive path will do): no socket, no listener, the SYN is
 * dropped and counted in `held`; a socket, it passes and is counted in
 * `passed`.  Everything else passes untouched, and so does what cannot be
 * read with certainty: IPv4 and IPv6 fragments, a chain of more than
 * IPV6_MAX_EXT extension headers, a header cut short.
 *
 * What passes gets no verdict (TC_ACT_UNSPEC): the interface's next tc
 * filters (the accept-mode filter, an operator's own) still run. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "vip_synhold.h"
#include "vip_tc.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VIP_SYNHOLD_MAX_KEYS);
	__type(key, struct vip_synhold_key);
	__type(value, __u8);
} holds SEC(".maps");

/* Read by vrrpd through the skeleton's memory map: no system call, so they
 * can be read after vrrpd has dropped CAP_BPF. */
__u64 held = 0;   /* SYNs dropped: no socket for them */
__u64 passed = 0; /* SYNs to a held destination that a socket was there for */

/* Is the destination of this SYN one to hold? */
static __always_inline int wanted(struct vip_synhold_key *k)
{
	if (bpf_map_lookup_elem(&holds, k))
		return 1;
	k->port = 0;
	return bpf_map_lookup_elem(&holds, k) != 0;
}

static __always_inline int is_syn(const struct tcphdr *th)
{
	return th->syn && !th->ack;
}

/* The verdict for a SYN to a held destination: dropped without a socket. */
static __always_inline int hold(struct __sk_buff *skb, struct bpf_sock_tuple *t, __u32 len)
{
	struct bpf_sock *sk = bpf_skc_lookup_tcp(skb, t, len, BPF_F_CURRENT_NETNS, 0);
	if (sk) {
		bpf_sk_release(sk);
		__sync_fetch_and_add(&passed, 1);
		return TC_ACT_UNSPEC;
	}
	__sync_fetch_and_add(&held, 1);
	return TC_ACT_SHOT;
}

static int ipv4(struct __sk_buff *skb)
{
	struct iphdr ip;
	struct tcphdr th;

	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)) || ip.protocol != IPPROTO_TCP)
		return TC_ACT_UNSPEC;
	/* A fragment (offset or more-fragments set) is left to the kernel. */
	if (ip.frag_off & bpf_htons(0x3fff) || ip.ihl < 5)
		return TC_ACT_UNSPEC;
	if (bpf_skb_load_bytes(skb, ETH_HLEN + ip.ihl * 4, &th, sizeof(th)) || !is_syn(&th))
		return TC_ACT_UNSPEC;
	struct vip_synhold_key k = { .port = bpf_ntohs(th.dest), .family = 4 };
	__builtin_memcpy(k.addr, &ip.daddr, 4);
	if (!wanted(&k))
		return TC_ACT_UNSPEC;
	struct bpf_sock_tuple t = { .ipv4 = { .saddr = ip.saddr, .daddr = ip.daddr,
					     .sport = th.source, .dport = th.dest } };
	return hold(skb, &t, sizeof(t.ipv4));
}

static int ipv6(struct __sk_buff *skb)
{
	struct ipv6hdr ip6;
	struct tcphdr th;
	__u32 off = ETH_HLEN + sizeof(ip6);

	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip6, sizeof(ip6)))
		return TC_ACT_UNSPEC;
	__u8 next = ip6.nexthdr;
	for (int i = 0; i < IPV6_MAX_EXT && next != IPPROTO_TCP; i++) {
		__u8 ext[2];
		/* A fragment header (any fragment) or an unknown header:
		 * not a SYN this program reads. */
		if (!ipv6_ext_sized(next) || bpf_skb_load_bytes(skb, off, ext, sizeof(ext)))
			return TC_ACT_UNSPEC;
		off += ipv6_ext_len(next, ext[1]);
		next = ext[0];
	}
	if (next != IPPROTO_TCP || bpf_skb_load_bytes(skb, off, &th, sizeof(th)) || !is_syn(&th))
		return TC_ACT_UNSPEC;
	struct vip_synhold_key k = { .port = bpf_ntohs(th.dest), .family = 6 };
	__builtin_memcpy(k.addr, &ip6.daddr, 16);
	if (!wanted(&k))
		return TC_ACT_UNSPEC;
	struct bpf_sock_tuple t;
	__builtin_memcpy(t.ipv6.saddr, &ip6.saddr, 16);
	__builtin_memcpy(t.ipv6.daddr, &ip6.daddr, 16);
	t.ipv6.sport = th.source;
	t.ipv6.dport = th.dest;
	return hold(skb, &t, sizeof(t.ipv6));
}

SEC("tc")
int vip_synhold(struct __sk_buff *skb)
{
	return vip_tc_by_family(skb, ipv4, ipv6);
}

char LICENSE[] SEC("license") = "GPL";
