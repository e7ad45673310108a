#include "daemon.h"

#include <errno.h>
#include <stddef.h>
#include <getopt.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static void daemon_usage(FILE *f, const char *prog, const char *default_conf, int allow_cleanup)
{
	fprintf(f,
		"usage: %s [-f FILE] [-t] [-n] [-d] [-V]%s\n"
		"  -f FILE    configuration file (default %s)\n"
		"  -t         check the configuration and exit (0 = valid)\n"
		"  -n         stay in the foreground and log to stderr\n"
		"  -d         log debug messages\n"
		"  -V         print the version and exit\n",
		prog, allow_cleanup ? " [--cleanup]" : "", default_conf);
	if (allow_cleanup)
		fprintf(f, "  --cleanup  remove addresses a crashed instance left behind, and exit\n");
}

void daemon_args_parse(int argc, char **argv, const char *prog, const char *default_conf,
		       int allow_cleanup, struct daemon_args *a)
{
	static const struct option longopts[] = {
		{ "cleanup", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	a->conf = default_conf;
	while ((c = getopt_long(argc, argv, "f:tndVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': a->conf = optarg; break;
		case 't': a->test = 1; break;
		case 'n': a->foreground = 1; break;
		case 'd': a->debug = 1; break;
		case 'C':
			if (!allow_cleanup)
				goto usage;
			a->cleanup = 1;
			break;
		case 'V':
			printf("%s %s\n", prog, VERSION);
			exit(0);
		case 'h':
			daemon_usage(stdout, prog, default_conf, allow_cleanup);
			exit(0);
		default:
			goto usage;
		}
	}
	if (optind == argc)
		return;
usage:
	daemon_usage(stderr, prog, default_conf, allow_cleanup);
	exit(2);
}

int daemon_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	if (!path || !*path)
		return 0;
	size_t n = strlen(path);
	if (n >= sizeof(sun.sun_path) || (path[0] != '/' && path[0] != '@'))
		return -EINVAL;
	memcpy(sun.sun_path, path, n);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ssize_t w = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sun,
			   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n));
	int rc = w < 0 ? -errno : 0;
	close(fd);
	return rc;
}

/* capset(2) itself rather than libcap: the daemon sets one fixed list once,
 * which is one bit per capability in a three-set structure the kernel
 * documents, and libcap would be a library mapped for the process's
 * whole life (48 KiB of vrrpd's RSS) for that single call. */
int daemon_keep_caps(const int *caps, int ncaps, char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	for (int i = 0; i < ncaps; i++) {
		if (caps[i] < 0 || caps[i] > CAP_LAST_CAP) {
			snprintf(err, errlen, "capability %d: not known to this kernel's headers", caps[i]);
			return -EINVAL;
		}
		data[caps[i] / 32].permitted |= 1u << (caps[i] % 32);
		data[caps[i] / 32].effective |= 1u << (caps[i] % 32);
	}
	/* Bounding set first (that needs CAP_SETPCAP, about to go), so nothing
	 * exec'd can regain what is dropped. */
	for (int v = 0; v <= CAP_LAST_CAP; v++) {
		int keep = 0;
		for (int i = 0; i < ncaps; i++)
			keep |= caps[i] == v;
		if (!keep)
			prctl(PR_CAPBSET_DROP, v, 0, 0, 0);
	}
	/* Permitted and effective to the list, inheritable empty. */
	if (syscall(SYS_capset, &hdr, data) < 0) {
		int rc = -errno;
		snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
		return rc;
	}
	return 0;
}
