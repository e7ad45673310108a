/* Unit tests of the VRRPv3 state machine (vrrpd/vrrp.c) on a fake clock:
 * the host side is a recorder of what the machine asked for. */
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
	uint8_t prios[64];
	int vips;          /* current */
	int vip_changes;
	int changes;
	int announces;
	enum vrrp_state last_from, last_to;
	enum vrrp_reason last_why;
};

static void h_send(void *arg, uint8_t prio)
{
	struct host *h = arg;
	if (h->adverts < 64)
		h->prios[h->adverts] = prio;
	h->adverts++;
}

static void h_vips(void *arg, int on)
{
	struct host *h = arg;
	assert_int_not_equal(h->vips, on); /* never asked twice */
	h->vips = on;
	h->vip_changes++;
}

static void h_changed(void *arg, enum vrrp_state from, enum vrrp_state to, enum vrrp_reason why)
{
	struct host *h = arg;
	h->changes++;
	h->last_from = from;
	h->last_to = to;
	h->last_why = why;
}

static void h_announce(void *arg)
{
	struct host *h = arg;
	assert_int_equal(h->vips, 1); /* only the holder of the addresses announces */
	h->announces++;
}

static const struct vrrp_ops ops = { h_send, h_vips, h_changed, h_announce, NULL };

static const uint8_t vip[4] = { 198, 51, 100, 100 };
static const uint8_t me[4] = { 198, 51, 100, 11 };
static const uint8_t peer_hi[4] = { 198, 51, 100, 12 };
static const uint8_t peer_lo[4] = { 198, 51, 100, 10 };

static void setup(struct vrrp *v, struct host *h, uint8_t prio, int preempt)
{
	struct vrrp_params p = { .vrid = 51, .priority = prio, .adver_cs = 100, .preempt = preempt };
	memset(h, 0, sizeof(*h));
	vrrp_init(v, &p, AF_INET, vip, 1, me, &ops, h);
}

static enum packet_discard hear(struct vrrp *v, uint64_t now, uint8_t prio, uint16_t cs, const uint8_t *src)
{
	struct packet_advert a = { .family = AF_INET, .vrid = 51, .priority = prio, .interval_cs = cs,
				   .naddr = 1, .addrs = vip };
	return vrrp_recv(v, now, &a, src);
}

/* Run the clock from `from` to `to`, firing every deadline on time. */
static void run(struct vrrp *v, uint64_t from, uint64_t to)
{
	(void)from;
	for (int guard = 0; guard < 100000; guard++) {
		uint64_t d = vrrp_deadline(v);
		if (d == VRRP_NO_DEADLINE || d > to)
			return;
		vrrp_tick(v, d);
	}
	fail_msg("timer loop did not settle");
}

static void test_timers_rfc(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 100, 1);
	vrrp_start(&v, 0);
	assert_int_equal(v.state, VRRP_BACKUP);
	/* Skew_Time = (256 - 100) * 1 s / 256 = 609.375 ms; MDI = 3 s + skew */
	assert_int_equal(vrrp_skew_us(&v), 609375);
	assert_int_equal(vrrp_master_down_us(&v), 3609375);
	assert_int_equal(vrrp_deadline(&v), 3609375);
	vrrp_tick(&v, 3609374);
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_int_equal(h.adverts, 0);
	vrrp_tick(&v, 3609375);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_int_equal(h.last_why, VRRP_R_MASTER_DOWN);
	assert_int_equal(h.adverts, 1);
	assert_int_equal(h.prios[0], 100);
	assert_int_equal(h.vips, 1);
	/* no master was ever heard: no node to report down to lbd */
	assert_int_equal(v.silent_master_known, 0);
	/* one advert per Advertisement_Interval */
	run(&v, 3609375, 3609375 + 10 * S);
	assert_int_equal(h.adverts, 11);
	assert_int_equal(v.st.became_master, 1);
	/* priority 254: skew 1/256 of the interval */
	setup(&v, &h, 254, 1);
	vrrp_start(&v, 0);
	assert_int_equal(vrrp_skew_us(&v), 7812);
}

static void test_owner_starts_master(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 255, 1);
	vrrp_start(&v, 0);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_int_equal(h.adverts, 1);
	assert_int_equal(h.vips, 1);
	/* an owner ignores other routers */
	assert_int_equal(hear(&v, 1, 200, 100, peer_hi), PACKET_OWNER);
	assert_int_equal(v.state, VRRP_MASTER);
}

