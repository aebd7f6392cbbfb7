/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * assert-types-checks.c: integers, times and the header checks, called directly.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "assert-test.h"
#include "assert-types-internal.h"

static SnAssertValue *headers(void)
{
    SnAssertValue *m = sn_assert_value_new_map();
    cr_assert_eq(sn_assert_value_map_set_string(m, "empty", ""), 0);
    cr_assert_eq(sn_assert_value_map_set_string(m, "word", "hello"), 0);
    cr_assert_eq(sn_assert_value_map_set_string(m, "zero-prefixed", "012"), 0);
    cr_assert_eq(sn_assert_value_map_set_string(m, "huge", "99999999999999999999"), 0);
    cr_assert_eq(sn_assert_value_map_set_string(m, "neg", "-4"), 0);
    cr_assert_eq(sn_assert_value_map_set_string(m, "yes", "true"), 0);
    cr_assert_eq(sn_assert_value_map_set_string(m, "when", "2016-01-01T00:00:00Z"), 0);
    SnAssertValue *l = sn_assert_value_new_list();
    cr_assert_eq(sn_assert_value_list_append(l, sn_assert_value_new_string("ok-name")), 0);
    cr_assert_eq(sn_assert_value_list_append(l, sn_assert_value_new_string("Bad")), 0);
    cr_assert_eq(sn_assert_value_map_set(m, "list", l), 0);
    return m;
}

