#include "queue.h"

#include "roundrobin.h"
#include "model.h"
#include "proxy.h"
#include "relay.h"

#define QUEUE_TICK 0.005

static uint32_t queue_ms(const struct backend *be)
{
	return be->conf.to.queue_ms ? be->conf.to.queue_ms : be->conf.to.connect_ms;
}

/* Every request that roundrobin_pick would now give a server leaves, oldest first.
 * The walk covers the requests queued when it began: one put back at the
 * tail (another worker took the slot first) waits for the next run. */
static void run(struct worker *w)
{
	struct session *s = w->q_head, *last = w->q_tail;
	while (s) {
		struct session *next = s->q_next;
		int was_last = s == last;
		if (roundrobin_has_slot(s->tx->be, s->tx->last_srv)) {
			queue_remove(s);
			s->tx->t_dequeued = ev_now(w->loop);
			relay_dequeued(s); /* may free s, or put it back at the tail */
		}
		if (was_last)
			break;
		s = next;
	}
	if (!w->q_head)
		ev_timer_stop(w->loop, &w->qtick);
}

static void tick_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	run(t->data);
}

void queue_init(struct worker *w)
{
	ev_timer_init(&w->qtick, tick_cb, QUEUE_TICK, QUEUE_TICK);
	w->qtick.data = w;
}

void queue_add(struct session *s)
{
	struct worker *w = s->w;
	struct txn *tx = s->tx;
	ev_tstamp now = ev_now(w->loop);
	s->phase = PH_QUEUED;
	s->q_peeked = 0;
	s->q_next = NULL;
	s->q_prev = w->q_tail;
	if (w->q_tail)
		w->q_tail->q_next = s;
	else
		w->q_head = s;
	w->q_tail = s;
	w->qlen++;
	/* A request waits `timeout queue` in all, however often it is put
	 * back: the deadline counts from its first entry. */
	if (tx->t_queued <= 0)
		tx->t_queued = now;
	model_queue_inc(&tx->be->st->cnt);
	sess_arm(s, tx->t_queued + queue_ms(tx->be) / 1000.0);
	if (!ev_is_active(&w->qtick))
		ev_timer_again(w->loop, &w->qtick);
}

void queue_remove(struct session *s)
{
	struct worker *w = s->w;
	if (s->phase != PH_QUEUED)
		return;
	if (s->q_prev)
		s->q_prev->q_next = s->q_next;
	else
		w->q_head = s->q_next;
	if (s->q_next)
		s->q_next->q_prev = s->q_prev;
	else
		w->q_tail = s->q_prev;
	s->q_prev = s->q_next = NULL;
	w->qlen--;
	model_queue_dec(&s->tx->be->st->cnt);
	s->phase = PH_CONNECT; /* until relay_dequeued or an error moves it on */
}

void queue_kick(struct worker *w)
{
	if (w->q_head)
		ev_feed_event(w->loop, &w->qtick, EV_TIMER);
}
