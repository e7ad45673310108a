/* lbdctl: non-blocking client of lbd's control socket (see lbdctl.h). */
#include "lbdctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

void lbdctl_init(struct lbdctl *c, struct ev_loop *loop, const char *path, lbdctl_cb cb, void *arg)
{
	memset(c, 0, sizeof(*c));
	c->loop = loop;
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->cb = cb;
	c->arg = arg;
	c->fd = -1;
}

void lbdctl_cancel(struct lbdctl *c)
{
	if (c->fd >= 0) {
		ev_io_stop(c->loop, &c->io);
		close(c->fd);
		c->fd = -1;
	}
	ev_timer_stop(c->loop, &c->timer);
}

static void done(struct lbdctl *c, const char *reply, const char *why)
{
	lbdctl_cancel(c);
	c->cb(c->arg, reply, why);
}

static void on_timeout(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct lbdctl *c = t->data;
	(void)loop; (void)revents;
	done(c, NULL, c->fd < 0 && c->in[0] ? c->in : "no answer in time");
}

static void on_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct lbdctl *c = w->data;
	(void)loop;
	if (revents & EV_WRITE) {
		ssize_t n = send(c->fd, c->out + c->outpos, c->outlen - c->outpos, MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			done(c, NULL, strerror(errno));
			return;
		}
		if (n > 0)
			c->outpos += (size_t)n;
		if (c->outpos == c->outlen) {
			ev_io_stop(c->loop, &c->io);
			ev_io_set(&c->io, c->fd, EV_READ);
			ev_io_start(c->loop, &c->io);
		}
		return;
	}
	ssize_t n = read(c->fd, c->in + c->inlen, sizeof(c->in) - 1 - c->inlen);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		done(c, NULL, n ? strerror(errno) : "closed without an answer");
		return;
	}
	c->inlen += (size_t)n;
	c->in[c->inlen] = 0;
	char *nl = strchr(c->in, '\n');
	if (nl) {
		*nl = 0;
		done(c, c->in, NULL);
	} else if (c->inlen == sizeof(c->in) - 1) {
		done(c, NULL, "answer too long");
	}
}

/* A failure found while calling is reported from the loop, as promised. */
static void fail_soon(struct lbdctl *c, const char *why)
{
	snprintf(c->in, sizeof(c->in), "%s: %s", c->path, why);
	ev_timer_init(&c->timer, on_timeout, 0., 0.);
	c->timer.data = c;
	ev_timer_start(c->loop, &c->timer);
}

void lbdctl_call(struct lbdctl *c, const char *cmd, double timeout_s)
{
	lbdctl_cancel(c);
	c->inlen = c->outpos = 0;
	c->in[0] = 0;
	c->outlen = (size_t)snprintf(c->out, sizeof(c->out), "%s\n", cmd);
	if (c->outlen >= sizeof(c->out)) {
		fail_soon(c, "command too long");
		return;
	}
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", c->path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		fail_soon(c, strerror(errno));
		return;
	}
	/* A unix stream connect completes at once or fails (EAGAIN: backlog full). */
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		int e = errno;
		close(c->fd);
		c->fd = -1;
		fail_soon(c, strerror(e));
		return;
	}
	ev_io_init(&c->io, on_io, c->fd, EV_WRITE);
	c->io.data = c;
	ev_io_start(c->loop, &c->io);
	ev_timer_init(&c->timer, on_timeout, timeout_s, 0.);
	c->timer.data = c;
	ev_timer_start(c->loop, &c->timer);
}
