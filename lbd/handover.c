/* handover: listening sockets from a running lbd to its successor (see handover.h). */
#include "handover.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"

#define HANDOVER_MAGIC 0x6c626431u   /* "lbd1" */
#define HANDOVER_END 0x6c626430u     /* "lbd0": no more sockets */
#define HANDOVER_END_CAN_CLOSE 1u    /* in the end message's len: "GC" understood */
#define HANDOVER_END_STATE 2u        /* and "ST" */
#define HANDOVER_END_SECRET 4u       /* and "SK" */
#define HANDOVER_STATE_MAX (1u << 20)
#define HANDOVER_MAX 1024
#define HANDOVER_TIMEOUT_S 5

struct wire {
	uint32_t magic;
	uint32_t len;
	struct sockaddr_storage ss;
};

/* The successor being served (old process side), one at a time: its
 * words are read as they come, on the main loop, never waited for. */
struct handover_peer {
	int fd;                 /* -1: none */
	pid_t pid;
	int sent;               /* the sockets are sent: "GO"/"GC" expected, else "FDS" */
	int nsent;
	char buf[4];
	size_t got;
	ev_io io;
	ev_timer tmr;
};

struct handover_srv {
	struct ev_loop *loop;
	ev_io io;
	int fd;
	struct handover_peer peer;
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

/* "ST": the old process's servers' state (hostate.h). */
static int fetch_state(int fd, struct handover_in *in)
{
	uint32_t nlen;
	int rc = write_word(fd, "ST\n");
	if (!rc)
		rc = read_exact(fd, (char *)&nlen, sizeof(nlen));
	if (rc)
		return rc;
	size_t len = ntohl(nlen);
	if (len > HANDOVER_STATE_MAX)
		return -EPROTO;
	char *t = malloc(len + 1);
	if (!t)
		return -ENOMEM;
	rc = read_exact(fd, t, len);
	if (rc) {
		free(t);
		return rc;
	}
	t[len] = 0;
	in->state = t;
	in->state_len = len;
	return 0;
}

/* "SK": the old process's secrets, kept in `in` (wiped on free). */
static int fetch_secret(int fd, struct handover_in *in)
{
	uint32_t nlen;
	int rc = write_word(fd, "SK\n");
	if (!rc)
		rc = read_exact(fd, (char *)&nlen, sizeof(nlen));
	if (rc)
		return rc;
	size_t len = ntohl(nlen);
	if (len > sizeof(in->secret))
		return -EPROTO;
	rc = read_exact(fd, (char *)in->secret, len);
	if (rc) {
		explicit_bzero(in->secret, sizeof(in->secret));
		return rc;
	}
	in->secret_len = len;
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
			if ((m.len & HANDOVER_END_STATE) && fetch_state(fd, in))
				log_warn("handover: no server state from pid %d; checked servers start as configured",
					 (int)in->peer);
			if ((m.len & HANDOVER_END_SECRET) && fetch_secret(fd, in))
				log_warn("handover: no TLS ticket keys from pid %d; its clients' sessions will not resume here",
					 (int)in->peer);
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
	free(in->state);
	in->state = NULL;
	in->state_len = 0;
	explicit_bzero(in->secret, sizeof(in->secret));
	in->secret_len = 0;
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

static void peer_end(struct handover_srv *s, int rc)
{
	struct handover_peer *p = &s->peer;
	if (p->fd < 0)
		return;
	ev_io_stop(s->loop, &p->io);
	ev_timer_stop(s->loop, &p->tmr);
	if (rc)
		log_warn("handover to pid %d abandoned (%s); still serving", (int)p->pid, strerror(-rc));
	close(p->fd);
	p->fd = -1;
}

/* "FDS" came: every listening socket, then the end of the list. */
static int send_sockets(struct handover_srv *s)
{
	struct handover_peer *p = &s->peer;
	struct handover_sock *list = calloc(HANDOVER_MAX, sizeof(*list));
	if (!list)
		return -ENOMEM;
	int n = s->ops->list(s->arg, list, HANDOVER_MAX), rc = 0;
	for (int i = 0; !rc && i < n; i++)
		rc = send_one(p->fd, HANDOVER_MAGIC, &list[i].addr, list[i].fd, 0);
	free(list);
	if (!rc)
		rc = send_one(p->fd, HANDOVER_END, NULL, -1,
			      HANDOVER_END_CAN_CLOSE | (s->ops->state ? HANDOVER_END_STATE : 0) |
				      (s->ops->secret ? HANDOVER_END_SECRET : 0));
	p->nsent = n;
	return rc;
}

/* "ST" came: the servers' state, its length first. */
static int send_state(struct handover_srv *s)
{
	struct buf b = BUF_INIT;
	s->ops->state(s->arg, &b);
	uint32_t nlen = htonl((uint32_t)b.len);
	ssize_t r = send(s->peer.fd, &nlen, sizeof(nlen), MSG_NOSIGNAL);
	int rc = r == (ssize_t)sizeof(nlen) ? 0 : -EIO;
	size_t off = 0;
	while (!rc && off < b.len) {
		r = send(s->peer.fd, b.data + off, b.len - off, MSG_NOSIGNAL);
		if (r <= 0)
			rc = r < 0 ? -errno : -EIO;
		else
			off += (size_t)r;
	}
	buf_free(&b);
	return rc;
}

/* "SK" came: the secrets, their length first, in one write; wiped here. */
static int send_secret(struct handover_srv *s)
{
	unsigned char b[sizeof(uint32_t) + HANDOVER_SECRET_MAX];
	size_t len = s->ops->secret(s->arg, b + sizeof(uint32_t), HANDOVER_SECRET_MAX);
	uint32_t nlen = htonl((uint32_t)len);
	memcpy(b, &nlen, sizeof(nlen));
	len += sizeof(nlen);
	ssize_t r = send(s->peer.fd, b, len, MSG_NOSIGNAL);
	explicit_bzero(b, sizeof(b));
	return r == (ssize_t)len ? 0 : (r < 0 ? -errno : -EIO);
}

static void peer_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct handover_srv *s = io->data;
	struct handover_peer *p = &s->peer;
	(void)loop; (void)revents;
	size_t want = p->sent ? 3 : 4; /* "GO\n"/"GC\n", "FDS\n" */
	ssize_t r = read(p->fd, p->buf + p->got, want - p->got);
	if (r < 0 && errno == EINTR)
		return;
	if (r <= 0) {
		peer_end(s, r < 0 ? -errno : -ECONNRESET);
		return;
	}
	p->got += (size_t)r;
	if (p->got < want)
		return;
	p->got = 0;
	if (!p->sent) {
		int rc = memcmp(p->buf, "FDS\n", 4) ? -EPROTO : send_sockets(s);
		if (rc)
			peer_end(s, rc);
		p->sent = 1;
		return;
	}
	if (s->ops->state && memcmp(p->buf, "ST\n", 3) == 0) {
		int rc = send_state(s);
		if (rc)
			peer_end(s, rc);
		return;
	}
	if (s->ops->secret && memcmp(p->buf, "SK\n", 3) == 0) {
		int rc = send_secret(s);
		if (rc)
			peer_end(s, rc);
		return;
	}
	if (p->buf[0] != 'G' || (p->buf[1] != 'O' && p->buf[1] != 'C') || p->buf[2] != '\n') {
		peer_end(s, -EPROTO);
		return;
	}
	int close_old = p->buf[1] == 'C', fd = p->fd;
	pid_t pid = p->pid;
	log_notice("handover: %d listening sockets passed to pid %d", p->nsent, (int)pid);
	ev_io_stop(s->loop, &p->io);
	ev_timer_stop(s->loop, &p->tmr);
	p->fd = -1;
	s->ops->release(s->arg, pid, close_old); /* may close s */
	write_word(fd, "OK\n");
	close(fd);
}

static void peer_timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)loop; (void)revents;
	peer_end(t->data, -ETIMEDOUT);
}

