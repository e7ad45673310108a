#include "bfd_host.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "iface.h"
#include "log.h"
#include "mtime.h"

const void *bfd_host_peer_ip(const struct bfd_host *h)
{
	return addr_ip_bytes(&h->peer.ss, NULL);
}

static size_t ip_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static void rearm(struct bfd_host *h)
{
	uint64_t d = bfd_deadline(&h->s);
	ev_timer_stop(h->loop, &h->timer);
	if (d == BFD_NO_DEADLINE)
		return;
	uint64_t now = mtime_us();
	ev_now_update(h->loop);
	ev_timer_set(&h->timer, d > now ? (double)(d - now) / 1e6 : 0., 0.);
	ev_timer_start(h->loop, &h->timer);
}

static void op_send(void *arg, const struct bfd_ctrl *c)
{
	struct bfd_host *h = arg;
	uint8_t out[BFD_MAX_LEN];
	struct sockaddr_storage to = h->peer.ss;
	int n = bfd_packet_build(out, sizeof(out), c);
	if (n >= 0 && c->auth_type != BFD_AUTH_NONE)
		n = bfd_auth_sign(&h->s.p.auth, c->auth_seq, out, sizeof(out), (size_t)n);
	if (n < 0 || h->tx_fd < 0)
		return;
	if (to.ss_family == AF_INET)
		((struct sockaddr_in *)&to)->sin_port = htons(BFD_PORT);
	else
		((struct sockaddr_in6 *)&to)->sin6_port = htons(BFD_PORT);
	struct iovec iov = { out, (size_t)n };
	union {
		char b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} cm;
	memset(&cm, 0, sizeof(cm));
	struct msghdr m = { .msg_name = &to, .msg_namelen = h->peer.len, .msg_iov = &iov, .msg_iovlen = 1 };
	if (h->have_src) {
		/* From the address the instance's adverts come from. */
		struct cmsghdr *cmh = &cm.align; /* the one header, at the start of cm.b */
		if (h->family == AF_INET) {
			struct in_pktinfo pi;
			memset(&pi, 0, sizeof(pi));
			memcpy(&pi.ipi_spec_dst, h->src, 4);
			cmh->cmsg_level = IPPROTO_IP;
			cmh->cmsg_type = IP_PKTINFO;
			cmh->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(cmh), &pi, sizeof(pi));
			m.msg_controllen = CMSG_SPACE(sizeof(pi));
		} else {
			struct in6_pktinfo pi;
			memset(&pi, 0, sizeof(pi));
			memcpy(&pi.ipi6_addr, h->src, 16);
			cmh->cmsg_level = IPPROTO_IPV6;
			cmh->cmsg_type = IPV6_PKTINFO;
			cmh->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(cmh), &pi, sizeof(pi));
			m.msg_controllen = CMSG_SPACE(sizeof(pi));
		}
		m.msg_control = cm.b;
	}
	if (sendmsg(h->tx_fd, &m, 0) < 0)
		h->send_errors++;
}

static void op_changed(void *arg, enum bfd_state old, enum bfd_state now)
{
	struct bfd_host *h = arg;
	if (h->changed)
		h->changed(h->arg, h, old, now);
}

static const struct bfd_ops host_ops = { op_send, op_changed };

/* The TTL or hop limit the packet came with, from its control message. */
static int rx_ttl(struct msghdr *m)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		int v;
		if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
		    (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v;
		}
	}
	return -1;
}

static int from_peer(const struct bfd_host *h, const struct sockaddr_storage *src)
{
	if (src->ss_family != h->family)
		return 0;
	return memcmp(addr_ip_bytes(src, NULL), bfd_host_peer_ip(h), ip_len(h->family)) == 0;
}

/* Reads what waits on h's receive socket (h owns it) and hands each packet
 * to its session: h's or one of those sharing the socket. */
