/* stats_prom: /metrics in the Prometheus text format (0.0.4).  Metric and
 * label names are HAProxy 2.6's built-in exporter's wherever HAProxy has the
 * metric (haproxy_server_status{proxy,server,state}...), so dashboards made
 * for HAProxy keep working; what HAProxy lacks is under lbd_ (response-time
 * histograms, process) and vrrp_ (the VRRP panel, read from vrrpd). */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "stats.h"

/* A counter or gauge read straight from struct stats_counters. */
struct cfield {
	const char *suffix;
	const char *type;
	const char *help;
	size_t off;
};

#define CF(sfx, ty, field, hlp) { sfx, ty, hlp, offsetof(struct stats_counters, field) }

static const struct cfield fe_fields[] = {
	CF("current_sessions", "gauge", scur, "Number of current sessions on the frontend, backend or server"),
	CF("max_sessions", "gauge", smax, "Highest value of current sessions encountered since process started"),
	CF("limit_sessions", "gauge", slim, "Frontend/listener/server's maxconn, backend's fullconn"),
	CF("sessions_total", "counter", stot, "Total number of sessions since process started"),
	CF("connections_total", "counter", stot, "Total number of new connections accepted on this frontend since the worker process started"),
	CF("bytes_in_total", "counter", bin, "Total number of request bytes since process started"),
	CF("bytes_out_total", "counter", bout, "Total number of response bytes since process started"),
	CF("request_errors_total", "counter", ereq, "Total number of invalid requests since process started"),
	CF("denied_connections_total", "counter", dcon, "Total number of incoming connections refused by maxconn since the worker process started"),
	CF("http_requests_total", "counter", req_tot, "Total number of HTTP requests processed by this object since the worker process started"),
	CF("http_requests_rate_max", "gauge", rate_max, "Highest value of http requests observed since the worker process started"),
};

static const struct cfield be_fields[] = {
	CF("current_queue", "gauge", qcur, "Number of current queued connections"),
	CF("max_queue", "gauge", qmax, "Highest value of queued connections encountered since process started"),
	CF("current_sessions", "gauge", scur, "Number of current sessions on the frontend, backend or server"),
	CF("max_sessions", "gauge", smax, "Highest value of current sessions encountered since process started"),
	CF("sessions_total", "counter", stot, "Total number of sessions since process started"),
	CF("loadbalanced_total", "counter", stot, "Total number of requests routed by load balancing since the worker process started"),
	CF("bytes_in_total", "counter", bin, "Total number of request bytes since process started"),
	CF("bytes_out_total", "counter", bout, "Total number of response bytes since process started"),
	CF("connection_errors_total", "counter", econ, "Total number of failed connections to server since the worker process started"),
	CF("response_errors_total", "counter", eresp, "Total number of invalid responses since the worker process started"),
	CF("retry_warnings_total", "counter", wretr, "Total number of server connection retries since the worker process started"),
	CF("redispatch_warnings_total", "counter", wredis, "Total number of server redispatches due to connection failures since the worker process started"),
	CF("http_requests_total", "counter", req_tot, "Total number of HTTP requests processed by this object since the worker process started"),
};

/* Servers: HAProxy has no http_requests_total per server. */
static const struct cfield srv_fields[] = {
	CF("current_sessions", "gauge", scur, "Number of current sessions on the frontend, backend or server"),
	CF("max_sessions", "gauge", smax, "Highest value of current sessions encountered since process started"),
	CF("limit_sessions", "gauge", slim, "Frontend/listener/server's maxconn, backend's fullconn"),
	CF("sessions_total", "counter", stot, "Total number of sessions since process started"),
	CF("loadbalanced_total", "counter", stot, "Total number of requests routed by load balancing since the worker process started"),
	CF("bytes_in_total", "counter", bin, "Total number of request bytes since process started"),
	CF("bytes_out_total", "counter", bout, "Total number of response bytes since process started"),
	CF("connection_errors_total", "counter", econ, "Total number of failed connections to server since the worker process started"),
	CF("response_errors_total", "counter", eresp, "Total number of invalid responses since the worker process started"),
	CF("retry_warnings_total", "counter", wretr, "Total number of server connection retries since the worker process started"),
	CF("redispatch_warnings_total", "counter", wredis, "Total number of server redispatches due to connection failures since the worker process started"),
};

