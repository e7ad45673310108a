#include "garp.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

size_t garp_build_arp(uint8_t *out, const uint8_t mac[6], const uint8_t ip[4])
{
	out[0] = 0; out[1] = ARPHRD_ETHER;
	out[2] = 0x08; out[3] = 0x00;
	out[4] = 6; out[5] = 4;
	out[6] = 0; out[7] = ARPOP_REQUEST;
	memcpy(out + 8, mac, 6);
	memcpy(out + 14, ip, 4);
	memset(out + 18, 0, 6);
	memcpy(out + 24, ip, 4);
	return 28;
}

size_t garp_build_na(uint8_t *out, const uint8_t mac[6], const uint8_t ip[16])
{
	memset(out, 0, 32);
	out[0] = ND_NEIGHBOR_ADVERT;
	/* Router and Override, not Solicited (RFC 5798 / 9568 6.4.2): a host
	 * that saw R clear would drop the virtual router from its list of
	 * default routers. */
	out[4] = 0x80 | 0x20;
	memcpy(out + 8, ip, 16);
	out[24] = ND_OPT_TARGET_LINKADDR;
	out[25] = 1; /* in units of 8 bytes */
	memcpy(out + 26, mac, 6);
	return 32;
}

static int fail(int fd, char *err, size_t errlen, const char *what)
{
	int rc = -errno;
	snprintf(err, errlen, "%s: %s", what, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

int garp_open(int family, const char *ifname, int ifindex, char *err, size_t errlen)
{
	int fd;
	if (family == AF_INET) {
		fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return fail(fd, err, errlen, "packet socket for gratuitous ARP");
		struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = ifindex,
					   .sll_protocol = 0 };
		/* Protocol 0: we only send, never receive. */
		if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
			return fail(fd, err, errlen, "bind ARP socket");
		return fd;
	}
	fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (fd < 0)
		return fail(fd, err, errlen, "ICMPv6 socket for neighbour advertisements");
	int hops = 255, off = 0;
	struct icmp6_filter f;
	ICMP6_FILTER_SETBLOCKALL(&f);
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof(off)) < 0 ||
	    setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)) < 0)
		return fail(fd, err, errlen, "ICMPv6 socket options");
	return fd;
}

int garp_send(int fd, int family, int ifindex, const uint8_t mac[6], const uint8_t *addr)
{
	uint8_t buf[32];
	if (family == AF_INET) {
		struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = ifindex,
					  .sll_protocol = htons(ETH_P_ARP), .sll_halen = 6 };
		memset(to.sll_addr, 0xff, 6);
		size_t n = garp_build_arp(buf, mac, addr);
		if (sendto(fd, buf, n, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to)) < 0)
			return -errno;
		return 0;
	}
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_scope_id = (uint32_t)ifindex };
	to.sin6_addr.s6_addr[0] = 0xff;
	to.sin6_addr.s6_addr[1] = 0x02;
	to.sin6_addr.s6_addr[15] = 0x01;
	size_t n = garp_build_na(buf, mac, addr);
	if (sendto(fd, buf, n, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}
