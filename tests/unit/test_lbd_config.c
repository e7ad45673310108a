/* Unit tests of lbd's configuration (lbd/config.c) and of the runtime state
 * carried across a reload (lbd/model.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "lbd/config.h"
#include "lbd/model.h"

static struct lbd_config *load_ok(const char *text)
{
	struct lbd_config *c = NULL;
	char err[512] = "";
	if (config_parse_string("t.conf", text, strlen(text), &c, err, sizeof(err)))
		fail_msg("unexpected error: %s", err);
	assert_int_equal(model_config_adopt_state(c, NULL), 0);
	return c;
}

static void expect_error(const char *text, const char *msg)
{
	struct lbd_config *c = NULL;
	char err[512] = "";
	assert_int_equal(config_parse_string("t.conf", text, strlen(text), &c, err, sizeof(err)), -22);
	assert_null(c);
	assert_string_equal(err, msg);
}

#define FE "frontend f { bind *:9192; backend b; }\n"

static void test_deployment_shape(void **state)
{
	(void)state;
	struct lbd_config *c = load_ok(
		"global { workers 2; stats *:8404; control /run/lbd/lbd.sock; }\n"
		"defaults { timeout connect 5s; timeout client 60s; timeout server 60s; retries 3; }\n"
		"backend b {\n"
		"  retries 5;\n"
		"  check GET /-/healthy expect 200 interval 2s rise 2 fall 3;\n"
		"  server mid-1 192.0.2.11:19192 weight 3 maxconn 100;\n"
		"  server mid-2 192.0.2.12:19192 backup;\n"
		"}\n" FE);
	assert_int_equal(c->g.workers, 2);
	assert_true(c->g.stats.enabled);
	assert_int_equal(addr_port(&c->g.stats.bind), 8404);
	assert_string_equal(c->g.control, "/run/lbd/lbd.sock");
	assert_int_equal(c->nbackends, 1);
	struct backend *be = &c->backends[0];
	assert_int_equal(be->conf.retries, 5);
	assert_int_equal(be->conf.to.connect_ms, 5000);
	assert_true(be->conf.check.enabled);
	assert_string_equal(be->conf.check.method, "GET");
	assert_string_equal(be->conf.check.path, "/-/healthy");
	assert_int_equal(be->conf.check.nexpect, 1);
	assert_int_equal(be->conf.check.expect[0].lo, 200);
	assert_int_equal(be->conf.check.expect[0].hi, 200);
	assert_int_equal(be->conf.check.interval_ms, 2000);
	assert_int_equal(be->conf.check.fastinter_ms, 2000);
	assert_int_equal(be->conf.check.rise, 2);
	assert_int_equal(be->conf.check.fall, 3);
	assert_int_equal(be->nservers, 2);
	assert_int_equal(be->nactive, 1);
	assert_int_equal(be->nbackup, 1);
	assert_int_equal(be->servers[0].conf.weight, 3);
	assert_int_equal(be->servers[0].conf.maxconn, 100);
	assert_true(be->servers[1].conf.backup);
	assert_ptr_equal(be->servers[1].be, be);
	/* checked servers start down unless `start up` */
	assert_int_equal(atomic_load(&be->servers[0].st->up), 0);
	assert_int_equal(model_server_usable(&be->servers[0]), 0);
	assert_ptr_equal(c->frontends[0].be, be);
	assert_ptr_equal(model_find_server_path(c, "b/mid-2"), &be->servers[1]);
	assert_null(model_find_server_path(c, "b/none"));
	model_config_unref(c);
}

static void test_defaults_any_position(void **state)
{
	(void)state;
	struct lbd_config *c = load_ok("backend b { server s 192.0.2.1:80; }\n" FE
				       "defaults { retries 7; timeout keep-alive 2s; forwardfor off; }\n");
	assert_int_equal(c->backends[0].conf.retries, 7);
	assert_int_equal(c->frontends[0].conf.to.keepalive_ms, 2000);
	assert_int_equal(c->frontends[0].conf.forwardfor, 0);
	/* no check: up from the start */
	assert_int_equal(model_server_usable(&c->backends[0].servers[0]), 1);
	model_config_unref(c);
}

