/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap-yaml-plugs.c: plugs and slots, their binding, and the core snap's renamed plugs.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "snap-yaml-decode-internal.h"
#include "snap-yaml-test.h"

Test(snap_yaml_plugs, plugs_and_slots_in_all_three_forms)
{
    const char *yaml = "name: ps\nversion: 1\n"
                       "plugs:\n"
                       "  home:\n"
                       "  net: network\n"
                       "  data:\n    interface: content\n    label: Data\n    target: $SNAP/data\n"
                       "    read: [a, b]\n    nested: {k: [1, 2]}\n"
                       "slots:\n"
                       "  srv: {interface: dbus, bus: session, name: org.example}\n";
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse_ok(yaml);
    cr_assert_eq(info->n_plugs, 3);
    cr_assert_str_eq(info->plugs[0].name, "home");
    cr_assert_str_eq(info->plugs[0].interface, "home");
    cr_assert_eq(info->plugs[0].attrs.kind, SN_YAML_NULL);
    cr_assert_str_eq(info->plugs[1].interface, "network");
    const SnPlugSlot *data = &info->plugs[2];
    cr_assert_str_eq(data->interface, "content");
    cr_assert_str_eq(data->label, "Data");
    cr_assert_eq(data->attrs.kind, SN_YAML_MAP);
    cr_assert_eq(data->attrs.n_items, 3);
    cr_assert_str_eq(data->attrs.keys[0], "target");
    cr_assert_str_eq(data->attrs.items[0].scalar, "$SNAP/data");
    cr_assert_eq(data->attrs.items[1].kind, SN_YAML_SEQ);
    cr_assert_eq(data->attrs.items[2].items[0].items[1].kind, SN_YAML_SCALAR);
    cr_assert_eq(info->n_slots, 1);
    cr_assert_str_eq(info->slots[0].interface, "dbus");
    cr_assert_eq(info->slots[0].attrs.n_items, 2);
}

Test(snap_yaml_plugs, plug_definition_errors)
{
    assert_rejected("name: ps\nversion: 1\nplugs:\n  p: 42\n", "plug \"p\" has malformed definition");
    assert_rejected("name: ps\nversion: 1\nplugs:\n  p: [a]\n", "plug \"p\" has malformed definition");
    assert_rejected("name: ps\nversion: 1\nslots:\n  s:\n    interface: [x]\n",
                    "interface name of slot \"s\" is not a string");
    assert_rejected("name: ps\nversion: 1\nplugs:\n  p:\n    label: 5\n", "label of plug \"p\" is not a string");
    assert_rejected("name: ps\nversion: 1\nplugs:\n  p:\n    \"\": x\n", "plug \"p\" has an empty attribute key");
    assert_rejected("name: ps\nversion: 1\nplugs:\n  p:\n    a: [1, ~]\n",
                    "attribute \"a\" of plug \"p\": invalid scalar");
}

Test(snap_yaml_plugs, top_level_plugs_bind_to_every_app_and_hook)
{
    const char *yaml = "name: bind\nversion: 1\n"
                       "plugs:\n  shared:\n    interface: home\n  scoped:\n    interface: network\n"
                       "slots:\n  everywhere:\n    interface: dbus\n"
                       "apps:\n"
                       "  one:\n    command: bin/one\n    plugs: [scoped, implicit-plug]\n"
                       "  two:\n    command: bin/two\n"
                       "hooks:\n  install:\n  configure:\n    plugs: [hook-only]\n";
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse_ok(yaml);
    const SnApp *one = sn_snap_info_find_app(info, "one");
    const SnApp *two = sn_snap_info_find_app(info, "two");
    cr_assert(sn_strv_contains(one->plugs, "shared"));
    cr_assert(sn_strv_contains(one->plugs, "scoped"));
    cr_assert(sn_strv_contains(one->plugs, "implicit-plug"));
    cr_assert(sn_strv_contains(two->plugs, "shared"));
    cr_assert_not(sn_strv_contains(two->plugs, "scoped"));
    cr_assert(sn_strv_contains(two->slots, "everywhere"));
    const SnHook *install = sn_snap_info_find_hook(info, "install");
    cr_assert(sn_strv_contains(install->plugs, "shared"));
    cr_assert_not(sn_strv_contains(install->plugs, "hook-only"));
    cr_assert(sn_strv_contains(install->slots, "everywhere"));
    const SnHook *configure = sn_snap_info_find_hook(info, "configure");
    cr_assert(sn_strv_contains(configure->plugs, "hook-only"));
    /* the plug records who it is bound to */
    cr_assert_eq(info->n_plugs, 4);
    cr_assert(info->plugs[0].unscoped);
    cr_assert_not(info->plugs[1].unscoped);
    cr_assert_eq(sn_strv_length(info->plugs[0].apps), 2);
    cr_assert_eq(sn_strv_length(info->plugs[0].hooks), 2);
    cr_assert_str_eq(info->plugs[2].name, "implicit-plug");
    cr_assert(info->plugs[2].implicit);
    cr_assert_str_eq(info->plugs[2].interface, "implicit-plug");
    cr_assert_str_eq(info->plugs[3].name, "hook-only");
    cr_assert_str_eq(info->plugs[3].hooks[0], "configure");
}

