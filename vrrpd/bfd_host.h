/* bfd_host: one BFD session (bfd.c) on the wire: a UDP socket bound to
 * port 3784 on the instance's interface to receive, one from a port in
 * 49152-65535 to send (RFC 5881 section 4), TTL / hop limit 255 sent and
 * required on receive (section 5), and a libev timer for bfd_deadline().
 * The owner hears of every state change through a callback.
 *
 * bfd_set: the sessions of one bfd block, one per peer (a master with
 * several backups).  The first owns the receive socket (port 3784 can be
 * bound once per interface) and hands each packet to the session of its
 * source address. */
#ifndef VRRPD_BFD_HOST_H
#define VRRPD_BFD_HOST_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "bfd.h"
#include "config.h"

struct bfd_host;
typedef void (*bfd_host_changed_fn)(void *arg, struct bfd_host *h, enum bfd_state old, enum bfd_state now);

struct bfd_host {
	struct bfd_session s;
	struct bfd_host *share_next;       /* sessions that use this one's receive socket */
	struct bfd_host *rx_owner;         /* whose receive socket brings this session's packets */
	struct ev_loop *loop;
	int family;
	struct addr peer;
	char ifname[16];
	int rx_fd, tx_fd;
	ev_io rx;
	ev_timer timer;
	bfd_host_changed_fn changed;
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
int bfd_host_open(struct bfd_host *h, struct ev_loop *loop, const struct bfd_conf *c, int family,
		  const char *ifname, const void *src, bfd_host_changed_fn changed, void *arg,
		  char *err, size_t errlen);
/* The same for the session to peer, receiving through owner's socket
 * (owner opened with bfd_host_open(), closed after this one). */
int bfd_host_open_shared(struct bfd_host *h, struct bfd_host *owner, const struct bfd_conf *c,
			 const struct addr *peer, const void *src, char *err, size_t errlen);
void bfd_host_start(struct bfd_host *h);
/* The address to send from changed (NULL: the kernel's choice; an IPv6
 * link-local one to a global peer: our global address, iface_source6()). */
void bfd_host_set_source(struct bfd_host *h, const void *src);
/* Tells the peer AdminDown once, closes the sockets.  Idempotent. */
void bfd_host_close(struct bfd_host *h);
/* The session's parameters from the bfd block. */
void bfd_host_params(const struct bfd_conf *c, struct bfd_params *p);
/* Discards counted by the host and by the session, by reason. */
uint64_t bfd_host_discards(const struct bfd_host *h, enum bfd_discard why);
/* The peer's address in network order (4 or 16 bytes). */
const void *bfd_host_peer_ip(const struct bfd_host *h);

struct bfd_set {
	struct bfd_host h[1 + CONFIG_BFD_MORE];
	int n;                             /* opened sessions; h[0] owns the socket */
};

/* Opens a session to each peer of c (0, or -errno with the reason). */
int bfd_set_open(struct bfd_set *set, struct ev_loop *loop, const struct bfd_conf *c, int family,
		 const char *ifname, const void *src, bfd_host_changed_fn changed, void *arg, char *err,
		 size_t errlen);
void bfd_set_start(struct bfd_set *set);
/* Every session tells its peer AdminDown; idempotent. */
void bfd_set_close(struct bfd_set *set);
void bfd_set_source(struct bfd_set *set, const void *src);
/* New intervals or key for every session (a Poll Sequence when Up). */
void bfd_set_reconfigure(struct bfd_set *set, const struct bfd_conf *c);
/* The same peers in the same order? (Else a reload opens new sessions.) */
int bfd_set_same_peers(const struct bfd_conf *a, const struct bfd_conf *b);

#endif
