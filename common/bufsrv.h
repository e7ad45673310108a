/* bufsrv: the base of the daemons' small buffered stream servers, the
 * control socket (ctl.c, lines) and lbd's stats listener (stats_http.c,
 * HTTP/1): a listening socket on a libev loop and its connections, each with
 * an input and an output buffer, an optional deadline and one close.
 *
 * The base reads into `in` and writes out of `out`; the protocol on top is
 * told through callbacks and answers by appending to `out`.  Callbacks never
 * close a connection themselves: they set `closing`, and the base closes it
 * once `out` is sent.  While output waits, nothing more is read, so a
 * client that sends without reading holds one read of input and the
 * protocol's own bound of output. */
#ifndef COMMON_BUFSRV_H
#define COMMON_BUFSRV_H

#include <ev.h>
#include <stddef.h>
#include <sys/socket.h>

#include "buf.h"

struct bufsrv;

/* The protocol's connection struct starts with this one (bufsrv_new's
 * conn_size says how large it is); the base zeroes the rest. */
struct bufsrv_conn {
	struct bufsrv *srv;
	int fd;
	struct sockaddr_storage peer;    /* the client's address (zero for unix sockets) */
	struct buf in, out;
	int eof;                         /* the client shut its side: `in` is all there is */
	int closing;                     /* close once `out` is sent (drop out.len to close at once) */
	int paused;                      /* the protocol reads nothing more for now */
	struct bufsrv_conn *next;        /* the server's list (read only) */
	/* the base's */
	ev_io rio, wio;
	ev_timer deadline;
};

struct bufsrv_ops {
	/* May a client from c->peer have a slot?  The others are in the list
	 * (bufsrv_conns).  NULL: everyone, up to the server's max. */
	int (*admit)(void *arg, const struct bufsrv_conn *c);
	/* An admitted connection, before its first read (arm a deadline...). */
	void (*opened)(void *arg, struct bufsrv_conn *c);
	/* Bytes were added to c->in, or c->eof was set: answer what is whole. */
	void (*input)(void *arg, struct bufsrv_conn *c);
	/* Everything in c->out was sent: the protocol may queue the next
	 * answer (pipelined requests, the next command).  NULL: nothing to do. */
	void (*drained)(void *arg, struct bufsrv_conn *c);
	/* The connection is about to be freed. NULL: nothing to release. */
	void (*closed)(void *arg, struct bufsrv_conn *c);
};

/* Serves the listening socket fd (non-blocking; owned from now on, also on
 * failure); at most max_conns at once (more are accepted and closed).
 * NULL when out of memory. */
struct bufsrv *bufsrv_new(struct ev_loop *loop, int fd, int max_conns, size_t conn_size,
			  const struct bufsrv_ops *ops, void *arg);
/* Closes every connection, then the socket; NULL is fine. */
void bufsrv_free(struct bufsrv *s);

struct bufsrv_conn *bufsrv_conns(struct bufsrv *s);
int bufsrv_count(const struct bufsrv *s);

/* Sends what c->out holds, asking `drained` for more while it empties;
 * closes c when it is closing and all is sent.  0, or -1 when c is gone.
 * For output queued outside the callbacks (events to subscribers). */
int bufsrv_flush(struct bufsrv_conn *c);
/* (Re)arms the deadline: c is closed secs from now unless armed again. */
void bufsrv_deadline(struct bufsrv_conn *c, double secs);

#endif
