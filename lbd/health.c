#include "health.h"

#include <errno.h>
#include <ev.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mtime.h"

#define RLX memory_order_relaxed

void health_conf_default(struct health_conf *c)
{
	memset(c, 0, sizeof(*c));
	check_conf_default(&c->check);
	c->interval_ms = 2000;
	c->fastinter_ms = 2000;
	c->downinter_ms = 2000;
	c->rise = 2;
	c->fall = 3;
	c->start = HEALTH_START_DOWN;
}

void health_status_init(struct health_status *st, const struct health_conf *c)
{
	memset(st, 0, sizeof(*st));
	int up = !c->enabled || c->start == HEALTH_START_UP;
	atomic_store_explicit(&st->up, up, RLX);
	atomic_store_explicit(&st->last_change_ms, mtime_ms(), RLX);
}

void health_status_copy(struct health_status *dst, const struct health_status *src)
{
#define CP(f) atomic_store_explicit(&dst->f, atomic_load_explicit(&src->f, RLX), RLX)
	CP(up); CP(result); CP(code); CP(duration_us); CP(consec); CP(chkfail);
	CP(chkdown); CP(passive); CP(passive_downs); CP(last_change_ms); CP(downtime_ms);
	CP(checked);
#undef CP
}

uint64_t health_status_downtime_ms(const struct health_status *st, uint64_t now_ms)
{
	uint64_t d = atomic_load_explicit(&st->downtime_ms, RLX);
	if (!atomic_load_explicit(&st->up, RLX)) {
		uint64_t since = atomic_load_explicit(&st->last_change_ms, RLX);
		if (now_ms > since)
			d += now_ms - since;
	}
	return d;
}

const char *health_status_word(const struct health_status *st, const struct health_conf *c,
			       char *out, size_t outlen)
{
	if (!c->enabled) {
		snprintf(out, outlen, "no check");
		return out;
	}
	int up = atomic_load_explicit(&st->up, RLX);
	int k = atomic_load_explicit(&st->consec, RLX);
	if (k <= 0)
		snprintf(out, outlen, "%s", up ? "UP" : "DOWN");
	else if (up)
		snprintf(out, outlen, "UP %d/%d", c->fall - k, c->fall);
	else
		snprintf(out, outlen, "DOWN %d/%d", k, c->rise);
	return out;
}

/* ---- the state machine ------------------------------------------------------
 * Two states; `consec` counts results that argue for the other one.  Each
 * handler returns the state the result leads to. */

enum hs { HS_DOWN, HS_UP, HS__COUNT };
static const char *const hs_names[HS__COUNT] = { "DOWN", "UP" };

typedef enum hs (*hs_handler_fn)(struct health_status *st, const struct health_conf *c, int ok);

static enum hs hs_down(struct health_status *st, const struct health_conf *c, int ok)
{
	if (!ok) {
		atomic_store_explicit(&st->consec, 0, RLX);
		return HS_DOWN;
	}
	/* A server that starts down takes traffic as soon as its first check
	 * passes; later it has to pass `rise` checks in a row. */
	int first = !atomic_load_explicit(&st->checked, RLX);
	int k = atomic_fetch_add_explicit(&st->consec, 1, RLX) + 1;
	return (first || k >= c->rise) ? HS_UP : HS_DOWN;
}

static enum hs hs_up(struct health_status *st, const struct health_conf *c, int ok)
{
	if (ok) {
		atomic_store_explicit(&st->consec, 0, RLX);
		return HS_UP;
	}
	/* A server configured to start up is trusted until its first check:
	 * if that fails it goes down at once (as HAProxy does). */
	int first = !atomic_load_explicit(&st->checked, RLX);
	int k = atomic_fetch_add_explicit(&st->consec, 1, RLX) + 1;
	return (first || k >= c->fall) ? HS_DOWN : HS_UP;
}

static const hs_handler_fn hs_handlers[HS__COUNT] = { hs_down, hs_up };

/* The one place a server changes state: counts and times it. */
static void hs_transition(struct health_status *st, enum hs to, uint64_t now_ms)
{
	uint64_t since = atomic_load_explicit(&st->last_change_ms, RLX);
	if (to == HS_UP && now_ms > since)
		atomic_fetch_add_explicit(&st->downtime_ms, now_ms - since, RLX);
	if (to == HS_DOWN)
		atomic_fetch_add_explicit(&st->chkdown, 1, RLX);
	atomic_store_explicit(&st->consec, 0, RLX);
	atomic_store_explicit(&st->last_change_ms, now_ms, RLX);
	atomic_store_explicit(&st->up, to == HS_UP, memory_order_release);
}

int health_apply_result(struct health_status *st, const struct health_conf *c,
			const struct check_outcome *o, uint64_t now_ms)
{
	int ok = o->result == CHECK_OK;
	enum hs from = atomic_load_explicit(&st->up, RLX) ? HS_UP : HS_DOWN;
	atomic_store_explicit(&st->result, (int)o->result, RLX);
	atomic_store_explicit(&st->code, o->code, RLX);
	atomic_store_explicit(&st->duration_us, o->duration_us, RLX);
	if (!ok)
		atomic_fetch_add_explicit(&st->chkfail, 1, RLX);
	enum hs to = hs_handlers[from](st, c, ok);
	atomic_store_explicit(&st->checked, 1, RLX);
	if (to == from)
		return 0;
	hs_transition(st, to, now_ms);
	if (to == HS_UP)
		atomic_store_explicit(&st->passive, 0, RLX);
	return 1;
}

