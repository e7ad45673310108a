/* jsonr: a strict JSON reader (RFC 8259) for the daemons' own replies:
 * vrrpd's status read by lbd's stats page, and the control-socket replies
 * the tools print.  A pull parser over the caller's bytes: no allocation, no
 * tree; the caller walks objects and arrays and takes the values it wants,
 * skipping the rest.  Every read is bounded by the buffer's end; nesting is
 * bounded by JSONR_MAX_DEPTH.
 *
 * Strict: no trailing commas, no comments, no single quotes, no leading
 * zeros or '+', no control bytes or invalid UTF-8 in strings, no lone
 * surrogates.  The first error sticks: every later call fails too, and
 * jsonr_error() says what was expected where.
 *
 * Why not a Debian library: json-c and jansson build a tree of heap nodes
 * (and jansson hashes every object), where the readers here want two or
 * three fields out of a one-line reply; this is a few hundred lines, links into
 * vrrpd's tools and lbd without a new dependency, and is fuzzed here. */
#ifndef COMMON_JSONR_H
#define COMMON_JSONR_H

#include <stddef.h>
#include <stdint.h>

#define JSONR_MAX_DEPTH 32

enum jsonr_type {
	JSONR_INVALID = 0, /* nothing valid here (or the reader failed) */
	JSONR_OBJECT,
	JSONR_ARRAY,
	JSONR_STRING,
	JSONR_NUMBER,
	JSONR_TRUE,
	JSONR_FALSE,
	JSONR_NULL,
};

/* A plain value: copying it gives an independent cursor (to look ahead). */
struct jsonr {
	const char *start, *p, *end;
	int depth;
	uint64_t fresh;     /* bit d: the container at depth d has had no member yet */
	const char *why;    /* after an error: what was expected (static) */
	size_t at;          /* ... at this offset */
};

void jsonr_init(struct jsonr *j, const char *buf, size_t len);

/* The kind of the next value (whitespace skipped), without consuming it. */
enum jsonr_type jsonr_peek(struct jsonr *j);

/* Objects: enter (consumes '{'), then jsonr_key until it returns 0.
 * jsonr_key returns 1 with the member's name in key (decoded; a name longer
 * than keylen - 1 reads as "") and the cursor on its value, which the caller
 * must consume (a jsonr_ call that reads it, or jsonr_skip); 0 when the
 * object ended ('}' consumed); -1 on invalid input. */
int jsonr_object(struct jsonr *j);
int jsonr_key(struct jsonr *j, char *key, size_t keylen);
/* Arrays: the same, with jsonr_item returning 1 when a value follows. */
int jsonr_array(struct jsonr *j);
int jsonr_item(struct jsonr *j);

/* A string, decoded (escapes undone, \u as UTF-8) into out, truncated to
 * outlen - 1 bytes and NUL-terminated; out NULL just checks it.  Returns the
 * full decoded length (more than outlen - 1 if truncated), or -1. */
long jsonr_string(struct jsonr *j, char *out, size_t outlen);
int jsonr_number(struct jsonr *j, double *v);
/* A whole number from 0 to max, written without fraction or exponent. */
int jsonr_uint(struct jsonr *j, uint64_t max, uint64_t *v);
int jsonr_bool(struct jsonr *j, int *v);
int jsonr_null(struct jsonr *j);
/* A number, true, false or null as written (points into the buffer). */
int jsonr_scalar(struct jsonr *j, const char **text, size_t *len);
/* Any one value, checked all the way down. */
int jsonr_skip(struct jsonr *j);
/* 0 if nothing but whitespace is left (the text was one value), else -1. */
int jsonr_end(struct jsonr *j);

/* NULL while no error, else "offset N: expected ...". */
const char *jsonr_error(const struct jsonr *j, char *out, size_t outlen);

#endif
