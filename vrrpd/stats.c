#include "stats.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "guard.h"
#include "instance.h"
#include "json.h"
#include "mtime.h"
#include "noaccept.h"
#include "synhold.h"
#include "track.h"
#include "vip.h"

static void ip(struct buf *b, int family, const void *a)
{
	char s[INET6_ADDRSTRLEN] = "";
	inet_ntop(family, a, s, sizeof(s));
	json_string(b, s);
}

static void render_counters(struct buf *b, const struct instance *in)
{
	const struct vrrp_stats *st = &in->fsm.st;
	buf_printf(b, "\"counters\":{\"adverts_sent\":%llu,\"adverts_received\":%llu,"
		   "\"priority0_sent\":%llu,\"priority0_received\":%llu,\"transitions\":%llu,"
		   "\"became_master\":%llu,\"send_errors\":%llu,\"garp_sent\":%llu,"
		   "\"notify_runs\":%llu,\"notify_failures\":%llu,\"notify_killed\":%llu,"
		   "\"notify_dropped\":%llu,\"vip_errors\":%llu,\"vips_restored\":%llu,\"discards\":{",
		   (unsigned long long)st->adverts_tx, (unsigned long long)st->adverts_rx,
		   (unsigned long long)st->prio0_tx, (unsigned long long)st->prio0_rx,
		   (unsigned long long)st->transitions, (unsigned long long)st->became_master,
		   (unsigned long long)in->send_errors, (unsigned long long)in->garp_sent,
		   (unsigned long long)in->notify.runs, (unsigned long long)in->notify.failures,
		   (unsigned long long)in->notify.killed, (unsigned long long)in->notify.dropped,
		   (unsigned long long)in->vip_errors, (unsigned long long)in->vips_restored);
	for (int i = 1; i < PACKET_DISCARD_MAX; i++)
		buf_printf(b, "%s\"%s\":%llu", i > 1 ? "," : "", packet_discard_names[i],
			   (unsigned long long)st->discards[i]);
	buf_puts(b, "}}");
}

/* One BFD session: the object after "bfd" or in "bfd_more". */
static void render_session(struct buf *b, const struct instance *in, const struct bfd_host *h)
{
	const struct bfd_session *s = &h->s;
	char a[ADDR_STRLEN];

	buf_puts(b, "{\"peer\":");
	json_string(b, addr_format_ip(&h->peer, a, sizeof(a)));
	/* The key's type and id, never its secret. */
	buf_printf(b, ",\"auth\":\"%s\",\"key_id\":%u", bfd_auth_type_names[s->p.auth.type < 6 ? s->p.auth.type : 0],
		   s->p.auth.key_id);
	buf_printf(b, ",\"state\":\"%s\",\"remote_state\":\"%s\",\"diag\":\"%s\",\"remote_diag\":\"%s\","
		   "\"local_discriminator\":%u,\"remote_discriminator\":%u,"
		   "\"desired_min_tx_us\":%u,\"required_min_rx_us\":%u,\"detect_mult\":%u,"
		   "\"remote_min_tx_us\":%u,\"remote_min_rx_us\":%u,\"remote_detect_mult\":%u,"
		   "\"tx_interval_us\":%u,\"detect_time_us\":%u,\"last_change_ago_ms\":%llu,"
		   "\"counters\":{\"sent\":%llu,\"received\":%llu,\"transitions\":%llu,\"up\":%llu,"
		   "\"polls\":%llu,\"send_errors\":%llu,\"peer_down\":%llu,\"peer_down_overridden\":%llu,\"discards\":{",
		   bfd_state_names[s->state], bfd_state_names[s->remote_state],
		   bfd_diag_names[s->diag <= BFD_DIAG_REV_CONCAT_DOWN ? s->diag : 0],
		   bfd_diag_names[s->remote_diag <= BFD_DIAG_REV_CONCAT_DOWN ? s->remote_diag : 0],
		   s->local_disc, s->remote_disc, s->desired_tx_us, s->req_rx_us, s->p.mult,
		   s->remote_min_tx_us, s->remote_min_rx_us, s->remote_mult,
		   bfd_tx_interval_us(s), bfd_detect_time_us(s),
		   (unsigned long long)(s->last_change_us ? (mtime_us() - s->last_change_us) / 1000u : 0),
		   (unsigned long long)s->st.tx, (unsigned long long)s->st.rx,
		   (unsigned long long)s->st.transitions, (unsigned long long)s->st.up,
		   (unsigned long long)s->st.polls, (unsigned long long)h->send_errors,
		   (unsigned long long)in->fsm.st.peer_down, (unsigned long long)in->fsm.st.peer_down_overridden);
	for (int i = 1; i < BFD_DISCARD_MAX; i++)
		buf_printf(b, "%s\"%s\":%llu", i > 1 ? "," : "", bfd_discard_names[i],
			   (unsigned long long)bfd_host_discards(h, (enum bfd_discard)i));
	buf_puts(b, "}}}");
}

