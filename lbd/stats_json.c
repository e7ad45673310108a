/* stats_json: /stats;json and the control socket's "show stat": one object
 * with the process, the VRRP panel, frontends, and backends with their
 * servers.  Names are lbd's own (HAProxy's typed JSON is not something
 * tools depend on the way they depend on its CSV). */
#include <inttypes.h>
#include <stdio.h>

#include "buf.h"
#include "json.h"
#include "stats.h"

static int kv_str(struct buf *b, const char *k, const char *v, int comma)
{
	int rc = buf_printf(b, "%s\"%s\":", comma ? "," : "", k);
	return rc ? rc : json_string(b, v);
}

static int kv_u(struct buf *b, const char *k, uint64_t v)
{
	return buf_printf(b, ",\"%s\":%" PRIu64, k, v);
}

static int kv_i(struct buf *b, const char *k, int64_t v)
{
	return buf_printf(b, ",\"%s\":%" PRId64, k, v);
}

static int counters(struct buf *b, const struct stats_counters *c)
{
	int rc = buf_printf(b, ",\"sessions\":{\"cur\":%" PRIu64 ",\"max\":%" PRIu64 ",\"total\":%" PRIu64
			    ",\"limit\":%" PRIu64 "}", c->scur, c->smax, c->stot, c->slim);
	rc = rc || buf_printf(b, ",\"queue\":{\"cur\":%" PRIu64 ",\"max\":%" PRIu64 ",\"timeouts\":%" PRIu64 "}",
			      c->qcur, c->qmax, c->qtimeouts);
	rc = rc || kv_u(b, "requests", c->req_tot);
	rc = rc || kv_u(b, "rate", c->rate);
	rc = rc || kv_u(b, "rate_max", c->rate_max);
	rc = rc || kv_u(b, "bytes_in", c->bin);
	rc = rc || kv_u(b, "bytes_out", c->bout);
	rc = rc || kv_u(b, "spliced_bytes_in", c->zin);
	rc = rc || kv_u(b, "spliced_bytes_out", c->zout);
	rc = rc || buf_printf(b, ",\"responses\":{\"1xx\":%" PRIu64 ",\"2xx\":%" PRIu64 ",\"3xx\":%" PRIu64
			      ",\"4xx\":%" PRIu64 ",\"5xx\":%" PRIu64 ",\"other\":%" PRIu64 "}",
			      c->hrsp[1], c->hrsp[2], c->hrsp[3], c->hrsp[4], c->hrsp[5], c->hrsp[0]);
	rc = rc || buf_printf(b, ",\"errors\":{\"request\":%" PRIu64 ",\"connect\":%" PRIu64
			      ",\"response\":%" PRIu64 ",\"denied\":%" PRIu64 ",\"timeouts\":%" PRIu64 "}",
			      c->ereq, c->econ, c->eresp, c->dcon, c->timeouts);
	rc = rc || kv_u(b, "retries", c->wretr);
	rc = rc || kv_u(b, "redispatches", c->wredis);
	rc = rc || kv_i(b, "last_request_s", c->lastsess_s);
	rc = rc || kv_u(b, "response_time_avg_us", c->rt_avg_us);
	uint64_t p50 = stats_rt_quantile_us(c, 0.5), p99 = stats_rt_quantile_us(c, 0.99);
	rc = rc || buf_printf(b, ",\"response_time_p50_le_us\":");
	rc = rc || (p50 == UINT64_MAX ? buf_puts(b, "null") : buf_printf(b, "%" PRIu64, p50));
	rc = rc || buf_printf(b, ",\"response_time_p99_le_us\":");
	rc = rc || (p99 == UINT64_MAX ? buf_puts(b, "null") : buf_printf(b, "%" PRIu64, p99));
	rc = rc || buf_puts(b, ",\"response_time_hist\":[");
	for (int i = 0; !rc && i < STATS_RT_BUCKETS; i++) {
		if (i < STATS_RT_BUCKETS - 1)
			rc = buf_printf(b, "%s{\"le_us\":%" PRIu64 ",\"n\":%" PRIu64 "}", i ? "," : "",
					stats_rt_bounds_us[i], c->rt_hist[i]);
		else
			rc = buf_printf(b, ",{\"le_us\":null,\"n\":%" PRIu64 "}", c->rt_hist[i]);
	}
	return rc || buf_puts(b, "]");
}

static int server(struct buf *b, const struct stats_server *v)
{
	int rc = kv_str(b, "name", v->name, 0);
	rc = rc || kv_str(b, "addr", v->addr, 1);
	rc = rc || kv_str(b, "status", v->status, 1);
	rc = rc || kv_str(b, "state", stats_srv_state_name(v->state), 1);
	rc = rc || kv_i(b, "up", v->up);
	rc = rc || kv_u(b, "weight", v->weight);
	rc = rc || buf_printf(b, ",\"backup\":%s", v->backup ? "true" : "false");
	if (v->check_enabled) {
		rc = rc || buf_puts(b, ",\"check\":{");
		rc = rc || kv_str(b, "result", v->check_reason_name, 0);
		rc = rc || kv_str(b, "status", v->check_status, 1);
		rc = rc || kv_i(b, "code", v->check_code);
		rc = rc || kv_u(b, "duration_ms", v->check_dur_ms);
		rc = rc || kv_i(b, "health", v->check_health);
		rc = rc || kv_i(b, "rise", v->rise);
		rc = rc || kv_i(b, "fall", v->fall);
		rc = rc || kv_u(b, "failures", v->chkfail);
		rc = rc || kv_u(b, "downs", v->chkdown);
		rc = rc || kv_u(b, "peer_downs", v->peerdown);
		rc = rc || buf_puts(b, "}");
	} else {
		rc = rc || buf_puts(b, ",\"check\":null");
	}
	rc = rc || kv_i(b, "last_change_s", v->lastchg_s);
	rc = rc || kv_u(b, "downtime_s", v->downtime_s);
	return rc || counters(b, &v->c);
}

