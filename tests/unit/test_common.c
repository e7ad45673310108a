/* Unit tests of common/: buffers, JSON strings, addresses, control-line splitting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "ctl.h"
#include "json.h"

static void test_buf(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	assert_int_equal(buf_puts(&b, "hello"), 0);
	assert_int_equal(buf_printf(&b, " %d", 42), 0);
	assert_string_equal(buf_cstr(&b), "hello 42");
	buf_consume(&b, 6);
	assert_string_equal(buf_cstr(&b), "42");
	/* growth past the small printf buffer */
	char big[1000];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(buf_printf(&b, "%s", big), 0);
	assert_int_equal(b.len, 2 + 999);
	buf_consume(&b, 5000);
	assert_int_equal(b.len, 0);
	buf_free(&b);
	assert_null(b.data);
	buf_free(&b); /* idempotent */
}

static void test_json(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	json_string(&b, "a\"b\\c\nd\x01");
	assert_string_equal(buf_cstr(&b), "\"a\\\"b\\\\c\\nd\\u0001\"");
	buf_free(&b);
}

static void expect_addr(const char *in, int flags, const char *out)
{
	struct addr a;
	char err[160], s[ADDR_STRLEN];
	assert_int_equal(addr_parse(in, flags, &a, err, sizeof(err)), 0);
	assert_string_equal(addr_format(&a, s, sizeof(s)), out);
}

static void expect_addr_error(const char *in, int flags, const char *msg)
{
	struct addr a;
	char err[160];
	assert_int_equal(addr_parse(in, flags, &a, err, sizeof(err)), -22);
	assert_string_equal(err, msg);
}

static void test_addr(void **state)
{
	(void)state;
	static const unsigned char ips[][4] = { { 0, 0, 0, 0 }, { 192, 0, 2, 1 }, { 9, 10, 99, 100 },
						{ 255, 255, 255, 255 }, { 198, 51, 100, 7 } };
	for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++) {
		char mine[ADDR_IP4_STRLEN], ref[INET_ADDRSTRLEN];
		assert_non_null(inet_ntop(AF_INET, ips[i], ref, sizeof(ref)));
		assert_string_equal(addr_ip4_text(ips[i], mine), ref);
	}
	expect_addr("192.0.2.1:80", ADDR_PORT_REQUIRED, "192.0.2.1:80");
	expect_addr("[2001:db8::1]:8080", ADDR_PORT_REQUIRED, "[2001:db8::1]:8080");
	expect_addr("*:4318", ADDR_WILDCARD, "0.0.0.0:4318");
	expect_addr("[::]:4318", ADDR_WILDCARD, "[::]:4318");
	expect_addr_error("*:4318", ADDR_PORT_REQUIRED,
			  "expected an address like 192.0.2.1:80 or [2001:db8::1]:80, got '*:4318'");
	expect_addr_error("192.0.2.1", ADDR_PORT_REQUIRED,
			  "expected an address like 192.0.2.1:80 or [2001:db8::1]:80, got '192.0.2.1'");
	expect_addr_error("192.0.2.1:99999", ADDR_PORT_REQUIRED,
			  "expected an address like 192.0.2.1:80 or [2001:db8::1]:80, got '192.0.2.1:99999'");
	expect_addr_error("2001:db8::1:80", ADDR_PORT_REQUIRED,
			  "expected an address like 192.0.2.1:80 or [2001:db8::1]:80, got '2001:db8::1:80'");
	expect_addr_error("[192.0.2.1]:80", ADDR_PORT_REQUIRED,
			  "expected an address like 192.0.2.1:80 or [2001:db8::1]:80, got '[192.0.2.1]:80'");
	expect_addr_error("host:80", ADDR_WILDCARD,
			  "expected an address like *:80, 192.0.2.1:80 or [2001:db8::1]:80, got 'host:80'");
	expect_addr_error("192.0.2.1:", ADDR_PORT_REQUIRED,
			  "expected an address like 192.0.2.1:80 or [2001:db8::1]:80, got '192.0.2.1:'");

	struct addr a, b;
	char err[160], s[ADDR_STRLEN];
	assert_int_equal(addr_parse("2001:db8::5", ADDR_PORT_NONE, &a, err, sizeof(err)), 0);
	assert_string_equal(addr_format_ip(&a, s, sizeof(s)), "2001:db8::5");
	assert_int_equal(addr_family(&a), AF_INET6);
	expect_addr_error("192.0.2.1:80", ADDR_PORT_NONE, "expected an IP address, got '192.0.2.1:80'");

	int plen;
	assert_int_equal(addr_parse_prefix("198.51.100.100/24", &a, &plen, err, sizeof(err)), 0);
	assert_int_equal(plen, 24);
	assert_int_equal(addr_parse_prefix("2001:db8::100", &b, &plen, err, sizeof(err)), 0);
	assert_int_equal(plen, 128);
	assert_int_equal(addr_parse_prefix("198.51.100.100/33", &a, &plen, err, sizeof(err)), -22);
	assert_string_equal(err, "expected an address with an optional prefix like 198.51.100.100/24, got '198.51.100.100/33'");
	assert_int_equal(addr_parse_prefix("198.51.100.100/", &a, &plen, err, sizeof(err)), -22);

	assert_int_equal(addr_parse("192.0.2.1:1", ADDR_PORT_REQUIRED, &a, err, sizeof(err)), 0);
	assert_int_equal(addr_parse("192.0.2.1:2", ADDR_PORT_REQUIRED, &b, err, sizeof(err)), 0);
	assert_true(addr_equal_ip(&a, &b));
	assert_int_equal(addr_port(&b), 2);
	assert_int_equal(addr_parse("192.0.2.2:2", ADDR_PORT_REQUIRED, &b, err, sizeof(err)), 0);
	assert_true(addr_cmp_ip(&a, &b) < 0);
	assert_false(addr_equal_ip(&a, &b));

	/* The IP's bytes, network order, for packets and netlink. */
	size_t n = 99;
	const unsigned char *ip = addr_ip_bytes(&b.ss, &n);
	assert_int_equal(n, 4);
	assert_memory_equal(ip, "\xc0\x00\x02\x02", 4);
	assert_int_equal(addr_parse("[2001:db8::7]:80", ADDR_PORT_REQUIRED, &b, err, sizeof(err)), 0);
	ip = addr_ip_bytes(&b.ss, &n);
	assert_int_equal(n, 16);
	assert_memory_equal(ip, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07", 16);
	assert_ptr_equal(addr_ip_bytes(&b.ss, NULL), ip);
	struct sockaddr_storage unix_ss = { .ss_family = AF_UNIX };
	assert_null(addr_ip_bytes(&unix_ss, &n));
	assert_int_equal(n, 0);
}

static void test_ctl_split(void **state)
{
	(void)state;
	char line[] = "  disable server \"thanos q/mid 1\"  x ";
	char *argv[4];
	assert_int_equal(ctl_split(line, argv, 4), 4);
	assert_string_equal(argv[0], "disable");
	assert_string_equal(argv[1], "server");
	assert_string_equal(argv[2], "thanos q/mid 1");
	assert_string_equal(argv[3], "x");
	char many[] = "a b c d e";
	assert_int_equal(ctl_split(many, argv, 4), -7);
	char open_quote[] = "a \"b";
	assert_int_equal(ctl_split(open_quote, argv, 4), -22);
	char empty[] = "   ";
	assert_int_equal(ctl_split(empty, argv, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_ctl_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
