// SPDX-License-Identifier: GPL-2.0
/* loss: a tc egress program (direct action) that drops LOSS_PER_10000 of
 * every 10000 packets at random: the packet loss of bench/vrrp_bfd_bench.sh,
 * on kernels built without sch_netem.  Built by that script. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#ifndef LOSS_PER_10000
#define LOSS_PER_10000 100
#endif

SEC("tc")
int loss(struct __sk_buff *skb)
{
	(void)skb;
	return bpf_get_prandom_u32() % 10000 < LOSS_PER_10000 ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
