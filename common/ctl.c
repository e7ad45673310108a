#include "ctl.h"
#include "bufsrv.h"
#include "json.h"
#include "log.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "mtime.h"

/* What a server may hold for its clients: vrrpd's pages are locked
 * (mlock), so unsent output is locked memory.  A client's commands are
 * answered one at a time (client_process), and nothing is read while a reply
 * waits (bufsrv), so a client that writes commands and never reads holds at
 * most one reply; a subscriber that does not read is dropped once its
 * backlog of events passes CTL_MAX_PENDING_EVENTS.  At most CTL_MAX_CLIENTS x
 * (one reply + the events backlog). */
#define CTL_MAX_CLIENTS 64
#define CTL_MAX_PENDING_OUT (1u << 20)     /* one reply */
#define CTL_MAX_PENDING_EVENTS (64u << 10) /* some 250 transitions */
#define CTL_READ_SIZE 4096

struct ctl_client {
	struct bufsrv_conn c; /* first: the base's view of it */
	int subscribed;
};

struct ctl_server {
	struct bufsrv *srv;
	char *path;
	ctl_handler_fn handler;
	void *arg;
};

/* limit: CTL_MAX_PENDING_OUT for a reply, CTL_MAX_PENDING_EVENTS for an event. */
static void client_queue(struct bufsrv_conn *c, const char *s, size_t n, size_t limit)
{
	if (c->out.len + n > limit) {
		/* A subscriber that does not read is dropped, never waited for. */
		c->closing = 1;
		c->out.len = 0;
		return;
	}
	if (buf_append(&c->out, s, n) || buf_append(&c->out, "\n", 1))
		c->closing = 1;
}

int ctl_split(char *line, char **argv, int max)
{
	int argc = 0;
	char *p = line;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (argc >= max)
			return -E2BIG;
		if (*p == '"') {
			argv[argc++] = ++p;
			while (*p && *p != '"')
				p++;
			if (*p != '"')
				return -EINVAL;
		} else {
			argv[argc++] = p;
			while (*p && *p != ' ' && *p != '\t')
				p++;
		}
		if (*p)
			*p++ = '\0';
	}
	return argc;
}

static void client_command(struct ctl_server *s, struct ctl_client *cl, char *line)
{
	char *argv[CTL_MAX_ARGS];
	struct buf reply = BUF_INIT;
	int argc = ctl_split(line, argv, CTL_MAX_ARGS);

	if (argc == 0)
		return;
	if (argc < 0) {
		buf_puts(&reply, "{\"ok\":false,\"error\":\"expected a command with at most 16 words\"}");
	} else if (strcmp(argv[0], "subscribe") == 0) {
		cl->subscribed = 1;
		buf_puts(&reply, "{\"ok\":true,\"subscribed\":true}");
	} else {
		int rc = s->handler(s->arg, argc, argv, &reply);
		if (rc < 0) {
			struct buf e = BUF_INIT;
			buf_puts(&e, "{\"ok\":false,\"error\":");
			json_string_n(&e, reply.data ? reply.data : "failed", reply.data ? reply.len : 6);
			buf_puts(&e, "}");
			buf_free(&reply);
			reply = e;
		}
	}
	client_queue(&cl->c, reply.data ? reply.data : "{}", reply.data ? reply.len : 2, CTL_MAX_PENDING_OUT);
	buf_free(&reply);
}

static int has_line(const struct bufsrv_conn *c)
{
	return c->in.len && memchr(c->in.data, '\n', c->in.len);
}

/* Answers the next complete line, only once the previous reply has gone out
 * (bufsrv calls this again then, through `drained`).  While a line waits,
 * nothing more is read: what a client has sent is bounded by one line and
 * one read. */
static void client_process(void *arg, struct bufsrv_conn *c)
{
	if (!c->closing && !c->out.len) {
		char *nl = c->in.len ? memchr(c->in.data, '\n', c->in.len) : NULL;
		if (nl) {
			*nl = '\0';
			size_t used = (size_t)(nl - c->in.data) + 1;
			if (nl > c->in.data && nl[-1] == '\r')
				nl[-1] = '\0';
			client_command(arg, (struct ctl_client *)c, c->in.data);
			buf_consume(&c->in, used);
		} else if (c->in.len > CTL_MAX_LINE) {
			client_queue(c, "{\"ok\":false,\"error\":\"line too long\"}", 36, CTL_MAX_PENDING_OUT);
			c->closing = 1;
			c->in.len = 0;
		}
	}
	/* The lines already read are still answered after the client's end. */
	if (c->eof && !has_line(c))
		c->closing = 1;
	c->paused = has_line(c);
}

static const struct bufsrv_ops ctl_ops = {
	.input = client_process,
	.drained = client_process,
};

