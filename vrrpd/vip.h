/* vip: virtual addresses added to and removed from an interface over
 * rtnetlink (libmnl).  While running, requests are sent without
 * waiting: acknowledgements and errors are read on the daemon's loop, so a
 * slow kernel never delays a protocol timer.  At start-up and for
 * `vrrpd --cleanup` the removal is synchronous. */
#ifndef VRRPD_VIP_H
#define VRRPD_VIP_H

#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct vconf_vip;
struct vip_nl;

struct vip_nl *vip_nl_open(struct ev_loop *loop, char *err, size_t errlen);
void vip_nl_close(struct vip_nl *n);

/* Queue an add (on = 1) or delete of one address.  0 or -errno. */
int vip_set(struct vip_nl *n, int ifindex, const struct vconf_vip *v, int on);
/* Errors reported by the kernel so far (each is logged). */
uint64_t vip_errors(const struct vip_nl *n);

/* Remove the addresses if present; returns how many were removed, or -errno. */
int vip_remove_sync(int ifindex, const struct vconf_vip *v, int n);

#endif
