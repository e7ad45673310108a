/* handover: the planned handover of a master's virtual addresses with no
 * request lost (vrrpctl handover, or stopping vrrpd).  Pure: time passed in,
 * lbd reached and the addresses given up through struct handover_ops, as
 * vrrp.c; the host (handover_host.c, lbdctl.c) does the I/O.  Not to be confused
 * with handoff.h (a restart that keeps the addresses).
 *
 * The sequence (vrrpd(8), PLANNED HANDOVER):
 *   1. "quiesce SECONDS" to lbd: lbd keeps accepting, answers every request
 *      with "Connection: close" and closes connections idle between
 *      requests (or new and silent) at that boundary.  The answer says how
 *      many client connections are open and how many have a request in
 *      flight ("busy").
 *   2. "quiesce status" every poll interval until lbd has no request in
 *      flight on two polls in a row (and no connection at all, or the
 *      quiesce is HANDOVER_IDLE_GRACE_US old: lbd has closed the idle ones
 *      it had), or the timeout: then the addresses are given up (priority
 *      0; the backup takes over after its Skew_Time).  An idle or silent
 *      connection does not hold the addresses longer than that grace.
 *      Before they go, "quiesce close" (lbd drops new SYNs from then on)
 *      and two more such polls: a connection accepted in the instant the
 *      addresses go would lose its request; a SYN dropped then is
 *      retransmitted to the new master, like one sent during its
 *      Skew_Time, when the addresses are nowhere.
 *   3. "quiesce off": lbd keeps connections alive again (the node is a
 *      backup now; the VIP reaches the new master).
 * Without lbd (no socket configured, or it does not answer) the addresses
 * are given up at once: a handover must not be stopped by a dead lbd. */
#ifndef VRRPD_HANDOVER_H
#define VRRPD_HANDOVER_H

#include <stddef.h>
#include <stdint.h>

enum handover_phase { HANDOVER_IDLE, HANDOVER_DRAINING, HANDOVER_DONE };

/* How it ended (HANDOVER_DONE). */
enum handover_outcome {
	HANDOVER_NONE,
	HANDOVER_DRAINED,       /* lbd had no request in flight */
	HANDOVER_TIMED_OUT,     /* released with requests still in flight */
	HANDOVER_NO_LBD,        /* no lbd control socket configured */
	HANDOVER_LBD_FAILED,    /* lbd did not answer: released without a drain */
	HANDOVER_OUTCOME_MAX
};
extern const char *const handover_outcome_names[HANDOVER_OUTCOME_MAX];

struct handover_ops {
	/* Send one command to lbd; the host answers with handover_lbd_reply()
	 * or handover_lbd_failed(), never from inside this call. */
	void (*lbd_send)(void *arg, const char *cmd);
	/* Give the addresses up now (every master: priority 0, backup). */
	void (*release)(void *arg);
	/* The handover is over (h->outcome says how). */
	void (*finished)(void *arg);
};

#define HANDOVER_POLL_US 20000ull
#define HANDOVER_ZEROS 2          /* polls in a row with no request in flight */
/* Connections left open but idle hold the addresses this long at most:
 * lbd closes an idle one after 0.3 s (XCH_STOP_IDLE_S in lbd/exchange.h). */
#define HANDOVER_IDLE_GRACE_US 400000ull
#define HANDOVER_LBD_MARGIN_S 5   /* lbd ends a quiesce itself this long after our timeout */

struct handover {
	const struct handover_ops *ops;
	void *arg;
	enum handover_phase phase;
	enum handover_outcome outcome;
	uint64_t timeout_us;
	uint64_t started_us, deadline_us, next_poll_us, released_us;
	int have_lbd;
	int waiting;           /* a command to lbd is outstanding */
	int quiesced;          /* lbd accepted the quiesce: it must be ended */
	int closing;           /* "quiesce close" sent: the last polls */
	int zeros;             /* polls in a row with no request in flight */
	int64_t conns_first;   /* client connections when the quiesce began, -1 unknown */
	int64_t conns;         /* at the last poll */
	int64_t busy;          /* of them with a request in flight, at the last poll */
	uint64_t polls;
};

/* lbd's answer to a quiesce command (one JSON object, not NUL-terminated;
 * common/jsonr.h): 0 with *conns and *busy when it says "ok":true and has a
 * "conns" count, else -1.  Without "busy" (an older lbd) *busy is *conns. */
int handover_parse_reply(const char *buf, size_t len, int64_t *conns, int64_t *busy);

void handover_init(struct handover *h, const struct handover_ops *ops, void *arg);
/* Begin; have_lbd says whether lbd is configured.  Returns 0, or -EALREADY
 * while one is under way.  A finished one can be started again. */
int handover_start(struct handover *h, uint64_t now, int have_lbd, uint64_t timeout_us);
/* lbd answered a quiesce command: conns client connections open, busy of
 * them with a request in flight. */
void handover_lbd_reply(struct handover *h, uint64_t now, int64_t conns, int64_t busy);
/* lbd could not be reached, or refused. */
void handover_lbd_failed(struct handover *h, uint64_t now);
void handover_tick(struct handover *h, uint64_t now);
/* When handover_tick() must be called next; UINT64_MAX for never. */
uint64_t handover_deadline(const struct handover *h);

#endif
