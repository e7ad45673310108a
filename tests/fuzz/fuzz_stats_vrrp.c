/* libFuzzer target: the reader of vrrpd's "status" JSON (another process's
 * output is input like any other). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lbd/stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1);
	if (!p)
		return 0;
	memcpy(p, data, size);
	struct stats_vrrp v;
	int rc = stats_vrrp_parse(p, size, &v);
	if (rc == 0 && (v.n < 0 || v.n > STATS_VRRP_MAX || !v.available))
		abort();
	for (int i = 0; rc == 0 && i < v.n; i++)
		if (strlen(v.inst[i].name) >= sizeof(v.inst[i].name) || strlen(v.inst[i].vips) >= sizeof(v.inst[i].vips) ||
		    v.inst[i].nbfd < 0 || v.inst[i].nbfd > STATS_VRRP_BFD_MAX)
			abort();
	free(p);
	return 0;
}
