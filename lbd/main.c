/* lbd: HTTP/1.1 reverse proxy.  main only wires the modules together. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "admin.h"
#include "config.h"
#include "daemon.h"
#include "health_service.h"
#include "lbd.h"
#include "log.h"
#include "model.h"
#include "stats_service.h"
#include "upgrade.h"

static int admin_start(struct lbd *l, struct lbd_config *cfg, char *err, size_t errlen)
{
	(void)cfg; (void)err; (void)errlen;
	admin_register(l);
	return 0;
}

/* The admin commands, registered here rather than by the stats service,
 * whose snapshot they read (admin.c -> stats_service.c, not back). */
static const struct lbd_service admin_service = { .name = "admin", .start = admin_start };

/* The services that run beside the data path on the main loop: the health
 * checker, the stats listener, then the admin commands. */
static int add_services(struct lbd *l)
{
	int rc = health_service_add(l);
	if (!rc)
		rc = stats_service_add(l);
	return rc ? rc : lbd_service_add(l, &admin_service);
}

int main(int argc, char **argv)
{
	struct daemon_args a;
	char err[1024];

	upgrade_init(argv);
	daemon_args_parse(argc, argv, "lbd", "/etc/lbd/lbd.conf", 0, &a);
	if (a.test) {
		struct lbd_config *c;
		if (config_load(a.conf, &c, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		printf("%s: configuration valid (%d frontends, %d backends)\n", a.conf, c->nfrontends, c->nbackends);
		model_config_unref(c);
		return 0;
	}
	log_init("lbd", a.foreground, a.debug ? LOG_DEBUG : LOG_INFO);
	/* One descriptor per client and per server connection: take all we may. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	struct lbd *l = lbd_new(a.conf, a.foreground);
	if (!l) {
		log_err("out of memory");
		return 1;
	}
	int rc = add_services(l);
	if (!rc)
		rc = lbd_run(l, err, sizeof(err));
	if (rc)
		log_err("%s", err);
	lbd_free(l);
	return rc ? 1 : 0;
}
