#include "bfd_auth.h"

#include <dlfcn.h>
#include <openssl/evp.h>
#include <string.h>

#include "log.h"

/* libcrypto is opened on first use (dlopen), not linked: only a BFD
 * session with keyed MD5 or SHA1 needs it, and its mapping alone would
 * take a vrrpd without it past an 8 MiB RLIMIT_MEMLOCK (mlockall counts
 * every mapped page) and its 2 MiB memory target.  3 is OpenSSL's ABI. */
#define LIBCRYPTO_SONAME "libcrypto.so.3"
static struct {
	int tried;
	const EVP_MD *(*md5)(void);
	const EVP_MD *(*sha1)(void);
	int (*digest)(const void *, size_t, unsigned char *, unsigned int *, const EVP_MD *, ENGINE *);
} crypto;

static int crypto_open(void)
{
	if (crypto.tried)
		return crypto.digest ? 0 : -1;
	crypto.tried = 1;
	void *h = dlopen(LIBCRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		log_warn("BFD authentication: cannot open %s: %s", LIBCRYPTO_SONAME, dlerror());
		return -1;
	}
	/* Cast the value, as libbpf_dl.c does, rather than store through
	 * *(void **)&crypto.md5: that writes a function pointer object
	 * through a void * lvalue, which C's aliasing rules do not allow. */
	crypto.md5 = (__typeof__(crypto.md5))dlsym(h, "EVP_md5");
	crypto.sha1 = (__typeof__(crypto.sha1))dlsym(h, "EVP_sha1");
	crypto.digest = (__typeof__(crypto.digest))dlsym(h, "EVP_Digest");
	if (!crypto.md5 || !crypto.sha1 || !crypto.digest) {
		log_warn("BFD authentication: %s lacks EVP_md5/EVP_sha1/EVP_Digest", LIBCRYPTO_SONAME);
		crypto.digest = NULL;
		return -1;
	}
	return 0;
}

