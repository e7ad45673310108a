/* libFuzzer target: the restart state file's parser (vrrpd/handoff.c), on
 * whatever lies in /run/vrrpd/vrrpd.handoff. */
#include <stddef.h>
#include <stdint.h>

#include "vrrpd/handoff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct handoff h;
	(void)handoff_parse((const char *)data, size, &h);
	return 0;
}
