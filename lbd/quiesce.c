/* quiesce: lbd's side of a planned VIP handover (see quiesce.h). */
#include "quiesce.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "mtime.h"
#include "worker.h"

static void expire_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct quiesce *q = t->data;
	(void)loop; (void)revents;
	log_warn("quiesce: not ended in time (no 'quiesce off'): keeping connections alive again");
	quiesce_end(q);
}

void quiesce_init(struct quiesce *q, struct ev_loop *loop)
{
	memset(q, 0, sizeof(*q));
	q->loop = loop;
	ev_timer_init(&q->expire, expire_cb, 0., 0.);
	q->expire.data = q;
}

void quiesce_end(struct quiesce *q)
{
	ev_timer_stop(q->loop, &q->expire);
	if (!q->on)
		return;
	q->on = 0;
	workers_quiesce(q->workers, 0);
	log_notice("quiesce ended after %llu ms: keeping connections alive again",
		   (unsigned long long)(mtime_ms() - q->since_ms));
}

static void render(struct quiesce *q, struct buf *r)
{
	uint64_t now = mtime_ms();
	buf_printf(r, "{\"ok\":true,\"quiesced\":%s,\"conns\":%d,\"busy\":%d,\"conns_at_start\":%d,"
		      "\"since_ms\":%llu,\"left_ms\":%llu,\"count\":%llu}",
		   q->on ? "true" : "false", workers_sessions(q->workers), workers_busy(q->workers), q->conns_at_start,
		   (unsigned long long)(q->on ? now - q->since_ms : 0),
		   (unsigned long long)(q->on && q->until_ms > now ? q->until_ms - now : 0), (unsigned long long)q->count);
}

int quiesce_cmd(struct quiesce *q, struct workers *w, int argc, char **argv, struct buf *r)
{
	q->workers = w;
	if (argc == 2 && !strcmp(argv[1], "status")) {
		render(q, r);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "off")) {
		quiesce_end(q);
		render(q, r);
		return 0;
	}
	char *end = NULL;
	unsigned long s = argc == 2 ? strtoul(argv[1], &end, 10) : 0;
	if (argc != 2 || !*argv[1] || *end || argv[1][0] == '-' || s < 1 || s > QUIESCE_MAX_S) {
		buf_printf(r, "expected 'quiesce SECONDS' (1 to %d), 'quiesce status' or 'quiesce off'", QUIESCE_MAX_S);
		return -EINVAL;
	}
	uint64_t now = mtime_ms();
	if (!q->on) {
		q->on = 1;
		q->since_ms = now;
		q->count++;
		q->conns_at_start = workers_sessions(w);
		workers_quiesce(w, 1);
		log_notice("quiesce for %lu s at most: \"Connection: close\" on every response, idle connections "
			   "closed, %d client connections (%d with a request in flight) to drain",
			   s, q->conns_at_start, workers_busy(w));
	}
	q->until_ms = now + s * 1000u;
	ev_timer_stop(q->loop, &q->expire);
	ev_timer_set(&q->expire, (double)s, 0.);
	ev_timer_start(q->loop, &q->expire);
	render(q, r);
	return 0;
}
