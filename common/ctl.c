#include "ctl.h"
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
 * answered one at a time (client_process), so a client that writes commands
 * and never reads holds at most one reply; a subscriber that does not read
 * is dropped once its backlog of events passes CTL_MAX_PENDING_EVENTS.  At
 * most CTL_MAX_CLIENTS x (one reply + the events backlog). */
#define CTL_MAX_CLIENTS 64
#define CTL_MAX_PENDING_OUT (1u << 20)     /* one reply */
#define CTL_MAX_PENDING_EVENTS (64u << 10) /* some 250 transitions */
#define CTL_READ_SIZE 4096

struct ctl_client {
	struct ctl_server *srv;
	int fd;
	int subscribed;
	int closing;
	int eof;                /* the client wrote its last command */
	ev_io rio, wio;
	struct buf in, out;
	struct ctl_client *next;
};

struct ctl_server {
	struct ev_loop *loop;
	int fd;
	char *path;
	ev_io lio;
	ctl_handler_fn handler;
	void *arg;
	struct ctl_client *clients;
	int nclients;
};

static void client_close(struct ctl_client *c)
{
	struct ctl_server *s = c->srv;
	ev_io_stop(s->loop, &c->rio);
	ev_io_stop(s->loop, &c->wio);
	close(c->fd);
	for (struct ctl_client **pp = &s->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	s->nclients--;
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
}

static void client_process(struct ctl_client *c);

/* Try to write what is queued, then answer the next command waiting; 0, or
 * -1 if the client was closed. */
static int client_flush(struct ctl_client *c)
{
	/* Each round answers one line of what was read: at most this many. */
	for (int round = 0; round <= CTL_MAX_LINE + CTL_READ_SIZE; round++) {
		while (c->out.len) {
			ssize_t w = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			if (w < 0) {
				client_close(c);
				return -1;
			}
			buf_consume(&c->out, (size_t)w);
		}
		if (c->out.len || c->closing)
			break;
		size_t before = c->in.len;
		client_process(c);
		if (c->in.len == before && !c->out.len)
			break; /* nothing more to answer for now */
	}
	if (c->out.len)
		ev_io_start(c->srv->loop, &c->wio);
	else
		ev_io_stop(c->srv->loop, &c->wio);
	if (!c->out.len && c->closing) {
		client_close(c);
		return -1;
	}
	return 0;
}

/* limit: CTL_MAX_PENDING_OUT for a reply, CTL_MAX_PENDING_EVENTS for an event. */
static void client_queue(struct ctl_client *c, const char *s, size_t n, size_t limit)
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

static void client_command(struct ctl_client *c, char *line)
{
	char *argv[CTL_MAX_ARGS];
	struct buf reply = BUF_INIT;
	int argc = ctl_split(line, argv, CTL_MAX_ARGS);

	if (argc == 0)
		return;
	if (argc < 0) {
		buf_puts(&reply, "{\"ok\":false,\"error\":\"expected a command with at most 16 words\"}");
	} else if (strcmp(argv[0], "subscribe") == 0) {
		c->subscribed = 1;
		buf_puts(&reply, "{\"ok\":true,\"subscribed\":true}");
	} else {
		int rc = c->srv->handler(c->srv->arg, argc, argv, &reply);
		if (rc < 0) {
			struct buf e = BUF_INIT;
			buf_puts(&e, "{\"ok\":false,\"error\":");
			json_string_n(&e, reply.data ? reply.data : "failed", reply.data ? reply.len : 6);
			buf_puts(&e, "}");
			buf_free(&reply);
			reply = e;
		}
	}
	client_queue(c, reply.data ? reply.data : "{}", reply.data ? reply.len : 2, CTL_MAX_PENDING_OUT);
	buf_free(&reply);
}

static int has_line(const struct ctl_client *c)
{
	return c->in.len && memchr(c->in.data, '\n', c->in.len);
}

/* Answer the next complete line, only once the previous reply has gone out
 * (client_flush calls this again then).  While a line waits, nothing more
 * is read: what a client has sent is bounded by one line and one read. */
static void client_process(struct ctl_client *c)
{
	if (!c->closing && !c->out.len) {
		char *nl = c->in.len ? memchr(c->in.data, '\n', c->in.len) : NULL;
		if (nl) {
			*nl = '\0';
			size_t used = (size_t)(nl - c->in.data) + 1;
			if (nl > c->in.data && nl[-1] == '\r')
				nl[-1] = '\0';
			client_command(c, c->in.data);
			buf_consume(&c->in, used);
		} else if (c->in.len > CTL_MAX_LINE) {
			client_queue(c, "{\"ok\":false,\"error\":\"line too long\"}", 36, CTL_MAX_PENDING_OUT);
			c->closing = 1;
			c->in.len = 0;
		}
	}
	if (c->eof && !has_line(c))
		c->closing = 1;
	if (c->closing || c->eof || has_line(c))
		ev_io_stop(c->srv->loop, &c->rio);
	else
		ev_io_start(c->srv->loop, &c->rio);
}

static void client_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_client *c = w->data;
	char tmp[CTL_READ_SIZE];
	(void)loop;
	(void)revents;

	ssize_t r = recv(c->fd, tmp, sizeof(tmp), MSG_DONTWAIT);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (r <= 0) {
		/* The lines already read are still answered, then it closes. */
		c->eof = 1;
	} else if (buf_append(&c->in, tmp, (size_t)r)) {
		client_close(c);
		return;
	}
	client_process(c);
	client_flush(c);
}

static void client_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	client_flush(w->data);
}

static void server_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_server *s = w->data;
	(void)revents;

	int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (s->nclients >= CTL_MAX_CLIENTS) {
		close(fd);
		return;
	}
	struct ctl_client *c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->srv = s;
	c->fd = fd;
	ev_io_init(&c->rio, client_read_cb, fd, EV_READ);
	ev_io_init(&c->wio, client_write_cb, fd, EV_WRITE);
	c->rio.data = c->wio.data = c;
	c->next = s->clients;
	s->clients = c;
	s->nclients++;
	ev_io_start(loop, &c->rio);
}

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
	s->loop = loop;
	s->fd = fd;
	s->handler = handler;
	s->arg = arg;
	ev_io_init(&s->lio, server_accept_cb, fd, EV_READ);
	s->lio.data = s;
	ev_io_start(loop, &s->lio);
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
	struct ctl_client *c = s->clients;
	while (c) {
		struct ctl_client *next = c->next;
		if (c->subscribed) {
			client_queue(c, json_line, n, CTL_MAX_PENDING_EVENTS);
			client_flush(c);
		}
		c = next;
	}
}

void ctl_server_close(struct ctl_server *s)
{
	if (!s)
		return;
	while (s->clients)
		client_close(s->clients);
	ev_io_stop(s->loop, &s->lio);
	close(s->fd);
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
