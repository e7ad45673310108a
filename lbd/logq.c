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

struct logq {
	struct ev_loop *loop;
	ev_prepare prep;     /* before the loop sleeps: send this iteration's lines */
	int fd;
	int connected;
	ev_tstamp last_try;
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

static void drop_queued(struct logq *q, int from)
{
	if (q->n > from)
		atomic_fetch_add_explicit(&g_dropped, (uint64_t)(q->n - from), memory_order_relaxed);
	q->n = 0;
	q->used = 0;
}

void logq_flush(struct logq *q)
{
	if (!q || !q->n)
		return;
	ev_prepare_stop(q->loop, &q->prep);
	if (!q->connected && ev_now(q->loop) - q->last_try >= LOGQ_RECONNECT_S)
		try_connect(q);
	int sent = 0;
	while (q->connected && sent < q->n) {
		int r = sendmmsg(q->fd, q->msg + sent, (unsigned)(q->n - sent), MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r > 0) {
			sent += r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS)
			q->connected = 0; /* the reader went away: look for it again later */
		break;
	}
	if (sent)
		atomic_fetch_add_explicit(&g_sent, (uint64_t)sent, memory_order_relaxed);
	drop_queued(q, sent);
}

static void prep_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop;
	(void)revents;
	logq_flush(w->data);
}

void logq_push(struct logq *q, const char *line, size_t len)
{
	if (q->n == LOGQ_LINES || q->used + len > LOGQ_BYTES)
		logq_flush(q);
	if (len > LOGQ_BYTES) {
		logq_count_drop();
		return;
	}
	char *p = q->buf + q->used;
	memcpy(p, line, len);
	q->iov[q->n].iov_base = p;
	q->iov[q->n].iov_len = len;
	q->used += len;
	if (q->n++ == 0)
		ev_prepare_start(q->loop, &q->prep);
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
	try_connect(q);
	return q;
}

void logq_free(struct logq *q)
{
	if (!q)
		return;
	logq_flush(q);
	ev_prepare_stop(q->loop, &q->prep);
	close(q->fd);
	free(q);
}
