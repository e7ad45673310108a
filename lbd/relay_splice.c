/* relay_splice: the part of relay.c that moves large bodies with splice(2)
 * (through lbd/zpipe.c) instead of the buffer: Content-Length bodies, the
 * data of large chunks (the chunk framing itself still goes through the
 * buffer, where the decoder reads it) and close-delimited responses. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <sys/socket.h>

#include "proxy.h"
#include "relay.h"
#include "transport.h"
#include "zpipe.h"

/* Body bytes that may move now without being looked at. */
static uint64_t req_spliceable(const struct txn *tx)
{
	if (tx->req_body == BODY_CL)
		return tx->req_left;
	if (tx->req_body == BODY_CHUNKED)
		return http1_chunked_data_left(&tx->req_ck);
	return 0;
}

static void req_spliced(struct txn *tx, uint64_t n)
{
	if (tx->req_body == BODY_CL)
		tx->req_left -= n;
	else
		http1_chunked_skip(&tx->req_ck, n);
	tx->bytes_in += n;
	tx->spliced_in += n;
}

static uint64_t resp_spliceable(const struct txn *tx)
{
	switch (tx->resp_body) {
	case BODY_CL:
		return tx->resp_left;
	case BODY_CHUNKED:
		return http1_chunked_data_left(&tx->resp_ck);
	case BODY_EOF:
		return UINT64_MAX; /* until the server closes */
	default:
		return 0;
	}
}

static void resp_spliced(struct txn *tx, uint64_t n)
{
	if (tx->resp_body == BODY_CL)
		tx->resp_left -= n;
	else if (tx->resp_body == BODY_CHUNKED)
		http1_chunked_skip(&tx->resp_ck, n);
}

/* A spliced body arrives faster than a busy server reads it.  Left alone,
 * the kernel queued megabytes of it in the server connection (its sndbuf
 * grows towards tcp_wmem's 4 MiB), where they cost twice: the next request
 * on that connection, pooled and taken by another session, waits behind
 * them (the tail latency), and the server's own ACKs transmit them, in its
 * process (the servers' CPU).  Splice only while at most 16 KiB are unsent
 * (HAProxy's buffer size): the rest of the body waits in the client's own
 * socket, behind nobody else's request.  16 KiB cost less CPU on the node
 * than 64 KiB (BENCHMARKS.md).  Best effort: on failure only the queue is
 * longer. */
#define SERVER_UNSENT_MAX (16 * 1024)

static void server_queue_bound(int fd)
{
	int lowat = SERVER_UNSENT_MAX;
	setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof(lowat));
}

int relay_splice_request_next(const struct session *s)
{
	const struct txn *tx = s->tx;
	if (s->zdir == 1)
		return 1;
	return !s->zdir && tx && s->phase == PH_ACTIVE && !tx->req_done && s->tc.ops->can_splice &&
	       s->up && s->up->tc.ops->can_splice &&
	       !tx->no_splice && req_spliceable(tx) >= ZPIPE_MIN_BODY;
}

/* Splicing starts once the buffer has nothing pending in that direction,
 * one direction at a time.  The pipe is filled only when empty, so EAGAIN
 * from a fill always means "socket empty". */
