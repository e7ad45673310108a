/* stats_csv: HAProxy 2.6's CSV ("show stat", /stats;csv), same header line,
 * same column order, same status words, so tools written for HAProxy
 * (prometheus-haproxy-exporter, scripts cutting columns) read it unchanged.
 * Columns lbd has no value for are left empty, as HAProxy leaves the ones
 * that do not apply to a row type. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "stats.h"

/* The columns, in HAProxy 2.6.12's order (taken from its "show stat"). */
#define STATS_CSV_COLUMNS \
	X(PXNAME, "pxname") \
	X(SVNAME, "svname") \
	X(QCUR, "qcur") \
	X(QMAX, "qmax") \
	X(SCUR, "scur") \
	X(SMAX, "smax") \
	X(SLIM, "slim") \
	X(STOT, "stot") \
	X(BIN, "bin") \
	X(BOUT, "bout") \
	X(DREQ, "dreq") \
	X(DRESP, "dresp") \
	X(EREQ, "ereq") \
	X(ECON, "econ") \
	X(ERESP, "eresp") \
	X(WRETR, "wretr") \
	X(WREDIS, "wredis") \
	X(STATUS, "status") \
	X(WEIGHT, "weight") \
	X(ACT, "act") \
	X(BCK, "bck") \
	X(CHKFAIL, "chkfail") \
	X(CHKDOWN, "chkdown") \
	X(LASTCHG, "lastchg") \
	X(DOWNTIME, "downtime") \
	X(QLIMIT, "qlimit") \
	X(PID, "pid") \
	X(IID, "iid") \
	X(SID, "sid") \
	X(THROTTLE, "throttle") \
	X(LBTOT, "lbtot") \
	X(TRACKED, "tracked") \
	X(TYPE, "type") \
	X(RATE, "rate") \
	X(RATE_LIM, "rate_lim") \
	X(RATE_MAX, "rate_max") \
	X(CHECK_STATUS, "check_status") \
	X(CHECK_CODE, "check_code") \
	X(CHECK_DURATION, "check_duration") \
	X(HRSP_1XX, "hrsp_1xx") \
	X(HRSP_2XX, "hrsp_2xx") \
	X(HRSP_3XX, "hrsp_3xx") \
	X(HRSP_4XX, "hrsp_4xx") \
	X(HRSP_5XX, "hrsp_5xx") \
	X(HRSP_OTHER, "hrsp_other") \
	X(HANAFAIL, "hanafail") \
	X(REQ_RATE, "req_rate") \
	X(REQ_RATE_MAX, "req_rate_max") \
	X(REQ_TOT, "req_tot") \
	X(CLI_ABRT, "cli_abrt") \
	X(SRV_ABRT, "srv_abrt") \
	X(COMP_IN, "comp_in") \
	X(COMP_OUT, "comp_out") \
	X(COMP_BYP, "comp_byp") \
	X(COMP_RSP, "comp_rsp") \
	X(LASTSESS, "lastsess") \
	X(LAST_CHK, "last_chk") \
	X(LAST_AGT, "last_agt") \
	X(QTIME, "qtime") \
	X(CTIME, "ctime") \
	X(RTIME, "rtime") \
	X(TTIME, "ttime") \
	X(AGENT_STATUS, "agent_status") \
	X(AGENT_CODE, "agent_code") \
	X(AGENT_DURATION, "agent_duration") \
	X(CHECK_DESC, "check_desc") \
	X(AGENT_DESC, "agent_desc") \
	X(CHECK_RISE, "check_rise") \
	X(CHECK_FALL, "check_fall") \
	X(CHECK_HEALTH, "check_health") \
	X(AGENT_RISE, "agent_rise") \
	X(AGENT_FALL, "agent_fall") \
	X(AGENT_HEALTH, "agent_health") \
	X(ADDR, "addr") \
	X(COOKIE, "cookie") \
	X(MODE, "mode") \
	X(ALGO, "algo") \
	X(CONN_RATE, "conn_rate") \
	X(CONN_RATE_MAX, "conn_rate_max") \
	X(CONN_TOT, "conn_tot") \
	X(INTERCEPTED, "intercepted") \
	X(DCON, "dcon") \
	X(DSES, "dses") \
	X(WREW, "wrew") \
	X(CONNECT, "connect") \
	X(REUSE, "reuse") \
	X(CACHE_LOOKUPS, "cache_lookups") \
	X(CACHE_HITS, "cache_hits") \
	X(SRV_ICUR, "srv_icur") \
	X(SRC_ILIM, "src_ilim") \
	X(QTIME_MAX, "qtime_max") \
	X(CTIME_MAX, "ctime_max") \
	X(RTIME_MAX, "rtime_max") \
	X(TTIME_MAX, "ttime_max") \
	X(EINT, "eint") \
	X(IDLE_CONN_CUR, "idle_conn_cur") \
	X(SAFE_CONN_CUR, "safe_conn_cur") \
	X(USED_CONN_CUR, "used_conn_cur") \
	X(NEED_CONN_EST, "need_conn_est") \
	X(UWEIGHT, "uweight") \
	X(AGG_SERVER_STATUS, "agg_server_status") \
	X(AGG_SERVER_CHECK_STATUS, "agg_server_check_status") \
	X(AGG_CHECK_STATUS, "agg_check_status") \
	X(DASH, "-") \
	X(SSL_SESS, "ssl_sess") \
	X(SSL_REUSED_SESS, "ssl_reused_sess") \
	X(SSL_FAILED_HANDSHAKE, "ssl_failed_handshake") \
	X(H2_HEADERS_RCVD, "h2_headers_rcvd") \
	X(H2_DATA_RCVD, "h2_data_rcvd") \
	X(H2_SETTINGS_RCVD, "h2_settings_rcvd") \
	X(H2_RST_STREAM_RCVD, "h2_rst_stream_rcvd") \
	X(H2_GOAWAY_RCVD, "h2_goaway_rcvd") \
	X(H2_DETECTED_CONN_PROTOCOL_ERRORS, "h2_detected_conn_protocol_errors") \
	X(H2_DETECTED_STRM_PROTOCOL_ERRORS, "h2_detected_strm_protocol_errors") \
	X(H2_RST_STREAM_RESP, "h2_rst_stream_resp") \
	X(H2_GOAWAY_RESP, "h2_goaway_resp") \
	X(H2_OPEN_CONNECTIONS, "h2_open_connections") \
	X(H2_BACKEND_OPEN_STREAMS, "h2_backend_open_streams") \
	X(H2_TOTAL_CONNECTIONS, "h2_total_connections") \
	X(H2_BACKEND_TOTAL_STREAMS, "h2_backend_total_streams") \
	X(H1_OPEN_CONNECTIONS, "h1_open_connections") \
	X(H1_OPEN_STREAMS, "h1_open_streams") \
	X(H1_TOTAL_CONNECTIONS, "h1_total_connections") \
	X(H1_TOTAL_STREAMS, "h1_total_streams") \
	X(H1_BYTES_IN, "h1_bytes_in") \
	X(H1_BYTES_OUT, "h1_bytes_out") \
	X(H1_SPLICED_BYTES_IN, "h1_spliced_bytes_in") \
	X(H1_SPLICED_BYTES_OUT, "h1_spliced_bytes_out") \

