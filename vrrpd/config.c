#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"

/* What the handlers fill while walking the tree. Track references are
 * resolved after the walk, so a track block may follow the instance using it. */
struct config_ctx {
	struct vrrpd_config *c;
	struct instance_conf *in;
	struct track_conf *tr;
	int have_kind;
};

static int copy_word(const struct conf_node *n, int i, char *dst, size_t cap, const char *what,
		     char *err, size_t errlen)
{
	size_t len = strlen(n->args[i]);
	if (len == 0 || len >= cap)
		return conf_error(err, errlen, n, i, "expected %s of 1 to %zu characters", what, cap - 1);
	memcpy(dst, n->args[i], len + 1);
	return 0;
}

/* ---- global { } ---------------------------------------------------------- */

static int g_control(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	if (n->args[1][0] != '/')
		return conf_error(err, errlen, n, 1, "expected an absolute path for the control socket");
	return copy_word(n, 1, x->c->global.control, sizeof(x->c->global.control), "a socket path",
			 err, errlen);
}

static int g_realtime(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	unsigned v = 0;
	int rc = conf_get_u32(n, 1, 0, 99, &v, err, errlen);
	x->c->global.rt_priority = (int)v;
	return rc;
}

static int g_mlock(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return conf_get_bool(n, 1, &x->c->global.mlock, err, errlen);
}

static int g_xdp_guard(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return conf_get_bool(n, 1, &x->c->global.xdp_guard, err, errlen);
}

static int g_notify(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return copy_word(n, 1, x->c->global.notify, sizeof(x->c->global.notify), "a command", err,
			 errlen);
}

static int g_notify_timeout(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return conf_get_ms32(n, 1, 100, 3600000, &x->c->global.notify_timeout_ms, err, errlen);
}

static int g_lbd_control(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	if (n->args[1][0] != '/')
		return conf_error(err, errlen, n, 1, "expected an absolute path for lbd's control socket");
	return copy_word(n, 1, x->c->global.lbd_control, sizeof(x->c->global.lbd_control), "a socket path",
			 err, errlen);
}

static int g_handover_timeout(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return conf_get_ms32(n, 1, 100, 600000, &x->c->global.handover_timeout_ms, err, errlen);
}

static const struct conf_keyword global_kw[] = {
	{ "control", "control PATH", 1, 1, CONF_NO_BLOCK, 0, g_control },
	{ "realtime-priority", "realtime-priority 0-99", 1, 1, CONF_NO_BLOCK, 0, g_realtime },
	{ "mlock", "mlock on|off", 1, 1, CONF_NO_BLOCK, 0, g_mlock },
	{ "xdp-guard", "xdp-guard on|off", 1, 1, CONF_NO_BLOCK, 0, g_xdp_guard },
	{ "notify", "notify COMMAND", 1, 1, CONF_NO_BLOCK, 0, g_notify },
	{ "notify-timeout", "notify-timeout DURATION", 1, 1, CONF_NO_BLOCK, 0, g_notify_timeout },
	{ "lbd-control", "lbd-control PATH", 1, 1, CONF_NO_BLOCK, 0, g_lbd_control },
	{ "handover-timeout", "handover-timeout DURATION", 1, 1, CONF_NO_BLOCK, 0, g_handover_timeout },
	{ NULL, NULL, 0, 0, CONF_NO_BLOCK, 0, NULL },
};

/* ---- track NAME { } ------------------------------------------------------ */

static int t_kind(struct config_ctx *x, const struct conf_node *n, enum track_kind k,
		  char *err, size_t errlen)
{
	if (x->have_kind)
		return conf_error(err, errlen, n, 0,
				  "expected one check per track block (http, script, file or interface)");
	x->have_kind = 1;
	x->tr->kind = k;
	return 0;
}

static int t_http(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	int rc = t_kind(x, n, TRACK_HTTP, err, errlen);
	if (rc || (rc = conf_get_addr(n, 1, ADDR_PORT_REQUIRED, &x->tr->http_addr, err, errlen)))
		return rc;
	if (n->nargs < 3) {
		strcpy(x->tr->http_path, "/healthz");
		return 0;
	}
	if (n->args[2][0] != '/' || strpbrk(n->args[2], " \r\n"))
		return conf_error(err, errlen, n, 2, "expected a path starting with '/', got '%s'",
				  n->args[2]);
	return copy_word(n, 2, x->tr->http_path, sizeof(x->tr->http_path), "a path", err, errlen);
}

static int t_status(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return conf_get_u32(n, 1, 100, 599, &x->tr->http_status, err, errlen);
}

