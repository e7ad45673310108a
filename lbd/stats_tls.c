/* stats_tls: a frontend's TLS and access-control counters (model.h's struct
 * tls_counters), collected into the snapshot and rendered for JSON and
 * Prometheus.  HAProxy's equivalents: handshakes = ssl_sess, resumed =
 * ssl_reused_sess, the sum of failures = ssl_failed_handshake (its "ssl"
 * stats module). */
#include "stats.h"

#include <inttypes.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "model.h"

static const char *const fail_keys[STATS_TLS_FAILS] = { "protocol", "cipher", "client-cert", "closed", "other" };

void stats_tls_collect(const struct frontend *fe, struct stats_tls *out)
{
	const struct tls_counters *c = &fe->st->tls;
	memset(out, 0, sizeof(*out));
	out->enabled = fe->tls != NULL;
	out->access = fe->acl != NULL;
	out->handshakes = model_cnt_get(&c->handshakes);
	out->resumed = model_cnt_get(&c->resumed);
	for (int i = 0; i < STATS_TLS_FAILS && i < TLS_FAIL_COUNT; i++)
		out->fail[i] = model_cnt_get(&c->fail[i]);
	out->tls12 = model_cnt_get(&c->proto[0]);
	out->tls13 = model_cnt_get(&c->proto[1]);
	for (int i = 0; i < TLS_CIPHER_SLOTS && out->nciphers < STATS_TLS_CIPHERS; i++) {
		uintptr_t name = atomic_load_explicit((_Atomic uintptr_t *)&c->cipher_name[i], memory_order_relaxed);
		if (!name)
			continue;
		out->cipher[out->nciphers] = (const char *)name;
		out->cipher_n[out->nciphers++] = model_cnt_get(&c->cipher[i]);
	}
	out->denied = model_cnt_get(&c->denied);
	out->auth_failed = model_cnt_get(&c->auth_failed);
}

int stats_tls_json(const struct stats_tls *t, struct buf *b)
{
	int rc = buf_printf(b, ",\"access_denied\":%" PRIu64 ",\"auth_failed\":%" PRIu64, t->denied, t->auth_failed);
	if (!t->enabled)
		return rc;
	rc = rc || buf_printf(b, ",\"tls\":{\"handshakes\":%" PRIu64 ",\"resumed\":%" PRIu64 ",\"failures\":{",
			      t->handshakes, t->resumed);
	for (int i = 0; !rc && i < STATS_TLS_FAILS; i++)
		rc = buf_printf(b, "%s\"%s\":%" PRIu64, i ? "," : "", fail_keys[i], t->fail[i]);
	rc = rc || buf_printf(b, "},\"protocols\":{\"TLSv1.2\":%" PRIu64 ",\"TLSv1.3\":%" PRIu64 "},\"ciphers\":{",
			      t->tls12, t->tls13);
	for (int i = 0; !rc && i < t->nciphers; i++) {
		rc = buf_puts(b, i ? "," : "") || json_string(b, t->cipher[i]);
		rc = rc || buf_printf(b, ":%" PRIu64, t->cipher_n[i]);
	}
	return rc || buf_puts(b, "}}");
}

static int family(struct buf *b, const char *name, const char *help)
{
	return buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
}

/* Frontend names are [A-Za-z0-9._-] (config grammar), cipher names OpenSSL's: no escaping needed. */
int stats_tls_prom(const struct stats_snapshot *s, struct buf *b)
{
	int rc = family(b, "lbd_frontend_access_denied_total", "Requests answered 403 by the access rules");
	for (int i = 0; !rc && i < s->nfrontends; i++)
		rc = buf_printf(b, "lbd_frontend_access_denied_total{proxy=\"%s\"} %" PRIu64 "\n", s->frontends[i].name,
				s->frontends[i].tls.denied);
	rc = rc || family(b, "lbd_frontend_auth_failed_total", "Requests answered 401: no or wrong credentials");
	for (int i = 0; !rc && i < s->nfrontends; i++)
		rc = buf_printf(b, "lbd_frontend_auth_failed_total{proxy=\"%s\"} %" PRIu64 "\n", s->frontends[i].name,
				s->frontends[i].tls.auth_failed);
	rc = rc || family(b, "lbd_frontend_tls_handshakes_total", "TLS handshakes completed (HAProxy ssl_sess)");
	for (int i = 0; !rc && i < s->nfrontends; i++)
		if (s->frontends[i].tls.enabled)
			rc = buf_printf(b, "lbd_frontend_tls_handshakes_total{proxy=\"%s\"} %" PRIu64 "\n",
					s->frontends[i].name, s->frontends[i].tls.handshakes);
	rc = rc || family(b, "lbd_frontend_tls_resumed_total", "TLS handshakes that resumed a session (HAProxy ssl_reused_sess)");
	for (int i = 0; !rc && i < s->nfrontends; i++)
		if (s->frontends[i].tls.enabled)
			rc = buf_printf(b, "lbd_frontend_tls_resumed_total{proxy=\"%s\"} %" PRIu64 "\n",
					s->frontends[i].name, s->frontends[i].tls.resumed);
	rc = rc || family(b, "lbd_frontend_tls_handshake_failures_total",
			  "TLS handshakes that failed, by reason (their sum is HAProxy's ssl_failed_handshake)");
	for (int i = 0; !rc && i < s->nfrontends; i++)
		for (int k = 0; !rc && s->frontends[i].tls.enabled && k < STATS_TLS_FAILS; k++)
			rc = buf_printf(b, "lbd_frontend_tls_handshake_failures_total{proxy=\"%s\",reason=\"%s\"} %" PRIu64 "\n",
					s->frontends[i].name, fail_keys[k], s->frontends[i].tls.fail[k]);
	rc = rc || family(b, "lbd_frontend_tls_protocol_total", "TLS handshakes completed, by protocol version");
	for (int i = 0; !rc && i < s->nfrontends; i++)
		if (s->frontends[i].tls.enabled)
			rc = buf_printf(b, "lbd_frontend_tls_protocol_total{proxy=\"%s\",protocol=\"TLSv1.2\"} %" PRIu64 "\n"
					"lbd_frontend_tls_protocol_total{proxy=\"%s\",protocol=\"TLSv1.3\"} %" PRIu64 "\n",
					s->frontends[i].name, s->frontends[i].tls.tls12, s->frontends[i].name,
					s->frontends[i].tls.tls13);
	rc = rc || family(b, "lbd_frontend_tls_cipher_total", "TLS handshakes completed, by cipher suite");
	for (int i = 0; !rc && i < s->nfrontends; i++)
		for (int k = 0; !rc && k < s->frontends[i].tls.nciphers; k++)
			rc = buf_printf(b, "lbd_frontend_tls_cipher_total{proxy=\"%s\",cipher=\"%s\"} %" PRIu64 "\n",
					s->frontends[i].name, s->frontends[i].tls.cipher[k], s->frontends[i].tls.cipher_n[k]);
	return rc;
}
