/* The accept-mode filter (bpf/vip_noaccept.bpf.c) run in the kernel on
 * crafted frames (BPF_PROG_TEST_RUN): TCP, UDP, SCTP and IPv4 ICMP to a
 * virtual address are dropped and counted; ARP, ICMPv6 neighbour discovery,
 * MLD and errors, VRRP and other destinations pass.  Over IPv6 the protocol
 * is found behind any chain of extension headers.  (A truncated IP header
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
	uint8_t bytes[254];
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

/* IPv6 extension header numbers (netinet/in.h's IPPROTO_HOPOPTS, ...). */
enum { HOP = 0, TCP = 6, UDP = 17, RT = 43, FRAG = 44, AH = 51, ICMP6 = 58, DST = 60, SCTP = 132, VRRP = 112 };

/* An IPv6 frame to dst whose headers after the fixed one are chain[0..n-1]
 * (extension headers, each of its smallest size) then a 20-byte upper layer
 * header whose first byte is l4_first (the ICMPv6 type).  frag_off is the
 * fragment header's offset field (in 8-byte units). */
static struct frame frame6x(const char *dst, const uint8_t *chain, size_t n, uint8_t l4_first,
			    uint16_t frag_off)
{
	struct frame f = frame6(chain[0], dst);
	size_t off = sizeof(struct ethhdr) + sizeof(struct ipv6hdr);
	for (size_t i = 0; i + 1 < n; i++) {
		uint8_t *h = f.bytes + off;
		h[0] = chain[i + 1];
		if (chain[i] == FRAG) {
			h[2] = (uint8_t)(frag_off >> 5);
			h[3] = (uint8_t)(frag_off << 3);
			off += 8;
		} else if (chain[i] == AH) {
			h[1] = 2; /* (2 + 2) * 4 = 16 bytes */
			off += 16;
		} else {
			off += 8; /* hdr ext len 0 */
		}
		assert_true(off + 20 <= sizeof(f.bytes));
	}
	f.bytes[off] = l4_first;
	f.len = (uint32_t)off + 20;
	((struct ipv6hdr *)(f.bytes + sizeof(struct ethhdr)))->payload_len =
		htons((uint16_t)(f.len - sizeof(struct ethhdr) - sizeof(struct ipv6hdr)));
	return f;
}

#define CHAIN(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

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
	assert_int_equal(run(skel, frame4(ETH_P_IP, 112, "198.51.100.100")), TC_ACT_UNSPEC);   /* VRRP */
	assert_int_equal(run(skel, frame4(ETH_P_IP, 6, "198.51.100.11")), TC_ACT_UNSPEC);      /* not a VIP */
	assert_int_equal(run(skel, frame4(ETH_P_ARP, 6, "198.51.100.100")), TC_ACT_UNSPEC);    /* ARP */
	assert_int_equal(run(skel, frame6(6, "2001:db8::100")), TC_ACT_SHOT);
	assert_int_equal(run(skel, frame6(58, "2001:db8::100")), TC_ACT_UNSPEC); /* ICMPv6: ND */
	assert_int_equal(run(skel, frame6(6, "2001:db8::11")), TC_ACT_UNSPEC);

	/* what vrrpctl status shows as accept_drops, read without a syscall */
	assert_int_equal(skel->bss->dropped, 5);
	vip_noaccept__destroy(skel);
}

static struct vip_noaccept *load6(void)
{
	assert_int_equal(geteuid(), 0);
	struct vip_noaccept *skel = vip_noaccept__open_and_load();
	assert_non_null(skel);
	uint8_t one = 1, v6[16];
	inet_pton(AF_INET6, "2001:db8::100", v6);
	assert_int_equal(bpf_map__update_elem(skel->maps.vips6, v6, 16, &one, 1, BPF_ANY), 0);
	return skel;
}

#define VIP6 "2001:db8::100"

/* The upper layer protocol behind extension headers is what counts: a TCP
 * segment behind a Destination Options header reached a service on the VIP. */
