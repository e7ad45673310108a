#include "vrrp.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"

const char *const vrrp_state_names[VRRP_STATE_MAX] = {
	[VRRP_INIT] = "init",
	[VRRP_BACKUP] = "backup",
	[VRRP_MASTER] = "master",
	[VRRP_FAULT] = "fault",
};

const char *const vrrp_reason_names[VRRP_REASON_MAX] = {
	[VRRP_R_NONE] = "none",
	[VRRP_R_STARTUP] = "startup",
	[VRRP_R_MASTER_DOWN] = "master_down",
	[VRRP_R_MASTER_LEFT] = "master_left",
	[VRRP_R_PREEMPTED] = "higher_priority",
	[VRRP_R_PREEMPT] = "preempt",
	[VRRP_R_FAULT] = "fault",
	[VRRP_R_FAULT_CLEARED] = "fault_cleared",
	[VRRP_R_SHUTDOWN] = "shutdown",
	[VRRP_R_RESTART] = "restart",
	[VRRP_R_PEER_DOWN] = "bfd_peer_down",
	[VRRP_R_HANDOVER] = "handover",
	[VRRP_R_YIELD] = "yield",
};

static size_t alen(const struct vrrp *v)
{
	return packet_addr_len(v->family);
}

uint64_t vrrp_skew_us(const struct vrrp *v)
{
	/* ((256 - Priority) * Master_Adver_Interval) / 256, kept in
	 * microseconds so that the fraction of a centisecond is not lost. */
	return (256u - v->priority) * v->master_adver_cs * VRRP_US_PER_CS / 256u;
}

uint64_t vrrp_master_down_us(const struct vrrp *v)
{
	return 3u * v->master_adver_cs * VRRP_US_PER_CS + vrrp_skew_us(v);
}

/* The one transition function: every state change goes through here. */
static void vrrp_change_state(struct vrrp *v, uint64_t now, enum vrrp_state to, enum vrrp_reason why)
{
	enum vrrp_state from = v->state;
	if (from == to)
		return;
	v->state = to;
	v->last_reason = why;
	v->last_change_us = now;
	v->st.transitions++;
	v->silent_master_known = 0;
	if (from == VRRP_MASTER)
		v->yield_asked = 0; /* a vrrp_yield() still to come finds nothing to do */
	if (to == VRRP_MASTER && (why == VRRP_R_MASTER_DOWN || why == VRRP_R_PEER_DOWN) && v->master_known &&
	    memcmp(v->master_addr, v->primary, alen(v)) != 0) {
		memcpy(v->silent_master, v->master_addr, alen(v));
		v->silent_master_known = 1;
	}
	if (to == VRRP_MASTER) {
		v->st.became_master++;
		memcpy(v->master_addr, v->primary, alen(v));
		v->master_priority = v->priority;
		v->master_known = 1;
	}
	log_notice("vrid %u: %s -> %s (%s)", v->p.vrid, vrrp_state_names[from], vrrp_state_names[to],
		   vrrp_reason_names[why]);
	if (v->ops->changed)
		v->ops->changed(v->arg, from, to, why);
}

static void send_advert(struct vrrp *v, uint8_t prio)
{
	v->st.adverts_tx++;
	if (prio == 0)
		v->st.prio0_tx++;
	v->ops->send_advert(v->arg, prio);
}

static void arm_adver(struct vrrp *v, uint64_t now)
{
	/* The old spacing while fast_left (see vrrp_reconfigure()); only the
	 * timer's adverts count it down, so an extra one in between (a
	 * priority change) does not shorten the transition. */
	uint64_t cs = v->fast_left ? v->fast_cs : v->p.adver_cs;
	v->adver_at = now + cs * VRRP_US_PER_CS;
	v->master_down_at = 0;
}

/* A master repeats its gratuitous ARP / NA when another router shows it was
 * master too, at most this often: a peer that cannot hear us (a one-way
 * link) would otherwise make us broadcast at its advert rate. */
