/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "snap-yaml-internal.h"
#include "snap-yaml.h"
#include "strutil.h"

#define HEAD "name: vt\nversion: 1\n"

/* NULL when accepted, else the message (caller frees). */
static char *check(const char *yaml)
{
    SnSnapInfo *info = NULL;
    _sn_cleanup_(sn_error_freep) SnError *e = NULL;
    int r = sn_snap_yaml_parse(yaml, strlen(yaml), &info, &e);
    if (r == 0) {
        sn_snap_info_free(info);
        return NULL;
    }
    cr_assert_not_null(e);
    return strdup(e->message);
}

#define ok(yaml)                                                                                                       \
    do {                                                                                                               \
        _sn_free_ char *_m = check(yaml);                                                                              \
        cr_assert_null(_m, "rejected: %s\n%s", _m, (yaml));                                                            \
    } while (0)

#define bad(yaml, substring)                                                                                           \
    do {                                                                                                               \
        _sn_free_ char *_m = check(yaml);                                                                              \
        cr_assert_not_null(_m, "accepted:\n%s", (yaml));                                                               \
        cr_assert(strstr(_m, (substring)), "message \"%s\" lacks \"%s\"", _m, (substring));                            \
    } while (0)

Test(snap_yaml_validate, rejects_uppercase_name)
{
    bad("name: Foo\nversion: 1\n", "invalid snap name: \"Foo\"");
    ok("name: foo-0\nversion: 1\n");
}

Test(snap_yaml_validate, version_rules)
{
    ok("name: vt\nversion: 1.0~rc1+git\n");
    ok("name: vt\nversion: a\n");
    bad("name: vt\nversion: 1.0-\n", "must end with an ASCII alphanumeric or one of '+' or '~' (and not '-')");
    bad("name: vt\nversion: \"-x!y.\"\n",
        "must start with an ASCII alphanumeric (and not '-'), must end with an ASCII alphanumeric or one of '+' or "
        "'~' (and not '.'), and contains invalid characters: \"!\"");
    bad("name: vt\nversion: \"a\\tb\"\n", "\"a\\tb\": must be printable, non-whitespace ASCII");
    bad("name: vt\nversion: \"1.0\\U0001F601\"\n", "\\U0001f601");
}

Test(snap_yaml_validate, title_and_description_lengths)
{
    ok(HEAD "title: 1234567890123456789012345678901234567890\n");
    bad(HEAD "title: 12345678901234567890123456789012345678901\n", "title can have up to 40 codepoints, got 41");
    /* codepoints, not bytes */
    ok(HEAD "title: ééééééééééééééééééééééééééééééééééééééé\n");
}

