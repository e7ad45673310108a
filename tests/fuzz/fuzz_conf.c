/* libFuzzer target: the config grammar and its value readers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct conf_node *n)
{
	char err[256];
	uint64_t v;
	unsigned long u;
	int b, plen;
	struct addr a;

	for (int i = 1; i < n->nargs; i++) {
		conf_get_duration_ms(n, i, &v, err, sizeof(err));
		conf_get_size(n, i, &v, err, sizeof(err));
		conf_get_uint(n, i, 0, 1000, &u, err, sizeof(err));
		conf_get_bool(n, i, &b, err, sizeof(err));
		conf_get_addr(n, i, ADDR_WILDCARD, &a, err, sizeof(err));
		conf_get_addr(n, i, ADDR_PORT_NONE, &a, err, sizeof(err));
		conf_get_prefix(n, i, &a, &plen, err, sizeof(err));
	}
	for (int i = 0; i < n->nchildren; i++)
		walk(&n->children[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_tree *t = NULL;
	char err[512];

	if (conf_parse_string("fuzz.conf", (const char *)data, size, &t, err, sizeof(err)) == 0) {
		walk(&t->root);
		conf_free(t);
	} else if (memchr(err, '\0', sizeof(err)) == NULL) {
		abort(); /* every error must be a terminated string */
	}
	return 0;
}
