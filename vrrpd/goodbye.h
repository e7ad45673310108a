/* goodbye: the priority-0 advert a dead vrrpd could not send.  `vrrpd
 * --cleanup` (the unit's ExecStopPost) runs after a crash with the
 * crashed master's addresses still on the interface; removing them alone
 * leaves nobody answering for them until the backup's Master_Down_Interval
 * (3 intervals).  Sending priority 0 first, as a master shutting down does
 * (RFC 5798 6.4.3), lets the backup take over after its Skew_Time. */
#ifndef VRRPD_GOODBYE_H
#define VRRPD_GOODBYE_H

#include "config.h"

/* If this node still holds one of instance c's addresses (with vrrpd's
 * mark: a crashed vrrpd's), send c's priority-0 advert to its group or
 * peers.  1 if sent, 0 if there was nothing to say, -errno on failure
 * (logged). */
int goodbye_send(const struct instance_conf *c);

#endif