static void receive(struct bfd_host *h)
{
	for (int i = 0; i < 64; i++) {
		uint8_t buf[256];
		union {
			char b[CMSG_SPACE(sizeof(int)) * 2];
			struct cmsghdr align;
		} cm;
		struct sockaddr_storage src;
		memset(&src, 0, sizeof(src)); /* recvmsg fills it; cppcheck cannot tell */
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr m = { .msg_name = &src, .msg_namelen = sizeof(src), .msg_iov = &iov,
				    .msg_iovlen = 1, .msg_control = cm.b, .msg_controllen = sizeof(cm.b) };
		ssize_t n = recvmsg(h->rx_fd, &m, MSG_DONTWAIT);
		if (n < 0)
			break;
		struct bfd_ctrl c;
		struct bfd_host *to = NULL;
		enum bfd_discard why = bfd_packet_parse(buf, (size_t)n, rx_ttl(&m), &c);
		for (struct bfd_host *x = h; why == BFD_OK && x && !to; x = x->share_next)
			if (from_peer(x, &src))
				to = x;
		if (why == BFD_OK && !to)
			why = BFD_UNKNOWN_SESSION;
		if (why != BFD_OK) {
			h->discards[why]++;
			continue;
		}
		(void)bfd_recv_packet(&to->s, mtime_us(), &c, buf, (size_t)n);
	}
	for (struct bfd_host *x = h; x; x = x->share_next)
		rearm(x);
}

static void readable(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	receive(w->data);
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct bfd_host *h = w->data;
	(void)loop;
	(void)revents;
	/* A loop turn that comes late (vrrpd stalled, or starved of CPU) runs
	 * its timers before its readers: the detection time would expire with
	 * the peer's packets waiting unread in the socket, and a live peer
	 * would be called down.  What waits is read first. */
	if (h->s.detect_at && mtime_us() >= h->s.detect_at)
		receive(h->rx_owner);
	bfd_tick(&h->s, mtime_us());
	rearm(h);
}

static int open_sock(struct bfd_host *h, char *err, size_t errlen, const char *what)
{
	int fd = socket(h->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0) {
		snprintf(err, errlen, "bfd %s socket: %s", what, strerror(errno));
		return -errno;
	}
	int ttl = BFD_TTL, on = 1;
	int rc = h->family == AF_INET ? setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl))
				      : setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl));
	if (!rc)
		rc = h->family == AF_INET ? setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof(on))
					  : setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on));
	if (!rc && h->family == AF_INET6)
		rc = setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (!rc)
		rc = setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, h->ifname, (socklen_t)strlen(h->ifname));
	if (rc) {
		rc = -errno;
		snprintf(err, errlen, "bfd %s socket options on %s: %s", what, h->ifname, strerror(errno));
		close(fd);
		return rc;
	}
	return fd;
}

