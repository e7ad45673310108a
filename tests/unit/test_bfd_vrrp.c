/* Unit tests of what BFD does to the VRRP state machine (vrrpd/vrrp.c,
 * issue 19) on a fake clock: a failure reported soon after an advert is
 * not believed, and a master asked to advertise at once does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "vrrpd/vrrp.h"

#define S 1000000ull
#define MS 1000ull

struct host {
	int adverts, vips, changes;
};

static void h_send(void *arg, uint8_t prio)
{
	(void)prio;
	((struct host *)arg)->adverts++;
}

static void h_vips(void *arg, int on)
{
	((struct host *)arg)->vips = on;
}

static void h_changed(void *arg, enum vrrp_state from, enum vrrp_state to, enum vrrp_reason why)
{
	(void)from;
	(void)to;
	(void)why;
	((struct host *)arg)->changes++;
}

static const struct vrrp_ops ops = { h_send, h_vips, h_changed, NULL, NULL };
static const uint8_t vip[4] = { 198, 51, 100, 100 };
static const uint8_t me[4] = { 198, 51, 100, 12 };
static const uint8_t master[4] = { 198, 51, 100, 11 };
static const uint8_t lower[4] = { 198, 51, 100, 13 };

static void setup(struct vrrp *v, struct host *h, uint8_t prio)
{
	struct vrrp_params p = { .vrid = 51, .priority = prio, .adver_cs = 100, .preempt = 1 };
	memset(h, 0, sizeof(*h));
	vrrp_init(v, &p, AF_INET, vip, 1, me, &ops, h);
}

static void hear_from(struct vrrp *v, uint64_t now, uint8_t prio, const uint8_t *src)
{
	struct packet_advert a = { .family = AF_INET, .vrid = 51, .priority = prio, .interval_cs = 100,
				   .naddr = 1, .addrs = vip };
	assert_int_equal(vrrp_recv(v, now, &a, src), PACKET_OK);
}

static void hear(struct vrrp *v, uint64_t now, uint8_t prio)
{
	hear_from(v, now, prio, master);
}

static void run(struct vrrp *v, uint64_t until)
{
	for (int i = 0; i < 1000 && vrrp_deadline(v) <= until; i++)
		vrrp_tick(v, vrrp_deadline(v));
}

/* The master advertised 10 ms before BFD (30 ms detection, 10 ms
 * packets) said it was gone: it spoke after BFD went quiet (had it
 * crashed, its last BFD packet would have come no more than 10 ms before
 * the crash, so its last advert at least 20 ms before now): BFD alone
 * failed. */
static void test_recent_advert_wins(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 90);
	vrrp_start(&v, 0);
	hear(&v, 1 * S, 100);
	uint64_t rfc = vrrp_deadline(&v);
	vrrp_peer_down_quiet(&v, 1 * S + 10 * MS, master, 30 * MS, 20 * MS);
	assert_int_equal(v.st.peer_down, 1);
	assert_int_equal(v.st.peer_down_overridden, 1);
	assert_int_equal(vrrp_deadline(&v), rfc); /* nothing sooner armed */
	run(&v, 1 * S + 200 * MS);
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_int_equal(h.vips, 0);
	/* 20 ms after the advert: a crash just after it looks the same, so
	 * BFD is believed. */
	vrrp_peer_down_quiet(&v, 1 * S + 20 * MS, master, 30 * MS, 20 * MS);
	assert_int_equal(v.st.peer_down, 2);
	assert_int_equal(v.st.peer_down_overridden, 1);
	assert_true(vrrp_deadline(&v) < rfc);
	run(&v, 1 * S + 50 * MS);
	assert_int_equal(v.state, VRRP_MASTER);
}

/* A master advertises at once when asked, and its next advert is one
 * interval later; a backup sends nothing. */
static void test_advert_now(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 90);
	vrrp_start(&v, 0);
	vrrp_advert_now(&v, 10 * MS);
	assert_int_equal(h.adverts, 0);
	run(&v, 5 * S); /* nobody heard: master */
	assert_int_equal(v.state, VRRP_MASTER);
	int n = h.adverts;
	uint64_t t = 5 * S + 500 * MS;
	run(&v, t);
	n = h.adverts;
	vrrp_advert_now(&v, t);
	assert_int_equal(h.adverts, n + 1);
	assert_int_equal(vrrp_deadline(&v), t + 1 * S);
}

/* Three routers: the master (100) crashes; this backup (90) and a lower
 * one (80) both see BFD fail, and the lower one happens to take over
 * first.  Its advert neither cancels our BFD takeover nor stops us from
 * making one: we become master on BFD time, not after
 * Master_Down_Interval. */
static void test_lower_backup_first(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	/* Our BFD fails first, then the lower router's advert comes. */
	setup(&v, &h, 90);
	vrrp_start(&v, 0);
	hear(&v, 1 * S, 100);
	vrrp_peer_down_quiet(&v, 1 * S + 500 * MS, master, 30 * MS, 20 * MS);
	uint64_t at = 1 * S + 500 * MS + 19453;
	assert_int_equal(vrrp_deadline(&v), at);
	hear_from(&v, 1 * S + 510 * MS, 80, lower);
	assert_int_equal(v.st.peer_down_overridden, 0);
	assert_int_equal(vrrp_deadline(&v), at);
	run(&v, at);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_int_equal(v.last_reason, VRRP_R_PEER_DOWN);

	/* The lower router's advert first, then our BFD fails. */
	setup(&v, &h, 90);
	vrrp_start(&v, 0);
	hear(&v, 1 * S, 100);
	hear_from(&v, 1 * S + 500 * MS, 80, lower);
	assert_int_equal(v.pending, VRRP_R_PREEMPT);
	vrrp_peer_down_quiet(&v, 1 * S + 505 * MS, master, 30 * MS, 20 * MS);
	assert_int_equal(v.st.peer_down, 1);
	at = 1 * S + 505 * MS + 19453;
	assert_int_equal(vrrp_deadline(&v), at);
	run(&v, at);
	assert_int_equal(v.state, VRRP_MASTER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recent_advert_wins),
		cmocka_unit_test(test_advert_now),
		cmocka_unit_test(test_lower_backup_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
