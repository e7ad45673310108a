/* stats_vrrp: the VRRP panel's data, asked from vrrpd's control socket
 * ("status", one JSON line back) and read with common/jsonr, keeping only
 * the fields the panel shows and skipping everything else.  The reading is
 * pure (bytes in, struct out) and fuzzed: vrrpd is another process, its
 * reply is input like any other. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ctl.h"
#include "jsonr.h"
#include "stats.h"

/* The reading is common/jsonr's; these keep the member functions below short. */
struct jr {
	struct jsonr r;
};

/* A string into out (truncated to outlen - 1); out may be NULL to skip it. */
static int str(struct jr *j, char *out, size_t outlen)
{
	return jsonr_string(&j->r, out, outlen) < 0 ? -1 : 0;
}

static int num(struct jr *j, double *v)
{
	return jsonr_number(&j->r, v);
}

static int skip(struct jr *j)
{
	return jsonr_skip(&j->r);
}

/* Iterates an object's members: calls fn(key) with the cursor on the value;
 * fn consumes the value or returns 1 to have it skipped. */
typedef int (*member_fn)(struct jr *j, const char *key, void *arg);

static int object(struct jr *j, member_fn fn, void *arg)
{
	char key[48];
	int more;
	if (jsonr_object(&j->r))
		return -1;
	while ((more = jsonr_key(&j->r, key, sizeof(key))) == 1) {
		int rc = fn(j, key, arg);
		if (rc < 0 || (rc == 1 && skip(j)))
			return -1;
	}
	return more;
}

static void upper(char *s)
{
	for (; *s; s++)
		*s = (char)toupper((unsigned char)*s);
}

struct transition {
	char from[16], reason[32];
	double ago_ms;
};

static int transition_member(struct jr *j, const char *key, void *arg)
{
	struct transition *t = arg;
	if (!strcmp(key, "from"))
		return str(j, t->from, sizeof(t->from));
	if (!strcmp(key, "reason"))
		return str(j, t->reason, sizeof(t->reason));
	if (!strcmp(key, "ago_ms"))
		return num(j, &t->ago_ms);
	return 1;
}

static int vips(struct jr *j, char *out, size_t outlen)
{
	char one[64];
	size_t o = 0;
	int more;
	out[0] = '\0';
	if (jsonr_array(&j->r))
		return -1;
	while ((more = jsonr_item(&j->r)) == 1) {
		if (str(j, one, sizeof(one)))
			return -1;
		int w = snprintf(out + o, outlen - o, "%s%s", o ? ", " : "", one);
		if (w > 0 && o + (size_t)w < outlen)
			o += (size_t)w;
	}
	return more;
}

static int bfd(struct jr *j, struct stats_vrrp_instance *in);
static int bfd_more(struct jr *j, struct stats_vrrp_instance *in);

static int instance_member(struct jr *j, const char *key, void *arg)
{
	struct stats_vrrp_instance *in = arg;
	double d;
	if (!strcmp(key, "bfd"))
		return bfd(j, in);
	if (!strcmp(key, "bfd_more"))
		return bfd_more(j, in);
	if (!strcmp(key, "name"))
		return str(j, in->name, sizeof(in->name));
	if (!strcmp(key, "state")) {
		int rc = str(j, in->state, sizeof(in->state));
		upper(in->state);
		return rc;
	}
	if (!strcmp(key, "priority") || !strcmp(key, "effective_priority")) {
		/* A priority is 0-255; anything else (1e30: converting it to int is
		 * undefined behaviour) means a status this lbd cannot read. */
		if (num(j, &d) || !(d >= 0 && d <= 255) || (double)(int)d != d)
			return -1;
		*(key[0] == 'p' ? &in->priority : &in->effective_priority) = (int)d;
		return 0;
	}
	if (!strcmp(key, "vips"))
		return vips(j, in->vips, sizeof(in->vips));
	if (!strcmp(key, "master")) {
		if (jsonr_peek(&j->r) == JSONR_NULL) {
			snprintf(in->master, sizeof(in->master), "unknown");
			return jsonr_null(&j->r);
		}
		return str(j, in->master, sizeof(in->master));
	}
	if (!strcmp(key, "last_transition")) {
		struct transition t = { "", "", -1 };
		if (object(j, transition_member, &t))
			return -1;
		upper(t.from);
		if (t.ago_ms > 1e15) /* 30,000 years: not a time, and past int64_t at 1e19 */
			return -1;
		in->since_s = t.ago_ms >= 0 ? (int64_t)(t.ago_ms / 1000) : -1;
		char state[sizeof(in->state)]; /* a copy: gcc cannot tell it apart from last_transition */
		memcpy(state, in->state, sizeof(state));
		if (t.ago_ms >= 0)
			snprintf(in->last_transition, sizeof(in->last_transition), "%s -> %s, %s, %llds ago", t.from,
				 state, t.reason, (long long)in->since_s);
		else
			snprintf(in->last_transition, sizeof(in->last_transition), "%s -> %s, %s", t.from, state,
				 t.reason);
		return 0;
	}
	return 1;
}

