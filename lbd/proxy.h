/* proxy: the per-worker objects of the data path and how they refer to
 * each other.  Everything here lives on one worker thread.
 *
 *   struct worker   one thread: loop, listeners, buffers, server pool
 *   struct session  one client connection (small while idle: no buffers)
 *   struct txn      the request under way on a session
 *   struct upconn   one connection to a server (in use by a session, or idle in the pool)
 *   struct dbuf     a 16 KiB data buffer, taken from the worker's free list */
#ifndef LBD_PROXY_H
#define LBD_PROXY_H

#include <ev.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "http1.h"
#include "roundrobin.h"
#include "zpipe.h"

struct frontend;
struct lbd_config;
struct server;
struct server_state;
struct transport;
struct workers;

#define DBUF_FILL 16384          /* reads stop here ... */
#define DBUF_SIZE (16384 + 1024) /* ... so a rewritten head can grow in place */
#define HEAD_SCRATCH DBUF_SIZE

struct dbuf {
	uint32_t start, end;   /* bytes [start, end) */
	struct dbuf *next;     /* free list */
	char data[DBUF_SIZE];
};

/* Room for the next read: none once end reached DBUF_FILL, which a head
 * rewritten in place may have pushed end past. */
static inline uint32_t dbuf_room(const struct dbuf *b)
{
	return b->end < DBUF_FILL ? DBUF_FILL - b->end : 0;
}

struct upconn {
	struct worker *w;
	struct server_state *st;  /* holds a reference: pool entries outlive configs */
	struct session *s;        /* owner while in use; NULL when pooled */
	int fd;
	ev_io rio, wio;
	ev_timer idle;            /* pool idle timeout */
	struct upconn *next;      /* pool list */
	uint8_t connected, reused;
};

enum body_mode { BODY_NONE, BODY_CL, BODY_CHUNKED, BODY_EOF };

enum sess_phase {
	PH_IDLE,     /* between requests (keep-alive), or before the first */
	PH_HEAD,     /* part of a request head received */
	PH_QUEUED,   /* waiting for a server slot (queue.h) */
	PH_CONNECT,  /* connecting to a server */
	PH_ACTIVE,   /* request and/or response flowing */
	PH_TUNNEL,   /* after 101: bytes both ways */
	PH_CLOSING,  /* sending a last response, then close */
	PH_COUNT,
};

/* Why a transaction ended, for the access log (HAProxy's termination-state idea). */
enum term {
	TERM_OK, TERM_CLIENT_CLOSED, TERM_CLIENT_TIMEOUT, TERM_SERVER_CLOSED, TERM_SERVER_TIMEOUT,
	TERM_CONNECT_FAILED, TERM_NO_SERVER, TERM_QUEUE_TIMEOUT, TERM_BAD_REQUEST, TERM_BAD_RESPONSE,
	TERM_STOPPING, TERM_COUNT,
};

struct txn {
	enum http1_method meth;
	uint8_t minor, tunnel_req, idempotent, replayable, close_client, resp_started;
	uint8_t req_done, resp_done, resp_head_done, srv_reuse, srv_held;
	uint8_t no_splice;                   /* no pipe to be had: bodies through the buffer */
	uint8_t req_cut;                     /* a send to the server failed: it did not get it whole */
	enum body_mode req_body, resp_body;
	uint64_t req_left, resp_left;        /* BODY_CL */
	struct http1_chunked req_ck, resp_ck;
	int status;                          /* sent to the client */
	int attempts;
	struct server *srv, *last_srv;
	struct backend *be;
	uint64_t bytes_in, bytes_out;
	uint64_t spliced_in, spliced_out;    /* of those, moved by splice */
	ev_tstamp t_start, t_head, t_connect, t_resp;
	ev_tstamp t_queued, t_dequeued;      /* 0: never waited in the queue */
	enum term term;
	char logreq[96];                     /* "GET /path HTTP/1.1" for the log */
};

