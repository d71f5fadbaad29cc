/* errlist.c - see errlist.h. */
#include "errlist.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void errlist_init(errlist_t *e, char *buf, size_t len, const char *who)
{
    e->buf = buf;
    e->len = len;
    e->who = who;
    e->rc = 0;
    if (buf && len) buf[0] = '\0';
}

int errlist_add(errlist_t *e, int code, const char *fmt, ...)
{
    if (!e->rc) e->rc = code;
    if (!e->buf || !e->len) return code;
    size_t l = strlen(e->buf);
    if (l + 1 >= e->len) return code;
    if (l) {
        snprintf(e->buf + l, e->len - l, "\n%s: ", e->who);
        l = strlen(e->buf);
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->buf + l, e->len - l, fmt, ap);
    va_end(ap);
    return code;
}
