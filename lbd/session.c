/* session: one client connection and the requests on it.
 *
 * Every event (client readable/writable, server readable/writable, timer)
 * sets a readiness flag and calls pump(), which moves bytes in each
 * direction until nothing more can move, then adjusts the watchers.  The
 * request and response each go through a head parser, a head rewrite and a
 * body framer (Content-Length, chunked, until-close) over a 16 KiB buffer,
 * so memory per connection is bounded whatever the body size.  A session
 * closed inside a callback is freed by that callback's caller (sess_done). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include "addr.h"
#include "headrw.h"
#include "http1.h"
#include "model.h"
#include "mtime.h"
#include "proxy.h"
#include "queue.h"
#include "relay.h"
#include "tls_transport.h"
#include "transport.h"

static void client_io_cb(struct ev_loop *loop, ev_io *io, int revents);
static void timer_cb(struct ev_loop *loop, ev_timer *t, int revents);

/* ---- lifecycle --------------------------------------------------------------------- */

void session_accept(struct worker *w, struct frontend *fe, int fd, const struct sockaddr *sa, socklen_t salen)
{
	struct session *s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		return;
	}
	s->w = w;
	s->cfg = w->cfg;
	model_config_ref(s->cfg);
	s->fe = fe;
	s->fd = s->tc.fd = fd;
	s->tc.ops = &transport_tcp;
	/* tls (issue 16): a TLS frontend wraps the socket; the rest does not know. */
	if (fe->tls && tls_conn_accept(&s->tc, fe->tls, &fe->st->tls)) {
		model_config_unref(s->cfg);
		free(s);
		close(fd);
		return;
	}
	s->zp.rfd = s->zp.wfd = -1;
	if (salen <= sizeof(s->peer))
		memcpy(&s->peer, sa, salen);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ev_io_init(&s->rio, client_io_cb, fd, EV_READ);
	ev_io_init(&s->wio, client_io_cb, fd, EV_WRITE);
	s->rio.data = s->wio.data = s;
	ev_init(&s->tmr, timer_cb);
	s->tmr.data = s;
	s->next = w->sessions;
	if (w->sessions)
		w->sessions->prev = s;
	w->sessions = s;
	atomic_fetch_add_explicit(&w->nsess, 1, memory_order_relaxed);
	workers_conn_add(w->all, 1);
	model_sess_inc(&fe->st->cnt);
	s->phase = PH_IDLE;
	ev_io_start(w->loop, &s->rio);
	sess_arm(s, ev_now(w->loop) + fe->conf.to.http_request_ms / 1000.0);
}

void sess_txn_free(struct worker *w, struct txn *t)
{
	if (!t)
		return;
	if (w->nfree_txns < 256) {
		*(struct txn **)t = w->free_txns;
		w->free_txns = t;
		w->nfree_txns++;
	} else {
		free(t);
	}
}

struct txn *sess_txn_new(struct session *s)
{
	struct worker *w = s->w;
	struct txn *t = w->free_txns;
	if (t) {
		w->free_txns = *(struct txn **)t;
		w->nfree_txns--;
	} else {
		t = malloc(sizeof(*t));
		if (!t)
			return NULL;
	}
	memset(t, 0, sizeof(*t));
	t->t_start = ev_now(w->loop);
	strcpy(t->logreq, "-");
	s->tx = t;
	return t;
}

/* Tear down everything but the memory (freed by sess_done). */
static void sess_teardown(struct session *s)
{
	struct worker *w = s->w;
	if (s->closed)
		return;
	s->closed = 1;
	queue_remove(s);
	if (s->tx)
		relay_txn_end(s);
	ev_io_stop(w->loop, &s->rio);
	ev_io_stop(w->loop, &s->wio);
	ev_timer_stop(w->loop, &s->tmr);
	s->tc.ops->close(&s->tc);
	s->fd = -1;
	worker_buf_put(w, s->in);
	worker_buf_put(w, s->out);
	s->in = s->out = NULL;
	model_sess_dec(&s->fe->st->cnt);
	if (s->prev)
		s->prev->next = s->next;
	else
		w->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	worker_session_closed(w);
}

void sess_kill(struct session *s)
{
	sess_teardown(s);
}

static void sess_free(struct session *s)
{
	model_config_unref(s->cfg);
	free(s);
}

void session_close(struct session *s)
{
	sess_teardown(s);
	sess_free(s);
}

