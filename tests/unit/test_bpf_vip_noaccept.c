/* The accept-mode filter (bpf/vip_noaccept.bpf.c) run in the kernel on
 * crafted frames (BPF_PROG_TEST_RUN): TCP, UDP, SCTP and IPv4 ICMP to a
 * virtual address are dropped and counted; ARP, ICMPv6 (neighbour
 * discovery), VRRP and other destinations pass.  (A truncated IP header
 * cannot be tested here: the kernel refuses such an skb before the program.)  Needs root (CAP_BPF); it
 * fails, never skips, without it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <string.h>
#include <unistd.h>

#include "bpf/vip_noaccept.skel.h"

struct frame {
	uint8_t pad[2];
	uint8_t bytes[126];
	uint32_t len;
} __attribute__((aligned(4)));

static struct frame frame4(uint16_t ethertype, uint8_t proto, const char *dst)
{
	struct frame f;
	memset(&f, 0, sizeof(f));
	struct ethhdr *eth = (struct ethhdr *)f.bytes;
	eth->h_proto = htons(ethertype);
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = proto;
	ip->tot_len = htons(20 + 20);
	inet_pton(AF_INET, "198.51.100.50", &ip->saddr);
	inet_pton(AF_INET, dst, &ip->daddr);
	f.len = sizeof(*eth) + 20 + 20;
	return f;
}

static struct frame frame6(uint8_t nexthdr, const char *dst)
{
	struct frame f;
	memset(&f, 0, sizeof(f));
	struct ethhdr *eth = (struct ethhdr *)f.bytes;
	eth->h_proto = htons(ETH_P_IPV6);
	struct ipv6hdr *ip6 = (struct ipv6hdr *)(eth + 1);
	ip6->version = 6;
	ip6->nexthdr = nexthdr;
	ip6->hop_limit = 64;
	ip6->payload_len = htons(20);
	inet_pton(AF_INET6, "2001:db8::50", &ip6->saddr);
	inet_pton(AF_INET6, dst, &ip6->daddr);
	f.len = sizeof(*eth) + sizeof(*ip6) + 20;
	return f;
}

static int run(struct vip_noaccept *skel, struct frame f)
{
	uint8_t out[256];
	struct bpf_test_run_opts opts;
	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	opts.data_in = f.bytes;
	opts.data_size_in = f.len;
	opts.data_out = out;
	opts.data_size_out = sizeof(out);
	opts.repeat = 1;
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.vip_noaccept), &opts), 0);
	return (int)opts.retval;
}

static void test_drops_to_vips_only(void **state)
{
	(void)state;
	assert_int_equal(geteuid(), 0);
	struct vip_noaccept *skel = vip_noaccept__open_and_load();
	assert_non_null(skel);
	uint8_t one = 1, v4[4], v6[16];
	inet_pton(AF_INET, "198.51.100.100", v4);
	inet_pton(AF_INET6, "2001:db8::100", v6);
	assert_int_equal(bpf_map__update_elem(skel->maps.vips4, v4, 4, &one, 1, BPF_ANY), 0);
	assert_int_equal(bpf_map__update_elem(skel->maps.vips6, v6, 16, &one, 1, BPF_ANY), 0);

	assert_int_equal(run(skel, frame4(ETH_P_IP, 6, "198.51.100.100")), TC_ACT_SHOT);   /* TCP */
	assert_int_equal(run(skel, frame4(ETH_P_IP, 17, "198.51.100.100")), TC_ACT_SHOT);  /* UDP */
	assert_int_equal(run(skel, frame4(ETH_P_IP, 1, "198.51.100.100")), TC_ACT_SHOT);   /* ICMP */
	assert_int_equal(run(skel, frame4(ETH_P_IP, 132, "198.51.100.100")), TC_ACT_SHOT); /* SCTP */
	assert_int_equal(run(skel, frame4(ETH_P_IP, 112, "198.51.100.100")), TC_ACT_OK);   /* VRRP */
	assert_int_equal(run(skel, frame4(ETH_P_IP, 6, "198.51.100.11")), TC_ACT_OK);      /* not a VIP */
	assert_int_equal(run(skel, frame4(ETH_P_ARP, 6, "198.51.100.100")), TC_ACT_OK);    /* ARP */
	assert_int_equal(run(skel, frame6(6, "2001:db8::100")), TC_ACT_SHOT);
	assert_int_equal(run(skel, frame6(58, "2001:db8::100")), TC_ACT_OK); /* ICMPv6: ND */
	assert_int_equal(run(skel, frame6(6, "2001:db8::11")), TC_ACT_OK);

	/* what vrrpctl status shows as accept_drops, read without a syscall */
	assert_int_equal(skel->bss->dropped, 5);
	vip_noaccept__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drops_to_vips_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
