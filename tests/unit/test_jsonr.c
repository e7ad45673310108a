/* Unit tests of common/jsonr.c, the strict JSON reader.  Each input sits
 * right before a PROT_NONE page, so a read past its end faults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/jsonr.h"

static char *page;
static long pgsz;

static int setup(void **state)
{
	(void)state;
	pgsz = sysconf(_SC_PAGESIZE);
	page = mmap(NULL, (size_t)pgsz * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED || mprotect(page + pgsz, (size_t)pgsz, PROT_NONE))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	munmap(page, (size_t)pgsz * 2);
	return 0;
}

static void init(struct jsonr *j, const char *s)
{
	size_t n = strlen(s);
	assert_true(n <= (size_t)pgsz);
	char *p = page + pgsz - n;
	memcpy(p, s, n);
	jsonr_init(j, p, n);
}

/* 0 if s is one valid JSON text. */
static int valid(const char *s)
{
	struct jsonr j;
	init(&j, s);
	return jsonr_skip(&j) || jsonr_end(&j) ? -1 : 0;
}

static void test_walk(void **state)
{
	(void)state;
	struct jsonr j;
	char key[16], s[32];
	double d;
	uint64_t u;
	int b;
	init(&j, " {\"name\": \"vi_1\", \"prio\":100, \"on\":true, \"m\":null,\n \"vips\":[\"192.0.2.1/24\",\"2001:db8::1\"],"
		 "\"x\":{\"deep\":[1,{\"a\":[]}]}, \"f\": -1.5e2} ");
	assert_int_equal(jsonr_peek(&j), JSONR_OBJECT);
	assert_int_equal(jsonr_object(&j), 0);
	assert_int_equal(jsonr_key(&j, key, sizeof(key)), 1);
	assert_string_equal(key, "name");
	assert_int_equal(jsonr_string(&j, s, sizeof(s)), 4);
	assert_string_equal(s, "vi_1");
	assert_int_equal(jsonr_key(&j, key, sizeof(key)), 1);
	assert_int_equal(jsonr_uint(&j, 255, &u), 0);
	assert_int_equal(u, 100);
	assert_int_equal(jsonr_key(&j, key, sizeof(key)), 1);
	assert_int_equal(jsonr_bool(&j, &b), 0);
	assert_true(b);
	assert_int_equal(jsonr_key(&j, key, sizeof(key)), 1);
	assert_int_equal(jsonr_peek(&j), JSONR_NULL);
	assert_int_equal(jsonr_null(&j), 0);
	assert_int_equal(jsonr_key(&j, key, sizeof(key)), 1);
	assert_string_equal(key, "vips");
	assert_int_equal(jsonr_array(&j), 0);
	assert_int_equal(jsonr_item(&j), 1);
	assert_int_equal(jsonr_string(&j, s, sizeof(s)), 12);
	assert_int_equal(jsonr_item(&j), 1);
	assert_int_equal(jsonr_string(&j, s, sizeof(s)), 11);
	assert_string_equal(s, "2001:db8::1");
	assert_int_equal(jsonr_item(&j), 0);
	assert_int_equal(jsonr_key(&j, key, sizeof(key)), 1);
	assert_string_equal(key, "x");
	assert_int_equal(jsonr_skip(&j), 0); /* a whole subtree */
	assert_int_equal(jsonr_key(&j, key, sizeof(key)), 1);
	assert_int_equal(jsonr_number(&j, &d), 0);
	assert_true(d == -150.0);
	assert_int_equal(jsonr_key(&j, key, sizeof(key)), 0);
	assert_int_equal(jsonr_end(&j), 0);
	assert_null(jsonr_error(&j, s, sizeof(s)));
}

static void test_strings(void **state)
{
	(void)state;
	struct jsonr j;
	char s[16];
	init(&j, "\"a\\\"b\\\\c\\/d\\n\\t\\u0041\\u00e9\\u20ac\\ud83d\\ude00\"");
	assert_int_equal(jsonr_string(&j, s, sizeof(s)), 9 + 1 + 2 + 3 + 4);
	/* 20 bytes do not fit in 16: cut before the character that does not fit */
	assert_string_equal(s, "a\"b\\c/d\n\tA\xc3\xa9\xe2\x82\xac");
	init(&j, "\"caf\xc3\xa9\"");
	assert_int_equal(jsonr_string(&j, s, 5), 5);
	assert_string_equal(s, "caf"); /* never half a character */
	init(&j, "\"\"");
	assert_int_equal(jsonr_string(&j, s, sizeof(s)), 0);
	assert_string_equal(s, "");
	/* a member name too long for the caller's buffer reads as "" */
	init(&j, "{\"a_rather_long_member_name\":1}");
	assert_int_equal(jsonr_object(&j), 0);
	assert_int_equal(jsonr_key(&j, s, 8), 1);
	assert_string_equal(s, "");
}

