/* The syn-hold filter (bpf/vip_synhold.bpf.c) run in the kernel on crafted
 * frames (BPF_PROG_TEST_RUN).  The kernel runs it on a packet "received" on
 * the loopback interface of this test's network namespace, so its socket
 * lookup sees this process's own sockets: a port with a listener here is
 * the listener case, a port only bound (reserved, not listening) the case
 * of a dead lbd.  A SYN to a held destination without a listener is dropped
 * and counted; with one, or anything else, passes without a verdict
 * (TC_ACT_UNSPEC, so that the next tc filter runs).  Needs root (CAP_BPF);
 * it fails, never skips, without it. */
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
#include <linux/tcp.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bpf/vip_synhold.h"
#include "bpf/vip_synhold.skel.h"
#include "tests/unit/pktbuild.h"

enum { SYN = 1, ACK = 2 };

static void tcp_at(struct pkt_frame *f, size_t off, uint16_t dport, int flags)
{
	struct tcphdr th;
	memset(&th, 0, sizeof(th));
	th.source = htons(40000);
	th.dest = htons(dport);
	th.doff = 5;
	th.syn = !!(flags & SYN);
	th.ack = !!(flags & ACK);
	memcpy(f->bytes + off, &th, sizeof(th));
	f->len = (uint32_t)(off + sizeof(th));
}

static struct pkt_frame frame4(const char *dst, uint8_t proto, uint16_t dport, int flags)
{
	struct pkt_frame f;
	size_t off = pkt_ip4(&f, proto, 64, "198.51.100.50", dst, 20);
	tcp_at(&f, off, dport, flags);
	return f;
}

/* IPv6 extension header numbers. */
enum { HOP = 0, TCP = 6, RT = 43, FRAG = 44, AH = 51, DST = 60 };

/* An IPv6 SYN (flags) to dst:dport behind the extension headers chain[0..n-2]
 * (chain[n-1] is TCP), each of its smallest size. */
static struct pkt_frame frame6(const char *dst, uint16_t dport, int flags, const uint8_t *chain, size_t n)
{
	struct pkt_frame f;
	pkt_ip6(&f, chain[0], 64, "2001:db8::50", dst, 0);
	size_t off = pkt_ip6_chain(&f, chain, n, 0, 20);
	tcp_at(&f, off, dport, flags);
	return f;
}

static int run(struct vip_synhold *skel, struct pkt_frame f)
{
	return pkt_run(bpf_program__fd(skel->progs.vip_synhold), &f);
}

/* A TCP socket of family on a free port, listening or only bound; its port. */
static int tcp_socket(int family, int listening, uint16_t *port)
{
	int fd = socket(family, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_storage ss;
	socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET6) {
		int one = 1;
		assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)), 0);
	}
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
	if (listening)
		assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					 : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

static void hold(struct vip_synhold *skel, int family, const char *addr, uint16_t port)
{
	struct vip_synhold_key k;
	uint8_t one = 1;
	memset(&k, 0, sizeof(k));
	k.family = family == AF_INET ? 4 : 6;
	k.port = port;
	assert_int_equal(inet_pton(family, addr, k.addr), 1);
	assert_int_equal(bpf_map__update_elem(skel->maps.holds, &k, sizeof(k), &one, 1, BPF_ANY), 0);
}

#define VIP4 "198.51.100.100"
#define VIP6 "2001:db8::100"

