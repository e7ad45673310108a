/* Unit tests of common/httpc.c: the verdict on an answer's bytes (each input
 * placed right before a PROT_NONE page, so an over-read faults), the request
 * format, and whole exchanges on a libev loop against a server on loopback
 * that this test drives byte by byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/addr.h"
#include "common/httpc.h"

static int judge_guarded(const char *s, size_t len, int eof, const char *body_has, int *status)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t span = (size_t)pg * 3;
	char *m = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	assert_int_equal(mprotect(m + pg * 2, (size_t)pg, PROT_NONE), 0);
	assert_true(len <= (size_t)pg * 2);
	char *p = m + pg * 2 - len;
	memcpy(p, s, len);
	int rc = httpc_judge(p, len, eof, body_has, status);
	munmap(m, span);
	return rc;
}

static int judge(const char *s, int eof, const char *body_has, int *status)
{
	return judge_guarded(s, strlen(s), eof, body_has, status);
}

static void test_judge_head(void **state)
{
	(void)state;
	int st;
	assert_int_equal(judge("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n", 0, NULL, &st), HTTPC_OK);
	assert_int_equal(st, 200);
	assert_int_equal(judge("HTTP/1.0 503 Service Unavailable\r\n\r\n", 1, NULL, &st), HTTPC_OK);
	assert_int_equal(st, 503);
	/* Every prefix of a head needs more, and is bad once the server closed. */
	const char *full = "HTTP/1.1 404 Not Found\r\nServer: x\r\n\r\n";
	for (size_t i = 0; i < strlen(full); i++) {
		assert_int_equal(judge_guarded(full, i, 0, NULL, &st), -2);
		assert_int_equal(judge_guarded(full, i, 1, NULL, &st), HTTPC_BAD_RESPONSE);
		assert_int_equal(st, 0);
	}
	/* Interim answers are skipped; the final one counts. */
	assert_int_equal(judge("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
			       "HTTP/1.1 204 No Content\r\n\r\n", 0, NULL, &st), HTTPC_OK);
	assert_int_equal(st, 204);
	assert_int_equal(judge("HTTP/1.1 100 Continue\r\n\r\n", 0, NULL, &st), -2);
	assert_int_equal(judge("HTTP/1.1 100 Continue\r\n\r\n", 1, NULL, &st), HTTPC_BAD_RESPONSE);
}

static void test_judge_invalid(void **state)
{
	(void)state;
	int st;
	const char *bad[] = {
		"SSH-2.0-OpenSSH_9.2\r\n", "http/1.1 200 OK\r\n\r\n", "HTTP/2 200\r\n\r\n", "HTTP/2.0 200 OK\r\n\r\n",
		"HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 099 x\r\n\r\n",
		"HTTP/1.1 200 O\x01K\r\n\r\n", "HTTP/1.1 200 OK\r\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n",
		"HTTP/1.1 200 OK\n\n", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
		"HTTP/1.1 200 OK\r\nBad Header: x\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (judge(bad[i], 0, NULL, &st) != HTTPC_BAD_RESPONSE)
			fail_msg("accepted: %s", bad[i]);
	}
	/* A head that never ends is refused at the limit, not buffered forever. */
	static char big[HTTPC_MAX_RESPONSE + 16];
	memset(big, 'a', sizeof(big));
	memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
	assert_int_equal(judge_guarded(big, sizeof(big), 0, NULL, &st), HTTPC_BAD_RESPONSE);
	assert_int_equal(judge_guarded(big, HTTPC_MAX_RESPONSE, 0, NULL, &st), HTTPC_BAD_RESPONSE);
	assert_int_equal(judge_guarded(big, HTTPC_MAX_RESPONSE - 1, 0, NULL, &st), -2);
}

