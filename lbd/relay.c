/* relay: one request/response exchange through a session (see relay.h).
 *
 * Buffers: s->in holds the client's bytes with this request's rewritten
 * head at offset 0; [0, wpos) went to the server, [wpos, fend) may go now,
 * bytes after fend belong to the next (pipelined) request.  While [0, wpos)
 * is still there the request can be sent again (retry).  s->out holds the
 * server's bytes: [start, rfend) may go to the client, rparse is where
 * framing stopped. */
#include "relay.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "headrw.h"
#include "http1.h"
#include "log.h"
#include "model.h"
#include "queue.h"
#include "transport.h"


/* ---- server release, accounting, errors ------------------------------------------ */

void relay_release_server(struct session *s, int reusable)
{
	struct txn *tx = s->tx;
	if (tx && tx->srv_held) {
		model_sess_dec(&tx->srv->st->cnt);
		model_sess_dec(&tx->be->st->cnt);
		tx->srv_held = 0;
		queue_kick(s->w); /* a slot freed */
	}
	if (s->up) {
		struct upconn *u = s->up;
		s->up = NULL;
		if (reusable)
			upconn_release(u, 1, tx->be->conf.pool_max_idle, tx->be->conf.to.pool_idle_ms);
		else
			upconn_close(u);
	}
	s->s_readable = s->s_wblocked = s->s_eof = 0;
}

static void account(struct session *s, struct txn *tx)
{
	struct lbd_counters *fc = &s->fe->st->cnt;
	model_cnt_add(&fc->bytes_in, tx->bytes_in);
	model_cnt_add(&fc->bytes_out, tx->bytes_out);
	model_cnt_add(&fc->spliced_in, tx->spliced_in);
	model_cnt_add(&fc->spliced_out, tx->spliced_out);
	if (tx->status)
		model_resp_count(fc, tx->status);
	if (tx->term == TERM_CLIENT_TIMEOUT || tx->term == TERM_SERVER_TIMEOUT)
		model_cnt_add(&fc->timeouts, 1);
	uint64_t rt = tx->t_resp > 0 ? (uint64_t)((tx->t_resp - tx->t_head) * 1e6) : 0;
	/* Backend and server count only requests that went to a server. */
	struct lbd_counters *cs[2] = { tx->srv ? &tx->be->st->cnt : NULL, tx->srv ? &tx->srv->st->cnt : NULL };
	uint64_t now_ms = (uint64_t)(relay_now(s) * 1000.0); /* libev's loop time is the wall clock */
	for (int i = 0; i < 2; i++) {
		if (!cs[i])
			continue;
		model_cnt_add(&cs[i]->req_total, 1);
		model_cnt_add(&cs[i]->bytes_in, tx->bytes_in);
		model_cnt_add(&cs[i]->bytes_out, tx->bytes_out);
		model_cnt_add(&cs[i]->spliced_in, tx->spliced_in);
		model_cnt_add(&cs[i]->spliced_out, tx->spliced_out);
		if (tx->status)
			model_resp_count(cs[i], tx->status);
		if (tx->t_resp > 0)
			model_rt_observe(cs[i], rt);
		if (tx->term == TERM_SERVER_TIMEOUT)
			model_cnt_add(&cs[i]->timeouts, 1);
		atomic_store_explicit(&cs[i]->last_sess_ms, now_ms, memory_order_relaxed);
	}
}

void relay_txn_end(struct session *s)
{
	struct txn *tx = s->tx;
	if (!tx)
		return;
	relay_release_server(s, 0);
	zpipe_put(&s->w->zpipes, &s->zp);
	s->zdir = 0;
	if (tx->term == TERM_OK && !tx->resp_done)
		tx->term = TERM_CLIENT_CLOSED;
	account(s, tx);
	accesslog_txn(s, tx);
	s->tx = NULL;
	sess_txn_free(s->w, tx);
}

