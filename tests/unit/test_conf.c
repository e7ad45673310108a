/* Unit tests of the shared config grammar (common/conf.c): every error path
 * with its exact message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"

static struct conf_tree *parse_ok(const char *text)
{
	struct conf_tree *t = NULL;
	char err[256] = "";
	int rc = conf_parse_string("t.conf", text, strlen(text), &t, err, sizeof(err));
	if (rc)
		fail_msg("unexpected error: %s", err);
	return t;
}

static void expect_parse_error(const char *text, const char *msg)
{
	struct conf_tree *t = NULL;
	char err[256] = "";
	assert_int_equal(conf_parse_string("t.conf", text, strlen(text), &t, err, sizeof(err)), -22);
	assert_null(t);
	assert_string_equal(err, msg);
}

static void test_statements_and_blocks(void **state)
{
	(void)state;
	struct conf_tree *t = parse_ok("# top\nglobal { workers 2; stats *:8404; }\n"
				       "backend \"thanos q\" {\n  server a 192.0.2.1:80;\n}\n");
	assert_int_equal(t->root.nchildren, 2);
	const struct conf_node *g = &t->root.children[0];
	assert_string_equal(g->args[0], "global");
	assert_true(g->has_block);
	assert_int_equal(g->nchildren, 2);
	assert_string_equal(g->children[1].args[1], "*:8404");
	assert_int_equal(g->children[1].pos[1].line, 2);
	assert_int_equal(g->children[1].pos[1].col, 27);
	const struct conf_node *b = &t->root.children[1];
	assert_string_equal(b->args[1], "thanos q");
	assert_int_equal(b->children[0].pos[0].line, 4);
	assert_int_equal(b->children[0].pos[0].col, 3);
	conf_free(t);
}

static void test_quoted_escapes(void **state)
{
	(void)state;
	struct conf_tree *t = parse_ok("a \"x\\\"y\\\\z\\n\";");
	assert_string_equal(t->root.children[0].args[1], "x\"y\\z\n");
	conf_free(t);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_parse_error("a b", "t.conf:1:4: expected ';' or '{' after 'b', got end of file");
	expect_parse_error("a {\n b;\n", "t.conf:3:1: expected '}' to close the block opened at line 1");
	expect_parse_error("}", "t.conf:1:1: expected a keyword, got '}' with no block open");
	expect_parse_error(";", "t.conf:1:1: expected a keyword, got ';'");
	expect_parse_error("{", "t.conf:1:1: expected a keyword, got '{'");
	expect_parse_error("a \"open\n", "t.conf:1:3: expected '\"' to close the quoted string");
	expect_parse_error("a \"x\\q\";", "t.conf:1:5: expected one of \\\" \\\\ \\n \\t in a quoted string");
	expect_parse_error("a \x01;", "t.conf:1:3: expected a keyword, a value or one of ; { }, got byte 0x01");
	expect_parse_error("a b }", "t.conf:1:5: expected ';' or '{' after 'b', got '}'");
	expect_parse_error("include x;", "t.conf:1:1: include is not allowed here");
}

static int seen_server;
static int h_server(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct addr a;
	(void)ctx;
	seen_server++;
	return conf_get_addr(n, 2, ADDR_PORT_REQUIRED, &a, err, errlen);
}

static const struct conf_keyword backend_kw[] = {
	{ "server", "server NAME ADDRESS", 2, 2, CONF_NO_BLOCK, CONF_UNIQUE_NAME, h_server },
	{ "retries", "retries N", 1, 1, CONF_NO_BLOCK, 0, NULL },
	{ NULL, NULL, 0, 0, CONF_NO_BLOCK, 0, NULL },
};

static int h_backend(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	return conf_dispatch(n, backend_kw, ctx, err, errlen);
}

static const struct conf_keyword top_kw[] = {
	{ "backend", "backend NAME { ... }", 1, 1, CONF_BLOCK, CONF_UNIQUE_NAME, h_backend },
	{ NULL, NULL, 0, 0, CONF_NO_BLOCK, 0, NULL },
};

static void expect_dispatch_error(const char *text, const char *msg)
{
	struct conf_tree *t = parse_ok(text);
	char err[256] = "";
	assert_int_equal(conf_dispatch(&t->root, top_kw, NULL, err, sizeof(err)), -22);
	assert_string_equal(err, msg);
	conf_free(t);
}

static void test_dispatch(void **state)
{
	(void)state;
	struct conf_tree *t = parse_ok("backend a { server x 192.0.2.1:80; server y [2001:db8::1]:80; }\n"
				       "backend b { retries 3; }");
	char err[256] = "";
	seen_server = 0;
	assert_int_equal(conf_dispatch(&t->root, top_kw, NULL, err, sizeof(err)), 0);
	assert_int_equal(seen_server, 2);
	conf_free(t);

	expect_dispatch_error("frontend x { }",
			      "t.conf:1:1: unknown keyword 'frontend', expected one of: backend");
	expect_dispatch_error("backend a { }\nbackend a { }",
			      "t.conf:2:9: duplicate backend 'a' (first at t.conf:1), expected a unique name");
	expect_dispatch_error("backend a { retries 1; retries 2; }",
			      "t.conf:1:24: duplicate 'retries' (first at t.conf:1), expected it once per block");
	expect_dispatch_error("backend a;", "t.conf:1:9: expected '{' after 'backend NAME { ... }'");
	expect_dispatch_error("backend { }", "t.conf:1:1: expected 'backend NAME { ... }'");
	expect_dispatch_error("backend a { server x; }", "t.conf:1:13: expected 'server NAME ADDRESS'");
	expect_dispatch_error("backend a { server x y z; }", "t.conf:1:24: expected 'server NAME ADDRESS'");
	expect_dispatch_error("backend a { retries 1 { } }",
			      "t.conf:1:21: expected ';' after 'retries N' (it takes no block)");
	expect_dispatch_error("backend a { server x 192.0.2.1; }",
			      "t.conf:1:22: expected an address like 192.0.2.1:80 or [2001:db8::1]:80, got '192.0.2.1'");
}

static void test_values(void **state)
{
	(void)state;
	uint64_t v;
	assert_int_equal(conf_parse_duration_ms("250ms", &v), 0);
	assert_int_equal(v, 250);
	assert_int_equal(conf_parse_duration_ms("2s", &v), 0);
	assert_int_equal(v, 2000);
	assert_int_equal(conf_parse_duration_ms("1.5s", &v), 0);
	assert_int_equal(v, 1500);
	assert_int_equal(conf_parse_duration_ms("0.01s", &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(conf_parse_duration_ms("1m", &v), 0);
	assert_int_equal(v, 60000);
	assert_int_not_equal(conf_parse_duration_ms("2", &v), 0);
	assert_int_not_equal(conf_parse_duration_ms("s", &v), 0);
	assert_int_not_equal(conf_parse_duration_ms("1.5ms", &v), 0);
	assert_int_not_equal(conf_parse_duration_ms("-1s", &v), 0);
	assert_int_equal(conf_parse_size("16k", &v), 0);
	assert_int_equal(v, 16384);
	assert_int_equal(conf_parse_size("1g", &v), 0);
	assert_int_equal(v, 1u << 30);
	assert_int_equal(conf_parse_size("512", &v), 0);
	assert_int_equal(v, 512);
	assert_int_not_equal(conf_parse_size("1kb", &v), 0);
	assert_int_not_equal(conf_parse_size("k", &v), 0);
}

static void test_value_errors(void **state)
{
	(void)state;
	struct conf_tree *t = parse_ok("x 2 on maybe 99 10x;");
	const struct conf_node *n = &t->root.children[0];
	char err[256];
	uint64_t ms;
	unsigned long u;
	int b;
	assert_int_equal(conf_get_duration_ms(n, 1, &ms, err, sizeof(err)), -22);
	assert_string_equal(err, "t.conf:1:3: expected a duration like 250ms, 2s, 1.5s or 1m, got '2'");
	assert_int_equal(conf_get_bool(n, 2, &b, err, sizeof(err)), 0);
	assert_int_equal(b, 1);
	assert_int_equal(conf_get_bool(n, 3, &b, err, sizeof(err)), -22);
	assert_string_equal(err, "t.conf:1:8: expected one of off, on, no, yes, false, true, got 'maybe'");
	assert_int_equal(conf_get_uint(n, 4, 1, 10, &u, err, sizeof(err)), -22);
	assert_string_equal(err, "t.conf:1:14: expected a whole number from 1 to 10, got '99'");
	uint32_t u32 = 7;
	assert_int_equal(conf_get_u32(n, 4, 1, 10, &u32, err, sizeof(err)), -22);
	assert_string_equal(err, "t.conf:1:14: expected a whole number from 1 to 10, got '99'");
	assert_int_equal(u32, 7);
	assert_int_equal(conf_get_u32(n, 4, 1, 100, &u32, err, sizeof(err)), 0);
	assert_int_equal(u32, 99);
	assert_int_equal(conf_get_size(n, 5, &ms, err, sizeof(err)), -22);
	assert_string_equal(err, "t.conf:1:17: expected a size like 512, 16k, 1m or 1g, got '10x'");
	conf_free(t);
}

static void test_ms32(void **state)
{
	(void)state;
	struct conf_tree *t = parse_ok("x 250ms 8d 5ms 2s;");
	const struct conf_node *n = &t->root.children[0];
	char err[256];
	uint32_t ms = 1;
	assert_int_equal(conf_get_ms32(n, 1, 0, 7u * 86400000u, &ms, err, sizeof(err)), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(conf_get_ms32(n, 2, 0, 7u * 86400000u, &ms, err, sizeof(err)), -22);
	assert_string_equal(err, "t.conf:1:9: expected a duration from 0ms to 7d, got '8d'");
	assert_int_equal(conf_get_ms32(n, 3, 10, 40950, &ms, err, sizeof(err)), -22);
	assert_string_equal(err, "t.conf:1:12: expected a duration from 10ms to 40950ms, got '5ms'");
	assert_int_equal(conf_get_ms32(n, 4, 1000, 3600000, &ms, err, sizeof(err)), 0);
	assert_int_equal(ms, 2000);
	assert_int_equal(conf_get_ms32(n, 5, 0, 10, &ms, err, sizeof(err)), -22);
	assert_int_equal(ms, 2000);
	conf_free(t);
}


static void test_limits(void **state)
{
	(void)state;
	char text[CONF_MAX_TOKEN + 16];
	memset(text, 'w', sizeof(text));
	text[sizeof(text) - 1] = '\0';
	expect_parse_error(text, "t.conf:1:1: expected a word of at most 4096 bytes");
	text[0] = '"';
	expect_parse_error(text, "t.conf:1:1: expected a string of at most 4096 bytes");
	expect_parse_error("a \"x\x02\";", "t.conf:1:5: expected a printable character in a quoted string");

	char many[CONF_MAX_ARGS * 2 + 8];
	size_t n = 0;
	for (int i = 0; i <= CONF_MAX_ARGS; i++) {
		many[n++] = 'a';
		many[n++] = ' ';
	}
	many[n++] = ';';
	many[n] = '\0';
	expect_parse_error(many, "t.conf:1:129: expected at most 64 words in a statement");

	char deep[CONF_MAX_DEPTH * 4 + 8];
	n = 0;
	for (int i = 0; i <= CONF_MAX_DEPTH; i++) {
		memcpy(deep + n, "a { ", 4);
		n += 4;
	}
	deep[n] = '\0';
	expect_parse_error(deep, "t.conf:1:67: expected at most 16 nested blocks");
}

/* Files: include (glob, relative path, nesting), open errors. */
static char dir[64];

