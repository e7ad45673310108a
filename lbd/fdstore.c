/* fdstore: listening sockets kept by systemd across a restart (see fdstore.h). */
#include "fdstore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "addr.h"
#include "handover.h"
#include "log.h"

#define LISTEN_FDS_START 3
#define FDSTORE_MAX 4096
#define FDS_PER_MSG 64          /* well under the kernel's SCM_MAX_FD (253) */

struct stored {
	char name[FDSTORE_NAMELEN];
	ino_t ino;
};

struct fdstore {
	struct sockaddr_un sun;
	socklen_t sunlen;
	struct stored *s;
	int n;
};

const char *fdstore_name(const struct handover_sock *s, char *out, size_t outlen)
{
	char a[ADDR_STRLEN];
	addr_format(&s->addr, a, sizeof(a));
	for (char *p = a; *p; p++)
		if (*p == ':')
			*p = '_';
	snprintf(out, outlen, "lbd-%s", a);
	return out;
}

/* ---- receiving (the new process) ------------------------------------------------------- */

static int listening_inet(int fd, struct addr *a)
{
	int v = 0;
	socklen_t len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) || !v)
		return 0;
	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) || v != SOCK_STREAM)
		return 0;
	memset(a, 0, sizeof(*a));
	a->len = sizeof(a->ss);
	if (getsockname(fd, (struct sockaddr *)&a->ss, &a->len))
		return 0;
	return a->ss.ss_family == AF_INET || a->ss.ss_family == AF_INET6;
}

int fdstore_fetch(struct handover_in *in, char *err, size_t errlen)
{
	memset(in, 0, sizeof(*in));
	in->conn = -1;
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	int n = fds ? atoi(fds) : 0;
	int mine = pid && strtol(pid, NULL, 10) == (long)getpid();
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (!mine || n <= 0)
		return 0;
	if (n > FDSTORE_MAX) {
		snprintf(err, errlen, "LISTEN_FDS=%d: more than %d", n, FDSTORE_MAX);
		return -EINVAL;
	}
	in->s = calloc((size_t)n, sizeof(*in->s));
	if (!in->s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (int fd = LISTEN_FDS_START; fd < LISTEN_FDS_START + n; fd++) {
		struct addr a;
		if (!listening_inet(fd, &a)) {
			close(fd); /* not ours to keep (nor to leak into an upgrade) */
			continue;
		}
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		in->s[in->n].addr = a;
		in->s[in->n].fd = fd;
		in->n++;
	}
	return in->n > 0;
}

/* ---- storing (the running process) ------------------------------------------------------ */

struct fdstore *fdstore_new(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	if (!path || (path[0] != '/' && path[0] != '@'))
		return NULL;
	size_t len = strlen(path);
	struct fdstore *st = calloc(1, sizeof(*st));
	if (!st || len >= sizeof(st->sun.sun_path)) {
		free(st);
		return NULL;
	}
	st->sun.sun_family = AF_UNIX;
	memcpy(st->sun.sun_path, path, len);
	if (path[0] == '@')
		st->sun.sun_path[0] = 0;
	st->sunlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	return st;
}

void fdstore_free(struct fdstore *st)
{
	if (!st)
		return;
	free(st->s);
	free(st);
}

int fdstore_count(const struct fdstore *st)
{
	return st ? st->n : 0;
}

/* One notify datagram, with up to FDS_PER_MSG descriptors. */
static int notify(const struct fdstore *st, const char *text, const int *fds, int nfds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * FDS_PER_MSG)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { (void *)text, strlen(text) };
	struct msghdr mh = { .msg_name = (void *)&st->sun, .msg_namelen = st->sunlen, .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds > 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
	}
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ssize_t r = sendmsg(fd, &mh, MSG_NOSIGNAL);
	int rc = r < 0 ? -errno : 0;
	close(fd);
	return rc;
}

