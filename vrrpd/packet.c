#include "packet.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

const char *const packet_discard_names[PACKET_DISCARD_MAX] = {
	[PACKET_OK] = "ok",
	[PACKET_BAD_IP] = "bad_ip_header",
	[PACKET_BAD_TTL] = "bad_ttl",
	[PACKET_BAD_VERSION] = "bad_version",
	[PACKET_BAD_TYPE] = "bad_type",
	[PACKET_TOO_SHORT] = "bad_length",
	[PACKET_BAD_CHECKSUM] = "bad_checksum",
	[PACKET_UNKNOWN_VRID] = "unknown_vrid",
	[PACKET_OWNER] = "we_are_owner",
	[PACKET_ADDR_MISMATCH] = "address_mismatch",
	[PACKET_BAD_INTERVAL] = "bad_interval",
	[PACKET_UNKNOWN_PEER] = "unknown_peer",
	[PACKET_OWN] = "own_advert",
	[PACKET_NOT_LINK_LOCAL] = "source_not_link_local",
};

size_t packet_addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

uint32_t packet_csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	/* Odd lengths only occur at the end of a whole buffer here. */
	for (; len > 1; b += 2, len -= 2)
		sum += (uint32_t)(b[0] << 8 | b[1]);
	if (len)
		sum += (uint32_t)(b[0] << 8);
	return sum;
}

uint16_t packet_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Sum of the pseudo-header: IPv4 (RFC 768 layout) or IPv6 (RFC 8200 8.1). */
static uint32_t pseudo_sum(int family, const void *src, const void *dst, size_t len)
{
	size_t alen = packet_addr_len(family);
	uint32_t sum = packet_csum_add(0, src, alen);
	sum = packet_csum_add(sum, dst, alen);
	sum += PACKET_PROTO;
	sum += (uint32_t)len;
	return sum;
}

int packet_build(uint8_t *out, size_t cap, const struct packet_advert *a,
		 const void *src, const void *dst)
{
	size_t alen = packet_addr_len(a->family);
	size_t len = PACKET_HDR_LEN + alen * a->naddr;
	uint32_t sum;

	if (!alen || len > cap || a->interval_cs > 0x0fff || !a->naddr)
		return -1;
	out[0] = PACKET_VERSION << 4 | PACKET_TYPE_ADVERT;
	out[1] = a->vrid;
	out[2] = a->priority;
	out[3] = a->naddr;
	out[4] = (uint8_t)(a->interval_cs >> 8);
	out[5] = (uint8_t)a->interval_cs;
	out[6] = 0;
	out[7] = 0;
	memcpy(out + PACKET_HDR_LEN, a->addrs, alen * a->naddr);
	sum = packet_csum_add(0, out, len);
	if (a->family == AF_INET6 || a->csum == PACKET_CSUM_RFC5798)
		sum += pseudo_sum(a->family, src, dst, len);
	uint16_t c = packet_csum_fold(sum);
	out[6] = (uint8_t)(c >> 8);
	out[7] = (uint8_t)c;
	return (int)len;
}

enum packet_discard packet_parse(int family, const uint8_t *p, size_t len, int ttl,
				 const void *src, const void *dst, struct packet_advert *a)
{
	size_t alen = packet_addr_len(family);

	if (ttl != PACKET_TTL)
		return PACKET_BAD_TTL;
	if (len < 1 || p[0] >> 4 != PACKET_VERSION)
		return PACKET_BAD_VERSION;
	if ((p[0] & 0x0f) != PACKET_TYPE_ADVERT)
		return PACKET_BAD_TYPE;
	/* The count says how long the packet must be; extra bytes are not
	 * allowed either, so that both sides agree on what the checksum covers. */
	if (!alen || len < PACKET_HDR_LEN || p[3] == 0 || len != PACKET_HDR_LEN + alen * p[3])
		return PACKET_TOO_SHORT; /* the count is at least 1 (RFC 5798 5.2.5) */
	uint32_t body = packet_csum_add(0, p, len);
	enum packet_csum form = PACKET_CSUM_RFC5798;
	if (packet_csum_fold(body + pseudo_sum(family, src, dst, len)) != 0) {
		if (family != AF_INET || packet_csum_fold(body) != 0)
			return PACKET_BAD_CHECKSUM;
		form = PACKET_CSUM_RFC9568;
	}
	uint16_t interval = (uint16_t)((p[4] & 0x0f) << 8 | p[5]);
	if (!interval)
		return PACKET_BAD_INTERVAL;
	a->family = family;
	a->vrid = p[1];
	a->priority = p[2];
	a->naddr = p[3];
	a->interval_cs = interval;
	a->addrs = p + PACKET_HDR_LEN;
	a->csum = form;
	return PACKET_OK;
}

enum packet_discard packet_check_source(int family, const void *src)
{
	const uint8_t *s = src;
	if (family == AF_INET6 && !(s[0] == 0xfe && (s[1] & 0xc0) == 0x80)) /* fe80::/10 */
		return PACKET_NOT_LINK_LOCAL;
	return PACKET_OK;
}

enum packet_discard packet_ipv4_split(const uint8_t *p, size_t len, int *ttl,
				      const uint8_t **src, const uint8_t **dst,
				      const uint8_t **payload, size_t *plen)
{
	if (len < 20 || p[0] >> 4 != 4)
		return PACKET_BAD_IP;
	size_t ihl = (size_t)(p[0] & 0x0f) * 4;
	size_t total = (size_t)(p[2] << 8 | p[3]);
	/* The kernel reassembles fragments and checks the header checksum; a
	 * total length past what was read would mean truncation. */
	if (ihl < 20 || ihl > len || total < ihl || total > len || p[9] != PACKET_PROTO)
		return PACKET_BAD_IP;
	*ttl = p[8];
	*src = p + 12;
	*dst = p + 16;
	*payload = p + ihl;
	*plen = total - ihl;
	return PACKET_OK;
}