static void write_file(const char *name, const char *text)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* msg has '@' where the test directory goes. */
static void expect_load_error(const char *name, const char *msg)
{
	char path[128], want[256], err[256] = "";
	struct conf_tree *t = NULL;
	size_t n = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (const char *p = msg; *p && n < sizeof(want) - 64; p++) {
		if (*p == '@')
			n += (size_t)snprintf(want + n, sizeof(want) - n, "%s", dir);
		else
			want[n++] = *p;
	}
	want[n] = '\0';
	assert_true(conf_load(path, &t, err, sizeof(err)) < 0);
	assert_null(t);
	assert_string_equal(err, want);
}

static void test_files(void **state)
{
	(void)state;
	char path[128], err[256] = "";
	struct conf_tree *t = NULL;

	snprintf(dir, sizeof(dir), "/tmp/test-conf.%d", (int)getpid());
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/conf.d", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	write_file("main.conf", "a 1;\ninclude \"conf.d/*.conf\";\nb { include part.inc; }\n");
	write_file("conf.d/1.conf", "c 1;\n");
	write_file("conf.d/2.conf", "d 2;\n");
	write_file("part.inc", "e 3;\n");
	snprintf(path, sizeof(path), "%s/main.conf", dir);
	if (conf_load(path, &t, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(t->root.nchildren, 4);
	assert_string_equal(t->root.children[1].args[0], "c");
	assert_string_equal(t->root.children[2].args[0], "d");
	assert_non_null(strstr(t->root.children[2].file, "conf.d/2.conf"));
	assert_string_equal(t->root.children[3].children[0].args[0], "e");
	conf_free(t);

	write_file("bad.conf", "a 1;\ninclude nothere.conf;\n");
	expect_load_error("bad.conf", "@/bad.conf:2:9: expected an existing file, '@/nothere.conf' not found");
	write_file("noglob.conf", "include \"none/*.conf\";\n");
	snprintf(path, sizeof(path), "%s/noglob.conf", dir);
	assert_int_equal(conf_load(path, &t, err, sizeof(err)), 0); /* an empty glob is fine */
	conf_free(t);
	write_file("loop.conf", "include loop.conf;\n");
	expect_load_error("loop.conf", "@/loop.conf:1:1: include nested deeper than 8 files (a loop?)");
	write_file("form.conf", "include a b;\n");
	expect_load_error("form.conf", "@/form.conf:1:1: expected 'include FILE;'");
	write_file("blk.conf", "include a { }\n");
	expect_load_error("blk.conf", "@/blk.conf:1:11: expected ';' after 'include FILE'");
	write_file("inner.conf", "include \"conf.d/3.conf\";\n");
	write_file("conf.d/3.conf", "x {\n");
	expect_load_error("inner.conf", "@/conf.d/3.conf:2:1: expected '}' to close the block opened at line 1");
	expect_load_error("missing.conf", "@/missing.conf: cannot open: No such file or directory");
	expect_load_error("conf.d", "@/conf.d: expected a regular file of at most 16777216 bytes");

	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_prefix_and_enum(void **state)
{
	(void)state;
	struct conf_tree *t = parse_ok("v 198.51.100.100/24 2001:db8::/129 udp;");
	const struct conf_node *n = &t->root.children[0];
	static const char *const protos[] = { "tcp", "http", NULL };
	char err[256];
	struct addr a;
	int plen;
	assert_int_equal(conf_get_prefix(n, 1, &a, &plen, err, sizeof(err)), 0);
	assert_int_equal(plen, 24);
	assert_int_equal(conf_get_prefix(n, 2, &a, &plen, err, sizeof(err)), -22);
	assert_string_equal(err, "t.conf:1:21: expected an address with an optional prefix like 198.51.100.100/24, got '2001:db8::/129'");
	assert_int_equal(conf_get_enum(n, 3, protos, err, sizeof(err)), -22);
	assert_string_equal(err, "t.conf:1:36: expected one of tcp, http, got 'udp'");
	assert_int_equal(conf_get_addr(n, 5, ADDR_PORT_REQUIRED, &a, err, sizeof(err)), -22);
	assert_string_equal(err, "t.conf:1:36: expected an address");
	conf_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statements_and_blocks),
		cmocka_unit_test(test_quoted_escapes),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_dispatch),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_value_errors),
		cmocka_unit_test(test_ms32),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_prefix_and_enum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