static int t_script(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	int rc = t_kind(x, n, TRACK_SCRIPT, err, errlen);
	return rc ? rc : copy_word(n, 1, x->tr->script, sizeof(x->tr->script), "a command", err, errlen);
}

static int t_file(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	int rc = t_kind(x, n, TRACK_FILE, err, errlen);
	return rc ? rc : copy_word(n, 1, x->tr->path, sizeof(x->tr->path), "a path", err, errlen);
}

static int t_interface(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	int rc = t_kind(x, n, TRACK_INTERFACE, err, errlen);
	return rc ? rc : copy_word(n, 1, x->tr->ifname, sizeof(x->tr->ifname), "an interface name",
				   err, errlen);
}

static int t_interval(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return conf_get_ms32(n, 1, 10, 3600000, &x->tr->interval_ms, err, errlen);
}

static int t_timeout(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return conf_get_ms32(n, 1, 10, 3600000, &x->tr->timeout_ms, err, errlen);
}

static int t_fast_interval(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return conf_get_ms32(n, 1, 0, 3600000, &x->tr->fast_interval_ms, err, errlen);
}

static int t_on_refused(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	static const char *const words[] = { "fall", "down", NULL };
	struct config_ctx *x = ctx;
	int k = conf_get_enum(n, 1, words, err, errlen);
	if (k < 0)
		return k;
	x->tr->refused_down = k == 1;
	return 0;
}

static int t_rise(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return conf_get_u32(n, 1, 1, 100, &x->tr->rise, err, errlen);
}

static int t_fall(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return conf_get_u32(n, 1, 1, 100, &x->tr->fall, err, errlen);
}

static const struct conf_keyword track_kw[] = {
	{ "http", "http ADDRESS:PORT [PATH]", 1, 2, CONF_NO_BLOCK, 0, t_http },
	{ "status", "status CODE", 1, 1, CONF_NO_BLOCK, 0, t_status },
	{ "script", "script COMMAND", 1, 1, CONF_NO_BLOCK, 0, t_script },
	{ "file", "file PATH", 1, 1, CONF_NO_BLOCK, 0, t_file },
	{ "interface", "interface NAME", 1, 1, CONF_NO_BLOCK, 0, t_interface },
	{ "interval", "interval DURATION", 1, 1, CONF_NO_BLOCK, 0, t_interval },
	{ "timeout", "timeout DURATION", 1, 1, CONF_NO_BLOCK, 0, t_timeout },
	{ "fast-interval", "fast-interval DURATION", 1, 1, CONF_NO_BLOCK, 0, t_fast_interval },
	{ "on-refused", "on-refused fall|down", 1, 1, CONF_NO_BLOCK, 0, t_on_refused },
	{ "rise", "rise N", 1, 1, CONF_NO_BLOCK, 0, t_rise },
	{ "fall", "fall N", 1, 1, CONF_NO_BLOCK, 0, t_fall },
	{ NULL, NULL, 0, 0, CONF_NO_BLOCK, 0, NULL },
};

static int top_track(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	struct vrrpd_config *c = x->c;
	struct track_conf *t = realloc(c->tracks, sizeof(*t) * (size_t)(c->ntracks + 1));
	int rc;

	if (!t)
		return conf_error(err, errlen, n, 0, "out of memory");
	c->tracks = t;
	t = &c->tracks[c->ntracks];
	memset(t, 0, sizeof(*t));
	if ((rc = copy_word(n, 1, t->name, sizeof(t->name), "a track name", err, errlen)))
		return rc;
	t->interval_ms = 2000;
	t->timeout_ms = 1000;
	t->fast_interval_ms = UINT32_MAX; /* the interval, once known */
	t->rise = 2;
	t->fall = 2;
	x->tr = t;
	x->have_kind = 0;
	if ((rc = conf_dispatch(n, track_kw, x, err, errlen)))
		return rc;
	if (!x->have_kind)
		return conf_error(err, errlen, n, 0,
				  "expected one of http, script, file or interface in track '%s'", t->name);
	if (t->http_status && t->kind != TRACK_HTTP)
		return conf_error(err, errlen, n, 0, "expected 'status' only in an http track");
	if (t->timeout_ms > t->interval_ms)
		return conf_error(err, errlen, n, 0, "expected timeout (%ums) at most interval (%ums)",
				  t->timeout_ms, t->interval_ms);
	if (t->fast_interval_ms == UINT32_MAX)
		t->fast_interval_ms = t->interval_ms;
	else if (t->fast_interval_ms > t->interval_ms)
		return conf_error(err, errlen, n, 0, "expected fast-interval (%ums) at most interval (%ums)",
				  t->fast_interval_ms, t->interval_ms);
	if (t->refused_down && t->kind != TRACK_HTTP)
		return conf_error(err, errlen, n, 0, "expected 'on-refused' only in an http track");
	c->ntracks++;
	return 0;
}

