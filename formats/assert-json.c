/* SPDX-License-Identifier: GPL-3.0-only */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "assert-json.h"
#include "strutil.h"

static void put_indent(SnBuf *b, int depth)
{
    sn_buf_putc(b, '\n');
    for (int i = 0; i < depth; i++)
        sn_buf_puts(b, "  ");
}

/* Go's encodeState.string with HTML escaping on (json.Marshal's default). */
static void put_string(SnBuf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    sn_buf_putc(b, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            sn_buf_putc(b, '\\');
            sn_buf_putc(b, (char)c);
        } else if (c == '\n') {
            sn_buf_puts(b, "\\n");
        } else if (c == '\r') {
            sn_buf_puts(b, "\\r");
        } else if (c == '\t') {
            sn_buf_puts(b, "\\t");
        } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf], 0};
            sn_buf_puts(b, esc);
        } else if (c == 0xe2 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
            sn_buf_puts(b, (unsigned char)s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
            i += 2;
        } else {
            sn_buf_putc(b, (char)c);
        }
    }
    sn_buf_putc(b, '"');
}

/* Go's float64 formatting in encoding/json (strconv 'f' or 'e' with the shortest precision). */
static void put_number(SnBuf *b, double f)
{
    char buf[64];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof(buf), "%.*e", prec - 1, f);
        if (strtod(buf, NULL) == f)
            break;
    }
    double a = f < 0 ? -f : f;
    int mag = a == 0 ? 0 : atoi(strchr(buf, 'e') + 1);
    if (a != 0 && (a < 1e-6 || a >= 1e21)) {
        /* Go prints e+21 with two digits but cleans e-07 to e-7 */
        char *e = strchr(buf, 'e');
        char mant[32];
        snprintf(mant, sizeof(mant), "%.*s", (int)(e - buf), buf);
        int exp = atoi(e + 1);
        /* drop trailing zeros of the mantissa */
        if (strchr(mant, '.')) {
            char *end = mant + strlen(mant) - 1;
            while (*end == '0')
                *end-- = 0;
            if (*end == '.')
                *end = 0;
        }
        if (exp < 0)
            sn_buf_printf(b, "%se-%d", mant, -exp);
        else
            sn_buf_printf(b, "%se+%02d", mant, exp);
        return;
    }
    /* 'f' format with the digits needed */
    int digits = prec; /* significant digits */
    int decimals = digits - 1 - mag;
    if (decimals < 0)
        decimals = 0;
    snprintf(buf, sizeof(buf), "%.*f", decimals, f);
    if (strchr(buf, '.')) {
        char *end = buf + strlen(buf) - 1;
        while (*end == '0')
            *end-- = 0;
        if (*end == '.')
            *end = 0;
    }
    sn_buf_puts(b, buf);
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int render(SnBuf *b, json_t *v, int depth)
{
    if (depth > 64)
        return -EBADMSG;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(v);
        if (n == 0) {
            sn_buf_puts(b, "{}");
            return 0;
        }
        _sn_free_ const char **keys = calloc(n, sizeof(*keys));
        if (!keys)
            return -ENOMEM;
        size_t i = 0;
        const char *k;
        json_t *item;
        json_object_foreach(v, k, item) keys[i++] = k;
        qsort(keys, n, sizeof(*keys), key_cmp);
        sn_buf_putc(b, '{');
        for (i = 0; i < n; i++) {
            if (i)
                sn_buf_putc(b, ',');
            put_indent(b, depth + 1);
            put_string(b, keys[i], strlen(keys[i]));
            sn_buf_puts(b, ": ");
            int r = render(b, json_object_get(v, keys[i]), depth + 1);
            if (r < 0)
                return r;
        }
        put_indent(b, depth);
        sn_buf_putc(b, '}');
        return 0;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(v);
        if (n == 0) {
            sn_buf_puts(b, "[]");
            return 0;
        }
        sn_buf_putc(b, '[');
        for (size_t i = 0; i < n; i++) {
            if (i)
                sn_buf_putc(b, ',');
            put_indent(b, depth + 1);
            int r = render(b, json_array_get(v, i), depth + 1);
            if (r < 0)
                return r;
        }
        put_indent(b, depth);
        sn_buf_putc(b, ']');
        return 0;
    }
    case JSON_STRING:
        put_string(b, json_string_value(v), json_string_length(v));
        return 0;
    case JSON_INTEGER:
        put_number(b, (double)json_integer_value(v));
        return 0;
    case JSON_REAL:
        put_number(b, json_real_value(v));
        return 0;
    case JSON_TRUE:
        sn_buf_puts(b, "true");
        return 0;
    case JSON_FALSE:
        sn_buf_puts(b, "false");
        return 0;
    case JSON_NULL:
        sn_buf_puts(b, "null");
        return 0;
    }
    return -EBADMSG;
}

int sn_assert_json_canonical(const char *body, size_t len, char **ret, SnError **reterr)
{
    json_error_t jerr;
    _sn_cleanup_(json_decrefp) json_t *v = json_loadb(body, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!v)
        return sn_error_set(reterr, -EBADMSG, "invalid JSON in body: %s", jerr.text);
    SnBuf b = {0};
    int r = render(&b, v, 0);
    if (r < 0 || !sn_buf_ok(&b)) {
        sn_buf_done(&b);
        return r < 0 ? sn_error_set(reterr, r, "invalid JSON in body: nested too deeply") : -ENOMEM;
    }
    *ret = sn_buf_steal(&b);
    return *ret ? 0 : -ENOMEM;
}

int sn_assert_check_json_body(const char *body, size_t len, SnError **reterr)
{
    if (!body || len == 0)
        return sn_error_set(reterr, -EBADMSG, "body must contain JSON");
    _sn_free_ char *canon = NULL;
    int r = sn_assert_json_canonical(body, len, &canon, reterr);
    if (r < 0)
        return r;
    if (strlen(canon) != len || memcmp(canon, body, len) != 0)
        return sn_error_set(reterr, -EBADMSG,
                            "JSON in body must be indented with 2 spaces and sort object entries by key");
    return 0;
}
