/* health: the per-process health checker.  One thread with one libev loop
 * checks every server of every backend that has a `check` line (never one
 * checker per worker), and writes the result into the server's runtime
 * state (model.h: up, check_reason, check_code, check_health...), which the
 * workers read with relaxed atomic loads: no lock on the request path.
 *
 * Per server: rise/fall as HAProxy counts them (check_health from 0 to
 * rise+fall-1), `interval` while stable, `fastinter` while the state is
 * changing, `downinter` while down; first checks spread over one interval;
 * only transitions are logged.  Passive check (`passive N`): the workers
 * count connect failures in a row in server_state.consec_fail; the checker
 * looks at them every HEALTH_PASSIVE_POLL_MS and marks a server down once
 * it reaches N, without waiting for `fall` failed checks. */
#ifndef LBD_HEALTH_H
#define LBD_HEALTH_H

#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "model.h"

#define HEALTH_PASSIVE_POLL_MS 50

struct health;

/* Called from the checker thread on each transition with one JSON line
 * ({"event":"server","server":"B/S","state":"DOWN","was":"UP",...}). */
typedef void (*health_event_fn)(const char *json_line);

/* Starts the checker thread over every checked server of cfg, taking a
 * reference on it; `event` may be NULL.  NULL with err filled on failure. */
struct health *health_start(struct lbd_config *cfg, health_event_fn event, char *err, size_t errlen);
/* Stops the thread, cancels checks in flight, drops the config; NULL is fine.
 * A reload is health_stop(old) + health_start(new): the states live in the
 * model and are carried over by model_config_adopt_state(). */
void health_stop(struct health *h);

/* "UP", "DOWN", "UP 2/3" (going down: checks left before DOWN), "DOWN 1/2"
 * (going up: passed checks so far), as HAProxy words them; "no check" when
 * the backend has no check.  Health only: admin state (MAINT, DRAIN) is
 * added by the caller. */
const char *health_status_word(const struct server *s, char *out, size_t outlen);

/* The pure core, exposed for unit tests: apply one check result to a server
 * and return 1 if it went up or down (0 if not). */
int health_apply_result(struct server *s, const struct check_outcome *o);
/* Delay until the next check of this server. */
uint32_t health_next_delay_ms(const struct server *s);
/* Passive check for one server: 1 if it was up and has just been marked
 * down because consec_fail reached the backend's `passive` limit. */
int health_apply_passive(struct server *s);
/* vrrpd says the node that runs this server is down (lbd's `peer-down`):
 * marked down as if its checks had failed (reason CHECK_PEER_DOWN, counted
 * in chkdown and peerdown); the checks bring it back after `rise` passing
 * ones.  While its checks keep failing the reason stays CHECK_PEER_DOWN.  1 if it was up and is now down; 0 if it was down already or has
 * no check (nothing would bring it back: left alone). */
int health_apply_peer_down(struct server *s);

#endif
