/* check_conf: how a backend's servers are health-checked (its `check`
 * block), and why a check result is what it is.  Read by the checker
 * (check.c, health.c), written by config.c. */
#ifndef LBD_CHECK_CONF_H
#define LBD_CHECK_CONF_H

#include <stdint.h>

#include "model_limits.h"

struct check_expect {
	uint16_t lo, hi; /* inclusive status range; "200" is 200-200 */
};

struct check_conf {
	int enabled;                 /* a `check` line was given */
	char method[16];             /* GET */
	char path[MODEL_PATH_MAX];   /* /-/healthy */
	char host[MODEL_NAME_MAX * 2]; /* Host header; "" = none (HTTP/1.0 style) */
	struct check_expect expect[MODEL_MAX_EXPECT];
	int nexpect;                 /* 0 = any 2xx/3xx (HAProxy's default) */
	uint32_t interval_ms;        /* between checks while stable (2s) */
	uint32_t fastinter_ms;       /* while going up or down (rise/fall in progress) */
	uint32_t downinter_ms;       /* while down */
	uint32_t timeout_ms;         /* connect + response */
	uint32_t rise, fall;
	int start_up;                /* 1: traffic before the first check passes */
	uint32_t passive_fall;       /* 0 off; N consecutive connect failures from traffic = down */
};

/* Why the last check result is what it is (written by the checker). */
enum check_reason {
	CHECK_NONE = 0,        /* not checked (yet), or checks off */
	CHECK_OK,
	CHECK_CONN_REFUSED,
	CHECK_CONN_TIMEOUT,
	CHECK_RESP_TIMEOUT,
	CHECK_BAD_STATUS,      /* with check_code */
	CHECK_INVALID_RESP,
	CHECK_CONN_ERROR,      /* other socket error */
	CHECK_PASSIVE,         /* marked down by live-traffic connect failures */
	CHECK_PEER_DOWN,       /* marked down by vrrpd: the node holding it went silent (peer-down) */
	CHECK_REASON_COUNT,
};
extern const char *const check_reason_names[CHECK_REASON_COUNT];

#endif
