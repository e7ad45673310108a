/* relay: what happens to a request once its bytes are in: head parsing
 * and rewriting, choosing a server, retries, body framing both ways,
 * tunnels, error responses, the end of a transaction.  session.c owns the
 * client connection and calls these from its pump. */
#ifndef LBD_RELAY_H
#define LBD_RELAY_H

#include <ev.h>

#include "proxy.h"

void relay_client_data(struct session *s);    /* new client bytes (or EOF) */
void relay_start_request(struct session *s);  /* parse a head in s->in and start its exchange */
int relay_server_io(struct session *s);        /* move bytes to/from the server; 1 if any moved */
int relay_progress(struct session *s);         /* finish what can be finished; 1 if anything did */
void relay_client_gone(struct session *s);
void relay_server_writable(struct session *s);
void relay_dequeued(struct session *s);        /* out of the queue: connect now (queue.c) */
void relay_timeout(struct session *s, ev_tstamp now);
void relay_error(struct session *s, int status, enum term term);
/* The same with one more header line (no CRLF), e.g. WWW-Authenticate for a 401. */
void relay_error_hdr(struct session *s, int status, enum term term, const char *header);
void relay_connect_failed(struct session *s, int err);
void relay_watch_server(struct session *s);
int relay_in_compact(struct session *s);      /* free room in s->in; bytes freed */
void relay_txn_end(struct session *s);         /* account, log and free the transaction */
void relay_bad_response(struct session *s, enum term term); /* 502, or a cut if already answering */

/* Shared by the relay*.c files. */
static inline ev_tstamp relay_now(const struct session *s) { return ev_now(s->w->loop); }
/* The request is done with its server: the connection back to the pool if
 * reusable, else closed; the server's slot freed (the queue is kicked). */
void relay_release_server(struct session *s, int reusable);
void relay_connect(struct session *s);         /* pick a server (or queue), connect or reuse */
/* Another attempt if the request may be replayed and retries are left,
 * else the error response. */
void relay_retry_or_fail(struct session *s, int status, enum term term);

/* relay_splice.c: 1 if bytes moved */
int relay_splice_request(struct session *s);
/* The request body's next bytes go by splice: the client is not read into
 * the buffer (once the buffer's bytes are out, splicing starts). */
int relay_splice_request_next(const struct session *s);
int relay_splice_response_ready(struct session *s); /* and switches the session to it */
int relay_splice_response(struct session *s);

#endif
