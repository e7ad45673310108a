/* transport: plain TCP. */
#include "transport.h"

#include <sys/socket.h>
#include <unistd.h>

static ssize_t plain_recv(int fd, void *buf, size_t len)
{
	return recv(fd, buf, len, 0);
}

static ssize_t plain_send(int fd, const void *buf, size_t len)
{
	return send(fd, buf, len, MSG_NOSIGNAL);
}

static void plain_shutdown_write(int fd)
{
	shutdown(fd, SHUT_WR);
}

static void plain_close(int fd)
{
	close(fd);
}

const struct transport transport_plain = {
	.name = "tcp",
	.recv = plain_recv,
	.send = plain_send,
	.shutdown_write = plain_shutdown_write,
	.close = plain_close,
	.can_splice = 1,
};
