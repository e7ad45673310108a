/* Unit tests of vrrpd/rtnl.c: requests built and read back attribute by
 * attribute, nested and string attributes, and one real exchange with the
 * kernel (a link lookup, which needs no privilege). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "vrrpd/rtnl.h"

static void test_request_read_back(void **state)
{
	(void)state;
	char buf[RTNL_REQ_SIZE];
	const uint8_t ip[4] = { 198, 51, 100, 100 };
	struct nlmsghdr *h = rtnl_request(buf, RTM_NEWADDR, NLM_F_CREATE, sizeof(struct ifaddrmsg));
	struct ifaddrmsg *a = mnl_nlmsg_get_payload(h);

	assert_int_equal(h->nlmsg_type, RTM_NEWADDR);
	assert_int_equal(h->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE);
	assert_int_equal(a->ifa_family, 0); /* zeroed */
	a->ifa_family = AF_INET;
	a->ifa_index = 7;
	mnl_attr_put(h, IFA_LOCAL, sizeof(ip), ip);
	mnl_attr_put_strz(h, IFA_LABEL, "eth0:vip");

	const struct nlattr *tb[IFA_MAX + 1];
	assert_int_equal(rtnl_attrs(h, sizeof(*a), tb, IFA_MAX), 0);
	assert_non_null(tb[IFA_LOCAL]);
	assert_int_equal(mnl_attr_get_payload_len(tb[IFA_LOCAL]), 4);
	assert_memory_equal(mnl_attr_get_payload(tb[IFA_LOCAL]), ip, 4);
	assert_string_equal(rtnl_str(tb[IFA_LABEL]), "eth0:vip");
	assert_null(tb[IFA_ADDRESS]);
	assert_null(rtnl_str(tb[IFA_ADDRESS]));
}

static void test_nested_and_strings(void **state)
{
	(void)state;
	char buf[RTNL_REQ_SIZE];
	struct nlmsghdr *h = rtnl_request(buf, RTM_NEWLINK, 0, sizeof(struct ifinfomsg));

	/* Not NUL-terminated: not a string. */
	mnl_attr_put(h, IFLA_IFNAME, 3, "abc");
	struct nlattr *info = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_KIND, "macvlan");
	mnl_attr_nest_end(h, info);
	/* Beyond the table: ignored, not written past it. */
	mnl_attr_put_u32(h, IFLA_MAX + 5, 1);

	const struct nlattr *tb[IFLA_MAX + 1], *in[IFLA_INFO_MAX + 1];
	assert_int_equal(rtnl_attrs(h, sizeof(struct ifinfomsg), tb, IFLA_MAX), 0);
	assert_non_null(tb[IFLA_IFNAME]);
	assert_null(rtnl_str(tb[IFLA_IFNAME]));
	assert_non_null(tb[IFLA_LINKINFO]);
	assert_int_equal(rtnl_nested(tb[IFLA_LINKINFO], in, IFLA_INFO_MAX), 0);
	assert_string_equal(rtnl_str(in[IFLA_INFO_KIND]), "macvlan");
	assert_null(in[IFLA_INFO_DATA]);
}

static void test_short_message(void **state)
{
	(void)state;
	char buf[RTNL_REQ_SIZE];
	struct nlmsghdr *h = rtnl_request(buf, RTM_NEWADDR, 0, sizeof(struct ifaddrmsg));
	const struct nlattr *tb[IFLA_MAX + 1];

	/* An address message read as a link message: shorter than ifinfomsg. */
	assert_int_equal(rtnl_attrs(h, sizeof(struct ifinfomsg), tb, IFLA_MAX), -EINVAL);
}

struct found {
	int ifindex;
	int calls;
};

static void on_link(const struct nlmsghdr *h, void *arg)
{
	struct found *f = arg;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
	f->ifindex = ifi->ifi_index;
	f->calls++;
}

static int get_link(struct mnl_socket *nl, const char *name, struct found *f)
{
	char buf[RTNL_REQ_SIZE];
	struct nlmsghdr *h = rtnl_request(buf, RTM_GETLINK, 0, sizeof(struct ifinfomsg));

	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	memset(f, 0, sizeof(*f));
	return rtnl_talk(nl, h, on_link, f);
}

static void test_kernel_exchange(void **state)
{
	(void)state;
	struct mnl_socket *nl = rtnl_open(0);
	struct found f;

	assert_non_null(nl);
	assert_int_equal(get_link(nl, "lo", &f), 0);
	assert_int_equal(f.calls, 1);
	assert_true(f.ifindex > 0);
	/* The kernel's error comes back as -errno, and the socket stays usable. */
	assert_int_equal(get_link(nl, "no-such-if0", &f), -ENODEV);
	assert_int_equal(f.calls, 0);
	assert_int_equal(get_link(nl, "lo", &f), 0);
	assert_int_equal(f.calls, 1);
	mnl_socket_close(nl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_read_back),
		cmocka_unit_test(test_nested_and_strings),
		cmocka_unit_test(test_short_message),
		cmocka_unit_test(test_kernel_exchange),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
