/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The header checks every assertion type's own checks are made of (snapd's
 * asserts/header_checks.go, same messages): scalars (integers, RFC 3339 times, booleans,
 * digests), strings, lists and maps, names, the timestamp, key validity and public-key bodies.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "assert-decode.h"
#include "assert-types-internal.h"
#include "openpgp.h"
#include "strutil.h"

#define E(reterr, ...) sn_error_set(reterr, -EBADMSG, __VA_ARGS__)

/* ---- scalar parsing ---- */

int sn_assert_atoi(const char *s, int64_t *ret)
{
    const char *p = s;
    bool neg = false;
    if (*p == '+' || *p == '-') {
        neg = *p == '-';
        p++;
    }
    if (!*p)
        return -EINVAL;
    uint64_t v = 0;
    for (const char *q = p; *q; q++) {
        if (*q < '0' || *q > '9')
            return -EINVAL;
        if (v > (UINT64_MAX - 9) / 10)
            return -ERANGE;
        v = v * 10 + (uint64_t)(*q - '0');
    }
    if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
        return -ERANGE;
    /* snapd: "has invalid prefix zeros" when the text starts with '0' and is not "0" */
    if (s[0] == '0' && s[1] != 0)
        return -EINVAL;
    *ret = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

static int parse_digits(const char **p, int n, int *ret)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -EINVAL;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *ret = v;
    return 0;
}

int sn_assert_parse_time(const char *s, int64_t *ret)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int Y, M, D, h, m, sec;
    const char *p = s;
    if (parse_digits(&p, 4, &Y) < 0 || *p++ != '-' || parse_digits(&p, 2, &M) < 0 || *p++ != '-' ||
        parse_digits(&p, 2, &D) < 0 || *p++ != 'T' || parse_digits(&p, 2, &h) < 0 || *p++ != ':' ||
        parse_digits(&p, 2, &m) < 0 || *p++ != ':' || parse_digits(&p, 2, &sec) < 0)
        return -EINVAL;
    if (*p == '.' || *p == ',') {
        p++;
        if (*p < '0' || *p > '9')
            return -EINVAL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    int off = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om;
        p++;
        if (parse_digits(&p, 2, &oh) < 0 || *p++ != ':' || parse_digits(&p, 2, &om) < 0 || oh > 23 || om > 59)
            return -EINVAL;
        off = sign * (oh * 3600 + om * 60);
    } else {
        return -EINVAL;
    }
    if (*p)
        return -EINVAL;
    bool leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
    if (M < 1 || M > 12 || D < 1 || D > mdays[M - 1] + (M == 2 && leap) || h > 23 || m > 59 || sec > 59)
        return -EINVAL;
    /* days from civil (proleptic Gregorian) */
    int y = Y - (M <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (M + (M > 2 ? -3 : 9)) + 2) / 5 + D - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    *ret = days * 86400 + h * 3600 + m * 60 + sec - off;
    return 0;
}

void sn_assert_format_time(int64_t t, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, size, "@%lld", (long long)t);
}

/* ---- header checks (snapd's header_checks.go, same messages) ---- */

int sn_assert_check_exists_string(const SnAssertValue *m, const char *name, const char *what, const char **ret,
                                  SnError **reterr)
{
    SnAssertValue *v = sn_assert_value_map_get(m, name);
    if (!v)
        return E(reterr, "\"%s\" %s is mandatory", name, what);
    if (v->kind != SN_ASSERT_VALUE_STRING)
        return E(reterr, "\"%s\" %s must be a string", name, what);
    if (ret)
        *ret = v->str;
    return 0;
}

int sn_assert_check_not_empty(const SnAssertValue *m, const char *name, const char *what, const char **ret,
                              SnError **reterr)
{
    const char *s = NULL;
    int r = sn_assert_check_exists_string(m, name, what, &s, reterr);
    if (r < 0)
        return r;
    if (!*s)
        return E(reterr, "\"%s\" %s should not be empty", name, what);
    if (ret)
        *ret = s;
    return 0;
}

int sn_assert_check_optional_string(const SnAssertValue *m, const char *name, const char *what, const char **ret,
                                    SnError **reterr)
{
    SnAssertValue *v = sn_assert_value_map_get(m, name);
    if (ret)
        *ret = "";
    if (!v)
        return 0;
    if (v->kind != SN_ASSERT_VALUE_STRING)
        return E(reterr, "\"%s\" %s must be a string", name, what);
    if (ret)
        *ret = v->str;
    return 0;
}

