/* Unit tests of vrrpd's configuration (vrrpd/config.c): defaults, every
 * keyword, and the exact file:line:col message of each refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "tests/unit/conftest.h"
#include "vrrpd/config.h"

#define MIN_INST "instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24; }\n"

static void test_defaults(void **state)
{
	(void)state;
	struct vrrpd_config *c = conftest_vrrpd_ok(MIN_INST);
	assert_int_equal(c->ninst, 1);
	const struct instance_conf *in = &c->inst[0];
	assert_string_equal(in->name, "a");
	assert_string_equal(in->ifname, "eth0");
	assert_int_equal(in->family, AF_INET);
	assert_int_equal(in->vrid, 51);
	assert_int_equal(in->priority, 100);
	assert_int_equal(in->advert_cs, 100);
	assert_int_equal(in->preempt, 1);
	assert_int_equal(in->accept, 1); /* as keepalived without vrrp_strict */
	assert_int_equal(in->checksum, CONFIG_CSUM_RFC5798);
	assert_int_equal(in->garp.count, 5);
	assert_int_equal(in->garp.repeat_ms, 5000);
	assert_int_equal(in->npeers, 0);
	assert_int_equal(in->nvips, 1);
	assert_int_equal(in->vips[0].prefixlen, 24);
	assert_string_equal(c->global.control, CONFIG_DEFAULT_CONTROL);
	assert_int_equal(c->global.mlock, 1);
	assert_int_equal(c->global.xdp_guard, 1); /* on by default */
	assert_int_equal(c->global.rt_priority, 0);
	assert_int_equal(vrrpd_config_find_instance(c, "a"), 0);
	assert_int_equal(vrrpd_config_find_instance(c, "b"), -1);
	vrrpd_config_free(c);
}

static void test_full(void **state)
{
	(void)state;
	struct vrrpd_config *c = conftest_vrrpd_ok(
		"global { control /tmp/v.sock; realtime-priority 10; mlock off; xdp-guard off; notify \"/bin/n x\"; }\n"
		"instance VI_51 {\n"
		"  interface vrrp0; vrid 51; priority 90; advert 100ms;\n"
		"  virtual-address 198.51.100.100/24 label vrrp0:vip;\n"
		"  virtual-address 198.51.100.101;\n"
		"  unicast-source 198.51.100.12; unicast-peer 198.51.100.11; unicast-peer 198.51.100.13;\n"
		"  preempt; preempt-delay 2s; accept off; checksum rfc9568;\n"
		"  garp { count 3; interval 10ms; repeat 0s; refresh 60s; }\n"
		"  track lbd weight -20; track up fault; notify /bin/true;\n"
		"}\n"
		"track lbd { http 127.0.0.1:8404 /healthz; status 200; interval 500ms; timeout 200ms; rise 3; fall 1; }\n"
		"track up { interface vrrp0; }\n"
		"instance six { interface vrrp0; vrid 51; virtual-address 2001:db8::100/64; advert 40.95s; }\n");
	assert_string_equal(c->global.control, "/tmp/v.sock");
	assert_int_equal(c->global.rt_priority, 10);
	assert_int_equal(c->global.mlock, 0);
	assert_int_equal(c->global.xdp_guard, 0);
	assert_string_equal(c->global.notify, "/bin/n x");
	const struct instance_conf *in = &c->inst[0];
	assert_int_equal(in->priority, 90);
	assert_int_equal(in->advert_cs, 10);
	assert_int_equal(in->nvips, 2);
	assert_string_equal(in->vips[0].label, "vrrp0:vip");
	assert_int_equal(in->vips[1].prefixlen, 32);
	assert_int_equal(in->unicast_src.ss.ss_family, AF_INET);
	assert_int_equal(in->npeers, 2);
	assert_int_equal(in->preempt_delay_ms, 2000);
	assert_int_equal(in->accept, 0);
	assert_int_equal(in->checksum, CONFIG_CSUM_RFC9568);
	assert_int_equal(in->garp.count, 3);
	assert_int_equal(in->garp.interval_ms, 10);
	assert_int_equal(in->garp.repeat_ms, 0);
	assert_int_equal(in->garp.refresh_ms, 60000);
	assert_int_equal(in->ntracks, 2);
	assert_int_equal(in->tracks[0].track, 0);
	assert_int_equal(in->tracks[0].weight, -20);
	assert_int_equal(in->tracks[1].track, 1);
	assert_int_equal(in->tracks[1].weight, 0);
	assert_string_equal(in->notify, "/bin/true");
	assert_int_equal(c->ntracks, 2);
	assert_int_equal(c->tracks[0].kind, TRACK_HTTP);
	assert_string_equal(c->tracks[0].http_path, "/healthz");
	assert_int_equal(c->tracks[0].http_status, 200);
	assert_int_equal(c->tracks[0].interval_ms, 500);
	assert_int_equal(c->tracks[0].rise, 3);
	assert_int_equal(c->tracks[0].fast_interval_ms, 500); /* the interval when not given */
	assert_int_equal(c->tracks[0].refused_down, 0);
	assert_int_equal(c->tracks[1].kind, TRACK_INTERFACE);
	assert_int_equal(c->inst[1].family, AF_INET6);
	assert_int_equal(c->inst[1].advert_cs, 4095);
	vrrpd_config_free(c);
}

