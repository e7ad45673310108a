/* h1conn: one HTTP/1 client connection (see h1conn.h).
 *
 * Every event (client readable/writable, server readable/writable, timer,
 * the queue letting the request out) sets a readiness flag or tells the
 * exchange, then calls pump(), which moves bytes in each direction until
 * nothing more can move, then adjusts the watchers.  The request and
 * response each go through a head parser, a head rewrite and a body framer
 * (Content-Length, chunked, until-close) over a 16 KiB buffer, so memory
 * per connection is bounded whatever the body size.  A connection closed
 * inside a callback is freed by pump, after it. */
#include "h1conn.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "accesslog.h"
#include "dbuf.h"
#include "model.h"
#include "roundrobin.h"
#include "upstream.h"

#define MAX_FREE_TXNS 256

static const struct xch_ops h1_ops;
static void client_io_cb(struct ev_loop *loop, ev_io *io, int revents);
static void timer_cb(struct ev_loop *loop, ev_timer *t, int revents);

static struct h1conn *of(struct exchange *x)
{
	return (struct h1conn *)x; /* x is h1conn's first member */
}

/* ---- lifecycle --------------------------------------------------------------------- */

int h1conn_accept(struct worker *w, struct frontend *fe, int fd, const struct sockaddr *sa, socklen_t salen)
{
	struct h1conn *s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		return -ENOMEM;
	}
	s->w = w;
	s->cfg = w->cfg;
	model_config_ref(s->cfg);
	s->c.fd = fd;
	s->c.ops = fe->tr ? fe->tr : &transport_tcp;
	/* A transport with per-connection state (TLS) makes it from fe->tr_ctx
	 * (and may hand over to another ops table). */
	if (s->c.ops->open && s->c.ops->open(&s->c, fe->tr_ctx)) {
		int e = errno;
		model_config_unref(s->cfg);
		free(s);
		close(fd);
		return -e;
	}
	s->c_hs = !s->c.ops->handshake;
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
	s->next = w->conns_list;
	if (w->conns_list)
		w->conns_list->prev = s;
	w->conns_list = s;
	atomic_fetch_add_explicit(&w->nsess, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(w->conns, 1, memory_order_relaxed);
	model_sess_inc(&fe->st->cnt);
	ev_io_start(w->loop, &s->rio);
	xch_init(&s->x, &h1_ops, fe, h1_now(s));
	s->x.busy = &w->nbusy;
	return 0;
}

static void turn_forget(struct h1conn *s);

/* Tear down everything but the memory (freed by pump, or h1conn_close). */
static void teardown(struct h1conn *s)
{
	struct worker *w = s->w;
	if (s->closed)
		return;
	s->closed = 1;
	turn_forget(s);
	xch_teardown(&s->x, h1_now(s));
	ev_io_stop(w->loop, &s->rio);
	ev_io_stop(w->loop, &s->wio);
	ev_timer_stop(w->loop, &s->tmr);
	s->c.ops->close(&s->c);
	dbuf_put(&w->bufs, s->in);
	dbuf_put(&w->bufs, s->out);
	s->in = s->out = NULL;
	model_sess_dec(&s->x.fe->st->cnt);
	if (s->prev)
		s->prev->next = s->next;
	else
		w->conns_list = s->next;
	if (s->next)
		s->next->prev = s->prev;
	atomic_fetch_sub_explicit(&w->nsess, 1, memory_order_relaxed);
	atomic_fetch_sub_explicit(w->conns, 1, memory_order_relaxed);
	w->conn_closed(w);
}

static void h1_free(struct h1conn *s)
{
	model_config_unref(s->cfg);
	free(s);
}

void h1conn_close(struct h1conn *s)
{
	teardown(s);
	h1_free(s);
}

void h1conn_stop_idle(struct h1conn *s)
{
	xch_stop_idle(&s->x, s->in && s->in->end, h1_now(s));
}

/* ---- timer --------------------------------------------------------------------------- */

static void arm(struct h1conn *s, double at)
{
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

static void pump(struct h1conn *s);

static void timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct h1conn *s = t->data;
	(void)revents;
	s->tmr_at = 0;
	xch_timer(&s->x, ev_now(loop));
	pump(s);
}

/* ---- client I/O ------------------------------------------------------------------------- */

