/* stats_http: the :8404 listener.  A small HTTP/1.1 server on a libev loop
 * (keep-alive, pipelining, GET and HEAD only, no request bodies) serving
 *   /stats          HTML            /stats;csv   HAProxy's CSV
 *   /stats;json     JSON            /metrics     Prometheus text format
 *   /healthz        200 "ok" while lbd's workers serve, else 503
 * with optional basic auth on everything but /healthz (vrrpd probes it).
 * The same server, opened health_only, is the loopback health listener: it
 * answers /healthz and 404 to the rest, so a flood on the stats port cannot
 * reach the endpoint vrrpd tracks.  Each listener holds 64 clients, some
 * kept for loopback, 8 per source address, and gives a request head 5 s and
 * an answer 10 s in all (bytes do not restart those deadlines).
 * Requests are read with common/http1 (the proxy's parser, as strict);
 * stats_http_parse_request keeps what the listener needs of one, pure, so
 * it is unit-tested and fuzzed. */
#ifndef LBD_STATS_HTTP_H
#define LBD_STATS_HTTP_H

#include <stddef.h>

struct addr;
struct ev_loop;
struct stats_snapshot;
struct stats_http;

#define STATS_HTTP_MAX_HEAD 8192

enum stats_http_method { STATS_HTTP_GET, STATS_HTTP_HEAD, STATS_HTTP_OTHER };

struct stats_http_req {
	enum stats_http_method method;
	const char *path;       /* into the caller's buffer; without the query */
	size_t path_len;
	const char *auth;       /* Authorization value, NULL if none */
	size_t auth_len;
	int minor;              /* HTTP/1.<minor> */
	int close;              /* the client asked not to keep the connection */
	int has_body;           /* Content-Length > 0 or Transfer-Encoding */
	int status;             /* on -1: the status to answer (400, 414, 431, 501...) */
};

/* The head's length, -2 (need more) or -1 (invalid, with r->status). */
int stats_http_parse_request(const char *buf, size_t len, struct stats_http_req *r);

enum stats_route {
	STATS_ROUTE_NONE, STATS_ROUTE_HTML, STATS_ROUTE_CSV, STATS_ROUTE_JSON,
	STATS_ROUTE_METRICS, STATS_ROUTE_HEALTHZ, STATS_ROUTE_ROOT,
};
enum stats_route stats_http_route(const char *path, size_t len);

/* "Basic dXNlcjpwYXNz" for user:pass into out; 0 or -1 if it does not fit. */
int stats_http_basic_token(const char *user, const char *pass, char *out, size_t outlen);
/* 1 if an Authorization value (auth, auth_len; NULL if none) carries the
 * credentials of `token` (from stats_http_basic_token()).  The scheme is
 * matched case-insensitively, the credentials in constant time. */
int stats_http_auth_match(const char *token, const char *auth, size_t auth_len);

struct stats_http_ops {
	/* Fill a snapshot (stats_snapshot_free() is called on it after). */
	int (*snapshot)(void *arg, struct stats_snapshot *s);
	/* 1 while lbd serves (for /healthz). */
	int (*alive)(void *arg);
};

/* Listens on `where`; user NULL or "" = no auth (ignored if health_only).
 * NULL with err filled. */
struct stats_http *stats_http_open(struct ev_loop *loop, const struct addr *where, int health_only,
				   const char *user, const char *pass, const struct stats_http_ops *ops, void *arg,
				   char *err, size_t errlen);
void stats_http_close(struct stats_http *h); /* NULL is fine */

#endif