/* The message of a failed check (freed by the caller). */
#define failing(call)                                                                                                  \
    ({                                                                                                                 \
        SnError *_e = NULL;                                                                                            \
        SnError **reterr = &_e;                                                                                        \
        int _r = (call);                                                                                               \
        cr_assert_eq(_r, -EBADMSG, "%s succeeded", #call);                                                             \
        char *_m = strdup(_e->message);                                                                                \
        sn_error_free(_e);                                                                                             \
        _m;                                                                                                            \
    })

#define assert_message(call, expected)                                                                                 \
    do {                                                                                                               \
        _sn_free_ char *_msg = failing(call);                                                                          \
        cr_assert_str_eq(_msg, (expected));                                                                            \
    } while (0)

Test(assert_types_checks, string_checks_use_snapds_words)
{
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *m = headers();
    const char *s = NULL;
    cr_assert_eq(sn_assert_check_not_empty(m, "word", "header", &s, NULL), 0);
    cr_assert_str_eq(s, "hello");
    assert_message(sn_assert_check_not_empty(m, "missing", "header", NULL, reterr), "\"missing\" header is mandatory");
    assert_message(sn_assert_check_not_empty(m, "empty", "of snap", NULL, reterr),
                   "\"empty\" of snap should not be empty");
    assert_message(sn_assert_check_not_empty(m, "list", "header", NULL, reterr), "\"list\" header must be a string");
    cr_assert_eq(sn_assert_check_exists_string(m, "empty", "header", &s, NULL), 0);
    cr_assert_eq(sn_assert_check_optional_string(m, "missing", "header", &s, NULL), 0);
    cr_assert_str_eq(s, "");
    assert_message(sn_assert_check_optional_string(m, "list", "header", &s, reterr),
                   "\"list\" header must be a string");
    cr_assert_eq(sn_assert_check_matches(m, "word", "header", sn_assert_model_name_valid, &s, NULL), 0);
    cr_assert_eq(sn_assert_value_map_set_string(m, "upper", "Hello"), 0);
    assert_message(sn_assert_check_matches(m, "upper", "header", sn_assert_model_name_valid, NULL, reterr),
                   "\"upper\" header contains invalid characters: \"Hello\"");
}

Test(assert_types_checks, integers_booleans_and_times)
{
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *m = headers();
    uint64_t u;
    int64_t i;
    bool b;
    assert_message(sn_assert_check_uint(m, "zero-prefixed", "header", &u, reterr),
                   "\"zero-prefixed\" header has invalid prefix zeros: 012");
    assert_message(sn_assert_check_uint(m, "huge", "header", &u, reterr),
                   "\"huge\" header is out of range: 99999999999999999999");
    assert_message(sn_assert_check_uint(m, "neg", "header", &u, reterr),
                   "\"neg\" header is not an unsigned integer: -4");
    cr_assert_eq(sn_assert_check_int(m, "neg", "header", &i, NULL), 0);
    cr_assert_eq(i, -4);
    assert_message(sn_assert_check_snap_revision(m, "neg", "of snap", reterr), "\"neg\" of snap must be >=1: -4");
    assert_message(sn_assert_check_int(m, "word", "header", &i, reterr), "\"word\" header is not an integer: hello");
    cr_assert_eq(sn_assert_check_bool(m, "yes", "header", &b, NULL), 0);
    cr_assert(b);
    cr_assert_eq(sn_assert_check_bool(m, "missing", "header", &b, NULL), 0);
    cr_assert_not(b);
    assert_message(sn_assert_check_bool(m, "word", "header", &b, reterr), "\"word\" header must be 'true' or 'false'");
    cr_assert_eq(sn_assert_check_time(m, "when", "header", &i, NULL), 0);
    cr_assert_eq(i, 1451606400);
    assert_message(sn_assert_check_time(m, "word", "header", &i, reterr),
                   "\"word\" header is not a RFC3339 date: hello");
    cr_assert_eq(sn_assert_check_optional_time(m, "missing", "header", &i, NULL), 0);
    cr_assert_eq(i, 0);
}

Test(assert_types_checks, lists_kinds_and_digests)
{
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *m = headers();
    cr_assert_eq(sn_assert_check_string_list(m, "list", NULL, NULL), 0);
    cr_assert_eq(sn_assert_check_string_list(m, "missing", sn_assert_model_name_valid, NULL), 0);
    assert_message(sn_assert_check_string_list(m, "list", sn_assert_model_name_valid, reterr),
                   "\"list\" header contains an invalid element: \"Bad\"");
    assert_message(sn_assert_check_string_list(m, "word", NULL, reterr), "\"word\" header must be a list of strings");
    SnAssertValue *v = NULL;
    cr_assert_eq(sn_assert_check_kind(m, "list", SN_ASSERT_VALUE_LIST, "header", &v, NULL), 0);
    cr_assert_not_null(v);
    assert_message(sn_assert_check_kind(m, "list", SN_ASSERT_VALUE_MAP, "header", &v, reterr),
                   "\"list\" header must be a map");
    cr_assert_eq(sn_assert_value_map_set_string(m, "digest", SIGN_KEY), 0);
    cr_assert_eq(sn_assert_check_digest(m, "digest", "header", NULL), 0);
    assert_message(sn_assert_check_digest(m, "word", "header", reterr),
                   "\"word\" header cannot be decoded or does not have the expected bit length");
    cr_assert_eq(sn_assert_value_map_set_string(m, "digest", SIGN_KEY "A"), 0);
    assert_message(sn_assert_check_digest(m, "digest", "header", reterr),
                   "\"digest\" header cannot be decoded or does not have the expected bit length");
}

Test(assert_types_checks, name_rules)
{
    cr_assert(sn_assert_account_key_name_valid("default"));
    cr_assert(sn_assert_account_key_name_valid("key-2"));
    cr_assert(sn_assert_account_key_name_valid("2a"));
    cr_assert_not(sn_assert_account_key_name_valid("22"), "needs a letter");
    cr_assert_not(sn_assert_account_key_name_valid("-a"));
    cr_assert_not(sn_assert_account_key_name_valid("a--b"));
    cr_assert_not(sn_assert_account_key_name_valid("Key"));
    cr_assert(sn_assert_lower_alnum_dash_name_valid("22"));
    cr_assert_not(sn_assert_lower_alnum_dash_name_valid("a-"));
    cr_assert_not(sn_assert_lower_alnum_dash_name_valid(""));
    cr_assert(sn_assert_model_name_valid("pc-amd64"));
    cr_assert_not(sn_assert_model_name_valid("PC"));
}

Test(assert_types_checks, key_validity_windows)
{
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *h = sn_assert_value_new_map();
    SnAssertion fake = {.headers = h};
    const SnAssertion *a = &fake;
    int64_t since, until;
    assert_message(sn_assert_key_validity(a, &since, &until, reterr), "\"since\" header is mandatory");
    cr_assert_eq(sn_assert_value_map_set_string(h, "since", "2020-01-01T00:00:00Z"), 0);
    cr_assert_eq(sn_assert_key_validity(a, &since, &until, NULL), 0);
    cr_assert_eq(since, 1577836800);
    cr_assert_eq(until, 0, "no until: valid forever");
    cr_assert_eq(sn_assert_value_map_set_string(h, "until", "2019-01-01T00:00:00Z"), 0);
    assert_message(sn_assert_key_validity(a, &since, &until, reterr), "'until' time cannot be before 'since' time");
    cr_assert_eq(sn_assert_value_map_set_string(h, "until", "2021-01-01T00:00:00Z"), 0);
    cr_assert_eq(sn_assert_key_validity(a, &since, &until, NULL), 0);
    cr_assert_eq(until, 1609459200);
}

Test(assert_types_checks, format_time_is_rfc3339_utc)
{
    char buf[32];
    sn_assert_format_time(1451606400, buf, sizeof(buf));
    cr_assert_str_eq(buf, "2016-01-01T00:00:00Z");
    int64_t t;
    cr_assert_eq(sn_assert_parse_time(buf, &t), 0);
    cr_assert_eq(t, 1451606400);
}

Test(assert_types_checks, times_and_integers_follow_go)
{
    int64_t t;
    cr_assert_eq(sn_assert_parse_time("2016-01-01T00:00:00Z", &t), 0);
    cr_assert_eq(t, 1451606400);
    cr_assert_eq(sn_assert_parse_time("2016-01-01T02:00:00.123+02:00", &t), 0);
    cr_assert_eq(t, 1451606400);
    cr_assert_eq(sn_assert_parse_time("2024-02-29T12:00:00-00:30", &t), 0);
    cr_assert_neq(sn_assert_parse_time("2023-02-29T12:00:00Z", &t), 0);
    cr_assert_neq(sn_assert_parse_time("2016-01-01 00:00:00Z", &t), 0);
    cr_assert_neq(sn_assert_parse_time("2016-01-01T00:00:00", &t), 0);
    int64_t v;
    cr_assert_eq(sn_assert_atoi("0", &v), 0);
    cr_assert_eq(sn_assert_atoi("+12", &v), 0);
    cr_assert_eq(v, 12);
    cr_assert_neq(sn_assert_atoi("012", &v), 0);
    cr_assert_neq(sn_assert_atoi("", &v), 0);
    cr_assert_neq(sn_assert_atoi("1x", &v), 0);
    cr_assert_eq(sn_assert_atoi("99999999999999999999", &v), -ERANGE);
}
