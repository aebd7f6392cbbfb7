/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap-yaml-fields.c: the typed field getters, called directly on loaded YAML trees.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "snap-yaml-decode-internal.h"
#include "strutil.h"
#include "yaml-tree.h"

static SnYamlNode root;

static void load(const char *yaml)
{
    _sn_cleanup_(sn_error_freep) SnError *e = NULL;
    int r = sn_yaml_tree_load(yaml, strlen(yaml), &root, &e);
    cr_assert_eq(r, 0, "%s", sn_error_message(e, r));
}

static void unload(void)
{
    sn_yaml_node_done(&root);
    memset(&root, 0, sizeof(root));
}

TestSuite(snap_yaml_fields, .fini = unload);

Test(snap_yaml_fields, get_str_takes_scalars_keeps_raw_text_and_refuses_collections)
{
    load("a: hello\nb: 1.10\nc: ~\nd: [x]\n");
    _sn_free_ char *s = NULL;
    cr_assert_eq(sn_snap_yaml_get_str(sn_yaml_node_get(&root, "a"), NULL, "a", &s, NULL), 0);
    cr_assert_str_eq(s, "hello");
    cr_assert_eq(sn_snap_yaml_get_str(sn_yaml_node_get(&root, "b"), NULL, "b", &s, NULL), 0);
    cr_assert_str_eq(s, "1.10", "yaml.v2 keeps the text of a float given to a string field");
    /* null and absent replace the old value with NULL */
    cr_assert_eq(sn_snap_yaml_get_str(sn_yaml_node_get(&root, "c"), NULL, "c", &s, NULL), 0);
    cr_assert_null(s);
    SnError *e = NULL;
    cr_assert_eq(sn_snap_yaml_get_str(sn_yaml_node_get(&root, "d"), "app", "d", &s, &e), -EINVAL);
    cr_assert_str_eq(e->message, "cannot parse snap.yaml: app: d: cannot unmarshal a sequence into a string (line 4)");
    cr_assert_eq(e->line, 4);
    cr_assert_null(s);
    sn_error_free(e);
}

Test(snap_yaml_fields, get_strv_turns_null_items_into_empty_strings_and_caps_length)
{
    load("l: [a, ~, 3]\nm: {k: v}\nn: [[x]]\n");
    _sn_strv_free_ char **v = NULL;
    cr_assert_eq(sn_snap_yaml_get_strv(sn_yaml_node_get(&root, "l"), NULL, "l", &v, NULL), 0);
    cr_assert_eq(sn_strv_length(v), 3);
    cr_assert_str_eq(v[0], "a");
    cr_assert_str_eq(v[1], "");
    cr_assert_str_eq(v[2], "3");
    SnError *e = NULL;
    cr_assert_eq(sn_snap_yaml_get_strv(sn_yaml_node_get(&root, "m"), NULL, "m", &v, &e), -EINVAL);
    cr_assert(strstr(e->message, "m: cannot unmarshal a map into a list of strings"), "%s", e->message);
    sn_error_free(e);
    e = NULL;
    cr_assert_eq(sn_snap_yaml_get_strv(sn_yaml_node_get(&root, "n"), NULL, "n", &v, &e), -EINVAL);
    cr_assert(strstr(e->message, "n: cannot unmarshal a sequence into a string"), "%s", e->message);
    sn_error_free(e);
    cr_assert_eq(sn_strv_length(v), 3, "a failed get leaves the old value");
    unload();

    SnBuf b = {0};
    sn_buf_puts(&b, "l: [");
    for (unsigned i = 0; i <= SN_SNAP_YAML_MAX_ITEMS; i++)
        sn_buf_puts(&b, i ? ",x" : "x");
    sn_buf_puts(&b, "]\n");
    cr_assert(sn_buf_ok(&b));
    load(b.data);
    sn_buf_done(&b);
    e = NULL;
    cr_assert_eq(sn_snap_yaml_get_strv(sn_yaml_node_get(&root, "l"), NULL, "l", &v, &e), -EINVAL);
    cr_assert(strstr(e->message, "l: more than 1024 entries"), "%s", e->message);
    sn_error_free(e);
}

