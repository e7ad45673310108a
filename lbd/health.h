/* health: the per-process health checker.  One thread with one libev loop
 * checks every server of every backend (never one checker per worker), and
 * publishes each server's state in a struct health_status that the workers
 * read with a relaxed atomic load: no lock on the request path.
 *
 * Per server: rise/fall counters, `interval` while stable, `fastinter` while
 * the state is changing, `downinter` while down; first checks are spread over
 * one interval; transitions are logged, nothing else is.  Optional passive
 * check: `passive N` marks a server down after N connect failures in a row
 * reported by the workers (health_passive_report), without waiting for fall. */
#ifndef LBD_HEALTH_H
#define LBD_HEALTH_H

#include <stdatomic.h>
#include <stdint.h>

#include "addr.h"
#include "check.h"

enum health_start { HEALTH_START_DOWN, HEALTH_START_UP };

struct health_conf {
	int enabled;               /* a `check` line exists; else the server is always up */
	struct check_conf check;
	uint32_t interval_ms;
	uint32_t fastinter_ms;     /* while going up or down */
	uint32_t downinter_ms;     /* while down */
	uint8_t rise, fall;
	enum health_start start;
	uint32_t passive_fails;    /* 0 = no passive check */
};

void health_conf_default(struct health_conf *c); /* inter 2s, rise 2, fall 3, start down */

/* One server's health, shared between the checker (writer) and the workers
 * and stats (readers).  All fields are atomics read relaxed: a reader may see
 * a result a few microseconds late, never a torn value. */
struct health_status {
	atomic_int up;                    /* what the balancer reads: 1 = send traffic */
	atomic_int result;                /* enum check_result of the last check */
	atomic_int code;                  /* its HTTP status, 0 if none */
	atomic_uint duration_us;          /* its duration */
	atomic_int consec;                /* checks in a row against the current state */
	atomic_uint chkfail;              /* failed checks */
	atomic_uint chkdown;              /* UP -> DOWN transitions */
	atomic_uint passive;              /* connect failures in a row (workers) */
	atomic_uint passive_downs;        /* times the passive check marked it down */
	atomic_ullong last_change_ms;     /* mtime_ms() of the last transition */
	atomic_ullong downtime_ms;        /* total down time, closed periods only */
	atomic_int checked;               /* at least one check finished */
};

/* Sets the start state from the config (call before workers see it). */
void health_status_init(struct health_status *st, const struct health_conf *c);
/* Carries a server's state over a reload (same backend and server name). */
void health_status_copy(struct health_status *dst, const struct health_status *src);
/* Down time so far, including the current period when down. */
uint64_t health_status_downtime_ms(const struct health_status *st, uint64_t now_ms);
/* "UP", "DOWN", "UP 2/3" (going down: checks left), "DOWN 1/2" (going up:
 * successes so far), as HAProxy writes them; "no check" without a check. */
const char *health_status_word(const struct health_status *st, const struct health_conf *c,
			       char *out, size_t outlen);

/* One server to check.  Strings and conf must outlive the checker. */
struct health_target {
	const char *backend;
	const char *server;
	struct addr addr;
	const struct health_conf *conf;
	struct health_status *st;
};

struct health;

/* Starts the checker thread over `targets` (copied; n may be 0).
 * NULL with err filled on failure. */
struct health *health_start(const struct health_target *targets, int n, char *err, size_t errlen);
/* Stops the thread, cancels checks in flight, frees; NULL is fine. */
void health_stop(struct health *h);

/* From a worker, any thread: a connect to this server failed (ok = 0) or
 * succeeded (ok = 1).  Wakes the checker when the passive limit is reached. */
void health_passive_report(struct health *h, struct health_status *st,
			   const struct health_conf *c, int ok);

/* Pure core, exposed for unit tests: apply one check result to a status and
 * say whether the server changed state (1) or not (0). */
int health_apply_result(struct health_status *st, const struct health_conf *c,
			const struct check_outcome *o, uint64_t now_ms);
/* Delay until the next check given the status. */
uint32_t health_next_delay_ms(const struct health_status *st, const struct health_conf *c);

#endif
