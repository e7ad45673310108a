/* config_tls: the configuration keywords of TLS and access control (issue
 * 16; lbd.conf(5) TLS, ACCESS CONTROL): a frontend's tls-*, allow, deny,
 * auth-* and redirect-https lines, the tls options of a server line and
 * the stats line's tls-cert.  config.c puts CONFIG_TLS_FRONTEND_KEYWORDS in
 * its frontend table; every file named is read and checked when the
 * configuration is built (tls_ctx.h, tls_client.h, access.h). */
#ifndef LBD_CONFIG_TLS_H
#define LBD_CONFIG_TLS_H

#include <stddef.h>

#include "conf.h"
#include "tls_client.h"
#include "tls_ctx.h"

struct access;
struct frontend;
struct stats_conf;

/* The frontend being read.  The keyword handlers below take a context whose
 * first member is this struct (config.c's parse_ctx). */
struct config_tls_state {
	struct frontend *fe;
	struct tls_conf *tls;     /* its tls-* lines, built at its end */
	struct access *acl;       /* its allow/deny/auth-* lines */
};

int config_tls_kw_tls_cert(void *ctx, const struct conf_node *n, char *err, size_t errlen);
int config_tls_kw_tls_list(void *ctx, const struct conf_node *n, char *err, size_t errlen);
int config_tls_kw_tls_min(void *ctx, const struct conf_node *n, char *err, size_t errlen);
int config_tls_kw_tls_file(void *ctx, const struct conf_node *n, char *err, size_t errlen);
int config_tls_kw_tls_verify(void *ctx, const struct conf_node *n, char *err, size_t errlen);
int config_tls_kw_allow_deny(void *ctx, const struct conf_node *n, char *err, size_t errlen);
int config_tls_kw_auth_realm(void *ctx, const struct conf_node *n, char *err, size_t errlen);
int config_tls_kw_auth_user(void *ctx, const struct conf_node *n, char *err, size_t errlen);
int config_tls_kw_auth_file(void *ctx, const struct conf_node *n, char *err, size_t errlen);
int config_tls_kw_redirect_https(void *ctx, const struct conf_node *n, char *err, size_t errlen);

#define CONFIG_TLS_FRONTEND_KEYWORDS \
	{ "tls-cert", "tls-cert FILE [key FILE] [ocsp FILE]", 1, 5, CONF_NO_BLOCK, CONF_MULTI, config_tls_kw_tls_cert }, \
	{ "tls-ciphers", "tls-ciphers LIST", 1, 1, CONF_NO_BLOCK, 0, config_tls_kw_tls_list }, \
	{ "tls-ciphersuites", "tls-ciphersuites LIST", 1, 1, CONF_NO_BLOCK, 0, config_tls_kw_tls_list }, \
	{ "tls-groups", "tls-groups LIST", 1, 1, CONF_NO_BLOCK, 0, config_tls_kw_tls_list }, \
	{ "tls-min-version", "tls-min-version 1.2|1.3", 1, 1, CONF_NO_BLOCK, 0, config_tls_kw_tls_min }, \
	{ "tls-client-ca", "tls-client-ca FILE", 1, 1, CONF_NO_BLOCK, 0, config_tls_kw_tls_file }, \
	{ "tls-crl", "tls-crl FILE", 1, 1, CONF_NO_BLOCK, 0, config_tls_kw_tls_file }, \
	{ "tls-verify-client", "tls-verify-client none|optional|required", 1, 1, CONF_NO_BLOCK, 0, config_tls_kw_tls_verify }, \
	{ "allow", "allow PREFIX|all|subject PATTERN", 1, 2, CONF_NO_BLOCK, CONF_MULTI, config_tls_kw_allow_deny }, \
	{ "deny", "deny PREFIX|all|subject PATTERN", 1, 2, CONF_NO_BLOCK, CONF_MULTI, config_tls_kw_allow_deny }, \
	{ "auth-realm", "auth-realm TEXT", 1, 1, CONF_NO_BLOCK, 0, config_tls_kw_auth_realm }, \
	{ "auth-user", "auth-user NAME HASH", 2, 2, CONF_NO_BLOCK, CONF_MULTI, config_tls_kw_auth_user }, \
	{ "auth-file", "auth-file FILE", 1, 1, CONF_NO_BLOCK, CONF_MULTI, config_tls_kw_auth_file }, \
	{ "redirect-https", "redirect-https on|off", 1, 1, CONF_NO_BLOCK, 0, config_tls_kw_redirect_https }

/* At the end of a frontend block: its TLS context and access rules into
 * st->fe (0 or -EINVAL with file:line:col); after an error in the block,
 * _abort frees what its lines built. */
int config_tls_frontend_end(struct config_tls_state *st, const struct conf_node *n, char *err, size_t errlen);
void config_tls_frontend_abort(struct config_tls_state *st);

/* A server line's tls, ca, sni, cert or verify word at n->args[*i] (and its
 * value, *i moves past it); then, at the line's end, its TLS context into
 * *out (left NULL without tls options). */
int config_tls_server_option(const struct conf_node *n, int *i, struct tls_client_conf *tc, char *err, size_t errlen);
int config_tls_server_build(const struct conf_node *n, const char *name, struct tls_client_conf *tc,
			    struct tls_client **out, char *err, size_t errlen);
/* A server with tls talks through transport_tls_connect (srv->tr, tr_ctx). */
struct server;
void config_tls_server_transport(struct server *s);
/* A frontend with TLS takes clients through transport_tls_accept (fe->tr,
 * tr_ctx = fe): once the frontends array is final (it moves while parsed). */
struct frontend;
void config_tls_frontend_transport(struct frontend *fe);
/* `stats ... auth USER:PASSWORD` whose PASSWORD looks like a crypt(3) hash
 * ("$id$..."): one lbd verifies (access_hash_supported), or file:line:col why. */
struct stats_conf;
int config_tls_stats_auth(const struct stats_conf *s, const struct conf_node *n, int i, char *err, size_t errlen);

/* The stats line's `tls-cert FILE` (n->args[i]). */
int config_tls_stats(struct stats_conf *s, const struct conf_node *n, int i, char *err, size_t errlen);

#endif
