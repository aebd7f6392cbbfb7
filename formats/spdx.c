/* SPDX-License-Identifier: GPL-3.0-only */
#include "spdx.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macros.h"
#include "spdx-ids.inc"

/* Parentheses deeper than this are refused (snapd recurses without a limit). */
#define SPDX_MAX_DEPTH 64
#define SPDX_MAX_TOKEN 256

static int cmp_id(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

bool sn_spdx_license_known(const char *id)
{
    return id && bsearch(id, spdx_licenses, SN_ELEMENTSOF(spdx_licenses), sizeof(spdx_licenses[0]), cmp_id);
}

bool sn_spdx_exception_known(const char *id)
{
    return id && bsearch(id, spdx_exceptions, SN_ELEMENTSOF(spdx_exceptions), sizeof(spdx_exceptions[0]), cmp_id);
}

typedef struct Scanner {
    const char *p;
    char tok[SPDX_MAX_TOKEN + 1]; /* the current token; "" at the end */
    bool too_long;
} Scanner;

static bool scan(Scanner *s)
{
    while (*s->p == ' ' || *s->p == '\n')
        s->p++;
    s->tok[0] = '\0';
    if (!*s->p)
        return false;
    if (*s->p == '(' || *s->p == ')') {
        s->tok[0] = *s->p++;
        s->tok[1] = '\0';
        return true;
    }
    size_t n = 0;
    while (*s->p && *s->p != ' ' && *s->p != '\n' && *s->p != '(' && *s->p != ')') {
        if (n < SPDX_MAX_TOKEN)
            s->tok[n++] = *s->p;
        else
            s->too_long = true;
        s->p++;
    }
    s->tok[n] = '\0';
    return true;
}

static bool is_op(const char *t)
{
    return SN_STREQ(t, "AND") || SN_STREQ(t, "OR") || SN_STREQ(t, "WITH");
}

static int unknown_license(const char *t, SnError **reterr)
{
    return sn_error_set(reterr, -EINVAL, "unknown license: %s", t);
}

static int validate(Scanner *s, int depth, SnError **reterr)
{
    char last[SPDX_MAX_TOKEN + 1] = "";
    int r;

    if (depth > SPDX_MAX_DEPTH)
        return sn_error_set(reterr, -EINVAL, "parentheses nested deeper than %d levels", SPDX_MAX_DEPTH);
    while (scan(s)) {
        char tok[SPDX_MAX_TOKEN + 1];
        memcpy(tok, s->tok, sizeof(tok));
        if (s->too_long)
            return sn_error_set(reterr, -EINVAL, "token longer than %d characters", SPDX_MAX_TOKEN);
        if (SN_STREQ(tok, "(")) {
            if (SN_STREQ(last, "WITH"))
                return sn_error_set(reterr, -EINVAL, "\"(\" not allowed after WITH");
            r = validate(s, depth + 1, reterr);
            if (r < 0)
                return r;
            if (!SN_STREQ(s->tok, ")"))
                return sn_error_set(reterr, -EINVAL, "expected \")\" got \"%s\"", s->tok);
        } else if (SN_STREQ(tok, ")")) {
            if (depth == 0)
                return sn_error_set(reterr, -EINVAL, "unexpected \")\"");
            if (!*last)
                return sn_error_set(reterr, -EINVAL, "empty expression");
            return 0;
        } else if (is_op(tok)) {
            if (!*last)
                return sn_error_set(reterr, -EINVAL, "missing license before %s", tok);
            if (SN_STREQ(last, "AND") || SN_STREQ(last, "OR"))
                return sn_error_set(reterr, -EINVAL, "expected license name, got \"%s\"", tok);
            if (SN_STREQ(tok, "WITH") && SN_STREQ(last, "("))
                return sn_error_set(reterr, -EINVAL, "expected license name before %s", tok);
            if (SN_STREQ(last, "WITH"))
                return sn_error_set(reterr, -EINVAL, "expected exception name, got \"%s\"", tok);
        } else if (SN_STREQ(last, "WITH")) {
            if (!sn_spdx_exception_known(tok))
                return sn_error_set(reterr, -EINVAL, "unknown license exception: %s", tok);
        } else if (!*last || SN_STREQ(last, "AND") || SN_STREQ(last, "OR")) {
            if (!sn_spdx_license_known(tok))
                return unknown_license(tok, reterr);
        } else {
            if (sn_spdx_license_known(last) && sn_spdx_license_known(tok))
                return sn_error_set(reterr, -EINVAL, "missing AND or OR between \"%s\" and \"%s\"", last, tok);
            return sn_error_set(reterr, -EINVAL, "unexpected string: \"%s\"", tok);
        }
        memcpy(last, tok, sizeof(last));
    }
    if (is_op(last))
        return sn_error_set(reterr, -EINVAL, "missing license after %s", last);
    if (!*last)
        return sn_error_set(reterr, -EINVAL, "empty expression");
    return 0;
}

int sn_spdx_validate_license(const char *expr, SnError **reterr)
{
    Scanner s = {.p = expr ? expr : ""};
    return validate(&s, 0, reterr);
}
