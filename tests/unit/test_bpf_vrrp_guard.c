/* The XDP VRRP guard run in the kernel on crafted frames (BPF_PROG_TEST_RUN):
 * what passes to vrrpd and what is dropped, and the counters it keeps.
 * Needs root (CAP_BPF); it fails, never skips, without it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <string.h>
#include <unistd.h>

#include "bpf/vrrp_guard.h"
#include "bpf/vrrp_guard.skel.h"

/* bytes starts 2 bytes into an aligned struct so that the IP header after
 * the 14-byte Ethernet header is 4-byte aligned, as in a real NIC buffer. */
struct frame {
	uint8_t pad[2];
	uint8_t bytes[126];
	uint32_t len;
} __attribute__((aligned(4)));

static struct frame frame4(uint8_t proto, uint8_t ttl, uint8_t ver_type, uint8_t vrid, const char *src)
{
	struct frame f;
	memset(&f, 0, sizeof(f));
	struct ethhdr *eth = (struct ethhdr *)f.bytes;
	eth->h_proto = htons(ETH_P_IP);
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = ttl;
	ip->protocol = proto;
	ip->tot_len = htons(20 + 12);
	inet_pton(AF_INET, src, &ip->saddr);
	inet_pton(AF_INET, "224.0.0.18", &ip->daddr);
	uint8_t *v = (uint8_t *)(ip + 1);
	v[0] = ver_type;
	v[1] = vrid;
	v[2] = 100;
	v[3] = 1;
	f.len = sizeof(*eth) + 20 + 12;
	return f;
}

static struct frame frame6(uint8_t hop, uint8_t vrid)
{
	struct frame f;
	memset(&f, 0, sizeof(f));
	struct ethhdr *eth = (struct ethhdr *)f.bytes;
	eth->h_proto = htons(ETH_P_IPV6);
	struct ipv6hdr *ip6 = (struct ipv6hdr *)(eth + 1);
	ip6->version = 6;
	ip6->nexthdr = 112;
	ip6->hop_limit = hop;
	ip6->payload_len = htons(24);
	inet_pton(AF_INET6, "fe80::1", &ip6->saddr);
	inet_pton(AF_INET6, "ff02::12", &ip6->daddr);
	uint8_t *v = (uint8_t *)(ip6 + 1);
	v[0] = 0x31;
	v[1] = vrid;
	f.len = sizeof(*eth) + sizeof(*ip6) + 24;
	return f;
}

static int run(struct vrrp_guard *skel, struct frame f)
{
	uint8_t out[256];
	struct bpf_test_run_opts opts = {
		.sz = sizeof(opts),
		.data_in = f.bytes,
		.data_size_in = f.len,
		.data_out = out,
		.data_size_out = sizeof(out),
		.repeat = 1,
	};
	int rc = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.vrrp_guard), &opts);
	assert_int_equal(rc, 0);
	return (int)opts.retval;
}

static uint64_t counter(struct vrrp_guard *skel, uint32_t reason)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t vals[ncpu];
	uint64_t sum = 0;
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.counters), &reason, vals), 0);
	for (int i = 0; i < ncpu; i++)
		sum += vals[i];
	return sum;
}

static struct vrrp_guard *load(int peer_filter)
{
	struct vrrp_guard *skel = vrrp_guard__open();
	assert_non_null(skel);
	assert_int_equal(vrrp_guard__load(skel), 0);
	skel->bss->peer_filter = (uint8_t)peer_filter; /* runtime: a reload changes it */
	uint32_t vrid = 51;
	uint8_t one = 1;
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.vrids), &vrid, &one, BPF_ANY), 0);
	return skel;
}

static void test_multicast_mode(void **state)
{
	(void)state;
	assert_int_equal(geteuid(), 0);
	struct vrrp_guard *skel = load(0);

	assert_int_equal(run(skel, frame4(112, 255, 0x31, 51, "198.51.100.12")), XDP_PASS);
	assert_int_equal(run(skel, frame4(112, 64, 0x31, 51, "198.51.100.12")), XDP_DROP);
	assert_int_equal(run(skel, frame4(112, 255, 0x21, 51, "198.51.100.12")), XDP_DROP);
	assert_int_equal(run(skel, frame4(112, 255, 0x32, 51, "198.51.100.12")), XDP_DROP);
	assert_int_equal(run(skel, frame4(112, 255, 0x31, 52, "198.51.100.12")), XDP_DROP);
	assert_int_equal(run(skel, frame4(6, 64, 0, 0, "198.51.100.12")), XDP_PASS); /* TCP: not ours */
	assert_int_equal(run(skel, frame6(255, 51)), XDP_PASS);
	assert_int_equal(run(skel, frame6(1, 51)), XDP_DROP);
	struct frame truncated = frame4(112, 255, 0x31, 51, "198.51.100.12");
	truncated.len = sizeof(struct ethhdr) + 20 + 1;
	assert_int_equal(run(skel, truncated), XDP_DROP);

	assert_int_equal(counter(skel, VRRP_GUARD_PASSED), 2);
	assert_int_equal(counter(skel, VRRP_GUARD_BAD_TTL), 2);
	assert_int_equal(counter(skel, VRRP_GUARD_BAD_VERSION), 2);
	assert_int_equal(counter(skel, VRRP_GUARD_UNKNOWN_VRID), 1);
	assert_int_equal(counter(skel, VRRP_GUARD_TRUNCATED), 1);
	vrrp_guard__destroy(skel);
}

static void test_unicast_peers(void **state)
{
	(void)state;
	struct vrrp_guard *skel = load(1);
	uint32_t peer;
	uint8_t one = 1;
	inet_pton(AF_INET, "198.51.100.12", &peer);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.peers4), &peer, &one, BPF_ANY), 0);

	assert_int_equal(run(skel, frame4(112, 255, 0x31, 51, "198.51.100.12")), XDP_PASS);
	assert_int_equal(run(skel, frame4(112, 255, 0x31, 51, "198.51.100.66")), XDP_DROP);
	assert_int_equal(counter(skel, VRRP_GUARD_NOT_PEER), 1);
	vrrp_guard__destroy(skel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multicast_mode),
		cmocka_unit_test(test_unicast_peers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
