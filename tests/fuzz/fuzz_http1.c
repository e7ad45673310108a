/* libFuzzer target for common/http1.c.  The first byte picks the parser:
 * request head, response head, or the chunked decoder.  Beyond "no crash,
 * no over-read" it checks what callers rely on: results point inside the
 * input, and the chunked decoder gives the same answer however the body is
 * split. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/http1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_inside(const char *buf, size_t len, const char *p, size_t n)
{
	if (n && (p < buf || p + n > buf + len))
		abort();
}

static void fuzz_request(const char *buf, size_t len)
{
	static struct http1_request r;
	struct http1_limits lim = { .max_head = 8192, .max_uri = 2048 };
	int rc = http1_parse_request(buf, len, &lim, &r);
	if (rc == -1 && (r.status < 400 || r.status > 505 || !r.reason))
		abort();
	if (rc >= 0) {
		if ((size_t)rc > len || rc > 8192)
			abort();
		check_inside(buf, len, r.method, r.method_len);
		check_inside(buf, len, r.target, r.target_len);
		for (int i = 0; i < r.nheaders; i++) {
			check_inside(buf, len, r.headers[i].name, r.headers[i].name_len);
			check_inside(buf, len, r.headers[i].value, r.headers[i].value_len);
		}
		if ((r.flags & HTTP1_F_CHUNKED) && (r.flags & HTTP1_F_HAS_CL))
			abort(); /* the smuggling case must never pass */
		/* every prefix of an accepted head needs more */
		if (rc > 1 && http1_parse_request(buf, (size_t)rc - 1, &lim, &r) != -2)
			abort();
	}
}

static void fuzz_response(const char *buf, size_t len)
{
	static struct http1_response r;
	int rc = http1_parse_response(buf, len, 8192, &r);
	if (rc >= 0) {
		if ((size_t)rc > len || r.status < 100 || r.status > 599)
			abort();
		for (int i = 0; i < r.nheaders; i++)
			check_inside(buf, len, r.headers[i].value, r.headers[i].value_len);
	}
}

static void fuzz_chunked(const char *buf, size_t len)
{
	struct http1_chunked a, b;
	size_t used_a = 0, used_b = 0, u;
	http1_chunked_init(&a);
	int ra = http1_chunked_feed(&a, buf, len, &used_a);
	/* the same bytes in two pieces, split where the data says */
	size_t cut = len ? (unsigned char)buf[0] % (len + 1) : 0;
	http1_chunked_init(&b);
	int rb = http1_chunked_feed(&b, buf, cut, &u);
	used_b = u;
	if (rb == 0) {
		rb = http1_chunked_feed(&b, buf + cut, len - cut, &u);
		used_b += u;
	}
	if (ra != rb || (ra == 1 && used_a != used_b) || used_a > len)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	/* a private copy of exactly `size - 1` bytes, so ASan sees any over-read */
	size_t len = size - 1;
	char *buf = malloc(len ? len : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, len);
	switch (data[0] % 3) {
	case 0: fuzz_request(buf, len); break;
	case 1: fuzz_response(buf, len); break;
	default: fuzz_chunked(buf, len); break;
	}
	free(buf);
	return 0;
}
