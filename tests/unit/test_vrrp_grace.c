/* Unit tests of graceful preemption in the VRRPv3 state machine
 * (vrrpd/vrrp.c: preempt_grace_us, vrrp_peer_bfd(), vrrp_yield()) on a fake
 * clock.  Two sides: a returning higher router that holds off its
 * preemption while the lower master can yield, and a lower master that
 * yields to a higher router coming back with a new BFD session. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "vrrpd/vrrp.h"

#define S 1000000ull
#define MS 1000ull

struct host {
	int adverts;
	uint8_t last_prio;
	int vips;
	int changes;
	enum vrrp_state last_to;
	enum vrrp_reason last_why;
	int yields;        /* ops->yield calls */
	uint64_t master_at; /* when it became master */
	uint64_t now;      /* the test's clock, for master_at */
};

static void h_send(void *arg, uint8_t prio)
{
	struct host *h = arg;
	h->adverts++;
	h->last_prio = prio;
}

static void h_vips(void *arg, int on)
{
	struct host *h = arg;
	assert_int_not_equal(h->vips, on);
	h->vips = on;
}

static void h_changed(void *arg, enum vrrp_state from, enum vrrp_state to, enum vrrp_reason why)
{
	struct host *h = arg;
	(void)from;
	h->changes++;
	h->last_to = to;
	h->last_why = why;
	if (to == VRRP_MASTER)
		h->master_at = h->now;
}

static void h_yield(void *arg)
{
	struct host *h = arg;
	h->yields++;
}

static const struct vrrp_ops ops = { h_send, h_vips, h_changed, NULL, h_yield };

static const uint8_t vip[4] = { 198, 51, 100, 100 };
static const uint8_t me[4] = { 198, 51, 100, 11 };
static const uint8_t peer[4] = { 198, 51, 100, 12 };
static const uint8_t stranger[4] = { 198, 51, 100, 66 };

#define GRACE (3 * S)

static void setup(struct vrrp *v, struct host *h, uint8_t prio, uint64_t grace)
{
	struct vrrp_params p = { .vrid = 51, .priority = prio, .adver_cs = 100, .preempt = 1,
				 .preempt_grace_us = grace };
	memset(h, 0, sizeof(*h));
	vrrp_init(v, &p, AF_INET, vip, 1, me, &ops, h);
}

static void hear(struct vrrp *v, uint64_t now, uint8_t prio, const uint8_t *src)
{
	struct packet_advert a = { .family = AF_INET, .vrid = 51, .priority = prio, .interval_cs = 100,
				   .naddr = 1, .addrs = vip };
	assert_int_equal(vrrp_recv(v, now, &a, src), PACKET_OK);
}

/* Fire the timers due up to `to`, the host's clock following. */
static void run(struct vrrp *v, struct host *h, uint64_t to)
{
	for (int guard = 0; guard < 100000; guard++) {
		uint64_t d = vrrp_deadline(v);
		if (d == VRRP_NO_DEADLINE || d > to)
			return;
		h->now = d;
		vrrp_tick(v, d);
	}
	fail_msg("timer loop did not settle");
}

/* A lower master advertising every second from `from` until `until` (or
 * until we are master), timers run in between. */
static void lower_master_adverts(struct vrrp *v, struct host *h, uint64_t from, uint64_t until)
{
	for (uint64_t t = from; t <= until && v->state == VRRP_BACKUP; t += S) {
		run(v, h, t);
		if (v->state != VRRP_BACKUP)
			return;
		h->now = t;
		hear(v, t, 100, peer);
	}
}

/* The returning router holds off while the lower master can yield; the
 * master's priority 0 hands over after Skew_Time, without a preemption. */
static void test_holds_off_then_master_yields(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 150, 10 * S);
	vrrp_peer_bfd(&v, 0, peer, 0, 0); /* the configured BFD peer, not Up yet */
	vrrp_start(&v, 1);
	vrrp_peer_bfd(&v, 500 * MS, peer, 1, 0x1234);
	/* 6 s of adverts: Master_Down_Interval (3.41 s) passes over */
	lower_master_adverts(&v, &h, 1 * S, 6 * S);
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_int_equal(v.st.grace_waits, 1);
	/* the master yields: priority 0 */
	h.now = 6 * S + 600 * MS;
	hear(&v, h.now, 0, peer);
	run(&v, &h, 10 * S);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_int_equal(h.last_why, VRRP_R_MASTER_LEFT);
	assert_true(h.master_at <= 6 * S + 600 * MS + vrrp_skew_us(&v));
	assert_int_equal(v.st.grace_expired, 0);
}

/* A master that never yields (stuck, or no graceful preemption in it) is
 * preempted after the grace plus at most Master_Down_Interval. */
