/* stats_service: the stats listener as an lbd service (lbd.h): its own
 * thread and loop for the :8404 listener, the rate sampler and the VRRP
 * panel cache, so a slow page or a slow vrrpd never delays the main loop
 * (signals, control socket) or the data path.  It also registers the admin
 * commands (admin.c), which read the same snapshot.  A process runs one
 * listener, hence the file-static instance. */
#include "stats_service.h"

#include <ev.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "lbd.h"
#include "log.h"
#include "logq.h"
#include "model.h"
#include "mtime.h"
#include "admin.h"
#include "stats.h"
#include "stats_http.h"

#define VRRP_TIMEOUT_MS 250
#define ALIVE_MAX_AGE_MS 2000

/* ---- stats ------------------------------------------------------------------- */

struct stats_svc {
	struct lbd *l;
	struct ev_loop *loop;
	pthread_t thread;
	ev_async stop;
	ev_timer tick;
	struct stats_http *http;
	struct stats_http *health;  /* the /healthz-only listener, or NULL */
	struct stats_rates *rates;
	pthread_mutex_t rates_lock; /* written by the tick here, read by "show stat" on the main loop */
	pthread_mutex_t vrrp_lock;  /* the panel is read by "show stat" on the main loop too */
	struct stats_vrrp vrrp;
	char vrrp_path[108];
	char node[64];
	uint64_t start_ms;
};

/* The running stats listener, or NULL: set, cleared and read on the main
 * loop only (the stats thread gets its own `s` as the callbacks' argument). */
static struct stats_svc *g_stats;

/* The process block; without a stats listener (s NULL: "show stat" on the
 * control socket) there is no VRRP panel and no uptime of the listener. */
static void fill_process(struct lbd *l, struct stats_svc *s, struct stats_snapshot *snap,
			 const struct lbd_config *cfg)
{
	snprintf(snap->version, sizeof(snap->version), "%s", VERSION);
	snap->pid = (int)getpid();
	snap->alive = lbd_alive(l, ALIVE_MAX_AGE_MS);
	snap->nworkers = cfg->g.workers ? (int)cfg->g.workers : (int)sysconf(_SC_NPROCESSORS_ONLN);
	logq_totals(&snap->log_sent, &snap->log_dropped);
	if (!s) {
		if (gethostname(snap->node, sizeof(snap->node) - 1))
			snprintf(snap->node, sizeof(snap->node), "lbd");
		snprintf(snap->vrrp.error, sizeof(snap->vrrp.error), "no stats listener (it reads vrrpd)");
		return;
	}
	snprintf(snap->node, sizeof(snap->node), "%s", s->node);
	snap->uptime_s = (mtime_ms() - s->start_ms) / 1000;
	pthread_mutex_lock(&s->vrrp_lock);
	snap->vrrp = s->vrrp;
	pthread_mutex_unlock(&s->vrrp_lock);
}

static int snapshot(struct lbd *l, struct stats_svc *s, struct stats_snapshot *snap)
{
	struct lbd_config *cfg = lbd_config_get(l);
	int rc;
	if (!cfg)
		return -1;
	if (s) {
		pthread_mutex_lock(&s->rates_lock);
		rc = stats_collect(cfg, s->rates, snap);
		pthread_mutex_unlock(&s->rates_lock);
	} else {
		rc = stats_collect(cfg, NULL, snap);
	}
	if (!rc)
		fill_process(l, s, snap, cfg);
	model_config_unref(cfg);
	return rc;
}

/* "show stat" and friends, on the main loop. */
int stats_service_snapshot(struct lbd *l, struct stats_snapshot *snap)
{
	return snapshot(l, g_stats, snap);
}

/* A page, on the stats thread. */
static int http_snapshot(void *arg, struct stats_snapshot *snap)
{
	struct stats_svc *s = arg;
	return snapshot(s->l, s, snap);
}

static int http_alive(void *arg)
{
	struct stats_svc *s = arg;
	return lbd_alive(s->l, ALIVE_MAX_AGE_MS);
}

static const struct stats_http_ops http_ops = { http_snapshot, http_alive };

/* Once a second: request rates, and the VRRP panel (a blocking call with a
 * short timeout, on this thread only). */
static void tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct stats_svc *s = w->data;
	struct stats_vrrp v;
	(void)loop;
	(void)revents;
	struct lbd_config *cfg = lbd_config_get(s->l);
	if (cfg) {
		pthread_mutex_lock(&s->rates_lock);
		stats_rates_sample(s->rates, cfg, mtime_ms());
		pthread_mutex_unlock(&s->rates_lock);
		model_config_unref(cfg);
	}
	stats_vrrp_query(s->vrrp_path, VRRP_TIMEOUT_MS, &v);
	pthread_mutex_lock(&s->vrrp_lock);
	s->vrrp = v;
	pthread_mutex_unlock(&s->vrrp_lock);
}