/* The instance's BFD sessions: "bfd" the first (null without a bfd block),
 * "bfd_more" the others (a master with several backups).  peer_down and
 * peer_down_overridden are the instance's, in each. */
static void render_bfd(struct buf *b, const struct instance *in)
{
	if (!in->conf.bfd.on || !in->bfd.n) {
		buf_puts(b, "\"bfd\":null,\"bfd_more\":[],");
		return;
	}
	buf_puts(b, "\"bfd\":");
	render_session(b, in, &in->bfd.h[0]);
	buf_puts(b, ",\"bfd_more\":[");
	for (int i = 1; i < in->bfd.n; i++) {
		if (i > 1)
			buf_puts(b, ",");
		render_session(b, in, &in->bfd.h[i]);
	}
	buf_puts(b, "],");
}

static void render_instance(struct buf *b, const struct instance *in, struct track *const *tracks)
{
	const struct instance_conf *c = &in->conf;
	const struct vrrp *v = &in->fsm;
	char a[ADDR_STRLEN];

	buf_puts(b, "{\"name\":");
	json_string(b, c->name);
	buf_puts(b, ",\"interface\":");
	json_string(b, c->ifname);
	buf_printf(b, ",\"family\":\"%s\",\"vrid\":%u,\"state\":\"%s\",\"priority\":%u,"
		   "\"effective_priority\":%u,\"advert_interval_ms\":%u,\"master_advert_interval_ms\":%u,"
		   "\"standby\":%s,\"preempt\":%s,\"accept\":%s,\"syn_hold\":%s,\"mode\":\"%s\",\"vips_installed\":%s,\"vips\":[",
		   c->family == AF_INET ? "ipv4" : "ipv6", c->vrid, vrrp_state_names[v->state],
		   c->priority, v->priority, c->advert_cs * 10, v->master_adver_cs * 10u,
		   in->standby ? "true" : "false", c->preempt ? "true" : "false", c->accept ? "true" : "false",
		   c->syn_hold ? "true" : "false", c->npeers ? "unicast" : "multicast",
		   in->vips_on && !in->vips_refused ? "true" : "false");
	for (int i = 0; i < c->nvips; i++) {
		char s[ADDR_STRLEN + 8];
		snprintf(s, sizeof(s), "%s/%d", addr_format_ip(&c->vips[i].addr, a, sizeof(a)), c->vips[i].prefixlen);
		if (i)
			buf_puts(b, ",");
		json_string(b, s);
	}
	buf_puts(b, "],\"master\":");
	if (v->master_known)
		ip(b, c->family, v->master_addr);
	else
		buf_puts(b, "null");
	buf_printf(b, ",\"master_priority\":%u,\"source\":", v->master_known ? v->master_priority : 0);
	ip(b, c->family, in->primary);
	buf_puts(b, ",\"peers\":[");
	for (int i = 0; i < c->npeers; i++) {
		if (i)
			buf_puts(b, ",");
		json_string(b, addr_format_ip(&c->peers[i], a, sizeof(a)));
	}
	/* Graceful preemption (vrrpd.conf(5), preempt-grace). */
	buf_printf(b, "],\"preempt_grace_ms\":%u,\"graceful\":{\"holding\":%s,\"waits\":%llu,\"expired\":%llu,"
		      "\"yields\":%llu,\"yields_cancelled\":%llu,\"yielding\":%s",
		   c->preempt_grace_ms, v->grace_since && !v->grace_over ? "true" : "false",
		   (unsigned long long)v->st.grace_waits, (unsigned long long)v->st.grace_expired,
		   (unsigned long long)v->st.yields, (unsigned long long)v->st.yields_cancelled,
		   v->yield_asked ? "true" : "false");
	buf_printf(b, "},\"last_transition\":{\"from\":\"%s\",\"reason\":\"%s\",\"time_ms\":%llu,\"ago_ms\":%llu},",
		   vrrp_state_names[in->last_from], vrrp_reason_names[v->last_reason],
		   (unsigned long long)in->last_change_wall_ms,
		   /* a duration: from the monotonic clock, which a wall clock
		    * step (NTP at boot, an operator's date) does not move */
		   (unsigned long long)(in->last_change_wall_ms ? (mtime_us() - v->last_change_us) / 1000u : 0));
	render_bfd(b, in);
	buf_puts(b, "\"tracks\":[");
	for (int i = 0; i < c->ntracks; i++) {
		const struct track *t = tracks[c->tracks[i].track];
		buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
		json_string(b, track_name(t));
		buf_printf(b, ",\"up\":%s,\"weight\":%d,\"last\":\"%s\"}", track_is_up(t) ? "true" : "false",
			   c->tracks[i].weight, track_result_names[track_last(t)]);
	}
	if (in->noacc)
		buf_printf(b, "],\"accept_drops\":%llu", (unsigned long long)noaccept_drops(in->noacc));
	else
		buf_puts(b, "]");
	buf_printf(b, ",\"link_up\":%s,\"interface_present\":%s,\"link_fault\":",
		   in->link_fault ? "false" : "true", in->fd >= 0 ? "true" : "false");
	if (in->link_fault && in->fault_why)
		json_string(b, in->fault_why);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"vip_fault\":");
	if (in->vip_fault || in->vip_penalty)
		json_string(b, in->vip_why);
	else
		buf_puts(b, "null");
	buf_puts(b, ",");
	render_counters(b, in);
	buf_puts(b, "}");
}

