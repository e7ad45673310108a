/* tls_keys: the process-wide ticket key ring (see tls_keys.h). */
#include "tls_keys.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

struct tkey {
	unsigned char name[16], aes[32], hmac[32];
	time_t born;
};

static pthread_mutex_t keys_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t aes_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *aes; /* fetched once: an implicit fetch per ticket costs a provider lookup */

static void aes_fetch(void)
{
	aes = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
}
static struct tkey keys[TLS_KEYS_KEEP]; /* [0] is current */
static int nkeys;

static time_t mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Under keys_mu.  0, or -1 when no randomness could be had. */
static int rotate_if_due(time_t now)
{
	if (nkeys && now - keys[0].born < TLS_KEYS_ROTATE_S)
		return 0;
	struct tkey k;
	if (RAND_bytes(k.name, sizeof(k.name)) != 1 || RAND_bytes(k.aes, sizeof(k.aes)) != 1 ||
	    RAND_bytes(k.hmac, sizeof(k.hmac)) != 1)
		return -1;
	k.born = now;
	memmove(&keys[1], &keys[0], sizeof(keys[0]) * (TLS_KEYS_KEEP - 1));
	keys[0] = k;
	if (nkeys < TLS_KEYS_KEEP)
		nkeys++;
	return 0;
}

static int set_hmac(EVP_MAC_CTX *hctx, unsigned char *key)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key, 32),
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	return EVP_MAC_CTX_set_params(hctx, params);
}

int tls_keys_ticket_cb(SSL *s, unsigned char *key_name, unsigned char *iv, EVP_CIPHER_CTX *ctx,
		       EVP_MAC_CTX *hctx, int enc)
{
	struct tkey k;
	int found = -1;
	(void)s;
	pthread_once(&aes_once, aes_fetch);
	if (!aes)
		return enc ? -1 : 0;
	pthread_mutex_lock(&keys_mu);
	if (enc) {
		if (rotate_if_due(mono_s()) == 0) {
			k = keys[0];
			found = 0;
		}
	} else {
		for (int i = 0; i < nkeys; i++)
			if (memcmp(keys[i].name, key_name, sizeof(keys[i].name)) == 0) {
				k = keys[i];
				found = i;
				break;
			}
	}
	pthread_mutex_unlock(&keys_mu);
	if (found < 0)
		return enc ? -1 : 0; /* decrypt: unknown key, full handshake */
	if (enc) {
		memcpy(key_name, k.name, sizeof(k.name));
		if (RAND_bytes(iv, EVP_MAX_IV_LENGTH) != 1 ||
		    !EVP_EncryptInit_ex(ctx, aes, NULL, k.aes, iv) || !set_hmac(hctx, k.hmac))
			found = -2;
	} else if (!EVP_DecryptInit_ex(ctx, aes, NULL, k.aes, iv) || !set_hmac(hctx, k.hmac)) {
		found = -2;
	}
	OPENSSL_cleanse(&k, sizeof(k));
	if (found == -2)
		return -1;
	return enc || found == 0 ? 1 : 2; /* 2: valid under an older key, issue a new ticket */
}

/* Wire: version 1, count, then per key its name, AES and HMAC keys and its
 * age in seconds (4 bytes, network order): ages, not monotonic times, so
 * the successor's rotation follows the same schedule. */
#define WIRE_VERSION 1
#define WIRE_KEY (16 + 32 + 32 + 4)

size_t tls_keys_export(unsigned char *out, size_t max)
{
	if (max < TLS_KEYS_WIRE_MAX)
		return 0;
	pthread_mutex_lock(&keys_mu);
	time_t now = mono_s();
	unsigned char *p = out + 2;
	out[0] = WIRE_VERSION;
	out[1] = (unsigned char)nkeys;
	for (int i = 0; i < nkeys; i++) {
		memcpy(p, keys[i].name, 16);
		memcpy(p + 16, keys[i].aes, 32);
		memcpy(p + 48, keys[i].hmac, 32);
		uint32_t age = now > keys[i].born ? (uint32_t)(now - keys[i].born) : 0;
		p[80] = (unsigned char)(age >> 24);
		p[81] = (unsigned char)(age >> 16);
		p[82] = (unsigned char)(age >> 8);
		p[83] = (unsigned char)age;
		p += WIRE_KEY;
	}
	size_t len = (size_t)(p - out);
	pthread_mutex_unlock(&keys_mu);
	return len;
}

int tls_keys_import(const unsigned char *in, size_t len)
{
	if (len < 2 || in[0] != WIRE_VERSION || in[1] > TLS_KEYS_KEEP || len != 2 + (size_t)in[1] * WIRE_KEY)
		return -EINVAL;
	int n = in[1];
	const unsigned char *p = in + 2;
	pthread_mutex_lock(&keys_mu);
	time_t now = mono_s();
	for (int i = 0; i < n; i++) {
		memcpy(keys[i].name, p, 16);
		memcpy(keys[i].aes, p + 16, 32);
		memcpy(keys[i].hmac, p + 48, 32);
		uint32_t age = (uint32_t)p[80] << 24 | (uint32_t)p[81] << 16 | (uint32_t)p[82] << 8 | p[83];
		keys[i].born = now - (time_t)(age > TLS_KEYS_KEEP * TLS_KEYS_ROTATE_S ? TLS_KEYS_KEEP * TLS_KEYS_ROTATE_S : age);
		p += WIRE_KEY;
	}
	nkeys = n;
	pthread_mutex_unlock(&keys_mu);
	return n;
}
