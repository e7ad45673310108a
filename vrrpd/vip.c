#include "vip.h"

#include <errno.h>
#include <ev.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "iface.h"
#include "log.h"
#include "packet.h"
#include "rtnl.h"
#include "config.h"

/* Requests in flight, by sequence number: whose change the answer is about. */
#define VIP_PENDING 64

struct vip_pending {
	uint32_t seq;
	int on, index;
	void *owner;                /* NULL: free, or forgotten */
};

struct vip_nl {
	struct ev_loop *loop;
	struct mnl_socket *nl;
	ev_io io;
	uint64_t errors;
	struct log_ratelimit rl;
	vip_refused_fn refused;
	struct vip_pending pending[VIP_PENDING];
	char *buf; /* RTNL_RECV_SIZE */
};

/* The request that adds (on) or removes address v on ifindex, in buf
 * (RTNL_REQ_SIZE bytes): the local address, the same as IFA_ADDRESS (no
 * peer), and the label if there is one. */
static struct nlmsghdr *vip_msg(void *buf, int ifindex, const struct vip_conf *v, int on)
{
	int family = v->addr.ss.ss_family;
	const void *ip = addr_ip_bytes(&v->addr.ss, NULL);
	size_t alen = packet_addr_len(family);
	/* EXCL, not REPLACE: an address that is already there (an owner's
	 * real address) keeps its lifetime, metric and protocol. */
	struct nlmsghdr *h = rtnl_request(buf, on ? RTM_NEWADDR : RTM_DELADDR, on ? NLM_F_CREATE | NLM_F_EXCL : 0,
					  sizeof(struct ifaddrmsg));
	struct ifaddrmsg *a = mnl_nlmsg_get_payload(h);

	a->ifa_family = (uint8_t)family;
	a->ifa_prefixlen = (uint8_t)v->prefixlen;
	a->ifa_index = (unsigned)ifindex;
	a->ifa_scope = RT_SCOPE_UNIVERSE;
	/* A VIP moves between routers: duplicate address detection would
	 * only hold it back for a second. */
	if (family == AF_INET6)
		a->ifa_flags = IFA_F_NODAD;
	mnl_attr_put(h, IFA_LOCAL, alen, ip);
	mnl_attr_put(h, IFA_ADDRESS, alen, ip);
	if (v->label[0])
		mnl_attr_put_strz(h, IFA_LABEL, v->label);
	if (on)
		mnl_attr_put_u8(h, IFA_PROTO, VIP_ADDR_PROTO);
	return h;
}

/* Adding what is there or removing what is gone is not a failure. */
static int benign(int error)
{
	return error == 0 || error == -EEXIST || error == -EADDRNOTAVAIL || error == -ENOENT || error == -ENODEV;
}

static void on_answer(const struct nlmsghdr *h, void *arg)
{
	struct vip_nl *n = arg;

	if (h->nlmsg_type != NLMSG_ERROR || mnl_nlmsg_get_payload_len(h) < sizeof(struct nlmsgerr))
		return;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
	struct vip_pending *p = &n->pending[h->nlmsg_seq % VIP_PENDING];
	struct vip_pending req = { 0 };
	if (p->seq == h->nlmsg_seq && p->owner) {
		req = *p;
		p->owner = NULL;
	}
	if (e->error == 0 && req.owner && req.on && n->refused) {
		n->refused(req.owner, req.index, 1, 0); /* created: ours */
		return;
	}
	if (benign(e->error))
		return;
	n->errors++;
	if (req.owner && n->refused)
		n->refused(req.owner, req.index, req.on, e->error);
	else
		log_rl(&n->rl, LOG_ERR, "vip: kernel refused an address change: %s", strerror(-e->error));
}

/* The socket overran: the kernel dropped answers.  It answers a request
 * before vip_set() returns, so once what is left is read, a request still
 * pending lost its answer: its owner is told (-ENOBUFS) and reads back
 * what the kernel did. */
static void answers_lost(struct vip_nl *n)
{
	log_warn("vip: netlink answers lost (socket overrun): the instances read their addresses again");
	int rc = rtnl_drain(n->nl, n->buf, on_answer, n);
	if (rc < 0 && rc != -ENOBUFS)
		log_rl(&n->rl, LOG_WARNING, "vip: netlink: %s", strerror(-rc));
	for (int i = 0; i < VIP_PENDING; i++) {
		struct vip_pending req = n->pending[i];
		if (!req.owner)
			continue;
		n->pending[i].owner = NULL;
		if (n->refused)
			n->refused(req.owner, req.index, req.on, -ENOBUFS);
	}
}

