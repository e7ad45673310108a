/* zpipe: splice(2) through a pipe (see zpipe.h). */
#include "zpipe.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#define ZPIPE_SIZE (256 * 1024)

int zpipe_open(struct zpipe *p)
{
	int fds[2];
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC))
		return -errno;
	fcntl(fds[1], F_SETPIPE_SZ, ZPIPE_SIZE); /* best effort: the default 64 KiB works too */
	p->rfd = fds[0];
	p->wfd = fds[1];
	p->len = 0;
	return 0;
}

void zpipe_close(struct zpipe *p)
{
	if (p->rfd >= 0)
		close(p->rfd);
	if (p->wfd >= 0)
		close(p->wfd);
	p->rfd = p->wfd = -1;
	p->len = 0;
}

int zpipe_get(struct zpipe_cache *c, struct zpipe *p)
{
	if (c->n == 0)
		return zpipe_open(p);
	*p = c->p[--c->n];
	return 0;
}

void zpipe_put(struct zpipe_cache *c, struct zpipe *p)
{
	if (p->rfd < 0)
		return;
	if (p->len == 0 && c->n < ZPIPE_CACHE) {
		c->p[c->n++] = *p;
		p->rfd = p->wfd = -1;
		return;
	}
	zpipe_close(p); /* bytes left in it belong to a transaction that is over */
}

void zpipe_cache_free(struct zpipe_cache *c)
{
	while (c->n > 0)
		zpipe_close(&c->p[--c->n]);
}

ssize_t zpipe_fill(struct zpipe *p, int src, uint64_t max)
{
	size_t n = max > ZPIPE_SIZE ? ZPIPE_SIZE : (size_t)max;
	ssize_t r = splice(src, NULL, p->wfd, NULL, n, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (r < 0)
		return errno == EINTR ? -EAGAIN : -errno;
	p->len += (uint32_t)r;
	return r;
}

ssize_t zpipe_drain(struct zpipe *p, int dst)
{
	ssize_t r = splice(p->rfd, NULL, dst, NULL, p->len, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	if (r < 0)
		return errno == EINTR ? -EAGAIN : -errno;
	p->len -= (uint32_t)r;
	return r;
}
