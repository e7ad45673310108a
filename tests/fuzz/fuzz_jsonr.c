/* libFuzzer target for common/jsonr.c, the JSON reader fed with what another
 * process (vrrpd, lbd) sends over a control socket.  Beyond "no crash, no
 * over-read": a walk that decodes every value agrees with a plain skip on
 * whether the text is valid, and what it returns stays inside its buffers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *buf_start, *buf_end;

static int walk(struct jsonr *j)
{
	char s[8];
	const char *t;
	size_t n;
	long len;
	int rc;
	switch (jsonr_peek(j)) {
	case JSONR_OBJECT:
		if (jsonr_object(j))
			return -1;
		while ((rc = jsonr_key(j, s, sizeof(s))) == 1) {
			if (strlen(s) >= sizeof(s))
				abort();
			if (walk(j))
				return -1;
		}
		return rc;
	case JSONR_ARRAY:
		if (jsonr_array(j))
			return -1;
		while ((rc = jsonr_item(j)) == 1)
			if (walk(j))
				return -1;
		return rc;
	case JSONR_STRING:
		len = jsonr_string(j, s, sizeof(s));
		if (len >= 0 && strlen(s) > (size_t)len)
			abort();
		return len < 0 ? -1 : 0;
	default:
		if (jsonr_scalar(j, &t, &n))
			return -1;
		if (!n || t < buf_start || t + n > buf_end)
			abort();
		return 0;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *p = malloc(size ? size : 1); /* exact size: ASan catches over-reads */
	if (!p)
		return 0;
	memcpy(p, data, size);
	buf_start = p;
	buf_end = p + size;
	struct jsonr a, b;
	jsonr_init(&a, p, size);
	jsonr_init(&b, p, size);
	int va = jsonr_skip(&a) == 0 && jsonr_end(&a) == 0;
	int vb = walk(&b) == 0 && jsonr_end(&b) == 0;
	char e[96];
	if (va != vb || (!va && !jsonr_error(&a, e, sizeof(e))) || (va && jsonr_error(&a, e, sizeof(e))))
		abort();
	free(p);
	return 0;
}
