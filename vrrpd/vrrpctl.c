/* vrrpctl: talk to vrrpd over its control socket. */
#include "ctltool.h"

int main(int argc, char **argv)
{
	return ctltool_main(argc, argv, "vrrpctl", "/run/vrrpd/vrrpd.sock", NULL);
}
