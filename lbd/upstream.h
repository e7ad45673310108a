/* upstream: connections to servers, and a worker's pool of idle
 * keep-alive ones (keyed by server state, so a reload that keeps a server
 * keeps its pooled connections).  A connection in use reports its socket's
 * readiness to its owner through the callback it was taken with: the pool
 * knows nothing of sessions. */
#ifndef LBD_UPSTREAM_H
#define LBD_UPSTREAM_H

#include <ev.h>
#include <stdatomic.h>
#include <stdint.h>

#include "transport.h"

struct server;
struct server_state;
struct upool;

/* Readiness of a connection in use (EV_READ/EV_WRITE). */
typedef void (*upconn_event_fn)(void *owner, int revents);

struct upconn {
	struct upstream *pool;
	struct server_state *st;  /* holds a reference: pool entries outlive configs */
	void *owner;              /* while in use; NULL when pooled */
	upconn_event_fn on_event;
	struct tconn c;
	ev_io rio, wio;
	ev_timer idle;            /* pool idle timeout */
	struct upconn *next;      /* pool list */
	uint8_t connected, reused;
	uint8_t hs_done;          /* the transport's handshake is through (or it has none) */
};

/* One per worker thread. */
struct upstream {
	struct ev_loop *loop;
	struct upool *pools;
	_Atomic int npools;       /* length of pools, for lbctl status */
	int stopping;             /* released connections are closed, not pooled */
};

void upstream_init(struct upstream *up, struct ev_loop *loop);
/* A pooled connection to srv that is still open, else a new one
 * (connecting: u->connected says whether it already is).  NULL with *err. */
struct upconn *upconn_take(struct upstream *up, struct server *srv, void *owner, upconn_event_fn fn, int *err);
/* The connection finished connecting: 0, or the socket's error. */
int upconn_connect_result(struct upconn *u);
/* Back to the pool (when reusable and there is room), else closed. */
void upconn_release(struct upconn *u, int reusable, uint32_t max_idle, uint32_t idle_ms);
void upconn_close(struct upconn *u);
void upconn_watch(struct upconn *u, int read, int write);
void upstream_prune(struct upstream *up);     /* free the pools left empty */
void upstream_free(struct upstream *up);

#endif
