#include "check.h"

#include <errno.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mtime.h"
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

/* ---- status line ------------------------------------------------------------ */

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int check_parse_status_line(const char *buf, size_t len, int *code)
{
	static const char proto[] = "HTTP/";
	size_t i;
	*code = 0;
	/* "HTTP/" DIGIT "." DIGIT SP: fixed shape, checked byte by byte so that
	 * a prefix of a valid line asks for more instead of failing. */
	for (i = 0; i < 5; i++) {
		if (i >= len)
			return -2;
		if (buf[i] != proto[i])
			return -1;
	}
	const char shape[] = "9.9 999";
	int c = 0;
	for (size_t k = 0; k < sizeof(shape) - 1; k++, i++) {
		if (i >= len)
			return -2;
		if (shape[k] == '9') {
			if (!is_digit(buf[i]))
				return -1;
			if (k >= 4)
				c = c * 10 + (buf[i] - '0');
		} else if (buf[i] != shape[k]) {
			return -1;
		}
	}
	if (buf[5] != '1' || c < 100)
		return -1; /* only HTTP/1.x answers an HTTP/1.1 request */
	/* Then SP reason-phrase, or nothing, up to CRLF (a bare LF is accepted,
	 * as RFC 9112 section 2.2 allows a recipient to). */
	if (i >= len)
		return -2;
	if (buf[i] == ' ') {
		for (i++; i < len; i++) {
			unsigned char ch = (unsigned char)buf[i];
			if (ch == '\r' || ch == '\n')
				break;
			if (ch != '\t' && (ch < 0x20 || ch == 0x7f))
				return -1;
			if (i >= CHECK_STATUS_LINE_MAX)
				return -1;
		}
		if (i >= len)
			return len >= CHECK_STATUS_LINE_MAX ? -1 : -2;
	}
	if (buf[i] == '\r') {
		if (++i >= len)
			return -2;
		if (buf[i] != '\n')
			return -1;
	} else if (buf[i] != '\n') {
		return -1;
	}
	*code = c;
	return (int)(i + 1);
}

enum check_reason check_classify(int parsed, int code, int eof, int timed_out,
				 const struct check_conf *c)
{
	if (parsed > 0)
		return check_expect_match(c, code) ? CHECK_OK : CHECK_BAD_STATUS;
	if (parsed == -1)
		return CHECK_INVALID_RESP;
	if (eof)
		return CHECK_INVALID_RESP; /* closed before a whole status line */
	return timed_out ? CHECK_RESP_TIMEOUT : CHECK_INVALID_RESP;
}

/* ---- request ---------------------------------------------------------------- */

int check_format_request(const struct check_conf *c, const struct addr *a, char *out, size_t outlen)
{
	int n;
	(void)a;
	/* As HAProxy: without a configured host the check is HTTP/1.0 without
	 * Host (any server takes it); with one it is HTTP/1.1 with that Host. */
	if (!c->host[0])
		n = snprintf(out, outlen, "%s %s HTTP/1.0\r\nUser-Agent: lbd-check\r\nAccept: */*\r\n\r\n",
			     c->method, c->path);
	else
		n = snprintf(out, outlen,
			     "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: lbd-check\r\n"
			     "Accept: */*\r\nConnection: close\r\n\r\n",
			     c->method, c->path, c->host);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	return n;
}

/* ---- the check in flight ---------------------------------------------------- */

enum check_phase { PH_CONNECT, PH_SEND, PH_READ, PH_DONE };

struct check {
	struct ev_loop *loop;
	const struct check_conf *conf;
	check_done_fn done;
	void *arg;
	int fd;
	struct tconn tc;         /* tcp, or tls (check_set_tls); fd == tc.fd */
	enum check_phase phase;
	uint64_t start_us;
	ev_io io;
	ev_timer timer;
	struct check_outcome out;
	size_t req_len, req_off, rlen;
	char req[MODEL_PATH_MAX + MODEL_NAME_MAX * 2 + 128];
	char resp[CHECK_STATUS_LINE_MAX];
};

static void check_free(struct check *c)
{
	ev_io_stop(c->loop, &c->io);
	ev_timer_stop(c->loop, &c->timer);
	if (c->fd >= 0)
		c->tc.ops->close(&c->tc);
	free(c);
}

/* Records the result and calls done from a zero timer, so that done is never
 * called under check_start's caller and the check can be freed first. */
static void check_finish(struct check *c, enum check_reason r, int code, int err)
{
	c->out.result = r;
	c->out.code = code;
	c->out.err = err;
	c->out.duration_us = (uint32_t)(mtime_us() - c->start_us);
	c->phase = PH_DONE;
	ev_io_stop(c->loop, &c->io);
	if (c->fd >= 0) {
		c->tc.ops->close(&c->tc);
		c->fd = -1;
	}
	ev_timer_stop(c->loop, &c->timer);
	ev_timer_set(&c->timer, 0., 0.);
	ev_timer_start(c->loop, &c->timer);
}

/* After EAGAIN: wait for what the transport needs (tls: a send may wait to
 * read, a read to write); the phase decides what runs next. */
static void check_wait(struct check *c)
{
	int ev = c->tc.want == TRANSPORT_WANT_WRITE ? EV_WRITE : EV_READ;
	if (c->tc.want == TRANSPORT_WANT_NONE)
		ev = c->phase == PH_SEND ? EV_WRITE : EV_READ;
	if (ev_is_active(&c->io) && (c->io.events & (EV_READ | EV_WRITE)) == ev)
		return;
	ev_io_stop(c->loop, &c->io);
	ev_io_set(&c->io, c->fd, ev);
	ev_io_start(c->loop, &c->io);
}

