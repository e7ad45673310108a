#include "vrrpd.h"

#include <errno.h>
#include <ev.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"
#include "guard.h"
#include "handoff.h"
#include "goodbye.h"
#include "handover_host.h"
#include "iface.h"
#include "instance.h"
#include "log.h"
#include "mtime.h"
#include "noaccept.h"
#include "peerdown.h"
#include "stats.h"
#include "synhold.h"
#include "track.h"
#include "config.h"
#include "vip.h"
#include "vmac.h"

#define VRRPD_MAX_FILTERS 16 /* interfaces with accept-off instances */

struct vrrpd {
	struct ev_loop *loop;
	struct vrrpd_config *conf;
	struct instance **inst;
	int ninst;
	struct track **tracks;      /* parallel to conf->tracks */
	int ntracks;
	struct vip_nl *nl;
	struct iface_mon *mon;
	struct ctl_server *ctl;
	struct noaccept *na[VRRPD_MAX_FILTERS]; /* accept-off filters, one per interface */
	char na_ifname[VRRPD_MAX_FILTERS][IF_NAMESIZE];
	int nna;
	struct guard *gd[VRRPD_MAX_FILTERS];   /* XDP guards, one per interface */
	char gd_ifname[VRRPD_MAX_FILTERS][IF_NAMESIZE];
	int ngd;
	int gd_unavailable;                      /* logged once: no more tries */
	struct synhold *sh;                      /* syn-hold filters (synhold.h) */
	struct instance_env env;
	uint64_t reloads, reload_failures;
	struct peerdown pd;                      /* lbd told of a silent master's node */
	struct handover_host ho;                 /* planned handover (vrrpctl handover, a stop) */
};

static void publish(void *arg, const char *line)
{
	struct vrrpd *e = arg;
	ctl_server_publish(e->ctl, line);
}

static void peer_down(void *arg, int family, const void *ip)
{
	struct vrrpd *e = arg;
	peerdown_notify(&e->pd, family, ip);
}

static int vrid_known(void *arg, int ifindex, int family, unsigned vrid)
{
	struct vrrpd *e = arg;
	for (int i = 0; i < e->ninst; i++)
		if (e->inst[i]->ii.ifindex == ifindex && e->inst[i]->conf.family == family &&
		    e->inst[i]->conf.vrid == vrid)
			return 1;
	return 0;
}

/* Tracks changed: every instance recomputes its priority and faults. */
static void apply_tracks(struct vrrpd *e)
{
	for (int i = 0; i < e->ninst; i++) {
		struct instance *in = e->inst[i];
		int weight = 0, nfault = 0;
		for (int k = 0; k < in->conf.ntracks; k++) {
			const struct track_ref *r = &in->conf.tracks[k];
			int up = track_is_up(e->tracks[r->track]);
			/* As keepalived: a positive weight counts while the
			 * track is up, a negative one while it is down. */
			if (!r->weight)
				nfault += !up;
			else if (r->weight > 0 ? up : !up)
				weight += r->weight;
		}
		instance_tracks_changed(in, weight, nfault);
	}
}

static void track_changed(void *arg, struct track *t, int up)
{
	(void)t; (void)up;
	apply_tracks(arg);
}

static int accept_sync(struct vrrpd *e, int strict, char *err, size_t errlen);
static void guard_sync_all(struct vrrpd *e);
static void synhold_apply(struct vrrpd *e, int may_load);

static void link_event(void *arg, int ifindex, const char *ifname, enum iface_event ev)
{
	struct vrrpd *e = arg;
	for (int i = 0; i < e->ninst; i++)
		instance_iface_event(e->inst[i], ifindex, ifname, ev);
	if (ev == IFACE_ADDR_CHANGED)
		return;
	for (int i = 0; i < e->ntracks; i++)
		track_link_event(e->tracks[i], ifname);
	/* An interface created anew (new ifindex) needs its filter again. */
	if (ev == IFACE_LINK_UP || ev == IFACE_LINK_DOWN) {
		char err[300];
		accept_sync(e, 0, err, sizeof(err));
		guard_sync_all(e);
		synhold_apply(e, 0);
	}
}

static int ho_any_master(void *arg)
{
	struct vrrpd *e = arg;
	int n = 0;
	for (int i = 0; i < e->ninst; i++)
		n += e->inst[i]->fsm.state == VRRP_MASTER;
	return n;
}

