/* handover: the planned handover of a master's virtual addresses with no
 * request lost (vrrpctl handover, or stopping vrrpd).  Pure: time passed in,
 * lbd reached and the addresses given up through struct handover_ops, as
 * vrrp.c; the host (handover_host.c, lbdctl.c) does the I/O.  Not to be confused
 * with handoff.h (a restart that keeps the addresses).
 *
 * The sequence (vrrpd(8), PLANNED HANDOVER):
 *   1. "quiesce SECONDS" to lbd: lbd drops new connection attempts (SYNs) on
 *      its frontends, so clients retransmit them (after 1 s, then 3 s) and
 *      reach the new master instead; it answers "Connection: close" to the
 *      next request of every connection and closes idle keep-alive ones.
 *      The answer says how many client connections are left.
 *   2. "quiesce status" every poll interval until lbd has none left on two
 *      polls in a row, or the timeout: then the addresses are given up
 *      (priority 0; the backup takes over after its Skew_Time).
 *   3. "quiesce off": lbd accepts again (the node is a backup now; the VIP
 *      reaches the new master).
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
	HANDOVER_DRAINED,       /* lbd had no client connection left */
	HANDOVER_TIMED_OUT,     /* released with connections still open */
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
#define HANDOVER_ZEROS 2          /* polls in a row with no connection */
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
	int zeros;             /* polls in a row with no connection */
	int64_t conns_first;   /* client connections when the quiesce began, -1 unknown */
	int64_t conns;         /* at the last poll */
	uint64_t polls;
};

/* lbd's answer to a quiesce command (one JSON object, not NUL-terminated;
 * common/jsonr.h): 0 with *conns when it says "ok":true and has a "conns"
 * count, else -1. */
int handover_parse_reply(const char *buf, size_t len, int64_t *conns);

void handover_init(struct handover *h, const struct handover_ops *ops, void *arg);
/* Begin; have_lbd says whether lbd is configured.  Returns 0, or -EALREADY
 * while one is under way.  A finished one can be started again. */
int handover_start(struct handover *h, uint64_t now, int have_lbd, uint64_t timeout_us);
/* lbd answered a quiesce command: conns client connections left. */
void handover_lbd_reply(struct handover *h, uint64_t now, int64_t conns);
/* lbd could not be reached, or refused. */
void handover_lbd_failed(struct handover *h, uint64_t now);
void handover_tick(struct handover *h, uint64_t now);
/* When handover_tick() must be called next; UINT64_MAX for never. */
uint64_t handover_deadline(const struct handover *h);

#endif
