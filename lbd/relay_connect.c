/* relay_connect: choosing a server for a request and connecting to it:
 * the round-robin pick (roundrobin.c), the queue when every server is busy
 * (queue.c), pooled connections (upstream.c), connect failures, passive
 * health, retries and redispatch.  See relay.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "roundrobin.h"
#include "log.h"
#include "model.h"
#include "queue.h"
#include "relay.h"

void relay_retry_or_fail(struct session *s, int status, enum term term)
{
	struct txn *tx = s->tx;
	if (tx->attempts < (int)tx->be->conf.retries && tx->replayable && !tx->resp_started) {
		tx->attempts++;
		model_cnt_add(&tx->be->st->cnt.retries, 1);
		model_cnt_add(&tx->srv->st->cnt.retries, 1);
		tx->last_srv = tx->srv;
		tx->srv = NULL;
		s->wpos = 0;
		tx->req_cut = 0;
		relay_connect(s);
		return;
	}
	relay_error(s, status, term);
}

void relay_connect_failed(struct session *s, int err)
{
	struct txn *tx = s->tx;
	struct server *srv = tx->srv;
	model_cnt_add(&srv->st->cnt.err_conn, 1);
	model_cnt_add(&tx->be->st->cnt.err_conn, 1);
	uint32_t pf = tx->be->conf.check.passive_fall;
	if (pf && atomic_fetch_add(&srv->st->consec_fail, 1) + 1 >= pf && model_server_set_up(srv, 0)) {
		atomic_store(&srv->st->check_reason, CHECK_PASSIVE);
		log_warn("server %s/%s is DOWN: %u connect failures from traffic (%s)", tx->be->conf.name,
			 srv->conf.name, pf, strerror(err));
	}
	relay_release_server(s, 0);
	relay_retry_or_fail(s, 503, TERM_CONNECT_FAILED);
}

static void enter_active(struct session *s)
{
	ev_tstamp now = relay_now(s);
	struct txn *tx = s->tx;
	s->phase = PH_ACTIVE;
	tx->t_connect = now;
	s->c_last = s->s_last = now;
	if (atomic_load_explicit(&tx->srv->st->consec_fail, memory_order_relaxed))
		atomic_store(&tx->srv->st->consec_fail, 0);
	const struct lbd_timeouts *to = &tx->be->conf.to;
	uint32_t cms = s->fe->conf.to.client_ms, sms = to->server_ms;
	sess_arm(s, now + (cms < sms ? cms : sms) / 1000.0);
	upconn_watch(s->up, 1, 0);
}

void relay_connect(struct session *s)
{
	struct worker *w = s->w;
	struct txn *tx = s->tx;
	struct backend *be = tx->be;
	struct roundrobin *rr = s->cfg == w->cfg && be->id < w->lb.n ? &w->lb.be[be->id] : NULL;
	struct server *srv;
	if (!be->conf.redispatch && tx->last_srv && model_server_usable(tx->last_srv))
		srv = tx->last_srv;
	else
		srv = roundrobin_pick(be, rr, tx->last_srv);
	if (!srv) {
		/* Every server that is up is busy: wait, if the queue has room. */
		if (roundrobin_should_queue(be) &&
		    (!be->conf.maxqueue || model_cnt_get(&be->st->cnt.q_cur) < be->conf.maxqueue))
			queue_add(s);
		else
			relay_error(s, 503, TERM_NO_SERVER);
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
	int err = 0;
	struct upconn *u = upconn_take(w, srv, &err);
	if (!u) {
		relay_connect_failed(s, err);
		return;
	}
	u->s = s;
	s->up = u;
	s->s_readable = s->s_wblocked = s->s_eof = 0;
	if (u->connected) {
		enter_active(s);
		return;
	}
	s->phase = PH_CONNECT;
	sess_arm(s, relay_now(s) + be->conf.to.connect_ms / 1000.0);
	upconn_watch(u, 0, 1);
}

void relay_dequeued(struct session *s)
{
	relay_connect(s);
	sess_pump(s);
}

void relay_server_writable(struct session *s)
{
	s->s_wblocked = 0;
	if (s->phase != PH_CONNECT || !s->up)
		return;
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(s->up->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		relay_connect_failed(s, err);
		return;
	}
	s->up->connected = 1;
	enter_active(s);
}
