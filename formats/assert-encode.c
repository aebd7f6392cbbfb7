/* SPDX-License-Identifier: GPL-3.0-only */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "assert-encode.h"
#include "assert-json.h"
#include "openpgp.h"

static void put_spaces(SnBuf *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sn_buf_putc(b, ' ');
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* appendEntry: intro is written as is (it carries its own indentation). */
static int append_entry(SnBuf *b, const char *intro, const SnAssertValue *v, size_t base)
{
    switch (v->kind) {
    case SN_ASSERT_VALUE_STRING:
        sn_buf_putc(b, '\n');
        sn_buf_puts(b, intro);
        if (strchr(v->str, '\n')) {
            sn_buf_putc(b, '\n');
            put_spaces(b, base + 4);
            for (const char *p = v->str; *p; p++) {
                sn_buf_putc(b, *p);
                if (*p == '\n')
                    put_spaces(b, base + 4);
            }
        } else {
            sn_buf_putc(b, ' ');
            sn_buf_puts(b, v->str);
        }
        return 0;
    case SN_ASSERT_VALUE_LIST: {
        if (v->n == 0)
            return 0;
        sn_buf_putc(b, '\n');
        sn_buf_puts(b, intro);
        SnBuf pfx = {0};
        put_spaces(&pfx, base);
        sn_buf_puts(&pfx, "  -");
        if (!sn_buf_ok(&pfx))
            return -ENOMEM;
        for (size_t i = 0; i < v->n; i++) {
            int r = append_entry(b, pfx.data, v->items[i], base + 2);
            if (r < 0) {
                sn_buf_done(&pfx);
                return r;
            }
        }
        sn_buf_done(&pfx);
        return 0;
    }
    case SN_ASSERT_VALUE_MAP: {
        if (v->n == 0)
            return 0;
        sn_buf_putc(b, '\n');
        sn_buf_puts(b, intro);
        _sn_free_ const char **keys = calloc(v->n, sizeof(*keys));
        if (!keys)
            return -ENOMEM;
        for (size_t i = 0; i < v->n; i++)
            keys[i] = v->keys[i];
        qsort(keys, v->n, sizeof(*keys), key_cmp);
        for (size_t i = 0; i < v->n; i++) {
            SnBuf pfx = {0};
            put_spaces(&pfx, base + 2);
            sn_buf_printf(&pfx, "%s:", keys[i]);
            if (!sn_buf_ok(&pfx))
                return -ENOMEM;
            int r = append_entry(b, pfx.data, sn_assert_value_map_get(v, keys[i]), base + 2);
            sn_buf_done(&pfx);
            if (r < 0)
                return r;
        }
        return 0;
    }
    }
    return -EINVAL;
}

static int write_header(SnBuf *b, const SnAssertValue *headers, const char *name)
{
    const SnAssertValue *v = sn_assert_value_map_get(headers, name);
    if (!v)
        return 0;
    char intro[128];
    snprintf(intro, sizeof(intro), "%s:", name);
    if (strlen(name) + 1 >= sizeof(intro)) {
        SnBuf i = {0};
        sn_buf_printf(&i, "%s:", name);
        if (!sn_buf_ok(&i))
            return -ENOMEM;
        int r = append_entry(b, i.data, v, 0);
        sn_buf_done(&i);
        return r;
    }
    return append_entry(b, intro, v, 0);
}

static bool positive_int_header(const SnAssertValue *headers, const char *name)
{
    const char *s = sn_assert_value_map_get_string(headers, name);
    int64_t v;
    return s && sn_assert_atoi(s, &v) == 0 && v > 0;
}

int sn_assert_encode_headers(const SnAssertType *t, const SnAssertValue *headers, size_t body_len, bool keep_defaults,
                             SnBuf *out)
{
    static const char *const meta[] = {"type",     "format",      "authority-id",
                                       "revision", "body-length", "sign-key-sha3-384"};
    if (!t)
        return -EINVAL;
    sn_buf_printf(out, "type: %s", t->name);
    int r;
    if (positive_int_header(headers, "format") && (r = write_header(out, headers, "format")) < 0)
        return r;
    if (!(t->flags & SN_ASSERT_NO_AUTHORITY) && (r = write_header(out, headers, "authority-id")) < 0)
        return r;
    if (positive_int_header(headers, "revision") && (r = write_header(out, headers, "revision")) < 0)
        return r;
    for (size_t i = 0; i < t->n_primary_key; i++) {
        const char *key = t->primary_key[i];
        const char *v = sn_assert_value_map_get_string(headers, key);
        const char *defl = sn_assert_type_key_default(t, key);
        if (!v) {
            if (defl)
                continue;
            return -EINVAL;
        }
        if (defl && SN_STREQ(v, defl))
            continue;
        if ((r = write_header(out, headers, key)) < 0)
            return r;
    }
    _sn_free_ const char **others = calloc(headers->n + 1, sizeof(*others));
    if (!others)
        return -ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < headers->n; i++) {
        const char *k = headers->keys[i];
        bool skip = false;
        for (size_t j = 0; j < SN_ELEMENTSOF(meta) && !skip; j++)
            skip = SN_STREQ(k, meta[j]);
        for (size_t j = 0; j < t->n_primary_key && !skip; j++) {
            const char *defl = sn_assert_type_key_default(t, k);
            const char *v = sn_assert_value_map_get_string(headers, k);
            bool kept_default = keep_defaults && defl && v && SN_STREQ(v, defl);
            skip = SN_STREQ(k, t->primary_key[j]) && !kept_default;
        }
        if (!skip)
            others[n++] = k;
    }
    qsort(others, n, sizeof(*others), key_cmp);
    for (size_t i = 0; i < n; i++)
        if ((r = write_header(out, headers, others[i])) < 0)
            return r;
    if (body_len > 0)
        sn_buf_printf(out, "\nbody-length: %zu", body_len);
    if ((r = write_header(out, headers, "sign-key-sha3-384")) < 0)
        return r;
    return sn_buf_ok(out) ? 0 : -ENOMEM;
}

