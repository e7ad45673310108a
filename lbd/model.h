/* model: lbd's data model.
 *
 * Two kinds of data, kept apart (relayd style):
 *
 *  - configuration (struct lbd_config and the *_conf structs in it): built by
 *    config.c from a file, never written afterwards, shared read-only by every
 *    thread and freed when its last reference goes (a reload builds a new one
 *    beside the running one; in-flight requests finish on the old one).
 *
 *  - runtime state (struct server_state, backend_state, frontend_state):
 *    allocated once per named object and carried from one configuration to
 *    the next on reload (matched by name), so health, admin state and
 *    counters survive a reload.  Every field is a C11 atomic: the health
 *    checker and the control socket write, the workers read, no lock.
 *
 * Who writes what (the contract between the data path and health/stats/control):
 *    server_state.up, check_*, last_change_ms, downtime_ms, chkfail, chkdown: the health checker
 *    server_state.admin, weight: the control socket (disable/drain/enable/set weight)
 *    counters: the workers (relaxed atomics; readers may see them slightly apart)
 *    consec_fail: the workers (passive check); the checker may reset it.
 * A worker picks a server only when model_server_usable() says so. */
#ifndef LBD_MODEL_H
#define LBD_MODEL_H

#include <stdatomic.h>
#include <stdint.h>

#include "addr.h"
#include "check_conf.h"
#include "counters.h"

struct tls_ctx;

#define MODEL_MAX_BINDS 8

/* ---- servers ----------------------------------------------------------------- */

enum server_admin {
	SERVER_READY = 0,
	SERVER_DRAIN,  /* no new requests; in-flight ones finish */
	SERVER_MAINT,  /* maintenance: not used, not checked */
	SERVER_ADMIN_COUNT,
};
extern const char *const server_admin_names[SERVER_ADMIN_COUNT]; /* "ready" "drain" "maint" */


struct server_conf {
	char name[MODEL_NAME_MAX];
	struct addr addr;
	uint32_t weight;    /* 0..256, default 1; 0 = never picked */
	int backup;         /* used only when no active server is usable */
	uint32_t maxconn;   /* 0 = unlimited: concurrent requests on this server */
	int disabled;       /* start in maintenance */
};

struct server_state {
	_Atomic int refs;             /* configs sharing this state */
	_Atomic int up;               /* health: 1 up, 0 down */
	_Atomic int admin;            /* enum server_admin */
	_Atomic uint32_t weight;      /* effective weight (set weight); starts at conf.weight */
	_Atomic int check_reason;     /* enum check_reason of the last check */
	_Atomic int check_code;       /* HTTP status of the last check, 0 if none */
	_Atomic uint32_t check_dur_ms;/* duration of the last check */
	_Atomic int check_health;     /* rise/fall progress, HAProxy style 0..rise+fall-1 */
	_Atomic uint64_t last_change_ms; /* mtime_wall_ms() of the last up/down change */
	_Atomic uint64_t downtime_ms; /* total time down, up to last_change */
	_Atomic uint32_t consec_fail; /* consecutive connect failures from traffic */
	_Atomic uint32_t chkfail;     /* failed checks (checker) */
	_Atomic uint32_t chkdown;     /* UP -> DOWN transitions (checker) */
	_Atomic uint32_t peerdown;    /* of which marked down by peer-down (vrrpd) */
	struct lbd_counters cnt;
};

struct backend;
struct transport_ops;

struct tls_client;

struct server {
	struct server_conf conf;
	struct backend *be;
	int id;                       /* index in be->servers */
	struct server_state *st;
	struct tls_client *tls;       /* NULL: plain TCP; owned by the config (tls_client.h) */
	/* How lbd talks to it (transport.h): NULL is plain TCP; tr_ctx is what
	 * that transport makes its per-connection state from (TLS: tls). */
	const struct transport_ops *tr;
	void *tr_ctx;
};

/* Can a new request go to this server now?  (up, ready, weight > 0, below maxconn) */
int model_server_usable(const struct server *s);
/* Usable but for its maxconn: a request may wait for it. */
int model_server_waitable(const struct server *s);

/* ---- backends, frontends ------------------------------------------------------ */

struct lbd_timeouts {
	uint32_t connect_ms;      /* TCP connect to a server */
	uint32_t client_ms;       /* client inactivity while a request/response is under way */
	uint32_t server_ms;       /* server inactivity (response wait included) */
	uint32_t http_request_ms; /* whole request head must arrive within this */
	uint32_t keepalive_ms;    /* idle client connection between requests */
	uint32_t tunnel_ms;       /* idle WebSocket tunnel */
	uint32_t pool_idle_ms;    /* idle pooled server connection */
	uint32_t queue_ms;        /* wait for a server slot (every server at maxconn); 0 = connect_ms */
};

/* retry-on: when a request may be sent again after its server failed. */
enum retry_on {
	RETRY_CONN_FAILURE,   /* only what no server can have processed (the default) */
	RETRY_EMPTY_RESPONSE, /* also an idempotent request sent whole, closed on without an answer */
};

struct backend_conf {
	char name[MODEL_NAME_MAX];
	uint32_t retries;        /* extra attempts after the first */
	uint32_t maxqueue;       /* requests waiting for a server slot, per backend; 0 = no limit */
	int redispatch;          /* the last retry goes to another server */
	int retry_on;            /* enum retry_on: when a request may go again */
	uint32_t pool_max_idle;  /* idle pooled connections per worker per server; 0 = no pool */
	struct lbd_timeouts to;
	struct check_conf check;
};

struct backend_state {
	_Atomic int refs;
	struct lbd_counters cnt;
};

