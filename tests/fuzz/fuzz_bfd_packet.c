/* libFuzzer target: the BFD control packet parser and authentication on
 * arbitrary bytes.  An accepted packet without authentication is rebuilt
 * and must parse again to the same fields; signed with each key type it
 * must parse and verify, and fail to verify once a byte is changed.  An
 * accepted packet with authentication is checked against every key type
 * and its sequence number against the window (none may read outside the
 * input, which ASan would see). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vrrpd/bfd_auth.h"
#include "vrrpd/bfd_packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct bfd_auth_key fuzz_key(uint8_t type)
{
	struct bfd_auth_key k;
	memset(&k, 0, sizeof(k));
	k.type = type;
	k.key_id = 7;
	k.len = (uint8_t)(type == BFD_AUTH_NONE ? 0 : bfd_auth_secret_max(type));
	memset(k.secret, 'k', k.len);
	return k;
}

static void check_auth(const uint8_t *data, size_t size, const struct bfd_ctrl *c)
{
	if (c->auth_data + c->auth_data_len > data + size)
		abort();
	struct bfd_auth_seq st;
	memset(&st, 0, sizeof(st));
	for (uint8_t t = BFD_AUTH_NONE; t <= BFD_AUTH_METICULOUS_SHA1; t++) {
		struct bfd_auth_key k = fuzz_key(t);
		if (bfd_auth_verify(&k, data, size, c) == BFD_OK) {
			(void)bfd_auth_check_seq(&st, t, c->auth_seq, c->detect_mult, 1, 100);
			(void)bfd_auth_check_seq(&st, t, c->auth_seq, c->detect_mult, 2, 100);
		}
	}
}

/* Signed with each type, the rebuilt packet verifies; one bit less, not. */
static void check_sign(const uint8_t *out, const struct bfd_ctrl *c)
{
	for (uint8_t t = BFD_AUTH_SIMPLE; t <= BFD_AUTH_METICULOUS_SHA1; t++) {
		struct bfd_auth_key k = fuzz_key(t);
		uint8_t p[BFD_MAX_LEN];
		struct bfd_ctrl d;
		memcpy(p, out, BFD_HDR_LEN);
		int n = bfd_auth_sign(&k, c->my_disc, p, sizeof(p), BFD_HDR_LEN);
		if (n <= BFD_HDR_LEN || bfd_packet_parse(p, (size_t)n, 255, &d) != BFD_OK ||
		    bfd_auth_verify(&k, p, (size_t)n, &d) != BFD_OK)
			abort();
		p[n - 1] ^= 0x01;
		if (bfd_packet_parse(p, (size_t)n, 255, &d) != BFD_OK || bfd_auth_verify(&k, p, (size_t)n, &d) == BFD_OK)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bfd_ctrl c, d;
	uint8_t out[BFD_MAX_LEN];

	if (bfd_packet_parse(data, size, 255, &c) != BFD_OK)
		return 0;
	if (c.flags & BFD_FLAG_AUTH) {
		check_auth(data, size, &c);
		return 0;
	}
	int n = bfd_packet_build(out, sizeof(out), &c);
	if (n != BFD_HDR_LEN)
		abort();
	if (bfd_packet_parse(out, (size_t)n, 255, &d) != BFD_OK || d.state != c.state ||
	    d.diag != c.diag || d.flags != c.flags || d.detect_mult != c.detect_mult ||
	    d.my_disc != c.my_disc || d.your_disc != c.your_disc || d.min_tx_us != c.min_tx_us ||
	    d.min_rx_us != c.min_rx_us || d.min_echo_rx_us != c.min_echo_rx_us)
		abort();
	check_sign(out, &c);
	return 0;
}
