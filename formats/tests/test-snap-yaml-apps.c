/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap-yaml-apps.c: apps, hooks and components as decoded.
 */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "snap-yaml-decode-internal.h"
#include "snap-yaml-test.h"

Test(snap_yaml_apps, apps_keep_every_key)
{
    const char *yaml = "name: svc\nversion: 1\n"
                       "slots:\n  dbus-svc:\n    interface: dbus\n    bus: system\n    name: org.example.Svc\n"
                       "apps:\n"
                       "  daemon:\n"
                       "    command: bin/run --flag $SNAP_DATA\n"
                       "    command-chain: [bin/wrapper]\n"
                       "    daemon: notify\n"
                       "    stop-command: bin/stop\n"
                       "    reload-command: bin/reload\n"
                       "    post-stop-command: bin/post\n"
                       "    bus-name: org.example.Svc\n"
                       "    stop-timeout: 1m30s\n"
                       "    start-timeout: 500ms\n"
                       "    watchdog-timeout: 10s\n"
                       "    restart-delay: 2s\n"
                       "    restart-condition: no\n"
                       "    stop-mode: sigterm-all\n"
                       "    refresh-mode: endure\n"
                       "    install-mode: disable\n"
                       "    timer: mon,10:00-12:00\n"
                       "    after: [other]\n"
                       "    success-exit-status: [7, 42]\n"
                       "    activates-on: [dbus-svc]\n"
                       "    plugs: [network-bind]\n"
                       "    sockets:\n      sock:\n        listen-stream: $SNAP_DATA/sock\n        socket-mode: 0660\n"
                       "    environment:\n      B: two\n      A: one\n"
                       "  other:\n    command: bin/other\n    daemon: simple\n    daemon-scope: system\n"
                       "  gui:\n    command: bin/gui\n    common-id: org.example.Gui\n    completer: bin/complete\n"
                       "    autostart: gui.desktop\n    aliases: [gui-alias]\n    refresh-mode: ignore-running\n";
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse_ok(yaml);
    const SnApp *a = sn_snap_info_find_app(info, "daemon");
    cr_assert_not_null(a);
    cr_assert_str_eq(a->command, "bin/run --flag $SNAP_DATA");
    cr_assert_str_eq(a->command_chain[0], "bin/wrapper");
    cr_assert_str_eq(a->daemon, "notify");
    cr_assert_str_eq(a->daemon_scope, "system");
    cr_assert_str_eq(a->stop_command, "bin/stop");
    cr_assert_str_eq(a->reload_command, "bin/reload");
    cr_assert_str_eq(a->post_stop_command, "bin/post");
    cr_assert_str_eq(a->bus_name, "org.example.Svc");
    cr_assert_eq(a->stop_timeout, 90LL * 1000000000);
    cr_assert_eq(a->start_timeout, 500LL * 1000000);
    cr_assert_eq(a->watchdog_timeout, 10LL * 1000000000);
    cr_assert_eq(a->restart_delay, 2LL * 1000000000);
    cr_assert_str_eq(a->restart_condition, "never");
    cr_assert_str_eq(a->stop_mode, "sigterm-all");
    cr_assert_str_eq(a->refresh_mode, "endure");
    cr_assert_str_eq(a->install_mode, "disable");
    cr_assert_str_eq(a->timer, "mon,10:00-12:00");
    cr_assert_str_eq(a->after[0], "other");
    cr_assert_eq(a->n_success_exit_status, 2);
    cr_assert_eq(a->success_exit_status[1], 42);
    cr_assert_str_eq(a->activates_on[0], "dbus-svc");
    cr_assert(sn_strv_contains(a->slots, "dbus-svc"));
    cr_assert_eq(a->n_sockets, 1);
    cr_assert_str_eq(a->sockets[0].name, "sock");
    cr_assert_str_eq(a->sockets[0].listen_stream, "$SNAP_DATA/sock");
    cr_assert(a->sockets[0].has_socket_mode);
    cr_assert_eq(a->sockets[0].socket_mode, 0660);
    cr_assert_eq(a->n_environment, 2);
    cr_assert_str_eq(a->environment[0].key, "B");
    const SnApp *gui = sn_snap_info_find_app(info, "gui");
    cr_assert_null(gui->daemon);
    cr_assert_null(gui->daemon_scope);
    cr_assert_eq(gui->stop_timeout, SN_DURATION_UNSET);
    cr_assert_str_eq(gui->common_id, "org.example.Gui");
    cr_assert_str_eq(gui->completer, "bin/complete");
    cr_assert_str_eq(gui->autostart, "gui.desktop");
    cr_assert_str_eq(gui->aliases[0], "gui-alias");
    cr_assert_eq(info->apps[0].line, 9);
}