static void test_backup_learns_interval(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 90, 1);
	vrrp_start(&v, 0);
	/* The master advertises 50 cs: our timers follow it. */
	uint64_t t = 0;
	for (int i = 0; i < 20; i++) {
		t += 500 * MS;
		assert_int_equal(hear(&v, t, 100, 50, peer_hi), PACKET_OK);
		vrrp_tick(&v, t);
	}
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_int_equal(v.master_adver_cs, 50);
	/* skew = 166 * 0.5 s / 256 = 324.218 ms; MDI = 1.5 s + skew */
	assert_int_equal(vrrp_master_down_us(&v), 1500000 + 324218);
	assert_int_equal(vrrp_deadline(&v), t + 1824218);
	assert_memory_equal(v.master_addr, peer_hi, 4);
	assert_int_equal(v.master_priority, 100);
	/* the master dies: we take over exactly at MDI after its last advert */
	run(&v, t, t + 1824217);
	assert_int_equal(v.state, VRRP_BACKUP);
	run(&v, t, t + 1824218);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_int_equal(h.last_why, VRRP_R_MASTER_DOWN);
	/* the master that went silent, for lbd's peer-down (peerdown.h) */
	assert_int_equal(v.silent_master_known, 1);
	assert_memory_equal(v.silent_master, peer_hi, 4);
	/* the master's interval (vrrpctl's master_advert_interval_ms) is now ours */
	assert_int_equal(v.master_adver_cs, 100);
}

static void test_priority_zero_skew_takeover(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 90, 1);
	vrrp_start(&v, 0);
	hear(&v, 1 * S, 100, 100, peer_hi);
	hear(&v, 2 * S, 0, 100, peer_hi);
	assert_int_equal(v.st.prio0_rx, 1);
	/* Skew_Time for 90: 166/256 s = 648.4375 ms */
	assert_int_equal(vrrp_deadline(&v), 2 * S + 648437);
	run(&v, 2 * S, 2 * S + 648436);
	assert_int_equal(v.state, VRRP_BACKUP);
	run(&v, 2 * S, 2 * S + 648437);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_int_equal(h.last_why, VRRP_R_MASTER_LEFT);
	/* it said goodbye: alive, not a node to report down */
	assert_int_equal(v.silent_master_known, 0);
}

static void become_master_now(struct vrrp *v, struct host *h);

/* BFD says the master failed: take over after Skew_Time scaled to the
 * detection time (30 ms here), not after Master_Down_Interval. */
static void test_peer_down_takeover(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 90, 1);
	vrrp_start(&v, 0);
	hear(&v, 1 * S, 100, 100, peer_hi);
	/* A peer that is not the master, and a master-less moment: nothing. */
	vrrp_peer_down(&v, 1 * S + 10 * MS, peer_lo, 30 * MS);
	assert_int_equal(vrrp_deadline(&v), 1 * S + vrrp_master_down_us(&v));
	vrrp_peer_down(&v, 1 * S + 40 * MS, peer_hi, 30 * MS);
	assert_int_equal(v.st.peer_down, 1);
	/* (256 - 90) * 30 ms / 256 = 19.453 ms */
	assert_int_equal(vrrp_deadline(&v), 1 * S + 40 * MS + 19453);
	run(&v, 1 * S, 1 * S + 40 * MS + 19452);
	assert_int_equal(v.state, VRRP_BACKUP);
	run(&v, 1 * S, 1 * S + 40 * MS + 19453);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_int_equal(h.last_why, VRRP_R_PEER_DOWN);
	assert_int_equal(h.vips, 1);
	assert_int_equal(v.silent_master_known, 1);
	assert_memory_equal(v.silent_master, peer_hi, 4);
	assert_string_equal(vrrp_reason_names[VRRP_R_PEER_DOWN], "bfd_peer_down");
	/* The old master was alive after all (a BFD-only failure): its advert
	 * sends us back at once, and that is counted. */
	assert_int_equal(hear(&v, 1 * S + 100 * MS, 100, 100, peer_hi), PACKET_OK);
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_int_equal(h.vips, 0);
	assert_int_equal(v.st.peer_down_overridden, 1);
}