static void test_ipv4(void **state)
{
	(void)state;
	assert_int_equal(geteuid(), 0);
	struct vip_synhold *skel = vip_synhold__open_and_load();
	assert_non_null(skel);
	uint16_t up, dead, other;
	int lfd = tcp_socket(AF_INET, 1, &up);    /* lbd alive: a listener */
	int bfd = tcp_socket(AF_INET, 0, &dead);  /* lbd dead: nothing listens */
	int ofd = tcp_socket(AF_INET, 0, &other); /* not a held port */
	hold(skel, AF_INET, VIP4, up);
	hold(skel, AF_INET, VIP4, dead);

	assert_int_equal(run(skel, frame4(VIP4, IPPROTO_TCP, dead, SYN)), TC_ACT_SHOT);
	assert_int_equal(skel->bss->held, 1);
	assert_int_equal(run(skel, frame4(VIP4, IPPROTO_TCP, up, SYN)), TC_ACT_UNSPEC);
	assert_int_equal(skel->bss->passed, 1);
	/* not a SYN: a SYN-ACK, an ACK, a segment with neither */
	assert_int_equal(run(skel, frame4(VIP4, IPPROTO_TCP, dead, SYN | ACK)), TC_ACT_UNSPEC);
	assert_int_equal(run(skel, frame4(VIP4, IPPROTO_TCP, dead, ACK)), TC_ACT_UNSPEC);
	assert_int_equal(run(skel, frame4(VIP4, IPPROTO_TCP, dead, 0)), TC_ACT_UNSPEC);
	/* another port, another address, not TCP */
	assert_int_equal(run(skel, frame4(VIP4, IPPROTO_TCP, other, SYN)), TC_ACT_UNSPEC);
	assert_int_equal(run(skel, frame4("198.51.100.11", IPPROTO_TCP, dead, SYN)), TC_ACT_UNSPEC);
	assert_int_equal(run(skel, frame4(VIP4, IPPROTO_UDP, dead, SYN)), TC_ACT_UNSPEC);
	/* a fragment is not read */
	struct pkt_frame f = frame4(VIP4, IPPROTO_TCP, dead, SYN);
	struct iphdr ip;
	pkt_ip4_get(&f, &ip);
	ip.frag_off = htons(0x2000); /* more fragments */
	pkt_ip4_put(&f, &ip);
	assert_int_equal(run(skel, f), TC_ACT_UNSPEC);
	/* IP options: the TCP header is found after them */
	f = frame4(VIP4, IPPROTO_TCP, 0, 0);
	pkt_ip4_get(&f, &ip);
	ip.ihl = 6;
	pkt_ip4_put(&f, &ip);
	tcp_at(&f, ETH_HLEN + 24, dead, SYN);
	assert_int_equal(run(skel, f), TC_ACT_SHOT);
	assert_int_equal(skel->bss->held, 2);
	assert_int_equal(skel->bss->passed, 1);

	/* port 0 in the map: every port of the address */
	hold(skel, AF_INET, VIP4, 0);
	assert_int_equal(run(skel, frame4(VIP4, IPPROTO_TCP, other, SYN)), TC_ACT_SHOT);
	assert_int_equal(skel->bss->held, 3);
	/* the listener closed (lbd killed): its port is held now */
	close(lfd);
	assert_int_equal(run(skel, frame4(VIP4, IPPROTO_TCP, up, SYN)), TC_ACT_SHOT);
	assert_int_equal(skel->bss->held, 4);
	close(bfd);
	close(ofd);
	vip_synhold__destroy(skel);
}

static void test_ipv6(void **state)
{
	(void)state;
	assert_int_equal(geteuid(), 0);
	struct vip_synhold *skel = vip_synhold__open_and_load();
	assert_non_null(skel);
	uint16_t up, dead;
	int lfd = tcp_socket(AF_INET6, 1, &up);
	int bfd = tcp_socket(AF_INET6, 0, &dead);
	hold(skel, AF_INET6, VIP6, 0);

	assert_int_equal(run(skel, frame6(VIP6, dead, SYN, PKT_CHAIN(TCP))), TC_ACT_SHOT);
	assert_int_equal(run(skel, frame6(VIP6, up, SYN, PKT_CHAIN(TCP))), TC_ACT_UNSPEC);
	assert_int_equal(run(skel, frame6(VIP6, dead, SYN | ACK, PKT_CHAIN(TCP))), TC_ACT_UNSPEC);
	assert_int_equal(run(skel, frame6("2001:db8::11", dead, SYN, PKT_CHAIN(TCP))), TC_ACT_UNSPEC);
	/* behind extension headers */
	assert_int_equal(run(skel, frame6(VIP6, dead, SYN, PKT_CHAIN(HOP, DST, RT, AH, TCP))), TC_ACT_SHOT);
	assert_int_equal(run(skel, frame6(VIP6, up, SYN, PKT_CHAIN(DST, TCP))), TC_ACT_UNSPEC);
	/* what is not read with certainty passes: a fragment, more than 8 headers */
	assert_int_equal(run(skel, frame6(VIP6, dead, SYN, PKT_CHAIN(FRAG, TCP))), TC_ACT_UNSPEC);
	assert_int_equal(run(skel, frame6(VIP6, dead, SYN, PKT_CHAIN(DST, DST, DST, DST, DST, DST, DST, DST, DST, TCP))),
			 TC_ACT_UNSPEC);
	assert_int_equal(run(skel, frame6(VIP6, dead, SYN, PKT_CHAIN(DST, DST, DST, DST, DST, DST, DST, DST, TCP))),
			 TC_ACT_SHOT);
	/* an IPv4 SYN to the same port: the map's addresses are per family */
	assert_int_equal(run(skel, frame4(VIP4, IPPROTO_TCP, dead, SYN)), TC_ACT_UNSPEC);
	assert_int_equal(skel->bss->held, 3);
	assert_int_equal(skel->bss->passed, 2);
	close(lfd);
	close(bfd);
	vip_synhold__destroy(skel);
}

/* Not IP at all (ARP): untouched. */
static void test_not_ip(void **state)
{
	(void)state;
	struct vip_synhold *skel = vip_synhold__open_and_load();
	assert_non_null(skel);
	hold(skel, AF_INET, VIP4, 0);
	struct pkt_frame f = frame4(VIP4, IPPROTO_TCP, 80, SYN);
	pkt_set_ethertype(&f, ETH_P_ARP);
	assert_int_equal(run(skel, f), TC_ACT_UNSPEC);
	assert_int_equal(skel->bss->held, 0);
	vip_synhold__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_not_ip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
