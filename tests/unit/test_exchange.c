/* Unit tests of lbd's exchange state machine (lbd/exchange.c) on a fake
 * clock: the connection below it is a recorder of what the machine asked
 * for (struct xch_ops), as test_vrrp_fsm does for vrrpd/vrrp.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "lbd/exchange.h"
#include "lbd/model.h"

/* ---- the fake connection ---- */

struct fake {
	struct exchange x;          /* first: the ops find the fake from x */
	double armed;
	int arms, kills, errors, last_status;
	struct xch_txn txn;
	int txn_live, txn_frees;
	struct server *pick[8];     /* what pick answers, in turn (NULL: none) */
	int npick, picks;
	const struct server *last_avoid;
	int queue_rc, queues, unqueues;
	int connect_rc[8];          /* what connect answers, in turn */
	int nconnect, connects;
	struct server *connected_to;
	int releases, reusable_releases, slots_freed;
	int rewind_rc, rewinds;
	struct xch_io io;
	int flows, tunnels, logs;
	int pending;                /* what client_pending answers */
	enum term last_term;
	int logged_status;
};

static struct fake *F(struct exchange *x)
{
	return (struct fake *)x;
}

static void f_arm(struct exchange *x, double at)
{
	F(x)->armed = at;
	F(x)->arms++;
}

static void f_kill(struct exchange *x)
{
	F(x)->kills++;
	xch_teardown(x, F(x)->armed); /* as the host does: the transaction is logged */
}

static int f_send_error(struct exchange *x, int status)
{
	F(x)->errors++;
	F(x)->last_status = status;
	return 0;
}

static struct xch_txn *f_txn_new(struct exchange *x)
{
	struct fake *f = F(x);
	assert_int_equal(f->txn_live, 0); /* one request at a time on HTTP/1 */
	memset(&f->txn, 0, sizeof(f->txn));
	f->txn_live = 1;
	return &f->txn;
}

static void f_txn_free(struct exchange *x, struct xch_txn *tx)
{
	assert_ptr_equal(tx, &F(x)->txn);
	F(x)->txn_live = 0;
	F(x)->txn_frees++;
}

static struct server *f_pick(struct exchange *x, struct backend *be, const struct server *avoid)
{
	struct fake *f = F(x);
	(void)be;
	f->last_avoid = avoid;
	return f->picks < f->npick ? f->pick[f->picks++] : NULL;
}

static int f_queue(struct exchange *x)
{
	F(x)->queues++;
	return F(x)->queue_rc;
}

static void f_unqueue(struct exchange *x)
{
	F(x)->unqueues++;
}

static int f_connect(struct exchange *x, struct server *srv)
{
	struct fake *f = F(x);
	f->connected_to = srv;
	return f->connects < f->nconnect ? f->connect_rc[f->connects++] : 0;
}

static void f_release(struct exchange *x, int reusable)
{
	F(x)->releases++;
	F(x)->reusable_releases += reusable != 0;
}

static void f_slot_freed(struct exchange *x)
{
	F(x)->slots_freed++;
}

static int f_rewind(struct exchange *x)
{
	F(x)->rewinds++;
	return F(x)->rewind_rc;
}

static void f_io(struct exchange *x, struct xch_io *io)
{
	*io = F(x)->io;
}

static void f_flow(struct exchange *x, double now)
{
	F(x)->flows++;
	F(x)->io.c_last = F(x)->io.s_last = now;
}

static void f_tunnel(struct exchange *x)
{
	F(x)->tunnels++;
}

static void f_log(struct exchange *x, const struct xch_txn *tx, double now)
{
	(void)now;
	F(x)->logs++;
	F(x)->last_term = tx->term;
	F(x)->logged_status = tx->status;
}

static int f_client_pending(struct exchange *x)
{
	return F(x)->pending;
}

static const struct xch_ops ops = {
	.arm = f_arm, .kill = f_kill, .send_error = f_send_error, .txn_new = f_txn_new,
	.txn_free = f_txn_free, .pick = f_pick, .queue = f_queue, .unqueue = f_unqueue,
	.connect = f_connect, .release = f_release, .slot_freed = f_slot_freed, .rewind = f_rewind,
	.io = f_io, .flow = f_flow, .tunnel = f_tunnel, .log = f_log, .client_pending = f_client_pending,
};

