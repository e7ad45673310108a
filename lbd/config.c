/* config: the lbd keyword tables.  Each block kind has its own table; the
 * `defaults` block is read before everything else, whatever its position,
 * and seeds every frontend and backend. */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "model.h"
#include "config_tls.h"

struct defaults {
	struct lbd_timeouts to;
	uint32_t retries;
	uint32_t maxqueue;
	int redispatch;
	int retry_on;
	int forwardfor;
	int access_log;
	uint32_t maxconn;
	uint32_t pool_max_idle;
	uint32_t max_header, max_uri;
};

struct parse_ctx {
	struct config_tls_state tls; /* first: the config_tls keyword handlers get the parse_ctx as theirs */
	struct lbd_config *cfg;
	struct defaults d;
	const struct conf_node **fe_be_nodes; /* the `backend NAME` line of each frontend */
	/* the block being read */
	struct frontend *fe;
	struct backend *be;
};

/* ---- small readers ------------------------------------------------------------ */

static int get_name(const struct conf_node *n, int i, char *out, char *err, size_t errlen)
{
	const char *s = n->args[i];
	size_t len = strlen(s);
	if (len == 0 || len >= MODEL_NAME_MAX)
		return conf_error(err, errlen, n, i, "expected a name of 1 to %d characters", MODEL_NAME_MAX - 1);
	for (const char *p = s; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.'))
			return conf_error(err, errlen, n, i,
					  "expected a name made of letters, digits, '-', '_' and '.', got '%s'", s);
	}
	memcpy(out, s, len + 1);
	return 0;
}

#define MAX_MS (7u * 86400000u) /* the longest duration any keyword takes: 7d */

static int get_size32(const struct conf_node *n, int i, uint32_t min, uint32_t max, uint32_t *out,
		      char *err, size_t errlen)
{
	uint64_t v;
	int rc = conf_get_size(n, i, &v, err, errlen);
	if (rc)
		return rc;
	if (v < min || v > max)
		return conf_error(err, errlen, n, i, "expected a size from %u to %u bytes", min, max);
	*out = (uint32_t)v;
	return 0;
}

/* ---- shared proxy keywords (defaults, frontend, backend) ------------------------- */

static struct lbd_timeouts *ctx_timeouts(struct parse_ctx *c)
{
	if (c->fe)
		return &c->fe->conf.to;
	if (c->be)
		return &c->be->conf.to;
	return &c->d.to;
}

static int kw_timeout(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	static const char *const kinds[] = { "connect", "client", "server", "http-request",
					     "keep-alive", "tunnel", "pool-idle", "queue", NULL };
	struct lbd_timeouts *to = ctx_timeouts(ctx);
	uint32_t *slots[] = { &to->connect_ms, &to->client_ms, &to->server_ms, &to->http_request_ms,
			      &to->keepalive_ms, &to->tunnel_ms, &to->pool_idle_ms, &to->queue_ms };
	int k = conf_get_enum(n, 1, kinds, err, errlen);
	if (k < 0)
		return k;
	return conf_get_ms32(n, 2, 0, MAX_MS, slots[k], err, errlen);
}

static int kw_retries(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct parse_ctx *c = ctx;
	return conf_get_u32(n, 1, 0, 100, c->be ? &c->be->conf.retries : &c->d.retries, err, errlen);
}

static int kw_maxqueue(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct parse_ctx *c = ctx;
	return conf_get_u32(n, 1, 0, 1000000, c->be ? &c->be->conf.maxqueue : &c->d.maxqueue, err, errlen);
}

static int kw_redispatch(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct parse_ctx *c = ctx;
	return conf_get_bool(n, 1, c->be ? &c->be->conf.redispatch : &c->d.redispatch, err, errlen);
}

static int kw_retry_on(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	static const char *const words[] = { "conn-failure", "empty-response", NULL };
	struct parse_ctx *c = ctx;
	int k = conf_get_enum(n, 1, words, err, errlen);
	if (k < 0)
		return k;
	*(c->be ? &c->be->conf.retry_on : &c->d.retry_on) = k;
	return 0;
}

static int kw_forwardfor(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct parse_ctx *c = ctx;
	return conf_get_bool(n, 1, c->fe ? &c->fe->conf.forwardfor : &c->d.forwardfor, err, errlen);
}

