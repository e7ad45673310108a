/* stats: a snapshot of everything the stats page shows, collected in one
 * pass from the running configuration, then handed to the renderers
 * (stats_csv.c, stats_json.c, stats_prom.c, stats_html.c), which only
 * format it.  Collection is apart from rendering (as in HAProxy), so the
 * renderers are pure and unit-tested with hand-made snapshots. */
#ifndef LBD_STATS_H
#define LBD_STATS_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct lbd_config;

#define STATS_NAME_MAX 64
#define STATS_RT_BUCKETS 15 /* response-time histogram buckets, the last is +Inf */

enum stats_type { STATS_FRONTEND, STATS_BACKEND, STATS_SERVER };

/* Counters of one frontend, backend or server, summed over the workers. */
struct stats_counters {
	uint64_t scur, smax, stot;     /* sessions: current, max, total */
	uint64_t slim;                 /* maxconn, 0 = none */
	uint64_t req_tot;
	uint64_t bin, bout;
	uint64_t zin, zout; /* of those, spliced */
	uint64_t hrsp[6];              /* [0] other, [1] 1xx .. [5] 5xx */
	uint64_t ereq, econ, eresp;
	uint64_t wretr, wredis;
	uint64_t dcon;                 /* denied connections (maxconn) */
	uint64_t timeouts;
	uint64_t qcur, qmax;           /* requests waiting for a server slot (backend) */
	uint64_t qtimeouts;            /* ... that waited `timeout queue` in vain */
	uint64_t rate, rate_max;       /* requests in the last second, highest seen */
	int64_t lastsess_s;            /* seconds since the last request, -1 never */
	uint64_t rt_avg_us;            /* mean response time */
	uint64_t rt_count, rt_sum_us;
	uint64_t rt_hist[STATS_RT_BUCKETS]; /* per bucket, not cumulative */
};

/* Server status, derived from health and admin state. */
enum stats_srv_state { STATS_SRV_UP, STATS_SRV_DOWN, STATS_SRV_MAINT, STATS_SRV_DRAIN };

struct stats_server {
	char name[STATS_NAME_MAX];
	char addr[64];
	int iid, sid;                 /* HAProxy's proxy and server ids (1-based) */
	enum stats_srv_state state;
	int up;                       /* health alone */
	int check_enabled;
	char status[24];              /* the HAProxy word: "UP", "DOWN 1/2", "MAINT", "no check" */
	uint32_t weight;
	int backup;
	int check_reason;             /* enum check_reason */
	int check_code;
	uint32_t check_dur_ms;
	int check_health, rise, fall;
	char check_status[16];        /* L7OK, L4CON... ("" when no check) */
	char check_desc[64];          /* "Layer4 connection problem" */
	char check_reason_name[32];   /* "connect refused" (for people) */
	int64_t lastchg_s;            /* seconds since the last change */
	uint64_t downtime_s;
	uint64_t chkfail, chkdown;
	uint64_t peerdown;            /* downs asked by vrrpd (peer-down) */
	struct stats_counters c;
};

struct stats_backend {
	char name[STATS_NAME_MAX];
	int iid;
	char algo[16];
	char check[200];              /* "GET /-/healthy expect 200 every 2000 ms, rise 2, fall 3" */
	int up;                       /* at least one usable server */
	int nactive_up, nbackup_up;   /* up servers with weight > 0 */
	uint32_t weight;              /* sum of up active servers' weights */
	uint64_t chkdown;
	int64_t lastchg_s;
	uint64_t downtime_s;
	struct stats_counters c;
	struct stats_server *servers;
	int nservers;
};

/* TLS and access control of a frontend (stats_tls.c). */
#define STATS_TLS_FAILS 5
#define STATS_TLS_CIPHERS 16
struct stats_tls {
	int enabled;                  /* the frontend terminates TLS */
	int access;                   /* it has access rules or users */
	uint64_t handshakes, resumed;
	uint64_t fail[STATS_TLS_FAILS]; /* by enum tls_fail */
	uint64_t tls12, tls13;
	int nciphers;
	const char *cipher[STATS_TLS_CIPHERS]; /* OpenSSL's names (static strings) */
	uint64_t cipher_n[STATS_TLS_CIPHERS];
	uint64_t denied, auth_failed;
};

struct stats_frontend {
	char name[STATS_NAME_MAX];
	int iid;
	char bind[128];               /* "*:4318" (first bind, "+N" more) */
	char backend[STATS_NAME_MAX];
	struct stats_counters c;
	struct stats_tls tls;
};

/* vrrpd as seen through its control socket (a few fields, for the panel). */
#define STATS_VRRP_MAX 8
/* An instance's BFD sessions: vrrpd's "bfd" object (the first session)
 * and "bfd_more" (the others: a master with several backups). */