Test(snap_yaml_validate, daemon_keys_that_are_services_only)
{
    static const char *const keys[][2] = {
        {"stop-timeout: 10s", "stop-timeout is only applicable to services"},
        {"start-timeout: 10s", "start-timeout is only applicable to services"},
        {"watchdog-timeout: 10s", "watchdog-timeout is only applicable to services"},
        {"restart-delay: 10s", "restart-delay is only applicable to services"},
        {"restart-condition: always", "restart-condition is only applicable to services"},
        {"success-exit-status: [3]", "success exit status is only applicable to services"},
        {"stop-mode: sigterm", "\"stop-mode\" cannot be used for \"a\", only for services"},
        {"install-mode: enable", "\"install-mode\" cannot be used for \"a\", only for services"},
        {"timer: mon", "timer is only applicable to services"},
        {"refresh-mode: endure", "\"refresh-mode\" for app \"a\" can only have value \"ignore-running\""},
        {"after: [b]", "must be a service to define before/after ordering"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(keys); i++) {
        _sn_free_ char *app = sn_strdup_printf(HEAD "apps:\n  a:\n    command: x\n    %s\n", keys[i][0]);
        _sn_free_ char *svc = sn_strdup_printf(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    %s\n"
                                                    "  b:\n    command: y\n    daemon: simple\n",
                                               keys[i][0]);
        bad(app, keys[i][1]);
        ok(svc);
    }
}

Test(snap_yaml_validate, daemon_values)
{
    static const char *const good[] = {"simple", "forking", "oneshot", "dbus", "notify"};
    for (size_t i = 0; i < SN_ELEMENTSOF(good); i++) {
        _sn_free_ char *y = sn_strdup_printf(HEAD "apps:\n  a:\n    command: x\n    daemon: %s\n", good[i]);
        ok(y);
    }
    bad(HEAD "apps:\n  a:\n    command: x\n    daemon: always\n", "\"daemon\" field contains invalid value \"always\"");
    ok(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    daemon-scope: user\n");
}

Test(snap_yaml_validate, stop_modes_and_negative_durations)
{
    bad(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    stop-mode: sigkill\n",
        "\"stop-mode\" field contains invalid value \"sigkill\"");
    bad(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    restart-delay: -1s\n",
        "restart-delay cannot be negative");
    bad(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    watchdog-timeout: -1ns\n",
        "watchdog-timeout cannot be negative");
    ok(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    stop-timeout: 0s\n");
    bad(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    refresh-mode: sometimes\n",
        "\"refresh-mode\" field contains invalid value \"sometimes\"");
}

Test(snap_yaml_validate, success_exit_status_values)
{
    ok(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    success-exit-status: [1, 255, \"007\"]\n");
    bad(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    success-exit-status: [0]\n", "range 1 to 255");
    bad(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    success-exit-status: [SIGTERM]\n", "range 1 to 255");
}

Test(snap_yaml_validate, command_whitelists)
{
    ok(HEAD "apps:\n  a:\n    command: bin/a --x $SNAP_DATA #c:d\n");
    bad(HEAD "apps:\n  a:\n    command: x\n    stop-command: \"x|y\"\n", "'stop-command' contains illegal \"x|y\"");
    bad(HEAD "apps:\n  a:\n    command: x\n    bus-name: \"a(b)\"\n", "'bus-name' contains illegal");
    bad(HEAD "hooks:\n  install:\n    command-chain: [\"a b\"]\n", "hook command-chain contains illegal \"a b\"");
}

Test(snap_yaml_validate, sockets)
{
    const char *pre = HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    plugs: [network-bind]\n"
                           "    sockets:\n      sock:\n        listen-stream: ";
    static const char *const good[] = {"$SNAP_DATA/s", "$SNAP_COMMON/s",  "$XDG_RUNTIME_DIR/s", "8080",
                                       "127.0.0.1:80", "\"[::1]:65535\"", "\"[::]:1\"",         "\"@snap.vt.sock\""};
    for (size_t i = 0; i < SN_ELEMENTSOF(good); i++) {
        _sn_free_ char *y = sn_strdup_printf("%s%s\n", pre, good[i]);
        ok(y);
    }
    static const char *const badv[][2] = {
        {"$SNAP_DATA/../s", "\"$SNAP_DATA/../s\" should be written as \"s\""},
        {"0", "invalid \"listen-stream\" port number \"0\""},
        {"65536", "port number \"65536\""},
        {"10.0.0.1:80", "invalid \"listen-stream\" address \"10.0.0.1\", must be one of"},
        {"\"@other.sock\"", "path for \"listen-stream\" must be prefixed with \"@snap.vt.\""},
        {"$SNAP_USER_DATA/s", "system daemon sockets must have a prefix"},
        {"\"\"", "\"listen-stream\" is not defined"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(badv); i++) {
        _sn_free_ char *y = sn_strdup_printf("%s%s\n", pre, badv[i][0]);
        bad(y, badv[i][1]);
    }
    bad(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    daemon-scope: user\n    plugs: [network-bind]\n"
             "    sockets:\n      sock:\n        listen-stream: $SNAP_DATA/s\n",
        "user daemon sockets must have a prefix of $SNAP_USER_DATA");
    bad(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    plugs: [network-bind]\n"
             "    sockets:\n      Bad_Name:\n        listen-stream: $SNAP_DATA/s\n",
        "invalid socket name: \"Bad_Name\"");
    bad(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    plugs: [network-bind]\n"
             "    sockets:\n      sock:\n        listen-stream: $SNAP_DATA/s\n        socket-mode: 01000\n",
        "cannot use mode: 1000");
    /* classic snaps need no network-bind plug; a top-level network-bind plug counts (it binds to every app) */
    ok(HEAD "confinement: classic\napps:\n  a:\n    command: x\n    daemon: simple\n"
            "    sockets:\n      sock:\n        listen-stream: $SNAP_DATA/s\n");
    ok(HEAD "plugs:\n  network-bind:\napps:\n  a:\n    command: x\n    daemon: simple\n"
            "    sockets:\n      sock:\n        listen-stream: $SNAP_DATA/s\n");
}

Test(snap_yaml_validate, activates_on)
{
    const char *slot = "slots:\n  bus:\n    interface: dbus\n    bus: system\n    name: org.x\n";
    _sn_free_ char *good = sn_strdup_printf(HEAD "%sapps:\n  a:\n    command: x\n    daemon: simple\n"
                                                 "    activates-on: [bus]\n",
                                            slot);
    ok(good);
    _sn_free_ char *nonsvc = sn_strdup_printf(HEAD "%sapps:\n  a:\n    command: x\n    activates-on: [bus]\n", slot);
    bad(nonsvc, "activates-on is only applicable to services");
    _sn_free_ char *user = sn_strdup_printf(HEAD "%sapps:\n  a:\n    command: x\n    daemon: simple\n"
                                                 "    daemon-scope: user\n    activates-on: [bus]\n",
                                            slot);
    bad(user, "bus \"system\" does not match daemon-scope \"user\"");
    _sn_free_ char *twice = sn_strdup_printf(HEAD "%sapps:\n  a:\n    command: x\n    daemon: simple\n"
                                                  "    activates-on: [bus]\n  b:\n    command: x\n"
                                                  "    daemon: simple\n    activates-on: [bus]\n",
                                             slot);
    bad(twice, "slot is also activatable on app");
    bad(HEAD "slots:\n  s:\n    interface: network\napps:\n  a:\n    command: x\n    daemon: simple\n"
             "    activates-on: [s]\n",
        "slot does not use dbus interface");
}

Test(snap_yaml_validate, before_after)
{
    ok(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    before: [b]\n"
            "  b:\n    command: x\n    daemon: simple\n    after: [a]\n");
    bad(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    after: [zz]\n",
        "before/after references a missing application \"zz\"");
    bad(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    after: [b]\n  b:\n    command: x\n",
        "before/after references a non-service application \"b\"");
    bad(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    after: [b]\n"
             "  b:\n    command: x\n    daemon: simple\n    daemon-scope: user\n",
        "different daemon-scope \"b\"");
    bad(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    before: [b]\n"
             "  b:\n    command: x\n    daemon: simple\n    before: [c]\n"
             "  c:\n    command: x\n    daemon: simple\n    before: [a]\n"
             "  d:\n    command: x\n    daemon: simple\n    after: [a]\n",
        "applications are part of a before/after cycle: a, b, c, d");
    bad(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    after: [a]\n", "before/after cycle: a");
}

Test(snap_yaml_validate, timers)
{
    ok(HEAD "apps:\n  a:\n    command: x\n    daemon: oneshot\n    timer: "
            "mon1-fri,10:00~11:00/2,,sun,9:00,,23:00-24:00/007\n");
    bad(HEAD "apps:\n  a:\n    command: x\n    daemon: oneshot\n    timer: \"25:00\"\n",
        "timer has invalid format: cannot parse \"25:00\": not a valid time");
}

Test(snap_yaml_validate, plug_slot_names_and_uniqueness)
{
    bad(HEAD "slots:\n  Bad:\n", "invalid slot name: \"Bad\"");
    bad(HEAD "plugs:\n  p:\n    interface: Bad\n", "invalid interface name \"Bad\" for plug \"p\"");
    bad(HEAD "apps:\n  a:\n    command: x\n    plugs: [x]\n    slots: [x]\n",
        "cannot have plug and slot with the same name: \"x\"");
    bad(HEAD "apps:\n  a:\n    command: x\n    plugs: [bad_name]\n", "invalid plug name: \"bad_name\"");
}

Test(snap_yaml_validate, hooks_by_snap_type)
{
    ok(HEAD "hooks:\n  configure:\n  default-configure:\n");
    ok("name: core\nversion: 1\ntype: os\nhooks:\n  configure:\n");
    bad("name: core\nversion: 1\ntype: os\nhooks:\n  configure:\n  default-configure:\n",
        "cannot specify \"default-configure\" hook for \"os\" snap \"core\"");
    bad("name: snapd\nversion: 1\nhooks:\n  configure:\n  default-configure:\n",
        "cannot specify \"default-configure\" or \"configure\" hook for \"snapd\" snap \"snapd\"");
    ok(HEAD "hooks:\n  prepare-plug-foo:\n  unprepare-slot-x1:\n  disconnect-plug-a-b:\n  check-health:\n"
            "  gate-auto-refresh:\n  fde-setup:\n  install-device:\n  prepare-device:\n  remove:\n");
}

Test(snap_yaml_validate, base_rules)
{
    ok(HEAD "base: core24\n");
    ok("name: mybase\nversion: 1\ntype: base\nbase: none\n");
    bad(HEAD "base: core_x\n", "base cannot specify a snap instance name: \"core_x\"");
    bad(HEAD "base: Core\n", "invalid base name: invalid snap name: \"Core\"");
    bad(HEAD "base: none\nhooks:\n  install:\n", "cannot have apps or hooks with base \"none\"");
    bad("name: os1\nversion: 1\ntype: os\nbase: core\n", "cannot have \"base\" field with value other than \"none\"");
}

Test(snap_yaml_validate, provenance)
{
    ok(HEAD "provenance: my-store-1\n");
    bad(HEAD "provenance: \"-x\"\n", "invalid provenance: \"-x\"");
}

Test(snap_yaml_validate, licenses)
{
    ok(HEAD "license: (MIT OR Apache-2.0) AND GPL-2.0-or-later WITH Classpath-exception-2.0\n");
    bad(HEAD "license: MIT Apache-2.0\n", "missing AND or OR between \"MIT\" and \"Apache-2.0\"");
    bad(HEAD "license: MIT AND\n", "missing license after AND");
}

Test(snap_yaml_validate, system_usernames)
{
    ok(HEAD "system-usernames:\n  snap_daemon: shared\n  _daemon_: shared\n");
    bad(HEAD "system-usernames:\n  \"Bad\": shared\n", "invalid system username \"Bad\"");
    bad(HEAD "system-usernames:\n  nobody: shared\n", "invalid system username \"nobody\"");
}

Test(snap_yaml_validate, links)
{
    ok(HEAD "links:\n  website: [https://x.org]\n  contact: [mailto:me@x.org, me@x.org]\n");
    bad(HEAD "links:\n  website: []\n", "\"website\" links cannot be specified and empty");
    bad(HEAD "links:\n  website: [ftp://x.org]\n", "must have one of http|https schemes");
    bad(HEAD "links:\n  contact: [nobody]\n", "invalid \"contact\" email address \"nobody\"");
    bad(HEAD "links:\n  bad_key: [a@b]\n", "links key is invalid: bad_key");
}

Test(snap_yaml_validate, layouts)
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

Test(snap_yaml_validate, common_ids_and_aliases)
{
    ok(HEAD "apps:\n  a:\n    command: x\n    common-id: a.b\n    aliases: [a.b_c-d]\n  b:\n    command: y\n"
            "    common-id: c.d\n");
    bad(HEAD "apps:\n  a:\n    command: x\n    aliases: [\".a\"]\n", "cannot have \".a\" as alias name");
}

Test(snap_yaml_validate, validate_refuses_null_and_nameless_info)
{
    _sn_cleanup_(sn_error_freep) SnError *e = NULL;
    cr_assert_eq(sn_snap_info_validate(NULL, &e), -EINVAL);
    SnSnapInfo empty = {0};
    cr_assert_eq(sn_snap_info_validate(&empty, NULL), -EINVAL);
}

Test(snap_yaml_validate, clean_path_follows_go)
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
        _sn_free_ char *c = sn_snap_yaml_clean_path(cases[i][0]);
        cr_assert_str_eq(c, cases[i][1], "Clean(%s)", cases[i][0]);
    }
}

Test(snap_yaml_validate, version_with_every_defect_lists_four_reasons)
{
    /* found by fuzzing: four reasons overflowed a three-slot array */
    bad("name: vt\nversion: \")))))))))))))))))))))))))))))))))))))\"\n",
        "cannot be longer than 32 characters (got: 37), must start with an ASCII alphanumeric (and not ')'), must end "
        "with an ASCII alphanumeric or one of '+' or '~' (and not ')'), and contains invalid characters: "
        "\")))))))))))))))))))))))))))))))))))\"");
}
