/* upstream: connections to servers and the pool of idle ones (see upstream.h). */
#include "upstream.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "model.h"

struct upool {
	struct server_state *st;
	struct upconn *idle;
	uint32_t n;
	struct upool *next;
};

void upstream_init(struct upstream *up, struct ev_loop *loop)
{
	up->loop = loop;
	up->pools = NULL;
	atomic_init(&up->npools, 0);
	up->stopping = 0;
}

static struct upool *pool_find(struct upstream *up, struct server_state *st, int create)
{
	for (struct upool *p = up->pools; p; p = p->next)
		if (p->st == st)
			return p;
	if (!create)
		return NULL;
	struct upool *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->st = st;
	model_server_state_ref(st);
	p->next = up->pools;
	up->pools = p;
	atomic_fetch_add_explicit(&up->npools, 1, memory_order_relaxed);
	return p;
}

static void pool_unlink(struct upconn *u)
{
	struct upool *p = pool_find(u->pool, u->st, 0);
	if (!p)
		return;
	for (struct upconn **pp = &p->idle; *pp; pp = &(*pp)->next) {
		if (*pp == u) {
			*pp = u->next;
			p->n--;
			break;
		}
	}
	u->next = NULL;
}

static void upconn_free(struct upconn *u)
{
	struct ev_loop *loop = u->pool->loop;
	ev_io_stop(loop, &u->rio);
	ev_io_stop(loop, &u->wio);
	ev_timer_stop(loop, &u->idle);
	u->c.ops->close(&u->c);
	model_server_state_unref(u->st);
	free(u);
}

void upconn_close(struct upconn *u)
{
	if (!u)
		return;
	if (!u->owner)
		pool_unlink(u);
	upconn_free(u);
}

void upconn_watch(struct upconn *u, int read, int write)
{
	struct ev_loop *loop = u->pool->loop;
	if (read && !ev_is_active(&u->rio))
		ev_io_start(loop, &u->rio);
	else if (!read && ev_is_active(&u->rio))
		ev_io_stop(loop, &u->rio);
	if (write && !ev_is_active(&u->wio))
		ev_io_start(loop, &u->wio);
	else if (!write && ev_is_active(&u->wio))
		ev_io_stop(loop, &u->wio);
}

static void io_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct upconn *u = io->data;
	(void)loop;
	if (u->owner) {
		u->on_event(u->owner, revents);
		return;
	}
	/* Idle in the pool: any byte or EOF means the server is done with it. */
	upconn_close(u);
}

static void idle_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop; (void)revents;
	upconn_close(t->data);
}

/* An idle connection on which the server sent nothing and did not close
 * (its FIN may be in since the loop last looked: a server that closes as
 * it answers).  A byte it sent unasked would be junk: the connection is
 * closed either way, so reading it is no loss. */
static int upconn_still_open(struct upconn *u)
{
	char c;
	ssize_t r = u->c.ops->recv(&u->c, &c, 1);
	return r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

struct upconn *upconn_take(struct upstream *up, struct server *srv, void *owner, upconn_event_fn fn, int *err)
{
	struct upool *p = pool_find(up, srv->st, 0);
	while (p && p->idle) {
		struct upconn *u = p->idle;
		p->idle = u->next;
		p->n--;
		u->next = NULL;
		ev_timer_stop(up->loop, &u->idle);
		if (!upconn_still_open(u)) {
			upconn_free(u); /* not in the list any more */
			continue;
		}
		u->reused = 1;
		u->owner = owner;
		u->on_event = fn;
		return u;
	}
	const struct addr *a = &srv->conf.addr;
	int fd = socket(addr_family(a), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*err = errno;
		return NULL;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	int rc = connect(fd, (const struct sockaddr *)&a->ss, a->len);
	if (rc && errno != EINPROGRESS) {
		*err = errno;
		close(fd);
		return NULL;
	}
	struct upconn *u = calloc(1, sizeof(*u));
	if (!u) {
		*err = ENOMEM;
		close(fd);
		return NULL;
	}
	u->pool = up;
	u->c.fd = fd;
	u->c.ops = srv->tr ? srv->tr : &transport_tcp; /* c.ctx: as for a client (h1conn.c) */
	u->st = srv->st;
	model_server_state_ref(u->st);
	u->connected = rc == 0;
	u->hs_done = !u->c.ops->handshake;
	u->owner = owner;
	u->on_event = fn;
	ev_io_init(&u->rio, io_cb, fd, EV_READ);
	ev_io_init(&u->wio, io_cb, fd, EV_WRITE);
	ev_init(&u->idle, idle_cb);
	u->rio.data = u->wio.data = u->idle.data = u;
	return u;
}

int upconn_connect_result(struct upconn *u)
{
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(u->c.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (!err)
		u->connected = 1;
	return err;
}

void upconn_release(struct upconn *u, int reusable, uint32_t max_idle, uint32_t idle_ms)
{
	struct upstream *up = u->pool;
	struct upool *p = reusable && !up->stopping && max_idle ? pool_find(up, u->st, 1) : NULL;
	u->owner = NULL;
	u->on_event = NULL;
	u->next = NULL;
	if (!p || p->n >= max_idle) {
		upconn_free(u); /* not in the pool list */
		return;
	}
	upconn_watch(u, 1, 0);
	ev_timer_set(&u->idle, idle_ms / 1000.0, 0);
	ev_timer_start(up->loop, &u->idle);
	u->next = p->idle;
	p->idle = u;
	p->n++;
}

/* A pool left empty goes: a reload that changed a server's address leaves
 * the old address's pool behind (and its server state referenced), and
 * every take scans the list.  The next release makes one again. */
void upstream_prune(struct upstream *up)
{
	for (struct upool **pp = &up->pools; *pp;) {
		struct upool *p = *pp;
		if (p->idle) {
			pp = &p->next;
			continue;
		}
		*pp = p->next;
		model_server_state_unref(p->st);
		free(p);
		atomic_fetch_sub_explicit(&up->npools, 1, memory_order_relaxed);
	}
}

void upstream_free(struct upstream *up)
{
	while (up->pools) {
		struct upool *p = up->pools;
		while (p->idle)
			upconn_close(p->idle);
		up->pools = p->next;
		model_server_state_unref(p->st);
		free(p);
	}
	atomic_store_explicit(&up->npools, 0, memory_order_relaxed);
}
