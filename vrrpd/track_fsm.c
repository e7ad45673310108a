#include "track_fsm.h"

#include <string.h>

const char *const track_result_names[TRACK_RESULT_MAX] = {
	[TRACK_OK] = "ok",
	[TRACK_REFUSED] = "connect_failed",
	[TRACK_TIMEOUT] = "timeout",
	[TRACK_BAD_STATUS] = "bad_status",
	[TRACK_BAD_RESPONSE] = "bad_response",
	[TRACK_EXIT] = "exit_status",
	[TRACK_MISSING] = "missing",
	[TRACK_LINK_DOWN] = "link_down",
	[TRACK_ERROR] = "error",
};

void track_fsm_init(struct track_fsm *f, const struct track_fsm_params *p, int initial_up,
		    enum track_result last, uint64_t first_at, const struct track_fsm_ops *ops, void *arg)
{
	memset(f, 0, sizeof(*f));
	f->p = *p;
	f->ops = ops;
	f->arg = arg;
	f->up = initial_up;
	f->last = last;
	f->next_at = first_at;
}

/* The one place the counters move and the state changes. */
static void verdict(struct track_fsm *f, enum track_result r, int state)
{
	int was = f->up;
	f->checks++;
	f->last = r;
	if (r == TRACK_OK) {
		f->fail_run = 0;
		f->ok_run++;
		if (state || f->ok_run >= f->p.rise)
			f->up = 1;
	} else {
		f->ok_run = 0;
		f->fail_run++;
		if (state || f->fail_run >= f->p.fall || (r == TRACK_REFUSED && f->p.refused_down))
			f->up = 0;
	}
	if (f->up != was)
		f->ops->changed(f->arg, f->up, r);
}

/* A check that started at started_at ended at now with r. */
static void ended(struct track_fsm *f, uint64_t now, enum track_result r)
{
	f->running = 0;
	verdict(f, r, f->p.states);
	if (!f->p.interval_us) {
		f->next_at = TRACK_FSM_NEVER;
		return;
	}
	uint64_t regular = f->started_at + f->p.interval_us;
	/* A failure that has not brought the track down yet is confirmed
	 * quickly (HAProxy's fastinter): a dead or wedged service is down
	 * within interval + fall x timeout + (fall - 1) x fast-interval
	 * instead of fall x interval + timeout. */
	if (r != TRACK_OK && f->up && now + f->p.fast_us < regular)
		regular = now + f->p.fast_us;
	f->next_at = regular > now ? regular : now;
}

void track_fsm_tick(struct track_fsm *f, uint64_t now)
{
	enum track_result r = TRACK_OK;

	if (f->running) {
		if (now < f->started_at + f->p.timeout_us)
			return;
		f->ops->cancel(f->arg);
		ended(f, now, TRACK_TIMEOUT);
		return;
	}
	if (now < f->next_at)
		return;
	f->started_at = now;
	f->running = 1;
	if (!f->ops->start(f->arg, &r))
		ended(f, now, r);
}

uint64_t track_fsm_deadline(const struct track_fsm *f)
{
	return f->running ? f->started_at + f->p.timeout_us : f->next_at;
}

void track_fsm_result(struct track_fsm *f, uint64_t now, enum track_result r)
{
	if (f->running)
		ended(f, now, r);
}

void track_fsm_set(struct track_fsm *f, uint64_t now, enum track_result r)
{
	(void)now;
	if (f->running) {
		f->ops->cancel(f->arg);
		f->running = 0;
	}
	verdict(f, r, 1);
}
