/* lbctl: talk to lbd over its control socket. */
#include "ctltool.h"

int main(int argc, char **argv)
{
	return ctltool_main(argc, argv, "lbctl", "/run/lbd/lbd.sock", NULL);
}
