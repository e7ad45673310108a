/* What the unit tests of vrrpd's configuration share: see conftest.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "tests/unit/conftest.h"
#include "vrrpd/config.h"

struct vrrpd_config *conftest_vrrpd_ok(const char *text)
{
	struct vrrpd_config *c = NULL;
	char err[512] = "";
	if (vrrpd_config_parse_string("t.conf", text, strlen(text), &c, err, sizeof(err)))
		fail_msg("unexpected error: %s", err);
	return c;
}

void conftest_vrrpd_error(const char *text, const char *msg)
{
	struct vrrpd_config *c = NULL;
	char err[512] = "";
	assert_int_equal(vrrpd_config_parse_string("t.conf", text, strlen(text), &c, err, sizeof(err)), -22);
	assert_null(c);
	assert_string_equal(err, msg);
}
