/* Unit tests of the balancer (lbd/roundrobin.c): smooth weighted round-robin per
 * request, backups, down/maint/drain servers skipped, retry avoidance. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "lbd/config.h"
#include "lbd/roundrobin.h"
#include "lbd/model.h"

static struct lbd_config *cfg;
static struct roundrobin_set set;

static void load(const char *servers)
{
	char text[1024], err[256];
	snprintf(text, sizeof(text), "backend b { %s }\nfrontend f { bind *:80; backend b; }\n", servers);
	assert_int_equal(config_parse_string("t.conf", text, strlen(text), &cfg, err, sizeof(err)), 0);
	assert_int_equal(model_config_adopt_state(cfg, NULL), 0);
	assert_int_equal(roundrobin_set_init(&set, cfg), 0);
}

static void unload(void)
{
	roundrobin_set_free(&set);
	model_config_unref(cfg);
	cfg = NULL;
}

/* Names of n picks, concatenated ("abab"). */
static const char *picks(int n, const struct server *avoid)
{
	static char out[256];
	struct backend *be = &cfg->backends[0];
	for (int i = 0; i < n; i++) {
		struct server *s = roundrobin_pick(be, &set.be[0], avoid);
		out[i] = s ? s->conf.name[0] : '-';
	}
	out[n] = '\0';
	return out;
}

static struct server_state *st(int i)
{
	return cfg->backends[0].servers[i].st;
}

static void test_round_robin(void **state)
{
	(void)state;
	load("server a 192.0.2.1:80; server b 192.0.2.2:80;");
	assert_string_equal(picks(6, NULL), "ababab");
	unload();
}

static void test_smooth_weights(void **state)
{
	(void)state;
	load("server a 192.0.2.1:80 weight 5; server b 192.0.2.2:80; server c 192.0.2.3:80;");
	assert_string_equal(picks(14, NULL), "aabacaaaabacaa");
	atomic_store(&st(0)->weight, 1); /* `set weight` at runtime */
	const char *p = picks(30, NULL);
	int na = 0;
	for (const char *q = p; *q; q++)
		na += *q == 'a';
	assert_int_equal(na, 10);
	unload();
}

static void test_skip_unusable_and_backup(void **state)
{
	(void)state;
	load("server a 192.0.2.1:80; server b 192.0.2.2:80; server x 192.0.2.9:80 backup;");
	atomic_store(&st(0)->up, 0);
	assert_string_equal(picks(3, NULL), "bbb");
	atomic_store(&st(1)->admin, SERVER_DRAIN);
	assert_string_equal(picks(2, NULL), "xx"); /* backup only when no active one is usable */
	atomic_store(&st(1)->admin, SERVER_READY);
	atomic_store(&st(0)->up, 1);
	assert_string_equal(picks(2, NULL), "ab");
	atomic_store(&st(0)->admin, SERVER_MAINT);
	atomic_store(&st(1)->weight, 0);
	atomic_store(&st(2)->up, 0);
	assert_string_equal(picks(2, NULL), "--");
	unload();
}

static void test_avoid_and_maxconn(void **state)
{
	(void)state;
	load("server a 192.0.2.1:80 maxconn 1; server b 192.0.2.2:80;");
	struct server *a = &cfg->backends[0].servers[0];
	assert_string_equal(picks(3, a), "bbb");       /* retry goes elsewhere */
	atomic_store(&st(1)->up, 0);
	assert_string_equal(picks(2, a), "aa");        /* unless nothing else is usable */
	atomic_store(&st(1)->up, 1);
	model_sess_inc(&st(0)->cnt);                   /* a is full */
	assert_string_equal(picks(3, NULL), "bbb");
	unload();
}

/* Every server up is at its maxconn: nothing to pick, and the request
 * should wait (queue) rather than get a 503; a backup does not stand in for
 * a busy active server, only for a down one. */
static void test_full_means_queue(void **state)
{
	(void)state;
	load("server a 192.0.2.1:80 maxconn 1; server x 192.0.2.9:80 backup;");
	model_sess_inc(&st(0)->cnt);                   /* a is full */
	assert_string_equal(picks(2, NULL), "--");
	assert_true(roundrobin_should_queue(&cfg->backends[0]));
	/* the idle backup is no slot: the queue must not let a request out */
	assert_false(roundrobin_has_slot(&cfg->backends[0], NULL));
	model_sess_dec(&st(0)->cnt);                   /* a slot frees */
	assert_true(roundrobin_has_slot(&cfg->backends[0], NULL));
	assert_string_equal(picks(1, NULL), "a");
	atomic_store(&st(0)->up, 0);                   /* a is down: the backup serves */
	assert_true(roundrobin_has_slot(&cfg->backends[0], NULL));
	assert_string_equal(picks(2, NULL), "xx");
	atomic_store(&st(1)->up, 0);                   /* nothing up: 503, not a queue */
	assert_string_equal(picks(1, NULL), "-");
	assert_false(roundrobin_should_queue(&cfg->backends[0]));
	assert_false(roundrobin_has_slot(&cfg->backends[0], NULL));
	unload();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_robin),
		cmocka_unit_test(test_smooth_weights),
		cmocka_unit_test(test_skip_unusable_and_backup),
		cmocka_unit_test(test_avoid_and_maxconn),
		cmocka_unit_test(test_full_means_queue),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
