/* vrrp: the VRRPv3 state machine of one virtual router (RFC 5798 section 6,
 * with RFC 9568's corrections).  Pure: it never reads a clock, never touches
 * a socket.  The host passes the time (microseconds, any monotonic origin)
 * into every call, arms one timer for vrrp_deadline(), and carries out what
 * the machine asks through struct vrrp_ops.  That is what lets the unit
 * tests drive it with a fake clock. */
#ifndef VRRPD_VRRP_H
#define VRRPD_VRRP_H

#include <stddef.h>
#include <stdint.h>

#include "packet.h"

enum vrrp_state { VRRP_INIT, VRRP_BACKUP, VRRP_MASTER, VRRP_FAULT, VRRP_STATE_MAX };
extern const char *const vrrp_state_names[VRRP_STATE_MAX];

/* Why the last transition happened (shown by vrrpctl, passed to notify). */
enum vrrp_reason {
	VRRP_R_NONE,
	VRRP_R_STARTUP,          /* Initialize -> Backup, or -> Master as address owner */
	VRRP_R_MASTER_DOWN,      /* Master_Down_Timer fired: no advert for Master_Down_Interval */
	VRRP_R_MASTER_LEFT,      /* priority 0 heard, then Skew_Time passed */
	VRRP_R_PREEMPTED,        /* a higher priority (or equal with higher address) advert */
	VRRP_R_PREEMPT,          /* we preempted a lower priority master */
	VRRP_R_FAULT,            /* link down or a tracker with 'fault' */
	VRRP_R_FAULT_CLEARED,
	VRRP_R_SHUTDOWN,
	VRRP_R_RESTART,          /* resumed as master after a restart (handoff.h) */
	VRRP_R_PEER_DOWN,        /* BFD: the session to the master failed, then the BFD skew passed */
	VRRP_R_HANDOVER,         /* a planned handover gave the addresses up (vrrp_release()) */
	VRRP_R_YIELD,            /* gave the addresses to a higher router that came back (vrrp_yield()) */
	VRRP_REASON_MAX
};
extern const char *const vrrp_reason_names[VRRP_REASON_MAX];

#define VRRP_US_PER_CS 10000ull
#define VRRP_NO_DEADLINE UINT64_MAX

struct vrrp;

/* What the machine asks of its host.  Each is called synchronously from
 * inside a vrrp_* call; none may call back into the machine. */
struct vrrp_ops {
	/* Send one advertisement with this priority and the configured interval. */
	void (*send_advert)(void *arg, uint8_t priority);
	/* Take (1) or release (0) the virtual addresses; taking includes the
	 * gratuitous ARP / unsolicited NA. */
	void (*set_vips)(void *arg, int on);
	/* Called after every transition. */
	void (*changed)(void *arg, enum vrrp_state old, enum vrrp_state now, enum vrrp_reason why);
	/* Master only: repeat the gratuitous ARP / unsolicited NA for the
	 * addresses already held, because another router was master too
	 * (keepalived's garp_lower_prio_repeat).  May be NULL. */
	void (*announce)(void *arg);
	/* Master only, graceful preemption (preempt_grace_us): a router of
	 * higher priority came back and can take over.  The host drains what
	 * it serves (the planned handover's drain) and then calls
	 * vrrp_yield(), never from inside this call.  May be NULL: this
	 * router then never yields. */
	void (*yield)(void *arg);
};

/* What a reload may change without leaving the current state. */
struct vrrp_params {
	uint8_t vrid;
	uint8_t priority;         /* configured, 1..255 */
	uint16_t adver_cs;        /* Advertisement_Interval */
	int preempt;
	uint64_t preempt_delay_us;
	/* Graceful preemption, 0 = off.  As a backup: a lower master that can
	 * yield (its BFD session is Up) is given this long to hand over by
	 * itself before this router preempts it as RFC 5798 says.  As a
	 * master: yield (ops->yield) to a higher router that comes back. */
	uint64_t preempt_grace_us;
};

struct vrrp_stats {
	uint64_t adverts_tx, adverts_rx, prio0_tx, prio0_rx;
	uint64_t transitions, became_master;
	uint64_t peer_down, peer_down_overridden; /* vrrp_peer_down(); an advert won over it */
	uint64_t grace_waits, grace_expired;     /* graceful preemption: held off; preempted after all */
	uint64_t yields, yields_cancelled;       /* gave the addresses to a returning higher router; did not */
	uint64_t discards[PACKET_DISCARD_MAX];
};

