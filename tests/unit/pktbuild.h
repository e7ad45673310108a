/* tests/unit/pktbuild.h: what the unit tests of the BPF programs share
 * (test_bpf_vrrp_guard.c, test_bpf_vip_noaccept.c, test_bpf_vip_synhold.c):
 * crafted Ethernet frames and one run of a program on one of them in the
 * kernel (BPF_PROG_TEST_RUN).  Headers are written with memcpy from local
 * structs: gcc -O2 dropped stores made through a header pointer cast into
 * the byte buffer (strict aliasing).  Linked into the unit tests through
 * libunithelp.a (tests/module.mk). */
#ifndef TESTS_UNIT_PKTBUILD_H
#define TESTS_UNIT_PKTBUILD_H

#include <stddef.h>
#include <stdint.h>

struct iphdr;

/* bytes starts 2 bytes into an aligned struct so that the IP header after
 * the 14-byte Ethernet header is 4-byte aligned, as in a real NIC buffer. */
struct pkt_frame {
	uint8_t pad[2];
	uint8_t bytes[254];
	uint32_t len;
} __attribute__((aligned(4)));

/* A frame of Ethernet (IPv4) and an IPv4 header (20 bytes, ttl, proto) from
 * src to dst, followed by payload bytes of zeros; the payload's offset. */
size_t pkt_ip4(struct pkt_frame *f, uint8_t proto, uint8_t ttl, const char *src, const char *dst, size_t payload);
/* That IPv4 header copied out of the frame and back in, for a test that
 * changes one of its fields in between. */
void pkt_ip4_get(const struct pkt_frame *f, struct iphdr *ip);
void pkt_ip4_put(struct pkt_frame *f, const struct iphdr *ip);
/* The same over IPv6: next header nexthdr, hop limit hop. */
size_t pkt_ip6(struct pkt_frame *f, uint8_t nexthdr, uint8_t hop, const char *src, const char *dst, size_t payload);
/* After pkt_ip6: the headers after the fixed one become chain[0..n-1]
 * (extension headers, each of its smallest size; frag_off the fragment
 * header's offset field, in 8-byte units) and an upper layer header of
 * l4len zero bytes, whose offset is returned.  The frame ends there. */
size_t pkt_ip6_chain(struct pkt_frame *f, const uint8_t *chain, size_t n, uint16_t frag_off, size_t l4len);
void pkt_set_ethertype(struct pkt_frame *f, uint16_t ethertype);
/* The program's return value for the frame; the test fails if it cannot run. */
int pkt_run(int prog_fd, const struct pkt_frame *f);

/* An extension header chain as pkt_ip6_chain takes it: PKT_CHAIN(DST, TCP). */
#define PKT_CHAIN(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

#endif
