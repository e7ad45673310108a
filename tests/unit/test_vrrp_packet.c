/* Unit tests of the VRRPv3 wire format (vrrpd/packet.c).  The known vectors
 * were captured with tcpdump from Debian's keepalived 2.2.7 (VRRPv3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vrrpd/garp.h"
#include "vrrpd/packet.h"

/* keepalived: VRID 51, priority 100, 1 s, VIP 198.51.100.100, from
 * 198.51.100.11 to 224.0.0.18 (whole IPv4 packet as read from a raw socket). */
static const uint8_t ka_v4_ip[] = {
	0x45, 0xc0, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0xff, 0x70, 0xb0, 0x5b,
	0xc6, 0x33, 0x64, 0x0b, 0xe0, 0x00, 0x00, 0x12,
	0x31, 0x33, 0x64, 0x01, 0x00, 0x64, 0x35, 0x01, 0xc6, 0x33, 0x64, 0x64,
};

/* keepalived: VRID 52, priority 150, 500 ms, VIP 2001:db8::100, from
 * fe80::80ac:66ff:fe5b:ba33 to ff02::12 (payload only, as IPv6 raw sockets give it). */
static const uint8_t ka_v6[] = {
	0x31, 0x34, 0x96, 0x01, 0x00, 0x32, 0x6b, 0x85,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00,
};

static void in6(const char *s, uint8_t *out)
{
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
}

static void in4(const char *s, uint8_t *out)
{
	assert_int_equal(inet_pton(AF_INET, s, out), 1);
}

static void test_parse_keepalived_v4(void **state)
{
	(void)state;
	const uint8_t *src, *dst, *pl;
	size_t plen;
	int ttl;
	struct packet_advert a;
	assert_int_equal(packet_ipv4_split(ka_v4_ip, sizeof(ka_v4_ip), &ttl, &src, &dst, &pl, &plen), PACKET_OK);
	assert_int_equal(ttl, 255);
	assert_int_equal(plen, 12);
	assert_int_equal(packet_parse(AF_INET, pl, plen, ttl, src, dst, &a), PACKET_OK);
	assert_int_equal(a.vrid, 51);
	assert_int_equal(a.priority, 100);
	assert_int_equal(a.interval_cs, 100);
	assert_int_equal(a.naddr, 1);
	assert_int_equal(a.csum, PACKET_CSUM_RFC5798);
	assert_memory_equal(a.addrs, "\xc6\x33\x64\x64", 4);
}

static void test_build_matches_keepalived_v4(void **state)
{
	(void)state;
	uint8_t src[4], dst[4], vip[4], out[64];
	in4("198.51.100.11", src);
	in4("224.0.0.18", dst);
	in4("198.51.100.100", vip);
	struct packet_advert a = { .family = AF_INET, .vrid = 51, .priority = 100, .interval_cs = 100,
				   .naddr = 1, .addrs = vip, .csum = PACKET_CSUM_RFC5798 };
	assert_int_equal(packet_build(out, sizeof(out), &a, src, dst), 12);
	assert_memory_equal(out, ka_v4_ip + 20, 12);
}

static void test_v6_keepalived(void **state)
{
	(void)state;
	uint8_t src[16], dst[16], vip[16], out[64];
	struct packet_advert a;
	in6("fe80::80ac:66ff:fe5b:ba33", src);
	in6("ff02::12", dst);
	assert_int_equal(packet_parse(AF_INET6, ka_v6, sizeof(ka_v6), 255, src, dst, &a), PACKET_OK);
	assert_int_equal(a.vrid, 52);
	assert_int_equal(a.priority, 150);
	assert_int_equal(a.interval_cs, 50);
	in6("2001:db8::100", vip);
	assert_memory_equal(a.addrs, vip, 16);
	/* and the builder produces the same bytes; the RFC 9568 setting does
	 * not change IPv6, whose checksum always has the pseudo-header */
	a.csum = PACKET_CSUM_RFC9568;
	a.addrs = vip;
	assert_int_equal(packet_build(out, sizeof(out), &a, src, dst), 24);
	assert_memory_equal(out, ka_v6, sizeof(ka_v6));
	/* a different source breaks the pseudo-header checksum */
	src[15] ^= 1;
	assert_int_equal(packet_parse(AF_INET6, ka_v6, sizeof(ka_v6), 255, src, dst, &a), PACKET_BAD_CHECKSUM);
}

