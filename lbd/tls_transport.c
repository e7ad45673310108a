/* tls_transport: TLS connections behind transport.h. */
#include "tls_transport.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "model.h"
#include "tls_ctx.h"
#include "transport.h"

struct tls_conn {
	SSL *ssl;
	struct tls_counters *cnt; /* NULL: not counted (towards servers) */
	void (*release)(void *);  /* called with owner on close (a client context's reference) */
	void *owner;
	char *subject;          /* computed on first ask */
	uint8_t done;           /* handshake finished (and counted) */
	uint8_t failed;         /* a fatal error: no close_notify, failure counted */
	uint8_t subject_asked;
};

/* Slots are keyed by OpenSSL's name string, which lives as long as the process. */
static void count_cipher(struct tls_counters *cnt, const char *name)
{
	uintptr_t id = (uintptr_t)name;
	for (int i = 0; i < TLS_CIPHER_SLOTS; i++) {
		uintptr_t have = atomic_load_explicit(&cnt->cipher_name[i], memory_order_relaxed);
		if (have == 0 &&
		    atomic_compare_exchange_strong_explicit(&cnt->cipher_name[i], &have, id, memory_order_relaxed,
							    memory_order_relaxed))
			have = id;
		if (have == id) {
			model_cnt_add(&cnt->cipher[i], 1);
			return;
		}
	}
}

static void handshake_done(struct tls_conn *t)
{
	t->done = 1;
	/* Once per connection: what the handshake's callbacks (SNI, OCSP,
	 * tickets) may have queued and not failed on goes, so that the reads
	 * and writes after it, which no longer clear first (map_error), do not
	 * take it for an error of their own. */
	ERR_clear_error();
	if (!t->cnt)
		return;
	model_cnt_add(&t->cnt->handshakes, 1);
	if (SSL_session_reused(t->ssl))
		model_cnt_add(&t->cnt->resumed, 1);
	model_cnt_add(&t->cnt->proto[SSL_version(t->ssl) == TLS1_3_VERSION ? 1 : 0], 1);
	const SSL_CIPHER *ci = SSL_get_current_cipher(t->ssl);
	if (ci)
		count_cipher(t->cnt, SSL_CIPHER_get_name(ci));
}

static enum tls_fail fail_reason(unsigned long e)
{
	if (ERR_GET_LIB(e) != ERR_LIB_SSL)
		return TLS_FAIL_OTHER;
	switch (ERR_GET_REASON(e)) {
	case SSL_R_UNSUPPORTED_PROTOCOL:
	case SSL_R_VERSION_TOO_LOW:
	case SSL_R_WRONG_VERSION_NUMBER:
	case SSL_R_UNKNOWN_PROTOCOL:
		return TLS_FAIL_PROTOCOL;
	case SSL_R_NO_SHARED_CIPHER:
	case SSL_R_NO_SHARED_GROUPS:
	case SSL_R_NO_SUITABLE_SIGNATURE_ALGORITHM:
	case SSL_R_NO_SHARED_SIGNATURE_ALGORITHMS:
		return TLS_FAIL_CIPHER;
	case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
	case SSL_R_CERTIFICATE_VERIFY_FAILED:
		return TLS_FAIL_CLIENT_CERT;
	default:
		return TLS_FAIL_OTHER;
	}
}

/* An SSL_* call returned r <= 0: EAGAIN with c->want, EOF (0), or a fatal -1.
 *
 * SSL_get_error() reads the thread's error queue, which must hold nothing
 * from before the call.  Every failure here leaves it empty (the clears
 * below, in the close paths and where a connection is set up), and the
 * handshake starts from an empty queue, so SSL_read and SSL_write go
 * without a clear before them: ERR_clear_error() walks all 16 slots of
 * the queue, 3 calls per keep-alive request were ~5% of its instructions
 * (callgrind), and HAProxy clears only after an error too. */
static ssize_t map_error(struct tconn *c, struct tls_conn *t, int r)
{
	int e = SSL_get_error(t->ssl, r);
	int saved = errno;
	if (!t->done && SSL_is_init_finished(t->ssl))
		handshake_done(t);
	switch (e) {
	case SSL_ERROR_WANT_READ:
		c->want = TRANSPORT_WANT_READ;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_WANT_WRITE:
		c->want = TRANSPORT_WANT_WRITE;
		errno = EAGAIN;
		return -1;
	case SSL_ERROR_ZERO_RETURN:
		c->want = TRANSPORT_WANT_NONE;
		return 0;
	default:
		break;
	}
	c->want = TRANSPORT_WANT_NONE;
	unsigned long err = ERR_peek_error();
	if (!t->failed) {
		t->failed = 1;
		if (!t->done && t->cnt)
			model_cnt_add(&t->cnt->fail[e == SSL_ERROR_SYSCALL && !err ? TLS_FAIL_CLOSED : fail_reason(err)], 1);
	}
	ERR_clear_error();
	if (e == SSL_ERROR_SYSCALL && !err && (saved == 0 || saved == EAGAIN))
		return 0; /* the peer closed without close_notify */
	errno = e == SSL_ERROR_SYSCALL && saved ? saved : EPROTO;
	return -1;
}

static int tls_handshake(struct tconn *c)
{
	struct tls_conn *t = c->ctx;
	if (t->done)
		return 0;
	ERR_clear_error();
	int r = SSL_do_handshake(t->ssl);
	if (r == 1) {
		c->want = TRANSPORT_WANT_NONE;
		handshake_done(t);
		return 0;
	}
	if (map_error(c, t, r) == 0)
		errno = ECONNRESET;
	return -1;
}

