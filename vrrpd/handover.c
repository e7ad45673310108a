/* handover: the planned handover sequence (see handover.h). */
#include "handover.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

const char *const handover_outcome_names[HANDOVER_OUTCOME_MAX] = {
	[HANDOVER_NONE] = "none",
	[HANDOVER_DRAINED] = "drained",
	[HANDOVER_TIMED_OUT] = "timed_out",
	[HANDOVER_NO_LBD] = "no_lbd",
	[HANDOVER_LBD_FAILED] = "lbd_failed",
};

/* The first occurrence of `key` in buf[0..len), or NULL. */
static const char *find(const char *buf, size_t len, const char *key)
{
	size_t k = strlen(key);
	for (size_t i = 0; i + k <= len; i++)
		if (memcmp(buf + i, key, k) == 0)
			return buf + i;
	return NULL;
}

int handover_parse_reply(const char *buf, size_t len, int64_t *conns)
{
	static const char key[] = "\"conns\":";
	if (!find(buf, len, "\"ok\":true"))
		return -1;
	const char *p = find(buf, len, key);
	if (!p)
		return -1;
	p += sizeof(key) - 1;
	const char *end = buf + len;
	int64_t v = 0;
	int digits = 0;
	for (; p < end && *p >= '0' && *p <= '9' && digits < 12; p++, digits++)
		v = v * 10 + (*p - '0');
	if (!digits)
		return -1;
	*conns = v;
	return 0;
}

void handover_init(struct handover *h, const struct handover_ops *ops, void *arg)
{
	*h = (struct handover){ .ops = ops, .arg = arg, .conns_first = -1, .conns = -1 };
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
	log_notice("handover: addresses given up after %llu ms (%s, %lld client connections left)",
		   (unsigned long long)((now - h->started_us) / 1000), handover_outcome_names[why],
		   (long long)h->conns);
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
	h->conns_first = h->conns = -1;
	h->polls = 0;
	h->quiesced = 0;
	h->waiting = 0;
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

void handover_lbd_reply(struct handover *h, uint64_t now, int64_t conns)
{
	if (h->phase != HANDOVER_DRAINING || !h->waiting)
		return;
	h->waiting = 0;
	h->quiesced = 1;
	h->polls++;
	if (h->conns_first < 0)
		h->conns_first = conns;
	h->conns = conns;
	h->zeros = conns == 0 ? h->zeros + 1 : 0;
	if (h->zeros >= HANDOVER_ZEROS) {
		finish(h, now, HANDOVER_DRAINED);
		return;
	}
	h->next_poll_us = now + HANDOVER_POLL_US;
}

void handover_lbd_failed(struct handover *h, uint64_t now)
{
	if (h->phase != HANDOVER_DRAINING || !h->waiting)
		return;
	h->waiting = 0;
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
