/* engine: everything vrrpd runs, tied to one configuration: the instances,
 * the tracks they share, the netlink sockets, the control socket; and the
 * reload that swaps a configuration without releasing addresses. */
#ifndef VRRPD_ENGINE_H
#define VRRPD_ENGINE_H

#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct vconf;
struct engine;

/* Removes stale VIPs, opens everything, starts the protocol.  Takes
 * ownership of c (also on failure).  NULL with err filled on failure. */
struct engine *engine_open(struct ev_loop *loop, struct vconf *c, char *err, size_t errlen);
/* Re-reads path; a bad file is logged and the running configuration kept.
 * 0 or -errno with err filled. */
int engine_reload(struct engine *e, const char *path, char *err, size_t errlen);
/* Priority 0 from every master, addresses released, everything closed. */
void engine_close(struct engine *e);
/* SIGTERM: engine_close(), or, when a restart was asked for (handoff.h),
 * the masters hand over to the next process.  Returns 1 for a restart. */
int engine_stop(struct engine *e);
/* SIGTERM with lbd-control set and a master here: drain lbd and give the
 * addresses up first (handover.h); returns 1 and calls cb(arg) once that
 * is done (then call engine_stop()), or 0: stop now. */
int engine_stop_drained(struct engine *e, void (*cb)(void *arg), void *arg);

/* `vrrpd --cleanup`: remove the configured VIPs from their interfaces, but
 * those of routers handed over to a restarting vrrpd (handoff.h).
 * Returns how many were removed. */
int engine_cleanup(const struct vconf *c);

#endif
