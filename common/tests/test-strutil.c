/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "strutil.h"

Test(strutil, parse_u64_accepts_whole_numbers)
{
    uint64_t v = 99;
    cr_assert_eq(sn_parse_u64("0", &v), 0);
    cr_assert_eq(v, 0);
    cr_assert_eq(sn_parse_u64("18446744073709551615", &v), 0);
    cr_assert_eq(v, UINT64_MAX);
}

Test(strutil, parse_u64_rejects_junk_and_overflow)
{
    uint64_t v = 42;
    cr_assert_eq(sn_parse_u64("", &v), -EINVAL);
    cr_assert_eq(sn_parse_u64("01", &v), -EINVAL);
    cr_assert_eq(sn_parse_u64("1 ", &v), -EINVAL);
    cr_assert_eq(sn_parse_u64("-1", &v), -EINVAL);
    cr_assert_eq(sn_parse_u64("+1", &v), -EINVAL);
    cr_assert_eq(sn_parse_u64("18446744073709551616", &v), -ERANGE);
    cr_assert_eq(v, 42, "out-parameter must be untouched on failure");
}

Test(strutil, parse_i64_handles_sign_and_limits)
{
    int64_t v;
    cr_assert_eq(sn_parse_i64("-9223372036854775808", &v), 0);
    cr_assert_eq(v, INT64_MIN);
    cr_assert_eq(sn_parse_i64("9223372036854775808", &v), -ERANGE);
    cr_assert_eq(sn_parse_i64("-5", &v), 0);
    cr_assert_eq(v, -5);
}

Test(strutil, buf_grows_and_steals)
{
    SnBuf b = {0};
    for (int i = 0; i < 1000; i++)
        sn_buf_printf(&b, "%d,", i);
    sn_buf_puts(&b, "end");
    cr_assert(sn_buf_ok(&b));
    char *s = sn_buf_steal(&b);
    cr_assert(strncmp(s, "0,1,2,", 6) == 0);
    cr_assert(strstr(s, "999,end") != NULL);
    cr_assert_null(b.data);
    free(s);
}

Test(strutil, strv_push_and_contains)
{
    _sn_strv_free_ char **v = NULL;
    cr_assert_eq(sn_strv_push(&v, "a"), 0);
    cr_assert_eq(sn_strv_push(&v, "b"), 0);
    cr_assert_eq(sn_strv_length(v), 2);
    cr_assert(sn_strv_contains(v, "b"));
    cr_assert_not(sn_strv_contains(v, "c"));
}

Test(strutil, encodings_match_rfc4648_vectors)
{
    static const struct {
        const char *in, *b64, *b64url;
    } vec[] = {
        {"", "", ""},
        {"f", "Zg==", "Zg"},
        {"fo", "Zm8=", "Zm8"},
        {"foo", "Zm9v", "Zm9v"},
        {"foob", "Zm9vYg==", "Zm9vYg"},
        {"\xfb\xff", "+/8=", "-_8"},
    };
    for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
        char *a = sn_base64_encode(vec[i].in, strlen(vec[i].in));
        char *b = sn_base64url_encode(vec[i].in, strlen(vec[i].in));
        cr_assert_str_eq(a, vec[i].b64);
        cr_assert_str_eq(b, vec[i].b64url);
        free(a);
        free(b);
    }
    char *h = sn_hex_encode("\x01\xab", 2);
    cr_assert_str_eq(h, "01ab");
    free(h);
}
