#include "instance.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "garp.h"
#include "json.h"
#include "mtime.h"
#include "packet.h"
#include "vip.h"
#include "vmac.h"
#include "vsock.h"

static size_t alen(const struct instance *in)
{
	return packet_addr_len(in->conf.family);
}

static void rearm(struct instance *in)
{
	uint64_t d = vrrp_deadline(&in->fsm);
	ev_timer_stop(in->env->loop, &in->timer);
	if (d == VRRP_NO_DEADLINE)
		return;
	uint64_t now = mtime_us();
	/* ev_now may lag behind the clock: refresh it so the delay is exact. */
	ev_now_update(in->env->loop);
	ev_timer_set(&in->timer, d > now ? (double)(d - now) / 1e6 : 0., 0.);
	ev_timer_start(in->env->loop, &in->timer);
}

/* ---- what the state machine asks for ------------------------------------ */

/* Where the VIPs go and the announcements leave: the macvlan with vmac on. */
static int vip_ifindex(const struct instance *in)
{
	return in->vmac_ifindex ? in->vmac_ifindex : in->ii.ifindex;
}

static void op_send(void *arg, uint8_t prio)
{
	struct instance *in = arg;
	uint8_t pkt[PACKET_MAX_LEN];
	struct packet_advert a = {
		.family = in->conf.family, .vrid = (uint8_t)in->conf.vrid, .priority = prio,
		.interval_cs = (uint16_t)in->conf.advert_cs, .naddr = (uint8_t)in->conf.nvips,
		.addrs = in->vipbytes,
		.csum = in->conf.checksum == CONFIG_CSUM_RFC9568 ? PACKET_CSUM_RFC9568 : PACKET_CSUM_RFC5798,
	};
	const uint8_t *src = in->conf.unicast_src.ss.ss_family ? addr_ip_bytes(&in->conf.unicast_src.ss, NULL) : in->primary;

	if (in->fd < 0 || in->link_fault)
		return;
	int ndst = in->conf.npeers ? in->conf.npeers : 1;
	for (int i = 0; i < ndst; i++) {
		const void *dst = in->conf.npeers ? addr_ip_bytes(&in->conf.peers[i].ss, NULL) : vsock_group(in->conf.family);
		int n = packet_build(pkt, sizeof(pkt), &a, src, dst);
		int rc = n < 0 ? -EINVAL : -ENODEV;
		/* With vmac on, the advert's source MAC is the virtual one (RFC
		 * 5798 7.3); should the macvlan be unusable, the base interface
		 * still carries it. */
		if (n >= 0 && in->vmac_fd >= 0)
			rc = vsock_send(in->vmac_fd, in->conf.family, in->vmac_ifindex, src, dst, pkt, (size_t)n);
		if (n >= 0 && rc)
			rc = vsock_send(in->fd, in->conf.family, in->ii.ifindex, src, dst, pkt, (size_t)n);
		if (rc) {
			in->send_errors++;
			log_rl(&in->rl, LOG_WARNING, "%s: sending advert: %s", in->conf.name, strerror(-rc));
		}
	}
}

static void garp_all(struct instance *in)
{
	if (in->garp_fd < 0)
		return;
	for (int i = 0; i < in->conf.nvips; i++) {
		if (garp_send(in->garp_fd, in->conf.family, vip_ifindex(in), in->vmac_ifindex ? in->vmac : in->ii.mac,
			      in->vipbytes + (size_t)i * alen(in)) == 0)
			in->garp_sent++;
	}
}

static void garp_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct instance *in = w->data;
	const struct garp_conf *g = &in->conf.garp;
	(void)revents;
	while (in->garp_left > 0) {
		garp_all(in);
		in->garp_left--;
		if (in->garp_left && g->interval_ms) {
			ev_timer_set(w, g->interval_ms / 1000.0, 0.);
			ev_timer_start(loop, w);
			return;
		}
	}
	/* The burst is over: next the repeat burst, then the refreshes. */
	uint32_t after = 0;
	if (in->garp_repeat_pending) {
		in->garp_repeat_pending = 0;
		after = g->repeat_ms;
	} else {
		after = g->refresh_ms;
	}
	if (after && g->count) {
		in->garp_left = g->count;
		ev_timer_set(w, after / 1000.0, 0.);
		ev_timer_start(loop, w);
	}
}

/* Release: only the VIPs that carry vrrpd's mark (vip.h) or that our own
 * add created; one that was on the interface before us (an owner's real
 * address) stays.  Should the kernel not say, what the last look found
 * decides.  The answers to our adds are read first (vip_flush). */
static void release_vips(struct instance *in)
{
	enum vip_presence st[CONFIG_MAX_VIPS];
	int rc = vip_lookup(vip_ifindex(in), in->conf.vips, in->conf.nvips, st);

	if (rc)
		log_rl(&in->rl, LOG_WARNING, "%s: reading the addresses of %s: %s", in->conf.name, in->conf.ifname,
		       strerror(-rc));
	for (int i = 0; i < in->conf.nvips; i++) {
		int added = (int)(in->vips_added >> i) & 1;
		int foreign = rc ? (int)(in->vips_foreign >> i) & 1 : st[i] == VIP_FOREIGN && !added;
		in->vips_added &= ~(1u << i);
		if (!rc && st[i] == VIP_ABSENT)
			continue;
		if (!foreign)
			vip_set(in->env->nl, vip_ifindex(in), &in->conf.vips[i], 0, in, i);
	}
}

static void schedule_verify(struct instance *in)
{
	if (in->opened && !ev_is_active(&in->verify))
		ev_timer_start(in->env->loop, &in->verify);
}

