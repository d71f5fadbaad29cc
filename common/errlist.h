/* errlist.h - the reasons of a run's errors, one line each, and the first error's code.
 *
 * A library run that goes on after an error (to write its other outputs) may meet more than
 * one. It records each here and returns the first one's code; the caller, who knows the
 * command, prints the buffer once after "<who>: ". Every line after the first carries its
 * own "<who>: ", so the output reads as one message per error.
 */
#ifndef PECOS_ERRLIST_H
#define PECOS_ERRLIST_H

#include <stddef.h>

typedef struct {
    char *buf;       /* the caller's buffer ("" until an error has a reason) */
    size_t len;      /* its size in bytes */
    const char *who; /* the prefix of a line after the first, e.g. "pecos run" */
    int rc;          /* the first error's code, or 0 */
} errlist_t;

/* Points e at buf (len bytes, emptied) with the line prefix who. */
void errlist_init(errlist_t *e, char *buf, size_t len, const char *who);

/* Records an error of code (the first one's code becomes e->rc) with its one-line reason
 * (printf-style). Returns code. */
int errlist_add(errlist_t *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
