/* lbd: HTTP/1.1 reverse proxy.  main only wires the modules together. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "config.h"
#include "daemon.h"
#include "health_service.h"
#include "lbd.h"
#include "log.h"
#include "model.h"
#include "stats_service.h"
#include "upgrade.h"

/* Services that run beside the data path: the health checker and the stats
 * listener (lbd_service_add(); the admin commands are registered with
 * lbd_ctl_register() from the stats service's start()). */
static int add_services(struct lbd *l)
{
	int rc = health_service_add(l);
	return rc ? rc : stats_service_add(l);
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
