/* queue: requests waiting for a server slot.
 *
 * When every server of a backend that is up is at its maxconn, a request
 * waits here instead of getting a 503 (HAProxy's queue).  One queue per
 * worker, oldest first, whatever the backend: nothing is shared, so no lock.
 * A request leaves it
 *   - when a slot frees: a request of this worker released its server
 *     (queue_kick) or the queue's tick, every 5 ms while the queue is not
 *     empty, sees a free slot (slots freed by other workers, a server
 *     coming up): its entry's `ready` callback is called, after it left;
 *   - with a 503 after `timeout queue` (the exchange's deadline);
 *   - when its client goes away (queue_remove).
 * The backend's q_cur/q_max counters feed the stats.  The queue knows its
 * entries, not what waits in them. */
#ifndef LBD_QUEUE_H
#define LBD_QUEUE_H

#include <ev.h>

struct backend;
struct server;
struct queue_entry;

typedef void (*queue_ready_fn)(struct queue_entry *e);

struct queue_entry {
	struct queue_entry *prev, *next;
	struct backend *be;
	const struct server *avoid;   /* the server that just failed the request */
	queue_ready_fn ready;
	int queued;
};

struct queue {
	struct ev_loop *loop;
	struct queue_entry *head, *tail;
	int len;
	ev_timer tick;                /* runs the queue while it is not empty */
};

void queue_init(struct queue *q, struct ev_loop *loop);
void queue_stop(struct queue *q);
/* e waits at the tail (e->be, e->avoid and e->ready set by the caller). */
void queue_add(struct queue *q, struct queue_entry *e);
/* Out of the queue if it is in it (no effect otherwise). */
void queue_remove(struct queue *q, struct queue_entry *e);
/* A slot may have freed: let waiting requests try, soon (not from inside
 * the caller's callback: a request dequeued may fail and free things). */
void queue_kick(struct queue *q);

#endif
