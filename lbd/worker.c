/* worker: data-path threads (see worker.h).  The listening sockets belong
 * to the main thread (struct workers) so a reload can keep them; each
 * worker only watches its own socket of each bind address. */
#include "worker.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "listener.h"
#include "log.h"
#include "model.h"
#include "mtime.h"
#include "proxy.h"
#include "queue.h"

#define MAX_FREE_BUFS 256
#define ACCEPT_BATCH 32

struct lsock {
	struct addr addr;
	int *fds;        /* one per worker */
	int used;        /* by the config being prepared */
};

struct workers {
	struct ev_loop *main;
	int n;
	struct worker *w;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int acks;
	struct lsock *ls;
	int nls;
	_Atomic uint64_t conns;
	_Atomic uint32_t maxconn;
	ev_timer idle_check;
};

/* ---- buffers ------------------------------------------------------------------ */

struct dbuf *worker_buf_get(struct worker *w)
{
	struct dbuf *b = w->free_bufs;
	if (b) {
		w->free_bufs = b->next;
		w->nfree_bufs--;
		if (w->nfree_bufs < w->free_low)
			w->free_low = w->nfree_bufs;
	} else {
		b = malloc(sizeof(*b));
		if (!b)
			return NULL;
	}
	b->start = b->end = 0;
	b->next = NULL;
	return b;
}

void worker_buf_put(struct worker *w, struct dbuf *b)
{
	if (!b)
		return;
	if (w->nfree_bufs >= MAX_FREE_BUFS) {
		free(b);
		return;
	}
	b->next = w->free_bufs;
	w->free_bufs = b;
	w->nfree_bufs++;
}

/* ---- limits and accepting ------------------------------------------------------- */

uint64_t workers_conn_add(struct workers *all, int delta)
{
	return atomic_fetch_add_explicit(&all->conns, (uint64_t)(int64_t)delta, memory_order_relaxed) +
	       (uint64_t)(int64_t)delta;
}

int worker_over_limits(struct worker *w, const struct frontend *fe)
{
	if (atomic_load_explicit(&w->all->conns, memory_order_relaxed) >= atomic_load(&w->all->maxconn))
		return 1;
	return fe->conf.maxconn && model_cnt_get(&fe->st->cnt.sess_cur) >= fe->conf.maxconn;
}

static void listeners_set(struct worker *w, int on)
{
	for (int i = 0; i < w->nls; i++) {
		if (on && !w->ls[i].paused)
			ev_io_start(w->loop, &w->ls[i].io);
		else
			ev_io_stop(w->loop, &w->ls[i].io);
	}
}

/* At a limit a listener stops: new connections wait in the kernel's
 * backlog instead of being accepted and reset.  A frontend at its own
 * maxconn stops only its listeners (each stops on its next connection at
 * the global limit); running out of descriptors stops them all at once. */
static void listener_pause(struct worker *w, struct wlistener *l)
{
	if (l->paused)
		return;
	l->paused = 1;
	w->npaused++;
	ev_io_stop(w->loop, &l->io);
	ev_timer_again(w->loop, &w->resume);
}

static void pause_all(struct worker *w)
{
	for (int i = 0; i < w->nls; i++)
		listener_pause(w, &w->ls[i]);
}

static void maybe_resume(struct worker *w)
{
	if (!w->npaused || w->stopping)
		return;
	for (int i = 0; i < w->nls; i++) {
		struct wlistener *l = &w->ls[i];
		if (!l->paused || worker_over_limits(w, l->fe))
			continue;
		l->paused = 0;
		w->npaused--;
		ev_io_start(w->loop, &l->io);
	}
	if (!w->npaused)
		ev_timer_stop(w->loop, &w->resume);
}

static void resume_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop; (void)revents;
	maybe_resume(t->data);
}

void worker_session_closed(struct worker *w)
{
	atomic_fetch_sub_explicit(&w->nsess, 1, memory_order_relaxed);
	workers_conn_add(w->all, -1);
	if (w->npaused)
		maybe_resume(w);
}

static void accept_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct wlistener *l = (struct wlistener *)io;
	struct worker *w = l->w;
	(void)loop; (void)revents;
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		if (worker_over_limits(w, l->fe)) {
			listener_pause(w, l);
			return;
		}
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd = accept4(io->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				pause_all(w);
			return;
		}
		session_accept(w, l->fe, fd, (struct sockaddr *)&ss, len);
	}
}

