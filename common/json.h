/* json: helpers for writing JSON text into a buf.  Reading JSON: jsonr.h. */
#ifndef COMMON_JSON_H
#define COMMON_JSON_H

#include "buf.h"

int json_string(struct buf *b, const char *s);           /* "quoted, escaped" */
int json_string_n(struct buf *b, const char *s, size_t n);

#endif