/* An advert that arrives during the BFD skew wins: the backup stays. */
static void test_peer_down_advert_wins(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 90, 1);
	vrrp_start(&v, 0);
	hear(&v, 1 * S, 100, 100, peer_hi);
	vrrp_peer_down(&v, 1 * S + 500 * MS, peer_hi, 300 * MS);
	assert_int_equal(vrrp_deadline(&v), 1 * S + 500 * MS + 194531);
	hear(&v, 1 * S + 600 * MS, 100, 100, peer_hi);
	assert_int_equal(v.st.peer_down_overridden, 1);
	assert_int_equal(vrrp_deadline(&v), 1 * S + 600 * MS + vrrp_master_down_us(&v));
	run(&v, 1 * S, 2 * S + 500 * MS);
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_int_equal(h.changes, 1); /* Init -> Backup only */
	/* A master ignores it; so does a backup whose RFC timer is sooner. */
	vrrp_peer_down(&v, 3 * S + 599 * MS, peer_hi, 100 * S);
	assert_int_equal(vrrp_deadline(&v), 1 * S + 600 * MS + vrrp_master_down_us(&v));
	setup(&v, &h, 100, 1);
	become_master_now(&v, &h);
	vrrp_peer_down(&v, 5 * S, peer_hi, 30 * MS);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_int_equal(v.st.peer_down, 0);
}

static void test_shutdown_sends_priority_zero(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 100, 1);
	vrrp_start(&v, 0);
	run(&v, 0, 4 * S);
	assert_int_equal(v.state, VRRP_MASTER);
	int n = h.adverts;
	vrrp_shutdown(&v, 5 * S);
	assert_int_equal(v.state, VRRP_INIT);
	assert_int_equal(h.adverts, n + 1);
	assert_int_equal(h.prios[n], 0);
	assert_int_equal(h.vips, 0);
	assert_int_equal(vrrp_deadline(&v), VRRP_NO_DEADLINE);
	/* idempotent, and a backup shutting down sends nothing */
	vrrp_shutdown(&v, 6 * S);
	assert_int_equal(h.adverts, n + 1);
	setup(&v, &h, 90, 1);
	vrrp_start(&v, 0);
	vrrp_shutdown(&v, 1 * S);
	assert_int_equal(h.adverts, 0);
	assert_int_equal(v.state, VRRP_INIT);
}

static void become_master_now(struct vrrp *v, struct host *h)
{
	vrrp_start(v, 0);
	run(v, 0, 4 * S);
	assert_int_equal(v->state, VRRP_MASTER);
	h->adverts = 0;
}

static void test_master_yields_to_higher(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 100, 1);
	become_master_now(&v, &h);
	assert_int_equal(hear(&v, 5 * S, 101, 100, peer_lo), PACKET_OK);
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_int_equal(h.last_why, VRRP_R_PREEMPTED);
	assert_int_equal(h.vips, 0);
	/* one last advert with our priority, so that a winner that never
	 * heard us learns there were two masters and announces again */
	assert_int_equal(h.adverts, 1);
	assert_int_equal(h.prios[0], 100);
	/* then silence, as a backup */
	run(&v, 5 * S, 7 * S);
	assert_int_equal(h.adverts, 1);
}

static void test_tie_break_on_address(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 100, 1);
	become_master_now(&v, &h);
	/* equal priority from a lower address: we stay and re-advertise at once */
	assert_int_equal(hear(&v, 5 * S, 100, 100, peer_lo), PACKET_OK);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_int_equal(h.adverts, 1);
	assert_int_equal(vrrp_deadline(&v), 6 * S);
	/* from a higher address: we yield */
	assert_int_equal(hear(&v, 5 * S + 1, 100, 100, peer_hi), PACKET_OK);
	assert_int_equal(v.state, VRRP_BACKUP);
}

static void test_master_readvertises_on_lower(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 100, 1);
	become_master_now(&v, &h);
	uint64_t t = 4 * S + 500 * MS;
	assert_int_equal(hear(&v, t, 90, 100, peer_hi), PACKET_OK);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_int_equal(h.adverts, 1);
	assert_int_equal(h.prios[0], 100);
	assert_int_equal(vrrp_deadline(&v), t + 1 * S);
	/* priority 0 from another router: also answered at once */
	assert_int_equal(hear(&v, t + 1, 0, 100, peer_hi), PACKET_OK);
	assert_int_equal(h.adverts, 2);
}