/* One successor at a time; its words are awaited on the main loop (a
 * successor takes its time to start its workers between "FDS" and "GO"),
 * within HANDOVER_TIMEOUT_S in all. */
static void accept_cb(struct ev_loop *loop, ev_io *io, int revents)
{
	struct handover_srv *s = io->data;
	struct handover_peer *p = &s->peer;
	(void)revents;
	/* Blocking, bounded by its timeouts: read only when readable. */
	int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (p->fd >= 0) {
		close(fd); /* the next successor tries again when this one is through */
		return;
	}
	set_timeouts(fd);
	memset(p, 0, offsetof(struct handover_peer, io));
	p->fd = fd;
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) == 0)
		p->pid = cr.pid;
	ev_io_init(&p->io, peer_cb, fd, EV_READ);
	p->io.data = s;
	ev_io_start(loop, &p->io);
	ev_timer_init(&p->tmr, peer_timeout_cb, HANDOVER_TIMEOUT_S, 0);
	p->tmr.data = s;
	ev_timer_start(loop, &p->tmr);
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
	s->peer.fd = -1;
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
	peer_end(s, 0);
	ev_io_stop(s->loop, &s->io);
	close(s->fd);
	if (unlink_path)
		unlink(s->path);
	free(s->path);
	free(s);
}