int sn_assert_check_time(const SnAssertValue *m, const char *name, const char *what, int64_t *ret, SnError **reterr)
{
    const char *s = NULL;
    int r = sn_assert_check_not_empty(m, name, what, &s, reterr);
    if (r < 0)
        return r;
    if (sn_assert_parse_time(s, ret) < 0)
        return E(reterr, "\"%s\" %s is not a RFC3339 date: %.64s", name, what, s);
    return 0;
}

int sn_assert_check_optional_time(const SnAssertValue *m, const char *name, const char *what, int64_t *ret,
                                  SnError **reterr)
{
    *ret = 0;
    SnAssertValue *v = sn_assert_value_map_get(m, name);
    if (!v)
        return 0;
    if (v->kind != SN_ASSERT_VALUE_STRING)
        return E(reterr, "\"%s\" %s must be a string", name, what);
    if (sn_assert_parse_time(v->str, ret) < 0)
        return E(reterr, "\"%s\" %s is not a RFC3339 date: %.64s", name, what, v->str);
    return 0;
}

int sn_assert_check_uint(const SnAssertValue *m, const char *name, const char *what, uint64_t *ret, SnError **reterr)
{
    const char *s = NULL;
    int r = sn_assert_check_not_empty(m, name, what, &s, reterr);
    if (r < 0)
        return r;
    r = sn_parse_u64(s, ret);
    if (r == -ERANGE)
        return E(reterr, "\"%s\" %s is out of range: %.64s", name, what, s);
    if (r < 0) {
        if (s[0] == '0' && strspn(s, "0123456789") == strlen(s))
            return E(reterr, "\"%s\" %s has invalid prefix zeros: %.64s", name, what, s);
        return E(reterr, "\"%s\" %s is not an unsigned integer: %.64s", name, what, s);
    }
    return 0;
}

int sn_assert_check_int(const SnAssertValue *m, const char *name, const char *what, int64_t *ret, SnError **reterr)
{
    const char *s = NULL;
    int r = sn_assert_check_not_empty(m, name, what, &s, reterr);
    if (r < 0)
        return r;
    r = sn_assert_atoi(s, ret);
    if (r == -ERANGE)
        return E(reterr, "\"%s\" %s is out of range: %.64s", name, what, s);
    if (r < 0)
        return E(reterr, "\"%s\" %s is not an integer: %.64s", name, what, s);
    return 0;
}

int sn_assert_check_snap_revision(const SnAssertValue *m, const char *name, const char *what, SnError **reterr)
{
    int64_t v;
    int r = sn_assert_check_int(m, name, what, &v, reterr);
    if (r < 0)
        return r;
    if (v < 1)
        return E(reterr, "\"%s\" %s must be >=1: %lld", name, what, (long long)v);
    return 0;
}

int sn_assert_check_digest(const SnAssertValue *headers, const char *name, const char *what, SnError **reterr)
{
    const char *s = NULL;
    int r = sn_assert_check_not_empty(headers, name, what, &s, reterr);
    if (r < 0)
        return r;
    /* base64url without padding of 48 bytes: exactly 64 chars of the URL alphabet */
    size_t n = strlen(s);
    bool ok =
        n == SN_PGP_KEY_ID_LEN && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == n;
    if (!ok)
        return E(reterr, "\"%s\" %s cannot be decoded or does not have the expected bit length", name, what);
    return 0;
}

int sn_assert_check_bool(const SnAssertValue *m, const char *name, const char *what, bool *ret, SnError **reterr)
{
    *ret = false;
    SnAssertValue *v = sn_assert_value_map_get(m, name);
    if (!v)
        return 0;
    if (v->kind != SN_ASSERT_VALUE_STRING || (!SN_STREQ(v->str, "true") && !SN_STREQ(v->str, "false")))
        return E(reterr, "\"%s\" %s must be 'true' or 'false'", name, what);
    *ret = SN_STREQ(v->str, "true");
    return 0;
}