/* ---- instance NAME { } --------------------------------------------------- */

static int i_interface(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return copy_word(n, 1, x->in->ifname, sizeof(x->in->ifname), "an interface name", err, errlen);
}

static int i_vrid(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return conf_get_u32(n, 1, 1, 255, &x->in->vrid, err, errlen);
}

static int i_priority(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return conf_get_u32(n, 1, 1, 255, &x->in->priority, err, errlen);
}

static int i_advert(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	uint32_t ms = 0;
	int rc = conf_get_ms32(n, 1, 10, 40950, &ms, err, errlen);
	if (rc)
		return rc;
	if (ms % 10)
		return conf_error(err, errlen, n, 1,
				  "expected a whole number of centiseconds (VRRPv3 unit), got '%s'",
				  n->args[1]);
	x->in->advert_cs = ms / 10;
	return 0;
}

/* The family of an instance is that of its first address; all must agree. */
static int i_family(struct config_ctx *x, const struct conf_node *n, int i, const struct addr *a,
		    char *err, size_t errlen)
{
	int f = addr_family(a);
	if (!x->in->family)
		x->in->family = f;
	if (x->in->family != f)
		return conf_error(err, errlen, n, i,
				  "expected an %s address like the others of this instance (one family per instance)",
				  x->in->family == AF_INET ? "IPv4" : "IPv6");
	return 0;
}

static int i_vip(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	struct instance_conf *in = x->in;
	struct vip_conf *v;
	int rc;

	if (in->nvips >= CONFIG_MAX_VIPS)
		return conf_error(err, errlen, n, 0, "expected at most %d virtual addresses", CONFIG_MAX_VIPS);
	v = &in->vips[in->nvips];
	memset(v, 0, sizeof(*v));
	if ((rc = conf_get_prefix(n, 1, &v->addr, &v->prefixlen, err, errlen)) ||
	    (rc = i_family(x, n, 1, &v->addr, err, errlen)))
		return rc;
	if (n->nargs == 3 || (n->nargs == 4 && strcmp(n->args[2], "label") != 0))
		return conf_error(err, errlen, n, 2, "expected 'virtual-address PREFIX [label NAME]'");
	if (n->nargs == 4) {
		if (v->addr.ss.ss_family != AF_INET)
			return conf_error(err, errlen, n, 2, "expected no label on an IPv6 address (labels are IPv4 only)");
		if ((rc = copy_word(n, 3, v->label, sizeof(v->label), "a label", err, errlen)))
			return rc;
	}
	for (int i = 0; i < in->nvips; i++)
		if (addr_equal_ip(&in->vips[i].addr, &v->addr))
			return conf_error(err, errlen, n, 1, "expected each virtual address once, '%s' repeats",
					  n->args[1]);
	/* RFC 5798 / 9568 5.2.9: an IPv6 advert's first address MUST be the
	 * virtual router's link-local one.  Only a warning, as keepalived:
	 * refusing would stop every IPv6 configuration in use, and vrrpd and
	 * keepalived accept such adverts. */
	if (in->nvips == 0 && v->addr.ss.ss_family == AF_INET6 &&
	    !IN6_IS_ADDR_LINKLOCAL(&((const struct sockaddr_in6 *)&v->addr.ss)->sin6_addr))
		log_warn("%s:%d:%d: the first virtual-address of an IPv6 instance should be link-local "
			 "(RFC 9568 5.2.9): %s is not; routers that check this drop the adverts",
			 n->file, n->pos[1].line, n->pos[1].col, n->args[1]);
	in->nvips++;
	return 0;
}

static int i_unicast_src(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	int rc = conf_get_addr(n, 1, ADDR_PORT_NONE, &x->in->unicast_src, err, errlen);
	return rc ? rc : i_family(x, n, 1, &x->in->unicast_src, err, errlen);
}

static int i_peer(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	struct instance_conf *in = x->in;
	int rc;

	if (in->npeers >= CONFIG_MAX_PEERS)
		return conf_error(err, errlen, n, 0, "expected at most %d unicast peers", CONFIG_MAX_PEERS);
	if ((rc = conf_get_addr(n, 1, ADDR_PORT_NONE, &in->peers[in->npeers], err, errlen)) ||
	    (rc = i_family(x, n, 1, &in->peers[in->npeers], err, errlen)))
		return rc;
	in->npeers++;
	return 0;
}

static int i_preempt(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	if (n->nargs == 1) {
		x->in->preempt = 1;
		return 0;
	}
	return conf_get_bool(n, 1, &x->in->preempt, err, errlen);
}

