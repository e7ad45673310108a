/* lb: smooth weighted round-robin (the nginx algorithm), per request.
 * Each worker keeps its own state per backend, so picking takes no lock;
 * server health, admin state and effective weight are read from the
 * shared atomics (model_server_usable). */
#ifndef LBD_LB_H
#define LBD_LB_H

#include <stdint.h>

struct backend;
struct lbd_config;
struct server;

struct lb_rr {
	int n;
	int64_t *cw; /* current weight per server */
};

struct lb_set {
	int n;
	struct lb_rr *be; /* indexed by backend id */
};

int lb_set_init(struct lb_set *s, const struct lbd_config *c); /* 0 or -ENOMEM */
void lb_set_free(struct lb_set *s);

/* The next server for a request: active servers first, backup servers only
 * when no active one is up (an active one at its maxconn is waited for).  `avoid` (a server that just failed) is
 * skipped while another one is usable.  NULL when none is. */
struct server *lb_pick(const struct backend *be, struct lb_rr *rr, const struct server *avoid);

/* After lb_pick found nothing: is a server up but at its maxconn (so the
 * request should wait for a slot rather than get a 503)? */
int lb_should_queue(const struct backend *be);

/* Would lb_pick find a server now (the queue's test before it lets a
 * request out)?  The same rule as lb_pick, round-robin state untouched. */
int lb_has_slot(const struct backend *be, const struct server *avoid);

#endif
