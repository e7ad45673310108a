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

/* The address we advertise from: for IPv4 the first address on the
 * interface that is not in `skip` (our VIPs, n of them); for IPv6 the
 * link-local address.  0 or -EADDRNOTAVAIL. */
int iface_primary(const char *ifname, int family, const uint8_t *skip, int nskip, uint8_t *out);

/* IFACE_LINK_GONE: the interface was deleted (or moved to another
 * namespace).  Link events carry the interface's name, so that an instance
 * waiting for a missing interface recognises it when it appears; address
 * events only the index (name NULL). */
enum iface_event { IFACE_LINK_DOWN, IFACE_LINK_UP, IFACE_LINK_GONE, IFACE_ADDR_CHANGED };
typedef void (*iface_event_fn)(void *arg, int ifindex, const char *ifname, enum iface_event ev);

struct iface_mon *iface_mon_open(struct ev_loop *loop, iface_event_fn fn, void *arg,
				 char *err, size_t errlen);
void iface_mon_close(struct iface_mon *m);

#endif
