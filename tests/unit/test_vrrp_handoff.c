/* Unit tests of the restart state file (vrrpd/handoff.c) and of the state
 * machine's handoff and resume (vrrpd/vrrp.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vrrpd/handoff.h"
#include "vrrpd/vrrp.h"

static void test_paths(void **state)
{
	(void)state;
	char a[HANDOFF_PATH_MAX], b[HANDOFF_PATH_MAX];
	assert_int_equal(handoff_paths("/run/vrrpd/vrrpd.sock", a, b, sizeof(a)), 0);
	assert_string_equal(a, "/run/vrrpd/vrrpd.restart");
	assert_string_equal(b, "/run/vrrpd/vrrpd.handoff");
	assert_int_equal(handoff_paths("/tmp/ctl", a, b, sizeof(a)), 0);
	assert_string_equal(b, "/tmp/ctl.handoff");
	char longp[200];
	memset(longp, 'x', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	assert_int_equal(handoff_paths(longp, a, b, sizeof(a)), -ENAMETOOLONG);
}

static void test_parse(void **state)
{
	(void)state;
	struct handoff h;
	const char *ok = "vrrpd-handoff 1 5000\nmaster eth0 4 51\nmaster eth1 6 7\n";
	assert_int_equal(handoff_parse(ok, strlen(ok), &h), 0);
	assert_int_equal(h.time_ms, 5000);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.masters[1].ifname, "eth1");
	assert_int_equal(h.masters[1].family, AF_INET6);
	assert_int_equal(h.masters[1].vrid, 7);
	/* no masters: a valid file that resumes nothing */
	assert_int_equal(handoff_parse("vrrpd-handoff 1 1\n", 18, &h), 0);
	assert_int_equal(h.n, 0);
	static const char *const bad[] = {
		"", "vrrpd-handoff 2 1\n", "vrrpd-handoff 1\n", "vrrpd-handoff 1 5 x\n",
		"vrrpd-handoff 1 5\nmaster eth0 5 51\n", "vrrpd-handoff 1 5\nmaster eth0 4 0\n",
		"vrrpd-handoff 1 5\nmaster eth0 4 256\n", "vrrpd-handoff 1 5\nmaster eth0 4 51 extra\n",
		"vrrpd-handoff 1 5\nmaster averyveryverylongname 4 51\n", "vrrpd-handoff 1 5\nbackup eth0 4 51\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(handoff_parse(bad[i], strlen(bad[i]), &h), -1);
}

static void test_resumes_window(void **state)
{
	(void)state;
	struct handoff h = { .time_ms = 10000 };
	assert_int_equal(handoff_add(&h, "eth0", AF_INET, 51), 0);
	/* 100 ms adverts: the last adverts announced 1 s, so three seconds
	 * from them (the backups wait three of those plus Skew_Time) */
	assert_int_equal(handoff_hold_ms(100), 1000);
	assert_int_equal(handoff_hold_ms(2000), 2000);
	assert_int_equal(handoff_resumes(&h, "eth0", AF_INET, 51, 100, 12999), 1);
	assert_int_equal(handoff_resumes(&h, "eth0", AF_INET, 51, 100, 13000), 0);
	assert_int_equal(handoff_resumes(&h, "eth0", AF_INET, 51, 100, 9999), 0); /* from the future */
	assert_int_equal(handoff_resumes(&h, "eth0", AF_INET6, 51, 100, 10010), 0);
	assert_int_equal(handoff_resumes(&h, "eth0", AF_INET, 52, 100, 10010), 0);
	assert_int_equal(handoff_resumes(&h, "eth1", AF_INET, 51, 100, 10010), 0);
	assert_int_equal(handoff_resumes(&h, "eth0", AF_INET, 51, 2000, 15999), 1);
	assert_int_equal(handoff_resumes(&h, "eth0", AF_INET, 51, 2000, 16000), 0);
}

static void test_write_read(void **state)
{
	(void)state;
	char dir[] = "/tmp/handoffXXXXXX", path[HANDOFF_PATH_MAX];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/v.handoff", dir);
	struct handoff h = { .time_ms = 77 }, back;
	for (unsigned i = 1; i <= HANDOFF_MAX; i++)
		assert_int_equal(handoff_add(&h, "eth0", i % 2 ? AF_INET : AF_INET6, i), 0);
	assert_int_equal(handoff_add(&h, "eth0", AF_INET, 200), -ENOSPC);
	assert_int_equal(handoff_write(path, &h), 0);
	assert_int_equal(handoff_read(path, &back), 0);
	assert_int_equal(back.time_ms, 77);
	assert_int_equal(back.n, HANDOFF_MAX);
	assert_memory_equal(&back.masters, &h.masters, sizeof(h.masters));
	unlink(path);
	assert_int_equal(handoff_read(path, &back), -ENOENT);
	rmdir(dir);
}