static void test_preempt(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 100, 1);
	vrrp_start(&v, 0);
	/* a lower master keeps advertising; we preempt at our timer */
	uint64_t t = 0;
	for (int i = 0; i < 10 && v.state == VRRP_BACKUP; i++) {
		t += 1 * S;
		hear(&v, t, 90, 100, peer_hi);
		run(&v, t - S, t);
	}
	assert_int_equal(v.state, VRRP_MASTER);
	assert_int_equal(h.last_why, VRRP_R_PREEMPT);
	assert_true(t <= 4 * S);
	/* the preempted master is alive */
	assert_int_equal(v.silent_master_known, 0);
}

static void test_no_preempt(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 100, 0);
	vrrp_start(&v, 0);
	uint64_t t = 0;
	for (int i = 0; i < 30; i++) {
		t += 1 * S;
		hear(&v, t, 90, 100, peer_hi);
		run(&v, t - S, t);
	}
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_int_equal(h.changes, 1);
}

static void test_preempt_delay(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	struct vrrp_params p = { .vrid = 51, .priority = 100, .adver_cs = 100, .preempt = 1,
				 .preempt_delay_us = 10 * S };
	memset(&h, 0, sizeof(h));
	vrrp_init(&v, &p, AF_INET, vip, 1, me, &ops, &h);
	vrrp_start(&v, 0);
	uint64_t t = 0;
	while (v.state == VRRP_BACKUP && t < 60 * S) {
		t += 1 * S;
		hear(&v, t, 90, 100, peer_hi);
		run(&v, t - S, t);
	}
	assert_int_equal(v.state, VRRP_MASTER);
	/* first lower advert at 1 s, 10 s delay, then the timer ran out */
	assert_true(t > 11 * S);
	assert_true(t <= 15 * S);
}

static void test_fault(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 100, 1);
	become_master_now(&v, &h);
	vrrp_fault(&v, 5 * S, 1);
	vrrp_fault(&v, 5 * S, 1); /* a second source */
	assert_int_equal(v.state, VRRP_FAULT);
	assert_int_equal(h.adverts, 1);
	assert_int_equal(h.prios[0], 0);
	assert_int_equal(h.vips, 0);
	assert_int_equal(vrrp_deadline(&v), VRRP_NO_DEADLINE);
	assert_int_equal(hear(&v, 6 * S, 0, 100, peer_hi), PACKET_OK); /* counted, no effect */
	assert_int_equal(v.state, VRRP_FAULT);
	vrrp_fault(&v, 7 * S, 0);
	assert_int_equal(v.state, VRRP_FAULT); /* the other source still holds it */
	vrrp_fault(&v, 8 * S, 0);
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_int_equal(h.last_why, VRRP_R_FAULT_CLEARED);
	vrrp_fault(&v, 9 * S, 0); /* unbalanced clear: ignored */
	assert_int_equal(v.down, 0);
	/* a fault held before start keeps the machine in FAULT */
	setup(&v, &h, 100, 1);
	vrrp_fault(&v, 0, 1);
	vrrp_start(&v, 0);
	assert_int_equal(v.state, VRRP_FAULT);
}

static void test_weaker_master_hands_over(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 100, 1);
	become_master_now(&v, &h);
	vrrp_set_priority(&v, 5 * S, 80);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_int_equal(h.adverts, 2);
	assert_int_equal(h.prios[0], 0);
	assert_int_equal(h.prios[1], 80);
	/* and a stronger backup (90) then takes over within its Skew_Time:
	 * simulate it with a second machine */
	struct vrrp b;
	struct host hb;
	struct vrrp_params p = { .vrid = 51, .priority = 90, .adver_cs = 100, .preempt = 1 };
	memset(&hb, 0, sizeof(hb));
	vrrp_init(&b, &p, AF_INET, vip, 1, peer_hi, &ops, &hb);
	vrrp_start(&b, 0);
	hear(&b, 4 * S, 100, 100, me);
	hear(&b, 5 * S, 0, 100, me);
	hear(&b, 5 * S, 80, 100, me);
	run(&b, 5 * S, 5 * S + vrrp_skew_us(&b));
	assert_int_equal(b.state, VRRP_MASTER);
	assert_int_equal(b.last_reason, VRRP_R_MASTER_LEFT);
	/* a weaker backup (70) re-arms its full timer instead */
	p.priority = 70;
	memset(&hb, 0, sizeof(hb));
	vrrp_init(&b, &p, AF_INET, vip, 1, peer_hi, &ops, &hb);
	vrrp_start(&b, 0);
	hear(&b, 5 * S, 0, 100, me);
	hear(&b, 5 * S, 80, 100, me);
	run(&b, 5 * S, 5 * S + 3 * S);
	assert_int_equal(b.state, VRRP_BACKUP);
	/* raising the priority of a master advertises it at once, without
	 * priority 0 */
	h.adverts = 0;
	vrrp_set_priority(&v, 6 * S, 100);
	assert_int_equal(h.adverts, 1);
	assert_int_equal(h.prios[0], 100);
	assert_int_equal(vrrp_deadline(&v), 7 * S);
}

