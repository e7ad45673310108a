/* lbdctl: one command at a time to lbd's control socket, without blocking
 * vrrpd's loop (a wedged lbd must not delay an advert).  A new command
 * abandons the one in flight.  The reply line (JSON) or a failure goes to
 * the callback, at most `timeout` after the call. */
#ifndef VRRPD_LBDCTL_H
#define VRRPD_LBDCTL_H

#include <ev.h>
#include <stddef.h>

#define LBDCTL_REPLY_MAX 1024

/* reply: the line without its newline, NULL on failure (why says it). */
typedef void (*lbdctl_cb)(void *arg, const char *reply, const char *why);

struct lbdctl {
	struct ev_loop *loop;
	char path[108];
	lbdctl_cb cb;
	void *arg;
	int fd;
	ev_io io;
	ev_timer timer;
	char out[128];
	size_t outlen, outpos;
	char in[LBDCTL_REPLY_MAX];
	size_t inlen;
};

void lbdctl_init(struct lbdctl *c, struct ev_loop *loop, const char *path, lbdctl_cb cb, void *arg);
/* Send cmd; the callback comes later (never from inside this call). */
void lbdctl_call(struct lbdctl *c, const char *cmd, double timeout_s);
/* Abandon what is in flight (no callback). */
void lbdctl_cancel(struct lbdctl *c);

#endif
