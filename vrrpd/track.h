/* track: one health check from a `track NAME { }` block (HTTP GET, script,
 * file, interface), run on the daemon's loop; track_fsm.c decides when to
 * check and counts rise/fall.  It reports only transitions of its up/down
 * state. */
#ifndef VRRPD_TRACK_H
#define VRRPD_TRACK_H

#include <stddef.h>
#include <stdint.h>

#include "track_fsm.h"

struct ev_loop;
struct track;
struct track_conf;

typedef void (*track_change_fn)(void *arg, struct track *t, int up);

/* Starts checking after first_delay_ms (stagger).  initial_up is the state
 * before the first verdict, initial_last the result shown until then (a
 * reload carries both over from the track it replaces). */
struct track *track_new(struct ev_loop *loop, const struct track_conf *conf, int initial_up,
			enum track_result initial_last, uint32_t first_delay_ms, track_change_fn fn, void *arg);
void track_free(struct track *t);

/* A link event for interface ifname (from vrrpd.c's netlink watcher): an
 * interface track on it takes the link's state at once (no polling; rise
 * and fall do not apply).  Other tracks ignore it. */
void track_link_event(struct track *t, const char *ifname);

int track_is_up(const struct track *t);
const char *track_name(const struct track *t);
enum track_result track_last(const struct track *t);
uint64_t track_checks(const struct track *t);
struct httpc_outcome;
/* Pure: the verdict on what common/httpc reported (expect 0 = any 2xx). */
enum track_result track_http_verdict(const struct httpc_outcome *o, unsigned expect);

/* Same kind, target and timing: a reload may keep the running one. */
int track_same_conf(const struct track *t, const struct track_conf *c);

#endif