static void test_examples_load(void **state)
{
	(void)state;
	const char *files[] = { "configs/node1/vrrpd.conf", "configs/node2/vrrpd.conf" };
	for (size_t i = 0; i < 2; i++) {
		struct vrrpd_config *c = NULL;
		char err[512] = "";
		if (vrrpd_config_load(files[i], &c, err, sizeof(err)))
			fail_msg("%s", err);
		assert_int_equal(c->inst[0].vrid, 51);
		assert_int_equal(c->inst[0].priority, i == 0 ? 100 : 90);
		assert_int_equal(c->inst[0].advert_cs, 100);
		/* The shipped lbd track finds a dead or wedged lbd within its
		 * interval + 0.5 s (issue 18's target is Skew_Time + one health
		 * interval + 0.5 s): interval + fall x timeout + (fall - 1) x
		 * fast-interval, with some room left for the loop and the probe. */
		assert_int_equal(c->ntracks, 1);
		const struct track_conf *t = &c->tracks[0];
		assert_true(t->fall * t->timeout_ms + (t->fall - 1) * t->fast_interval_ms <= 450);
		vrrpd_config_free(c);
	}
}

static void test_track_fast(void **state)
{
	(void)state;
	struct vrrpd_config *c = conftest_vrrpd_ok(MIN_INST
		"track t { http 127.0.0.1:8405; interval 1s; timeout 200ms; fast-interval 50ms; on-refused down; }\n"
		"track u { http 127.0.0.1:8406; fast-interval 0ms; on-refused fall; }\n");
	assert_int_equal(c->tracks[0].fast_interval_ms, 50);
	assert_int_equal(c->tracks[0].refused_down, 1);
	assert_int_equal(c->tracks[1].fast_interval_ms, 0); /* at once */
	assert_int_equal(c->tracks[1].refused_down, 0);
	vrrpd_config_free(c);
}

