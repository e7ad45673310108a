/* Unit tests of lbd/check.c (status line parser, expect, classification,
 * request format) and of lbd/health.c's pure state machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lbd/check.h"
#include "lbd/health.h"

/* Copies s right before a PROT_NONE page, so any read past its end faults. */
static int parse_guarded(const char *s, size_t len, int *code)
{
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	assert_int_equal(mprotect(m + pg, (size_t)pg, PROT_NONE), 0);
	assert_true(len <= (size_t)pg);
	char *p = m + pg - len;
	memcpy(p, s, len);
	int rc = check_parse_status_line(p, len, code);
	munmap(m, (size_t)pg * 2);
	return rc;
}

static int parse(const char *s, int *code)
{
	return parse_guarded(s, strlen(s), code);
}

static void test_status_line_valid(void **state)
{
	(void)state;
	int code;
	assert_int_equal(parse("HTTP/1.1 200 OK\r\n", &code), 17);
	assert_int_equal(code, 200);
	assert_int_equal(parse("HTTP/1.0 404 Not Found\r\nServer: x\r\n", &code), 24);
	assert_int_equal(code, 404);
	assert_int_equal(parse("HTTP/1.1 503 \r\n", &code), 15);
	assert_int_equal(code, 503);
	assert_int_equal(parse("HTTP/1.1 204\r\n", &code), 14);
	assert_int_equal(code, 204);
	assert_int_equal(parse("HTTP/1.1 200 OK\n", &code), 16); /* bare LF tolerated */
	assert_int_equal(parse("HTTP/1.1 200 caf\xc3\xa9\tok\r\n", &code), 23);
}

static void test_status_line_need_more(void **state)
{
	(void)state;
	const char *full = "HTTP/1.1 200 OK\r\n";
	int code;
	for (size_t i = 0; i < strlen(full); i++)
		assert_int_equal(parse_guarded(full, i, &code), -2);
}

static void test_status_line_invalid(void **state)
{
	(void)state;
	int code;
	const char *bad[] = {
		"SSH-2.0-OpenSSH\r\n", "http/1.1 200 OK\r\n", "HTTP/2 200\r\n", "HTTP/2.0 200 OK\r\n",
		"HTTP/1.1 20 OK\r\n", "HTTP/1.1 2000 OK\r\n", "HTTP/1.1  200 OK\r\n", "HTTP/1.1 099 x\r\n",
		"HTTP/1.1 200 O\x01K\r\n", "HTTP/1.1 200 OK\r\r\n", "HTTP/1.1 200OK\r\n",
		"HTTP/1.1 abc OK\r\n", "HTTP/1.1 200 OK\x7f\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &code) != -1)
			fail_msg("accepted: %s", bad[i]);
	}
	/* A line that never ends is refused once over the limit, not buffered forever. */
	char big[CHECK_STATUS_LINE_MAX + 16];
	memset(big, 'a', sizeof(big));
	memcpy(big, "HTTP/1.1 200 ", 13);
	assert_int_equal(parse_guarded(big, sizeof(big), &code), -1);
}

static void test_expect(void **state)
{
	(void)state;
	struct check_expect e;
	char err[200], out[64];
	assert_int_equal(check_expect_parse("200", &e, err, sizeof(err)), 0);
	assert_true(check_expect_match(&e, 200));
	assert_false(check_expect_match(&e, 201));
	assert_int_equal(check_expect_parse("200-499", &e, err, sizeof(err)), 0);
	assert_true(check_expect_match(&e, 404)); /* the OpenTelemetry collector's GET / */
	assert_true(check_expect_match(&e, 200));
	assert_true(check_expect_match(&e, 499));
	assert_false(check_expect_match(&e, 500));
	assert_false(check_expect_match(&e, 199));
	assert_string_equal(check_expect_format(&e, out, sizeof(out)), "200-499");
	assert_int_equal(check_expect_parse("2xx,301,404-405", &e, err, sizeof(err)), 0);
	assert_int_equal(e.n, 3);
	assert_true(check_expect_match(&e, 299));
	assert_true(check_expect_match(&e, 301));
	assert_true(check_expect_match(&e, 405));
	assert_false(check_expect_match(&e, 302));
	assert_string_equal(check_expect_format(&e, out, sizeof(out)), "200-299,301,404-405");
	check_expect_default(&e);
	assert_true(check_expect_match(&e, 302));
	assert_false(check_expect_match(&e, 404));

	const char *bad[] = { "", "20", "2000", "600", "099", "499-200", "200-", "200,", ",200",
			      "2x", "abc", "200 ", "1,2,3", "200,201,202,203,204,205,206,207,208" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (check_expect_parse(bad[i], &e, err, sizeof(err)) != -22)
			fail_msg("accepted expect '%s'", bad[i]);
	}
	check_expect_parse("600", &e, err, sizeof(err));
	assert_string_equal(err, "expected a status code 100-599, a range like 200-499, 2xx, "
				 "or a comma list of those (at most 8), got '600'");
}

