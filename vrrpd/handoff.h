/* handoff: a restart of vrrpd that the other routers do not see.
 *
 * A stop is a stop (priority 0, addresses released) unless a restart was
 * asked for first: the file HANDOFF_INTENT beside the control socket
 * (/run/vrrpd/vrrpd.restart for the shipped /run/vrrpd/vrrpd.sock), made by
 * root, at most HANDOFF_INTENT_MAX_MS old.  Then the stopping vrrpd writes
 * the state file (/run/vrrpd/vrrpd.handoff) naming the virtual routers it
 * was master of and when it sent their last adverts, and leaves their
 * addresses on.  Those last adverts (two) announce an advert interval of
 * handoff_hold_ms() (at least a second): the backups take it as the
 * master's (RFC 5798 6.4.2) and wait three of them plus Skew_Time before
 * they take over, which is the restart's time.  `vrrpd --cleanup` keeps
 * the addresses, and the next vrrpd resumes those routers as master at
 * once (its adverts bring the configured interval back), if it starts
 * within three of those intervals of the last advert.  A later start, or
 * another configuration, finds the file stale and starts as usual (stale
 * addresses removed, backup).
 *
 * The file format (one record a line, times in CLOCK_MONOTONIC ms):
 *     vrrpd-handoff 1 <time_ms>
 *     master <ifname> <4|6> <vrid>
 * The parser is pure (handoff_parse) and fuzzed. */
#ifndef VRRPD_HANDOFF_H
#define VRRPD_HANDOFF_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#define HANDOFF_MAX 64              /* virtual routers recorded */
#define HANDOFF_INTENT_MAX_MS 30000 /* an older restart request is ignored */
#define HANDOFF_HOLD_MIN_MS 1000    /* the interval the last adverts announce, at least */
#define HANDOFF_FILE_MAX 8192
#define HANDOFF_PATH_MAX 128        /* the control socket's path and ".handoff" */

struct handoff_router {
	char ifname[IF_NAMESIZE];
	int family;                 /* AF_INET or AF_INET6 */
	unsigned vrid;
};

struct handoff {
	uint64_t time_ms;           /* when the last adverts left */
	int n;
	struct handoff_router masters[HANDOFF_MAX];
};

/* The intent and state files for a control socket path: its name without a
 * ".sock" ending, plus ".restart" / ".handoff".  0, or -ENAMETOOLONG. */
int handoff_paths(const char *control, char *intent, char *state, size_t len);

/* Was a restart asked for (intent file present, not older than
 * HANDOFF_INTENT_MAX_MS by its modification time)?  The file is removed
 * either way, so it serves once. */
int handoff_intent_take(const char *intent);

/* Parse a state file's text.  0, or -1 (not a state file, or malformed:
 * treated as no handoff). */
int handoff_parse(const char *buf, size_t len, struct handoff *h);
/* Read (and parse) a state file.  0 or -errno. */
int handoff_read(const char *path, struct handoff *h);
/* Write it (to a temporary file renamed into place).  0 or -errno. */
int handoff_write(const char *path, const struct handoff *h);
/* Record one master.  0, or -ENOSPC. */
int handoff_add(struct handoff *h, const char *ifname, int family, unsigned vrid);

/* The advert interval the last adverts announce: the configured one, at
 * least HANDOFF_HOLD_MIN_MS. */
unsigned handoff_hold_ms(unsigned advert_ms);

/* Was this router master at the handoff, and is the handoff recent enough
 * for it to resume (now_ms - time_ms below three handoff_hold_ms())? */
int handoff_resumes(const struct handoff *h, const char *ifname, int family, unsigned vrid,
		    unsigned advert_ms, uint64_t now_ms);

#endif