static void test_errors(void **state)
{
	(void)state;
	conftest_vrrpd_error("", "t.conf:1:1: expected at least one 'instance NAME { ... }' block");
	conftest_vrrpd_error("instance a { vrid 51; virtual-address 198.51.100.1; }",
			     "t.conf:1:1: expected 'interface NAME' in instance 'a'");
	conftest_vrrpd_error("instance a { interface e; virtual-address 198.51.100.1; }",
			     "t.conf:1:1: expected 'vrid 1-255' in instance 'a'");
	conftest_vrrpd_error("instance a { interface e; vrid 1; }",
			     "t.conf:1:1: expected at least one 'virtual-address' in instance 'a'");
	conftest_vrrpd_error("instance a { interface e; vrid 256; }",
			     "t.conf:1:32: expected a whole number from 1 to 255, got '256'");
	conftest_vrrpd_error("instance a { priority 0; }",
			     "t.conf:1:23: expected a whole number from 1 to 255, got '0'");
	conftest_vrrpd_error("instance a { advert 5ms; }",
			     "t.conf:1:21: expected a duration from 10ms to 40950ms, got '5ms'");
	conftest_vrrpd_error("instance a { advert 41s; }",
			     "t.conf:1:21: expected a duration from 10ms to 40950ms, got '41s'");
	conftest_vrrpd_error("instance a { advert 15ms; }",
			     "t.conf:1:21: expected a whole number of centiseconds (VRRPv3 unit), got '15ms'");
	conftest_vrrpd_error("instance a { advert 1; }",
			     "t.conf:1:21: expected a duration like 250ms, 2s, 1.5s or 1m, got '1'");
	conftest_vrrpd_error("instance a { virtual-address 198.51.100.1/24; virtual-address 2001:db8::1; }",
			     "t.conf:1:63: expected an IPv4 address like the others of this instance (one family per instance)");
	conftest_vrrpd_error("instance a { virtual-address 198.51.100.1 lable x; }",
			     "t.conf:1:43: expected 'virtual-address PREFIX [label NAME]'");
	conftest_vrrpd_error("instance a { virtual-address 2001:db8::1 label x; }",
			     "t.conf:1:42: expected no label on an IPv6 address (labels are IPv4 only)");
	conftest_vrrpd_error("instance a { virtual-address 198.51.100.1; virtual-address 198.51.100.1/24; }",
			     "t.conf:1:60: expected each virtual address once, '198.51.100.1/24' repeats");
	conftest_vrrpd_error("instance a { checksum rfc1234; }",
			     "t.conf:1:23: expected one of rfc5798, rfc9568, got 'rfc1234'");
	conftest_vrrpd_error("instance a { unicast-peer 198.51.100.1:80; }",
			     "t.conf:1:27: expected an IP address, got '198.51.100.1:80'");
	conftest_vrrpd_error("instance a { interface e; vrid 1; virtual-address 198.51.100.1; unicast-source 198.51.100.2; }",
			     "t.conf:1:1: expected 'unicast-peer' in instance 'a' (unicast-source is set)");
	conftest_vrrpd_error("instance a { interface e; vrid 1; virtual-address 198.51.100.1; preempt off; preempt-delay 1s; }",
			     "t.conf:1:1: expected no preempt-delay in instance 'a' (preempt is off)");
	conftest_vrrpd_error("instance a { track x weight 0; }",
			     "t.conf:1:29: expected a weight from -254 to 254 other than 0 (use 'fault'), got '0'");
	conftest_vrrpd_error("instance a { track x heavy; }",
			     "t.conf:1:22: expected 'track NAME [weight N | fault]'");
	conftest_vrrpd_error(MIN_INST "instance b { interface eth0; vrid 51; virtual-address 198.51.100.1; }",
			     "t.conf:2:10: expected a unique (interface, vrid, family): instance 'a' already uses vrid 51 on eth0");
	conftest_vrrpd_error(MIN_INST "instance a { }",
			     "t.conf:2:10: duplicate instance 'a' (first at t.conf:1), expected a unique name");
	conftest_vrrpd_error("instance a { interface e; vrid 1; virtual-address 198.51.100.1; track nope; }",
			     "t.conf:1:71: expected the name of a 'track NAME { }' block, 'nope' is not defined");
	conftest_vrrpd_error("track t { interval 1s; }",
			     "t.conf:1:1: expected one of http, script, file or interface in track 't'");
	conftest_vrrpd_error("track t { file /a; script /b; }",
			     "t.conf:1:20: expected one check per track block (http, script, file or interface)");
	conftest_vrrpd_error("track t { http 127.0.0.1:80 healthz; }",
			     "t.conf:1:29: expected a path starting with '/', got 'healthz'");
	conftest_vrrpd_error("track t { http 127.0.0.1; }",
			     "t.conf:1:16: expected an address like 192.0.2.1:80 or [2001:db8::1]:80, got '127.0.0.1'");
	conftest_vrrpd_error("track t { file /a; status 200; }", "t.conf:1:1: expected 'status' only in an http track");
	conftest_vrrpd_error("track t { file /a; interval 1s; timeout 2s; }",
			     "t.conf:1:1: expected timeout (2000ms) at most interval (1000ms)");
	conftest_vrrpd_error("track t { file /a; interval 1s; fast-interval 2s; }",
			     "t.conf:1:1: expected fast-interval (2000ms) at most interval (1000ms)");
	conftest_vrrpd_error("track t { file /a; fast-interval soon; }",
			     "t.conf:1:34: expected a duration like 250ms, 2s, 1.5s or 1m, got 'soon'");
	conftest_vrrpd_error("track t { http 127.0.0.1:80; on-refused maybe; }",
			     "t.conf:1:41: expected one of fall, down, got 'maybe'");
	conftest_vrrpd_error("track t { file /a; on-refused down; }",
			     "t.conf:1:1: expected 'on-refused' only in an http track");
	conftest_vrrpd_error("global { control run/x.sock; }",
			     "t.conf:1:18: expected an absolute path for the control socket");
	conftest_vrrpd_error("global { realtime-priority 100; }",
			     "t.conf:1:28: expected a whole number from 0 to 99, got '100'");
	conftest_vrrpd_error("global { bogus 1; }",
			     "t.conf:1:10: unknown keyword 'bogus', expected one of: control, realtime-priority, mlock, xdp-guard, notify, "
			     "notify-timeout, lbd-control, handover-timeout");
	conftest_vrrpd_error("global { lbd-control run/lbd.sock; }",
			     "t.conf:1:22: expected an absolute path for lbd's control socket");
	conftest_vrrpd_error("global { handover-timeout 10ms; }",
			     "t.conf:1:27: expected a duration from 100ms to 10m, got '10ms'");
	conftest_vrrpd_error("global { xdp-guard maybe; }",
			     "t.conf:1:20: expected one of off, on, no, yes, false, true, got 'maybe'");
	conftest_vrrpd_error("global { notify-timeout 10ms; }",
			     "t.conf:1:25: expected a duration from 100ms to 1h, got '10ms'");
	conftest_vrrpd_error("instance a { garp { count 1000; } }",
			     "t.conf:1:27: expected a whole number from 0 to 100, got '1000'");
	conftest_vrrpd_error("instance a { garp { refresh 10ms; } }",
			     "t.conf:1:29: expected 0 (off) or at least 1s, got '10ms'");
}