/* The client transport's set-up (TLS handshake) before its first byte is read. */
static int client_handshake(struct h1conn *s)
{
	if (s->c.ops->handshake(&s->c) == 0) {
		s->c_hs = 1;
		return 1;
	}
	if (errno == EAGAIN) {
		s->c_readable = 0;
		s->c_rwait_w = s->c.want == TRANSPORT_WANT_WRITE;
		return 0;
	}
	s->c_eof = 1;
	xch_close(&s->x); /* no request yet: nobody to answer */
	return 1;
}

/* A queued request's client is read only to see whether it leaves (its
 * request waits whole in s->in), so that one who gives up leaves the queue
 * at once (as HAProxy's "option abortonclose" does).  More bytes from it
 * (pipelining) go behind the request in the buffer, to be framed once it
 * leaves the queue, and stop the watch until then. */
static int client_left_queue(struct h1conn *s)
{
	struct dbuf *b = s->in;
	/* Bytes the transport holds (TLS read-ahead) announce no readiness:
	 * they are read when the request leaves the queue.  Seen: a TLS PUT
	 * whose buffer was full when it joined the queue, with its last
	 * record already in OpenSSL, waited for the client timeout. */
	size_t space = b ? dbuf_room(b) : 0;
	if (!space) {
		s->q_peeked = 1;
		s->c_readable = s->c.ops->pending(&s->c) != 0;
		return 0;
	}
	s->c_readable = 0;
	ssize_t r = s->c.ops->recv(&s->c, b->data + b->end, space);
	if (r > 0) {
		b->end += (uint32_t)r;
		s->q_peeked = s->q_unframed = 1;
		s->c_readable = s->c.ops->pending(&s->c) != 0;
		return 0;
	}
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	/* Gone (or half-closed, which HTTP/1.1 clients do not do while waiting
	 * for an answer): nobody to answer, the slot goes to the next one. */
	s->c_eof = 1;
	xch_client_gone(&s->x);
	return 1;
}

/* Read what the client sent, when it is useful now. */
static int client_in(struct h1conn *s)
{
	enum xch_phase ph = s->x.phase;
	if (s->q_unframed && (ph == XCH_ACTIVE || ph == XCH_TUNNEL)) {
		s->q_unframed = 0;
		h1_client_data(s);
		return 1;
	}
	if (!s->c_readable || s->c_eof)
		return 0;
	if (!s->c_hs)
		return client_handshake(s);
	if (ph == XCH_QUEUED)
		return client_left_queue(s);
	if (ph == XCH_CLOSING || ph == XCH_CONNECT || h1_splice_request_next(s))
		return 0;
	/* Bytes after this request (pipelined) wait in the buffer for its response. */
	if (!s->in && !(s->in = dbuf_get(&s->w->bufs)))
		return 0;
	struct dbuf *b = s->in;
	if (!dbuf_room(b))
		h1_in_compact(s);
	size_t space = dbuf_room(b);
	if (!space)
		return 0; /* watch_client stops reading until the server takes more */
	ssize_t r = s->c.ops->recv(&s->c, b->data + b->end, space);
	if (r > 0) {
		b->end += (uint32_t)r;
		s->c_last = h1_now(s);
		if ((size_t)r < space && !s->c.ops->pending(&s->c))
			s->c_readable = 0;
	} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
		s->c_eof = 1;
	} else {
		s->c_readable = 0;
		s->c_rwait_w = s->c.want == TRANSPORT_WANT_WRITE;
		if (ph == XCH_IDLE && b->end == 0) {
			dbuf_put(&s->w->bufs, b); /* idle connections hold no buffer */
			s->in = NULL;
		}
		return 0;
	}
	h1_client_data(s);
	return 1;
}

