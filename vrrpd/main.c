/* vrrpd: wires the modules together and runs the loop. */
#include <errno.h>
#include <ev.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "vrrpd.h"
#include "log.h"
#include "memlock.h"
#include "config.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VRRPD_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define VRRPD_ASAN 1
#endif

static struct vrrpd *vd;
static const char *conf_path;

static int stop_signal;

/* vrrpd is stopped once the loop is left (never from inside one of
 * its own callbacks). */
static void stop_now(void *arg)
{
	ev_break(arg, EVBREAK_ALL);
}

/* A master drains lbd first (lbd-control, handover.h); a second signal stops at once. */
static void on_stop(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)revents;
	int again = stop_signal != 0;
	stop_signal = w->signum;
	daemon_notify("STOPPING=1");
	if (!again && vrrpd_stop_drained(vd, stop_now, loop))
		return;
	stop_now(loop);
}

static void on_hup(struct ev_loop *loop, ev_signal *w, int revents)
{
	char err[512];
	(void)loop; (void)w; (void)revents;
	daemon_notify("RELOADING=1");
	if (vrrpd_reload(vd, conf_path, err, sizeof(err)))
		log_err("reload refused, keeping the running configuration: %s", err);
	else
		log_notice("configuration reloaded from %s", conf_path);
	daemon_notify("READY=1");
}

/* Real-time scheduling if asked, and the memory lock's limit: done while
 * we still hold the capabilities they need (the lock itself comes when
 * start-up is over, memlock.h). */
static void tune(const struct vrrpd_config *c)
{
	if (c->global.mlock)
		memlock_prepare();
	if (c->global.rt_priority) {
		struct sched_param sp = { .sched_priority = c->global.rt_priority };
		if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) < 0)
			log_warn("SCHED_FIFO %d: %s", c->global.rt_priority, strerror(errno));
	}
}

static void lock_memory(const struct vrrpd_config *c)
{
	if (!c->global.mlock)
		return;
#ifdef VRRPD_ASAN
	log_info("mlock skipped: AddressSanitizer build");
#else
	char err[256];
	if (memlock_lock(err, sizeof(err)))
		log_warn("memory not locked: %s", err);
#endif
}

int main(int argc, char **argv)
{
	struct daemon_args a;
	struct vrrpd_config *c;
	char err[512];
	static const int caps[] = { CAP_NET_ADMIN, CAP_NET_RAW };

	daemon_args_parse(argc, argv, "vrrpd", "/etc/vrrpd/vrrpd.conf", 1, &a);
	log_init("vrrpd", a.foreground || a.test || a.cleanup, a.debug ? LOG_DEBUG : LOG_INFO);
	conf_path = a.conf;
	if (vrrpd_config_load(a.conf, &c, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (a.test) {
		vrrpd_config_free(c);
		return 0;
	}
	if (a.cleanup) {
		int n = vrrpd_cleanup(c);
		printf("removed %d address(es)\n", n);
		vrrpd_config_free(c);
		return 0;
	}
	struct ev_loop *loop = EV_DEFAULT;
	tune(c);
	vd = vrrpd_open(loop, c, err, sizeof(err));
	if (!vd) {
		log_err("%s", err);
		return 1;
	}
	if (daemon_keep_caps(caps, 2, err, sizeof(err)))
		log_warn("%s", err);
	lock_memory(c);
	ev_signal sterm, sint, shup;
	ev_signal_init(&sterm, on_stop, SIGTERM);
	ev_signal_init(&sint, on_stop, SIGINT);
	ev_signal_init(&shup, on_hup, SIGHUP);
	ev_signal_start(loop, &sterm);
	ev_signal_start(loop, &sint);
	ev_signal_start(loop, &shup);
	signal(SIGPIPE, SIG_IGN);
	log_notice("started");
	daemon_notify("READY=1");
	ev_run(loop, 0);
	if (!stop_signal)
		vrrpd_close(vd);
	else if (vrrpd_stop(vd))
		log_notice("signal %d: stopping for a restart: masters handed over", stop_signal);
	else
		log_notice("signal %d: stopped", stop_signal);
	ev_loop_destroy(loop);
	return 0;
}
