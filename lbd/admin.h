/* admin: lbctl's runtime commands on the control socket:
 *   show stat [json]            HAProxy's CSV (or the /stats;json object)
 *   show servers                every server: status, check, weight, admin
 *   disable server B/S          maintenance: no traffic, no checks
 *   drain server B/S            no new requests; in-flight ones finish
 *   enable server B/S           back to ready
 *   set weight B/S N            0..256 (0: never picked)
 * Replies are JSON; those meant for people carry a "text" field that lbctl
 * prints as is.  Changes are atomics in the model: the page shows them at once. */
#ifndef LBD_ADMIN_H
#define LBD_ADMIN_H

struct lbd;

void admin_register(struct lbd *l);

#endif
