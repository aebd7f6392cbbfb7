/* SPDX-License-Identifier: GPL-3.0-only */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char fallback_message[] = "out of memory while formatting an error";

_sn_printf_(4, 0) static int error_setv(SnError **reterr, int code, int line, const char *fmt, va_list ap)
{
    if (!reterr || *reterr)
        return code;
    SnError *e = calloc(1, sizeof(*e));
    if (!e)
        return code;
    e->code = code;
    e->line = line;
    if (vasprintf(&e->message, fmt, ap) < 0)
        e->message = NULL;
    if (!e->message) {
        e->message = strdup(fallback_message);
        if (!e->message) {
            free(e);
            return code;
        }
    }
    *reterr = e;
    return code;
}

int sn_error_set(SnError **reterr, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_setv(reterr, code, 0, fmt, ap);
    va_end(ap);
    return code;
}

int sn_error_set_at(SnError **reterr, int code, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    error_setv(reterr, code, line, fmt, ap);
    va_end(ap);
    return code;
}

int sn_error_prefix(SnError **reterr, int code, const char *fmt, ...)
{
    if (!reterr || !*reterr)
        return code;
    _sn_free_ char *prefix = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&prefix, fmt, ap);
    va_end(ap);
    if (n < 0)
        return code;
    char *joined = NULL;
    if (asprintf(&joined, "%s: %s", prefix, (*reterr)->message) < 0)
        return code;
    free((*reterr)->message);
    (*reterr)->message = joined;
    return code;
}

SnError *sn_error_free(SnError *e)
{
    if (e) {
        free(e->message);
        free(e);
    }
    return NULL;
}

const char *sn_error_message(const SnError *e, int code)
{
    if (e)
        return e->message;
    return strerror(code < 0 ? -code : code);
}
