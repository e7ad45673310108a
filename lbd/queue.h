/* queue: requests waiting for a server slot.
 *
 * When every server of a backend that is up is at its maxconn, a request
 * waits here instead of getting a 503 (HAProxy's queue).  One queue per
 * worker, oldest first, whatever the backend: nothing is shared, so no lock.
 * A request leaves it
 *   - when a slot frees: a request of this worker released its server
 *     (queue_kick, from relay.c) or the worker's queue tick, every 5 ms
 *     while the queue is not empty, sees a free slot (slots freed by other
 *     workers, a server coming up);
 *   - with a 503 after `timeout queue` (session.c's timer);
 *   - when its client goes away (session teardown).
 * The backend's q_cur/q_max counters feed the stats. */
#ifndef LBD_QUEUE_H
#define LBD_QUEUE_H

#include <ev.h>

struct session;
struct worker;

void queue_init(struct worker *w);
/* The session's request waits (phase PH_QUEUED, deadline armed). */
void queue_add(struct session *s);
/* Out of the queue if it is in it (no effect otherwise). */
void queue_remove(struct session *s);
/* A slot may have freed: let waiting requests try, soon (not from inside
 * the caller's callback: a request dequeued may fail and free things). */
void queue_kick(struct worker *w);

#endif
