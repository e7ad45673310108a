#include "noaccept.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "tchook.h"

#include "libbpf_dl.h"

#include "bpf/vip_noaccept.skel.h"

/* 0, or -1 with err filled. */
static int libbpf_load(char *err, size_t errlen)
{
	char why[200];
	if (libbpf_dl_open(why, sizeof(why)) == 0)
		return 0;
	snprintf(err, errlen, "accept off needs libbpf: %.150s", why);
	return -1;
}

/* Ours among the interface's tc filters: a restarted vrrpd replaces it. */
#define NOACCEPT_HANDLE 0x5798
#define NOACCEPT_PRIO 1

struct noaccept {
	struct vip_noaccept *skel;
	struct tchook tc;
	struct noaccept_addr set[2 * NOACCEPT_MAX_ADDRS]; /* what the maps hold */
	int nset;
};

/* The interface's clsact hook and our filter on it, with the loaded program. */
static int attach(struct noaccept *n, int ifindex, char *err, size_t errlen)
{
	return tchook_attach(&n->tc, ifindex, bpf_program__fd(n->skel->progs.vip_noaccept), "the accept-mode filter",
			     err, errlen);
}

struct noaccept *noaccept_open(int ifindex, char *err, size_t errlen)
{
	struct noaccept *n = calloc(1, sizeof(*n));

	if (!n) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (libbpf_load(err, errlen)) {
		free(n);
		return NULL;
	}
	tchook_init(&n->tc, ifindex, NOACCEPT_HANDLE, NOACCEPT_PRIO);
	n->skel = vip_noaccept__open_and_load();
	if (!n->skel) {
		snprintf(err, errlen, "loading the accept-mode filter: %s", strerror(errno));
		goto bad;
	}
	if (attach(n, ifindex, err, errlen))
		goto bad;
	return n;
bad:
	noaccept_close(n);
	return NULL;
}

int noaccept_ifindex(const struct noaccept *n)
{
	return n->tc.hook.ifindex;
}

int noaccept_reattach(struct noaccept *n, int ifindex, char *err, size_t errlen)
{
	return attach(n, ifindex, err, errlen);
}

static size_t addr_len(const struct noaccept_addr *a)
{
	return a->family == AF_INET ? 4 : 16;
}

static int map_set(struct noaccept *n, const struct noaccept_addr *a, int on)
{
	uint8_t one = 1;
	struct bpf_map *m = a->family == AF_INET ? n->skel->maps.vips4 : n->skel->maps.vips6;
	int rc = on ? bpf_map__update_elem(m, a->addr, addr_len(a), &one, sizeof(one), BPF_ANY)
		    : bpf_map__delete_elem(m, a->addr, addr_len(a), 0);
	return rc ? -errno : 0;
}

static int addr_in(const struct noaccept_addr *a, const struct noaccept_addr *list, int n)
{
	for (int i = 0; i < n; i++)
		if (list[i].family == a->family && memcmp(list[i].addr, a->addr, addr_len(a)) == 0)
			return 1;
	return 0;
}

/* Gone addresses leave first, so the maps never hold more than both sets'
 * union of what is wanted.  What the kernel refused stays as it was. */
int noaccept_sync(struct noaccept *n, const struct noaccept_addr *want, int nwant)
{
	int rc = 0, k = 0;
	for (int i = 0; i < n->nset; i++) {
		int err = 0;
		if (!addr_in(&n->set[i], want, nwant) && (err = map_set(n, &n->set[i], 0)) && err != -ENOENT)
			rc = rc ? rc : err;
		if (addr_in(&n->set[i], want, nwant) || (err && err != -ENOENT))
			n->set[k++] = n->set[i];
	}
	n->nset = k;
	for (int i = 0; i < nwant; i++) {
		if (addr_in(&want[i], n->set, n->nset))
			continue;
		int err = n->nset < 2 * NOACCEPT_MAX_ADDRS ? map_set(n, &want[i], 1) : -E2BIG;
		if (err)
			rc = rc ? rc : err;
		else
			n->set[n->nset++] = want[i];
	}
	return rc;
}

uint64_t noaccept_drops(const struct noaccept *n)
{
	return n && n->skel->bss ? __atomic_load_n(&n->skel->bss->dropped, __ATOMIC_RELAXED) : 0;
}

void noaccept_close(struct noaccept *n)
{
	if (!n)
		return;
	if (n->skel) {
		tchook_detach(&n->tc);
		vip_noaccept__destroy(n->skel);
	}
	free(n);
}

void noaccept_remove(int ifindex)
{
	char err[200];
	if (libbpf_load(err, sizeof(err))) {
		log_warn("cleanup: %s", err);
		return;
	}
	tchook_remove(ifindex, NOACCEPT_HANDLE, NOACCEPT_PRIO);
}
