/* Unit tests of lbd/check.c (expect, classification of what common/httpc
 * reports, request format) and of lbd/health.c's pure state machine.  The
 * answer's bytes are judged in common/httpc (tests/unit/test_httpc.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "common/httpc.h"
#include "lbd/check.h"
#include "lbd/health.h"

static void set_expect(struct check_conf *c, int n, ...)
{
	va_list ap;
	va_start(ap, n);
	c->nexpect = n;
	for (int i = 0; i < n; i++) {
		c->expect[i].lo = (uint16_t)va_arg(ap, int);
		c->expect[i].hi = (uint16_t)va_arg(ap, int);
	}
	va_end(ap);
}

static void test_expect(void **state)
{
	(void)state;
	struct check_conf c;
	char out[64];
	memset(&c, 0, sizeof(c));
	/* No expect: HAProxy's default, any 2xx or 3xx. */
	assert_true(check_expect_match(&c, 200));
	assert_true(check_expect_match(&c, 302));
	assert_false(check_expect_match(&c, 404));
	assert_false(check_expect_match(&c, 199));
	assert_string_equal(check_expect_format(&c, out, sizeof(out)), "2xx-3xx");
	set_expect(&c, 1, 200, 200);
	assert_true(check_expect_match(&c, 200));
	assert_false(check_expect_match(&c, 201));
	assert_string_equal(check_expect_format(&c, out, sizeof(out)), "200");
	/* The OpenTelemetry collector answers 404 to GET /: expect 200-499. */
	set_expect(&c, 1, 200, 499);
	assert_true(check_expect_match(&c, 404));
	assert_true(check_expect_match(&c, 499));
	assert_false(check_expect_match(&c, 500));
	assert_false(check_expect_match(&c, 199));
	assert_string_equal(check_expect_format(&c, out, sizeof(out)), "200-499");
	set_expect(&c, 3, 200, 299, 301, 301, 404, 405);
	assert_true(check_expect_match(&c, 299));
	assert_true(check_expect_match(&c, 301));
	assert_true(check_expect_match(&c, 405));
	assert_false(check_expect_match(&c, 302));
	assert_string_equal(check_expect_format(&c, out, sizeof(out)), "200-299,301,404-405");
}

static enum check_reason classify(enum httpc_result r, int status, const struct check_conf *c)
{
	struct httpc_outcome o = { .result = r, .status = status };
	return check_classify(&o, c);
}

static void test_classify(void **state)
{
	(void)state;
	struct check_conf c;
	memset(&c, 0, sizeof(c));
	assert_int_equal(classify(HTTPC_OK, 200, &c), CHECK_OK);
	assert_int_equal(classify(HTTPC_OK, 404, &c), CHECK_BAD_STATUS);
	assert_int_equal(classify(HTTPC_BAD_RESPONSE, 0, &c), CHECK_INVALID_RESP); /* not HTTP, or closed early */
	assert_int_equal(classify(HTTPC_BODY_MISMATCH, 200, &c), CHECK_INVALID_RESP);
	assert_int_equal(classify(HTTPC_RESET, 0, &c), CHECK_INVALID_RESP); /* accepted, then dropped */
	assert_int_equal(classify(HTTPC_RESP_TIMEOUT, 0, &c), CHECK_RESP_TIMEOUT);
	assert_int_equal(classify(HTTPC_CONN_TIMEOUT, 0, &c), CHECK_CONN_TIMEOUT);
	assert_int_equal(classify(HTTPC_REFUSED, 0, &c), CHECK_CONN_REFUSED);
	assert_int_equal(classify(HTTPC_SOCKET_ERROR, 0, &c), CHECK_CONN_ERROR);
	set_expect(&c, 1, 200, 499);
	assert_int_equal(classify(HTTPC_OK, 404, &c), CHECK_OK);
	assert_int_equal(classify(HTTPC_OK, 503, &c), CHECK_BAD_STATUS);
	assert_string_equal(check_reason_haproxy(CHECK_CONN_REFUSED), "L4CON");
	assert_string_equal(check_reason_haproxy(CHECK_BAD_STATUS), "L7STS");
	assert_string_equal(check_reason_haproxy(CHECK_RESP_TIMEOUT), "L7TOUT");
	assert_string_equal(check_reason_haproxy(CHECK_CONN_TIMEOUT), "L4TOUT");
	assert_string_equal(check_reason_haproxy(CHECK_INVALID_RESP), "L7RSP");
	assert_string_equal(check_reason_haproxy(CHECK_OK), "L7OK");
	assert_string_equal(check_reason_haproxy_desc(CHECK_CONN_REFUSED), "Layer4 connection problem");
	for (int r = 0; r < CHECK_REASON_COUNT; r++) {
		assert_non_null(check_reason_haproxy((enum check_reason)r));
		assert_non_null(check_reason_names[r]);
	}
}

