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
	assert_int_equal(v.inst[0].nbfd, 1);
	const struct stats_vrrp_bfd *f = &v.inst[0].bfd[0];
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
	assert_int_equal(v.inst[1].nbfd, 0);
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

/* A master with two backups: vrrpd writes the first session as "bfd", the
 * others in "bfd_more"; peer_down counts are the instance's, in each. */
static const char status_more[] =
	"{\"instances\":[{\"name\":\"VI_3\",\"state\":\"master\",\"priority\":100,\"effective_priority\":100,"
	"\"vips\":[\"198.51.100.100/24\"],\"master\":\"198.51.100.11\","
	"\"bfd\":{\"peer\":\"198.51.100.12\",\"auth\":\"none\",\"state\":\"Up\",\"remote_state\":\"Up\","
	"\"diag\":\"none\",\"tx_interval_us\":10000,\"detect_time_us\":30000,\"counters\":{\"transitions\":3,"
	"\"peer_down\":2,\"peer_down_overridden\":1,\"discards\":{\"bad_ttl\":4}}},"
	"\"bfd_more\":[{\"peer\":\"198.51.100.13\",\"auth\":\"none\",\"state\":\"Down\",\"remote_state\":\"Down\","
	"\"diag\":\"control_detection_time_expired\",\"tx_interval_us\":1000000,\"detect_time_us\":3000000,"
	"\"counters\":{\"transitions\":5,\"peer_down\":2,\"peer_down_overridden\":1,\"discards\":{\"auth_failed\":9}}},"
	"{\"peer\":\"198.51.100.14\",\"auth\":\"none\",\"state\":\"Init\",\"remote_state\":\"Down\","
	"\"diag\":\"none\",\"tx_interval_us\":1000000,\"detect_time_us\":0,"
	"\"counters\":{\"transitions\":1,\"peer_down\":2,\"peer_down_overridden\":1,\"discards\":{}}}]}]}";

static void test_render_several(void **state)
{
	(void)state;
	static struct stats_snapshot snap;
	struct buf b = BUF_INIT;
	memset(&snap, 0, sizeof(snap));
	assert_int_equal(stats_vrrp_parse(status_more, strlen(status_more), &snap.vrrp), 0);

	assert_int_equal(stats_html_render(&snap, &b), 0);
	const char *h = buf_cstr(&b);
	const char *html[] = {
		"<p class=\"vrrp-bfd\">BFD VI_3 to 198.51.100.12 <span class=\"st up\" data-bfd-state=\"Up\">Up</span> "
		"(peer Up, none, auth none): every 10 ms, detect 30 ms, 3 transitions, 2 takeovers, "
		"1 overridden by adverts, 4 dropped, bad_ttl 4</p>",
		"<p class=\"vrrp-bfd\">BFD VI_3 to 198.51.100.13 <span class=\"st down\" data-bfd-state=\"Down\">Down</span> "
		"(peer Down, control_detection_time_expired, auth none): every 1000 ms, detect 3000 ms, 5 transitions, "
		"9 dropped, auth_failed 9</p>",
		("<p class=\"vrrp-bfd\">BFD VI_3 to 198.51.100.14 <span class=\"st down\" data-bfd-state=\"Init\">Init</span> "
		 "(peer Down, none, auth none): every 1000 ms, detect 0 ms, 1 transitions, 0 dropped</p>"),
	};
	for (size_t i = 0; i < sizeof(html) / sizeof(html[0]); i++)
		if (!strstr(h, html[i]))
			fail_msg("missing from the page: %s", html[i]);
	buf_free(&b);

	assert_int_equal(stats_prom_render(&snap, &b), 0);
	const char *m = buf_cstr(&b);
	const char *want[] = {
		"vrrp_bfd_state{instance=\"VI_3\",peer=\"198.51.100.12\",state=\"Up\"} 1\n",
		"vrrp_bfd_state{instance=\"VI_3\",peer=\"198.51.100.13\",state=\"Down\"} 1\n",
		"vrrp_bfd_state{instance=\"VI_3\",peer=\"198.51.100.14\",state=\"Init\"} 1\n",
		"vrrp_bfd_tx_interval_seconds{instance=\"VI_3\",peer=\"198.51.100.13\"} 1.000000\n",
		"vrrp_bfd_transitions_total{instance=\"VI_3\",peer=\"198.51.100.13\"} 5\n",
		"vrrp_bfd_transitions_total{instance=\"VI_3\",peer=\"198.51.100.14\"} 1\n",
		"vrrp_bfd_dropped_total{instance=\"VI_3\",peer=\"198.51.100.13\",reason=\"auth_failed\"} 9\n",
		/* the instance's counts, once (a sum over peers must not double them) */
		"vrrp_bfd_peer_down_total{instance=\"VI_3\",peer=\"198.51.100.12\"} 2\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(m, want[i]))
			fail_msg("missing from /metrics: %s", want[i]);
	assert_null(strstr(m, "vrrp_bfd_peer_down_total{instance=\"VI_3\",peer=\"198.51.100.13\"}"));
	buf_free(&b);

	assert_int_equal(stats_json_render(&snap, &b), 0);
	const char *j = buf_cstr(&b);
	const char *json[] = {
		"\"bfd\":[{\"peer\":\"198.51.100.12\",\"state\":\"Up\",\"remote_state\":\"Up\",\"diag\":\"none\"",
		("{\"peer\":\"198.51.100.13\",\"state\":\"Down\",\"remote_state\":\"Down\","
		 "\"diag\":\"control_detection_time_expired\""),
		"{\"peer\":\"198.51.100.14\",\"state\":\"Init\"",
	};
	for (size_t i = 0; i < sizeof(json) / sizeof(json[0]); i++)
		if (!strstr(j, json[i]))
			fail_msg("missing from /stats;json: %s", json[i]);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_several),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