/* What the machine knows of another router, for graceful preemption: the
 * priority it last advertised and its BFD session (the host reports it,
 * vrrp_peer_bfd()).  The BFD discriminator tells a new session of the peer
 * (a new process: it came back) from the old one coming Up again (a
 * flap: nothing came back). */
#define VRRP_MAX_PEERS 8
struct vrrp_peer {
	uint8_t addr[16];
	uint8_t priority;                     /* last non-zero advertised; 0 = never heard */
	int bfd_up;
	uint32_t bfd_disc;                    /* the peer's discriminator, last seen Up; 0 = none */
};

struct vrrp {
	struct vrrp_params p;
	const struct vrrp_ops *ops;
	void *arg;

	int family;
	uint8_t naddr;
	uint8_t addrs[PACKET_MAX_ADDRS * 16]; /* our virtual addresses, for the MAY check */
	uint8_t primary[16];                  /* our source address, for the tie-break */

	enum vrrp_state state;
	uint8_t priority;                     /* effective: configured plus tracker weights */
	int down;                             /* >0: a fault holds the machine in FAULT */
	uint16_t master_adver_cs;             /* Master_Adver_Interval (learned) */
	uint64_t adver_at;                    /* Adver_Timer deadline, 0 = off */
	uint16_t fast_cs;                     /* after a lengthened interval: the old one, */
	uint8_t fast_left;                    /* kept for this many more adverts */
	uint64_t next_announce_at;            /* no re-announcement before this */
	uint64_t master_down_at;              /* Master_Down_Timer deadline, 0 = off */
	uint64_t preempt_since;               /* first lower-priority advert heard, 0 = none */
	enum vrrp_reason pending;             /* reason the armed timer will give */

	uint64_t master_heard_us;             /* backup: the last advert of a master it follows, 0 = none */
	uint8_t master_addr[16];              /* last master heard (or us) */
	uint8_t master_priority;
	int master_known;
	uint8_t peer_priority;                /* last non-zero priority heard from another router */
	int peer_known;
	/* Became master because the master went silent (Master_Down_Timer or
	 * BFD, not priority 0 nor a preemption): that master's address, for
	 * the host to tell lbd its node is down.  Valid during changed(). */
	uint8_t silent_master[16];
	int silent_master_known;

	int resume_master;                    /* vrrp_resume_master() before vrrp_start() */

	struct vrrp_peer peers[VRRP_MAX_PEERS];
	int npeers, next_peer;                /* next_peer: the slot a new one takes when full */
	uint64_t grace_since;                 /* backup: holding off preemption since, 0 = not */
	int grace_over;                       /* the hold-off ran out: preempt as the RFC says */
	int yield_asked;                      /* master: ops->yield() called, vrrp_yield() due */
	uint8_t yield_to[16];                 /* ... to this router */

	enum vrrp_reason last_reason;
	uint64_t last_change_us;
	struct vrrp_stats st;
};

/* Set up in INIT.  addrs: naddr addresses of the family; primary: our address. */
void vrrp_init(struct vrrp *v, const struct vrrp_params *p, int family,
	       const uint8_t *addrs, uint8_t naddr, const void *primary,
	       const struct vrrp_ops *ops, void *arg);
void vrrp_set_primary(struct vrrp *v, const void *primary);

/* Startup event: INIT -> BACKUP (or MASTER when priority 255), or FAULT
 * when a fault is already held. */
void vrrp_start(struct vrrp *v, uint64_t now);
/* Shutdown event: a master sends priority 0 and releases the addresses. */
void vrrp_shutdown(struct vrrp *v, uint64_t now);

/* A restart (handoff.h): the process goes away, the router does not.  A
 * master sends two last adverts at its priority (with the interval the
 * host's send_advert puts in them) and keeps its addresses;
 * the machine stops (back in INIT, without a transition: no event, no
 * notify) so that a vrrp_shutdown() after it does nothing. */
void vrrp_handoff(struct vrrp *v, uint64_t now);
/* A planned handover: a master sends priority 0 (backups take over after
 * Skew_Time), releases its addresses and stays a backup, from now on at
 * `hold_prio` (the host keeps that priority while it holds the node back,
 * so that it does not preempt the new master).  Anywhere else only the
 * priority changes.  The host drains lbd before calling this. */
