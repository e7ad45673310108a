/* upstream: connections to servers, and the per-worker pool of idle
 * keep-alive ones (keyed by server state, so a reload that keeps a server
 * keeps its pooled connections). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "model.h"
#include "proxy.h"
#include "tls_client.h"
#include "tls_transport.h"
#include "transport.h"

static struct upool *pool_find(struct worker *w, struct server_state *st, int create)
{
	for (struct upool *p = w->pools; p; p = p->next)
		if (p->st == st)
			return p;
	if (!create)
		return NULL;
	struct upool *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->st = st;
	model_server_state_ref(st);
	p->next = w->pools;
	w->pools = p;
	atomic_fetch_add_explicit(&w->npools, 1, memory_order_relaxed);
	return p;
}

static void pool_unlink(struct upconn *u)
{
	struct upool *p = pool_find(u->w, u->st, 0);
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

void upconn_close(struct upconn *u)
{
	if (!u)
		return;
	if (!u->s)
		pool_unlink(u);
	ev_io_stop(u->w->loop, &u->rio);
	ev_io_stop(u->w->loop, &u->wio);
	ev_timer_stop(u->w->loop, &u->idle);
	u->tc.ops->close(&u->tc);
	model_server_state_unref(u->st);
	free(u);
}

void upconn_watch(struct upconn *u, int read, int write)
{
	if (read && !ev_is_active(&u->rio))
		ev_io_start(u->w->loop, &u->rio);
	else if (!read && ev_is_active(&u->rio))
		ev_io_stop(u->w->loop, &u->rio);
	if (write && !ev_is_active(&u->wio))
		ev_io_start(u->w->loop, &u->wio);
	else if (!write && ev_is_active(&u->wio))
		ev_io_stop(u->w->loop, &u->wio);
}

static void io_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct upconn *u = io->data;
	(void)loop;
	if (u->s) {
		session_up_event(u->s, revents);
		return;
	}
	/* Idle in the pool: any byte or EOF means the server is done with it
	 * (tls: but for a session ticket, which is read here). */
	if (u->tc.ops != &transport_tcp && tls_conn_idle_alive(&u->tc))
		return;
	upconn_close(u);
}

static void idle_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop; (void)revents;
	upconn_close(t->data);
}

/* An idle connection on which the server sent nothing and did not close
 * (its FIN may be in since the loop last looked: a server that closes as
 * it answers). */
static int upconn_still_open(const struct upconn *u)
{
	char c;
	if (u->tc.ops != &transport_tcp)
		return tls_conn_idle_alive((struct tconn *)&u->tc);
	ssize_t r = recv(u->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

struct upconn *upconn_take(struct worker *w, struct server *srv, int *err)
{
	struct upool *p = pool_find(w, srv->st, 0);
	while (p && p->idle) {
		struct upconn *u = p->idle;
		p->idle = u->next;
		p->n--;
		u->next = NULL;
		ev_timer_stop(w->loop, &u->idle);
		if (!upconn_still_open(u)) {
			upconn_close(u); /* not in the list any more: unlink finds nothing */
			continue;
		}
		u->reused = 1;
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
	u->w = w;
	u->fd = u->tc.fd = fd;
	u->tc.ops = &transport_tcp;
	/* tls towards the server (issue 16) */
	if (srv->tls && tls_conn_connect(&u->tc, srv->tls)) {
		*err = ENOMEM;
		close(fd);
		free(u);
		return NULL;
	}
	u->st = srv->st;
	model_server_state_ref(u->st);
	u->connected = rc == 0;
	ev_io_init(&u->rio, io_cb, fd, EV_READ);
	ev_io_init(&u->wio, io_cb, fd, EV_WRITE);
	ev_init(&u->idle, idle_cb);
	u->rio.data = u->wio.data = u->idle.data = u;
	return u;
}

void upconn_release(struct upconn *u, int reusable, uint32_t max_idle, uint32_t idle_ms)
{
	struct worker *w = u->w;
	struct upool *p = reusable && !w->stopping && max_idle ? pool_find(w, u->st, 1) : NULL;
	if (!p || p->n >= max_idle) {
		u->s = NULL;
		u->next = NULL;
		/* not in the pool list: unlink finds nothing */
		ev_io_stop(w->loop, &u->rio);
		ev_io_stop(w->loop, &u->wio);
		u->tc.ops->close(&u->tc);
		model_server_state_unref(u->st);
		free(u);
		return;
	}
	u->s = NULL;
	upconn_watch(u, 1, 0);
	ev_timer_set(&u->idle, idle_ms / 1000.0, 0);
	ev_timer_start(w->loop, &u->idle);
	u->next = p->idle;
	p->idle = u;
	p->n++;
}

/* A pool left empty goes: a reload that changed a server's address leaves
 * the old address's pool behind (and its server state referenced), and
 * every take scans the list.  The next release makes one again. */
void upool_prune(struct worker *w)
{
	for (struct upool **pp = &w->pools; *pp;) {
		struct upool *p = *pp;
		if (p->idle) {
			pp = &p->next;
			continue;
		}
		*pp = p->next;
		model_server_state_unref(p->st);
		free(p);
		atomic_fetch_sub_explicit(&w->npools, 1, memory_order_relaxed);
	}
}

void upool_free_all(struct worker *w)
{
	while (w->pools) {
		struct upool *p = w->pools;
		while (p->idle)
			upconn_close(p->idle);
		w->pools = p->next;
		model_server_state_unref(p->st);
		free(p);
	}
	atomic_store_explicit(&w->npools, 0, memory_order_relaxed);
}
