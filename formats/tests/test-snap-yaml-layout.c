/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap-yaml-layout.c: layout, system-usernames and links as decoded.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "snap-yaml-decode-internal.h"
#include "snap-yaml-test.h"

Test(snap_yaml_layout, layout_entries)
{
    const char *yaml = "name: lay\nversion: 1\nlayout:\n"
                       "  /usr/share/lay:\n    bind: $SNAP/usr/share/lay\n"
                       "  /etc/lay.conf:\n    bind-file: $SNAP_DATA/lay.conf\n"
                       "  /var/cache/lay:\n    type: tmpfs\n    mode: 01777\n"
                       "  /opt/lay:\n    symlink: $SNAP_COMMON/opt\n    user: root\n    group: root\n";
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse_ok(yaml);
    cr_assert_eq(info->n_layout, 4);
    cr_assert_str_eq(info->layout[0].path, "/usr/share/lay");
    cr_assert_str_eq(info->layout[0].bind, "$SNAP/usr/share/lay");
    cr_assert_eq(info->layout[0].mode, 0755);
    cr_assert_not(info->layout[0].has_mode);
    cr_assert_str_eq(info->layout[1].bind_file, "$SNAP_DATA/lay.conf");
    cr_assert_str_eq(info->layout[2].type, "tmpfs");
    cr_assert(info->layout[2].has_mode);
    cr_assert_eq(info->layout[2].mode, 01777);
    cr_assert_str_eq(info->layout[3].symlink, "$SNAP_COMMON/opt");
    cr_assert_str_eq(info->layout[3].user, "root");
    assert_rejected("name: lay\nversion: 1\nlayout:\n  /usr/x:\n    type: tmpfs\n    mode: 999\n",
                    "layout \"/usr/x\": mode");
}

Test(snap_yaml_layout, system_usernames_short_and_long_forms)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse_ok("name: su\nversion: 1\nsystem-usernames:\n  snap_daemon: shared\n"
                 "  _daemon_:\n    scope: shared\n    extra: 1\n");
    cr_assert_eq(info->n_system_usernames, 2);
    cr_assert_str_eq(info->system_usernames[0].name, "snap_daemon");
    cr_assert_str_eq(info->system_usernames[0].scope, "shared");
    cr_assert_str_eq(info->system_usernames[1].scope, "shared");
    cr_assert_eq(info->system_usernames[1].attrs.n_items, 1);
    assert_rejected("name: su\nversion: 1\nsystem-usernames:\n  snap_daemon: [x]\n", "has malformed definition");
    assert_rejected("name: su\nversion: 1\nsystem-usernames:\n  snap_daemon:\n", "does not specify a scope");
    assert_rejected("name: su\nversion: 1\nsystem-usernames:\n  snap_daemon:\n    scope: 3\n",
                    "scope on system username \"snap_daemon\" is not a string");
}

Test(snap_yaml_layout, modes_are_octal_with_a_0755_default)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    SnError *e = NULL;
    const char *yaml = "name: lm\nversion: 1\nlayout:\n  /etc/a:\n    bind: $SNAP/a\n"
                       "  /etc/b:\n    type: tmpfs\n    mode: \"1777\"\n";
    cr_assert_eq(sn_snap_yaml_parse_unvalidated(yaml, strlen(yaml), &info, &e), 0);
    cr_assert_eq(info->n_layout, 2);
    cr_assert_eq(info->layout[0].mode, 0755);
    cr_assert_not(info->layout[0].has_mode);
    cr_assert_eq(info->layout[1].mode, 01777);
    cr_assert(info->layout[1].has_mode);
    assert_rejected("name: lm\nversion: 1\nlayout:\n  /etc/a:\n    type: tmpfs\n    mode: \"0789\"\n",
                    "layout \"/etc/a\": mode: cannot parse \"0789\" as an octal number");
    assert_rejected("name: lm\nversion: 1\nlayout:\n  /etc/a:\n    type: tmpfs\n    mode: \"77777777777\"\n",
                    "as an octal number");
    assert_rejected("name: lm\nversion: 1\nlayout:\n  /etc/a: [x]\n", "cannot unmarshal a sequence into a map");
}

Test(snap_yaml_layout, links_keys_and_values)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse_ok("name: ln\nversion: 1\nlinks:\n  website: [https://example.com]\n  contact: [me@example.com]\n");
    cr_assert_eq(info->n_links, 2);
    cr_assert_str_eq(info->links[0].key, "website");
    cr_assert_str_eq(info->links[0].values[0], "https://example.com");
    cr_assert_eq(info->links[1].line, 5);
    assert_rejected("name: ln\nversion: 1\nlinks:\n  \"\": [a@b]\n", "links key cannot be empty");
    assert_rejected("name: ln\nversion: 1\nlinks:\n  a--b: [a@b]\n", "links key is invalid: a--b");
    assert_rejected("name: ln\nversion: 1\nlinks:\n  -a: [a@b]\n", "links key is invalid: -a");
    assert_rejected("name: ln\nversion: 1\nlinks: [x]\n", "cannot unmarshal a sequence into a map of lists");
}

Test(snap_yaml_layout, system_username_definitions)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    SnError *e = NULL;
    const char *yaml = "name: su\nversion: 1\nsystem-usernames:\n  snap_daemon:\n    scope: shared\n    extra: [1]\n";
    cr_assert_eq(sn_snap_yaml_parse_unvalidated(yaml, strlen(yaml), &info, &e), 0);
    cr_assert_str_eq(info->system_usernames[0].scope, "shared");
    cr_assert_eq(info->system_usernames[0].attrs.n_items, 1);
    cr_assert_str_eq(info->system_usernames[0].attrs.keys[0], "extra");
    assert_rejected("name: su\nversion: 1\nsystem-usernames:\n  snap_daemon: 5\n",
                    "system username \"snap_daemon\" has malformed definition (found \"5\")");
    assert_rejected("name: su\nversion: 1\nsystem-usernames:\n  snap_daemon: [a]\n",
                    "system username \"snap_daemon\" has malformed definition (found a sequence)");
    assert_rejected("name: su\nversion: 1\nsystem-usernames:\n  snap_daemon:\n    scope: [a]\n",
                    "scope on system username \"snap_daemon\" is not a string");
}
