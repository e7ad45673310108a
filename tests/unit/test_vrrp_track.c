/* Unit tests of the HTTP track's verdict on what common/httpc reports
 * (vrrpd/track.c); the bytes themselves are judged in test_httpc.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/httpc.h"
#include "vrrpd/track.h"

static enum track_result v(enum httpc_result r, int status, unsigned expect)
{
	struct httpc_outcome o = { .result = r, .status = status };
	return track_http_verdict(&o, expect);
}

static void test_http_verdict(void **state)
{
	(void)state;
	assert_int_equal(v(HTTPC_OK, 200, 0), TRACK_OK);
	assert_int_equal(v(HTTPC_OK, 204, 0), TRACK_OK);
	assert_int_equal(v(HTTPC_OK, 299, 0), TRACK_OK);
	assert_int_equal(v(HTTPC_OK, 301, 0), TRACK_BAD_STATUS);
	assert_int_equal(v(HTTPC_OK, 503, 0), TRACK_BAD_STATUS);
	assert_int_equal(v(HTTPC_OK, 404, 404), TRACK_OK);
	assert_int_equal(v(HTTPC_OK, 200, 404), TRACK_BAD_STATUS);
	assert_int_equal(v(HTTPC_BAD_RESPONSE, 0, 0), TRACK_BAD_RESPONSE); /* SSH banner, HTTP/2, short */
	assert_int_equal(v(HTTPC_BODY_MISMATCH, 200, 0), TRACK_BAD_RESPONSE);
	assert_int_equal(v(HTTPC_REFUSED, 0, 0), TRACK_REFUSED);
	assert_int_equal(v(HTTPC_RESET, 0, 0), TRACK_REFUSED);
	assert_int_equal(v(HTTPC_CONN_TIMEOUT, 0, 0), TRACK_TIMEOUT);
	assert_int_equal(v(HTTPC_RESP_TIMEOUT, 0, 0), TRACK_TIMEOUT);
	assert_int_equal(v(HTTPC_SOCKET_ERROR, 0, 0), TRACK_ERROR);
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
