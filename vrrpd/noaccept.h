/* noaccept: RFC 5798's Accept_Mode False, done by the kernel.  For an
 * interface with instances in `accept off` mode (and not address owners),
 * the tc ingress program bpf/vip_noaccept.bpf.c drops TCP, UDP, SCTP and
 * ICMP addressed to their virtual addresses; ARP, neighbour discovery and
 * VRRP pass, so the master still answers for the addresses.
 *
 * Loaded at start-up, while vrrpd holds CAP_BPF and CAP_NET_ADMIN: on a
 * backup the addresses are not local, so the filter changes nothing there
 * and needs no update on state changes.  After start-up (vrrpd keeps only
 * CAP_NET_ADMIN and CAP_NET_RAW) a reload changes the addresses in the maps
 * and a re-created interface gets the loaded program again: both need a
 * kernel that allows bpf(2) on a descriptor already held without CAP_BPF
 * (Linux 6.5 and later).  Loading the program for another interface is for
 * start-up only.  The filter has a fixed handle and priority, so a
 * restarted vrrpd replaces the one a crash left; noaccept_remove() takes it
 * away for `vrrpd --cleanup`.  libbpf is opened (dlopen) by the first of
 * these calls, so that a vrrpd without `accept off` does not carry it. */
#ifndef VRRPD_NOACCEPT_H
#define VRRPD_NOACCEPT_H

#include <stddef.h>
#include <stdint.h>

struct noaccept;

#define NOACCEPT_MAX_ADDRS 256 /* per family: the maps' size */

struct noaccept_addr {
	int family;
	uint8_t addr[16]; /* 4 or 16 bytes by family */
};

/* The filter on interface ifindex: NULL with err filled on failure. */
struct noaccept *noaccept_open(int ifindex, char *err, size_t errlen);
/* Drop traffic to exactly these addresses: those no longer wanted leave the
 * maps, new ones enter.  0 or the first -errno (the rest is still done). */
int noaccept_sync(struct noaccept *n, const struct noaccept_addr *want, int nwant);
/* The interface it is attached to; put it on another (the interface was
 * deleted and created again).  0 or -errno with err filled. */
int noaccept_ifindex(const struct noaccept *n);
int noaccept_reattach(struct noaccept *n, int ifindex, char *err, size_t errlen);
/* Packets dropped so far (read from memory: works without privileges). */
uint64_t noaccept_drops(const struct noaccept *n);
/* Detaches the filter and frees.  NULL is fine. */
void noaccept_close(struct noaccept *n);
/* Detaches a filter left on ifindex by an earlier vrrpd (cleanup). */
void noaccept_remove(int ifindex);

#endif
