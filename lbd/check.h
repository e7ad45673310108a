/* check: one active HTTP health check of one server, on a libev loop.
 *
 *   send "METHOD PATH HTTP/1.0" (HAProxy's default), or HTTP/1.1 with
 *   "Host: HOST" and "Connection: close" when the check names a host,
 *   through common/httpc (connect, send, read the answer's head; the whole
 *   exchange bounded by timeout_ms)
 *   -> classify into enum check_reason (check_conf.h), with the code and duration.
 *
 * The pure parts (expect matcher, classification) are apart from the I/O so
 * they can be unit-tested; the answer's bytes are judged by httpc_judge. */
#ifndef LBD_CHECK_H
#define LBD_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "check_conf.h" /* struct check_conf, struct check_expect, enum check_reason */

struct ev_loop;
struct check;

/* HAProxy's check_status words: L7OK, L4CON, L4TOUT, L7TOUT, L7STS, L7RSP,
 * SOCKERR, INI (for the CSV and metrics that existing tools read). */
const char *check_reason_haproxy(enum check_reason r);
/* HAProxy's check_desc text ("Layer4 connection problem"...). */
const char *check_reason_haproxy_desc(enum check_reason r);

/* Is `code` one of the expected statuses?  No expect = any 2xx or 3xx
 * (HAProxy's default). */
int check_expect_match(const struct check_conf *c, int code);
/* The expect list for people: "200-499", "200,204", "2xx-3xx (default)". */
const char *check_expect_format(const struct check_conf *c, char *out, size_t outlen);

struct httpc_outcome;
/* Classification of a finished exchange (pure, for tests): the HAProxy-like
 * reason for what httpc reported, the status judged against the expect list. */
enum check_reason check_classify(const struct httpc_outcome *o, const struct check_conf *c);

/* Builds the request into out; its length, or -1 if it does not fit. */
int check_format_request(const struct check_conf *c, const struct addr *a, char *out, size_t outlen);

struct check_outcome {
	enum check_reason result;
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
