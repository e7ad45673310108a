#include "health.h"

#include <errno.h>
#include <ev.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "log.h"
#include "mtime.h"

#define RLX memory_order_relaxed

static int max_health(const struct check_conf *c)
{
	return (int)(c->rise + c->fall) - 1;
}

const char *health_status_word(const struct server *s, char *out, size_t outlen)
{
	const struct check_conf *c = &s->be->conf.check;
	if (!c->enabled) {
		snprintf(out, outlen, "no check");
		return out;
	}
	int up = atomic_load_explicit(&s->st->up, RLX);
	int h = atomic_load_explicit(&s->st->check_health, RLX);
	if (up && h < max_health(c) && h >= (int)c->rise)
		snprintf(out, outlen, "UP %d/%u", h - (int)c->rise + 1, c->fall);
	else if (!up && h > 0 && h < (int)c->rise)
		snprintf(out, outlen, "DOWN %d/%u", h, c->rise);
	else
		snprintf(out, outlen, "%s", up ? "UP" : "DOWN");
	return out;
}

/* ---- the state machine ------------------------------------------------------
 * Two states.  check_health counts as HAProxy does: rise+fall-1 when fully
 * up, down to `rise` while failing checks are tolerated, 0 when down, up to
 * rise-1 while passing checks are being counted.  Each handler returns the
 * state a result leads to and sets check_health. */

enum hs { HS_DOWN, HS_UP, HS__COUNT };
static const char *const hs_names[HS__COUNT] = { "DOWN", "UP" };

typedef enum hs (*hs_handler_fn)(struct server_state *st, const struct check_conf *c, int ok, int first);

static enum hs hs_down(struct server_state *st, const struct check_conf *c, int ok, int first)
{
	if (!ok) {
		atomic_store_explicit(&st->check_health, 0, RLX);
		return HS_DOWN;
	}
	/* A server that starts down takes traffic as soon as its first check
	 * passes; after that it has to pass `rise` checks in a row. */
	int h = atomic_load_explicit(&st->check_health, RLX) + 1;
	if (first || h >= (int)c->rise) {
		atomic_store_explicit(&st->check_health, max_health(c), RLX);
		return HS_UP;
	}
	atomic_store_explicit(&st->check_health, h, RLX);
	return HS_DOWN;
}

static enum hs hs_up(struct server_state *st, const struct check_conf *c, int ok, int first)
{
	if (ok) {
		atomic_store_explicit(&st->check_health, max_health(c), RLX);
		return HS_UP;
	}
	/* `start up` trusts a server until its first check: if that fails it
	 * goes down at once (as HAProxy does). */
	int h = atomic_load_explicit(&st->check_health, RLX);
	if (!first && h > (int)c->rise) {
		atomic_store_explicit(&st->check_health, h - 1, RLX);
		return HS_UP;
	}
	atomic_store_explicit(&st->check_health, 0, RLX);
	return HS_DOWN;
}

static const hs_handler_fn hs_handlers[HS__COUNT] = { hs_down, hs_up };

/* The one place the checker changes a server's state. */
static int hs_transition(struct server *s, enum hs to)
{
	if (!model_server_set_up(s, to == HS_UP))
		return 0;
	if (to == HS_DOWN)
		atomic_fetch_add_explicit(&s->st->chkdown, 1, RLX);
	else
		atomic_store_explicit(&s->st->consec_fail, 0, RLX);
	return 1;
}

int health_apply_result(struct server *s, const struct check_outcome *o)
{
	struct server_state *st = s->st;
	const struct check_conf *c = &s->be->conf.check;
	int ok = o->result == CHECK_OK;
	int first = atomic_load_explicit(&st->check_reason, RLX) == CHECK_NONE;
	enum hs from = atomic_load_explicit(&st->up, RLX) ? HS_UP : HS_DOWN;
	/* Marked down outside the checker (the workers' passive check): count
	 * the way back up from zero, `rise` passing checks. */
	if (from == HS_DOWN && atomic_load_explicit(&st->check_health, RLX) >= (int)c->rise)
		atomic_store_explicit(&st->check_health, 0, RLX);
	/* Down by peer-down, and its checks fail as a dead node's do: the
	 * reason people see stays why it went down. */
	int keep = from == HS_DOWN && !ok && atomic_load_explicit(&st->check_reason, RLX) == CHECK_PEER_DOWN;
	if (!keep)
		atomic_store_explicit(&st->check_reason, (int)o->result, RLX);
	atomic_store_explicit(&st->check_code, o->code, RLX);
	atomic_store_explicit(&st->check_dur_ms, (o->duration_us + 999) / 1000, RLX);
	if (!ok)
		atomic_fetch_add_explicit(&st->chkfail, 1, RLX);
	enum hs to = hs_handlers[from](st, c, ok, first);
	return to != from && hs_transition(s, to);
}