static void test_ipv6_extension_headers(void **state)
{
	(void)state;
	struct vip_noaccept *skel = load6();
	assert_int_equal(run(skel, frame6x(VIP6, CHAIN(DST, TCP), 0, 0)), TC_ACT_SHOT);
	assert_int_equal(run(skel, frame6x(VIP6, CHAIN(HOP, UDP), 0, 0)), TC_ACT_SHOT);
	assert_int_equal(run(skel, frame6x(VIP6, CHAIN(RT, FRAG, SCTP), 0, 0)), TC_ACT_SHOT);
	assert_int_equal(run(skel, frame6x(VIP6, CHAIN(AH, TCP), 0, 0)), TC_ACT_SHOT);
	assert_int_equal(run(skel, frame6x(VIP6, CHAIN(HOP, DST, RT, FRAG, AH, DST, TCP), 0, 0)), TC_ACT_SHOT);
	/* a later fragment has no TCP header but is TCP all the same */
	assert_int_equal(run(skel, frame6x(VIP6, CHAIN(FRAG, TCP), 0, 100)), TC_ACT_SHOT);
	/* 8 extension headers are walked; a 9th is not, and the packet is dropped */
	assert_int_equal(run(skel, frame6x(VIP6, CHAIN(DST, DST, DST, DST, DST, DST, DST, DST, UDP), 0, 0)),
			 TC_ACT_SHOT);
	assert_int_equal(run(skel, frame6x(VIP6, CHAIN(DST, DST, DST, DST, DST, DST, DST, DST, DST, VRRP), 0, 0)),
			 TC_ACT_SHOT);
	/* what is not TCP/UDP/SCTP behind them passes: VRRP, no next header */
	assert_int_equal(run(skel, frame6x(VIP6, CHAIN(HOP, VRRP), 0, 0)), TC_ACT_UNSPEC);
	assert_int_equal(run(skel, frame6x(VIP6, CHAIN(DST, 59), 0, 0)), TC_ACT_UNSPEC);
	/* other destinations are not looked into */
	assert_int_equal(run(skel, frame6x("2001:db8::11", CHAIN(DST, TCP), 0, 0)), TC_ACT_UNSPEC);
	assert_int_equal(skel->bss->dropped, 8);
	vip_noaccept__destroy(skel);
}

/* A Destination Options header that claims more bytes than the packet has:
 * what follows cannot be seen, so a VIP-bound packet is dropped. */
static void test_ipv6_cut_short(void **state)
{
	(void)state;
	struct vip_noaccept *skel = load6();
	struct frame f = frame6x(VIP6, CHAIN(DST, TCP), 0, 0);
	f.bytes[sizeof(struct ethhdr) + sizeof(struct ipv6hdr) + 1] = 20; /* 168 bytes */
	assert_int_equal(run(skel, f), TC_ACT_SHOT);
	vip_noaccept__destroy(skel);
}

/* ICMPv6 to a VIP: echo and the other informational messages are dropped;
 * neighbour discovery, MLD and errors (Packet Too Big for what the node
 * sends from the VIP) pass, behind extension headers too. */
static void test_ipv6_icmp(void **state)
{
	(void)state;
	struct vip_noaccept *skel = load6();
	assert_int_equal(run(skel, frame6x(VIP6, CHAIN(ICMP6), 128, 0)), TC_ACT_SHOT); /* echo request */
	assert_int_equal(run(skel, frame6x(VIP6, CHAIN(ICMP6), 129, 0)), TC_ACT_SHOT); /* echo reply */
	assert_int_equal(run(skel, frame6x(VIP6, CHAIN(DST, ICMP6), 128, 0)), TC_ACT_SHOT);
	assert_int_equal(run(skel, frame6x(VIP6, CHAIN(ICMP6), 139, 0)), TC_ACT_SHOT); /* node info */
	/* a later fragment of ICMPv6: neither ND nor MLD (never fragmented) */
	assert_int_equal(run(skel, frame6x(VIP6, CHAIN(FRAG, ICMP6), 135, 8)), TC_ACT_SHOT);
	assert_int_equal(skel->bss->dropped, 5);
	static const uint8_t pass[] = { 135, 136, 133, 134, 137, 130, 131, 132, 143, 1, 2, 3, 4 };
	for (size_t i = 0; i < sizeof(pass); i++) {
		assert_int_equal(run(skel, frame6x(VIP6, CHAIN(ICMP6), pass[i], 0)), TC_ACT_UNSPEC);
		assert_int_equal(run(skel, frame6x(VIP6, CHAIN(HOP, ICMP6), pass[i], 0)), TC_ACT_UNSPEC);
	}
	assert_int_equal(run(skel, frame6x(VIP6, CHAIN(FRAG, ICMP6), 128, 0)), TC_ACT_SHOT);
	assert_int_equal(skel->bss->dropped, 6);
	vip_noaccept__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drops_to_vips_only),
		cmocka_unit_test(test_ipv6_extension_headers),
		cmocka_unit_test(test_ipv6_cut_short),
		cmocka_unit_test(test_ipv6_icmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
