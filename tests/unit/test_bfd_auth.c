/* Unit tests of BFD authentication (vrrpd/bfd_auth.c, RFC 5880 section
 * 6.7) and of two sessions (vrrpd/bfd.c) that sign and check what they
 * exchange, with a fake clock.  The digests of the two vectors were
 * computed apart from this code (Python's hashlib over the packet laid
 * out by hand from sections 4.3 and 4.4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "vrrpd/bfd.h"
#include "vrrpd/bfd_auth.h"

#define MS 1000ull

/* Up, A bit, mult 3, length 52, my 0x11223344, your 0x55667788, tx 10 ms,
 * rx 20 ms; meticulous keyed SHA1, key id 7, sequence 0xfffffffe, secret
 * "vrrp-bfd-secret". */
static const uint8_t sha1_vec[52] = {
	0x20, 0xc4, 0x03, 0x34, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x00, 0x00, 0x27, 0x10,
	0x00, 0x00, 0x4e, 0x20, 0x00, 0x00, 0x00, 0x00, 0x05, 0x1c, 0x07, 0x00, 0xff, 0xff, 0xff, 0xfe,
	0xf9, 0x9b, 0xf3, 0xce, 0xfb, 0xc4, 0x1b, 0xd7, 0xef, 0xc4, 0x19, 0xfa, 0x47, 0x52, 0xa0, 0x0c,
	0x4b, 0xe0, 0x78, 0x18,
};

/* The same header, length 48; keyed MD5, key id 1, sequence 1. */
static const uint8_t md5_vec[48] = {
	0x20, 0xc4, 0x03, 0x30, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x00, 0x00, 0x27, 0x10,
	0x00, 0x00, 0x4e, 0x20, 0x00, 0x00, 0x00, 0x00, 0x02, 0x18, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x5c, 0x3c, 0xfc, 0xb9, 0xe3, 0xa3, 0x9f, 0xc9, 0x1e, 0x6d, 0x87, 0xf2, 0x28, 0x27, 0xa7, 0x15,
};

static struct bfd_auth_key key(uint8_t type, uint8_t id, const char *secret)
{
	struct bfd_auth_key k;
	memset(&k, 0, sizeof(k));
	k.type = type;
	k.key_id = id;
	k.len = (uint8_t)strlen(secret);
	memcpy(k.secret, secret, k.len);
	return k;
}

static struct bfd_ctrl vec_ctrl(void)
{
	struct bfd_ctrl c = { .state = BFD_UP, .detect_mult = 3, .my_disc = 0x11223344,
			      .your_disc = 0x55667788, .min_tx_us = 10000, .min_rx_us = 20000 };
	return c;
}

/* Our signature of the vector's header is the vector, and it verifies. */
static void test_vectors(void **state)
{
	(void)state;
	uint8_t out[BFD_MAX_LEN];
	struct bfd_ctrl c = vec_ctrl(), back;
	struct bfd_auth_key k = key(BFD_AUTH_METICULOUS_SHA1, 7, "vrrp-bfd-secret");

	int n = bfd_packet_build(out, sizeof(out), &c);
	assert_int_equal(n, BFD_HDR_LEN);
	assert_int_equal(bfd_auth_sign(&k, 0xfffffffeu, out, sizeof(out), (size_t)n), 52);
	assert_memory_equal(out, sha1_vec, 52);
	assert_int_equal(bfd_packet_parse(sha1_vec, 52, 255, &back), BFD_OK);
	assert_int_equal(back.auth_seq, 0xfffffffeu);
	assert_int_equal(bfd_auth_verify(&k, sha1_vec, 52, &back), BFD_OK);

	k = key(BFD_AUTH_KEYED_MD5, 1, "vrrp-bfd-secret");
	n = bfd_packet_build(out, sizeof(out), &c);
	assert_int_equal(bfd_auth_sign(&k, 1, out, sizeof(out), (size_t)n), 48);
	assert_memory_equal(out, md5_vec, 48);
	assert_int_equal(bfd_packet_parse(md5_vec, 48, 255, &back), BFD_OK);
	assert_int_equal(bfd_auth_verify(&k, md5_vec, 48, &back), BFD_OK);
	/* Too small a buffer for the section. */
	assert_int_equal(bfd_auth_sign(&k, 1, out, 40, BFD_HDR_LEN), -1);
}

