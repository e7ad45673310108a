#include "iface.h"

#include <errno.h>
#include <ev.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "packet.h"

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
	struct nl_sock *sk;
	ev_io io;
	iface_event_fn fn;
	void *arg;
};

static void mon_obj(struct nl_object *obj, void *arg)
{
	struct iface_mon *m = arg;
	const char *type = nl_object_get_type(obj);
	if (type && strcmp(type, "route/addr") == 0) {
		m->fn(m->arg, rtnl_addr_get_ifindex((struct rtnl_addr *)obj), NULL, IFACE_ADDR_CHANGED);
		return;
	}
	struct rtnl_link *l = (struct rtnl_link *)obj;
	unsigned flags = rtnl_link_get_flags(l);
	enum iface_event ev = (flags & IFF_UP) && (flags & IFF_RUNNING) ? IFACE_LINK_UP : IFACE_LINK_DOWN;
	if (nl_object_get_msgtype(obj) == RTM_DELLINK)
		ev = IFACE_LINK_GONE;
	m->fn(m->arg, rtnl_link_get_ifindex(l), rtnl_link_get_name(l), ev);
}

static int mon_msg(struct nl_msg *msg, void *arg)
{
	if (nl_msg_parse(msg, mon_obj, arg) < 0)
		log_debug("iface: unparsed netlink message");
	return NL_OK;
}

static void mon_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct iface_mon *m = w->data;
	(void)loop; (void)revents;
	/* Non-blocking: returns once the socket is drained. */
	int rc = nl_recvmsgs_default(m->sk);
	if (rc < 0 && rc != -NLE_AGAIN)
		log_warn("iface: netlink link events: %s", nl_geterror(rc));
}

struct iface_mon *iface_mon_open(struct ev_loop *loop, iface_event_fn fn, void *arg,
				 char *err, size_t errlen)
{
	struct iface_mon *m = calloc(1, sizeof(*m));
	int rc;

	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->loop = loop;
	m->fn = fn;
	m->arg = arg;
	m->sk = nl_socket_alloc();
	if (!m->sk) {
		snprintf(err, errlen, "netlink socket: out of memory");
		goto bad;
	}
	nl_socket_disable_seq_check(m->sk);
	nl_socket_modify_cb(m->sk, NL_CB_VALID, NL_CB_CUSTOM, mon_msg, m);
	if ((rc = nl_connect(m->sk, NETLINK_ROUTE)) < 0 ||
	    (rc = nl_socket_add_memberships(m->sk, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR,
					     RTNLGRP_IPV6_IFADDR, 0)) < 0 ||
	    (rc = nl_socket_set_nonblocking(m->sk)) < 0) {
		snprintf(err, errlen, "netlink link events: %s", nl_geterror(rc));
		goto bad;
	}
	ev_io_init(&m->io, mon_readable, nl_socket_get_fd(m->sk), EV_READ);
	m->io.data = m;
	ev_io_start(loop, &m->io);
	return m;
bad:
	if (m->sk)
		nl_socket_free(m->sk);
	free(m);
	return NULL;
}

void iface_mon_close(struct iface_mon *m)
{
	if (!m)
		return;
	ev_io_stop(m->loop, &m->io);
	nl_socket_free(m->sk);
	free(m);
}