static void ho_release_all(void *arg)
{
	struct vrrpd *e = arg;
	for (int i = 0; i < e->ninst; i++)
		instance_handover(e->inst[i]);
}

static void ho_resume_all(void *arg)
{
	struct vrrpd *e = arg;
	for (int i = 0; i < e->ninst; i++)
		instance_resume(e->inst[i]);
}

static void ho_release_yielders(void *arg)
{
	struct vrrpd *e = arg;
	for (int i = 0; i < e->ninst; i++)
		if (e->inst[i]->fsm.yield_asked)
			instance_yield(e->inst[i]);
}

static void want_yield(void *arg)
{
	struct vrrpd *e = arg;
	handover_host_yield(&e->ho);
}

static const struct handover_host_ops ho_ops = { ho_any_master, ho_release_all, ho_resume_all, ho_release_yielders,
						 publish };

int vrrpd_stop_drained(struct vrrpd *e, void (*cb)(void *arg), void *arg)
{
	char intent[HANDOFF_PATH_MAX], state[HANDOFF_PATH_MAX];
	/* A restart keeps the addresses (handoff.h): nothing to drain. */
	if (!e || (handoff_paths(e->conf->global.control, intent, state, sizeof(state)) == 0 &&
		   access(intent, F_OK) == 0))
		return 0;
	return handover_host_stop(&e->ho, cb, arg);
}

static int ctl_handler(void *arg, int argc, char **argv, struct buf *reply)
{
	struct vrrpd *e = arg;
	int rc;
	if (argc >= 1 && handover_host_ctl(&e->ho, argc, argv, reply, &rc))
		return rc;
	if (argc >= 1 && strcmp(argv[0], "status") == 0)
		return stats_render(reply, e->inst, e->ninst, e->tracks, e->ntracks, e->gd, e->gd_ifname, e->ngd,
				    e->sh);
	buf_puts(reply, "unknown command, expected one of: status, subscribe, handover, handover status, resume");
	return -EINVAL;
}

static int cleanup_instance(const struct instance_conf *c)
{
	struct iface_info ii;
	if (iface_query(c->ifname, &ii))
		return 0;
	/* a crashed vrrpd's macvlan, with the VIPs on it */
	if (c->vmac && vmac_remove(c->vmac_ifname) > 0)
		log_notice("%s: removed stale macvlan %s", c->name, c->vmac_ifname);
	int n = vip_remove_sync(ii.ifindex, c->vips, c->nvips);
	if (n > 0)
		log_notice("%s: removed %d stale virtual address(es) from %s", c->name, n, c->ifname);
	return n > 0 ? n : 0;
}

/* Did the previous process hand instance c over to us as master? */
static int resumes(const struct instance_conf *c, const struct handoff *h, uint64_t now_ms)
{
	return h && !c->vmac && handoff_resumes(h, c->ifname, c->family, c->vrid, c->advert_cs * 10u, now_ms);
}

/* Remove what a previous vrrpd left, but the addresses of the routers it
 * handed over (h, may be NULL) to a restarting vrrpd.  goodbye: first send
 * priority 0 for the routers whose addresses are still here (goodbye.h). */
static int cleanup_all(const struct vrrpd_config *c, const struct handoff *h, uint64_t now_ms, int goodbye)
{
	int n = 0;
	for (int i = 0; i < c->ninst; i++) {
		struct iface_info ii;
		/* a crashed vrrpd's accept-off filter (a running one's is replaced) */
		if (!c->inst[i].accept && iface_query(c->inst[i].ifname, &ii) == 0)
			noaccept_remove(ii.ifindex);
		if (c->inst[i].syn_hold && iface_query(c->inst[i].ifname, &ii) == 0)
			synhold_remove(ii.ifindex);
		if (resumes(&c->inst[i], h, now_ms)) {
			log_notice("%s: keeping the virtual addresses: master handed over for a restart",
				   c->inst[i].name);
			continue;
		}
		if (goodbye)
			goodbye_send(&c->inst[i]);
		n += cleanup_instance(&c->inst[i]);
	}
	return n;
}

