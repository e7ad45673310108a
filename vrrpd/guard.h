/* guard: the XDP program bpf/vrrp_guard.bpf.c on a VRRP interface.  It
 * drops, before they reach vrrpd's socket (and wake it), VRRP packets with
 * a TTL / hop limit other than 255, anything but a VRRPv3 advertisement,
 * VRIDs no instance on the interface runs and, when every IPv4 instance on
 * it has unicast peers, IPv4 sources that are none of them.  It counts
 * what it let through and what it dropped, by reason.
 *
 * Loaded at start-up (CAP_BPF, CAP_NET_ADMIN) and attached through a BPF
 * link: native XDP where the driver has it, generic otherwise.  The link
 * belongs to the process, so the kernel detaches the program when vrrpd
 * exits, a crash or SIGKILL included: `vrrpd --cleanup` has nothing left
 * to remove.  A reload changes the maps and the peer switch (the
 * descriptors are held, the switch is mapped memory).  libbpf is opened
 * (libbpf_dl.h) only when a guard is loaded. */
#ifndef VRRPD_GUARD_H
#define VRRPD_GUARD_H

#include <stddef.h>
#include <stdint.h>

#include "bpf/vrrp_guard.h"

struct guard;

#define GUARD_MAX_PEERS VRRP_GUARD_MAX_PEERS

/* What the guard of one interface lets through. */
struct guard_want {
	uint8_t vrids[256];         /* nonzero: an instance runs this VRID */
	int peer_filter;            /* only these IPv4 sources */
	uint32_t peers4[GUARD_MAX_PEERS]; /* network order */
	int npeers;
};

extern const char *const guard_reason_names[VRRP_GUARD_NREASONS];

/* Load, fill with want, attach to ifindex.  NULL with err filled. */
struct guard *guard_open(int ifindex, const struct guard_want *want, char *err, size_t errlen);
/* Change what it lets through.  0 or the first -errno. */
int guard_sync(struct guard *g, const struct guard_want *want);
int guard_ifindex(const struct guard *g);
/* The interface was deleted and created anew: attach there.  0 or -errno. */
int guard_reattach(struct guard *g, int ifindex, char *err, size_t errlen);
/* "native" or "generic". */
const char *guard_mode(const struct guard *g);
/* Packets per reason since it was loaded.  0 or -errno. */
int guard_counters(const struct guard *g, uint64_t out[VRRP_GUARD_NREASONS]);
/* Detach and free.  NULL is fine. */
void guard_close(struct guard *g);

#endif