struct ctl_server *ctl_server_open(struct ev_loop *loop, const char *path,
				   ctl_handler_fn handler, void *arg,
				   char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctl_server *s = NULL;
	int fd = -1;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket path too long: %s", path);
		return NULL;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto bad;
	/* A socket file left by a dead process is replaced; a live one is not. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
		snprintf(err, errlen, "control socket %s: another process is listening", path);
		close(fd);
		return NULL;
	}
	unlink(path);
	mode_t old = umask(0117);
	int brc = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (brc || chmod(path, 0660) || listen(fd, 16))
		goto bad;
	s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path)))
		goto bad;
	s->handler = handler;
	s->arg = arg;
	s->srv = bufsrv_new(loop, fd, CTL_MAX_CLIENTS, sizeof(struct ctl_client), &ctl_ops, s);
	fd = -1; /* the base's now, also when it failed */
	if (!s->srv) {
		errno = ENOMEM;
		goto bad;
	}
	return s;
bad:
	snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (s)
		free(s->path);
	free(s);
	return NULL;
}

void ctl_server_publish(struct ctl_server *s, const char *json_line)
{
	if (!s)
		return;
	size_t n = strlen(json_line);
	struct bufsrv_conn *c = bufsrv_conns(s->srv);
	while (c) {
		struct bufsrv_conn *next = c->next;
		if (((struct ctl_client *)c)->subscribed) {
			client_queue(c, json_line, n, CTL_MAX_PENDING_EVENTS);
			bufsrv_flush(c);
		}
		c = next;
	}
}

void ctl_server_close(struct ctl_server *s)
{
	if (!s)
		return;
	bufsrv_free(s->srv);
	unlink(s->path);
	free(s->path);
	free(s);
}

static int wait_fd(int fd, short events, uint64_t deadline)
{
	uint64_t now = mtime_ms();
	if (now >= deadline)
		return -ETIMEDOUT;
	struct pollfd p = { .fd = fd, .events = events };
	int r = poll(&p, 1, (int)(deadline - now));
	if (r == 0)
		return -ETIMEDOUT;
	return r < 0 ? -errno : 0;
}

/* Connects to `path` and sends `cmd` and a newline: the fd, or a negative
 * errno with err filled. */
static int connect_send(const char *path, const char *cmd, uint64_t deadline, char *err,
			size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int rc, fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		rc = -errno;
		snprintf(err, errlen, "cannot connect to %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	struct buf req = BUF_INIT;
	rc = buf_puts(&req, cmd) || buf_append(&req, "\n", 1) ? -ENOMEM : 0;
	for (size_t off = 0; !rc && off < req.len;) {
		ssize_t w;
		if ((rc = wait_fd(fd, POLLOUT, deadline)))
			break;
		if ((w = send(fd, req.data + off, req.len - off, MSG_NOSIGNAL)) < 0)
			rc = -errno;
		else
			off += (size_t)w;
	}
	buf_free(&req);
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		close(fd);
		return rc;
	}
	return fd;
}

int ctl_call(const char *path, const char *cmd, int timeout_ms, struct buf *reply,
	     char *err, size_t errlen)
{
	uint64_t deadline = mtime_ms() + (uint64_t)timeout_ms;
	int rc, fd = connect_send(path, cmd, deadline, err, errlen);

	if (fd < 0)
		return fd;
	buf_reset(reply);
	for (;;) {
		char tmp[CTL_READ_SIZE];
		if ((rc = wait_fd(fd, POLLIN, deadline)))
			goto io_err;
		ssize_t r = recv(fd, tmp, sizeof(tmp), 0);
		if (r <= 0) {
			rc = r == 0 ? -ECONNRESET : -errno;
			goto io_err;
		}
		char *nl = memchr(tmp, '\n', (size_t)r);
		if (buf_append(reply, tmp, nl ? (size_t)(nl - tmp) : (size_t)r)) {
			rc = -ENOMEM;
			goto io_err;
		}
		if (nl)
			break;
	}
	buf_cstr(reply);
	rc = 0;
	goto out;
io_err:
	snprintf(err, errlen, "%s: %s", path, strerror(-rc));
out:
	close(fd);
	return rc;
}

int ctl_stream(const char *path, const char *cmd, int out_fd, unsigned long max_lines,
	       char *err, size_t errlen)
{
	int rc = 0, fd = connect_send(path, cmd, mtime_ms() + 5000, err, errlen);
	unsigned long lines = 0;

	if (fd < 0)
		return fd;
	while (!max_lines || lines < max_lines) {
		char tmp[CTL_READ_SIZE];
		ssize_t r = recv(fd, tmp, sizeof(tmp), 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r == 0 ? 0 : -errno;
			break;
		}
		/* Stop right after the max_lines-th newline. */
		size_t n = 0;
		while (n < (size_t)r && (!max_lines || lines < max_lines))
			if (tmp[n++] == '\n')
				lines++;
		for (size_t off = 0; off < n;) {
			ssize_t w = write(out_fd, tmp + off, n - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rc = -errno;
				goto out;
			}
			off += (size_t)w;
		}
	}
out:
	if (rc)
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
	close(fd);
	return rc;
}