void relay_error(struct session *s, int status, enum term term)
{
	struct txn *tx = s->tx ? s->tx : sess_txn_new(s);
	if (!tx) {
		sess_kill(s);
		return;
	}
	tx->term = term;
	if (tx->resp_started) {
		/* Part of a response is out: all the client can learn is a cut. */
		sess_kill(s);
		return;
	}
	relay_release_server(s, 0);
	if (!s->out && !(s->out = worker_buf_get(s->w))) {
		sess_kill(s);
		return;
	}
	const char *text = http1_status_text(status);
	char body[64];
	int bl = snprintf(body, sizeof(body), "%d %s\n", status, text);
	struct dbuf *b = s->out;
	int n = snprintf(b->data, DBUF_FILL,
			 "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
			 "Cache-Control: no-cache\r\nConnection: close\r\n\r\n%s",
			 status, text, bl, body);
	b->start = 0;
	b->end = (uint32_t)n;
	s->rparse = s->rfend = (uint32_t)n;
	tx->status = status;
	tx->close_client = 1;
	tx->resp_started = tx->resp_head_done = tx->resp_done = 1;
	s->phase = PH_CLOSING;
	sess_arm(s, relay_now(s) + s->fe->conf.to.client_ms / 1000.0);
}

/* ---- response ---------------------------------------------------------------------------- */

void relay_bad_response(struct session *s, enum term term)
{
	struct txn *tx = s->tx;
	model_cnt_add(&tx->srv->st->cnt.err_resp, 1);
	model_cnt_add(&tx->be->st->cnt.err_resp, 1);
	if (tx->resp_started) {
		tx->term = term;
		sess_kill(s);
		return;
	}
	relay_error(s, 502, term);
}

static void enter_tunnel(struct session *s)
{
	s->phase = PH_TUNNEL;
	if (s->in)
		s->fend = s->in->end;
	s->c_readable = 1;
	sess_arm(s, relay_now(s) + s->tx->be->conf.to.tunnel_ms / 1000.0);
}

/* Framing of a final response (RFC 9112 6.3). */
static void response_framing(struct txn *tx, const struct http1_response *r)
{
	if (tx->meth == HTTP1_M_HEAD || r->status == 204 || r->status == 304) {
		tx->resp_body = BODY_NONE;
	} else if (r->flags & HTTP1_F_CHUNKED) {
		tx->resp_body = BODY_CHUNKED;
		http1_chunked_init(&tx->resp_ck);
	} else if (r->flags & HTTP1_F_HAS_CL) {
		tx->resp_body = r->content_length ? BODY_CL : BODY_NONE;
		tx->resp_left = r->content_length;
	} else {
		tx->resp_body = BODY_EOF;
		tx->srv_reuse = 0;
		tx->close_client = 1;
	}
	if ((r->flags & HTTP1_F_CONN_CLOSE) || (r->minor == 0 && !(r->flags & HTTP1_F_CONN_KEEPALIVE)))
		tx->srv_reuse = 0;
}

/* Bytes past the end of a response: the server broke framing; drop them
 * and do not reuse the connection. */
static void trim_extra(struct session *s)
{
	if (s->out->end > s->rparse) {
		s->out->end = s->rparse;
		s->tx->srv_reuse = 0;
	}
}

static void account_resp(struct session *s)
{
	struct txn *tx = s->tx;
	struct dbuf *b = s->out;
	uint32_t avail = b->end - s->rparse;
	switch (tx->resp_body) {
	case BODY_NONE:
		tx->resp_done = 1;
		trim_extra(s);
		break;
	case BODY_CL: {
		uint64_t take = avail < tx->resp_left ? avail : tx->resp_left;
		s->rparse += (uint32_t)take;
		tx->resp_left -= take;
		if (!tx->resp_left) {
			tx->resp_done = 1;
			trim_extra(s);
		}
		break;
	}
	case BODY_CHUNKED: {
		size_t used = 0;
		int rc = http1_chunked_feed(&tx->resp_ck, b->data + s->rparse, avail, &used);
		s->rparse += (uint32_t)used;
		if (rc == 1) {
			tx->resp_done = 1;
			trim_extra(s);
		} else if (rc < 0) {
			s->rfend = s->rparse;
			relay_bad_response(s, TERM_BAD_RESPONSE);
			return;
		}
		break;
	}
	case BODY_EOF:
		s->rparse = b->end;
		break;
	}
	s->rfend = s->rparse;
}