/* ---- a frontend, a backend of two servers ---- */

static struct frontend_state fe_st;
static struct backend_state be_st;
static struct server_state srv_st[2];
static struct server srvs[2];
static struct backend be;
static struct frontend fe;

static const struct lbd_timeouts TO = {
	.connect_ms = 1000, .client_ms = 3000, .server_ms = 4000, .http_request_ms = 5000,
	.keepalive_ms = 2000, .tunnel_ms = 10000, .pool_idle_ms = 1000, .queue_ms = 1500,
};

static int setup(void **state)
{
	static struct fake f;
	memset(&fe_st, 0, sizeof(fe_st));
	memset(&be_st, 0, sizeof(be_st));
	memset(srv_st, 0, sizeof(srv_st));
	memset(&be, 0, sizeof(be));
	memset(&fe, 0, sizeof(fe));
	for (int i = 0; i < 2; i++) {
		memset(&srvs[i], 0, sizeof(srvs[i]));
		srvs[i].st = &srv_st[i];
		srvs[i].be = &be;
		srvs[i].id = i;
		srvs[i].conf.weight = 1;
		atomic_store(&srv_st[i].up, 1);
		atomic_store(&srv_st[i].weight, 1);
		strcpy(srvs[i].conf.name, i ? "b" : "a");
	}
	strcpy(be.conf.name, "be");
	be.conf.to = TO;
	be.conf.retries = 2;
	be.conf.redispatch = 1;
	be.servers = srvs;
	be.nservers = be.nactive = 2;
	be.st = &be_st;
	strcpy(fe.conf.name, "fe");
	fe.conf.to = TO;
	fe.be = &be;
	fe.st = &fe_st;
	memset(&f, 0, sizeof(f));
	f.pick[0] = &srvs[0];
	f.pick[1] = &srvs[1];
	f.pick[2] = &srvs[0];
	f.npick = 3;
	*state = &f;
	xch_init(&f.x, &ops, &fe, 100.0);
	return 0;
}

/* A whole head came at `now`: the transaction, as the connection layer fills it. */
static struct xch_txn *request(struct fake *f, double now, int idempotent)
{
	struct xch_txn *tx = xch_begin(&f->x, now);
	assert_non_null(tx);
	tx->be = &be;
	tx->idempotent = (uint8_t)idempotent;
	tx->req_done = 1;
	xch_start(&f->x, now);
	return tx;
}

/* ---- the tests ---- */

static void test_idle_timeout_closes_without_answer(void **state)
{
	struct fake *f = *state;
	assert_int_equal(f->x.phase, XCH_IDLE);
	assert_true(f->armed == 105.0); /* timeout http-request from the accept */
	xch_timer(&f->x, 104.0);         /* early: armed again */
	assert_int_equal(f->kills, 0);
	assert_true(f->armed == 105.0);
	xch_timer(&f->x, 105.0);
	assert_int_equal(f->kills, 1);
	assert_int_equal(f->errors, 0);
	assert_int_equal(f->logs, 0); /* no request, nothing logged */
}

/* The idle deadline passed while the next request waited unread (lbd
 * late, the timer first in the loop pass): not closed, once. */
static void test_idle_deadline_spares_an_unread_request_once(void **state)
{
	struct fake *f = *state;
	f->pending = 1;
	xch_timer(&f->x, 105.0);
	assert_int_equal(f->kills, 0);
	assert_true(f->armed == 110.0); /* its head is due within timeout http-request */
	xch_timer(&f->x, 110.0);        /* still unread: it goes */
	assert_int_equal(f->kills, 1);
}

static void test_spared_again_after_a_request(void **state)
{
	struct fake *f = *state;
	f->pending = 1;
	xch_timer(&f->x, 105.0);
	assert_int_equal(f->kills, 0);
	struct xch_txn *tx = request(f, 105.1, 1); /* read: out of phase idle */
	xch_connected(&f->x, 105.1);
	tx->resp_started = tx->resp_done = 1;
	tx->status = 200;
	assert_int_equal(xch_end(&f->x, 1, 0, 0, 105.2), 0);
	xch_keepalive(&f->x, 1, 105.2);
	xch_timer(&f->x, 105.2 + XCH_STOP_IDLE_S);
	assert_int_equal(f->kills, 0);
	f->pending = 0;
	xch_timer(&f->x, 200.0);
	assert_int_equal(f->kills, 1);
}

