/* tchook: one BPF program of ours as a filter on an interface's tc ingress
 * hook, under a handle and priority of its own among the interface's
 * filters (the accept-mode filter and the syn-hold filter each have theirs).
 * Attaching replaces a filter left under the same handle and priority (by a
 * vrrpd that died); detaching removes it, and the clsact hook too when we
 * created it.  The caller owns the program and its maps. */
#ifndef VRRPD_TCHOOK_H
#define VRRPD_TCHOOK_H

#include <bpf/libbpf.h>
#include <stddef.h>
#include <stdint.h>

struct tchook {
	struct bpf_tc_hook hook; /* hook.ifindex: where it is (to be) attached */
	uint32_t handle;
	uint32_t prio;
	int created; /* the clsact hook was made by us */
};

void tchook_init(struct tchook *t, int ifindex, uint32_t handle, uint32_t prio);
/* 0, or a negative errno with err filled ("<what>: <reason>"). */
int tchook_attach(struct tchook *t, int ifindex, int prog_fd, const char *what, char *err, size_t errlen);
void tchook_detach(struct tchook *t);
/* A filter of ours a previous vrrpd left on ifindex goes (libbpf loaded). */
void tchook_remove(int ifindex, uint32_t handle, uint32_t prio);

#endif
