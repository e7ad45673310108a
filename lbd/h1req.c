/* h1req: the client side of an HTTP/1 exchange: the request head parsed,
 * the config adopted, the head rewritten in place in s->in (see h1conn.h
 * for the buffer layout), the body framed as it arrives; then the exchange
 * takes it to a server (xch_start). */
#include "h1conn.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "dbuf.h"
#include "headrw.h"
#include "http1.h"
#include "model.h"

static void account_req(struct h1conn *s)
{
	struct h1txn *t = h1_txn(s);
	struct dbuf *b = s->in;
	uint32_t avail = b->end - s->fend;
	switch (t->req_body) {
	case BODY_CL: {
		uint64_t take = avail < t->req_left ? avail : t->req_left;
		s->fend += (uint32_t)take;
		t->req_left -= take;
		t->x.bytes_in += take;
		t->x.req_done = t->req_left == 0;
		break;
	}
	case BODY_CHUNKED: {
		size_t used = 0;
		int rc = http1_chunked_feed(&t->req_ck, b->data + s->fend, avail, &used);
		s->fend += (uint32_t)used;
		t->x.bytes_in += used;
		if (rc == 1)
			t->x.req_done = 1;
		if (rc < 0) {
			model_cnt_add(&s->x.fe->st->cnt.err_req, 1);
			xch_error(&s->x, 400, TERM_BAD_REQUEST, h1_now(s));
		}
		break;
	}
	default:
		t->x.req_done = 1;
		break;
	}
}

static void log_request_line(struct xch_txn *tx, const struct http1_request *r)
{
	int ml = r->method_len > 16 ? 16 : (int)r->method_len;
	int tl = r->target_len > 64 ? 64 : (int)r->target_len;
	snprintf(tx->logreq, sizeof(tx->logreq), "%.*s %.*s%s HTTP/1.%d", ml, r->method, tl, r->target,
		 r->target_len > 64 ? "..." : "", r->minor);
}

/* The worker may have a newer config: new requests use it. */
static int adopt_current_config(struct h1conn *s)
{
	struct lbd_config *cur = s->w->cfg;
	if (s->cfg == cur)
		return 0;
	struct frontend *fe = model_find_frontend(cur, s->x.fe->conf.name);
	if (!fe)
		return -1;
	/* Same name, same runtime state: the connection gauge carries over. */
	model_config_ref(cur);
	model_config_unref(s->cfg);
	s->cfg = cur;
	s->x.fe = fe;
	return 0;
}

/* "192.0.2.1" for X-Forwarded-For. */
const char *h1_client_ip(const struct h1conn *s, char *buf, size_t len)
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

static int rewrite_request(struct h1conn *s, const struct http1_request *r, int head_len)
{
	struct worker *w = s->w;
	struct dbuf *b = s->in;
	char ip[64];
	struct headrw_req o = { 0 };
	if (s->x.fe->conf.forwardfor) {
		o.client_ip = h1_client_ip(s, ip, sizeof(ip));
		o.proto = "http";
	}
	o.tunnel = h1_txn(s)->x.tunnel_req;
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

void h1_start_request(struct h1conn *s)
{
	struct worker *w = s->w;
	struct dbuf *b = s->in;
	const struct frontend_conf *fc = &s->x.fe->conf;
	struct http1_limits lim = { fc->max_header, fc->max_uri };
	struct http1_request *r = &w->req;
	double now = h1_now(s);

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
		xch_head_partial(&s->x, now);
		return;
	}
	struct xch_txn *tx = xch_begin(&s->x, now);
	if (!tx)
		return;
	struct h1txn *t = h1_txn(s);
	if (n == -1) {
		tx->bytes_in = b->end;
		xch_bad_request(&s->x, r->status, now);
		return;
	}
	if (adopt_current_config(s)) {
		xch_error(&s->x, 503, TERM_NO_SERVER, now);
		return;
	}
	model_cnt_add(&s->x.fe->st->cnt.req_total, 1);
	if (s->x.fe->conf.access_log && s->cfg->g.access_log != LOG_TARGET_OFF)
		log_request_line(tx, r);
	tx->be = s->x.fe->be;
	t->meth = r->meth;
	t->minor = (uint8_t)r->minor;
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
		t->req_body = BODY_CHUNKED;
		http1_chunked_init(&t->req_ck);
	} else if ((r->flags & HTTP1_F_HAS_CL) && r->content_length) {
		t->req_body = BODY_CL;
		t->req_left = r->content_length;
	}
	if (rewrite_request(s, r, n)) {
		xch_error(&s->x, 431, TERM_BAD_REQUEST, now);
		return;
	}
	t->replayable = 1;
	account_req(s);
	if (s->closed || s->x.phase == XCH_CLOSING)
		return;
	xch_start(&s->x, now);
}

void h1_client_data(struct h1conn *s)
{
	switch (s->x.phase) {
	case XCH_IDLE:
	case XCH_HEAD:
		h1_start_request(s);
		break;
	case XCH_ACTIVE:
		if (!s->x.tx->req_done)
			account_req(s);
		break;
	case XCH_TUNNEL:
		s->fend = s->in->end;
		break;
	default:
		break;
	}
	if (s->c_eof && !s->closed)
		xch_client_eof(&s->x);
}

int h1_in_compact(struct h1conn *s)
{
	struct dbuf *b = s->in;
	if ((s->x.phase != XCH_ACTIVE && s->x.phase != XCH_TUNNEL) || s->wpos == 0)
		return 0;
	uint32_t k = s->wpos;
	memmove(b->data, b->data + k, b->end - k);
	b->end -= k;
	s->fend -= k;
	s->wpos = 0;
	if (s->x.tx)
		h1_txn(s)->replayable = 0; /* the start of the request is gone */
	return (int)k;
}

/* The request waits for the server to take bytes (so the client is not
 * idle: see xch_io). */
int h1_req_waits_server(const struct h1conn *s)
{
	return (s->in && s->in->end - s->wpos >= DBUF_FILL) || (s->zdir == 1 && s->zp.len) ||
	       (h1_splice_request_next(s) && s->wpos != s->fend);
}