static void test_request_format(void **state)
{
	(void)state;
	struct check_conf c;
	struct addr a;
	char err[128], out[512];
	memset(&c, 0, sizeof(c));
	strcpy(c.method, "GET");
	strcpy(c.path, "/-/healthy");
	assert_int_equal(addr_parse("192.0.2.11:19192", ADDR_PORT_REQUIRED, &a, err, sizeof(err)), 0);
	int n = check_format_request(&c, &a, out, sizeof(out));
	assert_true(n > 0);
	/* No host: HTTP/1.0 without Host, as HAProxy sends it. */
	assert_string_equal(out, "GET /-/healthy HTTP/1.0\r\nUser-Agent: lbd-check\r\nAccept: */*\r\n\r\n");
	assert_int_equal(n, (int)strlen(out));
	strcpy(c.host, "loki.example");
	n = check_format_request(&c, &a, out, sizeof(out));
	const char *want = "GET /-/healthy HTTP/1.1\r\nHost: loki.example\r\n";
	assert_int_equal(strncmp(out, want, strlen(want)), 0);
	assert_non_null(strstr(out, "Connection: close\r\n\r\n"));
	assert_int_equal(check_format_request(&c, &a, out, 20), -1);
}

/* One backend with one server, states as model.c would create them. */
struct fixture {
	struct backend be;
	struct server srv;
	struct server_state st;
};

static void fixture_init(struct fixture *f, int start_up)
{
	memset(f, 0, sizeof(*f));
	struct check_conf *c = &f->be.conf.check;
	strcpy(f->be.conf.name, "thanos-query");
	c->enabled = 1;
	c->rise = 2;
	c->fall = 3;
	c->interval_ms = 2000;
	c->fastinter_ms = 500;
	c->downinter_ms = 5000;
	c->start_up = start_up;
	strcpy(f->srv.conf.name, "mid-1");
	f->srv.be = &f->be;
	f->srv.st = &f->st;
	f->be.servers = &f->srv;
	f->be.nservers = 1;
	atomic_init(&f->st.up, start_up);
	atomic_init(&f->st.weight, 1);
	atomic_init(&f->st.check_health, start_up ? 4 : 0);
}

static struct check_outcome res(enum check_reason r, int code)
{
	struct check_outcome o = { r, code, 1500, 0 };
	return o;
}

static const char *word(struct fixture *f)
{
	static char w[32];
	return health_status_word(&f->srv, w, sizeof(w));
}

static void test_health_rise_fall(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 0);
	struct check_outcome ok = res(CHECK_OK, 200), bad = res(CHECK_CONN_REFUSED, 0);
	assert_string_equal(word(&f), "DOWN");
	/* The first passing check brings a starting server up at once. */
	assert_int_equal(health_apply_result(&f.srv, &ok), 1);
	assert_int_equal(atomic_load(&f.st.up), 1);
	assert_string_equal(word(&f), "UP");
	assert_int_equal(health_next_delay_ms(&f.srv), 2000);
	/* fall 3: UP 2/3, UP 1/3, DOWN; fastinter while going down. */
	assert_int_equal(health_apply_result(&f.srv, &bad), 0);
	assert_string_equal(word(&f), "UP 2/3");
	assert_int_equal(health_next_delay_ms(&f.srv), 500);
	assert_int_equal(health_apply_result(&f.srv, &bad), 0);
	assert_string_equal(word(&f), "UP 1/3");
	assert_int_equal(health_apply_result(&f.srv, &bad), 1);
	assert_int_equal(atomic_load(&f.st.up), 0);
	assert_string_equal(word(&f), "DOWN");
	assert_int_equal(health_next_delay_ms(&f.srv), 5000); /* downinter */
	assert_int_equal(atomic_load(&f.st.chkdown), 1);
	assert_int_equal(atomic_load(&f.st.chkfail), 3);
	assert_int_equal(atomic_load(&f.st.check_reason), CHECK_CONN_REFUSED);
	/* rise 2 once it has been checked: DOWN 1/2, then UP. */
	assert_int_equal(health_apply_result(&f.srv, &ok), 0);
	assert_string_equal(word(&f), "DOWN 1/2");
	assert_int_equal(health_next_delay_ms(&f.srv), 500);
	assert_int_equal(health_apply_result(&f.srv, &bad), 0);
	assert_string_equal(word(&f), "DOWN"); /* a failure starts the count again */
	assert_int_equal(health_apply_result(&f.srv, &ok), 0);
	assert_int_equal(health_apply_result(&f.srv, &ok), 1);
	assert_int_equal(atomic_load(&f.st.up), 1);
	/* A success in between resets the count towards DOWN. */
	assert_int_equal(health_apply_result(&f.srv, &bad), 0);
	assert_int_equal(health_apply_result(&f.srv, &ok), 0);
	assert_string_equal(word(&f), "UP");
	assert_int_equal(atomic_load(&f.st.check_code), 200);
	assert_int_equal(atomic_load(&f.st.check_dur_ms), 2);
}

