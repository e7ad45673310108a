#include "stats_http.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "bufsrv.h"
#include "http1.h"
#include "log.h"
#include "stats.h"

/* Admission: a flood of strangers must not take the slots vrrpd's probe of
 * /healthz needs (a failing probe moves the VIP).  Loopback clients may use
 * every slot, others all but STATS_HTTP_LOOPBACK_SLOTS, and one source
 * address at most STATS_HTTP_PER_SOURCE. */
#define STATS_HTTP_MAX_CLIENTS 64
#define STATS_HTTP_LOOPBACK_SLOTS 8
#define STATS_HTTP_PER_SOURCE 8
#define STATS_HTTP_BACKLOG 512
/* Deadlines that bytes do not restart: a whole request head (or the wait for
 * the next one on a kept-alive connection), then the whole answer. */
#define STATS_HTTP_HEAD_S 5.
#define STATS_HTTP_ANSWER_S 10.
#define STATS_HTTP_MAX_PENDING (1u << 20) /* answers queued for a client that does not read */

/* ---- the request, read with common/http1 (pure) ------------------------------ */

/* The path of a request-target: origin-form as is, absolute-form
 * ("http://host/path") from the first '/' after the authority, empty if it
 * has none (the root, RFC 9110 4.2.3); no query.  Always inside the buffer. */
static void target_path(const struct http1_request *h, struct stats_http_req *r)
{
	const char *t = h->target, *end = h->target + h->target_len;
	if (t[0] != '/') {
		const char *auth = memchr(t, ':', h->target_len);
		auth = auth && end - auth >= 3 ? auth + 3 : end; /* past "://" */
		t = memchr(auth, '/', (size_t)(end - auth));
		if (!t) {
			r->path = end;
			r->path_len = 0;
			return;
		}
	}
	const char *q = memchr(t, '?', (size_t)(end - t));
	r->path = t;
	r->path_len = (size_t)((q ? q : end) - t);
}

int stats_http_parse_request(const char *b, size_t len, struct stats_http_req *r)
{
	static const struct http1_limits lim = { .max_head = STATS_HTTP_MAX_HEAD, .max_uri = STATS_HTTP_MAX_HEAD };
	struct http1_request h;
	memset(r, 0, sizeof(*r));
	int n = http1_parse_request(b, len, &lim, &h);
	if (n < 0) {
		r->status = n == -1 ? h.status : 0;
		return n;
	}
	r->method = h.meth == HTTP1_M_GET ? STATS_HTTP_GET : h.meth == HTTP1_M_HEAD ? STATS_HTTP_HEAD : STATS_HTTP_OTHER;
	target_path(&h, r);
	r->minor = h.minor;
	r->close = (h.flags & HTTP1_F_CONN_CLOSE) || (h.minor == 0 && !(h.flags & HTTP1_F_CONN_KEEPALIVE));
	r->has_body = (h.flags & HTTP1_F_CHUNKED) || ((h.flags & HTTP1_F_HAS_CL) && h.content_length > 0);
	for (int i = 0; i < h.nheaders; i++) {
		if (h.headers[i].name_len == 13 && !strncasecmp(h.headers[i].name, "authorization", 13)) {
			r->auth = h.headers[i].value;
			r->auth_len = h.headers[i].value_len;
		}
	}
	return n;
}

enum stats_route stats_http_route(const char *p, size_t n)
{
	static const struct { const char *path; enum stats_route r; } routes[] = {
		{ "/stats", STATS_ROUTE_HTML }, { "/stats/", STATS_ROUTE_HTML },
		{ "/stats;csv", STATS_ROUTE_CSV }, { "/stats;csv;norefresh", STATS_ROUTE_CSV },
		{ "/stats;json", STATS_ROUTE_JSON }, { "/metrics", STATS_ROUTE_METRICS },
		{ "/healthz", STATS_ROUTE_HEALTHZ }, { "/", STATS_ROUTE_ROOT }, { "", STATS_ROUTE_ROOT },
	};
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strlen(routes[i].path) == n && !memcmp(routes[i].path, p, n))
			return routes[i].r;
	return STATS_ROUTE_NONE;
}

int stats_http_basic_token(const char *user, const char *pass, char *out, size_t outlen)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char plain[260];
	int n = snprintf(plain, sizeof(plain), "%s:%s", user, pass);
	if (n < 0 || (size_t)n >= sizeof(plain) || outlen < 6 + ((size_t)n + 2) / 3 * 4 + 1)
		return -1;
	size_t o = (size_t)snprintf(out, outlen, "Basic ");
	const unsigned char *s = (const unsigned char *)plain;
	for (int i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		out[o++] = tbl[(v >> 18) & 63];
		out[o++] = tbl[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? tbl[v & 63] : '=';
	}
	out[o] = '\0';
	return 0;
}

/* ---- the server ------------------------------------------------------------- */

struct stats_conn {
	struct bufsrv_conn c; /* first: the base's view of it */
	struct stats_http *h;
	int more;           /* complete requests wait in `in` for `out` to drain */
	int answering;      /* the deadline is the answer's, not the next head's */
};

