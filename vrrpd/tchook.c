#include "tchook.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libbpf_dl.h"

static void hook_init(struct bpf_tc_hook *h, int ifindex)
{
	memset(h, 0, sizeof(*h)); /* padding too: libbpf checks it */
	h->sz = sizeof(*h);
	h->ifindex = ifindex;
	h->attach_point = BPF_TC_INGRESS;
}

static void opts_init(struct bpf_tc_opts *o, uint32_t handle, uint32_t prio, int prog_fd)
{
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	o->handle = handle;
	o->priority = prio;
	if (prog_fd >= 0) {
		o->prog_fd = prog_fd;
		o->flags = BPF_TC_F_REPLACE;
	}
}

void tchook_init(struct tchook *t, int ifindex, uint32_t handle, uint32_t prio)
{
	hook_init(&t->hook, ifindex);
	t->handle = handle;
	t->prio = prio;
	t->created = 0;
}

/* The interface's clsact hook and our filter on it. */
int tchook_attach(struct tchook *t, int ifindex, int prog_fd, const char *what, char *err, size_t errlen)
{
	hook_init(&t->hook, ifindex);
	int rc = bpf_tc_hook_create(&t->hook);
	if (rc && rc != -EEXIST) {
		snprintf(err, errlen, "tc ingress hook: %s", strerror(-rc));
		return rc;
	}
	t->created = rc == 0;
	struct bpf_tc_opts opts;
	opts_init(&opts, t->handle, t->prio, prog_fd);
	if ((rc = bpf_tc_attach(&t->hook, &opts))) {
		snprintf(err, errlen, "attaching %s: %s", what, strerror(-rc));
		return rc;
	}
	return 0;
}

static void detach(struct bpf_tc_hook *hook, uint32_t handle, uint32_t prio)
{
	struct bpf_tc_opts opts;
	opts_init(&opts, handle, prio, -1);
	bpf_tc_detach(hook, &opts);
}

void tchook_detach(struct tchook *t)
{
	detach(&t->hook, t->handle, t->prio);
	/* An empty clsact we made goes too; one that was there stays. */
	if (t->created) {
		t->hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&t->hook);
		t->created = 0;
	}
}

void tchook_remove(int ifindex, uint32_t handle, uint32_t prio)
{
	struct bpf_tc_hook hook;
	hook_init(&hook, ifindex);
	detach(&hook, handle, prio);
}
