/* stats_html: /stats, the page a person reads at a glance.  One HTML file,
 * inline CSS, no script and no external asset; a meta refresh reloads it.
 * Server rows carry data-status and a colour class; tables scroll sideways
 * on a phone instead of squeezing. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "stats.h"

static int esc(struct buf *b, const char *s)
{
	int rc = 0;
	for (; *s && !rc; s++) {
		switch (*s) {
		case '&': rc = buf_puts(b, "&amp;"); break;
		case '<': rc = buf_puts(b, "&lt;"); break;
		case '>': rc = buf_puts(b, "&gt;"); break;
		case '"': rc = buf_puts(b, "&quot;"); break;
		case '\'': rc = buf_puts(b, "&#39;"); break;
		default: rc = buf_append(b, s, 1);
		}
	}
	return rc;
}

/* "3d4h", "2h5m", "4m12s", "9s"; "-" for unknown. */
static const char *human_s(int64_t s, char *out, size_t n)
{
	if (s < 0)
		snprintf(out, n, "-");
	else if (s >= 86400)
		snprintf(out, n, "%" PRId64 "d%" PRId64 "h", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(out, n, "%" PRId64 "h%" PRId64 "m", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(out, n, "%" PRId64 "m%" PRId64 "s", s / 60, s % 60);
	else
		snprintf(out, n, "%" PRId64 "s", s);
	return out;
}

static const char *human_bytes(uint64_t v, char *out, size_t n)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double d = (double)v;
	int u = 0;
	while (d >= 1024. && u < 4) {
		d /= 1024.;
		u++;
	}
	if (u == 0)
		snprintf(out, n, "%" PRIu64 " B", v);
	else
		snprintf(out, n, "%.1f %s", d, units[u]);
	return out;
}

static const char *human_us(uint64_t us, char *out, size_t n)
{
	if (us >= 1000000)
		snprintf(out, n, "%.2f s", (double)us / 1e6);
	else if (us >= 1000)
		snprintf(out, n, "%.1f ms", (double)us / 1e3);
	else
		snprintf(out, n, "%" PRIu64 " us", us);
	return out;
}

static const char css[] =
	"body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f4f5f7;color:#1d2433}"
	"header{background:#1d2433;color:#fff;padding:10px 14px}header h1{font-size:18px;margin:0}"
	"header p{margin:2px 0 0;color:#c9d1e0;font-size:12px}"
	"main{padding:10px 14px}section{background:#fff;border-radius:6px;margin:0 0 12px;"
	"box-shadow:0 1px 2px rgba(0,0,0,.08);padding:8px 10px}"
	"h2{font-size:15px;margin:2px 0 6px}h2 small{font-weight:normal;color:#5b6478}"
	".scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:13px}"
	"th,td{padding:3px 6px;border-bottom:1px solid #e6e8ee;text-align:right;white-space:nowrap}"
	"th{background:#eef0f4;font-weight:600;color:#3a4358}th:first-child,td:first-child,td.chk{text-align:left}"
	"td.st{text-align:center;font-weight:700;border-radius:3px}"
	".up{background:#d7f5dc;color:#135c22}.down{background:#fbd5d5;color:#8a1010}"
	".going{background:#fff1c2;color:#7a5600}.maint{background:#dfe3ea;color:#3a4358}"
	".drain{background:#d8e6ff;color:#1d4594}.nocheck{background:#eef0f4;color:#3a4358}"
	".badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:700}"
	".kv{display:flex;flex-wrap:wrap;gap:4px 16px}.kv span{color:#5b6478}.kv b{color:#1d2433}"
	".err{color:#8a1010}.muted{color:#8a93a6}"
	"@media(max-width:600px){body{font-size:13px}main{padding:6px}section{padding:6px}}";

static int page_head(struct buf *b, const struct stats_snapshot *s)
{
	char up[32];
	int rc = buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			  "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">");
	if (s->refresh_s)
		rc = rc || buf_printf(b, "<meta http-equiv=\"refresh\" content=\"%u\">", s->refresh_s);
	rc = rc || buf_puts(b, "<title>lbd ") || esc(b, s->node) || buf_puts(b, "</title><style>");
	rc = rc || buf_puts(b, css) || buf_puts(b, "</style></head><body><header><h1>lbd on ");
	rc = rc || esc(b, s->node) || buf_puts(b, "</h1><p>version ") || esc(b, s->version);
	rc = rc || buf_printf(b, " &middot; pid %d &middot; up %s &middot; config #%" PRIu64
			      " &middot; %d workers &middot; %s", s->pid,
			      human_s((int64_t)s->uptime_s, up, sizeof(up)), s->generation, s->nworkers,
			      s->alive ? "serving" : "<b class=\"err\">NOT SERVING</b>");
	if (s->refresh_s)
		rc = rc || buf_printf(b, " &middot; refresh %us", s->refresh_s);
	return rc || buf_puts(b, " &middot; <a style=\"color:#9cc3ff\" href=\"/stats;csv\">csv</a> "
			      "<a style=\"color:#9cc3ff\" href=\"/stats;json\">json</a> "
			      "<a style=\"color:#9cc3ff\" href=\"/metrics\">metrics</a></p></header><main>");
}

static const char *vrrp_class(const char *state)
{
	if (!strcmp(state, "MASTER"))
		return "up";
	if (!strcmp(state, "BACKUP"))
		return "drain";
	if (!strcmp(state, "FAULT"))
		return "down";
	return "maint";
}

/* One line per BFD session (issue 19): state, intervals, transitions and
 * what was dropped; the instance's takeovers on its first session's line. */
static int vrrp_bfd_line(struct buf *b, const struct stats_vrrp_instance *in, int k)
{
	const struct stats_vrrp_bfd *f = &in->bfd[k];
	uint64_t total = 0;
	for (int r = 0; r < STATS_VRRP_BFD_DISCARDS; r++)
		total += f->discards[r];
	int rc = buf_puts(b, "<p class=\"vrrp-bfd\">BFD ") || esc(b, in->name);
	rc = rc || buf_puts(b, " to ") || esc(b, f->peer);
	rc = rc || buf_printf(b, " <span class=\"st %s\" data-bfd-state=\"", !strcmp(f->state, "Up") ? "up" : "down");
	rc = rc || esc(b, f->state) || buf_puts(b, "\">") || esc(b, f->state);
	rc = rc || buf_puts(b, "</span> (peer ") || esc(b, f->remote_state);
	rc = rc || buf_puts(b, ", ") || esc(b, f->diag) || buf_puts(b, ", auth ") || esc(b, f->auth);
	rc = rc || buf_printf(b, "): every %.0f ms, detect %.0f ms, %" PRIu64 " transitions, ",
			      (double)f->tx_interval_us / 1000., (double)f->detect_time_us / 1000., f->transitions);
	if (!k)
		rc = rc || buf_printf(b, "%" PRIu64 " takeovers, %" PRIu64 " overridden by adverts, ", f->peer_down,
				      f->peer_down_overridden);
	rc = rc || buf_printf(b, "%" PRIu64 " dropped", total);
	for (int r = 0; !rc && r < STATS_VRRP_BFD_DISCARDS; r++)
		if (f->discards[r])
			rc = buf_printf(b, ", %s %" PRIu64, stats_vrrp_bfd_discards[r], f->discards[r]);
	return rc || buf_puts(b, "</p>");
}

static int vrrp_bfd_lines(struct buf *b, const struct stats_vrrp *v)
{
	int rc = 0;
	for (int i = 0; !rc && i < v->n; i++)
		for (int k = 0; !rc && k < v->inst[i].nbfd; k++)
			rc = vrrp_bfd_line(b, &v->inst[i], k);
	return rc;
}

static int vrrp_panel(struct buf *b, const struct stats_vrrp *v)
{
	int rc = buf_puts(b, "<section id=\"vrrp\"><h2>VRRP</h2>");
	if (!v->available) {
		rc = rc || buf_puts(b, "<p id=\"vrrp-unavailable\" class=\"muted\">vrrpd: unavailable (");
		rc = rc || esc(b, v->error) || buf_puts(b, ")</p></section>");
		return rc;
	}
	if (!v->n)
		return rc || buf_puts(b, "<p class=\"muted\">vrrpd runs no instance</p></section>");
	rc = rc || buf_puts(b, "<div class=\"scroll\"><table><tr><th>Instance</th><th>State</th>"
			    "<th>Priority</th><th>VIPs</th><th>Master</th><th>Last transition</th></tr>");
	for (int i = 0; !rc && i < v->n; i++) {
		const struct stats_vrrp_instance *in = &v->inst[i];
		rc = buf_puts(b, "<tr><td>") || esc(b, in->name);
		rc = rc || buf_printf(b, "</td><td class=\"st %s\" data-state=\"", vrrp_class(in->state));
		rc = rc || esc(b, in->state) || buf_puts(b, "\">") || esc(b, in->state);
		if (in->effective_priority != in->priority)
			rc = rc || buf_printf(b, "</td><td>%d (conf %d)", in->effective_priority, in->priority);
		else
			rc = rc || buf_printf(b, "</td><td>%d", in->priority);
		rc = rc || buf_puts(b, "</td><td>") || esc(b, in->vips);
		rc = rc || buf_puts(b, "</td><td>") || esc(b, in->master);
		rc = rc || buf_puts(b, "</td><td>") || esc(b, in->last_transition);
		rc = rc || buf_puts(b, "</td></tr>");
	}
	rc = rc || buf_puts(b, "</table></div>");
	rc = rc || vrrp_bfd_lines(b, v);
	/* vrrpd's XDP guards: what they kept away from it. */
	for (int i = 0; !rc && i < v->nguards; i++) {
		const struct stats_vrrp_guard *g = &v->guards[i];
		uint64_t total = 0;
		for (int r = 0; r < STATS_VRRP_GUARD_REASONS; r++)
			total += g->dropped[r];
		rc = buf_puts(b, "<p class=\"vrrp-guard\">XDP guard on ") || esc(b, g->ifname);
		rc = rc || buf_puts(b, " (") || esc(b, g->mode);
		rc = rc || buf_printf(b, "): %" PRIu64 " passed, %" PRIu64 " dropped", g->passed, total);
		for (int r = 0; !rc && r < STATS_VRRP_GUARD_REASONS; r++)
			if (g->dropped[r])
				rc = buf_printf(b, ", %s %" PRIu64, stats_vrrp_guard_reasons[r], g->dropped[r]);
		rc = rc || buf_puts(b, "</p>");
	}
	return rc || buf_puts(b, "</section>");
}

/* "0.3 ms avg, p99 <= 2.5 ms" from the mean and the histogram. */
static const char *latency(const struct stats_counters *c, char *out, size_t n)
{
	char avg[24], p99[24];
	uint64_t q = stats_rt_quantile_us(c, 0.99);
	if (!c->rt_count)
		snprintf(out, n, "-");
	else if (q == UINT64_MAX)
		snprintf(out, n, "%s avg, p99 &gt; 10 s", human_us(c->rt_avg_us, avg, sizeof(avg)));
	else
		snprintf(out, n, "%s avg, p99 &le; %s", human_us(c->rt_avg_us, avg, sizeof(avg)),
			 human_us(q, p99, sizeof(p99)));
	return out;
}

static int frontend_section(struct buf *b, const struct stats_frontend *f)
{
	char bi[32], bo[32], rt[80];
	const struct stats_counters *c = &f->c;
	int rc = buf_puts(b, "<section class=\"fe\"><h2>frontend ") || esc(b, f->name);
	rc = rc || buf_puts(b, " <small>") || esc(b, f->bind) || buf_puts(b, " &rarr; ") || esc(b, f->backend);
	rc = rc || buf_puts(b, "</small></h2><div class=\"kv\">");
	rc = rc || buf_printf(b, "<div><span>sessions</span> <b>%" PRIu64 "</b> cur / %" PRIu64 " max / %" PRIu64
			      " total</div>", c->scur, c->smax, c->stot);
	rc = rc || buf_printf(b, "<div><span>requests</span> <b>%" PRIu64 "</b> &middot; %" PRIu64 "/s (max %" PRIu64
			      ")</div>", c->req_tot, c->rate, c->rate_max);
	rc = rc || buf_printf(b, "<div><span>bytes</span> in %s / out %s</div>",
			      human_bytes(c->bin, bi, sizeof(bi)), human_bytes(c->bout, bo, sizeof(bo)));
	rc = rc || buf_printf(b, "<div><span>responses</span> 1xx %" PRIu64 " &middot; 2xx %" PRIu64 " &middot; 3xx %"
			      PRIu64 " &middot; 4xx %" PRIu64 " &middot; 5xx %" PRIu64 "</div>",
			      c->hrsp[1], c->hrsp[2], c->hrsp[3], c->hrsp[4], c->hrsp[5]);
	rc = rc || buf_printf(b, "<div><span>errors</span> bad requests %" PRIu64 " &middot; denied %" PRIu64
			      " &middot; timeouts %" PRIu64 "</div>", c->ereq, c->dcon, c->timeouts);
	rc = rc || buf_printf(b, "<div><span>response time</span> %s</div>", latency(c, rt, sizeof(rt)));
	return rc || buf_puts(b, "</div></section>");
}

static const char *status_class(const struct stats_server *v)
{
	switch (v->state) {
	case STATS_SRV_MAINT: return "maint";
	case STATS_SRV_DRAIN: return "drain";
	default: break;
	}
	if (!v->check_enabled)
		return "nocheck";
	if (strchr(v->status, '/'))
		return "going";
	return v->up ? "up" : "down";
}

static const char table_head[] =
	"<div class=\"scroll\"><table><tr><th>Server</th><th>Status</th><th>Check</th><th>Last change</th>"
	"<th>Downtime</th><th>Weight</th><th>Cur</th><th>Max</th><th>Total</th><th>Rate</th>"
	"<th>Bytes in</th><th>Bytes out</th><th>1xx</th><th>2xx</th><th>3xx</th><th>4xx</th><th>5xx</th>"
	"<th>Conn err</th><th>Resp err</th><th>Retries</th><th>Redisp</th><th>Resp time</th></tr>";

/* The columns every row (server or backend total) shares, after Weight. */
static int counter_cells(struct buf *b, const struct stats_counters *c)
{
	char bi[32], bo[32], rt[80];
	return buf_printf(b, "<td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64 "/s</td>"
			  "<td>%s</td><td>%s</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%"
			  PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64
			  "</td><td>%" PRIu64 "</td><td>%s</td>",
			  c->scur, c->smax, c->stot, c->rate, human_bytes(c->bin, bi, sizeof(bi)),
			  human_bytes(c->bout, bo, sizeof(bo)), c->hrsp[1], c->hrsp[2], c->hrsp[3], c->hrsp[4],
			  c->hrsp[5], c->econ, c->eresp, c->wretr, c->wredis, latency(c, rt, sizeof(rt)));
}

static int server_row(struct buf *b, const struct stats_backend *be, const struct stats_server *v)
{
	char t1[32], t2[32];
	int rc = buf_puts(b, "<tr id=\"srv-") || esc(b, be->name) || buf_puts(b, "-") || esc(b, v->name);
	rc = rc || buf_puts(b, "\" data-status=\"") || esc(b, v->status) || buf_puts(b, "\"><td>");
	rc = rc || esc(b, v->name) || buf_puts(b, v->backup ? " <small class=\"muted\">backup</small>" : "");
	rc = rc || buf_puts(b, "<br><small class=\"muted\">") || esc(b, v->addr) || buf_puts(b, "</small></td>");
	rc = rc || buf_printf(b, "<td class=\"st %s\">", status_class(v)) || esc(b, v->status);
	rc = rc || buf_puts(b, "</td><td class=\"chk\">");
	if (v->check_enabled) {
		rc = rc || esc(b, v->check_reason_name);
		if (v->check_code)
			rc = rc || buf_printf(b, " %d", v->check_code);
		rc = rc || buf_printf(b, " <small class=\"muted\">in %u ms</small>", v->check_dur_ms);
	} else {
		rc = rc || buf_puts(b, "<span class=\"muted\">-</span>");
	}
	rc = rc || buf_printf(b, "</td><td>%s ago</td><td>%s</td><td>%" PRIu32 "</td>",
			      human_s(v->lastchg_s, t1, sizeof(t1)), human_s((int64_t)v->downtime_s, t2, sizeof(t2)),
			      v->weight);
	return rc || counter_cells(b, &v->c) || buf_puts(b, "</tr>");
}

static int backend_section(struct buf *b, const struct stats_backend *be)
{
	char t[32];
	int rc = buf_puts(b, "<section class=\"be\" id=\"be-") || esc(b, be->name);
	rc = rc || buf_puts(b, "\"><h2>backend ") || esc(b, be->name);
	rc = rc || buf_printf(b, " <span class=\"badge %s\">%s</span> <small>%d active + %d backup up &middot; ",
			      be->up ? "up" : "down", be->up ? "UP" : "DOWN", be->nactive_up, be->nbackup_up);
	rc = rc || esc(b, be->algo) || buf_puts(b, " &middot; check ") || esc(b, be->check);
	rc = rc || buf_printf(b, " &middot; queue %" PRIu64 " (max %" PRIu64 ")", be->c.qcur, be->c.qmax);
	rc = rc || buf_puts(b, "</small></h2>") || buf_puts(b, table_head);
	for (int i = 0; !rc && i < be->nservers; i++)
		rc = server_row(b, be, &be->servers[i]);
	rc = rc || buf_printf(b, "<tr><th>Backend</th><th class=\"st %s\">%s</th><th>%" PRIu64 " downs</th>"
			      "<th></th><th>%s</th><th>%" PRIu32 "</th>", be->up ? "up" : "down",
			      be->up ? "UP" : "DOWN", be->chkdown, human_s((int64_t)be->downtime_s, t, sizeof(t)),
			      be->weight);
	rc = rc || counter_cells(b, &be->c);
	return rc || buf_puts(b, "</tr></table></div></section>");
}

int stats_html_render(const struct stats_snapshot *s, struct buf *b)
{
	int rc = page_head(b, s);
	rc = rc || vrrp_panel(b, &s->vrrp);
	for (int i = 0; !rc && i < s->nfrontends; i++)
		rc = frontend_section(b, &s->frontends[i]);
	for (int i = 0; !rc && i < s->nbackends; i++)
		rc = backend_section(b, &s->backends[i]);
	rc = rc || buf_puts(b, "</main></body></html>\n");
	return rc ? -1 : 0;
}
