/* tls_keys: session ticket keys, one ring for the whole process, so every
 * worker thread and every configuration (a reload builds new SSL_CTXs)
 * encrypts and decrypts tickets alike: a client resumes on any worker and
 * across a reload.  A new key is made every TLS_KEYS_ROTATE_S; the previous
 * ones still decrypt (and a ticket under one is renewed) until they fall off
 * the ring.  Keys live in memory only; an upgrade in place hands them to the
 * new process over the handover socket (tls_keys_export/import), so its
 * clients resume there too. */
#ifndef LBD_TLS_KEYS_H
#define LBD_TLS_KEYS_H

#include <stddef.h>

#define TLS_KEYS_ROTATE_S 3600
#define TLS_KEYS_KEEP 3             /* current + 2 previous: a ticket lives up to 3 rotations */

struct ssl_st;
struct evp_cipher_ctx_st;
struct evp_mac_ctx_st;

/* SSL_CTX_set_tlsext_ticket_key_evp_cb's callback. */
int tls_keys_ticket_cb(struct ssl_st *s, unsigned char *key_name, unsigned char *iv,
		       struct evp_cipher_ctx_st *ctx, struct evp_mac_ctx_st *hctx, int enc);

/* The ring as bytes for a successor process: up to TLS_KEYS_WIRE_MAX bytes
 * into out, their count returned (wipe out after use). */
#define TLS_KEYS_WIRE_MAX (2 + TLS_KEYS_KEEP * 84)
size_t tls_keys_export(unsigned char *out, size_t max);
/* Take the ring a predecessor exported (before any handshake): the number
 * of keys taken, or -EINVAL for bytes that are not such a ring. */
int tls_keys_import(const unsigned char *in, size_t len);

#endif
