/* packet: the VRRPv3 advertisement on the wire (RFC 5798 section 5), for
 * IPv4 and IPv6.  Pure: bytes in, bytes out; no sockets, no allocation.
 * The parser returns pointers into the caller's buffer.
 *
 *   0                   1                   2                   3
 *   |Version| Type  | Virtual Rtr ID|   Priority    |Count IPvX Addr|
 *   |(rsvd) |     Max Adver Int     |          Checksum             |
 *   |                 IPvX Address(es) ...                          |
 */
#ifndef VRRPD_PACKET_H
#define VRRPD_PACKET_H

#include <stddef.h>
#include <stdint.h>

#define PACKET_PROTO 112
#define PACKET_VERSION 3
#define PACKET_TYPE_ADVERT 1
#define PACKET_HDR_LEN 8
#define PACKET_TTL 255
#define PACKET_MAX_ADDRS 255
#define PACKET_MAX_LEN (PACKET_HDR_LEN + PACKET_MAX_ADDRS * 16)

/* Why a received packet was dropped, in the order RFC 5798 section 7.1
 * checks them; the names table gives the counter names shown by vrrpctl. */
enum packet_discard {
	PACKET_OK = 0,
	PACKET_BAD_IP,          /* IPv4 header malformed or not protocol 112 */
	PACKET_BAD_TTL,         /* TTL / hop limit not 255 */
	PACKET_BAD_VERSION,     /* version not 3 */
	PACKET_BAD_TYPE,        /* type not 1 (advertisement) */
	PACKET_TOO_SHORT,       /* shorter than the header plus its addresses */
	PACKET_BAD_CHECKSUM,
	PACKET_UNKNOWN_VRID,    /* no instance for this VRID here (the caller decides) */
	PACKET_OWNER,           /* we own the addresses (priority 255): ignore others */
	PACKET_ADDR_MISMATCH,   /* address count or list differs from ours */
	PACKET_BAD_INTERVAL,    /* max advert interval 0 */
	PACKET_UNKNOWN_PEER,    /* unicast mode: source is not a configured peer */
	PACKET_OWN,             /* our own advert looped back */
	PACKET_NOT_LINK_LOCAL,  /* IPv6 multicast mode: source not link-local (5.1.2.1) */
	PACKET_DISCARD_MAX
};

extern const char *const packet_discard_names[PACKET_DISCARD_MAX];

enum packet_csum {
	PACKET_CSUM_RFC5798, /* with the pseudo-header */
	PACKET_CSUM_RFC9568, /* IPv4 without the pseudo-header */
};

struct packet_advert {
	int family;              /* AF_INET or AF_INET6 */
	uint8_t vrid;
	uint8_t priority;
	uint16_t interval_cs;    /* Max Adver Int, centiseconds */
	uint8_t naddr;
	const uint8_t *addrs;    /* naddr * 4 or 16 bytes, network order */
	enum packet_csum csum;   /* which form the checksum had (parse) or gets (build) */
};

/* Size of the address of a family (4 or 16), 0 for others. */
size_t packet_addr_len(int family);

/* Writes an advert into out.  src and dst (4 or 16 bytes) enter the
 * pseudo-header.  Returns its length, or -1 if cap is too small or the
 * fields are out of range. */
int packet_build(uint8_t *out, size_t cap, const struct packet_advert *a,
		 const void *src, const void *dst);

/* Checks a received VRRP payload (after the IP header) in the RFC's order:
 * ttl, version, type, length, checksum, interval.  Fills *a on PACKET_OK.
 * For IPv4 both checksum forms are accepted and a->csum says which. */
enum packet_discard packet_parse(int family, const uint8_t *p, size_t len, int ttl,
				 const void *src, const void *dst, struct packet_advert *a);

/* RFC 5798 / 9568 5.1.2.1: an IPv6 advert's source is the sender's
 * link-local address.  PACKET_OK, or PACKET_NOT_LINK_LOCAL.  (Unicast
 * peers, an extension outside the RFC, may use any address.) */
enum packet_discard packet_check_source(int family, const void *src);

/* Splits a packet read from an IPv4 raw socket (header included): returns
 * PACKET_OK with ttl, src and dst (pointers into p) and the VRRP payload,
 * or PACKET_BAD_IP. */
enum packet_discard packet_ipv4_split(const uint8_t *p, size_t len, int *ttl,
				      const uint8_t **src, const uint8_t **dst,
				      const uint8_t **payload, size_t *plen);

/* Internet checksum (RFC 1071) of a buffer, continuing from `sum`. */
uint32_t packet_csum_add(uint32_t sum, const void *p, size_t len);
uint16_t packet_csum_fold(uint32_t sum);

#endif