static void stop_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static void *stats_thread(void *arg)
{
	struct stats_svc *s = arg;
	ev_run(s->loop, 0);
	return NULL;
}

static void stats_free(struct stats_svc *s)
{
	if (!s)
		return;
	stats_http_close(s->http);
	stats_http_close(s->health);
	if (s->loop)
		ev_loop_destroy(s->loop);
	stats_rates_free(s->rates);
	pthread_mutex_destroy(&s->rates_lock);
	pthread_mutex_destroy(&s->vrrp_lock);
	free(s);
}

static int stats_open(struct lbd *l, const struct stats_conf *sc, char *err, size_t errlen)
{
	struct stats_svc *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "stats: out of memory");
		return -1;
	}
	pthread_mutex_init(&s->rates_lock, NULL);
	pthread_mutex_init(&s->vrrp_lock, NULL);
	s->l = l;
	s->start_ms = mtime_ms();
	if (gethostname(s->node, sizeof(s->node) - 1))
		snprintf(s->node, sizeof(s->node), "lbd");
	snprintf(s->vrrp_path, sizeof(s->vrrp_path), "%s", sc->vrrp);
	snprintf(s->vrrp.error, sizeof(s->vrrp.error), "not asked yet");
	s->rates = stats_rates_new();
	s->loop = ev_loop_new(EVFLAG_AUTO);
	if (!s->rates || !s->loop) {
		snprintf(err, errlen, "stats: out of memory");
		goto fail;
	}
	s->http = stats_http_open(s->loop, &sc->bind, 0, sc->user, sc->pass, &http_ops, s, err, errlen);
	if (!s->http)
		goto fail;
	if (sc->health_enabled) {
		s->health = stats_http_open(s->loop, &sc->health, 1, NULL, NULL, &http_ops, s, err, errlen);
		if (!s->health)
			goto fail;
	}
	ev_async_init(&s->stop, stop_cb);
	ev_async_start(s->loop, &s->stop);
	ev_timer_init(&s->tick, tick_cb, 0., 1.);
	s->tick.data = s;
	ev_timer_again(s->loop, &s->tick);
	tick_cb(s->loop, &s->tick, 0); /* the first panel and rate baseline now */
	int rc = pthread_create(&s->thread, NULL, stats_thread, s);
	if (rc) {
		snprintf(err, errlen, "stats: cannot start its thread: %s", strerror(rc));
		goto fail;
	}
	g_stats = s;
	return 0;
fail:
	stats_free(s);
	return -1;
}

static void stats_svc_stop(struct lbd *l)
{
	struct stats_svc *s = g_stats;
	(void)l;
	if (!s)
		return;
	ev_async_send(s->loop, &s->stop);
	pthread_join(s->thread, NULL);
	g_stats = NULL;
	ev_timer_stop(s->loop, &s->tick);
	stats_free(s);
}

static int stats_svc_start(struct lbd *l, struct lbd_config *cfg, char *err, size_t errlen)
{
	return cfg->g.stats.enabled ? stats_open(l, &cfg->g.stats, err, errlen) : 0;
}

static int stats_conf_same(const struct stats_conf *a, const struct stats_conf *b)
{
	return a->enabled == b->enabled && a->bind.len == b->bind.len &&
	       !memcmp(&a->bind.ss, &b->bind.ss, a->bind.len) && !strcmp(a->user, b->user) &&
	       !strcmp(a->pass, b->pass) && !strcmp(a->vrrp, b->vrrp) && a->health_enabled == b->health_enabled &&
	       a->health.len == b->health.len && !memcmp(&a->health.ss, &b->health.ss, a->health.len);
}

/* Pages read the current configuration per request; only a changed `stats`
 * line (address, auth, vrrp socket, health listener) reopens the listeners.  If the new one
 * cannot open, the old settings are tried again so the page stays up. */
static void stats_svc_reload(struct lbd *l, struct lbd_config *cfg, struct lbd_config *old)
{
	char err[256];
	if (stats_conf_same(&cfg->g.stats, &old->g.stats))
		return;
	stats_svc_stop(l);
	if (!cfg->g.stats.enabled) {
		log_notice("stats listener closed (no 'stats' line any more)");
		return;
	}
	if (!stats_open(l, &cfg->g.stats, err, sizeof(err))) {
		log_notice("stats listener reopened with the new 'stats' line");
		return;
	}
	log_err("%s; keeping the previous 'stats' settings", err);
	if (old->g.stats.enabled && stats_open(l, &old->g.stats, err, sizeof(err)))
		log_err("%s: no stats listener", err);
}

static const struct stats_svc_def {
	struct lbd_service svc;
} stats_def = { { "stats", stats_svc_start, stats_svc_reload, stats_svc_stop } };

int stats_service_add(struct lbd *l)
{
	return lbd_service_add(l, &stats_def.svc);
}
