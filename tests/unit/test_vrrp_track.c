/* Unit tests of the HTTP track's verdict on a status line (vrrpd/track.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "vrrpd/track.h"

static enum track_result v(const char *s, unsigned expect)
{
	return track_http_verdict(s, strlen(s), expect);
}

static void test_http_verdict(void **state)
{
	(void)state;
	assert_int_equal(v("HTTP/1.1 200 OK\r\n", 0), TRACK_OK);
	assert_int_equal(v("HTTP/1.0 204 No Content\r\n", 0), TRACK_OK);
	assert_int_equal(v("HTTP/1.1 299\r\n", 0), TRACK_OK);
	assert_int_equal(v("HTTP/1.1 301 Moved\r\n", 0), TRACK_BAD_STATUS);
	assert_int_equal(v("HTTP/1.1 503 Service Unavailable\r\n", 0), TRACK_BAD_STATUS);
	assert_int_equal(v("HTTP/1.1 404 Not Found\r\n", 404), TRACK_OK);
	assert_int_equal(v("HTTP/1.1 200 OK\r\n", 404), TRACK_BAD_STATUS);
	assert_int_equal(v("HTTP/1.1 200", 0), TRACK_OK);           /* exactly 12 bytes */
	assert_int_equal(v("HTTP/1.1 20", 0), TRACK_BAD_RESPONSE);   /* short */
	assert_int_equal(v("HTTP/2.0 200 OK\r\n", 0), TRACK_BAD_RESPONSE);
	assert_int_equal(v("HTTP/1.2 200 OK\r\n", 0), TRACK_BAD_RESPONSE);
	assert_int_equal(v("HTTP/1.1 2x0 OK\r\n", 0), TRACK_BAD_RESPONSE);
	assert_int_equal(v("HTTP/1.1 2000 OK\r\n", 0), TRACK_BAD_RESPONSE);
	assert_int_equal(v("SSH-2.0-OpenSSH_9.2\r\n", 0), TRACK_BAD_RESPONSE);
	assert_int_equal(v("", 0), TRACK_BAD_RESPONSE);
	for (int i = 0; i < TRACK_RESULT_MAX; i++)
		assert_non_null(track_result_names[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_verdict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
