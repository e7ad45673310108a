/* check: one active HTTP health check of one server, on a libev loop.
 *
 *   connect (bounded by connect_timeout_ms)
 *   -> send "METHOD PATH HTTP/1.1\r\nHost: HOST\r\nConnection: close\r\n..."
 *   -> read the status line (bounded by timeout_ms from the start)
 *   -> classify into enum check_result, with the code and the duration.
 *
 * The pure parts (status line parser, expect parser and matcher, result
 * names) are apart from the I/O so they can be unit-tested and fuzzed. */
#ifndef LBD_CHECK_H
#define LBD_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct ev_loop;
struct check;

enum check_result {
	CHECK_NONE,             /* not checked yet */
	CHECK_OK,
	CHECK_REFUSED,          /* connect refused (or reset, unreachable) */
	CHECK_CONNECT_TIMEOUT,
	CHECK_RESPONSE_TIMEOUT, /* connected, no complete status line in time */
	CHECK_BAD_STATUS,       /* status line fine, code not expected */
	CHECK_INVALID_RESPONSE, /* not HTTP, or closed before a status line */
	CHECK_SOCKET_ERROR,     /* local failure: socket(), out of memory */
	CHECK__COUNT
};

/* "connect refused"; for people and logs. */
const char *check_result_name(enum check_result r);
/* HAProxy's check_status words: L7OK, L4CON, L4TOUT, L7TOUT, L7STS, L7RSP,
 * SOCKERR, INI (for the CSV and metrics that existing tools read). */
const char *check_result_haproxy(enum check_result r);
/* HAProxy's check_desc text ("Layer4 connection problem"...). */
const char *check_result_haproxy_desc(enum check_result r);

/* Expected status: "200", "200,204", "200-499", "2xx", "200-299,404". */
#define CHECK_EXPECT_MAX 8
struct check_expect {
	int n;
	struct { uint16_t lo, hi; } range[CHECK_EXPECT_MAX];
};
/* 0 or -EINVAL with "expected a status code (100-599), a list or a range" in err. */
int check_expect_parse(const char *s, struct check_expect *e, char *err, size_t errlen);
int check_expect_match(const struct check_expect *e, int code);
/* Writes the canonical form ("200-499") into out. */
const char *check_expect_format(const struct check_expect *e, char *out, size_t outlen);
/* HAProxy's default when no expect is given: any 2xx or 3xx. */
void check_expect_default(struct check_expect *e);

/* Parses "HTTP/1.x NNN reason\r\n" at the start of buf.
 * Returns bytes consumed (through the LF), -2 if more bytes are needed, -1 if
 * it is not a valid status line.  Pure: no allocation, reads only buf[0..len). */
#define CHECK_STATUS_LINE_MAX 1024
int check_parse_status_line(const char *buf, size_t len, int *code);

/* Classification of a finished exchange (pure, for tests): `parsed` is what
 * check_parse_status_line returned on all bytes received, `eof` whether the
 * server closed, `timed_out` whether the response timer fired. */
enum check_result check_classify(int parsed, int code, int eof, int timed_out,
				 const struct check_expect *e);

#define CHECK_METHOD_MAX 16
#define CHECK_PATH_MAX 256
#define CHECK_HOST_MAX 128

struct check_conf {
	char method[CHECK_METHOD_MAX];  /* "GET" */
	char path[CHECK_PATH_MAX];      /* "/-/healthy" */
	char host[CHECK_HOST_MAX];      /* "" = the server's address */
	struct check_expect expect;
	uint32_t connect_timeout_ms;
	uint32_t timeout_ms;            /* whole check, from the connect() call */
};

void check_conf_default(struct check_conf *c); /* GET / expect 2xx,3xx, 2 s */

/* Builds the request into out; returns its length, or -1 if it does not fit. */
int check_format_request(const struct check_conf *c, const struct addr *a, char *out, size_t outlen);

struct check_outcome {
	enum check_result result;
	int code;               /* HTTP status, 0 if none */
	uint32_t duration_us;   /* from connect() to the result */
	int err;                /* errno for REFUSED / SOCKET_ERROR, else 0 */
};

typedef void (*check_done_fn)(void *arg, const struct check_outcome *o);

/* Starts one check; `done` is called exactly once, later, from the loop
 * (never from inside check_start).  NULL only when out of memory. */
struct check *check_start(struct ev_loop *loop, const struct check_conf *conf,
			  const struct addr *a, check_done_fn done, void *arg);
/* Stops a check in flight without calling done; NULL is fine. */
void check_cancel(struct check *c);

#endif
