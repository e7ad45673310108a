/* dbuf: the 16 KiB data buffers of the data path and a worker's free list
 * of them.  A connection holds a buffer only while bytes wait in it, so an
 * idle keep-alive connection costs its small session alone. */
#ifndef LBD_DBUF_H
#define LBD_DBUF_H

#include <stdint.h>

#define DBUF_FILL 16384          /* reads stop here ... */
#define DBUF_SIZE (16384 + 1024) /* ... so a rewritten head can grow in place */

struct dbuf {
	uint32_t start, end;   /* bytes [start, end) */
	struct dbuf *next;     /* free list */
	char data[DBUF_SIZE];
};

/* Room for the next read: none once end reached DBUF_FILL, which a head
 * rewritten in place may have pushed end past. */
static inline uint32_t dbuf_room(const struct dbuf *b)
{
	return b->end < DBUF_FILL ? DBUF_FILL - b->end : 0;
}

/* One per worker thread: no lock. */
struct dbuf_pool {
	struct dbuf *free;
	int nfree;
	int low;               /* fewest free buffers since the last dbuf_pool_trim */
};

struct dbuf *dbuf_get(struct dbuf_pool *p);          /* empty buffer, NULL if out of memory */
void dbuf_put(struct dbuf_pool *p, struct dbuf *b);  /* NULL is fine */
/* Give back to the system the buffers unused since the last call, but
 * `keep` of them (under steady load nothing is freed, nothing allocated
 * again).  1 if any was freed. */
int dbuf_pool_trim(struct dbuf_pool *p, int keep);
void dbuf_pool_free(struct dbuf_pool *p);

#endif
