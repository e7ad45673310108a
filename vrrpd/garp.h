/* garp: announcing that a virtual address moved to us: gratuitous ARP for
 * IPv4 (an ARP request with sender = target = the address, broadcast) and
 * unsolicited neighbour advertisements with the router and override flags for IPv6
 * (to ff02::1, hop limit 255).  Only sending; no state. */
#ifndef VRRPD_GARP_H
#define VRRPD_GARP_H

#include <stddef.h>
#include <stdint.h>

/* A socket for announcements of a family on an interface: fd or -errno. */
int garp_open(int family, const char *ifname, int ifindex, char *err, size_t errlen);

/* One announcement of addr (4 or 16 bytes) with our mac. 0 or -errno. */
int garp_send(int fd, int family, int ifindex, const uint8_t mac[6], const uint8_t *addr);

/* The frames themselves, for the unit tests: the ARP payload (28 bytes) and
 * the ICMPv6 NA (32 bytes, checksum left to the kernel). */
size_t garp_build_arp(uint8_t *out, const uint8_t mac[6], const uint8_t ip[4]);
size_t garp_build_na(uint8_t *out, const uint8_t mac[6], const uint8_t ip[16]);

#endif