/* The restart request: root's, fresh, used once. */
static void test_intent(void **state)
{
	(void)state;
	char dir[] = "/tmp/intentXXXXXX", path[HANDOFF_PATH_MAX];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/v.restart", dir);
	assert_int_equal(handoff_intent_take(path), 0); /* none */
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(handoff_intent_take(path), geteuid() == 0); /* fresh: a restart (if root's) */
	assert_int_equal(access(path, F_OK), -1);                     /* used up */
	assert_int_equal(handoff_intent_take(path), 0);
	/* older than HANDOFF_INTENT_MAX_MS: a stop, and removed all the same */
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	struct timespec old[2];
	clock_gettime(CLOCK_REALTIME, &old[0]);
	old[0].tv_sec -= HANDOFF_INTENT_MAX_MS / 1000 + 5;
	old[1] = old[0];
	assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
	assert_int_equal(handoff_intent_take(path), 0);
	assert_int_equal(access(path, F_OK), -1);
	/* not root's: ignored (anyone else could leave the VIPs behind) */
	if (geteuid() == 0) {
		f = fopen(path, "w");
		assert_non_null(f);
		fclose(f);
		assert_int_equal(chown(path, 1, 1), 0);
		assert_int_equal(handoff_intent_take(path), 0);
	}
	unlink(path);
	rmdir(dir);
}

/* ---- the state machine's side -------------------------------------------- */

struct host {
	int adverts, vips, vip_calls, changes;
	uint8_t last_prio;
	enum vrrp_reason why;
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
	h->vips = on;
	h->vip_calls++;
}

static void h_changed(void *arg, enum vrrp_state from, enum vrrp_state to, enum vrrp_reason why)
{
	struct host *h = arg;
	(void)from; (void)to;
	h->changes++;
	h->why = why;
}

static const struct vrrp_ops ops = { h_send, h_vips, h_changed, NULL, NULL };
static const uint8_t vip[4] = { 198, 51, 100, 100 }, me[4] = { 198, 51, 100, 11 };

static void setup(struct vrrp *v, struct host *h)
{
	struct vrrp_params p = { .vrid = 51, .priority = 100, .adver_cs = 10, .preempt = 1 };
	memset(h, 0, sizeof(*h));
	vrrp_init(v, &p, AF_INET, vip, 1, me, &ops, h);
}

static void test_fsm_handoff(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h);
	vrrp_start(&v, 0);
	vrrp_tick(&v, vrrp_deadline(&v)); /* Master_Down: master */
	assert_int_equal(v.state, VRRP_MASTER);
	int changes = h.changes, adverts = h.adverts;
	vrrp_handoff(&v, 1000000);
	assert_int_equal(h.adverts, adverts + 2); /* two last adverts ... */
	assert_int_equal(h.last_prio, 100);       /* ... at its priority, not 0 */
	assert_int_equal(h.vips, 1);              /* addresses kept */
	assert_int_equal(h.changes, changes);     /* no event, no notify */
	assert_int_equal(vrrp_deadline(&v), VRRP_NO_DEADLINE);
	vrrp_shutdown(&v, 1000001); /* what closing the instance does next */
	assert_int_equal(h.adverts, adverts + 2);
	assert_int_equal(h.vips, 1);
}

static void test_fsm_resume(void **state)
{
	(void)state;
	struct vrrp v;
	struct host h;
	setup(&v, &h);
	vrrp_resume_master(&v);
	vrrp_start(&v, 0);
	assert_int_equal(v.state, VRRP_MASTER);
	assert_int_equal(h.why, VRRP_R_RESTART);
	assert_int_equal(h.adverts, 1); /* at once */
	assert_int_equal(h.last_prio, 100);
	assert_int_equal(h.vips, 1);
	assert_string_equal(vrrp_reason_names[VRRP_R_RESTART], "restart");
	/* resumed, but a fault holds it: the addresses left on go */
	setup(&v, &h);
	h.vips = 1;
	vrrp_fault(&v, 0, 1);
	vrrp_resume_master(&v);
	vrrp_start(&v, 0);
	assert_int_equal(v.state, VRRP_FAULT);
	assert_int_equal(h.vips, 0);
	assert_int_equal(h.adverts, 0);
	/* without resume: backup as always */
	setup(&v, &h);
	vrrp_start(&v, 0);
	assert_int_equal(v.state, VRRP_BACKUP);
	assert_int_equal(h.adverts, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_resumes_window),
		cmocka_unit_test(test_write_read),
		cmocka_unit_test(test_intent),
		cmocka_unit_test(test_fsm_handoff),
		cmocka_unit_test(test_fsm_resume),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
