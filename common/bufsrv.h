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
 * protocol's own bound of output.
 *
 * Bytes move by recv(2)/send(2) on the socket unless the protocol gives an
 * I/O hook (struct bufsrv_io: lbd's stats page over TLS); the base then
 * waits for the readiness the hook asks for (c->want), which may be the
 * other one (a TLS read that must write), and reads again while the hook
 * holds bytes no readiness event announces (pending). */
#ifndef COMMON_BUFSRV_H
#define COMMON_BUFSRV_H

#include <ev.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "buf.h"

struct bufsrv;

enum bufsrv_want { BUFSRV_WANT_NONE = 0, BUFSRV_WANT_READ = 1, BUFSRV_WANT_WRITE = 2 };

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
	enum bufsrv_want want;           /* set by the last read or send that failed with EAGAIN */
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
	/* How bytes move; NULL: recv(2)/send(2) on c->fd, close(2). */
	const struct bufsrv_io *io;
};

/* An I/O hook: its state lives in the protocol's connection struct. */
struct bufsrv_io {
	/* After admit, before `opened`: set c up (a TLS session on c->fd).
	 * 0, or -1 to refuse c (c->fd is then closed by the base). */
	int (*open)(void *arg, struct bufsrv_conn *c);
	/* As recv(2)/send(2): >0 bytes, 0 EOF (recv), -1 with errno; with
	 * EAGAIN they set c->want to the readiness to wait for. */
	ssize_t (*recv)(struct bufsrv_conn *c, void *buf, size_t len);
	ssize_t (*send)(struct bufsrv_conn *c, const void *buf, size_t len);
	/* Bytes already read from the socket and held by the hook. */
	size_t (*pending)(const struct bufsrv_conn *c);
	/* Releases what open set up and closes c->fd. */
	void (*close)(struct bufsrv_conn *c);
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
