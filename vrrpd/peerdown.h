/* peerdown: tell the local lbd that the node of a master which went silent
 * is down (lbd's `peer-down ADDR`, over lbd-control), so that lbd stops
 * sending requests to that node's servers at once instead of after their
 * health checks fail (each such request would wait lbd's `timeout
 * connect`).  Only for a takeover because the master went silent
 * (Master_Down_Timer, BFD): a master that sent priority 0 or was preempted
 * is alive.  Without lbd-control it does nothing.  Commands go one at a
 * time (lbdctl.h); a few are queued, an address already queued is not
 * queued twice; each outcome is logged. */
#ifndef VRRPD_PEERDOWN_H
#define VRRPD_PEERDOWN_H

#include <ev.h>

#include "lbdctl.h"

#define PEERDOWN_QUEUE 8
#define PEERDOWN_ADDR_MAX 46 /* INET6_ADDRSTRLEN */

struct peerdown {
	struct lbdctl lc;
	int busy;
	int n;
	char queue[PEERDOWN_QUEUE][PEERDOWN_ADDR_MAX];
	unsigned long sent, failed;
};

void peerdown_init(struct peerdown *p, struct ev_loop *loop);
/* lbd's control socket ("" = none); on open and on reload. */
void peerdown_configure(struct peerdown *p, const char *lbd_control);
/* The master at ip (family AF_INET or AF_INET6, 4 or 16 bytes) went silent. */
void peerdown_notify(struct peerdown *p, int family, const void *ip);
/* Abandon what is in flight and queued. */
void peerdown_close(struct peerdown *p);

#endif