#define VRRP_ANNOUNCE_GAP_US 1000000ull

static void announce(struct vrrp *v, uint64_t now)
{
	if (!v->ops->announce || now < v->next_announce_at)
		return;
	v->next_announce_at = now + VRRP_ANNOUNCE_GAP_US;
	v->ops->announce(v->arg);
}

static void arm_master_down(struct vrrp *v, uint64_t now, uint64_t after, enum vrrp_reason why)
{
	v->master_down_at = now + after;
	v->adver_at = 0;
	v->pending = why;
}

static void become_master(struct vrrp *v, uint64_t now, enum vrrp_reason why)
{
	v->fast_left = 0;
	v->master_adver_cs = v->p.adver_cs; /* the master's interval is ours now */
	send_advert(v, v->priority);
	v->ops->set_vips(v->arg, 1);
	arm_adver(v, now);
	v->preempt_since = 0;
	v->grace_since = 0;
	v->grace_over = 0;
	vrrp_change_state(v, now, VRRP_MASTER, why);
}

static void become_backup(struct vrrp *v, uint64_t now, enum vrrp_reason why)
{
	int was_master = v->state == VRRP_MASTER;
	v->master_adver_cs = v->master_adver_cs ? v->master_adver_cs : v->p.adver_cs;
	arm_master_down(v, now, vrrp_master_down_us(v), VRRP_R_MASTER_DOWN);
	if (was_master)
		v->ops->set_vips(v->arg, 0);
	vrrp_change_state(v, now, VRRP_BACKUP, why);
}

/* Compare the sender's address with ours for the equal-priority tie-break:
 * the higher primary address wins (RFC 5798 6.4.3). */
static int sender_wins_tie(const struct vrrp *v, const void *src)
{
	return memcmp(src, v->primary, alen(v)) > 0;
}

static void note_master(struct vrrp *v, const struct packet_advert *a, const void *src)
{
	memcpy(v->master_addr, src, alen(v));
	v->master_priority = a->priority;
	v->master_known = 1;
}

/* Follow the master's interval (RFC 5798 6.4.2).  One that differs from
 * ours is logged (RFC 9568 7.1: a SHOULD), once per change. */
static void learn_interval(struct vrrp *v, const struct packet_advert *a, const void *src)
{
	if (a->interval_cs != v->master_adver_cs && a->interval_cs != v->p.adver_cs) {
		char ip[INET6_ADDRSTRLEN] = "?";
		inet_ntop(v->family, src, ip, sizeof(ip));
		log_warn("vrid %u: master %s advertises every %u ms, this router is configured for %u ms",
			 v->p.vrid, ip, a->interval_cs * 10u, v->p.adver_cs * 10u);
	}
	v->master_adver_cs = a->interval_cs;
}

/* ---- graceful preemption ------------------------------------------------ */

/* Routers are known only once the host reports a BFD session to them
 * (vrrp_peer_bfd()): adverts from any other source never take a slot. */
static struct vrrp_peer *peer_find(struct vrrp *v, const void *addr, int create)
{
	for (int i = 0; i < v->npeers; i++)
		if (memcmp(v->peers[i].addr, addr, alen(v)) == 0)
			return &v->peers[i];
	if (!create)
		return NULL;
	int k = v->npeers;
	if (k < VRRP_MAX_PEERS) {
		v->npeers++;
	} else {
		k = v->next_peer;
		v->next_peer = (v->next_peer + 1) % VRRP_MAX_PEERS;
	}
	memset(&v->peers[k], 0, sizeof(v->peers[k]));
	memcpy(v->peers[k].addr, addr, alen(v));
	return &v->peers[k];
}

static void grace_reset(struct vrrp *v)
{
	v->grace_since = 0;
	v->grace_over = 0;
}

/* A backup that would preempt the lower master at `master`: hold off while
 * that master can yield (its BFD session is Up), preempt_grace_us at most
 * from the first time, after which it preempts as RFC 5798 says (a master
 * that does not yield: keepalived, an older vrrpd, one that is stuck). */
