#include "engine.h"

#include <errno.h>
#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ctl.h"
#include "iface.h"
#include "instance.h"
#include "log.h"
#include "noaccept.h"
#include "status.h"
#include "track.h"
#include "vconf.h"
#include "vip.h"
#include "vmac.h"

#define ENGINE_MAX_FILTERS 16 /* interfaces with accept-off instances */

struct engine {
	struct ev_loop *loop;
	struct vconf *conf;
	struct instance **inst;
	int ninst;
	struct track **tracks;      /* parallel to conf->tracks */
	int ntracks;
	struct vip_nl *nl;
	struct iface_mon *mon;
	struct ctl_server *ctl;
	struct noaccept *na[ENGINE_MAX_FILTERS]; /* accept-off filters, one per interface */
	int na_ifindex[ENGINE_MAX_FILTERS];
	int nna;
	struct instance_env env;
	uint64_t reloads, reload_failures;
};

static void publish(void *arg, const char *line)
{
	struct engine *e = arg;
	ctl_server_publish(e->ctl, line);
}

static int vrid_known(void *arg, int ifindex, int family, unsigned vrid)
{
	struct engine *e = arg;
	for (int i = 0; i < e->ninst; i++)
		if (e->inst[i]->ii.ifindex == ifindex && e->inst[i]->conf.family == family &&
		    e->inst[i]->conf.vrid == vrid)
			return 1;
	return 0;
}

