/* transport: how a connection moves bytes.  The data path calls these and
 * never send()/recv()/read()/write() a socket itself, so a TLS transport
 * slots in beside the plain one without a change above (Redis's
 * connection.h idea).  The interface is the one agreed for TLS
 * (docs/ARCHITECTURE.md): a connection is a struct tconn, not a bare fd,
 * so a transport can keep its own state (an SSL *) in ctx.
 *
 * The connection layer above (h1conn) calls handshake (when non-NULL)
 * before the first recv, waits for the readiness in c->want after any
 * EAGAIN (for TLS a recv may need WRITE), drains pending() before waiting
 * for readiness, and splices only when can_splice. */
#ifndef LBD_TRANSPORT_H
#define LBD_TRANSPORT_H

#include <stddef.h>
#include <sys/types.h>

struct tconn;

enum transport_want { TRANSPORT_WANT_NONE = 0, TRANSPORT_WANT_READ = 1, TRANSPORT_WANT_WRITE = 2 };

struct transport_ops {
	const char *name;                 /* "tcp", "tls" */
	/* Finish the connection's set-up (TLS handshake).  NULL: nothing to do.
	 * 0 done; -1 with errno: EAGAIN (c->want says which readiness to wait for), else fatal. */
	int (*handshake)(struct tconn *c);
	/* >0 bytes, 0 EOF, -1 with errno (EAGAIN: wait for c->want readiness, which may be WRITE for TLS). */
	ssize_t (*recv)(struct tconn *c, void *buf, size_t len);
	ssize_t (*send)(struct tconn *c, const void *buf, size_t len);
	/* bytes already decrypted and buffered inside the transport (TLS), readable without a readiness event */
	size_t (*pending)(const struct tconn *c);
	void (*shutdown_write)(struct tconn *c);
	void (*close)(struct tconn *c);   /* frees ctx, closes fd */
	int can_splice;                    /* bytes may move kernel to kernel (plain TCP only) */
};

/* fd and want first: no padding (a connection object stays small). */
struct tconn {
	int fd;
	enum transport_want want;          /* set by an op that failed with EAGAIN */
	const struct transport_ops *ops;
	void *ctx;                         /* transport-private (SSL *), owned by the transport */
};

extern const struct transport_ops transport_tcp;

#endif
