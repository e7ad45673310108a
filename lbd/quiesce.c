/* quiesce: lbd's side of a planned VIP handover (see quiesce.h). */
#include "quiesce.h"

#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "handover.h"
#include "log.h"
#include "mtime.h"
#include "worker.h"

#define QUIESCE_MAX_SOCKS 1024

/* A socket filter of a TCP socket sees the segment from its TCP header:
 * byte 13 holds the flags.  SYN without ACK (a new connection) is dropped
 * (0 bytes kept), anything else kept whole. */
static struct sock_filter drop_syn[] = {
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 13),
	BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x12),      /* SYN | ACK */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x02, 0, 1), /* SYN alone? */
	BPF_STMT(BPF_RET | BPF_K, 0),
	BPF_STMT(BPF_RET | BPF_K, 0xffffffffu),
};

int quiesce_filter(int fd, int on)
{
	struct sock_fprog prog = { .len = sizeof(drop_syn) / sizeof(drop_syn[0]), .filter = drop_syn };
	int unused = 0; /* the kernel wants an int's worth of option even here */
	int rc = on ? setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog))
		    : setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &unused, sizeof(unused));
	if (rc && !on && errno == ENOENT)
		return 0; /* had none */
	return rc ? -errno : 0;
}

static int filter_all(struct workers *w, int on)
{
	struct handover_sock *list = calloc(QUIESCE_MAX_SOCKS, sizeof(*list));
	if (!list)
		return -ENOMEM;
	int n = workers_list_sockets(w, list, QUIESCE_MAX_SOCKS), done = 0;
	for (int i = 0; i < n; i++) {
		int rc = quiesce_filter(list[i].fd, on);
		if (rc)
			log_warn("quiesce: listening socket %d: %s the filter: %s", list[i].fd,
				 on ? "attaching" : "detaching", strerror(-rc));
		else
			done++;
	}
	free(list);
	return done;
}

/* Connections the kernel has completed on the listening sockets that no
 * worker has accepted yet: for a listening TCP socket, tcpi_unacked is the
 * length of its accept queue.  Each may hold a request already (the
 * kernel acknowledged it), which would be lost with the addresses. */
static int pending_all(struct workers *w)
{
	struct handover_sock *list = calloc(QUIESCE_MAX_SOCKS, sizeof(*list));
	if (!list)
		return 0;
	int n = workers_list_sockets(w, list, QUIESCE_MAX_SOCKS), pending = 0;
	for (int i = 0; i < n; i++) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);
		memset(&ti, 0, sizeof(ti));
		if (getsockopt(list[i].fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 && ti.tcpi_state == TCP_LISTEN)
			pending += (int)ti.tcpi_unacked;
	}
	free(list);
	return pending;
}

static void expire_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct quiesce *q = t->data;
	(void)loop; (void)revents;
	log_warn("quiesce: not ended in time (no 'quiesce off'): keeping connections alive again");
	quiesce_end(q);
}

void quiesce_init(struct quiesce *q, struct ev_loop *loop)
{
	memset(q, 0, sizeof(*q));
	q->loop = loop;
	ev_timer_init(&q->expire, expire_cb, 0., 0.);
	q->expire.data = q;
}

void quiesce_end(struct quiesce *q)
{
	ev_timer_stop(q->loop, &q->expire);
	if (!q->on)
		return;
	q->on = 0;
	if (q->closing)
		filter_all(q->workers, 0);
	q->closing = 0;
	workers_quiesce(q->workers, 0);
	log_notice("quiesce ended after %llu ms: keeping connections alive again",
		   (unsigned long long)(mtime_ms() - q->since_ms));
}

static void render(struct quiesce *q, struct buf *r)
{
	uint64_t now = mtime_ms();
	/* The accept queues first: a connection a worker accepts meanwhile
	 * is counted by the workers' counters read after. */
	int pending = pending_all(q->workers);
	int conns = workers_sessions(q->workers), busy = workers_busy(q->workers);
	/* One not accepted yet counts as open and busy: its request may be
	 * in the kernel already, and vrrpd gives the addresses up only once
	 * nothing is busy. */
	buf_printf(r, "{\"ok\":true,\"quiesced\":%s,\"closing\":%s,\"conns\":%d,\"busy\":%d,\"pending\":%d,"
		      "\"conns_at_start\":%d,\"since_ms\":%llu,\"left_ms\":%llu,\"count\":%llu}",
		   q->on ? "true" : "false", q->closing ? "true" : "false", conns + pending, busy + pending, pending,
		   q->conns_at_start,
		   (unsigned long long)(q->on ? now - q->since_ms : 0),
		   (unsigned long long)(q->on && q->until_ms > now ? q->until_ms - now : 0), (unsigned long long)q->count);
}

int quiesce_cmd(struct quiesce *q, struct workers *w, int argc, char **argv, struct buf *r)
{
	q->workers = w;
	if (argc == 2 && !strcmp(argv[1], "status")) {
		render(q, r);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "close")) {
		if (!q->on) {
			buf_puts(r, "not quiesced: 'quiesce SECONDS' first");
			return -EINVAL;
		}
		if (!q->closing) {
			q->closing = 1;
			int n = filter_all(w, 1);
			log_notice("quiesce: the addresses are about to move: new connections dropped on %d listening "
				   "sockets after %llu ms", n, (unsigned long long)(mtime_ms() - q->since_ms));
		}
		render(q, r);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "off")) {
		quiesce_end(q);
		render(q, r);
		return 0;
	}
	char *end = NULL;
	unsigned long s = argc == 2 ? strtoul(argv[1], &end, 10) : 0;
	if (argc != 2 || !*argv[1] || *end || argv[1][0] == '-' || s < 1 || s > QUIESCE_MAX_S) {
		buf_printf(r, "expected 'quiesce SECONDS' (1 to %d), 'quiesce status', 'quiesce close' or 'quiesce off'", QUIESCE_MAX_S);
		return -EINVAL;
	}
	uint64_t now = mtime_ms();
	if (!q->on) {
		q->on = 1;
		q->since_ms = now;
		q->count++;
		q->conns_at_start = workers_sessions(w);
		workers_quiesce(w, 1);
		log_notice("quiesce for %lu s at most: \"Connection: close\" on every response, idle connections "
			   "closed, %d client connections (%d with a request in flight) to drain",
			   s, q->conns_at_start, workers_busy(w));
	}
	q->until_ms = now + s * 1000u;
	ev_timer_stop(q->loop, &q->expire);
	ev_timer_set(&q->expire, (double)s, 0.);
	ev_timer_start(q->loop, &q->expire);
	render(q, r);
	return 0;
}