enum csv_col {
#define X(id, name) C_##id,
	STATS_CSV_COLUMNS
#undef X
	C__COUNT
};

static const char *const csv_names[C__COUNT] = {
#define X(id, name) [C_##id] = name,
	STATS_CSV_COLUMNS
#undef X
};

struct csv_row {
	const char *f[C__COUNT];
	char num[C__COUNT][24];
};

static void set_u(struct csv_row *r, enum csv_col c, uint64_t v)
{
	snprintf(r->num[c], sizeof(r->num[c]), "%" PRIu64, v);
	r->f[c] = r->num[c];
}

static void set_i(struct csv_row *r, enum csv_col c, int64_t v)
{
	snprintf(r->num[c], sizeof(r->num[c]), "%" PRId64, v);
	r->f[c] = r->num[c];
}

static void set_s(struct csv_row *r, enum csv_col c, const char *s)
{
	r->f[c] = s;
}

/* A field never holds a comma or a line break: they would shift columns. */
static int put_field(struct buf *out, const char *s)
{
	size_t n = strcspn(s, ",\r\n");
	if (s[n] == '\0')
		return buf_append(out, s, n);
	for (; *s; s++) {
		char ch = (*s == ',' || *s == '\r' || *s == '\n') ? ' ' : *s;
		if (buf_append(out, &ch, 1))
			return -1;
	}
	return 0;
}

static int emit(struct buf *out, const struct csv_row *r)
{
	for (int i = 0; i < C__COUNT; i++) {
		if (r->f[i] && put_field(out, r->f[i]))
			return -1;
		if (buf_append(out, ",", 1))
			return -1;
	}
	return buf_append(out, "\n", 1);
}