/* Parse, rewrite and queue response heads (1xx interim ones included). */
static void process_response(struct session *s)
{
	struct worker *w = s->w;
	struct txn *tx = s->tx;
	struct dbuf *b = s->out;
	while (!tx->resp_head_done) {
		uint32_t len = b->end - s->rparse;
		if (len == 0)
			return;
		int n = http1_parse_response(b->data + s->rparse, len, DBUF_FILL, &w->resp);
		if (n == -2)
			return;
		if (n == -1) {
			relay_bad_response(s, TERM_BAD_RESPONSE);
			return;
		}
		const struct http1_response *r = &w->resp;
		if (tx->t_resp <= 0)
			tx->t_resp = relay_now(s);
		int tunnel = r->status == 101;
		if (tunnel && !tx->tunnel_req) {
			relay_bad_response(s, TERM_BAD_RESPONSE);
			return;
		}
		int final = r->status >= 200 || tunnel;
		if (final && !tunnel)
			response_framing(tx, r);
		/* A server may answer before the whole body is in: the body still goes
		 * to it when it keeps the connection, else the client is closed after. */
		if (final && !tx->req_done && !tx->srv_reuse)
			tx->close_client = 1;
		enum headrw_conn conn = !final ? HEADRW_KEEP : tx->close_client ? HEADRW_CLOSE
				      : tx->minor == 0 ? HEADRW_KEEP_ALIVE : HEADRW_KEEP;
		int nh = headrw_response(r, conn, tunnel, w->scratch, sizeof(w->scratch));
		uint32_t rest = b->end - s->rparse - (uint32_t)n;
		if (nh < 0 || s->rparse + (uint32_t)nh + rest > DBUF_SIZE) {
			relay_bad_response(s, TERM_BAD_RESPONSE);
			return;
		}
		memmove(b->data + s->rparse + nh, b->data + s->rparse + n, rest);
		memcpy(b->data + s->rparse, w->scratch, (size_t)nh);
		b->end = s->rparse + (uint32_t)nh + rest;
		s->rparse += (uint32_t)nh;
		s->rfend = s->rparse;
		tx->resp_started = 1;
		if (final) {
			tx->status = r->status;
			tx->resp_head_done = 1;
			if (tunnel) {
				enter_tunnel(s);
				s->rparse = s->rfend = b->end;
				return;
			}
		}
	}
	account_resp(s);
}

static void server_eof(struct session *s)
{
	struct txn *tx = s->tx;
	if (s->phase == PH_TUNNEL) {
		s->s_eof = 1;
		return;
	}
	if (!tx->resp_started && (!s->out || s->out->end == s->rparse)) {
		/* Nothing of a response came.  An idempotent request goes again when
		 * the server cannot have processed it: the connection was a pooled
		 * one it had closed meanwhile, or the request had not gone whole.
		 * Once sent whole on a new connection, only with "retry-on
		 * empty-response" (HAProxy's retry-on idea): the server may have
		 * acted on it. */
		int reused = s->up && s->up->reused;
		int sent_whole = tx->req_done && !tx->req_cut && s->wpos == s->fend && !(s->zdir == 1 && s->zp.len);
		int again = tx->idempotent &&
			    (reused || !sent_whole || tx->be->conf.retry_on == RETRY_EMPTY_RESPONSE);
		model_cnt_add(&tx->srv->st->cnt.err_resp, 1);
		model_cnt_add(&tx->be->st->cnt.err_resp, 1);
		relay_release_server(s, 0);
		if (again)
			relay_retry_or_fail(s, 502, TERM_SERVER_CLOSED);
		else
			relay_error(s, 502, TERM_SERVER_CLOSED);
		return;
	}
	if (tx->resp_head_done && tx->resp_body == BODY_EOF) {
		tx->resp_done = 1;
		relay_release_server(s, 0);
		return;
	}
	relay_bad_response(s, TERM_SERVER_CLOSED);
}

