#include "notify.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "log.h"
#include "spawn.h"

static void next(struct notify *n);

static void done(void *arg, int status)
{
	struct notify *n = arg;
	n->running = NULL;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		n->failures++;
		log_warn("notify %s: '%s' failed (status %d)", n->instance, n->cmd, status);
	}
	next(n);
}

static void next(struct notify *n)
{
	while (!n->running && n->len) {
		struct notify_event *e = &n->q[n->head];
		char *args[] = { n->instance, e->old, e->now, e->prio, NULL };
		n->head = (n->head + 1) % NOTIFY_QUEUE;
		n->len--;
		n->runs++;
		n->running = spawn_run(n->loop, n->cmd, args, done, n);
		if (!n->running) {
			n->failures++;
			log_warn("notify %s: cannot run '%s'", n->instance, n->cmd);
		}
	}
}

void notify_init(struct notify *n, struct ev_loop *loop, const char *cmd, const char *instance)
{
	memset(n, 0, sizeof(*n));
	n->loop = loop;
	snprintf(n->cmd, sizeof(n->cmd), "%s", cmd ? cmd : "");
	snprintf(n->instance, sizeof(n->instance), "%s", instance);
}

void notify_set_cmd(struct notify *n, const char *cmd)
{
	snprintf(n->cmd, sizeof(n->cmd), "%s", cmd ? cmd : "");
}

void notify_event(struct notify *n, const char *old, const char *now, unsigned prio)
{
	if (!n->cmd[0])
		return;
	if (n->len == NOTIFY_QUEUE) {
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
	if (n->running) {
		spawn_detach(n->running);
		n->running = NULL;
	}
}