static void test_head_timeout_answers_408(void **state)
{
	struct fake *f = *state;
	xch_head_partial(&f->x, 101.0);
	assert_int_equal(f->x.phase, XCH_HEAD);
	assert_true(f->armed == 105.0); /* the first head's deadline runs from the accept */
	xch_timer(&f->x, 105.0);
	assert_int_equal(f->last_status, 408);
	assert_int_equal(f->x.phase, XCH_CLOSING);
	assert_true(f->armed == 108.0); /* timeout client for the answer to go */
	xch_timer(&f->x, 108.0);
	assert_int_equal(f->kills, 1);
	assert_int_equal(f->logs, 1);
	assert_int_equal(f->last_term, TERM_CLIENT_TIMEOUT);
	assert_int_equal(f->logged_status, 408);
}

static void test_connect_then_active(void **state)
{
	struct fake *f = *state;
	request(f, 101.0, 1);
	assert_int_equal(f->x.phase, XCH_CONNECT);
	assert_ptr_equal(f->connected_to, &srvs[0]);
	assert_true(f->armed == 102.0); /* timeout connect */
	assert_int_equal(model_cnt_get(&srv_st[0].cnt.sess_cur), 1);
	xch_connected(&f->x, 101.5);
	assert_int_equal(f->x.phase, XCH_ACTIVE);
	assert_int_equal(f->flows, 1);
	assert_true(f->armed == 104.5); /* the shorter of client and server timeouts */
}

static void test_pooled_connection_is_active_at_once(void **state)
{
	struct fake *f = *state;
	f->connect_rc[0] = 1;
	f->nconnect = 1;
	request(f, 101.0, 1);
	assert_int_equal(f->x.phase, XCH_ACTIVE);
	assert_true(f->x.tx->t_connect == 101.0);
}

static void test_connect_timeout_retries_elsewhere_then_503(void **state)
{
	struct fake *f = *state;
	request(f, 101.0, 1);
	xch_timer(&f->x, 102.0); /* connect timeout on a */
	assert_int_equal(f->rewinds, 1);
	assert_ptr_equal(f->last_avoid, &srvs[0]);
	assert_ptr_equal(f->connected_to, &srvs[1]);
	assert_int_equal(f->x.phase, XCH_CONNECT);
	assert_int_equal(model_cnt_get(&be_st.cnt.redispatches), 1);
	assert_int_equal(model_cnt_get(&srv_st[0].cnt.err_conn), 1);
	assert_int_equal(model_cnt_get(&srv_st[0].cnt.sess_cur), 0); /* a's slot freed */
	xch_connect_failed(&f->x, ECONNREFUSED, 102.5);
	xch_connect_failed(&f->x, ECONNREFUSED, 103.0); /* retries (2) used up */
	assert_int_equal(f->x.tx->attempts, 2);
	assert_int_equal(f->last_status, 503);
	assert_int_equal(f->x.phase, XCH_CLOSING);
	assert_int_equal(model_cnt_get(&be_st.cnt.retries), 2);
}

static void test_no_replay_once_the_request_start_is_gone(void **state)
{
	struct fake *f = *state;
	f->rewind_rc = -1;
	request(f, 101.0, 1);
	xch_connect_failed(&f->x, ECONNREFUSED, 101.1);
	assert_int_equal(f->x.tx->attempts, 0);
	assert_int_equal(f->last_status, 503);
}

static void test_passive_health_marks_down(void **state)
{
	struct fake *f = *state;
	be.conf.check.passive_fall = 1;
	be.conf.retries = 0;
	request(f, 101.0, 1);
	xch_connect_failed(&f->x, ECONNREFUSED, 101.1);
	assert_int_equal(atomic_load(&srv_st[0].up), 0);
	assert_int_equal(atomic_load(&srv_st[0].check_reason), CHECK_PASSIVE);
}

