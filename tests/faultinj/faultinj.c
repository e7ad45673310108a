/* faultinj: an LD_PRELOAD library for tests that makes socket I/O behave
 * as the kernel is allowed to but rarely does on loopback: recv, read,
 * readv, send, sendmsg, write, writev and splice return short counts and
 * EAGAIN at random.
 *
 * Only calls that may legally do so are touched: stream sockets that are
 * non-blocking (O_NONBLOCK, or MSG_DONTWAIT / SPLICE_F_NONBLOCK for the
 * call).  A datagram is never cut, a blocking socket never gets EAGAIN.
 * A made-up EAGAIN leaves the data (or the room) where it was, so a
 * level-triggered poller (libev's epoll) reports the socket again: a
 * program that waits for readiness after EAGAIN is never left waiting.
 *
 *   FAULTINJ_SEED=N     the random sequence (default: from the clock); printed
 *                       on stderr at start so a failure can be replayed
 *   FAULTINJ_RATE=P     percent of eligible calls disturbed (default 30)
 *   FAULTINJ_OPS=a,b    only these calls (default: all of them), e.g. "send"
 *   FAULTINJ_SHORT=1    a disturbed call is only cut short, never fails with
 *                       EAGAIN, and the next call on the descriptor may be
 *                       disturbed too (each still moves at least one byte):
 *                       a program then sees short counts with room or data
 *                       still there, call after call, and must go on by
 *                       itself, as no readiness event need come
 *
 * A disturbed call fails with EAGAIN, or moves fewer bytes than asked: one
 * byte, up to 64, up to 1024, or anything short of the full count, each
 * equally likely, so small cuts (the ones that break buffer arithmetic)
 * come often.  Each thread draws from its own sequence, seeded from
 * FAULTINJ_SEED and the order in which threads first do I/O.  A call
 * on a descriptor whose previous call was disturbed goes through whole, so
 * that progress is certain at any rate. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum op { OP_RECV, OP_READ, OP_READV, OP_SEND, OP_SENDMSG, OP_WRITE, OP_WRITEV, OP_SPLICE, OP_COUNT };
static const char *const op_names[OP_COUNT] = {
	"recv", "read", "readv", "send", "sendmsg", "write", "writev", "splice",
};

static uint64_t g_seed;
static unsigned g_rate = 30;
static int g_short;
static int g_ops[OP_COUNT];
static atomic_uint g_threads;
static __thread uint64_t t_state;
#define MAX_FDS 65536
static atomic_uchar g_last_disturbed[MAX_FDS];

__attribute__((constructor)) static void faultinj_init(void)
{
	const char *s = getenv("FAULTINJ_SEED");
	if (s && *s) {
		g_seed = strtoull(s, NULL, 10);
	} else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		g_seed = ((uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 20)) % 1000000000u;
	}
	s = getenv("FAULTINJ_RATE");
	if (s && *s)
		g_rate = (unsigned)strtoul(s, NULL, 10);
	s = getenv("FAULTINJ_SHORT");
	g_short = s && *s && strcmp(s, "0");
	s = getenv("FAULTINJ_OPS");
	for (int i = 0; i < OP_COUNT; i++) {
		if (!s || !*s) {
			g_ops[i] = 1;
			continue;
		}
		size_t n = strlen(op_names[i]);
		for (const char *p = s; *p;) {
			size_t len = strcspn(p, ",");
			if (len == n && !strncmp(p, op_names[i], n))
				g_ops[i] = 1;
			p += len;
			if (*p == ',')
				p++;
		}
	}
	/* Only the program under test: not what it starts (a sanitizer's
	 * symbolizer, say). */
	unsetenv("LD_PRELOAD");
	fprintf(stderr, "faultinj: seed %llu, rate %u%%, ops %s%s (replay with FAULTINJ_SEED=%llu)\n",
		(unsigned long long)g_seed, g_rate, s && *s ? s : "all", g_short ? ", short counts only" : "",
		(unsigned long long)g_seed);
}

