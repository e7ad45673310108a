/* access: allow/deny rules and basic auth (see access.h). */
#include "access.h"

#include <crypt.h>
#include <errno.h>
#include <fnmatch.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "addr.h"

#define USER_MAX 64
#define HASH_MAX 256
#define CACHE_SLOTS 16
#define CACHE_TTL_S 300

enum rule_kind { RULE_PREFIX, RULE_SUBJECT };

struct rule {
	enum rule_kind kind;
	int allow;
	int v6;                    /* prefix: family */
	int plen;
	unsigned char net[16];
	char *pattern;             /* subject */
};

struct user {
	char name[USER_MAX];
	char hash[HASH_MAX];
};

struct cached {
	unsigned char digest[SHA256_DIGEST_LENGTH]; /* of the Authorization value */
	time_t at;
};

struct access {
	struct rule *rules;
	int nrules, nallow;
	struct user *users;
	int nusers;
	char challenge[160];
	pthread_mutex_t mu;
	struct cached cache[CACHE_SLOTS];
	int cache_next;
};

struct access *access_new(void)
{
	struct access *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	pthread_mutex_init(&a->mu, NULL);
	access_set_realm(a, "lbd");
	return a;
}

void access_free(struct access *a)
{
	if (!a)
		return;
	for (int i = 0; i < a->nrules; i++)
		free(a->rules[i].pattern);
	free(a->rules);
	if (a->users)
		OPENSSL_cleanse(a->users, sizeof(*a->users) * (size_t)a->nusers);
	free(a->users);
	pthread_mutex_destroy(&a->mu);
	OPENSSL_cleanse(a->cache, sizeof(a->cache));
	free(a);
}

static struct rule *new_rule(struct access *a, int allow)
{
	struct rule *r = realloc(a->rules, sizeof(*r) * (size_t)(a->nrules + 1));
	if (!r)
		return NULL;
	a->rules = r;
	r = &r[a->nrules++];
	memset(r, 0, sizeof(*r));
	r->allow = allow;
	a->nallow += allow;
	return r;
}

/* The 16 bytes of an IPv6 address, or of an IPv4 one in the first 4 (v6 = 0). */
static int ip_bytes(const struct sockaddr *sa, unsigned char out[16], int *v6)
{
	memset(out, 0, 16);
	if (sa->sa_family == AF_INET) {
		memcpy(out, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		*v6 = 0;
		return 0;
	}
	if (sa->sa_family != AF_INET6)
		return -1;
	const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	if (IN6_IS_ADDR_V4MAPPED(a6)) {
		memcpy(out, &a6->s6_addr[12], 4);
		*v6 = 0;
	} else {
		memcpy(out, a6->s6_addr, 16);
		*v6 = 1;
	}
	return 0;
}

int access_add_prefix(struct access *a, int allow, const struct addr *net, int prefixlen)
{
	struct rule *r = new_rule(a, allow);
	if (!r)
		return -ENOMEM;
	r->kind = RULE_PREFIX;
	r->plen = prefixlen;
	ip_bytes((const struct sockaddr *)&net->ss, r->net, &r->v6);
	return 0;
}

int access_add_subject(struct access *a, int allow, const char *pattern)
{
	char *p = strdup(pattern);
	struct rule *r = p ? new_rule(a, allow) : NULL;
	if (!r) {
		free(p);
		return -ENOMEM;
	}
	r->kind = RULE_SUBJECT;
	r->pattern = p;
	return 0;
}

int access_set_realm(struct access *a, const char *realm)
{
	int n = snprintf(a->challenge, sizeof(a->challenge), "WWW-Authenticate: Basic realm=\"%s\", charset=\"UTF-8\"",
			 realm);
	return n > 0 && (size_t)n < sizeof(a->challenge) ? 0 : -EINVAL;
}

const char *access_challenge(const struct access *a)
{
	return a->challenge;
}

int access_has_users(const struct access *a)
{
	return a && a->nusers > 0;
}

int access_hash_supported(const char *h)
{
	static const char *const ok[] = { "$y$", "$gy$", "$7$", "$2b$", "$2y$", "$6$", "$5$", NULL };
	for (int i = 0; ok[i]; i++)
		if (strncmp(h, ok[i], strlen(ok[i])) == 0)
			return strlen(h) > strlen(ok[i]) + 8;
	return 0;
}

int access_add_user(struct access *a, const char *user, const char *hash, char *why, size_t whylen)
{
	if (!user[0] || strlen(user) >= USER_MAX || strchr(user, ':')) {
		snprintf(why, whylen, "expected a user name of 1 to %d characters without ':'", USER_MAX - 1);
		return -EINVAL;
	}
	if (strlen(hash) >= HASH_MAX || !access_hash_supported(hash)) {
		snprintf(why, whylen, "expected a crypt(3) hash: yescrypt ($y$), bcrypt ($2y$, $2b$), sha512crypt ($6$) "
			 "or sha256crypt ($5$), as `htpasswd -B` or `mkpasswd -m yescrypt` make");
		return -EINVAL;
	}
	for (int i = 0; i < a->nusers; i++)
		if (strcmp(a->users[i].name, user) == 0) {
			snprintf(why, whylen, "expected each user once, '%s' is already defined", user);
			return -EINVAL;
		}
	struct user *u = realloc(a->users, sizeof(*u) * (size_t)(a->nusers + 1));
	if (!u)
		return -ENOMEM;
	a->users = u;
	u = &u[a->nusers++];
	memset(u, 0, sizeof(*u));
	strcpy(u->name, user);
	strcpy(u->hash, hash);
	return 0;
}

int access_htpasswd_line(const char *line, size_t len, size_t *user_len, const char **hash, size_t *hash_len,
			 const char **why)
{
	size_t i = 0;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len || line[i] == '#')
		return 0;
	if (i != 0) {
		*why = "expected user:hash at the start of the line";
		return -1;
	}
	const char *colon = memchr(line, ':', len);
	if (!colon || colon == line) {
		*why = "expected user:hash";
		return -1;
	}
	size_t ul = (size_t)(colon - line), hl = len - ul - 1;
	while (hl && (colon[hl] == ' ' || colon[hl] == '\t' || colon[hl] == '\r'))
		hl--;
	if (ul >= USER_MAX || hl == 0 || hl >= HASH_MAX || memchr(line, '\0', len)) {
		*why = "expected user:hash, user under 64 bytes, hash under 256";
		return -1;
	}
	/* htpasswd files may carry more fields after the hash (user:hash:comment) */
	const char *extra = memchr(colon + 1, ':', hl);
	if (extra == colon + 1) {
		*why = "expected user:hash, the hash is empty";
		return -1;
	}
	*user_len = ul;
	*hash = colon + 1;
	*hash_len = extra ? (size_t)(extra - colon - 1) : hl;
	return 1;
}

