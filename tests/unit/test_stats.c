/* Unit tests of the stats renderers (lbd/stats_*.c) on a hand-made snapshot:
 * HAProxy's CSV columns and status words, Prometheus names and histogram
 * shape, JSON, and the HTML page (status classes, escaping). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "lbd/check.h"
#include "lbd/config.h"
#include "lbd/health.h"
#include "lbd/model.h"
#include "lbd/stats.h"
#include "lbd/stats_http.h"

/* HAProxy 2.6.12's header line, as its "show stat" prints it (Debian 12);
 * tests/net/test_lbd_stats.sh compares against a running haproxy too. */
static const char haproxy_header[] =
	"# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,"
	"weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,"
	"rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,"
	"hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,"
	"lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,"
	"agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,"
	"conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,"
	"srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,"
	"used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,"
	"ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,"
	"h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,"
	"h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,"
	"h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,"
	"h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,\n";

static struct stats_server servers[3];
static struct stats_backend backend;
static struct stats_frontend frontend;
static struct stats_snapshot snap;

static void server_fill(struct stats_server *v, const char *name, int sid, enum stats_srv_state st,
			const char *status, enum check_reason r, int code)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	snprintf(v->addr, sizeof(v->addr), "192.0.2.%d:14318", 10 + sid);
	v->sid = sid;
	v->iid = 2;
	v->state = st;
	v->up = st == STATS_SRV_UP || st == STATS_SRV_DRAIN;
	v->check_enabled = 1;
	snprintf(v->status, sizeof(v->status), "%s", status);
	v->weight = 1;
	v->check_reason = r;
	v->check_code = code;
	v->check_dur_ms = 3;
	v->rise = 2;
	v->fall = 3;
	snprintf(v->check_status, sizeof(v->check_status), "%s", check_reason_haproxy(r));
	snprintf(v->check_desc, sizeof(v->check_desc), "%s", check_reason_haproxy_desc(r));
	snprintf(v->check_reason_name, sizeof(v->check_reason_name), "%s", check_reason_names[r]);
	v->lastchg_s = 42;
	v->c.lastsess_s = -1;
}

static int setup(void **state)
{
	(void)state;
	memset(&snap, 0, sizeof(snap));
	strcpy(snap.version, "0.1.0");
	strcpy(snap.node, "mid-1");
	snap.pid = 4242;
	snap.uptime_s = 3725;
	snap.generation = 2;
	snap.refresh_s = 10;
	snap.alive = 1;
	snap.nworkers = 2;
	server_fill(&servers[0], "otel-a", 1, STATS_SRV_UP, "UP", CHECK_OK, 200);
	servers[0].c.stot = 1000;
	servers[0].c.hrsp[2] = 990;
	servers[0].c.hrsp[5] = 10;
	servers[0].c.rt_hist[0] = 900;
	servers[0].c.rt_hist[3] = 100;
	servers[0].c.rt_sum_us = 250000;
	servers[0].c.rt_count = 1000;
	servers[0].c.rt_avg_us = 250;
	server_fill(&servers[1], "otel-b", 2, STATS_SRV_DOWN, "DOWN 1/2", CHECK_CONN_REFUSED, 0);
	servers[1].chkdown = 1;
	servers[1].chkfail = 4;
	servers[1].downtime_s = 7;
	server_fill(&servers[2], "otel-<c>", 3, STATS_SRV_MAINT, "MAINT", CHECK_BAD_STATUS, 404);
	memset(&backend, 0, sizeof(backend));
	strcpy(backend.name, "otel_collectors");
	strcpy(backend.algo, "roundrobin");
	backend.iid = 2;
	backend.up = 1;
	backend.nactive_up = 1;
	backend.weight = 1;
	backend.servers = servers;
	backend.nservers = 3;
	backend.c.req_tot = 1000;
	backend.c.lastsess_s = 1;
	memset(&frontend, 0, sizeof(frontend));
	strcpy(frontend.name, "otlp_http");
	strcpy(frontend.bind, "*:4318");
	strcpy(frontend.backend, "otel_collectors");
	frontend.iid = 1;
	frontend.c.req_tot = 1234;
	frontend.c.stot = 50;
	frontend.c.slim = 20000;
	snap.frontends = &frontend;
	snap.nfrontends = 1;
	snap.backends = &backend;
	snap.nbackends = 1;
	snap.vrrp.available = 0;
	strcpy(snap.vrrp.error, "no such file or directory");
	return 0;
}