void vrrp_release(struct vrrp *v, uint64_t now, uint8_t hold_prio);
/* Before vrrp_start(): the process before this one was master and handed
 * over.  vrrp_start() then goes straight to MASTER (advert at once, the
 * addresses are taken again, which keeps them); should a fault hold the
 * machine, the addresses left on are released. */
void vrrp_resume_master(struct vrrp *v);

/* A received advert that passed packet_parse() and whose VRID is ours.
 * Returns PACKET_OK or why it was discarded (the caller counts it). */
enum packet_discard vrrp_recv(struct vrrp *v, uint64_t now, const struct packet_advert *a,
			      const void *src);

/* BFD (bfd.h) saw the session to `peer` fail: detect_us is the session's
 * detection time.  A backup whose current master is `peer` acts as if it
 * had sent priority 0, with Skew_Time scaled to the detection time
 * ((256 - Priority) * detect_us / 256), so that the highest backup still
 * wins.  An advert from a master that arrives afterwards wins over BFD: a
 * backup re-arms Master_Down_Interval, a master yields as RFC 5798 says;
 * either is counted in peer_down_overridden.  Anywhere else: nothing. */
void vrrp_peer_down(struct vrrp *v, uint64_t now, const void *peer, uint64_t detect_us);
/* The same, where the peer was certainly alive until no later than
 * silent_us before now had it crashed (BFD: (Detect Mult - 1) intervals of
 * its packets, as the last one may have come up to one interval before a
 * crash).  An advert heard within silent_us means the master spoke after
 * BFD went quiet, so only BFD failed: nothing is armed, and that is
 * counted in peer_down_overridden. */
void vrrp_peer_down_quiet(struct vrrp *v, uint64_t now, const void *peer, uint64_t detect_us,
			  uint64_t silent_us);
/* A master advertises at once (and restarts its Adver_Timer); anywhere
 * else nothing.  For when its BFD session to a backup fails: that backup
 * may be about to take over, and an advert tells it this master is alive. */
void vrrp_advert_now(struct vrrp *v, uint64_t now);

/* BFD (bfd_host.h): the session to `peer` is Up (up = 1, disc = the
 * peer's discriminator) or no longer Up.  A backup holding off a preemption
 * for graceful preemption goes on timing the master from now; a master
 * with preempt_grace_us asks its host to yield (ops->yield) when a router
 * that last advertised a higher priority comes Up with a new session. */
void vrrp_peer_bfd(struct vrrp *v, uint64_t now, const void *peer, int up, uint32_t disc);
/* After ops->yield and the drain: a master that still has the router it
 * asked for Up over BFD and of higher priority sends priority 0 and
 * becomes backup at its own priority (that router takes over after its
 * Skew_Time).  Returns 1 if it yielded, 0 if not (no longer master, or
 * the router went away: it keeps the addresses). */
int vrrp_yield(struct vrrp *v, uint64_t now);

/* Fire what is due; then vrrp_deadline() says when to call again. */
void vrrp_tick(struct vrrp *v, uint64_t now);
uint64_t vrrp_deadline(const struct vrrp *v);

/* Effective priority changed (trackers): 1..254.  An owner (configured
 * 255) stays at 255 whatever it is given, as keepalived ignores track
 * weights for an address owner.  A master advertises the change at once. */
void vrrp_set_priority(struct vrrp *v, uint64_t now, uint8_t prio);
/* Reload changed the virtual addresses (naddr of the family); a master
 * advertises the new list at once. */
void vrrp_set_addrs(struct vrrp *v, uint64_t now, const uint8_t *addrs, uint8_t naddr);
/* Faults are counted: each source sets and clears its own. */
void vrrp_fault(struct vrrp *v, uint64_t now, int on);
/* Reload: new interval and preempt settings; the host then recomputes the
 * effective priority and calls vrrp_set_priority().  A master advertises a
 * new interval at once (a backup still times the old one). */
void vrrp_reconfigure(struct vrrp *v, uint64_t now, const struct vrrp_params *p);

/* Skew_Time and Master_Down_Interval in microseconds, for the current
 * Master_Adver_Interval and priority. */
uint64_t vrrp_skew_us(const struct vrrp *v);
uint64_t vrrp_master_down_us(const struct vrrp *v);

#endif
