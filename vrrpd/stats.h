/* status: renders the instances and tracks as the JSON object that
 * `vrrpctl status` shows (collection is the instances' own counters;
 * this is only the rendering). */
#ifndef VRRPD_STATS_H
#define VRRPD_STATS_H

#include <net/if.h>

#include "buf.h"

struct guard;
struct instance;
struct synhold;
struct track;

/* guards: the XDP guards (guard.h), one per interface named in ifnames;
 * sh: the syn-hold filters (synhold.h), NULL if none. */
int stats_render(struct buf *b, struct instance *const *inst, int ninst,
		  struct track *const *tracks, int ntracks,
		  struct guard *const *guards, const char (*ifnames)[IF_NAMESIZE], int nguards,
		  const struct synhold *sh);

#endif
