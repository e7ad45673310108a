/* transport: plain TCP (see transport.h). */
#include "transport.h"

#include <sys/socket.h>
#include <unistd.h>

/* On TCP a read that would block waits for readability, a write for
 * writability: want is set before the call, which then ends in a tail call
 * (the plain path costs what a bare recv()/send() does). */
static ssize_t tcp_recv(struct tconn *c, void *buf, size_t len)
{
	c->want = TRANSPORT_WANT_READ;
	return recv(c->fd, buf, len, 0);
}

static ssize_t tcp_send(struct tconn *c, const void *buf, size_t len)
{
	c->want = TRANSPORT_WANT_WRITE;
	return send(c->fd, buf, len, MSG_NOSIGNAL);
}

static size_t tcp_pending(const struct tconn *c)
{
	(void)c;
	return 0;
}

static void tcp_shutdown_write(struct tconn *c)
{
	shutdown(c->fd, SHUT_WR);
}

static void tcp_close(struct tconn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->ctx = NULL;
	c->want = TRANSPORT_WANT_NONE;
}

const struct transport_ops transport_tcp = {
	.name = "tcp",
	.handshake = NULL,
	.recv = tcp_recv,
	.send = tcp_send,
	.pending = tcp_pending,
	.shutdown_write = tcp_shutdown_write,
	.close = tcp_close,
	.can_splice = 1,
};