static void test_discards(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 100, 1);
	vrrp_start(&v, 0);
	assert_int_equal(hear(&v, 1, 100, 100, me), PACKET_OWN);
	struct packet_advert a = { .family = AF_INET, .vrid = 52, .priority = 100, .interval_cs = 100,
				   .naddr = 1, .addrs = vip };
	assert_int_equal(vrrp_recv(&v, 1, &a, peer_hi), PACKET_UNKNOWN_VRID);
	a.vrid = 51;
	a.family = AF_INET6;
	assert_int_equal(vrrp_recv(&v, 1, &a, peer_hi), PACKET_UNKNOWN_VRID);
	a.family = AF_INET;
	uint8_t two[8] = { 198, 51, 100, 100, 198, 51, 100, 101 };
	a.addrs = two;
	a.naddr = 2;
	assert_int_equal(vrrp_recv(&v, 1, &a, peer_hi), PACKET_ADDR_MISMATCH);
	a.addrs = two + 4;
	a.naddr = 1;
	assert_int_equal(vrrp_recv(&v, 1, &a, peer_hi), PACKET_ADDR_MISMATCH);
	/* none of those touched the timer */
	assert_int_equal(vrrp_deadline(&v), 3609375);
	assert_int_equal(v.st.adverts_rx, 0);
}

static void test_reconfigure(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 100, 1);
	become_master_now(&v, &h);
	struct vrrp_params p = v.p;
	p.adver_cs = 10;
	vrrp_reconfigure(&v, 5 * S, &p);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_int_equal(vrrp_deadline(&v), 5 * S + 100 * MS);
	assert_int_equal(h.vip_changes, 1); /* the VIP never left */
}

/* A master at 100 ms and its backup at 90, both machines driven here: the
 * adverts the master asks for are delivered to the backup at once. */
struct pair {
	struct vrrp m, b;
	struct host hm, hb;
	int delivered;
};

static void pair_init(struct pair *x, uint16_t cs)
{
	struct vrrp_params pm = { .vrid = 51, .priority = 100, .adver_cs = cs, .preempt = 1 };
	struct vrrp_params pb = pm;
	pb.priority = 90;
	memset(x, 0, sizeof(*x));
	vrrp_init(&x->m, &pm, AF_INET, vip, 1, me, &ops, &x->hm);
	vrrp_init(&x->b, &pb, AF_INET, vip, 1, peer_hi, &ops, &x->hb);
	vrrp_start(&x->m, 0);
	vrrp_start(&x->b, 0);
}

/* Deliver the master's new adverts (those since the last call) to the
 * backup, with the master's current interval. */
static void pair_deliver(struct pair *x, uint64_t now)
{
	for (; x->delivered < x->hm.adverts; x->delivered++)
		hear(&x->b, now, x->hm.prios[x->delivered % 64], x->m.p.adver_cs, me);
}

/* Run both machines to `to`, in time order. */
static void pair_run(struct pair *x, uint64_t to)
{
	for (int guard = 0; guard < 100000; guard++) {
		uint64_t dm = vrrp_deadline(&x->m), db = vrrp_deadline(&x->b);
		uint64_t d = dm < db ? dm : db;
		if (d == VRRP_NO_DEADLINE || d > to)
			return;
		if (dm <= db) {
			vrrp_tick(&x->m, d);
			pair_deliver(x, d);
		} else {
			vrrp_tick(&x->b, d);
		}
	}
	fail_msg("timer loop did not settle");
}