/* Stopping: a keep-alive connection is closed at a request boundary, never
 * under a client that may be sending its next request: the next answer
 * says "Connection: close" (relay_request), and one idle for
 * SESSION_STOP_IDLE_S is closed.  Closing an idle connection at once would
 * reset the request a busy client sends in the same instant. */
void session_stop_idle(struct session *s)
{
	if (s->phase == PH_IDLE && !(s->in && s->in->end))
		sess_arm(s, ev_now(s->w->loop) + SESSION_STOP_IDLE_S);
}

/* ---- timers ------------------------------------------------------------------------------ */

void sess_arm(struct session *s, ev_tstamp at)
{
	s->deadline = at;
	/* The timer may fire early; it is moved only when the deadline comes
	 * closer, so most I/O costs no timer operation. */
	if (ev_is_active(&s->tmr) && s->tmr_at <= at)
		return;
	struct ev_loop *loop = s->w->loop;
	ev_timer_stop(loop, &s->tmr);
	ev_tstamp d = at - ev_now(loop);
	ev_timer_set(&s->tmr, d > 0 ? d : 0.001, 0);
	ev_timer_start(loop, &s->tmr);
	s->tmr_at = at;
}

static void timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct session *s = t->data;
	(void)revents;
	ev_tstamp now = ev_now(loop);
	s->tmr_at = 0;
	if (s->phase == PH_ACTIVE || s->phase == PH_TUNNEL) {
		relay_timeout(s, now);
	} else if (now + 0.0005 < s->deadline) {
		sess_arm(s, s->deadline);
	} else {
		switch (s->phase) {
		case PH_IDLE:
			sess_kill(s); /* keep-alive over: no answer, as HAProxy does */
			break;
		case PH_HEAD:
			relay_error(s, 408, TERM_CLIENT_TIMEOUT); /* counted with the transaction */
			break;
		case PH_QUEUED:
			queue_remove(s);
			model_cnt_add(&s->tx->be->st->cnt.q_timeouts, 1);
			relay_error(s, 503, TERM_QUEUE_TIMEOUT);
			break;
		case PH_CONNECT:
			relay_connect_failed(s, ETIMEDOUT);
			break;
		default:
			sess_kill(s);
			break;
		}
	}
	sess_pump(s);
}

/* ---- client I/O --------------------------------------------------------------------------- */

/* A queued request's client is not read (its request waits whole in s->in),
 * only watched, so that one who gives up leaves the queue at once (as
 * HAProxy's "option abortonclose" does).  More
 * bytes from it (pipelining) stop the watch until the request leaves the
 * queue. */
static int client_left_queue(struct session *s)
{
	char c;
	ssize_t r = recv(s->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	s->c_readable = 0;
	if (r > 0) {
		s->q_peeked = 1;
		return 0;
	}
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	/* Gone (or half-closed, which HTTP/1.1 clients do not do while waiting
	 * for an answer): nobody to answer, the slot goes to the next one. */
	s->c_eof = 1;
	relay_client_gone(s);
	return 1;
}

/* Read what the client sent, when it is useful now. */
static int client_in(struct session *s)
{
	if (!s->c_readable && s->tc.ops->pending(&s->tc))
		s->c_readable = 1; /* tls: decrypted bytes wait inside the transport */
	if (!s->c_readable || s->c_eof)
		return 0;
	if (s->phase == PH_QUEUED)
		return client_left_queue(s);
	if (s->phase == PH_CLOSING || s->phase == PH_CONNECT || relay_splice_request_next(s))
		return 0;
	/* Bytes after this request (pipelined) wait in the buffer for its response. */
	if (!s->in && !(s->in = worker_buf_get(s->w)))
		return 0;
	struct dbuf *b = s->in;
	if (!dbuf_room(b))
		relay_in_compact(s);
	size_t space = dbuf_room(b);
	if (!space)
		return 0; /* watch_client stops reading until the server takes more */
	ssize_t r = s->tc.ops->recv(&s->tc, b->data + b->end, space);
	if (r > 0) {
		b->end += (uint32_t)r;
		s->c_last = ev_now(s->w->loop);
		if ((size_t)r < space)
			s->c_readable = 0;
	} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
		s->c_eof = 1;
	} else {
		s->c_readable = 0;
		if (s->phase == PH_IDLE && b->end == 0) {
			worker_buf_put(s->w, b); /* idle connections hold no buffer */
			s->in = NULL;
		}
		return 0;
	}
	relay_client_data(s);
	return 1;
}