int access_load_htpasswd(struct access *a, const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st)) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return -EINVAL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > (off_t)(4u << 20)) {
		snprintf(err, errlen, "%s: cannot read: expected a regular file of at most 4 MiB", path);
		return -EINVAL;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return -EINVAL;
	}
	char line[512];
	int lineno = 0, rc = 0;
	while (!rc && fgets(line, sizeof(line), f)) {
		lineno++;
		size_t len = strcspn(line, "\n");
		if (line[len] != '\n' && !feof(f)) {
			snprintf(err, errlen, "%s:%d: expected a line shorter than %zu bytes", path, lineno, sizeof(line) - 1);
			rc = -EINVAL;
			break;
		}
		size_t ul, hl;
		const char *hash, *why = NULL;
		int k = access_htpasswd_line(line, len, &ul, &hash, &hl, &why);
		if (k == 0)
			continue;
		if (k < 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
			rc = -EINVAL;
			break;
		}
		char user[USER_MAX], h[HASH_MAX], reason[256];
		memcpy(user, line, ul);
		user[ul] = '\0';
		memcpy(h, hash, hl);
		h[hl] = '\0';
		rc = access_add_user(a, user, h, reason, sizeof(reason));
		if (rc)
			snprintf(err, errlen, "%s:%d: %s", path, lineno, rc == -ENOMEM ? "out of memory" : reason);
	}
	OPENSSL_cleanse(line, sizeof(line));
	fclose(f);
	return rc;
}

int access_basic_decode(const char *v, size_t len, char *out, size_t cap)
{
	if (len < 6 || strncasecmp(v, "Basic ", 6) != 0)
		return -1;
	v += 6;
	len -= 6;
	while (len && *v == ' ')
		v++, len--;
	while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	if (len == 0 || len % 4 || len / 4 * 3 + 1 > cap)
		return -1;
	for (size_t i = 0; i < len; i++) {
		char c = v[i];
		int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
			 c == '/' || (c == '=' && i >= len - 2 && (i == len - 1 || v[len - 1] == '='));
		if (!ok)
			return -1;
	}
	int n = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)v, (int)len);
	if (n < 0)
		return -1;
	n -= (v[len - 1] == '=') + (v[len - 2] == '=');
	out[n] = '\0';
	if (memchr(out, '\0', (size_t)n))
		return -1;
	return n;
}