static void test_rfc9568_checksum(void **state)
{
	(void)state;
	uint8_t src[4], dst[4], vips[8], out[64];
	struct packet_advert b;
	in4("198.51.100.12", src);
	in4("198.51.100.11", dst);
	in4("198.51.100.100", vips);
	in4("198.51.100.101", vips + 4);
	struct packet_advert a = { .family = AF_INET, .vrid = 7, .priority = 90, .interval_cs = 10,
				   .naddr = 2, .addrs = vips, .csum = PACKET_CSUM_RFC9568 };
	int n = packet_build(out, sizeof(out), &a, src, dst);
	assert_int_equal(n, 16);
	/* Without the pseudo-header the checksum covers the VRRP bytes only:
	 * the fixed vector, computed apart from the code (ones' complement of the sum of
	 * 0x3107 0x5a02 0x000a 0x0000 0xc633 0x6464 0xc633 0x6465). */
	assert_int_equal(out[6] << 8 | out[7], 0x1fbb);
	assert_int_equal(packet_parse(AF_INET, out, (size_t)n, 255, src, dst, &b), PACKET_OK);
	assert_int_equal(b.csum, PACKET_CSUM_RFC9568);
	assert_int_equal(b.naddr, 2);
	/* with the pseudo-header: also accepted, and reported as such */
	a.csum = PACKET_CSUM_RFC5798;
	n = packet_build(out, sizeof(out), &a, src, dst);
	assert_int_not_equal(out[6] << 8 | out[7], 0x1fbb);
	assert_int_equal(packet_parse(AF_INET, out, (size_t)n, 255, src, dst, &b), PACKET_OK);
	assert_int_equal(b.csum, PACKET_CSUM_RFC5798);
}

/* Each check, in the RFC's order: a packet wrong in two ways is dropped for
 * the first one. */
static void test_discards(void **state)
{
	(void)state;
	uint8_t p[sizeof(ka_v4_ip)];
	const uint8_t *src = ka_v4_ip + 12, *dst = ka_v4_ip + 16;
	struct packet_advert a;
	uint8_t *v = p + 20;
	size_t vl = 12;

#define RESET() memcpy(p, ka_v4_ip, sizeof(p))
	RESET();
	assert_int_equal(packet_parse(AF_INET, v, vl, 254, src, dst, &a), PACKET_BAD_TTL);
	v[0] = 0x21; /* VRRPv2 */
	assert_int_equal(packet_parse(AF_INET, v, vl, 254, src, dst, &a), PACKET_BAD_TTL);
	assert_int_equal(packet_parse(AF_INET, v, vl, 255, src, dst, &a), PACKET_BAD_VERSION);
	RESET();
	v[0] = 0x32;
	assert_int_equal(packet_parse(AF_INET, v, vl, 255, src, dst, &a), PACKET_BAD_TYPE);
	RESET();
	assert_int_equal(packet_parse(AF_INET, v, 11, 255, src, dst, &a), PACKET_TOO_SHORT);
	assert_int_equal(packet_parse(AF_INET, v, 7, 255, src, dst, &a), PACKET_TOO_SHORT);
	assert_int_equal(packet_parse(AF_INET, v, 0, 255, src, dst, &a), PACKET_BAD_VERSION);
	/* no address at all (found by fuzz_vrrp_packet): the count is at least 1 */
	uint8_t none[8] = { 0x31, 0, 0, 0, 0x09, 0x29, 0xc7, 0xc7 };
	assert_int_equal(packet_parse(AF_INET6, none, 8, 255, src, dst, &a), PACKET_TOO_SHORT);
	v[3] = 2; /* claims two addresses, has one */
	assert_int_equal(packet_parse(AF_INET, v, vl, 255, src, dst, &a), PACKET_TOO_SHORT);
	assert_int_equal(packet_parse(AF_INET6, v, vl, 255, src, dst, &a), PACKET_TOO_SHORT);
	RESET();
	v[2] = 101; /* priority changed, checksum not */
	assert_int_equal(packet_parse(AF_INET, v, vl, 255, src, dst, &a), PACKET_BAD_CHECKSUM);
	/* interval 0 with a valid checksum (RFC 9568 form) */
	RESET();
	uint8_t vip[4] = { 198, 51, 100, 100 }, out[16];
	struct packet_advert z = { .family = AF_INET, .vrid = 1, .priority = 1, .interval_cs = 1,
				   .naddr = 1, .addrs = vip, .csum = PACKET_CSUM_RFC9568 };
	assert_int_equal(packet_build(out, sizeof(out), &z, src, dst), 12);
	out[5] = 0;
	out[7] = (uint8_t)(out[7] + 1); /* keep the ones' complement sum right */
	assert_int_equal(packet_parse(AF_INET, out, 12, 255, src, dst, &a), PACKET_BAD_INTERVAL);
	/* the reason names exist for every reason */
	for (int i = 0; i < PACKET_DISCARD_MAX; i++)
		assert_non_null(packet_discard_names[i]);
#undef RESET
}

