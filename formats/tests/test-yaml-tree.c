/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <string.h>

#include "strutil.h"
#include "yaml-tree.h"

static int load(const char *yaml, SnYamlNode *root, char **ret_msg)
{
    _sn_cleanup_(sn_error_freep) SnError *e = NULL;
    int r = sn_yaml_tree_load(yaml, strlen(yaml), root, &e);
    if (ret_msg)
        *ret_msg = r < 0 && e ? strdup(e->message) : NULL;
    return r;
}

Test(yaml_tree, builds_maps_sequences_and_scalars_in_order)
{
    SnYamlNode root;
    cr_assert_eq(load("b: 1\na: [x, 'y', ~]\nc:\n  d: \"q\"\n", &root, NULL), 0);
    cr_assert_eq(root.kind, SN_YAML_MAP);
    cr_assert_eq(root.n_items, 3);
    cr_assert_str_eq(root.keys[0], "b");
    cr_assert_str_eq(root.keys[1], "a");
    const SnYamlNode *a = sn_yaml_node_get(&root, "a");
    cr_assert_eq(a->kind, SN_YAML_SEQ);
    cr_assert_eq(a->n_items, 3);
    cr_assert_not(a->items[0].quoted);
    cr_assert(a->items[1].quoted);
    cr_assert_eq(a->items[2].kind, SN_YAML_NULL);
    cr_assert_eq(a->line, 2);
    const SnYamlNode *d = sn_yaml_node_get(sn_yaml_node_get(&root, "c"), "d");
    cr_assert_str_eq(d->scalar, "q");
    cr_assert_eq(d->line, 4);
    cr_assert_null(sn_yaml_node_get(&root, "zz"));
    SnYamlNode copy;
    cr_assert_eq(sn_yaml_node_copy(&root, &copy), 0);
    cr_assert_str_eq(copy.keys[2], "c");
    sn_yaml_node_done(&copy);
    sn_yaml_node_done(&root);
    cr_assert_eq(root.kind, SN_YAML_NULL);
}

Test(yaml_tree, resolves_scalars_like_yaml_v2)
{
    static const struct {
        const char *text;
        SnYamlScalarType type;
    } cases[] = {
        {"x: 1", SN_YAML_TYPE_INT},     {"x: 0x1F", SN_YAML_TYPE_INT},       {"x: 0640", SN_YAML_TYPE_INT},
        {"x: -5", SN_YAML_TYPE_INT},    {"x: 1_000", SN_YAML_TYPE_INT},      {"x: 1.5", SN_YAML_TYPE_FLOAT},
        {"x: 1e3", SN_YAML_TYPE_FLOAT}, {"x: .inf", SN_YAML_TYPE_FLOAT},     {"x: yes", SN_YAML_TYPE_BOOL},
        {"x: Off", SN_YAML_TYPE_BOOL},  {"x: \"1\"", SN_YAML_TYPE_STR},      {"x: !!str 1", SN_YAML_TYPE_STR},
        {"x: hello", SN_YAML_TYPE_STR}, {"x: 1.2.3", SN_YAML_TYPE_STR},      {"x:", SN_YAML_TYPE_NULL},
        {"x: ~", SN_YAML_TYPE_NULL},    {"x: [1]", SN_YAML_TYPE_COLLECTION}, {"x: 08", SN_YAML_TYPE_FLOAT},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(cases); i++) {
        SnYamlNode root;
        cr_assert_eq(load(cases[i].text, &root, NULL), 0, "%s", cases[i].text);
        cr_assert_eq(sn_yaml_node_type(sn_yaml_node_get(&root, "x")), cases[i].type, "%s", cases[i].text);
        sn_yaml_node_done(&root);
    }
    int64_t v;
    cr_assert_eq(sn_yaml_parse_int("0640", &v), 0);
    cr_assert_eq(v, 0640);
    cr_assert_eq(sn_yaml_parse_int("-0x10", &v), 0);
    cr_assert_eq(v, -16);
    cr_assert_eq(sn_yaml_parse_int("0b101", &v), 0);
    cr_assert_eq(v, 5);
    cr_assert_eq(sn_yaml_parse_int("-9223372036854775808", &v), 0);
    cr_assert_eq(v, INT64_MIN);
    cr_assert_eq(sn_yaml_parse_int("9223372036854775808", &v), -ERANGE);
    cr_assert_eq(sn_yaml_parse_int("", &v), -EINVAL);
    cr_assert_eq(sn_yaml_parse_int("12a", &v), -EINVAL);
}