uint32_t health_next_delay_ms(const struct health_status *st, const struct health_conf *c)
{
	if (atomic_load_explicit(&st->consec, RLX) > 0)
		return c->fastinter_ms ? c->fastinter_ms : c->interval_ms;
	if (!atomic_load_explicit(&st->up, RLX))
		return c->downinter_ms ? c->downinter_ms : c->interval_ms;
	return c->interval_ms;
}

/* ---- the checker thread ------------------------------------------------------- */

struct health_slot {
	struct health *h;
	struct health_target t;
	ev_timer timer;
	struct check *inflight;
};

struct health {
	struct ev_loop *loop;
	pthread_t thread;
	ev_async wake;     /* passive reports */
	ev_async stop;
	int n;
	struct health_slot *slots;
};

static void slot_schedule(struct health_slot *s, uint32_t ms)
{
	ev_timer_stop(s->h->loop, &s->timer);
	ev_timer_set(&s->timer, (double)ms / 1000., 0.);
	ev_timer_start(s->h->loop, &s->timer);
}

static void slot_log_transition(const struct health_slot *s, int up, const char *why)
{
	int n_up = 0, n_same = 0;
	for (int i = 0; i < s->h->n; i++) {
		const struct health_slot *o = &s->h->slots[i];
		if (strcmp(o->t.backend, s->t.backend))
			continue;
		n_same++;
		n_up += atomic_load_explicit(&o->t.st->up, RLX);
	}
	log_msg(up ? LOG_NOTICE : LOG_WARNING, "server %s/%s is %s: %s; %d of %d up in backend %s",
		s->t.backend, s->t.server, hs_names[up ? HS_UP : HS_DOWN], why, n_up, n_same,
		s->t.backend);
}

static void slot_check_done(void *arg, const struct check_outcome *o)
{
	struct health_slot *s = arg;
	s->inflight = NULL;
	if (health_apply_result(s->t.st, s->t.conf, o, mtime_ms())) {
		char why[160];
		if (o->result == CHECK_BAD_STATUS || o->result == CHECK_OK)
			snprintf(why, sizeof(why), "%s, status %d, check took %u ms",
				 check_result_name(o->result), o->code, o->duration_us / 1000);
		else
			snprintf(why, sizeof(why), "%s, check took %u ms",
				 check_result_name(o->result), o->duration_us / 1000);
		slot_log_transition(s, atomic_load_explicit(&s->t.st->up, RLX), why);
	}
	slot_schedule(s, health_next_delay_ms(s->t.st, s->t.conf));
}

static void slot_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct health_slot *s = w->data;
	(void)revents;
	if (s->inflight)
		return; /* cannot happen: the timer is re-armed only when a check ends */
	s->inflight = check_start(loop, &s->t.conf->check, &s->t.addr, slot_check_done, s);
	if (!s->inflight)
		slot_schedule(s, s->t.conf->interval_ms); /* out of memory: try later */
}

static void wake_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct health *h = w->data;
	(void)loop;
	(void)revents;
	for (int i = 0; i < h->n; i++) {
		struct health_slot *s = &h->slots[i];
		struct health_status *st = s->t.st;
		uint32_t lim = s->t.conf->passive_fails;
		if (!lim || !atomic_load_explicit(&st->up, RLX))
			continue;
		unsigned fails = atomic_load_explicit(&st->passive, RLX);
		if (fails < lim)
			continue;
		hs_transition(st, HS_DOWN, mtime_ms());
		atomic_fetch_add_explicit(&st->passive_downs, 1, RLX);
		char why[96];
		snprintf(why, sizeof(why), "passive check, %u connect failures in a row", fails);
		slot_log_transition(s, 0, why);
		/* Probe it again soon rather than a whole interval later. */
		if (!s->inflight)
			slot_schedule(s, health_next_delay_ms(st, s->t.conf));
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

void health_passive_report(struct health *h, struct health_status *st,
			   const struct health_conf *c, int ok)
{
	if (ok) {
		/* Read first: a store per request would bounce the cache line. */
		if (atomic_load_explicit(&st->passive, RLX))
			atomic_store_explicit(&st->passive, 0, RLX);
		return;
	}
	if (!c->enabled || !c->passive_fails)
		return;
	unsigned n = atomic_fetch_add_explicit(&st->passive, 1, RLX) + 1;
	if (n == c->passive_fails && h)
		ev_async_send(h->loop, &h->wake);
}

struct health *health_start(const struct health_target *targets, int n, char *err, size_t errlen)
{
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
	ev_async_init(&h->wake, wake_cb);
	h->wake.data = h;
	ev_async_start(h->loop, &h->wake);
	ev_async_init(&h->stop, stop_cb);
	ev_async_start(h->loop, &h->stop);

	/* Spread the first checks of each backend over one interval, so that
	 * servers are not all probed at the same instant. */
	int nchk = 0;
	for (int i = 0; i < n; i++)
		nchk += targets[i].conf->enabled;
	int k = 0;
	for (int i = 0; i < n; i++) {
		struct health_slot *s = &h->slots[h->n];
		if (!targets[i].conf->enabled)
			continue;
		s->h = h;
		s->t = targets[i];
		ev_timer_init(&s->timer, slot_timer_cb, 0., 0.);
		s->timer.data = s;
		uint32_t first = (uint32_t)((uint64_t)s->t.conf->interval_ms * (uint64_t)k / (uint64_t)nchk);
		/* A server that starts down is probed at once: it gets no traffic until then. */
		if (s->t.conf->start == HEALTH_START_DOWN)
			first = (uint32_t)(k * 10 % 200);
		slot_schedule(s, first);
		k++;
		h->n++;
	}
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
	ev_loop_destroy(h->loop);
	free(h->slots);
	free(h);
}