static void test_vmac(void **state)
{
	(void)state;
	struct vrrpd_config *c = conftest_vrrpd_ok(MIN_INST);
	assert_int_equal(c->inst[0].vmac, 0);
	vrrpd_config_free(c);
	c = conftest_vrrpd_ok("instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24; vmac on; }\n"
			      "instance b { interface eth1; vrid 51; virtual-address 198.51.100.101/24; vmac on lan51; }\n"
			      "instance c { interface eth0; vrid 52; virtual-address 198.51.100.102/24; vmac; }\n");
	assert_int_equal(c->inst[0].vmac, 1);
	assert_string_equal(c->inst[0].vmac_ifname, "vrrp.51");
	assert_string_equal(c->inst[1].vmac_ifname, "lan51");
	assert_int_equal(c->inst[2].vmac, 1);
	assert_string_equal(c->inst[2].vmac_ifname, "vrrp.52");
	vrrpd_config_free(c);
	conftest_vrrpd_error("instance a { interface eth0; vrid 51; virtual-address 2001:db8::100/64; vmac on; }\n",
			     "t.conf:1:1: expected no vmac in IPv6 instance 'a' (virtual MACs are for IPv4 only so far)");
	conftest_vrrpd_error("instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24; vmac off x; }\n",
			     "t.conf:1:83: expected no interface name after 'vmac off'");
	conftest_vrrpd_error("instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24; vmac on; }\n"
			     "instance b { interface eth1; vrid 51; virtual-address 198.51.100.101/24; vmac on; }\n",
			     "t.conf:2:10: expected a unique vmac interface: instance 'a' already uses vrrp.51 (name it: vmac on NAME)");
}

