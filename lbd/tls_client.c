/* tls_client: client-side TLS towards a server (see tls_client.h). */
#include "tls_client.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

struct tls_client_conn {
	SSL *ssl;
	struct tls_client *owner;
	uint8_t done, failed;
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

/* ---- the transport ---------------------------------------------------------------- */

static ssize_t cmap(struct tconn *c, struct tls_client_conn *t, int r)
{
	int e = SSL_get_error(t->ssl, r), saved = errno;
	if (SSL_is_init_finished(t->ssl))
		t->done = 1;
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		c->want = e == SSL_ERROR_WANT_READ ? TRANSPORT_WANT_READ : TRANSPORT_WANT_WRITE;
		errno = EAGAIN;
		return -1;
	}
	c->want = TRANSPORT_WANT_NONE;
	if (e == SSL_ERROR_ZERO_RETURN)
		return 0;
	unsigned long err = ERR_peek_error();
	ERR_clear_error();
	t->failed = 1;
	if (e == SSL_ERROR_SYSCALL && !err && (saved == 0 || saved == EAGAIN))
		return 0;
	errno = e == SSL_ERROR_SYSCALL && saved ? saved : EPROTO;
	return -1;
}

static int c_handshake(struct tconn *c)
{
	struct tls_client_conn *t = c->ctx;
	ERR_clear_error();
	int r = SSL_do_handshake(t->ssl);
	if (r == 1) {
		t->done = 1;
		c->want = TRANSPORT_WANT_NONE;
		return 0;
	}
	if (cmap(c, t, r) == 0)
		errno = ECONNRESET;
	return -1;
}

static ssize_t c_recv(struct tconn *c, void *buf, size_t len)
{
	struct tls_client_conn *t = c->ctx;
	ERR_clear_error();
	int r = SSL_read(t->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
	if (r > 0) {
		c->want = TRANSPORT_WANT_NONE;
		t->done = 1;
		return r;
	}
	return cmap(c, t, r);
}

static ssize_t c_send(struct tconn *c, const void *buf, size_t len)
{
	struct tls_client_conn *t = c->ctx;
	if (!len)
		return 0;
	ERR_clear_error();
	int r = SSL_write(t->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
	if (r > 0) {
		c->want = TRANSPORT_WANT_NONE;
		t->done = 1;
		return r;
	}
	ssize_t m = cmap(c, t, r);
	if (m == 0) {
		errno = EPIPE;
		m = -1;
	}
	return m;
}

static size_t c_pending(const struct tconn *c)
{
	const struct tls_client_conn *t = c->ctx;
	int n = SSL_pending(t->ssl);
	return n > 0 ? (size_t)n : 0;
}

static void c_shutdown_write(struct tconn *c)
{
	struct tls_client_conn *t = c->ctx;
	if (t->done && !t->failed) {
		ERR_clear_error();
		SSL_shutdown(t->ssl);
		ERR_clear_error();
	}
	shutdown(c->fd, SHUT_WR);
}

static void c_close(struct tconn *c)
{
	struct tls_client_conn *t = c->ctx;
	if (t) {
		/* close_notify first: OpenSSL marks the session of a connection
		 * freed without it not resumable, and that is the one kept. */
		if (t->done && !t->failed && !(SSL_get_shutdown(t->ssl) & SSL_SENT_SHUTDOWN)) {
			ERR_clear_error();
			SSL_shutdown(t->ssl);
			ERR_clear_error();
		}
		SSL_free(t->ssl);
		tls_client_unref(t->owner);
		free(t);
		c->ctx = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static const struct transport_ops transport_tls_client = {
	.name = "tls",
	.handshake = c_handshake,
	.recv = c_recv,
	.send = c_send,
	.pending = c_pending,
	.shutdown_write = c_shutdown_write,
	.close = c_close,
	.can_splice = 0,
};

int tls_conn_connect(struct tconn *c, struct tls_client *tc)
{
	struct tls_client_conn *t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	t->ssl = SSL_new(tc->ctx);
	if (!t->ssl || !SSL_set_fd(t->ssl, c->fd) ||
	    (tc->sni[0] && (!SSL_set_tlsext_host_name(t->ssl, tc->sni) || (tc->verify && !SSL_set1_host(t->ssl, tc->sni))))) {
		SSL_free(t->ssl);
		free(t);
		ERR_clear_error();
		return -1;
	}
	pthread_mutex_lock(&tc->mu);
	if (tc->last)
		SSL_set_session(t->ssl, tc->last);
	pthread_mutex_unlock(&tc->mu);
	SSL_set_connect_state(t->ssl);
	atomic_fetch_add(&tc->refs, 1);
	t->owner = tc;
	c->ctx = t;
	c->ops = &transport_tls_client;
	c->want = TRANSPORT_WANT_WRITE;
	return 0;
}

int tls_conn_idle_alive(struct tconn *c)
{
	struct tls_client_conn *t = c->ctx;
	char b;
	if (c->ops != &transport_tls_client || t->failed)
		return 0;
	ERR_clear_error();
	int r = SSL_peek(t->ssl, &b, 1);
	if (r > 0)
		return 0; /* data nobody asked for: the connection is out of step */
	int e = SSL_get_error(t->ssl, r);
	ERR_clear_error();
	return e == SSL_ERROR_WANT_READ;
}