static void test_classify(void **state)
{
	(void)state;
	struct check_expect e;
	check_expect_default(&e);
	assert_int_equal(check_classify(17, 200, 0, 0, &e), CHECK_OK);
	assert_int_equal(check_classify(17, 404, 0, 0, &e), CHECK_BAD_STATUS);
	assert_int_equal(check_classify(17, 404, 1, 0, &e), CHECK_BAD_STATUS);
	assert_int_equal(check_classify(-1, 0, 0, 0, &e), CHECK_INVALID_RESPONSE);
	assert_int_equal(check_classify(-2, 0, 1, 0, &e), CHECK_INVALID_RESPONSE); /* closed early */
	assert_int_equal(check_classify(-2, 0, 0, 1, &e), CHECK_RESPONSE_TIMEOUT);
	assert_string_equal(check_result_name(CHECK_REFUSED), "connect refused");
	assert_string_equal(check_result_haproxy(CHECK_REFUSED), "L4CON");
	assert_string_equal(check_result_haproxy(CHECK_BAD_STATUS), "L7STS");
	assert_string_equal(check_result_haproxy(CHECK_RESPONSE_TIMEOUT), "L7TOUT");
	assert_string_equal(check_result_haproxy(CHECK_CONNECT_TIMEOUT), "L4TOUT");
	assert_string_equal(check_result_haproxy(CHECK_OK), "L7OK");
	assert_string_equal(check_result_haproxy_desc(CHECK_REFUSED), "Layer4 connection problem");
	for (int r = 0; r < CHECK__COUNT; r++)
		assert_non_null(check_result_name((enum check_result)r));
}

static void test_request_format(void **state)
{
	(void)state;
	struct check_conf c;
	struct addr a;
	char err[128], out[512];
	check_conf_default(&c);
	assert_int_equal(addr_parse("192.0.2.11:19192", ADDR_PORT_REQUIRED, &a, err, sizeof(err)), 0);
	strcpy(c.path, "/-/healthy");
	int n = check_format_request(&c, &a, out, sizeof(out));
	assert_true(n > 0);
	const char *want = "GET /-/healthy HTTP/1.1\r\nHost: 192.0.2.11:19192\r\n";
	assert_int_equal(strncmp(out, want, strlen(want)), 0);
	assert_non_null(strstr(out, "Connection: close\r\n\r\n"));
	strcpy(c.host, "loki.example");
	n = check_format_request(&c, &a, out, sizeof(out));
	assert_non_null(strstr(out, "\r\nHost: loki.example\r\n"));
	assert_int_equal(check_format_request(&c, &a, out, 20), -1);
}

static struct check_outcome res(enum check_result r, int code)
{
	struct check_outcome o = { r, code, 1500, 0 };
	return o;
}