static int grace_holds(struct vrrp *v, uint64_t now, const void *master)
{
	if (!v->p.preempt_grace_us || v->grace_over)
		return 0;
	const struct vrrp_peer *p = peer_find(v, master, 0);
	if (!p || !p->bfd_up)
		return 0;
	if (!v->grace_since) {
		v->grace_since = now;
		v->st.grace_waits++;
		log_notice("vrid %u: the lower master can yield (BFD Up): preemption held off for up to %llu ms",
			   v->p.vrid, (unsigned long long)(v->p.preempt_grace_us / 1000u));
	}
	if (now - v->grace_since < v->p.preempt_grace_us)
		return 1;
	v->grace_over = 1;
	v->st.grace_expired++;
	log_warn("vrid %u: the lower master did not yield within %llu ms: preempting it", v->p.vrid,
		 (unsigned long long)(v->p.preempt_grace_us / 1000u));
	return 0;
}

/* Would this router preempt us, were it a backup with preemption on? */
static int outranks_us(const struct vrrp *v, const struct vrrp_peer *p)
{
	return p->priority > v->priority;
}

/* ---- per-state handlers ------------------------------------------------- */

static void backup_recv(struct vrrp *v, uint64_t now, const struct packet_advert *a, const void *src)
{
	int from_master = v->master_known && memcmp(src, v->master_addr, alen(v)) == 0;
	if (v->pending == VRRP_R_PEER_DOWN && v->master_down_at && a->priority != 0 && from_master) {
		/* BFD said the master was gone, but an advert still came:
		 * the advert wins, back to the RFC's timer.  (A lower backup
		 * that took over first does not: we preempt it on time.) */
		char ip[INET6_ADDRSTRLEN] = "?";
		inet_ntop(v->family, src, ip, sizeof(ip));
		log_warn("vrid %u: advert from %s after BFD said the master was down: staying backup",
			 v->p.vrid, ip);
		v->st.peer_down_overridden++;
		arm_master_down(v, now, vrrp_master_down_us(v), VRRP_R_MASTER_DOWN);
	}
	if (a->priority == 0) {
		/* The master is leaving: the highest backup takes over after
		 * its Skew_Time alone. */
		arm_master_down(v, now, vrrp_skew_us(v), VRRP_R_MASTER_LEFT);
		return;
	}
	int lower = a->priority < v->priority;
	if (!lower) {
		v->preempt_since = 0;
		grace_reset(v);
	} else if (v->p.preempt) {
		int held = 0;
		if (v->p.preempt_delay_us) {
			/* Preempt delay: behave as non-preempting until the
			 * lower master has been heard for that long. */
			if (!v->preempt_since)
				v->preempt_since = now;
			held = now - v->preempt_since < v->p.preempt_delay_us;
		}
		/* Graceful preemption: give a master that can yield the time
		 * to hand over without a reset (both clocks start together). */
		if (grace_holds(v, now, src))
			held = 1;
		if (held)
			lower = 0;
	}
	if (!v->p.preempt || !lower) {
		note_master(v, a, src);
		v->master_heard_us = now;
		learn_interval(v, a, src);
		arm_master_down(v, now, vrrp_master_down_us(v), VRRP_R_MASTER_DOWN);
		return;
	}
	/* A lower master and we preempt: discard, and let Master_Down_Timer
	 * run out (RFC 5798 6.4.2). */
	note_master(v, a, src);
	/* A hand-over stays a hand-over, and a BFD takeover stays on time. */
	if (v->pending != VRRP_R_MASTER_LEFT && v->pending != VRRP_R_PEER_DOWN)
		v->pending = VRRP_R_PREEMPT;
}

