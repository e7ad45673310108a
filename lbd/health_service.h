/* health_service: the health checker as an lbd service (see lbd.h). */
#ifndef LBD_HEALTH_SERVICE_H
#define LBD_HEALTH_SERVICE_H

struct lbd;

/* Call before lbd_run(): adds the "health" service. */
int health_service_add(struct lbd *l);

#endif
