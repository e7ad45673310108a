/* vrrp_guard: structs shared by the XDP program and user space. */
#ifndef BPF_VRRP_GUARD_H
#define BPF_VRRP_GUARD_H

/* Why a VRRP packet was dropped (index of the drops map). */
enum vrrp_guard_reason {
	VRRP_GUARD_PASSED = 0,      /* VRRP packets let through to vrrpd */
	VRRP_GUARD_BAD_TTL = 1,     /* TTL / hop limit not 255: not from the local link */
	VRRP_GUARD_BAD_VERSION = 2, /* not a VRRPv3 advertisement */
	VRRP_GUARD_UNKNOWN_VRID = 3,/* a VRID no instance of ours runs */
	VRRP_GUARD_NOT_PEER = 4,    /* unicast mode: source is not a configured peer */
	VRRP_GUARD_TRUNCATED = 5,   /* shorter than the headers */
	VRRP_GUARD_NREASONS = 6,
};

#define VRRP_GUARD_MAX_PEERS 64

#endif