static void master_recv(struct vrrp *v, uint64_t now, const struct packet_advert *a, const void *src)
{
	if (a->priority != 0 &&
	    (a->priority > v->priority || (a->priority == v->priority && sender_wins_tie(v, src)))) {
		note_master(v, a, src);
		learn_interval(v, a, src);
		/* One last advert as we yield (outside RFC 5798 / 9568, which
		 * send nothing here).  When two masters could not hear each
		 * other, the one that hears the other first yields; if that is
		 * us, the winner has never heard us and would not know that
		 * clients may hold our MAC.  This lower-priority advert tells
		 * it (see below), and a backup only re-arms on it. */
		send_advert(v, v->priority);
		if (v->last_reason == VRRP_R_PEER_DOWN) {
			log_warn("vrid %u: a master still advertises after BFD said it was down: back to backup",
				 v->p.vrid);
			v->st.peer_down_overridden++;
		}
		become_backup(v, now, VRRP_R_PREEMPTED);
		return;
	}
	/* RFC 9568: a master that hears a lower priority (or priority 0)
	 * advertises at once, so the other router backs off without waiting
	 * an interval.  That router was master too, so clients may have
	 * learnt its MAC for our addresses: announce them again. */
	send_advert(v, v->priority);
	arm_adver(v, now);
	announce(v, now);
}

static void master_timer(struct vrrp *v, uint64_t now)
{
	if (v->adver_at && now >= v->adver_at) {
		send_advert(v, v->priority);
		if (v->fast_left)
			v->fast_left--;
		arm_adver(v, now);
	}
}

static void backup_timer(struct vrrp *v, uint64_t now)
{
	if (v->master_down_at && now >= v->master_down_at)
		become_master(v, now, v->pending ? v->pending : VRRP_R_MASTER_DOWN);
}

static void idle_recv(struct vrrp *v, uint64_t now, const struct packet_advert *a, const void *src)
{
	(void)v; (void)now; (void)a; (void)src;
}

static void idle_timer(struct vrrp *v, uint64_t now)
{
	(void)v; (void)now;
}

static const struct {
	void (*recv)(struct vrrp *v, uint64_t now, const struct packet_advert *a, const void *src);
	void (*timer)(struct vrrp *v, uint64_t now);
} handlers[VRRP_STATE_MAX] = {
	[VRRP_INIT] = { idle_recv, idle_timer },
	[VRRP_BACKUP] = { backup_recv, backup_timer },
	[VRRP_MASTER] = { master_recv, master_timer },
	[VRRP_FAULT] = { idle_recv, idle_timer },
};

/* ---- events -------------------------------------------------------------- */

void vrrp_init(struct vrrp *v, const struct vrrp_params *p, int family,
	       const uint8_t *addrs, uint8_t naddr, const void *primary,
	       const struct vrrp_ops *ops, void *arg)
{
	memset(v, 0, sizeof(*v));
	v->p = *p;
	v->family = family;
	v->naddr = naddr;
	memcpy(v->addrs, addrs, packet_addr_len(family) * naddr);
	if (primary)
		memcpy(v->primary, primary, packet_addr_len(family));
	v->ops = ops;
	v->arg = arg;
	v->state = VRRP_INIT;
	v->priority = p->priority;
}

void vrrp_set_primary(struct vrrp *v, const void *primary)
{
	memcpy(v->primary, primary, alen(v));
}

void vrrp_start(struct vrrp *v, uint64_t now)
{
	if (v->state != VRRP_INIT)
		return;
	v->master_adver_cs = v->p.adver_cs;
	v->master_known = 0;
	v->preempt_since = 0;
	grace_reset(v);
	int resume = v->resume_master;
	v->resume_master = 0;
	if (v->down) {
		if (resume)
			v->ops->set_vips(v->arg, 0); /* left on by the previous process */
		vrrp_change_state(v, now, VRRP_FAULT, VRRP_R_FAULT);
	} else if (v->priority == 255) {
		become_master(v, now, VRRP_R_STARTUP);
	} else if (resume) {
		become_master(v, now, VRRP_R_RESTART);
	} else {
		arm_master_down(v, now, vrrp_master_down_us(v), VRRP_R_MASTER_DOWN);
		vrrp_change_state(v, now, VRRP_BACKUP, VRRP_R_STARTUP);
	}
}

