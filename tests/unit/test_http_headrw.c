/* Unit tests of the head rewrite (lbd/headrw.c): hop-by-hop headers, one
 * X-Forwarded-For, X-Forwarded-Proto, Connection on the way back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "lbd/headrw.h"
#include "common/http1.h"

static const struct http1_limits lim = { 16384, 8192 };

static const char *req(const char *in, const struct headrw_req *o)
{
	static struct http1_request r;
	static char out[4096];
	assert_int_equal(http1_parse_request(in, strlen(in), &lim, &r), (int)strlen(in));
	int n = headrw_request(&r, o, out, sizeof(out) - 1);
	assert_true(n > 0);
	out[n] = '\0';
	return out;
}

static void test_request(void **state)
{
	(void)state;
	struct headrw_req o = { .client_ip = "192.0.2.5", .proto = "http" };
	assert_string_equal(req("GET /q HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 203.0.113.1\r\nA:b\r\n"
				"x-forwarded-for: 203.0.113.2\r\nX-Forwarded-Proto: https\r\n\r\n", &o),
			    "GET /q HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 203.0.113.1, 203.0.113.2, 192.0.2.5\r\n"
			    "A: b\r\nX-Forwarded-Proto: http\r\n\r\n");
	assert_string_equal(req("POST /p HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, X-Secret, Content-Length\r\n"
				"X-Secret: 1\r\nKeep-Alive: 5\r\nTE: trailers\r\nUpgrade: h2c\r\n"
				"Proxy-Connection: x\r\nContent-Length: 3\r\n\r\n", &o),
			    "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nX-Forwarded-For: 192.0.2.5\r\n"
			    "X-Forwarded-Proto: http\r\n\r\n");
	struct headrw_req none = { 0 };
	assert_string_equal(req("GET / HTTP/1.0\r\nX-Forwarded-For: 1\r\n\r\n", &none),
			    "GET / HTTP/1.0\r\nX-Forwarded-For: 1\r\nConnection: close\r\n\r\n");
	struct headrw_req ws = { .tunnel = 1 };
	assert_string_equal(req("GET /tail HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", &ws),
			    "GET /tail HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
}

static void test_response(void **state)
{
	(void)state;
	static struct http1_response r;
	char out[1024];
	const char *in = "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\n";
	assert_int_equal(http1_parse_response(in, strlen(in), 16384, &r), (int)strlen(in));
	int n = headrw_response(&r, HEADRW_CLOSE, 0, out, sizeof(out));
	assert_int_equal(n, (int)strlen("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n"));
	assert_memory_equal(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n", (size_t)n);
	n = headrw_response(&r, HEADRW_KEEP, 0, out, sizeof(out));
	assert_memory_equal(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", (size_t)n);
	/* an HTTP/1.0 client kept alive is told so (RFC 9112 9.3) */
	n = headrw_response(&r, HEADRW_KEEP_ALIVE, 0, out, sizeof(out));
	assert_int_equal(n, (int)strlen("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n"));
	assert_memory_equal(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n", (size_t)n);
	assert_int_equal(headrw_response(&r, HEADRW_KEEP, 0, out, 10), -1); /* does not fit */
}

/* Transfer-Encoding goes on as the one form every server reads, whatever
 * spelling the client used (RFC 9112 allows empty list elements and any
 * case; a server that only knows "chunked" would read the body as the next
 * request). */
static void test_transfer_encoding(void **state)
{
	(void)state;
	struct headrw_req none = { 0 };
	static const char *const forms[] = { ",chunked,", "CHUNKED", "Chunked ,", " , chunked" };
	char in[256];
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		snprintf(in, sizeof(in), "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: %s\r\nX: y\r\n\r\n", forms[i]);
		assert_string_equal(req(in, &none),
				    "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nX: y\r\n\r\n");
	}
	static struct http1_response r;
	char out[256];
	const char *rin = "HTTP/1.1 200 OK\r\nTransfer-Encoding: ,CHUNKED\r\nX: y\r\n\r\n";
	assert_int_equal(http1_parse_response(rin, strlen(rin), 16384, &r), (int)strlen(rin));
	int n = headrw_response(&r, HEADRW_KEEP, 0, out, sizeof(out) - 1);
	assert_true(n > 0);
	out[n] = '\0';
	assert_string_equal(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX: y\r\n\r\n");
}

/* Every header the Connection header names is hop-by-hop, however many it
 * names and over however many Connection lines (only the first 8 were). */
static void test_many_connection_tokens(void **state)
{
	(void)state;
	struct headrw_req none = { 0 };
	assert_string_equal(req("GET / HTTP/1.1\r\nHost: h\r\nConnection: a1, a2, a3, a4, a5, a6, a7, a8, a9\r\n"
				"Connection: close,a10\r\nA1: x\r\nA9: x\r\nA10: x\r\nA11: kept\r\n\r\n", &none),
			    "GET / HTTP/1.1\r\nHost: h\r\nA11: kept\r\n\r\n");
	char in[3072], *p = in;
	p += sprintf(p, "GET / HTTP/1.1\r\nHost: h\r\nConnection:");
	for (int i = 0; i < 90; i++)
		p += sprintf(p, " x%d,", i);
	p += sprintf(p, "\r\n");
	for (int i = 0; i < 90; i++)
		p += sprintf(p, "X%d: v\r\n", i);
	sprintf(p, "\r\n");
	assert_string_equal(req(in, &none), "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_response),
		cmocka_unit_test(test_transfer_encoding),
		cmocka_unit_test(test_many_connection_tokens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
