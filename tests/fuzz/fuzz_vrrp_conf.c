/* libFuzzer target: vrrpd's configuration reader on arbitrary text. */
#include <stddef.h>
#include <stdint.h>

#include "vrrpd/vconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vconf *c = NULL;
	char err[512];

	if (vconf_parse_string("fuzz.conf", (const char *)data, size, &c, err, sizeof(err)) == 0)
		vconf_free(c);
	return 0;
}
