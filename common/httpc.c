/* httpc: one HTTP/1 client exchange (see httpc.h). */
#include "httpc.h"

#include <errno.h>
#include <ev.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "http1.h"
#include "mtime.h"

const char *const httpc_result_names[HTTPC_RESULT_COUNT] = {
	[HTTPC_OK] = "ok",
	[HTTPC_REFUSED] = "refused",
	[HTTPC_CONN_TIMEOUT] = "connect_timeout",
	[HTTPC_RESP_TIMEOUT] = "response_timeout",
	[HTTPC_BAD_RESPONSE] = "bad_response",
	[HTTPC_BODY_MISMATCH] = "body_mismatch",
	[HTTPC_RESET] = "reset",
	[HTTPC_SOCKET_ERROR] = "socket_error",
};

int httpc_format_get(char *out, size_t outlen, const char *method, const char *path, const char *host,
		     const char *ua)
{
	int n;
	if (!host || !host[0])
		n = snprintf(out, outlen, "%s %s HTTP/1.0\r\nUser-Agent: %s\r\nAccept: */*\r\n\r\n", method, path, ua);
	else
		n = snprintf(out, outlen,
			     "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\nConnection: close\r\n\r\n",
			     method, path, host, ua);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	return n;
}

/* ---- the verdict on the bytes (pure) ------------------------------------------ */

static int body_verdict(const char *body, size_t blen, const struct http1_response *r, int ended,
			const char *body_has)
{
	size_t want = strlen(body_has);
	if (r->flags & HTTP1_F_HAS_CL) {
		if (r->content_length <= blen) {
			blen = (size_t)r->content_length;
			ended = 1; /* the bytes after it are not this body */
		}
	}
	if (want <= blen && memmem(body, blen, body_has, want))
		return HTTPC_OK;
	return ended ? HTTPC_BODY_MISMATCH : -2;
}

int httpc_judge(const char *buf, size_t len, int eof, const char *body_has, int *status)
{
	struct http1_response r;
	int full = len >= HTTPC_MAX_RESPONSE;
	size_t off = 0;

	*status = 0;
	if (full)
		len = HTTPC_MAX_RESPONSE;
	for (;;) {
		int n = http1_parse_response(buf + off, len - off, HTTPC_MAX_RESPONSE, &r);
		if (n == -1 || (n == -2 && (eof || full))) {
			*status = 0;
			return HTTPC_BAD_RESPONSE;
		}
		if (n == -2)
			return -2;
		off += (size_t)n;
		*status = r.status;
		/* 100 Continue, 103 Early Hints: an interim answer, the final one follows. */
		if (r.status >= 100 && r.status < 200 && r.status != 101)
			continue;
		if (!body_has || !body_has[0])
			return HTTPC_OK;
		return body_verdict(buf + off, len - off, &r, eof || full, body_has);
	}
}

/* ---- the exchange in flight ----------------------------------------------------- */

enum httpc_phase { HTTPC_CONNECTING, HTTPC_SENDING, HTTPC_READING, HTTPC_DONE };

struct httpc {
	struct ev_loop *loop;
	httpc_done_fn done;
	void *arg;
	int fd;
	const struct httpc_io *hook; /* NULL: send(2)/recv(2) */
	void *conn;             /* io's, while fd is open */
	enum httpc_phase phase;
	uint64_t start_us;
	ev_io io;
	ev_timer timer;         /* the deadline; then the zero timer that calls done */
	struct httpc_outcome out;
	char *body_has;         /* into mem, or NULL */
	char *req;              /* into mem */
	size_t req_len, req_off, rlen;
	char resp[HTTPC_MAX_RESPONSE];
	char mem[];             /* the request, then body_has */
};

/* Closes the socket (and what the hook set up on it). */
static void httpc_close_fd(struct httpc *c)
{
	if (c->fd < 0)
		return;
	if (c->conn)
		c->hook->close(c->conn); /* closes fd */
	else
		close(c->fd);
	c->conn = NULL;
	c->fd = -1;
}