static void test_expect_list_and_range(void **state)
{
	(void)state;
	struct lbd_config *c = load_ok("backend b { check GET / expect 200,204,300-399 start up host a.example;"
				       " server s 192.0.2.1:80; }\n" FE);
	const struct check_conf *ck = &c->backends[0].conf.check;
	assert_int_equal(ck->nexpect, 3);
	assert_int_equal(ck->expect[2].lo, 300);
	assert_int_equal(ck->expect[2].hi, 399);
	assert_string_equal(ck->host, "a.example");
	assert_int_equal(model_server_usable(&c->backends[0].servers[0]), 1);
	model_config_unref(c);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("backend b { server s 192.0.2.1:80 weight x; }\n" FE,
		     "t.conf:1:42: expected a whole number from 0 to 256, got 'x'");
	expect_error("backend b { server s 192.0.2.1:80; }\nfrontend f { bind *:80; backend c; }\n",
		     "t.conf:2:33: expected the name of a backend, no backend 'c' is defined");
	expect_error("backend b { check GET / expect 200-99; server s 192.0.2.1:80; }\n" FE,
		     "t.conf:1:32: expected HTTP statuses like 200, 200,204 or 200-499 (100-599, at most 8 items), "
		     "got '200-99'");
	expect_error("backend b { server s 192.0.2.1:80; server s 192.0.2.2:80; }\n" FE,
		     "t.conf:1:43: duplicate server 's' (first at t.conf:1), expected a unique name");
	expect_error("backend b { }\n" FE, "t.conf:1:9: expected at least one 'server' in backend 'b'");
	expect_error("backend b { server s 192.0.2.1:80; }\nfrontend f { backend b; }\n",
		     "t.conf:2:10: expected at least one 'bind' in frontend 'f'");
	expect_error("backend b { server s 192.0.2.1:80; }\n" FE "frontend g { bind *:9192; backend b; }\n",
		     "t.conf:3:27: frontend 'g' binds an address frontend 'f' already binds, expected each address once");
	expect_error("defaults { timeout idle 5s; }\n",
		     "t.conf:1:20: expected one of connect, client, server, http-request, keep-alive, tunnel, "
		     "pool-idle, queue, got 'idle'");
	expect_error("backend b/x { server s 192.0.2.1:80; }\n",
		     "t.conf:1:9: expected a name made of letters, digits, '-', '_' and '.', got 'b/x'");
	expect_error("backend b { check PUT /; server s 192.0.2.1:80; }\n" FE,
		     "t.conf:1:19: expected one of GET, HEAD, OPTIONS, got 'PUT'");
	expect_error("global { workers 0; }\n", "t.conf:1:18: expected a whole number from 1 to 64, got '0'");
	/* the health listener vrrpd tracks: loopback only */
	struct lbd_config *h = load_ok("global { stats *:8404 health 127.0.0.1:8405; }\n"
				       "backend b { server s 192.0.2.1:80; }\n" FE);
	assert_true(h->g.stats.health_enabled);
	assert_int_equal(addr_port(&h->g.stats.health), 8405);
	model_config_unref(h);
	expect_error("global { stats *:8404 health 192.0.2.1:8405; }\n",
		     "t.conf:1:30: expected a loopback address and port for 'health' (127.0.0.1:PORT or [::1]:PORT), "
		     "got '192.0.2.1:8405'");
	expect_error("global { stats *:8404 health *:8405; }\n",
		     "t.conf:1:30: expected an address like 192.0.2.1:80 or [2001:db8::1]:80, got '*:8405'");
	expect_error("global { bogus 1; }\n",
		     "t.conf:1:10: unknown keyword 'bogus', expected one of: workers, maxconn, control, stats, "
		     "access-log, grace");
	expect_error("backend b { server s 192.0.2.1:80; }\n", "t.conf:1:1: expected at least one 'frontend NAME { ... }' block");
}

static void test_retry_on(void **state)
{
	(void)state;
	struct lbd_config *c = load_ok("backend b { server s 192.0.2.1:80; }\n" FE);
	assert_int_equal(c->backends[0].conf.retry_on, RETRY_CONN_FAILURE);
	model_config_unref(c);
	c = load_ok("defaults { retry-on empty-response; }\n"
		    "backend b { server s 192.0.2.1:80; }\n"
		    "backend c { retry-on conn-failure; server s 192.0.2.1:80; }\n" FE);
	assert_int_equal(c->backends[0].conf.retry_on, RETRY_EMPTY_RESPONSE);
	assert_int_equal(c->backends[1].conf.retry_on, RETRY_CONN_FAILURE);
	model_config_unref(c);
	expect_error("backend b { retry-on always; server s 192.0.2.1:80; }\n" FE,
		     "t.conf:1:22: expected one of conn-failure, empty-response, got 'always'");
}

static void test_state_survives_reload(void **state)
{
	(void)state;
	struct lbd_config *a = load_ok("backend b { server s 192.0.2.1:80; server t 192.0.2.2:80; }\n" FE);
	struct server *s = &a->backends[0].servers[0];
	atomic_store(&s->st->admin, SERVER_MAINT);
	model_cnt_add(&s->st->cnt.req_total, 5);
	struct lbd_config *b = NULL;
	const char *text = "backend b { server s 192.0.2.1:80; server t 192.0.2.9:80; server u 192.0.2.3:80; }\n" FE;
	char err[256];
	assert_int_equal(config_parse_string("t.conf", text, strlen(text), &b, err, sizeof(err)), 0);
	assert_int_equal(model_config_adopt_state(b, a), 0);
	assert_ptr_equal(b->backends[0].servers[0].st, s->st);
	assert_int_equal(atomic_load(&b->backends[0].servers[0].st->admin), SERVER_MAINT);
	/* a new address is a new server */
	assert_ptr_not_equal(b->backends[0].servers[1].st, a->backends[0].servers[1].st);
	assert_ptr_equal(b->backends[0].st, a->backends[0].st);
	assert_ptr_equal(b->frontends[0].st, a->frontends[0].st);
	model_config_unref(a);
	assert_int_equal(model_cnt_get(&b->backends[0].servers[0].st->cnt.req_total), 5);
	model_config_unref(b);
}

static void test_counters(void **state)
{
	(void)state;
	static struct lbd_counters c;
	model_sess_inc(&c);
	model_sess_inc(&c);
	model_sess_dec(&c);
	assert_int_equal(model_cnt_get(&c.sess_cur), 1);
	assert_int_equal(model_cnt_get(&c.sess_max), 2);
	assert_int_equal(model_cnt_get(&c.sess_total), 2);
	model_rt_observe(&c, 100);
	model_rt_observe(&c, 20000000);
	assert_int_equal(model_cnt_get(&c.rt_hist[0]), 1);
	assert_int_equal(model_cnt_get(&c.rt_hist[MODEL_RT_BUCKETS]), 1);
	model_resp_count(&c, 503);
	model_resp_count(&c, 99);
	assert_int_equal(model_cnt_get(&c.resp[5]), 1);
	assert_int_equal(model_cnt_get(&c.resp[0]), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deployment_shape),
		cmocka_unit_test(test_defaults_any_position),
		cmocka_unit_test(test_expect_list_and_range),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_retry_on),
		cmocka_unit_test(test_state_survives_reload),
		cmocka_unit_test(test_counters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
