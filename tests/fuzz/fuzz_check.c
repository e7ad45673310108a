/* libFuzzer target: the health check's status-line parser and expect parser,
 * both fed from bytes a server (or a config file) controls. */
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
	free(p);

	char s[64];
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
	memcpy(s, data, n);
	s[n] = '\0';
	struct check_expect e;
	char err[256], out[128];
	if (check_expect_parse(s, &e, err, sizeof(err)) == 0) {
		check_expect_format(&e, out, sizeof(out));
		struct check_expect e2;
		if (check_expect_parse(out, &e2, err, sizeof(err)) != 0 || e2.n != e.n)
			abort();
	}
	return 0;
}
