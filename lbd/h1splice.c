/* h1splice: large bodies moved with splice(2) (through lbd/zpipe.c)
 * instead of the buffer: Content-Length bodies, the data of large chunks
 * (the chunk framing itself still goes through the buffer, where the decoder
 * reads it) and close-delimited responses.  Only when both connections'
 * transports can splice (plain TCP). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <sys/socket.h>

#include "h1conn.h"
#include "upstream.h"
#include "zpipe.h"

/* Body bytes that may move now without being looked at. */
static uint64_t req_spliceable(const struct h1txn *t)
{
	if (t->req_body == BODY_CL)
		return t->req_left;
	if (t->req_body == BODY_CHUNKED)
		return http1_chunked_data_left(&t->req_ck);
	return 0;
}

static void req_spliced(struct h1txn *t, uint64_t n)
{
	if (t->req_body == BODY_CL)
		t->req_left -= n;
	else
		http1_chunked_skip(&t->req_ck, n);
	t->x.bytes_in += n;
	t->x.spliced_in += n;
}

static uint64_t resp_spliceable(const struct h1txn *t)
{
	switch (t->resp_body) {
	case BODY_CL:
		return t->resp_left;
	case BODY_CHUNKED:
		return http1_chunked_data_left(&t->resp_ck);
	case BODY_EOF:
		return UINT64_MAX; /* until the server closes */
	default:
		return 0;
	}
}

static void resp_spliced(struct h1txn *t, uint64_t n)
{
	if (t->resp_body == BODY_CL)
		t->resp_left -= n;
	else if (t->resp_body == BODY_CHUNKED)
		http1_chunked_skip(&t->resp_ck, n);
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

/* Splice needs both transports to hand the kernel plain bytes. */
static int both_splice(const struct h1conn *s)
{
	return s->c.ops->can_splice && (!s->up || s->up->c.ops->can_splice);
}

int h1_splice_request_next(const struct h1conn *s)
{
	const struct h1txn *t = h1_txn(s);
	if (s->zdir == 1)
		return 1;
	return !s->zdir && t && s->x.phase == XCH_ACTIVE && !t->x.req_done && both_splice(s) &&
	       !t->no_splice && req_spliceable(t) >= ZPIPE_MIN_BODY;
}

/* Splicing starts once the buffer has nothing pending in that direction,
 * one direction at a time.  The pipe is filled only when empty, so EAGAIN
 * from a fill always means "socket empty". */
int h1_splice_request(struct h1conn *s)
{
	struct h1txn *t = h1_txn(s);
	if (s->zdir != 1) {
		if (!h1_splice_request_next(s) || s->wpos != s->fend || (s->in && s->in->end != s->fend))
			return 0;
		if (s->zp.rfd < 0 && zpipe_get(&s->w->zpipes, &s->zp)) {
			t->no_splice = 1; /* out of descriptors: the buffer it is */
			return 1;
		}
		s->zdir = 1;
		t->replayable = 0; /* the body no longer stays in the buffer */
		server_queue_bound(s->up->c.fd);
	}
	int moved = 0;
	uint64_t left = req_spliceable(t);
	if (!s->zp.len && left && s->c_readable) {
		ssize_t r = zpipe_fill(&s->zp, s->c.fd, left);
		if (r > 0) {
			req_spliced(t, (uint64_t)r);
			left -= (uint64_t)r;
			s->c_last = h1_now(s);
			moved = 1;
		} else if (r == -EAGAIN) {
			s->c_readable = 0;
		} else {
			s->c_eof = 1;
			xch_client_gone(&s->x);
			return 1;
		}
	}
	if (s->zp.len && !s->s_wblocked) {
		ssize_t r = zpipe_drain(&s->zp, s->up->c.fd);
		if (r > 0) {
			s->s_last = h1_now(s);
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
			t->req_left = 0;
			t->x.req_done = 1; /* nothing more of it goes anywhere */
			t->x.srv_reuse = 0;
			t->x.close_client = 1;
			s->s_readable = 1;
			return 1;
		}
	}
	if (!left && !s->zp.len) {
		/* A chunk's data is through: its end and the next size line go
		 * through the buffer again. */
		if (t->req_body == BODY_CL) {
			t->x.req_done = 1;
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

int h1_splice_response(struct h1conn *s)
{
	struct h1txn *t = h1_txn(s);
	int moved = 0;
	uint64_t left = resp_spliceable(t);
	if (!s->zp.len && left && !s->s_eof && s->s_readable) {
		ssize_t r = zpipe_fill(&s->zp, s->up->c.fd, left);
		if (r > 0) {
			resp_spliced(t, (uint64_t)r);
			left -= t->resp_body == BODY_EOF ? 0 : (uint64_t)r;
			s->s_last = h1_now(s);
			moved = 1;
		} else if (r == -EAGAIN) {
			s->s_readable = 0;
		} else if (r == 0 && t->resp_body == BODY_EOF) {
			s->s_eof = 1; /* the end of a close-delimited body */
			moved = 1;
		} else {
			xch_bad_response(&s->x, TERM_SERVER_CLOSED, h1_now(s)); /* cut short */
			return 1;
		}
	}
	if (s->zp.len && !s->c_wblocked) {
		ssize_t r = zpipe_drain(&s->zp, s->c.fd);
		if (r > 0) {
			t->x.bytes_out += (uint64_t)r;
			t->x.spliced_out += (uint64_t)r;
			s->c_last = h1_now(s);
			if (!s->zp.len)
				s->s_last = s->c_last; /* the pipe takes the server's bytes again */
			moved = 1;
		} else if (r == -EAGAIN) {
			s->c_wblocked = 1;
		} else {
			xch_client_gone(&s->x);
			return 1;
		}
	}
	if (s->zp.len)
		return moved;
	if (t->resp_body == BODY_EOF && s->s_eof) {
		t->x.resp_done = 1;
		s->zdir = 0;
		zpipe_put(&s->w->zpipes, &s->zp);
		xch_release_server(&s->x, 0);
		return 1;
	}
	if (!left) {
		if (t->resp_body == BODY_CL)
			t->x.resp_done = 1;
		s->zdir = 0;
		zpipe_put(&s->w->zpipes, &s->zp);
		moved = 1;
	}
	return moved;
}

int h1_splice_response_ready(struct h1conn *s)
{
	struct h1txn *t = h1_txn(s);
	if (s->zdir == 2)
		return 1;
	if (s->zdir || s->x.phase != XCH_ACTIVE || !t->resp_head_done || t->x.resp_done || t->no_splice ||
	    resp_spliceable(t) < ZPIPE_MIN_BODY || !both_splice(s) || s->s_eof ||
	    (s->out && s->out->start != s->out->end))
		return 0;
	if (s->zp.rfd < 0 && zpipe_get(&s->w->zpipes, &s->zp)) {
		t->no_splice = 1;
		return 0;
	}
	s->zdir = 2;
	return 1;
}
