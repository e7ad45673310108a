/* h1resp: the server side of an HTTP/1 exchange: the request's bytes to
 * the server, the response's heads parsed and rewritten, its body framed
 * (Content-Length, chunked, until close), tunnels, and the end of an
 * exchange (the client connection kept for the next request or closed).
 * Buffer layout: h1conn.h. */
#include "h1conn.h"

#include <errno.h>
#include <string.h>

#include "dbuf.h"
#include "headrw.h"
#include "http1.h"
#include "model.h"
#include "upstream.h"

/* ---- response ---------------------------------------------------------------------- */

/* Framing of a final response (RFC 9112 6.3). */
static void response_framing(struct h1txn *t, const struct http1_response *r)
{
	if (t->meth == HTTP1_M_HEAD || r->status == 204 || r->status == 304) {
		t->resp_body = BODY_NONE;
	} else if (r->flags & HTTP1_F_CHUNKED) {
		t->resp_body = BODY_CHUNKED;
		http1_chunked_init(&t->resp_ck);
	} else if (r->flags & HTTP1_F_HAS_CL) {
		t->resp_body = r->content_length ? BODY_CL : BODY_NONE;
		t->resp_left = r->content_length;
	} else {
		t->resp_body = BODY_EOF;
		t->x.srv_reuse = 0;
		t->x.close_client = 1;
	}
	if ((r->flags & HTTP1_F_CONN_CLOSE) || (r->minor == 0 && !(r->flags & HTTP1_F_CONN_KEEPALIVE)))
		t->x.srv_reuse = 0;
}

/* Bytes past the end of a response: the server broke framing; drop them
 * and do not reuse the connection. */
static void trim_extra(struct h1conn *s)
{
	if (s->out->end > s->rparse) {
		s->out->end = s->rparse;
		h1_txn(s)->x.srv_reuse = 0;
	}
}

