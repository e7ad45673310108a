/* noaccept: RFC 5798's Accept_Mode False, done by the kernel.  For an
 * interface with instances in `accept off` mode (and not address owners),
 * the tc ingress program bpf/vip_noaccept.bpf.c drops TCP, UDP, SCTP and
 * ICMP addressed to their virtual addresses; ARP, neighbour discovery and
 * VRRP pass, so the master still answers for the addresses.
 *
 * Loaded at start-up, while vrrpd holds CAP_BPF and CAP_NET_ADMIN, with every
 * such address at once: on a backup the addresses are not local, so the
 * filter changes nothing there and needs no update on state changes (vrrpd
 * keeps only CAP_NET_ADMIN and CAP_NET_RAW afterwards).  The filter has a
 * fixed handle and priority, so a restarted vrrpd replaces the one a crash
 * left; noaccept_remove() takes it away for `vrrpd --cleanup`.  libbpf is
 * opened (dlopen) by the first of these calls, so that a vrrpd without
 * `accept off` does not carry it. */
#ifndef VRRPD_NOACCEPT_H
#define VRRPD_NOACCEPT_H

#include <stddef.h>
#include <stdint.h>

struct noaccept;

/* The filter on interface ifindex: NULL with err filled on failure. */
struct noaccept *noaccept_open(int ifindex, char *err, size_t errlen);
/* Drop traffic to addr (4 or 16 bytes by family).  0 or -errno. */
int noaccept_add(struct noaccept *n, int family, const uint8_t *addr);
/* Packets dropped so far (read from memory: works without privileges). */
uint64_t noaccept_drops(const struct noaccept *n);
/* Detaches the filter and frees.  NULL is fine. */
void noaccept_close(struct noaccept *n);
/* Detaches a filter left on ifindex by an earlier vrrpd (cleanup). */
void noaccept_remove(int ifindex);

#endif