static void test_health_rise_fall(void **state)
{
	(void)state;
	struct health_conf c;
	struct health_status st;
	char w[32];
	health_conf_default(&c);
	c.enabled = 1;
	health_status_init(&st, &c);
	assert_int_equal(atomic_load(&st.up), 0); /* start down: no traffic before a check */
	struct check_outcome ok = res(CHECK_OK, 200), bad = res(CHECK_REFUSED, 0);
	/* The first passing check brings a starting server up at once. */
	assert_int_equal(health_apply_result(&st, &c, &ok, 1000), 1);
	assert_int_equal(atomic_load(&st.up), 1);
	assert_string_equal(health_status_word(&st, &c, w, sizeof(w)), "UP");
	/* fall 3: UP 2/3, UP 1/3, DOWN. */
	assert_int_equal(health_apply_result(&st, &c, &bad, 2000), 0);
	assert_string_equal(health_status_word(&st, &c, w, sizeof(w)), "UP 2/3");
	assert_int_equal(health_next_delay_ms(&st, &c), c.fastinter_ms);
	assert_int_equal(health_apply_result(&st, &c, &bad, 3000), 0);
	assert_string_equal(health_status_word(&st, &c, w, sizeof(w)), "UP 1/3");
	assert_int_equal(health_apply_result(&st, &c, &bad, 4000), 1);
	assert_int_equal(atomic_load(&st.up), 0);
	assert_string_equal(health_status_word(&st, &c, w, sizeof(w)), "DOWN");
	assert_int_equal(atomic_load(&st.chkdown), 1);
	assert_int_equal(atomic_load(&st.chkfail), 3);
	assert_int_equal(atomic_load(&st.result), CHECK_REFUSED);
	/* rise 2 once it has been checked: DOWN 1/2, then UP. */
	assert_int_equal(health_apply_result(&st, &c, &ok, 5000), 0);
	assert_string_equal(health_status_word(&st, &c, w, sizeof(w)), "DOWN 1/2");
	assert_int_equal(health_apply_result(&st, &c, &bad, 6000), 0);
	assert_string_equal(health_status_word(&st, &c, w, sizeof(w)), "DOWN"); /* reset */
	assert_int_equal(health_apply_result(&st, &c, &ok, 7000), 0);
	assert_int_equal(health_apply_result(&st, &c, &ok, 8000), 1);
	assert_int_equal(atomic_load(&st.up), 1);
	assert_int_equal(health_status_downtime_ms(&st, 9000), 4000);
	/* A success in between resets the count towards DOWN. */
	assert_int_equal(health_apply_result(&st, &c, &bad, 9000), 0);
	assert_int_equal(health_apply_result(&st, &c, &ok, 10000), 0);
	assert_string_equal(health_status_word(&st, &c, w, sizeof(w)), "UP");
}

static void test_health_start_up_and_intervals(void **state)
{
	(void)state;
	struct health_conf c;
	struct health_status st;
	char w[32];
	health_conf_default(&c);
	c.enabled = 1;
	c.start = HEALTH_START_UP;
	c.interval_ms = 2000;
	c.fastinter_ms = 500;
	c.downinter_ms = 5000;
	health_status_init(&st, &c);
	assert_int_equal(atomic_load(&st.up), 1);
	assert_int_equal(health_next_delay_ms(&st, &c), 2000);
	struct check_outcome st404 = res(CHECK_BAD_STATUS, 404);
	/* Trusted until the first check: a failing first check takes it down at once. */
	assert_int_equal(health_apply_result(&st, &c, &st404, 100), 1);
	assert_int_equal(atomic_load(&st.code), 404);
	assert_int_equal(health_next_delay_ms(&st, &c), 5000);
	struct check_outcome ok = res(CHECK_OK, 200);
	health_apply_result(&st, &c, &ok, 200);
	assert_int_equal(health_next_delay_ms(&st, &c), 500);

	/* No check configured: always up, "no check". */
	struct health_conf none;
	health_conf_default(&none);
	health_status_init(&st, &none);
	assert_int_equal(atomic_load(&st.up), 1);
	assert_string_equal(health_status_word(&st, &none, w, sizeof(w)), "no check");

	/* Passive reports: the counter resets on success. */
	c.passive_fails = 3;
	health_status_init(&st, &c);
	health_passive_report(NULL, &st, &c, 0);
	health_passive_report(NULL, &st, &c, 0);
	assert_int_equal(atomic_load(&st.passive), 2);
	health_passive_report(NULL, &st, &c, 1);
	assert_int_equal(atomic_load(&st.passive), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_line_valid),
		cmocka_unit_test(test_status_line_need_more),
		cmocka_unit_test(test_status_line_invalid),
		cmocka_unit_test(test_expect),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_request_format),
		cmocka_unit_test(test_health_rise_fall),
		cmocka_unit_test(test_health_start_up_and_intervals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
