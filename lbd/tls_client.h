/* tls_client: TLS towards one server (the `tls` options of a `server` line):
 * the server's certificate verified against a CA file (and its name, when
 * `sni` gives one), SNI, an optional client certificate, and session reuse:
 * the last session the server gave is offered on the next connection from
 * any worker.  Owned by the configuration, reference-counted because pooled
 * connections outlive it. */
#ifndef LBD_TLS_CLIENT_H
#define LBD_TLS_CLIENT_H

#include <stddef.h>

#include "tls_ctx.h"

struct tconn;

struct tls_client_conf {
	int enabled;
	struct tls_file ca;        /* "" = no verification (verify none) */
	struct tls_file cert;      /* client certificate + key (PEM), "" = none */
	char sni[256];             /* "" = none; also the name verified */
	int verify;                /* 1: verify the chain against ca (the default with ca) */
	char where[TLS_WHERE_MAX]; /* the server line */
};

struct tls_client;

/* 0, or a negative errno with "file:line:col: reason". */
int tls_client_new(const struct tls_client_conf *c, struct tls_client **out, char *err, size_t errlen);
void tls_client_unref(struct tls_client *t);

/* Wrap c->fd (connected or connecting) in a client TLS connection (the
 * transport of tls_transport.h): 0 or -1. */
int tls_conn_connect(struct tconn *c, struct tls_client *t);
/* A server's transport (srv->tr, with srv->tr_ctx = its tls_client): its
 * open makes the client-side TLS connection (tls_conn_connect). */
extern const struct transport_ops transport_tls_connect;

#endif
