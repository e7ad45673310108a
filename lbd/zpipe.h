/* zpipe: moving body bytes socket -> pipe -> socket with splice(2), so
 * large Content-Length bodies do not pass through user space. */
#ifndef LBD_ZPIPE_H
#define LBD_ZPIPE_H

#include <stdint.h>
#include <sys/types.h>

/* A body with at least this much still to come once the buffer is sent
 * moves by splice (a 64 KiB POST: its first 16 KiB came with the head). */
#define ZPIPE_MIN_BODY 16384
#define ZPIPE_CACHE 32

struct zpipe {
	int rfd, wfd;   /* -1 when closed */
	uint32_t len;   /* bytes in the pipe */
};

/* Empty pipes a worker keeps for its next large bodies: a new one costs
 * pipe2 and fcntl, a closed one two close calls.  A body holds its pipe
 * only while it moves, so a few dozen serve many concurrent exchanges. */
struct zpipe_cache {
	int n;
	struct zpipe p[ZPIPE_CACHE];
};

int zpipe_open(struct zpipe *p);           /* 0 or -errno */
void zpipe_close(struct zpipe *p);         /* idempotent */
/* A pipe from the cache, else a new one: 0 or -errno. */
int zpipe_get(struct zpipe_cache *c, struct zpipe *p);
/* Back to the cache when empty and there is room, else closed; p is closed
 * after either (idempotent). */
void zpipe_put(struct zpipe_cache *c, struct zpipe *p);
void zpipe_cache_free(struct zpipe_cache *c);
/* src -> pipe, at most max bytes: >0 moved, 0 EOF, -EAGAIN, or -errno. */
ssize_t zpipe_fill(struct zpipe *p, int src, uint64_t max);
/* pipe -> dst: >0 moved, -EAGAIN, or -errno. */
ssize_t zpipe_drain(struct zpipe *p, int dst);

#endif
