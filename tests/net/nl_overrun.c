/* tests/net/nl_overrun.c: an LD_PRELOAD shim for test_vrrp_vip_overrun.sh
 * that makes one netlink overrun happen where the kernel would make it:
 * while the file named by $NL_OVERRUN_FILE says 1, the first read of a
 * non-blocking netlink socket that finds acknowledgements queued (vrrpd's
 * address-change socket: its event socket gets no acknowledgements, its
 * synchronous ones are blocking) loses everything queued and fails with
 * ENOBUFS, as recvmsg does after the kernel dropped messages for want of
 * room.  The file is then set to 0.  Test helper only. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int armed(void)
{
	const char *path = getenv("NL_OVERRUN_FILE");
	char c = 0;
	int fd;

	if (!path || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	ssize_t n = read(fd, &c, 1);
	close(fd);
	return n == 1 && c == '1';
}

static void disarm(void)
{
	int fd = open(getenv("NL_OVERRUN_FILE"), O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = write(fd, "0\n", 2);
		(void)n;
		close(fd);
	}
}

static int nonblocking_netlink(int fd)
{
	int domain = 0;
	socklen_t len = sizeof(domain);
	if (syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0 || domain != AF_NETLINK)
		return 0;
	int fl = fcntl(fd, F_GETFL);
	return fl >= 0 && (fl & O_NONBLOCK);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	if (nonblocking_netlink(fd) && armed()) {
		struct nlmsghdr h;
		char drop[8192];
		ssize_t n = syscall(SYS_recvfrom, fd, &h, sizeof(h), MSG_PEEK | MSG_DONTWAIT, NULL, NULL);
		if (n >= (ssize_t)sizeof(h) && h.nlmsg_type == NLMSG_ERROR) {
			while (syscall(SYS_recvfrom, fd, drop, sizeof(drop), MSG_DONTWAIT, NULL, NULL) > 0)
				;
			disarm();
			errno = ENOBUFS;
			return -1;
		}
	}
	return syscall(SYS_recvmsg, fd, msg, flags);
}
