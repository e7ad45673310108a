/* quiesce: lbd's part of a planned handover of the VIP (vrrpd's
 * handover.h), asked on the control socket: "quiesce SECONDS",
 * "quiesce status", "quiesce off".
 *
 * While quiesced, the frontends' listening sockets drop every new
 * connection attempt (a classic BPF socket filter that discards TCP
 * segments with SYN set and ACK clear, so the kernel neither answers nor
 * resets them: the client retransmits its SYN after 1 s, by when the VIP
 * has moved), connections already made are still accepted, each is closed
 * after its next response ("Connection: close") and idle keep-alive ones
 * are ended.  The count of client connections left tells vrrpd when lbd is
 * drained.  The quiesce ends with "quiesce off", or by itself after
 * SECONDS, so a vrrpd that dies meanwhile cannot leave lbd deaf. */
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
	int filtered;           /* listening sockets with the filter */
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
