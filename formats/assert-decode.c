/* SPDX-License-Identifier: GPL-3.0-only */
#include <errno.h>
#include <string.h>

#include "assert-decode.h"
#include "assert-json.h"
#include "strutil.h"

bool sn_assert_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (len - i <= n)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}

/* ---- headers ---- */

typedef struct Line {
    const char *s;
    size_t len;
} Line;

typedef struct Lines {
    Line *v;
    size_t n;
} Lines;

static bool header_name_valid(const char *s, size_t len)
{
    /* ^[a-z](?:-?[a-z0-9])*$ */
    if (len == 0 || !(s[0] >= 'a' && s[0] <= 'z'))
        return false;
    for (size_t i = 1; i < len; i++) {
        char c = s[i];
        if (c == '-') {
            if (i + 1 == len || s[i + 1] == '-')
                return false;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return false;
    }
    return true;
}

static bool has_indent(const Line *l, size_t n, const char *suffix)
{
    size_t sl = strlen(suffix);
    if (l->len < n + sl)
        return false;
    for (size_t i = 0; i < n; i++)
        if (l->s[i] != ' ')
            return false;
    return memcmp(l->s + n, suffix, sl) == 0;
}

static int parse_entry(const Lines *lines, size_t consumed, size_t first, size_t base, int depth, SnAssertValue **ret,
                       size_t *ret_next, SnError **reterr);

/* messages quote the offending line, truncated so that hostile input stays readable */
#define quoted(reterr, code, fmt, l) sn_error_set(reterr, code, fmt, (int)SN_MIN((l)->len, (size_t)80), (l)->s)

static int parse_multiline(const Lines *lines, size_t first, size_t base, SnAssertValue **ret, size_t *ret_next,
                           SnError **reterr)
{
    size_t pfx = base + 4;
    size_t j = first;
    while (j < lines->n && has_indent(&lines->v[j], pfx, ""))
        j++;
    if (j == first) {
        if (first == lines->n)
            return quoted(reterr, -EBADMSG, "expected nesting prefix after multiline introduction \"%.*s\": EOF",
                          &lines->v[first - 1]);
        return sn_error_set(reterr, -EBADMSG,
                            "expected %zu chars nesting prefix after multiline introduction \"%.*s\": \"%.*s\"", pfx,
                            (int)SN_MIN(lines->v[first - 1].len, (size_t)80), lines->v[first - 1].s,
                            (int)SN_MIN(lines->v[first].len, (size_t)80), lines->v[first].s);
    }
    SnBuf b = {0};
    for (size_t i = first; i < j; i++) {
        if (i > first)
            sn_buf_putc(&b, '\n');
        sn_buf_append(&b, lines->v[i].s + pfx, lines->v[i].len - pfx);
    }
    if (!sn_buf_ok(&b)) {
        sn_buf_done(&b);
        return -ENOMEM;
    }
    SnAssertValue *v = sn_assert_value_new_string_len(b.data ? b.data : "", b.len);
    sn_buf_done(&b);
    if (!v)
        return -ENOMEM;
    *ret = v;
    *ret_next = j;
    return 0;
}

static int parse_list(const Lines *lines, size_t first, size_t base, int depth, SnAssertValue **ret, size_t *ret_next,
                      SnError **reterr)
{
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *list = sn_assert_value_new_list();
    if (!list)
        return -ENOMEM;
    size_t j = first;
    while (j < lines->n && has_indent(&lines->v[j], base + 2, "-")) {
        SnAssertValue *item = NULL;
        int r = parse_entry(lines, base + 3, j, base + 2, depth + 1, &item, &j, reterr);
        if (r < 0)
            return r;
        r = sn_assert_value_list_append(list, item);
        if (r < 0)
            return r;
    }
    *ret = SN_TAKE_PTR(list);
    *ret_next = j;
    return 0;
}

static int parse_map(const Lines *lines, size_t first, size_t base, int depth, SnAssertValue **ret, size_t *ret_next,
                     SnError **reterr)
{
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *map = sn_assert_value_new_map();
    if (!map)
        return -ENOMEM;
    size_t pfx = base + 2;
    size_t j = first;
    while (j < lines->n && has_indent(&lines->v[j], pfx, "")) {
        Line entry = {lines->v[j].s + pfx, lines->v[j].len - pfx};
        const char *colon = memchr(entry.s, ':', entry.len);
        if (!colon)
            return quoted(reterr, -EBADMSG, "map entry missing ':' separator: \"%.*s\"", &entry);
        size_t klen = (size_t)(colon - entry.s);
        if (!header_name_valid(entry.s, klen)) {
            Line k = {entry.s, klen};
            return quoted(reterr, -EBADMSG, "invalid map entry key: \"%.*s\"", &k);
        }
        _sn_free_ char *key = strndup(entry.s, klen);
        if (!key)
            return -ENOMEM;
        SnAssertValue *value = NULL;
        int r = parse_entry(lines, pfx + klen + 1, j, pfx, depth + 1, &value, &j, reterr);
        if (r < 0)
            return r;
        if (sn_assert_value_map_get(map, key)) {
            sn_assert_value_free(value);
            return sn_error_set(reterr, -EBADMSG, "repeated map entry: \"%s\"", key);
        }
        r = sn_assert_value_map_set(map, key, value);
        if (r < 0)
            return r;
    }
    *ret = SN_TAKE_PTR(map);
    *ret_next = j;
    return 0;
}

static int parse_entry(const Lines *lines, size_t consumed, size_t first, size_t base, int depth, SnAssertValue **ret,
                       size_t *ret_next, SnError **reterr)
{
    if (depth > SN_ASSERT_MAX_NESTING)
        return sn_error_set(reterr, -EBADMSG, "header values nested too deeply (more than %d levels)",
                            SN_ASSERT_MAX_NESTING);
    const Line *entry = &lines->v[first];
    size_t i = first + 1;
    if (consumed == entry->len) {
        if (i < lines->n && has_indent(&lines->v[i], base + 2, "")) {
            const Line *next = &lines->v[i];
            size_t rest = next->len - (base + 2);
            const char *r = next->s + base + 2;
            if (rest > 0 && r[0] == '-')
                return parse_list(lines, i, base, depth, ret, ret_next, reterr);
            if (rest > 0 && r[0] != ' ')
                return parse_map(lines, i, base, depth, ret, ret_next, reterr);
        }
        return parse_multiline(lines, i, base, ret, ret_next, reterr);
    }
    if (entry->s[consumed] != ' ')
        return quoted(reterr, -EBADMSG,
                      "header entry should have a space or newline (for multiline) before value: \"%.*s\"", entry);
    SnAssertValue *v = sn_assert_value_new_string_len(entry->s + consumed + 1, entry->len - consumed - 1);
    if (!v)
        return -ENOMEM;
    *ret = v;
    *ret_next = i;
    return 0;
}

int sn_assert_parse_headers(const char *head, size_t len, SnAssertValue **ret, SnError **reterr)
{
    if (!sn_assert_utf8_valid(head, len))
        return sn_error_set(reterr, -EBADMSG, "header is not utf8");
    if (memchr(head, 0, len))
        return sn_error_set(reterr, -EBADMSG, "header contains a NUL byte");
    Lines lines = {0};
    size_t count = 1;
    for (size_t i = 0; i < len; i++)
        if (head[i] == '\n')
            count++;
    _sn_free_ Line *v = calloc(count, sizeof(Line));
    if (!v)
        return -ENOMEM;
    const char *p = head, *end = head + len;
    for (size_t k = 0; k < count; k++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        v[k] = (Line){p, (size_t)(e - p)};
        p = e + 1;
    }
    lines.v = v;
    lines.n = count;

    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *headers = sn_assert_value_new_map();
    if (!headers)
        return -ENOMEM;
    for (size_t i = 0; i < lines.n;) {
        const Line *entry = &lines.v[i];
        const char *colon = memchr(entry->s, ':', entry->len);
        if (!colon)
            return quoted(reterr, -EBADMSG, "header entry missing ':' separator: \"%.*s\"", entry);
        size_t nlen = (size_t)(colon - entry->s);
        if (!header_name_valid(entry->s, nlen)) {
            Line n = {entry->s, nlen};
            return quoted(reterr, -EBADMSG, "invalid header name: \"%.*s\"", &n);
        }
        _sn_free_ char *name = strndup(entry->s, nlen);
        if (!name)
            return -ENOMEM;
        SnAssertValue *value = NULL;
        int r = parse_entry(&lines, nlen + 1, i, 0, 0, &value, &i, reterr);
        if (r < 0)
            return r;
        if (sn_assert_value_map_get(headers, name)) {
            sn_assert_value_free(value);
            return sn_error_set(reterr, -EBADMSG, "repeated header: \"%s\"", name);
        }
        r = sn_assert_value_map_set(headers, name, value);
        if (r < 0)
            return r;
    }
    *ret = SN_TAKE_PTR(headers);
    return 0;
}

/* ---- assembling ---- */

SnAssertion *sn_assertion_free(SnAssertion *a)
{
    if (a) {
        sn_assert_value_free(a->headers);
        free(a->body);
        free(a->content);
        free(a->signature);
        free(a);
    }
    return NULL;
}

SnAssertion **sn_assertion_list_free(SnAssertion **list)
{
    if (list) {
        for (SnAssertion **p = list; *p; p++)
            sn_assertion_free(*p);
        free(list);
    }
    return NULL;
}

const char *sn_assertion_header(const SnAssertion *a, const char *name)
{
    return sn_assert_value_map_get_string(a->headers, name);
}

const char *sn_assertion_authority(const SnAssertion *a)
{
    return sn_assertion_header(a, "authority-id");
}

const char *sn_assertion_sign_key(const SnAssertion *a)
{
    return sn_assertion_header(a, "sign-key-sha3-384");
}

static int check_iteration(const SnAssertValue *h, const char *name, int *ret, SnError **reterr)
{
    SnAssertValue *v = sn_assert_value_map_get(h, name);
    if (!v) {
        *ret = 0;
        return 0;
    }
    if (v->kind != SN_ASSERT_VALUE_STRING)
        return sn_error_set(reterr, -EBADMSG, "\"%s\" header is not an integer", name);
    int64_t n;
    int r = sn_assert_atoi(v->str, &n);
    if (r == -ERANGE || (r == 0 && n > INT32_MAX))
        return sn_error_set(reterr, -EBADMSG, "\"%s\" header is out of range: %s", name, v->str);
    if (r < 0)
        return sn_error_set(reterr, -EBADMSG, "\"%s\" header is not an integer: %s", name, v->str);
    if (n < 0)
        return sn_error_set(reterr, -EBADMSG, "%s should be positive: %lld", name, (long long)n);
    *ret = (int)n;
    return 0;
}

static int assemble_checks(SnAssertion *a, SnError **reterr)
{
    SnAssertValue *h = a->headers;
    int64_t length = 0;
    SnAssertValue *bl = sn_assert_value_map_get(h, "body-length");
    if (bl) {
        if (bl->kind != SN_ASSERT_VALUE_STRING)
            return sn_error_set(reterr, -EBADMSG, "assertion: \"body-length\" header is not an integer");
        int r = sn_assert_atoi(bl->str, &length);
        if (r < 0)
            return sn_error_set(reterr, -EBADMSG, "assertion: \"body-length\" header is not an integer: %s", bl->str);
    }
    if (length != (int64_t)a->body_len)
        return sn_error_set(reterr, -EBADMSG, "assertion body length and declared body-length don't match: %zu != %lld",
                            a->body_len, (long long)length);
    if (!sn_assert_utf8_valid(a->body ? a->body : "", a->body_len))
        return sn_error_set(reterr, -EBADMSG, "assertion body is not utf8");
    int r = sn_assert_check_digest(h, "sign-key-sha3-384", "header", reterr);
    if (r < 0)
        return sn_error_prefix(reterr, r, "assertion");
    const char *type = NULL;
    r = sn_assert_check_not_empty(h, "type", "header", &type, reterr);
    if (r < 0)
        return sn_error_prefix(reterr, r, "assertion");
    a->type = sn_assert_type_lookup(type);
    if (!a->type)
        return sn_error_set(reterr, -EBADMSG, "unknown assertion type: \"%.64s\"", type);
    const SnAssertType *t = a->type;
    if (t->flags & SN_ASSERT_JSON_BODY) {
        r = sn_assert_check_json_body(a->body, a->body_len, reterr);
        if (r < 0)
            return sn_error_prefix(reterr, r, "assertion %s", t->name);
    }
    if (!(t->flags & SN_ASSERT_NO_AUTHORITY)) {
        r = sn_assert_check_not_empty(h, "authority-id", "header", NULL, reterr);
        if (r < 0)
            return sn_error_prefix(reterr, r, "assertion");
    } else if (sn_assert_value_map_get(h, "authority-id")) {
        return sn_error_set(reterr, -EBADMSG, "\"%s\" assertion cannot have authority-id set", t->name);
    }
    r = check_iteration(h, "format", &a->format, reterr);
    if (r < 0)
        return sn_error_prefix(reterr, r, "assertion");
    for (size_t i = 0; i < t->n_primary_key; i++) {
        const char *key = t->primary_key[i];
        const char *defl = sn_assert_type_key_default(t, key);
        if (!sn_assert_value_map_get(h, key) && defl) {
            r = sn_assert_value_map_set_string(h, key, defl);
            if (r < 0)
                return r;
            a->default_filled = true;
        }
        const char *v = NULL;
        r = sn_assert_check_not_empty(h, key, "header", &v, reterr);
        if (r < 0)
            return sn_error_prefix(reterr, r, "assertion %s", t->name);
        if (strchr(v, '/'))
            return sn_error_set(reterr, -EBADMSG, "assertion %s: \"%s\" primary key header cannot contain '/'", t->name,
                                key);
    }
    r = check_iteration(h, "revision", &a->revision, reterr);
    if (r < 0)
        return sn_error_prefix(reterr, r, "assertion");
    if (a->signature_len == 0 && !a->signature_newline)
        return sn_error_set(reterr, -EBADMSG, "empty assertion signature");
    if (t->check) {
        r = t->check(a, reterr);
        if (r < 0)
            return sn_error_prefix(reterr, r, "assertion %s", t->name);
    }
    return 0;
}

static char *memdup0(const char *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s) {
        if (n)
            memcpy(s, p, n);
        s[n] = 0;
    }
    return s;
}

