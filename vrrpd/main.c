/* vrrpd: wires the modules together and runs the loop. */
#include <stdio.h>

#include "daemon.h"
#include "vconf.h"

int main(int argc, char **argv)
{
	struct daemon_args a;
	struct vconf *c;
	char err[512];

	daemon_args_parse(argc, argv, "vrrpd", "/etc/vrrpd/vrrpd.conf", 1, &a);
	if (vconf_load(a.conf, &c, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	vconf_free(c);
	return 0;
}
