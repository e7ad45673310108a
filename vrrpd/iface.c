#include "iface.h"

#include <errno.h>
#include <ev.h>
#include <ifaddrs.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "packet.h"
#include "rtnl.h"

int iface_query(const char *ifname, struct iface_info *out)
{
	struct ifreq ifr;
	int rc = 0;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memset(out, 0, sizeof(*out));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		rc = -errno;
		goto out;
	}
	out->ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0)
		memcpy(out->mac, ifr.ifr_hwaddr.sa_data, 6);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		rc = -errno;
		goto out;
	}
	out->up = (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
out:
	close(fd);
	return rc;
}

int iface_primary(const char *ifname, int family, const uint8_t *skip, int nskip, uint8_t *out)
{
	struct ifaddrs *all, *a;
	size_t alen = packet_addr_len(family);
	int rc = -EADDRNOTAVAIL;

	if (getifaddrs(&all) < 0)
		return -errno;
	for (a = all; a && rc; a = a->ifa_next) {
		if (!a->ifa_addr || a->ifa_addr->sa_family != family || strcmp(a->ifa_name, ifname) != 0)
			continue;
		const uint8_t *ip = family == AF_INET
			? (const uint8_t *)&((const struct sockaddr_in *)a->ifa_addr)->sin_addr
			: (const uint8_t *)&((const struct sockaddr_in6 *)a->ifa_addr)->sin6_addr;
		if (family == AF_INET6 && !(ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80))
			continue;
		int ours = 0;
		for (int i = 0; i < nskip && !ours; i++)
			ours = memcmp(ip, skip + (size_t)i * alen, alen) == 0;
		if (ours)
			continue;
		memcpy(out, ip, alen);
		rc = 0;
	}
	freeifaddrs(all);
	return rc;
}

struct iface_mon {
	struct ev_loop *loop;
	struct mnl_socket *nl;
	ev_io io;
	iface_event_fn fn;
	void *arg;
	char *buf; /* RTNL_RECV_SIZE */
};

static void mon_msg(const struct nlmsghdr *h, void *arg)
{
	struct iface_mon *m = arg;
	const struct nlattr *tb[IFLA_MAX + 1];

	switch (h->nlmsg_type) {
	case RTM_NEWADDR:
	case RTM_DELADDR:
		if (mnl_nlmsg_get_payload_len(h) >= sizeof(struct ifaddrmsg)) {
			const struct ifaddrmsg *a = mnl_nlmsg_get_payload(h);
			m->fn(m->arg, (int)a->ifa_index, NULL, IFACE_ADDR_CHANGED);
		}
		return;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		break;
	default:
		return;
	}
	if (rtnl_attrs(h, sizeof(struct ifinfomsg), tb, IFLA_MAX) < 0) {
		log_debug("iface: unparsed netlink message");
		return;
	}
	const struct ifinfomsg *l = mnl_nlmsg_get_payload(h);
	unsigned flags = l->ifi_flags;
	enum iface_event ev = (flags & IFF_UP) && (flags & IFF_RUNNING) ? IFACE_LINK_UP : IFACE_LINK_DOWN;
	if (h->nlmsg_type == RTM_DELLINK)
		ev = IFACE_LINK_GONE;
	m->fn(m->arg, l->ifi_index, rtnl_str(tb[IFLA_IFNAME]), ev);
}

static void mon_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct iface_mon *m = w->data;
	(void)loop; (void)revents;
	/* Non-blocking: returns once the socket is drained. */
	int rc = rtnl_drain(m->nl, m->buf, mon_msg, m);
	if (rc < 0)
		log_warn("iface: netlink link events: %s", strerror(-rc));
}

struct iface_mon *iface_mon_open(struct ev_loop *loop, iface_event_fn fn, void *arg,
				 char *err, size_t errlen)
{
	static const unsigned groups[] = { RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR };
	struct iface_mon *m = calloc(1, sizeof(*m));

	if (!m || !(m->buf = malloc(RTNL_RECV_SIZE))) {
		snprintf(err, errlen, "out of memory");
		goto bad;
	}
	m->loop = loop;
	m->fn = fn;
	m->arg = arg;
	if (!(m->nl = rtnl_open(1))) {
		snprintf(err, errlen, "netlink link events: %s", strerror(errno));
		goto bad;
	}
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (mnl_socket_setsockopt(m->nl, NETLINK_ADD_MEMBERSHIP, (void *)&groups[i], sizeof(groups[i])) < 0) {
			snprintf(err, errlen, "netlink link events: %s", strerror(errno));
			goto bad;
		}
	ev_io_init(&m->io, mon_readable, mnl_socket_get_fd(m->nl), EV_READ);
	m->io.data = m;
	ev_io_start(loop, &m->io);
	return m;
bad:
	if (m && m->nl)
		mnl_socket_close(m->nl);
	if (m)
		free(m->buf);
	free(m);
	return NULL;
}

void iface_mon_close(struct iface_mon *m)
{
	if (!m)
		return;
	ev_io_stop(m->loop, &m->io);
	mnl_socket_close(m->nl);
	free(m->buf);
	free(m);
}