int sn_assert_assemble(SnAssertValue *headers, const char *body, size_t body_len, const char *content,
                       size_t content_len, const char *signature, size_t signature_len, bool signature_newline,
                       SnAssertion **ret, SnError **reterr)
{
    _sn_cleanup_(sn_assertion_freep) SnAssertion *a = calloc(1, sizeof(*a));
    if (!a) {
        sn_assert_value_free(headers);
        return -ENOMEM;
    }
    a->headers = headers;
    if (body_len > 0 && !(a->body = memdup0(body, body_len)))
        return -ENOMEM;
    a->body_len = body_len;
    if (!(a->content = memdup0(content, content_len)) || !(a->signature = memdup0(signature, signature_len)))
        return -ENOMEM;
    a->content_len = content_len;
    a->signature_len = signature_len;
    a->signature_newline = signature_newline;
    int r = assemble_checks(a, reterr);
    if (r < 0)
        return r;
    *ret = SN_TAKE_PTR(a);
    return 0;
}

static const char *find_nlnl(const char *p, size_t len)
{
    return memmem(p, len, "\n\n", 2);
}

int sn_assert_decode(const char *data, size_t len, SnAssertion **ret, SnError **reterr)
{
    const char *split = NULL;
    for (size_t i = len; i >= 2; i--)
        if (data[i - 2] == '\n' && data[i - 1] == '\n') {
            split = data + i - 2;
            break;
        }
    if (!split)
        return sn_error_set(reterr, -EBADMSG, "assertion content/signature separator not found");
    size_t content_len = (size_t)(split - data);
    const char *sig = split + 2;
    size_t sig_len = len - content_len - 2;
    bool sig_nl = sig_len > 0 && sig[sig_len - 1] == '\n';
    if (sig_nl)
        sig_len--;

    const char *hb = find_nlnl(data, content_len);
    size_t head_len = hb ? (size_t)(hb - data) : content_len;
    const char *body = hb ? hb + 2 : NULL;
    size_t body_len = hb ? content_len - head_len - 2 : 0;

    SnAssertValue *headers = NULL;
    int r = sn_assert_parse_headers(data, head_len, &headers, reterr);
    if (r < 0)
        return sn_error_prefix(reterr, r, "parsing assertion headers");
    return sn_assert_assemble(headers, body, body_len, data, content_len, sig, sig_len, sig_nl, ret, reterr);
}