static int send_remove(const struct fdstore *st, const char *name)
{
	char msg[FDSTORE_NAMELEN + 40];
	snprintf(msg, sizeof(msg), "FDSTOREREMOVE=1\nFDNAME=%s", name);
	return notify(st, msg, NULL, 0);
}

static int send_store(const struct fdstore *st, const char *name, const int *fds, int n)
{
	char msg[FDSTORE_NAMELEN + 40];
	snprintf(msg, sizeof(msg), "FDSTORE=1\nFDNAME=%s", name);
	for (int i = 0; i < n; i += FDS_PER_MSG) {
		int rc = notify(st, msg, fds + i, n - i < FDS_PER_MSG ? n - i : FDS_PER_MSG);
		if (rc)
			return rc;
	}
	return 0;
}

/* Does `name` have the same set of sockets in the store and in now[]? */
static int same_set(const struct fdstore *st, const struct stored *now, int n, const char *name)
{
	int ns = 0, nc = 0;
	for (int i = 0; i < st->n; i++)
		if (!strcmp(st->s[i].name, name)) {
			ns++;
			int found = 0;
			for (int j = 0; j < n && !found; j++)
				found = !strcmp(now[j].name, name) && now[j].ino == st->s[i].ino;
			if (!found)
				return 0;
		}
	for (int j = 0; j < n; j++)
		nc += !strcmp(now[j].name, name);
	return ns == nc;
}

/* Is arr[i] the first entry with its name? */
static int first_of(const struct stored *arr, int i)
{
	for (int j = 0; j < i; j++)
		if (!strcmp(arr[j].name, arr[i].name))
			return 0;
	return 1;
}

static int has_name(const struct stored *arr, int n, const char *name)
{
	for (int j = 0; j < n; j++)
		if (!strcmp(arr[j].name, name))
			return 1;
	return 0;
}

int fdstore_sync(struct fdstore *st, const struct handover_sock *s, int n)
{
	if (!st)
		return 0;
	struct stored *now = calloc((size_t)(n ? n : 1), sizeof(*now));
	int *fds = calloc((size_t)(n ? n : 1), sizeof(*fds));
	int rc = 0, stored = 0, removed = 0;
	if (!now || !fds) {
		rc = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < n; i++) {
		struct stat sb;
		fdstore_name(&s[i], now[i].name, sizeof(now[i].name));
		now[i].ino = fstat(s[i].fd, &sb) ? 0 : sb.st_ino;
	}
	/* Names gone, or whose sockets changed: removed (then stored again). */
	for (int i = 0; i < st->n && !rc; i++)
		if (first_of(st->s, i) && !same_set(st, now, n, st->s[i].name)) {
			rc = send_remove(st, st->s[i].name);
			removed++;
		}
	for (int i = 0; i < n && !rc; i++) {
		if (!first_of(now, i) || (has_name(st->s, st->n, now[i].name) && same_set(st, now, n, now[i].name)))
			continue;
		int k = 0;
		for (int j = i; j < n; j++)
			if (!strcmp(now[j].name, now[i].name))
				fds[k++] = s[j].fd;
		rc = send_store(st, now[i].name, fds, k);
		stored += k;
	}
	if (!rc) {
		free(st->s);
		st->s = now;
		st->n = n;
		now = NULL;
		if (stored || removed)
			log_info("fd store: %d listening sockets given to systemd, %d addresses withdrawn (%d held)",
				 stored, removed, n);
	} else {
		log_warn("fd store: systemd's notify socket refused a message (%s); a restart may lose connections",
			 strerror(-rc));
	}
out:
	free(fds);
	free(now);
	return rc;
}

void fdstore_forget(struct fdstore *st, const struct handover_sock *s, int n)
{
	char name[FDSTORE_NAMELEN];
	for (int i = 0; st && i < n; i++)
		if (s[i].fd >= 0)
			send_remove(st, fdstore_name(&s[i], name, sizeof(name)));
}
