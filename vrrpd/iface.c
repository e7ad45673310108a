#include "iface.h"

#include <errno.h>
#include <ev.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/ip.h>
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
#include "vip.h"

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

struct addr_dump {
	int ifindex;
	iface_addr_fn fn;
	void *arg;
};

static void on_addr(const struct nlmsghdr *h, void *arg)
{
	const struct addr_dump *d = arg;
	const struct nlattr *tb[IFA_MAX + 1];
	struct iface_addr a;

	if (h->nlmsg_type != RTM_NEWADDR || rtnl_attrs(h, sizeof(struct ifaddrmsg), tb, IFA_MAX) < 0)
		return;
	const struct ifaddrmsg *m = mnl_nlmsg_get_payload(h);
	/* A kernel without strict checking ignores the filter. */
	if ((int)m->ifa_index != d->ifindex)
		return;
	/* IFA_LOCAL is the address itself; IFA_ADDRESS the peer's on a
	 * point-to-point link, and the only one IPv6 gives. */
	const struct nlattr *ip = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	size_t alen = packet_addr_len(m->ifa_family);
	if (!ip || mnl_attr_get_payload_len(ip) != alen)
		return;
	memset(&a, 0, sizeof(a));
	a.family = m->ifa_family;
	memcpy(a.ip, mnl_attr_get_payload(ip), alen);
	a.prefixlen = m->ifa_prefixlen;
	a.flags = tb[IFA_FLAGS] && mnl_attr_get_payload_len(tb[IFA_FLAGS]) == 4 ? mnl_attr_get_u32(tb[IFA_FLAGS])
										   : m->ifa_flags;
	a.proto = tb[IFA_PROTO] && mnl_attr_get_payload_len(tb[IFA_PROTO]) == 1 ? mnl_attr_get_u8(tb[IFA_PROTO]) : 0;
	d->fn(d->arg, &a);
}

