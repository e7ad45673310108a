#include "guard.h"

#include <errno.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libbpf_dl.h"
#include "log.h"

#include "bpf/vrrp_guard.skel.h"

const char *const guard_reason_names[VRRP_GUARD_NREASONS] = {
	[VRRP_GUARD_PASSED] = "passed",
	[VRRP_GUARD_BAD_TTL] = "bad_ttl",
	[VRRP_GUARD_BAD_VERSION] = "bad_version",
	[VRRP_GUARD_UNKNOWN_VRID] = "unknown_vrid",
	[VRRP_GUARD_NOT_PEER] = "not_peer",
	[VRRP_GUARD_TRUNCATED] = "truncated",
};

struct guard {
	struct vrrp_guard *skel;
	struct bpf_link *link;
	int ifindex;
	int native;
	struct guard_want set;      /* what the maps hold */
};

static int vrid_set(struct guard *g, uint32_t vrid, uint8_t on)
{
	if (bpf_map__update_elem(g->skel->maps.vrids, &vrid, sizeof(vrid), &on, sizeof(on), BPF_ANY))
		return -errno;
	g->set.vrids[vrid] = on;
	return 0;
}

static int peer_in(const struct guard_want *w, uint32_t a)
{
	for (int i = 0; i < w->npeers; i++)
		if (w->peers4[i] == a)
			return 1;
	return 0;
}

int guard_sync(struct guard *g, const struct guard_want *want)
{
	int rc = 0, err;
	uint8_t one = 1;
	/* New VRIDs and peers first, gone ones after: an advert that is
	 * wanted before and after is never dropped in between. */
	for (uint32_t v = 0; v < 256; v++)
		if (want->vrids[v] && !g->set.vrids[v] && (err = vrid_set(g, v, 1)))
			rc = rc ? rc : err;
	for (int i = 0; i < want->npeers; i++) {
		if (peer_in(&g->set, want->peers4[i]))
			continue;
		if (bpf_map__update_elem(g->skel->maps.peers4, &want->peers4[i], 4, &one, 1, BPF_ANY))
			rc = rc ? rc : -errno;
	}
	g->skel->bss->peer_filter = (uint8_t)(want->peer_filter && want->npeers > 0);
	for (int i = 0; i < g->set.npeers; i++)
		if (!peer_in(want, g->set.peers4[i]) &&
		    bpf_map__delete_elem(g->skel->maps.peers4, &g->set.peers4[i], 4, 0) && errno != ENOENT)
			rc = rc ? rc : -errno;
	for (uint32_t v = 0; v < 256; v++)
		if (!want->vrids[v] && g->set.vrids[v] && (err = vrid_set(g, v, 0)))
			rc = rc ? rc : err;
	memcpy(g->set.peers4, want->peers4, sizeof(g->set.peers4));
	g->set.npeers = want->npeers;
	g->set.peer_filter = want->peer_filter;
	return rc;
}

static int attach(struct guard *g, int ifindex, char *err, size_t errlen)
{
	if (g->link)
		bpf_link__destroy(g->link);
	g->link = bpf_program__attach_xdp(g->skel->progs.vrrp_guard, ifindex);
	if (!g->link) {
		int rc = -errno;
		snprintf(err, errlen, "attaching the XDP guard: %s", strerror(-rc));
		return rc;
	}
	g->ifindex = ifindex;
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	g->native = bpf_xdp_query(ifindex, 0, &q) == 0 && q.attach_mode == XDP_ATTACHED_DRV;
	return 0;
}

struct guard *guard_open(int ifindex, const struct guard_want *want, char *err, size_t errlen)
{
	char why[200];
	struct guard *g = calloc(1, sizeof(*g));
	if (!g) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (libbpf_dl_open(why, sizeof(why))) {
		snprintf(err, errlen, "%.190s", why);
		free(g);
		return NULL;
	}
	if (!(g->skel = vrrp_guard__open_and_load())) {
		snprintf(err, errlen, "loading the XDP guard: %s", strerror(errno));
		goto bad;
	}
	/* The maps are filled before the program sees a packet. */
	if (guard_sync(g, want)) {
		snprintf(err, errlen, "filling the XDP guard's maps: %s", strerror(errno));
		goto bad;
	}
	if (attach(g, ifindex, err, errlen))
		goto bad;
	return g;
bad:
	guard_close(g);
	return NULL;
}

int guard_ifindex(const struct guard *g)
{
	return g->ifindex;
}

int guard_reattach(struct guard *g, int ifindex, char *err, size_t errlen)
{
	return attach(g, ifindex, err, errlen);
}

const char *guard_mode(const struct guard *g)
{
	return g->native ? "native" : "generic";
}

int guard_counters(const struct guard *g, uint64_t out[VRRP_GUARD_NREASONS])
{
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0 || ncpu > 4096)
		return -EINVAL;
	uint64_t *v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	int rc = 0;
	for (uint32_t r = 0; r < VRRP_GUARD_NREASONS; r++) {
		out[r] = 0;
		if (bpf_map__lookup_elem(g->skel->maps.counters, &r, sizeof(r), v, (size_t)ncpu * sizeof(*v), 0)) {
			rc = -errno;
			continue;
		}
		for (int c = 0; c < ncpu; c++)
			out[r] += v[c];
	}
	free(v);
	return rc;
}

void guard_close(struct guard *g)
{
	if (!g)
		return;
	if (g->link)
		bpf_link__destroy(g->link); /* detaches */
	if (g->skel)
		vrrp_guard__destroy(g->skel);
	free(g);
}
