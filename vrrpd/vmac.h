/* vmac: the optional virtual MAC of an IPv4 instance (`vmac on`): a macvlan
 * on the instance's interface with MAC 00:00:5e:00:01:VRID (RFC 5798 7.3),
 * mode bridge (vmac.c says why), that carries the VIPs, the adverts and the gratuitous ARP.
 *
 * It is created at start-up and stays up on both nodes; only the VIPs move.
 * A backup's macvlan holds no address and (IPv6 address generation off)
 * sends nothing, and with arp_ignore 1 on it and on the base interface only
 * the interface that holds the VIP answers ARP for it: the master's macvlan,
 * with the virtual MAC.  rp_filter 2 (loose) on the macvlan: replies to
 * traffic that came in on it leave by the base interface's route.  All set
 * over rtnetlink (IFLA_AF_SPEC), not /proc/sys, which the service unit makes
 * read-only.  Synchronous: it happens at start-up, reload of a changed
 * instance and exit only. */
#ifndef VRRPD_VMAC_H
#define VRRPD_VMAC_H

#include <stddef.h>
#include <stdint.h>

/* 00:00:5e:00:01:VRID (IPv4) or 00:00:5e:00:02:VRID (IPv6). */
void vmac_addr(int family, unsigned vrid, uint8_t mac[6]);

/* Creates (replacing a stale one of that name) and brings up the macvlan
 * name on lower_ifindex.  Its ifindex, or -errno with err filled. */
int vmac_open(const char *name, int lower_ifindex, int family, unsigned vrid, char *err, size_t errlen);

/* Deletes the interface name if it is a macvlan: 1 removed, 0 none, -errno. */
int vmac_remove(const char *name);

#endif
