/* handover_host: runs the planned handover (handover.h) on vrrpd's loop:
 * its timer, lbd's control socket (lbdctl.h), the control commands
 * "handover", "handover status", "resume", and the drain before a stop. */
#ifndef VRRPD_HANDOVER_HOST_H
#define VRRPD_HANDOVER_HOST_H

#include <ev.h>
#include <stdint.h>

#include "handover.h"
#include "lbdctl.h"

struct buf;

struct handover_host_ops {
	/* Is any instance master now? */
	int (*any_master)(void *arg);
	/* Every instance: instance_handover() (give up) or instance_resume(). */
	void (*release_all)(void *arg);
	void (*resume_all)(void *arg);
	/* Graceful preemption: instance_yield() on the instances that asked. */
	void (*release_yielders)(void *arg);
	void (*publish)(void *arg, const char *json_line);
};

struct handover_host {
	struct ev_loop *loop;
	const struct handover_host_ops *ops;
	void *arg;
	struct handover fsm;
	struct lbdctl lc;
	int have_lbd;
	uint32_t timeout_ms;
	ev_timer timer;
	int masters;            /* instances that were master when it began */
	void (*stop_cb)(void *arg); /* a stop waits for the handover (and lbd's resume) */
	void *stop_arg;
	int stop_wait_lbd;      /* the "quiesce off" answer is still awaited */
	int yield_only;         /* a yield (graceful preemption): only the instances that asked give up */
	ev_timer yield_kick;    /* a yield begins on the loop, not inside the state machine */
};

void handover_host_init(struct handover_host *h, struct ev_loop *loop, const struct handover_host_ops *ops,
			void *arg);
/* Configuration (again after a reload): lbd's socket ("" = none) and the timeout. */
void handover_host_configure(struct handover_host *h, const char *lbd_control, uint32_t timeout_ms);
/* Control commands; 1 if argv was one of ours (reply filled, *rc set). */
int handover_host_ctl(struct handover_host *h, int argc, char **argv, struct buf *reply, int *rc);
/* A stop: if a master should drain lbd first, begin (or join) the handover
 * and return 1: cb(arg) comes once the addresses are given up.  0: stop now. */
int handover_host_stop(struct handover_host *h, void (*cb)(void *arg), void *arg);
/* Graceful preemption: an instance asked to yield.  The drain begins
 * from the loop (soon, not inside this call); at its end the instances
 * that asked give their addresses up (release_yielders).  A drain already
 * under way serves: a handover or a stop gives every address up anyway. */
void handover_host_yield(struct handover_host *h);
void handover_host_close(struct handover_host *h);

#endif