static void test_grace_expires_then_preempts(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 150, GRACE);
	vrrp_peer_bfd(&v, 0, peer, 1, 0x1234);
	vrrp_start(&v, 1);
	lower_master_adverts(&v, &h, 1 * S, 30 * S);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_int_equal(h.last_why, VRRP_R_PREEMPT);
	assert_int_equal(v.st.grace_expired, 1);
	/* held off from the first advert (1 s) for the grace, then the RFC timer */
	assert_true(h.master_at >= 1 * S + GRACE);
	assert_true(h.master_at <= 1 * S + GRACE + vrrp_master_down_us(&v));
}

/* Without a BFD session Up to the master (keepalived has none): RFC 5798
 * preemption after Master_Down_Interval, grace or not. */
static void test_no_bfd_preempts_rfc(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 150, GRACE);
	vrrp_peer_bfd(&v, 0, peer, 0, 0);
	vrrp_start(&v, 1);
	lower_master_adverts(&v, &h, 1 * S, 30 * S);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_int_equal(h.last_why, VRRP_R_PREEMPT);
	assert_int_equal(v.st.grace_waits, 0);
	assert_true(h.master_at <= 1 + vrrp_master_down_us(&v));
}

/* BFD comes Up after the adverts were discarded (the RFC timer runs from
 * the start): the timer restarts then, so the master gets its chance. */
static void test_bfd_up_late_restarts_timer(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 150, GRACE);
	vrrp_peer_bfd(&v, 0, peer, 0, 0);
	vrrp_start(&v, 1);
	lower_master_adverts(&v, &h, 1 * S, 3 * S);
	uint64_t due = vrrp_deadline(&v);
	assert_true(due > 3 * S && due < 4 * S);
	vrrp_peer_bfd(&v, due - 10 * MS, peer, 1, 0x1234);
	run(&v, &h, due + 100 * MS);
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_int_equal(v.st.grace_waits, 1);
}

/* BFD going down during the hold-off ends it (the master may be dead: the
 * RFC timer, or BFD's own takeover, applies). */
static void test_bfd_down_ends_hold(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 150, 60 * S);
	vrrp_peer_bfd(&v, 0, peer, 1, 0x1234);
	vrrp_start(&v, 1);
	lower_master_adverts(&v, &h, 1 * S, 5 * S);
	assert_int_equal(v.state, VRRP_BACKUP);
	vrrp_peer_bfd(&v, 5 * S + 100 * MS, peer, 0, 0);
	lower_master_adverts(&v, &h, 6 * S, 30 * S);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_true(h.master_at <= 6 * S + vrrp_master_down_us(&v));
}

/* Grace 0: RFC 5798 as before. */
static void test_grace_off(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 150, 0);
	vrrp_peer_bfd(&v, 0, peer, 1, 0x1234);
	vrrp_start(&v, 1);
	lower_master_adverts(&v, &h, 1 * S, 30 * S);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_true(h.master_at <= 1 + vrrp_master_down_us(&v));
}

/* The lower side: master after the higher router handed over to it. */
static void master_after_handover(struct vrrp *v, struct host *h, uint64_t grace)
{
	setup(v, h, 100, grace);
	vrrp_peer_bfd(v, 0, peer, 1, 0xaaaa);
	vrrp_start(v, 1);
	for (uint64_t t = 1 * S; t <= 3 * S; t += S)
		hear(v, t, 150, peer);
	assert_int_equal(v->state, VRRP_BACKUP);
	hear(v, 3 * S + 500 * MS, 0, peer); /* vrrpctl handover on the peer */
	run(v, h, 5 * S);
	assert_int_equal(v->state, VRRP_MASTER);
	assert_int_equal(h->yields, 0);
}

/* The higher router comes back with a new BFD session: yield once, and
 * after the drain give the addresses up with priority 0. */
static void test_master_yields_to_returning_router(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	master_after_handover(&v, &h, GRACE);
	vrrp_peer_bfd(&v, 10 * S, peer, 0, 0); /* its vrrpd stops */
	vrrp_peer_bfd(&v, 20 * S, peer, 1, 0xbbbb); /* and comes back */
	assert_int_equal(h.yields, 1);
	vrrp_peer_bfd(&v, 20 * S + 10 * MS, peer, 1, 0xbbbb); /* no second request */
	assert_int_equal(h.yields, 1);
	assert_int_equal(v.state, VRRP_MASTER);
	h.adverts = 0;
	assert_int_equal(vrrp_yield(&v, 20 * S + 400 * MS), 1);
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_int_equal(h.last_why, VRRP_R_YIELD);
	assert_int_equal(h.adverts, 1);
	assert_int_equal(h.last_prio, 0);
	assert_int_equal(h.vips, 0);
	assert_int_equal(v.priority, 100); /* at its own priority: it takes over should the peer fail */
	assert_int_equal(v.st.yields, 1);
	/* a second call does nothing */
	assert_int_equal(vrrp_yield(&v, 20 * S + 500 * MS), 0);
}

