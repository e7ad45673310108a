/* relay_request: the client side of an exchange: the request head parsed,
 * the config adopted, the head rewritten in place in s->in (see relay.c for
 * the buffer layout), the body framed as it arrives, then the server
 * connect (relay_connect.c). */
#include "relay.h"

#include <stdio.h>
#include <string.h>

#include "headrw.h"
#include "http1.h"
#include "model.h"

static void account_req(struct session *s)
{
	struct txn *tx = s->tx;
	struct dbuf *b = s->in;
	uint32_t avail = b->end - s->fend;
	switch (tx->req_body) {
	case BODY_CL: {
		uint64_t take = avail < tx->req_left ? avail : tx->req_left;
		s->fend += (uint32_t)take;
		tx->req_left -= take;
		tx->bytes_in += take;
		tx->req_done = tx->req_left == 0;
		break;
	}
	case BODY_CHUNKED: {
		size_t used = 0;
		int rc = http1_chunked_feed(&tx->req_ck, b->data + s->fend, avail, &used);
		s->fend += (uint32_t)used;
		tx->bytes_in += used;
		if (rc == 1)
			tx->req_done = 1;
		if (rc < 0) {
			model_cnt_add(&s->fe->st->cnt.err_req, 1);
			relay_error(s, 400, TERM_BAD_REQUEST);
		}
		break;
	}
	default:
		tx->req_done = 1;
		break;
	}
}

static void log_request_line(struct txn *tx, const struct http1_request *r)
{
	int ml = r->method_len > 16 ? 16 : (int)r->method_len;
	int tl = r->target_len > 64 ? 64 : (int)r->target_len;
	snprintf(tx->logreq, sizeof(tx->logreq), "%.*s %.*s%s HTTP/1.%d", ml, r->method, tl, r->target,
		 r->target_len > 64 ? "..." : "", r->minor);
}

/* The worker may have a newer config: new requests use it. */
static int adopt_current_config(struct session *s)
{
	struct lbd_config *cur = s->w->cfg;
	if (s->cfg == cur)
		return 0;
	struct frontend *fe = model_find_frontend(cur, s->fe->conf.name);
	if (!fe)
		return -1;
	/* Same name, same runtime state: the connection gauge carries over. */
	model_config_ref(cur);
	model_config_unref(s->cfg);
	s->cfg = cur;
	s->fe = fe;
	return 0;
}

static int rewrite_request(struct session *s, const struct http1_request *r, int head_len)
{
	struct worker *w = s->w;
	struct txn *tx = s->tx;
	struct dbuf *b = s->in;
	char ip[64];
	struct headrw_req o = { 0 };
	if (s->fe->conf.forwardfor) {
		o.client_ip = sess_client_ip(s, ip, sizeof(ip));
		o.proto = "http";
	}
	o.tunnel = tx->tunnel_req;
	int nh = headrw_request(r, &o, w->scratch, sizeof(w->scratch));
	uint32_t rest = b->end - (uint32_t)head_len;
	if (nh < 0 || (size_t)nh + rest > DBUF_SIZE)
		return -1;
	memmove(b->data + nh, b->data + head_len, rest);
	memcpy(b->data, w->scratch, (size_t)nh);
	b->end = (uint32_t)nh + rest;
	s->wpos = 0;
	s->fend = (uint32_t)nh;
	return 0;
}

