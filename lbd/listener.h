/* listener: listening sockets, one per bind address and worker
 * (SO_REUSEPORT: the kernel spreads connections over the workers), opened
 * with IP_FREEBIND so a backup node can listen on a VIP it does not hold. */
#ifndef LBD_LISTENER_H
#define LBD_LISTENER_H

#include <stddef.h>

struct addr;

/* A non-blocking listening socket, or -errno with err filled. */
int listener_open(const struct addr *a, char *err, size_t errlen);

#endif
