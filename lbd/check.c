#include "check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "httpc.h"
#include "tls_client.h"
#include "transport.h"

/* ---- names ----------------------------------------------------------------- */

static const char *const reason_haproxy[CHECK_REASON_COUNT] = {
	[CHECK_NONE] = "INI",
	[CHECK_OK] = "L7OK",
	[CHECK_CONN_REFUSED] = "L4CON",
	[CHECK_CONN_TIMEOUT] = "L4TOUT",
	[CHECK_RESP_TIMEOUT] = "L7TOUT",
	[CHECK_BAD_STATUS] = "L7STS",
	[CHECK_INVALID_RESP] = "L7RSP",
	[CHECK_CONN_ERROR] = "SOCKERR",
	[CHECK_PASSIVE] = "L4CON", /* live traffic could not connect */
	[CHECK_PEER_DOWN] = "L4CON", /* its node is down: nothing would connect */
};

static const char *const reason_haproxy_desc[CHECK_REASON_COUNT] = {
	[CHECK_NONE] = "Initializing",
	[CHECK_OK] = "Layer7 check passed",
	[CHECK_CONN_REFUSED] = "Layer4 connection problem",
	[CHECK_CONN_TIMEOUT] = "Layer4 timeout",
	[CHECK_RESP_TIMEOUT] = "Layer7 timeout",
	[CHECK_BAD_STATUS] = "Layer7 wrong status",
	[CHECK_INVALID_RESP] = "Layer7 invalid response",
	[CHECK_CONN_ERROR] = "Socket error",
	[CHECK_PASSIVE] = "Connection failures from traffic",
	[CHECK_PEER_DOWN] = "Peer node down (vrrpd)",
};

const char *check_reason_haproxy(enum check_reason r)
{
	return (unsigned)r < CHECK_REASON_COUNT ? reason_haproxy[r] : "UNK";
}

const char *check_reason_haproxy_desc(enum check_reason r)
{
	return (unsigned)r < CHECK_REASON_COUNT ? reason_haproxy_desc[r] : "Unknown";
}

/* ---- expect ---------------------------------------------------------------- */

int check_expect_match(const struct check_conf *c, int code)
{
	if (c->nexpect == 0)
		return code >= 200 && code <= 399;
	for (int i = 0; i < c->nexpect; i++)
		if (code >= c->expect[i].lo && code <= c->expect[i].hi)
			return 1;
	return 0;
}

