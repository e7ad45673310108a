/* reuseport: the SK_REUSEPORT BPF program (bpf/lbd_reuseport.bpf.c) on
 * each bind address's reuseport group, so that an upgrade can open new
 * listening sockets beside the old process's instead of taking them over.
 *
 * The new process loads one program per bind address, puts its own sockets
 * in its socket array and attaches it to the group: every new connection
 * goes to the new sockets from then on.  When the old process then stops
 * listening, the kernel runs the program for each connection waiting in the
 * old sockets' accept queues and moves it to a new socket (migration, since
 * Linux 5.14), where it would otherwise be reset.
 *
 * Needs CAP_BPF (or CAP_SYS_ADMIN) to load the program; without it, or on
 * an older kernel, reuseport_new() says why and lbd takes the old process's
 * sockets over SCM_RIGHTS instead (handover.h). */
#ifndef LBD_REUSEPORT_H
#define LBD_REUSEPORT_H

#include <stddef.h>
#include <stdint.h>

struct handover_sock;
struct reuseport;

/* Probe (load one program): NULL with the reason in err when BPF cannot be used. */
struct reuseport *reuseport_new(char *err, size_t errlen);
/* Steer each bind address among `s` to its listed sockets (loading and
 * attaching a program for an address met the first time, dropping those of
 * addresses gone).  0, or negative errno with err. */
int reuseport_sync(struct reuseport *r, const struct handover_sock *s, int n, char *err, size_t errlen);
/* Connections the programs moved out of a closed listener's queue. */
uint64_t reuseport_migrated(const struct reuseport *r);
void reuseport_free(struct reuseport *r);

#endif
