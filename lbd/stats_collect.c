/* stats_collect: the running configuration and its runtime state (model.h)
 * -> struct stats_snapshot.  Reads atomics relaxed: a snapshot is a few
 * microseconds wide, which no reader of a stats page can tell.
 *
 * Rates ("requests in the last second") come from a sampler the stats
 * thread runs once a second, keyed by the counters' address (runtime state
 * survives reloads, so the key does too). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "health.h"
#include "model.h"
#include "mtime.h"
#include "stats.h"

#define RLX memory_order_relaxed
#define RATES_MAX 1024

struct rate_slot {
	const struct lbd_counters *key;
	uint64_t last_total, last_ms;
	uint64_t rate, rate_max;
	uint64_t seen;  /* sampling round that last saw it */
};

struct stats_rates {
	struct rate_slot slot[RATES_MAX];
	int n;
	uint64_t round;
};

struct stats_rates *stats_rates_new(void)
{
	return calloc(1, sizeof(struct stats_rates));
}

void stats_rates_free(struct stats_rates *r)
{
	free(r);
}

static struct rate_slot *rate_find(const struct stats_rates *r, const struct lbd_counters *c)
{
	for (int i = 0; i < r->n; i++)
		if (r->slot[i].key == c)
			return (struct rate_slot *)&r->slot[i];
	return NULL;
}

static void rate_sample_one(struct stats_rates *r, const struct lbd_counters *c, uint64_t now_ms)
{
	uint64_t total = model_cnt_get(&c->req_total);
	struct rate_slot *s = rate_find(r, c);
	if (!s) {
		if (r->n == RATES_MAX)
			return;
		s = &r->slot[r->n++];
		memset(s, 0, sizeof(*s));
		s->key = c;
		s->last_total = total;
		s->last_ms = now_ms;
	} else if (now_ms > s->last_ms) {
		uint64_t d = total - s->last_total;
		s->rate = d * 1000 / (now_ms - s->last_ms);
		if (s->rate > s->rate_max)
			s->rate_max = s->rate;
		s->last_total = total;
		s->last_ms = now_ms;
	}
	s->seen = r->round;
}

void stats_rates_sample(struct stats_rates *r, const struct lbd_config *cfg, uint64_t now_ms)
{
	r->round++;
	for (int i = 0; i < cfg->nfrontends; i++)
		rate_sample_one(r, &cfg->frontends[i].st->cnt, now_ms);
	for (int i = 0; i < cfg->nbackends; i++) {
		const struct backend *be = &cfg->backends[i];
		rate_sample_one(r, &be->st->cnt, now_ms);
		for (int j = 0; j < be->nservers; j++)
			rate_sample_one(r, &be->servers[j].st->cnt, now_ms);
	}
	/* Forget objects a reload removed (their memory may be reused). */
	for (int i = 0; i < r->n;) {
		if (r->slot[i].seen != r->round)
			r->slot[i] = r->slot[--r->n];
		else
			i++;
	}
}

