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
#include "tests/unit/pktbuild.h"

static struct pkt_frame frame4(uint16_t ethertype, uint8_t proto, const char *dst)
{
	struct pkt_frame f;
	pkt_ip4(&f, proto, 64, "198.51.100.50", dst, 20);
	pkt_set_ethertype(&f, ethertype);
	return f;
}

static struct pkt_frame frame6(uint8_t nexthdr, const char *dst)
{
	struct pkt_frame f;
	pkt_ip6(&f, nexthdr, 64, "2001:db8::50", dst, 20);
	return f;
}

/* IPv6 extension header numbers (netinet/in.h's IPPROTO_HOPOPTS, ...). */
enum { HOP = 0, TCP = 6, UDP = 17, RT = 43, FRAG = 44, AH = 51, ICMP6 = 58, DST = 60, SCTP = 132, VRRP = 112 };

/* An IPv6 frame to dst whose headers after the fixed one are chain[0..n-1]
 * (extension headers, each of its smallest size) then a 20-byte upper layer
 * header whose first byte is l4_first (the ICMPv6 type).  frag_off is the
 * fragment header's offset field (in 8-byte units). */
static struct pkt_frame frame6x(const char *dst, const uint8_t *chain, size_t n, uint8_t l4_first,
				uint16_t frag_off)
{
	struct pkt_frame f = frame6(chain[0], dst);
	f.bytes[pkt_ip6_chain(&f, chain, n, frag_off, 20)] = l4_first;
	return f;
}

static int run(struct vip_noaccept *skel, struct pkt_frame f)
{
	return pkt_run(bpf_program__fd(skel->progs.vip_noaccept), &f);
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
	assert_int_equal(run(skel, frame6x(VIP6, PKT_CHAIN(DST, TCP), 0, 0)), TC_ACT_SHOT);
	assert_int_equal(run(skel, frame6x(VIP6, PKT_CHAIN(HOP, UDP), 0, 0)), TC_ACT_SHOT);
	assert_int_equal(run(skel, frame6x(VIP6, PKT_CHAIN(RT, FRAG, SCTP), 0, 0)), TC_ACT_SHOT);
	assert_int_equal(run(skel, frame6x(VIP6, PKT_CHAIN(AH, TCP), 0, 0)), TC_ACT_SHOT);
	assert_int_equal(run(skel, frame6x(VIP6, PKT_CHAIN(HOP, DST, RT, FRAG, AH, DST, TCP), 0, 0)), TC_ACT_SHOT);
	/* a later fragment has no TCP header but is TCP all the same */
	assert_int_equal(run(skel, frame6x(VIP6, PKT_CHAIN(FRAG, TCP), 0, 100)), TC_ACT_SHOT);
	/* 8 extension headers are walked; a 9th is not, and the packet is dropped */
	assert_int_equal(run(skel, frame6x(VIP6, PKT_CHAIN(DST, DST, DST, DST, DST, DST, DST, DST, UDP), 0, 0)),
			 TC_ACT_SHOT);
	assert_int_equal(run(skel, frame6x(VIP6, PKT_CHAIN(DST, DST, DST, DST, DST, DST, DST, DST, DST, VRRP), 0, 0)),
			 TC_ACT_SHOT);
	/* what is not TCP/UDP/SCTP behind them passes: VRRP, no next header */
	assert_int_equal(run(skel, frame6x(VIP6, PKT_CHAIN(HOP, VRRP), 0, 0)), TC_ACT_UNSPEC);
	assert_int_equal(run(skel, frame6x(VIP6, PKT_CHAIN(DST, 59), 0, 0)), TC_ACT_UNSPEC);
	/* other destinations are not looked into */
	assert_int_equal(run(skel, frame6x("2001:db8::11", PKT_CHAIN(DST, TCP), 0, 0)), TC_ACT_UNSPEC);
	assert_int_equal(skel->bss->dropped, 8);
	vip_noaccept__destroy(skel);
}

/* A Destination Options header that claims more bytes than the packet has:
 * what follows cannot be seen, so a VIP-bound packet is dropped. */
static void test_ipv6_cut_short(void **state)
{
	(void)state;
	struct vip_noaccept *skel = load6();
	struct pkt_frame f = frame6x(VIP6, PKT_CHAIN(DST, TCP), 0, 0);
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
	assert_int_equal(run(skel, frame6x(VIP6, PKT_CHAIN(ICMP6), 128, 0)), TC_ACT_SHOT); /* echo request */
	assert_int_equal(run(skel, frame6x(VIP6, PKT_CHAIN(ICMP6), 129, 0)), TC_ACT_SHOT); /* echo reply */
	assert_int_equal(run(skel, frame6x(VIP6, PKT_CHAIN(DST, ICMP6), 128, 0)), TC_ACT_SHOT);
	assert_int_equal(run(skel, frame6x(VIP6, PKT_CHAIN(ICMP6), 139, 0)), TC_ACT_SHOT); /* node info */
	/* a later fragment of ICMPv6: neither ND nor MLD (never fragmented) */
	assert_int_equal(run(skel, frame6x(VIP6, PKT_CHAIN(FRAG, ICMP6), 135, 8)), TC_ACT_SHOT);
	assert_int_equal(skel->bss->dropped, 5);
	static const uint8_t pass[] = { 135, 136, 133, 134, 137, 130, 131, 132, 143, 1, 2, 3, 4 };
	for (size_t i = 0; i < sizeof(pass); i++) {
		assert_int_equal(run(skel, frame6x(VIP6, PKT_CHAIN(ICMP6), pass[i], 0)), TC_ACT_UNSPEC);
		assert_int_equal(run(skel, frame6x(VIP6, PKT_CHAIN(HOP, ICMP6), pass[i], 0)), TC_ACT_UNSPEC);
	}
	assert_int_equal(run(skel, frame6x(VIP6, PKT_CHAIN(FRAG, ICMP6), 128, 0)), TC_ACT_SHOT);
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