Test(snap_yaml_apps, app_decode_errors)
{
    assert_rejected("name: s1\nversion: 1\napps:\n  a:\n    command: x\n    daemon: simple\n    stop-timeout: soon\n",
                    "stop-timeout: time: invalid duration \"soon\"");
    assert_rejected("name: s1\nversion: 1\napps:\n  a:\n    command: x\n    daemon: simple\n    stop-timeout: 10\n",
                    "missing unit in duration");
    assert_rejected("name: s1\nversion: 1\napps:\n  a:\n    command: [x]\n", "command: cannot unmarshal a sequence");
    assert_rejected("name: s1\nversion: 1\napps:\n  a: just-a-string\n", "cannot unmarshal a string");
    assert_rejected("name: s1\nversion: 1\napps:\n  a:\n    command: x\n    activates-on: [nope]\n",
                    "invalid activates-on value \"nope\" on app \"a\": slot not found");
    assert_rejected("name: s1\nversion: 1\napps:\n  a:\n    command: x\n    aliases: [same]\n"
                    "  b:\n    command: y\n    aliases: [same]\n",
                    "cannot set \"same\" as alias for both \"a\" and \"b\"");
    assert_rejected("name: s1\nversion: 1\napps:\n  a:\n    command: x\n    daemon: simple\n    plugs: [network-bind]\n"
                    "    sockets:\n      s:\n        listen-stream: $SNAP_DATA/s\n        socket-mode: rw\n",
                    "socket-mode");
}

Test(snap_yaml_apps, hooks_from_the_hooks_map)
{
    const char *yaml = "name: hk\nversion: 1\n"
                       "hooks:\n"
                       "  install:\n    command-chain: [bin/chain]\n    environment:\n      K: v\n"
                       "  connect-plug-foo:\n    plugs: [foo]\n"
                       "  not-a-hook:\n"
                       "  123abc:\n"
                       "  save-view-x:\n";
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse_ok(yaml);
    /* names snapd does not know are ignored, as snapd does */
    cr_assert_eq(info->n_hooks, 3);
    const SnHook *install = sn_snap_info_find_hook(info, "install");
    cr_assert_str_eq(install->command_chain[0], "bin/chain");
    cr_assert_eq(install->n_environment, 1);
    cr_assert_str_eq(install->environment[0].value, "v");
    cr_assert_not_null(sn_snap_info_find_hook(info, "connect-plug-foo"));
    cr_assert_not_null(sn_snap_info_find_hook(info, "save-view-x"));
    cr_assert_null(sn_snap_info_find_hook(info, "not-a-hook"));
    cr_assert_str_eq(sn_snap_info_find_hook(info, "connect-plug-foo")->plugs[0], "foo");
}

Test(snap_yaml_apps, components)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse_ok("name: comp\nversion: 1\ncomponents:\n  one:\n    type: standard\n    summary: s\n"
                 "    hooks:\n      install:\n        plugs: [network]\n");
    cr_assert_eq(info->n_components, 1);
    cr_assert_str_eq(info->components[0].name, "one");
    cr_assert_str_eq(info->components[0].type, "standard");
    cr_assert_eq(info->components[0].n_hooks, 1);
    cr_assert_str_eq(info->components[0].hooks[0].plugs[0], "network");
    assert_rejected("name: comp\nversion: 1\ncomponents:\n  one:\n    type: weird\n",
                    "unknown component type \"weird\"");
    assert_rejected("name: comp\nversion: 1\ncomponents:\n  one:\n    type: kernel-modules\n",
                    "kernel-modules components can exist only for kernel snaps");
    assert_rejected("name: comp\nversion: 1\ncomponents:\n  one:\n    type: standard\n    hooks:\n      configure:\n",
                    "unsupported component hook: \"configure\"");
    assert_rejected("name: comp\nversion: 1\ncomponents:\n  one:\n    type: standard\n    hooks:\n      install:\n"
                    "        slots: [x]\n",
                    "component hooks cannot have slots");
    assert_rejected("name: comp\nversion: 1\ncomponents:\n  One:\n    type: standard\n", "invalid snap name: \"One\"");
}

