/* access: who may use a frontend (issue 16).
 *
 *   rules    allow/deny by source prefix or by client-certificate subject
 *            (an fnmatch(3) pattern over the RFC 2253 subject), in order:
 *            the first rule that matches decides; when none does, a
 *            frontend with an `allow` rule denies and one without allows.
 *            A denied request is answered 403.
 *   users    HTTP basic auth: crypt(3) hashes (yescrypt, bcrypt, sha512crypt,
 *            sha256crypt) from the configuration or an htpasswd-style file.
 *            A request without valid credentials is answered 401 with
 *            WWW-Authenticate.  Hashes are compared in constant time, and an
 *            unknown user costs the same hashing as a known one.
 *
 * Built by config.c, then read-only and shared by every worker; only the
 * small cache of recently verified credentials changes (under a lock), so
 * that a slow hash is not paid on every keep-alive request. */
#ifndef LBD_ACCESS_H
#define LBD_ACCESS_H

#include <stddef.h>
#include <sys/socket.h>

struct access;
struct addr;

enum access_verdict { ACCESS_OK = 0, ACCESS_AUTH = 401, ACCESS_DENY = 403 };

struct access *access_new(void);
void access_free(struct access *a);

/* 0 or -ENOMEM. */
int access_add_prefix(struct access *a, int allow, const struct addr *net, int prefixlen);
int access_add_subject(struct access *a, int allow, const char *pattern);
int access_set_realm(struct access *a, const char *realm);
/* 0, or -EINVAL with why ("expected a crypt(3) hash ...") / -ENOMEM. */
int access_add_user(struct access *a, const char *user, const char *hash, char *why, size_t whylen);
/* Every line of an htpasswd-style file; 0 or -EINVAL with "path:line: reason" in err. */
int access_load_htpasswd(struct access *a, const char *path, char *err, size_t errlen);
int access_has_users(const struct access *a);

/* The verdict on one request: peer address, verified client-certificate
 * subject (NULL if none), the Authorization header's value (NULL if none). */
enum access_verdict access_check(struct access *a, const struct sockaddr *peer, const char *subject,
				 const char *authz, size_t authz_len);
/* The WWW-Authenticate header line for a 401 (without CRLF). */
const char *access_challenge(const struct access *a);

/* `redirect-https on`: "Location: https://HOST/TARGET" (the Host header's
 * name without its port) into out; its length, or -1 when the request has
 * no usable Host or it does not fit (answer 400 then). */
int access_https_location(const char *host, size_t host_len, const char *target, size_t target_len, char *out,
			  size_t cap);

/* ---- pure parsers (unit tests, fuzzer) ---- */

/* One line of an htpasswd file ("user:hash", no line end).  1 with the
 * user and hash spans set, 0 for a blank or '#' comment line, -1 with why. */
int access_htpasswd_line(const char *line, size_t len, size_t *user_len, const char **hash, size_t *hash_len,
			 const char **why);
/* Is this a hash lbd verifies?  ("$y$", "$gy$", "$7$", "$2b$", "$2y$", "$6$", "$5$") */
int access_hash_supported(const char *hash);
/* "Basic dXNlcjpwYXNz" -> "user:pass" into out (NUL-terminated); length, or -1. */
int access_basic_decode(const char *v, size_t len, char *out, size_t cap);

#endif
