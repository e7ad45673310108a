/* transport: how a connection moves bytes.  The proxy calls these and
 * never read()/write() directly, so TLS (tls_transport.c) slots in beside
 * plain TCP (Redis's connection.h idea).  The shape is the one agreed in
 * issue 16 between the data path and TLS. */
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

struct tconn {
	int fd;
	const struct transport_ops *ops;
	void *ctx;                         /* transport-private (SSL *), owned by the transport */
	enum transport_want want;          /* set by an op that failed with EAGAIN */
};

extern const struct transport_ops transport_tcp;

#endif