struct stats_http {
	struct bufsrv *srv;
	char token[400];     /* "Basic ..." or "" */
	int health_only;     /* the loopback health listener: /healthz and nothing else */
	const struct stats_http_ops *ops;
	void *arg;
};

static void respond(struct stats_conn *c, int head_only, int status, const char *reason, const char *ctype,
		    const char *extra, const char *body, size_t blen)
{
	buf_printf(&c->c.out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		   "Cache-Control: no-cache\r\n%s%s\r\n", status, reason, ctype, blen, extra ? extra : "",
		   c->c.closing ? "Connection: close\r\n" : "");
	if (!head_only)
		buf_append(&c->c.out, body, blen);
}

static void respond_text(struct stats_conn *c, int head_only, int status, const char *reason,
			 const char *extra, const char *text)
{
	respond(c, head_only, status, reason, "text/plain; charset=utf-8", extra, text, strlen(text));
}

int stats_http_auth_match(const char *token, const char *auth, size_t auth_len)
{
	static const char scheme[] = "Basic ";
	const size_t sl = sizeof(scheme) - 1;
	if (!auth || strncmp(token, scheme, sl) || auth_len < sl || strncasecmp(auth, scheme, sl - 1) ||
	    auth[sl - 1] != ' ')
		return 0;
	size_t i = sl;
	while (i < auth_len && auth[i] == ' ')
		i++;
	/* The credentials in constant time, so they cannot be guessed byte by byte. */
	const char *want = token + sl, *got = auth + i;
	size_t n = strlen(want);
	if (auth_len - i != n)
		return 0;
	unsigned char d = 0;
	for (size_t k = 0; k < n; k++)
		d |= (unsigned char)(got[k] ^ want[k]);
	return d == 0;
}

static int auth_ok(const struct stats_http *h, const struct stats_http_req *r)
{
	return !h->token[0] || stats_http_auth_match(h->token, r->auth, r->auth_len);
}

static void serve_snapshot(struct stats_conn *c, const struct stats_http_req *r, enum stats_route rt)
{
	struct stats_http *h = c->h;
	struct stats_snapshot s;
	struct buf body = BUF_INIT;
	memset(&s, 0, sizeof(s));
	int rc = h->ops->snapshot(h->arg, &s);
	const char *ctype = "text/plain; charset=utf-8";
	if (!rc) {
		switch (rt) {
		case STATS_ROUTE_CSV: rc = stats_csv_render(&s, &body); break;
		case STATS_ROUTE_JSON:
			rc = stats_json_render(&s, &body);
			ctype = "application/json";
			break;
		case STATS_ROUTE_METRICS:
			rc = stats_prom_render(&s, &body);
			ctype = "text/plain; version=0.0.4; charset=utf-8";
			break;
		default:
			rc = stats_html_render(&s, &body);
			ctype = "text/html; charset=utf-8";
			break;
		}
	}
	stats_snapshot_free(&s);
	if (rc)
		respond_text(c, r->method == STATS_HTTP_HEAD, 500, "Internal Server Error", NULL, "out of memory\n");
	else
		respond(c, r->method == STATS_HTTP_HEAD, 200, "OK", ctype, NULL, body.data ? body.data : "", body.len);
	buf_free(&body);
}

