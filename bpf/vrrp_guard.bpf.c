// SPDX-License-Identifier: GPL-2.0
/* vrrp_guard: XDP program on a VRRP interface that drops forged or foreign
 * VRRP packets before they reach user space (and before they cost vrrpd a
 * wake-up): TTL/hop limit other than 255, anything but a VRRPv3
 * advertisement, VRIDs we do not run, and, where unicast peers are set,
 * sources that are not one of them.  Everything that is not VRRP passes. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "vrrp_guard.h"

#define IPPROTO_VRRP_NUM 112

/* vrids[vrid] != 0: an instance of ours runs this VRID. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u8);
} vrids SEC(".maps");

/* Allowed unicast sources (IPv4); checked only when peer_filter is set
 * (every IPv4 instance on the interface has unicast peers). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, VRRP_GUARD_MAX_PEERS);
	__type(key, __u32);
	__type(value, __u8);
} peers4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VRRP_GUARD_NREASONS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

/* Set from user space (through the skeleton's mapped .bss, without a
 * system call): a reload may turn unicast mode on or off. */
__u8 peer_filter = 0;

static __always_inline int verdict(__u32 reason)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &reason);
	if (c)
		*c += 1;
	return reason == VRRP_GUARD_PASSED ? XDP_PASS : XDP_DROP;
}

static __always_inline int check_vrrp(const __u8 *vrrp, void *end)
{
	if ((void *)(vrrp + 2) > end)
		return verdict(VRRP_GUARD_TRUNCATED);
	if (vrrp[0] != 0x31) /* version 3, type 1 (advertisement) */
		return verdict(VRRP_GUARD_BAD_VERSION);
	__u32 vrid = vrrp[1];
	__u8 *known = bpf_map_lookup_elem(&vrids, &vrid);
	if (!known || !*known)
		return verdict(VRRP_GUARD_UNKNOWN_VRID);
	return verdict(VRRP_GUARD_PASSED);
}

SEC("xdp")
int vrrp_guard(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_VRRP_NUM)
			return XDP_PASS;
		if (ip->ttl != 255)
			return verdict(VRRP_GUARD_BAD_TTL);
		if (peer_filter) {
			__u32 src = ip->saddr;
			if (!bpf_map_lookup_elem(&peers4, &src))
				return verdict(VRRP_GUARD_NOT_PEER);
		}
		__u32 ihl = ip->ihl * 4u;
		if (ihl < sizeof(*ip) || ihl > 60)
			return verdict(VRRP_GUARD_TRUNCATED);
		return check_vrrp((const __u8 *)ip + ihl, end);
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_VRRP_NUM)
			return XDP_PASS;
		if (ip6->hop_limit != 255)
			return verdict(VRRP_GUARD_BAD_TTL);
		return check_vrrp((const __u8 *)(ip6 + 1), end);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
