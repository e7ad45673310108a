/* listener: open one SO_REUSEPORT listening socket. */
#include "listener.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"

#define LISTENER_BACKLOG 4096

int listener_open(const struct addr *a, char *err, size_t errlen)
{
	char as[ADDR_STRLEN];
	int one = 1, rc;
	int fd = socket(addr_family(a), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "socket for %s: %s", addr_format(a, as, sizeof(as)), strerror(errno));
		return rc;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)))
		goto bad;
	if (addr_family(a) == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	} else {
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	}
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) || listen(fd, LISTENER_BACKLOG))
		goto bad;
	return fd;
bad:
	rc = -errno;
	snprintf(err, errlen, "cannot listen on %s: %s", addr_format(a, as, sizeof(as)), strerror(errno));
	close(fd);
	return rc;
}