static void op_vips(void *arg, int on)
{
	struct instance *in = arg;
	/* Which adds created their address, before their answers are
	 * forgotten: a release needs to know. */
	if (!on)
		vip_flush(in->env->nl);
	in->vips_on = on;
	in->vips_refused = 0;
	/* Answers still to come about the previous change are superseded. */
	vip_forget(in->env->nl, in);
	if (!on) {
		release_vips(in);
	} else if (in->conf.vmac && !in->vmac_ifindex) {
		/* The macvlan is gone and could not be made again: the VIPs
		 * must not land on the base interface. */
		in->vips_refused = in->refusal_pending = 1;
		snprintf(in->vip_why, sizeof(in->vip_why), "%s is missing", in->conf.vmac_ifname);
		schedule_verify(in);
	} else {
		for (int i = 0; i < in->conf.nvips; i++)
			vip_set(in->env->nl, vip_ifindex(in), &in->conf.vips[i], 1, in, i);
		/* The kernel has answered already: a refused VIP is known now,
		 * before it would be announced. */
		vip_flush(in->env->nl);
	}
	ev_timer_stop(in->env->loop, &in->garp);
	/* No announcement of an address we do not have: clients would come
	 * to a node without it. */
	if (on && in->conf.garp.count && !in->vips_refused) {
		in->garp_left = in->conf.garp.count;
		in->garp_repeat_pending = in->conf.garp.repeat_ms > 0;
		garp_tick(in->env->loop, &in->garp, 0);
	}
}

void instance_vip_refused(void *owner, int index, int on, int error)
{
	struct instance *in = owner;
	char a[ADDR_STRLEN] = "?";
	if (error == 0) {
		if (on && index >= 0 && index < in->conf.nvips)
			in->vips_added |= 1u << index;
		return;
	}
	if (error == -ENOBUFS) {
		/* The answer was lost (netlink overrun): what the kernel did
		 * is read back by verify, which adds what a master misses and
		 * removes what a non-master still has of ours. */
		in->vips_unsure = 1;
		schedule_verify(in);
		return;
	}
	in->vip_errors++;
	if (index >= 0 && index < in->conf.nvips)
		addr_format_ip(&in->conf.vips[index].addr, a, sizeof(a));
	/* The status no longer says installed: a master without its address
	 * is what an operator must see.  It leaves mastership (verify, once
	 * this callback is over) so that the peer serves the VIP. */
	if (on && in->vips_on) {
		in->vips_refused = in->refusal_pending = 1;
		snprintf(in->vip_why, sizeof(in->vip_why), "the kernel refused to add %s: %s", a, strerror(-error));
		schedule_verify(in);
	}
	log_rl(&in->rl, LOG_ERR, "%s: the kernel refused to %s %s: %s", in->conf.name, on ? "add" : "remove", a,
	       strerror(-error));
}

static void op_changed(void *arg, enum vrrp_state old, enum vrrp_state now, enum vrrp_reason why)
{
	struct instance *in = arg;
	struct buf b = BUF_INIT;
	char ip[INET6_ADDRSTRLEN] = "";

	in->last_change_wall_ms = mtime_wall_ms();
	in->last_from = old;
	if (in->fsm.master_known)
		inet_ntop(in->conf.family, in->fsm.master_addr, ip, sizeof(ip));
	buf_puts(&b, "{\"event\":\"transition\",\"instance\":");
	json_string(&b, in->conf.name);
	buf_printf(&b, ",\"from\":\"%s\",\"to\":\"%s\",\"reason\":\"%s\",\"priority\":%u,\"master\":",
		   vrrp_state_names[old], vrrp_state_names[now], vrrp_reason_names[why], in->fsm.priority);
	json_string(&b, ip);
	buf_printf(&b, ",\"time_ms\":%llu}", (unsigned long long)in->last_change_wall_ms);
	if (in->env->publish)
		in->env->publish(in->env->publish_arg, buf_cstr(&b));
	buf_free(&b);
	notify_event(&in->notify, vrrp_state_names[old], vrrp_state_names[now], in->fsm.priority);
	if (in->fsm.silent_master_known && in->env->peer_down)
		in->env->peer_down(in->env->peer_down_arg, in->conf.family, in->fsm.silent_master);
}

/* Another router was master too: the burst of becoming master again (a
 * burst under way starts over; a repeat still due stays due).  Not for
 * addresses the kernel refused: clients would be sent to a node without
 * them. */
static void op_announce(void *arg)
{
	struct instance *in = arg;
	if (!in->vips_on || in->vips_refused || !in->conf.garp.count)
		return;
	ev_timer_stop(in->env->loop, &in->garp);
	in->garp_left = in->conf.garp.count;
	garp_tick(in->env->loop, &in->garp, 0);
}

/* Graceful preemption: a higher router came back.  vrrpd.c drains lbd (the
 * planned handover's drain), later, then calls instance_yield(). */
static void op_yield(void *arg)
{
	struct instance *in = arg;
	if (in->env->yield)
		in->env->yield(in->env->yield_arg);
	else
		log_warn("%s: cannot yield: no host for it", in->conf.name);
}

static const struct vrrp_ops instance_ops = { op_send, op_vips, op_changed, op_announce, op_yield };

/* ---- receiving ------------------------------------------------------------ */

static void discard(struct instance *in, enum packet_discard why, const uint8_t *src)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	in->fsm.st.discards[why]++;
	if (src)
		inet_ntop(in->conf.family, src, ip, sizeof(ip));
	log_rl(&in->rl, LOG_INFO, "%s: dropped advert from %s: %s", in->conf.name, ip, packet_discard_names[why]);
}