/* Field `col` (0-based) of CSV line `line` (0 = header) into out. */
static const char *csv_field(const char *csv, int line, int col, char *out, size_t n)
{
	const char *p = csv;
	for (int i = 0; i < line && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	assert_non_null(p);
	for (int i = 0; i < col; i++) {
		p = strpbrk(p, ",\n");
		assert_non_null(p);
		assert_int_equal(*p, ',');
		p++;
	}
	size_t len = strcspn(p, ",\n");
	assert_true(len < n);
	memcpy(out, p, len);
	out[len] = '\0';
	return out;
}

static int count_char_line(const char *csv, int line, char ch)
{
	const char *p = csv;
	for (int i = 0; i < line; i++)
		p = strchr(p, '\n') + 1;
	int n = 0;
	for (; *p && *p != '\n'; p++)
		n += *p == ch;
	return n;
}

static void test_csv(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	char f[128];
	assert_int_equal(stats_csv_render(&snap, &b), 0);
	const char *csv = buf_cstr(&b);
	assert_int_equal(strncmp(csv, haproxy_header, strlen(haproxy_header)), 0);
	/* Frontend, 3 servers, backend: 5 rows, each with the header's column count. */
	int lines = 0;
	for (const char *p = csv; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 6);
	for (int l = 1; l < 6; l++)
		assert_int_equal(count_char_line(csv, l, ','), count_char_line(csv, 0, ','));
	assert_string_equal(csv_field(csv, 1, 0, f, sizeof(f)), "otlp_http");
	assert_string_equal(csv_field(csv, 1, 1, f, sizeof(f)), "FRONTEND");
	assert_string_equal(csv_field(csv, 1, 17, f, sizeof(f)), "OPEN");
	assert_string_equal(csv_field(csv, 1, 6, f, sizeof(f)), "20000");   /* slim */
	assert_string_equal(csv_field(csv, 1, 48, f, sizeof(f)), "1234");   /* req_tot */
	assert_string_equal(csv_field(csv, 1, 13, f, sizeof(f)), "");       /* econ: not for a frontend */
	assert_string_equal(csv_field(csv, 2, 1, f, sizeof(f)), "otel-a");
	assert_string_equal(csv_field(csv, 2, 17, f, sizeof(f)), "UP");
	assert_string_equal(csv_field(csv, 2, 32, f, sizeof(f)), "2");      /* type server */
	assert_string_equal(csv_field(csv, 2, 36, f, sizeof(f)), "L7OK");
	assert_string_equal(csv_field(csv, 2, 37, f, sizeof(f)), "200");
	assert_string_equal(csv_field(csv, 2, 40, f, sizeof(f)), "990");    /* hrsp_2xx */
	assert_string_equal(csv_field(csv, 2, 73, f, sizeof(f)), "192.0.2.11:14318");
	assert_string_equal(csv_field(csv, 3, 17, f, sizeof(f)), "DOWN 1/2");
	assert_string_equal(csv_field(csv, 3, 36, f, sizeof(f)), "L4CON");
	assert_string_equal(csv_field(csv, 3, 37, f, sizeof(f)), "");       /* no code */
	assert_string_equal(csv_field(csv, 3, 65, f, sizeof(f)), "Layer4 connection problem");
	assert_string_equal(csv_field(csv, 3, 21, f, sizeof(f)), "4");      /* chkfail */
	assert_string_equal(csv_field(csv, 3, 22, f, sizeof(f)), "1");      /* chkdown */
	assert_string_equal(csv_field(csv, 4, 17, f, sizeof(f)), "MAINT");
	assert_string_equal(csv_field(csv, 5, 1, f, sizeof(f)), "BACKEND");
	assert_string_equal(csv_field(csv, 5, 17, f, sizeof(f)), "UP");
	assert_string_equal(csv_field(csv, 5, 19, f, sizeof(f)), "1");      /* act */
	assert_string_equal(csv_field(csv, 5, 75, f, sizeof(f)), "http");   /* mode */
	assert_string_equal(csv_field(csv, 5, 76, f, sizeof(f)), "roundrobin");
	buf_free(&b);
}

static void test_prom(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	assert_int_equal(stats_prom_render(&snap, &b), 0);
	const char *m = buf_cstr(&b);
	const char *want[] = {
		"# TYPE haproxy_frontend_http_requests_total counter\n",
		"haproxy_frontend_http_requests_total{proxy=\"otlp_http\"} 1234\n",
		"haproxy_server_status{proxy=\"otel_collectors\",server=\"otel-a\",state=\"UP\"} 1\n",
		"haproxy_server_status{proxy=\"otel_collectors\",server=\"otel-a\",state=\"DOWN\"} 0\n",
		"haproxy_server_status{proxy=\"otel_collectors\",server=\"otel-b\",state=\"DOWN\"} 1\n",
		"haproxy_server_status{proxy=\"otel_collectors\",server=\"otel-<c>\",state=\"MAINT\"} 1\n",
		"haproxy_server_check_status{proxy=\"otel_collectors\",server=\"otel-b\",state=\"L4CON\"} 1\n",
		"haproxy_server_http_responses_total{proxy=\"otel_collectors\",server=\"otel-a\",code=\"5xx\"} 10\n",
		"haproxy_backend_status{proxy=\"otel_collectors\",state=\"UP\"} 1\n",
		"haproxy_backend_active_servers{proxy=\"otel_collectors\"} 1\n",
		"# TYPE lbd_server_response_time_seconds histogram\n",
		"lbd_server_response_time_seconds_bucket{proxy=\"otel_collectors\",server=\"otel-a\",le=\"0.00025\"} 900\n",
		"lbd_server_response_time_seconds_bucket{proxy=\"otel_collectors\",server=\"otel-a\",le=\"0.0025\"} 1000\n",
		"lbd_server_response_time_seconds_bucket{proxy=\"otel_collectors\",server=\"otel-a\",le=\"+Inf\"} 1000\n",
		"lbd_server_response_time_seconds_count{proxy=\"otel_collectors\",server=\"otel-a\"} 1000\n",
		"lbd_server_response_time_seconds_sum{proxy=\"otel_collectors\",server=\"otel-a\"} 0.250000\n",
		"vrrp_available 0\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(m, want[i]))
			fail_msg("missing: %s", want[i]);
	/* Every family is declared once, and every sample line belongs to one. */
	assert_null(strstr(strstr(m, "# TYPE haproxy_server_status ") + 1, "# TYPE haproxy_server_status "));
	assert_int_equal(m[strlen(m) - 1], '\n');
	buf_free(&b);
}

static void test_quantile(void **state)
{
	(void)state;
	struct stats_counters c;
	memset(&c, 0, sizeof(c));
	assert_int_equal(stats_rt_quantile_us(&c, 0.99), 0);
	c.rt_hist[0] = 900;
	c.rt_hist[3] = 100;
	assert_int_equal(stats_rt_quantile_us(&c, 0.5), 250);
	assert_int_equal(stats_rt_quantile_us(&c, 0.9), 250);
	assert_int_equal(stats_rt_quantile_us(&c, 0.91), 2500);
	assert_int_equal(stats_rt_quantile_us(&c, 0.99), 2500);
	c.rt_hist[STATS_RT_BUCKETS - 1] = 1000; /* half the samples over 10 s */
	assert_int_equal(stats_rt_quantile_us(&c, 0.99), UINT64_MAX);
	assert_int_equal(stats_rt_quantile_us(&c, 0.5), 2500);
}

static void test_json(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	assert_int_equal(stats_json_render(&snap, &b), 0);
	const char *j = buf_cstr(&b);
	assert_non_null(strstr(j, "\"vrrp\":{\"available\":false,\"error\":\"no such file or directory\""));
	assert_non_null(strstr(j, "{\"name\":\"otel-b\",\"addr\":\"192.0.2.12:14318\",\"status\":\"DOWN 1/2\""));
	assert_non_null(strstr(j, "\"check\":{\"result\":\"connection refused\",\"status\":\"L4CON\",\"code\":0"));
	assert_non_null(strstr(j, "\"name\":\"otel-<c>\""));
	/* Braces and brackets balance (no string holds one here). */
	int depth = 0;
	for (const char *p = j; *p; p++) {
		depth += (*p == '{' || *p == '[') - (*p == '}' || *p == ']');
		assert_true(depth >= 0);
	}
	assert_int_equal(depth, 0);
	buf_free(&b);
}

static void test_html(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	assert_int_equal(stats_html_render(&snap, &b), 0);
	const char *h = buf_cstr(&b);
	assert_non_null(strstr(h, "<meta http-equiv=\"refresh\" content=\"10\">"));
	assert_non_null(strstr(h, "<meta name=\"viewport\""));
	assert_non_null(strstr(h, "id=\"vrrp-unavailable\""));
	assert_non_null(strstr(h, "<tr id=\"srv-otel_collectors-otel-a\" data-status=\"UP\">"));
	assert_non_null(strstr(h, "<td class=\"st up\">UP</td>"));
	assert_non_null(strstr(h, "<td class=\"st going\">DOWN 1/2</td>"));
	assert_non_null(strstr(h, "<td class=\"st maint\">MAINT</td>"));
	assert_non_null(strstr(h, "connection refused"));
	assert_non_null(strstr(h, "bad status 404"));
	assert_non_null(strstr(h, "otel-&lt;c&gt;"));
	assert_null(strstr(h, "otel-<c>"));
	assert_null(strstr(h, "http://")); /* no external asset */
	assert_null(strstr(h, "https://"));
	assert_non_null(strstr(h, "up 1h2m"));
	/* 900 samples <= 250 us, 100 <= 2.5 ms: p99 falls in the 2.5 ms bucket. */
	assert_non_null(strstr(h, "250 us avg, p99 &le; 2.5 ms"));
	assert_non_null(strstr(h, "</html>\n"));

	/* With vrrpd answering: one row per instance. */
	snap.vrrp.available = 1;
	snap.vrrp.n = 1;
	strcpy(snap.vrrp.inst[0].name, "VI_1");
	strcpy(snap.vrrp.inst[0].state, "MASTER");
	snap.vrrp.inst[0].priority = 100;
	snap.vrrp.inst[0].effective_priority = 80;
	strcpy(snap.vrrp.inst[0].vips, "198.51.100.100/24");
	buf_reset(&b);
	assert_int_equal(stats_html_render(&snap, &b), 0);
	h = buf_cstr(&b);
	assert_non_null(strstr(h, "data-state=\"MASTER\">MASTER</td><td>80 (conf 100)</td><td>198.51.100.100/24"));
	buf_free(&b);
}

static int parse(const char *req, struct stats_http_req *r)
{
	return stats_http_parse_request(req, strlen(req), r);
}

static void test_http_parser(void **state)
{
	(void)state;
	struct stats_http_req r;
	const char *get = "GET /stats;csv?x=1 HTTP/1.1\r\nHost: n\r\nAuthorization: Basic YTpi\r\n\r\nGET /";
	assert_int_equal(parse(get, &r), (int)(strstr(get, "\r\n\r\n") - get) + 4);
	assert_int_equal(r.method, STATS_HTTP_GET);
	assert_int_equal(r.path_len, 10);
	assert_memory_equal(r.path, "/stats;csv", 10);
	assert_int_equal(r.auth_len, 10);
	assert_memory_equal(r.auth, "Basic YTpi", 10);
	assert_int_equal(r.close, 0);
	assert_int_equal(parse("HEAD /metrics HTTP/1.0\r\n\r\n", &r), 26);
	assert_int_equal(r.method, STATS_HTTP_HEAD);
	assert_int_equal(r.close, 1); /* HTTP/1.0 */
	assert_int_equal(parse("HEAD /metrics HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &r), 50);
	assert_int_equal(r.close, 0);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: n\r\nConnection: close\r\n\r\n", &r), 46);
	assert_int_equal(r.close, 1);
	assert_int_equal(parse("POST / HTTP/1.1\r\nHost: n\r\nContent-Length: 5\r\n\r\n", &r), 47);
	assert_int_equal(r.method, STATS_HTTP_OTHER);
	assert_int_equal(r.has_body, 1);
	assert_int_equal(parse("POST / HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: chunked\r\n\r\n", &r), 56);
	assert_int_equal(r.has_body, 1);
	/* absolute-form: the path after the authority */
	assert_true(parse("GET http://192.0.2.1:8404/metrics?x HTTP/1.1\r\nHost: 192.0.2.1\r\n\r\n", &r) > 0);
	assert_int_equal(r.path_len, 8);
	assert_memory_equal(r.path, "/metrics", 8);
	assert_true(parse("GET http://192.0.2.1 HTTP/1.1\r\nHost: 192.0.2.1\r\n\r\n", &r) > 0);
	assert_int_equal(stats_http_route(r.path, r.path_len), STATS_ROUTE_ROOT);
	/* the same parser as the proxy: what it refuses, with the status to answer */
	assert_int_equal(parse("GET / HTTP/1.1\r\n\r\n", &r), -1);
	assert_int_equal(r.status, 400); /* no Host in HTTP/1.1 */
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: n\r\nExpect: magic\r\n\r\n", &r), -1);
	assert_int_equal(r.status, 417);
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: n\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", &r),
			 -1);
	assert_int_equal(r.status, 400);
	/* Need more, at every prefix of a valid request. */
	const char *full = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	for (size_t i = 0; i < strlen(full); i++)
		assert_int_equal(stats_http_parse_request(full, i, &r), -2);
	const char *bad[] = {
		"GET /stats HTTP/2.0\r\n\r\n", "GET stats HTTP/1.1\r\n\r\n", "GET  /stats HTTP/1.1\r\n\r\n",
		"GET /stats HTTP/1.1 x\r\n\r\n", "GET /stats HTTP/1.1\r\nHost : x\r\n\r\n",
		"GET /stats HTTP/1.1\r\nHost: x\r\n continued\r\n\r\n", "GET /stats HTTP/1.1\rX\n\r\n",
		"GET /st\x01ts HTTP/1.1\r\n\r\n", "GET /stats HTTP/1.1\r\nX: a\x01b\r\n\r\n", " GET / HTTP/1.1\r\n\r\n",
		"HEAD /metrics HTTP/1.0\n\n", /* bare LF: refused, as by the proxy */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i], &r) != -1)
			fail_msg("accepted: %s", bad[i]);
	/* A head that never ends is refused at the limit. */
	static char big[STATS_HTTP_MAX_HEAD + 100];
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	assert_int_equal(stats_http_parse_request(big, sizeof(big), &r), -1);
	assert_int_equal(r.status, 431);
}

static void test_http_route_and_auth(void **state)
{
	(void)state;
	assert_int_equal(stats_http_route("/stats", 6), STATS_ROUTE_HTML);
	assert_int_equal(stats_http_route("/stats;csv", 10), STATS_ROUTE_CSV);
	assert_int_equal(stats_http_route("/stats;json", 11), STATS_ROUTE_JSON);
	assert_int_equal(stats_http_route("/metrics", 8), STATS_ROUTE_METRICS);
	assert_int_equal(stats_http_route("/healthz", 8), STATS_ROUTE_HEALTHZ);
	assert_int_equal(stats_http_route("/", 1), STATS_ROUTE_ROOT);
	assert_int_equal(stats_http_route("/statsx", 7), STATS_ROUTE_NONE);
	assert_int_equal(stats_http_route("/stats;csvx", 11), STATS_ROUTE_NONE);
	char tok[128];
	assert_int_equal(stats_http_basic_token("admin", "s3cret", tok, sizeof(tok)), 0);
	assert_string_equal(tok, "Basic YWRtaW46czNjcmV0");
	assert_int_equal(stats_http_basic_token("a", "b", tok, sizeof(tok)), 0);
	assert_string_equal(tok, "Basic YTpi");
	assert_int_equal(stats_http_basic_token("ab", "", tok, sizeof(tok)), 0);
	assert_string_equal(tok, "Basic YWI6");
	assert_int_equal(stats_http_basic_token("admin", "s3cret", tok, 10), -1);
	/* RFC 9110 11.1: the scheme is case-insensitive, then 1*SP */
	assert_int_equal(stats_http_basic_token("admin", "s3cret", tok, sizeof(tok)), 0);
	static const char *const good[] = { "Basic YWRtaW46czNjcmV0", "basic YWRtaW46czNjcmV0",
					    "BASIC YWRtaW46czNjcmV0", "bAsIc  YWRtaW46czNjcmV0" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!stats_http_auth_match(tok, good[i], strlen(good[i])))
			fail_msg("refused: %s", good[i]);
	static const char *const bad[] = { "Basic ywrtaw46czNjcmV0", "Basic YWRtaW46czNjcmV0x", "Basic YWRtaW46czNjcmV",
					   "Bearer YWRtaW46czNjcmV0", "Basic", "Basic ", "BasicYWRtaW46czNjcmV0",
					   "Basics YWRtaW46czNjcmV0", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (stats_http_auth_match(tok, bad[i], strlen(bad[i])))
			fail_msg("accepted: %s", bad[i]);
	assert_false(stats_http_auth_match(tok, NULL, 0));
}

/* vrrpd's "status" reply, as vrrpd/stats.c writes it. */
static const char vrrp_status[] =
	"{\"ok\":true,\"instances\":[{\"name\":\"VI_1\",\"interface\":\"eth0\",\"family\":\"ipv4\",\"vrid\":51,"
	"\"state\":\"master\",\"priority\":100,\"effective_priority\":80,\"advert_interval_ms\":1000,"
	"\"master_advert_interval_ms\":1000,\"preempt\":true,\"mode\":\"multicast\",\"vips_installed\":true,"
	"\"vips\":[\"198.51.100.100/24\",\"2001:db8::100/64\"],\"master\":\"198.51.100.11\",\"master_priority\":80,"
	"\"source\":\"198.51.100.11\",\"peers\":[],\"last_transition\":{\"from\":\"backup\",\"reason\":"
	"\"master_down\",\"time_ms\":1700000000000,\"ago_ms\":12500},\"tracks\":[{\"name\":\"lbd\",\"up\":false,"
	"\"weight\":-20,\"last\":\"fail\"}],\"link_up\":true,\"counters\":{\"adverts_sent\":10,\"discards\":"
	"{\"ttl\":0}}},{\"name\":\"VI_6\",\"state\":\"backup\",\"priority\":90,\"effective_priority\":90,"
	"\"vips\":[],\"master\":null}],\"tracks\":[],\"xdp_guards\":[{\"interface\":\"eth0\",\"mode\":"
	"\"native\",\"counters_ok\":true,\"passed\":42,\"dropped\":{\"bad_ttl\":7,\"bad_version\":0,"
	"\"unknown_vrid\":3,\"not_peer\":0,\"truncated\":1,\"future_reason\":9}}]}";

static void test_vrrp_parse(void **state)
{
	(void)state;
	struct stats_vrrp v;
	assert_int_equal(stats_vrrp_parse(vrrp_status, strlen(vrrp_status), &v), 0);
	assert_int_equal(v.available, 1);
	assert_int_equal(v.n, 2);
	assert_string_equal(v.inst[0].name, "VI_1");
	assert_string_equal(v.inst[0].state, "MASTER");
	assert_int_equal(v.inst[0].priority, 100);
	assert_int_equal(v.inst[0].effective_priority, 80);
	assert_string_equal(v.inst[0].vips, "198.51.100.100/24, 2001:db8::100/64");
	assert_string_equal(v.inst[0].master, "198.51.100.11");
	assert_string_equal(v.inst[0].last_transition, "BACKUP -> MASTER, master_down, 12s ago");
	assert_string_equal(v.inst[1].state, "BACKUP");
	assert_string_equal(v.inst[1].master, "unknown");
	assert_int_equal(v.nguards, 1);
	assert_string_equal(v.guards[0].ifname, "eth0");
	assert_string_equal(v.guards[0].mode, "native");
	assert_int_equal(v.guards[0].passed, 42);
	assert_int_equal(v.guards[0].dropped[0], 7); /* bad_ttl */
	assert_int_equal(v.guards[0].dropped[2], 3); /* unknown_vrid */
	assert_int_equal(v.guards[0].dropped[4], 1); /* truncated */
	const char *bad[] = { "{\"xdp_guards\":[{\"passed\":-1}]}", "{\"xdp_guards\":[{\"passed\":1e30}]}",
			      "{\"xdp_guards\":[{\"dropped\":{\"bad_ttl\":0.5}}]}", "{\"xdp_guards\":{}}",
			      "", "{", "[]", "{\"instances\":[{\"name\":1}]}", "{\"instances\":[{]}",
			      "{\"a\":\"\\x\"}", "{\"instances\":[{\"name\":\"a\"}]", "{\"a\":tru}",
			      /* numbers an int cannot hold: refused, not converted (UB) */
			      "{\"instances\":[{\"name\":\"a\",\"priority\":1e30}]}",
			      "{\"instances\":[{\"name\":\"a\",\"effective_priority\":-1e30}]}",
			      "{\"instances\":[{\"name\":\"a\",\"priority\":1e999}]}",
			      "{\"instances\":[{\"name\":\"a\",\"priority\":256}]}",
			      "{\"instances\":[{\"name\":\"a\",\"priority\":99.5}]}",
			      "{\"instances\":[{\"name\":\"a\",\"last_transition\":{\"from\":\"x\",\"ago_ms\":1e300}}]}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (stats_vrrp_parse(bad[i], strlen(bad[i]), &v) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(v.available, 0);
		assert_string_equal(v.error, "vrrpd sent a status this lbd cannot read");
	}
	/* Deep nesting is refused, not recursed into without bound. */
	static char deep[4096];
	size_t n = 0;
	n += (size_t)snprintf(deep, sizeof(deep), "{\"x\":");
	for (int i = 0; i < 1000; i++)
		deep[n++] = '[';
	assert_int_equal(stats_vrrp_parse(deep, n, &v), -1);
	stats_vrrp_query("/nonexistent/vrrpd.sock", 100, &v);
	assert_int_equal(v.available, 0);
	assert_non_null(strstr(v.error, "cannot connect to /nonexistent/vrrpd.sock"));
}

/* The whole way from a configuration to the CSV: status words of the model's states. */
static void test_collect(void **state)
{
	(void)state;
	static const char conf[] =
		"global { workers 2; stats *:8404; }\n"
		"backend thanos { check GET /-/healthy expect 200 rise 2 fall 3;\n"
		"  server a 192.0.2.11:19192; server b 192.0.2.12:19192; server c 192.0.2.13:19192 weight 3; }\n"
		"backend plain { server x 192.0.2.21:80; }\n"
		"frontend tq { bind *:9192; backend thanos; }\n";
	struct lbd_config *cfg;
	char err[256];
	if (config_parse_string("t.conf", conf, strlen(conf), &cfg, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(model_config_adopt_state(cfg, NULL), 0);
	struct backend *be = &cfg->backends[0];
	struct check_outcome ok = { CHECK_OK, 200, 2000, 0 }, bad = { CHECK_CONN_REFUSED, 0, 500, 0 };
	health_apply_result(&be->servers[0], &ok);  /* a: UP */
	health_apply_result(&be->servers[1], &ok);  /* b: UP, then one failure: UP 2/3 */
	health_apply_result(&be->servers[1], &bad);
	atomic_store(&be->servers[2].st->admin, SERVER_DRAIN); /* c: never checked, DOWN; drain shows DOWN */
	model_cnt_add(&cfg->frontends[0].st->cnt.req_total, 7);
	model_resp_count(&be->servers[0].st->cnt, 204);
	struct stats_rates *rates = stats_rates_new();
	stats_rates_sample(rates, cfg, 1000);
	model_cnt_add(&cfg->frontends[0].st->cnt.req_total, 50);
	stats_rates_sample(rates, cfg, 1500);
	struct stats_snapshot s;
	memset(&s, 0, sizeof(s));
	assert_int_equal(stats_collect(cfg, rates, &s), 0);
	assert_int_equal(s.nfrontends, 1);
	assert_int_equal(s.frontends[0].c.req_tot, 57);
	assert_int_equal(s.frontends[0].c.rate, 100); /* 50 in 0.5 s */
	assert_string_equal(s.frontends[0].bind, "0.0.0.0:9192");
	assert_int_equal(s.nbackends, 2);
	const struct stats_backend *b = &s.backends[0];
	assert_string_equal(b->servers[0].status, "UP");
	assert_string_equal(b->servers[0].check_status, "L7OK");
	assert_int_equal(b->servers[0].check_code, 200);
	assert_int_equal(b->servers[0].check_dur_ms, 2);
	assert_int_equal(b->servers[0].c.hrsp[2], 1);
	assert_string_equal(b->servers[1].status, "UP 2/3");
	assert_string_equal(b->servers[1].check_status, "L4CON");
	assert_string_equal(b->servers[2].status, "DOWN");
	assert_int_equal(b->servers[2].weight, 3);
	assert_int_equal(b->nactive_up, 2);
	assert_int_equal(b->weight, 2);
	assert_int_equal(b->up, 1);
	assert_string_equal(s.backends[1].servers[0].status, "no check");
	assert_string_equal(s.backends[0].check, "GET /-/healthy expect 200 every 2000 ms, rise 2, fall 3");
	assert_string_equal(s.backends[1].check, "no check");
	atomic_store(&be->servers[0].st->admin, SERVER_MAINT);
	atomic_store(&be->servers[1].st->admin, SERVER_DRAIN);
	stats_snapshot_free(&s);
	assert_int_equal(stats_collect(cfg, rates, &s), 0);
	assert_string_equal(s.backends[0].servers[0].status, "MAINT");
	assert_string_equal(s.backends[0].servers[1].status, "DRAIN");
	assert_int_equal(s.backends[0].nactive_up, 1); /* drain still counts as up; maint does not */
	struct buf csv = BUF_INIT;
	assert_int_equal(stats_csv_render(&s, &csv), 0);
	assert_non_null(strstr(buf_cstr(&csv), "\nthanos,a,0,0,0,0,,0,0,0,,0,,0,0,0,0,MAINT,1,1,0,"));
	buf_free(&csv);
	stats_snapshot_free(&s);
	stats_rates_free(rates);
	model_config_unref(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_csv, setup),
		cmocka_unit_test_setup(test_prom, setup),
		cmocka_unit_test_setup(test_json, setup),
		cmocka_unit_test(test_quantile),
		cmocka_unit_test_setup(test_html, setup),
		cmocka_unit_test(test_http_parser),
		cmocka_unit_test(test_http_route_and_auth),
		cmocka_unit_test(test_vrrp_parse),
		cmocka_unit_test(test_collect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
