/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * assert-json.c: canonical JSON bodies, as Go's json.MarshalIndent(v, "", "  ") prints them.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "assert-json.h"

static char *canon(const char *json)
{
    char *out = NULL;
    SnError *e = NULL;
    int r = sn_assert_json_canonical(json, strlen(json), &out, &e);
    cr_assert_eq(r, 0, "%s: %s", json, sn_error_message(e, r));
    return out;
}

Test(assert_json, keys_sorted_two_space_indent_and_go_escapes)
{
    _sn_free_ char *c = canon("{\"b\": 1, \"a\": [true, null, \"<x>&\\u2028\"], \"e\": {}, \"f\": []}");
    cr_assert_str_eq(c, "{\n"
                        "  \"a\": [\n"
                        "    true,\n"
                        "    null,\n"
                        "    \"\\u003cx\\u003e\\u0026\\u2028\"\n"
                        "  ],\n"
                        "  \"b\": 1,\n"
                        "  \"e\": {},\n"
                        "  \"f\": []\n"
                        "}");
}

Test(assert_json, numbers_print_as_go_float64)
{
    static const char *const cases[][2] = {
        {"1", "1"},
        {"1.50", "1.5"},
        {"-0.25", "-0.25"},
        {"100000", "100000"},
        {"1e20", "100000000000000000000"},
        {"1e21", "1e+21"},
        {"0.000001", "0.000001"},
        {"1.5e-7", "1.5e-7"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(cases); i++) {
        _sn_free_ char *c = canon(cases[i][0]);
        cr_assert_str_eq(c, cases[i][1], "%s", cases[i][0]);
    }
}

Test(assert_json, body_check_wants_exactly_the_canonical_text)
{
    const char *good = "{\n  \"a\": \"x\",\n  \"b\": [\n    1\n  ]\n}";
    cr_assert_eq(sn_assert_check_json_body(good, strlen(good), NULL), 0);
    static const char *const bad[] = {
        "{\"a\": \"x\", \"b\": [1]}",
        "{\n  \"b\": [\n    1\n  ],\n  \"a\": \"x\"\n}",
        "{\n    \"a\": \"x\"\n}",
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(bad); i++) {
        SnError *e = NULL;
        cr_assert_eq(sn_assert_check_json_body(bad[i], strlen(bad[i]), &e), -EBADMSG, "%s", bad[i]);
        cr_assert_str_eq(e->message, "JSON in body must be indented with 2 spaces and sort object entries by key");
        sn_error_free(e);
    }
    SnError *e = NULL;
    cr_assert_eq(sn_assert_check_json_body("", 0, &e), -EBADMSG);
    cr_assert_str_eq(e->message, "body must contain JSON");
    sn_error_free(e);
    e = NULL;
    cr_assert_eq(sn_assert_check_json_body("{\"a\":", 5, &e), -EBADMSG);
    cr_assert(strstr(e->message, "invalid JSON in body"), "%s", e->message);
    sn_error_free(e);
}
