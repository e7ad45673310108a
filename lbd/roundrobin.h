/* lb: smooth weighted round-robin (the nginx algorithm), per request.
 * Each worker keeps its own state per backend, so picking takes no lock;
 * server health, admin state and effective weight are read from the
 * shared atomics (model_server_usable). */
#ifndef LBD_ROUNDROBIN_H
#define LBD_ROUNDROBIN_H

#include <stdint.h>

struct backend;
struct lbd_config;
struct server;

struct roundrobin {
	int n;
	int64_t *cw; /* current weight per server */
};

struct roundrobin_set {
	int n;
	struct roundrobin *be; /* indexed by backend id */
};

int roundrobin_set_init(struct roundrobin_set *s, const struct lbd_config *c); /* 0 or -ENOMEM */
void roundrobin_set_free(struct roundrobin_set *s);

/* The next server for a request: active servers first, backup servers only
 * when no active one is up (an active one at its maxconn is waited for).  `avoid` (a server that just failed) is
 * skipped while another one is usable.  NULL when none is. */
struct server *roundrobin_pick(const struct backend *be, struct roundrobin *rr, const struct server *avoid);

/* After roundrobin_pick found nothing: is a server up but at its maxconn (so the
 * request should wait for a slot rather than get a 503)? */
int roundrobin_should_queue(const struct backend *be);

/* Would roundrobin_pick find a server now (the queue's test before it lets a
 * request out)?  The same rule as roundrobin_pick, round-robin state untouched. */
int roundrobin_has_slot(const struct backend *be, const struct server *avoid);

#endif