/* Every flipped bit of a signed packet fails: the digest covers it all. */
static void test_tamper(void **state)
{
	(void)state;
	struct bfd_auth_key k = key(BFD_AUTH_METICULOUS_SHA1, 7, "vrrp-bfd-secret");
	for (size_t i = 0; i < sizeof(sha1_vec); i++) {
		uint8_t p[52];
		struct bfd_ctrl c;
		memcpy(p, sha1_vec, sizeof(p));
		p[i] ^= 0x01;
		if (bfd_packet_parse(p, sizeof(p), 255, &c) != BFD_OK)
			continue; /* a header the parser refuses never gets here */
		assert_int_not_equal(bfd_auth_verify(&k, p, sizeof(p), &c), BFD_OK);
	}
}

static void test_verify_outcomes(void **state)
{
	(void)state;
	struct bfd_ctrl c;
	struct bfd_auth_key none = key(BFD_AUTH_NONE, 0, "");
	assert_int_equal(bfd_packet_parse(sha1_vec, 52, 255, &c), BFD_OK);
	/* Wrong secret, wrong key id: failed.  Another type, or none: mismatch. */
	struct bfd_auth_key k = key(BFD_AUTH_METICULOUS_SHA1, 7, "vrrp-bfd-secreT");
	assert_int_equal(bfd_auth_verify(&k, sha1_vec, 52, &c), BFD_AUTH_FAILED);
	k = key(BFD_AUTH_METICULOUS_SHA1, 8, "vrrp-bfd-secret");
	assert_int_equal(bfd_auth_verify(&k, sha1_vec, 52, &c), BFD_AUTH_FAILED);
	k = key(BFD_AUTH_KEYED_SHA1, 7, "vrrp-bfd-secret");
	assert_int_equal(bfd_auth_verify(&k, sha1_vec, 52, &c), BFD_AUTH_MISMATCH);
	assert_int_equal(bfd_auth_verify(&none, sha1_vec, 52, &c), BFD_AUTH_MISMATCH);
	/* No bytes to hash: failed, never read. */
	k = key(BFD_AUTH_METICULOUS_SHA1, 7, "vrrp-bfd-secret");
	assert_int_equal(bfd_auth_verify(&k, NULL, 0, &c), BFD_AUTH_FAILED);
	/* A key configured, a packet without the A bit: mismatch. */
	struct bfd_ctrl plain = vec_ctrl();
	assert_int_equal(bfd_auth_verify(&k, sha1_vec, 24, &plain), BFD_AUTH_MISMATCH);
	assert_int_equal(bfd_auth_verify(&none, sha1_vec, 24, &plain), BFD_OK);

	/* Simple password: the exact password and key id. */
	uint8_t out[BFD_MAX_LEN];
	struct bfd_auth_key pw = key(BFD_AUTH_SIMPLE, 3, "hunter2");
	int n = bfd_packet_build(out, sizeof(out), &plain);
	n = bfd_auth_sign(&pw, 0, out, sizeof(out), (size_t)n);
	assert_int_equal(n, 24 + 3 + 7);
	assert_int_equal(bfd_packet_parse(out, (size_t)n, 255, &c), BFD_OK);
	assert_int_equal(bfd_auth_verify(&pw, out, (size_t)n, &c), BFD_OK);
	struct bfd_auth_key pw2 = key(BFD_AUTH_SIMPLE, 3, "hunter");
	assert_int_equal(bfd_auth_verify(&pw2, out, (size_t)n, &c), BFD_AUTH_FAILED);
	pw2 = key(BFD_AUTH_SIMPLE, 4, "hunter2");
	assert_int_equal(bfd_auth_verify(&pw2, out, (size_t)n, &c), BFD_AUTH_FAILED);
	/* A secret too long for its type is not signed with. */
	struct bfd_auth_key bad = key(BFD_AUTH_KEYED_MD5, 1, "0123456789abcdefg");
	assert_int_equal(bfd_auth_sign(&bad, 0, out, sizeof(out), BFD_HDR_LEN), -1);
}

/* Section 6.7.3/6.7.4: meticulous takes RcvAuthSeq+1 .. +3*mult, keyed
 * RcvAuthSeq .. +3*mult, both modulo 2^32; anything after twice the
 * detection time without a good packet. */