static void test_judge_body(void **state)
{
	(void)state;
	int st;
	const char *ok = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nstatus: good";
	assert_int_equal(judge(ok, 0, "good", &st), HTTPC_OK);
	assert_int_equal(judge(ok, 0, "bad", &st), HTTPC_BODY_MISMATCH); /* the whole body came */
	assert_int_equal(st, 200);
	/* Part of the body: more is needed, unless the server closed. */
	assert_int_equal(judge_guarded(ok, strlen(ok) - 2, 0, "good", &st), -2);
	assert_int_equal(judge_guarded(ok, strlen(ok) - 2, 1, "good", &st), HTTPC_BODY_MISMATCH);
	/* Found before the body ends: no need to wait for the rest. */
	assert_int_equal(judge("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nready...", 0, "ready", &st), HTTPC_OK);
	/* Bytes past Content-Length are not this body. */
	assert_int_equal(judge("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokgood", 0, "good", &st),
			 HTTPC_BODY_MISMATCH);
	/* Without a length the body runs to the close. */
	assert_int_equal(judge("HTTP/1.0 200 OK\r\n\r\nall good", 0, "fine", &st), -2);
	assert_int_equal(judge("HTTP/1.0 200 OK\r\n\r\nall good", 1, "fine", &st), HTTPC_BODY_MISMATCH);
	assert_int_equal(judge("HTTP/1.0 200 OK\r\n\r\nall good", 1, "", &st), HTTPC_OK);
	/* The status is still reported with a body verdict. */
	assert_int_equal(judge("HTTP/1.1 503 x\r\nContent-Length: 4\r\n\r\ndown", 0, "down", &st), HTTPC_OK);
	assert_int_equal(st, 503);
}

static void test_format(void **state)
{
	(void)state;
	char out[256];
	int n = httpc_format_get(out, sizeof(out), "GET", "/healthz", NULL, "vrrpd");
	assert_string_equal(out, "GET /healthz HTTP/1.0\r\nUser-Agent: vrrpd\r\nAccept: */*\r\n\r\n");
	assert_int_equal(n, (int)strlen(out));
	n = httpc_format_get(out, sizeof(out), "HEAD", "/", "127.0.0.1:8405", "vrrpd");
	assert_string_equal(out, "HEAD / HTTP/1.1\r\nHost: 127.0.0.1:8405\r\nUser-Agent: vrrpd\r\nAccept: */*\r\n"
				 "Connection: close\r\n\r\n");
	assert_int_equal(httpc_format_get(out, 20, "GET", "/healthz", NULL, "vrrpd"), -1);
	for (int r = 0; r < HTTPC_RESULT_COUNT; r++)
		assert_non_null(httpc_result_names[r]);
}

/* ---- exchanges on a loop --------------------------------------------------------- */

struct lab {
	struct ev_loop *loop;
	int lfd;                  /* listening on 127.0.0.1:port */
	struct addr to;
	const char *answer;       /* what the server sends once it read a request head */
	int close_after;          /* then closes */
	int sfd;                  /* the accepted connection */
	ev_io accept_w, read_w;
	char got[1024];
	size_t glen;
	int done;
	struct httpc_outcome out;
};

static void lab_read(struct ev_loop *loop, ev_io *w, int revents)
{
	struct lab *l = w->data;
	(void)revents;
	ssize_t n = recv(l->sfd, l->got + l->glen, sizeof(l->got) - 1 - l->glen, 0);
	if (n <= 0) {
		ev_io_stop(loop, w);
		return;
	}
	l->glen += (size_t)n;
	l->got[l->glen] = '\0';
	if (!strstr(l->got, "\r\n\r\n") || !l->answer)
		return;
	assert_int_equal(send(l->sfd, l->answer, strlen(l->answer), MSG_NOSIGNAL), (ssize_t)strlen(l->answer));
	if (l->close_after) {
		ev_io_stop(loop, w);
		close(l->sfd);
		l->sfd = -1;
	}
}