/* The state file of a restart, into h: NULL if there is none. */
static const struct handoff *handoff_in(const struct vrrpd_config *c, struct handoff *h)
{
	char intent[HANDOFF_PATH_MAX], state[HANDOFF_PATH_MAX];
	if (handoff_paths(c->global.control, intent, state, sizeof(state)))
		return NULL;
	int rc = handoff_read(state, h);
	if (rc == -EINVAL)
		log_warn("%s: not a handoff file, ignored", state);
	return rc ? NULL : h;
}

int vrrpd_cleanup(const struct vrrpd_config *c)
{
	static struct handoff h;
	/* A vrrpd still answering on the control socket (cleanup run by hand)
	 * has not crashed: no priority 0 on its behalf. */
	struct buf reply = BUF_INIT;
	char err[128];
	int alive = ctl_call(c->global.control, "status", 500, &reply, err, sizeof(err)) == 0;
	buf_free(&reply);
	if (alive)
		log_warn("%s: a vrrpd answers there: no priority 0 sent for it", c->global.control);
	return cleanup_all(c, handoff_in(c, &h), mtime_ms(), !alive);
}

/* Tracks for conf c: reuse a running track with the same name and the same
 * definition.  A track whose name is kept but whose definition changed is
 * a new check that starts in the old one's state: a service known down
 * stays down until the new check says otherwise, else the node would
 * preempt the healthy master only to fall again.  A new name starts up.
 * First checks are staggered over the first interval. */
static struct track **make_tracks(struct vrrpd *e, const struct vrrpd_config *c, struct track **old, int nold)
{
	struct track **t = calloc((size_t)c->ntracks + 1, sizeof(*t));
	if (!t)
		return NULL;
	for (int i = 0; i < c->ntracks; i++) {
		int up = 1;
		enum track_result last = TRACK_OK;
		for (int k = 0; k < nold && !t[i]; k++) {
			if (!old[k] || strcmp(track_name(old[k]), c->tracks[i].name) != 0)
				continue;
			if (track_same_conf(old[k], &c->tracks[i])) {
				t[i] = old[k];
				old[k] = NULL;
			} else {
				up = track_is_up(old[k]);
				last = track_last(old[k]);
			}
		}
		if (!t[i]) {
			uint32_t stagger = c->tracks[i].interval_ms * (uint32_t)i / (uint32_t)c->ntracks;
			t[i] = track_new(e->loop, &c->tracks[i], up, last, 50 + stagger, track_changed, e);
		}
		if (!t[i]) {
			for (int k = 0; k < i; k++)
				track_free(t[k]);
			free(t);
			return NULL;
		}
	}
	return t;
}

static struct instance *open_instance(struct vrrpd *e, const struct instance_conf *c, char *err, size_t errlen)
{
	struct instance *in = calloc(1, sizeof(*in));
	if (!in) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (instance_open(in, c, e->conf->global.notify, &e->env, err, errlen)) {
		free(in);
		return NULL;
	}
	notify_set_timeout(&in->notify, e->conf->global.notify_timeout_ms);
	return in;
}