static void test_queue_timeout_503(void **state)
{
	struct fake *f = *state;
	f->npick = 0;
	request(f, 101.0, 1);
	assert_int_equal(f->queues, 1);
	assert_int_equal(f->x.phase, XCH_QUEUED);
	assert_true(f->armed == 102.5); /* timeout queue */
	xch_timer(&f->x, 102.5);
	assert_int_equal(f->unqueues, 1);
	assert_int_equal(f->last_status, 503);
	assert_int_equal(model_cnt_get(&be_st.cnt.q_timeouts), 1);
	xch_timer(&f->x, 105.5);
	assert_int_equal(f->last_term, TERM_QUEUE_TIMEOUT);
}

static void test_queue_full_503(void **state)
{
	struct fake *f = *state;
	f->npick = 0;
	f->queue_rc = -1;
	request(f, 101.0, 1);
	assert_int_equal(f->last_status, 503);
	assert_int_equal(f->x.phase, XCH_CLOSING);
	assert_int_equal(f->x.tx->term, TERM_NO_SERVER);
}

static void test_dequeued_connects_and_keeps_its_first_wait(void **state)
{
	struct fake *f = *state;
	f->npick = 0;
	request(f, 101.0, 1);
	/* let out at 101.2, but the slot went to another worker: back in line */
	xch_dequeued(&f->x, 101.2);
	assert_int_equal(f->x.phase, XCH_QUEUED);
	assert_true(f->armed == 102.5); /* the deadline still counts from the first entry */
	f->pick[0] = &srvs[1];
	f->npick = 1;
	f->picks = 0;
	xch_dequeued(&f->x, 101.4);
	assert_int_equal(f->x.phase, XCH_CONNECT);
	assert_true(f->x.tx->t_queued == 101.0);
	assert_true(f->x.tx->t_dequeued == 101.4);
}

static void test_server_timeout_504_unless_waiting_on_client(void **state)
{
	struct fake *f = *state;
	request(f, 101.0, 1);
	xch_connected(&f->x, 101.0);
	f->io.resp_waits_client = 1; /* the client does not read: the server is not idle */
	f->io.c_last = 104.5;
	xch_timer(&f->x, 105.0);
	assert_int_equal(f->errors, 0);
	assert_true(f->armed > 105.0);
	f->io.resp_waits_client = 0;
	xch_timer(&f->x, 105.0); /* server silent since 101 */
	assert_int_equal(f->last_status, 504);
	assert_int_equal(model_cnt_get(&srv_st[0].cnt.err_resp), 1);
}

static void test_keepalive_then_next_head_deadline(void **state)
{
	struct fake *f = *state;
	struct xch_txn *tx = request(f, 101.0, 1);
	xch_connected(&f->x, 101.0);
	tx->resp_started = tx->resp_done = 1;
	tx->srv_reuse = 1;
	tx->status = 200;
	assert_int_equal(xch_end(&f->x, 1, 0, 0, 101.2), 0);
	assert_int_equal(f->reusable_releases, 1); /* the server connection back to the pool */
	assert_int_equal(f->x.phase, XCH_IDLE);
	assert_int_equal(f->logs, 1);
	assert_int_equal(f->last_term, TERM_OK);
	assert_null(f->x.tx);
	xch_keepalive(&f->x, 0, 101.2);
	assert_true(f->armed == 103.2);
	xch_head_partial(&f->x, 102.0); /* after a keep-alive wait, from the first byte */
	assert_true(f->armed == 107.0);
}

static void test_end_closes_on_close_and_stopping_shortens_keepalive(void **state)
{
	struct fake *f = *state;
	struct xch_txn *tx = request(f, 101.0, 1);
	xch_connected(&f->x, 101.0);
	tx->resp_done = 1;
	tx->srv_reuse = 1;
	xch_keepalive(&f->x, 1, 101.0);
	assert_true(f->armed == 101.0 + XCH_STOP_IDLE_S);
	tx->close_client = 1;
	assert_int_equal(xch_end(&f->x, 1, 0, 0, 101.2), 1);
	assert_int_equal(f->kills, 1);
}

static void test_server_closed_early(void **state)
{
	struct fake *f = *state;
	/* idempotent, sent whole on a new connection: the server may have acted */
	request(f, 101.0, 1);
	xch_connected(&f->x, 101.0);
	xch_server_closed_early(&f->x, 0, 1, 101.1);
	assert_int_equal(f->last_status, 502);
	assert_int_equal(f->rewinds, 0);
}