int iface_addrs(int ifindex, int family, iface_addr_fn fn, void *arg)
{
	struct mnl_socket *nl = rtnl_open(0);
	char req[RTNL_REQ_SIZE];
	struct addr_dump d = { ifindex, fn, arg };
	int one = 1;

	if (!nl)
		return -errno;
	/* Strict checking: the kernel honours ifa_index and sends only that
	 * interface's addresses (Linux 4.20; older ones send all, on_addr
	 * filters). */
	mnl_socket_setsockopt(nl, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	struct nlmsghdr *h = rtnl_request(req, RTM_GETADDR, NLM_F_DUMP, sizeof(struct ifaddrmsg));
	struct ifaddrmsg *m = mnl_nlmsg_get_payload(h);
	m->ifa_family = (uint8_t)family;
	m->ifa_index = (unsigned)ifindex;
	int rc = rtnl_talk(nl, h, on_addr, &d);
	mnl_socket_close(nl);
	return rc;
}

int iface_accept_local(int ifindex)
{
	struct mnl_socket *nl = rtnl_open(0);
	char req[RTNL_REQ_SIZE];

	if (!nl)
		return -errno;
	struct nlmsghdr *h = rtnl_request(req, RTM_SETLINK, 0, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	/* IFLA_AF_SPEC { AF_INET { IFLA_INET_CONF { ACCEPT_LOCAL: 1 } } } */
	struct nlattr *spec = mnl_attr_nest_start(h, IFLA_AF_SPEC);
	struct nlattr *inet = mnl_attr_nest_start(h, AF_INET);
	struct nlattr *conf = mnl_attr_nest_start(h, IFLA_INET_CONF);
	mnl_attr_put_u32(h, IPV4_DEVCONF_ACCEPT_LOCAL, 1);
	mnl_attr_nest_end(h, conf);
	mnl_attr_nest_end(h, inet);
	mnl_attr_nest_end(h, spec);
	int rc = rtnl_talk(nl, h, NULL, NULL);
	mnl_socket_close(nl);
	return rc;
}

struct primary_pick {
	int found, tentative;
	uint8_t ip[16];
};

static void pick_primary(void *arg, const struct iface_addr *a)
{
	struct primary_pick *p = arg;
	size_t alen = packet_addr_len(a->family);

	if (p->found)
		return;
	if (a->family == AF_INET6 && !(a->ip[0] == 0xfe && (a->ip[1] & 0xc0) == 0x80))
		return;
	/* A virtual address (ours or another instance's) is no primary; an
	 * address owner's VIP is its real address, which is. */
	if (a->proto == VIP_ADDR_PROTO)
		return;
	/* Still in duplicate address detection (or failed it): the kernel
	 * refuses it as a source (EINVAL) until DAD is over. */
	if (a->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) {
		p->tentative = 1;
		return;
	}
	memcpy(p->ip, a->ip, alen);
	p->found = 1;
}

int iface_primary(int ifindex, int family, uint8_t *out)
{
	struct primary_pick p = { 0 };
	int rc = iface_addrs(ifindex, family, pick_primary, &p);

	if (rc)
		return rc;
	if (!p.found)
		return p.tentative ? -EINPROGRESS : -EADDRNOTAVAIL;
	memcpy(out, p.ip, packet_addr_len(family));
	return 0;
}

struct source_pick {
	const uint8_t *peer;
	int best; /* the pick's score, -1: none yet */
	uint8_t ip[16];
};

/* Leading bits a and b share, at most max. */
static int common_bits(const uint8_t *a, const uint8_t *b, int max)
{
	int n = 0;
	while (n < max && !((a[n / 8] ^ b[n / 8]) & (0x80 >> (n % 8))))
		n++;
	return n;
}

static void pick_source6(void *arg, const struct iface_addr *a)
{
	struct source_pick *p = arg;

	if (a->family != AF_INET6 || a->proto == VIP_ADDR_PROTO || a->ip[0] == 0xff ||
	    (a->ip[0] == 0xfe && (a->ip[1] & 0xc0) == 0x80) || (a->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
		return;
	/* As the kernel ranks them (RFC 6724 rules 3 and 8): not deprecated
	 * first, then the longest match within the address's prefix; the
	 * first of equals. */
	int score = common_bits(a->ip, p->peer, a->prefixlen < 128 ? a->prefixlen : 128);
	if (!(a->flags & IFA_F_DEPRECATED))
		score += 256;
	if (score > p->best) {
		p->best = score;
		memcpy(p->ip, a->ip, 16);
	}
}

int iface_source6(int ifindex, const uint8_t *peer, uint8_t *out)
{
	struct source_pick p = { peer, -1, { 0 } };
	int rc = iface_addrs(ifindex, AF_INET6, pick_source6, &p);

	if (rc)
		return rc;
	if (p.best < 0)
		return -EADDRNOTAVAIL;
	memcpy(out, p.ip, 16);
	return 0;
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

/* Events were lost: read every link again through mon_msg (a link that
 * went down or up is reported as it is now) and then say IFACE_RESYNC, for
 * what a dump cannot show: a link that is gone, addresses that changed. */
static void mon_resync(struct iface_mon *m)
{
	struct mnl_socket *nl = rtnl_open(0);
	char req[RTNL_REQ_SIZE];
	int rc = -EIO;

	if (nl) {
		struct nlmsghdr *h = rtnl_request(req, RTM_GETLINK, NLM_F_DUMP, sizeof(struct ifinfomsg));
		struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
		ifi->ifi_family = AF_UNSPEC;
		rc = rtnl_talk(nl, h, mon_msg, m);
		mnl_socket_close(nl);
	}
	if (rc)
		log_warn("iface: reading the links again: %s", strerror(-rc));
	m->fn(m->arg, 0, NULL, IFACE_RESYNC);
}

static void mon_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct iface_mon *m = w->data;
	(void)loop; (void)revents;
	/* Non-blocking: returns once the socket is drained. */
	int rc = rtnl_drain(m->nl, m->buf, mon_msg, m);
	if (rc == -ENOBUFS) {
		/* The socket overran and the kernel dropped events, a link
		 * going down among them perhaps: what we know is stale. */
		log_warn("iface: netlink events lost (socket overrun): reading links and addresses again");
		rtnl_drain(m->nl, m->buf, mon_msg, m);
		mon_resync(m);
	} else if (rc < 0) {
		log_warn("iface: netlink link events: %s", strerror(-rc));
	}
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