/* src: NULL for the wildcard address, else 4 or 16 bytes. */
static int bind_port(int fd, int family, const void *src, const char *ifname, uint16_t port)
{
	struct sockaddr_storage a;
	memset(&a, 0, sizeof(a));
	a.ss_family = (sa_family_t)family;
	if (family == AF_INET) {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&a;
		a4->sin_port = htons(port);
		if (src)
			memcpy(&a4->sin_addr, src, 4);
	} else {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&a;
		a6->sin6_port = htons(port);
		if (src) {
			memcpy(&a6->sin6_addr, src, 16);
			if (IN6_IS_ADDR_LINKLOCAL(&a6->sin6_addr))
				a6->sin6_scope_id = if_nametoindex(ifname);
		}
	}
	return bind(fd, (struct sockaddr *)&a,
		    family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
}

/* What a session needs besides the receive socket: its peer, a send
 * socket from a random port, the session and its timer. */
static int open_session(struct bfd_host *h, struct ev_loop *loop, const struct bfd_conf *c, int family,
			const char *ifname, const struct addr *peer, const void *src, bfd_host_changed_fn changed,
			void *arg, char *err, size_t errlen);

int bfd_host_open(struct bfd_host *h, struct ev_loop *loop, const struct bfd_conf *c, int family,
		  const char *ifname, const void *src, bfd_host_changed_fn changed, void *arg,
		  char *err, size_t errlen)
{
	int rc;

	memset(h, 0, sizeof(*h));
	h->rx_fd = h->tx_fd = -1;
	snprintf(h->ifname, sizeof(h->ifname), "%s", ifname);
	h->family = family;
	if ((rc = open_sock(h, err, errlen, "receive")) < 0)
		return rc;
	h->rx_fd = rc;
	if (bind_port(h->rx_fd, family, NULL, ifname, BFD_PORT) < 0) {
		rc = -errno;
		snprintf(err, errlen, "bfd: port %d on %s: %s (one bfd block per interface and family)",
			 BFD_PORT, ifname, strerror(errno));
		close(h->rx_fd);
		h->rx_fd = -1;
		return rc;
	}
	int fd = h->rx_fd;
	h->rx_fd = -1;
	if ((rc = open_session(h, loop, c, family, ifname, &c->peer, src, changed, arg, err, errlen)) < 0) {
		close(fd);
		return rc;
	}
	h->rx_fd = fd;
	ev_io_init(&h->rx, readable, h->rx_fd, EV_READ);
	h->rx.data = h;
	h->rx_owner = h;
	return 0;
}

int bfd_host_open_shared(struct bfd_host *h, struct bfd_host *owner, const struct bfd_conf *c,
			 const struct addr *peer, const void *src, char *err, size_t errlen)
{
	int rc = open_session(h, owner->loop, c, owner->family, owner->ifname, peer, src, owner->changed,
			      owner->arg, err, errlen);
	if (rc < 0)
		return rc;
	struct bfd_host **p = &owner->share_next;
	while (*p)
		p = &(*p)->share_next;
	*p = h;
	h->rx_owner = owner;
	return 0;
}

static int open_session(struct bfd_host *h, struct ev_loop *loop, const struct bfd_conf *c, int family,
			const char *ifname, const struct addr *peer, const void *src, bfd_host_changed_fn changed,
			void *arg, char *err, size_t errlen)
{
	uint32_t rnd[3] = { 0, 0, 0 };
	int rc;

	memset(h, 0, sizeof(*h));
	h->loop = loop;
	h->family = family;
	h->peer = *peer;
	/* A link-local peer (the source of its IPv6 adverts) is reached on
	 * this interface. */
	if (family == AF_INET6) {
		struct sockaddr_in6 *p6 = (struct sockaddr_in6 *)&h->peer.ss;
		if (IN6_IS_ADDR_LINKLOCAL(&p6->sin6_addr))
			p6->sin6_scope_id = if_nametoindex(ifname);
	}
	h->changed = changed;
	h->arg = arg;
	h->rx_fd = h->tx_fd = -1;
	snprintf(h->ifname, sizeof(h->ifname), "%s", ifname);
	bfd_host_set_source(h, src); /* after the peer and the interface */
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		snprintf(err, errlen, "bfd: getrandom: %s", strerror(errno));
		return -EIO;
	}
	if ((rc = open_sock(h, err, errlen, "send")) < 0)
		return rc;
	h->tx_fd = rc;
	/* RFC 5881 section 4: a source port from 49152 to 65535. */
	rc = -EADDRINUSE;
	for (uint32_t i = 0; i < 64 && rc; i++) {
		uint16_t port = (uint16_t)(BFD_SRC_PORT_MIN + (rnd[2] + i * 7919u) % 16384u);
		rc = bind_port(h->tx_fd, family, NULL, ifname, port) < 0 ? -errno : 0;
	}
	if (rc) {
		snprintf(err, errlen, "bfd: no free source port in 49152-65535 on %s", ifname);
		goto bad;
	}
	struct bfd_params p;
	bfd_host_params(c, &p);
	bfd_init(&h->s, &p, rnd[0] ? rnd[0] : 1, rnd[1], &host_ops, h);
	ev_timer_init(&h->timer, on_timer, 0., 0.);
	h->timer.data = h;
	h->opened = 1;
	return 0;
bad:
	close(h->tx_fd);
	h->tx_fd = -1;
	return rc;
}

void bfd_host_start(struct bfd_host *h)
{
	if (!h->opened)
		return;
	if (h->rx_fd >= 0)
		ev_io_start(h->loop, &h->rx);
	bfd_start(&h->s, mtime_us());
	rearm(h);
}

