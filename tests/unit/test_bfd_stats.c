/* Unit tests of the BFD part of lbd's VRRP panel (issue 19): vrrpd's
 * "bfd" object read by stats_vrrp_parse(), and shown by the HTML page and
 * /metrics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "buf.h"
#include "lbd/stats.h"

/* As vrrpd's status.c writes it (render_bfd), one instance with a session
 * and one without. */
static const char status[] =
	"{\"instances\":[{\"name\":\"VI_1\",\"state\":\"backup\",\"priority\":90,\"effective_priority\":90,"
	"\"vips\":[\"198.51.100.100/24\"],\"master\":\"198.51.100.11\","
	"\"bfd\":{\"peer\":\"198.51.100.11\",\"auth\":\"meticulous-keyed-sha1\",\"key_id\":3,\"state\":\"Up\","
	"\"remote_state\":\"Up\",\"diag\":\"none\",\"remote_diag\":\"none\",\"local_discriminator\":1,"
	"\"remote_discriminator\":2,\"desired_min_tx_us\":10000,\"required_min_rx_us\":10000,\"detect_mult\":3,"
	"\"remote_min_tx_us\":10000,\"remote_min_rx_us\":20000,\"remote_detect_mult\":3,\"tx_interval_us\":20000,"
	"\"detect_time_us\":30000,\"last_change_ago_ms\":5,\"counters\":{\"sent\":10,\"received\":9,"
	"\"transitions\":4,\"up\":2,\"polls\":0,\"send_errors\":0,\"peer_down\":1,\"peer_down_overridden\":1,"
	"\"discards\":{\"bad_ttl\":5,\"bad_version\":0,\"bad_length\":2,\"bad_detect_mult\":0,\"multipoint\":0,"
	"\"bad_my_discriminator\":0,\"bad_your_discriminator\":1,\"bad_auth_length\":0,\"unknown_session\":0,"
	"\"auth_mismatch\":0,\"auth_failed\":6,\"auth_sequence\":7,\"future\":1}}},\"tracks\":[]},"
	"{\"name\":\"VI_2\",\"state\":\"master\",\"priority\":100,\"effective_priority\":100,\"vips\":[],"
	"\"master\":null,\"bfd\":null}]}";

static void test_parse(void **state)
{
	(void)state;
	struct stats_vrrp v;
	assert_int_equal(stats_vrrp_parse(status, strlen(status), &v), 0);
	assert_int_equal(v.n, 2);
	const struct stats_vrrp_bfd *f = &v.inst[0].bfd;
	assert_int_equal(f->on, 1);
	assert_string_equal(f->peer, "198.51.100.11");
	assert_string_equal(f->auth, "meticulous-keyed-sha1");
	assert_string_equal(f->state, "Up");
	assert_string_equal(f->remote_state, "Up");
	assert_int_equal(f->tx_interval_us, 20000);
	assert_int_equal(f->detect_time_us, 30000);
	assert_int_equal(f->transitions, 4);
	assert_int_equal(f->peer_down, 1);
	assert_int_equal(f->peer_down_overridden, 1);
	assert_int_equal(f->discards[0], 5); /* bad_ttl */
	assert_int_equal(f->discards[1], 2); /* bad_length */
	assert_int_equal(f->discards[3], 1); /* bad_your_discriminator */
	assert_int_equal(f->discards[6], 6); /* auth_failed */
	assert_int_equal(f->discards[7], 7); /* auth_sequence */
	assert_int_equal(v.inst[1].bfd.on, 0);
	/* A counter that is no counter: the whole status is refused. */
	const char *bad = "{\"instances\":[{\"name\":\"a\",\"bfd\":{\"counters\":{\"transitions\":-1}}}]}";
	assert_int_equal(stats_vrrp_parse(bad, strlen(bad), &v), -1);
	bad = "{\"instances\":[{\"name\":\"a\",\"bfd\":{\"state\":7}}]}";
	assert_int_equal(stats_vrrp_parse(bad, strlen(bad), &v), -1);
}

static void test_render(void **state)
{
	(void)state;
	static struct stats_snapshot snap;
	struct buf b = BUF_INIT;
	memset(&snap, 0, sizeof(snap));
	assert_int_equal(stats_vrrp_parse(status, strlen(status), &snap.vrrp), 0);
	assert_int_equal(stats_prom_render(&snap, &b), 0);
	const char *m = buf_cstr(&b);
	const char *want[] = {
		"# TYPE vrrp_bfd_state gauge\n",
		"vrrp_bfd_state{instance=\"VI_1\",peer=\"198.51.100.11\",state=\"Up\"} 1\n",
		"vrrp_bfd_state{instance=\"VI_1\",peer=\"198.51.100.11\",state=\"Down\"} 0\n",
		"vrrp_bfd_tx_interval_seconds{instance=\"VI_1\",peer=\"198.51.100.11\"} 0.020000\n",
		"vrrp_bfd_detect_time_seconds{instance=\"VI_1\",peer=\"198.51.100.11\"} 0.030000\n",
		"vrrp_bfd_transitions_total{instance=\"VI_1\",peer=\"198.51.100.11\"} 4\n",
		"vrrp_bfd_peer_down_total{instance=\"VI_1\",peer=\"198.51.100.11\"} 1\n",
		"vrrp_bfd_peer_down_overridden_total{instance=\"VI_1\",peer=\"198.51.100.11\"} 1\n",
		"vrrp_bfd_dropped_total{instance=\"VI_1\",peer=\"198.51.100.11\",reason=\"bad_ttl\"} 5\n",
		"vrrp_bfd_dropped_total{instance=\"VI_1\",peer=\"198.51.100.11\",reason=\"auth_failed\"} 6\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(m, want[i]))
			fail_msg("missing from /metrics: %s", want[i]);
	assert_null(strstr(m, "instance=\"VI_2\",peer="));
	buf_free(&b);

	assert_int_equal(stats_html_render(&snap, &b), 0);
	const char *h = buf_cstr(&b);
	assert_non_null(strstr(h, "<p class=\"vrrp-bfd\">BFD VI_1 to 198.51.100.11 <span class=\"st up\" "
				  "data-bfd-state=\"Up\">Up</span> (peer Up, none, auth meticulous-keyed-sha1): every 20 ms, "
				  "detect 30 ms, 4 transitions, 1 takeovers, 1 overridden by adverts, 21 dropped, bad_ttl 5, "
				  "bad_length 2, bad_your_discriminator 1, auth_failed 6, auth_sequence 7</p>"));
	assert_null(strstr(h, "BFD VI_2"));
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_render),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