static int i_preempt_delay(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return conf_get_ms32(n, 1, 0, 3600000, &x->in->preempt_delay_ms, err, errlen);
}

static int i_preempt_grace(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	x->in->preempt_grace_set = 1;
	if (strcmp(n->args[1], "off") == 0) {
		x->in->preempt_grace_ms = 0;
		return 0;
	}
	return conf_get_ms32(n, 1, 0, CONFIG_PREEMPT_GRACE_MAX_MS, &x->in->preempt_grace_ms, err, errlen);
}

static int i_accept(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	if (n->nargs == 1) {
		x->in->accept = 1;
		return 0;
	}
	return conf_get_bool(n, 1, &x->in->accept, err, errlen);
}

static int i_vmac(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	int rc;
	if (n->nargs == 1) {
		x->in->vmac = 1;
		return 0;
	}
	if ((rc = conf_get_bool(n, 1, &x->in->vmac, err, errlen)))
		return rc;
	if (n->nargs == 3) {
		if (!x->in->vmac)
			return conf_error(err, errlen, n, 2, "expected no interface name after 'vmac off'");
		return copy_word(n, 2, x->in->vmac_ifname, sizeof(x->in->vmac_ifname), "an interface name",
				 err, errlen);
	}
	return 0;
}

static int i_checksum(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	static const char *const words[] = { "rfc5798", "rfc9568", NULL };
	struct config_ctx *x = ctx;
	int k = conf_get_enum(n, 1, words, err, errlen);
	if (k < 0)
		return k;
	x->in->checksum = (enum config_checksum)k;
	return 0;
}

static int gr_count(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return conf_get_u32(n, 1, 0, 100, &x->in->garp.count, err, errlen);
}

static int gr_interval(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return conf_get_ms32(n, 1, 0, 10000, &x->in->garp.interval_ms, err, errlen);
}

static int gr_repeat(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return conf_get_ms32(n, 1, 0, 3600000, &x->in->garp.repeat_ms, err, errlen);
}

static int gr_refresh(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	int rc = conf_get_ms32(n, 1, 0, 86400000, &x->in->garp.refresh_ms, err, errlen);
	if (!rc && x->in->garp.refresh_ms && x->in->garp.refresh_ms < 1000)
		return conf_error(err, errlen, n, 1, "expected 0 (off) or at least 1s, got '%s'", n->args[1]);
	return rc;
}

static int i_syn_hold(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	if (n->nargs == 1) {
		x->in->syn_hold = 1;
		return 0;
	}
	return conf_get_bool(n, 1, &x->in->syn_hold, err, errlen);
}

static int i_syn_hold_ports(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct instance_conf *in = ((struct config_ctx *)ctx)->in;
	if (n->nargs - 1 > CONFIG_MAX_SYN_HOLD_PORTS)
		return conf_error(err, errlen, n, CONFIG_MAX_SYN_HOLD_PORTS + 1, "expected at most %d ports",
				  CONFIG_MAX_SYN_HOLD_PORTS);
	for (int i = 1; i < n->nargs; i++) {
		uint32_t port;
		int rc = conf_get_u32(n, i, 1, 65535, &port, err, errlen);
		if (rc)
			return rc;
		for (int k = 0; k < in->nsyn_hold_ports; k++)
			if (in->syn_hold_ports[k] == port)
				return conf_error(err, errlen, n, i, "expected each port once, got %u again", port);
		in->syn_hold_ports[in->nsyn_hold_ports++] = (uint16_t)port;
	}
	return 0;
}

static const struct conf_keyword garp_kw[] = {
	{ "count", "count N", 1, 1, CONF_NO_BLOCK, 0, gr_count },
	{ "interval", "interval DURATION", 1, 1, CONF_NO_BLOCK, 0, gr_interval },
	{ "repeat", "repeat DURATION", 1, 1, CONF_NO_BLOCK, 0, gr_repeat },
	{ "refresh", "refresh DURATION", 1, 1, CONF_NO_BLOCK, 0, gr_refresh },
	{ NULL, NULL, 0, 0, CONF_NO_BLOCK, 0, NULL },
};

static int i_garp(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	return conf_dispatch(n, garp_kw, ctx, err, errlen);
}

/* The first peer, then up to CONFIG_BFD_MORE more (a master with several
 * backups runs a session to each). */
