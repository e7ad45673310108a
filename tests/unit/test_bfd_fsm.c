/* Unit tests of the BFD session (vrrpd/bfd.c) with a fake clock: two
 * sessions, A and B, joined by a wire that carries each packet through
 * bfd_packet_build and bfd_packet_parse, with a switch to cut each way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "vrrpd/bfd.h"

#define MS 1000ull
#define QMAX 64

struct end {
	struct bfd_session s;
	struct end *peer;
	int cut;                     /* drop what this end sends */
	struct bfd_ctrl q[QMAX];     /* sent, not yet delivered */
	int nq;
	struct bfd_ctrl last_sent;
	uint64_t sent, sent_poll, sent_final;
	int changes;
	enum bfd_state last_old, last_new;
	uint64_t tx_times[QMAX];
	int ntx;
};

static uint64_t now;

static void t_send(void *arg, const struct bfd_ctrl *c)
{
	struct end *e = arg;
	uint8_t wire[BFD_MAX_LEN];
	struct bfd_ctrl back;
	int n = bfd_packet_build(wire, sizeof(wire), c);
	assert_int_equal(n, BFD_HDR_LEN);
	assert_int_equal(bfd_packet_parse(wire, (size_t)n, 255, &back), BFD_OK);
	assert_false((c->flags & BFD_FLAG_POLL) && (c->flags & BFD_FLAG_FINAL));
	e->last_sent = back;
	e->sent++;
	e->sent_poll += !!(c->flags & BFD_FLAG_POLL);
	e->sent_final += !!(c->flags & BFD_FLAG_FINAL);
	if (e->ntx < QMAX)
		e->tx_times[e->ntx++] = now;
	if (!e->cut && e->nq < QMAX)
		e->q[e->nq++] = back;
}

static void t_changed(void *arg, enum bfd_state old, enum bfd_state nw)
{
	struct end *e = arg;
	e->changes++;
	e->last_old = old;
	e->last_new = nw;
}

static const struct bfd_ops ops = { .send = t_send, .changed = t_changed };

static struct end A, B;

static void setup(const struct bfd_params *pa, const struct bfd_params *pb)
{
	memset(&A, 0, sizeof(A));
	memset(&B, 0, sizeof(B));
	A.peer = &B;
	B.peer = &A;
	now = 1000 * MS;
	bfd_init(&A.s, pa, 0x0a0a0a0a, 1, &ops, &A);
	bfd_init(&B.s, pb, 0x0b0b0b0b, 2, &ops, &B);
}

/* Deliver what each end has sent so far (and what that causes), in order. */
static void deliver(void)
{
	for (int round = 0; round < 10 && (A.nq || B.nq); round++) {
		struct end *ends[2] = { &A, &B };
		for (int i = 0; i < 2; i++) {
			struct end *e = ends[i];
			int n = e->nq;
			struct bfd_ctrl q[QMAX];
			memcpy(q, e->q, sizeof(q[0]) * (size_t)n);
			e->nq = 0;
			for (int k = 0; k < n; k++)
				assert_int_equal(bfd_recv(&e->peer->s, now, &q[k]), BFD_OK);
		}
	}
}

/* Run both ends up to time t, firing timers in order and delivering at once. */
static void run_until(uint64_t t)
{
	for (int guard = 0; guard < 100000; guard++) {
		uint64_t da = bfd_deadline(&A.s), db = bfd_deadline(&B.s);
		uint64_t d = da < db ? da : db;
		if (d > t)
			break;
		now = d;
		bfd_tick(&A.s, now);
		bfd_tick(&B.s, now);
		deliver();
	}
	now = t;
}

static const struct bfd_params fast = { .min_tx_us = 10 * MS, .min_rx_us = 10 * MS, .mult = 3 };

static void bring_up(void)
{
	bfd_start(&A.s, now);
	deliver(); /* B hears Down: Init; A hears Init: Up; B hears Up: Up */
	bfd_start(&B.s, now);
	deliver();
}

