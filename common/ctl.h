/* ctl: the control socket.  A unix stream socket (mode 0660); a client writes
 * one command per line ("status", "disable server b/s"); each gets exactly one
 * JSON object on one line back.  The command "subscribe" turns the connection
 * into an event stream: every ctl_server_publish() line, in order.
 *
 * Runs on the owner's libev loop.  A handler fills `reply` with a JSON object
 * and returns 0, or returns a negative errno with a human message in `reply`
 * (sent as {"ok":false,"error":"..."}). */
#ifndef COMMON_CTL_H
#define COMMON_CTL_H

#include <stddef.h>

#include "buf.h"

struct ev_loop;
struct ctl_server;

#define CTL_MAX_ARGS 16
#define CTL_MAX_LINE 4096

typedef int (*ctl_handler_fn)(void *arg, int argc, char **argv, struct buf *reply);

struct ctl_server *ctl_server_open(struct ev_loop *loop, const char *path,
				   ctl_handler_fn handler, void *arg,
				   char *err, size_t errlen);
/* Sends `json_line` (no newline) to every subscriber. */
void ctl_server_publish(struct ctl_server *s, const char *json_line);
void ctl_server_close(struct ctl_server *s); /* unlinks the socket; NULL is fine */

/* Split a command line into words (whitespace separated, "quoted" allowed). */
int ctl_split(char *line, char **argv, int max);

/* Blocking client for the tools: sends `cmd`, reads one reply line into
 * `reply` (without the newline).  0 or negative errno with err filled. */
int ctl_call(const char *path, const char *cmd, int timeout_ms, struct buf *reply,
	     char *err, size_t errlen);

/* Blocking client for an event stream ("subscribe"): sends `cmd`, then copies
 * every line the daemon sends to `out_fd` until the daemon closes the
 * connection or, if `max_lines` is not 0, after that many lines (the reply
 * to the command itself counts as one).  0 or negative errno with err filled. */
int ctl_stream(const char *path, const char *cmd, int out_fd, unsigned long max_lines,
	       char *err, size_t errlen);

#endif
