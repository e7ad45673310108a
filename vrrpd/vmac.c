#include "vmac.h"

#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <netinet/in.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/link/macvlan.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

void vmac_addr(int family, unsigned vrid, uint8_t mac[6])
{
	mac[0] = 0x00; mac[1] = 0x00; mac[2] = 0x5e; mac[3] = 0x00;
	mac[4] = family == AF_INET6 ? 0x02 : 0x01;
	mac[5] = (uint8_t)vrid;
}

static struct nl_sock *connect_rt(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	if (sk && nl_connect(sk, NETLINK_ROUTE) < 0) {
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

static int remove_with(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *l = NULL;
	int rc = rtnl_link_get_kernel(sk, 0, name, &l);
	if (rc < 0)
		return 0; /* no such interface */
	if (!rtnl_link_is_macvlan(l)) {
		rtnl_link_put(l);
		return -EEXIST; /* not ours: leave it */
	}
	rc = rtnl_link_delete(sk, l);
	rtnl_link_put(l);
	return rc < 0 ? -EIO : 1;
}

int vmac_remove(const char *name)
{
	struct nl_sock *sk = connect_rt();
	if (!sk)
		return -EIO;
	int rc = remove_with(sk, name);
	nl_socket_free(sk);
	return rc;
}

/* IPv4 devconf values on interface ifindex; on the macvlan (gen6 = 1) also
 * no IPv6 link-local: a backup's macvlan must never send with the virtual
 * MAC, or switches would learn it on the wrong port.  Before it is up. */
static int set_conf(struct nl_sock *sk, int ifindex, const int *ids, const uint32_t *vals, int n, int gen6)
{
	struct rtnl_link *orig = rtnl_link_alloc(), *ch = rtnl_link_alloc();
	int rc = -ENOMEM;

	if (!orig || !ch)
		goto out;
	rtnl_link_set_ifindex(orig, ifindex);
	for (int i = 0; i < n; i++)
		if (rtnl_link_inet_set_conf(ch, (unsigned)ids[i], vals[i]) < 0)
			goto out;
	if (gen6 && rtnl_link_inet6_set_addr_gen_mode(ch, IN6_ADDR_GEN_MODE_NONE) < 0)
		goto out;
	rc = rtnl_link_change(sk, orig, ch, 0) < 0 ? -EIO : 0;
out:
	rtnl_link_put(orig);
	rtnl_link_put(ch);
	return rc;
}

static int link_up(struct nl_sock *sk, int ifindex)
{
	struct rtnl_link *orig = rtnl_link_alloc(), *ch = rtnl_link_alloc();
	int rc = -ENOMEM;

	if (orig && ch) {
		rtnl_link_set_ifindex(orig, ifindex);
		rtnl_link_set_flags(ch, IFF_UP);
		rc = rtnl_link_change(sk, orig, ch, 0) < 0 ? -EIO : 0;
	}
	rtnl_link_put(orig);
	rtnl_link_put(ch);
	return rc;
}

int vmac_open(const char *name, int lower_ifindex, int family, unsigned vrid, char *err, size_t errlen)
{
	struct nl_sock *sk = connect_rt();
	struct rtnl_link *l = NULL, *got = NULL;
	struct nl_addr *mac = NULL;
	uint8_t m[6];
	int rc, ifindex;

	if (!sk) {
		snprintf(err, errlen, "vmac %s: netlink socket", name);
		return -EIO;
	}
	/* A crashed vrrpd's macvlan: start afresh (its addresses go with it). */
	if ((rc = remove_with(sk, name)) < 0) {
		snprintf(err, errlen, "vmac %s: %s", name,
			 rc == -EEXIST ? "an interface of that name exists and is not a macvlan" : "cannot remove the old one");
		goto out;
	}
	vmac_addr(family, vrid, m);
	rc = -ENOMEM;
	if (!(l = rtnl_link_macvlan_alloc()) || !(mac = nl_addr_build(AF_LLC, m, 6))) {
		snprintf(err, errlen, "vmac %s: out of memory", name);
		goto out;
	}
	rtnl_link_set_name(l, name);
	rtnl_link_set_link(l, lower_ifindex);
	rtnl_link_set_addr(l, mac);
	/* bridge, not private: both nodes' adverts come from the same virtual
	 * MAC, and a private (or passthru) macvlan takes a multicast frame
	 * whose source is its own MAC for its own loop-back, so the base
	 * interface, where the VRRP socket listens, would never see the
	 * peer's adverts.  A bridge macvlan lets the lower device have them. */
	rtnl_link_macvlan_set_mode(l, MACVLAN_MODE_BRIDGE);
	if ((rc = rtnl_link_add(sk, l, NLM_F_CREATE | NLM_F_EXCL)) < 0) {
		snprintf(err, errlen, "vmac %s: creating the macvlan: %s", name, nl_geterror(rc));
		rc = -EIO;
		goto out;
	}
	if ((rc = rtnl_link_get_kernel(sk, 0, name, &got)) < 0) {
		snprintf(err, errlen, "vmac %s: created but not found: %s", name, nl_geterror(rc));
		rc = -EIO;
		goto out;
	}
	ifindex = rtnl_link_get_ifindex(got);
	static const int vm_ids[] = { IPV4_DEVCONF_ARP_IGNORE, IPV4_DEVCONF_RP_FILTER };
	static const uint32_t vm_vals[] = { 1, 2 };
	/* The base interface: arp_ignore 1, it answers ARP only for its own
	 * addresses; arp_announce 2, its own ARP requests (to reach a client
	 * that sent to the VIP) name its own address, not the VIP, which
	 * would teach the client the base MAC for the VIP. */
	static const int lo_ids[] = { IPV4_DEVCONF_ARP_IGNORE, IPV4_DEVCONF_ARP_ANNOUNCE };
	static const uint32_t lo_vals[] = { 1, 2 };
	if ((rc = set_conf(sk, ifindex, vm_ids, vm_vals, 2, 1)) < 0 ||
	    (rc = set_conf(sk, lower_ifindex, lo_ids, lo_vals, 2, 0)) < 0 || (rc = link_up(sk, ifindex)) < 0) {
		snprintf(err, errlen, "vmac %s: setting arp_ignore, arp_announce, rp_filter and up", name);
		rtnl_link_delete(sk, got);
		goto out;
	}
	rc = ifindex;
out:
	rtnl_link_put(got);
	rtnl_link_put(l);
	nl_addr_put(mac);
	nl_socket_free(sk);
	return rc;
}