static void counters(struct stats_counters *o, const struct lbd_counters *c, const struct stats_rates *r,
		     uint64_t now_wall_ms)
{
	memset(o, 0, sizeof(*o));
	o->scur = model_cnt_get(&c->sess_cur);
	o->smax = model_cnt_get(&c->sess_max);
	o->stot = model_cnt_get(&c->sess_total);
	o->req_tot = model_cnt_get(&c->req_total);
	o->bin = model_cnt_get(&c->bytes_in);
	o->bout = model_cnt_get(&c->bytes_out);
	o->zin = model_cnt_get(&c->spliced_in);
	o->zout = model_cnt_get(&c->spliced_out);
	for (int k = 0; k < 6; k++)
		o->hrsp[k] = model_cnt_get(&c->resp[k]);
	o->ereq = model_cnt_get(&c->err_req);
	o->econ = model_cnt_get(&c->err_conn);
	o->eresp = model_cnt_get(&c->err_resp);
	o->wretr = model_cnt_get(&c->retries);
	o->wredis = model_cnt_get(&c->redispatches);
	o->dcon = model_cnt_get(&c->denied_conn);
	o->timeouts = model_cnt_get(&c->timeouts);
	o->qcur = model_cnt_get(&c->q_cur);
	o->qmax = model_cnt_get(&c->q_max);
	o->qtimeouts = model_cnt_get(&c->q_timeouts);
	uint64_t last = model_cnt_get(&c->last_sess_ms);
	o->lastsess_s = last ? (int64_t)(now_wall_ms > last ? (now_wall_ms - last) / 1000 : 0) : -1;
	o->rt_sum_us = model_cnt_get(&c->rt_sum_us);
	o->rt_count = model_cnt_get(&c->rt_count);
	o->rt_avg_us = o->rt_count ? o->rt_sum_us / o->rt_count : 0;
	for (int k = 0; k < STATS_RT_BUCKETS && k <= MODEL_RT_BUCKETS; k++)
		o->rt_hist[k] = model_cnt_get(&c->rt_hist[k]);
	const struct rate_slot *s = r ? rate_find(r, c) : NULL;
	if (s) {
		o->rate = s->rate;
		o->rate_max = s->rate_max;
	}
}

static void server(struct stats_server *v, const struct server *s, int iid, const struct stats_rates *r,
		   uint64_t now)
{
	const struct server_state *st = s->st;
	const struct check_conf *ck = &s->be->conf.check;
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", s->conf.name);
	addr_format(&s->conf.addr, v->addr, sizeof(v->addr));
	v->iid = iid;
	v->sid = s->id + 1;
	v->up = atomic_load_explicit(&st->up, RLX);
	v->check_enabled = ck->enabled;
	v->weight = atomic_load_explicit(&st->weight, RLX);
	v->backup = s->conf.backup;
	int admin = atomic_load_explicit(&st->admin, RLX);
	char word[24];
	health_status_word(s, word, sizeof(word));
	/* HAProxy's precedence: MAINT, then the health (a down server shows
	 * DOWN even when draining), then DRAIN. */
	if (admin == SERVER_MAINT) {
		v->state = STATS_SRV_MAINT;
		snprintf(v->status, sizeof(v->status), "MAINT");
	} else if (!v->up) {
		v->state = STATS_SRV_DOWN;
		snprintf(v->status, sizeof(v->status), "%s", word);
	} else if (admin == SERVER_DRAIN) {
		v->state = STATS_SRV_DRAIN;
		snprintf(v->status, sizeof(v->status), "DRAIN");
	} else {
		v->state = STATS_SRV_UP;
		snprintf(v->status, sizeof(v->status), "%s", word);
	}
	int reason = atomic_load_explicit(&st->check_reason, RLX);
	if ((unsigned)reason >= CHECK_REASON_COUNT)
		reason = CHECK_NONE;
	v->check_reason = reason;
	v->check_code = atomic_load_explicit(&st->check_code, RLX);
	v->check_dur_ms = atomic_load_explicit(&st->check_dur_ms, RLX);
	v->check_health = atomic_load_explicit(&st->check_health, RLX);
	v->rise = (int)ck->rise;
	v->fall = (int)ck->fall;
	if (ck->enabled) {
		snprintf(v->check_status, sizeof(v->check_status), "%s", check_reason_haproxy(reason));
		snprintf(v->check_desc, sizeof(v->check_desc), "%s", check_reason_haproxy_desc(reason));
		snprintf(v->check_reason_name, sizeof(v->check_reason_name), "%s", check_reason_names[reason]);
	}
	uint64_t last = atomic_load_explicit(&st->last_change_ms, RLX);
	v->lastchg_s = last && now > last ? (int64_t)((now - last) / 1000) : 0;
	uint64_t down = atomic_load_explicit(&st->downtime_ms, RLX);
	if (!v->up && last && now > last)
		down += now - last;
	v->downtime_s = down / 1000;
	v->chkfail = atomic_load_explicit(&st->chkfail, RLX);
	v->chkdown = atomic_load_explicit(&st->chkdown, RLX);
	v->peerdown = atomic_load_explicit(&st->peerdown, RLX);
	counters(&v->c, &st->cnt, r, now);
	v->c.slim = s->conf.maxconn;
}