static void test_health_start_up_passive(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 1);
	assert_string_equal(word(&f), "UP");
	/* Trusted until the first check: a failing first check takes it down at once. */
	struct check_outcome st404 = res(CHECK_BAD_STATUS, 404);
	assert_int_equal(health_apply_result(&f.srv, &st404), 1);
	assert_int_equal(atomic_load(&f.st.up), 0);
	assert_int_equal(atomic_load(&f.st.check_code), 404);
	struct check_outcome ok = res(CHECK_OK, 200);
	assert_int_equal(health_apply_result(&f.srv, &ok), 0);
	assert_int_equal(health_apply_result(&f.srv, &ok), 1);

	/* Passive: N connect failures in a row from traffic take it down. */
	f.be.conf.check.passive_fall = 3;
	atomic_store(&f.st.consec_fail, 2);
	assert_int_equal(health_apply_passive(&f.srv), 0);
	atomic_store(&f.st.consec_fail, 3);
	assert_int_equal(health_apply_passive(&f.srv), 1);
	assert_int_equal(atomic_load(&f.st.up), 0);
	assert_int_equal(atomic_load(&f.st.check_reason), CHECK_PASSIVE);
	assert_int_equal(health_apply_passive(&f.srv), 0); /* already down */
	/* Checks bring it back after `rise`, and the failure count is cleared. */
	assert_int_equal(health_apply_result(&f.srv, &ok), 0);
	assert_int_equal(health_apply_result(&f.srv, &ok), 1);
	assert_int_equal(atomic_load(&f.st.consec_fail), 0);
	/* Marked down by a worker (model_server_set_up, health left full): it
	 * still takes `rise` passing checks to come back. */
	assert_int_equal(model_server_set_up(&f.srv, 0), 1);
	assert_int_equal(health_apply_result(&f.srv, &ok), 0);
	assert_string_equal(word(&f), "DOWN 1/2");
	assert_int_equal(health_apply_result(&f.srv, &ok), 1);
	f.be.conf.check.passive_fall = 0;
	atomic_store(&f.st.consec_fail, 50);
	assert_int_equal(health_apply_passive(&f.srv), 0); /* off */

	/* No check configured: "no check". */
	f.be.conf.check.enabled = 0;
	assert_string_equal(word(&f), "no check");
}

/* vrrpd says the server's node is down (peer-down): DOWN at once, counted,
 * and the checks bring it back after `rise` passing ones. */
static void test_health_peer_down(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 1);
	struct check_outcome ok = res(CHECK_OK, 200);
	assert_int_equal(health_apply_result(&f.srv, &ok), 0);
	assert_string_equal(word(&f), "UP");
	assert_int_equal(health_apply_peer_down(&f.srv), 1);
	assert_int_equal(atomic_load(&f.st.up), 0);
	assert_string_equal(word(&f), "DOWN");
	assert_int_equal(atomic_load(&f.st.check_reason), CHECK_PEER_DOWN);
	assert_string_equal(check_reason_names[CHECK_PEER_DOWN], "peer down (vrrpd)");
	assert_int_equal(atomic_load(&f.st.chkdown), 1);
	assert_int_equal(atomic_load(&f.st.peerdown), 1);
	assert_int_equal(health_apply_peer_down(&f.srv), 0); /* already down: not counted again */
	assert_int_equal(atomic_load(&f.st.peerdown), 1);
	/* Failing checks (a dead node) keep the reason it went down for. */
	struct check_outcome tout = res(CHECK_CONN_TIMEOUT, 0);
	assert_int_equal(health_apply_result(&f.srv, &tout), 0);
	assert_int_equal(atomic_load(&f.st.check_reason), CHECK_PEER_DOWN);
	assert_int_equal(atomic_load(&f.st.chkfail), 1);
	assert_int_equal(health_apply_result(&f.srv, &ok), 0);
	assert_string_equal(word(&f), "DOWN 1/2");
	assert_int_equal(atomic_load(&f.st.check_reason), CHECK_OK);
	assert_int_equal(health_apply_result(&f.srv, &ok), 1);
	assert_int_equal(atomic_load(&f.st.up), 1);
	/* Without checks nothing would bring it back: left alone. */
	f.be.conf.check.enabled = 0;
	assert_int_equal(health_apply_peer_down(&f.srv), 0);
	assert_int_equal(atomic_load(&f.st.up), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expect),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_request_format),
		cmocka_unit_test(test_health_rise_fall),
		cmocka_unit_test(test_health_start_up_passive),
		cmocka_unit_test(test_health_peer_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