int stats_csv_header(struct buf *out)
{
	int rc = buf_puts(out, "# ");
	for (int i = 0; !rc && i < C__COUNT; i++)
		rc = buf_puts(out, csv_names[i]) || buf_append(out, ",", 1);
	return rc || buf_append(out, "\n", 1) ? -1 : 0;
}

/* Fields every row type shares. */
static void common_fields(struct csv_row *r, const struct stats_counters *c, int pid)
{
	set_u(r, C_SCUR, c->scur);
	set_u(r, C_SMAX, c->smax);
	set_u(r, C_STOT, c->stot);
	set_u(r, C_BIN, c->bin);
	set_u(r, C_BOUT, c->bout);
	set_u(r, C_H1_SPLICED_BYTES_IN, c->zin);
	set_u(r, C_H1_SPLICED_BYTES_OUT, c->zout);
	set_i(r, C_PID, pid);
	set_u(r, C_RATE, c->rate);
	set_u(r, C_RATE_MAX, c->rate_max);
	set_u(r, C_HRSP_1XX, c->hrsp[1]);
	set_u(r, C_HRSP_2XX, c->hrsp[2]);
	set_u(r, C_HRSP_3XX, c->hrsp[3]);
	set_u(r, C_HRSP_4XX, c->hrsp[4]);
	set_u(r, C_HRSP_5XX, c->hrsp[5]);
	set_u(r, C_HRSP_OTHER, c->hrsp[0]);
	set_s(r, C_MODE, "http");
}

static void latency_fields(struct csv_row *r, const struct stats_counters *c)
{
	/* HAProxy's averages are in ms; lbd measures request-to-response. */
	set_u(r, C_QTIME, 0);
	set_u(r, C_RTIME, c->rt_avg_us / 1000);
	set_u(r, C_TTIME, c->rt_avg_us / 1000);
	set_i(r, C_LASTSESS, c->lastsess_s);
}

static int frontend_row(struct buf *out, const struct stats_snapshot *s, const struct stats_frontend *f)
{
	struct csv_row r;
	memset(&r, 0, sizeof(r));
	common_fields(&r, &f->c, s->pid);
	set_s(&r, C_PXNAME, f->name);
	set_s(&r, C_SVNAME, "FRONTEND");
	set_u(&r, C_SLIM, f->c.slim);
	set_u(&r, C_DREQ, f->tls.denied + f->tls.auth_failed); /* requests denied by access rules */
	set_u(&r, C_DRESP, 0);
	set_u(&r, C_EREQ, f->c.ereq);
	set_s(&r, C_STATUS, "OPEN");
	if (f->tls.enabled) { /* HAProxy's ssl stats module */
		uint64_t failed = 0;
		for (int k = 0; k < STATS_TLS_FAILS; k++)
			failed += f->tls.fail[k];
		set_u(&r, C_SSL_SESS, f->tls.handshakes);
		set_u(&r, C_SSL_REUSED_SESS, f->tls.resumed);
		set_u(&r, C_SSL_FAILED_HANDSHAKE, failed);
	}
	set_i(&r, C_IID, f->iid);
	set_u(&r, C_SID, 0);
	set_u(&r, C_TYPE, 0);
	set_u(&r, C_RATE_LIM, 0);
	set_u(&r, C_REQ_RATE, f->c.rate);
	set_u(&r, C_REQ_RATE_MAX, f->c.rate_max);
	set_u(&r, C_REQ_TOT, f->c.req_tot);
	set_u(&r, C_CONN_RATE, f->c.rate);
	set_u(&r, C_CONN_RATE_MAX, f->c.rate_max);
	set_u(&r, C_CONN_TOT, f->c.stot);
	set_u(&r, C_DCON, f->c.dcon);
	set_u(&r, C_DSES, 0);
	return emit(out, &r);
}

static void check_fields(struct csv_row *r, const struct stats_server *v)
{
	if (!v->check_enabled)
		return;
	set_u(r, C_CHKFAIL, v->chkfail);
	set_u(r, C_CHKDOWN, v->chkdown);
	set_i(r, C_DOWNTIME, (int64_t)v->downtime_s);
	set_s(r, C_CHECK_STATUS, v->check_status);
	if (v->check_code)
		set_i(r, C_CHECK_CODE, v->check_code);
	set_u(r, C_CHECK_DURATION, v->check_dur_ms);
	set_s(r, C_LAST_CHK, v->check_desc);
	set_s(r, C_CHECK_DESC, v->check_desc);
	set_i(r, C_CHECK_RISE, v->rise);
	set_i(r, C_CHECK_FALL, v->fall);
	set_i(r, C_CHECK_HEALTH, v->check_health);
}