const char *const stats_vrrp_guard_reasons[STATS_VRRP_GUARD_REASONS] = {
	"bad_ttl", "bad_version", "unknown_vrid", "not_peer", "truncated",
};

/* A counter: a whole number from 0 to 2^53 (what a double holds exactly). */
static int count(struct jr *j, uint64_t *out)
{
	return jsonr_uint(&j->r, 9007199254740992ull, out);
}

/* The instance's BFD sessions (issue 19): "bfd" null or the first one,
 * "bfd_more" the others, each with the fields the panel and /metrics show. */
const char *const stats_vrrp_bfd_discards[STATS_VRRP_BFD_DISCARDS] = {
	"bad_ttl", "bad_length", "bad_my_discriminator", "bad_your_discriminator",
	"unknown_session", "auth_mismatch", "auth_failed", "auth_sequence",
};

static int bfd_discard_member(struct jr *j, const char *key, void *arg)
{
	struct stats_vrrp_bfd *f = arg;
	for (int r = 0; r < STATS_VRRP_BFD_DISCARDS; r++)
		if (!strcmp(key, stats_vrrp_bfd_discards[r]))
			return count(j, &f->discards[r]);
	return 1;
}

static int bfd_counter_member(struct jr *j, const char *key, void *arg)
{
	struct stats_vrrp_bfd *f = arg;
	if (!strcmp(key, "transitions"))
		return count(j, &f->transitions);
	if (!strcmp(key, "peer_down"))
		return count(j, &f->peer_down);
	if (!strcmp(key, "peer_down_overridden"))
		return count(j, &f->peer_down_overridden);
	if (!strcmp(key, "discards"))
		return object(j, bfd_discard_member, f);
	return 1;
}

static int bfd_member(struct jr *j, const char *key, void *arg)
{
	struct stats_vrrp_bfd *f = arg;
	if (!strcmp(key, "peer"))
		return str(j, f->peer, sizeof(f->peer));
	if (!strcmp(key, "auth"))
		return str(j, f->auth, sizeof(f->auth));
	if (!strcmp(key, "state"))
		return str(j, f->state, sizeof(f->state));
	if (!strcmp(key, "remote_state"))
		return str(j, f->remote_state, sizeof(f->remote_state));
	if (!strcmp(key, "diag"))
		return str(j, f->diag, sizeof(f->diag));
	if (!strcmp(key, "tx_interval_us"))
		return count(j, &f->tx_interval_us);
	if (!strcmp(key, "detect_time_us"))
		return count(j, &f->detect_time_us);
	if (!strcmp(key, "counters"))
		return object(j, bfd_counter_member, f);
	return 1;
}

/* One session into in->bfd[at]; sessions past STATS_VRRP_BFD_MAX are skipped. */
static int bfd_session(struct jr *j, struct stats_vrrp_instance *in, int at)
{
	if (at >= STATS_VRRP_BFD_MAX)
		return skip(j);
	struct stats_vrrp_bfd *f = &in->bfd[at];
	memset(f, 0, sizeof(*f));
	if (object(j, bfd_member, f))
		return -1;
	if (in->nbfd <= at)
		in->nbfd = at + 1;
	return 0;
}

