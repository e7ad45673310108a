/* config: lbd's keywords on the shared grammar (common/conf.h) -> struct
 * lbd_config (lbd/model.h).  docs/lbd.conf.5 documents every keyword.
 *
 * The result has refs = 1 and no runtime state yet: the caller runs
 * model_config_adopt_state() (with the running config on a reload). */
#ifndef LBD_CONFIG_H
#define LBD_CONFIG_H

#include <stddef.h>

struct lbd_config;

/* 0, or a negative errno with "file:line:col: what was expected" in err. */
int config_load(const char *path, struct lbd_config **out, char *err, size_t errlen);
/* Same from memory (no include); for tests and the fuzzer. */
int config_parse_string(const char *name, const char *text, size_t len,
			struct lbd_config **out, char *err, size_t errlen);

#endif
