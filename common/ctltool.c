#include "ctltool.h"
#include "buf.h"
#include "ctl.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ctltool_main(int argc, char **argv, const char *prog, const char *default_socket,
		 ctltool_format_fn format)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = default_socket;
	int json = 0, c;
	unsigned long count = 0;
	char *end;

	while ((c = getopt_long(argc, argv, "+s:n:jhV", longopts, NULL)) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 'j': json = 1; break;
		case 'n':
			errno = 0;
			count = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-') {
				fprintf(stderr, "%s: --count: expected a number of lines, got '%s'\n",
					prog, optarg);
				return 2;
			}
			break;
		case 'V': printf("%s %s\n", prog, VERSION); return 0;
		case 'h':
		default:
			fprintf(c == 'h' ? stdout : stderr,
				"usage: %s [-s SOCKET] [--json] COMMAND [ARGS...]\n"
				"       %s [-s SOCKET] [-n COUNT] subscribe\n"
				"  default socket %s; 'help' lists the daemon's commands;\n"
				"  subscribe prints the daemon's events, one JSON line each, until it\n"
				"  closes the socket or COUNT lines (the first is the acknowledgement)\n",
				prog, prog, default_socket);
			return c == 'h' ? 0 : 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: expected a command (try '%s help')\n", prog, prog);
		return 2;
	}
	char err[256];
	if (!strcmp(argv[optind], "subscribe") && optind + 1 == argc) {
		/* Line-buffered by construction: each event is written as it comes. */
		if (ctl_stream(sock, "subscribe", STDOUT_FILENO, count, err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", prog, err);
			return 1;
		}
		return 0;
	}
	struct buf cmd = BUF_INIT, reply = BUF_INIT;
	for (int i = optind; i < argc; i++) {
		int quote = strchr(argv[i], ' ') != NULL;
		buf_printf(&cmd, "%s%s%s%s", i > optind ? " " : "", quote ? "\"" : "", argv[i],
			   quote ? "\"" : "");
	}
	int rc = ctl_call(sock, buf_cstr(&cmd), 5000, &reply, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "%s: %s\n", prog, err);
		rc = 1;
	} else if (json || !format) {
		printf("%s\n", reply.data);
		rc = strstr(reply.data, "\"ok\":false") ? 1 : 0;
	} else {
		rc = format(stdout, argc - optind, argv + optind, reply.data);
	}
	buf_free(&cmd);
	buf_free(&reply);
	return rc;
}
