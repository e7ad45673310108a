#include "admin.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "health.h"
#include "json.h"
#include "lbd.h"
#include "log.h"
#include "model.h"
#include "stats.h"
#include "stats_service.h"

#define RLX memory_order_relaxed
#define WEIGHT_MAX 256

static int reply_text(struct buf *r, const char *key, const struct buf *text, const char *extra)
{
	int rc = buf_printf(r, "{\"ok\":true%s,\"%s\":", extra ? extra : "", key);
	rc = rc || json_string_n(r, text->data ? text->data : "", text->len);
	return rc || buf_puts(r, "}") ? -ENOMEM : 0;
}

static int cmd_show_stat(struct lbd *l, int json, struct buf *r)
{
	struct stats_snapshot s;
	struct buf out = BUF_INIT;
	memset(&s, 0, sizeof(s));
	int rc = stats_service_snapshot(l, &s);
	if (!rc && json) {
		rc = buf_puts(r, "{\"ok\":true,\"stats\":") || stats_json_render(&s, r) || buf_puts(r, "}");
	} else if (!rc) {
		rc = stats_csv_render(&s, &out);
		rc = rc || reply_text(r, "text", &out, ",\"format\":\"csv\"");
	}
	stats_snapshot_free(&s);
	buf_free(&out);
	if (rc) {
		buf_reset(r);
		buf_puts(r, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static int cmd_show_servers(struct lbd *l, struct buf *r)
{
	struct stats_snapshot s;
	struct buf text = BUF_INIT;
	memset(&s, 0, sizeof(s));
	if (stats_service_snapshot(l, &s)) {
		buf_puts(r, "out of memory");
		return -ENOMEM;
	}
	int rc = buf_printf(&text, "%-32s %-22s %-10s %-6s %-28s %8s %10s\n", "SERVER", "ADDRESS", "STATUS",
			    "WEIGHT", "LAST CHECK", "CHANGED", "REQUESTS");
	rc = rc || buf_puts(r, "{\"ok\":true,\"servers\":[");
	int first = 1;
	for (int i = 0; i < s.nbackends && !rc; i++) {
		const struct stats_backend *b = &s.backends[i];
		for (int j = 0; j < b->nservers && !rc; j++) {
			const struct stats_server *v = &b->servers[j];
			char path[2 * STATS_NAME_MAX + 2], chk[64];
			snprintf(path, sizeof(path), "%s/%s", b->name, v->name);
			if (!v->check_enabled)
				snprintf(chk, sizeof(chk), "-");
			else if (v->check_code)
				snprintf(chk, sizeof(chk), "%s %d (%u ms)", v->check_reason_name, v->check_code,
					 v->check_dur_ms);
			else
				snprintf(chk, sizeof(chk), "%s (%u ms)", v->check_reason_name, v->check_dur_ms);
			rc = buf_printf(&text, "%-32s %-22s %-10s %-6" PRIu32 " %-28s %7" PRId64 "s %10" PRIu64 "\n",
					path, v->addr, v->status, v->weight, chk, v->lastchg_s, v->c.stot);
			rc = rc || buf_puts(r, first ? "{\"server\":" : ",{\"server\":") || json_string(r, path);
			rc = rc || buf_puts(r, ",\"addr\":") || json_string(r, v->addr);
			rc = rc || buf_puts(r, ",\"status\":") || json_string(r, v->status);
			rc = rc || buf_puts(r, ",\"state\":") || json_string(r, stats_srv_state_name(v->state));
			rc = rc || buf_puts(r, ",\"check\":") || json_string(r, chk);
			rc = rc || buf_printf(r, ",\"weight\":%" PRIu32 ",\"last_change_s\":%" PRId64 ",\"requests\":%"
					      PRIu64 "}", v->weight, v->lastchg_s, v->c.stot);
			first = 0;
		}
	}
	rc = rc || buf_puts(r, "],\"text\":") || json_string_n(r, text.data ? text.data : "", text.len);
	rc = rc || buf_puts(r, "}");
	stats_snapshot_free(&s);
	buf_free(&text);
	return rc ? -ENOMEM : 0;
}

/* "B/S" of the running config -> server; NULL with a message in r. */
static struct server *find(struct lbd_config *cfg, const char *path, struct buf *r)
{
	struct server *s = cfg ? model_find_server_path(cfg, path) : NULL;
	if (!s)
		buf_printf(r, "no server '%s': expected BACKEND/SERVER of the running configuration", path);
	return s;
}

/* A server leaving maintenance was not checked meanwhile: with checks on it
 * comes back only after a passing check ("DOWN 1/2" with rise 2 means one
 * more); the checker probes it within an interval. */
static void leave_maint(struct server *s)
{
	const struct check_conf *ck = &s->be->conf.check;
	if (!ck->enabled)
		return;
	model_server_set_up(s, 0);
	atomic_store_explicit(&s->st->check_health, (int)ck->rise - 1, RLX);
}

/* {"event":"admin"|"weight","server":"B/S",...} to control-socket subscribers. */
static void publish(struct lbd *l, const char *kind, const char *path, const char *fmt_rest)
{
	struct buf e = BUF_INIT;
	buf_printf(&e, "{\"event\":\"%s\",\"server\":", kind);
	json_string(&e, path);
	buf_puts(&e, fmt_rest);
	lbd_publish(l, buf_cstr(&e));
	buf_free(&e);
}

static int set_admin(struct lbd *l, const char *path, enum server_admin to, struct buf *r)
{
	struct lbd_config *cfg = lbd_config_get(l);
	struct server *s = find(cfg, path, r);
	int rc = -ENOENT;
	if (s) {
		int from = atomic_exchange(&s->st->admin, (int)to);
		if (from == SERVER_MAINT && to != SERVER_MAINT)
			leave_maint(s);
		char rest[96];
		snprintf(rest, sizeof(rest), ",\"admin\":\"%s\",\"was\":\"%s\"}", server_admin_names[to],
			 server_admin_names[from]);
		if (from != (int)to) {
			log_notice("server %s: %s -> %s (control socket)", path, server_admin_names[from],
				   server_admin_names[to]);
			publish(l, "admin", path, rest);
		}
		buf_puts(r, "{\"ok\":true,\"server\":");
		json_string(r, path);
		buf_puts(r, rest);
		rc = 0;
	}
	model_config_unref(cfg);
	return rc;
}

static int set_weight(struct lbd *l, const char *path, const char *w, struct buf *r)
{
	char *end;
	unsigned long v = strtoul(w, &end, 10);
	if (!*w || *end || v > WEIGHT_MAX || w[0] == '-') {
		buf_printf(r, "expected a weight from 0 to %d, got '%s'", WEIGHT_MAX, w);
		return -EINVAL;
	}
	struct lbd_config *cfg = lbd_config_get(l);
	struct server *s = find(cfg, path, r);
	int rc = -ENOENT;
	if (s) {
		uint32_t from = atomic_exchange(&s->st->weight, (uint32_t)v);
		char rest[64];
		snprintf(rest, sizeof(rest), ",\"weight\":%lu,\"was\":%" PRIu32 "}", v, from);
		if (from != v) {
			log_notice("server %s: weight %" PRIu32 " -> %lu (control socket)", path, from, v);
			publish(l, "weight", path, rest);
		}
		buf_puts(r, "{\"ok\":true,\"server\":");
		json_string(r, path);
		buf_puts(r, rest);
		rc = 0;
	}
	model_config_unref(cfg);
	return rc;
}

/* One server marked down by peer-down: the log line and the event the
 * checker gives for a transition (health.c), with this reason. */
static void peer_down_one(struct lbd *l, const struct server *s, const char *ip)
{
	const struct backend *be = s->be;
	char path[2 * MODEL_NAME_MAX + 2];
	int n_up = 0;
	for (int i = 0; i < be->nservers; i++)
		n_up += model_server_usable(&be->servers[i]);
	snprintf(path, sizeof(path), "%s/%s", be->conf.name, s->conf.name);
	log_warn("server %s is DOWN: %s: node %s is down; %d of %d usable in backend %s", path,
		 check_reason_names[CHECK_PEER_DOWN], ip, n_up, be->nservers, be->conf.name);
	struct buf e = BUF_INIT;
	buf_puts(&e, "{\"event\":\"server\",\"server\":");
	json_string(&e, path);
	buf_puts(&e, ",\"state\":\"DOWN\",\"was\":\"UP\",\"reason\":");
	json_string(&e, check_reason_names[CHECK_PEER_DOWN]);
	buf_printf(&e, ",\"code\":0,\"usable\":%d,\"servers\":%d}", n_up, be->nservers);
	lbd_publish(l, buf_cstr(&e));
	buf_free(&e);
}

/* peer-down ADDR: vrrpd took over from the node at ADDR, which went
 * silent; its servers would each cost a request `timeout connect` until
 * their checks fail.  Every checked server at that IP goes down now, as if
 * its checks had failed; the checks bring it back.  An address no server
 * has is an error and changes nothing. */
static int peer_down(struct lbd *l, const char *text, struct buf *r)
{
	struct addr a;
	char err[128], ip[ADDR_STRLEN];
	if (addr_parse(text, ADDR_PORT_NONE, &a, err, sizeof(err)) < 0) {
		buf_printf(r, "expected an IP address of a node, got '%s'", text);
		return -EINVAL;
	}
	addr_format_ip(&a, ip, sizeof(ip));
	struct lbd_config *cfg = lbd_config_get(l);
	int matched = 0, marked = 0, rc = 0;
	struct buf list = BUF_INIT;
	for (int i = 0; cfg && i < cfg->nbackends; i++) {
		struct backend *be = &cfg->backends[i];
		for (int j = 0; j < be->nservers; j++) {
			struct server *s = &be->servers[j];
			if (!addr_equal_ip(&s->conf.addr, &a))
				continue;
			matched++;
			if (!health_apply_peer_down(s))
				continue;
			char path[2 * MODEL_NAME_MAX + 2];
			snprintf(path, sizeof(path), "%s/%s", be->conf.name, s->conf.name);
			rc = rc || buf_puts(&list, marked ? "," : "") || json_string(&list, path);
			marked++;
			peer_down_one(l, s, ip);
		}
	}
	model_config_unref(cfg);
	if (!matched) {
		buf_printf(r, "no server has the address %s: nothing marked down", ip);
		rc = -ENOENT;
	} else {
		log_notice("peer-down %s (control socket): %d of %d servers at that address marked down", ip,
			   marked, matched);
		rc = rc || buf_puts(r, "{\"ok\":true,\"peer\":") || json_string(r, ip);
		rc = rc || buf_printf(r, ",\"servers\":%d,\"marked\":%d,\"down\":[", matched, marked);
		rc = rc || buf_puts(r, buf_cstr(&list)) || buf_puts(r, "]}") ? -ENOMEM : 0;
	}
	buf_free(&list);
	return rc;
}

static int cmd_peer_down(struct lbd *l, void *arg, int argc, char **argv, struct buf *r)
{
	(void)arg;
	if (argc != 2) {
		buf_printf(r, "expected 'peer-down ADDRESS' (the IP of a node that is down)");
		return -EINVAL;
	}
	return peer_down(l, argv[1], r);
}

static int usage(struct buf *r, const char *u)
{
	buf_printf(r, "expected '%s'", u);
	return -EINVAL;
}

static int cmd_show(struct lbd *l, void *arg, int argc, char **argv, struct buf *r)
{
	(void)arg;
	if (argc >= 2 && !strcmp(argv[1], "stat") && (argc == 2 || (argc == 3 && !strcmp(argv[2], "json"))))
		return cmd_show_stat(l, argc == 3, r);
	if (argc == 2 && !strcmp(argv[1], "servers"))
		return cmd_show_servers(l, r);
	return usage(r, "show stat [json]' or 'show servers");
}

static int cmd_admin(struct lbd *l, void *arg, int argc, char **argv, struct buf *r)
{
	enum server_admin to = (enum server_admin)(intptr_t)arg;
	if (argc != 3 || strcmp(argv[1], "server")) {
		buf_printf(r, "expected '%s server BACKEND/SERVER'", argv[0]);
		return -EINVAL;
	}
	return set_admin(l, argv[2], to, r);
}

static int cmd_set(struct lbd *l, void *arg, int argc, char **argv, struct buf *r)
{
	(void)arg;
	if (argc != 4 || strcmp(argv[1], "weight"))
		return usage(r, "set weight BACKEND/SERVER N");
	return set_weight(l, argv[2], argv[3], r);
}

void admin_register(struct lbd *l)
{
	static int done;
	if (done++)
		return;
	lbd_ctl_register(l, "show", "show stat [json] | show servers", cmd_show, NULL);
	lbd_ctl_register(l, "disable", "disable server B/S", cmd_admin, (void *)(intptr_t)SERVER_MAINT);
	lbd_ctl_register(l, "drain", "drain server B/S", cmd_admin, (void *)(intptr_t)SERVER_DRAIN);
	lbd_ctl_register(l, "enable", "enable server B/S", cmd_admin, (void *)(intptr_t)SERVER_READY);
	lbd_ctl_register(l, "set", "set weight B/S N", cmd_set, NULL);
	lbd_ctl_register(l, "peer-down", "peer-down ADDR (vrrpd: that node is down)", cmd_peer_down, NULL);
}
