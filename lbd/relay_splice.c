/* relay_splice: the part of relay.c that moves large Content-Length
 * bodies with splice(2) (through lbd/zpipe.c) instead of the buffer. */
#include <errno.h>

#include "proxy.h"
#include "relay.h"
#include "transport.h"
#include "zpipe.h"

/* Large Content-Length bodies move by splice once the buffer has nothing
 * pending in that direction; one direction at a time.  The pipe is filled
 * only when empty, so EAGAIN from a fill always means "socket empty". */
int relay_splice_request(struct session *s)
{
	struct txn *tx = s->tx;
	if (s->zdir != 1) {
		if (s->zdir || tx->req_body != BODY_CL || tx->req_done || tx->req_left < ZPIPE_MIN_BODY ||
		    s->wpos != s->fend || (s->in && s->in->end != s->fend) || !s->tr->can_splice)
			return 0;
		if (s->zp.rfd < 0 && zpipe_open(&s->zp))
			return 0;
		s->zdir = 1;
		tx->replayable = 0; /* the body no longer stays in the buffer */
	}
	int moved = 0;
	if (!s->zp.len && tx->req_left && s->c_readable) {
		ssize_t r = zpipe_fill(&s->zp, s->fd, tx->req_left);
		if (r > 0) {
			tx->req_left -= (uint64_t)r;
			tx->bytes_in += (uint64_t)r;
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
			moved = 1;
		} else if (r == -EAGAIN) {
			s->s_wblocked = 1;
		} else {
			/* The server went away: whatever it answered is still to read;
			 * the rest of the body cannot go, so the client closes after. */
			zpipe_close(&s->zp);
			s->zdir = 0;
			tx->req_left = 0;
			tx->close_client = 1;
			s->s_readable = 1;
			return 1;
		}
	}
	if (!tx->req_left && !s->zp.len) {
		tx->req_done = 1;
		s->zdir = 0;
	}
	return moved;
}

int relay_splice_response(struct session *s)
{
	struct txn *tx = s->tx;
	int moved = 0;
	if (!s->zp.len && tx->resp_left && s->s_readable) {
		ssize_t r = zpipe_fill(&s->zp, s->up->fd, tx->resp_left);
		if (r > 0) {
			tx->resp_left -= (uint64_t)r;
			s->s_last = ev_now(s->w->loop);
			moved = 1;
		} else if (r == -EAGAIN) {
			s->s_readable = 0;
		} else {
			relay_bad_response(s, TERM_SERVER_CLOSED); /* cut short */
			return 1;
		}
	}
	if (s->zp.len && !s->c_wblocked) {
		ssize_t r = zpipe_drain(&s->zp, s->fd);
		if (r > 0) {
			tx->bytes_out += (uint64_t)r;
			s->c_last = ev_now(s->w->loop);
			moved = 1;
		} else if (r == -EAGAIN) {
			s->c_wblocked = 1;
		} else {
			relay_client_gone(s);
			return 1;
		}
	}
	if (!tx->resp_left && !s->zp.len) {
		tx->resp_done = 1;
		s->zdir = 0;
	}
	return moved;
}

int relay_splice_response_ready(struct session *s)
{
	struct txn *tx = s->tx;
	if (s->zdir == 2)
		return 1;
	if (s->zdir || s->phase != PH_ACTIVE || !tx->resp_head_done || tx->resp_done ||
	    tx->resp_body != BODY_CL || tx->resp_left < ZPIPE_MIN_BODY || !s->tr->can_splice ||
	    (s->out && s->out->start != s->out->end))
		return 0;
	if (s->zp.rfd < 0 && zpipe_open(&s->zp))
		return 0;
	s->zdir = 2;
	return 1;
}

