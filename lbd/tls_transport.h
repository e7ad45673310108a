/* tls_transport: struct transport_ops over OpenSSL (transport.h).  The
 * exchange sees bytes and EAGAIN with c->want, never whether TLS is on.
 * Each connection counts its handshake (or why it failed) in its
 * frontend's struct tls_counters. */
#ifndef LBD_TLS_TRANSPORT_H
#define LBD_TLS_TRANSPORT_H

#include <stddef.h>

struct tconn;
struct tls_ctx;
struct tls_counters;

extern const struct transport_ops transport_tls;
/* A frontend's transport (fe->tr, with fe->tr_ctx = fe): its open makes the
 * server-side TLS connection and hands over to transport_tls. */
extern const struct transport_ops transport_tls_accept;

/* Wrap the accepted socket c->fd in a server-side TLS connection.  0, or -1
 * (out of memory; c is left untouched). */
int tls_conn_accept(struct tconn *c, struct tls_ctx *t, struct tls_counters *cnt);
/* Make c a TLS connection over ssl (an SSL *, set up for its role), which
 * it then owns; cnt (may be NULL) counts its handshake, release(owner) runs
 * on close.  0, or -1 (out of memory; ssl is not taken). */
int tls_conn_wrap(struct tconn *c, void *ssl, struct tls_counters *cnt, void (*release)(void *), void *owner);
/* The verified client certificate's subject (RFC 2253: "CN=agent1,O=Example"),
 * NULL if none (plain TCP, no certificate, or the handshake is not done);
 * transport_tls's peer_subject. */
const char *tls_conn_peer_subject(const struct tconn *c);

#endif
