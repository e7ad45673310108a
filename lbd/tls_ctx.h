/* tls_ctx: a frontend's TLS server context, built from its configuration
 * (the tls-* keywords, config.c) and owned by that configuration.
 *
 * Certificates are chosen by SNI (names from each certificate's DNS
 * subjectAltNames, else its CN; "*.example.org" wildcards; an unknown or
 * absent name gets the first certificate).  An RSA and an ECDSA certificate
 * for the same name go into one SSL_CTX, and OpenSSL picks by what the
 * client supports.  TLS 1.2 and 1.3 only, no renegotiation, no 0-RTT, ALPN
 * http/1.1, session tickets under process-wide rotating keys (tls_keys.h),
 * OCSP responses stapled from files, client certificates checked against a
 * CA file and a CRL.
 *
 * Everything is checked when the configuration is built: a missing,
 * unreadable, expired, not-yet-valid or mismatched certificate or key makes
 * the build fail with "file:line:col: reason", so `lbd -t` and a reload
 * refuse the configuration and the running one stays. */
#ifndef LBD_TLS_CTX_H
#define LBD_TLS_CTX_H

#include <stddef.h>

#define TLS_MAX_CERTS 32
#define TLS_PATH_MAX 256
#define TLS_WHERE_MAX 192

enum tls_verify { TLS_VERIFY_NONE, TLS_VERIFY_OPTIONAL, TLS_VERIFY_REQUIRED };

/* A file named in the configuration, with where it was named ("file:line:col"). */
struct tls_file {
	char path[TLS_PATH_MAX];   /* "" = none */
	char where[TLS_WHERE_MAX];
};

struct tls_cert_conf {
	struct tls_file cert;      /* PEM: certificate, its chain, and the key unless `key` */
	struct tls_file key;
	struct tls_file ocsp;      /* DER OCSP response to staple */
};

struct tls_conf {
	struct tls_cert_conf certs[TLS_MAX_CERTS];
	int ncerts;
	char ciphers[512];         /* TLS 1.2 cipher list; "" = the default */
	char ciphersuites[256];    /* TLS 1.3 suites; "" = OpenSSL's default */
	char groups[256];          /* "" = X25519:P-256:P-384 */
	int min_tls13;             /* tls-min-version 1.3 */
	char where_opts[TLS_WHERE_MAX]; /* for errors about the lists above */
	struct tls_file client_ca;
	struct tls_file crl;
	enum tls_verify verify;
	char where_verify[TLS_WHERE_MAX];
	char sid_ctx[32];          /* session id context: the frontend's name */
};

struct tls_ctx;

/* A file OpenSSL is about to read: a readable regular file of at most
 * TLS_FILE_MAX bytes (a device or a FIFO would never end).  0, or -EINVAL
 * with "where: cannot read WHAT 'path': reason". */
#define TLS_FILE_MAX (4u << 20)
int tls_file_check(const struct tls_file *f, const char *what, char *err, size_t errlen);

/* 0 and *out, or a negative errno with "file:line:col: reason" in err. */
int tls_ctx_new(const struct tls_conf *c, struct tls_ctx **out, char *err, size_t errlen);
/* Reference counted: the configuration holds one, and a listener that may
 * outlive it (the stats page) takes its own. */
void tls_ctx_ref(struct tls_ctx *t);
void tls_ctx_free(struct tls_ctx *t); /* drops a reference */
/* The SSL_CTX new connections start on (the default certificate's). */
void *tls_ctx_ssl_ctx(const struct tls_ctx *t);

#endif
