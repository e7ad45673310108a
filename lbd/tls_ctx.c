/* tls_ctx: a frontend's TLS server context (see tls_ctx.h). */
#include "tls_ctx.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls_keys.h"

#define DEFAULT_CIPHERS "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
#define DEFAULT_GROUPS "X25519:P-256:P-384"
#define MAX_NAMES 256

struct sni_name {
	char *name;          /* lower case; "*.example.org" for a wildcard */
	SSL_CTX *ctx;
};

struct ocsp_blob {
	X509 *cert;          /* a reference */
	unsigned char *der;
	int len;
};

struct tls_ctx {
	_Atomic int refs;
	SSL_CTX *ctxs[TLS_MAX_CERTS]; /* [0] is the default */
	char *first_name[TLS_MAX_CERTS];
	int nctx;
	struct sni_name names[MAX_NAMES];
	int nnames;
	struct ocsp_blob ocsp[TLS_MAX_CERTS];
	int nocsp;
};

static int fail(char *err, size_t errlen, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, const char *where, const char *fmt, ...)
{
	char msg[384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	unsigned long e = ERR_peek_last_error();
	char ssl[160] = "";
	if (e)
		ERR_error_string_n(e, ssl, sizeof(ssl));
	snprintf(err, errlen, "%s: %s%s%s", where, msg, e ? " (" : "", e ? ssl : "");
	if (e)
		snprintf(err + strlen(err), errlen - strlen(err), ")");
	ERR_clear_error();
	return -EINVAL;
}

/* ---- connection-time callbacks ------------------------------------------------------ */

static int name_matches(const char *pattern, const char *name)
{
	if (pattern[0] == '*' && pattern[1] == '.') {
		const char *dot = strchr(name, '.');
		return dot && dot != name && strcasecmp(pattern + 1, dot) == 0;
	}
	return strcasecmp(pattern, name) == 0;
}

static int sni_cb(SSL *ssl, int *alert, void *arg)
{
	const struct tls_ctx *t = arg;
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	(void)alert;
	if (!name)
		return SSL_TLSEXT_ERR_OK;
	/* Exact names first, then wildcards. */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < t->nnames; i++) {
			if ((t->names[i].name[0] == '*') != pass || !name_matches(t->names[i].name, name))
				continue;
			if (t->names[i].ctx != SSL_get_SSL_CTX(ssl))
				SSL_set_SSL_CTX(ssl, t->names[i].ctx);
			return SSL_TLSEXT_ERR_OK;
		}
	return SSL_TLSEXT_ERR_OK; /* unknown name: the default certificate */
}

