/* goodbye: priority 0 on behalf of a crashed master (see goodbye.h). */
#include "goodbye.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "iface.h"
#include "log.h"
#include "packet.h"
#include "vip.h"
#include "vsock.h"

/* Does the interface still carry one of the addresses, added by vrrpd? */
static int holds_vips(const struct instance_conf *c)
{
	struct iface_info ii;
	const char *ifname = c->vmac ? c->vmac_ifname : c->ifname;
	enum vip_presence st[CONFIG_MAX_VIPS];
	if (iface_query(ifname, &ii) || vip_lookup(ii.ifindex, c->vips, c->nvips, st))
		return 0;
	for (int i = 0; i < c->nvips; i++)
		if (st[i] == VIP_OURS)
			return 1;
	return 0;
}

static int send_all(const struct instance_conf *c, int fd, int ifindex, const void *src)
{
	uint8_t vips[CONFIG_MAX_VIPS * 16], pkt[PACKET_MAX_LEN];
	size_t alen = c->family == AF_INET6 ? 16 : 4;
	for (int i = 0; i < c->nvips; i++)
		memcpy(vips + (size_t)i * alen, addr_ip_bytes(&c->vips[i].addr.ss, NULL), alen);
	struct packet_advert a = {
		.family = c->family, .vrid = (uint8_t)c->vrid, .priority = 0,
		.interval_cs = (uint16_t)c->advert_cs, .naddr = (uint8_t)c->nvips, .addrs = vips,
		.csum = c->checksum == CONFIG_CSUM_RFC9568 ? PACKET_CSUM_RFC9568 : PACKET_CSUM_RFC5798,
	};
	int ndst = c->npeers ? c->npeers : 1, rc = 0;
	for (int i = 0; i < ndst; i++) {
		const void *dst = c->npeers ? addr_ip_bytes(&c->peers[i].ss, NULL) : vsock_group(c->family);
		int n = packet_build(pkt, sizeof(pkt), &a, src, dst);
		int r = n < 0 ? -EINVAL : vsock_send(fd, c->family, ifindex, src, dst, pkt, (size_t)n);
		rc = rc ? rc : r;
	}
	return rc;
}

int goodbye_send(const struct instance_conf *c)
{
	if (!holds_vips(c))
		return 0;
	struct iface_info ii;
	uint8_t primary[16];
	const void *src = primary;
	char err[128] = "";
	int rc = iface_query(c->ifname, &ii);
	if (!rc && c->unicast_src.ss.ss_family)
		src = addr_ip_bytes(&c->unicast_src.ss, NULL);
	else if (!rc)
		rc = iface_primary(ii.ifindex, c->family, primary);
	int fd = rc ? rc : vsock_open_tx(c->family, c->ifname, ii.ifindex, err, sizeof(err));
	if (fd >= 0) {
		rc = send_all(c, fd, ii.ifindex, src);
		close(fd);
	} else {
		rc = fd;
	}
	if (rc) {
		log_warn("%s: could not send priority 0 for the crashed master: %s", c->name,
			 err[0] ? err : strerror(-rc));
		return rc;
	}
	log_notice("%s: sent priority 0 for the crashed master: the backup takes over after its Skew_Time",
		   c->name);
	return 1;
}