/* Leaving Master for Init or Fault: priority 0 so that a backup takes over
 * after Skew_Time rather than Master_Down_Interval. */
static void leave_master(struct vrrp *v)
{
	if (v->state != VRRP_MASTER)
		return;
	send_advert(v, 0);
	v->ops->set_vips(v->arg, 0);
}

void vrrp_shutdown(struct vrrp *v, uint64_t now)
{
	leave_master(v);
	v->adver_at = v->master_down_at = 0;
	vrrp_change_state(v, now, VRRP_INIT, VRRP_R_SHUTDOWN);
}

void vrrp_handoff(struct vrrp *v, uint64_t now)
{
	(void)now;
	if (v->state == VRRP_MASTER) {
		/* Two: should one be lost, the backups still learn the
		 * longer interval that covers the restart. */
		send_advert(v, v->priority);
		send_advert(v, v->priority);
		log_notice("vrid %u: Master handed over to the next process", v->p.vrid);
	}
	v->adver_at = v->master_down_at = 0;
	v->state = VRRP_INIT;
}

void vrrp_release(struct vrrp *v, uint64_t now, uint8_t hold_prio)
{
	if (v->p.priority == 255)
		hold_prio = 255; /* an owner takes its addresses back whatever it does */
	if (v->state == VRRP_MASTER) {
		send_advert(v, 0);
		v->priority = hold_prio; /* before the backup timers are computed */
		become_backup(v, now, VRRP_R_HANDOVER);
		return;
	}
	v->priority = hold_prio;
}

void vrrp_resume_master(struct vrrp *v)
{
	v->resume_master = 1;
}

static int same_addrs(const struct vrrp *v, const struct packet_advert *a)
{
	if (a->naddr != v->naddr)
		return 0;
	for (int i = 0; i < a->naddr; i++) {
		int found = 0;
		for (int j = 0; j < v->naddr && !found; j++)
			found = memcmp(a->addrs + (size_t)i * alen(v), v->addrs + (size_t)j * alen(v), alen(v)) == 0;
		if (!found)
			return 0;
	}
	return 1;
}

enum packet_discard vrrp_recv(struct vrrp *v, uint64_t now, const struct packet_advert *a,
			      const void *src)
{
	if (a->family != v->family || a->vrid != v->p.vrid)
		return PACKET_UNKNOWN_VRID;
	if (memcmp(src, v->primary, alen(v)) == 0)
		return PACKET_OWN;
	if (v->priority == 255 && v->p.priority == 255)
		return PACKET_OWNER;
	/* The MAY check of RFC 5798 7.1: the same set of addresses, in any
	 * order.  A mismatch is a misconfiguration that must not elect, except
	 * from the owner (priority 255), whose advert is processed anyway. */
	if (a->priority != 255 && !same_addrs(v, a))
		return PACKET_ADDR_MISMATCH;
	v->st.adverts_rx++;
	if (a->priority == 0) {
		v->st.prio0_rx++;
	} else {
		v->peer_priority = a->priority;
		v->peer_known = 1;
		/* Kept across its priority 0 (a stop, a handover): a new
		 * process of that router comes back at this priority. */
		struct vrrp_peer *p = peer_find(v, src, 0);
		if (p)
			p->priority = a->priority;
	}
	handlers[v->state].recv(v, now, a, src);
	return PACKET_OK;
}

void vrrp_peer_down(struct vrrp *v, uint64_t now, const void *peer, uint64_t detect_us)
{
	vrrp_peer_down_quiet(v, now, peer, detect_us, 0);
}