/* syn-hold: off by default; on with or without ports (none: every port). */
static void test_syn_hold(void **state)
{
	(void)state;
	struct vrrpd_config *c = conftest_vrrpd_ok(MIN_INST);
	assert_int_equal(c->inst[0].syn_hold, 0);
	assert_int_equal(c->inst[0].nsyn_hold_ports, 0);
	vrrpd_config_free(c);
	c = conftest_vrrpd_ok("instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24; syn-hold on;\n"
			      "  syn-hold-ports 4318 9192 65535; }\n"
			      "instance b { interface eth0; vrid 52; virtual-address 2001:db8::100/64; syn-hold; }\n"
			      "instance c { interface eth0; vrid 53; virtual-address 198.51.100.101/24; syn-hold off;\n"
			      "  syn-hold-ports 1; }\n");
	assert_int_equal(c->inst[0].syn_hold, 1);
	assert_int_equal(c->inst[0].nsyn_hold_ports, 3);
	assert_int_equal(c->inst[0].syn_hold_ports[0], 4318);
	assert_int_equal(c->inst[0].syn_hold_ports[1], 9192);
	assert_int_equal(c->inst[0].syn_hold_ports[2], 65535);
	assert_int_equal(c->inst[1].syn_hold, 1);
	assert_int_equal(c->inst[1].nsyn_hold_ports, 0);
	assert_int_equal(c->inst[2].syn_hold, 0); /* ports kept for when it is turned on */
	assert_int_equal(c->inst[2].nsyn_hold_ports, 1);
	vrrpd_config_free(c);
#define SH_INST "instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24;\n"
	conftest_vrrpd_error(SH_INST "  syn-hold maybe; }", "t.conf:2:12: expected one of off, on, no, yes, false, true, got 'maybe'");
	conftest_vrrpd_error(SH_INST "  syn-hold on; syn-hold-ports 4318 0; }",
			     "t.conf:2:36: expected a whole number from 1 to 65535, got '0'");
	conftest_vrrpd_error(SH_INST "  syn-hold on; syn-hold-ports 65536; }",
			     "t.conf:2:31: expected a whole number from 1 to 65535, got '65536'");
	conftest_vrrpd_error(SH_INST "  syn-hold on; syn-hold-ports http; }",
			     "t.conf:2:31: expected a whole number from 1 to 65535, got 'http'");
	conftest_vrrpd_error(SH_INST "  syn-hold on; syn-hold-ports 4318 9192 4318; }",
			     "t.conf:2:41: expected each port once, got 4318 again");
	conftest_vrrpd_error(SH_INST "  syn-hold-ports; }", "t.conf:2:3: expected 'syn-hold-ports PORT...'");
	conftest_vrrpd_error(SH_INST "  syn-hold-ports 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17; }",
			     "t.conf:2:57: expected at most 16 ports");
	conftest_vrrpd_error(SH_INST "  syn-hold on; syn-hold off; }",
			     "t.conf:2:16: duplicate 'syn-hold' (first at t.conf:2), expected it once per block");
	conftest_vrrpd_error(SH_INST "  syn-hold on; accept off; }",
			     "t.conf:1:1: expected accept on with syn-hold in instance 'a' (accept off drops all TCP to the addresses)");
#undef SH_INST
}

/* What parsing `text` logs (stderr), in out. */
static void parse_logged(const char *text, char *out, size_t cap)
{
	FILE *f = tmpfile();
	assert_non_null(f);
	int saved = dup(2);
	assert_true(saved >= 0);
	log_init("test", 1, LOG_WARNING);
	assert_true(dup2(fileno(f), 2) >= 0);
	struct vrrpd_config *c = conftest_vrrpd_ok(text);
	assert_true(dup2(saved, 2) >= 0);
	close(saved);
	vrrpd_config_free(c);
	rewind(f);
	size_t n = fread(out, 1, cap - 1, f);
	out[n] = 0;
	fclose(f);
}

/* RFC 5798 / 9568 5.2.9: the first address of an IPv6 advert MUST be
 * link-local.  A global one is accepted with a warning naming file:line:col
 * (keepalived accepts it too; refusing would stop running configurations). */
static void test_ipv6_first_vip_warning(void **state)
{
	(void)state;
	char out[1024];
	parse_logged("instance a {\n interface eth0;\n vrid 52;\n virtual-address 2001:db8::100/64;\n"
		     " virtual-address fe80::100/64;\n}\n", out, sizeof(out));
	assert_non_null(strstr(out, "t.conf:4:18: the first virtual-address of an IPv6 instance should be "
				    "link-local (RFC 9568 5.2.9): 2001:db8::100/64 is not"));
	/* link-local first, or IPv4: nothing said */
	parse_logged("instance a {\n interface eth0;\n vrid 52;\n virtual-address fe80::100/64;\n"
		     " virtual-address 2001:db8::100/64;\n}\n", out, sizeof(out));
	assert_string_equal(out, "");
	parse_logged(MIN_INST, out, sizeof(out));
	assert_string_equal(out, "");
}

