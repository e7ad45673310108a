/* vrrpctl: talk to vrrpd over its control socket.  Without --json the reply
 * is printed for people: nested objects become indented "key: value" lines,
 * arrays of objects "- " items, and zero counters are left out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctltool.h"
#include "jsonr.h"
#include <unistd.h> /* handover_wait() */
#include "buf.h"
#include "ctl.h"

struct walk {
	struct jsonr j;
	FILE *out;
};

/* Prints a JSON string (without its quotes) with the escapes undone. */
static int put_string(struct walk *w)
{
	struct jsonr probe = w->j;
	long n = jsonr_string(&probe, NULL, 0);
	char small[256], *s = n >= 0 && (size_t)n < sizeof(small) ? small : malloc(n >= 0 ? (size_t)n + 1 : 1);
	if (n < 0 || !s || jsonr_string(&w->j, s, (size_t)n + 1) < 0) {
		if (s != small)
			free(s);
		return -1;
	}
	fwrite(s, 1, (size_t)n, w->out);
	if (s != small)
		free(s);
	return 0;
}

/* A zero counter says nothing: it is left out. */
static int is_zero(struct walk *w)
{
	struct jsonr probe = w->j;
	const char *t;
	size_t n;
	return jsonr_peek(&probe) == JSONR_NUMBER && jsonr_scalar(&probe, &t, &n) == 0 && n == 1 && t[0] == '0';
}

/* An object, or an array whose first item is one: printed on lines below. */
static int is_block(struct walk *w)
{
	struct jsonr probe = w->j;
	enum jsonr_type t = jsonr_peek(&probe);
	if (t == JSONR_OBJECT)
		return 1;
	return t == JSONR_ARRAY && jsonr_array(&probe) == 0 && jsonr_item(&probe) == 1 &&
	       jsonr_peek(&probe) == JSONR_OBJECT;
}

static int value(struct walk *w, int indent, int inline_first);

static int object(struct walk *w, int indent, int inline_first)
{
	char key[128];
	int first = 1, more;
	if (jsonr_object(&w->j))
		return -1;
	while ((more = jsonr_key(&w->j, key, sizeof(key))) == 1) {
		if (is_zero(w)) {
			if (jsonr_skip(&w->j))
				return -1;
			continue;
		}
		if (!(first && inline_first))
			fprintf(w->out, "%*s", indent * 2, "");
		first = 0;
		fprintf(w->out, "%s:", key);
		if (is_block(w)) {
			fputc('\n', w->out);
			if (value(w, indent + 1, 0))
				return -1;
		} else {
			fputc(' ', w->out);
			if (value(w, indent, 0))
				return -1;
			fputc('\n', w->out);
		}
	}
	return more;
}

static int array(struct walk *w, int indent)
{
	int first = 1, more;
	if (jsonr_array(&w->j))
		return -1;
	while ((more = jsonr_item(&w->j)) == 1) {
		int rc;
		if (jsonr_peek(&w->j) == JSONR_OBJECT) {
			fprintf(w->out, "%*s- ", indent * 2 > 2 ? indent * 2 - 2 : 0, "");
			rc = object(w, indent, 1);
		} else {
			if (!first)
				fputs(", ", w->out);
			rc = value(w, indent, 0);
		}
		if (rc)
			return -1;
		first = 0;
	}
	return more;
}

static int value(struct walk *w, int indent, int inline_first)
{
	const char *t;
	size_t n;
	switch (jsonr_peek(&w->j)) {
	case JSONR_OBJECT:
		return object(w, indent, inline_first);
	case JSONR_ARRAY:
		return array(w, indent);
	case JSONR_STRING:
		return put_string(w);
	default:
		if (jsonr_scalar(&w->j, &t, &n))
			return -1;
		fwrite(t, 1, n, w->out);
		return 0;
	}
}

static int format(FILE *out, int argc, char **argv, const char *json)
{
	struct walk w = { .out = out };
	struct jsonr check;
	int ok = 1;
	(void)argc; (void)argv;
	/* Checked whole first, so that a reply this tool cannot read is shown
	 * as it came rather than half printed. */
	jsonr_init(&check, json, strlen(json));
	if (jsonr_object(&check) == 0) {
		char key[8];
		while (jsonr_key(&check, key, sizeof(key)) == 1) {
			if (!strcmp(key, "ok") && jsonr_peek(&check) == JSONR_FALSE)
				ok = 0;
			if (jsonr_skip(&check))
				break;
		}
	}
	if (jsonr_end(&check) || !ok) {
		fprintf(out, "%s\n", json);
		return 1;
	}
	jsonr_init(&w.j, json, strlen(json));
	value(&w, 0, 0);
	return 0;
}

/* The phase of a handover reply ("" if none) and its timeout_ms (0 if none). */
static void handover_fields(const char *json, char *phase, size_t len, uint64_t *timeout_ms)
{
	struct jsonr j;
	char key[16];
	phase[0] = 0;
	*timeout_ms = 0;
	jsonr_init(&j, json, strlen(json));
	if (jsonr_object(&j))
		return;
	while (jsonr_key(&j, key, sizeof(key)) == 1) {
		int r = !strcmp(key, "phase") ? (jsonr_string(&j, phase, len) < 0)
		      : !strcmp(key, "timeout_ms") ? jsonr_uint(&j, 3600000, timeout_ms)
		      : jsonr_skip(&j);
		if (r)
			return;
	}
}

/* 'vrrpctl handover': ask for it, then wait for its outcome (vrrpd(8),
 * PLANNED HANDOVER), bounded by the daemon's handover timeout. */
static int handover_wait(const char *sock)
{
	struct buf r = BUF_INIT;
	char err[256], phase[16];
	const char *cmd = "handover";
	int rc = 1;
	uint64_t limit = 200; /* polls of 50 ms: 10 s, then the daemon's timeout is known */
	for (uint64_t polls = 0; polls < limit; polls++) {
		buf_reset(&r);
		if (ctl_call(sock, cmd, 5000, &r, err, sizeof(err))) {
			fprintf(stderr, "vrrpctl: %s\n", err);
			break;
		}
		uint64_t timeout_ms;
		handover_fields(r.data, phase, sizeof(phase), &timeout_ms);
		if (!phase[0]) { /* refused: {"ok":false,...} */
			fprintf(stderr, "vrrpctl: %s\n", r.data);
			break;
		}
		if (strcmp(phase, "draining")) {
			format(stdout, 0, NULL, r.data);
			rc = 0;
			break;
		}
		if (polls == 0)
			limit = timeout_ms / 50 + 200;
		cmd = "handover status";
		usleep(50000);
	}
	buf_free(&r);
	return rc;
}

int main(int argc, char **argv)
{
	const char *sock = "/run/vrrpd/vrrpd.sock";
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if ((!strcmp(argv[i], "-s") || !strcmp(argv[i], "--socket")) && i + 1 < argc)
			sock = argv[++i];
		else if (!strncmp(argv[i], "--socket=", 9))
			sock = argv[i] + 9;
		else
			break;
	}
	if (i == argc - 1 && !strcmp(argv[i], "handover"))
		return handover_wait(sock);
	return ctltool_main(argc, argv, "vrrpctl", "/run/vrrpd/vrrpd.sock", format);
}
