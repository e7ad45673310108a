/* vip: virtual addresses added to and removed from an interface over
 * rtnetlink (libmnl).  Every address vrrpd adds carries its mark, the
 * address protocol VIP_ADDR_PROTO (IFA_PROTO, Linux 5.18), and vrrpd removes
 * only addresses that carry it: an address that was there before (the
 * interface's own address, when an address owner's VIP is that address, or
 * one an operator added) is never added over, changed or removed.  While running, requests are sent without
 * waiting: acknowledgements and errors are read on the daemon's loop, so a
 * slow kernel never delays a protocol timer.  At start-up and for
 * `vrrpd --cleanup` the removal is synchronous. */
#ifndef VRRPD_VIP_H
#define VRRPD_VIP_H

#include <stddef.h>
#include <stdint.h>

/* 112, VRRP's IP protocol number: the mark is a value no kernel or routing
 * daemon uses for addresses (the kernel's are 1 to 3). */
#define VIP_ADDR_PROTO 112

struct ev_loop;
struct vip_conf;
struct vip_nl;

/* Called on the loop when the kernel refused a change that vip_set()
 * queued for `owner`, about its address number `index` (error is -errno);
 * and with error 0 when an add created the address (so the owner knows it
 * is its own even where the kernel keeps no IFA_PROTO, before Linux 5.18).
 * -ENOBUFS: the answer was lost (the socket overran); what the kernel did
 * must be read back. */
typedef void (*vip_refused_fn)(void *owner, int index, int on, int error);

struct vip_nl *vip_nl_open(struct ev_loop *loop, vip_refused_fn refused, char *err, size_t errlen);
void vip_nl_close(struct vip_nl *n);

/* Queue an add (on = 1) or delete of one address, the owner's number
 * index.  An add never replaces an address that is there (EEXIST is no
 * error); a delete removes whatever has that address: call it only for
 * addresses vip_lookup() said are ours.  0 or -errno. */
int vip_set(struct vip_nl *n, int ifindex, const struct vip_conf *v, int on, void *owner, int index);
/* Read the answers the kernel has queued so far, now (it answers a
 * request before vip_set() returns, so every earlier change is answered). */
void vip_flush(struct vip_nl *n);
/* The owner goes away: answers still to come are no longer its. */
void vip_forget(struct vip_nl *n, const void *owner);
/* Errors reported by the kernel so far (each is logged). */
uint64_t vip_errors(const struct vip_nl *n);

/* What interface ifindex has of the n addresses v: state[i] is one of
 * these.  0 or -errno. */
enum vip_presence { VIP_ABSENT, VIP_OURS, VIP_FOREIGN };
int vip_lookup(int ifindex, const struct vip_conf *v, int n, enum vip_presence *state);

/* Remove those of the addresses that are there with vrrpd's mark (a
 * crashed vrrpd's); returns how many were removed, or -errno. */
int vip_remove_sync(int ifindex, const struct vip_conf *v, int n);

#endif