static void test_bfd(void **state)
{
	(void)state;
	struct vrrpd_config *c = conftest_vrrpd_ok(MIN_INST);
	assert_int_equal(c->inst[0].bfd.on, 0);
	vrrpd_config_free(c);
	c = conftest_vrrpd_ok("instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24;\n"
			      "  bfd { peer 198.51.100.12; min-tx 10ms; min-rx 20ms; multiplier 5; }\n}\n");
	const struct bfd_conf *b = &c->inst[0].bfd;
	assert_int_equal(b->on, 1);
	assert_int_equal(b->min_tx_ms, 10);
	assert_int_equal(b->min_rx_ms, 20);
	assert_int_equal(b->mult, 5);
	assert_int_equal(b->peer.ss.ss_family, AF_INET);
	vrrpd_config_free(c);
	c = conftest_vrrpd_ok("instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24;\n"
			      "  bfd { peer 198.51.100.12; }\n}\n");
	assert_int_equal(c->inst[0].bfd.min_tx_ms, 300);
	assert_int_equal(c->inst[0].bfd.min_rx_ms, 300);
	assert_int_equal(c->inst[0].bfd.mult, 3);
	vrrpd_config_free(c);
	conftest_vrrpd_error("instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24;\n"
			     "  bfd { min-tx 10ms; }\n}\n",
			     "t.conf:2:3: expected 'peer ADDRESS' in the bfd block");
	conftest_vrrpd_error("instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24;\n"
			     "  bfd { peer 2001:db8::1; }\n}\n",
			     "t.conf:2:14: expected an IPv4 address like the others of this instance (one family per instance)");
	conftest_vrrpd_error("instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24;\n"
			     "  bfd { peer 198.51.100.12; multiplier 0; }\n}\n",
			     "t.conf:2:40: expected a whole number from 1 to 255, got '0'");
	/* One BFD session per interface and family: they share port 3784. */
	conftest_vrrpd_error("instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24;\n"
			     "  bfd { peer 198.51.100.12; }\n}\n"
			     "instance b { interface eth0; vrid 52; virtual-address 198.51.100.101/24;\n"
			     "  bfd { peer 198.51.100.12; }\n}\n",
			     "t.conf:4:1: expected one bfd block per interface and family: instance 'a' has one on eth0");
	c = conftest_vrrpd_ok("instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24;\n"
			      "  bfd { peer 198.51.100.12; }\n}\n"
			      "instance b { interface eth0; vrid 52; virtual-address 2001:db8::100/64;\n"
			      "  bfd { peer 2001:db8::12; }\n}\n");
	vrrpd_config_free(c);
}

/* preempt-grace: by default handover-timeout + 1 s with BFD, off without;
 * written without a bfd block it is refused at its line. */
static void test_preempt_grace(void **state)
{
	(void)state;
	struct vrrpd_config *c = conftest_vrrpd_ok(MIN_INST);
	assert_int_equal(c->inst[0].preempt_grace_ms, 0);
	vrrpd_config_free(c);
	c = conftest_vrrpd_ok("instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24;\n"
			      "  bfd { peer 198.51.100.12; }\n}\n");
	assert_int_equal(c->inst[0].preempt_grace_ms, CONFIG_HANDOVER_TIMEOUT_MS + 1000);
	vrrpd_config_free(c);
	/* the global block may come after the instance */
	c = conftest_vrrpd_ok("instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24;\n"
			      "  bfd { peer 198.51.100.12; }\n}\nglobal { handover-timeout 10s; }\n");
	assert_int_equal(c->inst[0].preempt_grace_ms, 11000);
	vrrpd_config_free(c);
	c = conftest_vrrpd_ok("instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24;\n"
			      "  preempt-grace 2500ms; bfd { peer 198.51.100.12; }\n}\n");
	assert_int_equal(c->inst[0].preempt_grace_ms, 2500);
	vrrpd_config_free(c);
	c = conftest_vrrpd_ok("instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24;\n"
			      "  preempt-grace off; bfd { peer 198.51.100.12; }\n}\n");
	assert_int_equal(c->inst[0].preempt_grace_ms, 0);
	vrrpd_config_free(c);
	c = conftest_vrrpd_ok("instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24;\n"
			      "  preempt-grace off;\n}\n");
	assert_int_equal(c->inst[0].preempt_grace_ms, 0);
	vrrpd_config_free(c);
	conftest_vrrpd_error("instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24;\n"
			     "  preempt-grace 5s;\n}\n",
			     "t.conf:2:17: expected a 'bfd { peer ADDRESS; }' block with preempt-grace in instance 'a' "
			     "(graceful preemption knows a peer that can yield by its BFD session), or preempt-grace off");
	conftest_vrrpd_error("instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24;\n"
			     "  preempt-grace 11m; bfd { peer 198.51.100.12; }\n}\n",
			     "t.conf:2:17: expected a duration from 0ms to 10m, got '11m'");
	conftest_vrrpd_error("instance a { interface eth0; vrid 51; virtual-address 198.51.100.100/24;\n"
			     "  preempt-grace soon; bfd { peer 198.51.100.12; }\n}\n",
			     "t.conf:2:17: expected a duration like 250ms, 2s, 1.5s or 1m, got 'soon'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bfd),
		cmocka_unit_test(test_preempt_grace),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_examples_load),
		cmocka_unit_test(test_track_fast),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_vmac),
		cmocka_unit_test(test_syn_hold),
		cmocka_unit_test(test_ipv6_first_vip_warning),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
