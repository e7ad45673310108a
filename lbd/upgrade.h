/* upgrade: start the lbd binary installed now (after a package upgrade, a
 * new one) beside the running process, with the same command line; it takes
 * the listening sockets over (handover.h) and the old process drains. */
#ifndef LBD_UPGRADE_H
#define LBD_UPGRADE_H

#include <stddef.h>
#include <sys/types.h>

/* Remember the binary's path and the command line; call first in main(),
 * before the binary can have been replaced. */
void upgrade_init(char **argv);
/* Fork and exec the binary: the child's pid, or negative errno with err. */
pid_t upgrade_spawn(char *err, size_t errlen);

#endif
