/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Test helpers (header-only, tests only) for hand-made assertions: headers written by the test,
 * an optional body, and a dummy signature (decoding never verifies signatures).
 */
#pragma once

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "assert-decode.h"
#include "strutil.h"

#define SIGN_KEY "hIedp1AvrWlcDI4uS_qjoFLzjKl5enu4G2FYJpgB3Pj-tUzGlTQBxMBsBmi-tnJR"
#define SIGN_KEY_LINE "sign-key-sha3-384: " SIGN_KEY "\n"

/*
 * Decodes headers (each line ending in '\n', sign-key-sha3-384 added when missing) with body
 * (NULL: none) and a dummy signature. NULL when decoded (*ret, when not NULL, gets the
 * assertion), else the message (caller frees).
 */
static inline char *try_decode(const char *headers, const char *body, SnAssertion **ret)
{
    SnBuf b = {0};
    sn_buf_puts(&b, headers);
    if (body)
        sn_buf_printf(&b, "body-length: %zu\n", strlen(body));
    if (!strstr(headers, "sign-key-sha3-384: "))
        sn_buf_puts(&b, SIGN_KEY_LINE);
    b.len--; /* the headers end without a newline */
    sn_buf_puts(&b, "\n\n");
    if (body)
        sn_buf_printf(&b, "%s\n\n", body);
    sn_buf_puts(&b, "AXNpZw==");
    cr_assert(sn_buf_ok(&b));
    SnAssertion *a = NULL;
    SnError *e = NULL;
    int r = sn_assert_decode(b.data, b.len, &a, &e);
    sn_buf_done(&b);
    if (r == 0) {
        if (ret)
            *ret = a;
        else
            sn_assertion_free(a);
        return NULL;
    }
    char *m = strdup(e ? e->message : "(no message)");
    sn_error_free(e);
    return m;
}

#define a_ok(headers)                                                                                                  \
    do {                                                                                                               \
        _sn_free_ char *_m = try_decode((headers), NULL, NULL);                                                        \
        cr_assert_null(_m, "rejected: %s\n%s", _m, (headers));                                                         \
    } while (0)

#define a_bad(headers, substring)                                                                                      \
    do {                                                                                                               \
        _sn_free_ char *_m = try_decode((headers), NULL, NULL);                                                        \
        cr_assert_not_null(_m, "accepted:\n%s", (headers));                                                            \
        cr_assert(strstr(_m, (substring)), "message \"%s\" lacks \"%s\"", _m, (substring));                            \
    } while (0)

/* headers without the line of header name (caller frees). */
static inline char *drop_header(const char *headers, const char *name)
{
    _sn_free_ char *needle = sn_strdup_printf("%s: ", name);
    const char *p = headers;
    while (p && !sn_startswith(p, needle)) {
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    cr_assert_not_null(p, "no header %s", name);
    const char *end = strchr(p, '\n');
    return sn_strdup_printf("%.*s%s", (int)(p - headers), headers, end + 1);
}

/* headers with header name's line replaced by "name: value" (caller frees). */
static inline char *set_header(const char *headers, const char *name, const char *value)
{
    _sn_free_ char *without = drop_header(headers, name);
    return sn_strdup_printf("%s%s: %s\n", without, name, value);
}

/*
 * Every header in required, dropped one at a time from the valid headers, is reported as
 * mandatory, and the valid headers decode.
 */
static inline void check_required(const char *valid, const char *const *required, size_t n)
{
    a_ok(valid);
    for (size_t i = 0; i < n; i++) {
        _sn_free_ char *without = drop_header(valid, required[i]);
        _sn_free_ char *want = sn_strdup_printf("\"%s\" header is mandatory", required[i]);
        a_bad(without, want);
    }
}

/*
 * Decodes the first assertion of corpus file rel with the first occurrence of from replaced by
 * to. NULL when decoded, else the message (caller frees). Needs assert-corpus.h.
 */
#define try_corpus_edit(rel, from, to)                                                                                 \
    ({                                                                                                                 \
        size_t _len;                                                                                                   \
        _sn_free_ char *_data = corpus_read((rel), &_len);                                                             \
        char *_at = strstr(_data, (from));                                                                             \
        cr_assert_not_null(_at, "%s has no \"%s\"", (rel), (from));                                                    \
        _sn_free_ char *_edited = sn_strdup_printf("%.*s%s%s", (int)(_at - _data), _data, (to), _at + strlen(from));   \
        SnAssertion *_a = NULL;                                                                                        \
        SnError *_e = NULL;                                                                                            \
        size_t _off = 0;                                                                                               \
        int _r = sn_assert_decode_next(_edited, strlen(_edited), &_off, &_a, &_e);                                     \
        sn_assertion_free(_a);                                                                                         \
        char *_m = _r < 0 ? strdup(_e ? _e->message : "(no message)") : NULL;                                          \
        sn_error_free(_e);                                                                                             \
        _m;                                                                                                            \
    })
