/* Unit tests of lbd/access.c: the htpasswd line reader, the Basic
 * credentials decoder, the hash formats accepted, and the verdicts of
 * allow/deny rules (prefix, subject) and basic auth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "addr.h"
#include "lbd/access.h"

/* sha512crypt of "s3cret" with salt "saltsalt" (openssl passwd -6 -salt saltsalt s3cret) */
#define H_S3CRET "$6$saltsalt$As4wrv0kZlfch1du9WeH7qhskyLriQWySXrZzynnvi46nFnNxjdpl6ksRegrrKexvhIa/Iny8S8uF3fVWTMuC1"

/* The line right before a PROT_NONE page: a read past its end faults. */
static int line_guarded(const char *s, size_t *ul, const char **h, size_t *hl, const char **why)
{
	size_t len = strlen(s);
	long pg = sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	assert_int_equal(mprotect(m + pg, (size_t)pg, PROT_NONE), 0);
	char *p = m + pg - len;
	memcpy(p, s, len);
	int rc = access_htpasswd_line(p, len, ul, h, hl, why);
	if (rc == 1)
		*h = s + (*h - p); /* back into the caller's copy */
	munmap(m, (size_t)pg * 2);
	return rc;
}

static void test_htpasswd_line(void **state)
{
	(void)state;
	size_t ul = 0, hl = 0;
	const char *h = NULL, *why = NULL;
	assert_int_equal(line_guarded("bob:$6$abc$def", &ul, &h, &hl, &why), 1);
	assert_int_equal(ul, 3);
	assert_int_equal(hl, 10);
	assert_memory_equal(h, "$6$abc$def", 10);
	assert_int_equal(line_guarded("carol:$5$x$y:a comment", &ul, &h, &hl, &why), 1);
	assert_int_equal(hl, 6);
	assert_int_equal(line_guarded("dave:$y$j9T$abc\r", &ul, &h, &hl, &why), 1);
	assert_int_equal(hl, 10);
	assert_int_equal(line_guarded("", &ul, &h, &hl, &why), 0);
	assert_int_equal(line_guarded("   ", &ul, &h, &hl, &why), 0);
	assert_int_equal(line_guarded("# comment", &ul, &h, &hl, &why), 0);
	assert_int_equal(line_guarded("nocolon", &ul, &h, &hl, &why), -1);
	assert_non_null(why);
	assert_int_equal(line_guarded(":hash", &ul, &h, &hl, &why), -1);
	assert_int_equal(line_guarded("user:", &ul, &h, &hl, &why), -1);
	assert_int_equal(line_guarded(" bob:$6$a$b", &ul, &h, &hl, &why), -1);
	assert_int_equal(line_guarded("b$::bc ", &ul, &h, &hl, &why), -1); /* empty hash before a comment (found by fuzz_access) */
}

static void test_hash_supported(void **state)
{
	(void)state;
	assert_true(access_hash_supported(H_S3CRET));
	assert_true(access_hash_supported("$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7"));
	assert_true(access_hash_supported("$2y$05$abcdefghijklmnopqrstuu5xdJ9Vq8pZ1tO4yG3w6XEnNtH3Wcr/i"));
	assert_false(access_hash_supported("$apr1$abc$defghijklmnopqrstuvwx"));
	assert_false(access_hash_supported("$1$abc$defghijklmnopqrstuvwx"));
	assert_false(access_hash_supported("{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="));
	assert_false(access_hash_supported("plaintext"));
	assert_false(access_hash_supported("$6$"));
}

static void test_basic_decode(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(access_basic_decode("Basic dXNlcjpwYXNz", 18, out, sizeof(out)), 9);
	assert_string_equal(out, "user:pass");
	assert_int_equal(access_basic_decode("basic   YTpi", 12, out, sizeof(out)), 3); /* scheme is case-insensitive */
	assert_string_equal(out, "a:b");
	assert_int_equal(access_basic_decode("Basic YQ==", 10, out, sizeof(out)), 1);
	assert_string_equal(out, "a");
	assert_int_equal(access_basic_decode("Basic YWI=", 10, out, sizeof(out)), 2);
	assert_int_equal(access_basic_decode("Bearer abcd", 11, out, sizeof(out)), -1);
	assert_int_equal(access_basic_decode("Basic abc", 9, out, sizeof(out)), -1);     /* not a multiple of 4 */
	assert_int_equal(access_basic_decode("Basic ab=c", 10, out, sizeof(out)), -1);   /* '=' inside */
	assert_int_equal(access_basic_decode("Basic ab!c", 10, out, sizeof(out)), -1);
	assert_int_equal(access_basic_decode("Basic AAAA", 10, out, sizeof(out)), -1);   /* NUL bytes */
	assert_int_equal(access_basic_decode("Basic ", 6, out, sizeof(out)), -1);
	assert_int_equal(access_basic_decode("Basic dXNlcjpwYXNz", 18, out, 4), -1);   /* too small */
}

static struct sockaddr_in6 v6(const char *ip)
{
	struct sockaddr_in6 s;
	memset(&s, 0, sizeof(s));
	s.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, ip, &s.sin6_addr), 1);
	return s;
}

static struct sockaddr_in v4(const char *ip)
{
	struct sockaddr_in s;
	memset(&s, 0, sizeof(s));
	s.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, ip, &s.sin_addr), 1);
	return s;
}

static void add_prefix(struct access *a, int allow, const char *p)
{
	struct addr net;
	int plen;
	char why[128];
	assert_int_equal(addr_parse_prefix(p, &net, &plen, why, sizeof(why)), 0);
	assert_int_equal(access_add_prefix(a, allow, &net, plen), 0);
}

