/* handover: listening sockets from a running lbd to its successor (see handover.h). */
#include "handover.h"

#include <errno.h>
#include <ev.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

#define HANDOVER_MAGIC 0x6c626431u   /* "lbd1" */
#define HANDOVER_END 0x6c626430u     /* "lbd0": no more sockets */
#define HANDOVER_END_CAN_CLOSE 1u    /* in the end message's len: "GC" understood */
#define HANDOVER_MAX 1024
#define HANDOVER_TIMEOUT_S 5

struct wire {
	uint32_t magic;
	uint32_t len;
	struct sockaddr_storage ss;
};

struct handover_srv {
	struct ev_loop *loop;
	ev_io io;
	int fd;
	char *path;
	const struct handover_ops *ops;
	void *arg;
};

static int set_path(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	strcpy(sun->sun_path, path);
	return 0;
}

static void set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = HANDOVER_TIMEOUT_S };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Read `len` bytes: a short word ending in a newline. */
static int read_exact(int fd, char *b, size_t len)
{
	size_t n = 0;
	while (n < len) {
		ssize_t r = read(fd, b + n, len - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -ECONNRESET;
		n += (size_t)r;
	}
	return 0;
}

/* Read a short word ("FDS", "OK") ending in a newline. */
static int read_word(int fd, const char *want)
{
	char b[8];
	size_t len = strlen(want);
	int rc = read_exact(fd, b, len + 1);
	if (rc)
		return rc;
	return memcmp(b, want, len) == 0 && b[len] == '\n' ? 0 : -EPROTO;
}

/* "GO" (1 in *close_old: 0) or "GC" (1). */
static int read_go(int fd, int *close_old)
{
	char b[3];
	int rc = read_exact(fd, b, sizeof(b));
	if (rc)
		return rc;
	if (b[0] != 'G' || (b[1] != 'O' && b[1] != 'C') || b[2] != '\n')
		return -EPROTO;
	*close_old = b[1] == 'C';
	return 0;
}

static int write_word(int fd, const char *w)
{
	size_t len = strlen(w);
	ssize_t r = send(fd, w, len, MSG_NOSIGNAL);
	return r == (ssize_t)len ? 0 : (r < 0 ? -errno : -EIO);
}

/* ---- new process ------------------------------------------------------------------- */

static int recv_one(int fd, struct wire *m, int *sock)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { m, sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	*sock = -1;
	ssize_t r;
	do
		r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_WAITALL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(sock, CMSG_DATA(c), sizeof(int));
	if (r != (ssize_t)sizeof(*m) || (mh.msg_flags & MSG_CTRUNC))
		return -EPROTO;
	return 0;
}

int handover_fetch(const char *path, struct handover_in *in, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	memset(in, 0, sizeof(*in));
	in->conn = -1;
	if (set_path(&sun, path)) {
		snprintf(err, errlen, "handover socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "handover socket: %s", strerror(errno));
		return -errno;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		int e = errno;
		close(fd);
		if (e == ENOENT || e == ECONNREFUSED)
			return 0;
		snprintf(err, errlen, "handover socket %s: %s", path, strerror(e));
		return -e;
	}
	set_timeouts(fd);
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) == 0)
		in->peer = cr.pid;
	in->conn = fd;
	int rc = write_word(fd, "FDS\n");
	while (!rc) {
		struct wire m;
		int sock;
		memset(&m, 0, sizeof(m));
		rc = recv_one(fd, &m, &sock);
		if (!rc && m.magic == HANDOVER_END && sock < 0) {
			in->can_close = (m.len & HANDOVER_END_CAN_CLOSE) != 0;
			return 1;
		}
		if (!rc && (m.magic != HANDOVER_MAGIC || sock < 0 || m.len > sizeof(m.ss) || in->n == HANDOVER_MAX))
			rc = -EPROTO;
		if (!rc) {
			struct handover_sock *a = realloc(in->s, (size_t)(in->n + 1) * sizeof(*a));
			if (!a) {
				rc = -ENOMEM;
			} else {
				in->s = a;
				memset(&a[in->n], 0, sizeof(a[in->n]));
				a[in->n].addr.ss = m.ss;
				a[in->n].addr.len = m.len;
				a[in->n].fd = sock;
				in->n++;
				continue;
			}
		}
		if (sock >= 0)
			close(sock);
	}
	snprintf(err, errlen, "handover from %s: %s", path, strerror(-rc));
	handover_in_free(in);
	return rc;
}