void vip_flush(struct vip_nl *n)
{
	if (!n)
		return;
	int rc = rtnl_drain(n->nl, n->buf, on_answer, n);
	if (rc == -ENOBUFS)
		answers_lost(n);
	else if (rc < 0)
		log_rl(&n->rl, LOG_WARNING, "vip: netlink: %s", strerror(-rc));
}

static void readable(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop; (void)revents;
	vip_flush(w->data);
}

struct vip_nl *vip_nl_open(struct ev_loop *loop, vip_refused_fn refused, char *err, size_t errlen)
{
	struct vip_nl *n = calloc(1, sizeof(*n));

	if (!n || !(n->buf = malloc(RTNL_RECV_SIZE))) {
		snprintf(err, errlen, "out of memory");
		goto bad;
	}
	n->loop = loop;
	n->refused = refused;
	n->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(10000, 5);
	/* Non-blocking: several requests may be in flight, their
	 * acknowledgements are read on the loop. */
	if (!(n->nl = rtnl_open(1))) {
		snprintf(err, errlen, "netlink: %s", strerror(errno));
		goto bad;
	}
	ev_io_init(&n->io, readable, mnl_socket_get_fd(n->nl), EV_READ);
	n->io.data = n;
	ev_io_start(loop, &n->io);
	return n;
bad:
	if (n)
		free(n->buf);
	free(n);
	return NULL;
}

void vip_nl_close(struct vip_nl *n)
{
	if (!n)
		return;
	ev_io_stop(n->loop, &n->io);
	mnl_socket_close(n->nl);
	free(n->buf);
	free(n);
}

int vip_set(struct vip_nl *n, int ifindex, const struct vip_conf *v, int on, void *owner, int index)
{
	char req[RTNL_REQ_SIZE];
	struct nlmsghdr *h = vip_msg(req, ifindex, v, on);
	int rc = rtnl_send(n->nl, h);

	if (rc < 0) {
		n->errors++;
		log_rl(&n->rl, LOG_ERR, "vip: netlink send: %s", strerror(-rc));
		if (n->refused && owner)
			n->refused(owner, index, on, rc);
		return -EIO;
	}
	/* A slot still taken after VIP_PENDING later requests lost its answer. */
	n->pending[h->nlmsg_seq % VIP_PENDING] = (struct vip_pending){ h->nlmsg_seq, on, index, owner };
	return 0;
}

void vip_forget(struct vip_nl *n, const void *owner)
{
	if (!n)
		return;
	for (int i = 0; i < VIP_PENDING; i++)
		if (n->pending[i].owner == owner)
			n->pending[i].owner = NULL;
}

uint64_t vip_errors(const struct vip_nl *n)
{
	return n ? n->errors : 0;
}

struct lookup {
	const struct vip_conf *v;
	int n;
	enum vip_presence *state;
};

static void on_addr(void *arg, const struct iface_addr *a)
{
	struct lookup *l = arg;
	for (int i = 0; i < l->n; i++)
		if (l->v[i].addr.ss.ss_family == a->family &&
		    memcmp(addr_ip_bytes(&l->v[i].addr.ss, NULL), a->ip, packet_addr_len(a->family)) == 0)
			l->state[i] = a->proto == VIP_ADDR_PROTO ? VIP_OURS : VIP_FOREIGN;
}

int vip_lookup(int ifindex, const struct vip_conf *v, int n, enum vip_presence *state)
{
	struct lookup l = { v, n, state };
	for (int i = 0; i < n; i++)
		state[i] = VIP_ABSENT;
	if (n == 0)
		return 0;
	return iface_addrs(ifindex, v[0].addr.ss.ss_family, on_addr, &l);
}

int vip_remove_sync(int ifindex, const struct vip_conf *v, int nv)
{
	enum vip_presence state[CONFIG_MAX_VIPS];
	char req[RTNL_REQ_SIZE];
	int removed = 0;

	if (nv > CONFIG_MAX_VIPS)
		nv = CONFIG_MAX_VIPS;
	int rc = vip_lookup(ifindex, v, nv, state);
	if (rc)
		return rc;
	struct mnl_socket *nl = rtnl_open(0);
	if (!nl)
		return -EIO;
	for (int i = 0; i < nv; i++)
		if (state[i] == VIP_OURS && rtnl_talk(nl, vip_msg(req, ifindex, &v[i], 0), NULL, NULL) == 0)
			removed++;
	mnl_socket_close(nl);
	return removed;
}
