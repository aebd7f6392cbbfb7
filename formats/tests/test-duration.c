/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "duration.h"
#include "macros.h"

Test(duration, parses_go_durations)
{
    static const struct {
        const char *s;
        int64_t ns;
    } cases[] = {
        {"0", 0},
        {"-0", 0},
        {"10s", 10000000000LL},
        {"1m30s", 90000000000LL},
        {"1.5h", 5400000000000LL},
        {"500ms", 500000000LL},
        {"-12s", -12000000000LL},
        {"+3ns", 3},
        {"1us", 1000},
        {"1\xc2\xb5s", 1000},
        {"1\xce\xbcs", 1000},
        {".5s", 500000000LL},
        {"1.s", 1000000000LL},
        {"2h45m10.5s", 9910500000000LL},
        {"9223372036854775807ns", INT64_MAX},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(cases); i++) {
        int64_t d = -99;
        cr_assert_eq(sn_duration_parse(cases[i].s, &d, NULL), 0, "%s", cases[i].s);
        cr_assert_eq(d, cases[i].ns, "%s gave %lld", cases[i].s, (long long)d);
    }
}

Test(duration, refuses_what_go_refuses)
{
    static const struct {
        const char *s;
        const char *reason;
    } cases[] = {
        {"", "invalid duration"},
        {"10", "missing unit in duration"},
        {"s", "invalid duration"},
        {".s", "invalid duration"},
        {"10x", "unknown unit in duration"},
        {"1h-1m", "unknown unit in duration"},
        {"9223372036854775808ns", "invalid duration"},
        {"99999999999h", "invalid duration"},
        {"-", "invalid duration"},
        {"1 s", "unknown unit in duration"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(cases); i++) {
        int64_t d = 7;
        const char *reason = NULL;
        cr_assert_lt(sn_duration_parse(cases[i].s, &d, &reason), 0, "%s", cases[i].s);
        cr_assert_eq(d, 7, "written on failure");
        cr_assert_str_eq(reason, cases[i].reason, "%s", cases[i].s);
    }
    cr_assert_lt(sn_duration_parse(NULL, &(int64_t){0}, NULL), 0);
}

Test(duration, formats_like_go)
{
    static const struct {
        int64_t ns;
        const char *s;
    } cases[] = {
        {0, "0s"},
        {1, "1ns"},
        {1500, "1.5\xc2\xb5s"},
        {500000000LL, "500ms"},
        {90000000000LL, "1m30s"},
        {3600000000000LL, "1h0m0s"},
        {-1500000000LL, "-1.5s"},
        {30000000000LL, "30s"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(cases); i++) {
        char buf[SN_DURATION_FORMAT_MAX];
        cr_assert_str_eq(sn_duration_format(cases[i].ns, buf, sizeof(buf)), cases[i].s);
    }
    char buf[SN_DURATION_FORMAT_MAX];
    sn_duration_format(INT64_MIN, buf, sizeof(buf));
    cr_assert_str_eq(buf, "-2562047h47m16.854775808s");
}
