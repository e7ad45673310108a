/* logq: a worker's queue of log lines for a unix datagram socket (syslog's
 * /dev/log), sent in batches and never waited for.
 *
 * Lines are copied into a fixed buffer; an ev_prepare watcher sends what an
 * event-loop iteration queued, with one sendmmsg(MSG_DONTWAIT) before the
 * loop sleeps (or at once when the buffer is full).  Lines a busy reader
 * does not take (EAGAIN) stay queued and are tried again a few ms later;
 * when the queue is full, new lines are dropped and counted, and without a
 * reader every line is: a wedged journald costs lbd log lines, never its
 * requests or its /healthz.  One datagram per line, as syslog readers expect.
 *
 * A queue belongs to one thread and its loop; the counters are process-wide
 * (the stats show them). */
#ifndef LBD_LOGQ_H
#define LBD_LOGQ_H

#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct logq;

/* A queue for `path` (a unix datagram socket) on `loop`; NULL if out of
 * memory or no socket (then lines are counted as dropped by the caller). */
struct logq *logq_new(struct ev_loop *loop, const char *path);
/* Sends what it can, stops its watcher and frees; NULL is fine. */
void logq_free(struct logq *q);
/* Queues one line (without its newline); dropped and counted if full. */
void logq_push(struct logq *q, const char *line, size_t len);
/* Sends the queued lines the reader takes now (the rest wait). */
void logq_flush(struct logq *q);

/* Lines sent and dropped by every queue of the process since it started. */
void logq_totals(uint64_t *sent, uint64_t *dropped);
/* One more line dropped (no queue to put it in). */
void logq_count_drop(void);

#endif