/* Tracks changed: every instance recomputes its priority and faults. */
static void apply_tracks(struct engine *e)
{
	for (int i = 0; i < e->ninst; i++) {
		struct instance *in = e->inst[i];
		int weight = 0, nfault = 0;
		for (int k = 0; k < in->conf.ntracks; k++) {
			const struct vconf_track_ref *r = &in->conf.tracks[k];
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

static void link_event(void *arg, int ifindex, const char *ifname, enum iface_event ev)
{
	struct engine *e = arg;
	for (int i = 0; i < e->ninst; i++)
		instance_iface_event(e->inst[i], ifindex, ifname, ev);
	if (ev != IFACE_ADDR_CHANGED)
		for (int i = 0; i < e->ntracks; i++)
			track_link_event(e->tracks[i], ifname);
}

static int ctl_handler(void *arg, int argc, char **argv, struct buf *reply)
{
	struct engine *e = arg;
	if (argc >= 1 && strcmp(argv[0], "status") == 0)
		return status_render(reply, e->inst, e->ninst, e->tracks, e->ntracks);
	buf_puts(reply, "unknown command, expected one of: status, subscribe");
	return -EINVAL;
}

static int cleanup_instance(const struct vconf_instance *c)
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

int engine_cleanup(const struct vconf *c)
{
	int n = 0;
	for (int i = 0; i < c->ninst; i++) {
		struct iface_info ii;
		/* a crashed vrrpd's accept-off filter (a running one's is replaced) */
		if (!c->inst[i].accept && iface_query(c->inst[i].ifname, &ii) == 0)
			noaccept_remove(ii.ifindex);
		n += cleanup_instance(&c->inst[i]);
	}
	return n;
}

/* Tracks for conf c: reuse a running track with the same name and the same
 * definition (so its up/down state survives a reload), else a new one that
 * starts up.  First checks are staggered over the first interval. */
static struct track **make_tracks(struct engine *e, const struct vconf *c, struct track **old, int nold)
{
	struct track **t = calloc((size_t)c->ntracks + 1, sizeof(*t));
	if (!t)
		return NULL;
	for (int i = 0; i < c->ntracks; i++) {
		for (int k = 0; k < nold && !t[i]; k++) {
			if (old[k] && strcmp(track_name(old[k]), c->tracks[i].name) == 0 &&
			    track_same_conf(old[k], &c->tracks[i])) {
				t[i] = old[k];
				old[k] = NULL;
			}
		}
		if (!t[i]) {
			uint32_t stagger = c->tracks[i].interval_ms * (uint32_t)i / (uint32_t)c->ntracks;
			t[i] = track_new(e->loop, &c->tracks[i], 1, 50 + stagger, track_changed, e);
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

static struct instance *open_instance(struct engine *e, const struct vconf_instance *c, char *err, size_t errlen)
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
	return in;
}

static int ensure_dir_of(const char *path)
{
	char dir[sizeof(((struct vconf_global *)0)->control)];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Accept mode off (and not the address owner): the instance's addresses go
 * into its interface's filter, loaded now, while vrrpd still has CAP_BPF
 * (noaccept.h).  An instance whose interface is missing at start gets none. */
static int accept_filter(struct engine *e, struct instance *in, char *err, size_t errlen)
{
	const struct vconf_instance *c = &in->conf;
	struct noaccept *n = NULL;
	if (c->accept || c->priority == 255)
		return 0;
	if (!in->ii.ifindex) {
		log_warn("%s: accept off: interface %s missing at start, no filter until a restart", c->name,
			 c->ifname);
		return 0;
	}
	for (int i = 0; i < e->nna; i++)
		if (e->na_ifindex[i] == in->ii.ifindex)
			n = e->na[i];
	if (!n) {
		char why[200];
		if (e->nna >= ENGINE_MAX_FILTERS || !(n = noaccept_open(in->ii.ifindex, why, sizeof(why)))) {
			snprintf(err, errlen, "%s: accept off on %s: %s", c->name, c->ifname,
				 e->nna >= ENGINE_MAX_FILTERS ? "too many interfaces" : why);
			return -1;
		}
		e->na_ifindex[e->nna] = in->ii.ifindex;
		e->na[e->nna++] = n;
	}
	for (int i = 0; i < c->nvips; i++) {
		int rc = noaccept_add(n, c->family, in->vipbytes + (size_t)i * (c->family == AF_INET ? 4 : 16));
		if (rc) {
			snprintf(err, errlen, "%s: accept off: %s", c->name, strerror(-rc));
			return -1;
		}
	}
	in->noacc = n;
	return 0;
}

struct engine *engine_open(struct ev_loop *loop, struct vconf *c, char *err, size_t errlen)
{
	struct engine *e = calloc(1, sizeof(*e));
	if (!e) {
		vconf_free(c);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->loop = loop;
	e->conf = c;
	e->env = (struct instance_env){ .loop = loop, .publish = publish, .publish_arg = e,
					.vrid_known = vrid_known, .vrid_arg = e };
	/* A crashed master left its VIPs behind: remove them before anything. */
	engine_cleanup(c);
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
	for (int i = 0; i < e->ninst; i++)
		if (accept_filter(e, e->inst[i], err, errlen))
			goto bad;
	for (int i = 0; i < e->ninst; i++)
		instance_start(e->inst[i]);
	apply_tracks(e);
	return e;
bad:
	engine_close(e);
	return NULL;
}

static int find_kept(struct instance **old, int nold, const struct vconf_instance *c)
{
	for (int k = 0; k < nold; k++)
		if (old[k] && strcmp(old[k]->conf.name, c->name) == 0 && instance_same_identity(old[k], c))
			return k;
	return -1;
}

int engine_reload(struct engine *e, const char *path, char *err, size_t errlen)
{
	struct vconf *c;
	int rc = vconf_load(path, &c, err, errlen);
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
		vconf_free(c);
		snprintf(err, errlen, "out of memory");
		e->reload_failures++;
		return -ENOMEM;
	}
	/* Instances that keep their identity are reconfigured in place: their
	 * addresses never leave.  The others are closed (priority 0) and the
	 * new ones opened. */
	for (int i = 0; i < c->ninst; i++) {
		int k = find_kept(e->inst, e->ninst, &c->inst[i]);
		if (k >= 0) {
			inst[i] = e->inst[k];
			e->inst[k] = NULL;
			instance_reconfigure(inst[i], &c->inst[i], c->global.notify);
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
	vconf_free(e->conf);
	e->conf = c;
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
	apply_tracks(e);
	e->reloads++;
	return 0;
}

void engine_close(struct engine *e)
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
	ctl_server_close(e->ctl);
	iface_mon_close(e->mon);
	vip_nl_close(e->nl);
	vconf_free(e->conf);
	free(e);
}