/* Send the response bytes that are ready. */
static int client_out(struct h1conn *s)
{
	struct dbuf *b = s->out;
	if (!b || s->c_wblocked || s->c.fd < 0 || b->start >= s->rfend)
		return 0;
	size_t n = s->rfend - b->start;
	int was_full = b->end - b->start >= DBUF_FILL;
	ssize_t r = s->c.ops->send(&s->c, b->data + b->start, n);
	if (r < 0) {
		if (errno == EAGAIN || errno == EINTR) {
			s->c_wblocked = 1;
			s->c_wwait_r = s->c.want == TRANSPORT_WANT_READ;
			return 0;
		}
		xch_client_gone(&s->x);
		return 1;
	}
	b->start += (uint32_t)r;
	if (s->x.tx)
		s->x.tx->bytes_out += (uint64_t)r;
	s->c_last = h1_now(s);
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

static void watch_client(struct h1conn *s)
{
	struct ev_loop *loop = s->w->loop;
	enum xch_phase ph = s->x.phase;
	/* A full buffer still has room once what went to the server is dropped
	 * (h1_in_compact), unless the bytes still to send fill it alone. */
	uint32_t sent = (ph == XCH_ACTIVE || ph == XCH_TUNNEL) ? s->wpos : 0;
	int full = s->in && s->in->end - sent >= DBUF_FILL;
	/* Reading stays on while a response flows, so a keep-alive request costs
	 * no epoll_ctl. */
	int want_r = !s->c_eof && ph != XCH_CLOSING && ph != XCH_CONNECT && !full &&
		     !(h1_splice_request_next(s) && (s->zp.len || s->wpos != s->fend)) &&
		     !(ph == XCH_QUEUED && s->q_peeked);
	int want_w = s->c_wblocked;
	int ev_r = want_r, ev_w = want_w;
	if (s->c_rwait_w | s->c_wwait_r) { /* a transport needs the other readiness to go on (TLS) */
		ev_r = (want_r && !s->c_rwait_w) || (want_w && s->c_wwait_r);
		ev_w = (want_w && !s->c_wwait_r) || (want_r && s->c_rwait_w);
	}
	if (ev_r != ev_is_active(&s->rio))
		(ev_r ? ev_io_start : ev_io_stop)(loop, &s->rio);
	if (ev_w != ev_is_active(&s->wio))
		(ev_w ? ev_io_start : ev_io_stop)(loop, &s->wio);
}

/* One connection moves at most PUMP_TURNS steps per event, so that the
 * others on the worker get theirs. */
#define PUMP_TURNS 64

/* A connection stopped at the cap goes on after the loop's next poll, with
 * the events that poll brings.  Not by ev_feed_event on its own watcher:
 * libev runs the event fed last first, before those already pending, so
 * a connection that kept reaching the cap kept the worker (seen: a plain
 * GET waited behind a spliced download until that one met EAGAIN). */
static void turn_later(struct h1conn *s)
{
	struct worker *w = s->w;
	if (s->turn_due)
		return;
	if (w->nturns == w->turns_cap) {
		int cap = w->turns_cap ? 2 * w->turns_cap : 16;
		struct h1conn **t = realloc(w->turns, (size_t)cap * sizeof(*t));
		if (!t) {
			ev_feed_event(w->loop, &s->wio, 0); /* at once rather than never */
			return;
		}
		w->turns = t;
		w->turns_cap = cap;
	}
	w->turns[w->nturns++] = s;
	s->turn_due = 1;
	if (!ev_is_active(&w->turn)) {
		ev_timer_set(&w->turn, 0., 0.); /* due at once: the poll does not wait */
		ev_timer_start(w->loop, &w->turn);
	}
}

static void turn_forget(struct h1conn *s)
{
	struct worker *w = s->w;
	if (!s->turn_due)
		return;
	s->turn_due = 0;
	for (int i = 0; i < w->nturns; i++) {
		if (w->turns[i] == s) {
			w->turns[i] = NULL;
			break;
		}
	}
}

/* Each connection due gets one pump; one that reaches the cap again is due
 * after the next poll. */
static void turn_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct worker *w = t->data;
	(void)revents;
	int n = w->nturns;
	for (int i = 0; i < n; i++) {
		struct h1conn *s = w->turns[i]; /* turns may move: pump can add to it */
		if (!s)
			continue;
		w->turns[i] = NULL;
		s->turn_due = 0;
		pump(s);
	}
	int k = 0;
	for (int i = n; i < w->nturns; i++)
		if (w->turns[i])
			w->turns[k++] = w->turns[i];
	w->nturns = k;
	if (k) {
		ev_timer_set(&w->turn, 0., 0.);
		ev_timer_start(loop, &w->turn);
	}
}

void h1conn_worker_init(struct worker *w)
{
	ev_timer_init(&w->turn, turn_cb, 0., 0.);
	w->turn.data = w;
}

void h1conn_worker_free(struct worker *w)
{
	ev_timer_stop(w->loop, &w->turn);
	free(w->turns);
	w->turns = NULL;
	w->nturns = w->turns_cap = 0;
}