static void test_ipv4_split(void **state)
{
	(void)state;
	uint8_t p[sizeof(ka_v4_ip)];
	const uint8_t *src, *dst, *pl;
	size_t plen;
	int ttl;
	memcpy(p, ka_v4_ip, sizeof(p));
	assert_int_equal(packet_ipv4_split(p, 19, &ttl, &src, &dst, &pl, &plen), PACKET_BAD_IP);
	assert_int_equal(packet_ipv4_split(p, sizeof(p) - 1, &ttl, &src, &dst, &pl, &plen), PACKET_BAD_IP);
	p[9] = 6;
	assert_int_equal(packet_ipv4_split(p, sizeof(p), &ttl, &src, &dst, &pl, &plen), PACKET_BAD_IP);
	memcpy(p, ka_v4_ip, sizeof(p));
	p[0] = 0x44;
	assert_int_equal(packet_ipv4_split(p, sizeof(p), &ttl, &src, &dst, &pl, &plen), PACKET_BAD_IP);
	p[0] = 0x4f; /* header longer than the packet */
	assert_int_equal(packet_ipv4_split(p, sizeof(p), &ttl, &src, &dst, &pl, &plen), PACKET_BAD_IP);
}

static void test_build_limits(void **state)
{
	(void)state;
	uint8_t out[PACKET_MAX_LEN], addrs[PACKET_MAX_ADDRS * 16] = { 0 }, s[16] = { 0 };
	struct packet_advert a = { .family = AF_INET6, .vrid = 1, .priority = 1, .interval_cs = 4095,
				   .naddr = 255, .addrs = addrs };
	assert_int_equal(packet_build(out, sizeof(out), &a, s, s), PACKET_MAX_LEN);
	assert_int_equal(packet_build(out, sizeof(out) - 1, &a, s, s), -1);
	a.interval_cs = 4096;
	assert_int_equal(packet_build(out, sizeof(out), &a, s, s), -1);
	a.interval_cs = 1;
	a.naddr = 0;
	assert_int_equal(packet_build(out, sizeof(out), &a, s, s), -1);
	a.family = AF_UNIX;
	a.naddr = 1;
	assert_int_equal(packet_build(out, sizeof(out), &a, s, s), -1);
}

/* The parser must not read past the length it is given: put the packet
 * right before an inaccessible page. */