static int b_peer(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	struct bfd_conf *b = &x->in->bfd;
	struct addr a;
	int rc = conf_get_addr(n, 1, ADDR_PORT_NONE, &a, err, errlen);
	if (!rc)
		rc = i_family(x, n, 1, &a, err, errlen);
	if (rc)
		return rc;
	int have = b->peer.ss.ss_family ? 1 + b->nmore : 0;
	for (int i = 0; i < have; i++)
		if (addr_equal_ip(i ? &b->more[i - 1] : &b->peer, &a))
			return conf_error(err, errlen, n, 1, "expected each bfd peer once, got '%s' again", n->args[1]);
	if (have > CONFIG_BFD_MORE)
		return conf_error(err, errlen, n, 0, "expected at most %d bfd peers", CONFIG_BFD_MORE + 1);
	if (have)
		b->more[b->nmore++] = a;
	else
		b->peer = a;
	return 0;
}

static int b_min_tx(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return conf_get_ms32(n, 1, 10, 60000, &x->in->bfd.min_tx_ms, err, errlen);
}

static int b_min_rx(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return conf_get_ms32(n, 1, 10, 60000, &x->in->bfd.min_rx_ms, err, errlen);
}

static int b_mult(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return conf_get_u32(n, 1, 1, 255, &x->in->bfd.mult, err, errlen);
}

static int b_auth(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	static const char *const types[] = { "none", "simple", "keyed-md5", "meticulous-keyed-md5",
					     "keyed-sha1", "meticulous-keyed-sha1", NULL };
	int t = conf_get_enum(n, 1, types, err, errlen);
	if (t < 0)
		return t;
	x->in->bfd.auth.type = (uint8_t)t;
	return 0;
}

static int b_key_id(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	uint32_t v;
	int rc = conf_get_u32(n, 1, 0, 255, &v, err, errlen);
	if (!rc)
		x->in->bfd.auth.key_id = (uint8_t)v;
	return rc;
}

static int b_secret(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	size_t len = strlen(n->args[1]);
	if (len == 0 || len > BFD_AUTH_SECRET_MAX)
		return conf_error(err, errlen, n, 1, "expected a secret of 1 to %d bytes", BFD_AUTH_SECRET_MAX);
	memcpy(x->in->bfd.auth.secret, n->args[1], len);
	x->in->bfd.auth.len = (uint8_t)len;
	return 0;
}

/* The secret from a file that only its owner, root, may read (a trailing
 * newline is not part of it). */