static void test_sequence(void **state)
{
	(void)state;
	struct bfd_auth_seq st;
	const uint64_t forget = 60 * MS;
	memset(&st, 0, sizeof(st));
	uint8_t t = BFD_AUTH_METICULOUS_SHA1;
	assert_int_equal(bfd_auth_check_seq(&st, t, 0xfffffffeu, 3, 0, forget), BFD_OK);
	assert_int_equal(bfd_auth_check_seq(&st, t, 0xfffffffeu, 3, 1, forget), BFD_AUTH_SEQUENCE);
	assert_int_equal(bfd_auth_check_seq(&st, t, 0xfffffffdu, 3, 1, forget), BFD_AUTH_SEQUENCE);
	assert_int_equal(bfd_auth_check_seq(&st, t, 0xffffffffu, 3, 2, forget), BFD_OK);
	assert_int_equal(bfd_auth_check_seq(&st, t, 8, 3, 3, forget), BFD_OK); /* wraps: +9 */
	assert_int_equal(bfd_auth_check_seq(&st, t, 18, 3, 4, forget), BFD_AUTH_SEQUENCE); /* +10 */
	assert_int_equal(st.rcv, 8);
	/* Silence for twice the detection time: any number again. */
	assert_int_equal(bfd_auth_check_seq(&st, t, 5, 3, 3 + forget, forget), BFD_OK);
	assert_int_equal(st.rcv, 5);

	memset(&st, 0, sizeof(st));
	t = BFD_AUTH_KEYED_MD5;
	assert_int_equal(bfd_auth_check_seq(&st, t, 100, 1, 0, forget), BFD_OK);
	assert_int_equal(bfd_auth_check_seq(&st, t, 100, 1, 1, forget), BFD_OK);
	assert_int_equal(bfd_auth_check_seq(&st, t, 99, 1, 2, forget), BFD_AUTH_SEQUENCE);
	assert_int_equal(bfd_auth_check_seq(&st, t, 103, 1, 3, forget), BFD_OK);
	assert_int_equal(bfd_auth_check_seq(&st, t, 107, 1, 4, forget), BFD_AUTH_SEQUENCE);
	/* No numbers in simple or none. */
	assert_int_equal(bfd_auth_check_seq(&st, BFD_AUTH_SIMPLE, 0, 1, 5, forget), BFD_OK);
}

/* Two sessions joined by a wire that builds, signs, parses and hands the
 * bytes to bfd_recv_packet(). */
struct end {
	struct bfd_session s;
	struct end *peer;
	uint8_t q[16][BFD_MAX_LEN];
	size_t qlen[16];
	int nq;
	uint8_t last[BFD_MAX_LEN];
	size_t last_len;
};

static struct end A, B;
static uint64_t now;

static void w_send(void *arg, const struct bfd_ctrl *c)
{
	struct end *e = arg;
	uint8_t out[BFD_MAX_LEN];
	int n = bfd_packet_build(out, sizeof(out), c);
	assert_int_equal(n, BFD_HDR_LEN);
	if (c->auth_type != BFD_AUTH_NONE)
		n = bfd_auth_sign(&e->s.p.auth, c->auth_seq, out, sizeof(out), (size_t)n);
	assert_true(n > 0);
	memcpy(e->last, out, (size_t)n);
	e->last_len = (size_t)n;
	if (e->nq < 16) {
		memcpy(e->q[e->nq], out, (size_t)n);
		e->qlen[e->nq++] = (size_t)n;
	}
}

static void w_changed(void *arg, enum bfd_state old, enum bfd_state nw)
{
	(void)arg;
	(void)old;
	(void)nw;
}

static const struct bfd_ops wops = { .send = w_send, .changed = w_changed };

static enum bfd_discard put(struct end *to, const uint8_t *p, size_t len)
{
	struct bfd_ctrl c;
	enum bfd_discard why = bfd_packet_parse(p, len, 255, &c);
	return why != BFD_OK ? why : bfd_recv_packet(&to->s, now, &c, p, len);
}

