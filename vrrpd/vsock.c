#include "vsock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const uint8_t group4[4] = { 224, 0, 0, 18 };
static const uint8_t group6[16] = { 0xff, 0x02, [15] = 0x12 };

const uint8_t *vsock_group(int family)
{
	return family == AF_INET ? group4 : group6;
}

static int opt(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v));
}

static int open4(int fd, int ifindex)
{
	struct ip_mreqn m = { .imr_ifindex = ifindex };
	memcpy(&m.imr_multiaddr, group4, 4);
	if (opt(fd, IPPROTO_IP, IP_TTL, 255) || opt(fd, IPPROTO_IP, IP_MULTICAST_TTL, 255) ||
	    opt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0) || opt(fd, IPPROTO_IP, IP_TOS, 0xc0) ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m)) ||
	    setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)))
		return -errno;
	return 0;
}

static int open6(int fd, int ifindex)
{
	struct ipv6_mreq m = { .ipv6mr_interface = (unsigned)ifindex };
	memcpy(&m.ipv6mr_multiaddr, group6, 16);
	/* The checksum is ours to compute and check (counted when bad), so the
	 * kernel's IPV6_CHECKSUM stays off. */
	if (opt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255) || opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255) ||
	    opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0) || opt(fd, IPPROTO_IPV6, IPV6_TCLASS, 0xc0) ||
	    opt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1) || opt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) ||
	    opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &m, sizeof(m)))
		return -errno;
	return 0;
}

/* The source address stays what it was when it leaves the interface: a
 * master whose address was deleted still sends its priority-0 goodbye from
 * it (the peer then takes over after Skew_Time, not Master_Down_Interval).
 * Without this the kernel refuses a source that is not local (ENETUNREACH).
 * Best effort: IP_TRANSPARENT needs CAP_NET_RAW, which vrrpd keeps. */
static void any_source(int fd, int family)
{
	if (family == AF_INET)
		opt(fd, IPPROTO_IP, IP_TRANSPARENT, 1);
	else
		opt(fd, IPPROTO_IPV6, IPV6_FREEBIND, 1);
}

int vsock_open(int family, const char *ifname, int ifindex, char *err, size_t errlen)
{
	int fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, PACKET_PROTO);
	int rc;

	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "raw VRRP socket: %s", strerror(errno));
		return rc;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) < 0) {
		rc = -errno;
		snprintf(err, errlen, "bind to %s: %s", ifname, strerror(errno));
		goto bad;
	}
	rc = family == AF_INET ? open4(fd, ifindex) : open6(fd, ifindex);
	if (rc) {
		snprintf(err, errlen, "VRRP socket options on %s: %s", ifname, strerror(-rc));
		goto bad;
	}
	any_source(fd, family);
	return fd;
bad:
	close(fd);
	return rc;
}

int vsock_open_tx(int family, const char *ifname, int ifindex, char *err, size_t errlen)
{
	int fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, PACKET_PROTO);
	int rc = 0;

	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "raw VRRP socket: %s", strerror(errno));
		return rc;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) < 0)
		rc = -errno;
	else if (family == AF_INET)
		rc = opt(fd, IPPROTO_IP, IP_TTL, 255) || opt(fd, IPPROTO_IP, IP_MULTICAST_TTL, 255) ||
		     opt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0) || opt(fd, IPPROTO_IP, IP_TOS, 0xc0) ? -errno : 0;
	else
		rc = opt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255) || opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255) ||
		     opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0) || opt(fd, IPPROTO_IPV6, IPV6_TCLASS, 0xc0) ||
		     opt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex) ? -errno : 0;
	if (rc) {
		snprintf(err, errlen, "VRRP send socket on %s: %s", ifname, strerror(-rc));
		close(fd);
		return rc;
	}
	any_source(fd, family);
	return fd;
}

int vsock_send(int fd, int family, int ifindex, const void *src, const void *dst,
	       const uint8_t *pkt, size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} cbuf;
	struct sockaddr_storage ss;
	struct iovec iov = { .iov_base = (void *)pkt, .iov_len = len };
	struct msghdr msg = { .msg_name = &ss, .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf.buf };
	struct cmsghdr *c;

	memset(&ss, 0, sizeof(ss));
	memset(&cbuf, 0, sizeof(cbuf));
	c = &cbuf.align; /* the one header, at the start of the buffer */
	/* The source address is pinned with PKTINFO: it is in the checksum's
	 * pseudo-header, so the kernel must not pick another one. */
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		struct in_pktinfo pi = { .ipi_ifindex = ifindex };
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, dst, 4);
		memcpy(&pi.ipi_spec_dst, src, 4);
		msg.msg_namelen = sizeof(*sin);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		msg.msg_controllen = CMSG_SPACE(sizeof(pi));
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		struct in6_pktinfo pi = { .ipi6_ifindex = (unsigned)ifindex };
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, dst, 16);
		sin6->sin6_scope_id = (uint32_t)ifindex;
		memcpy(&pi.ipi6_addr, src, 16);
		msg.msg_namelen = sizeof(*sin6);
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		msg.msg_controllen = CMSG_SPACE(sizeof(pi));
	}
	if (sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

int vsock_recv(int fd, int family, uint8_t *buf, size_t cap, struct vsock_rx *rx,
	       enum packet_discard *why)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf;
	struct sockaddr_storage ss;
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr msg = { .msg_name = &ss, .msg_namelen = sizeof(ss), .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf) };
	ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);

	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
	memset(rx, 0, sizeof(*rx));
	*why = PACKET_OK;
	if (msg.msg_flags & MSG_TRUNC) {
		*why = PACKET_TOO_SHORT; /* longer than any valid advert */
		return 1;
	}
	if (family == AF_INET) {
		const uint8_t *s, *d;
		*why = packet_ipv4_split(buf, (size_t)n, &rx->ttl, &s, &d, &rx->payload, &rx->len);
		if (*why == PACKET_OK) {
			memcpy(rx->src, s, 4);
			memcpy(rx->dst, d, 4);
		}
		return 1;
	}
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&ss;
	memcpy(rx->src, &sin6->sin6_addr, 16);
	rx->ttl = -1;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != IPPROTO_IPV6)
			continue;
		if (c->cmsg_type == IPV6_HOPLIMIT)
			memcpy(&rx->ttl, CMSG_DATA(c), sizeof(int));
		else if (c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			memcpy(rx->dst, &pi.ipi6_addr, 16);
		}
	}
	rx->payload = buf;
	rx->len = (size_t)n;
	return 1;
}