static void test_three_way_up(void **state)
{
	(void)state;
	setup(&fast, &fast);
	assert_int_equal(A.s.state, BFD_DOWN);
	bfd_start(&A.s, now);
	/* While not Up, at least 1 s advertised (6.8.3), your disc 0. */
	assert_int_equal(A.last_sent.min_tx_us, BFD_SLOW_TX_US);
	assert_int_equal(A.last_sent.your_disc, 0);
	assert_int_equal(A.last_sent.state, BFD_DOWN);
	assert_int_equal(A.nq, 1);
	assert_int_equal(bfd_recv(&B.s, now, &A.q[0]), BFD_OK);
	A.nq = 0;
	assert_int_equal(B.s.state, BFD_INIT);
	assert_int_equal(B.last_sent.state, BFD_INIT);
	assert_int_equal(B.last_sent.your_disc, 0x0a0a0a0a);
	deliver();
	assert_int_equal(A.s.state, BFD_UP);
	assert_int_equal(B.s.state, BFD_UP);
	assert_int_equal(A.changes, 1); /* Down -> Up */
	assert_int_equal(B.changes, 2); /* Down -> Init -> Up */
	assert_int_equal(B.last_old, BFD_INIT);
	assert_int_equal(A.s.remote_disc, 0x0b0b0b0b);
	/* Once Up, both settle at 10 ms after a Poll Sequence. */
	run_until(now + 100 * MS);
	assert_int_equal(A.s.polling, 0);
	assert_int_equal(B.s.polling, 0);
	assert_true(A.sent_poll >= 1 && B.sent_final >= 1);
	assert_int_equal(bfd_tx_interval_us(&A.s), 10 * MS);
	assert_int_equal(bfd_detect_time_us(&A.s), 30 * MS);
	assert_int_equal(A.s.state, BFD_UP);
	assert_int_equal(B.s.state, BFD_UP);
	assert_false(bfd_failed(&A.s));
}

static void test_detection_timeout(void **state)
{
	(void)state;
	setup(&fast, &fast);
	bring_up();
	run_until(now + 200 * MS);
	assert_int_equal(A.s.state, BFD_UP);
	/* B's packets stop (B crashed, or its link was cut). */
	B.cut = 1;
	uint64_t last_rx = A.s.detect_at - 30 * MS;
	run_until(last_rx + 30 * MS - 1);
	assert_int_equal(A.s.state, BFD_UP);
	run_until(last_rx + 30 * MS);
	assert_int_equal(A.s.state, BFD_DOWN);
	assert_int_equal(A.s.diag, BFD_DIAG_TIME_EXPIRED);
	assert_int_equal(A.last_sent.diag, BFD_DIAG_TIME_EXPIRED);
	assert_int_equal(A.s.remote_disc, 0);
	assert_true(bfd_failed(&A.s));
	/* Down again: back to 1 s (6.8.3). */
	assert_int_equal(A.s.desired_tx_us, BFD_SLOW_TX_US);
	/* B hears Down from A and goes Down too, with diag 3. */
	assert_int_equal(B.s.state, BFD_DOWN);
	assert_int_equal(B.s.diag, BFD_DIAG_NEIGHBOR_DOWN);
	assert_false(bfd_failed(&B.s));
	/* The path comes back: up again. */
	B.cut = 0;
	run_until(now + 3000 * MS);
	assert_int_equal(A.s.state, BFD_UP);
	assert_int_equal(B.s.state, BFD_UP);
}

static void test_remote_admin_down(void **state)
{
	(void)state;
	setup(&fast, &fast);
	bring_up();
	run_until(now + 100 * MS);
	bfd_admin(&B.s, now, 1);
	assert_int_equal(B.s.state, BFD_ADMIN_DOWN);
	assert_int_equal(B.last_sent.state, BFD_ADMIN_DOWN);
	assert_int_equal(B.last_sent.diag, BFD_DIAG_ADMIN_DOWN);
	deliver();
	assert_int_equal(A.s.state, BFD_DOWN);
	assert_int_equal(A.s.diag, BFD_DIAG_NEIGHBOR_DOWN);
	assert_int_equal(A.s.remote_state, BFD_ADMIN_DOWN);
	assert_false(bfd_failed(&A.s));
	/* A does not come up while B stays AdminDown, and no timeout turns it
	 * into a failure while B keeps sending AdminDown. */
	run_until(now + 5000 * MS);
	assert_int_equal(A.s.state, BFD_DOWN);
	assert_false(bfd_failed(&A.s));
	bfd_admin(&B.s, now, 0);
	run_until(now + 3000 * MS);
	assert_int_equal(A.s.state, BFD_UP);
	assert_int_equal(B.s.state, BFD_UP);
}

/* A peer that says AdminDown once and then falls silent (FRR's bfdd on
 * "shutdown") is still reported AdminDown after the detection time, and its
 * silence is no failure. */
static void test_admin_down_then_silent(void **state)
{
	(void)state;
	setup(&fast, &fast);
	bring_up();
	run_until(now + 100 * MS);
	bfd_admin(&B.s, now, 1);
	deliver();
	B.cut = 1;
	assert_int_equal(A.s.remote_state, BFD_ADMIN_DOWN);
	/* past the detection time B's packet set (3 x 1 s: slow while not Up) */
	run_until(now + 5000 * MS);
	assert_int_equal(A.s.state, BFD_DOWN);
	assert_int_equal(A.s.remote_state, BFD_ADMIN_DOWN);
	assert_false(bfd_failed(&A.s));
}

