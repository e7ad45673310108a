/* synhold: SYNs to a virtual address that nothing listens on are dropped,
 * not refused, so that clients retry instead of failing while the address
 * moves (vrrpd.conf(5) `syn-hold`).  When lbd dies on the master, the
 * kernel would answer its clients' SYNs with RST until vrrpd's track sees
 * it and the address moves; dropped, a SYN is sent again by the client's
 * kernel (1 s, then 3 s later) and reaches the new master.  The tc ingress
 * program bpf/vip_synhold.bpf.c does it, one per interface, with a map of
 * (address, port) to hold; port 0 is every port.
 *
 * The program is loaded at start-up only, while vrrpd holds CAP_BPF: if
 * libbpf, the kernel or the privileges are missing, that is logged once and
 * vrrpd runs without it.  A reload changes the map's entries of interfaces
 * that have the program (bpf(2) on a descriptor already held: Linux 6.5 and
 * later) and re-attaches the program to an interface created anew; the
 * program for an interface that had none at start-up takes a restart.  The
 * filter has a fixed handle and priority (not the accept-mode filter's), so
 * a restarted vrrpd replaces the one a crash left; synhold_remove() takes it
 * away for `vrrpd --cleanup`. */
#ifndef VRRPD_SYNHOLD_H
#define VRRPD_SYNHOLD_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/vip_synhold.h"

struct synhold;

#define SYNHOLD_MAX_IFACES 16

/* One destination to hold on one interface (ifindex 0: missing for now). */
struct synhold_want {
	char ifname[IF_NAMESIZE];
	int ifindex;
	struct vip_synhold_key key;
};

struct synhold_counters {
	uint64_t held;   /* SYNs dropped: nothing listened */
	uint64_t passed; /* SYNs to a held destination that had a socket */
};

struct synhold *synhold_new(void);
/* Hold exactly these destinations: filters of interfaces without any are
 * emptied (kept, for a reload that wants them back).  may_load: a missing
 * filter may be loaded (start-up).  Failures are logged, never fatal. */
void synhold_sync(struct synhold *s, const struct synhold_want *want, int nwant, int may_load);
/* The filters, for the status: how many, and each one's interface,
 * destinations and counters (read from memory: no privileges needed). */
int synhold_count(const struct synhold *s);
const char *synhold_ifname(const struct synhold *s, int i, int *nkeys, struct synhold_counters *c);
/* Detaches every filter and frees.  NULL is fine. */
void synhold_close(struct synhold *s);
/* Detaches a filter left on ifindex by an earlier vrrpd (cleanup). */
void synhold_remove(int ifindex);

#endif
