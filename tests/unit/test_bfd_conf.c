/* Unit tests of the bfd block's authentication keywords (vrrpd/config.c):
 * auth, key-id, secret, secret-file, and the file:line:col message of
 * each refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/conftest.h"
#include "vrrpd/config.h"

#define HEAD "instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24;\n"

static void test_auth_inline(void **state)
{
	(void)state;
	struct vrrpd_config *c = conftest_vrrpd_ok(HEAD "  bfd { peer 198.51.100.12; }\n}\n");
	assert_int_equal(c->inst[0].bfd.auth.type, BFD_AUTH_NONE);
	vrrpd_config_free(c);
	c = conftest_vrrpd_ok(HEAD "  bfd { peer 198.51.100.12; auth meticulous-keyed-sha1; key-id 7; secret \"s3 cret\"; }\n}\n");
	const struct bfd_auth_key *k = &c->inst[0].bfd.auth;
	assert_int_equal(k->type, BFD_AUTH_METICULOUS_SHA1);
	assert_int_equal(k->key_id, 7);
	assert_int_equal(k->len, 7);
	assert_memory_equal(k->secret, "s3 cret", 7);
	vrrpd_config_free(c);
	c = conftest_vrrpd_ok(HEAD "  bfd { peer 198.51.100.12; auth keyed-md5; secret 0123456789abcdef; }\n}\n");
	assert_int_equal(c->inst[0].bfd.auth.type, BFD_AUTH_KEYED_MD5);
	assert_int_equal(c->inst[0].bfd.auth.key_id, 0);
	vrrpd_config_free(c);

	conftest_vrrpd_error(HEAD "  bfd { peer 198.51.100.12; auth sha256; secret x; }\n}\n",
			     "t.conf:2:34: expected one of none, simple, keyed-md5, meticulous-keyed-md5, keyed-sha1, "
			     "meticulous-keyed-sha1, got 'sha256'");
	conftest_vrrpd_error(HEAD "  bfd { peer 198.51.100.12; auth keyed-sha1; }\n}\n",
			     "t.conf:2:3: expected 'secret' or 'secret-file' with 'auth keyed-sha1'");
	conftest_vrrpd_error(HEAD "  bfd { peer 198.51.100.12; secret abc; }\n}\n",
			     "t.conf:2:3: expected 'auth TYPE' with a secret in the bfd block");
	conftest_vrrpd_error(HEAD "  bfd { peer 198.51.100.12; auth keyed-md5; secret 0123456789abcdefg; }\n}\n",
			     "t.conf:2:3: expected a secret of at most 16 bytes for 'auth keyed-md5'");
	conftest_vrrpd_error(HEAD "  bfd { peer 198.51.100.12; auth keyed-sha1; secret 0123456789abcdefghijk; }\n}\n",
			     "t.conf:2:53: expected a secret of 1 to 20 bytes");
	conftest_vrrpd_error(HEAD "  bfd { peer 198.51.100.12; auth keyed-sha1; key-id 256; secret x; }\n}\n",
			     "t.conf:2:53: expected a whole number from 0 to 255, got '256'");
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void test_auth_secret_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/test_bfd_conf.XXXXXX", path[64], text[256], want[256];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/secret", dir);
	write_file(path, "from-a-file\n", 0600);
	snprintf(text, sizeof(text), HEAD "  bfd { peer 198.51.100.12; auth keyed-sha1; secret-file %s; }\n}\n", path);
	if (geteuid() == 0) { /* the owner must be root */
		struct vrrpd_config *c = conftest_vrrpd_ok(text);
		assert_int_equal(c->inst[0].bfd.auth.len, 11);
		assert_memory_equal(c->inst[0].bfd.auth.secret, "from-a-file", 11);
		vrrpd_config_free(c);
		/* Readable by others: refused. */
		write_file(path, "from-a-file\n", 0644);
		conftest_vrrpd_error(text, "t.conf:2:58: expected a regular file owned by root, mode 0600 or 0400");
	} else {
		conftest_vrrpd_error(text, "t.conf:2:58: expected a regular file owned by root, mode 0600 or 0400");
	}
	write_file(path, "\n", 0600);
	if (geteuid() == 0)
		conftest_vrrpd_error(text, "t.conf:2:58: expected a secret of 1 to 20 bytes in the file");
	unlink(path);
	snprintf(want, sizeof(want), "t.conf:2:58: expected a readable secret file: No such file or directory");
	conftest_vrrpd_error(text, want);
	rmdir(dir);
}

/* A master with several backups: a session to each. */
static void test_peers(void **state)
{
	(void)state;
	struct vrrpd_config *c = conftest_vrrpd_ok(HEAD "  bfd { peer 198.51.100.12; peer 198.51.100.13; }\n}\n");
	const struct bfd_conf *b = &c->inst[0].bfd;
	assert_int_equal(b->nmore, 1);
	char a[ADDR_STRLEN];
	assert_string_equal(addr_format_ip(&b->peer, a, sizeof(a)), "198.51.100.12");
	assert_string_equal(addr_format_ip(&b->more[0], a, sizeof(a)), "198.51.100.13");
	vrrpd_config_free(c);
	conftest_vrrpd_error(HEAD "  bfd { peer 198.51.100.12; peer 198.51.100.12; }\n}\n",
			     "t.conf:2:34: expected each bfd peer once, got '198.51.100.12' again");
	conftest_vrrpd_error(HEAD "  bfd { peer 198.51.100.1; peer 198.51.100.2; peer 198.51.100.3; peer 198.51.100.4; "
				  "peer 198.51.100.5; }\n}\n",
			     "t.conf:2:85: expected at most 4 bfd peers");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth_inline),
		cmocka_unit_test(test_auth_secret_file),
		cmocka_unit_test(test_peers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