int sn_assert_decode_next(const char *data, size_t len, size_t *offset, SnAssertion **ret, SnError **reterr)
{
    size_t off = *offset;
    if (off >= len) {
        *ret = NULL;
        return 0;
    }
    const char *p = data + off;
    size_t left = len - off;
    const char *sep = find_nlnl(p, SN_MIN(left, (size_t)SN_ASSERT_MAX_HEADERS_SIZE));
    if (!sep) {
        if (left >= SN_ASSERT_MAX_HEADERS_SIZE)
            return sn_error_set(reterr, -EBADMSG,
                                "error reading assertion headers: maximum size exceeded while looking for delimiter "
                                "\"\\n\\n\"");
        return sn_error_set(reterr, -EBADMSG, "unexpected EOF");
    }
    size_t head_len = (size_t)(sep - p);
    SnAssertValue *headers_raw = NULL;
    int r = sn_assert_parse_headers(p, head_len, &headers_raw, reterr);
    if (r < 0)
        return sn_error_prefix(reterr, r, "parsing assertion headers");
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *headers = headers_raw;

    int64_t length = 0;
    SnAssertValue *bl = sn_assert_value_map_get(headers, "body-length");
    if (bl) {
        if (bl->kind != SN_ASSERT_VALUE_STRING || sn_assert_atoi(bl->str, &length) < 0)
            return sn_error_set(reterr, -EBADMSG, "assertion: \"body-length\" header is not an integer");
    }
    if (length > (int64_t)SN_ASSERT_MAX_BODY_SIZE)
        return sn_error_set(reterr, -EBADMSG, "assertion body length %lld exceeds maximum body size",
                            (long long)length);
    size_t pos = head_len + 2;
    const char *body = NULL;
    size_t body_len = 0;
    if (length > 0) {
        if (left - pos < (size_t)length)
            return sn_error_set(reterr, -EBADMSG, "unexpected EOF");
        body = p + pos;
        body_len = (size_t)length;
        pos += body_len;
    }
    /* the trailer: "\n\n" after a body; without a body this is already the signature */
    const char *rest = p + pos;
    size_t rest_len = left - pos;
    const char *t = find_nlnl(rest, rest_len);
    size_t chunk = t ? (size_t)(t - rest) + 2 : rest_len;
    if (chunk > SN_ASSERT_MAX_SIGNATURE_SIZE)
        return sn_error_set(reterr, -EBADMSG, "error reading assertion trailer: maximum size exceeded");
    size_t content_len;
    const char *sig;
    size_t sig_len;
    if (chunk == 2 && t == rest) {
        content_len = pos;
        pos += 2;
        const char *s = p + pos;
        size_t sl = left - pos;
        const char *t2 = find_nlnl(s, sl);
        sig_len = t2 ? (size_t)(t2 - s) + 2 : sl;
        if (sig_len > SN_ASSERT_MAX_SIGNATURE_SIZE)
            return sn_error_set(reterr, -EBADMSG, "error reading assertion signature: maximum size exceeded");
        sig = s;
        pos += sig_len;
    } else {
        if (length > 0)
            return sn_error_set(reterr, -EBADMSG, "missing content/signature separator");
        content_len = head_len;
        sig = rest;
        sig_len = chunk;
        pos += chunk;
    }
    if (sig_len >= 2 && sig[sig_len - 1] == '\n' && sig[sig_len - 2] == '\n')
        sig_len--;
    bool sig_nl = sig_len > 0 && sig[sig_len - 1] == '\n';
    if (sig_nl)
        sig_len--;
    r = sn_assert_assemble(SN_TAKE_PTR(headers), body, body_len, p, content_len, sig, sig_len, sig_nl, ret, reterr);
    if (r < 0)
        return r;
    *offset = off + pos;
    return 0;
}

