/* lbctl: talk to lbd over its control socket.  Replies meant for people
 * ("show stat", "show servers") carry a "text" field, printed as is; the
 * others are printed as JSON (and always with --json). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctltool.h"
#include "jsonr.h"

/* The top-level "ok" (-1 if absent) and "text" (NULL if absent, else
 * malloc'd and decoded) of a reply; -1 if the reply is not one JSON object. */
static int read_reply(const char *json, int *ok, char **text)
{
	struct jsonr j;
	char key[8];
	int more;
	*ok = -1;
	*text = NULL;
	jsonr_init(&j, json, strlen(json));
	if (jsonr_object(&j))
		return -1;
	while ((more = jsonr_key(&j, key, sizeof(key))) == 1) {
		int rc;
		if (!strcmp(key, "ok") && (jsonr_peek(&j) == JSONR_TRUE || jsonr_peek(&j) == JSONR_FALSE)) {
			rc = jsonr_bool(&j, ok);
		} else if (!strcmp(key, "text") && jsonr_peek(&j) == JSONR_STRING && !*text) {
			/* decoded, it is never longer than the reply */
			size_t cap = strlen(json) + 1;
			*text = malloc(cap);
			rc = *text && jsonr_string(&j, *text, cap) >= 0 ? 0 : -1;
		} else {
			rc = jsonr_skip(&j);
		}
		if (rc)
			break;
	}
	if (more || jsonr_end(&j)) {
		free(*text);
		*text = NULL;
		return -1;
	}
	return 0;
}

static int format(FILE *out, int argc, char **argv, const char *json)
{
	int ok;
	char *text;
	(void)argc;
	(void)argv;
	if (read_reply(json, &ok, &text)) {
		fprintf(out, "%s\n", json); /* shown as it came: not ours to judge */
		return 1;
	}
	if (ok == 1 && text)
		fputs(text, out);
	else
		fprintf(out, "%s\n", json);
	free(text);
	return ok == 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	return ctltool_main(argc, argv, "lbctl", "/run/lbd/lbd.sock", format);
}
