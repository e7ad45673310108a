#include "libbpf_dl.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

struct libbpf_dl libbpf_dl;

/* libbpf's own messages ("no such filter" when there is nothing to
 * remove) only at debug level: vrrpd reports what failed itself. */
static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	char line[512];
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("libbpf: %s", line);
	return 0;
}

int libbpf_dl_open(char *err, size_t errlen)
{
	if (libbpf_dl.fn_bpf_tc_detach)
		return 0;
	void *h = dlopen(LIBBPF_DL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errlen, "no libbpf: %s", dlerror());
		return -1;
	}
#define X(f) \
	if (!(libbpf_dl.fn_##f = (__typeof__(libbpf_dl.fn_##f))dlsym(h, #f))) { \
		snprintf(err, errlen, "%s: no %s", LIBBPF_DL_SONAME, #f); \
		goto bad; \
	}
	LIBBPF_DL_FUNCS(X)
#undef X
	libbpf_set_print(libbpf_log);
	return 0;
bad:
	memset(&libbpf_dl, 0, sizeof(libbpf_dl));
	dlclose(h);
	return -1;
}
