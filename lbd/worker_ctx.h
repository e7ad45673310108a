/* worker_ctx: what one data-path thread owns, as the connection layer sees
 * it: its loop, its configuration, its buffers, server pool, queue and
 * balancer state.  Everything here is touched by that thread only, but the
 * counters marked atomic (read by the main thread for lbctl status).
 * worker.c creates and runs it; h1conn*.c work in it. */
#ifndef LBD_WORKER_CTX_H
#define LBD_WORKER_CTX_H

#include <ev.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "dbuf.h"
#include "http1.h"
#include "queue.h"
#include "roundrobin.h"
#include "upstream.h"
#include "zpipe.h"

struct frontend;
struct h1conn;
struct lbd_config;
struct workers;

#define HEAD_SCRATCH DBUF_SIZE

struct wlistener {
	ev_io io;
	struct worker *w;
	struct frontend *fe;
	int paused;      /* stopped at a limit, until the resume timer finds room */
};

struct worker {
	int id;
	struct workers *all;
	struct ev_loop *loop;
	pthread_t thread;
	ev_async wake;
	ev_timer beat, resume;
	_Atomic uint64_t beat_ms;
	_Atomic int nsess;
	_Atomic int nbusy;               /* of them, with a request in flight (not between requests) */
	_Atomic uint64_t *conns;         /* connections of the whole process (the access log's ac) */
	/* A client connection closed (worker.c: the limits may let listeners resume). */
	void (*conn_closed)(struct worker *w);
	/* messages from the main thread, under all->lock */
	struct lbd_config *next_cfg;
	int msg_stop, msg_exit;
	int msg_quiesce;                 /* 1: quiesce, -1: end it (workers_quiesce()) */
	/* owned by the thread */
	struct lbd_config *cfg;
	struct roundrobin_set lb;
	struct wlistener *ls;
	int nls, npaused, stopping;
	int quiesce;                     /* "Connection: close" and idle keep-alives ended, still accepting */
	int stop_idle;                   /* stopping: idle keep-alives ended (no successor accepts) */
	struct h1conn *conns_list;       /* client connections */
	/* Connections stopped at their pump's step cap: they go on when `turn`
	 * fires, after the loop's next poll, once each (h1conn.c).  A slot
	 * is NULL once its connection closed. */
	ev_timer turn;
	struct h1conn **turns;
	int nturns, turns_cap;
	struct queue queue;              /* requests waiting for a server slot */
	struct dbuf_pool bufs;
	void *free_txns;                 /* the connection layer's spare transactions */
	int nfree_txns;
	struct zpipe_cache zpipes;       /* empty pipes for splice */
	struct upstream up;              /* server connections and their pool */
	struct http1_request req;        /* scratch for parsing */
	struct http1_response resp;
	char scratch[HEAD_SCRATCH];
};

#endif
