/* health_service: the health checker (health.c) as an lbd service (lbd.h):
 * its thread is restarted on each reload over the new configuration (states
 * live in the model and carry over), and its transitions are handed to the
 * main loop, which publishes them to the control socket's subscribers.
 * A process runs one checker, hence the file-static instance. */
#include "health_service.h"

#include <ev.h>
#include <pthread.h>
#include <string.h>

#include "buf.h"
#include "health.h"
#include "lbd.h"
#include "log.h"

/* ---- events: checker thread -> control socket subscribers ------------------- */

#define EVENTS_MAX_QUEUED (256u << 10)

/* The control socket lives on the main loop; the checker posts here from its
 * thread and an ev_async hands the lines over. */
static struct {
	pthread_mutex_t lock;
	struct buf q;
	ev_async wake;
	struct lbd *l;
	int on;
} g_events = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void event_post(const char *json_line)
{
	pthread_mutex_lock(&g_events.lock);
	int on = g_events.on && g_events.q.len < EVENTS_MAX_QUEUED;
	if (on && (buf_puts(&g_events.q, json_line) || buf_append(&g_events.q, "\n", 1)))
		on = 0;
	pthread_mutex_unlock(&g_events.lock);
	if (on)
		ev_async_send(lbd_main_loop(g_events.l), &g_events.wake);
}

static void events_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct buf lines = BUF_INIT;
	(void)loop;
	(void)w;
	(void)revents;
	pthread_mutex_lock(&g_events.lock);
	lines = g_events.q;
	g_events.q = (struct buf)BUF_INIT;
	pthread_mutex_unlock(&g_events.lock);
	for (char *p = lines.data, *nl; p && (nl = memchr(p, '\n', lines.len - (size_t)(p - lines.data))); p = nl + 1) {
		*nl = '\0';
		lbd_publish(g_events.l, p);
	}
	buf_free(&lines);
}

static void events_start(struct lbd *l)
{
	g_events.l = l;
	ev_async_init(&g_events.wake, events_cb);
	ev_async_start(lbd_main_loop(l), &g_events.wake);
	pthread_mutex_lock(&g_events.lock);
	g_events.on = 1;
	pthread_mutex_unlock(&g_events.lock);
}

static void events_stop(struct lbd *l)
{
	pthread_mutex_lock(&g_events.lock);
	g_events.on = 0;
	buf_free(&g_events.q);
	pthread_mutex_unlock(&g_events.lock);
	ev_async_stop(lbd_main_loop(l), &g_events.wake);
}

/* ---- health ------------------------------------------------------------------ */

static struct health *g_health;

static int health_svc_start(struct lbd *l, struct lbd_config *cfg, char *err, size_t errlen)
{
	events_start(l);
	g_health = health_start(cfg, event_post, err, errlen);
	return g_health ? 0 : -1;
}

static void health_svc_reload(struct lbd *l, struct lbd_config *cfg, struct lbd_config *old)
{
	char err[256];
	(void)l;
	(void)old;
	health_stop(g_health);
	g_health = health_start(cfg, event_post, err, sizeof(err));
	if (!g_health)
		log_err("health checks stopped: %s", err);
}

static void health_svc_stop(struct lbd *l)
{
	health_stop(g_health);
	g_health = NULL;
	events_stop(l);
}

static const struct lbd_service health_svc = {
	"health", health_svc_start, health_svc_reload, health_svc_stop,
};

int health_service_add(struct lbd *l)
{
	return lbd_service_add(l, &health_svc);
}