static void test_reload_longer_interval(void **state)
{
	(void)state;
	struct pair x;
	pair_init(&x, 10);
	pair_run(&x, 5 * S);
	assert_int_equal(x.m.state, VRRP_MASTER);
	assert_int_equal(x.b.state, VRRP_BACKUP);
	/* reload the master: 100 ms -> 2 s */
	struct vrrp_params p = x.m.p;
	p.adver_cs = 200;
	int n = x.hm.adverts;
	uint64_t t = 5 * S + 30 * MS;
	vrrp_reconfigure(&x.m, t, &p);
	assert_int_equal(x.hm.adverts, n + 1); /* the new interval goes out at once */
	assert_int_equal(x.m.master_adver_cs, 200);
	assert_int_equal(x.hm.prios[n % 64], 100);
	/* then twice more at the old spacing, then at the new one */
	assert_int_equal(vrrp_deadline(&x.m), t + 100 * MS);
	pair_deliver(&x, t);
	assert_int_equal(x.b.master_adver_cs, 200);
	pair_run(&x, t + 10 * S);
	assert_int_equal(x.b.state, VRRP_BACKUP);
	assert_int_equal(x.b.st.became_master, 0);
	assert_int_equal(x.hm.adverts, n + 3 + 4); /* t, +0.1, +0.2, +2.2, +4.2, +6.2, +8.2 */
	/* a priority change right after the reload does not use up the old
	 * spacing: adverts at t (interval), t (priority), +0.1, +0.2, +2.2 */
	pair_init(&x, 10);
	pair_run(&x, 5 * S);
	n = x.hm.adverts;
	vrrp_reconfigure(&x.m, t, &p);
	vrrp_set_priority(&x.m, t, 105);
	assert_int_equal(x.hm.adverts, n + 2);
	assert_int_equal(vrrp_deadline(&x.m), t + 100 * MS);
	vrrp_tick(&x.m, t + 100 * MS);
	assert_int_equal(vrrp_deadline(&x.m), t + 200 * MS);
	vrrp_tick(&x.m, t + 200 * MS);
	assert_int_equal(vrrp_deadline(&x.m), t + 2200 * MS);
	/* the first advert lost: the next ones, still 100 ms apart, reach the
	 * backup within its old Master_Down_Interval (about 0.35 s) */
	pair_init(&x, 10);
	pair_run(&x, 5 * S);
	vrrp_reconfigure(&x.m, t, &p);
	x.delivered = x.hm.adverts; /* lost */
	pair_run(&x, t + 10 * S);
	assert_int_equal(x.b.state, VRRP_BACKUP);
	assert_int_equal(x.b.st.became_master, 0);
	assert_int_equal(x.b.master_adver_cs, 200);
}

static void test_reload_shorter_interval(void **state)
{
	(void)state;
	struct pair x;
	pair_init(&x, 200);
	pair_run(&x, 20 * S);
	assert_int_equal(x.m.state, VRRP_MASTER);
	struct vrrp_params p = x.m.p;
	p.adver_cs = 10;
	int n = x.hm.adverts;
	vrrp_reconfigure(&x.m, 21 * S, &p);
	assert_int_equal(x.hm.adverts, n + 1);
	pair_deliver(&x, 21 * S);
	assert_int_equal(x.b.master_adver_cs, 10);
	assert_int_equal(vrrp_deadline(&x.m), 21 * S + 100 * MS);
	pair_run(&x, 30 * S);
	assert_int_equal(x.b.st.became_master, 0);
	/* a reload that keeps the interval sends nothing */
	n = x.hm.adverts;
	vrrp_reconfigure(&x.m, 30 * S + 1, &p);
	assert_int_equal(x.hm.adverts, n);
}

/* A master raised back above a preempting backup that was waiting for
 * Master_Down_Interval to run out must say so before it does. */