/* xorshift64*: small, and good enough to pick faults. */
static uint64_t rnd(void)
{
	if (!t_state) {
		uint64_t k = atomic_fetch_add(&g_threads, 1) + 1;
		t_state = (g_seed + 1) * 0x9E3779B97F4A7C15ull ^ k * 0xBF58476D1CE4E5B9ull;
		if (!t_state)
			t_state = 1;
	}
	t_state ^= t_state >> 12;
	t_state ^= t_state << 25;
	t_state ^= t_state >> 27;
	return t_state * 0x2545F4914F6CDD1Dull;
}

static void *real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);
	if (!f) {
		fprintf(stderr, "faultinj: no %s to wrap\n", name);
		abort();
	}
	return f;
}
/* A sanitizer linked into the program intercepts these calls too, but the
 * program's calls bind to this library first.  So a wrapper passes the call
 * on to the sanitizer's interceptor (which checks the bytes the call
 * wrote), and the interceptor's own call of the "real" function, which
 * comes back here, goes to libc (t_inside). */
static __thread int t_inside;
static void *interceptor(const char *name, void *libc_fn)
{
	char sym[64];
	snprintf(sym, sizeof(sym), "__interceptor_%s", name);
	void *f = dlsym(RTLD_DEFAULT, sym);
	if (!f) {
		snprintf(sym, sizeof(sym), "___interceptor_%s", name);
		f = dlsym(RTLD_DEFAULT, sym);
	}
	return f ? f : libc_fn;
}
#define REAL(name) \
	static __typeof__(&name) real_##name, via_##name; \
	if (!real_##name) { \
		via_##name = (__typeof__(&name))interceptor(#name, real(#name)); \
		real_##name = (__typeof__(&name))real(#name); \
	}
/* Call name(args) through the sanitizer; a call from inside it goes to libc. */
#define PASS(name, ...) \
	do { \
		if (t_inside) \
			return real_##name(__VA_ARGS__); \
		t_inside = 1; \
		ssize_t r_ = via_##name(__VA_ARGS__); \
		int e_ = errno; \
		t_inside = 0; \
		errno = e_; \
		return r_; \
	} while (0)

/* May this call on fd return EAGAIN or a short count? */
static int eligible(int fd, int nonblock_flag)
{
	int type = 0;
	socklen_t len = sizeof(type);
	int saved = errno;
	int ok = getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM;
	if (ok && !nonblock_flag) {
		int fl = fcntl(fd, F_GETFL);
		ok = fl >= 0 && (fl & O_NONBLOCK);
	}
	errno = saved;
	return ok;
}

/* A short count for a call of len > 1 bytes, from the random bits r. */
static size_t cut(uint64_t r, size_t len)
{
	static const size_t caps[4] = { 1, 64, 1024, SIZE_MAX };
	size_t cap = caps[r & 3];
	r >>= 2;
	if (cap > len - 1)
		cap = len - 1;
	return 1 + (size_t)(r % cap);
}

/* The count to pass on to the real call (len: untouched), or *eagain set. */
static size_t disturb(enum op op, int fd, int nonblock_flag, size_t len, int *eagain)
{
	*eagain = 0;
	if (!g_ops[op] || len == 0 || (g_short && len == 1) || !eligible(fd, nonblock_flag))
		return len;
	if (g_short) {
		uint64_t r = rnd();
		if (r % 100 >= g_rate)
			return len;
		return cut(r >> 8, len);
	}
	/* Never twice in a row on one descriptor: every second call goes
	 * through, so a program always makes progress, even at 100%. */
	atomic_uchar *last = fd >= 0 && fd < MAX_FDS ? &g_last_disturbed[fd] : NULL;
	if (last && atomic_exchange(last, 0))
		return len;
	uint64_t r = rnd();
	if (r % 100 >= g_rate)
		return len;
	if (last)
		atomic_store(last, 1);
	r >>= 8;
	if (len == 1 || (r & 1)) {
		*eagain = 1;
		return 0;
	}
	return cut(r >> 1, len);
}

#define EAGAIN_OUT() \
	do { \
		errno = EAGAIN; \
		return -1; \
	} while (0)

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	REAL(recv);
	if (t_inside)
		return real_recv(fd, buf, len, flags);
	int ea;
	size_t n = disturb(OP_RECV, fd, flags & MSG_DONTWAIT, len, &ea);
	if (ea)
		EAGAIN_OUT();
	PASS(recv, fd, buf, n, flags);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	REAL(send);
	if (t_inside)
		return real_send(fd, buf, len, flags);
	int ea;
	size_t n = disturb(OP_SEND, fd, flags & MSG_DONTWAIT, len, &ea);
	if (ea)
		EAGAIN_OUT();
	PASS(send, fd, buf, n, flags);
}

