/* ctltool: the shared main() of vrrpctl and lbctl:
 *   PROG [-s SOCKET] [--json] COMMAND [ARGS...]
 * sends the command over the control socket and prints the reply (raw JSON
 * with --json, else through the tool's own formatter). */
#ifndef COMMON_CTLTOOL_H
#define COMMON_CTLTOOL_H

#include <stdio.h>

/* Prints a reply for people; returns the exit status (0 ok). NULL = print JSON. */
typedef int (*ctltool_format_fn)(FILE *out, int argc, char **argv, const char *json);

int ctltool_main(int argc, char **argv, const char *prog, const char *default_socket,
		 ctltool_format_fn format);

#endif
