/* tests/unit/conftest.h: what the unit tests of vrrpd's configuration share
 * (test_vrrpd_config.c, test_bfd_conf.c): parse a config given as text, as
 * the file "t.conf", and check the outcome with cmocka.  Linked into the unit
 * tests through libunithelp.a (tests/module.mk). */
#ifndef TESTS_UNIT_CONFTEST_H
#define TESTS_UNIT_CONFTEST_H

struct vrrpd_config;

/* The parsed config; the test fails with the parser's message if it is refused. */
struct vrrpd_config *conftest_vrrpd_ok(const char *text);
/* The config is refused (-EINVAL, no config) with exactly this message. */
void conftest_vrrpd_error(const char *text, const char *msg);

#endif
