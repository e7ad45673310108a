/* libFuzzer target: the VRRPv3 receive path on arbitrary bytes.  The first
 * byte picks the family; IPv4 input is a whole IP packet as a raw socket
 * returns it, IPv6 input is the payload.  An accepted packet is rebuilt and
 * must parse again to the same fields. */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "vrrpd/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void roundtrip(const struct packet_advert *a, const void *src, const void *dst)
{
	uint8_t out[PACKET_MAX_LEN];
	struct packet_advert b;
	int n = packet_build(out, sizeof(out), a, src, dst);
	if (n < 0)
		abort();
	if (packet_parse(a->family, out, (size_t)n, 255, src, dst, &b) != PACKET_OK ||
	    b.vrid != a->vrid || b.priority != a->priority || b.naddr != a->naddr ||
	    b.interval_cs != a->interval_cs ||
	    memcmp(b.addrs, a->addrs, packet_addr_len(a->family) * a->naddr) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t s6[16] = { 0xfe, 0x80, [15] = 1 }, d6[16] = { 0xff, 0x02, [15] = 0x12 };
	struct packet_advert a;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		if (packet_parse(AF_INET6, data + 1, size - 1, 255, s6, d6, &a) == PACKET_OK)
			roundtrip(&a, s6, d6);
		return 0;
	}
	const uint8_t *src, *dst, *pl;
	size_t plen;
	int ttl;
	if (packet_ipv4_split(data + 1, size - 1, &ttl, &src, &dst, &pl, &plen) != PACKET_OK)
		return 0;
	if (packet_parse(AF_INET, pl, plen, ttl, src, dst, &a) == PACKET_OK)
		roundtrip(&a, src, dst);
	return 0;
}
