#include "vmac.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "rtnl.h"

void vmac_addr(int family, unsigned vrid, uint8_t mac[6])
{
	mac[0] = 0x00; mac[1] = 0x00; mac[2] = 0x5e; mac[3] = 0x00;
	mac[4] = family == AF_INET6 ? 0x02 : 0x01;
	mac[5] = (uint8_t)vrid;
}

/* A link request in req about ifindex (0: the caller names the link with
 * IFLA_IFNAME); its ifinfomsg (mnl_nlmsg_get_payload) for flags to change. */
static struct nlmsghdr *link_request(void *req, uint16_t type, uint16_t flags, int ifindex)
{
	struct nlmsghdr *h = rtnl_request(req, type, flags, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return h;
}

struct link_found {
	int ifindex;
	int macvlan;
};

static void on_link(const struct nlmsghdr *h, void *arg)
{
	struct link_found *f = arg;
	const struct nlattr *tb[IFLA_MAX + 1], *info[IFLA_INFO_MAX + 1];

	if (h->nlmsg_type != RTM_NEWLINK || rtnl_attrs(h, sizeof(struct ifinfomsg), tb, IFLA_MAX) < 0)
		return;
	f->ifindex = ((const struct ifinfomsg *)mnl_nlmsg_get_payload(h))->ifi_index;
	if (tb[IFLA_LINKINFO] && rtnl_nested(tb[IFLA_LINKINFO], info, IFLA_INFO_MAX) == 0) {
		const char *kind = rtnl_str(info[IFLA_INFO_KIND]);
		f->macvlan = kind && strcmp(kind, "macvlan") == 0;
	}
}

/* The interface called name: 0 with f filled, or -errno (-ENODEV: none). */
static int find_link(struct mnl_socket *nl, const char *name, struct link_found *f)
{
	char req[RTNL_REQ_SIZE];
	struct nlmsghdr *h = link_request(req, RTM_GETLINK, 0, 0);

	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	memset(f, 0, sizeof(*f));
	int rc = rtnl_talk(nl, h, on_link, f);
	return rc < 0 ? rc : f->ifindex > 0 ? 0 : -ENODEV;
}

static int delete_link(struct mnl_socket *nl, int ifindex)
{
	char req[RTNL_REQ_SIZE];
	return rtnl_talk(nl, link_request(req, RTM_DELLINK, 0, ifindex), NULL, NULL);
}

static int remove_with(struct mnl_socket *nl, const char *name)
{
	struct link_found f;
	if (find_link(nl, name, &f) < 0)
		return 0; /* no such interface */
	if (!f.macvlan)
		return -EEXIST; /* not ours: leave it */
	return delete_link(nl, f.ifindex) < 0 ? -EIO : 1;
}

int vmac_remove(const char *name)
{
	struct mnl_socket *nl = rtnl_open(0);
	if (!nl)
		return -EIO;
	int rc = remove_with(nl, name);
	mnl_socket_close(nl);
	return rc;
}

/* IPv4 devconf values on interface ifindex; on the macvlan (gen6 = 1) also
 * no IPv6 link-local: a backup's macvlan must never send with the virtual
 * MAC, or switches would learn it on the wrong port.  Before it is up.
 * IFLA_AF_SPEC { AF_INET { IFLA_INET_CONF { id: value } }, AF_INET6 {...} } */
static int set_conf(struct mnl_socket *nl, int ifindex, const int *ids, const uint32_t *vals, int n, int gen6)
{
	char req[RTNL_REQ_SIZE];
	struct nlmsghdr *h = link_request(req, RTM_SETLINK, 0, ifindex);
	struct nlattr *spec = mnl_attr_nest_start(h, IFLA_AF_SPEC);
	struct nlattr *inet = mnl_attr_nest_start(h, AF_INET);
	struct nlattr *conf = mnl_attr_nest_start(h, IFLA_INET_CONF);
	for (int i = 0; i < n; i++)
		mnl_attr_put_u32(h, (uint16_t)ids[i], vals[i]);
	mnl_attr_nest_end(h, conf);
	mnl_attr_nest_end(h, inet);
	if (gen6) {
		struct nlattr *inet6 = mnl_attr_nest_start(h, AF_INET6);
		mnl_attr_put_u8(h, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
		mnl_attr_nest_end(h, inet6);
	}
	mnl_attr_nest_end(h, spec);
	return rtnl_talk(nl, h, NULL, NULL) < 0 ? -EIO : 0;
}

static int link_up(struct mnl_socket *nl, int ifindex)
{
	char req[RTNL_REQ_SIZE];
	struct nlmsghdr *h = link_request(req, RTM_SETLINK, 0, ifindex);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return rtnl_talk(nl, h, NULL, NULL) < 0 ? -EIO : 0;
}

/* bridge, not private: both nodes' adverts come from the same virtual MAC,
 * and a private (or passthru) macvlan takes a multicast frame whose source
 * is its own MAC for its own loop-back, so the base interface, where the
 * VRRP socket listens, would never see the peer's adverts.  A bridge
 * macvlan lets the lower device have them. */
static int create_macvlan(struct mnl_socket *nl, const char *name, int lower_ifindex, const uint8_t mac[6])
{
	char req[RTNL_REQ_SIZE];
	struct nlmsghdr *h = link_request(req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);

	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	mnl_attr_put_u32(h, IFLA_LINK, (uint32_t)lower_ifindex);
	mnl_attr_put(h, IFLA_ADDRESS, 6, mac);
	struct nlattr *info = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_KIND, "macvlan");
	struct nlattr *data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
	mnl_attr_put_u32(h, IFLA_MACVLAN_MODE, MACVLAN_MODE_BRIDGE);
	mnl_attr_nest_end(h, data);
	mnl_attr_nest_end(h, info);
	return rtnl_talk(nl, h, NULL, NULL);
}

int vmac_open(const char *name, int lower_ifindex, int family, unsigned vrid, char *err, size_t errlen)
{
	struct mnl_socket *nl = rtnl_open(0);
	struct link_found got;
	uint8_t m[6];
	int rc, ifindex;

	if (!nl) {
		snprintf(err, errlen, "vmac %s: netlink socket", name);
		return -EIO;
	}
	/* A crashed vrrpd's macvlan: start afresh (its addresses go with it). */
	if ((rc = remove_with(nl, name)) < 0) {
		snprintf(err, errlen, "vmac %s: %s", name,
			 rc == -EEXIST ? "an interface of that name exists and is not a macvlan" : "cannot remove the old one");
		goto out;
	}
	vmac_addr(family, vrid, m);
	if ((rc = create_macvlan(nl, name, lower_ifindex, m)) < 0) {
		snprintf(err, errlen, "vmac %s: creating the macvlan: %s", name, strerror(-rc));
		rc = -EIO;
		goto out;
	}
	if ((rc = find_link(nl, name, &got)) < 0) {
		snprintf(err, errlen, "vmac %s: created but not found: %s", name, strerror(-rc));
		rc = -EIO;
		goto out;
	}
	ifindex = got.ifindex;
	static const int vm_ids[] = { IPV4_DEVCONF_ARP_IGNORE, IPV4_DEVCONF_RP_FILTER };
	static const uint32_t vm_vals[] = { 1, 2 };
	/* The base interface: arp_ignore 1, it answers ARP only for its own
	 * addresses; arp_announce 2, its own ARP requests (to reach a client
	 * that sent to the VIP) name its own address, not the VIP, which
	 * would teach the client the base MAC for the VIP. */
	static const int lo_ids[] = { IPV4_DEVCONF_ARP_IGNORE, IPV4_DEVCONF_ARP_ANNOUNCE };
	static const uint32_t lo_vals[] = { 1, 2 };
	if ((rc = set_conf(nl, ifindex, vm_ids, vm_vals, 2, 1)) < 0 ||
	    (rc = set_conf(nl, lower_ifindex, lo_ids, lo_vals, 2, 0)) < 0 || (rc = link_up(nl, ifindex)) < 0) {
		snprintf(err, errlen, "vmac %s: setting arp_ignore, arp_announce, rp_filter and up", name);
		delete_link(nl, ifindex);
		goto out;
	}
	rc = ifindex;
out:
	mnl_socket_close(nl);
	return rc;
}