static int from_peer(const struct instance *in, const uint8_t *src)
{
	for (int i = 0; i < in->conf.npeers; i++)
		if (memcmp(addr_ip_bytes(&in->conf.peers[i].ss, NULL), src, alen(in)) == 0)
			return 1;
	return 0;
}

static void handle(struct instance *in, const struct vsock_rx *rx)
{
	struct packet_advert a;
	enum packet_discard why = packet_parse(in->conf.family, rx->payload, rx->len, rx->ttl, rx->src, rx->dst, &a);
	if (why != PACKET_OK) {
		discard(in, why, rx->src);
		return;
	}
	if (a.vrid != in->conf.vrid) {
		/* Another instance of ours on this link handles it. */
		if (!in->env->vrid_known || !in->env->vrid_known(in->env->vrid_arg, in->ii.ifindex, in->conf.family, a.vrid))
			discard(in, PACKET_UNKNOWN_VRID, rx->src);
		return;
	}
	if (in->conf.npeers && !from_peer(in, rx->src)) {
		discard(in, PACKET_UNKNOWN_PEER, rx->src);
		return;
	}
	if (!in->conf.npeers && (why = packet_check_source(in->conf.family, rx->src)) != PACKET_OK) {
		discard(in, why, rx->src);
		return;
	}
	why = vrrp_recv(&in->fsm, mtime_us(), &a, rx->src);
	if (why != PACKET_OK)
		discard(in, why, rx->src);
}

/* Reads the adverts that wait on the instance's socket. */
static void receive(struct instance *in)
{
	uint8_t buf[PACKET_MAX_LEN + 64];
	struct vsock_rx rx;
	enum packet_discard why;

	/* Bounded, so a flood cannot starve the timers. */
	for (int i = 0; i < 64; i++) {
		int rc = vsock_recv(in->fd, in->conf.family, buf, sizeof(buf), &rx, &why);
		if (rc <= 0)
			break;
		if (why != PACKET_OK)
			discard(in, why, NULL);
		else
			handle(in, &rx);
	}
	rearm(in);
}

static void readable(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop; (void)revents;
	receive(w->data);
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct instance *in = w->data;
	(void)loop; (void)revents;
	/* A loop turn that comes late (vrrpd stalled, or starved of CPU) runs
	 * its timers before its readers: a backup's Master_Down timer would
	 * expire with the master's adverts waiting unread, and the backup take
	 * the VIP beside a live master.  What waits is read first. */
	if (in->fd >= 0)
		receive(in);
	vrrp_tick(&in->fsm, mtime_us());
	rearm(in);
}

/* ---- life cycle ----------------------------------------------------------- */

static void on_verify(struct ev_loop *loop, ev_timer *w, int revents);
static void on_retry(struct ev_loop *loop, ev_timer *w, int revents);

/* The state machine's parameters: the configuration's, except that a node
 * whose VIPs were refused does not preempt until they were installed again
 * (vip_fault_enter). */
static void fill_params(const struct instance *in, const struct instance_conf *c, struct vrrp_params *p)
{
	memset(p, 0, sizeof(*p));
	p->vrid = (uint8_t)c->vrid;
	p->priority = (uint8_t)c->priority;
	p->adver_cs = (uint16_t)c->advert_cs;
	p->preempt = c->preempt && !in->vip_penalty;
	p->preempt_delay_us = (uint64_t)c->preempt_delay_ms * 1000u;
	p->preempt_grace_us = (uint64_t)c->preempt_grace_ms * 1000u;
}

static void refresh_primary(struct instance *in)
{
	if (in->conf.unicast_src.ss.ss_family) {
		memcpy(in->primary, addr_ip_bytes(&in->conf.unicast_src.ss, NULL), alen(in));
		in->have_primary = 1;
		in->primary_tentative = 0;
	} else {
		int rc = iface_primary(in->ii.ifindex, in->conf.family, in->primary);
		in->have_primary = rc == 0;
		in->primary_tentative = rc == -EINPROGRESS;
	}
	vrrp_set_primary(&in->fsm, in->primary);
	bfd_set_source(&in->bfd, in->have_primary ? in->primary : NULL);
}

static const char *no_primary_why(const struct instance *in)
{
	return in->primary_tentative ? "address tentative (duplicate address detection)" : "no address";
}

/* The interface is gone: its sockets are useless (the kernel removed its
 * addresses, our VIPs with them, and a macvlan on it). */
static void detach(struct instance *in)
{
	ev_io_stop(in->env->loop, &in->io);
	if (in->fd >= 0)
		close(in->fd);
	if (in->garp_fd >= 0)
		close(in->garp_fd);
	if (in->vmac_fd >= 0)
		close(in->vmac_fd);
	in->fd = in->garp_fd = in->vmac_fd = -1;
	in->vmac_ifindex = 0;
	memset(&in->ii, 0, sizeof(in->ii));
}

/* vmac on: the macvlan (replacing a stale one) and its advert socket. */
static int attach_vmac(struct instance *in, char *err, size_t errlen)
{
	const struct instance_conf *c = &in->conf;
	int rc = vmac_open(c->vmac_ifname, in->ii.ifindex, c->family, c->vrid, err, errlen);
	if (rc < 0)
		return rc;
	in->vmac_ifindex = rc;
	vmac_addr(c->family, c->vrid, in->vmac);
	if ((rc = vsock_open_tx(c->family, c->vmac_ifname, in->vmac_ifindex, err, errlen)) < 0)
		return rc;
	in->vmac_fd = rc;
	log_notice("%s: virtual MAC %02x:%02x:%02x:%02x:%02x:%02x on %s (macvlan on %s)", c->name,
		   in->vmac[0], in->vmac[1], in->vmac[2], in->vmac[3], in->vmac[4], in->vmac[5],
		   c->vmac_ifname, c->ifname);
	return 0;
}