static void pump(struct h1conn *s)
{
	int more = 0;
	for (int i = 0; !s->closed; i++) {
		if (i == PUMP_TURNS) {
			more = 1;
			break;
		}
		int moved = client_in(s);
		if (s->closed)
			break;
		moved |= h1_server_io(s);
		if (s->closed)
			break;
		moved |= client_out(s);
		if (s->closed)
			break;
		moved |= h1_progress(s);
		if (!moved)
			break;
	}
	if (s->closed) {
		h1_free(s);
		return;
	}
	watch_client(s);
	h1_watch_server(s);
	/* Stopped while still moving: no readiness event need come for what is
	 * left (a pipe half drained into a client socket that still has room
	 * waits on neither socket), so the connection goes on by itself.  Seen:
	 * a 1 GiB chunked download under CPU load stalled until the server's
	 * send timeout. */
	if (more)
		turn_later(s);
}

static void client_io_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct h1conn *s = io->data;
	(void)loop;
	if (revents & EV_READ) {
		if (s->c_wwait_r)
			s->c_wblocked = s->c_wwait_r = 0;
		if (!s->c_rwait_w)
			s->c_readable = 1;
	}
	if (revents & EV_WRITE) {
		if (s->c_rwait_w) {
			s->c_rwait_w = 0;
			s->c_readable = 1;
		}
		if (!s->c_wwait_r)
			s->c_wblocked = 0;
	}
	pump(s);
}

/* ---- the server connection and the queue report here ------------------------------------- */

static void server_event(void *owner, int revents)
{
	struct h1conn *s = owner;
	if (revents & EV_READ) {
		if (s->s_wwait_r)
			s->s_wblocked = s->s_wwait_r = 0;
		if (!s->s_rwait_w)
			s->s_readable = 1;
	}
	if (revents & EV_WRITE)
		h1_server_writable(s);
	pump(s);
}

static void dequeued(struct queue_entry *e)
{
	struct h1txn *t = (struct h1txn *)((char *)e - offsetof(struct h1txn, qe));
	struct h1conn *s = t->conn;
	xch_dequeued(&s->x, h1_now(s));
	pump(s);
}

/* ---- what the exchange asks (struct xch_ops) ---------------------------------------------- */

static void op_arm(struct exchange *x, double at)
{
	arm(of(x), at);
}

static void op_kill(struct exchange *x)
{
	teardown(of(x));
}

static int op_client_pending(struct exchange *x)
{
	struct h1conn *s = of(x);
	int n = 0;
	if (s->c.fd < 0)
		return 0;
	return s->c.ops->pending(&s->c) > 0 || (ioctl(s->c.fd, FIONREAD, &n) == 0 && n > 0);
}

static int op_send_error(struct exchange *x, int status)
{
	struct h1conn *s = of(x);
	if (!s->out && !(s->out = dbuf_get(&s->w->bufs)))
		return -1;
	const char *text = http1_status_text(status);
	char body[64];
	int bl = snprintf(body, sizeof(body), "%d %s\n", status, text);
	struct dbuf *b = s->out;
	const char *hdr = h1_txn(s)->err_hdr; /* WWW-Authenticate, Location (h1req.c) */
	int n = snprintf(b->data, DBUF_FILL,
			 "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
			 "Cache-Control: no-cache\r\nConnection: close\r\n%s%s\r\n%s",
			 status, text, bl, hdr ? hdr : "", hdr ? "\r\n" : "", body);
	b->start = 0;
	b->end = (uint32_t)n;
	s->rparse = s->rfend = (uint32_t)n;
	h1_txn(s)->resp_head_done = 1;
	return 0;
}

static struct xch_txn *op_txn_new(struct exchange *x)
{
	struct h1conn *s = of(x);
	struct worker *w = s->w;
	struct h1txn *t = w->free_txns;
	if (t) {
		w->free_txns = *(void **)t;
		w->nfree_txns--;
	} else {
		t = malloc(sizeof(*t));
		if (!t)
			return NULL;
	}
	memset(t, 0, sizeof(*t));
	t->conn = s;
	return &t->x;
}

static void op_txn_free(struct exchange *x, struct xch_txn *tx)
{
	struct h1conn *s = of(x);
	struct worker *w = s->w;
	free(((struct h1txn *)tx)->err_hdr);
	zpipe_put(&w->zpipes, &s->zp);
	s->zdir = 0;
	s->q_unframed = 0;
	if (w->nfree_txns < MAX_FREE_TXNS) {
		*(void **)tx = w->free_txns;
		w->free_txns = tx;
		w->nfree_txns++;
	} else {
		free(tx);
	}
}

