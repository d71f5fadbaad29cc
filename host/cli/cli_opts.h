/* cli_opts.h - the value parsers the commands' option tables share. */
#ifndef PECOS_CLI_OPTS_H
#define PECOS_CLI_OPTS_H

#include <stdint.h>

/* Parses s as an unsigned decimal (strtoull: leading blanks and '+' taken, '-' refused)
 * into *out within [lo, hi]. Returns 0, or -1 for anything else (*out untouched). */
int cli_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);

#endif