/* The interface exists: learn it, open the raw and announcement sockets.
 * 0, -ENODEV when it does not exist, or another -errno with err filled. */
static int attach(struct instance *in, char *err, size_t errlen)
{
	const struct instance_conf *c = &in->conf;
	int rc = iface_query(c->ifname, &in->ii);

	if (rc) {
		snprintf(err, errlen, "%s: interface %s: %s", c->name, c->ifname, strerror(-rc));
		memset(&in->ii, 0, sizeof(in->ii));
		return rc;
	}
	if ((rc = vsock_open(c->family, c->ifname, in->ii.ifindex, err, errlen)) < 0)
		return rc;
	in->fd = rc;
	/* A VIP may be an address owner's own address, and the owner advertises
	 * from it: holding it, we would not hear the owner come back (a martian
	 * source) and both would stay master.  Every IPv4 instance, so that a
	 * reload from owner to non-owner needs nothing more. */
	if (c->family == AF_INET && (rc = iface_accept_local(in->ii.ifindex)) < 0)
		log_warn("%s: accept_local on %s: %s: while this node holds an address owner's address, "
			 "it will not hear the owner's adverts", c->name, c->ifname, strerror(-rc));
	if (c->vmac && (rc = attach_vmac(in, err, errlen)) < 0)
		goto bad;
	rc = garp_open(c->family, c->vmac ? c->vmac_ifname : c->ifname, vip_ifindex(in), err, errlen);
	if (rc < 0)
		goto bad;
	in->garp_fd = rc;
	ev_io_set(&in->io, in->fd, EV_READ);
	return 0;
bad:
	detach(in);
	if (c->vmac)
		vmac_remove(c->vmac_ifname);
	return rc;
}


/* The BFD session changed state.  A failure (nothing heard for the
 * detection time) tells the state machine that this peer is gone; an
 * AdminDown or Down from the peer does not (vrrpd.conf.5). */
static void on_bfd_changed(void *arg, struct bfd_host *h, enum bfd_state old, enum bfd_state now)
{
	struct instance *in = arg;
	const struct bfd_session *s = &h->s;
	struct buf b = BUF_INIT;
	char peer[ADDR_STRLEN];

	buf_puts(&b, "{\"event\":\"bfd\",\"instance\":");
	json_string(&b, in->conf.name);
	buf_puts(&b, ",\"peer\":");
	json_string(&b, addr_format_ip(&h->peer, peer, sizeof(peer)));
	buf_printf(&b, ",\"from\":\"%s\",\"to\":\"%s\",\"diag\":\"%s\",\"remote_state\":\"%s\",\"time_ms\":%llu}",
		   bfd_state_names[old], bfd_state_names[now],
		   bfd_diag_names[s->diag <= BFD_DIAG_REV_CONCAT_DOWN ? s->diag : 0],
		   bfd_state_names[s->remote_state], (unsigned long long)mtime_wall_ms());
	if (in->env->publish)
		in->env->publish(in->env->publish_arg, buf_cstr(&b));
	buf_free(&b);
	log_notice("%s: BFD to %s %s -> %s", in->conf.name, peer, bfd_state_names[old], bfd_state_names[now]);
	/* Graceful preemption: who can yield, and who came back (vrrp.h). */
	if (now == BFD_UP || old == BFD_UP) {
		vrrp_peer_bfd(&in->fsm, mtime_us(), bfd_host_peer_ip(h), now == BFD_UP, s->remote_disc);
		rearm(in);
	}
	if (old == BFD_UP && bfd_failed(s)) {
		uint64_t detect = bfd_detect_time_us(s);
		vrrp_peer_down_quiet(&in->fsm, mtime_us(), bfd_host_peer_ip(h), detect,
				     s->remote_mult ? detect - detect / s->remote_mult : 0);
		rearm(in);
	}
	if (old == BFD_UP && in->fsm.state == VRRP_MASTER) {
		/* The backup's session may have failed too (or first): an
		 * advert now keeps it from taking over on BFD alone. */
		vrrp_advert_now(&in->fsm, mtime_us());
		rearm(in);
	}
}

/* The BFD sockets are bound to the interface: opened with it, closed when
 * it goes (a socket bound to a deleted interface would stay deaf). */
static int bfd_attach(struct instance *in, char *err, size_t errlen)
{
	if (!in->conf.bfd.on || in->bfd.n)
		return 0;
	int rc = bfd_set_open(&in->bfd, in->env->loop, &in->conf.bfd, in->conf.family, in->conf.ifname,
			      in->have_primary ? in->primary : NULL, on_bfd_changed, in, err, errlen);
	/* The machine learns the BFD peers: only they are remembered for
	 * graceful preemption, not any source an advert claims. */
	for (int i = 0; rc == 0 && i < in->bfd.n; i++)
		vrrp_peer_bfd(&in->fsm, mtime_us(), bfd_host_peer_ip(&in->bfd.h[i]), 0, 0);
	return rc;
}

/* Closing the sessions reports no state change: the machine is told here
 * that these peers are no longer Up. */
static void bfd_detach(struct instance *in)
{
	for (int i = 0; i < in->bfd.n; i++)
		vrrp_peer_bfd(&in->fsm, mtime_us(), bfd_host_peer_ip(&in->bfd.h[i]), 0, 0);
	bfd_set_close(&in->bfd);
}