Test(snap_yaml_plugs, core_snap_plugs_are_renamed)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse_ok("name: core\nversion: 16\ntype: os\nplugs:\n  network-bind:\nslots:\n  network-bind:\n");
    cr_assert_str_eq(info->plugs[0].name, "network-bind-plug");
    cr_assert_str_eq(info->slots[0].name, "network-bind");
}

Test(snap_yaml_plugs, find_and_bind_named_create_implicit_plugs_once)
{
    SnSnapInfo info = {0};
    SnSnapYamlDecoder d = {.info = &info};
    size_t idx = 99, again = 99;
    cr_assert_null(sn_snap_yaml_find_plug_slot(info.plugs, info.n_plugs, "home"));
    cr_assert_eq(sn_snap_yaml_bind_named(&d, true, "home", 7, &idx), 0);
    cr_assert_eq(idx, 0);
    cr_assert_eq(info.n_plugs, 1);
    cr_assert(info.plugs[0].implicit);
    cr_assert_str_eq(info.plugs[0].interface, "home");
    cr_assert_eq(info.plugs[0].line, 7);
    cr_assert(d.plug_scoped[0]);
    cr_assert_eq(sn_snap_yaml_bind_named(&d, true, "home", 9, &again), 0);
    cr_assert_eq(again, 0, "a second binding finds the same plug");
    cr_assert_eq(info.n_plugs, 1);
    cr_assert_eq(sn_snap_yaml_find_plug_slot(info.plugs, info.n_plugs, "home"), &info.plugs[0]);
    cr_assert_eq(d.n_bindings, 2);
    cr_assert_eq(sn_snap_yaml_bind_named(&d, false, "srv", 3, &idx), 0);
    cr_assert_eq(info.n_slots, 1);
    cr_assert(d.slot_scoped[0]);
    free(d.plug_scoped);
    free(d.slot_scoped);
    /* the SnSnapInfo is on the stack: free its arrays through a heap copy */
    SnSnapInfo *heap = calloc(1, sizeof(*heap));
    cr_assert_not_null(heap);
    *heap = info;
    sn_snap_info_free(heap);
}

Test(snap_yaml_plugs, bindings_are_capped)
{
    SnSnapInfo info = {0};
    SnError *e = NULL;
    SnSnapYamlDecoder d = {.info = &info, .reterr = &e, .n_bindings = SN_SNAP_YAML_MAX_BINDINGS - 1};
    cr_assert_eq(sn_snap_yaml_count_binding(&d), 0);
    cr_assert_eq(sn_snap_yaml_count_binding(&d), -EINVAL);
    cr_assert(strstr(e->message, "more than 16384 plug and slot bindings"), "%s", e->message);
    sn_error_free(e);
}

Test(snap_yaml_plugs, attribute_values_must_have_non_null_leaves)
{
    SnYamlNode root = {0};
    const char *yaml = "good: {a: [1, {b: c}]}\nbad: {a: [1, {b: ~}]}\n";
    cr_assert_eq(sn_yaml_tree_load(yaml, strlen(yaml), &root, NULL), 0);
    cr_assert_eq(sn_snap_yaml_check_attr_value(sn_yaml_node_get(&root, "good"), "plug", "p", "good", NULL), 0);
    SnError *e = NULL;
    cr_assert_eq(sn_snap_yaml_check_attr_value(sn_yaml_node_get(&root, "bad"), "slot", "s", "bad", &e), -EINVAL);
    cr_assert_str_eq(e->message, "attribute \"bad\" of slot \"s\": invalid scalar: <nil> (line 2)");
    sn_error_free(e);
    sn_yaml_node_done(&root);
}

Test(snap_yaml_plugs, unscoped_slots_bind_to_apps_and_hooks_but_not_component_hooks)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse_ok("name: un\nversion: 1\ntype: kernel\n"
                 "plugs:\n  p: home\nslots:\n  s: dbus\n"
                 "apps:\n  a:\n    command: x\n"
                 "components:\n  comp:\n    type: standard\n    hooks:\n      install:\n");
    cr_assert(sn_strv_contains(info->apps[0].plugs, "p"));
    cr_assert(sn_strv_contains(info->apps[0].slots, "s"));
    const SnHook *ch = &info->components[0].hooks[0];
    cr_assert(sn_strv_contains(ch->plugs, "p"), "unscoped plugs reach component hooks");
    cr_assert_not(sn_strv_contains(ch->slots, "s"), "slots never do");
    cr_assert_eq(sn_strv_length(info->plugs[0].apps), 1);
    cr_assert_eq(sn_strv_length(info->plugs[0].hooks), 0, "component hooks are not listed on the plug");
}
