/* libFuzzer target: the servers' state a successor lbd reads from the old
 * process over the handover socket (lbd/hostate.c). */
#include <stddef.h>
#include <stdint.h>

#include "lbd/hostate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hostate_rec r;
	(void)hostate_parse_line((const char *)data, size, &r);
	return 0;
}
