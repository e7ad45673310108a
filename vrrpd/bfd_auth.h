/* bfd_auth: BFD authentication (RFC 5880 sections 4.2-4.4 and 6.7): the
 * auth section appended to a control packet and checked on one received,
 * and the sequence number rules.  Pure: bytes and numbers in, no sockets,
 * no clock (the session passes the time in).  Digests through OpenSSL.
 *
 * Keyed MD5 / SHA1: the digest is over the whole packet with the secret,
 * zero-padded to 16 / 20 bytes, in the digest field.  The sequence number
 * is accepted from the last one received to 3 x Detect Mult past it
 * (keyed) or from one past it (meticulous: strictly increasing). */
#ifndef VRRPD_BFD_AUTH_H
#define VRRPD_BFD_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "bfd_packet.h"

#define BFD_AUTH_SECRET_MAX 20

/* One key, as configured; type BFD_AUTH_NONE: no authentication. */
struct bfd_auth_key {
	uint8_t type;                         /* enum bfd_auth_type */
	uint8_t key_id;
	uint8_t len;                          /* secret bytes, 1..bfd_auth_secret_max(type) */
	uint8_t secret[BFD_AUTH_SECRET_MAX];
};

/* The session's sequence numbers (section 6.8.1, bfd.RcvAuthSeq,
 * bfd.XmitAuthSeq, bfd.AuthSeqKnown). */
struct bfd_auth_seq {
	uint32_t xmit;
	uint32_t rcv;
	int rcv_known;
	uint64_t rcv_at;                      /* when the last good packet came */
};

extern const char *const bfd_auth_type_names[6];

/* The longest secret the type takes (16 simple and MD5, 20 SHA1; 0 none). */
size_t bfd_auth_secret_max(uint8_t type);
/* Whether the type numbers its packets (all but none and simple). */
int bfd_auth_has_seq(uint8_t type);
/* Equal keys (a reload that changes none keeps the session's numbers). */
int bfd_auth_key_equal(const struct bfd_auth_key *a, const struct bfd_auth_key *b);

/* Appends the auth section for key k with sequence number seq to the
 * packet of length len (24, as bfd_packet_build() wrote it): sets the A
 * bit and the Length, and signs.  Returns the new length, or -1 if cap is
 * too small or the key is unusable. */
int bfd_auth_sign(const struct bfd_auth_key *k, uint32_t seq, uint8_t *pkt, size_t cap, size_t len);

/* Checks a parsed packet (c from bfd_packet_parse() on pkt, len) against
 * key k: BFD_AUTH_MISMATCH if the A bit or the type differ from the
 * key's, BFD_AUTH_FAILED if the key id, password or digest is wrong,
 * else BFD_OK.  The sequence number is not looked at here. */
enum bfd_discard bfd_auth_verify(const struct bfd_auth_key *k, const uint8_t *pkt, size_t len,
				 const struct bfd_ctrl *c);

/* Section 6.7.3/6.7.4's sequence rule for a packet that passed
 * bfd_auth_verify(): BFD_AUTH_SEQUENCE if out of the window, else BFD_OK
 * and the number is remembered.  forget_us: how long without a good
 * packet before any number is taken again (twice the detection time,
 * section 6.8.1). */
enum bfd_discard bfd_auth_check_seq(struct bfd_auth_seq *st, uint8_t type, uint32_t seq, uint8_t mult,
				    uint64_t now, uint64_t forget_us);

#endif
