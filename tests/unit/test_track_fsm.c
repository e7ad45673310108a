/* Unit tests of when a track checks and what it concludes
 * (vrrpd/track_fsm.c) on a fake clock: the host side records what the
 * machine asked for and answers the checks the test chooses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "vrrpd/track_fsm.h"

#define MS 1000ull
#define S 1000000ull

struct host {
	int starts, cancels, changes;
	int running;               /* a started check not answered nor cancelled */
	int sync;                  /* start answers at once with sync_result */
	enum track_result sync_result;
	int up;                    /* last changed() */
	enum track_result why;
	uint64_t start_at[64];     /* fake clock at each start */
	uint64_t now;
};

static int h_start(void *arg, enum track_result *r)
{
	struct host *h = arg;
	assert_int_equal(h->running, 0); /* never two at once */
	if (h->starts < 64)
		h->start_at[h->starts] = h->now;
	h->starts++;
	if (h->sync) {
		*r = h->sync_result;
		return 0;
	}
	h->running = 1;
	return 1;
}

static void h_cancel(void *arg)
{
	struct host *h = arg;
	assert_int_equal(h->running, 1);
	h->running = 0;
	h->cancels++;
}

static void h_changed(void *arg, int up, enum track_result r)
{
	struct host *h = arg;
	assert_int_not_equal(h->up, up); /* transitions only */
	h->up = up;
	h->why = r;
	h->changes++;
}

static const struct track_fsm_ops ops = { h_start, h_cancel, h_changed };

/* The shipped lbd track: interval 1s, timeout 200ms, fast-interval 50ms, fall 2. */
static void setup(struct track_fsm *f, struct host *h, uint64_t fast_us, int refused_down)
{
	struct track_fsm_params p = { .interval_us = 1 * S, .fast_us = fast_us, .timeout_us = 200 * MS,
				      .rise = 2, .fall = 2, .refused_down = refused_down };
	memset(h, 0, sizeof(*h));
	h->up = 1;
	track_fsm_init(f, &p, 1, TRACK_OK, 50 * MS, &ops, h);
}

/* Advance the fake clock to `to`, firing every deadline on the way as the
 * host's timer would. */
static void run_to(struct track_fsm *f, struct host *h, uint64_t to)
{
	for (int guard = 0; guard < 10000; guard++) {
		uint64_t d = track_fsm_deadline(f);
		if (d > to)
			break;
		h->now = d > h->now ? d : h->now;
		track_fsm_tick(f, h->now);
	}
	h->now = to;
}

/* Answer the running check at the current time. */
static void answer(struct track_fsm *f, struct host *h, enum track_result r)
{
	assert_int_equal(h->running, 1);
	h->running = 0;
	track_fsm_result(f, h->now, r);
}

static void test_periodic_while_ok(void **state)
{
	struct track_fsm f;
	struct host h;
	(void)state;
	setup(&f, &h, 50 * MS, 0);
	for (int i = 0; i < 5; i++) {
		run_to(&f, &h, 50 * MS + i * S);
		assert_int_equal(h.starts, i + 1);
		h.now += 3 * MS; /* answered in 3 ms */
		answer(&f, &h, TRACK_OK);
		/* the next starts one interval after this one started */
		assert_int_equal(track_fsm_deadline(&f), 50 * MS + (uint64_t)(i + 1) * S);
	}
	assert_int_equal(h.changes, 0);
	assert_int_equal(f.checks, 5);
	assert_int_equal(f.last, TRACK_OK);
}

/* Wedged: every check times out.  With fast-interval the second failure
 * comes within interval + 2 x timeout + fast-interval of the last good
 * check's start, not 2 x interval + timeout. */
