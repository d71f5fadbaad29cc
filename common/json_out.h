/* json_out.h - the one JSON string writer of every JSON report pecos writes.
 *
 * pecos's reports are written with fprintf in a fixed key order (so that two reports diff
 * line by line); strings go through json_str, the only escaping contract: '"' and '\\' are
 * backslash-escaped, control characters become \u00XX, every other byte (UTF-8 included)
 * is written as it is.
 */
#ifndef PECOS_JSON_OUT_H
#define PECOS_JSON_OUT_H

#include <stdio.h>

/* Writes s as a quoted JSON string. */
void json_str(FILE *f, const char *s);

#endif
