/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * assert-input.c: `snap sign` input, JSON or YAML headers with an optional "body".
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "assert-input.h"

static char *parse_fail(const char *text)
{
    SnAssertValue *h = NULL;
    char *body = NULL;
    SnError *e = NULL;
    int r = sn_assert_input_parse(text, strlen(text), &h, &body, &e);
    cr_assert_eq(r, -EINVAL, "accepted: %s", text);
    cr_assert_null(h);
    char *m = strdup(e->message);
    sn_error_free(e);
    return m;
}

#define assert_refused(text, substring)                                                                                \
    do {                                                                                                               \
        _sn_free_ char *_m = parse_fail(text);                                                                         \
        cr_assert(strstr(_m, (substring)), "message \"%s\" lacks \"%s\"", _m, (substring));                            \
    } while (0)

Test(assert_input, json_headers_with_nested_values_and_a_body)
{
    const char *text = "{\"type\": \"model\", \"snaps\": [{\"name\": \"pc\", \"modes\": [\"run\"]}], "
                       "\"body\": \"hello\\n\"}";
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *h = NULL;
    _sn_free_ char *body = NULL;
    cr_assert_eq(sn_assert_input_parse(text, strlen(text), &h, &body, NULL), 0);
    cr_assert_eq(h->kind, SN_ASSERT_VALUE_MAP);
    cr_assert_eq(h->n, 2, "body is taken out of the headers");
    cr_assert_str_eq(sn_assert_value_map_get_string(h, "type"), "model");
    const SnAssertValue *snaps = sn_assert_value_map_get(h, "snaps");
    cr_assert_eq(snaps->kind, SN_ASSERT_VALUE_LIST);
    cr_assert_str_eq(sn_assert_value_map_get_string(snaps->items[0], "name"), "pc");
    cr_assert_str_eq(body, "hello\n");
}

Test(assert_input, yaml_when_not_json_with_scalars_as_strings)
{
    const char *text = "type: account\nrevision: 3\nflag: true\nlist:\n  - a\n  - 1\n";
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *h = NULL;
    _sn_free_ char *body = NULL;
    cr_assert_eq(sn_assert_input_parse(text, strlen(text), &h, &body, NULL), 0);
    cr_assert_null(body);
    cr_assert_str_eq(sn_assert_value_map_get_string(h, "revision"), "3");
    cr_assert_str_eq(sn_assert_value_map_get_string(h, "flag"), "true");
    cr_assert_str_eq(sn_assert_value_map_get(h, "list")->items[1]->str, "1");
}

Test(assert_input, refusals)
{
    assert_refused("{\"revision\": 3}", "header values must be strings or nested lists or maps");
    assert_refused("{\"a\": true}", "header values must be strings or nested lists or maps");
    assert_refused("{\"a\": null}", "header values must be strings or nested lists or maps");
    assert_refused("{\"a\": \"x\\u0000y\"}", "header values cannot contain NUL characters");
    assert_refused("[\"a\"]", "the assertion input must be a mapping of headers");
    assert_refused("- a\n- b\n", "the assertion input must be a mapping of headers");
    assert_refused("{\"body\": [\"x\"]}", "body if specified must be a string");
    assert_refused("a: [\n", "cannot parse the assertion input as JSON");
}

Test(assert_input, nesting_is_capped)
{
    char text[400] = "";
    for (int i = 0; i < 80; i++)
        strcat(text, "[");
    strcat(text, "\"x\"");
    for (int i = 0; i < 80; i++)
        strcat(text, "]");
    char doc[500];
    snprintf(doc, sizeof(doc), "{\"a\": %s}", text);
    assert_refused(doc, "nested too deeply");
}
