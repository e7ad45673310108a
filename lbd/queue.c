/* queue: requests waiting for a server slot (see queue.h). */
#include "queue.h"

#include "model.h"
#include "roundrobin.h"

#define QUEUE_TICK 0.005

/* Every request that roundrobin_pick would now give a server leaves, oldest first.
 * The walk covers the requests queued when it began: one put back at the
 * tail (another worker took the slot first) waits for the next run. */
static void run(struct queue *q)
{
	struct queue_entry *e = q->head, *last = q->tail;
	while (e) {
		struct queue_entry *next = e->next;
		int was_last = e == last;
		if (roundrobin_has_slot(e->be, e->avoid)) {
			queue_remove(q, e);
			e->ready(e); /* may free e, or put it back at the tail */
		}
		if (was_last)
			break;
		e = next;
	}
	if (!q->head)
		ev_timer_stop(q->loop, &q->tick);
}

static void tick_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop;
	(void)revents;
	run(t->data);
}

void queue_init(struct queue *q, struct ev_loop *loop)
{
	q->loop = loop;
	q->head = q->tail = NULL;
	q->len = 0;
	ev_timer_init(&q->tick, tick_cb, QUEUE_TICK, QUEUE_TICK);
	q->tick.data = q;
}

void queue_stop(struct queue *q)
{
	ev_timer_stop(q->loop, &q->tick);
}

void queue_add(struct queue *q, struct queue_entry *e)
{
	e->queued = 1;
	e->next = NULL;
	e->prev = q->tail;
	if (q->tail)
		q->tail->next = e;
	else
		q->head = e;
	q->tail = e;
	q->len++;
	model_queue_inc(&e->be->st->cnt);
	if (!ev_is_active(&q->tick))
		ev_timer_again(q->loop, &q->tick);
}

void queue_remove(struct queue *q, struct queue_entry *e)
{
	if (!e->queued)
		return;
	if (e->prev)
		e->prev->next = e->next;
	else
		q->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		q->tail = e->prev;
	e->prev = e->next = NULL;
	e->queued = 0;
	q->len--;
	model_queue_dec(&e->be->st->cnt);
}

void queue_kick(struct queue *q)
{
	if (q->head)
		ev_feed_event(q->loop, &q->tick, EV_TIMER);
}
