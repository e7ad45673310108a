/* handover_host: the planned handover on the loop (see handover_host.h). */
#include "handover_host.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "log.h"
#include "mtime.h"

#define LBD_CALL_TIMEOUT_S 1.0

static void rearm(struct handover_host *h)
{
	ev_timer_stop(h->loop, &h->timer);
	uint64_t d = handover_deadline(&h->fsm);
	if (d == UINT64_MAX)
		return;
	uint64_t now = mtime_us();
	ev_timer_set(&h->timer, d > now ? (double)(d - now) / 1e6 : 0.0, 0.);
	ev_timer_start(h->loop, &h->timer);
}

static void on_timer(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct handover_host *h = t->data;
	(void)loop; (void)revents;
	handover_tick(&h->fsm, mtime_us());
	rearm(h);
}

static void render(const struct handover_host *h, struct buf *r)
{
	const struct handover *f = &h->fsm;
	static const char *const phases[] = { "idle", "draining", "done" };
	uint64_t now = mtime_us();
	uint64_t took = f->phase == HANDOVER_DONE ? f->released_us - f->started_us
		      : f->phase == HANDOVER_DRAINING ? now - f->started_us : 0;
	buf_printf(r, "\"kind\":\"%s\",\"phase\":\"%s\",\"outcome\":\"%s\",\"masters\":%d,\"lbd\":%s,\"conns_first\":%" PRId64
		      ",\"conns\":%" PRId64 ",\"busy\":%" PRId64 ",\"polls\":%" PRIu64 ",\"drain_ms\":%" PRIu64 ",\"timeout_ms\":%u",
		   h->yield_only ? "yield" : "handover", phases[f->phase], handover_outcome_names[f->outcome], h->masters, h->have_lbd ? "true" : "false",
		   f->conns_first, f->conns, f->busy, f->polls, took / 1000, h->timeout_ms);
}

static void finish_stop(struct handover_host *h)
{
	void (*cb)(void *) = h->stop_cb;
	h->stop_cb = NULL;
	if (cb)
		cb(h->stop_arg);
}

static void lbd_answer(void *arg, const char *reply, const char *why)
{
	struct handover_host *h = arg;
	uint64_t now = mtime_us();
	if (h->fsm.phase != HANDOVER_DRAINING) {
		/* the answer to "quiesce off" */
		if (!reply || !strstr(reply, "\"ok\":true"))
			log_warn("handover: lbd did not confirm the end of its quiesce (%s); it ends by itself",
				 reply ? reply : why);
		if (h->stop_wait_lbd) {
			h->stop_wait_lbd = 0;
			finish_stop(h);
		}
		return;
	}
	int64_t conns, busy;
	if (!reply || handover_parse_reply(reply, strlen(reply), &conns, &busy)) {
		log_warn("handover: lbd: %s", reply ? reply : why);
		handover_lbd_failed(&h->fsm, now);
	} else {
		handover_lbd_reply(&h->fsm, now, conns, busy);
	}
	rearm(h);
}

static void fsm_send(void *arg, const char *cmd)
{
	struct handover_host *h = arg;
	lbdctl_call(&h->lc, cmd, LBD_CALL_TIMEOUT_S);
}

static void fsm_release(void *arg)
{
	struct handover_host *h = arg;
	if (h->yield_only)
		h->ops->release_yielders(h->arg);
	else
		h->ops->release_all(h->arg);
}

static void fsm_finished(void *arg)
{
	struct handover_host *h = arg;
	struct buf e = BUF_INIT;
	buf_puts(&e, "{\"event\":\"handover\",");
	render(h, &e);
	buf_puts(&e, "}");
	h->ops->publish(h->arg, buf_cstr(&e));
	buf_free(&e);
	/* A stop waits for lbd's answer to "quiesce off" (bounded by its timeout). */
	if (h->stop_cb && ev_is_active(&h->lc.timer))
		h->stop_wait_lbd = 1;
	else
		finish_stop(h);
}

static const struct handover_ops fsm_ops = { fsm_send, fsm_release, fsm_finished };

static int begin(struct handover_host *h);