int health_apply_passive(struct server *s)
{
	const struct check_conf *c = &s->be->conf.check;
	struct server_state *st = s->st;
	if (!c->enabled || !c->passive_fall || !atomic_load_explicit(&st->up, RLX))
		return 0;
	if (atomic_load_explicit(&st->consec_fail, RLX) < c->passive_fall)
		return 0;
	atomic_store_explicit(&st->check_health, 0, RLX);
	atomic_store_explicit(&st->check_reason, CHECK_PASSIVE, RLX);
	atomic_store_explicit(&st->check_code, 0, RLX);
	return hs_transition(s, HS_DOWN);
}

int health_apply_peer_down(struct server *s)
{
	struct server_state *st = s->st;
	if (!s->be->conf.check.enabled || !atomic_load_explicit(&st->up, RLX))
		return 0;
	atomic_store_explicit(&st->check_health, 0, RLX);
	atomic_store_explicit(&st->check_reason, CHECK_PEER_DOWN, RLX);
	atomic_store_explicit(&st->check_code, 0, RLX);
	if (!hs_transition(s, HS_DOWN))
		return 0;
	atomic_fetch_add_explicit(&st->peerdown, 1, RLX);
	return 1;
}

uint32_t health_next_delay_ms(const struct server *s)
{
	const struct check_conf *c = &s->be->conf.check;
	int up = atomic_load_explicit(&s->st->up, RLX);
	int h = atomic_load_explicit(&s->st->check_health, RLX);
	int changing = up ? h < max_health(c) : h > 0;
	if (changing && c->fastinter_ms)
		return c->fastinter_ms;
	if (!up && c->downinter_ms)
		return c->downinter_ms;
	return c->interval_ms;
}

/* ---- the checker thread ------------------------------------------------------- */

struct health_slot {
	struct health *h;
	struct server *s;
	ev_timer timer;
	struct check *inflight;
};

struct health {
	struct lbd_config *cfg;
	health_event_fn event;
	struct ev_loop *loop;
	pthread_t thread;
	ev_async stop;
	ev_timer passive;
	int n;
	struct health_slot *slots;
};

static void slot_schedule(struct health_slot *sl, uint32_t ms)
{
	ev_timer_stop(sl->h->loop, &sl->timer);
	ev_timer_set(&sl->timer, (double)ms / 1000., 0.);
	ev_timer_start(sl->h->loop, &sl->timer);
}

/* The one log line (and control-socket event) of a transition. */
static void log_transition(const struct health *h, const struct server *s, const char *why)
{
	const struct backend *be = s->be;
	int n_up = 0;
	for (int i = 0; i < be->nservers; i++)
		n_up += model_server_usable(&be->servers[i]);
	int up = atomic_load_explicit(&s->st->up, RLX);
	log_msg(up ? LOG_NOTICE : LOG_WARNING, "server %s/%s is %s: %s; %d of %d usable in backend %s",
		be->conf.name, s->conf.name, hs_names[up ? HS_UP : HS_DOWN], why, n_up, be->nservers,
		be->conf.name);
	if (!h->event)
		return;
	struct buf j = BUF_INIT;
	char path[2 * MODEL_NAME_MAX + 2];
	int reason = atomic_load_explicit(&s->st->check_reason, RLX);
	snprintf(path, sizeof(path), "%s/%s", be->conf.name, s->conf.name);
	buf_puts(&j, "{\"event\":\"server\",\"server\":");
	json_string(&j, path);
	buf_printf(&j, ",\"state\":\"%s\",\"was\":\"%s\",\"reason\":", hs_names[up ? HS_UP : HS_DOWN],
		   hs_names[up ? HS_DOWN : HS_UP]);
	json_string(&j, (unsigned)reason < CHECK_REASON_COUNT ? check_reason_names[reason] : "?");
	buf_printf(&j, ",\"code\":%d,\"usable\":%d,\"servers\":%d}",
		   atomic_load_explicit(&s->st->check_code, RLX), n_up, be->nservers);
	h->event(buf_cstr(&j));
	buf_free(&j);
}

static void slot_check_done(void *arg, const struct check_outcome *o)
{
	struct health_slot *sl = arg;
	sl->inflight = NULL;
	if (health_apply_result(sl->s, o)) {
		char why[160];
		if (o->code)
			snprintf(why, sizeof(why), "%s, status %d, check took %u ms",
				 check_reason_names[o->result], o->code, o->duration_us / 1000);
		else
			snprintf(why, sizeof(why), "%s, check took %u ms",
				 check_reason_names[o->result], o->duration_us / 1000);
		log_transition(sl->h, sl->s, why);
	}
	slot_schedule(sl, health_next_delay_ms(sl->s));
}