/* ---- configuration switch ----------------------------------------------------------- */

static struct lsock *lsock_find(struct workers *all, const struct addr *a)
{
	for (int i = 0; i < all->nls; i++)
		if (addr_equal_ip(&all->ls[i].addr, a) && addr_port(&all->ls[i].addr) == addr_port(a))
			return &all->ls[i];
	return NULL;
}

static int worker_apply(struct worker *w, struct lbd_config *cfg)
{
	struct lb_set lb;
	int n = 0;
	for (int i = 0; i < cfg->nfrontends; i++)
		n += cfg->frontends[i].conf.nbinds;
	struct wlistener *ls = calloc((size_t)(n ? n : 1), sizeof(*ls));
	if (!ls || lb_set_init(&lb, cfg)) {
		free(ls);
		log_err("worker %d: out of memory on reload, keeping the old configuration", w->id);
		model_config_unref(cfg);
		return -ENOMEM;
	}
	listeners_set(w, 0);
	free(w->ls);
	lb_set_free(&w->lb);
	w->lb = lb;
	w->ls = ls;
	w->nls = 0;
	w->npaused = 0;        /* the new listeners start; accept_cb stops any still at a limit */
	ev_timer_stop(w->loop, &w->resume);
	for (int i = 0; i < cfg->nfrontends; i++) {
		struct frontend *fe = &cfg->frontends[i];
		for (int b = 0; b < fe->conf.nbinds; b++) {
			struct lsock *sock = lsock_find(w->all, &fe->conf.binds[b]);
			if (!sock)
				continue;
			struct wlistener *l = &w->ls[w->nls++];
			ev_io_init(&l->io, accept_cb, sock->fds[w->id], EV_READ);
			l->w = w;
			l->fe = fe;
		}
	}
	if (!w->stopping)
		listeners_set(w, 1);
	model_config_unref(w->cfg);
	w->cfg = cfg;
	atomic_store(&w->all->maxconn, cfg->g.maxconn);
	return 0;
}

static void ack(struct workers *all)
{
	pthread_mutex_lock(&all->lock);
	all->acks++;
	pthread_cond_broadcast(&all->cond);
	pthread_mutex_unlock(&all->lock);
}

static void wake_cb(struct ev_loop *loop, ev_async *a, int revents)
{
	struct worker *w = a->data;
	(void)revents;
	pthread_mutex_lock(&w->all->lock);
	struct lbd_config *cfg = w->next_cfg;
	int stop = w->msg_stop, quit = w->msg_exit;
	w->next_cfg = NULL;
	w->msg_stop = 0;
	pthread_mutex_unlock(&w->all->lock);
	if (cfg) {
		worker_apply(w, cfg);
		ack(w->all);
	}
	if (stop && !w->stopping) {
		w->stopping = 1;
		listeners_set(w, 0);
		ev_timer_stop(loop, &w->resume);
		for (struct session *s = w->sessions, *nx; s; s = nx) {
			nx = s->next;
			session_stop_idle(s);
		}
		ack(w->all);
	}
	if (quit) {
		while (w->sessions)
			session_close(w->sessions);
		ev_break(loop, EVBREAK_ALL);
	}
}

/* Buffers kept for reuse after a burst are given back to the system when
 * the burst is over, so idle connections cost only their small session.
 * Only buffers that stayed unused for a whole beat go (the free list's low
 * mark since the last beat): under steady load nothing is freed, nothing
 * trimmed, nothing allocated again. */
#define KEEP_FREE_BUFS 32

static void beat_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct worker *w = t->data;
	(void)loop; (void)revents;
	atomic_store_explicit(&w->beat_ms, mtime_ms(), memory_order_relaxed);
	upool_prune(w);
	int unused = w->free_low - KEEP_FREE_BUFS;
	w->free_low = w->nfree_bufs;
	if (unused <= 0)
		return;
	for (; unused > 0 && w->nfree_bufs > 0; unused--) {
		struct dbuf *b = w->free_bufs;
		w->free_bufs = b->next;
		w->nfree_bufs--;
		free(b);
	}
	w->free_low = w->nfree_bufs;
	malloc_trim(0);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char name[16];
	snprintf(name, sizeof(name), "lbd-w%d", w->id);
	pthread_setname_np(pthread_self(), name);
	ev_run(w->loop, 0);
	return NULL;
}

/* ---- the set of workers (main thread) -------------------------------------------------- */

