/* tls_client: client-side TLS towards a server (see tls_client.h). */
#include "tls_client.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls_transport.h"
#include "transport.h"

struct tls_client {
	_Atomic int refs;         /* the configuration + each connection */
	SSL_CTX *ctx;
	char sni[256];
	int verify;
	pthread_mutex_t mu;
	SSL_SESSION *last;        /* the session to offer next, under mu */
};

static int cfail(char *err, size_t errlen, const char *where, const char *what, const char *path)
{
	unsigned long e = ERR_peek_last_error();
	char ssl[160] = "";
	if (e)
		ERR_error_string_n(e, ssl, sizeof(ssl));
	snprintf(err, errlen, "%s: %s '%s'%s%s%s", where, what, path, e ? " (" : "", ssl, e ? ")" : "");
	ERR_clear_error();
	return -EINVAL;
}

static int new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
	struct tls_client *t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	pthread_mutex_lock(&t->mu);
	SSL_SESSION_free(t->last);
	t->last = sess;
	pthread_mutex_unlock(&t->mu);
	return 1; /* we keep the reference */
}

int tls_client_new(const struct tls_client_conf *c, struct tls_client **out, char *err, size_t errlen)
{
	struct tls_client *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	atomic_init(&t->refs, 1);
	pthread_mutex_init(&t->mu, NULL);
	snprintf(t->sni, sizeof(t->sni), "%s", c->sni);
	t->verify = c->verify;
	int rc = -EINVAL;
	ERR_clear_error();
	t->ctx = SSL_CTX_new(TLS_client_method());
	if (!t->ctx) {
		snprintf(err, errlen, "%s: cannot create a TLS context", c->where);
		goto bad;
	}
	SSL_CTX_set_app_data(t->ctx, t);
	SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(t->ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(t->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
				 SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(t->ctx, new_session_cb);
	static const unsigned char alpn[] = "\x08http/1.1";
	SSL_CTX_set_alpn_protos(t->ctx, alpn, sizeof(alpn) - 1);
	if ((c->verify && (rc = tls_file_check(&c->ca, "CA certificates", err, errlen))) ||
	    (c->cert.path[0] && (rc = tls_file_check(&c->cert, "client certificate", err, errlen))))
		goto bad;
	rc = -EINVAL;
	if (c->verify) {
		if (!SSL_CTX_load_verify_locations(t->ctx, c->ca.path, NULL)) {
			rc = cfail(err, errlen, c->ca.where, "cannot read CA certificates from", c->ca.path);
			goto bad;
		}
		SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
	}
	if (c->cert.path[0]) {
		if (SSL_CTX_use_certificate_chain_file(t->ctx, c->cert.path) != 1 ||
		    SSL_CTX_use_PrivateKey_file(t->ctx, c->cert.path, SSL_FILETYPE_PEM) != 1 ||
		    !SSL_CTX_check_private_key(t->ctx)) {
			rc = cfail(err, errlen, c->cert.where, "expected a PEM certificate, chain and matching key in",
				   c->cert.path);
			goto bad;
		}
		X509 *x = SSL_CTX_get0_certificate(t->ctx);
		if (x && X509_cmp_current_time(X509_get0_notAfter(x)) <= 0) {
			rc = cfail(err, errlen, c->cert.where, "the client certificate has expired:", c->cert.path);
			goto bad;
		}
	}
	*out = t;
	return 0;
bad:
	tls_client_unref(t);
	return rc;
}

void tls_client_unref(struct tls_client *t)
{
	if (!t || atomic_fetch_sub(&t->refs, 1) != 1)
		return;
	SSL_SESSION_free(t->last);
	SSL_CTX_free(t->ctx);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

static void release_client(void *owner)
{
	tls_client_unref(owner);
}

int tls_conn_connect(struct tconn *c, struct tls_client *tc)
{
	SSL *ssl = SSL_new(tc->ctx);
	if (!ssl || !SSL_set_fd(ssl, c->fd) ||
	    (tc->sni[0] && (!SSL_set_tlsext_host_name(ssl, tc->sni) || (tc->verify && !SSL_set1_host(ssl, tc->sni))))) {
		SSL_free(ssl);
		ERR_clear_error();
		return -1;
	}
	SSL_set_connect_state(ssl);
	pthread_mutex_lock(&tc->mu);
	if (tc->last)
		SSL_set_session(ssl, tc->last);
	pthread_mutex_unlock(&tc->mu);
	atomic_fetch_add(&tc->refs, 1);
	if (tls_conn_wrap(c, ssl, NULL, release_client, tc)) {
		atomic_fetch_sub(&tc->refs, 1);
		SSL_free(ssl);
		return -1;
	}
	return 0;
}

/* A server's transport: tr_ctx is its struct tls_client. */
static int tls_open_connect(struct tconn *c, void *tr_ctx)
{
	if (tls_conn_connect(c, tr_ctx)) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

const struct transport_ops transport_tls_connect = {
	.name = "tls",
	.open = tls_open_connect, /* then transport_tls (tls_transport.h) */
};