static int kw_access_log(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct parse_ctx *c = ctx;
	return conf_get_bool(n, 1, c->fe ? &c->fe->conf.access_log : &c->d.access_log, err, errlen);
}

static int kw_maxconn(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct parse_ctx *c = ctx;
	return conf_get_u32(n, 1, 1, 10000000, c->fe ? &c->fe->conf.maxconn : &c->d.maxconn, err, errlen);
}

static int kw_pool(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct parse_ctx *c = ctx;
	static const char *const what[] = { "max-idle", NULL };
	if (conf_get_enum(n, 1, what, err, errlen) < 0)
		return -EINVAL;
	return conf_get_u32(n, 2, 0, 100000, c->be ? &c->be->conf.pool_max_idle : &c->d.pool_max_idle, err,
		       errlen);
}

static int kw_limit(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct parse_ctx *c = ctx;
	static const char *const what[] = { "header", "uri", NULL };
	int k = conf_get_enum(n, 1, what, err, errlen);
	if (k < 0)
		return k;
	uint32_t *slot = k == 0 ? (c->fe ? &c->fe->conf.max_header : &c->d.max_header)
				: (c->fe ? &c->fe->conf.max_uri : &c->d.max_uri);
	/* A head must fit in one 16 KiB buffer. */
	return get_size32(n, 2, 256, 16384, slot, err, errlen);
}

#define KW_END { NULL, NULL, 0, 0, CONF_NO_BLOCK, 0, NULL }
#define KW_TIMEOUT { "timeout", "timeout connect|client|server|http-request|keep-alive|tunnel|pool-idle|queue DURATION", \
		     2, 2, CONF_NO_BLOCK, CONF_MULTI, kw_timeout }

static const struct conf_keyword defaults_kw[] = {
	KW_TIMEOUT,
	{ "retries", "retries N", 1, 1, CONF_NO_BLOCK, 0, kw_retries },
	{ "maxqueue", "maxqueue N", 1, 1, CONF_NO_BLOCK, 0, kw_maxqueue },
	{ "redispatch", "redispatch on|off", 1, 1, CONF_NO_BLOCK, 0, kw_redispatch },
	{ "retry-on", "retry-on conn-failure|empty-response", 1, 1, CONF_NO_BLOCK, 0, kw_retry_on },
	{ "forwardfor", "forwardfor on|off", 1, 1, CONF_NO_BLOCK, 0, kw_forwardfor },
	{ "access-log", "access-log on|off", 1, 1, CONF_NO_BLOCK, 0, kw_access_log },
	{ "maxconn", "maxconn N", 1, 1, CONF_NO_BLOCK, 0, kw_maxconn },
	{ "pool", "pool max-idle N", 2, 2, CONF_NO_BLOCK, 0, kw_pool },
	{ "limit", "limit header|uri SIZE", 2, 2, CONF_NO_BLOCK, CONF_MULTI, kw_limit },
	KW_END,
};

/* ---- global ------------------------------------------------------------------------- */

static int kw_workers(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct parse_ctx *c = ctx;
	if (strcmp(n->args[1], "auto") == 0) {
		c->cfg->g.workers = 0;
		return 0;
	}
	return conf_get_u32(n, 1, 1, 64, &c->cfg->g.workers, err, errlen);
}

static int kw_gmaxconn(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct parse_ctx *c = ctx;
	return conf_get_u32(n, 1, 1, 10000000, &c->cfg->g.maxconn, err, errlen);
}

static int kw_control(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct parse_ctx *c = ctx;
	const char *p = n->args[1];
	if (p[0] != '/' || strlen(p) >= sizeof(c->cfg->g.control))
		return conf_error(err, errlen, n, 1, "expected an absolute socket path shorter than %zu bytes",
				  sizeof(c->cfg->g.control));
	strcpy(c->cfg->g.control, p);
	return 0;
}

/* The health listener is for vrrpd on the same host: nobody else may reach it. */
static int addr_is_loopback(const struct addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ((const unsigned char *)&((const struct sockaddr_in *)&a->ss)->sin_addr)[0] == 127;
	return a->ss.ss_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
}

