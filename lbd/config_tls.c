/* config_tls: TLS and access-control keywords (see config_tls.h). */
#include "config_tls.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "tls_client.h"
#include "tls_transport.h"
#include "model.h"

static void where(const struct conf_node *n, int i, char *out, size_t len)
{
	snprintf(out, len, "%s:%d:%d", n->file ? n->file : "?", n->pos[i].line, n->pos[i].col);
}

/* An error about a line seen earlier: where = "file:line:col". */
static int where_error(char *err, size_t errlen, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int where_error(char *err, size_t errlen, const char *at, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "%s: ", at);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static struct tls_conf *ctx_tls(struct config_tls_state *c)
{
	if (!c->tls)
		c->tls = calloc(1, sizeof(*c->tls));
	return c->tls;
}

static int get_file(const struct conf_node *n, int i, struct tls_file *f, char *err, size_t errlen)
{
	if (strlen(n->args[i]) >= sizeof(f->path) || !n->args[i][0])
		return conf_error(err, errlen, n, i, "expected a file path shorter than %zu bytes", sizeof(f->path));
	strcpy(f->path, n->args[i]);
	where(n, i, f->where, sizeof(f->where));
	return 0;
}

int config_tls_kw_tls_cert(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct tls_conf *t = ctx_tls(ctx);
	if (!t)
		return conf_error(err, errlen, n, 0, "out of memory");
	if (t->ncerts == TLS_MAX_CERTS)
		return conf_error(err, errlen, n, 0, "expected at most %d 'tls-cert' lines", TLS_MAX_CERTS);
	struct tls_cert_conf *cc = &t->certs[t->ncerts];
	memset(cc, 0, sizeof(*cc));
	int rc = get_file(n, 1, &cc->cert, err, errlen);
	for (int i = 2; !rc && i < n->nargs; i += 2) {
		static const char *const opts[] = { "key", "ocsp", NULL };
		int k = conf_get_enum(n, i, opts, err, errlen);
		if (k < 0)
			return k;
		if (i + 1 >= n->nargs)
			return conf_error(err, errlen, n, i, "expected a file after '%s'", n->args[i]);
		rc = get_file(n, i + 1, k == 0 ? &cc->key : &cc->ocsp, err, errlen);
	}
	if (!rc)
		t->ncerts++;
	return rc;
}

int config_tls_kw_tls_list(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct tls_conf *t = ctx_tls(ctx);
	if (!t)
		return conf_error(err, errlen, n, 0, "out of memory");
	const char *kw = n->args[0];
	char *slot = strcmp(kw, "tls-ciphers") == 0 ? t->ciphers
		     : strcmp(kw, "tls-ciphersuites") == 0 ? t->ciphersuites : t->groups;
	size_t cap = slot == t->ciphers ? sizeof(t->ciphers) : slot == t->groups ? sizeof(t->groups)
										: sizeof(t->ciphersuites);
	if (strlen(n->args[1]) >= cap || !n->args[1][0])
		return conf_error(err, errlen, n, 1, "expected a ':'-separated list shorter than %zu bytes", cap);
	strcpy(slot, n->args[1]);
	where(n, 1, t->where_opts, sizeof(t->where_opts));
	return 0;
}

int config_tls_kw_tls_min(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	static const char *const v[] = { "1.2", "1.3", NULL };
	struct tls_conf *t = ctx_tls(ctx);
	if (!t)
		return conf_error(err, errlen, n, 0, "out of memory");
	int k = conf_get_enum(n, 1, v, err, errlen);
	if (k < 0)
		return k;
	t->min_tls13 = k;
	return 0;
}

int config_tls_kw_tls_file(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct tls_conf *t = ctx_tls(ctx);
	if (!t)
		return conf_error(err, errlen, n, 0, "out of memory");
	return get_file(n, 1, strcmp(n->args[0], "tls-crl") == 0 ? &t->crl : &t->client_ca, err, errlen);
}

int config_tls_kw_tls_verify(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	static const char *const v[] = { "none", "optional", "required", NULL };
	struct tls_conf *t = ctx_tls(ctx);
	if (!t)
		return conf_error(err, errlen, n, 0, "out of memory");
	int k = conf_get_enum(n, 1, v, err, errlen);
	if (k < 0)
		return k;
	t->verify = (enum tls_verify)k;
	where(n, 1, t->where_verify, sizeof(t->where_verify));
	return 0;
}

static struct access *ctx_acl(struct config_tls_state *c)
{
	if (!c->acl)
		c->acl = access_new();
	return c->acl;
}

int config_tls_kw_allow_deny(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct access *a = ctx_acl(ctx);
	int allow = strcmp(n->args[0], "allow") == 0, rc;
	if (!a)
		return conf_error(err, errlen, n, 0, "out of memory");
	if (strcmp(n->args[1], "subject") == 0) {
		if (n->nargs != 3)
			return conf_error(err, errlen, n, 1, "expected '%s subject PATTERN'", n->args[0]);
		rc = access_add_subject(a, allow, n->args[2]);
	} else if (n->nargs != 2) {
		return conf_error(err, errlen, n, 2, "expected '%s PREFIX', '%s all' or '%s subject PATTERN'",
				  n->args[0], n->args[0], n->args[0]);
	} else if (strcmp(n->args[1], "all") == 0) {
		struct addr any4, any6;
		int pl;
		char why[128];
		rc = addr_parse_prefix("0.0.0.0/0", &any4, &pl, why, sizeof(why)) ||
		     addr_parse_prefix("::/0", &any6, &pl, why, sizeof(why)) ? -EINVAL : 0;
		rc = rc ? rc : access_add_prefix(a, allow, &any4, 0);
		rc = rc ? rc : access_add_prefix(a, allow, &any6, 0);
	} else {
		struct addr net;
		int plen;
		rc = conf_get_prefix(n, 1, &net, &plen, err, errlen);
		if (rc)
			return rc;
		rc = access_add_prefix(a, allow, &net, plen);
	}
	return rc ? conf_error(err, errlen, n, 0, "out of memory") : 0;
}

int config_tls_kw_auth_realm(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct access *a = ctx_acl(ctx);
	if (!a)
		return conf_error(err, errlen, n, 0, "out of memory");
	if (strpbrk(n->args[1], "\"\\\r\n") || access_set_realm(a, n->args[1]))
		return conf_error(err, errlen, n, 1, "expected a realm under 100 bytes without quotes or backslashes");
	return 0;
}

int config_tls_kw_auth_user(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct access *a = ctx_acl(ctx);
	char why[256];
	if (!a)
		return conf_error(err, errlen, n, 0, "out of memory");
	int rc = access_add_user(a, n->args[1], n->args[2], why, sizeof(why));
	if (rc == -ENOMEM)
		return conf_error(err, errlen, n, 0, "out of memory");
	return rc ? conf_error(err, errlen, n, strstr(why, "hash") ? 2 : 1, "%s", why) : 0;
}

int config_tls_kw_auth_file(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct access *a = ctx_acl(ctx);
	char why[512];
	if (!a)
		return conf_error(err, errlen, n, 0, "out of memory");
	if (access_load_htpasswd(a, n->args[1], why, sizeof(why)))
		return conf_error(err, errlen, n, 1, "%s", why);
	return 0;
}

int config_tls_kw_redirect_https(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	return conf_get_bool(n, 1, &((struct config_tls_state *)ctx)->fe->conf.redirect_https, err, errlen);
}

void config_tls_frontend_abort(struct config_tls_state *c)
{
	access_free(c->acl);
	c->acl = NULL;
	free(c->tls);
	c->tls = NULL;
}

/* At the end of a frontend block: its TLS context (which reads and checks
 * every certificate now, so that a bad one fails -t and the reload) and its
 * access rules. */
int config_tls_frontend_end(struct config_tls_state *c, const struct conf_node *n, char *err, size_t errlen)
{
	struct frontend *fe = c->fe;
	struct tls_conf *t = c->tls;
	int rc = 0;
	fe->acl = c->acl;
	c->acl = NULL;
	if (!t)
		return 0;
	if (t->ncerts == 0)
		rc = conf_error(err, errlen, n, 1, "expected a 'tls-cert FILE' line in frontend '%s' (its tls-* lines "
				"need one)", fe->conf.name);
	else if (t->verify != TLS_VERIFY_NONE && !t->client_ca.path[0])
		rc = where_error(err, errlen, t->where_verify, "expected a 'tls-client-ca FILE' line in frontend '%s' to "
				 "verify client certificates", fe->conf.name);
	else if ((t->crl.path[0] || t->client_ca.path[0]) && t->verify == TLS_VERIFY_NONE)
		rc = where_error(err, errlen, t->crl.path[0] ? t->crl.where : t->client_ca.where,
				 "expected 'tls-verify-client optional|required' in frontend '%s' for its client CA and "
				 "CRL", fe->conf.name);
	if (!rc) {
		if (!t->where_opts[0])
			where(n, 1, t->where_opts, sizeof(t->where_opts));
		snprintf(t->sid_ctx, sizeof(t->sid_ctx), "%.31s", fe->conf.name);
		rc = tls_ctx_new(t, &fe->tls, err, errlen);
	}
	free(t);
	c->tls = NULL;
	return rc;
}

/* The stats page over HTTPS: one certificate, the defaults of tls_ctx.h. */
int config_tls_stats(struct stats_conf *s, const struct conf_node *n, int i, char *err, size_t errlen)
{
	struct tls_conf *t = calloc(1, sizeof(*t));
	if (!t)
		return conf_error(err, errlen, n, 0, "out of memory");
	int rc = get_file(n, i, &t->certs[0].cert, err, errlen);
	if (!rc) {
		t->ncerts = 1;
		snprintf(t->where_opts, sizeof(t->where_opts), "%s", t->certs[0].cert.where);
		snprintf(t->sid_ctx, sizeof(t->sid_ctx), "stats");
		snprintf(s->tls_cert, sizeof(s->tls_cert), "%s", n->args[i]);
		tls_ctx_free(s->tls);
		s->tls = NULL;
		rc = tls_ctx_new(t, &s->tls, err, errlen);
	}
	free(t);
	return rc;
}

/* tls, ca FILE, sni NAME, cert FILE, verify none|required on a server line. */
int config_tls_server_option(const struct conf_node *n, int *i, struct tls_client_conf *tc, char *err, size_t errlen)
{
	static const char *const words[] = { "tls", "ca", "sni", "cert", "verify", NULL };
	int k = conf_get_enum(n, *i, words, err, errlen) + 4;
	if (k < 4)
		return k - 4;
	if (k == 4) {
		tc->enabled = 1;
		return 0;
	}
	if (++*i >= n->nargs)
		return conf_error(err, errlen, n, *i - 1, "expected a value after '%s'", n->args[*i - 1]);
	switch (k) {
	case 5: return get_file(n, *i, &tc->ca, err, errlen);
	case 7: return get_file(n, *i, &tc->cert, err, errlen);
	case 6:
		if (strlen(n->args[*i]) >= sizeof(tc->sni) || strpbrk(n->args[*i], " \t/"))
			return conf_error(err, errlen, n, *i, "expected a host name");
		strcpy(tc->sni, n->args[*i]);
		return 0;
	default: {
		static const char *const v[] = { "none", "required", NULL };
		int x = conf_get_enum(n, *i, v, err, errlen);
		if (x < 0)
			return x;
		tc->verify = x == 0 ? -1 : 0; /* -1: off on purpose; required needs ca */
		return 0;
	}
	}
}

/* At the end of a server line: its TLS context, if it has tls options. */
int config_tls_server_build(const struct conf_node *n, const char *name, struct tls_client_conf *tc,
			    struct tls_client **out, char *err, size_t errlen)
{
	if (!tc->enabled && !tc->ca.path[0] && !tc->cert.path[0] && !tc->sni[0])
		return 0;
	if (!tc->enabled)
		return conf_error(err, errlen, n, 0, "expected 'tls' on a server line with ca, sni or cert");
	if (tc->verify < 0)
		tc->verify = 0;
	else if (!tc->ca.path[0])
		return conf_error(err, errlen, n, 0, "expected 'ca FILE' (or 'verify none') after 'tls' for "
				  "server '%s'", name);
	else
		tc->verify = 1;
	where(n, 0, tc->where, sizeof(tc->where));
	return tls_client_new(tc, out, err, errlen);
}

void config_tls_frontend_transport(struct frontend *fe)
{
	if (fe->tls) {
		fe->tr = &transport_tls_accept; /* its clients' connections (h1conn.c) */
		fe->tr_ctx = fe;
	}
}

void config_tls_server_transport(struct server *s)
{
	if (s->tls) {
		s->tr = &transport_tls_connect;
		s->tr_ctx = s->tls;
	}
}

int config_tls_stats_auth(const struct stats_conf *s, const struct conf_node *n, int i, char *err, size_t errlen)
{
	/* "$id$...": a hash (one lbd cannot verify, e.g. MD5 "$1$", is refused
	 * rather than taken for a password in clear) */
	if (!access_hash_supported(s->pass) && !(s->pass[0] == '$' && strchr(s->pass + 1, '$')))
		return 0; /* a password in clear */
	char why[160];
	struct access *a = access_new();
	if (!a)
		return conf_error(err, errlen, n, i, "out of memory");
	int rc = access_add_user(a, s->user, s->pass, why, sizeof(why));
	access_free(a);
	return rc ? conf_error(err, errlen, n, i, "%s", why) : 0;
}
