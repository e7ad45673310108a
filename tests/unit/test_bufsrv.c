/* Unit tests of common/bufsrv.c with a toy line protocol ("echo" each line
 * back, "quit" closes after its answer) on a loopback TCP socket, driven by
 * this test's own loop: admission, answers in order, closing after the last
 * byte is sent, the client's half-close, the deadline, the connection limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/bufsrv.h"

struct toy {
	struct bufsrv *srv;
	int refuse;      /* admit says no */
	int opened, closed;
	double deadline; /* armed at open when not 0 */
};

static void toy_answer(void *arg, struct bufsrv_conn *c)
{
	(void)arg;
	/* one line per call, as ctl does: the rest waits for `drained` */
	char *nl = c->in.len ? memchr(c->in.data, '\n', c->in.len) : NULL;
	if (nl) {
		size_t n = (size_t)(nl - c->in.data) + 1;
		if (n == 5 && !memcmp(c->in.data, "quit", 4))
			c->closing = 1;
		buf_append(&c->out, c->in.data, n);
		buf_consume(&c->in, n);
	}
	if (c->eof && !(c->in.len && memchr(c->in.data, '\n', c->in.len)))
		c->closing = 1;
}

static int toy_admit(void *arg, const struct bufsrv_conn *c)
{
	struct toy *t = arg;
	assert_int_equal(c->peer.ss_family, AF_INET);
	return !t->refuse;
}

static void toy_opened(void *arg, struct bufsrv_conn *c)
{
	struct toy *t = arg;
	t->opened++;
	if (t->deadline > 0)
		bufsrv_deadline(c, t->deadline);
}

static void toy_closed(void *arg, struct bufsrv_conn *c)
{
	struct toy *t = arg;
	(void)c;
	t->closed++;
}

static const struct bufsrv_ops toy_ops = {
	.admit = toy_admit, .opened = toy_opened, .input = toy_answer, .drained = toy_answer, .closed = toy_closed,
};

static struct ev_loop *loop;
static struct sockaddr_in where;

static struct toy *toy_start(struct toy *t, int max)
{
	memset(t, 0, sizeof(*t));
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	socklen_t l = sizeof(where);
	memset(&where, 0, sizeof(where));
	where.sin_family = AF_INET;
	where.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&where, sizeof(where)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&where, &l), 0);
	assert_int_equal(listen(fd, 8), 0);
	t->srv = bufsrv_new(loop, fd, max, sizeof(struct bufsrv_conn), &toy_ops, t);
	assert_non_null(t->srv);
	return t;
}

static int client(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&where, sizeof(where)), 0);
	return fd;
}

/* Turns the loop until cond() or about two seconds. */
static void spin(int (*cond)(struct toy *), struct toy *t)
{
	for (int i = 0; i < 2000 && !cond(t); i++) {
		ev_run(loop, EVRUN_NOWAIT);
		usleep(1000);
	}
}

static int one_open(struct toy *t) { return t->opened >= 1; }
static int one_closed(struct toy *t) { return t->closed >= 1; }
static int two_opened_and_one_closed(struct toy *t) { return t->opened >= 2 && bufsrv_count(t->srv) == 1; }

/* Reads from fd (blocking, bounded by a receive timeout) until `want` bytes or the end. */
static size_t read_all(int fd, char *buf, size_t want, struct toy *t)
{
	size_t got = 0;
	for (int i = 0; i < 2000 && got < want; i++) {
		ev_run(loop, EVRUN_NOWAIT);
		ssize_t n = recv(fd, buf + got, want - got, MSG_DONTWAIT);
		if (n == 0)
			break;
		if (n > 0)
			got += (size_t)n;
		else
			usleep(1000);
	}
	(void)t;
	return got;
}

static void test_lines_in_order_and_close(void **state)
{
	(void)state;
	struct toy t;
	char buf[64];
	toy_start(&t, 4);
	int fd = client();
	const char *req = "a\nbb\nquit\nnever\n";
	assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	assert_int_equal(read_all(fd, buf, sizeof(buf), &t), 10); /* up to quit, then the close */
	assert_memory_equal(buf, "a\nbb\nquit\n", 10);
	spin(one_closed, &t);
	assert_int_equal(t.closed, 1);
	assert_int_equal(bufsrv_count(t.srv), 0);
	close(fd);
	bufsrv_free(t.srv);
}

static void test_half_close_answers_then_closes(void **state)
{
	(void)state;
	struct toy t;
	char buf[64];
	toy_start(&t, 4);
	int fd = client();
	assert_int_equal(send(fd, "x\ny\n", 4, 0), 4);
	shutdown(fd, SHUT_WR);
	assert_int_equal(read_all(fd, buf, sizeof(buf), &t), 4);
	assert_memory_equal(buf, "x\ny\n", 4);
	spin(one_closed, &t);
	assert_int_equal(t.closed, 1);
	close(fd);
	bufsrv_free(t.srv);
}

static void test_deadline_and_limits(void **state)
{
	(void)state;
	struct toy t;
	toy_start(&t, 1);
	t.deadline = 0.05;
	int a = client();
	spin(one_open, &t);
	int b = client(); /* over max_conns: accepted and closed */
	char c;
	spin(one_closed, &t); /* a's deadline */
	assert_int_equal(t.closed, 1);
	assert_int_equal(t.opened, 1);
	assert_int_equal(recv(b, &c, 1, 0), 0);
	close(a);
	close(b);
	/* refused by admit: closed without a slot */
	t.refuse = 1;
	int d = client();
	for (int i = 0; i < 50; i++)
		ev_run(loop, EVRUN_NOWAIT);
	assert_int_equal(recv(d, &c, 1, 0), 0);
	assert_int_equal(t.opened, 1);
	close(d);
	t.refuse = 0;
	t.deadline = 0;
	int e = client(), f = client();
	(void)f;
	spin(two_opened_and_one_closed, &t);
	assert_int_equal(bufsrv_count(t.srv), 1);
	bufsrv_free(t.srv); /* closes what is left */
	assert_int_equal(t.closed, 2);
	close(e);
	close(f);
}

int main(void)
{
	loop = ev_loop_new(EVFLAG_AUTO);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_in_order_and_close),
		cmocka_unit_test(test_half_close_answers_then_closes),
		cmocka_unit_test(test_deadline_and_limits),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	ev_loop_destroy(loop);
	return rc;
}