static void test_rules(void **state)
{
	(void)state;
	struct access *a = access_new();
	assert_non_null(a);
	/* only deny rules: everything else is allowed */
	add_prefix(a, 0, "192.0.2.0/25");
	struct sockaddr_in in = v4("192.0.2.1"), out = v4("192.0.2.200");
	struct sockaddr_in6 mapped = v6("::ffff:192.0.2.5"), six = v6("2001:db8::1");
	assert_int_equal(access_check(a, (struct sockaddr *)&in, NULL, NULL, 0), ACCESS_DENY);
	assert_int_equal(access_check(a, (struct sockaddr *)&mapped, NULL, NULL, 0), ACCESS_DENY);
	assert_int_equal(access_check(a, (struct sockaddr *)&out, NULL, NULL, 0), ACCESS_OK);
	assert_int_equal(access_check(a, (struct sockaddr *)&six, NULL, NULL, 0), ACCESS_OK);
	access_free(a);

	/* allow rules: the first match decides, no match denies */
	a = access_new();
	add_prefix(a, 0, "2001:db8::1/128");
	add_prefix(a, 1, "2001:db8::/33");
	assert_int_equal(access_add_subject(a, 1, "O=Example,CN=agent*"), 0);
	assert_int_equal(access_check(a, (struct sockaddr *)&six, NULL, NULL, 0), ACCESS_DENY);
	struct sockaddr_in6 six2 = v6("2001:db8::2"), far = v6("2001:db8:8000::1");
	assert_int_equal(access_check(a, (struct sockaddr *)&six2, NULL, NULL, 0), ACCESS_OK);
	assert_int_equal(access_check(a, (struct sockaddr *)&far, NULL, NULL, 0), ACCESS_DENY);
	assert_int_equal(access_check(a, (struct sockaddr *)&far, "O=Example,CN=agent7", NULL, 0), ACCESS_OK);
	assert_int_equal(access_check(a, (struct sockaddr *)&far, "O=Other,CN=agent7", NULL, 0), ACCESS_DENY);
	assert_int_equal(access_check(a, (struct sockaddr *)&in, NULL, NULL, 0), ACCESS_DENY);
	access_free(a);
	assert_int_equal(access_check(NULL, (struct sockaddr *)&in, NULL, NULL, 0), ACCESS_OK);
}

static enum access_verdict auth(struct access *a, const char *hdr)
{
	struct sockaddr_in in = v4("198.51.100.1");
	return access_check(a, (struct sockaddr *)&in, NULL, hdr, hdr ? strlen(hdr) : 0);
}

static void test_basic_auth(void **state)
{
	(void)state;
	char why[256];
	struct access *a = access_new();
	assert_int_equal(access_add_user(a, "alice", H_S3CRET, why, sizeof(why)), 0);
	assert_int_equal(access_add_user(a, "alice", H_S3CRET, why, sizeof(why)), -EINVAL); /* twice */
	assert_int_equal(access_add_user(a, "bob", "hunter2", why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "crypt(3)"));
	assert_int_equal(access_add_user(a, "a:b", H_S3CRET, why, sizeof(why)), -EINVAL);
	assert_true(access_has_users(a));
	assert_int_equal(auth(a, NULL), ACCESS_AUTH);
	assert_int_equal(auth(a, "Basic YWxpY2U6czNjcmV0"), ACCESS_OK);       /* alice:s3cret */
	assert_int_equal(auth(a, "Basic YWxpY2U6czNjcmV0"), ACCESS_OK);       /* from the cache */
	assert_int_equal(auth(a, "Basic YWxpY2U6czNjcmV1"), ACCESS_AUTH);     /* alice:s3creu */
	assert_int_equal(auth(a, "Basic Ym9iOnMzY3JldA=="), ACCESS_AUTH);     /* bob:s3cret, unknown */
	assert_int_equal(auth(a, "Basic YWxpY2U="), ACCESS_AUTH);             /* no colon */
	assert_int_equal(auth(a, "Digest username=alice"), ACCESS_AUTH);
	assert_non_null(strstr(access_challenge(a), "WWW-Authenticate: Basic realm=\"lbd\""));
	assert_int_equal(access_set_realm(a, "Prometheus"), 0);
	assert_non_null(strstr(access_challenge(a), "realm=\"Prometheus\""));
	access_free(a);
}

static void test_https_location(void **state)
{
	(void)state;
	char out[128];
	assert_int_equal(access_https_location("a.example:8080", 14, "/x?y=1", 6, out, sizeof(out)), 33);
	assert_string_equal(out, "Location: https://a.example/x?y=1");
	assert_true(access_https_location("[2001:db8::1]:80", 16, "/", 1, out, sizeof(out)) > 0);
	assert_string_equal(out, "Location: https://[2001:db8::1]/");
	assert_int_equal(access_https_location("a.example", 9, "http://evil/", 12, out, sizeof(out)), -1);
	assert_int_equal(access_https_location("evil@a.example", 14, "/", 1, out, sizeof(out)), -1);
	assert_int_equal(access_https_location("a b", 3, "/", 1, out, sizeof(out)), -1);
	assert_int_equal(access_https_location("", 0, "/", 1, out, sizeof(out)), -1);
	assert_int_equal(access_https_location(":80", 3, "/", 1, out, sizeof(out)), -1);
	assert_int_equal(access_https_location("[2001:db8::1", 12, "/", 1, out, sizeof(out)), -1);
	assert_int_equal(access_https_location("a.example", 9, "/", 1, out, 10), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_htpasswd_line),
		cmocka_unit_test(test_hash_supported),
		cmocka_unit_test(test_basic_decode),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_basic_auth),
		cmocka_unit_test(test_https_location),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
