/* logq: batched, non-blocking log lines to a unix datagram socket (see logq.h). */
#include "logq.h"

#include <errno.h>
#include <ev.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define LOGQ_LINES 128
#define LOGQ_BYTES (48u << 10)
#define LOGQ_RECONNECT_S 1.0 /* a missing reader is looked for again at most this often */
#define LOGQ_RETRY_S 0.005    /* a reader that said EAGAIN is tried again after this */

struct logq {
	struct ev_loop *loop;
	ev_prepare prep;     /* before the loop sleeps: send this iteration's lines */
	ev_timer retry;      /* a busy reader: try again soon, even if the loop is idle */
	int fd;
	int connected;
	ev_tstamp last_try;
	ev_tstamp busy_until;  /* the reader's queue was full: wait before trying again */
	struct sockaddr_un dst;
	socklen_t dstlen;
	int n;               /* lines queued */
	size_t used;         /* bytes of buf in use */
	struct iovec iov[LOGQ_LINES];
	struct mmsghdr msg[LOGQ_LINES];
	char buf[LOGQ_BYTES];
};

static _Atomic uint64_t g_sent, g_dropped;

void logq_totals(uint64_t *sent, uint64_t *dropped)
{
	*sent = atomic_load_explicit(&g_sent, memory_order_relaxed);
	*dropped = atomic_load_explicit(&g_dropped, memory_order_relaxed);
}

void logq_count_drop(void)
{
	atomic_fetch_add_explicit(&g_dropped, 1, memory_order_relaxed);
}

static void try_connect(struct logq *q)
{
	q->last_try = ev_now(q->loop);
	q->connected = connect(q->fd, (const struct sockaddr *)&q->dst, q->dstlen) == 0;
}

static void drop_queued(struct logq *q)
{
	atomic_fetch_add_explicit(&g_dropped, (uint64_t)q->n, memory_order_relaxed);
	q->n = 0;
	q->used = 0;
}

/* The first `sent` lines went: move the others to the front. */
static void keep_unsent(struct logq *q, int sent)
{
	if (!sent)
		return;
	if (sent == q->n) {
		q->n = 0;
		q->used = 0;
		return;
	}
	char *from = q->iov[sent].iov_base;
	size_t len = q->used - (size_t)(from - q->buf);
	memmove(q->buf, from, len);
	for (int i = sent; i < q->n; i++) {
		q->iov[i - sent].iov_base = (char *)q->iov[i].iov_base - (from - q->buf);
		q->iov[i - sent].iov_len = q->iov[i].iov_len;
	}
	q->n -= sent;
	q->used = len;
}

/* Sends what the reader takes now.  0 if the queue is empty after, 1 if
 * lines wait for a busy reader (they go on the next try, or are dropped
 * when the queue is full), and the queue is emptied (dropped) if there is
 * no reader. */
static int send_queued(struct logq *q, int force)
{
	ev_tstamp now = ev_now(q->loop);
	if (!q->connected && now - q->last_try >= LOGQ_RECONNECT_S)
		try_connect(q);
	if (!q->connected) {
		drop_queued(q);
		return 0;
	}
	if (!force && now < q->busy_until)
		return 1;
	int sent = 0;
	while (sent < q->n) {
		int r = sendmmsg(q->fd, q->msg + sent, (unsigned)(q->n - sent), MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r > 0) {
			sent += r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
			q->busy_until = now + LOGQ_RETRY_S;
			if (!ev_is_active(&q->retry)) {
				ev_timer_set(&q->retry, LOGQ_RETRY_S, 0.);
				ev_timer_start(q->loop, &q->retry);
			}
		} else {
			q->connected = 0; /* the reader went away: look for it again later */
		}
		break;
	}
	if (sent)
		atomic_fetch_add_explicit(&g_sent, (uint64_t)sent, memory_order_relaxed);
	if (!q->connected) {
		q->n -= sent; /* the rest */
		drop_queued(q);
		return 0;
	}
	keep_unsent(q, sent);
	return q->n > 0;
}

void logq_flush(struct logq *q)
{
	if (!q || !q->n)
		return;
	if (!send_queued(q, 1))
		ev_prepare_stop(q->loop, &q->prep);
}

static void prep_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct logq *q = w->data;
	(void)revents;
	if (!q->n || !send_queued(q, 0))
		ev_prepare_stop(loop, w);
}

static void retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct logq *q = w->data;
	(void)loop;
	(void)revents;
	logq_flush(q); /* re-arms this timer if the reader is still busy */
}

void logq_push(struct logq *q, const char *line, size_t len)
{
	if (q->n == LOGQ_LINES || q->used + len > LOGQ_BYTES)
		send_queued(q, 1);
	if (q->n == LOGQ_LINES || q->used + len > LOGQ_BYTES) {
		logq_count_drop(); /* the reader is behind by a whole queue */
		return;
	}
	char *p = q->buf + q->used;
	memcpy(p, line, len);
	q->iov[q->n].iov_base = p;
	q->iov[q->n].iov_len = len;
	q->used += len;
	q->n++;
	ev_prepare_start(q->loop, &q->prep); /* nothing if it is already active */
}

struct logq *logq_new(struct ev_loop *loop, const char *path)
{
	if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return NULL;
	struct logq *q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (q->fd < 0) {
		free(q);
		return NULL;
	}
	q->loop = loop;
	q->dst.sun_family = AF_UNIX;
	memcpy(q->dst.sun_path, path, strlen(path) + 1);
	q->dstlen = (socklen_t)sizeof(q->dst);
	for (int i = 0; i < LOGQ_LINES; i++) {
		q->msg[i].msg_hdr.msg_iov = &q->iov[i];
		q->msg[i].msg_hdr.msg_iovlen = 1;
	}
	ev_prepare_init(&q->prep, prep_cb);
	q->prep.data = q;
	ev_init(&q->retry, retry_cb);
	q->retry.data = q;
	try_connect(q);
	return q;
}

void logq_free(struct logq *q)
{
	if (!q)
		return;
	logq_flush(q);
	drop_queued(q); /* what the reader did not take by now */
	ev_prepare_stop(q->loop, &q->prep);
	ev_timer_stop(q->loop, &q->retry);
	close(q->fd);
	free(q);
}