static void account_resp(struct h1conn *s)
{
	struct h1txn *t = h1_txn(s);
	struct dbuf *b = s->out;
	uint32_t avail = b->end - s->rparse;
	switch (t->resp_body) {
	case BODY_NONE:
		t->x.resp_done = 1;
		trim_extra(s);
		break;
	case BODY_CL: {
		uint64_t take = avail < t->resp_left ? avail : t->resp_left;
		s->rparse += (uint32_t)take;
		t->resp_left -= take;
		if (!t->resp_left) {
			t->x.resp_done = 1;
			trim_extra(s);
		}
		break;
	}
	case BODY_CHUNKED: {
		size_t used = 0;
		int rc = http1_chunked_feed(&t->resp_ck, b->data + s->rparse, avail, &used);
		s->rparse += (uint32_t)used;
		if (rc == 1) {
			t->x.resp_done = 1;
			trim_extra(s);
		} else if (rc < 0) {
			s->rfend = s->rparse;
			xch_bad_response(&s->x, TERM_BAD_RESPONSE, h1_now(s));
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
static void process_response(struct h1conn *s)
{
	struct worker *w = s->w;
	struct h1txn *t = h1_txn(s);
	struct dbuf *b = s->out;
	double now = h1_now(s);
	while (!t->resp_head_done) {
		uint32_t len = b->end - s->rparse;
		if (len == 0)
			return;
		int n = http1_parse_response(b->data + s->rparse, len, DBUF_FILL, &w->resp);
		if (n == -2)
			return;
		if (n == -1) {
			xch_bad_response(&s->x, TERM_BAD_RESPONSE, now);
			return;
		}
		const struct http1_response *r = &w->resp;
		if (t->x.t_resp <= 0)
			t->x.t_resp = now;
		int tunnel = r->status == 101;
		if (tunnel && !t->x.tunnel_req) {
			xch_bad_response(&s->x, TERM_BAD_RESPONSE, now);
			return;
		}
		int final = r->status >= 200 || tunnel;
		if (final && !tunnel)
			response_framing(t, r);
		/* A server may answer before the whole body is in: the body still goes
		 * to it when it keeps the connection, else the client is closed after. */
		if (final && !t->x.req_done && !t->x.srv_reuse)
			t->x.close_client = 1;
		enum headrw_conn conn = !final ? HEADRW_KEEP : t->x.close_client ? HEADRW_CLOSE
				      : t->minor == 0 ? HEADRW_KEEP_ALIVE : HEADRW_KEEP;
		int nh = headrw_response(r, conn, tunnel, w->scratch, sizeof(w->scratch));
		uint32_t rest = b->end - s->rparse - (uint32_t)n;
		if (nh < 0 || s->rparse + (uint32_t)nh + rest > DBUF_SIZE) {
			xch_bad_response(&s->x, TERM_BAD_RESPONSE, now);
			return;
		}
		memmove(b->data + s->rparse + nh, b->data + s->rparse + n, rest);
		memcpy(b->data + s->rparse, w->scratch, (size_t)nh);
		b->end = s->rparse + (uint32_t)nh + rest;
		s->rparse += (uint32_t)nh;
		s->rfend = s->rparse;
		t->x.resp_started = 1;
		if (final) {
			t->x.status = r->status;
			t->resp_head_done = 1;
			if (tunnel) {
				xch_tunnel(&s->x, now);
				s->rparse = s->rfend = b->end;
				return;
			}
		}
	}
	account_resp(s);
}

static void server_eof(struct h1conn *s)
{
	struct h1txn *t = h1_txn(s);
	double now = h1_now(s);
	if (s->x.phase == XCH_TUNNEL) {
		s->s_eof = 1;
		return;
	}
	if (!t->x.resp_started && (!s->out || s->out->end == s->rparse)) {
		int reused = s->up && s->up->reused;
		int sent_whole = t->x.req_done && !t->req_cut && s->wpos == s->fend && !(s->zdir == 1 && s->zp.len);
		xch_server_closed_early(&s->x, reused, sent_whole, now);
		return;
	}
	if (t->resp_head_done && t->resp_body == BODY_EOF) {
		t->x.resp_done = 1;
		xch_release_server(&s->x, 0);
		return;
	}
	xch_bad_response(&s->x, TERM_SERVER_CLOSED, now);
}

static int to_server(struct h1conn *s)
{
	struct upconn *u = s->up;
	if (s->s_wblocked || s->wpos >= s->fend)
		return 0;
	size_t n = s->fend - s->wpos;
	int was_full = s->in->end - s->wpos >= DBUF_FILL;
	ssize_t r = u->c.ops->send(&u->c, s->in->data + s->wpos, n);
	if (r < 0) {
		if (errno == EAGAIN || errno == EINTR) {
			s->s_wblocked = 1;
			s->s_wwait_r = u->c.want == TRANSPORT_WANT_READ;
			return 0;
		}
		/* The server went away; whatever it answered first is still to read. */
		s->s_readable = 1;
		s->wpos = s->fend;
		h1_txn(s)->req_cut = 1;
		return 1;
	}
	s->wpos += (uint32_t)r;
	s->s_last = h1_now(s);
	if (was_full)
		s->c_last = s->s_last; /* room for the client again: its idle time starts now */
	if ((size_t)r < n)
		s->s_wblocked = 1;
	return 1;
}

static int from_server(struct h1conn *s)
{
	struct upconn *u = s->up;
	if (s->x.phase == XCH_ACTIVE && h1_splice_response_ready(s))
		return h1_splice_response(s);
	if (!s->s_readable || s->s_eof || (s->x.phase == XCH_ACTIVE && s->x.tx->resp_done))
		return 0;
	if (!s->out && !(s->out = dbuf_get(&s->w->bufs)))
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
		return 0; /* h1_watch_server stops reading until the client takes more */
	ssize_t r = u->c.ops->recv(&u->c, b->data + b->end, space);
	if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
		s->s_readable = 0;
		s->s_rwait_w = u->c.want == TRANSPORT_WANT_WRITE;
		return 0;
	}
	if (r <= 0) {
		server_eof(s);
		return 1;
	}
	b->end += (uint32_t)r;
	s->s_last = h1_now(s);
	if ((size_t)r < space && !u->c.ops->pending(&u->c))
		s->s_readable = 0;
	if (s->x.phase == XCH_TUNNEL)
		s->rparse = s->rfend = b->end;
	else
		process_response(s);
	return 1;
}

/* The server transport's set-up (TLS handshake): 1 done, 0 waiting. */
static int server_handshake(struct h1conn *s)
{
	struct upconn *u = s->up;
	if (u->hs_done)
		return 1;
	if (u->c.ops->handshake(&u->c) == 0) {
		u->hs_done = 1;
		s->s_readable = 1;
		return 1;
	}
	if (errno == EAGAIN) {
		s->s_readable = 0;
		s->s_wblocked = 1;
		return 0;
	}
	xch_connect_failed(&s->x, errno ? errno : EPROTO, h1_now(s));
	return 0;
}

int h1_server_io(struct h1conn *s)
{
	if (!s->up || !s->up->connected || (s->x.phase != XCH_ACTIVE && s->x.phase != XCH_TUNNEL))
		return 0;
	if (!server_handshake(s))
		return s->closed || !s->up;
	int moved = s->x.phase == XCH_ACTIVE ? h1_splice_request(s) : 0;
	if (s->closed || !s->up)
		return 1;
	moved |= to_server(s);
	if (s->closed || !s->up)
		return 1;
	return moved | from_server(s);
}

void h1_server_writable(struct h1conn *s)
{
	if (s->s_rwait_w) {
		s->s_rwait_w = 0;
		s->s_readable = 1;
	}
	s->s_wblocked = 0;
	s->s_wwait_r = 0;
	if (s->x.phase != XCH_CONNECT || !s->up)
		return;
	int err = upconn_connect_result(s->up);
	if (err)
		xch_connect_failed(&s->x, err, h1_now(s));
	else
		xch_connected(&s->x, h1_now(s));
}

/* The response waits for the client to take bytes (so the server is not
 * idle: see xch_io). */
int h1_resp_waits_client(const struct h1conn *s)
{
	return (s->out && s->out->end - s->out->start >= DBUF_FILL) || (s->zdir == 2 && s->zp.len);
}

void h1_watch_server(struct h1conn *s)
{
	struct upconn *u = s->up;
	if (!u)
		return;
	if (s->x.phase == XCH_CONNECT) {
		upconn_watch(u, 0, 1);
		return;
	}
	if (!u->hs_done) {
		upconn_watch(u, u->c.want == TRANSPORT_WANT_READ, u->c.want != TRANSPORT_WANT_READ);
		return;
	}
	int want_r = ((s->x.phase == XCH_TUNNEL && !s->s_eof) || (s->x.phase == XCH_ACTIVE && !s->x.tx->resp_done)) &&
		     !(s->out && s->out->end - s->out->start >= DBUF_FILL) && !(s->zdir == 2 && s->zp.len);
	int want_w = s->s_wblocked;
	upconn_watch(u, (want_r && !s->s_rwait_w) || (want_w && s->s_wwait_r),
		     (want_w && !s->s_wwait_r) || (want_r && s->s_rwait_w));
}

/* ---- the end of an exchange -------------------------------------------------------------- */

static void finish_txn(struct h1conn *s)
{
	struct dbuf *in = s->in;
	uint32_t pending = in ? in->end - s->fend : 0;
	if (xch_end(&s->x, s->wpos == s->fend, pending > 0, s->c_eof, h1_now(s)))
		return; /* closed */
	struct dbuf *b = s->in;
	uint32_t rest = b ? b->end - s->fend : 0;
	if (rest)
		memmove(b->data, b->data + s->fend, rest);
	if (b)
		b->end = rest;
	s->wpos = s->fend = s->hseen = 0;
	if (s->out && s->out->start == s->out->end) {
		dbuf_put(&s->w->bufs, s->out);
		s->out = NULL;
		s->rparse = s->rfend = 0;
	}
	if (rest) {
		h1_start_request(s); /* pipelined */
		if (!s->closed && s->c_eof && s->x.phase == XCH_HEAD)
			xch_close(&s->x); /* the rest of that head will never come */
		return;
	}
	if (b) {
		dbuf_put(&s->w->bufs, b);
		s->in = NULL;
	}
	xch_keepalive(&s->x, s->w->stop_idle || s->w->quiesce, h1_now(s));
}

/* A tunnel ends when both sides have closed; each half-close is passed on
 * after the bytes sent before it. */
static int tunnel_progress(struct h1conn *s)
{
	int moved = 0;
	if (s->c_eof && !s->shut_s && s->wpos >= s->fend) {
		s->up->c.ops->shutdown_write(&s->up->c);
		s->shut_s = moved = 1;
	}
	if (s->s_eof && !s->shut_c && (!s->out || s->out->start >= s->out->end)) {
		s->c.ops->shutdown_write(&s->c);
		s->shut_c = moved = 1;
	}
	if (s->shut_c && s->shut_s) {
		s->x.tx->resp_done = 1;
		xch_close(&s->x);
		return 1;
	}
	return moved;
}

int h1_progress(struct h1conn *s)
{
	struct xch_txn *tx = s->x.tx;
	if (s->x.phase == XCH_TUNNEL)
		return tx ? tunnel_progress(s) : 0;
	if (!tx || s->x.phase == XCH_CONNECT || s->x.phase == XCH_QUEUED)
		return 0;
	if (!tx->resp_done || (s->out && s->out->start < s->out->end))
		return 0;
	if (!tx->req_done && tx->srv_reuse && s->up && s->x.phase == XCH_ACTIVE)
		return 0; /* answered early: the rest of the body still goes */
	finish_txn(s);
	return 1;
}
