/* jsonr: the strict JSON pull reader (see jsonr.h). */
#include "jsonr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(struct jsonr *j, const char *why)
{
	if (!j->why) {
		j->why = why;
		j->at = (size_t)(j->p - j->start);
	}
	return -1;
}

static void ws(struct jsonr *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

void jsonr_init(struct jsonr *j, const char *buf, size_t len)
{
	memset(j, 0, sizeof(*j));
	j->start = j->p = buf;
	j->end = buf + len;
}

enum jsonr_type jsonr_peek(struct jsonr *j)
{
	if (j->why)
		return JSONR_INVALID;
	ws(j);
	if (j->p >= j->end)
		return JSONR_INVALID;
	switch (*j->p) {
	case '{': return JSONR_OBJECT;
	case '[': return JSONR_ARRAY;
	case '"': return JSONR_STRING;
	case 't': return JSONR_TRUE;
	case 'f': return JSONR_FALSE;
	case 'n': return JSONR_NULL;
	default:
		return *j->p == '-' || (*j->p >= '0' && *j->p <= '9') ? JSONR_NUMBER : JSONR_INVALID;
	}
}

/* ---- containers ---------------------------------------------------------------- */

static int enter(struct jsonr *j, char open, const char *why)
{
	if (jsonr_peek(j) == JSONR_INVALID || *j->p != open)
		return fail(j, why);
	if (j->depth >= JSONR_MAX_DEPTH)
		return fail(j, "less nesting");
	j->p++;
	j->depth++;
	j->fresh |= 1ull << j->depth;
	return 0;
}

/* Before the next member or item: 1 if one follows, 0 if `close` ended the
 * container (consumed), -1. */
static int next(struct jsonr *j, char close, const char *why)
{
	if (j->why || j->depth == 0)
		return fail(j, "a value inside an object or array");
	ws(j);
	if (j->p >= j->end)
		return fail(j, why);
	uint64_t bit = 1ull << j->depth;
	int fresh = (j->fresh & bit) != 0;
	if (*j->p == close) {
		j->p++;
		j->fresh &= ~bit;
		j->depth--;
		return 0;
	}
	if (!fresh) {
		if (*j->p != ',')
			return fail(j, why);
		j->p++;
		ws(j);
		if (j->p < j->end && *j->p == close)
			return fail(j, "a value after ','");
	}
	j->fresh &= ~bit;
	return 1;
}

int jsonr_object(struct jsonr *j)
{
	return enter(j, '{', "an object");
}

int jsonr_array(struct jsonr *j)
{
	return enter(j, '[', "an array");
}

int jsonr_key(struct jsonr *j, char *key, size_t keylen)
{
	int rc = next(j, '}', "',' or '}'");
	if (rc <= 0)
		return rc;
	if (jsonr_peek(j) != JSONR_STRING)
		return fail(j, "a member name in double quotes");
	long n = jsonr_string(j, key, keylen);
	if (n < 0)
		return -1;
	if (key && keylen && (size_t)n >= keylen)
		key[0] = '\0';
	ws(j);
	if (j->p >= j->end || *j->p != ':')
		return fail(j, "':' after a member name");
	j->p++;
	return 1;
}

int jsonr_item(struct jsonr *j)
{
	return next(j, ']', "',' or ']'");
}

/* ---- strings ------------------------------------------------------------------- */

static int hex4(const char *p, unsigned *v)
{
	*v = 0;
	for (int k = 0; k < 4; k++) {
		char h = p[k];
		unsigned d;
		if (h >= '0' && h <= '9')
			d = (unsigned)(h - '0');
		else if ((h | 0x20) >= 'a' && (h | 0x20) <= 'f')
			d = (unsigned)((h | 0x20) - 'a' + 10);
		else
			return -1;
		*v = *v * 16 + d;
	}
	return 0;
}

/* Length of the valid UTF-8 sequence at p (1 to 4), or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	size_t n;
	unsigned cp;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t k = 1; k < n; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[k] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates, past U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static size_t utf8_put(unsigned cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* One escape after the backslash at j->p: its bytes into b (up to 4). */
static int unescape(struct jsonr *j, char *b, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	if (j->end - j->p < 2)
		return fail(j, "an escape");
	const char *e = memchr(from, j->p[1], sizeof(from) - 1);
	if (e && j->p[1]) {
		b[0] = to[e - from];
		*n = 1;
		j->p += 2;
		return 0;
	}
	unsigned cp, lo;
	if (j->p[1] != 'u' || j->end - j->p < 6 || hex4(j->p + 2, &cp))
		return fail(j, "an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
	j->p += 6;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(j, "a high surrogate before a low one");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u' || hex4(j->p + 2, &lo) || lo < 0xdc00 ||
		    lo > 0xdfff)
			return fail(j, "a low surrogate after a high one");
		j->p += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	*n = utf8_put(cp, b);
	return 0;
}

long jsonr_string(struct jsonr *j, char *out, size_t outlen)
{
	size_t o = 0;
	if (jsonr_peek(j) != JSONR_STRING)
		return fail(j, "a string");
	j->p++;
	for (;;) {
		char tmp[4];
		const char *src = j->p;
		size_t n;
		if (j->p >= j->end)
			return fail(j, "the end of a string");
		unsigned char c = (unsigned char)*j->p;
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(j, "no control byte in a string");
		if (c == '\\') {
			if (unescape(j, tmp, &n))
				return -1;
			src = tmp;
		} else {
			n = utf8_len((const unsigned char *)j->p, (const unsigned char *)j->end);
			if (!n)
				return fail(j, "UTF-8 text");
			j->p += n;
		}
		/* Truncation keeps whole characters only. */
		if (out && o + n < outlen)
			memcpy(out + o, src, n);
		else if (out && o < outlen)
			outlen = o + 1; /* nothing more fits, not even a short one later */
		o += n;
	}
	j->p++;
	if (out && outlen)
		out[o < outlen ? o : outlen - 1] = '\0';
	return (long)o;
}

/* ---- scalars ------------------------------------------------------------------- */

/* The number's text at j->p per RFC 8259 section 6: its length, or 0. */
static size_t number_len(const struct jsonr *j, int *whole)
{
	const char *p = j->p, *e = j->end;
	*whole = 1;
	if (p < e && *p == '-')
		p++;
	if (p >= e || *p < '0' || *p > '9')
		return 0;
	if (*p == '0')
		p++;
	else
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	if (p < e && *p == '.') {
		*whole = 0;
		if (++p >= e || *p < '0' || *p > '9')
			return 0;
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		*whole = 0;
		if (++p < e && (*p == '+' || *p == '-'))
			p++;
		if (p >= e || *p < '0' || *p > '9')
			return 0;
		while (p < e && *p >= '0' && *p <= '9')
			p++;
	}
	return (size_t)(p - j->p);
}

int jsonr_number(struct jsonr *j, double *v)
{
	char tmp[64];
	int whole;
	if (jsonr_peek(j) != JSONR_NUMBER)
		return fail(j, "a number");
	size_t n = number_len(j, &whole);
	if (!n)
		return fail(j, "a number like -1.5e3");
	if (n >= sizeof(tmp))
		return fail(j, "a number of fewer than 64 characters");
	memcpy(tmp, j->p, n);
	tmp[n] = '\0';
	*v = strtod(tmp, NULL);
	j->p += n;
	return 0;
}

int jsonr_uint(struct jsonr *j, uint64_t max, uint64_t *v)
{
	int whole;
	uint64_t x = 0;
	if (jsonr_peek(j) != JSONR_NUMBER)
		return fail(j, "a number");
	size_t n = number_len(j, &whole);
	if (!n || !whole || j->p[0] == '-')
		return fail(j, "a whole number, not negative");
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(j->p[i] - '0');
		if (d > max || x > (max - d) / 10)
			return fail(j, "a smaller number");
		x = x * 10 + d;
	}
	*v = x;
	j->p += n;
	return 0;
}

