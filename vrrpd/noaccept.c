#include "noaccept.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* libbpf (and the libelf and zlib it needs) is opened on first use, not
 * linked: most configurations have no instance in `accept off`, and the
 * three libraries are a tenth of a running vrrpd's memory.  Every libbpf
 * function this file and the skeleton call goes through the table below,
 * typed by libbpf's own declarations; the macros after it make the calls
 * (the skeleton's included) read as plain libbpf calls.  The soname is
 * libbpf's ABI, stable across 1.x. */
#define NOACCEPT_LIBBPF "libbpf.so.1"
#define LIBBPF_FUNCS(X) \
	X(libbpf_set_print) \
	X(bpf_object__open_skeleton) \
	X(bpf_object__load_skeleton) \
	X(bpf_object__destroy_skeleton) \
	X(bpf_program__fd) \
	X(bpf_map__update_elem) \
	X(bpf_map__delete_elem) \
	X(bpf_tc_hook_create) \
	X(bpf_tc_hook_destroy) \
	X(bpf_tc_attach) \
	X(bpf_tc_detach)

static struct {
#define X(f) __typeof__(f) *fn_##f;
	LIBBPF_FUNCS(X)
#undef X
} libbpf;

#define libbpf_set_print libbpf.fn_libbpf_set_print
#define bpf_object__open_skeleton libbpf.fn_bpf_object__open_skeleton
#define bpf_object__load_skeleton libbpf.fn_bpf_object__load_skeleton
#define bpf_object__destroy_skeleton libbpf.fn_bpf_object__destroy_skeleton
#define bpf_program__fd libbpf.fn_bpf_program__fd
#define bpf_map__update_elem libbpf.fn_bpf_map__update_elem
#define bpf_map__delete_elem libbpf.fn_bpf_map__delete_elem
#define bpf_tc_hook_create libbpf.fn_bpf_tc_hook_create
#define bpf_tc_hook_destroy libbpf.fn_bpf_tc_hook_destroy
#define bpf_tc_attach libbpf.fn_bpf_tc_attach
#define bpf_tc_detach libbpf.fn_bpf_tc_detach

#include "bpf/vip_noaccept.skel.h"

/* 0, or -1 with err filled.  Once loaded, libbpf stays for the process. */
static int libbpf_load(char *err, size_t errlen)
{
	if (libbpf.fn_bpf_tc_detach)
		return 0;
	void *h = dlopen(NOACCEPT_LIBBPF, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errlen, "accept off needs libbpf: %s", dlerror());
		return -1;
	}
#define X(f) \
	if (!(libbpf.fn_##f = (__typeof__(libbpf.fn_##f))dlsym(h, #f))) { \
		snprintf(err, errlen, "%s: no %s", NOACCEPT_LIBBPF, #f); \
		goto bad; \
	}
	LIBBPF_FUNCS(X)
#undef X
	return 0;
bad:
	memset(&libbpf, 0, sizeof(libbpf));
	dlclose(h);
	return -1;
}

/* Ours among the interface's tc filters: a restarted vrrpd replaces it. */
#define NOACCEPT_HANDLE 0x5798
#define NOACCEPT_PRIO 1

struct noaccept {
	struct vip_noaccept *skel;
	struct bpf_tc_hook hook;
	int hook_created;
	struct noaccept_addr set[2 * NOACCEPT_MAX_ADDRS]; /* what the maps hold */
	int nset;
};

static void hook_init(struct bpf_tc_hook *h, int ifindex)
{
	memset(h, 0, sizeof(*h)); /* padding too: libbpf checks it */
	h->sz = sizeof(*h);
	h->ifindex = ifindex;
	h->attach_point = BPF_TC_INGRESS;
}

static void opts_init(struct bpf_tc_opts *o, int prog_fd)
{
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	o->handle = NOACCEPT_HANDLE;
	o->priority = NOACCEPT_PRIO;
	if (prog_fd >= 0) {
		o->prog_fd = prog_fd;
		o->flags = BPF_TC_F_REPLACE;
	}
}

/* libbpf's own messages ("no such filter" when there is nothing to
 * remove) only at debug level: vrrpd reports what failed itself. */
static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	char line[512];
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("libbpf: %s", line);
	return 0;
}

/* The interface's clsact hook and our filter on it, with the loaded program. */
static int attach(struct noaccept *n, int ifindex, char *err, size_t errlen)
{
	int rc;
	hook_init(&n->hook, ifindex);
	rc = bpf_tc_hook_create(&n->hook);
	if (rc && rc != -EEXIST) {
		snprintf(err, errlen, "tc ingress hook: %s", strerror(-rc));
		return rc;
	}
	n->hook_created = rc == 0;
	struct bpf_tc_opts opts;
	opts_init(&opts, bpf_program__fd(n->skel->progs.vip_noaccept));
	if ((rc = bpf_tc_attach(&n->hook, &opts))) {
		snprintf(err, errlen, "attaching the accept-mode filter: %s", strerror(-rc));
		return rc;
	}
	return 0;
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
	libbpf_set_print(libbpf_log);
	hook_init(&n->hook, ifindex);
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
	return n->hook.ifindex;
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

static void detach(struct bpf_tc_hook *hook)
{
	struct bpf_tc_opts opts;
	opts_init(&opts, -1);
	bpf_tc_detach(hook, &opts);
}

void noaccept_close(struct noaccept *n)
{
	if (!n)
		return;
	if (n->skel) {
		detach(&n->hook);
		/* An empty clsact we made goes too; one that was there stays. */
		if (n->hook_created) {
			n->hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			bpf_tc_hook_destroy(&n->hook);
		}
		vip_noaccept__destroy(n->skel);
	}
	free(n);
}

void noaccept_remove(int ifindex)
{
	struct bpf_tc_hook hook;
	char err[200];
	if (libbpf_load(err, sizeof(err))) {
		log_warn("cleanup: %s", err);
		return;
	}
	libbpf_set_print(libbpf_log);
	hook_init(&hook, ifindex);
	detach(&hook);
}