void relay_start_request(struct session *s)
{
	struct worker *w = s->w;
	struct dbuf *b = s->in;
	const struct frontend_conf *fc = &s->fe->conf;
	struct http1_limits lim = { fc->max_header, fc->max_uri };
	struct http1_request *r = &w->req;
	ev_tstamp now = relay_now(s);

	if (!b || b->end == 0)
		return;
	/* An unfinished head is parsed again from its start only when what came
	 * since can change the verdict (a line end), after 1 KiB more, or once
	 * the buffer is full (too large: no more will be read): a head sent a
	 * byte at a time costs linear time, not quadratic. */
	uint32_t fresh = b->end > s->hseen ? b->end - s->hseen : 0;
	if (s->hseen && fresh < 1024 && dbuf_room(b) && !memchr(b->data + s->hseen, '\n', fresh))
		return;
	int n = http1_parse_request(b->data, b->end, &lim, r);
	s->hseen = n == -2 ? b->end : 0;
	if (n == -2) {
		if (s->phase == PH_IDLE) {
			s->phase = PH_HEAD;
			/* The head is due within 'timeout http-request' of the accept
			 * for a connection's first request (armed then: a first byte
			 * late does not buy more time), of its first byte after a
			 * keep-alive wait (as HAProxy). */
			if (s->served)
				sess_arm(s, now + fc->to.http_request_ms / 1000.0);
		}
		return;
	}
	ev_tstamp t0 = s->phase == PH_HEAD ? s->deadline - fc->to.http_request_ms / 1000.0 : now;
	struct txn *tx = sess_txn_new(s);
	if (!tx) {
		sess_kill(s);
		return;
	}
	tx->t_start = t0;
	tx->t_head = now;
	if (n == -1) {
		model_cnt_add(&s->fe->st->cnt.err_req, 1);
		model_cnt_add(&s->fe->st->cnt.req_total, 1);
		tx->bytes_in = b->end;
		relay_error(s, r->status, TERM_BAD_REQUEST);
		return;
	}
	if (adopt_current_config(s)) {
		relay_error(s, 503, TERM_NO_SERVER);
		return;
	}
	model_cnt_add(&s->fe->st->cnt.req_total, 1);
	if (s->fe->conf.access_log && s->cfg->g.access_log != LOG_TARGET_OFF)
		log_request_line(tx, r);
	tx->be = s->fe->be;
	tx->meth = r->meth;
	tx->minor = (uint8_t)r->minor;
	tx->idempotent = (uint8_t)http1_method_idempotent(r->meth);
	tx->tunnel_req = (r->flags & HTTP1_F_UPGRADE_WS) && (r->flags & HTTP1_F_CONN_UPGRADE) && r->meth == HTTP1_M_GET;
	/* A stopping worker answers "Connection: close", on the last of the
	 * requests a client pipelined (a bodiless one with more bytes behind
	 * it is not the last): every request received is answered. */
	int pipelined = b->end > (uint32_t)n && !(r->flags & (HTTP1_F_CHUNKED | HTTP1_F_HAS_CL));
	tx->close_client = (r->minor == 0 && !(r->flags & HTTP1_F_CONN_KEEPALIVE)) || (r->flags & HTTP1_F_CONN_CLOSE) ||
			   ((w->stopping || w->quiesce) && !pipelined);
	tx->bytes_in = (uint64_t)n;
	if (r->flags & HTTP1_F_CHUNKED) {
		tx->req_body = BODY_CHUNKED;
		http1_chunked_init(&tx->req_ck);
	} else if ((r->flags & HTTP1_F_HAS_CL) && r->content_length) {
		tx->req_body = BODY_CL;
		tx->req_left = r->content_length;
	}
	if (rewrite_request(s, r, n)) {
		relay_error(s, 431, TERM_BAD_REQUEST);
		return;
	}
	tx->replayable = 1;
	account_req(s);
	if (s->closed || s->phase == PH_CLOSING)
		return;
	relay_connect(s);
}

void relay_client_data(struct session *s)
{
	switch (s->phase) {
	case PH_IDLE:
	case PH_HEAD:
		relay_start_request(s);
		break;
	case PH_ACTIVE:
		if (!s->tx->req_done)
			account_req(s);
		break;
	case PH_TUNNEL:
		s->fend = s->in->end;
		break;
	default:
		break;
	}
	if (!s->c_eof || s->closed)
		return;
	switch (s->phase) {
	case PH_TUNNEL:
		break; /* half-close: passed on once the bytes before it are */
	case PH_ACTIVE:
	case PH_QUEUED:
	case PH_CONNECT:
		if (s->tx->req_done)
			break; /* a half-closed client still gets its response */
		/* fall through */
	default:
		if (s->tx && s->tx->term == TERM_OK)
			s->tx->term = TERM_CLIENT_CLOSED;
		sess_kill(s);
	}
}

int relay_in_compact(struct session *s)
{
	struct dbuf *b = s->in;
	if ((s->phase != PH_ACTIVE && s->phase != PH_TUNNEL) || s->wpos == 0)
		return 0;
	uint32_t k = s->wpos;
	memmove(b->data, b->data + k, b->end - k);
	b->end -= k;
	s->fend -= k;
	s->wpos = 0;
	if (s->tx)
		s->tx->replayable = 0; /* the start of the request is gone */
	return (int)k;
}
