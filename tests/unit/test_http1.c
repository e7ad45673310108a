/* Unit tests of the HTTP/1.1 parsers (common/http1.c).  Every input is placed
 * right before a PROT_NONE page, so a read past the end crashes the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/http1.h"

static char *guard_base;
static size_t guard_size;

/* The bytes of s, ending exactly at a PROT_NONE page. */
static const char *guarded(const char *s, size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t need = (n + pg - 1) / pg * pg + pg;
	if (guard_base)
		munmap(guard_base, guard_size);
	guard_size = need;
	guard_base = mmap(NULL, need, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(guard_base != MAP_FAILED);
	assert_int_equal(mprotect(guard_base + need - pg, pg, PROT_NONE), 0);
	char *p = guard_base + need - pg - n;
	memcpy(p, s, n);
	return p;
}

static const struct http1_limits lim = { .max_head = 16384, .max_uri = 8192 };

static int parse_req(const char *s, size_t n, struct http1_request *r)
{
	return http1_parse_request(guarded(s, n), n, &lim, r);
}

/* A valid head: every strict prefix needs more, the whole is consumed. */
static void expect_valid_request(const char *s, struct http1_request *r)
{
	size_t n = strlen(s);
	for (size_t k = 0; k < n; k++) {
		int rc = parse_req(s, k, r);
		if (rc != -2)
			fail_msg("prefix %zu of %s: got %d (%s)", k, s, rc, r->reason ? r->reason : "");
	}
	int rc = parse_req(s, n, r);
	if (rc != (int)n)
		fail_msg("%s: got %d (%d %s)", s, rc, r->status, r->reason ? r->reason : "");
}

static void test_simple_get(void **state)
{
	(void)state;
	static struct http1_request r;
	expect_valid_request("GET /api/v1/query?query=up HTTP/1.1\r\nHost: a.example\r\n"
			     "User-Agent: curl/7.88\r\nAccept:*/*\r\n\r\n", &r);
	assert_int_equal(r.meth, HTTP1_M_GET);
	assert_int_equal(r.minor, 1);
	assert_int_equal(r.target_len, strlen("/api/v1/query?query=up"));
	assert_int_equal(r.nheaders, 3);
	assert_int_equal(r.headers[2].value_len, 3);
	assert_memory_equal(r.headers[2].value, "*/*", 3);
	assert_int_equal(r.host_idx, 0);
	assert_int_equal(r.flags, 0);
}

static void test_bodies_and_flags(void **state)
{
	(void)state;
	static struct http1_request r;
	expect_valid_request("POST /v1/metrics HTTP/1.1\r\nHost: h\r\nContent-Length: 65536\r\n"
			     "Expect: 100-continue\r\nConnection: keep-alive, X-Foo\r\n\r\n", &r);
	assert_int_equal(r.meth, HTTP1_M_POST);
	assert_true(r.flags & HTTP1_F_HAS_CL);
	assert_int_equal(r.content_length, 65536);
	assert_true(r.flags & HTTP1_F_EXPECT_100);
	assert_true(r.flags & HTTP1_F_CONN_KEEPALIVE);
	assert_true(r.flags & HTTP1_F_CONN_OTHER);
	expect_valid_request("PUT /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", &r);
	assert_true(r.flags & HTTP1_F_CHUNKED);
	expect_valid_request("GET /tail HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", &r);
	assert_true(r.flags & HTTP1_F_CONN_UPGRADE);
	assert_true(r.flags & HTTP1_F_UPGRADE_WS);
	expect_valid_request("GET / HTTP/1.0\r\n\r\n", &r); /* HTTP/1.0 without Host */
	assert_int_equal(r.minor, 0);
	expect_valid_request("\r\nOPTIONS * HTTP/1.1\r\nHost: h\r\nX-Empty:\r\n\r\n", &r);
	assert_int_equal(r.headers[1].value_len, 0);
	expect_valid_request("GET http://h/x HTTP/1.1\r\nHost: h\r\nX: a\x80\xff b \t\r\n\r\n", &r);
	assert_int_equal(r.headers[1].value_len, 5); /* trailing OWS trimmed, obs-text kept */
}

struct bad { const char *req; int status; };

/* Malformed and smuggling requests with the status each must get.  The
 * namespace test tests/net/test_lbd_malformed.sh sends the same kinds
 * through a running lbd. */
static const struct bad bad_requests[] = {
	{ "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5, 5\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: +5\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 501 },
	{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: xchunked\r\n\r\n", 501 },
	{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked;q=1\r\n\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\r\n\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: ,\r\n\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", 400 },
	/* not a token: malformed (400), not an unknown coding (501) */
	{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\xff\r\n\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chun/ked\r\n\r\n", 400 },
	{ "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
	{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding : chunked\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: h\r\n\tX-A: a\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\nHost: h\n\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: h\r\nX: a\x01" "b\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: h\r\nX: a\x7f\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: h\r\n: empty\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: h\r\nX(y): z\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHo\x80st: h\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost:\r\n\r\n", 400 },
	{ "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
	{ "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400 },
	{ "GET /\tx HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
	{ "GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
	{ "GET /\x80 HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
	{ " GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
	{ "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
	{ "GET / HTTP/1.a\r\nHost: h\r\n\r\n", 400 },
	{ "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505 },
	{ "GET / HTTP/3.0\r\nHost: h\r\n\r\n", 505 },
	{ "GET / http/1.1\r\nHost: h\r\n\r\n", 400 },
	{ "GET / HTTP/1.1x\r\nHost: h\r\n\r\n", 400 },
	{ "GET / HTTP/1\r\nHost: h\r\n\r\n", 400 },
	{ "GET /\r\nHost: h\r\n\r\n", 400 },
	{ "GET x HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
	{ "GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
	{ "CONNECT h:443 HTTP/1.1\r\nHost: h\r\n\r\n", 501 },
	{ "GET / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\n\r\n", 417 },
	{ "\rGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
	{ "\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: h\r\r\n\r\n", 400 },
	{ "GET / HTTP/1.1\r\nHost: h\r\n\r\r", 400 },
	{ "GET / HTTP/1.1\r\x0aHost: h\r\n\x0a", 400 },
};

static void test_bad_requests(void **state)
{
	(void)state;
	static struct http1_request r;
	for (size_t i = 0; i < sizeof(bad_requests) / sizeof(bad_requests[0]); i++) {
		const char *s = bad_requests[i].req;
		size_t n = strlen(s);
		int rc = parse_req(s, n, &r);
		if (rc != -1 || r.status != bad_requests[i].status)
			fail_msg("case %zu: got rc %d status %d (%s), expected %d", i, rc, r.status,
				 r.reason ? r.reason : "", bad_requests[i].status);
	}
	/* the NUL byte case needs its length given */
	static const char nul[] = "GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n";
	assert_int_equal(parse_req(nul, sizeof(nul) - 1, &r), -1);
	assert_int_equal(r.status, 400);
}

static void test_limits(void **state)
{
	(void)state;
	static struct http1_request r;
	static char big[40000];
	struct http1_limits small = { .max_head = 1024, .max_uri = 100 };
	/* 414 as soon as the target passes the limit, even with the head incomplete */
	snprintf(big, sizeof(big), "GET /%0200d", 0);
	assert_int_equal(http1_parse_request(guarded(big, strlen(big)), strlen(big), &small, &r), -1);
	assert_int_equal(r.status, 414);
	/* 431 when the head grows past the limit without ending */
	int n = snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: h\r\nX: %01100d", 0);
	assert_int_equal(http1_parse_request(guarded(big, (size_t)n), (size_t)n, &small, &r), -1);
	assert_int_equal(r.status, 431);
	/* 431 for a complete head over the limit too */
	n = snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: h\r\nX: %01000d\r\n\r\n", 0);
	assert_int_equal(http1_parse_request(guarded(big, (size_t)n), (size_t)n, &small, &r), -1);
	assert_int_equal(r.status, 431);
	/* too many fields */
	n = snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: h\r\n");
	for (int i = 0; i < HTTP1_MAX_HEADERS; i++)
		n += snprintf(big + n, sizeof(big) - (size_t)n, "X-%d: y\r\n", i);
	n += snprintf(big + n, sizeof(big) - (size_t)n, "\r\n");
	assert_int_equal(parse_req(big, (size_t)n, &r), -1);
	assert_int_equal(r.status, 431);
}

static void test_pipelined(void **state)
{
	(void)state;
	static struct http1_request r;
	const char *two = "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n";
	int n = parse_req(two, strlen(two), &r);
	assert_int_equal(n, (int)strlen(two) / 2);
	assert_int_equal(parse_req(two + n, strlen(two) - (size_t)n, &r), n);
	assert_memory_equal(r.target, "/b", 2);
}

static void test_responses(void **state)
{
	(void)state;
	static struct http1_response r;
	const char *s = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: close\r\n\r\n";
	size_t n = strlen(s);
	for (size_t k = 0; k < n; k++)
		assert_int_equal(http1_parse_response(guarded(s, k), k, 16384, &r), -2);
	assert_int_equal(http1_parse_response(guarded(s, n), n, 16384, &r), (int)n);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.content_length, 12);
	assert_true(r.flags & HTTP1_F_CONN_CLOSE);
	s = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
	assert_int_equal(http1_parse_response(guarded(s, strlen(s)), strlen(s), 16384, &r), (int)strlen(s));
	assert_int_equal(r.status, 101);
	assert_true(r.flags & HTTP1_F_UPGRADE_WS);
	s = "HTTP/1.0 204\r\n\r\n";
	assert_int_equal(http1_parse_response(guarded(s, strlen(s)), strlen(s), 16384, &r), (int)strlen(s));
	assert_int_equal(r.minor, 0);
	assert_int_equal(r.status, 204);
	static const char *const bad[] = {
		"HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 600 X\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
		"HTTP/1.1 200 OK\nContent-Length: 1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX : y\r\n\r\n",
		"ICY 200 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (http1_parse_response(guarded(bad[i], strlen(bad[i])), strlen(bad[i]), 16384, &r) != -1)
			fail_msg("response %zu accepted", i);
}

/* Feed a chunked body in pieces of `step` bytes; returns the final rc and
 * the total bytes used. */
static int feed_chunked(const char *s, size_t n, size_t step, size_t *total)
{
	struct http1_chunked c;
	http1_chunked_init(&c);
	*total = 0;
	for (size_t off = 0; off < n;) {
		size_t k = n - off < step ? n - off : step, used = 0;
		int rc = http1_chunked_feed(&c, guarded(s + off, k), k, &used);
		*total += used;
		if (rc)
			return rc;
		assert_int_equal(used, k);
		off += k;
	}
	return 0;
}

static void test_chunked(void **state)
{
	(void)state;
	const char *ok = "5\r\nhello\r\n1;name=val\r\n \r\n00A\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\nGET /next";
	size_t body = strlen(ok) - strlen("GET /next"), total;
	for (size_t step = 1; step <= strlen(ok); step++) {
		assert_int_equal(feed_chunked(ok, strlen(ok), step, &total), 1);
		assert_int_equal(total, body);
	}
	assert_int_equal(feed_chunked("0\r\n\r\n", 5, 5, &total), 1);
	/* harmless trailers pass, a name that only starts like a framing one too */
	static const char tr[] = "0\r\nContent-Length-X: 1\r\nX-Checksum-Of-The-Body: a\r\nHosts: 2\r\n\r\n";
	for (size_t step = 1; step <= strlen(tr); step++) {
		assert_int_equal(feed_chunked(tr, strlen(tr), step, &total), 1);
		assert_int_equal(total, strlen(tr));
	}
	for (size_t step = 1; step <= 10; step++) /* caught across every split */
		assert_int_equal(feed_chunked("0\r\nContent-Length: 44\r\n\r\n", 28, step, &total), -1);
	assert_int_equal(feed_chunked("5\r\nhel", 6, 6, &total), 0);
	static const char *const bad[] = {
		"x\r\n", "5 \r\nhello\r\n0\r\n\r\n", "5\nhello\r\n0\r\n\r\n", "5\r\nhelloX\r\n0\r\n\r\n",
		"5\r\nhello\n0\r\n\r\n", "-1\r\n", "fffffffffffffffff\r\n", "0\r\nX : y\r\n\r\n",
		"0\r\n\r\r", "5;\x01\r\nhello\r\n", " 5\r\nhello\r\n0\r\n\r\n", "0\r\nX\r\n\r\n",
		/* trailers that would change how the message is framed or routed */
		"0\r\nContent-Length: 44\r\n\r\n", "0\r\nX-T: 1\r\ntransfer-encoding: chunked\r\n\r\n",
		"0\r\nHost: evil\r\n\r\n", "0\r\nConnection: close\r\n\r\n", "0\r\nTrailer: X\r\n\r\n",
		"0\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n", "0\r\nUpgrade: websocket\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (feed_chunked(bad[i], strlen(bad[i]), strlen(bad[i]), &total) != -1)
			fail_msg("chunked case %zu accepted", i);
	/* data_left/skip: move chunk data without looking at it */
	struct http1_chunked c;
	size_t used;
	http1_chunked_init(&c);
	assert_int_equal(http1_chunked_feed(&c, "10\r\n", 4, &used), 0);
	assert_int_equal(http1_chunked_data_left(&c), 16);
	http1_chunked_skip(&c, 16);
	assert_int_equal(http1_chunked_data_left(&c), 0);
	assert_int_equal(http1_chunked_feed(&c, "\r\n0\r\n\r\n", 7, &used), 1);
	assert_int_equal(used, 7);
}

static void test_helpers(void **state)
{
	(void)state;
	assert_true(http1_list_has("a, Upgrade ,b", 13, "upgrade"));
	assert_false(http1_list_has("upgrades", 8, "upgrade"));
	assert_int_equal(http1_header_kind("X-Forwarded-For", 15), HTTP1_H_X_FORWARDED_FOR);
	assert_int_equal(http1_header_kind("Content-Type", 12), HTTP1_H_OTHER);
	assert_true(http1_method_idempotent(HTTP1_M_GET));
	assert_false(http1_method_idempotent(HTTP1_M_POST));
	assert_string_equal(http1_status_text(504), "Gateway Timeout");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_get),
		cmocka_unit_test(test_bodies_and_flags),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_responses),
		cmocka_unit_test(test_chunked),
		cmocka_unit_test(test_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
