/* SPDX-License-Identifier: GPL-3.0-only */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "assert-decode.h"
#include "naming.h"
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

static int check_exists_string(const SnAssertValue *m, const char *name, const char *what, const char **ret,
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
    int r = check_exists_string(m, name, what, &s, reterr);
    if (r < 0)
        return r;
    if (!*s)
        return E(reterr, "\"%s\" %s should not be empty", name, what);
    if (ret)
        *ret = s;
    return 0;
}

static int check_optional_string(const SnAssertValue *m, const char *name, const char *what, const char **ret,
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

static int check_optional_time(const SnAssertValue *m, const char *name, const char *what, int64_t *ret,
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

static int check_uint(const SnAssertValue *m, const char *name, const char *what, uint64_t *ret, SnError **reterr)
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

static int check_int(const SnAssertValue *m, const char *name, const char *what, int64_t *ret, SnError **reterr)
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

static int check_snap_revision(const SnAssertValue *m, const char *name, const char *what, SnError **reterr)
{
    int64_t v;
    int r = check_int(m, name, what, &v, reterr);
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

static int check_bool(const SnAssertValue *m, const char *name, const char *what, bool *ret, SnError **reterr)
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
static int check_string_list(const SnAssertValue *m, const char *name, bool (*valid)(const char *), SnError **reterr)
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

static int check_kind(const SnAssertValue *m, const char *name, SnAssertValueKind kind, const char *what,
                      SnAssertValue **ret, SnError **reterr)
{
    SnAssertValue *v = sn_assert_value_map_get(m, name);
    *ret = v;
    if (v && v->kind != kind)
        return E(reterr, "\"%s\" %s must be a %s", name, what, kind == SN_ASSERT_VALUE_MAP ? "map" : "list");
    return 0;
}

static bool account_key_name_valid(const char *s)
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

static bool lower_alnum_dash_name(const char *s)
{
    /* ^[a-z0-9](?:-?[a-z0-9])*$ */
    size_t n = strlen(s);
    if (n == 0 || s[0] == '-' || s[n - 1] == '-' || strstr(s, "--"))
        return false;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static bool model_name_valid(const char *s)
{
    /* ^[a-zA-Z0-9](?:-?[a-zA-Z0-9])*$ without uppercase */
    return lower_alnum_dash_name(s);
}

static int check_matches(const SnAssertValue *m, const char *name, const char *what, bool (*valid)(const char *),
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

static int check_timestamp(SnAssertion *a, SnError **reterr)
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
    r = check_optional_time(a->headers, "until", "header", &until, reterr);
    if (r < 0)
        return r;
    if (sn_assert_value_map_get(a->headers, "until") && until < since)
        return E(reterr, "'until' time cannot be before 'since' time");
    *ret_since = since;
    *ret_until = sn_assert_value_map_get(a->headers, "until") ? until : 0;
    return 0;
}

static int check_public_key_body(SnAssertion *a, const char *id_header, SnError **reterr)
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

/* ---- per type ---- */

static int check_account(SnAssertion *a, SnError **reterr)
{
    int r;
    if ((r = sn_assert_check_not_empty(a->headers, "display-name", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(a->headers, "validation", "header", NULL, reterr)) < 0 ||
        (r = check_timestamp(a, reterr)) < 0 ||
        (r = check_optional_string(a->headers, "username", "header", NULL, reterr)) < 0)
        return r;
    return 0;
}

static int check_ak_constraints(const SnAssertValue *cs, SnError **reterr)
{
    if (cs->kind != SN_ASSERT_VALUE_LIST)
        return E(reterr, "assertions constraints must be a list of maps");
    if (cs->n == 0)
        return E(reterr, "assertions constraints cannot be empty");
    for (size_t i = 0; i < cs->n; i++) {
        const SnAssertValue *m = cs->items[i];
        if (m->kind != SN_ASSERT_VALUE_MAP)
            return E(reterr, "assertions constraints must be a list of maps");
        SnAssertValue *hm;
        int r = check_kind(m, "headers", SN_ASSERT_VALUE_MAP, "constraint", &hm, reterr);
        if (r < 0)
            return r;
        if (!hm)
            return E(reterr, "\"headers\" constraint mandatory in asserions constraints");
        SnAssertValue *t = sn_assert_value_map_get(hm, "type");
        if (!t)
            return E(reterr, "type header constraint mandatory in asserions constraints");
        if (t->kind != SN_ASSERT_VALUE_STRING)
            return E(reterr, "type header constraint must be a string");
        if (strpbrk(t->str, "\\.+*?()|[]{}^$"))
            return E(reterr, "type header constraint must be a precise string and not a regexp");
    }
    return 0;
}

static int check_account_key(SnAssertion *a, SnError **reterr)
{
    int r;
    int64_t since, until;
    if ((r = sn_assert_check_not_empty(a->headers, "account-id", "header", NULL, reterr)) < 0)
        return r;
    if (sn_assert_value_map_get(a->headers, "name") &&
        (r = check_matches(a->headers, "name", "header", account_key_name_valid, NULL, reterr)) < 0)
        return r;
    if ((r = sn_assert_key_validity(a, &since, &until, reterr)) < 0 ||
        (r = check_public_key_body(a, "public-key-sha3-384", reterr)) < 0)
        return r;
    SnAssertValue *cs = sn_assert_value_map_get(a->headers, "constraints");
    if (cs && (r = check_ak_constraints(cs, reterr)) < 0)
        return r;
    return 0;
}

static int check_account_key_request(SnAssertion *a, SnError **reterr)
{
    int r;
    int64_t since, until;
    if ((r = sn_assert_check_not_empty(a->headers, "account-id", "header", NULL, reterr)) < 0 ||
        (r = check_matches(a->headers, "name", "header", account_key_name_valid, NULL, reterr)) < 0 ||
        (r = sn_assert_key_validity(a, &since, &until, reterr)) < 0 ||
        (r = check_public_key_body(a, "public-key-sha3-384", reterr)) < 0)
        return r;
    return 0;
}

static int check_snap_declaration(SnAssertion *a, SnError **reterr)
{
    SnAssertValue *h = a->headers, *v;
    int r;
    if ((r = check_exists_string(h, "snap-name", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(h, "publisher-id", "header", NULL, reterr)) < 0 ||
        (r = check_timestamp(a, reterr)) < 0 || (r = check_string_list(h, "refresh-control", NULL, reterr)) < 0 ||
        (r = check_kind(h, "plugs", SN_ASSERT_VALUE_MAP, "header", &v, reterr)) < 0 ||
        (r = check_kind(h, "slots", SN_ASSERT_VALUE_MAP, "header", &v, reterr)) < 0 ||
        (r = check_string_list(h, "auto-aliases", sn_name_alias_valid, reterr)) < 0)
        return r;
    if ((r = check_kind(h, "aliases", SN_ASSERT_VALUE_LIST, "header", &v, reterr)) < 0)
        return r;
    for (size_t i = 0; v && i < v->n; i++) {
        const SnAssertValue *item = v->items[i];
        if (item->kind != SN_ASSERT_VALUE_MAP)
            return E(reterr, "\"aliases\" header must be a list of alias maps");
        if ((r = check_matches(item, "name", "in \"aliases\" item", sn_name_alias_valid, NULL, reterr)) < 0 ||
            (r = check_matches(item, "target", "for alias", sn_name_app_valid, NULL, reterr)) < 0)
            return r;
    }
    if ((r = check_kind(h, "revision-authority", SN_ASSERT_VALUE_LIST, "header", &v, reterr)) < 0)
        return r;
    if (v && v->n == 0)
        return E(reterr, "\"revision-authority\" header cannot be empty");
    for (size_t i = 0; v && i < v->n; i++) {
        const SnAssertValue *item = v->items[i];
        if (item->kind != SN_ASSERT_VALUE_MAP)
            return E(reterr, "revision-authority must be a list of maps");
        if ((r = check_matches(item, "account-id", "in revision authority", sn_name_account_id_valid, NULL, reterr)) <
            0)
            return r;
        SnAssertValue *prov = sn_assert_value_map_get(item, "provenance");
        if (!prov || prov->kind != SN_ASSERT_VALUE_LIST || prov->n == 0)
            return E(reterr, "provenance in revision authority cannot be empty");
        if ((r = check_string_list(item, "provenance", sn_name_provenance_valid, reterr)) < 0)
            return r;
        if (sn_assert_value_map_get(item, "min-revision") &&
            (r = check_snap_revision(item, "min-revision", "in revision authority", reterr)) < 0)
            return r;
        if (sn_assert_value_map_get(item, "max-revision") &&
            (r = check_snap_revision(item, "max-revision", "in revision authority", reterr)) < 0)
            return r;
    }
    return 0;
}

static int check_snap_revision_type(SnAssertion *a, SnError **reterr)
{
    SnAssertValue *h = a->headers, *v;
    uint64_t size;
    int r;
    if ((r = sn_assert_check_digest(h, "snap-sha3-384", "header", reterr)) < 0 ||
        (r = check_matches(h, "provenance", "header", sn_name_provenance_valid, NULL, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(h, "snap-id", "header", NULL, reterr)) < 0 ||
        (r = check_uint(h, "snap-size", "header", &size, reterr)) < 0 ||
        (r = check_snap_revision(h, "snap-revision", "header", reterr)) < 0 ||
        (r = sn_assert_check_not_empty(h, "developer-id", "header", NULL, reterr)) < 0 ||
        (r = check_timestamp(a, reterr)) < 0 ||
        (r = check_kind(h, "integrity", SN_ASSERT_VALUE_LIST, "header", &v, reterr)) < 0)
        return r;
    for (size_t i = 0; v && i < v->n; i++) {
        const SnAssertValue *item = v->items[i];
        const char *type;
        if (item->kind != SN_ASSERT_VALUE_MAP)
            return E(reterr, "\"integrity\" header must be a list of maps");
        if ((r = check_exists_string(item, "type", "of integrity data", &type, reterr)) < 0)
            return r;
        if (!SN_STREQ(type, "dm-verity"))
            return E(reterr, "invalid integrity data type: \"%.32s\"", type);
    }
    return 0;
}

static int check_snap_build(SnAssertion *a, SnError **reterr)
{
    uint64_t size;
    int r;
    if ((r = sn_assert_check_digest(a->headers, "snap-sha3-384", "header", reterr)) < 0 ||
        (r = sn_assert_check_not_empty(a->headers, "snap-id", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(a->headers, "grade", "header", NULL, reterr)) < 0 ||
        (r = check_uint(a->headers, "snap-size", "header", &size, reterr)) < 0 || (r = check_timestamp(a, reterr)) < 0)
        return r;
    return 0;
}

static bool channel_has_track(const char *ch)
{
    /* "latest/stable", "22", "22/edge": the first component is a track unless it is a risk */
    static const char *const risks[] = {"stable", "candidate", "beta", "edge"};
    size_t n = strcspn(ch, "/");
    if (n == 0)
        return false;
    for (size_t i = 0; i < SN_ELEMENTSOF(risks); i++)
        if (strlen(risks[i]) == n && strncmp(ch, risks[i], n) == 0)
            return false;
    return true;
}

static int check_model_snaps(const SnAssertValue *snaps, const char *base, const char *grade, bool classic,
                             SnError **reterr)
{
    static const char *const types[] = {"app", "base", "gadget", "kernel", "core", "snapd"};
    if (snaps->kind != SN_ASSERT_VALUE_LIST)
        return E(reterr, "\"snaps\" header must be a list of maps");
    bool has_kernel = false, has_gadget = false, has_snapd = false;
    for (size_t i = 0; i < snaps->n; i++) {
        const SnAssertValue *s = snaps->items[i];
        const char *name, *id = NULL, *type, *presence, *channel;
        int r;
        if (s->kind != SN_ASSERT_VALUE_MAP)
            return E(reterr, "\"snaps\" header must be a list of maps");
        if ((r = sn_assert_check_not_empty(s, "name", "of snap", &name, reterr)) < 0)
            return r;
        if (!sn_name_snap_valid(name))
            return E(reterr, "invalid snap name \"%.64s\"", name);
        for (size_t j = 0; j < i; j++)
            if (SN_STREQ(sn_assert_value_map_get_string(snaps->items[j], "name") ?: "", name))
                return E(reterr, "cannot list the same snap \"%s\" multiple times", name);
        if (sn_assert_value_map_get(s, "id")) {
            if ((r = check_matches(s, "id", "of snap", sn_name_snap_id_valid, &id, reterr)) < 0)
                return r;
        } else if (!SN_STREQ(grade, "dangerous")) {
            return E(reterr, "\"id\" of snap \"%s\" is mandatory for %s grade model", name, grade);
        }
        if ((r = check_optional_string(s, "type", "of snap", &type, reterr)) < 0 ||
            (r = check_optional_string(s, "presence", "of snap", &presence, reterr)) < 0 ||
            (r = check_optional_string(s, "default-channel", "of snap", &channel, reterr)) < 0)
            return r;
        if (!*type)
            type = "app";
        bool known = false;
        for (size_t j = 0; j < SN_ELEMENTSOF(types); j++)
            known = known || SN_STREQ(type, types[j]);
        if (!known)
            return E(reterr, "type of snap \"%s\" must be one of app|base|gadget|kernel|core|snapd", name);
        bool essential =
            SN_STREQ(type, "snapd") || SN_STREQ(type, "kernel") || SN_STREQ(type, "gadget") || SN_STREQ(name, base);
        if (*presence && !SN_STREQ(presence, "required") && !SN_STREQ(presence, "optional"))
            return E(reterr, "presence of snap \"%s\" must be one of required|optional", name);
        if (essential && *presence)
            return E(reterr, "essential snaps are always available, cannot specify presence for snap \"%s\"", name);
        if ((r = check_string_list(s, "modes", NULL, reterr)) < 0)
            return r;
        if (essential && sn_assert_value_map_get(s, "modes"))
            return E(reterr, "essential snaps are always available, cannot specify modes of snap \"%s\"", name);
        if (*channel && !channel_has_track(channel))
            return E(reterr, "default channel for snap \"%s\" must specify a track", name);
        bool snap_classic;
        if ((r = check_bool(s, "classic", "of snap", &snap_classic, reterr)) < 0)
            return r;
        if (snap_classic && !classic)
            return E(reterr, "snap \"%s\" cannot be classic in non-classic model", name);
        if (SN_STREQ(type, "kernel")) {
            if (has_kernel)
                return E(reterr, "cannot specify multiple kernel snaps");
            has_kernel = true;
        } else if (SN_STREQ(type, "gadget")) {
            if (has_gadget)
                return E(reterr, "cannot specify multiple gadget snaps");
            has_gadget = true;
        } else if (SN_STREQ(type, "snapd")) {
            if (has_snapd)
                return E(reterr, "cannot specify multiple snapd snaps");
            has_snapd = true;
        } else if (SN_STREQ(name, base) && !SN_STREQ(type, "base")) {
            return E(reterr, "boot base \"%s\" must specify type \"base\", not \"%s\"", base, type);
        }
    }
    if (!classic) {
        if (!has_gadget)
            return E(reterr, "one \"snaps\" header entry must specify the model gadget");
        if (!has_kernel)
            return E(reterr, "one \"snaps\" header entry must specify the model kernel");
    } else if (has_kernel && !has_gadget) {
        return E(reterr, "cannot specify a kernel in an extended classic model without a model gadget");
    }
    return 0;
}

static int check_authority_list(const SnAssertValue *h, const char *name, bool wildcard, SnError **reterr)
{
    SnAssertValue *v = sn_assert_value_map_get(h, name);
    if (!v)
        return 0;
    if (v->kind == SN_ASSERT_VALUE_STRING && wildcard && SN_STREQ(v->str, "*"))
        return 0;
    if (v->kind == SN_ASSERT_VALUE_LIST && check_string_list(h, name, sn_name_account_id_valid, NULL) == 0)
        return 0;
    return E(reterr,
             wildcard ? "\"%s\" header must be '*' or a list of account ids"
                      : "\"%s\" header must be a list of account ids",
             name);
}

static int check_model(SnAssertion *a, SnError **reterr)
{
    SnAssertValue *h = a->headers;
    const char *brand = sn_assertion_header(a, "brand-id"), *auth = sn_assertion_authority(a);
    int r;
    if (!brand || !auth || !SN_STREQ(brand, auth))
        return E(reterr,
                 "authority-id and brand-id must match, model assertions are expected to be signed by the brand: "
                 "\"%s\" != \"%s\"",
                 auth ?: "", brand ?: "");
    if ((r = check_matches(h, "model", "header", sn_name_app_valid, NULL, reterr)) < 0)
        return r;
    if (!model_name_valid(sn_assertion_header(a, "model")))
        return E(reterr, "\"model\" header cannot contain uppercase letters");
    bool classic;
    if ((r = check_bool(h, "classic", "header", &classic, reterr)) < 0)
        return r;
    SnAssertValue *snaps = sn_assert_value_map_get(h, "snaps");
    bool extended = snaps != NULL;
    static const char *const conflicting[] = {"gadget", "kernel", "required-snaps"};
    if (extended) {
        for (size_t i = 0; i < SN_ELEMENTSOF(conflicting); i++)
            if (sn_assert_value_map_get(h, conflicting[i]))
                return E(reterr, "cannot specify separate \"%s\" header once using the extended snaps header",
                         conflicting[i]);
    } else {
        if (sn_assert_value_map_get(h, "grade"))
            return E(reterr, "cannot specify a grade for model without the extended snaps header");
        if (sn_assert_value_map_get(h, "storage-safety"))
            return E(reterr, "cannot specify storage-safety for model without the extended snaps header");
    }
    if (classic && !extended) {
        if (sn_assert_value_map_get(h, "kernel"))
            return E(reterr, "cannot specify a kernel with a non-extended classic model");
        if (sn_assert_value_map_get(h, "base"))
            return E(reterr, "cannot specify a base with a non-extended classic model");
    }
    if (classic && extended) {
        const char *d;
        if ((r = sn_assert_check_not_empty(h, "distribution", "header", &d, reterr)) < 0)
            return r;
        if (strspn(d, "abcdefghijklmnopqrstuvwxyz0123456789._-") != strlen(d))
            return E(reterr,
                     "\"distribution\" header contains invalid characters: \"%.64s\", see distribution ID "
                     "in os-release spec",
                     d);
    } else if (sn_assert_value_map_get(h, "distribution")) {
        return E(reterr, "cannot specify distribution for model unless it is classic and has an extended snaps header");
    }
    static const char *const mandatory[] = {"architecture", "gadget", "kernel"};
    static const char *const ext_mandatory[] = {"architecture", "base"};
    const char *const *check = extended ? ext_mandatory : mandatory;
    size_t ncheck = extended ? SN_ELEMENTSOF(ext_mandatory) : SN_ELEMENTSOF(mandatory);
    for (size_t i = 0; i < ncheck; i++) {
        if (!extended && classic) {
            if (SN_STREQ(check[i], "kernel"))
                continue;
            r = check_optional_string(h, check[i], "header", NULL, reterr);
        } else {
            r = sn_assert_check_not_empty(h, check[i], "header", NULL, reterr);
        }
        if (r < 0)
            return r;
    }
    const char *base, *grade = "signed";
    if ((r = check_optional_string(h, "base", "header", &base, reterr)) < 0)
        return r;
    if (*base && !sn_name_snap_valid(base))
        return E(reterr, "invalid snap name in \"base\" header: %.64s", base);
    if ((r = check_optional_string(h, "store", "header", NULL, reterr)) < 0 ||
        (r = check_optional_string(h, "display-name", "header", NULL, reterr)) < 0)
        return r;
    if (extended) {
        const char *g, *ss;
        if ((r = check_optional_string(h, "grade", "header", &g, reterr)) < 0 ||
            (r = check_optional_string(h, "storage-safety", "header", &ss, reterr)) < 0)
            return r;
        if (*g && !SN_STREQ(g, "dangerous") && !SN_STREQ(g, "signed") && !SN_STREQ(g, "secured"))
            return E(reterr, "grade for model must be secured|signed|dangerous, not \"%.32s\"", g);
        if (*g)
            grade = g;
        if (*ss && !SN_STREQ(ss, "prefer-unencrypted") && !SN_STREQ(ss, "prefer-encrypted") &&
            !SN_STREQ(ss, "encrypted"))
            return E(reterr,
                     "storage-safety for model must be encrypted|prefer-encrypted|prefer-unencrypted, not "
                     "\"%.32s\"",
                     ss);
        if (SN_STREQ(grade, "secured") && *ss && !SN_STREQ(ss, "encrypted"))
            return E(reterr,
                     "secured grade model must not have storage-safety overridden, only \"encrypted\" is valid");
        if ((r = check_model_snaps(snaps, base, grade, classic, reterr)) < 0)
            return r;
    } else {
        static const char *const tracked[] = {"kernel", "gadget"};
        for (size_t i = 0; i < SN_ELEMENTSOF(tracked); i++) {
            SnAssertValue *v = sn_assert_value_map_get(h, tracked[i]);
            if (!v)
                continue;
            if (v->kind != SN_ASSERT_VALUE_STRING)
                return E(reterr, "\"%s\" header must be a string", tracked[i]);
            _sn_free_ char *name = strndup(v->str, strcspn(v->str, "="));
            if (!name)
                return -ENOMEM;
            if (!sn_name_snap_valid(name))
                return E(reterr, "invalid snap name in \"%s\" header: %.64s", tracked[i], v->str);
        }
        if ((r = check_string_list(h, "required-snaps", NULL, reterr)) < 0)
            return r;
        SnAssertValue *req = sn_assert_value_map_get(h, "required-snaps");
        for (size_t i = 0; req && i < req->n; i++)
            if (!sn_name_snap_valid(req->items[i]->str))
                return E(reterr, "invalid snap name in \"required-snaps\" header: %.64s", req->items[i]->str);
    }
    if ((r = check_authority_list(h, "serial-authority", false, reterr)) < 0 ||
        (r = check_authority_list(h, "system-user-authority", true, reterr)) < 0 ||
        (r = check_authority_list(h, "preseed-authority", false, reterr)) < 0 || (r = check_timestamp(a, reterr)) < 0)
        return r;
    SnAssertValue *vs;
    if ((r = check_kind(h, "validation-sets", SN_ASSERT_VALUE_LIST, "header", &vs, reterr)) < 0)
        return r;
    for (size_t i = 0; vs && i < vs->n; i++) {
        const SnAssertValue *item = vs->items[i];
        const char *mode;
        if (item->kind != SN_ASSERT_VALUE_MAP)
            return E(reterr, "entry in \"validation-sets\" is not a valid validation-set");
        if ((r = check_matches(item, "name", "of validation-set", lower_alnum_dash_name, NULL, reterr)) < 0 ||
            (r = sn_assert_check_not_empty(item, "mode", "of validation-set", &mode, reterr)) < 0)
            return r;
        if (!SN_STREQ(mode, "prefer-enforce") && !SN_STREQ(mode, "enforce"))
            return E(reterr, "\"mode\" of validation-set must be prefer-enforce|enforce, not \"%.32s\"", mode);
    }
    return 0;
}

static int check_serial(SnAssertion *a, SnError **reterr)
{
    SnAssertValue *h = a->headers;
    const char *enc, *id;
    int r;
    if ((r = check_matches(h, "brand-id", "header", sn_name_account_id_valid, NULL, reterr)) < 0 ||
        (r = check_matches(h, "model", "header", model_name_valid, NULL, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(h, "device-key", "header", &enc, reterr)) < 0)
        return r;
    _sn_cleanup_(sn_pgp_public_key_freep) SnPgpPublicKey *key = NULL;
    if ((r = sn_pgp_public_key_decode(enc, strlen(enc), &key, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(h, "device-key-sha3-384", "header", &id, reterr)) < 0)
        return r;
    if (!SN_STREQ(id, key->id))
        return E(reterr, "device key does not match provided key id");
    return check_timestamp(a, reterr);
}

static int check_serial_request(SnAssertion *a, SnError **reterr)
{
    SnAssertValue *h = a->headers;
    const char *enc;
    int r;
    if ((r = sn_assert_check_not_empty(h, "brand-id", "header", NULL, reterr)) < 0 ||
        (r = check_matches(h, "model", "header", model_name_valid, NULL, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(h, "request-id", "header", NULL, reterr)) < 0 ||
        (r = check_optional_string(h, "serial", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(h, "device-key", "header", &enc, reterr)) < 0)
        return r;
    _sn_cleanup_(sn_pgp_public_key_freep) SnPgpPublicKey *key = NULL;
    if ((r = sn_pgp_public_key_decode(enc, strlen(enc), &key, reterr)) < 0)
        return r;
    if (!SN_STREQ(key->id, sn_assertion_sign_key(a)))
        return E(reterr, "device key does not match included signing key id");
    return 0;
}

static int check_device_session_request(SnAssertion *a, SnError **reterr)
{
    int r;
    if ((r = check_matches(a->headers, "model", "header", model_name_valid, NULL, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(a->headers, "nonce", "header", NULL, reterr)) < 0)
        return r;
    return check_timestamp(a, reterr);
}

static int check_validation_set(SnAssertion *a, SnError **reterr)
{
    SnAssertValue *h = a->headers;
    const char *acc = sn_assertion_header(a, "account-id");
    int64_t seq;
    int r;
    if (!acc || !SN_STREQ(acc, sn_assertion_authority(a)))
        return E(reterr, "authority-id and account-id must match, validation-set assertions are expected to be signed "
                         "by the issuer account");
    if ((r = check_matches(h, "name", "header", lower_alnum_dash_name, NULL, reterr)) < 0 ||
        (r = check_int(h, "sequence", "header", &seq, reterr)) < 0)
        return r;
    if (seq < 1)
        return E(reterr, "\"sequence\" must be >=1: %lld", (long long)seq);
    SnAssertValue *snaps;
    if ((r = check_kind(h, "snaps", SN_ASSERT_VALUE_LIST, "header", &snaps, reterr)) < 0)
        return r;
    if (!snaps)
        return E(reterr, "\"snaps\" header is mandatory");
    for (size_t i = 0; i < snaps->n; i++) {
        const SnAssertValue *s = snaps->items[i];
        const char *name, *presence;
        if (s->kind != SN_ASSERT_VALUE_MAP)
            return E(reterr, "\"snaps\" header must be a list of maps");
        if ((r = sn_assert_check_not_empty(s, "name", "of snap", &name, reterr)) < 0)
            return r;
        if (!sn_name_snap_valid(name))
            return E(reterr, "invalid snap name \"%.64s\"", name);
        if ((r = check_matches(s, "id", "of snap", sn_name_snap_id_valid, NULL, reterr)) < 0 ||
            (r = check_optional_string(s, "presence", "of snap", &presence, reterr)) < 0)
            return r;
        if (*presence && !SN_STREQ(presence, "required") && !SN_STREQ(presence, "optional") &&
            !SN_STREQ(presence, "invalid"))
            return E(reterr, "presence of snap \"%s\" must be one of required|optional|invalid", name);
        if (sn_assert_value_map_get(s, "revision") && (r = check_snap_revision(s, "revision", "of snap", reterr)) < 0)
            return r;
    }
    return check_timestamp(a, reterr);
}

static int check_store(SnAssertion *a, SnError **reterr)
{
    int r;
    if ((r = sn_assert_check_not_empty(a->headers, "operator-id", "header", NULL, reterr)) < 0 ||
        (r = check_optional_string(a->headers, "url", "header", NULL, reterr)) < 0 ||
        (r = check_optional_string(a->headers, "location", "header", NULL, reterr)) < 0 ||
        (r = check_string_list(a->headers, "friendly-stores", NULL, reterr)) < 0)
        return r;
    const char *url = sn_assertion_header(a, "url");
    if (url && *url && !sn_startswith(url, "http://") && !sn_startswith(url, "https://"))
        return E(reterr, "\"url\" header scheme must be \"https\" or \"http\"");
    return check_timestamp(a, reterr);
}

static int check_system_user(SnAssertion *a, SnError **reterr)
{
    SnAssertValue *h = a->headers;
    int64_t since, until;
    int r;
    if ((r = check_matches(h, "brand-id", "header", sn_name_account_id_valid, NULL, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(h, "email", "header", NULL, reterr)) < 0 ||
        (r = check_string_list(h, "series", NULL, reterr)) < 0 ||
        (r = check_string_list(h, "models", NULL, reterr)) < 0 ||
        (r = check_string_list(h, "serials", NULL, reterr)) < 0 ||
        (r = check_optional_string(h, "name", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(h, "username", "header", NULL, reterr)) < 0 ||
        (r = check_optional_string(h, "password", "header", NULL, reterr)) < 0 ||
        (r = check_string_list(h, "ssh-keys", NULL, reterr)) < 0 ||
        (r = sn_assert_check_time(h, "since", "header", &since, reterr)) < 0 ||
        (r = sn_assert_check_time(h, "until", "header", &until, reterr)) < 0)
        return r;
    if (until < since)
        return E(reterr, "'until' time cannot be before 'since' time");
    if (sn_assert_value_map_get(h, "serials") && a->format < 1)
        return E(reterr, "the \"serials\" header is only supported for format 1 or greater");
    return 0;
}

static int check_base_declaration(SnAssertion *a, SnError **reterr)
{
    SnAssertValue *v;
    int r;
    if ((r = check_kind(a->headers, "plugs", SN_ASSERT_VALUE_MAP, "header", &v, reterr)) < 0 ||
        (r = check_kind(a->headers, "slots", SN_ASSERT_VALUE_MAP, "header", &v, reterr)) < 0)
        return r;
    return check_timestamp(a, reterr);
}

static int check_confdb_schema(SnAssertion *a, SnError **reterr)
{
    int r;
    if ((r = check_matches(a->headers, "name", "header", lower_alnum_dash_name, NULL, reterr)) < 0 ||
        (r = check_kind(a->headers, "views", SN_ASSERT_VALUE_MAP, "header", &(SnAssertValue *){NULL}, reterr)) < 0)
        return r;
    return check_timestamp(a, reterr);
}

static int check_timestamp_only(SnAssertion *a, SnError **reterr)
{
    return check_timestamp(a, reterr);
}

#define PK(...) {__VA_ARGS__}, SN_ELEMENTSOF(((const char *[]){__VA_ARGS__}))
#define PK0 {NULL}, 0

static const SnAssertType types[] = {
    {"account", PK("account-id"), NULL, 0, 0, check_account},
    {"account-key", PK("public-key-sha3-384"), NULL, 0, 1, check_account_key},
    {"repair", PK("brand-id", "repair-id"), NULL, SN_ASSERT_SEQUENCE_FORMING, 0, check_timestamp_only},
    {"model", PK("series", "brand-id", "model"), NULL, 0, 0, check_model},
    {"serial", PK("brand-id", "model", "serial"), NULL, 0, 0, check_serial},
    {"base-declaration", PK("series"), NULL, 0, 0, check_base_declaration},
    {"snap-declaration", PK("series", "snap-id"), NULL, 0, 7, check_snap_declaration},
    {"snap-build", PK("snap-sha3-384"), NULL, 0, 0, check_snap_build},
    {"snap-revision", PK("snap-sha3-384", "provenance"), SN_ASSERT_DEFAULT_PROVENANCE, 0, 0, check_snap_revision_type},
    {"snap-developer", PK("snap-id", "publisher-id"), NULL, 0, 0, NULL},
    {"system-user", PK("brand-id", "email"), NULL, 0, 2, check_system_user},
    {"validation", PK("series", "snap-id", "approved-snap-id", "approved-snap-revision"), NULL, 0, 0,
     check_timestamp_only},
    {"validation-set", PK("series", "account-id", "name", "sequence"), NULL, SN_ASSERT_SEQUENCE_FORMING, 0,
     check_validation_set},
    {"store", PK("store"), NULL, 0, 0, check_store},
    {"preseed", PK("series", "brand-id", "model", "system-label"), NULL, 0, 0, check_timestamp_only},
    {"snap-resource-revision", PK("snap-id", "resource-name", "resource-sha3-384", "provenance"),
     SN_ASSERT_DEFAULT_PROVENANCE, 0, 0, check_timestamp_only},
    {"snap-resource-pair", PK("snap-id", "resource-name", "resource-revision", "snap-revision", "provenance"),
     SN_ASSERT_DEFAULT_PROVENANCE, 0, 0, check_timestamp_only},
    {"confdb-schema", PK("account-id", "name"), NULL, SN_ASSERT_JSON_BODY, 0, check_confdb_schema},
    {"cluster", PK("cluster-id", "sequence"), NULL, SN_ASSERT_SEQUENCE_FORMING, 0, NULL},
    {"request-message", PK("account-id", "message-id"), NULL, 0, 0, NULL},
    {"hardware-identity", PK("issuer-id", "hardware-id-key-sha3-384"), NULL, 0, 0, NULL},
    {"device-session-request", PK("brand-id", "model", "serial"), NULL, SN_ASSERT_NO_AUTHORITY, 0,
     check_device_session_request},
    {"serial-request", PK0, NULL, SN_ASSERT_NO_AUTHORITY, 0, check_serial_request},
    {"account-key-request", PK("public-key-sha3-384"), NULL, SN_ASSERT_NO_AUTHORITY, 0, check_account_key_request},
    {"confdb-control", PK("brand-id", "model", "serial"), NULL, SN_ASSERT_NO_AUTHORITY, 0, NULL},
    {"response-message", PK("account-id", "message-id", "device"), NULL, SN_ASSERT_NO_AUTHORITY, 0, NULL},
};

const SnAssertType *sn_assert_type_lookup(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < SN_ELEMENTSOF(types); i++)
        if (SN_STREQ(types[i].name, name))
            return &types[i];
    return NULL;
}

const char *sn_assert_type_key_default(const SnAssertType *t, const char *key)
{
    if (!t->optional_last_default || t->n_primary_key == 0)
        return NULL;
    return SN_STREQ(t->primary_key[t->n_primary_key - 1], key) ? t->optional_last_default : NULL;
}

const SnAssertType *const *sn_assert_types(void)
{
    static const SnAssertType *list[SN_ELEMENTSOF(types) + 1];
    if (!list[0])
        for (size_t i = 0; i < SN_ELEMENTSOF(types); i++)
            list[i] = &types[i];
    return list;
}
