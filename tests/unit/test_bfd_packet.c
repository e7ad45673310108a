/* Unit tests of the BFD control packet (vrrpd/bfd_packet.c).  The vectors
 * are laid out by hand from RFC 5880 section 4.1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vrrpd/bfd_packet.h"

/* Version 1, diag 0, state Up, C bit, mult 3, length 24, my 0x11223344,
 * your 0x55667788, tx 10000 us, rx 20000 us, echo 0. */
static const uint8_t up_pkt[] = {
	0x20, 0xc8, 0x03, 0x18, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x00, 0x00, 0x27, 0x10, 0x00, 0x00, 0x4e, 0x20, 0x00, 0x00, 0x00, 0x00,
};

/* State Down, diag 1, A bit, mult 3, length 52: keyed SHA1, key 7, seq 9. */
static uint8_t sha1_pkt[52] = {
	0x21, 0x44, 0x03, 0x34, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x0f, 0x42, 0x40, 0x00, 0x0f, 0x42, 0x40, 0x00, 0x00, 0x00, 0x00,
	0x04, 0x1c, 0x07, 0x00, 0x00, 0x00, 0x00, 0x09,
};

static void test_parse_up(void **state)
{
	(void)state;
	struct bfd_ctrl c;
	assert_int_equal(bfd_packet_parse(up_pkt, sizeof(up_pkt), 255, &c), BFD_OK);
	assert_int_equal(c.state, BFD_UP);
	assert_int_equal(c.diag, BFD_DIAG_NONE);
	assert_int_equal(c.flags, BFD_FLAG_CPI);
	assert_int_equal(c.detect_mult, 3);
	assert_int_equal(c.my_disc, 0x11223344);
	assert_int_equal(c.your_disc, 0x55667788);
	assert_int_equal(c.min_tx_us, 10000);
	assert_int_equal(c.min_rx_us, 20000);
	assert_int_equal(c.min_echo_rx_us, 0);
	assert_string_equal(bfd_state_names[c.state], "Up");
}

static void test_build_roundtrip(void **state)
{
	(void)state;
	uint8_t out[BFD_MAX_LEN];
	struct bfd_ctrl c = { .state = BFD_UP, .flags = BFD_FLAG_CPI, .detect_mult = 3,
			      .my_disc = 0x11223344, .your_disc = 0x55667788,
			      .min_tx_us = 10000, .min_rx_us = 20000 };
	assert_int_equal(bfd_packet_build(out, sizeof(out), &c), 24);
	assert_memory_equal(out, up_pkt, sizeof(up_pkt));
	assert_int_equal(bfd_packet_build(out, 23, &c), -1);
	c.detect_mult = 0;
	assert_int_equal(bfd_packet_build(out, sizeof(out), &c), -1);
	c.detect_mult = 3;
	c.diag = 32;
	assert_int_equal(bfd_packet_build(out, sizeof(out), &c), -1);
	c.diag = 0;
	c.flags = BFD_FLAG_AUTH;
	assert_int_equal(bfd_packet_build(out, sizeof(out), &c), -1);
}

static void test_auth_sha1(void **state)
{
	(void)state;
	struct bfd_ctrl c;
	for (size_t i = 32; i < sizeof(sha1_pkt); i++)
		sha1_pkt[i] = (uint8_t)i;
	assert_int_equal(bfd_packet_parse(sha1_pkt, sizeof(sha1_pkt), 255, &c), BFD_OK);
	assert_int_equal(c.state, BFD_DOWN);
	assert_int_equal(c.diag, BFD_DIAG_TIME_EXPIRED);
	assert_int_equal(c.auth_type, BFD_AUTH_KEYED_SHA1);
	assert_int_equal(c.auth_key_id, 7);
	assert_int_equal(c.auth_seq, 9);
	assert_int_equal(c.auth_data_len, 20);
	assert_ptr_equal(c.auth_data, sha1_pkt + 32);

	uint8_t p[52];
	memcpy(p, sha1_pkt, sizeof(p));
	p[25] = 24; /* SHA1 with an MD5 length */
	assert_int_equal(bfd_packet_parse(p, sizeof(p), 255, &c), BFD_BAD_AUTH_LEN);
	p[25] = 60; /* past the packet */
	assert_int_equal(bfd_packet_parse(p, sizeof(p), 255, &c), BFD_BAD_AUTH_LEN);
	p[25] = 28;
	p[24] = 9; /* unknown type */
	assert_int_equal(bfd_packet_parse(p, sizeof(p), 255, &c), BFD_BAD_AUTH_LEN);
	/* Simple password "secret": Type 1, Len 9, Key ID, 6 bytes. */
	memcpy(p + 24, "\x01\x09\x02secret", 9);
	p[3] = 33;
	assert_int_equal(bfd_packet_parse(p, 33, 255, &c), BFD_OK);
	assert_int_equal(c.auth_data_len, 6);
	assert_memory_equal(c.auth_data, "secret", 6);
	p[25] = 3; /* no password */
	assert_int_equal(bfd_packet_parse(p, 33, 255, &c), BFD_BAD_AUTH_LEN);
	p[3] = 25; /* A bit but no room for Type and Len */
	assert_int_equal(bfd_packet_parse(p, 33, 255, &c), BFD_BAD_LENGTH);
}

