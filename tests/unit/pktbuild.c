/* Frames for the BPF programs' unit tests: see pktbuild.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <netinet/in.h>
#include <string.h>

#include "tests/unit/pktbuild.h"

void pkt_set_ethertype(struct pkt_frame *f, uint16_t ethertype)
{
	uint16_t proto = htons(ethertype);
	memcpy(f->bytes + offsetof(struct ethhdr, h_proto), &proto, sizeof(proto));
}

static void pkt_eth(struct pkt_frame *f, uint16_t ethertype)
{
	memset(f, 0, sizeof(*f));
	pkt_set_ethertype(f, ethertype);
}

size_t pkt_ip4(struct pkt_frame *f, uint8_t proto, uint8_t ttl, const char *src, const char *dst, size_t payload)
{
	struct iphdr ip;
	pkt_eth(f, ETH_P_IP);
	memset(&ip, 0, sizeof(ip));
	ip.version = 4;
	ip.ihl = 5;
	ip.ttl = ttl;
	ip.protocol = proto;
	ip.tot_len = htons((uint16_t)(sizeof(ip) + payload));
	inet_pton(AF_INET, src, &ip.saddr);
	inet_pton(AF_INET, dst, &ip.daddr);
	pkt_ip4_put(f, &ip);
	f->len = (uint32_t)(ETH_HLEN + sizeof(ip) + payload);
	return ETH_HLEN + sizeof(ip);
}

void pkt_ip4_get(const struct pkt_frame *f, struct iphdr *ip)
{
	memcpy(ip, f->bytes + ETH_HLEN, sizeof(*ip));
}

void pkt_ip4_put(struct pkt_frame *f, const struct iphdr *ip)
{
	memcpy(f->bytes + ETH_HLEN, ip, sizeof(*ip));
}

size_t pkt_ip6(struct pkt_frame *f, uint8_t nexthdr, uint8_t hop, const char *src, const char *dst, size_t payload)
{
	struct ipv6hdr ip6;
	pkt_eth(f, ETH_P_IPV6);
	memset(&ip6, 0, sizeof(ip6));
	ip6.version = 6;
	ip6.nexthdr = nexthdr;
	ip6.hop_limit = hop;
	ip6.payload_len = htons((uint16_t)payload);
	inet_pton(AF_INET6, src, &ip6.saddr);
	inet_pton(AF_INET6, dst, &ip6.daddr);
	memcpy(f->bytes + ETH_HLEN, &ip6, sizeof(ip6));
	f->len = (uint32_t)(ETH_HLEN + sizeof(ip6) + payload);
	return ETH_HLEN + sizeof(ip6);
}

size_t pkt_ip6_chain(struct pkt_frame *f, const uint8_t *chain, size_t n, uint16_t frag_off, size_t l4len)
{
	size_t off = ETH_HLEN + sizeof(struct ipv6hdr);
	f->bytes[ETH_HLEN + offsetof(struct ipv6hdr, nexthdr)] = chain[0];
	for (size_t i = 0; i + 1 < n; i++) {
		uint8_t *h = f->bytes + off;
		h[0] = chain[i + 1];
		if (chain[i] == IPPROTO_FRAGMENT) {
			h[2] = (uint8_t)(frag_off >> 5);
			h[3] = (uint8_t)(frag_off << 3);
			off += 8;
		} else if (chain[i] == IPPROTO_AH) {
			h[1] = 2; /* (2 + 2) * 4 = 16 bytes */
			off += 16;
		} else {
			off += 8; /* hdr ext len 0 */
		}
		assert_true(off + l4len <= sizeof(f->bytes));
	}
	f->len = (uint32_t)(off + l4len);
	uint16_t plen = htons((uint16_t)(f->len - ETH_HLEN - sizeof(struct ipv6hdr)));
	memcpy(f->bytes + ETH_HLEN + offsetof(struct ipv6hdr, payload_len), &plen, sizeof(plen));
	return off;
}

int pkt_run(int prog_fd, const struct pkt_frame *f)
{
	uint8_t out[256];
	struct bpf_test_run_opts opts;
	memset(&opts, 0, sizeof(opts));
	opts.sz = sizeof(opts);
	opts.data_in = f->bytes;
	opts.data_size_in = f->len;
	opts.data_out = out;
	opts.data_size_out = sizeof(out);
	opts.repeat = 1;
	assert_int_equal(bpf_prog_test_run_opts(prog_fd, &opts), 0);
	return (int)opts.retval;
}
