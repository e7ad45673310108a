/* vrrpd: placeholder main until the VRRP engine lands (issue 3).
 * It validates the global block so that -t works end to end. */
#include <stdio.h>

#include "conf.h"
#include "daemon.h"

static int global_control(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	(void)ctx; (void)n; (void)err; (void)errlen;
	return 0;
}

static const struct conf_keyword global_kw[] = {
	{ "control", "control PATH", 1, 1, CONF_NO_BLOCK, 0, global_control },
	{ NULL, NULL, 0, 0, CONF_NO_BLOCK, 0, NULL },
};

static int top_global(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	return conf_dispatch(n, global_kw, ctx, err, errlen);
}

static const struct conf_keyword top_kw[] = {
	{ "global", "global { ... }", 0, 0, CONF_BLOCK, 0, top_global },
	{ NULL, NULL, 0, 0, CONF_NO_BLOCK, 0, NULL },
};

int main(int argc, char **argv)
{
	struct daemon_args a;
	struct conf_tree *t;
	char err[512];

	daemon_args_parse(argc, argv, "vrrpd", "/etc/vrrpd/vrrpd.conf", 1, &a);
	if (conf_load(a.conf, &t, err, sizeof(err)) || conf_dispatch(&t->root, top_kw, NULL, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	conf_free(t);
	return 0;
}