static void slot_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct health_slot *sl = w->data;
	(void)revents;
	/* Servers in maintenance are not checked (HAProxy does the same); their
	 * state is kept as it was. */
	if (atomic_load_explicit(&sl->s->st->admin, RLX) == SERVER_MAINT) {
		slot_schedule(sl, sl->s->be->conf.check.interval_ms);
		return;
	}
	/* tls towards this server: the check too (issue 16) */
	sl->inflight = check_start(loop, &sl->s->be->conf.check, &sl->s->conf.addr, sl->s->tls, slot_check_done, sl);
	if (!sl->inflight)
		slot_schedule(sl, sl->s->be->conf.check.interval_ms); /* out of memory: later */
}

static void passive_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct health *h = w->data;
	(void)loop;
	(void)revents;
	for (int i = 0; i < h->n; i++) {
		struct health_slot *sl = &h->slots[i];
		if (!health_apply_passive(sl->s))
			continue;
		char why[96];
		snprintf(why, sizeof(why), "passive check, %u connect failures in a row",
			 atomic_load_explicit(&sl->s->st->consec_fail, RLX));
		log_transition(h, sl->s, why);
		/* Probe it again soon rather than a whole interval later. */
		if (!sl->inflight)
			slot_schedule(sl, health_next_delay_ms(sl->s));
	}
}

static void stop_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static void *health_thread(void *arg)
{
	struct health *h = arg;
	ev_run(h->loop, 0);
	return NULL;
}

static int count_checked(const struct lbd_config *cfg, int *any_passive)
{
	int n = 0;
	for (int i = 0; i < cfg->nbackends; i++) {
		const struct backend *be = &cfg->backends[i];
		if (!be->conf.check.enabled)
			continue;
		n += be->nservers;
		*any_passive |= be->conf.check.passive_fall > 0;
	}
	return n;
}

/* Spreads the first checks over one interval so that servers are not all
 * probed at once; a server that starts down is probed within 200 ms, since
 * it gets no traffic until then. */
static void add_slots(struct health *h)
{
	int total = h->n, k = 0;
	h->n = 0;
	for (int i = 0; i < h->cfg->nbackends; i++) {
		struct backend *be = &h->cfg->backends[i];
		const struct check_conf *c = &be->conf.check;
		if (!c->enabled)
			continue;
		for (int j = 0; j < be->nservers; j++, k++) {
			struct health_slot *sl = &h->slots[h->n++];
			sl->h = h;
			sl->s = &be->servers[j];
			ev_timer_init(&sl->timer, slot_timer_cb, 0., 0.);
			sl->timer.data = sl;
			int fresh = atomic_load_explicit(&sl->s->st->check_reason, RLX) == CHECK_NONE;
			uint32_t first = (uint32_t)((uint64_t)c->interval_ms * (uint64_t)k / (uint64_t)total);
			if (fresh && !c->start_up)
				first = (uint32_t)(k * 200 / total);
			slot_schedule(sl, first);
		}
	}
}

struct health *health_start(struct lbd_config *cfg, health_event_fn event, char *err, size_t errlen)
{
	int any_passive = 0;
	int n = count_checked(cfg, &any_passive);
	struct health *h = calloc(1, sizeof(*h));
	if (!h)
		goto nomem;
	h->slots = calloc(n > 0 ? (size_t)n : 1, sizeof(*h->slots));
	if (!h->slots)
		goto nomem;
	h->loop = ev_loop_new(EVFLAG_AUTO);
	if (!h->loop) {
		snprintf(err, errlen, "health: cannot create an event loop");
		goto fail;
	}
	model_config_ref(cfg);
	h->cfg = cfg;
	h->event = event;
	h->n = n;
	ev_async_init(&h->stop, stop_cb);
	ev_async_start(h->loop, &h->stop);
	ev_timer_init(&h->passive, passive_cb, 0., (double)HEALTH_PASSIVE_POLL_MS / 1000.);
	h->passive.data = h;
	if (any_passive)
		ev_timer_again(h->loop, &h->passive);
	add_slots(h);
	int rc = pthread_create(&h->thread, NULL, health_thread, h);
	if (rc) {
		snprintf(err, errlen, "health: cannot start the checker thread: %s", strerror(rc));
		goto fail;
	}
	return h;
nomem:
	snprintf(err, errlen, "health: out of memory");
fail:
	if (h) {
		if (h->loop)
			ev_loop_destroy(h->loop);
		if (h->cfg)
			model_config_unref(h->cfg);
		free(h->slots);
		free(h);
	}
	return NULL;
}

void health_stop(struct health *h)
{
	if (!h)
		return;
	ev_async_send(h->loop, &h->stop);
	pthread_join(h->thread, NULL);
	for (int i = 0; i < h->n; i++) {
		check_cancel(h->slots[i].inflight);
		h->slots[i].inflight = NULL;
		ev_timer_stop(h->loop, &h->slots[i].timer);
	}
	ev_timer_stop(h->loop, &h->passive);
	ev_loop_destroy(h->loop);
	model_config_unref(h->cfg);
	free(h->slots);
	free(h);
}
