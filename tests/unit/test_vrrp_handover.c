/* Unit tests of the planned handover (vrrpd/handover.c, and vrrp_release()
 * in vrrpd/vrrp.c) on a fake clock: the host is a recorder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "vrrpd/handover.h"
#include "vrrpd/vrrp.h"

#define S 1000000ull
#define MS 1000ull

struct host {
	char sent[16][48];
	int nsent;
	int released;
	int finished;
};

static void h_send(void *arg, const char *cmd)
{
	struct host *h = arg;
	if (h->nsent < 16)
		snprintf(h->sent[h->nsent], sizeof(h->sent[0]), "%s", cmd);
	h->nsent++;
}

static void h_release(void *arg)
{
	struct host *h = arg;
	assert_int_equal(h->finished, 0); /* the addresses go before it is over */
	h->released++;
}

static void h_finished(void *arg)
{
	struct host *h = arg;
	h->finished++;
}

static const struct handover_ops ops = { h_send, h_release, h_finished };

static void test_drains_then_releases(void **state)
{
	(void)state;
	struct handover ho;
	struct host h = { 0 };
	handover_init(&ho, &ops, &h);
	assert_int_equal(handover_deadline(&ho), UINT64_MAX);
	assert_int_equal(handover_start(&ho, 1 * S, 1, 10 * S), 0);
	assert_int_equal(h.nsent, 1);
	assert_string_equal(h.sent[0], "quiesce 15"); /* our timeout + the margin */
	assert_int_equal(handover_start(&ho, 1 * S, 1, 10 * S), -EALREADY);
	/* nothing is polled while the answer is awaited */
	handover_tick(&ho, 1 * S + 500 * MS);
	assert_int_equal(h.nsent, 1);
	handover_lbd_reply(&ho, 1 * S + 2 * MS, 3, 3);
	assert_int_equal(ho.conns_first, 3);
	assert_int_equal(handover_deadline(&ho), 1 * S + 2 * MS + HANDOVER_POLL_US);
	handover_tick(&ho, handover_deadline(&ho));
	assert_string_equal(h.sent[1], "quiesce status");
	handover_lbd_reply(&ho, 1 * S + 30 * MS, 0, 0);
	assert_int_equal(h.released, 0); /* one zero is not enough */
	handover_tick(&ho, handover_deadline(&ho));
	handover_lbd_reply(&ho, 1 * S + 60 * MS, 1, 1); /* a connection came from the backlog */
	handover_tick(&ho, handover_deadline(&ho));
	handover_lbd_reply(&ho, 1 * S + 90 * MS, 0, 0);
	handover_tick(&ho, handover_deadline(&ho));
	assert_int_equal(h.released, 0);
	handover_lbd_reply(&ho, 1 * S + 120 * MS, 0, 0);
	/* drained: the last moment, lbd drops new SYNs, two more polls */
	assert_int_equal(h.released, 0);
	assert_string_equal(h.sent[h.nsent - 1], "quiesce close");
	assert_int_equal(handover_deadline(&ho), ho.deadline_us); /* the answer is awaited */
	handover_lbd_reply(&ho, 1 * S + 121 * MS, 0, 0);
	assert_int_equal(h.released, 0);
	handover_tick(&ho, handover_deadline(&ho));
	assert_string_equal(h.sent[h.nsent - 1], "quiesce status");
	handover_lbd_reply(&ho, 1 * S + 142 * MS, 0, 0);
	assert_int_equal(h.released, 1);
	assert_int_equal(h.finished, 1);
	assert_int_equal(ho.phase, HANDOVER_DONE);
	assert_int_equal(ho.outcome, HANDOVER_DRAINED);
	assert_string_equal(h.sent[h.nsent - 1], "quiesce off");
	assert_int_equal(ho.released_us - ho.started_us, 142 * MS);
	assert_int_equal(handover_deadline(&ho), UINT64_MAX);
	/* a late answer changes nothing */
	handover_lbd_reply(&ho, 2 * S, 0, 0);
	assert_int_equal(h.released, 1);
	/* and it can run again */
	assert_int_equal(handover_start(&ho, 5 * S, 1, 10 * S), 0);
	assert_int_equal(ho.phase, HANDOVER_DRAINING);
}

/* Connections idle between requests (or silent) do not hold the VIP past
 * the time lbd takes to close them: only those with a request in flight do. */