struct backend {
	struct backend_conf conf;
	int id;                  /* index in cfg->backends */
	struct server *servers;
	int nservers;
	int nactive, nbackup;    /* servers that are not / are `backup` */
	struct backend_state *st;
};

struct frontend_conf {
	char name[MODEL_NAME_MAX];
	struct addr binds[MODEL_MAX_BINDS];
	int nbinds;
	char backend[MODEL_NAME_MAX];
	uint32_t maxconn;        /* 0 = only the global limit */
	int forwardfor;          /* add X-Forwarded-For / X-Forwarded-Proto */
	int access_log;
	uint32_t max_header;     /* request head size limit (431) */
	uint32_t max_uri;        /* request-target limit (414) */
	int redirect_https;      /* answer every request 301 to https:// (access.h) */
	struct lbd_timeouts to;
};

/* TLS on a frontend (issue 16; written by tls_transport.c, access.c). */
enum tls_fail {
	TLS_FAIL_PROTOCOL,   /* no common protocol version (TLS 1.1 and older are refused) */
	TLS_FAIL_CIPHER,     /* no shared cipher, group or signature algorithm */
	TLS_FAIL_CLIENT_CERT,/* client certificate missing, unknown, revoked or expired */
	TLS_FAIL_CLOSED,     /* the client closed or timed out during the handshake */
	TLS_FAIL_OTHER,      /* anything else (bad record, not TLS at all, ...) */
	TLS_FAIL_COUNT,
};
extern const char *const tls_fail_names[TLS_FAIL_COUNT];

#define TLS_PROTO_COUNT 2    /* TLSv1.2, TLSv1.3 */
#define TLS_CIPHER_SLOTS 16  /* distinct cipher suites counted per frontend */

struct tls_counters {
	_Atomic uint64_t handshakes;          /* completed (full + resumed) */
	_Atomic uint64_t resumed;             /* ... of which resumed (ticket) */
	_Atomic uint64_t fail[TLS_FAIL_COUNT];
	_Atomic uint64_t proto[TLS_PROTO_COUNT];
	_Atomic uintptr_t cipher_name[TLS_CIPHER_SLOTS]; /* OpenSSL's static name string, 0 = free slot */
	_Atomic uint64_t cipher[TLS_CIPHER_SLOTS];
	_Atomic uint64_t denied;              /* requests answered 403 by access rules */
	_Atomic uint64_t auth_failed;         /* requests answered 401 */
};

struct frontend_state {
	_Atomic int refs;
	struct lbd_counters cnt;
	struct tls_counters tls;
};

struct tls_ctx;
struct access;

struct frontend {
	struct frontend_conf conf;
	int id;
	struct backend *be;
	struct frontend_state *st;
	struct tls_ctx *tls;     /* NULL: plain TCP; owned by the config (tls_ctx.h) */
	struct access *acl;      /* NULL: everyone may; owned by the config (access.h) */
	/* How its clients' connections move bytes (transport.h): NULL is plain
	 * TCP; tr_ctx as for a server (TLS: the frontend itself). */
	const struct transport_ops *tr;
	void *tr_ctx;
};

/* ---- global ------------------------------------------------------------------- */

enum log_target { LOG_TARGET_OFF, LOG_TARGET_SYSLOG, LOG_TARGET_STDOUT };

struct stats_conf {
	int enabled;
	struct addr bind;        /* *:8404 */
	char user[MODEL_NAME_MAX];    /* basic auth; "" = none */
	char pass[160];               /* the password, or a crypt(3) hash of it (yescrypt, bcrypt, sha512crypt...) */
	uint32_t refresh_ms;     /* HTML auto-refresh */
	char vrrp[108];          /* vrrpd's control socket, for the VRRP panel */
	int health_enabled;
	struct addr health;      /* the loopback /healthz-only listener vrrpd tracks */
	struct tls_ctx *tls;     /* `tls-cert FILE`: the page over HTTPS (issue 16); owned by the config */
	char tls_cert[MODEL_PATH_MAX];
};

struct global_conf {
	uint32_t workers;        /* 0 = number of CPUs */
	uint32_t maxconn;        /* whole process */
	char control[108];       /* control socket path; "" = none */
	enum log_target access_log;
	uint32_t grace_ms;       /* SIGTERM: finish in-flight requests within this */
	struct stats_conf stats;
};

struct lbd_config {
	_Atomic int refs;
	uint64_t generation;     /* 1, 2, ... one per successful load */
	char *path;
	struct global_conf g;
	struct frontend *frontends;
	int nfrontends;
	struct backend *backends;
	int nbackends;
};

/* Reference counting: the loader hands out a config with refs = 1. */
void model_config_ref(struct lbd_config *c);
void model_config_unref(struct lbd_config *c);

/* Give every object of `cfg` a runtime state: the one of the same-named
 * object in `old` (NULL on first load), else a fresh one.  Health and admin
 * state of a server are carried only when its address is unchanged.
 * 0 or -ENOMEM. */
int model_config_adopt_state(struct lbd_config *cfg, const struct lbd_config *old);

struct backend *model_find_backend(const struct lbd_config *c, const char *name);
struct frontend *model_find_frontend(const struct lbd_config *c, const char *name);
struct server *model_find_server(const struct backend *be, const char *name);
/* "backend/server" -> server, NULL if either is unknown. */
struct server *model_find_server_path(const struct lbd_config *c, const char *path);

/* A server state outlives its configs while a pooled connection holds it. */
void model_server_state_ref(struct server_state *st);
void model_server_state_unref(struct server_state *st);

/* The checker's one write path for up/down: sets up, last_change and downtime.
 * Returns 1 if the state changed (log it), 0 if not. */
int model_server_set_up(struct server *s, int up);

#endif
