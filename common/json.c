#include "json.h"

#include <stdio.h>
#include <string.h>

int json_string_n(struct buf *b, const char *s, size_t n)
{
	int rc = buf_append(b, "\"", 1);
	for (size_t i = 0; i < n && rc == 0; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		switch (c) {
		case '"': rc = buf_append(b, "\\\"", 2); break;
		case '\\': rc = buf_append(b, "\\\\", 2); break;
		case '\n': rc = buf_append(b, "\\n", 2); break;
		case '\r': rc = buf_append(b, "\\r", 2); break;
		case '\t': rc = buf_append(b, "\\t", 2); break;
		default:
			if (c < 0x20) {
				snprintf(esc, sizeof(esc), "\\u%04x", c);
				rc = buf_append(b, esc, 6);
			} else {
				rc = buf_append(b, &s[i], 1);
			}
		}
	}
	return rc ? rc : buf_append(b, "\"", 1);
}

int json_string(struct buf *b, const char *s)
{
	return json_string_n(b, s, strlen(s));
}