static int alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
		   unsigned int inlen, void *arg)
{
	static const unsigned char ours[] = "\x08http/1.1";
	unsigned char *sel;
	(void)ssl;
	(void)arg;
	/* Room for "h2" later: it goes before http/1.1 in `ours`. */
	if (SSL_select_next_proto(&sel, outlen, ours, sizeof(ours) - 1, in, inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK; /* no common protocol: carry on without ALPN */
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

static int ocsp_cb(SSL *ssl, void *arg)
{
	const struct tls_ctx *t = arg;
	X509 *x = SSL_get_certificate(ssl);
	for (int i = 0; x && i < t->nocsp; i++) {
		if (t->ocsp[i].cert != x)
			continue;
		unsigned char *copy = OPENSSL_memdup(t->ocsp[i].der, (size_t)t->ocsp[i].len);
		if (!copy || !SSL_set_tlsext_status_ocsp_resp(ssl, copy, t->ocsp[i].len)) {
			OPENSSL_free(copy);
			return SSL_TLSEXT_ERR_NOACK;
		}
		return SSL_TLSEXT_ERR_OK;
	}
	return SSL_TLSEXT_ERR_NOACK;
}

/* ---- building --------------------------------------------------------------------- */

static int setup_ctx(struct tls_ctx *t, SSL_CTX *ctx, const struct tls_conf *c, char *err, size_t errlen)
{
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
				 SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_SINGLE_ECDH_USE);
	/* NO_AUTO_CHAIN: the chain is the one in the certificate's file, not
	 * looked up in the CA store on every handshake. */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
			      SSL_MODE_RELEASE_BUFFERS | SSL_MODE_NO_AUTO_CHAIN);
	/* Read ahead: one read() takes what the socket has (a whole record, or
	 * several), where OpenSSL otherwise reads each record's 5-byte header
	 * and then its body: a keep-alive request costs one syscall less.  The
	 * bytes it holds show in SSL_has_pending(), which tls_pending() asks. */
	SSL_CTX_set_read_ahead(ctx, 1);
	if (!SSL_CTX_set_min_proto_version(ctx, c->min_tls13 ? TLS1_3_VERSION : TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION))
		return fail(err, errlen, c->where_opts, "cannot set the TLS versions");
	SSL_CTX_set_max_early_data(ctx, 0); /* no 0-RTT: its requests could be replayed */
	if (!SSL_CTX_set_cipher_list(ctx, c->ciphers[0] ? c->ciphers : DEFAULT_CIPHERS))
		return fail(err, errlen, c->where_opts, "expected an OpenSSL cipher list, no cipher in '%s'", c->ciphers);
	if (c->ciphersuites[0] && !SSL_CTX_set_ciphersuites(ctx, c->ciphersuites))
		return fail(err, errlen, c->where_opts, "expected TLS 1.3 cipher suites, got '%s'", c->ciphersuites);
	if (!SSL_CTX_set1_groups_list(ctx, c->groups[0] ? c->groups : DEFAULT_GROUPS))
		return fail(err, errlen, c->where_opts, "expected groups like X25519:P-256, got '%s'", c->groups);
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)c->sid_ctx, (unsigned)strlen(c->sid_ctx));
	/* Tickets only, under the process-wide keys: no per-process session cache
	 * that one worker or one configuration would have and another not. */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 1);
	SSL_CTX_set_timeout(ctx, 2 * TLS_KEYS_ROTATE_S);
	SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, tls_keys_ticket_cb);
	SSL_CTX_set_tlsext_servername_callback(ctx, sni_cb);
	SSL_CTX_set_tlsext_servername_arg(ctx, t);
	SSL_CTX_set_alpn_select_cb(ctx, alpn_cb, NULL);
	SSL_CTX_set_tlsext_status_cb(ctx, ocsp_cb);
	SSL_CTX_set_tlsext_status_arg(ctx, t);
	if (c->verify == TLS_VERIFY_NONE)
		return 0;
	if (tls_file_check(&c->client_ca, "CA certificates", err, errlen) ||
	    (c->crl.path[0] && tls_file_check(&c->crl, "CRL", err, errlen)))
		return -EINVAL;
	if (!SSL_CTX_load_verify_locations(ctx, c->client_ca.path, NULL))
		return fail(err, errlen, c->client_ca.where, "cannot read CA certificates from '%s'", c->client_ca.path);
	STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(c->client_ca.path);
	if (!names)
		return fail(err, errlen, c->client_ca.where, "no CA certificate in '%s'", c->client_ca.path);
	SSL_CTX_set_client_CA_list(ctx, names);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | (c->verify == TLS_VERIFY_REQUIRED ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
			   NULL);
	SSL_CTX_set_verify_depth(ctx, 8);
	if (c->crl.path[0]) {
		X509_STORE *st = SSL_CTX_get_cert_store(ctx);
		X509_LOOKUP *lu = X509_STORE_add_lookup(st, X509_LOOKUP_file());
		if (!lu || X509_load_crl_file(lu, c->crl.path, X509_FILETYPE_PEM) <= 0)
			return fail(err, errlen, c->crl.where, "cannot read a PEM CRL from '%s'", c->crl.path);
		X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK);
	}
	return 0;
}

static int time_text(const ASN1_TIME *tm, char *out, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n = 0;
	if (b && ASN1_TIME_print(b, tm) > 0)
		n = BIO_read(b, out, (int)len - 1);
	out[n > 0 ? n : 0] = '\0';
	BIO_free(b);
	return 0;
}

/* The names a certificate answers for, lower case, into t->names (ctx filled later). */
static int cert_names(X509 *x, char **names, int max)
{
	int n = 0;
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens) && n < max; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		if (g->type != GEN_DNS)
			continue;
		const unsigned char *d = ASN1_STRING_get0_data(g->d.dNSName);
		int l = ASN1_STRING_length(g->d.dNSName);
		if (l > 0 && l < 256 && !memchr(d, '\0', (size_t)l))
			names[n++] = strndup((const char *)d, (size_t)l);
	}
	GENERAL_NAMES_free(gens);
	if (n == 0) {
		char cn[256];
		if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn)) > 0)
			names[n++] = strdup(cn);
	}
	for (int i = 0; i < n; i++) {
		if (!names[i])
			continue;
		for (char *p = names[i]; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	}
	return n;
}

