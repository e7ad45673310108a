/* vrrpctl: talk to vrrpd over its control socket.  Without --json the reply
 * is printed for people: nested objects become indented "key: value" lines,
 * arrays of objects "- " items, and zero counters are left out. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ctltool.h"
#include <stdlib.h> /* handover_wait() */
#include <unistd.h>
#include "buf.h"
#include "ctl.h"

struct walk {
	const char *p;
	FILE *out;
};

static void skip_ws(struct walk *w)
{
	while (*w->p && isspace((unsigned char)*w->p))
		w->p++;
}

/* Prints a JSON string (without its quotes) with the escapes undone. */
static void put_string(struct walk *w)
{
	w->p++; /* opening quote */
	while (*w->p && *w->p != '"') {
		if (*w->p == '\\' && w->p[1]) {
			w->p++;
			char c = *w->p == 'n' ? '\n' : *w->p == 't' ? '\t' : *w->p;
			if (*w->p == 'u') { /* \uXXXX: the daemon only escapes controls */
				fputc('?', w->out);
				w->p += strlen(w->p) >= 5 ? 4 : 0;
			} else {
				fputc(c, w->out);
			}
		} else {
			fputc(*w->p, w->out);
		}
		w->p++;
	}
	if (*w->p == '"')
		w->p++;
}

static int is_scalar_zero(const char *p)
{
	return p[0] == '0' && (p[1] == ',' || p[1] == '}' || p[1] == ']');
}

static void value(struct walk *w, int indent, int inline_first);

static void object(struct walk *w, int indent, int inline_first)
{
	int first = 1;
	w->p++; /* { */
	for (;;) {
		skip_ws(w);
		if (*w->p == '}' || !*w->p) {
			if (*w->p)
				w->p++;
			return;
		}
		if (*w->p == ',') {
			w->p++;
			continue;
		}
		if (*w->p != '"')
			return;
		const char *key = w->p;
		const char *colon = strchr(key, ':');
		if (!colon)
			return;
		const char *v = colon + 1;
		while (isspace((unsigned char)*v))
			v++;
		if (is_scalar_zero(v)) { /* a zero counter says nothing */
			w->p = v + 1;
			continue;
		}
		if (!(first && inline_first))
			fprintf(w->out, "%*s", indent * 2, "");
		first = 0;
		put_string(w);
		fputs(":", w->out);
		w->p = v;
		if (*w->p == '{' || (*w->p == '[' && w->p[1] == '{')) {
			fputc('\n', w->out);
			value(w, indent + 1, 0);
		} else {
			fputc(' ', w->out);
			value(w, indent, 0);
			fputc('\n', w->out);
		}
	}
}

static void array(struct walk *w, int indent)
{
	int first = 1;
	w->p++; /* [ */
	for (;;) {
		skip_ws(w);
		if (*w->p == ']' || !*w->p) {
			if (*w->p)
				w->p++;
			return;
		}
		if (*w->p == ',') {
			w->p++;
			continue;
		}
		if (*w->p == '{') {
			fprintf(w->out, "%*s- ", indent * 2 > 2 ? indent * 2 - 2 : 0, "");
			object(w, indent, 1);
		} else {
			if (!first)
				fputs(", ", w->out);
			value(w, indent, 0);
		}
		first = 0;
	}
}

static void value(struct walk *w, int indent, int inline_first)
{
	skip_ws(w);
	if (*w->p == '{') {
		object(w, indent, inline_first);
	} else if (*w->p == '[') {
		array(w, indent);
	} else if (*w->p == '"') {
		put_string(w);
	} else {
		while (*w->p && *w->p != ',' && *w->p != '}' && *w->p != ']')
			fputc(*w->p++, w->out);
	}
}

static int format(FILE *out, int argc, char **argv, const char *json)
{
	struct walk w = { json, out };
	(void)argc; (void)argv;
	if (strncmp(json, "{\"ok\":false", 11) == 0) {
		fprintf(out, "%s\n", json);
		return 1;
	}
	value(&w, 0, 0);
	return 0;
}

/* 'vrrpctl handover': ask for it, then wait for its outcome (vrrpd(8),
 * PLANNED HANDOVER), bounded by the daemon's handover timeout. */
static int handover_wait(const char *sock)
{
	struct buf r = BUF_INIT;
	char err[256];
	const char *cmd = "handover";
	int rc = 1;
	long limit = 200; /* polls of 50 ms: 10 s, then the daemon's timeout is known */
	for (long polls = 0; polls < limit; polls++) {
		buf_reset(&r);
		if (ctl_call(sock, cmd, 5000, &r, err, sizeof(err))) {
			fprintf(stderr, "vrrpctl: %s\n", err);
			break;
		}
		if (strncmp(r.data, "{\"ok\":false", 11) == 0) {
			fprintf(stderr, "vrrpctl: %s\n", r.data);
			break;
		}
		if (!strstr(r.data, "\"phase\":\"draining\"")) {
			format(stdout, 0, NULL, r.data);
			rc = 0;
			break;
		}
		const char *t = strstr(r.data, "\"timeout_ms\":");
		if (t && polls == 0)
			limit = atol(t + 13) / 50 + 200;
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