static int to_server(struct session *s)
{
	struct upconn *u = s->up;
	if (s->s_wblocked || s->wpos >= s->fend)
		return 0;
	size_t n = s->fend - s->wpos;
	int was_full = s->in->end - s->wpos >= DBUF_FILL;
	ssize_t r = send(u->fd, s->in->data + s->wpos, n, MSG_NOSIGNAL);
	if (r < 0) {
		if (errno == EAGAIN || errno == EINTR) {
			s->s_wblocked = 1;
			return 0;
		}
		/* The server went away; whatever it answered first is still to read. */
		s->s_readable = 1;
		s->wpos = s->fend;
		s->tx->req_cut = 1;
		return 1;
	}
	s->wpos += (uint32_t)r;
	s->s_last = relay_now(s);
	if (was_full)
		s->c_last = s->s_last; /* room for the client again: its idle time starts now */
	if ((size_t)r < n)
		s->s_wblocked = 1;
	return 1;
}

static int from_server(struct session *s)
{
	struct upconn *u = s->up;
	if (s->phase == PH_ACTIVE && relay_splice_response_ready(s))
		return relay_splice_response(s);
	if (!s->s_readable || s->s_eof || (s->phase == PH_ACTIVE && s->tx->resp_done))
		return 0;
	if (!s->out && !(s->out = worker_buf_get(s->w)))
		return 0;
	struct dbuf *b = s->out;
	if (!dbuf_room(b) && b->start) {
		uint32_t k = b->start;
		memmove(b->data, b->data + k, b->end - k);
		b->end -= k;
		s->rparse -= k;
		s->rfend -= k;
		b->start = 0;
	}
	size_t space = dbuf_room(b);
	if (!space)
		return 0; /* relay_watch_server stops reading until the client takes more */
	ssize_t r = recv(u->fd, b->data + b->end, space, 0);
	if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
		s->s_readable = 0;
		return 0;
	}
	if (r <= 0) {
		server_eof(s);
		return 1;
	}
	b->end += (uint32_t)r;
	s->s_last = relay_now(s);
	if ((size_t)r < space)
		s->s_readable = 0;
	if (s->phase == PH_TUNNEL)
		s->rparse = s->rfend = b->end;
	else
		process_response(s);
	return 1;
}

int relay_server_io(struct session *s)
{
	if (!s->up || !s->up->connected || (s->phase != PH_ACTIVE && s->phase != PH_TUNNEL))
		return 0;
	int moved = s->phase == PH_ACTIVE ? relay_splice_request(s) : 0;
	if (s->closed || !s->up)
		return 1;
	moved |= to_server(s);
	if (s->closed || !s->up)
		return 1;
	return moved | from_server(s);
}

void relay_watch_server(struct session *s)
{
	struct upconn *u = s->up;
	if (!u)
		return;
	if (s->phase == PH_CONNECT) {
		upconn_watch(u, 0, 1);
		return;
	}
	int want_r = ((s->phase == PH_TUNNEL && !s->s_eof) || (s->phase == PH_ACTIVE && !s->tx->resp_done)) &&
		     !(s->out && s->out->end - s->out->start >= DBUF_FILL) && !(s->zdir == 2 && s->zp.len);
	upconn_watch(u, want_r, s->s_wblocked);
}

/* ---- the end of an exchange ---------------------------------------------------------------- */

static void finish_txn(struct session *s)
{
	struct txn *tx = s->tx;
	int reusable = tx->srv_reuse && tx->req_done && s->wpos == s->fend && s->phase == PH_ACTIVE;
	relay_release_server(s, reusable);
	struct dbuf *in = s->in;
	uint32_t pending = in ? in->end - s->fend : 0;
	/* A client that sent pipelined requests and then shut its side still
	 * gets every answer: close on EOF only when nothing is left to answer. */
	int close = tx->close_client || !tx->req_done || (s->c_eof && !pending) || s->phase == PH_CLOSING;
	relay_txn_end(s);
	if (close) {
		sess_kill(s);
		return;
	}
	struct dbuf *b = s->in;
	uint32_t rest = b ? b->end - s->fend : 0;
	if (rest)
		memmove(b->data, b->data + s->fend, rest);
	if (b)
		b->end = rest;
	s->wpos = s->fend = s->hseen = 0;
	s->served = 1;
	if (s->out && s->out->start == s->out->end) {
		worker_buf_put(s->w, s->out);
		s->out = NULL;
		s->rparse = s->rfend = 0;
	}
	s->phase = PH_IDLE;
	if (rest) {
		relay_start_request(s); /* pipelined */
		if (!s->closed && s->c_eof && s->phase == PH_HEAD)
			sess_kill(s); /* the rest of that head will never come */
		return;
	}
	if (b) {
		worker_buf_put(s->w, b);
		s->in = NULL;
	}
	ev_tstamp idle = s->fe->conf.to.keepalive_ms / 1000.0;
	if ((s->w->stopping || s->w->quiesce) && idle > SESSION_STOP_IDLE_S)
		idle = SESSION_STOP_IDLE_S; /* see session_stop_idle() */
	sess_arm(s, relay_now(s) + idle);
}