/* Constant time in the hash's length: crypt_r's output against the stored hash. */
static int verify_password(const struct user *u, const char *pass)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	if (!cd)
		return 0;
	/* crypt_rn, not crypt_r: the sanitizers' crypt_r interceptor does not
	 * find libxcrypt's (a NULL call in the SAN=1 and fuzz builds). */
	const char *out = crypt_rn(pass, u->hash, cd, (int)sizeof(*cd));
	size_t hl = strlen(u->hash);
	int ok = out && out[0] != '*' && strlen(out) == hl && CRYPTO_memcmp(out, u->hash, hl) == 0;
	OPENSSL_cleanse(cd, sizeof(*cd));
	free(cd);
	return ok;
}

static int cache_has(struct access *a, const unsigned char *d, time_t now)
{
	int hit = 0;
	pthread_mutex_lock(&a->mu);
	for (int i = 0; i < CACHE_SLOTS; i++)
		hit |= a->cache[i].at && now - a->cache[i].at < CACHE_TTL_S &&
		       CRYPTO_memcmp(a->cache[i].digest, d, SHA256_DIGEST_LENGTH) == 0;
	pthread_mutex_unlock(&a->mu);
	return hit;
}

static void cache_put(struct access *a, const unsigned char *d, time_t now)
{
	pthread_mutex_lock(&a->mu);
	memcpy(a->cache[a->cache_next].digest, d, SHA256_DIGEST_LENGTH);
	a->cache[a->cache_next].at = now;
	a->cache_next = (a->cache_next + 1) % CACHE_SLOTS;
	pthread_mutex_unlock(&a->mu);
}

static int check_auth(struct access *a, const char *authz, size_t len)
{
	char cred[3 * 128 + 4];
	unsigned char d[SHA256_DIGEST_LENGTH];
	if (!authz || len > 4 * 128)
		return 0;
	time_t now = time(NULL);
	SHA256((const unsigned char *)authz, len, d);
	if (cache_has(a, d, now))
		return 1;
	int n = access_basic_decode(authz, len, cred, sizeof(cred));
	char *colon = n > 0 ? strchr(cred, ':') : NULL;
	if (!colon)
		return 0;
	*colon = '\0';
	const struct user *u = NULL;
	for (int i = 0; i < a->nusers; i++)
		if (strcmp(a->users[i].name, cred) == 0)
			u = &a->users[i];
	/* An unknown user is hashed too, against the first user's hash, and fails. */
	int ok = verify_password(u ? u : &a->users[0], colon + 1) && u;
	OPENSSL_cleanse(cred, sizeof(cred));
	if (ok)
		cache_put(a, d, now);
	return ok;
}

static int prefix_match(const struct rule *r, const unsigned char ip[16], int v6)
{
	if (r->v6 != v6)
		return 0;
	int full = r->plen / 8, rest = r->plen % 8;
	if (memcmp(r->net, ip, (size_t)full))
		return 0;
	if (!rest)
		return 1;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (r->net[full] & mask) == (ip[full] & mask);
}

enum access_verdict access_check(struct access *a, const struct sockaddr *peer, const char *subject,
				 const char *authz, size_t authz_len)
{
	if (!a)
		return ACCESS_OK;
	unsigned char ip[16];
	int v6 = 0, have_ip = peer && ip_bytes(peer, ip, &v6) == 0;
	int allowed = a->nallow == 0;
	for (int i = 0; i < a->nrules; i++) {
		const struct rule *r = &a->rules[i];
		int m = r->kind == RULE_PREFIX ? have_ip && prefix_match(r, ip, v6)
					       : subject && fnmatch(r->pattern, subject, 0) == 0;
		if (m) {
			allowed = r->allow;
			break;
		}
	}
	if (!allowed)
		return ACCESS_DENY;
	if (a->nusers && !check_auth(a, authz, authz_len))
		return ACCESS_AUTH;
	return ACCESS_OK;
}

int access_https_location(const char *host, size_t host_len, const char *target, size_t target_len, char *out,
			  size_t cap)
{
	size_t hl = host_len;
	if (!host || !hl || !target || !target_len || target[0] != '/')
		return -1;
	if (host[0] == '[') { /* [2001:db8::1]:80 */
		const char *end = memchr(host, ']', host_len);
		if (!end)
			return -1;
		hl = (size_t)(end - host) + 1;
	} else {
		const char *colon = memchr(host, ':', host_len);
		if (colon)
			hl = (size_t)(colon - host);
	}
	for (size_t i = 0; i < hl; i++)
		if ((unsigned char)host[i] <= ' ' || host[i] == '/' || host[i] == '\\' || host[i] == '@' || host[i] == 0x7f)
			return -1;
	for (size_t i = 0; i < target_len; i++)
		if ((unsigned char)target[i] <= ' ' || target[i] == 0x7f)
			return -1;
	if (hl == 0 || hl > 255)
		return -1;
	int n = snprintf(out, cap, "Location: https://%.*s%.*s", (int)hl, host, (int)target_len, target);
	return n > 0 && (size_t)n < cap ? n : -1;
}