static void deliver(void)
{
	for (int round = 0; round < 10 && (A.nq || B.nq); round++) {
		struct end *ends[2] = { &A, &B };
		for (int i = 0; i < 2; i++) {
			struct end *e = ends[i];
			int n = e->nq;
			uint8_t q[16][BFD_MAX_LEN];
			size_t ql[16];
			memcpy(q, e->q, sizeof(q));
			memcpy(ql, e->qlen, sizeof(ql));
			e->nq = 0;
			for (int j = 0; j < n; j++)
				(void)put(e->peer, q[j], ql[j]);
		}
	}
}

static void pair(const struct bfd_auth_key *ka, const struct bfd_auth_key *kb)
{
	struct bfd_params p = { .min_tx_us = 10 * MS, .min_rx_us = 10 * MS, .mult = 3 };
	memset(&A, 0, sizeof(A));
	memset(&B, 0, sizeof(B));
	A.peer = &B;
	B.peer = &A;
	now = 1000 * MS;
	p.auth = *ka;
	bfd_init(&A.s, &p, 0x0a0a0a0a, 1, &wops, &A);
	p.auth = *kb;
	bfd_init(&B.s, &p, 0x0b0b0b0b, 2, &wops, &B);
	bfd_start(&A.s, now);
	bfd_start(&B.s, now);
	for (int i = 0; i < 400; i++) {
		deliver();
		now += 5 * MS;
		bfd_tick(&A.s, now);
		bfd_tick(&B.s, now);
	}
	deliver();
}

static void test_sessions_meticulous(void **state)
{
	(void)state;
	struct bfd_auth_key k = key(BFD_AUTH_METICULOUS_SHA1, 9, "s3cret");
	pair(&k, &k);
	assert_int_equal(A.s.state, BFD_UP);
	assert_int_equal(B.s.state, BFD_UP);
	assert_int_equal(A.s.st.discards[BFD_AUTH_FAILED] + A.s.st.discards[BFD_AUTH_SEQUENCE], 0);
	/* A replay of B's last packet: the same number, dropped and counted. */
	uint64_t rx = A.s.st.rx;
	assert_int_equal(put(&A, B.last, B.last_len), BFD_AUTH_SEQUENCE);
	assert_int_equal(A.s.st.discards[BFD_AUTH_SEQUENCE], 1);
	assert_int_equal(A.s.st.rx, rx);
	/* Sent numbers go up by one a packet. */
	struct bfd_ctrl c1, c2;
	assert_int_equal(bfd_packet_parse(B.last, B.last_len, 255, &c1), BFD_OK);
	bfd_tick(&B.s, now + 20 * MS);
	assert_int_equal(bfd_packet_parse(B.last, B.last_len, 255, &c2), BFD_OK);
	assert_int_equal(c2.auth_seq, c1.auth_seq + 1);
}

static void test_sessions_keyed_replay(void **state)
{
	(void)state;
	struct bfd_auth_key k = key(BFD_AUTH_KEYED_SHA1, 1, "s3cret");
	pair(&k, &k);
	assert_int_equal(A.s.state, BFD_UP);
	/* Keyed: the last number again is taken (section 6.7.4). */
	assert_int_equal(put(&A, B.last, B.last_len), BFD_OK);
}

static void test_sessions_wrong_secret(void **state)
{
	(void)state;
	struct bfd_auth_key ka = key(BFD_AUTH_METICULOUS_SHA1, 1, "s3cret");
	struct bfd_auth_key kb = key(BFD_AUTH_METICULOUS_SHA1, 1, "other");
	pair(&ka, &kb);
	assert_int_not_equal(A.s.state, BFD_UP);
	assert_int_not_equal(B.s.state, BFD_UP);
	assert_true(A.s.st.discards[BFD_AUTH_FAILED] > 0);
	assert_int_equal(A.s.st.rx, 0);

	struct bfd_auth_key none = key(BFD_AUTH_NONE, 0, "");
	pair(&ka, &none);
	assert_int_not_equal(A.s.state, BFD_UP);
	assert_true(A.s.st.discards[BFD_AUTH_MISMATCH] > 0);
	assert_true(B.s.st.discards[BFD_AUTH_MISMATCH] > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_verify_outcomes),
		cmocka_unit_test(test_sequence),
		cmocka_unit_test(test_sessions_meticulous),
		cmocka_unit_test(test_sessions_keyed_replay),
		cmocka_unit_test(test_sessions_wrong_secret),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
