/* libFuzzer target: the stats listener's reading of a request (common/http1
 * and what stats_http keeps of it) and its router: bytes any client of :8404
 * controls. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lbd/stats_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1); /* exact size: ASan catches over-reads */
	if (!p)
		return 0;
	memcpy(p, data, size);
	struct stats_http_req r;
	int rc = stats_http_parse_request(p, size, &r);
	if (rc > 0) {
		if ((size_t)rc > size || r.path < p || r.path + r.path_len > p + rc)
			abort();
		if (r.auth && (r.auth < p || r.auth + r.auth_len > p + rc))
			abort();
		(void)stats_http_route(r.path, r.path_len);
	}
	if (rc == -2 && size >= STATS_HTTP_MAX_HEAD)
		abort();
	if (rc == -1 && (r.status < 400 || r.status > 505))
		abort(); /* an answer the listener can send */
	free(p);
	return 0;
}