static void test_priority_raise_advertises(void **state)
{
	(void)state;
	struct pair x;
	pair_init(&x, 100);
	pair_run(&x, 10 * S);
	uint64_t t = 10 * S + 500 * MS;
	int n = x.hm.adverts;
	vrrp_set_priority(&x.m, t, 80); /* below the backup's 90: priority 0, then 80 */
	assert_int_equal(x.hm.adverts, n + 2);
	x.delivered++; /* the priority 0 is lost: the backup waits for its timer */
	pair_deliver(&x, t);
	pair_run(&x, t + 2500 * MS);
	assert_int_equal(x.b.state, VRRP_BACKUP);
	vrrp_set_priority(&x.m, t + 2500 * MS, 100);
	pair_deliver(&x, t + 2500 * MS);
	pair_run(&x, t + 10 * S);
	assert_int_equal(x.b.state, VRRP_BACKUP);
	assert_int_equal(x.b.st.became_master, 0);
	assert_int_equal(x.m.state, VRRP_MASTER);
	assert_int_equal(x.b.master_priority, 100);
}

static void test_priority_zero_only_below_peer(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 100, 1);
	become_master_now(&v, &h);
	/* a master that heard a router at 90 and drops to 95: no one to hand
	 * over to, only the new priority goes out */
	assert_int_equal(hear(&v, 5 * S, 90, 100, peer_lo), PACKET_OK);
	h.adverts = 0;
	vrrp_set_priority(&v, 5 * S + 1, 95);
	assert_int_equal(h.adverts, 1);
	assert_int_equal(h.prios[0], 95);
	assert_int_equal(v.master_priority, 95);
	/* below 90: priority 0 first, so the stronger router takes over soon */
	vrrp_set_priority(&v, 5 * S + 2, 85);
	assert_int_equal(h.adverts, 3);
	assert_int_equal(h.prios[1], 0);
	assert_int_equal(h.prios[2], 85);
	assert_int_equal(v.state, VRRP_MASTER);
}

static void test_owner_ignores_weights(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 255, 1);
	vrrp_start(&v, 0);
	assert_int_equal(v.state, VRRP_MASTER);
	h.adverts = 0;
	vrrp_set_priority(&v, 1 * S, 235);
	assert_int_equal(v.priority, 255);
	assert_int_equal(h.adverts, 0);
	assert_int_equal(hear(&v, 2 * S, 254, 100, peer_hi), PACKET_OWNER);
	assert_int_equal(v.state, VRRP_MASTER);
}

static void test_set_addrs(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	static const uint8_t two[8] = { 198, 51, 100, 100, 198, 51, 100, 101 };
	setup(&v, &h, 100, 1);
	become_master_now(&v, &h);
	vrrp_set_addrs(&v, 5 * S, two, 2);
	assert_int_equal(h.adverts, 1);
	assert_int_equal(vrrp_deadline(&v), 6 * S);
	vrrp_set_addrs(&v, 5 * S + 1, two, 2); /* unchanged: nothing */
	assert_int_equal(h.adverts, 1);
	/* the new list is the one checked on receipt */
	assert_int_equal(hear(&v, 5 * S + 2, 90, 100, peer_hi), PACKET_ADDR_MISMATCH);
	struct packet_advert a = { .family = AF_INET, .vrid = 51, .priority = 90, .interval_cs = 100,
				   .naddr = 2, .addrs = two };
	assert_int_equal(vrrp_recv(&v, 5 * S + 3, &a, peer_hi), PACKET_OK);
}

/* keepalived's garp_lower_prio_repeat: a master that hears another master
 * (lower priority, priority 0, or a tie it wins) announces its addresses
 * again, since clients may hold the other's MAC; at most once a second. */
static void test_lower_master_reannounce(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h, 100, 1);
	become_master_now(&v, &h);
	assert_int_equal(h.announces, 0);
	assert_int_equal(hear(&v, 5 * S, 90, 100, peer_hi), PACKET_OK);
	assert_int_equal(h.announces, 1);
	assert_int_equal(h.adverts, 1);
	assert_int_equal(hear(&v, 5 * S + 100 * MS, 90, 100, peer_hi), PACKET_OK);
	assert_int_equal(h.announces, 1); /* not again within the second */
	assert_int_equal(hear(&v, 6 * S, 0, 100, peer_hi), PACKET_OK);
	assert_int_equal(h.announces, 2);
	assert_int_equal(hear(&v, 7 * S, 100, 100, peer_lo), PACKET_OK); /* a tie we win */
	assert_int_equal(h.announces, 3);
	assert_int_equal(v.state, VRRP_MASTER);
	/* a higher one: we yield, and announce nothing */
	assert_int_equal(hear(&v, 9 * S, 110, 100, peer_hi), PACKET_OK);
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_int_equal(h.announces, 3);
	/* a backup never announces */
	assert_int_equal(hear(&v, 11 * S, 90, 100, peer_lo), PACKET_OK);
	assert_int_equal(h.announces, 3);
}