static void lab_accept(struct ev_loop *loop, ev_io *w, int revents)
{
	struct lab *l = w->data;
	(void)revents;
	l->sfd = accept4(l->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	assert_true(l->sfd >= 0);
	ev_io_stop(loop, w);
	ev_io_init(&l->read_w, lab_read, l->sfd, EV_READ);
	l->read_w.data = l;
	ev_io_start(loop, &l->read_w);
}

static void lab_init(struct lab *l, int listening)
{
	char err[128];
	memset(l, 0, sizeof(*l));
	l->sfd = -1;
	l->loop = ev_loop_new(EVFLAG_AUTO);
	assert_non_null(l->loop);
	l->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(l->lfd >= 0);
	assert_int_equal(addr_parse("127.0.0.1:0", ADDR_PORT_REQUIRED, &l->to, err, sizeof(err)), 0);
	assert_int_equal(bind(l->lfd, (struct sockaddr *)&l->to.ss, l->to.len), 0);
	assert_int_equal(getsockname(l->lfd, (struct sockaddr *)&l->to.ss, &l->to.len), 0);
	if (!listening) { /* a port nobody listens on: bound, never listening */
		return;
	}
	assert_int_equal(listen(l->lfd, 4), 0);
	ev_io_init(&l->accept_w, lab_accept, l->lfd, EV_READ);
	l->accept_w.data = l;
	ev_io_start(l->loop, &l->accept_w);
}

static void lab_free(struct lab *l)
{
	if (l->sfd >= 0)
		close(l->sfd);
	close(l->lfd);
	ev_loop_destroy(l->loop);
}

static void lab_done(void *arg, const struct httpc_outcome *o)
{
	struct lab *l = arg;
	l->done++;
	l->out = *o;
}

/* Runs one exchange to its end (bounded: the deadline is timeout_ms). */
static void lab_run(struct lab *l, uint32_t timeout_ms, const char *body_has)
{
	char req[128];
	int n = httpc_format_get(req, sizeof(req), "GET", "/healthz", "127.0.0.1", "test");
	struct httpc_request hr = { .bytes = req, .len = (size_t)n, .timeout_ms = timeout_ms, .body_has = body_has };
	assert_non_null(httpc_start(l->loop, &l->to, &hr, lab_done, l));
	assert_int_equal(l->done, 0); /* never from inside httpc_start */
	for (int i = 0; i < 10000 && !l->done; i++)
		ev_run(l->loop, EVRUN_ONCE);
	assert_int_equal(l->done, 1);
}

static void test_exchange_ok(void **state)
{
	(void)state;
	struct lab l;
	lab_init(&l, 1);
	l.answer = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n";
	lab_run(&l, 2000, "ok");
	assert_int_equal(l.out.result, HTTPC_OK);
	assert_int_equal(l.out.status, 200);
	assert_non_null(strstr(l.got, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
	lab_free(&l);
}

static void test_exchange_refused(void **state)
{
	(void)state;
	struct lab l;
	lab_init(&l, 0);
	lab_run(&l, 2000, NULL);
	assert_int_equal(l.out.result, HTTPC_REFUSED);
	assert_int_equal(l.out.err, ECONNREFUSED);
	lab_free(&l);
}

static void test_exchange_silent(void **state)
{
	(void)state;
	struct lab l;
	lab_init(&l, 1); /* accepts, reads, never answers */
	lab_run(&l, 150, NULL);
	assert_int_equal(l.out.result, HTTPC_RESP_TIMEOUT);
	assert_true(l.out.duration_us >= 140000);
	lab_free(&l);
}

static void test_exchange_garbage_and_close(void **state)
{
	(void)state;
	struct lab l;
	lab_init(&l, 1);
	l.answer = "HTTP/1.1 200";
	l.close_after = 1;
	lab_run(&l, 2000, NULL);
	assert_int_equal(l.out.result, HTTPC_BAD_RESPONSE);
	lab_free(&l);
	lab_init(&l, 1);
	l.answer = "HTTP/1.1 200 OK\r\n\r\nwrong";
	l.close_after = 1;
	lab_run(&l, 2000, "right");
	assert_int_equal(l.out.result, HTTPC_BODY_MISMATCH);
	assert_int_equal(l.out.status, 200);
	lab_free(&l);
}

static void test_cancel(void **state)
{
	(void)state;
	struct lab l;
	lab_init(&l, 1);
	char req[] = "GET / HTTP/1.0\r\n\r\n";
	struct httpc_request hr = { .bytes = req, .len = sizeof(req) - 1, .timeout_ms = 50 };
	struct httpc *c = httpc_start(l.loop, &l.to, &hr, lab_done, &l);
	assert_non_null(c);
	httpc_cancel(c);
	httpc_cancel(NULL);
	for (int i = 0; i < 20; i++)
		ev_run(l.loop, EVRUN_NOWAIT);
	assert_int_equal(l.done, 0); /* done is never called after a cancel */
	lab_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge_head),
		cmocka_unit_test(test_judge_invalid),
		cmocka_unit_test(test_judge_body),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_exchange_ok),
		cmocka_unit_test(test_exchange_refused),
		cmocka_unit_test(test_exchange_silent),
		cmocka_unit_test(test_exchange_garbage_and_close),
		cmocka_unit_test(test_cancel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
