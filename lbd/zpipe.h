/* zpipe: moving body bytes socket -> pipe -> socket with splice(2), so
 * large Content-Length bodies do not pass through user space. */
#ifndef LBD_ZPIPE_H
#define LBD_ZPIPE_H

#include <stdint.h>
#include <sys/types.h>

#define ZPIPE_MIN_BODY 65536 /* smaller bodies are cheaper through the buffer */

struct zpipe {
	int rfd, wfd;   /* -1 when closed */
	uint32_t len;   /* bytes in the pipe */
};

int zpipe_open(struct zpipe *p);           /* 0 or -errno */
void zpipe_close(struct zpipe *p);         /* idempotent */
/* src -> pipe, at most max bytes: >0 moved, 0 EOF, -EAGAIN, or -errno. */
ssize_t zpipe_fill(struct zpipe *p, int src, uint64_t max);
/* pipe -> dst: >0 moved, -EAGAIN, or -errno. */
ssize_t zpipe_drain(struct zpipe *p, int dst);

#endif