/* The guard of one interface: its mode and what it passed and dropped. */
static void render_guard(struct buf *b, const struct guard *g, const char *ifname)
{
	uint64_t n[VRRP_GUARD_NREASONS];
	int rc = guard_counters(g, n);
	buf_puts(b, "{\"interface\":");
	json_string(b, ifname);
	buf_printf(b, ",\"mode\":\"%s\",\"counters_ok\":%s,\"passed\":%llu,\"dropped\":{", guard_mode(g),
		   rc ? "false" : "true", (unsigned long long)n[VRRP_GUARD_PASSED]);
	for (int r = 1; r < VRRP_GUARD_NREASONS; r++)
		buf_printf(b, "%s\"%s\":%llu", r > 1 ? "," : "", guard_reason_names[r], (unsigned long long)n[r]);
	buf_puts(b, "}}");
}

/* The syn-hold filter of each interface: destinations in its map, SYNs
 * held (dropped: no listener) and passed. */
static void render_synhold(struct buf *b, const struct synhold *sh)
{
	for (int i = 0; i < synhold_count(sh); i++) {
		struct synhold_counters n;
		int nkeys;
		const char *ifname = synhold_ifname(sh, i, &nkeys, &n);
		buf_puts(b, i ? ",{\"interface\":" : "{\"interface\":");
		json_string(b, ifname);
		buf_printf(b, ",\"destinations\":%d,\"held\":%llu,\"passed\":%llu}", nkeys,
			   (unsigned long long)n.held, (unsigned long long)n.passed);
	}
}

int stats_render(struct buf *b, struct instance *const *inst, int ninst,
		  struct track *const *tracks, int ntracks,
		  struct guard *const *guards, const char (*ifnames)[IF_NAMESIZE], int nguards,
		  const struct synhold *sh)
{
	buf_puts(b, "{\"ok\":true,\"instances\":[");
	for (int i = 0; i < ninst; i++) {
		if (i)
			buf_puts(b, ",");
		render_instance(b, inst[i], tracks);
	}
	buf_puts(b, "],\"tracks\":[");
	for (int i = 0; i < ntracks; i++) {
		buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
		json_string(b, track_name(tracks[i]));
		buf_printf(b, ",\"up\":%s,\"last\":\"%s\",\"checks\":%llu}", track_is_up(tracks[i]) ? "true" : "false",
			   track_result_names[track_last(tracks[i])], (unsigned long long)track_checks(tracks[i]));
	}
	buf_puts(b, "],\"xdp_guards\":[");
	for (int i = 0; i < nguards; i++) {
		if (i)
			buf_puts(b, ",");
		render_guard(b, guards[i], ifnames[i]);
	}
	buf_puts(b, "],\"syn_hold\":[");
	render_synhold(b, sh);
	buf_puts(b, "]}");
	return 0;
}