/* The old session coming Up again (a BFD flap, the peer held back by a
 * handover all along) is not a return: no yield. */
static void test_master_ignores_flap(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	master_after_handover(&v, &h, GRACE);
	vrrp_peer_bfd(&v, 10 * S, peer, 0, 0);
	vrrp_peer_bfd(&v, 11 * S, peer, 1, 0xaaaa);
	assert_int_equal(h.yields, 0);
}

/* A router whose priority was never heard, or a lower one, is not yielded
 * to; nor is anyone when graceful preemption is off here. */
static void test_master_no_yield(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	/* never heard */
	setup(&v, &h, 100, GRACE);
	vrrp_peer_bfd(&v, 0, peer, 0, 0);
	vrrp_start(&v, 1);
	run(&v, &h, 5 * S);
	assert_int_equal(v.state, VRRP_MASTER);
	vrrp_peer_bfd(&v, 6 * S, peer, 1, 0xbbbb);
	assert_int_equal(h.yields, 0);
	/* lower */
	setup(&v, &h, 100, GRACE);
	vrrp_peer_bfd(&v, 0, peer, 1, 0xaaaa);
	vrrp_start(&v, 1);
	hear(&v, 1 * S, 90, peer);
	run(&v, &h, 5 * S);
	assert_int_equal(v.state, VRRP_MASTER);
	vrrp_peer_bfd(&v, 6 * S, peer, 0, 0);
	vrrp_peer_bfd(&v, 7 * S, peer, 1, 0xbbbb);
	assert_int_equal(h.yields, 0);
	/* grace off */
	master_after_handover(&v, &h, 0);
	vrrp_peer_bfd(&v, 10 * S, peer, 0, 0);
	vrrp_peer_bfd(&v, 20 * S, peer, 1, 0xbbbb);
	assert_int_equal(h.yields, 0);
}

/* The router went away during the drain: keep the addresses. */
static void test_yield_cancelled(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	master_after_handover(&v, &h, GRACE);
	vrrp_peer_bfd(&v, 10 * S, peer, 0, 0);
	vrrp_peer_bfd(&v, 20 * S, peer, 1, 0xbbbb);
	assert_int_equal(h.yields, 1);
	vrrp_peer_bfd(&v, 20 * S + 100 * MS, peer, 0, 0);
	h.adverts = 0;
	assert_int_equal(vrrp_yield(&v, 20 * S + 400 * MS), 0);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_int_equal(h.adverts, 0);
	assert_int_equal(v.st.yields_cancelled, 1);
}

/* Preempted the RFC way while draining (the grace ran out over there):
 * the late vrrp_yield() does nothing. */
static void test_yield_after_preempted(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	master_after_handover(&v, &h, GRACE);
	vrrp_peer_bfd(&v, 10 * S, peer, 0, 0);
	vrrp_peer_bfd(&v, 20 * S, peer, 1, 0xbbbb);
	hear(&v, 21 * S, 150, peer);
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_int_equal(h.last_why, VRRP_R_PREEMPTED);
	assert_int_equal(vrrp_yield(&v, 22 * S), 0);
	assert_int_equal(v.st.yields, 0);
}

/* Adverts from a source without a BFD session take no slot and count for
 * nothing: a stranger cannot make itself a router to yield to. */
static void test_strangers_not_remembered(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 100, GRACE);
	vrrp_start(&v, 1);
	for (int i = 0; i < 20; i++)
		hear(&v, 1 * S + (uint64_t)i * MS, 90, stranger);
	assert_int_equal(v.npeers, 0);
	/* BFD to it then (were it configured) knows no priority: no yield */
	run(&v, &h, 10 * S);
	assert_int_equal(v.state, VRRP_MASTER);
	vrrp_peer_bfd(&v, 11 * S, stranger, 1, 0x77);
	assert_int_equal(h.yields, 0);
}

int main(void)
{
	log_init("test", 1, LOG_WARNING);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_holds_off_then_master_yields),
		cmocka_unit_test(test_grace_expires_then_preempts),
		cmocka_unit_test(test_no_bfd_preempts_rfc),
		cmocka_unit_test(test_bfd_up_late_restarts_timer),
		cmocka_unit_test(test_bfd_down_ends_hold),
		cmocka_unit_test(test_grace_off),
		cmocka_unit_test(test_master_yields_to_returning_router),
		cmocka_unit_test(test_master_ignores_flap),
		cmocka_unit_test(test_master_no_yield),
		cmocka_unit_test(test_yield_cancelled),
		cmocka_unit_test(test_yield_after_preempted),
		cmocka_unit_test(test_strangers_not_remembered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