static void httpc_release(struct httpc *c)
{
	ev_io_stop(c->loop, &c->io);
	ev_timer_stop(c->loop, &c->timer);
	httpc_close_fd(c);
	free(c);
}

/* Records the result and calls done from a zero timer, so that done is never
 * called under httpc_start's caller and the exchange can be freed first. */
static void httpc_finish(struct httpc *c, enum httpc_result r, int status, int err)
{
	c->out.result = r;
	c->out.status = status;
	c->out.err = err;
	c->out.duration_us = (uint32_t)(mtime_us() - c->start_us);
	c->phase = HTTPC_DONE;
	ev_io_stop(c->loop, &c->io);
	httpc_close_fd(c);
	ev_timer_stop(c->loop, &c->timer);
	ev_timer_set(&c->timer, 0., 0.);
	ev_timer_start(c->loop, &c->timer);
}

static ssize_t httpc_send(struct httpc *c, const void *buf, size_t len, enum httpc_want *want)
{
	*want = HTTPC_WANT_WRITE;
	if (c->conn)
		return c->hook->send(c->conn, buf, len, want);
	return send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static ssize_t httpc_recv(struct httpc *c, void *buf, size_t len, enum httpc_want *want)
{
	*want = HTTPC_WANT_READ;
	if (c->conn)
		return c->hook->recv(c->conn, buf, len, want);
	return recv(c->fd, buf, len, 0);
}

/* After EAGAIN: wait for the readiness asked for (with a hook, a send may
 * wait to read and a recv to write); the phase says what runs then. */
static void httpc_wait(struct httpc *c, enum httpc_want want)
{
	int ev = want == HTTPC_WANT_WRITE ? EV_WRITE : EV_READ;
	if (ev_is_active(&c->io) && (c->io.events & (EV_READ | EV_WRITE)) == ev)
		return;
	ev_io_stop(c->loop, &c->io);
	ev_io_set(&c->io, c->fd, ev);
	ev_io_start(c->loop, &c->io);
}

static void httpc_on_read(struct httpc *c)
{
	for (;;) {
		int status = 0, v;
		enum httpc_want want;
		size_t room = sizeof(c->resp) - c->rlen;
		ssize_t r = room ? httpc_recv(c, c->resp + c->rlen, room, &want) : 0;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			httpc_wait(c, want);
			return;
		}
		if (r < 0) {
			httpc_finish(c, HTTPC_RESET, 0, errno);
			return;
		}
		c->rlen += (size_t)r;
		/* r == 0 with room left is the server's end; with none, the
		 * judge sees a full buffer and decides. */
		v = httpc_judge(c->resp, c->rlen, r == 0 && room, c->body_has, &status);
		if (v != -2) {
			httpc_finish(c, (enum httpc_result)v, status, 0);
			return;
		}
	}
}

static void httpc_on_send(struct httpc *c)
{
	while (c->req_off < c->req_len) {
		enum httpc_want want;
		ssize_t w = httpc_send(c, c->req + c->req_off, c->req_len - c->req_off, &want);
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			httpc_wait(c, want);
			return;
		}
		if (w < 0) {
			/* The server took the connection and dropped it at once. */
			httpc_finish(c, HTTPC_RESET, 0, errno);
			return;
		}
		c->req_off += (size_t)w;
	}
	c->phase = HTTPC_READING;
	httpc_wait(c, HTTPC_WANT_READ);
}

static void httpc_on_connected(struct httpc *c)
{
	int err = 0;
	socklen_t l = sizeof(err);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0)
		err = errno;
	if (err) {
		httpc_finish(c, HTTPC_REFUSED, 0, err);
		return;
	}
	c->phase = HTTPC_SENDING;
	httpc_on_send(c);
}

