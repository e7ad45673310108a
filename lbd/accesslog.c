/* accesslog: one line per request in HAProxy's httplog format (lbd.conf(5)):
 *   client:port [date] frontend backend/server TR/Tw/Tc/Tr/Ta status bytes
 *   - - term ac/fc/bc/sc/rc sq/bq "request line"
 * TR: request head; Tw: waiting in the queue (0 if it did not); Tc: from the
 * head (or the end of the wait) to the server connection; Tr: head to
 * response head; Ta: total; in ms, -1 for what did not happen.
 *
 * syslog: each worker thread queues its lines in its own logq (batched,
 * non-blocking, dropped and counted when the reader lags); stdout: one
 * write per line, so lines from several workers do not mix. */
#include <arpa/inet.h>
#include <ev.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "accesslog.h"
#include "exchange.h"
#include "logq.h"
#include "model.h"

#define ACCESSLOG_SOCKET "/dev/log"
#define SYSLOG_PRI 30 /* daemon.info, as lbd's other syslog lines (common/log.c) */

static const char *const term_names[TERM_COUNT] = {
	[TERM_OK] = "----",
	[TERM_CLIENT_CLOSED] = "CD--",
	[TERM_CLIENT_TIMEOUT] = "cT--",
	[TERM_SERVER_CLOSED] = "SD--",
	[TERM_SERVER_TIMEOUT] = "sT--",
	[TERM_CONNECT_FAILED] = "SC--",
	[TERM_NO_SERVER] = "SQ--",
	[TERM_QUEUE_TIMEOUT] = "sQ--",
	[TERM_BAD_REQUEST] = "PR--",
	[TERM_BAD_RESPONSE] = "PH--",
	[TERM_STOPPING] = "KS--",
};

/* Per worker thread: its queue, and the dates of the current second. */
struct tl_log {
	struct logq *q;
	int q_failed;
	int pid;
	time_t sec;
	char syslog_date[20];  /* "Dec  2 06:01:02" */
	char http_date[24];    /* "02/Dec/2026:06:01:02" */
};
static __thread struct tl_log tl;

/* A worker thread's queue is flushed and freed when the thread ends (the
 * workers are worker.c's; this keeps the access log out of it). */
static pthread_key_t g_key;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void thread_end(void *arg)
{
	logq_free(arg);
}

static void key_init(void)
{
	if (pthread_key_create(&g_key, thread_end))
		g_key = 0;
}

static struct logq *thread_queue(struct ev_loop *loop)
{
	if (tl.q || tl.q_failed)
		return tl.q;
	pthread_once(&g_once, key_init);
	tl.pid = (int)getpid();
	tl.q = logq_new(loop, ACCESSLOG_SOCKET);
	tl.q_failed = !tl.q;
	if (tl.q && pthread_setspecific(g_key, tl.q)) {
		logq_free(tl.q);
		tl.q = NULL;
		tl.q_failed = 1;
	}
	return tl.q;
}

static int ms(ev_tstamp from, ev_tstamp to)
{
	return from > 0 && to >= from ? (int)((to - from) * 1000.0 + 0.5) : -1;
}

static void dates(time_t sec)
{
	if (sec == tl.sec && tl.http_date[0])
		return;
	struct tm tm;
	localtime_r(&sec, &tm);
	strftime(tl.syslog_date, sizeof(tl.syslog_date), "%b %e %H:%M:%S", &tm);
	strftime(tl.http_date, sizeof(tl.http_date), "%d/%b/%Y:%H:%M:%S", &tm);
	tl.sec = sec;
}

static void peer_text(const struct sockaddr *sa, char *ip, size_t iplen, int *port)
{
	snprintf(ip, iplen, "-");
	*port = 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in4 = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &in4->sin_addr, ip, (socklen_t)iplen);
		*port = ntohs(in4->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, (socklen_t)iplen);
		*port = ntohs(in6->sin6_port);
	}
}

/* The httplog line (no newline) into out; its length (cut to fit). */
static int format_line(const struct accesslog_conn *s, const struct xch_txn *tx, double end, char *out, size_t cap)
{
	char ip[INET6_ADDRSTRLEN];
	int port;
	peer_text(s->peer, ip, sizeof(ip), &port);
	ev_tstamp start = tx->t_start > 0 ? tx->t_start : end;
	dates((time_t)start);
	int msec = (int)((start - (double)(time_t)start) * 1000.0);
	int tw = tx->t_queued > 0 ? ms(tx->t_queued, tx->t_dequeued > 0 ? tx->t_dequeued : end) : 0;
	ev_tstamp c0 = tx->t_dequeued > 0 ? tx->t_dequeued : tx->t_head;
	const struct backend *be = tx->be;
	int n = snprintf(out, cap,
			 "%s:%d [%s.%03d] %s %s/%s %d/%d/%d/%d/%d %d %llu - - %s "
			 "%llu/%llu/%llu/%llu/%d 0/%llu \"%s\"",
			 ip, port, tl.http_date, msec > 999 ? 999 : msec, s->fe->conf.name, be ? be->conf.name : "-",
			 tx->srv ? tx->srv->conf.name : "-", ms(tx->t_start, tx->t_head), tw, ms(c0, tx->t_connect),
			 ms(tx->t_head, tx->t_resp), ms(tx->t_start, end), tx->status,
			 (unsigned long long)tx->bytes_out, term_names[tx->term],
			 (unsigned long long)s->conns,
			 (unsigned long long)model_cnt_get(&s->fe->st->cnt.sess_cur),
			 (unsigned long long)(be ? model_cnt_get(&be->st->cnt.sess_cur) : 0),
			 (unsigned long long)(tx->srv ? model_cnt_get(&tx->srv->st->cnt.sess_cur) : 0),
			 tx->attempts > 0 ? tx->attempts : 0,
			 (unsigned long long)(be ? model_cnt_get(&be->st->cnt.q_cur) : 0), tx->logreq);
	if (n < 0)
		return 0;
	return (size_t)n >= cap ? (int)cap - 1 : n;
}

void accesslog_txn(const struct accesslog_conn *s, const struct xch_txn *tx, double now)
{
	const struct lbd_config *c = s->cfg;
	if (c->g.access_log == LOG_TARGET_OFF || !s->fe->conf.access_log)
		return;
	char line[600];
	if (c->g.access_log == LOG_TARGET_STDOUT) {
		int n = format_line(s, tx, now, line, sizeof(line) - 1);
		line[n++] = '\n';
		ssize_t w = write(STDOUT_FILENO, line, (size_t)n);
		(void)w;
		return;
	}
	struct logq *q = thread_queue(s->loop);
	if (!q) {
		logq_count_drop();
		return;
	}
	/* RFC 3164 as glibc's syslog() writes it to /dev/log: "<PRI>date ident[pid]: " */
	dates((time_t)now);
	int h = snprintf(line, sizeof(line), "<%d>%s lbd[%d]: ", SYSLOG_PRI, tl.syslog_date, tl.pid);
	if (h < 0 || (size_t)h >= sizeof(line))
		return;
	int n = format_line(s, tx, now, line + h, sizeof(line) - (size_t)h);
	logq_push(q, line, (size_t)(h + n));
}
