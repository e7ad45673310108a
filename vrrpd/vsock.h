/* vsock: the raw IPPROTO_VRRP socket of one instance: multicast group
 * membership (224.0.0.18 / ff02::12), TTL / hop limit 255 on send, and on
 * receive the TTL, source and destination the checks need. */
#ifndef VRRPD_VSOCK_H
#define VRRPD_VSOCK_H

#include <stddef.h>
#include <stdint.h>

#include "packet.h"

struct vsock_rx {
	int ttl;
	uint8_t src[16], dst[16];
	const uint8_t *payload;  /* into the caller's buffer */
	size_t len;
};

/* Group address of a family (4 or 16 bytes). */
const uint8_t *vsock_group(int family);

/* A socket bound to the interface, joined to the group, non-blocking.
 * Returns the fd or a negative errno with err filled. */
int vsock_open(int family, const char *ifname, int ifindex, char *err, size_t errlen);

/* A send-only socket bound to the interface (no group membership): the
 * adverts of a virtual-MAC instance leave by its macvlan.  fd or -errno. */
int vsock_open_tx(int family, const char *ifname, int ifindex, char *err, size_t errlen);

/* Sends one VRRP payload from src to dst (4 or 16 bytes each). 0 or -errno. */
int vsock_send(int fd, int family, int ifindex, const void *src, const void *dst,
	       const uint8_t *pkt, size_t len);

/* Reads one packet: 1 with rx filled and *why = PACKET_OK or PACKET_BAD_IP,
 * 0 when nothing is pending, -errno on error. */
int vsock_recv(int fd, int family, uint8_t *buf, size_t cap, struct vsock_rx *rx,
	       enum packet_discard *why);

#endif