static void lsock_close(struct workers *all, struct lsock *l)
{
	for (int k = 0; k < all->n; k++)
		if (l->fds[k] >= 0)
			close(l->fds[k]);
	free(l->fds);
	l->fds = NULL;
}

int workers_prepare(struct workers *all, struct lbd_config *cfg, char *err, size_t errlen)
{
	for (int i = 0; i < all->nls; i++)
		all->ls[i].used = 0;
	for (int i = 0; i < cfg->nfrontends; i++) {
		const struct frontend *fe = &cfg->frontends[i];
		for (int b = 0; b < fe->conf.nbinds; b++) {
			struct lsock *l = lsock_find(all, &fe->conf.binds[b]);
			if (l) {
				l->used = 1;
				continue;
			}
			struct lsock *arr = realloc(all->ls, (size_t)(all->nls + 1) * sizeof(*arr));
			if (!arr)
				goto nomem;
			all->ls = arr;
			l = &arr[all->nls];
			memset(l, 0, sizeof(*l));
			l->addr = fe->conf.binds[b];
			l->fds = malloc((size_t)all->n * sizeof(int));
			if (!l->fds)
				goto nomem;
			for (int k = 0; k < all->n; k++)
				l->fds[k] = -1;
			all->nls++;
			l->used = 1;
			for (int k = 0; k < all->n; k++) {
				l->fds[k] = listener_open(&l->addr, err, errlen);
				if (l->fds[k] < 0) {
					int rc = l->fds[k];
					/* Undo only what this attempt opened. */
					lsock_close(all, l);
					all->nls--;
					return rc;
				}
			}
		}
	}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

/* Close the sockets no config uses any more (after every worker switched). */
static void close_unused(struct workers *all)
{
	int j = 0;
	for (int i = 0; i < all->nls; i++) {
		if (!all->ls[i].used) {
			lsock_close(all, &all->ls[i]);
			continue;
		}
		all->ls[j++] = all->ls[i];
	}
	all->nls = j;
}

static void wait_acks(struct workers *all, int want)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	pthread_mutex_lock(&all->lock);
	while (all->acks < want)
		if (pthread_cond_timedwait(&all->cond, &all->lock, &ts))
			break;
	pthread_mutex_unlock(&all->lock);
}

void workers_switch(struct workers *all, struct lbd_config *cfg)
{
	pthread_mutex_lock(&all->lock);
	all->acks = 0;
	for (int i = 0; i < all->n; i++) {
		struct worker *w = &all->w[i];
		model_config_ref(cfg);
		if (w->next_cfg)
			model_config_unref(w->next_cfg);
		w->next_cfg = cfg;
	}
	pthread_mutex_unlock(&all->lock);
	for (int i = 0; i < all->n; i++)
		ev_async_send(all->w[i].loop, &all->w[i].wake);
	wait_acks(all, all->n);
	close_unused(all);
}

void workers_stop_accepting(struct workers *all)
{
	pthread_mutex_lock(&all->lock);
	all->acks = 0;
	for (int i = 0; i < all->n; i++)
		all->w[i].msg_stop = 1;
	pthread_mutex_unlock(&all->lock);
	for (int i = 0; i < all->n; i++)
		ev_async_send(all->w[i].loop, &all->w[i].wake);
	wait_acks(all, all->n);
	for (int i = 0; i < all->nls; i++)
		all->ls[i].used = 0;
	close_unused(all);
}

static void idle_check_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct workers *all = t->data;
	(void)revents;
	int busy = 0;
	for (int i = 0; i < all->n; i++)
		busy += atomic_load(&all->w[i].nsess);
	if (!busy)
		ev_break(loop, EVBREAK_ALL);
}

void workers_when_idle(struct workers *all, struct ev_loop *main_loop)
{
	ev_timer_init(&all->idle_check, idle_check_cb, 0.0, 0.02);
	all->idle_check.data = all;
	ev_timer_again(main_loop, &all->idle_check);
}

int workers_alive(struct workers *all, uint64_t max_age_ms)
{
	if (!all)
		return 0;
	uint64_t now = mtime_ms();
	for (int i = 0; i < all->n; i++)
		if (now - atomic_load(&all->w[i].beat_ms) > max_age_ms)
			return 0;
	return 1;
}

int workers_count(const struct workers *all)
{
	return all ? all->n : 0;
}

int workers_pools(const struct workers *all)
{
	int n = 0;
	for (int i = 0; all && i < all->n; i++)
		n += atomic_load_explicit(&all->w[i].npools, memory_order_relaxed);
	return n;
}