/* Compares n bytes in a time that does not depend on where they differ. */
static int differ(const uint8_t *a, const uint8_t *b, size_t n)
{
	volatile uint8_t d = 0;
	for (size_t i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return d != 0;
}

const char *const bfd_auth_type_names[6] = {
	[BFD_AUTH_NONE] = "none",
	[BFD_AUTH_SIMPLE] = "simple",
	[BFD_AUTH_KEYED_MD5] = "keyed-md5",
	[BFD_AUTH_METICULOUS_MD5] = "meticulous-keyed-md5",
	[BFD_AUTH_KEYED_SHA1] = "keyed-sha1",
	[BFD_AUTH_METICULOUS_SHA1] = "meticulous-keyed-sha1",
};

size_t bfd_auth_secret_max(uint8_t type)
{
	switch (type) {
	case BFD_AUTH_SIMPLE:
	case BFD_AUTH_KEYED_MD5:
	case BFD_AUTH_METICULOUS_MD5:
		return 16;
	case BFD_AUTH_KEYED_SHA1:
	case BFD_AUTH_METICULOUS_SHA1:
		return 20;
	default:
		return 0;
	}
}

int bfd_auth_has_seq(uint8_t type)
{
	return type >= BFD_AUTH_KEYED_MD5 && type <= BFD_AUTH_METICULOUS_SHA1;
}

static int meticulous(uint8_t type)
{
	return type == BFD_AUTH_METICULOUS_MD5 || type == BFD_AUTH_METICULOUS_SHA1;
}

int bfd_auth_key_equal(const struct bfd_auth_key *a, const struct bfd_auth_key *b)
{
	return a->type == b->type && a->key_id == b->key_id && a->len == b->len &&
	       memcmp(a->secret, b->secret, a->len) == 0;
}

/* The digest of the packet's first len bytes, whose digest field (at
 * off, dlen bytes) holds the zero-padded secret while hashing.  pkt is
 * copied: the caller's bytes are left as they came. */
static int digest(const struct bfd_auth_key *k, const uint8_t *pkt, size_t len, size_t off, size_t dlen,
		  uint8_t *md)
{
	uint8_t buf[BFD_MAX_LEN];
	unsigned mdlen = 0;

	if (len > sizeof(buf) || off + dlen > len)
		return -1;
	memcpy(buf, pkt, len);
	memset(buf + off, 0, dlen);
	memcpy(buf + off, k->secret, k->len < dlen ? k->len : dlen);
	if (crypto_open() < 0)
		return -1;
	const EVP_MD *alg = dlen == 16 ? crypto.md5() : crypto.sha1();
	int ok = crypto.digest(buf, len, md, &mdlen, alg, NULL);
	explicit_bzero(buf, sizeof(buf));
	return ok == 1 && mdlen == dlen ? 0 : -1;
}

int bfd_auth_sign(const struct bfd_auth_key *k, uint32_t seq, uint8_t *pkt, size_t cap, size_t len)
{
	size_t max = bfd_auth_secret_max(k->type);
	if (!max || k->len == 0 || k->len > max || len != BFD_HDR_LEN)
		return -1;
	size_t alen = k->type == BFD_AUTH_SIMPLE ? 3u + k->len : 8u + max;
	if (len + alen > cap)
		return -1;
	uint8_t *a = pkt + len;
	a[0] = k->type;
	a[1] = (uint8_t)alen;
	a[2] = k->key_id;
	pkt[1] |= BFD_FLAG_AUTH;
	pkt[3] = (uint8_t)(len + alen);
	if (k->type == BFD_AUTH_SIMPLE) {
		memcpy(a + 3, k->secret, k->len);
		return (int)(len + alen);
	}
	a[3] = 0;
	a[4] = (uint8_t)(seq >> 24);
	a[5] = (uint8_t)(seq >> 16);
	a[6] = (uint8_t)(seq >> 8);
	a[7] = (uint8_t)seq;
	uint8_t md[EVP_MAX_MD_SIZE];
	if (digest(k, pkt, len + alen, len + 8, max, md) < 0)
		return -1;
	memcpy(a + 8, md, max);
	return (int)(len + alen);
}

enum bfd_discard bfd_auth_verify(const struct bfd_auth_key *k, const uint8_t *pkt, size_t len,
				 const struct bfd_ctrl *c)
{
	int has = (c->flags & BFD_FLAG_AUTH) != 0;
	if (has != (k->type != BFD_AUTH_NONE) || (has && c->auth_type != k->type))
		return BFD_AUTH_MISMATCH;
	if (!has)
		return BFD_OK;
	if (c->auth_key_id != k->key_id)
		return BFD_AUTH_FAILED;
	if (k->type == BFD_AUTH_SIMPLE) {
		if (c->auth_data_len != k->len || differ(c->auth_data, k->secret, k->len))
			return BFD_AUTH_FAILED;
		return BFD_OK;
	}
	/* The digest covers the packet's Length bytes: the parser checked
	 * that they are there and that the section sits at their end. */
	if (!pkt || len < BFD_HDR_LEN)
		return BFD_AUTH_FAILED;
	size_t plen = pkt[3];
	size_t max = bfd_auth_secret_max(k->type);
	if (plen > len || c->auth_data_len != max || c->auth_data < pkt || c->auth_data + max > pkt + plen)
		return BFD_AUTH_FAILED;
	uint8_t md[EVP_MAX_MD_SIZE];
	if (digest(k, pkt, plen, (size_t)(c->auth_data - pkt), max, md) < 0 ||
	    differ(md, c->auth_data, max))
		return BFD_AUTH_FAILED;
	return BFD_OK;
}

enum bfd_discard bfd_auth_check_seq(struct bfd_auth_seq *st, uint8_t type, uint32_t seq, uint8_t mult,
				    uint64_t now, uint64_t forget_us)
{
	if (!bfd_auth_has_seq(type))
		return BFD_OK;
	if (st->rcv_known && now - st->rcv_at >= forget_us)
		st->rcv_known = 0;
	if (st->rcv_known) {
		/* Circular: the distance past the last number, mod 2^32. */
		uint32_t ahead = seq - st->rcv;
		uint32_t lo = meticulous(type) ? 1u : 0u;
		if (ahead < lo || ahead > 3u * mult)
			return BFD_AUTH_SEQUENCE;
	}
	st->rcv = seq;
	st->rcv_known = 1;
	st->rcv_at = now;
	return BFD_OK;
}
