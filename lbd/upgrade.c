/* upgrade: re-exec the lbd binary beside the running process (see upgrade.h). */
#include "upgrade.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char exe[PATH_MAX];
static char **args;

void upgrade_init(char **argv)
{
	/* /proc/self/exe names the file that was run; once a package upgrade
	 * has replaced it, the link says "(deleted)", so read it now. */
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	args = argv;
}

pid_t upgrade_spawn(char *err, size_t errlen)
{
	if (!exe[0] || !args) {
		snprintf(err, errlen, "upgrade: the path of the lbd binary is unknown");
		return -ENOENT;
	}
	if (access(exe, X_OK)) {
		snprintf(err, errlen, "upgrade: %s: %s", exe, strerror(errno));
		return -errno;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "upgrade: fork: %s", strerror(errno));
		return -errno;
	}
	if (pid == 0) {
		/* Only async-signal-safe calls here: the parent has threads.  The
		 * new process starts with no signal blocked (the main loop's
		 * mask is inherited through exec otherwise). */
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execv(exe, args);
		_exit(127);
	}
	return pid;
}