void vrrp_peer_down_quiet(struct vrrp *v, uint64_t now, const void *peer, uint64_t detect_us,
			  uint64_t silent_us)
{
	/* The master's session, or any while a lower router that took over
	 * first (a BFD race between backups) is waiting to be preempted. */
	if (v->state != VRRP_BACKUP || !v->master_known ||
	    (memcmp(v->master_addr, peer, alen(v)) != 0 && v->pending != VRRP_R_PREEMPT))
		return;
	v->st.peer_down++;
	if (v->master_heard_us && now - v->master_heard_us < silent_us) {
		/* An advert came after BFD last heard from the master: it is
		 * alive, only BFD failed. */
		log_warn("vrid %u: BFD says the master is down, but it advertised %llu ms ago: staying backup",
			 v->p.vrid, (unsigned long long)((now - v->master_heard_us) / 1000u));
		v->st.peer_down_overridden++;
		return;
	}
	uint64_t skew = (256u - v->priority) * detect_us / 256u;
	/* Never later than the RFC's own timer would fire. */
	if (v->master_down_at && now + skew >= v->master_down_at)
		return;
	arm_master_down(v, now, skew, VRRP_R_PEER_DOWN);
}

void vrrp_peer_bfd(struct vrrp *v, uint64_t now, const void *peer, int up, uint32_t disc)
{
	struct vrrp_peer *p = peer_find(v, peer, 1);
	if (!up) {
		p->bfd_up = 0;
		return;
	}
	/* A discriminator not seen before is a new session of the peer: a
	 * new process (it came back), not the old session after a flap. */
	int fresh = disc != p->bfd_disc;
	p->bfd_up = 1;
	p->bfd_disc = disc;
	if (v->state == VRRP_BACKUP && v->pending == VRRP_R_PREEMPT && v->master_down_at && v->master_known &&
	    memcmp(v->master_addr, peer, alen(v)) == 0 && grace_holds(v, now, peer)) {
		/* The master we were about to preempt can yield now: time it
		 * from here, as if it had just advertised. */
		arm_master_down(v, now, vrrp_master_down_us(v), VRRP_R_MASTER_DOWN);
		return;
	}
	if (!fresh || v->state != VRRP_MASTER || !v->p.preempt_grace_us || !v->ops->yield || v->yield_asked ||
	    !outranks_us(v, p))
		return;
	char ip[INET6_ADDRSTRLEN] = "?";
	inet_ntop(v->family, peer, ip, sizeof(ip));
	log_notice("vrid %u: %s (priority %u) is back with a new BFD session: yielding to it once drained",
		   v->p.vrid, ip, p->priority);
	memcpy(v->yield_to, peer, alen(v));
	v->yield_asked = 1;
	v->ops->yield(v->arg);
}

int vrrp_yield(struct vrrp *v, uint64_t now)
{
	int asked = v->yield_asked;
	v->yield_asked = 0;
	if (!asked || v->state != VRRP_MASTER)
		return 0;
	const struct vrrp_peer *p = peer_find(v, v->yield_to, 0);
	if (!p || !p->bfd_up || !outranks_us(v, p)) {
		/* It went away while we drained, or our priority rose: it
		 * would not take over, or we would preempt it back. */
		v->st.yields_cancelled++;
		log_warn("vrid %u: not yielding: the router that came back is %s", v->p.vrid,
			 p && p->bfd_up ? "no longer of higher priority" : "gone (BFD not Up)");
		return 0;
	}
	v->st.yields++;
	send_advert(v, 0);
	become_backup(v, now, VRRP_R_YIELD);
	return 1;
}

void vrrp_advert_now(struct vrrp *v, uint64_t now)
{
	if (v->state != VRRP_MASTER)
		return;
	send_advert(v, v->priority);
	arm_adver(v, now);
}

void vrrp_tick(struct vrrp *v, uint64_t now)
{
	handlers[v->state].timer(v, now);
}

