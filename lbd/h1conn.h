/* h1conn: the HTTP/1 connection layer (HAProxy's mux_h1 idea): one client
 * connection, the server connection its request uses, their buffers,
 * cursors and splice pipe, the HTTP/1 framing both ways.  Above it sits the
 * exchange (exchange.h), which it drives and serves through struct
 * xch_ops; the exchange never sees a byte.  An HTTP/2 layer would sit
 * beside this one, with one exchange per stream.
 *
 * Files, each calling only those below it:
 *   h1conn.c    the connection: accept, events, the pump, the client's
 *               socket, the exchange's ops        (top)
 *   h1resp.c    the server side: its socket, response heads and bodies,
 *               the end of an exchange, tunnels
 *   h1req.c     request heads (parsed, rewritten) and bodies framed
 *   h1splice.c  large bodies kernel to kernel (splice)
 *
 * Buffers: s->in holds the client's bytes with this request's rewritten
 * head at offset 0; [0, wpos) went to the server, [wpos, fend) may go now,
 * bytes after fend belong to the next (pipelined) request.  While [0, wpos)
 * is still there the request can be sent again (retry).  s->out holds the
 * server's bytes: [start, rfend) may go to the client, rparse is where
 * framing stopped. */
#ifndef LBD_H1CONN_H
#define LBD_H1CONN_H

#include <netinet/in.h>
#include <sys/socket.h>

#include "exchange.h"
#include "http1.h"
#include "queue.h"
#include "transport.h"
#include "worker_ctx.h"
#include "zpipe.h"

struct dbuf;
struct frontend;
struct lbd_config;
struct upconn;

enum body_mode { BODY_NONE, BODY_CL, BODY_CHUNKED, BODY_EOF };

/* One request on an HTTP/1 connection: the exchange's transaction and the
 * framing of its two messages. */
struct h1txn {
	struct xch_txn x;
	struct h1conn *conn;
	struct queue_entry qe;               /* while waiting for a server slot */
	enum http1_method meth;
	uint8_t minor;
	uint8_t resp_head_done;
	uint8_t no_splice;                   /* no pipe to be had: bodies through the buffer */
	uint8_t req_cut;                     /* a send to the server failed: it did not get it whole */
	uint8_t replayable;                  /* the request's first byte is still in s->in */
	char *err_hdr;                       /* one more header line of an error answer (401, 301), owned */
	enum body_mode req_body, resp_body;
	uint64_t req_left, resp_left;        /* BODY_CL */
	struct http1_chunked req_ck, resp_ck;
};

struct h1conn {
	struct exchange x;        /* the exchange under way (x.fe: the frontend, x.tx: the request) */
	struct worker *w;
	struct lbd_config *cfg;   /* a reference: in-flight requests finish on their config */
	struct tconn c;           /* the client's connection */
	/* Readiness and state: the hot ones bytes, the rare ones bits (an idle
	 * connection is this object alone: keep it at 360 bytes). */
	uint8_t c_readable, c_eof, c_wblocked, s_readable, s_wblocked, s_eof, closed;
	uint8_t zdir;             /* body moving by splice: 1 client->server, 2 server->client */
	unsigned c_hs : 1;        /* the client's transport handshake is done */
	unsigned c_rwait_w : 1;   /* a client read waits for writability (TLS), */
	unsigned c_wwait_r : 1;   /* a client write for readability */
	unsigned s_rwait_w : 1, s_wwait_r : 1; /* the same on the server side */
	unsigned shut_c : 1, shut_s : 1; /* tunnel: write side shut toward the client / server */
	unsigned q_peeked : 1;    /* queued, and the client sent more: stop watching it */
	unsigned q_unframed : 1;  /* bytes read while queued wait for the request framer */
	unsigned turn_due : 1;    /* in w->turns: stopped at the step cap, goes on after the next poll */
	struct zpipe zp;          /* open only while a large body moves */
	uint32_t wpos;            /* s->in: bytes sent to the server */
	uint32_t fend;            /* s->in: end of the bytes of this request */
	uint32_t rparse;          /* s->out: end of the response bytes framed so far */
	uint32_t rfend;           /* s->out: end of the bytes that may go to the client */
	uint32_t hseen;           /* s->in: end of the bytes of an unfinished head parsed last */
	union {
		struct sockaddr sa;
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} peer;                   /* here: the 4-byte fields together leave no hole */
	ev_io rio, wio;
	ev_timer tmr;
	double tmr_at, c_last, s_last;
	struct dbuf *in, *out;
	struct upconn *up;
	struct h1conn *prev, *next;
};

static inline struct h1txn *h1_txn(const struct h1conn *s)
{
	return (struct h1txn *)s->x.tx; /* x is h1txn's first member */
}

/* The client's verified identity, through its transport (TLS: the
 * certificate's subject), NULL if none. */
static inline const char *h1_peer_subject(const struct h1conn *s)
{
	return s->c.ops->peer_subject ? s->c.ops->peer_subject(&s->c) : NULL;
}

static inline double h1_now(const struct h1conn *s)
{
	return ev_now(s->w->loop);
}

/* ---- h1conn.c: for worker.c ---- */
/* A new client connection: 0, or -ENOMEM (fd closed). */
int h1conn_accept(struct worker *w, struct frontend *fe, int fd, const struct sockaddr *sa, socklen_t salen);
void h1conn_close(struct h1conn *s);
void h1conn_stop_idle(struct h1conn *s);     /* the worker stops (xch_stop_idle) */
void h1conn_worker_init(struct worker *w);   /* w->turn and w->turns */
void h1conn_worker_free(struct worker *w);   /* after the last connection closed */

/* ---- h1resp.c ---- */
int h1_server_io(struct h1conn *s);          /* move bytes to/from the server; 1 if any moved */
int h1_progress(struct h1conn *s);           /* finish what can be finished; 1 if anything did */
void h1_watch_server(struct h1conn *s);
/* The server's socket is writable: the connect (or a send) may go on. */
void h1_server_writable(struct h1conn *s);
int h1_resp_waits_client(const struct h1conn *s);

/* ---- h1req.c ---- */
void h1_client_data(struct h1conn *s);       /* new client bytes (or EOF) */
void h1_start_request(struct h1conn *s);     /* parse a head in s->in and start its exchange */
int h1_in_compact(struct h1conn *s);         /* free room in s->in; bytes freed */
int h1_req_waits_server(const struct h1conn *s);
const char *h1_client_ip(const struct h1conn *s, char *buf, size_t len);

/* ---- h1splice.c: 1 if bytes moved ---- */
int h1_splice_request(struct h1conn *s);
/* The request body's next bytes go by splice: the client is not read into
 * the buffer (once the buffer's bytes are out, splicing starts). */
int h1_splice_request_next(const struct h1conn *s);
int h1_splice_response_ready(struct h1conn *s); /* and switches the connection to it */
int h1_splice_response(struct h1conn *s);

#endif