static int worker_init(struct workers *all, int id, struct lbd_config *cfg)
{
	struct worker *w = &all->w[id];
	w->id = id;
	w->all = all;
	w->loop = ev_loop_new(EVBACKEND_EPOLL | EVFLAG_NOENV);
	if (!w->loop)
		return -ENOMEM;
	ev_async_init(&w->wake, wake_cb);
	w->wake.data = w;
	ev_async_start(w->loop, &w->wake);
	ev_timer_init(&w->beat, beat_cb, 0.0, 0.5);
	w->beat.data = w;
	ev_timer_again(w->loop, &w->beat);
	ev_timer_init(&w->resume, resume_cb, 0.0, 0.05);
	w->resume.data = w;
	queue_init(w);
	atomic_store(&w->beat_ms, mtime_ms());
	model_config_ref(cfg);
	return worker_apply(w, cfg);
}

struct workers *workers_new(struct ev_loop *main_loop, struct lbd_config *cfg, char *err, size_t errlen)
{
	struct workers *all = calloc(1, sizeof(*all));
	if (!all)
		return NULL;
	all->main = main_loop;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	all->n = cfg->g.workers ? (int)cfg->g.workers : (int)(cpus > 0 ? cpus : 1);
	atomic_init(&all->maxconn, cfg->g.maxconn);
	pthread_mutex_init(&all->lock, NULL);
	pthread_cond_init(&all->cond, NULL);
	all->w = calloc((size_t)all->n, sizeof(*all->w));
	if (!all->w || workers_prepare(all, cfg, err, errlen))
		goto bad;
	for (int i = 0; i < all->n; i++)
		if (worker_init(all, i, cfg)) {
			snprintf(err, errlen, "out of memory");
			goto bad;
		}
	/* Signals belong to the main loop: the workers block them all but the
	 * synchronous faults, which a blocked mask would turn into a silent kill
	 * (no core dump handler, no sanitizer report). */
	sigset_t all_sigs, old;
	sigfillset(&all_sigs);
	sigdelset(&all_sigs, SIGSEGV);
	sigdelset(&all_sigs, SIGBUS);
	sigdelset(&all_sigs, SIGFPE);
	sigdelset(&all_sigs, SIGILL);
	pthread_sigmask(SIG_BLOCK, &all_sigs, &old);
	for (int i = 0; i < all->n; i++) {
		if (pthread_create(&all->w[i].thread, NULL, worker_main, &all->w[i])) {
			snprintf(err, errlen, "cannot start worker threads");
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			all->n = i;
			goto bad;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return all;
bad:
	workers_free(all);
	return NULL;
}

static void worker_cleanup(struct worker *w)
{
	if (!w->loop)
		return;
	while (w->sessions)
		session_close(w->sessions);
	upool_free_all(w);
	zpipe_cache_free(&w->zpipes);
	listeners_set(w, 0);
	free(w->ls);
	w->ls = NULL;
	lb_set_free(&w->lb);
	while (w->free_bufs) {
		struct dbuf *b = w->free_bufs;
		w->free_bufs = b->next;
		free(b);
	}
	while (w->free_txns) {
		struct txn *t = w->free_txns;
		w->free_txns = *(struct txn **)t;
		free(t);
	}
	model_config_unref(w->cfg);
	w->cfg = NULL;
	model_config_unref(w->next_cfg);
	w->next_cfg = NULL;
	ev_loop_destroy(w->loop);
	w->loop = NULL;
}

void workers_free(struct workers *all)
{
	if (!all)
		return;
	if (all->w) {
		for (int i = 0; i < all->n; i++) {
			struct worker *w = &all->w[i];
			if (!w->thread)
				continue;
			pthread_mutex_lock(&all->lock);
			w->msg_exit = 1;
			pthread_mutex_unlock(&all->lock);
			ev_async_send(w->loop, &w->wake);
			pthread_join(w->thread, NULL);
		}
		for (int i = 0; i < all->n; i++)
			worker_cleanup(&all->w[i]);
	}
	for (int i = 0; i < all->nls; i++)
		lsock_close(all, &all->ls[i]);
	free(all->ls);
	free(all->w);
	if (ev_is_active(&all->idle_check))
		ev_timer_stop(all->main, &all->idle_check);
	pthread_mutex_destroy(&all->lock);
	pthread_cond_destroy(&all->cond);
	free(all);
}
