/* lbctl: talk to lbd over its control socket.  Replies meant for people
 * ("show stat", "show servers") carry a "text" field, printed as is; the
 * others are printed as JSON (and always with --json). */
#include <stdio.h>
#include <string.h>

#include "ctltool.h"

/* Prints the JSON string starting at s (just after its opening quote). */
static void print_json_string(FILE *out, const char *s)
{
	for (; *s && *s != '"'; s++) {
		if (*s != '\\') {
			fputc(*s, out);
			continue;
		}
		switch (*++s) {
		case 'n': fputc('\n', out); break;
		case 't': fputc('\t', out); break;
		case 'r': break;
		case 'u': {
			unsigned v = 0;
			if (sscanf(s + 1, "%4x", &v) == 1 && strlen(s + 1) >= 4) {
				fputc(v < 0x80 ? (int)v : '?', out);
				s += 4;
			}
			break;
		}
		case '\0': return;
		default: fputc(*s, out); break;
		}
	}
}

static int format(FILE *out, int argc, char **argv, const char *json)
{
	(void)argc;
	(void)argv;
	const char *t = strstr(json, ",\"text\":\"");
	if (t && strstr(json, "{\"ok\":true") == json)
		print_json_string(out, t + 9);
	else
		fprintf(out, "%s\n", json);
	return strstr(json, "\"ok\":false") ? 1 : 0;
}

int main(int argc, char **argv)
{
	return ctltool_main(argc, argv, "lbctl", "/run/lbd/lbd.sock", format);
}