static int server_row(struct buf *out, const struct stats_snapshot *s, const struct stats_backend *b,
		      const struct stats_server *v)
{
	struct csv_row r;
	memset(&r, 0, sizeof(r));
	common_fields(&r, &v->c, s->pid);
	latency_fields(&r, &v->c);
	check_fields(&r, v);
	set_s(&r, C_PXNAME, b->name);
	set_s(&r, C_SVNAME, v->name);
	set_u(&r, C_QCUR, 0);
	set_u(&r, C_QMAX, 0);
	if (v->c.slim)
		set_u(&r, C_SLIM, v->c.slim);
	set_u(&r, C_DRESP, 0);
	set_u(&r, C_ECON, v->c.econ);
	set_u(&r, C_ERESP, v->c.eresp);
	set_u(&r, C_WRETR, v->c.wretr);
	set_u(&r, C_WREDIS, v->c.wredis);
	set_s(&r, C_STATUS, v->status);
	set_u(&r, C_WEIGHT, v->weight);
	set_u(&r, C_UWEIGHT, v->weight);
	set_u(&r, C_ACT, !v->backup);
	set_u(&r, C_BCK, (uint64_t)v->backup);
	set_i(&r, C_LASTCHG, v->lastchg_s);
	set_i(&r, C_IID, b->iid);
	set_i(&r, C_SID, v->sid);
	set_u(&r, C_LBTOT, v->c.stot);
	set_u(&r, C_TYPE, 2);
	set_u(&r, C_CLI_ABRT, 0);
	set_u(&r, C_SRV_ABRT, 0);
	set_s(&r, C_ADDR, v->addr);
	return emit(out, &r);
}

static int backend_row(struct buf *out, const struct stats_snapshot *s, const struct stats_backend *b)
{
	struct csv_row r;
	memset(&r, 0, sizeof(r));
	common_fields(&r, &b->c, s->pid);
	latency_fields(&r, &b->c);
	set_s(&r, C_PXNAME, b->name);
	set_s(&r, C_SVNAME, "BACKEND");
	set_u(&r, C_QCUR, b->c.qcur);
	set_u(&r, C_QMAX, b->c.qmax);
	set_u(&r, C_DREQ, 0);
	set_u(&r, C_DRESP, 0);
	set_u(&r, C_ECON, b->c.econ);
	set_u(&r, C_ERESP, b->c.eresp);
	set_u(&r, C_WRETR, b->c.wretr);
	set_u(&r, C_WREDIS, b->c.wredis);
	set_s(&r, C_STATUS, b->up ? "UP" : "DOWN");
	set_u(&r, C_WEIGHT, b->weight);
	set_u(&r, C_UWEIGHT, b->weight);
	set_i(&r, C_ACT, b->nactive_up);
	set_i(&r, C_BCK, b->nbackup_up);
	set_u(&r, C_CHKDOWN, b->chkdown);
	set_i(&r, C_LASTCHG, b->lastchg_s);
	set_u(&r, C_DOWNTIME, b->downtime_s);
	set_i(&r, C_IID, b->iid);
	set_u(&r, C_SID, 0);
	set_u(&r, C_LBTOT, b->c.stot);
	set_u(&r, C_TYPE, 1);
	set_u(&r, C_REQ_TOT, b->c.req_tot);
	set_u(&r, C_CLI_ABRT, 0);
	set_u(&r, C_SRV_ABRT, 0);
	set_s(&r, C_ALGO, b->algo);
	return emit(out, &r);
}

int stats_csv_render(const struct stats_snapshot *s, struct buf *out)
{
	if (stats_csv_header(out))
		return -1;
	for (int i = 0; i < s->nfrontends; i++)
		if (frontend_row(out, s, &s->frontends[i]))
			return -1;
	for (int i = 0; i < s->nbackends; i++) {
		const struct stats_backend *b = &s->backends[i];
		for (int j = 0; j < b->nservers; j++)
			if (server_row(out, s, b, &b->servers[j]))
				return -1;
		if (backend_row(out, s, b))
			return -1;
	}
	return 0;
}
