#include "notify.h"

#include <ev.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "log.h"
#include "spawn.h"
#include "config.h"

static void next(struct notify *n);

static void done(void *arg, int status)
{
	struct notify *n = arg;
	n->running = NULL;
	ev_timer_stop(n->loop, &n->timer);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		n->failures++;
		log_warn("notify %s: '%s' failed (status %d)", n->instance, n->cmd, status);
	}
	next(n);
}

/* The hook hangs: its whole process group goes (what it started too), and
 * the events behind it run, still in order.  It is reaped in the background. */
static void timed_out(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct notify *n = w->data;
	(void)loop; (void)revents;
	if (!n->running)
		return;
	n->killed++;
	log_warn("notify %s: '%s' for %s -> %s still running after %u ms: killed", n->instance, n->cmd,
		 n->current.old, n->current.now, n->timeout_ms);
	spawn_detach(n->running);
	spawn_kill(n->running);
	n->running = NULL;
	next(n);
}

static void next(struct notify *n)
{
	while (!n->running && n->len) {
		struct notify_event *e = &n->q[n->head];
		n->current = *e;
		char *args[] = { n->instance, n->current.old, n->current.now, n->current.prio, NULL };
		n->head = (n->head + 1) % NOTIFY_QUEUE;
		n->len--;
		n->runs++;
		n->running = spawn_run(n->loop, n->cmd, args, done, n);
		if (!n->running) {
			n->failures++;
			log_warn("notify %s: cannot run '%s'", n->instance, n->cmd);
			continue;
		}
		ev_timer_set(&n->timer, n->timeout_ms / 1000.0, 0.);
		ev_timer_start(n->loop, &n->timer);
	}
}

void notify_init(struct notify *n, struct ev_loop *loop, const char *cmd, const char *instance)
{
	memset(n, 0, sizeof(*n));
	n->loop = loop;
	n->timeout_ms = CONFIG_NOTIFY_TIMEOUT_MS;
	ev_timer_init(&n->timer, timed_out, 0., 0.);
	n->timer.data = n;
	snprintf(n->cmd, sizeof(n->cmd), "%s", cmd ? cmd : "");
	snprintf(n->instance, sizeof(n->instance), "%s", instance);
}

void notify_set_cmd(struct notify *n, const char *cmd)
{
	snprintf(n->cmd, sizeof(n->cmd), "%s", cmd ? cmd : "");
}

void notify_set_instance(struct notify *n, const char *instance)
{
	snprintf(n->instance, sizeof(n->instance), "%s", instance);
}

void notify_set_timeout(struct notify *n, uint32_t ms)
{
	n->timeout_ms = ms ? ms : CONFIG_NOTIFY_TIMEOUT_MS;
}

void notify_event(struct notify *n, const char *old, const char *now, unsigned prio)
{
	if (!n->cmd[0])
		return;
	if (n->len == NOTIFY_QUEUE) {
		const struct notify_event *lost = &n->q[n->head];
		log_warn("notify %s: %d events waiting: %s -> %s dropped", n->instance, NOTIFY_QUEUE, lost->old,
			 lost->now);
		n->head = (n->head + 1) % NOTIFY_QUEUE;
		n->len--;
		n->dropped++;
	}
	struct notify_event *e = &n->q[(n->head + n->len) % NOTIFY_QUEUE];
	snprintf(e->old, sizeof(e->old), "%s", old);
	snprintf(e->now, sizeof(e->now), "%s", now);
	snprintf(e->prio, sizeof(e->prio), "%u", prio);
	n->len++;
	next(n);
}

void notify_close(struct notify *n)
{
	n->len = 0;
	if (n->loop)
		ev_timer_stop(n->loop, &n->timer);
	if (n->running) {
		spawn_detach(n->running);
		n->running = NULL;
	}
}