static int word(struct jsonr *j, const char *w, size_t n)
{
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n))
		return fail(j, "true, false or null");
	j->p += n;
	return 0;
}

int jsonr_bool(struct jsonr *j, int *v)
{
	enum jsonr_type t = jsonr_peek(j);
	if (t != JSONR_TRUE && t != JSONR_FALSE)
		return fail(j, "true or false");
	*v = t == JSONR_TRUE;
	return t == JSONR_TRUE ? word(j, "true", 4) : word(j, "false", 5);
}

int jsonr_null(struct jsonr *j)
{
	if (jsonr_peek(j) != JSONR_NULL)
		return fail(j, "null");
	return word(j, "null", 4);
}

int jsonr_scalar(struct jsonr *j, const char **text, size_t *len)
{
	const char *s;
	double d;
	int b;
	switch (jsonr_peek(j)) {
	case JSONR_NUMBER:
		s = j->p;
		if (jsonr_number(j, &d))
			return -1;
		break;
	case JSONR_TRUE:
	case JSONR_FALSE:
		s = j->p;
		if (jsonr_bool(j, &b))
			return -1;
		break;
	case JSONR_NULL:
		s = j->p;
		if (jsonr_null(j))
			return -1;
		break;
	default:
		return fail(j, "a number, true, false or null");
	}
	*text = s;
	*len = (size_t)(j->p - s);
	return 0;
}

/* ---- skipping ------------------------------------------------------------------ */

int jsonr_skip(struct jsonr *j)
{
	const char *s;
	size_t n;
	int rc;
	switch (jsonr_peek(j)) {
	case JSONR_STRING:
		return jsonr_string(j, NULL, 0) < 0 ? -1 : 0;
	case JSONR_OBJECT:
		if (jsonr_object(j))
			return -1;
		while ((rc = jsonr_key(j, NULL, 0)) == 1)
			if (jsonr_skip(j))
				return -1;
		return rc;
	case JSONR_ARRAY:
		if (jsonr_array(j))
			return -1;
		while ((rc = jsonr_item(j)) == 1)
			if (jsonr_skip(j))
				return -1;
		return rc;
	case JSONR_INVALID:
		return fail(j, "a value");
	default:
		return jsonr_scalar(j, &s, &n);
	}
}

int jsonr_end(struct jsonr *j)
{
	if (j->why)
		return -1;
	ws(j);
	return j->p == j->end ? 0 : fail(j, "the end of the text");
}

const char *jsonr_error(const struct jsonr *j, char *out, size_t outlen)
{
	if (!j->why)
		return NULL;
	snprintf(out, outlen, "offset %zu: expected %s", j->at, j->why);
	return out;
}
