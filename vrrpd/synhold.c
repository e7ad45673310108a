#include "synhold.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "tchook.h"

#include "libbpf_dl.h"

#include "bpf/vip_synhold.skel.h"

/* Ours among the interface's tc filters (the accept-mode filter is
 * 0x5798 at priority 1): a restarted vrrpd replaces it. */
#define SYNHOLD_HANDLE 0x5799
#define SYNHOLD_PRIO 2

struct filter {
	char ifname[IF_NAMESIZE];
	struct vip_synhold *skel;
	struct tchook tc;
	struct vip_synhold_key set[VIP_SYNHOLD_MAX_KEYS]; /* what the map holds */
	int nset;
};

struct synhold {
	struct filter *f[SYNHOLD_MAX_IFACES];
	int n;
	int unavailable; /* loading failed once: logged, not tried again */
	int warned;      /* "at start-up only" logged once */
};

static int attach(struct filter *f, int ifindex, char *err, size_t errlen)
{
	return tchook_attach(&f->tc, ifindex, bpf_program__fd(f->skel->progs.vip_synhold), "the filter", err, errlen);
}

static void filter_close(struct filter *f)
{
	if (!f)
		return;
	if (f->skel) {
		tchook_detach(&f->tc);
		vip_synhold__destroy(f->skel);
	}
	free(f);
}

static struct filter *filter_open(const char *ifname, int ifindex, char *err, size_t errlen)
{
	char why[200];
	if (libbpf_dl_open(why, sizeof(why))) {
		snprintf(err, errlen, "it needs libbpf: %.150s", why);
		return NULL;
	}
	struct filter *f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(f->ifname, sizeof(f->ifname), "%s", ifname);
	tchook_init(&f->tc, ifindex, SYNHOLD_HANDLE, SYNHOLD_PRIO);
	f->skel = vip_synhold__open_and_load();
	if (!f->skel) {
		snprintf(err, errlen, "loading the program: %s", strerror(errno));
		goto bad;
	}
	if (attach(f, ifindex, err, errlen))
		goto bad;
	return f;
bad:
	filter_close(f);
	return NULL;
}

static int key_in(const struct vip_synhold_key *k, const struct vip_synhold_key *list, int n)
{
	for (int i = 0; i < n; i++)
		if (memcmp(&list[i], k, sizeof(*k)) == 0)
			return 1;
	return 0;
}

static int map_set(struct filter *f, const struct vip_synhold_key *k, int on)
{
	uint8_t one = 1;
	int rc = on ? bpf_map__update_elem(f->skel->maps.holds, k, sizeof(*k), &one, sizeof(one), BPF_ANY)
		    : bpf_map__delete_elem(f->skel->maps.holds, k, sizeof(*k), 0);
	return rc ? -errno : 0;
}

/* The map holds exactly want (gone keys leave first); 0 or the first
 * -errno, the rest still done.  What the kernel refused stays as it was. */
static int map_sync(struct filter *f, const struct vip_synhold_key *want, int nwant)
{
	int rc = 0, k = 0;
	for (int i = 0; i < f->nset; i++) {
		int err = 0;
		int keep = key_in(&f->set[i], want, nwant);
		if (!keep && (err = map_set(f, &f->set[i], 0)) == -ENOENT)
			err = 0;
		if (err)
			rc = rc ? rc : err;
		if (keep || err)
			f->set[k++] = f->set[i];
	}
	f->nset = k;
	for (int i = 0; i < nwant; i++) {
		if (key_in(&want[i], f->set, f->nset))
			continue;
		int err = f->nset < VIP_SYNHOLD_MAX_KEYS ? map_set(f, &want[i], 1) : -E2BIG;
		if (err)
			rc = rc ? rc : err;
		else
			f->set[f->nset++] = want[i];
	}
	return rc;
}

struct synhold *synhold_new(void)
{
	return calloc(1, sizeof(struct synhold));
}

static struct filter *find(const struct synhold *s, const char *ifname)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->f[i]->ifname, ifname) == 0)
			return s->f[i];
	return NULL;
}

/* The filter of want[i]'s interface, loaded (may_load) or attached again
 * where the interface is now; NULL if there is none to be had. */
static struct filter *filter_for(struct synhold *s, const struct synhold_want *w, int may_load)
{
	char err[300];
	struct filter *f = find(s, w->ifname);
	if (f && f->tc.hook.ifindex != w->ifindex) {
		if (attach(f, w->ifindex, err, sizeof(err)))
			log_err("syn-hold on the re-created %s: %s", w->ifname, err);
		else
			log_notice("syn-hold: filter attached to %s again (created anew)", w->ifname);
	}
	if (f || s->unavailable)
		return f;
	if (!may_load) {
		if (!s->warned++)
			log_warn("syn-hold on %s: the filter is loaded at start-up only (restart vrrpd)", w->ifname);
		return NULL;
	}
	if (s->n >= SYNHOLD_MAX_IFACES) {
		log_warn("syn-hold on %s: more than %d interfaces", w->ifname, SYNHOLD_MAX_IFACES);
		return NULL;
	}
	if (!(f = filter_open(w->ifname, w->ifindex, err, sizeof(err)))) {
		s->unavailable = 1;
		log_warn("syn-hold off: %s (it needs CAP_BPF and CAP_NET_ADMIN at start and Linux 5.2 "
			 "or later; `syn-hold off;` silences this)", err);
		return NULL;
	}
	s->f[s->n++] = f;
	log_info("syn-hold on %s", w->ifname);
	return f;
}

void synhold_sync(struct synhold *s, const struct synhold_want *want, int nwant, int may_load)
{
	static struct vip_synhold_key keys[VIP_SYNHOLD_MAX_KEYS];
	if (!s)
		return;
	for (int i = 0; i < nwant; i++) {
		int first = 1;
		for (int k = 0; k < i && first; k++)
			first = strcmp(want[k].ifname, want[i].ifname) != 0;
		if (first && want[i].ifindex)
			filter_for(s, &want[i], may_load);
	}
	for (int f = 0; f < s->n; f++) {
		int n = 0;
		for (int i = 0; i < nwant && n < VIP_SYNHOLD_MAX_KEYS; i++)
			if (strcmp(want[i].ifname, s->f[f]->ifname) == 0)
				keys[n++] = want[i].key;
		int rc = map_sync(s->f[f], keys, n);
		if (rc)
			log_err("syn-hold on %s: the map could not be changed: %s", s->f[f]->ifname, strerror(-rc));
	}
}

int synhold_count(const struct synhold *s)
{
	return s ? s->n : 0;
}

const char *synhold_ifname(const struct synhold *s, int i, int *nkeys, struct synhold_counters *c)
{
	const struct filter *f = s->f[i];
	*nkeys = f->nset;
	c->held = f->skel->bss ? __atomic_load_n(&f->skel->bss->held, __ATOMIC_RELAXED) : 0;
	c->passed = f->skel->bss ? __atomic_load_n(&f->skel->bss->passed, __ATOMIC_RELAXED) : 0;
	return f->ifname;
}

void synhold_close(struct synhold *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n; i++)
		filter_close(s->f[i]);
	free(s);
}

void synhold_remove(int ifindex)
{
	char why[200];
	/* Without libbpf no filter can have been attached by us. */
	if (libbpf_dl_open(why, sizeof(why))) {
		log_debug("cleanup: syn-hold: %s", why);
		return;
	}
	tchook_remove(ifindex, SYNHOLD_HANDLE, SYNHOLD_PRIO);
}
