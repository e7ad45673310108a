/* worker: data-path threads (see worker.h).  The table of listening
 * sockets belongs to the main thread (struct workers) so a reload can keep
 * them; each worker only watches its own socket of each bind address.
 *
 * The table is shared: the main thread changes it (reload) and a worker
 * reads it when it takes a new configuration, so both do so under
 * all->lock.  A socket is opened by the main thread but closed by the one
 * worker that watches it, once its configuration no longer binds it (libev
 * applies a stopped watcher lazily, so only that worker's loop knows when it
 * is done with the descriptor).  Messages to the workers are numbered; a
 * worker acknowledges the number it has acted on, so an answer that comes
 * after the main thread gave up waiting (5 s) is never taken for the next
 * message's, and the table's emptied entries are dropped only once every
 * worker has acknowledged the latest message, however late. */
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

#include "h1conn.h"
#include "handover.h"
#include "listener.h"
#include "log.h"
#include "model.h"
#include "mtime.h"
#include "worker_ctx.h"

#define ACCEPT_BATCH 32

#define ACK_WAIT_S 5

struct lsock {
	struct addr addr;
	int *fds;        /* one per worker, -1 once that worker closed it */
	int used;        /* by the config being prepared (main thread only) */
	int keep;        /* by the config last sent to the workers */
};

struct workers {
	struct ev_loop *main;
	int n;
	struct worker *w;
	pthread_mutex_t lock;        /* the messages, seq, acked[], close_pending, ls[] and its fds */
	pthread_cond_t cond;
	uint64_t seq;                /* number of the last message sent */
	uint64_t *acked;             /* per worker: the last message number it acted on */
	int close_pending;           /* a wait timed out: drop emptied entries on the late answer */
	ev_async late_ack;           /* main loop: a late answer came */
	struct lsock *ls;
	int nls;
	struct handover_in *inherit; /* sockets of the old process, while workers_new() runs */
	int handed_over;             /* stopping after a handover: keep the sockets open until exit */
	int successor;               /* stopping, and a new process accepts: idle connections keep their timeout */
	_Atomic uint64_t conns;
	_Atomic uint32_t maxconn;
	ev_timer idle_check;
};

/* ---- limits and accepting ------------------------------------------------------- */

static int worker_over_limits(struct worker *w, const struct frontend *fe)
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