int instance_open(struct instance *in, const struct instance_conf *conf, const char *global_notify,
		  const struct instance_env *env, char *err, size_t errlen)
{
	struct vrrp_params p;
	int rc;

	memset(in, 0, sizeof(*in));
	in->conf = *conf;
	in->env = env;
	in->fd = in->garp_fd = in->vmac_fd = -1;
	in->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(5000, 5);
	for (int i = 0; i < conf->nvips; i++)
		memcpy(in->vipbytes + (size_t)i * alen(in), addr_ip_bytes(&conf->vips[i].addr.ss, NULL), alen(in));
	ev_io_init(&in->io, readable, -1, EV_READ);
	in->io.data = in;
	/* A missing interface is not an error: the instance waits in FAULT for
	 * it to appear (at boot, a VLAN or bond may come up after us). */
	if ((rc = attach(in, err, errlen)) == -ENODEV)
		log_warn("%s: interface %s does not exist: FAULT until it appears", conf->name, conf->ifname);
	else if (rc)
		return rc;
	fill_params(in, conf, &p);
	vrrp_init(&in->fsm, &p, conf->family, in->vipbytes, (uint8_t)conf->nvips, NULL, &instance_ops, in);
	if (in->fd >= 0)
		refresh_primary(in);
	in->prio_now = (uint8_t)conf->priority;
	notify_init(&in->notify, env->loop, conf->notify[0] ? conf->notify : global_notify, conf->name);
	ev_timer_init(&in->timer, on_timer, 0., 0.);
	in->timer.data = in;
	ev_timer_init(&in->garp, garp_tick, 0., 0.);
	in->garp.data = in;
	ev_timer_init(&in->verify, on_verify, 0., 0.);
	in->verify.data = in;
	ev_timer_init(&in->retry, on_retry, 0., 0.);
	in->retry.data = in;
	if (in->fd >= 0 && (rc = bfd_attach(in, err, errlen))) {
		notify_close(&in->notify);
		detach(in);
		return rc;
	}
	in->opened = 1;
	return 0;
}

void instance_start(struct instance *in)
{
	uint64_t now = mtime_us();
	if (in->fd >= 0)
		ev_io_start(in->env->loop, &in->io);
	/* Without the interface, carrier or an address to speak from, start in FAULT. */
	if (in->fd < 0 || !in->ii.up || !in->have_primary) {
		in->link_fault = 1;
		in->fault_why = in->fd < 0 ? "interface missing" : !in->ii.up ? "link down" : no_primary_why(in);
		vrrp_fault(&in->fsm, now, 1);
	}
	vrrp_start(&in->fsm, now);
	rearm(in);
	bfd_set_start(&in->bfd);
}

void instance_close(struct instance *in)
{
	if (!in->opened)
		return;
	in->opened = 0;
	vrrp_shutdown(&in->fsm, mtime_us());
	bfd_set_close(&in->bfd);
	ev_timer_stop(in->env->loop, &in->timer);
	ev_timer_stop(in->env->loop, &in->garp);
	ev_timer_stop(in->env->loop, &in->verify);
	ev_timer_stop(in->env->loop, &in->retry);
	notify_close(&in->notify);
	detach(in);
	/* The macvlan takes the VIPs on it along. */
	if (in->conf.vmac && vmac_remove(in->conf.vmac_ifname) < 0)
		log_warn("%s: could not remove %s", in->conf.name, in->conf.vmac_ifname);
	vip_forget(in->env->nl, in);
}

int instance_same_identity(const struct instance *in, const struct instance_conf *c)
{
	const struct instance_conf *o = &in->conf;
	return strcmp(o->ifname, c->ifname) == 0 && o->family == c->family && o->vrid == c->vrid &&
	       o->vmac == c->vmac && strcmp(o->vmac_ifname, c->vmac_ifname) == 0;
}

/* Index of the address of v (and its prefix length) in c's VIPs, or -1. */
static int vip_find(const struct instance_conf *c, const struct vip_conf *v)
{
	for (int i = 0; i < c->nvips; i++)
		if (addr_equal_ip(&c->vips[i].addr, &v->addr) && c->vips[i].prefixlen == v->prefixlen)
			return i;
	return -1;
}

/* Reload: the VIP set changes by address.  While the VIPs are on, the gone
 * ones are removed and the new ones added (and announced); the kept ones
 * are not touched, whatever their new place in the list.  A kept address
 * whose label changed keeps the old label until it is next added (the
 * kernel cannot relabel an address in place, and removing it would drop
 * its traffic).  Then the lists the adverts and the state machine use. */
static void reconfigure_vips(struct instance *in, const struct instance_conf *nc)
{
	const struct instance_conf *oc = &in->conf;
	int added = 0;
	uint32_t was_added = 0, was_foreign = 0;

	/* The answers still due are about the old list's places: read them
	 * first, then carry each kept address's marks to its new place. */
	vip_flush(in->env->nl);
	for (int i = 0; i < nc->nvips; i++) {
		int k = vip_find(oc, &nc->vips[i]);
		if (k >= 0) {
			was_added |= ((in->vips_added >> k) & 1u) << i;
			was_foreign |= ((in->vips_foreign >> k) & 1u) << i;
		}
	}
	if (in->vips_on) {
		/* a gone address that was there before us (an owner's own) stays */
		for (int i = 0; i < oc->nvips; i++)
			if (vip_find(nc, &oc->vips[i]) < 0 && !((in->vips_foreign >> i) & 1))
				vip_set(in->env->nl, vip_ifindex(in), &oc->vips[i], 0, in, -1);
	}
	in->vips_added = was_added;
	in->vips_foreign = was_foreign;
	if (in->vips_on) {
		for (int i = 0; i < nc->nvips; i++) {
			int k = vip_find(oc, &nc->vips[i]);
			if (k < 0) {
				vip_set(in->env->nl, vip_ifindex(in), &nc->vips[i], 1, in, i);
				added++;
			} else if (strcmp(oc->vips[k].label, nc->vips[i].label) != 0) {
				log_notice("%s: label of a kept address changes when it is next added", nc->name);
			}
		}
	}
	for (int i = 0; i < nc->nvips; i++)
		memcpy(in->vipbytes + (size_t)i * alen(in), addr_ip_bytes(&nc->vips[i].addr.ss, NULL), alen(in));
	/* a master advertises the new list at once */
	vrrp_set_addrs(&in->fsm, mtime_us(), in->vipbytes, (uint8_t)nc->nvips);
	if (added && in->garp_fd >= 0) {
		for (int i = 0; i < nc->nvips; i++)
			if (vip_find(oc, &nc->vips[i]) < 0 &&
			    garp_send(in->garp_fd, nc->family, vip_ifindex(in), in->vmac_ifindex ? in->vmac : in->ii.mac,
				      in->vipbytes + (size_t)i * alen(in)) == 0)
				in->garp_sent++;
	}
}