static void on_yield_kick(struct ev_loop *loop, ev_timer *t, int revents)
{
	struct handover_host *h = t->data;
	(void)loop; (void)revents;
	if (h->fsm.phase == HANDOVER_DRAINING)
		return; /* its end gives the addresses up too */
	log_notice("yielding to a router of higher priority that came back: %s",
		   h->have_lbd ? "draining lbd first" : "no lbd-control: now");
	h->yield_only = 1;
	begin(h);
}

void handover_host_yield(struct handover_host *h)
{
	if (!ev_is_active(&h->yield_kick))
		ev_timer_start(h->loop, &h->yield_kick);
}

void handover_host_init(struct handover_host *h, struct ev_loop *loop, const struct handover_host_ops *ops,
			void *arg)
{
	memset(h, 0, sizeof(*h));
	h->loop = loop;
	h->ops = ops;
	h->arg = arg;
	handover_init(&h->fsm, &fsm_ops, h);
	lbdctl_init(&h->lc, loop, "", lbd_answer, h);
	ev_timer_init(&h->timer, on_timer, 0., 0.);
	h->timer.data = h;
	h->timeout_ms = CONFIG_HANDOVER_TIMEOUT_MS;
	ev_timer_init(&h->yield_kick, on_yield_kick, 0., 0.);
	h->yield_kick.data = h;
}

void handover_host_configure(struct handover_host *h, const char *lbd_control, uint32_t timeout_ms)
{
	h->have_lbd = lbd_control[0] != 0;
	snprintf(h->lc.path, sizeof(h->lc.path), "%s", lbd_control);
	h->timeout_ms = timeout_ms;
}

static int begin(struct handover_host *h)
{
	h->masters = h->ops->any_master(h->arg);
	int rc = handover_start(&h->fsm, mtime_us(), h->have_lbd, (uint64_t)h->timeout_ms * 1000u);
	rearm(h);
	return rc;
}

int handover_host_ctl(struct handover_host *h, int argc, char **argv, struct buf *reply, int *rc)
{
	if (!strcmp(argv[0], "resume") && argc == 1) {
		h->ops->resume_all(h->arg);
		buf_puts(reply, "{\"ok\":true,\"resumed\":true}");
		*rc = 0;
		return 1;
	}
	if (strcmp(argv[0], "handover"))
		return 0;
	*rc = 0;
	if (argc == 2 && !strcmp(argv[1], "status")) {
		buf_puts(reply, "{\"ok\":true,");
		render(h, reply);
		buf_puts(reply, "}");
		return 1;
	}
	if (argc != 1) {
		buf_puts(reply, "expected 'handover' or 'handover status'");
		*rc = -EINVAL;
		return 1;
	}
	if (h->fsm.phase != HANDOVER_DRAINING && !h->ops->any_master(h->arg)) {
		buf_puts(reply, "not master: nothing to hand over");
		*rc = -EALREADY;
		return 1;
	}
	if (h->fsm.phase != HANDOVER_DRAINING) {
		log_notice("handover asked on the control socket: %s", h->have_lbd ? "draining lbd first" : "no lbd-control: now");
		h->yield_only = 0;
		begin(h);
	} else {
		h->yield_only = 0; /* a yield under way: every address goes now */
	}
	buf_puts(reply, "{\"ok\":true,");
	render(h, reply);
	buf_puts(reply, "}");
	return 1;
}

int handover_host_stop(struct handover_host *h, void (*cb)(void *arg), void *arg)
{
	if (!h->have_lbd)
		return 0;
	if (h->fsm.phase != HANDOVER_DRAINING) {
		if (!h->ops->any_master(h->arg))
			return 0;
		log_notice("stopping: draining lbd before giving the addresses up");
		h->yield_only = 0;
		h->stop_cb = cb;
		h->stop_arg = arg;
		begin(h); /* with lbd it never ends inside this call */
		return 1;
	}
	h->yield_only = 0;
	h->stop_cb = cb;
	h->stop_arg = arg;
	return 1;
}

void handover_host_close(struct handover_host *h)
{
	ev_timer_stop(h->loop, &h->timer);
	ev_timer_stop(h->loop, &h->yield_kick);
	lbdctl_cancel(&h->lc);
}