int relay_splice_request(struct session *s)
{
	struct txn *tx = s->tx;
	if (s->zdir != 1) {
		if (!relay_splice_request_next(s) || s->wpos != s->fend || (s->in && s->in->end != s->fend))
			return 0;
		if (s->zp.rfd < 0 && zpipe_get(&s->w->zpipes, &s->zp)) {
			tx->no_splice = 1; /* out of descriptors: the buffer it is */
			return 1;
		}
		s->zdir = 1;
		tx->replayable = 0; /* the body no longer stays in the buffer */
		server_queue_bound(s->up->fd);
	}
	int moved = 0;
	uint64_t left = req_spliceable(tx);
	if (!s->zp.len && left && s->c_readable) {
		ssize_t r = zpipe_fill(&s->zp, s->fd, left);
		if (r > 0) {
			req_spliced(tx, (uint64_t)r);
			left -= (uint64_t)r;
			s->c_last = ev_now(s->w->loop);
			moved = 1;
		} else if (r == -EAGAIN) {
			s->c_readable = 0;
		} else {
			s->c_eof = 1;
			relay_client_gone(s);
			return 1;
		}
	}
	if (s->zp.len && !s->s_wblocked) {
		ssize_t r = zpipe_drain(&s->zp, s->up->fd);
		if (r > 0) {
			s->s_last = ev_now(s->w->loop);
			if (!s->zp.len)
				s->c_last = s->s_last; /* the pipe takes the client's bytes again */
			moved = 1;
		} else if (r == -EAGAIN) {
			s->s_wblocked = 1;
		} else {
			/* The server went away: whatever it answered is still to read;
			 * the rest of the body cannot go, so the client closes after. */
			zpipe_close(&s->zp);
			s->zdir = 0;
			tx->req_left = 0;
			tx->req_done = 1; /* nothing more of it goes anywhere */
			tx->srv_reuse = 0;
			tx->close_client = 1;
			s->s_readable = 1;
			return 1;
		}
	}
	if (!left && !s->zp.len) {
		/* A chunk's data is through: its end and the next size line go
		 * through the buffer again. */
		if (tx->req_body == BODY_CL) {
			tx->req_done = 1;
			/* The client sends its next request after this one's answer,
			 * or it pipelines and epoll says so: a read now would only
			 * meet EAGAIN (one system call per large body saved). */
			s->c_readable = 0;
		}
		s->zdir = 0;
		zpipe_put(&s->w->zpipes, &s->zp); /* for the next body, this one's or another's */
		moved = 1;
	}
	return moved;
}

int relay_splice_response(struct session *s)
{
	struct txn *tx = s->tx;
	int moved = 0;
	uint64_t left = resp_spliceable(tx);
	if (!s->zp.len && left && !s->s_eof && s->s_readable) {
		ssize_t r = zpipe_fill(&s->zp, s->up->fd, left);
		if (r > 0) {
			resp_spliced(tx, (uint64_t)r);
			left -= tx->resp_body == BODY_EOF ? 0 : (uint64_t)r;
			s->s_last = ev_now(s->w->loop);
			moved = 1;
		} else if (r == -EAGAIN) {
			s->s_readable = 0;
		} else if (r == 0 && tx->resp_body == BODY_EOF) {
			s->s_eof = 1; /* the end of a close-delimited body */
			moved = 1;
		} else {
			relay_bad_response(s, TERM_SERVER_CLOSED); /* cut short */
			return 1;
		}
	}
	if (s->zp.len && !s->c_wblocked) {
		ssize_t r = zpipe_drain(&s->zp, s->fd);
		if (r > 0) {
			tx->bytes_out += (uint64_t)r;
			tx->spliced_out += (uint64_t)r;
			s->c_last = ev_now(s->w->loop);
			if (!s->zp.len)
				s->s_last = s->c_last; /* the pipe takes the server's bytes again */
			moved = 1;
		} else if (r == -EAGAIN) {
			s->c_wblocked = 1;
		} else {
			relay_client_gone(s);
			return 1;
		}
	}
	if (s->zp.len)
		return moved;
	if (tx->resp_body == BODY_EOF && s->s_eof) {
		tx->resp_done = 1;
		s->zdir = 0;
		zpipe_put(&s->w->zpipes, &s->zp);
		relay_release_server(s, 0);
		return 1;
	}
	if (!left) {
		if (tx->resp_body == BODY_CL)
			tx->resp_done = 1;
		s->zdir = 0;
		zpipe_put(&s->w->zpipes, &s->zp);
		moved = 1;
	}
	return moved;
}

int relay_splice_response_ready(struct session *s)
{
	struct txn *tx = s->tx;
	if (s->zdir == 2)
		return 1;
	if (s->zdir || s->phase != PH_ACTIVE || !tx->resp_head_done || tx->resp_done || tx->no_splice ||
	    resp_spliceable(tx) < ZPIPE_MIN_BODY || !s->tc.ops->can_splice || !s->up || !s->up->tc.ops->can_splice || s->s_eof ||
	    (s->out && s->out->start != s->out->end))
		return 0;
	if (s->zp.rfd < 0 && zpipe_get(&s->w->zpipes, &s->zp)) {
		tx->no_splice = 1;
		return 0;
	}
	s->zdir = 2;
	return 1;
}
