/* libFuzzer target: what access.c reads from files and clients: an
 * htpasswd line (the file's bytes) and an Authorization header value
 * (a client's bytes), through the whole verdict. */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lbd/access.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct access *acl;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exact-size copies, so ASan sees any read past the end. */
	char *p = malloc(size ? size : 1);
	if (!p)
		return 0;
	memcpy(p, data, size);
	size_t ul = 0, hl = 0;
	const char *h = NULL, *why = NULL;
	int rc = access_htpasswd_line(p, size, &ul, &h, &hl, &why);
	if (rc == 1 && (ul == 0 || h < p || h + hl > p + size || hl == 0))
		abort();
	if (rc < 0 && !why)
		abort();
	char out[512];
	int n = access_basic_decode(p, size, out, sizeof(out));
	if (n >= (int)sizeof(out) || (n >= 0 && out[n] != '\0'))
		abort();
	if (!acl) {
		char w[256];
		acl = access_new();
		/* sha256crypt, cheap enough to run on every input */
		if (!acl || access_add_user(acl, "u", "$5$salt$eC8iHMk0B/acxRGi4idWiCK/.xXHLUsxovn4V591t3.", w,
					    sizeof(w)))
			abort();
	}
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	enum access_verdict v = access_check(acl, (struct sockaddr *)&sin, NULL, p, size);
	if (v != ACCESS_OK && v != ACCESS_AUTH)
		abort();
	free(p);
	return 0;
}
