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
#include "tests/unit/pktbuild.h"

static struct pkt_frame frame4(uint8_t proto, uint8_t ttl, uint8_t ver_type, uint8_t vrid, const char *src)
{
	struct pkt_frame f;
	uint8_t *v = f.bytes + pkt_ip4(&f, proto, ttl, src, "224.0.0.18", 12);
	v[0] = ver_type;
	v[1] = vrid;
	v[2] = 100;
	v[3] = 1;
	return f;
}

static struct pkt_frame frame6(uint8_t hop, uint8_t vrid)
{
	struct pkt_frame f;
	uint8_t *v = f.bytes + pkt_ip6(&f, 112, hop, "fe80::1", "ff02::12", 24);
	v[0] = 0x31;
	v[1] = vrid;
	return f;
}

static int run(struct vrrp_guard *skel, struct pkt_frame f)
{
	return pkt_run(bpf_program__fd(skel->progs.vrrp_guard), &f);
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
	struct pkt_frame truncated = frame4(112, 255, 0x31, 51, "198.51.100.12");
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