/* A list of strings each valid for `valid` (NULL: any). Absent is fine. */
int sn_assert_check_string_list(const SnAssertValue *m, const char *name, bool (*valid)(const char *), SnError **reterr)
{
    SnAssertValue *v = sn_assert_value_map_get(m, name);
    if (!v)
        return 0;
    if (v->kind != SN_ASSERT_VALUE_LIST)
        return E(reterr, "\"%s\" header must be a list of strings", name);
    for (size_t i = 0; i < v->n; i++) {
        if (v->items[i]->kind != SN_ASSERT_VALUE_STRING)
            return E(reterr, "\"%s\" header must be a list of strings", name);
        if (valid && !valid(v->items[i]->str))
            return E(reterr, "\"%s\" header contains an invalid element: \"%.64s\"", name, v->items[i]->str);
    }
    return 0;
}

int sn_assert_check_kind(const SnAssertValue *m, const char *name, SnAssertValueKind kind, const char *what,
                         SnAssertValue **ret, SnError **reterr)
{
    SnAssertValue *v = sn_assert_value_map_get(m, name);
    *ret = v;
    if (v && v->kind != kind)
        return E(reterr, "\"%s\" %s must be a %s", name, what, kind == SN_ASSERT_VALUE_MAP ? "map" : "list");
    return 0;
}

bool sn_assert_account_key_name_valid(const char *s)
{
    /* ^(?:[a-z0-9]+-?)*[a-z](?:-?[a-z0-9])*$ : [a-z0-9-], no leading '-', no "--", no trailing '-', one letter */
    size_t n = strlen(s);
    if (n == 0 || s[0] == '-' || s[n - 1] == '-' || strstr(s, "--"))
        return false;
    bool letter = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= 'a' && s[i] <= 'z')
            letter = true;
        else if (!(s[i] >= '0' && s[i] <= '9') && s[i] != '-')
            return false;
    }
    return letter;
}

bool sn_assert_lower_alnum_dash_name_valid(const char *s)
{
    /* ^[a-z0-9](?:-?[a-z0-9])*$ */
    size_t n = strlen(s);
    if (n == 0 || s[0] == '-' || s[n - 1] == '-' || strstr(s, "--"))
        return false;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

bool sn_assert_model_name_valid(const char *s)
{
    /* ^[a-zA-Z0-9](?:-?[a-zA-Z0-9])*$ without uppercase */
    return sn_assert_lower_alnum_dash_name_valid(s);
}

int sn_assert_check_matches(const SnAssertValue *m, const char *name, const char *what, bool (*valid)(const char *),
                            const char **ret, SnError **reterr)
{
    const char *s = NULL;
    int r = sn_assert_check_not_empty(m, name, what, &s, reterr);
    if (r < 0)
        return r;
    if (!valid(s))
        return E(reterr, "\"%s\" %s contains invalid characters: \"%.64s\"", name, what, s);
    if (ret)
        *ret = s;
    return 0;
}

int sn_assert_check_timestamp(SnAssertion *a, SnError **reterr)
{
    int r = sn_assert_check_time(a->headers, "timestamp", "header", &a->timestamp, reterr);
    if (r < 0)
        return r;
    a->has_timestamp = true;
    return 0;
}

int sn_assert_key_validity(const SnAssertion *a, int64_t *ret_since, int64_t *ret_until, SnError **reterr)
{
    int64_t since, until;
    int r = sn_assert_check_time(a->headers, "since", "header", &since, reterr);
    if (r < 0)
        return r;
    r = sn_assert_check_optional_time(a->headers, "until", "header", &until, reterr);
    if (r < 0)
        return r;
    if (sn_assert_value_map_get(a->headers, "until") && until < since)
        return E(reterr, "'until' time cannot be before 'since' time");
    *ret_since = since;
    *ret_until = sn_assert_value_map_get(a->headers, "until") ? until : 0;
    return 0;
}

int sn_assert_check_public_key_body(SnAssertion *a, const char *id_header, SnError **reterr)
{
    _sn_cleanup_(sn_pgp_public_key_freep) SnPgpPublicKey *key = NULL;
    int r = sn_pgp_public_key_decode(a->body ? a->body : "", a->body_len, &key, reterr);
    if (r < 0)
        return r;
    const char *id;
    r = sn_assert_check_not_empty(a->headers, id_header, "header", &id, reterr);
    if (r < 0)
        return r;
    if (!SN_STREQ(id, key->id))
        return E(reterr, "public key does not match provided key id");
    return 0;
}
