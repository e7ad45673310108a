/* exchange: one request and its response, as a state machine (HAProxy's
 * "stream"): waiting for a head, queued for a server slot, connecting,
 * active, tunnel, closing with an error answer.  It decides: which server
 * (and when to wait for one), retries and redispatch, passive health, the
 * deadlines, the error answers, when the exchange ends and whether the
 * client connection stays, and what is counted and logged.
 *
 * It knows neither bytes nor sockets nor the clock: the connection layer
 * below it (h1conn.c for HTTP/1; an HTTP/2 one later) owns buffers, framing
 * and sockets, passes the time into every call, reports what happened
 * (xch_* functions) and carries out what the machine asks through struct
 * xch_ops.  The phase changes in one function (exchange.c set_phase).
 * That is what lets tests/unit/test_exchange.c drive it with a fake
 * connection and a fake clock, as test_vrrp_fsm does vrrp.c. */
#ifndef LBD_EXCHANGE_H
#define LBD_EXCHANGE_H

#include <stdatomic.h>
#include <stdint.h>

struct backend;
struct frontend;
struct server;

enum xch_phase {
	XCH_IDLE,     /* between requests (keep-alive), or before the first */
	XCH_HEAD,     /* part of a request head received */
	XCH_QUEUED,   /* waiting for a server slot (queue.h) */
	XCH_CONNECT,  /* connecting to a server */
	XCH_ACTIVE,   /* request and/or response flowing */
	XCH_TUNNEL,   /* after 101: bytes both ways */
	XCH_CLOSING,  /* sending a last response, then close */
	XCH_PHASE_COUNT,
};
extern const char *const xch_phase_names[XCH_PHASE_COUNT];

/* Why a transaction ended, for the access log (HAProxy's termination-state idea). */
enum term {
	TERM_OK, TERM_CLIENT_CLOSED, TERM_CLIENT_TIMEOUT, TERM_SERVER_CLOSED, TERM_SERVER_TIMEOUT,
	TERM_CONNECT_FAILED, TERM_NO_SERVER, TERM_QUEUE_TIMEOUT, TERM_BAD_REQUEST, TERM_BAD_RESPONSE,
	TERM_STOPPING, TERM_COUNT,
};

/* The request under way.  Allocated by the connection layer (ops->txn_new),
 * which may embed it in a larger object of its own.  The connection layer
 * reports the message's progress in the flags marked "conn"; the exchange
 * keeps the rest. */
struct xch_txn {
	uint8_t idempotent;       /* conn: the method may be sent again */
	uint8_t tunnel_req;       /* conn: a WebSocket upgrade was asked */
	uint8_t close_client;     /* conn/exchange: close the client after this answer */
	uint8_t resp_started;     /* conn: bytes of a response went or go to the client */
	uint8_t req_done;         /* conn: the whole request is framed */
	uint8_t resp_done;        /* conn: the whole response is framed */
	uint8_t srv_reuse;        /* conn: the server connection may serve another request */
	uint8_t srv_held;         /* a server slot is counted */
	int status;               /* sent to the client */
	int attempts;
	struct server *srv, *last_srv;
	struct backend *be;
	uint64_t bytes_in, bytes_out;
	uint64_t spliced_in, spliced_out;    /* of those, moved by splice */
	double t_start, t_head, t_connect, t_resp;
	double t_queued, t_dequeued;         /* 0: never waited in the queue */
	enum term term;
	char logreq[96];                     /* "GET /path HTTP/1.1" for the log */
};

/* What the connection layer tells of its bytes, for the timeouts of an
 * active exchange. */
struct xch_io {
	double c_last, s_last;          /* last progress on the client / server side */
	int resp_waits_client;          /* the response waits for the client to take bytes */
	int req_waits_server;           /* the request waits for the server to take bytes */
	int c_wblocked;                 /* bytes wait to go to the client */
};

struct exchange;

/* What the machine asks of its host, which embeds the struct exchange in
 * its own connection object and finds it back from x.  Called
 * synchronously from inside an xch_* call; none calls back into the
 * machine, but kill, which tears the exchange down (xch_teardown) and
 * leaves the memory to the host. */