const char *check_expect_format(const struct check_conf *c, char *out, size_t outlen)
{
	size_t off = 0;
	if (outlen)
		out[0] = '\0';
	if (c->nexpect == 0) {
		snprintf(out, outlen, "2xx-3xx");
		return out;
	}
	for (int i = 0; i < c->nexpect && off < outlen; i++) {
		int w;
		if (c->expect[i].lo == c->expect[i].hi)
			w = snprintf(out + off, outlen - off, "%s%u", i ? "," : "", c->expect[i].lo);
		else
			w = snprintf(out + off, outlen - off, "%s%u-%u", i ? "," : "",
				     c->expect[i].lo, c->expect[i].hi);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	return out;
}

/* ---- classification ------------------------------------------------------- */

enum check_reason check_classify(const struct httpc_outcome *o, const struct check_conf *c)
{
	switch (o->result) {
	case HTTPC_OK:
		return check_expect_match(c, o->status) ? CHECK_OK : CHECK_BAD_STATUS;
	case HTTPC_REFUSED:
		return CHECK_CONN_REFUSED;
	case HTTPC_CONN_TIMEOUT:
		return CHECK_CONN_TIMEOUT;
	case HTTPC_RESP_TIMEOUT:
		return CHECK_RESP_TIMEOUT;
	case HTTPC_SOCKET_ERROR:
		return CHECK_CONN_ERROR;
	case HTTPC_BAD_RESPONSE:
	case HTTPC_BODY_MISMATCH:
	case HTTPC_RESET: /* connected, then dropped: the server's answer was no answer */
	default:
		return CHECK_INVALID_RESP;
	}
}

/* ---- request ---------------------------------------------------------------- */

int check_format_request(const struct check_conf *c, const struct addr *a, char *out, size_t outlen)
{
	(void)a;
	/* As HAProxy: without a configured host the check is HTTP/1.0 without
	 * Host (any server takes it); with one it is HTTP/1.1 with that Host. */
	return httpc_format_get(out, outlen, c->method, c->path, c->host, "lbd-check");
}

/* ---- the check in flight ---------------------------------------------------- */

struct check {
	const struct check_conf *conf;
	struct httpc *x;
	check_done_fn done;
	void *arg;
};

static void check_done(void *arg, const struct httpc_outcome *o)
{
	struct check *c = arg;
	struct check_outcome out = {
		.result = check_classify(o, c->conf),
		.code = o->result == HTTPC_OK ? o->status : 0,
		.duration_us = o->duration_us,
		.err = o->err,
	};
	check_done_fn done = c->done;
	void *darg = c->arg;
	free(c);
	done(darg, &out);
}

/* ---- HTTPS: httpc's bytes through a TLS transport (issue 16) ----------------- */

static void *check_tls_open(void *arg, int fd)
{
	struct tconn *tc = calloc(1, sizeof(*tc));
	if (!tc)
		return NULL;
	tc->fd = fd;
	tc->ops = &transport_tcp;
	if (tls_conn_connect(tc, arg)) {
		free(tc);
		errno = ENOMEM;
		return NULL;
	}
	return tc;
}

static enum httpc_want check_tls_want(const struct tconn *tc, enum httpc_want dflt)
{
	return tc->want == TRANSPORT_WANT_READ    ? HTTPC_WANT_READ
	       : tc->want == TRANSPORT_WANT_WRITE ? HTTPC_WANT_WRITE
						  : dflt;
}

static ssize_t check_tls_send(void *conn, const void *buf, size_t len, enum httpc_want *want)
{
	struct tconn *tc = conn;
	ssize_t n = tc->ops->send(tc, buf, len);
	*want = check_tls_want(tc, HTTPC_WANT_WRITE);
	return n;
}

static ssize_t check_tls_recv(void *conn, void *buf, size_t len, enum httpc_want *want)
{
	struct tconn *tc = conn;
	ssize_t n = tc->ops->recv(tc, buf, len);
	*want = check_tls_want(tc, HTTPC_WANT_READ);
	return n;
}

static void check_tls_close(void *conn)
{
	struct tconn *tc = conn;
	tc->ops->close(tc);
	free(tc);
}

static const struct httpc_io check_tls_io = {
	.open = check_tls_open,
	.send = check_tls_send,
	.recv = check_tls_recv,
	.close = check_tls_close,
};

struct check *check_start(struct ev_loop *loop, const struct check_conf *conf,
			  const struct addr *a, struct tls_client *tls, check_done_fn done, void *arg)
{
	char req[MODEL_PATH_MAX + MODEL_NAME_MAX * 2 + 128];
	struct check *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->conf = conf;
	c->done = done;
	c->arg = arg;
	int n = check_format_request(conf, a, req, sizeof(req));
	/* A request that does not fit is sent as nothing: httpc answers SOCKET_ERROR. */
	struct httpc_request hr = {
		.bytes = req,
		.len = n > 0 ? (size_t)n : 0,
		.timeout_ms = conf->timeout_ms,
		.io = tls ? &check_tls_io : NULL,
		.io_arg = tls,
	};
	c->x = httpc_start(loop, a, &hr, check_done, c);
	if (!c->x) {
		free(c);
		return NULL;
	}
	return c;
}

void check_cancel(struct check *c)
{
	if (!c)
		return;
	httpc_cancel(c->x);
	free(c);
}
