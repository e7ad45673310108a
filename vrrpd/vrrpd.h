/* vrrpd: the process object, everything vrrpd runs, tied to one configuration: the instances,
 * the tracks they share, the netlink sockets, the control socket; and the
 * reload that swaps a configuration without releasing addresses. */
#ifndef VRRPD_VRRPD_H
#define VRRPD_VRRPD_H

#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct vrrpd_config;
struct vrrpd;

/* Removes stale VIPs, opens everything, starts the protocol.  Takes
 * ownership of c (also on failure).  NULL with err filled on failure. */
struct vrrpd *vrrpd_open(struct ev_loop *loop, struct vrrpd_config *c, char *err, size_t errlen);
/* Re-reads path; a bad file is logged and the running configuration kept.
 * 0 or -errno with err filled. */
int vrrpd_reload(struct vrrpd *e, const char *path, char *err, size_t errlen);
/* Priority 0 from every master, addresses released, everything closed. */
void vrrpd_close(struct vrrpd *e);
/* SIGTERM: vrrpd_close(), or, when a restart was asked for (handoff.h),
 * the masters hand over to the next process.  Returns 1 for a restart. */
int vrrpd_stop(struct vrrpd *e);
/* SIGTERM with lbd-control set and a master here: drain lbd and give the
 * addresses up first (handover.h); returns 1 and calls cb(arg) once that
 * is done (then call vrrpd_stop()), or 0: stop now. */
int vrrpd_stop_drained(struct vrrpd *e, void (*cb)(void *arg), void *arg);

/* `vrrpd --cleanup`: remove the configured VIPs from their interfaces, but
 * those of routers handed over to a restarting vrrpd (handoff.h).  A
 * router whose addresses are still here had a master that crashed: its
 * priority 0 goes out first (goodbye.h), so that the backup takes over
 * after Skew_Time.  Returns how many were removed. */
int vrrpd_cleanup(const struct vrrpd_config *c);

#endif