void bfd_host_close(struct bfd_host *h)
{
	if (!h->opened)
		return;
	h->opened = 0;
	h->changed = NULL;
	bfd_admin(&h->s, mtime_us(), 1);
	ev_timer_stop(h->loop, &h->timer);
	if (h->rx_fd >= 0) {
		ev_io_stop(h->loop, &h->rx);
		close(h->rx_fd);
	}
	close(h->tx_fd);
	h->rx_fd = h->tx_fd = -1;
	h->share_next = NULL;
}

/* fe80::/10, tested on the bytes: src is an instance's uint8_t[16], and
 * IN6_IS_ADDR_LINKLOCAL would read it as a struct in6_addr (a 32-bit load
 * from a byte array, which C's aliasing rules do not allow). */
static int link_local6(const void *ip)
{
	const uint8_t *b = ip;
	return b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
}

void bfd_host_set_source(struct bfd_host *h, const void *src)
{
	h->have_src = src != NULL;
	if (src)
		memcpy(h->src, src, ip_len(h->family));
	/* An IPv6 instance speaks from its link-local address; a peer given
	 * by a global address expects our global one, else it would drop
	 * our packets as from an unknown source.  Not the kernel's choice:
	 * once we are master that is the VIP, added last to the prefix. */
	if (src && h->family == AF_INET6 && link_local6(src) && !link_local6(bfd_host_peer_ip(h))) {
		unsigned ifindex = if_nametoindex(h->ifname);
		h->have_src = ifindex && iface_source6((int)ifindex, bfd_host_peer_ip(h), h->src) == 0;
	}
}

void bfd_host_params(const struct bfd_conf *c, struct bfd_params *p)
{
	memset(p, 0, sizeof(*p));
	p->min_tx_us = c->min_tx_ms * 1000u;
	p->min_rx_us = c->min_rx_ms * 1000u;
	p->mult = (uint8_t)c->mult;
	p->auth = c->auth;
}

uint64_t bfd_host_discards(const struct bfd_host *h, enum bfd_discard why)
{
	return h->discards[why] + h->s.st.discards[why];
}

int bfd_set_open(struct bfd_set *set, struct ev_loop *loop, const struct bfd_conf *c, int family,
		 const char *ifname, const void *src, bfd_host_changed_fn changed, void *arg, char *err,
		 size_t errlen)
{
	int rc = bfd_host_open(&set->h[0], loop, c, family, ifname, src, changed, arg, err, errlen);
	if (rc)
		return rc;
	set->n = 1;
	for (int i = 0; i < c->nmore; i++) {
		if ((rc = bfd_host_open_shared(&set->h[set->n], &set->h[0], c, &c->more[i], src, err, errlen))) {
			bfd_set_close(set);
			return rc;
		}
		set->n++;
	}
	return 0;
}

void bfd_set_start(struct bfd_set *set)
{
	for (int i = 0; i < set->n; i++)
		bfd_host_start(&set->h[i]);
}

void bfd_set_close(struct bfd_set *set)
{
	/* The sessions that share h[0]'s socket first. */
	for (int i = set->n - 1; i >= 0; i--)
		bfd_host_close(&set->h[i]);
	set->n = 0;
}

void bfd_set_source(struct bfd_set *set, const void *src)
{
	for (int i = 0; i < set->n; i++)
		bfd_host_set_source(&set->h[i], src);
}

void bfd_set_reconfigure(struct bfd_set *set, const struct bfd_conf *c)
{
	struct bfd_params p;
	bfd_host_params(c, &p);
	for (int i = 0; i < set->n; i++)
		bfd_reconfigure(&set->h[i].s, mtime_us(), &p);
}

int bfd_set_same_peers(const struct bfd_conf *a, const struct bfd_conf *b)
{
	if (a->on != b->on || a->nmore != b->nmore)
		return 0;
	if (a->on && !addr_equal_ip(&a->peer, &b->peer))
		return 0;
	for (int i = 0; i < a->nmore; i++)
		if (!addr_equal_ip(&a->more[i], &b->more[i]))
			return 0;
	return 1;
}