static void serve(struct stats_conn *c, const struct stats_http_req *r)
{
	int head = r->method == STATS_HTTP_HEAD;
	enum stats_route rt = stats_http_route(r->path, r->path_len);
	if (r->close)
		c->c.closing = 1;
	if (r->has_body) {
		c->c.closing = 1; /* we would not know where the next request starts */
		respond_text(c, head, 400, "Bad Request", NULL, "request bodies are not accepted here\n");
	} else if (c->h->health_only && rt != STATS_ROUTE_HEALTHZ) {
		respond_text(c, head, 404, "Not Found", NULL, "only /healthz here\n");
	} else if (r->method == STATS_HTTP_OTHER) {
		respond_text(c, 0, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n", "only GET and HEAD\n");
	} else if (rt == STATS_ROUTE_HEALTHZ) {
		/* Never behind auth: vrrpd probes it. */
		if (c->h->ops->alive(c->h->arg))
			respond_text(c, head, 200, "OK", NULL, "ok\n");
		else
			respond_text(c, head, 503, "Service Unavailable", NULL, "not serving\n");
	} else if (!auth_ok(c->h, r)) {
		respond_text(c, head, 401, "Unauthorized", "WWW-Authenticate: Basic realm=\"lbd stats\"\r\n",
			     "authentication required\n");
	} else if (rt == STATS_ROUTE_ROOT) {
		respond_text(c, head, 302, "Found", "Location: /stats\r\n", "see /stats\n");
	} else if (rt == STATS_ROUTE_NONE) {
		respond_text(c, head, 404, "Not Found",
			     NULL, "not found; try /stats, /stats;csv, /stats;json, /metrics, /healthz\n");
	} else {
		serve_snapshot(c, r, rt);
	}
}

/* Answers the complete requests in `in`, in order (pipelining), while less
 * than STATS_HTTP_MAX_PENDING waits to be sent: a client that pipelines
 * without reading gets no more memory than that.  No deadline restarts on a
 * byte: a trickled head still ends. */
static void conn_process(struct stats_conn *c)
{
	struct bufsrv_conn *b = &c->c;
	c->more = 0;
	while (b->in.len && !b->closing) {
		if (b->out.len >= STATS_HTTP_MAX_PENDING) {
			c->more = 1;
			break;
		}
		struct stats_http_req r;
		int used = stats_http_parse_request(b->in.data, b->in.len, &r);
		if (used == -2)
			break;
		if (used < 0) {
			b->closing = 1;
			respond_text(c, 0, r.status, http1_status_text(r.status), NULL, "bad request\n");
			break;
		}
		serve(c, &r);
		buf_consume(&b->in, (size_t)used);
		if (!c->answering) {
			c->answering = 1;
			bufsrv_deadline(b, STATS_HTTP_ANSWER_S);
		}
	}
	if (b->eof && !c->more)
		b->closing = 1; /* what it sent before its end is answered, no more */
}

static void conn_input(void *arg, struct bufsrv_conn *b)
{
	(void)arg;
	conn_process((struct stats_conn *)b);
}

/* All was sent: the deadline is the next head's, and requests held back by
 * STATS_HTTP_MAX_PENDING are answered. */
static void conn_drained(void *arg, struct bufsrv_conn *b)
{
	struct stats_conn *c = (struct stats_conn *)b;
	(void)arg;
	if (c->answering) {
		c->answering = 0;
		bufsrv_deadline(b, STATS_HTTP_HEAD_S);
	}
	if (c->more)
		conn_process(c);
}

static int is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const unsigned char *)&((const struct sockaddr_in *)ss)->sin_addr)[0] == 127;
	if (ss->ss_family != AF_INET6)
		return 0;
	const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	if (IN6_IS_ADDR_V4MAPPED(a))
		return a->s6_addr[12] == 127;
	return IN6_IS_ADDR_LOOPBACK(a);
}

static int same_source(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr));
	return 0;
}

/* 1 if a client from c->peer may have a slot (see STATS_HTTP_LOOPBACK_SLOTS). */
static int conn_admit(void *arg, const struct bufsrv_conn *c)
{
	struct stats_http *h = arg;
	if (is_loopback(&c->peer))
		return 1;
	int strangers = 0, same = 0;
	for (struct bufsrv_conn *o = bufsrv_conns(h->srv); o; o = o->next) {
		strangers += !is_loopback(&o->peer);
		same += same_source(&o->peer, &c->peer);
	}
	return strangers < STATS_HTTP_MAX_CLIENTS - STATS_HTTP_LOOPBACK_SLOTS && same < STATS_HTTP_PER_SOURCE;
}

static void conn_opened(void *arg, struct bufsrv_conn *b)
{
	((struct stats_conn *)b)->h = arg;
	bufsrv_deadline(b, STATS_HTTP_HEAD_S);
}

static const struct bufsrv_ops stats_http_conn_ops = {
	.admit = conn_admit,
	.opened = conn_opened,
	.input = conn_input,
	.drained = conn_drained,
};

struct stats_http *stats_http_open(struct ev_loop *loop, const struct addr *where, int health_only,
				   const char *user, const char *pass, const struct stats_http_ops *ops, void *arg,
				   char *err, size_t errlen)
{
	char a[ADDR_STRLEN];
	int one = 1, fd = -1;
	struct stats_http *h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "stats: out of memory");
		return NULL;
	}
	h->ops = ops;
	h->arg = arg;
	h->health_only = health_only;
	if (!health_only && user && user[0] && stats_http_basic_token(user, pass ? pass : "", h->token, sizeof(h->token))) {
		snprintf(err, errlen, "stats: user and password too long");
		goto fail;
	}
	fd = socket(addr_family(where), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto sockerr;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&where->ss, where->len) < 0 || listen(fd, STATS_HTTP_BACKLOG) < 0)
		goto sockerr;
	/* the socket is the base's from here, also when it fails */
	h->srv = bufsrv_new(loop, fd, STATS_HTTP_MAX_CLIENTS, sizeof(struct stats_conn), &stats_http_conn_ops, h);
	if (!h->srv) {
		snprintf(err, errlen, "stats: out of memory");
		goto fail;
	}
	return h;
sockerr:
	snprintf(err, errlen, "%s: cannot listen on %s: %s", health_only ? "stats health" : "stats", addr_format(where, a, sizeof(a)), strerror(errno));
	if (fd >= 0)
		close(fd);
fail:
	free(h);
	return NULL;
}

void stats_http_close(struct stats_http *h)
{
	if (!h)
		return;
	bufsrv_free(h->srv);
	free(h);
}
