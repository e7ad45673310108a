/* notify: run an instance's notify command on each transition, as
 *   CMD INSTANCE OLD NEW PRIORITY
 * in the background, one at a time and in order (a queue of pending ones),
 * so a slow script never delays the protocol and never sees events out of
 * order.  If the queue overflows the oldest pending events are dropped and
 * counted. */
#ifndef VRRPD_NOTIFY_H
#define VRRPD_NOTIFY_H

#include <stdint.h>

struct ev_loop;

#define NOTIFY_QUEUE 16

struct notify_event {
	char old[16], now[16], prio[8];
};

struct notify {
	struct ev_loop *loop;
	char cmd[1024];
	char instance[64];
	struct notify_event q[NOTIFY_QUEUE];
	unsigned head, len;
	struct spawn *running;
	uint64_t runs, failures, dropped;
};

void notify_init(struct notify *n, struct ev_loop *loop, const char *cmd, const char *instance);
void notify_set_cmd(struct notify *n, const char *cmd);
void notify_event(struct notify *n, const char *old, const char *now, unsigned prio);
/* Forget queued events and stop waiting for the running one (it keeps
 * running; it is reaped). */
void notify_close(struct notify *n);

#endif
