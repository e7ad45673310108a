/* quiesce: lbd's part of a planned handover of the VIP (vrrpd's
 * handover.h), asked on the control socket: "quiesce SECONDS",
 * "quiesce status", "quiesce off".
 *
 * While quiesced, lbd keeps accepting (a dropped SYN would cost a client
 * its 1 s retransmission), every response says "Connection: close", and a
 * connection idle for XCH_STOP_IDLE_S (between requests, or new and
 * silent) is closed at that request boundary.  The status says how many
 * client connections are open ("conns") and how many of them have a
 * request in flight ("busy"): vrrpd gives the VIP up once none is busy.
 * A connection still in a listening socket's accept queue (the kernel
 * completed it, maybe acknowledged its request, no worker has taken it
 * yet) counts as open and busy ("pending" says how many): given up with
 * the VIP, its request would wait for an answer from an address gone.
 * Just before, "quiesce close" makes the listening sockets drop new
 * connection attempts (a classic BPF filter discarding TCP SYNs: the
 * client retransmits after 1 s, to the new master), so that no connection
 * is accepted in the instant the addresses go; that moment adds to the
 * backup's Skew_Time, when the VIP answers nowhere anyway.
 * The quiesce ends with "quiesce off", or by itself after SECONDS, so a
 * vrrpd that dies meanwhile cannot leave lbd closing every connection. */
#ifndef LBD_QUIESCE_H
#define LBD_QUIESCE_H

#include <ev.h>
#include <stdint.h>

struct buf;
struct workers;

#define QUIESCE_MAX_S 3600

struct quiesce {
	struct ev_loop *loop;
	struct workers *workers;
	int on;
	uint64_t since_ms, until_ms;
	int closing;            /* "quiesce close": the SYN filter is on */
	ev_timer expire;
	uint64_t count;         /* quiesces begun */
	int conns_at_start;     /* client connections when the last one began */
};

void quiesce_init(struct quiesce *q, struct ev_loop *loop);
/* The control command (argv[0] is "quiesce"); 0 or negative errno, reply filled. */
int quiesce_cmd(struct quiesce *q, struct workers *w, int argc, char **argv, struct buf *reply);
/* End it (also at stop; the sockets may be handed to a new process). */
void quiesce_end(struct quiesce *q);
/* Attach (on) or detach the SYN filter to one listening socket: 0 or -errno. */
int quiesce_filter(int fd, int on);

#endif
