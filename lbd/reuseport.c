/* reuseport: SK_REUSEPORT steering of each bind address (see reuseport.h). */
#include "reuseport.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "bpf/lbd_reuseport.h"
#include "bpf/lbd_reuseport.skel.h"
#include "handover.h"
#include "log.h"

#ifndef SO_ATTACH_REUSEPORT_EBPF
#define SO_ATTACH_REUSEPORT_EBPF 52
#endif

struct group {
	struct addr addr;
	struct lbd_reuseport *skel;
	int seen;                   /* in the list being synced */
};

struct reuseport {
	struct group *g;
	int n;
};

/* libbpf's messages at debug level: lbd reports what failed itself. */
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

static int same_addr(const struct addr *a, const struct addr *b)
{
	return addr_equal_ip(a, b) && addr_port(a) == addr_port(b);
}

struct reuseport *reuseport_new(char *err, size_t errlen)
{
	libbpf_set_print(libbpf_log);
	struct lbd_reuseport *probe = lbd_reuseport__open_and_load();
	if (!probe) {
		int e = errno;
		snprintf(err, errlen, "cannot load the SK_REUSEPORT program: %s%s", strerror(e),
			 e == EPERM ? " (no CAP_BPF)" : "");
		return NULL;
	}
	lbd_reuseport__destroy(probe);
	struct reuseport *r = calloc(1, sizeof(*r));
	if (!r)
		snprintf(err, errlen, "out of memory");
	return r;
}

static void group_drop(struct group *g)
{
	lbd_reuseport__destroy(g->skel);
	g->skel = NULL;
}

/* Fill the group's socket array with its sockets among `s`, then attach. */
static int group_fill(struct group *g, const struct handover_sock *s, int n, char *err, size_t errlen)
{
	char as[ADDR_STRLEN];
	uint32_t k = 0;
	int first = -1;
	for (int i = 0; i < n && k < LBD_REUSEPORT_MAX; i++) {
		if (!same_addr(&s[i].addr, &g->addr))
			continue;
		uint64_t fd = (uint64_t)s[i].fd;
		if (bpf_map__update_elem(g->skel->maps.socks, &k, sizeof(k), &fd, sizeof(fd), BPF_ANY)) {
			snprintf(err, errlen, "%s: socket array: %s", addr_format(&g->addr, as, sizeof(as)),
				 strerror(errno));
			return -errno;
		}
		if (first < 0)
			first = s[i].fd;
		k++;
	}
	/* Entries past k belong to sockets gone (the kernel empties an entry
	 * when its socket closes); nsocks bounds the choice. */
	g->skel->bss->nsocks = k;
	if (first < 0)
		return 0;
	int prog = bpf_program__fd(g->skel->progs.lbd_select);
	if (setsockopt(first, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &prog, sizeof(prog))) {
		snprintf(err, errlen, "%s: attaching the SK_REUSEPORT program: %s", addr_format(&g->addr, as, sizeof(as)),
			 strerror(errno));
		return -errno;
	}
	return 0;
}

int reuseport_sync(struct reuseport *r, const struct handover_sock *s, int n, char *err, size_t errlen)
{
	for (int j = 0; j < r->n; j++)
		r->g[j].seen = 0;
	for (int i = 0; i < n; i++) {
		struct group *g = NULL;
		for (int j = 0; j < r->n && !g; j++)
			if (same_addr(&r->g[j].addr, &s[i].addr))
				g = &r->g[j];
		if (!g) {
			struct group *arr = realloc(r->g, (size_t)(r->n + 1) * sizeof(*arr));
			if (!arr) {
				snprintf(err, errlen, "out of memory");
				return -ENOMEM;
			}
			r->g = arr;
			g = &arr[r->n];
			memset(g, 0, sizeof(*g));
			g->addr = s[i].addr;
			if (!(g->skel = lbd_reuseport__open_and_load())) {
				snprintf(err, errlen, "loading the SK_REUSEPORT program: %s", strerror(errno));
				return -errno;
			}
			r->n++;
		}
		if (g->seen)
			continue;
		g->seen = 1;
		int rc = group_fill(g, s, n, err, errlen);
		if (rc)
			return rc;
	}
	int j = 0;
	for (int i = 0; i < r->n; i++) {
		if (!r->g[i].seen) {
			group_drop(&r->g[i]);
			continue;
		}
		r->g[j++] = r->g[i];
	}
	r->n = j;
	return 0;
}

uint64_t reuseport_migrated(const struct reuseport *r)
{
	uint64_t n = 0;
	for (int i = 0; r && i < r->n; i++)
		n += r->g[i].skel->bss->migrated;
	return n;
}

void reuseport_free(struct reuseport *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->n; i++)
		group_drop(&r->g[i]);
	free(r->g);
	free(r);
}
