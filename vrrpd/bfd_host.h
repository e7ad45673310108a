/* bfd_host: one BFD session (bfd.c) on the wire: a UDP socket bound to
 * port 3784 on the instance's interface to receive, one from a port in
 * 49152-65535 to send (RFC 5881 section 4), TTL / hop limit 255 sent and
 * required on receive (section 5), and a libev timer for bfd_deadline().
 * The owner hears of every state change through a callback. */
#ifndef VRRPD_BFD_HOST_H
#define VRRPD_BFD_HOST_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "bfd.h"
#include "vconf.h"

struct bfd_host {
	struct bfd_session s;
	struct ev_loop *loop;
	int family;
	struct addr peer;
	char ifname[16];
	int rx_fd, tx_fd;
	ev_io rx;
	ev_timer timer;
	void (*changed)(void *arg, enum bfd_state old, enum bfd_state now);
	void *arg;
	uint64_t discards[BFD_DISCARD_MAX]; /* before the session: TTL, format, source */
	uint64_t send_errors;
	uint8_t src[16];                   /* have_src: the address to send from */
	int have_src;
	int opened;
};

/* Opens the sockets; the session stays quiet until bfd_host_start().
 * src (4 or 16 bytes, or NULL for the kernel's choice) is the address to
 * send from: the one the instance's adverts come from, which the peer
 * knows (a master's VIP, e.g. a link-local one, could be picked else).
 * 0, or -errno with the reason in err. */
int bfd_host_open(struct bfd_host *h, struct ev_loop *loop, const struct vconf_bfd *c, int family,
		  const char *ifname, const void *src, void (*changed)(void *, enum bfd_state, enum bfd_state), void *arg,
		  char *err, size_t errlen);
void bfd_host_start(struct bfd_host *h);
/* The address to send from changed (NULL: the kernel's choice). */
void bfd_host_set_source(struct bfd_host *h, const void *src);
/* Tells the peer AdminDown once, closes the sockets.  Idempotent. */
void bfd_host_close(struct bfd_host *h);
/* The session's parameters from the bfd block. */
void bfd_host_params(const struct vconf_bfd *c, struct bfd_params *p);
/* Discards counted by the host and by the session, by reason. */
uint64_t bfd_host_discards(const struct bfd_host *h, enum bfd_discard why);
/* The peer's address in network order (4 or 16 bytes). */
const void *bfd_host_peer_ip(const struct bfd_host *h);

#endif