int sn_assert_encode(const SnAssertion *a, char **ret, size_t *ret_len)
{
    SnBuf b = {0};
    sn_buf_append(&b, a->content, a->content_len);
    sn_buf_puts(&b, "\n\n");
    sn_buf_append(&b, a->signature, a->signature_len);
    if (a->signature_newline)
        sn_buf_putc(&b, '\n');
    if (!sn_buf_ok(&b)) {
        sn_buf_done(&b);
        return -ENOMEM;
    }
    *ret_len = b.len;
    *ret = sn_buf_steal(&b);
    return 0;
}

int sn_assert_encode_canonical(const SnAssertion *a, char **ret, size_t *ret_len)
{
    _sn_free_ uint8_t *raw = NULL;
    size_t rawlen;
    int r = sn_base64_decode(a->signature, a->signature_len, &raw, &rawlen);
    if (r < 0)
        return r;
    _sn_free_ char *sig = sn_base64_encode_wrapped(raw, rawlen);
    if (!sig)
        return -ENOMEM;
    SnBuf b = {0};
    r = sn_assert_encode_headers(a->type, a->headers, a->body_len, !a->default_filled, &b);
    if (r < 0) {
        sn_buf_done(&b);
        return r;
    }
    if (a->body_len > 0) {
        sn_buf_puts(&b, "\n\n");
        sn_buf_append(&b, a->body, a->body_len);
    }
    sn_buf_puts(&b, "\n\n");
    sn_buf_puts(&b, sig);
    if (a->signature_newline)
        sn_buf_putc(&b, '\n');
    if (!sn_buf_ok(&b)) {
        sn_buf_done(&b);
        return -ENOMEM;
    }
    *ret_len = b.len;
    *ret = sn_buf_steal(&b);
    return 0;
}

int sn_assert_encode_stream(SnAssertion *const *list, size_t n, bool canonical, char **ret, size_t *ret_len)
{
    SnBuf b = {0};
    for (size_t i = 0; i < n; i++) {
        _sn_free_ char *enc = NULL;
        size_t len;
        int r = canonical ? sn_assert_encode_canonical(list[i], &enc, &len) : sn_assert_encode(list[i], &enc, &len);
        if (r < 0) {
            sn_buf_done(&b);
            return r;
        }
        if (i > 0) {
            if (b.len > 0 && b.data[b.len - 1] != '\n')
                sn_buf_putc(&b, '\n');
            sn_buf_putc(&b, '\n');
        }
        sn_buf_append(&b, enc, len);
    }
    if (!sn_buf_ok(&b)) {
        sn_buf_done(&b);
        return -ENOMEM;
    }
    *ret_len = b.len;
    *ret = sn_buf_steal(&b);
    return *ret ? 0 : -ENOMEM;
}

/* snapd's SuggestFormat, for the features we can see without compiling interface rules. */
static int suggest_format(const SnAssertType *t, const SnAssertValue *headers)
{
    if (SN_STREQ(t->name, "account-key") && sn_assert_value_map_get(headers, "constraints"))
        return 1;
    if (SN_STREQ(t->name, "snap-declaration") &&
        (sn_assert_value_map_get(headers, "plugs") || sn_assert_value_map_get(headers, "slots")))
        return 1;
    return 0;
}

static int check_iteration(const SnAssertValue *h, const char *name, int64_t *ret, SnError **reterr)
{
    *ret = 0;
    SnAssertValue *v = sn_assert_value_map_get(h, name);
    if (!v)
        return 0;
    if (v->kind != SN_ASSERT_VALUE_STRING || sn_assert_atoi(v->str, ret) < 0)
        return sn_error_set(reterr, -EINVAL, "\"%s\" header is not an integer", name);
    if (*ret < 0)
        return sn_error_set(reterr, -EINVAL, "%s should be positive: %lld", name, (long long)*ret);
    return 0;
}