static void test_wedge_fast_recheck(void **state)
{
	struct track_fsm f;
	struct host h;
	(void)state;
	setup(&f, &h, 50 * MS, 0);
	run_to(&f, &h, 50 * MS);
	h.now += 1 * MS;
	answer(&f, &h, TRACK_OK);
	uint64_t good = 50 * MS;
	/* the service wedges now; nothing answers any more */
	run_to(&f, &h, good + 1 * S + 199 * MS);
	assert_int_equal(h.starts, 2);
	assert_int_equal(h.cancels, 0);
	run_to(&f, &h, good + 1 * S + 200 * MS); /* first timeout */
	assert_int_equal(h.cancels, 1);
	assert_int_equal(h.up, 1);
	assert_int_equal(f.last, TRACK_TIMEOUT);
	assert_int_equal(track_fsm_deadline(&f), good + 1 * S + 250 * MS); /* fast re-check */
	run_to(&f, &h, good + 1 * S + 449 * MS);
	assert_int_equal(h.starts, 3);
	assert_int_equal(h.up, 1);
	run_to(&f, &h, good + 1 * S + 450 * MS); /* second timeout: down */
	assert_int_equal(h.changes, 1);
	assert_int_equal(h.up, 0);
	assert_int_equal(h.why, TRACK_TIMEOUT);
	/* down: back to the regular interval, from the last start */
	assert_int_equal(track_fsm_deadline(&f), good + 2 * S + 250 * MS);
}

/* Without fast-interval (it defaults to the interval) the schedule is the
 * old one: fall x interval + timeout. */
static void test_wedge_default_schedule(void **state)
{
	struct track_fsm f;
	struct host h;
	(void)state;
	setup(&f, &h, 1 * S, 0);
	run_to(&f, &h, 50 * MS);
	answer(&f, &h, TRACK_OK);
	run_to(&f, &h, 50 * MS + 1 * S + 200 * MS);
	assert_int_equal(h.cancels, 1);
	assert_int_equal(track_fsm_deadline(&f), 50 * MS + 2 * S); /* regular, not later */
	run_to(&f, &h, 50 * MS + 2 * S + 199 * MS);
	assert_int_equal(h.up, 1);
	run_to(&f, &h, 50 * MS + 2 * S + 200 * MS);
	assert_int_equal(h.up, 0);
}

/* A brief stall (shorter than the timeout) answers late but in time:
 * nothing fails, nothing changes. */
static void test_slow_answer_in_time(void **state)
{
	struct track_fsm f;
	struct host h;
	(void)state;
	setup(&f, &h, 50 * MS, 0);
	for (int i = 0; i < 4; i++) {
		run_to(&f, &h, 50 * MS + i * S + 190 * MS);
		answer(&f, &h, TRACK_OK);
	}
	assert_int_equal(h.cancels, 0);
	assert_int_equal(h.changes, 0);
	assert_int_equal(f.fail_run, 0);
}

/* One failure, then a success: the run is broken and the schedule goes back
 * to the regular interval. */
static void test_single_failure_forgiven(void **state)
{
	struct track_fsm f;
	struct host h;
	(void)state;
	setup(&f, &h, 50 * MS, 0);
	run_to(&f, &h, 50 * MS);
	answer(&f, &h, TRACK_OK);
	run_to(&f, &h, 50 * MS + 1 * S + 200 * MS); /* timeout */
	assert_int_equal(f.fail_run, 1);
	run_to(&f, &h, 50 * MS + 1 * S + 250 * MS);
	assert_int_equal(h.starts, 3);
	h.now += 2 * MS;
	answer(&f, &h, TRACK_OK);
	assert_int_equal(f.fail_run, 0);
	assert_int_equal(h.changes, 0);
	assert_int_equal(track_fsm_deadline(&f), 50 * MS + 2 * S + 250 * MS);
	/* a later single failure does not add to the old one */
	run_to(&f, &h, 50 * MS + 2 * S + 450 * MS);
	assert_int_equal(f.fail_run, 1);
	assert_int_equal(h.up, 1);
}

/* Refused (nothing listens): counted like any failure by default, each
 * re-checked fast; with on-refused down the first one is enough. */
static void test_refused(void **state)
{
	struct track_fsm f;
	struct host h;
	(void)state;
	setup(&f, &h, 50 * MS, 0);
	run_to(&f, &h, 50 * MS);
	answer(&f, &h, TRACK_OK);
	run_to(&f, &h, 50 * MS + 1 * S);
	answer(&f, &h, TRACK_REFUSED);
	assert_int_equal(h.up, 1);
	assert_int_equal(track_fsm_deadline(&f), 50 * MS + 1 * S + 50 * MS);
	run_to(&f, &h, 50 * MS + 1 * S + 50 * MS);
	answer(&f, &h, TRACK_REFUSED);
	assert_int_equal(h.up, 0);
	assert_int_equal(h.why, TRACK_REFUSED);

	setup(&f, &h, 50 * MS, 1);
	run_to(&f, &h, 50 * MS);
	answer(&f, &h, TRACK_OK);
	run_to(&f, &h, 50 * MS + 1 * S);
	answer(&f, &h, TRACK_TIMEOUT); /* a timeout still counts one of fall */
	assert_int_equal(h.up, 1);
	assert_int_equal(h.changes, 0);

	setup(&f, &h, 50 * MS, 1);
	run_to(&f, &h, 50 * MS);
	answer(&f, &h, TRACK_REFUSED); /* one refusal: down at once */
	assert_int_equal(h.up, 0);
	assert_int_equal(f.fail_run, 1);
}