static void check_on_read(struct check *c)
{
	for (;;) {
		ssize_t r = c->tc.ops->recv(&c->tc, c->resp + c->rlen, sizeof(c->resp) - c->rlen);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			check_wait(c);
			return;
		}
		int code = 0;
		if (r <= 0) {
			int parsed = check_parse_status_line(c->resp, c->rlen, &code);
			check_finish(c, check_classify(parsed, code, 1, 0, c->conf), code, 0);
			return;
		}
		c->rlen += (size_t)r;
		int parsed = check_parse_status_line(c->resp, c->rlen, &code);
		if (parsed != -2 || c->rlen == sizeof(c->resp)) {
			if (parsed == -2)
				parsed = -1;
			check_finish(c, check_classify(parsed, code, 0, 0, c->conf), code, 0);
			return;
		}
	}
}

static void check_on_send(struct check *c)
{
	while (c->req_off < c->req_len) {
		ssize_t w = c->tc.ops->send(&c->tc, c->req + c->req_off, c->req_len - c->req_off);
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			check_wait(c);
			return;
		}
		if (w < 0) {
			/* The server took the connection and dropped it at once. */
			check_finish(c, CHECK_INVALID_RESP, 0, errno);
			return;
		}
		c->req_off += (size_t)w;
	}
	c->phase = PH_READ;
	ev_io_stop(c->loop, &c->io);
	ev_io_set(&c->io, c->fd, EV_READ);
	ev_io_start(c->loop, &c->io);
}

static void check_on_connected(struct check *c)
{
	int err = 0;
	socklen_t l = sizeof(err);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0)
		err = errno;
	if (err) {
		check_finish(c, CHECK_CONN_REFUSED, 0, err);
		return;
	}
	c->phase = PH_SEND;
	/* The rest of the budget is for the answer. */
	uint64_t spent_ms = (mtime_us() - c->start_us) / 1000;
	uint64_t left = c->conf->timeout_ms > spent_ms ? c->conf->timeout_ms - spent_ms : 1;
	ev_timer_stop(c->loop, &c->timer);
	ev_timer_set(&c->timer, (double)left / 1000., 0.);
	ev_timer_start(c->loop, &c->timer);
	check_on_send(c);
}

static void check_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check *c = w->data;
	(void)loop;
	(void)revents;
	switch (c->phase) {
	case PH_CONNECT:
		check_on_connected(c);
		break;
	case PH_SEND:
		check_on_send(c);
		break;
	case PH_READ:
		check_on_read(c);
		break;
	case PH_DONE:
		break;
	}
}

static void check_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct check *c = w->data;
	(void)loop;
	(void)revents;
	if (c->phase == PH_DONE) {
		struct check_outcome o = c->out;
		check_done_fn done = c->done;
		void *arg = c->arg;
		check_free(c);
		done(arg, &o);
		return;
	}
	if (c->phase == PH_CONNECT) {
		check_finish(c, CHECK_CONN_TIMEOUT, 0, ETIMEDOUT);
		return;
	}
	int code = 0;
	int parsed = check_parse_status_line(c->resp, c->rlen, &code);
	check_finish(c, check_classify(parsed, code, 0, 1, c->conf), code, 0);
}

struct check *check_start(struct ev_loop *loop, const struct check_conf *conf,
			  const struct addr *a, check_done_fn done, void *arg)
{
	struct check *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->loop = loop;
	c->conf = conf;
	c->done = done;
	c->arg = arg;
	c->fd = -1;
	c->start_us = mtime_us();
	ev_io_init(&c->io, check_io_cb, -1, EV_WRITE);
	c->io.data = c;
	ev_timer_init(&c->timer, check_timer_cb, (double)conf->timeout_ms / 1000., 0.);
	c->timer.data = c;

	int n = check_format_request(conf, a, c->req, sizeof(c->req));
	if (n < 0) {
		check_finish(c, CHECK_CONN_ERROR, 0, E2BIG);
		return c;
	}
	c->req_len = (size_t)n;
	c->fd = c->tc.fd = socket(addr_family(a), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	c->tc.ops = &transport_tcp;
	if (c->fd < 0) {
		check_finish(c, CHECK_CONN_ERROR, 0, errno);
		return c;
	}
	if (connect(c->fd, (const struct sockaddr *)&a->ss, a->len) < 0 && errno != EINPROGRESS) {
		int e = errno;
		check_finish(c, e == EAGAIN || e == ENOBUFS ? CHECK_CONN_ERROR : CHECK_CONN_REFUSED, 0, e);
		return c;
	}
	ev_io_set(&c->io, c->fd, EV_WRITE);
	ev_io_start(loop, &c->io);
	ev_timer_start(loop, &c->timer);
	return c;
}

void check_set_tls(struct check *c, struct tls_client *t)
{
	if (c->phase != PH_CONNECT || c->fd < 0)
		return; /* already finished (could not connect) */
	if (tls_conn_connect(&c->tc, t))
		check_finish(c, CHECK_CONN_ERROR, 0, ENOMEM);
}

void check_cancel(struct check *c)
{
	if (c)
		check_free(c);
}
