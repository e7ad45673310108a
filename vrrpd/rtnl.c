#include "rtnl.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

static uint32_t rtnl_seq;

struct mnl_socket *rtnl_open(int nonblock)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0));

	if (nl && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		mnl_socket_close(nl);
		errno = e;
		return NULL;
	}
	return nl;
}

struct nlmsghdr *rtnl_request(void *buf, uint16_t type, uint16_t flags, size_t hdrlen)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);

	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	mnl_nlmsg_put_extra_header(h, hdrlen);
	return h;
}

int rtnl_send(struct mnl_socket *nl, struct nlmsghdr *req)
{
	req->nlmsg_flags |= NLM_F_ACK;
	req->nlmsg_seq = ++rtnl_seq;
	return mnl_socket_sendto(nl, req, req->nlmsg_len) < 0 ? -errno : 0;
}

int rtnl_talk(struct mnl_socket *nl, struct nlmsghdr *req, rtnl_msg_fn fn, void *arg)
{
	/* Static, not on the stack: a hardened build probes every page of a
	 * large frame, and this runs one exchange at a time. */
	static char buf[RTNL_RECV_SIZE];
	unsigned portid = mnl_socket_get_portid(nl);
	int rc = rtnl_send(nl, req);

	if (rc)
		return rc;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		int len = (int)n;
		for (const struct nlmsghdr *h = (const void *)buf; mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len)) {
			if (h->nlmsg_seq != req->nlmsg_seq || h->nlmsg_pid != portid)
				continue; /* an answer to an earlier request */
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
				if (mnl_nlmsg_get_payload_len(h) < sizeof(*e))
					return -EPROTO;
				return e->error; /* 0: the acknowledgement */
			}
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (fn && h->nlmsg_type >= NLMSG_MIN_TYPE)
				fn(h, arg);
		}
	}
}

int rtnl_drain(struct mnl_socket *nl, void *buf, rtnl_msg_fn fn, void *arg)
{
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, RTNL_RECV_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		}
		int len = (int)n;
		for (const struct nlmsghdr *h = buf; mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len))
			fn(h, arg);
	}
}

struct attr_table {
	const struct nlattr **tb;
	int max;
};

static int put_attr(const struct nlattr *a, void *data)
{
	struct attr_table *t = data;
	int type = mnl_attr_get_type(a);

	if (type <= t->max)
		t->tb[type] = a;
	return MNL_CB_OK;
}

int rtnl_attrs(const struct nlmsghdr *h, size_t hdrlen, const struct nlattr **tb, int max)
{
	struct attr_table t = { tb, max };

	memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
	if (mnl_nlmsg_get_payload_len(h) < hdrlen)
		return -EINVAL;
	return mnl_attr_parse(h, (unsigned)hdrlen, put_attr, &t) < 0 ? -EINVAL : 0;
}

int rtnl_nested(const struct nlattr *nest, const struct nlattr **tb, int max)
{
	struct attr_table t = { tb, max };

	memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
	return mnl_attr_parse_nested(nest, put_attr, &t) < 0 ? -EINVAL : 0;
}

const char *rtnl_str(const struct nlattr *a)
{
	return a && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0 ? mnl_attr_get_str(a) : NULL;
}