static struct server *op_pick(struct exchange *x, struct backend *be, const struct server *avoid)
{
	struct h1conn *s = of(x);
	struct worker *w = s->w;
	struct roundrobin *rr = s->cfg == w->cfg && be->id < w->lb.n ? &w->lb.be[be->id] : NULL;
	return roundrobin_pick(be, rr, avoid);
}

static int op_queue(struct exchange *x)
{
	struct h1conn *s = of(x);
	struct h1txn *t = h1_txn(s);
	struct backend *be = t->x.be;
	if (!roundrobin_should_queue(be) || (be->conf.maxqueue && model_cnt_get(&be->st->cnt.q_cur) >= be->conf.maxqueue))
		return -1;
	t->qe.be = be;
	t->qe.avoid = t->x.last_srv;
	t->qe.ready = dequeued;
	s->q_peeked = 0;
	queue_add(&s->w->queue, &t->qe);
	return 0;
}

static void op_unqueue(struct exchange *x)
{
	struct h1conn *s = of(x);
	if (s->x.tx)
		queue_remove(&s->w->queue, &h1_txn(s)->qe);
}

static int op_connect(struct exchange *x, struct server *srv)
{
	struct h1conn *s = of(x);
	int err = 0;
	struct upconn *u = upconn_take(&s->w->up, srv, s, server_event, &err);
	if (!u)
		return -(err ? err : EIO);
	s->up = u;
	s->s_readable = s->s_wblocked = s->s_eof = s->s_rwait_w = s->s_wwait_r = 0;
	if (u->connected)
		return 1;
	upconn_watch(u, 0, 1);
	return 0;
}

static void op_release(struct exchange *x, int reusable)
{
	struct h1conn *s = of(x);
	if (s->up) {
		struct upconn *u = s->up;
		s->up = NULL;
		if (reusable) {
			const struct backend *be = s->x.tx->be;
			upconn_release(u, 1, be->conf.pool_max_idle, be->conf.to.pool_idle_ms);
		} else {
			upconn_close(u);
		}
	}
	s->s_readable = s->s_wblocked = s->s_eof = s->s_rwait_w = s->s_wwait_r = 0;
}

static void op_slot_freed(struct exchange *x)
{
	queue_kick(&of(x)->w->queue);
}

static int op_rewind(struct exchange *x)
{
	struct h1conn *s = of(x);
	struct h1txn *t = h1_txn(s);
	if (!t->replayable)
		return -1;
	s->wpos = 0;
	t->req_cut = 0;
	return 0;
}

static void op_io(struct exchange *x, struct xch_io *io)
{
	struct h1conn *s = of(x);
	io->c_last = s->c_last;
	io->s_last = s->s_last;
	io->resp_waits_client = h1_resp_waits_client(s);
	io->req_waits_server = h1_req_waits_server(s);
	io->c_wblocked = s->c_wblocked;
}

static void op_flow(struct exchange *x, double now)
{
	struct h1conn *s = of(x);
	s->c_last = s->s_last = now;
	upconn_watch(s->up, 1, 0);
}

static void op_tunnel(struct exchange *x)
{
	struct h1conn *s = of(x);
	if (s->in)
		s->fend = s->in->end;
	s->c_readable = 1;
}

static void op_log(struct exchange *x, const struct xch_txn *tx, double now)
{
	struct h1conn *s = of(x);
	if (s->cfg->g.access_log == LOG_TARGET_OFF || !s->x.fe->conf.access_log)
		return;
	struct accesslog_conn c = {
		.loop = s->w->loop, .cfg = s->cfg, .fe = s->x.fe, .peer = &s->peer.sa, .subject = h1_peer_subject(s),
		.conns = atomic_load_explicit(s->w->conns, memory_order_relaxed),
	};
	accesslog_txn(&c, tx, now);
}

static const struct xch_ops h1_ops = {
	.arm = op_arm,
	.kill = op_kill,
	.client_pending = op_client_pending,
	.send_error = op_send_error,
	.txn_new = op_txn_new,
	.txn_free = op_txn_free,
	.pick = op_pick,
	.queue = op_queue,
	.unqueue = op_unqueue,
	.connect = op_connect,
	.release = op_release,
	.slot_freed = op_slot_freed,
	.rewind = op_rewind,
	.io = op_io,
	.flow = op_flow,
	.tunnel = op_tunnel,
	.log = op_log,
};