int sn_assert_decode_stream(const char *data, size_t len, SnAssertion ***ret, size_t *ret_n, SnError **reterr)
{
    _sn_cleanup_(sn_assertion_list_freep) SnAssertion **list = calloc(1, sizeof(*list));
    if (!list)
        return -ENOMEM;
    size_t n = 0, off = 0;
    for (;;) {
        SnAssertion *a = NULL;
        int r = sn_assert_decode_next(data, len, &off, &a, reterr);
        if (r < 0)
            return sn_error_prefix(reterr, r, "assertion %zu", n + 1);
        if (!a)
            break;
        SnAssertion **nl = realloc(list, (n + 2) * sizeof(*list));
        if (!nl) {
            sn_assertion_free(a);
            return -ENOMEM;
        }
        list = nl;
        list[n++] = a;
        list[n] = NULL;
    }
    *ret = SN_TAKE_PTR(list);
    if (ret_n)
        *ret_n = n;
    return 0;
}

char *sn_assertion_unique_ref(const SnAssertion *a)
{
    SnBuf b = {0};
    sn_buf_puts(&b, a->type->name);
    for (size_t i = 0; i < a->type->n_primary_key; i++) {
        const char *key = a->type->primary_key[i];
        const char *v = sn_assertion_header(a, key);
        const char *defl = sn_assert_type_key_default(a->type, key);
        if (defl && v && SN_STREQ(v, defl) && i + 1 == a->type->n_primary_key)
            break;
        sn_buf_putc(&b, '/');
        sn_buf_puts(&b, v ? v : "");
    }
    return sn_buf_steal(&b);
}

char *sn_assertion_describe(const SnAssertion *a)
{
    SnBuf b = {0};
    sn_buf_printf(&b, "%s (", a->type->name);
    for (size_t i = 0; i < a->type->n_primary_key; i++) {
        const char *v = sn_assertion_header(a, a->type->primary_key[i]);
        sn_buf_printf(&b, "%s%s", i ? "; " : "", v ? v : "");
    }
    sn_buf_putc(&b, ')');
    return sn_buf_steal(&b);
}
