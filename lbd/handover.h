/* handover: a restarting lbd passes its listening sockets to the process
 * that replaces it, over a unix socket (SCM_RIGHTS), so the accept queues
 * are never closed: connections waiting in them are accepted by the new
 * process instead of being reset.
 *
 * The running process listens on HANDOVER_PATH(control socket path).  A new
 * process connects at start ("FDS"), receives one message per listening
 * socket (its address and the descriptor), starts its workers on them, then
 * says "GO": the old process stops accepting, gives up its control socket
 * and stats listener, answers "OK" and drains within `grace`.
 *
 * Or, where the new process steers the address's reuseport group with BPF
 * (reuseport.h), it opens sockets of its own beside the old ones and says
 * "GC" (go, close): the old process also stops listening on its sockets
 * (shutdown), and the kernel migrates the connections waiting in them to
 * the new ones.  An old process offers "GC" with a flag in its end-of-list
 * message; one too old to know it is handed the sockets as before.
 *
 * An old process that offers it (another flag) answers "ST" before the "GO"
 * with its servers' health and admin state (hostate.h): a length (4 bytes,
 * network order) and that much text.  One that offers it (a third flag)
 * answers "SK" with its secrets (the TLS session-ticket keys, tls_keys.h) the
 * same way, so the successor's clients resume their sessions; the socket is
 * the owner's only (mode 0600), like the listening sockets it passes. */
#ifndef LBD_HANDOVER_H
#define LBD_HANDOVER_H

#include <stddef.h>
#include <sys/types.h>

#include "addr.h"

struct buf;
struct ev_loop;

#define HANDOVER_SUFFIX ".handover"
#define HANDOVER_SECRET_MAX 512

struct handover_sock {
	struct addr addr;
	int fd;                 /* -1 once taken */
};

/* The sockets received from the old process (new process side). */
struct handover_in {
	int conn;               /* to the old process until handover_release() */
	pid_t peer;
	struct handover_sock *s;
	int n;
	int can_close;          /* the old process knows "GC" */
	char *state;            /* its servers' state (hostate.h), or NULL */
	size_t state_len;
	unsigned char secret[HANDOVER_SECRET_MAX]; /* its secrets ("SK"), wiped by handover_in_free */
	size_t secret_len;
};

/* Connect to the running process at `path` and receive its sockets: 1 with
 * `in` filled, 0 when no process listens there, negative errno with err. */
int handover_fetch(const char *path, struct handover_in *in, char *err, size_t errlen);
/* A received socket bound to `a` (same family, address and port), taken out
 * of `in`, or -1. */
int handover_take(struct handover_in *in, const struct addr *a);
/* Tell the old process to stop accepting (and with `close`, to stop
 * listening: "GC") and wait (5 s at most) for it to give up its control
 * socket.  0, or negative errno with err. */
int handover_release(struct handover_in *in, int close, char *err, size_t errlen);
/* Close what was not taken; returns how many sockets that was. */
int handover_in_free(struct handover_in *in);

/* Old process side: the sockets to offer, and what to do on "GO". */
struct handover_ops {
	/* Fill up to max entries (fds stay owned by the caller); the count. */
	int (*list)(void *arg, struct handover_sock *out, int max);
	/* Stop accepting and release the control socket; `peer` took over.
	 * With `close`, stop listening too (peer has sockets of its own). */
	void (*release)(void *arg, pid_t peer, int close);
	/* The servers' state, for "ST" (hostate.h). */
	void (*state)(void *arg, struct buf *out);
	/* Secrets for "SK", opaque here: up to max bytes into out, the length.
	 * NULL: none offered. */
	size_t (*secret)(void *arg, unsigned char *out, size_t max);
};

struct handover_srv;

struct handover_srv *handover_listen(struct ev_loop *loop, const char *path, const struct handover_ops *ops,
				     void *arg, char *err, size_t errlen);
/* Stop listening; the path is unlinked only if `unlink_path`. */
void handover_close(struct handover_srv *s, int unlink_path);

#endif
