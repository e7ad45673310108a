/* reuseport_off: the SK_REUSEPORT steering of reuseport.h in an lbd built
 * without BPF (LBD_BPF=no: no clang or bpftool at build time).  Every
 * upgrade then takes the SCM_RIGHTS path, and the log says why. */
#include "reuseport.h"

#include <stdio.h>

struct reuseport *reuseport_new(char *err, size_t errlen)
{
	snprintf(err, errlen, "this lbd was built without BPF (LBD_BPF=no)");
	return NULL;
}

int reuseport_sync(struct reuseport *r, const struct handover_sock *s, int n, char *err, size_t errlen)
{
	(void)r;
	(void)s;
	(void)n;
	snprintf(err, errlen, "this lbd was built without BPF (LBD_BPF=no)");
	return -1;
}

uint64_t reuseport_migrated(const struct reuseport *r)
{
	(void)r;
	return 0;
}

void reuseport_free(struct reuseport *r)
{
	(void)r;
}
