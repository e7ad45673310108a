/* bfd: one BFD session in asynchronous mode (RFC 5880 section 6), the
 * state machine of section 6.8.6 and the timers of sections 6.8.2-6.8.4
 * and 6.8.7.  Pure like vrrp.c: it never reads a clock and never touches a
 * socket.  The host passes the time (microseconds, any monotonic origin)
 * into every call, arms one timer for bfd_deadline(), and carries out what
 * the session asks through struct bfd_ops.  No echo, no demand mode.
 * Authentication (section 6.7) with the key in the params: the session
 * numbers what it sends (the host signs, bfd_auth.h) and checks the key,
 * digest and sequence number of what it receives. */
#ifndef VRRPD_BFD_H
#define VRRPD_BFD_H

#include <stddef.h>
#include <stdint.h>

#include "bfd_auth.h"
#include "bfd_packet.h"

#define BFD_SLOW_TX_US 1000000u  /* section 6.8.3: at least 1 s while not Up */
#define BFD_NO_DEADLINE UINT64_MAX

/* What the session asks of its host; called synchronously, none may call
 * back into the session. */
struct bfd_ops {
	/* Send this control packet to the peer; with authentication c's
	 * auth_type, auth_key_id and auth_seq say how to sign it
	 * (bfd_auth_sign() with the session's p.auth). */
	void (*send)(void *arg, const struct bfd_ctrl *c);
	/* Called after every state change; s->diag and s->remote_state say why. */
	void (*changed)(void *arg, enum bfd_state old, enum bfd_state now);
};

struct bfd_params {
	uint32_t min_tx_us;   /* configured Desired Min TX Interval */
	uint32_t min_rx_us;   /* Required Min RX Interval */
	uint8_t mult;         /* Detect Mult */
	struct bfd_auth_key auth; /* type BFD_AUTH_NONE: none */
};

struct bfd_stats {
	uint64_t tx, rx, transitions, up, polls;
	uint64_t discards[BFD_DISCARD_MAX];
};

struct bfd_session {
	struct bfd_params p;
	const struct bfd_ops *ops;
	void *arg;

	enum bfd_state state;
	enum bfd_state remote_state;
	uint8_t diag;                 /* bfd.LocalDiag */
	uint8_t remote_diag;
	uint32_t local_disc, remote_disc;

	/* What we advertise now, and what is in effect (they differ during a
	 * Poll Sequence, section 6.8.3). */
	uint32_t desired_tx_us, req_rx_us;
	uint32_t eff_tx_us, eff_rx_us;
	int polling;

	uint32_t remote_min_rx_us;    /* bfd.RemoteMinRxInterval */
	uint32_t remote_min_tx_us;    /* the peer's last Desired Min TX Interval */
	uint8_t remote_mult;

	uint64_t tx_at;               /* next periodic packet, 0 = none */
	uint64_t detect_at;           /* detection timer, 0 = off */
	uint32_t rng;                 /* jitter (xorshift32), never 0 */

	struct bfd_auth_seq auth;     /* sequence numbers, when p.auth has them */

	uint64_t last_change_us;
	struct bfd_stats st;
};

/* Set up Down.  local_disc must be non-zero and unique on the host; seed
 * feeds the jitter. */
void bfd_init(struct bfd_session *s, const struct bfd_params *p, uint32_t local_disc,
	      uint32_t seed, const struct bfd_ops *ops, void *arg);
/* Start sending (the first packet at once). */
void bfd_start(struct bfd_session *s, uint64_t now);

/* A packet that passed bfd_packet_parse() and was matched to this session
 * (by Your Discriminator, or by address when it is 0).  Returns BFD_OK or
 * why it was dropped; the session counts it. */
enum bfd_discard bfd_recv(struct bfd_session *s, uint64_t now, const struct bfd_ctrl *c);
/* The same with the packet's bytes (pkt, len: what c was parsed from),
 * which authentication needs for the digest.  bfd_recv() is this with no
 * bytes: fine without authentication, a failure with a digest type. */
enum bfd_discard bfd_recv_packet(struct bfd_session *s, uint64_t now, const struct bfd_ctrl *c,
				 const uint8_t *pkt, size_t len);

/* Local administrative state: on = AdminDown (diag 7), off = Down. */
void bfd_admin(struct bfd_session *s, uint64_t now, int down);
/* New intervals: a Poll Sequence when Up (section 6.8.3). */
void bfd_reconfigure(struct bfd_session *s, uint64_t now, const struct bfd_params *p);

/* Fire what is due; then bfd_deadline() says when to call again. */
void bfd_tick(struct bfd_session *s, uint64_t now);
uint64_t bfd_deadline(const struct bfd_session *s);

/* Intervals in effect: between our periodic packets (before jitter), and
 * the detection time for the peer (0 before anything is heard). */
uint32_t bfd_tx_interval_us(const struct bfd_session *s);
uint32_t bfd_detect_time_us(const struct bfd_session *s);

/* The session is Down because nothing came from the peer for the
 * detection time (diag 1): the peer or the path to us failed.  A peer
 * that says AdminDown (section 6.8.16) is no failure, and neither is a
 * peer that says Down: it is still sending, so it is alive. */
int bfd_failed(const struct bfd_session *s);

#endif
