/* libFuzzer target: vrrpd's reading of lbd's answers during a planned
 * handover (vrrpd/handover.c), whatever comes back on lbd's control socket. */
#include <stddef.h>
#include <stdint.h>

#include "vrrpd/handover.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t conns = -1, busy = -1;
	if (handover_parse_reply((const char *)data, size, &conns, &busy) == 0 && (conns < 0 || busy < 0))
		__builtin_trap();
	return 0;
}
