#include "bfd.h"

#include <string.h>

#include "log.h"

static uint32_t max32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

uint32_t bfd_tx_interval_us(const struct bfd_session *s)
{
	return max32(s->eff_tx_us, s->remote_min_rx_us);
}

uint32_t bfd_detect_time_us(const struct bfd_session *s)
{
	return (uint32_t)s->remote_mult * max32(s->eff_rx_us, s->remote_min_tx_us);
}

int bfd_failed(const struct bfd_session *s)
{
	return s->state == BFD_DOWN && s->diag == BFD_DIAG_TIME_EXPIRED;
}

/* Section 6.8.7: the interval less 0-25%, or 10-25% when Detect Mult is 1. */
static uint64_t jittered(struct bfd_session *s, uint32_t iv)
{
	uint32_t x = s->rng;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	s->rng = x;
	uint32_t lo = 75, span = s->p.mult == 1 ? 16 : 26; /* percent: 75..90 or 75..100 */
	return (uint64_t)iv * (lo + x % span) / 100;
}

static void send_ctrl(struct bfd_session *s, int final)
{
	struct bfd_ctrl c = {
		.diag = s->diag,
		.state = (uint8_t)s->state,
		.flags = (uint8_t)(final ? BFD_FLAG_FINAL : s->polling ? BFD_FLAG_POLL : 0),
		.detect_mult = s->p.mult,
		.my_disc = s->local_disc,
		.your_disc = s->remote_disc,
		.min_tx_us = s->desired_tx_us,
		.min_rx_us = s->req_rx_us,
		.auth_type = s->p.auth.type,
		.auth_key_id = s->p.auth.key_id,
	};
	/* Sections 6.7.3/6.7.4: a new number for every packet, which both
	 * the keyed and the meticulous types allow. */
	if (bfd_auth_has_seq(s->p.auth.type))
		c.auth_seq = s->auth.xmit++;
	s->st.tx++;
	s->ops->send(s->arg, &c);
}

static void arm_tx(struct bfd_session *s, uint64_t now)
{
	/* Section 6.8.7: no periodic packets while the peer asks for none. */
	s->tx_at = s->remote_min_rx_us ? now + jittered(s, bfd_tx_interval_us(s)) : 0;
}

/* What we advertise follows the state (1 s at least while not Up) and the
 * config; section 6.8.3 says when a change takes effect. */
static void update_intervals(struct bfd_session *s, uint64_t now)
{
	uint32_t tx = s->state == BFD_UP ? s->p.min_tx_us : max32(s->p.min_tx_us, BFD_SLOW_TX_US);
	uint32_t rx = s->p.min_rx_us;
	if (tx == s->desired_tx_us && rx == s->req_rx_us)
		return;
	s->desired_tx_us = tx;
	s->req_rx_us = rx;
	if (s->state != BFD_UP) {
		s->eff_tx_us = tx;
		s->eff_rx_us = rx;
		s->polling = 0;
	} else {
		/* Faster sending and a longer detection time are safe at
		 * once; the others wait for the peer's Final. */
		if (tx < s->eff_tx_us)
			s->eff_tx_us = tx;
		if (rx > s->eff_rx_us)
			s->eff_rx_us = rx;
		s->polling = 1;
		s->st.polls++;
	}
	if (s->tx_at) {
		uint64_t next = now + jittered(s, bfd_tx_interval_us(s));
		if (next < s->tx_at)
			s->tx_at = next;
	}
}

static void bfd_change_state(struct bfd_session *s, uint64_t now, enum bfd_state to, uint8_t diag)
{
	enum bfd_state from = s->state;
	s->state = to;
	s->diag = diag;
	s->last_change_us = now;
	s->st.transitions++;
	if (to == BFD_UP)
		s->st.up++;
	log_notice("bfd %08x: %s -> %s (%s)", s->local_disc, bfd_state_names[from],
		 bfd_state_names[to], bfd_diag_names[diag <= BFD_DIAG_REV_CONCAT_DOWN ? diag : 0]);
	update_intervals(s, now);
	/* Tell the peer at once rather than at the next periodic packet. */
	if (s->remote_min_rx_us || to == BFD_ADMIN_DOWN)
		send_ctrl(s, 0);
	s->ops->changed(s->arg, from, to);
}

void bfd_init(struct bfd_session *s, const struct bfd_params *p, uint32_t local_disc,
	      uint32_t seed, const struct bfd_ops *ops, void *arg)
{
	memset(s, 0, sizeof(*s));
	s->p = *p;
	s->ops = ops;
	s->arg = arg;
	s->state = BFD_DOWN;
	s->remote_state = BFD_DOWN;
	s->local_disc = local_disc;
	s->rng = seed ? seed : 0x9e3779b9u;
	s->remote_min_rx_us = 1; /* section 6.8.1: initialized to 1 */
	s->desired_tx_us = max32(p->min_tx_us, BFD_SLOW_TX_US);
	s->req_rx_us = p->min_rx_us;
	s->eff_tx_us = s->desired_tx_us;
	s->eff_rx_us = s->req_rx_us;
	/* Section 6.8.1: bfd.XmitAuthSeq starts at a random number. */
	s->auth.xmit = s->rng * 2654435761u;
}