static void test_idle_connections_do_not_hold(void **state)
{
	(void)state;
	struct handover ho;
	struct host h = { 0 };
	handover_init(&ho, &ops, &h);
	handover_start(&ho, 0, 1, 2 * S);
	handover_lbd_reply(&ho, 1 * MS, 5, 1);
	uint64_t now = 1 * MS;
	for (int i = 0; i < 100 && !h.released; i++) {
		if (!ho.waiting) {
			now = handover_deadline(&ho);
			handover_tick(&ho, now);
		}
		now += 1 * MS;
		handover_lbd_reply(&ho, now, 3, 0); /* 3 idle (or silent) ones, none busy */
		if (now < HANDOVER_IDLE_GRACE_US)
			assert_int_equal(h.released, 0);
	}
	assert_int_equal(h.released, 1);
	assert_int_equal(ho.outcome, HANDOVER_DRAINED);
	assert_int_equal(ho.conns, 3);
	assert_int_equal(ho.busy, 0);
	assert_true(ho.released_us >= HANDOVER_IDLE_GRACE_US);
	assert_true(ho.released_us < HANDOVER_IDLE_GRACE_US + 3 * HANDOVER_POLL_US + 4 * MS);
	assert_int_equal(ho.closing, 1);
	/* no connection at all: two polls are enough */
	memset(&h, 0, sizeof(h));
	handover_start(&ho, 10 * S, 1, 2 * S);
	handover_lbd_reply(&ho, 10 * S + 1 * MS, 0, 0);
	handover_tick(&ho, handover_deadline(&ho));
	handover_lbd_reply(&ho, 10 * S + 22 * MS, 0, 0);
	assert_string_equal(h.sent[h.nsent - 1], "quiesce close");
	handover_lbd_reply(&ho, 10 * S + 23 * MS, 0, 0);
	handover_tick(&ho, handover_deadline(&ho));
	handover_lbd_reply(&ho, 10 * S + 44 * MS, 0, 0);
	assert_int_equal(h.released, 1);
	assert_int_equal(ho.released_us - ho.started_us, 44 * MS);
	/* an lbd that refuses "quiesce close" (older): released, its quiesce ended */
	memset(&h, 0, sizeof(h));
	handover_start(&ho, 20 * S, 1, 2 * S);
	handover_lbd_reply(&ho, 20 * S + 1 * MS, 0, 0);
	handover_tick(&ho, handover_deadline(&ho));
	handover_lbd_reply(&ho, 20 * S + 22 * MS, 0, 0);
	handover_lbd_failed(&ho, 20 * S + 23 * MS);
	assert_int_equal(h.released, 1);
	assert_int_equal(ho.outcome, HANDOVER_DRAINED);
	assert_string_equal(h.sent[h.nsent - 1], "quiesce off");
}

static void test_times_out(void **state)
{
	(void)state;
	struct handover ho;
	struct host h = { 0 };
	handover_init(&ho, &ops, &h);
	handover_start(&ho, 0, 1, 2 * S);
	uint64_t now = 0;
	for (int i = 0; i < 1000 && ho.phase == HANDOVER_DRAINING; i++) {
		now = handover_deadline(&ho);
		handover_tick(&ho, now);
		if (ho.waiting)
			handover_lbd_reply(&ho, now + 1 * MS, 7, 1); /* a request that never ends */
	}
	assert_int_equal(ho.outcome, HANDOVER_TIMED_OUT);
	assert_int_equal(ho.released_us, 2 * S);
	assert_int_equal(h.released, 1);
	assert_string_equal(h.sent[(h.nsent < 16 ? h.nsent : 16) - 1], "quiesce off");
}

static void test_lbd_unreachable_or_none(void **state)
{
	(void)state;
	struct handover ho;
	struct host h = { 0 };
	handover_init(&ho, &ops, &h);
	handover_start(&ho, 0, 1, 10 * S);
	handover_lbd_failed(&ho, 5 * MS);
	assert_int_equal(ho.outcome, HANDOVER_LBD_FAILED);
	assert_int_equal(h.released, 1);
	assert_int_equal(h.nsent, 1); /* no "quiesce off" to an lbd that did not answer */
	memset(&h, 0, sizeof(h));
	handover_start(&ho, 1 * S, 0, 10 * S);
	assert_int_equal(ho.outcome, HANDOVER_NO_LBD);
	assert_int_equal(h.released, 1);
	assert_int_equal(h.nsent, 0);
}