static int kw_stats(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct stats_conf *s = &((struct parse_ctx *)ctx)->cfg->g.stats;
	int rc = conf_get_addr(n, 1, ADDR_PORT_REQUIRED | ADDR_WILDCARD, &s->bind, err, errlen);
	if (rc)
		return rc;
	s->enabled = 1;
	for (int i = 2; i < n->nargs; i += 2) {
		static const char *const opts[] = { "auth", "refresh", "vrrp", "health", "tls-cert", NULL };
		int k = conf_get_enum(n, i, opts, err, errlen);
		if (k < 0)
			return k;
		if (i + 1 >= n->nargs)
			return conf_error(err, errlen, n, i, "expected a value after '%s'", n->args[i]);
		if (k == 4) {
			rc = config_tls_stats(s, n, i + 1, err, errlen);
			if (rc)
				return rc;
			continue;
		}
		if (k == 1) {
			rc = conf_get_ms32(n, i + 1, 0, MAX_MS, &s->refresh_ms, err, errlen);
			if (rc)
				return rc;
			continue;
		}
		if (k == 3) {
			rc = conf_get_addr(n, i + 1, ADDR_PORT_REQUIRED, &s->health, err, errlen);
			if (rc)
				return rc;
			if (!addr_is_loopback(&s->health))
				return conf_error(err, errlen, n, i + 1,
						  "expected a loopback address and port for 'health' (127.0.0.1:PORT "
						  "or [::1]:PORT), got '%s'", n->args[i + 1]);
			s->health_enabled = 1;
			continue;
		}
		if (k == 2) {
			const char *p = n->args[i + 1];
			if (p[0] != '/' || strlen(p) >= sizeof(s->vrrp))
				return conf_error(err, errlen, n, i + 1,
						  "expected an absolute socket path shorter than %zu bytes", sizeof(s->vrrp));
			strcpy(s->vrrp, p);
			continue;
		}
		const char *colon = strchr(n->args[i + 1], ':');
		if (!colon || colon == n->args[i + 1] || (size_t)(colon - n->args[i + 1]) >= sizeof(s->user) ||
		    strlen(colon + 1) >= sizeof(s->pass))
			return conf_error(err, errlen, n, i + 1, "expected USER:PASSWORD");
		memcpy(s->user, n->args[i + 1], (size_t)(colon - n->args[i + 1]));
		s->user[colon - n->args[i + 1]] = '\0';
		strcpy(s->pass, colon + 1);
		rc = config_tls_stats_auth(s, n, i + 1, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

static int kw_glog(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	static const char *const targets[] = { "off", "syslog", "stdout", NULL };
	struct parse_ctx *c = ctx;
	int k = conf_get_enum(n, 1, targets, err, errlen);
	if (k < 0)
		return k;
	c->cfg->g.access_log = (enum log_target)k;
	return 0;
}

static int kw_grace(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct parse_ctx *c = ctx;
	return conf_get_ms32(n, 1, 0, MAX_MS, &c->cfg->g.grace_ms, err, errlen);
}

static const struct conf_keyword global_kw[] = {
	{ "workers", "workers N|auto", 1, 1, CONF_NO_BLOCK, 0, kw_workers },
	{ "maxconn", "maxconn N", 1, 1, CONF_NO_BLOCK, 0, kw_gmaxconn },
	{ "control", "control PATH", 1, 1, CONF_NO_BLOCK, 0, kw_control },
	{ "stats", "stats ADDRESS [auth USER:PASSWORD] [refresh DURATION] [vrrp SOCKET] [health ADDRESS] [tls-cert FILE]", 1, 11, CONF_NO_BLOCK, 0, kw_stats },
	{ "access-log", "access-log syslog|stdout|off", 1, 1, CONF_NO_BLOCK, 0, kw_glog },
	{ "grace", "grace DURATION", 1, 1, CONF_NO_BLOCK, 0, kw_grace },
	KW_END,
};

/* ---- backend ------------------------------------------------------------------------ */

static int parse_expect(const struct conf_node *n, int i, struct check_conf *ck, char *err, size_t errlen)
{
	const char *p = n->args[i];
	ck->nexpect = 0;
	while (*p) {
		char *end;
		unsigned long lo = strtoul(p, &end, 10), hi = lo;
		if (end == p || *p < '0' || *p > '9')
			goto bad;
		p = end;
		if (*p == '-') {
			const char *q = p + 1;
			if (*q < '0' || *q > '9')
				goto bad;
			hi = strtoul(q, &end, 10);
			p = end;
		}
		if (lo < 100 || hi > 599 || hi < lo || ck->nexpect == MODEL_MAX_EXPECT)
			goto bad;
		ck->expect[ck->nexpect].lo = (uint16_t)lo;
		ck->expect[ck->nexpect].hi = (uint16_t)hi;
		ck->nexpect++;
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			goto bad;
	}
	if (ck->nexpect)
		return 0;
bad:
	return conf_error(err, errlen, n, i,
			  "expected HTTP statuses like 200, 200,204 or 200-499 (100-599, at most %d items), got '%s'",
			  MODEL_MAX_EXPECT, n->args[i]);
}

static int check_option(const struct conf_node *n, int i, struct check_conf *ck, char *err, size_t errlen)
{
	static const char *const opts[] = { "host", "expect", "interval", "fastinter", "downinter", "timeout",
					    "rise", "fall", "start", "passive", NULL };
	static const char *const starts[] = { "down", "up", NULL };
	int k = conf_get_enum(n, i, opts, err, errlen);
	if (k < 0)
		return k;
	if (i + 1 >= n->nargs)
		return conf_error(err, errlen, n, i, "expected a value after '%s'", n->args[i]);
	switch (k) {
	case 0:
		if (strlen(n->args[i + 1]) >= sizeof(ck->host) || strpbrk(n->args[i + 1], " \t\r\n"))
			return conf_error(err, errlen, n, i + 1, "expected a host name without spaces");
		strcpy(ck->host, n->args[i + 1]);
		return 0;
	case 1: return parse_expect(n, i + 1, ck, err, errlen);
	case 2: return conf_get_ms32(n, i + 1, 0, MAX_MS, &ck->interval_ms, err, errlen);
	case 3: return conf_get_ms32(n, i + 1, 0, MAX_MS, &ck->fastinter_ms, err, errlen);
	case 4: return conf_get_ms32(n, i + 1, 0, MAX_MS, &ck->downinter_ms, err, errlen);
	case 5: return conf_get_ms32(n, i + 1, 0, MAX_MS, &ck->timeout_ms, err, errlen);
	case 6: return conf_get_u32(n, i + 1, 1, 100, &ck->rise, err, errlen);
	case 7: return conf_get_u32(n, i + 1, 1, 100, &ck->fall, err, errlen);
	case 8: {
		int s = conf_get_enum(n, i + 1, starts, err, errlen);
		if (s < 0)
			return s;
		ck->start_up = s;
		return 0;
	}
	default: return conf_get_u32(n, i + 1, 0, 100, &ck->passive_fall, err, errlen);
	}
}

static int kw_check(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct check_conf *ck = &((struct parse_ctx *)ctx)->be->conf.check;
	const char *m = n->args[1], *path = n->args[2];
	static const char *const methods[] = { "GET", "HEAD", "OPTIONS", NULL };
	int rc = conf_get_enum(n, 1, methods, err, errlen);
	if (rc < 0)
		return rc;
	strcpy(ck->method, m);
	if (path[0] != '/' || strlen(path) >= sizeof(ck->path) || strpbrk(path, " \t\r\n"))
		return conf_error(err, errlen, n, 2, "expected a path starting with '/' without spaces");
	strcpy(ck->path, path);
	for (int i = 3; i < n->nargs; i += 2) {
		rc = check_option(n, i, ck, err, errlen);
		if (rc)
			return rc;
	}
	ck->enabled = 1;
	return 0;
}


static int kw_server(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct backend *be = ((struct parse_ctx *)ctx)->be;
	struct server *arr = realloc(be->servers, (size_t)(be->nservers + 1) * sizeof(*arr));
	if (!arr)
		return conf_error(err, errlen, n, 0, "out of memory");
	be->servers = arr;
	struct server *s = &arr[be->nservers];
	memset(s, 0, sizeof(*s));
	s->conf.weight = 1;
	int rc = get_name(n, 1, s->conf.name, err, errlen);
	if (rc)
		return rc;
	rc = conf_get_addr(n, 2, ADDR_PORT_REQUIRED, &s->conf.addr, err, errlen);
	if (rc)
		return rc;
	struct tls_client_conf tc;
	memset(&tc, 0, sizeof(tc));
	for (int i = 3; i < n->nargs; i++) {
		static const char *const opts[] = { "weight", "backup", "maxconn", "disabled", "tls", "ca", "sni",
						    "cert", "verify", NULL };
		int k = conf_get_enum(n, i, opts, err, errlen);
		if (k < 0)
			return k;
		if (k >= 4) { /* tls towards the server (issue 16) */
			rc = config_tls_server_option(n, &i, &tc, err, errlen);
			if (rc)
				return rc;
			continue;
		}
		if (k == 1 || k == 3) {
			*(k == 1 ? &s->conf.backup : &s->conf.disabled) = 1;
			continue;
		}
		if (++i >= n->nargs)
			return conf_error(err, errlen, n, i - 1, "expected a number after '%s'", n->args[i - 1]);
		rc = k == 0 ? conf_get_u32(n, i, 0, 256, &s->conf.weight, err, errlen)
			    : conf_get_u32(n, i, 1, 1000000, &s->conf.maxconn, err, errlen);
		if (rc)
			return rc;
	}
	rc = config_tls_server_build(n, s->conf.name, &tc, &s->tls, err, errlen);
	if (rc)
		return rc;
	config_tls_server_transport(s);
	s->id = be->nservers++;
	if (s->conf.backup)
		be->nbackup++;
	else
		be->nactive++;
	return 0;
}

static const struct conf_keyword backend_kw[] = {
	KW_TIMEOUT,
	{ "retries", "retries N", 1, 1, CONF_NO_BLOCK, 0, kw_retries },
	{ "maxqueue", "maxqueue N", 1, 1, CONF_NO_BLOCK, 0, kw_maxqueue },
	{ "redispatch", "redispatch on|off", 1, 1, CONF_NO_BLOCK, 0, kw_redispatch },
	{ "retry-on", "retry-on conn-failure|empty-response", 1, 1, CONF_NO_BLOCK, 0, kw_retry_on },
	{ "pool", "pool max-idle N", 2, 2, CONF_NO_BLOCK, 0, kw_pool },
	{ "check", "check METHOD PATH [host H] [expect STATUSES] [interval D] [fastinter D] [downinter D] "
		   "[timeout D] [rise N] [fall N] [start up|down] [passive N]",
	  2, -1, CONF_NO_BLOCK, 0, kw_check },
	{ "server", "server NAME ADDRESS [weight N] [backup] [maxconn N] [disabled] "
		    "[tls [ca FILE] [sni NAME] [cert FILE] [verify none|required]]", 2, 18, CONF_NO_BLOCK,
	  CONF_UNIQUE_NAME, kw_server },
	KW_END,
};

static void check_defaults(struct check_conf *ck)
{
	ck->interval_ms = 2000;
	ck->timeout_ms = 2000;
	ck->rise = 2;
	ck->fall = 3;
}

static int top_backend(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct parse_ctx *c = ctx;
	struct lbd_config *cfg = c->cfg;
	struct backend *arr = realloc(cfg->backends, (size_t)(cfg->nbackends + 1) * sizeof(*arr));
	if (!arr)
		return conf_error(err, errlen, n, 0, "out of memory");
	cfg->backends = arr;
	struct backend *be = &arr[cfg->nbackends];
	memset(be, 0, sizeof(*be));
	be->id = cfg->nbackends++;
	int rc = get_name(n, 1, be->conf.name, err, errlen);
	if (rc)
		return rc;
	be->conf.to = c->d.to;
	be->conf.retries = c->d.retries;
	be->conf.maxqueue = c->d.maxqueue;
	be->conf.redispatch = c->d.redispatch;
	be->conf.retry_on = c->d.retry_on;
	be->conf.pool_max_idle = c->d.pool_max_idle;
	check_defaults(&be->conf.check);
	c->be = be;
	rc = conf_dispatch(n, backend_kw, c, err, errlen);
	c->be = NULL;
	if (rc)
		return rc;
	struct check_conf *ck = &be->conf.check;
	if (!ck->fastinter_ms)
		ck->fastinter_ms = ck->interval_ms;
	if (!ck->downinter_ms)
		ck->downinter_ms = ck->interval_ms;
	if (be->nservers == 0)
		return conf_error(err, errlen, n, 1, "expected at least one 'server' in backend '%s'", be->conf.name);
	return 0;
}

/* ---- frontend ------------------------------------------------------------------------- */

static int kw_bind(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct frontend *fe = ((struct parse_ctx *)ctx)->fe;
	if (fe->conf.nbinds == MODEL_MAX_BINDS)
		return conf_error(err, errlen, n, 0, "expected at most %d 'bind' lines per frontend", MODEL_MAX_BINDS);
	return conf_get_addr(n, 1, ADDR_PORT_REQUIRED | ADDR_WILDCARD, &fe->conf.binds[fe->conf.nbinds++], err,
			     errlen);
}

static int kw_fe_backend(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct parse_ctx *c = ctx;
	c->fe_be_nodes[c->fe->id] = n;
	return get_name(n, 1, c->fe->conf.backend, err, errlen);
}

static const struct conf_keyword frontend_kw[] = {
	KW_TIMEOUT,
	{ "bind", "bind ADDRESS", 1, 1, CONF_NO_BLOCK, CONF_MULTI, kw_bind },
	{ "backend", "backend NAME", 1, 1, CONF_NO_BLOCK, 0, kw_fe_backend },
	{ "maxconn", "maxconn N", 1, 1, CONF_NO_BLOCK, 0, kw_maxconn },
	{ "forwardfor", "forwardfor on|off", 1, 1, CONF_NO_BLOCK, 0, kw_forwardfor },
	{ "access-log", "access-log on|off", 1, 1, CONF_NO_BLOCK, 0, kw_access_log },
	{ "limit", "limit header|uri SIZE", 2, 2, CONF_NO_BLOCK, CONF_MULTI, kw_limit },
	CONFIG_TLS_FRONTEND_KEYWORDS,
	KW_END,
};

static int top_frontend(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct parse_ctx *c = ctx;
	struct lbd_config *cfg = c->cfg;
	struct frontend *arr = realloc(cfg->frontends, (size_t)(cfg->nfrontends + 1) * sizeof(*arr));
	if (!arr)
		return conf_error(err, errlen, n, 0, "out of memory");
	cfg->frontends = arr;
	const struct conf_node **nodes = realloc(c->fe_be_nodes, (size_t)(cfg->nfrontends + 1) * sizeof(*nodes));
	if (!nodes)
		return conf_error(err, errlen, n, 0, "out of memory");
	c->fe_be_nodes = nodes;
	struct frontend *fe = &arr[cfg->nfrontends];
	memset(fe, 0, sizeof(*fe));
	nodes[cfg->nfrontends] = NULL;
	fe->id = cfg->nfrontends++;
	int rc = get_name(n, 1, fe->conf.name, err, errlen);
	if (rc)
		return rc;
	fe->conf.to = c->d.to;
	fe->conf.maxconn = c->d.maxconn;
	fe->conf.forwardfor = c->d.forwardfor;
	fe->conf.access_log = c->d.access_log;
	fe->conf.max_header = c->d.max_header;
	fe->conf.max_uri = c->d.max_uri;
	c->fe = c->tls.fe = fe;
	rc = conf_dispatch(n, frontend_kw, c, err, errlen);
	if (rc)
		config_tls_frontend_abort(&c->tls);
	else
		rc = config_tls_frontend_end(&c->tls, n, err, errlen);
	c->fe = c->tls.fe = NULL;
	if (rc)
		return rc;
	if (fe->conf.nbinds == 0)
		return conf_error(err, errlen, n, 1, "expected at least one 'bind' in frontend '%s'", fe->conf.name);
	if (!fe->conf.backend[0])
		return conf_error(err, errlen, n, 1, "expected a 'backend NAME;' line in frontend '%s'", fe->conf.name);
	return 0;
}

/* ---- top level -------------------------------------------------------------------------- */

static int top_global(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	return conf_dispatch(n, global_kw, ctx, err, errlen);
}

static int top_defaults_seen(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	(void)ctx; (void)n; (void)err; (void)errlen;
	return 0; /* read by the first pass */
}

static const struct conf_keyword top_kw[] = {
	{ "global", "global { ... }", 0, 0, CONF_BLOCK, 0, top_global },
	{ "defaults", "defaults { ... }", 0, 0, CONF_BLOCK, 0, top_defaults_seen },
	{ "backend", "backend NAME { ... }", 1, 1, CONF_BLOCK, CONF_UNIQUE_NAME, top_backend },
	{ "frontend", "frontend NAME { ... }", 1, 1, CONF_BLOCK, CONF_UNIQUE_NAME, top_frontend },
	KW_END,
};

static void defaults_init(struct defaults *d)
{
	d->to.connect_ms = 5000;
	d->to.client_ms = 60000;
	d->to.server_ms = 60000;
	d->to.http_request_ms = 10000;
	d->to.keepalive_ms = 10000;
	d->to.tunnel_ms = 3600000;
	d->to.pool_idle_ms = 10000;
	d->retries = 3;
	d->redispatch = 1;
	d->retry_on = RETRY_CONN_FAILURE;
	d->forwardfor = 1;
	d->access_log = 1;
	d->pool_max_idle = 64;
	d->max_header = 16384;
	d->max_uri = 8192;
}

static int same_bind(const struct addr *a, const struct addr *b)
{
	return addr_equal_ip(a, b) && addr_port(a) == addr_port(b);
}

static int resolve(struct parse_ctx *c, const struct conf_node *root, char *err, size_t errlen)
{
	struct lbd_config *cfg = c->cfg;
	for (int i = 0; i < cfg->nbackends; i++)
		for (int j = 0; j < cfg->backends[i].nservers; j++)
			cfg->backends[i].servers[j].be = &cfg->backends[i];
	for (int i = 0; i < cfg->nfrontends; i++) {
		struct frontend *fe = &cfg->frontends[i];
		config_tls_frontend_transport(fe); /* its place is final now */
		fe->be = model_find_backend(cfg, fe->conf.backend);
		if (!fe->be)
			return conf_error(err, errlen, c->fe_be_nodes[i], 1, "expected the name of a backend, "
					  "no backend '%s' is defined", fe->conf.backend);
		for (int j = 0; j <= i; j++)
			for (int a = 0; a < cfg->frontends[j].conf.nbinds; a++)
				for (int b = 0; b < fe->conf.nbinds; b++) {
					if ((j == i && a >= b) || !same_bind(&cfg->frontends[j].conf.binds[a], &fe->conf.binds[b]))
						continue;
					return conf_error(err, errlen, c->fe_be_nodes[i], 0,
							  "frontend '%s' binds an address frontend '%s' already binds, "
							  "expected each address once", fe->conf.name,
							  cfg->frontends[j].conf.name);
				}
	}
	if (cfg->nfrontends == 0) {
		/* The root has no position of its own: point at the file's start. */
		snprintf(err, errlen, "%s:1:1: expected at least one 'frontend NAME { ... }' block",
			 root->file ? root->file : "?");
		return -EINVAL;
	}
	return 0;
}

static int build(const struct conf_tree *t, struct lbd_config **out, char *err, size_t errlen)
{
	struct parse_ctx c;
	int rc = -ENOMEM;
	memset(&c, 0, sizeof(c));
	c.cfg = calloc(1, sizeof(*c.cfg));
	if (!c.cfg)
		return -ENOMEM;
	atomic_init(&c.cfg->refs, 1);
	c.cfg->g.maxconn = 20000;
	c.cfg->g.access_log = LOG_TARGET_SYSLOG;
	c.cfg->g.grace_ms = 10000;
	c.cfg->g.stats.refresh_ms = 10000;
	strcpy(c.cfg->g.stats.vrrp, "/run/vrrpd/vrrpd.sock");
	defaults_init(&c.d);
	for (int i = 0; i < t->root.nchildren; i++) {
		const struct conf_node *n = &t->root.children[i];
		if (strcmp(n->args[0], "defaults") == 0 && n->has_block) {
			rc = conf_dispatch(n, defaults_kw, &c, err, errlen);
			if (rc)
				goto bad;
		}
	}
	rc = conf_dispatch(&t->root, top_kw, &c, err, errlen);
	if (rc)
		goto bad;
	rc = resolve(&c, &t->root, err, errlen);
	if (rc)
		goto bad;
	free(c.fe_be_nodes);
	*out = c.cfg;
	return 0;
bad:
	free(c.fe_be_nodes);
	model_config_unref(c.cfg);
	return rc;
}

int config_load(const char *path, struct lbd_config **out, char *err, size_t errlen)
{
	struct conf_tree *t;
	int rc = conf_load(path, &t, err, errlen);
	if (rc)
		return rc;
	rc = build(t, out, err, errlen);
	conf_free(t);
	if (!rc) {
		(*out)->path = strdup(path);
		if (!(*out)->path) {
			model_config_unref(*out);
			*out = NULL;
			return -ENOMEM;
		}
	}
	return rc;
}

int config_parse_string(const char *name, const char *text, size_t len, struct lbd_config **out, char *err,
			size_t errlen)
{
	struct conf_tree *t;
	int rc = conf_parse_string(name, text, len, &t, err, errlen);
	if (rc)
		return rc;
	rc = build(t, out, err, errlen);
	conf_free(t);
	return rc;
}
