/* exchange: one request and its response, as a state machine (see exchange.h). */
#include "exchange.h"

#include <errno.h>
#include <string.h>

#include "log.h"
#include "model.h"

const char *const xch_phase_names[XCH_PHASE_COUNT] = {
	[XCH_IDLE] = "idle",
	[XCH_HEAD] = "head",
	[XCH_QUEUED] = "queued",
	[XCH_CONNECT] = "connect",
	[XCH_ACTIVE] = "active",
	[XCH_TUNNEL] = "tunnel",
	[XCH_CLOSING] = "closing",
};

/* Timer slack: a deadline this close counts as passed. */
#define SLACK 0.0005

/* The one place the phase changes. */
static void set_phase(struct exchange *x, enum xch_phase p)
{
	if (x->busy && (x->phase == XCH_IDLE) != (p == XCH_IDLE))
		atomic_fetch_add_explicit(x->busy, p == XCH_IDLE ? -1 : 1, memory_order_relaxed);
	x->phase = p;
	if (p != XCH_IDLE)
		x->spared = 0;
}

static void arm(struct exchange *x, double at)
{
	x->deadline = at;
	x->ops->arm(x, at);
}

static void kill(struct exchange *x)
{
	x->ops->kill(x);
}

static double ms(uint32_t v)
{
	return v / 1000.0;
}

static struct xch_txn *txn_new(struct exchange *x, double now)
{
	struct xch_txn *tx = x->ops->txn_new(x);
	if (!tx)
		return NULL;
	tx->t_start = now;
	strcpy(tx->logreq, "-");
	x->tx = tx;
	return tx;
}

void xch_init(struct exchange *x, const struct xch_ops *ops, struct frontend *fe, double now)
{
	memset(x, 0, sizeof(*x));
	x->ops = ops;
	x->fe = fe;
	set_phase(x, XCH_IDLE);
	arm(x, now + ms(fe->conf.to.http_request_ms));
}

/* ---- accounting ------------------------------------------------------------------- */