static void httpc_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct httpc *c = w->data;
	(void)loop;
	(void)revents;
	switch (c->phase) {
	case HTTPC_CONNECTING:
		httpc_on_connected(c);
		break;
	case HTTPC_SENDING:
		httpc_on_send(c);
		break;
	case HTTPC_READING:
		httpc_on_read(c);
		break;
	case HTTPC_DONE:
		break;
	}
}

/* A loop turn that comes late (the process stalled, or starved of CPU) runs
 * the deadline before the socket's watcher: an answer that came in time
 * would wait unread and the exchange time out.  What the socket has now is
 * taken first. */
static void httpc_take_ready(struct httpc *c)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN | POLLOUT };
	if (c->phase != HTTPC_DONE && c->fd >= 0 && poll(&p, 1, 0) == 1)
		httpc_io_cb(c->loop, &c->io, 0);
}

static void httpc_deliver(struct httpc *c)
{
	struct httpc_outcome o = c->out;
	httpc_done_fn done = c->done;
	void *arg = c->arg;
	httpc_release(c);
	done(arg, &o);
}

static void httpc_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct httpc *c = w->data;
	(void)loop;
	(void)revents;
	if (c->phase != HTTPC_DONE) {
		httpc_take_ready(c);
		if (c->phase != HTTPC_DONE) {
			httpc_finish(c, c->phase == HTTPC_CONNECTING ? HTTPC_CONN_TIMEOUT : HTTPC_RESP_TIMEOUT, 0,
				     c->phase == HTTPC_CONNECTING ? ETIMEDOUT : 0);
			return;
		}
	}
	httpc_deliver(c);
}

int httpc_poll(struct httpc *c)
{
	httpc_take_ready(c);
	if (c->phase != HTTPC_DONE)
		return 0;
	httpc_deliver(c);
	return 1;
}

struct httpc *httpc_start(struct ev_loop *loop, const struct addr *to, const struct httpc_request *req,
			  httpc_done_fn done, void *arg)
{
	size_t bh = req->body_has && req->body_has[0] ? strlen(req->body_has) + 1 : 0;
	struct httpc *c = calloc(1, sizeof(*c) + req->len + bh);
	if (!c)
		return NULL;
	c->loop = loop;
	c->done = done;
	c->arg = arg;
	c->fd = -1;
	c->start_us = mtime_us();
	c->req = c->mem;
	memcpy(c->req, req->bytes, req->len);
	c->req_len = req->len;
	if (bh) {
		c->body_has = c->mem + req->len;
		memcpy(c->body_has, req->body_has, bh);
	}
	ev_io_init(&c->io, httpc_io_cb, -1, EV_WRITE);
	c->io.data = c;
	ev_timer_init(&c->timer, httpc_timer_cb, (double)req->timeout_ms / 1000., 0.);
	c->timer.data = c;

	if (!req->len) {
		httpc_finish(c, HTTPC_SOCKET_ERROR, 0, EINVAL);
		return c;
	}
	c->fd = socket(addr_family(to), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		httpc_finish(c, HTTPC_SOCKET_ERROR, 0, errno);
		return c;
	}
	if (connect(c->fd, (const struct sockaddr *)&to->ss, to->len) < 0 && errno != EINPROGRESS) {
		int e = errno;
		/* No local port or buffer left: our trouble, not the server's. */
		httpc_finish(c, e == EAGAIN || e == ENOBUFS ? HTTPC_SOCKET_ERROR : HTTPC_REFUSED, 0, e);
		return c;
	}
	if (req->io) {
		c->hook = req->io;
		errno = 0;
		c->conn = req->io->open(req->io_arg, c->fd);
		if (!c->conn) {
			httpc_finish(c, HTTPC_SOCKET_ERROR, 0, errno ? errno : ENOMEM);
			return c;
		}
	}
	ev_io_set(&c->io, c->fd, EV_WRITE);
	ev_io_start(loop, &c->io);
	ev_timer_start(loop, &c->timer);
	return c;
}

void httpc_cancel(struct httpc *c)
{
	if (c)
		httpc_release(c);
}
