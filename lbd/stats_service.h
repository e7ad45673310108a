/* stats_service: the health checker and the stats listener as lbd services
 * (see lbd.h).  The runtime control commands (stats_ctl.c) are registered
 * by main.c. */
#ifndef LBD_STATS_SERVICE_H
#define LBD_STATS_SERVICE_H

struct lbd;
struct stats_snapshot;

/* Call before lbd_run(): adds the "health" and "stats" services. */
int stats_service_add(struct lbd *l);
/* A full snapshot of the running process (any thread); stats_snapshot_free() it. */
int stats_service_snapshot(struct lbd *l, struct stats_snapshot *snap);

#endif