void instance_reconfigure(struct instance *in, const struct instance_conf *conf, const char *global_notify)
{
	struct vrrp_params p;
	int src_changed = !addr_equal_ip(&in->conf.unicast_src, &conf->unicast_src);
	/* BFD turned on or off, or to another peer: a new session (the old
	 * one tells its peer AdminDown, which is no failure there). */
	int bfd_new = !bfd_set_same_peers(&in->conf.bfd, &conf->bfd);
	if (bfd_new)
		bfd_detach(in);
	reconfigure_vips(in, conf);
	in->conf = *conf;
	if (src_changed && in->fd >= 0)
		instance_addr_event(in); /* the source to speak from, or FAULT without one */
	/* Refused VIPs: a reload is the operator's "try again" (the cause may
	 * be fixed, in the file or outside it), so the penalty and the back-off
	 * start afresh; a node still refused is back in FAULT at its next try. */
	int fresh = in->vip_penalty || in->vip_fault;
	if (fresh) {
		log_notice("%s: reload: the refused virtual addresses start afresh%s", conf->name,
			   conf->preempt ? ", preemption as configured" : "");
		in->vip_penalty = 0;
		in->retry_s = 0;
	}
	fill_params(in, conf, &p);
	vrrp_reconfigure(&in->fsm, mtime_us(), &p);
	if (fresh && in->vip_fault) { /* the retry now, as if its delay were over */
		ev_timer_stop(in->env->loop, &in->retry);
		ev_timer_set(&in->retry, 0., 0.);
		ev_timer_start(in->env->loop, &in->retry);
	}
	if (bfd_new && in->fd >= 0) {
		char err[256];
		if (bfd_attach(in, err, sizeof(err)))
			log_err("%s: reload: no BFD: %s", in->conf.name, err);
		else
			bfd_set_start(&in->bfd);
	} else {
		bfd_set_reconfigure(&in->bfd, &conf->bfd);
	}
	notify_set_cmd(&in->notify, conf->notify[0] ? conf->notify : global_notify);
	notify_set_instance(&in->notify, conf->name);
	/* vrrpd.c recomputes the tracks and the effective priority next. */
	rearm(in);
}

void instance_link_event(struct instance *in, int up)
{
	if (in->fd < 0)
		return; /* the interface is missing: only its appearance matters */
	if (up && in->link_fault) {
		struct iface_info ii;
		if (iface_query(in->conf.ifname, &ii) == 0)
			in->ii = ii;
		refresh_primary(in);
		if (!in->have_primary) {
			in->fault_why = no_primary_why(in);
			return; /* still nothing to speak from */
		}
		in->link_fault = 0;
		in->fault_why = NULL;
		log_notice("%s: %s up", in->conf.name, in->conf.ifname);
		/* The time after the work above: Master_Down_Interval starts
		 * now, however long reading the addresses took. */
		vrrp_fault(&in->fsm, mtime_us(), 0);
	} else if (!up && !in->link_fault) {
		log_notice("%s: %s down", in->conf.name, in->conf.ifname);
		/* FAULT sends priority 0 first; the link may still carry it. */
		vrrp_fault(&in->fsm, mtime_us(), 1);
		in->link_fault = 1;
		in->fault_why = "link down";
	}
	rearm(in);
}

/* ---- the VIPs kept in place ------------------------------------------------ */

#define VIP_RETRY_FIRST_S 1
#define VIP_RETRY_MAX_S 64

/* The VIPs cannot be installed (the kernel refused one, or the macvlan
 * that carries them cannot be made): FAULT, which sends priority 0 so that
 * the peer takes over within its Skew_Time, and no preemption until an
 * installation succeeds, so that a node that keeps failing does not take
 * the VIP away from a peer that holds it at every retry.  Retries come
 * after 1, 2, 4 ... 64 s. */
static void vip_fault_enter(struct instance *in)
{
	struct vrrp_params p;
	if (in->vip_fault)
		return;
	in->vip_fault = 1;
	in->retry_s = in->retry_s ? in->retry_s * 2 : VIP_RETRY_FIRST_S;
	if (in->retry_s > VIP_RETRY_MAX_S)
		in->retry_s = VIP_RETRY_MAX_S;
	log_err("%s: the virtual addresses cannot be installed (%s): FAULT, next try in %u s%s", in->conf.name,
		in->vip_why, in->retry_s, in->conf.preempt ? ", no preemption until one succeeds" : "");
	if (!in->vip_penalty) {
		in->vip_penalty = 1;
		fill_params(in, &in->conf, &p);
		vrrp_reconfigure(&in->fsm, mtime_us(), &p);
	}
	vrrp_fault(&in->fsm, mtime_us(), 1);
	ev_timer_stop(in->env->loop, &in->retry);
	ev_timer_set(&in->retry, (double)in->retry_s, 0.);
	ev_timer_start(in->env->loop, &in->retry);
	rearm(in);
}