struct xch_ops {
	void (*arm)(struct exchange *x, double at);          /* the one deadline (xch_timer) */
	void (*kill)(struct exchange *x);                    /* close the client connection now, no answer */
	/* A whole error response, "Connection: close", to the client: 0, or -1
	 * (no buffer: the exchange kills). */
	int (*send_error)(struct exchange *x, int status);
	struct xch_txn *(*txn_new)(struct exchange *x);      /* zeroed; NULL if out of memory */
	void (*txn_free)(struct exchange *x, struct xch_txn *tx);
	/* The balancer's choice for tx->be, avoiding `avoid` if it can; NULL if none. */
	struct server *(*pick)(struct exchange *x, struct backend *be, const struct server *avoid);
	/* Wait in the worker's queue for a slot of tx->be: 0, or -1 (no room:
	 * nothing to wait for, or maxqueue reached). */
	int (*queue)(struct exchange *x);
	void (*unqueue)(struct exchange *x);
	/* A connection to srv: 1 ready (a pooled one), 0 connecting, or -errno. */
	int (*connect)(struct exchange *x, struct server *srv);
	/* Done with the server connection: back to the pool if reusable, else closed. */
	void (*release)(struct exchange *x, int reusable);
	void (*slot_freed)(struct exchange *x);              /* a server slot freed: the queue may move */
	/* Send the request again from its first byte: 0, or -1 when its start
	 * is gone from the buffer (a body moved on, or by splice). */
	int (*rewind)(struct exchange *x);
	void (*io)(struct exchange *x, struct xch_io *io);   /* see struct xch_io */
	void (*flow)(struct exchange *x, double now);        /* connected: let bytes flow both ways */
	void (*tunnel)(struct exchange *x);                  /* 101 sent: bytes both ways, unframed */
	void (*log)(struct exchange *x, const struct xch_txn *tx, double now); /* the access log line */
	/* Bytes from the client wait unread (in the socket or the transport):
	 * 1 or 0.  NULL: never. */
	int (*client_pending)(struct exchange *x);
};

/* Timeouts come from the frontend (client side) and tx->be (server side). */
struct exchange {
	enum xch_phase phase;
	uint8_t served;            /* a request was answered: later heads wait after keep-alive */
	uint8_t spared;            /* idle past its deadline with a request unread: spared once */
	double deadline;
	struct frontend *fe;
	struct xch_txn *tx;
	const struct xch_ops *ops;
	_Atomic int *busy;         /* if set: counts exchanges out of phase idle (a request in flight) */
	};

/* A new client connection: phase idle, the first head due within
 * `timeout http-request`. */
void xch_init(struct exchange *x, const struct xch_ops *ops, struct frontend *fe, double now);
/* The deadline passed (the host's timer may fire early: the machine arms again). */
void xch_timer(struct exchange *x, double now);

/* ---- the request head ---- */
void xch_head_partial(struct exchange *x, double now);       /* bytes of an unfinished head came */
struct xch_txn *xch_begin(struct exchange *x, double now);  /* a head is whole: the transaction (NULL: killed) */
void xch_bad_request(struct exchange *x, int status, double now);
void xch_start(struct exchange *x, double now);             /* head accepted: to a server */

/* ---- the server side ---- */
void xch_dequeued(struct exchange *x, double now);          /* the queue let it out */
void xch_connected(struct exchange *x, double now);
void xch_connect_failed(struct exchange *x, int err, double now);
/* The server closed before a byte of its response: sent again when no
 * server can have acted on it, or with retry-on empty-response. */
void xch_server_closed_early(struct exchange *x, int reused_conn, int sent_whole, double now);
void xch_bad_response(struct exchange *x, enum term term, double now); /* 502, or a cut once answering */
void xch_tunnel(struct exchange *x, double now);           /* a 101 went to the client */
void xch_release_server(struct exchange *x, int reusable);

/* ---- the end ---- */
void xch_error(struct exchange *x, int status, enum term term, double now);
void xch_client_gone(struct exchange *x);
void xch_close(struct exchange *x);                       /* close the client connection, as it is */
void xch_client_eof(struct exchange *x);                   /* after the client's last bytes were framed */
/* The response is out: account and log; 1 if the client connection is
 * closed (killed), 0 if it stays for another request (phase idle). */
int xch_end(struct exchange *x, int reusable, int more_requests, int client_eof, double now);
/* No pipelined request followed: wait `timeout http-keep-alive` (shorter
 * once the worker stops with no successor accepting, or quiesces). */
void xch_keepalive(struct exchange *x, int stopping, double now);
/* The worker stops: an idle connection goes soon (holding_bytes: part of a
 * request is in, it is answered). */
void xch_stop_idle(struct exchange *x, int holding_bytes, double now);
/* The client connection goes: out of the queue, the transaction logged and
 * freed, and no longer counted in *x->busy. */
void xch_teardown(struct exchange *x, double now);

/* How long a keep-alive connection may stay idle once its worker stops:
 * long enough for a busy client's next request (answered with "Connection:
 * close"), short because under "systemctl restart" the old process's drain
 * is the time new connections wait for the next one (fdstore.h).  Not
 * after a handover (upgrade): the successor accepts, and an idle
 * connection keeps its usual timeout (worker.h, workers_stop_accepting). */
#define XCH_STOP_IDLE_S 0.3

#endif
