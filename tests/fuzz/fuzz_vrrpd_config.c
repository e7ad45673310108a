/* libFuzzer target: vrrpd's configuration reader on arbitrary text. */
#include <stddef.h>
#include <stdint.h>

#include "vrrpd/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vrrpd_config *c = NULL;
	char err[512];

	if (vrrpd_config_parse_string("fuzz.conf", (const char *)data, size, &c, err, sizeof(err)) == 0)
		vrrpd_config_free(c);
	return 0;
}