/* Every VIP is on the interface again: preemption as configured. */
static void vip_penalty_clear(struct instance *in)
{
	struct vrrp_params p;
	if (!in->vip_penalty)
		return;
	in->vip_penalty = 0;
	in->retry_s = 0;
	log_notice("%s: the virtual addresses are installed again%s", in->conf.name,
		   in->conf.preempt ? ": preemption restored" : "");
	fill_params(in, &in->conf, &p);
	vrrp_reconfigure(&in->fsm, mtime_us(), &p);
}

/* The macvlan again, with its advert and announcement sockets. */
static int reattach_vmac(struct instance *in, char *err, size_t errlen)
{
	int rc = attach_vmac(in, err, errlen);
	if (rc == 0) {
		rc = garp_open(in->conf.family, in->conf.vmac_ifname, in->vmac_ifindex, err, errlen);
		if (rc >= 0) {
			in->garp_fd = rc;
			return 0;
		}
	}
	if (in->vmac_fd >= 0)
		close(in->vmac_fd);
	in->vmac_fd = -1;
	if (in->vmac_ifindex)
		vmac_remove(in->conf.vmac_ifname);
	in->vmac_ifindex = 0;
	return rc;
}

/* vmac on: the macvlan was deleted, and the VIPs on it with it.  Made
 * again at once; a master adds its VIPs again. */
static void vmac_lost(struct instance *in)
{
	char err[160];
	log_warn("%s: %s was deleted: creating it again", in->conf.name, in->conf.vmac_ifname);
	ev_timer_stop(in->env->loop, &in->garp);
	if (in->vmac_fd >= 0)
		close(in->vmac_fd);
	if (in->garp_fd >= 0)
		close(in->garp_fd);
	in->vmac_fd = in->garp_fd = -1;
	in->vmac_ifindex = 0;
	if (reattach_vmac(in, err, sizeof(err)) < 0) {
		snprintf(in->vip_why, sizeof(in->vip_why), "%s", err);
		vip_fault_enter(in);
		return;
	}
	if (in->vips_on && !in->vip_fault)
		op_vips(in, 1);
}

static void retry_vips(struct instance *in)
{
	char err[160];
	if (in->fd >= 0 && in->conf.vmac && !in->vmac_ifindex && reattach_vmac(in, err, sizeof(err)) < 0) {
		snprintf(in->vip_why, sizeof(in->vip_why), "%s", err);
		in->vip_fault = 0;
		vip_fault_enter(in); /* the next, longer, wait */
		return;
	}
	log_notice("%s: trying the virtual addresses again: leaving FAULT", in->conf.name);
	in->vip_fault = 0;
	vrrp_fault(&in->fsm, mtime_us(), 0);
	rearm(in);
}

static void on_retry(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop; (void)revents;
	retry_vips(w->data);
}

/* The primary address: gone (FAULT: nothing to speak from), or back
 * (leave FAULT if the link is up). */
static void verify_primary(struct instance *in)
{
	struct iface_info ii;
	if (in->link_fault) {
		if (iface_query(in->conf.ifname, &ii) == 0 && ii.up)
			instance_link_event(in, 1);
		return;
	}
	refresh_primary(in);
	if (!in->have_primary) {
		log_notice("%s: no address left on %s to advertise from: FAULT", in->conf.name, in->conf.ifname);
		/* FAULT sends priority 0 first, from the address that was ours
		 * (vsock.c lets it). */
		vrrp_fault(&in->fsm, mtime_us(), 1);
		in->link_fault = 1;
		in->fault_why = no_primary_why(in);
	}
}

/* A master's VIPs: one that is gone (deleted by hand, by another program,
 * with its macvlan) is added again at once. */
static void verify_vips(struct instance *in)
{
	enum vip_presence st[CONFIG_MAX_VIPS];
	char a[ADDR_STRLEN];
	int missing = 0;

	if (vip_lookup(vip_ifindex(in), in->conf.vips, in->conf.nvips, st))
		return;
	uint32_t was = in->vips_foreign;
	in->vips_foreign = 0;
	for (int i = 0; i < in->conf.nvips; i++) {
		if (st[i] == VIP_FOREIGN && !((in->vips_added >> i) & 1)) {
			in->vips_foreign |= 1u << i;
			/* An owner's own address is expected; anything else
			 * stays behind when this node is no longer master. */
			if (!((was >> i) & 1) && in->conf.priority != 255)
				log_warn("%s: %s was on %s before vrrpd: it is used as is and will not be removed",
					 in->conf.name, addr_format_ip(&in->conf.vips[i].addr, a, sizeof(a)),
					 in->vmac_ifindex ? in->conf.vmac_ifname : in->conf.ifname);
		}
		if (st[i] != VIP_ABSENT)
			continue;
		in->vips_added &= ~(1u << i);
		missing++;
		in->vips_restored++;
		log_rl(&in->rl, LOG_WARNING, "%s: %s is no longer on %s: adding it again", in->conf.name,
		       addr_format_ip(&in->conf.vips[i].addr, a, sizeof(a)),
		       in->vmac_ifindex ? in->conf.vmac_ifname : in->conf.ifname);
		vip_set(in->env->nl, vip_ifindex(in), &in->conf.vips[i], 1, in, i);
	}
	if (!missing && !in->vips_refused)
		vip_penalty_clear(in);
}