static int bfd(struct jr *j, struct stats_vrrp_instance *in)
{
	if (jsonr_peek(&j->r) == JSONR_NULL)
		return jsonr_null(&j->r);
	return bfd_session(j, in, 0);
}

/* Whichever of "bfd" and "bfd_more" comes first, the first session stays
 * in bfd[0] and the others follow it. */
static int bfd_more(struct jr *j, struct stats_vrrp_instance *in)
{
	int more, at = 1;
	if (jsonr_array(&j->r))
		return -1;
	while ((more = jsonr_item(&j->r)) == 1)
		if (bfd_session(j, in, at++))
			return -1;
	return more;
}

static int dropped_member(struct jr *j, const char *key, void *arg)
{
	struct stats_vrrp_guard *g = arg;
	for (int r = 0; r < STATS_VRRP_GUARD_REASONS; r++)
		if (!strcmp(key, stats_vrrp_guard_reasons[r]))
			return count(j, &g->dropped[r]);
	return 1; /* a reason this lbd does not know */
}

static int guard_member(struct jr *j, const char *key, void *arg)
{
	struct stats_vrrp_guard *g = arg;
	if (!strcmp(key, "interface"))
		return str(j, g->ifname, sizeof(g->ifname));
	if (!strcmp(key, "mode"))
		return str(j, g->mode, sizeof(g->mode));
	if (!strcmp(key, "passed"))
		return count(j, &g->passed);
	if (!strcmp(key, "dropped"))
		return object(j, dropped_member, g);
	return 1;
}

static int guards(struct jr *j, struct stats_vrrp *v)
{
	int more;
	if (jsonr_array(&j->r))
		return -1;
	while ((more = jsonr_item(&j->r)) == 1) {
		if (v->nguards == STATS_VRRP_GUARDS) {
			if (skip(j))
				return -1;
			continue;
		}
		struct stats_vrrp_guard *g = &v->guards[v->nguards];
		memset(g, 0, sizeof(*g));
		if (object(j, guard_member, g))
			return -1;
		v->nguards++;
	}
	return more;
}

static int top_member(struct jr *j, const char *key, void *arg)
{
	struct stats_vrrp *v = arg;
	if (!strcmp(key, "xdp_guards"))
		return guards(j, v);
	if (strcmp(key, "instances"))
		return 1;
	int more;
	if (jsonr_array(&j->r))
		return -1;
	while ((more = jsonr_item(&j->r)) == 1) {
		if (v->n == STATS_VRRP_MAX) {
			if (skip(j))
				return -1;
			continue;
		}
		struct stats_vrrp_instance *in = &v->inst[v->n];
		memset(in, 0, sizeof(*in));
		in->since_s = -1;
		if (object(j, instance_member, in))
			return -1;
		v->n++;
	}
	return more;
}

int stats_vrrp_parse(const char *json, size_t len, struct stats_vrrp *out)
{
	struct jr j;
	jsonr_init(&j.r, json, len);
	memset(out, 0, sizeof(*out));
	if (object(&j, top_member, out) || jsonr_end(&j.r)) {
		memset(out, 0, sizeof(*out));
		snprintf(out->error, sizeof(out->error), "vrrpd sent a status this lbd cannot read");
		return -1;
	}
	out->available = 1;
	return 0;
}

void stats_vrrp_query(const char *socket_path, int timeout_ms, struct stats_vrrp *out)
{
	struct buf reply = BUF_INIT;
	char err[128];
	if (!socket_path || !socket_path[0]) {
		memset(out, 0, sizeof(*out));
		snprintf(out->error, sizeof(out->error), "no vrrpd socket configured");
		return;
	}
	if (ctl_call(socket_path, "status", timeout_ms, &reply, err, sizeof(err))) {
		memset(out, 0, sizeof(*out));
		snprintf(out->error, sizeof(out->error), "%s", err);
	} else {
		stats_vrrp_parse(reply.data ? reply.data : "", reply.len, out);
	}
	buf_free(&reply);
}