Test(yaml_tree, refuses_duplicate_and_complex_keys)
{
    SnYamlNode root;
    _sn_free_ char *m1 = NULL, *m2 = NULL;
    cr_assert_eq(load("a: 1\nb: 2\na: 3\n", &root, &m1), -EINVAL);
    cr_assert(strstr(m1, "line 3: mapping key \"a\" already defined at line 1"), "%s", m1);
    cr_assert_eq(load("? [a]\n: 1\n", &root, &m2), -EINVAL);
    cr_assert(strstr(m2, "mapping keys must be scalars"), "%s", m2);
}

Test(yaml_tree, aliases_expand_within_caps)
{
    SnYamlNode root;
    cr_assert_eq(load("a: &x {k: v}\nb: *x\n", &root, NULL), 0);
    cr_assert_str_eq(sn_yaml_node_get(sn_yaml_node_get(&root, "b"), "k")->scalar, "v");
    sn_yaml_node_done(&root);
    _sn_free_ char *m = NULL;
    cr_assert_eq(load("a: *nope\n", &root, &m), -EINVAL);
    cr_assert(strstr(m, "unknown anchor"), "%s", m);

    /* 10 levels of 10 aliases each would be 10^10 nodes */
    SnBuf b = {0};
    sn_buf_puts(&b, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 10; i++) {
        sn_buf_printf(&b, "a%d: &a%d [", i, i);
        for (int j = 0; j < 10; j++)
            sn_buf_printf(&b, "%s*a%d", j ? "," : "", i - 1);
        sn_buf_puts(&b, "]\n");
    }
    _sn_free_ char *m2 = NULL;
    cr_assert_eq(load(b.data, &root, &m2), -E2BIG);
    cr_assert(strstr(m2, "more than"), "%s", m2);
    sn_buf_done(&b);

    /* one big scalar aliased many times hits the byte cap */
    SnBuf c = {0};
    sn_buf_puts(&c, "a: &big \"");
    for (int i = 0; i < 1024 * 1024; i++)
        sn_buf_putc(&c, 'x');
    sn_buf_puts(&c, "\"\nb: [");
    for (int i = 0; i < 64; i++)
        sn_buf_puts(&c, "*big,");
    sn_buf_puts(&c, "]\n");
    _sn_free_ char *m3 = NULL;
    cr_assert_eq(load(c.data, &root, &m3), -E2BIG);
    cr_assert(strstr(m3, "bytes"), "%s", m3);
    sn_buf_done(&c);
}

Test(yaml_tree, nesting_depth_is_capped)
{
    SnBuf b = {0};
    for (int i = 0; i < SN_YAML_MAX_DEPTH + 1; i++)
        sn_buf_putc(&b, '[');
    for (int i = 0; i < SN_YAML_MAX_DEPTH + 1; i++)
        sn_buf_putc(&b, ']');
    SnYamlNode root;
    cr_assert_eq(load(b.data, &root, NULL), -E2BIG);
    sn_buf_done(&b);
    SnBuf ok = {0};
    for (int i = 0; i < SN_YAML_MAX_DEPTH - 1; i++)
        sn_buf_putc(&ok, '[');
    for (int i = 0; i < SN_YAML_MAX_DEPTH - 1; i++)
        sn_buf_putc(&ok, ']');
    cr_assert_eq(load(ok.data, &root, NULL), 0);
    sn_yaml_node_done(&root);
    sn_buf_done(&ok);
}

Test(yaml_tree, syntax_errors_carry_the_line)
{
    SnYamlNode root = {0};
    SnError *e = NULL;
    const char *y = "a: 1\nb:\n\tc: 2\n";
    cr_assert_eq(sn_yaml_tree_load(y, strlen(y), &root, &e), -EINVAL);
    cr_assert_eq(e->line, 3);
    cr_assert(strstr(e->message, "line 3"), "%s", e->message);
    sn_error_free(e);
    cr_assert_eq(sn_yaml_tree_load("", 0, &root, NULL), 0);
    cr_assert_eq(root.kind, SN_YAML_NULL);
    cr_assert_eq(load("a: \"x\\0y\"\n", &root, NULL), -EINVAL);
}