/* A link flap in the middle of a preempt delay: the delay starts again from
 * the first advert heard after it. */
static void test_preempt_delay_after_fault(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	struct vrrp_params p = { .vrid = 51, .priority = 100, .adver_cs = 100, .preempt = 1,
				 .preempt_delay_us = 10 * S };
	memset(&h, 0, sizeof(h));
	vrrp_init(&v, &p, AF_INET, vip, 1, me, &ops, &h);
	vrrp_start(&v, 0);
	uint64_t t = 0;
	for (int i = 0; i < 8; i++) { /* 8 s of the 10 s delay */
		t += 1 * S;
		hear(&v, t, 90, 100, peer_hi);
		run(&v, t - S, t);
	}
	assert_int_equal(v.state, VRRP_BACKUP);
	vrrp_fault(&v, t + 100 * MS, 1);
	vrrp_fault(&v, t + 200 * MS, 0);
	assert_int_equal(v.state, VRRP_BACKUP);
	uint64_t back = t + 1 * S;
	t = back - S;
	while (v.state == VRRP_BACKUP && t < 60 * S) {
		t += 1 * S;
		hear(&v, t, 90, 100, peer_hi);
		run(&v, t - S, t);
	}
	assert_int_equal(v.state, VRRP_MASTER);
	assert_true(t >= back + 10 * S);
}

/* RFC 5798 / 9568 7.1: an address list that differs is dropped, except from
 * the owner (priority 255), whose advert is processed. */
static void test_owner_advert_other_addrs(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	static const uint8_t other[4] = { 198, 51, 100, 101 };
	struct packet_advert a = { .family = AF_INET, .vrid = 51, .priority = 200, .interval_cs = 100,
				   .naddr = 1, .addrs = other };
	setup(&v, &h, 100, 1);
	become_master_now(&v, &h);
	assert_int_equal(vrrp_recv(&v, 5 * S, &a, peer_hi), PACKET_ADDR_MISMATCH);
	assert_int_equal(v.state, VRRP_MASTER);
	a.priority = 255;
	assert_int_equal(vrrp_recv(&v, 5 * S + 1, &a, peer_hi), PACKET_OK);
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_int_equal(v.master_priority, 255);
	/* and it keeps us backup */
	for (uint64_t t = 6 * S; t < 20 * S; t += S) {
		assert_int_equal(vrrp_recv(&v, t, &a, peer_hi), PACKET_OK);
		run(&v, t - S, t);
	}
	assert_int_equal(v.state, VRRP_BACKUP);
}

int main(void)
{
	log_init("test", 1, LOG_WARNING);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_rfc),
		cmocka_unit_test(test_owner_starts_master),
		cmocka_unit_test(test_backup_learns_interval),
		cmocka_unit_test(test_priority_zero_skew_takeover),
		cmocka_unit_test(test_peer_down_takeover),
		cmocka_unit_test(test_peer_down_advert_wins),
		cmocka_unit_test(test_shutdown_sends_priority_zero),
		cmocka_unit_test(test_master_yields_to_higher),
		cmocka_unit_test(test_tie_break_on_address),
		cmocka_unit_test(test_master_readvertises_on_lower),
		cmocka_unit_test(test_preempt),
		cmocka_unit_test(test_no_preempt),
		cmocka_unit_test(test_preempt_delay),
		cmocka_unit_test(test_fault),
		cmocka_unit_test(test_weaker_master_hands_over),
		cmocka_unit_test(test_discards),
		cmocka_unit_test(test_reconfigure),
		cmocka_unit_test(test_reload_longer_interval),
		cmocka_unit_test(test_reload_shorter_interval),
		cmocka_unit_test(test_priority_raise_advertises),
		cmocka_unit_test(test_priority_zero_only_below_peer),
		cmocka_unit_test(test_owner_ignores_weights),
		cmocka_unit_test(test_set_addrs),
		cmocka_unit_test(test_lower_master_reannounce),
		cmocka_unit_test(test_preempt_delay_after_fault),
		cmocka_unit_test(test_owner_advert_other_addrs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