/* A client connection closed (h1conn.c counted it): room, maybe. */
static void conn_closed(struct worker *w)
{
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
		/* Quiesced: a new connection is served (its answer says
		 * "Connection: close") but may not stay idle: one that sends
		 * nothing is closed as an idle keep-alive one. */
		if (h1conn_accept(w, l->fe, fd, (struct sockaddr *)&ss, len) == 0 && w->quiesce)
			h1conn_stop_idle(w->conns_list);
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

static int watches(const struct worker *w, int fd)
{
	for (int i = 0; i < w->nls; i++)
		if (w->ls[i].io.fd == fd)
			return 1;
	return 0;
}

/* Close this worker's sockets that neither its configuration nor the one
 * last sent (it may be behind) binds; all->lock held. */
static void close_own_unused(struct worker *w)
{
	for (int i = 0; i < w->all->nls; i++) {
		struct lsock *l = &w->all->ls[i];
		int fd = l->fds[w->id];
		if (fd >= 0 && !l->keep && !watches(w, fd)) {
			close(fd);
			l->fds[w->id] = -1;
		}
	}
}

static int worker_apply(struct worker *w, struct lbd_config *cfg)
{
	struct roundrobin_set lb;
	int n = 0;
	for (int i = 0; i < cfg->nfrontends; i++)
		n += cfg->frontends[i].conf.nbinds;
	struct wlistener *ls = calloc((size_t)(n ? n : 1), sizeof(*ls));
	if (!ls || roundrobin_set_init(&lb, cfg)) {
		free(ls);
		log_err("worker %d: out of memory on reload, keeping the old configuration", w->id);
		model_config_unref(cfg);
		return -ENOMEM;
	}
	listeners_set(w, 0);
	free(w->ls);
	roundrobin_set_free(&w->lb);
	w->lb = lb;
	w->ls = ls;
	w->nls = 0;
	w->npaused = 0;        /* the new listeners start; accept_cb stops any still at a limit */
	ev_timer_stop(w->loop, &w->resume);
	pthread_mutex_lock(&w->all->lock);
	for (int i = 0; i < cfg->nfrontends; i++) {
		struct frontend *fe = &cfg->frontends[i];
		for (int b = 0; b < fe->conf.nbinds; b++) {
			struct lsock *sock = lsock_find(w->all, &fe->conf.binds[b]);
			if (!sock || sock->fds[w->id] < 0)
				continue;
			struct wlistener *l = &w->ls[w->nls++];
			ev_io_init(&l->io, accept_cb, sock->fds[w->id], EV_READ);
			l->w = w;
			l->fe = fe;
		}
	}
	close_own_unused(w);
	pthread_mutex_unlock(&w->all->lock);
	if (!w->stopping)
		listeners_set(w, 1);
	model_config_unref(w->cfg);
	w->cfg = cfg;
	atomic_store(&w->all->maxconn, cfg->g.maxconn);
	return 0;
}

/* Every message up to `seq` acted on; wakes the main thread's wait, or its
 * loop if that wait is over. */
static void ack(struct worker *w, uint64_t seq)
{
	struct workers *all = w->all;
	pthread_mutex_lock(&all->lock);
	if (all->acked[w->id] < seq)
		all->acked[w->id] = seq;
	int late = all->close_pending;
	pthread_cond_broadcast(&all->cond);
	pthread_mutex_unlock(&all->lock);
	if (late)
		ev_async_send(all->main, &all->late_ack);
}

/* Planned handover (lbd/quiesce.h): every connection ends at its next
 * response ("Connection: close"), idle ones (keep-alive, or new and silent)
 * after at most XCH_STOP_IDLE_S; the listeners keep accepting. */
static void worker_quiesce(struct worker *w, int on)
{
	w->quiesce = on;
	for (struct h1conn *s = w->conns_list, *nx; on && s; s = nx) {
		nx = s->next;
		h1conn_stop_idle(s);
	}
}

static void wake_cb(struct ev_loop *loop, ev_async *a, int revents)
{
	struct worker *w = a->data;
	(void)revents;
	pthread_mutex_lock(&w->all->lock);
	struct lbd_config *cfg = w->next_cfg;
	int stop = w->msg_stop, quit = w->msg_exit, quiesce = w->msg_quiesce;
	uint64_t seq = w->all->seq;
	w->next_cfg = NULL;
	w->msg_stop = 0;
	w->msg_quiesce = 0;
	pthread_mutex_unlock(&w->all->lock);
	if (cfg)
		worker_apply(w, cfg);
	if (quiesce)
		worker_quiesce(w, quiesce > 0);
	if (stop && !w->stopping) {
		pthread_mutex_lock(&w->all->lock);
		w->stop_idle = !w->all->successor;
		pthread_mutex_unlock(&w->all->lock);
		w->stopping = 1;
		w->up.stopping = 1;
		listeners_set(w, 0);
		ev_timer_stop(loop, &w->resume);
		for (struct h1conn *s = w->conns_list, *nx; w->stop_idle && s; s = nx) {
			nx = s->next;
			h1conn_stop_idle(s);
		}
		w->nls = 0;       /* the watchers are stopped: close every socket */
		pthread_mutex_lock(&w->all->lock);
		/* Sockets handed to a new process stay open here until exit:
		 * libev leaves a stopped descriptor in epoll and relies on the
		 * close to remove it, which it would not (the new process holds
		 * the socket), so its events would come in under whatever
		 * reuses the number.  Kept open, libev drops it on its next
		 * event. */
		if (!w->all->handed_over)
			close_own_unused(w);
		pthread_mutex_unlock(&w->all->lock);
	}
	if (cfg || stop || quiesce)
		ack(w, seq);
	if (quit) {
		while (w->conns_list)
			h1conn_close(w->conns_list);
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
	upstream_prune(&w->up);
	if (dbuf_pool_trim(&w->bufs, KEEP_FREE_BUFS))
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

/* Reopen the sockets of `l` that workers closed while a late one kept the
 * entry (its address is bound again); all->lock held. */
static int lsock_refill(struct workers *all, struct lsock *l, char *err, size_t errlen)
{
	for (int k = 0; k < all->n; k++) {
		if (l->fds[k] >= 0)
			continue;
		l->fds[k] = listener_open(&l->addr, err, errlen);
		if (l->fds[k] < 0) {
			int rc = l->fds[k];
			l->fds[k] = -1;
			return rc;
		}
	}
	return 0;
}

static int prepare_locked(struct workers *all, struct lbd_config *cfg, char *err, size_t errlen)
{
	for (int i = 0; i < all->nls; i++)
		all->ls[i].used = 0;
	for (int i = 0; i < cfg->nfrontends; i++) {
		const struct frontend *fe = &cfg->frontends[i];
		for (int b = 0; b < fe->conf.nbinds; b++) {
			struct lsock *l = lsock_find(all, &fe->conf.binds[b]);
			if (l) {
				l->used = 1;
				int rc = lsock_refill(all, l, err, errlen);
				if (rc)
					return rc;
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
				l->fds[k] = handover_take(all->inherit, &l->addr);
				if (l->fds[k] < 0)
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

int workers_prepare(struct workers *all, struct lbd_config *cfg, char *err, size_t errlen)
{
	pthread_mutex_lock(&all->lock);
	int rc = prepare_locked(all, cfg, err, errlen);
	pthread_mutex_unlock(&all->lock);
	return rc;
}

static int all_acked(const struct workers *all, uint64_t seq)
{
	for (int i = 0; i < all->n; i++)
		if (all->acked[i] < seq)
			return 0;
	return 1;
}

/* Once every worker acted on the last message: drop the entries whose
 * sockets every worker has closed; all->lock held. */
static void drop_closed(struct workers *all)
{
	int j = 0;
	for (int i = 0; i < all->nls; i++) {
		struct lsock *l = &all->ls[i];
		int open = 0;
		for (int k = 0; k < all->n; k++)
			open |= l->fds[k] >= 0;
		if (!l->keep && !open) {
			free(l->fds);
			continue;
		}
		all->ls[j++] = *l;
	}
	all->nls = j;
	all->close_pending = 0;
}

/* Wait up to ACK_WAIT_S for every worker to act on message `seq`. */
static void wait_acks(struct workers *all, uint64_t seq, const char *what)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ACK_WAIT_S;
	pthread_mutex_lock(&all->lock);
	while (!all_acked(all, seq))
		if (pthread_cond_timedwait(&all->cond, &all->lock, &ts))
			break;
	if (all_acked(all, seq)) {
		drop_closed(all);
	} else {
		all->close_pending = 1;
		for (int i = 0; i < all->n; i++)
			if (all->acked[i] < seq)
				log_warn("worker %d has not taken %s after %d s; its old listeners stay open until it does",
					 i, what, ACK_WAIT_S);
	}
	pthread_mutex_unlock(&all->lock);
}

static void late_ack_cb(struct ev_loop *loop, ev_async *a, int revents)
{
	struct workers *all = a->data;
	(void)loop; (void)revents;
	pthread_mutex_lock(&all->lock);
	if (all->close_pending && all_acked(all, all->seq)) {
		drop_closed(all);
		log_notice("every worker has taken the latest configuration");
	}
	pthread_mutex_unlock(&all->lock);
}

void workers_switch(struct workers *all, struct lbd_config *cfg)
{
	char what[64];
	pthread_mutex_lock(&all->lock);
	uint64_t seq = ++all->seq;
	for (int i = 0; i < all->nls; i++)
		all->ls[i].keep = all->ls[i].used;
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
	snprintf(what, sizeof(what), "configuration %llu", (unsigned long long)cfg->generation);
	wait_acks(all, seq, what);
}

void workers_stop_accepting(struct workers *all, int handed_over, int successor)
{
	pthread_mutex_lock(&all->lock);
	all->handed_over = handed_over;
	all->successor = successor;
	uint64_t seq = ++all->seq;
	for (int i = 0; i < all->nls; i++)
		all->ls[i].keep = 0;
	for (int i = 0; i < all->n; i++)
		all->w[i].msg_stop = 1;
	pthread_mutex_unlock(&all->lock);
	for (int i = 0; i < all->n; i++)
		ev_async_send(all->w[i].loop, &all->w[i].wake);
	wait_acks(all, seq, "the order to stop accepting");
}

void workers_quiesce(struct workers *all, int on)
{
	pthread_mutex_lock(&all->lock);
	uint64_t seq = ++all->seq;
	for (int i = 0; i < all->n; i++)
		all->w[i].msg_quiesce = on ? 1 : -1;
	pthread_mutex_unlock(&all->lock);
	for (int i = 0; i < all->n; i++)
		ev_async_send(all->w[i].loop, &all->w[i].wake);
	wait_acks(all, seq, on ? "the order to quiesce" : "the end of the quiesce");
}

int workers_sessions(struct workers *all)
{
	int n = 0;
	for (int i = 0; all && i < all->n; i++)
		n += atomic_load(&all->w[i].nsess);
	return n;
}

int workers_busy(struct workers *all)
{
	int n = 0;
	for (int i = 0; all && i < all->n; i++)
		n += atomic_load(&all->w[i].nbusy);
	return n;
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
		n += atomic_load_explicit(&all->w[i].up.npools, memory_order_relaxed);
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
	w->conns = &all->conns;
	w->conn_closed = conn_closed;
	h1conn_worker_init(w);
	queue_init(&w->queue, w->loop);
	upstream_init(&w->up, w->loop);
	atomic_store(&w->beat_ms, mtime_ms());
	model_config_ref(cfg);
	return worker_apply(w, cfg);
}

int workers_list_sockets(struct workers *all, struct handover_sock *out, int max)
{
	int n = 0;
	pthread_mutex_lock(&all->lock);
	for (int i = 0; i < all->nls; i++) {
		const struct lsock *l = &all->ls[i];
		for (int k = 0; l->keep && k < all->n && n < max; k++)
			if (l->fds[k] >= 0)
				out[n++] = (struct handover_sock){ l->addr, l->fds[k] };
	}
	pthread_mutex_unlock(&all->lock);
	return n;
}

struct workers *workers_new(struct ev_loop *main_loop, struct lbd_config *cfg, struct handover_in *inherit,
			    char *err, size_t errlen)
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
	ev_async_init(&all->late_ack, late_ack_cb);
	all->late_ack.data = all;
	ev_async_start(main_loop, &all->late_ack);
	all->w = calloc((size_t)all->n, sizeof(*all->w));
	all->acked = calloc((size_t)all->n, sizeof(*all->acked));
	all->inherit = inherit;
	int prc = !all->w || !all->acked || workers_prepare(all, cfg, err, errlen);
	all->inherit = NULL;
	if (prc)
		goto bad;
	for (int i = 0; i < all->nls; i++)
		all->ls[i].keep = 1;
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
	while (w->conns_list)
		h1conn_close(w->conns_list);
	h1conn_worker_free(w);
	upstream_free(&w->up);
	queue_stop(&w->queue);
	zpipe_cache_free(&w->zpipes);
	listeners_set(w, 0);
	free(w->ls);
	w->ls = NULL;
	roundrobin_set_free(&w->lb);
	dbuf_pool_free(&w->bufs);
	while (w->free_txns) {
		void *t = w->free_txns;
		w->free_txns = *(void **)t;
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
	free(all->acked);
	if (ev_is_active(&all->idle_check))
		ev_timer_stop(all->main, &all->idle_check);
	ev_async_stop(all->main, &all->late_ack);
	pthread_mutex_destroy(&all->lock);
	pthread_cond_destroy(&all->cond);
	free(all);
}
