/* Unit tests of the servers' state handed to a successor lbd (lbd/hostate.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/buf.h"
#include "lbd/config.h"
#include "lbd/hostate.h"
#include "lbd/model.h"

static const char conf[] =
	"backend be { check GET / rise 2 fall 3;\n"
	"  server a 192.0.2.11:8080; server b 192.0.2.12:8080; server c 192.0.2.13:8080; }\n"
	"backend plain { server x [2001:db8::21]:80 disabled; }\n"
	"frontend fe { bind *:9192; backend be; }\n";

static struct lbd_config *load(void)
{
	struct lbd_config *c = NULL;
	char err[256] = "";
	if (config_parse_string("t.conf", conf, strlen(conf), &c, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(model_config_adopt_state(c, NULL), 0);
	return c;
}

static void test_parse(void **state)
{
	(void)state;
	struct hostate_rec r;
	const char ok[] = "be\ta\t192.0.2.11:8080\t1\t4\t1\t7";
	assert_int_equal(hostate_parse_line(ok, strlen(ok), &r), 0);
	assert_string_equal(r.backend, "be");
	assert_string_equal(r.server, "a");
	assert_int_equal(r.up, 1);
	assert_int_equal(r.health, 4);
	assert_int_equal(r.admin, SERVER_DRAIN);
	assert_int_equal(r.weight, 7);
	static const char *const bad[] = {
		"", "be\ta\t192.0.2.11:8080\t1\t4\t1", "be\ta\t192.0.2.11:8080\t1\t4\t1\t7\t9",
		"be\ta\t192.0.2.11\t1\t4\t1\t7", "be\ta\t192.0.2.11:8080\t2\t4\t1\t7",
		"be\ta\t192.0.2.11:8080\t1\t-4\t1\t7", "be\ta\t192.0.2.11:8080\t1\t4\t3\t7",
		"be\ta\t192.0.2.11:8080\t1\t4\t1\t99999999999", "\ta\t192.0.2.11:8080\t1\t4\t1\t7",
		"be\ta\t192.0.2.11:8080\t1\t\t1\t7",
		"be\taaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\t192.0.2.11:8080\t1\t4\t1\t7",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (hostate_parse_line(bad[i], strlen(bad[i]), &r) == 0)
			fail_msg("accepted: %s", bad[i]);
}

static void test_round_trip(void **state)
{
	(void)state;
	struct lbd_config *old = load(), *c = load();
	struct backend *be = &old->backends[0];
	atomic_store(&be->servers[0].st->up, 1);
	atomic_store(&be->servers[0].st->check_health, 4);
	atomic_store(&be->servers[1].st->up, 1);
	atomic_store(&be->servers[1].st->admin, SERVER_DRAIN);
	atomic_store(&be->servers[1].st->weight, 5);
	atomic_store(&old->backends[1].servers[0].st->admin, SERVER_READY);
	struct buf b = BUF_INIT;
	hostate_write(old, &b);
	assert_int_equal(hostate_apply(c, b.data, b.len), 4);
	const struct backend *nb = &c->backends[0];
	assert_int_equal(atomic_load(&nb->servers[0].st->up), 1);
	assert_int_equal(atomic_load(&nb->servers[0].st->check_health), 4);
	assert_int_equal(atomic_load(&nb->servers[1].st->up), 1);
	assert_int_equal(atomic_load(&nb->servers[1].st->admin), SERVER_DRAIN);
	assert_int_equal(atomic_load(&nb->servers[1].st->weight), 5);
	assert_int_equal(atomic_load(&nb->servers[2].st->up), 0);
	/* Disabled in the file: stays in maintenance whatever the old process said. */
	assert_int_equal(atomic_load(&c->backends[1].servers[0].st->admin), SERVER_MAINT);
	/* A server moved to another address, or gone, takes nothing. */
	const char moved[] = "be\ta\t192.0.2.99:8080\t0\t0\t2\t1\nbe\tzz\t192.0.2.11:8080\t0\t0\t2\t1\n";
	assert_int_equal(hostate_apply(c, moved, strlen(moved)), 0);
	assert_int_equal(atomic_load(&nb->servers[0].st->up), 1);
	buf_free(&b);
	model_config_unref(old);
	model_config_unref(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