ssize_t read(int fd, void *buf, size_t len)
{
	REAL(read);
	if (t_inside)
		return real_read(fd, buf, len);
	int ea;
	size_t n = disturb(OP_READ, fd, 0, len, &ea);
	if (ea)
		EAGAIN_OUT();
	PASS(read, fd, buf, n);
}

ssize_t write(int fd, const void *buf, size_t len)
{
	REAL(write);
	if (t_inside)
		return real_write(fd, buf, len);
	int ea;
	size_t n = disturb(OP_WRITE, fd, 0, len, &ea);
	if (ea)
		EAGAIN_OUT();
	PASS(write, fd, buf, n);
}

static size_t iov_total(const struct iovec *iov, int cnt)
{
	size_t t = 0;
	for (int i = 0; i < cnt; i++)
		t += iov[i].iov_len;
	return t;
}

/* The first vectors of iov, cut to hold n bytes, in copy. */
static int iov_cut(const struct iovec *iov, int cnt, size_t n, struct iovec *copy)
{
	int i = 0;
	for (; i < cnt && n; i++) {
		copy[i] = iov[i];
		if (copy[i].iov_len > n)
			copy[i].iov_len = n;
		n -= copy[i].iov_len;
	}
	return i;
}

/* Vector calls with more than 64 vectors pass whole. */
ssize_t readv(int fd, const struct iovec *iov, int cnt)
{
	REAL(readv);
	if (t_inside || cnt < 0 || cnt > 64)
		return real_readv(fd, iov, cnt);
	int ea;
	size_t len = iov_total(iov, cnt);
	size_t n = disturb(OP_READV, fd, 0, len, &ea);
	if (ea)
		EAGAIN_OUT();
	struct iovec copy[64];
	if (n < len)
		cnt = iov_cut(iov, cnt, n, copy);
	PASS(readv, fd, n < len ? copy : iov, cnt);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	REAL(writev);
	if (t_inside || cnt < 0 || cnt > 64)
		return real_writev(fd, iov, cnt);
	int ea;
	size_t len = iov_total(iov, cnt);
	size_t n = disturb(OP_WRITEV, fd, 0, len, &ea);
	if (ea)
		EAGAIN_OUT();
	struct iovec copy[64];
	if (n < len)
		cnt = iov_cut(iov, cnt, n, copy);
	PASS(writev, fd, n < len ? copy : iov, cnt);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	REAL(sendmsg);
	int cnt = (int)msg->msg_iovlen;
	/* ancillary data goes whole */
	if (t_inside || cnt < 0 || cnt > 64 || msg->msg_controllen)
		return real_sendmsg(fd, msg, flags);
	int ea;
	size_t len = iov_total(msg->msg_iov, cnt);
	size_t n = disturb(OP_SENDMSG, fd, flags & MSG_DONTWAIT, len, &ea);
	if (ea)
		EAGAIN_OUT();
	struct iovec copy[64];
	struct msghdr m = *msg;
	if (n < len) {
		m.msg_iov = copy;
		m.msg_iovlen = (size_t)iov_cut(msg->msg_iov, cnt, n, copy);
	}
	PASS(sendmsg, fd, &m, flags);
}

ssize_t splice(int in, loff_t *off_in, int out, loff_t *off_out, size_t len, unsigned int flags)
{
	REAL(splice);
	if (t_inside)
		return real_splice(in, off_in, out, off_out, len, flags);
	int ea = 0;
	size_t n = len;
	/* The socket end decides; the pipe end is non-blocking by the flag. */
	if (flags & SPLICE_F_NONBLOCK) {
		n = disturb(OP_SPLICE, in, 0, len, &ea);
		if (!ea && n == len)
			n = disturb(OP_SPLICE, out, 0, len, &ea);
	}
	if (ea)
		EAGAIN_OUT();
	PASS(splice, in, off_in, out, off_out, n, flags);
}
