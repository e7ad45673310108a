/* counters: see counters.h. */
#include "counters.h"

const uint64_t model_rt_bounds_us[MODEL_RT_BUCKETS] = {
	250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
	250000, 500000, 1000000, 2500000, 10000000,
};

void model_sess_inc(struct lbd_counters *c)
{
	uint64_t cur = atomic_fetch_add_explicit(&c->sess_cur, 1, memory_order_relaxed) + 1;
	uint64_t max = atomic_load_explicit(&c->sess_max, memory_order_relaxed);
	while (cur > max &&
	       !atomic_compare_exchange_weak_explicit(&c->sess_max, &max, cur, memory_order_relaxed,
						      memory_order_relaxed))
		;
	atomic_fetch_add_explicit(&c->sess_total, 1, memory_order_relaxed);
}

void model_sess_dec(struct lbd_counters *c)
{
	atomic_fetch_sub_explicit(&c->sess_cur, 1, memory_order_relaxed);
}

void model_rt_observe(struct lbd_counters *c, uint64_t us)
{
	int i = 0;
	while (i < MODEL_RT_BUCKETS && us > model_rt_bounds_us[i])
		i++;
	model_cnt_add(&c->rt_hist[i], 1);
	model_cnt_add(&c->rt_sum_us, us);
	model_cnt_add(&c->rt_count, 1);
}

void model_queue_inc(struct lbd_counters *c)
{
	uint64_t cur = atomic_fetch_add_explicit(&c->q_cur, 1, memory_order_relaxed) + 1;
	uint64_t max = atomic_load_explicit(&c->q_max, memory_order_relaxed);
	while (cur > max &&
	       !atomic_compare_exchange_weak_explicit(&c->q_max, &max, cur, memory_order_relaxed,
						      memory_order_relaxed))
		;
}

void model_queue_dec(struct lbd_counters *c)
{
	atomic_fetch_sub_explicit(&c->q_cur, 1, memory_order_relaxed);
}

void model_resp_count(struct lbd_counters *c, int status)
{
	int k = status / 100;
	model_cnt_add(&c->resp[k >= 1 && k <= 5 ? k : 0], 1);
}

