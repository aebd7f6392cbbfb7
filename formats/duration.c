/* SPDX-License-Identifier: GPL-3.0-only */
#include "duration.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "macros.h"

static const struct {
    const char *name;
    uint64_t ns;
} units[] = {
    {"ns", 1},           {"us", 1000},      {"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
    {"\xce\xbcs", 1000},                                         /* U+03BC greek mu */
    {"ms", 1000000},     {"s", 1000000000}, {"m", 60ull * 1000000000}, {"h", 3600ull * 1000000000},
};

static int fail(const char **ret_reason, const char *reason, int code)
{
    if (ret_reason)
        *ret_reason = reason;
    return code;
}

int sn_duration_parse(const char *s, int64_t *ret, const char **ret_reason)
{
    const char *p = s;
    bool neg = false;
    uint64_t total = 0;

    if (!s)
        return fail(ret_reason, "invalid duration", -EINVAL);
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (SN_STREQ(p, "0")) {
        *ret = 0;
        return 0;
    }
    if (!*p)
        return fail(ret_reason, "invalid duration", -EINVAL);

    while (*p) {
        uint64_t v = 0, frac = 0, scale = 1;
        bool pre = false, post = false, frac_overflow = false;

        if (!(*p == '.' || (*p >= '0' && *p <= '9')))
            return fail(ret_reason, "invalid duration", -EINVAL);
        for (; *p >= '0' && *p <= '9'; p++) {
            pre = true;
            if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(*p - '0'), &v))
                return fail(ret_reason, "invalid duration", -ERANGE);
        }
        if (*p == '.') {
            p++;
            for (; *p >= '0' && *p <= '9'; p++) {
                post = true;
                /* Digits past what 64 bits hold are dropped, as Go does. */
                if (frac_overflow)
                    continue;
                uint64_t f2, s2;
                if (__builtin_mul_overflow(frac, 10, &f2) || __builtin_add_overflow(f2, (uint64_t)(*p - '0'), &f2) ||
                    __builtin_mul_overflow(scale, 10, &s2)) {
                    frac_overflow = true;
                    continue;
                }
                frac = f2;
                scale = s2;
            }
        }
        if (!pre && !post)
            return fail(ret_reason, "invalid duration", -EINVAL);

        const char *u = p;
        while (*p && *p != '.' && !(*p >= '0' && *p <= '9'))
            p++;
        size_t ulen = (size_t)(p - u);
        if (ulen == 0)
            return fail(ret_reason, "missing unit in duration", -EINVAL);
        uint64_t unit = 0;
        for (size_t i = 0; i < SN_ELEMENTSOF(units); i++)
            if (strlen(units[i].name) == ulen && memcmp(units[i].name, u, ulen) == 0)
                unit = units[i].ns;
        if (unit == 0)
            return fail(ret_reason, "unknown unit in duration", -EINVAL);

        if (__builtin_mul_overflow(v, unit, &v) || v > (uint64_t)INT64_MAX)
            return fail(ret_reason, "invalid duration", -ERANGE);
        if (frac > 0) {
            /* frac/scale of a unit, in floating point as Go does, then truncated. */
            v += (uint64_t)((double)frac * ((double)unit / (double)scale));
            if (v > (uint64_t)INT64_MAX)
                return fail(ret_reason, "invalid duration", -ERANGE);
        }
        if (__builtin_add_overflow(total, v, &total) || total > (uint64_t)INT64_MAX)
            return fail(ret_reason, "invalid duration", -ERANGE);
    }
    *ret = neg ? -(int64_t)total : (int64_t)total;
    return 0;
}

/* Writes v/10^prec with trailing zeros of the fraction dropped into the end of buf; returns the new start. */
static char *fmt_frac(char *end, uint64_t *v, int prec)
{
    bool print = false;
    char *w = end;
    for (int i = 0; i < prec; i++) {
        unsigned digit = (unsigned)(*v % 10);
        print = print || digit != 0;
        if (print)
            *--w = (char)('0' + digit);
        *v /= 10;
    }
    if (print)
        *--w = '.';
    return w;
}

static char *fmt_int(char *end, uint64_t v)
{
    char *w = end;
    if (v == 0)
        *--w = '0';
    while (v > 0) {
        *--w = (char)('0' + v % 10);
        v /= 10;
    }
    return w;
}

char *sn_duration_format(int64_t d, char *buf, size_t size)
{
    char tmp[64];
    char *end = tmp + sizeof(tmp) - 1;
    char *w;
    bool neg = d < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;

    *end = '\0';
    w = end;
    if (u < 1000000000ull) {
        int prec;
        const char *unit;
        if (u == 0) {
            snprintf(buf, size, "0s");
            return buf;
        } else if (u < 1000ull) {
            prec = 0, unit = "ns";
        } else if (u < 1000000ull) {
            prec = 3, unit = "\xc2\xb5s";
        } else {
            prec = 6, unit = "ms";
        }
        w -= strlen(unit);
        memcpy(w, unit, strlen(unit));
        w = fmt_frac(w, &u, prec);
        w = fmt_int(w, u);
    } else {
        *--w = 's';
        w = fmt_frac(w, &u, 9);
        w = fmt_int(w, u % 60);
        u /= 60;
        if (u > 0) {
            *--w = 'm';
            w = fmt_int(w, u % 60);
            u /= 60;
            if (u > 0) {
                *--w = 'h';
                w = fmt_int(w, u);
            }
        }
    }
    if (neg)
        *--w = '-';
    snprintf(buf, size, "%s", w);
    return buf;
}
