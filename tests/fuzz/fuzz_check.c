/* libFuzzer target: the health check's status-line parser, fed with bytes a
 * server controls, and the classification that follows it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lbd/check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so ASan sees any read past the end. */
	char *p = malloc(size ? size : 1);
	if (!p)
		return 0;
	memcpy(p, data, size);
	int code = -1;
	int rc = check_parse_status_line(p, size, &code);
	if (rc > 0 && ((size_t)rc > size || code < 100 || code > 999 || p[rc - 1] != '\n'))
		abort();
	if (rc == -2 && size >= CHECK_STATUS_LINE_MAX + 2)
		abort();
	struct check_conf c;
	memset(&c, 0, sizeof(c));
	enum check_reason r = check_classify(rc, code, size & 1, size & 2, &c);
	if (rc > 0 && r != CHECK_OK && r != CHECK_BAD_STATUS)
		abort();
	free(p);
	return 0;
}
