/* libFuzzer target: the HTTP track's verdict on whatever a tracked server
 * answers.  The first byte picks the expected status. */
#include <stddef.h>
#include <stdint.h>

#include "vrrpd/track.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned expect[4] = { 0, 200, 404, 503 };
	if (size < 1)
		return 0;
	(void)track_http_verdict((const char *)data + 1, size - 1, expect[data[0] & 3]);
	return 0;
}