/* A tunnel ends when both sides have closed; each half-close is passed on
 * after the bytes sent before it. */
static int tunnel_progress(struct session *s)
{
	int moved = 0;
	if (s->c_eof && !s->shut_s && s->wpos >= s->fend) {
		shutdown(s->up->fd, SHUT_WR);
		s->shut_s = moved = 1;
	}
	if (s->s_eof && !s->shut_c && (!s->out || s->out->start >= s->out->end)) {
		s->tr->shutdown_write(s->fd);
		s->shut_c = moved = 1;
	}
	if (s->shut_c && s->shut_s) {
		s->tx->resp_done = 1;
		sess_kill(s);
		return 1;
	}
	return moved;
}

int relay_progress(struct session *s)
{
	struct txn *tx = s->tx;
	if (s->phase == PH_TUNNEL)
		return tx ? tunnel_progress(s) : 0;
	if (!tx || s->phase == PH_CONNECT || s->phase == PH_QUEUED)
		return 0;
	if (!tx->resp_done || (s->out && s->out->start < s->out->end))
		return 0;
	if (!tx->req_done && tx->srv_reuse && s->up && s->phase == PH_ACTIVE)
		return 0; /* answered early: the rest of the body still goes */
	finish_txn(s);
	return 1;
}

void relay_client_gone(struct session *s)
{
	if (s->tx && s->tx->term == TERM_OK)
		s->tx->term = TERM_CLIENT_CLOSED;
	sess_kill(s);
}

/* A side that waits on the other is not idle: lbd does not read the server
 * while the client has not taken what came before (buffer or pipe full),
 * nor the client while its bytes wait for the server.  Each side's idle
 * time restarts when room is made for it (session.c client_out, to_server,
 * relay_splice.c). */
static int resp_waits_client(const struct session *s)
{
	return (s->out && s->out->end - s->out->start >= DBUF_FILL) || (s->zdir == 2 && s->zp.len);
}

static int req_waits_server(const struct session *s)
{
	return (s->in && s->in->end - s->wpos >= DBUF_FILL) || (s->zdir == 1 && s->zp.len) ||
	       (relay_splice_request_next(s) && s->wpos != s->fend);
}

void relay_timeout(struct session *s, ev_tstamp now)
{
	struct txn *tx = s->tx;
	if (s->phase == PH_TUNNEL) {
		ev_tstamp last = s->c_last > s->s_last ? s->c_last : s->s_last;
		ev_tstamp end = last + tx->be->conf.to.tunnel_ms / 1000.0;
		if (now + 0.0005 >= end)
			sess_kill(s);
		else
			sess_arm(s, end);
		return;
	}
	int want_server = !tx->resp_done && !resp_waits_client(s);
	int want_client = (!tx->req_done && !req_waits_server(s)) || s->c_wblocked;
	uint32_t sms = tx->be->conf.to.server_ms, cms = s->fe->conf.to.client_ms;
	ev_tstamp sd = s->s_last + sms / 1000.0;
	ev_tstamp cd = s->c_last + cms / 1000.0;
	if (want_server && now + 0.0005 >= sd) {
		if (!tx->resp_started)
			model_cnt_add(&tx->srv->st->cnt.err_resp, 1);
		relay_error(s, 504, TERM_SERVER_TIMEOUT);
		return;
	}
	if (want_client && now + 0.0005 >= cd) {
		relay_error(s, 408, TERM_CLIENT_TIMEOUT);
		return;
	}
	/* A side not timed now may be again soon: look again within a timeout. */
	ev_tstamp next = now + (cms < sms ? cms : sms) / 1000.0;
	if (want_server && sd < next)
		next = sd;
	if (want_client && cd < next)
		next = cd;
	sess_arm(s, next);
}