struct session {
	struct worker *w;
	struct lbd_config *cfg;   /* a reference: in-flight requests finish on their config */
	struct frontend *fe;
	const struct transport *tr;
	int fd;
	enum sess_phase phase;
	uint8_t c_readable, c_eof, c_wblocked, s_readable, s_wblocked, s_eof, closed;
	uint8_t shut_c, shut_s;   /* tunnel: write side shut toward the client / server */
	uint8_t zdir;             /* body moving by splice: 1 client->server, 2 server->client */
	struct zpipe zp;          /* open only while a large body moves */
	uint32_t wpos;            /* s->in: bytes sent to the server */
	uint32_t fend;            /* s->in: end of the bytes of this request */
	uint32_t rparse;          /* s->out: end of the response bytes framed so far */
	uint32_t rfend;           /* s->out: end of the bytes that may go to the client */
	uint32_t hseen;           /* s->in: end of the bytes of an unfinished head parsed last */
	ev_io rio, wio;
	ev_timer tmr;
	ev_tstamp deadline, tmr_at, c_last, s_last;
	struct dbuf *in, *out;
	struct txn *tx;
	struct upconn *up;
	struct session *prev, *next;
	struct session *q_prev, *q_next; /* worker's queue, while PH_QUEUED */
	uint8_t q_peeked;         /* queued, and the client sent more: stop watching it */
	uint8_t served;           /* a request was answered: the next head waits after keep-alive */
	union {
		struct sockaddr sa;
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} peer;
};

struct upool {
	struct server_state *st;
	struct upconn *idle;
	uint32_t n;
	struct upool *next;
};

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
	struct session *sessions;
	struct session *q_head, *q_tail; /* requests waiting for a server slot, oldest first */
	int qlen;
	ev_timer qtick;                  /* runs the queue while it is not empty */
	struct dbuf *free_bufs;
	int nfree_bufs;
	int free_low;                    /* fewest free buffers since the last beat */
	struct txn *free_txns;
	int nfree_txns;
	struct zpipe_cache zpipes;       /* empty pipes for splice */
	struct upool *pools;
	_Atomic int npools;              /* length of pools, for lbctl status */
	struct http1_request req;   /* scratch for parsing */
	struct http1_response resp;
	char scratch[HEAD_SCRATCH];
};

/* worker.c */
struct dbuf *worker_buf_get(struct worker *w);
void worker_buf_put(struct worker *w, struct dbuf *b);
void worker_session_closed(struct worker *w);
int worker_over_limits(struct worker *w, const struct frontend *fe);
uint64_t workers_conn_add(struct workers *all, int delta);

/* session.c */
void session_accept(struct worker *w, struct frontend *fe, int fd, const struct sockaddr *sa, socklen_t salen);
void session_close(struct session *s);
void session_up_event(struct session *s, int revents);
/* How long a keep-alive connection may stay idle once its worker stops:
 * long enough for a busy client's next request (answered with "Connection:
 * close"), short because under "systemctl restart" the old process's drain
 * is the time new connections wait for the next one (fdstore.h). */
#define SESSION_STOP_IDLE_S 0.3
void session_stop_idle(struct session *s);

/* session.c, for relay.c */
void sess_arm(struct session *s, ev_tstamp at);
void sess_kill(struct session *s);
void sess_pump(struct session *s);
struct txn *sess_txn_new(struct session *s);
void sess_txn_free(struct worker *w, struct txn *t);
const char *sess_client_ip(const struct session *s, char *buf, size_t len);

/* upstream.c */
struct upconn *upconn_take(struct worker *w, struct server *srv, int *err);
void upconn_release(struct upconn *u, int reusable, uint32_t max_idle, uint32_t idle_ms);
void upconn_close(struct upconn *u);
void upconn_watch(struct upconn *u, int read, int write);
void upool_free_all(struct worker *w);
void upool_prune(struct worker *w);  /* free the pools left empty */

/* accesslog.c */
void accesslog_txn(const struct session *s, const struct txn *tx);

#endif