static int check_validity(X509 *x, const struct tls_file *f, char *err, size_t errlen)
{
	char when[64];
	if (X509_cmp_current_time(X509_get0_notAfter(x)) <= 0) {
		time_text(X509_get0_notAfter(x), when, sizeof(when));
		return fail(err, errlen, f->where, "certificate '%s' expired on %s", f->path, when);
	}
	if (X509_cmp_current_time(X509_get0_notBefore(x)) > 0) {
		time_text(X509_get0_notBefore(x), when, sizeof(when));
		return fail(err, errlen, f->where, "certificate '%s' is not valid before %s", f->path, when);
	}
	return 0;
}

int tls_file_check(const struct tls_file *f, const char *what, char *err, size_t errlen)
{
	struct stat st;
	if (stat(f->path, &st))
		return fail(err, errlen, f->where, "cannot read %s '%s': %s", what, f->path, strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_size > (off_t)TLS_FILE_MAX)
		return fail(err, errlen, f->where, "cannot read %s '%s': expected a regular file of at most %u bytes",
			    what, f->path, TLS_FILE_MAX);
	if (access(f->path, R_OK))
		return fail(err, errlen, f->where, "cannot read %s '%s': %s", what, f->path, strerror(errno));
	return 0;
}

static BIO *open_file(const struct tls_file *f, const char *what, char *err, size_t errlen)
{
	if (tls_file_check(f, what, err, errlen))
		return NULL;
	FILE *fp = fopen(f->path, "r");
	if (!fp) {
		fail(err, errlen, f->where, "cannot read %s '%s': %s", what, f->path, strerror(errno));
		return NULL;
	}
	BIO *b = BIO_new_fp(fp, BIO_CLOSE);
	if (!b) {
		fclose(fp);
		fail(err, errlen, f->where, "out of memory");
	}
	return b;
}

static int load_ocsp(struct tls_ctx *t, X509 *x, const struct tls_file *f, char *err, size_t errlen)
{
	BIO *b = open_file(f, "OCSP response", err, errlen);
	if (!b)
		return -EINVAL;
	OCSP_RESPONSE *r = d2i_OCSP_RESPONSE_bio(b, NULL);
	BIO_free(b);
	if (!r)
		return fail(err, errlen, f->where, "expected a DER OCSP response in '%s'", f->path);
	unsigned char *der = NULL;
	int len = i2d_OCSP_RESPONSE(r, &der);
	OCSP_RESPONSE_free(r);
	if (len <= 0)
		return fail(err, errlen, f->where, "cannot encode the OCSP response of '%s'", f->path);
	X509_up_ref(x);
	t->ocsp[t->nocsp].cert = x;
	t->ocsp[t->nocsp].der = der;
	t->ocsp[t->nocsp].len = len;
	t->nocsp++;
	return 0;
}