static void test_parse_reply(void **state)
{
	(void)state;
	int64_t n = -1, b = -1;
	const char *ok = "{\"ok\":true,\"quiesced\":true,\"conns\":12,\"left_ms\":15000}";
	assert_int_equal(handover_parse_reply(ok, strlen(ok), &n, &b), 0);
	assert_int_equal(n, 12);
	assert_int_equal(b, 12); /* an lbd without "busy": every connection counts */
	const char *busy = "{\"ok\":true,\"quiesced\":true,\"conns\":12,\"busy\":2,\"left_ms\":15000}";
	assert_int_equal(handover_parse_reply(busy, strlen(busy), &n, &b), 0);
	assert_int_equal(n, 12);
	assert_int_equal(b, 2);
	const char *badbusy = "{\"ok\":true,\"conns\":1,\"busy\":-1}";
	assert_int_equal(handover_parse_reply(badbusy, strlen(badbusy), &n, &b), -1);
	const char *no = "{\"ok\":false,\"error\":\"unknown command 'quiesce', try 'help'\"}";
	assert_int_equal(handover_parse_reply(no, strlen(no), &n, &b), -1);
	const char *cut = "{\"ok\":true,\"conns\":";
	assert_int_equal(handover_parse_reply(cut, strlen(cut), &n, &b), -1);
	/* the length bounds the reading: a cut object is refused */
	assert_int_equal(handover_parse_reply(ok, 30, &n, &b), -1);
	const char *neg = "{\"ok\":true,\"conns\":-1}";
	assert_int_equal(handover_parse_reply(neg, strlen(neg), &n, &b), -1);
}

/* ---- vrrp_release() ---------------------------------------------------- */

struct vhost {
	int adverts;
	uint8_t prios[16];
	int vips;
	enum vrrp_reason why;
};

static void v_send(void *arg, uint8_t prio)
{
	struct vhost *h = arg;
	if (h->adverts < 16)
		h->prios[h->adverts] = prio;
	h->adverts++;
}

static void v_vips(void *arg, int on)
{
	((struct vhost *)arg)->vips = on;
}

static void v_changed(void *arg, enum vrrp_state from, enum vrrp_state to, enum vrrp_reason why)
{
	(void)from; (void)to;
	((struct vhost *)arg)->why = why;
}

static const struct vrrp_ops vops = { v_send, v_vips, v_changed, NULL, NULL };
static const uint8_t vip[4] = { 198, 51, 100, 100 };
static const uint8_t me[4] = { 198, 51, 100, 11 };
static const uint8_t peer[4] = { 198, 51, 100, 12 };

static void hear(struct vrrp *v, uint64_t now, uint8_t prio)
{
	struct packet_advert a = { .family = AF_INET, .vrid = 51, .priority = prio, .interval_cs = 100,
				   .naddr = 1, .addrs = vip };
	assert_int_equal(vrrp_recv(v, now, &a, peer), PACKET_OK);
}

static void test_release_holds_back(void **state)
{
	(void)state;
	struct vrrp v;
	struct vhost h = { 0 };
	struct vrrp_params p = { .vrid = 51, .priority = 100, .adver_cs = 100, .preempt = 1 };
	vrrp_init(&v, &p, AF_INET, vip, 1, me, &vops, &h);
	vrrp_start(&v, 0);
	vrrp_tick(&v, vrrp_deadline(&v));
	assert_int_equal(v.state, VRRP_MASTER);
	int before = h.adverts;
	vrrp_release(&v, 4 * S, 1);
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_int_equal(h.why, VRRP_R_HANDOVER);
	assert_int_equal(h.adverts, before + 1);
	assert_int_equal(h.prios[before], 0); /* priority 0: the backup takes over after Skew_Time */
	assert_int_equal(h.vips, 0);
	assert_int_equal(v.priority, 1);
	/* the new master (90) is heard: no preemption from priority 1 */
	for (uint64_t t = 5 * S; t < 20 * S; t += S) {
		hear(&v, t, 90);
		if (vrrp_deadline(&v) <= t)
			vrrp_tick(&v, t);
	}
	assert_int_equal(v.state, VRRP_BACKUP);
	/* should the new master go silent, the held-back node still takes over */
	uint64_t d = vrrp_deadline(&v);
	assert_int_equal(d, 19 * S + vrrp_master_down_us(&v));
	vrrp_tick(&v, d);
	assert_int_equal(v.state, VRRP_MASTER);
	/* a backup only takes the priority */
	vrrp_init(&v, &p, AF_INET, vip, 1, me, &vops, &h);
	vrrp_start(&v, 0);
	h.adverts = 0;
	vrrp_release(&v, 1 * S, 1);
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_int_equal(h.adverts, 0);
	assert_int_equal(v.priority, 1);
}

int main(void)
{
	log_init("test", 1, LOG_WARNING);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drains_then_releases),
		cmocka_unit_test(test_idle_connections_do_not_hold),
		cmocka_unit_test(test_times_out),
		cmocka_unit_test(test_lbd_unreachable_or_none),
		cmocka_unit_test(test_parse_reply),
		cmocka_unit_test(test_release_holds_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