static void test_negotiated_intervals(void **state)
{
	(void)state;
	const struct bfd_params pa = { .min_tx_us = 10 * MS, .min_rx_us = 50 * MS, .mult = 3 };
	const struct bfd_params pb = { .min_tx_us = 20 * MS, .min_rx_us = 10 * MS, .mult = 5 };
	setup(&pa, &pb);
	bring_up();
	/* Not Up yet on the wire's first exchange: 1 s each way. */
	run_until(now + 100 * MS);
	/* A sends at max(10, B's rx 10) = 10 ms; B at max(20, A's rx 50) = 50 ms. */
	assert_int_equal(bfd_tx_interval_us(&A.s), 10 * MS);
	assert_int_equal(bfd_tx_interval_us(&B.s), 50 * MS);
	/* A detects B after 5 x max(50, 20) = 250 ms; B detects A after 3 x max(10, 10). */
	assert_int_equal(bfd_detect_time_us(&A.s), 250 * MS);
	assert_int_equal(bfd_detect_time_us(&B.s), 30 * MS);
	/* Jitter (6.8.7): every gap between A's periodic packets is 75-100% of 10 ms. */
	A.ntx = 0;
	run_until(now + 300 * MS);
	assert_true(A.ntx > 20);
	for (int i = 1; i < A.ntx; i++) {
		uint64_t gap = A.tx_times[i] - A.tx_times[i - 1];
		if (gap == 0)
			continue; /* a Final answering a Poll, outside the timer */
		assert_true(gap >= 7500 && gap <= 10 * MS);
	}
	/* Slowing down while Up: the faster rate stays until the Final. */
	const struct bfd_params slow = { .min_tx_us = 40 * MS, .min_rx_us = 50 * MS, .mult = 3 };
	B.cut = 1;
	bfd_reconfigure(&A.s, now, &slow);
	assert_int_equal(A.s.polling, 1);
	assert_int_equal(bfd_tx_interval_us(&A.s), 10 * MS);
	run_until(now + 20 * MS);
	assert_int_equal(A.last_sent.flags & BFD_FLAG_POLL, BFD_FLAG_POLL);
	assert_int_equal(A.last_sent.min_tx_us, 40 * MS);
	B.cut = 0;
	run_until(now + 60 * MS);
	assert_int_equal(A.s.polling, 0);
	assert_int_equal(bfd_tx_interval_us(&A.s), 40 * MS);
	assert_int_equal(A.s.state, BFD_UP);
}

static void test_mult1_jitter(void **state)
{
	(void)state;
	const struct bfd_params p1 = { .min_tx_us = 10 * MS, .min_rx_us = 10 * MS, .mult = 1 };
	setup(&p1, &fast);
	bring_up();
	run_until(now + 100 * MS);
	A.ntx = 0;
	run_until(now + 300 * MS);
	assert_true(A.ntx > 20);
	for (int i = 1; i < A.ntx; i++) {
		uint64_t gap = A.tx_times[i] - A.tx_times[i - 1];
		if (gap)
			assert_true(gap >= 7500 && gap <= 9000);
	}
}

static void test_drops(void **state)
{
	(void)state;
	setup(&fast, &fast);
	struct bfd_ctrl c = { .state = BFD_UP, .detect_mult = 3, .my_disc = 5, .your_disc = 77,
			      .min_tx_us = 10 * MS, .min_rx_us = 10 * MS };
	assert_int_equal(bfd_recv(&A.s, now, &c), BFD_UNKNOWN_SESSION);
	c.your_disc = A.s.local_disc;
	c.flags = BFD_FLAG_AUTH;
	assert_int_equal(bfd_recv(&A.s, now, &c), BFD_AUTH_MISMATCH);
	assert_int_equal(A.s.st.discards[BFD_UNKNOWN_SESSION], 1);
	assert_int_equal(A.s.st.discards[BFD_AUTH_MISMATCH], 1);
	assert_int_equal(A.s.state, BFD_DOWN);
	/* Down hearing Up (not Init): stays Down. */
	c.flags = 0;
	assert_int_equal(bfd_recv(&A.s, now, &c), BFD_OK);
	assert_int_equal(A.s.state, BFD_DOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_way_up),
		cmocka_unit_test(test_detection_timeout),
		cmocka_unit_test(test_remote_admin_down),
		cmocka_unit_test(test_admin_down_then_silent),
		cmocka_unit_test(test_negotiated_intervals),
		cmocka_unit_test(test_mult1_jitter),
		cmocka_unit_test(test_drops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
