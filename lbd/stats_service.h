/* stats_service: the stats listener as an lbd service (see lbd.h).  The
 * admin commands (admin.c), which share its snapshot, are registered by
 * main.c. */
#ifndef LBD_STATS_SERVICE_H
#define LBD_STATS_SERVICE_H

struct lbd;
struct stats_snapshot;

/* Call before lbd_run(): adds the "stats" service. */
int stats_service_add(struct lbd *l);
/* A full snapshot of the running process (any thread); stats_snapshot_free() it. */
int stats_service_snapshot(struct lbd *l, struct stats_snapshot *snap);

#endif
