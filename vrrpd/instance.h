/* instance: one configured virtual router at run time: the state machine
 * (vrrp.c) wired to its raw socket, timers, virtual addresses, gratuitous
 * ARP, notify hook and counters.  Config (struct instance_conf, copied) is
 * kept apart from the running state so that a reload can compare them. */
#ifndef VRRPD_INSTANCE_H
#define VRRPD_INSTANCE_H

#include <ev.h>
#include <stdint.h>

#include "bfd_host.h"
#include "iface.h"
#include "log.h"
#include "notify.h"
#include "config.h"
#include "vrrp.h"

struct vip_nl;

#define INSTANCE_STANDBY_PRIO 1 /* a node held back by a planned handover */

/* What instances share, owned by the process object (vrrpd.h). */
struct instance_env {
	struct ev_loop *loop;
	struct vip_nl *nl;
	void (*publish)(void *arg, const char *json_line);
	void *publish_arg;
	/* Is another instance on this interface and family using vrid?  Then a
	 * packet for it is not "unknown". */
	int (*vrid_known)(void *arg, int ifindex, int family, unsigned vrid);
	void *vrid_arg;
	/* Became master because the master at ip went silent (peerdown.h); may be NULL. */
	void (*peer_down)(void *arg, int family, const void *ip);
	void *peer_down_arg;
	/* An instance asks to yield (graceful preemption): drain, then
	 * instance_yield() on those with fsm.yield_asked.  Must not call back
	 * at once (it is called from inside the state machine). */
	void (*yield)(void *arg);
	void *yield_arg;
};

struct instance {
	struct instance_conf conf;
	const struct instance_env *env;
	struct vrrp fsm;
	struct iface_info ii;
	uint8_t primary[16];
	int have_primary;
	int primary_tentative;      /* only an IPv6 address still in DAD: no source yet */
	uint8_t vipbytes[CONFIG_MAX_VIPS * 16];
	int fd;
	ev_io io;
	ev_timer timer;             /* the state machine's next deadline */
	int garp_fd;
	int vmac_ifindex;           /* vmac on: the macvlan's (VIPs, adverts, ARP); else 0 */
	int vmac_fd;                /* vmac on: the advert socket bound to the macvlan */
	uint8_t vmac[6];
	ev_timer garp;
	unsigned garp_left;
	int garp_repeat_pending;
	int vips_on;
	int vips_refused;         /* the kernel refused one of them, since they were last set */
	uint32_t vips_foreign;      /* bit i: VIP i was on the interface before us (never removed) */
	uint32_t vips_added;        /* bit i: our add created VIP i (ours without IFA_PROTO too) */
	ev_timer verify;            /* zero delay: addresses re-read once this loop's events are read */
	int refusal_pending;        /* an add was refused while master: verify leaves mastership */
	int vips_unsure;            /* answers about them were lost (netlink overrun): verify reads back */
	int vip_fault;              /* FAULT held: the VIPs could not be installed */
	int vip_penalty;            /* no preemption until the VIPs were installed again */
	unsigned retry_s;           /* the delay of the vip_fault's retry, doubling */
	ev_timer retry;
	char vip_why[192];          /* the last reason for vip_fault */
	int opened;                 /* instance_open succeeded, instance_close not yet */
	int link_fault;             /* interface missing, down, or without an address */
	const char *fault_why;      /* what link_fault is about, for the status */
	const struct noaccept *noacc; /* accept off: the interface's filter (the process object's) */
	int track_faults;           /* 'fault' tracks that are down */
	uint8_t prio_now;           /* configured plus the trackers' weights */
	int standby;                /* held back by a planned handover (instance_handover()) */
	struct notify notify;
	struct log_ratelimit rl;
	uint64_t send_errors, garp_sent, vip_errors, vips_restored;
	uint64_t last_change_wall_ms;
	enum vrrp_state last_from;
	struct bfd_set bfd;         /* conf.bfd.on and opened: a session to each peer */
};

/* Sets up and opens sockets; does not start the protocol. 0 or -errno. */
int instance_open(struct instance *in, const struct instance_conf *conf, const char *global_notify,
		  const struct instance_env *env, char *err, size_t errlen);
void instance_start(struct instance *in);
/* Priority 0 if master, VIPs released, sockets closed.  Idempotent. */
void instance_close(struct instance *in);
/* vip_refused_fn: the kernel refused a change of one of the instance's
 * VIPs; error 0: an add created it. */
void instance_vip_refused(void *owner, int index, int on, int error);

/* Reload of an instance whose identity (interface, family, vrid, vmac) did
 * not change: everything else applies in place, in the state it is in.
 * Kept VIPs stay; gone ones are removed and new ones added if master. */
void instance_reconfigure(struct instance *in, const struct instance_conf *conf, const char *global_notify);
/* Same interface, family, vrid and virtual MAC?  (BFD changes in place.) */
int instance_same_identity(const struct instance *in, const struct instance_conf *conf);

/* A link event (vrrpd.c's iface watcher) for interface ifindex / ifname:
 * the instance's interface went down, came up, was deleted (FAULT, sockets
 * closed) or, while it is missing, appeared (sockets opened, INIT ->
 * BACKUP or MASTER as usual). */
void instance_iface_event(struct instance *in, int ifindex, const char *ifname, enum iface_event ev);
void instance_link_event(struct instance *in, int up);
/* Addresses changed on the interface (or the macvlan): once the events
 * that are queued are read, the addresses are read again.  The primary may
 * have appeared (leave FAULT if the link is up) or gone (FAULT: nothing to
 * speak from); a master's VIP that is gone is added again, and a VIP the
 * kernel refuses makes the instance leave mastership (vrrpd.8). */
void instance_addr_event(struct instance *in);
/* Trackers changed: weight_sum is the sum of the weights of the down
 * weighted tracks, nfaulted the number of down 'fault' tracks.  Counting
 * (rather than naming) them keeps a reload that renumbers track lines from
 * leaving and re-entering FAULT. */
void instance_tracks_changed(struct instance *in, int weight_sum, int nfaulted);

/* Planned handover: a master gives its addresses up with priority 0 and
 * the instance stays a backup at priority 1 (a standby that does not
 * preempt, yet takes over should the new master fail) until
 * instance_resume().  Returns 1 if it was master. */
int instance_handover(struct instance *in);
/* Back to the effective priority (a higher one preempts if configured to);
 * BFD sessions start anew, so that the master sees this node come back. */
void instance_resume(struct instance *in);
/* Graceful preemption, after the drain: give the addresses to the router
 * that came back (vrrp_yield()).  Returns 1 if it did. */
int instance_yield(struct instance *in);

#endif
