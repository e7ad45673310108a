#include "vip.h"

#include <errno.h>
#include <ev.h>
#include <linux/if_addr.h>
#include <netinet/in.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "packet.h"
#include "vconf.h"

struct vip_nl {
	struct ev_loop *loop;
	struct nl_sock *sk;
	ev_io io;
	uint64_t errors;
	struct log_ratelimit rl;
};

static struct rtnl_addr *vip_obj(int ifindex, const struct vconf_vip *v)
{
	int family = v->addr.ss.ss_family;
	const void *ip = family == AF_INET ? (const void *)&((const struct sockaddr_in *)&v->addr.ss)->sin_addr
					   : (const void *)&((const struct sockaddr_in6 *)&v->addr.ss)->sin6_addr;
	struct rtnl_addr *a = rtnl_addr_alloc();
	struct nl_addr *local = nl_addr_build(family, ip, packet_addr_len(family));

	if (!a || !local) {
		rtnl_addr_put(a);
		nl_addr_put(local);
		return NULL;
	}
	nl_addr_set_prefixlen(local, v->prefixlen);
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_family(a, family);
	rtnl_addr_set_local(a, local);
	rtnl_addr_set_prefixlen(a, v->prefixlen);
	nl_addr_put(local);
	if (v->label[0])
		rtnl_addr_set_label(a, v->label);
	/* A VIP moves between routers: duplicate address detection would
	 * only hold it back for a second. */
	if (family == AF_INET6)
		rtnl_addr_set_flags(a, IFA_F_NODAD);
	return a;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct vip_nl *n = arg;
	(void)who;
	/* Adding what is there or removing what is gone is not a failure. */
	if (e->error == -EEXIST || e->error == -EADDRNOTAVAIL || e->error == -ENOENT || e->error == -ENODEV)
		return NL_SKIP;
	n->errors++;
	log_rl(&n->rl, LOG_ERR, "vip: kernel refused an address change: %s", strerror(-e->error));
	return NL_SKIP;
}

static void readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct vip_nl *n = w->data;
	(void)loop; (void)revents;
	int rc = nl_recvmsgs_default(n->sk);
	if (rc < 0 && rc != -NLE_AGAIN)
		log_rl(&n->rl, LOG_WARNING, "vip: netlink: %s", nl_geterror(rc));
}

struct vip_nl *vip_nl_open(struct ev_loop *loop, char *err, size_t errlen)
{
	struct vip_nl *n = calloc(1, sizeof(*n));
	int rc;

	if (!n) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n->loop = loop;
	n->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(10000, 5);
	n->sk = nl_socket_alloc();
	if (!n->sk) {
		snprintf(err, errlen, "netlink socket: out of memory");
		free(n);
		return NULL;
	}
	/* Several requests may be in flight: acks come back in order but
	 * libnl's strict sequence check expects one at a time. */
	nl_socket_disable_seq_check(n->sk);
	struct nl_cb *cb = nl_socket_get_cb(n->sk);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, n);
	nl_cb_put(cb);
	if ((rc = nl_connect(n->sk, NETLINK_ROUTE)) < 0 || (rc = nl_socket_set_nonblocking(n->sk)) < 0) {
		snprintf(err, errlen, "netlink: %s", nl_geterror(rc));
		nl_socket_free(n->sk);
		free(n);
		return NULL;
	}
	ev_io_init(&n->io, readable, nl_socket_get_fd(n->sk), EV_READ);
	n->io.data = n;
	ev_io_start(loop, &n->io);
	return n;
}

void vip_nl_close(struct vip_nl *n)
{
	if (!n)
		return;
	ev_io_stop(n->loop, &n->io);
	nl_socket_free(n->sk);
	free(n);
}

int vip_set(struct vip_nl *n, int ifindex, const struct vconf_vip *v, int on)
{
	struct rtnl_addr *a = vip_obj(ifindex, v);
	struct nl_msg *msg = NULL;
	int rc;

	if (!a)
		return -ENOMEM;
	rc = on ? rtnl_addr_build_add_request(a, NLM_F_CREATE | NLM_F_REPLACE, &msg)
		: rtnl_addr_build_delete_request(a, 0, &msg);
	rtnl_addr_put(a);
	if (rc < 0)
		return -ENOMEM;
	rc = nl_send_auto(n->sk, msg);
	nlmsg_free(msg);
	if (rc < 0) {
		n->errors++;
		log_rl(&n->rl, LOG_ERR, "vip: netlink send: %s", nl_geterror(rc));
		return -EIO;
	}
	return 0;
}

uint64_t vip_errors(const struct vip_nl *n)
{
	return n ? n->errors : 0;
}

int vip_remove_sync(int ifindex, const struct vconf_vip *v, int nv)
{
	struct nl_sock *sk = nl_socket_alloc();
	int removed = 0, rc;

	if (!sk)
		return -ENOMEM;
	if ((rc = nl_connect(sk, NETLINK_ROUTE)) < 0) {
		nl_socket_free(sk);
		return -EIO;
	}
	for (int i = 0; i < nv; i++) {
		struct rtnl_addr *a = vip_obj(ifindex, &v[i]);
		if (!a)
			continue;
		if (rtnl_addr_delete(sk, a, 0) == 0)
			removed++;
		rtnl_addr_put(a);
	}
	nl_socket_free(sk);
	return removed;
}