void bfd_start(struct bfd_session *s, uint64_t now)
{
	send_ctrl(s, 0);
	arm_tx(s, now);
}

/* Section 6.8.6, from "If bfd.SessionState is AdminDown" on. */
static void run_fsm(struct bfd_session *s, uint64_t now, enum bfd_state rs)
{
	if (s->state == BFD_ADMIN_DOWN)
		return;
	if (rs == BFD_ADMIN_DOWN) {
		if (s->state != BFD_DOWN)
			bfd_change_state(s, now, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN);
		return;
	}
	switch (s->state) {
	case BFD_DOWN:
		if (rs == BFD_DOWN)
			bfd_change_state(s, now, BFD_INIT, BFD_DIAG_NONE);
		else if (rs == BFD_INIT)
			bfd_change_state(s, now, BFD_UP, BFD_DIAG_NONE);
		break;
	case BFD_INIT:
		if (rs == BFD_INIT || rs == BFD_UP)
			bfd_change_state(s, now, BFD_UP, BFD_DIAG_NONE);
		break;
	case BFD_UP:
		if (rs == BFD_DOWN)
			bfd_change_state(s, now, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN);
		break;
	default:
		break;
	}
}

enum bfd_discard bfd_recv(struct bfd_session *s, uint64_t now, const struct bfd_ctrl *c)
{
	return bfd_recv_packet(s, now, c, NULL, 0);
}

enum bfd_discard bfd_recv_packet(struct bfd_session *s, uint64_t now, const struct bfd_ctrl *c,
				 const uint8_t *pkt, size_t len)
{
	enum bfd_discard why = BFD_OK;
	if (c->your_disc && c->your_disc != s->local_disc)
		why = BFD_UNKNOWN_SESSION;
	else
		why = bfd_auth_verify(&s->p.auth, pkt, len, c);
	/* Section 6.8.1: any number is taken again after twice the
	 * detection time without a good packet. */
	if (why == BFD_OK)
		why = bfd_auth_check_seq(&s->auth, s->p.auth.type, c->auth_seq, c->detect_mult, now,
					 2ull * bfd_detect_time_us(s));
	if (why != BFD_OK) {
		s->st.discards[why]++;
		return why;
	}
	s->st.rx++;
	s->remote_disc = c->my_disc;
	s->remote_state = c->state;
	s->remote_diag = c->diag;
	s->remote_mult = c->detect_mult;
	s->remote_min_tx_us = c->min_tx_us;
	uint32_t old_tx = bfd_tx_interval_us(s);
	s->remote_min_rx_us = c->min_rx_us;
	if ((c->flags & BFD_FLAG_FINAL) && s->polling) {
		s->polling = 0;
		s->eff_tx_us = s->desired_tx_us;
		s->eff_rx_us = s->req_rx_us;
	}
	if (!s->remote_min_rx_us)
		s->tx_at = 0;
	else if (!s->tx_at || bfd_tx_interval_us(s) < old_tx)
		arm_tx(s, now);
	if (s->state != BFD_ADMIN_DOWN)
		s->detect_at = now + bfd_detect_time_us(s);
	run_fsm(s, now, c->state);
	if (c->flags & BFD_FLAG_POLL)
		send_ctrl(s, 1);
	return BFD_OK;
}

void bfd_admin(struct bfd_session *s, uint64_t now, int down)
{
	if (down && s->state != BFD_ADMIN_DOWN) {
		s->detect_at = 0;
		bfd_change_state(s, now, BFD_ADMIN_DOWN, BFD_DIAG_ADMIN_DOWN);
	} else if (!down && s->state == BFD_ADMIN_DOWN) {
		bfd_change_state(s, now, BFD_DOWN, BFD_DIAG_NONE);
	}
}

void bfd_reconfigure(struct bfd_session *s, uint64_t now, const struct bfd_params *p)
{
	s->p = *p;
	update_intervals(s, now);
}

void bfd_tick(struct bfd_session *s, uint64_t now)
{
	if (s->detect_at && now >= s->detect_at) {
		s->detect_at = 0;
		/* Section 6.8.1: RemoteDiscr goes back to 0 when nothing is heard.
		 * RemoteSessionState is the latest the peer reported: a peer that
		 * went AdminDown and then quiet (FRR sends one such packet) stays
		 * AdminDown; any other silence reads Down. */
		s->remote_disc = 0;
		if (s->remote_state != BFD_ADMIN_DOWN)
			s->remote_state = BFD_DOWN;
		if (s->state == BFD_INIT || s->state == BFD_UP)
			bfd_change_state(s, now, BFD_DOWN, BFD_DIAG_TIME_EXPIRED);
	}
	if (s->tx_at && now >= s->tx_at) {
		send_ctrl(s, 0);
		arm_tx(s, now);
	}
}

uint64_t bfd_deadline(const struct bfd_session *s)
{
	uint64_t d = BFD_NO_DEADLINE;
	if (s->detect_at && s->detect_at < d)
		d = s->detect_at;
	if (s->tx_at && s->tx_at < d)
		d = s->tx_at;
	return d;
}