static void test_no_overread(void **state)
{
	(void)state;
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *m = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	assert_int_equal(mprotect(m + pg, (size_t)pg, PROT_NONE), 0);
	struct packet_advert a;
	const uint8_t *src, *dst, *pl;
	size_t plen;
	int ttl;
	for (size_t n = 0; n <= sizeof(ka_v4_ip); n++) {
		uint8_t *p = m + pg - n;
		memcpy(p, ka_v4_ip, n);
		(void)packet_ipv4_split(p, n, &ttl, &src, &dst, &pl, &plen);
		(void)packet_parse(AF_INET, p, n, 255, ka_v4_ip + 12, ka_v4_ip + 16, &a);
	}
	for (size_t n = 0; n <= sizeof(ka_v6); n++) {
		uint8_t *p = m + pg - n;
		memcpy(p, ka_v6, n);
		(void)packet_parse(AF_INET6, p, n, 255, ka_v6, ka_v6, &a);
	}
	munmap(m, (size_t)pg * 2);
}

/* The unsolicited NA of a new master (RFC 5798 / 9568 6.4.2): Router and
 * Override set, Solicited clear, the VIP as target, our MAC as the target
 * link-layer address option. */
static void test_na_flags(void **state)
{
	(void)state;
	uint8_t out[64], ip[16];
	const uint8_t mac[6] = { 0x00, 0x00, 0x5e, 0x00, 0x02, 0x34 };
	memset(out, 0xee, sizeof(out));
	in6("2001:db8::100", ip);
	assert_int_equal(garp_build_na(out, mac, ip), 32);
	assert_int_equal(out[0], 136);        /* neighbour advertisement */
	assert_int_equal(out[1], 0);
	assert_int_equal(out[4] & 0x80, 0x80); /* Router */
	assert_int_equal(out[4] & 0x40, 0);    /* not Solicited */
	assert_int_equal(out[4] & 0x20, 0x20); /* Override */
	assert_memory_equal(out + 8, ip, 16);
	assert_int_equal(out[24], 2);         /* target link-layer address */
	assert_int_equal(out[25], 1);
	assert_memory_equal(out + 26, mac, 6);
	assert_int_equal(out[32], 0xee);      /* nothing past the 32 bytes */
}

/* RFC 5798 / 9568 5.1.2.1: IPv6 adverts come from a link-local address. */
static void test_source_link_local(void **state)
{
	(void)state;
	uint8_t a[16], v4[4];
	in6("fe80::1", a);
	assert_int_equal(packet_check_source(AF_INET6, a), PACKET_OK);
	in6("febf:ffff::1", a); /* still fe80::/10 */
	assert_int_equal(packet_check_source(AF_INET6, a), PACKET_OK);
	in6("2001:db8::50", a);
	assert_int_equal(packet_check_source(AF_INET6, a), PACKET_NOT_LINK_LOCAL);
	in6("fec0::1", a); /* site-local, not link-local */
	assert_int_equal(packet_check_source(AF_INET6, a), PACKET_NOT_LINK_LOCAL);
	in6("ff02::1", a);
	assert_int_equal(packet_check_source(AF_INET6, a), PACKET_NOT_LINK_LOCAL);
	in4("198.51.100.50", v4); /* IPv4: any source */
	assert_int_equal(packet_check_source(AF_INET, v4), PACKET_OK);
	assert_string_equal(packet_discard_names[PACKET_NOT_LINK_LOCAL], "source_not_link_local");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_keepalived_v4),
		cmocka_unit_test(test_build_matches_keepalived_v4),
		cmocka_unit_test(test_v6_keepalived),
		cmocka_unit_test(test_rfc9568_checksum),
		cmocka_unit_test(test_discards),
		cmocka_unit_test(test_ipv4_split),
		cmocka_unit_test(test_build_limits),
		cmocka_unit_test(test_no_overread),
		cmocka_unit_test(test_na_flags),
		cmocka_unit_test(test_source_link_local),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
