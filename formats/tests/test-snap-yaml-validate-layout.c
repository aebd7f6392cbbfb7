/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap-yaml-validate-layout.c: layout rules and Go's path cleaning, through sn_snap_yaml_parse
 * and directly.
 */
#include <criterion/criterion.h>

#include "path-util.h"
#include <stdlib.h>
#include <string.h>

#include "snap-yaml-test.h"
#include "snap-yaml-validate-internal.h"

#define HEAD "name: vt\nversion: 1\n"

Test(snap_yaml_validate_layout, layouts)
{
    ok(HEAD "layout:\n  /var/lib/vt:\n    bind: $SNAP_DATA/lib\n  /usr/lib/vt:\n    symlink: $SNAP/lib\n"
            "  $SNAP/data:\n    type: tmpfs\n");
    bad(HEAD "layout:\n  /usr/x:\n    bind: $SNAP/x\n    symlink: $SNAP/y\n",
        "must define a bind mount, a filesystem mount or a symlink");
    bad(HEAD "layout:\n  /usr/x:\n", "must define a bind mount, a filesystem mount or a symlink");
    bad(HEAD "layout:\n  /usr/x:\n    type: ext4\n", "uses invalid filesystem \"ext4\"");
    bad(HEAD "layout:\n  /usr/x:\n    type: tmpfs\n    user: nobody\n", "uses invalid user \"nobody\"");
    bad(HEAD "layout:\n  /usr/x:\n    type: tmpfs\n    mode: 2755\n", "uses invalid mode 02755");
    bad(HEAD "layout:\n  /usr/x/../y:\n    type: tmpfs\n", "must be absolute and clean");
    bad(HEAD "layout:\n  /usr/$FOO/y:\n    type: tmpfs\n", "reference to unknown variable \"$FOO\"");
    bad(HEAD "layout:\n  /usr/x*:\n    type: tmpfs\n", "contains a reserved apparmor char");
    bad(HEAD "layout:\n  /usr/x:\n    symlink: /etc/x\n", "uses invalid symlink old name \"/etc/x\": must start with");
    bad(HEAD "layout:\n  /snap/other/x:\n    type: tmpfs\n", "defines a layout in space belonging to another snap");
    bad(HEAD "layout:\n  /usr/a:\n    bind: $SNAP/x\n  /usr/b:\n    bind-file: $SNAP/x\n",
        "refers to file \"$SNAP/x\" but another layout treats it as a directory");
    /* sorted order decides "prior", not file order */
    bad(HEAD "layout:\n  /usr/foo/bar:\n    type: tmpfs\n  /usr/foo:\n    type: tmpfs\n",
        "layout \"/usr/foo/bar\" underneath prior layout item \"/usr/foo\"");
}

Test(snap_yaml_validate_layout, clean_path_follows_go)
{
    static const char *const cases[][2] = {
        {"", "."},
        {"/", "/"},
        {"a/b/../c", "a/c"},
        {"/../a", "/a"},
        {"../../a", "../../a"},
        {"a/../..", ".."},
        {"//a//b/", "/a/b"},
        {"./a/.", "a"},
        {"a/..", "."},
        {"$SNAP/../x", "x"},
        {"/usr/./lib", "/usr/lib"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(cases); i++) {
        _sn_free_ char *c = sn_path_clean(cases[i][0]);
        cr_assert_str_eq(c, cases[i][1], "Clean(%s)", cases[i][0]);
    }
}

static int validate_one(const char *path, const char *bind, const char *type, SnError **reterr)
{
    SnLayout l = {.path = (char *)path, .bind = (char *)bind, .type = (char *)type, .mode = 0755, .line = 5};
    SnSnapInfo info = {.name = (char *)"lay", .layout = &l, .n_layout = 1};
    return sn_snap_yaml_validate_layouts(&info, reterr);
}

Test(snap_yaml_validate_layout, layouts_directly)
{
    cr_assert_eq(validate_one("/usr/share/x", "$SNAP/x", NULL, NULL), 0);
    cr_assert_eq(validate_one("$SNAP/lib/x", NULL, "tmpfs", NULL), 0);
    static const struct {
        const char *path, *bind, *type, *message;
    } bad[] = {
        {"/var/run/x", NULL, "tmpfs", "layout \"/var/run/x\" in an off-limits area (line 5)"},
        {"/usr/x", "$SNAP_USER_DATA/x", NULL,
         "layout \"/usr/x\" uses invalid bind mount source \"$SNAP_USER_DATA/x\": reference to unknown variable "
         "\"$SNAP_USER_DATA\" (line 5)"},
        {"/usr/x", "/etc/x", NULL,
         "layout \"/usr/x\" uses invalid bind mount source \"/etc/x\": must start with $SNAP, $SNAP_DATA or "
         "$SNAP_COMMON (line 5)"},
        {"/usr/x", NULL, "ext4", "layout \"/usr/x\" uses invalid filesystem \"ext4\" (line 5)"},
        {"/usr/x", NULL, NULL, "layout \"/usr/x\" must define a bind mount, a filesystem mount or a symlink (line 5)"},
        {"/home2/x", NULL, "tmpfs", "layout \"/home2/x\" defines a new top-level directory \"/home2\" (line 5)"},
        {"/usr/a*", NULL, "tmpfs", "invalid layout path: \"/usr/a*\" contains a reserved apparmor char"},
        {"/usr//x", NULL, "tmpfs", "layout \"/usr//x\" uses invalid mount point: must be absolute and clean (line 5)"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(bad); i++) {
        SnError *e = NULL;
        cr_assert_eq(validate_one(bad[i].path, bad[i].bind, bad[i].type, &e), -EINVAL, "%s accepted", bad[i].path);
        cr_assert(sn_startswith(e->message, bad[i].message), "%s: \"%s\" does not start with \"%s\"", bad[i].path,
                  e->message, bad[i].message);
        sn_error_free(e);
    }
}

Test(snap_yaml_validate_layout, nested_layouts_are_refused_whatever_their_order)
{
    SnLayout l[] = {
        {.path = (char *)"/usr/share/a/b", .type = (char *)"tmpfs", .mode = 0755, .line = 9},
        {.path = (char *)"/usr/share/a", .type = (char *)"tmpfs", .mode = 0755, .line = 4},
    };
    SnSnapInfo info = {.name = (char *)"lay", .layout = l, .n_layout = 2};
    SnError *e = NULL;
    cr_assert_eq(sn_snap_yaml_validate_layouts(&info, &e), -EINVAL);
    cr_assert_str_eq(e->message, "layout \"/usr/share/a/b\" underneath prior layout item \"/usr/share/a\" (line 9)");
    sn_error_free(e);
}
