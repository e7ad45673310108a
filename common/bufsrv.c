/* bufsrv: a buffered stream server on a libev loop (see bufsrv.h). */
#include "bufsrv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUFSRV_READ_SIZE 4096
#define BUFSRV_ACCEPTS_PER_WAKE 64
/* Answers queued by `drained` in one flush: far more than any client's input
 * can ask for (ctl: one per line of at most two reads). */
#define BUFSRV_MAX_ROUNDS 65536

struct bufsrv {
	struct ev_loop *loop;
	int fd;
	int max_conns, nconns;
	size_t conn_size;
	ev_io lio;
	const struct bufsrv_ops *ops;
	void *arg;
	struct bufsrv_conn *conns;
};

struct bufsrv_conn *bufsrv_conns(struct bufsrv *s)
{
	return s->conns;
}

int bufsrv_count(const struct bufsrv *s)
{
	return s->nconns;
}

static void conn_close(struct bufsrv_conn *c)
{
	struct bufsrv *s = c->srv;
	if (s->ops->closed)
		s->ops->closed(s->arg, c);
	ev_io_stop(s->loop, &c->rio);
	ev_io_stop(s->loop, &c->wio);
	ev_timer_stop(s->loop, &c->deadline);
	if (s->ops->io)
		s->ops->io->close(c);
	else
		close(c->fd);
	for (struct bufsrv_conn **pp = &s->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	s->nconns--;
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
}

static ssize_t conn_recv(struct bufsrv_conn *c, void *buf, size_t len)
{
	const struct bufsrv_io *io = c->srv->ops->io;
	if (io)
		return io->recv(c, buf, len);
	ssize_t n = recv(c->fd, buf, len, MSG_DONTWAIT);
	c->want = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? BUFSRV_WANT_READ : BUFSRV_WANT_NONE;
	return n;
}

static ssize_t conn_send(struct bufsrv_conn *c, const void *buf, size_t len)
{
	const struct bufsrv_io *io = c->srv->ops->io;
	if (io)
		return io->send(c, buf, len);
	ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	c->want = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? BUFSRV_WANT_WRITE : BUFSRV_WANT_NONE;
	return n;
}

/* Watches for what comes next: while output waits, the readiness its send
 * asked for; else, while the protocol wants more, the readiness the read
 * asked for, or at once when the hook holds bytes already read. */
static void conn_watch(struct bufsrv_conn *c)
{
	struct bufsrv *s = c->srv;
	int rd, wr;
	if (c->out.len) {
		rd = c->want == BUFSRV_WANT_READ;
		wr = !rd;
	} else {
		int reading = !c->paused && !c->eof && !c->closing;
		wr = reading && c->want == BUFSRV_WANT_WRITE;
		rd = reading && !wr;
		if (rd && s->ops->io && s->ops->io->pending(c))
			ev_feed_event(s->loop, &c->rio, EV_READ);
	}
	if (rd)
		ev_io_start(s->loop, &c->rio);
	else
		ev_io_stop(s->loop, &c->rio);
	if (wr)
		ev_io_start(s->loop, &c->wio);
	else
		ev_io_stop(s->loop, &c->wio);
}

int bufsrv_flush(struct bufsrv_conn *c)
{
	struct bufsrv *s = c->srv;
	for (int round = 0; round < BUFSRV_MAX_ROUNDS; round++) {
		while (c->out.len) {
			ssize_t w = conn_send(c, c->out.data, c->out.len);
			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
				break;
			if (w < 0) {
				conn_close(c);
				return -1;
			}
			buf_consume(&c->out, (size_t)w);
		}
		if (c->out.len)
			break;
		if (c->closing) {
			conn_close(c);
			return -1;
		}
		size_t before = c->in.len;
		if (s->ops->drained)
			s->ops->drained(s->arg, c);
		if (!c->out.len && !c->closing && c->in.len == before)
			break; /* nothing more to answer for now */
	}
	conn_watch(c);
	return 0;
}

void bufsrv_deadline(struct bufsrv_conn *c, double secs)
{
	c->deadline.repeat = secs;
	ev_timer_again(c->srv->loop, &c->deadline);
}

static void conn_read(struct bufsrv_conn *c)
{
	char tmp[BUFSRV_READ_SIZE];
	ssize_t n = conn_recv(c, tmp, sizeof(tmp));
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
		conn_watch(c);
		return;
	}
	if (n < 0) {
		conn_close(c);
		return;
	}
	if (n == 0)
		c->eof = 1;
	else if (buf_append(&c->in, tmp, (size_t)n)) {
		conn_close(c);
		return;
	}
	c->srv->ops->input(c->srv->arg, c);
	bufsrv_flush(c);
}

/* Readable or writable: output waiting goes first (a send that waited for
 * either readiness, TLS), else a read (which may have waited for either). */
static void conn_ready_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct bufsrv_conn *c = w->data;
	(void)loop;
	(void)revents;
	if (c->out.len)
		bufsrv_flush(c);
	else
		conn_read(c);
}

static void conn_deadline_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	conn_close(w->data);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct bufsrv *s = w->data;
	(void)revents;
	for (int k = 0; k < BUFSRV_ACCEPTS_PER_WAKE; k++) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		memset(&peer, 0, sizeof(peer));
		int fd = accept4(s->fd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct bufsrv_conn *c = s->nconns < s->max_conns ? calloc(1, s->conn_size) : NULL;
		if (c) {
			c->srv = s;
			c->fd = fd;
			c->peer = peer;
			c->next = s->conns;
		}
		if (!c || (s->ops->admit && !s->ops->admit(s->arg, c)) || (s->ops->io && s->ops->io->open(s->arg, c))) {
			free(c);
			close(fd); /* over a limit: refused at once, no memory kept */
			continue;
		}
		ev_io_init(&c->rio, conn_ready_cb, fd, EV_READ);
		ev_io_init(&c->wio, conn_ready_cb, fd, EV_WRITE);
		ev_init(&c->deadline, conn_deadline_cb);
		c->rio.data = c->wio.data = c->deadline.data = c;
		s->conns = c;
		s->nconns++;
		if (s->ops->opened)
			s->ops->opened(s->arg, c);
		ev_io_start(loop, &c->rio);
	}
}

struct bufsrv *bufsrv_new(struct ev_loop *loop, int fd, int max_conns, size_t conn_size,
			  const struct bufsrv_ops *ops, void *arg)
{
	struct bufsrv *s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		return NULL;
	}
	s->loop = loop;
	s->fd = fd;
	s->max_conns = max_conns;
	s->conn_size = conn_size < sizeof(struct bufsrv_conn) ? sizeof(struct bufsrv_conn) : conn_size;
	s->ops = ops;
	s->arg = arg;
	ev_io_init(&s->lio, accept_cb, fd, EV_READ);
	s->lio.data = s;
	ev_io_start(loop, &s->lio);
	return s;
}

void bufsrv_free(struct bufsrv *s)
{
	if (!s)
		return;
	while (s->conns)
		conn_close(s->conns);
	ev_io_stop(s->loop, &s->lio);
	close(s->fd);
	free(s);
}