static void test_invalid(void **state)
{
	(void)state;
	const char *bad[] = {
		"", " ", "{", "}", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{'a':1}", "[1 2]",
		"01", "+1", "1.", ".5", "1e", "-", "--1", "0x10", "NaN", "Infinity", "tru", "nul", "True",
		"\"abc", "\"a\x01\"", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
		"\"\xc3\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf5\x80\x80\x80\"", "\"\xff\"",
		"{\"a\":1}x", "[1]]", "1 2", "/*c*/1", "[\"a\"\"b\"]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (valid(bad[i]) == 0)
			fail_msg("accepted: %s", bad[i]);
	const char *good[] = {
		"0", "-0", "1.5", "-1.5E+3", "1e-2", "true", "false", "null", "\"\"", "[]", "{}", " [ 1 , { } ] ",
		"{\"\":\"\"}", "\"\xf0\x9f\x98\x80\"",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (valid(good[i]) != 0)
			fail_msg("refused: %s", good[i]);
	/* the error says where and what */
	struct jsonr j;
	char e[80];
	init(&j, "{\"a\":[1,]}");
	assert_int_equal(jsonr_skip(&j), -1);
	assert_string_equal(jsonr_error(&j, e, sizeof(e)), "offset 8: expected a value after ','");
	/* and sticks */
	assert_int_equal(jsonr_peek(&j), JSONR_INVALID);
	assert_int_equal(jsonr_end(&j), -1);
}

static void test_limits(void **state)
{
	(void)state;
	struct jsonr j;
	uint64_t u;
	char deep[2 * JSONR_MAX_DEPTH + 8];
	/* nesting: JSONR_MAX_DEPTH levels are fine, one more is not */
	memset(deep, '[', JSONR_MAX_DEPTH);
	memset(deep + JSONR_MAX_DEPTH, ']', JSONR_MAX_DEPTH);
	deep[2 * JSONR_MAX_DEPTH] = '\0';
	assert_int_equal(valid(deep), 0);
	memset(deep, '[', JSONR_MAX_DEPTH + 1);
	memset(deep + JSONR_MAX_DEPTH + 1, ']', JSONR_MAX_DEPTH + 1);
	deep[2 * JSONR_MAX_DEPTH + 2] = '\0';
	assert_int_equal(valid(deep), -1);
	/* whole numbers: exact to 2^64 - 1, range-checked, no fraction */
	init(&j, "18446744073709551615");
	assert_int_equal(jsonr_uint(&j, UINT64_MAX, &u), 0);
	assert_true(u == UINT64_MAX);
	init(&j, "18446744073709551616");
	assert_int_equal(jsonr_uint(&j, UINT64_MAX, &u), -1);
	init(&j, "256");
	assert_int_equal(jsonr_uint(&j, 255, &u), -1);
	init(&j, "255");
	assert_int_equal(jsonr_uint(&j, 255, &u), 0);
	init(&j, "7");
	assert_int_equal(jsonr_uint(&j, 5, &u), -1);
	init(&j, "1e2");
	assert_int_equal(jsonr_uint(&j, 255, &u), -1);
	init(&j, "-1");
	assert_int_equal(jsonr_uint(&j, 255, &u), -1);
	/* a scalar as written */
	const char *t;
	size_t n;
	init(&j, "[-12.5e1,false]");
	assert_int_equal(jsonr_array(&j), 0);
	assert_int_equal(jsonr_item(&j), 1);
	assert_int_equal(jsonr_scalar(&j, &t, &n), 0);
	assert_int_equal(n, 7);
	assert_memory_equal(t, "-12.5e1", 7);
	assert_int_equal(jsonr_item(&j), 1);
	assert_int_equal(jsonr_scalar(&j, &t, &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(jsonr_item(&j), 0);
	/* a copy of the reader looks ahead without moving the original */
	init(&j, "[{\"a\":1}]");
	struct jsonr probe = j;
	assert_int_equal(jsonr_array(&probe), 0);
	assert_int_equal(jsonr_item(&probe), 1);
	assert_int_equal(jsonr_peek(&probe), JSONR_OBJECT);
	assert_int_equal(jsonr_peek(&j), JSONR_ARRAY);
	assert_int_equal(jsonr_skip(&j), 0);
	assert_int_equal(jsonr_end(&j), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
