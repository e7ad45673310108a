/* tls_keys: the process-wide ticket key ring (see tls_keys.h). */
#include "tls_keys.h"

#include <pthread.h>
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
