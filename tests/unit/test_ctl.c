/* The control socket end to end: a server on a libev loop in a thread, the
 * blocking client from the test thread, over a real unix socket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <ev.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"

struct fixture {
	struct ev_loop *loop;
	struct ctl_server *srv;
	ev_async stop, publish;
	pthread_t thread;
	char path[64];
};

static int handler(void *arg, int argc, char **argv, struct buf *reply)
{
	(void)arg;
	if (strcmp(argv[0], "status") == 0) {
		buf_printf(reply, "{\"ok\":true,\"argc\":%d}", argc);
		return 0;
	}
	buf_printf(reply, "unknown command '%s'", argv[0]);
	return -22;
}

static void stop_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static void publish_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct fixture *f = w->data;
	(void)loop;
	(void)revents;
	ctl_server_publish(f->srv, "{\"event\":1}");
	ctl_server_publish(f->srv, "{\"event\":2}");
}

static void *run(void *arg)
{
	struct fixture *f = arg;
	ev_run(f->loop, 0);
	return NULL;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];
	snprintf(f->path, sizeof(f->path), "/tmp/test-ctl.%d.sock", (int)getpid());
	f->loop = ev_loop_new(EVFLAG_AUTO);
	f->srv = ctl_server_open(f->loop, f->path, handler, NULL, err, sizeof(err));
	if (!f->srv)
		fail_msg("%s", err);
	ev_async_init(&f->stop, stop_cb);
	ev_async_init(&f->publish, publish_cb);
	f->publish.data = f;
	ev_async_start(f->loop, &f->stop);
	ev_async_start(f->loop, &f->publish);
	pthread_create(&f->thread, NULL, run, f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	ev_async_send(f->loop, &f->stop);
	pthread_join(f->thread, NULL);
	ctl_server_close(f->srv);
	ev_loop_destroy(f->loop);
	assert_int_not_equal(access(f->path, F_OK), 0); /* socket file removed */
	free(f);
	return 0;
}

static void test_call(void **state)
{
	struct fixture *f = *state;
	struct buf reply = BUF_INIT;
	char err[256];
	struct stat st;

	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);
	assert_int_equal(ctl_call(f->path, "status a \"b c\"", 2000, &reply, err, sizeof(err)), 0);
	assert_string_equal(reply.data, "{\"ok\":true,\"argc\":3}");
	assert_int_equal(ctl_call(f->path, "bogus", 2000, &reply, err, sizeof(err)), 0);
	assert_string_equal(reply.data, "{\"ok\":false,\"error\":\"unknown command 'bogus'\"}");
	buf_free(&reply);
}

static void test_second_server_refused(void **state)
{
	struct fixture *f = *state;
	char err[256];
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	assert_null(ctl_server_open(loop, f->path, handler, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "another process is listening"));
	ev_loop_destroy(loop);
}

static void test_subscribe(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char got[256] = "";
	size_t n = 0;

	strcpy(sun.sun_path, f->path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(write(fd, "subscribe\n", 10), 10);
	const char *want_ack = "{\"ok\":true,\"subscribed\":true}\n";
	while (n < strlen(want_ack)) {
		ssize_t r = read(fd, got + n, sizeof(got) - 1 - n);
		assert_true(r > 0);
		n += (size_t)r;
	}
	ev_async_send(f->loop, &f->publish);
	const char *want = "{\"ok\":true,\"subscribed\":true}\n{\"event\":1}\n{\"event\":2}\n";
	while (n < strlen(want)) {
		ssize_t r = read(fd, got + n, sizeof(got) - 1 - n);
		assert_true(r > 0);
		n += (size_t)r;
	}
	got[n] = '\0';
	assert_string_equal(got, want);
	close(fd);
}

struct stream_arg {
	const char *path;
	int out_fd, rc;
	char err[256];
};

static void *stream_thread(void *arg)
{
	struct stream_arg *a = arg;
	a->rc = ctl_stream(a->path, "subscribe", a->out_fd, 2, a->err, sizeof(a->err));
	close(a->out_fd);
	return NULL;
}

/* What `vrrpctl -n 2 subscribe` does: the acknowledgement and the first event,
 * cut right after the second line although the second event arrives with it. */
static void test_stream_count(void **state)
{
	struct fixture *f = *state;
	int p[2];
	char got[256];
	size_t n = 0;
	pthread_t t;

	assert_int_equal(pipe(p), 0);
	struct stream_arg a = { .path = f->path, .out_fd = p[1] };
	assert_int_equal(pthread_create(&t, NULL, stream_thread, &a), 0);
	const char *ack = "{\"ok\":true,\"subscribed\":true}\n";
	while (n < strlen(ack)) {
		ssize_t r = read(p[0], got + n, sizeof(got) - 1 - n);
		assert_true(r > 0);
		n += (size_t)r;
	}
	ev_async_send(f->loop, &f->publish);
	for (ssize_t r; (r = read(p[0], got + n, sizeof(got) - 1 - n)) > 0;)
		n += (size_t)r;
	got[n] = '\0';
	pthread_join(t, NULL);
	close(p[0]);
	assert_int_equal(a.rc, 0);
	assert_string_equal(got, "{\"ok\":true,\"subscribed\":true}\n{\"event\":1}\n");
}

static int connect_to(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	strcpy(sun.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* A client that writes commands and never reads.  The server answers one
 * at a time: once the socket is full it stops reading, so what it holds for
 * the client is one reply (vrrpd's memory is locked: 64 clients with 1 MiB
 * of queued replies each were 64 MiB).  The client is never dropped: when
 * it reads at last, every command has its answer, in order. */
static void test_pipelined_commands_held_back(void **state)
{
	struct fixture *f = *state;
	static char cmds[7 * 512];
	for (size_t i = 0; i < sizeof(cmds); i += 7)
		memcpy(cmds + i, "status\n", 7);
	int fd = connect_to(f->path);
	size_t sent = 0;
	int held = 0;
	/* 8 MiB of commands at most: without the hold-back the server had
	 * read them all and queued a reply for each long before. */
	while (sent < (8u << 20) && !held) {
		ssize_t w = send(fd, cmds, sizeof(cmds), MSG_NOSIGNAL);
		if (w > 0) {
			sent += (size_t)w;
			continue;
		}
		assert_true(w < 0 && errno == EAGAIN); /* not EPIPE: the client was not dropped */
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		held = poll(&p, 1, 500) == 0;
	}
	assert_true(held);
	assert_int_equal(sent % 7, 0);
	/* Now read: every command is answered. */
	const char *want = "{\"ok\":true,\"argc\":1}\n";
	size_t wlen = strlen(want), lines = 0, off = 0;
	char buf[8192];
	while (lines < sent / 7) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		assert_int_equal(poll(&p, 1, 5000), 1);
		ssize_t r = read(fd, buf, sizeof(buf));
		assert_true(r > 0);
		for (ssize_t i = 0; i < r; i++) {
			assert_int_equal(buf[i], want[off]);
			if (++off == wlen) {
				off = 0;
				lines++;
			}
		}
	}
	assert_int_equal(lines, sent / 7);
	close(fd);
}

static void test_no_server(void **state)
{
	(void)state;
	struct buf reply = BUF_INIT;
	char err[256];
	assert_true(ctl_call("/tmp/does-not-exist.sock", "status", 500, &reply, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "cannot connect to /tmp/does-not-exist.sock"));
	buf_free(&reply);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_server_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subscribe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipelined_commands_held_back, setup, teardown),
		cmocka_unit_test(test_no_server),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