static int ensure_dir_of(const char *path)
{
	char dir[sizeof(((struct global_conf *)0)->control)];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int wants_filter(const struct instance *in)
{
	return !in->conf.accept && in->conf.priority != 255;
}

/* The filter for interface ifname, attached where the interface is now
 * (ifindex): loaded when missing, which only start-up can do (CAP_BPF). */
static struct noaccept *filter_for(struct vrrpd *e, const char *ifname, int ifindex, char *err, size_t errlen)
{
	for (int i = 0; i < e->nna; i++) {
		if (strcmp(e->na_ifname[i], ifname) != 0)
			continue;
		if (noaccept_ifindex(e->na[i]) != ifindex) {
			char why[200];
			if (noaccept_reattach(e->na[i], ifindex, why, sizeof(why))) {
				snprintf(err, errlen, "accept off on the re-created %s: %s", ifname, why);
				return NULL;
			}
			log_notice("accept off: filter attached to %s again (created anew)", ifname);
		}
		return e->na[i];
	}
	char why[200];
	struct noaccept *n = NULL;
	if (e->nna >= VRRPD_MAX_FILTERS || !(n = noaccept_open(ifindex, why, sizeof(why)))) {
		snprintf(err, errlen, "accept off on %s: %s", ifname,
			 e->nna >= VRRPD_MAX_FILTERS ? "too many interfaces" : why);
		return NULL;
	}
	snprintf(e->na_ifname[e->nna], IF_NAMESIZE, "%s", ifname);
	e->na[e->nna++] = n;
	return n;
}

/* The addresses of the accept-off instances (not address owners) on
 * ifname, into want.  Returns how many. */
static int filter_addrs(const struct vrrpd *e, const char *ifname, struct noaccept_addr *want, int cap)
{
	int n = 0;
	for (int i = 0; i < e->ninst; i++) {
		const struct instance *in = e->inst[i];
		if (!wants_filter(in) || strcmp(in->conf.ifname, ifname) != 0)
			continue;
		size_t len = in->conf.family == AF_INET ? 4 : 16;
		for (int k = 0; k < in->conf.nvips && n < cap; k++) {
			memset(&want[n], 0, sizeof(want[n]));
			want[n].family = in->conf.family;
			memcpy(want[n].addr, in->vipbytes + (size_t)k * len, len);
			n++;
		}
	}
	return n;
}

/* Accept mode off (and not the address owner): the instances' addresses go
 * into their interface's filter.  Run at start (strict: a filter that
 * cannot be had is an error), after a reload and when an interface appears
 * (a failure is logged: the instance runs unfiltered).  Filters of
 * interfaces without such instances any more are emptied. */
static int accept_sync(struct vrrpd *e, int strict, char *err, size_t errlen)
{
	static struct noaccept_addr want[2 * NOACCEPT_MAX_ADDRS];
	char why[300];
	for (int i = 0; i < e->ninst; i++) {
		struct instance *in = e->inst[i];
		in->noacc = NULL;
		if (!wants_filter(in))
			continue;
		if (!in->ii.ifindex) {
			if (strict)
				log_info("%s: accept off: no filter until %s exists", in->conf.name, in->conf.ifname);
			continue;
		}
		struct noaccept *n = filter_for(e, in->conf.ifname, in->ii.ifindex, why, sizeof(why));
		if (!n) {
			if (strict) {
				snprintf(err, errlen, "%s: %s", in->conf.name, why);
				return -1;
			}
			log_err("%s: %s (the filter is loaded at start: restart vrrpd)", in->conf.name, why);
			continue;
		}
		in->noacc = n;
	}
	for (int f = 0; f < e->nna; f++) {
		int nwant = filter_addrs(e, e->na_ifname[f], want, (int)(sizeof(want) / sizeof(want[0])));
		int rc = noaccept_sync(e->na[f], want, nwant);
		if (rc && strict) {
			snprintf(err, errlen, "accept off on %s: %s", e->na_ifname[f], strerror(-rc));
			return -1;
		}
		if (rc)
			log_err("accept off on %s: the filter's addresses could not be changed: %s", e->na_ifname[f],
				strerror(-rc));
	}
	return 0;
}

/* What the guard of interface ifname lets through: the VRIDs of its
 * instances; IPv4 sources only from their peers when every IPv4 instance
 * there is in unicast mode.  Returns how many instances use ifname. */
static int guard_want_for(const struct vrrpd *e, const char *ifname, struct guard_want *w)
{
	int n = 0, n4 = 0, unicast4 = 0;
	memset(w, 0, sizeof(*w));
	for (int i = 0; i < e->ninst; i++) {
		const struct instance_conf *c = &e->inst[i]->conf;
		if (strcmp(c->ifname, ifname) != 0)
			continue;
		n++;
		w->vrids[c->vrid & 255] = 1;
		if (c->family != AF_INET)
			continue;
		n4++;
		unicast4 += c->npeers > 0;
		for (int k = 0; k < c->npeers && w->npeers < GUARD_MAX_PEERS; k++) {
			const struct sockaddr_in *sa = (const struct sockaddr_in *)&c->peers[k].ss;
			w->peers4[w->npeers++] = sa->sin_addr.s_addr;
		}
	}
	w->peer_filter = n4 > 0 && unicast4 == n4;
	return n;
}

static void guard_drop(struct vrrpd *e, int k)
{
	guard_close(e->gd[k]);
	e->ngd--;
	e->gd[k] = e->gd[e->ngd];
	memcpy(e->gd_ifname[k], e->gd_ifname[e->ngd], IF_NAMESIZE);
}

/* The interface's guard, loaded if missing (start-up: CAP_BPF) and attached
 * where the interface is now.  A failure to load is logged once: vrrpd
 * runs without guards from then on. */
static void guard_for(struct vrrpd *e, const struct instance *in)
{
	char err[300];
	for (int k = 0; k < e->ngd; k++) {
		if (strcmp(e->gd_ifname[k], in->conf.ifname) != 0)
			continue;
		if (guard_ifindex(e->gd[k]) != in->ii.ifindex) {
			if (guard_reattach(e->gd[k], in->ii.ifindex, err, sizeof(err)))
				log_err("XDP guard on the re-created %s: %s", in->conf.ifname, err);
			else
				log_notice("XDP guard attached to %s again (created anew)", in->conf.ifname);
		}
		return;
	}
	if (e->gd_unavailable || e->ngd >= VRRPD_MAX_FILTERS)
		return;
	struct guard_want w;
	guard_want_for(e, in->conf.ifname, &w);
	struct guard *g = guard_open(in->ii.ifindex, &w, err, sizeof(err));
	if (!g) {
		e->gd_unavailable = 1;
		log_warn("XDP guard off: %s (it needs CAP_BPF and CAP_NET_ADMIN at start; "
			 "`xdp-guard off;` silences this)", err);
		return;
	}
	snprintf(e->gd_ifname[e->ngd], IF_NAMESIZE, "%s", in->conf.ifname);
	e->gd[e->ngd++] = g;
	log_info("XDP guard on %s (%s mode)", in->conf.ifname, guard_mode(g));
}

/* Guards for the running instances: at start, after a reload and when an
 * interface appears.  Those of interfaces without instances go. */
static void guard_sync_all(struct vrrpd *e)
{
	struct guard_want w;
	for (int k = e->ngd - 1; k >= 0; k--)
		if (!e->conf->global.xdp_guard || !guard_want_for(e, e->gd_ifname[k], &w))
			guard_drop(e, k);
	if (!e->conf->global.xdp_guard)
		return;
	for (int i = 0; i < e->ninst; i++)
		if (e->inst[i]->ii.ifindex)
			guard_for(e, e->inst[i]);
	for (int k = 0; k < e->ngd; k++) {
		guard_want_for(e, e->gd_ifname[k], &w);
		int rc = guard_sync(e->gd[k], &w);
		if (rc)
			log_err("XDP guard on %s: its maps could not be changed: %s", e->gd_ifname[k], strerror(-rc));
	}
}

/* The destinations of the syn-hold instances: each address with each port
 * (none: every port), on the instance's interface (with vmac too: tc
 * ingress of the lower interface sees the packets first).  may_load: at
 * start-up, while vrrpd holds CAP_BPF. */
static void synhold_apply(struct vrrpd *e, int may_load)
{
	static struct synhold_want want[VIP_SYNHOLD_MAX_KEYS];
	int n = 0;
	for (int i = 0; i < e->ninst; i++) {
		const struct instance *in = e->inst[i];
		const struct instance_conf *c = &in->conf;
		size_t len = c->family == AF_INET ? 4 : 16;
		int nports = c->nsyn_hold_ports ? c->nsyn_hold_ports : 1;
		for (int k = 0; c->syn_hold && k < c->nvips; k++) {
			for (int p = 0; p < nports && n < VIP_SYNHOLD_MAX_KEYS; p++, n++) {
				memset(&want[n], 0, sizeof(want[n]));
				snprintf(want[n].ifname, sizeof(want[n].ifname), "%s", c->ifname);
				want[n].ifindex = in->ii.ifindex;
				want[n].key.family = c->family == AF_INET ? 4 : 6;
				want[n].key.port = c->nsyn_hold_ports ? c->syn_hold_ports[p] : 0;
				memcpy(want[n].key.addr, in->vipbytes + (size_t)k * len, len);
			}
		}
	}
	if (!e->sh && n)
		e->sh = synhold_new();
	synhold_sync(e->sh, want, n, may_load);
}

struct vrrpd *vrrpd_open(struct ev_loop *loop, struct vrrpd_config *c, char *err, size_t errlen)
{
	struct vrrpd *e = calloc(1, sizeof(*e));
	if (!e) {
		vrrpd_config_free(c);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->loop = loop;
	e->conf = c;
	handover_host_init(&e->ho, loop, &ho_ops, e);
	handover_host_configure(&e->ho, c->global.lbd_control, c->global.handover_timeout_ms);
	peerdown_init(&e->pd, loop);
	peerdown_configure(&e->pd, c->global.lbd_control);
	e->env = (struct instance_env){ .loop = loop, .publish = publish, .publish_arg = e,
					.vrid_known = vrid_known, .vrid_arg = e,
					.peer_down = peer_down, .peer_down_arg = e,
					.yield = want_yield, .yield_arg = e };
	/* A crashed master left its VIPs behind: remove them before anything,
	 * but for a restart (handoff.h) those of the routers handed over. */
	static struct handoff hbuf;
	char intent[HANDOFF_PATH_MAX], state[HANDOFF_PATH_MAX];
	const struct handoff *h = handoff_in(c, &hbuf);
	uint64_t now_ms = mtime_ms();
	cleanup_all(c, h, now_ms, 0);
	if (handoff_paths(c->global.control, intent, state, sizeof(state)) == 0) {
		unlink(state);  /* it serves once */
		unlink(intent); /* a request no stop took: the next stop is a stop */
	}
	if (!(e->nl = vip_nl_open(loop, instance_vip_refused, err, errlen)))
		goto bad;
	e->env.nl = e->nl;
	if (!(e->mon = iface_mon_open(loop, link_event, e, err, errlen)))
		goto bad;
	ensure_dir_of(c->global.control);
	if (!(e->ctl = ctl_server_open(loop, c->global.control, ctl_handler, e, err, errlen)))
		goto bad;
	if (!(e->tracks = make_tracks(e, c, NULL, 0))) {
		snprintf(err, errlen, "cannot set up tracks: out of memory");
		goto bad;
	}
	e->ntracks = c->ntracks;
	e->inst = calloc((size_t)c->ninst, sizeof(*e->inst));
	if (!e->inst)
		goto bad;
	for (int i = 0; i < c->ninst; i++) {
		if (!(e->inst[i] = open_instance(e, &c->inst[i], err, errlen)))
			goto bad;
		e->ninst++;
	}
	if (accept_sync(e, 1, err, errlen))
		goto bad;
	for (int i = 0; i < e->ninst; i++) {
		if (resumes(&e->inst[i]->conf, h, now_ms))
			vrrp_resume_master(&e->inst[i]->fsm);
		instance_start(e->inst[i]);
	}
	apply_tracks(e);
	/* After the start: loading libbpf and the program takes milliseconds,
	 * which a master resuming after a restart spends advertising. */
	guard_sync_all(e);
	synhold_apply(e, 1);
	return e;
bad:
	vrrpd_close(e);
	return NULL;
}

/* The running instance that c reconfigures: the same virtual router
 * (interface, family, vrid; vconf makes those unique), by the same name or,
 * failing that, renamed. */
static int find_kept(struct instance **old, int nold, const struct instance_conf *c)
{
	for (int k = 0; k < nold; k++)
		if (old[k] && strcmp(old[k]->conf.name, c->name) == 0 && instance_same_identity(old[k], c))
			return k;
	for (int k = 0; k < nold; k++)
		if (old[k] && instance_same_identity(old[k], c))
			return k;
	return -1;
}

int vrrpd_reload(struct vrrpd *e, const char *path, char *err, size_t errlen)
{
	struct vrrpd_config *c;
	int rc = vrrpd_config_load(path, &c, err, errlen);
	if (rc) {
		e->reload_failures++;
		return rc;
	}
	if (strcmp(c->global.control, e->conf->global.control) != 0)
		log_warn("reload: a new control socket path applies after a restart");
	struct track **tracks = make_tracks(e, c, e->tracks, e->ntracks);
	struct instance **inst = calloc((size_t)c->ninst, sizeof(*inst));
	if (!tracks || !inst) {
		free(inst);
		if (tracks)
			for (int i = 0; i < c->ntracks; i++)
				track_free(tracks[i]);
		free(tracks);
		vrrpd_config_free(c);
		snprintf(err, errlen, "out of memory");
		e->reload_failures++;
		return -ENOMEM;
	}
	/* Instances that keep their identity are reconfigured in place, in
	 * their state: only what changed is applied (kept addresses never
	 * leave).  The others are closed (priority 0) and the new ones opened. */
	for (int i = 0; i < c->ninst; i++) {
		int k = find_kept(e->inst, e->ninst, &c->inst[i]);
		if (k >= 0) {
			inst[i] = e->inst[k];
			e->inst[k] = NULL;
			instance_reconfigure(inst[i], &c->inst[i], c->global.notify);
			notify_set_timeout(&inst[i]->notify, c->global.notify_timeout_ms);
		}
	}
	for (int k = 0; k < e->ninst; k++) {
		if (e->inst[k]) {
			instance_close(e->inst[k]);
			free(e->inst[k]);
		}
	}
	for (int k = 0; k < e->ntracks; k++)
		track_free(e->tracks[k]); /* those not moved into `tracks` */
	free(e->tracks);
	free(e->inst);
	vrrpd_config_free(e->conf);
	e->conf = c;
	handover_host_configure(&e->ho, c->global.lbd_control, c->global.handover_timeout_ms);
	peerdown_configure(&e->pd, c->global.lbd_control);
	e->tracks = tracks;
	e->ntracks = c->ntracks;
	e->inst = inst;
	e->ninst = c->ninst;
	for (int i = 0; i < c->ninst; i++) {
		if (inst[i])
			continue;
		cleanup_instance(&c->inst[i]);
		inst[i] = open_instance(e, &c->inst[i], err, errlen);
		if (!inst[i]) {
			log_err("reload: instance %s: %s", c->inst[i].name, err);
			continue;
		}
		instance_start(inst[i]);
	}
	/* Instances that failed to open are dropped from the running set. */
	int n = 0;
	for (int i = 0; i < c->ninst; i++)
		if (inst[i])
			inst[n++] = inst[i];
	e->ninst = n;
	accept_sync(e, 0, err, errlen);
	guard_sync_all(e);
	synhold_apply(e, 0);
	apply_tracks(e);
	e->reloads++;
	return 0;
}

/* A restart: the masters hand over (last advert, addresses kept) and the
 * state file says so.  Without the file the stop is an ordinary one. */
static void handoff_out(struct vrrpd *e, const char *state)
{
	static struct handoff h;
	memset(&h, 0, sizeof(h));
	for (int i = 0; i < e->ninst; i++) {
		const struct instance *in = e->inst[i];
		/* vmac: the macvlan is made anew at start, which drops the VIPs */
		if (in->fsm.state == VRRP_MASTER && !in->conf.vmac &&
		    handoff_add(&h, in->conf.ifname, in->conf.family, in->conf.vrid))
			log_warn("%s: too many masters to hand over, this one stops", in->conf.name);
	}
	h.time_ms = mtime_ms();
	int rc = handoff_write(state, &h);
	if (rc) {
		log_err("restart: cannot write %s (%s): stopping instead", state, strerror(-rc));
		return;
	}
	for (int i = 0; i < e->ninst; i++) {
		struct instance *in = e->inst[i];
		if (!resumes(&in->conf, &h, h.time_ms))
			continue;
		/* The last adverts announce the longer interval that covers the
		 * restart (the instance sends what its conf says, and is closed
		 * right after). */
		in->conf.advert_cs = handoff_hold_ms(in->conf.advert_cs * 10u) / 10u;
		vrrp_handoff(&in->fsm, mtime_us());
	}
}

int vrrpd_stop(struct vrrpd *e)
{
	char intent[HANDOFF_PATH_MAX], state[HANDOFF_PATH_MAX];
	int restart = e && handoff_paths(e->conf->global.control, intent, state, sizeof(state)) == 0 &&
		      handoff_intent_take(intent);
	if (restart)
		handoff_out(e, state);
	vrrpd_close(e);
	return restart;
}

void vrrpd_close(struct vrrpd *e)
{
	if (!e)
		return;
	for (int i = 0; i < e->ninst; i++) {
		instance_close(e->inst[i]);
		free(e->inst[i]);
	}
	free(e->inst);
	for (int i = 0; i < e->ntracks; i++)
		track_free(e->tracks[i]);
	free(e->tracks);
	for (int i = 0; i < e->nna; i++)
		noaccept_close(e->na[i]);
	for (int i = 0; i < e->ngd; i++)
		guard_close(e->gd[i]);
	synhold_close(e->sh);
	handover_host_close(&e->ho);
	peerdown_close(&e->pd);
	ctl_server_close(e->ctl);
	iface_mon_close(e->mon);
	vip_nl_close(e->nl);
	vrrpd_config_free(e->conf);
	free(e);
}
