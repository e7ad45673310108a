#include "track.h"

#include <ev.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "httpc.h"
#include "iface.h"
#include "log.h"
#include "mtime.h"
#include "spawn.h"

struct track {
	struct track_conf conf;
	struct ev_loop *loop;
	struct track_fsm fsm;   /* when to check, and the verdict */
	ev_timer timer;         /* at track_fsm_deadline() */
	struct httpc *http;     /* the running HTTP check */
	struct spawn *child;    /* the running script */
	track_change_fn fn;
	void *arg;
};

static void rearm(struct track *t)
{
	uint64_t d = track_fsm_deadline(&t->fsm), now = mtime_us();
	ev_timer_stop(t->loop, &t->timer);
	if (d == TRACK_FSM_NEVER)
		return;
	/* ev_now may lag behind the clock: refresh it so the delay is exact. */
	ev_now_update(t->loop);
	ev_timer_set(&t->timer, d > now ? (double)(d - now) / 1e6 : 0., 0.);
	ev_timer_start(t->loop, &t->timer);
}

/* After a verdict: a failed check that left the track up is logged too (as
 * HAProxy does while a server is in transition), so that a near miss can be
 * seen; transitions are logged by op_changed. */
static void after_check(struct track *t, uint64_t checks_before)
{
	const struct track_fsm *f = &t->fsm;
	if (f->checks != checks_before && f->last != TRACK_OK && f->up)
		log_info("track %s: check failed (%s), %u of fall %u", t->conf.name, track_result_names[f->last],
			 f->fail_run, f->p.fall);
	rearm(t);
}

static void stop_check(struct track *t)
{
	httpc_cancel(t->http);
	t->http = NULL;
	if (t->child) {
		spawn_detach(t->child);
		spawn_kill(t->child);
		t->child = NULL;
	}
}

enum track_result track_http_verdict(const struct httpc_outcome *o, unsigned expect)
{
	switch (o->result) {
	case HTTPC_OK:
		if (expect ? o->status == (int)expect : o->status >= 200 && o->status < 300)
			return TRACK_OK;
		return TRACK_BAD_STATUS;
	case HTTPC_REFUSED:
	case HTTPC_RESET:
		return TRACK_REFUSED;
	case HTTPC_CONN_TIMEOUT:
	case HTTPC_RESP_TIMEOUT:
		return TRACK_TIMEOUT;
	case HTTPC_SOCKET_ERROR:
		return TRACK_ERROR;
	case HTTPC_BAD_RESPONSE:
	case HTTPC_BODY_MISMATCH:
	default:
		return TRACK_BAD_RESPONSE;
	}
}

static void http_done(void *arg, const struct httpc_outcome *o)
{
	struct track *t = arg;
	uint64_t n = t->fsm.checks;
	t->http = NULL; /* httpc frees itself once done */
	track_fsm_result(&t->fsm, mtime_us(), track_http_verdict(o, t->conf.http_status));
	after_check(t, n);
}

static enum track_result http_start(struct track *t)
{
	const struct addr *a = &t->conf.http_addr;
	char host[ADDR_STRLEN], req[400];
	int n = httpc_format_get(req, sizeof(req), "GET", t->conf.http_path, addr_format(a, host, sizeof(host)),
				 "vrrpd");
	struct httpc_request hr = { .bytes = req, .len = n > 0 ? (size_t)n : 0, .timeout_ms = t->conf.timeout_ms };
	t->http = httpc_start(t->loop, a, &hr, http_done, t);
	return t->http ? TRACK_OK : TRACK_ERROR;
}

static void script_done(void *arg, int status)
{
	struct track *t = arg;
	uint64_t n = t->fsm.checks;
	t->child = NULL;
	track_fsm_result(&t->fsm, mtime_us(), WIFEXITED(status) && WEXITSTATUS(status) == 0 ? TRACK_OK : TRACK_EXIT);
	after_check(t, n);
}