/* Send the response bytes that are ready. */
static int client_out(struct session *s)
{
	struct dbuf *b = s->out;
	if (!b || s->c_wblocked || s->fd < 0 || b->start >= s->rfend)
		return 0;
	size_t n = s->rfend - b->start;
	int was_full = b->end - b->start >= DBUF_FILL;
	ssize_t r = s->tc.ops->send(&s->tc, b->data + b->start, n);
	if (r < 0) {
		if (errno == EAGAIN || errno == EINTR) {
			s->c_wblocked = 1;
			return 0;
		}
		relay_client_gone(s);
		return 1;
	}
	b->start += (uint32_t)r;
	if (s->tx)
		s->tx->bytes_out += (uint64_t)r;
	s->c_last = ev_now(s->w->loop);
	if (was_full)
		s->s_last = s->c_last; /* room for the server again: its idle time starts now */
	if ((size_t)r < n)
		s->c_wblocked = 1;
	if (b->start == b->end) {
		s->rfend = s->rparse = 0;
		b->start = b->end = 0;
	}
	return 1;
}

static void watch_client(struct session *s)
{
	struct ev_loop *loop = s->w->loop;
	/* A full buffer still has room once what went to the server is dropped
	 * (relay_in_compact), unless the bytes still to send fill it alone. */
	uint32_t sent = (s->phase == PH_ACTIVE || s->phase == PH_TUNNEL) ? s->wpos : 0;
	int full = s->in && s->in->end - sent >= DBUF_FILL;
	/* Reading stays on while a response flows, so a keep-alive request costs
	 * no epoll_ctl. */
	int want_r = !s->c_eof && s->phase != PH_CLOSING && s->phase != PH_CONNECT && !full &&
		     !(relay_splice_request_next(s) && (s->zp.len || s->wpos != s->fend)) &&
		     !(s->phase == PH_QUEUED && s->q_peeked);
	int want_w = s->c_wblocked || s->tc.want == TRANSPORT_WANT_WRITE; /* tls: a read may wait to write */
	if (want_r != ev_is_active(&s->rio))
		(want_r ? ev_io_start : ev_io_stop)(loop, &s->rio);
	if (want_w != ev_is_active(&s->wio))
		(want_w ? ev_io_start : ev_io_stop)(loop, &s->wio);
}

void sess_pump(struct session *s)
{
	for (int i = 0; i < 64 && !s->closed; i++) {
		int moved = client_in(s);
		if (s->closed)
			break;
		moved |= relay_server_io(s);
		if (s->closed)
			break;
		moved |= client_out(s);
		if (s->closed)
			break;
		moved |= relay_progress(s);
		if (!moved)
			break;
	}
	if (s->closed) {
		sess_free(s);
		return;
	}
	watch_client(s);
	relay_watch_server(s);
}

static void client_io_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct session *s = io->data;
	(void)loop;
	if (revents & EV_READ)
		s->c_readable = 1;
	if (revents & EV_WRITE)
		s->c_wblocked = 0;
	if (s->tc.ops != &transport_tcp) { /* tls: a read may wait to write, a write to read */
		s->c_readable = 1;
		s->c_wblocked = 0;
	}
	sess_pump(s);
}

void session_up_event(struct session *s, int revents)
{
	if (revents & EV_READ)
		s->s_readable = 1;
	if (revents & EV_WRITE)
		relay_server_writable(s);
	if (s->up && s->up->connected && s->up->tc.ops != &transport_tcp) { /* tls: as for the client */
		s->s_readable = 1;
		s->s_wblocked = 0;
	}
	sess_pump(s);
}

/* "192.0.2.1" for X-Forwarded-For. */
const char *sess_client_ip(const struct session *s, char *buf, size_t len)
{
	if (s->peer.sa.sa_family == AF_INET6) {
		const struct in6_addr *a = &s->peer.in6.sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a) && len >= ADDR_IP4_STRLEN)
			return addr_ip4_text(&a->s6_addr[12], buf);
		return inet_ntop(AF_INET6, a, buf, (socklen_t)len);
	}
	if (len < ADDR_IP4_STRLEN)
		return NULL;
	return addr_ip4_text((const unsigned char *)&s->peer.in4.sin_addr, buf);
}
