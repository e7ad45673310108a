/* libFuzzer target: common/httpc's verdict on the bytes a checked server
 * (lbd's health checks, vrrpd's HTTP tracker) sends back.  The first byte
 * picks the body string asked for and whether the server closed.  Beyond "no
 * crash, no over-read": the verdict is one the callers map, a status comes
 * with a head, and a closed or full answer is always judged. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/httpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const body_has[4] = { NULL, "", "ok", "status: good" };
	if (size < 1)
		return 0;
	size_t len = size - 1;
	char *p = malloc(len ? len : 1); /* exact size: ASan catches over-reads */
	if (!p)
		return 0;
	memcpy(p, data + 1, len);
	int eof = data[0] & 4, status = -1;
	int v = httpc_judge(p, len, eof, body_has[data[0] & 3], &status);
	if (v != -2 && v != HTTPC_OK && v != HTTPC_BAD_RESPONSE && v != HTTPC_BODY_MISMATCH)
		abort();
	if ((v == HTTPC_OK || v == HTTPC_BODY_MISMATCH) && (status < 100 || status > 599))
		abort();
	if (v == HTTPC_BAD_RESPONSE && status != 0)
		abort();
	if (v == -2 && (eof || len >= HTTPC_MAX_RESPONSE))
		abort();
	free(p);
	return 0;
}
