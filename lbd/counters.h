/* counters: the statistics one frontend, backend or server keeps
 * (connections, requests, bytes, responses by class, errors, queue,
 * response-time histogram).  Written by the workers with relaxed atomics,
 * read by the stats; readers may see them slightly apart.  The model_
 * prefix is historical (they lived in model.h). */
#ifndef LBD_COUNTERS_H
#define LBD_COUNTERS_H

#include <stdatomic.h>
#include <stdint.h>

#define MODEL_RT_BUCKETS 14 /* response-time histogram, see model_rt_bounds_us */

/* One set per frontend, backend and server (not all fields apply to all). */
struct lbd_counters {
	_Atomic uint64_t sess_cur;     /* gauge: connections (fe) / requests in flight (be, srv) */
	_Atomic uint64_t sess_max;     /* highest sess_cur seen */
	_Atomic uint64_t sess_total;   /* connections (fe) / requests sent (be, srv) */
	_Atomic uint64_t req_total;    /* HTTP requests (fe: received, be/srv: forwarded) */
	_Atomic uint64_t bytes_in;     /* from clients (request bytes) */
	_Atomic uint64_t bytes_out;    /* to clients (response bytes) */
	_Atomic uint64_t spliced_in;   /* ... of bytes_in, moved by splice (kernel to kernel) */
	_Atomic uint64_t spliced_out;  /* ... of bytes_out */
	_Atomic uint64_t resp[6];      /* [0] other, [1] 1xx .. [5] 5xx, as sent to clients */
	_Atomic uint64_t err_req;      /* bad requests (fe) */
	_Atomic uint64_t err_conn;     /* failed connects to a server (be, srv) */
	_Atomic uint64_t err_resp;     /* broken/timed-out responses (be, srv) */
	_Atomic uint64_t retries;      /* attempts repeated on the same or another server */
	_Atomic uint64_t redispatches; /* attempts moved to another server */
	_Atomic uint64_t denied_conn;  /* connections refused by maxconn (fe) */
	_Atomic uint64_t timeouts;     /* client/server timeouts */
	_Atomic uint64_t last_sess_ms; /* mtime_wall_ms() of the last request (be, srv) */
	_Atomic uint64_t q_cur;        /* gauge: requests waiting for a server slot (be) */
	_Atomic uint64_t q_max;        /* highest q_cur seen */
	_Atomic uint64_t q_timeouts;   /* requests that waited `timeout queue` in vain (be) */
	/* Response time (request head received -> response head sent), in us. */
	_Atomic uint64_t rt_sum_us;
	_Atomic uint64_t rt_count;
	_Atomic uint64_t rt_hist[MODEL_RT_BUCKETS + 1]; /* last = +Inf; not cumulative */
};

/* Upper bounds (us) of the histogram buckets, MODEL_RT_BUCKETS entries. */
extern const uint64_t model_rt_bounds_us[MODEL_RT_BUCKETS];

static inline void model_cnt_add(_Atomic uint64_t *c, uint64_t v)
{
	atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}
static inline uint64_t model_cnt_get(const _Atomic uint64_t *c)
{
	return atomic_load_explicit((_Atomic uint64_t *)c, memory_order_relaxed);
}
void model_sess_inc(struct lbd_counters *c); /* cur++ (and max), total++ */
void model_sess_dec(struct lbd_counters *c);
void model_queue_inc(struct lbd_counters *c); /* q_cur++ (and q_max) */
void model_queue_dec(struct lbd_counters *c);
void model_rt_observe(struct lbd_counters *c, uint64_t us);
void model_resp_count(struct lbd_counters *c, int status);

#endif