/* Into an SSL_CTX that has no certificate of this key type for the same first name, else a new one. */
static int add_cert(struct tls_ctx *t, const struct tls_conf *c, const struct tls_cert_conf *cc, char *err,
		    size_t errlen)
{
	X509 *x = NULL;
	EVP_PKEY *key = NULL;
	char *names[64] = { 0 };
	int nn = 0, rc = -EINVAL;
	BIO *b = open_file(&cc->cert, "certificate", err, errlen);
	if (!b)
		return -EINVAL;
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (!x) {
		fail(err, errlen, cc->cert.where, "expected a PEM certificate in '%s'", cc->cert.path);
		goto out;
	}
	if (check_validity(x, &cc->cert, err, errlen))
		goto out;
	const struct tls_file *kf = cc->key.path[0] ? &cc->key : &cc->cert;
	BIO *kb = open_file(kf, "key", err, errlen);
	if (!kb)
		goto out;
	key = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL);
	BIO_free(kb);
	if (!key) {
		fail(err, errlen, kf->where, "expected a PEM private key (unencrypted) in '%s'", kf->path);
		goto out;
	}
	if (!X509_check_private_key(x, key)) {
		fail(err, errlen, kf->where, "the key in '%s' does not match the certificate in '%s'", kf->path,
		     cc->cert.path);
		goto out;
	}
	nn = cert_names(x, names, 64);
	if (nn == 0 || !names[0]) {
		fail(err, errlen, cc->cert.where, "certificate '%s' names no host (no DNS subjectAltName, no CN)",
		     cc->cert.path);
		goto out;
	}
	SSL_CTX *ctx = NULL;
	for (int i = 0; i < t->nctx; i++) {
		if (strcmp(t->first_name[i], names[0]))
			continue;
		/* Same name: side by side if the key type differs (RSA + ECDSA). */
		SSL_CTX_set_current_cert(t->ctxs[i], SSL_CERT_SET_FIRST);
		int clash = 0;
		do {
			X509 *have = SSL_CTX_get0_certificate(t->ctxs[i]);
			if (have && EVP_PKEY_get_base_id(X509_get0_pubkey(have)) == EVP_PKEY_get_base_id(key))
				clash = 1;
		} while (SSL_CTX_set_current_cert(t->ctxs[i], SSL_CERT_SET_NEXT));
		if (!clash)
			ctx = t->ctxs[i];
	}
	if (!ctx) {
		if (t->nctx == TLS_MAX_CERTS) {
			fail(err, errlen, cc->cert.where, "expected at most %d certificates", TLS_MAX_CERTS);
			goto out;
		}
		ctx = SSL_CTX_new(TLS_server_method());
		if (!ctx) {
			fail(err, errlen, cc->cert.where, "cannot create a TLS context");
			goto out;
		}
		t->ctxs[t->nctx] = ctx;
		t->first_name[t->nctx] = strdup(names[0]);
		t->nctx++;
		if ((rc = setup_ctx(t, ctx, c, err, errlen)))
			goto out;
		rc = -EINVAL;
		for (int i = 0; i < nn && t->nnames < MAX_NAMES; i++) {
			if (!names[i])
				continue;
			t->names[t->nnames].name = names[i];
			t->names[t->nnames].ctx = ctx;
			t->nnames++;
			names[i] = NULL;
		}
	}
	if (!SSL_CTX_use_certificate(ctx, x) || !SSL_CTX_use_PrivateKey(ctx, key)) {
		fail(err, errlen, cc->cert.where, "cannot use the certificate '%s'", cc->cert.path);
		goto out;
	}
	/* The rest of the file: the chain. */
	X509 *ca;
	while ((ca = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
		if (!SSL_CTX_add0_chain_cert(ctx, ca)) {
			X509_free(ca);
			fail(err, errlen, cc->cert.where, "cannot add a chain certificate from '%s'", cc->cert.path);
			goto out;
		}
	}
	ERR_clear_error(); /* the end of the file */
	if (cc->ocsp.path[0] && load_ocsp(t, SSL_CTX_get0_certificate(ctx), &cc->ocsp, err, errlen))
		goto out;
	rc = 0;
out:
	for (int i = 0; i < nn; i++)
		free(names[i]);
	EVP_PKEY_free(key);
	X509_free(x);
	BIO_free(b);
	return rc;
}

int tls_ctx_new(const struct tls_conf *c, struct tls_ctx **out, char *err, size_t errlen)
{
	struct tls_ctx *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	atomic_init(&t->refs, 1);
	ERR_clear_error();
	for (int i = 0; i < c->ncerts; i++) {
		int rc = add_cert(t, c, &c->certs[i], err, errlen);
		if (rc) {
			tls_ctx_free(t);
			return rc;
		}
	}
	*out = t;
	return 0;
}

void tls_ctx_ref(struct tls_ctx *t)
{
	atomic_fetch_add(&t->refs, 1);
}

void tls_ctx_free(struct tls_ctx *t)
{
	if (!t || atomic_fetch_sub(&t->refs, 1) != 1)
		return;
	for (int i = 0; i < t->nctx; i++) {
		SSL_CTX_free(t->ctxs[i]);
		free(t->first_name[i]);
	}
	for (int i = 0; i < t->nnames; i++)
		free(t->names[i].name);
	for (int i = 0; i < t->nocsp; i++) {
		X509_free(t->ocsp[i].cert);
		OPENSSL_free(t->ocsp[i].der);
	}
	free(t);
}

void *tls_ctx_ssl_ctx(const struct tls_ctx *t)
{
	return t->ctxs[0];
}