int sn_assert_sign(const char *type, const SnAssertValue *headers, const char *body, size_t body_len, EVP_PKEY *priv,
                   int64_t now, SnAssertion **ret, SnError **reterr)
{
    const SnAssertType *t = sn_assert_type_lookup(type);
    if (!t)
        return sn_error_set(reterr, -EINVAL, "invalid assertion type: %s", type ? type : "(none)");
    if (!headers || headers->kind != SN_ASSERT_VALUE_MAP)
        return sn_error_set(reterr, -EINVAL, "assertion headers must be a map");
    if (!sn_assert_utf8_valid(body ? body : "", body_len))
        return sn_error_set(reterr, -EINVAL, "assertion body is not utf8");
    if (t->flags & SN_ASSERT_JSON_BODY) {
        int r = sn_assert_check_json_body(body, body_len, reterr);
        if (r < 0)
            return sn_error_prefix(reterr, -EINVAL, "assertion %s", t->name);
    }
    _sn_cleanup_(sn_pgp_public_key_freep) SnPgpPublicKey *pub = NULL;
    int r = sn_pgp_public_key_from_pkey(priv, &pub, reterr);
    if (r < 0)
        return r;
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *h = sn_assert_value_copy(headers);
    if (!h)
        return -ENOMEM;
    char lenbuf[32];
    snprintf(lenbuf, sizeof(lenbuf), "%zu", body_len);
    if (sn_assert_value_map_set_string(h, "type", t->name) < 0 ||
        sn_assert_value_map_set_string(h, "body-length", lenbuf) < 0 ||
        sn_assert_value_map_set_string(h, "sign-key-sha3-384", pub->id) < 0)
        return -ENOMEM;
    if (!(t->flags & SN_ASSERT_NO_AUTHORITY)) {
        r = sn_assert_check_not_empty(h, "authority-id", "header", NULL, reterr);
        if (r < 0)
            return r;
    } else if (sn_assert_value_map_get(h, "authority-id")) {
        return sn_error_set(reterr, -EINVAL, "\"%s\" assertion cannot have authority-id set", t->name);
    }
    int64_t format, revision;
    if ((r = check_iteration(h, "format", &format, reterr)) < 0 ||
        (r = check_iteration(h, "revision", &revision, reterr)) < 0)
        return r;
    if (format > t->max_format)
        return sn_error_set(reterr, -EINVAL,
                            "cannot sign \"%s\" assertion with format %lld higher than max supported format %d",
                            t->name, (long long)format, t->max_format);
    int suggested = suggest_format(t, h);
    if (suggested > format)
        return sn_error_set(reterr, -EINVAL,
                            "cannot sign \"%s\" assertion with format set to %lld lower than min format %d covering "
                            "included features",
                            t->name, (long long)format, suggested);
    for (size_t i = 0; i < t->n_primary_key; i++) {
        const char *key = t->primary_key[i];
        if (!sn_assert_value_map_get(h, key) && sn_assert_type_key_default(t, key))
            continue;
        const char *v;
        r = sn_assert_check_not_empty(h, key, "header", &v, reterr);
        if (r < 0)
            return r;
        if (strchr(v, '/'))
            return sn_error_set(reterr, -EINVAL, "\"%s\" primary key header cannot contain '/'", key);
    }
    SnBuf b = {0};
    r = sn_assert_encode_headers(t, h, body_len, false, &b);
    if (r < 0) {
        sn_buf_done(&b);
        return sn_error_set(reterr, r, "cannot encode assertion headers");
    }
    if (body_len > 0) {
        sn_buf_puts(&b, "\n\n");
        sn_buf_append(&b, body, body_len);
    }
    if (!sn_buf_ok(&b)) {
        sn_buf_done(&b);
        return -ENOMEM;
    }
    _sn_free_ char *sig = NULL;
    r = sn_pgp_sign(priv, b.data, b.len, (uint32_t)now, &sig, reterr);
    if (r < 0) {
        sn_buf_done(&b);
        return sn_error_prefix(reterr, r, "cannot sign assertion");
    }
    sn_buf_puts(&b, "\n\n");
    sn_buf_puts(&b, sig);
    sn_buf_putc(&b, '\n');
    if (!sn_buf_ok(&b)) {
        sn_buf_done(&b);
        return -ENOMEM;
    }
    r = sn_assert_decode(b.data, b.len, ret, reterr);
    sn_buf_done(&b);
    if (r < 0)
        return sn_error_prefix(reterr, r, "cannot assemble assertion %s", t->name);
    return 0;
}
