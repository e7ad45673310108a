/* worker: the data-path threads.  Each worker runs its own libev loop with
 * its own SO_REUSEPORT listening socket per bind address, its own server
 * connection pool and its own balancer state: nothing is locked per request.
 * The main thread talks to them only through ev_async messages. */
#ifndef LBD_WORKER_H
#define LBD_WORKER_H

#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct handover_in;
struct handover_sock;
struct lbd_config;
struct workers;

/* Open the listeners of `cfg` and start cfg->g.workers threads (0 = CPUs).
 * Listeners found in `inherit` (the old process's, may be NULL) are taken
 * from it instead of opened. */
struct workers *workers_new(struct ev_loop *main_loop, struct lbd_config *cfg, struct handover_in *inherit,
			    char *err, size_t errlen);
/* The listening sockets in use (for a handover); fds stay owned here. */
int workers_list_sockets(struct workers *w, struct handover_sock *out, int max);
/* Reload, step 1: open what `cfg` binds that is not open yet (unchanged
 * addresses keep their sockets).  0, or negative errno with err filled. */
int workers_prepare(struct workers *w, struct lbd_config *cfg, char *err, size_t errlen);
/* Reload, step 2: every worker takes `cfg` for new connections and closes
 * the listeners it no longer binds. */
void workers_switch(struct workers *w, struct lbd_config *cfg);
/* Stop accepting; the listening sockets are closed, or kept open until
 * workers_free() when `handed_over` (a new process accepts on them, or
 * systemd keeps them for the next one).  An idle keep-alive connection is
 * closed after XCH_STOP_IDLE_S, or, when `successor` (a new process
 * accepts already: nobody waits for our exit), after its usual
 * `timeout http-keep-alive`: closing an idle connection races with a
 * client sending on it, and an upgrade should add no such race. */
void workers_stop_accepting(struct workers *w, int handed_over, int successor);
/* Planned handover (quiesce.h): on, every client connection ends at its
 * next response and idle keep-alive ones are closed, while the listeners
 * keep accepting; off, back to normal.  Waits for the workers (5 s at most). */
void workers_quiesce(struct workers *w, int on);
/* Client connections open now, all workers. */
int workers_sessions(struct workers *w);
/* Client connections with a request in flight (a head begun, up to its
 * response sent; a tunnel): not those idle between requests or silent. */
int workers_busy(struct workers *w);
/* Break `main_loop` once no worker has a connection left. */
void workers_when_idle(struct workers *w, struct ev_loop *main_loop);
int workers_alive(struct workers *w, uint64_t max_age_ms);
int workers_count(const struct workers *w);
int workers_pools(const struct workers *w); /* server connection pools, all workers */
void workers_free(struct workers *w);

#endif
