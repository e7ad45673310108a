/* daemon: what both daemons do the same way around their main loop:
 * command line (-f FILE, -t, -n, -V, -d), systemd readiness, capabilities. */
#ifndef COMMON_DAEMON_H
#define COMMON_DAEMON_H

#include <stddef.h>

struct daemon_args {
	const char *conf;   /* -f FILE */
	int test;           /* -t: validate the config and exit */
	int foreground;     /* -n: stay in the foreground, log to stderr */
	int debug;          /* -d: log level debug */
	int cleanup;        /* --cleanup (only where allowed) */
};

/* Exits for -h, -V and usage errors. */
void daemon_args_parse(int argc, char **argv, const char *prog, const char *default_conf,
		       int allow_cleanup, struct daemon_args *a);

/* sd_notify(3) without libsystemd: "READY=1", "RELOADING=1", "STOPPING=1".
 * A no-op when NOTIFY_SOCKET is unset. */
int daemon_notify(const char *state);

/* Keep only these capabilities (CAP_* numbers) in the permitted and effective
 * sets, and across setuid.  0 or negative errno with err filled. */
int daemon_keep_caps(const int *caps, int ncaps, char *err, size_t errlen);

#endif
