/* handover: the planned handover sequence (see handover.h). */
#include "handover.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "jsonr.h"
#include "log.h"

const char *const handover_outcome_names[HANDOVER_OUTCOME_MAX] = {
	[HANDOVER_NONE] = "none",
	[HANDOVER_DRAINED] = "drained",
	[HANDOVER_TIMED_OUT] = "timed_out",
	[HANDOVER_NO_LBD] = "no_lbd",
	[HANDOVER_LBD_FAILED] = "lbd_failed",
};

int handover_parse_reply(const char *buf, size_t len, int64_t *conns, int64_t *busy)
{
	struct jsonr j;
	char key[16];
	int ok = 0, have = 0, have_busy = 0, r;
	uint64_t n = 0, b = 0;
	jsonr_init(&j, buf, len);
	if (jsonr_object(&j))
		return -1;
	while ((r = jsonr_key(&j, key, sizeof(key))) == 1) {
		if (!strcmp(key, "ok")) {
			r = jsonr_bool(&j, &ok);
		} else if (!strcmp(key, "conns")) {
			r = jsonr_uint(&j, INT32_MAX, &n);
			have = 1;
		} else if (!strcmp(key, "busy")) {
			r = jsonr_uint(&j, INT32_MAX, &b);
			have_busy = 1;
		} else {
			r = jsonr_skip(&j);
		}
		if (r)
			return -1;
	}
	if (r || jsonr_end(&j) || !ok || !have)
		return -1;
	*conns = (int64_t)n;
	/* An lbd from before "busy" counts only connections: each is busy. */
	*busy = have_busy ? (int64_t)b : (int64_t)n;
	return 0;
}

void handover_init(struct handover *h, const struct handover_ops *ops, void *arg)
{
	*h = (struct handover){ .ops = ops, .arg = arg, .conns_first = -1, .conns = -1, .busy = -1 };
}

static void send_cmd(struct handover *h, const char *cmd)
{
	h->waiting = 1;
	h->ops->lbd_send(h->arg, cmd);
}

static void finish(struct handover *h, uint64_t now, enum handover_outcome why)
{
	h->phase = HANDOVER_DONE;
	h->outcome = why;
	h->released_us = now;
	h->ops->release(h->arg);
	log_notice("handover: addresses given up after %llu ms (%s, %lld client connections left, "
		   "%lld with a request in flight)",
		   (unsigned long long)((now - h->started_us) / 1000), handover_outcome_names[why],
		   (long long)h->conns, (long long)h->busy);
	/* lbd accepts again: the addresses are the new master's now.  Also
	 * after a timeout, when the first command may still be on its way
	 * (the quiesce ends by itself as well). */
	if (h->have_lbd && why != HANDOVER_LBD_FAILED) {
		h->quiesced = 0;
		h->waiting = 0;
		h->ops->lbd_send(h->arg, "quiesce off");
	}
	h->ops->finished(h->arg);
}

int handover_start(struct handover *h, uint64_t now, int have_lbd, uint64_t timeout_us)
{
	if (h->phase == HANDOVER_DRAINING)
		return -EALREADY;
	h->phase = HANDOVER_DRAINING;
	h->outcome = HANDOVER_NONE;
	h->timeout_us = timeout_us;
	h->started_us = now;
	h->deadline_us = now + timeout_us;
	h->next_poll_us = 0;
	h->released_us = 0;
	h->have_lbd = have_lbd;
	h->zeros = 0;
	h->conns_first = h->conns = h->busy = -1;
	h->polls = 0;
	h->quiesced = 0;
	h->waiting = 0;
	h->closing = 0;
	if (!have_lbd) {
		finish(h, now, HANDOVER_NO_LBD);
		return 0;
	}
	char cmd[48];
	snprintf(cmd, sizeof(cmd), "quiesce %llu",
		 (unsigned long long)((timeout_us + 999999) / 1000000 + HANDOVER_LBD_MARGIN_S));
	send_cmd(h, cmd);
	return 0;
}

void handover_lbd_reply(struct handover *h, uint64_t now, int64_t conns, int64_t busy)
{
	if (h->phase != HANDOVER_DRAINING || !h->waiting)
		return;
	h->waiting = 0;
	h->quiesced = 1;
	h->polls++;
	if (h->conns_first < 0)
		h->conns_first = conns;
	h->conns = conns;
	h->busy = busy;
	h->zeros = busy == 0 ? h->zeros + 1 : 0;
	/* Idle connections do not hold the addresses, but the keep-alive ones
	 * open when the quiesce began get the time lbd takes to close them:
	 * a request on one after the move would be reset by the new master. */
	if (h->zeros >= HANDOVER_ZEROS && (conns == 0 || now - h->started_us >= HANDOVER_IDLE_GRACE_US)) {
		if (h->closing) {
			finish(h, now, HANDOVER_DRAINED);
			return;
		}
		/* The last moment: no connection accepted as the addresses go
		 * (its request would be lost); two more polls see those just
		 * accepted through. */
		h->closing = 1;
		h->zeros = 0;
		send_cmd(h, "quiesce close");
		return;
	}
	h->next_poll_us = now + HANDOVER_POLL_US;
}

void handover_lbd_failed(struct handover *h, uint64_t now)
{
	if (h->phase != HANDOVER_DRAINING || !h->waiting)
		return;
	h->waiting = 0;
	if (h->closing) { /* drained; an lbd without "quiesce close" */
		log_warn("handover: lbd refused or did not answer 'quiesce close'; giving the addresses up");
		finish(h, now, HANDOVER_DRAINED);
		return;
	}
	log_warn("handover: lbd did not answer; giving the addresses up without a drain");
	finish(h, now, HANDOVER_LBD_FAILED);
}

void handover_tick(struct handover *h, uint64_t now)
{
	if (h->phase != HANDOVER_DRAINING)
		return;
	if (now >= h->deadline_us) {
		finish(h, now, HANDOVER_TIMED_OUT);
		return;
	}
	if (!h->waiting && h->next_poll_us && now >= h->next_poll_us)
		send_cmd(h, "quiesce status");
}

uint64_t handover_deadline(const struct handover *h)
{
	if (h->phase != HANDOVER_DRAINING)
		return UINT64_MAX;
	if (!h->waiting && h->next_poll_us && h->next_poll_us < h->deadline_us)
		return h->next_poll_us;
	return h->deadline_us;
}
