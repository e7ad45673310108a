/* track_fsm: when a track checks and what it concludes (rise/fall counting,
 * the fast re-check after a failure, a check's deadline).  Pure, as
 * vrrp.h: it never reads a clock nor runs a check.  The host passes the
 * time (microseconds, any monotonic origin) into every call, arms one
 * timer for track_fsm_deadline(), and runs the checks the machine asks
 * for through struct track_fsm_ops (track.c: HTTP, script, file). */
#ifndef VRRPD_TRACK_FSM_H
#define VRRPD_TRACK_FSM_H

#include <stdint.h>

enum track_result {
	TRACK_OK,
	TRACK_REFUSED,       /* connect failed */
	TRACK_TIMEOUT,
	TRACK_BAD_STATUS,    /* HTTP status not the expected one */
	TRACK_BAD_RESPONSE,  /* not an HTTP status line */
	TRACK_EXIT,          /* script exited non-zero */
	TRACK_MISSING,       /* file absent or says 0 */
	TRACK_LINK_DOWN,
	TRACK_ERROR,         /* could not run the check at all */
	TRACK_RESULT_MAX
};
extern const char *const track_result_names[TRACK_RESULT_MAX];

#define TRACK_FSM_NEVER UINT64_MAX

struct track_fsm_params {
	uint64_t interval_us;   /* between check starts while nothing fails; 0 = check once */
	uint64_t fast_us;       /* after a failed check that left the track up: the next
				 * starts this long after it ended (never later than
				 * the regular schedule) */
	uint64_t timeout_us;    /* a check still running this long after it started fails */
	unsigned rise, fall;
	int refused_down;       /* a refused connection is down at once, not one of fall */
	int states;             /* each result is a state (a link), not a sample: it
				 * decides at once, rise and fall do not apply */
};

/* What the machine asks of its host; called synchronously from inside a
 * track_fsm_* call, none may call back into the machine. */
struct track_fsm_ops {
	/* Begin one check.  Returns 1 when it runs on (its end comes through
	 * track_fsm_result()), 0 when it is already over: *r is its result. */
	int (*start)(void *arg, enum track_result *r);
	/* Abandon the running check (its deadline passed). */
	void (*cancel)(void *arg);
	/* The track went up (1) or down (0); r is the last check's result. */
	void (*changed)(void *arg, int up, enum track_result r);
};

struct track_fsm {
	struct track_fsm_params p;
	const struct track_fsm_ops *ops;
	void *arg;
	int up;
	int running;
	unsigned ok_run, fail_run;
	uint64_t started_at;    /* the running (or last) check */
	uint64_t next_at;       /* the next check, TRACK_FSM_NEVER = none */
	enum track_result last;
	uint64_t checks;
};

/* initial_up and last: the state before the first verdict (a reload
 * carries both over); the first check starts at first_at. */
void track_fsm_init(struct track_fsm *f, const struct track_fsm_params *p, int initial_up,
		    enum track_result last, uint64_t first_at, const struct track_fsm_ops *ops, void *arg);
/* Start what is due, fail a check past its deadline; then call again at
 * track_fsm_deadline(). */
void track_fsm_tick(struct track_fsm *f, uint64_t now);
uint64_t track_fsm_deadline(const struct track_fsm *f);
/* The running check ended with r (ignored when none runs). */
void track_fsm_result(struct track_fsm *f, uint64_t now, enum track_result r);
/* A state rather than a sample (an interface's link event): r decides at
 * once, whatever rise and fall say.  A running check is cancelled. */
void track_fsm_set(struct track_fsm *f, uint64_t now, enum track_result r);

#endif
