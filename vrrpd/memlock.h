/* memlock: vrrpd's memory locked for the protocol loop (`mlock on`), so
 * that under memory pressure no advert waits for a page to come back.
 *
 * memlock_prepare() runs while vrrpd is still privileged: it raises
 * RLIMIT_MEMLOCK (best effort).  memlock_lock() runs once start-up is over:
 * it lets go of the file pages only start-up touched (option and config
 * parsing, the dynamic linker's relocation, the first netlink dumps), then
 * locks what is resident and every page faulted later (MCL_ONFAULT: the
 * pages used, not the libraries' whole images).  The locked set is then the
 * loop's working set, and the resident set with it. */
#ifndef VRRPD_MEMLOCK_H
#define VRRPD_MEMLOCK_H

#include <stddef.h>

void memlock_prepare(void);
/* 0, or -errno with err filled (the daemon runs on unlocked). */
int memlock_lock(char *err, size_t errlen);

#endif
