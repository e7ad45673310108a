/* peerdown: `peer-down ADDR` to lbd (see peerdown.h). */
#include "peerdown.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

#define PEERDOWN_TIMEOUT_S 2.0

static void next(struct peerdown *p)
{
	if (p->busy || !p->n || !p->lc.path[0])
		return;
	char cmd[16 + PEERDOWN_ADDR_MAX];
	snprintf(cmd, sizeof(cmd), "peer-down %s", p->queue[0]);
	p->busy = 1;
	lbdctl_call(&p->lc, cmd, PEERDOWN_TIMEOUT_S);
}

static void answer(void *arg, const char *reply, const char *why)
{
	struct peerdown *p = arg;
	p->busy = 0;
	/* lbd answers {"ok":true,...} or {"ok":false,"error":...}. */
	if (reply && strstr(reply, "\"ok\":true")) {
		p->sent++;
		log_notice("told lbd that node %s is down: %s", p->queue[0], reply);
	} else {
		p->failed++;
		log_warn("could not tell lbd that node %s is down: %s", p->queue[0], reply ? reply : why);
	}
	p->n--;
	memmove(p->queue[0], p->queue[1], (size_t)p->n * sizeof(p->queue[0]));
	next(p);
}

void peerdown_init(struct peerdown *p, struct ev_loop *loop)
{
	memset(p, 0, sizeof(*p));
	lbdctl_init(&p->lc, loop, "", answer, p);
}

void peerdown_configure(struct peerdown *p, const char *lbd_control)
{
	snprintf(p->lc.path, sizeof(p->lc.path), "%s", lbd_control);
}

void peerdown_notify(struct peerdown *p, int family, const void *ip)
{
	char text[PEERDOWN_ADDR_MAX];
	if (!p->lc.path[0] || !inet_ntop(family, ip, text, sizeof(text)))
		return;
	for (int i = 0; i < p->n; i++)
		if (!strcmp(p->queue[i], text))
			return;
	if (p->n == PEERDOWN_QUEUE) {
		log_warn("not telling lbd that node %s is down: %d notices already waiting", text, p->n);
		return;
	}
	snprintf(p->queue[p->n++], sizeof(p->queue[0]), "%s", text);
	next(p);
}

void peerdown_close(struct peerdown *p)
{
	lbdctl_cancel(&p->lc);
	p->busy = 0;
	p->n = 0;
}