int handover_take(struct handover_in *in, const struct addr *a)
{
	for (int i = 0; in && i < in->n; i++) {
		struct handover_sock *h = &in->s[i];
		if (h->fd >= 0 && addr_equal_ip(&h->addr, a) && addr_port(&h->addr) == addr_port(a)) {
			int fd = h->fd;
			h->fd = -1;
			return fd;
		}
	}
	return -1;
}

int handover_release(struct handover_in *in, int close_old, char *err, size_t errlen)
{
	int rc = write_word(in->conn, close_old ? "GC\n" : "GO\n");
	if (!rc)
		rc = read_word(in->conn, "OK");
	if (rc)
		snprintf(err, errlen, "handover: the old process (pid %d) did not confirm: %s", (int)in->peer,
			 strerror(-rc));
	close(in->conn);
	in->conn = -1;
	return rc;
}

int handover_in_free(struct handover_in *in)
{
	int n = 0;
	for (int i = 0; i < in->n; i++)
		if (in->s[i].fd >= 0) {
			close(in->s[i].fd);
			n++;
		}
	free(in->s);
	in->s = NULL;
	in->n = 0;
	if (in->conn >= 0)
		close(in->conn);
	in->conn = -1;
	return n;
}

/* ---- old process --------------------------------------------------------------------- */

static int send_one(int fd, uint32_t magic, const struct addr *a, int sock, uint32_t flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct wire m;
	memset(&m, 0, sizeof(m));
	m.magic = magic;
	if (a) {
		m.ss = a->ss;
		m.len = a->len;
	} else {
		m.len = flags;
	}
	struct iovec iov = { &m, sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (sock >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &sock, sizeof(int));
	}
	ssize_t r = sendmsg(fd, &mh, MSG_NOSIGNAL);
	return r == (ssize_t)sizeof(m) ? 0 : (r < 0 ? -errno : -EIO);
}

/* One successor at a time, served to the end on the main loop: it only
 * waits for the new process to start its workers (bounded by the timeout). */
static void accept_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct handover_srv *s = io->data;
	(void)loop; (void)revents;
	int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	set_timeouts(fd);
	pid_t peer = 0;
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) == 0)
		peer = cr.pid;
	struct handover_sock *list = calloc(HANDOVER_MAX, sizeof(*list));
	int rc = list ? read_word(fd, "FDS") : -ENOMEM;
	int n = rc ? 0 : s->ops->list(s->arg, list, HANDOVER_MAX);
	for (int i = 0; !rc && i < n; i++)
		rc = send_one(fd, HANDOVER_MAGIC, &list[i].addr, list[i].fd, 0);
	free(list);
	if (!rc)
		rc = send_one(fd, HANDOVER_END, NULL, -1, HANDOVER_END_CAN_CLOSE);
	int close_old = 0;
	if (!rc)
		rc = read_go(fd, &close_old);
	if (rc) {
		log_warn("handover to pid %d abandoned (%s); still serving", (int)peer, strerror(-rc));
		close(fd);
		return;
	}
	log_notice("handover: %d listening sockets passed to pid %d", n, (int)peer);
	s->ops->release(s->arg, peer, close_old); /* may close s */
	write_word(fd, "OK\n");
	close(fd);
}

struct handover_srv *handover_listen(struct ev_loop *loop, const char *path, const struct handover_ops *ops,
				     void *arg, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	if (set_path(&sun, path)) {
		snprintf(err, errlen, "handover socket path too long: %s", path);
		return NULL;
	}
	struct handover_srv *s = calloc(1, sizeof(*s));
	if (!s || !(s->path = strdup(path))) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		goto bad;
	unlink(path);
	mode_t old = umask(0177);
	int brc = bind(s->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (brc || listen(s->fd, 4))
		goto bad;
	s->loop = loop;
	s->ops = ops;
	s->arg = arg;
	ev_io_init(&s->io, accept_cb, s->fd, EV_READ);
	s->io.data = s;
	ev_io_start(loop, &s->io);
	return s;
bad:
	snprintf(err, errlen, "handover socket %s: %s", path, strerror(errno));
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	free(s);
	return NULL;
}

void handover_close(struct handover_srv *s, int unlink_path)
{
	if (!s)
		return;
	ev_io_stop(s->loop, &s->io);
	close(s->fd);
	if (unlink_path)
		unlink(s->path);
	free(s->path);
	free(s);
}
