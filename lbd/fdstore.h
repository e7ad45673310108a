/* fdstore: the listening sockets kept by systemd across a restart.
 *
 * Under systemd (NOTIFY_SOCKET set, and FileDescriptorStoreMax= in the
 * unit) lbd hands a duplicate of every listening socket to the service
 * manager ("FDSTORE=1", one name per bind address).  "systemctl restart"
 * stops the old process and starts the new one; in between the sockets stay
 * open in systemd, so the kernel keeps completing handshakes into their
 * accept queues, and the new process gets them back as LISTEN_FDS: no
 * connection is refused or reset, the ones that came during the restart are
 * accepted late.  A crash restart (Restart=on-failure) gets them back too.
 * A real stop ends the store: systemd closes them once the unit is down. */
#ifndef LBD_FDSTORE_H
#define LBD_FDSTORE_H

#include <stddef.h>

struct handover_in;
struct handover_sock;
struct fdstore;

/* The listening sockets systemd passed to this process (LISTEN_PID/
 * LISTEN_FDS), as a handover_in (conn -1, peer 0): 1 with `in` filled, 0
 * when there are none, negative errno with err.  The LISTEN_ variables are
 * removed from the environment (an upgrade's exec must not see them). */
int fdstore_fetch(struct handover_in *in, char *err, size_t errlen);

/* A store for this process: NULL when not under systemd's notify socket. */
struct fdstore *fdstore_new(void);
void fdstore_free(struct fdstore *st);
/* Make systemd's store hold exactly these sockets: new ones are stored,
 * the names of bind addresses no longer listed are removed (systemd closes
 * its copies).  0 or negative errno (then the store may lag: logged). */
int fdstore_sync(struct fdstore *st, const struct handover_sock *s, int n);
/* Remove from systemd's store the sockets of these addresses (received
 * from a predecessor and not used here). */
void fdstore_forget(struct fdstore *st, const struct handover_sock *s, int n);
/* How many sockets systemd holds for us (as far as we told it). */
int fdstore_count(const struct fdstore *st);

/* The store's name for a bind address: "lbd-192.0.2.1_80",
 * "lbd-[2001_db8__1]_80" (systemd refuses ':' in names). */
#define FDSTORE_NAMELEN 80
const char *fdstore_name(const struct handover_sock *s, char *out, size_t outlen);

#endif
