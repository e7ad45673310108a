/* libFuzzer target: lbd's configuration reader (its keywords on the shared
 * grammar) on arbitrary text. */
#include <stddef.h>
#include <stdint.h>

#include "lbd/config.h"
#include "lbd/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lbd_config *c = NULL;
	char err[512];

	if (config_parse_string("fuzz.conf", (const char *)data, size, &c, err, sizeof(err)) == 0)
		model_config_unref(c);
	return 0;
}