static enum track_result file_check(const struct track *t)
{
	char c = 0;
	int fd = open(t->conf.path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return TRACK_MISSING;
	ssize_t n = read(fd, &c, 1);
	close(fd);
	return n == 1 && c == '0' ? TRACK_MISSING : TRACK_OK;
}

static enum track_result link_state(const struct track *t)
{
	struct iface_info ii;
	return iface_query(t->conf.ifname, &ii) == 0 && ii.up ? TRACK_OK : TRACK_LINK_DOWN;
}

/* An interface track follows the link at once: the kernel's link event is
 * the state itself, not a sample (track_fsm_set). */
void track_link_event(struct track *t, const char *ifname)
{
	if (t->conf.kind == TRACK_INTERFACE && ifname && strcmp(ifname, t->conf.ifname) == 0) {
		track_fsm_set(&t->fsm, mtime_us(), link_state(t));
		rearm(t);
	}
}

/* ---- what the machine asks for ------------------------------------------ */

static int op_start(void *arg, enum track_result *r)
{
	struct track *t = arg;
	switch (t->conf.kind) {
	case TRACK_FILE:
		*r = file_check(t);
		return 0;
	case TRACK_INTERFACE:
		*r = link_state(t);
		return 0;
	case TRACK_HTTP:
		/* httpc keeps the same deadline and answers through http_done. */
		*r = http_start(t);
		return *r == TRACK_OK;
	case TRACK_SCRIPT:
		t->child = spawn_run(t->loop, t->conf.script, NULL, script_done, t);
		*r = t->child ? TRACK_OK : TRACK_ERROR;
		return t->child != NULL;
	}
	*r = TRACK_ERROR;
	return 0;
}

static void op_cancel(void *arg)
{
	stop_check(arg);
}

static void op_changed(void *arg, int up, enum track_result r)
{
	struct track *t = arg;
	/* Logged on transitions only, with the reason of the last check. */
	log_notice("track %s: %s (%s)", t->conf.name, up ? "up" : "down", track_result_names[r]);
	t->fn(t->arg, t, up);
}

static const struct track_fsm_ops track_ops = { op_start, op_cancel, op_changed };

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct track *t = w->data;
	(void)loop; (void)revents;
	/* A late loop turn runs this timer before the check's socket watcher:
	 * an answer that came in time is taken first (http_done runs then),
	 * rather than the check failing on its deadline. */
	if (t->http)
		(void)httpc_poll(t->http);
	uint64_t n = t->fsm.checks;
	track_fsm_tick(&t->fsm, mtime_us());
	after_check(t, n);
}

struct track *track_new(struct ev_loop *loop, const struct track_conf *conf, int initial_up,
			enum track_result initial_last, uint32_t first_delay_ms, track_change_fn fn, void *arg)
{
	struct track *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->conf = *conf;
	t->loop = loop;
	t->fn = fn;
	t->arg = arg;
	struct track_fsm_params p = {
		/* An interface track checks once, then only on link events. */
		.interval_us = conf->kind == TRACK_INTERFACE ? 0 : conf->interval_ms * 1000ull,
		.fast_us = conf->fast_interval_ms * 1000ull,
		.timeout_us = conf->timeout_ms * 1000ull,
		.rise = conf->rise,
		.fall = conf->fall,
		.refused_down = conf->refused_down,
		.states = conf->kind == TRACK_INTERFACE,
	};
	track_fsm_init(&t->fsm, &p, initial_up, initial_last, mtime_us() + first_delay_ms * 1000ull, &track_ops, t);
	ev_timer_init(&t->timer, on_timer, 0., 0.);
	t->timer.data = t;
	rearm(t);
	return t;
}

void track_free(struct track *t)
{
	if (!t)
		return;
	stop_check(t);
	ev_timer_stop(t->loop, &t->timer);
	free(t);
}

int track_is_up(const struct track *t) { return t->fsm.up; }
const char *track_name(const struct track *t) { return t->conf.name; }
enum track_result track_last(const struct track *t) { return t->fsm.last; }
uint64_t track_checks(const struct track *t) { return t->fsm.checks; }

int track_same_conf(const struct track *t, const struct track_conf *c)
{
	const struct track_conf *a = &t->conf;
	return a->kind == c->kind && a->interval_ms == c->interval_ms && a->timeout_ms == c->timeout_ms &&
	       a->fast_interval_ms == c->fast_interval_ms && a->refused_down == c->refused_down &&
	       a->rise == c->rise && a->fall == c->fall && a->http_status == c->http_status &&
	       addr_equal_ip(&a->http_addr, &c->http_addr) && addr_port(&a->http_addr) == addr_port(&c->http_addr) &&
	       strcmp(a->http_path, c->http_path) == 0 && strcmp(a->script, c->script) == 0 &&
	       strcmp(a->path, c->path) == 0 && strcmp(a->ifname, c->ifname) == 0;
}