static int backend(struct stats_backend *b, const struct backend *be, int iid, const struct stats_rates *r,
		   uint64_t now)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->name, sizeof(b->name), "%s", be->conf.name);
	snprintf(b->algo, sizeof(b->algo), "roundrobin");
	const struct check_conf *ck = &be->conf.check;
	if (ck->enabled) {
		char ex[64];
		snprintf(b->check, sizeof(b->check), "%s %.100s expect %s every %u ms, rise %u, fall %u%s",
			 ck->method, ck->path, check_expect_format(ck, ex, sizeof(ex)), ck->interval_ms, ck->rise,
			 ck->fall, ck->passive_fall ? ", passive" : "");
	} else {
		snprintf(b->check, sizeof(b->check), "no check");
	}
	b->iid = iid;
	b->servers = calloc(be->nservers > 0 ? (size_t)be->nservers : 1, sizeof(*b->servers));
	if (!b->servers)
		return -ENOMEM;
	b->nservers = be->nservers;
	b->lastchg_s = -1;
	for (int j = 0; j < be->nservers; j++) {
		struct stats_server *v = &b->servers[j];
		server(v, &be->servers[j], iid, r, now);
		int usable = v->up && v->state != STATS_SRV_MAINT && v->weight > 0;
		if (usable && !v->backup) {
			b->nactive_up++;
			b->weight += v->weight;
		} else if (usable) {
			b->nbackup_up++;
		}
		b->chkdown += v->chkdown;
		if (b->lastchg_s < 0 || v->lastchg_s < b->lastchg_s)
			b->lastchg_s = v->lastchg_s;
	}
	b->up = b->nactive_up + b->nbackup_up > 0;
	counters(&b->c, &be->st->cnt, r, now);
	return 0;
}

int stats_collect(const struct lbd_config *cfg, const struct stats_rates *r, struct stats_snapshot *out)
{
	uint64_t now = mtime_wall_ms();
	out->frontends = calloc(cfg->nfrontends > 0 ? (size_t)cfg->nfrontends : 1, sizeof(*out->frontends));
	out->backends = calloc(cfg->nbackends > 0 ? (size_t)cfg->nbackends : 1, sizeof(*out->backends));
	if (!out->frontends || !out->backends)
		goto nomem;
	out->generation = cfg->generation;
	out->wall_ms = now;
	out->refresh_s = (cfg->g.stats.refresh_ms + 999) / 1000;
	for (int i = 0; i < cfg->nfrontends; i++) {
		const struct frontend *fe = &cfg->frontends[i];
		struct stats_frontend *f = &out->frontends[i];
		char a[ADDR_STRLEN];
		snprintf(f->name, sizeof(f->name), "%s", fe->conf.name);
		snprintf(f->backend, sizeof(f->backend), "%s", fe->conf.backend);
		f->iid = i + 1;
		if (fe->conf.nbinds > 1)
			snprintf(f->bind, sizeof(f->bind), "%s +%d", addr_format(&fe->conf.binds[0], a, sizeof(a)),
				 fe->conf.nbinds - 1);
		else if (fe->conf.nbinds == 1)
			snprintf(f->bind, sizeof(f->bind), "%s", addr_format(&fe->conf.binds[0], a, sizeof(a)));
		counters(&f->c, &fe->st->cnt, r, now);
		f->c.slim = fe->conf.maxconn ? fe->conf.maxconn : cfg->g.maxconn;
		stats_tls_collect(fe, &f->tls);
		out->nfrontends++;
	}
	for (int i = 0; i < cfg->nbackends; i++) {
		if (backend(&out->backends[i], &cfg->backends[i], cfg->nfrontends + i + 1, r, now))
			goto nomem;
		out->nbackends++;
	}
	return 0;
nomem:
	stats_snapshot_free(out);
	return -ENOMEM;
}