static void test_server_closed_early_on_reused_connection_retries(void **state)
{
	struct fake *f = *state;
	request(f, 101.0, 1);
	xch_connected(&f->x, 101.0);
	xch_server_closed_early(&f->x, 1, 1, 101.1);
	assert_int_equal(f->errors, 0);
	assert_int_equal(f->rewinds, 1);
	assert_int_equal(f->x.phase, XCH_CONNECT);
}

static void test_bad_response_cut_once_answering(void **state)
{
	struct fake *f = *state;
	struct xch_txn *tx = request(f, 101.0, 1);
	xch_connected(&f->x, 101.0);
	tx->resp_started = 1;
	xch_bad_response(&f->x, TERM_BAD_RESPONSE, 101.1);
	assert_int_equal(f->errors, 0);
	assert_int_equal(f->kills, 1);
	assert_int_equal(f->last_term, TERM_BAD_RESPONSE);
}

static void test_tunnel_idles_out(void **state)
{
	struct fake *f = *state;
	request(f, 101.0, 1);
	xch_connected(&f->x, 101.0);
	xch_tunnel(&f->x, 101.5);
	assert_int_equal(f->x.phase, XCH_TUNNEL);
	assert_int_equal(f->tunnels, 1);
	assert_true(f->armed == 111.5);
	f->io.c_last = 105.0;
	xch_timer(&f->x, 111.5); /* the client spoke at 105 */
	assert_int_equal(f->kills, 0);
	assert_true(f->armed == 115.0);
	xch_timer(&f->x, 115.0);
	assert_int_equal(f->kills, 1);
}

static void test_teardown_while_queued_leaves_the_queue(void **state)
{
	struct fake *f = *state;
	f->npick = 0;
	request(f, 101.0, 1);
	xch_client_gone(&f->x);
	assert_int_equal(f->unqueues, 1);
	assert_int_equal(f->logs, 1);
	assert_int_equal(f->last_term, TERM_CLIENT_CLOSED);
	xch_teardown(&f->x, 102.0); /* idempotent */
	assert_int_equal(f->logs, 1);
	assert_int_equal(model_cnt_get(&be_st.cnt.sess_cur), 0);
}

static void test_half_closed_client_still_answered(void **state)
{
	struct fake *f = *state;
	request(f, 101.0, 1);
	xch_client_eof(&f->x); /* request whole: wait for the answer */
	assert_int_equal(f->kills, 0);
	f->x.tx->req_done = 0;
	xch_client_eof(&f->x);
	assert_int_equal(f->kills, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_idle_timeout_closes_without_answer, setup),
		cmocka_unit_test_setup(test_head_timeout_answers_408, setup),
		cmocka_unit_test_setup(test_connect_then_active, setup),
		cmocka_unit_test_setup(test_pooled_connection_is_active_at_once, setup),
		cmocka_unit_test_setup(test_connect_timeout_retries_elsewhere_then_503, setup),
		cmocka_unit_test_setup(test_no_replay_once_the_request_start_is_gone, setup),
		cmocka_unit_test_setup(test_passive_health_marks_down, setup),
		cmocka_unit_test_setup(test_queue_timeout_503, setup),
		cmocka_unit_test_setup(test_queue_full_503, setup),
		cmocka_unit_test_setup(test_dequeued_connects_and_keeps_its_first_wait, setup),
		cmocka_unit_test_setup(test_server_timeout_504_unless_waiting_on_client, setup),
		cmocka_unit_test_setup(test_idle_deadline_spares_an_unread_request_once, setup),
		cmocka_unit_test_setup(test_spared_again_after_a_request, setup),
		cmocka_unit_test_setup(test_keepalive_then_next_head_deadline, setup),
		cmocka_unit_test_setup(test_end_closes_on_close_and_stopping_shortens_keepalive, setup),
		cmocka_unit_test_setup(test_server_closed_early, setup),
		cmocka_unit_test_setup(test_server_closed_early_on_reused_connection_retries, setup),
		cmocka_unit_test_setup(test_bad_response_cut_once_answering, setup),
		cmocka_unit_test_setup(test_tunnel_idles_out, setup),
		cmocka_unit_test_setup(test_teardown_while_queued_leaves_the_queue, setup),
		cmocka_unit_test_setup(test_half_closed_client_still_answered, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