static int backend(struct buf *b, const struct stats_backend *be)
{
	int rc = kv_str(b, "name", be->name, 0);
	rc = rc || kv_str(b, "status", be->up ? "UP" : "DOWN", 1);
	rc = rc || kv_str(b, "algo", be->algo, 1);
	rc = rc || kv_str(b, "check", be->check, 1);
	rc = rc || kv_i(b, "active_up", be->nactive_up);
	rc = rc || kv_i(b, "backup_up", be->nbackup_up);
	rc = rc || kv_u(b, "weight", be->weight);
	rc = rc || kv_u(b, "downs", be->chkdown);
	rc = rc || kv_u(b, "downtime_s", be->downtime_s);
	rc = rc || counters(b, &be->c);
	rc = rc || buf_puts(b, ",\"servers\":[");
	for (int i = 0; !rc && i < be->nservers; i++) {
		rc = buf_puts(b, i ? ",{" : "{");
		rc = rc || server(b, &be->servers[i]);
		rc = rc || buf_puts(b, "}");
	}
	return rc || buf_puts(b, "]");
}

/* The instance's BFD sessions, one object each (none: []). */
static int vrrp_bfd(struct buf *b, const struct stats_vrrp_instance *in)
{
	int rc = buf_puts(b, ",\"bfd\":[");
	for (int k = 0; !rc && k < in->nbfd; k++) {
		const struct stats_vrrp_bfd *f = &in->bfd[k];
		rc = buf_puts(b, k ? ",{" : "{");
		rc = rc || kv_str(b, "peer", f->peer, 0);
		rc = rc || kv_str(b, "state", f->state, 1);
		rc = rc || kv_str(b, "remote_state", f->remote_state, 1);
		rc = rc || kv_str(b, "diag", f->diag, 1);
		rc = rc || kv_str(b, "auth", f->auth, 1);
		rc = rc || kv_u(b, "tx_interval_us", f->tx_interval_us);
		rc = rc || kv_u(b, "detect_time_us", f->detect_time_us);
		rc = rc || kv_u(b, "transitions", f->transitions);
		rc = rc || buf_puts(b, "}");
	}
	return rc || buf_puts(b, "]");
}

static int vrrp(struct buf *b, const struct stats_vrrp *v)
{
	int rc = buf_printf(b, ",\"vrrp\":{\"available\":%s", v->available ? "true" : "false");
	if (!v->available)
		rc = rc || kv_str(b, "error", v->error, 1);
	rc = rc || buf_puts(b, ",\"instances\":[");
	for (int i = 0; !rc && i < v->n; i++) {
		const struct stats_vrrp_instance *in = &v->inst[i];
		rc = buf_puts(b, i ? ",{" : "{");
		rc = rc || kv_str(b, "name", in->name, 0);
		rc = rc || kv_str(b, "state", in->state, 1);
		rc = rc || kv_i(b, "priority", in->priority);
		rc = rc || kv_i(b, "effective_priority", in->effective_priority);
		rc = rc || kv_str(b, "vips", in->vips, 1);
		rc = rc || kv_str(b, "master", in->master, 1);
		rc = rc || kv_str(b, "last_transition", in->last_transition, 1);
		rc = rc || vrrp_bfd(b, in);
		rc = rc || buf_puts(b, "}");
	}
	return rc || buf_puts(b, "]}");
}

int stats_json_render(const struct stats_snapshot *s, struct buf *b)
{
	int rc = buf_puts(b, "{\"lbd\":{");
	rc = rc || kv_str(b, "version", s->version, 0);
	rc = rc || kv_str(b, "node", s->node, 1);
	rc = rc || kv_i(b, "pid", s->pid);
	rc = rc || kv_u(b, "uptime_s", s->uptime_s);
	rc = rc || kv_u(b, "generation", s->generation);
	rc = rc || kv_i(b, "workers", s->nworkers);
	rc = rc || kv_u(b, "log_sent", s->log_sent);
	rc = rc || kv_u(b, "log_dropped", s->log_dropped);
	rc = rc || buf_printf(b, ",\"alive\":%s}", s->alive ? "true" : "false");
	rc = rc || vrrp(b, &s->vrrp);
	rc = rc || buf_puts(b, ",\"frontends\":[");
	for (int i = 0; !rc && i < s->nfrontends; i++) {
		const struct stats_frontend *f = &s->frontends[i];
		rc = buf_puts(b, i ? ",{" : "{");
		rc = rc || kv_str(b, "name", f->name, 0);
		rc = rc || kv_str(b, "bind", f->bind, 1);
		rc = rc || kv_str(b, "backend", f->backend, 1);
		rc = rc || counters(b, &f->c);
		rc = rc || stats_tls_json(&f->tls, b);
		rc = rc || buf_puts(b, "}");
	}
	rc = rc || buf_puts(b, "],\"backends\":[");
	for (int i = 0; !rc && i < s->nbackends; i++) {
		rc = buf_puts(b, i ? ",{" : "{");
		rc = rc || backend(b, &s->backends[i]);
		rc = rc || buf_puts(b, "}");
	}
	rc = rc || buf_puts(b, "]}");
	return rc ? -1 : 0;
}
