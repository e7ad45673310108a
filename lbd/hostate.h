/* hostate: the servers' health and admin state handed from a running lbd
 * to the process that replaces it (handover.h), so that an upgrade does not
 * start every checked server DOWN until its first checks pass.
 *
 * Text, one line per server: backend, server, address, up, check progress
 * (rise/fall), admin state, weight, separated by tabs.  The new process
 * applies a line to its own server of that backend, name and address. */
#ifndef LBD_HOSTATE_H
#define LBD_HOSTATE_H

#include <stddef.h>

#include "model.h"

struct buf;

struct hostate_rec {
	char backend[MODEL_NAME_MAX];
	char server[MODEL_NAME_MAX];
	struct addr addr;
	int up, health, admin;
	unsigned weight;
};

/* Every server of `c`, one line each. */
void hostate_write(const struct lbd_config *c, struct buf *out);
/* One line (without its newline): 0 with `r` filled, -1 if malformed. */
int hostate_parse_line(const char *line, size_t len, struct hostate_rec *r);
/* Apply every well-formed line of `text` to the servers of `c` (matched by
 * backend, name and address; values checked against the configuration):
 * how many servers took a state. */
int hostate_apply(struct lbd_config *c, const char *text, size_t len);

#endif
