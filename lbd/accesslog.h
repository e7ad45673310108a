/* accesslog: one line per request in HAProxy's httplog format (see accesslog.c). */
#ifndef LBD_ACCESSLOG_H
#define LBD_ACCESSLOG_H

#include <stdint.h>
#include <sys/socket.h>

struct ev_loop;
struct frontend;
struct lbd_config;
struct xch_txn;

/* Where a request came from, and the gauges of the moment. */
struct accesslog_conn {
	struct ev_loop *loop;            /* the worker's: its log queue */
	const struct lbd_config *cfg;
	const struct frontend *fe;
	const struct sockaddr *peer;
	uint64_t conns;                  /* client connections of the process */
};

void accesslog_txn(const struct accesslog_conn *c, const struct xch_txn *tx, double now);

#endif