#define STATS_VRRP_BFD_MAX 4
#define STATS_VRRP_BFD_DISCARDS 8
extern const char *const stats_vrrp_bfd_discards[STATS_VRRP_BFD_DISCARDS]; /* bad_ttl, ... */
struct stats_vrrp_bfd {
	char peer[64];
	char auth[24];                /* none, keyed-sha1, ... */
	char state[12], remote_state[12];
	char diag[40];
	uint64_t tx_interval_us, detect_time_us;
	uint64_t transitions;
	uint64_t peer_down, peer_down_overridden; /* the instance's, repeated in each session */
	uint64_t discards[STATS_VRRP_BFD_DISCARDS];
};
struct stats_vrrp_instance {
	char name[STATS_NAME_MAX];
	char state[16];               /* MASTER, BACKUP, FAULT, INIT */
	int priority, effective_priority;
	char vips[160];
	char master[64];              /* current master's address */
	char last_transition[96];     /* "BACKUP -> MASTER 12s ago (reason)" */
	int64_t since_s;              /* seconds since the last transition, -1 unknown */
	int nbfd;                     /* 0: no bfd block */
	struct stats_vrrp_bfd bfd[STATS_VRRP_BFD_MAX];
};

/* vrrpd's XDP guard on one interface: VRRP packets passed and dropped. */
#define STATS_VRRP_GUARDS 4
#define STATS_VRRP_GUARD_REASONS 5
extern const char *const stats_vrrp_guard_reasons[STATS_VRRP_GUARD_REASONS]; /* bad_ttl, ... */
struct stats_vrrp_guard {
	char ifname[16];
	char mode[8];                 /* native, generic */
	uint64_t passed;
	uint64_t dropped[STATS_VRRP_GUARD_REASONS];
};

struct stats_vrrp {
	int available;                /* 0: vrrpd not running or not answering */
	char error[160];              /* why not */
	int n;
	struct stats_vrrp_instance inst[STATS_VRRP_MAX];
	int nguards;
	struct stats_vrrp_guard guards[STATS_VRRP_GUARDS];
};

struct stats_snapshot {
	char version[32];
	char node[64];                /* hostname */
	int pid;
	uint64_t uptime_s;
	uint64_t generation;          /* config generation */
	uint64_t wall_ms;             /* when it was taken (for people) */
	uint32_t refresh_s;           /* HTML auto-refresh */
	int alive;                    /* /healthz verdict */
	int nworkers;
	uint64_t log_sent, log_dropped; /* access-log lines to syslog (logq.h) */
	struct stats_frontend *frontends;
	int nfrontends;
	struct stats_backend *backends;
	int nbackends;
	struct stats_vrrp vrrp;
};

/* Upper bounds of the histogram buckets in microseconds; the last bucket
 * (index STATS_RT_BUCKETS - 1) is +Inf. */
extern const uint64_t stats_rt_bounds_us[STATS_RT_BUCKETS - 1];

void stats_snapshot_free(struct stats_snapshot *s); /* frees the arrays, not s */

/* Upper bound (us) of the histogram bucket holding quantile q (0 < q <= 1):
 * "p99 <= 2.5 ms".  0 when nothing was measured, UINT64_MAX for the +Inf bucket. */
uint64_t stats_rt_quantile_us(const struct stats_counters *c, double q);

/* Requests-per-second sampler: stats_rates_sample() once a second (stats
 * thread), stats_collect() reads the last rate and the highest seen. */
struct stats_rates;
struct stats_rates *stats_rates_new(void);
void stats_rates_free(struct stats_rates *r);
void stats_rates_sample(struct stats_rates *r, const struct lbd_config *cfg, uint64_t now_ms);

/* Fills frontends, backends, servers, generation and refresh of `out` from
 * the configuration and its runtime state; the caller fills the process
 * fields and the VRRP panel.  0 or -ENOMEM (out is then empty).  r may be NULL. */
int stats_collect(const struct lbd_config *cfg, const struct stats_rates *r, struct stats_snapshot *out);

/* VRRP panel: parse vrrpd's "status" reply (pure; 0, or -1 with out->error
 * set), or ask vrrpd over its control socket (never fails: an unanswered
 * socket gives available = 0 and the reason). */
int stats_vrrp_parse(const char *json, size_t len, struct stats_vrrp *out);
void stats_vrrp_query(const char *socket_path, int timeout_ms, struct stats_vrrp *out);

/* Status words HAProxy writes and tools parse. */
const char *stats_srv_state_name(enum stats_srv_state st); /* "UP" "DOWN" "MAINT" "DRAIN" */

/* stats_tls.c: a frontend's TLS counters into f->tls; its JSON object
 * (",\"tls\":{...}") and Prometheus families, for the renderers. */
struct frontend;
void stats_tls_collect(const struct frontend *fe, struct stats_tls *out);
int stats_tls_json(const struct stats_tls *t, struct buf *b);
int stats_tls_prom(const struct stats_snapshot *s, struct buf *b);

/* Renderers: append to out; 0 or -ENOMEM. */
int stats_csv_header(struct buf *out);
int stats_csv_render(const struct stats_snapshot *s, struct buf *out);
int stats_json_render(const struct stats_snapshot *s, struct buf *out);
int stats_prom_render(const struct stats_snapshot *s, struct buf *out);
int stats_html_render(const struct stats_snapshot *s, struct buf *out);

#endif
