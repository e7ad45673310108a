/* dbuf: data buffers and their free list (see dbuf.h). */
#include "dbuf.h"

#include <stdlib.h>

#define DBUF_MAX_FREE 256

struct dbuf *dbuf_get(struct dbuf_pool *p)
{
	struct dbuf *b = p->free;
	if (b) {
		p->free = b->next;
		p->nfree--;
		if (p->nfree < p->low)
			p->low = p->nfree;
	} else {
		b = malloc(sizeof(*b));
		if (!b)
			return NULL;
	}
	b->start = b->end = 0;
	b->next = NULL;
	return b;
}

void dbuf_put(struct dbuf_pool *p, struct dbuf *b)
{
	if (!b)
		return;
	if (p->nfree >= DBUF_MAX_FREE) {
		free(b);
		return;
	}
	b->next = p->free;
	p->free = b;
	p->nfree++;
}

int dbuf_pool_trim(struct dbuf_pool *p, int keep)
{
	int unused = p->low - keep;
	p->low = p->nfree;
	if (unused <= 0)
		return 0;
	for (; unused > 0 && p->nfree > 0; unused--) {
		struct dbuf *b = p->free;
		p->free = b->next;
		p->nfree--;
		free(b);
	}
	p->low = p->nfree;
	return 1;
}

void dbuf_pool_free(struct dbuf_pool *p)
{
	while (p->free) {
		struct dbuf *b = p->free;
		p->free = b->next;
		free(b);
	}
	p->nfree = p->low = 0;
}
