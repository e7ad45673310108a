/* accesslog: one line per request, HAProxy httplog-like:
 *   client frontend backend/server status bytes_in bytes_out
 *   Tq/Tw/Tc/Tr/Tt(ms) termination "request line"
 * Tq: request head; Tw: waiting in the queue (0 if it did not); Tc: from
 * the head (or the end of the wait) to the server connection; Tr: head to
 * response head; Tt: total.  -1: did not happen. */
#include <arpa/inet.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "model.h"
#include "proxy.h"

static const char *const term_names[TERM_COUNT] = {
	[TERM_OK] = "--",
	[TERM_CLIENT_CLOSED] = "CD",
	[TERM_CLIENT_TIMEOUT] = "cT",
	[TERM_SERVER_CLOSED] = "SD",
	[TERM_SERVER_TIMEOUT] = "sT",
	[TERM_CONNECT_FAILED] = "SC",
	[TERM_NO_SERVER] = "SQ",
	[TERM_QUEUE_TIMEOUT] = "sQ",
	[TERM_BAD_REQUEST] = "PR",
	[TERM_BAD_RESPONSE] = "PH",
	[TERM_STOPPING] = "KS",
};

static int ms(ev_tstamp from, ev_tstamp to)
{
	return from > 0 && to >= from ? (int)((to - from) * 1000.0 + 0.5) : -1;
}

void accesslog_txn(const struct session *s, const struct txn *tx)
{
	const struct lbd_config *c = s->cfg;
	if (c->g.access_log == LOG_TARGET_OFF || !s->fe->conf.access_log)
		return;
	char ip[INET6_ADDRSTRLEN] = "-", when[32], line[512];
	int port = 0;
	if (s->peer.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &s->peer.in4.sin_addr, ip, sizeof(ip));
		port = ntohs(s->peer.in4.sin_port);
	} else if (s->peer.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &s->peer.in6.sin6_addr, ip, sizeof(ip));
		port = ntohs(s->peer.in6.sin6_port);
	}
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	ev_tstamp end = ev_now(s->w->loop);
	int tw = tx->t_queued > 0 ? ms(tx->t_queued, tx->t_dequeued > 0 ? tx->t_dequeued : end) : 0;
	ev_tstamp c0 = tx->t_dequeued > 0 ? tx->t_dequeued : tx->t_head;
	int n = snprintf(line, sizeof(line), "%s:%d [%s] %s %s/%s %d %llu %llu %d/%d/%d/%d/%d %s \"%s\"\n", ip,
			 port, when, s->fe->conf.name, tx->be ? tx->be->conf.name : "-",
			 tx->srv ? tx->srv->conf.name : "-", tx->status, (unsigned long long)tx->bytes_in,
			 (unsigned long long)tx->bytes_out, ms(tx->t_start, tx->t_head), tw, ms(c0, tx->t_connect),
			 ms(tx->t_head, tx->t_resp), ms(tx->t_start, end), term_names[tx->term], tx->logreq);
	if (n <= 0)
		return;
	if ((size_t)n >= sizeof(line)) { /* cut: the line still ends with its newline */
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	if (c->g.access_log == LOG_TARGET_STDOUT) {
		/* one write per line: lines from several workers do not mix */
		ssize_t w = write(STDOUT_FILENO, line, (size_t)n);
		(void)w;
	} else {
		syslog(LOG_INFO, "%.*s", n - 1, line);
	}
}