static uint64_t cget(const struct stats_counters *c, size_t off)
{
	uint64_t v;
	memcpy(&v, (const char *)c + off, sizeof(v));
	return v;
}

static int head(struct buf *b, const char *name, const char *type, const char *help)
{
	return buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Label values: names are restricted by the config grammar, but escape anyway. */
static int lv(struct buf *b, const char *s)
{
	int rc = 0;
	for (; *s && !rc; s++) {
		if (*s == '\\' || *s == '"')
			rc = buf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			rc = buf_puts(b, "\\n");
		else
			rc = buf_append(b, s, 1);
	}
	return rc;
}

/* Writes {proxy="p"} or {proxy="p",server="s"} without the closing brace. */
static int labels(struct buf *b, const char *metric, const char *proxy, const char *server)
{
	int rc = buf_printf(b, "%s{proxy=\"", metric);
	rc = rc || lv(b, proxy);
	if (server) {
		rc = rc || buf_puts(b, "\",server=\"");
		rc = rc || lv(b, server);
	}
	return rc || buf_puts(b, "\"");
}

static const char *const code_labels[6] = { "other", "1xx", "2xx", "3xx", "4xx", "5xx" };

static int frontends(struct buf *b, const struct stats_snapshot *s)
{
	char m[96];
	int rc = 0;
	for (size_t k = 0; !rc && k < sizeof(fe_fields) / sizeof(fe_fields[0]); k++) {
		snprintf(m, sizeof(m), "haproxy_frontend_%s", fe_fields[k].suffix);
		rc = head(b, m, fe_fields[k].type, fe_fields[k].help);
		for (int i = 0; !rc && i < s->nfrontends; i++) {
			rc = labels(b, m, s->frontends[i].name, NULL);
			rc = rc || buf_printf(b, "} %" PRIu64 "\n", cget(&s->frontends[i].c, fe_fields[k].off));
		}
	}
	rc = rc || head(b, "haproxy_frontend_status", "gauge", "Current status of the service, per state label value.");
	for (int i = 0; !rc && i < s->nfrontends; i++) {
		rc = labels(b, "haproxy_frontend_status", s->frontends[i].name, NULL);
		rc = rc || buf_puts(b, ",state=\"DOWN\"} 0\n");
		rc = rc || labels(b, "haproxy_frontend_status", s->frontends[i].name, NULL);
		rc = rc || buf_puts(b, ",state=\"UP\"} 1\n");
	}
	rc = rc || head(b, "haproxy_frontend_http_responses_total", "counter",
			"Total number of HTTP responses returned by this object since the worker process started, per code class");
	for (int c = 1; c <= 6 && !rc; c++)
		for (int i = 0; !rc && i < s->nfrontends; i++) {
			rc = labels(b, "haproxy_frontend_http_responses_total", s->frontends[i].name, NULL);
			rc = rc || buf_printf(b, ",code=\"%s\"} %" PRIu64 "\n", code_labels[c % 6],
					      s->frontends[i].c.hrsp[c % 6]);
		}
	return rc;
}

static int backends(struct buf *b, const struct stats_snapshot *s)
{
	char m[96];
	int rc = 0;
	for (size_t k = 0; !rc && k < sizeof(be_fields) / sizeof(be_fields[0]); k++) {
		snprintf(m, sizeof(m), "haproxy_backend_%s", be_fields[k].suffix);
		rc = head(b, m, be_fields[k].type, be_fields[k].help);
		for (int i = 0; !rc && i < s->nbackends; i++) {
			rc = labels(b, m, s->backends[i].name, NULL);
			rc = rc || buf_printf(b, "} %" PRIu64 "\n", cget(&s->backends[i].c, be_fields[k].off));
		}
	}
#define BE_GAUGE(m_, t_, h_, fmt, expr)                                             \
	rc = rc || head(b, m_, t_, h_);                                             \
	for (int i = 0; !rc && i < s->nbackends; i++) {                             \
		const struct stats_backend *be = &s->backends[i];                   \
		rc = labels(b, m_, be->name, NULL) || buf_printf(b, "} " fmt "\n", expr); \
	}
	rc = rc || head(b, "haproxy_backend_status", "gauge", "Current status of the service, per state label value.");
	for (int i = 0; !rc && i < s->nbackends; i++) {
		const struct stats_backend *be = &s->backends[i];
		rc = labels(b, "haproxy_backend_status", be->name, NULL) ||
		     buf_printf(b, ",state=\"DOWN\"} %d\n", !be->up) ||
		     labels(b, "haproxy_backend_status", be->name, NULL) ||
		     buf_printf(b, ",state=\"UP\"} %d\n", be->up);
	}
	BE_GAUGE("haproxy_backend_active_servers", "gauge", "Total number of active UP servers with a non-zero weight",
		 "%d", be->nactive_up)
	BE_GAUGE("haproxy_backend_backup_servers", "gauge", "Total number of backup UP servers with a non-zero weight",
		 "%d", be->nbackup_up)
	BE_GAUGE("haproxy_backend_weight", "gauge", "Sum of active servers' effective weights",
		 "%" PRIu32, be->weight)
	BE_GAUGE("haproxy_backend_check_up_down_total", "counter",
		 "Total number of failed checks causing UP to DOWN server transitions", "%" PRIu64, be->chkdown)
	BE_GAUGE("haproxy_backend_downtime_seconds_total", "counter", "Total time spent in DOWN state",
		 "%" PRIu64, be->downtime_s)
	BE_GAUGE("haproxy_backend_last_session_seconds", "gauge", "How long ago some traffic was seen, in seconds",
		 "%" PRId64, be->c.lastsess_s)
	BE_GAUGE("haproxy_backend_response_time_average_seconds", "gauge", "Average response time",
		 "%.6f", (double)be->c.rt_avg_us / 1e6)
#undef BE_GAUGE
	return rc;
}

static const char *const srv_states[] = { "DOWN", "UP", "MAINT", "DRAIN", "NOLB" };
static const enum check_reason prom_check_states[] = {
	CHECK_CONN_ERROR, CHECK_CONN_TIMEOUT, CHECK_CONN_REFUSED, CHECK_RESP_TIMEOUT,
	CHECK_INVALID_RESP, CHECK_OK, CHECK_BAD_STATUS,
};

static int server_status(struct buf *b, const struct stats_backend *be, const struct stats_server *v)
{
	const char *cur = stats_srv_state_name(v->state);
	int rc = 0;
	for (size_t k = 0; !rc && k < sizeof(srv_states) / sizeof(srv_states[0]); k++) {
		rc = labels(b, "haproxy_server_status", be->name, v->name);
		rc = rc || buf_printf(b, ",state=\"%s\"} %d\n", srv_states[k], !strcmp(cur, srv_states[k]));
	}
	return rc;
}

static int server_check_status(struct buf *b, const struct stats_backend *be, const struct stats_server *v)
{
	int rc = 0;
	if (!v->check_enabled)
		return 0;
	for (size_t k = 0; !rc && k < sizeof(prom_check_states) / sizeof(prom_check_states[0]); k++) {
		const char *w = check_reason_haproxy(prom_check_states[k]);
		rc = labels(b, "haproxy_server_check_status", be->name, v->name);
		rc = rc || buf_printf(b, ",state=\"%s\"} %d\n", w, !strcmp(v->check_status, w));
	}
	return rc;
}

static int servers(struct buf *b, const struct stats_snapshot *s)
{
	char m[96];
	int rc = 0;
	for (size_t k = 0; !rc && k < sizeof(srv_fields) / sizeof(srv_fields[0]); k++) {
		snprintf(m, sizeof(m), "haproxy_server_%s", srv_fields[k].suffix);
		rc = head(b, m, srv_fields[k].type, srv_fields[k].help);
		for (int i = 0; !rc && i < s->nbackends; i++)
			for (int j = 0; !rc && j < s->backends[i].nservers; j++) {
				const struct stats_server *v = &s->backends[i].servers[j];
				rc = labels(b, m, s->backends[i].name, v->name);
				rc = rc || buf_printf(b, "} %" PRIu64 "\n", cget(&v->c, srv_fields[k].off));
			}
	}
#define SRV_EACH(stmt)                                                          \
	for (int i = 0; !rc && i < s->nbackends; i++)                           \
		for (int j = 0; !rc && j < s->backends[i].nservers; j++) {      \
			const struct stats_backend *be = &s->backends[i];       \
			const struct stats_server *v = &be->servers[j];         \
			(void)v;                                                \
			stmt;                                                   \
		}
#define SRV_GAUGE(m_, t_, h_, cond, fmt, expr)                                  \
	rc = rc || head(b, m_, t_, h_);                                         \
	SRV_EACH(if (cond) rc = labels(b, m_, be->name, v->name) ||             \
				buf_printf(b, "} " fmt "\n", expr))
	rc = rc || head(b, "haproxy_server_status", "gauge", "Current status of the service, per state label value.");
	SRV_EACH(rc = server_status(b, be, v))
	rc = rc || head(b, "haproxy_server_check_status", "gauge", "Status of last health check, per state label value.");
	SRV_EACH(rc = server_check_status(b, be, v))
	SRV_GAUGE("haproxy_server_check_code", "gauge", "layer5-7 code, if available of the last health check.",
		  v->check_enabled, "%d", v->check_code)
	SRV_GAUGE("haproxy_server_check_duration_seconds", "gauge",
		  "Total duration of the latest server health check, in seconds.",
		  v->check_enabled, "%.3f", (double)v->check_dur_ms / 1000.)
	SRV_GAUGE("haproxy_server_check_failures_total", "counter", "Total number of failed individual health checks",
		  v->check_enabled, "%" PRIu64, v->chkfail)
	SRV_GAUGE("haproxy_server_check_up_down_total", "counter",
		  "Total number of failed checks causing UP to DOWN server transitions",
		  v->check_enabled, "%" PRIu64, v->chkdown)
	SRV_GAUGE("haproxy_server_check_last_change_seconds", "gauge", "How long ago the last server state changed, in seconds",
		  1, "%" PRId64, v->lastchg_s)
	SRV_GAUGE("haproxy_server_downtime_seconds_total", "counter", "Total time spent in DOWN state",
		  v->check_enabled, "%" PRIu64, v->downtime_s)
	SRV_GAUGE("haproxy_server_weight", "gauge", "Server's effective weight", 1, "%" PRIu32, v->weight)
	SRV_GAUGE("haproxy_server_uweight", "gauge", "Server's user weight", 1, "%" PRIu32, v->weight)
	SRV_GAUGE("haproxy_server_last_session_seconds", "gauge", "How long ago some traffic was seen, in seconds",
		  1, "%" PRId64, v->c.lastsess_s)
	SRV_GAUGE("haproxy_server_response_time_average_seconds", "gauge", "Average response time",
		  1, "%.6f", (double)v->c.rt_avg_us / 1e6)
	rc = rc || head(b, "haproxy_server_http_responses_total", "counter",
			"Total number of HTTP responses returned by this object, per code class");
	for (int c = 1; c <= 6 && !rc; c++)
		SRV_EACH(rc = labels(b, "haproxy_server_http_responses_total", be->name, v->name) ||
			      buf_printf(b, ",code=\"%s\"} %" PRIu64 "\n", code_labels[c % 6], v->c.hrsp[c % 6]))
	return rc;
}

/* One histogram sample set: cumulative buckets, sum and count. */
static int histogram(struct buf *b, const char *name, const char *proxy, const char *server,
		     const struct stats_counters *c)
{
	char m[96];
	uint64_t cum = 0;
	int rc = 0;
	snprintf(m, sizeof(m), "%s_bucket", name);
	for (int k = 0; !rc && k < STATS_RT_BUCKETS; k++) {
		cum += c->rt_hist[k];
		rc = labels(b, m, proxy, server);
		if (k < STATS_RT_BUCKETS - 1)
			rc = rc || buf_printf(b, ",le=\"%g\"} %" PRIu64 "\n", (double)stats_rt_bounds_us[k] / 1e6, cum);
		else
			rc = rc || buf_printf(b, ",le=\"+Inf\"} %" PRIu64 "\n", cum);
	}
	snprintf(m, sizeof(m), "%s_sum", name);
	rc = rc || labels(b, m, proxy, server) || buf_printf(b, "} %.6f\n", (double)c->rt_sum_us / 1e6);
	snprintf(m, sizeof(m), "%s_count", name);
	return rc || labels(b, m, proxy, server) || buf_printf(b, "} %" PRIu64 "\n", cum);
}

static int lbd_metrics(struct buf *b, const struct stats_snapshot *s)
{
	int rc = head(b, "lbd_info", "gauge", "lbd version and node");
	rc = rc || buf_puts(b, "lbd_info{version=\"") || lv(b, s->version) || buf_puts(b, "\",node=\"") ||
	     lv(b, s->node) || buf_puts(b, "\"} 1\n");
	rc = rc || head(b, "lbd_uptime_seconds", "gauge", "Seconds since lbd started");
	rc = rc || buf_printf(b, "lbd_uptime_seconds %" PRIu64 "\n", s->uptime_s);
	rc = rc || head(b, "lbd_config_generation", "gauge", "Configuration generation (1 + successful reloads)");
	rc = rc || buf_printf(b, "lbd_config_generation %" PRIu64 "\n", s->generation);
	rc = rc || head(b, "lbd_access_log_lines_total", "counter", "Access-log lines sent to syslog");
	rc = rc || buf_printf(b, "lbd_access_log_lines_total %" PRIu64 "\n", s->log_sent);
	rc = rc || head(b, "lbd_access_log_dropped_total", "counter",
			"Access-log lines dropped: the syslog reader was slow or missing");
	rc = rc || buf_printf(b, "lbd_access_log_dropped_total %" PRIu64 "\n", s->log_dropped);
	rc = rc || head(b, "lbd_workers_alive", "gauge", "1 while every worker loop is running (what /healthz answers)");
	rc = rc || buf_printf(b, "lbd_workers_alive %d\n", s->alive);
	rc = rc || head(b, "lbd_frontend_response_time_seconds", "histogram",
			"Time from a request head received to its response head sent");
	for (int i = 0; !rc && i < s->nfrontends; i++)
		rc = histogram(b, "lbd_frontend_response_time_seconds", s->frontends[i].name, NULL, &s->frontends[i].c);
	rc = rc || head(b, "lbd_backend_response_time_seconds", "histogram",
			"Time from a request head received to its response head sent");
	for (int i = 0; !rc && i < s->nbackends; i++)
		rc = histogram(b, "lbd_backend_response_time_seconds", s->backends[i].name, NULL, &s->backends[i].c);
	rc = rc || head(b, "lbd_server_response_time_seconds", "histogram",
			"Time from a request head received to its response head sent");
	SRV_EACH(rc = histogram(b, "lbd_server_response_time_seconds", be->name, v->name, &v->c))
	rc = rc || head(b, "lbd_frontend_timeouts_total", "counter", "Client and server timeouts");
	for (int i = 0; !rc && i < s->nfrontends; i++)
		rc = labels(b, "lbd_frontend_timeouts_total", s->frontends[i].name, NULL) ||
		     buf_printf(b, "} %" PRIu64 "\n", s->frontends[i].c.timeouts);
	return rc;
}

/* One BFD series per session (issue 19); f is the session, in its instance.
 * ONCE: the instance's counts (peer_down...), on its first session only, so
 * that a sum over peers does not count them once per session. */
#define BFD_EACH(stmt) \
	for (int i = 0; !rc && i < v->n; i++) \
		for (int k = 0; !rc && k < v->inst[i].nbfd; k++) { \
			const struct stats_vrrp_instance *in = &v->inst[i]; \
			const struct stats_vrrp_bfd *f = &in->bfd[k]; \
			rc = (stmt); \
		}
#define BFD_ONCE(stmt) \
	for (int i = 0; !rc && i < v->n; i++) \
		if (v->inst[i].nbfd) { \
			const struct stats_vrrp_instance *in = &v->inst[i]; \
			const struct stats_vrrp_bfd *f = &in->bfd[0]; \
			rc = (stmt); \
		}

static int bfd_series(struct buf *b, const char *name, const struct stats_vrrp_instance *in,
		      const struct stats_vrrp_bfd *f)
{
	return buf_puts(b, name) || buf_puts(b, "{instance=\"") || lv(b, in->name) || buf_puts(b, "\",peer=\"") ||
	       lv(b, f->peer) || buf_puts(b, "\"");
}

static int bfd_states(struct buf *b, const struct stats_vrrp_instance *in, const struct stats_vrrp_bfd *f)
{
	static const char *const states[] = { "AdminDown", "Down", "Init", "Up" };
	int rc = 0;
	for (size_t s = 0; !rc && s < sizeof(states) / sizeof(states[0]); s++)
		rc = bfd_series(b, "vrrp_bfd_state", in, f) ||
		     buf_printf(b, ",state=\"%s\"} %d\n", states[s], !strcmp(f->state, states[s]));
	return rc;
}

static int vrrp_bfd_metrics(struct buf *b, const struct stats_vrrp *v)
{
	int rc = 0, any = 0;
	for (int i = 0; i < v->n; i++)
		any |= v->inst[i].nbfd > 0;
	if (!any)
		return 0;
	rc = head(b, "vrrp_bfd_state", "gauge", "BFD session state to the VRRP peer, per state label value");
	BFD_EACH(bfd_states(b, in, f))
	rc = rc || head(b, "vrrp_bfd_tx_interval_seconds", "gauge", "Negotiated interval between BFD packets sent");
	BFD_EACH(bfd_series(b, "vrrp_bfd_tx_interval_seconds", in, f) ||
		 buf_printf(b, "} %.6f\n", (double)f->tx_interval_us / 1e6))
	rc = rc || head(b, "vrrp_bfd_detect_time_seconds", "gauge", "Negotiated BFD detection time for the peer");
	BFD_EACH(bfd_series(b, "vrrp_bfd_detect_time_seconds", in, f) ||
		 buf_printf(b, "} %.6f\n", (double)f->detect_time_us / 1e6))
	rc = rc || head(b, "vrrp_bfd_transitions_total", "counter", "BFD session state changes");
	BFD_EACH(bfd_series(b, "vrrp_bfd_transitions_total", in, f) ||
		 buf_printf(b, "} %" PRIu64 "\n", f->transitions))
	rc = rc || head(b, "vrrp_bfd_peer_down_total", "counter",
			"Times the BFD session to the master failed while backup (takeover after the BFD skew); "
			"the instance's count, on its first session");
	BFD_ONCE(bfd_series(b, "vrrp_bfd_peer_down_total", in, f) ||
		 buf_printf(b, "} %" PRIu64 "\n", f->peer_down))
	rc = rc || head(b, "vrrp_bfd_peer_down_overridden_total", "counter",
			"Adverts from the master that still came after BFD said it was down; "
			"the instance's count, on its first session");
	BFD_ONCE(bfd_series(b, "vrrp_bfd_peer_down_overridden_total", in, f) ||
		 buf_printf(b, "} %" PRIu64 "\n", f->peer_down_overridden))
	rc = rc || head(b, "vrrp_bfd_dropped_total", "counter", "BFD packets dropped, per reason");
	for (int r = 0; r < STATS_VRRP_BFD_DISCARDS; r++)
		BFD_EACH(bfd_series(b, "vrrp_bfd_dropped_total", in, f) ||
			 buf_printf(b, ",reason=\"%s\"} %" PRIu64 "\n", stats_vrrp_bfd_discards[r], f->discards[r]))
	return rc;
}
#undef BFD_ONCE
#undef BFD_EACH

static int vrrp_metrics(struct buf *b, const struct stats_vrrp *v)
{
	static const char *const states[] = { "INIT", "BACKUP", "MASTER", "FAULT" };
	int rc = head(b, "vrrp_available", "gauge", "1 when vrrpd answered on its control socket");
	rc = rc || buf_printf(b, "vrrp_available %d\n", v->available);
	if (!v->available || !v->n)
		return rc;
	rc = rc || head(b, "vrrp_instance_state", "gauge", "VRRP state of the instance, per state label value");
	for (int i = 0; !rc && i < v->n; i++)
		for (size_t k = 0; !rc && k < sizeof(states) / sizeof(states[0]); k++) {
			rc = buf_puts(b, "vrrp_instance_state{instance=\"") || lv(b, v->inst[i].name);
			rc = rc || buf_printf(b, "\",state=\"%s\"} %d\n", states[k],
					      !strcmp(v->inst[i].state, states[k]));
		}
	rc = rc || head(b, "vrrp_instance_priority", "gauge", "Effective priority of the instance");
	for (int i = 0; !rc && i < v->n; i++)
		rc = buf_puts(b, "vrrp_instance_priority{instance=\"") || lv(b, v->inst[i].name) ||
		     buf_printf(b, "\"} %d\n", v->inst[i].effective_priority);
	rc = rc || vrrp_bfd_metrics(b, v);
	if (!v->nguards)
		return rc;
	rc = rc || head(b, "vrrp_xdp_guard_passed_total", "counter",
			"VRRP packets vrrpd's XDP guard let through, per interface");
	for (int i = 0; !rc && i < v->nguards; i++)
		rc = buf_puts(b, "vrrp_xdp_guard_passed_total{interface=\"") || lv(b, v->guards[i].ifname) ||
		     buf_printf(b, "\"} %" PRIu64 "\n", v->guards[i].passed);
	rc = rc || head(b, "vrrp_xdp_guard_dropped_total", "counter",
			"VRRP packets vrrpd's XDP guard dropped, per interface and reason");
	for (int i = 0; !rc && i < v->nguards; i++)
		for (int r = 0; !rc && r < STATS_VRRP_GUARD_REASONS; r++)
			rc = buf_puts(b, "vrrp_xdp_guard_dropped_total{interface=\"") || lv(b, v->guards[i].ifname) ||
			     buf_printf(b, "\",reason=\"%s\"} %" PRIu64 "\n", stats_vrrp_guard_reasons[r],
					v->guards[i].dropped[r]);
	return rc;
}

int stats_prom_render(const struct stats_snapshot *s, struct buf *b)
{
	int rc = frontends(b, s);
	rc = rc || backends(b, s);
	rc = rc || servers(b, s);
	rc = rc || lbd_metrics(b, s);
	rc = rc || stats_tls_prom(s, b);
	rc = rc || vrrp_metrics(b, &s->vrrp);
	return rc ? -1 : 0;
}
