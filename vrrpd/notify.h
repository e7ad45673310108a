/* notify: run an instance's notify command on each transition, as
 *   CMD INSTANCE OLD NEW PRIORITY
 * in the background, one at a time and in order (a queue of pending ones),
 * so a slow script never delays the protocol and never sees events out of
 * order.  A run that outlives the timeout has its process group killed and
 * the next event goes on; if the queue overflows the oldest pending events
 * are dropped.  Both are logged and counted. */
#ifndef VRRPD_NOTIFY_H
#define VRRPD_NOTIFY_H

#include <ev.h>
#include <stdint.h>

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
	struct notify_event current; /* the running one's, for the log */
	ev_timer timer;              /* the running one's timeout */
	uint32_t timeout_ms;
	uint64_t runs, failures, killed, dropped;
};

void notify_init(struct notify *n, struct ev_loop *loop, const char *cmd, const char *instance);
void notify_set_cmd(struct notify *n, const char *cmd);
/* The instance's name, as the hook's first argument (a reload renamed it). */
void notify_set_instance(struct notify *n, const char *instance);
/* How long one run may take before its process group is killed; applies
 * from the next run on. */
void notify_set_timeout(struct notify *n, uint32_t ms);
void notify_event(struct notify *n, const char *old, const char *now, unsigned prio);
/* Forget queued events and stop waiting for the running one (it keeps
 * running; it is reaped).  Idempotent. */
void notify_close(struct notify *n);

#endif
