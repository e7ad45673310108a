/* status: renders the instances and tracks as the JSON object that
 * `vrrpctl status` shows (collection is the instances' own counters;
 * this is only the rendering). */
#ifndef VRRPD_STATUS_H
#define VRRPD_STATUS_H

#include "buf.h"

struct instance;
struct track;

int status_render(struct buf *b, struct instance *const *inst, int ninst,
		  struct track *const *tracks, int ntracks);

#endif
