/* tls_keys: session ticket keys, one ring for the whole process, so every
 * worker thread and every configuration (a reload builds new SSL_CTXs)
 * encrypts and decrypts tickets alike: a client resumes on any worker and
 * across a reload.  A new key is made every TLS_KEYS_ROTATE_S; the previous
 * ones still decrypt (and a ticket under one is renewed) until they fall off
 * the ring.  Keys live in memory only: an upgrade in place (a new process)
 * starts a new ring. */
#ifndef LBD_TLS_KEYS_H
#define LBD_TLS_KEYS_H

#define TLS_KEYS_ROTATE_S 3600
#define TLS_KEYS_KEEP 3             /* current + 2 previous: a ticket lives up to 3 rotations */

struct ssl_st;
struct evp_cipher_ctx_st;
struct evp_mac_ctx_st;

/* SSL_CTX_set_tlsext_ticket_key_evp_cb's callback. */
int tls_keys_ticket_cb(struct ssl_st *s, unsigned char *key_name, unsigned char *iv,
		       struct evp_cipher_ctx_st *ctx, struct evp_mac_ctx_st *hctx, int enc);

#endif
