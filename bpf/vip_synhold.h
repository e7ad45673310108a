/* What bpf/vip_synhold.bpf.c and vrrpd/synhold.c both see: the key of the
 * map of held destinations. */
#ifndef BPF_VIP_SYNHOLD_H
#define BPF_VIP_SYNHOLD_H

#include <linux/types.h>

#define VIP_SYNHOLD_MAX_KEYS 1024

/* A virtual address and a TCP port (host order; 0: every port).  IPv4
 * addresses fill the first 4 bytes of addr, the rest is zero. */
struct vip_synhold_key {
	__u8 addr[16];
	__u16 port;
	__u8 family; /* 4 or 6 */
	__u8 pad;    /* zero */
};

#endif