Test(snap_yaml_apps, restart_conditions_are_canonicalised)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse_ok("name: rc\nversion: 1\napps:\n"
                 "  a:\n    command: x\n    daemon: simple\n    restart-condition: no\n"
                 "  b:\n    command: x\n    daemon: simple\n    restart-condition: on-watchdog\n"
                 "  c:\n    command: x\n    daemon: simple\n");
    cr_assert_str_eq(info->apps[0].restart_condition, "never", "\"no\" is snapd's alias of never");
    cr_assert_str_eq(info->apps[1].restart_condition, "on-watchdog");
    cr_assert_null(info->apps[2].restart_condition);
    cr_assert_str_eq(info->apps[2].daemon_scope, "system", "daemons default to system daemons");
    assert_rejected("name: rc\nversion: 1\napps:\n  a:\n    command: x\n    daemon: simple\n"
                    "    restart-condition: sometimes\n",
                    "app \"a\": restart-condition: invalid restart condition \"sometimes\"");
    assert_rejected("name: rc\nversion: 1\napps:\n  a:\n    command: x\n    daemon: simple\n    daemon-scope: world\n",
                    "app \"a\": invalid daemon scope: \"world\"");
}

Test(snap_yaml_apps, exit_statuses_follow_atoi)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    SnError *e = NULL;
    const char *yaml = "name: es\nversion: 1\napps:\n  a:\n    command: x\n    daemon: simple\n"
                       "    success-exit-status: [\"007\", \"+5\", \"x\", \"-3\"]\n";
    cr_assert_eq(sn_snap_yaml_parse_unvalidated(yaml, strlen(yaml), &info, &e), 0);
    const SnApp *a = &info->apps[0];
    cr_assert_eq(a->n_success_exit_status, 4);
    cr_assert_eq(a->success_exit_status[0], 7, "leading zeros are fine for Atoi");
    cr_assert_eq(a->success_exit_status[1], 5);
    cr_assert_eq(a->success_exit_status[2], INT_MIN, "not a number: kept as an invalid marker");
    cr_assert_eq(a->success_exit_status[3], -3);
}

Test(snap_yaml_apps, unknown_hooks_are_ignored_and_interface_hooks_kept)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse_ok("name: hk\nversion: 1\nhooks:\n  install:\n  frobnicate:\n  prepare-plug-camera:\n"
                 "  connect-slot-x-1:\n  prepare-plug-:\n  save-view-foo:\n");
    cr_assert_eq(info->n_hooks, 4);
    cr_assert_not_null(sn_snap_info_find_hook(info, "install"));
    cr_assert_null(sn_snap_info_find_hook(info, "frobnicate"));
    cr_assert_not_null(sn_snap_info_find_hook(info, "prepare-plug-camera"));
    cr_assert_not_null(sn_snap_info_find_hook(info, "connect-slot-x-1"));
    cr_assert_null(sn_snap_info_find_hook(info, "prepare-plug-"), "an interface hook needs a plug name");
    cr_assert_not_null(sn_snap_info_find_hook(info, "save-view-foo"));
}

Test(snap_yaml_apps, activates_on_binds_the_slot_to_the_app)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse_ok("name: act\nversion: 1\nslots:\n  bus:\n    interface: dbus\n    bus: session\n    name: org.x\n"
                 "apps:\n  svc:\n    command: x\n    daemon: simple\n    daemon-scope: user\n"
                 "    activates-on: [bus]\n  other:\n    command: y\n");
    const SnApp *svc = sn_snap_info_find_app(info, "svc");
    cr_assert(sn_strv_contains(svc->activates_on, "bus"));
    cr_assert(sn_strv_contains(svc->slots, "bus"));
    const SnApp *other = sn_snap_info_find_app(info, "other");
    cr_assert_not(sn_strv_contains(other->slots, "bus"), "a slot named by activates-on is scoped");
    assert_rejected("name: act\nversion: 1\napps:\n  svc:\n    command: x\n    daemon: simple\n"
                    "    activates-on: [nope]\n",
                    "invalid activates-on value \"nope\" on app \"svc\": slot not found");
}