static ssize_t tls_recv(struct tconn *c, void *buf, size_t len)
{
	struct tls_conn *t = c->ctx;
	int r = SSL_read(t->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
	if (r > 0) {
		c->want = TRANSPORT_WANT_NONE;
		if (!t->done)
			handshake_done(t);
		return r;
	}
	return map_error(c, t, r);
}

/* With SSL_MODE_ENABLE_PARTIAL_WRITE one SSL_write sends at most one record
 * (16 KiB of plaintext): the records are written here while the socket takes
 * them, so a buffer costs its caller one call, not one loop turn per record.
 * Bytes written before an EAGAIN or an error are reported; the EAGAIN or the
 * error shows on the next call, which passes the same bytes again (as
 * SSL_write requires; SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER lets them move). */
static ssize_t tls_send(struct tconn *c, const void *buf, size_t len)
{
	struct tls_conn *t = c->ctx;
	const char *p = buf;
	size_t done = 0;
	if (len == 0)
		return 0;
	while (done < len) {
		size_t n = len - done;
		int r = SSL_write(t->ssl, p + done, n > INT_MAX ? INT_MAX : (int)n);
		if (r <= 0) {
			if (done) {
				ERR_clear_error(); /* the next call meets the error again */
				break;
			}
			ssize_t m = map_error(c, t, r);
			if (m == 0) {
				errno = EPIPE; /* a write cannot end in EOF */
				m = -1;
			}
			return m;
		}
		if (!t->done)
			handshake_done(t);
		done += (size_t)r;
	}
	c->want = TRANSPORT_WANT_NONE;
	return (ssize_t)done;
}

/* Decrypted bytes, or (read ahead) received records not decrypted yet:
 * either way no readiness event would announce them. */
static size_t tls_pending(const struct tconn *c)
{
	const struct tls_conn *t = c->ctx;
	int n = SSL_pending(t->ssl);
	return n > 0 ? (size_t)n : (size_t)SSL_has_pending(t->ssl);
}

static void tls_shutdown_write(struct tconn *c)
{
	struct tls_conn *t = c->ctx;
	if (t->done && !t->failed) {
		ERR_clear_error();
		SSL_shutdown(t->ssl); /* close_notify; its answer is not awaited */
		ERR_clear_error();
	}
	shutdown(c->fd, SHUT_WR);
}

static void tls_close(struct tconn *c)
{
	struct tls_conn *t = c->ctx;
	if (t) {
		if (!t->done && !t->failed && t->cnt)
			model_cnt_add(&t->cnt->fail[TLS_FAIL_CLOSED], 1);
		/* close_notify first; towards a server it also keeps the session
		 * resumable (OpenSSL spoils the session of a connection freed
		 * without one, and that session is the one offered next). */
		if (t->done && !t->failed && !(SSL_get_shutdown(t->ssl) & SSL_SENT_SHUTDOWN)) {
			ERR_clear_error();
			SSL_shutdown(t->ssl);
			ERR_clear_error();
		}
		SSL_free(t->ssl);
		if (t->release)
			t->release(t->owner);
		free(t->subject);
		free(t);
		c->ctx = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

const struct transport_ops transport_tls = {
	.name = "tls",
	.handshake = tls_handshake,
	.recv = tls_recv,
	.send = tls_send,
	.pending = tls_pending,
	.shutdown_write = tls_shutdown_write,
	.close = tls_close,
	.can_splice = 0,
	.peer_subject = tls_conn_peer_subject,
};

/* A frontend's clients: tr_ctx is the frontend (its certificates, and its
 * counters, which outlive a reload). */
static int tls_open_accept(struct tconn *c, void *tr_ctx)
{
	struct frontend *fe = tr_ctx;
	if (tls_conn_accept(c, fe->tls, &fe->st->tls)) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

const struct transport_ops transport_tls_accept = {
	.name = "tls",
	.open = tls_open_accept, /* then transport_tls */
};

int tls_conn_wrap(struct tconn *c, void *ssl, struct tls_counters *cnt, void (*release)(void *), void *owner)
{
	struct tls_conn *t = calloc(1, sizeof(*t));
	if (!t)
		return -1;
	t->ssl = ssl;
	t->cnt = cnt;
	t->release = release;
	t->owner = owner;
	c->ctx = t;
	c->ops = &transport_tls;
	c->want = SSL_is_server(t->ssl) ? TRANSPORT_WANT_READ : TRANSPORT_WANT_WRITE;
	return 0;
}

int tls_conn_accept(struct tconn *c, struct tls_ctx *tc, struct tls_counters *cnt)
{
	SSL *ssl = SSL_new(tls_ctx_ssl_ctx(tc));
	if (!ssl || !SSL_set_fd(ssl, c->fd) || tls_conn_wrap(c, ssl, cnt, NULL, NULL)) {
		SSL_free(ssl);
		ERR_clear_error();
		return -1;
	}
	SSL_set_accept_state(ssl);
	return 0;
}

const char *tls_conn_peer_subject(const struct tconn *c)
{
	if (c->ops != &transport_tls)
		return NULL;
	struct tls_conn *t = c->ctx;
	if (!t->done)
		return NULL;
	if (t->subject_asked)
		return t->subject;
	t->subject_asked = 1;
	X509 *x = SSL_get0_peer_certificate(t->ssl);
	if (!x || SSL_get_verify_result(t->ssl) != X509_V_OK)
		return NULL;
	BIO *b = BIO_new(BIO_s_mem());
	if (!b) {
		ERR_clear_error();
		return NULL;
	}
	if (X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_RFC2253) >= 0) {
		char *data;
		long n = BIO_get_mem_data(b, &data);
		if (n > 0)
			t->subject = strndup(data, (size_t)n);
	}
	BIO_free(b);
	ERR_clear_error(); /* nothing left for the next SSL_get_error() (map_error) */
	return t->subject;
}
