#include "spawn.h"

#include <errno.h>
#include <ev.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "log.h"

extern char **environ;

struct spawn {
	struct ev_loop *loop;
	ev_child child;
	pid_t pid;
	int killed;
	spawn_done_fn done;
	void *arg;
};

static void exited(struct ev_loop *loop, ev_child *w, int revents)
{
	struct spawn *s = w->data;
	(void)revents;
	ev_child_stop(loop, w);
	if (s->done)
		s->done(s->arg, s->killed ? -1 : w->rstatus);
	free(s);
}

struct spawn *spawn_run(struct ev_loop *loop, const char *cmd, char *const *args,
			spawn_done_fn done, void *arg)
{
	char *argv[16];
	int n = 0;
	char *script = NULL;
	posix_spawnattr_t attr;
	sigset_t none, all;
	struct spawn *s = calloc(1, sizeof(*s));

	if (!s || asprintf(&script, "%s \"$@\"", cmd) < 0) {
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	argv[n++] = "/bin/sh";
	argv[n++] = "-c";
	argv[n++] = script;
	argv[n++] = "vrrpd";
	for (int i = 0; args && args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSCHEDULER);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	/* Scripts never inherit the daemon's real-time priority. */
	struct sched_param sp = { .sched_priority = 0 };
	posix_spawnattr_setschedpolicy(&attr, SCHED_OTHER);
	posix_spawnattr_setschedparam(&attr, &sp);
	int rc = posix_spawn(&s->pid, "/bin/sh", NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	free(script);
	if (rc) {
		free(s);
		errno = rc;
		return NULL;
	}
	s->loop = loop;
	s->done = done;
	s->arg = arg;
	ev_child_init(&s->child, exited, s->pid, 0);
	s->child.data = s;
	ev_child_start(loop, &s->child);
	return s;
}

void spawn_kill(struct spawn *s)
{
	if (!s)
		return;
	s->killed = 1;
	kill(-s->pid, SIGKILL);
}

void spawn_detach(struct spawn *s)
{
	if (s)
		s->done = NULL;
}