Test(snap_yaml_fields, get_env_keeps_order_and_refuses_nested_values)
{
    load("env: {Z: 1, A: two, E: ~}\nbad: {K: [1]}\n");
    SnEnvVar *env = NULL;
    size_t n = 0;
    cr_assert_eq(sn_snap_yaml_get_env(sn_yaml_node_get(&root, "env"), NULL, &env, &n, NULL), 0);
    cr_assert_eq(n, 3);
    cr_assert_str_eq(env[0].key, "Z");
    cr_assert_str_eq(env[0].value, "1");
    cr_assert_str_eq(env[1].key, "A");
    cr_assert_str_eq(env[2].value, "");
    SnError *e = NULL;
    cr_assert_eq(sn_snap_yaml_get_env(sn_yaml_node_get(&root, "bad"), "hook", &env, &n, &e), -EINVAL);
    cr_assert(strstr(e->message, "hook: environment: cannot unmarshal a sequence into a string"), "%s", e->message);
    sn_error_free(e);
    cr_assert_eq(n, 3);
    sn_snap_yaml_env_free(env, n);
}

Test(snap_yaml_fields, get_duration_parses_go_durations)
{
    load("ok: 1m30s\nzero: 0\nbad: 5 parsecs\nneg1: -1ns\n");
    SnDuration d = 0;
    cr_assert_eq(sn_snap_yaml_get_duration(NULL, "a", "stop-timeout", &d, NULL), 0);
    cr_assert_eq(d, SN_DURATION_UNSET);
    cr_assert_eq(sn_snap_yaml_get_duration(sn_yaml_node_get(&root, "ok"), "a", "stop-timeout", &d, NULL), 0);
    cr_assert_eq(d, 90LL * 1000000000LL);
    cr_assert_eq(sn_snap_yaml_get_duration(sn_yaml_node_get(&root, "zero"), "a", "stop-timeout", &d, NULL), 0);
    cr_assert_eq(d, 0);
    /* -1ns is a real (negative) duration, not "unset": validation must still see it */
    cr_assert_eq(sn_snap_yaml_get_duration(sn_yaml_node_get(&root, "neg1"), "a", "stop-timeout", &d, NULL), 0);
    cr_assert_neq(d, SN_DURATION_UNSET);
    cr_assert_lt(d, 0);
    SnError *e = NULL;
    cr_assert_eq(sn_snap_yaml_get_duration(sn_yaml_node_get(&root, "bad"), "a", "stop-timeout", &d, &e), -EINVAL);
    cr_assert(sn_startswith(e->message, "cannot parse snap.yaml: app \"a\": stop-timeout: time: "), "%s", e->message);
    cr_assert(strstr(e->message, "\"5 parsecs\""), "%s", e->message);
    sn_error_free(e);
}

Test(snap_yaml_fields, small_helpers)
{
    int *arr = NULL;
    size_t n = 0;
    for (int i = 0; i < 100; i++) {
        int *slot = sn_snap_yaml_array_push(&arr, &n, sizeof(int));
        cr_assert_not_null(slot);
        cr_assert_eq(*slot, 0, "pushed elements are zeroed");
        *slot = i;
    }
    cr_assert_eq(n, 100);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(arr[i], i);
    free(arr);

    char *s = (char *)"x";
    cr_assert_eq(sn_snap_yaml_dup(NULL, &s), 0);
    cr_assert_null(s);
    cr_assert_eq(sn_snap_yaml_dup("y", &s), 0);
    cr_assert_str_eq(s, "y");
    free(s);

    _sn_strv_free_ char **v = NULL;
    cr_assert_eq(sn_snap_yaml_strv_add_unique(&v, "a"), 0);
    cr_assert_eq(sn_snap_yaml_strv_add_unique(&v, "b"), 0);
    cr_assert_eq(sn_snap_yaml_strv_add_unique(&v, "a"), 0);
    cr_assert_eq(sn_strv_length(v), 2);

    load("m: {}\ns: x\nn: ~\n");
    cr_assert(sn_snap_yaml_map_or_null(NULL));
    cr_assert(sn_snap_yaml_map_or_null(sn_yaml_node_get(&root, "m")));
    cr_assert(sn_snap_yaml_map_or_null(sn_yaml_node_get(&root, "n")));
    cr_assert_not(sn_snap_yaml_map_or_null(sn_yaml_node_get(&root, "s")));
}