uint64_t vrrp_deadline(const struct vrrp *v)
{
	uint64_t d = VRRP_NO_DEADLINE;
	if (v->adver_at && v->adver_at < d)
		d = v->adver_at;
	if (v->master_down_at && v->master_down_at < d)
		d = v->master_down_at;
	return d;
}

void vrrp_set_priority(struct vrrp *v, uint64_t now, uint8_t prio)
{
	uint8_t old = v->priority;
	if (v->p.priority == 255)
		prio = 255; /* the owner's priority is not the trackers' to change */
	if (prio == old)
		return;
	v->priority = prio;
	if (v->state != VRRP_MASTER)
		return;
	v->master_priority = prio;
	/* A master that got weaker than a router it has heard (or that has
	 * heard none, so cannot know): priority 0 makes every backup arm
	 * Skew_Time, and the advert with the new priority right after it
	 * re-arms the full interval in backups weaker than us, so only a
	 * stronger backup takes over, and that within its Skew_Time.  A
	 * master still above every router it heard has no one to hand over
	 * to, and a priority 0 would only expose weaker backups to a takeover
	 * should the second advert be lost. */
	if (prio < old && (!v->peer_known || prio < v->peer_priority))
		send_advert(v, 0);
	/* Either way the new priority goes out at once: a stronger backup
	 * waiting to preempt must not see the old one run out first. */
	send_advert(v, prio);
	arm_adver(v, now);
}

void vrrp_set_addrs(struct vrrp *v, uint64_t now, const uint8_t *addrs, uint8_t naddr)
{
	size_t len = alen(v) * naddr;
	if (naddr == v->naddr && memcmp(v->addrs, addrs, len) == 0)
		return;
	memcpy(v->addrs, addrs, len);
	v->naddr = naddr;
	if (v->state != VRRP_MASTER)
		return;
	send_advert(v, v->priority);
	arm_adver(v, now);
}

void vrrp_fault(struct vrrp *v, uint64_t now, int on)
{
	if (on) {
		if (v->down++ > 0)
			return;
		if (v->state == VRRP_INIT)
			return; /* vrrp_start() goes to FAULT */
		leave_master(v);
		v->adver_at = v->master_down_at = 0;
		/* What was heard before the fault says nothing about after it:
		 * a preempt delay starts again from the first advert heard. */
		v->preempt_since = 0;
		grace_reset(v);
		vrrp_change_state(v, now, VRRP_FAULT, VRRP_R_FAULT);
		return;
	}
	if (v->down == 0 || --v->down > 0 || v->state != VRRP_FAULT)
		return;
	v->master_adver_cs = v->p.adver_cs;
	if (v->priority == 255) {
		become_master(v, now, VRRP_R_FAULT_CLEARED);
	} else {
		arm_master_down(v, now, vrrp_master_down_us(v), VRRP_R_MASTER_DOWN);
		vrrp_change_state(v, now, VRRP_BACKUP, VRRP_R_FAULT_CLEARED);
	}
}

void vrrp_reconfigure(struct vrrp *v, uint64_t now, const struct vrrp_params *p)
{
	uint16_t old_cs = v->p.adver_cs;
	v->p = *p;
	if (!p->preempt_delay_us)
		v->preempt_since = 0;
	if (!p->preempt_grace_us)
		grace_reset(v);
	/* A backup keeps the master's learned interval (it is the master's to
	 * change).  The master's new interval reaches the backups only in an
	 * advert, and they time us by the old one until then: it goes out at
	 * once.  A longer one would let a backup time out if that advert were
	 * lost, so the next two also go at the old (or an even older, still
	 * running) spacing. */
	if (v->state != VRRP_MASTER || p->adver_cs == old_cs)
		return;
	v->master_adver_cs = p->adver_cs;
	uint16_t shortest = v->fast_left && v->fast_cs < old_cs ? v->fast_cs : old_cs;
	v->fast_left = p->adver_cs > shortest ? 2 : 0;
	v->fast_cs = shortest;
	send_advert(v, v->priority);
	arm_adver(v, now);
}