static void account(struct exchange *x, struct xch_txn *tx, double now)
{
	struct lbd_counters *fc = &x->fe->st->cnt;
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
	uint64_t now_ms = (uint64_t)(now * 1000.0); /* the host's time is the wall clock */
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

/* released: the server was let go just before (xch_end), no second call down. */
static void txn_end(struct exchange *x, int released, double now)
{
	struct xch_txn *tx = x->tx;
	if (!tx)
		return;
	if (!released)
		xch_release_server(x, 0);
	if (tx->term == TERM_OK && !tx->resp_done)
		tx->term = TERM_CLIENT_CLOSED;
	account(x, tx, now);
	x->ops->log(x, tx, now);
	x->tx = NULL;
	x->ops->txn_free(x, tx);
}

/* ---- errors ------------------------------------------------------------------------ */

void xch_error(struct exchange *x, int status, enum term term, double now)
{
	struct xch_txn *tx = x->tx ? x->tx : txn_new(x, now);
	if (!tx) {
		kill(x);
		return;
	}
	tx->term = term;
	if (tx->resp_started) {
		/* Part of a response is out: all the client can learn is a cut. */
		kill(x);
		return;
	}
	xch_release_server(x, 0);
	if (x->ops->send_error(x, status) < 0) {
		kill(x);
		return;
	}
	tx->status = status;
	tx->close_client = 1;
	tx->resp_started = tx->resp_done = 1;
	set_phase(x, XCH_CLOSING);
	arm(x, now + ms(x->fe->conf.to.client_ms));
}

void xch_bad_response(struct exchange *x, enum term term, double now)
{
	struct xch_txn *tx = x->tx;
	model_cnt_add(&tx->srv->st->cnt.err_resp, 1);
	model_cnt_add(&tx->be->st->cnt.err_resp, 1);
	if (tx->resp_started) {
		tx->term = term;
		kill(x);
		return;
	}
	xch_error(x, 502, term, now);
}

void xch_client_gone(struct exchange *x)
{
	if (x->tx && x->tx->term == TERM_OK)
		x->tx->term = TERM_CLIENT_CLOSED;
	kill(x);
}

void xch_close(struct exchange *x)
{
	kill(x);
}

void xch_client_eof(struct exchange *x)
{
	switch (x->phase) {
	case XCH_TUNNEL:
		return; /* half-close: passed on once the bytes before it are */
	case XCH_ACTIVE:
	case XCH_QUEUED:
	case XCH_CONNECT:
		if (x->tx->req_done)
			return; /* a half-closed client still gets its response */
		break;
	default:
		break;
	}
	xch_client_gone(x);
}

/* ---- the request head ------------------------------------------------------------- */

void xch_head_partial(struct exchange *x, double now)
{
	if (x->phase != XCH_IDLE)
		return;
	set_phase(x, XCH_HEAD);
	/* The head is due within 'timeout http-request' of the accept for a
	 * connection's first request (armed then: a first byte late does not
	 * buy more time), of its first byte after a keep-alive wait (as HAProxy). */
	if (x->served)
		arm(x, now + ms(x->fe->conf.to.http_request_ms));
}

struct xch_txn *xch_begin(struct exchange *x, double now)
{
	double t0 = x->phase == XCH_HEAD ? x->deadline - ms(x->fe->conf.to.http_request_ms) : now;
	struct xch_txn *tx = txn_new(x, now);
	if (!tx) {
		kill(x);
		return NULL;
	}
	tx->t_start = t0;
	tx->t_head = now;
	return tx;
}

void xch_bad_request(struct exchange *x, int status, double now)
{
	model_cnt_add(&x->fe->st->cnt.err_req, 1);
	model_cnt_add(&x->fe->st->cnt.req_total, 1);
	xch_error(x, status, TERM_BAD_REQUEST, now);
}

/* ---- the server side ----------------------------------------------------------------- */

static void enter_active(struct exchange *x, double now)
{
	struct xch_txn *tx = x->tx;
	set_phase(x, XCH_ACTIVE);
	tx->t_connect = now;
	x->ops->flow(x, now);
	if (atomic_load_explicit(&tx->srv->st->consec_fail, memory_order_relaxed))
		atomic_store(&tx->srv->st->consec_fail, 0);
	uint32_t cms = x->fe->conf.to.client_ms, sms = tx->be->conf.to.server_ms;
	arm(x, now + ms(cms < sms ? cms : sms));
}

static uint32_t queue_ms(const struct backend *be)
{
	return be->conf.to.queue_ms ? be->conf.to.queue_ms : be->conf.to.connect_ms;
}

/* Pick a server (or wait for one), then connect or take a pooled connection. */
static void to_server(struct exchange *x, double now)
{
	struct xch_txn *tx = x->tx;
	struct backend *be = tx->be;
	struct server *srv;
	if (!be->conf.redispatch && tx->last_srv && model_server_usable(tx->last_srv))
		srv = tx->last_srv;
	else
		srv = x->ops->pick(x, be, tx->last_srv);
	if (!srv) {
		/* Every server that is up is busy: wait, if the queue has room. */
		if (x->ops->queue(x)) {
			xch_error(x, 503, TERM_NO_SERVER, now);
			return;
		}
		set_phase(x, XCH_QUEUED);
		/* A request waits `timeout queue` in all, however often it is put
		 * back: the deadline counts from its first entry. */
		if (tx->t_queued <= 0)
			tx->t_queued = now;
		arm(x, tx->t_queued + ms(queue_ms(be)));
		return;
	}
	if (tx->last_srv && srv != tx->last_srv) {
		model_cnt_add(&be->st->cnt.redispatches, 1);
		model_cnt_add(&srv->st->cnt.redispatches, 1);
	}
	tx->srv = srv;
	tx->srv_held = 1;
	tx->srv_reuse = 1;
	model_sess_inc(&srv->st->cnt);
	model_sess_inc(&be->st->cnt);
	int rc = x->ops->connect(x, srv);
	if (rc < 0) {
		xch_connect_failed(x, -rc, now);
		return;
	}
	if (rc == 1) {
		enter_active(x, now);
		return;
	}
	set_phase(x, XCH_CONNECT);
	arm(x, now + ms(be->conf.to.connect_ms));
}

void xch_start(struct exchange *x, double now)
{
	to_server(x, now);
}

void xch_dequeued(struct exchange *x, double now)
{
	set_phase(x, XCH_CONNECT); /* until to_server or an error moves it on */
	x->tx->t_dequeued = now;
	to_server(x, now);
}

void xch_connected(struct exchange *x, double now)
{
	if (x->phase == XCH_CONNECT)
		enter_active(x, now);
}

/* Another attempt if the request may be sent again and retries are left,
 * else the error response. */
static void retry_or_fail(struct exchange *x, int status, enum term term, double now)
{
	struct xch_txn *tx = x->tx;
	if (tx->attempts < (int)tx->be->conf.retries && !tx->resp_started && x->ops->rewind(x) == 0) {
		tx->attempts++;
		model_cnt_add(&tx->be->st->cnt.retries, 1);
		model_cnt_add(&tx->srv->st->cnt.retries, 1);
		tx->last_srv = tx->srv;
		tx->srv = NULL;
		to_server(x, now);
		return;
	}
	xch_error(x, status, term, now);
}

void xch_connect_failed(struct exchange *x, int err, double now)
{
	struct xch_txn *tx = x->tx;
	struct server *srv = tx->srv;
	model_cnt_add(&srv->st->cnt.err_conn, 1);
	model_cnt_add(&tx->be->st->cnt.err_conn, 1);
	uint32_t pf = tx->be->conf.check.passive_fall;
	if (pf && atomic_fetch_add(&srv->st->consec_fail, 1) + 1 >= pf && model_server_set_up(srv, 0)) {
		atomic_store(&srv->st->check_reason, CHECK_PASSIVE);
		log_warn("server %s/%s is DOWN: %u connect failures from traffic (%s)", tx->be->conf.name,
			 srv->conf.name, pf, strerror(err));
	}
	xch_release_server(x, 0);
	retry_or_fail(x, 503, TERM_CONNECT_FAILED, now);
}

void xch_server_closed_early(struct exchange *x, int reused_conn, int sent_whole, double now)
{
	struct xch_txn *tx = x->tx;
	/* Nothing of a response came.  An idempotent request goes again when
	 * the server cannot have processed it: the connection was a pooled one
	 * it had closed meanwhile, or the request had not gone whole.  Once
	 * sent whole on a new connection, only with "retry-on empty-response"
	 * (HAProxy's retry-on idea): the server may have acted on it. */
	int again = tx->idempotent &&
		    (reused_conn || !sent_whole || tx->be->conf.retry_on == RETRY_EMPTY_RESPONSE);
	model_cnt_add(&tx->srv->st->cnt.err_resp, 1);
	model_cnt_add(&tx->be->st->cnt.err_resp, 1);
	xch_release_server(x, 0);
	if (again)
		retry_or_fail(x, 502, TERM_SERVER_CLOSED, now);
	else
		xch_error(x, 502, TERM_SERVER_CLOSED, now);
}

void xch_tunnel(struct exchange *x, double now)
{
	set_phase(x, XCH_TUNNEL);
	x->ops->tunnel(x);
	arm(x, now + ms(x->tx->be->conf.to.tunnel_ms));
}

void xch_release_server(struct exchange *x, int reusable)
{
	struct xch_txn *tx = x->tx;
	if (tx && tx->srv_held) {
		model_sess_dec(&tx->srv->st->cnt);
		model_sess_dec(&tx->be->st->cnt);
		tx->srv_held = 0;
		x->ops->slot_freed(x);
	}
	x->ops->release(x, reusable);
}

/* ---- the end ------------------------------------------------------------------------ */

int xch_end(struct exchange *x, int reusable, int more_requests, int client_eof, double now)
{
	struct xch_txn *tx = x->tx;
	xch_release_server(x, reusable && tx->srv_reuse && tx->req_done && x->phase == XCH_ACTIVE);
	/* A client that sent pipelined requests and then shut its side still
	 * gets every answer: close on EOF only when nothing is left to answer. */
	int close = tx->close_client || !tx->req_done || (client_eof && !more_requests) ||
		    x->phase == XCH_CLOSING;
	txn_end(x, 1, now);
	if (close) {
		kill(x);
		return 1;
	}
	set_phase(x, XCH_IDLE);
	x->served = 1;
	return 0;
}

void xch_keepalive(struct exchange *x, int stopping, double now)
{
	double idle = ms(x->fe->conf.to.keepalive_ms);
	if (stopping && idle > XCH_STOP_IDLE_S)
		idle = XCH_STOP_IDLE_S; /* see xch_stop_idle() */
	arm(x, now + idle);
}

/* Stopping: a keep-alive connection is closed at a request boundary, never
 * under a client that may be sending its next request: the next answer
 * says "Connection: close", and one idle for XCH_STOP_IDLE_S is closed.
 * Closing an idle connection at once would reset the request a busy client
 * sends in the same instant. */
void xch_stop_idle(struct exchange *x, int holding_bytes, double now)
{
	if (x->phase == XCH_IDLE && !holding_bytes)
		arm(x, now + XCH_STOP_IDLE_S);
}

void xch_teardown(struct exchange *x, double now)
{
	if (x->phase == XCH_QUEUED) {
		x->ops->unqueue(x);
		set_phase(x, XCH_CONNECT);
	}
	txn_end(x, 0, now);
	if (x->busy && x->phase != XCH_IDLE)
		atomic_fetch_sub_explicit(x->busy, 1, memory_order_relaxed);
	x->busy = NULL;
}

/* ---- deadlines -------------------------------------------------------------------------- */

/* A side that waits on the other is not idle (struct xch_io): lbd does not
 * read the server while the client has not taken what came before, nor the
 * client while its bytes wait for the server. */
static void active_deadline(struct exchange *x, double now)
{
	struct xch_txn *tx = x->tx;
	struct xch_io io;
	x->ops->io(x, &io);
	if (x->phase == XCH_TUNNEL) {
		double last = io.c_last > io.s_last ? io.c_last : io.s_last;
		double end = last + ms(tx->be->conf.to.tunnel_ms);
		if (now + SLACK >= end)
			kill(x);
		else
			arm(x, end);
		return;
	}
	int want_server = !tx->resp_done && !io.resp_waits_client;
	int want_client = (!tx->req_done && !io.req_waits_server) || io.c_wblocked;
	uint32_t sms = tx->be->conf.to.server_ms, cms = x->fe->conf.to.client_ms;
	double sd = io.s_last + ms(sms);
	double cd = io.c_last + ms(cms);
	if (want_server && now + SLACK >= sd) {
		if (!tx->resp_started)
			model_cnt_add(&tx->srv->st->cnt.err_resp, 1);
		xch_error(x, 504, TERM_SERVER_TIMEOUT, now);
		return;
	}
	if (want_client && now + SLACK >= cd) {
		xch_error(x, 408, TERM_CLIENT_TIMEOUT, now);
		return;
	}
	/* A side not timed now may be again soon: look again within a timeout. */
	double next = now + ms(cms < sms ? cms : sms);
	if (want_server && sd < next)
		next = sd;
	if (want_client && cd < next)
		next = cd;
	arm(x, next);
}

static void idle_over(struct exchange *x, double now)
{
	/* The next request is already in the socket: lbd was late (starved of
	 * CPU, this timer runs before the read in the same loop pass), not the
	 * client.  Closing now would reset a request the client sent on an
	 * open connection (wrk counts a read error); it is read and answered
	 * instead ("Connection: close" once stopping).  Once: a connection
	 * whose bytes cannot be read goes at its next deadline. */
	if (x->phase == XCH_IDLE && !x->spared && x->ops->client_pending && x->ops->client_pending(x)) {
		x->spared = 1;
		arm(x, now + ms(x->fe->conf.to.http_request_ms));
		return;
	}
	kill(x); /* keep-alive over: no answer, as HAProxy does */
}

static void head_late(struct exchange *x, double now)
{
	xch_error(x, 408, TERM_CLIENT_TIMEOUT, now); /* counted with the transaction */
}

static void queue_over(struct exchange *x, double now)
{
	x->ops->unqueue(x);
	set_phase(x, XCH_CONNECT);
	model_cnt_add(&x->tx->be->st->cnt.q_timeouts, 1);
	xch_error(x, 503, TERM_QUEUE_TIMEOUT, now);
}

static void connect_late(struct exchange *x, double now)
{
	xch_connect_failed(x, ETIMEDOUT, now);
}

static void (*const on_deadline[XCH_PHASE_COUNT])(struct exchange *x, double now) = {
	[XCH_IDLE] = idle_over,
	[XCH_HEAD] = head_late,
	[XCH_QUEUED] = queue_over,
	[XCH_CONNECT] = connect_late,
	[XCH_ACTIVE] = active_deadline,
	[XCH_TUNNEL] = active_deadline,
	[XCH_CLOSING] = idle_over,
};

void xch_timer(struct exchange *x, double now)
{
	if (x->phase == XCH_ACTIVE || x->phase == XCH_TUNNEL)
		active_deadline(x, now); /* it tells the sides apart itself */
	else if (now + SLACK < x->deadline)
		arm(x, x->deadline);
	else
		on_deadline[x->phase](x, now);
}