/* Coming back: rise successes at the regular interval (the fast re-check
 * is for failures only). */
static void test_rise(void **state)
{
	struct track_fsm f;
	struct host h;
	struct track_fsm_params p = { .interval_us = 1 * S, .fast_us = 50 * MS, .timeout_us = 200 * MS,
				      .rise = 2, .fall = 2 };
	(void)state;
	memset(&h, 0, sizeof(h));
	track_fsm_init(&f, &p, 0, TRACK_REFUSED, 0, &ops, &h);
	run_to(&f, &h, 0);
	answer(&f, &h, TRACK_REFUSED);
	assert_int_equal(track_fsm_deadline(&f), 1 * S); /* down already: no fast re-check */
	run_to(&f, &h, 1 * S);
	answer(&f, &h, TRACK_OK);
	assert_int_equal(h.up, 0);
	assert_int_equal(track_fsm_deadline(&f), 2 * S);
	run_to(&f, &h, 2 * S);
	answer(&f, &h, TRACK_OK);
	assert_int_equal(h.up, 1);
	assert_int_equal(h.why, TRACK_OK);
	assert_int_equal(h.changes, 1);
}

/* A check that answers at once (file) and a state (interface link). */
static void test_sync_and_states(void **state)
{
	struct track_fsm f;
	struct host h;
	(void)state;
	setup(&f, &h, 50 * MS, 0);
	h.sync = 1;
	h.sync_result = TRACK_MISSING;
	run_to(&f, &h, 50 * MS);
	assert_int_equal(h.starts, 1);
	assert_int_equal(h.up, 1);
	assert_int_equal(track_fsm_deadline(&f), 100 * MS);
	run_to(&f, &h, 100 * MS);
	assert_int_equal(h.up, 0);
	assert_int_equal(h.why, TRACK_MISSING);

	struct track_fsm_params p = { .interval_us = 0, .fast_us = 0, .timeout_us = 1 * S,
				      .rise = 5, .fall = 5, .states = 1 };
	memset(&h, 0, sizeof(h));
	h.up = 1;
	h.sync = 1;
	h.sync_result = TRACK_LINK_DOWN;
	track_fsm_init(&f, &p, 1, TRACK_OK, 10 * MS, &ops, &h);
	run_to(&f, &h, 10 * MS);
	assert_int_equal(h.up, 0); /* the first look decides, fall 5 or not */
	assert_int_equal(track_fsm_deadline(&f), TRACK_FSM_NEVER);
	track_fsm_set(&f, 20 * MS, TRACK_OK);
	assert_int_equal(h.up, 1);
	track_fsm_set(&f, 30 * MS, TRACK_LINK_DOWN);
	assert_int_equal(h.up, 0);
	assert_int_equal(h.changes, 3);
}

/* A result for no running check (a late answer after the deadline
 * cancelled it) changes nothing. */
static void test_late_result_ignored(void **state)
{
	struct track_fsm f;
	struct host h;
	(void)state;
	setup(&f, &h, 50 * MS, 0);
	run_to(&f, &h, 250 * MS); /* timeout of the first */
	assert_int_equal(h.cancels, 1);
	uint64_t checks = f.checks;
	track_fsm_result(&f, 260 * MS, TRACK_OK);
	assert_int_equal(f.checks, checks);
	assert_int_equal(f.fail_run, 1);
	for (int i = 0; i < TRACK_RESULT_MAX; i++)
		assert_non_null(track_result_names[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_periodic_while_ok),
		cmocka_unit_test(test_wedge_fast_recheck),
		cmocka_unit_test(test_wedge_default_schedule),
		cmocka_unit_test(test_slow_answer_in_time),
		cmocka_unit_test(test_single_failure_forgiven),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_rise),
		cmocka_unit_test(test_sync_and_states),
		cmocka_unit_test(test_late_result_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