static void verify(struct instance *in)
{
	if (in->fd < 0)
		return;
	if (in->refusal_pending) {
		in->refusal_pending = 0;
		if (in->vips_on)
			vip_fault_enter(in);
	}
	verify_primary(in);
	if (in->vips_unsure) {
		in->vips_unsure = 0;
		if (!in->vips_on)
			release_vips(in);
	}
	/* (with vmac on and the macvlan missing, vip_ifindex() would be the
	 * base interface: vmac_lost() handles that case) */
	if (in->vips_on && !in->vip_fault && !in->link_fault && (!in->conf.vmac || in->vmac_ifindex))
		verify_vips(in);
	rearm(in);
}

static void on_verify(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop; (void)revents;
	verify(w->data);
}

/* Events were lost (iface.h, IFACE_RESYNC): the link dump that came before
 * reported up and down; here what it cannot: the interface or its macvlan
 * gone, and the addresses. */
static void resync(struct instance *in)
{
	struct iface_info ii = { 0 };
	if (iface_query(in->conf.ifname, &ii) != 0 || ii.ifindex != in->ii.ifindex) {
		int was = in->ii.ifindex;
		instance_iface_event(in, was, NULL, IFACE_LINK_GONE);
		if (ii.ifindex)
			instance_iface_event(in, ii.ifindex, in->conf.ifname, IFACE_LINK_UP);
		return;
	}
	if (in->vmac_ifindex && (iface_query(in->conf.vmac_ifname, &ii) != 0 || ii.ifindex != in->vmac_ifindex))
		vmac_lost(in);
	schedule_verify(in);
}

void instance_iface_event(struct instance *in, int ifindex, const char *ifname, enum iface_event ev)
{
	char err[256];

	if (in->fd < 0) {
		if (ev == IFACE_ADDR_CHANGED || ev == IFACE_LINK_GONE || ev == IFACE_RESYNC || !ifname ||
		    strcmp(ifname, in->conf.ifname) != 0)
			return;
		if (attach(in, err, sizeof(err))) {
			log_rl(&in->rl, LOG_WARNING, "%s: %s appeared but cannot be used: %s", in->conf.name,
			       in->conf.ifname, err);
			return;
		}
		log_notice("%s: interface %s appeared", in->conf.name, in->conf.ifname);
		ev_io_start(in->env->loop, &in->io);
		if (bfd_attach(in, err, sizeof(err)))
			log_rl(&in->rl, LOG_WARNING, "%s: no BFD on %s: %s", in->conf.name, in->conf.ifname, err);
		else
			bfd_set_start(&in->bfd);
		in->fault_why = "link down";
		if (in->ii.up)
			instance_link_event(in, 1);
		return;
	}
	if (ev == IFACE_RESYNC) {
		resync(in);
		return;
	}
	if (in->vmac_ifindex && ifindex == in->vmac_ifindex) {
		if (ev == IFACE_LINK_GONE)
			vmac_lost(in);
		else if (ev == IFACE_ADDR_CHANGED)
			schedule_verify(in);
		return;
	}
	if (ifindex != in->ii.ifindex)
		return;
	switch (ev) {
	case IFACE_ADDR_CHANGED:
		instance_addr_event(in);
		break;
	case IFACE_LINK_GONE:
		instance_link_event(in, 0);
		log_notice("%s: interface %s is gone: FAULT until it comes back", in->conf.name,
			   in->conf.ifname);
		detach(in);
		bfd_detach(in);
		in->vips_on = 0; /* removed by the kernel with the interface */
		in->fault_why = "interface missing";
		break;
	default:
		instance_link_event(in, ev == IFACE_LINK_UP);
	}
}

void instance_addr_event(struct instance *in)
{
	/* Coalesced: an address flood costs one look, not one per event. */
	schedule_verify(in);
}

void instance_tracks_changed(struct instance *in, int weight_sum, int nfaulted)
{
	uint64_t now = mtime_us();
	int prio = (int)in->conf.priority + weight_sum;
	if (weight_sum)
		prio = prio < 1 ? 1 : prio > 254 ? 254 : prio;
	in->prio_now = (uint8_t)prio;
	vrrp_set_priority(&in->fsm, now, in->standby ? INSTANCE_STANDBY_PRIO : (uint8_t)prio);
	if ((nfaulted > 0) != (in->track_faults > 0))
		vrrp_fault(&in->fsm, now, nfaulted > 0);
	in->track_faults = nfaulted;
	rearm(in);
}

int instance_handover(struct instance *in)
{
	int was = in->fsm.state == VRRP_MASTER;
	in->standby = 1;
	vrrp_release(&in->fsm, mtime_us(), INSTANCE_STANDBY_PRIO);
	rearm(in);
	return was;
}

int instance_yield(struct instance *in)
{
	int r = vrrp_yield(&in->fsm, mtime_us());
	rearm(in);
	return r;
}

void instance_resume(struct instance *in)
{
	if (!in->standby)
		return;
	in->standby = 0;
	vrrp_set_priority(&in->fsm, mtime_us(), in->prio_now);
	/* New BFD sessions (new discriminators): a master that took over from
	 * this node sees it come back and yields to it if it does graceful
	 * preemption (vrrp_peer_bfd()), as after a restart.  Until they are
	 * Up again (about a second) a failure of the master is found by the
	 * adverts alone. */
	if (in->bfd.n && in->fd >= 0) {
		char err[256];
		bfd_detach(in);
		if (bfd_attach(in, err, sizeof(err)))
			log_err("%s: resume: no BFD: %s", in->conf.name, err);
		else
			bfd_set_start(&in->bfd);
	}
	rearm(in);
}