static int b_secret_file(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	char buf[BFD_AUTH_SECRET_MAX + 2];
	struct stat st;
	int rc = 0;
	int fd = open(n->args[1], O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return conf_error(err, errlen, n, 1, "expected a readable secret file: %s", strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 077)) {
		rc = conf_error(err, errlen, n, 1, "expected a regular file owned by root, mode 0600 or 0400");
		goto out;
	}
	ssize_t len = read(fd, buf, sizeof(buf));
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	if (len <= 0 || len > BFD_AUTH_SECRET_MAX) {
		rc = conf_error(err, errlen, n, 1, "expected a secret of 1 to %d bytes in the file",
				BFD_AUTH_SECRET_MAX);
		goto out;
	}
	memcpy(x->in->bfd.auth.secret, buf, (size_t)len);
	x->in->bfd.auth.len = (uint8_t)len;
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

static const struct conf_keyword bfd_kw[] = {
	{ "peer", "peer ADDRESS", 1, 1, CONF_NO_BLOCK, CONF_MULTI, b_peer },
	{ "min-tx", "min-tx DURATION", 1, 1, CONF_NO_BLOCK, 0, b_min_tx },
	{ "min-rx", "min-rx DURATION", 1, 1, CONF_NO_BLOCK, 0, b_min_rx },
	{ "multiplier", "multiplier 1-255", 1, 1, CONF_NO_BLOCK, 0, b_mult },
	{ "auth", "auth none|simple|keyed-md5|meticulous-keyed-md5|keyed-sha1|meticulous-keyed-sha1", 1, 1,
	  CONF_NO_BLOCK, 0, b_auth },
	{ "key-id", "key-id 0-255", 1, 1, CONF_NO_BLOCK, 0, b_key_id },
	{ "secret", "secret STRING", 1, 1, CONF_NO_BLOCK, 0, b_secret },
	{ "secret-file", "secret-file PATH", 1, 1, CONF_NO_BLOCK, 0, b_secret_file },
	{ NULL, NULL, 0, 0, CONF_NO_BLOCK, 0, NULL },
};

/* auth and its secret go together, and the secret must fit the type. */
static int bfd_auth_complete(const struct conf_node *n, struct bfd_conf *b, char *err, size_t errlen)
{
	size_t max = bfd_auth_secret_max(b->auth.type);
	if (b->auth.type == BFD_AUTH_NONE && b->auth.len)
		return conf_error(err, errlen, n, 0, "expected 'auth TYPE' with a secret in the bfd block");
	if (b->auth.type != BFD_AUTH_NONE && !b->auth.len)
		return conf_error(err, errlen, n, 0, "expected 'secret' or 'secret-file' with 'auth %s'",
				  bfd_auth_type_names[b->auth.type]);
	if (b->auth.len > max)
		return conf_error(err, errlen, n, 0, "expected a secret of at most %zu bytes for 'auth %s'", max,
				  bfd_auth_type_names[b->auth.type]);
	return 0;
}

static int i_bfd(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	struct bfd_conf *b = &x->in->bfd;
	b->min_tx_ms = 300;
	b->min_rx_ms = 300;
	b->mult = 3;
	int rc = conf_dispatch(n, bfd_kw, ctx, err, errlen);
	if (rc)
		return rc;
	if (!b->peer.ss.ss_family)
		return conf_error(err, errlen, n, 0, "expected 'peer ADDRESS' in the bfd block");
	if ((rc = bfd_auth_complete(n, b, err, errlen)))
		return rc;
	b->on = 1;
	return 0;
}

static int i_track(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	struct instance_conf *in = x->in;
	struct track_ref *r;

	if (in->ntracks >= CONFIG_MAX_TRACKS)
		return conf_error(err, errlen, n, 0, "expected at most %d track lines", CONFIG_MAX_TRACKS);
	r = &in->tracks[in->ntracks];
	r->track = -1;
	r->weight = 0;
	if (n->nargs == 3 && strcmp(n->args[2], "fault") == 0) {
		r->weight = 0;
	} else if (n->nargs == 4 && strcmp(n->args[2], "weight") == 0) {
		char *end;
		long w = strtol(n->args[3], &end, 10);
		if (*end || end == n->args[3] || w < -254 || w > 254 || w == 0)
			return conf_error(err, errlen, n, 3,
					  "expected a weight from -254 to 254 other than 0 (use 'fault'), got '%s'",
					  n->args[3]);
		r->weight = (int)w;
	} else if (n->nargs != 2) {
		return conf_error(err, errlen, n, 2, "expected 'track NAME [weight N | fault]'");
	}
	in->ntracks++;
	return 0;
}

static int i_notify(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	return copy_word(n, 1, x->in->notify, sizeof(x->in->notify), "a command", err, errlen);
}

static const struct conf_keyword instance_kw[] = {
	{ "interface", "interface NAME", 1, 1, CONF_NO_BLOCK, 0, i_interface },
	{ "vrid", "vrid 1-255", 1, 1, CONF_NO_BLOCK, 0, i_vrid },
	{ "priority", "priority 1-255", 1, 1, CONF_NO_BLOCK, 0, i_priority },
	{ "advert", "advert DURATION", 1, 1, CONF_NO_BLOCK, 0, i_advert },
	{ "virtual-address", "virtual-address PREFIX [label NAME]", 1, 3, CONF_NO_BLOCK, CONF_MULTI, i_vip },
	{ "unicast-source", "unicast-source ADDRESS", 1, 1, CONF_NO_BLOCK, 0, i_unicast_src },
	{ "unicast-peer", "unicast-peer ADDRESS", 1, 1, CONF_NO_BLOCK, CONF_MULTI, i_peer },
	{ "preempt", "preempt [on|off]", 0, 1, CONF_NO_BLOCK, 0, i_preempt },
	{ "preempt-delay", "preempt-delay DURATION", 1, 1, CONF_NO_BLOCK, 0, i_preempt_delay },
	{ "preempt-grace", "preempt-grace DURATION|off", 1, 1, CONF_NO_BLOCK, 0, i_preempt_grace },
	{ "accept", "accept [on|off]", 0, 1, CONF_NO_BLOCK, 0, i_accept },
	{ "syn-hold", "syn-hold [on|off]", 0, 1, CONF_NO_BLOCK, 0, i_syn_hold },
	{ "syn-hold-ports", "syn-hold-ports PORT...", 1, -1, CONF_NO_BLOCK, 0, i_syn_hold_ports },
	{ "vmac", "vmac [on|off] [NAME]", 0, 2, CONF_NO_BLOCK, 0, i_vmac },
	{ "checksum", "checksum rfc5798|rfc9568", 1, 1, CONF_NO_BLOCK, 0, i_checksum },
	{ "garp", "garp { ... }", 0, 0, CONF_BLOCK, 0, i_garp },
	{ "track", "track NAME [weight N | fault]", 1, 3, CONF_NO_BLOCK, CONF_UNIQUE_NAME, i_track },
	{ "notify", "notify COMMAND", 1, 1, CONF_NO_BLOCK, 0, i_notify },
	{ "bfd", "bfd { ... }", 0, 0, CONF_BLOCK, 0, i_bfd },
	{ NULL, NULL, 0, 0, CONF_NO_BLOCK, 0, NULL },
};

static int instance_check(struct config_ctx *x, const struct conf_node *n, char *err, size_t errlen)
{
	struct instance_conf *in = x->in;

	if (!in->ifname[0])
		return conf_error(err, errlen, n, 0, "expected 'interface NAME' in instance '%s'", in->name);
	if (!in->vrid)
		return conf_error(err, errlen, n, 0, "expected 'vrid 1-255' in instance '%s'", in->name);
	if (!in->nvips)
		return conf_error(err, errlen, n, 0, "expected at least one 'virtual-address' in instance '%s'",
				  in->name);
	if (in->unicast_src.ss.ss_family && !in->npeers)
		return conf_error(err, errlen, n, 0,
				  "expected 'unicast-peer' in instance '%s' (unicast-source is set)", in->name);
	if (in->preempt_delay_ms && !in->preempt)
		return conf_error(err, errlen, n, 0,
				  "expected no preempt-delay in instance '%s' (preempt is off)", in->name);
	if (in->preempt_grace_set && in->preempt_grace_ms && !in->bfd.on) {
		const struct conf_node *k = n;
		for (int i = 0; i < n->nchildren; i++)
			if (strcmp(n->children[i].args[0], "preempt-grace") == 0)
				k = &n->children[i];
		return conf_error(err, errlen, k, k == n ? 0 : 1,
				  "expected a 'bfd { peer ADDRESS; }' block with preempt-grace in instance '%s' "
				  "(graceful preemption knows a peer that can yield by its BFD session), or preempt-grace off",
				  in->name);
	}
	if (in->syn_hold && !in->accept)
		return conf_error(err, errlen, n, 0,
				  "expected accept on with syn-hold in instance '%s' (accept off drops all TCP to the addresses)",
				  in->name);
	if (in->vmac && in->family == AF_INET6)
		return conf_error(err, errlen, n, 0,
				  "expected no vmac in IPv6 instance '%s' (virtual MACs are for IPv4 only so far)",
				  in->name);
	if (in->vmac && !in->vmac_ifname[0])
		snprintf(in->vmac_ifname, sizeof(in->vmac_ifname), "vrrp.%u", in->vrid);
	if (in->vmac && strcmp(in->vmac_ifname, in->ifname) == 0)
		return conf_error(err, errlen, n, 0,
				  "expected a vmac interface name other than the instance's interface %s", in->ifname);
	return 0;
}

static int top_instance(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	struct config_ctx *x = ctx;
	struct vrrpd_config *c = x->c;
	struct instance_conf *in = realloc(c->inst, sizeof(*in) * (size_t)(c->ninst + 1));
	int rc;

	if (!in)
		return conf_error(err, errlen, n, 0, "out of memory");
	c->inst = in;
	in = &c->inst[c->ninst];
	memset(in, 0, sizeof(*in));
	if ((rc = copy_word(n, 1, in->name, sizeof(in->name), "an instance name", err, errlen)))
		return rc;
	snprintf(in->where, sizeof(in->where), "%s:%d", n->file, n->pos[0].line);
	in->priority = 100;
	in->advert_cs = 100;
	in->preempt = 1;
	in->accept = 1; /* as keepalived (without vrrp_strict) and every shipped config need */
	in->garp.count = 5;
	in->garp.interval_ms = 0;
	in->garp.repeat_ms = 5000;
	x->in = in;
	if ((rc = conf_dispatch(n, instance_kw, x, err, errlen)) || (rc = instance_check(x, n, err, errlen)))
		return rc;
	for (int i = 0; i < c->ninst; i++)
		if (c->inst[i].vrid == in->vrid && c->inst[i].family == in->family &&
		    strcmp(c->inst[i].ifname, in->ifname) == 0)
			return conf_error(err, errlen, n, 1,
					  "expected a unique (interface, vrid, family): instance '%s' already uses vrid %u on %s",
					  c->inst[i].name, in->vrid, in->ifname);
	for (int i = 0; i < c->ninst; i++)
		if (in->bfd.on && c->inst[i].bfd.on && c->inst[i].family == in->family &&
		    strcmp(c->inst[i].ifname, in->ifname) == 0)
			return conf_error(err, errlen, n, 0,
					  "expected one bfd block per interface and family: instance '%s' has one on %s",
					  c->inst[i].name, in->ifname);
	for (int i = 0; i < c->ninst; i++)
		if (in->vmac && c->inst[i].vmac && strcmp(c->inst[i].vmac_ifname, in->vmac_ifname) == 0)
			return conf_error(err, errlen, n, 1,
					  "expected a unique vmac interface: instance '%s' already uses %s (name it: vmac on NAME)",
					  c->inst[i].name, in->vmac_ifname);
	c->ninst++;
	return 0;
}

static int top_global(void *ctx, const struct conf_node *n, char *err, size_t errlen)
{
	return conf_dispatch(n, global_kw, ctx, err, errlen);
}

static const struct conf_keyword top_kw[] = {
	{ "global", "global { ... }", 0, 0, CONF_BLOCK, 0, top_global },
	{ "track", "track NAME { ... }", 1, 1, CONF_BLOCK, CONF_UNIQUE_NAME, top_track },
	{ "instance", "instance NAME { ... }", 1, 1, CONF_BLOCK, CONF_UNIQUE_NAME, top_instance },
	{ NULL, NULL, 0, 0, CONF_NO_BLOCK, 0, NULL },
};

/* Track references name blocks anywhere in the file: resolve them in a
 * second walk over the instance blocks, once every track is known. */
static int resolve_tracks(struct vrrpd_config *c, const struct conf_node *root, char *err, size_t errlen)
{
	int k = 0;
	for (int i = 0; i < root->nchildren; i++) {
		const struct conf_node *b = &root->children[i];
		if (strcmp(b->args[0], "instance") != 0)
			continue;
		struct instance_conf *in = &c->inst[k++];
		int t = 0;
		for (int j = 0; j < b->nchildren; j++) {
			const struct conf_node *r = &b->children[j];
			if (strcmp(r->args[0], "track") != 0)
				continue;
			int found = -1;
			for (int m = 0; m < c->ntracks; m++)
				if (strcmp(c->tracks[m].name, r->args[1]) == 0)
					found = m;
			if (found < 0)
				return conf_error(err, errlen, r, 1,
						  "expected the name of a 'track NAME { }' block, '%s' is not defined",
						  r->args[1]);
			in->tracks[t++].track = found;
		}
	}
	return 0;
}

static int config_from_tree(const struct conf_tree *t, struct vrrpd_config **out, char *err, size_t errlen)
{
	struct vrrpd_config *c = calloc(1, sizeof(*c));
	struct config_ctx x = { .c = c };
	int rc;

	if (!c)
		return -ENOMEM;
	snprintf(c->global.control, sizeof(c->global.control), "%s", CONFIG_DEFAULT_CONTROL);
	c->global.mlock = 1;
	c->global.xdp_guard = 1;
	c->global.notify_timeout_ms = CONFIG_NOTIFY_TIMEOUT_MS;
	c->global.handover_timeout_ms = CONFIG_HANDOVER_TIMEOUT_MS;
	if ((rc = conf_dispatch(&t->root, top_kw, &x, err, errlen)))
		goto bad;
	if ((rc = resolve_tracks(c, &t->root, err, errlen)))
		goto bad;
	/* The default grace covers the lower master's drain, whose bound is
	 * this file's handover-timeout (a vrrpd peer is configured alike);
	 * without BFD nothing can yield: off. */
	for (int i = 0; i < c->ninst; i++)
		if (!c->inst[i].preempt_grace_set)
			c->inst[i].preempt_grace_ms = c->inst[i].bfd.on ? c->global.handover_timeout_ms +
								     CONFIG_PREEMPT_GRACE_MARGIN_MS : 0;
	if (!c->ninst) {
		snprintf(err, errlen, "%s:1:1: expected at least one 'instance NAME { ... }' block",
			 t->root.file ? t->root.file : "?");
		rc = -EINVAL;
		goto bad;
	}
	*out = c;
	return 0;
bad:
	vrrpd_config_free(c);
	return rc;
}

int vrrpd_config_load(const char *path, struct vrrpd_config **out, char *err, size_t errlen)
{
	struct conf_tree *t;
	int rc = conf_load(path, &t, err, errlen);
	if (rc)
		return rc;
	rc = config_from_tree(t, out, err, errlen);
	conf_free(t);
	return rc;
}

int vrrpd_config_parse_string(const char *name, const char *text, size_t len, struct vrrpd_config **out,
		       char *err, size_t errlen)
{
	struct conf_tree *t;
	int rc = conf_parse_string(name, text, len, &t, err, errlen);
	if (rc)
		return rc;
	rc = config_from_tree(t, out, err, errlen);
	conf_free(t);
	return rc;
}

void vrrpd_config_free(struct vrrpd_config *c)
{
	if (!c)
		return;
	free(c->inst);
	free(c->tracks);
	free(c);
}

int vrrpd_config_find_instance(const struct vrrpd_config *c, const char *name)
{
	for (int i = 0; i < c->ninst; i++)
		if (strcmp(c->inst[i].name, name) == 0)
			return i;
	return -1;
}
