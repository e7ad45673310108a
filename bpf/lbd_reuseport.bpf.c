// SPDX-License-Identifier: GPL-2.0
/* lbd_reuseport: SK_REUSEPORT program of one bind address of lbd.
 *
 * Every lbd process that listens on an address (one SO_REUSEPORT socket per
 * worker) loads its own copy, fills `socks` with its sockets and attaches
 * it to the address's reuseport group, replacing its predecessor's: from
 * then on a new connection goes to the newest generation of listeners,
 * hashed over its workers, even while the old process's sockets are still
 * in the group.  The program is attached for select-or-migrate: when the
 * old process stops listening, the kernel runs it again for every
 * connection waiting in the old sockets' accept queues (migrating_sk set)
 * and moves them to the socket it picks, instead of resetting them.
 * When no socket can be picked, SK_PASS lets the kernel choose by hash
 * (it never drops). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "lbd_reuseport.h"

struct {
	__uint(type, BPF_MAP_TYPE_REUSEPORT_SOCKARRAY);
	__uint(max_entries, LBD_REUSEPORT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} socks SEC(".maps");

/* How many entries of `socks` are in use (0..nsocks-1); set by lbd. */
__u32 nsocks = 0;
/* Connections migrated from a closed listener (read by the tests). */
__u64 migrated = 0;

SEC("sk_reuseport/migrate")
int lbd_select(struct sk_reuseport_md *md)
{
	__u32 n = nsocks;
	if (n == 0 || n > LBD_REUSEPORT_MAX)
		return SK_PASS;
	__u32 key = md->hash % n;
	if (bpf_sk_select_reuseport(md, &socks, &key, 0) == 0 && md->migrating_sk)
		__sync_fetch_and_add(&migrated, 1);
	return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
