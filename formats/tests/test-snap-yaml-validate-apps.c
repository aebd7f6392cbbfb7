/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap-yaml-validate-apps.c: the rules for apps and hooks, through sn_snap_yaml_parse and
 * directly.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "snap-yaml-test.h"
#include "snap-yaml-validate-internal.h"

#define HEAD "name: vt\nversion: 1\n"

Test(snap_yaml_validate_apps, daemon_keys_that_are_services_only)
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

Test(snap_yaml_validate_apps, daemon_values)
{
    static const char *const good[] = {"simple", "forking", "oneshot", "dbus", "notify"};
    for (size_t i = 0; i < SN_ELEMENTSOF(good); i++) {
        _sn_free_ char *y = sn_strdup_printf(HEAD "apps:\n  a:\n    command: x\n    daemon: %s\n", good[i]);
        ok(y);
    }
    bad(HEAD "apps:\n  a:\n    command: x\n    daemon: always\n", "\"daemon\" field contains invalid value \"always\"");
    ok(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    daemon-scope: user\n");
}

Test(snap_yaml_validate_apps, stop_modes_and_negative_durations)
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

Test(snap_yaml_validate_apps, success_exit_status_values)
{
    ok(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    success-exit-status: [1, 255, \"007\"]\n");
    bad(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    success-exit-status: [0]\n", "range 1 to 255");
    bad(HEAD "apps:\n  a:\n    command: x\n    daemon: simple\n    success-exit-status: [SIGTERM]\n", "range 1 to 255");
}

Test(snap_yaml_validate_apps, command_whitelists)
{
    ok(HEAD "apps:\n  a:\n    command: bin/a --x $SNAP_DATA #c:d\n");
    bad(HEAD "apps:\n  a:\n    command: x\n    stop-command: \"x|y\"\n", "'stop-command' contains illegal \"x|y\"");
    bad(HEAD "apps:\n  a:\n    command: x\n    bus-name: \"a(b)\"\n", "'bus-name' contains illegal");
    bad(HEAD "hooks:\n  install:\n    command-chain: [\"a b\"]\n", "hook command-chain contains illegal \"a b\"");
}

Test(snap_yaml_validate_apps, sockets)
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

Test(snap_yaml_validate_apps, activates_on)
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

Test(snap_yaml_validate_apps, before_after)
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

Test(snap_yaml_validate_apps, timers)
{
    ok(HEAD "apps:\n  a:\n    command: x\n    daemon: oneshot\n    timer: "
            "mon1-fri,10:00~11:00/2,,sun,9:00,,23:00-24:00/007\n");
    bad(HEAD "apps:\n  a:\n    command: x\n    daemon: oneshot\n    timer: \"25:00\"\n",
        "timer has invalid format: cannot parse \"25:00\": not a valid time");
}

Test(snap_yaml_validate_apps, hooks_by_snap_type)
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

Test(snap_yaml_validate_apps, hook_names_and_command_chains_directly)
{
    char *chain[] = {(char *)"bin/wrap", NULL};
    char *bad_chain[] = {(char *)"bin/wrap me", NULL};
    SnHook hook = {.name = (char *)"configure", .command_chain = chain, .line = 4};
    cr_assert_eq(sn_snap_yaml_validate_hook(&hook, NULL), 0);
    SnError *e = NULL;
    hook.command_chain = bad_chain;
    cr_assert_eq(sn_snap_yaml_validate_hook(&hook, &e), -EINVAL);
    cr_assert_str_eq(e->message,
                     "hook command-chain contains illegal \"bin/wrap me\" (legal: '^[A-Za-z0-9/._#:$-]*$') (line 4)");
    sn_error_free(e);
    e = NULL;
    hook.command_chain = chain;
    hook.name = (char *)"Bad_Hook";
    cr_assert_eq(sn_snap_yaml_validate_hook(&hook, &e), -EINVAL);
    cr_assert_str_eq(e->message, "invalid hook name: \"Bad_Hook\" (line 4)");
    sn_error_free(e);
}

Test(snap_yaml_validate_apps, order_cycles_name_every_service_in_them)
{
    char *after_b[] = {(char *)"b", NULL};
    char *after_a[] = {(char *)"a", NULL};
    char *after_c[] = {(char *)"c", NULL};
    SnApp apps[] = {
        {.name = (char *)"a", .daemon = (char *)"simple", .after = after_b, .line = 3},
        {.name = (char *)"b", .daemon = (char *)"simple", .after = after_a, .line = 6},
        {.name = (char *)"c", .daemon = (char *)"simple", .line = 9},
        {.name = (char *)"d", .daemon = (char *)"simple", .after = after_c, .line = 12},
    };
    SnSnapInfo info = {.name = (char *)"cyc", .apps = apps, .n_apps = 4};
    SnError *e = NULL;
    cr_assert_eq(sn_snap_yaml_validate_order_cycles(&info, &e), -EINVAL);
    cr_assert_str_eq(e->message, "applications are part of a before/after cycle: a, b (line 3)");
    sn_error_free(e);
    apps[1].after = NULL;
    cr_assert_eq(sn_snap_yaml_validate_order_cycles(&info, NULL), 0, "a chain without a cycle is fine");
}

Test(snap_yaml_validate_apps, one_app_directly)
{
    SnApp app = {.name = (char *)"x",
                 .command = (char *)"bin/x",
                 .line = 2,
                 .stop_timeout = SN_DURATION_UNSET,
                 .start_timeout = SN_DURATION_UNSET,
                 .watchdog_timeout = SN_DURATION_UNSET,
                 .restart_delay = SN_DURATION_UNSET};
    SnSnapInfo info = {.name = (char *)"one", .apps = &app, .n_apps = 1};
    cr_assert_eq(sn_snap_yaml_validate_app(&info, &app, NULL), 0);
    SnError *e = NULL;
    app.daemon = (char *)"simple";
    cr_assert_eq(sn_snap_yaml_validate_app(&info, &app, &e), -EINVAL, "a daemon needs a daemon-scope");
    cr_assert_str_eq(e->message, "\"daemon-scope\" must be set for daemons (line 2)");
    sn_error_free(e);
    app.daemon_scope = (char *)"system";
    cr_assert_eq(sn_snap_yaml_validate_app(&info, &app, NULL), 0);
    app.watchdog_timeout = -5;
    e = NULL;
    cr_assert_eq(sn_snap_yaml_validate_app(&info, &app, &e), -EINVAL);
    cr_assert_str_eq(e->message, "watchdog-timeout cannot be negative (line 2)");
    sn_error_free(e);
}
