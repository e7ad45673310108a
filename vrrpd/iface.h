/* iface: what vrrpd needs to know about an interface: index, MAC, whether
 * it is up with carrier, its primary address; and a netlink watcher that
 * reports link up/down and address changes on the daemon's loop. */
#ifndef VRRPD_IFACE_H
#define VRRPD_IFACE_H

#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct iface_mon;

struct iface_info {
	int ifindex;
	uint8_t mac[6];
	int up;                 /* IFF_UP and IFF_RUNNING */
};

/* 0 or -errno (ENODEV when the interface does not exist). */
int iface_query(const char *ifname, struct iface_info *out);

/* One address of an interface as rtnetlink reports it, with what
 * getifaddrs() hides: its flags (IFA_F_TENTATIVE...) and the protocol that
 * added it (IFA_PROTO, Linux 5.18; 0 when unset). */
struct iface_addr {
	int family;
	uint8_t ip[16];
	uint8_t prefixlen;
	uint8_t proto;
	uint32_t flags;
};
typedef void (*iface_addr_fn)(void *arg, const struct iface_addr *a);

/* Every address of family on interface ifindex to fn (a dump the kernel
 * filters by interface, so the other interfaces' addresses cost nothing).
 * 0 or -errno. */
int iface_addrs(int ifindex, int family, iface_addr_fn fn, void *arg);

/* The address we advertise from: for IPv4 the first address on the
 * interface that vrrpd did not add (vip.h: not a VIP, unless it was there
 * before, as an address owner's is); for IPv6 the link-local address.  An IPv6 address still in
 * duplicate address detection cannot be a source: -EINPROGRESS when that is
 * all there is.  0, -EADDRNOTAVAIL, -EINPROGRESS or -errno. */
int iface_primary(int ifindex, int family, uint8_t *out);

/* accept_local 1 on interface ifindex (IPv4): the kernel delivers packets
 * whose source is one of this host's addresses instead of dropping them as
 * martians.  A non-owner that holds an owner's address as its VIP needs it
 * to hear the owner's adverts, sent from that address (RFC 5798 6.4.3: it
 * must then go back to Backup).  0 or -errno. */
int iface_accept_local(int ifindex);

/* The IPv6 address to reach a global peer from: the interface's own
 * global address (not a VIP, not in duplicate address detection) sharing
 * the longest prefix with peer, preferred over deprecated ones.  The
 * kernel's own choice would be the newest address of the prefix, the VIP
 * once we are master, which the peer knows not.  0, -EADDRNOTAVAIL or
 * -errno. */
int iface_source6(int ifindex, const uint8_t *peer, uint8_t *out);

/* IFACE_LINK_GONE: the interface was deleted (or moved to another
 * namespace).  IFACE_RESYNC (ifindex 0): the kernel dropped events (the
 * socket overran, ENOBUFS): every interface's state must be read again.  Link events carry the interface's name, so that an instance
 * waiting for a missing interface recognises it when it appears; address
 * events only the index (name NULL). */
enum iface_event { IFACE_LINK_DOWN, IFACE_LINK_UP, IFACE_LINK_GONE, IFACE_ADDR_CHANGED, IFACE_RESYNC };
typedef void (*iface_event_fn)(void *arg, int ifindex, const char *ifname, enum iface_event ev);

struct iface_mon *iface_mon_open(struct ev_loop *loop, iface_event_fn fn, void *arg,
				 char *err, size_t errlen);
void iface_mon_close(struct iface_mon *m);

#endif
