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
#include "spawn.h"

const char *const track_result_names[TRACK_RESULT_MAX] = {
	[TRACK_OK] = "ok",
	[TRACK_REFUSED] = "connect_failed",
	[TRACK_TIMEOUT] = "timeout",
	[TRACK_BAD_STATUS] = "bad_status",
	[TRACK_BAD_RESPONSE] = "bad_response",
	[TRACK_EXIT] = "exit_status",
	[TRACK_MISSING] = "missing",
	[TRACK_LINK_DOWN] = "link_down",
	[TRACK_ERROR] = "error",
};

struct track {
	struct track_conf conf;
	struct ev_loop *loop;
	ev_timer interval;      /* next check */
	ev_timer timeout;       /* the running script */
	struct httpc *http;     /* the running HTTP check */
	struct spawn *child;    /* script */
	int running;
	int up;
	unsigned ok_run, fail_run;
	enum track_result last;
	uint64_t checks;
	track_change_fn fn;
	void *arg;
};

static void verdict(struct track *t, enum track_result r)
{
	int was = t->up;
	t->running = 0;
	t->checks++;
	if (r == TRACK_OK) {
		t->fail_run = 0;
		if (++t->ok_run >= t->conf.rise)
			t->up = 1;
	} else {
		t->ok_run = 0;
		if (++t->fail_run >= t->conf.fall)
			t->up = 0;
	}
	/* Log on transitions only, with the reason of the last check. */
	if (t->up != was) {
		log_notice("track %s: %s (%s)", t->conf.name, t->up ? "up" : "down", track_result_names[r]);
		t->last = r;
		t->fn(t->arg, t, t->up);
	}
	t->last = r;
}

static void stop_check(struct track *t)
{
	ev_timer_stop(t->loop, &t->timeout);
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
	t->http = NULL; /* httpc frees itself once done */
	verdict(t, track_http_verdict(o, t->conf.http_status));
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
	t->child = NULL;
	ev_timer_stop(t->loop, &t->timeout);
	verdict(t, WIFEXITED(status) && WEXITSTATUS(status) == 0 ? TRACK_OK : TRACK_EXIT);
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

static void on_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct track *t = w->data;
	(void)loop; (void)revents;
	stop_check(t);
	verdict(t, TRACK_TIMEOUT);
}

/* An interface track follows the link at once: the kernel's link event is
 * the state itself, not a sample, so rise and fall do not apply. */
static void link_verdict(struct track *t)
{
	struct iface_info ii;
	enum track_result r = iface_query(t->conf.ifname, &ii) == 0 && ii.up ? TRACK_OK : TRACK_LINK_DOWN;
	t->ok_run = r == TRACK_OK && t->conf.rise ? t->conf.rise - 1 : 0;
	t->fail_run = r != TRACK_OK && t->conf.fall ? t->conf.fall - 1 : 0;
	verdict(t, r);
}

void track_link_event(struct track *t, const char *ifname)
{
	if (t->conf.kind == TRACK_INTERFACE && ifname && strcmp(ifname, t->conf.ifname) == 0)
		link_verdict(t);
}

static void on_interval(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct track *t = w->data;
	enum track_result r = TRACK_OK;
	(void)loop; (void)revents;

	if (t->running) /* the previous check outlived its interval: the timeout decides */
		return;
	switch (t->conf.kind) {
	case TRACK_FILE:
		verdict(t, file_check(t));
		return;
	case TRACK_INTERFACE:
		link_verdict(t);
		return;
	case TRACK_HTTP:
		/* httpc keeps the deadline and answers through http_done. */
		r = http_start(t);
		t->running = r == TRACK_OK;
		if (r != TRACK_OK)
			verdict(t, r);
		return;
	case TRACK_SCRIPT:
		t->child = spawn_run(t->loop, t->conf.script, NULL, script_done, t);
		r = t->child ? TRACK_OK : TRACK_ERROR;
		break;
	}
	if (r != TRACK_OK) {
		verdict(t, r);
		return;
	}
	t->running = 1;
	ev_timer_set(&t->timeout, t->conf.timeout_ms / 1000.0, 0.);
	ev_timer_start(t->loop, &t->timeout);
}

struct track *track_new(struct ev_loop *loop, const struct track_conf *conf, int initial_up,
			enum track_result initial_last, uint32_t first_delay_ms, track_change_fn fn, void *arg)
{
	struct track *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->conf = *conf;
	t->loop = loop;
	t->up = initial_up;
	t->last = initial_last;
	t->fn = fn;
	t->arg = arg;
	/* An interface track checks once, then only on link events. */
	ev_timer_init(&t->interval, on_interval, first_delay_ms / 1000.0,
		      conf->kind == TRACK_INTERFACE ? 0. : conf->interval_ms / 1000.0);
	t->interval.data = t;
	ev_timer_init(&t->timeout, on_timeout, 0., 0.);
	t->timeout.data = t;
	ev_timer_start(loop, &t->interval);
	return t;
}

void track_free(struct track *t)
{
	if (!t)
		return;
	stop_check(t);
	ev_timer_stop(t->loop, &t->interval);
	free(t);
}

int track_is_up(const struct track *t) { return t->up; }
const char *track_name(const struct track *t) { return t->conf.name; }
enum track_result track_last(const struct track *t) { return t->last; }
uint64_t track_checks(const struct track *t) { return t->checks; }

int track_same_conf(const struct track *t, const struct track_conf *c)
{
	const struct track_conf *a = &t->conf;
	return a->kind == c->kind && a->interval_ms == c->interval_ms && a->timeout_ms == c->timeout_ms &&
	       a->rise == c->rise && a->fall == c->fall && a->http_status == c->http_status &&
	       addr_equal_ip(&a->http_addr, &c->http_addr) && addr_port(&a->http_addr) == addr_port(&c->http_addr) &&
	       strcmp(a->http_path, c->http_path) == 0 && strcmp(a->script, c->script) == 0 &&
	       strcmp(a->path, c->path) == 0 && strcmp(a->ifname, c->ifname) == 0;
}