static enum bfd_discard parse_patched(size_t off, uint8_t v, int ttl)
{
	uint8_t p[sizeof(up_pkt)];
	struct bfd_ctrl c;
	memcpy(p, up_pkt, sizeof(p));
	p[off] = v;
	return bfd_packet_parse(p, sizeof(p), ttl, &c);
}

static void test_discards(void **state)
{
	(void)state;
	struct bfd_ctrl c;
	assert_int_equal(parse_patched(0, 0x20, 254), BFD_BAD_TTL);
	assert_int_equal(parse_patched(0, 0x40, 255), BFD_BAD_VERSION); /* version 2 */
	assert_int_equal(parse_patched(0, 0x00, 255), BFD_BAD_VERSION); /* version 0 */
	assert_int_equal(parse_patched(3, 23, 255), BFD_BAD_LENGTH);
	assert_int_equal(parse_patched(3, 25, 255), BFD_BAD_LENGTH); /* past the payload */
	assert_int_equal(parse_patched(2, 0, 255), BFD_BAD_MULT);
	assert_int_equal(parse_patched(1, 0xc9, 255), BFD_MULTIPOINT);
	assert_int_equal(parse_patched(7, 0, 255) == BFD_OK, 1); /* my disc still non-zero */
	/* Your Discriminator 0: only in Down or AdminDown. */
	uint8_t p[sizeof(up_pkt)];
	memcpy(p, up_pkt, sizeof(p));
	memset(p + 8, 0, 4);
	assert_int_equal(bfd_packet_parse(p, sizeof(p), 255, &c), BFD_BAD_YOUR_DISC);
	p[1] = 0x80; /* Init */
	assert_int_equal(bfd_packet_parse(p, sizeof(p), 255, &c), BFD_BAD_YOUR_DISC);
	p[1] = 0x40; /* Down */
	assert_int_equal(bfd_packet_parse(p, sizeof(p), 255, &c), BFD_OK);
	p[1] = 0x00; /* AdminDown */
	assert_int_equal(bfd_packet_parse(p, sizeof(p), 255, &c), BFD_OK);
	memset(p + 4, 0, 4);
	assert_int_equal(bfd_packet_parse(p, sizeof(p), 255, &c), BFD_BAD_MY_DISC);
	assert_int_equal(bfd_packet_parse(up_pkt, 23, 255, &c), BFD_BAD_LENGTH);
	assert_int_equal(bfd_packet_parse(up_pkt, 0, 255, &c), BFD_BAD_VERSION);
	/* Bytes after Length (UDP padding) are ignored. */
	uint8_t longer[40] = { 0 };
	memcpy(longer, up_pkt, sizeof(up_pkt));
	assert_int_equal(bfd_packet_parse(longer, sizeof(longer), 255, &c), BFD_OK);
	assert_string_equal(bfd_discard_names[BFD_BAD_YOUR_DISC], "bad_your_discriminator");
}

/* Every prefix of a packet placed right before a PROT_NONE page: an
 * over-read crashes. */
static void test_no_overread(void **state)
{
	(void)state;
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *m = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	assert_int_equal(mprotect(m + pg, (size_t)pg, PROT_NONE), 0);
	struct bfd_ctrl c;
	for (size_t n = 0; n <= sizeof(sha1_pkt); n++) {
		uint8_t *p = m + pg - n;
		memcpy(p, sha1_pkt, n);
		if (n >= 4)
			p[3] = (uint8_t)n; /* Length claims exactly what is there */
		(void)bfd_packet_parse(p, n, 255, &c);
	}
	munmap(m, (size_t)pg * 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_up),
		cmocka_unit_test(test_build_roundtrip),
		cmocka_unit_test(test_auth_sha1),
		cmocka_unit_test(test_discards),
		cmocka_unit_test(test_no_overread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
